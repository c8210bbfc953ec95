// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: vbmq-blkfront segment packing (vbmq_fe_pack() and
 * vbmq_fe_seg_span() of xen-blkfront/blkfront_core.c), checked against
 * what the backend will accept (vbmq_be_check_segs() of
 * xen-blkback/blkback_core.c): the frontend must never build a request
 * the backend refuses as malformed.
 *
 * Input: the guest page size (4 KiB << 0..4, or any value), the segment
 * limit, then buffers (offset, length), each either raw or in 512-byte
 * units within the page.  Checked:
 *   - malformed buffer lists (empty, unaligned, leaving the page, bad page
 *     size) are refused with -EINVAL; otherwise the result is the number
 *     of 4 KiB frames the buffers touch, or -E2BIG beyond the limit;
 *   - every segment lies in one 4 KiB frame (first_sect <= last_sect <= 7),
 *     the segments of a buffer cover it exactly, in order, without gaps;
 *   - the indirect page count is 0 up to 11 segments, else just enough;
 *   - the backend's vbmq_be_check_segs() accepts the segments and counts
 *     the same number of sectors.
 */
#include "fuzz.h"
#include "../../xen-blkfront/blkfront_core.c"
#include "../../xen-blkback/blkback_core.c"

#define MAX_BUFS	1024

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vbmq_fe_buf bufs[MAX_BUFS];
	static struct vbmq_fe_seg segs[VBMQ_MAX_INDIRECT_SEGS];
	static struct vbmq_be_seg be[VBMQ_MAX_INDIRECT_SEGS];
	struct fz_in in = { data, size };
	struct vbmq_fe_layout lay;
	struct vbmq_be_limits lim;
	u32 page, max_segs, cap, nr_bufs = 0, i, k, pos, page_off, frame_off;
	u32 len;
	u64 need = 0, bytes = 0, nr_sectors;
	bool malformed = false;
	u8 ps = fz_u8(&in);
	int n;

	page = ps & 0x80 ? fz_u32(&in) : VBMQ_GRANT_SIZE << (ps % 5);
	max_segs = fz_u16(&in);
	if (!(page >= VBMQ_GRANT_SIZE && !(page & (page - 1))))
		malformed = true;
	while (in.n && nr_bufs < MAX_BUFS) {
		u8 mode = fz_u8(&in);
		struct vbmq_fe_buf *b = &bufs[nr_bufs++];

		if (mode & 1) {
			b->offset = fz_u32(&in);
			b->len = fz_u32(&in);
		} else {
			u32 sects = page >> 9 ? page >> 9 : 1;

			b->offset = (fz_u16(&in) % sects) << 9;
			b->len = (fz_u16(&in) % (sects - (b->offset >> 9)) + 1)
				<< 9;
		}
		if (!b->len || b->offset % 512 || b->len % 512 ||
		    b->offset >= page || b->len > page - b->offset) {
			malformed = true;
			continue;
		}
		/* 4 KiB frames the buffer touches. */
		need += ((b->offset + b->len - 1) >> 12) - (b->offset >> 12) + 1;
		bytes += b->len;
	}
	if (!nr_bufs)
		malformed = true;
	cap = max_segs < VBMQ_MAX_INDIRECT_SEGS ? max_segs :
		VBMQ_MAX_INDIRECT_SEGS;

	n = vbmq_fe_pack(bufs, nr_bufs, page, max_segs, segs, &lay);
	if (malformed) {
		fz_assert(n == -EINVAL || n == -E2BIG,
			  "malformed buffers packed: %d", n);
		return 0;
	}
	if (need > cap) {
		fz_assert(n == -E2BIG, "%llu segments over %u: %d",
			  (unsigned long long)need, cap, n);
		return 0;
	}
	fz_assert(n >= 0 && (u64)n == need && lay.nr_segs == (u32)n,
		  "packed %d (layout %u), want %llu", n, lay.nr_segs,
		  (unsigned long long)need);
	if (n <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		fz_assert(!lay.nr_indirect, "%u indirect pages for %d",
			  lay.nr_indirect, n);
	else
		fz_assert(lay.nr_indirect == vbmq_be_indirect_pages(n) &&
			  lay.nr_indirect <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST,
			  "%u indirect pages for %d", lay.nr_indirect, n);

	/* The segments of each buffer cover it, in order. */
	k = 0;
	for (i = 0; i < nr_bufs; i++) {
		pos = bufs[i].offset;
		while (k < (u32)n && segs[k].buf == i) {
			fz_assert(segs[k].first_sect <= segs[k].last_sect &&
				  segs[k].last_sect < VBMQ_SECTS_PER_GRANT,
				  "segment %u: sectors %u..%u", k,
				  segs[k].first_sect, segs[k].last_sect);
			vbmq_fe_seg_span(&segs[k], &page_off, &frame_off, &len);
			fz_assert(page_off == pos && len &&
				  frame_off + len <= VBMQ_GRANT_SIZE &&
				  segs[k].frame == page_off >> 12,
				  "segment %u at %u+%u, want %u", k, page_off,
				  len, pos);
			pos += len;
			be[k].gref = k;
			be[k].first_sect = segs[k].first_sect;
			be[k].last_sect = segs[k].last_sect;
			k++;
		}
		fz_assert(pos == bufs[i].offset + bufs[i].len,
			  "buffer %u: covered to %u of %u+%u", i, pos,
			  bufs[i].offset, bufs[i].len);
	}
	fz_assert(k == (u32)n, "%u of %d segments in buffer order", k, n);

	memset(&lim, 0, sizeof(lim));
	lim.dev_sectors = ~0ull;
	fz_assert(vbmq_be_check_segs(be, (unsigned int)n, 0, &lim,
				     &nr_sectors) == VBMQ_BE_OK,
		  "backend refuses the frontend's segments");
	fz_assert(nr_sectors << 9 == bytes, "backend counts %llu sectors",
		  (unsigned long long)nr_sectors);
	return 0;
}
