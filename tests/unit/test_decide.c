/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decide.c: lib/balloon/decide.c, one autoscale tick's decisions
 * (pv_autoscale_decide is pure, so the inputs are built by hand): the
 * need and its clamps, shrinks (step, hysteresis, cooldown, pressure),
 * grows (pressure, the host budget, priority and weight, cooldown),
 * guests without signals or policy, runaway detection, vCPUs, the
 * uncooperative verdict, the reasons given, and a property test over
 * random configurations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/balloon/autoscale.h"
#include "helpers.h"

#define MiB	1024ull
#define GiB	(1024 * MiB)
/* Long after boot: every default cooldown and hold has passed. */
#define NOW	10000000ull

/*
 * A guest holding its 1 GiB target, 4 GiB maxmem, 2 of 4 vCPUs, whose
 * agent reports MemTotal 984 MiB (40 MiB kept outside it by the kernel)
 * of which 584 MiB available: it uses 400 MiB.
 */
static void dom_init(struct pv_as_dom *d, const struct pv_policy *p)
{
	memset(d, 0, sizeof(*d));
	d->domid = 1;
	snprintf(d->name, sizeof(d->name), "guest");
	d->pol = p;
	d->cur_kb = d->target_kb = 1 * GiB;
	d->static_max_kb = 4 * GiB;
	d->vcpus = 2;
	d->maxvcpus = 4;
	d->sig.valid = true;
	d->sig.seq = 1;
	d->sig.mem_total_kb = 984 * MiB;
	d->sig.mem_avail_kb = 584 * MiB;
	d->sig.cpu_util = 5000;
}

/*
 * Makes @d's need exactly @need_kb when its policy's headroom is 0: no
 * overhead (MemTotal at least the target), @need_kb in use.
 */
static void set_need(struct pv_as_dom *d, uint64_t need_kb)
{
	d->sig.mem_total_kb = need_kb > d->target_kb ? need_kb : d->target_kb;
	d->sig.mem_avail_kb = d->sig.mem_total_kb - need_kb;
}

static struct pv_as_host roomy = { .free_kb = 64 * GiB, .reserve_kb = 256 * MiB };

/* Each test starts from two such guests with default policies. */
static struct pv_policy pol[2];
static struct pv_as_dom dom[2];

static int fresh(void **state)
{
	int i;

	for (i = 0; i < 2; i++) {
		pv_policy_init(&pol[i]);
		/*
		 * The classic loop: no margin, low water or settling, a shrink
		 * straight to the need. The tests of those (careful_*,
		 * urgent_*, rate_*) turn them on.
		 */
		pol[i].margin_kb = 0;
		pol[i].low_water_kb = 0;
		pol[i].settle_s = 0;
		pol[i].shrink_pct = 100;
		dom_init(&dom[i], &pol[i]);
		dom[i].domid = i + 1;
	}
	return 0;
}

/* One tick for the first guest alone on a roomy host: its new target. */
static uint64_t tick(uint64_t now)
{
	pv_autoscale_decide(dom, 1, &roomy, now);
	return dom->new_target_kb;
}

/* The same, for its need, vCPU decision and runaway flag. */
static uint64_t need_at(uint64_t now)
{
	tick(now);
	return dom->need_kb;
}

static unsigned int vtick(uint64_t now)
{
	tick(now);
	return dom->new_vcpus;
}

static bool runaway_at(uint64_t now)
{
	tick(now);
	return dom->runaway;
}

/* --- the need --- */

static void test_need_formula(void **state)
{
	tick(NOW);
	/* 400 MiB used / 0.8 = 500 MiB, plus 1024 - 984 = 40 MiB overhead. */
	assert_int_equal(dom->need_kb, 540 * MiB);
	assert_non_null(strstr(dom->why, "needs 540 MiB"));
	/* Integer arithmetic: 100001 * 100 / 70 = 142858 (truncated). */
	pol->headroom_pct = 30;
	pol->mem_min_kb = 16 * MiB;
	dom->sig.mem_total_kb = dom->target_kb;
	dom->sig.mem_avail_kb = dom->target_kb - 100001;
	assert_int_equal(need_at(NOW), 142858);
	/* MemTotal above the target: no overhead, nothing subtracted. */
	pol->headroom_pct = 0;
	dom->sig.mem_total_kb = dom->target_kb + 10 * MiB;
	dom->sig.mem_avail_kb = dom->sig.mem_total_kb - 300 * MiB;
	assert_int_equal(need_at(NOW), 300 * MiB);
}

static void test_need_clamped(void **state)
{
	pol->headroom_pct = 0;
	set_need(dom, 50 * MiB);		/* below the 128 MiB floor */
	assert_int_equal(need_at(NOW), 128 * MiB);
	pol->mem_max_kb = 2 * GiB;		/* ceiling: memory_max */
	dom->target_kb = dom->cur_kb = 3 * GiB;
	set_need(dom, 3 * GiB);
	assert_int_equal(need_at(NOW), 2 * GiB);
	pol->mem_max_kb = 0;			/* no memory_max: maxmem */
	dom->static_max_kb = 1536 * MiB;
	assert_int_equal(need_at(NOW), 1536 * MiB);
	pol->mem_max_kb = 8 * GiB;		/* maxmem is lower */
	assert_int_equal(need_at(NOW), 1536 * MiB);
	/* A floor above maxmem gives way to maxmem. */
	pol->mem_min_kb = 2 * GiB;
	set_need(dom, 10 * MiB);
	assert_int_equal(need_at(NOW), 1536 * MiB);
}

/* --- shrinking --- */

static void test_shrink_step_and_need(void **state)
{
	tick(NOW);
	/* Needs 540 MiB of 1024: one 64 MiB step per tick. */
	assert_int_equal(dom->new_target_kb, 960 * MiB);
	pol->headroom_pct = 0;
	set_need(dom, 1000 * MiB);
	assert_int_equal(tick(NOW), 1000 * MiB);	/* not below the need */
	set_need(dom, 1 * MiB);
	pol->mem_min_kb = 990 * MiB;
	assert_int_equal(tick(NOW), 990 * MiB);	/* nor the floor */
}

static void test_shrink_hysteresis(void **state)
{
	pol->headroom_pct = 0;
	set_need(dom, dom->target_kb - 8 * MiB + 1);	/* under step_min */
	assert_int_equal(tick(NOW), 0);
	set_need(dom, dom->target_kb - 8 * MiB);	/* exactly step_min */
	assert_int_equal(tick(NOW), dom->target_kb - 8 * MiB);
}

