/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xlcfg.c: unit tests for config/ (xl.cfg files, disk and vif specs,
 * overrides, JSON round trip).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/xlcfg.h"
#include "util/jsonw.h"

/* ---- helpers ---- */

/* Warnings, one "where|key|msg" line each. */
struct warns {
	struct pv_buf all;
	int n;
};

static void collect(void *ctx, const char *where, const char *key,
		    const char *msg)
{
	struct warns *w = ctx;

	pv_buf_printf(&w->all, "%s|%s|%s\n", where, key, msg);
	w->n++;
}

static void warns_init(struct warns *w)
{
	pv_buf_init(&w->all);
	pv_buf_add(&w->all, "", 0);
	w->n = 0;
}

static int has(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle)) {
		print_error("expected \"%s\" in:\n%s\n", needle,
			    hay ? hay : "(null)");
		return 0;
	}
	return 1;
}

static const char *data_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("PV_TEST_DATA");
	const char *slash = strrchr(__FILE__, '/');

	if (dir)
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	else if (slash)
		snprintf(path, sizeof(path), "%.*s/data/%s",
			 (int)(slash - __FILE__), __FILE__, name);
	else
		snprintf(path, sizeof(path), "data/%s", name);
	return path;
}

/* Parses @text as "test.cfg"; returns rc, message in @err. */
static int parse(const char *text, char *const *ov, int nov,
		 struct pv_domain_config *c, struct warns *w, struct pv_err *err)
{
	pv_domain_config_init(c);
	return pv_xlcfg_parse_string(text, "test.cfg", ov, nov, c,
				     w ? collect : NULL, w, err);
}

static void parse_ok(const char *text, struct pv_domain_config *c,
		     struct warns *w)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = parse(text, NULL, 0, c, w, &err);
	if (rc)
		print_error("unexpected error: %s\n", pv_err_msg(&err));
	assert_int_equal(rc, 0);
	pv_err_dispose(&err);
}

/* Asserts parsing fails with -EINVAL and a message containing @want. */
static void expect_error_ov(const char *text, char *const *ov, int nov,
			    const char *want)
{
	struct pv_domain_config c;
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = parse(text, ov, nov, &c, NULL, &err);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_true(has(pv_err_msg(&err), want));
	assert_null(c.name);	/* nothing half-filled is left behind */
	assert_int_equal(c.ndisks, 0);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

static void expect_error(const char *text, const char *want)
{
	expect_error_ov(text, NULL, 0, want);
}

#define MINIMAL "name = 'guest'\nkernel = '/boot/vmlinuz'\n"

/* ---- good configs ---- */

static void test_debian_file(void **state)
{
	struct pv_domain_config c;
	struct warns w;
	struct pv_err err;

	warns_init(&w);
	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_file(data_path("debian-pv.cfg"), NULL, 0,
					     &c, collect, &w, &err), 0);
	assert_string_equal(c.name, "web01");
	assert_string_equal(c.uuid, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
	assert_string_equal(c.kernel, "/boot/vmlinuz-6.1.0-18-amd64");
	assert_string_equal(c.ramdisk, "/boot/initrd.img-6.1.0-18-amd64");
	assert_string_equal(c.cmdline,
			    "root=/dev/xvda2 ro elevator=noop console=hvc0");
	assert_int_equal(c.memory_mb, 1024);
	assert_int_equal(c.maxmem_mb, 2048);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.maxvcpus, 4);
	assert_string_equal(c.cpus, "0-3,^1");
	assert_int_equal(c.on_poweroff, PV_ACTION_DESTROY);
	assert_int_equal(c.on_reboot, PV_ACTION_RESTART);
	assert_int_equal(c.on_crash, PV_ACTION_COREDUMP_RESTART);
	assert_int_equal(c.ndisks, 3);
	assert_string_equal(c.disks[0].target, "/dev/vg0/web01-disk");
	assert_string_equal(c.disks[0].vdev, "xvda2");
	assert_true(c.disks[0].readwrite);
	assert_true(c.disks[0].is_phy_prefix);
	assert_string_equal(c.disks[1].vdev, "xvda1");
	assert_string_equal(c.disks[2].target, "/srv/xen/scratch,1.img");
	assert_string_equal(c.disks[2].format, "raw");
	assert_string_equal(c.disks[2].vdev, "xvdb");
	assert_int_equal(c.nvifs, 1);
	assert_string_equal(c.vifs[0].mac, "00:16:3e:c0:ff:ee");
	assert_string_equal(c.vifs[0].bridge, "xenbr0");
	assert_string_equal(c.vifs[0].ip, "192.168.1.20");
	assert_true(has(c.source, "debian-pv.cfg"));
	assert_int_equal(w.n, 0);
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
	pv_err_dispose(&err);
}

static void test_xm_pygrub_file(void **state)
{
	struct pv_domain_config c;
	struct warns w;
	struct pv_err err;
	const char *path = data_path("xm-pygrub.cfg");
	char where[4200];

	warns_init(&w);
	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_file(path, NULL, 0, &c, collect, &w,
					     &err), 0);
	assert_string_equal(c.name, "legacy-db");
	assert_null(c.kernel);
	assert_string_equal(c.bootloader, "/usr/lib/xen/bin/pygrub");
	assert_string_equal(c.bootloader_args,
			    "--kernel=/vmlinuz --ramdisk=/initrd.img");
	assert_int_equal(c.bootloader_argc, 2);
	assert_string_equal(c.bootloader_argv[1], "--ramdisk=/initrd.img");
	assert_null(c.bootloader_argv[2]);
	assert_int_equal(c.memory_mb, 512);
	assert_int_equal(c.maxmem_mb, 512);
	assert_int_equal(c.vcpus, 1);
	assert_int_equal(c.maxvcpus, 1);
	assert_int_equal(c.on_crash, PV_ACTION_PRESERVE);
	assert_int_equal(c.ndisks, 2);
	assert_string_equal(c.disks[0].target, "/var/lib/xen/images/legacy-db.img");
	assert_false(c.disks[0].is_phy_prefix);
	assert_string_equal(c.disks[1].target, "/srv/iso/rescue.iso");
	assert_true(c.disks[1].cdrom);
	assert_false(c.disks[1].readwrite);
	assert_string_equal(c.disks[1].vdev, "hdc");
	assert_int_equal(c.nvifs, 1);
	assert_null(c.vifs[0].mac);
	assert_null(c.vifs[0].bridge);

	/* HVM-only keys and typos each warn, with place and reason. */
	assert_int_equal(w.n, 4);
	snprintf(where, sizeof(where), "%s:6:1|vnc|", path);
	assert_true(has(w.all.s, where));
	assert_true(has(w.all.s, "vnc|ignored: an HVM display: no effect on a "
			"PV guest"));
	snprintf(where, sizeof(where), "%s:7:1|vnclisten|", path);
	assert_true(has(w.all.s, where));
	snprintf(where, sizeof(where), "%s:8:1|acpi|ignored: HVM only: no effect "
		 "on a PV guest (xl ignores it for PV too)", path);
	assert_true(has(w.all.s, where));
	snprintf(where, sizeof(where), "%s:9:1|memroy|unknown key, ignored", path);
	assert_true(has(w.all.s, where));
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
	pv_err_dispose(&err);
}

static void test_hvm_file(void **state)
{
	struct pv_domain_config c;
	struct pv_err err;
	char want[4200];

	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_file(data_path("hvm.cfg"), NULL, 0, &c,
					     NULL, NULL, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2:11: builder: \"hvm\" guests are not "
		 "supported: pvctl runs PV guests only", data_path("hvm.cfg"));
	assert_true(has(pv_err_msg(&err), want));
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

static void test_missing_file(void **state)
{
	struct pv_domain_config c;
	struct pv_err err;

	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_file("/nonexistent/x.cfg", NULL, 0, &c,
					     NULL, NULL, &err), -ENOENT);
	assert_string_equal(pv_err_msg(&err),
			    "/nonexistent/x.cfg: No such file or directory");
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

static void test_defaults(void **state)
{
	struct pv_domain_config c;

	parse_ok(MINIMAL, &c, NULL);
	assert_int_equal(c.memory_mb, 128);
	assert_int_equal(c.maxmem_mb, 128);
	assert_int_equal(c.vcpus, 1);
	assert_int_equal(c.maxvcpus, 1);
	assert_int_equal(c.on_poweroff, PV_ACTION_DESTROY);
	assert_int_equal(c.on_reboot, PV_ACTION_RESTART);
	assert_int_equal(c.on_crash, PV_ACTION_DESTROY);
	assert_null(c.uuid);
	assert_null(c.cmdline);
	assert_null(c.bootloader_args);
	assert_int_equal(c.ndisks, 0);
	assert_int_equal(c.nvifs, 0);
	assert_string_equal(c.source, "test.cfg");
	pv_domain_config_dispose(&c);

	/* maxvcpus/maxmem default to vcpus/memory; 0 means the same. */
	parse_ok(MINIMAL "memory = 300\nvcpus = 3\nmaxmem = 0\n", &c, NULL);
	assert_int_equal(c.maxmem_mb, 300);
	assert_int_equal(c.maxvcpus, 3);
	pv_domain_config_dispose(&c);
}

static void test_quotes_and_escapes(void **state)
{
	struct pv_domain_config c;

	parse_ok("name = 'x'\nbootloader = \"it's\\x41\\101\"\n"
		 "kernel = '/boot/\"quoted\" \\'k\\''\n"
		 "cmdline = \"a\\tb\\\\c\\nd\\\"e\\101\"\n"
		 "ramdisk = ''\n", &c, NULL);
	assert_string_equal(c.bootloader, "it'sAA");
	assert_string_equal(c.kernel, "/boot/\"quoted\" 'k'");
	assert_string_equal(c.cmdline, "a\tb\\c\nd\"eA");
	assert_string_equal(c.ramdisk, "");
	pv_domain_config_dispose(&c);
}

static void test_numbers_as_strings(void **state)
{
	struct pv_domain_config c;

	parse_ok(MINIMAL "memory = \"1024\"\nmaxmem = '0x1000'\n"
		 "vcpus = '2'\nmaxvcpus = \"8\"\n", &c, NULL);
	assert_int_equal(c.memory_mb, 1024);
	assert_int_equal(c.maxmem_mb, 4096);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.maxvcpus, 8);
	pv_domain_config_dispose(&c);
}

