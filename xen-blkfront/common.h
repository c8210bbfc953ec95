/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkfront: shared types.
 *
 * Lifetimes: one struct vbmq_fe_info per xenbus "vbd" device (probe to
 * remove); its array of struct vbmq_fe_ring lives just as long, while each
 * ring's shared page, event channel and request slots exist only while
 * connected (talk_to_backend / connect to teardown).  One struct
 * vbmq_fe_shadow per ring slot, one struct vbmq_fe_pdu per blk-mq request.
 *
 * Locks, outermost first:
 *   info->mutex     sleeping; the control plane: xenbus state changes,
 *                   ring setup and teardown, resume, sysfs readers of the
 *                   configuration.
 *   info->aff_lock  sleeping; IRQ affinity.  Taken alone by the CPU
 *                   hotplug callbacks, nested inside info->mutex otherwise.
 *   ring->lock      spinning, IRQ-safe; the data plane of one ring.
 */
#ifndef VBMQ_BLKFRONT_COMMON_H
#define VBMQ_BLKFRONT_COMMON_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/irqreturn.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/interface/io/ring.h>
#include <xen/interface/io/blkif.h>

#include "blkfront_core.h"

#define VBMQ_FE_DRV_NAME	"vbmq-blkfront"
#define VBMQ_FE_IRQ_NAME_LEN	(VBMQ_FE_NAME_LEN + 16)

/* Device state, info->state.  Written under info->mutex, except that the
 * data plane may move any state to VBMQ_FE_ERROR (WRITE_ONCE); read with
 * READ_ONCE in the data plane.
 */
enum vbmq_fe_state {
	VBMQ_FE_DISCONNECTED = 0,	/* no rings, or rings not yet live */
	VBMQ_FE_CONNECTED,		/* rings live, disk serving I/O */
	VBMQ_FE_SUSPENDED,		/* resumed: requests held, reconnecting */
	VBMQ_FE_ERROR,			/* backend broke the protocol */
};

/* Per-request driver data (blk_mq_rq_to_pdu).  Owned by the ring while
 * the request is in flight; @next links requests completed by one reap,
 * which completes them after dropping ring->lock.
 */
struct vbmq_fe_pdu {
	blk_status_t status;
	struct request *next;
};

/* Kernel half of a ring slot (the core half is ring->slot[id]).
 * Protected by ring->lock.
 */
struct vbmq_fe_shadow {
	struct request *rq;		/* NULL when the slot is free */
	unsigned int nr_grants;		/* per-request grants in @grefs */
	unsigned int nr_indirect;	/* indirect pages granted for it */
	unsigned int nr_sg;		/* entries of @sg in use */
	unsigned int nr_pool;		/* pool entries in @pool */
	grant_ref_t *grefs;		/* [info->max_segs] */
	struct scatterlist *sg;		/* [info->max_segs] */
	/*
	 * [info->max_segs] the segments @sg was cut into at submission,
	 * kept for the response: a bounced read is copied back along them.
	 */
	struct vbmq_fe_seg *segs;
	u32 *pool;			/* [info->max_segs] or NULL: direct */
	struct page **ipages;		/* [info->nr_ipages] descriptor pages */
	/* Per request, or constant when the ring's grants are persistent. */
	grant_ref_t igrefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/* Ring statistics, written under ring->lock, read without it (sysfs). */
struct vbmq_fe_ring_stats {
	u64 requests;		/* requests put on the ring */
	u64 completions;	/* responses consumed */
	u64 interrupts;		/* completion interrupts handled */
	u64 polls;		/* ->poll calls */
	u64 poll_hits;		/* ->poll calls that found a response */
	u64 poll_yields;	/* vCPU yields to Xen (vbmq/poll.h) */
	u64 kicks;		/* event-channel notifications sent */
	u64 ring_full;		/* submissions deferred: ring full */
	u64 errors;		/* responses with an error status */
	u64 bounced;		/* segments copied through the pool */
	u64 pool_waits;		/* submissions deferred: pool exhausted */
};

struct vbmq_fe_info;

struct vbmq_fe_ring {
	struct vbmq_fe_info *info;	/* constant */
	unsigned int index;		/* constant: hardware queue number */

