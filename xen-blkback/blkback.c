// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkback data plane: one kernel thread per ring.
 *
 * A ring thread loops over three steps: answer the requests whose I/O has
 * completed (one notification per batch, and only if the frontend asked for
 * it), take new requests off the ring (each slot copied once into private
 * memory, the copy decoded and validated by blkback_core.c, and submitted
 * as bios on persistently mapped guest pages or bounce pages), and then
 * either poll again or sleep on the event channel, according to the ring's
 * poll mode:
 *
 *   off       sleep as soon as the ring is idle (re-arming req_event with
 *             RING_FINAL_CHECK_FOR_REQUESTS first), as upstream does;
 *   adaptive  keep polling an idle ring for the adaptive window
 *             (blkback_core.c), with req_event left unarmed so the frontend
 *             does not kick; when the window expires, re-arm and sleep;
 *   always    never re-arm, never sleep; cond_resched() only.
 *
 * Data path (its grant side is the grant layer's, grant.c).  When both
 * ends offer feature-persistent, the ring keeps the guest's grants mapped
 * (up to max_persistent_grants per ring) and builds a segment's bio on
 * the mapped guest page itself, at the segment's offset and length: zero
 * copy.  Every other segment goes through one of
 * the backend's bounce pages and a grant copy (GNTTABOP_copy, batched):
 * before submission for writes, after completion for reads.  A segment is
 * grant-copied when persistent grants are off, when the bound is reached,
 * when a READ meets a read-only mapping that a request in flight holds
 * (it is never remapped under a bio), or when the device needs stable
 * pages and the request writes the disk (the guest could change its page
 * under the I/O).
 *
 * A mapping is held by every request in flight that names it, once per
 * segment (blkback_core.c counts holders), from consumption until the
 * request is answered, i.e. after every bio of it completed.  Reclaim (the
 * least recently used idle mappings, when the bound is reached) and the
 * read-only -> writable remap only touch mappings nobody holds.  Teardown
 * stops the thread, which first answers every request in flight (so no
 * bio still points at a guest page), and only then unmaps the persistent
 * grants and the ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/xen/hypercall.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xenbus.h>

#include "common.h"
#include "vbmq/poll.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* ---- the two ABI views of one ring ---- */

static bool vbmq_be_is32(const struct vbmq_be_ring *ring)
{
	return ring->abi == VBMQ_BE_ABI_X86_32;
}

static RING_IDX vbmq_be_req_cons(const struct vbmq_be_ring *ring)
{
	return vbmq_be_is32(ring) ? ring->r32.req_cons : ring->r64.req_cons;
}

static void vbmq_be_set_req_cons(struct vbmq_be_ring *ring, RING_IDX rc)
{
	if (vbmq_be_is32(ring))
		ring->r32.req_cons = rc;
	else
		ring->r64.req_cons = rc;
}

static RING_IDX vbmq_be_req_prod(const struct vbmq_be_ring *ring)
{
	return vbmq_be_is32(ring) ? READ_ONCE(ring->r32.sring->req_prod) :
		READ_ONCE(ring->r64.sring->req_prod);
}

static bool vbmq_be_prod_overflow(const struct vbmq_be_ring *ring, RING_IDX rp)
{
	return vbmq_be_is32(ring) ? RING_REQUEST_PROD_OVERFLOW(&ring->r32, rp) :
		RING_REQUEST_PROD_OVERFLOW(&ring->r64, rp);
}

static bool vbmq_be_cons_overflow(const struct vbmq_be_ring *ring, RING_IDX rc)
{
	return vbmq_be_is32(ring) ? RING_REQUEST_CONS_OVERFLOW(&ring->r32, rc) :
		RING_REQUEST_CONS_OVERFLOW(&ring->r64, rc);
}

static const void *vbmq_be_req_slot(const struct vbmq_be_ring *ring,
				    RING_IDX idx)
{
	if (vbmq_be_is32(ring))
		return RING_GET_REQUEST(&ring->r32, idx)->b;
	return RING_GET_REQUEST(&ring->r64, idx)->b;
}

/* The next response slot; the caller fills it before the next push. */
static void *vbmq_be_next_rsp_slot(struct vbmq_be_ring *ring)
{
	if (vbmq_be_is32(ring))
		return RING_GET_RESPONSE(&ring->r32,
					 ring->r32.rsp_prod_pvt++)->b;
	return RING_GET_RESPONSE(&ring->r64, ring->r64.rsp_prod_pvt++)->b;
}

/*
 * Arm req_event and look again.  The macro's virt_mb() between writing
 * req_event and re-reading req_prod pairs with the frontend's virt_mb() in
 * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY between writing req_prod and reading
 * req_event: either we see the new request or the frontend sees the armed
 * event and kicks.
 */
static int vbmq_be_final_check(struct vbmq_be_ring *ring)
{
	int more;

	if (vbmq_be_is32(ring))
		RING_FINAL_CHECK_FOR_REQUESTS(&ring->r32, more);
	else
		RING_FINAL_CHECK_FOR_REQUESTS(&ring->r64, more);
	return more;
}

/*
 * Disarm req_event before polling: RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
 * kicks only when req_event lies among the requests it has just pushed, so
 * an event at req_cons, which no push can pass again, silences the
 * frontend.  A kick racing with this write only wakes us spuriously; the
 * sleep path re-arms (vbmq_be_final_check) before it waits.  Without it a
 * thread woken by a settings change kept the event armed at sleep and took
 * one kick per ring when the frontend next pushed.
 */
static void vbmq_be_disarm(struct vbmq_be_ring *ring)
{
	if (vbmq_be_is32(ring))
		WRITE_ONCE(ring->r32.sring->req_event, ring->r32.req_cons);
	else
		WRITE_ONCE(ring->r64.sring->req_event, ring->r64.req_cons);
}

/*
 * Publish the responses written so far and notify the frontend if its
 * rsp_event asks for it.  The macro's virt_wmb() before the rsp_prod update
 * pairs with the frontend's virt_rmb() after reading rsp_prod; its virt_mb()
 * before reading rsp_event pairs with the frontend's virt_mb() in
 * RING_FINAL_CHECK_FOR_RESPONSES.
 */
static void vbmq_be_push(struct vbmq_be_ring *ring)
{
	int notify;

	if (!ring->rsp_pending)
		return;
	ring->rsp_pending = false;
	if (vbmq_be_is32(ring))
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&ring->r32, notify);
	else
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&ring->r64, notify);
	trace_vbmq_be_notify(ring, notify);
	if (notify) {
		notify_remote_via_irq(ring->irq);
		WRITE_ONCE(ring->st.notify_sent, ring->st.notify_sent + 1);
	} else {
		WRITE_ONCE(ring->st.notify_suppressed,
			   ring->st.notify_suppressed + 1);
	}
}

