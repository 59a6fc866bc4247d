/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * autoscale.h: the policy loop that rebalances guests' memory (balloon
 * targets) and online vCPUs.
 *
 * Split in three: signals.c reads what each guest's agent publishes
 * (untrusted: validated and clamped), decide.c turns one tick's inputs
 * into decisions (pure: no hypervisor, so it is unit-tested and
 * benchmarked at scale), loop.c runs ticks against the hypervisor,
 * applies decisions safely and keeps the audit log and status.
 */
#ifndef PV_AUTOSCALE_H
#define PV_AUTOSCALE_H

#include <stdbool.h>
#include <stdint.h>

#include "../ctx.h"
#include "../../config/policy.h"

/* What a guest's agent published (data/pvctl/...), once validated. */
struct pv_signals {
	bool valid;			/* an agent reported sane values */
	uint64_t seq;
	uint64_t mem_total_kb, mem_avail_kb;
	uint64_t swap_in_pps, swap_out_pps;
	unsigned int psi_mem_some, psi_mem_full, psi_cpu_some; /* 1/100 % */
	unsigned int cpu_util;		/* 1/100 %, 0..10000 */
	unsigned int cpus_online;
	bool have_oom_kills;
	uint64_t oom_kills;		/* the guest's oom_kill counter */
	uint64_t time_ms;		/* the guest's clock at the sample (epoch
					   ms; 0: not sent); for latency only */
};

/*
 * Reads and validates a guest's published data. Anything out of range,
 * not a number, or inconsistent (MemAvailable above MemTotal, MemTotal
 * above what the domain holds) makes the whole report invalid, and
 * *why says what was wrong (static string).
 */
void pv_signals_read(struct pv_hv *hv, uint32_t domid, uint64_t static_max_kb,
		     struct pv_signals *s, const char **why);

/* Whether a balloon at @cur_kb has reached @target_kb (give or take). */
bool pv_as_close(uint64_t cur_kb, uint64_t target_kb);

/* Reports kept per guest to estimate how fast its use grows. */
#define PV_AS_HIST	8
/* The window of the long-term growth rate, and the shortest span. */
#define PV_AS_RATE_WINDOW_MS	10000
#define PV_AS_RATE_MIN_SPAN_MS	2000
/* Bounds of the horizon: how far ahead a guest's growth is provided for. */
#define PV_AS_HORIZON_MIN_MS	2000
#define PV_AS_HORIZON_MAX_MS	10000
/* A shrink is watched this long (at least) for pressure, to undo it. */
#define PV_AS_UNDO_WINDOW_MS	20000
/* The shrink hold doubles on each undone shrink, up to 2^this. */
#define PV_AS_BACKOFF_MAX	6
/* A balloon gets this long to reach its target before being held
   against it (uncooperative detection). */
#define PV_AS_GRACE_MS		5000

