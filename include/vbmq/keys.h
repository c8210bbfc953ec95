/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbmq per-disk settings: names, ranges and the parser of the values of the
 * keys under <backend dir>/vbmq/ in xenstore.
 *
 * This header and lib/keys.c are the single definition of the vbmq/ keys
 * (docs/protocol.md): their names, ranges and spellings here, the parser
 * in lib/keys.c.  The backend (vbmq-blkback.ko) compiles the parser into
 * the kernel; the xl-vbmq tool compiles it in userspace, so the tool
 * refuses exactly what the driver refuses; the frontend reads the keys
 * meant for the guest by these names.  The parser is pure: no allocation,
 * no locking, no kernel or libc service beyond snprintf-style formatting
 * into a caller's buffer.
 *
 * Every parser takes the raw value (a NUL-terminated string exactly as read
 * from xenstore: no surrounding blanks are accepted), the limits that depend
 * on the host, and an error buffer.  It returns 0 and fills *out, or returns
 * -EINVAL (bad syntax or value out of range) and writes into err a one-line
 * message that names the key and the allowed values, e.g.
 *   vbmq/poll: "fast" is invalid (allowed: off, adaptive, always)
 * On failure *out is left untouched, so a caller can parse straight into its
 * current settings and keep the previous value on error.
 */
#ifndef VBMQ_KEYS_H
#define VBMQ_KEYS_H

#include "vbmq/core.h"

/* Directory of the keys, relative to the backend directory of the disk. */
#define VBMQ_KEYS_DIR		"vbmq"
/* Node the backend writes the last refused value's message into. */
#define VBMQ_KEYS_ERROR_NODE	"error"

/* Key names, relative to vbmq/. */
#define VBMQ_KEY_NAME_QUEUES			"queues"
#define VBMQ_KEY_NAME_CPUS			"cpus"
#define VBMQ_KEY_NAME_POLL			"poll"
#define VBMQ_KEY_NAME_POLL_MAX_US		"poll-max-us"
#define VBMQ_KEY_NAME_GUEST_POLL_QUEUES		"guest-poll-queues"
#define VBMQ_KEY_NAME_GUEST_IRQ_AFFINITY	"guest-irq-affinity"
/* A key's path relative to the backend directory: "vbmq/poll". */
#define VBMQ_KEY_PATH(name)			VBMQ_KEYS_DIR "/" name

/* Hard bounds that do not depend on the host. */
#define VBMQ_KEYS_POLL_MAX_US_LIMIT	10000	/* vbmq/poll-max-us upper bound */
#define VBMQ_KEYS_CPU_LIMIT		4096	/* CPU numbers are < this */
#define VBMQ_KEYS_CPU_LIST_MAX		256	/* CPUs in one vbmq/cpus list */
#define VBMQ_KEYS_VALUE_MAX		1024	/* longest value accepted */
#define VBMQ_KEYS_ERR_LEN		160	/* error buffer that always fits */

enum vbmq_key {
	VBMQ_KEY_QUEUES,		/* "queues": 1..max_queues */
	VBMQ_KEY_CPUS,			/* "cpus": CPU list, "" = unpinned */
	VBMQ_KEY_POLL,			/* "poll": off|adaptive|always */
	VBMQ_KEY_POLL_MAX_US,		/* "poll-max-us": 0..10000 */
	VBMQ_KEY_GUEST_POLL_QUEUES,	/* "guest-poll-queues": 0..queues-1 */
	VBMQ_KEY_GUEST_IRQ_AFFINITY,	/* "guest-irq-affinity": spread|none */
	VBMQ_KEY_COUNT
};

enum vbmq_poll_mode {
	VBMQ_POLL_OFF,		/* event channel only */
	VBMQ_POLL_ADAPTIVE,	/* poll while busy, sleep when idle */
	VBMQ_POLL_ALWAYS,	/* never sleep (dedicated core) */
};

/* vbmq/guest-irq-affinity, read by the frontend. */
enum vbmq_irq_affinity {
	VBMQ_IRQ_SPREAD,	/* ring i's IRQ follows blk-mq's queue i CPUs */
	VBMQ_IRQ_NONE,		/* leave IRQ placement to the guest kernel */
	VBMQ_IRQ_AFFINITY_COUNT
};

