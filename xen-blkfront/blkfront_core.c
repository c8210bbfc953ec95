// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-blkfront pure logic.  See blkfront_core.h; no kernel services here.
 */
#include "blkfront_core.h"

/*
 * Rings to connect: the backend's multi-queue-max-queues (0 when the key
 * is absent: a single-ring backend), the max_queues parameter and the
 * online vCPUs, whichever is smallest, and never less than one.
 */
unsigned int vbmq_fe_nr_rings(unsigned int backend_max,
			      unsigned int param_max,
			      unsigned int online_cpus)
{
	unsigned int n;

	if (!backend_max)
		backend_max = 1;
	if (!param_max)
		param_max = 1;
	if (param_max > VBMQ_FE_MAX_QUEUES)
		param_max = VBMQ_FE_MAX_QUEUES;
	n = min3(backend_max, param_max, online_cpus);
	return n ? n : 1;
}

/*
 * Polled rings: the poll_queues parameter, or the backend's
 * vbmq/guest-poll-queues when the parameter is negative (unset).  At least
 * one ring always stays interrupt-driven: blk-mq needs a default queue.
 */
unsigned int vbmq_fe_nr_poll(unsigned int nr_rings, int param,
			     unsigned int backend_default)
{
	unsigned int want = param < 0 ? backend_default : (unsigned int)param;

	if (nr_rings <= 1)
		return 0;
	return want < nr_rings - 1 ? want : nr_rings - 1;
}

/* Ring page order: 0 (one page) unless the backend offers more. */
unsigned int vbmq_fe_ring_order(unsigned int backend_max_order,
				unsigned int param_max_order)
{
	return min3(backend_max_order, param_max_order,
		    XENBUS_MAX_RING_GRANT_ORDER);
}

/*
 * Grants (segments) per request: the direct limit unless both sides allow
 * indirect descriptors, then the smaller of the two limits.
 */
unsigned int vbmq_fe_max_segs(unsigned int backend_indirect,
			      unsigned int param_indirect)
{
	unsigned int m;

	m = min3(backend_indirect, param_indirect, VBMQ_MAX_INDIRECT_SEGS);
	return m > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		m : BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

int vbmq_fe_parse_affinity(const char *s)
{
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	/* Accept one trailing newline (sysfs writes, echo into a file). */
	if (n && s[n - 1] == '\n')
		n--;
	return vbmq_irq_affinity_lookup(s, n);
}

const char *vbmq_fe_affinity_name(int mode)
{
	return vbmq_irq_affinity_name(mode == VBMQ_IRQ_NONE ?
				      VBMQ_IRQ_NONE : VBMQ_IRQ_SPREAD);
}

/*
 * CPU number @cpu_ordinal of @nr_cpus goes to a hardware queue so that each
 * queue serves a contiguous block of CPUs and the blocks differ in size by
 * at most one.
 */
unsigned int vbmq_fe_cpu_to_queue(unsigned int cpu_ordinal,
				  unsigned int nr_cpus,
				  unsigned int nr_queues)
{
	if (!nr_queues || !nr_cpus)
		return 0;
	if (cpu_ordinal >= nr_cpus)
		return cpu_ordinal % nr_queues;
	return (unsigned int)(((u64)cpu_ordinal * nr_queues) / nr_cpus);
}

/*
 * Fill @map[cpu] for every CPU id below @nr_cpus.  Online CPUs are spread
 * first, so that no queue is left to offline CPUs only while another
 * serves several online ones; possible-but-offline CPUs then go round
 * robin.  Ids that are not possible get queue 0 (blk-mq never uses them).
 */
void vbmq_fe_map_cpus(const bool *possible, const bool *online,
		      unsigned int nr_cpus, unsigned int nr_queues, u16 *map)
{
	unsigned int cpu, nr_online = 0, ord = 0, off = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (possible[cpu] && online[cpu])
			nr_online++;
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (!possible[cpu])
			map[cpu] = 0;
		else if (online[cpu])
			map[cpu] = vbmq_fe_cpu_to_queue(ord++, nr_online,
							nr_queues);
		else
			map[cpu] = nr_queues ? off++ % nr_queues : 0;
	}
}

