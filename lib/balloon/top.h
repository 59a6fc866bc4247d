/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top.h: what `pvctl top` shows, gathered in one snapshot: each domain
 * as Xen sees it (xentop's columns), its balloon target, what its agent
 * reports, and the autoscale loop's last decision for it.
 */
#ifndef PV_TOP_H
#define PV_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "autoscale.h"

struct pv_top_dom {
	struct pv_dominfo info;
	char *name;			/* NULL if XenStore has none */
	bool have_target;
	uint64_t target_kb;		/* memory/target: the balloon's */
	/* The agent's report (guest data: validated by pv_signals_read). */
	struct pv_signals sig;
	/* The loop's last decision (its status file's "why"), or NULL. */
	char *decision;
};

struct pv_top {
	uint64_t t_ns;			/* monotonic clock at the snapshot */
	struct pv_physinfo host;
	struct pv_top_dom *doms;	/* in domid order */
	size_t n;
	/* The loop's status file (RUN/autoscale.json), when it was read. */
	bool have_loop;
	int64_t loop_time;		/* when the loop wrote it (epoch s) */
	uint64_t loop_ticks;
};

void pv_top_init(struct pv_top *t);
void pv_top_dispose(struct pv_top *t);
/* Fills @t (disposed first) with the host and every domain, now. */
int pv_top_snapshot(struct pv_ctx *ctx, struct pv_top *t, struct pv_err *err);
/*
 * The CPU doms[@i] of @cur used since @prev, in % of one CPU (xentop's
 * CPU(%): above 100 with several vCPUs busy): its cpu_time's growth over
 * the wall time between the snapshots. 0 when @prev (NULL: none) does
 * not hold the same domain (ID and UUID), as xentop's first frame.
 */
double pv_top_cpu_pct(const struct pv_top *prev, const struct pv_top *cur,
		      size_t i);

#endif
