/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * query.c: finding domains by name or ID, and listing them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "ops.h"
#include "../xs.h"

char *pv_domain_get_name(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = pv_xs_dom_path(domid, "name");
	char *name = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);

	free(path);
	return name;
}

static int lookup_id(struct pv_ctx *ctx, const char *spec, uint64_t id,
		     uint32_t *domid, struct pv_err *err)
{
	struct pv_dominfo info;
	int rc;

	if (id >= 0x7ff0)	/* DOMID_FIRST_RESERVED */
		return pv_err_set(err, -EINVAL, "invalid domain ID '%s'", spec);
	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, (uint32_t)id, &info);
	if (rc == -ESRCH)
		return pv_err_set(err, -ESRCH, "no domain with ID %s", spec);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %s", spec);
	*domid = (uint32_t)id;
	return 0;
}

/*
 * Names live in XenStore (/local/domain/ID/name), written by whichever
 * toolstack made the domain, so this finds xl's domains too. Only names
 * of domains the hypervisor still knows count.
 */
int pv_domain_lookup(struct pv_ctx *ctx, const char *spec, uint32_t *domid,
		     struct pv_err *err)
{
	struct pv_domain_status *st;
	size_t n, i;
	uint64_t id;
	int rc;

	/* All digits is an ID: pv_domain_name_valid() refuses such names. */
	if (pv_parse_uint(spec, UINT32_MAX, &id) == 0)
		return lookup_id(ctx, spec, id, domid, err);
	rc = pv_domain_list(ctx, NULL, 0, &st, &n, err);
	if (rc)
		return rc;
	rc = pv_err_set(err, -ESRCH, "no domain named '%s'", spec);
	for (i = 0; i < n; i++) {
		if (st[i].name && !st[i].info.dying &&
		    strcmp(st[i].name, spec) == 0) {
			*domid = st[i].info.domid;
			pv_err_clear(err);
			rc = 0;
			break;
		}
	}
	pv_domain_status_free(st, n);
	return rc;
}

static int list_all(struct pv_hv *hv, struct pv_dominfo **out, size_t *n)
{
	size_t cap = 256;

	/* The hypervisor fills at most what we ask for: grow until it fits. */
	for (;;) {
		struct pv_dominfo *infos = pv_calloc(cap, sizeof(*infos));
		int rc = hv->ops->domain_list(hv->h, infos, cap, n);

		if (rc) {
			free(infos);
			return rc;
		}
		if (*n < cap) {
			*out = infos;
			return 0;
		}
		free(infos);
		cap *= 4;
	}
}

int pv_domain_list(struct pv_ctx *ctx, const uint32_t *domids, size_t ndomids,
		   struct pv_domain_status **out, size_t *n, struct pv_err *err)
{
	struct pv_dominfo *infos;
	struct pv_domain_status *st;
	struct pv_op *ops;
	size_t count, i, j, k = 0, nops;
	int rc = list_all(&ctx->hv, &infos, &count);
	struct pv_err ignore;

	if (rc)
		return pv_err_sys(err, rc, "listing domains");
	/* The records of operations under way: a listing without them is whole. */
	pv_err_init(&ignore);
	if (pv_op_list(ctx, &ops, &nops, &ignore))
		nops = 0;
	pv_err_dispose(&ignore);
	st = pv_calloc(count, sizeof(*st));
	for (i = 0; i < count; i++) {
		bool wanted = ndomids == 0;

		for (j = 0; j < ndomids && !wanted; j++)
			wanted = domids[j] == infos[i].domid;
		if (!wanted)
			continue;
		st[k].info = infos[i];
		st[k].name = pv_domain_get_name(ctx, infos[i].domid);
		for (j = 0; j < nops && !st[k].incomplete; j++)
			if (pv_op_for(&ops[j], &infos[i]))
				st[k].incomplete = pv_op_describe(&ops[j]);
		k++;
	}
	pv_op_list_free(ops, nops);
	free(infos);
	*out = st;
	*n = k;
	return 0;
}

void pv_domain_status_free(struct pv_domain_status *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(st[i].name);
		free(st[i].incomplete);
	}
	free(st);
}
