/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_meter.c: lib/domain/meter*.c on the simulated hypervisor, with a
 * fake clock: memory, vCPUs and CPU time integrated against known
 * figures x time; instances (a reboot with one UUID, CPU time going
 * back); the counters after a restart of the monitor (and a bad state
 * file); history rotation; usage windows and times; the Prometheus text
 * (escaping, promtool when installed) and its loopback server; the
 * monitor's hook.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/domain/meter_i.h"
#include "lib/xs.h"
#include "helpers.h"

#define UUID_A	"0d5a2b8e-3c1f-4e6a-9b7d-1f2e3d4c5b6a"
#define UUID_B	"7c1e9a40-55d2-4b8f-a0e3-9d6c2b1a0f37"
#define T0_S	1796688000ull		/* 2026-12-08T00:00:00Z */
#define MIB	1024ull
#define SEC	1000ull			/* ms */
#define NS	1000000000ull		/* in a second */

static uint64_t fake_wall, fake_mono;

static uint64_t wall(void)
{
	return fake_wall;
}

static uint64_t mono(void)
{
	return fake_mono;
}

static void advance(uint64_t ms)
{
	fake_wall += ms;
	fake_mono += ms;
}

static void meter_new(struct fx *f, struct pv_meter *m)
{
	pv_meter_init(m, &f->ctx);
	m->wall_ms = wall;
	m->mono_ms = mono;
	pv_str_set(&m->prom_file, NULL);
}

static int meter_setup(void **state)
{
	fake_wall = T0_S * SEC;
	fake_mono = 5000000;
	return fx_setup(state);
}

static void sample(struct fx *f, struct pv_meter *m)
{
	struct pv_err err;

	pv_err_init(&err);
	if (pv_meter_sample(m, &f->ctx, &err))
		fail_msg("sample: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
}

/* Sets /vm/UUID/start_time, as the creating toolstack writes it. */
static void set_start(struct fx *f, const char *uuid, uint64_t start_s)
{
	char *path = pv_asprintf("/vm/%s/start_time", uuid);
	char *val = pv_asprintf("%llu", (unsigned long long)start_s);

	assert_int_equal(xs_put(f, path, val), 0);
	free(val);
	free(path);
}

/* A guest of @mem MiB and @vcpus, started at @start_s. */
static uint32_t guest(struct fx *f, const char *name, const char *uuid,
		      unsigned int mem, unsigned int vcpus, uint64_t start_s)
{
	char *extra = pv_asprintf("uuid = '%s'\nmemory = %u\nvcpus = %u\n"
				  "maxvcpus = %u\n", uuid, mem, vcpus, vcpus);
	uint32_t domid = fx_create(f, name, extra);
	struct pv_dominfo info;

	free(extra);
	set_start(f, uuid, start_s);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_int_equal(info.cur_kb, mem * MIB);
	assert_int_equal(info.online_vcpus, vcpus);
	return domid;
}

static void set_cpu(struct fx *f, uint32_t domid, uint64_t ns)
{
	assert_int_equal(pv_sim_domain_set_cpu_time(f->s, domid, ns), 0);
}

static void destroy(struct fx *f, uint32_t domid)
{
	struct pv_err err;

	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
	pv_err_dispose(&err);
}

static struct pv_meter_dom *rec(struct pv_meter *m, const char *uuid)
{
	struct pv_meter_dom *d = pv_meter_find(m, uuid);

	if (!d)
		fail_msg("no record of %s", uuid);
	return d;
}

/* --- integration --- */

static void test_memory_vcpus_cpu_times_time(void **state)
{
	struct fx *f = *state;
	struct pv_meter m;
	struct pv_meter_dom *d;
	uint32_t domid = guest(f, "web", UUID_A, 256, 2, T0_S);
	int i;

	meter_new(f, &m);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 0);
	assert_string_equal(d->name, "web");
	assert_int_equal(d->domid, domid);
	/* A minute at 256 MiB and 2 vCPUs, using half a CPU. */
	for (i = 1; i <= 12; i++) {
		advance(5 * SEC);
		set_cpu(f, domid, (uint64_t)i * 5 * NS / 2);
		sample(f, &m);
	}
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 60 * SEC);
	assert_int_equal(d->c.mem_mib_ms, 256 * 60 * SEC);
	assert_int_equal(d->c.vcpu_ms, 2 * 60 * SEC);
	assert_int_equal(d->c.cpu_ns, 30 * NS);
	assert_int_equal(d->c.agent_ms, 0);

	/* Ballooned to 128 MiB: the 10 s interval counts the mean, 192 MiB. */
	assert_int_equal(pv_sim_domain_set_mem(f->s, domid, 128 * MIB), 0);
	advance(10 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.mem_mib_ms, 256 * 60 * SEC + 192 * 10 * SEC);
	advance(10 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.mem_mib_ms, 256 * 60 * SEC + 192 * 10 * SEC +
			 128 * 10 * SEC);

	/* The wall clock jumps an hour: spans come from the monotonic clock. */
	fake_wall += 3600 * SEC;
	advance(5 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 85 * SEC);
	/* ...and back two: records do not go back in time. */
	fake_wall -= 7200 * SEC;
	advance(5 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 90 * SEC);
	assert_true(d->last_ms >= (T0_S + 3600) * SEC);
	pv_meter_dispose(&m);
}

