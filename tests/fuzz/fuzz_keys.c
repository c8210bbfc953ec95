// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the vbmq/ key parsers (lib/keys.c), which read
 * values any dom0 process with xenstore access (and, through xl-vbmq, the
 * config files) can write.
 *
 * Input: which key (including a bad key number), the host limits, the
 * error buffer's size, the disk's current settings, then the value.
 * Checked, per the contract in vbmq/keys.h:
 *   - the result is 0 or -EINVAL;
 *   - on -EINVAL the settings are untouched, and the message fits the
 *     buffer, is plain printable ASCII (it is written back to xenstore and
 *     shown on terminals) and names the key: "vbmq/<key>: ...";
 *   - on success only the key's own field changed, and its value is in
 *     the documented range: queues 1..max_queues, poll-max-us 0..10000,
 *     guest-poll-queues 0..queues-1, poll and guest-irq-affinity one of
 *     their names, cpus at most 256 distinct CPUs below nr_cpu_ids (and
 *     4096); the value was exactly the canonical spelling (digits only for
 *     numbers, no blanks or signs, the mode's name for words);
 *   - key names and vbmq_key_lookup() are inverse.
 * The same value is also read as the frontend's "protocol" key (guest
 * written): vbmq_be_parse_protocol() accepts exactly "", "x86_32-abi" and
 * "x86_64-abi", and leaves the ABI untouched otherwise.
 */
#include "fuzz.h"
#include "../../lib/keys.c"
#include "../../xen-blkback/blkback_core.c"

static void check_err(enum vbmq_key key, const char *err, size_t errlen)
{
	char prefix[64];
	size_t i, n;

	if (!errlen)
		return;
	fz_assert(fz_terminated(err, errlen), "error message not terminated");
	for (i = 0; err[i]; i++)
		fz_assert(err[i] >= 0x20 && err[i] < 0x7f,
			  "byte %#x in the error message", (u8)err[i]);
	if ((unsigned int)key >= VBMQ_KEY_COUNT)
		return;
	n = (size_t)snprintf(prefix, sizeof(prefix), "vbmq/%s: \"",
			     vbmq_key_name(key));
	if (n > errlen - 1)
		n = errlen - 1;
	fz_assert(!strncmp(err, prefix, n), "message \"%s\" for key %s", err,
		  vbmq_key_name(key));
}

/* Digits only, the number's decimal value (leading zeros allowed). */
static bool is_number(const char *s, unsigned int v)
{
	unsigned long long x = 0;
	const char *p;

	if (!*s)
		return false;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		x = x * 10 + (unsigned int)(*p - '0');
		if (x > 0xffffffffull)
			return false;
	}
	return x == v;
}

static void check_protocol(const char *s)
{
	enum vbmq_be_abi abi = (enum vbmq_be_abi)99;
	int ret = vbmq_be_parse_protocol(s, &abi);

	if (!*s)
		fz_assert(!ret && abi == VBMQ_BE_ABI_NATIVE, "empty protocol");
	else if (!strcmp(s, VBMQ_BE_PROTO_X86_32) ||
		 !strcmp(s, VBMQ_BE_PROTO_X86_64))
		fz_assert(!ret && !strcmp(vbmq_be_abi_name(abi), s),
			  "protocol \"%s\"", s);
	else
		fz_assert(ret == -EINVAL && abi == (enum vbmq_be_abi)99,
			  "protocol \"%.40s\": %d", s, ret);
}

