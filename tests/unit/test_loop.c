/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_loop.c: lib/balloon/loop.c on the simulated hypervisor: a guest's
 * report is acted on when its watch fires (not at the next tick), the
 * audit line says how fast, the balloon is followed until it lands, an
 * OOM kill in the guest is an event, a guest that keeps more than its
 * target is found out however it games the check; shrinks are applied
 * before grows and grows only from what the host has, the audit lines
 * say what was done to whom, a policy reload takes effect (or the old
 * policies stay), and domains that appear or vanish in the middle of a
 * tick are taken in or forgotten at the next.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lib/balloon/loop.h"
#include "proto/agent.h"
#include "helpers.h"

#define MiB	1024ull

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The policy every guest gets, with shrinks held @down seconds. */
#define POLICY_DOWN(down) \
	"match = '*'\nmemory_min = 64m\nheadroom = 20\nmargin = 16m\n" \
	"low_water = 8m\nsettle = 0\ncooldown_up = 600\n" \
	"cooldown_down = " down "\nstep_max = 64m\n"
#define POLICY		POLICY_DOWN("600")
#define SHRINKING	POLICY_DOWN("0")	/* for the apply tests */

/* The loop over @f's simulated host, with policy @policy for every guest. */
static void as_start_with(struct fx *f, struct pv_autoscale *as,
			  const char *host, const char *policy)
{
	char *dir = fx_path(f, "policy.d"), *h;
	struct pv_err err;

	assert_int_equal(mkdir(dir, 0700), 0);
	h = pv_asprintf("%s\naudit_log = \"%s/audit\"\n", host, f->tmp);
	fx_put_file(f, "policy.d/host.policy", h);
	free(h);
	fx_put_file(f, "policy.d/10-all.policy", policy);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_init(as, &f->ctx, dir, &err), 0);
	pv_err_dispose(&err);
	free(dir);
}

static void as_start(struct fx *f, struct pv_autoscale *as, const char *host)
{
	as_start_with(f, as, host, POLICY);
}

/* The guest's agent: a report, as the guest, seq last. */
static void report(struct fx *f, uint32_t domid, uint64_t seq, uint64_t total_kb,
		   uint64_t avail_kb, uint64_t oom_kills, uint64_t time_ms)
{
	char path[64], val[32];
	struct { const char *key; uint64_t v; } n[] = {
		{ pv_agent_nodes[PV_F_MEM_TOTAL_KB].name, total_kb },
		{ pv_agent_nodes[PV_F_MEM_AVAILABLE_KB].name, avail_kb },
		{ pv_agent_nodes[PV_F_OOM_KILLS].name, oom_kills },
		{ pv_agent_nodes[PV_F_TIME_MS].name, time_ms },
		{ pv_agent_seq.name, seq },
	};
	size_t i;

	pv_sim_set_caller(f->s, domid);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		snprintf(path, sizeof(path), PV_AGENT_XS_DIR "%s", n[i].key);
		snprintf(val, sizeof(val), "%llu", (unsigned long long)n[i].v);
		assert_int_equal(f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path,
						     val, strlen(val)), 0);
	}
	pv_sim_set_caller(f->s, 0);
}

static uint64_t target_of(struct fx *f, uint32_t domid)
{
	char *v = fx_dom_get(f, domid, "memory/target");
	uint64_t t = strtoull(v, NULL, 10);

	free(v);
	return t;
}

/* Whether @line has "@key":@num, the whole number. */
static bool has_num(const char *line, const char *key, long long num)
{
	char *k = pv_asprintf("\"%s\":%lld", key, num);
	const char *at = strstr(line, k);
	bool yes = at && !strchr("0123456789", at[strlen(k)]);

	free(k);
	return yes;
}

/*
 * The first audit line with "action":"@action" and, unless @domid is -1,
 * "domid":@domid, or NULL (a copy); *at, if not NULL, gets its number
 * (0 for the first line).
 */
