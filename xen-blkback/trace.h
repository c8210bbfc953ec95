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

/* The ring went idle: the thread polls it for up to window_ns. */
TRACE_EVENT(vbmq_be_poll_start,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 window_ns),
	    TP_ARGS(ring, window_ns),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(u64, window_ns)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->window_ns = window_ns;),
	    TP_printk("vbd-%u-%u ring %u window_ns %llu",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->window_ns)
);

/*
 * An idle gap of gap_ns ended with new work: the adaptive policy kept
 * (hit), grew (a longer poll would have caught it) or shrank the window.
 */
TRACE_EVENT(vbmq_be_poll_adapt,
	    TP_PROTO(const struct vbmq_be_ring *ring, int event, u64 gap_ns,
		     u64 old_ns, u64 window_ns),
	    TP_ARGS(ring, event, gap_ns, old_ns, window_ns),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(int, event)
			     __field(u64, gap_ns)
			     __field(u64, old_ns)
			     __field(u64, window_ns)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->event = event;
			   __entry->gap_ns = gap_ns;
			   __entry->old_ns = old_ns;
			   __entry->window_ns = window_ns;),
	    TP_printk("vbd-%u-%u ring %u %s gap_ns %llu window_ns %llu -> %llu",
		      __entry->domid, __entry->devid, __entry->ring,
		      __print_symbolic(__entry->event,
				       { VBMQ_BE_POLL_HIT, "hit" },
				       { VBMQ_BE_POLL_GROW, "grow" },
				       { VBMQ_BE_POLL_SHRINK, "shrink" }),
		      __entry->gap_ns, __entry->old_ns, __entry->window_ns)
);

/* The window ran out with the ring still idle: the thread gives up. */
TRACE_EVENT(vbmq_be_poll_give_up,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 idle_ns, u64 window_ns),
	    TP_ARGS(ring, idle_ns, window_ns),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(u64, idle_ns)
			     __field(u64, window_ns)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->idle_ns = idle_ns;
			   __entry->window_ns = window_ns;),
	    TP_printk("vbd-%u-%u ring %u idle_ns %llu window_ns %llu",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->idle_ns, __entry->window_ns)
);

/*
 * The thread sleeps on the event channel for up to timeout jiffies, with
 * in_flight requests unanswered.
 */
TRACE_EVENT(vbmq_be_sleep,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 timeout, u64 in_flight),
	    TP_ARGS(ring, timeout, in_flight),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(u64, timeout)
			     __field(u64, in_flight)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->timeout = timeout;
			   __entry->in_flight = in_flight;),
	    TP_printk("vbd-%u-%u ring %u timeout %llu in_flight %llu",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->timeout, __entry->in_flight)
);

/* The thread woke up after slept_ns; kicked: a kick is pending. */
TRACE_EVENT(vbmq_be_wake,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 slept_ns, u64 kicked),
	    TP_ARGS(ring, slept_ns, kicked),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(u64, slept_ns)
			     __field(u64, kicked)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->slept_ns = slept_ns;
			   __entry->kicked = kicked;),
	    TP_printk("vbd-%u-%u ring %u slept_ns %llu kicked %llu",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->slept_ns, __entry->kicked)
);

/*
 * Responses published: the guest's rsp_event asked for a notification
 * (sent) or did not (suppressed).
 */
TRACE_EVENT(vbmq_be_notify,
	    TP_PROTO(const struct vbmq_be_ring *ring, bool sent),
	    TP_ARGS(ring, sent),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(bool, sent)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->sent = sent;),
	    TP_printk("vbd-%u-%u ring %u %s",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->sent ? "sent" : "suppressed")
);

/* A request's response was written to the ring. */
TRACE_EVENT(vbmq_be_complete,
	    TP_PROTO(const struct vbmq_be_ring *ring, u64 id, u8 op, int status),
	    TP_ARGS(ring, id, op, status),
	    TP_STRUCT__entry(__field(u16, domid)
			     __field(u32, devid)
			     __field(u32, ring)
			     __field(u64, id)
			     __field(u8, op)
			     __field(int, status)),
	    TP_fast_assign(__entry->domid = ring->be->domid;
			   __entry->devid = ring->be->devid;
			   __entry->ring = ring->idx;
			   __entry->id = id;
			   __entry->op = op;
			   __entry->status = status;),
	    TP_printk("vbd-%u-%u ring %u id %llu op %u status %d",
		      __entry->domid, __entry->devid, __entry->ring,
		      __entry->id, __entry->op, __entry->status)
);

#endif /* _VBMQ_BE_TRACE_H */

/* Out of tree: the build adds this directory to the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
