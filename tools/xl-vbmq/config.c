// SPDX-License-Identifier: GPL-2.0
/*
 * xl-vbmq: pure parsers (see config.h).  No xenstore, no libxenctrl: the
 * unit test builds this file alone with lib/keys.c and Xen's libxlutil.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxlutil.h>

#include "config.h"
#include "vbmq/vdev.h"

#define XLV_FAIL(err, errlen, ...)				\
	do {							\
		if ((err) && (errlen))				\
			snprintf((err), (errlen), __VA_ARGS__);	\
	} while (0)

/* ---- virtual disk names ---- */

/*
 * "PREFIX" then letters (bijective base 26: a = 0, z = 25, aa = 26) then an
 * optional partition number without leading zero.
 */
static bool xlv_vdisk_matches(const char *s, const char *prefix,
			      unsigned long max_disk, unsigned long max_part,
			      unsigned long *disk, unsigned long *part)
{
	size_t pl = strlen(prefix);
	unsigned long d = 0;
	const char *p;
	char *ep;
	bool any = false;

	if (strncmp(s, prefix, pl))
		return false;
	for (p = s + pl; *p >= 'a' && *p <= 'z'; p++) {
		d = any ? (d + 1) * 26 + (unsigned long)(*p - 'a') :
			  (unsigned long)(*p - 'a');
		any = true;
		if (d > max_disk)
			return false;
	}
	if (!any)
		return false;
	*disk = d;
	*part = 0;
	if (!*p)
		return true;
	if (*p < '1' || *p > '9')
		return false;
	errno = 0;
	*part = strtoul(p, &ep, 10);
	return !errno && !*ep && *part <= max_part;
}

/* "dDpP" with decimal D < 2^20, P < 256, nothing else. */
static bool xlv_vdisk_dp(const char *s, unsigned long *disk,
			 unsigned long *part)
{
	const char *p = s + 1;
	unsigned long d = 0, q = 0;

	if (s[0] != 'd' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p) && d < VBMQ_VDEV_EXT_DISKS)
		d = d * 10 + (unsigned long)(*p++ - '0');
	if (*p++ != 'p' || !isdigit((unsigned char)*p) ||
	    d >= VBMQ_VDEV_EXT_DISKS)
		return false;
	while (isdigit((unsigned char)*p) && q < VBMQ_VDEV_EXT_PARTS)
		q = q * 10 + (unsigned long)(*p++ - '0');
	if (*p || q >= VBMQ_VDEV_EXT_PARTS)
		return false;
	*disk = d;
	*part = q;
	return true;
}

int xlv_vdev_to_devid(const char *vdev, unsigned int *devid, char *err,
		      size_t errlen)
{
	unsigned long disk = 0, part = 0, ul;
	char *ep;

	if (!*vdev || strlen(vdev) >= XLV_VDEV_MAX)
		goto bad;
	if (xlv_vdisk_dp(vdev, &disk, &part) ||
	    xlv_vdisk_matches(vdev, "xvd", VBMQ_VDEV_EXT_DISKS - 1,
			      VBMQ_VDEV_EXT_PARTS - 1, &disk, &part)) {
		*devid = vbmq_vdev_xvd((u32)disk, (u32)part);
		return 0;
	}
	if (isdigit((unsigned char)vdev[0])) {
		errno = 0;
		ul = strtoul(vdev, &ep, 0);
		if (errno || *ep || ul > INT_MAX)
			goto bad;
		*devid = (unsigned int)ul;
		return 0;
	}
	if (xlv_vdisk_matches(vdev, "hd", VBMQ_VDEV_HD_DISKS - 1,
			      VBMQ_VDEV_HD_PARTS - 1, &disk, &part)) {
		*devid = (unsigned int)((disk < 2 ? VBMQ_VDEV_HD0_MAJOR :
					 VBMQ_VDEV_HD1_MAJOR) << 8 |
					(disk & 1) * VBMQ_VDEV_HD_PARTS | part);
		return 0;
	}
	if (xlv_vdisk_matches(vdev, "sd", VBMQ_VDEV_SD_DISKS - 1,
			      VBMQ_VDEV_SD_PARTS - 1, &disk, &part)) {
		*devid = (unsigned int)(VBMQ_VDEV_SD_MAJOR << 8 |
					disk * VBMQ_VDEV_SD_PARTS | part);
		return 0;
	}
bad:
	XLV_FAIL(err, errlen,
		 "\"%.40s\" is not a virtual disk name (use xvda..xvdz, xvdaa.., hda..hdd, sda..sdp, with an optional partition number, dDpP, or a device id like 51712)",
		 vdev);
	return -EINVAL;
}

