// SPDX-License-Identifier: GPL-2.0
/*
 * xl-vbmq pin-dom0 / unpin: dedicated I/O domain cores through libxenctrl.
 *
 * pin-dom0 --io-cpus LIST: dom0 vCPU i gets hard affinity to LIST[i] alone;
 * dom0's remaining vCPUs get the online CPUs not in LIST; every vCPU of
 * every other domain keeps its hard affinity from before pin-dom0 minus
 * LIST, or the CPUs not in LIST if nothing is left.
 *
 * The record lives in xenstore under XLV_XS_DIR (dom0's tool area, never
 * visible to guests): io-cpus, and saved/DOMID = "UUID MAP;MAP;..." with
 * the hard affinity every vCPU had before xl-vbmq first changed it.  It is
 * written in one transaction before any affinity changes, so an interrupted
 * pin-dom0 can still be undone, and it lives exactly as long as the
 * hypervisor's own state (xenstored's tree goes with the host).  A second
 * pin-dom0 re-plans from the saved affinities and saves only domains that
 * have no record yet; the UUID tells a domain from a later one that reuses
 * its id.  unpin restores the saved affinities and drops the record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

#include "xl-vbmq.h"

#define XLV_MAX_DOMS	1024
#define XLV_XS_VALUE_MAX 4096	/* xenstore's payload limit: longest record */

/* What pin-dom0 and unpin need to know of a domain. */
struct xlv_dom_info {
	unsigned int domid;
	unsigned int max_vcpu_id;
	bool dying;
	unsigned char handle[16];	/* the domain's UUID */
};

struct xlv_xc {
	xc_interface *xch;
	unsigned int nr_pcpus;		/* max_cpu_id + 1 */
	struct vbmq_cpu_list online;	/* online physical CPUs */
	int mapsize;			/* bytes of an xc_cpumap_t */
};

static int xlv_xc_open(struct xlv_xc *x)
{
	xc_physinfo_t info = { 0 };
	xc_cputopo_t *topo;
	unsigned int n, i;

	memset(x, 0, sizeof(*x));
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch) {
		xlv_err("cannot open the hypervisor interface: %s; run xl-vbmq as root in dom0 with xen-privcmd loaded",
			strerror(errno));
		return -EIO;
	}
	if (xc_physinfo(x->xch, &info)) {
		xlv_err("cannot read the host's CPUs (xc_physinfo): %s",
			strerror(errno));
		goto fail;
	}
	x->nr_pcpus = info.max_cpu_id + 1;
	if (x->nr_pcpus > VBMQ_KEYS_CPU_LIMIT)
		x->nr_pcpus = VBMQ_KEYS_CPU_LIMIT;
	x->mapsize = xc_get_cpumap_size(x->xch);
	n = x->nr_pcpus;
	topo = calloc(n, sizeof(*topo));
	if (!topo)
		goto fail;
	if (xc_cputopoinfo(x->xch, &n, topo)) {
		/* Fall back: the first nr_cpus CPUs. */
		for (i = 0; i < info.nr_cpus && i < x->nr_pcpus; i++)
			x->online.cpu[x->online.nr++] = (u16)i;
	} else {
		for (i = 0; i < n && i < x->nr_pcpus &&
		     x->online.nr < VBMQ_KEYS_CPU_LIST_MAX; i++)
			if (topo[i].core != XEN_INVALID_CORE_ID)
				x->online.cpu[x->online.nr++] = (u16)i;
	}
	free(topo);
	return 0;
fail:
	xc_interface_close(x->xch);
	x->xch = NULL;
	return -EIO;
}

static void xlv_xc_close(struct xlv_xc *x)
{
	if (x->xch)
		xc_interface_close(x->xch);
}

static xc_cpumap_t xlv_map_from(struct xlv_xc *x,
				const struct vbmq_cpu_list *l)
{
	xc_cpumap_t m = xc_cpumap_alloc(x->xch);
	unsigned int i;

	if (!m)
		return NULL;
	for (i = 0; i < l->nr; i++)
		if (l->cpu[i] / 8 < x->mapsize)
			m[l->cpu[i] / 8] |= (uint8_t)(1u << (l->cpu[i] % 8));
	return m;
}