	/* Set up and torn down under info->mutex, while !live. */
	bool polled;			/* HCTX_TYPE_POLL queue, no IRQ */
	u64 poll_yield_ns;		/* poll_yield_us at setup, in ns */
	void *sring_pages;
	grant_ref_t ring_ref[XENBUS_MAX_RING_GRANTS];
	evtchn_port_t evtchn;		/* 0 = none */
	int irq;			/* 0 = none */
	char irq_name[VBMQ_FE_IRQ_NAME_LEN];
	cpumask_var_t irq_mask;		/* under info->aff_lock */

	spinlock_t lock;		/* the data plane of this ring */
	/* Protected by lock: */
	bool live;			/* ring may be used by the data plane */
	bool broken;			/* protocol violation seen */
	bool stopped;			/* hw queue stopped on a full ring */
	struct blkif_front_ring front;
	struct vbmq_fe_slots slots;
	struct vbmq_fe_slot *slot;	/* [ring size], core view */
	struct vbmq_fe_shadow *shadow;	/* [ring size] */
	struct vbmq_fe_buf *bufs;	/* [info->max_segs] scratch */
	struct vbmq_fe_ring_stats st;
	u64 poll_idle_since;		/* ns: first empty ->poll, 0 = none */

	/*
	 * Bounce / persistent page pool; constant while live except the
	 * pool's counters and arrays, protected by lock.  Entry e is
	 * pool_pages[e], granted as pool_grefs[e] when the ring's grants are
	 * persistent (INVALID_GRANT_REF otherwise).  Freed with the slots.
	 */
	int mode;			/* enum vbmq_fe_grant_mode */
	struct vbmq_fe_pool pool;
	struct page **pool_pages;	/* [pool.max] */
	grant_ref_t *pool_grefs;	/* [pool.max] */
	unsigned int nr_pgrants;	/* persistent grants held */

	struct dentry *dbg;		/* ringN/ in debugfs; info->mutex */
};

struct vbmq_fe_info {
	struct xenbus_device *xbdev;	/* constant */
	u32 vdevice;			/* constant */
	struct vbmq_fe_vdev vd;		/* constant: name and minors */

	struct mutex mutex;		/* control plane, see top */
	/* Protected by mutex (state: see enum vbmq_fe_state): */
	enum vbmq_fe_state state;
	unsigned int nr_rings;		/* connected rings */
	unsigned int nr_poll;		/* of which polled (the last ones) */
	unsigned int ring_order;	/* ring-page-order */
	unsigned int max_segs;		/* grants per request */
	unsigned int nr_ipages;		/* indirect pages per slot */
	int grant_mode;			/* enum vbmq_fe_grant_mode */
	bool persistent_parm;		/* feature_persistent at negotiation */
	bool trusted;			/* the frontend's trusted key */
	unsigned int flush_op;		/* 0, FLUSH_DISKCACHE or BARRIER */
	bool discard;
	bool discard_secure;
	unsigned int discard_granularity;
	unsigned int discard_alignment;
	unsigned int sector_size;
	unsigned int physical_sector_size;
	u64 sectors;
	unsigned int vdisk_info;
	int affinity;			/* enum vbmq_irq_affinity */
	struct gendisk *gd;
	struct blk_mq_tag_set tag_set;
	bool tag_set_ready;
	bool remap;			/* resume changed the ring count */
	bool sectors_watch_on;
	struct xenbus_watch sectors_watch;
	struct list_head held;		/* requests held over a resume */

	struct mutex aff_lock;		/* IRQ affinity, see top */
	/* Protected by aff_lock: */
	bool aff_ready;			/* rings' IRQs may be re-targeted */
	u16 *aff_map;			/* [nr_cpu_ids] CPU -> queue */
	bool *aff_online;		/* [nr_cpu_ids] scratch */
	bool *aff_mask;			/* [nr_cpu_ids] scratch */