int xlv_parse_domid(const char *s, unsigned int *domid)
{
	unsigned long v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > XLV_DOMID_MAX)
			return -EINVAL;
	}
	*domid = (unsigned int)v;
	return 0;
}

bool xlv_domain_name_ok(const char *s)
{
	unsigned int d;
	const char *p;

	if (!*s || strlen(s) >= XLV_NAME_MAX || !xlv_parse_domid(s, &d))
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.:-", *p))
			return false;
	return true;
}

/* ---- settings ---- */

void xlv_settings_init(struct xlv_settings *s)
{
	memset(s, 0, sizeof(*s));
}

/* "queues, cpus, poll, ..." */
static void xlv_key_names(char *buf, size_t len)
{
	size_t at = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < VBMQ_KEY_COUNT && at < len; i++) {
		n = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
			     vbmq_key_name((enum vbmq_key)i));
		if (n < 0)
			return;
		at += (size_t)n;
	}
}

int xlv_settings_add(struct xlv_settings *s, const char *key,
		     const char *value, char *err, size_t errlen)
{
	enum vbmq_key k;
	char names[128];

	if (vbmq_key_lookup(key, &k)) {
		xlv_key_names(names, sizeof(names));
		XLV_FAIL(err, errlen, "unknown key \"%.40s\" (keys: %s)", key,
			 names);
		return -EINVAL;
	}
	if (s->given[k]) {
		XLV_FAIL(err, errlen, "%s/%s is given twice; give each key once",
			 VBMQ_KEYS_DIR, key);
		return -EINVAL;
	}
	if (strlen(value) > VBMQ_KEYS_VALUE_MAX) {
		XLV_FAIL(err, errlen, "%s/%s: value longer than %u characters",
			 VBMQ_KEYS_DIR, key, VBMQ_KEYS_VALUE_MAX);
		return -EINVAL;
	}
	strcpy(s->value[k], value);
	s->given[k] = true;
	return 0;
}

