// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkback control plane: the xenbus "vbd" backend driver.
 *
 * Life of a disk (all callbacks run in the xenwatch thread, serialised
 * further by be->lock):
 *
 *   probe            offer the features, watch physical-device and vbmq/,
 *                    switch to InitWait;
 *   physical-device  the hotplug script wrote "major:minor": open the disk;
 *   frontend Initialised/Connected
 *                    read and check the frontend's ring keys, map the rings,
 *                    start one thread per ring, publish the disk's size and
 *                    features, switch to Connected;
 *   frontend Closing/Closed
 *                    stop the rings (every request in flight answered) and
 *                    follow; a frontend that comes back (Initialising) gets
 *                    InitWait again;
 *   vbmq/ changes    parsed by lib/keys.c; cpus, poll and poll-max-us are
 *                    applied to running rings at once, a bad value is
 *                    refused in dmesg and in vbmq/error and the old one
 *                    stays, a removed key goes back to its default;
 *   remove           stop everything, close the disk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>

#include "common.h"
#include "vbmq/poll.h"

/* ---- module parameters ---- */

unsigned int vbmq_be_max_queues;
module_param_named(max_queues, vbmq_be_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues,
		 "Most rings a disk offers (1..32; default 0 = number of online CPUs, at most 32)");

unsigned int vbmq_be_max_ring_page_order = XENBUS_MAX_RING_GRANT_ORDER;
module_param_named(max_ring_page_order, vbmq_be_max_ring_page_order, uint,
		   0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest ring as log2 of 4 KiB pages (0..4; default 4 = 16 pages)");

static char *vbmq_be_poll_param = "adaptive";
module_param_named(poll, vbmq_be_poll_param, charp, 0444);
MODULE_PARM_DESC(poll,
		 "Default ring poll mode when vbmq/poll is absent: off, adaptive or always (default adaptive)");

unsigned int vbmq_be_poll_max_us_default = 32;
module_param_named(poll_max_us, vbmq_be_poll_max_us_default, uint, 0444);
MODULE_PARM_DESC(poll_max_us,
		 "Default adaptive poll window cap in microseconds when vbmq/poll-max-us is absent (0..10000; default 32)");

unsigned int vbmq_be_poll_yield_us = VBMQ_POLL_YIELD_US_DEFAULT;
module_param_named(poll_yield_us, vbmq_be_poll_yield_us, uint, 0444);
MODULE_PARM_DESC(poll_yield_us,
		 "Microseconds a ring thread polls an idle ring before each further empty poll yields its vCPU to Xen, for other vCPUs of the physical CPU (0..1000000, 0 = never; default 50)");

unsigned int vbmq_be_max_indirect_segments = 256;
module_param_named(max_indirect_segments, vbmq_be_max_indirect_segments,
		   uint, 0444);
MODULE_PARM_DESC(max_indirect_segments,
		 "Segments (4 KiB pages) per indirect request offered (0 = no indirect requests, up to 1024; default 256)");

bool vbmq_be_feature_persistent = true;
module_param_named(feature_persistent, vbmq_be_feature_persistent, bool, 0444);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants (feature-persistent): 0 or 1 (default 1)");

unsigned int vbmq_be_max_persistent_grants = VBMQ_BE_PG_DEFAULT;
module_param_named(max_persistent_grants, vbmq_be_max_persistent_grants,
		   uint, 0444);
MODULE_PARM_DESC(max_persistent_grants,
		 "Most guest grants (4 KiB pages) a ring keeps mapped persistently (0..16384, 0 = none; default 1056)");

/*
 * Writable: a ring takes the value when it connects.  The setter checks
 * the absolute range; the load-time check (vbmq_be_check_params) and the
 * ring's connect keep it at least max_indirect_segments.
 */
unsigned int vbmq_be_max_bounce_pages = VBMQ_BE_BOUNCE_DEFAULT;

static int vbmq_be_set_bounce(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < BLKIF_MAX_SEGMENTS_PER_REQUEST || v > VBMQ_BE_BOUNCE_CAP)
		return -ERANGE;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops vbmq_be_bounce_ops = {
	.set = vbmq_be_set_bounce,
	.get = param_get_uint,
};

module_param_cb(max_bounce_pages, &vbmq_be_bounce_ops,
		&vbmq_be_max_bounce_pages, 0644);
MODULE_PARM_DESC(max_bounce_pages,
		 "Most bounce pages (grant-copy buffers, 4 KiB of dom0 memory each) the requests of one ring hold; more waits (max(11, max_indirect_segments)..65536; default 4096; rings connected later take a new value)");

enum vbmq_poll_mode vbmq_be_poll_default = VBMQ_POLL_ADAPTIVE;

struct dentry *vbmq_be_dbg_root;

/* ---- sysfs: the upstream-compatible statistics/ (xentop reads it) ---- */

/* Sum of one counter over the rings. */
static u64 vbmq_be_stat_sum(struct device *d, size_t off)
{
	struct vbmq_be_dev *be = dev_get_drvdata(d);
	unsigned int i;
	u64 sum = 0;

	spin_lock(&be->rings_lock);
	for (i = 0; i < be->nr_rings; i++)
		sum += READ_ONCE(*(u64 *)((char *)&be->rings[i]->st + off));
	spin_unlock(&be->rings_lock);
	return sum;
}

#define VBMQ_BE_STAT_ATTR(name, expr)					\
static ssize_t name##_show(struct device *d,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n", (expr));			\
}									\
static DEVICE_ATTR_RO(name)

