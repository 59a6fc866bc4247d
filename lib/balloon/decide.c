/* SPDX-License-Identifier: GPL-2.0-or-later */
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

bool pv_as_note_report(struct pv_as_dom *d, uint64_t now)
{
	const struct pv_signals *s = &d->sig;
	uint64_t used, rate = 0;
	unsigned int i, n;

	if (!s->valid || (d->hist_n && s->seq == d->last_seq))
		return false;
	d->last_seq = s->seq;
	d->report_held_kb = d->cur_kb;
	if (!d->first_report_ms)
		d->first_report_ms = now;
	/* The kernel's counter only goes up while the guest runs. */
	if (s->have_oom_kills) {
		if (d->oom_known && s->oom_kills > d->oom_base) {
			d->oom_kills += s->oom_kills - d->oom_base;
			d->oom_new = true;
		}
		d->oom_base = s->oom_kills;
		d->oom_known = true;
	}
	used = s->mem_total_kb - s->mem_avail_kb;
	if (d->hist_n == PV_AS_HIST) {
		memmove(d->hist, d->hist + 1, sizeof(d->hist) - sizeof(d->hist[0]));
		d->hist_n--;
	}
	n = d->hist_n++;
	d->hist[n].t_ms = now;
	d->hist[n].used_kb = used;
	/*
	 * The growth rate: the steepest rise from any report in the window
	 * at least PV_AS_RATE_MIN_SPAN_MS old to this one, so that a burst
	 * counts at once and a steady climb is seen over the whole window.
	 * Host time, not the guest's: a guest cannot speed up its clock.
	 */
	for (i = n; i-- > 0;) {
		uint64_t span = now - d->hist[i].t_ms;

		if (span > PV_AS_RATE_WINDOW_MS)
			break;
		if (span < PV_AS_RATE_MIN_SPAN_MS || used <= d->hist[i].used_kb)
			continue;
		rate = pv_max_u64(rate, (used - d->hist[i].used_kb) * 1000 / span);
	}
	d->rate_kbps = rate;
	return true;
}

bool pv_as_judge_cooperation(struct pv_as_dom *d, unsigned int uncooperative_s,
			     uint64_t now)
{
	/* A long gap between refreshes (a stalled loop) is not all debt. */
	uint64_t dt = d->judged_ms ? pv_min_u64(now - d->judged_ms, 10000) : 0;
	uint64_t limit = uncooperative_s * 1000ull;

	d->judged_ms = now;
	if (d->cur_kb > d->target_kb && !pv_as_close(d->cur_kb, d->target_kb) &&
	    now - d->target_set_ms >= PV_AS_GRACE_MS)
		d->off_target_ms = pv_min_u64(d->off_target_ms + dt, 2 * limit);
	else
		d->off_target_ms = pv_sub_u64(d->off_target_ms, dt / 2);
	if (d->off_target_ms >= limit && !d->uncooperative) {
		d->uncooperative = true;
		return true;
	}
	if (!d->off_target_ms)
		d->uncooperative = false;
	return false;
}

static uint64_t horizon_of(const struct pv_as_dom *d)
{
	return d->horizon_ms ? d->horizon_ms : PV_AS_HORIZON_MIN_MS;
}

static uint64_t shrink_hold_ms(const struct pv_as_dom *d)
{
	return (uint64_t)d->pol->cooldown_down_s * 1000 << d->backoff;
}

/*
 * What the guest needs, unclamped, and whether it is urgent; writes the
 * reason into @why. Use now, plus its growth over the horizon (how
 * long until a grow decided now has landed, as measured), with the
 * headroom on top of that and the margin on top of all.
 */
