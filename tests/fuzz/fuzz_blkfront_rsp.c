// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: vbmq-blkfront response validation and request-slot
 * bookkeeping (xen-blkfront/blkfront_core.c), driven by a hostile backend.
 *
 * Input: the ring size (slots in a heap array of exactly that many), then
 * commands: take a slot for a request, give one back, a response arriving
 * (64-bit id and operation as read from the ring), a response producer
 * index.  A model of the ring's slots predicts every result.  Checked:
 *   - vbmq_fe_rsp_check() accepts exactly a response whose id names a slot
 *     in flight (no aliasing of ids >= 2^32) whose operation is the
 *     request's, or INDIRECT for a request sent indirect;
 *   - an accepted response's slot can be given back (the caller's next
 *     step), and after that the same id is refused (no double completion);
 *   - vbmq_fe_slot_get() hands out only free slots, in range, until the
 *     ring is full; vbmq_fe_slot_put() refuses ids not in flight; nr_free
 *     always matches;
 *   - vbmq_fe_rsp_prod_ok() accepts a producer exactly when it is at most
 *     the requests in flight beyond rsp_cons (free-running u32 indexes);
 *   - vbmq_fe_rsp_status() maps OKAY to 0, EOPNOTSUPP to -EOPNOTSUPP and
 *     every other status to -EIO.
 */
#include "fuzz.h"
#include "../../xen-blkfront/blkfront_core.c"

struct model {
	bool inflight;
	u8 op;
	bool indirect;
};

static enum vbmq_fe_rsp_err model_check(const struct model *m, u32 nr,
					u64 id, u8 op)
{
	if (id >= nr)
		return VBMQ_FE_RSP_BAD_ID;
	if (!m[id].inflight)
		return VBMQ_FE_RSP_NOT_INFLIGHT;
	if (op == m[id].op || (m[id].indirect && op == BLKIF_OP_INDIRECT))
		return VBMQ_FE_RSP_OK;
	return VBMQ_FE_RSP_BAD_OP;
}

static void check_status(s16 st)
{
	int e = vbmq_fe_rsp_status(st);

	if (st == BLKIF_RSP_OKAY)
		fz_assert(!e, "status OKAY: %d", e);
	else if (st == BLKIF_RSP_EOPNOTSUPP)
		fz_assert(e == -EOPNOTSUPP, "status EOPNOTSUPP: %d", e);
	else
		fz_assert(e == -EIO, "status %d: %d", st, e);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vbmq_fe_slots s;
	struct vbmq_fe_slot *slot;
	struct model *m;
	enum vbmq_fe_rsp_err e, want;
	u32 nr = fz_u8(&in), nr_free, i, cons, sent, prod;
	u64 id;
	s64 got;
	u8 op, cmd;
	int ret;

	slot = malloc((nr ? nr : 1) * sizeof(*slot));
	m = calloc(nr ? nr : 1, sizeof(*m));
	if (!slot || !m)
		abort();
	vbmq_fe_slots_init(&s, slot, nr);
	nr_free = nr;

	while (in.n) {
		cmd = fz_u8(&in);
		switch (cmd & 3) {
		case 0:		/* a request takes a slot */
			op = fz_u8(&in);
			got = vbmq_fe_slot_get(&s, op, cmd & 4);
			if (!nr_free) {
				fz_assert(got == -ENOSPC, "full ring gave %lld",
					  (long long)got);
				break;
			}
			fz_assert(got >= 0 && got < nr && !m[got].inflight,
				  "slot_get gave %lld", (long long)got);
			m[got].inflight = true;
			m[got].op = op;
			m[got].indirect = cmd & 4;
			nr_free--;
			break;
		case 1:		/* the driver gives a slot back */
			i = fz_u16(&in);
			if (cmd & 4)
				i |= 0xffff0000u;
			ret = vbmq_fe_slot_put(&s, i);
			if (i < nr && m[i].inflight) {
				fz_assert(!ret, "put of slot %u in flight: %d",
					  i, ret);
				m[i].inflight = false;
				nr_free++;
			} else {
				fz_assert(ret == -EINVAL, "put of slot %u: %d",
					  i, ret);
			}
			break;
		case 2:		/* a response arrives */
			id = cmd & 4 ? fz_u64(&in) : fz_u8(&in);
			op = fz_u8(&in);
			check_status((s16)fz_u16(&in));
			e = vbmq_fe_rsp_check(&s, id, op);
			want = model_check(m, nr, id, op);
			fz_assert(e == want, "response id %llu op %u: %s, want %s",
				  (unsigned long long)id, op,
				  vbmq_fe_rsp_err_str(e),
				  vbmq_fe_rsp_err_str(want));
			fz_assert(strcmp(vbmq_fe_rsp_err_str(e), "unknown"),
				  "name of %d", e);
			if (e != VBMQ_FE_RSP_OK)
				break;
			fz_assert(!vbmq_fe_slot_put(&s, (u32)id),
				  "accepted response's slot %llu not freed",
				  (unsigned long long)id);
			m[id].inflight = false;
			nr_free++;
			fz_assert(vbmq_fe_rsp_check(&s, id, op) ==
				  VBMQ_FE_RSP_NOT_INFLIGHT,
				  "second response for %llu",
				  (unsigned long long)id);
			break;
		case 3:		/* a response producer index */
			cons = fz_u32(&in);
			sent = fz_u8(&in);	/* requests beyond rsp_cons */
			prod = cons + fz_u32(&in) % 0x300;
			fz_assert(vbmq_fe_rsp_prod_ok(prod, cons, cons + sent) ==
				  (prod - cons <= sent),
				  "rsp_prod %u, rsp_cons %u, sent %u", prod,
				  cons, sent);
			fz_assert(!vbmq_fe_rsp_prod_ok(cons - 1, cons,
						       cons + sent),
				  "producer behind the consumer accepted");
			break;
		}
		fz_assert(s.nr_free == nr_free, "nr_free %u, model %u",
			  s.nr_free, nr_free);
	}
	free(slot);
	free(m);
	return 0;
}