/*
 * CPUs that queue @queue's interrupt may go to: the online CPUs mapped to
 * it, or every online CPU when none of its own is online.  Returns how
 * many CPUs @mask holds.
 */
unsigned int vbmq_fe_irq_mask(const u16 *cpu_queue, const bool *online,
			      unsigned int nr_cpus, unsigned int queue,
			      bool *mask)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		mask[cpu] = online[cpu] && cpu_queue[cpu] == queue;
		n += mask[cpu];
	}
	if (n)
		return n;
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		mask[cpu] = online[cpu];
		n += mask[cpu];
	}
	return n;
}

void vbmq_fe_slots_init(struct vbmq_fe_slots *s, struct vbmq_fe_slot *slot,
			u32 nr)
{
	u32 i;

	s->slot = slot;
	s->nr = nr;
	for (i = 0; i < nr; i++) {
		slot[i].state = VBMQ_FE_SLOT_FREE;
		slot[i].op = 0;
		slot[i].indirect = 0;
		slot[i].next_free = i + 1 < nr ? i + 1 : VBMQ_FE_SLOT_NONE;
	}
	s->free_head = nr ? 0 : VBMQ_FE_SLOT_NONE;
	s->nr_free = nr;
}

/* Take a free slot for a request of operation @op; -ENOSPC when full. */
s64 vbmq_fe_slot_get(struct vbmq_fe_slots *s, u8 op, bool indirect)
{
	struct vbmq_fe_slot *sl;
	u32 id = s->free_head;

	if (id == VBMQ_FE_SLOT_NONE || id >= s->nr)
		return -ENOSPC;
	sl = &s->slot[id];
	s->free_head = sl->next_free;
	s->nr_free--;
	sl->next_free = VBMQ_FE_SLOT_NONE;
	sl->state = VBMQ_FE_SLOT_INFLIGHT;
	sl->op = op;
	sl->indirect = indirect;
	return id;
}

/* Return slot @id to the free list; -EINVAL unless it is in flight. */
int vbmq_fe_slot_put(struct vbmq_fe_slots *s, u32 id)
{
	struct vbmq_fe_slot *sl;

	if (id >= s->nr)
		return -EINVAL;
	sl = &s->slot[id];
	if (sl->state != VBMQ_FE_SLOT_INFLIGHT)
		return -EINVAL;
	sl->state = VBMQ_FE_SLOT_FREE;
	sl->next_free = s->free_head;
	s->free_head = id;
	s->nr_free++;
	return 0;
}

/*
 * The backend may only produce responses to requests we pushed: everything
 * between rsp_cons and the new rsp_prod must lie within what we produced.
 * Unsigned wrap-around arithmetic, as the ring indexes are free running.
 */
bool vbmq_fe_rsp_prod_ok(u32 rsp_prod, u32 rsp_cons, u32 req_prod_pvt)
{
	return (u32)(rsp_prod - rsp_cons) <= (u32)(req_prod_pvt - rsp_cons);
}

enum vbmq_fe_rsp_err vbmq_fe_rsp_check(const struct vbmq_fe_slots *s,
				       u64 id, u8 op)
{
	const struct vbmq_fe_slot *sl;

	if (id >= s->nr)
		return VBMQ_FE_RSP_BAD_ID;
	sl = &s->slot[id];
	if (sl->state != VBMQ_FE_SLOT_INFLIGHT)
		return VBMQ_FE_RSP_NOT_INFLIGHT;
	if (op == sl->op)
		return VBMQ_FE_RSP_OK;
	if (sl->indirect && op == BLKIF_OP_INDIRECT)
		return VBMQ_FE_RSP_OK;
	return VBMQ_FE_RSP_BAD_OP;
}