static void test_counts_from_a_recent_start(void **state)
{
	struct fx *f = *state;
	struct pv_meter m;
	struct pv_meter_dom *d;
	uint32_t a = guest(f, "young", UUID_A, 256, 1, T0_S);
	uint32_t b = guest(f, "old", UUID_B, 512, 1, T0_S - 3600);

	/* First seen 3 s after it started: those 3 s count, CPU time too. */
	fake_wall += 3 * SEC;
	set_cpu(f, a, 2 * NS);
	set_cpu(f, b, 700 * NS);
	meter_new(f, &m);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 3 * SEC);
	assert_int_equal(d->c.mem_mib_ms, 256 * 3 * SEC);
	assert_int_equal(d->c.cpu_ns, 2 * NS);
	/* Started an hour before the meter: counted from now on. */
	d = rec(&m, UUID_B);
	assert_int_equal(d->c.alive_ms, 0);
	assert_int_equal(d->c.cpu_ns, 0);
	advance(5 * SEC);
	set_cpu(f, b, 701 * NS);
	sample(f, &m);
	d = rec(&m, UUID_B);
	assert_int_equal(d->c.cpu_ns, 1 * NS);
	assert_int_equal(d->c.mem_mib_ms, 512 * 5 * SEC);
	pv_meter_dispose(&m);
}

/* Used memory from the agent: the guest's word, never above what it holds. */
static uint64_t agent_says_kb;

static bool fake_agent(struct pv_ctx *ctx, uint32_t domid, uint64_t static_max_kb,
		       uint64_t *used_kb)
{
	(void)ctx;
	(void)domid;
	assert_int_equal(static_max_kb, 256 * MIB);
	*used_kb = agent_says_kb;
	return agent_says_kb != 0;
}

static void test_used_memory_clamped(void **state)
{
	struct fx *f = *state;
	struct pv_meter m;
	struct pv_meter_dom *d;

	guest(f, "liar", UUID_A, 256, 1, T0_S);
	meter_new(f, &m);
	m.agent = fake_agent;
	agent_says_kb = 100 * MIB;
	sample(f, &m);
	advance(10 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.used_mib_ms, 100 * 10 * SEC);
	assert_int_equal(d->c.agent_ms, 10 * SEC);
	/* 1 TiB "used" by a 256 MiB guest counts as 256 MiB. */
	agent_says_kb = 1ull << 30;
	advance(10 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->used_kb, 256 * MIB);
	assert_int_equal(d->c.used_mib_ms, 100 * 10 * SEC + (100 + 256) / 2 * 10 * SEC);
	/* No report: the interval counts for allocation, not for use. */
	agent_says_kb = 0;
	advance(10 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.agent_ms, 20 * SEC);
	assert_int_equal(d->c.alive_ms, 30 * SEC);
	pv_meter_dispose(&m);
}

