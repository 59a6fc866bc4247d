/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c: what devices of every kind share: the table of kinds, paths,
 * the transaction that creates the nodes, the state handshake, removal,
 * listing and teardown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "../xs.h"

const char *pv_xb_state_name(unsigned int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	return state < sizeof(names) / sizeof(*names) ? names[state] : "invalid";
}

static const struct pv_device_kind *const kinds[] = {
	&pv_vbd_kind, &pv_vif_kind,
};

const struct pv_device_kind *pv_device_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

static const struct pv_device_kind *kind_get(const char *name,
					     struct pv_err *err)
{
	const struct pv_device_kind *k = pv_device_kind_find(name);

	if (!k)
		pv_err_set(err, -EINVAL, "unknown device kind '%s'", name);
	return k;
}

static void paths_init(struct pv_device_paths *p, const struct pv_device_kind *k,
		       uint32_t domid, uint32_t devid)
{
	p->be = pv_xs_dom_path(0, "backend/%s/%u/%u", k->be_kind, domid, devid);
	p->fe = pv_xs_dom_path(domid, "device/%s/%u", k->fe_kind, devid);
	p->lx = pv_asprintf("/libxl/%u/device/%s/%u", domid, k->name, devid);
}

static void paths_dispose(struct pv_device_paths *p)
{
	free(p->be);
	free(p->fe);
	free(p->lx);
}

/*
 * A state node. The frontend's is written by the guest: anything that is
 * not a small number reads as Unknown.
 */
static unsigned int read_state(struct pv_hv *hv, const char *dir)
{
	char *p = pv_asprintf("%s/state", dir);
	uint64_t v = PV_XB_UNKNOWN;

	if (pv_xs_read_uint(hv, PV_XBT_NULL, p, PV_XB_RECONFIGURED, &v))
		v = PV_XB_UNKNOWN;
	free(p);
	return (unsigned int)v;
}

/*
 * Removes @path's parent if nothing is left in it, and so on up for
 * @levels: the directories the device's add made (checked and removed
 * in one transaction each, so that a device added meanwhile stays).
 */
static void rm_empty_parents(struct pv_hv *hv, const char *path,
			     unsigned int levels)
{
	char *dir = pv_strdup(path), *slash;

	while (levels-- && (slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		pv_xs_transaction(hv, pv_xs_rm_if_empty, dir);
	}
	free(dir);
}

/*
 * The device's nodes, and the directories that only held them: a
 * detach leaves the tree as the attach found it.
 */
static void remove_nodes(struct pv_hv *hv, const struct pv_device_paths *p)
{
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p->fe);
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p->be);
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p->lx);
	/* device/KIND; backend/KIND/DOMID, backend/KIND, backend; /libxl/DOMID/device/KIND up */
	rm_empty_parents(hv, p->fe, 1);
	rm_empty_parents(hv, p->be, 3);
	rm_empty_parents(hv, p->lx, 3);
}

/* Its host side first: what to release is read from the nodes. */
static void release_and_remove(struct pv_ctx *ctx, const struct pv_device_kind *k,
			       uint32_t domid, uint32_t devid,
			       const struct pv_device_paths *p)
{
	k->release(ctx, domid, devid, p->be);
	remove_nodes(&ctx->hv, p);
}

struct add {
	const struct pv_device_kind *k;
	uint32_t domid;
	const struct pv_device_paths *p;
	const void *dev;
	struct pv_err *err;
};