const char *vbmq_fe_rsp_err_str(enum vbmq_fe_rsp_err err)
{
	switch (err) {
	case VBMQ_FE_RSP_OK:
		return "ok";
	case VBMQ_FE_RSP_BAD_PROD:
		return "response producer beyond requests sent";
	case VBMQ_FE_RSP_BAD_ID:
		return "response id out of range";
	case VBMQ_FE_RSP_NOT_INFLIGHT:
		return "response for a request not in flight";
	case VBMQ_FE_RSP_BAD_OP:
		return "response operation does not match request";
	}
	return "unknown";
}

/* blkif status to errno: 0, -EOPNOTSUPP, or -EIO for anything else. */
int vbmq_fe_rsp_status(int status)
{
	if (status == BLKIF_RSP_OKAY)
		return 0;
	if (status == BLKIF_RSP_EOPNOTSUPP)
		return -EOPNOTSUPP;
	return -EIO;
}

/*
 * Cut each buffer into 4 KiB grant frames and describe each piece as one
 * blkif segment.  Buffers must be 512-byte aligned, non-empty and stay in
 * their page.  Returns the number of segments, -EINVAL for a malformed
 * buffer list and -E2BIG when more than @max_segs segments are needed.
 * @segs must hold @max_segs entries.  More than the direct limit of
 * segments means an indirect request with @lay->nr_indirect descriptor
 * pages.
 */
int vbmq_fe_pack(const struct vbmq_fe_buf *bufs, u32 nr_bufs,
		 u32 page_size, u32 max_segs, struct vbmq_fe_seg *segs,
		 struct vbmq_fe_layout *lay)
{
	const u32 smask = (1U << VBMQ_SECTOR_SHIFT) - 1;
	u32 i, n = 0;

	lay->nr_segs = 0;
	lay->nr_indirect = 0;
	if (!nr_bufs || page_size < VBMQ_GRANT_SIZE ||
	    (page_size & (page_size - 1)))
		return -EINVAL;
	if (max_segs > VBMQ_MAX_INDIRECT_SEGS)
		max_segs = VBMQ_MAX_INDIRECT_SEGS;

	for (i = 0; i < nr_bufs; i++) {
		u32 pos = bufs[i].offset, len = bufs[i].len, end;

		if (!len || (pos & smask) || (len & smask) ||
		    pos >= page_size || len > page_size - pos)
			return -EINVAL;
		end = pos + len;
		while (pos < end) {
			u32 frame = pos >> VBMQ_GRANT_SHIFT;
			u32 fend = (frame + 1) << VBMQ_GRANT_SHIFT;

			if (fend > end)
				fend = end;
			if (n >= max_segs)
				return -E2BIG;
			segs[n].buf = i;
			segs[n].frame = frame;
			segs[n].first_sect = (pos & (VBMQ_GRANT_SIZE - 1)) >>
					     VBMQ_SECTOR_SHIFT;
			segs[n].last_sect = ((fend - 1) &
					     (VBMQ_GRANT_SIZE - 1)) >>
					    VBMQ_SECTOR_SHIFT;
			n++;
			pos = fend;
		}
	}
	lay->nr_segs = n;
	if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		lay->nr_indirect = (n + VBMQ_SEGS_PER_INDIRECT_PAGE - 1) /
				   VBMQ_SEGS_PER_INDIRECT_PAGE;
	return n;
}

/* Where segment @seg of an indirect request lives. */
void vbmq_fe_indirect_pos(u32 seg, u32 *page, u32 *slot)
{
	*page = seg / VBMQ_SEGS_PER_INDIRECT_PAGE;
	*slot = seg % VBMQ_SEGS_PER_INDIRECT_PAGE;
}

/*
 * Persistent grants need both ends to want them.  Otherwise an untrusted
 * backend (the frontend's `trusted` key 0) gets bounce buffers, whatever
 * the module parameter says: it must never see a guest page outside the
 * pool.  Persistent grants bounce too, so they are fine for it.
 */
int vbmq_fe_grant_mode(bool be_persistent, bool param_persistent,
		       bool trusted)
{
	if (be_persistent && param_persistent)
		return VBMQ_FE_GRANT_PERSISTENT;
	if (!trusted)
		return VBMQ_FE_GRANT_BOUNCE;
	return VBMQ_FE_GRANT_DIRECT;
}

