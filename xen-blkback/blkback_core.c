// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkback pure logic; see blkback_core.h.
 *
 * Wire layouts (little-endian; "o" is where the 64-bit id starts: 8 in the
 * x86_64 ABI, where u64 is 8-byte aligned, 4 in the x86_32 ABI):
 *
 *   all:       operation u8 @0
 *   READ/WRITE/FLUSH/BARRIER:
 *              nr_segments u8 @1, handle u16 @2, id u64 @o,
 *              sector u64 @o+8, seg[11] @o+16 (8 bytes each)
 *   DISCARD:   flag u8 @1, id u64 @o, sector u64 @o+8, nr_sectors u64 @o+16
 *   INDIRECT:  indirect_op u8 @1, nr_segments u16 @2, id u64 @o,
 *              sector u64 @o+8, handle u16 @o+16, indirect_grefs u32[8] @o+20
 *   segment:   gref u32 @0, first_sect u8 @4, last_sect u8 @5
 *   response:  id u64 @0, operation u8 @8, status s16 @10
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#else
#include <stdio.h>
#endif

#include "blkback_core.h"

static inline u16 vbmq_be_get16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 vbmq_be_get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
		((u32)p[3] << 24);
}

static inline u64 vbmq_be_get64(const u8 *p)
{
	return (u64)vbmq_be_get32(p) | ((u64)vbmq_be_get32(p + 4) << 32);
}

static inline void vbmq_be_put64(u8 *p, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

int vbmq_be_parse_protocol(const char *proto, enum vbmq_be_abi *abi)
{
	if (!proto || !proto[0])
		*abi = VBMQ_BE_ABI_NATIVE;
	else if (!strcmp(proto, VBMQ_BE_PROTO_X86_32))
		*abi = VBMQ_BE_ABI_X86_32;
	else if (!strcmp(proto, VBMQ_BE_PROTO_X86_64))
		*abi = VBMQ_BE_ABI_X86_64;
	else
		return -EINVAL;
	return 0;
}

const char *vbmq_be_abi_name(enum vbmq_be_abi abi)
{
	return abi == VBMQ_BE_ABI_X86_32 ? VBMQ_BE_PROTO_X86_32 :
		VBMQ_BE_PROTO_X86_64;
}

unsigned int vbmq_be_ring_entries(enum vbmq_be_abi abi, unsigned int nr_pages)
{
	unsigned long bytes = (unsigned long)nr_pages * VBMQ_GRANT_SIZE;
	unsigned long hdr = offsetof(struct vbmq_be_r64_sring, ring);
	unsigned long slot = abi == VBMQ_BE_ABI_X86_32 ?
		sizeof(union vbmq_be_r32_sring_entry) :
		sizeof(union vbmq_be_r64_sring_entry);
	unsigned long n, p = 1;

	if (bytes <= hdr)
		return 0;
	n = (bytes - hdr) / slot;
	if (!n)
		return 0;
	/* ring.h rounds the slot count down to a power of two. */
	while (p * 2 <= n)
		p *= 2;
	return (unsigned int)p;
}

static void vbmq_be_decode_seg(const u8 *p, struct vbmq_be_seg *seg)
{
	seg->gref = vbmq_be_get32(p);
	seg->first_sect = p[4];
	seg->last_sect = p[5];
}

void vbmq_be_decode_segs(const void *buf, unsigned int n,
			 struct vbmq_be_seg *seg)
{
	const u8 *p = buf;
	unsigned int i;

	for (i = 0; i < n; i++)
		vbmq_be_decode_seg(p + i * VBMQ_SEG_SIZE, &seg[i]);
}

void vbmq_be_decode_req(enum vbmq_be_abi abi, const void *slot,
			struct vbmq_be_req *req)
{
	const unsigned int o = abi == VBMQ_BE_ABI_X86_32 ? 4 : 8;
	const u8 *p = slot;
	unsigned int i;

	memset(req, 0, sizeof(*req));
	req->operation = p[0];
	req->op = p[0];
	req->id = vbmq_be_get64(p + o);
	req->sector = vbmq_be_get64(p + o + 8);

	switch (req->operation) {
	case BLKIF_OP_DISCARD:
		req->discard_flags = p[1];
		req->nr_sectors = vbmq_be_get64(p + o + 16);
		break;
	case BLKIF_OP_INDIRECT:
		req->op = p[1];
		req->nr_segments = vbmq_be_get16(p + 2);
		req->handle = vbmq_be_get16(p + o + 16);
		for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			req->indirect_gref[i] = vbmq_be_get32(p + o + 20 + 4 * i);
		break;
	default:
		/* READ, WRITE, FLUSH, BARRIER and unknown: the rw layout. */
		req->nr_segments = p[1];
		req->handle = vbmq_be_get16(p + 2);
		for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
			vbmq_be_decode_seg(p + o + 16 + i * VBMQ_SEG_SIZE,
					   &req->seg[i]);
		break;
	}
}

void vbmq_be_encode_rsp(enum vbmq_be_abi abi, void *slot, u64 id, u8 operation,
			int status)
{
	u8 buf[VBMQ_BE_RSP64_SIZE];
	u16 st = (u16)status;	/* two's complement s16 */

	memset(buf, 0, sizeof(buf));
	vbmq_be_put64(buf, id);
	buf[8] = operation;
	buf[10] = (u8)st;
	buf[11] = (u8)(st >> 8);
	memcpy(slot, buf, abi == VBMQ_BE_ABI_X86_32 ? VBMQ_BE_RSP32_SIZE :
	       VBMQ_BE_RSP64_SIZE);
}

bool vbmq_be_range_ok(u64 sector, u64 n, u64 dev_sectors)
{
	return sector <= dev_sectors && n <= dev_sectors - sector;
}

enum vbmq_be_verdict vbmq_be_check_segs(const struct vbmq_be_seg *seg,
					unsigned int n, u64 sector,
					const struct vbmq_be_limits *lim,
					u64 *nr_sectors)
{
	u64 mask = lim->lb_sects ? (u64)lim->lb_sects - 1 : 0;
	u64 total = 0, cnt;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (seg[i].last_sect >= VBMQ_SECTS_PER_GRANT ||
		    seg[i].first_sect > seg[i].last_sect)
			return VBMQ_BE_BAD_SECT;
		cnt = (u64)(seg[i].last_sect - seg[i].first_sect + 1);
		/*
		 * Each segment becomes one bio vector: the block layer
		 * expects whole logical blocks in each, as the in-tree
		 * backend checks too.
		 */
		if (cnt & mask)
			return VBMQ_BE_BAD_ALIGN;
		total += cnt;
	}
	if (sector & mask)
		return VBMQ_BE_BAD_ALIGN;
	if (!vbmq_be_range_ok(sector, total, lim->dev_sectors))
		return VBMQ_BE_BAD_RANGE;
	*nr_sectors = total;
	return VBMQ_BE_OK;
}