#define VBMQ_BE_SUM(field) \
	vbmq_be_stat_sum(d, offsetof(struct vbmq_be_stats, field))

VBMQ_BE_STAT_ATTR(oo_req, VBMQ_BE_SUM(oo_req));
VBMQ_BE_STAT_ATTR(rd_req, VBMQ_BE_SUM(rd_req));
VBMQ_BE_STAT_ATTR(wr_req, VBMQ_BE_SUM(wr_req));
VBMQ_BE_STAT_ATTR(f_req, VBMQ_BE_SUM(f_req) + VBMQ_BE_SUM(b_req));
VBMQ_BE_STAT_ATTR(ds_req, VBMQ_BE_SUM(ds_req));
VBMQ_BE_STAT_ATTR(rd_sect, VBMQ_BE_SUM(rd_sect));
VBMQ_BE_STAT_ATTR(wr_sect, VBMQ_BE_SUM(wr_sect));

static struct attribute *vbmq_be_stat_attrs[] = {
	&dev_attr_oo_req.attr,
	&dev_attr_rd_req.attr,
	&dev_attr_wr_req.attr,
	&dev_attr_f_req.attr,
	&dev_attr_ds_req.attr,
	&dev_attr_rd_sect.attr,
	&dev_attr_wr_sect.attr,
	NULL
};

static const struct attribute_group vbmq_be_stat_group = {
	.name = "statistics",
	.attrs = vbmq_be_stat_attrs,
};

/* ---- xenbus states ---- */

/* Connected: the rings run and the frontend knows the disk. */
static bool vbmq_be_connected(const struct xenbus_device *dev)
{
	return dev->state == XenbusStateConnected;
}

/* Not connected, and not on the way down after an error or a close. */
static bool vbmq_be_may_connect(const struct xenbus_device *dev)
{
	return dev->state != XenbusStateConnected &&
		dev->state != XenbusStateClosing;
}

/* Has the frontend published its rings? */
static bool vbmq_be_frontend_ready(enum xenbus_state fstate)
{
	return fstate == XenbusStateInitialised ||
		fstate == XenbusStateConnected;
}

/* ---- what the backend offers before the frontend connects ---- */

/* A bound of 0 maps nothing: then persistent grants are not offered. */
static bool vbmq_be_persistent_offered(void)
{
	return vbmq_be_feature_persistent && vbmq_be_max_persistent_grants;
}

static void vbmq_be_offer_locked(struct vbmq_be_dev *be)
{
	struct xenbus_device *dev = be->dev;
	int err;

	lockdep_assert_held(&be->lock);
	be->max_queues_offered = be->keys.queues;
	err = xenbus_printf(XBT_NIL, dev->nodename, "multi-queue-max-queues",
			    "%u", be->max_queues_offered);
	if (!err)
		err = xenbus_printf(XBT_NIL, dev->nodename,
				    "max-ring-page-order", "%u",
				    vbmq_be_max_ring_page_order);
	if (!err && vbmq_be_max_indirect_segments)
		err = xenbus_printf(XBT_NIL, dev->nodename,
				    "feature-max-indirect-segments", "%u",
				    vbmq_be_max_indirect_segments);
	if (!err)
		err = xenbus_printf(XBT_NIL, dev->nodename,
				    "feature-persistent", "%u",
				    vbmq_be_persistent_offered());
	if (err)
		xenbus_dev_error(dev, err, "writing the backend's features");
}

/* ---- vbmq/ keys ---- */

static void vbmq_be_key_default(struct vbmq_keys *k, enum vbmq_key key)
{
	switch (key) {
	case VBMQ_KEY_QUEUES:
		k->queues = vbmq_be_max_queues;
		break;
	case VBMQ_KEY_CPUS:
		k->cpus.nr = 0;
		break;
	case VBMQ_KEY_POLL:
		k->poll = vbmq_be_poll_default;
		break;
	case VBMQ_KEY_POLL_MAX_US:
		k->poll_max_us = vbmq_be_poll_max_us_default;
		break;
	case VBMQ_KEY_GUEST_POLL_QUEUES:
		k->guest_poll_queues = 0;
		break;
	case VBMQ_KEY_GUEST_IRQ_AFFINITY:
		k->guest_irq_affinity = VBMQ_IRQ_SPREAD;
		break;
	default:
		break;
	}
}

/* Every listed CPU must be online; on failure restore the old list. */
static int vbmq_be_check_cpus_online(struct vbmq_be_dev *be,
				     struct vbmq_keys *k, char *err,
				     size_t errlen)
{
	unsigned int i;

	for (i = 0; i < k->cpus.nr; i++) {
		if (cpu_online(k->cpus.cpu[i]))
			continue;
		snprintf(err, errlen,
			 "%s/%s: CPU %u is offline (allowed: %s)",
			 VBMQ_KEYS_DIR, vbmq_key_name(VBMQ_KEY_CPUS),
			 k->cpus.cpu[i], vbmq_key_allowed(VBMQ_KEY_CPUS));
		k->cpus = be->keys.cpus;
		return -EINVAL;
	}
	return 0;
}

/*
 * Read vbmq/ key @key into @k.  0: taken, or absent (default) or unreadable
 * (kept); -EINVAL: refused, the old value kept and the reason in @err.
 */
