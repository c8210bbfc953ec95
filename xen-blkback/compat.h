/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkback: block-layer API differences between the kernels the module
 * is built for (Debian's 6.1 and 6.12).  Only what differs lives here.
 */
#ifndef VBMQ_BLKBACK_COMPAT_H
#define VBMQ_BLKBACK_COMPAT_H

#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <xen/xenbus.h>

/*
 * The other end's state.  Newer kernels (7.x) pass the device as well;
 * Kbuild defines VBMQ_HAVE_XENBUS_STATE_DEV when xenbus.h declares that.
 */
static inline enum xenbus_state
vbmq_be_read_state(const struct xenbus_device *dev, const char *path)
{
#ifdef VBMQ_HAVE_XENBUS_STATE_DEV
	return xenbus_read_driver_state(dev, path);
#else
	return xenbus_read_driver_state(path);
#endif
}

/*
 * An open backing device.  6.1 hands out the block_device and closes it
 * with the open mode; since 6.9 opening yields a struct file that owns the
 * reference.  Kbuild defines VBMQ_HAVE_BDEV_FILE when the kernel's
 * blkdev.h declares bdev_file_open_by_dev().  The releases in between
 * (6.5 - 6.8, blkdev_get_by_dev() with holder ops) are not supported.
 */
#ifdef VBMQ_HAVE_BDEV_FILE

struct vbmq_be_bdev {
	struct file *file;
};

static inline int vbmq_be_bdev_open(struct vbmq_be_bdev *h, dev_t dev,
				    bool write)
{
	struct file *f;

	f = bdev_file_open_by_dev(dev, BLK_OPEN_READ |
				  (write ? BLK_OPEN_WRITE : 0), NULL, NULL);
	if (IS_ERR(f))
		return PTR_ERR(f);
	h->file = f;
	return 0;
}

static inline struct block_device *vbmq_be_bdev(const struct vbmq_be_bdev *h)
{
	return h->file ? file_bdev(h->file) : NULL;
}

static inline void vbmq_be_bdev_close(struct vbmq_be_bdev *h)
{
	if (h->file)
		fput(h->file);
	h->file = NULL;
}

#else

struct vbmq_be_bdev {
	struct block_device *bdev;
	fmode_t mode;
};

static inline int vbmq_be_bdev_open(struct vbmq_be_bdev *h, dev_t dev,
				    bool write)
{
	fmode_t mode = write ? FMODE_READ | FMODE_WRITE : FMODE_READ;
	struct block_device *b;

	b = blkdev_get_by_dev(dev, mode, NULL);
	if (IS_ERR(b))
		return PTR_ERR(b);
	h->bdev = b;
	h->mode = mode;
	return 0;
}

static inline struct block_device *vbmq_be_bdev(const struct vbmq_be_bdev *h)
{
	return h->bdev;
}

static inline void vbmq_be_bdev_close(struct vbmq_be_bdev *h)
{
	if (h->bdev)
		blkdev_put(h->bdev, h->mode);
	h->bdev = NULL;
}

#endif

#endif /* VBMQ_BLKBACK_COMPAT_H */
