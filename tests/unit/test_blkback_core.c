// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xen-blkback/blkback_core.c: ABI decoding against Xen's own
 * public blkif.h, request validation (hostile vectors), segment math, ring
 * sizes against ring.h's BACK_RING_INIT, device names, the adaptive
 * poll-window policy, when a poll yields (vbmq/poll.h, both drivers), and
 * the persistent-grant policy (holds, decisions, reclaim), alone and as a
 * model of a ring's grant tree.
 */
#include "tap.h"
#include "../../xen-blkback/blkback_core.c"
#include "le_put.h"
#include "vbmq/poll.h"

/* Tables leave trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void test_protocol(void)
{
	static const struct {
		const char *in;
		int ret;
		enum vbmq_be_abi abi;
	} c[] = {
		{ NULL, 0, VBMQ_BE_ABI_X86_64 },
		{ "", 0, VBMQ_BE_ABI_X86_64 },
		{ "x86_32-abi", 0, VBMQ_BE_ABI_X86_32 },
		{ "x86_64-abi", 0, VBMQ_BE_ABI_X86_64 },
		{ "x86_64-abi ", -EINVAL }, { "arm-abi", -EINVAL },
		{ "X86_32-abi", -EINVAL }, { "x86_32", -EINVAL },
	};
	enum vbmq_be_abi abi;
	unsigned int i;

	is_int(VBMQ_BE_ABI_NATIVE, VBMQ_BE_ABI_X86_64,
	       "native is the x86_64 layout on this host");
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		abi = (enum vbmq_be_abi)99;
		is_int(vbmq_be_parse_protocol(c[i].in, &abi), c[i].ret,
		       "protocol \"%s\"", c[i].in ? c[i].in : "(null)");
		if (!c[i].ret)
			is_int(abi, c[i].abi, "protocol abi");
	}
	is_str(vbmq_be_abi_name(VBMQ_BE_ABI_X86_32), "x86_32-abi", "name 32");
	is_str(vbmq_be_abi_name(VBMQ_BE_ABI_X86_64), "x86_64-abi", "name 64");
}

static void test_ring_sizes(void)
{
	static const unsigned int pages[] = { 1, 2, 4, 8, 16 };
	static u8 buf[16 * 4096];
	struct vbmq_be_r32_back_ring r32;
	struct vbmq_be_r64_back_ring r64;
	struct blkif_back_ring rn;
	unsigned int i;

	is_uint(sizeof(union vbmq_be_r32_sring_entry), 108, "x86_32 slot");
	is_uint(sizeof(union vbmq_be_r64_sring_entry), 112, "x86_64 slot");
	is_uint(sizeof(struct blkif_request), VBMQ_BE_REQ64_SIZE,
		"Xen's native request is the x86_64 slot");
	is_uint(sizeof(struct blkif_response), VBMQ_BE_RSP64_SIZE,
		"Xen's native response");
	is_uint(offsetof(struct vbmq_be_r32_sring, ring), 64, "ring header");
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		size_t sz = pages[i] * 4096;

		BACK_RING_INIT(&r32, (struct vbmq_be_r32_sring *)buf, sz);
		BACK_RING_INIT(&r64, (struct vbmq_be_r64_sring *)buf, sz);
		BACK_RING_INIT(&rn, (struct blkif_sring *)buf, sz);
		is_uint(vbmq_be_ring_entries(VBMQ_BE_ABI_X86_32, pages[i]),
			RING_SIZE(&r32), "x86_32 entries, %u pages", pages[i]);
		is_uint(vbmq_be_ring_entries(VBMQ_BE_ABI_X86_64, pages[i]),
			RING_SIZE(&r64), "x86_64 entries, %u pages", pages[i]);
		is_uint(RING_SIZE(&rn), RING_SIZE(&r64),
			"native ring matches x86_64, %u pages", pages[i]);
	}
	is_uint(vbmq_be_ring_entries(VBMQ_BE_ABI_X86_64, 1), 32, "1 page: 32");
	is_uint(vbmq_be_ring_entries(VBMQ_BE_ABI_X86_64, 16), 512,
		"16 pages: 512");
	is_uint(vbmq_be_ring_entries(VBMQ_BE_ABI_X86_32, 0), 0, "0 pages: 0");
}

/* x86_64: Xen's public structs have exactly this layout on this host. */
static void test_decode64(void)
{
	union {
		struct blkif_request rw;
		struct blkif_request_discard d;
		struct blkif_request_indirect ind;
		u8 b[VBMQ_BE_REQ64_SIZE];
	} u;
	struct vbmq_be_req r;
	unsigned int i;

	memset(&u, 0xa5, sizeof(u));
	u.rw.operation = BLKIF_OP_WRITE;
	u.rw.nr_segments = 11;
	u.rw.handle = 51712;
	u.rw.id = 0x1122334455667788ull;
	u.rw.sector_number = 0x0102030405060708ull;
	for (i = 0; i < 11; i++) {
		u.rw.seg[i].gref = 1000 + i;
		u.rw.seg[i].first_sect = (u8)(i % 8);
		u.rw.seg[i].last_sect = 7;
	}
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_64, u.b, &r);
	is_uint(r.operation, BLKIF_OP_WRITE, "rw op");
	is_uint(r.op, BLKIF_OP_WRITE, "rw effective op");
	is_uint(r.nr_segments, 11, "rw nseg");
	is_uint(r.handle, 51712, "rw handle");
	is_uint(r.id, 0x1122334455667788ull, "rw id");
	is_uint(r.sector, 0x0102030405060708ull, "rw sector");
	for (i = 0; i < 11; i++) {
		is_uint(r.seg[i].gref, 1000 + i, "seg %u gref", i);
		is_uint(r.seg[i].first_sect, i % 8, "seg %u first", i);
		is_uint(r.seg[i].last_sect, 7, "seg %u last", i);
	}

	memset(&u, 0x5a, sizeof(u));
	u.d.operation = BLKIF_OP_DISCARD;
	u.d.flag = BLKIF_DISCARD_SECURE;
	u.d.id = 42;
	u.d.sector_number = 4096;
	u.d.nr_sectors = 0xffffffffffull;
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_64, u.b, &r);
	is_uint(r.operation, BLKIF_OP_DISCARD, "discard op");
	is_uint(r.discard_flags, BLKIF_DISCARD_SECURE, "discard flag");
	is_uint(r.id, 42, "discard id");
	is_uint(r.sector, 4096, "discard sector");
	is_uint(r.nr_sectors, 0xffffffffffull, "discard nr_sectors");
	is_uint(r.nr_segments, 0, "discard has no segments");

	memset(&u, 0xff, sizeof(u));
	u.ind.operation = BLKIF_OP_INDIRECT;
	u.ind.indirect_op = BLKIF_OP_READ;
	u.ind.nr_segments = 1000;
	u.ind.id = 7;
	u.ind.sector_number = 99;
	u.ind.handle = 51728;
	for (i = 0; i < 8; i++)
		u.ind.indirect_grefs[i] = 0x10000 + i;
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_64, u.b, &r);
	is_uint(r.operation, BLKIF_OP_INDIRECT, "indirect op");
	is_uint(r.op, BLKIF_OP_READ, "indirect effective op");
	is_uint(r.nr_segments, 1000, "indirect nseg (16 bit)");
	is_uint(r.id, 7, "indirect id");
	is_uint(r.sector, 99, "indirect sector");
	is_uint(r.handle, 51728, "indirect handle");
	for (i = 0; i < 8; i++)
		is_uint(r.indirect_gref[i], 0x10000 + i, "indirect gref %u", i);
}