static int vbmq_be_key_read(struct vbmq_be_dev *be, int key,
			    struct vbmq_keys *k, char *err, size_t errlen)
{
	struct vbmq_keys_limits lim = {
		.max_queues = vbmq_be_max_queues,
		.nr_cpu_ids = nr_cpu_ids,
	};
	struct xenbus_device *dev = be->dev;
	char path[32];
	char *val;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", VBMQ_KEYS_DIR,
		 vbmq_key_name(key));
	val = xenbus_read(XBT_NIL, dev->nodename, path, NULL);
	if (IS_ERR(val)) {
		/*
		 * Absent (never written, or removed by xl-vbmq unset): the
		 * default, and any refusal of an earlier value is over.
		 * Another read error keeps the value in force.
		 */
		if (PTR_ERR(val) == -ENOENT) {
			vbmq_be_key_default(k, key);
			be->key_err[key][0] = '\0';
		} else {
			dev_warn_ratelimited(&dev->dev,
					     "cannot read %s: %ld; setting kept\n",
					     path, PTR_ERR(val));
		}
		return 0;
	}
	ret = vbmq_keys_parse(key, val, &lim, k, err, errlen);
	if (!ret && key == VBMQ_KEY_CPUS)
		ret = vbmq_be_check_cpus_online(be, k, err, errlen);
	kfree(val);
	if (!ret)
		be->key_err[key][0] = '\0';
	return ret;
}

/* Write vbmq/error: the first refusal of the reload, or none. */
static void vbmq_be_key_error_locked(struct vbmq_be_dev *be, const char *first)
{
	const char *node = be->dev->nodename;
	char path[32];

	lockdep_assert_held(&be->lock);
	if (!strcmp(first, be->error_node))
		return;
	snprintf(path, sizeof(path), "%s/%s", VBMQ_KEYS_DIR,
		 VBMQ_KEYS_ERROR_NODE);
	if (first[0])
		xenbus_write(XBT_NIL, node, path, first);
	else
		xenbus_rm(XBT_NIL, node, path);
	strscpy(be->error_node, first, sizeof(be->error_node));
}

/*
 * Read every vbmq/ key, keep the good values, refuse the bad ones (old
 * value kept), apply the result to the running rings.
 */
static void vbmq_be_keys_reload_locked(struct vbmq_be_dev *be)
{
	struct xenbus_device *dev = be->dev;
	struct vbmq_keys *k = &be->keys_new;
	char err[VBMQ_KEYS_ERR_LEN], first[VBMQ_KEYS_ERR_LEN] = "";
	unsigned int i;
	int key;

	lockdep_assert_held(&be->lock);
	*k = be->keys;
	for (key = 0; key < VBMQ_KEY_COUNT; key++) {
		if (!vbmq_be_key_read(be, key, k, err, sizeof(err)))
			continue;
		/* Say it once, not at every later change of another key. */
		if (strcmp(be->key_err[key], err))
			dev_warn(&dev->dev, "%s; previous setting kept\n", err);
		strscpy(be->key_err[key], err, sizeof(be->key_err[key]));
		if (!first[0])
			strscpy(first, err, sizeof(first));
	}
	/* A lower queue count may leave guest-poll-queues out of range. */
	if (k->guest_poll_queues >= k->queues)
		k->guest_poll_queues = k->queues - 1;

	be->keys = *k;
	/* be->lock keeps the rings alive; binding a thread may sleep. */
	for (i = 0; i < be->nr_rings; i++)
		vbmq_be_ring_apply_settings(be->rings[i], &be->keys);

	vbmq_be_key_error_locked(be, first);
	if (be->keys.queues != be->max_queues_offered &&
	    !vbmq_be_connected(dev))
		vbmq_be_offer_locked(be);
}

/* Our own writes to vbmq/error must not trigger a reload. */
static bool vbmq_be_keys_will_handle(struct xenbus_watch *watch,
				     const char *path, const char *token)
{
	static const char tail[] = "/" VBMQ_KEYS_DIR "/" VBMQ_KEYS_ERROR_NODE;
	size_t n = strlen(path);

	return n < sizeof(tail) - 1 ||
		strcmp(path + n - (sizeof(tail) - 1), tail);
}

static void vbmq_be_keys_changed(struct xenbus_watch *watch,
				 const char *path, const char *token)
{
	struct vbmq_be_dev *be = container_of(watch, struct vbmq_be_dev,
					      keys_watch);

	mutex_lock(&be->lock);
	vbmq_be_keys_reload_locked(be);
	mutex_unlock(&be->lock);
}

/* ---- connection ---- */

static void vbmq_be_disconnect_locked(struct vbmq_be_dev *be)
{
	struct vbmq_be_ring **rings;
	unsigned int i, n;

	lockdep_assert_held(&be->lock);
	spin_lock(&be->rings_lock);
	rings = be->rings;
	n = be->nr_rings;
	be->rings = NULL;
	WRITE_ONCE(be->nr_rings, 0);
	spin_unlock(&be->rings_lock);
	if (!rings)
		return;
	for (i = 0; i < n; i++)
		vbmq_be_ring_disconnect(rings[i]);
	kfree(rings);
	dev_info(&be->dev->dev, "%u ring(s) disconnected\n", n);
}

/* The frontend's ring keys, read and checked before anything is mapped. */
struct vbmq_be_fe_rings {
	bool persistent;		/* feature-persistent is 1 */
	unsigned int nr_queues;
	unsigned int nr_pages;		/* per ring */
	enum vbmq_be_abi abi;
	grant_ref_t *gref;		/* nr_queues * nr_pages */
	evtchn_port_t *evtchn;		/* nr_queues */
};

static int vbmq_be_read_ring_refs(struct vbmq_be_dev *be, const char *dir,
				  struct vbmq_be_fe_rings *fe, unsigned int q)
{
	struct xenbus_device *dev = be->dev;
	grant_ref_t *gref = fe->gref + q * fe->nr_pages;
	char key[16];
	unsigned int p;
	int err;