static void vbmq_be_respond(struct vbmq_be_ring *ring, u64 id, u8 op,
			    int status)
{
	vbmq_be_encode_rsp(ring->abi, vbmq_be_next_rsp_slot(ring), id, op,
			   status);
	ring->rsp_pending = true;
	if (status != BLKIF_RSP_OKAY)
		WRITE_ONCE(ring->st.err_rsp, ring->st.err_rsp + 1);
}

/* ---- requests ---- */

static bool vbmq_be_is_read(const struct vbmq_be_request *rq)
{
	return rq->req.op == BLKIF_OP_READ;
}

/* Give a request back to the free list; its response is written. */
static void vbmq_be_request_free(struct vbmq_be_ring *ring,
				 struct vbmq_be_request *rq)
{
	vbmq_be_grants_put(ring, rq);
	rq->nr_segs = 0;
	list_add(&rq->node, &ring->free_reqs);
}

/*
 * Drop one reference to the request's I/O; the last one hands it to the
 * ring thread.  Runs in bio completion context.  atomic_dec_and_test() is
 * fully ordered, so a status stored before it is seen by the thread, which
 * takes the request from ring->done under done_lock.
 */
static void vbmq_be_request_put_io(struct vbmq_be_request *rq)
{
	struct vbmq_be_ring *ring = rq->ring;
	unsigned long flags;

	if (!atomic_dec_and_test(&rq->pending))
		return;
	spin_lock_irqsave(&ring->done_lock, flags);
	list_add_tail(&rq->node, &ring->done);
	spin_unlock_irqrestore(&ring->done_lock, flags);
	wake_up(&ring->wq);
}

static void vbmq_be_bio_end(struct bio *bio)
{
	struct vbmq_be_request *rq = bio->bi_private;

	if (bio->bi_status)
		WRITE_ONCE(rq->status, bio->bi_status == BLK_STS_NOTSUPP ?
			   BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR);
	bio_put(bio);
	vbmq_be_request_put_io(rq);
}

static void vbmq_be_submit(struct vbmq_be_request *rq, struct bio *bio)
{
	bio->bi_private = rq;
	bio->bi_end_io = vbmq_be_bio_end;
	atomic_inc(&rq->pending);
	submit_bio(bio);
}

/* Discard or secure erase, in bios the block layer splits further. */
static void vbmq_be_submit_discard(struct vbmq_be_ring *ring,
				   struct vbmq_be_request *rq)
{
	const struct vbmq_be_req *r = &rq->req;
	unsigned int lbs = bdev_logical_block_size(ring->bdev) >> 9;
	u64 chunk = round_down(UINT_MAX >> 9, lbs);
	u64 sector = r->sector, left = r->nr_sectors, n;
	blk_opf_t opf = r->discard_flags & BLKIF_DISCARD_SECURE ?
		REQ_OP_SECURE_ERASE : REQ_OP_DISCARD;
	struct bio *bio;

	if ((sector | left) & (lbs - 1)) {
		pr_warn_ratelimited("%s: discard %llu+%llu not aligned to %u sectors\n",
				    ring->name, sector, left, lbs);
		rq->status = BLKIF_RSP_ERROR;
		return;
	}
	while (left) {
		n = min(left, chunk);
		bio = bio_alloc(ring->bdev, 0, opf, GFP_NOIO);
		bio->bi_iter.bi_sector = sector;
		bio->bi_iter.bi_size = (unsigned int)(n << 9);
		vbmq_be_submit(rq, bio);
		sector += n;
		left -= n;
	}
}

/* The bios of a read, write, flush or barrier whose data is in place. */
static void vbmq_be_submit_rw(struct vbmq_be_ring *ring,
			      struct vbmq_be_request *rq, blk_opf_t opf)
{
	sector_t sector = rq->req.sector;
	struct bio *bio = NULL;
	unsigned int i, len, off;
	struct page *page;

	if (!rq->nr_segs) {
		/* A flush or barrier without data: an empty preflush. */
		vbmq_be_submit(rq, bio_alloc(ring->bdev, 0, opf, GFP_NOIO));
		return;
	}
	for (i = 0; i < rq->nr_segs; i++) {
		len = vbmq_be_seg_len(&rq->segs[i]);
		off = vbmq_be_seg_offset(&rq->segs[i]);
		page = vbmq_be_grants_page(rq, i);
		if (bio && bio_add_page(bio, page, len, off) == len) {
			sector += len >> 9;
			continue;
		}
		if (bio)
			vbmq_be_submit(rq, bio);
		bio = bio_alloc(ring->bdev,
				min_t(unsigned int, rq->nr_segs - i, BIO_MAX_VECS),
				opf, GFP_NOIO);
		bio->bi_iter.bi_sector = sector;
		/* An empty bio always takes one page. */
		__bio_add_page(bio, page, len, off);
		sector += len >> 9;
	}
	vbmq_be_submit(rq, bio);
}

/*
 * Copy the indirect segment pages of rq once, decode and check the copy.
 * The first VBMQ_SEG_SIZE * nr_segments bytes are copied, nothing more.
 */
