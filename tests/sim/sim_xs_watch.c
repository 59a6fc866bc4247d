/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_xs_watch.c: XenStore watches, the event queue, and xenstored's
 * view of domains (introduce, release, @introduceDomain and
 * @releaseDomain).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/util.h"
#include "sim_int.h"

static void event_free(struct sim_event *e)
{
	free(e->path);
	free(e->token);
	free(e);
}

static void watch_free(struct sim_watch *w)
{
	free(w->path);
	free(w->given);
	free(w->token);
	free(w);
}

void pv_sim_watch_free_all(struct pv_sim *s)
{
	struct sim_watch *w, *wn;
	struct sim_event *e, *en;

	for (w = s->xs.watches; w; w = wn) {
		wn = w->next;
		watch_free(w);
	}
	for (e = s->xs.queue; e; e = en) {
		en = e->next;
		event_free(e);
	}
	s->xs.watches = NULL;
	s->xs.queue = NULL;
	s->xs.queue_tail = &s->xs.queue;
	s->xs.nqueued = 0;
}

void pv_sim_xs_reconnect(struct pv_sim *s)
{
	pv_sim_tx_free_all(s);
	pv_sim_watch_free_all(s);
}

/*
 * Queues an event. Like xenstored's send_event(), an event identical
 * to one still queued is dropped, except for special ones.
 */
static void queue_event(struct pv_sim *s, const char *path, const char *token)
{
	struct sim_event *e;

	if (path[0] != '@') {
		for (e = s->xs.queue; e; e = e->next)
			if (!strcmp(e->path, path) && !strcmp(e->token, token))
				return;
	}
	e = pv_calloc(1, sizeof(*e));
	e->path = pv_strdup(path);
	e->token = pv_strdup(token);
	*s->xs.queue_tail = e;
	s->xs.queue_tail = &e->next;
	s->xs.nqueued++;
}

/* A guest only hears about nodes it may read (the node, or if it is
 * gone, its nearest existing ancestor). */
static bool may_see(const struct pv_sim *s, const char *path, uint32_t domid)
{
	const struct sim_node *n = pv_sim_db_get(&s->xs.db, path);
	char *p = NULL, *up;

	if (domid == 0)
		return true;
	while (!n) {
		up = pv_sim_path_parent(p ? p : path);
		free(p);
		p = up;
		n = pv_sim_db_get(&s->xs.db, p);
	}
	free(p);
	return pv_sim_perm_for(n, domid) & PV_XS_PERM_READ;
}

/* The event path as the watcher sees it: relative if it watched so. */
static const char *report_path(const struct sim_watch *w, const char *path)
{
	size_t skip;

	if (w->given[0] == '/')
		return path;
	skip = strlen(w->path) - strlen(w->given);
	return path + skip;
}

static void tx_queue(struct sim_tx *tx, const char *path, bool exact)
{
	size_t i;

	for (i = 0; i < tx->nev; i++)
		if (!strcmp(tx->ev[i].path, path) && tx->ev[i].exact == exact)
			return;
	tx->ev = pv_realloc(tx->ev, (tx->nev + 1) * sizeof(*tx->ev));
	tx->ev[tx->nev].path = pv_strdup(path);
	tx->ev[tx->nev].exact = exact;
	tx->nev++;
}

void pv_sim_fire(struct pv_sim *s, struct sim_tx *tx, const char *path,
		 bool exact)
{
	struct sim_watch *w;

	if (tx) {
		tx_queue(tx, path, exact);
		return;
	}
	for (w = s->xs.watches; w; w = w->next) {
		if (w->path[0] == '@')
			continue;
		if (exact ? strcmp(path, w->path) :
			    !pv_sim_path_within(path, w->path))
			continue;
		if (may_see(s, path, w->domid))
			queue_event(s, report_path(w, path), w->token);
	}
}

void pv_sim_fire_special(struct pv_sim *s, const char *special)
{
	struct sim_watch *w;

	/* Only privileged watchers: a guest has no rights on "@..." nodes. */
	for (w = s->xs.watches; w; w = w->next)
		if (w->domid == 0 && !strcmp(w->path, special))
			queue_event(s, w->given, w->token);
}

static struct sim_watch **watch_find(struct pv_sim *s, const char *path,
				     const char *token)
{
	struct sim_watch **wp;

	for (wp = &s->xs.watches; *wp; wp = &(*wp)->next)
		if (!strcmp((*wp)->path, path) && !strcmp((*wp)->token, token))
			return wp;
	return NULL;
}

/* Fires once at once, with the path as given, as xenstored does. */
static int sim_xs_watch(void *h, const char *path, const char *token)
{
	struct pv_sim *s = h;
	struct sim_watch *w;
	char *canon;
	int rc = pv_sim_enter(s, SIM_XS_WATCH);

	if (rc)
		return rc;
	if (!token)
		return -EINVAL;
	rc = pv_sim_path_canon(s->caller, path, true, &canon);
	if (rc)
		return rc;
	if (watch_find(s, canon, token)) {
		free(canon);
		return -EEXIST;
	}
	w = pv_calloc(1, sizeof(*w));
	w->path = canon;
	w->given = pv_strdup(path);
	w->token = pv_strdup(token);
	w->domid = s->caller;
	w->next = s->xs.watches;
	s->xs.watches = w;
	queue_event(s, w->given, w->token);
	return 0;
}

