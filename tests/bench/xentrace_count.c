// SPDX-License-Identifier: GPL-2.0-only
/*
 * xentrace-count: the work a benchmark run made Xen do, per domain, from a
 * binary trace written by Xen's own xentrace (event mask 0x0022f000: PV
 * hypercalls and sub-calls, scheduler).
 *
 *   xentrace-count TRACE DOM0_ID DOMU_ID
 *
 * prints K=V words on one line: for dom0 (prefix d0_) and the domU (du_)
 * the hypercalls made (hc), by kind (evtchn, gnt, sched_block, ...), the
 * grant operations they carried (gnt_map, gnt_unmap, gnt_copy: entries, not
 * calls), and the times the scheduler switched one of its vCPUs in
 * (switch_in); then the trace's own figures (records, lost, unattributed
 * hypercalls seen on a CPU before its first switch record).
 *
 * A trace file is a stream of records, each a 32-bit header (event id in
 * bits 0-27, count of 32-bit data words in bits 28-30, bit 31: a 64-bit
 * timestamp follows), the timestamp if any, then the data words.  xentrace
 * puts a TRC_TRACE_CPU_CHANGE record (cpu, bytes) before each CPU's run of
 * records; a hypercall is the domain's that the last switch record on that
 * CPU put on it (a vCPU that continues running leaves its domain there).  Layouts: Xen's public/trace.h.  Userspace, no Xen
 * headers: the bed's dom0 has none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XTC_CPU_CHANGE		0x0001f003u	/* TRC_TRACE_CPU_CHANGE */
#define XTC_LOST		0x0001f001u	/* TRC_LOST_RECORDS */
#define XTC_SWITCH		0x0002800au	/* TRC_SCHED_SWITCH */
#define XTC_HYPERCALL		0x0020100du	/* TRC_PV_HYPERCALL_V2 */
#define XTC_SUBCALL		0x0020200eu	/* TRC_PV_HYPERCALL_SUBCALL */
#define XTC_MAX_CPUS		256

/* Hypercall numbers (public/xen.h) and sub-commands that matter here. */
enum {
	XTC_HC_MMU_UPDATE = 1,
	XTC_HC_MULTICALL = 13,
	XTC_HC_UPDATE_VA_MAPPING = 14,
	XTC_HC_SET_TIMER_OP = 15,
	XTC_HC_GRANT_TABLE_OP = 20,
	XTC_HC_IRET = 23,
	XTC_HC_VCPU_OP = 24,
	XTC_HC_MMUEXT_OP = 26,
	XTC_HC_SCHED_OP = 29,
	XTC_HC_EVENT_CHANNEL_OP = 32,
};

enum { XTC_GNT_MAP = 0, XTC_GNT_UNMAP = 1, XTC_GNT_COPY = 5 };
#define XTC_GNT_CMDS		16	/* GNTTABOP_ numbers counted one by one */
enum { XTC_SCHED_YIELD = 0, XTC_SCHED_BLOCK = 1, XTC_SCHED_POLL = 3 };

/* What one domain made Xen do. */
struct xtc_dom {
	unsigned long long hc;		/* top-level hypercalls */
	unsigned long long sub;		/* sub-calls inside multicalls */
	unsigned long long evtchn;	/* event_channel_op (sends, unmasks) */
	unsigned long long gnt;		/* grant_table_op calls */
	unsigned long long gnt_map;	/* map entries */
	unsigned long long gnt_unmap;	/* unmap entries */
	unsigned long long gnt_copy;	/* copy entries */
	unsigned long long sched_block;
	unsigned long long sched_yield;
	unsigned long long sched_poll;
	unsigned long long mmu;		/* page-table updates of any kind */
	unsigned long long timer;	/* set_timer_op, vcpu_op */
	unsigned long long iret;
	unsigned long long multicall;
	unsigned long long other;
	unsigned long long switch_in;	/* vCPUs switched in */
	unsigned long long gnt_cmd[XTC_GNT_CMDS]; /* grant_table_op calls by cmd */
};

struct xtc_count {
	struct xtc_dom dom[2];		/* [0] dom0, [1] the domU */
	unsigned long long records;
	unsigned long long lost;	/* lost-records records */
	unsigned long long unattributed; /* hypercalls before a switch */
	unsigned long long foreign;	/* hypercalls of other domains */
	unsigned long long truncated;	/* bytes of a cut-off last record */
};

