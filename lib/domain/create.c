/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create.c: building and starting a PV domain.
 *
 * The order follows what the hypervisor, xenstored and the guest need:
 * the empty domain first; its XenStore skeleton (so every later failure
 * has one place to clean up); event channels for the store and console,
 * which the builder writes into start_info; the build itself; the nodes
 * that depend on the build (ring frames); introduction to xenstored,
 * which is what lets the guest's xenbus connect; and last, unpause.
 * Any failure undoes everything in one place (rollback()). A create
 * that is killed undoes nothing: its record (ops.h), written before the
 * domain is made, lets pv_domain_cleanup() do it later.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "kcache.h"
#include "ops.h"
#include "../room.h"
#include "sched.h"
#include "../devices/devices.h"
#include "../../util/uuid.h"
#include "../xs.h"

struct create {
	struct pv_ctx *ctx;
	const struct pv_domain_config *cfg;
	struct pv_err *err;
	uint64_t t0;
	uint32_t domid;
	bool made;		/* the domain exists: destroy on failure */
	bool saved;		/* the config file exists: remove on failure */
	int room_fd;		/* room the autoscale loop holds for us, or -1 */
	struct pv_create_opts opts;
	struct pv_op op;	/* RUN/ops/create.UUID while it is made */
	char *op_name;
};

/* Reports the step just finished with how long it took. */
static void step_report(struct create *c, const char *what)
{
	uint64_t now = pv_now_ms();

	pv_ctx_step(c->ctx, what, now - c->t0);
	c->t0 = now;
}

/*
 * Ends a step: reports it; -EINTR when the create has been interrupted
 * meanwhile (the caller then undoes what was done).
 */
static int step_done(struct create *c, const char *what)
{
	step_report(c, what);
	return pv_ctx_check_interrupted(c->ctx, c->err);
}

static int check_name_free(struct create *c)
{
	uint32_t other;
	struct pv_err ignore;
	int rc;

	pv_err_init(&ignore);
	rc = pv_domain_lookup(c->ctx, c->cfg->name, &other, &ignore);
	if (rc == 0) {
		struct pv_domain_status *st;
		size_t n;

		rc = pv_err_set(c->err, -EEXIST,
				"domain name '%s' is already in use by domain %u",
				c->cfg->name, other);
		/* Say what to do about one a killed pvctl left. */
		if (pv_domain_list(c->ctx, &other, 1, &st, &n, &ignore) == 0) {
			if (n && st[0].incomplete)
				pv_buf_printf(&c->err->msg, " (%s)", st[0].incomplete);
			pv_domain_status_free(st, n);
		}
	} else if (rc == -ESRCH)
		rc = 0;		/* only "no such domain" means the name is free */
	else
		pv_err_set(c->err, rc, "checking whether name '%s' is in use: %s",
			   c->cfg->name, pv_err_msg(&ignore));
	pv_err_dispose(&ignore);
	return rc;
}

static int check_free_memory(struct create *c)
{
	struct pv_hv *hv = &c->ctx->hv;
	struct pv_physinfo pi;
	uint64_t need = c->cfg->memory_mb * 1024;
	int rc = hv->ops->physinfo(hv->h, &pi);

	if (rc)
		return pv_err_sys(c->err, rc, "reading host memory");
	if (pi.free_kb < need)
		return pv_err_set(c->err, -ENOMEM,
				  "not enough free memory for '%s': it needs %llu MiB, "
				  "the host has %llu MiB free",
				  c->cfg->name, (unsigned long long)c->cfg->memory_mb,
				  (unsigned long long)(pi.free_kb / 1024));
	return 0;
}

/*
 * A restore builds the domain from the save file's stream instead of a
 * kernel: libxenguest populates its memory as it was and points its
 * start_info at the new event channels; the file's END record follows.
 */
static int restore(struct create *c, struct pv_layout *l,
		   struct pv_build_req *req)
{
	struct pv_hv *hv = &c->ctx->hv;
	struct pv_build_out out = { 0 };
	char *msg = NULL;
	int rc;