int xlv_settings_from_args(struct xlv_settings *s, int argc, char **argv,
			   char *err, size_t errlen)
{
	char key[64];
	const char *eq;
	size_t n;
	int i, ret;

	if (argc < 1) {
		XLV_FAIL(err, errlen,
			 "no KEY=VALUE given (e.g. queues=4 cpus=2-5 poll=adaptive)");
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		n = eq ? (size_t)(eq - argv[i]) : 0;
		if (!eq || !n || n >= sizeof(key)) {
			XLV_FAIL(err, errlen,
				 "\"%.40s\" is not KEY=VALUE (e.g. poll=adaptive)",
				 argv[i]);
			return -EINVAL;
		}
		memcpy(key, argv[i], n);
		key[n] = '\0';
		ret = xlv_settings_add(s, key, eq + 1, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int xlv_settings_unset_from_args(struct xlv_settings *s, int argc,
				 char **argv, char *err, size_t errlen)
{
	enum vbmq_key k;
	char names[128];
	int i;

	if (argc < 1) {
		XLV_FAIL(err, errlen, "no KEY given (e.g. unset ... poll cpus)");
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '=')) {
			XLV_FAIL(err, errlen,
				 "\"%.40s\": unset takes key names only (e.g. poll cpus); set changes a value",
				 argv[i]);
			return -EINVAL;
		}
		if (vbmq_key_lookup(argv[i], &k)) {
			xlv_key_names(names, sizeof(names));
			XLV_FAIL(err, errlen, "unknown key \"%.40s\" (keys: %s)",
				 argv[i], names);
			return -EINVAL;
		}
		if (s->unset[k]) {
			XLV_FAIL(err, errlen, "key %s given twice",
				 vbmq_key_name(k));
			return -EINVAL;
		}
		s->unset[k] = true;
	}
	return 0;
}

bool xlv_cpu_list_has(const struct vbmq_cpu_list *l, unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (l->cpu[i] == cpu)
			return true;
	return false;
}

int xlv_settings_validate(struct xlv_settings *s,
			  const struct vbmq_keys_limits *lim,
			  const struct vbmq_keys *cur,
			  const struct vbmq_cpu_list *online,
			  char *err, size_t errlen)
{
	struct vbmq_keys k = *cur;
	char online_s[128];
	unsigned int i;
	int key, ret;

	for (key = 0; key < VBMQ_KEY_COUNT; key++) {
		if (!s->given[key])
			continue;
		ret = vbmq_keys_parse((enum vbmq_key)key, s->value[key], lim, &k,
				      err, errlen);
		if (ret)
			return ret;
	}
	if (s->given[VBMQ_KEY_CPUS] && online) {
		for (i = 0; i < k.cpus.nr; i++) {
			if (xlv_cpu_list_has(online, k.cpus.cpu[i]))
				continue;
			vbmq_cpu_list_format(online, online_s,
					     sizeof(online_s));
			XLV_FAIL(err, errlen,
				 "%s/%s: CPU %u is offline (allowed: dom0 CPUs %s)",
				 VBMQ_KEYS_DIR, vbmq_key_name(VBMQ_KEY_CPUS),
				 k.cpus.cpu[i], online_s);
			return -EINVAL;
		}
	}
	s->keys = k;
	return 0;
}

/* ---- disk lines ---- */

static const char *xlv_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Copy [b, e) without surrounding blanks into buf; -ENOSPC if too long. */
static int xlv_copy_trim(const char *b, const char *e, char *buf, size_t len)
{
	b = xlv_skip_blanks(b);
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		e--;
	if ((size_t)(e - b) >= len)
		return -ENOSPC;
	memcpy(buf, b, (size_t)(e - b));
	buf[e - b] = '\0';
	return 0;
}

/* Does a new "key=" item start at p (after a comma)? */
static bool xlv_item_starts(const char *p)
{
	p = xlv_skip_blanks(p);
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	p = xlv_skip_blanks(p);
	return *p == '=';
}

int xlv_parse_disk_line(const char *line, char *vdev, size_t vdevlen,
			struct xlv_settings *s, char *err, size_t errlen)
{
	const char *colon = strchr(line, ':'), *p, *e, *eq;
	char key[64], value[VBMQ_KEYS_VALUE_MAX + 1];
	unsigned int devid;
	int ret;

	xlv_settings_init(s);
	if (!colon || xlv_copy_trim(line, colon, vdev, vdevlen) || !vdev[0]) {
		XLV_FAIL(err, errlen,
			 "\"%.60s\": expected \"VDEV: key=value, ...\" (e.g. \"xvda: queues=4, poll=adaptive\")",
			 line);
		return -EINVAL;
	}
	ret = xlv_vdev_to_devid(vdev, &devid, err, errlen);
	if (ret)
		return ret;
	p = xlv_skip_blanks(colon + 1);
	if (!*p || *p == '\n') {
		XLV_FAIL(err, errlen, "%s: no settings after ':' (e.g. \"%s: queues=4\")",
			 vdev, vdev);
		return -EINVAL;
	}
	while (*p) {
		/* The item ends at a comma that starts a new key=, or at the end. */
		for (e = p; *e && !(*e == ',' && xlv_item_starts(e + 1)); e++)
			;
		eq = memchr(p, '=', (size_t)(e - p));
		if (!eq || xlv_copy_trim(p, eq, key, sizeof(key)) || !key[0]) {
			XLV_FAIL(err, errlen,
				 "%s: \"%.*s\" is not key=value", vdev,
				 (int)(e - p > 40 ? 40 : e - p), p);
			return -EINVAL;
		}
		if (xlv_copy_trim(eq + 1, e, value, sizeof(value))) {
			XLV_FAIL(err, errlen, "%s: value of %s is too long", vdev,
				 key);
			return -EINVAL;
		}
		ret = xlv_settings_add(s, key, value, err, errlen);
		if (ret)
			return ret;
		p = *e ? e + 1 : e;
	}
	return 0;
}

int xlv_parse_conf_line(const char *line, char *domain, size_t domlen,
			char *vdev, size_t vdevlen, struct xlv_settings *s,
			char *err, size_t errlen)
{
	const char *p = xlv_skip_blanks(line), *e;

	if (!*p || *p == '#' || *p == '\n' || *p == '\r')
		return -ENODATA;
	for (e = p; *e && *e != ' ' && *e != '\t' && *e != ':'; e++)
		;
	if (*e != ' ' && *e != '\t') {
		XLV_FAIL(err, errlen,
			 "\"%.60s\": expected \"DOMAIN VDEV: key=value, ...\"",
			 line);
		return -EINVAL;
	}
	if (xlv_copy_trim(p, e, domain, domlen) ||
	    (strcmp(domain, "*") && !xlv_domain_name_ok(domain))) {
		XLV_FAIL(err, errlen,
			 "\"%.*s\" is not a domain name or \"*\"",
			 (int)(e - p > 40 ? 40 : e - p), p);
		return -EINVAL;
	}
	return xlv_parse_disk_line(e, vdev, vdevlen, s, err, errlen);
}

/* ---- xl domain configuration files (Xen's libxlutil) ---- */

void xlv_xl_config_init(struct xlv_xl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * libxlutil reports to a FILE: keep its first line as the error, which
 * names the source and line ("guest.cfg:3: config parsing error near ...").
 */
static void xlv_xlu_report(FILE *report, char **buf, const char *what,
			   char *err, size_t errlen)
{
	char *nl;

	fflush(report);
	if (*buf && **buf) {
		nl = strchr(*buf, '\n');
		if (nl)
			*nl = '\0';
		XLV_FAIL(err, errlen, "%s (see xl.cfg(5))", *buf);
	} else {
		XLV_FAIL(err, errlen, "%s: cannot be read as an xl config (see xl.cfg(5))",
			 what);
	}
}

/* The vbmq = [ "VDEV: key=value, ..." ] setting into cfg. */
static int xlv_xl_config_vbmq(XLU_Config *xc, const char *what,
			      struct xlv_xl_config *cfg, char *err,
			      size_t errlen)
{
	XLU_ConfigList *list;
	const char *entry;
	int nr, i, rc;

	rc = xlu_cfg_get_list(xc, "vbmq", &list, &nr, 1);
	if (rc == ESRCH)
		return 0;
	if (rc) {
		XLV_FAIL(err, errlen,
			 "%s: vbmq must be a list of strings, e.g. vbmq = [ \"xvda: queues=4, poll=adaptive\" ]",
			 what);
		return -EINVAL;
	}
	if (nr > XLV_CFG_MAX_DISKS) {
		XLV_FAIL(err, errlen, "%s: more than %u vbmq entries", what,
			 XLV_CFG_MAX_DISKS);
		return -EINVAL;
	}
	for (i = 0; i < nr; i++) {
		/* NULL for an item that is not a string (a nested list) */
		entry = xlu_cfg_get_listitem(list, i);
		if (!entry) {
			XLV_FAIL(err, errlen,
				 "%s: vbmq entry %d must be a quoted string, e.g. \"xvda: queues=4\"",
				 what, i + 1);
			return -EINVAL;
		}
		if (strlen(entry) >= sizeof(cfg->vbmq[i])) {
			XLV_FAIL(err, errlen, "%s: vbmq entry %d is too long",
				 what, i + 1);
			return -EINVAL;
		}
		strcpy(cfg->vbmq[i], entry);
	}
	cfg->nr_vbmq = nr;
	cfg->has_vbmq = true;
	return 0;
}

int xlv_parse_xl_config(const char *text, const char *what,
			struct xlv_xl_config *cfg, char *err, size_t errlen)
{
	char *rbuf = NULL;
	size_t rlen = 0;
	const char *name;
	XLU_Config *xc;
	FILE *report;
	size_t len = strlen(text);
	int rc;

	if (len > INT_MAX) {
		XLV_FAIL(err, errlen, "%s: too long", what);
		return -EINVAL;
	}
	report = open_memstream(&rbuf, &rlen);
	if (!report) {
		XLV_FAIL(err, errlen, "%s: out of memory", what);
		return -ENOMEM;
	}
	xc = xlu_cfg_init(report, what);
	if (!xc) {
		fclose(report);
		free(rbuf);
		XLV_FAIL(err, errlen, "%s: out of memory", what);
		return -ENOMEM;
	}
	rc = xlu_cfg_readdata(xc, text, (int)len);
	if (rc) {
		xlv_xlu_report(report, &rbuf, what, err, errlen);
		rc = -EINVAL;
		goto out;
	}
	if (!xlu_cfg_get_string(xc, "name", &name, 1)) {
		if (strlen(name) >= sizeof(cfg->name)) {
			XLV_FAIL(err, errlen, "%s: name is too long", what);
			rc = -EINVAL;
			goto out;
		}
		strcpy(cfg->name, name);
	}
	rc = xlv_xl_config_vbmq(xc, what, cfg, err, errlen);
out:
	xlu_cfg_destroy(xc);
	fclose(report);
	free(rbuf);
	return rc;
}

/* ---- command lines ---- */

int xlv_parse_create_args(int argc, char **argv, struct xlv_create_args *a,
			  char *err, size_t errlen)
{
	const char *arg, *f;
	bool opts_done = false;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (a->nr_xl_args + 2 >= XLV_CREATE_MAX_ARGS ||
		    a->nr_overrides >= XLV_CREATE_MAX_ARGS) {
			XLV_FAIL(err, errlen, "too many arguments");
			return -E2BIG;
		}
		if (!opts_done && !strcmp(arg, "--")) {
			opts_done = true;
			continue;
		}
		if (!opts_done && !strncmp(arg, "--", 2)) {
			if (!strcmp(arg, "--quiet")) {
				a->xl_args[a->nr_xl_args++] = arg;
			} else if (!strncmp(arg, "--defconfig=", 12)) {
				a->config = arg + 12;
			} else if (!strcmp(arg, "--defconfig") && i + 1 < argc) {
				a->config = argv[++i];
			} else if (!strcmp(arg, "--ignore-global-affinity-masks")) {
				a->xl_args[a->nr_xl_args++] = arg;
			} else {
				XLV_FAIL(err, errlen,
					 "xl create option %.40s is not supported by xl-vbmq create (supported: -q -d -e -n -p -f FILE --quiet --defconfig=FILE --ignore-global-affinity-masks; attach a console afterwards with xl console)",
					 arg);
				return -EINVAL;
			}
			continue;
		}
		if (!opts_done && arg[0] == '-' && arg[1]) {
			for (f = arg + 1; *f; f++) {
				if (*f == 'q' || *f == 'd' || *f == 'e') {
					a->xl_args[a->nr_xl_args++] =
						*f == 'q' ? "-q" :
						*f == 'd' ? "-d" : "-e";
				} else if (*f == 'p') {
					a->keep_paused = true;
				} else if (*f == 'n') {
					a->dry_run = true;
				} else if (*f == 'f') {
					if (f[1]) {
						a->config = f + 1;
					} else if (i + 1 < argc) {
						a->config = argv[++i];
					} else {
						XLV_FAIL(err, errlen,
							 "-f needs a config file");
						return -EINVAL;
					}
					break;
				} else {
					XLV_FAIL(err, errlen,
						 "xl create option -%c is not supported by xl-vbmq create (supported: -q -d -e -n -p -f FILE; instead of -c/-V/-F attach with xl console or xl vncviewer after creation)",
						 *f);
					return -EINVAL;
				}
				if (a->nr_xl_args + 2 >= XLV_CREATE_MAX_ARGS) {
					XLV_FAIL(err, errlen, "too many arguments");
					return -E2BIG;
				}
			}
			continue;
		}
		if (!a->config && !strchr(arg, '=')) {
			a->config = arg;
			continue;
		}
		if (!strchr(arg, '=')) {
			XLV_FAIL(err, errlen,
				 "\"%.40s\": one config file only; more arguments must be KEY=VALUE overrides",
				 arg);
			return -EINVAL;
		}
		a->overrides[a->nr_overrides++] = arg;
	}
	if (!a->config) {
		XLV_FAIL(err, errlen,
			 "no config file given (usage: xl-vbmq create CONFIG [xl create options] [KEY=VALUE...])");
		return -EINVAL;
	}
	return 0;
}

/* Seconds as "2", "0.5", "1.25": to milliseconds, 0.1 s .. 1 day. */
static int xlv_parse_seconds(const char *s, unsigned int *ms)
{
	unsigned long whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		whole = whole * 10 + (unsigned long)(*p++ - '0');
		if (whole > 86400)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		while (isdigit((unsigned char)*p)) {
			scale /= 10;
			frac += (unsigned long)(*p++ - '0') * scale;
			if (!scale)
				return -EINVAL;
		}
	}
	if (*p)
		return -EINVAL;
	whole = whole * 1000 + frac;
	if (whole < 100 || whole > 86400000ul)
		return -ERANGE;
	*ms = (unsigned int)whole;
	return 0;
}

