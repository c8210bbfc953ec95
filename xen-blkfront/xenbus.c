// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkfront: control plane.
 *
 * Backend InitWait:  read the backend's limits, set up the rings (shared
 *                    pages, event channels, IRQs), publish them, go
 *                    Initialised.
 * Backend Connected: read the disk's features, allocate request slots,
 *                    create the disk (first time), requeue held requests
 *                    (after resume) or update the capacity (already
 *                    connected), go Connected.
 * Backend Closing:   take no more I/O, go Closed; grants stay as they are.
 * Backend Closed:    the backend unmapped everything: end the grants,
 *                    complete what it answered, fail the rest, delete the
 *                    disk.
 * Resume:            hold the in-flight requests, rebuild the rings (the
 *                    count may differ), then reconnect as above.
 *
 * The rings themselves are the ring unit's (ring.c): this file only calls
 * the vbmq_fe_rings_*() functions of common.h.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <xen/xen.h>
#include <xen/page.h>
#include <xen/interface/io/protocols.h>

#include "common.h"
#include "compat.h"

/* ---- held requests -------------------------------------------------- */

/* Fail the requests on info->held; how many there were. */
static unsigned int vbmq_fe_fail_held_locked(struct vbmq_fe_info *info)
{
	struct request *rq, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&info->mutex);
	list_for_each_entry_safe(rq, tmp, &info->held, queuelist) {
		list_del_init(&rq->queuelist);
		blk_mq_end_request(rq, BLK_STS_IOERR);
		n++;
	}
	return n;
}

/* ---- negotiation ------------------------------------------------------ */

static int vbmq_fe_backend_affinity(struct vbmq_fe_info *info)
{
	char *val;
	int mode;

	if (vbmq_fe_irq_affinity >= 0)
		return vbmq_fe_irq_affinity;
	val = xenbus_read(XBT_NIL, info->xbdev->otherend,
			  VBMQ_KEY_PATH(VBMQ_KEY_NAME_GUEST_IRQ_AFFINITY), NULL);
	if (IS_ERR(val))
		return VBMQ_IRQ_SPREAD;
	mode = vbmq_fe_parse_affinity(val);
	if (mode < 0) {
		dev_warn(&info->xbdev->dev,
			 "%s: ignoring %s \"%s\"\n", info->vd.name,
			 VBMQ_KEY_PATH(VBMQ_KEY_NAME_GUEST_IRQ_AFFINITY), val);
		mode = VBMQ_IRQ_SPREAD;
	}
	kfree(val);
	return mode;
}

static int vbmq_fe_write_ring_keys(struct vbmq_fe_info *info,
				   struct xenbus_transaction xbt,
				   struct vbmq_fe_ring *ring, const char *dir)
{
	char key[16];
	unsigned int i;
	int err;

	if (!info->ring_order) {
		err = xenbus_printf(xbt, dir, "ring-ref", "%u",
				    ring->ring_ref[0]);
		if (err)
			return err;
	}
	for (i = 0; info->ring_order && i < (1U << info->ring_order); i++) {
		snprintf(key, sizeof(key), "ring-ref%u", i);
		err = xenbus_printf(xbt, dir, key, "%u", ring->ring_ref[i]);
		if (err)
			return err;
	}
	return xenbus_printf(xbt, dir, "event-channel", "%u", ring->evtchn);
}

static int vbmq_fe_write_keys(struct vbmq_fe_info *info,
			      struct xenbus_transaction xbt)
{
	const char *node = info->xbdev->nodename;
	unsigned int i;
	char *dir;
	int err;

	if (info->ring_order)
		err = xenbus_printf(xbt, node, "ring-page-order", "%u",
				    info->ring_order);
	else
		err = xenbus_rm(xbt, node, "ring-page-order");
	if (err && err != -ENOENT)
		return err;