static char *audit_find(struct fx *f, const char *action, int domid, int *at)
{
	char *path = fx_path(f, "audit"), *line = NULL;
	char *key = pv_asprintf("\"action\":\"%s\"", action);
	struct pv_err err;
	struct pv_buf b;
	size_t pos = 0;
	int n = 0;

	pv_buf_init(&b);
	pv_err_init(&err);
	if (pv_buf_read_file(&b, path, 0, &err) == 0 && b.s) {
		while (pos < b.len && !line) {
			const char *nl = memchr(b.s + pos, '\n', b.len - pos);
			size_t len = nl ? (size_t)(nl - (b.s + pos)) :
					  b.len - pos;
			char *one = pv_strndup(b.s + pos, len);

			if (strstr(one, key) &&
			    (domid < 0 || has_num(one, "domid", domid)))
				line = one;
			else
				free(one);
			pos += len + 1;
			n++;
		}
	}
	if (at)
		*at = line ? n - 1 : -1;
	pv_err_dispose(&err);
	pv_buf_dispose(&b);
	free(key);
	free(path);
	return line;
}

/* The audit line with "action":"@action", or NULL (a copy). */
static char *audit_line(struct fx *f, const char *action)
{
	return audit_find(f, action, -1, NULL);
}

/* Whether the audit log has an @action line for @domid. */
static bool audited(struct fx *f, const char *action, uint32_t domid)
{
	char *line = audit_find(f, action, (int)domid, NULL);

	free(line);
	return line != NULL;
}

/* --- a report acted on at once --- */

struct play {
	struct fx *f;
	struct pv_autoscale *as;
	volatile int stop;
	uint32_t domid;
	unsigned int step, calls;
	char *events[8];
	size_t nevents;
};

static void on_event(void *arg, const char *json)
{
	struct play *p = arg;

	if (p->nevents < 8)
		p->events[p->nevents++] = pv_strdup(json);
	if (strstr(json, "\"oom-kill\""))
		p->stop = 1;
}

/*
 * The guest, played whenever the loop looks for XenStore events: it
 * runs short of memory (once the loop watches its reports), follows
 * its new target like a balloon driver, then has an OOM kill.
 */
static void guest_plays(struct pv_sim *s, void *arg)
{
	struct play *p = arg;
	uint64_t t = target_of(p->f, p->domid);
	char *line;

	if (++p->calls > 40)
		p->stop = 1;			/* a bound, whatever happens */
	switch (p->step) {
	case 0:		/* 4 MiB available of 400: below low water */
		if (!p->as->n || !p->as->doms[0].watched)
			return;
		report(p->f, p->domid, 2, 400 * MiB, 4 * MiB, 0, wall_ms() - 30);
		p->step++;
		return;
	case 1:		/* the grow is written: the balloon follows */
		if (t <= 512 * MiB)
			return;
		assert_int_equal(pv_sim_domain_set_mem(s, p->domid, t), 0);
		p->step++;
		return;
	case 2:		/* it landed: then the guest's kernel kills */
		line = audit_line(p->f, "reached");
		if (!line)
			return;
		free(line);
		report(p->f, p->domid, 3, 480 * MiB, 200 * MiB, 1, wall_ms());
		p->step++;
		return;
	}
}

static void test_report_acted_on_at_once(void **state)
{
	struct fx *f = *state;
	struct pv_autoscale as;
	struct play p = { .f = f, .as = &as };
	struct pv_err err;
	char *line;
	size_t i;

	/* A long interval: only the report can explain a quick grow. */
	as_start(f, &as, "host_reserve = 0\ninterval = 3600\n");
	p.domid = fx_create(f, "g1", "memory = 512\nmaxmem = 2048\n");
	report(f, p.domid, 1, 400 * MiB, 300 * MiB, 0, wall_ms());
	as.event = on_event;
	as.event_arg = &p;
	pv_sim_on_idle(f->s, guest_plays, &p);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_run(&as, &p.stop, &(volatile int){ 0 },
					  &err), 0);
	pv_err_dispose(&err);
	pv_sim_on_idle(f->s, NULL, NULL);
	assert_int_equal(p.step, 3);

	/* Urgent, at once: 64 MiB at least, with its timings. */
	line = audit_line(f, "grow-urgent");
	assert_non_null(line);
	assert_non_null(strstr(line, "\"report_age_ms\":"));
	assert_non_null(strstr(line, "\"decide_ms\":"));
	assert_non_null(strstr(line, "\"write_ms\":"));
	assert_non_null(strstr(line, "low water"));
	free(line);
	assert_true(target_of(f, p.domid) >= 576 * MiB);
	/* The landing, and the reaction it measured. */
	line = audit_line(f, "reached");
	assert_non_null(strstr(line, "\"reach_ms\":"));
	assert_non_null(strstr(line, "\"reaction_ms\":"));
	free(line);
	assert_true(as.doms[0].horizon_ms >= PV_AS_HORIZON_MIN_MS);
	/* The OOM kill: an event, counted, in the status. */
	assert_int_equal(as.doms[0].oom_kills, 1);
	line = audit_line(f, "oom-kill");
	assert_non_null(line);
	assert_non_null(strstr(line, "\"oom_kills\":1"));
	free(line);
	for (i = 0; i < p.nevents; i++)
		free(p.events[i]);
	assert_true(p.nevents >= 1);
	pv_autoscale_dispose(&as);
}