static void test_shrink_cooldown(void **state)
{
	dom->last_down_ms = NOW - 29999;	/* cooldown_down 30 s */
	assert_int_equal(tick(NOW), 0);
	assert_non_null(strstr(dom->why, "shrink waits for its cooldown"));
	dom->last_down_ms = NOW - 30000;
	assert_int_equal(tick(NOW), 960 * MiB);
	/* A recent grow does not hold a shrink back. */
	dom->last_up_ms = NOW - 1;
	assert_int_equal(tick(NOW), 960 * MiB);
}

static void test_shrink_forbidden_under_pressure(void **state)
{
	dom->sig.psi_mem_some = 101;		/* pressure_low 1.00 % */
	assert_int_equal(tick(NOW), 0);
	assert_int_equal(dom->need_kb, dom->target_kb);
	assert_non_null(strstr(dom->why, "memory pressure 1.01%: no shrink"));
	dom->sig.psi_mem_some = 100;		/* not above: may shrink */
	assert_int_equal(tick(NOW), 960 * MiB);
}

/* --- growing --- */

static void test_grow_pressure_high(void **state)
{
	dom->sig.psi_mem_some = 1000;		/* pressure_high 10 %: a step more */
	assert_int_equal(need_at(NOW), 1088 * MiB);
	assert_int_equal(dom->new_target_kb, 1088 * MiB);
	assert_non_null(strstr(dom->why, "memory pressure 10.00% >= 10.00%: grow"));
	dom->sig.psi_mem_some = 999;		/* below: no shrink, no grow */
	assert_int_equal(need_at(NOW), 1 * GiB);
	assert_int_equal(dom->new_target_kb, 0);
	/* Pressure beats hysteresis: 4 MiB short of maxmem still grows. */
	dom->sig.psi_mem_some = 5000;
	dom->static_max_kb = dom->target_kb + 4 * MiB;
	assert_int_equal(tick(NOW), dom->target_kb + 4 * MiB);
}

static void test_grow_step_and_hysteresis(void **state)
{
	pol->headroom_pct = 0;
	set_need(dom, 1500 * MiB);
	assert_int_equal(need_at(NOW), 1500 * MiB);
	assert_int_equal(dom->new_target_kb, 1088 * MiB);	/* one step_max */
	/* No hysteresis on grows: a guest short by less than step_min grows. */
	set_need(dom, dom->target_kb + 8 * MiB - 1);
	assert_int_equal(tick(NOW), dom->target_kb + 8 * MiB - 1);
	set_need(dom, dom->target_kb + 8 * MiB);
	assert_int_equal(tick(NOW), dom->target_kb + 8 * MiB);
	/* At the ceiling: nothing more, whatever it needs. */
	pol->mem_max_kb = dom->target_kb;
	set_need(dom, 2 * GiB);
	assert_int_equal(need_at(NOW), dom->target_kb);
	assert_int_equal(dom->new_target_kb, 0);
}

static void test_grow_cooldown(void **state)
{
	pol->headroom_pct = 0;
	set_need(dom, 1100 * MiB);
	dom->last_up_ms = NOW - 9999;		/* cooldown_up 10 s */
	assert_int_equal(tick(NOW), 0);
	assert_non_null(strstr(dom->why, "grow waits for its cooldown"));
	dom->last_up_ms = NOW - 10000;
	assert_int_equal(tick(NOW), 1088 * MiB);
	/* Below the floor, the cooldown does not hold it back. */
	dom->target_kb = dom->cur_kb = 100 * MiB;
	set_need(dom, 10 * MiB);
	dom->last_up_ms = NOW - 1;
	assert_int_equal(tick(NOW), 128 * MiB);
}

/* Both guests want a full 64 MiB step. */
static void two_wanting(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		pol[i].headroom_pct = 0;
		set_need(&dom[i], 2 * GiB);
	}
}

static void test_grow_budget(void **state)
{
	/* reserve 256 + pending 200 + dom[1]'s unreached 100 = 556 MiB */
	struct pv_as_host h = { .free_kb = 576 * MiB, .reserve_kb = 256 * MiB, .pending_kb = 200 * MiB };

	two_wanting();
	dom[1].cur_kb = dom[1].target_kb - 100 * MiB;
	set_need(&dom[1], dom[1].target_kb);	/* holds its target */
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 20 * MiB);
	assert_int_equal(dom[1].new_target_kb, 0);
	assert_non_null(strstr(dom[0].why, "44 MiB short: host at its reserve"));
	h.free_kb = 556 * MiB;			/* nothing above it */
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	h.free_kb = 100 * MiB;			/* below the reserve */
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	h.free_kb = 4 * GiB;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 64 * MiB);
}

static void test_grow_priority_first(void **state)
{
	struct pv_as_host h = { .free_kb = 336 * MiB, .reserve_kb = 256 * MiB };	/* 80 MiB */

	two_wanting();
	pol[0].priority = 20;
	pol[1].priority = 80;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 64 * MiB);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 16 * MiB);
	/* Weight does not beat priority. */
	pol[0].weight = 1000;
	pol[1].weight = 1;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 64 * MiB);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 16 * MiB);
}

static void test_grow_shared_by_weight(void **state)
{
	struct pv_as_host h = { .free_kb = 296 * MiB, .reserve_kb = 256 * MiB };	/* 40 MiB */

	two_wanting();
	pol[0].weight = 100;
	pol[1].weight = 300;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 10 * MiB);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 30 * MiB);
	/* What a small want leaves over goes to the other: 10 + 40. */
	pol[1].weight = 100;
	set_need(&dom[0], dom[0].target_kb + 10 * MiB);
	h.free_kb = 306 * MiB;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 10 * MiB);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 40 * MiB);
}

/*
 * Growth is never withheld from a guest marked uncooperative (it is only
 * not counted on to give memory back): a guest that did not shrink may
 * still be one about to run out of memory.
 */
static void test_grow_for_uncooperative(void **state)
{
	struct pv_as_host h = { .free_kb = 336 * MiB, .reserve_kb = 256 * MiB };	/* 80 MiB */

	two_wanting();
	dom[0].uncooperative = true;
	pol[0].priority = 100;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, dom[0].target_kb + 64 * MiB);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 16 * MiB);
}

/* --- the uncooperative verdict (pv_as_judge_cooperation) --- */

#define UNCOOP_S	10

/* Judges the first guest at @now; whether it has just turned uncooperative. */
static bool judge(uint64_t now)
{
	return pv_as_judge_cooperation(dom, UNCOOP_S, now);
}

