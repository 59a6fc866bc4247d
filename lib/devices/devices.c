/*
 * devices.c: what disks and vifs share: paths, the state handshake,
 * removal, listing and teardown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "hostdev.h"
#include "../xs.h"

const char *pv_xb_state_name(unsigned int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	return state < sizeof(names) / sizeof(*names) ? names[state] : "invalid";
}

static char *be_path(const char *kind, uint32_t domid, uint32_t devid)
{
	return pv_asprintf("/local/domain/0/backend/%s/%u/%u", kind, domid, devid);
}

static char *fe_path(const char *kind, uint32_t domid, uint32_t devid)
{
	return pv_asprintf("/local/domain/%u/device/%s/%u", domid, kind, devid);
}

void pv_device_paths_init(struct pv_device_paths *p, const char *kind,
			  uint32_t domid, uint32_t devid)
{
	p->be = be_path(kind, domid, devid);
	p->fe = fe_path(kind, domid, devid);
	p->lx = pv_asprintf("/libxl/%u/device/%s/%u", domid, kind, devid);
}

void pv_device_paths_dispose(struct pv_device_paths *p)
{
	free(p->be);
	free(p->fe);
	free(p->lx);
}

void pv_device_mkdirs(struct pv_xs_writer *w, const struct pv_device_paths *p,
		      uint32_t domid)
{
	const struct pv_xs_perm be_perms[] = {
		{ 0, PV_XS_PERM_NONE }, { domid, PV_XS_PERM_READ },
	};
	const struct pv_xs_perm fe_perms[] = {
		{ domid, PV_XS_PERM_NONE }, { 0, PV_XS_PERM_READ },
	};
	const struct pv_xs_perm dom0_only[] = { { 0, PV_XS_PERM_NONE } };
	const char *base = w->base;

	/* The paths are absolute: from base "", +1 skips the leading '/'. */
	w->base = "";
	pv_xs_writer_mkdir(w, p->be + 1, be_perms, 2);
	pv_xs_writer_mkdir(w, p->fe + 1, fe_perms, 2);
	pv_xs_writer_mkdir(w, p->lx + 1, dom0_only, 1);
	w->base = base;
}

void pv_device_frontend_keys(struct pv_xs_writer *w,
			     const struct pv_device_paths *p)
{
	const char *base = w->base;

	w->base = p->fe;
	pv_xs_put(w, "backend", "%s", p->be);
	pv_xs_put(w, "backend-id", "0");
	pv_xs_put(w, "state", "%d", PV_XB_INITIALISING);
	w->base = base;
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
 * Waits until the backend's state satisfies @be_ok and the frontend's
 * @fe_ok (NULL: any), watching both state nodes.
 */
static int wait_states(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		       uint32_t devid, unsigned int be_want, unsigned int fe_want,
		       int timeout_ms, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	char *be = be_path(kind, domid, devid), *fe = fe_path(kind, domid, devid);
	char *bes = pv_asprintf("%s/state", be), *fes = pv_asprintf("%s/state", fe);
	uint64_t deadline = pv_now_ms() + (uint64_t)timeout_ms;
	unsigned int bs = 0, fs = 0;
	int rc;

	rc = hv->ops->xs_watch(hv->h, bes, "pvctl-dev");
	if (!rc)
		rc = hv->ops->xs_watch(hv->h, fes, "pvctl-dev");
	while (!rc) {
		char *p = NULL, *t = NULL;
		uint64_t now;

		bs = read_state(hv, be);
		fs = read_state(hv, fe);
		if (bs == be_want && (!fe_want || fs == fe_want))
			break;
		now = pv_now_ms();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		rc = hv->ops->xs_read_watch(hv->h, (int)pv_min_u64(deadline - now, 500),
					    &p, &t);
		free(p);
		free(t);
		if (rc == -ETIMEDOUT)
			rc = 0;
	}
	hv->ops->xs_unwatch(hv->h, bes, "pvctl-dev");
	hv->ops->xs_unwatch(hv->h, fes, "pvctl-dev");
	if (rc == -ETIMEDOUT)
		pv_err_set(err, rc, "%s %u of domain %u: the %s did not reach %s within "
			   "%d ms (backend %s, frontend %s)", kind, devid, domid,
			   bs != be_want ? "backend (dom0's driver)" :
			   "frontend (the guest's driver)",
			   pv_xb_state_name(bs != be_want ? be_want : fe_want),
			   timeout_ms, pv_xb_state_name(bs), pv_xb_state_name(fs));
	else if (rc)
		pv_err_sys(err, rc, "watching %s", bes);
	free(bes);
	free(fes);
	free(be);
	free(fe);
	return rc;
}

int pv_device_wait_connected(struct pv_ctx *ctx, const char *kind,
			     uint32_t domid, uint32_t devid, int timeout_ms,
			     struct pv_err *err)
{
	return wait_states(ctx, kind, domid, devid, PV_XB_CONNECTED,
			   PV_XB_CONNECTED, timeout_ms, err);
}

int pv_device_wait_backend_ready(struct pv_ctx *ctx, const char *kind,
				 uint32_t domid, uint32_t devid, int timeout_ms,
				 struct pv_err *err)
{
	return wait_states(ctx, kind, domid, devid, PV_XB_INITWAIT, 0,
			   timeout_ms, err);
}

/*
 * Releases what dom0 holds for a device: its loop device; its bridge port,
 * or for a vif with a hotplug script, what "SCRIPT offline" undoes.
 */
static void release_host_side(struct pv_ctx *ctx, const char *kind,
			      uint32_t domid, uint32_t devid, const char *be)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_err err;
	char *p, *v;

	pv_err_init(&err);
	if (!strcmp(kind, "vbd")) {
		p = pv_asprintf("%s/node", be);
		v = pv_xs_read_str(hv, PV_XBT_NULL, p);
		if (v && !strncmp(v, "/dev/loop", 9))
			pv_loop_detach(v, &err);
	} else {
		char *b = pv_asprintf("%s/bridge", be);
		char *br = pv_xs_read_str(hv, PV_XBT_NULL, b);
		char *s = pv_asprintf("%s/script", be);
		char *script = pv_xs_read_str(hv, PV_XBT_NULL, s);

		p = pv_asprintf("%s/vifname", be);
		v = pv_xs_read_str(hv, PV_XBT_NULL, p);
		if (script && *script && v)
			pv_vif_run_script(ctx, script, "offline", domid, devid, v, &err);
		else if (br && v)
			pv_bridge_del_port(br, v, &err);
		free(script);
		free(s);
		free(br);
		free(b);
	}
	free(v);
	free(p);
	pv_err_dispose(&err);
}

