// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-testback: a test-only blkif backend for the test bed; not part of
 * the product.  dom0 loads it instead of a block backend (backend_use
 * testback) to prove what a frontend does with a backend that breaks the
 * protocol.
 *
 * It binds "vbd" devices and serves one single-page ring per disk in the
 * native ABI: a READ is answered with zeros (grant copy from a zeroed
 * page), a WRITE or FLUSH_DISKCACHE is answered OKAY and its data dropped.
 * Optional features, each offered when the parameter says so at connect:
 * persistent grants (feature-persistent; every page is still reached by
 * grant copy, which is all a frontend can tell) and indirect requests
 * (feature-max-indirect-segments, READ and WRITE, one descriptor page).
 * The first direct READ of a connection that starts at sector
 * fault_sector gets the fault the fault parameter named when the disk
 * connected:
 *
 *   none         answered like any other READ
 *   error        status BLKIF_RSP_ERROR
 *   eopnotsupp   status BLKIF_RSP_EOPNOTSUPP
 *   bad-status   status 77, which blkif does not define
 *   bad-id       an id no request of the ring can have (bit 40 set)
 *   free-id      the id of the next ring slot instead of the request's
 *   dup-id       answered twice in one batch
 *   bad-op       answered as a WRITE
 *   bad-prod     answered, then rsp_prod pushed 3 past the responses
 *   overflow     rsp_prod pushed 4 rings' worth ahead, no response
 *   silent       never answered (the ring goes on serving other requests)
 *   keep-mapped  answered with its first segment's grant still mapped here;
 *                unmapped only when the frontend closes
 *   check-zero   when the frontend shares pages of its own pool (persistent
 *                grants negotiated, or its trusted key 0: bounce buffers;
 *                with direct grants a READ's page is the guest's own, and
 *                the guest trusts the backend with it), from the connect
 *                on, every page a READ or an indirect
 *                request grants is copied whole into dom0 first, and every
 *                byte the backend has not been given must be zero (all of
 *                a READ's data page: this backend only ever writes zeros;
 *                an indirect page past the most descriptors its request id
 *                ever carried); until the first WRITE, after which data
 *                pages may hold written bytes.  That READ is answered
 *                ERROR if any page failed, else as usual
 *   storm        never answered; from then on the frontend is notified in
 *                a loop (off the ring's work, which goes on serving) until
 *                it disconnects, or for 120 s
 *
 * After any fault but none, error, eopnotsupp, bad-status, silent,
 * check-zero and storm the ring is halted: events are acknowledged and
 * nothing more is answered.
 * Every injected fault is logged and counted in
 * /sys/kernel/debug/vbmq-testback/injected; requests counts every request
 * taken off a ring; checked and stale the pages check-zero copied and
 * those with a byte that should have been zero (each logged); notifies
 * the storm's notifications.
 *
 * Locking: tb_dev.lock serialises connect and disconnect (xenwatch
 * thread).  The ring itself is touched only by tb_dev.work, which runs
 * after the event channel fired and before disconnect has cancelled it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>
#include <xen/interface/io/ring.h>

#include "vbmq/proto.h"

enum tb_fault {
	TB_NONE,
	TB_ERROR,
	TB_EOPNOTSUPP,
	TB_BAD_STATUS,
	TB_BAD_ID,
	TB_FREE_ID,
	TB_DUP_ID,
	TB_BAD_OP,
	TB_BAD_PROD,
	TB_OVERFLOW,
	TB_SILENT,
	TB_KEEP_MAPPED,
	TB_CHECK_ZERO,
	TB_STORM,
};

static const char * const tb_fault_names[] = {
	[TB_NONE] = "none",
	[TB_ERROR] = "error",
	[TB_EOPNOTSUPP] = "eopnotsupp",
	[TB_BAD_STATUS] = "bad-status",
	[TB_BAD_ID] = "bad-id",
	[TB_FREE_ID] = "free-id",
	[TB_DUP_ID] = "dup-id",
	[TB_BAD_OP] = "bad-op",
	[TB_BAD_PROD] = "bad-prod",
	[TB_OVERFLOW] = "overflow",
	[TB_SILENT] = "silent",
	[TB_KEEP_MAPPED] = "keep-mapped",
	[TB_CHECK_ZERO] = "check-zero",
	[TB_STORM] = "storm",
};

#define TB_BAD_STATUS_VALUE	77
#define TB_RING_SLOTS		__CONST_RING_SIZE(blkif, XEN_PAGE_SIZE)
/* Indirect segments offered at most: one descriptor page. */
#define TB_MAX_INDIRECT		VBMQ_SEGS_PER_INDIRECT_PAGE
#define TB_STORM_SECONDS	120

/* ---- module parameters ---- */

static int tb_fault = TB_NONE;

static int tb_fault_set(const char *val, const struct kernel_param *kp)
{
	int f = sysfs_match_string(tb_fault_names, val);

	if (f < 0) {
		pr_err("fault=%.*s is unknown (allowed: none, error, eopnotsupp, bad-status, bad-id, free-id, dup-id, bad-op, bad-prod, overflow, silent, keep-mapped, check-zero, storm)\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	WRITE_ONCE(*(int *)kp->arg, f);
	return 0;
}

static int tb_fault_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", tb_fault_names[READ_ONCE(*(int *)kp->arg)]);
}

static const struct kernel_param_ops tb_fault_ops = {
	.set = tb_fault_set,
	.get = tb_fault_get,
};

module_param_cb(fault, &tb_fault_ops, &tb_fault, 0644);
MODULE_PARM_DESC(fault,
		 "Fault for the first READ at fault_sector of each connection, sampled at connect: none, error, eopnotsupp, bad-status, bad-id, free-id, dup-id, bad-op, bad-prod, overflow, silent, keep-mapped, check-zero, storm (default none)");

static unsigned long long tb_fault_sector = 2048;
module_param_named(fault_sector, tb_fault_sector, ullong, 0644);
MODULE_PARM_DESC(fault_sector,
		 "First sector (512 bytes) of the READ that gets the fault, sampled at connect (default 2048: 1 MiB)");

static bool tb_persistent;
module_param_named(persistent, tb_persistent, bool, 0644);
MODULE_PARM_DESC(persistent,
		 "Offer persistent grants (feature-persistent), sampled at connect (default 0)");

static unsigned int tb_indirect_segs;

static int tb_indirect_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) ||
	    (v && (v <= BLKIF_MAX_SEGMENTS_PER_REQUEST || v > TB_MAX_INDIRECT))) {
		pr_err("indirect_segs=%.*s is out of range (allowed: 0, or %u..%u)\n",
		       (int)strcspn(val, "\n"), val,
		       BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, TB_MAX_INDIRECT);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops tb_indirect_ops = {
	.set = tb_indirect_set,
	.get = param_get_uint,
};

module_param_cb(indirect_segs, &tb_indirect_ops, &tb_indirect_segs, 0644);
MODULE_PARM_DESC(indirect_segs,
		 "Indirect segments offered (feature-max-indirect-segments), 0 (none) or 12..512, sampled at connect (default 0)");

static unsigned long long tb_sectors = 2097152;
module_param_named(sectors, tb_sectors, ullong, 0444);
MODULE_PARM_DESC(sectors,
		 "Disk size offered, in 512-byte sectors (default 2097152: 1 GiB)");

/* ---- state ---- */

struct tb_dev {
	struct xenbus_device *dev;
	struct mutex lock;		/* connect / disconnect */

	/* Set by tb_connect() under lock, cleared by tb_disconnect(). */
	bool connected;
	struct blkif_back_ring ring;
	void *sring;
	int irq;			/* also set by tb_irq() */
	struct work_struct work;
	enum tb_fault fault;
	u64 fault_sector;
	bool persistent;		/* feature-persistent offered */
	unsigned int indirect_segs;	/* offered; 0: no indirect requests */
	struct work_struct storm;	/* storm: notifies in a loop */
	bool storming;			/* set by work, cleared by disconnect */
	unsigned long storm_end;	/* jiffies */
	void *buf;			/* a page: grant copies into dom0 */

	/* Owned by work while connected. */
	bool fault_done;		/* the fault was applied */
	bool halted;			/* answers nothing more */
	struct page *kept_page;		/* keep-mapped: the grant still mapped */
	grant_handle_t kept_handle;
	bool check_zero;		/* check-zero, and the frontend uses a pool */
	bool wrote;			/* check-zero: a WRITE came, data unchecked */
	bool stale_seen;		/* check-zero: a page failed */
	/* check-zero: descriptor bytes request id's indirect page ever had */
	u16 ihw[TB_RING_SLOTS];
	/* the segments of the request in hand, copied out of the ring or page */
	struct blkif_request_segment segs[TB_MAX_INDIRECT];
};

static struct dentry *tb_debugfs;
static atomic_t tb_injected = ATOMIC_INIT(0);
static atomic_t tb_requests = ATOMIC_INIT(0);
static atomic_t tb_checked = ATOMIC_INIT(0);
static atomic_t tb_stale = ATOMIC_INIT(0);
static atomic_t tb_notifies = ATOMIC_INIT(0);
static struct page *tb_zero_page;

/* ---- data path (tb_dev.work) ---- */

static void tb_respond(struct tb_dev *tb, u64 id, u8 op, s16 status)
{
	struct blkif_response *rsp;

	rsp = RING_GET_RESPONSE(&tb->ring, tb->ring.rsp_prod_pvt);
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	tb->ring.rsp_prod_pvt++;
}

/* Sector bounds of @n segments (tb->segs) from @sector. */
static int tb_check_segs(const struct tb_dev *tb, u64 sector, unsigned int n)
{
	unsigned int i;
	u64 sects = 0;

	for (i = 0; i < n; i++) {
		const struct blkif_request_segment *s = &tb->segs[i];

		if (s->first_sect > s->last_sect ||
		    s->last_sect >= VBMQ_SECTS_PER_GRANT)
			return -EINVAL;
		sects += s->last_sect - s->first_sect + 1;
	}
	if (sector >= tb_sectors || sects > tb_sectors - sector)
		return -EINVAL;
	return 0;
}

/* Zeros into each of @n checked segments (tb->segs) of a READ. */
static s16 tb_read_zeros(struct tb_dev *tb, unsigned int n)
{
	struct gnttab_copy op[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	unsigned int i, b, k;

	for (b = 0; b < n; b += k) {
		k = min_t(unsigned int, n - b, ARRAY_SIZE(op));
		for (i = 0; i < k; i++) {
			const struct blkif_request_segment *s = &tb->segs[b + i];

			memset(&op[i], 0, sizeof(op[i]));
			op[i].source.u.gmfn = xen_page_to_gfn(tb_zero_page);
			op[i].source.domid = DOMID_SELF;
			op[i].dest.u.ref = s->gref;
			op[i].dest.domid = tb->dev->otherend_id;
			op[i].dest.offset = s->first_sect << VBMQ_SECTOR_SHIFT;
			op[i].len = (s->last_sect - s->first_sect + 1) <<
				    VBMQ_SECTOR_SHIFT;
			op[i].flags = GNTCOPY_dest_gref;
		}
		gnttab_batch_copy(op, k);
		for (i = 0; i < k; i++)
			if (op[i].status != GNTST_okay)
				return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

/* All of granted page @gref into tb->buf. */
static int tb_copy_in(struct tb_dev *tb, grant_ref_t gref)
{
	struct gnttab_copy op;

	memset(&op, 0, sizeof(op));
	op.source.u.ref = gref;
	op.source.domid = tb->dev->otherend_id;
	op.dest.u.gmfn = virt_to_gfn(tb->buf);
	op.dest.domid = DOMID_SELF;
	op.len = XEN_PAGE_SIZE;
	op.flags = GNTCOPY_source_gref;
	gnttab_batch_copy(&op, 1);
	return op.status == GNTST_okay ? 0 : -EIO;
}

/*
 * check-zero: bytes @from..XEN_PAGE_SIZE - 1 of the copy of @gref in
 * tb->buf were never given to this backend, so must be zero: whatever
 * else is there is memory of the guest it never meant to share.
 */
static void tb_check_zero(struct tb_dev *tb, const char *what,
			  grant_ref_t gref, unsigned int from)
{
	const u8 *b = tb->buf;
	unsigned int i, n = 0, first = 0;

	for (i = from; i < XEN_PAGE_SIZE; i++) {
		if (b[i] && !n++)
			first = i;
	}
	atomic_inc(&tb_checked);
	if (!n)
		return;
	atomic_inc(&tb_stale);
	tb->stale_seen = true;
	pr_warn_ratelimited("%s: check-zero: %s (grant %u): %u byte(s) in %u..%lu not zero, the first at %u (0x%02x): the frontend shares memory it never wrote for this backend\n",
			    tb->dev->nodename, what, gref, n, from,
			    XEN_PAGE_SIZE - 1, first, b[first]);
}

/* A READ or WRITE of @n segments (in tb->segs, counted) from @sector. */
static s16 tb_rw(struct tb_dev *tb, u8 op, u64 sector, unsigned int n)
{
	unsigned int i;

	if (tb_check_segs(tb, sector, n))
		return BLKIF_RSP_ERROR;
	if (op == BLKIF_OP_WRITE) {
		if (tb->check_zero && !tb->wrote)
			pr_info("%s: check-zero: a WRITE: data pages are not checked from here on\n",
				tb->dev->nodename);
		tb->wrote = true;
		return BLKIF_RSP_OKAY;
	}
	for (i = 0; tb->check_zero && !tb->wrote && i < n; i++) {
		if (tb_copy_in(tb, tb->segs[i].gref))
			return BLKIF_RSP_ERROR;
		tb_check_zero(tb, "READ data page", tb->segs[i].gref, 0);
	}
	return tb_read_zeros(tb, n);
}

/* BLKIF_OP_INDIRECT: its one descriptor page copied once, then as tb_rw(). */
static s16 tb_indirect(struct tb_dev *tb, const struct blkif_request *req)
{
	const struct blkif_request_indirect *ind = &req->u.indirect;
	unsigned int n = ind->nr_segments, used, from;
	grant_ref_t gref = ind->indirect_grefs[0];
	u8 op = ind->indirect_op;
	u64 id = ind->id;

	if (!tb->indirect_segs || !n || n > tb->indirect_segs ||
	    (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE))
		return BLKIF_RSP_ERROR;
	if (tb_copy_in(tb, gref))
		return BLKIF_RSP_ERROR;
	used = n * sizeof(tb->segs[0]);
	/*
	 * A slot's descriptor page keeps the descriptors of its earlier
	 * requests: only what lies past the most it ever held must be zero.
	 * Frontends use the slot as the id (vbmq-blkfront, xen-blkfront).
	 */
	if (tb->check_zero && id < TB_RING_SLOTS) {
		from = max_t(unsigned int, used, tb->ihw[id]);
		tb_check_zero(tb, "indirect descriptor page", gref, from);
		tb->ihw[id] = from;
	}
	memcpy(tb->segs, tb->buf, used);
	return tb_rw(tb, op, ind->sector_number, n);
}

/* storm: notify the frontend in a loop, 10 ms a pass, requeued. */
static void tb_storm(struct work_struct *work)
{
	struct tb_dev *tb = container_of(work, struct tb_dev, storm);
	unsigned long end = jiffies + msecs_to_jiffies(10);

	while (READ_ONCE(tb->storming) && time_before(jiffies, end)) {
		notify_remote_via_irq(tb->irq);
		atomic_inc(&tb_notifies);
		cond_resched();
	}
	if (READ_ONCE(tb->storming) && time_before(jiffies, tb->storm_end))
		queue_work(system_unbound_wq, &tb->storm);
}

/* keep-mapped: map @gref here and keep it until the frontend closes. */
static int tb_keep_mapped(struct tb_dev *tb, grant_ref_t gref)
{
	struct gnttab_map_grant_ref op;
	struct page *page;

	if (gnttab_alloc_pages(1, &page))
		return -ENOMEM;
	gnttab_set_map_op(&op, (unsigned long)page_address(page),
			  GNTMAP_host_map | GNTMAP_readonly, gref,
			  tb->dev->otherend_id);
	if (gnttab_map_refs(&op, NULL, &page, 1) || op.status != GNTST_okay) {
		gnttab_free_pages(1, &page);
		return -EIO;
	}
	tb->kept_page = page;
	tb->kept_handle = op.handle;
	return 0;
}

static void tb_unkeep(struct tb_dev *tb)
{
	struct gnttab_unmap_grant_ref op;

	if (!tb->kept_page)
		return;
	gnttab_set_unmap_op(&op, (unsigned long)page_address(tb->kept_page),
			    GNTMAP_host_map | GNTMAP_readonly, tb->kept_handle);
	if (gnttab_unmap_refs(&op, NULL, &tb->kept_page, 1) ||
	    op.status != GNTST_okay)
		pr_err("%s: unmapping the kept grant failed (%d); its page is leaked\n",
		       tb->dev->nodename, op.status);
	else
		gnttab_free_pages(1, &tb->kept_page);
	tb->kept_page = NULL;
}

/* Answer READ @req (checked, data copied, @status its answer) as the fault says. */
static void tb_inject(struct tb_dev *tb, const struct blkif_request *req,
		      s16 status)
{
	u64 id = req->u.rw.id;
	u8 op = req->operation;

	tb->fault_done = true;
	atomic_inc(&tb_injected);
	pr_info("%s: injecting %s on READ id %llu sector %llu\n",
		tb->dev->nodename, tb_fault_names[tb->fault], id,
		req->u.rw.sector_number);
	switch (tb->fault) {
	case TB_NONE:
		tb_respond(tb, id, op, status);
		return;
	case TB_ERROR:
		tb_respond(tb, id, op, BLKIF_RSP_ERROR);
		return;
	case TB_EOPNOTSUPP:
		tb_respond(tb, id, op, BLKIF_RSP_EOPNOTSUPP);
		return;
	case TB_BAD_STATUS:
		tb_respond(tb, id, op, TB_BAD_STATUS_VALUE);
		return;
	case TB_SILENT:
		return;
	case TB_CHECK_ZERO:
		tb_respond(tb, id, op, tb->stale_seen ? BLKIF_RSP_ERROR : status);
		return;
	case TB_STORM:
		tb->storm_end = jiffies + TB_STORM_SECONDS * HZ;
		WRITE_ONCE(tb->storming, true);
		queue_work(system_unbound_wq, &tb->storm);
		return;
	case TB_BAD_ID:
		tb_respond(tb, id | BIT_ULL(40), op, status);
		break;
	case TB_FREE_ID:
		tb_respond(tb, (id + 1) % RING_SIZE(&tb->ring), op, status);
		break;
	case TB_DUP_ID:
		tb_respond(tb, id, op, status);
		tb_respond(tb, id, op, status);
		break;
	case TB_BAD_OP:
		tb_respond(tb, id, BLKIF_OP_WRITE, status);
		break;
	case TB_BAD_PROD:
		tb_respond(tb, id, op, status);
		tb->ring.rsp_prod_pvt += 3;
		break;
	case TB_OVERFLOW:
		tb->ring.rsp_prod_pvt += 4 * RING_SIZE(&tb->ring);
		break;
	case TB_KEEP_MAPPED:
		if (tb_keep_mapped(tb, req->u.rw.seg[0].gref))
			pr_err("%s: cannot map grant %u to keep it\n",
			       tb->dev->nodename, req->u.rw.seg[0].gref);
		tb_respond(tb, id, op, status);
		break;
	}
	tb->halted = true;
}

static void tb_handle(struct tb_dev *tb, const struct blkif_request *req)
{
	u8 op = req->operation;
	s16 status = BLKIF_RSP_OKAY;
	unsigned int n;

	switch (op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		n = req->u.rw.nr_segments;
		if (!n || n > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			status = BLKIF_RSP_ERROR;
			break;
		}
		memcpy(tb->segs, req->u.rw.seg, n * sizeof(tb->segs[0]));
		status = tb_rw(tb, op, req->u.rw.sector_number, n);
		if (op == BLKIF_OP_READ && !tb->fault_done &&
		    req->u.rw.sector_number == tb->fault_sector) {
			tb_inject(tb, req, status);
			return;
		}
		break;
	case BLKIF_OP_INDIRECT:
		status = tb_indirect(tb, req);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		break;
	default:
		status = BLKIF_RSP_EOPNOTSUPP;
		break;
	}
	/* Every request variant has its id at the same offset. */
	tb_respond(tb, req->u.other.id, op, status);
}

static void tb_work(struct work_struct *work)
{
	struct tb_dev *tb = container_of(work, struct tb_dev, work);
	unsigned int eoi_flags = XEN_EOI_FLAG_SPURIOUS;
	int more, notify;
	RING_IDX rc, rp;

	if (tb->halted)
		goto out_eoi;
again:
	rc = tb->ring.req_cons;
	rp = READ_ONCE(tb->ring.sring->req_prod);
	/* Read requests only after req_prod: pairs with the frontend's
	 * virt_wmb() before it publishes req_prod.
	 */
	virt_rmb();
	if (RING_REQUEST_PROD_OVERFLOW(&tb->ring, rp)) {
		pr_warn_ratelimited("%s: req_prod %u overflows the ring: halted\n",
				    tb->dev->nodename, rp);
		tb->halted = true;
		goto out_eoi;
	}
	while (rc != rp && !tb->halted &&
	       !RING_REQUEST_CONS_OVERFLOW(&tb->ring, rc)) {
		struct blkif_request req;

		RING_COPY_REQUEST(&tb->ring, rc, &req);
		tb->ring.req_cons = ++rc;
		atomic_inc(&tb_requests);
		tb_handle(tb, &req);
		eoi_flags = 0;
	}
	/* Its virt_wmb() publishes the responses before rsp_prod: pairs with
	 * the frontend's virt_rmb() after reading rsp_prod.
	 */
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&tb->ring, notify);
	if (notify)
		notify_remote_via_irq(tb->irq);
	if (tb->halted)
		goto out_eoi;
	/* Its virt_mb() pairs with the one in the frontend's push. */
	RING_FINAL_CHECK_FOR_REQUESTS(&tb->ring, more);
	if (more)
		goto again;
out_eoi:
	xen_irq_lateeoi(READ_ONCE(tb->irq), eoi_flags);
}

static irqreturn_t tb_irq(int irq, void *dev_id)
{
	struct tb_dev *tb = dev_id;

	/*
	 * Xen marks a channel pending when it is bound, so this can run
	 * before bind_interdomain_evtchn_to_irqhandler_lateeoi() has
	 * returned the irq to tb_connect_locked(): the work must EOI this
	 * one, or the channel stays masked for good.
	 */
	WRITE_ONCE(tb->irq, irq);
	schedule_work(&tb->work);
	return IRQ_HANDLED;
}

/* ---- control path (xenwatch thread) ---- */

static void tb_disconnect_locked(struct tb_dev *tb)
{
	lockdep_assert_held(&tb->lock);
	if (!tb->connected)
		return;
	/* No new event, then no work left: the ring is ours alone. */
	disable_irq(tb->irq);
	cancel_work_sync(&tb->work);
	/* The work is gone, so nobody starts the storm again. */
	WRITE_ONCE(tb->storming, false);
	cancel_work_sync(&tb->storm);
	unbind_from_irqhandler(tb->irq, tb);
	tb_unkeep(tb);
	xenbus_unmap_ring_vfree(tb->dev, tb->sring);
	tb->connected = false;
}

static int tb_write_disk_keys(struct tb_dev *tb)
{
	struct xenbus_device *dev = tb->dev;
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, dev->nodename, "sectors", "%llu", tb_sectors);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "info", "%u", 0);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "sector-size", "%u",
				    1U << VBMQ_SECTOR_SHIFT);
	/* Both always written: a reconnect may have changed them. */
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "feature-persistent",
				    "%u", tb->persistent);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename,
				    "feature-max-indirect-segments", "%u",
				    tb->indirect_segs);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

