/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host.c: the host as the hypervisor describes it.
 */
#include "host.h"

int pv_host_physinfo(struct pv_ctx *ctx, struct pv_physinfo *pi,
		     struct pv_err *err)
{
	int rc = ctx->hv.ops->physinfo(ctx->hv.h, pi);

	return rc ? pv_err_sys(err, rc, "reading host information") : 0;
}
