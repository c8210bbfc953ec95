// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkfront: data plane.
 *
 * Hardware queue i is ring i.  The first nr_rings - nr_poll rings complete
 * through their event-channel interrupt, bound to the vCPUs blk-mq maps to
 * the queue; the last nr_poll rings are HCTX_TYPE_POLL queues whose
 * responses are reaped by ->poll and never by an interrupt.
 *
 * The backend is not trusted: the response producer is read once and
 * checked against what was sent, each response is copied out of the shared
 * ring once and checked against the slot it names, and any violation
 * disables the disk with a message instead of touching freed state.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/hdreg.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/xen/hypercall.h>
#include <xen/xen.h>
#include <xen/events.h>
#include <xen/page.h>
#include <xen/platform_pci.h>

#include "common.h"
#include "vbmq/poll.h"
#include "compat.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* ---- module parameters ---------------------------------------------- */

int vbmq_fe_max_queues = 64;
int vbmq_fe_max_ring_order = 2;
int vbmq_fe_max_indirect = 32;
int vbmq_fe_poll_queues = -1;
int vbmq_fe_poll_yield_us = VBMQ_POLL_YIELD_US_DEFAULT;
int vbmq_fe_irq_affinity = -1;
int vbmq_fe_major;
bool vbmq_fe_persistent = true;

struct vbmq_fe_int_param {
	int *val;
	int min;
	int max;
	const char *name;
};

static int vbmq_fe_param_set_int(const char *s, const struct kernel_param *kp)
{
	const struct vbmq_fe_int_param *p = kp->arg;
	int v, err;

	err = kstrtoint(s, 0, &v);
	if (err)
		return err;
	if (v < p->min || v > p->max) {
		pr_err("%s: %s=%d out of range %d..%d\n", VBMQ_FE_DRV_NAME,
		       p->name, v, p->min, p->max);
		return -ERANGE;
	}
	*p->val = v;
	return 0;
}

static int vbmq_fe_param_get_int(char *buf, const struct kernel_param *kp)
{
	const struct vbmq_fe_int_param *p = kp->arg;

	return sysfs_emit(buf, "%d\n", *p->val);
}

static const struct kernel_param_ops vbmq_fe_int_ops = {
	.set = vbmq_fe_param_set_int,
	.get = vbmq_fe_param_get_int,
};

#define VBMQ_FE_INT_PARAM(pname, var, lo, hi)				\
	static const struct vbmq_fe_int_param vbmq_fe_p_##pname = {	\
		.val = &(var), .min = (lo), .max = (hi), .name = #pname	\
	};								\
	module_param_cb(pname, &vbmq_fe_int_ops,			\
			(void *)&vbmq_fe_p_##pname, 0444)

VBMQ_FE_INT_PARAM(max_queues, vbmq_fe_max_queues, 1, VBMQ_FE_MAX_QUEUES);
MODULE_PARM_DESC(max_queues,
		 "Most rings (blk-mq hardware queues) per disk, 1..256; also capped by the backend's multi-queue-max-queues and the online vCPUs (default 64)");
VBMQ_FE_INT_PARAM(max_ring_page_order, vbmq_fe_max_ring_order, 0,
		  XENBUS_MAX_RING_GRANT_ORDER);
MODULE_PARM_DESC(max_ring_page_order,
		 "Most pages per ring as a power of two, 0..4 (1..16 pages, 32..512 requests); also capped by the backend's max-ring-page-order (default 2)");
VBMQ_FE_INT_PARAM(max_indirect_segments, vbmq_fe_max_indirect, 0, 512);
MODULE_PARM_DESC(max_indirect_segments,
		 "Most 4 KiB segments per request with indirect descriptors, 0..512; 0..11 = direct requests only (11 segments, 44 KiB) (default 32)");
VBMQ_FE_INT_PARAM(poll_queues, vbmq_fe_poll_queues, -1,
		  VBMQ_FE_MAX_QUEUES - 1);
MODULE_PARM_DESC(poll_queues,
		 "Rings used as polled queues (HCTX_TYPE_POLL, no interrupts), -1..255; -1 = the backend's vbmq/guest-poll-queues or 0; at least one ring stays interrupt-driven (default -1)");

VBMQ_FE_INT_PARAM(poll_yield_us, vbmq_fe_poll_yield_us, 0,
		  VBMQ_POLL_YIELD_US_MAX);
MODULE_PARM_DESC(poll_yield_us,
		 "Microseconds a polled queue finds no response before each further empty poll yields the vCPU to Xen, for other vCPUs of the physical CPU (the backend's among them), 0..1000000; 0 = never; sampled when a ring connects (default 50)");

static int vbmq_fe_param_set_aff(const char *s, const struct kernel_param *kp)
{
	int v;

	if (!strcmp(s, "auto") || !strcmp(s, "auto\n") || !*s) {
		vbmq_fe_irq_affinity = -1;
		return 0;
	}
	v = vbmq_fe_parse_affinity(s);
	if (v < 0) {
		pr_err("%s: irq_affinity must be auto, spread or none\n",
		       VBMQ_FE_DRV_NAME);
		return v;
	}
	vbmq_fe_irq_affinity = v;
	return 0;
}

static int vbmq_fe_param_get_aff(char *buf, const struct kernel_param *kp)
{
	if (vbmq_fe_irq_affinity < 0)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%s\n",
			  vbmq_fe_affinity_name(vbmq_fe_irq_affinity));
}

static const struct kernel_param_ops vbmq_fe_aff_ops = {
	.set = vbmq_fe_param_set_aff,
	.get = vbmq_fe_param_get_aff,
};

module_param_cb(irq_affinity, &vbmq_fe_aff_ops, NULL, 0444);
MODULE_PARM_DESC(irq_affinity,
		 "Completion interrupt placement: spread = ring i's IRQ on the vCPUs of hardware queue i, none = leave it to the kernel, auto = the backend's vbmq/guest-irq-affinity or spread (default auto)");

module_param_named(feature_persistent, vbmq_fe_persistent, bool, 0444);
MODULE_PARM_DESC(feature_persistent,
		 "Persistent grants, 0 or 1: 1 = advertise them and use them when the backend does too, through a per-ring pool of pages granted once (default 1)");

/* ---- helpers --------------------------------------------------------- */

static struct vbmq_fe_ring *vbmq_fe_hctx_ring(struct blk_mq_hw_ctx *hctx)
{
	struct vbmq_fe_info *info = hctx->queue->queuedata;
	unsigned int idx = hctx->queue_num;
	unsigned int nr = READ_ONCE(info->nr_rings);
	unsigned int nr_irq = nr - READ_ONCE(info->nr_poll);

	/*
	 * Between a resume that changed the ring count and the end of
	 * blk_mq_update_nr_hw_queues() the old hardware queues still
	 * dispatch: they go to the interrupt-driven rings, which complete
	 * them without anybody polling.
	 */
	if (unlikely(idx >= nr || READ_ONCE(info->remap)))
		idx %= nr_irq ? nr_irq : 1;
	return &info->rings[idx];
}