	err = xenbus_scanf(XBT_NIL, dir, "event-channel", "%u", &fe->evtchn[q]);
	if (err != 1) {
		xenbus_dev_fatal(dev, -EINVAL, "%s/event-channel is missing or not a number",
				 dir);
		return -EINVAL;
	}
	/* One page: "ring-ref" (what Linux writes) or "ring-ref0". */
	if (fe->nr_pages == 1 &&
	    xenbus_scanf(XBT_NIL, dir, "ring-ref", "%u", &gref[0]) == 1)
		return 0;
	for (p = 0; p < fe->nr_pages; p++) {
		snprintf(key, sizeof(key), "ring-ref%u", p);
		err = xenbus_scanf(XBT_NIL, dir, key, "%u", &gref[p]);
		if (err != 1) {
			xenbus_dev_fatal(dev, -EINVAL, "%s/%s is missing or not a number",
					 dir, fe->nr_pages == 1 ? "ring-ref" : key);
			return -EINVAL;
		}
	}
	return 0;
}

static int vbmq_be_read_frontend(struct vbmq_be_dev *be,
				 struct vbmq_be_fe_rings *fe)
{
	struct xenbus_device *dev = be->dev;
	unsigned int order, q;
	char *proto, *dir;
	int err;

	err = xenbus_scanf(XBT_NIL, dev->otherend, "multi-queue-num-queues",
			   "%u", &fe->nr_queues);
	if (err == -ENOENT)
		fe->nr_queues = 1;
	else if (err != 1)
		fe->nr_queues = 0;
	if (!fe->nr_queues || fe->nr_queues > be->max_queues_offered) {
		xenbus_dev_fatal(dev, -EINVAL,
				 "multi-queue-num-queues is not a number in 1..%u",
				 be->max_queues_offered);
		return -EINVAL;
	}

	proto = xenbus_read(XBT_NIL, dev->otherend, "protocol", NULL);
	err = vbmq_be_parse_protocol(IS_ERR(proto) ? NULL : proto, &fe->abi);
	if (err)
		xenbus_dev_fatal(dev, err, "protocol \"%.32s\" is unknown (allowed: %s, %s)",
				 proto, VBMQ_BE_PROTO_X86_32,
				 VBMQ_BE_PROTO_X86_64);
	if (!IS_ERR(proto))
		kfree(proto);
	if (err)
		return err;

	err = xenbus_scanf(XBT_NIL, dev->otherend, "ring-page-order", "%u",
			   &order);
	if (err == -ENOENT)
		order = 0;
	else if (err != 1)
		order = UINT_MAX;
	if (order > vbmq_be_max_ring_page_order) {
		xenbus_dev_fatal(dev, -EINVAL, "ring-page-order is not a number in 0..%u",
				 vbmq_be_max_ring_page_order);
		return -EINVAL;
	}
	fe->nr_pages = 1u << order;
	/* Anything but "1" (absent, garbage) means no persistent grants. */
	fe->persistent = xenbus_read_unsigned(dev->otherend,
					      "feature-persistent", 0) == 1;

	fe->gref = kcalloc(fe->nr_queues * fe->nr_pages, sizeof(*fe->gref),
			   GFP_KERNEL);
	fe->evtchn = kcalloc(fe->nr_queues, sizeof(*fe->evtchn), GFP_KERNEL);
	if (!fe->gref || !fe->evtchn)
		return -ENOMEM;
	for (q = 0; q < fe->nr_queues; q++) {
		if (fe->nr_queues == 1)
			dir = kstrdup(dev->otherend, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u",
					dev->otherend, q);
		if (!dir)
			return -ENOMEM;
		err = vbmq_be_read_ring_refs(be, dir, fe, q);
		kfree(dir);
		if (err)
			return err;
	}
	return 0;
}

/* Size and features, published in one transaction. */
static int vbmq_be_write_connect_info(struct vbmq_be_dev *be)
{
	struct xenbus_device *dev = be->dev;
	struct block_device *bdev = vbmq_be_bdev(&be->bdev);
	const char *node = dev->nodename;
	struct xenbus_transaction xbt;
	unsigned int info = 0;
	u64 sectors;
	int err;

	if (be->lim.readonly)
		info |= VDISK_READONLY;
	if (be->cdrom)
		info |= VDISK_CDROM;
	if (bdev->bd_disk->flags & GENHD_FL_REMOVABLE)
		info |= VDISK_REMOVABLE;
again:
	sectors = bdev_nr_sectors(bdev);
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, node, "feature-flush-cache", "%d",
			    be->lim.flush);
	if (!err)
		err = xenbus_printf(xbt, node, "feature-barrier", "%d",
				    be->lim.barrier);
	if (!err)
		err = xenbus_printf(xbt, node, "feature-discard", "%d",
				    be->lim.discard);
	if (!err && be->lim.discard)
		err = xenbus_printf(xbt, node, "discard-granularity", "%u",
				    bdev_discard_granularity(bdev) ?:
				    bdev_logical_block_size(bdev));
	if (!err && be->lim.discard)
		err = xenbus_printf(xbt, node, "discard-alignment", "%u",
				    bdev_discard_alignment(bdev));
	if (!err && be->lim.discard)
		err = xenbus_printf(xbt, node, "discard-secure", "%d",
				    be->lim.discard_secure);
	if (!err)
		err = xenbus_printf(xbt, node, "sectors", "%llu", sectors);
	if (!err)
		err = xenbus_printf(xbt, node, "info", "%u", info);
	if (!err)
		err = xenbus_printf(xbt, node, "sector-size", "%u",
				    bdev_logical_block_size(bdev));
	if (!err)
		err = xenbus_printf(xbt, node, "physical-sector-size", "%u",
				    bdev_physical_block_size(bdev));
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (!err)
		WRITE_ONCE(be->sectors_reported, sectors);
	return err;
}

