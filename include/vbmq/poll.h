/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polling that shares its physical CPU, for both drivers.
 *
 * A vCPU that polls a ring for its peer's work spins on a physical CPU
 * that the peer's vCPU may be waiting for: on a host where the two
 * domains share physical CPUs, every microsecond spun is one the peer
 * cannot run.  So once a ring has been polled for poll_yield_us without
 * finding work, each further empty poll yields the vCPU to Xen
 * (SCHEDOP_yield): Xen runs another runnable vCPU of that physical CPU
 * if there is one, and returns at once if there is none, so on a
 * dedicated core the poll only gets a little coarser.
 */
#ifndef VBMQ_POLL_H
#define VBMQ_POLL_H

#include "vbmq/core.h"

/* Default and largest poll_yield_us of both modules (0 = never yield). */
#define VBMQ_POLL_YIELD_US_DEFAULT	50
#define VBMQ_POLL_YIELD_US_MAX		1000000

/*
 * True when a ring polled without finding work since @idle_since (ns)
 * should yield at @now: @yield_ns (0 = never) has passed.  A clock read
 * on another CPU may be a little behind @idle_since: not yet.
 */
static inline bool vbmq_poll_yield_due(u64 idle_since, u64 now, u64 yield_ns)
{
	return yield_ns && now > idle_since && now - idle_since >= yield_ns;
}

#endif /* VBMQ_POLL_H */
