/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xl-vbmq: the pure parsers of the tool (no xenstore, no libxenctrl, no
 * I/O), unit-tested in tests/unit/test_xl_vbmq_config.c.
 *
 *   - virtual disk names (xvda, 51712, hda, d0p1) to vbd device ids, the
 *     way xl/libxl number them;
 *   - KEY=VALUE settings validated by lib/keys.c, the parser
 *     the backend itself uses;
 *   - the disk line "xvda: queues=4, cpus=2-5,8, poll=adaptive" of the
 *     xl config's vbmq = [ ... ] setting and of /etc/xen/vbmq.conf;
 *   - the name and vbmq settings of an xl config file (read by libxlutil);
 *   - the command lines of `create`, `stats`, `pin-dom0` and `unset`;
 *   - the pin-dom0 record of saved vCPU affinities (CPU bitmaps as lists).
 *
 * Every function returns 0 or a negative errno value and then writes a
 * one-line message into err that says what was wrong and what is allowed.
 */
#ifndef XL_VBMQ_CONFIG_H
#define XL_VBMQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "vbmq/keys.h"

#define XLV_ERR_LEN		320	/* error buffers of callers */
#define XLV_VDEV_MAX		32	/* longest virtual disk name */
#define XLV_NAME_MAX		128	/* longest domain name */
#define XLV_DOMID_MAX		0x7fefu	/* DOMID_FIRST_RESERVED - 1 */

/*
 * Settings for one disk: the keys given, their values, the parsed result,
 * and the keys to remove (back to the backend's default).
 */
struct xlv_settings {
	bool given[VBMQ_KEY_COUNT];
	bool unset[VBMQ_KEY_COUNT];
	char value[VBMQ_KEY_COUNT][VBMQ_KEYS_VALUE_MAX + 1];
	struct vbmq_keys keys;		/* filled by xlv_settings_validate() */
};

/*
 * Virtual disk name to vbd device id, as libxl numbers them:
 *   xvdX[N] (X = a..z, aa.., N = partition): (202 << 8) | disk << 4 | N for
 *     disk < 16 and N < 16, else (1 << 28) | disk << 8 | N;
 *   dDpP: the same with explicit numbers;
 *   hdX[N] (a..d, N < 64): IDE majors 3 and 22;  sdX[N] (a..p, N < 16): 8;
 *   a plain number (decimal, 0x hex): taken as the device id itself.
 */
int xlv_vdev_to_devid(const char *vdev, unsigned int *devid, char *err,
		      size_t errlen);

/* A domain id: decimal digits only, 0..XLV_DOMID_MAX.  -EINVAL otherwise. */
int xlv_parse_domid(const char *s, unsigned int *domid);

/* Is s a domain name xl would accept ([A-Za-z0-9_.:-], not all digits)? */
bool xlv_domain_name_ok(const char *s);

void xlv_settings_init(struct xlv_settings *s);
/* Record KEY=VALUE (key known, given once, value not too long). */
int xlv_settings_add(struct xlv_settings *s, const char *key,
		     const char *value, char *err, size_t errlen);
/* Every argument must be KEY=VALUE; at least one. */
int xlv_settings_from_args(struct xlv_settings *s, int argc, char **argv,
			   char *err, size_t errlen);
/*
 * `unset`: every argument must be a key name (no '='), each once; at least
 * one.  Marks s->unset[].
 */
int xlv_settings_unset_from_args(struct xlv_settings *s, int argc,
				 char **argv, char *err, size_t errlen);
/*
 * Parse every given value with lib/keys.c (in key order, so queues is known
 * before guest-poll-queues) on top of *cur (the disk's current settings),
 * and check that every listed CPU is in *online when online is not NULL.
 * Fills s->keys.  Nothing else is touched.
 */
int xlv_settings_validate(struct xlv_settings *s,
			  const struct vbmq_keys_limits *lim,
			  const struct vbmq_keys *cur,
			  const struct vbmq_cpu_list *online,
			  char *err, size_t errlen);

/*
 * A disk line "VDEV: key=value, key=value".  Items are separated by a comma
 * that is followed by "key=" (so "cpus=2-5,8" keeps its comma); blanks
 * around the colon, the items, keys and values are ignored.
 */
int xlv_parse_disk_line(const char *line, char *vdev, size_t vdevlen,
			struct xlv_settings *s, char *err, size_t errlen);

/*
 * A line of /etc/xen/vbmq.conf: "DOMAIN VDEV: key=value, ...".  Blank lines
 * and lines starting with '#' give -ENODATA.  DOMAIN is a domain name or
 * "*" (every domain).
 */
int xlv_parse_conf_line(const char *line, char *domain, size_t domlen,
			char *vdev, size_t vdevlen, struct xlv_settings *s,
			char *err, size_t errlen);

/* What xlv_parse_xl_config() finds in an xl domain configuration. */
#define XLV_CFG_MAX_DISKS	16
struct xlv_xl_config {
	char name[XLV_NAME_MAX];	/* "" when not set */
	unsigned int nr_vbmq;
	bool has_vbmq;
	char vbmq[XLV_CFG_MAX_DISKS][VBMQ_KEYS_VALUE_MAX + 64];
};

/*
 * Read xl config text with Xen's own parser (libxlutil, as xl does: every
 * xl.cfg(5) construct, += included) and take the `name` and `vbmq`
 * settings; a later setting replaces an earlier one, as in xl.  Call it
 * again on the same *cfg for command-line overrides.  Other settings are
 * left to xl.  @what names the source in messages ("guest.cfg").
 */