static const char *xlv_fmt(const struct vbmq_cpu_list *l, char *buf,
			   size_t len)
{
	vbmq_cpu_list_format(l, buf, len);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

/* Domain name from xenstore, or "" */
static void xlv_dom_name(struct xs_handle *h, unsigned int domid, char *buf,
			 size_t len)
{
	char *n = xlv_xs_read(h, XBT_NULL, "/local/domain/%u/name", domid);

	snprintf(buf, len, "%s", n ? n : "");
	free(n);
}

/* The recorded I/O CPUs (nr = 0 when none). */
static void xlv_recorded(struct xs_handle *h, struct vbmq_cpu_list *l)
{
	struct vbmq_keys_limits lim = { .max_queues = 1 };
	char err[VBMQ_KEYS_ERR_LEN], *v;

	l->nr = 0;
	v = xlv_xs_read(h, XBT_NULL, XLV_XS_IO_CPUS);
	if (v && vbmq_keys_parse_cpus(v, &lim, l, err, sizeof(err)))
		l->nr = 0;
	free(v);
}

/* ---- the saved affinities ---- */

/* A domain's vCPU bitmaps: nv of x->mapsize bytes each. */
static unsigned char *xlv_maps_alloc(struct xlv_xc *x, unsigned int nv)
{
	return calloc(nv, (size_t)x->mapsize);
}

/* The current hard affinity of every vCPU of a domain into maps. */
static int xlv_maps_current(struct xlv_xc *x, const struct xlv_dom_info *info,
			    unsigned char *maps)
{
	unsigned int v;

	for (v = 0; v <= info->max_vcpu_id; v++) {
		if (xc_vcpu_getaffinity(x->xch, info->domid, (int)v,
					maps + (size_t)v * x->mapsize, NULL,
					XEN_VCPUAFFINITY_HARD)) {
			xlv_err("cannot read the affinity of vCPU %u of domain %u: %s",
				v, info->domid, strerror(errno));
			return -EIO;
		}
	}
	return 0;
}

/*
 * The saved affinities of a live domain into maps: 0; -ENOENT when there
 * is no record for it (none, or one of an earlier domain with this id);
 * -EINVAL when the record is unreadable (said on stderr).
 */
static int xlv_saved_get(struct xs_handle *h, xs_transaction_t t,
			 struct xlv_xc *x, const struct xlv_dom_info *info,
			 unsigned char *maps)
{
	char uuid[XLV_UUID_LEN], live[XLV_UUID_LEN], err[XLV_ERR_LEN], *v;
	unsigned int nr, nv = info->max_vcpu_id + 1;
	int ret;

	v = xlv_xs_read(h, t, XLV_XS_SAVED "/%u", info->domid);
	if (!v)
		return -ENOENT;
	xlv_uuid_format(info->handle, live);
	if (strncmp(v, live, XLV_UUID_LEN - 1)) {
		free(v);
		return -ENOENT;
	}
	ret = xlv_saved_parse(v, uuid, maps, (size_t)x->mapsize, nv, &nr, err,
			      sizeof(err));
	free(v);
	if (!ret && nr != nv) {
		snprintf(err, sizeof(err), "%u vCPUs saved, %u now", nr, nv);
		ret = -EINVAL;
	}
	if (ret)
		xlv_err("the saved affinities of domain %u (%s) are unreadable: %s",
			info->domid, XLV_XS_SAVED, err);
	return ret;
}

/* Record a domain's current affinities unless it has a record. */
static int xlv_save_domain(struct xs_handle *h, xs_transaction_t t,
			   struct xlv_xc *x, const struct xlv_dom_info *info)
{
	unsigned int nv = info->max_vcpu_id + 1;
	unsigned char *maps = xlv_maps_alloc(x, nv);
	char uuid[XLV_UUID_LEN], path[64], *buf = NULL;
	size_t len = XLV_XS_VALUE_MAX;
	int ret = -ENOMEM;

	if (!maps)
		goto out;
	ret = xlv_saved_get(h, t, x, info, maps);
	if (!ret)
		goto out;		/* saved already; unreadable: replace */
	buf = malloc(len);
	ret = -ENOMEM;
	if (!buf)
		goto out;
	ret = xlv_maps_current(x, info, maps);
	if (ret)
		goto out;
	xlv_uuid_format(info->handle, uuid);
	snprintf(path, sizeof(path), XLV_XS_SAVED "/%u", info->domid);
	ret = xlv_saved_format(uuid, maps, (size_t)x->mapsize, nv, buf, len);
	if (ret || !xs_write(h, t, path, buf, (unsigned int)strlen(buf))) {
		xlv_err("cannot save the affinities of domain %u in %s: %s",
			info->domid, path,
			ret ? "too many CPU ranges" : strerror(errno));
		ret = -EIO;
	}
out:
	free(buf);
	free(maps);
	return ret;
}

/* The index of the live (not dying) domain with this id, or -1. */
static int xlv_live(const struct xlv_dom_info *info, int nd, unsigned int domid)
{
	int i;

	for (i = 0; i < nd; i++)
		if (info[i].domid == domid && !info[i].dying)
			return i;
	return -1;
}

/*
 * One transaction: save every live domain that has no record yet, drop
 * the records of domains that are gone, record the I/O CPUs.
 */
static int xlv_pin_save(struct xs_handle *h, struct xlv_xc *x,
			const struct xlv_dom_info *info, int nd,
			const struct vbmq_cpu_list *io)
{
	char buf[256], path[64], live[XLV_UUID_LEN], **ents, *v;
	unsigned int tries, n, j, domid;
	xs_transaction_t t;
	int i, err = 0;

	vbmq_cpu_list_format(io, buf, sizeof(buf));
	for (tries = 0; tries < 100; tries++) {
		t = xs_transaction_start(h);
		if (t == XBT_NULL) {
			err = errno;
			break;
		}
		ents = xs_directory(h, t, XLV_XS_SAVED, &n);
		for (j = 0; ents && j < n; j++) {
			snprintf(path, sizeof(path), XLV_XS_SAVED "/%s",
				 ents[j]);
			i = xlv_parse_domid(ents[j], &domid) ? -1 :
			    xlv_live(info, nd, domid);
			v = xlv_xs_read(h, t, "%s", path);
			if (i >= 0)
				xlv_uuid_format(info[i].handle, live);
			if (i < 0 || !v || strncmp(v, live, XLV_UUID_LEN - 1))
				xs_rm(h, t, path);	/* gone */
			free(v);
		}
		free(ents);
		for (i = 0; i < nd; i++) {
			if (info[i].dying)
				continue;
			if (xlv_save_domain(h, t, x, &info[i])) {
				xs_transaction_end(h, t, true);
				xlv_err("pin-dom0 saves every affinity before it changes one: nothing was changed");
				return -EIO;
			}
		}
		if (!xs_write(h, t, XLV_XS_IO_CPUS, buf,
			      (unsigned int)strlen(buf))) {
			err = errno;
			xs_transaction_end(h, t, true);
			break;
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		err = errno;
		if (err != EAGAIN)
			break;
	}
	xlv_err("cannot record the affinities in %s: %s; nothing was changed",
		XLV_XS_DIR, tries == 100 ? "xenstore stayed busy" :
		strerror(err));
	return -EIO;
}

/* Set a vCPU's hard affinity to map (x->mapsize bytes). */
static int xlv_set_hard_map(struct xlv_xc *x, unsigned int domid,
			    unsigned int vcpu, const unsigned char *map)
{
	xc_cpumap_t m = xc_cpumap_alloc(x->xch);
	char buf[128];
	int ret;

	if (!m)
		return -ENOMEM;
	memcpy(m, map, (size_t)x->mapsize);
	ret = xc_vcpu_setaffinity(x->xch, domid, (int)vcpu, m, NULL,
				  XEN_VCPUAFFINITY_HARD);
	free(m);
	if (ret) {
		if (xlv_cpumap_format(map, (size_t)x->mapsize, buf,
				      sizeof(buf)))
			snprintf(buf, sizeof(buf), "(long list)");
		xlv_err("cannot pin vCPU %u of domain %u to CPUs %s: %s",
			vcpu, domid, buf, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int xlv_set_hard(struct xlv_xc *x, unsigned int domid,
			unsigned int vcpu, const struct vbmq_cpu_list *l)
{
	xc_cpumap_t m = xlv_map_from(x, l);
	int ret;

	if (!m)
		return -ENOMEM;
	ret = xlv_set_hard_map(x, domid, vcpu, m);
	free(m);
	return ret;
}

/*
 * The domains from id @first on: info[] filled, count returned (or -1).
 * From xc_domain_getinfolist(), which every Xen release has
 * (xc_domain_getinfo() went away in Xen 4.18).
 */
static int xlv_domains(struct xlv_xc *x, unsigned int first,
		       struct xlv_dom_info *info, int max)
{
	static xc_domaininfo_t raw[XLV_MAX_DOMS];
	int n, i;

	if (max > XLV_MAX_DOMS)
		max = XLV_MAX_DOMS;
	n = xc_domain_getinfolist(x->xch, first, (unsigned int)max, raw);
	if (n < 0) {
		xlv_err("cannot list domains: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		info[i].domid = raw[i].domain;
		info[i].max_vcpu_id = raw[i].max_vcpu_id;
		info[i].dying = raw[i].flags & XEN_DOMINF_dying;
		memcpy(info[i].handle, raw[i].handle, sizeof(info[i].handle));
	}
	return n;
}

static int xlv_pin_usage(const char *cmd)
{
	xlv_err("usage: %s (see %s help %s)",
		!strcmp(cmd, "unpin") ? "unpin [--dry-run]" :
		"pin-dom0 --io-cpus LIST [--dry-run]", xlv_prog, cmd);
	return EXIT_FAILURE;
}

/* What pin-dom0 and unpin both need: root, xenstore and libxenctrl. */
static int xlv_pin_open(const char *cmd, struct xs_handle **h,
			struct xlv_xc *x)
{
	if (geteuid() != 0) {
		xlv_err("%s needs root (the hypervisor interface is root-only); run it as root, e.g. sudo %s %s ...",
			cmd, xlv_prog, cmd);
		return -EPERM;
	}
	*h = xlv_xs_open();
	if (xlv_xc_open(x)) {
		xs_close(*h);
		return -EIO;
	}
	return 0;
}

int xlv_cmd_pin_dom0(int argc, char **argv)
{
	static struct xlv_dom_info info[XLV_MAX_DOMS];
	const char *list = NULL;
	bool dry = false;
	struct xlv_xc x;
	struct xlv_pin_plan plan;
	struct vbmq_cpu_list tgt;
	char err[XLV_ERR_LEN], buf[256], name[XLV_NAME_MAX];
	unsigned char *maps = NULL;
	struct xs_handle *h;
	unsigned int v, nv;
	int i, nd, saved, rc = EXIT_FAILURE;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--io-cpus") && i + 1 < argc)
			list = argv[++i];
		else if (!strncmp(argv[i], "--io-cpus=", 10))
			list = argv[i] + 10;
		else if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry = true;
		else
			return xlv_pin_usage("pin-dom0");
	}
	if (!list)
		return xlv_pin_usage("pin-dom0");
	if (xlv_pin_open("pin-dom0", &h, &x))
		return EXIT_FAILURE;
	nd = xlv_domains(&x, 0, info, XLV_MAX_DOMS);
	if (nd <= 0 || info[0].domid != 0) {
		xlv_err("cannot find dom0 in the domain list");
		goto out;
	}
	if (xlv_pin_plan(list, x.nr_pcpus, &x.online, info[0].max_vcpu_id + 1,
			 &plan, err, sizeof(err))) {
		xlv_err("%s; nothing was changed", err);
		goto out;
	}
	/* The record first: whatever happens next, unpin can undo it. */
	if (!dry && xlv_pin_save(h, &x, info, nd, &plan.io))
		goto out;
	printf("%s: I/O CPUs %s, other CPUs %s\n", dry ? "plan" : "pinning",
	       xlv_fmt(&plan.io, buf, sizeof(buf)),
	       xlv_fmt(&plan.rest, buf + 128, 128));
	for (i = 0; i < nd; i++) {
		if (info[i].dying)
			continue;
		xlv_dom_name(h, info[i].domid, name, sizeof(name));
		nv = info[i].max_vcpu_id + 1;
		maps = xlv_maps_alloc(&x, nv);
		if (!maps)
			goto out;
		/* Before pin-dom0: saved, else (dry run, new) current. */
		saved = xlv_saved_get(h, XBT_NULL, &x, &info[i], maps);
		if (saved && xlv_maps_current(&x, &info[i], maps))
			goto out;
		for (v = 0; v < nv; v++) {
			if (info[i].domid == 0 && v < plan.io.nr) {
				tgt.nr = 1;
				tgt.cpu[0] = plan.io.cpu[v];
			} else if (info[i].domid == 0) {
				tgt = plan.rest;
			} else {
				xlv_pin_other(&plan, maps +
					      (size_t)v * x.mapsize,
					      (size_t)x.mapsize, &tgt);
			}
			printf("  domain %u (%s) vCPU %u -> CPU%s %s%s\n",
			       info[i].domid, name, v, tgt.nr > 1 ? "s" : "",
			       xlv_fmt(&tgt, buf, sizeof(buf)),
			       info[i].domid == 0 && v < plan.io.nr ?
			       " (dedicated I/O)" : "");
			if (!dry && xlv_set_hard(&x, info[i].domid, v, &tgt)) {
				xlv_err("some vCPUs are pinned: xl-vbmq unpin restores what %s saved",
					XLV_XS_SAVED);
				goto out;
			}
		}
		free(maps);
		maps = NULL;
	}
	if (!dry)
		printf("affinities before pinning saved in %s (xl-vbmq unpin restores them)\nuse vbmq/cpus=0-%u (dom0 vCPUs) to run ring threads on the I/O CPUs\n",
		       XLV_XS_SAVED, plan.io.nr - 1);
	rc = EXIT_SUCCESS;
out:
	free(maps);
	xlv_xc_close(&x);
	xs_close(h);
	return rc;
}

static int xlv_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Restore one saved domain (print the plan only when dry).  Returns the
 * number of vCPUs that could not be restored.
 */
static unsigned int xlv_restore_domain(struct xs_handle *h, struct xlv_xc *x,
				       const struct xlv_dom_info *info, int nd,
				       unsigned int domid, bool dry)
{
	char name[XLV_NAME_MAX], buf[256], *v;
	unsigned char *maps;
	unsigned int c, failed = 0;
	int i = xlv_live(info, nd, domid), ret;

	if (i < 0) {
		v = xlv_xs_read(h, XBT_NULL, XLV_XS_SAVED "/%u", domid);
		printf("  domain %u (UUID %.36s) is gone: skipped\n", domid,
		       v ? v : "?");
		free(v);
		return 0;
	}
	xlv_dom_name(h, domid, name, sizeof(name));
	maps = xlv_maps_alloc(x, info[i].max_vcpu_id + 1);
	if (!maps)
		return info[i].max_vcpu_id + 1;
	ret = xlv_saved_get(h, XBT_NULL, x, &info[i], maps);
	if (ret == -ENOENT)
		printf("  domain %u (%s) is another domain than the one saved with this id: skipped\n",
		       domid, name);
	if (ret) {
		free(maps);
		return ret == -ENOENT ? 0 : 1;
	}
	for (c = 0; c <= info[i].max_vcpu_id; c++) {
		const unsigned char *m = maps + (size_t)c * x->mapsize;

		if (xlv_cpumap_format(m, (size_t)x->mapsize, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "(long list)");
		printf("  domain %u (%s) vCPU %u -> CPUs %s (saved)\n", domid,
		       name, c, buf);
		if (!dry && xlv_set_hard_map(x, domid, c, m))
			failed++;
	}
	free(maps);
	return failed;
}

int xlv_cmd_unpin(int argc, char **argv)
{
	static struct xlv_dom_info info[XLV_MAX_DOMS];
	bool dry = false;
	struct xlv_xc x;
	struct xs_handle *h;
	char **ents, *io, name[XLV_NAME_MAX];
	unsigned int n = 0, nids = 0, j, failed = 0, *ids = NULL;
	int i, nd, rc = EXIT_FAILURE;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry = true;
		else
			return xlv_pin_usage("unpin");
	}
	if (xlv_pin_open("unpin", &h, &x))
		return EXIT_FAILURE;
	nd = xlv_domains(&x, 0, info, XLV_MAX_DOMS);
	if (nd < 0)
		goto out;
	io = xlv_xs_read(h, XBT_NULL, XLV_XS_IO_CPUS);
	ents = xs_directory(h, XBT_NULL, XLV_XS_SAVED, &n);
	ids = calloc(n + 1, sizeof(*ids));
	for (j = 0; ents && ids && j < n; j++)
		if (!xlv_parse_domid(ents[j], &ids[nids]))
			nids++;
	free(ents);
	if (!ids) {
		free(io);
		goto out;
	}
	qsort(ids, nids, sizeof(*ids), xlv_cmp_uint);
	if (!nids) {
		printf("nothing to restore: no affinities saved in %s%s\n",
		       XLV_XS_SAVED, io ? " (I/O CPUs recorded by an older xl-vbmq: forgotten; set affinities with xl vcpu-pin)" : "");
	} else {
		printf("%s: the hard affinities saved by pin-dom0 (I/O CPUs %s)\n",
		       dry ? "plan" : "restoring", io ? io : "?");
	}
	free(io);
	for (j = 0; j < nids; j++)
		failed += xlv_restore_domain(h, &x, info, nd, ids[j], dry);
	/* Domains pin-dom0 never moved keep what they have. */
	for (i = 0; i < nd; i++) {
		if (info[i].dying ||
		    bsearch(&info[i].domid, ids, nids, sizeof(*ids),
			    xlv_cmp_uint))
			continue;
		xlv_dom_name(h, info[i].domid, name, sizeof(name));
		printf("  domain %u (%s): not moved by pin-dom0, affinities kept\n",
		       info[i].domid, name);
	}
	if (failed) {
		xlv_err("%u vCPU%s could not be restored; the record stays in %s: fix the cause and run unpin again (or xenstore-rm %s to forget it)",
			failed, failed == 1 ? "" : "s", XLV_XS_DIR, XLV_XS_DIR);
		goto out;
	}
	if (!dry && !xs_rm(h, XBT_NULL, XLV_XS_DIR) && errno != ENOENT) {
		xlv_err("cannot remove %s: %s", XLV_XS_DIR, strerror(errno));
		goto out;
	}
	rc = EXIT_SUCCESS;
out:
	free(ids);
	xlv_xc_close(&x);
	xs_close(h);
	return rc;
}

int xlv_pin_exclude_domain(struct xs_handle *h, unsigned int domid)
{
	struct xlv_pin_plan plan = { 0 };
	struct vbmq_cpu_list tgt;
	unsigned char *maps = NULL;
	struct xlv_dom_info info;
	struct xlv_xc x;
	unsigned int v, i;
	char buf[128];
	int ret = 0;

	xlv_recorded(h, &plan.io);
	if (!plan.io.nr)
		return 0;
	if (xlv_xc_open(&x))
		return -EIO;
	for (i = 0; i < x.online.nr; i++)
		if (!xlv_cpu_list_has(&plan.io, x.online.cpu[i]))
			plan.rest.cpu[plan.rest.nr++] = x.online.cpu[i];
	if (xlv_domains(&x, domid, &info, 1) != 1 || info.domid != domid) {
		xlv_err("cannot read domain %u's vCPUs: %s", domid,
			strerror(errno));
		ret = -EIO;
		goto out;
	}
	/* unpin gives the domain back what it has now. */
	maps = xlv_maps_alloc(&x, info.max_vcpu_id + 1);
	ret = -ENOMEM;
	if (!maps)
		goto out;
	ret = xlv_save_domain(h, XBT_NULL, &x, &info);
	if (ret)
		goto out;
	ret = xlv_maps_current(&x, &info, maps);
	for (v = 0; !ret && v <= info.max_vcpu_id; v++) {
		xlv_pin_other(&plan, maps + (size_t)v * x.mapsize,
			      (size_t)x.mapsize, &tgt);
		ret = xlv_set_hard(&x, domid, v, &tgt);
	}
	if (!ret)
		printf("domain %u kept off the dedicated I/O CPUs %s (pin-dom0)\n",
		       domid, xlv_fmt(&plan.io, buf, sizeof(buf)));
out:
	free(maps);
	xlv_xc_close(&x);
	return ret;
}