const char *vbmq_fe_grant_mode_name(int mode)
{
	switch (mode) {
	case VBMQ_FE_GRANT_DIRECT:
		return "direct";
	case VBMQ_FE_GRANT_BOUNCE:
		return "bounce";
	case VBMQ_FE_GRANT_PERSISTENT:
		return "persistent";
	}
	return "unknown";
}

/*
 * Pool bound of a ring: one page for every segment of every request the
 * ring can hold, so the pool alone never limits the ring; saturates instead
 * of wrapping.  Indirect descriptor pages are per slot, not in the pool.
 */
u32 vbmq_fe_pool_max(u32 ring_size, u32 max_segs)
{
	u64 n = (u64)ring_size * max_segs;

	return n > 0xffffffffULL ? 0xffffffffU : (u32)n;
}

void vbmq_fe_pool_init(struct vbmq_fe_pool *p, u32 *free, u8 *used, u32 max)
{
	p->free = free;
	p->used = used;
	p->max = max;
	p->nr = 0;
	p->nr_free = 0;
	if (used)
		memset(used, 0, max);
}

/*
 * Can @want entries be handed out now?  0 with *@add set to the entries
 * to create first (0 when enough are free); -ENOSPC when the bound leaves
 * too few, so entries in use must come back first; -E2BIG when even an
 * idle pool at its bound would be too small.
 */
int vbmq_fe_pool_need(const struct vbmq_fe_pool *p, u32 want, u32 *add)
{
	*add = 0;
	if (want > p->max)
		return -E2BIG;
	if (want <= p->nr_free)
		return 0;
	if (want - p->nr_free > p->max - p->nr)
		return -ENOSPC;
	*add = want - p->nr_free;
	return 0;
}

/* Create entry number nr, free; -ENOSPC at the bound. */
s64 vbmq_fe_pool_add(struct vbmq_fe_pool *p)
{
	if (p->nr >= p->max)
		return -ENOSPC;
	p->used[p->nr] = 0;
	p->free[p->nr_free++] = p->nr;
	return p->nr++;
}

s64 vbmq_fe_pool_get(struct vbmq_fe_pool *p)
{
	u32 e;

	if (!p->nr_free)
		return -ENOSPC;
	e = p->free[--p->nr_free];
	p->used[e] = 1;
	return e;
}

/* Give entry @entry back; -EINVAL unless it exists and is handed out. */
int vbmq_fe_pool_put(struct vbmq_fe_pool *p, u32 entry)
{
	if (entry >= p->nr || !p->used[entry] || p->nr_free >= p->nr)
		return -EINVAL;
	p->used[entry] = 0;
	p->free[p->nr_free++] = entry;
	return 0;
}

/*
 * Where the bytes of segment @seg are: at @page_off in its buffer's page,
 * at @frame_off in a 4 KiB bounce frame (the same sectors, so first_sect
 * and last_sect stay valid), @len bytes (0 for a malformed segment).
 */
void vbmq_fe_seg_span(const struct vbmq_fe_seg *seg, u32 *page_off,
		      u32 *frame_off, u32 *len)
{
	*frame_off = (u32)seg->first_sect << VBMQ_SECTOR_SHIFT;
	*page_off = (seg->frame << VBMQ_GRANT_SHIFT) + *frame_off;
	if (seg->last_sect < seg->first_sect ||
	    seg->last_sect >= VBMQ_SECTS_PER_GRANT) {
		*len = 0;
		return;
	}
	*len = ((u32)seg->last_sect - seg->first_sect + 1) <<
	       VBMQ_SECTOR_SHIFT;
}

/* Write "a".."z", "aa".. for disk @index into @buf (bijective base 26). */
/*
 * A backend that is Closing still maps the rings and whatever it was
 * serving; only once it is Closed (it unmapped everything first) may the
 * frontend end those grants.  Unknown means the backend's state could not
 * be read: after the frontend closed that is its directory being removed,
 * before it may be a passing error, and the device's removal cleans up.
 */
