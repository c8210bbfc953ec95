/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel type names (and the kernel constants the cores use that Xen's
 * public headers lack) for the cores when they are built in userspace: the
 * xl-vbmq tool, the unit tests and the fuzz targets (include/vbmq/core.h
 * includes this outside __KERNEL__).
 */
#ifndef VBMQ_USERSPACE_TYPES_H
#define VBMQ_USERSPACE_TYPES_H

#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

/* Constants of kernel headers that Xen's public headers lack. */
#define XENBUS_MAX_RING_GRANT_ORDER	4	/* linux/xen/xenbus.h */

#endif /* VBMQ_USERSPACE_TYPES_H */