/* --- uncooperative guests --- */

static void tick_after(struct pv_autoscale *as, unsigned int ms)
{
	struct pv_err err;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_tick(as, false, &err), 0);
	pv_err_dispose(&err);
}

/*
 * A guest asked to go down to 256 MiB that keeps 512, giving back a
 * page now and then to look busy: uncooperative after 1 s of it (the
 * grace of a fresh target aside), and it stays so while it alternates.
 */
static void test_uncooperative_gamed(void **state)
{
	struct fx *f = *state;
	struct pv_autoscale as;
	uint32_t domid;
	uint64_t cur = 512 * MiB;
	int i;

	as_start(f, &as, "host_reserve = 0\nuncooperative_after = 1\n");
	domid = fx_create(f, "g1", "memory = 512\nmaxmem = 1024\n");
	report(f, domid, 1, 400 * MiB, 300 * MiB, 0, 0);
	tick_after(&as, 0);
	assert_false(as.doms[0].uncooperative);
	/* An operator's mem-set, long ago as far as the grace goes. */
	assert_int_equal(xs_put(f, "/local/domain/1/memory/target", "262144"), 0);
	for (i = 0; i < 4; i++) {
		cur -= 4;			/* a page */
		assert_int_equal(pv_sim_domain_set_mem(f->s, domid, cur), 0);
		tick_after(&as, 400);
	}
	assert_true(as.doms[0].uncooperative);
	/* Keeping to its target now and then does not clear it. */
	assert_int_equal(pv_sim_domain_set_mem(f->s, domid, 256 * MiB), 0);
	tick_after(&as, 300);
	assert_int_equal(pv_sim_domain_set_mem(f->s, domid, cur), 0);
	tick_after(&as, 300);
	assert_true(as.doms[0].uncooperative);
	/* Keeping to it for good does, once the debt is paid. */
	assert_int_equal(pv_sim_domain_set_mem(f->s, domid, 256 * MiB), 0);
	for (i = 0; i < 12 && as.doms[0].uncooperative; i++)
		tick_after(&as, 400);
	assert_false(as.doms[0].uncooperative);
	pv_autoscale_dispose(&as);
}

/* --- applying decisions --- */

