/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.c: asking a guest to shut down or reboot, pausing, renaming.
 *
 * The PV shutdown protocol: the toolstack writes "poweroff", "reboot" or
 * "halt" to /local/domain/ID/control/shutdown; the guest kernel's xenbus
 * watch sees it, acknowledges by clearing the node, and shuts down with
 * SCHEDOP_shutdown, which Xen reports as the domain's shutdown reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "../../util/uuid.h"
#include "../xs.h"

int pv_domain_request_shutdown(struct pv_ctx *ctx, uint32_t domid,
			       const char *what, struct pv_err *err)
{
	struct pv_dominfo info;
	char *path;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to %s Domain-0", what);
	/* Writing the node would create it for a domain that is not there. */
	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "domain %u", domid);
	path = pv_xs_dom_path(domid, "control/shutdown");
	rc = pv_xs_write_str(&ctx->hv, PV_XBT_NULL, path, what);
	if (rc)
		pv_err_sys(err, rc, "writing %s", path);
	free(path);
	return rc;
}

/*
 * Waits until @domid has shut down or is gone, watching @releaseDomain
 * (xenstored fires it on both). Returns 0, or -ETIMEDOUT.
 */
int pv_domain_wait_shutdown(struct pv_ctx *ctx, uint32_t domid,
			    int timeout_ms, struct pv_dominfo *last)
{
	struct pv_hv *hv = &ctx->hv;
	uint64_t deadline = pv_now_ms() + (uint64_t)timeout_ms;
	char token[32];
	int rc;

	snprintf(token, sizeof(token), "pvctl-wait-%u", domid);
	rc = hv->ops->xs_watch(hv->h, "@releaseDomain", token);
	if (rc)
		return rc;
	for (;;) {
		struct pv_dominfo info;
		char *p = NULL, *t = NULL;
		uint64_t now;

		rc = hv->ops->domain_getinfo(hv->h, domid, &info);
		if (rc == -ESRCH || (!rc && (info.shutdown || info.dying))) {
			if (!rc && last)
				*last = info;
			rc = 0;
			break;
		}
		now = pv_now_ms();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		/* Poll at least every second, in case an event is missed. */
		rc = hv->ops->xs_read_watch(hv->h, (int)pv_min_u64(deadline - now, 1000),
					    &p, &t);
		free(p);
		free(t);
		if (rc && rc != -ETIMEDOUT)
			break;
	}
	hv->ops->xs_unwatch(hv->h, "@releaseDomain", token);
	return rc;
}

int pv_domain_pause(struct pv_ctx *ctx, uint32_t domid, bool pause,
		    struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to %s Domain-0",
				  pause ? "pause" : "unpause");
	rc = pause ? hv->ops->domain_pause(hv->h, domid)
		   : hv->ops->domain_unpause(hv->h, domid);
	return rc ? pv_err_sys(err, rc, "%s domain %u", pause ? "pausing" :
			       "unpausing", domid) : 0;
}

struct rename {
	uint32_t domid;
	const char *name;
};

static int rename_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	struct rename *r = arg;
	char *path, *vm, *vmname;
	int rc;

	path = pv_xs_dom_path(r->domid, "name");
	rc = pv_xs_write_str(hv, t, path, r->name);
	free(path);
	if (rc)
		return rc;
	path = pv_xs_dom_path(r->domid, "vm");
	vm = pv_xs_read_str(hv, t, path);
	free(path);
	if (!vm)
		return 0;
	vmname = pv_asprintf("%s/name", vm);
	rc = pv_xs_write_str(hv, t, vmname, r->name);
	free(vmname);
	free(vm);
	return rc;
}

