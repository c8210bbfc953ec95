// SPDX-License-Identifier: GPL-2.0
/*
 * xl-vbmq: the operator's tool for vbmq disks.
 *
 *   set DOMAIN VDEV KEY=VALUE...     write vbmq/ settings of a disk
 *   unset DOMAIN VDEV KEY...         remove them (backend defaults)
 *   show DOMAIN [VDEV]               settings, rings, threads, errors
 *   stats DOMAIN [VDEV] [--watch S] [--json]  per-ring statistics
 *   pin-dom0 --io-cpus LIST          dedicated dom0 I/O cores (pin.c)
 *   unpin                            undo pin-dom0
 *   create CONFIG [xl create opts]   xl create -p, apply vbmq = [...], unpause
 *   apply DOMAIN VDEV [--conf FILE]  settings from /etc/xen/vbmq.conf
 *
 * Values are checked by lib/keys.c, the parser the backend
 * uses, before anything is written; all keys of one command are written in
 * one xenstore transaction.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xl-vbmq.h"

#define XLV_SYSFS_BE		"/sys/bus/xen-backend/devices"
#define XLV_DEBUGFS		"/sys/kernel/debug"
#define XLV_DEBUGFS_BE		XLV_DEBUGFS "/vbmq-blkback"
#define XLV_DEBUGFS_MAGIC	0x64626720	/* DEBUGFS_MAGIC */
#define XLV_SYSFS_MAXQ		"/sys/module/vbmq_blkback/parameters/max_queues"
#define XLV_SYSFS_POLL		"/sys/module/vbmq_blkback/parameters/poll"
#define XLV_SYSFS_POLL_MAX	"/sys/module/vbmq_blkback/parameters/poll_max_us"
#define XLV_CPU_ONLINE		"/sys/devices/system/cpu/online"
#define XLV_CPU_POSSIBLE	"/sys/devices/system/cpu/possible"
#define XLV_CONF		"/etc/xen/vbmq.conf"
#define XLV_XS_TIMEOUT		10	/* s: xenstored must answer */
#define XLV_MAX_DISKS		64
#define XLV_MAX_RINGS		64

const char *xlv_prog = "xl-vbmq";

/* ---- messages ---- */

void xlv_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", xlv_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- xenstore ---- */

static void xlv_xs_timeout(int sig)
{
	static const char msg[] =
		"xl-vbmq: xenstored did not answer within 10 s; is it running? (start it: systemctl start xenstored, or /etc/init.d/xencommons start)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_FAILURE);
	_exit(EXIT_FAILURE);
}

struct xs_handle *xlv_xs_open(void)
{
	struct xs_handle *h;
	char *v;
	unsigned int len;

	h = xs_open(0);
	if (!h) {
		xlv_err("cannot connect to xenstored: %s; is xenstored running (systemctl start xenstored, or /etc/init.d/xencommons start) and is this dom0?",
			strerror(errno));
		exit(EXIT_FAILURE);
	}
	/*
	 * Without a xenstored the xenbus device accepts the request and
	 * never answers: bound the first read.
	 */
	signal(SIGALRM, xlv_xs_timeout);
	alarm(XLV_XS_TIMEOUT);
	v = xs_read(h, XBT_NULL, "/local/domain/0/name", &len);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	free(v);
	return h;
}

char *xlv_xs_read(struct xs_handle *h, xs_transaction_t t, const char *fmt,
		  ...)
{
	char path[512];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(h, t, path, &len);
}

/* ---- small file helpers ---- */

static int xlv_read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

int xlv_read_cpu_file(const char *path, struct vbmq_cpu_list *l)
{
	struct vbmq_keys_limits lim = { .max_queues = 1 };
	char raw[1100], buf[1100], err[VBMQ_KEYS_ERR_LEN];

	if (xlv_read_file(path, raw, sizeof(raw)) ||
	    xlv_chomp(raw, buf, sizeof(buf)))
		return -EIO;
	return vbmq_keys_parse_cpus(buf, &lim, l, err, sizeof(err));
}

/* Limits the backend applies: its max_queues, dom0's CPUs. */
static void xlv_limits(struct vbmq_keys_limits *lim, struct vbmq_keys *def,
		       struct vbmq_cpu_list *online, bool quiet)
{
	struct vbmq_cpu_list possible;
	enum vbmq_poll_mode poll = VBMQ_POLL_ADAPTIVE;
	unsigned int max_us = 32;
	char buf[64], v[64], err[VBMQ_KEYS_ERR_LEN];

	memset(lim, 0, sizeof(*lim));
	if (xlv_read_cpu_file(XLV_CPU_ONLINE, online))
		online->nr = 0;
	if (!xlv_read_cpu_file(XLV_CPU_POSSIBLE, &possible) && possible.nr)
		lim->nr_cpu_ids = possible.cpu[possible.nr - 1] + 1u;
	if (!xlv_read_file(XLV_SYSFS_MAXQ, buf, sizeof(buf)) &&
	    !xlv_chomp(buf, v, sizeof(v)))
		lim->max_queues = (unsigned int)strtoul(v, NULL, 10);
	if (!lim->max_queues) {
		lim->max_queues = online->nr ? online->nr : 1;
		if (lim->max_queues > 32)
			lim->max_queues = 32;
		if (!quiet)
			fprintf(stderr,
				"%s: note: vbmq-blkback is not loaded; checking queues against 1..%u (dom0's CPUs); load it with modprobe vbmq-blkback\n",
				xlv_prog, lim->max_queues);
	}
	if (!xlv_read_file(XLV_SYSFS_POLL, buf, sizeof(buf)) &&
	    !xlv_chomp(buf, v, sizeof(v)))
		vbmq_keys_parse_poll(v, &poll, err, sizeof(err));
	if (!xlv_read_file(XLV_SYSFS_POLL_MAX, buf, sizeof(buf)) &&
	    !xlv_chomp(buf, v, sizeof(v)))
		vbmq_keys_parse_poll_max_us(v, &max_us, err, sizeof(err));
	vbmq_keys_defaults(def, lim, poll, max_us);
}

/* ---- domains and disks ---- */

struct xlv_dom {
	unsigned int domid;
	char name[XLV_NAME_MAX];
};

struct xlv_disk {
	unsigned int devid;
	char vdev[XLV_VDEV_MAX];
	char be[256];		/* backend directory */
	char fe[256];		/* frontend directory */
	unsigned int be_domid;
	char be_type[16];	/* "vbd", "qdisk", ... */
};

static int xlv_resolve_domain(struct xs_handle *h, const char *arg,
			      struct xlv_dom *d)
{
	char **ents, *name;
	unsigned int n, i, id;