/* Asked down to 256 MiB at NOW, it keeps its 1 GiB. */
static void keeps_too_much(void)
{
	dom->target_kb = 256 * MiB;
	dom->target_set_ms = NOW;
	assert_false(judge(NOW));		/* the first look: no time yet */
}

/*
 * No debt while the balloon driver has its grace; then a second of
 * debt a second, uncooperative at UNCOOP_S seconds, said once.
 */
static void test_judge_grace_then_debt(void **state)
{
	uint64_t t;
	int i;

	keeps_too_much();
	for (t = NOW + 1000; t < NOW + PV_AS_GRACE_MS; t += 1000)
		assert_false(judge(t));
	assert_int_equal(dom->off_target_ms, 0);
	/* Once the grace is over, each second at fault is one of debt. */
	for (i = 1; i < UNCOOP_S; i++, t += 1000)
		assert_false(judge(t));
	assert_false(dom->uncooperative);
	assert_int_equal(dom->off_target_ms, (UNCOOP_S - 1) * 1000);
	assert_true(judge(t));
	assert_true(dom->uncooperative);
	assert_false(judge(t + 1000));		/* said once */
	assert_true(dom->uncooperative);
}

/*
 * Keeping to its target pays the debt at half the speed: half the time
 * on target does not clear it, keeping to it for good does, in twice
 * the time; the debt is capped (twice the limit), so that a guest long
 * at fault can still mend its ways.
 */
static void test_judge_debt_drains_at_half(void **state)
{
	uint64_t t = NOW + PV_AS_GRACE_MS;
	int i, n;

	keeps_too_much();
	assert_false(judge(t));
	for (i = 0; i < 40; i++)		/* 400 s at fault: capped */
		judge(t += 10000);
	assert_true(dom->uncooperative);
	assert_int_equal(dom->off_target_ms, 2 * UNCOOP_S * 1000);
	/* Half the time on target, half off: no progress. */
	for (i = 0; i < 20; i++) {
		dom->cur_kb = i % 2 ? 1 * GiB : 256 * MiB;
		judge(t += 1000);
		assert_true(dom->uncooperative);
	}
	/* On target for good: cleared after twice the debt, not before. */
	dom->cur_kb = 256 * MiB;
	n = 2 * (int)(dom->off_target_ms / 1000);
	for (i = 0; i < n - 1; i++) {
		judge(t += 1000);
		assert_true(dom->uncooperative);
	}
	judge(t += 1000);
	assert_int_equal(dom->off_target_ms, 0);
	assert_false(dom->uncooperative);
}

/*
 * Close to its target is on target; a long gap between two looks (a
 * stalled loop) counts for 10 s at most.
 */
static void test_judge_close_and_gaps(void **state)
{
	uint64_t t = NOW + PV_AS_GRACE_MS;

	keeps_too_much();
	dom->cur_kb = dom->target_kb + 4 * MiB;
	judge(t);
	judge(t += 60000);
	assert_int_equal(dom->off_target_ms, 0);
	dom->cur_kb = 1 * GiB;
	assert_true(judge(t += 3600000));
	assert_int_equal(dom->off_target_ms, 10000);
	/* A target just set is a fresh grace, even for a guest at fault. */
	dom->target_set_ms = t;
	judge(t += 2000);
	assert_int_equal(dom->off_target_ms, 10000 - 1000);
}

/* --- the reasons given --- */

/*
 * A reason longer than the status field keeps its beginning; a guest
 * without a policy keeps what the loop last said of it.
 */
static void test_why_truncated_and_kept(void **state)
{
	char sig_why[400];

	memset(sig_why, 'x', sizeof(sig_why) - 1);
	sig_why[sizeof(sig_why) - 1] = '\0';
	dom->sig.valid = false;
	dom->sig_why = sig_why;
	tick(NOW);
	assert_int_equal(strlen(dom->why), sizeof(dom->why) - 1);
	assert_memory_equal(dom->why, "hold: xxx", 9);
	dom->pol = NULL;
	snprintf(dom->why, sizeof(dom->why), "setting the target failed");
	tick(NOW);
	assert_string_equal(dom->why, "setting the target failed");
}

/* --- guests without signals or policy --- */

static void test_no_signals_holds(void **state)
{
	dom->sig.valid = false;
	dom->sig.psi_mem_some = 5000;		/* whatever is left there is ignored */
	dom->sig_why = "MemAvailable above MemTotal";
	assert_int_equal(need_at(NOW), dom->target_kb);
	assert_int_equal(dom->new_target_kb, 0);
	assert_string_equal(dom->why, "hold: MemAvailable above MemTotal");
	dom->sig_why = NULL;
	tick(NOW);
	assert_string_equal(dom->why, "hold: no agent data");
	/* Below the floor it is raised to it... */
	dom->target_kb = dom->cur_kb = 100 * MiB;
	assert_int_equal(tick(NOW), 128 * MiB);
	/* ...above the ceiling lowered, a step at a time. */
	pol->mem_max_kb = 512 * MiB;
	dom->target_kb = dom->cur_kb = 600 * MiB;
	assert_int_equal(tick(NOW), 536 * MiB);
	assert_false(dom->runaway);
	assert_int_equal(dom->ceiling_since_ms, 0);
}

static void test_no_signals_above_ceiling_by_little(void **state)
{
	pol[0].mem_max_kb = 512 * MiB;
	dom->sig.valid = false;
	dom->target_kb = dom->cur_kb = 516 * MiB;
	assert_int_equal(tick(NOW), 512 * MiB);
}

static void test_no_policy_left_alone(void **state)
{
	dom[0].pol = NULL;
	dom[0].vcpus = 99;			/* out of any range */
	dom[0].target_kb = 100 * MiB;		/* below any floor */
	dom[0].need_kb = 12345;
	dom[0].new_target_kb = 777;		/* stale from a previous tick */
	dom[0].new_vcpus = 3;
	pv_autoscale_decide(dom, 2, &roomy, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	assert_int_equal(dom[0].new_vcpus, 0);
	assert_int_equal(dom[0].need_kb, 12345);
	assert_int_equal(dom[1].new_target_kb, 960 * MiB);
}

static void test_no_policy_balloon_is_promised(void **state)
{
	struct pv_as_host h = { .free_kb = 600 * MiB, .reserve_kb = 256 * MiB };

	/*
	 * An unmanaged guest 300 MiB below its target will take 300 MiB
	 * of the 600 free: only 44 MiB are left above the reserve.
	 */
	dom[0].pol = NULL;
	dom[0].cur_kb = dom[0].target_kb - 300 * MiB;
	pol[1].headroom_pct = 0;
	set_need(&dom[1], 2 * GiB);
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[1].new_target_kb, dom[1].target_kb + 44 * MiB);
}

