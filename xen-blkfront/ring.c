// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkfront: the ring unit, a device's rings from allocation to
 * teardown.  The control plane (xenbus.c) drives the rings only through
 * the vbmq_fe_rings_*() calls declared in common.h, always under
 * info->mutex:
 *
 *   probe             vbmq_fe_rings_alloc()      ring records, IRQ masks
 *   backend InitWait  vbmq_fe_rings_setup()      shared pages, event
 *                                                channels, IRQs
 *   backend Connected vbmq_fe_rings_start()      request slots, page pool;
 *                                                the rings go live
 *                     vbmq_fe_rings_expose()     IRQ affinity, debugfs
 *   close, resume     vbmq_fe_rings_let_go()     wait for the backend to
 *                                                unmap
 *                     vbmq_fe_rings_kill()       out of service, in-flight
 *                                                requests to info->held
 *                     vbmq_fe_rings_stop()       slots and pool freed
 *                     vbmq_fe_rings_release()    all of the above freed
 *   remove            vbmq_fe_rings_free()
 *
 * What runs under ring->lock while the rings are live (submission,
 * completion, the kill itself) is the data plane's (blkfront.c).
 */
#include <linux/delay.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "common.h"

/* ---- bounce / persistent page pool ------------------------------------ */

/*
 * Add one page to @ring's pool; with persistent grants it is granted now,
 * read-write (a backend maps persistent grants writable whatever the
 * request), and stays granted until vbmq_fe_ring_pool_release().  Called
 * under ring->lock from the data plane (@gfp without sleeping) or while
 * the ring is not live.
 */
int vbmq_fe_pool_add_page(struct vbmq_fe_ring *ring, gfp_t gfp)
{
	grant_ref_t ref = INVALID_GRANT_REF;
	struct page *page;
	s64 e;
	int r;

	if (ring->pool.nr >= ring->pool.max)
		return -ENOSPC;
	/*
	 * Zeroed: the backend sees the whole page (a persistent grant from
	 * now on, a bounce grant with each request), not just the bytes of
	 * a segment, and must not see what the page held before.
	 */
	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	if (ring->mode == VBMQ_FE_GRANT_PERSISTENT) {
		r = gnttab_grant_foreign_access(ring->info->xbdev->otherend_id,
						xen_page_to_gfn(page), 0);
		if (r < 0) {
			__free_page(page);
			return r;
		}
		ref = r;
		ring->nr_pgrants++;
	}
	e = vbmq_fe_pool_add(&ring->pool);
	ring->pool_pages[e] = page;
	ring->pool_grefs[e] = ref;
	return 0;
}

/*
 * Set up @ring's pool for ring->info->grant_mode, once the slots exist and
 * before the ring goes live: the bound, a reserve of one largest request
 * (so the ring always makes progress), and with persistent grants each
 * slot's indirect pages granted once, read-write.
 */
static int vbmq_fe_ring_pool_setup(struct vbmq_fe_ring *ring)
{
	struct vbmq_fe_info *info = ring->info;
	unsigned int n = RING_SIZE(&ring->front), i, p;
	int mode = info->grant_mode, r;
	u32 max;

	ring->mode = VBMQ_FE_GRANT_DIRECT;
	ring->nr_pgrants = 0;
	vbmq_fe_pool_init(&ring->pool, NULL, NULL, 0);
	if (mode == VBMQ_FE_GRANT_DIRECT)
		return 0;

	max = vbmq_fe_pool_max(n, info->max_segs);
	ring->pool_pages = kvcalloc(max, sizeof(*ring->pool_pages), GFP_KERNEL);
	ring->pool_grefs = kvcalloc(max, sizeof(*ring->pool_grefs), GFP_KERNEL);
	ring->pool.free = kvcalloc(max, sizeof(*ring->pool.free), GFP_KERNEL);
	ring->pool.used = kvzalloc(max, GFP_KERNEL);
	if (!ring->pool_pages || !ring->pool_grefs || !ring->pool.free ||
	    !ring->pool.used)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];

		sh->pool = kvcalloc(info->max_segs, sizeof(*sh->pool),
				    GFP_KERNEL);
		if (!sh->pool)
			return -ENOMEM;
		for (p = 0; p < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; p++)
			sh->igrefs[p] = INVALID_GRANT_REF;
	}
	vbmq_fe_pool_init(&ring->pool, ring->pool.free, ring->pool.used, max);
	/* From here on vbmq_fe_ring_pool_release() ends what is granted. */
	ring->mode = mode;

	for (i = 0; i < info->max_segs; i++) {
		r = vbmq_fe_pool_add_page(ring, GFP_KERNEL);
		if (r)
			return r;
	}
	for (i = 0; mode == VBMQ_FE_GRANT_PERSISTENT && i < n; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];

		for (p = 0; p < info->nr_ipages; p++) {
			r = gnttab_grant_foreign_access(info->xbdev->otherend_id,
							xen_page_to_gfn(sh->ipages[p]),
							0);
			if (r < 0)
				return r;
			sh->igrefs[p] = r;
			ring->nr_pgrants++;
		}
	}
	return 0;
}