/* --- instances --- */

static void test_reboot_keeps_uuid_no_double_count(void **state)
{
	struct fx *f = *state;
	struct pv_meter m;
	struct pv_meter_dom *d;
	uint32_t first = guest(f, "db", UUID_A, 256, 1, T0_S), second;

	meter_new(f, &m);
	sample(f, &m);
	advance(10 * SEC);
	set_cpu(f, first, 10 * NS);
	sample(f, &m);
	/* Rebooted: destroyed, then made again with its UUID, 20 s later. */
	destroy(f, first);
	advance(5 * SEC);
	sample(f, &m);
	assert_false(rec(&m, UUID_A)->present);
	advance(15 * SEC);
	second = guest(f, "db", UUID_A, 256, 1, fake_wall / SEC);
	assert_int_not_equal(second, first);
	sample(f, &m);
	advance(10 * SEC);
	set_cpu(f, second, 4 * NS);	/* the new instance's count, from 0 */
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->domid, second);
	assert_int_equal(d->c.alive_ms, 20 * SEC);	/* not the 20 s gap */
	assert_int_equal(d->c.mem_mib_ms, 256 * 20 * SEC);
	assert_int_equal(d->c.cpu_ns, 14 * NS);

	/* Xen's count going back (a reset under the same domid): no negative delta. */
	set_cpu(f, second, 1 * NS);
	advance(5 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.cpu_ns, 14 * NS);
	assert_int_equal(d->c.alive_ms, 20 * SEC);	/* nothing counted twice */
	set_cpu(f, second, 3 * NS);
	advance(5 * SEC);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.cpu_ns, 16 * NS);
	assert_int_equal(d->c.alive_ms, 25 * SEC);

	/* A reboot within one interval: the new instance from its start. */
	destroy(f, second);
	advance(3 * SEC);
	second = guest(f, "db", UUID_A, 256, 1, fake_wall / SEC - 2);
	set_cpu(f, second, 1 * NS);
	sample(f, &m);
	d = rec(&m, UUID_A);
	assert_int_equal(d->domid, second);
	assert_int_equal(d->c.alive_ms, 27 * SEC);
	assert_int_equal(d->c.cpu_ns, 17 * NS);
	pv_meter_dispose(&m);
}

/* --- a restart of the monitor --- */

static void test_counters_survive_restart(void **state)
{
	struct fx *f = *state;
	struct pv_meter m, again;
	struct pv_meter_dom *d;
	struct pv_err err;
	uint32_t domid = guest(f, "app", UUID_A, 256, 2, T0_S);
	char *path, *bad;

	meter_new(f, &m);
	sample(f, &m);
	advance(10 * SEC);
	set_cpu(f, domid, 3 * NS);
	sample(f, &m);
	/* Killed: nothing more is written. A new monitor 30 s later. */
	pv_meter_dispose(&m);
	advance(30 * SEC);
	set_cpu(f, domid, 9 * NS);
	meter_new(f, &again);
	sample(f, &again);
	d = rec(&again, UUID_A);
	assert_int_equal(d->c.alive_ms, 40 * SEC);
	assert_int_equal(d->c.mem_mib_ms, 256 * 40 * SEC);
	assert_int_equal(d->c.vcpu_ms, 2 * 40 * SEC);
	assert_int_equal(d->c.cpu_ns, 9 * NS);
	pv_meter_dispose(&again);

	/* A state file that does not parse is kept aside; the history goes on. */
	path = pv_asprintf("%s/meter/state.json", f->ctx.state_dir);
	bad = pv_asprintf("%s.bad", path);
	fx_put_file(f, "state/meter/state.json", "{\"version\": 1, \"domai");
	advance(5 * SEC);
	meter_new(f, &again);
	pv_err_init(&err);
	assert_int_not_equal(pv_meter_sample(&again, &f->ctx, &err), 0);
	assert_non_null(strstr(pv_err_msg(&err), "state.json: not a pvctl meter state"));
	assert_non_null(strstr(pv_err_msg(&err), "kept as"));
	pv_err_dispose(&err);
	assert_true(file_exists(bad));
	assert_true(file_exists(path));
	/*
	 * The history's last line is the instance's start (0 at T0), and the
	 * start is recent: counted again from there, nothing lost here.
	 */
	d = rec(&again, UUID_A);
	assert_int_equal(d->c.alive_ms, 45 * SEC);
	assert_int_equal(d->c.cpu_ns, 9 * NS);
	advance(5 * SEC);
	set_cpu(f, domid, 10 * NS);
	sample(f, &again);
	d = rec(&again, UUID_A);
	assert_int_equal(d->c.alive_ms, 50 * SEC);
	assert_int_equal(d->c.cpu_ns, 10 * NS);
	pv_meter_dispose(&again);
	free(bad);
	free(path);
}

