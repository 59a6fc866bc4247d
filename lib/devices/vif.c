/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vif.c: network interfaces, served by dom0's netback to the guest's
 * netfront.
 *
 * netback creates vifDOMID.DEVID when it sees the backend node, then
 * waits for "hotplug-status" = "connected" before it lets the frontend
 * connect: that is the moment the interface is up and on its bridge,
 * which Xen's vif-bridge script would do and pvctl does itself. A vif
 * with script= gets that script instead, run as libxl runs it.
 *
 * vifname= names the interface in dom0: as libxl, pvctl writes it to
 * the backend's "vifname" and renames netback's vifDOMID.DEVID to it
 * before bringing it up (Xen's vif scripts do the rename themselves,
 * from that node: vif-common.sh).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices.h"
#include "hostdev.h"
#include "../../util/run.h"
#include "../xs.h"

#define DEFAULT_BRIDGE "xenbr0"
#define VIF_APPEAR_MS 15000
#define XEN_SCRIPT_DIR "/etc/xen/scripts"
#define SCRIPT_TIMEOUT_MS 10000

uint32_t pv_vif_next_devid(struct pv_ctx *ctx, uint32_t domid)
{
	struct pv_device_status *st;
	struct pv_err err;
	uint32_t next = 0;
	size_t n, i;

	pv_err_init(&err);
	if (pv_device_list(ctx, pv_vif_kind.name, domid, &st, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			if (st[i].devid >= next)
				next = st[i].devid + 1;
		pv_device_status_free(st, n);
	}
	pv_err_dispose(&err);
	return next;
}

/*
 * A stable MAC in Xen's OUI (00:16:3e): the same domain UUID and device
 * index give the same address on every boot, so DHCP leases and
 * firewall rules keep working. The first octet after the OUI has its top
 * bit clear, as libxl does, to leave room for addresses made elsewhere.
 */
static void make_mac(const uint8_t uuid[16], uint32_t devid, char out[18])
{
	uint8_t seed[20];
	uint64_t h;

	memcpy(seed, uuid, 16);
	memcpy(seed + 16, &devid, 4);
	h = pv_hash64(seed, sizeof(seed));
	snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", (unsigned int)(h & 0x7f),
		 (unsigned int)(h >> 8 & 0xff), (unsigned int)(h >> 16 & 0xff));
}

struct vif {
	uint32_t domid, devid;
	const struct pv_vif_spec *v;
	const char *mac, *bridge;
	char *script;		/* its absolute path, or NULL: pvctl plugs it */
	char ifname[IFNAMSIZ];	/* netback's name for it: vifDOMID.DEVID */
	const char *name;	/* its name once plugged (vifname=, or ifname) */
};

/* The backend's keys, written to the backend node and to xl's copy. */
static void backend_keys(struct pv_xs_writer *w, const struct pv_device_paths *p,
			 const void *dev)
{
	const struct vif *x = dev;
	uint64_t bytes;
	uint32_t us;

	pv_xs_put(w, "frontend", "%s", p->fe);
	pv_xs_put(w, "frontend-id", "%u", x->domid);
	pv_xs_put(w, "online", "1");
	pv_xs_put(w, "state", "%d", PV_XB_INITIALISING);
	pv_xs_put(w, "handle", "%u", x->devid);
	pv_xs_put(w, "mac", "%s", x->mac);
	pv_xs_put(w, "bridge", "%s", x->bridge);
	pv_xs_put(w, "type", "vif");
	/*
	 * netback refuses a backend without "script" (it hands it to the
	 * hotplug uevent). Empty: pvctl does the script's work itself.
	 */
	pv_xs_put(w, "script", "%s", x->script ? x->script : "");
	pv_xs_put(w, "vifname", "%s", x->name);
	if (x->v->ip)
		pv_xs_put(w, "ip", "%s", x->v->ip);
	if (x->v->mtu)
		pv_xs_put(w, "mtu", "%llu", (unsigned long long)x->v->mtu);
	/* netback's credit scheduler: "BYTES,MICROSECONDS", as libxl writes it */
	if (x->v->rate && !pv_vif_rate_parse(x->v->rate, &bytes, &us))
		pv_xs_put(w, "rate", "%llu,%u", (unsigned long long)bytes, us);
}

/* What netfront reads besides backend and state. */
static void frontend_keys(struct pv_xs_writer *w, const void *dev)
{
	const struct vif *x = dev;

	pv_xs_put(w, "handle", "%u", x->devid);
	pv_xs_put(w, "mac", "%s", x->mac);
}

/*
 * A vif's hotplug script: "SCRIPT online|offline type_if=vif", as libxl
 * runs it; an error unless it exits 0 within 10 s.
 */
static int run_script(const char *script, const char *action, uint32_t domid,
		      uint32_t devid, const char *ifname, struct pv_err *err)
{
	return pv_hotplug_run(script, action, "vif", domid, devid, ifname, ifname,
			      SCRIPT_TIMEOUT_MS, err);
}

/*
 * The script's work, done by its script: it must say "connected" in
 * @hs, where netback waits for it before it connects the frontend.
 */