static void vbmq_be_connect_locked(struct vbmq_be_dev *be)
{
	struct xenbus_device *dev = be->dev;
	struct vbmq_be_fe_rings fe = { };
	struct vbmq_be_ring **rings;
	unsigned int q;
	int err;

	lockdep_assert_held(&be->lock);
	/* Without a disk yet, the physical-device watch connects later. */
	if (!be->pdev || be->rings)
		return;
	err = vbmq_be_read_frontend(be, &fe);
	if (err)
		goto out_free_fe;

	err = -ENOMEM;
	rings = kcalloc(fe.nr_queues, sizeof(*rings), GFP_KERNEL);
	if (!rings)
		goto out_free_fe;
	be->persistent = vbmq_be_persistent_offered() && fe.persistent;
	for (q = 0; q < fe.nr_queues; q++) {
		rings[q] = vbmq_be_ring_connect(be, q, fe.abi,
						fe.gref + q * fe.nr_pages,
						fe.nr_pages, fe.evtchn[q]);
		if (IS_ERR(rings[q])) {
			err = PTR_ERR(rings[q]);
			xenbus_dev_fatal(dev, err, "mapping ring %u (%u pages, event channel %u)",
					 q, fe.nr_pages, fe.evtchn[q]);
			goto err_disconnect_rings;
		}
	}
	spin_lock(&be->rings_lock);
	be->rings = rings;
	WRITE_ONCE(be->nr_rings, fe.nr_queues);
	spin_unlock(&be->rings_lock);

	err = vbmq_be_write_connect_info(be);
	if (err) {
		xenbus_dev_fatal(dev, err, "writing the disk's size and features");
		vbmq_be_disconnect_locked(be);
		goto out_free_fe;
	}
	err = xenbus_switch_state(dev, XenbusStateConnected);
	if (err)
		xenbus_dev_fatal(dev, err, "switching to Connected");
	dev_info(&dev->dev, "connected: %u ring(s) of %u page(s), %s, poll %s, persistent grants %s\n",
		 fe.nr_queues, fe.nr_pages, vbmq_be_abi_name(fe.abi),
		 vbmq_poll_mode_name(be->keys.poll),
		 be->persistent ? "on" : "off");
	goto out_free_fe;

err_disconnect_rings:
	while (q--)
		vbmq_be_ring_disconnect(rings[q]);
	kfree(rings);
out_free_fe:
	kfree(fe.gref);
	kfree(fe.evtchn);
}

/* ---- work items scheduled by ring threads ---- */

void vbmq_be_resize_notice(struct vbmq_be_dev *be, u64 sectors)
{
	schedule_work(&be->resize_work);
}

static void vbmq_be_resize_work(struct work_struct *work)
{
	struct vbmq_be_dev *be = container_of(work, struct vbmq_be_dev,
					      resize_work);
	struct xenbus_device *dev = be->dev;
	struct xenbus_transaction xbt;
	u64 sectors;
	int err;

	mutex_lock(&be->lock);
	if (!be->rings)
		goto out_unlock;
again:
	sectors = bdev_nr_sectors(vbmq_be_bdev(&be->bdev));
	if (sectors == be->sectors_reported)
		goto out_unlock;
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto out_err;
	err = xenbus_printf(xbt, dev->nodename, "sectors", "%llu", sectors);
	/* Rewriting our state fires the frontend's watch on it. */
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "state", "%d",
				    dev->state);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto out_err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto out_err;
	dev_info(&dev->dev, "disk resized from %llu to %llu sectors\n",
		 be->sectors_reported, sectors);
	WRITE_ONCE(be->sectors_reported, sectors);
	goto out_unlock;
out_err:
	xenbus_dev_error(dev, err, "telling the frontend the new size");
out_unlock:
	mutex_unlock(&be->lock);
}

void vbmq_be_ring_fatal(struct vbmq_be_ring *ring)
{
	WRITE_ONCE(ring->be->fatal_ring, ring->idx);
	schedule_work(&ring->be->fatal_work);
}

static void vbmq_be_fatal_work(struct work_struct *work)
{
	struct vbmq_be_dev *be = container_of(work, struct vbmq_be_dev,
					      fatal_work);

	mutex_lock(&be->lock);
	if (be->rings)
		xenbus_dev_fatal(be->dev, -EACCES,
				 "ring %u: request producer index overflow; ring halted",
				 READ_ONCE(be->fatal_ring));
	mutex_unlock(&be->lock);
}

/* ---- physical-device hotplug handshake ---- */