static uint64_t raw_need(struct pv_as_dom *d, struct pv_buf *why, uint64_t now)
{
	const struct pv_policy *p = d->pol;
	const struct pv_signals *s = &d->sig;
	uint64_t overhead, used, need, growth, margin, held, jump;

	if (!s->valid) {
		pv_buf_printf(why, "hold: %s",
		    d->sig_why ? d->sig_why : "no agent data");
		return d->target_kb;
	}
	/*
	 * The kernel keeps some memory outside MemTotal: it comes on top.
	 * What the domain held when the report came, not now: between a
	 * balloon's move and the next report, MemTotal is the old one.
	 */
	held = d->report_held_kb ? d->report_held_kb :
	       d->cur_kb ? d->cur_kb : d->target_kb;
	/*
	 * A guest short of memory grows by step_max at once from what it
	 * held when it reported (not from its target: that would take the
	 * step again at each tick on the same report), and is never shrunk.
	 */
	jump = pv_max_u64(held + p->step_max_kb, d->target_kb);
	overhead = held > s->mem_total_kb ? held - s->mem_total_kb : 0;
	used = s->mem_total_kb - s->mem_avail_kb;
	growth = d->rate_kbps * horizon_of(d) / 1000;
	margin = p->margin_kb + d->margin_extra_kb;
	need = (used + growth) * 100 / (100 - p->headroom_pct) + margin + overhead;
	pv_buf_printf(why, "uses %llu MiB", MiB(used));
	if (d->rate_kbps)
		pv_buf_printf(why, ", grows %llu.%llu MiB/s (%llu.%llu s ahead)",
		    MiB(d->rate_kbps), (unsigned long long)d->rate_kbps % 1024 * 10 / 1024,
		    (unsigned long long)horizon_of(d) / 1000,
		    (unsigned long long)horizon_of(d) % 1000 / 100);
	pv_buf_printf(why, ", keeps %u%% + %llu MiB available: needs %llu MiB",
	    p->headroom_pct, MiB(margin), MiB(need));

	/* A shrink on watch that brought pressure is undone at once. */
	if (d->shrink_from_kb && now - d->last_down_ms >= PV_AS_UNDO_WINDOW_MS) {
		d->shrink_from_kb = 0;	/* it held: back off less */
		if (d->backoff)
			d->backoff--;
	}
	if (d->shrink_from_kb && (d->oom_new || s->psi_mem_some > p->pressure_low ||
				  s->mem_avail_kb < p->low_water_kb)) {
		need = pv_max_u64(need, d->shrink_from_kb);
		if (d->backoff < PV_AS_BACKOFF_MAX)
			d->backoff++;
		d->shrink_from_kb = 0;
		d->urgent = true;
		pv_buf_printf(why, "; pressure after a shrink: undone, "
		    "shrinks held %llu s",
		    (unsigned long long)shrink_hold_ms(d) / 1000);
	}
	if (d->oom_new) {
		uint64_t step = pv_max_u64(p->margin_kb, 16 * 1024);

		d->oom_new = false;
		if (d->margin_extra_kb < 3 * step) {
			d->margin_extra_kb += step;
			need += step;
		}
		need = pv_max_u64(need, jump);
		d->urgent = true;
		pv_buf_printf(why, "; OOM kill in the guest (%llu seen): "
		    "grow at once, margin now %llu MiB",
		    (unsigned long long)d->oom_kills, MiB(p->margin_kb + d->margin_extra_kb));
	} else if (s->mem_avail_kb < p->low_water_kb) {
		need = pv_max_u64(need, jump);
		d->urgent = true;
		pv_buf_printf(why, "; available %llu MiB < low water %llu MiB: "
		    "grow at once", MiB(s->mem_avail_kb), MiB(p->low_water_kb));
	} else if (s->mem_avail_kb < growth + p->low_water_kb) {
		d->urgent = true;
		pv_buf_printf(why, "; reaches low water within %llu.%llu s: "
		    "grow at once", (unsigned long long)horizon_of(d) / 1000,
		    (unsigned long long)horizon_of(d) % 1000 / 100);
	}
	if (s->psi_mem_some >= p->pressure_high) {
		need = pv_max_u64(need, jump);
		d->urgent = true;
		pv_buf_printf(why, "; memory pressure %u.%02u%% >= %u.%02u%%: "
		    "grow",
		    s->psi_mem_some / 100, s->psi_mem_some % 100,
		    p->pressure_high / 100, p->pressure_high % 100);
	}
	if (s->psi_mem_some > p->pressure_low && need < d->target_kb) {
		need = d->target_kb;
		pv_buf_printf(why, "; memory pressure %u.%02u%%: no shrink",
		    s->psi_mem_some / 100, s->psi_mem_some % 100);
	}
	return need;
}

static void decide_need(struct pv_as_dom *d, struct pv_buf *why, uint64_t now)
{
	uint64_t need = raw_need(d, why, now), ceiling = ceiling_of(d);

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
	if (d->need_kb <= d->target_kb)
		d->urgent = false;
}

/*
 * Shrinking like a careful person: not while the guest settles after
 * its first report, by at most shrink_pct of its target a step, and
 * only once the last step has landed and been reported on without
 * pressure (raw_need undoes it otherwise) and the hold, which doubles
 * with each undone shrink, has passed.
 */