static enum vbmq_be_verdict vbmq_be_check_discard(struct vbmq_be_req *req,
						  const struct vbmq_be_limits *lim)
{
	if (!lim->discard)
		return VBMQ_BE_NOTSUPP;
	if (lim->readonly)
		return VBMQ_BE_READONLY;
	if (req->discard_flags & ~BLKIF_DISCARD_SECURE)
		return VBMQ_BE_BAD_DISCARD;
	if ((req->discard_flags & BLKIF_DISCARD_SECURE) &&
	    !lim->discard_secure)
		return VBMQ_BE_NOTSUPP;
	if (!req->nr_sectors)
		return VBMQ_BE_BAD_DISCARD;
	if (!vbmq_be_range_ok(req->sector, req->nr_sectors, lim->dev_sectors))
		return VBMQ_BE_BAD_RANGE;
	return VBMQ_BE_OK;
}

static enum vbmq_be_verdict vbmq_be_check_indirect(struct vbmq_be_req *req,
						   const struct vbmq_be_limits *lim)
{
	if (!lim->max_indirect_segs)
		return VBMQ_BE_NOTSUPP;
	if (req->op != BLKIF_OP_READ && req->op != BLKIF_OP_WRITE)
		return VBMQ_BE_BAD_INDIRECT_OP;
	if (!req->nr_segments || req->nr_segments > lim->max_indirect_segs ||
	    req->nr_segments > VBMQ_MAX_INDIRECT_SEGS)
		return VBMQ_BE_BAD_NSEG;
	if (req->op == BLKIF_OP_WRITE && lim->readonly)
		return VBMQ_BE_READONLY;
	req->nr_indirect_pages = (u8)vbmq_be_indirect_pages(req->nr_segments);
	return VBMQ_BE_OK;
}

enum vbmq_be_verdict vbmq_be_check_req(struct vbmq_be_req *req,
				       const struct vbmq_be_limits *lim)
{
	bool write;

	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		if (!req->nr_segments)
			return VBMQ_BE_BAD_NSEG;
		write = req->operation == BLKIF_OP_WRITE;
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return VBMQ_BE_NOTSUPP;
		write = req->nr_segments != 0;
		break;
	case BLKIF_OP_WRITE_BARRIER:
		if (!lim->barrier)
			return VBMQ_BE_NOTSUPP;
		write = req->nr_segments != 0;
		break;
	case BLKIF_OP_DISCARD:
		return vbmq_be_check_discard(req, lim);
	case BLKIF_OP_INDIRECT:
		return vbmq_be_check_indirect(req, lim);
	default:
		return VBMQ_BE_BAD_OP;
	}
	if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return VBMQ_BE_BAD_NSEG;
	/* A flush without data carries no meaningful sector. */
	if (!req->nr_segments)
		return VBMQ_BE_OK;
	if (write && lim->readonly)
		return VBMQ_BE_READONLY;
	return vbmq_be_check_segs(req->seg, req->nr_segments, req->sector, lim,
				  &req->nr_sectors);
}