/* One domain's inputs and loop state, carried from tick to tick. */
struct pv_as_dom {
	uint32_t domid;
	char name[65];
	const struct pv_policy *pol;	/* NULL: no policy matches: left alone */
	/* inputs, refreshed each tick */
	uint64_t cur_kb;		/* what it holds (hypervisor) */
	uint64_t target_kb;		/* memory/target */
	uint64_t static_max_kb;		/* memory/static-max */
	unsigned int vcpus, maxvcpus;
	struct pv_signals sig;
	const char *sig_why;		/* why the signals are invalid */
	/* state */
	uint64_t last_up_ms, last_down_ms, last_vcpu_ms;
	uint64_t target_set_ms;		/* when we last set the target */
	uint64_t ceiling_since_ms;	/* demand at the ceiling since */
	uint64_t util_high_since_ms, util_low_since_ms;
	bool uncooperative, runaway;
	uint64_t off_target_ms;		/* time held above its target, leaky */
	uint64_t judged_ms;		/* pv_as_judge_cooperation's last time */
	bool seen;			/* present in this tick */
	bool watched;			/* its data/pvctl/seq is watched */
	/* reports (pv_as_note_report) */
	uint64_t last_seq;
	uint64_t first_report_ms;	/* first valid report (settling) */
	struct { uint64_t t_ms, used_kb; } hist[PV_AS_HIST];
	unsigned int hist_n;		/* newest at hist[hist_n - 1] */
	uint64_t rate_kbps;		/* growth of use, KiB/s (0: none) */
	uint64_t report_held_kb;	/* what it held when its report came */
	bool oom_known;			/* oom_base is the guest's counter */
	uint64_t oom_base;
	uint64_t oom_kills;		/* seen by this loop */
	bool oom_new;			/* a kill since the last decision */
	uint64_t margin_extra_kb;	/* raised after each OOM kill */
	/* careful shrinking */
	uint64_t shrink_from_kb;	/* target before a shrink on watch */
	unsigned int backoff;		/* shrink hold = cooldown_down << this */
	/* reaction, measured by the loop (wall clock, ms, to compare with
	   the guest's report times) */
	uint64_t horizon_ms;		/* 0: PV_AS_HORIZON_MIN_MS */
	uint64_t react_ms;		/* report's watch to grow landed, smoothed */
	uint64_t event_rt;		/* its report's watch fired (0: a tick) */
	uint64_t sample_rt;		/* the guest sampled the report acted on */
	uint64_t write_rt;		/* a target the loop wrote, until reached */
	uint64_t cause_rt;		/* what it answered: its report's watch
					   firing, or the tick's decision */
	uint64_t write_from_kb;
	bool report_pending;		/* a report's watch fired, not read yet */
	bool fresh;			/* this tick read a new report */
	/* outputs of decide() */
	uint64_t need_kb;		/* what its signals say it needs */
	uint64_t new_target_kb;		/* 0: no change */
	unsigned int new_vcpus;		/* 0: no change */
	bool urgent;			/* a grow no cooldown may hold back */
	char why[240];			/* the last decision and its reason */
};

/*
 * Takes in a report the loop has just read into @d->sig at @now_ms
 * (host clock): when it is new (seq moved), adds it to the history,
 * re-estimates the growth rate, notices OOM kills, and returns true.
 */
bool pv_as_note_report(struct pv_as_dom *d, uint64_t now_ms);

/*
 * Whether @d keeps to its target, judged at each refresh of its inputs
 * (@now_ms, host clock). A guest that holds more than its target, past
 * PV_AS_GRACE_MS for its balloon driver, runs up a debt (time) that
 * drains at half the speed while it keeps to its target, so releasing a
 * page now and then, or keeping to its target half the time, does not
 * clear it. Uncooperative from @uncooperative_s seconds of debt until it
 * is paid off. True when @d has just become uncooperative.
 */
bool pv_as_judge_cooperation(struct pv_as_dom *d, unsigned int uncooperative_s,
			     uint64_t now_ms);

struct pv_as_host {
	uint64_t free_kb;
	uint64_t reserve_kb;
	uint64_t pending_kb;		/* held for creates (room requests) */
	/* outputs of decide(), for the creates waiting for room */
	uint64_t rising_kb;		/* still to go to growing guests */
	uint64_t coming_kb;		/* still to come back from shrinking guests */
	uint64_t short_kb;		/* what shrinking every guest to its need
					   cannot free for the reserve and creates */
};

/*
 * One tick's decisions for @n domains at time @now_ms: memory targets and
 * vCPU counts, shrinks first and grows only from memory the host has
 * free above its reserve; when grows exceed that, they are served by
 * priority, then in proportion to weight. Never below a floor or what a
 * guest's signals say it needs, never above its ceiling or maxmem.
 * While creates wait for room (@host->pending_kb), guests that hold more
 * than they need are shrunk to their need at once, lowest priority
 * first, until the host can hold its reserve and the creates; what
 * cannot be had so is left in @host->short_kb. If even the reserve would
 * not make up for it, no guest is shrunk for the creates.
 */
void pv_autoscale_decide(struct pv_as_dom *doms, size_t n,
			 struct pv_as_host *host, uint64_t now_ms);

#endif