	if (!xlv_parse_domid(arg, &d->domid)) {
		name = xlv_xs_read(h, XBT_NULL, "/local/domain/%u/name",
				   d->domid);
		if (!name) {
			xlv_err("there is no domain %u (see xl list)", d->domid);
			return -ENOENT;
		}
		snprintf(d->name, sizeof(d->name), "%s", name);
		free(name);
		return 0;
	}
	ents = xs_directory(h, XBT_NULL, "/local/domain", &n);
	for (i = 0; ents && i < n; i++) {
		if (xlv_parse_domid(ents[i], &id))
			continue;
		name = xlv_xs_read(h, XBT_NULL, "/local/domain/%u/name", id);
		if (name && !strcmp(name, arg)) {
			d->domid = id;
			snprintf(d->name, sizeof(d->name), "%s", name);
			free(name);
			free(ents);
			return 0;
		}
		free(name);
	}
	free(ents);
	xlv_err("there is no domain named \"%s\" (see xl list; give a name or a domain id)",
		arg);
	return -ENOENT;
}

/*
 * Fill a disk from its frontend directory's backend link.  The guest can
 * write that link, so it is followed only when it is exactly the backend
 * directory the toolstack makes for this domain and device
 * (xlv_backend_path_check()) and that directory's own frontend link, which
 * the guest cannot write, leads back here.  -EPERM otherwise, with the
 * link, escaped, in k->be.
 */
static int xlv_disk_load(struct xs_handle *h, const struct xlv_dom *d,
			 unsigned int devid, struct xlv_disk *k)
{
	char *be, *fe, *dev;
	unsigned int bd;
	char type[16];
	bool back;
	int err;

	memset(k, 0, sizeof(*k));
	k->devid = devid;
	snprintf(k->fe, sizeof(k->fe), "/local/domain/%u/device/vbd/%u",
		 d->domid, devid);
	be = xlv_xs_read(h, XBT_NULL, "%s/backend", k->fe);
	if (!be)
		return -ENOENT;
	err = xlv_backend_path_check(be, d->domid, devid, &bd, type,
				     sizeof(type));
	if (err)
		xlv_escape(be, k->be, sizeof(k->be));
	else
		snprintf(k->be, sizeof(k->be), "%s", be);
	free(be);
	if (err)
		return -EPERM;
	fe = xlv_xs_read(h, XBT_NULL, "%s/frontend", k->be);
	back = fe && !strcmp(fe, k->fe);
	free(fe);
	if (!back)
		return -EPERM;
	k->be_domid = bd;
	snprintf(k->be_type, sizeof(k->be_type), "%s", type);
	dev = xlv_xs_read(h, XBT_NULL, "%s/dev", k->be);
	snprintf(k->vdev, sizeof(k->vdev), "%s", dev ? dev : "?");
	free(dev);
	return 0;
}

/* Every vbd of a domain, sorted by device id. */
static int xlv_disks(struct xs_handle *h, const struct xlv_dom *d,
		     struct xlv_disk *out, unsigned int max)
{
	char **ents;
	unsigned int n = 0, i, j, id, nr = 0;
	struct xlv_disk tmp;
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/device/vbd", d->domid);
	ents = xs_directory(h, XBT_NULL, path, &n);
	for (i = 0; ents && i < n && nr < max; i++) {
		if (!isdigit((unsigned char)ents[i][0]))
			continue;
		id = (unsigned int)strtoul(ents[i], NULL, 10);
		if (!xlv_disk_load(h, d, id, &out[nr]))
			nr++;
	}
	free(ents);
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && out[j - 1].devid > out[j].devid; j--) {
			tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	return (int)nr;
}

static void xlv_disk_names(struct xs_handle *h, const struct xlv_dom *d,
			   char *buf, size_t len)
{
	static struct xlv_disk all[XLV_MAX_DISKS];
	int n = xlv_disks(h, d, all, XLV_MAX_DISKS), i;
	size_t at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s (%u)",
				       i ? ", " : "", all[i].vdev,
				       all[i].devid);
	if (!n)
		snprintf(buf, len, "none");
}

static int xlv_resolve_disk(struct xs_handle *h, const struct xlv_dom *d,
			    const char *vdev, struct xlv_disk *k)
{
	char msg[XLV_ERR_LEN], names[512];
	unsigned int devid;
	int err;

	if (xlv_vdev_to_devid(vdev, &devid, msg, sizeof(msg))) {
		xlv_err("%s", msg);
		return -EINVAL;
	}
	err = xlv_disk_load(h, d, devid, k);
	if (err == -EPERM) {
		xlv_err("disk %s of domain %s (%u): its frontend's backend link \"%s\" is not the backend directory of this disk (/local/domain/N/backend/vbd/%u/%u, whose frontend link leads back); the guest may have rewritten it, so nothing was read or written; detach and attach the disk again (xl block-detach, xl block-attach)",
			vdev, d->name, d->domid, k->be, d->domid, devid);
		return -EPERM;
	}
	if (err) {
		xlv_disk_names(h, d, names, sizeof(names));
		xlv_err("domain %s (%u) has no disk %s (device id %u); its disks: %s (see xl block-list %u)",
			d->name, d->domid, vdev, devid, names, d->domid);
		return -ENOENT;
	}
	if (strcmp(k->be_type, "vbd")) {
		xlv_err("disk %s of domain %s is served by the \"%s\" backend, not a vbd backend like vbmq-blkback; use a phy: disk (backendtype=phy) for vbmq settings",
			vdev, d->name, k->be_type);
		return -EINVAL;
	}
	return 0;
}

/* ---- set and unset ---- */

/* What the backend uses for an absent key: "adaptive", "unpinned", ... */
static void xlv_default_str(enum vbmq_key key, const struct vbmq_keys *def,
			    char *buf, size_t len)
{
	switch (key) {
	case VBMQ_KEY_QUEUES:
		snprintf(buf, len, "%u", def->queues);
		break;
	case VBMQ_KEY_CPUS:
		snprintf(buf, len, "unpinned");
		break;
	case VBMQ_KEY_POLL:
		snprintf(buf, len, "%s", vbmq_poll_mode_name(def->poll));
		break;
	case VBMQ_KEY_POLL_MAX_US:
		snprintf(buf, len, "%u", def->poll_max_us);
		break;
	case VBMQ_KEY_GUEST_POLL_QUEUES:
		snprintf(buf, len, "%u", def->guest_poll_queues);
		break;
	default:
		snprintf(buf, len, "%s",
			 vbmq_irq_affinity_name(def->guest_irq_affinity));
	}
}

/* The disk's current settings as the backend would read them. */
static void xlv_current(struct xs_handle *h, xs_transaction_t t,
			const struct xlv_disk *k,
			const struct vbmq_keys_limits *lim,
			const struct vbmq_keys *def, struct vbmq_keys *cur)
{
	char err[VBMQ_KEYS_ERR_LEN], *v;
	int key;

	*cur = *def;
	for (key = 0; key < VBMQ_KEY_COUNT; key++) {
		v = xlv_xs_read(h, t, "%s/%s/%s", k->be, VBMQ_KEYS_DIR,
				vbmq_key_name((enum vbmq_key)key));
		if (v)
			vbmq_keys_parse((enum vbmq_key)key, v, lim, cur, err,
					sizeof(err));
		free(v);
	}
}

/*
 * Validate s against the disk's current settings and write the given keys
 * in one transaction (retried while xenstored says EAGAIN).
 */