/* Every device's nodes, whatever its kind, so drivers never see half one. */
static int add_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	const struct add *a = arg;
	const struct pv_device_paths *p = a->p;
	const struct pv_xs_perm be_perms[] = {
		{ 0, PV_XS_PERM_NONE }, { a->domid, PV_XS_PERM_READ },
	};
	const struct pv_xs_perm fe_perms[] = {
		{ a->domid, PV_XS_PERM_NONE }, { 0, PV_XS_PERM_READ },
	};
	const struct pv_xs_perm dom0_only[] = { { 0, PV_XS_PERM_NONE } };
	struct pv_xs_writer w;
	char *state = pv_asprintf("%s/state", p->be);
	char *old = pv_xs_read_str(hv, t, state);

	free(state);
	if (old) {
		free(old);
		return -EEXIST;
	}
	/* The paths are absolute: from base "", +1 skips the leading '/'. */
	pv_xs_writer_init(&w, hv, t, "");
	pv_xs_writer_mkdir(&w, p->be + 1, be_perms, 2);
	pv_xs_writer_mkdir(&w, p->fe + 1, fe_perms, 2);
	pv_xs_writer_mkdir(&w, p->lx + 1, dom0_only, 1);
	w.base = p->be;
	a->k->backend_keys(&w, p, a->dev);
	w.base = p->fe;
	pv_xs_put(&w, "backend", "%s", p->be);
	pv_xs_put(&w, "backend-id", "0");
	pv_xs_put(&w, "state", "%d", PV_XB_INITIALISING);
	a->k->frontend_keys(&w, a->dev);
	w.base = p->lx;
	a->k->backend_keys(&w, p, a->dev);
	pv_xs_put(&w, "backend", "%s", p->be);
	return pv_xs_writer_done(&w, a->err);
}

int pv_device_add(struct pv_ctx *ctx, const struct pv_device_kind *k,
		  uint32_t domid, uint32_t devid, const char *what, void *dev,
		  struct pv_err *err)
{
	struct pv_device_paths p;
	struct add a = { k, domid, &p, dev, err };
	int rc;

	paths_init(&p, k, domid, devid);
	rc = pv_xs_transaction(&ctx->hv, add_tx, &a);
	if (rc == -EEXIST)
		pv_err_set(err, rc, "domain %u already has a %s", domid, what);
	else if (rc)
		pv_err_sys(err, rc, "writing the XenStore nodes of %s", what);
	else if (k->plug) {
		rc = k->plug(ctx, &p, dev, err);
		if (rc)
			release_and_remove(ctx, k, domid, devid, &p);
	}
	paths_dispose(&p);
	return rc;
}

/*
 * Waits until the backend's state is @be_want and the frontend's
 * @fe_want (0: any), watching both state nodes.
 */
static int wait_states(struct pv_ctx *ctx, const struct pv_device_kind *k,
		       uint32_t domid, uint32_t devid, unsigned int be_want,
		       unsigned int fe_want, int timeout_ms, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_device_paths p;
	char *bes, *fes;
	uint64_t deadline = pv_now_ms() + (uint64_t)timeout_ms;
	unsigned int bs = 0, fs = 0;
	bool guest;
	int rc;

	paths_init(&p, k, domid, devid);
	bes = pv_asprintf("%s/state", p.be);
	fes = pv_asprintf("%s/state", p.fe);
	rc = hv->ops->xs_watch(hv->h, bes, "pvctl-dev");
	if (!rc)
		rc = hv->ops->xs_watch(hv->h, fes, "pvctl-dev");
	while (!rc) {
		char *wp = NULL, *wt = NULL;
		uint64_t now;

		bs = read_state(hv, p.be);
		fs = read_state(hv, p.fe);
		if (bs == be_want && (!fe_want || fs == fe_want))
			break;
		now = pv_now_ms();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		rc = hv->ops->xs_read_watch(hv->h, (int)pv_min_u64(deadline - now, 500),
					    &wp, &wt);
		free(wp);
		free(wt);
		if (rc == -ETIMEDOUT)
			rc = 0;
	}
	hv->ops->xs_unwatch(hv->h, bes, "pvctl-dev");
	hv->ops->xs_unwatch(hv->h, fes, "pvctl-dev");
	/*
	 * Whose turn it was: a backend at InitWait waits for the frontend to
	 * come up (Initialised), so one that never loaded or never answers
	 * is the guest's driver's doing, not dom0's.
	 */
	guest = bs == be_want ||
		(bs == PV_XB_INITWAIT && fs < PV_XB_INITIALISED);
	if (rc == -ETIMEDOUT && guest)
		pv_err_set(err, rc, "%s %u of domain %u: the frontend (the guest's "
			   "driver) did not reach %s within %d ms (backend %s, "
			   "frontend %s)", k->name, devid, domid,
			   pv_xb_state_name(bs == be_want ? fe_want : PV_XB_INITIALISED),
			   timeout_ms, pv_xb_state_name(bs), pv_xb_state_name(fs));
	else if (rc == -ETIMEDOUT)
		pv_err_set(err, rc, "%s %u of domain %u: the backend (dom0's driver) "
			   "did not reach %s within %d ms (backend %s, frontend %s)",
			   k->name, devid, domid, pv_xb_state_name(be_want),
			   timeout_ms, pv_xb_state_name(bs), pv_xb_state_name(fs));
	else if (rc)
		pv_err_sys(err, rc, "watching %s", bes);
	free(bes);
	free(fes);
	paths_dispose(&p);
	return rc;
}