/* --- history and rotation --- */

static void put_points(struct pv_meter *m, struct pv_meter_dom *d, uint64_t from,
		       uint64_t to, uint64_t step)
{
	struct pv_err err;
	uint64_t t;
	char *path = pv_meter_history_path(m, d->uuid);

	unlink(path);
	free(path);
	d->point_ms = 0;
	memset(&d->c, 0, sizeof(d->c));
	pv_err_init(&err);
	for (t = from; t <= to; t += step) {
		d->c.alive_ms = t - from;
		assert_int_equal(pv_meter_put_point(m, d, t, &err), 0);
	}
	pv_err_dispose(&err);
	d->last_ms = d->point_ms;
}

static void test_rotation(void **state)
{
	struct fx *f = *state;
	const uint64_t day = 24 * 3600 * SEC, hour = 3600 * SEC;
	struct pv_meter_point *pts;
	struct pv_meter m;
	struct pv_meter_dom *d;
	struct pv_err err;
	uint64_t now;
	size_t n, i, fine = 0;
	uint32_t b;
	char *path;

	guest(f, "long", UUID_A, 64, 1, T0_S);
	b = guest(f, "gone", UUID_B, 64, 1, T0_S);
	meter_new(f, &m);
	sample(f, &m);
	destroy(f, b);
	advance(5 * SEC);
	sample(f, &m);
	now = fake_wall;
	/* 40 days of lines 10 minutes apart. */
	put_points(&m, rec(&m, UUID_A), now - 40 * day, now, 600 * SEC);
	/* A domain gone 32 days ago. */
	put_points(&m, rec(&m, UUID_B), now - 40 * day, now - 32 * day, 600 * SEC);
	pv_err_init(&err);
	assert_int_equal(pv_meter_rotate(&m, &err), 0);
	pv_err_dispose(&err);

	pv_err_init(&err);
	assert_int_equal(pv_meter_read_points(&m, UUID_A, &pts, &n, &err), 0);
	pv_err_dispose(&err);
	assert_true(n > 0);
	assert_true(pts[0].t_ms + 31 * day >= now);
	assert_int_equal(pts[n - 1].t_ms, now);
	for (i = 0; i < n; i++) {
		if (pts[i].t_ms + day >= now) {
			fine++;
			continue;
		}
		/* Older than a day: at most the first and last of its hour. */
		if (i >= 2)
			assert_false(pts[i - 2].t_ms / hour == pts[i].t_ms / hour);
	}
	assert_int_equal(fine, 24 * 6 + 1);
	assert_true(n - fine <= 2 * 30 * 24 + 2);
	assert_true(n - fine >= 2 * 29 * 24);
	free(pts);
	/* The counters of the lines kept are as written. */
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 40 * day);

	/* The gone one: forgotten, its file removed. */
	assert_null(pv_meter_find(&m, UUID_B));
	path = pv_meter_history_path(&m, UUID_B);
	assert_false(file_exists(path));
	free(path);
	pv_meter_dispose(&m);
}

/* --- usage --- */

