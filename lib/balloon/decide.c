/*
 * decide.c: one tick's decisions (see pv_autoscale_decide in autoscale.h).
 *
 * A guest's need is the memory that keeps its MemAvailable at the
 * policy's headroom, plus what its kernel keeps outside MemTotal; memory
 * pressure (PSI) forbids shrinking and, past pressure_high, asks for a
 * step more. The need is clamped to the policy's floor and ceiling (and
 * maxmem). Shrinks are decided first and never go below the need, so the
 * loop cannot starve a guest into its OOM killer. Grows are paid only
 * from what the host has free above its reserve, minus what was already
 * promised (targets guests have not reached yet, memory held for
 * creates), because memory given back by shrinking guests only counts
 * once it has actually come back.
 *
 * Room for creates: a create that does not fit asks the loop for room
 * (room.c); until it has built its domain, its memory is pending. While
 * something is pending, the step limits and cooldowns of shrinking give
 * way: guests holding more than they need are shrunk to their need,
 * lowest priority and largest surplus first, until what the host has
 * free plus what shrinking guests are still giving back covers the
 * reserve, the pending creates and the grows not reached yet. When
 * that cannot be had even by giving up the reserve, nobody is shrunk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale.h"

#define MiB(kb) ((unsigned long long)(kb) / 1024)

static uint64_t ceiling_of(const struct pv_as_dom *d)
{
	uint64_t c = d->static_max_kb;

	if (d->pol->mem_max_kb && d->pol->mem_max_kb < c)
		c = d->pol->mem_max_kb;
	return c;
}

static uint64_t floor_of(const struct pv_as_dom *d)
{
	return pv_min_u64(d->pol->mem_min_kb, ceiling_of(d));
}

/* What the guest needs, unclamped; writes the reason into d->why. */
static uint64_t raw_need(struct pv_as_dom *d)
{
	const struct pv_policy *p = d->pol;
	const struct pv_signals *s = &d->sig;
	uint64_t overhead, used, need;

	if (!s->valid) {
		snprintf(d->why, sizeof(d->why), "hold: %s", d->sig_why ?
			 d->sig_why : "no agent data");
		return d->target_kb;
	}
	/* The kernel keeps some memory outside MemTotal: it comes on top. */
	overhead = d->target_kb > s->mem_total_kb ? d->target_kb - s->mem_total_kb : 0;
	used = s->mem_total_kb - s->mem_avail_kb;
	need = used * 100 / (100 - p->headroom_pct) + overhead;
	snprintf(d->why, sizeof(d->why), "uses %llu MiB, keeps %u%% available: "
		 "needs %llu MiB", MiB(used), p->headroom_pct, MiB(need));
	if (s->psi_mem_some >= p->pressure_high) {
		need = pv_max_u64(need, d->target_kb + p->step_max_kb);
		snprintf(d->why, sizeof(d->why), "memory pressure %u.%02u%% >= "
			 "%u.%02u%%: grow", s->psi_mem_some / 100,
			 s->psi_mem_some % 100, p->pressure_high / 100,
			 p->pressure_high % 100);
	} else if (s->psi_mem_some > p->pressure_low && need < d->target_kb) {
		need = d->target_kb;
		snprintf(d->why, sizeof(d->why), "memory pressure %u.%02u%%: "
			 "no shrink", s->psi_mem_some / 100, s->psi_mem_some % 100);
	}
	return need;
}

static void decide_need(struct pv_as_dom *d, uint64_t now)
{
	uint64_t need = raw_need(d), ceiling = ceiling_of(d);

	/* Demand past the ceiling for long is a leak, not a workload. */
	if (d->sig.valid && need > ceiling) {
		if (!d->ceiling_since_ms)
			d->ceiling_since_ms = now;
		d->runaway = now - d->ceiling_since_ms >= d->pol->runaway_s * 1000ull;
	} else {
		d->ceiling_since_ms = 0;
		d->runaway = false;
	}
	d->need_kb = pv_min_u64(pv_max_u64(need, floor_of(d)), ceiling);
}

static void decide_shrink(struct pv_as_dom *d, uint64_t now)
{
	const struct pv_policy *p = d->pol;
	uint64_t step;

	if (d->need_kb >= d->target_kb)
		return;
	step = pv_min_u64(d->target_kb - d->need_kb, p->step_max_kb);
	/* Not worth it (hysteresis), unless the target is above the ceiling. */
	if (step < p->step_min_kb && d->target_kb <= ceiling_of(d))
		return;
	if (now - d->last_down_ms < p->cooldown_down_s * 1000ull) {
		snprintf(d->why + strlen(d->why), sizeof(d->why) - strlen(d->why),
			 "; shrink waits for its cooldown");
		return;
	}
	d->new_target_kb = d->target_kb - step;
}

