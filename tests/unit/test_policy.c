/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_policy.c: unit tests for config/policy (autoscale policy files
 * and directories, pvctl-policy(5)).
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/policy.h"
#include "util/jsonw.h"

#define MiB 1024ULL
#define GiB (1024ULL * 1024)

/* ---- helpers ---- */

static int has(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle)) {
		print_error("expected \"%s\" in:\n%s\n", needle,
			    hay ? hay : "(null)");
		return 0;
	}
	return 1;
}

/* A fresh temporary directory for the test's files (removed at teardown). */
static int tmp_setup(void **state)
{
	char tmpl[] = "/tmp/pvctl-policy-XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	*state = pv_strdup(tmpl);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st; (void)type; (void)ftw;
	return remove(path);
}

static int tmp_teardown(void **state)
{
	nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* Writes @text to DIR/NAME; returns the path (caller frees). */
static char *put_file(const char *dir, const char *name, const char *text)
{
	char *path = pv_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void put(const char *dir, const char *name, const char *text)
{
	free(put_file(dir, name, text));
}

/* Loads @text as file @source into a fresh set; asserts it succeeds. */
static void load_ok(const char *text, const char *source,
		    struct pv_policy_set *s)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	pv_policy_set_init(s);
	rc = pv_policy_load_string(text, source, s, &err);
	if (rc)
		print_error("unexpected error: %s\n", pv_err_msg(&err));
	assert_int_equal(rc, 0);
	pv_err_dispose(&err);
}

/*
 * Asserts that loading @text as @source fails with -EINVAL and exactly
 * the message @want, and leaves the set as it was (empty).
 */
static void expect_msg(const char *text, const char *source, const char *want)
{
	struct pv_policy_set s;
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	pv_policy_set_init(&s);
	rc = pv_policy_load_string(text, source, &s, &err);
	if (rc != -EINVAL || strcmp(pv_err_msg(&err), want))
		print_error("text:\n%s\nwant: %s\ngot (%d): %s\n", text, want,
			    rc, pv_err_msg(&err));
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(pv_err_msg(&err), want);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.host.interval_s, 5);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

/* A domain policy: "match" then @body, as web.policy. */
static void expect_dom(const char *body, const char *want)
{
	char *text = pv_asprintf("match = \"web-*\"\n%s", body);

	expect_msg(text, "web.policy", want);
	free(text);
}

static const char *examples_dir(void)
{
	static char path[4096];
	const char *slash = strrchr(__FILE__, '/');

	/* __FILE__ is tests/unit/test_policy.c, relative to the top. */
	snprintf(path, sizeof(path), "%.*s/../../config/examples/policy.d",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	return path;
}

/* ---- good files and defaults ---- */

static void test_defaults(void **state)
{
	struct pv_policy_set s;
	struct pv_policy p;

	pv_policy_set_init(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.policies);
	assert_int_equal(s.host.reserve_kb, 256 * MiB);
	assert_int_equal(s.host.interval_s, 5);
	assert_int_equal(s.host.uncooperative_s, 30);
	assert_string_equal(s.host.audit_log, "/var/log/pvctl/autoscale.log");
	assert_null(s.host.webhook);
	assert_int_equal(s.host.webhook_timeout_s, 5);
	assert_int_equal(s.host.webhook_retries, 3);
	pv_policy_set_dispose(&s);

	/* A policy with only match takes every default. */
	load_ok("match = 'web-*'\n", "/etc/x/web.policy", &s);
	assert_int_equal(s.n, 1);
	p = s.policies[0];
	assert_string_equal(p.file, "/etc/x/web.policy");
	assert_int_equal(p.nmatch, 1);
	assert_string_equal(p.match[0], "web-*");
	assert_int_equal(p.priority, 50);
	assert_int_equal(p.weight, 100);
	assert_int_equal(p.mem_min_kb, 128 * MiB);
	assert_int_equal(p.mem_max_kb, 0);
	assert_int_equal(p.headroom_pct, 20);
	assert_int_equal(p.margin_kb, 32 * MiB);
	assert_int_equal(p.low_water_kb, 16 * MiB);
	assert_int_equal(p.settle_s, 60);
	assert_int_equal(p.shrink_pct, 10);
	assert_int_equal(p.pressure_high, 1000);
	assert_int_equal(p.pressure_low, 100);
	assert_int_equal(p.step_max_kb, 64 * MiB);
	assert_int_equal(p.step_min_kb, 8 * MiB);
	assert_int_equal(p.cooldown_up_s, 10);
	assert_int_equal(p.cooldown_down_s, 30);
	assert_int_equal(p.vcpu_min, 1);
	assert_int_equal(p.vcpu_max, 0);
	assert_int_equal(p.vcpu_up_util, 80);
	assert_int_equal(p.vcpu_down_util, 25);
	assert_int_equal(p.vcpu_hold_s, 20);
	assert_int_equal(p.runaway_s, 60);
	pv_policy_set_dispose(&s);
}

static void test_every_domain_key(void **state)
{
	struct pv_policy_set s;
	const struct pv_policy *p;

	load_ok("# every key\n"
		"match = [\"web-*\", 'api-?']\n"
		"priority = 100; weight = 1000\n"
		"memory_min = 512\n"
		"memory_max = '4g'\n"
		"headroom = 90\n"
		"margin = 1g\n"
		"low_water = 0\n"
		"settle = 600\n"
		"shrink_pct = 100\n"
		"pressure_high = 100\n"
		"pressure_low = 0\n"
		"step_max = 256m\n"
		"step_min = 0\n"
		"cooldown_up = 0\n"
		"cooldown_down = 86400\n"
		"vcpu_min = 2\n"
		"vcpu_max = 128\n"
		"vcpu_up_util = 100\n"
		"vcpu_down_util = 0\n"
		"vcpu_hold = 45\n"
		"runaway_after = 1\n", "10-web.policy", &s);
	p = &s.policies[0];
	assert_int_equal(p->nmatch, 2);
	assert_string_equal(p->match[0], "web-*");
	assert_string_equal(p->match[1], "api-?");
	assert_int_equal(p->priority, 100);
	assert_int_equal(p->weight, 1000);
	assert_int_equal(p->mem_min_kb, 512 * MiB);
	assert_int_equal(p->mem_max_kb, 4 * GiB);
	assert_int_equal(p->headroom_pct, 90);
	assert_int_equal(p->margin_kb, 1 * GiB);
	assert_int_equal(p->low_water_kb, 0);
	assert_int_equal(p->settle_s, 600);
	assert_int_equal(p->shrink_pct, 100);
	assert_int_equal(p->pressure_high, 10000);
	assert_int_equal(p->pressure_low, 0);
	assert_int_equal(p->step_max_kb, 256 * MiB);
	assert_int_equal(p->step_min_kb, 0);
	assert_int_equal(p->cooldown_up_s, 0);
	assert_int_equal(p->cooldown_down_s, 86400);
	assert_int_equal(p->vcpu_min, 2);
	assert_int_equal(p->vcpu_max, 128);
	assert_int_equal(p->vcpu_up_util, 100);
	assert_int_equal(p->vcpu_down_util, 0);
	assert_int_equal(p->vcpu_hold_s, 45);
	assert_int_equal(p->runaway_s, 1);
	pv_policy_set_dispose(&s);
}

static void test_every_host_key(void **state)
{
	struct pv_policy_set s;

	load_ok("host_reserve = 1g\n"
		"interval = 2\n"
		"uncooperative_after = 90\n"
		"audit_log = \"/srv/log/as.log\"\n"
		"webhook = \"https://hooks.example.org/x?a=1\"\n"
		"webhook_timeout = 300\n"
		"webhook_retries = 0\n", "/etc/pvctl/policy.d/host.policy", &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.host.reserve_kb, GiB);
	assert_int_equal(s.host.interval_s, 2);
	assert_int_equal(s.host.uncooperative_s, 90);
	assert_string_equal(s.host.audit_log, "/srv/log/as.log");
	assert_string_equal(s.host.webhook, "https://hooks.example.org/x?a=1");
	assert_int_equal(s.host.webhook_timeout_s, 300);
	assert_int_equal(s.host.webhook_retries, 0);
	pv_policy_set_dispose(&s);

	/* host_reserve may be 0; an empty host.policy keeps the defaults. */
	load_ok("host_reserve = 0\n", "host.policy", &s);
	assert_int_equal(s.host.reserve_kb, 0);
	pv_policy_set_dispose(&s);
	load_ok("# nothing\n\n", "host.policy", &s);
	assert_int_equal(s.host.reserve_kb, 256 * MiB);
	assert_string_equal(s.host.audit_log, "/var/log/pvctl/autoscale.log");
	pv_policy_set_dispose(&s);
}

static void test_size_units(void **state)
{
	static const struct {
		const char *v;
		uint64_t kb;
	} cases[] = {
		{ "300", 300 * MiB }, { "'300'", 300 * MiB },
		{ "262144k", 256 * MiB }, { "\"262144K\"", 256 * MiB },
		{ "300m", 300 * MiB }, { "300M", 300 * MiB },
		{ "2g", 2 * GiB }, { "'2G'", 2 * GiB },
		{ "1t", 1024 * GiB }, { "\"512MiB\"", 512 * MiB },
	};
	struct pv_policy_set s;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = pv_asprintf("match = '*'\nmemory_max = %s\n", cases[i].v);
		load_ok(text, "a.policy", &s);
		if (s.policies[0].mem_max_kb != cases[i].kb)
			print_error("memory_max = %s\n", cases[i].v);
		assert_int_equal(s.policies[0].mem_max_kb, cases[i].kb);
		pv_policy_set_dispose(&s);
		free(text);
	}
	expect_dom("memory_max = 1.5g\n", "web.policy:2:14: memory_max: '1.5g' "
		   "is not a size (MiB, or a number with a k, m, g or t suffix)");
	expect_dom("step_max = '64x'\n", "web.policy:2:12: step_max: '64x' is "
		   "not a size (MiB, or a number with a k, m, g or t suffix)");
	expect_dom("memory_min = '-5'\n", "web.policy:2:14: memory_min: '-5' "
		   "is not a size (MiB, or a number with a k, m, g or t suffix)");
	expect_dom("memory_min = 8m\n", "web.policy:2:14: memory_min: 8m is "
		   "out of range (16m to 128t)");
	expect_dom("memory_max = 129t\n", "web.policy:2:14: memory_max: 129t "
		   "is out of range (16m to 128t)");
	expect_dom("step_max = 99999999999999999999\n", "web.policy:2:12: "
		   "step_max: 99999999999999999999 is out of range (4k to 128t)");
	expect_dom("step_max = 0\n",
		   "web.policy:2:12: step_max: 0 is out of range (4k to 128t)");
}

static void test_percent_decimals(void **state)
{
	static const struct {
		const char *v;
		unsigned int hundredths;
	} cases[] = {
		{ "12.5", 1250 }, { "'12.25'", 1225 }, { "7", 700 },
		{ "\"12.5%\"", 1250 }, { "0.05", 5 }, { "100", 10000 },
		{ "\"99.99\"", 9999 }, { "'3%'", 300 }, { "10.0", 1000 },
	};
	struct pv_policy_set s;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = pv_asprintf("match = '*'\npressure_low = 0\n"
				   "pressure_high = %s\n", cases[i].v);
		load_ok(text, "a.policy", &s);
		if (s.policies[0].pressure_high != cases[i].hundredths)
			print_error("pressure_high = %s\n", cases[i].v);
		assert_int_equal(s.policies[0].pressure_high,
				 cases[i].hundredths);
		pv_policy_set_dispose(&s);
		free(text);
	}
	expect_dom("pressure_high = 12.555\n", "web.policy:2:17: pressure_high: "
		   "'12.555' is not a percentage (at most two decimals, as in "
		   "12.5)");
	expect_dom("pressure_high = '12.'\n", "web.policy:2:17: pressure_high: "
		   "'12.' is not a percentage (at most two decimals, as in "
		   "12.5)");
	expect_dom("pressure_low = '.5'\n", "web.policy:2:16: pressure_low: "
		   "'.5' is not a percentage (at most two decimals, as in 12.5)");
	expect_dom("pressure_high = '1 2'\n", "web.policy:2:17: pressure_high: "
		   "'1 2' is not a percentage (at most two decimals, as in 12.5)");
	expect_dom("pressure_high = 100.01\n", "web.policy:2:17: pressure_high: "
		   "100.01 is out of range (0.00 to 100.00)");
	/* Whole-percent keys take a '%' but no decimals. */
	expect_dom("headroom = 12.5\n", "web.policy:2:12: headroom: '12.5' is "
		   "not a whole percentage");
	expect_dom("vcpu_up_util = '90.5%'\n", "web.policy:2:16: vcpu_up_util: "
		   "'90.5%' is not a whole percentage");
	load_ok("match = '*'\nheadroom = '30%'\nvcpu_up_util = 90.00\n",
		"a.policy", &s);
	assert_int_equal(s.policies[0].headroom_pct, 30);
	assert_int_equal(s.policies[0].vcpu_up_util, 90);
	pv_policy_set_dispose(&s);
}

