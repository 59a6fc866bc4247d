/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.c: the autoscale loop (see loop.h and autoscale.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "room_server.h"
#include "../domain/domain.h"
#include "../xs.h"
#include "../../proto/agent.h"
#include "../../util/fileio.h"
#include "../../util/jsonw.h"

int pv_autoscale_init(struct pv_autoscale *as, struct pv_ctx *ctx,
		      const char *policy_dir, struct pv_err *err)
{
	memset(as, 0, sizeof(*as));
	as->ctx = ctx;
	pv_room_server_init(&as->room);
	as->policy_dir = pv_strdup(policy_dir);
	pv_policy_set_init(&as->policies);
	return pv_policy_load_dir(policy_dir, &as->policies, err);
}

void pv_autoscale_dispose(struct pv_autoscale *as)
{
	pv_room_server_dispose(&as->room, as->ctx);
	if (as->audit)
		fclose(as->audit);
	pv_policy_set_dispose(&as->policies);
	free(as->policy_dir);
	free(as->doms);
	memset(as, 0, sizeof(*as));
}

int pv_autoscale_reload(struct pv_autoscale *as, struct pv_err *err)
{
	struct pv_policy_set fresh;
	size_t i;
	int rc;

	pv_policy_set_init(&fresh);
	rc = pv_policy_load_dir(as->policy_dir, &fresh, err);
	if (rc) {
		pv_policy_set_dispose(&fresh);
		return rc;
	}
	pv_policy_set_dispose(&as->policies);
	as->policies = fresh;
	for (i = 0; i < as->n; i++)	/* rematched at the next refresh */
		as->doms[i].pol = NULL;
	if (as->audit) {
		fclose(as->audit);
		as->audit = NULL;
	}
	return 0;
}

/*
 * The domains' state, kept sorted by domid (the order the hypervisor
 * lists them in), so that a tick over a large host stays O(n log n).
 * Where @domid is or would go.
 */
static size_t lower_bound(const struct pv_autoscale *as, uint32_t domid)
{
	size_t lo = 0, hi = as->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (as->doms[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A domain the loop knows, or NULL. */
static struct pv_as_dom *find(struct pv_autoscale *as, uint32_t domid)
{
	size_t i = lower_bound(as, domid);

	return i < as->n && as->doms[i].domid == domid ? &as->doms[i] : NULL;
}

static struct pv_as_dom *find_or_add(struct pv_autoscale *as, uint32_t domid)
{
	size_t lo = lower_bound(as, domid);

	if (lo < as->n && as->doms[lo].domid == domid)
		return &as->doms[lo];
	if (as->n == as->cap) {
		as->cap = as->cap ? as->cap * 2 : 16;
		as->doms = pv_realloc(as->doms, as->cap * sizeof(*as->doms));
	}
	memmove(&as->doms[lo + 1], &as->doms[lo], (as->n - lo) * sizeof(*as->doms));
	memset(&as->doms[lo], 0, sizeof(as->doms[0]));
	as->doms[lo].domid = domid;
	as->n++;
	return &as->doms[lo];
}

/* The least time between two whole ticks woken early. */
#define MIN_GAP_MS	200

/* The wall clock in ms: what the guests' report times are in. */
static uint64_t now_rt(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void audit(struct pv_autoscale *as, const struct pv_as_dom *d,
		  const char *action, long long from, long long to);

/*
 * Refreshes one domain's inputs; false if it is not ours to manage.
 * @quick, for a report: what only a whole tick needs (maxmem, online
 * vCPUs) is kept from the last one, so a report costs xenstored less.
 */
static bool refresh_dom(struct pv_autoscale *as, struct pv_as_dom *d,
			const struct pv_domain_status *st, bool quick)
{
	struct pv_hv *hv = &as->ctx->hv;
	uint64_t now = pv_now_ms(), kills = d->oom_kills;

	snprintf(d->name, sizeof(d->name), "%s", st->name ? st->name : "");
	d->pol = st->name ? pv_policy_match(&as->policies, st->name) : NULL;
	d->cur_kb = st->info.cur_kb;
	d->maxvcpus = st->info.max_vcpu_id + 1;
	/* One it cannot read is not its to manage: no need to say why. */
	if (pv_domain_get_target(as->ctx, d->domid, &d->target_kb, NULL))
		return false;
	if (!quick || !d->static_max_kb) {
		if (pv_domain_get_maxmem(as->ctx, d->domid, &d->static_max_kb, NULL))
			return false;
		d->vcpus = pv_domain_online_vcpus(as->ctx, d->domid, d->maxvcpus);
	}
	pv_signals_read(hv, d->domid, d->static_max_kb, &d->sig, &d->sig_why);
	d->fresh = pv_as_note_report(d, now);
	d->sample_rt = d->sig.valid ? d->sig.time_ms : 0;
	if (d->oom_kills != kills)
		audit(as, d, "oom-kill", (long long)kills, (long long)d->oom_kills);
	if (pv_as_judge_cooperation(d, as->policies.host.uncooperative_s, now))
		audit(as, d, "uncooperative", (long long)d->target_kb,
		      (long long)d->cur_kb);
	return true;
}

/*
 * Re-reads the host and every domain, forgetting domains that are gone;
 * or, with @only, just the domains whose report came in.
 */
static int refresh(struct pv_autoscale *as, bool only, struct pv_err *err)
{
	struct pv_hv *hv = &as->ctx->hv;
	struct pv_domain_status *st;
	struct pv_physinfo pi;
	uint32_t *ids;
	size_t n, i, k = 0;
	int rc;

	/*
	 * Reports waiting are read now. Cleared here, not when read: a
	 * domain going away or that cannot be read must not keep the loop
	 * spinning.
	 */
	ids = pv_calloc(as->n ? as->n : 1, sizeof(*ids));
	for (i = 0; i < as->n; i++) {
		if (only && as->doms[i].report_pending)
			ids[k++] = as->doms[i].domid;
		if (!as->doms[i].report_pending)
			as->doms[i].event_rt = 0;	/* no watch: no timing */
		as->doms[i].report_pending = false;
		as->doms[i].fresh = false;
	}
	if (only && !k) {
		free(ids);
		return 0;
	}
	rc = hv->ops->physinfo(hv->h, &pi);
	if (rc) {
		free(ids);
		return pv_err_sys(err, rc, "reading host memory");
	}
	as->host.free_kb = pi.free_kb;
	if (only) {
		/* Each by its ID, named as the last tick found it. */
		st = pv_calloc(k, sizeof(*st));
		for (i = n = 0; i < k; i++)
			if (hv->ops->domain_getinfo(hv->h, ids[i], &st[n].info) == 0) {
				const char *name = find(as, ids[i])->name;

				st[n++].name = *name ? pv_strdup(name) : NULL;
			}
		rc = 0;
	} else {
		rc = pv_domain_list(as->ctx, NULL, 0, &st, &n, err);
	}
	free(ids);
	if (rc)
		return rc;
	for (i = 0; i < as->n && !only; i++)
		as->doms[i].seen = false;
	for (i = 0; i < n; i++) {
		struct pv_as_dom *d;

		/*
		 * Dom0, domains on their way out, and domains a save or a
		 * migration is streaming are not ours to balloon.
		 */
		if (!st[i].info.domid || st[i].info.dying || st[i].info.shutdown ||
		    pv_domain_busy(as->ctx, st[i].info.domid))
			continue;
		d = find_or_add(as, st[i].info.domid);
		d->seen = refresh_dom(as, d, &st[i], only);
	}
	pv_domain_status_free(st, n);
	if (only)	/* a domain gone since is forgotten at the next tick */
		return 0;
	for (i = k = 0; i < as->n; i++)
		if (as->doms[i].seen)
			as->doms[k++] = as->doms[i];
	as->n = k;
	return 0;
}

/* The fields of one domain that every status and audit record carries. */
static void put_dom(struct pv_jw *w, const struct pv_as_dom *d)
{
	pv_jw_str(w, "name", d->name);
	pv_jw_num(w, "domid", d->domid);
	pv_jw_str(w, "policy", d->pol ? d->pol->file : NULL);
	pv_jw_num(w, "memory_kb", d->cur_kb);
	pv_jw_num(w, "target_kb", d->target_kb);
	pv_jw_num(w, "need_kb", d->need_kb);
	pv_jw_num(w, "vcpus", d->vcpus);
	if (d->sig.valid) {
		pv_jw_map_open(w, "signals");
		pv_jw_num(w, "seq", d->sig.seq);
		pv_jw_num(w, "mem_total_kb", d->sig.mem_total_kb);
		pv_jw_num(w, "mem_available_kb", d->sig.mem_avail_kb);
		pv_jw_num(w, "psi_mem_some", d->sig.psi_mem_some);
		if (d->sig.have_oom_kills)
			pv_jw_num(w, "oom_kills", d->sig.oom_kills);
		pv_jw_num(w, "cpu_util", d->sig.cpu_util);
		pv_jw_num(w, "swap_in_pps", d->sig.swap_in_pps);
		pv_jw_map_close(w);
	} else {
		pv_jw_null(w, "signals");
	}
	pv_jw_str(w, "why", d->why);
	pv_jw_bool(w, "uncooperative", d->uncooperative);
	pv_jw_bool(w, "runaway", d->runaway);
	pv_jw_bool(w, "urgent", d->urgent);
	pv_jw_num(w, "oom_kills", d->oom_kills);
	pv_jw_num(w, "rate_kb_s", d->rate_kbps);
	pv_jw_num(w, "horizon_ms", d->horizon_ms ? d->horizon_ms :
		  PV_AS_HORIZON_MIN_MS);
	pv_jw_num(w, "margin_extra_kb", d->margin_extra_kb);
	pv_jw_num(w, "shrink_backoff", d->backoff);
}

static FILE *audit_file(struct pv_autoscale *as)
{
	const char *path = as->policies.host.audit_log;

	if (!as->audit && path) {
		char *dir = pv_strdup(path), *slash = strrchr(dir, '/');
		struct pv_err err;

		pv_err_init(&err);
		if (slash && slash != dir) {
			*slash = '\0';
			pv_mkdirs(dir, &err);
		}
		as->audit = pv_open_log(path, 0640, &err);
		pv_err_dispose(&err);
		free(dir);
	}
	return as->audit;
}

/* Writes one audit line (and to stderr with -v); events go out too. */
static void audit_emit(struct pv_autoscale *as, const struct pv_jw *w,
		       bool event)
{
	FILE *f = audit_file(as);
	size_t len;
	const char *buf = pv_jw_text(w, &len);

	if (f) {
		fwrite(buf, 1, len, f);
		fputc('\n', f);
		fflush(f);
	}
	if (as->verbose)
		fprintf(stderr, "pvctl autoscale: %.*s\n", (int)len, buf);
	if (as->event && event)
		as->event(as->event_arg, buf);
}

/* "time_ms": the wall clock, in ms, as the latencies are. */
static void put_time(struct pv_jw *w)
{
	uint64_t t = now_rt();

	pv_jw_num(w, "time", t / 1000);
	pv_jw_num(w, "time_ms", t);
}

/*
 * One audit line: {"time":..., "action":..., "from":..., "to":..., domain...}.
 * A change of target also says how fast it came: report_age_ms from the
 * guest's sample to the watch firing in dom0 (two clocks: the guest's
 * and dom0's), decide_ms from there to the decision, write_ms from the
 * decision to the target written (@write_end).
 */
static void audit_change(struct pv_autoscale *as, const struct pv_as_dom *d,
			 const char *action, long long from, long long to,
			 uint64_t write_end)
{
	struct pv_jw w;

	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	put_time(&w);
	pv_jw_str(&w, "action", action);
	pv_jw_int(&w, "from", from);
	pv_jw_int(&w, "to", to);
	pv_jw_num(&w, "host_free_kb", as->host.free_kb);
	if (write_end) {
		/* Only for a decision on the report this tick read: a later
		   one waited by design (cooldowns, settling). */
		if (d->fresh && d->event_rt && d->sample_rt &&
		    d->sample_rt <= d->event_rt)
			pv_jw_num(&w, "report_age_ms", d->event_rt - d->sample_rt);
		if (d->fresh && d->event_rt && d->event_rt <= as->decide_rt)
			pv_jw_num(&w, "decide_ms", as->decide_rt - d->event_rt);
		pv_jw_num(&w, "write_ms", pv_sub_u64(write_end, as->decide_rt));
	}
	put_dom(&w, d);
	pv_jw_map_close(&w);
	audit_emit(as, &w, !strcmp(action, "runaway") ||
		   !strcmp(action, "uncooperative") || !strcmp(action, "oom-kill"));
	pv_jw_dispose(&w);
}

static void audit(struct pv_autoscale *as, const struct pv_as_dom *d,
		  const char *action, long long from, long long to)
{
	audit_change(as, d, action, from, to, 0);
}

/* A line in the audit log that is not a decision: reloads, failures. */
static void audit_note(struct pv_autoscale *as, const char *what,
		       const char *detail)
{
	struct pv_jw w;

	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	put_time(&w);
	pv_jw_str(&w, "action", what);
	pv_jw_str(&w, "detail", detail);
	pv_jw_map_close(&w);
	audit_emit(as, &w, true);
	pv_jw_dispose(&w);
}

static void apply_one(struct pv_autoscale *as, struct pv_as_dom *d, bool grow)
{
	struct pv_err err;
	uint64_t now = pv_now_ms();

	if (!d->new_target_kb || (d->new_target_kb > d->target_kb) != grow)
		return;
	pv_err_init(&err);
	if (pv_domain_set_target(as->ctx, d->domid, d->new_target_kb, &err)) {
		snprintf(d->why, sizeof(d->why), "setting the target failed: %s",
			 pv_err_msg(&err));
	} else {
		uint64_t written = now_rt();

		audit_change(as, d, grow ? (d->urgent ? "grow-urgent" : "grow") :
			     "shrink", (long long)d->target_kb,
			     (long long)d->new_target_kb, written);
		/* Watched until the balloon gets there (check_reached). */
		d->write_rt = written;
		d->cause_rt = d->fresh && d->event_rt ? d->event_rt : as->decide_rt;
		d->write_from_kb = d->target_kb;
		d->target_kb = d->new_target_kb;
		d->target_set_ms = now;
		if (grow)
			d->last_up_ms = now;
		else
			d->last_down_ms = now;
	}
	pv_err_dispose(&err);
}

static void apply(struct pv_autoscale *as, const bool *was_runaway)
{
	struct pv_err err;
	size_t i;

	/* Shrinks first: the host is never asked for more than it has. */
	for (i = 0; i < as->n; i++)
		apply_one(as, &as->doms[i], false);
	for (i = 0; i < as->n; i++)
		apply_one(as, &as->doms[i], true);
	for (i = 0; i < as->n; i++) {
		struct pv_as_dom *d = &as->doms[i];

		if (d->new_vcpus) {
			pv_err_init(&err);
			if (pv_domain_set_vcpus(as->ctx, d->domid, d->new_vcpus, &err) == 0) {
				audit(as, d, "vcpus", d->vcpus, d->new_vcpus);
				d->vcpus = d->new_vcpus;
				d->last_vcpu_ms = pv_now_ms();
				d->util_high_since_ms = d->util_low_since_ms = 0;
			}
			pv_err_dispose(&err);
		}
		if (d->runaway && !was_runaway[i])
			audit(as, d, "runaway", (long long)d->target_kb,
			      (long long)d->need_kb);
	}
}

static int tick(struct pv_autoscale *as, bool only, bool apply_it,
		struct pv_err *err)
{
	bool *was_runaway;
	size_t i;
	int rc = refresh(as, only, err);

	if (rc)
		return rc;
	as->host.reserve_kb = as->policies.host.reserve_kb;
	as->host.pending_kb = pv_room_pending_kb(&as->room);
	was_runaway = pv_calloc(as->n ? as->n : 1, sizeof(*was_runaway));
	for (i = 0; i < as->n; i++)
		was_runaway[i] = as->doms[i].runaway;
	pv_autoscale_decide(as->doms, as->n, &as->host, pv_now_ms());
	as->decide_rt = now_rt();
	if (apply_it)
		apply(as, was_runaway);
	free(was_runaway);
	as->ticks++;
	return 0;
}

int pv_autoscale_tick(struct pv_autoscale *as, bool apply_it, struct pv_err *err)
{
	return tick(as, false, apply_it, err);
}

void pv_autoscale_status_json(const struct pv_autoscale *as, struct pv_jw *w)
{
	size_t i;

	pv_jw_map_open(w, NULL);
	pv_jw_int(w, "time", time(NULL));
	pv_jw_num(w, "ticks", as->ticks);
	pv_jw_num(w, "host_free_kb", as->host.free_kb);
	pv_jw_num(w, "host_reserve_kb", as->policies.host.reserve_kb);
	pv_jw_num(w, "host_pending_kb", as->host.pending_kb);
	pv_jw_array_open(w, "domains");
	for (i = 0; i < as->n; i++) {
		pv_jw_map_open(w, NULL);
		put_dom(w, &as->doms[i]);
		pv_jw_num(w, "new_target_kb", as->doms[i].new_target_kb);
		pv_jw_num(w, "new_vcpus", as->doms[i].new_vcpus);
		pv_jw_map_close(w);
	}
	pv_jw_array_close(w);
	pv_jw_map_close(w);
}

/* The status file `pvctl autoscale status` reads: RUN/autoscale.json. */
static void write_status(struct pv_autoscale *as)
{
	char *path = pv_asprintf("%s/autoscale.json", as->ctx->run_dir);
	struct pv_err ignore;
	struct pv_jw w;
	const char *text;
	size_t len;

	pv_err_init(&ignore);
	pv_jw_init(&w, true);
	pv_autoscale_status_json(as, &w);
	text = pv_jw_text(&w, &len);
	if (!w.bad)
		pv_write_file_atomic(path, text, len, 0600, &ignore);
	pv_jw_dispose(&w);
	pv_err_dispose(&ignore);
	free(path);
}

/* Watches each guest's report counter, so a report wakes the loop at once. */
static void watch_reports(struct pv_autoscale *as)
{
	struct pv_hv *hv = &as->ctx->hv;
	size_t i;

	for (i = 0; i < as->n; i++) {
		char *path;

		if (as->doms[i].watched || !as->doms[i].pol)
			continue;
		path = pv_xs_dom_path(as->doms[i].domid, "%s", PV_AGENT_XS_SEQ);
		as->doms[i].watched = hv->ops->xs_watch(hv->h, path, "report") == 0;
		free(path);
	}
}

static void room_note(struct pv_autoscale *as, const struct pv_room_req *r,
		      const char *what, uint64_t missing_kb)
{
	char *detail = pv_asprintf("%s: %" PRIu64 " MiB, %" PRIu64 " MiB missing",
				   r->name, r->kb / 1024, (missing_kb + 1023) / 1024);

	audit_note(as, what, detail);
	free(detail);
}

/* After a tick: answers the creates waiting for room (room.h). */
static void room_answer(struct pv_autoscale *as)
{
	struct pv_room_server *s = &as->room;
	size_t i;

	pv_room_decide(&as->host, s->reqs, s->n);
	for (i = 0; i < s->n; i++) {
		struct pv_room_req *r = &s->reqs[i];

		pv_room_tell(r);
		if (r->verdict == PV_ROOM_GRANT)
			room_note(as, r, "room", 0);
		else if (r->verdict == PV_ROOM_REFUSE)
			room_note(as, r, "no-room", r->answer_kb);
	}
	for (i = s->n; i-- > 0;)
		if (s->reqs[i].over)
			pv_room_drop(s, i);
}

/*
 * Waits up to @timeout_ms for XenStore watches and creates' requests;
 * true when something happened that a tick should see at once.
 */
static int wait_events(struct pv_autoscale *as, int timeout_ms, bool *wake)
{
	struct pv_hv *hv = &as->ctx->hv;
	struct pv_room_server *s = &as->room;
	size_t n = s->n, i;
	struct pollfd *pfd = pv_calloc(n + 2, sizeof(*pfd));
	char *p, *t;
	int rc;

	pfd[0].fd = hv->ops->xs_fileno(hv->h);
	pfd[1].fd = s->listen_fd;
	for (i = 0; i < n; i++)
		pfd[i + 2].fd = s->reqs[i].fd;
	for (i = 0; i < n + 2; i++)
		pfd[i].events = POLLIN;
	if (poll(pfd, n + 2, timeout_ms) < 0 && errno != EINTR) {
		rc = -errno;
		free(pfd);
		return rc;
	}
	for (i = n; i-- > 0;) {
		bool asked = s->reqs[i].kb != 0;

		if (!pfd[i + 2].revents)
			continue;
		if (!pv_room_read(&s->reqs[i])) {
			*wake |= s->reqs[i].granted;	/* its memory is free to use */
			pv_room_drop(s, i);
		} else if (!asked && s->reqs[i].kb) {
			*wake = true;
		}
	}
	if (pfd[1].revents)
		pv_room_accept(s);
	free(pfd);
	while ((rc = hv->ops->xs_read_watch(hv->h, 0, &p, &t)) == 0) {
		unsigned int domid;
		struct pv_as_dom *d;

		if (strcmp(t, "report") == 0 &&
		    sscanf(p, "/local/domain/%u/", &domid) == 1 &&
		    (d = find(as, domid)) != NULL) {
			d->report_pending = true;
			d->event_rt = now_rt();
		} else if (strcmp(t, "domains") == 0) {
			*wake = true;
		}
		free(p);
		free(t);
	}
	return rc == -ETIMEDOUT || rc == -EINTR ? 0 : rc;
}

static bool reports_pending(const struct pv_autoscale *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		if (as->doms[i].report_pending)
			return true;
	return false;
}

static bool balloons_moving(const struct pv_autoscale *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		if (as->doms[i].write_rt)
			return true;
	return false;
}

/*
 * Polls the balloons of the targets the loop wrote: when one gets there,
 * an audit line says how long it took (reach_ms), and for a grow the
 * whole reaction, from the report's watch firing in dom0 (or the tick
 * that decided it) to memory in place, sets that guest's horizon: twice
 * the reaction plus the agent's fastest report interval, smoothed (up
 * at once, down slowly). True if a balloon got there.
 */
static bool check_reached(struct pv_autoscale *as)
{
	struct pv_hv *hv = &as->ctx->hv;
	bool any = false;
	size_t i;

	for (i = 0; i < as->n; i++) {
		struct pv_as_dom *d = &as->doms[i];
		struct pv_dominfo info;
		uint64_t now, from;
		struct pv_jw w;

		if (!d->write_rt)
			continue;
		now = now_rt();
		if (hv->ops->domain_getinfo(hv->h, d->domid, &info) ||
		    now - d->write_rt > 60000) {
			d->write_rt = 0;	/* gone, or never: not a reaction */
			continue;
		}
		if (!pv_as_close(info.cur_kb, d->target_kb))
			continue;
		d->cur_kb = info.cur_kb;
		pv_jw_init(&w, false);
		pv_jw_map_open(&w, NULL);
		put_time(&w);
		pv_jw_str(&w, "action", "reached");
		pv_jw_num(&w, "from", d->write_from_kb);
		pv_jw_num(&w, "to", d->target_kb);
		pv_jw_num(&w, "reach_ms", now - d->write_rt);
		if (d->target_kb > d->write_from_kb) {
			/* dom0's clock only: a guest's may be off, or lie */
			from = now - pv_min_u64(d->cause_rt, now);
			pv_jw_num(&w, "reaction_ms", from);
			d->react_ms = !d->react_ms || from > d->react_ms ? from :
				      (3 * d->react_ms + from) / 4;
			d->horizon_ms = pv_min_u64(pv_max_u64(2 * d->react_ms + 200,
				PV_AS_HORIZON_MIN_MS), PV_AS_HORIZON_MAX_MS);
		}
		pv_jw_str(&w, "name", d->name);
		pv_jw_num(&w, "domid", d->domid);
		pv_jw_map_close(&w);
		audit_emit(as, &w, false);
		pv_jw_dispose(&w);
		d->write_rt = 0;
		any = true;
	}
	return any;
}

int pv_autoscale_run(struct pv_autoscale *as, volatile int *stop,
		     volatile int *reload, struct pv_err *err)
{
	struct pv_hv *hv = &as->ctx->hv;
	uint64_t next = 0, last = 0;
	char *path;
	int rc;

	rc = pv_room_listen(&as->room, as->ctx, err);	/* makes RUN too */
	if (rc)
		return rc;
	/* Its lock held: what a killed loop was writing is no one's. */
	path = pv_asprintf("%s/autoscale.json", as->ctx->run_dir);
	pv_remove_stale_temps(path);
	free(path);
	rc = hv->ops->xs_watch(hv->h, "@releaseDomain", "domains");
	if (!rc)
		rc = hv->ops->xs_watch(hv->h, "@introduceDomain", "domains");
	if (rc)
		return pv_err_sys(err, rc, "watching domains");
	while (!*stop) {
		uint64_t now = pv_now_ms(), due;
		bool wake = false, only;
		struct pv_err terr;

		if (*reload) {
			struct pv_err rerr;

			*reload = 0;
			pv_err_init(&rerr);
			if (pv_autoscale_reload(as, &rerr))
				audit_note(as, "reload-failed", pv_err_msg(&rerr));
			else
				audit_note(as, "reloaded", as->policy_dir);
			pv_err_dispose(&rerr);
		}
		/*
		 * A whole tick on the period, and early (at most every
		 * MIN_GAP_MS) when a domain comes or goes, a create asks for
		 * room or a balloon lands while one waits; a guest's report
		 * is acted on at once, reading that guest alone.
		 */
		only = now < next;
		if (!only || reports_pending(as)) {
			pv_err_init(&terr);
			if (tick(as, only, true, &terr))
				audit_note(as, "tick-failed", pv_err_msg(&terr));
			else
				room_answer(as);
			pv_err_dispose(&terr);
			write_status(as);
			if (only)
				continue;
			watch_reports(as);
			last = pv_now_ms();
			next = last + (as->interval_s ? as->interval_s :
				       as->policies.host.interval_s) * 1000ull;
			if (pv_room_waiting(&as->room))
				next = last + 500;
			continue;
		}
		due = next - now;
		if (balloons_moving(as))
			due = pv_min_u64(due, 100);
		rc = wait_events(as, (int)pv_min_u64(due, 1000), &wake);
		if (rc)
			return pv_err_sys(err, rc, "waiting for XenStore events");
		if (balloons_moving(as) && check_reached(as) &&
		    pv_room_waiting(&as->room))
			wake = true;
		if (wake)
			next = pv_min_u64(next, last + MIN_GAP_MS);
	}
	pv_room_server_dispose(&as->room, as->ctx);
	return 0;
}