/* x86_32: 4-byte aligned u64, so everything from id on moves by 4. */
static void test_decode32(void)
{
	u8 b[VBMQ_BE_REQ32_SIZE];
	struct vbmq_be_req r;

	memset(b, 0xee, sizeof(b));
	b[0] = BLKIF_OP_READ;
	b[1] = 2;
	put16(b + 2, 768);
	put64(b + 4, 0xdeadbeefcafef00dull);
	put64(b + 12, 123456789);
	put32(b + 20, 77);
	b[24] = 1;
	b[25] = 6;
	put32(b + 28, 78);
	b[32] = 0;
	b[33] = 7;
	put32(b + 100, 0x99);	/* last of the 11 segments */
	b[104] = 3;
	b[105] = 4;
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_32, b, &r);
	is_uint(r.operation, BLKIF_OP_READ, "32 op");
	is_uint(r.nr_segments, 2, "32 nseg");
	is_uint(r.handle, 768, "32 handle");
	is_uint(r.id, 0xdeadbeefcafef00dull, "32 id");
	is_uint(r.sector, 123456789, "32 sector");
	is_uint(r.seg[0].gref, 77, "32 seg0 gref");
	is_uint(r.seg[0].first_sect, 1, "32 seg0 first");
	is_uint(r.seg[0].last_sect, 6, "32 seg0 last");
	is_uint(r.seg[1].gref, 78, "32 seg1 gref");
	is_uint(r.seg[10].gref, 0x99, "32 seg10 gref (end of slot)");
	is_uint(r.seg[10].last_sect, 4, "32 seg10 last");

	memset(b, 0, sizeof(b));
	b[0] = BLKIF_OP_INDIRECT;
	b[1] = BLKIF_OP_WRITE;
	put16(b + 2, 513);
	put64(b + 4, 5);
	put64(b + 12, 6);
	put16(b + 20, 51712);
	put32(b + 24, 0xaaaa);
	put32(b + 52, 0xbbbb);
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_32, b, &r);
	is_uint(r.op, BLKIF_OP_WRITE, "32 indirect op");
	is_uint(r.nr_segments, 513, "32 indirect nseg");
	is_uint(r.id, 5, "32 indirect id");
	is_uint(r.sector, 6, "32 indirect sector");
	is_uint(r.handle, 51712, "32 indirect handle");
	is_uint(r.indirect_gref[0], 0xaaaa, "32 indirect gref0");
	is_uint(r.indirect_gref[7], 0xbbbb, "32 indirect gref7");

	memset(b, 0, sizeof(b));
	b[0] = BLKIF_OP_DISCARD;
	put64(b + 4, 9);
	put64(b + 12, 100);
	put64(b + 20, 200);
	vbmq_be_decode_req(VBMQ_BE_ABI_X86_32, b, &r);
	is_uint(r.id, 9, "32 discard id");
	is_uint(r.sector, 100, "32 discard sector");
	is_uint(r.nr_sectors, 200, "32 discard nr");
}

static void test_rsp(void)
{
	u8 slot[VBMQ_BE_RSP64_SIZE + 4];
	struct blkif_response rsp;

	memset(slot, 0xcc, sizeof(slot));
	vbmq_be_encode_rsp(VBMQ_BE_ABI_X86_64, slot, 0x0102030405060708ull,
			   BLKIF_OP_INDIRECT, BLKIF_RSP_EOPNOTSUPP);
	memcpy(&rsp, slot, sizeof(rsp));
	is_uint(rsp.id, 0x0102030405060708ull, "rsp64 id");
	is_uint(rsp.operation, BLKIF_OP_INDIRECT, "rsp64 op");
	is_int(rsp.status, BLKIF_RSP_EOPNOTSUPP, "rsp64 status");
	is_uint(slot[9], 0, "rsp64 padding zeroed");
	is_uint(slot[15], 0, "rsp64 tail zeroed");
	is_uint(slot[16], 0xcc, "rsp64 writes 16 bytes only");

	memset(slot, 0xcc, sizeof(slot));
	vbmq_be_encode_rsp(VBMQ_BE_ABI_X86_32, slot, 3, BLKIF_OP_READ,
			   BLKIF_RSP_ERROR);
	is_uint(slot[0], 3, "rsp32 id");
	is_uint(slot[8], BLKIF_OP_READ, "rsp32 op");
	is_uint(slot[10], 0xff, "rsp32 status lo");
	is_uint(slot[11], 0xff, "rsp32 status hi");
	is_uint(slot[12], 0xcc, "rsp32 writes 12 bytes only");
}

static void test_indirect_segs(void)
{
	static u8 page[VBMQ_GRANT_SIZE * 2];
	static struct vbmq_be_seg seg[VBMQ_SEGS_PER_INDIRECT_PAGE * 2];
	struct blkif_request_segment xs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seg); i++) {
		xs.gref = i * 3;
		xs.first_sect = (u8)(i & 7);
		xs.last_sect = 7;
		memcpy(page + i * sizeof(xs), &xs, sizeof(xs));
	}
	is_uint(sizeof(xs), VBMQ_SEG_SIZE, "segment is 8 bytes");
	vbmq_be_decode_segs(page, ARRAY_SIZE(seg), seg);
	is_uint(seg[0].gref, 0, "iseg 0");
	is_uint(seg[513].gref, 1539, "iseg 513 (second page)");
	is_uint(seg[513].first_sect, 1, "iseg 513 first");
	is_uint(seg[1023].last_sect, 7, "iseg 1023 last");
	is_uint(vbmq_be_indirect_pages(1), 1, "1 seg: 1 page");
	is_uint(vbmq_be_indirect_pages(512), 1, "512 segs: 1 page");
	is_uint(vbmq_be_indirect_pages(513), 2, "513 segs: 2 pages");
	is_uint(vbmq_be_indirect_pages(4096), 8, "4096 segs: 8 pages");
	is_uint(VBMQ_MAX_INDIRECT_SEGS, 4096, "max indirect segments");
}

struct check_case {
	const char *what;
	u8 operation, op, nseg_direct;
	u16 nseg, handle;
	u64 sector, nr_sectors;
	u8 first, last;		/* applied to every direct segment */
	u8 flags;
	enum vbmq_be_verdict want;
	u64 want_sectors;
};

static const struct vbmq_be_limits base_lim = {
	.dev_sectors = 1000, .lb_sects = 1, .flush = true, .barrier = true,
	.discard = true, .discard_secure = false, .max_indirect_segs = 256,
};

