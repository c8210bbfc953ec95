// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the xl-vbmq readers of operator-written text
 * (tools/xl-vbmq/config.c): the xl domain config file, its vbmq = [ ... ]
 * disk lines, /etc/xen/vbmq.conf lines, virtual disk names, and the
 * pin-dom0 record of saved affinities.
 *
 * Input: a selector byte, then the text.  Checked:
 *   xl config  the result is 0 or -EINVAL with a terminated message; on
 *              success every string is terminated inside its buffer, at
 *              most 16 entries, no entries without a vbmq setting; parsing
 *              the same text again on top (a command-line override) changes
 *              nothing, and a later name = "..." replaces the name and
 *              keeps the rest; each vbmq entry then goes through the same
 *              steps as `xl-vbmq create` (disk line, disk name, settings
 *              validation) and each result is within its range;
 *   disk line  on success the disk name is valid and fits its buffer, keys
 *              are known, values fit and carry no surrounding blanks, and
 *              writing the settings back as "VDEV: k=v, k=v" parses to the
 *              same settings;
 *   conf line  as the disk line, the domain a valid name or "*";
 *   disk name  a name (not a number) maps to a device id that the backend
 *              names (vbmq_be_vdev_name()) with a name mapping back to it;
 *   saved      parse, format, parse gives the same UUID and bitmaps.
 */
#include "fuzz.h"
#include "../../lib/keys.c"
#include "../../xen-blkback/blkback_core.c"
#include "../../tools/xl-vbmq/config.c"

static const struct vbmq_keys_limits lim = { .max_queues = 8,
					     .nr_cpu_ids = 64 };

static void check_msg(int ret, const char *err, size_t len)
{
	fz_assert(ret == 0 || ret == -EINVAL, "result %d", ret);
	if (ret)
		fz_assert(fz_terminated(err, len) && err[0],
			  "error message missing or unterminated");
}

static void check_keys(const struct vbmq_keys *k)
{
	unsigned int i;

	fz_assert(k->queues >= 1 && k->queues <= lim.max_queues, "queues %u",
		  k->queues);
	fz_assert(k->cpus.nr <= VBMQ_KEYS_CPU_LIST_MAX, "%u cpus", k->cpus.nr);
	for (i = 0; i < k->cpus.nr; i++)
		fz_assert(k->cpus.cpu[i] < lim.nr_cpu_ids, "cpu %u",
			  k->cpus.cpu[i]);
	fz_assert(vbmq_poll_mode_name(k->poll), "poll %d", k->poll);
	fz_assert(k->poll_max_us <= VBMQ_KEYS_POLL_MAX_US_LIMIT,
		  "poll-max-us %u", k->poll_max_us);
	fz_assert(k->guest_poll_queues < k->queues, "guest-poll-queues %u of %u",
		  k->guest_poll_queues, k->queues);
	fz_assert(vbmq_irq_affinity_name(k->guest_irq_affinity), "affinity %d",
		  k->guest_irq_affinity);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A parsed disk line: its parts are sane and it survives a rewrite. */
static void check_disk(const char *vdev, const struct xlv_settings *s)
{
	static struct xlv_settings again;
	static char line[XLV_VDEV_MAX + VBMQ_KEY_COUNT *
			 (VBMQ_KEYS_VALUE_MAX + 32)];
	char vdev2[XLV_VDEV_MAX], err[XLV_ERR_LEN];
	unsigned int devid;
	size_t at, len;
	int k;

	fz_assert(!xlv_vdev_to_devid(vdev, &devid, err, sizeof(err)),
		  "disk \"%s\" accepted, then refused", vdev);
	at = (size_t)snprintf(line, sizeof(line), "%s:", vdev);
	for (k = 0; k < VBMQ_KEY_COUNT; k++) {
		fz_assert(!s->unset[k], "unset set by a disk line");
		if (!s->given[k])
			continue;
		len = strlen(s->value[k]);
		fz_assert(len <= VBMQ_KEYS_VALUE_MAX, "value of %d: %zu", k,
			  len);
		fz_assert(!len || (!blank(s->value[k][len - 1]) &&
				   s->value[k][0] != ' ' &&
				   s->value[k][0] != '\t'),
			  "value \"%s\" not trimmed", s->value[k]);
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s %s=%s",
				       at > strlen(vdev) + 1 ? "," : "",
				       vbmq_key_name((enum vbmq_key)k),
				       s->value[k]);
	}
	fz_assert(!xlv_parse_disk_line(line, vdev2, sizeof(vdev2), &again, err,
				       sizeof(err)), "rewrite \"%.80s\": %s",
		  line, err);
	fz_assert(!strcmp(vdev, vdev2), "disk %s became %s", vdev, vdev2);
	for (k = 0; k < VBMQ_KEY_COUNT; k++)
		fz_assert(s->given[k] == again.given[k] &&
			  (!s->given[k] ||
			   !strcmp(s->value[k], again.value[k])),
			  "key %s changed in \"%.80s\"",
			  vbmq_key_name((enum vbmq_key)k), line);
}

