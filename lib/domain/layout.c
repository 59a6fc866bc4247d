/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout.c: the XenStore nodes a PV domain needs, with the permissions
 * Xen's own toolstack gives them.
 *
 * Two rules decide permissions. Nodes the toolstack controls belong to
 * dom0 and are only readable by the guest ("ro"): the guest must not
 * change its name, memory target or vCPU availability. Nodes where the
 * guest's drivers and agents report back are owned by the guest ("rw"):
 * control/shutdown (the guest acknowledges a request by clearing it),
 * the control/feature-* flags its kernel sets, data/ for agents, and so on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "../xs.h"

/* Guest-writable nodes under /local/domain/ID, as libxl creates them. */
static const char *const guest_rw_nodes[] = {
	"control/shutdown",
	"control/feature-poweroff",
	"control/feature-reboot",
	"control/feature-suspend",
	"control/sysrq",
	"data",
	"drivers",
	"feature",
	"attr",
	"error",
	"device/suspend/event-channel",
};

/* dom0-owned directories the guest may read. */
static const char *const guest_ro_dirs[] = {
	"cpu", "memory", "device", "control", "store", "console",
};

struct skel {
	struct pv_ctx *ctx;
	const struct pv_layout *l;
	struct pv_err *err;
};

/* A dom0-owned node the guest may read. */
static void dir_ro(struct pv_xs_writer *w, const char *sub, uint32_t domid)
{
	const struct pv_xs_perm ro[] = {
		{ 0, PV_XS_PERM_NONE }, { domid, PV_XS_PERM_READ },
	};

	pv_xs_writer_mkdir(w, sub, ro, 2);
}

/* A node owned by the guest; dom0 keeps full access by privilege. */
static void dir_rw(struct pv_xs_writer *w, const char *sub, uint32_t domid)
{
	const struct pv_xs_perm rw[] = { { domid, PV_XS_PERM_NONE } };

	pv_xs_writer_mkdir(w, sub, rw, 1);
}

static int write_skeleton(struct pv_hv *hv, pv_xbt t, void *arg)
{
	struct skel *s = arg;
	const struct pv_layout *l = s->l;
	char *vm = pv_asprintf("/vm/%s", l->uuid);
	char *dom = pv_xs_dom_path(l->domid, NULL);
	struct pv_xs_writer w;
	size_t i;
	int rc;

	pv_xs_writer_init(&w, hv, t, "");
	/* Paths join base and sub with '/': from base "", +1 skips the first. */
	dir_ro(&w, dom + 1, l->domid);
	dir_ro(&w, vm + 1, l->domid);
	w.base = vm;
	pv_xs_put(&w, "uuid", "%s", l->uuid);
	pv_xs_put(&w, "name", "%s", l->name);
	pv_xs_put(&w, "start_time", "%lld", (long long)time(NULL));
	pv_xs_put(&w, "image/ostype", "linux");
	pv_xs_put(&w, "image/kernel", "%s", l->kernel ? l->kernel : "");
	pv_xs_put(&w, "image/ramdisk", "%s", l->ramdisk ? l->ramdisk : "");
	pv_xs_put(&w, "image/cmdline", "%s", l->cmdline ? l->cmdline : "");
	w.base = dom;
	for (i = 0; i < sizeof(guest_ro_dirs) / sizeof(*guest_ro_dirs); i++)
		dir_ro(&w, guest_ro_dirs[i], l->domid);
	for (i = 0; i < sizeof(guest_rw_nodes) / sizeof(*guest_rw_nodes); i++)
		dir_rw(&w, guest_rw_nodes[i], l->domid);
	pv_xs_put(&w, "vm", "%s", vm);
	pv_xs_put(&w, "name", "%s", l->name);
	pv_xs_put(&w, "domid", "%u", l->domid);
	/* What the toolstack offers the guest (dom0's, read-only to it). */
	pv_xs_put(&w, "control/platform-feature-multiprocessor-suspend", "1");
	pv_xs_put(&w, "control/platform-feature-xs_reset_watches", "1");
	rc = pv_xs_writer_done(&w, s->err);
	free(dom);
	free(vm);
	return rc;
}

int pv_layout_write_skeleton(struct pv_ctx *ctx, const struct pv_layout *l,
			     struct pv_err *err)
{
	struct skel s = { ctx, l, err };
	int rc = pv_xs_transaction(&ctx->hv, write_skeleton, &s);

	return rc ? pv_err_sys(err, rc, "writing the XenStore skeleton of domain %u",
			       l->domid) : 0;
}

/*
 * The console as a device, as libxl describes it: a backend node in
 * dom0's tree and links both ways, which Xen's tools (xl console, and
 * xenconsoled's device-aware paths) expect to find. The primary PV
 * console itself runs on the ring above, without a xenbus handshake.
 */
