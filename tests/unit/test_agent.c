/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_agent.c: the Xen-free half of pvctl-agent (agent/sample.c and
 * agent/report.c): parsing /proc and /sys text as real kernels print it,
 * rates and CPU use over an interval, when a change is worth publishing
 * early, when memory is short enough to sample and report fast, the
 * dry run's key=value lines, and that what the agent writes is what the
 * host's reader (lib/balloon/signals.c) takes, on the simulator.
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
#include <unistd.h>

#include <cmocka.h>

#include "agent/report.h"
#include "agent/sample.h"
#include "lib/balloon/autoscale.h"
#include "helpers.h"

/* A 6.1 kernel's /proc/meminfo, shortened. */
static const char meminfo[] =
	"MemTotal:        2014464 kB\n"
	"MemFree:          901232 kB\n"
	"MemAvailable:    1523004 kB\n"
	"Buffers:           40964 kB\n"
	"Cached:           689212 kB\n"
	"SwapCached:            0 kB\n"
	"HugePages_Total:       0\n"
	"Hugepagesize:       2048 kB\n";

/* 3.10 has no MemAvailable. */
static const char meminfo_old[] =
	"MemTotal:        1014464 kB\n"
	"MemFree:          901232 kB\n"
	"Buffers:           40964 kB\n";

static const char vmstat[] =
	"nr_free_pages 225308\n"
	"nr_zone_inactive_anon 1\n"
	"pgpgin 1301604\n"
	"pgpgout 205808\n"
	"pswpin 17\n"
	"pswpout 4242\n"
	"pgalloc_dma 0\n"
	"pswpin_fake 99\n"
	"oom_kill_fake 98\n"
	"oom_kill 3\n"
	"numa_hit 100\n";

/* 4.12 counts no OOM kills in /proc/vmstat. */
static const char vmstat_412[] =
	"nr_free_pages 225308\n"
	"pswpin 17\n"
	"pswpout 4242\n";

static const char pressure_mem[] =
	"some avg10=1.23 avg60=0.50 avg300=0.10 total=123456\n"
	"full avg10=12.05 avg60=0.20 avg300=0.01 total=4567\n";

/* 5.13+ prints a "full" line for cpu too, zero at system level. */
static const char pressure_cpu[] =
	"some avg10=100.00 avg60=3.10 avg300=0.70 total=99999\n"
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

static const char stat_text[] =
	"cpu  299839 10 34796 418199 1081 5 381 414 7 3\n"
	"cpu0 149919 5 17398 209099 540 2 190 207 0 0\n"
	"intr 1234 0 0\n";

static void test_meminfo(void **state)
{
	uint64_t total = 0, avail = 0;
	bool have = false;

	assert_int_equal(pv_agent_parse_meminfo(meminfo, &total, &avail, &have), 0);
	assert_int_equal(total, 2014464);
	assert_int_equal(avail, 1523004);
	assert_true(have);

	/* Without MemAvailable: the total alone, avail flagged missing. */
	assert_int_equal(pv_agent_parse_meminfo(meminfo_old, &total, &avail, &have), 0);
	assert_int_equal(total, 1014464);
	assert_false(have);

	/* A prefix of a key ("MemTotalX") is not the key's line, and
	 * outputs stay untouched on failure. */
	total = 7;
	assert_int_equal(pv_agent_parse_meminfo("MemFree: 1 kB\n", &total, &avail, &have),
			 -ENOENT);
	assert_int_equal(pv_agent_parse_meminfo("MemTotal: 12x kB\n", &total, &avail,
						&have), -EINVAL);
	assert_int_equal(pv_agent_parse_meminfo("MemTotal: 99999999999999999999999 kB\n",
						&total, &avail, &have), -EINVAL);
	assert_int_equal(total, 7);
}

static void test_vmstat(void **state)
{
	struct pv_agent_sample s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(pv_agent_parse_vmstat(vmstat, &s), 0);
	assert_int_equal(s.have, PV_HAVE_SWAP | PV_HAVE_OOM);
	assert_int_equal(s.pswpin, 17);
	assert_int_equal(s.pswpout, 4242);
	/* "oom_kill_fake" must not match "oom_kill ". */
	assert_int_equal(s.oom_kill, 3);

	/* A kernel without swap support has neither swap line. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pv_agent_parse_vmstat("pgpgin 1\npgpgout 2\n", &s), -ENOENT);
	assert_int_equal(s.have, 0);
	/* "pswpin_fake" must not match "pswpin ". */
	assert_int_equal(pv_agent_parse_vmstat("pswpin_fake 1\npswpout 2\n", &s),
			 -ENOENT);
	assert_int_equal(s.have, 0);
}