static void test_layout(void **state)
{
	struct pv_domain_config c;
	struct warns w;

	/* ';' separators, comments everywhere, CRLF, no final newline. */
	warns_init(&w);
	parse_ok("# leading comment\r\n\r\n"
		 "name='a'; kernel=\"/k\" ; memory=256;\r\n"
		 "   # indented comment\n"
		 "\tvif = [ # comment after the bracket\n"
		 "\n"
		 "   'mac=00:16:3e:00:00:01' # after an entry\n"
		 "   ,\n"
		 "   'bridge=xenbr1',   # trailing comma\n"
		 "\n"
		 "]   # after the list\n"
		 "disk=[]\n"
		 ";;\n"
		 "vcpus = 2 # last line without newline", &c, &w);
	assert_string_equal(c.name, "a");
	assert_int_equal(c.memory_mb, 256);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.nvifs, 2);
	assert_string_equal(c.vifs[1].bridge, "xenbr1");
	assert_int_equal(c.ndisks, 0);
	assert_int_equal(w.n, 0);
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
}

static void test_duplicates_and_append(void **state)
{
	struct pv_domain_config c;
	struct warns w;

	warns_init(&w);
	parse_ok(MINIMAL "memory = 256\nmemory = 512\n"
		 "disk = [ 'phy:/dev/a,xvda,w' ]\n"
		 "disk += [ 'phy:/dev/b,xvdb,r' ]\n"
		 "extra = 'console=hvc0'\nextra += ' quiet'\n", &c, &w);
	assert_int_equal(c.memory_mb, 512);	/* last one wins, as in xl */
	assert_int_equal(w.n, 1);
	assert_true(has(w.all.s, "test.cfg:4:1|memory|set again (first set at "
			"line 3); the last value wins"));
	assert_int_equal(c.ndisks, 2);
	assert_string_equal(c.disks[1].target, "/dev/b");
	assert_false(c.disks[1].readwrite);
	assert_string_equal(c.cmdline, "console=hvc0 quiet");
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);

	expect_error(MINIMAL "extra = 'a'\nextra += [ 'b' ]\n",
		     "test.cfg:4:10: extra: '+=' cannot add a list to a string");
}

static void test_cmdline_combination(void **state)
{
	struct pv_domain_config c;
	struct warns w;

	parse_ok(MINIMAL "root = '/dev/xvda1'\n", &c, NULL);
	assert_string_equal(c.cmdline, "root=/dev/xvda1");
	pv_domain_config_dispose(&c);

	parse_ok(MINIMAL "extra = 'console=hvc0'\n", &c, NULL);
	assert_string_equal(c.cmdline, "console=hvc0");
	pv_domain_config_dispose(&c);

	parse_ok(MINIMAL "extra = 'quiet'\nroot = '/dev/xvda1 ro'\n", &c, NULL);
	assert_string_equal(c.cmdline, "root=/dev/xvda1 ro quiet");
	pv_domain_config_dispose(&c);

	warns_init(&w);
	parse_ok(MINIMAL "root = '/dev/xvda1'\ncmdline = 'console=hvc0'\n",
		 &c, &w);
	assert_string_equal(c.cmdline, "console=hvc0");
	assert_true(has(w.all.s, "test.cfg:3:1|root|ignored: cmdline takes "
			"precedence"));
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
}

static void test_type_and_builder(void **state)
{
	struct pv_domain_config c;

	parse_ok(MINIMAL "type = 'pv'\n", &c, NULL);
	pv_domain_config_dispose(&c);
	parse_ok(MINIMAL "builder = 'generic'\n", &c, NULL);
	pv_domain_config_dispose(&c);
	parse_ok(MINIMAL "builder = 'linux'\npvh = 0\n", &c, NULL);
	pv_domain_config_dispose(&c);

	expect_error(MINIMAL "type = 'hvm'\n",
		     "test.cfg:3:8: type: \"hvm\" guests are not supported: "
		     "pvctl runs PV guests only");
	expect_error(MINIMAL "type = \"pvh\"\n", "test.cfg:3:8: type: \"pvh\" "
		     "guests are not supported");
	/* The type error comes first even if other keys are bad too. */
	expect_error("memory = 'x'\nbuilder = 'hvm'\n", "test.cfg:2:11: builder: "
		     "\"hvm\" guests are not supported");
	expect_error(MINIMAL "pvh = 1\n", "test.cfg:3:7: pvh: PVH guests are "
		     "not supported");
	expect_error(MINIMAL "type = 'xen'\n", "test.cfg:3:8: type: unknown type "
		     "'xen' (expected \"pv\")");
}

static void test_hvm_and_unknown_keys_warn(void **state)
{
	struct pv_domain_config c;
	struct warns w;

	warns_init(&w);
	parse_ok(MINIMAL "vnc = 1\nsdl=0\n  device_model_version = 'qemu-xen'\n"
		 "vif2 = [ '' ]\nfoo_bar = 3\nserial = 'pty'\n", &c, &w);
	assert_int_equal(w.n, 6);
	assert_true(has(w.all.s, "test.cfg:3:1|vnc|ignored: an HVM display"));
	assert_true(has(w.all.s, "test.cfg:4:1|sdl|"));
	assert_true(has(w.all.s, "test.cfg:5:3|device_model_version|ignored: "
			"configures QEMU, which pvctl never runs for a PV guest"));
	assert_true(has(w.all.s, "test.cfg:6:1|vif2|ignored: netchannel2"));
	assert_true(has(w.all.s, "test.cfg:7:1|foo_bar|unknown key, ignored"));
	assert_true(has(w.all.s, "test.cfg:8:1|serial|ignored: HVM only"));
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
}

/*
 * Keys that would change what the guest gets, which pvctl cannot give:
 * an error at the key's value, with the reason.
 */
static void test_refused_keys(void **state)
{
	expect_error(MINIMAL "tsc_mode = 'default'\n", "test.cfg:3:12: tsc_mode: "
		     "not supported by pvctl: guests get Xen's default TSC mode");
	expect_error(MINIMAL "vfb = [ 'vnc=1' ]\n", "test.cfg:3:7: vfb: virtual "
		     "framebuffers need QEMU");
	expect_error(MINIMAL "pci = [ '0000:00:19.0' ]\n", "test.cfg:3:7: pci: "
		     "PCI passthrough is not supported by pvctl");
	expect_error(MINIMAL "pool = 'fast'\n", "test.cfg:3:8: pool: CPU pools "
		     "are not supported by pvctl");
	expect_error(MINIMAL "seclabel = 'system_u:system_r:domU_t'\n",
		     "test.cfg:3:12: seclabel: XSM (FLASK) labels");
	expect_error(MINIMAL "e820_host = 1\n", "test.cfg:3:13: e820_host: needs "
		     "PCI passthrough");
	expect_error(MINIMAL "localtime = 1\n", "test.cfg:3:13: localtime: a guest "
		     "clock offset is not supported");
	expect_error(MINIMAL "on_watchdog = 'restart'\n", "test.cfg:3:15: "
		     "on_watchdog: pvctl has no watchdog action");
	expect_error(MINIMAL "iomem = [ 'fe000,1' ]\n", "test.cfg:3:9: iomem: "
		     "hardware passthrough is not supported by pvctl");
	expect_error(MINIMAL "irqs = [ 7 ]\n", "test.cfg:3:8: irqs: hardware "
		     "passthrough");
	expect_error(MINIMAL "vtpm = [ 'backend=vtpmmgr' ]\n", "test.cfg:3:8: "
		     "vtpm: virtual TPMs need a vTPM stub domain");
	expect_error(MINIMAL "disable_migrate = 1\n", "test.cfg:3:19: "
		     "disable_migrate: libxl's name, not an xl.cfg key: write "
		     "nomigrate = 1");
	/* A refused key fails the config even when it comes as an override. */
	{
		char *ov[] = { "pool='fast'" };

		expect_error_ov(MINIMAL, ov, 1, "<command line>:1:6: pool: CPU "
				"pools are not supported");
	}
}

/* ---- syntax errors ---- */

static void test_syntax_errors(void **state)
{
	expect_error("name = 'abc\n", "test.cfg:1:8: name: unterminated quoted "
		     "string");
	expect_error("name = \"a\\qb\"\n", "test.cfg:1:10: name: invalid escape "
		     "after backslash");
	expect_error("name = 'a\\x4'\n", "test.cfg:1:10: name: \\x must be "
		     "followed by two hex digits");
	expect_error("name 'x'\n", "test.cfg:1:6: name: expected '=' after the key");
	expect_error("\nmemory =\n", "test.cfg:2:9: memory: expected a value");
	expect_error("memory = ", "test.cfg:1:10: memory: unexpected end of file");
	expect_error("memory = 512 MB\n", "test.cfg:1:14: memory: expected the "
		     "end of the line after the value");
	expect_error("disk = [ 'a' 'b' ]\n", "test.cfg:1:14: disk: expected ',' "
		     "or ']' in list");
	expect_error("disk = [ 'a',\n  'b'\n", "test.cfg:3:1: disk: unexpected "
		     "end of file in a list (missing ']'?)");
	expect_error("x = @\n", "test.cfg:1:5: x: unexpected character '@'");
	expect_error("= 3\n", "test.cfg:1:1: expected a 'key = value' setting");
	expect_error("'name' = 3\n", "test.cfg:1:1: expected a key");
	expect_error(MINIMAL "\n  memory = [ 1 ] ]\n", "test.cfg:4:18: memory: "
		     "expected the end of the line");
}

/* ---- value errors ---- */