/* What `xl-vbmq create` does with one vbmq entry. */
static void check_entry(const char *entry)
{
	static struct xlv_settings s;
	struct vbmq_keys def;
	struct vbmq_cpu_list online = { .nr = 4, .cpu = { 0, 1, 2, 3 } };
	char vdev[XLV_VDEV_MAX], err[XLV_ERR_LEN];
	int ret;

	ret = xlv_parse_disk_line(entry, vdev, sizeof(vdev), &s, err,
				  sizeof(err));
	check_msg(ret, err, sizeof(err));
	if (ret)
		return;
	check_disk(vdev, &s);
	vbmq_keys_defaults(&def, &lim, VBMQ_POLL_ADAPTIVE, 50);
	ret = xlv_settings_validate(&s, &lim, &def, &online, err, sizeof(err));
	check_msg(ret, err, sizeof(err));
	if (!ret)
		check_keys(&s.keys);
}

static void check_xl_config(const char *text)
{
	static struct xlv_xl_config cfg, again;
	static const char later[] = "\nname = \"later\"\n";
	char err[XLV_ERR_LEN];
	unsigned int i;
	size_t n;
	char *more;
	int ret;

	xlv_xl_config_init(&cfg);
	ret = xlv_parse_xl_config(text, "fuzz.cfg", &cfg, err, sizeof(err));
	check_msg(ret, err, sizeof(err));
	if (ret)
		return;
	fz_assert(fz_terminated(cfg.name, sizeof(cfg.name)), "name");
	fz_assert(cfg.nr_vbmq <= XLV_CFG_MAX_DISKS, "%u entries", cfg.nr_vbmq);
	fz_assert(cfg.has_vbmq || !cfg.nr_vbmq, "entries without vbmq");
	for (i = 0; i < cfg.nr_vbmq; i++)
		fz_assert(fz_terminated(cfg.vbmq[i], sizeof(cfg.vbmq[i])),
			  "entry %u", i);

	memcpy(&again, &cfg, sizeof(cfg));
	fz_assert(!xlv_parse_xl_config(text, "again", &again, err, sizeof(err)),
		  "second parse fails: %s", err);
	fz_assert(!memcmp(&again, &cfg, sizeof(cfg)),
		  "second parse changes the result");

	n = strlen(text);
	more = malloc(n + sizeof(later));
	if (!more)
		abort();
	memcpy(more, text, n);
	memcpy(more + n, later, sizeof(later));
	/*
	 * libxlutil (xl's parser, whose word is final) may refuse the longer
	 * text (it accepts some stray bytes only at the end); when it reads
	 * it, the later name wins and nothing else changes.
	 */
	xlv_xl_config_init(&again);
	if (!xlv_parse_xl_config(more, "more", &again, err, sizeof(err))) {
		fz_assert(!strcmp(again.name, "later"), "later name not taken");
		fz_assert(again.nr_vbmq == cfg.nr_vbmq &&
			  again.has_vbmq == cfg.has_vbmq &&
			  !memcmp(again.vbmq, cfg.vbmq, sizeof(cfg.vbmq)),
			  "a later name = changes vbmq");
	}
	free(more);

	for (i = 0; i < cfg.nr_vbmq; i++)
		check_entry(cfg.vbmq[i]);
}

