// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq per-disk settings: parser and validator of the vbmq/ xenstore keys.
 * Pure code, shared by vbmq-blkback.ko and the xl-vbmq tool; see
 * include/vbmq/keys.h for the contract.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#else
#include <stdio.h>
#endif

#include "vbmq/keys.h"

struct vbmq_key_desc {
	const char *name;
	const char *allowed;
};

static const struct vbmq_key_desc vbmq_key_descs[VBMQ_KEY_COUNT] = {
	[VBMQ_KEY_QUEUES] = { VBMQ_KEY_NAME_QUEUES, "1..max_queues" },
	[VBMQ_KEY_CPUS] = { VBMQ_KEY_NAME_CPUS,
			    "empty or online CPU list like \"2-5,8\"" },
	[VBMQ_KEY_POLL] = { VBMQ_KEY_NAME_POLL, "off, adaptive, always" },
	[VBMQ_KEY_POLL_MAX_US] = { VBMQ_KEY_NAME_POLL_MAX_US,
				   "0..10000 (microseconds)" },
	[VBMQ_KEY_GUEST_POLL_QUEUES] = { VBMQ_KEY_NAME_GUEST_POLL_QUEUES,
					 "0..queues-1" },
	[VBMQ_KEY_GUEST_IRQ_AFFINITY] = { VBMQ_KEY_NAME_GUEST_IRQ_AFFINITY,
					  "spread, none" },
};

static const char * const vbmq_poll_names[] = {
	[VBMQ_POLL_OFF] = "off",
	[VBMQ_POLL_ADAPTIVE] = "adaptive",
	[VBMQ_POLL_ALWAYS] = "always",
};

#define VBMQ_KEYS_ECHO_MAX	24	/* characters of a bad value echoed */

const char *vbmq_key_name(enum vbmq_key key)
{
	if ((unsigned int)key >= VBMQ_KEY_COUNT)
		return NULL;
	return vbmq_key_descs[key].name;
}

const char *vbmq_key_allowed(enum vbmq_key key)
{
	if ((unsigned int)key >= VBMQ_KEY_COUNT)
		return NULL;
	return vbmq_key_descs[key].allowed;
}