static void test_match_single_and_list(void **state)
{
	struct pv_policy_set s;

	load_ok("match = \"db-*\"\n", "a.policy", &s);
	assert_int_equal(s.policies[0].nmatch, 1);
	assert_ptr_equal(pv_policy_match(&s, "db-1"), &s.policies[0]);
	assert_ptr_equal(pv_policy_match(&s, "db-"), &s.policies[0]);
	assert_null(pv_policy_match(&s, "xdb-1"));
	assert_null(pv_policy_match(&s, "DB-1"));
	pv_policy_set_dispose(&s);

	load_ok("match = [\n  'web-*',  # the front ends\n  \"api-?\",\n"
		"  'cache[0-9]',\n]\n", "a.policy", &s);
	assert_int_equal(s.policies[0].nmatch, 3);
	assert_non_null(pv_policy_match(&s, "web-eu-1"));
	assert_non_null(pv_policy_match(&s, "api-7"));
	assert_null(pv_policy_match(&s, "api-77"));
	assert_non_null(pv_policy_match(&s, "cache3"));
	assert_null(pv_policy_match(&s, "cachex"));
	assert_null(pv_policy_match(&s, "db-1"));
	pv_policy_set_dispose(&s);

	/* xl.cfg's += appends to the list. */
	load_ok("match = ['a-*']\nmatch += ['b-*']\n", "a.policy", &s);
	assert_int_equal(s.policies[0].nmatch, 2);
	assert_non_null(pv_policy_match(&s, "b-1"));
	pv_policy_set_dispose(&s);

	expect_msg("match = []\n", "a.policy",
		   "a.policy:1:9: match: the list is empty; give at least one "
		   "pattern");
	expect_msg("match = ['a', '']\n", "a.policy",
		   "a.policy:1:15: match: empty pattern");
	expect_msg("match = ['a', ['b']]\n", "a.policy",
		   "a.policy:1:15: match: a pattern cannot be a list");
	expect_msg("match = 'web/*'\n", "a.policy",
		   "a.policy:1:9: match: 'web/*' can never match: domain names "
		   "have no '/'");
	/* The shared xl.cfg parser: strings are quoted. */
	expect_msg("match = web-*\n", "a.policy",
		   "a.policy:1:9: match: bare word 'web' is not a value; quote "
		   "strings, as in \"web\"");
}

