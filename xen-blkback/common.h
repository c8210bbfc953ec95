/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkback: types shared by the data plane (blkback.c) and the control
 * plane (xenbus.c).  One structure per lifetime:
 *
 *   struct vbmq_be_dev      one per xenbus "vbd" device: probe .. remove
 *   struct vbmq_be_ring     one per negotiated ring: connect .. disconnect
 *   struct vbmq_be_request  one per request taken off a ring: consumed ..
 *                           answered (preallocated, one per ring slot)
 *
 * Locking in one sentence per structure:
 *   - vbmq_be_dev: the control plane (xenwatch callbacks, remove) runs under
 *     dev->lock; the statistics/ sysfs readers take only dev->rings_lock, a
 *     spinlock that guards the rings pointer so a reader never sees freed
 *     rings; a ring's debugfs files are removed before the ring is freed.
 *   - vbmq_be_ring: everything but the fields marked otherwise belongs to
 *     the ring's kthread; the IRQ handler and bio completions talk to it
 *     through ring->flags and ring->done (done_lock); the control plane
 *     changes the live settings with WRITE_ONCE and wakes the thread.
 *   - vbmq_be_request: owned by the ring thread, except between submission
 *     of its bios and the last completion, when only ->pending and
 *     ->status are touched (atomically) by the completions.
 */
#ifndef VBMQ_BLKBACK_COMMON_H
#define VBMQ_BLKBACK_COMMON_H

#include <linux/blk_types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>

#include "blkback_core.h"
#include "vbmq/keys.h"
#include "compat.h"

#define VBMQ_BE_MAX_QUEUES_CAP		32	/* rings per disk, hard cap */
#define VBMQ_BE_MAX_INDIRECT_CAP	1024	/* segments per request */
#define VBMQ_BE_BUDGET			64	/* requests per pass */
#define VBMQ_BE_POOL_MAX		512	/* free bounce pages per ring */
#define VBMQ_BE_COPY_BATCH		64	/* grant copies per hypercall */
#define VBMQ_BE_MAP_BATCH		32	/* grant maps/unmaps per call */
#define VBMQ_BE_BOUNCE_DEFAULT		4096	/* bounce pages per ring: 16 MiB */
#define VBMQ_BE_BOUNCE_CAP		65536	/* 256 MiB */

/* Module parameters (xenbus.c), fixed after load. */
extern unsigned int vbmq_be_max_queues;
extern unsigned int vbmq_be_max_ring_page_order;
extern enum vbmq_poll_mode vbmq_be_poll_default;
extern unsigned int vbmq_be_poll_max_us_default;
extern unsigned int vbmq_be_poll_yield_us;
extern unsigned int vbmq_be_max_indirect_segments;
extern bool vbmq_be_feature_persistent;
extern unsigned int vbmq_be_max_persistent_grants;
extern unsigned int vbmq_be_max_bounce_pages;

/* debugfs vbmq-blkback/: module init .. exit; NULL or an error if absent. */
extern struct dentry *vbmq_be_dbg_root;

/*
 * Per-ring counters.  Single writer each: the ring thread, except ->kicks,
 * written only by the ring's IRQ handler (which Xen never runs twice at
 * once for one event channel).  Readers (statistics/ in sysfs, debugfs)
 * accept a snapshot that is not atomic across counters.
 */