static void test_value_errors(void **state)
{
	expect_error(MINIMAL "memory = 0\n", "test.cfg:3:10: memory: 0 is too "
		     "small (at least 1)");
	expect_error(MINIMAL "memory = '1G'\n", "test.cfg:3:10: memory: '1G' is "
		     "not a number");
	expect_error(MINIMAL "memory = '-5'\n", "test.cfg:3:10: memory: '-5' is "
		     "not a number");
	expect_error(MINIMAL "memory = ''\n", "test.cfg:3:10: memory: '' is not "
		     "a number");
	expect_error(MINIMAL "memory = '\t512'\n", "is not a number");
	expect_error(MINIMAL "memory = '0x'\n", "test.cfg:3:10: memory: '0x' is "
		     "not a number");
	expect_error(MINIMAL "memory = 0x-4\n", "test.cfg:3:12: memory: "
		     "unexpected character '-'");
	expect_error(MINIMAL "memory = 99999999999999999999999\n",
		     "test.cfg:3:10: memory: 99999999999999999999999 is too large");
	expect_error(MINIMAL "memory = [ 512 ]\n", "test.cfg:3:10: memory: "
		     "expected a single value, not a list");
	expect_error(MINIMAL "memory = 1024\nmaxmem = 512\n", "test.cfg:4:10: "
		     "maxmem: maxmem (512 MiB) is less than memory (1024 MiB)");
	expect_error(MINIMAL "vcpus = 0\n", "test.cfg:3:9: vcpus: 0 is too small");
	expect_error(MINIMAL "vcpus = 4\nmaxvcpus = 2\n", "test.cfg:4:12: "
		     "maxvcpus: maxvcpus (2) is less than vcpus (4)");
	expect_error(MINIMAL "maxvcpus = 129\n", "test.cfg:3:12: maxvcpus: 129 "
		     "is too large (at most 128)");
	expect_error(MINIMAL "vcpus = 200\n", "test.cfg:3:9: vcpus: 200 is too "
		     "large (at most 128)");
	expect_error(MINIMAL "uuid = '3f2504e0-4f89-11d3-9a0c-0305e82c330'\n",
		     "test.cfg:3:8: uuid: invalid uuid");
	expect_error(MINIMAL "uuid = '3f2504e0x4f89-11d3-9a0c-0305e82c3301'\n",
		     "test.cfg:3:8: uuid: invalid uuid");
	expect_error(MINIMAL "on_crash = 'reboot'\n", "test.cfg:3:12: on_crash: "
		     "unknown action 'reboot'");
	expect_error(MINIMAL "on_reboot = ['restart']\n", "test.cfg:3:13: "
		     "on_reboot: expected a single value");
	expect_error(MINIMAL "cpus = [ '0', '1' ]\n", "test.cfg:3:8: cpus: the "
		     "per-vcpu list form is not supported");
	expect_error(MINIMAL "cpus = '0-x'\n", "test.cfg:3:8: cpus: invalid cpus "
		     "'0-x'");
	expect_error(MINIMAL "cpus = '3-1'\n", "test.cfg:3:8: cpus: invalid cpus");
	expect_error(MINIMAL "kernel = [ '/a' ]\n", "test.cfg:3:10: kernel: "
		     "expected a single value, not a list");
	expect_error(MINIMAL "bootloader_args = [ [ 'x' ] ]\n", "test.cfg:3:21: "
		     "bootloader_args: entry 1: expected a string");
}

static void test_cpus_and_actions_ok(void **state)
{
	static const char *const actions[] = {
		"destroy", "restart", "rename-restart", "preserve",
		"coredump-destroy", "coredump-restart",
	};
	struct pv_domain_config c;
	char text[256];
	enum pv_action a;
	size_t i;

	for (i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), MINIMAL "on_poweroff = '%s'\n",
			 actions[i]);
		parse_ok(text, &c, NULL);
		assert_int_equal(c.on_poweroff, (enum pv_action)i);
		assert_string_equal(pv_action_name(c.on_poweroff), actions[i]);
		pv_domain_config_dispose(&c);
	}
	assert_int_equal(pv_action_parse("explode", &a), -EINVAL);

	parse_ok(MINIMAL "cpus = 'all'\n", &c, NULL);
	pv_domain_config_dispose(&c);
	parse_ok(MINIMAL "cpus = 2\n", &c, NULL);
	assert_string_equal(c.cpus, "2");
	pv_domain_config_dispose(&c);
}

static void test_required_keys(void **state)
{
	struct pv_domain_config c;

	expect_error("kernel = '/k'\n", "test.cfg: name: missing: every domain "
		     "needs a name");
	expect_error("name = 'x'\nmemory = 256\n", "test.cfg: kernel: missing: "
		     "a PV guest needs a kernel (or a bootloader");
	parse_ok("name = 'x'\nbootloader = 'pygrub'\n", &c, NULL);
	assert_null(c.kernel);
	pv_domain_config_dispose(&c);
	parse_ok("name = 'x'\nbootloader = 'pygrub'\n"
		 "bootloader_args = '-q  --entry=1 '\n", &c, NULL);
	assert_string_equal(c.bootloader_args, "-q  --entry=1 ");
	assert_int_equal(c.bootloader_argc, 2);
	assert_string_equal(c.bootloader_argv[0], "-q");
	assert_string_equal(c.bootloader_argv[1], "--entry=1");
	pv_domain_config_dispose(&c);
}

static void test_names(void **state)
{
	static const struct { const char *name, *want; } bad[] = {
		{ "", "domain name is empty" },
		{ "a/b", "contains '/'" },
		{ "a b", "contains ' '" },
		{ "a\"b", "contains '\"'" },
		{ "it's", "contains '''" },
		{ "tab\there", "non-printable" },
		{ "caf\xc3\xa9", "non-ASCII" },
		{ "12345", "all digits, which would be ambiguous with a domain ID" },
		{ "Domain-0", "reserved for dom0" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "longer than 64 characters" },
	};
	struct pv_err err;
	char text[256];
	size_t i;

	pv_err_init(&err);
	assert_int_equal(pv_domain_name_valid("web-01.example_x", &err), 0);
	assert_int_equal(pv_domain_name_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		&err), 0);
	assert_int_equal(pv_domain_name_valid("0day", &err), 0);
	assert_int_equal(pv_domain_name_valid("domain-0", &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pv_err_clear(&err);
		assert_int_equal(pv_domain_name_valid(bad[i].name, &err), -EINVAL);
		assert_true(has(pv_err_msg(&err), bad[i].want));
	}
	pv_err_dispose(&err);

	/* In a file the error names the place of the value. */
	expect_error("kernel = '/k'\nname = \"a/b\"\n",
		     "test.cfg:2:8: name: domain name 'a/b' contains '/'");
	snprintf(text, sizeof(text), "kernel = '/k'\nname = 42\n");
	expect_error(text, "test.cfg:2:8: name: domain name '42' is all digits");
}

/* ---- disk and vif lists in files ---- */

static void test_device_list_errors(void **state)
{
	expect_error(MINIMAL "disk = 'phy:/dev/a,xvda,w'\n", "test.cfg:3:8: "
		     "disk: expected a list");
	expect_error(MINIMAL "disk = [ 'phy:/dev/a,xvda,w',\n"
		     "         'phy:/dev/b,xvdb,x' ]\n",
		     "test.cfg:4:10: disk: entry 2: invalid disk spec "
		     "'phy:/dev/b,xvdb,x': unknown access 'x' (expected r, ro, "
		     "w or rw)");
	expect_error(MINIMAL "disk = [ [ 'x' ] ]\n", "test.cfg:3:10: disk: entry 1: "
		     "expected a string, not a list");
	expect_error(MINIMAL "disk = [ 'phy:/dev/a,xvda,w', 'phy:/dev/b,xvda,w' ]\n",
		     "test.cfg:3:31: disk: entry 2: vdev 'xvda' is already used "
		     "by entry 1");
	expect_error(MINIMAL "vif = [ 'bridge=xenbr0', 'mac=00:16:3e:zz:00:01' ]\n",
		     "test.cfg:3:26: vif: entry 2: invalid vif spec "
		     "'mac=00:16:3e:zz:00:01': invalid mac '00:16:3e:zz:00:01'");
	expect_error(MINIMAL "vif = [ 'mac=00:16:3e:00:00:01',\n"
		     "'mac=00:16:3E:00:00:01' ]\n", "test.cfg:4:1: vif: entry 2: "
		     "mac 00:16:3e:00:00:01 is already used by entry 1");
	expect_error(MINIMAL "vif = 'bridge=xenbr0'\n", "test.cfg:3:7: vif: "
		     "expected a list");
}

static void test_device_warnings(void **state)
{
	struct pv_domain_config c;
	struct warns w;

	warns_init(&w);
	parse_ok(MINIMAL "vif = [ 'bridge=xenbr0,accel=x,model=e1000',\n"
		 "  'colour=blue' ]\n"
		 "disk = [ '/img,raw,xvda,w,discard' ]\n", &c, &w);
	assert_int_equal(w.n, 4);
	assert_true(has(w.all.s, "test.cfg:3:9|vif|'accel' is not supported by "
			"xl either, ignored"));
	assert_true(has(w.all.s, "test.cfg:3:9|vif|'model' is for emulated NICs "
			"(type=ioemu) only, ignored"));
	assert_true(has(w.all.s, "test.cfg:4:3|vif|'colour' is not a known vif "
			"key, ignored"));
	assert_true(has(w.all.s, "test.cfg:5:10|disk|flag 'discard' ignored: "
			"blkback offers discard by default"));
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
}

/*
 * Device settings pvctl cannot serve fail the parse, as create would
 * fail: create -n and create agree.
 */
static void test_device_refusals(void **state)
{
	expect_error(MINIMAL "disk = [ 'format=qcow2, vdev=xvda, target=/i' ]\n",
		     "test.cfg:3:10: disk: entry 1: disk xvda: format qcow2 needs "
		     "QEMU's disk backend (qdisk), which pvctl does not run");
	expect_error(MINIMAL "disk = [ '/i,raw,xvda,w,backendtype=qdisk' ]\n",
		     "test.cfg:3:10: disk: entry 1: disk xvda: backendtype qdisk "
		     "is not supported by pvctl (only phy: dom0's blkback)");
	expect_error(MINIMAL "disk = [ '/i,raw,xvda,w,backend=stor' ]\n",
		     "test.cfg:3:10: disk: entry 1: disk xvda: backend=stor: "
		     "driver domains are not supported by pvctl");
	expect_error(MINIMAL "disk = [ ',hdc:cdrom,r' ]\n", "test.cfg:3:10: disk: "
		     "entry 1: disk hdc: an empty drive is not supported by pvctl");
	expect_error(MINIMAL "disk = [ '/i,raw,xvda,w,no-discard' ]\n",
		     "flag 'no-discard': not supported by pvctl");
	expect_error(MINIMAL "vif = [ 'type=ioemu' ]\n", "test.cfg:3:9: vif: "
		     "entry 1: type=ioemu is an emulated NIC, which needs QEMU");
	expect_error(MINIMAL "vif = [ 'backend=netdom' ]\n", "test.cfg:3:9: vif: "
		     "entry 1: backend=netdom: driver domains are not supported");
	expect_error(MINIMAL "vif = [ 'gatewaydev=eth0' ]\n", "'gatewaydev' is "
		     "for xend's vif-route and vif-nat scripts");
	expect_error(MINIMAL "vif = [ 'vifname=a/b' ]\n", "invalid vifname 'a/b'");
	expect_error(MINIMAL "vif = [ 'vifname=waytoolongname16' ]\n",
		     "invalid vifname 'waytoolongname16'");
}

/* dom0 as backend= is what pvctl does anyway. */
static void test_device_backend_dom0(void **state)
{
	struct pv_domain_config c;

	parse_ok(MINIMAL "disk = [ '/i,raw,xvda,w,backend=0' ]\n"
		 "vif = [ 'backend=Domain-0,vifname=web0' ]\n", &c, NULL);
	assert_string_equal(c.vifs[0].vifname, "web0");
	pv_domain_config_dispose(&c);
}