void xlv_xl_config_init(struct xlv_xl_config *cfg);
int xlv_parse_xl_config(const char *text, const char *what,
			struct xlv_xl_config *cfg, char *err, size_t errlen);

/* The command line of `create CONFIG [xl create options] [KEY=VALUE...]`. */
#define XLV_CREATE_MAX_ARGS	64
struct xlv_create_args {
	const char *config;		/* the config file */
	bool keep_paused;		/* -p: leave the domain paused */
	bool dry_run;			/* -n: check only, create nothing */
	int nr_xl_args;			/* options for `xl create -p` */
	const char *xl_args[XLV_CREATE_MAX_ARGS];
	int nr_overrides;		/* KEY=VALUE config overrides */
	const char *overrides[XLV_CREATE_MAX_ARGS];
};
int xlv_parse_create_args(int argc, char **argv, struct xlv_create_args *a,
			  char *err, size_t errlen);

/* `stats DOMAIN [VDEV] [--watch SECONDS] [--count N]`. */
struct xlv_stats_args {
	const char *domain;
	const char *vdev;		/* NULL: every disk */
	unsigned int interval_ms;	/* between samples, default 1000 */
	bool watch;			/* repeat until interrupted/count */
	unsigned int count;		/* 0: forever (with --watch) */
	bool json;			/* one JSON object per sample */
};
int xlv_parse_stats_args(int argc, char **argv, struct xlv_stats_args *a,
			 char *err, size_t errlen);

/*
 * The dom0 core pinning plan for `pin-dom0 --io-cpus LIST`.  io: the listed
 * physical CPUs; nr_pcpus: CPUs 0..nr_pcpus-1 exist; online: the online
 * ones; dom0_vcpus: dom0's vCPUs.  dom0 vCPU i < io->nr goes to io->cpu[i]
 * alone; the other dom0 vCPUs and every vCPU of every other domain go to
 * the online CPUs not in the list (rest).
 */
struct xlv_pin_plan {
	struct vbmq_cpu_list io;
	struct vbmq_cpu_list rest;
};
int xlv_pin_plan(const char *list, unsigned int nr_pcpus,
		 const struct vbmq_cpu_list *online, unsigned int dom0_vcpus,
		 struct xlv_pin_plan *plan, char *err, size_t errlen);

/*
 * Hard affinity of a vCPU that is not a dedicated dom0 I/O vCPU: the CPUs
 * of base (its affinity before pin-dom0, a bitmap of bytes bytes) that are
 * in plan->rest, or all of plan->rest when that leaves none.
 */
void xlv_pin_other(const struct xlv_pin_plan *plan, const unsigned char *base,
		   size_t bytes, struct vbmq_cpu_list *out);

/*
 * A CPU bitmap (bit c of byte c / 8 = CPU c; bytes bytes) as a list
 * "0-3,8"; "" when empty.  -ENOSPC when buf is too small.
 */
int xlv_cpumap_format(const unsigned char *map, size_t bytes, char *buf,
		      size_t len);
/*
 * "0-3,8" into a zeroed bitmap: decimal CPU numbers and ascending ranges,
 * each CPU below bytes * 8, no blanks; not empty.
 */
int xlv_cpumap_parse(const char *s, unsigned char *map, size_t bytes,
		     char *err, size_t errlen);

/*
 * The affinities pin-dom0 saved for one domain, one xenstore value:
 *   "UUID MAP;MAP;..."   (UUID as 8-4-4-4-12 hex, MAP as above, one per
 *                         vCPU from vCPU 0)
 * maps holds max_vcpus bitmaps of bytes bytes each.
 */
#define XLV_UUID_LEN		37	/* 36 characters and the NUL */
void xlv_uuid_format(const unsigned char h[16], char buf[XLV_UUID_LEN]);
int xlv_saved_format(const char *uuid, const unsigned char *maps,
		     size_t bytes, unsigned int nr_vcpus, char *buf,
		     size_t len);
int xlv_saved_parse(const char *s, char uuid[XLV_UUID_LEN],
		    unsigned char *maps, size_t bytes, unsigned int max_vcpus,
		    unsigned int *nr_vcpus, char *err, size_t errlen);

/* Is cpu in the list? */
bool xlv_cpu_list_has(const struct vbmq_cpu_list *l, unsigned int cpu);

/* Copy s without its trailing newline/blanks into buf; -ENOSPC if long. */
int xlv_chomp(const char *s, char *buf, size_t len);

/* Longest backend directory path the tool handles. */
#define XLV_BE_PATH_MAX		256

/*
 * A disk's backend link, read from its frontend directory, which the guest
 * can write: accept it only in exactly the form the toolstack writes for
 * domain @domid's disk @devid, /local/domain/B/backend/TYPE/@domid/@devid
 * (B a domain id, TYPE lower-case letters and digits), so that no guest can
 * point the tool at another domain's directory or anywhere else.  0 with
 * *be_domid and @type (its length @typelen) set; -EINVAL otherwise.
 */
int xlv_backend_path_check(const char *path, unsigned int domid,
			   unsigned int devid, unsigned int *be_domid,
			   char *type, size_t typelen);

/*
 * @s for a terminal: printable ASCII as is, a backslash as "\\", every
 * other byte as "\xHH", so that a string a guest wrote cannot move the
 * cursor or send escape sequences.  Cut with "..." to fit @len: -ENOSPC.
 */
int xlv_escape(const char *s, char *buf, size_t len);

#endif /* XL_VBMQ_CONFIG_H */