/*
 * End a grant that stays granted across requests and free its page.  A
 * page the backend still maps goes to the grant-table code, which frees it
 * once the backend unmaps it: it never returns to the allocator before.
 * True when that happened.
 */
static bool vbmq_fe_end_page_grant(grant_ref_t ref, struct page *page)
{
	if (vbmq_fe_try_end(&ref)) {
		__free_page(page);
		return false;
	}
	/* Takes over our page reference; frees the page when unmapped. */
	gnttab_end_foreign_access(ref, page);
	return true;
}

/*
 * Release the pool and the persistent grants of a ring that is no longer
 * live (disconnect, resume, failed connect): the pool belongs to the
 * connection.  Also after a partial vbmq_fe_ring_pool_setup().
 */
static void vbmq_fe_ring_pool_release(struct vbmq_fe_ring *ring)
{
	struct vbmq_fe_info *info = ring->info;
	unsigned int deferred = 0, i, p;

	for (i = 0; ring->shadow && i < ring->slots.nr; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];

		for (p = 0; ring->mode == VBMQ_FE_GRANT_PERSISTENT &&
		     sh->ipages && p < info->nr_ipages; p++) {
			if (sh->igrefs[p] == INVALID_GRANT_REF)
				continue;
			if (vbmq_fe_end_page_grant(sh->igrefs[p],
						   sh->ipages[p]))
				deferred++;
			sh->ipages[p] = NULL;	/* freed or handed over */
			sh->igrefs[p] = INVALID_GRANT_REF;
		}
		kvfree(sh->pool);
		sh->pool = NULL;
		sh->nr_pool = 0;
	}
	for (i = 0; i < ring->pool.nr; i++)
		if (vbmq_fe_end_page_grant(ring->pool_grefs[i],
					   ring->pool_pages[i]))
			deferred++;
	if (deferred)
		dev_warn(&info->xbdev->dev,
			 "%s: ring %u: backend still maps %u persistent grant(s): pages freed once it unmaps them\n",
			 info->vd.name, ring->index, deferred);
	kvfree(ring->pool.used);
	kvfree(ring->pool.free);
	kvfree(ring->pool_grefs);
	ring->pool_grefs = NULL;
	kvfree(ring->pool_pages);
	ring->pool_pages = NULL;
	vbmq_fe_pool_init(&ring->pool, NULL, NULL, 0);
	ring->nr_pgrants = 0;
	ring->mode = VBMQ_FE_GRANT_DIRECT;
}

/* ---- one ring: slots, shared pages, event channel ------------------- */

static void vbmq_fe_ring_free_slots(struct vbmq_fe_ring *ring)
{
	u32 i;

	/* Ends persistent grants on indirect pages before they are freed. */
	vbmq_fe_ring_pool_release(ring);
	for (i = 0; ring->shadow && i < ring->slots.nr; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];
		unsigned int p;

		for (p = 0; sh->ipages && p < ring->info->nr_ipages; p++)
			if (sh->ipages[p])
				__free_page(sh->ipages[p]);
		kfree(sh->ipages);
		kvfree(sh->grefs);
		kvfree(sh->sg);
		kvfree(sh->segs);
	}
	kvfree(ring->shadow);
	ring->shadow = NULL;
	kvfree(ring->slot);
	ring->slot = NULL;
	kvfree(ring->bufs);
	ring->bufs = NULL;
	memset(&ring->slots, 0, sizeof(ring->slots));
}

