/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c: from two samples to the values pvctl-agent publishes, the
 * test for "changed enough to publish now", and the key=value text.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

/* Early-publish thresholds (see pvctl-agent(8)). */
#define SIG_MEM_AVAIL_PCT	5	/* of MemTotal */
#define SIG_PSI_MEM_CENTI	500	/* 5.00 points of avg10 */
#define SIG_CPU_UTIL_CENTI	2000	/* 20 points */
/* While urgent, MemAvailable moves this small are news: the host has
 * a fraction of a second to give memory before the OOM killer acts. */
#define URGENT_MEM_STEP_KB	1024

/* Urgency thresholds (see pvctl-agent(8)). */
#define URGENT_FALL_PCT		2	/* of MemTotal per second */

const char *pv_agent_field_name(enum pv_agent_field f)
{
	return f < PV_F_NR ? pv_agent_nodes[f].name : NULL;
}

static void set(struct pv_agent_report *r, enum pv_agent_field f, uint64_t v)
{
	r->have |= 1u << f;
	r->v[f] = v;
}

static bool has(const struct pv_agent_report *r, enum pv_agent_field f)
{
	return r->have & (1u << f);
}

/* Events per second over @ms milliseconds, rounded; a counter that went
 * backwards (it should not) counts as no events. */
static uint64_t per_second(uint64_t before, uint64_t after, uint64_t ms)
{
	uint64_t d = after > before ? after - before : 0;

	if (d > UINT64_MAX / 1000 - ms)
		d = UINT64_MAX / 1000 - ms;
	return (d * 1000 + ms / 2) / ms;
}

static void compute_cpu(struct pv_agent_report *r,
			const struct pv_agent_sample *prev,
			const struct pv_agent_sample *cur)
{
	uint64_t busy, total;

	if (!(prev->have & cur->have & PV_HAVE_CPU) ||
	    cur->cpu_busy < prev->cpu_busy || cur->cpu_idle < prev->cpu_idle)
		return;
	busy = cur->cpu_busy - prev->cpu_busy;
	total = busy + (cur->cpu_idle - prev->cpu_idle);
	/* No tick in the interval: nothing to say, rather than 0%. */
	if (!total || busy > UINT64_MAX / 10000)
		return;
	set(r, PV_F_CPU_UTIL, (busy * 10000 + total / 2) / total);
}

