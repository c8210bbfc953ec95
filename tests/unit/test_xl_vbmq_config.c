// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/xl-vbmq/config.c: disk names, KEY=VALUE settings,
 * disk lines, /etc/xen/vbmq.conf lines, xl config files, and the command
 * lines of create, stats, pin-dom0 and unset, and the pin-dom0 record of
 * saved vCPU affinities.  Table-driven; no xenstore needed.
 */
#include "tap.h"
#include "../../lib/keys.c"
#include "../../tools/xl-vbmq/config.c"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const struct vbmq_keys_limits lim = { .max_queues = 4,
					     .nr_cpu_ids = 8 };

static void test_vdev(void)
{
	static const struct {
		const char *in;
		int ret;
		unsigned int devid;
	} c[] = {
		{ "xvda", 0, 51712 }, { "xvdb", 0, 51728 }, { "xvda1", 0, 51713 },
		{ "xvdp", 0, (202 << 8) | 15 << 4 }, { "xvdq", 0, (1u << 28) | 16 << 8 },
		{ "xvdaa", 0, (1u << 28) | 26 << 8 }, { "xvda16", 0, (1u << 28) | 16 },
		{ "d0p0", 0, 51712 }, { "d1p2", 0, 51730 }, { "d16p0", 0, (1u << 28) | 16 << 8 },
		{ "51712", 0, 51712 }, { "0xca00", 0, 51712 }, { "768", 0, 768 },
		{ "hda", 0, 3 << 8 }, { "hdb", 0, (3 << 8) | 64 }, { "hdc", 0, 22 << 8 },
		{ "hdd1", 0, (22 << 8) | 64 | 1 }, { "sda", 0, 8 << 8 }, { "sdb2", 0, (8 << 8) | 18 },
		{ "", -EINVAL }, { "xvd", -EINVAL }, { "xvda0", -EINVAL },
		{ "xvda01", -EINVAL }, { "xvdA", -EINVAL }, { "xvda256", -EINVAL },
		{ "hde", -EINVAL }, { "sdq", -EINVAL }, { "vda", -EINVAL },
		{ "xvda x", -EINVAL }, { "d1p", -EINVAL }, { "d-1p0", -EINVAL },
		{ "d0p256", -EINVAL }, { "99999999999", -EINVAL }, { "12ab", -EINVAL },
		{ "xvdaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -EINVAL },
	};
	char err[XLV_ERR_LEN];
	unsigned int i, d;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		d = 4242;
		err[0] = '\0';
		is_int(xlv_vdev_to_devid(c[i].in, &d, err, sizeof(err)), c[i].ret,
		       "vdev \"%s\" -> %d", c[i].in, c[i].ret);
		if (!c[i].ret)
			is_uint(d, c[i].devid, "vdev \"%s\" devid", c[i].in);
		else
			ok(strstr(err, "xvda") && d == 4242,
			   "vdev \"%s\" error says what is allowed: %s", c[i].in, err);
	}
}

static void test_domid_and_names(void)
{
	unsigned int d = 7;

	is_int(xlv_parse_domid("0", &d), 0, "domid 0");
	is_uint(d, 0, "domid 0 value");
	is_int(xlv_parse_domid("32751", &d), 0, "domid 32751 (0x7fef)");
	is_int(xlv_parse_domid("32752", &d), -EINVAL, "domid 0x7ff0 reserved");
	is_int(xlv_parse_domid("", &d), -EINVAL, "empty domid");
	is_int(xlv_parse_domid("1a", &d), -EINVAL, "domid 1a");
	is_int(xlv_parse_domid("-1", &d), -EINVAL, "domid -1");
	ok(xlv_domain_name_ok("guest-1.example_x:y"), "plain domain name");
	ok(!xlv_domain_name_ok("12"), "all-digit name is a domid");
	ok(!xlv_domain_name_ok("a b"), "blank in name");
	ok(!xlv_domain_name_ok(""), "empty name");
}

struct args_case {
	const char *args[4];
	int ret;
	const char *err_has;
};

