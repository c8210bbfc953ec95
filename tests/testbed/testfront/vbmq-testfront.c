// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-testfront: a test-only blkif frontend for the test bed; not part of
 * the product.  A domU loads it instead of a block frontend (domu_start
 * frontend=testfront).  It binds one "vbd" device, negotiates one ring in
 * the ABI chosen by the protocol parameter (x86_32-abi or x86_64-abi) and
 * then writes raw requests into the ring itself, good ones and hostile ones,
 * to prove what a backend does with them:
 *
 *   io        multi-segment WRITEs and READs with non-zero first_sect,
 *             FLUSH, BARRIER, DISCARD and INDIRECT when offered: every
 *             answer BLKIF_RSP_OKAY, every byte read back equal;
 *   hostile   malformed requests (unknown operation, segment counts,
 *             sectors outside the page or the disk, bad grants, bad
 *             INDIRECT): each answered BLKIF_RSP_ERROR, and a good READ
 *             after each still works;
 *   overflow  req_prod pushed far past the ring, then a kick: the backend
 *             must halt the ring and leave Connected;
 *   readonly  on a disk attached read-only: WRITEs (direct, INDIRECT) and a
 *             DISCARD answered BLKIF_RSP_ERROR, a READ OKAY;
 *   restart   the frontend restarts on the same backend, as a kexec'd guest
 *             kernel resets its disks: Closing, Closed, Initialising, then a
 *             new ring in the other ABI; data written before reads back;
 *   barrier   a WRITE of 11 pages and a WRITE_BARRIER in one batch: the
 *             barrier must be answered after the WRITE (on a slow disk, a
 *             barrier not drained overtakes it);
 *   fill      every ring slot at once with an INDIRECT READ of 32 pages:
 *             all answered OKAY (a backend that bounds its bounce pages
 *             makes some wait, never fail them);
 *   flood     2048 requests of an unknown operation, 32 at a time, each
 *             answered ERROR (for the backend's CPU cost per bad request);
 *   close     every ring slot with an INDIRECT READ of 96 segments, then
 *             Closing at once, without waiting for the answers: the
 *             backend drains them while the frontend leaves (last).
 *
 * On a disk with logical blocks above 512 bytes the good requests move
 * whole blocks and the hostile program adds unaligned READs and WRITEs.
 * With persistent=1 it offers feature-persistent, so a backend's
 * zero-copy path gets the hostile requests too.
 *
 * With set_key or omit_key it offers the backend a bad ring key instead
 * (a value out of range, an unknown protocol, a missing key): the backend
 * must refuse to connect.
 *
 * The request layouts below are written from the Xen public io/blkif.h
 * definitions for each ABI (in the x86_32 ABI a uint64_t is 4-byte
 * aligned), not from any backend's view of them, so the test is not
 * circular.  Only operation numbers, limits and the generic ring macros
 * come from the kernel's copy of the public headers.
 *
 * Results go to /sys/kernel/debug/vbmq-testfront/results, one line each:
 * "ok TEXT", "not ok TEXT" or "# TEXT" (also in the kernel log).  Writing
 * program names to .../run runs them; .../counters has the number of
 * requests sent and responses received.
 *
 * Locking: tf_lock serialises the programs, the ring's setup and teardown
 * and the device's probe and removal.  The backend state (be_state) is
 * written by the xenwatch thread before it takes tf_lock, so a program
 * holding tf_lock sees the backend leave and stops waiting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/ring.h>

#include "vbmq/proto.h"

/* ---- module parameters ---- */

static char *tf_protocol = "x86_32-abi";
module_param_named(protocol, tf_protocol, charp, 0444);
MODULE_PARM_DESC(protocol,
		 "Ring ABI written to the protocol key: x86_32-abi or x86_64-abi (default x86_32-abi)");

static char *tf_program = "";
module_param_named(program, tf_program, charp, 0444);
MODULE_PARM_DESC(program,
		 "Programs run once the disk is connected, comma-separated: io, hostile, overflow, readonly, restart, barrier, fill, flood, close (default none)");

static bool tf_strict = true;
module_param_named(strict, tf_strict, bool, 0444);
MODULE_PARM_DESC(strict,
		 "Expect vbmq-blkback's exact answers: ERROR for an unknown operation (default 1; 0 for the in-tree xen-blkback: EOPNOTSUPP allowed)");

static bool tf_persistent;
module_param_named(persistent, tf_persistent, bool, 0444);
MODULE_PARM_DESC(persistent,
		 "Offer feature-persistent (default 0; the in-tree xen-blkback then maps WRITE grants writable, which this frontend grants read-only)");

static char *tf_set_key = "";
module_param_named(set_key, tf_set_key, charp, 0444);
MODULE_PARM_DESC(set_key,
		 "One more frontend key, KEY=VALUE, written after the ring keys (so it may replace one): a bad value for the backend to refuse, e.g. ring-page-order=9 (default none)");

static char *tf_omit_key = "";
module_param_named(omit_key, tf_omit_key, charp, 0444);
MODULE_PARM_DESC(omit_key,
		 "A ring key left out, for the backend to refuse: ring-ref, event-channel or protocol (default none)");

static unsigned int tf_timeout_ms = 10000;
module_param_named(timeout_ms, tf_timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms,
		 "How long to wait for an answer or a state change, in ms (100..600000; default 10000)");

/* ---- blkif layouts, from the Xen public io/blkif.h ---- */

#define TF_SEGS		BLKIF_MAX_SEGMENTS_PER_REQUEST		/* 11 */
#define TF_IPAGES	BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST	/* 8 */
#define TF_OP_UNKNOWN	99	/* no such operation */
#define TF_OP_RESERVED	4	/* BLKIF_OP_RESERVED_1: never valid */

/* struct blkif_request_segment: 8 bytes in both ABIs */
struct tf_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
	u16 pad;
} __packed;

/* x86_32 ABI: the 64-bit id follows the 4-byte header without a gap. */
struct tf32_rw {
	u8 operation;
	u8 nr_segments;
	u16 handle;
	u64 id;
	u64 sector_number;
	struct tf_seg seg[TF_SEGS];
} __packed;

struct tf32_discard {
	u8 operation;
	u8 flag;
	u16 handle;
	u64 id;
	u64 sector_number;
	u64 nr_sectors;
} __packed;

struct tf32_indirect {
	u8 operation;
	u8 indirect_op;
	u16 nr_segments;
	u64 id;
	u64 sector_number;
	u16 handle;
	u16 pad;
	u32 indirect_grefs[TF_IPAGES];
	u64 pad2;
} __packed;

union tf32_req {
	struct tf32_rw rw;
	struct tf32_discard discard;
	struct tf32_indirect indirect;
};

struct tf32_rsp {
	u64 id;
	u8 operation;
	u8 pad;
	s16 status;
} __packed;

/* x86_64 ABI: 4 bytes of padding put the 64-bit id on an 8-byte boundary. */
struct tf64_rw {
	u8 operation;
	u8 nr_segments;
	u16 handle;
	u32 pad;
	u64 id;
	u64 sector_number;
	struct tf_seg seg[TF_SEGS];
} __packed;

struct tf64_discard {
	u8 operation;
	u8 flag;
	u16 handle;
	u32 pad;
	u64 id;
	u64 sector_number;
	u64 nr_sectors;
} __packed;

struct tf64_indirect {
	u8 operation;
	u8 indirect_op;
	u16 nr_segments;
	u32 pad;
	u64 id;
	u64 sector_number;
	u16 handle;
	u16 pad2;
	u32 indirect_grefs[TF_IPAGES];
	u32 pad3;
} __packed;

union tf64_req {
	struct tf64_rw rw;
	struct tf64_discard discard;
	struct tf64_indirect indirect;
};

struct tf64_rsp {
	u64 id;
	u8 operation;
	u8 pad;
	s16 status;
	u32 pad2;
} __packed;

/* What the public header's layouts come to (offsets in bytes). */
static_assert(sizeof(struct tf_seg) == 8);
static_assert(sizeof(union tf32_req) == 108);
static_assert(offsetof(struct tf32_rw, id) == 4);
static_assert(offsetof(struct tf32_rw, seg) == 20);
static_assert(offsetof(struct tf32_discard, nr_sectors) == 20);
static_assert(offsetof(struct tf32_indirect, handle) == 20);
static_assert(offsetof(struct tf32_indirect, indirect_grefs) == 24);
static_assert(sizeof(struct tf32_rsp) == 12);
static_assert(sizeof(union tf64_req) == 112);
static_assert(offsetof(struct tf64_rw, id) == 8);
static_assert(offsetof(struct tf64_rw, seg) == 24);
static_assert(offsetof(struct tf64_discard, nr_sectors) == 24);
static_assert(offsetof(struct tf64_indirect, handle) == 24);
static_assert(offsetof(struct tf64_indirect, indirect_grefs) == 28);
static_assert(sizeof(struct tf64_rsp) == 16);

DEFINE_RING_TYPES(tf32, union tf32_req, struct tf32_rsp);
DEFINE_RING_TYPES(tf64, union tf64_req, struct tf64_rsp);

/* A request before it is laid out in one ABI or the other. */
struct tf_req {
	u64 id;
	u64 sector;
	u64 nr_sectors;			/* DISCARD */
	u8 operation;
	u8 nr_segments;			/* READ/WRITE/FLUSH/BARRIER, as sent */
	u8 flag;			/* DISCARD */
	u8 indirect_op;			/* INDIRECT */
	u16 ind_nr_segments;		/* INDIRECT, as sent */
	u16 handle;
	struct tf_seg seg[TF_SEGS];
	u32 indirect_gref[TF_IPAGES];
};

struct tf_rsp {
	u64 id;
	u8 operation;
	s16 status;
	u64 seq;			/* order of arrival since connect */
};

/*
 * Lay out req in slot; slot points to a union tf32_req or union tf64_req.
 * The locals' names must not be the caller's: they shadow its arguments.
 */