unsigned int vbmq_fe_close_action(int be_state, int fe_state)
{
	bool closed = fe_state == XenbusStateClosing ||
		      fe_state == XenbusStateClosed;

	switch (be_state) {
	case XenbusStateClosing:
		return closed ? 0 : VBMQ_FE_CLOSE_STOP;
	case XenbusStateClosed:
		/* A closed backend not talked to yet may reopen. */
		if (fe_state == XenbusStateInitialising)
			return 0;
		return closed ? VBMQ_FE_CLOSE_RELEASE :
				VBMQ_FE_CLOSE_STOP | VBMQ_FE_CLOSE_RELEASE;
	case XenbusStateUnknown:
		return closed ? VBMQ_FE_CLOSE_RELEASE : 0;
	default:
		return 0;
	}
}

static int vbmq_fe_append_uint(char *buf, u32 size, u32 val)
{
	char tmp[12];
	u32 n = 0, len = (u32)strlen(buf);

	do {
		tmp[n++] = '0' + (char)(val % 10);
		val /= 10;
	} while (val);
	if (len + n + 1 > size)
		return -ENAMETOOLONG;
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return 0;
}

#define VBMQ_FE_MINORBITS	20
/* The emulated IDE disks come first, then the SCSI ones. */
#define VBMQ_FE_SD_INDEX_BASE	4
#define VBMQ_FE_SD_MINOR_BASE	(VBMQ_FE_SD_INDEX_BASE * VBMQ_VDEV_XVD_PARTS)

/*
 * Decode a "virtual-device" number into the xvd disk it names, following
 * the Xen VBD numbering: the xvd major 202 (16 minors a disk), the
 * extended form (bit 28, 256 minors a disk) and the emulated IDE (3, 22)
 * and SCSI (8, 65-71, 128-135) majors, all presented as xvd disks.
 */
int vbmq_fe_vdev_parse(u32 vdevice, struct vbmq_fe_vdev *out)
{
	u32 major, minor, parts = VBMQ_VDEV_XVD_PARTS, sd, disk, part;
	int len, err;

	memset(out, 0, sizeof(*out));
	err = vbmq_vdev_xvd_decode(vdevice, &disk, &part, &parts);
	if (err == -EINVAL)
		return err;
	if (!err) {
		out->index = disk;
		minor = disk * parts + part;
	} else {
		major = vdevice >> 8;
		minor = vdevice & 0xff;
		switch (major) {
		case VBMQ_VDEV_HD0_MAJOR:	/* hda, hdb */
		case VBMQ_VDEV_HD1_MAJOR:	/* hdc, hdd */
			out->index = minor / VBMQ_VDEV_HD_PARTS +
				     (major == VBMQ_VDEV_HD1_MAJOR ? 2 : 0);
			minor = out->index * parts;
			break;
		case VBMQ_VDEV_SD_MAJOR:
		case 65 ... 71:
		case 128 ... 135:
			if (major == VBMQ_VDEV_SD_MAJOR)
				sd = 0;
			else if (major <= 71)
				sd = major - 65 + 1;
			else
				sd = major - 128 + 8;
			out->index = minor / parts + sd * 16 +
				     VBMQ_FE_SD_INDEX_BASE;
			minor += sd * 16 * parts + VBMQ_FE_SD_MINOR_BASE;
			break;
		default:
			return -ENODEV;
		}
	}
	if (minor >> VBMQ_FE_MINORBITS)
		return -EINVAL;

	memcpy(out->name, "xvd", 4);
	len = vbmq_vdev_letters(out->index, out->name + 3,
				VBMQ_FE_NAME_LEN - 3);
	if (len < 0)
		return len;
	out->first_minor = minor;
	if (minor % parts) {
		out->nr_minors = 1;
		return vbmq_fe_append_uint(out->name, VBMQ_FE_NAME_LEN,
					   minor % parts);
	}
	out->nr_minors = parts;
	return 0;
}