static void vbmq_fe_grant_frame(struct vbmq_fe_info *info, grant_ref_t ref,
				struct page *page, unsigned int frame, bool ro)
{
	unsigned long gfn = pfn_to_gfn(page_to_xen_pfn(page) + frame);

	gnttab_grant_foreign_access_ref(ref, info->xbdev->otherend_id, gfn,
					ro);
}

/* ---- bounce / persistent page pool ------------------------------------ */

/*
 * Make sure @want pool entries are free, growing the pool up to its bound.
 * -EBUSY: entries in use must come back first (their responses restart
 * the queue); -EAGAIN: no memory or grant and nothing in use.
 */
static int vbmq_fe_pool_fill_locked(struct vbmq_fe_ring *ring, u32 want)
{
	u32 add, i;
	int err;

	lockdep_assert_held(&ring->lock);
	err = vbmq_fe_pool_need(&ring->pool, want, &add);
	for (i = 0; !err && i < add; i++)
		err = vbmq_fe_pool_add_page(ring, GFP_NOWAIT | __GFP_NOWARN);
	if (!err)
		return 0;
	return ring->pool.nr_free < ring->pool.nr ? -EBUSY : -EAGAIN;
}

/*
 * Copy the data of segment @i of @sh between the request's page and its
 * pool page: into the pool before a write, out of it after a read.
 */
static void vbmq_fe_bounce_seg_locked(struct vbmq_fe_ring *ring,
				      struct vbmq_fe_shadow *sh,
				      unsigned int i, bool to_pool)
{
	const struct vbmq_fe_seg *seg = &sh->segs[i];
	struct page *page = sg_page(&sh->sg[seg->buf]);
	char *frame = page_address(ring->pool_pages[sh->pool[i]]);
	u32 page_off, frame_off, len;

	lockdep_assert_held(&ring->lock);
	vbmq_fe_seg_span(seg, &page_off, &frame_off, &len);
	if (to_pool)
		memcpy_from_page(frame + frame_off, page, page_off, len);
	else
		memcpy_to_page(page, page_off, frame + frame_off, len);
	ring->st.bounced++;
}

/*
 * Cut @sh's scatterlist into blkif segments in sh->segs, which keeps them
 * until the response (a read's bounced data is copied back along them).
 */
static int vbmq_fe_pack_locked(struct vbmq_fe_ring *ring,
			       struct vbmq_fe_shadow *sh,
			       struct vbmq_fe_layout *lay)
{
	struct scatterlist *sg;
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	for_each_sg(sh->sg, sg, sh->nr_sg, i) {
		ring->bufs[i].offset = sg->offset;
		ring->bufs[i].len = sg->length;
	}
	return vbmq_fe_pack(ring->bufs, sh->nr_sg, PAGE_SIZE,
			    ring->info->max_segs, sh->segs, lay);
}

/*
 * Give @sh's pool entries back, after copying a successful read's data
 * into the request's pages along the segments submission cut (sh->segs).
 * Only once no grant of the request is mapped any more.
 */
static void vbmq_fe_unbounce_locked(struct vbmq_fe_ring *ring,
				    struct vbmq_fe_shadow *sh, bool copy)
{
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	if (!sh->nr_pool)
		return;
	if (copy)
		for (i = 0; i < sh->nr_pool; i++)
			vbmq_fe_bounce_seg_locked(ring, sh, i, false);
	for (i = 0; i < sh->nr_pool; i++)
		vbmq_fe_pool_put(&ring->pool, sh->pool[i]);
	sh->nr_pool = 0;
}

/*
 * End the grants of a slot.  False when the backend still maps one: the
 * grant is then ended later by the grant-table code, and the page must not
 * go back to its owner (an indirect page is handed over to that code).
 */
static bool vbmq_fe_ungrant_locked(struct vbmq_fe_ring *ring,
				   struct vbmq_fe_shadow *sh)
{
	bool clean = true;
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	for (i = 0; i < sh->nr_grants; i++) {
		if (!vbmq_fe_try_end(&sh->grefs[i])) {
			gnttab_end_foreign_access(sh->grefs[i], NULL);
			sh->grefs[i] = INVALID_GRANT_REF;
			clean = false;
		}
	}
	for (i = 0; i < sh->nr_indirect; i++) {
		if (!vbmq_fe_try_end(&sh->igrefs[i])) {
			gnttab_end_foreign_access(sh->igrefs[i],
						  sh->ipages[i]);
			sh->igrefs[i] = INVALID_GRANT_REF;
			sh->ipages[i] = NULL;
			clean = false;
		}
	}
	sh->nr_grants = 0;
	sh->nr_indirect = 0;
	return clean;
}

/*
 * End what per-request grants of in-flight @sh the backend no longer maps
 * and leave the others for a later call.  How many it still maps.
 */
static unsigned int vbmq_fe_try_ungrant_locked(struct vbmq_fe_ring *ring,
					       struct vbmq_fe_shadow *sh)
{
	unsigned int busy = 0, i;

	lockdep_assert_held(&ring->lock);
	for (i = 0; i < sh->nr_grants; i++)
		busy += !vbmq_fe_try_end(&sh->grefs[i]);
	for (i = 0; i < sh->nr_indirect; i++)
		busy += !vbmq_fe_try_end(&sh->igrefs[i]);
	return busy;
}

static void vbmq_fe_violation_locked(struct vbmq_fe_ring *ring,
				     const char *what, u64 val)
{
	struct vbmq_fe_info *info = ring->info;

	lockdep_assert_held(&ring->lock);
	ring->broken = true;
	WRITE_ONCE(info->state, VBMQ_FE_ERROR);
	dev_err_ratelimited(&info->xbdev->dev,
			    "%s: ring %u: backend protocol violation: %s (%llu); disk disabled\n",
			    info->vd.name, ring->index, what, val);
}

/* ---- submission ------------------------------------------------------ */

static void vbmq_fe_push_locked(struct vbmq_fe_ring *ring)
{
	int notify;

	lockdep_assert_held(&ring->lock);
	/*
	 * The macro's virt_wmb() publishes the requests and their indirect
	 * pages before req_prod; it pairs with the backend's virt_rmb()
	 * after reading req_prod.  Its virt_mb() orders the req_prod store
	 * before the req_event load; it pairs with the backend's virt_mb()
	 * in RING_FINAL_CHECK_FOR_REQUESTS.  A polling backend leaves
	 * req_event behind, so no kick is sent.
	 */
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring->front, notify);
	trace_vbmq_fe_notify(ring, notify);
	if (notify) {
		notify_remote_via_evtchn(ring->evtchn);
		ring->st.kicks++;
	}
}

/*
 * Grant (or take from the pool) what segment @i of @sh needs and return
 * the reference the backend gets.  Direct: the request's own page, granted
 * now.  Bounce: a pool page, filled for a write, granted now.  Persistent:
 * a pool page, filled for a write, already granted.
 */
