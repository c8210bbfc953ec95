/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "virtual-device" number of a vbd (Xen's docs/misc/vbd-interface.txt)
 * and the disk names it stands for, shared by the backend (names in its
 * messages and thread names), the frontend (the xvd disk it creates) and
 * xl-vbmq (which turns a name back into the number, as libxl does).
 *
 *   (202 << 8) | disk << 4 | part     xvd, disk < 16, part < 16
 *   (1 << 28) | disk << 8 | part      xvd, extended: disk < 2^20, part < 256
 *   (3 << 8), (22 << 8) | minor       emulated IDE hda..hdd, 64 minors each
 *   (8 << 8) | disk << 4 | part       emulated SCSI sda..sdp
 */
#ifndef VBMQ_VDEV_H
#define VBMQ_VDEV_H

#include "vbmq/core.h"

#define VBMQ_VDEV_XVD_MAJOR	202
#define VBMQ_VDEV_XVD_PARTS	16		/* minors of an xvd disk */
#define VBMQ_VDEV_EXT		0x10000000U	/* bit 28: extended form */
#define VBMQ_VDEV_EXT_PARTS	256		/* minors of an extended disk */
#define VBMQ_VDEV_EXT_DISKS	0x100000U	/* disk numbers, extended */
#define VBMQ_VDEV_HD0_MAJOR	3		/* hda, hdb */
#define VBMQ_VDEV_HD1_MAJOR	22		/* hdc, hdd */
#define VBMQ_VDEV_HD_PARTS	64
#define VBMQ_VDEV_HD_DISKS	4
#define VBMQ_VDEV_SD_MAJOR	8		/* sda..sdp */
#define VBMQ_VDEV_SD_PARTS	16
#define VBMQ_VDEV_SD_DISKS	16

/* The number of xvd disk @disk (0 = xvda), partition @part (0 = whole). */
static inline u32 vbmq_vdev_xvd(u32 disk, u32 part)
{
	if (disk < VBMQ_VDEV_XVD_PARTS && part < VBMQ_VDEV_XVD_PARTS)
		return VBMQ_VDEV_XVD_MAJOR << 8 | disk << 4 | part;
	return VBMQ_VDEV_EXT | disk << 8 | part;
}

/*
 * Decode an xvd number (either form) into its disk, partition and the
 * minors per disk of its form.  -EINVAL: bits above bit 28 are set;
 * -ENODEV: not an xvd number (another major).
 */
static inline int vbmq_vdev_xvd_decode(u32 vdev, u32 *disk, u32 *part,
				       u32 *parts)
{
	if (vdev & VBMQ_VDEV_EXT) {
		if (vdev >> 29)
			return -EINVAL;
		*parts = VBMQ_VDEV_EXT_PARTS;
		*disk = (vdev & (VBMQ_VDEV_EXT - 1)) / VBMQ_VDEV_EXT_PARTS;
		*part = vdev % VBMQ_VDEV_EXT_PARTS;
		return 0;
	}
	if (vdev >> 8 != VBMQ_VDEV_XVD_MAJOR)
		return -ENODEV;
	*parts = VBMQ_VDEV_XVD_PARTS;
	*disk = (vdev & 0xff) / VBMQ_VDEV_XVD_PARTS;
	*part = vdev % VBMQ_VDEV_XVD_PARTS;
	return 0;
}

/*
 * The letters of disk @index, as sd(4) names disks (bijective base 26:
 * 0 -> "a", 25 -> "z", 26 -> "aa"), NUL-terminated into @buf of @size
 * bytes.  Returns their number, or -ENAMETOOLONG when @buf is too small.
 */
static inline int vbmq_vdev_letters(u32 index, char *buf, size_t size)
{
	char tmp[8];
	u32 n = 0, i;
	u64 v = (u64)index + 1;

	while (v && n < sizeof(tmp)) {
		v--;
		tmp[n++] = 'a' + (char)(v % 26);
		v /= 26;
	}
	if (n + 1 > size)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

#endif /* VBMQ_VDEV_H */
