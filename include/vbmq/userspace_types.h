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

/*
 * Kernel helpers the cores use under their kernel names, as the kernel's
 * own tools/testing harnesses provide them: simpler (no type checks, each
 * argument may be evaluated twice), so a core passes only plain values.
 */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* linux/minmax.h */
#define min(x, y)	((x) < (y) ? (x) : (y))
#define max(x, y)	((x) > (y) ? (x) : (y))
#define min3(x, y, z)	min(min(x, y), z)
#define swap(a, b)							\
	do {								\
		__typeof__(a) __swap_tmp = (a);				\
		(a) = (b);						\
		(b) = __swap_tmp;					\
	} while (0)
/* linux/bitmap.h, linux/bitops.h: the non-atomic forms */
#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]
#define bitmap_zero(map, nbits)						\
	memset((map), 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long))
#define test_bit(nr, map)						\
	((((const unsigned long *)(map))[(nr) / BITS_PER_LONG] >>	\
	  ((nr) % BITS_PER_LONG)) & 1UL)
#define __set_bit(nr, map)						\
	(((unsigned long *)(map))[(nr) / BITS_PER_LONG] |=		\
	 1UL << ((nr) % BITS_PER_LONG))

#endif /* VBMQ_USERSPACE_TYPES_H */