static int xlv_apply(struct xs_handle *h, const struct xlv_dom *d,
		     const struct xlv_disk *k, struct xlv_settings *s,
		     const struct vbmq_keys_limits *lim,
		     const struct vbmq_keys *def,
		     const struct vbmq_cpu_list *online, bool verbose)
{
	char err[XLV_ERR_LEN], path[320], *state;
	struct vbmq_keys cur;
	xs_transaction_t t;
	unsigned int tries;
	int key;

	for (tries = 0; tries < 100; tries++) {
		t = xs_transaction_start(h);
		if (t == XBT_NULL) {
			xlv_err("cannot start a xenstore transaction: %s",
				strerror(errno));
			return -EIO;
		}
		state = xlv_xs_read(h, t, "%s/state", k->be);
		if (!state) {
			xs_transaction_end(h, t, true);
			xlv_err("the backend of disk %s of domain %s is gone (%s); is the domain being destroyed?",
				k->vdev, d->name, k->be);
			return -ENOENT;
		}
		free(state);
		xlv_current(h, t, k, lim, def, &cur);
		if (xlv_settings_validate(s, lim, &cur, online, err,
					  sizeof(err))) {
			xs_transaction_end(h, t, true);
			xlv_err("%s; nothing was written", err);
			return -EINVAL;
		}
		for (key = 0; key < VBMQ_KEY_COUNT; key++) {
			if (!s->given[key] && !s->unset[key])
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", k->be,
				 VBMQ_KEYS_DIR,
				 vbmq_key_name((enum vbmq_key)key));
			/* An absent key is the backend's default. */
			if (s->unset[key] ? xs_rm(h, t, path) || errno == ENOENT :
			    xs_write(h, t, path, s->value[key],
				     (unsigned int)strlen(s->value[key])))
				continue;
			xlv_err("cannot %s %s: %s; nothing was written",
				s->unset[key] ? "remove" : "write", path,
				strerror(errno));
			xs_transaction_end(h, t, true);
			return -EIO;
		}
		if (xs_transaction_end(h, t, false))
			break;
		if (errno != EAGAIN) {
			xlv_err("xenstore transaction failed: %s; nothing was written",
				strerror(errno));
			return -EIO;
		}
	}
	if (tries == 100) {
		xlv_err("xenstore stayed busy (EAGAIN 100 times); nothing was written, try again");
		return -EAGAIN;
	}
	if (verbose) {
		printf("%s %s:", d->name, k->vdev);
		for (key = 0; key < VBMQ_KEY_COUNT; key++) {
			if (s->given[key])
				printf(" %s=%s", vbmq_key_name((enum vbmq_key)key),
				       s->value[key]);
			if (!s->unset[key])
				continue;
			xlv_default_str((enum vbmq_key)key, def, path,
					sizeof(path));
			printf(" %s unset (default %s)",
			       vbmq_key_name((enum vbmq_key)key), path);
		}
		printf("\n");
	}
	return 0;
}

static int xlv_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	xlv_err("%s needs root (xenstore and the hypervisor are root-only); run it as root, e.g. sudo %s %s ...",
		cmd, xlv_prog, cmd);
	return -EPERM;
}

/* set (KEY=VALUE...) and unset (KEY...): the same checks and transaction. */
static int xlv_set_or_unset(int argc, char **argv, bool unset)
{
	const char *cmd = unset ? "unset" : "set";
	struct vbmq_keys_limits lim;
	struct vbmq_keys def;
	struct vbmq_cpu_list online;
	static struct xlv_settings s;
	char err[XLV_ERR_LEN];
	struct xs_handle *h;
	struct xlv_dom d;
	struct xlv_disk k;
	unsigned int devid;
	int ret;

	if (argc < 3) {
		xlv_err("usage: %s DOMAIN VDEV %s... (see %s help %s)", cmd,
			unset ? "KEY" : "KEY=VALUE", xlv_prog, cmd);
		return EXIT_FAILURE;
	}
	/* Everything that can be checked without xenstore, first. */
	xlv_settings_init(&s);
	ret = unset ? xlv_settings_unset_from_args(&s, argc - 2, argv + 2, err,
						   sizeof(err)) :
		      xlv_settings_from_args(&s, argc - 2, argv + 2, err,
					     sizeof(err));
	if (ret || xlv_vdev_to_devid(argv[1], &devid, err, sizeof(err))) {
		xlv_err("%s; nothing was written", err);
		return EXIT_FAILURE;
	}
	xlv_limits(&lim, &def, &online, !s.given[VBMQ_KEY_QUEUES]);
	if (xlv_settings_validate(&s, &lim, &def, &online, err, sizeof(err))) {
		xlv_err("%s; nothing was written", err);
		return EXIT_FAILURE;
	}
	if (xlv_need_root(cmd))
		return EXIT_FAILURE;
	h = xlv_xs_open();
	if (xlv_resolve_domain(h, argv[0], &d) ||
	    xlv_resolve_disk(h, &d, argv[1], &k)) {
		xs_close(h);
		return EXIT_FAILURE;
	}
	ret = xlv_apply(h, &d, &k, &s, &lim, &def, &online, true);
	xs_close(h);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int cmd_set(int argc, char **argv)
{
	return xlv_set_or_unset(argc, argv, false);
}

static int cmd_unset(int argc, char **argv)
{
	return xlv_set_or_unset(argc, argv, true);
}

/* ---- per-ring statistics from debugfs ---- */

struct xlv_ring {
	bool ok;
	char thread[64];
	int pid;
	int cpu;
	char poll[64];
	unsigned long long poll_max_us, window_ns, in_flight;
	unsigned long long reqs, rd, wr, f, b, ds;
	unsigned long long kicks, notify_sent, notify_suppressed;
	unsigned long long poll_hits, poll_misses, poll_yields;
};

/*
 * Why the backend's ring directories cannot be read, as a message naming
 * the fix, or NULL when vbmq-blkback's debugfs directory is there.
 */
static const char *xlv_debugfs_problem(void)
{
	struct statfs sfs;

	if (!access(XLV_DEBUGFS_BE, R_OK | X_OK))
		return NULL;
	if (statfs(XLV_DEBUGFS, &sfs) || sfs.f_type != XLV_DEBUGFS_MAGIC)
		return "debugfs is not mounted (mount -t debugfs none " XLV_DEBUGFS ")";
	if (access(XLV_DEBUGFS_BE, F_OK) && errno == ENOENT)
		return "no " XLV_DEBUGFS_BE " (is vbmq-blkback loaded?)";
	return "cannot read " XLV_DEBUGFS_BE " (run as root)";
}

/* One value file of a ring directory, newline removed; -errno. */
static int xlv_ring_file(const char *dir, const char *name, char *buf,
			 size_t len)
{
	char path[320];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

static unsigned long long xlv_ring_u64(const char *dir, const char *name)
{
	char buf[64];

	return xlv_ring_file(dir, name, buf, sizeof(buf)) ? 0 :
		strtoull(buf, NULL, 10);
}

static int xlv_ring_read(const struct xlv_disk *k, unsigned int domid,
			 unsigned int idx, struct xlv_ring *r)
{
	char dir[256], buf[64];
	int err;

	memset(r, 0, sizeof(*r));
	r->cpu = -1;
	snprintf(dir, sizeof(dir), XLV_DEBUGFS_BE "/vbd-%u-%u/ring%u", domid,
		 k->devid, idx);
	err = xlv_ring_file(dir, "thread", r->thread, sizeof(r->thread));
	if (err)
		return err;
	if (!xlv_ring_file(dir, "pid", buf, sizeof(buf)))
		r->pid = atoi(buf);
	if (!xlv_ring_file(dir, "cpu", buf, sizeof(buf)))
		r->cpu = atoi(buf);
	xlv_ring_file(dir, "poll", r->poll, sizeof(r->poll));
	r->poll_max_us = xlv_ring_u64(dir, "poll_max_us");
	r->window_ns = xlv_ring_u64(dir, "poll_window_ns");
	r->in_flight = xlv_ring_u64(dir, "in_flight");
	r->rd = xlv_ring_u64(dir, "rd_req");
	r->wr = xlv_ring_u64(dir, "wr_req");
	r->f = xlv_ring_u64(dir, "f_req");
	r->b = xlv_ring_u64(dir, "b_req");
	r->ds = xlv_ring_u64(dir, "ds_req");
	r->kicks = xlv_ring_u64(dir, "kicks");
	r->notify_sent = xlv_ring_u64(dir, "notify_sent");
	r->notify_suppressed = xlv_ring_u64(dir, "notify_suppressed");
	r->poll_hits = xlv_ring_u64(dir, "poll_hits");
	r->poll_misses = xlv_ring_u64(dir, "poll_misses");
	r->poll_yields = xlv_ring_u64(dir, "poll_yields");
	r->reqs = r->rd + r->wr + r->f + r->b + r->ds;
	r->ok = true;
	return 0;
}

static int xlv_rings_read(const struct xlv_disk *k, unsigned int domid,
			  struct xlv_ring *r, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < max; i++)
		if (xlv_ring_read(k, domid, i, &r[i]))
			break;
	return (int)i;
}

/* A ring's bound CPU as text: "any" when unpinned. */
static const char *xlv_cpu_str(int cpu, char *buf, size_t len)
{
	if (cpu < 0)
		snprintf(buf, len, "any");
	else
		snprintf(buf, len, "%d", cpu);
	return buf;
}

/* "1" or "0-1" from /proc/PID/status, or "?". */
static void xlv_thread_allowed(int pid, char *buf, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			xlv_chomp(line + 18 + strspn(line + 18, " \t"), buf,
				  len);
			break;
		}
	fclose(f);
}