/* ---- disk specs ---- */

static void disk_ok(const char *spec, struct pv_disk_spec *d)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	pv_disk_spec_init(d);
	rc = pv_disk_spec_parse(spec, d, &err);
	if (rc)
		print_error("'%s': %s\n", spec, pv_err_msg(&err));
	assert_int_equal(rc, 0);
	pv_err_dispose(&err);
}

static void disk_bad(const char *spec, const char *want)
{
	struct pv_disk_spec d;
	struct pv_err err;

	pv_err_init(&err);
	pv_disk_spec_init(&d);
	assert_int_equal(pv_disk_spec_parse(spec, &d, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), want));
	assert_null(d.vdev);
	pv_disk_spec_dispose(&d);
	pv_err_dispose(&err);
}

static void check_disk(const char *spec, const char *target, const char *vdev,
		       int rw, int cdrom, const char *format)
{
	struct pv_disk_spec d;

	disk_ok(spec, &d);
	if (target)
		assert_string_equal(d.target, target);
	else
		assert_null(d.target);
	assert_string_equal(d.vdev, vdev);
	assert_int_equal(d.readwrite, rw);
	assert_int_equal(d.cdrom, cdrom);
	assert_string_equal(d.format, format);
	pv_disk_spec_dispose(&d);
}

static void test_disk_positional(void **state)
{
	const char *vol = "/dev/vg/guest-volume", *iso = "/root/image.iso";

	/* The equivalent forms from xl-disk-configuration(5). */
	check_disk("/dev/vg/guest-volume,,hda", vol, "hda", 1, 0, "raw");
	check_disk("/dev/vg/guest-volume,raw,hda,rw", vol, "hda", 1, 0, "raw");
	check_disk("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
		   vol, "hda", 1, 0, "raw");
	check_disk("raw:/dev/vg/guest-volume,hda,w", vol, "hda", 1, 0, "raw");
	check_disk("/root/image.iso,,hdc,cdrom", iso, "hdc", 0, 1, "raw");
	check_disk("/root/image.iso,,hdc,,cdrom", iso, "hdc", 0, 1, "raw");
	check_disk("/root/image.iso,raw,hdc,devtype=cdrom", iso, "hdc", 0, 1, "raw");
	check_disk("format=raw, vdev=hdc, access=ro, devtype=cdrom, "
		   "target=/root/image.iso", iso, "hdc", 0, 1, "raw");
	check_disk("raw:/root/image.iso,hdc:cdrom,ro", iso, "hdc", 0, 1, "raw");
	/* xend's empty cdrom, and other common forms. */
	check_disk(",hdc:cdrom,r", NULL, "hdc", 0, 1, "empty");
	check_disk("vdev=xvdc,devtype=cdrom", NULL, "xvdc", 0, 1, "empty");
	check_disk("/img.qcow2,qcow2,xvdb,r", "/img.qcow2", "xvdb", 0, 0, "qcow2");
	check_disk("  /img , ,  xvda1 ,  w ", "/img", "xvda1", 1, 0, "raw");
	check_disk("phy:/dev/a, xvda, r", "/dev/a", "xvda", 0, 0, "raw");
	/* target= may follow an empty positional target; it takes the rest. */
	check_disk(",, xvda, w, target= /x y,z ", " /x y,z ", "xvda", 1, 0, "raw");
	check_disk("/img,,xvda,,", "/img", "xvda", 1, 0, "raw");
	check_disk("/img,vhd,d0p1", "/img", "d0p1", 1, 0, "vhd");
}

static void test_disk_prefixes(void **state)
{
	struct pv_disk_spec d;

	disk_ok("phy:/dev/vg0/root,xvda1,w", &d);
	assert_string_equal(d.target, "/dev/vg0/root");
	assert_string_equal(d.vdev, "xvda1");
	assert_true(d.is_phy_prefix);
	assert_true(d.readwrite);
	pv_disk_spec_dispose(&d);

	check_disk("file:/srv/img,xvda,w", "/srv/img", "xvda", 1, 0, "raw");
	check_disk("tap:aio:/srv/img,xvda,r", "/srv/img", "xvda", 0, 0, "raw");
	check_disk("aio:/srv/img,xvda,ro", "/srv/img", "xvda", 0, 0, "raw");
	check_disk("tap2:tapdisk:qcow2:/srv/img.q,xvdb,w", "/srv/img.q", "xvdb",
		   1, 0, "qcow2");
	check_disk("qcow:/srv/old.img,sda,w", "/srv/old.img", "sda", 1, 0, "qcow");
	check_disk("vhd:/srv/v.vhd,xvdz,rw", "/srv/v.vhd", "xvdz", 1, 0, "vhd");

	disk_ok("iscsi:iqn.2001-05.com.example:disk1,xvdb,w", &d);
	assert_string_equal(d.target, "iqn.2001-05.com.example:disk1");
	assert_string_equal(d.script, "block-iscsi");
	pv_disk_spec_dispose(&d);

	disk_ok("backendtype=qdisk,script=block-drbd,backend=storage1,"
		"vdev=xvdc,target=/a,b,c", &d);
	assert_string_equal(d.backendtype, "qdisk");
	assert_string_equal(d.script, "block-drbd");
	assert_string_equal(d.backend, "storage1");
	assert_string_equal(d.target, "/a,b,c");
	assert_false(d.is_phy_prefix);
	pv_disk_spec_dispose(&d);
}

static void test_disk_errors(void **state)
{
	disk_bad("/img,xvda,w", "invalid disk spec '/img,xvda,w': unknown format "
		 "'xvda' (expected raw, qcow, qcow2, vhd or qed; positional "
		 "parameters are target,format,vdev,access)");
	disk_bad("/img,,xvda,q", "unknown access 'q' (expected r, ro, w or rw)");
	disk_bad("/img,,xvda,w,more", "too many positional parameters at 'more'");
	disk_bad("foo:/img,xvda,w", "unknown disk prefix 'foo:' before the target");
	disk_bad("/img,,xvda,devtype=floppy", "unknown devtype 'floppy'");
	disk_bad("/img,,hda:floppy", "unknown device type ':floppy'");
	disk_bad("bogus=1,/img,,xvda", "unknown parameter 'bogus'");
	disk_bad("/a=b,,xvda", "'=' in positional parameter '/a...'");
	disk_bad("/img,,", "no vdev given");
	disk_bad("", "no vdev given");
	disk_bad("/img,,floppy0", "invalid vdev 'floppy0'");
	disk_bad("/img,,xvd", "invalid vdev 'xvd'");
	disk_bad(",,xvda", "no target given (only a cdrom may be empty)");
	disk_bad("/img,vhd,xvda,w,format=raw", "format given twice");
	disk_bad("/img,,xvda,vdev=xvdb", "vdev given twice");
	disk_bad("/img,,xvda,w,access=r", "access given twice");
	disk_bad("/img,,xvda,target=/other", "target given twice");
	disk_bad("phy:/a,xvda,w,backendtype=nbd", "unknown backendtype 'nbd'");
	disk_bad("phy:/a,xvda,w,specification=virtio", "specification 'virtio' "
		 "is not supported by pvctl");
}

/* ---- vif specs ---- */

static void test_vif_specs(void **state)
{
	struct pv_vif_spec v;
	struct pv_err err;
	struct warns w;

	pv_err_init(&err);
	pv_vif_spec_init(&v);
	assert_int_equal(pv_vif_spec_parse("mac=00:16:3E:74:3d:76,model=rtl8139,"
					   "bridge=xenbr0", &v, &err), 0);
	assert_string_equal(v.mac, "00:16:3e:74:3d:76");
	assert_string_equal(v.model, "rtl8139");
	assert_string_equal(v.bridge, "xenbr0");
	assert_null(v.ip);

	assert_int_equal(pv_vif_spec_parse("", &v, &err), 0);
	assert_null(v.mac);
	assert_null(v.bridge);
	assert_int_equal(v.mtu, 0);

	assert_int_equal(pv_vif_spec_parse(" bridge = xenbr1 , ip=10.0.0.2 10.0.0.3,"
					   "rate=10Mb/s,mtu=9000,vifname=web0,"
					   "script=vif-route,type=vif,"
					   "backend=netdom", &v, &err), 0);
	assert_string_equal(v.bridge, "xenbr1");
	assert_string_equal(v.ip, "10.0.0.2 10.0.0.3");
	assert_string_equal(v.rate, "10Mb/s");
	assert_int_equal(v.mtu, 9000);
	assert_string_equal(v.vifname, "web0");
	assert_string_equal(v.script, "vif-route");
	assert_string_equal(v.type, "vif");
	assert_string_equal(v.backend, "netdom");
	assert_int_equal(pv_vif_spec_parse("rate=1MB/s@20ms", &v, &err), 0);
	assert_int_equal(pv_vif_spec_parse("rate=250KB/s", &v, &err), 0);

	warns_init(&w);
	assert_int_equal(pv_vif_spec_parse_ex("mac=02:00:00:00:00:01,accel=x,"
					      "frob", &v, collect, &w, "here",
					      &err), 0);
	assert_int_equal(w.n, 2);
	assert_true(has(w.all.s, "here|vif|'accel' is not supported by xl either"));
	assert_true(has(w.all.s, "here|vif|'frob' is not a key=value pair"));
	pv_buf_dispose(&w.all);
	pv_vif_spec_dispose(&v);
	pv_err_dispose(&err);
}

static void vif_bad(const char *spec, const char *want)
{
	struct pv_vif_spec v;
	struct pv_err err;

	pv_err_init(&err);
	pv_vif_spec_init(&v);
	assert_int_equal(pv_vif_spec_parse(spec, &v, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), want));
	assert_null(v.bridge);
	pv_vif_spec_dispose(&v);
	pv_err_dispose(&err);
}

