/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply_run.c: carrying out an apply plan (apply.c makes it).
 *
 * A guest's live changes run in the plan's order: memory and vCPUs
 * first (cheap to undo), then detaches, then attaches (which fail most
 * often: a missing image, a missing bridge), and last the saved config,
 * written only when everything else went through. Each step done pushes
 * its undo; a failure runs them backwards, so the guest is left as it
 * was, and the next guest goes on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "../devices/devices.h"
#include "../../util/uuid.h"

#define SHUTDOWN_TIMEOUT_MS 60000
#define DEVICE_TIMEOUT_MS 30000

enum undo_what {
	UNDO_TARGET,		/* set the memory target back to @value */
	UNDO_MAXMEM,		/* and the maximum */
	UNDO_VCPUS,
	UNDO_CPUS,		/* pin to have's cpus again */
	UNDO_DISK,		/* attach have's disk @index again */
	UNDO_VIF,		/* attach have's vif @index again, with @mac */
	UNDO_REMOVE,		/* remove the @kind device @devid just added */
};

struct undo {
	enum undo_what what;
	uint64_t value;
	size_t index;
	const char *kind;
	uint32_t devid;
	char *mac;
};

struct run {
	struct pv_ctx *ctx;
	struct pv_apply_plan *plan;
	struct pv_apply_guest *g;
	struct undo *undo;
	size_t nundo;
	int dev_ms;
	/* have's vifs attached again by an undo, in that order (new indexes) */
	size_t *readded;
	size_t nreadded;
};

static struct undo *push(struct run *r, enum undo_what what)
{
	struct undo *u;

	r->undo = pv_realloc(r->undo, (r->nundo + 1) * sizeof(*u));
	u = &r->undo[r->nundo++];
	memset(u, 0, sizeof(*u));
	u->what = what;
	return u;
}

static int attach_wait(struct run *r, const char *kind, uint32_t devid,
		       struct pv_err *err)
{
	return pv_device_wait_connected(r->ctx, kind, r->g->domid, devid,
					r->dev_ms, err);
}

/* ---- the live steps ---- */

static int set_maxmem(struct run *r, uint64_t mb, struct pv_err *err)
{
	uint64_t kb = mb * 1024, old, target;
	uint32_t domid = r->g->domid;
	int rc;

	rc = pv_domain_get_maxmem(r->ctx, domid, &old, err);
	if (!rc)
		rc = pv_domain_get_target(r->ctx, domid, &target, err);
	/* A target above the new bound (the loop's) comes down to it. */
	if (!rc && target > kb) {
		rc = pv_domain_set_target(r->ctx, domid, kb, err);
		if (!rc)
			push(r, UNDO_TARGET)->value = target;
	}
	if (!rc)
		rc = pv_domain_set_maxmem(r->ctx, domid, kb, err);
	if (!rc)
		push(r, UNDO_MAXMEM)->value = old;
	return rc;
}

static int set_target(struct run *r, uint64_t mb, struct pv_err *err)
{
	uint64_t old;
	int rc = pv_domain_get_target(r->ctx, r->g->domid, &old, err);

	if (!rc)
		rc = pv_domain_set_target(r->ctx, r->g->domid, mb * 1024, err);
	if (!rc)
		push(r, UNDO_TARGET)->value = old;
	return rc;
}

static int set_vcpus(struct run *r, unsigned int n, struct pv_err *err)
{
	struct pv_dominfo info;
	unsigned int old;
	int rc = r->ctx->hv.ops->domain_getinfo(r->ctx->hv.h, r->g->domid, &info);

	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", r->g->domid);
	old = pv_domain_online_vcpus(r->ctx, r->g->domid, info.max_vcpu_id + 1);
	rc = pv_domain_set_vcpus(r->ctx, r->g->domid, n, err);
	if (!rc)
		push(r, UNDO_VCPUS)->value = old;
	return rc;
}

static int pin(struct run *r, const char *cpus, struct pv_err *err)
{
	int rc = pv_domain_pin_vcpu(r->ctx, r->g->domid, -1, cpus ? cpus : "all",
				    err);

	if (!rc)
		push(r, UNDO_CPUS);
	return rc;
}

static int detach(struct run *r, const struct pv_apply_change *c,
		  struct pv_err *err)
{
	bool vif = c->op == PV_APPLY_VIF_DETACH;
	const char *kind = vif ? pv_vif_kind.name : pv_vbd_kind.name;
	char *mac = NULL;
	int rc;