static void vbmq_be_open_disk_locked(struct vbmq_be_dev *be, dev_t pdev)
{
	struct xenbus_device *dev = be->dev;
	struct block_device *bdev;
	char *mode, *type;
	int err;

	lockdep_assert_held(&be->lock);
	mode = xenbus_read(XBT_NIL, dev->nodename, "mode", NULL);
	if (IS_ERR(mode)) {
		xenbus_dev_fatal(dev, PTR_ERR(mode), "reading mode");
		return;
	}
	be->mode_write = strchr(mode, 'w');
	kfree(mode);
	type = xenbus_read(XBT_NIL, dev->nodename, "device-type", NULL);
	be->cdrom = !IS_ERR(type) && !strcmp(type, "cdrom");
	if (!IS_ERR(type))
		kfree(type);

	err = vbmq_be_bdev_open(&be->bdev, pdev, be->mode_write);
	if (err) {
		xenbus_dev_fatal(dev, err, "opening physical-device %u:%u",
				 MAJOR(pdev), MINOR(pdev));
		return;
	}
	bdev = vbmq_be_bdev(&be->bdev);
	be->pdev = pdev;
	be->lim = (struct vbmq_be_limits) {
		.dev_sectors = bdev_nr_sectors(bdev),
		.lb_sects = bdev_logical_block_size(bdev) >> 9,
		.readonly = !be->mode_write || bdev_read_only(bdev),
		.flush = bdev_write_cache(bdev),
		.barrier = bdev_write_cache(bdev),
		.discard = bdev_max_discard_sectors(bdev) != 0,
		.discard_secure = bdev_max_secure_erase_sectors(bdev) != 0,
		.max_indirect_segs = vbmq_be_max_indirect_segments,
	};
	dev_info(&dev->dev, "disk %u:%u, %llu sectors, %s%s%s\n",
		 MAJOR(pdev), MINOR(pdev), be->lim.dev_sectors,
		 be->lim.readonly ? "read-only" : "read-write",
		 be->lim.flush ? ", flush" : "",
		 be->lim.discard ? ", discard" : "");
}

static void vbmq_be_pdev_changed(struct xenbus_watch *watch,
				 const char *path, const char *token)
{
	struct vbmq_be_dev *be = container_of(watch, struct vbmq_be_dev,
					      pdev_watch);
	struct xenbus_device *dev = be->dev;
	unsigned int major, minor;
	enum xenbus_state fstate;
	dev_t pdev;
	int err;

	err = xenbus_scanf(XBT_NIL, dev->nodename, "physical-device",
			   "%x:%x", &major, &minor);
	if (XENBUS_EXIST_ERR(err))
		return;		/* the hotplug script has not run yet */
	if (err != 2 || major > MAJOR(~0u) || minor > MINORMASK) {
		xenbus_dev_fatal(dev, err < 0 ? err : -EINVAL,
				 "physical-device is not \"major:minor\" in hex");
		return;
	}
	pdev = MKDEV(major, minor);

	mutex_lock(&be->lock);
	if (be->pdev) {
		if (be->pdev != pdev)
			xenbus_dev_error(dev, -EBUSY,
					 "physical-device changed from %x:%x to %x:%x; not supported",
					 MAJOR(be->pdev), MINOR(be->pdev),
					 major, minor);
		goto out_unlock;
	}
	vbmq_be_open_disk_locked(be, pdev);
	/* The frontend may have been waiting for the disk. */
	fstate = vbmq_be_read_state(dev, dev->otherend);
	if (be->pdev && vbmq_be_may_connect(dev) &&
	    vbmq_be_frontend_ready(fstate))
		vbmq_be_connect_locked(be);
out_unlock:
	mutex_unlock(&be->lock);
}

/* ---- xenbus driver ---- */

static void vbmq_be_frontend_changed(struct xenbus_device *dev,
				     enum xenbus_state fstate);

/*
 * The frontend went Closing or Closed: stop the rings and follow it.
 * Stopping a ring answers every request in flight first, which lasts as
 * long as the disk takes (a slow or hung device, a frontend that filled
 * its rings just before): here, not in xenwatch, which would stall every
 * domain's xenstore watches meanwhile (block-attach, shutdown, ...).
 */
static void vbmq_be_close_work(struct work_struct *work)
{
	struct vbmq_be_dev *be = container_of(work, struct vbmq_be_dev,
					      close_work);
	unsigned long req = xchg(&be->close_req, 0);
	enum xenbus_state fstate;

	if (req) {
		mutex_lock(&be->lock);
		vbmq_be_disconnect_locked(be);
		mutex_unlock(&be->lock);
		xenbus_switch_state(be->dev, req & BIT(VBMQ_BE_CLOSE_CLOSED) ?
				     XenbusStateClosed : XenbusStateClosing);
	}
	if (READ_ONCE(be->close_req))
		return;		/* queued again: that run ends the close */
	WRITE_ONCE(be->closing, false);
	/*
	 * Clear closing before reading the frontend's state: pairs with
	 * xenwatch reading closing after the state node changed, so a state
	 * it left to us (vbmq_be_frontend_changed) is the one we read here.
	 */
	smp_mb();
	fstate = vbmq_be_read_state(be->dev, be->dev->otherend);
	if (fstate == XenbusStateInitialising ||
	    vbmq_be_frontend_ready(fstate))
		vbmq_be_frontend_changed(be->dev, fstate);
}

/* From xenwatch: hand the close to close_work. */
static void vbmq_be_close_async(struct vbmq_be_dev *be, unsigned int bit)
{
	WRITE_ONCE(be->closing, true);
	set_bit(bit, &be->close_req);
	queue_work(system_long_wq, &be->close_work);
}

static void vbmq_be_frontend_changed(struct xenbus_device *dev,
				     enum xenbus_state fstate)
{
	struct vbmq_be_dev *be = dev_get_drvdata(&dev->dev);