	req->restore = true;
	req->stream_fd = c->opts.restore_fd;
	rc = hv->ops->build_pv(hv->h, l->domid, req, &out, &msg);
	if (rc) {
		pv_err_set(c->err, rc, "restoring domain '%s': %s", c->cfg->name,
			   msg ? msg : strerror(-rc));
		free(msg);
		return rc;
	}
	rc = pv_savefile_read_end(c->opts.restore_fd, c->err);
	if (rc)
		return rc;
	l->store_mfn = out.store_mfn;
	l->console_mfn = out.console_mfn;
	return step_done(c, "restore memory and vCPUs");
}

static int build(struct create *c, struct pv_layout *l)
{
	struct pv_hv *hv = &c->ctx->hv;
	struct pv_build_req req = {
		.kernel_path = l->kernel,
		.ramdisk_path = l->ramdisk,
		.cmdline = l->cmdline ? l->cmdline : "",
		.memory_kb = l->memory_kb,
		.maxmem_kb = pv_domain_mem_limit_kb(l->memory_kb),
		.static_max_kb = l->maxmem_kb,
		.max_vcpus = l->maxvcpus,
	};
	struct pv_build_out out = { 0 };
	struct pv_kcache kc;
	char *msg = NULL;
	int rc;

	rc = hv->ops->evtchn_alloc_unbound(hv->h, l->domid, 0, &l->store_port);
	if (!rc)
		rc = hv->ops->evtchn_alloc_unbound(hv->h, l->domid, 0,
						   &l->console_port);
	if (rc)
		return pv_err_sys(c->err, rc, "allocating event channels");
	req.store_port = l->store_port;
	req.console_port = l->console_port;
	if (c->opts.restore_fd >= 0)
		return restore(c, l, &req);
	/*
	 * A kernel a bootloader took from the guest's disk is the guest's
	 * doing: it is never cached, so that it cannot stand in for a
	 * kernel another guest boots.
	 */
	if (c->cfg->bootloader)
		memset(&kc, 0, sizeof(kc));
	else
		pv_kcache_open(c->ctx, l->kernel, &kc);
	/* On a miss too: the builder unpacks exactly the bytes hashed. */
	if (kc.mem) {
		req.kernel_mem = kc.mem;
		req.kernel_size = kc.size;
		req.want_unpacked = !kc.hit;
		step_report(c, kc.hit ? "kernel cache: hit" : "kernel cache: miss");
	}
	rc = hv->ops->build_pv(hv->h, l->domid, &req, &out, &msg);
	if (out.unpacked)
		pv_kcache_store(c->ctx, &kc, out.unpacked, out.unpacked_size);
	free(out.unpacked);
	pv_kcache_close(&kc);
	if (rc) {
		pv_err_set(c->err, rc, "building domain from kernel %s: %s",
			   l->kernel, msg ? msg : strerror(-rc));
		free(msg);
		return rc;
	}
	l->store_mfn = out.store_mfn;
	l->console_mfn = out.console_mfn;
	pv_ctx_step(c->ctx, "build: load kernel and ramdisk", out.timings_ms[0]);
	pv_ctx_step(c->ctx, "build: parse image, allocate memory", out.timings_ms[1]);
	pv_ctx_step(c->ctx, "build: build and boot image", out.timings_ms[2]);
	c->t0 = pv_now_ms();
	return 0;
}

/*
 * cpus= and cpus_soft=, as xl applies them: every vCPU's hard and soft
 * affinity, set before the build allocates the guest's memory, which
 * Xen then takes from the NUMA nodes of those CPUs.
 */
static int pin_vcpus(struct create *c, uint32_t domid)
{
	const struct pv_domain_config *cfg = c->cfg;
	int rc;

	if (!cfg->cpus && !cfg->cpus_soft)
		return 0;
	rc = pv_domain_set_vcpu_affinity(c->ctx, domid, -1, cfg->cpus,
					 cfg->cpus_soft, c->err);
	return rc ? rc : step_done(c, "pin vCPUs");
}

/*
 * nomigrate = 1: what Xen is told (a CPUID policy that shows the
 * invariant TSC), before the build and before the guest first runs,
 * when Xen still takes a policy. Save and migrate read the kept config.
 */
static int set_nomigrate(struct create *c, uint32_t domid)
{
	struct pv_hv *hv = &c->ctx->hv;
	int rc;

	if (!c->cfg->nomigrate)
		return 0;
	rc = hv->ops->domain_set_nomigrate(hv->h, domid);
	if (rc)
		return pv_err_sys(c->err, rc, "setting domain %u's CPUID policy "
				  "for nomigrate", domid);
	return step_done(c, "nomigrate");
}

