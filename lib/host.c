/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host.c: the host as the hypervisor describes it, and Xen's own
 * console and debug keys.
 */
#include <errno.h>
#include <stdlib.h>

#include "host.h"

int pv_host_physinfo(struct pv_ctx *ctx, struct pv_physinfo *pi,
		     struct pv_err *err)
{
	int rc = ctx->hv.ops->physinfo(ctx->hv.h, pi);

	return rc ? pv_err_sys(err, rc, "reading host information") : 0;
}

/*
 * Xen's default ring is 16 KiB; bigger ones (conring_size=) take a few
 * reads. Each read goes on from where the last stopped, until one
 * brings nothing, as libxl's console reader does.
 */
#define DMESG_CHUNK 16384

int pv_host_dmesg(struct pv_ctx *ctx, bool clear, struct pv_buf *out,
		  struct pv_err *err)
{
	char *chunk = pv_malloc(DMESG_CHUNK);
	uint32_t index = 0;
	size_t n;
	int rc;

	do {
		n = DMESG_CHUNK;
		rc = ctx->hv.ops->console_read(ctx->hv.h, chunk, &n, clear, &index);
		if (rc) {
			pv_err_sys(err, rc, "reading Xen's console ring");
			break;
		}
		pv_buf_add(out, chunk, n);
	} while (n);
	free(chunk);
	return rc;
}

int pv_host_debug_keys(struct pv_ctx *ctx, const char *keys,
		       struct pv_err *err)
{
	int rc;

	if (!*keys)
		return pv_err_set(err, -EINVAL, "no debug keys given");
	rc = ctx->hv.ops->send_debug_keys(ctx->hv.h, keys);
	return rc ? pv_err_sys(err, rc, "sending debug keys '%s' to Xen", keys) : 0;
}
