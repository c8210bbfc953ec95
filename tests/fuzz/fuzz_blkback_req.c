// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: vbmq-blkback request intake (xen-blkback/blkback_core.c).
 *
 * Input: a 14-byte header (ABI, what the backend advertises, device size,
 * logical block size, ring pages), one request slot in that ABI, then the
 * bytes of the indirect segment pages.  Checked:
 *   - decode agrees with Xen's own struct blkif_request* (x86_64 layout;
 *     an x86_32 slot is the x86_64 one without the 4 bytes of padding
 *     before the id), and re-encoding the decoded request in either ABI
 *     and decoding it again gives the same request (round trip);
 *   - a request vbmq_be_check_req() accepts is safe to serve: an
 *     advertised operation, no write to a read-only disk, a segment count
 *     within the limits, every segment within its page and whole logical
 *     blocks, the start on a block, nr_sectors the segments' sum and the
 *     whole range within the device (no overflow); the handle is not
 *     checked (the in-tree backend ignores it too);
 *     for INDIRECT the same after the indirect segments are checked;
 *   - a well-formed, 4 KiB-aligned request is accepted (no over-refusal);
 *   - a refusal maps to BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP;
 *   - responses encode exactly to the response slot of the ABI (a heap
 *     buffer of exactly that size) with Xen's struct blkif_response layout;
 *   - ring slot counts are powers of two that fit the ring pages.
 */
#include "fuzz.h"
#include "../../xen-blkback/blkback_core.c"
#include "le_put.h"

/* Header flags. */
#define F_ABI64		0x01
#define F_READONLY	0x02
#define F_FLUSH		0x04
#define F_BARRIER	0x08
#define F_DISCARD	0x10
#define F_SECURE	0x20
#define F_INDIRECT	0x40	/* max_indirect_segs from the header */
#define F_ALIGNED_DEV	0x80	/* device size rounded to 4 KiB */

static size_t req_size(enum vbmq_be_abi abi)
{
	return abi == VBMQ_BE_ABI_X86_32 ? VBMQ_BE_REQ32_SIZE :
		VBMQ_BE_REQ64_SIZE;
}

/* The harness's own encoder of the wire layouts (blkif.h). */
static void encode_req(enum vbmq_be_abi abi, const struct vbmq_be_req *r,
		       u8 *p)
{
	const unsigned int o = abi == VBMQ_BE_ABI_X86_32 ? 4 : 8;
	unsigned int i;

	memset(p, 0, req_size(abi));
	p[0] = r->operation;
	put64(p + o, r->id);
	put64(p + o + 8, r->sector);
	switch (r->operation) {
	case BLKIF_OP_DISCARD:
		p[1] = r->discard_flags;
		put64(p + o + 16, r->nr_sectors);
		break;
	case BLKIF_OP_INDIRECT:
		p[1] = r->op;
		put16(p + 2, r->nr_segments);
		put16(p + o + 16, r->handle);
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			put32(p + o + 20 + 4 * i, r->indirect_gref[i]);
		break;
	default:
		p[1] = (u8)r->nr_segments;
		put16(p + 2, r->handle);
		for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
			u8 *s = p + o + 16 + i * VBMQ_SEG_SIZE;

			put32(s, r->seg[i].gref);
			s[4] = r->seg[i].first_sect;
			s[5] = r->seg[i].last_sect;
		}
		break;
	}
}