static void test_usage_window(void **state)
{
	struct fx *f = *state;
	struct pv_meter m, reader;
	struct pv_usage *u;
	struct pv_err err;
	uint32_t a;
	size_t n;
	int i;

	a = guest(f, "web", UUID_A, 256, 2, T0_S);
	meter_new(f, &m);
	sample(f, &m);
	/* Three minutes, at one CPU. */
	for (i = 1; i <= 36; i++) {
		advance(5 * SEC);
		set_cpu(f, a, (uint64_t)i * 5 * NS);
		sample(f, &m);
	}
	destroy(f, a);
	advance(5 * SEC);
	sample(f, &m);
	advance(60 * SEC);
	sample(f, &m);

	meter_new(f, &reader);
	pv_err_init(&err);
	assert_int_equal(pv_meter_load(&reader, &err), 0);
	/* From its start to now: all of it. */
	assert_int_equal(pv_meter_usage(&reader, 0, fake_wall, &u, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(u[0].name, "web");
	assert_false(u[0].present);
	assert_int_equal(u[0].d.alive_ms, 180 * SEC);
	assert_int_equal(u[0].d.mem_mib_ms, 256 * 180 * SEC);
	assert_int_equal(u[0].d.cpu_ns, 180 * NS);
	assert_int_equal(u[0].from_ms, T0_S * SEC);
	assert_int_equal(u[0].to_ms, (T0_S + 180) * SEC);
	pv_usage_free(u, n);
	/* 30 s to 90 s: a minute, between history lines. */
	assert_int_equal(pv_meter_usage(&reader, (T0_S + 30) * SEC,
					(T0_S + 90) * SEC, &u, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].d.alive_ms, 60 * SEC);
	assert_int_equal(u[0].d.mem_mib_ms, 256 * 60 * SEC);
	assert_int_equal(u[0].d.vcpu_ms, 2 * 60 * SEC);
	assert_int_equal(u[0].d.cpu_ns, 60 * NS);
	pv_usage_free(u, n);
	/* Its last 30 s and after: 30 s. */
	assert_int_equal(pv_meter_usage(&reader, (T0_S + 150) * SEC, fake_wall,
					&u, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].d.alive_ms, 30 * SEC);
	assert_int_equal(u[0].to_ms, (T0_S + 180) * SEC);
	pv_usage_free(u, n);
	/* After it was gone, or before it started: not listed. */
	assert_int_equal(pv_meter_usage(&reader, (T0_S + 200) * SEC, fake_wall,
					&u, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_usage_free(u, n);
	assert_int_equal(pv_meter_usage(&reader, (T0_S - 100) * SEC,
					(T0_S - 10) * SEC, &u, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_usage_free(u, n);
	pv_err_dispose(&err);
	pv_meter_dispose(&reader);
	pv_meter_dispose(&m);
}

static void test_interpolation(void **state)
{
	struct pv_meter_point pts[3] = {
		{ 1000, { .alive_ms = 0, .mem_mib_ms = 0 } },
		{ 2000, { .alive_ms = 1000, .mem_mib_ms = 4000 } },
		{ 5000, { .alive_ms = 1000, .mem_mib_ms = 4000 } },	/* gone */
	};
	struct pv_meter_counters c;

	(void)state;
	pv_meter_at(pts, 3, 500, &c);
	assert_int_equal(c.mem_mib_ms, 0);
	pv_meter_at(pts, 3, 1250, &c);
	assert_int_equal(c.mem_mib_ms, 1000);
	assert_int_equal(c.alive_ms, 250);
	pv_meter_at(pts, 3, 2000, &c);
	assert_int_equal(c.mem_mib_ms, 4000);
	pv_meter_at(pts, 3, 3000, &c);
	assert_int_equal(c.mem_mib_ms, 4000);
	pv_meter_at(pts, 3, 9000, &c);
	assert_int_equal(c.alive_ms, 1000);
}

static void test_parse_time(void **state)
{
	const uint64_t now = (T0_S + 7200) * SEC;
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 8, .tm_isdst = -1 };
	static const char *const bad[] = {
		"", "-", "-1", "-1x", "-h", "yesterday", "2026-13-01", "2026-12-8",
		"12:00", "2026-12-08T25:00", "2026-12-08T10", "2026-12-08T10:00Zx",
		"1e9", "--1h", "2026-12-08T10:00+1",
	};
	uint64_t ms;
	size_t i;

	(void)state;
	assert_int_equal(pv_meter_parse_time("now", now, &ms), 0);
	assert_int_equal(ms, now);
	assert_int_equal(pv_meter_parse_time("1796688000", now, &ms), 0);
	assert_int_equal(ms, T0_S * SEC);
	assert_int_equal(pv_meter_parse_time("-1h", now, &ms), 0);
	assert_int_equal(ms, now - 3600 * SEC);
	assert_int_equal(pv_meter_parse_time("-30m", now, &ms), 0);
	assert_int_equal(ms, now - 1800 * SEC);
	assert_int_equal(pv_meter_parse_time("-90s", now, &ms), 0);
	assert_int_equal(ms, now - 90 * SEC);
	assert_int_equal(pv_meter_parse_time("-2d", now, &ms), 0);
	assert_int_equal(ms, now - 2 * 86400 * SEC);
	assert_int_equal(pv_meter_parse_time("2026-12-08T00:00:00Z", now, &ms), 0);
	assert_int_equal(ms, T0_S * SEC);
	assert_int_equal(pv_meter_parse_time("2026-12-08 01:30Z", now, &ms), 0);
	assert_int_equal(ms, (T0_S + 5400) * SEC);
	assert_int_equal(pv_meter_parse_time("2026-12-08T01:00:00+01:00", now, &ms), 0);
	assert_int_equal(ms, T0_S * SEC);
	assert_int_equal(pv_meter_parse_time("2026-12-07T19:00-0500", now, &ms), 0);
	assert_int_equal(ms, T0_S * SEC);
	/* Without a zone: local time. */
	assert_int_equal(pv_meter_parse_time("2026-12-08", now, &ms), 0);
	assert_int_equal(ms, (uint64_t)mktime(&tm) * SEC);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (pv_meter_parse_time(bad[i], now, &ms) != -EINVAL)
			fail_msg("'%s' was taken for a time", bad[i]);
}

/* --- Prometheus --- */

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

/* Runs promtool's parser and linter on @text: skipped when it is not installed. */
static void promtool_check(struct fx *f, const char *text)
{
	char *file, *cmd;
	int rc;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		/* make check asks for it: `make deps` fetches it */
		if (getenv("PVCTL_REQUIRE_PROMTOOL"))
			fail_msg("no promtool: run `make deps`");
		print_message("promtool not installed (Debian: prometheus): "
			      "not checked by it\n");
		return;
	}
	fx_put_file(f, "metrics.prom", text);
	file = fx_path(f, "metrics.prom");
	cmd = pv_asprintf("promtool check metrics < %s", file);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("promtool check metrics failed (%d) on:\n%s", rc, text);
	free(cmd);
	free(file);
}

static void test_prometheus_text(void **state)
{
	struct fx *f = *state;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_meter m;
	uint32_t a, b;
	char *path, *status, *dir;

	a = guest(f, "plain", UUID_A, 256, 2, T0_S);
	b = guest(f, "b", UUID_B, 128, 1, T0_S);
	/* A name with the three characters the format escapes. */
	path = pv_xs_dom_path(b, "name");
	assert_int_equal(xs_put(f, path, "evil\"name\\with\nnewline"), 0);
	free(path);
	status = pv_asprintf("{\"time\": %llu, \"domains\": [{\"name\": \"plain\", "
			     "\"domid\": %u, \"need_kb\": 204800, \"signals\": "
			     "{\"psi_mem_some\": 250}}]}",
			     (unsigned long long)T0_S + 9, a);
	assert_int_equal(pv_mkdirs(f->ctx.run_dir, NULL), 0);
	fx_put_file(f, "run/autoscale.json", status);
	free(status);

	meter_new(f, &m);
	m.agent = NULL;
	sample(f, &m);
	advance(60 * SEC);
	set_cpu(f, a, 1500 * 1000000ull);
	sample(f, &m);
	pv_meter_prom_text(&m, &text);
	assert_true(has(text.s, "# HELP pvctl_domain_memory_allocated_mib_seconds_total "));
	assert_true(has(text.s, "# TYPE pvctl_domain_memory_allocated_mib_seconds_total counter\n"));
	assert_true(has(text.s, "pvctl_domain_memory_allocated_mib_seconds_total{name=\"plain\","
			"uuid=\"" UUID_A "\"} 15360.000\n"));
	assert_true(has(text.s, "pvctl_domain_vcpu_allocated_seconds_total{name=\"plain\","
			"uuid=\"" UUID_A "\"} 120.000\n"));
	assert_true(has(text.s, "pvctl_domain_cpu_used_seconds_total{name=\"plain\","
			"uuid=\"" UUID_A "\"} 1.500000000\n"));
	assert_true(has(text.s, "pvctl_domain_memory_allocated_mib_seconds_total{"
			"name=\"evil\\\"name\\\\with\\nnewline\",uuid=\"" UUID_B "\"} 7680.000\n"));
	assert_true(has(text.s, "# TYPE pvctl_domain_memory_mib gauge\n"));
	assert_true(has(text.s, "pvctl_domain_memory_target_mib{name=\"plain\","
			"uuid=\"" UUID_A "\"} 256.000\n"));
	assert_true(has(text.s, "pvctl_domain_memory_need_mib{name=\"plain\","
			"uuid=\"" UUID_A "\"} 200.000\n"));
	assert_true(has(text.s, "pvctl_domain_memory_pressure_ratio{name=\"plain\","
			"uuid=\"" UUID_A "\"} 0.0250\n"));
	/* No agent anywhere: no used-memory series. */
	assert_false(has(text.s, "pvctl_domain_memory_used_mib_seconds_total{"));
	assert_true(has(text.s, "pvctl_autoscale_status_timestamp_seconds 1796688009\n"));
	assert_false(has(text.s, "newline\",uuid=\"" UUID_B "\"} 7680.000\n\n"));
	promtool_check(f, text.s);

	/* The file for node_exporter, written at each sample. */
	path = fx_path(f, "textfile/pvctl.prom");
	pv_str_set(&m.prom_file, path);
	m.prom_if_dir = true;
	advance(5 * SEC);
	sample(f, &m);
	assert_false(file_exists(path));	/* no collector directory: none */
	dir = fx_path(f, "textfile");
	assert_int_equal(pv_mkdirs(dir, NULL), 0);
	free(dir);
	sample(f, &m);
	assert_true(file_exists(path));
	free(path);
	pv_buf_dispose(&text);
	pv_meter_dispose(&m);
}

static void test_escape(void **state)
{
	struct pv_buf b = PV_BUF_INIT;

	(void)state;
	pv_meter_prom_escape(&b, "a\\b\"c\nd}e");
	assert_string_equal(b.s, "a\\\\b\\\"c\\nd}e");
	pv_buf_dispose(&b);
}

/* --- the loopback server --- */

static char *http_get(int port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct pv_buf b = PV_BUF_INIT;
	char buf[4096], *req;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	req = pv_asprintf("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		pv_buf_add(&b, buf, (size_t)r);
	close(fd);
	free(req);
	return pv_buf_detach(&b);
}

static void test_listen_loopback_only(void **state)
{
	struct fx *f = *state;
	static const char *const good[] = { "127.0.0.1:9100", "127.1.2.3:1", "[::1]:9100" };
	static const char *const bad[] = {
		"0.0.0.0:9100", "10.0.0.1:9100", "[::]:9100", "localhost:9100",
		"127.0.0.1", "127.0.0.1:70000", ":9100", "[::ffff:127.0.0.1]:1",
		"192.168.1.1:9100",
	};
	struct pv_meter m;
	struct pv_err err;
	char *resp;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		pv_err_init(&err);
		if (pv_meter_check_listen(good[i], &err))
			fail_msg("%s refused: %s", good[i], pv_err_msg(&err));
		pv_err_dispose(&err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		pv_err_init(&err);
		if (pv_meter_check_listen(bad[i], &err) != -EINVAL)
			fail_msg("%s was accepted", bad[i]);
		assert_non_null(strstr(pv_err_msg(&err), bad[i]));
		pv_err_dispose(&err);
	}

	guest(f, "web", UUID_A, 64, 1, T0_S);
	meter_new(f, &m);
	m.listen = pv_strdup("127.0.0.1:0");
	pv_err_init(&err);
	if (pv_meter_listen(&m, &err))
		fail_msg("listen: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	assert_true(pv_meter_listen_port(&m) > 0);
	sample(f, &m);
	resp = http_get(pv_meter_listen_port(&m), "/metrics");
	assert_true(has(resp, "HTTP/1.0 200 OK\r\n"));
	assert_true(has(resp, "Content-Type: text/plain; version=0.0.4"));
	assert_true(has(resp, "\r\n\r\n# HELP pvctl_domain_memory_allocated_mib_seconds_total"));
	assert_true(has(resp, "uuid=\"" UUID_A "\"} 0.000\n"));
	free(resp);
	resp = http_get(pv_meter_listen_port(&m), "/");
	assert_true(has(resp, "HTTP/1.0 404 "));
	free(resp);
	pv_meter_dispose(&m);	/* stops the server */
}

/* --- the monitor's hook --- */

static void PV_PRINTF(2, 3) log_line(void *arg, const char *fmt, ...)
{
	struct pv_buf *b = arg;
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(b, fmt, ap);
	va_end(ap);
	pv_buf_puts(b, "\n");
}

struct later {
	uint32_t domid;
	unsigned int calls;
};

/* Each wait of the monitor is one interval; the guest powers off after 12. */
static void interval_passes(struct pv_sim *s, void *arg)
{
	struct later *l = arg;

	advance(PV_METER_INTERVAL_MS);
	if (++l->calls == 12)
		assert_int_equal(pv_sim_domain_set_state(s, l->domid,
				PV_SIM_DOM_SHUTDOWN, PV_SHUTDOWN_POWEROFF), 0);
}

static void test_monitor_meters(void **state)
{
	struct fx *f = *state;
	struct pv_buf lines = PV_BUF_INIT;
	struct pv_monitor_log log = { log_line, &lines };
	struct later l = { guest(f, "short", UUID_A, 256, 1, T0_S), 0 };
	struct pv_meter m;
	struct pv_meter_dom *d;

	meter_new(f, &m);
	pv_sim_on_idle(f->s, interval_passes, &l);
	assert_int_equal(pv_monitor_run(&f->ctx, &log, true, &m), 0);
	assert_int_equal(l.calls, 12);
	assert_false(has(lines.s, "metering"));
	/* Sampled as it shut down, before the monitor destroyed it. */
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 12 * PV_METER_INTERVAL_MS);
	assert_int_equal(d->c.mem_mib_ms, 256 * 12 * PV_METER_INTERVAL_MS);
	pv_meter_dispose(&m);

	/* What it wrote, read back as `pvctl usage` does. */
	meter_new(f, &m);
	assert_int_equal(pv_meter_load(&m, NULL), 0);
	d = rec(&m, UUID_A);
	assert_int_equal(d->c.alive_ms, 12 * PV_METER_INTERVAL_MS);
	assert_string_equal(d->name, "short");
	pv_meter_dispose(&m);
	pv_buf_dispose(&lines);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, meter_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_memory_vcpus_cpu_times_time),
		T(test_counts_from_a_recent_start),
		T(test_used_memory_clamped),
		T(test_reboot_keeps_uuid_no_double_count),
		T(test_counters_survive_restart),
		T(test_rotation),
		T(test_usage_window),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_parse_time),
		T(test_prometheus_text),
		cmocka_unit_test(test_escape),
		T(test_listen_loopback_only),
		T(test_monitor_meters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