/* ---- show ---- */

/* Name of a "state" node's value: enum xenbus_state of xen/io/xenbus.h. */
static const char *xlv_state_name(const char *s)
{
	static const char * const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};
	unsigned int v;

	if (!s || xlv_parse_domid(s, &v) ||
	    v >= sizeof(names) / sizeof(names[0]) || !names[v])
		return "?";
	return names[v];
}

/*
 * @s escaped for the terminal (xlv_escape()), NULL for NULL.  show prints
 * strings other domains wrote (the frontend's keys, names, the backend's
 * error message): none may reach the terminal raw.  Rotates over
 * XLV_ESC_BUFS buffers, so one printf() can take that many.
 */
#define XLV_ESC_BUFS	12
static const char *xlv_e(const char *s)
{
	static char bufs[XLV_ESC_BUFS][512];
	static unsigned int next;
	char *b;

	if (!s)
		return NULL;
	b = bufs[next++ % XLV_ESC_BUFS];
	xlv_escape(s, b, sizeof(bufs[0]));
	return b;
}

/*
 * Which driver serves the disk's backend: the kernel module bound to its
 * xen-backend device in this domain's sysfs (vbmq-blkback or the in-tree
 * xen-blkback), or why that cannot be told from here.
 */
static void xlv_backend_driver(const struct xlv_disk *k, unsigned int domid,
			       char *buf, size_t len)
{
	char path[128], link[256], *mod, *p;
	ssize_t n;

	if (k->be_domid != 0) {
		snprintf(buf, len, "in driver domain %u (not visible from dom0)",
			 k->be_domid);
		return;
	}
	if (strcmp(k->be_type, "vbd")) {
		snprintf(buf, len, "not a kernel backend (type %s)", k->be_type);
		return;
	}
	snprintf(path, sizeof(path),
		 "/sys/bus/xen-backend/devices/vbd-%u-%u/driver/module",
		 domid, k->devid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(buf, len, "none bound (load vbmq-blkback)");
		return;
	}
	link[n] = '\0';
	mod = strrchr(link, '/');
	mod = mod ? mod + 1 : link;
	for (p = mod; *p; p++)
		if (*p == '_')
			*p = '-';
	snprintf(buf, len, "%s", mod);
}

static void xlv_show_disk(struct xs_handle *h, const struct xlv_dom *d,
			  const struct xlv_disk *k)
{
	static struct xlv_ring rings[XLV_MAX_RINGS];
	char *v, *st, *fst, *nq, *mq, allowed[64], def_note[48], cpu[16];
	char drv[256];
	const char *problem;
	struct vbmq_keys_limits lim;
	struct vbmq_keys def;
	struct vbmq_cpu_list online;
	int key, n, i;

	xlv_limits(&lim, &def, &online, true);
	printf("%s (%u) of domain %s (%u)\n", xlv_e(k->vdev), k->devid,
	       xlv_e(d->name), d->domid);
	st = xlv_xs_read(h, XBT_NULL, "%s/state", k->be);
	fst = xlv_xs_read(h, XBT_NULL, "%s/state", k->fe);
	printf("  backend:  %s (state %s %s)\n", xlv_e(k->be),
	       st ? xlv_e(st) : "-", xlv_state_name(st));
	xlv_backend_driver(k, d->domid, drv, sizeof(drv));
	printf("  driver:   %s\n", drv);
	printf("  frontend: %s (state %s %s)\n", xlv_e(k->fe),
	       fst ? xlv_e(fst) : "-", xlv_state_name(fst));
	free(st);
	free(fst);
	for (key = 0; key < VBMQ_KEY_COUNT; key++) {
		v = xlv_xs_read(h, XBT_NULL, "%s/%s/%s", k->be, VBMQ_KEYS_DIR,
				vbmq_key_name((enum vbmq_key)key));
		def_note[0] = '\0';
		if (!v)
			xlv_default_str((enum vbmq_key)key, &def, def_note,
					sizeof(def_note));
		printf("  %s/%-20s %s%s%s%s\n", VBMQ_KEYS_DIR,
		       vbmq_key_name((enum vbmq_key)key), v ? "\"" : "",
		       v ? xlv_e(v) : "(not set, default ", v ? "\"" : def_note,
		       v ? "" : ")");
		free(v);
	}
	mq = xlv_xs_read(h, XBT_NULL, "%s/multi-queue-max-queues", k->be);
	nq = xlv_xs_read(h, XBT_NULL, "%s/multi-queue-num-queues", k->fe);
	printf("  rings:    %s negotiated (backend offers %s)\n",
	       nq ? xlv_e(nq) : (fst ? "1" : "-"), mq ? xlv_e(mq) : "-");
	free(mq);
	free(nq);
	n = k->be_domid == 0 ? xlv_rings_read(k, d->domid, rings,
					      XLV_MAX_RINGS) : 0;
	for (i = 0; i < n; i++) {
		xlv_thread_allowed(rings[i].pid, allowed, sizeof(allowed));
		printf("  ring%d:    thread %s pid %d cpu %s allowed %s poll %s poll-max-us %llu window-ns %llu in-flight %llu\n",
		       i, xlv_e(rings[i].thread), rings[i].pid,
		       xlv_cpu_str(rings[i].cpu, cpu, sizeof(cpu)),
		       xlv_e(allowed), xlv_e(rings[i].poll), rings[i].poll_max_us,
		       rings[i].window_ns, rings[i].in_flight);
	}
	problem = !n && k->be_domid == 0 ? xlv_debugfs_problem() : NULL;
	if (problem)
		printf("  ring threads: unknown: %s\n", problem);
	else if (!n)
		printf("  ring threads: none (not connected, or the backend is not vbmq-blkback in dom0)\n");
	v = xlv_xs_read(h, XBT_NULL, "%s/%s/%s", k->be, VBMQ_KEYS_DIR,
			VBMQ_KEYS_ERROR_NODE);
	printf("  error:    %s\n", v ? xlv_e(v) : "none");
	free(v);
}