/* Decode against Xen's public structs, in the x86_64 layout. */
static void check_against_xen(enum vbmq_be_abi abi, const u8 *slot,
			      const struct vbmq_be_req *r)
{
	union {
		struct blkif_request rw;
		struct blkif_request_discard d;
		struct blkif_request_indirect ind;
		u8 b[VBMQ_BE_REQ64_SIZE];
	} x;
	unsigned int i;

	_Static_assert(sizeof(struct blkif_request) == VBMQ_BE_REQ64_SIZE,
		       "x86_64 slot");
	if (abi == VBMQ_BE_ABI_X86_64) {
		memcpy(x.b, slot, VBMQ_BE_REQ64_SIZE);
	} else {
		memcpy(x.b, slot, 4);
		memset(x.b + 4, 0, 4);
		memcpy(x.b + 8, slot + 4, VBMQ_BE_REQ32_SIZE - 4);
	}
	fz_assert(r->operation == x.rw.operation, "operation");
	switch (r->operation) {
	case BLKIF_OP_DISCARD:
		fz_assert(r->discard_flags == x.d.flag, "discard flag");
		fz_assert(r->id == x.d.id, "discard id");
		fz_assert(r->sector == x.d.sector_number, "discard sector");
		fz_assert(r->nr_sectors == x.d.nr_sectors, "discard length");
		break;
	case BLKIF_OP_INDIRECT:
		fz_assert(r->op == x.ind.indirect_op, "indirect_op");
		fz_assert(r->nr_segments == x.ind.nr_segments, "indirect nseg");
		fz_assert(r->id == x.ind.id, "indirect id");
		fz_assert(r->sector == x.ind.sector_number, "indirect sector");
		fz_assert(r->handle == x.ind.handle, "indirect handle");
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			fz_assert(r->indirect_gref[i] == x.ind.indirect_grefs[i],
				  "indirect gref %u", i);
		break;
	default:
		fz_assert(r->op == r->operation, "op of a direct request");
		fz_assert(r->nr_segments == x.rw.nr_segments, "nseg");
		fz_assert(r->handle == x.rw.handle, "handle");
		fz_assert(r->id == x.rw.id, "id");
		fz_assert(r->sector == x.rw.sector_number, "sector");
		for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
			fz_assert(r->seg[i].gref == x.rw.seg[i].gref,
				  "seg %u gref", i);
			fz_assert(r->seg[i].first_sect == x.rw.seg[i].first_sect,
				  "seg %u first_sect", i);
			fz_assert(r->seg[i].last_sect == x.rw.seg[i].last_sect,
				  "seg %u last_sect", i);
		}
		break;
	}
}

static void check_round_trip(const struct vbmq_be_req *r)
{
	static const enum vbmq_be_abi abis[] = { VBMQ_BE_ABI_X86_32,
						 VBMQ_BE_ABI_X86_64 };
	u8 buf[VBMQ_BE_REQ_MAX_SIZE];
	struct vbmq_be_req again;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(abis); i++) {
		encode_req(abis[i], r, buf);
		vbmq_be_decode_req(abis[i], buf, &again);
		fz_assert(!memcmp(&again, r, sizeof(again)),
			  "decode(encode(req)) differs in %s",
			  vbmq_be_abi_name(abis[i]));
	}
}

/* Segments an accepted request will be served with. */
static void check_segs_safe(const struct vbmq_be_seg *seg, unsigned int n,
			    u64 sector, u64 nr_sectors,
			    const struct vbmq_be_limits *lim)
{
	unsigned int lb = lim->lb_sects ? lim->lb_sects : 1;
	u128 end;
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		fz_assert(seg[i].first_sect <= seg[i].last_sect &&
			  seg[i].last_sect < VBMQ_SECTS_PER_GRANT,
			  "segment %u: sectors %u..%u", i, seg[i].first_sect,
			  seg[i].last_sect);
		fz_assert(vbmq_be_seg_offset(&seg[i]) + vbmq_be_seg_len(&seg[i])
			  <= VBMQ_GRANT_SIZE && vbmq_be_seg_len(&seg[i]),
			  "segment %u: bytes %u+%u", i,
			  vbmq_be_seg_offset(&seg[i]), vbmq_be_seg_len(&seg[i]));
		sum += seg[i].last_sect - seg[i].first_sect + 1;
	}
	for (i = 0; i < n; i++)
		fz_assert(!((seg[i].last_sect - seg[i].first_sect + 1) % lb),
			  "segment %u: %u sectors, block %u", i,
			  seg[i].last_sect - seg[i].first_sect + 1, lb);
	fz_assert(!(sector % lb), "sector %llu not on a %u-sector block",
		  (unsigned long long)sector, lb);
	fz_assert(nr_sectors == sum, "nr_sectors %llu, segments sum %llu",
		  (unsigned long long)nr_sectors, (unsigned long long)sum);
	end = (u128)sector + nr_sectors;
	fz_assert(end <= lim->dev_sectors, "sectors %llu+%llu beyond %llu",
		  (unsigned long long)sector, (unsigned long long)nr_sectors,
		  (unsigned long long)lim->dev_sectors);
}