int pv_device_wait_connected(struct pv_ctx *ctx, const char *kind,
			     uint32_t domid, uint32_t devid, int timeout_ms,
			     struct pv_err *err)
{
	const struct pv_device_kind *k = kind_get(kind, err);

	if (!k)
		return -EINVAL;
	return wait_states(ctx, k, domid, devid, PV_XB_CONNECTED,
			   PV_XB_CONNECTED, timeout_ms, err);
}

int pv_device_wait_backend_ready(struct pv_ctx *ctx, const char *kind,
				 uint32_t domid, uint32_t devid, int timeout_ms,
				 struct pv_err *err)
{
	const struct pv_device_kind *k = kind_get(kind, err);

	if (!k)
		return -EINVAL;
	return wait_states(ctx, k, domid, devid, PV_XB_INITWAIT, 0,
			   timeout_ms, err);
}

struct closing {
	const char *be;
	struct pv_err *err;
};

static int closing_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	const struct closing *c = arg;
	struct pv_xs_writer w;

	pv_xs_writer_init(&w, hv, t, c->be);
	pv_xs_put(&w, "online", "0");
	pv_xs_put(&w, "state", "%d", PV_XB_CLOSING);
	return pv_xs_writer_done(&w, c->err);
}

int pv_device_remove(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		     uint32_t devid, bool force, int timeout_ms,
		     struct pv_err *err)
{
	const struct pv_device_kind *k = kind_get(kind, err);
	struct pv_device_paths p;
	struct closing c;
	int rc = 0;

	if (!k)
		return -EINVAL;
	paths_init(&p, k, domid, devid);
	if (read_state(&ctx->hv, p.be) == PV_XB_UNKNOWN) {
		rc = pv_err_set(err, -ENOENT, "domain %u has no %s %u", domid,
				k->name, devid);
		goto out;
	}
	if (!force) {
		/*
		 * Ask the backend to close; it waits for the frontend, which
		 * refuses while the guest uses the device.
		 */
		c.be = p.be;
		c.err = err;
		rc = pv_xs_transaction(&ctx->hv, closing_tx, &c);
		if (!rc)
			rc = wait_states(ctx, k, domid, devid, PV_XB_CLOSED, 0,
					 timeout_ms, err);
		if (rc) {
			if (!err->code)
				pv_err_sys(err, rc, "closing %s %u of domain %u",
					   k->name, devid, domid);
			pv_buf_puts(&err->msg, "; the guest may still use it "
				    "(--force detaches it anyway)");
			goto out;
		}
	}
	release_and_remove(ctx, k, domid, devid, &p);
out:
	paths_dispose(&p);
	return rc;
}

void pv_device_forget(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		      uint32_t devid)
{
	const struct pv_device_kind *k = pv_device_kind_find(kind);
	struct pv_device_paths p;

	if (!k)
		return;
	paths_init(&p, k, domid, devid);
	release_and_remove(ctx, k, domid, devid, &p);
	paths_dispose(&p);
}