/* Request slots for a ring whose size and segment limit are known. */
static int vbmq_fe_ring_alloc_slots(struct vbmq_fe_ring *ring)
{
	struct vbmq_fe_info *info = ring->info;
	unsigned int n = RING_SIZE(&ring->front), segs = info->max_segs;
	unsigned int i, p;

	ring->slot = kvcalloc(n, sizeof(*ring->slot), GFP_KERNEL);
	ring->shadow = kvcalloc(n, sizeof(*ring->shadow), GFP_KERNEL);
	ring->bufs = kvcalloc(segs, sizeof(*ring->bufs), GFP_KERNEL);
	if (!ring->slot || !ring->shadow || !ring->bufs)
		goto err_free;
	/* From here on vbmq_fe_ring_free_slots() walks ring->slots.nr. */
	vbmq_fe_slots_init(&ring->slots, ring->slot, n);

	for (i = 0; i < n; i++) {
		struct vbmq_fe_shadow *sh = &ring->shadow[i];

		sh->sg = kvcalloc(segs, sizeof(*sh->sg), GFP_KERNEL);
		sh->grefs = kvcalloc(segs, sizeof(*sh->grefs), GFP_KERNEL);
		sh->segs = kvcalloc(segs, sizeof(*sh->segs), GFP_KERNEL);
		if (!sh->sg || !sh->grefs || !sh->segs)
			goto err_free;
		sg_init_table(sh->sg, segs);
		if (!info->nr_ipages)
			continue;
		sh->ipages = kcalloc(info->nr_ipages, sizeof(*sh->ipages),
				     GFP_KERNEL);
		if (!sh->ipages)
			goto err_free;
		/*
		 * Zeroed: the backend sees the whole page, of which a request
		 * fills only its descriptors, and must not see what the page
		 * held before.
		 */
		for (p = 0; p < info->nr_ipages; p++) {
			sh->ipages[p] = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!sh->ipages[p])
				goto err_free;
		}
	}
	if (vbmq_fe_ring_pool_setup(ring))
		goto err_free;
	return 0;

err_free:
	vbmq_fe_ring_free_slots(ring);
	return -ENOMEM;
}

/* Shared pages, event channel and IRQ of one ring; not live yet. */
static int vbmq_fe_ring_setup(struct vbmq_fe_info *info,
			      struct vbmq_fe_ring *ring, bool polled)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int nr_pages = 1U << info->ring_order;
	struct blkif_sring *sring;
	int err, irq;

	lockdep_assert_held(&info->mutex);
	err = xenbus_setup_ring(dev, GFP_NOIO | __GFP_HIGH, &ring->sring_pages,
				nr_pages, ring->ring_ref);
	if (err)
		return err;
	sring = ring->sring_pages;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&ring->front, sring, XEN_PAGE_SIZE * nr_pages);
	ring->polled = polled;
	ring->poll_yield_ns = (u64)READ_ONCE(vbmq_fe_poll_yield_us) *
			      NSEC_PER_USEC;
	ring->poll_idle_since = 0;
	ring->broken = false;
	ring->stopped = false;
	memset(&ring->st, 0, sizeof(ring->st));
	/* A polled ring never asks for a response notification. */
	if (polled)
		sring->rsp_event = 0;

	err = xenbus_alloc_evtchn(dev, &ring->evtchn);
	if (err)
		goto err_teardown_ring;

	snprintf(ring->irq_name, sizeof(ring->irq_name), "%s-q%u%s",
		 info->vd.name, ring->index, polled ? "-poll" : "");
	/*
	 * A polled ring's channel is bound but never enabled: it stays
	 * masked, so even a backend that ignores rsp_event raises no
	 * interrupt, and /proc/interrupts still names the ring.  The
	 * channel itself is needed for kicks and for the backend's key.
	 */
	irq = bind_evtchn_to_irqhandler_lateeoi(ring->evtchn,
						vbmq_fe_interrupt,
						polled ? IRQF_NO_AUTOEN : 0,
						ring->irq_name, ring);
	if (irq < 0) {
		err = irq;
		goto err_free_evtchn;
	}
	ring->irq = irq;
	return 0;