static enum vbmq_be_verdict vbmq_be_fetch_indirect(struct vbmq_be_ring *ring,
						   struct vbmq_be_request *rq)
{
	struct gnttab_copy ops[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct vbmq_be_req *r = &rq->req;
	unsigned int p, n, left = r->nr_segments;

	if (!rq->iseg) {
		rq->iseg = kmalloc_array(vbmq_be_max_indirect_segments,
					 sizeof(*rq->iseg), GFP_NOIO);
		rq->ipages = kcalloc(vbmq_be_max_indirect_segments,
				     sizeof(*rq->ipages), GFP_NOIO);
		rq->ipgnts = kcalloc(vbmq_be_max_indirect_segments,
				     sizeof(*rq->ipgnts), GFP_NOIO);
		if (!rq->iseg || !rq->ipages || !rq->ipgnts) {
			kfree(rq->iseg);
			kfree(rq->ipages);
			kfree(rq->ipgnts);
			rq->iseg = NULL;
			rq->ipages = NULL;
			rq->ipgnts = NULL;
			WRITE_ONCE(ring->st.oo_req, ring->st.oo_req + 1);
			return VBMQ_BE_NOMEM;
		}
	}
	memset(ops, 0, sizeof(ops));
	for (p = 0; p < r->nr_indirect_pages; p++) {
		n = min_t(unsigned int, left, VBMQ_SEGS_PER_INDIRECT_PAGE);
		ops[p].source.u.ref = r->indirect_gref[p];
		ops[p].source.domid = ring->be->domid;
		ops[p].dest.u.gmfn = xen_page_to_gfn(ring->ipage[p]);
		ops[p].dest.domid = DOMID_SELF;
		ops[p].len = (u16)(n * VBMQ_SEG_SIZE);
		ops[p].flags = GNTCOPY_source_gref;
		left -= n;
	}
	gnttab_batch_copy(ops, r->nr_indirect_pages);
	left = r->nr_segments;
	for (p = 0; p < r->nr_indirect_pages; p++) {
		if (ops[p].status != GNTST_okay)
			return VBMQ_BE_BAD_GREF;
		n = min_t(unsigned int, left, VBMQ_SEGS_PER_INDIRECT_PAGE);
		vbmq_be_decode_segs(page_address(ring->ipage[p]), n,
				    rq->iseg + p * VBMQ_SEGS_PER_INDIRECT_PAGE);
		left -= n;
	}
	rq->segs = rq->iseg;
	rq->pages = rq->ipages;
	rq->pgnts = rq->ipgnts;
	rq->nr_segs = r->nr_segments;
	return vbmq_be_check_segs(rq->segs, rq->nr_segs, r->sector, &ring->lim,
				  &r->nr_sectors);
}

static void vbmq_be_count(struct vbmq_be_ring *ring,
			  const struct vbmq_be_req *r)
{
	struct vbmq_be_stats *st = &ring->st;

	if (r->operation == BLKIF_OP_INDIRECT)
		WRITE_ONCE(st->ind_req, st->ind_req + 1);
	switch (r->op) {
	case BLKIF_OP_READ:
		WRITE_ONCE(st->rd_req, st->rd_req + 1);
		WRITE_ONCE(st->rd_sect, st->rd_sect + r->nr_sectors);
		break;
	case BLKIF_OP_WRITE:
		WRITE_ONCE(st->wr_req, st->wr_req + 1);
		WRITE_ONCE(st->wr_sect, st->wr_sect + r->nr_sectors);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		WRITE_ONCE(st->f_req, st->f_req + 1);
		WRITE_ONCE(st->wr_sect, st->wr_sect + r->nr_sectors);
		break;
	case BLKIF_OP_WRITE_BARRIER:
		WRITE_ONCE(st->b_req, st->b_req + 1);
		WRITE_ONCE(st->wr_sect, st->wr_sect + r->nr_sectors);
		break;
	case BLKIF_OP_DISCARD:
		WRITE_ONCE(st->ds_req, st->ds_req + 1);
		break;
	}
}

/*
 * One request, from its private slot copy to a prepared request (returned)
 * or a response (NULL returned).
 */
static struct vbmq_be_request *vbmq_be_prepare(struct vbmq_be_ring *ring,
					       const void *slot)
{
	struct vbmq_be_request *rq;
	enum vbmq_be_verdict v;

	/* One free request per ring slot: CONS_OVERFLOW keeps this true. */
	rq = list_first_entry(&ring->free_reqs, struct vbmq_be_request, node);
	list_del(&rq->node);
	vbmq_be_decode_req(ring->abi, slot, &rq->req);
	rq->status = BLKIF_RSP_OKAY;
	rq->paged = false;
	rq->waited = false;
	rq->segs = rq->req.seg;
	rq->pages = rq->dpages;
	rq->pgnts = rq->dpgnts;
	rq->nr_segs = 0;

	v = vbmq_be_check_req(&rq->req, &ring->lim);
	if (v == VBMQ_BE_OK && rq->req.operation == BLKIF_OP_INDIRECT)
		v = vbmq_be_fetch_indirect(ring, rq);
	else if (v == VBMQ_BE_OK && rq->req.op != BLKIF_OP_DISCARD)
		rq->nr_segs = rq->req.nr_segments;
	if (v != VBMQ_BE_OK) {
		WRITE_ONCE(ring->st.bad_req, ring->st.bad_req + 1);
		ring->pass_bad++;
		if (v != VBMQ_BE_NOTSUPP)
			pr_warn_ratelimited("%s: request op %u id %llu refused: %s\n",
					    ring->name, rq->req.operation,
					    rq->req.id, vbmq_be_verdict_str(v));
		vbmq_be_respond(ring, rq->req.id, rq->req.op,
				vbmq_be_verdict_status(v));
		rq->nr_segs = 0;
		vbmq_be_request_free(ring, rq);
		return NULL;
	}
	vbmq_be_count(ring, &rq->req);
	/* The submission holds one reference until everything is queued. */
	atomic_set(&rq->pending, 1);
	WRITE_ONCE(ring->in_flight, ring->in_flight + 1);
	if (rq->req.op != BLKIF_OP_DISCARD)
		vbmq_be_grants_get(ring, rq);
	return rq;
}

/* Submit a prepared request whose write data, if any, has been copied. */
static void vbmq_be_dispatch(struct vbmq_be_ring *ring,
			     struct vbmq_be_request *rq)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;

	if (rq->status != BLKIF_RSP_OKAY)
		goto out_put;
	switch (rq->req.op) {
	case BLKIF_OP_READ:
		vbmq_be_submit_rw(ring, rq, REQ_OP_READ);
		break;
	case BLKIF_OP_WRITE:
		vbmq_be_submit_rw(ring, rq, opf | REQ_IDLE);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		vbmq_be_submit_rw(ring, rq, opf | REQ_PREFLUSH);
		break;
	case BLKIF_OP_WRITE_BARRIER:
		/* Ordered and durable: flush before, FUA for the data. */
		opf |= REQ_PREFLUSH;
		if (rq->nr_segs)
			opf |= REQ_FUA;
		vbmq_be_submit_rw(ring, rq, opf);
		break;
	case BLKIF_OP_DISCARD:
		vbmq_be_submit_discard(ring, rq);
		break;
	}
out_put:
	vbmq_be_request_put_io(rq);
}

/*
 * Submit the parked request once it may go; returns true when no request
 * is parked (any more).  It waits for two things:
 *
 *   - its bounce pages, when they did not fit under bounce_cap: requests
 *     in flight give theirs back as they are answered (with none in
 *     flight, any request fits);
 *   - for a WRITE_BARRIER, the drain: every request the frontend sent
 *     before it must have completed before its PREFLUSH (and FUA write)
 *     is issued, or a write still in flight could land after the barrier
 *     it preceded.  It goes once it is the only request in flight.
 *
 * Completions go on being answered meanwhile.
 */