bool pv_as_close(uint64_t cur_kb, uint64_t target_kb)
{
	uint64_t off = cur_kb > target_kb ? cur_kb - target_kb : target_kb - cur_kb;

	return off <= 4096 || off * 50 <= target_kb;
}

static uint64_t planned(const struct pv_as_dom *d)
{
	return d->new_target_kb ? d->new_target_kb : d->target_kb;
}

struct surplus {
	struct pv_as_dom *d;
	uint64_t kb;
};

static int by_surplus(const void *a, const void *b)
{
	const struct surplus *x = a, *y = b;

	if (x->d->pol->priority != y->d->pol->priority)
		return x->d->pol->priority < y->d->pol->priority ? -1 : 1;
	return x->kb < y->kb ? 1 : x->kb > y->kb ? -1 : 0;
}

static void make_room(struct pv_as_dom *doms, size_t n, struct pv_as_host *host)
{
	uint64_t want = host->reserve_kb + host->pending_kb, have = host->free_kb;
	uint64_t total = 0;
	struct surplus *s;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct pv_as_dom *d = &doms[i];

		if (d->pol && d->uncooperative)
			continue;
		if (d->target_kb > d->cur_kb)
			want += d->target_kb - d->cur_kb;
		else if (d->pol && !pv_as_close(d->cur_kb, planned(d)))
			host->coming_kb += d->cur_kb - planned(d);
	}
	have += host->coming_kb;
	if (!host->pending_kb || have >= want)
		return;
	host->short_kb = want - have;
	s = pv_calloc(n ? n : 1, sizeof(*s));
	for (i = 0; i < n; i++)
		if (doms[i].pol && !doms[i].uncooperative &&
		    planned(&doms[i]) > doms[i].need_kb) {
			s[k].d = &doms[i];
			s[k].kb = planned(&doms[i]) - doms[i].need_kb;
			total += s[k++].kb;
		}
	/* Hopeless even with the reserve given up: shrink nobody for it. */
	if (total + host->reserve_kb < host->short_kb) {
		host->short_kb -= total;
		k = 0;
	}
	qsort(s, k, sizeof(*s), by_surplus);
	for (i = 0; i < k && host->short_kb; i++) {
		struct pv_as_dom *d = s[i].d;
		uint64_t take = pv_min_u64(s[i].kb, host->short_kb);

		d->new_target_kb = planned(d) - take;
		host->short_kb -= take;
		if (d->cur_kb > d->new_target_kb)
			host->coming_kb += pv_min_u64(take, d->cur_kb - d->new_target_kb);
		snprintf(d->why + strlen(d->why), sizeof(d->why) - strlen(d->why),
			 "; gives %llu MiB to make room for a new guest", MiB(take));
	}
	free(s);
}

struct want {
	struct pv_as_dom *d;
	uint64_t kb;		/* still wanted */
};

static int by_priority(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return (int)y->d->pol->priority - (int)x->d->pol->priority;
}

/*
 * Serves the wants of one priority group from *budget: all of them if it
 * suffices, else in proportion to weight (water-filling, so what a small
 * want leaves over goes to the others).
 */
static void serve_group(struct want *w, size_t n, uint64_t *budget)
{
	for (;;) {
		uint64_t wsum = 0, given = 0, share;
		size_t i, open = 0;

		for (i = 0; i < n; i++)
			if (w[i].kb) {
				wsum += w[i].d->pol->weight;
				open++;
			}
		if (!open || !*budget)
			return;
		for (i = 0; i < n; i++) {
			if (!w[i].kb)
				continue;
			share = *budget * w[i].d->pol->weight / wsum;
			share = pv_min_u64(pv_max_u64(share, 1), w[i].kb);
			share = pv_min_u64(share, *budget - given);
			w[i].d->new_target_kb = (w[i].d->new_target_kb ?
				w[i].d->new_target_kb : w[i].d->target_kb) + share;
			w[i].kb -= share;
			given += share;
		}
		*budget -= given;
		if (!given)
			return;
	}
}