/* --- runaway --- */

static void test_runaway(void **state)
{
	pol->headroom_pct = 0;
	pol->mem_max_kb = 1 * GiB;
	set_need(dom, 2 * GiB);
	dom->static_max_kb = 2 * GiB;
	assert_false(runaway_at(NOW));
	assert_int_equal(dom->ceiling_since_ms, NOW);
	assert_int_equal(dom->need_kb, 1 * GiB);
	assert_false(runaway_at(NOW + 59999));	/* runaway_s 60 */
	assert_true(runaway_at(NOW + 60000));
	assert_true(runaway_at(NOW + 70000));
	/* Demand drops: it is no longer runaway, and the clock restarts. */
	set_need(dom, 900 * MiB);
	assert_false(runaway_at(NOW + 75000));
	assert_int_equal(dom->ceiling_since_ms, 0);
	set_need(dom, 2 * GiB);
	assert_false(runaway_at(NOW + 80000));
	assert_false(runaway_at(NOW + 139999));
	assert_true(runaway_at(NOW + 140000));
	/* Losing its signals ends it too. */
	dom->sig.valid = false;
	assert_false(runaway_at(NOW + 150000));
	/* Demand exactly at the ceiling is not runaway. */
	dom->sig.valid = true;
	set_need(dom, 1 * GiB);
	tick(NOW + 160000);
	assert_false(runaway_at(NOW + 260000));
}

/* --- vCPUs --- */

static void test_vcpu_up_after_hold(void **state)
{
	dom->sig.cpu_util = 8000;		/* 80 %: vcpu_up_util */
	assert_int_equal(vtick(NOW), 0);
	assert_int_equal(dom->util_high_since_ms, NOW);
	assert_int_equal(vtick(NOW + 19999), 0);	/* vcpu_hold 20 s */
	assert_int_equal(vtick(NOW + 20000), 3);
	/* A dip resets the clock. */
	dom->sig.cpu_util = 7999;		/* 79.99 % is 79 % */
	assert_int_equal(vtick(NOW + 25000), 0);
	assert_int_equal(dom->util_high_since_ms, 0);
	dom->sig.cpu_util = 9500;
	tick(NOW + 30000);
	assert_int_equal(vtick(NOW + 49999), 0);
	assert_int_equal(vtick(NOW + 50000), 3);
	/* Not within a hold of the last change. */
	dom->last_vcpu_ms = NOW + 40000;
	assert_int_equal(vtick(NOW + 59999), 0);
	assert_int_equal(vtick(NOW + 60000), 3);
}

static void test_vcpu_up_limits(void **state)
{
	dom->sig.cpu_util = 10000;
	dom->vcpus = 4;				/* all of maxvcpus */
	tick(NOW);
	assert_int_equal(vtick(NOW + 100000), 0);
	pol->vcpu_max = 3;			/* vcpu_max below maxvcpus */
	dom->vcpus = 3;
	dom->maxvcpus = 8;
	assert_int_equal(vtick(NOW + 200000), 0);
	pol->vcpu_max = 16;			/* maxvcpus below vcpu_max */
	dom->vcpus = 8;
	assert_int_equal(vtick(NOW + 300000), 0);
	dom->vcpus = 7;
	assert_int_equal(vtick(NOW + 300000), 8);
}

static void test_vcpu_down(void **state)
{
	dom->sig.cpu_util = 2599;		/* 25 %: vcpu_down_util */
	tick(NOW);
	assert_int_equal(dom->util_low_since_ms, NOW);
	assert_int_equal(vtick(NOW + 19999), 0);
	assert_int_equal(vtick(NOW + 20000), 1);
	dom->vcpus = 1;				/* at vcpu_min */
	assert_int_equal(vtick(NOW + 40000), 0);
	pol->vcpu_min = 2;
	dom->vcpus = 2;
	assert_int_equal(vtick(NOW + 40000), 0);
	/* Without signals, no change at all. */
	pol->vcpu_min = 1;
	dom->sig.valid = false;
	assert_int_equal(vtick(NOW + 60000), 0);
}

static void test_vcpu_out_of_range(void **state)
{
	dom->sig.valid = false;			/* corrected even without signals */
	pol->vcpu_max = 4;
	dom->maxvcpus = 8;
	dom->vcpus = 6;
	assert_int_equal(vtick(NOW), 4);
	dom->vcpus = 0;
	assert_int_equal(vtick(NOW), 1);
	pol->vcpu_min = 3;
	dom->vcpus = 2;
	assert_int_equal(vtick(NOW), 3);
	/* vcpu_min above maxvcpus: maxvcpus wins. */
	pol->vcpu_min = 6;
	pol->vcpu_max = 0;
	dom->maxvcpus = 2;
	dom->vcpus = 1;
	assert_int_equal(vtick(NOW), 2);
	/* Within range: nothing, even with a recent change. */
	dom->vcpus = 2;
	dom->last_vcpu_ms = NOW;
	assert_int_equal(vtick(NOW), 0);
}

/* --- anticipation: the growth rate, the horizon, urgency --- */

/* A report at @t ms using @used_mib MiB (MemTotal 984 MiB). */
static void report(uint64_t t, uint64_t used_mib)
{
	dom->sig.seq++;
	dom->sig.mem_avail_kb = dom->sig.mem_total_kb - used_mib * MiB;
	pv_as_note_report(dom, t);
}

static void test_rate_from_reports(void **state)
{
	report(NOW, 400);
	assert_int_equal(dom->rate_kbps, 0);
	assert_int_equal(dom->first_report_ms, NOW);
	/* Too close to say anything; then 8 MiB in 2 s. */
	report(NOW + 500, 404);
	assert_int_equal(dom->rate_kbps, 0);
	report(NOW + 2000, 408);
	assert_int_equal(dom->rate_kbps, 4 * MiB);
	/* The same report again (seq unchanged) changes nothing. */
	pv_as_note_report(dom, NOW + 2500);
	assert_int_equal(dom->hist_n, 3);
	/* A burst counts over 2 s at least: 16 MiB in the last second,
	   24 MiB in the last 3. */
	report(NOW + 3000, 424);
	assert_int_equal(dom->rate_kbps, 8 * MiB);
	/* Falling use: no growth. */
	report(NOW + 4000, 300);
	assert_int_equal(dom->rate_kbps, 0);
	/* Out of the window, a rise long ago is forgotten. */
	report(NOW + 20000, 300);
	assert_int_equal(dom->rate_kbps, 0);
	/* The history is bounded. */
	for (int i = 0; i < 3 * PV_AS_HIST; i++)
		report(NOW + 30000 + i * 1000, 300);
	assert_int_equal(dom->hist_n, PV_AS_HIST);
}

