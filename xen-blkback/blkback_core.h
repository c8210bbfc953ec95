/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkback pure logic: blkif ABI decoding, request validation, segment
 * and sector math, the adaptive poll-window policy.
 *
 * Nothing here calls a kernel service; the same file is built into the
 * module and into the userspace unit tests (tests/unit/).  Ring slots are
 * handled as byte arrays with the layout of each guest ABI, so the code
 * depends only on what the kernel's and Xen's public blkif.h have in common
 * (operation numbers, limits, DEFINE_RING_TYPES).
 */
#ifndef VBMQ_BLKBACK_CORE_H
#define VBMQ_BLKBACK_CORE_H

#include "vbmq/proto.h"
#include "vbmq/vdev.h"

/* Guest ABIs of the ring ("protocol" key of the frontend). */
enum vbmq_be_abi {
	VBMQ_BE_ABI_X86_32,	/* "x86_32-abi": 4-byte aligned u64 */
	VBMQ_BE_ABI_X86_64,	/* "x86_64-abi": 8-byte aligned u64 */
};

/*
 * The native ABI is the one whose u64 struct members have the alignment the
 * compiler gives them here: 4 bytes (i386) is the x86_32 layout, 8 bytes
 * (x86_64, arm) the x86_64 layout.
 */
struct vbmq_be_align_probe {
	u8 c;
	u64 v;
};

#define VBMQ_BE_ABI_NATIVE						\
	(offsetof(struct vbmq_be_align_probe, v) == 4 ?			\
	 VBMQ_BE_ABI_X86_32 : VBMQ_BE_ABI_X86_64)

#define VBMQ_BE_PROTO_X86_32	"x86_32-abi"
#define VBMQ_BE_PROTO_X86_64	"x86_64-abi"

/* Size of a request / response slot in each ABI, in bytes. */
#define VBMQ_BE_REQ32_SIZE	108
#define VBMQ_BE_RSP32_SIZE	12
#define VBMQ_BE_REQ64_SIZE	112
#define VBMQ_BE_RSP64_SIZE	16
#define VBMQ_BE_REQ_MAX_SIZE	VBMQ_BE_REQ64_SIZE

/* Opaque slots: ring.h only needs their sizes. */
struct vbmq_be_req32_slot { u8 b[VBMQ_BE_REQ32_SIZE]; };
struct vbmq_be_rsp32_slot { u8 b[VBMQ_BE_RSP32_SIZE]; };
struct vbmq_be_req64_slot { u8 b[VBMQ_BE_REQ64_SIZE]; };
struct vbmq_be_rsp64_slot { u8 b[VBMQ_BE_RSP64_SIZE]; };

DEFINE_RING_TYPES(vbmq_be_r32, struct vbmq_be_req32_slot,
		  struct vbmq_be_rsp32_slot);
DEFINE_RING_TYPES(vbmq_be_r64, struct vbmq_be_req64_slot,
		  struct vbmq_be_rsp64_slot);

/* One data segment: a granted page and an inclusive range of its sectors. */
struct vbmq_be_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
};

/*
 * A request decoded from a private copy of its ring slot.  Fields the wire
 * operation does not carry are zero.
 */