static int cmd_show(int argc, char **argv)
{
	static struct xlv_disk all[XLV_MAX_DISKS];
	struct xs_handle *h;
	struct xlv_dom d;
	struct xlv_disk k;
	int n, i;

	if (argc < 1 || argc > 2) {
		xlv_err("usage: show DOMAIN [VDEV] (see %s help show)",
			xlv_prog);
		return EXIT_FAILURE;
	}
	if (xlv_need_root("show"))
		return EXIT_FAILURE;
	h = xlv_xs_open();
	if (xlv_resolve_domain(h, argv[0], &d))
		goto fail;
	if (argc == 2) {
		if (xlv_resolve_disk(h, &d, argv[1], &k))
			goto fail;
		xlv_show_disk(h, &d, &k);
	} else {
		n = xlv_disks(h, &d, all, XLV_MAX_DISKS);
		if (!n)
			printf("domain %s (%u) has no disks\n", d.name, d.domid);
		for (i = 0; i < n; i++)
			xlv_show_disk(h, &d, &all[i]);
	}
	xs_close(h);
	return EXIT_SUCCESS;
fail:
	xs_close(h);
	return EXIT_FAILURE;
}

/* ---- stats ---- */

static volatile sig_atomic_t xlv_stop;

static void xlv_on_signal(int sig)
{
	(void)sig;
	xlv_stop = 1;
}

static unsigned long long xlv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull +
		(unsigned long long)ts.tv_nsec;
}