static void test_need_with_rate_and_margin(void **state)
{
	pol->headroom_pct = 0;
	pol->margin_kb = 32 * MiB;
	set_need(dom, 400 * MiB);
	dom->rate_kbps = 10 * MiB;
	dom->horizon_ms = 3000;
	/* 400 used + 10 MiB/s for 3 s, plus the 32 MiB margin. */
	assert_int_equal(need_at(NOW), 462 * MiB);
	assert_non_null(strstr(dom->why, "grows 10.0 MiB/s (3.0 s ahead)"));
	/* Without a measured horizon, the shortest. */
	dom->horizon_ms = 0;
	assert_int_equal(need_at(NOW), (400 + 20 + 32) * MiB);
	/* After an OOM kill the margin is raised, for good. */
	dom->rate_kbps = 0;
	dom->oom_new = true;
	dom->oom_kills = 1;
	need_at(NOW);
	assert_int_equal(dom->margin_extra_kb, 32 * MiB);
	assert_false(dom->oom_new);
	assert_int_equal(need_at(NOW), (400 + 64) * MiB);
}

/* Past the low water mark: a large step at once, cooldown or not. */
static void test_urgent_low_water(void **state)
{
	pol->low_water_kb = 16 * MiB;
	pol->margin_kb = 16 * MiB;
	dom->last_up_ms = NOW;			/* in its grow cooldown */
	dom->sig.mem_avail_kb = 10 * MiB;
	tick(NOW);
	assert_true(dom->urgent);
	assert_int_equal(dom->new_target_kb, dom->need_kb);
	assert_true(dom->new_target_kb >= dom->target_kb + pol->step_max_kb);
	assert_non_null(strstr(dom->why, "< low water 16 MiB: grow at once"));
	/* The large step is taken once per report, not once per tick:
	   with the target raised and no new report, no more. */
	dom->report_held_kb = dom->cur_kb;
	dom->target_kb = dom->new_target_kb;
	dom->last_up_ms = NOW;
	tick(NOW);
	assert_int_equal(dom->new_target_kb, 0);
	dom->target_kb = dom->cur_kb;
	/* Not past it, in the cooldown: waits. */
	dom->sig.mem_avail_kb = 500 * MiB;
	dom->sig.mem_total_kb = 900 * MiB;
	pol->headroom_pct = 90;
	tick(NOW);
	assert_false(dom->urgent);
	assert_int_equal(dom->new_target_kb, 0);
	assert_non_null(strstr(dom->why, "grow waits for its cooldown"));
}

/* Growing fast enough to cross the low water mark within the horizon. */
static void test_urgent_by_horizon(void **state)
{
	pol->low_water_kb = 16 * MiB;
	pol->margin_kb = 16 * MiB;		/* at least low water (validated) */
	pol->headroom_pct = 0;
	dom->last_up_ms = NOW;
	set_need(dom, dom->target_kb - 40 * MiB);	/* 40 MiB available */
	dom->rate_kbps = 8 * MiB;
	dom->horizon_ms = 2000;				/* 16 MiB more: fine */
	tick(NOW);
	assert_false(dom->urgent);
	dom->horizon_ms = 4000;				/* 32 MiB more: not */
	tick(NOW);
	assert_true(dom->urgent);
	assert_int_equal(dom->new_target_kb, dom->need_kb);
	assert_non_null(strstr(dom->why, "reaches low water within 4.0 s"));
}

/* An urgent grow the host cannot pay for is paid by the others' surplus. */
static void test_urgent_relieved_by_others(void **state)
{
	struct pv_as_host h = { .free_kb = 256 * MiB, .reserve_kb = 256 * MiB };

	pol[0].low_water_kb = 16 * MiB;
	dom[0].sig.mem_avail_kb = 8 * MiB;
	pol[1].headroom_pct = 0;
	dom[1].last_down_ms = NOW;		/* in its shrink cooldown */
	set_need(&dom[1], 200 * MiB);
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_true(dom[0].urgent);
	assert_int_equal(dom[0].new_target_kb, 0);	/* nothing free yet */
	assert_true(dom[1].new_target_kb < dom[1].target_kb);
	assert_int_equal(dom[1].target_kb - dom[1].new_target_kb,
			 dom[0].need_kb - dom[0].target_kb);
	assert_non_null(strstr(dom[1].why, "gives"));
	assert_non_null(strstr(dom[1].why, "guest short of memory"));
}

/* --- shrinking with care --- */

static void test_careful_settle(void **state)
{
	pol->settle_s = 60;
	dom->first_report_ms = NOW - 30000;
	assert_int_equal(tick(NOW), 0);
	assert_non_null(strstr(dom->why, "settling"));
	dom->first_report_ms = NOW - 60000;
	assert_int_equal(tick(NOW), 960 * MiB);
}

static void test_careful_step_pct(void **state)
{
	pol->shrink_pct = 5;			/* of 1024 MiB: 51 MiB... */
	assert_int_equal(tick(NOW), 1024 * MiB - 1024 * MiB / 100 * 5);
	pol->shrink_pct = 1;			/* ... 10 MiB: step_min wins */
	pol->step_min_kb = 16 * MiB;
	assert_int_equal(tick(NOW), 1008 * MiB);
	assert_int_equal(dom->shrink_from_kb, 1024 * MiB);
}

static void test_careful_waits_to_land(void **state)
{
	dom->last_down_ms = NOW - 100000;
	dom->cur_kb = dom->target_kb + 100 * MiB;	/* still on its way */
	assert_int_equal(tick(NOW), 0);
	assert_non_null(strstr(dom->why, "land"));
	dom->cur_kb = dom->target_kb;			/* there, but no report since */
	dom->hist_n = 1;
	dom->hist[0].t_ms = NOW - 200000;
	assert_int_equal(tick(NOW), 0);
	dom->hist[0].t_ms = NOW - 1000;			/* reported since */
	assert_int_equal(tick(NOW), 960 * MiB);
}