static grant_ref_t vbmq_fe_grant_seg_locked(struct vbmq_fe_ring *ring,
					    struct vbmq_fe_shadow *sh,
					    unsigned int i, bool write,
					    grant_ref_t *head)
{
	const struct vbmq_fe_seg *seg = &sh->segs[i];
	struct page *page = sg_page(&sh->sg[seg->buf]);
	unsigned int frame = seg->frame;
	grant_ref_t ref;

	lockdep_assert_held(&ring->lock);
	if (ring->mode != VBMQ_FE_GRANT_DIRECT) {
		/* vbmq_fe_pool_fill_locked() made enough entries free. */
		sh->pool[i] = vbmq_fe_pool_get(&ring->pool);
		sh->nr_pool = i + 1;
		if (write)
			vbmq_fe_bounce_seg_locked(ring, sh, i, true);
		if (ring->mode == VBMQ_FE_GRANT_PERSISTENT)
			return ring->pool_grefs[sh->pool[i]];
		page = ring->pool_pages[sh->pool[i]];
		frame = 0;
	}
	ref = gnttab_claim_grant_reference(head);
	vbmq_fe_grant_frame(ring->info, ref, page, frame, write);
	sh->grefs[sh->nr_grants++] = ref;
	return ref;
}

/*
 * Grant the descriptor pages of an indirect request (unless they are
 * persistently granted): the backend only reads them.
 */
static void vbmq_fe_grant_indirect_locked(struct vbmq_fe_ring *ring,
					  struct vbmq_fe_shadow *sh,
					  unsigned int nr_indirect,
					  grant_ref_t *head)
{
	unsigned int i;
	int ref;

	lockdep_assert_held(&ring->lock);
	if (ring->mode == VBMQ_FE_GRANT_PERSISTENT)
		return;
	for (i = 0; i < nr_indirect; i++) {
		ref = gnttab_claim_grant_reference(head);
		vbmq_fe_grant_frame(ring->info, ref, sh->ipages[i], 0, true);
		sh->igrefs[i] = ref;
		sh->nr_indirect = i + 1;
	}
}

/*
 * Grant the @n segments of @sh and write their descriptors: into @req
 * itself, or into the indirect pages when there are @nr_indirect.
 */
static void vbmq_fe_write_segs_locked(struct vbmq_fe_ring *ring,
				      struct vbmq_fe_shadow *sh,
				      unsigned int n, unsigned int nr_indirect,
				      bool write, grant_ref_t *head,
				      struct blkif_request *req)
{
	struct blkif_request_segment *desc = NULL;
	unsigned int i;

	lockdep_assert_held(&ring->lock);
	for (i = 0; i < n; i++) {
		const struct vbmq_fe_seg *s = &sh->segs[i];
		struct blkif_request_segment d;
		u32 pg, slot;

		d.gref = vbmq_fe_grant_seg_locked(ring, sh, i, write, head);
		d.first_sect = s->first_sect;
		d.last_sect = s->last_sect;
		if (!nr_indirect) {
			req->u.rw.seg[i] = d;
			continue;
		}
		vbmq_fe_indirect_pos(i, &pg, &slot);
		if (!slot)
			desc = page_address(sh->ipages[pg]);
		desc[slot] = d;
	}
}

/* The header of a read or write of @n segments in slot @id. */
static void vbmq_fe_rw_header(struct vbmq_fe_ring *ring, struct request *rq,
			      struct vbmq_fe_shadow *sh, u8 op, u64 id,
			      unsigned int n, unsigned int nr_indirect,
			      struct blkif_request *req)
{
	blkif_vdev_t handle = (blkif_vdev_t)ring->info->vdevice;
	unsigned int i;

	if (nr_indirect) {
		req->operation = BLKIF_OP_INDIRECT;
		req->u.indirect.indirect_op = op;
		req->u.indirect.nr_segments = n;
		req->u.indirect.id = id;
		req->u.indirect.sector_number = blk_rq_pos(rq);
		req->u.indirect.handle = handle;
		for (i = 0; i < nr_indirect; i++)
			req->u.indirect.indirect_grefs[i] = sh->igrefs[i];
		ring->slot[id].indirect = 1;
	} else {
		req->operation = op;
		req->u.rw.nr_segments = n;
		req->u.rw.handle = handle;
		req->u.rw.id = id;
		req->u.rw.sector_number = blk_rq_pos(rq);
	}
}

static int vbmq_fe_map_rw_locked(struct vbmq_fe_ring *ring,
				 struct request *rq, struct vbmq_fe_shadow *sh,
				 u8 op, u64 id, struct blkif_request *req)
{
	bool persistent = ring->mode == VBMQ_FE_GRANT_PERSISTENT;
	struct vbmq_fe_layout lay;
	unsigned int i, nrefs;
	grant_ref_t head;
	int n, err;

	lockdep_assert_held(&ring->lock);
	if (blk_rq_nr_phys_segments(rq) > ring->info->max_segs)
		return -E2BIG;
	sh->nr_sg = vbmq_fe_map_sg(rq, sh->sg);
	n = vbmq_fe_pack_locked(ring, sh, &lay);
	if (n < 0)
		return n;
	/* An indirect page given away by vbmq_fe_ungrant_locked(). */
	for (i = 0; i < lay.nr_indirect; i++)
		if (!sh->ipages[i])
			return -EIO;
	if (ring->mode != VBMQ_FE_GRANT_DIRECT) {
		err = vbmq_fe_pool_fill_locked(ring, n);
		if (err)
			return err;
	}
	/* Persistent: every page the backend sees is granted already. */
	nrefs = persistent ? 0 : n + lay.nr_indirect;
	if (nrefs && gnttab_alloc_grant_references(nrefs, &head) < 0)
		return -EAGAIN;

	vbmq_fe_grant_indirect_locked(ring, sh, lay.nr_indirect, &head);
	vbmq_fe_write_segs_locked(ring, sh, n, lay.nr_indirect,
				  op == BLKIF_OP_WRITE, &head, req);
	vbmq_fe_rw_header(ring, rq, sh, op, id, n, lay.nr_indirect, req);
	return 0;
}

/*
 * The blkif operation for @rq, or -EOPNOTSUPP when the disk does not take
 * it; *@secure for a secure erase.
 */