static void tb_connect_locked(struct tb_dev *tb)
{
	struct xenbus_device *dev = tb->dev;
	unsigned int order, evtchn;
	grant_ref_t ref;
	char *proto;
	int err;

	lockdep_assert_held(&tb->lock);
	if (tb->connected)
		return;
	order = xenbus_read_unsigned(dev->otherend, "ring-page-order", 0);
	if (order) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "ring-page-order %u: only single-page rings are offered",
				 order);
		return;
	}
	/* No protocol key: the native ABI. */
	proto = xenbus_read(XBT_NIL, dev->otherend, "protocol", NULL);
	if (!IS_ERR(proto)) {
		bool native = !strcmp(proto, XEN_IO_PROTO_ABI_NATIVE);

		if (!native)
			xenbus_dev_fatal(dev, -EINVAL,
					 "protocol %s: only %s is served",
					 proto, XEN_IO_PROTO_ABI_NATIVE);
		kfree(proto);
		if (!native)
			return;
	}
	err = xenbus_gather(XBT_NIL, dev->otherend, "ring-ref", "%u", &ref,
			    "event-channel", "%u", &evtchn, NULL);
	if (err) {
		xenbus_dev_fatal(dev, err, "reading ring-ref and event-channel");
		return;
	}

	err = xenbus_map_ring_valloc(dev, &ref, 1, &tb->sring);
	if (err)
		return;		/* xenbus_dev_fatal() done */
	BACK_RING_INIT(&tb->ring, (struct blkif_sring *)tb->sring,
		       XEN_PAGE_SIZE);
	tb->fault = READ_ONCE(tb_fault);
	tb->fault_sector = READ_ONCE(tb_fault_sector);
	tb->persistent = READ_ONCE(tb_persistent);
	tb->indirect_segs = READ_ONCE(tb_indirect_segs);
	tb->fault_done = false;
	tb->halted = false;
	/*
	 * Which grants the frontend uses, as it decides them: persistent
	 * when both ends offer it, else bounce when its trusted key is 0.
	 */
	tb->check_zero = tb->fault == TB_CHECK_ZERO &&
		((tb->persistent &&
		  xenbus_read_unsigned(dev->otherend, "feature-persistent", 0)) ||
		 !xenbus_read_unsigned(dev->otherend, "trusted", 1));
	tb->wrote = false;
	tb->stale_seen = false;
	memset(tb->ihw, 0, sizeof(tb->ihw));
	INIT_WORK(&tb->work, tb_work);
	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, evtchn, tb_irq,
							    0, "vbmq-testback",
							    tb);
	if (err < 0) {
		xenbus_dev_fatal(dev, err, "binding event channel %u", evtchn);
		goto err_unmap_ring;
	}
	tb->irq = err;
	tb->connected = true;

	err = tb_write_disk_keys(tb);
	if (err) {
		xenbus_dev_fatal(dev, err, "writing the disk's keys");
		goto err_disconnect;
	}
	err = xenbus_switch_state(dev, XenbusStateConnected);
	if (err)
		goto err_disconnect;
	dev_info(&dev->dev,
		 "connected, fault %s%s at sector %llu, persistent grants %s, %u indirect segments\n",
		 tb_fault_names[tb->fault],
		 tb->fault != TB_CHECK_ZERO ? "" :
		 tb->check_zero ? " (armed: the frontend shares pool pages)" :
		 " (not armed: direct grants)",
		 tb->fault_sector,
		 tb->persistent ? "offered" : "not offered", tb->indirect_segs);
	return;