static void check_cpus(const struct vbmq_cpu_list *l,
		       const struct vbmq_keys_limits *lim)
{
	unsigned int ncpu = lim->nr_cpu_ids, i, j;

	if (!ncpu || ncpu > VBMQ_KEYS_CPU_LIMIT)
		ncpu = VBMQ_KEYS_CPU_LIMIT;
	fz_assert(l->nr <= VBMQ_KEYS_CPU_LIST_MAX, "%u CPUs", l->nr);
	for (i = 0; i < l->nr; i++) {
		fz_assert(l->cpu[i] < ncpu, "CPU %u of %u", l->cpu[i], ncpu);
		for (j = 0; j < i; j++)
			fz_assert(l->cpu[i] != l->cpu[j], "CPU %u twice",
				  l->cpu[i]);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vbmq_keys_limits lim;
	struct vbmq_keys k, before;
	enum vbmq_key key, found;
	char err[VBMQ_KEYS_ERR_LEN * 2];
	size_t errlen;
	u8 sel = fz_u8(&in), el;
	unsigned int max_q;
	char *s;
	int ret;

	key = (enum vbmq_key)(sel % 8 == 7 ? sel : sel % 8);
	lim.max_queues = fz_u8(&in);
	lim.nr_cpu_ids = fz_u16(&in);
	el = fz_u8(&in);
	errlen = el == 0xff ? sizeof(err) : el % sizeof(err);
	vbmq_keys_defaults(&k, &lim, (enum vbmq_poll_mode)(fz_u8(&in) % 3),
			   fz_u16(&in));
	k.queues = fz_u8(&in);	/* guest-poll-queues is checked against it */
	s = fz_str(&in);

	check_protocol(s);
	memset(err, 0x7f, sizeof(err));
	before = k;
	ret = vbmq_keys_parse(key, s, &lim, &k, errlen ? err : NULL, errlen);
	fz_assert(ret == 0 || ret == -EINVAL, "result %d", ret);
	if ((unsigned int)key < VBMQ_KEY_COUNT) {
		fz_assert(!vbmq_key_lookup(vbmq_key_name(key), &found) &&
			  found == key, "key %d by name", key);
		fz_assert(vbmq_key_allowed(key), "allowed of key %d", key);
	} else {
		fz_assert(ret == -EINVAL && !vbmq_key_name(key),
			  "bad key %d", key);
	}
	if (!vbmq_key_lookup(s, &found))
		fz_assert(!strcmp(vbmq_key_name(found), s), "lookup \"%s\"", s);

	if (ret) {
		fz_assert(!memcmp(&k, &before, sizeof(k)),
			  "settings changed on refusal");
		check_err(key, err, errlen);
		free(s);
		return 0;
	}

	max_q = lim.max_queues ? lim.max_queues : 1;
	switch (key) {
	case VBMQ_KEY_QUEUES:
		fz_assert(k.queues >= 1 && k.queues <= max_q &&
			  is_number(s, k.queues), "queues %u from \"%s\"",
			  k.queues, s);
		before.queues = k.queues;
		break;
	case VBMQ_KEY_CPUS:
		check_cpus(&k.cpus, &lim);
		before.cpus = k.cpus;
		break;
	case VBMQ_KEY_POLL:
		fz_assert(vbmq_poll_mode_name(k.poll) &&
			  !strcmp(vbmq_poll_mode_name(k.poll), s),
			  "poll %d from \"%s\"", k.poll, s);
		before.poll = k.poll;
		break;
	case VBMQ_KEY_POLL_MAX_US:
		fz_assert(k.poll_max_us <= VBMQ_KEYS_POLL_MAX_US_LIMIT &&
			  is_number(s, k.poll_max_us),
			  "poll-max-us %u from \"%s\"", k.poll_max_us, s);
		before.poll_max_us = k.poll_max_us;
		break;
	case VBMQ_KEY_GUEST_POLL_QUEUES:
		fz_assert(k.guest_poll_queues <
			  (before.queues ? before.queues : 1) &&
			  is_number(s, k.guest_poll_queues),
			  "guest-poll-queues %u of %u from \"%s\"",
			  k.guest_poll_queues, before.queues, s);
		before.guest_poll_queues = k.guest_poll_queues;
		break;
	case VBMQ_KEY_GUEST_IRQ_AFFINITY:
		fz_assert(vbmq_irq_affinity_name(k.guest_irq_affinity) &&
			  !strcmp(vbmq_irq_affinity_name(k.guest_irq_affinity),
				  s), "affinity %d from \"%s\"",
			  k.guest_irq_affinity, s);
		before.guest_irq_affinity = k.guest_irq_affinity;
		break;
	default:
		fz_assert(0, "bad key %d accepted", key);
	}
	fz_assert(!memcmp(&k, &before, sizeof(k)),
		  "key %s changed another setting", vbmq_key_name(key));
	free(s);
	return 0;
}