/* ---- errors ---- */

static void test_missing_match(void **state)
{
	static const char want[] = "a.policy: a domain policy needs match = "
		"\"GLOB\" or a list of globs (or name the file host.policy "
		"for host settings)";

	expect_msg("priority = 60\n", "a.policy", want);
	expect_msg("", "a.policy", want);
}

static void test_range_errors(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "priority = 101", "web.policy:2:12: priority: 101 is out of range (0 to 100)" },
		{ "priority = -1", "web.policy:2:12: priority: unexpected character '-'" },
		{ "weight = 0", "web.policy:2:10: weight: 0 is out of range (1 to 1000)" },
		{ "weight = 1001", "web.policy:2:10: weight: 1001 is out of range (1 to 1000)" },
		{ "weight = 'ten'", "web.policy:2:10: weight: 'ten' is not a whole number" },
		{ "weight = 0x10", "web.policy:2:10: weight: '0x10' is not a whole number" },
		{ "headroom = 91", "web.policy:2:12: headroom: 91 is out of range (0 to 90)" },
		{ "cooldown_up = 86401", "web.policy:2:15: cooldown_up: 86401 is out of range (0 to 86400)" },
		{ "cooldown_down = 1.5", "web.policy:2:17: cooldown_down: '1.5' is not a whole number" },
		{ "vcpu_min = 0", "web.policy:2:12: vcpu_min: 0 is out of range (1 to 128)" },
		{ "vcpu_max = 129", "web.policy:2:12: vcpu_max: 129 is out of range (1 to 128)" },
		{ "vcpu_up_util = 101", "web.policy:2:16: vcpu_up_util: 101 is out of range (0 to 100)" },
		{ "vcpu_hold = 99999", "web.policy:2:13: vcpu_hold: 99999 is out of range (0 to 86400)" },
		{ "runaway_after = 0", "web.policy:2:17: runaway_after: 0 is out of range (1 to 86400)" },
		{ "shrink_pct = 0", "web.policy:2:14: shrink_pct: 0 is out of range (1 to 100)" },
		{ "shrink_pct = 101", "web.policy:2:14: shrink_pct: 101 is out of range (1 to 100)" },
		{ "settle = 86401", "web.policy:2:10: settle: 86401 is out of range (0 to 86400)" },
		{ "margin = 'lots'", "web.policy:2:10: margin: 'lots' is not a size (MiB, or a number with a k, m, g or t suffix)" },
		{ "memory_min = [1, 2]", "web.policy:2:14: memory_min: expected a single value, not a list" },
		{ "weight = 4294967296", "web.policy:2:10: weight: 4294967296 is out of range (1 to 1000)" },
	};
	size_t i;
	char *body;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = pv_asprintf("%s\n", cases[i].line);
		expect_dom(body, cases[i].want);
		free(body);
	}
}