	/* The vif comes back with its address if it must be attached again. */
	if (vif) {
		struct pv_device_status *st;
		size_t n, i;

		rc = pv_device_list(r->ctx, kind, r->g->domid, &st, &n, err);
		if (rc)
			return rc;
		for (i = 0; i < n; i++)
			if (st[i].devid == c->devid && st[i].name)
				mac = pv_strdup(st[i].name);
		pv_device_status_free(st, n);
	}
	rc = pv_device_remove(r->ctx, kind, r->g->domid, c->devid, false,
			      r->dev_ms, err);
	if (rc) {
		free(mac);
		return rc;
	}
	push(r, vif ? UNDO_VIF : UNDO_DISK)->index = c->index;
	r->undo[r->nundo - 1].mac = mac;
	return 0;
}

static int attach(struct run *r, const struct pv_apply_change *c,
		  struct pv_err *err)
{
	const struct pv_domain_config *w = &r->g->want;
	bool vif = c->op == PV_APPLY_VIF_ATTACH;
	struct undo *u;
	uint32_t devid;
	int rc;

	rc = vif ? pv_vif_add(r->ctx, r->g->domid, &w->vifs[c->index], &devid, err)
		 : pv_vbd_add(r->ctx, r->g->domid, &w->disks[c->index], &devid, err);
	if (rc)
		return rc;
	u = push(r, UNDO_REMOVE);
	u->kind = vif ? pv_vif_kind.name : pv_vbd_kind.name;
	u->devid = devid;
	return attach_wait(r, u->kind, devid, err);
}

static int step(struct run *r, const struct pv_apply_change *c,
		struct pv_err *err)
{
	const struct pv_domain_config *w = &r->g->want;

	if (c->mode != PV_APPLY_LIVE)
		return 0;	/* saved config only: written at the end */
	switch (c->op) {
	case PV_APPLY_MAXMEM:
		return set_maxmem(r, c->to, err);
	case PV_APPLY_MEMORY:
		return set_target(r, c->to, err);
	case PV_APPLY_VCPUS:
		return set_vcpus(r, (unsigned int)c->to, err);
	case PV_APPLY_CPUS:
		return pin(r, w->cpus, err);
	case PV_APPLY_DISK_DETACH:
	case PV_APPLY_VIF_DETACH:
		return detach(r, c, err);
	case PV_APPLY_DISK_ATTACH:
	case PV_APPLY_VIF_ATTACH:
		return attach(r, c, err);
	default:
		return 0;
	}
}

/* ---- undo ---- */

static int undo_one(struct run *r, struct undo *u, struct pv_err *err)
{
	struct pv_apply_guest *g = r->g;
	struct pv_vif_spec v;
	uint32_t devid;
	int rc;

	switch (u->what) {
	case UNDO_TARGET:
		return pv_domain_set_target(r->ctx, g->domid, u->value, err);
	case UNDO_MAXMEM:
		return pv_domain_set_maxmem(r->ctx, g->domid, u->value, err);
	case UNDO_VCPUS:
		return pv_domain_set_vcpus(r->ctx, g->domid, (unsigned int)u->value,
					   err);
	case UNDO_CPUS:
		return pv_domain_pin_vcpu(r->ctx, g->domid, -1,
					  g->have.cpus ? g->have.cpus : "all", err);
	case UNDO_DISK:
		rc = pv_vbd_add(r->ctx, g->domid, &g->have.disks[u->index], &devid,
				err);
		return rc ? rc : attach_wait(r, pv_vbd_kind.name, devid, err);
	case UNDO_VIF:
		/* A copy that borrows have's strings but keeps the old MAC. */
		v = g->have.vifs[u->index];
		if (u->mac)
			v.mac = u->mac;
		rc = pv_vif_add(r->ctx, g->domid, &v, &devid, err);
		if (!rc)
			r->readded[r->nreadded++] = u->index;
		return rc ? rc : attach_wait(r, pv_vif_kind.name, devid, err);
	case UNDO_REMOVE:
		return pv_device_remove(r->ctx, u->kind, g->domid, u->devid, true,
					r->dev_ms, err);
	}
	return 0;
}

/*
 * A vif attached again has the next index: in the saved config it moves
 * to the end, where the index order puts it.
 */