static int vbmq_fe_blkif_op(struct vbmq_fe_info *info, struct request *rq,
			    bool *secure)
{
	*secure = false;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return BLKIF_OP_READ;
	case REQ_OP_WRITE:
		return BLKIF_OP_WRITE;
	case REQ_OP_FLUSH:
		return info->flush_op ? info->flush_op : -EOPNOTSUPP;
	case REQ_OP_SECURE_ERASE:
		*secure = true;
		if (!info->discard_secure)
			return -EOPNOTSUPP;
		fallthrough;
	case REQ_OP_DISCARD:
		return info->discard ? BLKIF_OP_DISCARD : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

/* The blkif request of @rq in slot @id: data mapped and granted. */
static int vbmq_fe_build_locked(struct vbmq_fe_ring *ring, struct request *rq,
				struct vbmq_fe_shadow *sh, u8 op, bool secure,
				u64 id, struct blkif_request *req)
{
	lockdep_assert_held(&ring->lock);
	switch (op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		return vbmq_fe_map_rw_locked(ring, rq, sh, op, id, req);
	case BLKIF_OP_DISCARD:
		req->operation = op;
		req->u.discard.flag = secure ? BLKIF_DISCARD_SECURE : 0;
		req->u.discard.id = id;
		req->u.discard.sector_number = blk_rq_pos(rq);
		req->u.discard.nr_sectors = blk_rq_sectors(rq);
		return 0;
	default:	/* flush or barrier: no data */
		req->operation = op;
		req->u.rw.nr_segments = 0;
		req->u.rw.handle = (blkif_vdev_t)ring->info->vdevice;
		req->u.rw.id = id;
		req->u.rw.sector_number = blk_rq_pos(rq);
		return 0;
	}
}

/* Put @rq on the ring (not yet published to the backend). */
static int vbmq_fe_queue_locked(struct vbmq_fe_ring *ring, struct request *rq)
{
	struct blkif_request req = {};
	struct vbmq_fe_shadow *sh;
	bool secure;
	int op, err;
	s64 id;

	lockdep_assert_held(&ring->lock);
	op = vbmq_fe_blkif_op(ring->info, rq, &secure);
	if (op < 0)
		return op;
	if (RING_FULL(&ring->front))
		return -ENOSPC;
	id = vbmq_fe_slot_get(&ring->slots, op, false);
	if (id < 0)
		return -ENOSPC;
	sh = &ring->shadow[id];

	err = vbmq_fe_build_locked(ring, rq, sh, op, secure, id, &req);
	if (err) {
		/* Nothing was granted from the pool yet: no copy back. */
		vbmq_fe_ungrant_locked(ring, sh);
		vbmq_fe_unbounce_locked(ring, sh, false);
		vbmq_fe_slot_put(&ring->slots, id);
		return err;
	}
	sh->rq = rq;
	*RING_GET_REQUEST(&ring->front, ring->front.req_prod_pvt) = req;
	ring->front.req_prod_pvt++;
	ring->st.requests++;
	return 0;
}

static blk_status_t vbmq_fe_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct vbmq_fe_ring *ring = vbmq_fe_hctx_ring(hctx);
	struct vbmq_fe_info *info = ring->info;
	struct request *rq = bd->rq;
	unsigned long flags;
	int err;

	switch (READ_ONCE(info->state)) {
	case VBMQ_FE_CONNECTED:
		break;
	case VBMQ_FE_SUSPENDED:
		return BLK_STS_RESOURCE;
	default:
		return BLK_STS_IOERR;
	}

	blk_mq_start_request(rq);
	spin_lock_irqsave(&ring->lock, flags);
	if (!ring->live || ring->broken)
		err = -EIO;
	else
		err = vbmq_fe_queue_locked(ring, rq);
	if (err == -ENOSPC || err == -EBUSY) {
		/* Restarted when a response frees a slot / pool pages. */
		ring->stopped = true;
		if (err == -ENOSPC)
			ring->st.ring_full++;
		else
			ring->st.pool_waits++;
		blk_mq_stop_hw_queue(hctx);
	}
	if (ring->live && !ring->broken && (bd->last || err))
		vbmq_fe_push_locked(ring);
	spin_unlock_irqrestore(&ring->lock, flags);

	switch (err) {
	case 0:
		return BLK_STS_OK;
	case -ENOSPC:
	case -EBUSY:
		return BLK_STS_DEV_RESOURCE;
	case -EAGAIN:
		return BLK_STS_RESOURCE;
	case -EOPNOTSUPP:
		return BLK_STS_NOTSUPP;
	default:
		dev_err_ratelimited(&info->xbdev->dev,
				    "%s: request not sent: %d\n",
				    info->vd.name, err);
		return BLK_STS_IOERR;
	}
}

