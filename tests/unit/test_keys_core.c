// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/keys.c: the vbmq/ key parser shared by the
 * backend and xl-vbmq.  Table-driven, hostile values included.
 */
#include "tap.h"
#include "../../lib/keys.c"

/* Tables leave trailing fields of refused cases zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const struct vbmq_keys_limits lim = { .max_queues = 8,
					     .nr_cpu_ids = 16 };

struct uint_case {
	const char *in;
	int ret;
	unsigned int val;
};

static void test_queues(void)
{
	static const struct uint_case c[] = {
		{ "1", 0, 1 }, { "8", 0, 8 }, { "4", 0, 4 }, { "08", 0, 8 },
		{ "0", -EINVAL }, { "9", -EINVAL }, { "", -EINVAL },
		{ "-1", -EINVAL }, { "+1", -EINVAL }, { " 1", -EINVAL },
		{ "1 ", -EINVAL }, { "1\n", -EINVAL }, { "0x2", -EINVAL },
		{ "4294967297", -EINVAL }, { "99999999999999999999999", -EINVAL },
		{ "abc", -EINVAL }, { "2.0", -EINVAL },
	};
	unsigned int i, v;
	char err[VBMQ_KEYS_ERR_LEN];

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		v = 12345;
		err[0] = '\0';
		is_int(vbmq_keys_parse_queues(c[i].in, &lim, &v, err,
					      sizeof(err)),
		       c[i].ret, "queues \"%s\" -> %d", c[i].in, c[i].ret);
		if (c[i].ret == 0) {
			is_uint(v, c[i].val, "queues \"%s\" value", c[i].in);
		} else {
			is_uint(v, 12345, "queues \"%s\" leaves out", c[i].in);
			ok(strstr(err, "vbmq/queues") && strstr(err, "1..8"),
			   "queues error names key and range: %s", err);
		}
	}
}

static void test_poll_max_us(void)
{
	static const struct uint_case c[] = {
		{ "0", 0, 0 }, { "32", 0, 32 }, { "10000", 0, 10000 },
		{ "10001", -EINVAL }, { "-1", -EINVAL }, { "", -EINVAL },
		{ "32us", -EINVAL }, { "18446744073709551616", -EINVAL },
	};
	unsigned int i, v;
	char err[VBMQ_KEYS_ERR_LEN];

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		v = 7;
		is_int(vbmq_keys_parse_poll_max_us(c[i].in, &v, err,
						   sizeof(err)),
		       c[i].ret, "poll-max-us \"%s\"", c[i].in);
		is_uint(v, c[i].ret ? 7 : c[i].val, "poll-max-us \"%s\" value",
			c[i].in);
		if (c[i].ret)
			ok(strstr(err, "vbmq/poll-max-us") &&
			   strstr(err, "0..10000"),
			   "poll-max-us error: %s", err);
	}
}

static void test_guest_poll_queues(void)
{
	unsigned int v = 99;
	char err[VBMQ_KEYS_ERR_LEN];

	is_int(vbmq_keys_parse_guest_poll_queues("0", 1, &v, err, sizeof(err)),
	       0, "guest-poll-queues 0 of 1");
	is_uint(v, 0, "value 0");
	is_int(vbmq_keys_parse_guest_poll_queues("1", 1, &v, err, sizeof(err)),
	       -EINVAL, "guest-poll-queues 1 of 1 refused");
	ok(strstr(err, "vbmq/guest-poll-queues") && strstr(err, "0..0"),
	   "message: %s", err);
	is_int(vbmq_keys_parse_guest_poll_queues("3", 4, &v, err, sizeof(err)),
	       0, "guest-poll-queues 3 of 4");
	is_uint(v, 3, "value 3");
	is_int(vbmq_keys_parse_guest_poll_queues("4", 4, &v, err, sizeof(err)),
	       -EINVAL, "guest-poll-queues 4 of 4 refused");
}

struct word_case {
	const char *in;
	int ret;
	int val;
};

static void test_words(void)
{
	static const struct word_case poll[] = {
		{ "off", 0, VBMQ_POLL_OFF }, { "adaptive", 0, VBMQ_POLL_ADAPTIVE },
		{ "always", 0, VBMQ_POLL_ALWAYS }, { "fast", -EINVAL },
		{ "", -EINVAL }, { "Off", -EINVAL }, { "off ", -EINVAL },
		{ "adaptiv", -EINVAL }, { "alwaysX", -EINVAL },
		{ "\x01\xff\"", -EINVAL },
	};
	static const struct word_case aff[] = {
		{ "spread", 0, VBMQ_IRQ_SPREAD }, { "none", 0, VBMQ_IRQ_NONE },
		{ "all", -EINVAL }, { "", -EINVAL },
	};
	enum vbmq_poll_mode pm;
	enum vbmq_irq_affinity ia;
	char err[VBMQ_KEYS_ERR_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(poll); i++) {
		pm = VBMQ_POLL_ALWAYS;
		is_int(vbmq_keys_parse_poll(poll[i].in, &pm, err, sizeof(err)),
		       poll[i].ret, "poll \"%s\"", poll[i].in);
		if (!poll[i].ret) {
			is_int(pm, poll[i].val, "poll \"%s\" value", poll[i].in);
			is_str(vbmq_poll_mode_name(pm), poll[i].in,
			       "poll name round trip");
		} else {
			ok(strstr(err, "vbmq/poll:") &&
			   strstr(err, "off, adaptive, always"),
			   "poll error: %s", err);
		}
	}
	/* A hostile value is echoed sanitised. */
	vbmq_keys_parse_poll("\x01\xff\"", &pm, err, sizeof(err));
	is_str(err, "vbmq/poll: \"???\" is invalid (allowed: off, adaptive, always)",
	       "control bytes and quotes are replaced");
	vbmq_keys_parse_poll("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &pm, err,
			     sizeof(err));
	ok(strstr(err, "aaaaaaaaaaaaaaaaaaaaaaaa...\""), "long value truncated: %s",
	   err);
	for (i = 0; i < ARRAY_SIZE(aff); i++) {
		ia = VBMQ_IRQ_NONE;
		is_int(vbmq_keys_parse_guest_irq_affinity(aff[i].in, &ia, err,
							  sizeof(err)),
		       aff[i].ret, "guest-irq-affinity \"%s\"", aff[i].in);
		if (!aff[i].ret)
			is_int(ia, aff[i].val, "affinity value");
		else
			ok(strstr(err, "vbmq/guest-irq-affinity") &&
			   strstr(err, "spread, none"), "affinity error: %s",
			   err);
	}
	ok(!vbmq_poll_mode_name((enum vbmq_poll_mode)7), "bad mode has no name");
	ok(!vbmq_irq_affinity_name((enum vbmq_irq_affinity)-1),
	   "bad affinity has no name");
}