int xlv_parse_stats_args(int argc, char **argv, struct xlv_stats_args *a,
			 char *err, size_t errlen)
{
	char *ep;
	unsigned long v;
	int i;

	memset(a, 0, sizeof(*a));
	a->interval_ms = 1000;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--watch") || !strcmp(argv[i], "-w")) {
			if (i + 1 >= argc ||
			    xlv_parse_seconds(argv[i + 1], &a->interval_ms)) {
				XLV_FAIL(err, errlen,
					 "--watch needs SECONDS, 0.1..86400 (e.g. --watch 2)");
				return -EINVAL;
			}
			a->watch = true;
			i++;
		} else if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "-c")) {
			errno = 0;
			v = i + 1 < argc ? strtoul(argv[i + 1], &ep, 10) : 0;
			if (i + 1 >= argc || errno || *ep || !v || v > 1000000 ||
			    !isdigit((unsigned char)argv[i + 1][0])) {
				XLV_FAIL(err, errlen,
					 "--count needs N, 1..1000000 (tables to print)");
				return -EINVAL;
			}
			a->count = (unsigned int)v;
			i++;
		} else if (!strcmp(argv[i], "--json")) {
			a->json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			XLV_FAIL(err, errlen,
				 "unknown option %.40s (allowed: --watch SECONDS, --count N, --json)",
				 argv[i]);
			return -EINVAL;
		} else if (!a->domain) {
			a->domain = argv[i];
		} else if (!a->vdev) {
			a->vdev = argv[i];
		} else {
			XLV_FAIL(err, errlen,
				 "too many arguments (usage: stats DOMAIN [VDEV] [--watch SECONDS] [--count N] [--json])");
			return -EINVAL;
		}
	}
	if (!a->domain) {
		XLV_FAIL(err, errlen,
			 "no DOMAIN given (usage: stats DOMAIN [VDEV] [--watch SECONDS] [--count N] [--json])");
		return -EINVAL;
	}
	if (a->count && !a->watch)
		a->watch = true;
	return 0;
}