	if (info->nr_rings == 1) {
		err = xenbus_rm(xbt, node, "multi-queue-num-queues");
		if (err && err != -ENOENT)
			return err;
		err = vbmq_fe_write_ring_keys(info, xbt, &info->rings[0], node);
		if (err)
			return err;
	} else {
		err = xenbus_printf(xbt, node, "multi-queue-num-queues", "%u",
				    info->nr_rings);
		if (err)
			return err;
		for (i = 0; i < info->nr_rings; i++) {
			dir = kasprintf(GFP_NOIO, "%s/queue-%u", node, i);
			if (!dir)
				return -ENOMEM;
			err = vbmq_fe_write_ring_keys(info, xbt,
						      &info->rings[i], dir);
			kfree(dir);
			if (err)
				return err;
		}
	}
	err = xenbus_printf(xbt, node, "protocol", "%s",
			    XEN_IO_PROTO_ABI_NATIVE);
	if (err)
		return err;
	return xenbus_printf(xbt, node, "feature-persistent", "%u",
			     info->persistent_parm);
}

/* What the backend offers and the module allows: ring count, size, poll. */
static void vbmq_fe_negotiate_rings(struct vbmq_fe_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	unsigned int be_queues, be_order, be_poll, nr;

	lockdep_assert_held(&info->mutex);
	be_queues = xenbus_read_unsigned(dev->otherend,
					 "multi-queue-max-queues", 0);
	be_order = xenbus_read_unsigned(dev->otherend, "max-ring-page-order",
					0);
	be_poll = xenbus_read_unsigned(dev->otherend,
				       VBMQ_KEY_PATH(VBMQ_KEY_NAME_GUEST_POLL_QUEUES),
				       0);

	nr = vbmq_fe_nr_rings(be_queues, vbmq_fe_max_queues,
			      num_online_cpus());
	if (nr > info->nr_ring_slots)
		nr = info->nr_ring_slots;
	/*
	 * After a resume that keeps the ring count the poll split stays as
	 * it was: blk-mq only remaps queues when their number changes.
	 */
	if (!info->gd || nr != info->nr_rings)
		WRITE_ONCE(info->nr_poll,
			   vbmq_fe_nr_poll(nr, vbmq_fe_poll_queues, be_poll));
	WRITE_ONCE(info->nr_rings, nr);
	info->ring_order = vbmq_fe_ring_order(be_order,
					      vbmq_fe_max_ring_order);
	info->affinity = vbmq_fe_backend_affinity(info);
	/* What the frontend advertises is what it uses at connect. */
	info->persistent_parm = vbmq_fe_persistent;
}

/* Publish the rings' keys in one transaction; what failed in @what. */
static int vbmq_fe_publish_rings(struct vbmq_fe_info *info, const char **what)
{
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		*what = "starting transaction";
		return err;
	}
	err = vbmq_fe_write_keys(info, xbt);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		*what = "writing ring keys";
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		*what = "completing transaction";
	return err;
}

static int vbmq_fe_talk_to_backend(struct vbmq_fe_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	const char *what;
	int err;

	lockdep_assert_held(&info->mutex);
	vbmq_fe_negotiate_rings(info);
	err = vbmq_fe_rings_setup(info);
	if (err) {
		what = "setting up rings";
		goto err_report;
	}
	err = vbmq_fe_publish_rings(info, &what);
	if (err)
		goto err_release_rings;
	xenbus_switch_state(dev, XenbusStateInitialised);
	return 0;

err_release_rings:
	vbmq_fe_rings_release(info);
err_report:
	xenbus_dev_fatal(dev, err, "%s", what);
	return err;
}