static void reorder_readded(struct run *r)
{
	struct pv_domain_config *h = &r->g->have;
	struct pv_vif_spec *v = pv_calloc(h->nvifs + 1, sizeof(*v));
	bool *moved = pv_calloc(h->nvifs + 1, sizeof(*moved));
	size_t i, n = 0;

	for (i = 0; i < r->nreadded; i++)
		moved[r->readded[i]] = true;
	for (i = 0; i < h->nvifs; i++)
		if (!moved[i])
			v[n++] = h->vifs[i];
	for (i = 0; i < r->nreadded; i++)
		v[n++] = h->vifs[r->readded[i]];
	free(h->vifs);
	h->vifs = v;
	free(moved);
}

/* Undoes what was done to the guest, last first; notes what could not be. */
static void undo_all(struct run *r)
{
	struct pv_apply_guest *g = r->g;
	struct pv_err err;

	r->readded = pv_calloc(r->nundo + 1, sizeof(*r->readded));
	while (r->nundo) {
		struct undo *u = &r->undo[--r->nundo];

		pv_err_init(&err);
		if (undo_one(r, u, &err)) {
			pv_buf_printf(&g->err.msg, "; undoing it failed: %s",
				      pv_err_msg(&err));
			g->undo_failed = true;
		}
		pv_err_dispose(&err);
		free(u->mac);
	}
	if (r->nreadded) {
		reorder_readded(r);
		pv_err_init(&err);
		if (pv_domain_config_save(r->ctx, g->domid, NULL, &g->have, &err)) {
			pv_buf_printf(&g->err.msg, "; %s", pv_err_msg(&err));
			g->undo_failed = true;
		}
		pv_err_dispose(&err);
	}
	free(r->readded);
	r->readded = NULL;
}

/* ---- the saved config after live changes ---- */

static void swap_str(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

/*
 * While a restart is still to come, what only a restart changes runs as
 * have says; and have's vifs run when they could not be matched. The
 * swap is its own inverse: done again after the save, have is whole for
 * an undo.
 */
static void swap_running(struct pv_apply_guest *g, bool restart_pending)
{
	struct pv_domain_config *w = &g->want, *h = &g->have;
	struct pv_vif_spec *tv;
	unsigned int tu;
	char **targv;
	size_t tn;

	if (restart_pending) {
		swap_str(&w->kernel, &h->kernel);
		swap_str(&w->ramdisk, &h->ramdisk);
		swap_str(&w->cmdline, &h->cmdline);
		swap_str(&w->bootloader, &h->bootloader);
		swap_str(&w->bootloader_args, &h->bootloader_args);
		targv = w->bootloader_argv;
		w->bootloader_argv = h->bootloader_argv;
		h->bootloader_argv = targv;
		tn = w->bootloader_argc;
		w->bootloader_argc = h->bootloader_argc;
		h->bootloader_argc = tn;
		tu = w->maxvcpus;
		w->maxvcpus = h->maxvcpus;
		h->maxvcpus = tu;
		swap_str(&w->uuid, &h->uuid);
	}
	if (!g->vif_match) {
		tv = w->vifs;
		w->vifs = h->vifs;
		h->vifs = tv;
		tn = w->nvifs;
		w->nvifs = h->nvifs;
		h->nvifs = tn;
	}
}

/* want's vifs in index order: the kept ones, then the attached. */
static void order_vifs(struct pv_apply_guest *g)
{
	struct pv_domain_config *w = &g->want;
	struct pv_vif_spec *v = pv_calloc(w->nvifs + 1, sizeof(*v));
	bool *taken = pv_calloc(w->nvifs + 1, sizeof(*taken));
	size_t i, n = 0;

	for (i = 0; i < g->have.nvifs; i++) {
		if (g->vif_match[i] == SIZE_MAX)
			continue;
		v[n++] = w->vifs[g->vif_match[i]];
		taken[g->vif_match[i]] = true;
	}
	for (i = 0; i < w->nvifs; i++)
		if (!taken[i])
			v[n++] = w->vifs[i];
	free(w->vifs);
	w->vifs = v;
	free(taken);
}

/* ---- one guest ---- */

static bool has_pending_restart(const struct pv_apply_guest *g)
{
	return g->nchanges && g->changes[0].op == PV_APPLY_RESTART &&
	       g->changes[0].needs;
}

static int converge_live(struct run *r)
{
	struct pv_apply_guest *g = r->g;
	size_t i;
	int rc = 0;

	for (i = 0; i < g->nchanges && !rc; i++)
		if (pv_apply_change_todo(&g->changes[i]))
			rc = step(r, &g->changes[i], &g->err);
	/* The saved config says what runs now: want, as far as it went. */
	if (!rc) {
		if (g->vif_match)
			order_vifs(g);
		swap_running(g, has_pending_restart(g));
		rc = pv_domain_config_save(r->ctx, g->domid, NULL, &g->want, &g->err);
		swap_running(g, has_pending_restart(g));
	}
	if (rc)
		undo_all(r);
	free(r->undo);
	r->undo = NULL;
	r->nundo = 0;
	return rc;
}

/*
 * Shut down (waiting), then create from the file, with the UUID it had.
 * The saved config goes first, so that the monitor leaves the shutdown
 * to us instead of acting on on_poweroff; if the guest does not go in
 * time the request is withdrawn and the config put back. A create that
 * fails starts the old config again.
 */
static int restart(struct run *r)
{
	struct pv_apply_guest *g = r->g;
	struct pv_ctx *ctx = r->ctx;
	struct pv_dominfo info;
	char uuid[PV_UUID_STRLEN + 1];
	int ms = r->plan->opts.shutdown_timeout_ms ?
		 r->plan->opts.shutdown_timeout_ms : SHUTDOWN_TIMEOUT_MS;
	struct pv_err err;
	uint32_t domid;
	int rc;

	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, g->domid, &info);
	if (rc)
		return pv_err_sys(&g->err, rc, "reading domain %u", g->domid);
	pv_uuid_format(info.uuid, uuid);
	if (!g->want.uuid)
		pv_str_set(&g->want.uuid, uuid);
	if (!g->have.uuid)
		pv_str_set(&g->have.uuid, uuid);
	pv_domain_config_forget(ctx, g->domid);
	rc = pv_domain_request_shutdown(ctx, g->domid, "poweroff", &g->err);
	if (!rc) {
		rc = pv_domain_wait_shutdown(ctx, g->domid, ms, NULL);
		if (rc)
			pv_err_sys(&g->err, rc, "waiting for '%s' to shut down "
				   "(%d s)", g->name, ms / 1000);
	}
	pv_err_init(&err);
	if (rc) {
		/* Still running as it was: withdraw the request. */
		if (pv_domain_request_shutdown(ctx, g->domid, "", &err) ||
		    pv_domain_config_save(ctx, g->domid, NULL, &g->have, &err)) {
			pv_buf_printf(&g->err.msg, "; undoing it failed: %s",
				      pv_err_msg(&err));
			g->undo_failed = true;
		}
		pv_err_dispose(&err);
		return rc;
	}
	rc = pv_domain_destroy(ctx, g->domid, &err);
	if (rc == -ESRCH)
		rc = 0;
	pv_err_clear(&err);
	if (!rc)
		rc = pv_domain_create(ctx, &g->want, &domid, &g->err);
	if (!rc) {
		g->domid = domid;
	} else if (pv_domain_create(ctx, &g->have, &domid, &err)) {
		pv_buf_printf(&g->err.msg, "; starting it again as it was failed "
			      "too: %s", pv_err_msg(&err));
		g->undo_failed = true;
	} else {
		g->domid = domid;
	}
	pv_err_dispose(&err);
	return rc;
}

