// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkback grant layer: how a request's segments reach guest memory.
 *
 * Each segment goes either zero-copy, through a persistent grant the ring
 * keeps mapped (an rbtree keyed by grant reference, bounded, least
 * recently used idle mappings reclaimed; blkback_core.c decides), or
 * through one of the ring's bounce pages and a grant copy, batched
 * VBMQ_BE_COPY_BATCH to a hypercall.  Request dispatch (blkback.c) asks
 * this layer through the vbmq_be_grants_*() calls in common.h and never
 * touches a mapping, a bounce page or a copy batch itself.
 *
 * Everything here runs on the ring thread, which owns the ring's grant
 * state; vbmq_be_grants_init() and vbmq_be_grants_free() run in the
 * control plane while the thread does not (before it is created, after
 * it stopped having answered every request).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "common.h"

/* ---- bounce pages and grant copies (ring thread only) ---- */

static struct page *vbmq_be_page_get(struct vbmq_be_ring *ring)
{
	if (ring->pool_nr)
		return ring->pool[--ring->pool_nr];
	return alloc_page(GFP_NOIO);
}

static void vbmq_be_page_put(struct vbmq_be_ring *ring, struct page *page)
{
	if (ring->pool_nr < VBMQ_BE_POOL_MAX)
		ring->pool[ring->pool_nr++] = page;
	else
		__free_page(page);
}

static void vbmq_be_release_pages(struct vbmq_be_ring *ring,
				  struct vbmq_be_request *rq)
{
	unsigned int i;

	for (i = 0; i < rq->nr_segs; i++) {
		if (!rq->pages[i])
			continue;
		vbmq_be_page_put(ring, rq->pages[i]);
		rq->pages[i] = NULL;
		ring->bounce_nr--;
	}
	WRITE_ONCE(ring->st.bounce_pages, ring->bounce_nr);
}

/* Run the queued grant copies; a failed one fails its request. */
static void vbmq_be_copy_flush(struct vbmq_be_ring *ring)
{
	unsigned int i;

	if (!ring->nr_copy)
		return;
	gnttab_batch_copy(ring->copy, ring->nr_copy);
	for (i = 0; i < ring->nr_copy; i++) {
		if (ring->copy[i].status == GNTST_okay)
			continue;
		pr_warn_ratelimited("%s: grant copy of ref %u failed: %d\n",
				    ring->name,
				    ring->copy[i].flags & GNTCOPY_dest_gref ?
				    ring->copy[i].dest.u.ref :
				    ring->copy[i].source.u.ref,
				    ring->copy[i].status);
		ring->copy_req[i]->status = BLKIF_RSP_ERROR;
	}
	ring->nr_copy = 0;
}

/* Queue a copy of segment i between the guest and its bounce page. */
static void vbmq_be_copy_seg(struct vbmq_be_ring *ring,
			     struct vbmq_be_request *rq, unsigned int i,
			     bool to_guest)
{
	const struct vbmq_be_seg *seg = &rq->segs[i];
	struct gnttab_copy *op = &ring->copy[ring->nr_copy];
	struct gnttab_copy_ptr *guest, *local;
	u16 off = (u16)vbmq_be_seg_offset(seg);

	memset(op, 0, sizeof(*op));
	guest = to_guest ? &op->dest : &op->source;
	local = to_guest ? &op->source : &op->dest;
	guest->u.ref = seg->gref;
	guest->domid = ring->be->domid;
	guest->offset = off;
	local->u.gmfn = xen_page_to_gfn(rq->pages[i]);
	local->domid = DOMID_SELF;
	local->offset = off;
	op->len = (u16)vbmq_be_seg_len(seg);
	op->flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
	ring->copy_req[ring->nr_copy++] = rq;
	if (ring->nr_copy == VBMQ_BE_COPY_BATCH)
		vbmq_be_copy_flush(ring);
}

/* ---- persistent grants (ring thread only; teardown after it stopped) ---- */

static void vbmq_be_pg_stat_nr(struct vbmq_be_ring *ring)
{
	WRITE_ONCE(ring->st.pg_mapped, ring->pg_nr);
	WRITE_ONCE(ring->st.pg_in_use, ring->pg_in_use);
}