static void test_check(void)
{
	static const struct check_case c[] = {
		{ "read 1 seg", BLKIF_OP_READ, 0, 1, 0, 51712, 0, 0, 0, 7, 0,
		  VBMQ_BE_OK, 8 },
		{ "write 11 segs", BLKIF_OP_WRITE, 0, 11, 0, 51712, 0, 0, 0, 7,
		  0, VBMQ_BE_OK, 88 },
		{ "read sub-page", BLKIF_OP_READ, 0, 2, 0, 51712, 10, 0, 3, 3,
		  0, VBMQ_BE_OK, 2 },
		{ "read 0 segs", BLKIF_OP_READ, 0, 0, 0, 51712, 0, 0, 0, 7, 0,
		  VBMQ_BE_BAD_NSEG },
		{ "read 12 segs", BLKIF_OP_READ, 0, 12, 0, 51712, 0, 0, 0, 7,
		  0, VBMQ_BE_BAD_NSEG },
		{ "read 255 segs", BLKIF_OP_READ, 0, 255, 0, 51712, 0, 0, 0, 7,
		  0, VBMQ_BE_BAD_NSEG },
		{ "last_sect 8", BLKIF_OP_READ, 0, 1, 0, 51712, 0, 0, 0, 8, 0,
		  VBMQ_BE_BAD_SECT },
		{ "last_sect 255", BLKIF_OP_WRITE, 0, 1, 0, 51712, 0, 0, 0,
		  255, 0, VBMQ_BE_BAD_SECT },
		{ "first > last", BLKIF_OP_READ, 0, 1, 0, 51712, 0, 0, 5, 4, 0,
		  VBMQ_BE_BAD_SECT },
		{ "ends at disk end", BLKIF_OP_READ, 0, 1, 0, 51712, 992, 0, 0,
		  7, 0, VBMQ_BE_OK, 8 },
		{ "one past the end", BLKIF_OP_READ, 0, 1, 0, 51712, 993, 0, 0,
		  7, 0, VBMQ_BE_BAD_RANGE },
		{ "sector = size", BLKIF_OP_READ, 0, 1, 0, 51712, 1000, 0, 0,
		  0, 0, VBMQ_BE_BAD_RANGE },
		{ "sector wraps u64", BLKIF_OP_READ, 0, 2, 0, 51712,
		  0xfffffffffffffff9ull, 0, 0, 7, 0, VBMQ_BE_BAD_RANGE },
		{ "sector = 2^63", BLKIF_OP_WRITE, 0, 1, 0, 51712,
		  0x8000000000000000ull, 0, 0, 7, 0, VBMQ_BE_BAD_RANGE },
		{ "other handle: ignored", BLKIF_OP_READ, 0, 1, 0, 1, 0, 0, 0,
		  7, 0, VBMQ_BE_OK, 8 },
		{ "truncated pointer as handle: ignored", BLKIF_OP_WRITE, 0, 2,
		  0, 0xbeef, 8, 0, 0, 7, 0, VBMQ_BE_OK, 16 },
		{ "unknown op 4", 4, 0, 1, 0, 51712, 0, 0, 0, 7, 0,
		  VBMQ_BE_BAD_OP },
		{ "unknown op 255", 255, 0, 1, 0, 51712, 0, 0, 0, 7, 0,
		  VBMQ_BE_BAD_OP },
		{ "flush no data", BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0,
		  0xffffffffffffffffull, 0, 0, 0, 0, VBMQ_BE_OK },
		{ "flush with data", BLKIF_OP_FLUSH_DISKCACHE, 0, 2, 0, 51712,
		  8, 0, 0, 7, 0, VBMQ_BE_OK, 16 },
		{ "flush 12 segs", BLKIF_OP_FLUSH_DISKCACHE, 0, 12, 0, 51712, 0,
		  0, 0, 7, 0, VBMQ_BE_BAD_NSEG },
		{ "barrier with data", BLKIF_OP_WRITE_BARRIER, 0, 1, 0, 51712,
		  0, 0, 0, 7, 0, VBMQ_BE_OK, 8 },
		{ "barrier out of range", BLKIF_OP_WRITE_BARRIER, 0, 1, 0,
		  51712, 999, 0, 0, 7, 0, VBMQ_BE_BAD_RANGE },
		{ "discard", BLKIF_OP_DISCARD, 0, 0, 0, 0, 0, 1000, 0, 0, 0,
		  VBMQ_BE_OK },
		{ "discard past end", BLKIF_OP_DISCARD, 0, 0, 0, 0, 1, 1000, 0,
		  0, 0, VBMQ_BE_BAD_RANGE },
		{ "discard wraps", BLKIF_OP_DISCARD, 0, 0, 0, 0, 10,
		  0xfffffffffffffff8ull, 0, 0, 0, VBMQ_BE_BAD_RANGE },
		{ "discard empty", BLKIF_OP_DISCARD, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  VBMQ_BE_BAD_DISCARD },
		{ "discard secure", BLKIF_OP_DISCARD, 0, 0, 0, 0, 0, 8, 0, 0,
		  BLKIF_DISCARD_SECURE, VBMQ_BE_NOTSUPP },
		{ "discard bad flag", BLKIF_OP_DISCARD, 0, 0, 0, 0, 0, 8, 0, 0,
		  0x80, VBMQ_BE_BAD_DISCARD },
		{ "indirect read", BLKIF_OP_INDIRECT, BLKIF_OP_READ, 0, 256,
		  51712, 0, 0, 0, 0, 0, VBMQ_BE_OK },
		{ "indirect 257 > max", BLKIF_OP_INDIRECT, BLKIF_OP_READ, 0,
		  257, 51712, 0, 0, 0, 0, 0, VBMQ_BE_BAD_NSEG },
		{ "indirect 0 segs", BLKIF_OP_INDIRECT, BLKIF_OP_WRITE, 0, 0,
		  51712, 0, 0, 0, 0, 0, VBMQ_BE_BAD_NSEG },
		{ "indirect 65535 segs", BLKIF_OP_INDIRECT, BLKIF_OP_WRITE, 0,
		  65535, 51712, 0, 0, 0, 0, 0, VBMQ_BE_BAD_NSEG },
		{ "indirect flush", BLKIF_OP_INDIRECT,
		  BLKIF_OP_FLUSH_DISKCACHE, 0, 8, 51712, 0, 0, 0, 0, 0,
		  VBMQ_BE_BAD_INDIRECT_OP },
		{ "indirect in indirect", BLKIF_OP_INDIRECT, BLKIF_OP_INDIRECT,
		  0, 8, 51712, 0, 0, 0, 0, 0, VBMQ_BE_BAD_INDIRECT_OP },
		{ "indirect other handle: ignored", BLKIF_OP_INDIRECT,
		  BLKIF_OP_READ, 0, 8, 0, 0, 0, 0, 0, 0, VBMQ_BE_OK },
	};
	struct vbmq_be_req r;
	enum vbmq_be_verdict v;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&r, 0, sizeof(r));
		r.operation = c[i].operation;
		r.op = c[i].operation == BLKIF_OP_INDIRECT ? c[i].op :
			c[i].operation;
		r.nr_segments = c[i].operation == BLKIF_OP_INDIRECT ?
			c[i].nseg : c[i].nseg_direct;
		r.handle = c[i].handle;
		r.sector = c[i].sector;
		r.nr_sectors = c[i].nr_sectors;
		r.discard_flags = c[i].flags;
		for (j = 0; j < BLKIF_MAX_SEGMENTS_PER_REQUEST; j++) {
			r.seg[j].first_sect = c[i].first;
			r.seg[j].last_sect = c[i].last;
		}
		v = vbmq_be_check_req(&r, &base_lim);
		if (!ok(v == c[i].want, "check: %s", c[i].what))
			printf("#   got %s, want %s\n", vbmq_be_verdict_str(v),
			       vbmq_be_verdict_str(c[i].want));
		if (v == VBMQ_BE_OK && c[i].want_sectors)
			is_uint(r.nr_sectors, c[i].want_sectors,
				"sectors: %s", c[i].what);
	}
}