err_free_evtchn:
	xenbus_free_evtchn(dev, ring->evtchn);
	ring->evtchn = 0;
err_teardown_ring:
	xenbus_teardown_ring(&ring->sring_pages, nr_pages, ring->ring_ref);
	return err;
}

/* Undo vbmq_fe_ring_setup() and the slots; the ring must be killed. */
static void vbmq_fe_ring_release(struct vbmq_fe_info *info,
				 struct vbmq_fe_ring *ring)
{
	lockdep_assert_held(&info->mutex);
	if (ring->irq) {
		irq_update_affinity_hint(ring->irq, NULL);
		/* Also closes the event channel. */
		unbind_from_irqhandler(ring->irq, ring);
		ring->irq = 0;
		ring->evtchn = 0;
	} else if (ring->evtchn) {
		xenbus_free_evtchn(info->xbdev, ring->evtchn);
		ring->evtchn = 0;
	}
	if (ring->sring_pages)
		xenbus_teardown_ring(&ring->sring_pages, 1U << info->ring_order,
				     ring->ring_ref);
	vbmq_fe_ring_free_slots(ring);
}

/* ---- the rings of a device: the unit's calls (common.h) --------------- */

/*
 * Probe: a record for each ring the device may have (nr_ring_slots) and
 * the IRQ affinity scratch.  On failure nothing is left allocated.
 */
int vbmq_fe_rings_alloc(struct vbmq_fe_info *info)
{
	unsigned int i, r;

	info->nr_ring_slots = min_t(unsigned int, nr_cpu_ids,
				    VBMQ_FE_MAX_QUEUES);
	info->aff_map = kcalloc(nr_cpu_ids, sizeof(*info->aff_map),
				GFP_KERNEL);
	info->aff_online = kcalloc(nr_cpu_ids, sizeof(*info->aff_online),
				   GFP_KERNEL);
	info->aff_mask = kcalloc(nr_cpu_ids, sizeof(*info->aff_mask),
				 GFP_KERNEL);
	info->rings = kcalloc(info->nr_ring_slots, sizeof(*info->rings),
			      GFP_KERNEL);
	if (!info->aff_map || !info->aff_online || !info->aff_mask ||
	    !info->rings)
		goto err_free;
	for (i = 0; i < info->nr_ring_slots; i++) {
		struct vbmq_fe_ring *ring = &info->rings[i];

		ring->info = info;
		ring->index = i;
		spin_lock_init(&ring->lock);
		for (r = 0; r < XENBUS_MAX_RING_GRANTS; r++)
			ring->ring_ref[r] = INVALID_GRANT_REF;
		if (!zalloc_cpumask_var(&ring->irq_mask, GFP_KERNEL))
			goto err_free;
	}
	return 0;

err_free:
	vbmq_fe_rings_free(info);
	return -ENOMEM;
}

/* Remove, after the rings were released; also undoes a failed alloc. */
void vbmq_fe_rings_free(struct vbmq_fe_info *info)
{
	unsigned int i;

	/* A mask never allocated is NULL (kcalloc): free_cpumask_var() takes it. */
	for (i = 0; info->rings && i < info->nr_ring_slots; i++)
		free_cpumask_var(info->rings[i].irq_mask);
	kfree(info->rings);
	info->rings = NULL;
	kfree(info->aff_mask);
	kfree(info->aff_online);
	kfree(info->aff_map);
}

/*
 * The shared pages, event channels and IRQs of info->nr_rings rings, the
 * last info->nr_poll of them polled; not live yet.  On failure every ring
 * is released.
 */
int vbmq_fe_rings_setup(struct vbmq_fe_info *info)
{
	unsigned int nr = info->nr_rings, i;
	int err;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < nr; i++) {
		err = vbmq_fe_ring_setup(info, &info->rings[i],
					 i >= nr - info->nr_poll);
		if (err) {
			vbmq_fe_rings_release(info);
			return err;
		}
	}
	return 0;
}