void pv_agent_report_compute(struct pv_agent_report *r,
			     const struct pv_agent_sample *prev,
			     const struct pv_agent_sample *cur)
{
	uint64_t ms = cur->t_ms > prev->t_ms ? cur->t_ms - prev->t_ms : 0;

	memset(r, 0, sizeof(*r));
	if (cur->have & PV_HAVE_MEM_TOTAL)
		set(r, PV_F_MEM_TOTAL_KB, cur->mem_total_kb);
	/* The host drops a whole report whose MemAvailable exceeds
	 * MemTotal; the kernel's estimate should never, but keep it so. */
	if (cur->have & PV_HAVE_MEM_AVAIL)
		set(r, PV_F_MEM_AVAILABLE_KB,
		    (cur->have & PV_HAVE_MEM_TOTAL) &&
		    cur->mem_available_kb > cur->mem_total_kb ?
		    cur->mem_total_kb : cur->mem_available_kb);
	if ((prev->have & cur->have & PV_HAVE_SWAP) && ms) {
		set(r, PV_F_SWAP_IN_PPS, per_second(prev->pswpin, cur->pswpin, ms));
		set(r, PV_F_SWAP_OUT_PPS, per_second(prev->pswpout, cur->pswpout, ms));
	}
	if (cur->have & PV_HAVE_PSI_MEM) {
		set(r, PV_F_PSI_MEM_SOME, cur->psi_mem_some);
		set(r, PV_F_PSI_MEM_FULL, cur->psi_mem_full);
	}
	if (cur->have & PV_HAVE_PSI_CPU)
		set(r, PV_F_PSI_CPU_SOME, cur->psi_cpu_some);
	compute_cpu(r, prev, cur);
	if (cur->have & PV_HAVE_CPUS)
		set(r, PV_F_CPUS_ONLINE, cur->cpus_online);
	if (cur->have & PV_HAVE_OOM)
		set(r, PV_F_OOM_KILLS, cur->oom_kill);
	set(r, PV_F_TIME_MS, cur->realtime_ms);
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Whether field @f moved by at least @step between @a and @b. */
static bool moved(const struct pv_agent_report *a, const struct pv_agent_report *b,
		  enum pv_agent_field f, uint64_t step)
{
	return has(a, f) && has(b, f) && distance(a->v[f], b->v[f]) >= step;
}

/* 5% of MemTotal (1 MiB at most while urgent), and at least a kB so
 * that no step is "a move". */
static uint64_t mem_step(const struct pv_agent_report *r, bool urgent)
{
	uint64_t step = r->v[PV_F_MEM_TOTAL_KB] / 100 * SIG_MEM_AVAIL_PCT;

	if (urgent && step > URGENT_MEM_STEP_KB)
		step = URGENT_MEM_STEP_KB;
	return step ? step : 1;
}

static bool significant(const struct pv_agent_report *last,
			const struct pv_agent_report *now, bool urgent,
			const char **why)
{
	/* time_ms is in every report and differs in every one: it says
	 * when, not what, and alone would make every sample a report. */
	unsigned int f, appeared = (last->have ^ now->have) & ~(1u << PV_F_TIME_MS);
	int hit = -1;

	/* A source coming or going is news to the host. */
	for (f = 0; f < PV_F_NR && hit < 0; f++) {
		if (appeared & (1u << f))
			hit = f;
	}
	/* An OOM kill means the guest already ran out: the host should
	 * hear at once, whatever else moved. */
	if (hit < 0 && moved(last, now, PV_F_OOM_KILLS, 1))
		hit = PV_F_OOM_KILLS;
	if (hit < 0 && has(now, PV_F_MEM_TOTAL_KB) &&
	    moved(last, now, PV_F_MEM_AVAILABLE_KB, mem_step(now, urgent)))
		hit = PV_F_MEM_AVAILABLE_KB;
	if (hit < 0 && moved(last, now, PV_F_PSI_MEM_SOME, SIG_PSI_MEM_CENTI))
		hit = PV_F_PSI_MEM_SOME;
	if (hit < 0 && moved(last, now, PV_F_CPU_UTIL, SIG_CPU_UTIL_CENTI))
		hit = PV_F_CPU_UTIL;
	if (hit < 0 && moved(last, now, PV_F_CPUS_ONLINE, 1))
		hit = PV_F_CPUS_ONLINE;
	if (why)
		*why = hit < 0 ? NULL : pv_agent_nodes[hit].name;
	return hit >= 0;
}

bool pv_agent_report_significant(const struct pv_agent_report *last,
				 const struct pv_agent_report *now,
				 const char **why)
{
	return significant(last, now, false, why);
}

bool pv_agent_report_significant_urgent(const struct pv_agent_report *last,
					const struct pv_agent_report *now,
					const char **why)
{
	return significant(last, now, true, why);
}

/* @pct percent of @kb, rounded down, without overflow. */
static uint64_t percent_of(uint64_t kb, unsigned int pct)
{
	return kb <= UINT64_MAX / 100 ? kb * pct / 100 : kb / 100 * pct;
}

bool pv_agent_urgent(const struct pv_agent_sample *prev,
		     const struct pv_agent_sample *cur, unsigned int low_pct,
		     const char **why)
{
	unsigned int mem = PV_HAVE_MEM_TOTAL | PV_HAVE_MEM_AVAIL;
	const char *hit = NULL;

	if (low_pct > 100)
		low_pct = 100;
	if ((prev->have & cur->have & PV_HAVE_OOM) && cur->oom_kill > prev->oom_kill)
		hit = "oom kill";
	if (!hit && (prev->have & cur->have & mem) == mem &&
	    cur->t_ms > prev->t_ms &&
	    cur->mem_available_kb < prev->mem_available_kb) {
		/* Over at least a fast tick: a sample taken a few ms after
		 * the last (a PSI wake-up) would turn a few pages of noise
		 * into a steep fall. */
		uint64_t ms = cur->t_ms - prev->t_ms, floor_kb;

		if (ms < PV_AGENT_FAST_MS)
			ms = PV_AGENT_FAST_MS;
		floor_kb = percent_of(cur->mem_total_kb, URGENT_FALL_PCT);
		if (per_second(cur->mem_available_kb, prev->mem_available_kb, ms) >=
		    (floor_kb ? floor_kb : 1))
			hit = "MemAvailable falling";
	}
	if (!hit && low_pct && (cur->have & mem) == mem &&
	    cur->mem_available_kb < percent_of(cur->mem_total_kb, low_pct))
		hit = "MemAvailable low";
	if (why)
		*why = hit;
	return hit != NULL;
}

/* snprintf at the end of @buf, counting what did not fit too. */
static void PV_AGENT_PRINTF(4, 5) append(char *buf, size_t size, size_t *len,
					 const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (*len < size)
		n = vsnprintf(buf + *len, size - *len, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += n;
}

/* Each present field as PREFIX NAME=VALUE SEP, then seq with @end. */
static size_t format(const struct pv_agent_report *r, uint64_t seq, char *buf,
		     size_t size, const char *prefix, const char *sep,
		     const char *end)
{
	size_t len = 0;
	unsigned int f;

	if (size)
		buf[0] = '\0';
	for (f = 0; f < PV_F_NR; f++) {
		if (has(r, f))
			append(buf, size, &len, "%s%s=%" PRIu64 "%s", prefix,
			       pv_agent_nodes[f].name, r->v[f], sep);
	}
	append(buf, size, &len, "%s%s=%" PRIu64 "%s", prefix, pv_agent_seq.name,
	       seq, end);
	return len;
}

size_t pv_agent_report_format(const struct pv_agent_report *r, uint64_t seq,
			      char *buf, size_t size)
{
	return format(r, seq, buf, size, PV_AGENT_XS_DIR, "\n", "\n");
}

size_t pv_agent_report_line(const struct pv_agent_report *r, uint64_t seq,
			    char *buf, size_t size)
{
	return format(r, seq, buf, size, "", " ", "");
}