static int vbmq_fe_read_features(struct vbmq_fe_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	const char *be = dev->otherend;
	unsigned long long sectors;
	unsigned int binfo, be_indirect;
	unsigned long ssize;
	int err;

	lockdep_assert_held(&info->mutex);
	err = xenbus_gather(XBT_NIL, be, "sectors", "%llu", &sectors,
			    "info", "%u", &binfo, "sector-size", "%lu", &ssize,
			    NULL);
	if (err) {
		xenbus_dev_fatal(dev, err, "reading backend %s/{sectors,info,sector-size}",
				 be);
		return err;
	}
	if (ssize < 512 || ssize > PAGE_SIZE || !is_power_of_2(ssize)) {
		xenbus_dev_fatal(dev, -EINVAL, "unusable sector-size %lu",
				 ssize);
		return -EINVAL;
	}
	info->sectors = sectors;
	info->vdisk_info = binfo;
	info->sector_size = ssize;
	info->physical_sector_size =
		xenbus_read_unsigned(be, "physical-sector-size", ssize);
	if (info->physical_sector_size < ssize ||
	    !is_power_of_2(info->physical_sector_size))
		info->physical_sector_size = ssize;

	if (xenbus_read_unsigned(be, "feature-flush-cache", 0))
		info->flush_op = BLKIF_OP_FLUSH_DISKCACHE;
	else if (xenbus_read_unsigned(be, "feature-barrier", 0))
		info->flush_op = BLKIF_OP_WRITE_BARRIER;
	else
		info->flush_op = 0;

	info->discard = xenbus_read_unsigned(be, "feature-discard", 0);
	info->discard_granularity =
		xenbus_read_unsigned(be, "discard-granularity", 0);
	if (info->discard_granularity < ssize ||
	    !is_power_of_2(info->discard_granularity))
		info->discard_granularity = ssize;
	info->discard_alignment =
		xenbus_read_unsigned(be, "discard-alignment", 0) %
		info->discard_granularity;
	info->discard_secure = xenbus_read_unsigned(be, "discard-secure", 0);

	be_indirect = xenbus_read_unsigned(be, "feature-max-indirect-segments",
					   0);
	info->max_segs = vbmq_fe_max_segs(be_indirect, vbmq_fe_max_indirect);
	info->nr_ipages = info->max_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		DIV_ROUND_UP(info->max_segs, VBMQ_SEGS_PER_INDIRECT_PAGE) : 0;

	/*
	 * The toolstack writes `trusted` into the frontend's own directory
	 * (absent: trusted).  An untrusted backend gets bounce buffers even
	 * with feature_persistent=0.
	 */
	info->trusted = xenbus_read_unsigned(dev->nodename, "trusted", 1);
	WRITE_ONCE(info->grant_mode,
		   vbmq_fe_grant_mode(xenbus_read_unsigned(be,
							   "feature-persistent",
							   0),
				      info->persistent_parm, info->trusted));
	return 0;
}

static void vbmq_fe_limits(struct vbmq_fe_info *info,
			   struct vbmq_fe_limits *l)
{
	/* A page may need several grants when PAGE_SIZE > 4 KiB. */
	unsigned int per_page = PAGE_SIZE / XEN_PAGE_SIZE;

	memset(l, 0, sizeof(*l));
	l->logical_block_size = info->sector_size;
	l->physical_block_size = info->physical_sector_size;
	l->max_segments = max(info->max_segs / per_page, 1U);
	l->max_hw_sectors = (info->max_segs * XEN_PAGE_SIZE) >> SECTOR_SHIFT;
	if (info->discard) {
		l->max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		l->discard_granularity = info->discard_granularity;
		l->discard_alignment = info->discard_alignment;
		if (info->discard_secure)
			l->max_secure_erase_sectors = UINT_MAX >> SECTOR_SHIFT;
	}
	l->write_cache = info->flush_op != 0;
	l->poll = info->nr_poll > 0;
}

/* ---- disk ------------------------------------------------------------- */

static int vbmq_fe_create_disk_locked(struct vbmq_fe_info *info)
{
	struct blk_mq_tag_set *set = &info->tag_set;
	struct vbmq_fe_limits l;
	struct gendisk *gd;
	int err;

	lockdep_assert_held(&info->mutex);
	memset(set, 0, sizeof(*set));
	set->ops = &vbmq_fe_mq_ops;
	set->nr_hw_queues = info->nr_rings;
	set->nr_maps = HCTX_MAX_TYPES;
	set->queue_depth = RING_SIZE(&info->rings[0].front);
	set->numa_node = NUMA_NO_NODE;
	set->flags = VBMQ_FE_TAG_SET_FLAGS;
	set->cmd_size = sizeof(struct vbmq_fe_pdu);
	set->driver_data = info;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	info->tag_set_ready = true;

	vbmq_fe_limits(info, &l);
	gd = vbmq_fe_alloc_disk(set, &l, info);
	if (IS_ERR(gd)) {
		err = PTR_ERR(gd);
		goto err_free_tag_set;
	}
	gd->major = vbmq_fe_major;
	gd->first_minor = info->vd.first_minor;
	gd->minors = info->vd.nr_minors;
	if (gd->minors == 1)
		gd->flags |= GENHD_FL_NO_PART;
	gd->fops = &vbmq_fe_bdops;
	gd->private_data = info;
	strscpy(gd->disk_name, info->vd.name, sizeof(gd->disk_name));
	set_capacity(gd, info->sectors);
	set_disk_ro(gd, info->vdisk_info & VDISK_READONLY);
	info->gd = gd;

	/* The partition scan in device_add_disk() needs a live queue. */
	WRITE_ONCE(info->state, VBMQ_FE_CONNECTED);
	err = device_add_disk(&info->xbdev->dev, gd, vbmq_fe_disk_groups);
	if (err)
		goto err_put_disk;
	return 0;

err_put_disk:
	WRITE_ONCE(info->state, VBMQ_FE_DISCONNECTED);
	info->gd = NULL;
	put_disk(gd);
err_free_tag_set:
	blk_mq_free_tag_set(set);
	info->tag_set_ready = false;
	return err;
}

