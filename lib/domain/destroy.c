/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * destroy.c: tearing a domain down and removing every trace of it.
 */
#include <errno.h>
#include <stdlib.h>

#include "domain.h"
#include "ops.h"
#include "../devices/devices.h"

int pv_domain_destroy(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	struct pv_err ignore;
	struct pv_op op;
	char *opname;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to destroy Domain-0");
	rc = pv_lock(ctx, err);
	if (rc)
		return rc;
	rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc == -ESRCH) {
		pv_err_set(err, rc, "no domain with ID %u", domid);
		goto out;
	}
	/*
	 * Killed past domain_destroy, it would leave the nodes, devices and
	 * config for pv_domain_cleanup: say so first (best effort: a destroy
	 * is never refused for want of a record).
	 */
	pv_op_init(&op);
	pv_err_init(&ignore);
	pv_op_set(&op, "op", "destroy");
	pv_op_set_domain(&op, ctx, domid);
	opname = pv_asprintf("destroy.%u", domid);
	pv_op_begin(ctx, &op, opname, &ignore);
	free(opname);
	pv_err_dispose(&ignore);
	/* Stop it first so that it does not race with its own teardown. */
	hv->ops->domain_pause(hv->h, domid);
	rc = hv->ops->domain_destroy(hv->h, domid);
	if (rc) {
		pv_err_sys(err, rc, "destroying domain %u", domid);
	} else {
		/* Loop devices detach once blkback lets go, when the nodes go. */
		pv_devices_teardown(ctx, domid);
		pv_layout_remove(ctx, domid);
		pv_domain_config_forget(ctx, domid);
	}
	pv_op_end(&op);
out:
	pv_unlock(ctx);
	return rc;
}