/* Segments in their page, 4 KiB-aligned start and length, in the device. */
static bool segs_well_formed(const struct vbmq_be_seg *seg, unsigned int n,
			     u64 sector, const struct vbmq_be_limits *lim)
{
	unsigned int lb = lim->lb_sects ? lim->lb_sects : 1;
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (seg[i].first_sect > seg[i].last_sect ||
		    seg[i].last_sect >= VBMQ_SECTS_PER_GRANT ||
		    (seg[i].last_sect - seg[i].first_sect + 1) % lb)
			return false;
		sum += seg[i].last_sect - seg[i].first_sect + 1;
	}
	return !(sector % 8) && !(sum % 8) &&
		(u128)sector + sum <= lim->dev_sectors;
}

static void check_verdict(enum vbmq_be_verdict v)
{
	int st = vbmq_be_verdict_status(v);

	fz_assert((unsigned int)v < VBMQ_BE_VERDICT_COUNT, "verdict %d", v);
	fz_assert(strcmp(vbmq_be_verdict_str(v), "?"), "verdict %d name", v);
	if (v == VBMQ_BE_OK)
		fz_assert(st == BLKIF_RSP_OKAY, "status of OK: %d", st);
	else
		fz_assert(st == BLKIF_RSP_ERROR || st == BLKIF_RSP_EOPNOTSUPP,
			  "status of refusal %d: %d", v, st);
}

static void check_direct(struct vbmq_be_req *r, enum vbmq_be_verdict v,
			 const struct vbmq_be_limits *lim)
{
	bool write = r->operation == BLKIF_OP_WRITE ||
		((r->operation == BLKIF_OP_FLUSH_DISKCACHE ||
		  r->operation == BLKIF_OP_WRITE_BARRIER) && r->nr_segments);
	bool advertised = r->operation <= BLKIF_OP_WRITE ||
		(r->operation == BLKIF_OP_FLUSH_DISKCACHE && lim->flush) ||
		(r->operation == BLKIF_OP_WRITE_BARRIER && lim->barrier);

	if (v == VBMQ_BE_OK) {
		fz_assert(advertised, "operation %u not advertised",
			  r->operation);
		fz_assert(!(write && lim->readonly), "write to read-only");
		fz_assert(r->nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST,
			  "%u direct segments", r->nr_segments);
		fz_assert(r->nr_segments || r->operation > BLKIF_OP_WRITE,
			  "read/write without segments");
		/* A flush without data: no sector range is served. */
		if (!r->nr_segments) {
			fz_assert(!r->nr_sectors, "empty flush of %llu sectors",
				  (unsigned long long)r->nr_sectors);
			return;
		}
		check_segs_safe(r->seg, r->nr_segments, r->sector,
				r->nr_sectors, lim);
		return;
	}
	/* Well-formed in every respect the protocol defines: accepted. */
	if (advertised && !(write && lim->readonly) &&
	    r->nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST &&
	    (r->nr_segments || r->operation > BLKIF_OP_WRITE) &&
	    segs_well_formed(r->seg, r->nr_segments, r->sector, lim))
		fz_assert(0, "well-formed request refused: %s",
			  vbmq_be_verdict_str(v));
}

