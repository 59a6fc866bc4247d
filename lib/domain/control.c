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
#include "../xs.h"

int pv_domain_request_shutdown(struct pv_ctx *ctx, uint32_t domid,
			       const char *what, struct pv_err *err)
{
	char path[64];
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to %s Domain-0", what);
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
	rc = pv_xs_write_str(&ctx->hv, PV_XBT_NULL, path, what);
	return rc ? pv_err_sys(err, rc, "writing %s", path) : 0;
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
	char path[64], *vm, *vmname;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/name", r->domid);
	rc = pv_xs_write_str(hv, t, path, r->name);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/vm", r->domid);
	vm = pv_xs_read_str(hv, t, path);
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
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to rename Domain-0");
	rc = pv_domain_name_valid(name, err);
	if (rc)
		return rc;
	rc = pv_lock(ctx, err);
	if (rc)
		return rc;
	pv_err_init(&ignore);
	if (pv_domain_lookup(ctx, name, &other, &ignore) == 0) {
		rc = pv_err_set(err, -EEXIST, "domain name '%s' is already in use "
				"by domain %u", name, other);
		goto out;
	}
	rc = pv_xs_transaction(&ctx->hv, rename_tx, &r);
	if (rc) {
		pv_err_sys(err, rc, "renaming domain %u in XenStore", domid);
		goto out;
	}
	/* Keep the saved config in step, so a restart keeps the new name. */
	pv_domain_config_init(&cfg);
	if (pv_domain_config_load(ctx, domid, &cfg, &ignore) == 0) {
		pv_str_set(&cfg.name, name);
		rc = pv_domain_config_save(ctx, domid, NULL, &cfg, err);
	}
	pv_domain_config_dispose(&cfg);
out:
	pv_err_dispose(&ignore);
	pv_unlock(ctx);
	return rc;
}