static void test_host_range_errors(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "interval = 0", "host.policy:1:12: interval: 0 is out of range (1 to 3600)" },
		{ "interval = 3601", "host.policy:1:12: interval: 3601 is out of range (1 to 3600)" },
		{ "uncooperative_after = 0", "host.policy:1:23: uncooperative_after: 0 is out of range (1 to 86400)" },
		{ "webhook_timeout = 301", "host.policy:1:19: webhook_timeout: 301 is out of range (1 to 300)" },
		{ "webhook_retries = 11", "host.policy:1:19: webhook_retries: 11 is out of range (0 to 10)" },
		{ "host_reserve = 1.5g", "host.policy:1:16: host_reserve: '1.5g' is not a size (MiB, or a number with a k, m, g or t suffix)" },
		{ "audit_log = 'var/log/x'", "host.policy:1:13: audit_log: 'var/log/x' is not an absolute path" },
		{ "audit_log = ['/a']", "host.policy:1:13: audit_log: expected a single value, not a list" },
		{ "webhook = 'ftp://x'", "host.policy:1:11: webhook: 'ftp://x' is not an http:// or https:// URL" },
		{ "webhook = ''", "host.policy:1:11: webhook: '' is not an http:// or https:// URL" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_msg(cases[i].line, "host.policy", cases[i].want);
}