struct vbmq_be_stats {
	u64 rd_req;		/* READ, direct or indirect */
	u64 wr_req;		/* WRITE, direct or indirect */
	u64 f_req;		/* FLUSH_DISKCACHE */
	u64 b_req;		/* WRITE_BARRIER */
	u64 ds_req;		/* DISCARD (secure included) */
	u64 ind_req;		/* of which came INDIRECT */
	u64 bad_req;		/* refused by validation */
	u64 err_rsp;		/* responses other than OKAY */
	u64 oo_req;		/* out of memory for a request */
	u64 rd_sect;		/* 512-byte sectors read */
	u64 wr_sect;		/* 512-byte sectors written */
	u64 kicks;		/* event-channel interrupts received */
	u64 notify_sent;	/* event-channel notifications sent */
	u64 notify_suppressed;	/* response batches the guest did not ask for */
	u64 poll_hits;		/* idle polls that found work */
	u64 poll_misses;	/* idle polls that expired */
	u64 poll_ns;		/* time spent polling an idle ring */
	u64 poll_yields;	/* of it, vCPU yields to Xen (vbmq/poll.h) */
	u64 sleep_ns;		/* time spent asleep */
	u64 idle_to_sleep_ns;	/* idle time before the latest sleep */
	u64 gap_ns;		/* idle gaps: ring found empty to new work */
	u64 gaps;		/* idle gaps summed in gap_ns */
	u64 short_gaps;		/* of those, no longer than poll_max_us */
	u64 pg_mapped;		/* persistent grants mapped now */
	u64 pg_in_use;		/* of which held by requests in flight */
	u64 pg_hits;		/* segments whose bio used a mapping */
	u64 pg_maps;		/* grants mapped persistently */
	u64 pg_unmaps;		/* persistent grants unmapped */
	u64 pg_reclaims;	/* reclaim rounds (bound reached) */
	u64 pg_copies;		/* segments grant-copied though persistent */
	u64 pg_map_errs;	/* grant maps that failed */
	u64 bounce_pages;	/* bounce pages held by requests now */
	u64 bounce_peak;	/* the most held at once */
	u64 bounce_waits;	/* requests that waited for bounce pages */
	u64 bad_pauses;		/* back-offs from bad requests */
	u64 bad_pause_ns;	/* their total length */
};

struct vbmq_be_dev;
struct vbmq_be_ring;

/*
 * A guest grant kept mapped for the connection (persistent grant).  Owned
 * by the ring thread; after the thread stopped, by the disconnect.
 * In ring->pg_tree from the decision to map it until it is unmapped,
 * except after a failed map: then it only waits for its last user.
 */
struct vbmq_be_pgnt {
	struct rb_node node;		/* ring->pg_tree, keyed by gref */
	struct page *page;		/* from gnttab_alloc_pages() */
	grant_handle_t handle;
	u32 gref;
	bool failed;			/* the map failed; not in the tree */
	struct vbmq_be_pg_use use;	/* users, last_use, writable */
};