#define TF_ENCODE(slot, req) do {					\
	typeof(slot) tf_w_ = (slot);					\
	const struct tf_req *tf_r_ = (req);				\
									\
	memset(tf_w_, 0, sizeof(*tf_w_));				\
	switch (tf_r_->operation) {					\
	case BLKIF_OP_DISCARD:						\
		tf_w_->discard.operation = tf_r_->operation;		\
		tf_w_->discard.flag = tf_r_->flag;			\
		tf_w_->discard.handle = tf_r_->handle;			\
		tf_w_->discard.id = tf_r_->id;				\
		tf_w_->discard.sector_number = tf_r_->sector;		\
		tf_w_->discard.nr_sectors = tf_r_->nr_sectors;		\
		break;							\
	case BLKIF_OP_INDIRECT:						\
		tf_w_->indirect.operation = tf_r_->operation;		\
		tf_w_->indirect.indirect_op = tf_r_->indirect_op;	\
		tf_w_->indirect.nr_segments = tf_r_->ind_nr_segments;	\
		tf_w_->indirect.id = tf_r_->id;				\
		tf_w_->indirect.sector_number = tf_r_->sector;		\
		tf_w_->indirect.handle = tf_r_->handle;			\
		memcpy(tf_w_->indirect.indirect_grefs, tf_r_->indirect_gref, \
		       sizeof(tf_r_->indirect_gref));			\
		break;							\
	default:							\
		tf_w_->rw.operation = tf_r_->operation;			\
		tf_w_->rw.nr_segments = tf_r_->nr_segments;		\
		tf_w_->rw.handle = tf_r_->handle;			\
		tf_w_->rw.id = tf_r_->id;				\
		tf_w_->rw.sector_number = tf_r_->sector;		\
		memcpy(tf_w_->rw.seg, tf_r_->seg, sizeof(tf_r_->seg));	\
		break;							\
	}								\
} while (0)

/* ---- state ---- */

#define TF_PAGES	32	/* data pages of each direction */
#define TF_BATCH	32	/* most requests in flight (ring slots) */
#define TF_IO_BASE	2048ull	/* sector of the io program's area */
#define TF_IND_BASE	4096ull	/* its INDIRECT area */
#define TF_HOST_BASE	8192ull	/* the hostile program's reference area */
#define TF_HOST_SECTS	64u
#define TF_RESTART_BASE	12288ull	/* the restart program's area */
#define TF_BARRIER_BASE	16384ull	/* the barrier program's area */
#define TF_POISON	0xee	/* read pages before the backend fills them */

struct tf_dev {
	struct xenbus_device *dev;
	bool abi32;
	u16 handle;
	int be_state;		/* last backend state; written by xenwatch */
	bool connected;		/* under tf_lock */
	/*
	 * Set under tf_lock while the restart program drives the states
	 * itself; the xenwatch handler then only records the backend's.
	 */
	bool restarting;

	/* What the backend offers, read when it connects. */
	u64 sectors;
	unsigned int sector_size;
	bool flush, barrier, discard;
	unsigned int discard_gran;	/* sectors */
	unsigned int max_indirect;	/* usable here: at most TF_PAGES - 1 */
	unsigned int max_indirect_offered;

	/* The ring and the data pages: set up at InitWait, under tf_lock. */
	void *sring;
	grant_ref_t ring_ref;
	evtchn_port_t evtchn;
	int irq;
	struct tf32_front_ring r32;
	struct tf64_front_ring r64;
	struct page *wpage[TF_PAGES];	/* WRITE data, granted read-only */
	grant_ref_t wref[TF_PAGES];
	struct page *rpage[TF_PAGES];	/* READ data, granted read-write */
	grant_ref_t rref[TF_PAGES];
	struct page *ipage;		/* INDIRECT segments, read-only */
	grant_ref_t iref;
	grant_ref_t unused_ref;		/* allocated, never granted */
	bool have_unused_ref;

	wait_queue_head_t wq;		/* responses and backend states */
	struct work_struct work;	/* the program parameter */
	u64 next_id;
	u32 seed;
	unsigned int good_reads;
	struct tf_req rw_req[TF_SEGS];	/* tf_rw()'s batch, under tf_lock */
	struct tf_rsp rw_rsp[TF_SEGS];
	u64 nr_reqs, nr_rsps, nr_err_rsps;	/* since connect */
};

static DEFINE_MUTEX(tf_lock);
static struct tf_dev *tf_cur;	/* the one bound device; under tf_lock */

/* ---- results ---- */

#define TF_RES_SIZE	(64 * 1024)

static DEFINE_MUTEX(tf_res_lock);
static char *tf_res;
static size_t tf_res_len;
static struct dentry *tf_dbg;

static __printf(2, 3) void tf_line(const char *kind, const char *fmt, ...)
{
	char buf[320];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_info("%s%s\n", kind, buf);
	mutex_lock(&tf_res_lock);
	n = scnprintf(tf_res + tf_res_len, TF_RES_SIZE - tf_res_len, "%s%s\n",
		      kind, buf);
	tf_res_len += n;
	mutex_unlock(&tf_res_lock);
}

#define tf_note(...)	tf_line("# ", __VA_ARGS__)
#define tf_result(good, ...) tf_line((good) ? "ok " : "not ok ", __VA_ARGS__)

/* ---- the ring in either ABI ---- */

static unsigned int tf_ring_size(const struct tf_dev *tf)
{
	return tf->abi32 ? RING_SIZE(&tf->r32) : RING_SIZE(&tf->r64);
}

static struct tf32_sring *tf_sring(const struct tf_dev *tf)
{
	/* The header (indexes and events) is the same in both ABIs. */
	return tf->sring;
}

static void tf_put_req(struct tf_dev *tf, const struct tf_req *r)
{
	if (tf->abi32) {
		union tf32_req *w = RING_GET_REQUEST(&tf->r32,
						     tf->r32.req_prod_pvt++);

		TF_ENCODE(w, r);
	} else {
		union tf64_req *w = RING_GET_REQUEST(&tf->r64,
						     tf->r64.req_prod_pvt++);

		TF_ENCODE(w, r);
	}
	tf->nr_reqs++;
}

/*
 * Publish the requests written so far; kick if the backend asked for it.
 * The macro's virt_wmb() between the slots and req_prod pairs with the
 * backend's read barrier after it reads req_prod.
 */
static void tf_push(struct tf_dev *tf)
{
	int notify;

	if (tf->abi32)
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tf->r32, notify);
	else
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tf->r64, notify);
	if (notify)
		notify_remote_via_irq(tf->irq);
}

static RING_IDX tf_req_prod_pvt(const struct tf_dev *tf)
{
	return tf->abi32 ? tf->r32.req_prod_pvt : tf->r64.req_prod_pvt;
}

static RING_IDX tf_rsp_cons(const struct tf_dev *tf)
{
	return tf->abi32 ? tf->r32.rsp_cons : tf->r64.rsp_cons;
}

static bool tf_rsp_avail(const struct tf_dev *tf)
{
	return READ_ONCE(tf_sring(tf)->rsp_prod) != tf_rsp_cons(tf);
}

static void tf_get_rsp(struct tf_dev *tf, struct tf_rsp *out)
{
	if (tf->abi32) {
		struct tf32_rsp *s = RING_GET_RESPONSE(&tf->r32,
						       tf->r32.rsp_cons++);

		out->id = s->id;
		out->operation = s->operation;
		out->status = s->status;
	} else {
		struct tf64_rsp *s = RING_GET_RESPONSE(&tf->r64,
						       tf->r64.rsp_cons++);

		out->id = s->id;
		out->operation = s->operation;
		out->status = s->status;
	}
}

/*
 * Re-arm rsp_event and look again; the macro's virt_mb() pairs with the
 * backend's barrier between writing rsp_prod and reading rsp_event.
 */
static int tf_final_check(struct tf_dev *tf)
{
	int more;

	if (tf->abi32)
		RING_FINAL_CHECK_FOR_RESPONSES(&tf->r32, more);
	else
		RING_FINAL_CHECK_FOR_RESPONSES(&tf->r64, more);
	return more;
}

static bool tf_be_connected(const struct tf_dev *tf)
{
	return READ_ONCE(tf->be_state) == XenbusStateConnected;
}

static irqreturn_t tf_interrupt(int irq, void *dev_id)
{
	struct tf_dev *tf = dev_id;

	wake_up_all(&tf->wq);
	return IRQ_HANDLED;
}

static const char *tf_status_name(int status)
{
	switch (status) {
	case BLKIF_RSP_OKAY:
		return "OKAY";
	case BLKIF_RSP_ERROR:
		return "ERROR";
	case BLKIF_RSP_EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		return "unknown status";
	}
}

/*
 * Send n requests in one batch and wait for their answers, matched by id
 * (a duplicate id matches its requests in turn).  rsp[i] is the answer to
 * req[i].  Returns 0, -ETIMEDOUT, -ENOTCONN (the backend left) or -EPROTO
 * (an answer nobody asked for, or a response producer out of range).
 */
static int tf_exchange(struct tf_dev *tf, const struct tf_req *req,
		       unsigned int n, struct tf_rsp *rsp)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(tf_timeout_ms);
	bool matched[TF_BATCH] = { };
	unsigned int i, got = 0, stray = 0;
	struct tf_rsp r;
	RING_IDX rp;
	long left;

	if (n > TF_BATCH || tf_req_prod_pvt(tf) - tf_rsp_cons(tf) + n >
	    tf_ring_size(tf))
		return -ENOSPC;
	for (i = 0; i < n; i++)
		tf_put_req(tf, &req[i]);
	tf_push(tf);
	while (got < n) {
		left = (long)deadline - (long)jiffies;
		if (left <= 0)
			return -ETIMEDOUT;
		wait_event_timeout(tf->wq, tf_rsp_avail(tf) ||
				   !tf_be_connected(tf), left);
		if (!tf_rsp_avail(tf)) {
			if (!tf_be_connected(tf))
				return -ENOTCONN;
			continue;
		}
		rp = READ_ONCE(tf_sring(tf)->rsp_prod);
		if (rp - tf_rsp_cons(tf) > tf_ring_size(tf))
			return -EPROTO;
		/* Slots after rsp_prod: pairs with the backend's virt_wmb(). */
		virt_rmb();
		while (tf_rsp_cons(tf) != rp) {
			tf_get_rsp(tf, &r);
			r.seq = tf->nr_rsps++;
			if (r.status != BLKIF_RSP_OKAY)
				tf->nr_err_rsps++;
			for (i = 0; i < n; i++)
				if (!matched[i] && req[i].id == r.id)
					break;
			if (i == n) {
				tf_note("answer with id %#llx nobody asked for (status %d)",
					r.id, r.status);
				stray++;
				continue;
			}
			matched[i] = true;
			rsp[i] = r;
			got++;
		}
		tf_final_check(tf);
	}
	return stray ? -EPROTO : 0;
}