static void check_conf_line(const char *line)
{
	static struct xlv_settings s;
	char dom[XLV_NAME_MAX], vdev[XLV_VDEV_MAX], err[XLV_ERR_LEN];
	int ret;

	ret = xlv_parse_conf_line(line, dom, sizeof(dom), vdev, sizeof(vdev),
				  &s, err, sizeof(err));
	if (ret == -ENODATA)
		return;
	check_msg(ret, err, sizeof(err));
	if (ret)
		return;
	fz_assert(!strcmp(dom, "*") || xlv_domain_name_ok(dom),
		  "domain \"%s\"", dom);
	check_disk(vdev, &s);
}

static void check_vdev(const char *vdev)
{
	char err[XLV_ERR_LEN], name[64];
	unsigned int devid, again;
	int ret;

	ret = xlv_vdev_to_devid(vdev, &devid, err, sizeof(err));
	check_msg(ret, err, sizeof(err));
	if (ret)
		return;
	fz_assert(strlen(vdev) < XLV_VDEV_MAX && devid <= INT_MAX,
		  "disk \"%s\": %u", vdev, devid);
	ret = vbmq_be_vdev_name(devid, name, sizeof(name));
	fz_assert(ret > 0 && (size_t)ret < sizeof(name), "name of %u", devid);
	if (vdev[0] >= '0' && vdev[0] <= '9')
		return;		/* numbers may alias names */
	fz_assert(!xlv_vdev_to_devid(name, &again, err, sizeof(err)) &&
		  again == devid, "\"%s\" -> %u -> \"%s\" -> %u", vdev, devid,
		  name, again);
}

static void check_saved(const char *s)
{
	enum { BYTES = 4, VCPUS = 8 };
	static unsigned char maps[VCPUS * BYTES], maps2[VCPUS * BYTES];
	char uuid[XLV_UUID_LEN], uuid2[XLV_UUID_LEN], err[XLV_ERR_LEN];
	static char buf[VCPUS * (BYTES * 8 * 4 + 2) + XLV_UUID_LEN];
	unsigned int nr, nr2;
	int ret;

	ret = xlv_saved_parse(s, uuid, maps, BYTES, VCPUS, &nr, err,
			      sizeof(err));
	fz_assert(ret == 0 || ret == -EINVAL || ret == -E2BIG, "result %d",
		  ret);
	if (ret)
		return;
	fz_assert(nr >= 1 && nr <= VCPUS && strlen(uuid) == XLV_UUID_LEN - 1,
		  "%u vCPUs", nr);
	fz_assert(!xlv_saved_format(uuid, maps, BYTES, nr, buf, sizeof(buf)),
		  "format");
	fz_assert(!xlv_saved_parse(buf, uuid2, maps2, BYTES, VCPUS, &nr2, err,
				   sizeof(err)), "\"%s\" refused: %s", buf, err);
	fz_assert(nr2 == nr && !strcmp(uuid, uuid2) &&
		  !memcmp(maps, maps2, (size_t)nr * BYTES),
		  "\"%s\" round trip", buf);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_in in = { data, size };
	u8 sel = fz_u8(&in);
	char *s = fz_str(&in);

	switch (sel % 5) {
	case 0:
		check_xl_config(s);
		break;
	case 1:
		check_entry(s);
		break;
	case 2:
		check_conf_line(s);
		break;
	case 3:
		check_vdev(s);
		break;
	case 4:
		check_saved(s);
		break;
	}
	free(s);
	return 0;
}