static struct vbmq_be_pgnt *vbmq_be_pg_find(struct vbmq_be_ring *ring,
					    u32 gref)
{
	struct rb_node *n = ring->pg_tree.rb_node;
	struct vbmq_be_pgnt *pg;

	while (n) {
		pg = rb_entry(n, struct vbmq_be_pgnt, node);
		if (gref < pg->gref)
			n = n->rb_left;
		else if (gref > pg->gref)
			n = n->rb_right;
		else
			return pg;
	}
	return NULL;
}

/* The caller has checked that gref is not in the tree. */
static void vbmq_be_pg_insert(struct vbmq_be_ring *ring,
			      struct vbmq_be_pgnt *pg)
{
	struct rb_node **link = &ring->pg_tree.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (pg->gref < rb_entry(parent, struct vbmq_be_pgnt, node)->gref)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&pg->node, parent, link);
	rb_insert_color(&pg->node, &ring->pg_tree);
	ring->pg_nr++;
}

/* A page for a grant mapping; no I/O for memory: we are on the I/O path. */
static struct page *vbmq_be_pg_alloc_page(void)
{
	unsigned int noio = memalloc_noio_save();
	struct page *page;

	if (gnttab_alloc_pages(1, &page))
		page = NULL;
	memalloc_noio_restore(noio);
	return page;
}

/*
 * Run the queued unmaps (synchronously: gnttab_unmap_refs_sync waits until
 * nothing else holds the pages) and free the pages.  A page whose unmap
 * failed may still show guest memory: it is leaked, never reused.
 */
static void vbmq_be_pg_unmap_flush(struct vbmq_be_ring *ring)
{
	struct gntab_unmap_queue_data q = {
		.unmap_ops = ring->pg_unmap,
		.pages = ring->pg_unmap_page,
		.count = ring->pg_nr_unmap,
	};
	unsigned int i;
	int err;

	if (!ring->pg_nr_unmap)
		return;
	err = gnttab_unmap_refs_sync(&q);
	for (i = 0; i < ring->pg_nr_unmap; i++) {
		if (err || ring->pg_unmap[i].status != GNTST_okay) {
			pr_err_ratelimited("%s: unmapping a persistent grant failed (%d, status %d); its page is leaked\n",
					   ring->name, err,
					   ring->pg_unmap[i].status);
			continue;
		}
		gnttab_free_pages(1, &ring->pg_unmap_page[i]);
	}
	WRITE_ONCE(ring->st.pg_unmaps, ring->st.pg_unmaps + ring->pg_nr_unmap);
	ring->pg_nr_unmap = 0;
}

/* Take an idle, mapped grant out of the tree and queue its unmap. */
static void vbmq_be_pg_drop(struct vbmq_be_ring *ring,
			    struct vbmq_be_pgnt *pg)
{
	unsigned int n = ring->pg_nr_unmap;

	rb_erase(&pg->node, &ring->pg_tree);
	ring->pg_nr--;
	gnttab_set_unmap_op(&ring->pg_unmap[n],
			    (unsigned long)page_address(pg->page),
			    GNTMAP_host_map, pg->handle);
	ring->pg_unmap_page[n] = pg->page;
	ring->pg_nr_unmap++;
	kfree(pg);
	if (ring->pg_nr_unmap == VBMQ_BE_MAP_BATCH)
		vbmq_be_pg_unmap_flush(ring);
}

/*
 * Run the queued maps, after the queued unmaps.  A grant that cannot be
 * mapped leaves the tree and stays only for the requests holding it, which
 * fail (vbmq_be_pg_check); each holder keeps it alive, so a failed map
 * is always freed by vbmq_be_pg_put().
 */
static void vbmq_be_pg_map_flush(struct vbmq_be_ring *ring)
{
	unsigned int i, n = ring->pg_nr_map, bad = 0;
	struct vbmq_be_pgnt *pg;
	int err;

	vbmq_be_pg_unmap_flush(ring);
	if (!n)
		return;
	err = gnttab_map_refs(ring->pg_map, NULL, ring->pg_map_page, n);
	if (err)
		pr_warn_ratelimited("%s: mapping %u grants: %d\n", ring->name,
				    n, err);
	for (i = 0; i < n; i++) {
		pg = ring->pg_map_ent[i];
		if (ring->pg_map[i].status == GNTST_okay) {
			pg->handle = ring->pg_map[i].handle;
			continue;
		}
		pr_warn_ratelimited("%s: mapping grant ref %u failed: %d\n",
				    ring->name, pg->gref,
				    ring->pg_map[i].status);
		pg->failed = true;
		rb_erase(&pg->node, &ring->pg_tree);
		ring->pg_nr--;
		bad++;
	}
	WRITE_ONCE(ring->st.pg_maps, ring->st.pg_maps + n - bad);
	WRITE_ONCE(ring->st.pg_map_errs, ring->st.pg_map_errs + bad);
	ring->pg_nr_map = 0;
	vbmq_be_pg_stat_nr(ring);
}

