/*
 * test_loop.c: lib/balloon/loop.c on the simulated hypervisor: a guest's
 * report is acted on when its watch fires (not at the next tick), the
 * audit line says how fast, the balloon is followed until it lands, an
 * OOM kill in the guest is an event, and a guest that keeps more than
 * its target is found out however it games the check.
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
#include "helpers.h"

#define MiB	1024ull

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void put_file(struct fx *f, const char *name, const char *text)
{
	char *path = fx_path(f, name);
	FILE *o = fopen(path, "w");

	assert_non_null(o);
	fputs(text, o);
	fclose(o);
	free(path);
}

/* The loop over @f's simulated host, with one policy for every guest. */
static void as_start(struct fx *f, struct pv_autoscale *as, const char *host)
{
	char *dir = fx_path(f, "policy.d"), *h;
	struct pv_err err;

	assert_int_equal(mkdir(dir, 0700), 0);
	h = pv_asprintf("%s\naudit_log = \"%s/audit\"\n", host, f->tmp);
	put_file(f, "policy.d/host.policy", h);
	free(h);
	put_file(f, "policy.d/10-all.policy",
		 "match = '*'\nmemory_min = 64m\nheadroom = 20\nmargin = 16m\n"
		 "low_water = 8m\nsettle = 0\ncooldown_up = 600\n"
		 "cooldown_down = 600\nstep_max = 64m\n");
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_init(as, &f->ctx, dir, &err), 0);
	pv_err_dispose(&err);
	free(dir);
}

/* The guest's agent: a report, as the guest, seq last. */
static void report(struct fx *f, uint32_t domid, uint64_t seq, uint64_t total_kb,
		   uint64_t avail_kb, uint64_t oom_kills, uint64_t time_ms)
{
	char path[64], val[32];
	struct { const char *key; uint64_t v; } n[] = {
		{ "mem_total_kb", total_kb }, { "mem_available_kb", avail_kb },
		{ "oom_kills", oom_kills }, { "time_ms", time_ms }, { "seq", seq },
	};
	size_t i;

	pv_sim_set_caller(f->s, domid);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		snprintf(path, sizeof(path), "data/pvctl/%s", n[i].key);
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

/* The audit line with "action":"@action", or NULL (a copy). */
static char *audit_line(struct fx *f, const char *action)
{
	char *path = fx_path(f, "audit"), *line = NULL;
	char *key = pv_asprintf("\"action\":\"%s\"", action);
	struct pv_err err;
	struct pv_buf b;
	size_t at = 0;

	pv_buf_init(&b);
	pv_err_init(&err);
	if (pv_buf_read_file(&b, path, 0, &err) == 0 && b.s) {
		while (at < b.len && !line) {
			const char *nl = memchr(b.s + at, '\n', b.len - at);
			size_t len = nl ? (size_t)(nl - (b.s + at)) : b.len - at;
			char *one = pv_strndup(b.s + at, len);

			if (strstr(one, key))
				line = one;
			else
				free(one);
			at += len + 1;
		}
	}
	pv_err_dispose(&err);
	pv_buf_dispose(&b);
	free(key);
	free(path);
	return line;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_acted_on_at_once,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_uncooperative_gamed,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