struct cpus_case {
	const char *in;
	int ret;
	unsigned int nr;
	unsigned short cpu[8];
	const char *canon;	/* formatted back */
	const char *detail;	/* expected in the error */
};

static void test_cpus(void)
{
	static const struct cpus_case c[] = {
		{ "", 0, 0, { 0 }, "" },
		{ "0", 0, 1, { 0 }, "0" },
		{ "2-5,8", 0, 5, { 2, 3, 4, 5, 8 }, "2-5,8" },
		{ "8,2-5", 0, 5, { 8, 2, 3, 4, 5 }, "8,2-5" },
		{ "15", 0, 1, { 15 }, "15" },
		{ "3-3", 0, 1, { 3 }, "3" },
		{ "1,2,3", 0, 3, { 1, 2, 3 }, "1-3" },
		{ "7,6", 0, 2, { 7, 6 }, "7,6" },
		{ "16", -EINVAL, .detail = "must be < 16" },
		{ "0-16", -EINVAL, .detail = "must be < 16" },
		{ "abc", -EINVAL, .detail = "expected a CPU number" },
		{ "5-2", -EINVAL, .detail = "bad range end" },
		{ "2,2", -EINVAL, .detail = "listed twice" },
		{ "1-3,2", -EINVAL, .detail = "listed twice" },
		{ "1,", -EINVAL, .detail = "separated by" },
		{ ",1", -EINVAL, .detail = "expected a CPU number" },
		{ "1,,2", -EINVAL, .detail = "expected a CPU number" },
		{ "1-", -EINVAL, .detail = "bad range end" },
		{ "-1", -EINVAL, .detail = "expected a CPU number" },
		{ "1 2", -EINVAL, .detail = "separated by" },
		{ " 1", -EINVAL },
		{ "1;2", -EINVAL },
		{ "1-2-3", -EINVAL },
		{ "99999999999999999999", -EINVAL, .detail = "must be < 16" },
		{ "0x1", -EINVAL },
	};
	struct vbmq_cpu_list l;
	char err[VBMQ_KEYS_ERR_LEN], buf[64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&l, 0, sizeof(l));
		l.nr = 77;
		err[0] = '\0';
		is_int(vbmq_keys_parse_cpus(c[i].in, &lim, &l, err,
					    sizeof(err)),
		       c[i].ret, "cpus \"%s\"", c[i].in);
		if (c[i].ret) {
			is_uint(l.nr, 77, "cpus \"%s\" leaves out", c[i].in);
			ok(strstr(err, "vbmq/cpus") && strstr(err, "CPU list"),
			   "cpus error: %s", err);
			if (c[i].detail)
				ok(strstr(err, c[i].detail), "detail \"%s\"",
				   c[i].detail);
			continue;
		}
		is_uint(l.nr, c[i].nr, "cpus \"%s\" count", c[i].in);
		for (j = 0; j < c[i].nr && j < l.nr; j++)
			is_uint(l.cpu[j], c[i].cpu[j], "cpus \"%s\" [%u]",
				c[i].in, j);
		is_int(vbmq_cpu_list_format(&l, buf, sizeof(buf)),
		       (int)strlen(c[i].canon), "format length");
		is_str(buf, c[i].canon, "format \"%s\"", c[i].in);
	}
}