err_disconnect:
	tb_disconnect_locked(tb);
	return;
err_unmap_ring:
	xenbus_unmap_ring_vfree(dev, tb->sring);
}

static void tb_frontend_changed(struct xenbus_device *dev,
				enum xenbus_state fstate)
{
	struct tb_dev *tb = dev_get_drvdata(&dev->dev);

	switch (fstate) {
	case XenbusStateInitialising:
		if (dev->state == XenbusStateClosed)
			xenbus_switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateConnected)
			break;
		mutex_lock(&tb->lock);
		tb_connect_locked(tb);
		mutex_unlock(&tb->lock);
		break;
	case XenbusStateClosing:
		mutex_lock(&tb->lock);
		tb_disconnect_locked(tb);
		mutex_unlock(&tb->lock);
		xenbus_switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		mutex_lock(&tb->lock);
		tb_disconnect_locked(tb);
		mutex_unlock(&tb->lock);
		xenbus_switch_state(dev, XenbusStateClosed);
		if (xenbus_dev_is_online(dev))
			break;
		fallthrough;
	case XenbusStateUnknown:
		device_unregister(&dev->dev);
		break;
	default:
		break;
	}
}

static int tb_probe(struct xenbus_device *dev,
		    const struct xenbus_device_id *id)
{
	struct tb_dev *tb;
	int err;

	tb = kzalloc(sizeof(*tb), GFP_KERNEL);
	if (!tb)
		return -ENOMEM;
	tb->dev = dev;
	mutex_init(&tb->lock);
	INIT_WORK(&tb->storm, tb_storm);
	tb->buf = (void *)__get_free_page(GFP_KERNEL);
	if (!tb->buf) {
		kfree(tb);
		return -ENOMEM;
	}
	dev_set_drvdata(&dev->dev, tb);
	err = xenbus_switch_state(dev, XenbusStateInitWait);
	if (err)
		goto err_free;
	return 0;

err_free:
	dev_set_drvdata(&dev->dev, NULL);
	free_page((unsigned long)tb->buf);
	kfree(tb);
	return err;
}