int xlv_pin_plan(const char *list, unsigned int nr_pcpus,
		 const struct vbmq_cpu_list *online, unsigned int dom0_vcpus,
		 struct xlv_pin_plan *plan, char *err, size_t errlen)
{
	struct vbmq_keys_limits lim = { .max_queues = 1,
					.nr_cpu_ids = nr_pcpus };
	char msg[VBMQ_KEYS_ERR_LEN], on[128];
	unsigned int i;

	memset(plan, 0, sizeof(*plan));
	vbmq_cpu_list_format(online, on, sizeof(on));
	if (!*list) {
		XLV_FAIL(err, errlen,
			 "--io-cpus needs a list of physical CPUs (online: %s), e.g. --io-cpus 2-3",
			 on);
		return -EINVAL;
	}
	if (vbmq_keys_parse_cpus(list, &lim, &plan->io, msg, sizeof(msg))) {
		/* Reuse the parser's detail, named for this option. */
		const char *d = strstr(msg, "(allowed");

		XLV_FAIL(err, errlen,
			 "--io-cpus \"%.40s\" is invalid %s; physical CPUs online: %s",
			 list, d ? d : "", on);
		return -EINVAL;
	}
	for (i = 0; i < plan->io.nr; i++) {
		if (!xlv_cpu_list_has(online, plan->io.cpu[i])) {
			XLV_FAIL(err, errlen,
				 "--io-cpus: physical CPU %u is not online (online: %s)",
				 plan->io.cpu[i], on);
			return -EINVAL;
		}
	}
	if (plan->io.nr > dom0_vcpus) {
		XLV_FAIL(err, errlen,
			 "--io-cpus lists %u CPUs but dom0 has %u vCPUs; list at most %u (or boot Xen with a larger dom0_max_vcpus)",
			 plan->io.nr, dom0_vcpus, dom0_vcpus);
		return -EINVAL;
	}
	for (i = 0; i < online->nr; i++)
		if (!xlv_cpu_list_has(&plan->io, online->cpu[i]))
			plan->rest.cpu[plan->rest.nr++] = online->cpu[i];
	if (!plan->rest.nr) {
		XLV_FAIL(err, errlen,
			 "--io-cpus takes every online CPU (%s); leave at least one for the other domains",
			 on);
		return -EINVAL;
	}
	return 0;
}

