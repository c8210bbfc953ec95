/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blkif constants that Xen's io/blkif.h states in prose only, defined once
 * for the backend, the frontend, the test modules, the unit tests and the
 * fuzz targets.  The vbmq/ keys are in vbmq/keys.h, the virtual-device
 * numbers in vbmq/vdev.h; docs/protocol.md describes the extension.
 */
#ifndef VBMQ_PROTO_H
#define VBMQ_PROTO_H

#include "vbmq/core.h"

/* A grant covers one 4 KiB Xen page, whatever the domain's PAGE_SIZE. */
#define VBMQ_GRANT_SHIFT		12
#define VBMQ_GRANT_SIZE			4096U	/* 1 << VBMQ_GRANT_SHIFT */

/* sector_number, first_sect and last_sect count 512-byte sectors. */
#define VBMQ_SECTOR_SHIFT		9
#define VBMQ_SECTS_PER_GRANT		(VBMQ_GRANT_SIZE >> VBMQ_SECTOR_SHIFT)

/* Indirect descriptors: one grant holds this many segments... */
#define VBMQ_SEG_SIZE			8U	/* struct blkif_request_segment */
#define VBMQ_SEGS_PER_INDIRECT_PAGE	(VBMQ_GRANT_SIZE / VBMQ_SEG_SIZE)
/* ...and a request names at most BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST. */
#define VBMQ_MAX_INDIRECT_SEGS						\
	(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * VBMQ_SEGS_PER_INDIRECT_PAGE)

#endif /* VBMQ_PROTO_H */
