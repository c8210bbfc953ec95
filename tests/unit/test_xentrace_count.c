// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of tests/bench/xentrace_count.c, the benchmark's counter of
 * Xen trace records: records built as Xen and xentrace write them, and a
 * trace recorded in the test bed (tests/bench/fixtures/xentrace-*.bin).
 */
#include "tap.h"
#define XTC_NO_MAIN
#include "../bench/xentrace_count.c"

/* A trace under construction: records appended as Xen lays them out. */
struct trace {
	unsigned char b[4096];
	size_t len;
};

static void put32(struct trace *t, uint32_t v)
{
	memcpy(t->b + t->len, &v, 4);
	t->len += 4;
}

/* rec: event with n data words, with a timestamp when tsc */
static void rec(struct trace *t, uint32_t event, int tsc, unsigned int n,
		const uint32_t *d)
{
	unsigned int i;

	put32(t, event | (n << 28) | (tsc ? 1u << 31 : 0));
	if (tsc) {
		put32(t, 0x12345678);
		put32(t, 0x9);
	}
	for (i = 0; i < n; i++)
		put32(t, d[i]);
}

static void cpu(struct trace *t, uint32_t c)
{
	uint32_t d[2] = { c, 0 };

	rec(t, XTC_CPU_CHANGE, 0, 2, d);
}

static void sw(struct trace *t, uint32_t prev, uint32_t next)
{
	uint32_t d[4] = { prev, 0, next, 1 };

	rec(t, XTC_SWITCH, 1, 4, d);
}

/* a V2 hypercall record with 32-bit args (mask bit i: argument i present) */
static void hc(struct trace *t, uint32_t event, uint32_t op, unsigned int mask,
	       const uint32_t *args)
{
	uint32_t d[7];
	unsigned int i, n = 1;

	d[0] = op;
	for (i = 0; i < 6; i++) {
		if (!(mask & (1u << i)))
			continue;
		d[0] |= 1u << (20 + 2 * i);
		d[n++] = args[i];
	}
	rec(t, event, 1, n, d);
}