static void test_order_errors(void **state)
{
	struct pv_policy_set s;

	/* Reported at whichever of the two the file set last. */
	expect_dom("memory_max = 1g\nmemory_min = 2g\n", "web.policy:3:14: "
		   "memory_min: 2g must be at most memory_max (1g)");
	expect_dom("memory_min = 2g\nmemory_max = 1g\n", "web.policy:3:14: "
		   "memory_max: 1g must be at least memory_min (2g)");
	expect_dom("memory_max = 64m\n", "web.policy:2:14: memory_max: 64m "
		   "must be at least memory_min (128m, the default)");
	expect_dom("step_min = 100m\n", "web.policy:2:12: step_min: 100m "
		   "must be at most step_max (64m, the default)");
	expect_dom("step_max = 4m\n", "web.policy:2:12: step_max: 4m must be "
		   "at least step_min (8m, the default)");
	expect_dom("pressure_low = 5\npressure_high = 5\n", "web.policy:3:17: "
		   "pressure_high: 5.00 must be above pressure_low (5.00)");
	expect_dom("pressure_low = 12.5\n", "web.policy:2:16: pressure_low: "
		   "12.50 must be below pressure_high (10.00, the default)");
	expect_dom("low_water = 64m\n", "web.policy:2:13: low_water: 64m "
		   "must be at most margin (32m, the default)");
	expect_dom("low_water = 8m\nmargin = 4m\n", "web.policy:3:10: "
		   "margin: 4m must be at least low_water (8m)");
	expect_dom("vcpu_max = 2\nvcpu_min = 4\n", "web.policy:3:12: "
		   "vcpu_min: 4 must be at most vcpu_max (2)");
	expect_dom("vcpu_down_util = 80\n", "web.policy:2:18: vcpu_down_util: "
		   "80 must be below vcpu_up_util (80, the default)");
	expect_dom("vcpu_up_util = 20\nvcpu_down_util = 10\nvcpu_up_util = 5\n",
		   "web.policy:4:1: vcpu_up_util: set twice (first at line 2); "
		   "a policy sets each key once");

	/* Equal bounds are fine where <= is asked; no ceiling, no check. */
	load_ok("match='*'\nmemory_min=1g\nmemory_max=1g\nstep_min=8m\n"
		"step_max=8m\nvcpu_min=4\nvcpu_max=4\n", "a.policy", &s);
	pv_policy_set_dispose(&s);
	load_ok("match='*'\nmemory_min=64g\nvcpu_min=64\n", "a.policy", &s);
	assert_int_equal(s.policies[0].mem_max_kb, 0);
	assert_int_equal(s.policies[0].vcpu_max, 0);
	pv_policy_set_dispose(&s);
}

static void test_unknown_keys(void **state)
{
	expect_dom("memory_mx = 1g\n", "web.policy:2:1: memory_mx: unknown key "
		   "(did you mean 'memory_max'?)");
	expect_dom("  pressure = 3\n", "web.policy:2:3: pressure: unknown key");
	expect_dom("memory = 512\n", "web.policy:2:1: memory: unknown key");
	expect_msg("intervall = 5\n", "host.policy", "host.policy:1:1: "
		   "intervall: unknown key (did you mean 'interval'?)");
	/* Found wherever it is in the file. */
	expect_dom("priority = 10\nhedroom = 5\n", "web.policy:3:1: hedroom: "
		   "unknown key (did you mean 'headroom'?)");
}