/*
 * cpu_weight= and cap=, in the scheduler the domain runs in (credit or
 * credit2: both have them); any other scheduler has neither, and the
 * config is refused rather than its share dropped.
 */
static int set_sched(struct create *c, uint32_t domid)
{
	const struct pv_domain_config *cfg = c->cfg;
	struct pv_sched_credit p = { cfg->cpu_weight, cfg->cap };
	int rc;

	if (!cfg->cpu_weight && !cfg->cap)
		return 0;
	rc = pv_domain_sched_set(c->ctx, domid, 0, &p, c->err);
	return rc ? rc : step_done(c, "scheduler weight and cap");
}

static void rollback(struct create *c)
{
	struct pv_hv *hv = &c->ctx->hv;

	if (c->saved)
		pv_domain_config_forget(c->ctx, c->domid);
	if (c->made) {
		hv->ops->domain_destroy(hv->h, c->domid);
		pv_devices_teardown(c->ctx, c->domid);
		pv_layout_remove(c->ctx, c->domid);
	}
}

/*
 * The config's disks and vifs, before the guest runs: its kernel finds
 * them when it starts. Connecting is the guest's business; the backends
 * are ready when this returns (loop device, bridge port, and blkback
 * waiting for the frontend: PVGRUB2 looks for disks only once).
 */
static int add_devices(struct create *c, uint32_t domid)
{
	const struct pv_domain_config *cfg = c->cfg;
	uint32_t *vbds = pv_calloc(cfg->ndisks + 1, sizeof(*vbds)), devid;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->ndisks && !rc; i++)
		rc = pv_vbd_add(c->ctx, domid, &cfg->disks[i], &vbds[i], c->err);
	for (i = 0; i < cfg->nvifs && !rc; i++)
		rc = pv_vif_add(c->ctx, domid, &cfg->vifs[i], &devid, c->err);
	for (i = 0; i < cfg->ndisks && !rc; i++)
		rc = pv_device_wait_backend_ready(c->ctx, "vbd", domid, vbds[i],
						  10000, c->err);
	free(vbds);
	if (!rc && (cfg->ndisks || cfg->nvifs))
		rc = step_done(c, "add devices");
	return rc;
}

static int create_locked(struct create *c, const uint8_t uuid[16],
			 struct pv_layout *l)
{
	struct pv_hv *hv = &c->ctx->hv;
	const struct pv_create_limits lim = {
		.max_grant_frames = c->cfg->max_grant_frames,
		.max_maptrack_frames = c->cfg->max_maptrack_frames,
		/* A config made by other means may leave it 0: libxl's 1023. */
		.max_evtchn_port = c->cfg->max_event_channels ?
				   c->cfg->max_event_channels : 1023,
	};
	int rc;

	rc = check_name_free(c);
	if (!rc)
		rc = check_free_memory(c);
	if (rc)
		return rc;
	/* The domain is found by its UUID until the record has its ID. */
	pv_op_set(&c->op, "op", "%s", c->opts.restore_fd >= 0 ? "restore" : "create");
	pv_op_set(&c->op, "uuid", "%s", l->uuid);
	pv_op_set(&c->op, "name", "%s", c->cfg->name);
	rc = pv_op_begin(c->ctx, &c->op, c->op_name, c->err);
	if (rc)
		return rc;
	rc = hv->ops->domain_create(hv->h, uuid, l->maxvcpus, &lim, &l->domid);
	if (rc)
		return pv_err_sys(c->err, rc, "creating domain '%s'", c->cfg->name);
	c->domid = l->domid;
	c->made = true;
	pv_op_set(&c->op, "domid", "%u", l->domid);
	rc = pv_op_write(&c->op, c->err);
	if (!rc)
		rc = step_done(c, "create domain");
	if (!rc)
		rc = pin_vcpus(c, l->domid);
	if (!rc)
		rc = set_nomigrate(c, l->domid);
	if (!rc)
		rc = set_sched(c, l->domid);
	if (!rc)
		rc = pv_layout_write_skeleton(c->ctx, l, c->err);
	if (!rc)
		rc = step_done(c, "write XenStore skeleton");
	if (rc)
		return rc;
	rc = build(c, l);
	pv_room_release(&c->room_fd);	/* the domain holds its memory now */
	if (rc)
		return rc;
	rc = pv_layout_write_post_build(c->ctx, l, c->err);
	if (rc)
		return rc;
	rc = pv_domain_config_save(c->ctx, l->domid, l->uuid, c->cfg, c->err);
	if (rc)
		return rc;
	c->saved = true;
	rc = hv->ops->xs_introduce(hv->h, l->domid, l->store_mfn, l->store_port);
	if (rc)
		return pv_err_sys(c->err, rc, "introducing domain %u to xenstored",
				  l->domid);
	rc = step_done(c, "write XenStore nodes, introduce");
	if (!rc)
		rc = add_devices(c, l->domid);
	if (rc)
		return rc;
	if (c->opts.paused)
		return 0;
	rc = hv->ops->domain_unpause(hv->h, l->domid);
	if (rc)
		return pv_err_sys(c->err, rc, "unpausing domain %u", l->domid);
	step_report(c, "unpause");	/* running: too late to interrupt */
	return 0;
}