int vbmq_key_lookup(const char *name, enum vbmq_key *key)
{
	unsigned int i;

	for (i = 0; i < VBMQ_KEY_COUNT; i++) {
		if (!strcmp(name, vbmq_key_descs[i].name)) {
			*key = (enum vbmq_key)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *vbmq_poll_mode_name(enum vbmq_poll_mode mode)
{
	if ((unsigned int)mode >= ARRAY_SIZE(vbmq_poll_names))
		return NULL;
	return vbmq_poll_names[mode];
}

void vbmq_keys_defaults(struct vbmq_keys *k, const struct vbmq_keys_limits *lim,
			enum vbmq_poll_mode poll, unsigned int poll_max_us)
{
	memset(k, 0, sizeof(*k));
	k->queues = lim->max_queues ? lim->max_queues : 1;
	k->poll = poll;
	k->poll_max_us = poll_max_us;
	k->guest_poll_queues = 0;
	k->guest_irq_affinity = VBMQ_IRQ_SPREAD;
}

/*
 * Copy at most VBMQ_KEYS_ECHO_MAX characters of a refused value into out,
 * replacing anything that is not plain printable ASCII (and the quote) by
 * '?', so a message can quote it safely.
 */
static void vbmq_keys_echo(const char *s, char *out, size_t outlen)
{
	size_t i, n = 0;

	if (!outlen)
		return;
	for (i = 0; s[i] && i < VBMQ_KEYS_ECHO_MAX && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[n++] = (c < 0x20 || c > 0x7e || c == '"') ? '?' : (char)c;
	}
	if (s[i] && n + 3 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* Write "vbmq/<key>: "<value>" is invalid (allowed: ...)[: detail]". */
static int vbmq_keys_fail(enum vbmq_key key, const char *s, const char *detail,
			  char *err, size_t errlen)
{
	char echo[VBMQ_KEYS_ECHO_MAX + 4];

	if (err && errlen) {
		vbmq_keys_echo(s, echo, sizeof(echo));
		snprintf(err, errlen, "%s/%s: \"%s\" is invalid (allowed: %s)%s%s",
			 VBMQ_KEYS_DIR, vbmq_key_descs[key].name, echo,
			 vbmq_key_descs[key].allowed,
			 detail ? ": " : "", detail ? detail : "");
	}
	return -EINVAL;
}

/*
 * Parse a decimal number at *p: one or more digits, value <= limit.  On
 * success advance *p past the digits.  Never overflows: accumulation stops
 * as soon as the value exceeds limit.
 */
static int vbmq_keys_uint(const char **p, unsigned int limit, unsigned int *out)
{
	const char *s = *p;
	unsigned long long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > limit)
			return -ERANGE;
		s++;
	}
	*p = s;
	*out = (unsigned int)v;
	return 0;
}

/* A whole value that is a number in lo..hi. */
static int vbmq_keys_whole_uint(enum vbmq_key key, const char *s,
				unsigned int lo, unsigned int hi,
				unsigned int *out, char *err, size_t errlen)
{
	const char *p = s;
	unsigned int v;
	char detail[48];

	if (vbmq_keys_uint(&p, hi, &v) || *p != '\0' || v < lo) {
		snprintf(detail, sizeof(detail), "must be %u..%u", lo, hi);
		return vbmq_keys_fail(key, s, detail, err, errlen);
	}
	*out = v;
	return 0;
}

int vbmq_keys_parse_queues(const char *s, const struct vbmq_keys_limits *lim,
			   unsigned int *out, char *err, size_t errlen)
{
	return vbmq_keys_whole_uint(VBMQ_KEY_QUEUES, s, 1,
				    lim->max_queues ? lim->max_queues : 1,
				    out, err, errlen);
}

int vbmq_keys_parse_poll_max_us(const char *s, unsigned int *out,
				char *err, size_t errlen)
{
	return vbmq_keys_whole_uint(VBMQ_KEY_POLL_MAX_US, s, 0,
				    VBMQ_KEYS_POLL_MAX_US_LIMIT, out, err,
				    errlen);
}

int vbmq_keys_parse_guest_poll_queues(const char *s, unsigned int queues,
				      unsigned int *out, char *err,
				      size_t errlen)
{
	return vbmq_keys_whole_uint(VBMQ_KEY_GUEST_POLL_QUEUES, s, 0,
				    queues ? queues - 1 : 0, out, err, errlen);
}

/* Index of s in names[0..n), or -EINVAL. */
static int vbmq_keys_word(const char *s, const char * const *names,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -EINVAL;
}

int vbmq_keys_parse_poll(const char *s, enum vbmq_poll_mode *out,
			 char *err, size_t errlen)
{
	int i = vbmq_keys_word(s, vbmq_poll_names,
			       ARRAY_SIZE(vbmq_poll_names));

	if (i < 0)
		return vbmq_keys_fail(VBMQ_KEY_POLL, s, NULL, err, errlen);
	*out = (enum vbmq_poll_mode)i;
	return 0;
}

int vbmq_keys_parse_guest_irq_affinity(const char *s,
				       enum vbmq_irq_affinity *out,
				       char *err, size_t errlen)
{
	int i = vbmq_irq_affinity_lookup(s, strlen(s));

	if (i < 0)
		return vbmq_keys_fail(VBMQ_KEY_GUEST_IRQ_AFFINITY, s, NULL,
				      err, errlen);
	*out = (enum vbmq_irq_affinity)i;
	return 0;
}

/* Refuse the CPU list @s: a CPU number @r (-ERANGE or not) out of place. */
static int vbmq_keys_cpu_fail(const char *s, int r, unsigned int ncpu,
			      const char *what, char *err, size_t errlen)
{
	char detail[64];

	if (r == -ERANGE)
		snprintf(detail, sizeof(detail), "CPU numbers must be < %u",
			 ncpu);
	else
		snprintf(detail, sizeof(detail), "%s", what);
	return vbmq_keys_fail(VBMQ_KEY_CPUS, s, detail, err, errlen);
}

/*
 * One item of the CPU list @s at *@p, "N" or "A-B", into @lo..@hi, and
 * the ',' after it; *@p moves past both.
 */
static int vbmq_keys_cpu_item(const char *s, const char **p, unsigned int ncpu,
			      unsigned int *lo, unsigned int *hi, char *err,
			      size_t errlen)
{
	char what[64];
	int r;

	r = vbmq_keys_uint(p, ncpu - 1, lo);
	if (r) {
		snprintf(what, sizeof(what),
			 "expected a CPU number at offset %u",
			 (unsigned int)(*p - s));
		return vbmq_keys_cpu_fail(s, r, ncpu, what, err, errlen);
	}
	*hi = *lo;
	if (**p == '-') {
		(*p)++;
		r = vbmq_keys_uint(p, ncpu - 1, hi);
		if (r || *hi < *lo)
			return vbmq_keys_cpu_fail(s, r, ncpu, "bad range end",
						  err, errlen);
	}
	if (**p == ',' && (*p)[1] != '\0')
		(*p)++;
	else if (**p != '\0')
		return vbmq_keys_fail(VBMQ_KEY_CPUS, s,
				      "items are N or A-B separated by ','",
				      err, errlen);
	return 0;
}

/*
 * "" or comma-separated items, each "N" or "A-B" with A <= B; every CPU
 * number < min(lim->nr_cpu_ids, VBMQ_KEYS_CPU_LIMIT); no CPU twice; at most
 * VBMQ_KEYS_CPU_LIST_MAX CPUs.  The order of the list is kept.
 */
int vbmq_keys_parse_cpus(const char *s, const struct vbmq_keys_limits *lim,
			 struct vbmq_cpu_list *out, char *err, size_t errlen)
{
	/* One bit per possible CPU number, to refuse duplicates. */
	DECLARE_BITMAP(seen, VBMQ_KEYS_CPU_LIMIT);
	unsigned int ncpu = lim->nr_cpu_ids;
	unsigned int nr = 0, lo = 0, hi = 0, c;
	u16 cpu[VBMQ_KEYS_CPU_LIST_MAX];
	const char *p = s;
	char detail[64];
	int r;

	if (ncpu == 0 || ncpu > VBMQ_KEYS_CPU_LIMIT)
		ncpu = VBMQ_KEYS_CPU_LIMIT;
	if (strlen(s) > VBMQ_KEYS_VALUE_MAX)
		return vbmq_keys_fail(VBMQ_KEY_CPUS, s, "too long", err,
				      errlen);
	bitmap_zero(seen, VBMQ_KEYS_CPU_LIMIT);
	while (*p) {
		r = vbmq_keys_cpu_item(s, &p, ncpu, &lo, &hi, err, errlen);
		if (r)
			return r;
		for (c = lo; c <= hi; c++) {
			if (test_bit(c, seen)) {
				snprintf(detail, sizeof(detail),
					 "CPU %u listed twice", c);
				return vbmq_keys_fail(VBMQ_KEY_CPUS, s, detail,
						      err, errlen);
			}
			if (nr == VBMQ_KEYS_CPU_LIST_MAX) {
				snprintf(detail, sizeof(detail),
					 "more than %u CPUs",
					 VBMQ_KEYS_CPU_LIST_MAX);
				return vbmq_keys_fail(VBMQ_KEY_CPUS, s, detail,
						      err, errlen);
			}
			__set_bit(c, seen);
			cpu[nr++] = (u16)c;
		}
	}
	out->nr = nr;
	memcpy(out->cpu, cpu, nr * sizeof(cpu[0]));
	return 0;
}

int vbmq_keys_parse(enum vbmq_key key, const char *s,
		    const struct vbmq_keys_limits *lim, struct vbmq_keys *k,
		    char *err, size_t errlen)
{
	switch (key) {
	case VBMQ_KEY_QUEUES:
		return vbmq_keys_parse_queues(s, lim, &k->queues, err, errlen);
	case VBMQ_KEY_CPUS:
		return vbmq_keys_parse_cpus(s, lim, &k->cpus, err, errlen);
	case VBMQ_KEY_POLL:
		return vbmq_keys_parse_poll(s, &k->poll, err, errlen);
	case VBMQ_KEY_POLL_MAX_US:
		return vbmq_keys_parse_poll_max_us(s, &k->poll_max_us, err,
						   errlen);
	case VBMQ_KEY_GUEST_POLL_QUEUES:
		return vbmq_keys_parse_guest_poll_queues(s, k->queues,
							 &k->guest_poll_queues,
							 err, errlen);
	case VBMQ_KEY_GUEST_IRQ_AFFINITY:
		return vbmq_keys_parse_guest_irq_affinity(s,
							  &k->guest_irq_affinity,
							  err, errlen);
	default:
		if (err && errlen)
			snprintf(err, errlen, "%s: unknown key %d",
				 VBMQ_KEYS_DIR, (int)key);
		return -EINVAL;
	}
}

int vbmq_cpu_list_format(const struct vbmq_cpu_list *l, char *buf, size_t len)
{
	unsigned int i = 0, j;
	size_t need = 0;
	int n;

	if (len)
		buf[0] = '\0';
	while (i < l->nr) {
		/* Extend the run while the list goes up by one. */
		for (j = i; j + 1 < l->nr && l->cpu[j + 1] == l->cpu[j] + 1; j++)
			;
		if (j == i)
			n = snprintf(need < len ? buf + need : NULL,
				     need < len ? len - need : 0, "%s%u",
				     i ? "," : "", l->cpu[i]);
		else
			n = snprintf(need < len ? buf + need : NULL,
				     need < len ? len - need : 0, "%s%u-%u",
				     i ? "," : "", l->cpu[i], l->cpu[j]);
		if (n < 0)
			return n;
		need += (size_t)n;
		i = j + 1;
	}
	return (int)need;
}