/* A request taken off the ring, from consumption to response. */
struct vbmq_be_request {
	struct list_head node;		/* ring->free_reqs or ring->done */
	struct vbmq_be_ring *ring;
	struct vbmq_be_req req;		/* the private, validated copy */
	struct vbmq_be_seg *segs;	/* req.seg or iseg */
	struct page **pages;		/* bounce page per segment, or NULL */
	unsigned int nr_segs;
	struct vbmq_be_seg *iseg;	/* indirect segments, lazily allocated */
	struct page **ipages;		/* pages for them, lazily allocated */
	struct page *dpages[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	/*
	 * Per segment the persistent grant it holds, its bio built on the
	 * mapped page; NULL: grant copy through pages[].
	 */
	struct vbmq_be_pgnt **pgnts;	/* dpgnts or ipgnts */
	struct vbmq_be_pgnt **ipgnts;	/* with iseg */
	struct vbmq_be_pgnt *dpgnts[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	atomic_t pending;		/* bios in flight + 1 while submitting */
	int status;			/* BLKIF_RSP_*; completions may lower */
	bool paged;			/* bounce pages taken, write data queued */
	bool waited;			/* counted in bounce_waits */
};

/* Bits of ring->flags. */
enum {
	VBMQ_BE_RING_KICKED,	/* IRQ handler -> thread: EOI owed */
	VBMQ_BE_RING_SETTINGS,	/* control plane -> thread: re-read */
};

struct vbmq_be_ring {
	struct vbmq_be_dev *be;
	unsigned int idx;
	char name[TASK_COMM_LEN];	/* also the thread's comm */

	/* Set at connect, constant until disconnect. */
	enum vbmq_be_abi abi;
	union {
		struct vbmq_be_r32_back_ring r32;	/* abi == X86_32 */
		struct vbmq_be_r64_back_ring r64;	/* abi == X86_64 */
	};
	void *sring;			/* mapped shared ring */
	struct block_device *bdev;
	struct vbmq_be_limits lim;	/* copy; dev_sectors refreshed */
	int irq;			/* 0: not bound */
	struct task_struct *task;
	struct vbmq_be_request *reqs;	/* one per ring slot */
	unsigned int nr_reqs;

	wait_queue_head_t wq;		/* the thread sleeps here */
	unsigned long flags;		/* VBMQ_BE_RING_*, atomic bitops */
	/*
	 * IRQ handler -> thread: when the first kick since the thread last
	 * took KICKED arrived; published before KICKED is set.
	 */
	u64 kick_ns;

	spinlock_t done_lock;		/* protects done */
	struct list_head done;		/* completed requests, to answer */

	/* Ring thread only. */
	struct list_head free_reqs;
	/* Bounce pages and grant copies: the grant layer's (grant.c). */
	struct page *pool[VBMQ_BE_POOL_MAX];	/* free bounce pages */
	unsigned int pool_nr;
	struct gnttab_copy copy[VBMQ_BE_COPY_BATCH];
	struct vbmq_be_request *copy_req[VBMQ_BE_COPY_BATCH];
	unsigned int nr_copy;
	struct page *ipage[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];	/* segment copies */

	/*
	 * Persistent grants: the grant layer's (grant.c), ring thread only.
	 * pg_on and pg_bound are set at connect; pg_nr counts the tree
	 * (mapped or queued to map).
	 */
	bool pg_on;
	bool pg_full;			/* a grant found no room this pass */
	bool stable_writes;		/* device needs stable pages: copy */
	unsigned int pg_bound;
	unsigned int pg_nr;
	unsigned int pg_in_use;		/* records with users */
	u64 pg_clock;			/* consume passes: last_use */
	struct rb_root pg_tree;
	struct gnttab_map_grant_ref pg_map[VBMQ_BE_MAP_BATCH];
	struct vbmq_be_pgnt *pg_map_ent[VBMQ_BE_MAP_BATCH];
	struct page *pg_map_page[VBMQ_BE_MAP_BATCH];
	unsigned int pg_nr_map;
	struct gnttab_unmap_grant_ref pg_unmap[VBMQ_BE_MAP_BATCH];
	struct page *pg_unmap_page[VBMQ_BE_MAP_BATCH];
	unsigned int pg_nr_unmap;
	/* Reclaim scratch, pg_bound long, allocated at connect. */
	struct vbmq_be_pg_use *pg_use;
	struct vbmq_be_pgnt **pg_ent;
	unsigned int *pg_pick;
	bool rsp_pending;		/* responses written, not pushed */
	bool eoi_work;			/* work found since the last EOI */
	struct vbmq_be_poll poll;	/* window read by debugfs */
	bool halted;			/* ring protocol broken: consume no more */
	/*
	 * A request taken off the ring and prepared but not submitted yet:
	 * a WRITE_BARRIER until every request before it was answered (the
	 * protocol's drain), or any request until its bounce pages fit
	 * under bounce_cap.  Nothing more is taken off the ring meanwhile.
	 */
	struct vbmq_be_request *parked;
	/* Bad requests: back-off state, the pass's count, no intake before. */
	struct vbmq_be_bad bad;
	unsigned int pass_bad;
	u64 bad_until;			/* ns */
	u64 pg_next_reclaim;		/* ns: no reclaim before */
	/* Bounce pages held by requests (not the pool), at most bounce_cap. */
	unsigned int bounce_nr;
	unsigned int bounce_cap;	/* max_bounce_pages, set at connect */
	unsigned int in_flight;		/* requests without response; debugfs */

	/* Live settings: written by the control plane, read by the thread. */
	enum vbmq_poll_mode poll_mode;
	unsigned int poll_max_us;
	int cpu;			/* bound CPU or -1 */

	struct vbmq_be_stats st;
	struct dentry *dbg;		/* ringN/ in debugfs; control plane */
};

struct vbmq_be_dev {
	struct xenbus_device *dev;
	domid_t domid;
	u32 devid;			/* from the node name */
	char vdev[16];			/* "xvda" */

	struct mutex lock;		/* serialises the control plane */

	/* Under lock: the backing device (physical-device handshake). */
	struct vbmq_be_bdev bdev;
	dev_t pdev;			/* 0: no device yet */
	bool mode_write;		/* mode "w" */
	bool cdrom;			/* device-type "cdrom" */

	/* Under lock; read by ring threads only while connected. */
	struct vbmq_be_limits lim;	/* dev_sectors is refreshed live */
	unsigned int max_queues_offered;	/* multi-queue-max-queues */
	bool persistent;		/* both ends feature-persistent */

	/*
	 * rings/nr_rings: written under lock AND rings_lock; read under
	 * either.
	 */
	spinlock_t rings_lock;
	struct vbmq_be_ring **rings;
	unsigned int nr_rings;

	/* Under lock: accepted vbmq/ settings and the scratch to parse. */
	struct vbmq_keys keys;
	struct vbmq_keys keys_new;
	char key_err[VBMQ_KEY_COUNT][VBMQ_KEYS_ERR_LEN];	/* last refusal */
	char error_node[VBMQ_KEYS_ERR_LEN];	/* vbmq/error as we wrote it */

	struct dentry *dbg;		/* vbd-DOMID-DEVID/ in debugfs; probe..remove */

	struct xenbus_watch pdev_watch;		/* physical-device */
	struct xenbus_watch keys_watch;		/* vbmq/ */
	bool pdev_watched, keys_watched;

	/* Online resize: ring 0 notices, the work item tells the guest. */
	struct work_struct resize_work;
	u64 sectors_reported;		/* last "sectors" written; lock */
	/* A ring broke the protocol: report it, under lock, from a work. */
	struct work_struct fatal_work;
	unsigned int fatal_ring;	/* first ring that broke; atomic */
	/*
	 * The frontend closed: the rings are stopped (every request in
	 * flight answered, which takes as long as the disk takes) by
	 * close_work, off the xenwatch thread that every domain's xenstore
	 * watches share.  close_req: VBMQ_BE_CLOSE_* bits, set by xenwatch,
	 * taken by the work.  closing: set by xenwatch before it queues the
	 * work, cleared by the work when done; meanwhile xenwatch leaves
	 * the other frontend states to the work (taking be->lock would wait
	 * for the drain).
	 */
	struct work_struct close_work;
	unsigned long close_req;
	bool closing;
};

/* Bits of vbmq_be_dev.close_req: the state the backend is to follow to. */
enum {
	VBMQ_BE_CLOSE_CLOSING,
	VBMQ_BE_CLOSE_CLOSED,
};

/*
 * grant.c: the grant layer, all request dispatch (blkback.c) knows of
 * persistent grants, bounce pages and grant copies.  Ring thread only,
 * except init and free: the control plane, while the thread does not run.
 */
int vbmq_be_grants_init(struct vbmq_be_ring *ring, bool persistent);
void vbmq_be_grants_free(struct vbmq_be_ring *ring);
void vbmq_be_grants_new_pass(struct vbmq_be_ring *ring);
void vbmq_be_grants_get(struct vbmq_be_ring *ring, struct vbmq_be_request *rq);
bool vbmq_be_grants_bounce(struct vbmq_be_ring *ring,
			   struct vbmq_be_request *rq);
void vbmq_be_grants_flush(struct vbmq_be_ring *ring);
void vbmq_be_grants_check(struct vbmq_be_ring *ring,
			  struct vbmq_be_request *rq);
void vbmq_be_grants_copy_out(struct vbmq_be_ring *ring,
			     struct vbmq_be_request *rq);
void vbmq_be_grants_put(struct vbmq_be_ring *ring, struct vbmq_be_request *rq);
void vbmq_be_grants_reclaim(struct vbmq_be_ring *ring, u64 now);

/*
 * The page segment @i's bio is built on: the mapped guest page of its
 * persistent grant (zero copy), else its bounce page.
 */
static inline struct page *vbmq_be_grants_page(const struct vbmq_be_request *rq,
					       unsigned int i)
{
	return rq->pgnts[i] ? rq->pgnts[i]->page : rq->pages[i];
}

/* blkback.c: data plane */
struct vbmq_be_ring *vbmq_be_ring_connect(struct vbmq_be_dev *be,
					  unsigned int idx,
					  enum vbmq_be_abi abi,
					  grant_ref_t *gref,
					  unsigned int nr_grefs,
					  evtchn_port_t evtchn);
void vbmq_be_ring_disconnect(struct vbmq_be_ring *ring);
void vbmq_be_ring_apply_settings(struct vbmq_be_ring *ring,
				 const struct vbmq_keys *k);

/* xenbus.c: control plane, called from ring threads */
void vbmq_be_resize_notice(struct vbmq_be_dev *be, u64 sectors);
void vbmq_be_ring_fatal(struct vbmq_be_ring *ring);

#endif /* VBMQ_BLKBACK_COMMON_H */