/* READ/WRITE on a disk with 4 KiB logical blocks (8 sectors). */
static void test_check_align(void)
{
	static const struct {
		const char *what;
		u64 sector;
		u8 first, last;		/* of segment 1 */
		enum vbmq_be_verdict want;
	} c[] = {
		{ "whole blocks", 8, 0, 7, VBMQ_BE_OK },
		{ "start not on a block", 4, 0, 7, VBMQ_BE_BAD_ALIGN },
		{ "start 1 sector in", 1, 0, 7, VBMQ_BE_BAD_ALIGN },
		{ "a segment of 1 sector", 8, 0, 0, VBMQ_BE_BAD_ALIGN },
		{ "a segment of 4 sectors", 8, 4, 7, VBMQ_BE_BAD_ALIGN },
		{ "a segment of 7 sectors", 8, 1, 7, VBMQ_BE_BAD_ALIGN },
		{ "aligned but past the end", 1008, 0, 7, VBMQ_BE_BAD_RANGE },
		{ "bad sectors before alignment", 8, 0, 8, VBMQ_BE_BAD_SECT },
	};
	struct vbmq_be_limits lim = base_lim;
	struct vbmq_be_seg seg[3];
	struct vbmq_be_req r;
	unsigned int i;
	u64 n;

	lim.dev_sectors = 1024;
	lim.lb_sects = 8;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&r, 0, sizeof(r));
		r.operation = i % 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		r.op = r.operation;
		r.nr_segments = 3;
		r.sector = c[i].sector;
		r.seg[0].last_sect = 7;
		r.seg[1].first_sect = c[i].first;
		r.seg[1].last_sect = c[i].last;
		r.seg[2].last_sect = 7;
		is_int(vbmq_be_check_req(&r, &lim), c[i].want, "4k direct: %s",
		       c[i].what);
		memcpy(seg, r.seg, sizeof(seg));
		n = 0;
		is_int(vbmq_be_check_segs(seg, 3, c[i].sector, &lim, &n),
		       c[i].want, "4k segs (indirect): %s", c[i].what);
		if (c[i].want == VBMQ_BE_OK)
			is_uint(n, 24, "4k segs: %s: 24 sectors", c[i].what);
	}
	/* 1 KiB blocks: a sub-page segment of two sectors at offset 512. */
	lim.lb_sects = 2;
	seg[0] = (struct vbmq_be_seg){ .first_sect = 1, .last_sect = 2 };
	is_int(vbmq_be_check_segs(seg, 1, 2, &lim, &n), VBMQ_BE_OK,
	       "1k: 2 sectors at offset 512");
	is_int(vbmq_be_check_segs(seg, 1, 3, &lim, &n), VBMQ_BE_BAD_ALIGN,
	       "1k: odd start sector");
	seg[0].last_sect = 3;
	is_int(vbmq_be_check_segs(seg, 1, 2, &lim, &n), VBMQ_BE_BAD_ALIGN,
	       "1k: 3 sectors");
	/* lb_sects 0 counts as 512-byte blocks. */
	lim.lb_sects = 0;
	is_int(vbmq_be_check_segs(seg, 1, 3, &lim, &n), VBMQ_BE_OK,
	       "lb_sects 0: any sector");
}

static void test_bad_backoff(void)
{
	struct vbmq_be_bad b = { 0 };
	u64 t = 1000000000ull, ms = 1000000ull;
	unsigned int i;

	is_uint(vbmq_be_bad_pass(&b, t, 0), 0, "bad: none, no pause");
	is_uint(vbmq_be_bad_pass(&b, t, 64), 0, "bad: 64 in a window are free");
	is_uint(vbmq_be_bad_pass(&b, t + ms, 1), ms,
		"bad: the 65th in the window pauses 1 ms");
	/* Each further window over the limit doubles the pause. */
	is_uint(vbmq_be_bad_pass(&b, t + 2 * ms, 65), 2 * ms,
		"bad: the next window over: 2 ms");
	is_uint(vbmq_be_bad_pass(&b, t + 5 * ms, 65), 4 * ms,
		"bad: then 4 ms");
	for (i = 0; i < 10; i++)
		vbmq_be_bad_pass(&b, t + (10 + i) * ms, 65);
	is_uint(vbmq_be_bad_pass(&b, t + 30 * ms, 65),
		VBMQ_BE_BAD_PAUSE_MAX_NS, "bad: capped at 64 ms");
	/* A calm window (within the limit) ends the back-off. */
	is_uint(vbmq_be_bad_pass(&b, t + 200 * ms, 3), 0,
		"bad: 3 in a new window: no pause");
	is_uint(vbmq_be_bad_pass(&b, t + 211 * ms, 0), 0,
		"bad: next window starts");
	is_uint(vbmq_be_bad_pass(&b, t + 212 * ms, 65), ms,
		"bad: after a calm window the pause starts again at 1 ms");
	/* Bad requests spread thinly never pause. */
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 1000; i++)
		if (vbmq_be_bad_pass(&b, t + i * 11 * ms, 60))
			break;
	is_uint(i, 1000, "bad: 1000 windows of 60 (one per 11 ms), no pause");
}

static void test_check_features(void)
{
	struct vbmq_be_limits lim = base_lim;
	struct vbmq_be_req r;

	memset(&r, 0, sizeof(r));
	r.operation = BLKIF_OP_WRITE;
	r.op = BLKIF_OP_WRITE;
	r.nr_segments = 1;
	r.handle = 51712;
	r.seg[0].last_sect = 7;
	lim.readonly = true;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_READONLY, "ro write");
	r.operation = BLKIF_OP_READ;
	r.op = BLKIF_OP_READ;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_OK, "ro read");
	r.operation = BLKIF_OP_WRITE_BARRIER;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_READONLY,
	       "ro barrier with data");
	r.operation = BLKIF_OP_FLUSH_DISKCACHE;
	r.nr_segments = 0;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_OK, "ro bare flush");
	r.operation = BLKIF_OP_DISCARD;
	r.nr_sectors = 8;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_READONLY, "ro discard");
	r.operation = BLKIF_OP_INDIRECT;
	r.op = BLKIF_OP_WRITE;
	r.nr_segments = 4;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_READONLY,
	       "ro indirect write");

	lim = base_lim;
	lim.flush = false;
	lim.barrier = false;
	lim.discard = false;
	lim.max_indirect_segs = 0;
	r.operation = BLKIF_OP_FLUSH_DISKCACHE;
	r.nr_segments = 0;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_NOTSUPP, "no flush");
	r.operation = BLKIF_OP_WRITE_BARRIER;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_NOTSUPP, "no barrier");
	r.operation = BLKIF_OP_DISCARD;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_NOTSUPP, "no discard");
	r.operation = BLKIF_OP_INDIRECT;
	r.nr_segments = 4;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_NOTSUPP, "no indirect");

	lim = base_lim;
	lim.discard_secure = true;
	r.operation = BLKIF_OP_DISCARD;
	r.discard_flags = BLKIF_DISCARD_SECURE;
	r.sector = 0;
	r.nr_sectors = 8;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_OK, "secure discard");

	/* Indirect: header check sets the page count. */
	r.operation = BLKIF_OP_INDIRECT;
	r.op = BLKIF_OP_READ;
	r.nr_segments = 256;
	lim.max_indirect_segs = 4096;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_OK, "indirect 256");
	is_uint(r.nr_indirect_pages, 1, "256 segs in 1 page");
	r.nr_segments = 4096;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_OK, "indirect 4096");
	is_uint(r.nr_indirect_pages, 8, "4096 segs in 8 pages");
	r.nr_segments = 4097;
	lim.max_indirect_segs = 65535;
	is_int(vbmq_be_check_req(&r, &lim), VBMQ_BE_BAD_NSEG,
	       "indirect above 8 pages even if the limit is bogus");

	is_int(vbmq_be_verdict_status(VBMQ_BE_OK), BLKIF_RSP_OKAY, "ok status");
	is_int(vbmq_be_verdict_status(VBMQ_BE_NOTSUPP), BLKIF_RSP_EOPNOTSUPP,
	       "notsupp status");
	is_int(vbmq_be_verdict_status(VBMQ_BE_BAD_RANGE), BLKIF_RSP_ERROR,
	       "error status");
	is_str(vbmq_be_verdict_str(VBMQ_BE_VERDICT_COUNT), "?", "bad verdict");
}