static void vbmq_fe_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct vbmq_fe_ring *ring = vbmq_fe_hctx_ring(hctx);
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->live && !ring->broken)
		vbmq_fe_push_locked(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* ---- completion ------------------------------------------------------ */

static blk_status_t vbmq_fe_status_locked(struct vbmq_fe_ring *ring, u8 op,
					  s16 status)
{
	struct vbmq_fe_info *info = ring->info;

	lockdep_assert_held(&ring->lock);
	switch (vbmq_fe_rsp_status(status)) {
	case 0:
		return BLK_STS_OK;
	case -EOPNOTSUPP:
		ring->st.errors++;
		dev_warn_ratelimited(&info->xbdev->dev,
				     "%s: backend does not support operation %u\n",
				     info->vd.name, op);
		return BLK_STS_NOTSUPP;
	default:
		ring->st.errors++;
		dev_err_ratelimited(&info->xbdev->dev,
				    "%s: operation %u failed in the backend: %d\n",
				    info->vd.name, op, status);
		return BLK_STS_IOERR;
	}
}

/*
 * Consume response @i: check it against the slot it names, end the
 * request's grants and chain the request on @done.  False when the
 * response broke the protocol: the ring is broken, rsp_cons left where
 * reaping must stop.
 */
static bool vbmq_fe_reap_one_locked(struct vbmq_fe_ring *ring, RING_IDX i,
				    struct request **done)
{
	struct blkif_response rsp;
	enum vbmq_fe_rsp_err verdict;
	struct vbmq_fe_shadow *sh;
	struct vbmq_fe_pdu *pdu;
	struct request *rq;
	u8 op;

	lockdep_assert_held(&ring->lock);
	RING_COPY_RESPONSE(&ring->front, i, &rsp);
	verdict = vbmq_fe_rsp_check(&ring->slots, rsp.id, rsp.operation);
	if (verdict != VBMQ_FE_RSP_OK) {
		ring->front.rsp_cons = i;
		vbmq_fe_violation_locked(ring, vbmq_fe_rsp_err_str(verdict),
					 rsp.id);
		return false;
	}
	sh = &ring->shadow[rsp.id];
	if (vbmq_fe_try_ungrant_locked(ring, sh)) {
		/*
		 * The request stays in flight, its pages with it: teardown
		 * fails it once the backend has unmapped them
		 * (vbmq_fe_ring_let_go()).
		 */
		ring->front.rsp_cons = i + 1;
		vbmq_fe_violation_locked(ring,
					 "granted page still mapped after its response",
					 rsp.id);
		return false;
	}
	rq = sh->rq;
	op = ring->slot[rsp.id].op;
	sh->rq = NULL;
	vbmq_fe_slot_put(&ring->slots, rsp.id);
	/* Every grant is ended: this only clears the counts. */
	vbmq_fe_ungrant_locked(ring, sh);
	pdu = blk_mq_rq_to_pdu(rq);
	pdu->status = vbmq_fe_status_locked(ring, op, rsp.status);
	trace_vbmq_fe_complete(ring, rsp.id, op, rsp.status);
	vbmq_fe_unbounce_locked(ring, sh, op == BLKIF_OP_READ &&
				pdu->status == BLK_STS_OK);
	pdu->next = *done;
	*done = rq;
	ring->st.completions++;
	return true;
}

/*
 * Consume the responses on the ring and chain the completed requests on
 * @done; they are completed by the caller after ring->lock is dropped.
 * An interrupt-driven ring re-arms rsp_event; a polled one keeps it behind
 * rsp_cons so that the backend never sends a notification.
 */
static unsigned int vbmq_fe_reap_locked(struct vbmq_fe_ring *ring,
					struct request **done)
{
	unsigned int n = 0;
	RING_IDX rp, i;
	int more;

	lockdep_assert_held(&ring->lock);
	if (!ring->live || ring->broken)
		return 0;
again:
	rp = READ_ONCE(ring->front.sring->rsp_prod);
	/*
	 * Read responses only after rsp_prod.  Pairs with the virt_wmb() in
	 * the backend's RING_PUSH_RESPONSES_AND_CHECK_NOTIFY.
	 */
	virt_rmb();
	if (RING_RESPONSE_PROD_OVERFLOW(&ring->front, rp) ||
	    !vbmq_fe_rsp_prod_ok(rp, ring->front.rsp_cons,
				 ring->front.req_prod_pvt)) {
		vbmq_fe_violation_locked(ring,
					 vbmq_fe_rsp_err_str(VBMQ_FE_RSP_BAD_PROD),
					 rp);
		return n;
	}

	for (i = ring->front.rsp_cons; i != rp; i++) {
		if (!vbmq_fe_reap_one_locked(ring, i, done))
			return n;
		n++;
	}
	ring->front.rsp_cons = rp;

	if (!ring->polled) {
		/* Arms rsp_event; its virt_mb() pairs with the backend's
		 * virt_mb() between its rsp_prod store and rsp_event load.
		 */
		RING_FINAL_CHECK_FOR_RESPONSES(&ring->front, more);
		if (more)
			goto again;
	} else {
		/*
		 * rsp_event at or behind rsp_cons is never inside the
		 * backend's (old, new] window: no notification.  No barrier:
		 * a stale value seen by the backend is just as far behind.
		 */
		WRITE_ONCE(ring->front.sring->rsp_event, ring->front.rsp_cons);
	}
	return n;
}

static bool vbmq_fe_take_restart_locked(struct vbmq_fe_ring *ring,
					unsigned int reaped)
{
	lockdep_assert_held(&ring->lock);
	if (!reaped || !ring->stopped)
		return false;
	ring->stopped = false;
	return true;
}

static void vbmq_fe_finish(struct vbmq_fe_ring *ring, struct request *done,
			   bool restart)
{
	struct vbmq_fe_info *info = ring->info;

	while (done) {
		struct request *rq = done;

		done = ((struct vbmq_fe_pdu *)blk_mq_rq_to_pdu(rq))->next;
		if (!blk_should_fake_timeout(rq->q))
			blk_mq_complete_request(rq);
	}
	if (restart && info->gd)
		blk_mq_start_stopped_hw_queues(info->gd->queue, true);
}

irqreturn_t vbmq_fe_interrupt(int irq, void *dev_id)
{
	struct vbmq_fe_ring *ring = dev_id;
	struct request *done = NULL;
	unsigned long flags;
	unsigned int n;
	bool restart, broken;

	spin_lock_irqsave(&ring->lock, flags);
	ring->st.interrupts++;
	n = vbmq_fe_reap_locked(ring, &done);
	restart = vbmq_fe_take_restart_locked(ring, n);
	broken = ring->broken;
	spin_unlock_irqrestore(&ring->lock, flags);
	vbmq_fe_finish(ring, done, restart);
	/*
	 * The channel is bound lateeoi: it stays masked until this EOI.  An
	 * event that brought no response is spurious, and Xen's event code
	 * delays the EOI of a channel that keeps sending those (up to a
	 * second), so a backend notifying in a loop cannot keep this vCPU
	 * in interrupts.  A broken ring is never reaped again: no EOI at
	 * all, its channel stays masked until the ring is released.
	 */
	if (!broken)
		xen_irq_lateeoi(irq, n ? 0 : XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/*
 * After an empty poll: true when the ring has been polled in vain for
 * poll_yield_ns and the caller should yield its vCPU (vbmq/poll.h).
 */
static bool vbmq_fe_poll_missed_locked(struct vbmq_fe_ring *ring)
{
	u64 now;

	lockdep_assert_held(&ring->lock);
	if (!ring->poll_yield_ns)
		return false;
	now = ktime_get_ns();
	if (!ring->poll_idle_since) {
		ring->poll_idle_since = now;
		return false;
	}
	if (!vbmq_poll_yield_due(ring->poll_idle_since, now,
				 ring->poll_yield_ns))
		return false;
	ring->st.poll_yields++;
	return true;
}

static int vbmq_fe_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct vbmq_fe_ring *ring = vbmq_fe_hctx_ring(hctx);
	struct request *done = NULL;
	unsigned long flags;
	unsigned int n;
	bool restart, yield = false;

	spin_lock_irqsave(&ring->lock, flags);
	ring->st.polls++;
	n = vbmq_fe_reap_locked(ring, &done);
	if (n) {
		ring->st.poll_hits++;
		ring->poll_idle_since = 0;
	} else {
		yield = vbmq_fe_poll_missed_locked(ring);
	}
	restart = vbmq_fe_take_restart_locked(ring, n);
	spin_unlock_irqrestore(&ring->lock, flags);
	vbmq_fe_finish(ring, done, restart);
	/* Never with the lock held: the other vCPUs may be waiting for it. */
	if (yield)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	return n;
}

static void vbmq_fe_complete_rq(struct request *rq)
{
	struct vbmq_fe_pdu *pdu = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, pdu->status);
}

/* In-flight slot @id gives its request to @held, its grants ended. */
static void vbmq_fe_hold_slot_locked(struct vbmq_fe_ring *ring, u32 id,
				     struct list_head *held)
{
	struct vbmq_fe_shadow *sh = &ring->shadow[id];

	lockdep_assert_held(&ring->lock);
	vbmq_fe_ungrant_locked(ring, sh);
	vbmq_fe_unbounce_locked(ring, sh, false);
	vbmq_fe_slot_put(&ring->slots, id);
	if (sh->rq)
		list_add_tail(&sh->rq->queuelist, held);
	sh->rq = NULL;
}

/*
 * Take a ring out of service: no more submissions or reaping, and every
 * request still in flight is moved, grants ended, to @held for the caller
 * to requeue or fail.  A grant the backend still maps is ended later by
 * the grant-table code (see vbmq_fe_ring_let_go() for the careful way).
 */
void vbmq_fe_ring_kill(struct vbmq_fe_ring *ring, struct list_head *held)
{
	unsigned long flags;
	u32 id;

	spin_lock_irqsave(&ring->lock, flags);
	ring->live = false;
	ring->stopped = false;
	for (id = 0; ring->shadow && id < ring->slots.nr; id++)
		if (ring->slot[id].state == VBMQ_FE_SLOT_INFLIGHT)
			vbmq_fe_hold_slot_locked(ring, id, held);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* vbmq_fe_try_end() for a persistent grant: 1 while the backend maps it. */
static unsigned int vbmq_fe_try_end_pgrant_locked(struct vbmq_fe_ring *ring,
						  grant_ref_t *ref)
{
	lockdep_assert_held(&ring->lock);
	if (*ref == INVALID_GRANT_REF)
		return 0;
	if (!vbmq_fe_try_end(ref))
		return 1;
	ring->nr_pgrants--;
	return 0;
}

/*
 * End the persistent grants (pool pages, indirect pages) the backend no
 * longer maps; how many it still maps.  The pages stay where they are
 * until vbmq_fe_ring_pool_release().
 */
static unsigned int vbmq_fe_pool_try_end_locked(struct vbmq_fe_ring *ring)
{
	unsigned int busy = 0, i, p;

	lockdep_assert_held(&ring->lock);
	if (ring->mode != VBMQ_FE_GRANT_PERSISTENT)
		return 0;
	for (i = 0; i < ring->pool.nr; i++)
		busy += vbmq_fe_try_end_pgrant_locked(ring,
						      &ring->pool_grefs[i]);
	for (i = 0; ring->shadow && i < ring->slots.nr; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];

		for (p = 0; sh->ipages && p < ring->info->nr_ipages; p++)
			busy += vbmq_fe_try_end_pgrant_locked(ring,
							      &sh->igrefs[p]);
	}
	return busy;
}

/*
 * The backend has let go of @ring, or is about to (it is Closed, or the
 * frontend is Closed): end the grants it no longer maps, without waiting.
 * While it still maps the shared ring it may still answer, so only its
 * responses are reaped.  Once the ring is free the last responses are
 * reaped, the ring leaves service, each in-flight request whose grants
 * are all ended goes to @held and the pool's grants are ended.  Returns
 * how many grants the backend still maps: call again until none (what it
 * answered meanwhile completes as usual).  Under info->mutex.
 */
unsigned int vbmq_fe_ring_let_go(struct vbmq_fe_ring *ring,
				 struct list_head *held)
{
	unsigned int nr = 1U << ring->info->ring_order, busy = 0, p;
	struct request *done = NULL;
	unsigned long flags;
	u32 id;

	lockdep_assert_held(&ring->info->mutex);
	if (!ring->sring_pages)
		return 0;
	for (p = 0; p < nr; p++)
		busy += !vbmq_fe_try_end(&ring->ring_ref[p]);

	spin_lock_irqsave(&ring->lock, flags);
	vbmq_fe_reap_locked(ring, &done);
	if (!busy) {
		/* Unmapped: nothing more can arrive on the ring. */
		ring->live = false;
		ring->stopped = false;
		for (id = 0; ring->shadow && id < ring->slots.nr; id++) {
			unsigned int b;

			if (ring->slot[id].state != VBMQ_FE_SLOT_INFLIGHT)
				continue;
			b = vbmq_fe_try_ungrant_locked(ring, &ring->shadow[id]);
			if (b)
				busy += b;
			else
				vbmq_fe_hold_slot_locked(ring, id, held);
		}
		busy += vbmq_fe_pool_try_end_locked(ring);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	vbmq_fe_finish(ring, done, false);
	return busy;
}

/* ---- queue mapping and interrupt affinity ------------------------------ */

static void vbmq_fe_fill_map(struct blk_mq_queue_map *qmap)
{
	bool *possible, *online;
	unsigned int cpu;
	u16 *map;

	possible = kcalloc(nr_cpu_ids, sizeof(*possible), GFP_KERNEL);
	online = kcalloc(nr_cpu_ids, sizeof(*online), GFP_KERNEL);
	map = kcalloc(nr_cpu_ids, sizeof(*map), GFP_KERNEL);
	if (!possible || !online || !map) {
		blk_mq_map_queues(qmap);
		goto out_free;
	}
	for_each_possible_cpu(cpu)
		possible[cpu] = true;
	for_each_online_cpu(cpu)
		online[cpu] = true;
	vbmq_fe_map_cpus(possible, online, nr_cpu_ids, qmap->nr_queues, map);
	for_each_possible_cpu(cpu)
		qmap->mq_map[cpu] = qmap->queue_offset + map[cpu];
out_free:
	kfree(map);
	kfree(online);
	kfree(possible);
}

static void vbmq_fe_map_queues(struct blk_mq_tag_set *set)
{
	struct vbmq_fe_info *info = set->driver_data;
	unsigned int nr_poll = info->nr_poll;
	unsigned int nr_irq;

	if (nr_poll >= set->nr_hw_queues)
		nr_poll = 0;
	nr_irq = set->nr_hw_queues - nr_poll;

	set->map[HCTX_TYPE_DEFAULT].nr_queues = nr_irq;
	set->map[HCTX_TYPE_DEFAULT].queue_offset = 0;
	set->map[HCTX_TYPE_READ].nr_queues = 0;
	set->map[HCTX_TYPE_READ].queue_offset = 0;
	set->map[HCTX_TYPE_POLL].nr_queues = nr_poll;
	set->map[HCTX_TYPE_POLL].queue_offset = nr_irq;

	vbmq_fe_fill_map(&set->map[HCTX_TYPE_DEFAULT]);
	if (nr_poll)
		vbmq_fe_fill_map(&set->map[HCTX_TYPE_POLL]);
}

/*
 * Point each interrupt-driven ring's IRQ at the online vCPUs of its
 * hardware queue (all online vCPUs if none of them is).  @dying_cpu is
 * about to go offline and is left out; -1 for none.
 */
void vbmq_fe_apply_affinity(struct vbmq_fe_info *info, int dying_cpu)
{
	struct blk_mq_queue_map *qmap;
	unsigned int cpu, i;

	mutex_lock(&info->aff_lock);
	if (!info->aff_ready || info->affinity != VBMQ_IRQ_SPREAD)
		goto out_unlock;
	qmap = &info->tag_set.map[HCTX_TYPE_DEFAULT];
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		info->aff_map[cpu] = qmap->mq_map[cpu];
		info->aff_online[cpu] = cpu_online(cpu) &&
					(int)cpu != dying_cpu;
	}
	for (i = 0; i < info->nr_rings; i++) {
		struct vbmq_fe_ring *ring = &info->rings[i];
		int err;

		if (ring->polled || !ring->irq)
			continue;
		vbmq_fe_irq_mask(info->aff_map, info->aff_online, nr_cpu_ids,
				 i, info->aff_mask);
		cpumask_clear(ring->irq_mask);
		for (cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (info->aff_mask[cpu])
				cpumask_set_cpu(cpu, ring->irq_mask);
		if (cpumask_empty(ring->irq_mask))
			continue;
		err = irq_set_affinity_and_hint(ring->irq, ring->irq_mask);
		if (err)
			dev_warn_ratelimited(&info->xbdev->dev,
					     "%s: ring %u: IRQ %d affinity %*pbl: %d\n",
					     info->vd.name, i, ring->irq,
					     cpumask_pr_args(ring->irq_mask),
					     err);
	}
out_unlock:
	mutex_unlock(&info->aff_lock);
}

static enum cpuhp_state vbmq_fe_cpuhp_state;

static int vbmq_fe_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct vbmq_fe_info *info =
		hlist_entry_safe(node, struct vbmq_fe_info, cpuhp_node);

	vbmq_fe_apply_affinity(info, -1);
	return 0;
}

static int vbmq_fe_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	struct vbmq_fe_info *info =
		hlist_entry_safe(node, struct vbmq_fe_info, cpuhp_node);

	vbmq_fe_apply_affinity(info, cpu);
	return 0;
}