static void test_set_args(void)
{
	static const struct args_case c[] = {
		{ { "queues=2", "cpus=1", "poll=adaptive" }, 0 },
		{ { "cpus=" }, 0 },
		{ { "poll-max-us=50", "guest-poll-queues=1" }, 0 },
		{ { "guest-irq-affinity=none" }, 0 },
		{ { "cpus=abc" }, -EINVAL, "vbmq/cpus" },
		{ { "poll=fast" }, -EINVAL, "off, adaptive, always" },
		{ { "queues=5" }, -EINVAL, "1..4" },
		{ { "queues=0" }, -EINVAL, "1..4" },
		{ { "poll-max-us=10001" }, -EINVAL, "0..10000" },
		{ { "cpus=8" }, -EINVAL, "CPU numbers must be < 8" },
		{ { "cpus=3" }, -EINVAL, "CPU 3 is offline" },
		{ { "queues=2", "guest-poll-queues=2" }, -EINVAL, "guest-poll-queues" },
		{ { "guest-poll-queues=3" }, 0 },	/* default queues is 4 */
		{ { "guest-poll-queues=4" }, -EINVAL, "0..queues-1" },
		{ { "bogus=1" }, -EINVAL, "unknown key \"bogus\" (keys: queues, cpus" },
		{ { "poll" }, -EINVAL, "not KEY=VALUE" },
		{ { "=adaptive" }, -EINVAL, "not KEY=VALUE" },
		{ { "poll=off", "poll=always" }, -EINVAL, "given twice" },
		{ { "queues=2", "poll=fast" }, -EINVAL, "vbmq/poll" },
		{ { NULL }, -EINVAL, "no KEY=VALUE" },
	};
	struct vbmq_cpu_list online = { .nr = 3, .cpu = { 0, 1, 2 } };
	static struct xlv_settings s;
	struct vbmq_keys def;
	char err[XLV_ERR_LEN];
	unsigned int i;
	int n, r;

	vbmq_keys_defaults(&def, &lim, VBMQ_POLL_ADAPTIVE, 32);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (n = 0; n < 4 && c[i].args[n]; n++)
			;
		xlv_settings_init(&s);
		err[0] = '\0';
		r = xlv_settings_from_args(&s, n, (char **)c[i].args, err,
					   sizeof(err));
		if (!r)
			r = xlv_settings_validate(&s, &lim, &def, &online, err,
						  sizeof(err));
		is_int(r, c[i].ret, "set args #%u (%s ...)", i,
		       c[i].args[0] ? c[i].args[0] : "none");
		if (c[i].ret)
			ok(strstr(err, c[i].err_has), "set args #%u error: %s", i,
			   err);
	}
	/* The parsed result. */
	xlv_settings_init(&s);
	r = xlv_settings_from_args(&s, 3, (char *[]){ "poll=always", "cpus=2,0",
						      "queues=2" }, err, sizeof(err));
	r = r ? r : xlv_settings_validate(&s, &lim, &def, &online, err,
					  sizeof(err));
	is_int(r, 0, "poll=always cpus=2,0 queues=2");
	is_uint(s.keys.queues, 2, "queues parsed");
	is_uint(s.keys.poll, VBMQ_POLL_ALWAYS, "poll parsed");
	is_uint(s.keys.cpus.nr, 2, "two CPUs");
	is_uint(s.keys.cpus.cpu[0], 2, "order kept: 2 first");
	ok(!s.given[VBMQ_KEY_POLL_MAX_US], "poll-max-us not given");
	is_str(s.value[VBMQ_KEY_CPUS], "2,0", "raw value kept for xenstore");
}

struct line_case {
	const char *in;
	int ret;
	const char *vdev;
	const char *queues, *cpus, *poll;
	const char *err_has;
};

static void test_disk_lines(void)
{
	static const struct line_case c[] = {
		{ "xvda: queues=4, cpus=2-5, poll=adaptive", 0, "xvda", "4", "2-5", "adaptive" },
		{ "xvda:queues=4,cpus=2-5,8,poll=always", 0, "xvda", "4", "2-5,8", "always" },
		{ "  xvdb :  cpus = 1,3 , poll = off  ", 0, "xvdb", NULL, "1,3", "off" },
		{ "51712: cpus=", 0, "51712", NULL, "", NULL },
		{ "xvda: cpus=0,1,2,3, queues=2", 0, "xvda", "2", "0,1,2,3", NULL },
		{ "xvda: poll-max-us=50, guest-poll-queues=1, guest-irq-affinity=none", 0, "xvda" },
		{ "xvda queues=4", -EINVAL, NULL, NULL, NULL, NULL, "VDEV: key=value" },
		{ ": queues=4", -EINVAL, NULL, NULL, NULL, NULL, "VDEV: key=value" },
		{ "xvda:", -EINVAL, NULL, NULL, NULL, NULL, "no settings" },
		{ "xvda: queues", -EINVAL, NULL, NULL, NULL, NULL, "not key=value" },
		{ "xvda: queues=4,, poll=off", 0, "xvda", "4,", NULL, "off" },
		{ "xvda: speed=9", -EINVAL, NULL, NULL, NULL, NULL, "unknown key" },
		{ "xvda: poll=off, poll=always", -EINVAL, NULL, NULL, NULL, NULL, "twice" },
		{ "vda: poll=off", -EINVAL, NULL, NULL, NULL, NULL, "not a virtual disk" },
	};
	static struct xlv_settings s;
	char vdev[XLV_VDEV_MAX], err[XLV_ERR_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		err[0] = '\0';
		is_int(xlv_parse_disk_line(c[i].in, vdev, sizeof(vdev), &s, err,
					   sizeof(err)),
		       c[i].ret, "line \"%s\"", c[i].in);
		if (c[i].ret) {
			ok(strstr(err, c[i].err_has), "line \"%s\" error: %s",
			   c[i].in, err);
			continue;
		}
		is_str(vdev, c[i].vdev, "line \"%s\" vdev", c[i].in);
		if (c[i].queues)
			is_str(s.value[VBMQ_KEY_QUEUES], c[i].queues,
			       "line \"%s\" queues", c[i].in);
		if (c[i].cpus)
			is_str(s.value[VBMQ_KEY_CPUS], c[i].cpus,
			       "line \"%s\" cpus", c[i].in);
		if (c[i].poll)
			is_str(s.value[VBMQ_KEY_POLL], c[i].poll,
			       "line \"%s\" poll", c[i].in);
		ok(!!c[i].cpus == s.given[VBMQ_KEY_CPUS],
		   "line \"%s\" cpus given iff expected", c[i].in);
	}
}