static bool vbmq_be_parked_go(struct vbmq_be_ring *ring)
{
	struct vbmq_be_request *rq = ring->parked;

	if (!rq)
		return true;
	if (!vbmq_be_grants_bounce(ring, rq))
		return false;
	/* No map is queued outside a consume pass: this runs the copies. */
	vbmq_be_grants_flush(ring);
	if (rq->req.op == BLKIF_OP_WRITE_BARRIER && ring->in_flight > 1)
		return false;
	ring->parked = NULL;
	vbmq_be_grants_check(ring, rq);
	vbmq_be_dispatch(ring, rq);
	return true;
}

static void vbmq_be_halt(struct vbmq_be_ring *ring, RING_IDX rp)
{
	ring->halted = true;
	pr_warn_ratelimited("%s: frontend request producer %u overflows (consumer %u, %u slots); ring halted\n",
			    ring->name, rp, vbmq_be_req_cons(ring),
			    ring->nr_reqs);
	vbmq_be_ring_fatal(ring);
}

/*
 * After a pass that refused requests: back off (take none for a while) when
 * the frontend sends too many of them (blkback_core.c decides).
 */
static void vbmq_be_bad_backoff(struct vbmq_be_ring *ring, u64 now)
{
	u64 pause = vbmq_be_bad_pass(&ring->bad, now, ring->pass_bad);

	ring->pass_bad = 0;
	if (!pause)
		return;
	ring->bad_until = now + pause;
	WRITE_ONCE(ring->st.bad_pauses, ring->st.bad_pauses + 1);
	WRITE_ONCE(ring->st.bad_pause_ns, ring->st.bad_pause_ns + pause);
	pr_warn_ratelimited("%s: too many bad requests; taking none for %llu us\n",
			    ring->name, pause / NSEC_PER_USEC);
}

/*
 * Copy up to VBMQ_BE_BUDGET request slots out of the ring, from @rc up to
 * @rp, and prepare them: the ready ones go on @ready, a request that must
 * wait is parked and ends the intake.  Returns how many slots it took.
 */
static unsigned int vbmq_be_take(struct vbmq_be_ring *ring, RING_IDX rc,
				 RING_IDX rp, struct list_head *ready)
{
	size_t size = vbmq_be_is32(ring) ? VBMQ_BE_REQ32_SIZE :
		VBMQ_BE_REQ64_SIZE;
	u8 slot[VBMQ_BE_REQ_MAX_SIZE];
	struct vbmq_be_request *rq;
	unsigned int n = 0;

	while (rc != rp && n < VBMQ_BE_BUDGET &&
	       !vbmq_be_cons_overflow(ring, rc)) {
		memcpy(slot, vbmq_be_req_slot(ring, rc), size);
		/*
		 * The copy is the only read of the slot: keep the compiler
		 * from reading the shared slot again instead of the copy.
		 */
		barrier();
		vbmq_be_set_req_cons(ring, ++rc);
		rq = vbmq_be_prepare(ring, slot);
		n++;
		if (!rq)
			continue;
		/* Nothing after a parked request until it is submitted. */
		if (!vbmq_be_grants_bounce(ring, rq) ||
		    rq->req.op == BLKIF_OP_WRITE_BARRIER) {
			ring->parked = rq;
			break;
		}
		list_add_tail(&rq->node, ready);
	}
	return n;
}

/* Submit the requests on @ready, then the parked one if it may go. */
static void vbmq_be_submit_ready(struct vbmq_be_ring *ring,
				 struct list_head *ready)
{
	struct vbmq_be_request *rq, *tmp;
	struct blk_plug plug;

	/* The pass's maps and every grant-copied write's data, then the I/O. */
	vbmq_be_grants_flush(ring);
	blk_start_plug(&plug);
	list_for_each_entry_safe(rq, tmp, ready, node) {
		list_del(&rq->node);
		vbmq_be_grants_check(ring, rq);
		vbmq_be_dispatch(ring, rq);
	}
	vbmq_be_parked_go(ring);
	blk_finish_plug(&plug);
}

/*
 * Take up to VBMQ_BE_BUDGET requests off the ring; returns how many were
 * accepted.  Refused ones are answered but do not count: they are no work
 * that should keep the thread polling.
 */
static unsigned int vbmq_be_consume(struct vbmq_be_ring *ring)
{
	unsigned int n, bad;
	LIST_HEAD(ready);
	RING_IDX rc, rp;
	u64 now;

	if (!vbmq_be_parked_go(ring) || ring->halted)
		return 0;
	now = ktime_get_ns();
	if (now < ring->bad_until)
		return 0;
	rc = vbmq_be_req_cons(ring);
	rp = vbmq_be_req_prod(ring);
	/*
	 * Read the slots only after req_prod: pairs with the frontend's
	 * virt_wmb() in RING_PUSH_REQUESTS between the slots and req_prod.
	 */
	virt_rmb();
	if (vbmq_be_prod_overflow(ring, rp)) {
		vbmq_be_halt(ring, rp);
		return 0;
	}
	if (rc == rp)
		return 0;

	/* The device may have been resized (or reformatted: loop). */
	ring->lim.dev_sectors = bdev_nr_sectors(ring->bdev);
	ring->lim.lb_sects = bdev_logical_block_size(ring->bdev) >> 9;
	vbmq_be_grants_new_pass(ring);
	n = vbmq_be_take(ring, rc, rp, &ready);
	vbmq_be_submit_ready(ring, &ready);
	vbmq_be_grants_reclaim(ring, now);
	bad = ring->pass_bad;
	vbmq_be_bad_backoff(ring, now);
	return n - bad;
}

/* Answer every completed request; returns how many. */
static unsigned int vbmq_be_complete(struct vbmq_be_ring *ring)
{
	struct vbmq_be_request *rq, *tmp;
	unsigned int n = 0;
	LIST_HEAD(list);

	if (list_empty(&ring->done))
		return 0;
	spin_lock_irq(&ring->done_lock);
	list_splice_init(&ring->done, &list);
	spin_unlock_irq(&ring->done_lock);

	/*
	 * Reads: grant-copy the data of the bounced segments to the guest,
	 * batched over requests; a segment on a persistent grant was read
	 * into the guest's page by its bio.
	 */
	list_for_each_entry(rq, &list, node)
		if (vbmq_be_is_read(rq) && !READ_ONCE(rq->status))
			vbmq_be_grants_copy_out(ring, rq);
	/* No map is queued between passes: this runs the copies. */
	vbmq_be_grants_flush(ring);

	list_for_each_entry_safe(rq, tmp, &list, node) {
		list_del(&rq->node);
		vbmq_be_respond(ring, rq->req.id, rq->req.op, rq->status);
		trace_vbmq_be_complete(ring, rq->req.id, rq->req.op,
				       rq->status);
		vbmq_be_request_free(ring, rq);
		WRITE_ONCE(ring->in_flight, ring->in_flight - 1);
		n++;
	}
	return n;
}