u64 vbmq_be_bad_pass(struct vbmq_be_bad *b, u64 now, unsigned int bad)
{
	u64 pause;

	if (now - b->window_start >= VBMQ_BE_BAD_WINDOW_NS) {
		/* A new window: a calm one ends the back-off. */
		if (!b->over)
			b->level = 0;
		b->window_start = now;
		b->count = 0;
		b->over = false;
	}
	if (!bad)
		return 0;
	/* No overflow: a count over the limit pauses and starts anew. */
	b->count += bad;
	if (b->count <= VBMQ_BE_BAD_FREE)
		return 0;
	pause = VBMQ_BE_BAD_PAUSE_NS << b->level;
	if (pause >= VBMQ_BE_BAD_PAUSE_MAX_NS)
		pause = VBMQ_BE_BAD_PAUSE_MAX_NS;
	else if (!b->over)
		b->level++;
	b->over = true;
	/* The pause ends the window: the next pass starts a new one. */
	b->window_start = now - VBMQ_BE_BAD_WINDOW_NS;
	return pause;
}

static const char * const vbmq_be_verdict_names[VBMQ_BE_VERDICT_COUNT] = {
	[VBMQ_BE_OK] = "ok",
	[VBMQ_BE_BAD_OP] = "unknown operation",
	[VBMQ_BE_BAD_INDIRECT_OP] = "indirect operation not read/write",
	[VBMQ_BE_BAD_NSEG] = "segment count out of range",
	[VBMQ_BE_BAD_SECT] = "segment sectors outside the page",
	[VBMQ_BE_BAD_RANGE] = "sectors beyond the end of the disk",
	[VBMQ_BE_BAD_ALIGN] = "not aligned to the logical block size",
	[VBMQ_BE_BAD_DISCARD] = "bad discard",
	[VBMQ_BE_READONLY] = "write to a read-only disk",
	[VBMQ_BE_NOTSUPP] = "operation not advertised",
	[VBMQ_BE_BAD_GREF] = "grant copy failed",
	[VBMQ_BE_NOMEM] = "backend out of memory",
};

const char *vbmq_be_verdict_str(enum vbmq_be_verdict v)
{
	if ((unsigned int)v >= VBMQ_BE_VERDICT_COUNT)
		return "?";
	return vbmq_be_verdict_names[v];
}