static void test_segs(void)
{
	static struct vbmq_be_seg seg[VBMQ_MAX_INDIRECT_SEGS];
	struct vbmq_be_limits lim = base_lim;
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seg); i++) {
		seg[i].first_sect = 0;
		seg[i].last_sect = 7;
	}
	lim.dev_sectors = 4096 * 8;
	is_int(vbmq_be_check_segs(seg, 4096, 0, &lim, &n), VBMQ_BE_OK,
	       "4096 full pages fit exactly");
	is_uint(n, 32768, "32768 sectors");
	is_int(vbmq_be_check_segs(seg, 4096, 1, &lim, &n), VBMQ_BE_BAD_RANGE,
	       "one sector too far");
	seg[4095].first_sect = 200;
	seg[4095].last_sect = 100;
	is_int(vbmq_be_check_segs(seg, 4096, 0, &lim, &n), VBMQ_BE_BAD_SECT,
	       "bad last indirect segment");
	is_int(vbmq_be_check_segs(seg, 0, 0, &lim, &n), VBMQ_BE_OK,
	       "no segments");
	is_uint(vbmq_be_seg_offset(&(struct vbmq_be_seg){ 0, 3, 5 }), 1536,
		"offset of sector 3");
	is_uint(vbmq_be_seg_len(&(struct vbmq_be_seg){ 0, 3, 5 }), 1536,
		"length of sectors 3..5");
	is_uint(vbmq_be_seg_len(&(struct vbmq_be_seg){ 0, 0, 7 }), 4096,
		"full page");
	ok(vbmq_be_range_ok(0, 0, 0), "empty range on empty disk");
	ok(!vbmq_be_range_ok(1, 0, 0), "sector past an empty disk");
	ok(vbmq_be_range_ok(~0ull - 1, 1, ~0ull), "range at u64 end");
	ok(!vbmq_be_range_ok(~0ull, 1, ~0ull), "range past u64 end");
	ok(!vbmq_be_range_ok(2, ~0ull, ~0ull), "huge count");
}

static void test_names(void)
{
	static const struct {
		u32 devid;
		const char *name;
	} c[] = {
		{ 51712, "xvda" }, { 51713, "xvda1" }, { 51728, "xvdb" },
		{ 51729, "xvdb1" }, { (202 << 8) | (15 << 4), "xvdp" },
		{ 2048, "sda" }, { 2049, "sda1" }, { 2064, "sdb" },
		{ 768, "hda" }, { 832, "hdb" }, { 5632, "hdc" }, { 5696, "hdd" },
		{ (1u << 28) | (26 << 8), "xvdaa" },
		{ (1u << 28) | (27 << 8) | 2, "xvdab2" },
		{ (1u << 28) | (701 << 8), "xvdzz" },
		{ (1u << 28) | (702 << 8), "xvdaaa" },
		{ 4096, "4096" }, { 0xf0000000u, "4026531840" }, { 0, "0" },
	};
	char buf[32], tiny[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		vbmq_be_vdev_name(c[i].devid, buf, sizeof(buf));
		is_str(buf, c[i].name, "devid %u", c[i].devid);
	}
	is_int(vbmq_be_vdev_name(51713, tiny, sizeof(tiny)), 5,
	       "short buffer reports full length");
	is_str(tiny, "xvd", "short buffer truncated");
	vbmq_be_vdev_name((1u << 28) | 0x0fffff00u, buf, sizeof(buf));
	ok(strlen(buf) > 3 && !strncmp(buf, "xvd", 3), "largest ext: %s",
	   buf);
}

/* include/vbmq/vdev.h: the encoder and decoder agree, the letters. */
static void test_vdev_codec(void)
{
	static const u32 disks[] = { 0, 1, 15, 16, 25, 26, 701, 702, 4095,
				     0xfffff };
	static const u32 parts[] = { 0, 1, 15, 16, 255 };
	u32 i, j, v, d, p, n;
	char buf[8];

	for (i = 0; i < ARRAY_SIZE(disks); i++)
		for (j = 0; j < ARRAY_SIZE(parts); j++) {
			v = vbmq_vdev_xvd(disks[i], parts[j]);
			ok(!vbmq_vdev_xvd_decode(v, &d, &p, &n) &&
			   d == disks[i] && p == parts[j] &&
			   n == (v & VBMQ_VDEV_EXT ? 256 : 16),
			   "xvd %u part %u <-> %#x", disks[i], parts[j], v);
		}
	is_int(vbmq_vdev_xvd_decode(8 << 8, &d, &p, &n), -ENODEV,
	       "sda is not an xvd number");
	is_int(vbmq_vdev_xvd_decode(3u << 28, &d, &p, &n), -EINVAL,
	       "bits above 28");
	is_int(vbmq_vdev_letters(0, buf, sizeof(buf)), 1, "index 0");
	is_str(buf, "a", "index 0 is a");
	vbmq_vdev_letters(25, buf, sizeof(buf));
	is_str(buf, "z", "index 25 is z");
	vbmq_vdev_letters(26, buf, sizeof(buf));
	is_str(buf, "aa", "index 26 is aa");
	is_int(vbmq_vdev_letters(0xffffffffu, buf, sizeof(buf)), 7,
	       "largest index: 7 letters");
	is_int(vbmq_vdev_letters(26, buf, 2), -ENAMETOOLONG,
	       "no room for aa");
}

static void test_thread_names(void)
{
	static const struct {
		unsigned int domid, ring;
		const char *vdev, *name;
	} c[] = {
		{ 3, 1, "xvda", "vbmq3.xvda-1" },
		{ 123, 15, "xvdb", "vbmq123.xvdb-15" },
		{ 1234, 15, "xvdb", "vb1234.xvdb-15" },
		{ 32767, 31, "xvdaa", "vb32767.xvda-31" },
		{ 32767, 31, "51712", "vb32767.5171-31" },
		{ 7, 0, "268435456", "vbmq7.268435456-0" },
		{ 4294967295u, 4294967295u, "xvda", "4294967295-4294" },
	};
	char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		vbmq_be_thread_name(buf, sizeof(buf), c[i].domid, c[i].vdev,
				    c[i].ring);
		ok(strlen(buf) <= 15, "name fits a comm: %s", buf);
		if (strlen(c[i].name) <= 15)
			is_str(buf, c[i].name, "thread name %u/%s/%u",
			       c[i].domid, c[i].vdev, c[i].ring);
	}
	is_int(vbmq_be_thread_name(buf, 0, 1, "xvda", 0), 0, "empty buffer");
}