void xlv_pin_other(const struct xlv_pin_plan *plan, const unsigned char *base,
		   size_t bytes, struct vbmq_cpu_list *out)
{
	unsigned int i, c;

	out->nr = 0;
	for (i = 0; i < plan->rest.nr; i++) {
		c = plan->rest.cpu[i];
		if (c / 8 < bytes && (base[c / 8] & (1u << (c % 8))))
			out->cpu[out->nr++] = (u16)c;
	}
	if (!out->nr)
		*out = plan->rest;
}

/* ---- the saved affinities of pin-dom0 ---- */

int xlv_cpumap_format(const unsigned char *map, size_t bytes, char *buf,
		      size_t len)
{
	size_t c, end, at = 0, nbits = bytes * 8;
	int n;

#define XLV_BIT(c)	(map[(c) / 8] & (1u << ((c) % 8)))
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (c = 0; c < nbits; c++) {
		if (!XLV_BIT(c))
			continue;
		for (end = c; end + 1 < nbits && XLV_BIT(end + 1); end++)
			;
		if (end == c)
			n = snprintf(buf + at, len - at, "%s%zu", at ? "," : "",
				     c);
		else
			n = snprintf(buf + at, len - at, "%s%zu-%zu",
				     at ? "," : "", c, end);
		if (n < 0 || (size_t)n >= len - at) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		at += (size_t)n;
		c = end;
	}
#undef XLV_BIT
	return 0;
}