/*
 * Delete the disk and release the rings.  With @drain and a connected
 * disk, del_gendisk() first writes back and waits for what is in flight
 * while the rings run; otherwise what the backend did not answer fails.
 * With @close the frontend then goes Closed (if its directory is still
 * there), which tells the backend to let go.  Grants are ended once the
 * backend no longer maps them (vbmq_fe_rings_let_go()).
 */
static void vbmq_fe_destroy_locked(struct vbmq_fe_info *info, bool drain,
				   bool close)
{
	struct xenbus_device *dev = info->xbdev;
	bool deleted = false;
	unsigned int failed;

	lockdep_assert_held(&info->mutex);
	if (drain && info->gd && READ_ONCE(info->state) == VBMQ_FE_CONNECTED) {
		del_gendisk(info->gd);
		deleted = true;
	}
	WRITE_ONCE(info->state, VBMQ_FE_DISCONNECTED);
	if (close && vbmq_fe_rings_set_up(info) &&
	    dev->state != XenbusStateClosed &&
	    xenbus_read_unsigned(dev->nodename, "state", XenbusStateUnknown) !=
	    XenbusStateUnknown)
		xenbus_switch_state(dev, XenbusStateClosed);
	vbmq_fe_rings_let_go(info);
	vbmq_fe_rings_kill(info);
	failed = vbmq_fe_fail_held_locked(info);
	if (failed)
		dev_info(&dev->dev,
			 "%s: %u request(s) the backend did not answer failed\n",
			 info->vd.name, failed);
	if (info->gd && !deleted) {
		struct request_queue *q = info->gd->queue;

		/*
		 * del_gendisk() waits for every request: those queued must
		 * reach queue_rq, which fails them now.
		 */
		if (blk_queue_quiesced(q))
			blk_mq_unquiesce_queue(q);
		blk_mq_start_stopped_hw_queues(q, true);
		del_gendisk(info->gd);
	}
	vbmq_fe_rings_release(info);
	if (info->gd) {
		put_disk(info->gd);
		info->gd = NULL;
	}
	if (info->tag_set_ready) {
		blk_mq_free_tag_set(&info->tag_set);
		info->tag_set_ready = false;
	}
}

static void vbmq_fe_update_capacity_locked(struct vbmq_fe_info *info)
{
	unsigned long long sectors;
	int err;

	lockdep_assert_held(&info->mutex);
	if (READ_ONCE(info->state) != VBMQ_FE_CONNECTED || !info->gd)
		return;
	err = xenbus_scanf(XBT_NIL, info->xbdev->otherend, "sectors", "%llu",
			   &sectors);
	if (err != 1 || sectors == info->sectors)
		return;
	dev_info(&info->xbdev->dev, "%s: capacity %llu -> %llu sectors\n",
		 info->vd.name, info->sectors, sectors);
	info->sectors = sectors;
	set_capacity_and_notify(info->gd, sectors);
}

static void vbmq_fe_sectors_changed(struct xenbus_watch *watch,
				    const char *path, const char *token)
{
	struct vbmq_fe_info *info =
		container_of(watch, struct vbmq_fe_info, sectors_watch);

	mutex_lock(&info->mutex);
	vbmq_fe_update_capacity_locked(info);
	mutex_unlock(&info->mutex);
}