static int plug_by_script(struct pv_ctx *ctx, const struct vif *x,
			  const char *hs, struct pv_err *err)
{
	char *st = NULL;
	int rc;

	rc = pv_netif_wait(x->ifname, VIF_APPEAR_MS, err);
	if (!rc)
		rc = run_script(x->script, "online", x->domid, x->devid,
				x->ifname, err);
	if (!rc) {
		st = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, hs);
		if (!st || strcmp(st, "connected"))
			rc = pv_err_set(err, -EIO, "%s online for %s did not set "
					"hotplug-status to connected (it is %s)",
					x->script, x->name, st ? st : "unset");
	}
	free(st);
	return rc;
}

/* Up, on the bridge, then tell netback (hotplug-status) it may connect. */
static int plug(struct pv_ctx *ctx, const struct pv_device_paths *p, void *dev,
		struct pv_err *err)
{
	const struct vif *x = dev;
	char *hs = pv_asprintf("%s/hotplug-status", p->be);
	int rc;

	if (x->script) {
		rc = plug_by_script(ctx, x, hs, err);
		goto out;
	}
	rc = pv_netif_wait(x->ifname, VIF_APPEAR_MS, err);
	/* While it is down: Linux renames no interface that is up. */
	if (!rc && strcmp(x->name, x->ifname))
		rc = pv_netif_rename(x->ifname, x->name, err);
	if (!rc)
		rc = pv_netif_set_up(x->name, err);
	if (!rc)
		rc = pv_bridge_add_port(x->bridge, x->name, err);
	if (rc)
		goto out;
	rc = pv_xs_write_str(&ctx->hv, PV_XBT_NULL, hs, "connected");
	if (rc)
		pv_err_sys(err, rc, "writing %s", hs);
out:
	free(hs);
	return rc;
}

/*
 * What "SCRIPT offline" undoes for a vif with a hotplug script, or its
 * bridge port.
 */
static void release(struct pv_ctx *ctx, uint32_t domid, uint32_t devid,
		    const char *be)
{
	char *b = pv_asprintf("%s/bridge", be);
	char *s = pv_asprintf("%s/script", be);
	char *n = pv_asprintf("%s/vifname", be);
	char *bridge = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, b);
	char *script = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, s);
	char *ifname = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, n);
	struct pv_err err;

	pv_err_init(&err);
	if (script && *script && ifname)
		run_script(script, "offline", domid, devid, ifname, &err);
	else if (bridge && ifname)
		pv_bridge_del_port(bridge, ifname, &err);
	pv_err_dispose(&err);
	free(ifname);
	free(script);
	free(bridge);
	free(n);
	free(s);
	free(b);
}

int pv_vif_add(struct pv_ctx *ctx, uint32_t domid,
	       const struct pv_vif_spec *v, uint32_t *devid,
	       struct pv_err *err)
{
	struct vif x = { .domid = domid, .v = v };
	struct pv_dominfo info;
	char mac[18], *what;
	int rc;

	rc = pv_vif_spec_supported(v, err);
	if (rc)
		return rc;
	x.devid = pv_vif_next_devid(ctx, domid);
	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", domid);
	if (v->mac) {
		x.mac = v->mac;
	} else {
		make_mac(info.uuid, x.devid, mac);
		x.mac = mac;
	}
	x.bridge = v->bridge ? v->bridge : DEFAULT_BRIDGE;
	if (v->script && *v->script)
		x.script = v->script[0] == '/' ? pv_strdup(v->script) :
			   pv_asprintf("%s/%s", XEN_SCRIPT_DIR, v->script);
	if (x.script && access(x.script, X_OK)) {
		rc = pv_err_sys(err, -errno, "vif script %s", x.script);
		free(x.script);
		return rc;
	}
	snprintf(x.ifname, sizeof(x.ifname), "vif%u.%u", domid, x.devid);
	x.name = v->vifname ? v->vifname : x.ifname;
	what = pv_asprintf("vif %u", x.devid);
	rc = pv_device_add(ctx, &pv_vif_kind, domid, x.devid, what, &x, err);
	if (!rc)
		*devid = x.devid;
	free(what);
	free(x.script);
	return rc;
}

static int attach(struct pv_ctx *ctx, uint32_t domid, const char *spec,
		  uint32_t *devid, bool *bad_spec, struct pv_err *err)
{
	struct pv_vif_spec v;
	int rc;

	pv_vif_spec_init(&v);
	rc = pv_vif_spec_parse(spec, &v, err);
	*bad_spec = rc != 0;
	if (!rc)
		rc = pv_vif_add(ctx, domid, &v, devid, err);
	pv_vif_spec_dispose(&v);
	return rc;
}

const struct pv_device_kind pv_vif_kind = {
	.name = "vif",
	.be_kind = "vif",
	.fe_kind = "vif",
	.noun = "network interface",
	.cols = {
		.name = { "Mac", "mac", "mac" },
		.detail = { "Interface", "interface", "vifname" },
		.target = { "Bridge", "bridge", "bridge" },
	},
	.attach = attach,
	.backend_keys = backend_keys,
	.frontend_keys = frontend_keys,
	.plug = plug,
	.release = release,
};
