/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkfront tracepoints: the notifications the frontend sends to the
 * backend or leaves out (a polling backend keeps req_event behind), and
 * request completion.  Each event names its ring by virtual device number
 * and ring index (the debugfs DISK/ringN).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vbmq_blkfront

#if !defined(_VBMQ_FE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VBMQ_FE_TRACE_H

#include <linux/tracepoint.h>

#include "common.h"

/*
 * The ring's identity, written once here for every event: virtual device
 * number and ring index (the debugfs DISK/ringN), printed first.  An
 * event's first argument is its ring, named ring; the macros take the
 * event's own fields, assignments and output.
 */
#define VBMQ_FE_TP_STRUCT(...)						\
	TP_STRUCT__entry(__field(u32, vdevice)				\
			 __field(u32, ring)				\
			 __VA_ARGS__)
#define VBMQ_FE_TP_ASSIGN(...)						\
	TP_fast_assign(__entry->vdevice = ring->info->vdevice;		\
		       __entry->ring = ring->index;			\
		       __VA_ARGS__)
#define VBMQ_FE_TP_PRINTK(fmt, ...)					\
	TP_printk("vdev %u ring %u " fmt, __entry->vdevice,		\
		  __entry->ring, ##__VA_ARGS__)

/*
 * Requests pushed: the backend's req_event asked for a kick (sent) or did
 * not (suppressed).
 */
TRACE_EVENT(vbmq_fe_notify,
	    TP_PROTO(const struct vbmq_fe_ring *ring, bool sent),
	    TP_ARGS(ring, sent),
	    VBMQ_FE_TP_STRUCT(__field(bool, sent)),
	    VBMQ_FE_TP_ASSIGN(__entry->sent = sent;),
	    VBMQ_FE_TP_PRINTK("%s", __entry->sent ? "sent" : "suppressed")
);

/* A response was consumed: its request completes with status. */
TRACE_EVENT(vbmq_fe_complete,
	    TP_PROTO(const struct vbmq_fe_ring *ring, u64 id, u8 op, int status),
	    TP_ARGS(ring, id, op, status),
	    VBMQ_FE_TP_STRUCT(__field(u64, id)
			      __field(u8, op)
			      __field(int, status)),
	    VBMQ_FE_TP_ASSIGN(__entry->id = id;
			      __entry->op = op;
			      __entry->status = status;),
	    VBMQ_FE_TP_PRINTK("id %llu op %u status %d",
			      __entry->id, __entry->op, __entry->status)
);

#endif /* _VBMQ_FE_TRACE_H */

/* Out of tree: the build adds this directory to the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