static void vbmq_fe_watch_sectors_locked(struct vbmq_fe_info *info)
{
	struct xenbus_watch *w = &info->sectors_watch;
	int err;

	lockdep_assert_held(&info->mutex);
	if (info->sectors_watch_on)
		return;
	w->node = kasprintf(GFP_KERNEL, "%s/sectors", info->xbdev->otherend);
	if (!w->node)
		return;
	w->will_handle = NULL;
	w->callback = vbmq_fe_sectors_changed;
	err = register_xenbus_watch(w);
	if (err) {
		dev_warn(&info->xbdev->dev,
			 "%s: no watch on %s (%d): online resize only through the backend state\n",
			 info->vd.name, w->node, err);
		kfree(w->node);
		w->node = NULL;
		return;
	}
	info->sectors_watch_on = true;
}

/*
 * Called without info->mutex (the watch callback takes it), or from the
 * xenwatch thread itself, where unregistering does not wait for callbacks.
 */
static void vbmq_fe_unwatch_sectors(struct vbmq_fe_info *info)
{
	if (!info->sectors_watch_on)
		return;
	unregister_xenbus_watch(&info->sectors_watch);
	kfree(info->sectors_watch.node);
	info->sectors_watch.node = NULL;
	info->sectors_watch_on = false;
}

/* Put the requests held over a resume back to work on the new rings. */
static void vbmq_fe_recover_locked(struct vbmq_fe_info *info)
{
	struct request_queue *q = info->gd->queue;
	bool changed = info->nr_rings != info->tag_set.nr_hw_queues;
	unsigned int max_sg = max(info->max_segs / (PAGE_SIZE / XEN_PAGE_SIZE),
				  1U);
	struct vbmq_fe_limits l;
	struct request *rq, *tmp;
	struct bio_list bios;
	unsigned int held = 0;
	struct bio *bio;
	int err;

	lockdep_assert_held(&info->mutex);
	bio_list_init(&bios);
	vbmq_fe_limits(info, &l);
	err = vbmq_fe_update_limits(info->gd, &l);
	if (err)
		dev_warn(&info->xbdev->dev, "%s: queue limits not updated: %d\n",
			 info->vd.name, err);

	/*
	 * A request built under larger limits is split again: its bios go
	 * back through the block layer.  The others are requeued as they are.
	 */
	list_for_each_entry_safe(rq, tmp, &info->held, queuelist) {
		list_del_init(&rq->queuelist);
		held++;
		if (rq->bio && (blk_rq_nr_phys_segments(rq) > max_sg ||
				blk_rq_sectors(rq) > l.max_hw_sectors)) {
			blk_steal_bios(&bios, rq);
			blk_mq_end_request(rq, BLK_STS_OK);
		} else {
			blk_mq_requeue_request(rq, false);
		}
	}

	dev_info(&info->xbdev->dev, "%s: %u request(s) held over the resume requeued\n",
		 info->vd.name, held);
	WRITE_ONCE(info->remap, changed);
	WRITE_ONCE(info->state, VBMQ_FE_CONNECTED);
	blk_mq_unquiesce_queue(q);
	blk_mq_kick_requeue_list(q);
	while ((bio = bio_list_pop(&bios)))
		submit_bio_noacct(bio);
	if (changed) {
		dev_info(&info->xbdev->dev, "%s: %u -> %u rings after resume\n",
			 info->vd.name, info->tag_set.nr_hw_queues,
			 info->nr_rings);
		blk_mq_update_nr_hw_queues(&info->tag_set, info->nr_rings);
		WRITE_ONCE(info->remap, false);
	}
}

static void vbmq_fe_connected_msg(struct vbmq_fe_info *info)
{
	dev_info(&info->xbdev->dev,
		 "%s: %llu sectors of %u bytes, %u ring(s) (%u polled) of %u page(s), %u segments/request, grants %s%s, flush %s, discard %s, irq affinity %s%s\n",
		 info->vd.name, info->sectors, info->sector_size,
		 info->nr_rings, info->nr_poll, 1U << info->ring_order,
		 info->max_segs, vbmq_fe_grant_mode_name(info->grant_mode),
		 info->trusted ? "" : " (untrusted backend)",
		 info->flush_op == BLKIF_OP_FLUSH_DISKCACHE ? "cache" :
		 info->flush_op ? "barrier" : "none",
		 info->discard ? "on" : "off",
		 vbmq_fe_affinity_name(info->affinity),
		 info->vdisk_info & VDISK_READONLY ? ", read-only" : "");
}

