// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vbmq-blkfront pure logic (xen-blkfront/blkfront_core.c),
 * including responses from a hostile backend.
 */
#include "tap.h"
#include "../../xen-blkfront/blkfront_core.c"

static void test_nr_rings(void)
{
	static const struct {
		unsigned int be, param, cpus, want;
	} t[] = {
		{ 0, 4, 4, 1 },		/* backend without multi-queue */
		{ 1, 4, 4, 1 },
		{ 8, 4, 4, 4 },
		{ 8, 16, 4, 4 },	/* online vCPUs cap */
		{ 2, 16, 4, 2 },	/* backend cap */
		{ 8, 0, 4, 1 },		/* param 0 means one ring */
		{ 1000, 1000, 1000, VBMQ_FE_MAX_QUEUES },
		{ 4, 4, 0, 1 },		/* never zero */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		is_uint(vbmq_fe_nr_rings(t[i].be, t[i].param, t[i].cpus),
			t[i].want, "nr_rings(be=%u, param=%u, cpus=%u)",
			t[i].be, t[i].param, t[i].cpus);
}

static void test_nr_poll(void)
{
	static const struct {
		unsigned int rings;
		int param;
		unsigned int be, want;
	} t[] = {
		{ 4, -1, 0, 0 },
		{ 4, -1, 1, 1 },	/* backend default used */
		{ 4, 2, 1, 2 },		/* parameter wins */
		{ 4, 0, 3, 0 },
		{ 4, 4, 0, 3 },		/* one ring stays interrupt-driven */
		{ 4, -1, 99, 3 },
		{ 1, 1, 1, 0 },
		{ 2, 1, 0, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		is_uint(vbmq_fe_nr_poll(t[i].rings, t[i].param, t[i].be),
			t[i].want, "nr_poll(rings=%u, param=%d, be=%u)",
			t[i].rings, t[i].param, t[i].be);
}

static void test_limits(void)
{
	is_uint(vbmq_fe_ring_order(0, 4), 0, "order: backend without key");
	is_uint(vbmq_fe_ring_order(2, 4), 2, "order: backend cap");
	is_uint(vbmq_fe_ring_order(9, 9), 4, "order: hard cap");
	is_uint(vbmq_fe_ring_order(4, 1), 1, "order: param cap");

	is_uint(vbmq_fe_max_segs(0, 32), 11, "segs: no indirect backend");
	is_uint(vbmq_fe_max_segs(256, 0), 11, "segs: indirect disabled");
	is_uint(vbmq_fe_max_segs(256, 32), 32, "segs: param cap");
	is_uint(vbmq_fe_max_segs(16, 32), 16, "segs: backend cap");
	is_uint(vbmq_fe_max_segs(8, 32), 11, "segs: tiny indirect ignored");
	is_uint(vbmq_fe_max_segs(100000, 100000), 4096, "segs: 8 pages");

	is_int(vbmq_fe_parse_affinity("spread"), VBMQ_IRQ_SPREAD,
	       "affinity spread");
	is_int(vbmq_fe_parse_affinity("none\n"), VBMQ_IRQ_NONE,
	       "affinity none with newline");
	is_int(vbmq_fe_parse_affinity("spreadx"), -EINVAL, "affinity junk");
	is_int(vbmq_fe_parse_affinity(""), -EINVAL, "affinity empty");
	is_int(vbmq_fe_parse_affinity(NULL), -EINVAL, "affinity NULL");
	is_str(vbmq_fe_affinity_name(VBMQ_IRQ_NONE), "none",
	       "affinity name");
}

static void test_map(void)
{
	static const struct {
		unsigned int cpus, queues;
		u16 want[8];
	} t[] = {
		{ 4, 4, { 0, 1, 2, 3 } },
		{ 4, 2, { 0, 0, 1, 1 } },
		{ 4, 1, { 0, 0, 0, 0 } },
		{ 3, 2, { 0, 0, 1 } },
		{ 8, 3, { 0, 0, 0, 1, 1, 1, 2, 2 } },
	};
	bool possible[8], online[8], mask[8];
	unsigned int i, c, n;
	u16 map[8];

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		int same = 1;

		for (c = 0; c < 8; c++) {
			possible[c] = c < t[i].cpus;
			online[c] = possible[c];
		}
		vbmq_fe_map_cpus(possible, online, t[i].cpus, t[i].queues,
				 map);
		for (c = 0; c < t[i].cpus; c++)
			same &= map[c] == t[i].want[c];
		ok(same, "map %u cpus onto %u queues", t[i].cpus,
		   t[i].queues);
	}

	/* 8 possible, 4 online (0, 2, 4, 6), 4 queues: one online each. */
	for (c = 0; c < 8; c++) {
		possible[c] = true;
		online[c] = !(c & 1);
	}
	vbmq_fe_map_cpus(possible, online, 8, 4, map);
	is_uint(map[0], 0, "sparse online: cpu0 -> q0");
	is_uint(map[2], 1, "sparse online: cpu2 -> q1");
	is_uint(map[4], 2, "sparse online: cpu4 -> q2");
	is_uint(map[6], 3, "sparse online: cpu6 -> q3");
	is_uint(map[1], 0, "sparse online: offline cpu1 round robin");
	is_uint(map[3], 1, "sparse online: offline cpu3 round robin");

	n = vbmq_fe_irq_mask(map, online, 8, 2, mask);
	ok(n == 1 && mask[4], "irq of q2 goes to cpu4 only");

	/* q2's only online CPU goes away: fall back to every online CPU. */
	online[4] = false;
	n = vbmq_fe_irq_mask(map, online, 8, 2, mask);
	ok(n == 3 && mask[0] && mask[2] && mask[6] && !mask[4],
	   "irq of orphaned q2 falls back to online CPUs");

	is_uint(vbmq_fe_cpu_to_queue(5, 4, 2), 1,
		"ordinal beyond count wraps");
	is_uint(vbmq_fe_cpu_to_queue(0, 0, 2), 0, "no cpus");
}

static void test_slots(void)
{
	struct vbmq_fe_slot slot[4];
	struct vbmq_fe_slots s;
	s64 id[5];
	int i;

	vbmq_fe_slots_init(&s, slot, 4);
	for (i = 0; i < 4; i++)
		id[i] = vbmq_fe_slot_get(&s, BLKIF_OP_READ, false);
	ok(id[0] == 0 && id[1] == 1 && id[2] == 2 && id[3] == 3,
	   "slots handed out in order");
	id[4] = vbmq_fe_slot_get(&s, BLKIF_OP_READ, false);
	is_int(id[4], -ENOSPC, "full ring refuses a fifth slot");
	is_int(vbmq_fe_slot_put(&s, 2), 0, "put slot 2");
	is_int(vbmq_fe_slot_put(&s, 2), -EINVAL, "double put refused");
	is_int(vbmq_fe_slot_put(&s, 4), -EINVAL, "put out of range");
	is_int(vbmq_fe_slot_get(&s, BLKIF_OP_WRITE, true), 2,
	       "freed slot reused");
	is_uint(s.nr_free, 0, "free count");

	vbmq_fe_slots_init(&s, slot, 0);
	is_int(vbmq_fe_slot_get(&s, BLKIF_OP_READ, false), -ENOSPC,
	       "empty slot table");
}

static void test_responses(void)
{
	struct vbmq_fe_slot slot[8];
	struct vbmq_fe_slots s;
	static const struct {
		const char *what;
		u64 id;
		u8 op;
		enum vbmq_fe_rsp_err want;
	} t[] = {
		{ "read ok", 0, BLKIF_OP_READ, VBMQ_FE_RSP_OK },
		{ "indirect write answered as write", 1, BLKIF_OP_WRITE,
		  VBMQ_FE_RSP_OK },
		{ "indirect write answered as indirect", 1, BLKIF_OP_INDIRECT,
		  VBMQ_FE_RSP_OK },
		{ "direct read answered as indirect", 0, BLKIF_OP_INDIRECT,
		  VBMQ_FE_RSP_BAD_OP },
		{ "read answered as write", 0, BLKIF_OP_WRITE,
		  VBMQ_FE_RSP_BAD_OP },
		{ "flush ok", 2, BLKIF_OP_FLUSH_DISKCACHE, VBMQ_FE_RSP_OK },
		{ "flush answered as discard", 2, BLKIF_OP_DISCARD,
		  VBMQ_FE_RSP_BAD_OP },
		{ "free slot", 5, BLKIF_OP_READ, VBMQ_FE_RSP_NOT_INFLIGHT },
		{ "id == ring size", 8, BLKIF_OP_READ, VBMQ_FE_RSP_BAD_ID },
		{ "id huge", ~0ULL, BLKIF_OP_READ, VBMQ_FE_RSP_BAD_ID },
		{ "id above 32 bits aliasing 0", 1ULL << 32, BLKIF_OP_READ,
		  VBMQ_FE_RSP_BAD_ID },
		{ "garbage op", 0, 0xff, VBMQ_FE_RSP_BAD_OP },
	};
	unsigned int i;

	vbmq_fe_slots_init(&s, slot, 8);
	vbmq_fe_slot_get(&s, BLKIF_OP_READ, false);
	vbmq_fe_slot_get(&s, BLKIF_OP_WRITE, true);
	vbmq_fe_slot_get(&s, BLKIF_OP_FLUSH_DISKCACHE, false);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		is_int(vbmq_fe_rsp_check(&s, t[i].id, t[i].op), t[i].want,
		       "rsp: %s", t[i].what);

	/* Replay: the second response for the same id is refused. */
	is_int(vbmq_fe_rsp_check(&s, 0, BLKIF_OP_READ), VBMQ_FE_RSP_OK,
	       "first response accepted");
	vbmq_fe_slot_put(&s, 0);
	is_int(vbmq_fe_rsp_check(&s, 0, BLKIF_OP_READ),
	       VBMQ_FE_RSP_NOT_INFLIGHT, "replayed response refused");

	ok(vbmq_fe_rsp_prod_ok(10, 5, 12), "prod within requests");
	ok(vbmq_fe_rsp_prod_ok(12, 5, 12), "prod equal to requests");
	ok(!vbmq_fe_rsp_prod_ok(13, 5, 12), "prod beyond requests");
	ok(!vbmq_fe_rsp_prod_ok(4, 5, 12), "prod behind consumer");
	ok(vbmq_fe_rsp_prod_ok(2, 0xfffffffeU, 3), "prod across wrap");
	ok(!vbmq_fe_rsp_prod_ok(4, 0xfffffffeU, 3), "beyond, across wrap");
	ok(vbmq_fe_rsp_prod_ok(5, 5, 5), "nothing new");

	is_int(vbmq_fe_rsp_status(BLKIF_RSP_OKAY), 0, "status ok");
	is_int(vbmq_fe_rsp_status(BLKIF_RSP_EOPNOTSUPP), -EOPNOTSUPP,
	       "status eopnotsupp");
	is_int(vbmq_fe_rsp_status(BLKIF_RSP_ERROR), -EIO, "status error");
	is_int(vbmq_fe_rsp_status(1234), -EIO, "status unknown");
	is_int(vbmq_fe_rsp_status(-32768), -EIO, "status very negative");
	for (i = VBMQ_FE_RSP_OK; i <= VBMQ_FE_RSP_BAD_OP; i++)
		ok(strcmp(vbmq_fe_rsp_err_str(i), "unknown"), "err str %u", i);
}

static void test_pack(void)
{
	static const struct {
		const char *what;
		u32 page_size, max_segs, nr;
		struct vbmq_fe_buf b[4];
		int want;
		u32 indirect;
		u8 first0, last0;
	} t[] = {
		{ "one full page", 4096, 11, 1, { { 0, 4096 } }, 1, 0, 0, 7 },
		{ "one sector", 4096, 11, 1, { { 512, 512 } }, 1, 0, 1, 1 },
		{ "last sector", 4096, 11, 1, { { 3584, 512 } }, 1, 0, 7, 7 },
		{ "two bufs", 4096, 11, 2, { { 0, 1024 }, { 1024, 3072 } },
		  2, 0, 0, 1 },
		{ "64K page split", 65536, 32, 1, { { 0, 65536 } },
		  16, 1, 0, 7 },
		{ "64K page middle", 65536, 32, 1, { { 3584, 1024 } },
		  2, 0, 7, 7 },
		{ "64K too many", 65536, 11, 1, { { 0, 65536 } }, -E2BIG, 0, 0, 0 },
		{ "unaligned offset", 4096, 11, 1, { { 100, 512 } }, -EINVAL, 0, 0, 0 },
		{ "unaligned len", 4096, 11, 1, { { 0, 700 } }, -EINVAL, 0, 0, 0 },
		{ "empty buf", 4096, 11, 1, { { 0, 0 } }, -EINVAL, 0, 0, 0 },
		{ "crosses page", 4096, 11, 1, { { 2048, 4096 } }, -EINVAL, 0, 0, 0 },
		{ "offset out of page", 4096, 11, 1, { { 4096, 512 } },
		  -EINVAL, 0, 0, 0 },
		{ "length wraps", 4096, 11, 1, { { 512, 0xfffffe00u } },
		  -EINVAL, 0, 0, 0 },
		{ "no bufs", 4096, 11, 0, { { 0, 0 } }, -EINVAL, 0, 0, 0 },
		{ "bad page size", 3000, 11, 1, { { 0, 512 } }, -EINVAL, 0, 0, 0 },
	};
	static struct vbmq_fe_seg segs[VBMQ_MAX_INDIRECT_SEGS];
	static struct vbmq_fe_buf many[VBMQ_MAX_INDIRECT_SEGS + 1];
	struct vbmq_fe_layout lay;
	unsigned int i;
	u32 pg, sl;
	int n;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		n = vbmq_fe_pack(t[i].b, t[i].nr, t[i].page_size,
				 t[i].max_segs, segs, &lay);
		is_int(n, t[i].want, "pack: %s", t[i].what);
		if (n <= 0)
			continue;
		is_uint(lay.nr_indirect, t[i].indirect,
			"pack: %s: indirect pages", t[i].what);
		ok(segs[0].first_sect == t[i].first0 &&
		   segs[0].last_sect == t[i].last0,
		   "pack: %s: sectors %u-%u", t[i].what, segs[0].first_sect,
		   segs[0].last_sect);
	}

	/* 12 pages: first size that needs an indirect request. */
	for (i = 0; i < ARRAY_SIZE(many); i++) {
		many[i].offset = 0;
		many[i].len = 4096;
	}
	n = vbmq_fe_pack(many, 11, 4096, 32, segs, &lay);
	ok(n == 11 && !lay.nr_indirect, "11 segments stay direct");
	n = vbmq_fe_pack(many, 12, 4096, 32, segs, &lay);
	ok(n == 12 && lay.nr_indirect == 1, "12 segments go indirect");
	n = vbmq_fe_pack(many, 513, 4096, 4096, segs, &lay);
	ok(n == 513 && lay.nr_indirect == 2, "513 segments: 2 pages");
	ok(segs[512].buf == 512 && segs[512].frame == 0, "segment 512 maps");
	n = vbmq_fe_pack(many, 4096, 4096, 4096, segs, &lay);
	ok(n == 4096 && lay.nr_indirect == 8, "4096 segments: 8 pages");
	n = vbmq_fe_pack(many, 4097, 4096, 100000, segs, &lay);
	is_int(n, -E2BIG, "4097 segments refused even with huge limit");

	vbmq_fe_indirect_pos(0, &pg, &sl);
	ok(pg == 0 && sl == 0, "indirect pos 0");
	vbmq_fe_indirect_pos(511, &pg, &sl);
	ok(pg == 0 && sl == 511, "indirect pos 511");
	vbmq_fe_indirect_pos(512, &pg, &sl);
	ok(pg == 1 && sl == 0, "indirect pos 512");
}

static void test_grant_mode(void)
{
	static const struct {
		bool be, param, trusted;
		int want;
	} t[] = {
		{ true, true, true, VBMQ_FE_GRANT_PERSISTENT },
		{ true, true, false, VBMQ_FE_GRANT_PERSISTENT },
		{ true, false, true, VBMQ_FE_GRANT_DIRECT },
		{ false, true, true, VBMQ_FE_GRANT_DIRECT },
		{ false, false, true, VBMQ_FE_GRANT_DIRECT },
		/* untrusted: bounce even with the parameter off */
		{ true, false, false, VBMQ_FE_GRANT_BOUNCE },
		{ false, true, false, VBMQ_FE_GRANT_BOUNCE },
		{ false, false, false, VBMQ_FE_GRANT_BOUNCE },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		is_int(vbmq_fe_grant_mode(t[i].be, t[i].param, t[i].trusted),
		       t[i].want, "grant mode(be=%d, param=%d, trusted=%d)",
		       t[i].be, t[i].param, t[i].trusted);
	is_str(vbmq_fe_grant_mode_name(VBMQ_FE_GRANT_DIRECT), "direct",
	       "mode name direct");
	is_str(vbmq_fe_grant_mode_name(VBMQ_FE_GRANT_BOUNCE), "bounce",
	       "mode name bounce");
	is_str(vbmq_fe_grant_mode_name(VBMQ_FE_GRANT_PERSISTENT),
	       "persistent", "mode name persistent");
	is_str(vbmq_fe_grant_mode_name(7), "unknown", "mode name junk");

	is_uint(vbmq_fe_pool_max(32, 11), 352, "pool max: order-0 ring, direct");
	is_uint(vbmq_fe_pool_max(128, 256), 32768, "pool max: 4 pages, 256 segs");
	is_uint(vbmq_fe_pool_max(0, 32), 0, "pool max: no ring");
	is_uint(vbmq_fe_pool_max(0x10000000, 0x100), 0xffffffffU,
		"pool max saturates");
}

static void test_pool(void)
{
	u32 fr[8], add;
	u8 used[8];
	struct vbmq_fe_pool p;
	s64 e, got[8];
	unsigned int i;

	vbmq_fe_pool_init(&p, fr, used, 8);
	ok(p.nr == 0 && p.nr_free == 0, "pool starts empty");
	is_int(vbmq_fe_pool_get(&p), -ENOSPC, "get from empty pool");
	is_int(vbmq_fe_pool_put(&p, 0), -EINVAL, "put entry never made");
	is_int(vbmq_fe_pool_need(&p, 9, &add), -E2BIG, "need beyond bound");
	is_int(vbmq_fe_pool_need(&p, 3, &add), 0, "need 3 of empty pool");
	is_uint(add, 3, "... adds 3");
	for (i = 0; i < add; i++)
		is_int(vbmq_fe_pool_add(&p), i, "add entry %u", i);
	is_int(vbmq_fe_pool_need(&p, 3, &add), 0, "need 3 of 3 free");
	is_uint(add, 0, "... adds none");
	for (i = 0; i < 3; i++) {
		got[i] = vbmq_fe_pool_get(&p);
		ok(got[i] >= 0 && got[i] < 3, "get %u: entry %lld", i,
		   (long long)got[i]);
	}
	ok(got[0] != got[1] && got[1] != got[2] && got[0] != got[2],
	   "entries handed out once");
	is_int(vbmq_fe_pool_need(&p, 5, &add), 0, "need 5, 3 in use");
	is_uint(add, 5, "... adds 5 (to the bound)");
	is_int(vbmq_fe_pool_need(&p, 6, &add), -ENOSPC,
	       "need 6 with 3 in use: wait for them");
	is_int(vbmq_fe_pool_put(&p, (u32)got[1]), 0, "put back");
	is_int(vbmq_fe_pool_put(&p, (u32)got[1]), -EINVAL, "double put");
	is_int(vbmq_fe_pool_put(&p, 3), -EINVAL, "put entry not made");
	is_int(vbmq_fe_pool_put(&p, 0xffffffffU), -EINVAL, "put huge entry");
	e = vbmq_fe_pool_get(&p);
	is_int(e, got[1], "freed entry comes back first");
	for (i = 3; i < 8; i++)
		is_int(vbmq_fe_pool_add(&p), i, "add entry %u", i);
	is_int(vbmq_fe_pool_add(&p), -ENOSPC, "add beyond bound");
	for (i = 0; i < 5; i++)
		ok(vbmq_fe_pool_get(&p) >= 3, "get new entry %u", i);
	is_int(vbmq_fe_pool_get(&p), -ENOSPC, "all 8 handed out");
	is_int(vbmq_fe_pool_need(&p, 1, &add), -ENOSPC, "need 1 when full");
	for (i = 0; i < 8; i++)
		is_int(vbmq_fe_pool_put(&p, i), 0, "put %u", i);
	ok(p.nr_free == 8, "all back");

	vbmq_fe_pool_init(&p, fr, used, 0);
	is_int(vbmq_fe_pool_add(&p), -ENOSPC, "zero-bound pool: no add");
	is_int(vbmq_fe_pool_need(&p, 0, &add), 0, "zero-bound pool: need 0");
}

static void test_seg_span(void)
{
	static const struct {
		const char *what;
		struct vbmq_fe_seg seg;
		u32 page_off, frame_off, len;
	} t[] = {
		{ "whole frame", { 0, 0, 0, 7 }, 0, 0, 4096 },
		{ "one sector", { 0, 0, 3, 3 }, 1536, 1536, 512 },
		{ "second frame of a 64K page", { 0, 1, 2, 5 },
		  4096 + 1024, 1024, 2048 },
		{ "last frame, last sector", { 0, 15, 7, 7 },
		  15 * 4096 + 3584, 3584, 512 },
		{ "last before first", { 0, 0, 5, 2 }, 2560, 2560, 0 },
		{ "last beyond frame", { 0, 0, 0, 8 }, 0, 0, 0 },
		{ "both beyond frame", { 0, 0, 200, 255 }, 102400, 102400, 0 },
	};
	u32 po, fo, len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		vbmq_fe_seg_span(&t[i].seg, &po, &fo, &len);
		ok(po == t[i].page_off && fo == t[i].frame_off &&
		   len == t[i].len, "seg span: %s (%u %u %u)", t[i].what, po,
		   fo, len);
	}
}

static void test_vdev(void)
{
	static const struct {
		u32 vdev;
		int want;
		const char *name;
		u32 first_minor, nr_minors;
	} t[] = {
		{ 202 << 8, 0, "xvda", 0, 16 },
		{ (202 << 8) | 16, 0, "xvdb", 16, 16 },
		{ (202 << 8) | 17, 0, "xvdb1", 17, 1 },
		{ (202 << 8) | 255, 0, "xvdp15", 255, 1 },
		{ (1U << 28) | (16 << 8), 0, "xvdq", 4096, 256 },
		{ (1U << 28) | (26 << 8) | 3, 0, "xvdaa3", 26 * 256 + 3, 1 },
		{ (1U << 28) | (701 << 8), 0, "xvdzz", 701 * 256, 256 },
		{ (1U << 28) | (702 << 8), 0, "xvdaaa", 702 * 256, 256 },
		{ (1U << 28) | (4096 << 8), -EINVAL, NULL, 0, 0 },
		{ (3U << 28), -EINVAL, NULL, 0, 0 },
		{ 3 << 8, 0, "xvda", 0, 16 },			/* hda */
		{ (3 << 8) | 64, 0, "xvdb", 16, 16 },		/* hdb */
		{ 22 << 8, 0, "xvdc", 32, 16 },			/* hdc */
		{ 8 << 8, 0, "xvde", 64, 16 },			/* sda */
		{ (8 << 8) | 17, 0, "xvdf1", 81, 1 },		/* sdb1 */
		{ 65 << 8, 0, "xvdu", 320, 16 },		/* sdq */
		{ 128 << 8, 0, "xvdec", 64 + 8 * 256, 16 },	/* index 132 */
		{ 7 << 8, -ENODEV, NULL, 0, 0 },
		{ 0, -ENODEV, NULL, 0, 0 },
	};
	struct vbmq_fe_vdev v;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		r = vbmq_fe_vdev_parse(t[i].vdev, &v);
		is_int(r, t[i].want, "vdev %#x parses", t[i].vdev);
		if (r || !t[i].name)
			continue;
		is_str(v.name, t[i].name, "vdev %#x name", t[i].vdev);
		ok(v.first_minor == t[i].first_minor &&
		   v.nr_minors == t[i].nr_minors,
		   "vdev %#x minors %u+%u", t[i].vdev, v.first_minor,
		   v.nr_minors);
	}
}

