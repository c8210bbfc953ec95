// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: vbmq-blkback segment checks (vbmq_be_check_segs() and
 * vbmq_be_range_ok() of xen-blkback/blkback_core.c) on indirect segment
 * pages of any length, against an exact model in 128-bit arithmetic.
 *
 * Input: start sector (u64), device size (u64), then segment entries as
 * they sit in an indirect page (gref u32, first_sect, last_sect, 2 bytes
 * padding), at most a full request's worth (8 pages).  Checked:
 *   - the verdict is exactly the model's: BAD_SECT when a segment leaves
 *     its page (first_sect > last_sect or last_sect > 7), else BAD_RANGE
 *     when the sectors run past the device (no wrap at 2^64), else OK;
 *   - on OK, nr_sectors is the sum of the segments; on refusal it is not
 *     written;
 *   - vbmq_be_range_ok() agrees with the model for the request and for
 *     the start alone;
 *   - vbmq_be_indirect_pages() covers the segments without a spare page.
 */
#include "fuzz.h"
#include "../../xen-blkback/blkback_core.c"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vbmq_be_seg seg[VBMQ_MAX_INDIRECT_SEGS];
	struct fz_in in = { data, size };
	struct vbmq_be_limits lim;
	enum vbmq_be_verdict v, want = VBMQ_BE_OK;
	u128 sum = 0;
	u64 sector, nr = 0x5a5a5a5a5a5a5a5aull;
	unsigned int n, i, pages;
	bool in_dev;

	memset(&lim, 0, sizeof(lim));
	sector = fz_u64(&in);
	lim.dev_sectors = fz_u64(&in);
	n = (unsigned int)(in.n / VBMQ_SEG_SIZE);
	if (n > VBMQ_MAX_INDIRECT_SEGS)
		n = VBMQ_MAX_INDIRECT_SEGS;
	vbmq_be_decode_segs(in.p, n, seg);

	for (i = 0; i < n; i++) {
		const u8 *e = in.p + i * VBMQ_SEG_SIZE;

		fz_assert(seg[i].gref == (u32)(e[0] | e[1] << 8 | e[2] << 16 |
					       (u32)e[3] << 24) &&
			  seg[i].first_sect == e[4] && seg[i].last_sect == e[5],
			  "segment %u decoded wrong", i);
		if (seg[i].first_sect > seg[i].last_sect ||
		    seg[i].last_sect > 7)
			want = VBMQ_BE_BAD_SECT;
		else
			sum += seg[i].last_sect - seg[i].first_sect + 1;
	}
	in_dev = (u128)sector + sum <= lim.dev_sectors;
	if (want == VBMQ_BE_OK && !in_dev)
		want = VBMQ_BE_BAD_RANGE;

	v = vbmq_be_check_segs(seg, n, sector, &lim, &nr);
	fz_assert(v == want, "%u segments at %llu of %llu: %s, want %s", n,
		  (unsigned long long)sector,
		  (unsigned long long)lim.dev_sectors, vbmq_be_verdict_str(v),
		  vbmq_be_verdict_str(want));
	if (v == VBMQ_BE_OK)
		fz_assert(nr == (u64)sum, "nr_sectors %llu, sum %llu",
			  (unsigned long long)nr, (unsigned long long)sum);
	else
		fz_assert(nr == 0x5a5a5a5a5a5a5a5aull,
			  "nr_sectors written on refusal");

	if (want != VBMQ_BE_BAD_SECT)
		fz_assert(vbmq_be_range_ok(sector, (u64)sum, lim.dev_sectors) ==
			  in_dev, "range_ok(%llu, %llu, %llu)",
			  (unsigned long long)sector, (unsigned long long)sum,
			  (unsigned long long)lim.dev_sectors);
	fz_assert(vbmq_be_range_ok(sector, 0, lim.dev_sectors) ==
		  (sector <= lim.dev_sectors), "range_ok of an empty range");

	pages = vbmq_be_indirect_pages(n);
	fz_assert(pages * VBMQ_SEGS_PER_INDIRECT_PAGE >= n &&
		  (!n || (pages - 1) * VBMQ_SEGS_PER_INDIRECT_PAGE < n) &&
		  pages <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST,
		  "%u pages for %u segments", pages, n);
	return 0;
}