static void vbmq_fe_connect_locked(struct vbmq_fe_info *info)
{
	struct xenbus_device *dev = info->xbdev;
	enum vbmq_fe_state state = READ_ONCE(info->state);
	int err;

	lockdep_assert_held(&info->mutex);
	if (state == VBMQ_FE_CONNECTED) {
		vbmq_fe_update_capacity_locked(info);
		return;
	}
	/* Broken, or the rings were never set up (see talk_to_backend). */
	if (state == VBMQ_FE_ERROR || !info->nr_rings ||
	    !vbmq_fe_rings_set_up(info))
		return;

	err = vbmq_fe_read_features(info);
	if (err)
		return;
	err = vbmq_fe_rings_start(info);
	if (err) {
		xenbus_dev_fatal(dev, err, "allocating request slots");
		return;
	}

	if (state == VBMQ_FE_SUSPENDED) {
		vbmq_fe_recover_locked(info);
	} else {
		err = vbmq_fe_create_disk_locked(info);
		if (err) {
			xenbus_dev_fatal(dev, err, "creating disk %s",
					 info->vd.name);
			goto err_stop_rings;
		}
	}

	xenbus_switch_state(dev, XenbusStateConnected);
	vbmq_fe_watch_sectors_locked(info);
	vbmq_fe_rings_expose(info);
	vbmq_fe_connected_msg(info);
	return;

err_stop_rings:
	vbmq_fe_rings_kill(info);
	vbmq_fe_fail_held_locked(info);
	vbmq_fe_rings_stop(info);
}

/*
 * The backend is closing (xl block-detach): take no more I/O and go
 * Closed.  Nothing is ended or freed: the backend may still map the rings,
 * the pool and the pages of the requests it serves.  It unmaps them once
 * it sees the frontend Closed, then goes Closed itself, and only then are
 * the grants ended and the disk deleted (vbmq_fe_destroy_locked()).
 */
static void vbmq_fe_stop_locked(struct vbmq_fe_info *info)
{
	struct xenbus_device *dev = info->xbdev;

	lockdep_assert_held(&info->mutex);
	if (info->gd && disk_openers(info->gd))
		dev_warn(&dev->dev,
			 "%s: backend closing while the disk is open: I/O will fail\n",
			 info->vd.name);
	/* Runs in the xenwatch thread: unregistering does not wait. */
	vbmq_fe_unwatch_sectors(info);
	/* queue_rq fails new requests; those on the rings wait. */
	WRITE_ONCE(info->state, VBMQ_FE_DISCONNECTED);
	xenbus_frontend_closed(dev);
}

static void vbmq_fe_backend_changed(struct xenbus_device *dev,
				    enum xenbus_state backend_state)
{
	struct vbmq_fe_info *info = dev_get_drvdata(&dev->dev);
	unsigned int noio, act;

	mutex_lock(&info->mutex);
	noio = memalloc_noio_save();
	switch (backend_state) {
	case XenbusStateInitWait:
		if (dev->state == XenbusStateInitialising)
			vbmq_fe_talk_to_backend(info);
		break;
	case XenbusStateConnected:
		/* Closing or closed: only a Closed backend matters now. */
		if (dev->state == XenbusStateClosing ||
		    dev->state == XenbusStateClosed)
			break;
		if (dev->state == XenbusStateInitialising &&
		    vbmq_fe_talk_to_backend(info))
			break;
		vbmq_fe_connect_locked(info);
		break;
	default:
		act = vbmq_fe_close_action(backend_state, dev->state);
		if (act & VBMQ_FE_CLOSE_STOP)
			vbmq_fe_stop_locked(info);
		if (act & VBMQ_FE_CLOSE_RELEASE)
			vbmq_fe_destroy_locked(info, false, false);
		break;
	}
	memalloc_noio_restore(noio);
	mutex_unlock(&info->mutex);
}

/* ---- probe, remove, resume ------------------------------------------- */