static irqreturn_t vbmq_be_irq(int irq, void *dev_id)
{
	struct vbmq_be_ring *ring = dev_id;

	/* Single writer: Xen does not run one event's handler twice. */
	WRITE_ONCE(ring->st.kicks, ring->st.kicks + 1);
	/*
	 * The arrival time of the guest's work, for the poll policy: a
	 * sleeping thread learns of it only after its wake-up latency.  A
	 * race with the thread taking KICKED blurs one sample, no more.
	 */
	if (!test_bit(VBMQ_BE_RING_KICKED, &ring->flags))
		WRITE_ONCE(ring->kick_ns, ktime_get_ns());
	/* kick_ns before KICKED: pairs with the thread's test_and_clear_bit() */
	smp_mb__before_atomic();
	set_bit(VBMQ_BE_RING_KICKED, &ring->flags);
	wake_up(&ring->wq);
	return IRQ_HANDLED;
}

static bool vbmq_be_should_wake(struct vbmq_be_ring *ring)
{
	return test_bit(VBMQ_BE_RING_KICKED, &ring->flags) ||
		test_bit(VBMQ_BE_RING_SETTINGS, &ring->flags) ||
		!list_empty(&ring->done) || kthread_should_stop();
}

/* Re-arm, look once more, and sleep on the event channel. */
static void vbmq_be_sleep(struct vbmq_be_ring *ring)
{
	/* Ring 0 wakes up now and then to notice an online resize. */
	long timeout = ring->idx ? MAX_SCHEDULE_TIMEOUT : HZ;
	u64 t0 = ktime_get_ns(), slept;

	/*
	 * Backing off from bad requests, or with a request parked, new ones
	 * stay on the ring: sleep until the pause ends or a completion (the
	 * final check would find them and spin).
	 */
	if (t0 < ring->bad_until)
		timeout = min_t(long, timeout,
				nsecs_to_jiffies(ring->bad_until - t0) + 1);
	else if (!ring->halted && !ring->parked && vbmq_be_final_check(ring))
		return;
	trace_vbmq_be_sleep(ring, timeout, ring->in_flight);
	wait_event_interruptible_timeout(ring->wq, vbmq_be_should_wake(ring),
					 timeout);
	slept = ktime_get_ns() - t0;
	WRITE_ONCE(ring->st.sleep_ns, ring->st.sleep_ns + slept);
	trace_vbmq_be_wake(ring, slept,
			   test_bit(VBMQ_BE_RING_KICKED, &ring->flags));
}

static void vbmq_be_check_resize(struct vbmq_be_ring *ring)
{
	u64 sectors = bdev_nr_sectors(ring->bdev);

	if (sectors != READ_ONCE(ring->be->sectors_reported))
		vbmq_be_resize_notice(ring->be, sectors);
}

/* After kthread_stop(): answer everything in flight, take nothing new. */
static void vbmq_be_drain(struct vbmq_be_ring *ring)
{
	ring->halted = true;
	while (READ_ONCE(ring->in_flight)) {
		/* A parked request is answered like any other. */
		vbmq_be_parked_go(ring);
		wait_event(ring->wq, !list_empty(&ring->done));
		vbmq_be_complete(ring);
		vbmq_be_push(ring);
	}
	if (test_and_clear_bit(VBMQ_BE_RING_KICKED, &ring->flags))
		xen_irq_lateeoi(ring->irq, 0);
}

/* An idle gap of @gap ns ended: adapt the poll window to it. */
static void vbmq_be_poll_adapt(struct vbmq_be_ring *ring, u64 gap)
{
	u64 old = ring->poll.window_ns;
	enum vbmq_be_poll_event ev;

	ev = vbmq_be_poll_idle_end(&ring->poll, gap);
	trace_vbmq_be_poll_adapt(ring, ev, gap, old, ring->poll.window_ns);
}

/* What the ring thread knows of its ring's recent past (thread only). */
struct vbmq_be_thread_state {
	u64 last_work;		/* end of the last pass that found work */
	u64 idle_since;		/* last work or wake-up: idle awake since */
	u64 pass_start;		/* start of the current polling pass */
	u64 resize_checked;	/* ring 0: last look for an online resize */
	u64 kick_ns;		/* when the kick this pass took arrived */
	u64 max_ns;		/* poll_max_us, in ns */
	u64 yield_ns;		/* poll_yield_us, in ns: fixed */
	enum vbmq_poll_mode mode;
	bool kicked;		/* this pass took a kick (EOI owed) */
	bool idle;		/* the previous pass found no work */
	bool polled;		/* the previous pass was an idle poll */
};

/* Take the live settings the control plane may have changed. */
static void vbmq_be_thread_settings(struct vbmq_be_ring *ring,
				    struct vbmq_be_thread_state *ts)
{
	clear_bit(VBMQ_BE_RING_SETTINGS, &ring->flags);
	ts->mode = READ_ONCE(ring->poll_mode);
	ts->max_ns = (u64)READ_ONCE(ring->poll_max_us) * NSEC_PER_USEC;
	if (ts->max_ns != ring->poll.max_ns)
		vbmq_be_poll_set_max(&ring->poll, ts->max_ns);
}

/*
 * One pass: answer what completed, take what is new, publish the
 * responses, and EOI the kick the pass took.  Returns the work found.
 */
static unsigned int vbmq_be_thread_pass(struct vbmq_be_ring *ring,
					struct vbmq_be_thread_state *ts)
{
	unsigned int work;

	/*
	 * Clear before looking, so a kick after the look is kept.  Fully
	 * ordered: pairs with vbmq_be_irq()'s smp_mb__before_atomic(), so
	 * kick_ns is that kick's.
	 */
	ts->kicked = test_and_clear_bit(VBMQ_BE_RING_KICKED, &ring->flags);
	ts->kick_ns = READ_ONCE(ring->kick_ns);
	work = vbmq_be_complete(ring);
	work += vbmq_be_consume(ring);
	vbmq_be_push(ring);
	if (work)
		ring->eoi_work = true;
	if (ts->kicked) {
		xen_irq_lateeoi(ring->irq, ring->eoi_work ? 0 :
				XEN_EOI_FLAG_SPURIOUS);
		ring->eoi_work = false;
	}
	return work;
}