/* A record for gref, in the tree, its map queued; NULL: out of memory. */
static struct vbmq_be_pgnt *vbmq_be_pg_new(struct vbmq_be_ring *ring,
					   u32 gref, bool writable)
{
	u32 flags = GNTMAP_host_map | (writable ? 0 : GNTMAP_readonly);
	unsigned int n = ring->pg_nr_map;
	struct vbmq_be_pgnt *pg;

	pg = kzalloc(sizeof(*pg), GFP_NOIO);
	if (!pg)
		return NULL;
	pg->page = vbmq_be_pg_alloc_page();
	if (!pg->page) {
		kfree(pg);
		return NULL;
	}
	pg->gref = gref;
	pg->use.writable = writable;
	gnttab_set_map_op(&ring->pg_map[n],
			  (unsigned long)page_address(pg->page), flags, gref,
			  ring->be->domid);
	ring->pg_map_ent[n] = pg;
	ring->pg_map_page[n] = pg->page;
	ring->pg_nr_map++;
	vbmq_be_pg_insert(ring, pg);
	return pg;
}

/*
 * Segment i of rq: use, map or remap its grant persistently, or leave
 * rq->pgnts[i] NULL for a grant copy.  A READ writes guest memory and
 * needs a writable mapping; the other operations only read it, and a
 * grant first met by them is mapped read-only.
 */
static void vbmq_be_pg_get(struct vbmq_be_ring *ring,
			   struct vbmq_be_request *rq, unsigned int i)
{
	bool need_write = vbmq_be_pg_need_write(rq->req.op);
	u32 gref = rq->segs[i].gref;
	struct vbmq_be_pgnt *pg = vbmq_be_pg_find(ring, gref);

	switch (vbmq_be_pg_decide(pg ? &pg->use : NULL, need_write,
				  ring->pg_nr, ring->pg_bound)) {
	case VBMQ_BE_PG_HIT:
		break;
	case VBMQ_BE_PG_COPY:
		if (!pg)
			ring->pg_full = true;
		pg = NULL;
		break;
	case VBMQ_BE_PG_REMAP:
		vbmq_be_pg_drop(ring, pg);
		fallthrough;
	case VBMQ_BE_PG_MAP:
		pg = vbmq_be_pg_new(ring, gref, need_write);
		break;
	}
	if (!pg) {
		WRITE_ONCE(ring->st.pg_copies, ring->st.pg_copies + 1);
		return;
	}
	if (vbmq_be_pg_hold(&pg->use, ring->pg_clock))
		ring->pg_in_use++;
	rq->pgnts[i] = pg;
	/* Only now, with a holder: a failed map then waits for it. */
	if (ring->pg_nr_map == VBMQ_BE_MAP_BATCH)
		vbmq_be_pg_map_flush(ring);
}

/*
 * A request lets go of a mapping, after every bio of it completed: an idle
 * mapping may be reclaimed or remapped from now on.
 */
static void vbmq_be_pg_put(struct vbmq_be_ring *ring,
			   struct vbmq_be_pgnt *pg)
{
	if (!vbmq_be_pg_release(&pg->use))
		return;
	ring->pg_in_use--;
	if (pg->failed) {
		gnttab_free_pages(1, &pg->page);
		kfree(pg);
	}
}

/*
 * After the pass's maps ran: a request holding a grant that could not be
 * mapped fails (its bios are never built, so the unmapped page is never
 * used); the others go zero-copy on their mapped segments.
 */
static void vbmq_be_pg_check(struct vbmq_be_ring *ring,
			     struct vbmq_be_request *rq)
{
	unsigned int i, n = 0;

	for (i = 0; i < rq->nr_segs; i++) {
		if (!rq->pgnts[i])
			continue;
		if (rq->pgnts[i]->failed) {
			rq->status = BLKIF_RSP_ERROR;
			return;
		}
		n++;
	}
	if (n && rq->status == BLKIF_RSP_OKAY)
		WRITE_ONCE(ring->st.pg_hits, ring->st.pg_hits + n);
}