static int vbmq_fe_probe(struct xenbus_device *dev,
			 const struct xenbus_device_id *id)
{
	struct vbmq_fe_info *info;
	unsigned int vdevice;
	int err;

	err = xenbus_scanf(XBT_NIL, dev->nodename, "virtual-device", "%u",
			   &vdevice);
	if (err != 1)
		err = xenbus_scanf(XBT_NIL, dev->nodename,
				   "virtual-device-ext", "%u", &vdevice);
	if (err != 1) {
		xenbus_dev_fatal(dev, err < 0 ? err : -EINVAL,
				 "reading virtual-device");
		return err < 0 ? err : -EINVAL;
	}

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	err = vbmq_fe_vdev_parse(vdevice, &info->vd);
	if (err) {
		xenbus_dev_fatal(dev, err, "virtual-device %#x not usable",
				 vdevice);
		goto err_free_info;
	}
	info->xbdev = dev;
	info->vdevice = vdevice;
	mutex_init(&info->mutex);
	mutex_init(&info->aff_lock);
	INIT_LIST_HEAD(&info->held);
	err = vbmq_fe_rings_alloc(info);
	if (err)
		goto err_free_info;
	err = vbmq_fe_cpuhp_add(info);
	if (err)
		goto err_free_rings;
	info->dbg = debugfs_create_dir(info->vd.name, vbmq_fe_dbg_root);
	dev_set_drvdata(&dev->dev, info);
	/*
	 * A device another driver left Closed (xen-blkfront unbound through
	 * sysfs) is announced afresh, so that the backend offers the disk
	 * again (Closed -> InitWait) and this driver can connect to it.
	 */
	if (dev->state != XenbusStateInitialising)
		xenbus_switch_state(dev,
				    XenbusStateInitialising);
	return 0;

err_free_rings:
	vbmq_fe_rings_free(info);
err_free_info:
	kfree(info);
	return err;
}

static void vbmq_fe_remove(struct xenbus_device *dev)
{
	struct vbmq_fe_info *info = dev_get_drvdata(&dev->dev);

	/* No xenbus callback runs any more: the core dropped its watch. */
	vbmq_fe_unwatch_sectors(info);
	vbmq_fe_cpuhp_remove(info);
	mutex_lock(&info->mutex);
	vbmq_fe_destroy_locked(info, true, true);
	mutex_unlock(&info->mutex);
	debugfs_remove_recursive(info->dbg);
	vbmq_fe_rings_free(info);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(info);
}

/*
 * After xl restore or migration: the backend is a new one, the old rings
 * and event channels are gone.  Hold what was in flight, rebuild the rings
 * and let the Connected transition requeue the held requests.
 */
static int vbmq_fe_resume(struct xenbus_device *dev)
{
	struct vbmq_fe_info *info = dev_get_drvdata(&dev->dev);
	unsigned int noio;
	int err;

	vbmq_fe_unwatch_sectors(info);
	mutex_lock(&info->mutex);
	noio = memalloc_noio_save();
	if (info->gd) {
		blk_mq_quiesce_queue(info->gd->queue);
		WRITE_ONCE(info->state, VBMQ_FE_SUSPENDED);
	} else {
		WRITE_ONCE(info->state, VBMQ_FE_DISCONNECTED);
	}
	vbmq_fe_rings_kill(info);
	vbmq_fe_rings_release(info);
	if (!info->gd)
		vbmq_fe_fail_held_locked(info);
	err = vbmq_fe_talk_to_backend(info);
	memalloc_noio_restore(noio);
	mutex_unlock(&info->mutex);
	return err;
}

static int vbmq_fe_is_ready(struct xenbus_device *dev)
{
	struct vbmq_fe_info *info = dev_get_drvdata(&dev->dev);

	return info && READ_ONCE(info->state) == VBMQ_FE_CONNECTED;
}

static const struct xenbus_device_id vbmq_fe_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver vbmq_fe_driver = {
	.name = "vbmq-vbd",
	.ids = vbmq_fe_ids,
	.probe = vbmq_fe_probe,
	.remove = vbmq_fe_remove,
	.resume = vbmq_fe_resume,
	.otherend_changed = vbmq_fe_backend_changed,
	.is_ready = vbmq_fe_is_ready,
};

int vbmq_fe_xenbus_init(void)
{
	return xenbus_register_frontend(&vbmq_fe_driver);
}

void vbmq_fe_xenbus_exit(void)
{
	xenbus_unregister_driver(&vbmq_fe_driver);
}