void pv_devices_teardown(struct pv_ctx *ctx, uint32_t domid)
{
	struct pv_hv *hv = &ctx->hv;
	size_t k, i, n;

	for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		char *dir = pv_xs_dom_path(0, "backend/%s/%u", kinds[k]->be_kind,
					   domid);
		char **names;

		if (hv->ops->xs_directory(hv->h, PV_XBT_NULL, dir, &names, &n) == 0) {
			for (i = 0; i < n; i++) {
				char *be = pv_asprintf("%s/%s", dir, names[i]);

				kinds[k]->release(ctx, domid,
						  (uint32_t)strtoul(names[i], NULL, 10),
						  be);
				free(be);
			}
			pv_xs_free_names(names, n);
		}
		free(dir);
	}
	/* The nodes go with the rest of the domain's (pv_layout_remove). */
}

static char *read_rel(struct pv_hv *hv, const char *dir, const char *key)
{
	char *p = pv_asprintf("%s/%s", dir, key);
	char *v = pv_xs_read_str(hv, PV_XBT_NULL, p);

	free(p);
	return v;
}

static int list(struct pv_ctx *ctx, const struct pv_device_kind *k,
		uint32_t domid, struct pv_device_status **out, size_t *n,
		struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	char *dir = pv_xs_dom_path(0, "backend/%s/%u", k->be_kind, domid);
	struct pv_device_status *st;
	char **names;
	size_t count, i, m = 0;
	int rc = hv->ops->xs_directory(hv->h, PV_XBT_NULL, dir, &names, &count);

	if (rc == -ENOENT) {
		count = 0;
		names = NULL;
		rc = 0;
	}
	if (rc) {
		pv_err_sys(err, rc, "listing %s", dir);
		free(dir);
		return rc;
	}
	st = pv_calloc(count, sizeof(*st));
	for (i = 0; i < count; i++) {
		uint64_t id;
		char *fe;

		if (pv_parse_uint(names[i], UINT32_MAX, &id))
			continue;
		st[m].devid = (uint32_t)id;
		st[m].backend = pv_asprintf("%s/%s", dir, names[i]);
		fe = pv_xs_dom_path(domid, "device/%s/%u", k->fe_kind, st[m].devid);
		st[m].be_state = read_state(hv, st[m].backend);
		st[m].fe_state = read_state(hv, fe);
		free(fe);
		st[m].name = read_rel(hv, st[m].backend, k->cols.name.key);
		st[m].target = read_rel(hv, st[m].backend, k->cols.target.key);
		st[m].detail = read_rel(hv, st[m].backend, k->cols.detail.key);
		m++;
	}
	pv_xs_free_names(names, count);
	free(dir);
	*out = st;
	*n = m;
	return 0;
}

int pv_device_list(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   struct pv_device_status **out, size_t *n,
		   struct pv_err *err)
{
	const struct pv_device_kind *k = kind_get(kind, err);

	return k ? list(ctx, k, domid, out, n, err) : -EINVAL;
}

void pv_device_status_free(struct pv_device_status *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(st[i].name);
		free(st[i].target);
		free(st[i].detail);
		free(st[i].backend);
	}
	free(st);
}

int pv_device_find(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   const char *key, uint32_t *devid, struct pv_err *err)
{
	const struct pv_device_kind *k = kind_get(kind, err);
	struct pv_device_status *st;
	size_t n, i;
	uint64_t id;
	int rc;

	if (!k)
		return -EINVAL;
	rc = list(ctx, k, domid, &st, &n, err);
	if (rc)
		return rc;
	rc = pv_err_set(err, -ENOENT, "domain %u has no %s '%s'", domid,
			k->noun, key);
	for (i = 0; i < n; i++) {
		if ((st[i].name && !strcasecmp(st[i].name, key)) ||
		    (pv_parse_uint(key, UINT32_MAX, &id) == 0 && id == st[i].devid)) {
			*devid = st[i].devid;
			pv_err_clear(err);
			rc = 0;
			break;
		}
	}
	pv_device_status_free(st, n);
	return rc;
}