int pv_domain_rename(struct pv_ctx *ctx, uint32_t domid, const char *name,
		     struct pv_err *err)
{
	struct pv_domain_config cfg;
	struct rename r = { domid, name };
	uint32_t other;
	struct pv_err ignore;
	int rc, saved;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to rename Domain-0");
	rc = pv_domain_name_valid(name, err);
	if (rc)
		return rc;
	rc = pv_lock(ctx, err);
	if (rc)
		return rc;
	pv_err_init(&ignore);
	pv_domain_config_init(&cfg);
	if (pv_domain_lookup(ctx, name, &other, &ignore) == 0 && other != domid) {
		rc = pv_err_set(err, -EEXIST, "domain name '%s' is already in use "
				"by domain %u", name, other);
		goto out;
	}
	/*
	 * The saved config must take the new name too, or a restart brings
	 * back the old one: one that cannot be read stops the rename.
	 */
	pv_err_clear(&ignore);
	saved = pv_domain_config_load(ctx, domid, &cfg, &ignore);
	if (pv_domain_config_damaged(saved)) {
		rc = pv_err_set(err, saved, "cannot rename domain %u: its saved "
				"config cannot be read: %s", domid,
				pv_err_msg(&ignore));
		goto out;
	}
	rc = pv_xs_transaction(&ctx->hv, rename_tx, &r);
	if (rc) {
		pv_err_sys(err, rc, "renaming domain %u in XenStore", domid);
		goto out;
	}
	if (saved == 0) {
		pv_str_set(&cfg.name, name);
		rc = pv_domain_config_save(ctx, domid, NULL, &cfg, err);
	}
out:
	pv_domain_config_dispose(&cfg);
	pv_err_dispose(&ignore);
	pv_unlock(ctx);
	return rc;
}

struct new_uuid {
	uint32_t domid;
	const char *old_vm, *new_vm;
};

/* Moves the /vm entry: copies the keys pvctl and xl write, relinks. */
static int new_uuid_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	static const char *const keys[] = {
		"name", "start_time", "image/ostype", "image/kernel",
		"image/ramdisk", "image/cmdline",
	};
	struct new_uuid *u = arg;
	char *from, *to, *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(keys) / sizeof(*keys) && !rc; i++) {
		from = pv_asprintf("%s/%s", u->old_vm, keys[i]);
		to = pv_asprintf("%s/%s", u->new_vm, keys[i]);
		v = pv_xs_read_str(hv, t, from);
		if (v)
			rc = pv_xs_write_str(hv, t, to, v);
		free(v);
		free(to);
		free(from);
	}
	if (!rc) {
		to = pv_asprintf("%s/uuid", u->new_vm);
		rc = pv_xs_write_str(hv, t, to, u->new_vm + 4);
		free(to);
	}
	if (!rc) {
		to = pv_xs_dom_path(u->domid, "vm");
		rc = pv_xs_write_str(hv, t, to, u->new_vm);
		free(to);
	}
	return rc;
}

int pv_domain_new_uuid(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	const struct pv_xs_perm ro[] = {
		{ 0, PV_XS_PERM_NONE }, { domid, PV_XS_PERM_READ },
	};
	char text[PV_UUID_STRLEN + 1];
	struct new_uuid u = { domid, NULL, NULL };
	uint8_t uuid[16];
	char *link, *new_vm;
	int rc;

	rc = pv_uuid_generate(uuid);
	if (rc)
		return pv_err_sys(err, rc, "generating a UUID");
	pv_uuid_format(uuid, text);
	link = pv_xs_dom_path(domid, "vm");
	u.old_vm = pv_xs_read_str(hv, PV_XBT_NULL, link);
	free(link);
	if (!u.old_vm || strncmp(u.old_vm, "/vm/", 4)) {
		free((char *)u.old_vm);
		return pv_err_set(err, -ENOENT, "domain %u has no /vm entry", domid);
	}
	new_vm = pv_asprintf("/vm/%s", text);
	u.new_vm = new_vm;
	rc = hv->ops->domain_set_handle(hv->h, domid, uuid);
	if (!rc)
		rc = pv_xs_mkdir_perms(hv, PV_XBT_NULL, new_vm, ro, 2);
	if (!rc)
		rc = pv_xs_transaction(hv, new_uuid_tx, &u);
	if (rc)
		pv_err_sys(err, rc, "giving domain %u a new UUID", domid);
	free(new_vm);
	free((char *)u.old_vm);
	return rc;
}
