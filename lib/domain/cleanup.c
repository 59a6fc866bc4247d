/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cleanup.c: finishing or undoing what killed pvctl processes left half
 * done, from their records in RUN/ops (ops.h; what is done for each
 * operation is listed at pv_domain_cleanup in domain.h).
 *
 * Whatever the step a process died at, what it left is either a domain
 * (found by the record's domid and UUID), or XenStore nodes and dom0
 * resources named in the nodes (loop devices, bridge ports: the device
 * kinds' release reads them from the backend nodes), or nothing. A loop
 * device set up before its nodes name it is released by the kernel when
 * its process dies (hostdev.c), so no step leaves one unnamed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "ops.h"
#include "../devices/devices.h"

struct cleanup {
	struct pv_ctx *ctx;
	struct pv_monitor_log *log;
	const struct pv_op *op;
	const char *what;	/* "create by pid 42" */
};

/*
 * The domain @op is about: by its domid and UUID; without a domid (a
 * create that died just after making it), a domain with the UUID that
 * has no name yet, which only a create that far has: -ESRCH if none.
 */
static int find_domain(struct cleanup *c, uint32_t *domid)
{
	struct pv_domain_status *st;
	struct pv_err ignore;
	bool by_uuid = !pv_op_get(c->op, "domid");
	size_t n, i;
	int rc;

	pv_err_init(&ignore);
	rc = pv_domain_list(c->ctx, NULL, 0, &st, &n, &ignore);
	pv_err_dispose(&ignore);
	if (rc)
		return rc;
	rc = -ESRCH;
	for (i = 0; i < n && rc; i++) {
		if (st[i].info.domid == 0 || !pv_op_for(c->op, &st[i].info))
			continue;
		if (by_uuid && (st[i].name || st[i].info.dying))
			continue;
		*domid = st[i].info.domid;
		rc = 0;
	}
	pv_domain_status_free(st, n);
	return rc;
}

/*
 * What a domain that is gone, or dying, left: when no domain has its ID
 * any more, or the one that has is the record's and dying (one that is
 * alive with that ID is another's, and so are its nodes).
 */
static void remove_remains(struct cleanup *c)
{
	struct pv_dominfo info;
	uint64_t domid;
	int rc;

	if (pv_op_get_uint(c->op, "domid", UINT32_MAX, &domid) || domid == 0)
		return;
	rc = c->ctx->hv.ops->domain_getinfo(c->ctx->hv.h, (uint32_t)domid, &info);
	if (rc != -ESRCH && (rc || !info.dying || !pv_op_for(c->op, &info)))
		return;
	pv_devices_teardown(c->ctx, (uint32_t)domid);
	pv_layout_remove(c->ctx, (uint32_t)domid);
	pv_domain_config_forget(c->ctx, (uint32_t)domid);
	c->log->fn(c->log->arg, "%s: removed what domain %u left (XenStore "
		   "nodes, devices, saved config)", c->what, (uint32_t)domid);
}

/* create, restore: the domain goes, with all it has. */
static void undo_create(struct cleanup *c)
{
	const char *name = pv_op_get(c->op, "name");
	struct pv_err err;
	uint32_t domid;

	if (find_domain(c, &domid)) {
		remove_remains(c);
		return;
	}
	pv_err_init(&err);
	if (pv_domain_destroy(c->ctx, domid, &err))
		c->log->fn(c->log->arg, "%s: destroying domain %u: %s", c->what,
			   domid, pv_err_msg(&err));
	else
		c->log->fn(c->log->arg, "%s: destroyed domain %u (%s), which it "
			   "left half made", c->what, domid, name ? name : "?");
	pv_err_dispose(&err);
}

/*
 * destroy: what pv_domain_destroy had yet to remove, once the domain is
 * dying or gone (one still alive was never destroyed: nothing to finish).
 */
static void undo_destroy(struct cleanup *c)
{
	remove_remains(c);
}

/* The devices of @kind that @domid has now and had not (@had: "1,5"). */
static size_t new_devices(struct cleanup *c, uint32_t domid, const char *kind,
			  const char *had, uint32_t **ids)
{
	struct pv_device_status *st;
	struct pv_err ignore;
	size_t n, i, m = 0;

	*ids = NULL;
	pv_err_init(&ignore);
	if (pv_device_list(c->ctx, kind, domid, &st, &n, &ignore)) {
		pv_err_dispose(&ignore);
		return 0;
	}
	pv_err_dispose(&ignore);
	*ids = pv_calloc(n + 1, sizeof(**ids));
	for (i = 0; i < n; i++) {
		char id[16];
		const char *p = had;
		bool old = false;
		size_t len;

		len = (size_t)snprintf(id, sizeof(id), "%u", st[i].devid);
		while (p && *p && !old) {
			old = !strncmp(p, id, len) && (p[len] == ',' || !p[len]);
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		if (!old)
			(*ids)[m++] = st[i].devid;
	}
	pv_device_status_free(st, n);
	return m;
}

/* Removes a device, forced, and from the saved config. */
static void remove_device(struct cleanup *c, uint32_t domid, const char *kind,
			  uint32_t devid)
{
	struct pv_live_change ch = {
		.what = PV_LIVE_DETACH, .kind = kind, .devid = devid,
	};
	struct pv_err err;

	pv_err_init(&err);
	if (pv_device_remove(c->ctx, kind, domid, devid, true, 0, &err) ||
	    pv_domain_config_note(c->ctx, domid, &ch, &err))
		c->log->fn(c->log->arg, "%s: removing %s %u of domain %u: %s",
			   c->what, kind, devid, domid, pv_err_msg(&err));
	else
		c->log->fn(c->log->arg, "%s: removed %s %u of domain %u, which it "
			   "left half attached", c->what, kind, devid, domid);
	pv_err_dispose(&err);
}

/* attach: the device it added (any the domain did not have before). */
static void undo_attach(struct cleanup *c)
{
	const char *kind = pv_op_get(c->op, "kind");
	uint32_t domid, *ids;
	size_t n, i;

	if (!kind || find_domain(c, &domid))
		return;
	n = new_devices(c, domid, kind, pv_op_get(c->op, "had"), &ids);
	for (i = 0; i < n; i++)
		remove_device(c, domid, kind, ids[i]);
	free(ids);
}

/*
 * detach: finished as the command would have: the guest is asked again
 * to let go of the device (it may just not have answered yet when the
 * detach was killed), and a guest that still uses it keeps it, as when
 * a detach times out. Killed half-way through the removal, what is left
 * of the device goes.
 */
#define CLEANUP_DETACH_MS 10000

static void finish_detach(struct cleanup *c)
{
	const char *kind = pv_op_get(c->op, "kind");
	struct pv_live_change ch = { .what = PV_LIVE_DETACH, .kind = kind };
	struct pv_device_status *st;
	struct pv_err err;
	uint64_t devid;
	uint32_t domid;
	size_t n, i;
	bool there = false;
	int rc = 0;

	if (!kind || pv_op_get_uint(c->op, "devid", UINT32_MAX, &devid) ||
	    find_domain(c, &domid))
		return;
	pv_err_init(&err);
	if (pv_device_list(c->ctx, kind, domid, &st, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			there |= st[i].devid == devid;
		pv_device_status_free(st, n);
	}
	pv_err_clear(&err);
	if (there)
		rc = pv_device_remove(c->ctx, kind, domid, (uint32_t)devid, false,
				      CLEANUP_DETACH_MS, &err);
	else
		pv_device_forget(c->ctx, kind, domid, (uint32_t)devid);
	ch.devid = (uint32_t)devid;
	if (!rc)
		rc = pv_domain_config_note(c->ctx, domid, &ch, &err);
	if (rc)
		c->log->fn(c->log->arg, "%s: %s %u of domain %u stays: %s", c->what,
			   kind, (uint32_t)devid, domid, pv_err_msg(&err));
	else
		c->log->fn(c->log->arg, "%s: finished detaching %s %u of domain %u",
			   c->what, kind, (uint32_t)devid, domid);
	pv_err_dispose(&err);
}

/* Whether a domain with @op's UUID exists, whatever its ID. */
static bool uuid_exists(struct cleanup *c)
{
	struct pv_domain_status *st;
	struct pv_err ignore;
	struct pv_op by_uuid;
	size_t n, i;
	bool found = false;

	pv_op_init(&by_uuid);
	pv_op_set(&by_uuid, "uuid", "%s", pv_op_get(c->op, "uuid"));
	pv_err_init(&ignore);
	if (pv_domain_list(c->ctx, NULL, 0, &st, &n, &ignore) == 0) {
		for (i = 0; i < n && !found; i++)
			found = !st[i].info.dying && pv_op_for(&by_uuid, &st[i].info);
		pv_domain_status_free(st, n);
	}
	pv_err_dispose(&ignore);
	pv_op_dispose(&by_uuid);
	return found;
}

/*
 * The monitor's restart: the domain is created again unless a domain
 * with its UUID is there: the old one, not yet destroyed (the monitor
 * acts on it again), or the new one, made.
 */
static void finish_restart(struct cleanup *c)
{
	struct pv_domain_config cfg;
	struct pv_err err;
	uint32_t domid;
	int rc;

	if (!pv_op_get(c->op, "uuid") || uuid_exists(c))
		return;
	remove_remains(c);
	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	rc = pv_op_get_config(c->op, &cfg, &err);
	/* The same UUID, as the monitor's restart gives it. */
	if (!rc)
		pv_str_set(&cfg.uuid, pv_op_get(c->op, "uuid"));
	if (rc || pv_domain_create(c->ctx, &cfg, &domid, &err))
		c->log->fn(c->log->arg, "%s: restarting %s failed: %s", c->what,
			   pv_op_get(c->op, "name"), pv_err_msg(&err));
	else
		c->log->fn(c->log->arg, "%s: restarted %s as domain %u", c->what,
			   cfg.name, domid);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
}

static void save_undo(struct cleanup *c)
{
	uint32_t domid;

	if (find_domain(c, &domid))
		domid = UINT32_MAX;	/* gone: only its files are left */
	pv_domain_save_undo(c->ctx, c->op, domid, c->log, c->what);
}

static const struct {
	const char *op;
	void (*fn)(struct cleanup *c);
} handlers[] = {
	{ "create", undo_create },
	{ "restore", undo_create },
	{ "destroy", undo_destroy },
	{ "attach", undo_attach },
	{ "detach", finish_detach },
	{ "restart", finish_restart },
	{ "save", save_undo },
	{ "migrate", save_undo },
};

int pv_domain_cleanup(struct pv_ctx *ctx, struct pv_monitor_log *log,
		      size_t *done, struct pv_err *err)
{
	struct pv_op *ops;
	size_t n, i, h;
	int lock, rc;

	*done = 0;
	/* One cleaner at a time (the monitor's, `pvctl cleanup`): each record once. */
	lock = pv_lock_file(ctx, "cleanup.lock", true, err);
	if (lock < 0)
		return lock;
	rc = pv_op_list(ctx, &ops, &n, err);
	if (rc) {
		close(lock);
		return rc;
	}
	for (i = 0; i < n; i++) {
		const char *what = pv_op_get(&ops[i], "op");
		struct cleanup c = { ctx, log, &ops[i], NULL };
		char *desc;

		if (pv_op_alive(&ops[i]))
			continue;
		desc = pv_asprintf("%s by pid %d (killed)", what ? what : ops[i].name,
				   (int)ops[i].pid);
		c.what = desc;
		for (h = 0; h < sizeof(handlers) / sizeof(*handlers); h++)
			if (what && !strcmp(handlers[h].op, what))
				handlers[h].fn(&c);
		/* Done, or nothing left to do: the record goes either way. */
		pv_op_end(&ops[i]);
		free(desc);
		(*done)++;
	}
	pv_op_list_free(ops, n);
	close(lock);
	return 0;
}