struct xtc_state {
	unsigned int dom0, domu;
	unsigned int cpu;
	int32_t cur[XTC_MAX_CPUS];	/* domain on each CPU, -1: unknown */
};

static void xtc_init(struct xtc_state *st, unsigned int dom0, unsigned int domu)
{
	unsigned int i;

	st->dom0 = dom0;
	st->domu = domu;
	st->cpu = 0;
	for (i = 0; i < XTC_MAX_CPUS; i++)
		st->cur[i] = -1;
}

/* The V2 hypercall record: op | 2-bit size of each argument present. */
static uint32_t xtc_arg(const uint32_t *d, unsigned int n, unsigned int which,
			int *found)
{
	uint32_t op = d[0];
	unsigned int i, w = 1;

	*found = 0;
	for (i = 0; i < 6 && w < n; i++) {
		unsigned int sz = (op >> (20 + 2 * i)) & 3;

		if (!sz)
			continue;
		if (i == which) {
			*found = 1;
			return d[w];
		}
		w += sz == 2 ? 2 : 1;
	}
	return 0;
}

static void xtc_call(struct xtc_dom *dd, const uint32_t *d, unsigned int n,
		     int subcall)
{
	uint32_t op = d[0] & 0xfffff, cmd, count;
	int has_cmd, has_count;

	if (subcall)
		dd->sub++;
	else
		dd->hc++;
	cmd = xtc_arg(d, n, 0, &has_cmd);
	switch (op) {
	case XTC_HC_GRANT_TABLE_OP:
		dd->gnt++;
		count = xtc_arg(d, n, 2, &has_count);
		if (!has_count)
			count = 1;
		if (has_cmd && cmd < XTC_GNT_CMDS)
			dd->gnt_cmd[cmd]++;
		if (has_cmd && cmd == XTC_GNT_MAP)
			dd->gnt_map += count;
		else if (has_cmd && cmd == XTC_GNT_UNMAP)
			dd->gnt_unmap += count;
		else if (has_cmd && cmd == XTC_GNT_COPY)
			dd->gnt_copy += count;
		break;
	case XTC_HC_EVENT_CHANNEL_OP:
		dd->evtchn++;
		break;
	case XTC_HC_SCHED_OP:
		if (has_cmd && cmd == XTC_SCHED_BLOCK)
			dd->sched_block++;
		else if (has_cmd && cmd == XTC_SCHED_YIELD)
			dd->sched_yield++;
		else if (has_cmd && cmd == XTC_SCHED_POLL)
			dd->sched_poll++;
		else
			dd->other++;
		break;
	case XTC_HC_MMU_UPDATE:
	case XTC_HC_MMUEXT_OP:
	case XTC_HC_UPDATE_VA_MAPPING:
		dd->mmu++;
		break;
	case XTC_HC_SET_TIMER_OP:
	case XTC_HC_VCPU_OP:
		dd->timer++;
		break;
	case XTC_HC_IRET:
		dd->iret++;
		break;
	case XTC_HC_MULTICALL:
		dd->multicall++;
		break;
	default:
		dd->other++;
		break;
	}
}

/* The counters of a domain; NULL for any other (or none yet: -1). */
static struct xtc_dom *xtc_dom_of(struct xtc_state *st, struct xtc_count *c,
				  int32_t dom)
{
	if (dom >= 0 && (uint32_t)dom == st->dom0)
		return &c->dom[0];
	if (dom >= 0 && (uint32_t)dom == st->domu)
		return &c->dom[1];
	return NULL;
}

/* One record: event id and its n data words. */
static void xtc_record(struct xtc_state *st, struct xtc_count *c,
		       uint32_t event, const uint32_t *d, unsigned int n)
{
	struct xtc_dom *dd;

	c->records++;
	switch (event) {
	case XTC_CPU_CHANGE:
		if (n >= 1 && d[0] < XTC_MAX_CPUS)
			st->cpu = d[0];
		break;
	case XTC_LOST:
		c->lost++;
		break;
	case XTC_SWITCH:
		/* prev domain, prev vCPU, next domain, next vCPU */
		if (n >= 4) {
			st->cur[st->cpu] = (int32_t)d[2];
			dd = xtc_dom_of(st, c, (int32_t)d[2]);
			if (dd)
				dd->switch_in++;
		}
		break;
	case XTC_HYPERCALL:
	case XTC_SUBCALL:
		if (n < 1)
			break;
		dd = xtc_dom_of(st, c, st->cur[st->cpu]);
		if (dd)
			xtc_call(dd, d, n, event == XTC_SUBCALL);
		else if (st->cur[st->cpu] < 0)
			c->unattributed++;
		else
			c->foreign++;
		break;
	}
}