static void test_conf_lines(void)
{
	static const struct {
		const char *in;
		int ret;
		const char *dom, *vdev;
	} c[] = {
		{ "guest1 xvda: queues=2, cpus=1", 0, "guest1", "xvda" },
		{ "* xvdb: poll=off", 0, "*", "xvdb" },
		{ "\tguest-2\t51712 : poll=always", 0, "guest-2", "51712" },
		{ "", -ENODATA }, { "   ", -ENODATA }, { "# comment", -ENODATA },
		{ "  # indented comment", -ENODATA },
		{ "guest1: poll=off", -EINVAL }, { "xvda: poll=off", -EINVAL },
		{ "a/b xvda: poll=off", -EINVAL }, { "guest1 xvda poll=off", -EINVAL },
		{ "guest1 xvda: poll=fast", 0, "guest1", "xvda" },	/* checked later */
	};
	static struct xlv_settings s;
	char dom[XLV_NAME_MAX], vdev[XLV_VDEV_MAX], err[XLV_ERR_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		is_int(xlv_parse_conf_line(c[i].in, dom, sizeof(dom), vdev,
					   sizeof(vdev), &s, err, sizeof(err)),
		       c[i].ret, "conf \"%s\"", c[i].in);
		if (!c[i].ret) {
			is_str(dom, c[i].dom, "conf \"%s\" domain", c[i].in);
			is_str(vdev, c[i].vdev, "conf \"%s\" vdev", c[i].in);
		}
	}
}

static void test_xl_config(void)
{
	static const struct {
		const char *text;
		int ret;
		const char *name;
		int nr;
		const char *first;
	} c[] = {
		{ "name = \"g1\"\nvbmq = [ \"xvda: queues=4, cpus=2-5, poll=adaptive\" ]\n",
		  0, "g1", 1, "xvda: queues=4, cpus=2-5, poll=adaptive" },
		{ "name='g2'; memory=512 ; vcpus = 2\n"
		  "disk = [ 'phy:/dev/nullb0,xvda,w', 'phy:/dev/x,xvdb,w' ]\n"
		  "vbmq = [\n  \"xvda: queues=2\", # first\n  'xvdb: poll=off',\n]\n",
		  0, "g2", 2, "xvda: queues=2" },
		{ "# no vbmq\nname = \"g3\"\nextra = \"console=hvc0 a=b,c\"\n", 0, "g3", -1 },
		{ "name = \"a\"\nname = \"b\"\nvbmq=[\"xvda: poll=off\"]\nvbmq=[]\n", 0, "b", 0 },
		{ "name = \"esc\\\"aped\"\n", 0, "esc\"aped", -1 },
		{ "cpus = [ \"0-1\", [ \"x\" ] ]\nname=\"n\"\n", 0, "n", -1 },
		{ "vbmq = \"xvda: poll=off\"\n", -EINVAL },
		{ "vbmq = [ xvda ]\n", -EINVAL },
		{ "vbmq = [ \"xvda: poll=off\" \n", -EINVAL },
		{ "name = \"unterminated\n", -EINVAL },
		{ "= 3\n", -EINVAL },
		{ "name \"x\"\n", -EINVAL },
		{ "memory = 512 vcpus = 2\n", -EINVAL },
		/* What xl accepts, read by xl's own parser. */
		{ "name = \"g4\"\ndisk = [ 'phy:/dev/a,xvda,w' ]\n"
		  "disk += [ 'phy:/dev/b,xvdb,w' ]\nvbmq = [ \"xvda: queues=2\" ]\n"
		  "vbmq += [ \"xvdb: poll=off\" ]\n",
		  0, "g4", 2, "xvda: queues=2" },
		{ "vbmq = [ [ \"xvda: poll=off\" ] ]\n", -EINVAL },
	};
	static struct xlv_xl_config cfg;
	char err[XLV_ERR_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		xlv_xl_config_init(&cfg);
		err[0] = '\0';
		is_int(xlv_parse_xl_config(c[i].text, "t.cfg", &cfg, err,
					   sizeof(err)),
		       c[i].ret, "xl config #%u", i);
		if (c[i].ret) {
			ok(strstr(err, "t.cfg:"), "xl config #%u error names file:line: %s",
			   i, err);
			continue;
		}
		is_str(cfg.name, c[i].name, "xl config #%u name", i);
		if (c[i].nr < 0) {
			ok(!cfg.has_vbmq, "xl config #%u has no vbmq", i);
			continue;
		}
		is_uint(cfg.nr_vbmq, (unsigned int)c[i].nr, "xl config #%u entries", i);
		if (c[i].first)
			is_str(cfg.vbmq[0], c[i].first, "xl config #%u first entry", i);
	}
	/* Command-line overrides are parsed into the same result. */
	xlv_xl_config_init(&cfg);
	xlv_parse_xl_config("name=\"a\"\n", "f", &cfg, err, sizeof(err));
	is_int(xlv_parse_xl_config("vbmq=[\"xvda: poll=always\"]", "command line",
				   &cfg, err, sizeof(err)), 0, "override parses");
	ok(cfg.has_vbmq && cfg.nr_vbmq == 1 && !strcmp(cfg.name, "a"),
	   "override adds vbmq and keeps name");
}