static void test_poll(void)
{
	struct vbmq_be_poll p;

	vbmq_be_poll_init(&p, 32000);
	is_uint(p.window_ns, 4000, "starts at 4 us");
	is_int(vbmq_be_poll_idle_end(&p, 3000), VBMQ_BE_POLL_HIT, "hit");
	is_uint(p.window_ns, 4000, "hit keeps the window");
	is_int(vbmq_be_poll_idle_end(&p, 5000), VBMQ_BE_POLL_GROW, "grow");
	is_uint(p.window_ns, 8000, "x2");
	vbmq_be_poll_idle_end(&p, 9000);
	is_uint(p.window_ns, 16000, "x2 again");
	vbmq_be_poll_idle_end(&p, 20000);
	is_uint(p.window_ns, 32000, "capped at max");
	is_int(vbmq_be_poll_idle_end(&p, 32000), VBMQ_BE_POLL_HIT,
	       "idle == window is a hit");
	is_int(vbmq_be_poll_idle_end(&p, 32001), VBMQ_BE_POLL_SHRINK,
	       "beyond max shrinks");
	is_uint(p.window_ns, 16000, "/2");
	vbmq_be_poll_idle_end(&p, 1000000);
	vbmq_be_poll_idle_end(&p, 1000000);
	is_uint(p.window_ns, 4000, "down to start");
	vbmq_be_poll_idle_end(&p, 1000000);
	is_uint(p.window_ns, 0, "below start: no polling");
	vbmq_be_poll_idle_end(&p, ~0ull);
	is_uint(p.window_ns, 0, "stays 0");
	is_int(vbmq_be_poll_idle_end(&p, 0), VBMQ_BE_POLL_HIT,
	       "zero idle is a hit");
	is_int(vbmq_be_poll_idle_end(&p, 10000), VBMQ_BE_POLL_GROW,
	       "grow from 0");
	is_uint(p.window_ns, 4000, "0 -> start");

	vbmq_be_poll_set_max(&p, 3000);
	is_uint(p.window_ns, 3000, "new cap clamps");
	vbmq_be_poll_idle_end(&p, 2999 + 1);
	is_uint(p.window_ns, 3000, "hit at cap");
	is_int(vbmq_be_poll_idle_end(&p, 3001), VBMQ_BE_POLL_SHRINK,
	       "above tiny cap shrinks");
	is_uint(p.window_ns, 0, "1500 < start -> 0");
	is_int(vbmq_be_poll_idle_end(&p, 2000), VBMQ_BE_POLL_GROW,
	       "grow under tiny cap");
	is_uint(p.window_ns, 3000, "start clamped to cap");

	vbmq_be_poll_init(&p, 0);
	is_uint(p.window_ns, 0, "cap 0: no window");
	is_int(vbmq_be_poll_idle_end(&p, 1), VBMQ_BE_POLL_SHRINK,
	       "cap 0 never grows");
	is_uint(p.window_ns, 0, "still 0");

	vbmq_be_poll_init(&p, 10000000);
	vbmq_be_poll_idle_end(&p, 9000000);
	is_uint(p.window_ns, 8000, "large cap: one doubling per grow");
	p.window_ns = 6000000;
	vbmq_be_poll_idle_end(&p, 9000000);
	is_uint(p.window_ns, 10000000, "doubling past the cap clamps");
}

