/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_signals.c: lib/balloon/signals.c on the simulated hypervisor: a
 * guest writes the data/pvctl nodes as its agent would (as itself, into the
 * data/ directory it owns), dom0 reads and validates the report. Any
 * bad node rejects the whole report, so a guest cannot earn memory by
 * lying in one field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/balloon/autoscale.h"
#include "proto/agent.h"
#include "helpers.h"

#define STATIC_MAX	1048576ull	/* maxmem = 1024 (MiB) */
#define NOT_A_NUMBER	"a data/pvctl node is not a number in range"
#define NO_REPORT	"no agent report"

/* A full report's values: seq, then the fields in node order. */
static const char *const full_vals[] = {
	"42", "1000000", "600000", "12", "34", "250", "50", "1234", "6789", "2",
	"3", "1796600000123",
};
#define NKEYS (sizeof(full_vals) / sizeof(*full_vals))
_Static_assert(NKEYS == PV_F_NR + 1, "a value per node");

/* The node of full_vals[@i]. */
static const struct pv_agent_node *node(size_t i)
{
	return i ? &pv_agent_nodes[i - 1] : &pv_agent_seq;
}

static const char *node_name(size_t i)
{
	return node(i)->name;
}

/* Writes data/pvctl/@key as the guest, @len bytes of @val. */
static void guest_put_len(struct fx *f, uint32_t domid, const char *key,
			  const char *val, size_t len)
{
	char *path = pv_asprintf(PV_AGENT_XS_DIR "%s", key);
	int rc;

	pv_sim_set_caller(f->s, domid);
	rc = f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path, val, len);
	pv_sim_set_caller(f->s, 0);
	if (rc)
		fail_msg("the guest cannot write %s: %d", path, rc);
	free(path);
}

static void guest_put(struct fx *f, uint32_t domid, const char *key,
		      const char *val)
{
	guest_put_len(f, domid, key, val, strlen(val));
}

static void guest_rm(struct fx *f, uint32_t domid, const char *key)
{
	char *path = pv_asprintf(PV_AGENT_XS_DIR "%s", key);

	pv_sim_set_caller(f->s, domid);
	assert_int_equal(f->hv.ops->xs_rm(f->hv.h, PV_XBT_NULL, path), 0);
	pv_sim_set_caller(f->s, 0);
	free(path);
}

static uint32_t guest_with_report(struct fx *f)
{
	uint32_t domid = fx_create(f, "guest", "memory = 512\nmaxmem = 1024\n");
	size_t i;

	for (i = 0; i < NKEYS; i++)
		guest_put(f, domid, node_name(i), full_vals[i]);
	return domid;
}

/* Reads as dom0, the way the loop does. */
static const char *read_sig(struct fx *f, uint32_t domid, uint64_t static_max,
			    struct pv_signals *s)
{
	const char *why = "untouched";

	memset(s, 0xa5, sizeof(*s));	/* stale data must not survive */
	pv_signals_read(&f->hv, domid, static_max, s, &why);
	return why;
}

/* A rejected report: invalid, every field zero, @reason given. */
static void assert_rejected(const struct pv_signals *s, const char *why,
			    const char *reason, const char *what)
{
	if (s->valid)
		fail_msg("%s: accepted", what);
	if (s->seq || s->mem_total_kb || s->mem_avail_kb || s->swap_in_pps ||
	    s->swap_out_pps || s->psi_mem_some || s->psi_mem_full ||
	    s->psi_cpu_some || s->cpu_util || s->cpus_online ||
	    s->have_oom_kills || s->oom_kills || s->time_ms)
		fail_msg("%s: fields left in a rejected report", what);
	if (!why || !strstr(why, reason))
		fail_msg("%s: reason '%s', want '%s'", what, why ? why : "(null)",
			 reason);
}

static void test_valid_report(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	struct pv_signals s;
	const char *why = read_sig(f, domid, STATIC_MAX, &s);

	assert_null(why);
	assert_true(s.valid);
	assert_int_equal(s.seq, 42);
	assert_int_equal(s.mem_total_kb, 1000000);
	assert_int_equal(s.mem_avail_kb, 600000);
	assert_int_equal(s.swap_in_pps, 12);
	assert_int_equal(s.swap_out_pps, 34);
	assert_int_equal(s.psi_mem_some, 250);
	assert_int_equal(s.psi_mem_full, 50);
	assert_int_equal(s.psi_cpu_some, 1234);
	assert_int_equal(s.cpu_util, 6789);
	assert_int_equal(s.cpus_online, 2);
	assert_true(s.have_oom_kills);
	assert_int_equal(s.oom_kills, 3);
	assert_int_equal(s.time_ms, 1796600000123ull);
	/* What the guest writes next is what is read next. */
	guest_put(f, domid, "seq", "43");
	guest_put(f, domid, "mem_available_kb", "0");
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_null(why);
	assert_int_equal(s.seq, 43);
	assert_int_equal(s.mem_avail_kb, 0);
}