/* xl's units (tools/xl/check-xl-vif-parse): netback's bytes per interval. */
static void test_vif_rate(void **state)
{
	static const struct {
		const char *rate;
		uint64_t bytes;
		uint32_t us;
	} cases[] = {
		{ "2000000B/s@50ms", 100000, 50000 },
		{ "2KB/s@50ms", 100, 50000 },
		{ "10Mb/s", 62500, 50000 },		/* bits, default 50 ms */
		{ "1MB/s@20ms", 20000, 20000 },
		{ "1GB/s@100us", 100000, 100 },
		{ "800b/s@1", 100, 1000000 },		/* seconds by default */
		{ "8Kb/s@2s", 2000, 2000000 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t bytes = 0;
		uint32_t us = 0;

		assert_int_equal(pv_vif_rate_parse(cases[i].rate, &bytes, &us), 0);
		assert_int_equal(bytes, cases[i].bytes);
		assert_int_equal(us, cases[i].us);
	}
}

static void test_vif_errors(void **state)
{
	vif_bad("bridge=b,mac=00:16:3e:12:34", "invalid mac '00:16:3e:12:34' "
		"(expected six hex octets");
	vif_bad("mac=00:16:3e:12:34:5g", "invalid mac");
	vif_bad("mac=00:16:3e:12:34:56:78", "invalid mac");
	vif_bad("mac=0:16:3e:12:34:56", "invalid mac");
	vif_bad("mac=00-16-3e-12-34-56", "invalid mac");
	vif_bad("mac=01:16:3e:12:34:56", "is a multicast address");
	vif_bad("bridge=b,rate=fast", "invalid rate 'fast'");
	vif_bad("rate=10Mb", "invalid rate");
	vif_bad("rate=10Mb/s@soon", "invalid rate");
	vif_bad("rate=10/s", "invalid rate");
	vif_bad("rate=0B/s", "invalid rate");
	vif_bad("rate=10ZB/s", "invalid rate");
	vif_bad("rate=10MB/s@0ms", "invalid rate");
	vif_bad("rate=100GB/s@1000s", "invalid rate");	/* credit overflows */
	vif_bad("mtu=10", "invalid mtu '10'");
	vif_bad("mtu=70000", "invalid mtu");
	vif_bad("mtu=15x0", "invalid mtu");
	vif_bad("type=virtio", "unknown type 'virtio' (expected vif or ioemu)");
}

/* ---- overrides ---- */

static void test_overrides(void **state)
{
	char *ov[] = {
		"memory=512", "name = \"web02\"",
		"disk=['phy:/dev/vg/web02,xvda,w',]", "vcpus=2 ; maxvcpus=4",
	};
	struct pv_domain_config c;
	struct warns w;
	struct pv_err err;

	warns_init(&w);
	pv_err_init(&err);
	assert_int_equal(parse(MINIMAL "memory = 256\nmemory = 384\n", ov, 4,
			       &c, &w, &err), 0);
	assert_int_equal(c.memory_mb, 512);
	assert_string_equal(c.name, "web02");
	assert_int_equal(c.ndisks, 1);
	assert_string_equal(c.disks[0].target, "/dev/vg/web02");
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.maxvcpus, 4);
	/* Only the duplicate inside the file warns, not the overrides. */
	assert_int_equal(w.n, 1);
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
	pv_err_dispose(&err);

	char *bad1[] = { "memory=512", "memory='abc'" };
	expect_error_ov(MINIMAL, bad1, 2, "<command line>:2:8: memory: 'abc' is "
			"not a number");
	char *bare[] = { "name=web2" };
	expect_error_ov(MINIMAL, bare, 1, "<command line>:1:6: name: bare word "
			"'web2' is not a value; quote strings, as in \"web2\"");
	char *bad2[] = { "memory" };
	expect_error_ov(MINIMAL, bad2, 1, "<command line>:1:7: memory: expected "
			"'=' after the key");
	char *bad3[] = { "vcpus=1", "type=\"hvm\"" };
	expect_error_ov(MINIMAL, bad3, 2, "<command line>:2:6: type: \"hvm\" guests "
			"are not supported");
	char *bad4[] = { "maxmem=100" };
	expect_error_ov(MINIMAL "memory=200\n", bad4, 1, "<command line>:1:8: "
			"maxmem: maxmem (100 MiB) is less than memory (200 MiB)");
	char *bad5[] = { "disk=['/img,,xvda,bad']" };
	expect_error_ov(MINIMAL, bad5, 1, "<command line>:1:7: disk: entry 1: "
			"invalid disk spec '/img,,xvda,bad': unknown access 'bad'");

	/* An override warns like a file line, at its own place. */
	char *hvm[] = { "memory=256", "vnc=1" };
	warns_init(&w);
	pv_err_init(&err);
	assert_int_equal(parse(MINIMAL, hvm, 2, &c, &w, &err), 0);
	assert_true(has(w.all.s, "<command line>:2:1|vnc|ignored: an HVM display"));
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);
	pv_err_dispose(&err);
}

/* ---- JSON ---- */

static char *to_json(const struct pv_domain_config *c)
{
	struct pv_jw w;
	const char *text;
	size_t len;
	char *out;

	pv_jw_init(&w, true);
	assert_int_equal(pv_domain_config_to_json(c, &w), 0);
	text = pv_jw_text(&w, &len);
	out = pv_strndup(text, len);
	pv_jw_dispose(&w);
	return out;
}

static int from_json(const char *text, struct pv_domain_config *c,
		     struct pv_err *err)
{
	char errbuf[256];
	yajl_val root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	int rc;

	assert_non_null(root);
	pv_domain_config_init(c);
	rc = pv_domain_config_from_json(root, c, err);
	yajl_tree_free(root);
	return rc;
}

static void round_trip(const char *path)
{
	struct pv_domain_config a, b;
	struct pv_err err;
	char *j1, *j2;

	pv_err_init(&err);
	pv_domain_config_init(&a);
	assert_int_equal(pv_xlcfg_parse_file(path, NULL, 0, &a, NULL, NULL, &err),
			 0);
	j1 = to_json(&a);
	assert_int_equal(from_json(j1, &b, &err), 0);
	j2 = to_json(&b);
	assert_string_equal(j1, j2);
	assert_string_equal(a.name, b.name);
	assert_int_equal(a.ndisks, b.ndisks);
	assert_int_equal(a.bootloader_argc, b.bootloader_argc);
	free(j1);
	free(j2);
	pv_domain_config_dispose(&a);
	pv_domain_config_dispose(&b);
	pv_err_dispose(&err);
}

/* Parsed, written back as xl.cfg text, parsed again: the same config. */
static void xlcfg_round_trip(const char *text)
{
	struct pv_domain_config a, b;
	struct pv_buf out = PV_BUF_INIT;
	struct pv_err err;
	char *j1, *j2;

	pv_err_init(&err);
	pv_domain_config_init(&a);
	pv_domain_config_init(&b);
	if (pv_xlcfg_parse_string(text, "a.cfg", NULL, 0, &a, NULL, NULL, &err))
		fail_msg("%s", pv_err_msg(&err));
	if (pv_domain_config_to_xlcfg(&a, &out, &err))
		fail_msg("%s", pv_err_msg(&err));
	if (pv_xlcfg_parse_string(out.s, "a.cfg", NULL, 0, &b, NULL, NULL, &err))
		fail_msg("%s\n%s", pv_err_msg(&err), out.s);
	j1 = to_json(&a);
	j2 = to_json(&b);
	if (strcmp(j1, j2)) {
		fprintf(stderr, "written back:\n%s\nbefore:\n%s\nafter:\n%s\n",
			out.s, j1, j2);
		fail_msg("the config changed on its way through xl.cfg text");
	}
	free(j1);
	free(j2);
	pv_buf_dispose(&out);
	pv_domain_config_dispose(&a);
	pv_domain_config_dispose(&b);
	pv_err_dispose(&err);
}