static void decide_shrink(struct pv_as_dom *d, struct pv_buf *why, uint64_t now)
{
	const struct pv_policy *p = d->pol;
	bool above = d->target_kb > ceiling_of(d);
	uint64_t step, gap;

	if (d->urgent || d->need_kb >= d->target_kb)
		return;
	gap = d->target_kb - d->need_kb;
	/* Not worth it (hysteresis), unless the target is above the ceiling. */
	if (gap < p->step_min_kb && !above)
		return;
	if (!above && d->sig.valid &&
	    now - d->first_report_ms < p->settle_s * 1000ull) {
		pv_buf_printf(why, "; settling: no shrink for %llu s after its "
		    "first report", (unsigned long long)p->settle_s);
		return;
	}
	if (d->last_down_ms && (!pv_as_close(d->cur_kb, d->target_kb) ||
	    (d->hist_n && d->hist[d->hist_n - 1].t_ms <= d->last_down_ms))) {
		pv_buf_printf(why, "; shrink waits to see the last one land");
		return;
	}
	if (now - d->last_down_ms < shrink_hold_ms(d)) {
		pv_buf_printf(why, "; shrink waits for its cooldown");
		return;
	}
	step = pv_max_u64(d->target_kb / 100 * p->shrink_pct, p->step_min_kb);
	step = pv_min_u64(pv_min_u64(step, p->step_max_kb), gap);
	d->new_target_kb = d->target_kb - step;
	if (!above)
		d->shrink_from_kb = d->target_kb;
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
	struct pv_buf *why;
	uint64_t kb;
};

static int by_surplus(const void *a, const void *b)
{
	const struct surplus *x = a, *y = b;

	if (x->d->pol->priority != y->d->pol->priority)
		return x->d->pol->priority < y->d->pol->priority ? -1 : 1;
	return x->kb < y->kb ? 1 : x->kb > y->kb ? -1 : 0;
}

/*
 * The guests holding more than they need, and what that comes to in
 * @total; with @valid_only, only those whose signals are valid.
 * Uncooperative guests are not counted on.
 */
static struct surplus *surpluses(struct pv_as_dom *doms, struct pv_buf *why,
				 size_t n, bool valid_only, size_t *k,
				 uint64_t *total)
{
	struct surplus *s = pv_calloc(n ? n : 1, sizeof(*s));
	size_t i;

	*k = 0;
	*total = 0;
	for (i = 0; i < n; i++) {
		struct pv_as_dom *d = &doms[i];

		if (d->pol && !d->uncooperative && (d->sig.valid || !valid_only) &&
		    planned(d) > d->need_kb) {
			s[*k].d = d;
			s[*k].why = &why[i];
			s[*k].kb = planned(d) - d->need_kb;
			*total += s[(*k)++].kb;
		}
	}
	return s;
}

/*
 * Shrinks those guests at once, lowest priority and largest surplus
 * first, never below their need, until @want is given; returns what is
 * still wanted. What they are still to give back counts as coming.
 */
static uint64_t take_surplus(struct surplus *s, size_t k, uint64_t want,
			     struct pv_as_host *host, const char *for_what)
{
	size_t i;

	qsort(s, k, sizeof(*s), by_surplus);
	for (i = 0; i < k && want; i++) {
		struct pv_as_dom *d = s[i].d;
		uint64_t take = pv_min_u64(s[i].kb, want);

		d->new_target_kb = planned(d) - take;
		want -= take;
		if (d->cur_kb > d->new_target_kb)
			host->coming_kb += pv_min_u64(take, d->cur_kb - d->new_target_kb);
		pv_buf_printf(s[i].why, "; gives %llu MiB %s", MiB(take),
			      for_what);
	}
	return want;
}

static void make_room(struct pv_as_dom *doms, struct pv_buf *why, size_t n,
		      struct pv_as_host *host)
{
	uint64_t want = host->reserve_kb + host->pending_kb, have = host->free_kb;
	uint64_t total;
	struct surplus *s;
	size_t i, k;

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
	s = surpluses(doms, why, n, false, &k, &total);
	/* Hopeless even with the reserve given up: shrink nobody for it. */
	if (total + host->reserve_kb < host->short_kb) {
		host->short_kb -= total;
		k = 0;
	}
	host->short_kb = take_surplus(s, k, host->short_kb, host,
				      "to make room for a new guest");
	free(s);
}

struct want {
	struct pv_as_dom *d;
	struct pv_buf *why;
	uint64_t kb;		/* still wanted */
};

/* Urgent grows first, then by priority. */
static int by_priority(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	if (x->d->urgent != y->d->urgent)
		return x->d->urgent ? -1 : 1;
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
			w[i].d->new_target_kb = planned(w[i].d) + share;
			w[i].kb -= share;
			given += share;
		}
		*budget -= given;
		if (!given)
			return;
	}
}

/*
 * What the host can give to grows: free memory above the reserve, the
 * creates waiting and the targets not reached yet, whoever set them (a
 * guest without a policy balloons up all the same).
 */
