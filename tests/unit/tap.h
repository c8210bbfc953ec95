/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the userspace unit tests of the vbmq cores.
 *
 * A test program includes the core it tests (the .c file, so static helpers
 * are reachable), runs table-driven cases through the ok()/is_*() checks and
 * returns tap_done(), which prints the plan and exits non-zero on failure.
 * Built with -fsanitize=address,undefined: any sanitizer report fails the run.
 */
#ifndef VBMQ_TAP_H
#define VBMQ_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int tap_count;
static unsigned int tap_failed;

static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %u - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)						\
	do {								\
		long long g_ = (long long)(got), w_ = (long long)(want);\
		if (!ok(g_ == w_, __VA_ARGS__))				\
			printf("#   got %lld, want %lld\n", g_, w_);	\
	} while (0)

#define is_uint(got, want, ...)						\
	do {								\
		unsigned long long g_ = (got), w_ = (want);		\
		if (!ok(g_ == w_, __VA_ARGS__))				\
			printf("#   got %llu, want %llu\n", g_, w_);	\
	} while (0)

#define is_str(got, want, ...)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!ok(g_ && w_ && !strcmp(g_, w_), __VA_ARGS__))	\
			printf("#   got \"%s\", want \"%s\"\n",		\
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed)
		printf("# %u of %u checks failed\n", tap_failed, tap_count);
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* VBMQ_TAP_H */