static void test_xlcfg_round_trip(void **state)
{
	struct pv_domain_config c;
	struct pv_buf out = PV_BUF_INIT;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_err err;

	(void)state;
	pv_err_init(&err);
	assert_int_equal(pv_buf_read_file(&text, data_path("debian-pv.cfg"), 0, &err), 0);
	xlcfg_round_trip(text.s);
	pv_buf_reset(&text);
	assert_int_equal(pv_buf_read_file(&text, data_path("xm-pygrub.cfg"), 0, &err), 0);
	xlcfg_round_trip(text.s);
	pv_buf_dispose(&text);
	xlcfg_round_trip(MINIMAL "vif = [ 'mtu=1400,rate=1MB/s', '', 'bridge=br1,mac=00:16:3e:00:00:01' ]\n"
			 "disk = [ '/i.iso,raw,hdc:cdrom,r', 'phy:/dev/vg/d,xvdb,w', "
			 "'format=raw,vdev=xvdc,target=/a,b c\\'d' ]\n"
			 "uuid = '6c3e5c3a-1f0e-4a8e-9d2b-0c8d5e6f7a81'\n"
			 "cmdline = 'root=/dev/xvda1 quiet \\\\ \\x01'\n"
			 "maxmem = 512\nmaxvcpus = 4\non_crash = 'preserve'\n"
			 "cpus = '0-1'\ncpus_soft = '1'\ncpu_weight = 512\n"
			 "cap = 150\nmax_grant_frames = 64\n"
			 "max_maptrack_frames = 0\nmax_event_channels = 2047\n"
			 "nomigrate = 1\n");
	/* A vif value with a comma cannot be written back: refused, not mangled. */
	pv_domain_config_init(&c);
	parse_ok(MINIMAL "vif = [ 'bridge=br0' ]\n", &c, NULL);
	pv_str_set(&c.vifs[0].bridge, "a,b");
	assert_int_equal(pv_domain_config_to_xlcfg(&c, &out, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "vif 0"));
	pv_buf_dispose(&out);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

/* xl's save file config: libxl's JSON, read as the xl.cfg it stands for. */
static void test_libxl_json(void **state)
{
	static const char json[] =
		"{ \"c_info\": { \"type\": \"pv\", \"name\": \"xg\", "
		"\"uuid\": \"6c3e5c3a-1f0e-4a8e-9d2b-0c8d5e6f7a81\" },"
		"  \"b_info\": { \"max_vcpus\": 2, \"avail_vcpus\": [ 0 ],"
		"    \"max_memkb\": 262144, \"target_memkb\": 131072,"
		"    \"kernel\": \"/k/vmlinuz\", \"cmdline\": \"console=hvc0 it's\","
		"    \"ramdisk\": \"/k/initrd\", \"type.pv\": { },"
		"    \"sched_params\": { \"weight\": 512, \"cap\": 80 },"
		"    \"max_grant_frames\": 64, \"max_maptrack_frames\": 4294967295,"
		"    \"event_channels\": 2047, \"disable_migrate\": \"True\" },"
		"  \"disks\": [ { \"pdev_path\": \"/tmp/a,b.img\", \"vdev\": \"xvda\","
		"    \"backend\": \"phy\", \"format\": \"raw\", \"readwrite\": 1 } ],"
		"  \"nics\": [ { \"devid\": 0, \"mac\": \"00:16:3e:01:02:03\","
		"    \"bridge\": \"br0\", \"nictype\": \"vif\" } ],"
		"  \"vfbs\": [ ], \"on_reboot\": \"restart\","
		"  \"on_soft_reset\": \"soft_reset\","
		"  \"on_crash\": \"coredump_destroy\" }";
	struct pv_domain_config c;
	struct pv_buf out = PV_BUF_INIT;
	struct pv_err err;
	char *j;

	(void)state;
	pv_err_init(&err);
	if (pv_libxl_json_to_xlcfg(json, &out, &err))
		fail_msg("%s", pv_err_msg(&err));
	pv_domain_config_init(&c);
	if (pv_xlcfg_parse_string(out.s, "x", NULL, 0, &c, NULL, NULL, &err))
		fail_msg("%s\n%s", pv_err_msg(&err), out.s);
	assert_string_equal(c.name, "xg");
	assert_string_equal(c.uuid, "6c3e5c3a-1f0e-4a8e-9d2b-0c8d5e6f7a81");
	assert_string_equal(c.cmdline, "console=hvc0 it's");
	assert_int_equal(c.memory_mb, 128);
	assert_int_equal(c.maxmem_mb, 256);
	assert_int_equal(c.vcpus, 1);
	assert_int_equal(c.maxvcpus, 2);
	assert_int_equal(c.ndisks, 1);
	assert_string_equal(c.disks[0].target, "/tmp/a,b.img");
	assert_int_equal(c.disks[0].readwrite, 1);
	assert_int_equal(c.nvifs, 1);
	assert_string_equal(c.vifs[0].mac, "00:16:3e:01:02:03");
	assert_string_equal(c.vifs[0].bridge, "br0");
	/* What libxl gives Xen at create, kept; its defaults left out. */
	assert_int_equal(c.cpu_weight, 512);
	assert_int_equal(c.cap, 80);
	assert_int_equal(c.max_grant_frames, 64);
	assert_int_equal(c.max_maptrack_frames, -1);
	assert_int_equal(c.max_event_channels, 2047);
	assert_true(c.nomigrate);
	j = to_json(&c);
	assert_true(has(j, "\"on_crash\": \"coredump-destroy\""));
	free(j);
	pv_domain_config_dispose(&c);

	/* Refused, naming why: another guest type, a device pvctl lacks, junk. */
	pv_buf_reset(&out);
	assert_int_equal(pv_libxl_json_to_xlcfg("{ \"c_info\": { \"type\": \"hvm\" } }",
						&out, &err), -ENOTSUP);
	assert_true(has(pv_err_msg(&err), "hvm"));
	pv_err_clear(&err);
	assert_int_equal(pv_libxl_json_to_xlcfg("{ \"pcidevs\": [ { } ] }", &out, &err),
			 -ENOTSUP);
	assert_true(has(pv_err_msg(&err), "pcidevs"));
	pv_err_clear(&err);
	assert_int_equal(pv_libxl_json_to_xlcfg("{ \"on_watchdog\": \"restart\" }",
						&out, &err), -ENOTSUP);
	assert_true(has(pv_err_msg(&err), "on_watchdog"));
	pv_err_clear(&err);
	assert_int_equal(pv_libxl_json_to_xlcfg("{ nope", &out, &err), -EINVAL);
	pv_buf_dispose(&out);
	pv_err_dispose(&err);
}

static void test_json_round_trip(void **state)
{
	struct pv_domain_config c;
	char *j;

	round_trip(data_path("debian-pv.cfg"));
	round_trip(data_path("xm-pygrub.cfg"));

	pv_domain_config_init(&c);
	parse_ok(MINIMAL "vif = [ 'mtu=1400,rate=1MB/s' ]\n"
		 "disk = [ '/i.iso,raw,hdc:cdrom,r' ]\n", &c, NULL);
	j = to_json(&c);
	assert_true(has(j, "\"name\": \"guest\""));
	assert_true(has(j, "\"uuid\": null"));
	assert_true(has(j, "\"memory\": 128"));
	assert_true(has(j, "\"maxvcpus\": 1"));
	assert_true(has(j, "\"on_reboot\": \"restart\""));
	assert_true(has(j, "\"bootloader_args\": null"));
	assert_true(has(j, "\"mtu\": 1400"));
	assert_true(has(j, "\"target\": \"/i.iso\""));
	assert_true(has(j, "\"devtype\": \"cdrom\""));
	assert_true(has(j, "\"access\": \"ro\""));
	assert_true(has(j, "\"format\": \"raw\""));
	/* Unset: the scheduler's and Xen's defaults, libxl's event channels. */
	assert_true(has(j, "\"cpu_weight\": null"));
	assert_true(has(j, "\"cap\": 0"));
	assert_true(has(j, "\"max_grant_frames\": null"));
	assert_true(has(j, "\"max_maptrack_frames\": null"));
	assert_true(has(j, "\"max_event_channels\": 1023"));
	assert_true(has(j, "\"nomigrate\": false"));
	assert_true(has(j, "\"source\": \"test.cfg\""));
	free(j);
	pv_domain_config_dispose(&c);
}

static void test_json_errors(void **state)
{
	static const struct { const char *json, *want; } bad[] = {
		{ "[]", "JSON: expected an object" },
		{ "{\"kernel\": \"/k\"}", "JSON: name: missing" },
		{ "{\"name\": 3, \"kernel\": \"/k\"}", "JSON: name: expected a string" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"memory\": 0}",
		  "JSON: memory: expected an integer in range" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"memory\": 64, "
		  "\"maxmem\": 32}", "JSON: maxmem: maxmem (32 MiB) is less" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"type\": \"hvm\"}",
		  "JSON: type: pvctl runs PV guests only" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"on_crash\": \"x\"}",
		  "JSON: on_crash: unknown action" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"disk\": [{}]}",
		  "JSON: disk[0]: vdev: missing" },
		{ "{\"name\": \"a\", \"kernel\": \"/k\", \"vif\": "
		  "[{\"mac\": \"zz\"}]}", "JSON: vif[0]: mac: invalid" },
		{ "{\"name\": \"1\", \"kernel\": \"/k\"}", "JSON: name: domain name "
		  "'1' is all digits" },
	};
	struct pv_domain_config c;
	struct pv_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pv_err_init(&err);
		assert_int_equal(from_json(bad[i].json, &c, &err), -EINVAL);
		assert_true(has(pv_err_msg(&err), bad[i].want));
		assert_null(c.name);
		pv_domain_config_dispose(&c);
		pv_err_dispose(&err);
	}
}

/* ---- issue 12: hostile configs ---- */

/* A saved config of the wrong shape is an error naming the key, never a crash. */
static void test_json_type_confusion(void **state)
{
#define J(rest) "{\"name\": \"a\", \"kernel\": \"/k\", " rest "}"
	static const struct { const char *json, *want; } bad[] = {
		{ J("\"disk\": [7]"), "JSON: disk[0]: disk: expected an object" },
		{ J("\"disk\": [null]"), "JSON: disk[0]: disk: expected an object" },
		{ J("\"disk\": [[\"xvda\"]]"), "JSON: disk[0]: disk: expected an object" },
		{ J("\"vif\": [\"bridge=xenbr0\"]"), "JSON: vif[0]: vif: expected an object" },
		{ J("\"vif\": [true]"), "JSON: vif[0]: vif: expected an object" },
		{ J("\"disk\": {}"), "JSON: disk: expected an array" },
		{ J("\"vif\": \"x\""), "JSON: vif: expected an array" },
		{ J("\"disk\": [{\"vdev\": 7, \"target\": \"/i\"}]"),
		  "JSON: disk[0]: vdev: expected a string" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": {}}]"),
		  "JSON: disk[0]: target: expected a string" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": \"/i\", "
		    "\"phy_prefix\": 1}]"), "JSON: disk[0]: phy_prefix: expected "
		  "true or false" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": \"/i\", "
		    "\"access\": \"x\"}]"), "JSON: disk[0]: access: unexpected value" },
		{ J("\"vif\": [{\"mtu\": \"1500\"}]"), "JSON: vif[0]: mtu: expected "
		  "an integer" },
		{ J("\"memory\": \"64\""), "JSON: memory: expected an integer" },
		{ J("\"memory\": 1.5"), "JSON: memory: expected an integer" },
		{ J("\"memory\": -1"), "JSON: memory: expected an integer" },
		{ J("\"memory\": [64]"), "JSON: memory: expected an integer" },
		{ J("\"vcpus\": 99999999999999999999"), "JSON: vcpus: expected an "
		  "integer" },
		{ J("\"uuid\": 7"), "JSON: uuid: expected a string" },
		{ J("\"cmdline\": [\"a\"]"), "JSON: cmdline: expected a string" },
		{ J("\"cpus\": {}"), "JSON: cpus: expected a string" },
		{ J("\"on_reboot\": 1"), "JSON: on_reboot: expected a string" },
		{ J("\"bootloader_args\": [1]"), "JSON: bootloader_args: expected an "
		  "array of strings" },
		{ J("\"bootloader_args\": {}"), "JSON: bootloader_args: expected an "
		  "array of strings" },
		{ J("\"type\": 1"), "JSON: type: expected a string" },
		{ J("\"source\": 1"), "JSON: source: expected a string" },
		{ "{\"name\": null, \"kernel\": \"/k\"}", "JSON: name: missing" },
		/* What the xl.cfg reader refuses, the JSON reader refuses too. */
		{ J("\"disk\": [{\"vdev\": \"xvda\"}]"), "JSON: disk: entry 1: no "
		  "target given (only a cdrom may be empty)" },
		{ J("\"disk\": [{\"vdev\": \"xvdc\", \"devtype\": \"cdrom\", "
		    "\"access\": \"rw\"}]"), "JSON: disk: entry 1: a cdrom is "
		  "read-only (access ro)" },
		{ J("\"disk\": [{\"vdev\": \"xvdc\", \"devtype\": \"cdrom\", "
		    "\"access\": \"ro\", \"format\": \"raw\"}]"), "JSON: disk: "
		  "entry 1: a cdrom without a target has format 'empty', not 'raw'" },
		{ J("\"disk\": [{\"vdev\": \"hde\", \"target\": \"/i\"}]"),
		  "JSON: disk: entry 1: invalid vdev 'hde'" },
		{ J("\"disk\": [{\"vdev\": \"\", \"target\": \"/i\"}]"),
		  "JSON: disk: entry 1: invalid vdev ''" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": \"/i\", "
		    "\"format\": \"floppy\"}]"), "JSON: disk: entry 1: unknown "
		  "format 'floppy'" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": \"/i\", "
		    "\"backendtype\": \"nbd\"}]"), "JSON: disk: entry 1: unknown "
		  "backendtype 'nbd'" },
		{ J("\"disk\": [{\"vdev\": \"xvda\", \"target\": \"/a\"}, "
		    "{\"vdev\": \"51712\", \"target\": \"/b\"}]"),
		  "JSON: disk: entry 2: vdev '51712' is the device of entry 1 "
		  "('xvda')" },
		{ J("\"vif\": [{\"mac\": \"01:16:3e:00:00:01\"}]"),
		  "JSON: vif: entry 1: mac '01:16:3e:00:00:01' is a multicast" },
		{ J("\"vif\": [{\"type\": \"tap\"}]"), "JSON: vif: entry 1: unknown "
		  "type 'tap'" },
		{ J("\"vif\": [{\"rate\": \"fast\"}]"), "JSON: vif: entry 1: invalid "
		  "rate 'fast'" },
		{ J("\"vif\": [{\"mtu\": 10}]"), "JSON: vif: entry 1: invalid mtu "
		  "'10'" },
		{ J("\"vif\": [{\"mac\": \"00:16:3e:00:00:01\"}, "
		    "{\"mac\": \"00:16:3e:00:00:01\"}]"), "JSON: vif: entry 2: mac "
		  "00:16:3e:00:00:01 is already used by entry 1" },
		{ J("\"cpus\": \"0-x\""), "JSON: cpus: invalid cpus '0-x'" },
	};