/*
 * The bound was reached: unmap the least recently used grants that no
 * request holds, a fraction of the bound (blkback_core.c decides).
 */
static void vbmq_be_pg_reclaim(struct vbmq_be_ring *ring)
{
	unsigned int want, n = 0, nr, i;
	struct vbmq_be_pgnt *pg;
	struct rb_node *nd;

	ring->pg_full = false;
	want = vbmq_be_pg_reclaim_want(ring->pg_nr, ring->pg_bound);
	if (!want)
		return;
	for (nd = rb_first(&ring->pg_tree); nd && n < ring->pg_bound;
	     nd = rb_next(nd)) {
		pg = rb_entry(nd, struct vbmq_be_pgnt, node);
		ring->pg_use[n] = pg->use;
		ring->pg_ent[n++] = pg;
	}
	nr = vbmq_be_pg_pick(ring->pg_use, n, want, ring->pg_pick);
	for (i = 0; i < nr; i++)
		vbmq_be_pg_drop(ring, ring->pg_ent[ring->pg_pick[i]]);
	vbmq_be_pg_unmap_flush(ring);
	WRITE_ONCE(ring->st.pg_reclaims, ring->st.pg_reclaims + 1);
	vbmq_be_pg_stat_nr(ring);
}

/* Teardown, the thread stopped and every request answered: unmap all. */
static void vbmq_be_pg_free_all(struct vbmq_be_ring *ring)
{
	struct rb_node *nd;

	while ((nd = rb_first(&ring->pg_tree)))
		vbmq_be_pg_drop(ring, rb_entry(nd, struct vbmq_be_pgnt, node));
	vbmq_be_pg_unmap_flush(ring);
	vbmq_be_pg_stat_nr(ring);
	kvfree(ring->pg_use);
	kvfree(ring->pg_ent);
	kvfree(ring->pg_pick);
}

/* ---- the layer's calls (common.h) ---- */

/*
 * Connect, before the thread exists: the ring's grant policy and the
 * scratch a reclaim needs.  -ENOMEM leaves what was allocated to
 * vbmq_be_grants_free().
 */
int vbmq_be_grants_init(struct vbmq_be_ring *ring, bool persistent)
{
	ring->pg_tree = RB_ROOT;
	ring->pg_bound = vbmq_be_max_persistent_grants;
	/* At least one request of the most segments: it must fit alone. */
	ring->bounce_cap = max(READ_ONCE(vbmq_be_max_bounce_pages),
			       vbmq_be_max_indirect_segments);
	ring->pg_on = persistent && ring->pg_bound;
	if (!ring->pg_on)
		return 0;
	ring->pg_use = kvcalloc(ring->pg_bound, sizeof(*ring->pg_use),
				GFP_KERNEL);
	ring->pg_ent = kvcalloc(ring->pg_bound, sizeof(*ring->pg_ent),
				GFP_KERNEL);
	ring->pg_pick = kvcalloc(ring->pg_bound, sizeof(*ring->pg_pick),
				 GFP_KERNEL);
	if (!ring->pg_use || !ring->pg_ent || !ring->pg_pick)
		return -ENOMEM;
	return 0;
}

/* Teardown, the thread stopped: unmap every grant, free the bounce pool. */
void vbmq_be_grants_free(struct vbmq_be_ring *ring)
{
	vbmq_be_pg_free_all(ring);
	while (ring->pool_nr)
		__free_page(ring->pool[--ring->pool_nr]);
}

/*
 * A consume pass starts: the device may have changed its need for stable
 * pages, and the mappings used from now on are this pass's.
 */
void vbmq_be_grants_new_pass(struct vbmq_be_ring *ring)
{
	ring->stable_writes = bdev_stable_writes(ring->bdev);
	ring->pg_clock++;
}

/*
 * The persistent grants of the segments (held until the response); a
 * segment without one gets a bounce page later (vbmq_be_grants_bounce()).
 */
void vbmq_be_grants_get(struct vbmq_be_ring *ring, struct vbmq_be_request *rq)
{
	unsigned int i;

	if (ring->pg_on && vbmq_be_pg_usable(rq->req.op, ring->stable_writes))
		for (i = 0; i < rq->nr_segs; i++)
			vbmq_be_pg_get(ring, rq, i);
	else if (ring->pg_on)
		WRITE_ONCE(ring->st.pg_copies,
			   ring->st.pg_copies + rq->nr_segs);
}