int vbmq_be_verdict_status(enum vbmq_be_verdict v)
{
	if (v == VBMQ_BE_OK)
		return BLKIF_RSP_OKAY;
	if (v == VBMQ_BE_NOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	return BLKIF_RSP_ERROR;
}

int vbmq_be_vdev_name(u32 devid, char *buf, size_t len)
{
	u32 major = devid >> 8, minor = devid & 0xff, idx, part, parts;
	const char *prefix;
	char letters[8];
	int err;

	err = vbmq_vdev_xvd_decode(devid, &idx, &part, &parts);
	if (!err) {
		prefix = "xvd";
	} else if (err == -EINVAL) {
		return snprintf(buf, len, "%u", devid);
	} else if (major == VBMQ_VDEV_SD_MAJOR) {	/* SCSI disk 0 */
		prefix = "sd";
		idx = minor / VBMQ_VDEV_SD_PARTS;
		part = minor % VBMQ_VDEV_SD_PARTS;
	} else if (major == VBMQ_VDEV_HD0_MAJOR ||
		   major == VBMQ_VDEV_HD1_MAJOR) {
		prefix = "hd";
		idx = minor / VBMQ_VDEV_HD_PARTS +
		      (major == VBMQ_VDEV_HD1_MAJOR ? 2 : 0);
		part = minor % VBMQ_VDEV_HD_PARTS;
	} else {
		return snprintf(buf, len, "%u", devid);
	}
	vbmq_vdev_letters(idx, letters, sizeof(letters));
	if (part)
		return snprintf(buf, len, "%s%s%u", prefix, letters, part);
	return snprintf(buf, len, "%s%s", prefix, letters);
}

int vbmq_be_thread_name(char *buf, size_t len, unsigned int domid,
			const char *vdev, unsigned int ring)
{
	int n, fixed;

	if (!len)
		return 0;
	n = snprintf(buf, len, "vbmq%u.%s-%u", domid, vdev, ring);
	if (n >= 0 && (size_t)n < len)
		return n;
	n = snprintf(buf, len, "vb%u.%s-%u", domid, vdev, ring);
	if (n >= 0 && (size_t)n < len)
		return n;
	/* Keep "vb<domid>." and "-<ring>", cut the disk name between. */
	fixed = snprintf(NULL, 0, "vb%u.-%u", domid, ring);
	if (fixed < 0 || (size_t)fixed >= len)
		return snprintf(buf, len, "%u-%u", domid, ring);
	n = snprintf(buf, len, "vb%u.%.*s-%u", domid, (int)(len - 1 - fixed),
		     vdev, ring);
	return n < 0 ? 0 : (int)strlen(buf);
}

void vbmq_be_poll_init(struct vbmq_be_poll *p, u64 max_ns)
{
	p->max_ns = max_ns;
	p->window_ns = min(max_ns, VBMQ_BE_POLL_START_NS);
}

void vbmq_be_poll_set_max(struct vbmq_be_poll *p, u64 max_ns)
{
	p->max_ns = max_ns;
	p->window_ns = min(p->window_ns, max_ns);
}

enum vbmq_be_poll_event vbmq_be_poll_idle_end(struct vbmq_be_poll *p,
					      u64 idle_ns)
{
	if (idle_ns <= p->window_ns)
		return VBMQ_BE_POLL_HIT;
	if (idle_ns <= p->max_ns) {
		if (!p->window_ns)
			p->window_ns = VBMQ_BE_POLL_START_NS;
		else if (p->window_ns <= p->max_ns / 2)
			p->window_ns *= 2;
		else
			p->window_ns = p->max_ns;
		p->window_ns = min(p->window_ns, p->max_ns);
		return VBMQ_BE_POLL_GROW;
	}
	p->window_ns /= 2;
	if (p->window_ns < VBMQ_BE_POLL_START_NS)
		p->window_ns = 0;
	return VBMQ_BE_POLL_SHRINK;
}

/* ---- persistent grants ---- */

enum vbmq_be_pg_action vbmq_be_pg_decide(const struct vbmq_be_pg_use *e,
					 bool need_write, unsigned int nr,
					 unsigned int bound)
{
	if (e) {
		if (e->writable || !need_write)
			return VBMQ_BE_PG_HIT;
		return e->users ? VBMQ_BE_PG_COPY : VBMQ_BE_PG_REMAP;
	}
	return nr < bound ? VBMQ_BE_PG_MAP : VBMQ_BE_PG_COPY;
}

bool vbmq_be_pg_hold(struct vbmq_be_pg_use *u, u64 clock)
{
	u->last_use = clock;
	return !u->users++;
}

bool vbmq_be_pg_release(struct vbmq_be_pg_use *u)
{
	/* Never below zero: a release without a hold leaves it idle. */
	if (u->users)
		u->users--;
	return !u->users;
}

unsigned int vbmq_be_pg_reclaim_want(unsigned int nr, unsigned int bound)
{
	unsigned int want = bound / VBMQ_BE_PG_RECLAIM_DIV;

	if (!nr || nr < bound)
		return 0;
	if (!want)
		want = 1;
	return want < nr ? want : nr;
}

/* Is record a more recently used than record b?  (Ties: higher index.) */
static bool vbmq_be_pg_newer(const struct vbmq_be_pg_use *u, unsigned int a,
			     unsigned int b)
{
	if (u[a].last_use != u[b].last_use)
		return u[a].last_use > u[b].last_use;
	return a > b;
}

/* Restore the max-heap (newest on top) below slot i of h[0..n). */
static void vbmq_be_pg_sift(const struct vbmq_be_pg_use *u, unsigned int *h,
			    unsigned int n, unsigned int i)
{
	unsigned int c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && vbmq_be_pg_newer(u, h[c + 1], h[c]))
			c++;
		if (!vbmq_be_pg_newer(u, h[c], h[i]))
			return;
		swap(h[c], h[i]);
		i = c;
	}
}

unsigned int vbmq_be_pg_pick(const struct vbmq_be_pg_use *u, unsigned int n,
			     unsigned int want, unsigned int *out)
{
	unsigned int i, k, nr = 0;

	if (!want)
		return 0;
	/*
	 * out[] is a max-heap of the oldest idle records seen so far, the
	 * newest of them on top, replaced whenever an older one turns up.
	 */
	for (i = 0; i < n; i++) {
		if (u[i].users)
			continue;
		if (nr < want) {
			/* Push, then move it up past older parents. */
			out[nr] = i;
			for (k = nr++; k && vbmq_be_pg_newer(u, out[k],
							     out[(k - 1) / 2]);
			     k = (k - 1) / 2)
				swap(out[k], out[(k - 1) / 2]);
			continue;
		}
		if (vbmq_be_pg_newer(u, out[0], i)) {
			out[0] = i;
			vbmq_be_pg_sift(u, out, nr, 0);
		}
	}
	return nr;
}