static int converge_guest(struct run *r)
{
	struct pv_apply_guest *g = r->g;
	const struct pv_apply_change *c = &g->changes[0];
	uint32_t domid;
	int rc;

	if (c->op == PV_APPLY_CREATE) {
		rc = pv_domain_create(r->ctx, &g->want, &domid, &g->err);
		if (!rc)
			g->domid = domid;
		return rc;
	}
	if (c->op == PV_APPLY_DESTROY)
		return pv_domain_destroy(r->ctx, g->domid, &g->err);
	if (c->op == PV_APPLY_RESTART && !c->needs)
		return restart(r);
	return converge_live(r);
}

int pv_apply_converge(struct pv_ctx *ctx, struct pv_apply_plan *plan)
{
	struct run r = { .ctx = ctx, .plan = plan };
	size_t i, j;
	int first = 0;

	r.dev_ms = plan->opts.device_timeout_ms ? plan->opts.device_timeout_ms :
		   DEVICE_TIMEOUT_MS;
	for (i = 0; i < plan->n; i++) {
		struct pv_apply_guest *g = &plan->guests[i];

		for (j = 0; j < g->nchanges && !pv_apply_change_todo(&g->changes[j]);
		     j++)
			;
		if (!g->rc && j == g->nchanges)
			continue;	/* nothing to do for it */
		if (!g->rc)
			g->rc = pv_ctx_check_interrupted(ctx, &g->err);
		if (!g->rc) {
			r.g = g;
			g->rc = converge_guest(&r);
			g->done = !g->rc;
		}
		if (g->rc && !first)
			first = g->rc;
	}
	return first;
}