static void test_host_vs_domain_keys(void **state)
{
	expect_dom("interval = 5\n", "web.policy:2:1: interval: a host-wide "
		   "setting: it belongs in host.policy, not in a domain policy");
	expect_dom("webhook = 'http://x'\n", "web.policy:2:1: webhook: a "
		   "host-wide setting: it belongs in host.policy, not in a "
		   "domain policy");
	expect_msg("interval = 5\nmemory_min = 1g\n", "/d/host.policy",
		   "/d/host.policy:2:1: memory_min: a domain setting: "
		   "host.policy holds host-wide settings only; put it in a "
		   "domain policy with match");
	expect_msg("match = '*'\n", "host.policy", "host.policy:1:1: match: a "
		   "domain setting: host.policy holds host-wide settings only; "
		   "put it in a domain policy with match");
}

static void test_duplicates_and_syntax(void **state)
{
	expect_dom("priority = 10\npriority = 90\n", "web.policy:3:1: priority: "
		   "set twice (first at line 2); a policy sets each key once");
	expect_msg("match = 'a'\nmatch = 'b'\n", "a.policy", "a.policy:2:1: "
		   "match: set twice (first at line 1); a policy sets each key "
		   "once");
	/* xl.cfg's += joins strings: only lists of patterns may use it. */
	expect_dom("memory_max = 512\nmemory_max += 0\n", "web.policy:3:1: "
		   "memory_max: '+=' would join two values into one; set it "
		   "once with '='");
	expect_msg("match = 'web-'\nmatch += '*'\n", "a.policy", "a.policy:2:1: "
		   "match: '+=' would join two patterns into one; append lists: "
		   "match = [...] then match += [...]");
	expect_msg("match = ['a']\nmatch += 'b'\n", "a.policy", "a.policy:2:10: "
		   "match: '+=' cannot add a list to a string or a string to a "
		   "list");
	expect_dom("priority 10\n", "web.policy:2:10: priority: expected '=' "
		   "after the key");
	expect_dom("audit = \"/x\n", "web.policy:2:9: audit: unterminated "
		   "quoted string");
}

/* ---- files and directories ---- */

static void test_file_errors(void **state)
{
	const char *dir = *state;
	struct pv_policy_set s;
	struct pv_err err;
	char *path, *want;
	FILE *f;

	pv_err_init(&err);
	pv_policy_set_init(&s);
	path = put_file(dir, "20-db.policy", "match = 'db-*'\n\nweight = 0\n");
	assert_int_equal(pv_policy_load_file(path, &s, &err), -EINVAL);
	want = pv_asprintf("%s:3:10: weight: 0 is out of range (1 to 1000)",
			   path);
	assert_string_equal(pv_err_msg(&err), want);
	assert_int_equal(s.n, 0);
	free(want);
	free(path);

	pv_err_clear(&err);
	path = pv_asprintf("%s/none.policy", dir);
	assert_int_equal(pv_policy_load_file(path, &s, &err), -ENOENT);
	assert_true(has(pv_err_msg(&err), path));
	free(path);

	pv_err_clear(&err);
	path = put_file(dir, "nul.policy", "match = '*'\n");
	f = fopen(path, "a");
	assert_non_null(f);
	fputc(0, f);
	fclose(f);
	assert_int_equal(pv_policy_load_file(path, &s, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "contains a NUL byte; not a policy "
			"text file"));
	free(path);
	assert_int_equal(s.n, 0);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

static void test_load_file_host_and_domain(void **state)
{
	const char *dir = *state;
	struct pv_policy_set s;
	struct pv_err err;
	char *host, *dom;

	pv_err_init(&err);
	pv_policy_set_init(&s);
	host = put_file(dir, "host.policy", "interval = 7\n");
	dom = put_file(dir, "a.policy", "match = 'a*'\npriority = 70\n");
	assert_int_equal(pv_policy_load_file(dom, &s, &err), 0);
	assert_int_equal(pv_policy_load_file(host, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.host.interval_s, 7);
	assert_string_equal(s.policies[0].file, dom);
	/* Loading host settings again replaces them as a whole. */
	put(dir, "host.policy", "webhook_retries = 1\n");
	assert_int_equal(pv_policy_load_file(host, &s, &err), 0);
	assert_int_equal(s.host.interval_s, 5);
	assert_int_equal(s.host.webhook_retries, 1);
	/* A failing file changes nothing. */
	put(dir, "host.policy", "interval = 1\nwebhook_retries = 99\n");
	assert_int_equal(pv_policy_load_file(host, &s, &err), -EINVAL);
	assert_int_equal(s.host.interval_s, 5);
	assert_int_equal(s.host.webhook_retries, 1);
	assert_int_equal(s.n, 1);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
	free(host);
	free(dom);
}

static void test_precedence(void **state)
{
	const char *dir = *state;
	const struct pv_policy *p;
	struct pv_policy_set s;
	struct pv_err err;

	/* Written out of order, so readdir's order is not the answer. */
	put(dir, "99-default.policy", "match = '*'\npriority = 1\n");
	put(dir, "9-web.policy", "match = 'web-*'\npriority = 9\n");
	put(dir, "10-web.policy", "match = ['web-*', 'api-?']\npriority = 10\n");
	put(dir, "50-db.policy", "match = 'db-*'\npriority = 50\n");
	put(dir, "host.policy", "interval = 3\n");
	pv_err_init(&err);
	pv_policy_set_init(&s);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.host.interval_s, 3);
	/* Byte order: "10-" < "50-" < "9-" < "99-". */
	assert_int_equal(s.policies[0].priority, 10);
	assert_int_equal(s.policies[1].priority, 50);
	assert_int_equal(s.policies[2].priority, 9);
	assert_int_equal(s.policies[3].priority, 1);
	p = pv_policy_match(&s, "web-1");
	assert_non_null(p);
	assert_int_equal(p->priority, 10);
	assert_true(has(p->file, "/10-web.policy"));
	assert_int_equal(pv_policy_match(&s, "api-x")->priority, 10);
	assert_int_equal(pv_policy_match(&s, "db-2")->priority, 50);
	assert_int_equal(pv_policy_match(&s, "mail")->priority, 1);
	pv_policy_set_dispose(&s);

	/* Without a catch-all, an unmatched domain has no policy. */
	put(dir, "99-default.policy", "match = 'mail*'\n");
	pv_policy_set_init(&s);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), 0);
	assert_null(pv_policy_match(&s, "other"));
	assert_non_null(pv_policy_match(&s, "mail1"));
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

