/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.h: running the autoscale loop against a hypervisor.
 */
#ifndef PV_AUTOSCALE_LOOP_H
#define PV_AUTOSCALE_LOOP_H

#include <stdio.h>

#include "autoscale.h"
#include "room_server.h"

struct pv_autoscale {
	struct pv_ctx *ctx;
	char *policy_dir;
	struct pv_policy_set policies;
	struct pv_as_dom *doms;
	size_t n, cap;
	FILE *audit;			/* one JSON line per applied decision */
	unsigned long ticks;
	unsigned int interval_s;	/* overrides host.policy's when set */
	bool verbose;			/* audit lines to stderr too */
	uint64_t decide_rt;		/* the last decision, wall clock ms */
	struct pv_room_server room;	/* creates asking for room */
	struct pv_as_host host;		/* the last tick's host inputs and outputs */
	/* Receives events (runaway guests...): a JSON object, as text. */
	void (*event)(void *arg, const char *json);
	void *event_arg;
};

/* Loads the policies; fails (with the file's error) if they do not parse. */
int pv_autoscale_init(struct pv_autoscale *as, struct pv_ctx *ctx,
		      const char *policy_dir, struct pv_err *err);
void pv_autoscale_dispose(struct pv_autoscale *as);
/* Re-reads the policies; on error the old ones stay in force. */
int pv_autoscale_reload(struct pv_autoscale *as, struct pv_err *err);
/*
 * One tick: refresh every domain's inputs, decide, and (with @apply)
 * carry the decisions out, shrinks before grows.
 */
int pv_autoscale_tick(struct pv_autoscale *as, bool apply, struct pv_err *err);
/*
 * The per-domain status as a JSON object into @w: the file `autoscale
 * status` shows, and after a tick not applied, the plan.
 */
struct pv_jw;
void pv_autoscale_status_json(const struct pv_autoscale *as, struct pv_jw *w);
/*
 * Runs ticks every interval, and decides on each guest's report as soon
 * as its watch fires (reading that guest alone), until *stop is set (by
 * a signal handler); *reload asks for pv_autoscale_reload(). While a
 * target it set is not reached, it polls the balloon every 100 ms, to
 * log when it got there and measure the reaction time.
 */
int pv_autoscale_run(struct pv_autoscale *as, volatile int *stop,
		     volatile int *reload, struct pv_err *err);

#endif