static void test_create_args(void)
{
	struct xlv_create_args a;
	char err[XLV_ERR_LEN];

	is_int(xlv_parse_create_args(1, (char *[]){ "g.cfg" }, &a, err, sizeof(err)),
	       0, "create g.cfg");
	is_str(a.config, "g.cfg", "config file");
	ok(!a.keep_paused && !a.dry_run && !a.nr_xl_args && !a.nr_overrides,
	   "no options");
	is_int(xlv_parse_create_args(5, (char *[]){ "-q", "g.cfg", "-pd",
						    "memory=512", "name=\"x\"" },
				     &a, err, sizeof(err)), 0, "create with options");
	ok(a.keep_paused, "-p in -pd");
	is_int(a.nr_xl_args, 2, "-q and -d passed on");
	is_str(a.xl_args[1], "-d", "-d split from -pd");
	is_int(a.nr_overrides, 2, "two overrides");
	is_int(xlv_parse_create_args(2, (char *[]){ "-f", "x.cfg" }, &a, err,
				     sizeof(err)), 0, "-f FILE");
	is_str(a.config, "x.cfg", "-f FILE config");
	is_int(xlv_parse_create_args(1, (char *[]){ "-qfy.cfg" }, &a, err,
				     sizeof(err)), 0, "-qfFILE");
	is_str(a.config, "y.cfg", "-qfFILE config");
	is_int(a.nr_xl_args, 1, "-q kept from -qfFILE");
	is_int(xlv_parse_create_args(1, (char *[]){ "--defconfig=z.cfg" }, &a, err,
				     sizeof(err)), 0, "--defconfig=");
	is_str(a.config, "z.cfg", "--defconfig config");
	is_int(xlv_parse_create_args(2, (char *[]){ "-n", "g.cfg" }, &a, err,
				     sizeof(err)), 0, "-n");
	ok(a.dry_run && a.nr_xl_args == 0, "-n is a dry run, not passed on");
	is_int(xlv_parse_create_args(2, (char *[]){ "-c", "g.cfg" }, &a, err,
				     sizeof(err)), -EINVAL, "-c refused");
	ok(strstr(err, "xl console"), "-c error says what to do: %s", err);
	is_int(xlv_parse_create_args(2, (char *[]){ "g.cfg", "--vncviewer" }, &a,
				     err, sizeof(err)), -EINVAL, "--vncviewer refused");
	is_int(xlv_parse_create_args(0, NULL, &a, err, sizeof(err)), -EINVAL,
	       "no config");
	is_int(xlv_parse_create_args(2, (char *[]){ "a.cfg", "b.cfg" }, &a, err,
				     sizeof(err)), -EINVAL, "two config files");
	is_int(xlv_parse_create_args(1, (char *[]){ "-f" }, &a, err, sizeof(err)),
	       -EINVAL, "-f without file");
}

static void test_stats_args(void)
{
	struct xlv_stats_args a;
	char err[XLV_ERR_LEN];

	is_int(xlv_parse_stats_args(1, (char *[]){ "bb" }, &a, err, sizeof(err)),
	       0, "stats bb");
	ok(a.domain && !a.vdev && !a.watch && a.interval_ms == 1000,
	   "one table, 1 s interval");
	is_int(xlv_parse_stats_args(4, (char *[]){ "bb", "xvda", "--watch", "0.5" },
				    &a, err, sizeof(err)), 0, "--watch 0.5");
	ok(a.watch && a.interval_ms == 500 && !strcmp(a.vdev, "xvda"),
	   "watch every 500 ms");
	is_int(xlv_parse_stats_args(3, (char *[]){ "bb", "--count", "3" }, &a, err,
				    sizeof(err)), 0, "--count 3");
	ok(a.watch && a.count == 3, "--count implies --watch");
	ok(!a.json, "text tables by default");
	is_int(xlv_parse_stats_args(5, (char *[]){ "bb", "--json", "--watch", "2",
						    "xvda" }, &a, err, sizeof(err)),
	       0, "--json --watch 2");
	ok(a.json && a.watch && a.interval_ms == 2000 && !strcmp(a.vdev, "xvda"),
	   "--json with a watch and a disk");
	is_int(xlv_parse_stats_args(3, (char *[]){ "bb", "--watch", "0" }, &a, err,
				    sizeof(err)), -EINVAL, "--watch 0 refused");
	ok(strstr(err, "0.1..86400"), "--watch error names range: %s", err);
	is_int(xlv_parse_stats_args(3, (char *[]){ "bb", "--watch", "x" }, &a, err,
				    sizeof(err)), -EINVAL, "--watch x");
	is_int(xlv_parse_stats_args(2, (char *[]){ "bb", "--watch" }, &a, err,
				    sizeof(err)), -EINVAL, "--watch without value");
	is_int(xlv_parse_stats_args(3, (char *[]){ "bb", "--count", "-1" }, &a, err,
				    sizeof(err)), -EINVAL, "--count -1");
	is_int(xlv_parse_stats_args(2, (char *[]){ "bb", "--fast" }, &a, err,
				    sizeof(err)), -EINVAL, "unknown option");
	ok(strstr(err, "--json"), "unknown option error lists --json: %s", err);
	is_int(xlv_parse_stats_args(3, (char *[]){ "bb", "xvda", "xvdb" }, &a, err,
				    sizeof(err)), -EINVAL, "two disks");
	is_int(xlv_parse_stats_args(0, NULL, &a, err, sizeof(err)), -EINVAL,
	       "no domain");
}