static void xlv_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (!xlv_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Every ring of every disk at one moment; stats keeps this and the last. */
struct xlv_sample {
	struct xlv_ring ring[XLV_MAX_DISKS][XLV_MAX_RINGS];
	int nr[XLV_MAX_DISKS];		/* rings read per disk */
};

static void xlv_sample_read(struct xlv_sample *s, const struct xlv_disk *disks,
			    int nd, unsigned int domid)
{
	int i;

	for (i = 0; i < nd; i++)
		s->nr[i] = xlv_rings_read(&disks[i], domid, s->ring[i],
					  XLV_MAX_RINGS);
}

/* Ring @j of disk @i in sample @s, or NULL if it had no such ring. */
static const struct xlv_ring *xlv_sample_ring(const struct xlv_sample *s,
					      int i, int j)
{
	return j < s->nr[i] ? &s->ring[i][j] : NULL;
}

/* Requests of ring @c (now) and @p (one interval ago, or NULL). */
static unsigned long long xlv_dreq(const struct xlv_ring *c,
				   const struct xlv_ring *p)
{
	return p && c->reqs >= p->reqs ? c->reqs - p->reqs : c->reqs;
}

/* Poll hit rate over the interval in percent, or -1 when no poll ended. */
static double xlv_hit_pct(const struct xlv_ring *c, const struct xlv_ring *p)
{
	unsigned long long dpoll;

	if (!p)
		return -1;
	dpoll = c->poll_hits + c->poll_misses - p->poll_hits - p->poll_misses;
	return dpoll ? 100.0 * (double)(c->poll_hits - p->poll_hits) /
		       (double)dpoll : -1;
}

/* One text table: a line per ring of every disk. */
static void xlv_stats_table(const struct xlv_disk *disks, int nd,
			    const struct xlv_sample *now,
			    const struct xlv_sample *last, double secs)
{
	const struct xlv_ring *c, *p;
	char cpu[16], hit[16];
	double pct;
	int i, j;

	printf("%-6s %-4s %-4s %-8s %12s %10s %10s %10s %10s %6s %8s\n",
	       "DISK", "RING", "CPU", "POLL", "REQS", "REQ/S", "KICKS",
	       "NOTIFY", "SUPPRESSED", "HIT%", "INFLIGHT");
	for (i = 0; i < nd; i++) {
		for (j = 0; j < now->nr[i]; j++) {
			c = &now->ring[i][j];
			p = xlv_sample_ring(last, i, j);
			pct = xlv_hit_pct(c, p);
			if (pct >= 0)
				snprintf(hit, sizeof(hit), "%.1f", pct);
			else
				snprintf(hit, sizeof(hit), "-");
			printf("%-6s %-4d %-4s %-8s %12llu %10.1f %10llu %10llu %10llu %6s %8llu\n",
			       disks[i].vdev, j,
			       xlv_cpu_str(c->cpu, cpu, sizeof(cpu)),
			       c->poll, c->reqs,
			       secs > 0 ? (double)xlv_dreq(c, p) / secs : 0.0,
			       c->kicks, c->notify_sent, c->notify_suppressed,
			       hit, c->in_flight);
		}
		if (!now->nr[i])
			printf("%-6s (no rings: not connected)\n", disks[i].vdev);
	}
}

/* @s as a JSON string: quoted, with quotes, backslashes, controls escaped. */
static void xlv_json_str(const char *s)
{
	const unsigned char *c;

	putchar('"');
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

/*
 * One sample as one line of JSON: the domain, then per disk its rings with
 * the settings, the counters (totals) and the interval's rates.
 */
static void xlv_stats_json(const struct xlv_dom *d,
			   const struct xlv_disk *disks, int nd,
			   const struct xlv_sample *now,
			   const struct xlv_sample *last, double secs)
{
	const struct xlv_ring *c, *p;
	struct timespec ts;
	double pct;
	int i, j;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("{\"time\":%lld.%03ld,\"interval_s\":%.3f,\"domain\":",
	       (long long)ts.tv_sec, ts.tv_nsec / 1000000, secs);
	xlv_json_str(d->name);
	printf(",\"domid\":%u,\"disks\":[", d->domid);
	for (i = 0; i < nd; i++) {
		printf("%s{\"vdev\":", i ? "," : "");
		xlv_json_str(disks[i].vdev);
		printf(",\"devid\":%u,\"rings\":[", disks[i].devid);
		for (j = 0; j < now->nr[i]; j++) {
			c = &now->ring[i][j];
			p = xlv_sample_ring(last, i, j);
			printf("%s{\"ring\":%d,\"thread\":", j ? "," : "", j);
			xlv_json_str(c->thread);
			printf(",\"pid\":%d,\"cpu\":%d,\"poll\":", c->pid,
			       c->cpu);
			xlv_json_str(c->poll);
			printf(",\"poll_max_us\":%llu,\"poll_window_ns\":%llu,\"in_flight\":%llu",
			       c->poll_max_us, c->window_ns, c->in_flight);
			printf(",\"requests\":%llu,\"rd_req\":%llu,\"wr_req\":%llu,\"f_req\":%llu,\"b_req\":%llu,\"ds_req\":%llu",
			       c->reqs, c->rd, c->wr, c->f, c->b, c->ds);
			printf(",\"kicks\":%llu,\"notify_sent\":%llu,\"notify_suppressed\":%llu",
			       c->kicks, c->notify_sent, c->notify_suppressed);
			printf(",\"poll_hits\":%llu,\"poll_misses\":%llu,\"poll_yields\":%llu",
			       c->poll_hits, c->poll_misses, c->poll_yields);
			printf(",\"requests_per_s\":%.1f",
			       secs > 0 ? (double)xlv_dreq(c, p) / secs : 0.0);
			pct = xlv_hit_pct(c, p);
			if (pct >= 0)
				printf(",\"poll_hit_pct\":%.1f}", pct);
			else
				printf(",\"poll_hit_pct\":null}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static int cmd_stats(int argc, char **argv)
{
	static struct xlv_disk disks[XLV_MAX_DISKS];
	static struct xlv_sample samples[2];
	struct xlv_sample *now = &samples[0], *last = &samples[1], *swap;
	const char *problem;
	struct xlv_stats_args a;
	char err[XLV_ERR_LEN];
	unsigned long long t0, t1;
	double secs;
	struct xs_handle *h;
	struct xlv_dom d;
	unsigned int printed = 0;
	int nd, i;

	if (xlv_parse_stats_args(argc, argv, &a, err, sizeof(err))) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	if (xlv_need_root("stats"))
		return EXIT_FAILURE;
	h = xlv_xs_open();
	if (xlv_resolve_domain(h, a.domain, &d))
		goto fail;
	if (a.vdev) {
		if (xlv_resolve_disk(h, &d, a.vdev, &disks[0]))
			goto fail;
		nd = 1;
	} else {
		nd = xlv_disks(h, &d, disks, XLV_MAX_DISKS);
		if (!nd) {
			xlv_err("domain %s (%u) has no disks (see xl block-list %u)",
				d.name, d.domid, d.domid);
			goto fail;
		}
	}
	xs_close(h);
	h = NULL;
	xlv_sample_read(last, disks, nd, d.domid);
	problem = xlv_debugfs_problem();
	for (i = 0; i < nd; i++) {
		if (!last->nr[i] && problem) {
			xlv_err("cannot read the rings' statistics: %s",
				problem);
			return EXIT_FAILURE;
		}
		if (!last->nr[i] && a.vdev) {
			xlv_err("disk %s of domain %s has no vbmq-blkback rings in %s/vbd-%u-%u (not connected yet, or served by another backend: load vbmq-blkback)",
				disks[i].vdev, d.name, XLV_DEBUGFS_BE, d.domid,
				disks[i].devid);
			return EXIT_FAILURE;
		}
	}
	signal(SIGINT, xlv_on_signal);
	signal(SIGTERM, xlv_on_signal);
	t0 = xlv_now_ns();
	while (!xlv_stop) {
		xlv_sleep_ms(a.interval_ms);
		if (xlv_stop)
			break;
		t1 = xlv_now_ns();
		secs = (double)(t1 - t0) / 1e9;
		t0 = t1;
		xlv_sample_read(now, disks, nd, d.domid);
		if (a.json)
			xlv_stats_json(&d, disks, nd, now, last, secs);
		else
			xlv_stats_table(disks, nd, now, last, secs);
		swap = last;
		last = now;
		now = swap;
		fflush(stdout);
		printed++;
		if (!a.watch || (a.count && printed >= a.count))
			break;
		if (!a.json)
			printf("\n");
	}
	return EXIT_SUCCESS;
fail:
	if (h)
		xs_close(h);
	return EXIT_FAILURE;
}

/* ---- create ---- */

static char *xlv_slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		snprintf(err, errlen, "cannot read config file %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20)) {
				snprintf(err, errlen, "%s is too large", path);
				goto out;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
out:
	free(buf);
	fclose(f);
	return NULL;
}

/* Run argv, wait; its exit status (or -1). */
static int xlv_run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s (is the Xen toolstack installed?)\n",
			xlv_prog, argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cmd_create(int argc, char **argv)
{
	static struct xlv_xl_config cfg;
	static struct xlv_settings s[XLV_CFG_MAX_DISKS];
	static struct xlv_disk k;
	char vdev[XLV_CFG_MAX_DISKS][XLV_VDEV_MAX];
	struct xlv_create_args a;
	struct vbmq_keys_limits lim;
	struct vbmq_keys def;
	struct vbmq_cpu_list online;
	char err[XLV_ERR_LEN], idbuf[16];
	char *xl[XLV_CREATE_MAX_ARGS * 2 + 8], *text;
	unsigned int i, j, devid[XLV_CFG_MAX_DISKS];
	struct xs_handle *h;
	struct xlv_dom d;
	int n = 0, rc;

	if (xlv_parse_create_args(argc, argv, &a, err, sizeof(err))) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	text = xlv_slurp(a.config, err, sizeof(err));
	if (!text) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	xlv_xl_config_init(&cfg);
	rc = xlv_parse_xl_config(text, a.config, &cfg, err, sizeof(err));
	free(text);
	for (i = 0; !rc && i < (unsigned int)a.nr_overrides; i++)
		rc = xlv_parse_xl_config(a.overrides[i], "command line", &cfg,
					 err, sizeof(err));
	if (rc) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	if (!cfg.name[0]) {
		xlv_err("%s sets no name = \"...\"; xl needs one", a.config);
		return EXIT_FAILURE;
	}
	/* Every vbmq entry checked before the domain exists. */
	xlv_limits(&lim, &def, &online, false);
	for (i = 0; i < cfg.nr_vbmq; i++) {
		if (xlv_parse_disk_line(cfg.vbmq[i], vdev[i], sizeof(vdev[i]),
					&s[i], err, sizeof(err)) ||
		    xlv_vdev_to_devid(vdev[i], &devid[i], err, sizeof(err)) ||
		    xlv_settings_validate(&s[i], &lim, &def, &online, err,
					  sizeof(err))) {
			xlv_err("%s: vbmq entry %u: %s; no domain created",
				a.config, i + 1, err);
			return EXIT_FAILURE;
		}
		for (j = 0; j < i; j++)
			if (devid[j] == devid[i]) {
				xlv_err("%s: vbmq names disk %s twice; merge the entries",
					a.config, vdev[i]);
				return EXIT_FAILURE;
			}
	}
	if (a.dry_run) {
		printf("%s: domain %s, %u vbmq entr%s valid (dry run: nothing created)\n",
		       a.config, cfg.name, cfg.nr_vbmq,
		       cfg.nr_vbmq == 1 ? "y" : "ies");
		return EXIT_SUCCESS;
	}
	if (xlv_need_root("create"))
		return EXIT_FAILURE;
	xl[n++] = "xl";
	xl[n++] = "create";
	xl[n++] = "-p";
	for (i = 0; i < (unsigned int)a.nr_xl_args; i++)
		xl[n++] = (char *)a.xl_args[i];
	xl[n++] = (char *)a.config;
	for (i = 0; i < (unsigned int)a.nr_overrides; i++)
		xl[n++] = (char *)a.overrides[i];
	xl[n] = NULL;
	rc = xlv_run(xl);
	if (rc != 0) {
		xlv_err("xl create failed (status %d); see its messages above",
			rc);
		return EXIT_FAILURE;
	}
	h = xlv_xs_open();
	if (xlv_resolve_domain(h, cfg.name, &d))
		goto destroy;
	for (i = 0; i < cfg.nr_vbmq; i++) {
		if (xlv_resolve_disk(h, &d, vdev[i], &k) ||
		    xlv_apply(h, &d, &k, &s[i], &lim, &def, &online, true))
			goto destroy;
	}
	if (xlv_pin_exclude_domain(h, d.domid))
		goto destroy;
	xs_close(h);
	if (a.keep_paused) {
		printf("domain %s (%u) left paused (-p); start it with xl unpause %u\n",
		       d.name, d.domid, d.domid);
		return EXIT_SUCCESS;
	}
	snprintf(idbuf, sizeof(idbuf), "%u", d.domid);
	{
		char *un[] = { "xl", "unpause", idbuf, NULL };

		if (xlv_run(un) != 0) {
			xlv_err("xl unpause %u failed; the domain stays paused (xl unpause %u, or xl destroy %u)",
				d.domid, d.domid, d.domid);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
destroy:
	xs_close(h);
	xlv_err("destroying domain %s: its vbmq settings could not be applied (fix the config and run create again)",
		cfg.name);
	{
		char *de[] = { "xl", "destroy", cfg.name, NULL };

		xlv_run(de);
	}
	return EXIT_FAILURE;
}

/* ---- apply (from /etc/xen/vbmq.conf; used by the hotplug script) ---- */

static int cmd_apply(int argc, char **argv)
{
	static struct xlv_settings merged, line_s;
	const char *conf = XLV_CONF;
	char *text, *line, *save, err[XLV_ERR_LEN];
	char dom[XLV_NAME_MAX], vdev[XLV_VDEV_MAX];
	struct vbmq_keys_limits lim;
	struct vbmq_keys def;
	struct vbmq_cpu_list online;
	struct xs_handle *h;
	struct xlv_dom d;
	struct xlv_disk k;
	unsigned int lineno = 0, devid, ldevid, matched = 0;
	int key, ret, i, npos = 0;
	const char *pos[2] = { NULL, NULL };

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--conf") && i + 1 < argc) {
			conf = argv[++i];
		} else if (!strncmp(argv[i], "--conf=", 7)) {
			conf = argv[i] + 7;
		} else if (argv[i][0] == '-' || npos == 2) {
			xlv_err("usage: apply DOMAIN VDEV [--conf FILE] (see %s help apply)",
				xlv_prog);
			return EXIT_FAILURE;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos != 2) {
		xlv_err("usage: apply DOMAIN VDEV [--conf FILE] (see %s help apply)",
			xlv_prog);
		return EXIT_FAILURE;
	}
	if (xlv_vdev_to_devid(pos[1], &devid, err, sizeof(err))) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	if (access(conf, F_OK) && errno == ENOENT && !strcmp(conf, XLV_CONF))
		return EXIT_SUCCESS;	/* no file: nothing to apply */
	text = xlv_slurp(conf, err, sizeof(err));
	if (!text) {
		xlv_err("%s", err);
		return EXIT_FAILURE;
	}
	if (xlv_need_root("apply")) {
		free(text);
		return EXIT_FAILURE;
	}
	h = xlv_xs_open();
	if (xlv_resolve_domain(h, pos[0], &d) ||
	    xlv_resolve_disk(h, &d, pos[1], &k))
		goto fail;
	/* Matching lines merge in file order: later lines win per key. */
	xlv_settings_init(&merged);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		ret = xlv_parse_conf_line(line, dom, sizeof(dom), vdev,
					  sizeof(vdev), &line_s, err,
					  sizeof(err));
		if (ret == -ENODATA)
			continue;
		if (ret) {
			xlv_err("%s:%u: %s; fix the line (format: DOMAIN VDEV: key=value, ...)",
				conf, lineno, err);
			goto fail;
		}
		if ((strcmp(dom, "*") && strcmp(dom, d.name)) ||
		    xlv_vdev_to_devid(vdev, &ldevid, err, sizeof(err)) ||
		    ldevid != k.devid)
			continue;
		matched++;
		for (key = 0; key < VBMQ_KEY_COUNT; key++) {
			if (!line_s.given[key])
				continue;
			strcpy(merged.value[key], line_s.value[key]);
			merged.given[key] = true;
		}
	}
	free(text);
	text = NULL;
	if (!matched) {
		xs_close(h);
		return EXIT_SUCCESS;
	}
	xlv_limits(&lim, &def, &online, true);
	if (xlv_apply(h, &d, &k, &merged, &lim, &def, &online, true)) {
		xlv_err("(settings from %s)", conf);
		goto fail;
	}
	xs_close(h);
	return EXIT_SUCCESS;
fail:
	free(text);
	xs_close(h);
	return EXIT_FAILURE;
}

/* ---- the command table ---- */

struct xlv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct xlv_cmd xlv_cmds[] = {
	{ "set", cmd_set, "set DOMAIN VDEV KEY=VALUE...",
	  "write vbmq/ settings of a disk",
	  "Checks every KEY=VALUE with the backend's own parser, then writes them\n"
	  "under the disk's backend directory vbmq/ in one xenstore transaction.\n"
	  "Nothing is written when any value is bad.  The backend applies cpus,\n"
	  "poll and poll-max-us at once; queues, guest-poll-queues and\n"
	  "guest-irq-affinity at the next connection.\n"
	  "  queues=1..max_queues       rings offered to the frontend\n"
	  "  cpus=LIST                  dom0 CPUs for ring threads (\"2-5,8\"; empty = unpinned)\n"
	  "  poll=off|adaptive|always   ring polling\n"
	  "  poll-max-us=0..10000       adaptive poll window cap\n"
	  "  guest-poll-queues=0..queues-1   rings the guest polls\n"
	  "  guest-irq-affinity=spread|none  ring interrupt placement in the guest\n"
	  "DOMAIN is a name or a domain id; VDEV is xvda, xvdb1, hda, sda, d0p1\n"
	  "or a device id like 51712." },
	{ "unset", cmd_unset, "unset DOMAIN VDEV KEY...",
	  "remove vbmq/ keys of a disk: back to the backend's defaults",
	  "Removes vbmq/KEY for each KEY in one xenstore transaction; an absent\n"
	  "key means the backend's default: queues = max_queues, cpus unpinned,\n"
	  "poll and poll-max-us = the module parameters poll and poll_max_us,\n"
	  "guest-poll-queues 0, guest-irq-affinity spread.  The backend applies\n"
	  "cpus, poll and poll-max-us at once, the other keys at the next\n"
	  "connection.  A key that is not set is fine; an unknown key name\n"
	  "removes nothing." },
	{ "show", cmd_show, "show DOMAIN [VDEV]",
	  "settings, negotiated rings, ring threads and errors",
	  "For each disk (or VDEV only): backend and frontend state, every vbmq/\n"
	  "key (or its default), the rings negotiated, each ring thread with its\n"
	  "bound CPU, allowed CPUs, poll mode and window, and the backend's\n"
	  "vbmq/error message." },
	{ "stats", cmd_stats, "stats DOMAIN [VDEV] [--watch SECONDS] [--count N] [--json]",
	  "per-ring statistics (requests/s, kicks, notifications, poll hits)",
	  "Reads the backend's per-ring counters in debugfs,\n"
	  "/sys/kernel/debug/vbmq-blkback/vbd-DOMID-DEVID/ringN/ (one value per\n"
	  "file; mount -t debugfs none /sys/kernel/debug if it is not mounted),\n"
	  "twice, one interval apart (1 s, or SECONDS), and prints per ring: bound\n"
	  "CPU, poll mode, requests (total and per second), kicks received,\n"
	  "notifications sent and suppressed (totals), poll hit rate over the\n"
	  "interval, and requests in flight.  --watch repeats until interrupted;\n"
	  "--count N stops after N samples.  --json prints each sample as one\n"
	  "line holding one JSON object (batch mode, like xentop -b), with every\n"
	  "counter of every ring." },
	{ "pin-dom0", xlv_cmd_pin_dom0, "pin-dom0 --io-cpus LIST [--dry-run]",
	  "dedicate physical CPUs to dom0's I/O vCPUs",
	  "Pins dom0 vCPU i (hard affinity) to the i-th physical CPU of LIST, dom0's\n"
	  "other vCPUs to the online CPUs not in LIST, and every vCPU of every\n"
	  "other domain to its hard affinity minus LIST (all CPUs not in LIST if\n"
	  "nothing is left).  Then use vbmq/cpus with dom0 vCPU numbers 0..n-1 to\n"
	  "put ring threads on the dedicated cores.  Before changing anything it\n"
	  "saves every vCPU's hard affinity and the list in xenstore (" XLV_XS_DIR ")\n"
	  "for unpin and create.  Run again (e.g. with another LIST, or after a plain\n"
	  "xl create) it re-plans from the saved affinities and saves only domains\n"
	  "it has not seen.  --dry-run prints the plan only." },
	{ "unpin", xlv_cmd_unpin, "unpin [--dry-run]",
	  "undo pin-dom0: restore the saved vCPU affinities",
	  "Gives every vCPU that pin-dom0 (or create while pinned) moved the hard\n"
	  "affinity it had before, and removes the record.  Domains that are gone\n"
	  "are skipped with a note; domains pin-dom0 never moved keep what they\n"
	  "have.  --dry-run prints the restore plan only." },
	{ "create", cmd_create, "create CONFIG [-q -d -e -n -p -f FILE] [KEY=VALUE...]",
	  "xl create -p, apply the config's vbmq = [...], xl unpause",
	  "Checks the config's vbmq = [ \"xvda: queues=4, cpus=2-5, poll=adaptive\" ]\n"
	  "entries, runs xl create -p with the given options and KEY=VALUE\n"
	  "overrides, writes each entry's keys as set does, keeps the domain off\n"
	  "the pin-dom0 I/O CPUs, and unpauses it (-p: leaves it paused; -n:\n"
	  "checks only).  When the settings cannot be applied the new domain is\n"
	  "destroyed.  xl itself ignores the vbmq setting." },
	{ "apply", cmd_apply, "apply DOMAIN VDEV [--conf FILE]",
	  "apply the settings of /etc/xen/vbmq.conf to a disk",
	  "Reads FILE (default " XLV_CONF "), lines \"DOMAIN VDEV: key=value, ...\"\n"
	  "(DOMAIN may be *; '#' starts a comment), merges the lines matching the\n"
	  "disk in file order (later ones win) and writes them as set does.  No\n"
	  "file or no matching line: nothing to do.  The vbmq hotplug script runs\n"
	  "this for every disk it attaches." },
	{ "help", cmd_help, "help [COMMAND]", "this help, or a command's", NULL },
};

#define XLV_NR_CMDS (sizeof(xlv_cmds) / sizeof(xlv_cmds[0]))

static const struct xlv_cmd *xlv_find(const char *name)
{
	size_t i;

	for (i = 0; i < XLV_NR_CMDS; i++)
		if (!strcmp(xlv_cmds[i].name, name))
			return &xlv_cmds[i];
	return NULL;
}

static void xlv_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [ARGS]\n\nvbmq disk settings, dedicated dom0 I/O cores and ring statistics.\n\nCommands:\n",
		xlv_prog);
	for (i = 0; i < XLV_NR_CMDS; i++)
		fprintf(f, "  %-52s %s\n", xlv_cmds[i].usage,
			xlv_cmds[i].summary);
	fprintf(f, "\n%s help COMMAND shows a command's details; man xl-vbmq for more.\n",
		xlv_prog);
}

static int cmd_help(int argc, char **argv)
{
	const struct xlv_cmd *c;

	if (argc == 0) {
		xlv_usage(stdout);
		return EXIT_SUCCESS;
	}
	c = xlv_find(argv[0]);
	if (!c) {
		xlv_err("unknown command \"%s\"; %s help lists them", argv[0],
			xlv_prog);
		return EXIT_FAILURE;
	}
	printf("Usage: %s %s\n\n%s.\n", xlv_prog, c->usage, c->summary);
	if (c->help)
		printf("\n%s\n", c->help);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const struct xlv_cmd *c;
	int i;

	if (argc < 2) {
		xlv_usage(stderr);
		return EXIT_FAILURE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(0, NULL);
	c = xlv_find(argv[1]);
	if (!c) {
		xlv_err("unknown command \"%s\"; %s --help lists the commands",
			argv[1], xlv_prog);
		return EXIT_FAILURE;
	}
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			char *name[] = { argv[1] };

			return cmd_help(1, name);
		}
	return c->fn(argc - 2, argv + 2);
}
