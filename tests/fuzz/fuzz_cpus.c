// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the CPU-list parsers: vbmq/cpus (vbmq_keys_parse_cpus() of
 * lib/keys.c, used by the backend and by xl-vbmq) and the
 * pin-dom0 bitmaps of xl-vbmq (xlv_cpumap_parse() of
 * tools/xl-vbmq/config.c).
 *
 * Input: nr_cpu_ids, then the list text.  Checked:
 *   - vbmq_keys_parse_cpus() accepts exactly what a reference parser of the
 *     documented grammar accepts ("" or comma-separated N / A-B items,
 *     A <= B, every CPU below min(nr_cpu_ids, 4096), none twice, at most
 *     256, at most 1024 characters) and yields the same CPUs in the same
 *     order; a refusal leaves the output untouched;
 *   - vbmq_cpu_list_format() of the result parses back to the same list,
 *     returns the full length whatever the buffer, and truncates to a
 *     terminated prefix;
 *   - xlv_cpumap_parse() accepts every non-empty list vbmq/cpus accepts
 *     (with a bitmap of nr_cpu_ids bits, rounded up to bytes) and sets
 *     exactly its CPUs;
 *     xlv_cpumap_format() of that bitmap parses back to the same bitmap.
 */
#include "fuzz.h"
#include "../../lib/keys.c"
#include "../../tools/xl-vbmq/config.c"

/* The grammar of vbmq/keys.h, written independently. */
static bool ref_parse(const char *s, unsigned int ncpu,
		      struct vbmq_cpu_list *out)
{
	static bool seen[VBMQ_KEYS_CPU_LIMIT];
	unsigned long long lo, hi, c;
	const char *p = s;

	out->nr = 0;
	if (strlen(s) > VBMQ_KEYS_VALUE_MAX)
		return false;
	memset(seen, 0, sizeof(seen));
	if (!*p)
		return true;
	for (;;) {
		if (*p < '0' || *p > '9')
			return false;
		for (lo = 0; *p >= '0' && *p <= '9'; p++)
			lo = lo < ncpu ? lo * 10 + (unsigned int)(*p - '0') : lo;
		hi = lo;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			for (hi = 0; *p >= '0' && *p <= '9'; p++)
				hi = hi < ncpu ? hi * 10 + (unsigned int)(*p - '0') :
					hi;
		}
		if (lo >= ncpu || hi >= ncpu || hi < lo)
			return false;
		for (c = lo; c <= hi; c++) {
			if (seen[c] || out->nr == VBMQ_KEYS_CPU_LIST_MAX)
				return false;
			seen[c] = true;
			out->cpu[out->nr++] = (u16)c;
		}
		if (!*p)
			return true;
		if (*p != ',' || !p[1])
			return false;
		p++;
	}
}

static void check_format(const struct vbmq_cpu_list *l,
			 const struct vbmq_keys_limits *lim)
{
	static char full[8 * VBMQ_KEYS_CPU_LIST_MAX];
	static struct vbmq_cpu_list again;
	size_t sizes[5], i;
	char err[VBMQ_KEYS_ERR_LEN];
	int need, n;
	char *buf;

	need = vbmq_cpu_list_format(l, full, sizeof(full));
	fz_assert(need >= 0 && (size_t)need < sizeof(full) &&
		  strlen(full) == (size_t)need, "format length %d", need);
	fz_assert(!vbmq_keys_parse_cpus(full, lim, &again, err, sizeof(err)),
		  "canonical \"%s\" refused: %s", full, err);
	fz_assert(again.nr == l->nr &&
		  !memcmp(again.cpu, l->cpu, l->nr * sizeof(l->cpu[0])),
		  "\"%s\" parses back to another list", full);

	sizes[0] = 0;
	sizes[1] = 1;
	sizes[2] = (size_t)need / 2 + 1;
	sizes[3] = (size_t)need;
	sizes[4] = (size_t)need + 1;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		buf = malloc(sizes[i] ? sizes[i] : 1);
		if (!buf)
			abort();
		n = vbmq_cpu_list_format(l, buf, sizes[i]);
		fz_assert(n == need, "format into %zu: %d, want %d", sizes[i],
			  n, need);
		if (sizes[i])
			fz_assert(fz_terminated(buf, sizes[i]) &&
				  !strncmp(buf, full, strlen(buf)) &&
				  strlen(buf) == ((size_t)need < sizes[i] ?
						  (size_t)need : sizes[i] - 1),
				  "format into %zu: \"%s\"", sizes[i], buf);
		free(buf);
	}
}