static void test_pin_plan(void)
{
	struct vbmq_cpu_list online = { .nr = 4, .cpu = { 0, 1, 2, 3 } };
	struct vbmq_cpu_list online2 = { .nr = 3, .cpu = { 0, 1, 3 } };
	struct xlv_pin_plan p;
	char err[XLV_ERR_LEN], buf[64];

	is_int(xlv_pin_plan("2-3", 4, &online, 2, &p, err, sizeof(err)), 0,
	       "io 2-3 of 4, dom0 2 vCPUs");
	vbmq_cpu_list_format(&p.rest, buf, sizeof(buf));
	is_str(buf, "0-1", "others get 0-1");
	is_uint(p.io.cpu[1], 3, "dom0 vCPU 1 -> CPU 3");
	is_int(xlv_pin_plan("3,1", 4, &online, 4, &p, err, sizeof(err)), 0,
	       "io 3,1 keeps order");
	is_uint(p.io.cpu[0], 3, "dom0 vCPU 0 -> CPU 3");
	is_int(xlv_pin_plan("0-3", 4, &online, 4, &p, err, sizeof(err)), -EINVAL,
	       "all CPUs refused");
	ok(strstr(err, "leave at least one"), "error: %s", err);
	is_int(xlv_pin_plan("1-3", 4, &online, 2, &p, err, sizeof(err)), -EINVAL,
	       "more CPUs than dom0 vCPUs");
	ok(strstr(err, "dom0 has 2 vCPUs"), "error: %s", err);
	is_int(xlv_pin_plan("4", 4, &online, 2, &p, err, sizeof(err)), -EINVAL,
	       "CPU 4 does not exist");
	ok(strstr(err, "online: 0-3"), "error names online CPUs: %s", err);
	is_int(xlv_pin_plan("2", 4, &online2, 2, &p, err, sizeof(err)), -EINVAL,
	       "offline CPU 2");
	is_int(xlv_pin_plan("abc", 4, &online, 2, &p, err, sizeof(err)), -EINVAL,
	       "--io-cpus abc");
	is_int(xlv_pin_plan("", 4, &online, 2, &p, err, sizeof(err)), -EINVAL,
	       "--io-cpus empty");
	is_int(xlv_pin_plan("1,1", 4, &online, 2, &p, err, sizeof(err)), -EINVAL,
	       "--io-cpus 1,1");
}

static void test_unset_args(void)
{
	static const struct args_case c[] = {
		{ { "poll" }, 0 },
		{ { "cpus", "poll", "poll-max-us" }, 0 },
		{ { "queues", "guest-poll-queues", "guest-irq-affinity" }, 0 },
		{ { "poll=off" }, -EINVAL, "key names only" },
		{ { "cpus=" }, -EINVAL, "key names only" },
		{ { "=" }, -EINVAL, "key names only" },
		{ { "error" }, -EINVAL, "unknown key \"error\" (keys: queues" },
		{ { "" }, -EINVAL, "unknown key \"\"" },
		{ { "POLL" }, -EINVAL, "unknown key" },
		{ { "poll ", }, -EINVAL, "unknown key" },
		{ { "poll", "poll" }, -EINVAL, "poll given twice" },
		{ { "cpus", "bogus" }, -EINVAL, "unknown key \"bogus\"" },
		{ { NULL }, -EINVAL, "no KEY given" },
	};
	static struct xlv_settings s;
	char err[XLV_ERR_LEN];
	unsigned int i;
	int n, r, k, nset;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (n = 0; n < 4 && c[i].args[n]; n++)
			;
		xlv_settings_init(&s);
		err[0] = '\0';
		r = xlv_settings_unset_from_args(&s, n, (char **)c[i].args,
						 err, sizeof(err));
		is_int(r, c[i].ret, "unset args #%u (%s ...)", i,
		       c[i].args[0] ? c[i].args[0] : "none");
		if (c[i].ret)
			ok(strstr(err, c[i].err_has), "unset args #%u error: %s",
			   i, err);
		for (k = 0, nset = 0; k < VBMQ_KEY_COUNT; k++) {
			nset += s.unset[k];
			ok(!s.given[k], "unset args #%u gives no value", i);
		}
		if (!c[i].ret)
			is_int(nset, n, "unset args #%u marks %d keys", i, n);
	}
	xlv_settings_init(&s);
	is_int(xlv_settings_unset_from_args(&s, 2, (char *[]){ "poll-max-us",
							      "cpus" }, err,
					    sizeof(err)), 0, "unset poll-max-us cpus");
	ok(s.unset[VBMQ_KEY_POLL_MAX_US] && s.unset[VBMQ_KEY_CPUS] &&
	   !s.unset[VBMQ_KEY_POLL], "exactly those keys marked");
}