static void test_vmstat_oom_kill(void **state)
{
	struct pv_agent_sample s;

	/* Before 4.13: swap alone, the OOM count left out. */
	memset(&s, 0, sizeof(s));
	s.oom_kill = 77;
	assert_int_equal(pv_agent_parse_vmstat(vmstat_412, &s), 0);
	assert_int_equal(s.have, PV_HAVE_SWAP);
	assert_int_equal(s.pswpout, 4242);
	assert_int_equal(s.oom_kill, 77);

	/* No swap lines: the OOM count alone. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pv_agent_parse_vmstat("pgpgin 1\noom_kill 12\n", &s), 0);
	assert_int_equal(s.have, PV_HAVE_OOM);
	assert_int_equal(s.oom_kill, 12);

	/* A malformed count is not taken, and costs the swap lines nothing. */
	memset(&s, 0, sizeof(s));
	s.oom_kill = 77;
	assert_int_equal(pv_agent_parse_vmstat("pswpin 1\npswpout 2\noom_kill 3x\n", &s),
			 0);
	assert_int_equal(s.have, PV_HAVE_SWAP);
	assert_int_equal(s.oom_kill, 77);
	assert_int_equal(pv_agent_parse_vmstat("oom_kill -1\n", &s), -EINVAL);
	assert_int_equal(pv_agent_parse_vmstat("oom_kill \n", &s), -EINVAL);
	assert_int_equal(pv_agent_parse_vmstat("oom_kill 99999999999999999999999\n", &s),
			 -EINVAL);
	assert_int_equal(s.have, PV_HAVE_SWAP);
	assert_int_equal(s.oom_kill, 77);

	/* The largest count there is. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pv_agent_parse_vmstat("oom_kill 18446744073709551615\n", &s), 0);
	assert_true(s.oom_kill == UINT64_MAX);
}

static void test_pressure(void **state)
{
	unsigned int v = 0;

	assert_int_equal(pv_agent_parse_pressure(pressure_mem, "some", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(pv_agent_parse_pressure(pressure_mem, "full", &v), 0);
	assert_int_equal(v, 1205);
	assert_int_equal(pv_agent_parse_pressure(pressure_cpu, "some", &v), 0);
	assert_int_equal(v, 10000);
	/* One fraction digit means tenths. */
	assert_int_equal(pv_agent_parse_pressure("some avg10=2.5 avg60=0\n", "some", &v), 0);
	assert_int_equal(v, 250);

	/* Before 5.13 /proc/pressure/cpu had no full line. */
	v = 42;
	assert_int_equal(pv_agent_parse_pressure("some avg10=0.00 total=0\n", "full", &v),
			 -ENOENT);
	assert_int_equal(pv_agent_parse_pressure("some avg60=1.00\n", "some", &v), -EINVAL);
	assert_int_equal(pv_agent_parse_pressure("some avg10=abc\n", "some", &v), -EINVAL);
	assert_int_equal(pv_agent_parse_pressure("some avg10=100.01\n", "some", &v), -EINVAL);
	assert_int_equal(pv_agent_parse_pressure("some avg10=1.\n", "some", &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void test_stat(void **state)
{
	uint64_t busy = 0, idle = 0;

	assert_int_equal(pv_agent_parse_stat(stat_text, &busy, &idle), 0);
	/* user + nice + system + irq + softirq; steal and guest left out. */
	assert_int_equal(busy, 299839 + 10 + 34796 + 5 + 381);
	assert_int_equal(idle, 418199 + 1081);

	/* Four fields (2.4 kernels) are enough. */
	assert_int_equal(pv_agent_parse_stat("cpu  10 20 30 40\n", &busy, &idle), 0);
	assert_int_equal(busy, 60);
	assert_int_equal(idle, 40);

	assert_int_equal(pv_agent_parse_stat("cpu  10 20 30\n", &busy, &idle), -EINVAL);
	assert_int_equal(pv_agent_parse_stat("cpu0 1 2 3 4\n", &busy, &idle), -ENOENT);
	assert_int_equal(pv_agent_parse_stat("cpu  1 2 x 4\n", &busy, &idle), -EINVAL);
}

static void test_cpulist(void **state)
{
	unsigned int n = 0;

	assert_int_equal(pv_agent_parse_cpulist("0-3,5\n", &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(pv_agent_parse_cpulist("0\n", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pv_agent_parse_cpulist("0-1,4-7,9", &n), 0);
	assert_int_equal(n, 7);

	n = 99;
	assert_int_equal(pv_agent_parse_cpulist("", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("\n", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("3-1\n", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("0-\n", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("0,,1\n", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("0-3 \n", &n), -EINVAL);
	assert_int_equal(pv_agent_parse_cpulist("0-4294967296\n", &n), -EINVAL);
	assert_int_equal(n, 99);
}

static void sample(struct pv_agent_sample *s, uint64_t t_ms)
{
	memset(s, 0, sizeof(*s));
	s->t_ms = t_ms;
	s->have = PV_HAVE_MEM_TOTAL | PV_HAVE_MEM_AVAIL | PV_HAVE_SWAP |
		  PV_HAVE_PSI_MEM | PV_HAVE_PSI_CPU | PV_HAVE_CPU | PV_HAVE_CPUS;
	s->mem_total_kb = 1000000;
	s->mem_available_kb = 500000;
	s->cpus_online = 2;
}

static void test_rates(void **state)
{
	struct pv_agent_sample a, b;
	struct pv_agent_report r;

	sample(&a, 10000);
	sample(&b, 12000);
	a.pswpin = 100;
	b.pswpin = 700;		/* 600 pages in 2 s */
	a.pswpout = 5;
	b.pswpout = 8;		/* 1.5/s rounds to 2 */
	pv_agent_report_compute(&r, &a, &b);
	assert_true(r.have & (1u << PV_F_SWAP_IN_PPS));
	assert_int_equal(r.v[PV_F_SWAP_IN_PPS], 300);
	assert_int_equal(r.v[PV_F_SWAP_OUT_PPS], 2);

	/* A counter going backwards is no swapping, not a huge rate. */
	b.pswpin = 50;
	pv_agent_report_compute(&r, &a, &b);
	assert_int_equal(r.v[PV_F_SWAP_IN_PPS], 0);

	/* No interval, or no previous reading: no rate at all. */
	pv_agent_report_compute(&r, &b, &b);
	assert_false(r.have & (1u << PV_F_SWAP_IN_PPS));
	a.have &= ~PV_HAVE_SWAP;
	pv_agent_report_compute(&r, &a, &b);
	assert_false(r.have & (1u << PV_F_SWAP_OUT_PPS));
	/* The instantaneous values are still there. */
	assert_int_equal(r.v[PV_F_MEM_AVAILABLE_KB], 500000);
	assert_int_equal(r.v[PV_F_CPUS_ONLINE], 2);

	/* MemAvailable never above MemTotal, which the host would refuse. */
	b.mem_available_kb = 1000001;
	pv_agent_report_compute(&r, &a, &b);
	assert_int_equal(r.v[PV_F_MEM_AVAILABLE_KB], 1000000);
}

/* The fast cadence's 200 ms interval, and shorter: no division by zero,
 * no rate out of proportion. */
static void test_rates_fast(void **state)
{
	struct pv_agent_sample a, b;
	struct pv_agent_report r;

	sample(&a, 10000);
	sample(&b, 10200);
	a.pswpin = 100;
	b.pswpin = 101;		/* 1 page in 200 ms */
	a.pswpout = 0;
	b.pswpout = 30;		/* 150/s */
	a.cpu_busy = 1000;
	a.cpu_idle = 1000;
	b.cpu_busy = 1010;	/* 2 CPUs, USER_HZ 100: 40 ticks in 200 ms */
	b.cpu_idle = 1030;
	pv_agent_report_compute(&r, &a, &b);
	assert_int_equal(r.v[PV_F_SWAP_IN_PPS], 5);
	assert_int_equal(r.v[PV_F_SWAP_OUT_PPS], 150);
	assert_int_equal(r.v[PV_F_CPU_UTIL], 2500);

	/* One millisecond, and a huge count: clamped, not wrapped. */
	b.t_ms = a.t_ms + 1;
	b.pswpin = UINT64_MAX;
	pv_agent_report_compute(&r, &a, &b);
	assert_true(r.v[PV_F_SWAP_IN_PPS] > UINT64_MAX / 2000);

	/* A clock that did not move (or went back): no rates. */
	b.t_ms = a.t_ms - 1;
	pv_agent_report_compute(&r, &a, &b);
	assert_false(r.have & (1u << PV_F_SWAP_IN_PPS));

	/* Guest fully stolen for the interval: no tick, no utilisation. */
	b.t_ms = a.t_ms + 200;
	b.cpu_busy = a.cpu_busy;
	b.cpu_idle = a.cpu_idle;
	pv_agent_report_compute(&r, &a, &b);
	assert_false(r.have & (1u << PV_F_CPU_UTIL));
}

static void test_oom_and_time_fields(void **state)
{
	struct pv_agent_sample a, b;
	struct pv_agent_report r;

	sample(&a, 0);
	sample(&b, 1000);
	b.realtime_ms = UINT64_C(1790000000123);
	pv_agent_report_compute(&r, &a, &b);
	/* No oom_kill line: no node. The wall clock is always there. */
	assert_false(r.have & (1u << PV_F_OOM_KILLS));
	assert_true(r.have & (1u << PV_F_TIME_MS));
	assert_true(r.v[PV_F_TIME_MS] == UINT64_C(1790000000123));

	/* The count is published as the kernel's cumulative value, not a
	 * rate, and needs no earlier sample. */
	b.have |= PV_HAVE_OOM;
	b.oom_kill = 4;
	pv_agent_report_compute(&r, &a, &b);
	assert_true(r.have & (1u << PV_F_OOM_KILLS));
	assert_int_equal(r.v[PV_F_OOM_KILLS], 4);
	assert_string_equal(pv_agent_field_name(PV_F_OOM_KILLS), "oom_kills");
	assert_string_equal(pv_agent_field_name(PV_F_TIME_MS), "time_ms");
	assert_null(pv_agent_field_name(PV_F_NR));
}

static void test_cpu_util(void **state)
{
	struct pv_agent_sample a, b;
	struct pv_agent_report r;

	sample(&a, 0);
	sample(&b, 1000);
	a.cpu_busy = 100;
	a.cpu_idle = 1000;
	b.cpu_busy = 400;	/* 300 busy of 400 ticks: 75.00% */
	b.cpu_idle = 1100;
	pv_agent_report_compute(&r, &a, &b);
	assert_true(r.have & (1u << PV_F_CPU_UTIL));
	assert_int_equal(r.v[PV_F_CPU_UTIL], 7500);

	b.cpu_idle = 1000;	/* all busy */
	pv_agent_report_compute(&r, &a, &b);
	assert_int_equal(r.v[PV_F_CPU_UTIL], 10000);

	b.cpu_busy = 102;	/* 2 of 3 ticks: 66.67%, rounded */
	b.cpu_idle = 1001;
	pv_agent_report_compute(&r, &a, &b);
	assert_int_equal(r.v[PV_F_CPU_UTIL], 6667);

	/* No tick elapsed, or counters reset: omitted, not 0%. */
	pv_agent_report_compute(&r, &a, &a);
	assert_false(r.have & (1u << PV_F_CPU_UTIL));
	b.cpu_busy = 50;
	pv_agent_report_compute(&r, &a, &b);
	assert_false(r.have & (1u << PV_F_CPU_UTIL));
}

/* A full report with mid-range values, for the change tests. */
static void report(struct pv_agent_report *r)
{
	unsigned int f;

	memset(r, 0, sizeof(*r));
	for (f = 0; f < PV_F_NR; f++)
		r->have |= 1u << f;
	r->v[PV_F_MEM_TOTAL_KB] = 1000000;
	r->v[PV_F_MEM_AVAILABLE_KB] = 500000;
	r->v[PV_F_PSI_MEM_SOME] = 1000;
	r->v[PV_F_CPU_UTIL] = 5000;
	r->v[PV_F_CPUS_ONLINE] = 2;
}

static void test_significant(void **state)
{
	struct pv_agent_report last, now;
	const char *why = "stale";

	report(&last);
	now = last;
	assert_false(pv_agent_report_significant(&last, &now, &why));
	assert_null(why);

	/* Small moves below every threshold, and swap or PSI full moves,
	 * wait for the period. */
	now.v[PV_F_MEM_AVAILABLE_KB] -= 49999;
	now.v[PV_F_PSI_MEM_SOME] += 499;
	now.v[PV_F_CPU_UTIL] -= 1999;
	now.v[PV_F_SWAP_OUT_PPS] = 100000;
	now.v[PV_F_PSI_MEM_FULL] = 9000;
	assert_false(pv_agent_report_significant(&last, &now, NULL));

	/* 5% of MemTotal, either way. */
	now = last;
	now.v[PV_F_MEM_AVAILABLE_KB] -= 50000;
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "mem_available_kb");
	now.v[PV_F_MEM_AVAILABLE_KB] = 550000;
	assert_true(pv_agent_report_significant(&last, &now, NULL));

	now = last;
	now.v[PV_F_PSI_MEM_SOME] = 500;
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "psi_mem_some");

	now = last;
	now.v[PV_F_CPU_UTIL] = 7000;
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "cpu_util");

	now = last;
	now.v[PV_F_CPUS_ONLINE] = 3;
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "cpus_online");

	/* A value appearing (or vanishing) is news too. */
	now = last;
	last.have &= ~(1u << PV_F_CPU_UTIL);
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "cpu_util");
}

static void test_significant_oom_time(void **state)
{
	struct pv_agent_report last, now;
	const char *why = "stale";

	report(&last);
	last.v[PV_F_TIME_MS] = UINT64_C(1790000000000);
	last.v[PV_F_OOM_KILLS] = 2;

	/* The clock alone is never news, however far it moved, and
	 * neither is it coming or going. */
	now = last;
	now.v[PV_F_TIME_MS] += 3600000;
	assert_false(pv_agent_report_significant(&last, &now, &why));
	assert_null(why);
	assert_false(pv_agent_report_significant_urgent(&last, &now, NULL));
	now.have &= ~(1u << PV_F_TIME_MS);
	assert_false(pv_agent_report_significant(&last, &now, NULL));
	assert_false(pv_agent_report_significant(&now, &last, NULL));

	/* One OOM kill is, calm or urgent, and it is named first even
	 * when other values moved too. */
	now = last;
	now.v[PV_F_OOM_KILLS] = 3;
	now.v[PV_F_MEM_AVAILABLE_KB] = 100000;
	now.v[PV_F_CPU_UTIL] = 9000;
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "oom_kills");
	why = NULL;
	assert_true(pv_agent_report_significant_urgent(&last, &now, &why));
	assert_string_equal(why, "oom_kills");

	/* The count appearing is news too. */
	now = last;
	last.have &= ~(1u << PV_F_OOM_KILLS);
	assert_true(pv_agent_report_significant(&last, &now, &why));
	assert_string_equal(why, "oom_kills");
}

static void test_significant_urgent(void **state)
{
	struct pv_agent_report last, now;
	const char *why = "stale";

	report(&last);
	now = last;
	assert_false(pv_agent_report_significant_urgent(&last, &now, &why));
	assert_null(why);

	/* 1 MiB either way, where calm needs 5% (50000 kB here). */
	now.v[PV_F_MEM_AVAILABLE_KB] -= 1023;
	assert_false(pv_agent_report_significant_urgent(&last, &now, NULL));
	now.v[PV_F_MEM_AVAILABLE_KB] -= 1;
	assert_true(pv_agent_report_significant_urgent(&last, &now, &why));
	assert_string_equal(why, "mem_available_kb");
	assert_false(pv_agent_report_significant(&last, &now, NULL));
	now.v[PV_F_MEM_AVAILABLE_KB] = last.v[PV_F_MEM_AVAILABLE_KB] + 1024;
	assert_true(pv_agent_report_significant_urgent(&last, &now, NULL));

	/* The calm thresholds still hold. */
	now = last;
	now.v[PV_F_CPU_UTIL] = 7000;
	assert_true(pv_agent_report_significant_urgent(&last, &now, &why));
	assert_string_equal(why, "cpu_util");

	/* A guest under 20 MiB: its 5% step is already below 1 MiB. */
	report(&last);
	last.v[PV_F_MEM_TOTAL_KB] = 10000;
	last.v[PV_F_MEM_AVAILABLE_KB] = 5000;
	now = last;
	now.v[PV_F_MEM_AVAILABLE_KB] = 4500;
	assert_true(pv_agent_report_significant_urgent(&last, &now, NULL));
	assert_true(pv_agent_report_significant(&last, &now, NULL));
	now.v[PV_F_MEM_AVAILABLE_KB] = 4501;
	assert_false(pv_agent_report_significant_urgent(&last, &now, NULL));
}

static void test_urgent(void **state)
{
	struct pv_agent_sample prev, cur;
	const char *why = "stale";

	/* Calm: half of MemTotal available, steady. */
	sample(&prev, 10000);
	sample(&cur, 11000);
	assert_false(pv_agent_urgent(&prev, &cur, 20, &why));
	assert_null(why);

	/* Below the low-water mark (20% of 1000000 kB), however steady;
	 * at the mark is not below it. */
	prev.mem_available_kb = cur.mem_available_kb = 199999;
	assert_true(pv_agent_urgent(&prev, &cur, 20, &why));
	assert_string_equal(why, "MemAvailable low");
	prev.mem_available_kb = cur.mem_available_kb = 200000;
	assert_false(pv_agent_urgent(&prev, &cur, 20, NULL));

	/* -l 0: low water off, however low. */
	prev.mem_available_kb = cur.mem_available_kb = 1000;
	assert_false(pv_agent_urgent(&prev, &cur, 0, &why));
	assert_null(why);
	assert_true(pv_agent_urgent(&prev, &cur, 1, NULL));
	/* Above 100% counts as 100%. */
	prev.mem_available_kb = cur.mem_available_kb = 999999;
	assert_true(pv_agent_urgent(&prev, &cur, 1000, NULL));
	prev.mem_available_kb = cur.mem_available_kb = 1000;

	/* Falling by 2% of MemTotal a second, whatever the level and
	 * with -l 0: 20000 kB in 1 s, or 4000 kB in 200 ms. */
	prev.mem_available_kb = 800000;
	cur.mem_available_kb = 780000;
	assert_true(pv_agent_urgent(&prev, &cur, 0, &why));
	assert_string_equal(why, "MemAvailable falling");
	cur.mem_available_kb = 780001;
	assert_false(pv_agent_urgent(&prev, &cur, 0, NULL));
	cur.t_ms = prev.t_ms + 200;
	cur.mem_available_kb = 796000;
	assert_true(pv_agent_urgent(&prev, &cur, 0, NULL));
	/* Rising as fast is not. */
	cur.mem_available_kb = 804000;
	assert_false(pv_agent_urgent(&prev, &cur, 0, NULL));

	/* Samples a few ms apart (a PSI wake-up after a tick) count as
	 * 200 ms: 1000 kB in 5 ms is noise, 4000 kB is urgent. */
	cur.t_ms = prev.t_ms + 5;
	cur.mem_available_kb = 799000;
	assert_false(pv_agent_urgent(&prev, &cur, 0, NULL));
	cur.mem_available_kb = 796000;
	assert_true(pv_agent_urgent(&prev, &cur, 0, NULL));
	/* No interval (the baseline against itself): no rate at all. */
	cur.t_ms = prev.t_ms;
	assert_false(pv_agent_urgent(&prev, &cur, 0, NULL));
	assert_false(pv_agent_urgent(&cur, &cur, 20, NULL));
	/* Without MemAvailable in both, no fall to measure. */
	cur.t_ms = prev.t_ms + 1000;
	cur.mem_available_kb = 100;
	prev.have &= ~PV_HAVE_MEM_AVAIL;
	assert_false(pv_agent_urgent(&prev, &cur, 0, NULL));
	cur.have &= ~PV_HAVE_MEM_AVAIL;
	assert_false(pv_agent_urgent(&prev, &cur, 20, NULL));

	/* An OOM kill since the previous sample, even with memory back. */
	sample(&prev, 10000);
	sample(&cur, 10200);
	prev.have |= PV_HAVE_OOM;
	cur.have |= PV_HAVE_OOM;
	prev.oom_kill = 5;
	cur.oom_kill = 6;
	assert_true(pv_agent_urgent(&prev, &cur, 20, &why));
	assert_string_equal(why, "oom kill");
	cur.oom_kill = 5;
	assert_false(pv_agent_urgent(&prev, &cur, 20, NULL));
	/* The count appearing says nothing about when the kills were. */
	cur.oom_kill = 9;
	prev.have &= ~PV_HAVE_OOM;
	assert_false(pv_agent_urgent(&prev, &cur, 20, NULL));

	/* Sizes that would overflow a naive percentage. */
	sample(&prev, 0);
	sample(&cur, 1000);
	prev.mem_total_kb = cur.mem_total_kb = UINT64_MAX;
	prev.mem_available_kb = cur.mem_available_kb = UINT64_MAX / 2;
	assert_false(pv_agent_urgent(&prev, &cur, 20, NULL));
	prev.mem_available_kb = cur.mem_available_kb = UINT64_MAX / 100 * 19;
	assert_true(pv_agent_urgent(&prev, &cur, 20, NULL));
	assert_false(pv_agent_urgent(&prev, &cur, 19, NULL));
}

static void test_format(void **state)
{
	struct pv_agent_report r;
	char buf[PV_AGENT_REPORT_MAX];
	char small[20];
	size_t len;

	report(&r);
	r.v[PV_F_SWAP_IN_PPS] = 3;
	r.v[PV_F_PSI_CPU_SOME] = 17;
	r.v[PV_F_OOM_KILLS] = 1;
	r.v[PV_F_TIME_MS] = UINT64_C(1790000000123);
	/* Missing sources leave their lines out. */
	r.have &= ~(1u << PV_F_PSI_MEM_FULL);
	len = pv_agent_report_format(&r, 42, buf, sizeof(buf));
	assert_string_equal(buf,
		"data/pvctl/mem_total_kb=1000000\n"
		"data/pvctl/mem_available_kb=500000\n"
		"data/pvctl/swap_in_pps=3\n"
		"data/pvctl/swap_out_pps=0\n"
		"data/pvctl/psi_mem_some=1000\n"
		"data/pvctl/psi_cpu_some=17\n"
		"data/pvctl/cpu_util=5000\n"
		"data/pvctl/cpus_online=2\n"
		"data/pvctl/oom_kills=1\n"
		"data/pvctl/time_ms=1790000000123\n"
		"data/pvctl/seq=42\n");
	assert_int_equal(len, strlen(buf));

	/* The one-line form the host reads in one request. */
	len = pv_agent_report_line(&r, 42, buf, sizeof(buf));
	assert_string_equal(buf,
		"mem_total_kb=1000000 mem_available_kb=500000 swap_in_pps=3 "
		"swap_out_pps=0 psi_mem_some=1000 psi_cpu_some=17 cpu_util=5000 "
		"cpus_online=2 oom_kills=1 time_ms=1790000000123 seq=42");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(pv_agent_report_line(&r, 42, small, sizeof(small)), len);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	len = pv_agent_report_format(&r, 42, buf, sizeof(buf));

	/* Too small a buffer: terminated, and the needed length returned. */
	assert_int_equal(pv_agent_report_format(&r, 42, small, sizeof(small)), len);
	assert_int_equal(strlen(small), sizeof(small) - 1);

	/* The largest possible report fits the documented bound. */
	memset(r.v, 0xff, sizeof(r.v));
	r.have = ~0u;
	assert_true(pv_agent_report_format(&r, UINT64_MAX, buf, sizeof(buf)) <
		    PV_AGENT_REPORT_MAX);
}

/* --- the agent's report, read by the host --- */

/* The guest writes @val at data/pvctl/@name (PV_AGENT_XS_DIR...), as itself. */
static void guest_put(struct fx *f, uint32_t domid, const char *path,
		      const char *val)
{
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path, val,
					     strlen(val)), 0);
	pv_sim_set_caller(f->s, 0);
}

/* What the host reads of @domid's report; fails if it refuses it. */
static void host_reads(struct fx *f, uint32_t domid, struct pv_signals *s)
{
	const char *why = NULL;

	pv_signals_read(&f->hv, domid, 0, s, &why);
	if (!s->valid)
		fail_msg("the host refused the agent's report: %s", why);
}

static void assert_same(const struct pv_signals *s, const struct pv_agent_report *r,
			uint64_t seq)
{
	assert_true(s->seq == seq);
	assert_true(s->mem_total_kb == r->v[PV_F_MEM_TOTAL_KB]);
	assert_true(s->mem_avail_kb == r->v[PV_F_MEM_AVAILABLE_KB]);
	assert_true(s->swap_in_pps == r->v[PV_F_SWAP_IN_PPS]);
	assert_true(s->swap_out_pps == r->v[PV_F_SWAP_OUT_PPS]);
	assert_true(s->psi_mem_some == r->v[PV_F_PSI_MEM_SOME]);
	assert_true(s->psi_mem_full == r->v[PV_F_PSI_MEM_FULL]);
	assert_true(s->psi_cpu_some == r->v[PV_F_PSI_CPU_SOME]);
	assert_true(s->cpu_util == r->v[PV_F_CPU_UTIL]);
	assert_true(s->cpus_online == r->v[PV_F_CPUS_ONLINE]);
	assert_true(s->have_oom_kills);
	assert_true(s->oom_kills == r->v[PV_F_OOM_KILLS]);
	assert_true(s->time_ms == r->v[PV_F_TIME_MS]);
}

/*
 * Both forms the agent writes, the nodes (as the dry run prints them)
 * and the one line, read back by the host as the same report; a report
 * with every field at the largest value the host takes, too.
 */
static void test_host_reads_the_report(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "memory = 512\nmaxmem = 1024\n");
	char buf[PV_AGENT_REPORT_MAX], *line, *save = NULL;
	struct pv_agent_report r;
	struct pv_signals s;
	unsigned int i;

	report(&r);
	for (i = 0; i < PV_F_NR; i++)
		r.v[i] += i + 1;	/* each field its own value */
	pv_agent_report_format(&r, 7, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		assert_non_null(eq);
		*eq = '\0';
		guest_put(f, domid, line, eq + 1);
	}
	host_reads(f, domid, &s);
	assert_same(&s, &r, 7);

	/* The line wins over the nodes. */
	r.v[PV_F_MEM_AVAILABLE_KB] = 123456;
	pv_agent_report_line(&r, 8, buf, sizeof(buf));
	guest_put(f, domid, PV_AGENT_XS_LINE, buf);
	host_reads(f, domid, &s);
	assert_same(&s, &r, 8);

	for (i = 0; i < PV_F_NR; i++)
		r.v[i] = pv_agent_nodes[i].max;
	pv_agent_report_line(&r, pv_agent_seq.max, buf, sizeof(buf));
	guest_put(f, domid, PV_AGENT_XS_LINE, buf);
	host_reads(f, domid, &s);
	assert_same(&s, &r, pv_agent_seq.max);

	/* Whatever the values, the line is short enough for the host. */
	memset(r.v, 0xff, sizeof(r.v));
	assert_true(pv_agent_report_line(&r, UINT64_MAX, buf, sizeof(buf)) <
		    PV_AGENT_LINE_MAX);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_sample_read(void **state)
{
	char dir[] = "/tmp/pvctl-agent-test.XXXXXX";
	char cmd[600];
	struct pv_agent_sample s;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc %s/sys/devices/system/cpu", dir, dir);
	assert_int_equal(system(cmd), 0);
	put(dir, "/proc/meminfo", meminfo);
	put(dir, "/proc/vmstat", vmstat);
	put(dir, "/proc/stat", stat_text);
	put(dir, "/sys/devices/system/cpu/online", "0-2\n");

	/* No /proc/pressure, as on kernels before 4.20. */
	pv_agent_sample_read(&s, dir, 1234, UINT64_C(1790000000123));
	assert_int_equal(s.t_ms, 1234);
	assert_true(s.realtime_ms == UINT64_C(1790000000123));
	assert_int_equal(s.have, PV_HAVE_MEM_TOTAL | PV_HAVE_MEM_AVAIL | PV_HAVE_SWAP |
				 PV_HAVE_CPU | PV_HAVE_CPUS | PV_HAVE_OOM);
	assert_int_equal(s.mem_available_kb, 1523004);
	assert_int_equal(s.pswpout, 4242);
	assert_int_equal(s.oom_kill, 3);
	assert_int_equal(s.cpu_idle, 418199 + 1081);
	assert_int_equal(s.cpus_online, 3);

	snprintf(cmd, sizeof(cmd), "mkdir %s/proc/pressure", dir);
	assert_int_equal(system(cmd), 0);
	put(dir, "/proc/pressure/memory", pressure_mem);
	put(dir, "/proc/pressure/cpu", pressure_cpu);
	put(dir, "/proc/meminfo", "garbage\n");
	put(dir, "/proc/vmstat", vmstat_412);
	pv_agent_sample_read(&s, dir, 0, 0);
	assert_true(s.have & PV_HAVE_PSI_MEM);
	assert_true(s.have & PV_HAVE_SWAP);
	assert_false(s.have & PV_HAVE_OOM);
	assert_true(s.have & PV_HAVE_PSI_CPU);
	assert_false(s.have & (PV_HAVE_MEM_TOTAL | PV_HAVE_MEM_AVAIL));
	assert_int_equal(s.psi_mem_full, 1205);
	assert_int_equal(s.psi_cpu_some, 10000);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_vmstat),
		cmocka_unit_test(test_vmstat_oom_kill),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_rates_fast),
		cmocka_unit_test(test_oom_and_time_fields),
		cmocka_unit_test(test_cpu_util),
		cmocka_unit_test(test_significant),
		cmocka_unit_test(test_significant_oom_time),
		cmocka_unit_test(test_significant_urgent),
		cmocka_unit_test(test_urgent),
		cmocka_unit_test(test_format),
		cmocka_unit_test_setup_teardown(test_host_reads_the_report,
						fx_setup, fx_teardown),
		cmocka_unit_test(test_sample_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
