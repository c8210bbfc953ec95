/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkfront pure logic: negotiation arithmetic, queue/vCPU mapping,
 * request-slot bookkeeping, response validation, segment packing, the
 * grant mode and bounce/persistent page pool, and virtual-device naming.
 *
 * Nothing here calls a kernel service; the same file is compiled into the
 * module and into the userspace unit test (tests/unit/test_blkfront_core.c).
 * Only definitions that the kernel's and Xen's copies of blkif.h share are
 * used (operation codes, limits, struct blkif_request_segment).
 */
#ifndef VBMQ_BLKFRONT_CORE_H
#define VBMQ_BLKFRONT_CORE_H

#include "vbmq/proto.h"
#include "vbmq/keys.h"
#include "vbmq/vdev.h"

/* Module limits, shared by the parameter checks and the unit tests. */
#define VBMQ_FE_MAX_QUEUES		256

/* ---- negotiation ---------------------------------------------------- */

unsigned int vbmq_fe_nr_rings(unsigned int backend_max,
			      unsigned int param_max,
			      unsigned int online_cpus);
unsigned int vbmq_fe_nr_poll(unsigned int nr_rings, int param,
			     unsigned int backend_default);
unsigned int vbmq_fe_ring_order(unsigned int backend_max_order,
				unsigned int param_max_order);
unsigned int vbmq_fe_max_segs(unsigned int backend_indirect,
			      unsigned int param_indirect);

/*
 * enum vbmq_irq_affinity (vbmq/keys.h) from the irq_affinity parameter or
 * the backend's vbmq/guest-irq-affinity; one trailing newline is accepted.
 */
int vbmq_fe_parse_affinity(const char *s);
const char *vbmq_fe_affinity_name(int mode);

/* ---- queue / vCPU mapping ------------------------------------------- */

unsigned int vbmq_fe_cpu_to_queue(unsigned int cpu_ordinal,
				  unsigned int nr_cpus,
				  unsigned int nr_queues);
void vbmq_fe_map_cpus(const bool *possible, const bool *online,
		      unsigned int nr_cpus, unsigned int nr_queues, u16 *map);
unsigned int vbmq_fe_irq_mask(const u16 *cpu_queue, const bool *online,
			      unsigned int nr_cpus, unsigned int queue,
			      bool *mask);

/* ---- request slots (the shadow free list) --------------------------- */

enum vbmq_fe_slot_state {
	VBMQ_FE_SLOT_FREE = 0,
	VBMQ_FE_SLOT_INFLIGHT = 1,
};

/*
 * Core view of one ring slot.  The id the backend echoes is the slot index.
 * @op is the operation the response must carry; @indirect says the request
 * went out as BLKIF_OP_INDIRECT (backends answer with either code then).
 */
struct vbmq_fe_slot {
	u32 next_free;
	u8 state;
	u8 op;
	u8 indirect;
};

struct vbmq_fe_slots {
	struct vbmq_fe_slot *slot;
	u32 nr;
	u32 free_head;
	u32 nr_free;
};

#define VBMQ_FE_SLOT_NONE	((u32)~0U)

void vbmq_fe_slots_init(struct vbmq_fe_slots *s, struct vbmq_fe_slot *slot,
			u32 nr);
s64 vbmq_fe_slot_get(struct vbmq_fe_slots *s, u8 op, bool indirect);
int vbmq_fe_slot_put(struct vbmq_fe_slots *s, u32 id);

/* ---- responses ------------------------------------------------------ */

enum vbmq_fe_rsp_err {
	VBMQ_FE_RSP_OK = 0,
	VBMQ_FE_RSP_BAD_PROD,		/* rsp_prod ahead of requests sent */
	VBMQ_FE_RSP_BAD_ID,		/* id outside the ring */
	VBMQ_FE_RSP_NOT_INFLIGHT,	/* id names a free slot */
	VBMQ_FE_RSP_BAD_OP,		/* operation differs from request's */
};

bool vbmq_fe_rsp_prod_ok(u32 rsp_prod, u32 rsp_cons, u32 req_prod_pvt);
enum vbmq_fe_rsp_err vbmq_fe_rsp_check(const struct vbmq_fe_slots *s,
				       u64 id, u8 op);
const char *vbmq_fe_rsp_err_str(enum vbmq_fe_rsp_err err);
int vbmq_fe_rsp_status(int status);

