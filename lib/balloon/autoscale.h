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
	bool seen;			/* present in this tick */
	bool watched;			/* its data/pvctl/seq is watched */
	/* outputs of decide() */
	uint64_t need_kb;		/* what its signals say it needs */
	uint64_t new_target_kb;		/* 0: no change */
	unsigned int new_vcpus;		/* 0: no change */
	char why[200];			/* the last decision and its reason */
};

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