static u64 tf_new_id(struct tf_dev *tf)
{
	/* All 64 bits in use: an id cut or misplaced does not match. */
	return 0xa5c3000000000000ull | (++tf->next_id << 4) | 0x9;
}

/* ---- data pattern ---- */

/* The pattern's 32-bit word at byte offset off of the disk. */
static u32 tf_word(const struct tf_dev *tf, u64 off)
{
	return (u32)(((off >> 2) * 0x9e3779b97f4a7c15ull) >> 32) ^ tf->seed;
}

static void tf_fill(const struct tf_dev *tf, u8 *buf, u64 disk_off,
		    unsigned int len)
{
	u32 *w = (u32 *)buf;
	unsigned int i;

	for (i = 0; i < len / 4; i++)
		w[i] = tf_word(tf, disk_off + 4 * i);
}

static bool tf_sector_is(const struct tf_dev *tf, const u8 *buf, u64 sector,
			 bool zero)
{
	const u32 *w = (const u32 *)buf;
	unsigned int i;

	for (i = 0; i < 512 / 4; i++)
		if (w[i] != (zero ? 0 : tf_word(tf, (sector << 9) + 4 * i)))
			return false;
	return true;
}

static bool tf_bytes_are(const u8 *p, u8 v, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- building READ and WRITE requests ---- */

/* nr sectors from sector, the first segment starting at first_sect. */
struct tf_xfer {
	u64 sector;
	unsigned int nr;
	unsigned int first;
};

/*
 * A transfer of nr sectors at sector, the first segment at first_sect,
 * for a disk of 512-byte blocks; on larger blocks it is widened to whole
 * blocks (page-aligned first segment), so the good requests stay good.
 */
static struct tf_xfer tf_x(const struct tf_dev *tf, u64 sector,
			   unsigned int nr, unsigned int first)
{
	unsigned int lb = max(tf->sector_size >> VBMQ_SECTOR_SHIFT, 1u);

	if (lb > 1)
		return (struct tf_xfer){ roundup(sector, lb), roundup(nr, lb),
					 0 };
	return (struct tf_xfer){ sector, nr, first };
}

/*
 * Segments for x on consecutive pages starting at page pg: at most max of
 * them into seg[].  Returns how many, 0 if they do not fit.
 */
static unsigned int tf_segs(const grant_ref_t *refs, unsigned int pg,
			    const struct tf_xfer *x, struct tf_seg *seg,
			    unsigned int max)
{
	unsigned int n = 0, f = x->first, left = x->nr, cnt;

	while (left) {
		if (n == max || pg + n >= TF_PAGES)
			return 0;
		cnt = min(VBMQ_SECTS_PER_GRANT - f, left);
		seg[n].gref = refs[pg + n];
		seg[n].first_sect = (u8)f;
		seg[n].last_sect = (u8)(f + cnt - 1);
		seg[n].pad = 0;
		left -= cnt;
		f = 0;
		n++;
	}
	return n;
}

/* Byte offset in its page and sector count of one segment. */
static unsigned int tf_seg_off(const struct tf_seg *s)
{
	return s->first_sect << VBMQ_SECTOR_SHIFT;
}

static unsigned int tf_seg_sects(const struct tf_seg *s)
{
	return s->last_sect - s->first_sect + 1;
}

/* A sector range whose content may read as zeros (discarded). */
struct tf_hole {
	u64 start, end;
	unsigned int zero, kept;	/* sectors found zero / unchanged */
};

/*
 * Check a READ's pages: each segment's sectors hold the pattern (or, in
 * the hole, zeros), and every byte outside the segments is still poison.
 */
static int tf_verify(struct tf_dev *tf, const struct tf_seg *seg,
		     unsigned int nseg, unsigned int pg, u64 sector,
		     struct tf_hole *hole, char *why, size_t whylen)
{
	unsigned int i, s, off, end;
	const u8 *p;

	for (i = 0; i < nseg; i++) {
		p = page_address(tf->rpage[pg + i]);
		off = tf_seg_off(&seg[i]);
		end = off + (tf_seg_sects(&seg[i]) << VBMQ_SECTOR_SHIFT);
		if (!tf_bytes_are(p, TF_POISON, off) ||
		    !tf_bytes_are(p + end, TF_POISON, XEN_PAGE_SIZE - end)) {
			snprintf(why, whylen,
				 "segment %u: bytes outside first_sect %u..last_sect %u were written",
				 i, seg[i].first_sect, seg[i].last_sect);
			return -EIO;
		}
		for (s = 0; s < tf_seg_sects(&seg[i]); s++, sector++) {
			const u8 *b = p + off + (s << VBMQ_SECTOR_SHIFT);

			if (tf_sector_is(tf, b, sector, false)) {
				if (hole && sector >= hole->start &&
				    sector < hole->end)
					hole->kept++;
				continue;
			}
			if (hole && sector >= hole->start &&
			    sector < hole->end &&
			    tf_sector_is(tf, b, sector, true)) {
				hole->zero++;
				continue;
			}
			snprintf(why, whylen,
				 "sector %llu (segment %u) differs from what was written",
				 sector, i);
			return -EIO;
		}
	}
	return 0;
}

static int tf_check_rsps(const struct tf_req *req, const struct tf_rsp *rsp,
			 unsigned int n, int err, char *why, size_t whylen)
{
	unsigned int i;
	u8 op;

	if (err) {
		snprintf(why, whylen, "no complete answer: error %d", err);
		return err;
	}
	for (i = 0; i < n; i++) {
		op = req[i].operation == BLKIF_OP_INDIRECT ?
			req[i].indirect_op : req[i].operation;
		if (rsp[i].status != BLKIF_RSP_OKAY) {
			snprintf(why, whylen, "request %u (op %u) answered %s",
				 i, req[i].operation,
				 tf_status_name(rsp[i].status));
			return -EIO;
		}
		if (rsp[i].operation != op) {
			snprintf(why, whylen,
				 "request %u: answer echoes operation %u, not %u",
				 i, rsp[i].operation, op);
			return -EIO;
		}
	}
	return 0;
}

/*
 * READs or WRITEs of the transfers x[0..n-1] in one batch, on consecutive
 * data pages.  WRITE data is the pattern; READ data is checked against it
 * (hole: a range that may read as zeros).  With indirect, one INDIRECT
 * request (n must be 1) carries the segments in the indirect page.
 */
static int tf_rw(struct tf_dev *tf, u8 op, bool indirect,
		 const struct tf_xfer *x, unsigned int n, struct tf_hole *hole,
		 char *why, size_t whylen)
{
	const grant_ref_t *refs = op == BLKIF_OP_WRITE ? tf->wref : tf->rref;
	struct tf_seg *iseg = page_address(tf->ipage);
	struct tf_req *req = tf->rw_req;
	struct tf_rsp *rsp = tf->rw_rsp;
	unsigned int pg[TF_SEGS], nseg[TF_SEGS], i, j, p = 0;
	struct tf_seg *seg;
	int err;

	if (n > TF_SEGS || (indirect && n != 1))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		memset(&req[i], 0, sizeof(req[i]));
		req[i].id = tf_new_id(tf);
		req[i].sector = x[i].sector;
		req[i].handle = tf->handle;
		if (indirect) {
			seg = iseg;
			nseg[i] = tf_segs(refs, p, &x[i], seg, tf->max_indirect);
			req[i].operation = BLKIF_OP_INDIRECT;
			req[i].indirect_op = op;
			req[i].ind_nr_segments = (u16)nseg[i];
			req[i].indirect_gref[0] = tf->iref;
		} else {
			seg = req[i].seg;
			nseg[i] = tf_segs(refs, p, &x[i], seg, TF_SEGS);
			req[i].operation = op;
			req[i].nr_segments = (u8)nseg[i];
		}
		if (!nseg[i]) {
			snprintf(why, whylen, "transfer %u does not fit", i);
			return -EINVAL;
		}
		pg[i] = p;
		for (j = 0; j < nseg[i]; j++) {
			u8 *d = page_address(op == BLKIF_OP_WRITE ?
					     tf->wpage[p + j] :
					     tf->rpage[p + j]);
			u64 s = x[i].sector;

			if (op == BLKIF_OP_READ) {
				memset(d, TF_POISON, XEN_PAGE_SIZE);
				continue;
			}
			if (j)
				s += VBMQ_SECTS_PER_GRANT - x[i].first +
					(j - 1) * VBMQ_SECTS_PER_GRANT;
			tf_fill(tf, d + tf_seg_off(&seg[j]), s << VBMQ_SECTOR_SHIFT,
				tf_seg_sects(&seg[j]) << VBMQ_SECTOR_SHIFT);
		}
		p += nseg[i];
	}
	err = tf_exchange(tf, req, n, rsp);
	err = tf_check_rsps(req, rsp, n, err, why, whylen);
	if (err || op != BLKIF_OP_READ)
		return err;
	for (i = 0; i < n; i++) {
		seg = indirect ? iseg : req[i].seg;
		err = tf_verify(tf, seg, nseg[i], pg[i], x[i].sector, hole,
				why, whylen);
		if (err)
			return err;
	}
	return 0;
}

/* One request of the other kinds (FLUSH, BARRIER, DISCARD), answered OKAY. */
static int tf_simple(struct tf_dev *tf, struct tf_req *req, char *why,
		     size_t whylen)
{
	struct tf_rsp rsp;

	req->id = tf_new_id(tf);
	return tf_check_rsps(req, &rsp, 1, tf_exchange(tf, req, 1, &rsp), why,
			     whylen);
}

/* ---- program io ---- */