static void decide_grows(struct pv_as_dom *doms, size_t n,
			 const struct pv_as_host *host, uint64_t now)
{
	struct want *w = pv_calloc(n, sizeof(*w));
	uint64_t promised = host->reserve_kb + host->pending_kb, budget;
	size_t i, k = 0, g;

	for (i = 0; i < n; i++) {
		struct pv_as_dom *d = &doms[i];

		/*
		 * Targets not reached yet are memory already spoken for, whoever
		 * set them (a guest without a policy balloons up all the same).
		 */
		if ((!d->pol || !d->uncooperative) && d->target_kb > d->cur_kb)
			promised += d->target_kb - d->cur_kb;
		if (!d->pol || d->uncooperative || d->need_kb <= d->target_kb)
			continue;
		if (now - d->last_up_ms < d->pol->cooldown_up_s * 1000ull &&
		    d->target_kb >= floor_of(d)) {
			snprintf(d->why + strlen(d->why), sizeof(d->why) - strlen(d->why),
				 "; grow waits for its cooldown");
			continue;
		}
		/*
		 * Grow promptly, shrink reluctantly: a guest short of its
		 * headroom gets what it lacks (at most step_max) however small;
		 * hysteresis (step_min) applies to shrinks only, since a guest
		 * left short can meet its OOM killer before the next tick.
		 */
		w[k].d = d;
		w[k].kb = pv_min_u64(d->need_kb - d->target_kb, d->pol->step_max_kb);
		k++;
	}
	budget = host->free_kb > promised ? host->free_kb - promised : 0;
	qsort(w, k, sizeof(*w), by_priority);
	for (i = 0; i < k; i = g) {
		for (g = i; g < k && w[g].d->pol->priority == w[i].d->pol->priority; g++)
			;
		serve_group(w + i, g - i, &budget);
	}
	for (i = 0; i < k; i++)
		if (w[i].kb)
			snprintf(w[i].d->why + strlen(w[i].d->why),
				 sizeof(w[i].d->why) - strlen(w[i].d->why),
				 "; %llu MiB short: host at its reserve", MiB(w[i].kb));
	free(w);
}

/* vCPUs: add or remove one when utilisation stays past a threshold. */
static void decide_vcpus(struct pv_as_dom *d, uint64_t now)
{
	const struct pv_policy *p = d->pol;
	unsigned int max = p->vcpu_max && p->vcpu_max < d->maxvcpus ?
			   p->vcpu_max : d->maxvcpus;
	unsigned int min = p->vcpu_min < 1 ? 1 : p->vcpu_min;
	unsigned int util = d->sig.cpu_util / 100;
	uint64_t hold = p->vcpu_hold_s * 1000ull;

	if (min > max)
		min = max;
	if (d->vcpus < min || d->vcpus > max) {
		d->new_vcpus = d->vcpus < min ? min : max;
		return;
	}
	if (!d->sig.valid)
		return;
	d->util_high_since_ms = util >= p->vcpu_up_util ?
		(d->util_high_since_ms ? d->util_high_since_ms : now) : 0;
	d->util_low_since_ms = util <= p->vcpu_down_util ?
		(d->util_low_since_ms ? d->util_low_since_ms : now) : 0;
	if (now - d->last_vcpu_ms < hold)
		return;
	if (d->util_high_since_ms && now - d->util_high_since_ms >= hold &&
	    d->vcpus < max)
		d->new_vcpus = d->vcpus + 1;
	else if (d->util_low_since_ms && now - d->util_low_since_ms >= hold &&
		 d->vcpus > min)
		d->new_vcpus = d->vcpus - 1;
}

void pv_autoscale_decide(struct pv_as_dom *doms, size_t n,
			 struct pv_as_host *host, uint64_t now_ms)
{
	size_t i;

	host->rising_kb = host->coming_kb = host->short_kb = 0;
	for (i = 0; i < n; i++) {
		doms[i].new_target_kb = 0;
		doms[i].new_vcpus = 0;
		if (!doms[i].pol)
			continue;
		decide_need(&doms[i], now_ms);
		decide_shrink(&doms[i], now_ms);
		decide_vcpus(&doms[i], now_ms);
	}
	make_room(doms, n, host);
	decide_grows(doms, n, host, now_ms);
	/* Targets not reached yet, this tick's grows with them. */
	for (i = 0; i < n; i++) {
		const struct pv_as_dom *d = &doms[i];
		uint64_t t = d->new_target_kb ? d->new_target_kb : d->target_kb;

		if ((!d->pol || !d->uncooperative) && t > d->cur_kb)
			host->rising_kb += t - d->cur_kb;
	}
}