#undef J
	struct pv_domain_config c;
	struct pv_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pv_err_init(&err);
		if (from_json(bad[i].json, &c, &err) != -EINVAL)
			fail_msg("accepted: %s", bad[i].json);
		assert_true(has(pv_err_msg(&err), bad[i].want));
		assert_null(c.name);
		pv_domain_config_dispose(&c);
		pv_err_dispose(&err);
	}
}

/* Every string a config holds must be UTF-8: JSON can carry nothing else. */
static void test_utf8_refused(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ MINIMAL "cmdline = 'caf\\xe9'\n", "test.cfg:3:11: cmdline: not "
		  "valid UTF-8 (byte 4)" },
		{ MINIMAL "extra = 'a\xff'\n", "test.cfg:3:9: extra: not valid UTF-8" },
		{ MINIMAL "root = '/dev/\xc3'\n", "test.cfg:3:8: root: not valid "
		  "UTF-8" },
		{ "name = 'g'\nkernel = '/boot/\xe9'\n", "test.cfg:2:10: kernel: not "
		  "valid UTF-8" },
		{ MINIMAL "ramdisk = '\xc0\xaf'\n", "test.cfg:3:11: ramdisk: not valid "
		  "UTF-8" },	/* overlong '/' */
		{ MINIMAL "bootloader = '\xed\xa0\x80'\n", "test.cfg:3:14: "
		  "bootloader: not valid UTF-8" },	/* a surrogate */
		{ MINIMAL "bootloader_args = [ 'ok', '\xf4\x90\x80\x80' ]\n",
		  "test.cfg:3:27: bootloader_args: entry 2: not valid UTF-8" },	/* > U+10FFFF */
		{ MINIMAL "bootloader_args = '-q \xe2\x82'\n", "test.cfg:3:19: "
		  "bootloader_args: not valid UTF-8" },
		{ MINIMAL "disk = [ '/ok,,xvda', '/img/\xe9,,xvdb' ]\n",
		  "test.cfg:3:23: disk: entry 2: target: not valid UTF-8" },
		{ MINIMAL "disk = [ '/i,,xvda,script=\xff' ]\n", "test.cfg:3:10: "
		  "disk: entry 1: script: not valid UTF-8" },
		{ MINIMAL "vif = [ 'bridge=br\xe9' ]\n", "test.cfg:3:9: vif: entry 1: "
		  "bridge: not valid UTF-8" },
		{ MINIMAL "vif = [ 'ip=1.2.3.4,vifname=v\xe9' ]\n", "test.cfg:3:9: "
		  "vif: entry 1: vifname: not valid UTF-8" },
	};
	struct pv_domain_config c;
	char *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].text, bad[i].want);

	/* Through an override too (create -n and create take the same path). */
	char *ov[] = { "cmdline='x\\xe9'" };
	expect_error_ov(MINIMAL, ov, 1, "<command line>:1:9: cmdline: not valid "
			"UTF-8");

	/* Real UTF-8, of every length, is fine and reaches JSON as it is. */
	parse_ok(MINIMAL "cmdline = 'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7'\n",
		 &c, NULL);
	j = to_json(&c);
	assert_true(has(j, "\"cmdline\": \"caf\xc3\xa9 \xe2\x82\xac "
			"\xf0\x9f\x90\xa7\""));
	free(j);
	pv_domain_config_dispose(&c);
}

/* A config made by other means: the writer refuses what would not read back. */
static void test_utf8_to_json(void **state)
{
	struct pv_domain_config c;
	struct pv_jw w;

	(void)state;
	parse_ok(MINIMAL, &c, NULL);
	pv_str_set(&c.cmdline, "caf\xe9");
	pv_jw_init(&w, false);
	assert_int_equal(pv_domain_config_to_json(&c, &w), -EINVAL);
	pv_jw_dispose(&w);
	pv_domain_config_dispose(&c);
}

/* A config whose file name is not UTF-8 could not be saved as JSON. */
static void test_utf8_source(void **state)
{
	struct pv_domain_config c;
	struct pv_err err;

	(void)state;
	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_string(MINIMAL, "/etc/xen/g\xe9.cfg",
					       NULL, 0, &c, NULL, NULL, &err),
			 -EINVAL);
	assert_true(has(pv_err_msg(&err), "is not valid UTF-8"));
	assert_null(c.name);
	pv_err_dispose(&err);
}

/* Nesting is bounded: a deep file is an error at its line, not a crash. */
static void test_nesting_bounded(void **state)
{
	size_t depth = 1000000, i;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_domain_config c;
	struct pv_err err;

	(void)state;
	pv_buf_puts(&text, MINIMAL "disk = ");
	for (i = 0; i < depth; i++)
		pv_buf_add(&text, "[", 1);
	for (i = 0; i < depth; i++)
		pv_buf_add(&text, "]", 1);
	pv_buf_add(&text, "\n", 1);
	pv_err_init(&err);
	assert_int_equal(parse(text.s, NULL, 0, &c, NULL, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "test.cfg:3:"));
	assert_true(has(pv_err_msg(&err), "disk: lists nested more than 16 deep"));
	pv_err_dispose(&err);
	pv_buf_dispose(&text);

	/* 16 levels still parse (and are then refused for what they are). */
	expect_error(MINIMAL "bootloader_args = [[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]]\n",
		     "test.cfg:3:20: bootloader_args: entry 1: expected a string");
	expect_error(MINIMAL "bootloader_args = [[[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]]]\n",
		     "test.cfg:3:35: bootloader_args: lists nested more than 16 deep");
}

/* `+=` of empty lists (a memcpy from NULL before: UB under the sanitizers). */
static void test_append_empty(void **state)
{
	struct pv_domain_config c;

	(void)state;
	parse_ok(MINIMAL "disk = []\ndisk += []\nvif = []\nvif += [ '' ]\n"
		 "extra = ''\nextra += ''\n", &c, NULL);
	assert_int_equal(c.ndisks, 0);
	assert_int_equal(c.nvifs, 1);
	assert_string_equal(c.cmdline, "");
	pv_domain_config_dispose(&c);
}