static void tf_prog_io(struct tf_dev *tf)
{
	/* Four WRITEs of 3, 5, 9 and 11 segments, first_sect 1..5. */
	static const struct { unsigned int nr, first; } w[] = {
		{ 21, 1 }, { 37, 2 }, { 60, 5 }, { 85, 3 },
	};
	struct tf_xfer x[ARRAY_SIZE(w)], rd[3];
	struct tf_hole hole = { };
	u64 s = TF_IO_BASE, total;
	unsigned int i, g;
	struct tf_req req;
	char why[160] = "";
	int err;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		x[i] = tf_x(tf, s, w[i].nr, w[i].first);
		s = x[i].sector + x[i].nr;
	}
	total = s - TF_IO_BASE;
	err = tf_rw(tf, BLKIF_OP_WRITE, false, x, ARRAY_SIZE(x), NULL, why,
		    sizeof(why));
	tf_result(!err, "io: 4 WRITEs, 3-11 segments, %llu sectors: OKAY%s%s",
		  total, err ? ": " : "", why);

	/* Read back with other segment boundaries: first_sect 4. */
	rd[0] = tf_x(tf, TF_IO_BASE, 84, 4);
	rd[1] = tf_x(tf, TF_IO_BASE + 84, 84, 4);
	rd[2] = tf_x(tf, TF_IO_BASE + 168, total - 168, 4);
	err = tf_rw(tf, BLKIF_OP_READ, false, rd, 3, NULL, why, sizeof(why));
	tf_result(!err, "io: READ back, other boundaries: data equal%s%s",
		  err ? ": " : "", why);

	memset(&req, 0, sizeof(req));
	req.operation = BLKIF_OP_FLUSH_DISKCACHE;
	req.handle = tf->handle;
	if (tf->flush) {
		err = tf_simple(tf, &req, why, sizeof(why));
		tf_result(!err, "io: FLUSH_DISKCACHE answered OKAY%s%s",
			  err ? ": " : "", why);
	} else {
		tf_note("io: the backend does not offer feature-flush-cache");
	}
	if (tf->barrier) {
		req.operation = BLKIF_OP_WRITE_BARRIER;
		err = tf_simple(tf, &req, why, sizeof(why));
		tf_result(!err, "io: WRITE_BARRIER without data answered OKAY%s%s",
			  err ? ": " : "", why);
	}

	if (tf->discard) {
		g = max(tf->discard_gran, 1u);
		memset(&req, 0, sizeof(req));
		req.operation = BLKIF_OP_DISCARD;
		req.handle = tf->handle;
		req.sector = roundup(TF_IO_BASE + 64, g);
		req.nr_sectors = roundup(64, g);
		err = tf_simple(tf, &req, why, sizeof(why));
		tf_result(!err, "io: DISCARD of %llu sectors at %llu answered OKAY%s%s",
			  req.nr_sectors, req.sector, err ? ": " : "", why);
		hole.start = req.sector;
		hole.end = req.sector + req.nr_sectors;
		err = tf_rw(tf, BLKIF_OP_READ, false, rd, 3, &hole, why,
			    sizeof(why));
		tf_result(!err, "io: sectors around the DISCARD unchanged%s%s",
			  err ? ": " : "", why);
		tf_note("io: discarded sectors read back: %u zero, %u unchanged",
			hole.zero, hole.kept);
	} else {
		tf_note("io: the backend does not offer feature-discard");
	}

	if (tf->max_indirect >= 24) {
		/* 24 segments: 6 + 22 * 8 + 3 sectors, first_sect 2. */
		x[0] = tf_x(tf, TF_IND_BASE, 185, 2);
		err = tf_rw(tf, BLKIF_OP_WRITE, true, x, 1, NULL, why,
			    sizeof(why));
		tf_result(!err, "io: INDIRECT WRITE of 24 segments answered OKAY%s%s",
			  err ? ": " : "", why);
		x[0] = tf_x(tf, TF_IND_BASE, 185, 5);
		err = tf_rw(tf, BLKIF_OP_READ, true, x, 1, NULL, why,
			    sizeof(why));
		tf_result(!err, "io: INDIRECT READ of 24 segments: data equal%s%s",
			  err ? ": " : "", why);
	} else {
		tf_note("io: INDIRECT not tested: the backend offers %u segments",
			tf->max_indirect_offered);
	}
}

/* ---- program hostile ---- */

/* A good READ of 8 sectors of the reference area, data checked. */
static int tf_good_read(struct tf_dev *tf, char *why, size_t whylen)
{
	struct tf_xfer x = {
		.sector = TF_HOST_BASE + (tf->good_reads++ % 8) * 8,
		.nr = 8,
		.first = 0,
	};

	return tf_rw(tf, BLKIF_OP_READ, false, &x, 1, NULL, why, whylen);
}

/* Is status the answer a hostile request of operation op must get? */
static bool tf_refused(u8 op, int status)
{
	if (status == BLKIF_RSP_ERROR)
		return true;
	/* The in-tree backend answers operations it does not know so. */
	return !tf_strict && status == BLKIF_RSP_EOPNOTSUPP &&
		op != BLKIF_OP_READ && op != BLKIF_OP_WRITE &&
		op != BLKIF_OP_INDIRECT && op != BLKIF_OP_DISCARD;
}

/*
 * One hostile request: it must be answered with an error, and the next
 * good READ must still work.
 */
static void tf_hostile(struct tf_dev *tf, const char *desc, struct tf_req *r)
{
	char why[160] = "";
	struct tf_rsp rsp;
	bool refused;
	int err;

	r->id = tf_new_id(tf);
	err = tf_exchange(tf, r, 1, &rsp);
	refused = !err && tf_refused(r->operation, rsp.status);
	if (err) {
		tf_result(false, "hostile: %s: no answer (error %d)", desc, err);
		return;
	}
	err = tf_good_read(tf, why, sizeof(why));
	tf_result(refused && !err, "hostile: %s: answered %s; the next good READ %s%s",
		  desc, tf_status_name(rsp.status), err ? "failed: " : "works",
		  why);
}

/* A direct READ or WRITE of one segment, first..last, at sector. */
static void tf_one_seg(struct tf_dev *tf, struct tf_req *r, u8 op, u64 sector,
		       grant_ref_t gref, u8 first, u8 last)
{
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = 1;
	r->handle = tf->handle;
	r->sector = sector;
	r->seg[0].gref = gref;
	r->seg[0].first_sect = first;
	r->seg[0].last_sect = last;
}

/* A READ or WRITE of n full pages at sector (n <= TF_SEGS). */
static void tf_full_pages(struct tf_dev *tf, struct tf_req *r, u8 op,
			  u64 sector, unsigned int n)
{
	const grant_ref_t *refs = op == BLKIF_OP_WRITE ? tf->wref : tf->rref;
	unsigned int i;

	tf_one_seg(tf, r, op, sector, refs[0], 0, VBMQ_SECTS_PER_GRANT - 1);
	r->nr_segments = (u8)n;
	for (i = 1; i < n && i < TF_SEGS; i++) {
		r->seg[i].gref = refs[i];
		r->seg[i].first_sect = 0;
		r->seg[i].last_sect = VBMQ_SECTS_PER_GRANT - 1;
	}
}

/*
 * An INDIRECT request of nseg segments (as sent).  Every entry of the
 * segment page and every indirect page ref points at harmless targets (full
 * pages granted for READs, the segment page itself), so a backend that
 * wrongly accepts a count still touches nothing else of the guest's.
 */
static void tf_indirect(struct tf_dev *tf, struct tf_req *r, u8 op,
			u64 sector, u16 nseg)
{
	struct tf_seg *iseg = page_address(tf->ipage);
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = op;
	r->ind_nr_segments = nseg;
	r->handle = tf->handle;
	r->sector = sector;
	for (i = 0; i < TF_IPAGES; i++)
		r->indirect_gref[i] = tf->iref;
	for (i = 0; i < XEN_PAGE_SIZE / sizeof(*iseg); i++) {
		iseg[i].gref = tf->rref[i % TF_PAGES];
		iseg[i].first_sect = 0;
		iseg[i].last_sect = VBMQ_SECTS_PER_GRANT - 1;
		iseg[i].pad = 0;
	}
}

/* Read 16 sectors from sector 0 into buf (8 KiB) without checking. */
static int tf_read_head(struct tf_dev *tf, u8 *buf)
{
	struct tf_req r;
	struct tf_rsp rsp;
	char why[96];
	int err;

	tf_full_pages(tf, &r, BLKIF_OP_READ, 0, 2);
	r.id = tf_new_id(tf);
	err = tf_check_rsps(&r, &rsp, 1, tf_exchange(tf, &r, 1, &rsp), why,
			    sizeof(why));
	if (err)
		return err;
	memcpy(buf, page_address(tf->rpage[0]), XEN_PAGE_SIZE);
	memcpy(buf + XEN_PAGE_SIZE, page_address(tf->rpage[1]), XEN_PAGE_SIZE);
	return 0;
}