/* ---- segment packing ------------------------------------------------ */

/* One scatter-gather element: @len bytes at @offset inside one page. */
struct vbmq_fe_buf {
	u32 offset;
	u32 len;
};

/* One blkif segment: 4 KiB frame @frame of buffer @buf's page. */
struct vbmq_fe_seg {
	u32 buf;
	u32 frame;
	u8 first_sect;
	u8 last_sect;
};

struct vbmq_fe_layout {
	u32 nr_segs;
	u32 nr_indirect;	/* indirect descriptor pages, 0 = direct */
};

int vbmq_fe_pack(const struct vbmq_fe_buf *bufs, u32 nr_bufs,
		 u32 page_size, u32 max_segs, struct vbmq_fe_seg *segs,
		 struct vbmq_fe_layout *lay);
void vbmq_fe_indirect_pos(u32 seg, u32 *page, u32 *slot);

/* ---- grant modes and the page pool --------------------------------- */

/*
 * How a ring's data reaches the backend (chosen at connect):
 * DIRECT      the request's own pages, granted for the request;
 * BOUNCE      copied through pages of the ring's pool, granted for the
 *             request (the backend never sees any other guest page);
 * PERSISTENT  copied through pool pages that are granted once, when they
 *             join the pool, and stay granted until the ring goes.
 */
enum vbmq_fe_grant_mode {
	VBMQ_FE_GRANT_DIRECT = 0,
	VBMQ_FE_GRANT_BOUNCE = 1,
	VBMQ_FE_GRANT_PERSISTENT = 2,
};

int vbmq_fe_grant_mode(bool be_persistent, bool param_persistent,
		       bool trusted);
const char *vbmq_fe_grant_mode_name(int mode);
u32 vbmq_fe_pool_max(u32 ring_size, u32 max_segs);

/*
 * A ring's pool of pages, by entry number: entries 0..nr-1 exist (the
 * caller keeps each one's page and grant in arrays of @max), never more than
 * @max.  Free entries are a stack; @used catches a double put.
 */
struct vbmq_fe_pool {
	u32 *free;	/* [max] stack of free entry numbers */
	u8 *used;	/* [max] 1 while the entry is handed out */
	u32 max;
	u32 nr;
	u32 nr_free;
};

void vbmq_fe_pool_init(struct vbmq_fe_pool *p, u32 *free, u8 *used,
		       u32 max);
int vbmq_fe_pool_need(const struct vbmq_fe_pool *p, u32 want, u32 *add);
s64 vbmq_fe_pool_add(struct vbmq_fe_pool *p);
s64 vbmq_fe_pool_get(struct vbmq_fe_pool *p);
int vbmq_fe_pool_put(struct vbmq_fe_pool *p, u32 entry);
void vbmq_fe_seg_span(const struct vbmq_fe_seg *seg, u32 *page_off,
		      u32 *frame_off, u32 *len);

/* ---- xenbus states ------------------------------------------------- */

/*
 * The closing handshake (xl block-detach, a backend giving up): what the
 * frontend does on seeing the backend in @be_state while itself in
 * @fe_state (both enum xenbus_state values; any other asks for nothing).
 * A mask of:
 *   VBMQ_FE_CLOSE_STOP     take no more I/O and go Closed, keeping every
 *                          grant: the backend may still map them;
 *   VBMQ_FE_CLOSE_RELEASE  the backend has let go (Closed, or its directory
 *                          gone once the frontend closed): end the grants,
 *                          fail what it did not answer, delete the disk.
 */
#define VBMQ_FE_CLOSE_STOP	0x1U
#define VBMQ_FE_CLOSE_RELEASE	0x2U

unsigned int vbmq_fe_close_action(int be_state, int fe_state);

/* ---- virtual-device numbers ----------------------------------------- */

#define VBMQ_FE_NAME_LEN	32

struct vbmq_fe_vdev {
	u32 first_minor;
	u32 nr_minors;		/* 1 when the vdev names a partition */
	u32 index;		/* disk index: 0 = xvda */
	char name[VBMQ_FE_NAME_LEN];
};

int vbmq_fe_vdev_parse(u32 vdevice, struct vbmq_fe_vdev *out);

#endif /* VBMQ_BLKFRONT_CORE_H */