static void test_optional_nodes_missing(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	struct pv_signals s;
	const char *why;
	size_t i;

	for (i = 3; i < NKEYS; i++)
		guest_rm(f, domid, node_name(i));
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_null(why);
	assert_true(s.valid);
	assert_int_equal(s.seq, 42);
	assert_int_equal(s.mem_total_kb, 1000000);
	assert_int_equal(s.mem_avail_kb, 600000);
	assert_int_equal(s.swap_in_pps + s.swap_out_pps, 0);
	assert_int_equal(s.psi_mem_some + s.psi_mem_full + s.psi_cpu_some, 0);
	assert_int_equal(s.cpu_util + s.cpus_online, 0);
	assert_false(s.have_oom_kills);
	assert_int_equal(s.oom_kills + s.time_ms, 0);
}

static void test_required_nodes_missing(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "memory = 512\nmaxmem = 1024\n");
	struct pv_signals s;
	const char *why;
	size_t i;

	/* No agent at all, and a domain that does not exist. */
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_rejected(&s, why, NO_REPORT, "no data/pvctl");
	why = read_sig(f, 77, STATIC_MAX, &s);
	assert_rejected(&s, why, NO_REPORT, "no domain");
	for (i = 0; i < 3; i++) {
		size_t j;

		for (j = 0; j < NKEYS; j++)
			guest_put(f, domid, node_name(j), full_vals[j]);
		guest_rm(f, domid, node_name(i));
		why = read_sig(f, domid, STATIC_MAX, &s);
		assert_rejected(&s, why, NO_REPORT, node_name(i));
	}
}

/* Values that are not plain decimal numbers within bounds. */
static const struct { const char *val; size_t len; } garbage[] = {
	{ "abc", 3 }, { "", 0 }, { "-1", 2 }, { "12a", 3 }, { " 12", 3 },
	{ "12 ", 3 }, { "+5", 2 }, { "1e3", 3 }, { "0x10", 4 }, { "1.5", 3 },
	{ "12\n", 3 }, { "12\0" "34", 5 }, { "\0", 1 },
	{ "99999999999999999999999", 23 },
	{ "18446744073709551616", 20 },		/* 2^64 */
};

static void test_garbage_rejects_the_report(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	struct pv_signals s;
	const char *why;
	size_t k, g;

	for (k = 0; k < NKEYS; k++) {
		for (g = 0; g < sizeof(garbage) / sizeof(*garbage); g++) {
			char *what = pv_asprintf("%s = '%.*s'", node_name(k),
						 (int)garbage[g].len, garbage[g].val);

			guest_put_len(f, domid, node_name(k), garbage[g].val,
				      garbage[g].len);
			why = read_sig(f, domid, STATIC_MAX, &s);
			assert_rejected(&s, why, NOT_A_NUMBER, what);
			free(what);
		}
		guest_put(f, domid, node_name(k), full_vals[k]);
		why = read_sig(f, domid, STATIC_MAX, &s);
		assert_null(why);
	}
}

/*
 * Each node's largest accepted value (proto/agent.h), and one more; the
 * bounds themselves are pinned at the end: they are the protocol.
 */
static void test_bounds(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	struct pv_signals s;
	const char *why;
	size_t i;

	/* static-max 0 (unknown) lets MemTotal reach its own bound, and
	 * MemAvailable, after it, reach MemTotal. */
	for (i = 0; i < NKEYS; i++) {
		char *max = pv_asprintf("%llu", (unsigned long long)node(i)->max);
		char *over = pv_asprintf("%llu", (unsigned long long)node(i)->max + 1);

		guest_put(f, domid, node_name(i), over);
		why = read_sig(f, domid, 0, &s);
		assert_rejected(&s, why, NOT_A_NUMBER, node_name(i));
		guest_put(f, domid, node_name(i), max);
		why = read_sig(f, domid, 0, &s);
		if (why)
			fail_msg("%s = %s rejected: %s", node_name(i), max, why);
		free(max);
		free(over);
	}
	assert_int_equal(s.seq, 9223372036854775807ull);
	assert_int_equal(s.mem_total_kb, 1ull << 40);
	assert_int_equal(s.mem_avail_kb, 1ull << 40);
	assert_int_equal(s.swap_in_pps, 10000000);
	assert_int_equal(s.swap_out_pps, 10000000);
	assert_int_equal(s.psi_mem_some, 10000);
	assert_int_equal(s.psi_mem_full, 10000);
	assert_int_equal(s.psi_cpu_some, 10000);
	assert_int_equal(s.cpu_util, 10000);
	assert_int_equal(s.cpus_online, 4096);
	assert_int_equal(s.oom_kills, 9223372036854775807ull);
	assert_int_equal(s.time_ms, 9223372036854775807ull);
}

