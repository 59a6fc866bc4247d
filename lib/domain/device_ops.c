/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * device_ops.c: attach and detach on a running domain, as the block-*
 * and network-* commands do them: recorded (ops.h) so that what a killed
 * command leaves is undone or finished by pv_domain_cleanup, and kept in
 * the domain's saved config.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain.h"
#include "ops.h"
#include "../devices/devices.h"

/* The devids of @kind that @domid has, as "1,5" (malloc'd). */
static char *devids(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		    struct pv_err *err)
{
	struct pv_device_status *st;
	struct pv_buf b = PV_BUF_INIT;
	size_t n, i;

	if (pv_device_list(ctx, kind, domid, &st, &n, err))
		return NULL;
	pv_buf_puts(&b, "");
	for (i = 0; i < n; i++)
		pv_buf_printf(&b, "%s%u", i ? "," : "", st[i].devid);
	pv_device_status_free(st, n);
	return pv_buf_detach(&b);
}

int pv_domain_device_attach(struct pv_ctx *ctx, uint32_t domid,
			    const char *kind, const char *spec, uint32_t *devid,
			    bool *bad_spec, struct pv_err *err)
{
	const struct pv_device_kind *k = pv_device_kind_find(kind);
	char *had = NULL, *name = NULL;
	struct pv_op op;
	int lock, rc;

	*bad_spec = false;
	if (!k)
		return pv_err_set(err, -EINVAL, "unknown device kind '%s'", kind);
	/*
	 * The record says which devices the domain had before: the new one
	 * is the one it did not have. Attaches one at a time keep that true.
	 */
	lock = pv_lock_file(ctx, "attach.lock", true, err);
	if (lock < 0)
		return lock;
	pv_op_init(&op);
	had = devids(ctx, kind, domid, err);
	rc = had ? 0 : -EIO;
	if (!rc) {
		pv_op_set(&op, "op", "attach");
		pv_op_set_domain(&op, ctx, domid);
		pv_op_set(&op, "kind", "%s", kind);
		pv_op_set(&op, "had", "%s", had);
		name = pv_asprintf("attach.%u.%s", domid, kind);
		rc = pv_op_begin(ctx, &op, name, err);
	}
	if (!rc)
		rc = k->attach(ctx, domid, spec, devid, bad_spec, err);
	if (!rc) {
		struct pv_live_change ch = {
			.what = PV_LIVE_ATTACH, .kind = kind, .spec = spec,
			.devid = *devid,
		};

		rc = pv_domain_config_note(ctx, domid, &ch, err);
	}
	pv_op_end(&op);
	close(lock);
	free(name);
	free(had);
	return rc;
}

int pv_domain_device_detach(struct pv_ctx *ctx, uint32_t domid,
			    const char *kind, uint32_t devid, bool force,
			    int timeout_ms, struct pv_err *err)
{
	char *name = pv_asprintf("detach.%u.%s.%u", domid, kind, devid);
	struct pv_op op;
	int rc;

	pv_op_init(&op);
	pv_op_set(&op, "op", "detach");
	pv_op_set_domain(&op, ctx, domid);
	pv_op_set(&op, "kind", "%s", kind);
	pv_op_set(&op, "devid", "%u", devid);
	rc = pv_op_begin(ctx, &op, name, err);
	if (!rc)
		rc = pv_device_remove(ctx, kind, domid, devid, force, timeout_ms,
				      err);
	if (!rc) {
		struct pv_live_change ch = {
			.what = PV_LIVE_DETACH, .kind = kind, .devid = devid,
		};

		rc = pv_domain_config_note(ctx, domid, &ch, err);
	}
	pv_op_end(&op);
	free(name);
	return rc;
}
