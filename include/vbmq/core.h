/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment of the vbmq pure-logic cores (*_core.c).
 *
 * A core uses no kernel service: only fixed-width types, errno values,
 * Xen's public ring/blkif/xenbus definitions and a few header-only kernel
 * helpers (min/max/min3/swap, ARRAY_SIZE, bitmaps), which userspace_types.h
 * provides under the same names outside the kernel.  Built into the
 * modules it sees the kernel's copies of those; built into the userspace
 * unit tests it sees libc and Xen's own public headers (libxen-dev), so
 * the tests exercise the real ring.h macros.
 */
#ifndef VBMQ_CORE_H
#define VBMQ_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/limits.h>
#include <xen/interface/io/ring.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/xenbus.h>
#include <xen/xenbus.h>		/* XENBUS_MAX_RING_GRANT_ORDER */
#else
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "userspace_types.h"	/* stdint, u8..s64 */
#include <xen/xen.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#endif

#endif /* VBMQ_CORE_H */