static void check_cpumap(const char *s, const struct vbmq_cpu_list *l,
			 unsigned int ncpu)
{
	static unsigned char map[VBMQ_KEYS_CPU_LIMIT / 8];
	static unsigned char again[VBMQ_KEYS_CPU_LIMIT / 8];
	static unsigned char want[VBMQ_KEYS_CPU_LIMIT / 8];
	static char text[VBMQ_KEYS_CPU_LIMIT * 6];
	size_t bytes = (ncpu + 7) / 8, c, i;
	char err[XLV_ERR_LEN];

	if (!bytes || !l->nr)
		return;
	/* CPUs below ncpu fit a bitmap of that many bytes. */
	fz_assert(!xlv_cpumap_parse(s, map, bytes, err, sizeof(err)),
		  "cpumap refuses \"%s\": %s", s, err);
	memset(want, 0, bytes);
	for (i = 0; i < l->nr; i++)
		want[l->cpu[i] / 8] |= (unsigned char)(1u << (l->cpu[i] % 8));
	for (c = 0; c < bytes; c++)
		fz_assert(map[c] == want[c], "cpumap byte %zu: %#x, want %#x",
			  c, map[c], want[c]);
	fz_assert(!xlv_cpumap_format(map, bytes, text, sizeof(text)),
		  "cpumap format");
	fz_assert(!xlv_cpumap_parse(text, again, bytes, err, sizeof(err)) &&
		  !memcmp(map, again, bytes), "cpumap \"%s\" round trip", text);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vbmq_cpu_list got, want;
	struct fz_in in = { data, size };
	struct vbmq_keys_limits lim = { .max_queues = 1 };
	char err[VBMQ_KEYS_ERR_LEN];
	unsigned int ncpu;
	bool ok;
	char *s;
	int ret;

	lim.nr_cpu_ids = fz_u16(&in);
	if (lim.nr_cpu_ids & 0x8000)	/* mostly small hosts */
		lim.nr_cpu_ids &= 0x1fff;
	else
		lim.nr_cpu_ids &= 0x3f;
	ncpu = lim.nr_cpu_ids;
	if (!ncpu || ncpu > VBMQ_KEYS_CPU_LIMIT)
		ncpu = VBMQ_KEYS_CPU_LIMIT;
	s = fz_str(&in);

	got.nr = 0xdead;
	ret = vbmq_keys_parse_cpus(s, &lim, &got, err, sizeof(err));
	ok = ref_parse(s, ncpu, &want);
	fz_assert(ret == 0 || ret == -EINVAL, "result %d", ret);
	fz_assert(!ret == ok, "\"%.60s\" with %u CPUs: %d, reference %s", s,
		  ncpu, ret, ok ? "accepts" : "refuses");
	if (ret) {
		fz_assert(got.nr == 0xdead, "output written on refusal");
		free(s);
		return 0;
	}
	fz_assert(got.nr == want.nr &&
		  !memcmp(got.cpu, want.cpu, got.nr * sizeof(got.cpu[0])),
		  "\"%.60s\": %u CPUs, reference %u", s, got.nr, want.nr);
	check_format(&got, &lim);
	check_cpumap(s, &got, ncpu);
	free(s);
	return 0;
}