static void test_close_action(void)
{
	const unsigned int S = VBMQ_FE_CLOSE_STOP, R = VBMQ_FE_CLOSE_RELEASE;
	static const struct {
		int be, fe;
		unsigned int want;
	} t[] = {
		/* backend Closing: stop, keep the grants */
		{ XenbusStateClosing, XenbusStateInitialising, VBMQ_FE_CLOSE_STOP },
		{ XenbusStateClosing, XenbusStateInitialised, VBMQ_FE_CLOSE_STOP },
		{ XenbusStateClosing, XenbusStateConnected, VBMQ_FE_CLOSE_STOP },
		{ XenbusStateClosing, XenbusStateClosing, 0 },
		{ XenbusStateClosing, XenbusStateClosed, 0 },
		/* backend Closed: it let go */
		{ XenbusStateClosed, XenbusStateInitialising, 0 },
		{ XenbusStateClosed, XenbusStateInitialised,
		  VBMQ_FE_CLOSE_STOP | VBMQ_FE_CLOSE_RELEASE },
		{ XenbusStateClosed, XenbusStateConnected,
		  VBMQ_FE_CLOSE_STOP | VBMQ_FE_CLOSE_RELEASE },
		{ XenbusStateClosed, XenbusStateClosing, VBMQ_FE_CLOSE_RELEASE },
		{ XenbusStateClosed, XenbusStateClosed, VBMQ_FE_CLOSE_RELEASE },
		/* backend gone: only after the frontend closed */
		{ XenbusStateUnknown, XenbusStateConnected, 0 },
		{ XenbusStateUnknown, XenbusStateInitialising, 0 },
		{ XenbusStateUnknown, XenbusStateClosed, VBMQ_FE_CLOSE_RELEASE },
		/* not a closing transition */
		{ XenbusStateInitWait, XenbusStateClosed, 0 },
		{ XenbusStateConnected, XenbusStateConnected, 0 },
		{ XenbusStateReconfiguring, XenbusStateConnected, 0 },
		/* junk from either side */
		{ 9, XenbusStateConnected, 0 },
		{ -1, XenbusStateClosed, 0 },
		{ 0x7fffffff, XenbusStateClosed, 0 },
		{ XenbusStateClosed, 9, VBMQ_FE_CLOSE_STOP | VBMQ_FE_CLOSE_RELEASE },
		{ XenbusStateClosing, -1, VBMQ_FE_CLOSE_STOP },
		{ XenbusStateUnknown, -1, 0 },
	};
	unsigned int i, a;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		is_uint(vbmq_fe_close_action(t[i].be, t[i].fe), t[i].want,
			"close action(be=%d, fe=%d)", t[i].be, t[i].fe);
	/* Release never comes without the frontend being (or going) Closed. */
	for (i = 0; i <= 9; i++) {
		a = vbmq_fe_close_action(XenbusStateClosed, (int)i);
		ok(!(a & R) || (a & S) || i == XenbusStateClosing ||
		   i == XenbusStateClosed, "release after close (fe=%u)", i);
	}
}

int main(void)
{
	test_nr_rings();
	test_nr_poll();
	test_limits();
	test_map();
	test_slots();
	test_responses();
	test_pack();
	test_grant_mode();
	test_pool();
	test_seg_span();
	test_close_action();
	test_vdev();
	return tap_done();
}