/* A CPU number: decimal digits, below limit; *p moves past it. */
static int xlv_cpu_number(const char **p, size_t limit, size_t *out)
{
	size_t v = 0;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (size_t)(**p - '0');
		if (v >= limit)
			return -ERANGE;
		(*p)++;
	}
	*out = v;
	return 0;
}

int xlv_cpumap_parse(const char *s, unsigned char *map, size_t bytes,
		     char *err, size_t errlen)
{
	const char *p = s;
	size_t lo, hi, c, limit = bytes * 8;

	memset(map, 0, bytes);
	do {
		if (xlv_cpu_number(&p, limit, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (xlv_cpu_number(&p, limit, &hi) || hi < lo)
				goto bad;
		}
		for (c = lo; c <= hi; c++)
			map[c / 8] |= (unsigned char)(1u << (c % 8));
	} while (*p++ == ',');
	if (p[-1] == '\0')
		return 0;
bad:
	memset(map, 0, bytes);
	XLV_FAIL(err, errlen,
		 "\"%.40s\" is not a CPU list of CPUs below %zu (e.g. 0-3,8)",
		 s, limit);
	return -EINVAL;
}

void xlv_uuid_format(const unsigned char h[16], char buf[XLV_UUID_LEN])
{
	unsigned int i, at = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[at++] = '-';
		buf[at++] = "0123456789abcdef"[h[i] >> 4];
		buf[at++] = "0123456789abcdef"[h[i] & 15];
	}
	buf[at] = '\0';
}