static void test_careful_undo_and_backoff(void **state)
{
	pol->cooldown_down_s = 10;
	dom->last_down_ms = NOW - 5000;
	dom->shrink_from_kb = 1100 * MiB;		/* shrunk from there */
	dom->sig.psi_mem_some = pol->pressure_low + 1;
	tick(NOW);
	assert_true(dom->urgent);
	assert_int_equal(dom->new_target_kb, 1100 * MiB);
	assert_int_equal(dom->backoff, 1);
	assert_int_equal(dom->shrink_from_kb, 0);
	assert_non_null(strstr(dom->why, "undone, shrinks held 20 s"));
	/* The hold is doubled: no shrink 15 s after the last. */
	dom->sig.psi_mem_some = 0;
	dom->last_down_ms = NOW - 15000;
	assert_int_equal(tick(NOW), 0);
	assert_non_null(strstr(dom->why, "cooldown"));
	assert_int_equal(tick(NOW + 5000), 960 * MiB);
	/* A shrink watched past its window held: not undone later. */
	dom->shrink_from_kb = 1100 * MiB;
	dom->last_down_ms = NOW - PV_AS_UNDO_WINDOW_MS;
	dom->sig.psi_mem_some = pol->pressure_low + 1;
	tick(NOW);
	assert_false(dom->urgent);
	assert_int_equal(dom->shrink_from_kb, 0);
}

/* --- properties over random configurations --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)	/* 0..n-1 (n > 0): xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dull >> 11) % n;
}

/* A policy within the bounds policy files allow (policy_keys.c). */
static void random_policy(struct pv_policy *p)
{
	pv_policy_init(p);
	p->priority = (unsigned int)rnd(4) * 25;	/* ties are common */
	p->weight = 1 + (unsigned int)rnd(1000);
	p->mem_min_kb = 16 * MiB + rnd(1 * GiB);
	p->mem_max_kb = rnd(3) ? 0 : p->mem_min_kb + rnd(8 * GiB);
	p->headroom_pct = (unsigned int)rnd(91);
	p->pressure_low = (unsigned int)rnd(500);
	p->pressure_high = p->pressure_low + 1 + (unsigned int)rnd(2000);
	p->step_max_kb = 4 + rnd(256 * MiB);
	p->step_min_kb = rnd(p->step_max_kb + 1);
	p->cooldown_up_s = (unsigned int)rnd(60);
	p->cooldown_down_s = (unsigned int)rnd(60);
	p->vcpu_min = 1 + (unsigned int)rnd(4);
	p->vcpu_max = rnd(2) ? 0 : p->vcpu_min + (unsigned int)rnd(8);
	p->vcpu_down_util = (unsigned int)rnd(50);
	p->vcpu_up_util = p->vcpu_down_util + 1 + (unsigned int)rnd(50);
	p->vcpu_hold_s = (unsigned int)rnd(30);
	p->runaway_s = 1 + (unsigned int)rnd(120);
	p->margin_kb = rnd(3) ? rnd(64 * MiB) : 0;
	p->low_water_kb = rnd(p->margin_kb + 1);
	p->settle_s = (unsigned int)rnd(120);
	p->shrink_pct = 1 + (unsigned int)rnd(100);
}

static uint64_t ago(uint64_t max_ms)
{
	return rnd(4) ? NOW - rnd(max_ms) : 0;
}

/* Inputs as refresh() could produce them (signals as signals.c passes). */
static void random_dom(struct pv_as_dom *d, const struct pv_policy *p)
{
	struct pv_signals *s = &d->sig;

	memset(d, 0, sizeof(*d));
	d->pol = p;
	d->static_max_kb = 64 * MiB + rnd(8 * GiB);
	d->target_kb = 16 * MiB + rnd(d->static_max_kb + 512 * MiB);
	d->cur_kb = d->target_kb - rnd(256 * MiB) + rnd(256 * MiB);
	d->maxvcpus = 1 + (unsigned int)rnd(8);
	d->vcpus = (unsigned int)rnd(11);
	d->uncooperative = rnd(10) == 0;
	d->last_up_ms = ago(100000);
	d->last_down_ms = ago(100000);
	d->last_vcpu_ms = ago(100000);
	d->ceiling_since_ms = ago(200000);
	d->util_high_since_ms = ago(60000);
	d->util_low_since_ms = ago(60000);
	s->valid = rnd(5) != 0;
	s->mem_total_kb = rnd(d->static_max_kb + 1);
	s->mem_avail_kb = rnd(s->mem_total_kb + 1);
	s->psi_mem_some = (unsigned int)rnd(3000);
	s->cpu_util = (unsigned int)rnd(10001);
	/* What the loop learnt from earlier reports and grows. */
	d->first_report_ms = ago(200000);
	d->rate_kbps = rnd(3) ? 0 : rnd(64 * MiB);
	d->horizon_ms = rnd(PV_AS_HORIZON_MAX_MS);
	d->oom_new = rnd(20) == 0;
	d->margin_extra_kb = rnd(4) ? 0 : rnd(64 * MiB);
	d->shrink_from_kb = rnd(4) ? 0 : d->target_kb + rnd(256 * MiB);
	d->backoff = (unsigned int)rnd(PV_AS_BACKOFF_MAX + 1);
	if (rnd(2)) {
		d->hist_n = 1;
		d->hist[0].t_ms = ago(100000);
	}
}

/* An invariant of case @k; the condition itself says what failed. */
#define EXPECT(k, cond) do { \
	if (!(cond)) \
		fail_msg("case %u: not (%s)", k, #cond); \
} while (0)

/*
 * What must hold for one managed guest after a tick at @now; @room: creates
 * wait for room, so shrinks may skip their steps and cooldowns.
 */
static void check_dom(const struct pv_as_dom *d, uint64_t now, bool room,
		      unsigned int k)
{
	const struct pv_policy *p = d->pol;
	uint64_t hi = p->mem_max_kb && p->mem_max_kb < d->static_max_kb ?
		      p->mem_max_kb : d->static_max_kb;
	uint64_t lo = p->mem_min_kb < hi ? p->mem_min_kb : hi;
	uint64_t t = d->target_kb, nt = d->new_target_kb, need = d->need_kb;
	unsigned int vmax = p->vcpu_max && p->vcpu_max < d->maxvcpus ?
			    p->vcpu_max : d->maxvcpus;
	unsigned int vmin = p->vcpu_min > vmax ? vmax : p->vcpu_min;
	unsigned int v = d->vcpus, nv = d->new_vcpus;
	bool v_fix = v < vmin || v > vmax;

	EXPECT(k, need >= lo && need <= hi);
	EXPECT(k, nt != t);
	if (nt && nt < t) {			/* a shrink */
		EXPECT(k, nt >= need && nt >= lo);
		EXPECT(k, !d->urgent);
		EXPECT(k, room || t - nt <= p->step_max_kb);
		EXPECT(k, room || t > hi ||
			  t - nt <= pv_max_u64(t / 100 * p->shrink_pct, p->step_min_kb));
		EXPECT(k, room || now - d->last_down_ms >= p->cooldown_down_s * 1000ull);
		EXPECT(k, room || t > hi || !d->sig.valid ||
			  now - d->first_report_ms >= p->settle_s * 1000ull);
		EXPECT(k, !d->sig.valid || d->sig.psi_mem_some <= p->pressure_low ||
			  t > hi);
	}
	if (nt > t) {				/* a grow */
		EXPECT(k, nt <= need && nt <= hi);
		EXPECT(k, d->urgent || nt - t <= p->step_max_kb);
		EXPECT(k, d->sig.valid || nt <= lo);
		EXPECT(k, d->urgent || t < lo ||
			  now - d->last_up_ms >= p->cooldown_up_s * 1000ull);
	}
	/* Urgent: short of memory now, or within the horizon. */
	EXPECT(k, !d->urgent || (d->sig.valid && need > t));
	if (nv) {
		EXPECT(k, nv >= vmin && nv <= vmax);
		EXPECT(k, v_fix || (d->sig.valid && (nv == v + 1 || nv + 1 == v)));
	}
	EXPECT(k, !d->runaway || (d->sig.valid && need == hi));
}