	/*
	 * While close_work stops the rings it holds be->lock: the states
	 * that need it are left to the work, which reads the frontend's
	 * state again when it is done.
	 */
	if (READ_ONCE(be->closing) &&
	    (fstate == XenbusStateInitialising ||
	     vbmq_be_frontend_ready(fstate)))
		return;
	switch (fstate) {
	case XenbusStateInitialising:
		if (dev->state != XenbusStateClosed)
			break;
		dev_info(&dev->dev, "frontend is back; offering the disk again\n");
		mutex_lock(&be->lock);
		vbmq_be_offer_locked(be);
		mutex_unlock(&be->lock);
		xenbus_switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (!vbmq_be_may_connect(dev))
			break;
		mutex_lock(&be->lock);
		/* Rings of a frontend that restarted without closing. */
		vbmq_be_disconnect_locked(be);
		vbmq_be_connect_locked(be);
		mutex_unlock(&be->lock);
		break;
	case XenbusStateClosing:
		vbmq_be_close_async(be, VBMQ_BE_CLOSE_CLOSING);
		break;
	case XenbusStateClosed:
		if (xenbus_dev_is_online(dev)) {
			vbmq_be_close_async(be, VBMQ_BE_CLOSE_CLOSED);
			break;
		}
		/*
		 * The toolstack is removing the device: remove() stops the
		 * rings, still on xenwatch (see docs/blkback.md).
		 */
		cancel_work_sync(&be->close_work);
		WRITE_ONCE(be->closing, false);
		mutex_lock(&be->lock);
		vbmq_be_disconnect_locked(be);
		mutex_unlock(&be->lock);
		xenbus_switch_state(dev, XenbusStateClosed);
		fallthrough;
	case XenbusStateUnknown:
		/* The toolstack removed the device: let remove() clean up. */
		device_unregister(&dev->dev);
		break;
	default:
		xenbus_dev_fatal(dev, -EINVAL, "frontend in unexpected state %d",
				 fstate);
		break;
	}
}

static void vbmq_be_unwatch(struct xenbus_watch *watch, bool *watched)
{
	if (!*watched)
		return;
	unregister_xenbus_watch(watch);
	kfree(watch->node);
	watch->node = NULL;
	*watched = false;
}

static void vbmq_be_remove(struct xenbus_device *dev)
{
	struct vbmq_be_dev *be = dev_get_drvdata(&dev->dev);

	/* No lock held here: watch callbacks and sysfs readers may wait. */
	vbmq_be_unwatch(&be->pdev_watch, &be->pdev_watched);
	vbmq_be_unwatch(&be->keys_watch, &be->keys_watched);
	/* A close under way ends first (xenwatch calls no more callbacks). */
	cancel_work_sync(&be->close_work);
	sysfs_remove_group(&dev->dev.kobj, &vbmq_be_stat_group);

	mutex_lock(&be->lock);
	vbmq_be_disconnect_locked(be);
	mutex_unlock(&be->lock);
	debugfs_remove_recursive(be->dbg);
	/* The rings are gone: nothing schedules these any more. */
	cancel_work_sync(&be->resize_work);
	cancel_work_sync(&be->fatal_work);

	mutex_lock(&be->lock);
	vbmq_be_bdev_close(&be->bdev);
	be->pdev = 0;
	mutex_unlock(&be->lock);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
}

/* The device record for @dev, its settings the defaults; or an ERR_PTR. */
static struct vbmq_be_dev *vbmq_be_alloc(struct xenbus_device *dev)
{
	struct vbmq_keys_limits lim = { .max_queues = vbmq_be_max_queues };
	const char *tail = strrchr(dev->nodename, '/');
	struct vbmq_be_dev *be;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating the backend");
		return ERR_PTR(-ENOMEM);
	}
	be->dev = dev;
	be->domid = dev->otherend_id;
	if (!tail || kstrtou32(tail + 1, 10, &be->devid)) {
		xenbus_dev_fatal(dev, -EINVAL, "device id of %s is not a number",
				 dev->nodename);
		kfree(be);
		return ERR_PTR(-EINVAL);
	}
	vbmq_be_vdev_name(be->devid, be->vdev, sizeof(be->vdev));
	mutex_init(&be->lock);
	spin_lock_init(&be->rings_lock);
	INIT_WORK(&be->resize_work, vbmq_be_resize_work);
	INIT_WORK(&be->fatal_work, vbmq_be_fatal_work);
	INIT_WORK(&be->close_work, vbmq_be_close_work);
	vbmq_keys_defaults(&be->keys, &lim, vbmq_be_poll_default,
			   vbmq_be_poll_max_us_default);
	return be;
}

static int vbmq_be_probe(struct xenbus_device *dev,
			 const struct xenbus_device_id *id)
{
	struct vbmq_be_dev *be;
	int err;

	be = vbmq_be_alloc(dev);
	if (IS_ERR(be))
		return PTR_ERR(be);
	dev_set_drvdata(&dev->dev, be);

	mutex_lock(&be->lock);
	vbmq_be_keys_reload_locked(be);
	vbmq_be_offer_locked(be);
	mutex_unlock(&be->lock);

	err = sysfs_create_group(&dev->dev.kobj, &vbmq_be_stat_group);
	if (err)
		goto err_clear_drvdata;
	/* Before any ring connects (a watch may connect them). */
	be->dbg = debugfs_create_dir(dev_name(&dev->dev), vbmq_be_dbg_root);
	err = xenbus_watch_pathfmt(dev, &be->keys_watch,
				   vbmq_be_keys_will_handle,
				   vbmq_be_keys_changed, "%s/%s",
				   dev->nodename, VBMQ_KEYS_DIR);
	if (err)
		goto err_remove_stat_group;
	be->keys_watched = true;
	err = xenbus_watch_pathfmt(dev, &be->pdev_watch, NULL,
				   vbmq_be_pdev_changed, "%s/%s",
				   dev->nodename, "physical-device");
	if (err)
		goto err_unwatch_keys;
	be->pdev_watched = true;
	err = xenbus_switch_state(dev, XenbusStateInitWait);
	if (err)
		goto err_unwatch_pdev;
	return 0;

err_unwatch_pdev:
	vbmq_be_unwatch(&be->pdev_watch, &be->pdev_watched);
err_unwatch_keys:
	vbmq_be_unwatch(&be->keys_watch, &be->keys_watched);
err_remove_stat_group:
	debugfs_remove_recursive(be->dbg);
	sysfs_remove_group(&dev->dev.kobj, &vbmq_be_stat_group);
err_clear_drvdata:
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
	return err;
}

