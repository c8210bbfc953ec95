/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkback tracepoints: the ring thread's adaptive-poll decisions,
 * its sleeps and wake-ups, the notifications it sends or suppresses, and
 * request completion.  Each event names its ring by guest domain, virtual
 * device number and ring index (the debugfs vbd-DOMID-DEVID/ringN).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vbmq_blkback

#if !defined(_VBMQ_BE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VBMQ_BE_TRACE_H

#include <linux/tracepoint.h>

#include "common.h"

/*
 * The ring's identity, written once here for every event: guest domain,
 * virtual device number and ring index, printed first, as in the debugfs
 * vbd-DOMID-DEVID/ringN.  An event's first argument is its ring, named
 * ring; the macros take the event's own fields, assignments and output.
 */
#define VBMQ_BE_TP_STRUCT(...)						\
	TP_STRUCT__entry(__field(u16, domid)				\
			 __field(u32, devid)				\
			 __field(u32, ring)				\
			 __VA_ARGS__)
#define VBMQ_BE_TP_ASSIGN(...)						\
	TP_fast_assign(__entry->domid = ring->be->domid;		\
		       __entry->devid = ring->be->devid;		\
		       __entry->ring = ring->idx;			\
		       __VA_ARGS__)
#define VBMQ_BE_TP_PRINTK(fmt, ...)					\
	TP_printk("vbd-%u-%u ring %u " fmt, __entry->domid,		\
		  __entry->devid, __entry->ring, ##__VA_ARGS__)

/* The ring went idle: the thread polls it for up to window_ns. */
TRACE_EVENT(vbmq_be_poll_start,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 window_ns),
	    TP_ARGS(ring, window_ns),
	    VBMQ_BE_TP_STRUCT(__field(u64, window_ns)),
	    VBMQ_BE_TP_ASSIGN(__entry->window_ns = window_ns;),
	    VBMQ_BE_TP_PRINTK("window_ns %llu", __entry->window_ns)
);

/*
 * An idle gap of gap_ns ended with new work: the adaptive policy kept
 * (hit), grew (a longer poll would have caught it) or shrank the window.
 */
TRACE_EVENT(vbmq_be_poll_adapt,
	    TP_PROTO(const struct vbmq_be_ring *ring, int event, u64 gap_ns,
		     u64 old_ns, u64 window_ns),
	    TP_ARGS(ring, event, gap_ns, old_ns, window_ns),
	    VBMQ_BE_TP_STRUCT(__field(int, event)
			      __field(u64, gap_ns)
			      __field(u64, old_ns)
			      __field(u64, window_ns)),
	    VBMQ_BE_TP_ASSIGN(__entry->event = event;
			      __entry->gap_ns = gap_ns;
			      __entry->old_ns = old_ns;
			      __entry->window_ns = window_ns;),
	    VBMQ_BE_TP_PRINTK("%s gap_ns %llu window_ns %llu -> %llu",
			      __print_symbolic(__entry->event,
					       { VBMQ_BE_POLL_HIT, "hit" },
					       { VBMQ_BE_POLL_GROW, "grow" },
					       { VBMQ_BE_POLL_SHRINK, "shrink" }),
			      __entry->gap_ns, __entry->old_ns,
			      __entry->window_ns)
);

/* The window ran out with the ring still idle: the thread gives up. */
TRACE_EVENT(vbmq_be_poll_give_up,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 idle_ns, u64 window_ns),
	    TP_ARGS(ring, idle_ns, window_ns),
	    VBMQ_BE_TP_STRUCT(__field(u64, idle_ns)
			      __field(u64, window_ns)),
	    VBMQ_BE_TP_ASSIGN(__entry->idle_ns = idle_ns;
			      __entry->window_ns = window_ns;),
	    VBMQ_BE_TP_PRINTK("idle_ns %llu window_ns %llu",
			      __entry->idle_ns, __entry->window_ns)
);

/*
 * The thread sleeps on the event channel for up to timeout jiffies, with
 * in_flight requests unanswered.
 */
TRACE_EVENT(vbmq_be_sleep,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 timeout, u64 in_flight),
	    TP_ARGS(ring, timeout, in_flight),
	    VBMQ_BE_TP_STRUCT(__field(u64, timeout)
			      __field(u64, in_flight)),
	    VBMQ_BE_TP_ASSIGN(__entry->timeout = timeout;
			      __entry->in_flight = in_flight;),
	    VBMQ_BE_TP_PRINTK("timeout %llu in_flight %llu",
			      __entry->timeout, __entry->in_flight)
);

/* The thread woke up after slept_ns; kicked: a kick is pending. */
TRACE_EVENT(vbmq_be_wake,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 slept_ns, u64 kicked),
	    TP_ARGS(ring, slept_ns, kicked),
	    VBMQ_BE_TP_STRUCT(__field(u64, slept_ns)
			      __field(u64, kicked)),
	    VBMQ_BE_TP_ASSIGN(__entry->slept_ns = slept_ns;
			      __entry->kicked = kicked;),
	    VBMQ_BE_TP_PRINTK("slept_ns %llu kicked %llu",
			      __entry->slept_ns, __entry->kicked)
);

/*
 * Responses published: the guest's rsp_event asked for a notification
 * (sent) or did not (suppressed).
 */
TRACE_EVENT(vbmq_be_notify,
	    TP_PROTO(const struct vbmq_be_ring *ring, bool sent),
	    TP_ARGS(ring, sent),
	    VBMQ_BE_TP_STRUCT(__field(bool, sent)),
	    VBMQ_BE_TP_ASSIGN(__entry->sent = sent;),
	    VBMQ_BE_TP_PRINTK("%s", __entry->sent ? "sent" : "suppressed")
);

/* A request's response was written to the ring. */
TRACE_EVENT(vbmq_be_complete,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 id, u8 op, int status),
	    TP_ARGS(ring, id, op, status),
	    VBMQ_BE_TP_STRUCT(__field(u64, id)
			      __field(u8, op)
			      __field(int, status)),
	    VBMQ_BE_TP_ASSIGN(__entry->id = id;
			      __entry->op = op;
			      __entry->status = status;),
	    VBMQ_BE_TP_PRINTK("id %llu op %u status %d",
			      __entry->id, __entry->op, __entry->status)
);

#endif /* _VBMQ_BE_TRACE_H */

/* Out of tree: the build adds this directory to the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