struct map_case {
	const char *in;
	size_t bytes;
	int ret;
	const unsigned char map[4];
	const char *out;		/* formatted back (NULL: = in) */
};

static void test_cpumap(void)
{
	static const struct map_case c[] = {
		{ "0", 1, 0, { 0x01 } },
		{ "0-7", 1, 0, { 0xff } },
		{ "0-1", 4, 0, { 0x03 } },
		{ "1,3,5", 1, 0, { 0x2a } },
		{ "2-5,8", 2, 0, { 0x3c, 0x01 } },
		{ "0-31", 4, 0, { 0xff, 0xff, 0xff, 0xff } },
		{ "7-8,15-16", 4, 0, { 0x80, 0x81, 0x01 } },
		{ "3,1", 1, 0, { 0x0a }, "1,3" },
		{ "1-2,2-3", 1, 0, { 0x0e }, "1-3" },
		{ "4-4", 1, 0, { 0x10 }, "4" },
		{ "8", 1, -EINVAL },
		{ "0-8", 1, -EINVAL },
		{ "99999999999999999999999", 4, -EINVAL },
		{ "", 1, -EINVAL },
		{ ",", 1, -EINVAL },
		{ "1,", 1, -EINVAL },
		{ ",1", 1, -EINVAL },
		{ "1-", 1, -EINVAL },
		{ "-1", 1, -EINVAL },
		{ "3-1", 1, -EINVAL },
		{ " 1", 1, -EINVAL },
		{ "1 ", 1, -EINVAL },
		{ "1;2", 1, -EINVAL },
		{ "all", 1, -EINVAL },
		{ "0x1", 1, -EINVAL },
		{ "1--2", 1, -EINVAL },
		{ "0", 0, -EINVAL },
	};
	unsigned char map[4], big[512];
	char buf[64], err[XLV_ERR_LEN], *huge;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(map, 0xee, sizeof(map));
		err[0] = '\0';
		r = xlv_cpumap_parse(c[i].in, map, c[i].bytes, err,
				     sizeof(err));
		is_int(r, c[i].ret, "cpumap \"%s\" in %zu bytes", c[i].in,
		       c[i].bytes);
		if (r) {
			ok(strstr(err, "is not a CPU list"), "cpumap error: %s",
			   err);
			continue;
		}
		ok(!memcmp(map, c[i].map, c[i].bytes), "cpumap \"%s\" bits",
		   c[i].in);
		is_int(xlv_cpumap_format(map, c[i].bytes, buf, sizeof(buf)), 0,
		       "format \"%s\"", c[i].in);
		is_str(buf, c[i].out ? c[i].out : c[i].in, "format back");
	}
	memset(map, 0, sizeof(map));
	is_int(xlv_cpumap_format(map, 4, buf, sizeof(buf)), 0, "empty map");
	is_str(buf, "", "empty map formats as \"\"");
	map[0] = 0x55;
	is_int(xlv_cpumap_format(map, 1, buf, 4), -ENOSPC,
	       "0,2,4,6 does not fit in 4 bytes");
	is_str(buf, "", "buffer cleared on -ENOSPC");
	is_int(xlv_cpumap_format(map, 1, buf, 0), -ENOSPC, "zero-length buffer");
	/* 4096 CPUs, every other one: long but exact. */
	memset(big, 0x55, sizeof(big));
	huge = malloc(16384);
	ok(huge, "allocation");
	if (!huge)
		return;
	is_int(xlv_cpumap_format(big, sizeof(big), huge, 16384), 0,
	       "2048 single CPUs");
	memset(big, 0, sizeof(big));
	is_int(xlv_cpumap_parse(huge, big, sizeof(big), err, sizeof(err)), 0,
	       "parse them back");
	is_uint(big[511], 0x55, "last byte");
	is_int(xlv_cpumap_parse(huge, big, 256, err, sizeof(err)), -EINVAL,
	       "CPU 4094 does not fit 2048 bits");
	free(huge);
}