static const struct xenbus_device_id vbmq_be_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver vbmq_be_driver = {
	.ids = vbmq_be_ids,
	.probe = vbmq_be_probe,
	.remove = vbmq_be_remove,
	.otherend_changed = vbmq_be_frontend_changed,
};

static int vbmq_be_check_params(void)
{
	char err[VBMQ_KEYS_ERR_LEN];
	unsigned int lo;

	if (!vbmq_be_max_queues)
		vbmq_be_max_queues = min_t(unsigned int, num_online_cpus(),
					   VBMQ_BE_MAX_QUEUES_CAP);
	if (vbmq_be_max_queues > VBMQ_BE_MAX_QUEUES_CAP) {
		pr_err("max_queues=%u is out of range (allowed: 1..%u)\n",
		       vbmq_be_max_queues, VBMQ_BE_MAX_QUEUES_CAP);
		return -EINVAL;
	}
	if (vbmq_be_max_ring_page_order > XENBUS_MAX_RING_GRANT_ORDER) {
		pr_err("max_ring_page_order=%u is out of range (allowed: 0..%u)\n",
		       vbmq_be_max_ring_page_order,
		       XENBUS_MAX_RING_GRANT_ORDER);
		return -EINVAL;
	}
	if (!vbmq_be_poll_param ||
	    vbmq_keys_parse_poll(vbmq_be_poll_param, &vbmq_be_poll_default,
				 err, sizeof(err))) {
		pr_err("poll=%s is invalid (allowed: off, adaptive, always)\n",
		       vbmq_be_poll_param ?: "");
		return -EINVAL;
	}
	if (vbmq_be_poll_max_us_default > VBMQ_KEYS_POLL_MAX_US_LIMIT) {
		pr_err("poll_max_us=%u is out of range (allowed: 0..%u)\n",
		       vbmq_be_poll_max_us_default,
		       VBMQ_KEYS_POLL_MAX_US_LIMIT);
		return -EINVAL;
	}
	if (vbmq_be_poll_yield_us > VBMQ_POLL_YIELD_US_MAX) {
		pr_err("poll_yield_us=%u is out of range (allowed: 0..%u)\n",
		       vbmq_be_poll_yield_us, VBMQ_POLL_YIELD_US_MAX);
		return -EINVAL;
	}
	if (vbmq_be_max_indirect_segments > VBMQ_BE_MAX_INDIRECT_CAP) {
		pr_err("max_indirect_segments=%u is out of range (allowed: 0..%u)\n",
		       vbmq_be_max_indirect_segments,
		       VBMQ_BE_MAX_INDIRECT_CAP);
		return -EINVAL;
	}
	if (vbmq_be_max_persistent_grants > VBMQ_BE_PG_CAP) {
		pr_err("max_persistent_grants=%u is out of range (allowed: 0..%u)\n",
		       vbmq_be_max_persistent_grants, VBMQ_BE_PG_CAP);
		return -EINVAL;
	}
	/* One request of the most segments must fit, or it waits forever. */
	lo = max_t(unsigned int, BLKIF_MAX_SEGMENTS_PER_REQUEST,
		   vbmq_be_max_indirect_segments);
	if (vbmq_be_max_bounce_pages < lo ||
	    vbmq_be_max_bounce_pages > VBMQ_BE_BOUNCE_CAP) {
		pr_err("max_bounce_pages=%u is out of range (allowed: %u..%u)\n",
		       vbmq_be_max_bounce_pages, lo, VBMQ_BE_BOUNCE_CAP);
		return -EINVAL;
	}
	return 0;
}

static int __init vbmq_be_init(void)
{
	int err;

	BUILD_BUG_ON(PAGE_SIZE != XEN_PAGE_SIZE);
	BUILD_BUG_ON(VBMQ_GRANT_SIZE != XEN_PAGE_SIZE);
	if (!xen_domain())
		return -ENODEV;
	err = vbmq_be_check_params();
	if (err)
		return err;
	vbmq_be_dbg_root = debugfs_create_dir("vbmq-blkback", NULL);
	err = xenbus_register_backend(&vbmq_be_driver);
	if (err) {
		pr_err("cannot register the \"vbd\" backend (is xen-blkback loaded?): %d\n",
		       err);
		debugfs_remove_recursive(vbmq_be_dbg_root);
	}
	return err;
}
module_init(vbmq_be_init);

static void __exit vbmq_be_exit(void)
{
	xenbus_unregister_driver(&vbmq_be_driver);
	debugfs_remove_recursive(vbmq_be_dbg_root);
}
module_exit(vbmq_be_exit);

MODULE_DESCRIPTION("vbmq Xen block backend: pinned ring threads, adaptive ring polling");
MODULE_LICENSE("GPL");
MODULE_VERSION(VBMQ_VERSION);
MODULE_ALIAS("xen-backend:vbd");