static bool grew(const struct pv_as_dom *d)
{
	return d->pol && d->new_target_kb > d->target_kb;
}

static bool short_of(const struct pv_as_dom *d)
{
	return d->pol && strstr(d->why, "host at its reserve");
}

static void test_random_invariants(void **state)
{
	enum { CASES = 10000, MAXN = 8 };
	struct pv_policy pols[MAXN];
	struct pv_as_dom d[MAXN], again[MAXN];
	unsigned int k;

	for (k = 0; k < CASES; k++) {
		struct pv_as_host h;
		uint64_t promised, less, grown = 0;
		size_t n = 1 + rnd(MAXN), i, j;
		bool urgent;

		h.reserve_kb = rnd(1 * GiB);
		h.pending_kb = rnd(4) ? 0 : rnd(1 * GiB);
		promised = h.reserve_kb + h.pending_kb;
		for (i = 0; i < n; i++) {
			random_policy(&pols[i]);
			random_dom(&d[i], rnd(6) ? &pols[i] : NULL);
			d[i].domid = (uint32_t)i + 1;
			if (d[i].target_kb > d[i].cur_kb)
				promised += d[i].target_kb - d[i].cur_kb;
		}
		/* Mostly a host with little to spare, so that grows compete. */
		h.free_kb = rnd(3) ? promised + rnd(512 * MiB) : rnd(16 * GiB);
		less = rnd(64 * MiB);
		h.free_kb = h.free_kb > less ? h.free_kb - less : 0;
		memcpy(again, d, sizeof(d));
		pv_autoscale_decide(d, n, &h, NOW);
		/* Creates or urgent grows wait: shrinks may skip their steps. */
		for (i = 0, urgent = false; i < n; i++)
			urgent |= d[i].pol && d[i].urgent;
		for (i = 0; i < n; i++) {
			EXPECT(k, d[i].pol || (!d[i].new_target_kb && !d[i].new_vcpus));
			if (d[i].pol)
				check_dom(&d[i], NOW, h.pending_kb || urgent, k);
			if (grew(&d[i]))
				grown += d[i].new_target_kb - d[i].target_kb;
		}
		/* The reserve and what is promised are never handed out. */
		EXPECT(k, grown <= (h.free_kb > promised ? h.free_kb - promised : 0));
		/* Short of memory: nothing went to a lower priority, unless
		   urgent, and nothing to anyone while an urgent grow waits. */
		for (i = 0; i < n; i++)
			for (j = 0; j < n && short_of(&d[i]); j++)
				EXPECT(k, !grew(&d[j]) || d[j].urgent ||
					  (!d[i].urgent &&
					   d[j].pol->priority >= d[i].pol->priority));
		/* Room still short: no guest is left holding more than it needs. */
		for (i = 0; i < n && h.short_kb && h.short_kb <= h.reserve_kb; i++)
			EXPECT(k, !d[i].pol || d[i].uncooperative ||
				  (d[i].new_target_kb ? d[i].new_target_kb :
				   d[i].target_kb) <= d[i].need_kb);
		EXPECT(k, !h.short_kb || h.pending_kb);
		/* Hopeless: nobody shrunk for it beyond the usual steps
		   (but for a guest that must grow at once). */
		for (i = 0; i < n && h.short_kb > h.reserve_kb && !urgent; i++)
			EXPECT(k, !d[i].pol || !d[i].new_target_kb ||
				  d[i].new_target_kb > d[i].target_kb ||
				  d[i].target_kb - d[i].new_target_kb <= d[i].pol->step_max_kb);
		/* Pure: the same inputs give the same decisions, to the byte. */
		pv_autoscale_decide(again, n, &h, NOW);
		EXPECT(k, !memcmp(again, d, n * sizeof(*d)));
	}
}

/* --- room for creates --- */

/*
 * Two guests holding 1 GiB that need 128 MiB, both still in their shrink
 * cooldown; the host has 100 MiB free, keeps 64 and a create waits for
 * @pending_mib.
 */
static struct pv_as_host room_for(uint64_t pending_mib)
{
	struct pv_as_host h = { .free_kb = 100 * MiB, .reserve_kb = 64 * MiB, .pending_kb = pending_mib * MiB };
	int i;

	for (i = 0; i < 2; i++) {
		pol[i].headroom_pct = 0;
		pol[i].mem_min_kb = 64 * MiB;
		pol[i].cooldown_down_s = 60;
		dom[i].last_down_ms = NOW;
		set_need(&dom[i], 128 * MiB);
	}
	pol[0].priority = 20;
	pol[1].priority = 80;
	return h;
}

static void test_room_lowest_priority_pays(void **state)
{
	struct pv_as_host h = room_for(300);

	pv_autoscale_decide(dom, 2, &h, NOW);
	/* 64 + 300 wanted, 100 free: 264 MiB at once, past step and cooldown */
	assert_int_equal(dom[0].new_target_kb, 1 * GiB - 264 * MiB);
	assert_int_equal(dom[1].new_target_kb, 0);
	assert_int_equal(h.coming_kb, 264 * MiB);
	assert_int_equal(h.short_kb, 0);
	assert_non_null(strstr(dom[0].why, "gives 264 MiB to make room"));
}