static void tick_now(struct pv_autoscale *as)
{
	struct pv_err err;

	pv_err_init(&err);
	if (pv_autoscale_tick(as, true, &err))
		fail_msg("tick failed: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
}

/*
 * A guest short of memory (domid 1) and one holding too much (domid 2)
 * on a host with 100 MiB free: the shrink is written before the grow,
 * though the grower comes first in the loop's order, and the grow gets
 * what the host has free, not what the shrink will give back once its
 * balloon has moved. The audit lines say what was done to whom, and why.
 */
static void test_apply_shrinks_first(void **state)
{
	struct fx *f = *state;
	struct pv_autoscale as;
	uint32_t grower, shrinker;
	int at_shrink, at_grow;
	char *shrink, *grow;

	pv_sim_set_host(f->s, 4, 8192 * MiB, (512 + 1024 + 100) * MiB);
	as_start_with(f, &as, "host_reserve = 0\ninterval = 3600\n", SHRINKING);
	grower = fx_create(f, "grower", "memory = 512\nmaxmem = 2048\n");
	shrinker = fx_create(f, "shrinker", "memory = 1024\nmaxmem = 2048\n");
	assert_true(grower < shrinker);
	report(f, grower, 1, 500 * MiB, 4 * MiB, 0, wall_ms());
	report(f, shrinker, 1, 1000 * MiB, 900 * MiB, 0, wall_ms());
	tick_now(&as);

	shrink = audit_find(f, "shrink", (int)shrinker, &at_shrink);
	grow = audit_find(f, "grow-urgent", (int)grower, &at_grow);
	assert_non_null(shrink);
	assert_non_null(grow);
	assert_true(at_shrink < at_grow);
	assert_false(audited(f, "shrink", grower));
	/* What the host had free, no more. */
	assert_int_equal(target_of(f, grower), 612 * MiB);
	assert_true(has_num(grow, "from", 512 * MiB));
	assert_true(has_num(grow, "to", 612 * MiB));
	assert_true(has_num(grow, "host_free_kb", 100 * MiB));
	assert_non_null(strstr(grow, "\"name\":\"grower\""));
	assert_non_null(strstr(grow, "< low water 8 MiB: grow at once"));
	assert_non_null(strstr(grow, "MiB short: host at its reserve"));
	assert_non_null(strstr(grow, "\"urgent\":true"));
	assert_non_null(strstr(grow, "\"write_ms\":"));
	/* The shrink: one step (64 MiB) towards its need. */
	assert_true(has_num(shrink, "from", 1024 * MiB));
	assert_true(has_num(shrink, "to", (1024 - 64) * MiB));
	assert_int_equal(target_of(f, shrinker), (1024 - 64) * MiB);
	assert_non_null(strstr(shrink, "\"name\":\"shrinker\""));
	assert_non_null(strstr(shrink, "10-all.policy\""));
	assert_non_null(strstr(shrink, "needs 165 MiB"));
	assert_true(has_num(shrink, "memory_kb", 1024 * MiB));
	assert_true(has_num(shrink, "need_kb", 165 * MiB));
	/* What the loop read of the domain (lib/domain's getters). */
	assert_int_equal(as.doms[1].static_max_kb, 2048 * MiB);
	assert_int_equal(as.doms[1].vcpus, 1);
	assert_true(has_num(shrink, "vcpus", 1));
	free(shrink);
	free(grow);
	pv_autoscale_dispose(&as);
}

/* --- domains coming and going in the middle of a tick --- */

/*
 * The simulator's domain_setmaxmem, wrapped: at the first target the
 * loop writes (after it has read every domain, before it has applied
 * every decision), a domain is destroyed and another one created.
 */
static struct {
	struct fx *f;
	const struct pv_hv_ops *real;
	uint32_t destroy;
	uint32_t created;
	bool busy, done;
} midtick;

static int setmaxmem_midtick(void *h, uint32_t domid, uint64_t kb)
{
	struct pv_err err;

	if (!midtick.busy && !midtick.done) {
		midtick.busy = true;
		pv_err_init(&err);
		assert_int_equal(pv_domain_destroy(&midtick.f->ctx,
						   midtick.destroy, &err), 0);
		pv_err_dispose(&err);
		midtick.created = fx_create(midtick.f, "newcomer",
					    "memory = 256\nmaxmem = 512\n");
		midtick.busy = false;
		midtick.done = true;
	}
	return midtick.real->domain_setmaxmem(h, domid, kb);
}

static void test_domains_mid_tick(void **state)
{
	struct fx *f = *state;
	struct pv_hv_ops ops = *f->ctx.hv.ops;
	struct pv_autoscale as;
	uint32_t a, b, c;

	as_start_with(f, &as, "host_reserve = 0\ninterval = 3600\n", SHRINKING);
	a = fx_create(f, "a", "memory = 1024\nmaxmem = 2048\n");
	b = fx_create(f, "b", "memory = 1024\nmaxmem = 2048\n");
	c = fx_create(f, "c", "memory = 1024\nmaxmem = 2048\n");
	report(f, a, 1, 1000 * MiB, 900 * MiB, 0, wall_ms());
	report(f, b, 1, 1000 * MiB, 900 * MiB, 0, wall_ms());
	report(f, c, 1, 1000 * MiB, 900 * MiB, 0, wall_ms());

	midtick.f = f;
	midtick.real = f->ctx.hv.ops;
	midtick.destroy = b;
	ops.domain_setmaxmem = setmaxmem_midtick;
	f->ctx.hv.ops = &ops;
	tick_now(&as);
	f->ctx.hv.ops = midtick.real;
	assert_true(midtick.done);

	/* The others were shrunk; the one gone was not written to. */
	assert_true(audited(f, "shrink", a));
	assert_true(audited(f, "shrink", c));
	assert_false(audited(f, "shrink", b));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/2"));
	assert_int_equal(as.n, 3);
	assert_int_equal(as.doms[1].domid, b);
	assert_non_null(strstr(as.doms[1].why, "setting the target failed: "));

	/* The next tick forgets it and takes the newcomer in. */
	tick_now(&as);
	assert_int_equal(as.n, 3);
	assert_int_equal(as.doms[0].domid, a);
	assert_int_equal(as.doms[1].domid, c);
	assert_int_equal(as.doms[2].domid, midtick.created);
	assert_string_equal(as.doms[2].name, "newcomer");
	assert_non_null(as.doms[2].pol);
	pv_autoscale_dispose(&as);
}

/* --- policy reload --- */

struct reload_play {
	struct fx *f;
	struct pv_autoscale *as;
	volatile int stop, reload;
	uint32_t domid;
	unsigned int step, calls;
	uint64_t min_kb;	/* the floor in force after the failed reload */
};

/*
 * While the loop waits: a broken policy and a reload (refused, the old
 * policies stay), then a good one that raises the floor, a reload and a
 * report (acted on under the new policy), then the end.
 */
static void reload_plays(struct pv_sim *s, void *arg)
{
	struct reload_play *p = arg;

	if (++p->calls > 20)
		p->stop = 1;
	if (p->reload)
		return;			/* the loop has not seen the last one */
	switch (p->step++) {
	case 0:
		fx_put_file(p->f, "policy.d/10-all.policy",
			 "match = '*'\nbogus = 1\n");
		p->reload = 1;
		return;
	case 1:
		if (p->as->policies.n)
			p->min_kb = p->as->policies.policies[0].mem_min_kb;
		fx_put_file(p->f, "policy.d/10-all.policy",
			 "match = '*'\nmemory_min = 700m\nstep_max = 1g\n");
		p->reload = 1;
		report(p->f, p->domid, 2, 500 * MiB, 400 * MiB, 0, wall_ms());
		return;
	default:
		p->stop = 1;
	}
}

static void test_reload(void **state)
{
	struct fx *f = *state;
	struct pv_autoscale as;
	struct reload_play p = { .f = f, .as = &as };
	struct pv_err err;
	int at_failed, at_reloaded, at_grow;
	char *failed, *reloaded, *grow, *dir;

	as_start(f, &as, "host_reserve = 0\ninterval = 3600\n");
	p.domid = fx_create(f, "g1", "memory = 512\nmaxmem = 2048\n");
	report(f, p.domid, 1, 500 * MiB, 400 * MiB, 0, wall_ms());
	pv_sim_on_idle(f->s, reload_plays, &p);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_run(&as, &p.stop, &p.reload, &err), 0);
	pv_err_dispose(&err);
	pv_sim_on_idle(f->s, NULL, NULL);
	assert_int_equal(p.step, 3);
	assert_int_equal(p.min_kb, 64 * MiB);	/* the old policy stayed */

	failed = audit_find(f, "reload-failed", -1, &at_failed);
	assert_non_null(failed);
	assert_non_null(strstr(failed, "bogus"));
	reloaded = audit_find(f, "reloaded", -1, &at_reloaded);
	assert_non_null(reloaded);
	dir = fx_path(f, "policy.d");
	assert_non_null(strstr(reloaded, dir));
	free(dir);
	assert_true(at_failed < at_reloaded);
	/* The new floor, at the report that followed the reload. */
	grow = audit_find(f, "grow", (int)p.domid, &at_grow);
	assert_non_null(grow);
	assert_true(at_reloaded < at_grow);
	assert_true(has_num(grow, "to", 700 * MiB));
	assert_int_equal(target_of(f, p.domid), 700 * MiB);
	assert_int_equal(as.policies.policies[0].mem_min_kb, 700 * MiB);
	free(failed);
	free(reloaded);
	free(grow);
	pv_autoscale_dispose(&as);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_acted_on_at_once,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_uncooperative_gamed,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_shrinks_first,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_domains_mid_tick,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