static void test_cpus_limits(void)
{
	struct vbmq_keys_limits big = { .max_queues = 1, .nr_cpu_ids = 5000 };
	struct vbmq_keys_limits zero = { .max_queues = 0, .nr_cpu_ids = 0 };
	static struct vbmq_cpu_list l;
	char err[VBMQ_KEYS_ERR_LEN], buf[16];
	static char longv[VBMQ_KEYS_VALUE_MAX + 8];
	unsigned int v;

	/* nr_cpu_ids above the hard limit is clamped to it. */
	is_int(vbmq_keys_parse_cpus("4095", &big, &l, err, sizeof(err)), 0,
	       "cpu 4095 with a clamped limit");
	is_int(vbmq_keys_parse_cpus("4096", &big, &l, err, sizeof(err)),
	       -EINVAL, "cpu 4096 refused");
	is_int(vbmq_keys_parse_cpus("0-255", &big, &l, err, sizeof(err)), 0,
	       "256 CPUs accepted");
	is_uint(l.nr, 256, "256 entries");
	is_int(vbmq_keys_parse_cpus("0-256", &big, &l, err, sizeof(err)),
	       -EINVAL, "257 CPUs refused");
	ok(strstr(err, "more than 256"), "too many: %s", err);
	is_int(vbmq_keys_parse_cpus("0-4095", &big, &l, err, sizeof(err)),
	       -EINVAL, "4096 CPUs refused");
	memset(longv, '1', sizeof(longv) - 1);
	is_int(vbmq_keys_parse_cpus(longv, &big, &l, err, sizeof(err)),
	       -EINVAL, "overlong value refused");
	ok(strstr(err, "too long"), "too long: %s", err);
	is_int(vbmq_keys_parse_cpus("0-255", &big, &l, err, sizeof(err)), 0,
	       "again 256");
	/* Formatting into a short buffer truncates but reports the size. */
	l.nr = 3;
	l.cpu[0] = 1000;
	l.cpu[1] = 2000;
	l.cpu[2] = 3000;
	is_int(vbmq_cpu_list_format(&l, buf, 6), 14, "format needs 14");
	is_str(buf, "1000,", "format truncated");
	is_int(vbmq_cpu_list_format(&l, NULL, 0), 14, "format sizing only");
	/* Zero limits behave as the smallest sane ones. */
	is_int(vbmq_keys_parse_queues("1", &zero, &v, err, sizeof(err)), 0,
	       "queues 1 with max 0");
	is_int(vbmq_keys_parse_queues("2", &zero, &v, err, sizeof(err)),
	       -EINVAL, "queues 2 with max 0");
	/* A tiny or missing error buffer is safe. */
	is_int(vbmq_keys_parse_cpus("x", &lim, &l, err, 1), -EINVAL,
	       "1-byte error buffer");
	is_str(err, "", "1-byte buffer holds an empty string");
	is_int(vbmq_keys_parse_cpus("x", &lim, &l, NULL, 0), -EINVAL,
	       "no error buffer");
}

