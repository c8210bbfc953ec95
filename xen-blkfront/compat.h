/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq-blkfront: block-layer API differences between the kernels the module
 * is built for (Debian's 6.1 and 6.12).
 *
 * 6.9 made blk_mq_alloc_disk() take the initial queue_limits; 6.11 moved
 * the write-cache, FUA and poll flags into queue_limits.features and
 * dropped the blk_queue_*() limit setters in favour of
 * queue_limits_start_update() / queue_limits_commit_update().
 * BLK_MQ_F_SHOULD_MERGE went away in 6.14; 6.15 dropped blk_rq_map_sg()'s
 * queue argument; ->getgeo() takes the gendisk since 6.18 (Kbuild defines
 * VBMQ_HAVE_GETGEO_DISK from blkdev.h).
 */
#ifndef VBMQ_BLKFRONT_COMPAT_H
#define VBMQ_BLKFRONT_COMPAT_H

#include <linux/version.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>

/* What the driver wants of the queue; constant parts are set here. */
struct vbmq_fe_limits {
	unsigned int logical_block_size;	/* bytes */
	unsigned int physical_block_size;	/* bytes */
	unsigned int max_segments;		/* scatter-gather entries */
	unsigned int max_hw_sectors;		/* 512-byte sectors */
	unsigned int max_discard_sectors;	/* 0 = no discard */
	unsigned int discard_granularity;	/* bytes */
	unsigned int discard_alignment;		/* bytes */
	unsigned int max_secure_erase_sectors;	/* 0 = none */
	bool write_cache;			/* flush requests wanted */
	bool poll;				/* has HCTX_TYPE_POLL queues */
};

/* Each segment stays inside one page; buffers are 512-byte aligned. */
#define VBMQ_FE_DMA_ALIGN	511

#if KERNEL_VERSION(6, 14, 0) > LINUX_VERSION_CODE
#define VBMQ_FE_TAG_SET_FLAGS	BLK_MQ_F_SHOULD_MERGE
#else
#define VBMQ_FE_TAG_SET_FLAGS	0
#endif

static inline int vbmq_fe_map_sg(struct request *rq, struct scatterlist *sg)
{
#if KERNEL_VERSION(6, 15, 0) <= LINUX_VERSION_CODE
	return blk_rq_map_sg(rq, sg);
#else
	return blk_rq_map_sg(rq->q, rq, sg);
#endif
}

#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE

static inline void vbmq_fe_fill_limits(struct queue_limits *lim,
				       const struct vbmq_fe_limits *l)
{
	lim->logical_block_size = l->logical_block_size;
	lim->physical_block_size = l->physical_block_size;
	lim->max_segments = l->max_segments;
	lim->max_hw_sectors = l->max_hw_sectors;
	lim->max_segment_size = PAGE_SIZE;
	lim->seg_boundary_mask = PAGE_SIZE - 1;
	lim->dma_alignment = VBMQ_FE_DMA_ALIGN;
	lim->max_hw_discard_sectors = l->max_discard_sectors;
	lim->discard_granularity = l->discard_granularity;
	lim->discard_alignment = l->discard_alignment;
	lim->max_secure_erase_sectors = l->max_secure_erase_sectors;
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA |
			   BLK_FEAT_POLL);
	if (l->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	if (l->poll)
		lim->features |= BLK_FEAT_POLL;
}

static inline struct gendisk *
vbmq_fe_alloc_disk(struct blk_mq_tag_set *set, const struct vbmq_fe_limits *l,
		   void *queuedata)
{
	struct queue_limits lim = {};

	vbmq_fe_fill_limits(&lim, l);
	return blk_mq_alloc_disk(set, &lim, queuedata);
}

/* Change the limits of a live queue (reconnect after resume). */
static inline int vbmq_fe_update_limits(struct gendisk *gd,
					const struct vbmq_fe_limits *l)
{
	struct queue_limits lim = queue_limits_start_update(gd->queue);

	vbmq_fe_fill_limits(&lim, l);
	return queue_limits_commit_update(gd->queue, &lim);
}

#else /* < 6.11 */

static inline int vbmq_fe_update_limits(struct gendisk *gd,
					const struct vbmq_fe_limits *l)
{
	struct request_queue *q = gd->queue;

	blk_queue_logical_block_size(q, l->logical_block_size);
	blk_queue_physical_block_size(q, l->physical_block_size);
	blk_queue_max_hw_sectors(q, l->max_hw_sectors);
	blk_queue_max_segments(q, l->max_segments);
	blk_queue_max_segment_size(q, PAGE_SIZE);
	blk_queue_segment_boundary(q, PAGE_SIZE - 1);
	blk_queue_dma_alignment(q, VBMQ_FE_DMA_ALIGN);
	blk_queue_write_cache(q, l->write_cache, false);
	blk_queue_max_discard_sectors(q, l->max_discard_sectors);
	q->limits.discard_granularity = l->discard_granularity;
	q->limits.discard_alignment = l->discard_alignment;
	blk_queue_max_secure_erase_sectors(q, l->max_secure_erase_sectors);
	/* The poll flag follows the tag set's poll map on these kernels. */
	return 0;
}

static inline struct gendisk *
vbmq_fe_alloc_disk(struct blk_mq_tag_set *set, const struct vbmq_fe_limits *l,
		   void *queuedata)
{
	struct gendisk *gd;

#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
	gd = blk_mq_alloc_disk(set, NULL, queuedata);
#else
	gd = blk_mq_alloc_disk(set, queuedata);
#endif
	if (!IS_ERR(gd))
		vbmq_fe_update_limits(gd, l);
	return gd;
}

#endif /* 6.11 */

#endif /* VBMQ_BLKFRONT_COMPAT_H */
