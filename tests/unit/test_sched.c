/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sched.c: a domain's weight and cap (lib/domain/sched.c), set at
 * create from cpu_weight= and cap= and by sched-credit/sched-credit2
 * (cli/cmd_sched.c, run through the command table), in the credit and
 * credit2 schedulers of the simulated hypervisor; a domain in another
 * scheduler is refused, never silently left at the default.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/pvctl.h"
#include "lib/domain/sched.h"
#include "helpers.h"
#include "cli_run.h"

static struct pv_sched_credit sched_of(struct fx *f, uint32_t domid,
				       unsigned int sched)
{
	struct pv_sched_credit sc;

	assert_int_equal(f->hv.ops->sched_credit_get(f->hv.h, domid, sched, &sc),
			 0);
	return sc;
}

/* --- create --- */

static void test_create_sets_weight_and_cap(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_create(f, "a", "vcpus = 2\ncpu_weight = 512\ncap = 150\n");
	uint32_t b = fx_create(f, "b", NULL);
	struct pv_sched_credit sc = sched_of(f, a, PV_SCHED_CREDIT);

	assert_int_equal(sc.weight, 512);
	assert_int_equal(sc.cap, 150);
	/* Without the keys: the scheduler's defaults, and no call at all. */
	sc = sched_of(f, b, PV_SCHED_CREDIT);
	assert_int_equal(sc.weight, 256);
	assert_int_equal(sc.cap, 0);
	assert_int_equal(pv_sim_calls(f->s, "sched_credit_set"), 1);
}

static void test_create_credit2(void **state)
{
	struct fx *f = *state;
	uint32_t domid;

	pv_sim_set_sched(f->s, PV_SCHED_CREDIT2);
	domid = fx_create(f, "c2", "cap = 50\n");
	assert_int_equal(sched_of(f, domid, PV_SCHED_CREDIT2).cap, 50);
	assert_int_equal(sched_of(f, domid, PV_SCHED_CREDIT2).weight, 256);
}

/* A scheduler without weight and cap: the create fails and is undone. */
static void test_create_other_scheduler(void **state)
{
	struct fx *f = *state;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid;

	pv_sim_set_sched(f->s, PV_SCHED_RTDS);
	fx_cfg_parse(f, "rt", "cpu_weight = 100\n", &c);
	pv_err_init(&err);
	fx_assert_err(&err, pv_domain_create(&f->ctx, &c, &domid, &err), -ENOTSUP,
		      "runs in the rtds scheduler, which has no weight or cap");
	assert_int_equal(pv_sim_domain_count(f->s), 1);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
	/* Nothing asked: nothing to refuse. */
	fx_create(f, "rt", NULL);
}

/* --- the library --- */

static void test_sched_set_checks(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g", "vcpus = 2\n");
	struct pv_sched_credit sc = { 0, 200 };
	struct pv_err err;

	pv_err_init(&err);
	/* Weight 0 keeps the weight; the cap is set. */
	assert_int_equal(pv_domain_sched_set(&f->ctx, domid, PV_SCHED_CREDIT, &sc,
					     &err), 0);
	assert_int_equal(sched_of(f, domid, PV_SCHED_CREDIT).weight, 256);
	assert_int_equal(sched_of(f, domid, PV_SCHED_CREDIT).cap, 200);
	sc.cap = 201;
	fx_assert_err(&err, pv_domain_sched_set(&f->ctx, domid, 0, &sc, &err),
		      -EINVAL, "domain 1 has 2 vCPUs, so at most 200");
	pv_err_clear(&err);
	sc.cap = 0;
	sc.weight = 65536;
	fx_assert_err(&err, pv_domain_sched_set(&f->ctx, domid, 0, &sc, &err),
		      -EINVAL, "weight 65536 is out of range");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_sched_get(&f->ctx, domid, PV_SCHED_CREDIT2,
						&sc, &err), -ENOTSUP,
		      "runs in the credit scheduler, not credit2");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_sched_get(&f->ctx, 42, 0, &sc, &err),
		      -ESRCH, "no domain 42");
	pv_err_dispose(&err);
}

/* --- the commands --- */

static void expect_out(struct fx *f, int rc, const char *line, const char *want)
{
	char *got = run(f, rc, "%s", line);

	if (strcmp(got, want))
		fail_msg("'%s' printed\n%s---- want\n%s----", line, got, want);
	free(got);
}

static void test_sched_credit_command(void **state)
{
	struct fx *f = *state;

	fx_create(f, "web", "vcpus = 2\ncpu_weight = 512\n");
	fx_create(f, "db", NULL);
	expect_out(f, 0, "sched-credit",
		   "Name                                ID Weight  Cap\n"
		   "Domain-0                             0    256    0\n"
		   "web                                  1    512    0\n"
		   "db                                   2    256    0\n");
	/* -c alone keeps the weight; -w alone the cap. */
	expect_out(f, 0, "sched-credit -d web -c 150", "");
	expect_out(f, 0, "sched-credit -d 1 -w 1024", "");
	expect_out(f, 0, "sched-credit -d web",
		   "Name                                ID Weight  Cap\n"
		   "web                                  1   1024  150\n");
	expect_out(f, 0, "sched-credit --json -d web",
		   "[\n    {\n        \"name\": \"web\",\n        \"domid\": 1,\n"
		   "        \"weight\": 1024,\n        \"cap_pct\": 150\n    }\n]\n");
	/* Checked before anything is set. */
	expect_out(f, 2, "sched-credit -d web -w 0", "");
	assert_non_null(strstr(last_stderr, "bad weight '0' (1 to 65535)"));
	expect_out(f, 1, "sched-credit -d web -c 300", "");
	assert_non_null(strstr(last_stderr, "at most 200"));
	expect_out(f, 2, "sched-credit -w 300", "");
	assert_non_null(strstr(last_stderr, "-w and -c need -d DOMAIN"));
	expect_out(f, 1, "sched-credit -d nosuch", "");
	/* The other scheduler's command says which one the host runs. */
	expect_out(f, 1, "sched-credit2",
		   "Name                                ID Weight  Cap\n");
	assert_non_null(strstr(last_stderr, "runs in the credit scheduler, not "
			       "credit2"));
	expect_out(f, 1, "sched-credit2 -d web -w 5", "");
	assert_non_null(strstr(last_stderr, "not credit2"));
}

static void test_sched_credit2_command(void **state)
{
	struct fx *f = *state;

	pv_sim_set_sched(f->s, PV_SCHED_CREDIT2);
	fx_create(f, "web", "cap = 25\n");
	expect_out(f, 0, "sched-credit2 -d web -w 128", "");
	expect_out(f, 0, "sched-credit2",
		   "Name                                ID Weight  Cap\n"
		   "Domain-0                             0    256    0\n"
		   "web                                  1    128   25\n");
}

static int teardown(void **state)
{
	free(last_stderr);
	last_stderr = NULL;
	return fx_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, teardown)
		T(test_create_sets_weight_and_cap),
		T(test_create_credit2),
		T(test_create_other_scheduler),
		T(test_sched_set_checks),
		T(test_sched_credit_command),
		T(test_sched_credit2_command),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