/* Undo vbmq_fe_rings_setup() and vbmq_fe_rings_start(); rings killed. */
void vbmq_fe_rings_release(struct vbmq_fe_info *info)
{
	unsigned int i;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < info->nr_ring_slots; i++)
		vbmq_fe_ring_release(info, &info->rings[i]);
}

/* Some ring is set up: the backend may map its grants. */
bool vbmq_fe_rings_set_up(struct vbmq_fe_info *info)
{
	unsigned int i;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < info->nr_ring_slots; i++)
		if (info->rings[i].sring_pages)
			return true;
	return false;
}

/*
 * Request slots and the page pool for every set-up ring, whose size and
 * segment limit are now known, then the rings go live.  On failure no
 * ring has slots.
 */
int vbmq_fe_rings_start(struct vbmq_fe_info *info)
{
	unsigned long flags;
	unsigned int i;
	int err;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < info->nr_rings; i++) {
		err = vbmq_fe_ring_alloc_slots(&info->rings[i]);
		if (err) {
			vbmq_fe_rings_stop(info);
			return err;
		}
	}
	for (i = 0; i < info->nr_rings; i++) {
		struct vbmq_fe_ring *ring = &info->rings[i];

		spin_lock_irqsave(&ring->lock, flags);
		ring->live = true;
		spin_unlock_irqrestore(&ring->lock, flags);
	}
	return 0;
}

/* Undo vbmq_fe_rings_start() once the rings are killed: slots and pool. */
void vbmq_fe_rings_stop(struct vbmq_fe_info *info)
{
	unsigned int i;

	lockdep_assert_held(&info->mutex);
	for (i = 0; i < info->nr_rings; i++)
		vbmq_fe_ring_free_slots(&info->rings[i]);
}

/*
 * The disk is up on live rings: point their IRQs at their queues' vCPUs
 * (again at every CPU hotplug event from now on), show them in debugfs.
 */
void vbmq_fe_rings_expose(struct vbmq_fe_info *info)
{
	lockdep_assert_held(&info->mutex);
	mutex_lock(&info->aff_lock);
	info->aff_ready = true;
	mutex_unlock(&info->aff_lock);
	vbmq_fe_apply_affinity(info, -1);
	vbmq_fe_debugfs_add_rings(info);
}

/* Stop using every ring; in-flight requests end up on info->held. */
void vbmq_fe_rings_kill(struct vbmq_fe_info *info)
{
	unsigned int i;

	lockdep_assert_held(&info->mutex);
	vbmq_fe_debugfs_del_rings(info);
	mutex_lock(&info->aff_lock);
	info->aff_ready = false;
	mutex_unlock(&info->aff_lock);
	for (i = 0; i < info->nr_ring_slots; i++)
		vbmq_fe_ring_kill(&info->rings[i], &info->held);
}

/* How long a backend that let go may take to unmap the last grants. */
#define VBMQ_FE_UNMAP_WAIT_MS	10000

/*
 * For a backend that has let go or is about to (it is Closed, or the
 * frontend is): end every grant once the backend no longer maps it,
 * waiting for that up to VBMQ_FE_UNMAP_WAIT_MS (a backend may go Closed
 * while its disk still completes requests it mapped).  Requests it
 * answered complete, the others go to info->held.  What it still maps
 * after that is ended by vbmq_fe_rings_kill() and the release,
 * through the grant table's deferred path.
 */
void vbmq_fe_rings_let_go(struct vbmq_fe_info *info)
{
	unsigned long deadline =
		jiffies + msecs_to_jiffies(VBMQ_FE_UNMAP_WAIT_MS);
	unsigned int busy, i, sleep_ms = 1;

	lockdep_assert_held(&info->mutex);
	for (;;) {
		busy = 0;
		for (i = 0; i < info->nr_ring_slots; i++)
			busy += vbmq_fe_ring_let_go(&info->rings[i],
						    &info->held);
		if (!busy || time_after(jiffies, deadline))
			break;
		msleep(sleep_ms);
		sleep_ms = min(sleep_ms * 2, 100U);
	}
	if (busy)
		dev_warn(&info->xbdev->dev,
			 "%s: backend still maps %u grant(s) after %u ms: ending them anyway\n",
			 info->vd.name, busy, VBMQ_FE_UNMAP_WAIT_MS);
}