static void tb_remove(struct xenbus_device *dev)
{
	struct tb_dev *tb = dev_get_drvdata(&dev->dev);

	mutex_lock(&tb->lock);
	tb_disconnect_locked(tb);
	mutex_unlock(&tb->lock);
	dev_set_drvdata(&dev->dev, NULL);
	free_page((unsigned long)tb->buf);
	kfree(tb);
}

static const struct xenbus_device_id tb_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver tb_driver = {
	.ids = tb_ids,
	.probe = tb_probe,
	.remove = tb_remove,
	.otherend_changed = tb_frontend_changed,
};

static int __init tb_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	tb_zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!tb_zero_page)
		return -ENOMEM;
	tb_debugfs = debugfs_create_dir("vbmq-testback", NULL);
	debugfs_create_atomic_t("injected", 0444, tb_debugfs, &tb_injected);
	debugfs_create_atomic_t("requests", 0444, tb_debugfs, &tb_requests);
	debugfs_create_atomic_t("checked", 0444, tb_debugfs, &tb_checked);
	debugfs_create_atomic_t("stale", 0444, tb_debugfs, &tb_stale);
	debugfs_create_atomic_t("notifies", 0444, tb_debugfs, &tb_notifies);
	err = xenbus_register_backend(&tb_driver);
	if (err) {
		pr_err("cannot register the \"vbd\" backend (is another one loaded?): %d\n",
		       err);
		goto err_remove_debugfs;
	}
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(tb_debugfs);
	__free_page(tb_zero_page);
	return err;
}
module_init(tb_init);

static void __exit tb_exit(void)
{
	xenbus_unregister_driver(&tb_driver);
	debugfs_remove_recursive(tb_debugfs);
	__free_page(tb_zero_page);
}
module_exit(tb_exit);

MODULE_DESCRIPTION("vbmq test bed: a blkif backend that breaks the protocol on request");
MODULE_LICENSE("GPL");