/* The direct hostile requests, also sent all in one batch. */
static unsigned int tf_hostile_direct(struct tf_dev *tf, struct tf_req *r,
				      const char **desc)
{
	u64 end = tf->sectors;
	unsigned int n = 0;

	memset(&r[n], 0, sizeof(r[n]));
	r[n].operation = TF_OP_UNKNOWN;
	r[n].handle = tf->handle;
	desc[n++] = "unknown operation 99";
	memset(&r[n], 0, sizeof(r[n]));
	r[n].operation = TF_OP_RESERVED;
	r[n].handle = tf->handle;
	desc[n++] = "reserved operation 4";
	tf_full_pages(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, 1);
	r[n].nr_segments = 0;
	desc[n++] = "READ with nr_segments 0";
	tf_full_pages(tf, &r[n], BLKIF_OP_WRITE, TF_HOST_BASE, 1);
	r[n].nr_segments = 0;
	desc[n++] = "WRITE with nr_segments 0";
	tf_full_pages(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, TF_SEGS);
	r[n].nr_segments = TF_SEGS + 1;
	desc[n++] = "READ with nr_segments 12 (> 11)";
	tf_full_pages(tf, &r[n], BLKIF_OP_WRITE, TF_HOST_BASE, TF_SEGS);
	r[n].nr_segments = 255;
	desc[n++] = "WRITE with nr_segments 255";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, tf->rref[0], 5, 2);
	desc[n++] = "READ with first_sect 5 > last_sect 2";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, tf->rref[0], 0, 8);
	desc[n++] = "READ with last_sect 8 (past the 4 KiB page)";
	tf_one_seg(tf, &r[n], BLKIF_OP_WRITE, TF_HOST_BASE, tf->wref[0], 7, 255);
	desc[n++] = "WRITE with first_sect 7, last_sect 255";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, end, tf->rref[0], 0, 0);
	desc[n++] = "READ of the first sector past the end of the disk";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, end - 4, tf->rref[0], 0, 7);
	desc[n++] = "READ of 8 sectors crossing the end of the disk";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, U64_MAX, tf->rref[0], 0, 0);
	desc[n++] = "READ at sector 2^64-1";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, U64_MAX - 3, tf->rref[0], 0, 7);
	desc[n++] = "READ of 8 sectors at 2^64-4 (wraps to 0)";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, tf->unused_ref, 0, 7);
	desc[n++] = "READ into a grant ref never granted";
	tf_one_seg(tf, &r[n], BLKIF_OP_WRITE, TF_HOST_BASE, tf->unused_ref, 0,
		   7);
	desc[n++] = "WRITE from a grant ref never granted";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, 0xfff00000u, 0, 7);
	desc[n++] = "READ into grant ref 0xfff00000 (beyond the grant table)";
	tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, tf->wref[0], 0, 7);
	desc[n++] = "READ into a page granted read-only";
	if (tf->sector_size > 512) {
		tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, tf->rref[0],
			   0, 0);
		desc[n++] = "READ of 1 sector on a disk of larger blocks";
		tf_one_seg(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE + 1,
			   tf->rref[0], 0, 7);
		desc[n++] = "READ of 8 sectors starting 1 sector into a block";
		tf_full_pages(tf, &r[n], BLKIF_OP_WRITE, TF_HOST_BASE, 2);
		r[n].seg[1].first_sect = 4;
		desc[n++] = "WRITE whose second segment has 4 sectors (half a block)";
	}
	if (tf->discard) {
		memset(&r[n], 0, sizeof(r[n]));
		r[n].operation = BLKIF_OP_DISCARD;
		r[n].handle = tf->handle;
		r[n].sector = end - 8;
		r[n].nr_sectors = 16;
		desc[n++] = "DISCARD crossing the end of the disk";
		r[n] = r[n - 1];
		r[n].sector = U64_MAX - 7;
		desc[n++] = "DISCARD of 16 sectors at 2^64-8 (wraps)";
	}
	return n;
}

/* The INDIRECT hostile requests. */
static unsigned int tf_hostile_indirect(struct tf_dev *tf, struct tf_req *r,
					const char **desc)
{
	unsigned int n = 0;

	tf_indirect(tf, &r[n], TF_OP_UNKNOWN, TF_HOST_BASE, 2);
	desc[n++] = "INDIRECT with indirect_op 99";
	tf_indirect(tf, &r[n], BLKIF_OP_FLUSH_DISKCACHE, TF_HOST_BASE, 2);
	desc[n++] = "INDIRECT with indirect_op FLUSH_DISKCACHE";
	tf_indirect(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, 0);
	desc[n++] = "INDIRECT READ with nr_segments 0";
	tf_indirect(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE,
		    (u16)(tf->max_indirect_offered + 1));
	desc[n++] = "INDIRECT READ with nr_segments one above feature-max-indirect-segments";
	tf_indirect(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, 0xffff);
	desc[n++] = "INDIRECT READ with nr_segments 65535";
	tf_indirect(tf, &r[n], BLKIF_OP_READ, TF_HOST_BASE, 2);
	r[n].indirect_gref[0] = tf->unused_ref;
	desc[n++] = "INDIRECT READ whose segment page is a grant ref never granted";
	return n;
}

static void tf_prog_hostile(struct tf_dev *tf)
{
	struct tf_req *r;
	const char *desc[32];
	struct tf_rsp *rsp;
	struct tf_xfer x = { TF_HOST_BASE, TF_HOST_SECTS, 0 };
	unsigned int i, n, bad;
	char why[160] = "";
	u8 *head = NULL;
	int err;

	r = kcalloc(TF_BATCH, sizeof(*r), GFP_KERNEL);
	rsp = kcalloc(TF_BATCH, sizeof(*rsp), GFP_KERNEL);
	head = kmalloc(4 * XEN_PAGE_SIZE, GFP_KERNEL);
	if (!r || !rsp || !head) {
		tf_result(false, "hostile: out of memory");
		goto out_free;
	}

	/* The reference area the good READs check. */
	err = tf_rw(tf, BLKIF_OP_WRITE, false, &x, 1, NULL, why, sizeof(why));
	if (!err)
		err = tf_good_read(tf, why, sizeof(why));
	tf_result(!err, "hostile: reference area written and read back%s%s",
		  err ? ": " : "", why);

	n = tf_hostile_direct(tf, r, desc);
	for (i = 0; i < n; i++)
		tf_hostile(tf, desc[i], &r[i]);

	/* A WRITE that wraps past 2^64 must not land on sectors 0..3. */
	err = tf_read_head(tf, head);
	if (!err) {
		tf_full_pages(tf, &r[0], BLKIF_OP_WRITE, U64_MAX - 3, 1);
		tf_fill(tf, page_address(tf->wpage[0]), 0, XEN_PAGE_SIZE);
		tf_hostile(tf, "WRITE of 8 sectors at 2^64-4 (wraps to 0)", &r[0]);
		err = tf_read_head(tf, head + 2 * XEN_PAGE_SIZE);
	}
	tf_result(!err && !memcmp(head, head + 2 * XEN_PAGE_SIZE,
				  2 * XEN_PAGE_SIZE),
		  "hostile: sectors 0..15 unchanged by the wrapping WRITE%s",
		  err ? " (could not read them)" : "");

	if (tf->max_indirect) {
		n = tf_hostile_indirect(tf, r, desc);
		for (i = 0; i < n; i++)
			tf_hostile(tf, desc[i], &r[i]);
		/* A segment list with a bad entry in it. */
		tf_indirect(tf, &r[0], BLKIF_OP_READ, TF_HOST_BASE, 3);
		((struct tf_seg *)page_address(tf->ipage))[1].last_sect = 9;
		tf_hostile(tf, "INDIRECT READ whose second segment has last_sect 9",
			   &r[0]);
		tf_indirect(tf, &r[0], BLKIF_OP_READ, TF_HOST_BASE, 3);
		((struct tf_seg *)page_address(tf->ipage))[2].gref =
			tf->unused_ref;
		tf_hostile(tf, "INDIRECT READ whose third segment is a grant ref never granted",
			   &r[0]);
		tf_indirect(tf, &r[0], BLKIF_OP_READ, tf->sectors - 8, 2);
		tf_hostile(tf, "INDIRECT READ of 16 sectors crossing the end of the disk",
			   &r[0]);
		if (tf->sector_size > 512) {
			struct tf_seg *iseg = page_address(tf->ipage);

			tf_indirect(tf, &r[0], BLKIF_OP_READ, TF_HOST_BASE, 3);
			iseg[1].first_sect = 1;
			tf_hostile(tf, "INDIRECT READ, second segment 7 sectors (not whole blocks)",
				   &r[0]);
		}
	} else {
		tf_note("hostile: INDIRECT not tested: not offered");
	}

	/*
	 * The handle selects nothing (one ring, one disk) and real frontends
	 * put other things there: a READ with a random one is served.
	 */
	tf_one_seg(tf, &r[0], BLKIF_OP_READ, TF_HOST_BASE, tf->rref[0], 0, 7);
	r[0].handle = (u16)get_random_u32();
	if (r[0].handle == tf->handle)
		r[0].handle ^= 0x5a5a;
	memset(page_address(tf->rpage[0]), TF_POISON, XEN_PAGE_SIZE);
	r[0].id = tf_new_id(tf);
	err = tf_exchange(tf, r, 1, rsp);
	err = tf_check_rsps(r, rsp, 1, err, why, sizeof(why));
	if (!err)
		err = tf_verify(tf, r[0].seg, 1, 0, TF_HOST_BASE, NULL, why,
				sizeof(why));
	tf_result(!err, "hostile: READ with random handle %#x (disk's %#x): OKAY, data equal%s%s",
		  r[0].handle, tf->handle, err ? ": " : "", why);

	/* Duplicate ids are the frontend's business: each is answered. */
	for (i = 0; i < 3; i++) {
		tf_one_seg(tf, &r[i], BLKIF_OP_READ, TF_HOST_BASE + 8 * i,
			   tf->rref[i], 0, 7);
		r[i].id = 0x0123456789abcdefull;
	}
	err = tf_exchange(tf, r, 3, rsp);
	err = tf_check_rsps(r, rsp, 3, err, why, sizeof(why));
	tf_result(!err, "hostile: 3 READs sharing one id: all answered OKAY with that id%s%s",
		  err ? ": " : "", why);

	/* All the direct ones at once, then a good READ. */
	n = tf_hostile_direct(tf, r, desc);
	for (i = 0; i < n; i++)
		r[i].id = tf_new_id(tf);
	err = tf_exchange(tf, r, n, rsp);
	for (i = 0, bad = 0; !err && i < n; i++) {
		if (tf_refused(r[i].operation, rsp[i].status))
			continue;
		if (!bad++)
			snprintf(why, sizeof(why), "%s answered %s", desc[i],
				 tf_status_name(rsp[i].status));
	}
	if (err)
		snprintf(why, sizeof(why), "no complete answer: error %d", err);
	else if (!bad)
		err = tf_good_read(tf, why, sizeof(why));
	tf_result(!err && !bad, "hostile: %u bad requests in one batch: all refused%s%s",
		  n, err || bad ? ": " : "", why);

out_free:
	kfree(head);
	kfree(rsp);
	kfree(r);
}

/* ---- program overflow ---- */

