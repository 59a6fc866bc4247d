/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top.c: one snapshot of the host for `pvctl top`. What xentop shows
 * comes from the hypervisor; the balloon target from XenStore; the
 * agent's report through pv_signals_read (guest data, checked there);
 * the decisions from the status file the autoscale loop rewrites at
 * each tick (RUN/autoscale.json, as `autoscale status` reads it).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "top.h"
#include "../domain/domain.h"

void pv_top_init(struct pv_top *t)
{
	memset(t, 0, sizeof(*t));
}

void pv_top_dispose(struct pv_top *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->doms[i].name);
		free(t->doms[i].decision);
	}
	free(t->doms);
	pv_top_init(t);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static yajl_val member(yajl_val o, const char *key, yajl_type type)
{
	const char *path[] = { key, NULL };

	return yajl_tree_get(o, path, type);
}

/* The status file's entry for @d: same domain ID and name. */
static void take_decision(struct pv_top_dom *d, yajl_val doms)
{
	size_t i;

	for (i = 0; doms && i < YAJL_GET_ARRAY(doms)->len; i++) {
		yajl_val o = YAJL_GET_ARRAY(doms)->values[i];
		yajl_val id = member(o, "domid", yajl_t_number);
		const char *name = YAJL_GET_STRING(member(o, "name", yajl_t_string));
		const char *why = YAJL_GET_STRING(member(o, "why", yajl_t_string));

		if (!id || !YAJL_IS_INTEGER(id) ||
		    YAJL_GET_INTEGER(id) != (long long)d->info.domid ||
		    !name || !d->name || strcmp(name, d->name))
			continue;
		/* No policy matches it: the loop leaves it alone. */
		if (!YAJL_GET_STRING(member(o, "policy", yajl_t_string)))
			d->decision = pv_strdup("no policy");
		else if (why && *why)
			d->decision = pv_strdup(why);
		return;
	}
}

/* A missing or unreadable status file: no loop to show, not an error. */
static void read_loop_status(struct pv_ctx *ctx, struct pv_top *t)
{
	char *path = pv_asprintf("%s/autoscale.json", ctx->run_dir);
	const char *doms_path[] = { "domains", NULL };
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err ignore;
	yajl_val root = NULL, v, doms;
	size_t i;

	pv_err_init(&ignore);
	if (pv_buf_read_file(&b, path, 0, &ignore) == 0 && b.s)
		root = yajl_tree_parse(b.s, NULL, 0);
	if (root && YAJL_IS_OBJECT(root)) {
		t->have_loop = true;
		v = member(root, "time", yajl_t_number);
		t->loop_time = v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
		v = member(root, "ticks", yajl_t_number);
		t->loop_ticks = v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 ?
				(uint64_t)YAJL_GET_INTEGER(v) : 0;
		doms = yajl_tree_get(root, doms_path, yajl_t_array);
		for (i = 0; i < t->n; i++)
			take_decision(&t->doms[i], doms);
	}
	yajl_tree_free(root);
	pv_buf_dispose(&b);
	pv_err_dispose(&ignore);
	free(path);
}

int pv_top_snapshot(struct pv_ctx *ctx, struct pv_top *t, struct pv_err *err)
{
	struct pv_domain_status *st;
	size_t n, i;
	int rc;

	pv_top_dispose(t);
	rc = ctx->hv.ops->physinfo(ctx->hv.h, &t->host);
	if (rc)
		return pv_err_sys(err, rc, "reading host information");
	rc = pv_domain_list(ctx, NULL, 0, &st, &n, err);
	if (rc)
		return rc;
	t->t_ns = now_ns();
	t->doms = pv_calloc(n ? n : 1, sizeof(*t->doms));
	t->n = n;
	for (i = 0; i < n; i++) {
		struct pv_top_dom *d = &t->doms[i];
		uint64_t static_max_kb = 0;
		const char *why;

		d->info = st[i].info;
		d->name = st[i].name;
		st[i].name = NULL;
		d->have_target = pv_domain_get_target(ctx, d->info.domid,
						      &d->target_kb, NULL) == 0;
		/* Without it, MemTotal is not checked against the domain's size. */
		if (pv_domain_get_maxmem(ctx, d->info.domid, &static_max_kb, NULL))
			static_max_kb = 0;
		pv_signals_read(&ctx->hv, d->info.domid, static_max_kb, &d->sig,
				&why);
	}
	pv_domain_status_free(st, n);
	read_loop_status(ctx, t);
	return 0;
}

double pv_top_cpu_pct(const struct pv_top *prev, const struct pv_top *cur,
		      size_t i)
{
	const struct pv_dominfo *now = &cur->doms[i].info;
	size_t j;

	if (!prev || cur->t_ns <= prev->t_ns)
		return 0;
	for (j = 0; j < prev->n; j++) {
		const struct pv_dominfo *then = &prev->doms[j].info;

		if (then->domid != now->domid ||
		    memcmp(then->uuid, now->uuid, sizeof(now->uuid)))
			continue;
		if (now->cpu_time_ns < then->cpu_time_ns)
			return 0;
		return (double)(now->cpu_time_ns - then->cpu_time_ns) * 100.0 /
		       (double)(cur->t_ns - prev->t_ns);
	}
	return 0;
}