/* After a pass at @now: ring 0's resize look, the polling time spent. */
static void vbmq_be_thread_pass_done(struct vbmq_be_ring *ring,
				     struct vbmq_be_thread_state *ts, u64 now)
{
	/* Ring 0 looks for an online resize about once a second. */
	if (!ring->idx && now - ts->resize_checked > NSEC_PER_SEC) {
		vbmq_be_check_resize(ring);
		ts->resize_checked = now;
	}
	if (ts->polled)
		WRITE_ONCE(ring->st.poll_ns,
			   ring->st.poll_ns + now - ts->pass_start);
}

/* Work found at @now after an idle gap: count the gap, adapt the window. */
static void vbmq_be_thread_gap_end(struct vbmq_be_ring *ring,
				   struct vbmq_be_thread_state *ts, u64 now)
{
	u64 gap;

	if (ts->polled)
		WRITE_ONCE(ring->st.poll_hits, ring->st.poll_hits + 1);
	/*
	 * The gap the guest left: up to its kick when one woke this thread,
	 * not up to this pass, which adds the wake-up latency no poll
	 * window could save.
	 */
	gap = now - ts->last_work;
	if (ts->kicked && ts->kick_ns > ts->last_work && ts->kick_ns < now)
		gap = ts->kick_ns - ts->last_work;
	WRITE_ONCE(ring->st.gap_ns, ring->st.gap_ns + gap);
	WRITE_ONCE(ring->st.gaps, ring->st.gaps + 1);
	if (gap <= ts->max_ns)
		WRITE_ONCE(ring->st.short_gaps, ring->st.short_gaps + 1);
	if (ts->mode == VBMQ_POLL_ADAPTIVE)
		vbmq_be_poll_adapt(ring, gap);
}

/* The ring is idle at @now: true to poll it again, per the poll mode. */
static bool vbmq_be_thread_keep_polling(struct vbmq_be_ring *ring,
					struct vbmq_be_thread_state *ts,
					u64 now)
{
	if (ring->halted)
		return false;
	return ts->mode == VBMQ_POLL_ALWAYS ||
		(ts->mode == VBMQ_POLL_ADAPTIVE &&
		 now - ts->last_work < ring->poll.window_ns);
}

/*
 * Between two idle polls at @now: spin, or once the ring has been idle
 * for poll_yield_us, give the physical CPU to whoever else wants it
 * (vbmq/poll.h): on a shared host that may be the guest this thread
 * waits for.
 */