static void tf_prog_overflow(struct tf_dev *tf)
{
	struct tf32_sring *sring = tf_sring(tf);
	RING_IDX rsp_prod = READ_ONCE(sring->rsp_prod);
	RING_IDX bogus = rsp_prod + 4 * tf_ring_size(tf) + 5;
	int state;

	tf_note("overflow: req_prod %u -> %u (rsp_prod %u, %u slots)",
		READ_ONCE(sring->req_prod), bogus, rsp_prod,
		tf_ring_size(tf));
	/* Slots before req_prod, as a real push would; the slots are stale. */
	virt_wmb();
	WRITE_ONCE(sring->req_prod, bogus);
	/* req_prod before the kick, as RING_PUSH_REQUESTS_AND_CHECK_NOTIFY. */
	virt_mb();
	notify_remote_via_irq(tf->irq);
	wait_event_timeout(tf->wq, !tf_be_connected(tf),
			   msecs_to_jiffies(tf_timeout_ms));
	state = READ_ONCE(tf->be_state);
	tf_result(state == XenbusStateClosing || state == XenbusStateClosed,
		  "overflow: the backend left Connected after req_prod jumped %u slots past rsp_prod (backend state %d)",
		  bogus - rsp_prod, state);
	tf_result(READ_ONCE(sring->rsp_prod) == rsp_prod,
		  "overflow: the backend answered nothing on the halted ring");
}

/* ---- program readonly ---- */

/* One request that must be answered ERROR; desc says what it is. */
static void tf_refused_write(struct tf_dev *tf, const char *desc,
			     struct tf_req *r)
{
	struct tf_rsp rsp;
	int err;

	r->id = tf_new_id(tf);
	err = tf_exchange(tf, r, 1, &rsp);
	if (err)
		tf_result(false, "readonly: %s: no answer (error %d)", desc,
			  err);
	else
		tf_result(rsp.status == BLKIF_RSP_ERROR,
			  "readonly: %s answered %s (want ERROR)", desc,
			  tf_status_name(rsp.status));
}

static void tf_prog_readonly(struct tf_dev *tf)
{
	char why[160] = "";
	struct tf_req r;
	int err;

	tf_one_seg(tf, &r, BLKIF_OP_WRITE, TF_HOST_BASE, tf->wref[0], 0,
		   VBMQ_SECTS_PER_GRANT - 1);
	tf_refused_write(tf, "a WRITE of 8 sectors", &r);
	tf_full_pages(tf, &r, BLKIF_OP_WRITE, TF_HOST_BASE, TF_SEGS);
	tf_refused_write(tf, "a WRITE of 11 pages", &r);
	if (tf->max_indirect) {
		tf_indirect(tf, &r, BLKIF_OP_WRITE, TF_HOST_BASE, 3);
		tf_refused_write(tf, "an INDIRECT WRITE of 3 segments", &r);
	}
	if (tf->discard) {
		memset(&r, 0, sizeof(r));
		r.operation = BLKIF_OP_DISCARD;
		r.handle = tf->handle;
		r.sector = TF_HOST_BASE;
		r.nr_sectors = max(tf->discard_gran, 1u) * 8;
		tf_refused_write(tf, "a DISCARD", &r);
	}
	tf_one_seg(tf, &r, BLKIF_OP_READ, TF_HOST_BASE, tf->rref[0], 0,
		   VBMQ_SECTS_PER_GRANT - 1);
	err = tf_simple(tf, &r, why, sizeof(why));
	tf_result(!err, "readonly: a READ of the same 8 sectors answered OKAY%s%s",
		  err ? ": " : "", why);
}

/* ---- program restart ---- */

/* Ring setup, teardown and connect, below with the xenbus driver. */
static void tf_teardown(struct tf_dev *tf);
static int tf_setup(struct tf_dev *tf);
static void tf_connect(struct tf_dev *tf);

/* Switch this frontend to fe and wait until the backend is in be. */
static bool tf_restart_step(struct tf_dev *tf, int fe, int be)
{
	int err;

	err = xenbus_switch_state(tf->dev, (enum xenbus_state)fe);
	if (err) {
		tf_note("restart: writing state %d failed: %d", fe, err);
		return false;
	}
	wait_event_timeout(tf->wq, READ_ONCE(tf->be_state) == be,
			   msecs_to_jiffies(tf_timeout_ms));
	return READ_ONCE(tf->be_state) == be;
}

/*
 * What a guest kernel started by kexec does to a disk its predecessor left
 * Connected (xenbus_reset_state): Closing, Closed, then Initialising, after
 * which the backend must offer the disk again (InitWait).  The new ring
 * speaks the other ABI, so the backend must read the protocol afresh.
 */
static void tf_prog_restart(struct tf_dev *tf)
{
	struct tf_xfer x = tf_x(tf, TF_RESTART_BASE, 61, 3);
	const char *was = tf->abi32 ? "x86_32-abi" : "x86_64-abi";
	char why[160] = "";
	bool ok;
	int err;

	lockdep_assert_held(&tf_lock);
	err = tf_rw(tf, BLKIF_OP_WRITE, false, &x, 1, NULL, why, sizeof(why));
	tf_result(!err, "restart: a WRITE before the restart answered OKAY%s%s",
		  err ? ": " : "", why);

	WRITE_ONCE(tf->restarting, true);
	ok = tf_restart_step(tf, XenbusStateClosing, XenbusStateClosing);
	tf_result(ok, "restart: the backend follows the frontend to Closing");
	/* The backend has let go of the ring and the grants: end them. */
	tf_teardown(tf);
	if (ok) {
		ok = tf_restart_step(tf, XenbusStateClosed, XenbusStateClosed);
		tf_result(ok, "restart: the backend follows the frontend to Closed");
	}
	if (ok) {
		ok = tf_restart_step(tf, XenbusStateInitialising, XenbusStateInitWait);
		tf_result(ok, "restart: Initialising: the backend offers the disk again");
	}
	if (ok) {
		tf->abi32 = !tf->abi32;
		err = tf_setup(tf);
		if (err)
			tf_note("restart: setting up the new ring failed: %d",
				err);
		ok = !err;
	}
	if (ok) {
		wait_event_timeout(tf->wq, tf_be_connected(tf),
				   msecs_to_jiffies(tf_timeout_ms));
		ok = tf_be_connected(tf);
	}
	if (ok)
		tf_connect(tf);
	WRITE_ONCE(tf->restarting, false);
	tf_result(ok && tf->connected,
		  "restart: connected again, %s ring after a %s one (backend state %d)",
		  tf->abi32 ? "x86_32-abi" : "x86_64-abi", was,
		  READ_ONCE(tf->be_state));
	if (!tf->connected)
		return;
	err = tf_rw(tf, BLKIF_OP_READ, false, &x, 1, NULL, why, sizeof(why));
	tf_result(!err, "restart: the data written before the restart reads back equal%s%s",
		  err ? ": " : "", why);
}

/* ---- program barrier ---- */

/*
 * A WRITE of 11 pages and a WRITE_BARRIER (no data) in one batch, three
 * times: the barrier's answer must come after the WRITE's.  The backend
 * may only issue the barrier once the writes before it completed; on a
 * slow disk (the scenario throttles it) a barrier sent at once finishes
 * first.  Then the data reads back.
 */
static void tf_prog_barrier(struct tf_dev *tf)
{
	struct tf_xfer x = { TF_BARRIER_BASE, TF_SEGS * VBMQ_SECTS_PER_GRANT, 0 };
	struct tf_req req[2];
	struct tf_rsp rsp[2];
	unsigned int i, j, late = 0;
	char why[160] = "";
	int err = 0;

	if (!tf->barrier) {
		tf_result(false, "barrier: the backend offers feature-barrier");
		return;
	}
	for (i = 0; i < 3 && !err; i++) {
		memset(req, 0, sizeof(req));
		req[0].operation = BLKIF_OP_WRITE;
		req[0].handle = tf->handle;
		req[0].sector = x.sector;
		req[0].nr_segments = (u8)tf_segs(tf->wref, 0, &x, req[0].seg,
						 TF_SEGS);
		for (j = 0; j < req[0].nr_segments; j++)
			tf_fill(tf, page_address(tf->wpage[j]),
				(x.sector + j * VBMQ_SECTS_PER_GRANT) <<
				VBMQ_SECTOR_SHIFT, XEN_PAGE_SIZE);
		req[0].id = tf_new_id(tf);
		req[1].operation = BLKIF_OP_WRITE_BARRIER;
		req[1].handle = tf->handle;
		req[1].id = tf_new_id(tf);
		err = tf_exchange(tf, req, 2, rsp);
		err = tf_check_rsps(req, rsp, 2, err, why, sizeof(why));
		if (!err && rsp[1].seq < rsp[0].seq)
			late++;
	}
	tf_result(!err, "barrier: 3 x (WRITE of 11 pages, WRITE_BARRIER) answered OKAY%s%s",
		  err ? ": " : "", why);
	tf_result(!err && !late,
		  "barrier: every WRITE_BARRIER answered after the WRITE before it (%u of %u before)",
		  late, i);
	err = tf_rw(tf, BLKIF_OP_READ, false, &x, 1, NULL, why, sizeof(why));
	tf_result(!err, "barrier: the data reads back equal%s%s",
		  err ? ": " : "", why);
}

/* ---- program fill ---- */

/*
 * Every slot of the ring at once, each an INDIRECT READ of 32 full pages
 * (segments on the 32 read pages, so nothing depends on the indirect
 * limit's size beyond 32): 4 MiB of reads in flight, 1024 bounce pages
 * for a backend that grant-copies.  Each must be answered OKAY.
 */