int vbmq_fe_cpuhp_init(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN,
				      "block/vbmq-blkfront:online",
				      vbmq_fe_cpu_online, vbmq_fe_cpu_offline);
	if (ret < 0)
		return ret;
	vbmq_fe_cpuhp_state = ret;
	return 0;
}

void vbmq_fe_cpuhp_exit(void)
{
	cpuhp_remove_multi_state(vbmq_fe_cpuhp_state);
}

int vbmq_fe_cpuhp_add(struct vbmq_fe_info *info)
{
	int err;

	err = cpuhp_state_add_instance_nocalls(vbmq_fe_cpuhp_state,
					       &info->cpuhp_node);
	if (!err)
		info->cpuhp_added = true;
	return err;
}

void vbmq_fe_cpuhp_remove(struct vbmq_fe_info *info)
{
	if (!info->cpuhp_added)
		return;
	cpuhp_state_remove_instance_nocalls(vbmq_fe_cpuhp_state,
					    &info->cpuhp_node);
	info->cpuhp_added = false;
}

const struct blk_mq_ops vbmq_fe_mq_ops = {
	.queue_rq = vbmq_fe_queue_rq,
	.commit_rqs = vbmq_fe_commit_rqs,
	.complete = vbmq_fe_complete_rq,
	.map_queues = vbmq_fe_map_queues,
	.poll = vbmq_fe_poll,
};