static void test_room_short(void **state)
{
	struct pv_as_host h = room_for(1850);

	pv_autoscale_decide(dom, 2, &h, NOW);
	/* 64 + 1850 - 100 wanted; both down to their need: 22 MiB missing. */
	assert_int_equal(dom[0].new_target_kb, 128 * MiB);
	assert_int_equal(dom[1].new_target_kb, 128 * MiB);
	assert_int_equal(h.coming_kb, 2 * 896 * MiB);
	assert_int_equal(h.short_kb, 22 * MiB);
	/* Beyond what the reserve could make up for: nobody is shrunk. */
	h = room_for(1900);
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	assert_int_equal(dom[1].new_target_kb, 0);
	assert_int_equal(h.coming_kb, 0);
	assert_int_equal(h.short_kb, 72 * MiB);
}

static void test_room_counts_what_is_coming(void **state)
{
	struct pv_as_host h = room_for(300);

	/* dom[1] is still giving back 300 MiB of an earlier shrink. */
	dom[1].cur_kb = dom[1].target_kb + 300 * MiB;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	assert_int_equal(dom[1].new_target_kb, 0);
	assert_int_equal(h.coming_kb, 300 * MiB);
	assert_int_equal(h.short_kb, 0);
}

static void test_room_not_from_the_unknown(void **state)
{
	struct pv_as_host h = room_for(300);

	/* Without signals a guest's need is unknown: it gives nothing. */
	dom[0].sig.valid = false;
	dom[1].uncooperative = true;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	assert_int_equal(dom[1].new_target_kb, 0);
	assert_int_equal(h.short_kb, 264 * MiB);
	/* Nothing pending: no room is made, only the usual (cooled) shrinks. */
	h = room_for(0);
	dom[0].sig.valid = true;
	dom[1].uncooperative = false;
	pv_autoscale_decide(dom, 2, &h, NOW);
	assert_int_equal(dom[0].new_target_kb, 0);
	assert_int_equal(h.short_kb, 0);
}

/* --- a guest that lies --- */

/*
 * Its report is plausible (all of its memory in use, 100 % pressure), so
 * it is believed: it grows, a step per cooldown, to its ceiling and never
 * past it. With no memory_max that ceiling is its maxmem (static-max,
 * which only dom0 can write), so no guest's is unbounded; held there, it
 * is flagged runaway.
 */
static void test_liar_stops_at_ceiling(void **state)
{
	uint64_t now = NOW, reached = 0, t;
	int i;

	assert_int_equal(pol->mem_max_kb, 0);	/* no memory_max */
	dom->static_max_kb = 2 * GiB;
	for (i = 0; i < 100; i++, now += 10000) {
		dom->sig.seq++;
		dom->sig.mem_total_kb = dom->cur_kb - 40 * MiB;
		dom->sig.mem_avail_kb = 0;
		dom->sig.psi_mem_some = 10000;
		t = tick(now);
		if (t) {
			assert_true(t > dom->target_kb);
			assert_true(t <= dom->static_max_kb);
			dom->target_kb = dom->cur_kb = t;
		}
		if (!reached && dom->cur_kb == dom->static_max_kb)
			reached = now;
	}
	assert_int_not_equal(reached, 0);
	assert_int_equal(dom->cur_kb, 2 * GiB);
	assert_int_equal(dom->need_kb, 2 * GiB);
	assert_true(dom->runaway);
	/* A memory_max below its maxmem holds it lower: back down to it. */
	pol->mem_max_kb = 1536 * MiB;
	for (i = 0; i < 100; i++, now += 10000) {
		dom->sig.seq++;
		dom->sig.mem_total_kb = dom->cur_kb - 40 * MiB;
		t = tick(now);
		if (t)
			dom->target_kb = dom->cur_kb = t;
	}
	assert_int_equal(dom->cur_kb, 1536 * MiB);
	assert_true(dom->runaway);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_need_formula, fresh),
		cmocka_unit_test_setup(test_need_clamped, fresh),
		cmocka_unit_test_setup(test_shrink_step_and_need, fresh),
		cmocka_unit_test_setup(test_shrink_hysteresis, fresh),
		cmocka_unit_test_setup(test_shrink_cooldown, fresh),
		cmocka_unit_test_setup(test_shrink_forbidden_under_pressure, fresh),
		cmocka_unit_test_setup(test_grow_pressure_high, fresh),
		cmocka_unit_test_setup(test_grow_step_and_hysteresis, fresh),
		cmocka_unit_test_setup(test_grow_cooldown, fresh),
		cmocka_unit_test_setup(test_grow_budget, fresh),
		cmocka_unit_test_setup(test_grow_priority_first, fresh),
		cmocka_unit_test_setup(test_grow_shared_by_weight, fresh),
		cmocka_unit_test_setup(test_grow_for_uncooperative, fresh),
		cmocka_unit_test_setup(test_judge_grace_then_debt, fresh),
		cmocka_unit_test_setup(test_judge_debt_drains_at_half, fresh),
		cmocka_unit_test_setup(test_judge_close_and_gaps, fresh),
		cmocka_unit_test_setup(test_why_truncated_and_kept, fresh),
		cmocka_unit_test_setup(test_no_signals_holds, fresh),
		cmocka_unit_test_setup(test_no_signals_above_ceiling_by_little, fresh),
		cmocka_unit_test_setup(test_no_policy_left_alone, fresh),
		cmocka_unit_test_setup(test_no_policy_balloon_is_promised, fresh),
		cmocka_unit_test_setup(test_runaway, fresh),
		cmocka_unit_test_setup(test_vcpu_up_after_hold, fresh),
		cmocka_unit_test_setup(test_vcpu_up_limits, fresh),
		cmocka_unit_test_setup(test_vcpu_down, fresh),
		cmocka_unit_test_setup(test_vcpu_out_of_range, fresh),
		cmocka_unit_test_setup(test_room_lowest_priority_pays, fresh),
		cmocka_unit_test_setup(test_room_short, fresh),
		cmocka_unit_test_setup(test_room_counts_what_is_coming, fresh),
		cmocka_unit_test_setup(test_room_not_from_the_unknown, fresh),
		cmocka_unit_test_setup(test_rate_from_reports, fresh),
		cmocka_unit_test_setup(test_need_with_rate_and_margin, fresh),
		cmocka_unit_test_setup(test_urgent_low_water, fresh),
		cmocka_unit_test_setup(test_urgent_by_horizon, fresh),
		cmocka_unit_test_setup(test_urgent_relieved_by_others, fresh),
		cmocka_unit_test_setup(test_careful_settle, fresh),
		cmocka_unit_test_setup(test_careful_step_pct, fresh),
		cmocka_unit_test_setup(test_careful_waits_to_land, fresh),
		cmocka_unit_test_setup(test_careful_undo_and_backoff, fresh),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test_setup(test_liar_stops_at_ceiling, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