static void tf_prog_fill(struct tf_dev *tf)
{
	unsigned int n = min_t(unsigned int, tf_ring_size(tf), TF_BATCH);
	unsigned int i, bad = 0;
	struct tf_rsp *rsp;
	struct tf_req *r;
	char why[160] = "";
	int err;

	if (tf->max_indirect_offered < TF_PAGES) {
		tf_result(false, "fill: the backend offers %u indirect segments (needs %u)",
			  tf->max_indirect_offered, TF_PAGES);
		return;
	}
	r = kcalloc(n, sizeof(*r), GFP_KERNEL);
	rsp = kcalloc(n, sizeof(*rsp), GFP_KERNEL);
	if (!r || !rsp) {
		tf_result(false, "fill: out of memory");
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		tf_indirect(tf, &r[i], BLKIF_OP_READ,
			    TF_HOST_BASE + i * TF_PAGES * VBMQ_SECTS_PER_GRANT,
			    TF_PAGES);
		r[i].id = tf_new_id(tf);
	}
	err = tf_exchange(tf, r, n, rsp);
	for (i = 0; !err && i < n; i++)
		if (rsp[i].status != BLKIF_RSP_OKAY && !bad++)
			snprintf(why, sizeof(why), ": request %u answered %s",
				 i, tf_status_name(rsp[i].status));
	if (err)
		snprintf(why, sizeof(why), ": no complete answer: error %d",
			 err);
	tf_result(!err && !bad,
		  "fill: %u INDIRECT READs of %u pages in flight at once, all answered OKAY%s",
		  n, TF_PAGES, why);
out_free:
	kfree(rsp);
	kfree(r);
}

/* ---- program flood ---- */

/*
 * 64 batches of 32 requests of an unknown operation, each batch answered
 * before the next: all ERROR.  The scenario measures what they cost the
 * backend's ring thread; a backend may slow them down, not drop them.
 */
static void tf_prog_flood(struct tf_dev *tf)
{
	unsigned int n = min_t(unsigned int, tf_ring_size(tf), TF_BATCH);
	unsigned int b, i, bad = 0;
	unsigned long t0 = jiffies;
	struct tf_rsp *rsp;
	struct tf_req *r;
	int err = 0;

	r = kcalloc(n, sizeof(*r), GFP_KERNEL);
	rsp = kcalloc(n, sizeof(*rsp), GFP_KERNEL);
	if (!r || !rsp) {
		tf_result(false, "flood: out of memory");
		goto out_free;
	}
	for (b = 0; b < 64 && !err; b++) {
		for (i = 0; i < n; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].operation = TF_OP_UNKNOWN;
			r[i].handle = tf->handle;
			r[i].id = tf_new_id(tf);
		}
		err = tf_exchange(tf, r, n, rsp);
		for (i = 0; !err && i < n; i++)
			bad += !tf_refused(TF_OP_UNKNOWN, rsp[i].status);
	}
	tf_result(!err && !bad,
		  "flood: %u x %u requests of operation 99 all refused (error %d, %u not refused), %u ms",
		  b, n, err, bad, jiffies_to_msecs(jiffies - t0));
out_free:
	kfree(rsp);
	kfree(r);
}

/* ---- program close ---- */

/*
 * Fill the ring with INDIRECT READs of 96 segments (on the 32 read pages)
 * and go Closing without waiting for any answer: on a slow disk the
 * backend has many seconds of I/O to drain while the frontend leaves.
 * The backend's Closing then makes this frontend close (backend_changed).
 */
static void tf_prog_close(struct tf_dev *tf)
{
	unsigned int n = min_t(unsigned int, tf_ring_size(tf), TF_BATCH);
	unsigned int nseg = min(tf->max_indirect_offered, 96u), i;
	struct tf_req r;
	int err;

	if (nseg < TF_PAGES) {
		tf_result(false, "close: the backend offers %u indirect segments (needs %u)",
			  tf->max_indirect_offered, TF_PAGES);
		return;
	}
	if (tf_req_prod_pvt(tf) != tf_rsp_cons(tf)) {
		tf_result(false, "close: the ring is idle before");
		return;
	}
	for (i = 0; i < n; i++) {
		tf_indirect(tf, &r, BLKIF_OP_READ,
			    TF_HOST_BASE + (u64)i * nseg * VBMQ_SECTS_PER_GRANT,
			    (u16)nseg);
		r.id = tf_new_id(tf);
		tf_put_req(tf, &r);
	}
	tf_push(tf);
	err = xenbus_switch_state(tf->dev, XenbusStateClosing);
	tf_result(!err, "close: %u INDIRECT READs of %u pages sent, then Closing (%d)",
		  n, nseg, err);
}

/* ---- programs ---- */

static const struct {
	const char *name;
	void (*run)(struct tf_dev *tf);
} tf_progs[] = {
	{ "io", tf_prog_io },
	{ "hostile", tf_prog_hostile },
	{ "overflow", tf_prog_overflow },
	{ "readonly", tf_prog_readonly },
	{ "restart", tf_prog_restart },
	{ "barrier", tf_prog_barrier },
	{ "fill", tf_prog_fill },
	{ "flood", tf_prog_flood },
	{ "close", tf_prog_close },
};

/* Check a program list ("io,hostile"; spaces allowed too). */
static int tf_parse_programs(const char *list, bool run, struct tf_dev *tf)
{
	char name[16];
	const char *p = list;
	unsigned int i;
	size_t len;

	while (*p) {
		len = strcspn(p, "\n, ");
		if (!len) {
			p++;
			continue;
		}
		if (len >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		for (i = 0; i < ARRAY_SIZE(tf_progs); i++)
			if (!strcmp(name, tf_progs[i].name))
				break;
		if (i == ARRAY_SIZE(tf_progs))
			return -EINVAL;
		if (!run)
			continue;
		tf_note("program %s (%s)", name, tf->abi32 ? "x86_32-abi" :
			"x86_64-abi");
		if (!tf->connected || !tf_be_connected(tf))
			tf_result(false, "%s: the disk is connected", name);
		else
			tf_progs[i].run(tf);
		tf_note("done %s", name);
	}
	return 0;
}

static void tf_work_fn(struct work_struct *work)
{
	struct tf_dev *tf = container_of(work, struct tf_dev, work);

	mutex_lock(&tf_lock);
	tf_parse_programs(tf_program, true, tf);
	tf_note("done program %s", tf_program);
	mutex_unlock(&tf_lock);
}

/* ---- ring setup and teardown (under tf_lock) ---- */

static void tf_teardown(struct tf_dev *tf)
{
	unsigned int i;

	lockdep_assert_held(&tf_lock);
	tf->connected = false;
	if (tf->irq > 0)
		unbind_from_irqhandler(tf->irq, tf);	/* closes the channel */
	else if (tf->evtchn)
		xenbus_free_evtchn(tf->dev, tf->evtchn);
	tf->irq = 0;
	tf->evtchn = 0;
	/* A grant still in use is ended, and its page freed, later. */
	for (i = 0; i < TF_PAGES; i++) {
		if (tf->wpage[i])
			gnttab_end_foreign_access(tf->wref[i], tf->wpage[i]);
		if (tf->rpage[i])
			gnttab_end_foreign_access(tf->rref[i], tf->rpage[i]);
		tf->wpage[i] = NULL;
		tf->rpage[i] = NULL;
	}
	if (tf->ipage)
		gnttab_end_foreign_access(tf->iref, tf->ipage);
	tf->ipage = NULL;
	if (tf->have_unused_ref)
		gnttab_free_grant_reference(tf->unused_ref);
	tf->have_unused_ref = false;
	if (tf->sring)
		xenbus_teardown_ring(&tf->sring, 1, &tf->ring_ref);
	tf->sring = NULL;
}

/* A page granted to the backend; the page is NULL on failure. */
static int tf_grant_page(struct tf_dev *tf, struct page **page,
			 grant_ref_t *ref, bool readonly)
{
	int r;

	*page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!*page)
		return -ENOMEM;
	r = gnttab_grant_foreign_access(tf->dev->otherend_id,
					xen_page_to_gfn(*page), readonly);
	if (r < 0) {
		__free_page(*page);
		*page = NULL;
		return r;
	}
	*ref = r;
	return 0;
}