static void check_discard(const struct vbmq_be_req *r,
			  enum vbmq_be_verdict v,
			  const struct vbmq_be_limits *lim)
{
	bool secure = r->discard_flags & BLKIF_DISCARD_SECURE;
	bool good = lim->discard && !lim->readonly &&
		!(r->discard_flags & ~BLKIF_DISCARD_SECURE) &&
		(!secure || lim->discard_secure) && r->nr_sectors &&
		(u128)r->sector + r->nr_sectors <=
		lim->dev_sectors;

	if (v == VBMQ_BE_OK)
		fz_assert(good, "bad discard accepted: %llu+%llu flags %#x",
			  (unsigned long long)r->sector,
			  (unsigned long long)r->nr_sectors, r->discard_flags);
	else if (!(r->sector % 8) && !(r->nr_sectors % 8))
		fz_assert(!good, "good discard refused: %s",
			  vbmq_be_verdict_str(v));
}

static void check_indirect(struct vbmq_be_req *r, enum vbmq_be_verdict v,
			   const struct vbmq_be_limits *lim,
			   struct fz_in *in)
{
	static struct vbmq_be_seg seg[VBMQ_MAX_INDIRECT_SEGS];
	static u8 pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * VBMQ_GRANT_SIZE];
	unsigned int n = r->nr_segments;
	bool rw = r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE;
	enum vbmq_be_verdict sv;
	u64 nr = ~0ull;

	if (v != VBMQ_BE_OK) {
		fz_assert(!r->nr_indirect_pages, "pages set on refusal");
		fz_assert(!(lim->max_indirect_segs && rw && n &&
			    n <= lim->max_indirect_segs &&
			    n <= VBMQ_MAX_INDIRECT_SEGS &&
			    !(r->op == BLKIF_OP_WRITE && lim->readonly)),
			  "well-formed indirect header refused: %s",
			  vbmq_be_verdict_str(v));
		return;
	}
	fz_assert(lim->max_indirect_segs, "INDIRECT not advertised");
	fz_assert(rw, "indirect op %u", r->op);
	fz_assert(n && n <= lim->max_indirect_segs &&
		  n <= VBMQ_MAX_INDIRECT_SEGS, "%u indirect segments", n);
	fz_assert(!(r->op == BLKIF_OP_WRITE && lim->readonly),
		  "indirect write to read-only");
	fz_assert(r->nr_indirect_pages >= 1 &&
		  r->nr_indirect_pages <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST &&
		  r->nr_indirect_pages == vbmq_be_indirect_pages(n),
		  "%u indirect pages for %u segments", r->nr_indirect_pages,
		  n);
	/* What the caller copies: the segment entries of those pages. */
	fz_bytes(in, pages, (size_t)n * VBMQ_SEG_SIZE);
	vbmq_be_decode_segs(pages, n, seg);
	sv = vbmq_be_check_segs(seg, n, r->sector, lim, &nr);
	check_verdict(sv);
	if (sv == VBMQ_BE_OK)
		check_segs_safe(seg, n, r->sector, nr, lim);
	else
		fz_assert(nr == ~0ull, "nr_sectors written on refusal");
}

static void check_rsp(enum vbmq_be_abi abi, u64 id, u8 operation, int status)
{
	size_t len = abi == VBMQ_BE_ABI_X86_32 ? VBMQ_BE_RSP32_SIZE :
		VBMQ_BE_RSP64_SIZE;
	union {
		struct blkif_response r;
		u8 b[VBMQ_BE_RSP64_SIZE];
	} x;
	u8 *slot = malloc(len);

	_Static_assert(sizeof(struct blkif_response) == VBMQ_BE_RSP64_SIZE,
		       "x86_64 response");
	if (!slot)
		abort();
	memset(x.b, 0, sizeof(x.b));
	vbmq_be_encode_rsp(abi, slot, id, operation, status);
	memcpy(x.b, slot, len);
	fz_assert(x.r.id == id && x.r.operation == operation &&
		  x.r.status == (s16)status, "response fields");
	fz_assert(!slot[9] && (len == VBMQ_BE_RSP32_SIZE ||
			       !(slot[12] | slot[13] | slot[14] | slot[15])),
		  "response padding not zero");
	free(slot);
}

