// SPDX-License-Identifier: GPL-2.0
/*
 * xl-vbmq pin-dom0 / unpin: dedicated I/O domain cores through libxenctrl.
 *
 * pin-dom0 --io-cpus LIST: dom0 vCPU i gets hard affinity to LIST[i] alone;
 * dom0's remaining vCPUs get the online CPUs not in LIST; every vCPU of
 * every other domain keeps its hard affinity minus LIST (plus the CPUs a
 * previous pin-dom0 took away), or the CPUs not in LIST if nothing is left.
 * The list is recorded in xenstore so that `create` and a later pin-dom0 or
 * unpin know it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

#include "xl-vbmq.h"

#define XLV_MAX_DOMS	1024

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

static void xlv_list_from(struct xlv_xc *x, const xc_cpumap_t m,
			  struct vbmq_cpu_list *l)
{
	unsigned int c;

	l->nr = 0;
	for (c = 0; c < x->nr_pcpus && (int)(c / 8) < x->mapsize &&
	     l->nr < VBMQ_KEYS_CPU_LIST_MAX; c++)
		if (m[c / 8] & (1u << (c % 8)))
			l->cpu[l->nr++] = (u16)c;
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

/*
 * Hard affinity of a non-I/O vCPU: (current + old I/O CPUs) - new I/O CPUs,
 * or rest when that leaves nothing online.
 */
static void xlv_other_target(struct xlv_xc *x, unsigned int domid,
			     unsigned int vcpu, const struct vbmq_cpu_list *old,
			     const struct xlv_pin_plan *plan,
			     struct vbmq_cpu_list *out)
{
	xc_cpumap_t m = xc_cpumap_alloc(x->xch);
	struct vbmq_cpu_list cur = { 0 };
	unsigned int i;

	out->nr = 0;
	if (m && !xc_vcpu_getaffinity(x->xch, domid, (int)vcpu, m, NULL,
				      XEN_VCPUAFFINITY_HARD))
		xlv_list_from(x, m, &cur);
	free(m);
	for (i = 0; i < x->online.nr; i++) {
		unsigned int c = x->online.cpu[i];

		if (xlv_cpu_list_has(&plan->io, c))
			continue;
		if (xlv_cpu_list_has(&cur, c) || xlv_cpu_list_has(old, c))
			out->cpu[out->nr++] = (u16)c;
	}
	if (!out->nr)
		*out = plan->rest;
}