/* The K=V line the benchmark parses (tests/bench/bench.py WORK). */
static void test_print(const struct xtc_count *c)
{
	char line[2048] = "";
	FILE *f = tmpfile();

	if (!ok(f != NULL, "tmpfile"))
		return;
	xtc_print(f, c);
	rewind(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	ok(strstr(line, "d0_hc=5 ") && strstr(line, "d0_gnt_map=3 ") &&
	   strstr(line, "d0_gnt_op0=1 ") && strstr(line, "du_sched_block=1 ") &&
	   strstr(line, "trace_lost=1 ") && strchr(line, '\n'),
	   "the output line has the counts by name: %s", line);
}

static void test_synthetic(void)
{
	static const uint32_t map3[6] = { XTC_GNT_MAP, 0, 3 };
	static const uint32_t copy2[6] = { XTC_GNT_COPY, 0, 2 };
	static const uint32_t unmap1[6] = { XTC_GNT_UNMAP, 0, 1 };
	static const uint32_t block[6] = { XTC_SCHED_BLOCK };
	static const uint32_t none[6] = { 0 };
	struct xtc_count c;
	struct xtc_state st;
	struct trace t = { .len = 0 };
	size_t used;

	memset(&c, 0, sizeof(c));
	xtc_init(&st, 0, 5);
	cpu(&t, 0);
	/* before any switch on CPU 0: nobody's */
	hc(&t, XTC_HYPERCALL, XTC_HC_EVENT_CHANNEL_OP, 0, none);
	sw(&t, 32767, 0);			/* idle -> dom0 */
	hc(&t, XTC_HYPERCALL, XTC_HC_EVENT_CHANNEL_OP, 0, none);
	hc(&t, XTC_HYPERCALL, XTC_HC_GRANT_TABLE_OP, 0x5, map3);
	hc(&t, XTC_HYPERCALL, XTC_HC_GRANT_TABLE_OP, 0x5, copy2);
	hc(&t, XTC_HYPERCALL, XTC_HC_MULTICALL, 0x2, none);
	hc(&t, XTC_SUBCALL, XTC_HC_GRANT_TABLE_OP, 0x5, unmap1);
	cpu(&t, 1);
	sw(&t, 0, 5);				/* dom0 -> the domU */
	hc(&t, XTC_HYPERCALL, XTC_HC_SCHED_OP, 0x1, block);
	hc(&t, XTC_HYPERCALL, XTC_HC_IRET, 0, none);
	sw(&t, 5, 7);				/* another domain */
	hc(&t, XTC_HYPERCALL, XTC_HC_EVENT_CHANNEL_OP, 0, none);
	cpu(&t, 0);				/* CPU 0 still runs dom0 */
	hc(&t, XTC_HYPERCALL, XTC_HC_MMU_UPDATE, 0x2, none);
	rec(&t, XTC_LOST, 1, 0, NULL);
	/* a record cut off at the end: header says 4 words, 1 is there */
	put32(&t, XTC_SWITCH | (4u << 28));
	put32(&t, 0);

	used = xtc_parse(&st, &c, t.b, t.len);
	is_uint(used, t.len - 8, "parse stops before the cut-off record");
	is_uint(c.truncated, 8, "the cut-off record's bytes are counted");
	is_uint(c.unattributed, 1, "a call before the CPU's first switch is nobody's");
	is_uint(c.foreign, 1, "a call of a third domain is counted apart");
	is_uint(c.lost, 1, "lost-records records counted");
	is_uint(c.dom[0].hc, 5, "dom0: 5 top-level hypercalls");
	is_uint(c.dom[0].sub, 1, "dom0: 1 sub-call");
	is_uint(c.dom[0].evtchn, 1, "dom0: 1 event_channel_op");
	is_uint(c.dom[0].gnt, 3, "dom0: 3 grant_table_op calls (one a sub-call)");
	is_uint(c.dom[0].gnt_map, 3, "dom0: 3 grant maps in one call");
	is_uint(c.dom[0].gnt_copy, 2, "dom0: 2 grant copies");
	is_uint(c.dom[0].gnt_unmap, 1, "dom0: the unmap inside the multicall");
	is_uint(c.dom[0].gnt_cmd[XTC_GNT_MAP], 1, "dom0: map calls by cmd");
	is_uint(c.dom[0].multicall, 1, "dom0: 1 multicall");
	is_uint(c.dom[0].mmu, 1, "dom0: CPU 0 kept dom0 across the CPU change");
	is_uint(c.dom[0].switch_in, 1, "dom0 switched in once");
	is_uint(c.dom[1].hc, 2, "domU: 2 hypercalls");
	is_uint(c.dom[1].sched_block, 1, "domU: 1 block");
	is_uint(c.dom[1].iret, 1, "domU: 1 iret");
	is_uint(c.dom[1].switch_in, 1, "domU switched in once");
	is_uint(c.records, 17, "every whole record seen");
	test_print(&c);
}

/* The same records split at every byte: the caller's carry-over works. */
static void test_split(void)
{
	static const uint32_t map3[6] = { XTC_GNT_MAP, 0, 3 };
	struct trace t = { .len = 0 };
	size_t cut;
	int all = 1;

	cpu(&t, 0);
	sw(&t, 32767, 0);
	hc(&t, XTC_HYPERCALL, XTC_HC_GRANT_TABLE_OP, 0x5, map3);
	for (cut = 0; cut <= t.len; cut++) {
		struct xtc_count c;
		struct xtc_state st;
		size_t used;

		memset(&c, 0, sizeof(c));
		xtc_init(&st, 0, 1);
		used = xtc_parse(&st, &c, t.b, cut);
		c.truncated = 0;
		xtc_parse(&st, &c, t.b + used, t.len - used);
		if (c.dom[0].gnt_map != 3 || c.records != 3 || c.truncated)
			all = 0;
	}
	ok(all, "a trace read in two pieces at any byte counts the same");
}

/*
 * A trace recorded in the test bed: its first 64 KiB (tests/bench/run with
 * VBMQ_BENCH_TRACE_SAMPLE_KB=64: the steady part of a randread QD32 run of
 * the upstream drivers, dom0 0, the domU 1).  Checked: it parses whole, both domains
 * made calls, and what the upstream backend and frontend are known to do.
 */
static void test_recorded(void)
{
	static unsigned char buf[1 << 20];
	struct xtc_count c;
	struct xtc_state st;
	size_t len, used;
	FILE *f;

	f = fopen("tests/bench/fixtures/xentrace-r0-upstream-randread-qd32-j2.bin", "rb");
	if (!ok(f != NULL, "recorded trace fixture opens"))
		return;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	memset(&c, 0, sizeof(c));
	xtc_init(&st, 0, 1);
	used = xtc_parse(&st, &c, buf, len);
	ok(used + c.truncated == len && c.records > 100,
	   "recorded: %llu records parse, %llu bytes cut off at the end",
	   c.records, c.truncated);
	ok(c.dom[0].hc > 0 && c.dom[1].hc > 0,
	   "recorded: both dom0 (%llu) and the domU (%llu) made hypercalls",
	   c.dom[0].hc, c.dom[1].hc);
	ok(c.dom[0].switch_in > 0 && c.dom[1].switch_in > 0,
	   "recorded: both were switched in");
	is_uint(c.foreign, 0, "recorded: no third domain made calls");
	ok(c.unattributed * 20 < c.dom[0].hc + c.dom[1].hc,
	   "recorded: few calls before the first switch (%llu)", c.unattributed);
	ok(c.dom[1].evtchn > 0, "recorded: the frontend kicked (%llu)",
	   c.dom[1].evtchn);
	ok(c.dom[1].gnt_map + c.dom[1].gnt_copy == 0,
	   "recorded: the frontend maps and copies no grants");
	/*
	 * xen-blkback with persistent grants still issues one
	 * GNTTABOP_unmap_grant_ref per request, carrying no entry: the
	 * command is read from argument 0 and the count from argument 2.
	 */
	ok(c.dom[0].gnt_cmd[XTC_GNT_UNMAP] > 10 && c.dom[0].gnt_unmap == 0,
	   "recorded: the in-tree backend's empty unmap calls (%llu, %llu entries)",
	   c.dom[0].gnt_cmd[XTC_GNT_UNMAP], c.dom[0].gnt_unmap);
}

int main(void)
{
	test_synthetic();
	test_split();
	test_recorded();
	printf("1..%u\n", tap_count);
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
