/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the libFuzzer targets of the vbmq pure cores.
 *
 * A target includes the core it exercises (the .c file, as the unit tests
 * do), decodes the fuzzer's bytes into arguments with the fz_*() readers
 * and checks the invariants the callers rely on with fz_assert(), which
 * prints what failed and aborts: libFuzzer then saves the input.
 * Built with clang -fsanitize=fuzzer,address,undefined (tests/fuzz/run).
 */
#ifndef VBMQ_FUZZ_H
#define VBMQ_FUZZ_H

/* int16_t, __int128 below; u8..s64 from vbmq/userspace_types.h */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vbmq/userspace_types.h"	/* u8..s64 */

typedef int16_t s16;		/* blkif response status */
typedef unsigned __int128 u128;	/* exact sums of u64 values */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define fz_assert(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s: ",\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* The fuzzer's bytes, consumed from the front; reads past the end give 0. */
struct fz_in {
	const u8 *p;
	size_t n;
};

static inline u8 fz_u8(struct fz_in *in)
{
	u8 v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline u16 fz_u16(struct fz_in *in)
{
	u16 v = fz_u8(in);

	return (u16)(v | fz_u8(in) << 8);
}

static inline u32 fz_u32(struct fz_in *in)
{
	u32 v = fz_u16(in);

	return v | (u32)fz_u16(in) << 16;
}

static inline u64 fz_u64(struct fz_in *in)
{
	u64 v = fz_u32(in);

	return v | (u64)fz_u32(in) << 32;
}

/* Copy n bytes into buf, zero-filling what the input lacks. */
static inline void fz_bytes(struct fz_in *in, void *buf, size_t n)
{
	size_t k = in->n < n ? in->n : n;

	memcpy(buf, in->p, k);
	memset((u8 *)buf + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

/*
 * The rest of the input as a NUL-terminated string in a heap buffer of
 * exactly its length + 1 (so ASan sees any read past the NUL).  Bytes
 * after an embedded NUL are ignored by the parsers, as a C caller would.
 * The caller frees it.
 */
static inline char *fz_str(struct fz_in *in)
{
	char *s = malloc(in->n + 1);

	if (!s)
		abort();
	memcpy(s, in->p, in->n);
	s[in->n] = '\0';
	in->p += in->n;
	in->n = 0;
	return s;
}

/* Is s a NUL-terminated string within its len-byte buffer? */
static inline int fz_terminated(const char *s, size_t len)
{
	return !!memchr(s, '\0', len);
}

#endif /* VBMQ_FUZZ_H */