static void test_dir_all_or_nothing(void **state)
{
	const char *dir = *state;
	const struct pv_policy *before;
	struct pv_policy_set s;
	struct pv_err err;
	char *bad, *want;

	put(dir, "10-web.policy", "match = 'web-*'\nweight = 300\n");
	put(dir, "host.policy", "interval = 9\n");
	pv_err_init(&err);
	pv_policy_set_init(&s);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), 0);
	assert_int_equal(s.n, 1);
	before = s.policies;

	/* A later file fails: the whole set is refused, the old one stays. */
	put(dir, "10-web.policy", "match = 'web-*'\nweight = 500\n");
	put(dir, "host.policy", "interval = 1\n");
	bad = put_file(dir, "50-bad.policy", "match = 'x'\nstep_min = 1g\n");
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), -EINVAL);
	want = pv_asprintf("%s:2:12: step_min: 1g must be at most step_max "
			   "(64m, the default)", bad);
	assert_string_equal(pv_err_msg(&err), want);
	free(want);
	assert_ptr_equal(s.policies, before);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.policies[0].weight, 300);
	assert_int_equal(s.host.interval_s, 9);
	assert_non_null(pv_policy_match(&s, "web-1"));

	/* The same when host.policy is the one that fails. */
	unlink(bad);
	free(bad);
	put(dir, "host.policy", "interval = 0\n");
	pv_err_clear(&err);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "/host.policy:1:12: interval: 0 is "
			"out of range"));
	assert_int_equal(s.host.interval_s, 9);
	assert_int_equal(s.policies[0].weight, 300);

	/* Fixed: the new set replaces the old one. */
	put(dir, "host.policy", "interval = 1\n");
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), 0);
	assert_int_equal(s.policies[0].weight, 500);
	assert_int_equal(s.host.interval_s, 1);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