/* Canonical spelling of a guest-irq-affinity value, NULL if out of range. */
static inline const char *vbmq_irq_affinity_name(enum vbmq_irq_affinity aff)
{
	switch (aff) {
	case VBMQ_IRQ_SPREAD:
		return "spread";
	case VBMQ_IRQ_NONE:
		return "none";
	default:
		return NULL;
	}
}

/*
 * The guest-irq-affinity value spelled by the first @len characters of @s
 * (exactly), or -EINVAL.
 */
static inline int vbmq_irq_affinity_lookup(const char *s, size_t len)
{
	const char *name;
	int i;

	for (i = 0; i < VBMQ_IRQ_AFFINITY_COUNT; i++) {
		name = vbmq_irq_affinity_name((enum vbmq_irq_affinity)i);
		if (strlen(name) == len && !strncmp(s, name, len))
			return i;
	}
	return -EINVAL;
}

/* An ordered set of CPUs: ring i is bound to cpu[i % nr]; nr == 0: none. */
struct vbmq_cpu_list {
	unsigned int nr;
	u16 cpu[VBMQ_KEYS_CPU_LIST_MAX];
};

/* Host-dependent limits the caller supplies. */
struct vbmq_keys_limits {
	unsigned int max_queues;	/* >= 1: module max_queues */
	unsigned int nr_cpu_ids;	/* CPU numbers must be < this */
};

/* The settings of one disk, one field per key. */
struct vbmq_keys {
	unsigned int queues;
	struct vbmq_cpu_list cpus;
	enum vbmq_poll_mode poll;
	unsigned int poll_max_us;
	unsigned int guest_poll_queues;
	enum vbmq_irq_affinity guest_irq_affinity;
};

/* Key name relative to vbmq/ ("poll-max-us"), or NULL for a bad key. */
const char *vbmq_key_name(enum vbmq_key key);
/* Human-readable allowed values of a key, as used in error messages. */
const char *vbmq_key_allowed(enum vbmq_key key);
/* Key from its name relative to vbmq/; -ENOENT if unknown. */
int vbmq_key_lookup(const char *name, enum vbmq_key *key);

/* Canonical spelling of a mode ("adaptive"), NULL if out of range. */
const char *vbmq_poll_mode_name(enum vbmq_poll_mode mode);

/*
 * Set *k to the defaults: queues = lim->max_queues, no CPUs, poll and
 * poll_max_us as given (the module parameters), no guest poll queues,
 * spread IRQs.
 */
void vbmq_keys_defaults(struct vbmq_keys *k, const struct vbmq_keys_limits *lim,
			enum vbmq_poll_mode poll, unsigned int poll_max_us);

/* One parser per key; see the top of this file for the contract. */
int vbmq_keys_parse_queues(const char *s, const struct vbmq_keys_limits *lim,
			   unsigned int *out, char *err, size_t errlen);
int vbmq_keys_parse_cpus(const char *s, const struct vbmq_keys_limits *lim,
			 struct vbmq_cpu_list *out, char *err, size_t errlen);
int vbmq_keys_parse_poll(const char *s, enum vbmq_poll_mode *out,
			 char *err, size_t errlen);
int vbmq_keys_parse_poll_max_us(const char *s, unsigned int *out,
				char *err, size_t errlen);
/* @queues: the disk's vbmq/queues (already parsed), >= 1. */
int vbmq_keys_parse_guest_poll_queues(const char *s, unsigned int queues,
				      unsigned int *out, char *err,
				      size_t errlen);
int vbmq_keys_parse_guest_irq_affinity(const char *s,
				       enum vbmq_irq_affinity *out,
				       char *err, size_t errlen);

/*
 * Parse one key into its field of *k (guest-poll-queues is checked against
 * k->queues).  Same contract as the per-key parsers; *k is untouched on
 * error.
 */
int vbmq_keys_parse(enum vbmq_key key, const char *s,
		    const struct vbmq_keys_limits *lim, struct vbmq_keys *k,
		    char *err, size_t errlen);

/*
 * Format a CPU list canonically ("2-5,8"; "" when empty) into buf.
 * Returns the length the full string needs (like snprintf).
 */
int vbmq_cpu_list_format(const struct vbmq_cpu_list *l, char *buf,
			 size_t len);

#endif /* VBMQ_KEYS_H */