static void test_saved(void)
{
	static const unsigned char h[16] = {
		0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67,
		0x89, 0xab, 0xcd, 0xef, 0x00, 0x11, 0x22, 0xff };
	static const char *bad[] = {
		"",
		"deadbeef-0123-4567-89ab-cdef001122ff",	/* no maps */
		"deadbeef-0123-4567-89ab-cdef001122ff ",	/* empty map */
		"deadbeef-0123-4567-89ab-cdef001122ff 0-1;",
		"deadbeef-0123-4567-89ab-cdef001122ff ;0-1",
		"deadbeef-0123-4567-89ab-cdef001122ff 0-1;;1",
		"deadbeef-0123-4567-89ab-cdef001122ff 0-16",
		"deadbeef-0123-4567-89ab-cdef001122ff 0-1 1",
		"deadbeef-0123-4567-89ab-cdef001122ff\t0-1",
		"deadbeef_0123-4567-89ab-cdef001122ff 0-1",
		"deadbeef-0123-4567-89ab-cdef001122fg 0-1",
		"deadbeef-0123-4567-89ab-cdef001122f 0-1",
		"deadbeef-0123-4567-89ab-cdef001122fff 0-1",
		"0-1;1",
		"deadbeef-0123-4567-89ab-cdef001122ff 1;1;1;1;1",	/* > 4 */
	};
	unsigned char maps[4 * 2], back[4 * 2];
	char uuid[XLV_UUID_LEN], got[XLV_UUID_LEN], buf[128], err[XLV_ERR_LEN];
	unsigned int i, nr;

	xlv_uuid_format(h, uuid);
	is_str(uuid, "deadbeef-0123-4567-89ab-cdef001122ff", "UUID format");
	memset(maps, 0, sizeof(maps));
	maps[0] = 0x03;			/* vCPU 0: 0-1 */
	maps[2] = 0x02;			/* vCPU 1: 1 */
	maps[4] = 0xff;			/* vCPU 2: 0-8 */
	maps[5] = 0x01;
	maps[7] = 0x80;			/* vCPU 3: 15 */
	is_int(xlv_saved_format(uuid, maps, 2, 4, buf, sizeof(buf)), 0,
	       "saved record");
	is_str(buf, "deadbeef-0123-4567-89ab-cdef001122ff 0-1;1;0-8;15",
	       "saved record text");
	is_int(xlv_saved_parse(buf, got, back, 2, 4, &nr, err, sizeof(err)), 0,
	       "parse it back");
	is_str(got, uuid, "UUID back");
	is_uint(nr, 4, "4 vCPUs back");
	ok(!memcmp(back, maps, sizeof(maps)), "maps back");
	is_int(xlv_saved_parse("DEADBEEF-0123-4567-89AB-CDEF001122FF 0", got,
			       back, 2, 4, &nr, err, sizeof(err)), 0,
	       "upper-case UUID");
	is_uint(nr, 1, "one vCPU");
	is_int(xlv_saved_format(uuid, maps, 2, 4, buf, 45), -ENOSPC,
	       "record too long for the buffer");
	is_int(xlv_saved_format(uuid, maps, 2, 4, buf, 20), -ENOSPC,
	       "UUID too long for the buffer");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		is_int(xlv_saved_parse(bad[i], got, back, 2, 4, &nr, err,
				       sizeof(err)) < 0, 1, "bad record #%u", i);
		ok(err[0], "bad record #%u says why: %s", i, err);
	}
}

static void test_pin_other(void)
{
	struct vbmq_cpu_list online = { .nr = 4, .cpu = { 0, 1, 2, 3 } };
	struct vbmq_cpu_list out;
	struct xlv_pin_plan p;
	unsigned char m[2];
	char err[XLV_ERR_LEN], buf[64];

	is_int(xlv_pin_plan("1", 4, &online, 2, &p, err, sizeof(err)), 0,
	       "io 1 of 4");
	m[0] = 0x0f;	/* all 4 */
	m[1] = 0xff;	/* CPUs that do not exist */
	xlv_pin_other(&p, m, 2, &out);
	vbmq_cpu_list_format(&out, buf, sizeof(buf));
	is_str(buf, "0,2-3", "all minus the I/O CPU");
	m[0] = 0x02;	/* only the I/O CPU */
	xlv_pin_other(&p, m, 2, &out);
	vbmq_cpu_list_format(&out, buf, sizeof(buf));
	is_str(buf, "0,2-3", "only the I/O CPU: every other CPU");
	m[0] = 0x06;	/* 1-2 */
	xlv_pin_other(&p, m, 2, &out);
	vbmq_cpu_list_format(&out, buf, sizeof(buf));
	is_str(buf, "2", "1-2 minus 1");
	m[0] = 0x00;
	m[1] = 0x01;	/* CPU 8 only: not online */
	xlv_pin_other(&p, m, 2, &out);
	vbmq_cpu_list_format(&out, buf, sizeof(buf));
	is_str(buf, "0,2-3", "an offline-only affinity: every other CPU");
	m[0] = 0x08;	/* CPU 3, 1-byte map */
	xlv_pin_other(&p, m, 1, &out);
	vbmq_cpu_list_format(&out, buf, sizeof(buf));
	is_str(buf, "3", "CPU 3 stays");
}

static void test_chomp(void)
{
	char buf[8];

	is_int(xlv_chomp("0-3\n", buf, sizeof(buf)), 0, "chomp");
	is_str(buf, "0-3", "chomp newline");
	is_int(xlv_chomp("12345678\n", buf, sizeof(buf)), -ENOSPC, "chomp too long");
}