static uint64_t grow_budget(const struct pv_as_dom *doms, size_t n,
			    const struct pv_as_host *host)
{
	uint64_t promised = host->reserve_kb + host->pending_kb;
	size_t i;

	for (i = 0; i < n; i++)
		if (doms[i].target_kb > doms[i].cur_kb)
			promised += doms[i].target_kb - doms[i].cur_kb;
	return pv_sub_u64(host->free_kb, promised);
}

/*
 * Guests that must grow now and that the host cannot pay for: shrink
 * the others that hold more than they need, as for a create (lowest
 * priority and largest surplus first, never below their need), so that
 * the memory is on its way back by the next report.
 */
static void relieve_urgent(struct pv_as_dom *doms, struct pv_buf *why,
			   size_t n, struct pv_as_host *host)
{
	uint64_t want = 0, have = grow_budget(doms, n, host) + host->coming_kb;
	uint64_t total;
	struct surplus *s;
	size_t i, k;

	for (i = 0; i < n; i++)
		if (doms[i].pol && doms[i].urgent)
			want += doms[i].need_kb - doms[i].target_kb;
	if (want <= have)
		return;
	/* (An urgent guest never has a surplus: it needs more than it has.) */
	s = surpluses(doms, why, n, true, &k, &total);
	take_surplus(s, k, want - have, host, "to a guest short of memory");
	free(s);
}

static void decide_grows(struct pv_as_dom *doms, struct pv_buf *why, size_t n,
			 const struct pv_as_host *host, uint64_t now)
{
	struct want *w = pv_calloc(n, sizeof(*w));
	uint64_t budget = grow_budget(doms, n, host);
	size_t i, k = 0, g;

	for (i = 0; i < n; i++) {
		struct pv_as_dom *d = &doms[i];

		/* An uncooperative guest still grows: it is only not counted
		 * on to give memory back. */
		if (!d->pol || d->need_kb <= planned(d))
			continue;
		if (!d->urgent && now - d->last_up_ms < d->pol->cooldown_up_s * 1000ull &&
		    d->target_kb >= floor_of(d)) {
			pv_buf_printf(&why[i], "; grow waits for its cooldown");
			continue;
		}
		/*
		 * Grow promptly, shrink reluctantly: a guest short of its
		 * headroom gets what it lacks however small (hysteresis is for
		 * shrinks), at most step_max unless it is urgent.
		 */
		w[k].d = d;
		w[k].why = &why[i];
		w[k].kb = d->need_kb - planned(d);
		if (!d->urgent)
			w[k].kb = pv_min_u64(w[k].kb, d->pol->step_max_kb);
		k++;
	}
	qsort(w, k, sizeof(*w), by_priority);
	for (i = 0; i < k; i = g) {
		for (g = i; g < k && w[g].d->urgent == w[i].d->urgent &&
		     w[g].d->pol->priority == w[i].d->pol->priority; g++)
			;
		serve_group(w + i, g - i, &budget);
	}
	for (i = 0; i < k; i++)
		if (w[i].kb)
			pv_buf_printf(w[i].why, "; %llu MiB short: host at its "
				      "reserve", MiB(w[i].kb));
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
	/* Each domain's reason, written in steps across the passes below. */
	struct pv_buf *why = pv_calloc(n ? n : 1, sizeof(*why));
	size_t i;

	host->rising_kb = host->coming_kb = host->short_kb = 0;
	for (i = 0; i < n; i++) {
		pv_buf_init(&why[i]);
		doms[i].new_target_kb = 0;
		doms[i].new_vcpus = 0;
		doms[i].urgent = false;
		if (!doms[i].pol)
			continue;
		decide_need(&doms[i], &why[i], now_ms);
		decide_shrink(&doms[i], &why[i], now_ms);
		decide_vcpus(&doms[i], now_ms);
	}
	make_room(doms, why, n, host);
	relieve_urgent(doms, why, n, host);
	decide_grows(doms, why, n, host, now_ms);
	/* A domain without a policy keeps what the loop last said of it. */
	for (i = 0; i < n; i++) {
		if (doms[i].pol)
			snprintf(doms[i].why, sizeof(doms[i].why), "%s",
				 why[i].s ? why[i].s : "");
		pv_buf_dispose(&why[i]);
	}
	free(why);
	/* Targets not reached yet, this tick's grows with them. */
	for (i = 0; i < n; i++) {
		const struct pv_as_dom *d = &doms[i];
		uint64_t t = d->new_target_kb ? d->new_target_kb : d->target_kb;

		if ((!d->pol || !d->uncooperative) && t > d->cur_kb)
			host->rising_kb += t - d->cur_kb;
	}
}