/*
 * xtc_parse: every whole record of buf; returns the bytes consumed (a
 * record cut off at the end is left, counted in truncated).
 */
static size_t xtc_parse(struct xtc_state *st, struct xtc_count *c,
			const unsigned char *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= 4) {
		uint32_t h, d[7];
		unsigned int n;
		size_t need;

		memcpy(&h, buf + off, 4);
		n = (h >> 28) & 7;
		need = 4 + ((h >> 31) ? 8 : 0) + 4 * (size_t)n;
		if (len - off < need)
			break;
		memcpy(d, buf + off + need - 4 * (size_t)n, 4 * (size_t)n);
		xtc_record(st, c, h & 0x0fffffff, d, n);
		off += need;
	}
	c->truncated += len - off;
	return off;
}

static void xtc_print_dom(FILE *f, const char *p, const struct xtc_dom *d)
{
	unsigned int i;

	fprintf(f, "%shc=%llu %ssub=%llu %sevtchn=%llu %sgnt=%llu %sgnt_map=%llu "
		"%sgnt_unmap=%llu %sgnt_copy=%llu %ssched_block=%llu "
		"%ssched_yield=%llu %ssched_poll=%llu %smmu=%llu %stimer=%llu "
		"%siret=%llu %smulticall=%llu %sother=%llu %sswitch_in=%llu ",
		p, d->hc, p, d->sub, p, d->evtchn, p, d->gnt, p, d->gnt_map,
		p, d->gnt_unmap, p, d->gnt_copy, p, d->sched_block,
		p, d->sched_yield, p, d->sched_poll, p, d->mmu, p, d->timer,
		p, d->iret, p, d->multicall, p, d->other, p, d->switch_in);
	/* grant_table_op calls by GNTTABOP_ number, where any */
	for (i = 0; i < XTC_GNT_CMDS; i++)
		if (d->gnt_cmd[i])
			fprintf(f, "%sgnt_op%u=%llu ", p, i, d->gnt_cmd[i]);
}

static void xtc_print(FILE *f, const struct xtc_count *c)
{
	xtc_print_dom(f, "d0_", &c->dom[0]);
	xtc_print_dom(f, "du_", &c->dom[1]);
	fprintf(f, "trace_records=%llu trace_lost=%llu trace_unattributed=%llu "
		"trace_foreign=%llu trace_truncated=%llu\n", c->records, c->lost,
		c->unattributed, c->foreign, c->truncated);
}

#ifndef XTC_NO_MAIN
int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	struct xtc_count c;
	struct xtc_state st;
	size_t have = 0, used, got;
	char *end;
	unsigned long d0, du;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: %s TRACE DOM0_ID DOMU_ID\n", argv[0]);
		return EXIT_FAILURE;
	}
	d0 = strtoul(argv[2], &end, 10);
	if (*end || end == argv[2]) {
		fprintf(stderr, "%s: bad domain id '%s'\n", argv[0], argv[2]);
		return EXIT_FAILURE;
	}
	du = strtoul(argv[3], &end, 10);
	if (*end || end == argv[3]) {
		fprintf(stderr, "%s: bad domain id '%s'\n", argv[0], argv[3]);
		return EXIT_FAILURE;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
		return EXIT_FAILURE;
	}
	memset(&c, 0, sizeof(c));
	xtc_init(&st, d0, du);
	while ((got = fread(buf + have, 1, sizeof(buf) - have, f)) > 0) {
		have += got;
		used = xtc_parse(&st, &c, buf, have);
		/* the cut-off tail is parsed again with the next read */
		c.truncated -= have - used;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	c.truncated += have;
	fclose(f);
	xtc_print(stdout, &c);
	return EXIT_SUCCESS;
}
#endif