/* One ring key, unless omit_key names it. */
static __printf(4, 5) int tf_write_key(struct xenbus_transaction xbt,
				       const char *dir, const char *key,
				       const char *fmt, ...)
{
	char buf[32];
	va_list ap;

	if (!strcmp(key, tf_omit_key)) {
		tf_note("omit_key: %s not written", key);
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return xenbus_write(xbt, dir, key, buf);
}

/* The set_key parameter's KEY=VALUE (checked at load). */
static int tf_write_set_key(struct xenbus_transaction xbt, const char *dir)
{
	const char *eq = strchr(tf_set_key, '=');
	char *key;
	int err;

	key = kstrndup(tf_set_key, eq - tf_set_key, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	err = xenbus_write(xbt, dir, key, eq + 1);
	tf_note("set_key: %s = \"%s\"", key, eq + 1);
	kfree(key);
	return err;
}

static int tf_setup(struct tf_dev *tf)
{
	struct xenbus_device *dev = tf->dev;
	struct xenbus_transaction xbt;
	grant_ref_t head;
	unsigned int i;
	int err;

	lockdep_assert_held(&tf_lock);
	for (i = 0; i < TF_PAGES; i++) {
		err = tf_grant_page(tf, &tf->wpage[i], &tf->wref[i], true);
		if (!err)
			err = tf_grant_page(tf, &tf->rpage[i], &tf->rref[i],
					    false);
		if (err)
			goto err_teardown;
	}
	err = tf_grant_page(tf, &tf->ipage, &tf->iref, true);
	if (err)
		goto err_teardown;
	err = gnttab_alloc_grant_references(1, &head);
	if (err)
		goto err_teardown;
	tf->unused_ref = gnttab_claim_grant_reference(&head);
	tf->have_unused_ref = true;

	err = xenbus_setup_ring(dev, GFP_KERNEL, &tf->sring, 1, &tf->ring_ref);
	if (err)
		goto err_teardown;
	if (tf->abi32) {
		SHARED_RING_INIT((struct tf32_sring *)tf->sring);
		FRONT_RING_INIT(&tf->r32, (struct tf32_sring *)tf->sring,
				XEN_PAGE_SIZE);
	} else {
		SHARED_RING_INIT((struct tf64_sring *)tf->sring);
		FRONT_RING_INIT(&tf->r64, (struct tf64_sring *)tf->sring,
				XEN_PAGE_SIZE);
	}
	err = xenbus_alloc_evtchn(dev, &tf->evtchn);
	if (err)
		goto err_teardown;
	err = bind_evtchn_to_irqhandler(tf->evtchn, tf_interrupt, 0,
					KBUILD_MODNAME, tf);
	if (err < 0)
		goto err_teardown;
	tf->irq = err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto err_teardown;
	err = tf_write_key(xbt, dev->nodename, "ring-ref", "%u", tf->ring_ref);
	if (!err)
		err = tf_write_key(xbt, dev->nodename, "event-channel", "%u",
				   tf->evtchn);
	if (!err)
		err = tf_write_key(xbt, dev->nodename, "protocol", "%s",
				   tf->abi32 ? "x86_32-abi" : "x86_64-abi");
	if (!err && tf_persistent)
		err = tf_write_key(xbt, dev->nodename, "feature-persistent",
				   "%u", 1);
	if (!err && tf_set_key[0])
		err = tf_write_set_key(xbt, dev->nodename);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto err_teardown;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto err_teardown;
	return xenbus_switch_state(dev, XenbusStateInitialised);

err_teardown:
	tf_teardown(tf);
	return err;
}

/* The backend is Connected: read what it offers and follow. */
static void tf_connect(struct tf_dev *tf)
{
	const char *be = tf->dev->otherend;
	unsigned long long sectors;
	int err;

	lockdep_assert_held(&tf_lock);
	err = xenbus_scanf(XBT_NIL, be, "sectors", "%llu", &sectors);
	if (err != 1) {
		tf_result(false, "negotiate: the backend publishes sectors");
		return;
	}
	tf->sectors = sectors;
	tf->sector_size = xenbus_read_unsigned(be, "sector-size", 512);
	tf->flush = xenbus_read_unsigned(be, "feature-flush-cache", 0);
	tf->barrier = xenbus_read_unsigned(be, "feature-barrier", 0);
	tf->discard = xenbus_read_unsigned(be, "feature-discard", 0);
	tf->discard_gran = xenbus_read_unsigned(be, "discard-granularity",
						512) >> VBMQ_SECTOR_SHIFT;
	tf->max_indirect_offered =
		xenbus_read_unsigned(be, "feature-max-indirect-segments", 0);
	tf->max_indirect = min_t(unsigned int, tf->max_indirect_offered,
				 TF_PAGES - 1);
	tf->nr_reqs = 0;
	tf->nr_rsps = 0;
	tf->nr_err_rsps = 0;
	err = xenbus_switch_state(tf->dev, XenbusStateConnected);
	tf->connected = !err;
	tf_result(!err, "negotiate: %s connected, %llu sectors, %u slots",
		  tf->abi32 ? "x86_32-abi" : "x86_64-abi", sectors,
		  tf_ring_size(tf));
	tf_note("backend offers flush %d barrier %d discard %d indirect %u",
		tf->flush, tf->barrier, tf->discard, tf->max_indirect_offered);
	/* The program parameter runs once, not again after a restart. */
	if (tf->connected && tf_program[0] && !tf->restarting)
		queue_work(system_long_wq, &tf->work);
}

/* ---- xenbus driver ---- */

static void tf_backend_changed(struct xenbus_device *dev,
			       enum xenbus_state state)
{
	struct tf_dev *tf = dev_get_drvdata(&dev->dev);
	int err;

	/* Before tf_lock: a program waiting under it sees the change. */
	WRITE_ONCE(tf->be_state, state);
	wake_up_all(&tf->wq);
	/* The restart program holds tf_lock and makes the moves itself. */
	if (READ_ONCE(tf->restarting))
		return;

	switch (state) {
	case XenbusStateInitWait:
		mutex_lock(&tf_lock);
		if (dev->state == XenbusStateInitialising && !tf->sring) {
			err = tf_setup(tf);
			if (err)
				xenbus_dev_fatal(dev, err, "setting up the ring");
		}
		mutex_unlock(&tf_lock);
		break;
	case XenbusStateConnected:
		mutex_lock(&tf_lock);
		if (dev->state == XenbusStateInitialised && tf->sring)
			tf_connect(tf);
		mutex_unlock(&tf_lock);
		break;
	case XenbusStateClosing:
		tf_note("the backend is Closing");
		if (dev->state != XenbusStateClosed)
			xenbus_frontend_closed(dev);
		break;
	case XenbusStateClosed:
		tf_note("the backend is Closed");
		mutex_lock(&tf_lock);
		tf_teardown(tf);
		mutex_unlock(&tf_lock);
		if (dev->state != XenbusStateClosed)
			xenbus_frontend_closed(dev);
		break;
	default:
		break;
	}
}

static int tf_probe(struct xenbus_device *dev,
		    const struct xenbus_device_id *id)
{
	const char *tail = strrchr(dev->nodename, '/');
	struct tf_dev *tf;
	unsigned int vdev;

	if (!tail || kstrtouint(tail + 1, 10, &vdev))
		return -EINVAL;
	tf = kzalloc(sizeof(*tf), GFP_KERNEL);
	if (!tf)
		return -ENOMEM;
	tf->dev = dev;
	tf->abi32 = !strcmp(tf_protocol, "x86_32-abi");
	tf->handle = (u16)vdev;
	tf->seed = get_random_u32();
	tf->be_state = XenbusStateUnknown;
	init_waitqueue_head(&tf->wq);
	INIT_WORK(&tf->work, tf_work_fn);

	mutex_lock(&tf_lock);
	if (tf_cur) {
		mutex_unlock(&tf_lock);
		kfree(tf);
		dev_warn(&dev->dev, "only one disk is tested; %s left alone\n",
			 dev->nodename);
		return -EBUSY;
	}
	tf_cur = tf;
	dev_set_drvdata(&dev->dev, tf);
	mutex_unlock(&tf_lock);
	tf_note("probe %s, handle %u, protocol %s", dev->nodename, tf->handle,
		tf_protocol);
	return 0;
}

static void tf_remove(struct xenbus_device *dev)
{
	struct tf_dev *tf = dev_get_drvdata(&dev->dev);

	cancel_work_sync(&tf->work);
	mutex_lock(&tf_lock);
	tf_teardown(tf);
	tf_cur = NULL;
	mutex_unlock(&tf_lock);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(tf);
}

static const struct xenbus_device_id tf_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver tf_driver = {
	.ids = tf_ids,
	.probe = tf_probe,
	.remove = tf_remove,
	.otherend_changed = tf_backend_changed,
};

/* ---- debugfs ---- */

static ssize_t tf_results_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&tf_res_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, tf_res, tf_res_len);
	mutex_unlock(&tf_res_lock);
	return ret;
}

static const struct file_operations tf_results_fops = {
	.owner = THIS_MODULE,
	.read = tf_results_read,
	.llseek = default_llseek,
};

static ssize_t tf_counters_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[128];
	int n = 0;

	mutex_lock(&tf_lock);
	if (tf_cur)
		n = scnprintf(buf, sizeof(buf),
			      "requests %llu\nresponses %llu\nerror_responses %llu\n",
			      tf_cur->nr_reqs, tf_cur->nr_rsps,
			      tf_cur->nr_err_rsps);
	mutex_unlock(&tf_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations tf_counters_fops = {
	.owner = THIS_MODULE,
	.read = tf_counters_read,
	.llseek = default_llseek,
};

/* Run the programs written; returns when they are done. */
static ssize_t tf_run_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[64];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (tf_parse_programs(buf, false, NULL))
		return -EINVAL;
	mutex_lock(&tf_lock);
	if (tf_cur)
		tf_parse_programs(buf, true, tf_cur);
	else
		tf_result(false, "run %s: a disk is bound", strim(buf));
	mutex_unlock(&tf_lock);
	return count;
}

static const struct file_operations tf_run_fops = {
	.owner = THIS_MODULE,
	.write = tf_run_write,
	.llseek = noop_llseek,
};

/* ---- module ---- */

static int __init tf_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	if (strcmp(tf_protocol, "x86_32-abi") &&
	    strcmp(tf_protocol, "x86_64-abi")) {
		pr_err("protocol=%s is invalid (allowed: x86_32-abi, x86_64-abi)\n",
		       tf_protocol);
		return -EINVAL;
	}
	if (tf_parse_programs(tf_program, false, NULL)) {
		pr_err("program=%s is invalid (allowed: io, hostile, overflow, readonly, restart, comma-separated)\n",
		       tf_program);
		return -EINVAL;
	}
	if (tf_set_key[0] && (!strchr(tf_set_key, '=') ||
			      tf_set_key[0] == '=' || tf_set_key[0] == '/')) {
		pr_err("set_key=%s is invalid (allowed: KEY=VALUE, KEY relative)\n",
		       tf_set_key);
		return -EINVAL;
	}
	if (tf_omit_key[0] && strcmp(tf_omit_key, "ring-ref") &&
	    strcmp(tf_omit_key, "event-channel") &&
	    strcmp(tf_omit_key, "protocol")) {
		pr_err("omit_key=%s is invalid (allowed: ring-ref, event-channel, protocol)\n",
		       tf_omit_key);
		return -EINVAL;
	}
	if (tf_timeout_ms < 100 || tf_timeout_ms > 600000) {
		pr_err("timeout_ms=%u is out of range (allowed: 100..600000)\n",
		       tf_timeout_ms);
		return -EINVAL;
	}
	tf_res = kzalloc(TF_RES_SIZE, GFP_KERNEL);
	if (!tf_res)
		return -ENOMEM;
	tf_dbg = debugfs_create_dir("vbmq-testfront", NULL);
	debugfs_create_file("results", 0444, tf_dbg, NULL, &tf_results_fops);
	debugfs_create_file("counters", 0444, tf_dbg, NULL, &tf_counters_fops);
	debugfs_create_file("run", 0200, tf_dbg, NULL, &tf_run_fops);
	err = xenbus_register_frontend(&tf_driver);
	if (err)
		goto err_remove_debugfs;
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(tf_dbg);
	kfree(tf_res);
	return err;
}
module_init(tf_init);

static void __exit tf_exit(void)
{
	xenbus_unregister_driver(&tf_driver);
	debugfs_remove_recursive(tf_dbg);
	kfree(tf_res);
}
module_exit(tf_exit);

MODULE_DESCRIPTION("vbmq test bed: raw blkif test frontend (x86_32/x86_64 ABIs, hostile requests); test only");
MODULE_LICENSE("GPL");