/* vbmq/poll.h: when an empty poll yields the vCPU (both drivers). */
static void test_poll_yield(void)
{
	static const struct {
		u64 since, now, yield_ns;
		bool due;
		const char *what;
	} t[] = {
		{ 1000, 51000, 50000, true, "idle exactly poll_yield_us: yield" },
		{ 1000, 50999, 50000, false, "1 ns short: spin" },
		{ 1000, 900000, 50000, true, "long idle: every further poll yields" },
		{ 1000, 900000, 0, false, "poll_yield_us=0: never" },
		{ 5000, 4000, 50000, false, "a clock behind idle_since: spin" },
		{ 5000, 5000, 1, false, "no time passed: spin" },
		{ 0, ~0ull, 1000000000000ull, true, "the largest span" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		ok(vbmq_poll_yield_due(t[i].since, t[i].now, t[i].yield_ns) ==
		   t[i].due, "poll yield: %s", t[i].what);
}

static void test_pg_decide(void)
{
	static const struct {
		bool mapped;
		struct vbmq_be_pg_use e;
		bool need_write;
		unsigned int nr, bound;
		enum vbmq_be_pg_action want;
		const char *what;
	} c[] = {
		{ false, { 0 }, false, 0, 1056, VBMQ_BE_PG_MAP, "new, room" },
		{ false, { 0 }, true, 1055, 1056, VBMQ_BE_PG_MAP, "new, last slot" },
		{ false, { 0 }, true, 1056, 1056, VBMQ_BE_PG_COPY, "new, full" },
		{ false, { 0 }, false, 0, 0, VBMQ_BE_PG_COPY, "bound 0: never map" },
		{ false, { 0 }, false, 7, 3, VBMQ_BE_PG_COPY, "over the bound" },
		{ true, { 5, 0, true }, true, 1056, 1056, VBMQ_BE_PG_HIT,
		  "writable mapping, read request, full" },
		{ true, { 5, 3, true }, false, 9, 1056, VBMQ_BE_PG_HIT,
		  "writable mapping, write request, held" },
		{ true, { 5, 2, false }, false, 9, 1056, VBMQ_BE_PG_HIT,
		  "read-only mapping serves a write request" },
		{ true, { 5, 0, false }, true, 1056, 1056, VBMQ_BE_PG_REMAP,
		  "read-only, idle, read request: remap even when full" },
		{ true, { 5, 1, false }, true, 9, 1056, VBMQ_BE_PG_COPY,
		  "read-only, held, read request: copy" },
		{ true, { 5, 0xffffffffu, false }, true, 9, 1056, VBMQ_BE_PG_COPY,
		  "read-only, many holders: copy" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		is_int(vbmq_be_pg_decide(c[i].mapped ? &c[i].e : NULL,
					 c[i].need_write, c[i].nr, c[i].bound),
		       c[i].want, "pg_decide: %s", c[i].what);
	ok(vbmq_be_pg_need_write(BLKIF_OP_READ), "READ writes guest memory");
	ok(!vbmq_be_pg_need_write(BLKIF_OP_WRITE), "WRITE only reads it");
	ok(!vbmq_be_pg_need_write(BLKIF_OP_FLUSH_DISKCACHE), "FLUSH reads it");
	ok(!vbmq_be_pg_need_write(BLKIF_OP_WRITE_BARRIER), "BARRIER reads it");
}

static void test_pg_reclaim_want(void)
{
	static const struct {
		unsigned int nr, bound, want;
	} c[] = {
		{ 0, 0, 0 }, { 0, 1056, 0 }, { 1055, 1056, 0 },
		{ 1056, 1056, 132 }, { 1, 1, 1 }, { 7, 7, 1 }, { 8, 8, 1 },
		{ 16, 16, 2 }, { 16384, 16384, 2048 },
		{ 3, 0, 1 },	/* bound lowered below what is mapped */
		{ 5, 100, 0 }, { 100, 100, 12 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		is_uint(vbmq_be_pg_reclaim_want(c[i].nr, c[i].bound), c[i].want,
			"reclaim_want nr %u bound %u", c[i].nr, c[i].bound);
}

/* Sort a small array of indices, for comparing picks as sets. */
static void sort_uint(unsigned int *a, unsigned int n)
{
	unsigned int i, j, t;

	for (i = 1; i < n; i++)
		for (j = i; j && a[j - 1] > a[j]; j--) {
			t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

/* The reference: repeatedly take the oldest idle record not yet taken. */
static unsigned int pick_slow(const struct vbmq_be_pg_use *u, unsigned int n,
			      unsigned int want, unsigned int *out)
{
	bool taken[64] = { false };
	unsigned int i, k, best;

	for (k = 0; k < want; k++) {
		best = n;
		for (i = 0; i < n; i++) {
			if (u[i].users || taken[i])
				continue;
			if (best == n || u[i].last_use < u[best].last_use)
				best = i;
		}
		if (best == n)
			break;
		taken[best] = true;
		out[k] = best;
	}
	return k;
}

static void test_pg_pick(void)
{
	static const struct {
		struct vbmq_be_pg_use u[8];
		unsigned int n, want, nr;
		unsigned int out[8];	/* sorted */
		const char *what;
	} c[] = {
		{ { { 1 } }, 0, 4, 0, { 0 }, "no records" },
		{ { { 1 }, { 2 } }, 2, 0, 0, { 0 }, "want 0" },
		{ { { 5 }, { 1 }, { 9 }, { 3 } }, 4, 2, 2, { 1, 3 },
		  "the two oldest" },
		{ { { 5 }, { 1, 1 }, { 9 }, { 3, 2 } }, 4, 2, 2, { 0, 2 },
		  "held ones are skipped even when oldest" },
		{ { { 5, 1 }, { 1, 1 }, { 9, 1 } }, 3, 2, 0, { 0 },
		  "all held: nothing" },
		{ { { 4 }, { 4 }, { 4 }, { 4 } }, 4, 2, 2, { 0, 1 },
		  "ties: lower index first" },
		{ { { 2 }, { 1, 1 } }, 2, 5, 1, { 0 },
		  "want more than idle: all idle" },
		{ { { 0xffffffffffffffffull }, { 0 }, { 7 } }, 3, 1, 1, { 1 },
		  "extreme last_use values" },
		{ { { 8 }, { 7 }, { 6 }, { 5 }, { 4 }, { 3 }, { 2 }, { 1 } },
		  8, 3, 3, { 5, 6, 7 }, "descending ages" },
	};
	struct vbmq_be_pg_use u[64];
	unsigned int out[64], ref[64], i, k, n, want, nr, seed = 12345;
	bool same;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(out, 0xff, sizeof(out));
		nr = vbmq_be_pg_pick(c[i].u, c[i].n, c[i].want, out);
		sort_uint(out, nr);
		is_uint(nr, c[i].nr, "pg_pick count: %s", c[i].what);
		ok(nr == c[i].nr && !memcmp(out, c[i].out, nr * sizeof(*out)),
		   "pg_pick set: %s", c[i].what);
	}
	/* Random vectors against the slow reference; ages collide often. */
	same = true;
	for (k = 0; k < 2000; k++) {
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 8) % 65;
		seed = seed * 1103515245u + 12345u;
		want = (seed >> 8) % 20;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			u[i].last_use = (seed >> 8) % 16;
			u[i].users = ((seed >> 20) & 3) == 0;
			u[i].writable = false;
		}
		nr = vbmq_be_pg_pick(u, n, want, out);
		if (nr != pick_slow(u, n, want, ref)) {
			same = false;
			break;
		}
		sort_uint(out, nr);
		sort_uint(ref, nr);
		if (memcmp(out, ref, nr * sizeof(*out))) {
			same = false;
			break;
		}
	}
	ok(same, "pg_pick agrees with the reference on 2000 random vectors");
}

static void test_pg_hold(void)
{
	struct vbmq_be_pg_use u = { 3, 0, false };

	ok(vbmq_be_pg_hold(&u, 9), "hold: first holder of an idle mapping");
	is_uint(u.last_use, 9, "hold: last use is the pass");
	ok(!vbmq_be_pg_hold(&u, 10), "hold: second holder (same grant again)");
	is_uint(u.users, 2, "hold: two holders");
	ok(!vbmq_be_pg_release(&u), "release: one holder left, still busy");
	ok(vbmq_be_pg_release(&u), "release: last holder, idle");
	ok(vbmq_be_pg_release(&u), "release without a hold stays idle");
	is_uint(u.users, 0, "release never goes below zero");
	ok(vbmq_be_pg_usable(BLKIF_OP_READ, false), "READ zero-copy");
	ok(vbmq_be_pg_usable(BLKIF_OP_READ, true),
	   "READ zero-copy on a stable-pages device");
	ok(vbmq_be_pg_usable(BLKIF_OP_WRITE, false), "WRITE zero-copy");
	ok(!vbmq_be_pg_usable(BLKIF_OP_WRITE, true),
	   "WRITE to a stable-pages device: copy");
	ok(!vbmq_be_pg_usable(BLKIF_OP_FLUSH_DISKCACHE, true),
	   "FLUSH to a stable-pages device: copy");
	ok(!vbmq_be_pg_usable(BLKIF_OP_WRITE_BARRIER, true),
	   "BARRIER to a stable-pages device: copy");
}

/*
 * A model of one ring's grant tree driven by the policy functions the way
 * blkback.c drives them: per segment vbmq_be_pg_decide() then a hold; at a
 * request's response the holds are released; a reclaim picks with
 * vbmq_be_pg_pick().  Scripts of hostile and ordinary sequences check the
 * actions and that no held mapping is ever remapped or unmapped (a bio is
 * built on it).
 */
#define PGM_MAX		8	/* records */
#define PGM_REQS	4	/* requests in flight */
#define PGM_SEGS	4	/* segments per request */

struct pgm {
	struct vbmq_be_pg_use use[PGM_MAX];
	u32 gref[PGM_MAX];
	unsigned int nr, bound;
	u64 clock;
	int held[PGM_REQS][PGM_SEGS];	/* record per segment, -1: copy */
	unsigned int nsegs[PGM_REQS];
	bool busy_dropped;		/* a held record was unmapped */
};

enum pgm_step { PGM_END, PGM_REQ, PGM_DONE, PGM_RECLAIM };

struct pgm_script_step {
	enum pgm_step step;
	unsigned int req;		/* PGM_REQ, PGM_DONE */
	u8 op;				/* PGM_REQ */
	unsigned int nsegs;		/* PGM_REQ */
	u32 gref[PGM_SEGS];		/* PGM_REQ */
	/* PGM_REQ: per segment; PGM_RECLAIM: [0] = how many unmapped */
	unsigned int want[PGM_SEGS];
};

static int pgm_find(const struct pgm *m, u32 gref)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->gref[i] == gref)
			return (int)i;
	return -1;
}

/* Unmap record i: the last record moves into its slot. */
static void pgm_drop(struct pgm *m, unsigned int i)
{
	unsigned int r, s;

	if (m->use[i].users)
		m->busy_dropped = true;
	m->nr--;
	m->use[i] = m->use[m->nr];
	m->gref[i] = m->gref[m->nr];
	for (r = 0; r < PGM_REQS; r++)
		for (s = 0; s < m->nsegs[r]; s++)
			if (m->held[r][s] == (int)m->nr)
				m->held[r][s] = (int)i;
}

static unsigned int pgm_new(struct pgm *m, u32 gref, bool writable)
{
	unsigned int i = m->nr++;

	m->gref[i] = gref;
	m->use[i].users = 0;
	m->use[i].last_use = 0;
	m->use[i].writable = writable;
	return i;
}

/* Run a script; returns the number of the first wrong step, 0 if none. */
static unsigned int pgm_run(unsigned int bound,
			    const struct pgm_script_step *sc)
{
	unsigned int k, s, want, nr, out[PGM_MAX];
	struct pgm m = { .bound = bound };
	bool need_write;
	int e;

	for (k = 0; sc[k].step != PGM_END; k++) {
		const struct pgm_script_step *st = &sc[k];

		switch (st->step) {
		case PGM_REQ:
			m.clock++;
			need_write = vbmq_be_pg_need_write(st->op);
			m.nsegs[st->req] = st->nsegs;
			for (s = 0; s < st->nsegs; s++) {
				enum vbmq_be_pg_action a;

				e = pgm_find(&m, st->gref[s]);
				a = vbmq_be_pg_decide(e < 0 ? NULL : &m.use[e],
						      need_write, m.nr, m.bound);
				if (a != st->want[s])
					return k + 1;
				if (a == VBMQ_BE_PG_COPY) {
					m.held[st->req][s] = -1;
					continue;
				}
				if (a == VBMQ_BE_PG_REMAP)
					pgm_drop(&m, (unsigned int)e);
				if (a != VBMQ_BE_PG_HIT)
					e = (int)pgm_new(&m, st->gref[s],
							 need_write);
				vbmq_be_pg_hold(&m.use[e], m.clock);
				m.held[st->req][s] = e;
			}
			break;
		case PGM_DONE:
			for (s = 0; s < m.nsegs[st->req]; s++)
				if (m.held[st->req][s] >= 0)
					vbmq_be_pg_release(&m.use[m.held[st->req][s]]);
			m.nsegs[st->req] = 0;
			break;
		case PGM_RECLAIM:
			want = vbmq_be_pg_reclaim_want(m.nr, m.bound);
			nr = vbmq_be_pg_pick(m.use, m.nr, want, out);
			if (nr != st->want[0])
				return k + 1;
			/* Drop from the highest index down: slots stay valid. */
			sort_uint(out, nr);
			while (nr--)
				pgm_drop(&m, out[nr]);
			break;
		case PGM_END:
			break;
		}
		if (m.busy_dropped || m.nr > m.bound)
			return k + 1;
	}
	return 0;
}

#define R	BLKIF_OP_READ
#define W	BLKIF_OP_WRITE
#define HIT	VBMQ_BE_PG_HIT
#define MAP	VBMQ_BE_PG_MAP
#define REMAP	VBMQ_BE_PG_REMAP
#define COPY	VBMQ_BE_PG_COPY

static void test_pg_model(void)
{
	static const struct pgm_script_step same_gref_one_req[] = {
		{ PGM_REQ, 0, W, 3, { 7, 7, 7 }, { MAP, HIT, HIT } },
		{ PGM_DONE, 0 },
		{ PGM_REQ, 0, R, 2, { 7, 7 }, { REMAP, HIT } },
		{ PGM_DONE, 0 },
		{ PGM_REQ, 0, W, 2, { 7, 7 }, { HIT, HIT } },
		{ PGM_END },
	};
	static const struct pgm_script_step read_meets_busy_ro[] = {
		{ PGM_REQ, 0, W, 1, { 5 }, { MAP } },
		{ PGM_REQ, 1, R, 2, { 5, 6 }, { COPY, MAP } },
		{ PGM_REQ, 2, R, 1, { 5 }, { COPY } },
		{ PGM_DONE, 0 },
		/* request 1 and 2 hold no mapping of 5: it is idle now */
		{ PGM_REQ, 3, R, 1, { 5 }, { REMAP } },
		{ PGM_REQ, 0, W, 1, { 5 }, { HIT } },
		{ PGM_END },
	};
	static const struct pgm_script_step two_reads_one_gref[] = {
		{ PGM_REQ, 0, R, 1, { 9 }, { MAP } },
		{ PGM_REQ, 1, R, 1, { 9 }, { HIT } },
		{ PGM_DONE, 0 },
		{ PGM_REQ, 2, R, 1, { 1 }, { COPY } },	/* bound 1: full */
		{ PGM_RECLAIM, .want = { 0 } },	/* 9 still held by 1 */
		{ PGM_DONE, 1 },
		{ PGM_DONE, 2 },
		{ PGM_RECLAIM, .want = { 1 } },
		{ PGM_REQ, 0, R, 1, { 1 }, { MAP } },
		{ PGM_END },
	};
	static const struct pgm_script_step bound_all_busy[] = {
		{ PGM_REQ, 0, W, 2, { 1, 2 }, { MAP, MAP } },
		{ PGM_REQ, 1, W, 2, { 3, 1 }, { COPY, HIT } },
		{ PGM_RECLAIM, .want = { 0 } },	/* all held: nothing */
		{ PGM_DONE, 0 },
		{ PGM_RECLAIM, .want = { 1 } },	/* 2: idle (1 held by 1) */
		{ PGM_REQ, 2, R, 1, { 3 }, { MAP } },
		{ PGM_REQ, 3, R, 1, { 1 }, { COPY } },	/* ro, held by 1 */
		{ PGM_DONE, 1 },
		{ PGM_REQ, 1, R, 1, { 1 }, { REMAP } },
		{ PGM_END },
	};
	static const struct pgm_script_step lru_order[] = {
		{ PGM_REQ, 0, R, 4, { 1, 2, 3, 4 }, { MAP, MAP, MAP, MAP } },
		{ PGM_DONE, 0 },
		{ PGM_REQ, 0, R, 2, { 2, 4 }, { HIT, HIT } },
		{ PGM_DONE, 0 },
		{ PGM_REQ, 0, R, 1, { 5 }, { COPY } },	/* bound 4 */
		{ PGM_DONE, 0 },
		{ PGM_RECLAIM, .want = { 1 } },	/* 1 or 3: oldest */
		{ PGM_REQ, 0, R, 3, { 2, 4, 5 }, { HIT, HIT, MAP } },
		{ PGM_END },
	};
	static const struct {
		const struct pgm_script_step *sc;
		unsigned int bound;
		const char *what;
	} c[] = {
		{ same_gref_one_req, 4,
		  "one request names a grant three times, then a read remaps it" },
		{ read_meets_busy_ro, 4,
		  "a read meeting a read-only mapping held by a write copies" },
		{ two_reads_one_gref, 1,
		  "two reads in flight on one grant keep it from reclaim" },
		{ bound_all_busy, 2,
		  "bound reached, all held: copy, reclaim nothing" },
		{ lru_order, 4, "reclaim takes the least recently used" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		is_uint(pgm_run(c[i].bound, c[i].sc), 0,
			"pg model (first wrong step): %s", c[i].what);
}

#undef R
#undef W
#undef HIT
#undef MAP
#undef REMAP
#undef COPY

int main(void)
{
	test_protocol();
	test_ring_sizes();
	test_decode64();
	test_decode32();
	test_rsp();
	test_indirect_segs();
	test_check();
	test_check_align();
	test_bad_backoff();
	test_check_features();
	test_segs();
	test_names();
	test_vdev_codec();
	test_thread_names();
	test_poll();
	test_poll_yield();
	test_pg_decide();
	test_pg_reclaim_want();
	test_pg_pick();
	test_pg_hold();
	test_pg_model();
	return tap_done();
}
