/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Little-endian stores, for the tests and fuzz targets that lay out ring
 * slots byte by byte as a guest would (blkif is little-endian on x86).
 */
#ifndef VBMQ_LE_PUT_H
#define VBMQ_LE_PUT_H

#include "vbmq/userspace_types.h"

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

#endif