struct vbmq_be_req {
	u64 id;			/* echoed in the response */
	u64 sector;		/* first sector, 512-byte units */
	u64 nr_sectors;		/* DISCARD: as sent; else set by the checks */
	u8 operation;		/* BLKIF_OP_* as on the wire */
	u8 op;			/* effective op: indirect_op for INDIRECT */
	u8 discard_flags;	/* BLKIF_DISCARD_SECURE */
	u8 nr_indirect_pages;	/* INDIRECT: set by vbmq_be_check_req() */
	u16 handle;
	u16 nr_segments;
	u32 indirect_gref[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct vbmq_be_seg seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* What the backend offers, against which requests are checked. */
struct vbmq_be_limits {
	u64 dev_sectors;		/* device size, 512-byte units */
	/*
	 * Logical block size of the device in 512-byte sectors, a power of
	 * two; 0 counts as 1.  READ/WRITE must start on a block and move
	 * whole blocks in every segment.
	 */
	u32 lb_sects;
	bool readonly;			/* mode "r" or read-only device */
	bool flush;			/* feature-flush-cache advertised */
	bool barrier;			/* feature-barrier advertised */
	bool discard;			/* feature-discard advertised */
	bool discard_secure;		/* discard-secure advertised */
	unsigned int max_indirect_segs;	/* advertised; 0: no INDIRECT */
};

enum vbmq_be_verdict {
	VBMQ_BE_OK = 0,
	VBMQ_BE_BAD_OP,		/* unknown operation */
	VBMQ_BE_BAD_INDIRECT_OP,	/* INDIRECT carrying other than R/W */
	VBMQ_BE_BAD_NSEG,	/* segment count out of range */
	VBMQ_BE_BAD_SECT,	/* first_sect/last_sect outside the page */
	VBMQ_BE_BAD_RANGE,	/* sectors beyond the end of the device */
	VBMQ_BE_BAD_ALIGN,	/* not on logical block boundaries */
	VBMQ_BE_BAD_DISCARD,	/* empty discard or unknown flags */
	VBMQ_BE_READONLY,	/* write to a read-only disk */
	VBMQ_BE_NOTSUPP,	/* operation not advertised */
	VBMQ_BE_BAD_GREF,	/* a grant could not be copied */
	VBMQ_BE_NOMEM,		/* backend out of memory */
	VBMQ_BE_VERDICT_COUNT
};

/* "x86_32-abi" / "x86_64-abi"; NULL or "" means native.  -EINVAL else. */
int vbmq_be_parse_protocol(const char *proto, enum vbmq_be_abi *abi);
const char *vbmq_be_abi_name(enum vbmq_be_abi abi);
/* Request slots a ring of nr_pages pages holds in that ABI. */
unsigned int vbmq_be_ring_entries(enum vbmq_be_abi abi, unsigned int nr_pages);

/* Decode a private copy of a request slot (VBMQ_BE_REQ{32,64}_SIZE bytes). */
void vbmq_be_decode_req(enum vbmq_be_abi abi, const void *slot,
			struct vbmq_be_req *req);
/* Decode n segments from a private copy of indirect segment pages. */
void vbmq_be_decode_segs(const void *buf, unsigned int n,
			 struct vbmq_be_seg *seg);
/* Encode a response into slot (VBMQ_BE_RSP{32,64}_SIZE bytes, padding 0). */
void vbmq_be_encode_rsp(enum vbmq_be_abi abi, void *slot, u64 id, u8 operation,
			int status);

/*
 * Check a decoded request.  For direct requests the segments and the
 * sector range are checked too and req->nr_sectors is set.  For INDIRECT
 * only the header is checked and req->nr_indirect_pages set; the caller
 * then copies the segments and calls vbmq_be_check_segs().
 *
 * The handle is not checked: a ring serves exactly one disk, so the field
 * selects nothing, the in-tree backend ignores it too, and real frontends
 * put other things there (FreeBSD's blkfront sends a truncated pointer),
 * so refusing a "wrong" handle only broke such guests.
 */
enum vbmq_be_verdict vbmq_be_check_req(struct vbmq_be_req *req,
				       const struct vbmq_be_limits *lim);
/*
 * Check n segments of a request starting at sector: each within its page
 * (first_sect <= last_sect <= 7), sector and every segment's length whole
 * logical blocks (lim->lb_sects), the total within the device (no
 * overflow).  Stores the total in *nr_sectors on success.
 */
enum vbmq_be_verdict vbmq_be_check_segs(const struct vbmq_be_seg *seg,
					unsigned int n, u64 sector,
					const struct vbmq_be_limits *lim,
					u64 *nr_sectors);
/* Is [sector, sector + n) within a device of dev_sectors sectors? */
bool vbmq_be_range_ok(u64 sector, u64 n, u64 dev_sectors);
const char *vbmq_be_verdict_str(enum vbmq_be_verdict v);
/* BLKIF_RSP_EOPNOTSUPP for NOTSUPP, BLKIF_RSP_ERROR otherwise, OKAY for OK. */
int vbmq_be_verdict_status(enum vbmq_be_verdict v);

/* Indirect pages needed for n segments. */
static inline unsigned int vbmq_be_indirect_pages(unsigned int n)
{
	return (n + VBMQ_SEGS_PER_INDIRECT_PAGE - 1) /
		VBMQ_SEGS_PER_INDIRECT_PAGE;
}

/* Byte offset and length of a checked segment within its page. */
static inline unsigned int vbmq_be_seg_offset(const struct vbmq_be_seg *s)
{
	return (unsigned int)s->first_sect << VBMQ_SECTOR_SHIFT;
}

static inline unsigned int vbmq_be_seg_len(const struct vbmq_be_seg *s)
{
	return (unsigned int)(s->last_sect - s->first_sect + 1)
		<< VBMQ_SECTOR_SHIFT;
}

/*
 * Name of a virtual disk from its xenstore device id, for thread names and
 * messages: 51712 -> "xvda", 51729 -> "xvdb1", 2049 -> "sda1", 768 -> "hda",
 * (1 << 28) | (27 << 8) -> "xvdab"; unknown majors print the number.
 * Returns what snprintf returns.
 */
int vbmq_be_vdev_name(u32 devid, char *buf, size_t len);

/*
 * Name of ring @ring's thread for disk @vdev of domain @domid, at most
 * len - 1 characters (a task's comm holds 15): "vbmq3.xvda-1"; when that
 * does not fit, "vb12345.xvdab-12"-style with the prefix shortened, then
 * the disk name cut, so that domain and ring always stay.  Returns the
 * length written.
 */
int vbmq_be_thread_name(char *buf, size_t len, unsigned int domid,
			const char *vdev, unsigned int ring);

/*
 * Adaptive poll window, after QEMU's adaptive polling: the window starts at
 * VBMQ_BE_POLL_START_NS; when an idle period ends (new work) after
 * idle_ns:
 *   idle_ns <= window            hit: the poll found the work; unchanged;
 *   window < idle_ns <= max      grow: a longer poll would have found it;
 *                                window x2 (0 -> start), capped at max;
 *   idle_ns > max                shrink: polling was wasted; window / 2,
 *                                0 once below the start value.
 * A window of 0 means: do not poll, sleep at once.
 */
#define VBMQ_BE_POLL_START_NS	4000ull

struct vbmq_be_poll {
	u64 window_ns;
	u64 max_ns;
};

enum vbmq_be_poll_event {
	VBMQ_BE_POLL_HIT,
	VBMQ_BE_POLL_GROW,
	VBMQ_BE_POLL_SHRINK,
};

void vbmq_be_poll_init(struct vbmq_be_poll *p, u64 max_ns);
/* Change the cap; the window is clamped to it. */
void vbmq_be_poll_set_max(struct vbmq_be_poll *p, u64 max_ns);
enum vbmq_be_poll_event vbmq_be_poll_idle_end(struct vbmq_be_poll *p,
					      u64 idle_ns);

/*
 * Persistent grants: a guest grant kept mapped in the backend for the
 * connection's lifetime, so that a segment on it needs no grant copy: the
 * segment's bio is built on the mapped page itself (zero copy).  The ring
 * thread keeps one record per mapped grant; these are the parts the
 * policy below looks at.
 */
struct vbmq_be_pg_use {
	u64 last_use;		/* pass number of the latest use */
	u32 users;		/* requests in flight holding the mapping */
	bool writable;		/* mapped for writing guest memory */
};

/* What to do with one segment's grant. */
enum vbmq_be_pg_action {
	VBMQ_BE_PG_HIT,		/* use the existing mapping */
	VBMQ_BE_PG_MAP,		/* map it now (the bound has room) */
	VBMQ_BE_PG_REMAP,	/* unmap the read-only mapping, map writable */
	VBMQ_BE_PG_COPY,	/* grant copy for this segment */
};

/* Default and largest per-ring bound of persistent grants. */
/*
 * 1056 = 32 slots * (32 segments + 1 indirect page): the whole per-ring
 * grant pool of the in-tree blkfront with its default 32 indirect segments.
 */
#define VBMQ_BE_PG_DEFAULT	1056
#define VBMQ_BE_PG_CAP		16384	/* 64 MiB of guest memory per ring */
/* A reclaim unmaps this fraction of the bound (at least one grant). */
#define VBMQ_BE_PG_RECLAIM_DIV	8

/* Does the request write guest memory?  READ does; the others read it. */
static inline bool vbmq_be_pg_need_write(u8 op)
{
	return op == BLKIF_OP_READ;
}

/*
 * May a segment of op be served on a persistent mapping, with its bio
 * built on the guest's page (zero copy)?  A READ always may.  An operation
 * that writes the disk may not when the device needs stable pages while
 * it writes (checksums or parity computed from the data): the guest could
 * change its page under the I/O.  Such segments are grant-copied.
 */
static inline bool vbmq_be_pg_usable(u8 op, bool stable_writes)
{
	return op == BLKIF_OP_READ || !stable_writes;
}

/*
 * Decide for one segment.  e is the grant's record, NULL when it is not
 * mapped; nr grants are mapped (or being mapped) out of bound.  A mapping
 * made for a write is read-only; a read that meets it takes it over
 * writable when no request holds it, else copies.
 */
enum vbmq_be_pg_action vbmq_be_pg_decide(const struct vbmq_be_pg_use *e,
					 bool need_write, unsigned int nr,
					 unsigned int bound);
/*
 * A request in flight takes a hold on a mapping for one segment (a request
 * naming a grant twice holds it twice), in consume pass clock; the bio of
 * that segment is built on the mapped page.  Returns true when the mapping
 * was idle before.  A held mapping is never unmapped: vbmq_be_pg_pick()
 * skips it and vbmq_be_pg_decide() copies instead of remapping it.
 */
bool vbmq_be_pg_hold(struct vbmq_be_pg_use *u, u64 clock);
/*
 * The request let go after its I/O completed; returns true when the
 * mapping is idle now (unmappable).
 */
bool vbmq_be_pg_release(struct vbmq_be_pg_use *u);
/* How many grants a reclaim unmaps when nr of bound are mapped: 0 below. */
unsigned int vbmq_be_pg_reclaim_want(unsigned int nr, unsigned int bound);
/*
 * Pick up to want of the n records to unmap: the least recently used of
 * those no request holds (ties: the lower index).  Their indices go to
 * out[], in no particular order; returns how many.
 */
unsigned int vbmq_be_pg_pick(const struct vbmq_be_pg_use *u, unsigned int n,
			     unsigned int want, unsigned int *out);

/*
 * Back-off from a frontend that sends bad requests: each is cheap to
 * refuse, but a stream of them keeps a ring thread busy for nothing.  Up
 * to VBMQ_BE_BAD_FREE refusals per VBMQ_BE_BAD_WINDOW_NS are free; a
 * window with more makes the ring stop taking requests for a pause that
 * starts at VBMQ_BE_BAD_PAUSE_NS and doubles with every further window
 * over the limit, up to VBMQ_BE_BAD_PAUSE_MAX_NS; a window within the
 * limit resets it.  Good requests do not count.
 */
#define VBMQ_BE_BAD_WINDOW_NS		10000000ull	/* 10 ms */
#define VBMQ_BE_BAD_FREE		64u
#define VBMQ_BE_BAD_PAUSE_NS		1000000ull	/* 1 ms */
#define VBMQ_BE_BAD_PAUSE_MAX_NS	64000000ull	/* 64 ms */

struct vbmq_be_bad {
	u64 window_start;	/* ns */
	u32 count;		/* refusals in the current window */
	u32 level;		/* pause is PAUSE_NS << level */
	bool over;		/* the current window went over the limit */
};

/*
 * A pass at time now refused bad requests; returns how long to pause
 * taking requests (ns), 0 for no pause.
 */
u64 vbmq_be_bad_pass(struct vbmq_be_bad *b, u64 now, unsigned int bad);

/*
 * Persistent-grant reclaim at most once per this interval (the in-tree
 * backend's LRU interval): a frontend cycling through more grants than
 * the bound otherwise makes every pass scan the whole tree.
 */
#define VBMQ_BE_PG_RECLAIM_INTERVAL_NS	100000000ull	/* 100 ms */

#endif /* VBMQ_BLKBACK_CORE_H */