	struct hlist_node cpuhp_node;	/* CPU hotplug instance */
	bool cpuhp_added;

	struct vbmq_fe_ring *rings;	/* [nr_ring_slots], constant */
	unsigned int nr_ring_slots;	/* constant: nr_cpu_ids capped */
	struct dentry *dbg;		/* DISK/ in debugfs; probe..remove */
};

/* Module parameters (blkfront.c). */
extern int vbmq_fe_max_queues;
extern int vbmq_fe_max_ring_order;
extern int vbmq_fe_max_indirect;
extern int vbmq_fe_poll_queues;
extern int vbmq_fe_poll_yield_us;
extern int vbmq_fe_irq_affinity;
extern int vbmq_fe_major;
extern bool vbmq_fe_persistent;
/* debugfs vbmq-blkfront/: module init .. exit; NULL or an error if absent. */
extern struct dentry *vbmq_fe_dbg_root;

/*
 * ring.c: the ring unit.  All the control plane does to the rings, under
 * info->mutex; see ring.c for the order of the calls.
 */
int vbmq_fe_rings_alloc(struct vbmq_fe_info *info);
void vbmq_fe_rings_free(struct vbmq_fe_info *info);
int vbmq_fe_rings_setup(struct vbmq_fe_info *info);
void vbmq_fe_rings_release(struct vbmq_fe_info *info);
bool vbmq_fe_rings_set_up(struct vbmq_fe_info *info);
int vbmq_fe_rings_start(struct vbmq_fe_info *info);
void vbmq_fe_rings_stop(struct vbmq_fe_info *info);
void vbmq_fe_rings_expose(struct vbmq_fe_info *info);
void vbmq_fe_rings_kill(struct vbmq_fe_info *info);
void vbmq_fe_rings_let_go(struct vbmq_fe_info *info);
/* For the data plane: grow a ring's pool (ring->lock held or not live). */
int vbmq_fe_pool_add_page(struct vbmq_fe_ring *ring, gfp_t gfp);

/*
 * End *@ref unless the backend still maps it (silently: the grant-table
 * code only complains when made to end a grant in use).  True when the
 * grant is ended now or was already; *@ref is INVALID_GRANT_REF then.
 */
static inline bool vbmq_fe_try_end(grant_ref_t *ref)
{
	if (*ref == INVALID_GRANT_REF)
		return true;
	if (!gnttab_try_end_foreign_access(*ref))
		return false;
	*ref = INVALID_GRANT_REF;
	return true;
}

/* blkfront.c: the disk (for the control plane) */
extern const struct blk_mq_ops vbmq_fe_mq_ops;
extern const struct block_device_operations vbmq_fe_bdops;
extern const struct attribute_group *vbmq_fe_disk_groups[];
int vbmq_fe_cpuhp_init(void);
void vbmq_fe_cpuhp_exit(void);
int vbmq_fe_cpuhp_add(struct vbmq_fe_info *info);
void vbmq_fe_cpuhp_remove(struct vbmq_fe_info *info);

/* blkfront.c: the data plane, for the ring unit */
irqreturn_t vbmq_fe_interrupt(int irq, void *dev_id);
void vbmq_fe_ring_kill(struct vbmq_fe_ring *ring, struct list_head *held);
unsigned int vbmq_fe_ring_let_go(struct vbmq_fe_ring *ring,
				 struct list_head *held);
void vbmq_fe_apply_affinity(struct vbmq_fe_info *info, int dying_cpu);
void vbmq_fe_debugfs_add_rings(struct vbmq_fe_info *info);
void vbmq_fe_debugfs_del_rings(struct vbmq_fe_info *info);

/* xenbus.c: control plane. */
int vbmq_fe_xenbus_init(void);
void vbmq_fe_xenbus_exit(void);

#endif /* VBMQ_BLKFRONT_COMMON_H */