/* ---- block device and sysfs ------------------------------------------ */

/* ->getgeo() takes the gendisk since 6.18 (see compat.h). */
#ifdef VBMQ_HAVE_GETGEO_DISK
static int vbmq_fe_getgeo(struct gendisk *disk, struct hd_geometry *hg)
{
#else
static int vbmq_fe_getgeo(struct block_device *bdev, struct hd_geometry *hg)
{
	struct gendisk *disk = bdev->bd_disk;
#endif
	sector_t cyl = get_capacity(disk);

	/* Nominal geometry, for tools that still ask. */
	hg->heads = 255;
	hg->sectors = 63;
	sector_div(cyl, 255 * 63);
	hg->cylinders = cyl > 0xffff ? 0xffff : cyl;
	return 0;
}

const struct block_device_operations vbmq_fe_bdops = {
	.owner = THIS_MODULE,
	.getgeo = vbmq_fe_getgeo,
};

static struct vbmq_fe_info *vbmq_fe_dev_info(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static const char *const vbmq_fe_state_names[] = {
	[VBMQ_FE_DISCONNECTED] = "disconnected",
	[VBMQ_FE_CONNECTED] = "connected",
	[VBMQ_FE_SUSPENDED] = "suspended",
	[VBMQ_FE_ERROR] = "error",
};

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct vbmq_fe_info *info = vbmq_fe_dev_info(dev);

	return sysfs_emit(buf, "%s\n",
			  vbmq_fe_state_names[READ_ONCE(info->state)]);
}
static DEVICE_ATTR_RO(state);

/* A read-only sysfs file showing an unsigned value of the device @info. */
#define VBMQ_FE_UINT_ATTR(_name, _value)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vbmq_fe_info *info = vbmq_fe_dev_info(dev);		\
									\
	return sysfs_emit(buf, "%u\n", (_value));			\
}									\
static DEVICE_ATTR_RO(_name)

VBMQ_FE_UINT_ATTR(nr_rings, READ_ONCE(info->nr_rings));
VBMQ_FE_UINT_ATTR(poll_queues, READ_ONCE(info->nr_poll));
VBMQ_FE_UINT_ATTR(max_segments, READ_ONCE(info->max_segs));
VBMQ_FE_UINT_ATTR(ring_pages, 1U << READ_ONCE(info->ring_order));

static ssize_t irq_affinity_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vbmq_fe_info *info = vbmq_fe_dev_info(dev);

	return sysfs_emit(buf, "%s\n",
			  vbmq_fe_affinity_name(READ_ONCE(info->affinity)));
}
static DEVICE_ATTR_RO(irq_affinity);

static ssize_t grants_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vbmq_fe_info *info = vbmq_fe_dev_info(dev);

	return sysfs_emit(buf, "%s\n",
			  vbmq_fe_grant_mode_name(READ_ONCE(info->grant_mode)));
}
static DEVICE_ATTR_RO(grants);

static struct attribute *vbmq_fe_disk_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_nr_rings.attr,
	&dev_attr_poll_queues.attr,
	&dev_attr_irq_affinity.attr,
	&dev_attr_max_segments.attr,
	&dev_attr_ring_pages.attr,
	&dev_attr_grants.attr,
	NULL,
};

static const struct attribute_group vbmq_fe_disk_group = {
	.name = "vbmq",
	.attrs = vbmq_fe_disk_attrs,
};

const struct attribute_group *vbmq_fe_disk_groups[] = {
	&vbmq_fe_disk_group,
	NULL,
};

/* ---- debugfs: DISK/ringN/, one value per file ------------------------ */

struct dentry *vbmq_fe_dbg_root;