static double cpu_seconds(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/*
 * 100k keys, 100k `+=`, 100k disks and vifs: the results are right, and
 * (loosely: a quadratic reader took minutes) fast.
 */
static void test_many_keys(void **state)
{
	const int n = 100000;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_domain_config c;
	struct warns w;
	double t0 = cpu_seconds();
	int i;

	(void)state;
	pv_buf_puts(&text, MINIMAL);
	for (i = 0; i < n; i++)
		pv_buf_printf(&text, "k%d = %d\n", i, i);
	pv_buf_puts(&text, "k7 = 'again'\n");
	for (i = 0; i < n; i++)
		pv_buf_printf(&text, "extra += '%c'\n", 'a' + i % 26);
	for (i = 0; i < n; i++)
		pv_buf_printf(&text, "disk += [ '/i,,%d' ]\n", 200001 + i);
	pv_buf_puts(&text, "vif = [\n");
	for (i = 0; i < n; i++)
		pv_buf_printf(&text, "'mac=00:16:3e:%02x:%02x:%02x',\n",
			      (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
	pv_buf_puts(&text, "]\n");
	warns_init(&w);
	parse_ok(text.s, &c, &w);
	assert_int_equal(w.n, n + 1);	/* each unknown key, k7 set again */
	assert_true(has(w.all.s, "test.cfg:100003:1|k7|set again"));
	assert_int_equal(strlen(c.cmdline), n);
	assert_memory_equal(c.cmdline, "abcdefghijklmnopqrstuvwxyza", 27);
	assert_int_equal(c.ndisks, n);
	assert_string_equal(c.disks[n - 1].vdev, "300000");
	assert_int_equal(c.nvifs, n);
	assert_string_equal(c.vifs[n - 1].mac, "00:16:3e:01:86:9f");
	pv_domain_config_dispose(&c);
	pv_buf_dispose(&w.all);

	/* A duplicate among many is still found, and named. */
	pv_buf_puts(&text, "disk += [ '/j,,xvda', '/k,,51712' ]\n");
	expect_error(text.s, "disk: entry 100002: vdev '51712' is the device of "
		     "entry 100001 ('xvda')");
	pv_buf_dispose(&text);
	if (cpu_seconds() - t0 > 10)
		fail_msg("took %.1f s of CPU: a quadratic lookup?",
			 cpu_seconds() - t0);
}

/* create -n and create agree on vdevs: config/ decides, lib/ obeys. */
static void test_vdevs(void **state)
{
	static const struct { const char *vdev; uint32_t devid; } good[] = {
		{ "xvda", 202 << 8 }, { "d0p1", 1u << 28 | 1 },
		{ "d5", 1u << 28 | 5 << 8 }, { "d1048575p255", 1u << 28 | 0xfffff << 8 | 255 },
		{ "xvdaaaaa", 1u << 28 | 475254 << 8 }, { "hdd63", 22 << 8 | 64 | 63 },
		{ "268435455", 268435455 },
	};
	static const char *const bad[] = {
		"hde", "268435456", "xvdaaaaaa", "d1048576", "d0p256", "d0p",
		"dp1", "xvda0p1", "hda64", "",
	};
	struct pv_domain_config c;
	char text[256], want[128];
	uint32_t devid;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		devid = 0;
		assert_int_equal(pv_vdev_to_devid(good[i].vdev, &devid), 0);
		assert_int_equal(devid, good[i].devid);
		snprintf(text, sizeof(text), MINIMAL "disk = [ '/i,,%s' ]\n",
			 good[i].vdev);
		parse_ok(text, &c, NULL);
		pv_domain_config_dispose(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pv_vdev_to_devid(bad[i], &devid), -EINVAL);
		if (!*bad[i])
			continue;
		snprintf(text, sizeof(text), MINIMAL "disk = [ '/i,,%s' ]\n",
			 bad[i]);
		snprintf(want, sizeof(want), "invalid vdev '%s'", bad[i]);
		expect_error(text, want);
	}
}

/* cpus= is what create pins to: the same grammar as vcpu-pin. */
static void test_cpus_grammar(void **state)
{
	static const char *const good[] = {
		"all", "0", "0-3,^1", "all,^0", "255", "0,2-5,^3-4",
	};
	static const char *const bad[] = {
		"nodes:0-1", "node:0", "", "0,", ",0", "0,,1", "256", "3-1", "^",
		"0-", "x", " 1", "1 ",
	};
	struct pv_domain_config c;
	char text[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "cpus = '%s'\n", good[i]);
		parse_ok(text, &c, NULL);
		assert_string_equal(c.cpus, good[i]);
		pv_domain_config_dispose(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "cpus = '%s'\n", bad[i]);
		expect_error(text, "test.cfg:3:8: cpus: ");
	}
	expect_error(MINIMAL "cpus = 'node:0'\n", "test.cfg:3:8: cpus: NUMA "
		     "node lists are not supported by pvctl");
}

/* Config files: regular files of at most 1 MiB, never a FIFO's wait. */
static void test_config_file_kinds(void **state)
{
	char dir[] = "/tmp/pvctl-xlcfg-XXXXXX";
	struct pv_domain_config c;
	struct pv_err err;
	char *fifo, *big;
	FILE *f;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fifo = pv_asprintf("%s/fifo", dir);
	big = pv_asprintf("%s/big.cfg", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	f = fopen(big, "w");
	assert_non_null(f);
	fputs(MINIMAL, f);
	for (i = 0; i < 1024 * 1024 / 8; i++)
		fputs("# 45678\n", f);
	fclose(f);

	alarm(20);	/* a FIFO that blocks fails the test, not hangs it */
	pv_err_init(&err);
	pv_domain_config_init(&c);
	assert_int_equal(pv_xlcfg_parse_file(fifo, NULL, 0, &c, NULL, NULL, &err),
			 -EINVAL);
	assert_true(has(pv_err_msg(&err), fifo));
	assert_true(has(pv_err_msg(&err), "not a regular file (a FIFO)"));
	pv_err_clear(&err);
	assert_int_equal(pv_xlcfg_parse_file(dir, NULL, 0, &c, NULL, NULL, &err),
			 -EINVAL);
	assert_true(has(pv_err_msg(&err), "not a regular file (a directory)"));
	pv_err_clear(&err);
	assert_int_equal(pv_xlcfg_parse_file("/dev/zero", NULL, 0, &c, NULL, NULL,
					     &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "/dev/zero: not a regular file (a "
			"character device)"));
	pv_err_clear(&err);
	assert_int_equal(pv_xlcfg_parse_file(big, NULL, 0, &c, NULL, NULL, &err),
			 -EFBIG);
	assert_true(has(pv_err_msg(&err), "big.cfg: larger than 1 MiB"));
	alarm(0);
	assert_null(c.name);
	pv_err_dispose(&err);
	unlink(fifo);
	unlink(big);
	rmdir(dir);
	free(fifo);
	free(big);
}

/*
 * man/pvctl-xl.cfg.5 lists every key of pv_xlcfg_keys(), in order, with
 * what pvctl does with it and, for refused and ignored keys, the very
 * reason pvctl gives: the page cannot drift from the table.
 */
static void test_man_page_lists_every_key(void **state)
{
	const char *slash = strrchr(__FILE__, '/');
	char *path = pv_asprintf("%.*s/../../man/pvctl-xl.cfg.5",
				 (int)(slash - __FILE__), __FILE__);
	struct pv_buf text = PV_BUF_INIT;
	struct pv_xlcfg_key *keys;
	struct pv_err err;
	size_t n = pv_xlcfg_keys(&keys), i = 0, j;
	char *line, *save, *key = NULL, *want;
	bool in_keys = false, after_tp = false;

	pv_err_init(&err);
	if (pv_buf_read_file(&text, path, 0, &err))
		fail_msg("%s", pv_err_msg(&err));
	for (line = strtok_r(text.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, ".SH ", 4)) {
			in_keys = !strcmp(line, ".SH KEYS");
			continue;
		}
		if (!in_keys || !strncmp(line, ".\\\"", 3))
			continue;
		if (!strcmp(line, ".TP")) {
			after_tp = true;
			continue;
		}
		if (after_tp) {
			if (strncmp(line, ".B ", 3))
				fail_msg("'.B KEY' expected after .TP: '%s'", line);
			key = line + 3;
			after_tp = false;
			continue;
		}
		if (!key)
			fail_msg("text outside a key's entry: '%s'", line);
		if (i == n)
			fail_msg("the page lists '%s', which pvctl's table lacks", key);
		if (strcmp(key, keys[i].name))
			fail_msg("the page lists '%s' where the table has '%s'", key,
				 keys[i].name);
		if (keys[i].use == PV_KEY_HONOURED) {
			if (strncmp(line, "Honoured: ", 10))
				fail_msg("%s: the page says '%s', pvctl honours it",
					 key, line);
		} else {
			want = pv_asprintf("%s: %s", keys[i].use == PV_KEY_REFUSED ?
					   "Refused" : "Ignored", keys[i].why);
			if (strcmp(line, want))
				fail_msg("%s: the page says '%s', pvctl '%s'", key,
					 line, want);
			free(want);
		}
		key = NULL;
		i++;
	}
	if (i < n)
		fail_msg("the page lacks '%s' (and %zu more)", keys[i].name, n - i - 1);
	/* The table is sorted and lists no key twice. */
	for (j = 1; j < n; j++)
		assert_true(strcmp(keys[j - 1].name, keys[j].name) < 0);
	free(keys);
	free(path);
	pv_buf_dispose(&text);
	pv_err_dispose(&err);
}

/*
 * Every key of the table does what the table says when a config has
 * it: a refused key fails the parse with its reason, an ignored one
 * warns with it (so the table's lookup finds each of them).
 */
static void test_every_key_as_the_table_says(void **state)
{
	struct pv_xlcfg_key *keys;
	size_t n = pv_xlcfg_keys(&keys), i;
	struct pv_domain_config c;
	struct pv_err err;
	struct warns w;
	char *text, *want;

	for (i = 0; i < n; i++) {
		if (keys[i].use == PV_KEY_HONOURED)
			continue;
		text = pv_asprintf(MINIMAL "%s = 1\n", keys[i].name);
		want = pv_asprintf("%s: %s", keys[i].name, keys[i].why);
		warns_init(&w);
		pv_err_init(&err);
		if (keys[i].use == PV_KEY_REFUSED) {
			assert_int_equal(parse(text, NULL, 0, &c, &w, &err), -EINVAL);
			if (!has(pv_err_msg(&err), want))
				fail_msg("%s: '%s'", keys[i].name, pv_err_msg(&err));
		} else {
			free(want);
			want = pv_asprintf("|%s|ignored: %s", keys[i].name,
					   keys[i].why);
			assert_int_equal(parse(text, NULL, 0, &c, &w, &err), 0);
			if (w.n != 1 || !has(w.all.s, want))
				fail_msg("%s: warnings '%s'", keys[i].name, w.all.s);
		}
		pv_domain_config_dispose(&c);
		pv_buf_dispose(&w.all);
		pv_err_dispose(&err);
		free(want);
		free(text);
	}
	free(keys);
}

/* firmware = "pvgrub64": PVGRUB as the kernel, or a refusal saying how. */
static void test_firmware(void **state)
{
	static const char *const images[] = {
		"/usr/lib/xen/boot/pvgrub64.bin",
		"/usr/lib/grub-xen/grub-x86_64-xen.bin",
	};
	struct pv_domain_config c;
	struct pv_err err;
	const char *found = NULL;
	int rc;

	expect_error("name = 'g'\nfirmware = 'bios'\n", "test.cfg:2:12: firmware: "
		     "'bios' is not PV firmware");
	expect_error("name = 'g'\nkernel = '/k'\nfirmware = 'pvgrub64'\n",
		     "test.cfg:3:12: firmware: both kernel and firmware given");
	found = !access(images[0], R_OK) ? images[0] :
		!access(images[1], R_OK) ? images[1] : NULL;
	pv_err_init(&err);
	rc = parse("name = 'g'\nfirmware = 'pvgrub64'\n", NULL, 0, &c, NULL, &err);
	if (found) {
		assert_int_equal(rc, 0);
		assert_string_equal(c.kernel, found);
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_true(has(pv_err_msg(&err), "test.cfg:2:12: firmware: no PVGRUB "
				"image for pvgrub64 (looked for /usr/lib/xen/boot/"
				"pvgrub64.bin and /usr/lib/grub-xen/grub-x86_64-xen.bin): "
				"install Debian's grub-xen-host, or give the image as "
				"kernel = \"PATH\""));
	}
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_file),
		cmocka_unit_test(test_xm_pygrub_file),
		cmocka_unit_test(test_hvm_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_quotes_and_escapes),
		cmocka_unit_test(test_numbers_as_strings),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_duplicates_and_append),
		cmocka_unit_test(test_cmdline_combination),
		cmocka_unit_test(test_type_and_builder),
		cmocka_unit_test(test_hvm_and_unknown_keys_warn),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_cpus_and_actions_ok),
		cmocka_unit_test(test_required_keys),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_device_list_errors),
		cmocka_unit_test(test_device_warnings),
		cmocka_unit_test(test_device_refusals),
		cmocka_unit_test(test_device_backend_dom0),
		cmocka_unit_test(test_refused_keys),
		cmocka_unit_test(test_man_page_lists_every_key),
		cmocka_unit_test(test_every_key_as_the_table_says),
		cmocka_unit_test(test_firmware),
		cmocka_unit_test(test_disk_positional),
		cmocka_unit_test(test_disk_prefixes),
		cmocka_unit_test(test_disk_errors),
		cmocka_unit_test(test_vif_specs),
		cmocka_unit_test(test_vif_rate),
		cmocka_unit_test(test_vif_errors),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_xlcfg_round_trip),
		cmocka_unit_test(test_libxl_json),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_type_confusion),
		cmocka_unit_test(test_utf8_refused),
		cmocka_unit_test(test_utf8_to_json),
		cmocka_unit_test(test_utf8_source),
		cmocka_unit_test(test_nesting_bounded),
		cmocka_unit_test(test_append_empty),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_vdevs),
		cmocka_unit_test(test_cpus_grammar),
		cmocka_unit_test(test_config_file_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
