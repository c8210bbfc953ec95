// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tools/xl-vbmq/config.c: disk names, KEY=VALUE settings,
 * disk lines, /etc/xen/vbmq.conf lines, xl config files, and the command
 * lines of create, stats and pin-dom0.  Table-driven; no xenstore needed.
 */
#include "tap.h"
#include "../../xen-blkback/keys_core.c"
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

static void test_chomp(void)
{
	char buf[8];

	is_int(xlv_chomp("0-3\n", buf, sizeof(buf)), 0, "chomp");
	is_str(buf, "0-3", "chomp newline");
	is_int(xlv_chomp("12345678\n", buf, sizeof(buf)), -ENOSPC, "chomp too long");
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
	test_chomp();
	return tap_done();
}