/* A read-only file showing one value of the ring in m->private. */
#define VBMQ_FE_DBG_VALUE(_name, _fmt, _expr)				\
static int vbmq_fe_dbg_##_name##_show(struct seq_file *m, void *v)	\
{									\
	struct vbmq_fe_ring *ring = m->private;				\
	unsigned long flags;						\
									\
	spin_lock_irqsave(&ring->lock, flags);				\
	seq_printf(m, _fmt "\n", (_expr));				\
	spin_unlock_irqrestore(&ring->lock, flags);			\
	return 0;							\
}									\
DEFINE_SHOW_ATTRIBUTE(vbmq_fe_dbg_##_name)

VBMQ_FE_DBG_VALUE(type, "%s", ring->polled ? "poll" : "irq");
VBMQ_FE_DBG_VALUE(irq, "%d", ring->irq);
VBMQ_FE_DBG_VALUE(requests, "%llu", ring->st.requests);
VBMQ_FE_DBG_VALUE(completions, "%llu", ring->st.completions);
VBMQ_FE_DBG_VALUE(interrupts, "%llu", ring->st.interrupts);
VBMQ_FE_DBG_VALUE(polls, "%llu", ring->st.polls);
VBMQ_FE_DBG_VALUE(poll_hits, "%llu", ring->st.poll_hits);
VBMQ_FE_DBG_VALUE(poll_yields, "%llu", ring->st.poll_yields);
VBMQ_FE_DBG_VALUE(kicks, "%llu", ring->st.kicks);
VBMQ_FE_DBG_VALUE(ring_full, "%llu", ring->st.ring_full);
VBMQ_FE_DBG_VALUE(errors, "%llu", ring->st.errors);
VBMQ_FE_DBG_VALUE(bounced, "%llu", ring->st.bounced);
VBMQ_FE_DBG_VALUE(pool_waits, "%llu", ring->st.pool_waits);
VBMQ_FE_DBG_VALUE(inflight, "%u", ring->slots.nr - ring->slots.nr_free);
VBMQ_FE_DBG_VALUE(pool, "%u", ring->pool.nr);
VBMQ_FE_DBG_VALUE(pgrants, "%u", ring->nr_pgrants);

/*
 * The vCPUs blk-mq maps to the ring, and where its IRQ is delivered ("-"
 * when polled or unknown); under aff_lock, which a resume's remap takes.
 */
static int vbmq_fe_dbg_cpus(struct seq_file *m, bool irq)
{
	struct vbmq_fe_ring *ring = m->private;
	struct vbmq_fe_info *info = ring->info;
	enum hctx_type type = ring->polled ? HCTX_TYPE_POLL : HCTX_TYPE_DEFAULT;
	const struct blk_mq_queue_map *qmap = &info->tag_set.map[type];
	const struct cpumask *mask = NULL;
	cpumask_var_t vcpus;
	unsigned int cpu;

	if (!zalloc_cpumask_var(&vcpus, GFP_KERNEL))
		return -ENOMEM;
	mutex_lock(&info->aff_lock);
	if (info->aff_ready && irq && ring->irq && !ring->polled) {
		mask = irq_get_effective_affinity_mask(ring->irq);
	} else if (info->aff_ready && !irq) {
		for_each_possible_cpu(cpu)
			if (qmap->nr_queues && qmap->mq_map[cpu] == ring->index)
				cpumask_set_cpu(cpu, vcpus);
		mask = vcpus;
	}
	if (mask && !cpumask_empty(mask))
		seq_printf(m, "%*pbl\n", cpumask_pr_args(mask));
	else
		seq_puts(m, "-\n");
	mutex_unlock(&info->aff_lock);
	free_cpumask_var(vcpus);
	return 0;
}

static int vbmq_fe_dbg_vcpus_show(struct seq_file *m, void *v)
{
	return vbmq_fe_dbg_cpus(m, false);
}
DEFINE_SHOW_ATTRIBUTE(vbmq_fe_dbg_vcpus);

static int vbmq_fe_dbg_irq_cpus_show(struct seq_file *m, void *v)
{
	return vbmq_fe_dbg_cpus(m, true);
}
DEFINE_SHOW_ATTRIBUTE(vbmq_fe_dbg_irq_cpus);

#define VBMQ_FE_DBG_FILE(_name) { #_name, &vbmq_fe_dbg_##_name##_fops }

static const struct {
	const char *name;
	const struct file_operations *fops;
} vbmq_fe_dbg_files[] = {
	VBMQ_FE_DBG_FILE(type), VBMQ_FE_DBG_FILE(irq),
	VBMQ_FE_DBG_FILE(vcpus), VBMQ_FE_DBG_FILE(irq_cpus),
	VBMQ_FE_DBG_FILE(requests), VBMQ_FE_DBG_FILE(completions),
	VBMQ_FE_DBG_FILE(interrupts), VBMQ_FE_DBG_FILE(polls),
	VBMQ_FE_DBG_FILE(poll_hits), VBMQ_FE_DBG_FILE(poll_yields),
	VBMQ_FE_DBG_FILE(kicks),
	VBMQ_FE_DBG_FILE(ring_full), VBMQ_FE_DBG_FILE(errors),
	VBMQ_FE_DBG_FILE(inflight), VBMQ_FE_DBG_FILE(pool),
	VBMQ_FE_DBG_FILE(pgrants), VBMQ_FE_DBG_FILE(bounced),
	VBMQ_FE_DBG_FILE(pool_waits),
};

/* Before the rings stop: waits for the files' readers. */
void vbmq_fe_debugfs_del_rings(struct vbmq_fe_info *info)
{
	unsigned int i;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < info->nr_ring_slots; i++) {
		debugfs_remove_recursive(info->rings[i].dbg);
		info->rings[i].dbg = NULL;
	}
}

/*
 * A directory per connected ring, under info->mutex once the rings are
 * live (those of an earlier connection go first).  As the debugfs API
 * asks, failures are not checked.
 */
void vbmq_fe_debugfs_add_rings(struct vbmq_fe_info *info)
{
	unsigned int i, f;
	char name[16];

	vbmq_fe_debugfs_del_rings(info);
	for (i = 0; i < info->nr_rings; i++) {
		struct vbmq_fe_ring *ring = &info->rings[i];

		snprintf(name, sizeof(name), "ring%u", i);
		ring->dbg = debugfs_create_dir(name, info->dbg);
		for (f = 0; f < ARRAY_SIZE(vbmq_fe_dbg_files); f++)
			debugfs_create_file(vbmq_fe_dbg_files[f].name, 0444,
					    ring->dbg, ring,
					    vbmq_fe_dbg_files[f].fops);
	}
}

/* ---- module ---------------------------------------------------------- */

static int __init vbmq_fe_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	if (!xen_has_pv_disk_devices())
		return -ENODEV;

	err = register_blkdev(VBMQ_VDEV_XVD_MAJOR, "xvd");
	if (!err) {
		vbmq_fe_major = VBMQ_VDEV_XVD_MAJOR;
	} else {
		err = register_blkdev(0, "vbmq-xvd");
		if (err < 0)
			return err;
		vbmq_fe_major = err;
		pr_info("%s: major %d busy (xen-blkfront loaded?), using major %d\n",
			VBMQ_FE_DRV_NAME, VBMQ_VDEV_XVD_MAJOR, vbmq_fe_major);
	}

	err = vbmq_fe_cpuhp_init();
	if (err)
		goto out_unregister_blkdev;
	vbmq_fe_dbg_root = debugfs_create_dir("vbmq-blkfront", NULL);
	err = vbmq_fe_xenbus_init();
	if (err)
		goto out_remove_cpuhp;
	return 0;

out_remove_cpuhp:
	debugfs_remove_recursive(vbmq_fe_dbg_root);
	vbmq_fe_cpuhp_exit();
out_unregister_blkdev:
	unregister_blkdev(vbmq_fe_major, vbmq_fe_major == VBMQ_VDEV_XVD_MAJOR ?
			  "xvd" : "vbmq-xvd");
	return err;
}
module_init(vbmq_fe_init);

static void __exit vbmq_fe_exit(void)
{
	vbmq_fe_xenbus_exit();
	debugfs_remove_recursive(vbmq_fe_dbg_root);
	vbmq_fe_cpuhp_exit();
	unregister_blkdev(vbmq_fe_major, vbmq_fe_major == VBMQ_VDEV_XVD_MAJOR ?
			  "xvd" : "vbmq-xvd");
}
module_exit(vbmq_fe_exit);

MODULE_DESCRIPTION("vbmq Xen block frontend: blk-mq, vCPU-affine IRQs, polled queues");
MODULE_LICENSE("GPL");
MODULE_VERSION(VBMQ_VERSION);
/* udev loads it for the guest's "vbd" devices, as it loads xen-blkfront */
MODULE_ALIAS("xen:vbd");