/* Drops queued events of the watch too, as libxenstore's xs_unwatch. */
static void purge_events(struct pv_sim *s, const struct sim_watch *w)
{
	struct sim_event **ep = &s->xs.queue, *e;

	s->xs.queue_tail = &s->xs.queue;
	while ((e = *ep)) {
		if (!strcmp(e->token, w->token) &&
		    pv_sim_path_within(e->path, w->given)) {
			*ep = e->next;
			event_free(e);
			s->xs.nqueued--;
			continue;
		}
		ep = &e->next;
		s->xs.queue_tail = ep;
	}
}

static int sim_xs_unwatch(void *h, const char *path, const char *token)
{
	struct pv_sim *s = h;
	struct sim_watch **wp, *w;
	char *canon;
	int rc = pv_sim_enter(s, SIM_XS_UNWATCH);

	if (rc)
		return rc;
	if (!token)
		return -EINVAL;
	rc = pv_sim_path_canon(s->caller, path, true, &canon);
	if (rc)
		return rc;
	wp = watch_find(s, canon, token);
	free(canon);
	if (!wp)
		return -ENOENT;
	w = *wp;
	*wp = w->next;
	purge_events(s, w);
	watch_free(w);
	return 0;
}

/*
 * The sim cannot wait: with nothing queued it gives the idle hook one
 * chance to act, then reports -ETIMEDOUT whatever @timeout_ms says.
 */
static int sim_xs_read_watch(void *h, int timeout_ms, char **path,
			     char **token)
{
	struct pv_sim *s = h;
	struct sim_event *e;
	int rc = pv_sim_enter(s, SIM_XS_READ_WATCH);

	if (rc)
		return rc;
	if (!s->xs.queue)
		pv_sim_run_idle(s);
	e = s->xs.queue;
	if (!e)
		return -ETIMEDOUT;
	s->xs.queue = e->next;
	if (!s->xs.queue)
		s->xs.queue_tail = &s->xs.queue;
	s->xs.nqueued--;
	*path = e->path;
	*token = e->token;
	free(e);
	return 0;
}

static int sim_xs_fileno(void *h)
{
	(void)h;
	return -1;
}

unsigned int pv_sim_xs_pending(const struct pv_sim *s)
{
	return s->xs.nqueued;
}

static ssize_t introduced_index(const struct pv_sim *s, uint32_t domid)
{
	size_t i;

	for (i = 0; i < s->xs.nintroduced; i++)
		if (s->xs.introduced[i] == domid)
			return (ssize_t)i;
	return -1;
}

bool pv_sim_domain_introduced(const struct pv_sim *s, uint32_t domid)
{
	return introduced_index(s, domid) >= 0;
}

static void forget_domain(struct pv_sim *s, uint32_t domid)
{
	ssize_t i = introduced_index(s, domid);

	if (i < 0)
		return;
	s->xs.introduced[i] = s->xs.introduced[--s->xs.nintroduced];
}

/*
 * xenstored binds to @port, which must be an unbound channel of @domid
 * offered to the xenstore domain (dom0 here), as Xen's
 * bind_interdomain requires. Introducing again is a reconnect.
 */
static int sim_xs_introduce(void *h, uint32_t domid, uint64_t store_mfn,
			    uint32_t store_port)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	struct sim_port *p;
	int rc = pv_sim_enter(s, SIM_XS_INTRODUCE);

	if (rc)
		return rc;
	if (s->caller != 0)
		return -EACCES;
	if (domid == 0)
		return -EINVAL;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (pv_sim_domain_introduced(s, domid))
		return 0;
	if (store_port < 1 || store_port > d->nports)
		return -EINVAL;
	p = &d->ports[store_port - 1];
	if (p->bound || p->remote != 0)
		return -EINVAL;
	p->bound = true;
	s->xs.introduced = pv_realloc(s->xs.introduced,
				      (s->xs.nintroduced + 1) * sizeof(uint32_t));
	s->xs.introduced[s->xs.nintroduced++] = domid;
	pv_sim_fire_special(s, "@introduceDomain");
	return 0;
}

static int sim_xs_release(void *h, uint32_t domid)
{
	struct pv_sim *s = h;
	int rc = pv_sim_enter(s, SIM_XS_RELEASE);

	if (rc)
		return rc;
	if (s->caller != 0)
		return -EACCES;
	if (domid == 0)
		return -EINVAL;
	if (!pv_sim_domain_introduced(s, domid))
		return -ENOENT;
	forget_domain(s, domid);
	pv_sim_fire_special(s, "@releaseDomain");
	return 0;
}

/* XS_RESUME: the domain runs again; its next shutdown fires @releaseDomain. */
static int sim_xs_resume(void *h, uint32_t domid)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_XS_RESUME);

	if (rc)
		return rc;
	if (s->caller != 0)
		return -EACCES;
	d = pv_sim_dom_find(s, domid);
	if (!d || !pv_sim_domain_introduced(s, domid))
		return -ENOENT;
	d->release_fired = false;
	return 0;
}

void pv_sim_xs_domain_gone(struct pv_sim *s, uint32_t domid)
{
	forget_domain(s, domid);
	pv_sim_fire_special(s, "@releaseDomain");
}

void pv_sim_watch_ops(struct pv_hv_ops *ops)
{
	ops->xs_watch = sim_xs_watch;
	ops->xs_unwatch = sim_xs_unwatch;
	ops->xs_read_watch = sim_xs_read_watch;
	ops->xs_fileno = sim_xs_fileno;
	ops->xs_introduce = sim_xs_introduce;
	ops->xs_resume = sim_xs_resume;
	ops->xs_release = sim_xs_release;
}