static void test_backend_path(void)
{
	static const struct {
		const char *path;
		int ret;
		unsigned int bd;
		const char *type;
	} c[] = {
		{ "/local/domain/0/backend/vbd/5/51712", 0, 0, "vbd" },
		{ "/local/domain/3/backend/qdisk/5/51712", 0, 3, "qdisk" },
		{ "/local/domain/32751/backend/vbd/5/51712", 0, 32751, "vbd" },
		/* another domain's disk, another device of this domain */
		{ "/local/domain/0/backend/vbd/6/51712", -EINVAL },
		{ "/local/domain/0/backend/vbd/55/51712", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/51728", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/517120", -EINVAL },
		/* the shape right, a component written another way */
		{ "/local/domain/00/backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/+0/backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/ 0/backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/0/backend/vbd/05/51712", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/051712", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/51712/", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/51712/vbmq", -EINVAL },
		{ "/local/domain/0/backend/vbd/5/51712/../../6/51712", -EINVAL },
		{ "/local/domain/0//backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/0/backend/VBD/5/51712", -EINVAL },
		{ "/local/domain/0/backend/v.d/5/51712", -EINVAL },
		{ "/local/domain/0/backend//5/51712", -EINVAL },
		{ "/local/domain/0/backend/abcdefghijklmnop/5/51712", -EINVAL },
		{ "/local/domain/32752/backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/99999999999999999999/backend/vbd/5/51712", -EINVAL },
		{ "/local/domain/0/frontend/vbd/5/51712", -EINVAL },
		{ "/local/domain/5/device/vbd/51712", -EINVAL },
		{ "/tool/vbmq", -EINVAL },
		{ "local/domain/0/backend/vbd/5/51712", -EINVAL },
		{ "", -EINVAL },
	};
	unsigned int i, bd;
	char type[16];

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		bd = 4242;
		strcpy(type, "x");
		is_int(xlv_backend_path_check(c[i].path, 5, 51712, &bd, type,
					      sizeof(type)),
		       c[i].ret, "backend link \"%s\" of domain 5 disk 51712 -> %d",
		       c[i].path, c[i].ret);
		if (!c[i].ret) {
			is_uint(bd, c[i].bd, "backend link \"%s\": domain", c[i].path);
			is_str(type, c[i].type, "backend link \"%s\": type", c[i].path);
		} else {
			ok(bd == 4242 && !strcmp(type, "x"),
			   "backend link \"%s\": nothing set", c[i].path);
		}
	}
	is_int(xlv_backend_path_check("/local/domain/0/backend/qdisk/5/51712", 5,
				      51712, &bd, type, 5),
	       -EINVAL, "backend type longer than the caller's buffer");
}

static void test_escape(void)
{
	static const struct {
		const char *in;
		const char *out;
		int ret;
	} c[] = {
		{ "", "", 0 },
		{ "Connected 4", "Connected 4", 0 },
		{ "\033]0;own\007", "\\x1b]0;own\\x07", 0 },
		{ "\033[2J\033[H", "\\x1b[2J\\x1b[H", 0 },
		{ "a\\x1b", "a\\\\x1b", 0 },
		{ "t\tl\nr\r", "t\\x09l\\x0ar\\x0d", 0 },
		{ "\x7f\x80\xff", "\\x7f\\x80\\xff", 0 },
		{ "caf\xc3\xa9", "caf\\xc3\\xa9", 0 },
		/* 15 fit with the NUL in 16; 16 do not */
		{ "0123456789abcde", "0123456789abcde", 0 },
		{ "0123456789abcdef", "0123456789ab...", -ENOSPC },
		/* an escape is never cut in half */
		{ "0123456789\033xyz", "0123456789...", -ENOSPC },
		{ "01234567890\033xyz", "01234567890...", -ENOSPC },
	};
	unsigned int i;
	char buf[16];

	/* into 16 bytes, like the cut cases; the others fit */
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(buf, 'Z', sizeof(buf));
		is_int(xlv_escape(c[i].in, buf, sizeof(buf)), c[i].ret,
		       "escape case %u -> %d", i, c[i].ret);
		is_str(buf, c[i].out, "escape case %u", i);
	}
	for (i = 0; i < 256; i++) {
		char in[2] = { (char)i, 0 }, out[8];
		size_t j;

		if (!i)
			continue;
		xlv_escape(in, out, sizeof(out));
		for (j = 0; out[j]; j++)
			if ((unsigned char)out[j] < 0x20 ||
			    (unsigned char)out[j] >= 0x7f)
				break;
		ok(!out[j], "escape of byte 0x%02x is printable ASCII: %s", i, out);
	}
	memset(buf, 'Z', sizeof(buf));
	is_int(xlv_escape("abc", buf, 3), -ENOSPC, "escape into 3 bytes");
	is_str(buf, "", "escape into 3 bytes leaves an empty string");
	is_int(xlv_escape("abc", buf, 0), -ENOSPC, "escape into nothing");
}

int main(void)
{
	test_vdev();
	test_domid_and_names();
	test_set_args();
	test_disk_lines();
	test_conf_lines();
	test_xl_config();
	test_create_args();
	test_stats_args();
	test_pin_plan();
	test_unset_args();
	test_cpumap();
	test_saved();
	test_pin_other();
	test_chomp();
	test_backend_path();
	test_escape();
	return tap_done();
}