static void vbmq_be_thread_spin(struct vbmq_be_ring *ring,
				struct vbmq_be_thread_state *ts, u64 now)
{
	if (!vbmq_poll_yield_due(ts->idle_since, now, ts->yield_ns)) {
		cpu_relax();
		return;
	}
	WRITE_ONCE(ring->st.poll_yields, ring->st.poll_yields + 1);
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* Polling is over at @now (or never began): sleep until work comes. */
static void vbmq_be_thread_idle_sleep(struct vbmq_be_ring *ring,
				      struct vbmq_be_thread_state *ts, u64 now)
{
	if (ts->polled) {
		WRITE_ONCE(ring->st.poll_misses, ring->st.poll_misses + 1);
		trace_vbmq_be_poll_give_up(ring, now - ts->last_work,
					   ring->poll.window_ns);
	}
	ts->polled = false;
	WRITE_ONCE(ring->st.idle_to_sleep_ns, now - ts->idle_since);
	vbmq_be_sleep(ring);
	if (READ_ONCE(ring->poll_mode) != VBMQ_POLL_OFF)
		vbmq_be_disarm(ring);
	ts->idle_since = ktime_get_ns();
}

static int vbmq_be_ring_thread(void *arg)
{
	struct vbmq_be_ring *ring = arg;
	struct vbmq_be_thread_state ts = {};
	unsigned int work;
	u64 now;

	ts.last_work = ktime_get_ns();
	ts.resize_checked = ts.last_work;
	ts.idle_since = ts.last_work;
	ts.yield_ns = (u64)vbmq_be_poll_yield_us * NSEC_PER_USEC;
	while (!kthread_should_stop()) {
		/*
		 * poll_ns counts polling passes only, from here: the time
		 * cond_resched() gave to others between passes is not polling.
		 */
		if (ts.polled)
			ts.pass_start = ktime_get_ns();
		vbmq_be_thread_settings(ring, &ts);
		work = vbmq_be_thread_pass(ring, &ts);
		now = ktime_get_ns();
		vbmq_be_thread_pass_done(ring, &ts, now);
		if (work && ts.idle)
			vbmq_be_thread_gap_end(ring, &ts, now);
		if (work) {
			ts.idle = false;
			ts.polled = false;
			ts.last_work = now;
			ts.idle_since = now;
			cond_resched();
			continue;
		}
		ts.idle = true;
		if (vbmq_be_thread_keep_polling(ring, &ts, now)) {
			if (!ts.polled)
				trace_vbmq_be_poll_start(ring,
							 ring->poll.window_ns);
			ts.polled = true;
			cond_resched();
			vbmq_be_thread_spin(ring, &ts, now);
			continue;
		}
		vbmq_be_thread_idle_sleep(ring, &ts, now);
	}
	vbmq_be_drain(ring);
	return 0;
}

/* ---- debugfs: vbd-DOMID-DEVID/ringN/, one value per file ---- */

/* A read-only file showing one value of the ring in m->private. */
#define VBMQ_BE_DBG_VALUE(_name, _fmt, _expr)				\
static int vbmq_be_dbg_##_name##_show(struct seq_file *m, void *v)	\
{									\
	const struct vbmq_be_ring *ring = m->private;			\
									\
	seq_printf(m, _fmt "\n", (_expr));				\
	return 0;							\
}									\
DEFINE_SHOW_ATTRIBUTE(vbmq_be_dbg_##_name)

VBMQ_BE_DBG_VALUE(thread, "%s", ring->name);
VBMQ_BE_DBG_VALUE(pid, "%d", task_pid_nr(ring->task));
VBMQ_BE_DBG_VALUE(cpu, "%d", READ_ONCE(ring->cpu));
VBMQ_BE_DBG_VALUE(abi, "%s", vbmq_be_abi_name(ring->abi));
VBMQ_BE_DBG_VALUE(ring_slots, "%u", ring->nr_reqs);
VBMQ_BE_DBG_VALUE(poll, "%s",
		  vbmq_poll_mode_name(READ_ONCE(ring->poll_mode)));
VBMQ_BE_DBG_VALUE(poll_max_us, "%u", READ_ONCE(ring->poll_max_us));
VBMQ_BE_DBG_VALUE(poll_window_ns, "%llu", READ_ONCE(ring->poll.window_ns));
VBMQ_BE_DBG_VALUE(halted, "%d", READ_ONCE(ring->halted));
VBMQ_BE_DBG_VALUE(in_flight, "%u", READ_ONCE(ring->in_flight));
VBMQ_BE_DBG_VALUE(persistent, "%d", ring->pg_on);
VBMQ_BE_DBG_VALUE(pg_bound, "%u", ring->pg_bound);
VBMQ_BE_DBG_VALUE(bounce_cap, "%u", ring->bounce_cap);

#define VBMQ_BE_DBG_FILE(_name) { #_name, &vbmq_be_dbg_##_name##_fops }

static const struct {
	const char *name;
	const struct file_operations *fops;
} vbmq_be_dbg_values[] = {
	VBMQ_BE_DBG_FILE(thread), VBMQ_BE_DBG_FILE(pid),
	VBMQ_BE_DBG_FILE(cpu), VBMQ_BE_DBG_FILE(abi),
	VBMQ_BE_DBG_FILE(ring_slots), VBMQ_BE_DBG_FILE(poll),
	VBMQ_BE_DBG_FILE(poll_max_us), VBMQ_BE_DBG_FILE(poll_window_ns),
	VBMQ_BE_DBG_FILE(halted), VBMQ_BE_DBG_FILE(in_flight),
	VBMQ_BE_DBG_FILE(persistent), VBMQ_BE_DBG_FILE(pg_bound),
	VBMQ_BE_DBG_FILE(bounce_cap),
};

#define VBMQ_BE_DBG_STAT(_f) { #_f, offsetof(struct vbmq_be_stats, _f) }

/* The counters of struct vbmq_be_stats, each a file of its name. */
static const struct {
	const char *name;
	size_t off;
} vbmq_be_dbg_stats[] = {
	VBMQ_BE_DBG_STAT(rd_req), VBMQ_BE_DBG_STAT(wr_req),
	VBMQ_BE_DBG_STAT(f_req), VBMQ_BE_DBG_STAT(b_req),
	VBMQ_BE_DBG_STAT(ds_req), VBMQ_BE_DBG_STAT(ind_req),
	VBMQ_BE_DBG_STAT(bad_req), VBMQ_BE_DBG_STAT(err_rsp),
	VBMQ_BE_DBG_STAT(oo_req), VBMQ_BE_DBG_STAT(rd_sect),
	VBMQ_BE_DBG_STAT(wr_sect), VBMQ_BE_DBG_STAT(kicks),
	VBMQ_BE_DBG_STAT(notify_sent), VBMQ_BE_DBG_STAT(notify_suppressed),
	VBMQ_BE_DBG_STAT(poll_hits), VBMQ_BE_DBG_STAT(poll_misses),
	VBMQ_BE_DBG_STAT(poll_ns), VBMQ_BE_DBG_STAT(poll_yields),
	VBMQ_BE_DBG_STAT(sleep_ns),
	VBMQ_BE_DBG_STAT(idle_to_sleep_ns), VBMQ_BE_DBG_STAT(gap_ns),
	VBMQ_BE_DBG_STAT(gaps), VBMQ_BE_DBG_STAT(short_gaps),
	VBMQ_BE_DBG_STAT(pg_mapped), VBMQ_BE_DBG_STAT(pg_in_use),
	VBMQ_BE_DBG_STAT(pg_hits), VBMQ_BE_DBG_STAT(pg_maps),
	VBMQ_BE_DBG_STAT(pg_unmaps), VBMQ_BE_DBG_STAT(pg_reclaims),
	VBMQ_BE_DBG_STAT(pg_copies), VBMQ_BE_DBG_STAT(pg_map_errs),
	VBMQ_BE_DBG_STAT(bounce_pages), VBMQ_BE_DBG_STAT(bounce_peak),
	VBMQ_BE_DBG_STAT(bounce_waits), VBMQ_BE_DBG_STAT(bad_pauses),
	VBMQ_BE_DBG_STAT(bad_pause_ns),
};

/*
 * The ring's directory under the device's; once its thread runs.  As the
 * debugfs API asks, failures are not checked: statistics are optional.
 */
static void vbmq_be_ring_debugfs_add(struct vbmq_be_ring *ring)
{
	char name[16];
	unsigned int i;

	snprintf(name, sizeof(name), "ring%u", ring->idx);
	ring->dbg = debugfs_create_dir(name, ring->be->dbg);
	for (i = 0; i < ARRAY_SIZE(vbmq_be_dbg_values); i++)
		debugfs_create_file(vbmq_be_dbg_values[i].name, 0444, ring->dbg,
				    ring, vbmq_be_dbg_values[i].fops);
	for (i = 0; i < ARRAY_SIZE(vbmq_be_dbg_stats); i++)
		debugfs_create_u64(vbmq_be_dbg_stats[i].name, 0444, ring->dbg,
				   (u64 *)((char *)&ring->st +
					   vbmq_be_dbg_stats[i].off));
}

/* ---- ring life cycle (control plane, under be->lock) ---- */

static void vbmq_be_ring_free_mem(struct vbmq_be_ring *ring)
{
	unsigned int i;

	vbmq_be_grants_free(ring);
	for (i = 0; ring->reqs && i < ring->nr_reqs; i++) {
		kfree(ring->reqs[i].iseg);
		kfree(ring->reqs[i].ipages);
		kfree(ring->reqs[i].ipgnts);
	}
	kvfree(ring->reqs);
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		if (ring->ipage[i])
			__free_page(ring->ipage[i]);
}

/*
 * The ring's kick is delivered on the CPU its thread is bound to: the
 * wake-up in vbmq_be_irq() is then local.  Delivered elsewhere, every kick
 * that finds the thread asleep costs a rescheduling IPI (an event-channel
 * send under Xen) and a wake-up of the thread's vCPU on top of its own;
 * the work counts of the benchmark showed dom0 making a third more
 * event_channel_op calls per request than the in-tree backend, whose
 * threads float to where the interrupt came in.  Unbound (cpu < 0), the
 * interrupt may go to any online CPU again.
 */
static void vbmq_be_irq_follow(struct vbmq_be_ring *ring, int cpu)
{
	int err;

	err = irq_set_affinity(ring->irq, cpu >= 0 ? cpumask_of(cpu) :
			       cpu_online_mask);
	if (err)
		pr_warn("%s: event channel not moved to CPU %d: %d\n",
			ring->name, cpu, err);
}

void vbmq_be_ring_apply_settings(struct vbmq_be_ring *ring,
				 const struct vbmq_keys *k)
{
	int cpu = k->cpus.nr ? k->cpus.cpu[ring->idx % k->cpus.nr] : -1;
	int err;

	WRITE_ONCE(ring->poll_mode, k->poll);
	WRITE_ONCE(ring->poll_max_us, k->poll_max_us);
	if (cpu != ring->cpu) {
		err = set_cpus_allowed_ptr(ring->task, cpu >= 0 ?
					   cpumask_of(cpu) : cpu_possible_mask);
		if (err) {
			pr_warn("%s: cannot bind to CPU %d: %d\n", ring->name,
				cpu, err);
		} else {
			WRITE_ONCE(ring->cpu, cpu);
			vbmq_be_irq_follow(ring, cpu);
		}
	}
	set_bit(VBMQ_BE_RING_SETTINGS, &ring->flags);
	wake_up(&ring->wq);
}

/* A ring record for @be's ring @idx, its thread's policy set; not mapped. */
static struct vbmq_be_ring *vbmq_be_ring_alloc(struct vbmq_be_dev *be,
					       unsigned int idx,
					       enum vbmq_be_abi abi)
{
	struct vbmq_be_ring *ring;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return NULL;
	ring->be = be;
	ring->idx = idx;
	ring->abi = abi;
	ring->cpu = -1;
	ring->bdev = vbmq_be_bdev(&be->bdev);
	ring->lim = be->lim;
	init_waitqueue_head(&ring->wq);
	spin_lock_init(&ring->done_lock);
	INIT_LIST_HEAD(&ring->done);
	INIT_LIST_HEAD(&ring->free_reqs);
	vbmq_be_thread_name(ring->name, sizeof(ring->name), be->domid,
			    be->vdev, idx);
	vbmq_be_poll_init(&ring->poll,
			  (u64)be->keys.poll_max_us * NSEC_PER_USEC);
	return ring;
}

/* Map the frontend's shared ring pages and set up the back ring on them. */
static int vbmq_be_ring_map(struct vbmq_be_ring *ring, grant_ref_t *gref,
			    unsigned int nr_grefs)
{
	int err;

	err = xenbus_map_ring_valloc(ring->be->dev, gref, nr_grefs,
				     &ring->sring);
	if (err)
		return err;
	if (vbmq_be_is32(ring))
		BACK_RING_INIT(&ring->r32, (struct vbmq_be_r32_sring *)ring->sring,
			       nr_grefs * XEN_PAGE_SIZE);
	else
		BACK_RING_INIT(&ring->r64, (struct vbmq_be_r64_sring *)ring->sring,
			       nr_grefs * XEN_PAGE_SIZE);
	ring->nr_reqs = vbmq_be_is32(ring) ? RING_SIZE(&ring->r32) :
		RING_SIZE(&ring->r64);
	return 0;
}

/*
 * One request per ring slot, the pages indirect segments are copied to,
 * and the grant layer.  -ENOMEM leaves the rest to vbmq_be_ring_free_mem().
 */
static int vbmq_be_ring_alloc_mem(struct vbmq_be_ring *ring)
{
	unsigned int i;

	ring->reqs = kvcalloc(ring->nr_reqs, sizeof(*ring->reqs), GFP_KERNEL);
	if (!ring->reqs)
		return -ENOMEM;
	for (i = 0; i < ring->nr_reqs; i++) {
		ring->reqs[i].ring = ring;
		list_add_tail(&ring->reqs[i].node, &ring->free_reqs);
	}
	for (i = 0; ring->lim.max_indirect_segs &&
	     i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++) {
		ring->ipage[i] = alloc_page(GFP_KERNEL);
		if (!ring->ipage[i])
			return -ENOMEM;
	}
	return vbmq_be_grants_init(ring, ring->be->persistent);
}

/* Bind the event channel and create the ring's thread (not woken yet). */
static int vbmq_be_ring_bind(struct vbmq_be_ring *ring, evtchn_port_t evtchn)
{
	int err;

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(ring->be->dev,
							    evtchn, vbmq_be_irq,
							    0, ring->name,
							    ring);
	if (err < 0)
		return err;
	ring->irq = err;

	ring->task = kthread_create(vbmq_be_ring_thread, ring, "%s",
				    ring->name);
	if (IS_ERR(ring->task)) {
		err = PTR_ERR(ring->task);
		ring->task = NULL;
		unbind_from_irqhandler(ring->irq, ring);
		ring->irq = 0;
		return err;
	}
	return 0;
}

struct vbmq_be_ring *vbmq_be_ring_connect(struct vbmq_be_dev *be,
					  unsigned int idx,
					  enum vbmq_be_abi abi,
					  grant_ref_t *gref,
					  unsigned int nr_grefs,
					  evtchn_port_t evtchn)
{
	struct vbmq_be_ring *ring;
	int err;

	lockdep_assert_held(&be->lock);
	ring = vbmq_be_ring_alloc(be, idx, abi);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	err = vbmq_be_ring_map(ring, gref, nr_grefs);
	if (err)
		goto err_free_ring;
	err = vbmq_be_ring_alloc_mem(ring);
	if (err)
		goto err_free_mem;
	err = vbmq_be_ring_bind(ring, evtchn);
	if (err)
		goto err_free_mem;
	vbmq_be_ring_apply_settings(ring, &be->keys);
	wake_up_process(ring->task);
	vbmq_be_ring_debugfs_add(ring);
	return ring;

err_free_mem:
	vbmq_be_ring_free_mem(ring);
	xenbus_unmap_ring_vfree(be->dev, ring->sring);
err_free_ring:
	kfree(ring);
	return ERR_PTR(err);
}

void vbmq_be_ring_disconnect(struct vbmq_be_ring *ring)
{
	lockdep_assert_held(&ring->be->lock);
	/* Waits for the readers of the ring's files. */
	debugfs_remove_recursive(ring->dbg);
	/* The thread answers every request in flight before it returns. */
	kthread_stop(ring->task);
	unbind_from_irqhandler(ring->irq, ring);
	vbmq_be_ring_free_mem(ring);
	xenbus_unmap_ring_vfree(ring->be->dev, ring->sring);
	kfree(ring);
}