static void write_console_device(struct pv_xs_writer *w, const struct pv_layout *l)
{
	const struct pv_xs_perm be_ro[] = {
		{ 0, PV_XS_PERM_NONE }, { l->domid, PV_XS_PERM_READ },
	};
	const struct pv_xs_perm guest_owned[] = {
		{ l->domid, PV_XS_PERM_NONE }, { 0, PV_XS_PERM_READ },
	};
	const char *dom = w->base;
	char *be = pv_xs_dom_path(0, "backend/console/%u/0", l->domid);
	char *fe = pv_xs_dom_path(l->domid, "console");

	w->base = "";
	pv_xs_writer_mkdir(w, be + 1, be_ro, 2);
	w->base = be;
	pv_xs_put(w, "frontend", "%s", fe);
	pv_xs_put(w, "frontend-id", "%u", l->domid);
	pv_xs_put(w, "online", "1");
	pv_xs_put(w, "state", "1");
	pv_xs_put(w, "protocol", "vt100");
	w->base = dom;
	pv_xs_put(w, "console/backend", "%s", be);
	pv_xs_put(w, "console/backend-id", "0");
	pv_xs_writer_perms(w, "console/backend-id", guest_owned, 2);
	free(fe);
	free(be);
}

/*
 * After the build: what the guest's kernel and xenconsoled read. The
 * balloon driver reads memory/target (and static-max); each vCPU's
 * hotplug state is cpu/N/availability; xenconsoled maps the console ring
 * from console/ring-ref and binds console/port once it sees the domain
 * introduced, and logs under the domain's name.
 */
static int write_post_build(struct pv_hv *hv, pv_xbt t, void *arg)
{
	struct skel *s = arg;
	const struct pv_layout *l = s->l;
	char *dom = pv_xs_dom_path(l->domid, NULL);
	struct pv_xs_writer w;
	char sub[40];
	unsigned int i;
	int rc;

	pv_xs_writer_init(&w, hv, t, dom);
	pv_xs_put(&w, "memory/static-max", "%llu", (unsigned long long)l->maxmem_kb);
	pv_xs_put(&w, "memory/target", "%llu", (unsigned long long)l->memory_kb);
	pv_xs_put(&w, "memory/videoram", "0");
	for (i = 0; i < l->maxvcpus; i++) {
		snprintf(sub, sizeof(sub), "cpu/%u/availability", i);
		pv_xs_put(&w, sub, "%s", i < l->vcpus ? "online" : "offline");
	}
	pv_xs_put(&w, "store/port", "%u", l->store_port);
	pv_xs_put(&w, "store/ring-ref", "%llu", (unsigned long long)l->store_mfn);
	pv_xs_put(&w, "console/port", "%u", l->console_port);
	pv_xs_put(&w, "console/ring-ref", "%llu", (unsigned long long)l->console_mfn);
	pv_xs_put(&w, "console/limit", "%u", 1048576);
	pv_xs_put(&w, "console/type", "xenconsoled");
	pv_xs_put(&w, "console/output", "pty");
	write_console_device(&w, l);
	rc = pv_xs_writer_done(&w, s->err);
	free(dom);
	return rc;
}

int pv_layout_write_post_build(struct pv_ctx *ctx, const struct pv_layout *l,
			       struct pv_err *err)
{
	struct skel s = { ctx, l, err };
	int rc = pv_xs_transaction(&ctx->hv, write_post_build, &s);

	return rc ? pv_err_sys(err, rc, "writing the XenStore nodes of domain %u",
			       l->domid) : 0;
}

void pv_layout_remove(struct pv_ctx *ctx, uint32_t domid)
{
	struct pv_hv *hv = &ctx->hv;
	static const char *const backends[] = { "vbd", "vif", "console" };
	char *dom = pv_xs_dom_path(domid, NULL);
	char *vmlink = pv_xs_dom_path(domid, "vm");
	char *vm = pv_xs_read_str(hv, PV_XBT_NULL, vmlink), *libxl, *backend;
	size_t i;

	/* Follow only a vm link of the form we write: /vm/UUID. */
	if (vm && strncmp(vm, "/vm/", 4) == 0 && !strchr(vm + 4, '/'))
		hv->ops->xs_rm(hv->h, PV_XBT_NULL, vm);
	for (i = 0; i < sizeof(backends) / sizeof(*backends); i++) {
		char *be = pv_xs_dom_path(0, "backend/%s/%u", backends[i], domid);

		hv->ops->xs_rm(hv->h, PV_XBT_NULL, be);
		free(be);
	}
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, dom);
	libxl = pv_asprintf("/libxl/%u", domid);	/* xl's view of our devices */
	hv->ops->xs_rm(hv->h, PV_XBT_NULL, libxl);
	free(libxl);
	/*
	 * The backend class directories are shared by all domains: remove
	 * them once empty (checked and removed in one transaction, so that a
	 * device another toolstack adds meanwhile is not lost).
	 */
	for (i = 0; i < sizeof(backends) / sizeof(*backends); i++) {
		char *be = pv_xs_dom_path(0, "backend/%s", backends[i]);

		pv_xs_transaction(hv, pv_xs_rm_if_empty, be);
		free(be);
	}
	backend = pv_xs_dom_path(0, "backend");
	pv_xs_transaction(hv, pv_xs_rm_if_empty, backend);
	free(backend);
	free(vm);
	free(vmlink);
	free(dom);
}