/*
 * A bounce page for every segment without a persistent grant and, for
 * writes, the grant copies of those segments' data, queued: the consume
 * pass runs all its maps and copies before it submits anything.  The
 * ring's requests hold at most bounce_cap pages: a request that would go
 * beyond waits (returns false, nothing taken) until answered requests give
 * theirs back; it never fails for it.  The module parameter's range lets
 * a request of the most segments fit into an empty ring.
 */
bool vbmq_be_grants_bounce(struct vbmq_be_ring *ring,
			   struct vbmq_be_request *rq)
{
	unsigned int i, need = 0;

	if (rq->paged || rq->status != BLKIF_RSP_OKAY)
		goto out_paged;
	for (i = 0; i < rq->nr_segs; i++)
		need += !rq->pgnts[i];
	if (need > ring->bounce_cap - ring->bounce_nr) {
		if (!rq->waited)
			WRITE_ONCE(ring->st.bounce_waits,
				   ring->st.bounce_waits + 1);
		rq->waited = true;
		return false;
	}
	for (i = 0; i < rq->nr_segs; i++) {
		if (rq->pgnts[i])
			continue;
		rq->pages[i] = vbmq_be_page_get(ring);
		if (!rq->pages[i]) {
			WRITE_ONCE(ring->st.oo_req, ring->st.oo_req + 1);
			rq->status = BLKIF_RSP_ERROR;
			break;
		}
		ring->bounce_nr++;
	}
	WRITE_ONCE(ring->st.bounce_pages, ring->bounce_nr);
	if (ring->bounce_nr > ring->st.bounce_peak)
		WRITE_ONCE(ring->st.bounce_peak, ring->bounce_nr);
	if (rq->status != BLKIF_RSP_OKAY || rq->req.op == BLKIF_OP_READ)
		goto out_paged;
	for (i = 0; i < rq->nr_segs; i++)
		if (!rq->pgnts[i])
			vbmq_be_copy_seg(ring, rq, i, false);
out_paged:
	rq->paged = true;
	return true;
}

/*
 * Run what the pass queued: the maps (after the unmaps they replace), then
 * every grant copy, in as few hypercalls as possible.
 */
void vbmq_be_grants_flush(struct vbmq_be_ring *ring)
{
	vbmq_be_pg_map_flush(ring);
	vbmq_be_copy_flush(ring);
}

/*
 * After the flush, before rq's bios are built: a request holding a grant
 * that could not be mapped fails.
 */
void vbmq_be_grants_check(struct vbmq_be_ring *ring,
			  struct vbmq_be_request *rq)
{
	if (ring->pg_on)
		vbmq_be_pg_check(ring, rq);
}

/*
 * A read completed: queue the copies of its bounced segments to the guest
 * (a segment on a persistent grant was read into the guest's page by its
 * bio).  vbmq_be_grants_flush() runs them.
 */
void vbmq_be_grants_copy_out(struct vbmq_be_ring *ring,
			     struct vbmq_be_request *rq)
{
	unsigned int i;

	for (i = 0; i < rq->nr_segs; i++)
		if (!rq->pgnts[i])
			vbmq_be_copy_seg(ring, rq, i, true);
}

/* rq was answered: give back its mappings and its bounce pages. */
void vbmq_be_grants_put(struct vbmq_be_ring *ring, struct vbmq_be_request *rq)
{
	unsigned int i;

	for (i = 0; i < rq->nr_segs; i++) {
		if (rq->pgnts[i])
			vbmq_be_pg_put(ring, rq->pgnts[i]);
		rq->pgnts[i] = NULL;
	}
	vbmq_be_pg_stat_nr(ring);
	vbmq_be_release_pages(ring, rq);
}

/*
 * End of a consume pass at @now: when a grant found no room, reclaim,
 * which scans the whole tree, at most once an interval.
 */
void vbmq_be_grants_reclaim(struct vbmq_be_ring *ring, u64 now)
{
	if (!ring->pg_full || now < ring->pg_next_reclaim)
		return;
	vbmq_be_pg_reclaim(ring);
	ring->pg_next_reclaim = now + VBMQ_BE_PG_RECLAIM_INTERVAL_NS;
}