static void check_ring(unsigned int pages)
{
	static const enum vbmq_be_abi abis[] = { VBMQ_BE_ABI_X86_32,
						 VBMQ_BE_ABI_X86_64 };
	unsigned long bytes = (unsigned long)pages * VBMQ_GRANT_SIZE;
	unsigned long hdr = offsetof(struct vbmq_be_r64_sring, ring);
	unsigned int i, n;
	size_t slot;

	for (i = 0; i < ARRAY_SIZE(abis); i++) {
		slot = abis[i] == VBMQ_BE_ABI_X86_32 ?
			sizeof(union vbmq_be_r32_sring_entry) :
			sizeof(union vbmq_be_r64_sring_entry);
		n = vbmq_be_ring_entries(abis[i], pages);
		if (!n) {
			fz_assert(bytes < hdr + slot, "empty ring of %u pages",
				  pages);
			continue;
		}
		fz_assert(!(n & (n - 1)), "%u slots", n);
		fz_assert(hdr + n * slot <= bytes, "%u slots overflow", n);
		fz_assert(hdr + 2ul * n * slot > bytes, "%u slots too few", n);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vbmq_be_limits lim;
	struct vbmq_be_req req, copy;
	u8 slot[VBMQ_BE_REQ_MAX_SIZE];
	enum vbmq_be_abi abi;
	enum vbmq_be_verdict v;
	u8 flags = fz_u8(&in);
	u16 max_ind;
	u8 pages;

	memset(&lim, 0, sizeof(lim));
	abi = flags & F_ABI64 ? VBMQ_BE_ABI_X86_64 : VBMQ_BE_ABI_X86_32;
	lim.readonly = flags & F_READONLY;
	lim.flush = flags & F_FLUSH;
	lim.barrier = flags & F_BARRIER;
	lim.discard = flags & F_DISCARD;
	lim.discard_secure = flags & F_SECURE;
	lim.dev_sectors = fz_u64(&in);
	if (flags & F_ALIGNED_DEV)
		lim.dev_sectors &= ~7ull;
	/* 512 B to 4 KiB blocks, or 0 (counts as one sector) */
	lim.lb_sects = (1u << (fz_u16(&in) % 5)) >> 1;
	max_ind = fz_u16(&in);
	lim.max_indirect_segs = flags & F_INDIRECT ? max_ind : 0;
	pages = fz_u8(&in);

	check_ring(pages);
	fz_bytes(&in, slot, req_size(abi));
	vbmq_be_decode_req(abi, slot, &req);
	check_against_xen(abi, slot, &req);
	check_round_trip(&req);

	copy = req;
	v = vbmq_be_check_req(&req, &lim);
	check_verdict(v);
	/* The check sets only the fields it documents. */
	copy.nr_sectors = req.nr_sectors;
	copy.nr_indirect_pages = req.nr_indirect_pages;
	fz_assert(!memcmp(&copy, &req, sizeof(req)), "check changed the request");

	switch (req.operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		check_direct(&req, v, &lim);
		break;
	case BLKIF_OP_DISCARD:
		check_discard(&req, v, &lim);
		break;
	case BLKIF_OP_INDIRECT:
		check_indirect(&req, v, &lim, &in);
		break;
	default:
		fz_assert(v == VBMQ_BE_BAD_OP, "operation %u: %s",
			  req.operation, vbmq_be_verdict_str(v));
		break;
	}
	check_rsp(abi, req.id, req.operation, (s16)req.handle);
	return 0;
}