static void test_generic(void)
{
	struct vbmq_keys k;
	enum vbmq_key key;
	char err[VBMQ_KEYS_ERR_LEN];
	unsigned int i;

	vbmq_keys_defaults(&k, &lim, VBMQ_POLL_ADAPTIVE, 32);
	is_uint(k.queues, 8, "default queues = max");
	is_uint(k.cpus.nr, 0, "default unpinned");
	is_int(k.poll, VBMQ_POLL_ADAPTIVE, "default poll");
	is_uint(k.poll_max_us, 32, "default poll-max-us");
	is_int(k.guest_irq_affinity, VBMQ_IRQ_SPREAD, "default spread");

	for (i = 0; i < VBMQ_KEY_COUNT; i++) {
		ok(vbmq_key_name(i) && vbmq_key_allowed(i), "key %u named", i);
		is_int(vbmq_key_lookup(vbmq_key_name(i), &key), 0, "lookup %s",
		       vbmq_key_name(i));
		is_int(key, i, "lookup round trip");
	}
	is_int(vbmq_key_lookup("error", &key), -ENOENT, "error is no key");
	ok(!vbmq_key_name(VBMQ_KEY_COUNT), "out-of-range key");

	is_int(vbmq_keys_parse(VBMQ_KEY_QUEUES, "2", &lim, &k, err,
			       sizeof(err)), 0, "generic queues");
	is_uint(k.queues, 2, "queues now 2");
	is_int(vbmq_keys_parse(VBMQ_KEY_GUEST_POLL_QUEUES, "2", &lim, &k, err,
			       sizeof(err)), -EINVAL,
	       "guest-poll-queues checked against queues");
	is_int(vbmq_keys_parse(VBMQ_KEY_GUEST_POLL_QUEUES, "1", &lim, &k, err,
			       sizeof(err)), 0, "guest-poll-queues 1 of 2");
	is_int(vbmq_keys_parse(VBMQ_KEY_CPUS, "3,1", &lim, &k, err,
			       sizeof(err)), 0, "generic cpus");
	is_uint(k.cpus.nr, 2, "two CPUs");
	is_int(vbmq_keys_parse(VBMQ_KEY_CPUS, "abc", &lim, &k, err,
			       sizeof(err)), -EINVAL, "generic bad cpus");
	is_uint(k.cpus.nr, 2, "old cpus kept");
	is_int(vbmq_keys_parse(VBMQ_KEY_POLL, "always", &lim, &k, err,
			       sizeof(err)), 0, "generic poll");
	is_int(k.poll, VBMQ_POLL_ALWAYS, "poll always");
	is_int(vbmq_keys_parse(VBMQ_KEY_POLL_MAX_US, "-1", &lim, &k, err,
			       sizeof(err)), -EINVAL, "generic bad poll-max-us");
	is_uint(k.poll_max_us, 32, "old poll-max-us kept");
	is_int(vbmq_keys_parse(VBMQ_KEY_GUEST_IRQ_AFFINITY, "none", &lim, &k,
			       err, sizeof(err)), 0, "generic affinity");
	is_int(vbmq_keys_parse(VBMQ_KEY_COUNT, "1", &lim, &k, err,
			       sizeof(err)), -EINVAL, "generic bad key");
	ok(strstr(err, "unknown key"), "bad key message: %s", err);
}

int main(void)
{
	test_queues();
	test_poll_max_us();
	test_guest_poll_queues();
	test_words();
	test_cpus();
	test_cpus_limits();
	test_generic();
	return tap_done();
}