static void test_dir_empty_missing_and_skipped(void **state)
{
	const char *dir = *state;
	struct pv_policy_set s;
	struct pv_err err;
	char *sub, *path;

	pv_err_init(&err);
	pv_policy_set_init(&s);
	/* Empty: the defaults (replacing what was loaded before). */
	assert_int_equal(pv_policy_load_string("interval = 4\n", "host.policy",
					       &s, &err), 0);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.host.interval_s, 5);

	/* Only `*.policy`, no dot files, trailing slashes are fine. */
	put(dir, "README", "not a policy\n");
	put(dir, "a.policy~", "garbage\n");
	put(dir, ".a.policy", "garbage\n");
	put(dir, "a.policy.swp", "garbage\n");
	put(dir, ".policy", "garbage\n");
	put(dir, "a.policy", "match = 'a'\n");
	path = pv_asprintf("%s//", dir);
	assert_int_equal(pv_policy_load_dir(path, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_true(has(s.policies[0].file, "/a.policy"));
	assert_null(strstr(s.policies[0].file, "//"));
	free(path);

	/* Missing directory: -ENOENT, the set unchanged. */
	path = pv_asprintf("%s/nonexistent", dir);
	assert_int_equal(pv_policy_load_dir(path, &s, &err), -ENOENT);
	assert_true(has(pv_err_msg(&err), path));
	assert_int_equal(s.n, 1);
	free(path);

	/* A directory named like a policy is an error, not skipped. */
	sub = pv_asprintf("%s/b.policy", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	pv_err_clear(&err);
	assert_int_equal(pv_policy_load_dir(dir, &s, &err), -EINVAL);
	path = pv_asprintf("%s: not a regular file", sub);
	assert_string_equal(pv_err_msg(&err), path);
	assert_int_equal(s.n, 1);
	free(path);
	free(sub);
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

static void test_examples(void **state)
{
	struct pv_policy_set s;
	const struct pv_policy *p;
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	pv_policy_set_init(&s);
	rc = pv_policy_load_dir(examples_dir(), &s, &err);
	if (rc)
		print_error("%s\n", pv_err_msg(&err));
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.host.reserve_kb, 512 * MiB);
	p = pv_policy_match(&s, "web-01");
	assert_non_null(p);
	assert_true(has(p->file, "10-web.policy"));
	assert_int_equal(p->pressure_high, 500);
	assert_int_equal(p->pressure_low, 50);
	assert_int_equal(p->mem_max_kb, 4 * GiB);
	p = pv_policy_match(&s, "mail");
	assert_non_null(p);
	assert_true(has(p->file, "99-default.policy"));
	pv_policy_set_dispose(&s);
	pv_err_dispose(&err);
}

static char *json_of(const struct pv_policy *p, const struct pv_host_policy *h)
{
	struct pv_jw w;
	const char *text;
	size_t len;
	char *out;

	pv_jw_init(&w, false);
	assert_int_equal(p ? pv_policy_to_json(p, &w) :
			 pv_host_policy_to_json(h, &w), 0);
	text = pv_jw_text(&w, &len);
	out = pv_strndup(text, len);
	pv_jw_dispose(&w);
	return out;
}

static void test_json(void **state)
{
	struct pv_policy_set s;
	char *j;

	load_ok("match = ['web-*', 'api-?']\nmemory_max = 2g\n"
		"pressure_high = 12.5\npressure_low = 0.05\n", "10-web.policy",
		&s);
	j = json_of(&s.policies[0], NULL);
	assert_string_equal(j,
		"{\"file\":\"10-web.policy\",\"match\":[\"web-*\",\"api-?\"],"
		"\"priority\":50,\"weight\":100,\"memory_min_kb\":131072,"
		"\"memory_max_kb\":2097152,\"headroom_pct\":20,"
		"\"margin_kb\":32768,\"low_water_kb\":16384,\"settle_s\":60,"
		"\"shrink_pct\":10,"
		"\"pressure_high_pct\":12.5,\"pressure_low_pct\":0.05,"
		"\"step_max_kb\":65536,\"step_min_kb\":8192,"
		"\"cooldown_up_s\":10,\"cooldown_down_s\":30,\"vcpu_min\":1,"
		"\"vcpu_max\":null,\"vcpu_up_util_pct\":80,"
		"\"vcpu_down_util_pct\":25,\"vcpu_hold_s\":20,"
		"\"runaway_after_s\":60}");
	free(j);
	j = json_of(NULL, &s.host);
	assert_string_equal(j,
		"{\"host_reserve_kb\":262144,\"interval_s\":5,"
		"\"uncooperative_after_s\":30,"
		"\"audit_log\":\"/var/log/pvctl/autoscale.log\","
		"\"webhook\":null,\"webhook_timeout_s\":5,\"webhook_retries\":3}");
	free(j);
	pv_policy_set_dispose(&s);

	/* No ceiling is null; 10.00% prints as 10. */
	load_ok("match = '*'\n", "a.policy", &s);
	j = json_of(&s.policies[0], NULL);
	assert_true(has(j, "\"memory_max_kb\":null,"));
	assert_true(has(j, "\"pressure_high_pct\":10,"));
	assert_true(has(j, "\"pressure_low_pct\":1,"));
	free(j);
	pv_policy_set_dispose(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_domain_key),
		cmocka_unit_test(test_every_host_key),
		cmocka_unit_test(test_size_units),
		cmocka_unit_test(test_percent_decimals),
		cmocka_unit_test(test_match_single_and_list),
		cmocka_unit_test(test_missing_match),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_host_range_errors),
		cmocka_unit_test(test_order_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_host_vs_domain_keys),
		cmocka_unit_test(test_duplicates_and_syntax),
		cmocka_unit_test_setup_teardown(test_file_errors, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_file_host_and_domain,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_precedence, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_all_or_nothing,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_empty_missing_and_skipped,
						tmp_setup, tmp_teardown),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