static int xlv_set_hard(struct xlv_xc *x, unsigned int domid,
			unsigned int vcpu, const struct vbmq_cpu_list *l)
{
	xc_cpumap_t m = xlv_map_from(x, l);
	char buf[128];
	int ret;

	if (!m)
		return -ENOMEM;
	ret = xc_vcpu_setaffinity(x->xch, domid, (int)vcpu, m, NULL,
				  XEN_VCPUAFFINITY_HARD);
	free(m);
	if (ret) {
		xlv_err("cannot pin vCPU %u of domain %u to CPUs %s: %s",
			vcpu, domid, xlv_fmt(l, buf, sizeof(buf)),
			strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Every domain: info[] filled, count returned (or -1). */
static int xlv_domains(struct xlv_xc *x, xc_dominfo_t *info, int max)
{
	int n = 0, got, req;
	uint32_t next = 0;

	while (n < max) {
		req = max - n;
		got = xc_domain_getinfo(x->xch, next, (unsigned int)req,
					info + n);
		/* No domain at or after next: ESRCH ends the list. */
		if (got < 0 && n > 0 && errno == ESRCH)
			break;
		if (got < 0) {
			xlv_err("cannot list domains: %s", strerror(errno));
			return -1;
		}
		if (got == 0)
			break;
		next = info[n + got - 1].domid + 1;
		n += got;
		if (got < req)		/* that was all of them */
			break;
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
	static xc_dominfo_t info[XLV_MAX_DOMS];
	const char *list = NULL;
	bool dry = false;
	struct xlv_xc x;
	struct xlv_pin_plan plan;
	struct vbmq_cpu_list old, tgt;
	char err[XLV_ERR_LEN], buf[256], name[XLV_NAME_MAX];
	struct xs_handle *h;
	unsigned int v, nv;
	int i, nd, rc = EXIT_FAILURE;

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
	nd = xlv_domains(&x, info, XLV_MAX_DOMS);
	if (nd <= 0 || info[0].domid != 0) {
		xlv_err("cannot find dom0 in the domain list");
		goto out;
	}
	if (xlv_pin_plan(list, x.nr_pcpus, &x.online, info[0].max_vcpu_id + 1,
			 &plan, err, sizeof(err))) {
		xlv_err("%s; nothing was changed", err);
		goto out;
	}
	xlv_recorded(h, &old);
	printf("%s: I/O CPUs %s, other CPUs %s\n", dry ? "plan" : "pinning",
	       xlv_fmt(&plan.io, buf, sizeof(buf)),
	       xlv_fmt(&plan.rest, buf + 128, 128));
	for (i = 0; i < nd; i++) {
		if (info[i].dying)
			continue;
		xlv_dom_name(h, info[i].domid, name, sizeof(name));
		nv = info[i].max_vcpu_id + 1;
		for (v = 0; v < nv; v++) {
			if (info[i].domid == 0 && v < plan.io.nr) {
				tgt.nr = 1;
				tgt.cpu[0] = plan.io.cpu[v];
			} else if (info[i].domid == 0) {
				tgt = plan.rest;
			} else {
				xlv_other_target(&x, info[i].domid, v, &old,
						 &plan, &tgt);
			}
			printf("  domain %u (%s) vCPU %u -> CPU%s %s%s\n",
			       info[i].domid, name, v, tgt.nr > 1 ? "s" : "",
			       xlv_fmt(&tgt, buf, sizeof(buf)),
			       info[i].domid == 0 && v < plan.io.nr ?
			       " (dedicated I/O)" : "");
			if (!dry && xlv_set_hard(&x, info[i].domid, v, &tgt))
				goto out;
		}
	}
	if (!dry) {
		vbmq_cpu_list_format(&plan.io, buf, sizeof(buf));
		if (!xs_write(h, XBT_NULL, XLV_XS_IO_CPUS, buf,
			      (unsigned int)strlen(buf)))
			xlv_err("warning: cannot record the I/O CPUs in %s: %s",
				XLV_XS_IO_CPUS, strerror(errno));
		printf("use vbmq/cpus=0-%u (dom0 vCPUs) to run ring threads on the I/O CPUs\n",
		       plan.io.nr - 1);
	}
	rc = EXIT_SUCCESS;
out:
	xlv_xc_close(&x);
	xs_close(h);
	return rc;
}

int xlv_cmd_unpin(int argc, char **argv)
{
	static xc_dominfo_t info[XLV_MAX_DOMS];
	struct vbmq_cpu_list all = { 0 };
	bool dry = false;
	struct xlv_xc x;
	struct xs_handle *h;
	char buf[256];
	unsigned int v, c;
	int i, nd, rc = EXIT_FAILURE;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry = true;
		else
			return xlv_pin_usage("unpin");
	}
	if (xlv_pin_open("unpin", &h, &x))
		return EXIT_FAILURE;
	for (c = 0; c < x.nr_pcpus && all.nr < VBMQ_KEYS_CPU_LIST_MAX; c++)
		all.cpu[all.nr++] = (u16)c;
	nd = xlv_domains(&x, info, XLV_MAX_DOMS);
	if (nd < 0)
		goto out;
	printf("%s: every vCPU of every domain -> CPUs %s\n",
	       dry ? "plan" : "unpinning", xlv_fmt(&all, buf, sizeof(buf)));
	for (i = 0; i < nd && !dry; i++) {
		if (info[i].dying)
			continue;
		for (v = 0; v <= info[i].max_vcpu_id; v++)
			if (xlv_set_hard(&x, info[i].domid, v, &all))
				goto out;
	}
	if (!dry)
		xs_rm(h, XBT_NULL, XLV_XS_IO_CPUS);
	rc = EXIT_SUCCESS;
out:
	xlv_xc_close(&x);
	xs_close(h);
	return rc;
}

int xlv_pin_exclude_domain(struct xs_handle *h, unsigned int domid)
{
	struct vbmq_cpu_list none = { 0 }, tgt;
	struct xlv_pin_plan plan = { 0 };
	xc_dominfo_t info;
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
	if (xc_domain_getinfo(x.xch, domid, 1, &info) != 1 ||
	    info.domid != domid) {
		xlv_err("cannot read domain %u's vCPUs: %s", domid,
			strerror(errno));
		ret = -EIO;
		goto out;
	}
	for (v = 0; v <= info.max_vcpu_id; v++) {
		xlv_other_target(&x, domid, v, &none, &plan, &tgt);
		ret = xlv_set_hard(&x, domid, v, &tgt);
		if (ret)
			goto out;
	}
	printf("domain %u kept off the dedicated I/O CPUs %s (pin-dom0)\n",
	       domid, xlv_fmt(&plan.io, buf, sizeof(buf)));
out:
	xlv_xc_close(&x);
	return ret;
}