int pv_domain_create(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
		     uint32_t *domid, struct pv_err *err)
{
	return pv_domain_create_opts(ctx, cfg, NULL, domid, err);
}

int pv_domain_create_opts(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
			  const struct pv_create_opts *opts, uint32_t *domid,
			  struct pv_err *err)
{
	struct create c = { ctx, cfg, err, pv_now_ms(), 0, false, false, -1,
			    { .restore_fd = -1 }, { 0 }, NULL };
	char uuid_text[PV_UUID_STRLEN + 1];
	struct pv_boot boot = { 0 };
	uint8_t uuid[16];
	struct pv_layout l = {
		.name = cfg->name,
		.uuid = uuid_text,
		.kernel = cfg->kernel,
		.ramdisk = cfg->ramdisk,
		.cmdline = cfg->cmdline,
		.memory_kb = cfg->memory_mb * 1024,
		.maxmem_kb = cfg->maxmem_mb * 1024,
		.vcpus = cfg->vcpus,
		.maxvcpus = cfg->maxvcpus,
	};
	int rc;

	if (opts)
		c.opts = *opts;
	/* The parsers fill these in; a config made by other means must too. */
	if (!cfg->memory_mb || cfg->maxmem_mb < cfg->memory_mb ||
	    !cfg->vcpus || cfg->maxvcpus < cfg->vcpus)
		return pv_err_set(err, -EINVAL, "config of '%s': memory, maxmem, "
				  "vcpus or maxvcpus unset or inconsistent",
				  cfg->name);
	if (cfg->uuid)
		rc = pv_uuid_parse(cfg->uuid, uuid);
	else
		rc = pv_uuid_generate(uuid);
	if (rc)
		return pv_err_set(err, rc, "bad or unobtainable uuid");
	pv_uuid_format(uuid, uuid_text);
	pv_op_init(&c.op);
	c.op_name = pv_asprintf("create.%s", uuid_text);

	/*
	 * Before the lock, the slow parts that need no domain yet: the
	 * bootloader, and room for the guest from the autoscale loop if one
	 * runs (it holds the memory for us and makes room if need be), so
	 * that a destroy, which frees memory, is not kept waiting. The name
	 * is checked first: a create bound to fail does neither.
	 */
	rc = check_name_free(&c);
	/* A restore has its kernel in memory already. */
	if (!rc && cfg->bootloader && c.opts.restore_fd < 0) {
		rc = pv_bootloader_run(ctx, cfg, &boot, err);
		if (!rc) {
			l.kernel = boot.kernel;
			l.ramdisk = boot.ramdisk;
			l.cmdline = boot.cmdline;
			rc = step_done(&c, "bootloader");
		}
	}
	if (!rc)
		rc = pv_room_reserve(ctx, cfg->name, l.memory_kb, &c.room_fd, err);
	if (!rc && c.room_fd >= 0)
		rc = step_done(&c, "room held by the autoscale loop");
	if (!rc)
		rc = pv_lock(ctx, err);
	if (!rc) {
		rc = create_locked(&c, uuid, &l);
		if (rc)
			rollback(&c);
		pv_op_end(&c.op);	/* made, or undone */
		pv_unlock(ctx);
	}
	pv_room_release(&c.room_fd);
	pv_boot_cleanup(&boot);
	free(c.op_name);
	if (!rc)
		*domid = l.domid;
	return rc;
}
