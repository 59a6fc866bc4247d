/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debug.c: looking into a guest: a sysrq key sent to its kernel, and a
 * core dump of its memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain.h"
#include "../xs.h"

/*
 * The PV sysrq protocol, as libxl_send_sysrq: the toolstack writes the
 * key to control/sysrq, which the guest may write (layout.c); Linux's
 * xenbus watch (drivers/xen/manage.c) reads it, clears the node and
 * handles the key as if typed on a keyboard, within the guest's own
 * kernel.sysrq mask.
 */
int pv_domain_sysrq(struct pv_ctx *ctx, uint32_t domid, char key,
		    struct pv_err *err)
{
	struct pv_dominfo info;
	char *path, val[2] = { key, '\0' };
	int rc;

	if (key < 0x21 || key > 0x7e)
		return pv_err_set(err, -EINVAL, "a sysrq key is one printable "
				  "character");
	/* Writing the node would create it for a domain that is not there. */
	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "domain %u", domid);
	path = pv_xs_dom_path(domid, "control/sysrq");
	rc = pv_xs_write_str(&ctx->hv, PV_XBT_NULL, path, val);
	if (rc)
		pv_err_sys(err, rc, "writing %s", path);
	free(path);
	return rc;
}

char *pv_domain_dump_path(struct pv_ctx *ctx, const char *name)
{
	return pv_asprintf("%s/dump/%s", ctx->state_dir, name);
}

/*
 * libxenguest writes the ELF core itself; here it writes into a new
 * file beside @path (mkostemp: never through a link someone left
 * there), renamed to @path once whole, so that a failed dump leaves no
 * half a core and does not clobber an older one.
 */
static int dump_to(struct pv_ctx *ctx, uint32_t domid, const char *path,
		   struct pv_err *err)
{
	char *tmp = pv_asprintf("%s.XXXXXX", path), *msg = NULL;
	int fd, rc;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "cannot create %s", tmp);
		free(tmp);
		return rc;
	}
	close(fd);
	rc = ctx->hv.ops->domain_dumpcore(ctx->hv.h, domid, tmp, &msg);
	if (rc)
		pv_err_set(err, rc, "dumping the core of domain %u to %s: %s",
			   domid, path, msg ? msg : "failed");
	else if (rename(tmp, path))
		rc = pv_err_sys(err, -errno, "renaming %s to %s", tmp, path);
	if (rc)
		unlink(tmp);
	free(msg);
	free(tmp);
	return rc;
}

int pv_domain_dump_core(struct pv_ctx *ctx, uint32_t domid, const char *path,
			bool live, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	bool pause;
	int rc;

	/* Dom0 would pause itself, and map its own memory as a guest's. */
	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to dump Domain-0's core "
				  "from Domain-0");
	rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "domain %u", domid);
	if (info.dying)
		return pv_err_set(err, -ESRCH, "domain %u is being destroyed",
				  domid);
	/* A running guest would change its memory under the dump. */
	pause = !live && !info.paused && !info.shutdown;
	if (pause) {
		rc = hv->ops->domain_pause(hv->h, domid);
		if (rc)
			return pv_err_sys(err, rc, "pausing domain %u for its "
					  "core dump", domid);
	}
	rc = dump_to(ctx, domid, path, err);
	if (pause) {
		int urc = hv->ops->domain_unpause(hv->h, domid);

		if (urc && !rc)
			rc = pv_err_sys(err, urc, "unpausing domain %u after "
					"its core dump", domid);
	}
	return rc;
}