static void test_inconsistent_memory(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	struct pv_signals s;
	const char *why;

	guest_put(f, domid, "mem_available_kb", "1000001");
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_rejected(&s, why, "MemAvailable above MemTotal", "avail > total");
	guest_put(f, domid, "mem_available_kb", "1000000");	/* equal: fine */
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_null(why);
	assert_int_equal(s.mem_avail_kb, 1000000);
	/* MemTotal cannot exceed what the domain may ever hold. */
	guest_put(f, domid, "mem_total_kb", "1048577");
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_rejected(&s, why, "MemTotal above the domain's maximum",
			"total > static-max");
	guest_put(f, domid, "mem_total_kb", "1048576");		/* equal: fine */
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_null(why);
	assert_int_equal(s.mem_total_kb, STATIC_MAX);
}

/* The guest owns data/, not the toolstack's nodes, nor another's data/. */
/*
 * The one-node form: read in one request, preferred to the nodes, held
 * to the same checks; unknown words skipped, anything else refused.
 */
static void test_report_line(void **state)
{
	struct fx *f = *state;
	uint32_t domid = guest_with_report(f);
	static const char *const bad[] = {
		"seq=7 mem_total_kb=1000 mem_available_kb=-5",
		"seq=7 mem_total_kb=1000 mem_available_kb=500 seq=8",
		"seq=7 mem_total_kb=1000 mem_available_kb",
		"seq=7 mem_total_kb=1000 mem_available_kb=500 cpu_util=10001",
		"seq=7 mem_total_kb=0x10 mem_available_kb=5",
	};
	struct pv_signals s;
	const char *why;
	char *longer;
	size_t i;

	guest_put(f, domid, "report", "mem_total_kb=900000 mem_available_kb=100000 "
		  "oom_kills=2 time_ms=5 new_field=9 seq=43");
	why = read_sig(f, domid, STATIC_MAX, &s);
	assert_null(why);
	assert_int_equal(s.seq, 43);
	assert_int_equal(s.mem_total_kb, 900000);	/* not the node's */
	assert_int_equal(s.mem_avail_kb, 100000);
	assert_int_equal(s.oom_kills, 2);
	assert_int_equal(s.time_ms, 5);
	assert_int_equal(s.cpu_util, 0);		/* nor any other node */
	/* The same checks as the nodes get. */
	guest_put(f, domid, "report", "mem_total_kb=900000 seq=43");
	assert_rejected(&s, read_sig(f, domid, STATIC_MAX, &s), NO_REPORT,
			"no MemAvailable");
	guest_put(f, domid, "report", "mem_total_kb=2000000 mem_available_kb=1 seq=3");
	assert_rejected(&s, read_sig(f, domid, STATIC_MAX, &s), "maximum",
			"above maxmem");
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		guest_put(f, domid, "report", bad[i]);
		assert_rejected(&s, read_sig(f, domid, STATIC_MAX, &s),
				"data/pvctl/report", bad[i]);
	}
	longer = pv_calloc(1100, 1);
	memset(longer, 'x', 1099);
	guest_put(f, domid, "report", longer);
	assert_rejected(&s, read_sig(f, domid, STATIC_MAX, &s),
			"data/pvctl/report", "too long");
	free(longer);
}

static void test_guest_writes_only_its_own(void **state)
{
	struct fx *f = *state;
	uint32_t a = guest_with_report(f);
	uint32_t b = fx_create(f, "other", "memory = 256\n");
	struct pv_signals s;
	char *path = pv_asprintf("/local/domain/%u/data/pvctl/mem_total_kb", a);

	pv_sim_set_caller(f->s, b);
	assert_int_equal(xs_put(f, path, "1"), -EACCES);
	pv_sim_set_caller(f->s, 0);
	assert_null(read_sig(f, a, STATIC_MAX, &s));
	assert_int_equal(s.mem_total_kb, 1000000);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_report, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_optional_nodes_missing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_required_nodes_missing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_rejects_the_report, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bounds, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent_memory, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_report_line, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_guest_writes_only_its_own, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