/* 8-4-4-4-12 lower- or upper-case hex digits. */
static bool xlv_uuid_ok(const char *s)
{
	unsigned int i;

	for (i = 0; i < XLV_UUID_LEN - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int xlv_saved_format(const char *uuid, const unsigned char *maps,
		     size_t bytes, unsigned int nr_vcpus, char *buf,
		     size_t len)
{
	size_t at;
	unsigned int v;
	int n;

	n = snprintf(buf, len, "%s", uuid);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	at = (size_t)n;
	for (v = 0; v < nr_vcpus; v++) {
		if (at + 2 > len)
			return -ENOSPC;
		buf[at++] = v ? ';' : ' ';
		if (xlv_cpumap_format(maps + (size_t)v * bytes, bytes,
				      buf + at, len - at))
			return -ENOSPC;
		at += strlen(buf + at);
	}
	buf[at] = '\0';
	return 0;
}

int xlv_saved_parse(const char *s, char uuid[XLV_UUID_LEN],
		    unsigned char *maps, size_t bytes, unsigned int max_vcpus,
		    unsigned int *nr_vcpus, char *err, size_t errlen)
{
	char item[1024], msg[96];
	const char *p, *e;
	unsigned int v = 0;

	if (strlen(s) < XLV_UUID_LEN || !xlv_uuid_ok(s) ||
	    s[XLV_UUID_LEN - 1] != ' ') {
		XLV_FAIL(err, errlen,
			 "\"%.60s\" does not start with a domain UUID and a blank",
			 s);
		return -EINVAL;
	}
	memcpy(uuid, s, XLV_UUID_LEN - 1);
	uuid[XLV_UUID_LEN - 1] = '\0';
	for (p = s + XLV_UUID_LEN; ; p = e + 1) {
		e = strchr(p, ';');
		if (!e)
			e = p + strlen(p);
		if (v >= max_vcpus) {
			XLV_FAIL(err, errlen,
				 "more than %u vCPU affinities saved", max_vcpus);
			return -E2BIG;
		}
		if ((size_t)(e - p) >= sizeof(item)) {
			XLV_FAIL(err, errlen, "vCPU %u: CPU list too long", v);
			return -EINVAL;
		}
		memcpy(item, p, (size_t)(e - p));
		item[e - p] = '\0';
		if (xlv_cpumap_parse(item, maps + (size_t)v * bytes, bytes, msg,
				     sizeof(msg))) {
			XLV_FAIL(err, errlen, "vCPU %u: %s", v, msg);
			return -EINVAL;
		}
		v++;
		if (!*e)
			break;
	}
	*nr_vcpus = v;
	return 0;
}

int xlv_chomp(const char *s, char *buf, size_t len)
{
	return xlv_copy_trim(s, s + strlen(s), buf, len);
}

int xlv_backend_path_check(const char *path, unsigned int domid,
			   unsigned int devid, unsigned int *be_domid,
			   char *type, size_t typelen)
{
	static const char pre[] = "/local/domain/";
	char want[XLV_BE_PATH_MAX], t[16];
	const char *p = path, *e;
	unsigned long bd;
	size_t n;

	if (strncmp(p, pre, sizeof(pre) - 1))
		return -EINVAL;
	p += sizeof(pre) - 1;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	bd = strtoul(p, (char **)&e, 10);
	if (errno || bd > XLV_DOMID_MAX || strncmp(e, "/backend/", 9))
		return -EINVAL;
	p = e + 9;
	for (n = 0; (p[n] >= 'a' && p[n] <= 'z') || isdigit((unsigned char)p[n]);
	     n++)
		;
	if (!n || n >= sizeof(t) || n >= typelen || p[n] != '/')
		return -EINVAL;
	memcpy(t, p, n);
	t[n] = '\0';
	/*
	 * Rebuilt from the numbers and compared whole: no leading zeros, no
	 * trailing components, and the domain and device must be this disk's.
	 */
	if ((size_t)snprintf(want, sizeof(want), "%s%lu/backend/%s/%u/%u", pre,
			     bd, t, domid, devid) >= sizeof(want) ||
	    strcmp(want, path))
		return -EINVAL;
	*be_domid = (unsigned int)bd;
	memcpy(type, t, n + 1);
	return 0;
}

/* The escaped form of byte @c into @esc (NUL-terminated); its length. */
static size_t xlv_escape_byte(unsigned char c, char esc[5])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\')
		return (size_t)snprintf(esc, 5, "\\\\");
	if (c >= 0x20 && c < 0x7f)
		return (size_t)snprintf(esc, 5, "%c", c);
	return (size_t)snprintf(esc, 5, "\\x%c%c", hex[c >> 4], hex[c & 15]);
}

int xlv_escape(const char *s, char *buf, size_t len)
{
	size_t at = 0, total = 0, room, n;
	const char *p;
	char esc[5];

	for (p = s; *p; p++)
		total += xlv_escape_byte((unsigned char)*p, esc);
	/* Whole: all of it; cut: whole escapes, then "...". */
	room = total < len ? total : (len >= 4 ? len - 4 : 0);
	for (p = s; *p; p++) {
		n = xlv_escape_byte((unsigned char)*p, esc);
		if (at + n > room)
			break;
		memcpy(buf + at, esc, n);
		at += n;
	}
	if (total < len) {
		buf[at] = '\0';
		return 0;
	}
	if (len >= 4)
		memcpy(buf + at, "...", 4);
	else if (len)
		buf[0] = '\0';
	return -ENOSPC;
}