static void remove_nodes(struct pv_hv *hv, const char *kind, uint32_t domid,
			 uint32_t devid)
{
	struct pv_device_paths p;

	pv_device_paths_init(&p, kind, domid, devid);
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p.fe);
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p.be);
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, p.lx);
	pv_device_paths_dispose(&p);
}

struct closing {
	const char *be;
};

static int closing_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	struct closing *c = arg;
	struct pv_xs_writer w = { hv, t, c->be, PV_BUF_INIT, 0 };

	pv_xs_put(&w, "online", "0");
	pv_xs_put(&w, "state", "%d", PV_XB_CLOSING);
	pv_buf_dispose(&w.path);
	return w.rc;
}

int pv_device_remove(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		     uint32_t devid, bool force, int timeout_ms,
		     struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	char *be = be_path(kind, domid, devid);
	struct closing c = { be };
	int rc = 0;

	if (read_state(hv, be) == PV_XB_UNKNOWN) {
		rc = pv_err_set(err, -ENOENT, "domain %u has no %s %u", domid,
				kind, devid);
		goto out;
	}
	if (!force) {
		/*
		 * Ask the backend to close; it waits for the frontend, which
		 * refuses while the guest uses the device.
		 */
		rc = pv_xs_transaction(hv, closing_tx, &c);
		if (!rc)
			rc = wait_states(ctx, kind, domid, devid, PV_XB_CLOSED, 0,
					 timeout_ms, err);
		if (rc) {
			if (!err->code)
				pv_err_sys(err, rc, "closing %s %u of domain %u",
					   kind, devid, domid);
			pv_buf_puts(&err->msg, "; the guest may still use it "
				    "(--force detaches it anyway)");
			goto out;
		}
	}
	release_host_side(ctx, kind, domid, devid, be);
	remove_nodes(hv, kind, domid, devid);
out:
	free(be);
	return rc;
}

void pv_devices_teardown(struct pv_ctx *ctx, uint32_t domid)
{
	static const char *const kinds[] = { "vbd", "vif" };
	struct pv_hv *hv = &ctx->hv;
	size_t k, i, n;

	for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		char *dir = pv_asprintf("/local/domain/0/backend/%s/%u", kinds[k], domid);
		char **names;

		if (hv->ops->xs_directory(hv->h, PV_XBT_NULL, dir, &names, &n) == 0) {
			for (i = 0; i < n; i++) {
				char *be = pv_asprintf("%s/%s", dir, names[i]);

				release_host_side(ctx, kinds[k], domid,
						  (uint32_t)strtoul(names[i], NULL, 10), be);
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

int pv_device_list(struct pv_ctx *ctx, const char *kind, uint32_t domid,
		   struct pv_device_status **out, size_t *n,
		   struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	char *dir = pv_asprintf("/local/domain/0/backend/%s/%u", kind, domid);
	bool vbd = !strcmp(kind, "vbd");
	struct pv_device_status *st;
	char **names;
	size_t count, i, k = 0;
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
		st[k].devid = (uint32_t)id;
		st[k].backend = pv_asprintf("%s/%s", dir, names[i]);
		fe = fe_path(kind, domid, st[k].devid);
		st[k].be_state = read_state(hv, st[k].backend);
		st[k].fe_state = read_state(hv, fe);
		free(fe);
		st[k].name = read_rel(hv, st[k].backend, vbd ? "dev" : "mac");
		st[k].target = read_rel(hv, st[k].backend, vbd ? "params" : "bridge");
		st[k].detail = read_rel(hv, st[k].backend, vbd ? "mode" : "vifname");
		k++;
	}
	pv_xs_free_names(names, count);
	free(dir);
	*out = st;
	*n = k;
	return 0;
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
	struct pv_device_status *st;
	size_t n, i;
	uint64_t id;
	int rc = pv_device_list(ctx, kind, domid, &st, &n, err);

	if (rc)
		return rc;
	rc = pv_err_set(err, -ENOENT, "domain %u has no %s '%s'", domid,
			!strcmp(kind, "vbd") ? "disk" : "network interface", key);
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
