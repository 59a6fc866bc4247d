/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv_xen.c: the hypervisor interface on real Xen: libxenctrl for domains,
 * libxenguest's domain builder for PV kernels; its XenStore half, on
 * libxenstore, is hv_xenstore.c.
 *
 * Only these two files include Xen's headers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenguest.h>
#include <xenstore.h>

#include "hv_xen_i.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static void capture_vmessage(xentoollog_logger *lg, xentoollog_level level,
			     int errnoval, const char *context,
			     const char *format, va_list al)
{
	struct capture_logger *cl = (struct capture_logger *)lg;

	if (level < XTL_ERROR)
		return;
	/*
	 * Every error since the operation began (it resets the buffer): the
	 * first says why, the last (libxenguest's "Save failed") only that.
	 */
	if (cl->last.len > 2000)
		return;
	if (cl->last.len)
		pv_buf_puts(&cl->last, "; ");
	pv_buf_vprintf(&cl->last, format, al);
	if (errnoval > 0)
		pv_buf_printf(&cl->last, ": %s", strerror(errnoval));
}

static void capture_progress(xentoollog_logger *lg, const char *context,
			     const char *doing_what, int percent,
			     unsigned long done, unsigned long total)
{
	struct capture_logger *cl = (struct capture_logger *)lg;

	if (cl->sent)
		cl->sent(cl->sent_arg, (uint64_t)done * XC_PAGE_SIZE);
}

static void capture_destroy(xentoollog_logger *lg)
{
}

/* --- hypervisor --- */

static int x_physinfo(void *h, struct pv_physinfo *pi)
{
	struct xen *x = h;
	xc_physinfo_t p = { 0 };
	xen_extraversion_t extra;
	xen_capabilities_info_t caps;
	int ver;

	if (xc_physinfo(x->xch, &p))
		return neg_errno();
	ver = xc_version(x->xch, XENVER_version, NULL);
	if (ver < 0)
		return neg_errno();
	memset(pi, 0, sizeof(*pi));
	pi->nr_cpus = p.nr_cpus;
	pi->nr_nodes = p.nr_nodes;
	pi->cpu_mhz = p.cpu_khz / 1000;
	pi->total_kb = p.total_pages * (XC_PAGE_SIZE / 1024);
	pi->free_kb = p.free_pages * (XC_PAGE_SIZE / 1024);
	pi->xen_major = (unsigned int)ver >> 16;
	pi->xen_minor = (unsigned int)ver & 0xffff;
	if (!xc_version(x->xch, XENVER_extraversion, &extra))
		snprintf(pi->xen_extra, sizeof(pi->xen_extra), "%.31s", extra);
	if (!xc_version(x->xch, XENVER_capabilities, &caps))
		snprintf(pi->xen_caps, sizeof(pi->xen_caps), "%.127s", caps);
	return 0;
}

static int x_domain_create(void *h, const uint8_t uuid[16],
			   unsigned int max_vcpus,
			   const struct pv_create_limits *lim, uint32_t *domid)
{
	struct xen *x = h;
	struct xen_domctl_createdomain cfg = {
		.ssidref = 0,
		.flags = 0,			/* x86 PV: no HVM, no HAP */
		.max_vcpus = max_vcpus,
		.max_evtchn_port = lim ? lim->max_evtchn_port : 1023,
		/* -1: the hypervisor's defaults (gnttab_max_*frames=), as xl */
		.max_grant_frames = lim ? lim->max_grant_frames : -1,
		.max_maptrack_frames = lim ? lim->max_maptrack_frames : -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};

	memcpy(cfg.handle, uuid, sizeof(cfg.handle));
	*domid = 0;	/* 0 asks Xen to pick the next free ID */
	if (xc_domain_create(x->xch, domid, &cfg))
		return neg_errno();
	/*
	 * Xen 4.17 still allocates the vCPUs themselves in this separate call
	 * (with the same count); without it the builder cannot set vCPU 0's
	 * context.
	 */
	if (xc_domain_max_vcpus(x->xch, *domid, max_vcpus)) {
		int rc = neg_errno();

		xc_domain_destroy(x->xch, *domid);
		return rc;
	}
	return 0;
}

static int x_domain_destroy(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xc_domain_destroy(x->xch, domid) ? neg_errno() : 0;
}

static int x_domain_pause(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xc_domain_pause(x->xch, domid) ? neg_errno() : 0;
}

static int x_domain_unpause(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xc_domain_unpause(x->xch, domid) ? neg_errno() : 0;
}

static int x_domain_shutdown(void *h, uint32_t domid, unsigned int reason)
{
	struct xen *x = h;

	return xc_domain_shutdown(x->xch, domid, (int)reason) ? neg_errno() : 0;
}

static void fill_info(const xc_domaininfo_t *d, struct pv_dominfo *info)
{
	const uint64_t kb = XC_PAGE_SIZE / 1024;

	memset(info, 0, sizeof(*info));
	info->domid = d->domain;
	memcpy(info->uuid, d->handle, sizeof(info->uuid));
	info->cur_kb = d->tot_pages * kb;
	info->max_kb = d->max_pages == UINT64_MAX ? UINT64_MAX : d->max_pages * kb;
	info->outstanding_kb = d->outstanding_pages * kb;
	info->cpu_time_ns = d->cpu_time;
	info->online_vcpus = d->nr_online_vcpus;
	info->max_vcpu_id = d->max_vcpu_id;
	info->dying = d->flags & XEN_DOMINF_dying;
	info->hvm = d->flags & XEN_DOMINF_hvm_guest;
	info->shutdown = d->flags & XEN_DOMINF_shutdown;
	info->paused = d->flags & XEN_DOMINF_paused;
	info->blocked = d->flags & XEN_DOMINF_blocked;
	info->running = d->flags & XEN_DOMINF_running;
	info->shutdown_reason = (d->flags >> XEN_DOMINF_shutdownshift) &
				XEN_DOMINF_shutdownmask;
	info->crashed = info->shutdown &&
			info->shutdown_reason == PV_SHUTDOWN_CRASH;
}

static int x_domain_getinfo(void *h, uint32_t domid, struct pv_dominfo *info)
{
	struct xen *x = h;
	xc_domaininfo_t d;
	int n;

	n = xc_domain_getinfolist(x->xch, domid, 1, &d);
	if (n < 0)
		return neg_errno();
	if (n == 0 || d.domain != domid)
		return -ESRCH;
	fill_info(&d, info);
	return 0;
}

static int x_domain_list(void *h, struct pv_dominfo *infos, size_t max,
			 size_t *n)
{
	struct xen *x = h;
	xc_domaininfo_t *d = pv_calloc(max, sizeof(*d));
	int got, i;

	got = xc_domain_getinfolist(x->xch, 0, (unsigned int)max, d);
	if (got < 0) {
		int rc = neg_errno();

		free(d);
		return rc;
	}
	for (i = 0; i < got; i++)
		fill_info(&d[i], &infos[i]);
	*n = (size_t)got;
	free(d);
	return 0;
}

static int x_domain_setmaxmem(void *h, uint32_t domid, uint64_t kb)
{
	struct xen *x = h;

	return xc_domain_setmaxmem(x->xch, domid, kb) ? neg_errno() : 0;
}

static int x_domain_set_handle(void *h, uint32_t domid, const uint8_t uuid[16])
{
	struct xen *x = h;
	xen_domain_handle_t handle;

	memcpy(handle, uuid, sizeof(handle));
	return xc_domain_sethandle(x->xch, domid, handle) ? neg_errno() : 0;
}

static int x_evtchn_alloc_unbound(void *h, uint32_t domid,
				  uint32_t remote_domid, uint32_t *port)
{
	struct xen *x = h;
	int p = xc_evtchn_alloc_unbound(x->xch, domid, remote_domid);

	if (p < 0)
		return neg_errno();
	*port = (uint32_t)p;
	return 0;
}

static int x_vcpu_set_affinity(void *h, uint32_t domid, unsigned int vcpu,
			       const uint8_t *hard, const uint8_t *soft,
			       size_t nbits)
{
	struct xen *x = h;
	xc_cpumap_t hmap = xc_cpumap_alloc(x->xch), smap = xc_cpumap_alloc(x->xch);
	int nr = xc_get_max_cpus(x->xch), rc = 0;
	uint32_t flags = (hard ? XEN_VCPUAFFINITY_HARD : 0) |
			 (soft ? XEN_VCPUAFFINITY_SOFT : 0);

	if (!hmap || !smap || nr <= 0) {
		free(hmap);
		free(smap);
		return -ENOMEM;
	}
	if (hard)
		memcpy(hmap, hard, (MIN(nbits, (size_t)nr) + 7) / 8);
	if (soft)
		memcpy(smap, soft, (MIN(nbits, (size_t)nr) + 7) / 8);
	/* libxenctrl bounces a NULL map as none: Xen leaves that one be. */
	if (flags && xc_vcpu_setaffinity(x->xch, domid, (int)vcpu,
					 hard ? hmap : NULL, soft ? smap : NULL,
					 flags))
		rc = neg_errno();
	free(hmap);
	free(smap);
	return rc;
}

static int x_vcpu_getinfo(void *h, uint32_t domid, unsigned int vcpu,
			  struct pv_vcpuinfo *vi)
{
	struct xen *x = h;
	xc_vcpuinfo_t info;
	xc_cpumap_t map, soft;
	int nr = xc_get_max_cpus(x->xch), rc = 0;

	if (xc_vcpu_getinfo(x->xch, domid, vcpu, &info))
		return errno == ESRCH || errno == EINVAL ? -ENOENT : neg_errno();
	memset(vi, 0, sizeof(*vi));
	vi->online = info.online;
	vi->blocked = info.blocked;
	vi->running = info.running;
	vi->cpu = info.online ? (int)info.cpu : -1;
	vi->cpu_time_ns = info.cpu_time;
	map = xc_cpumap_alloc(x->xch);
	soft = xc_cpumap_alloc(x->xch);
	if (!map || !soft || nr <= 0) {
		rc = -ENOMEM;
	} else if (xc_vcpu_getaffinity(x->xch, domid, (int)vcpu, map, soft,
				       XEN_VCPUAFFINITY_HARD |
				       XEN_VCPUAFFINITY_SOFT)) {
		rc = neg_errno();
	} else {
		memcpy(vi->affinity, map, MIN((size_t)(nr + 7) / 8,
					      sizeof(vi->affinity)));
		memcpy(vi->soft_affinity, soft, MIN((size_t)(nr + 7) / 8,
						    sizeof(vi->soft_affinity)));
	}
	free(map);
	free(soft);
	return rc;
}

/* --- Xen's console ring, debug keys, core dumps --- */

/* Incremental, as libxl's console reader: *index says where to go on. */
static int x_console_read(void *h, char *buf, size_t *len, bool clear,
			  uint32_t *index)
{
	struct xen *x = h;
	unsigned int n = *len > UINT32_MAX ? UINT32_MAX : (unsigned int)*len;

	if (xc_readconsolering(x->xch, buf, &n, clear, 1, index))
		return neg_errno();
	*len = n;
	return 0;
}

static int x_send_debug_keys(void *h, const char *keys)
{
	struct xen *x = h;

	return xc_send_debug_keys(x->xch, keys) ? neg_errno() : 0;
}

/*
 * libxenguest maps the guest's memory page by page and writes the ELF
 * file itself (xg_core.c); it returns -errno when the file cannot be
 * opened, -1 and errno otherwise.
 */
static int x_domain_dumpcore(void *h, uint32_t domid, const char *path,
			     char **errmsg)
{
	struct xen *x = h;
	int rc;

	pv_buf_reset(&x->log.last);
	errno = 0;
	rc = xc_domain_dumpcore(x->xch, domid, path);
	if (!rc)
		return 0;
	rc = rc < -1 ? rc : neg_errno();
	if (errmsg)
		*errmsg = pv_strdup(x->log.last.len ? x->log.last.s :
				    strerror(-rc));
	return rc;
}

/*
 * Restore: libxenguest reads the stream, populates the guest's memory,
 * sets its vCPUs, rewrites start_info with the new store and console
 * event channels and frames, and seeds the grant table itself. The
 * callbacks structure must exist; for a plain PV stream from this Xen
 * none is needed (static_data_done matters only for streams from before
 * Xen 4.14, which carry no CPUID policy).
 */
static int restore_pv(struct xen *x, uint32_t domid,
		      const struct pv_build_req *req, struct pv_build_out *out,
		      char **errmsg)
{
	struct restore_callbacks cb;
	unsigned long store_mfn = 0, console_mfn = 0;
	uint64_t t0 = pv_now_ms();
	int rc;

	memset(&cb, 0, sizeof(cb));
	pv_buf_reset(&x->log.last);
	if (xc_domain_restore(x->xch, req->stream_fd, domid, req->store_port,
			      &store_mfn, 0, req->console_port, &console_mfn, 0,
			      XC_STREAM_PLAIN, &cb, -1)) {
		rc = neg_errno();
		if (errmsg)
			*errmsg = pv_asprintf("restoring from the stream: %s",
					      x->log.last.len ? x->log.last.s :
					      strerror(-rc));
		return rc;
	}
	out->store_mfn = store_mfn;
	out->console_mfn = console_mfn;
	out->timings_ms[2] = pv_now_ms() - t0;
	return 0;
}

struct save_arg {
	int (*suspend)(void *arg);
	void *arg;
};

/* libxenguest's suspend callback answers 1 for done, 0 for failed. */
static int save_suspend(void *data)
{
	struct save_arg *a = data;

	return a->suspend(a->arg) == 0;
}

/*
 * Save: not live, the guest is suspended first and its memory sent once;
 * live, libxenguest copies while it runs (its default policy stops after
 * 5 rounds, or when fewer than 50 pages changed) and suspends it for the
 * last. It checks by itself that the domain shut down with reason
 * suspend after the callback.
 */
static int x_domain_save(void *h, uint32_t domid, int fd, bool live,
			 int (*suspend)(void *arg),
			 void (*sent)(void *arg, uint64_t bytes), void *arg,
			 char **errmsg)
{
	struct xen *x = h;
	struct save_arg a = { suspend, arg };
	struct save_callbacks cb;
	int rc = 0;

	memset(&cb, 0, sizeof(cb));
	cb.suspend = save_suspend;
	cb.data = &a;
	pv_buf_reset(&x->log.last);
	x->log.sent = sent;
	x->log.sent_arg = arg;
	if (xc_domain_save(x->xch, fd, domid, live ? XCFLAGS_LIVE : 0, &cb,
			   XC_STREAM_PLAIN, -1)) {
		rc = neg_errno();
		if (errmsg)
			*errmsg = pv_asprintf("%s", x->log.last.len ?
					      x->log.last.s : strerror(-rc));
	}
	x->log.sent = NULL;
	return rc;
}

/* A cooperative resume: the guest sees its suspend cancelled. */
static int x_domain_resume(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xc_domain_resume(x->xch, domid, 1) ? neg_errno() : 0;
}

/*
 * The PV build, in the order libxenguest requires: the domain's memory
 * limits first (maxmem, and the memmap limit that sizes the guest's e820
 * so that it can balloon up to static-max), then the builder: load and
 * parse the kernel, lay out memory, build the page tables and start_info
 * (which carries the store and console event channels), boot the vCPU
 * context, and seed the grant table entries xenstored and xenconsoled
 * use to map the rings.
 */
static int x_build_pv(void *h, uint32_t domid, const struct pv_build_req *req,
		      struct pv_build_out *out, char **errmsg)
{
	struct xen *x = h;
	struct xc_dom_image *dom;
	const char *step;
	uint64_t t0 = pv_now_ms(), t1, t2, t3;
	int rc;

	pv_buf_reset(&x->log.last);
	step = "setting maximum memory";
	if (xc_domain_setmaxmem(x->xch, domid, req->maxmem_kb))
		goto fail_errno;
	step = "setting the memory map limit";
	if (xc_domain_set_memmap_limit(x->xch, domid, req->static_max_kb))
		goto fail_errno;
	if (req->restore)
		return restore_pv(x, domid, req, out, errmsg);

	pv_buf_reset(&x->log.last);
	dom = xc_dom_allocate(x->xch, req->cmdline, NULL);
	if (!dom) {
		step = "allocating the domain builder";
		goto fail_errno;
	}
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->console_evtchn = req->console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = req->store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = req->max_vcpus;

	step = "loading the kernel";
	if (req->kernel_mem)
		rc = xc_dom_kernel_mem(dom, req->kernel_mem, req->kernel_size);
	else
		rc = xc_dom_kernel_file(dom, req->kernel_path);
	if (rc)
		goto fail_dom;
	step = "loading the ramdisk";
	if (req->ramdisk_path &&
	    xc_dom_module_file(dom, req->ramdisk_path, NULL))
		goto fail_dom;
	step = "initialising the builder";
	if (xc_dom_boot_xen_init(dom, x->xch, domid))
		goto fail_dom;
	t1 = pv_now_ms();
	step = "parsing the kernel image";
	if (xc_dom_parse_image(dom))
		goto fail_dom;
	/*
	 * Parsing unpacked the kernel (a bzImage's xz payload, say) in place:
	 * hand a copy back so the caller can skip that work next time.
	 */
	if (req->want_unpacked && dom->kernel_blob && dom->kernel_size) {
		out->unpacked = pv_malloc(dom->kernel_size);
		memcpy(out->unpacked, dom->kernel_blob, dom->kernel_size);
		out->unpacked_size = dom->kernel_size;
	}
	step = "laying out guest memory";
	if (xc_dom_mem_init(dom, (unsigned int)(req->memory_kb / 1024)))
		goto fail_dom;
	step = "allocating guest memory";
	if (xc_dom_boot_mem_init(dom))
		goto fail_dom;
	t2 = pv_now_ms();
	step = "building the guest image";
	if (xc_dom_build_image(dom))
		goto fail_dom;
	step = "booting the guest image";
	if (xc_dom_boot_image(dom))
		goto fail_dom;
	step = "setting up the grant table";
	if (xc_dom_gnttab_init(dom))
		goto fail_dom;
	t3 = pv_now_ms();

	out->console_mfn = xc_dom_p2m(dom, dom->console_pfn);
	out->store_mfn = xc_dom_p2m(dom, dom->xenstore_pfn);
	out->timings_ms[0] = t1 - t0;
	out->timings_ms[1] = t2 - t1;
	out->timings_ms[2] = t3 - t2;
	out->timings_ms[3] = pv_now_ms() - t3;
	xc_dom_release(dom);
	return 0;

fail_dom:
	rc = neg_errno();
	xc_dom_release(dom);
	free(out->unpacked);
	out->unpacked = NULL;
	if (errmsg)
		*errmsg = pv_asprintf("%s: %s", step, x->log.last.len ?
				      x->log.last.s : strerror(-rc));
	return rc;
fail_errno:
	rc = neg_errno();
	if (errmsg)
		*errmsg = pv_asprintf("%s: %s", step, strerror(-rc));
	return rc;
}

/* --- scheduler share, nomigrate --- */

static int x_sched_id(void *h, uint32_t domid, unsigned int *sched)
{
	struct xen *x = h;
	xc_cpupoolinfo_t *pool;
	xc_domaininfo_t d;
	int n = xc_domain_getinfolist(x->xch, domid, 1, &d);

	if (n < 0)
		return neg_errno();
	if (n == 0 || d.domain != domid)
		return -ESRCH;
	pool = xc_cpupool_getinfo(x->xch, d.cpupool);
	if (!pool)
		return neg_errno();
	*sched = pool->sched_id;
	xc_cpupool_infofree(x->xch, pool);
	return 0;
}

static int x_sched_credit_get(void *h, uint32_t domid, unsigned int sched,
			      struct pv_sched_credit *p)
{
	struct xen *x = h;
	struct xen_domctl_sched_credit c1;
	struct xen_domctl_sched_credit2 c2;

	if (sched == PV_SCHED_CREDIT) {
		if (xc_sched_credit_domain_get(x->xch, domid, &c1))
			return neg_errno();
		p->weight = c1.weight;
		p->cap = c1.cap;
	} else if (sched == PV_SCHED_CREDIT2) {
		if (xc_sched_credit2_domain_get(x->xch, domid, &c2))
			return neg_errno();
		p->weight = c2.weight;
		p->cap = c2.cap;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int x_sched_credit_set(void *h, uint32_t domid, unsigned int sched,
			      const struct pv_sched_credit *p)
{
	struct xen *x = h;
	struct xen_domctl_sched_credit c1 = {
		.weight = (uint16_t)p->weight, .cap = (uint16_t)p->cap,
	};
	struct xen_domctl_sched_credit2 c2 = {
		.weight = (uint16_t)p->weight, .cap = (uint16_t)p->cap,
	};
	int rc;

	if (p->weight > 65535 || p->cap > 65534)
		return -EINVAL;
	if (sched == PV_SCHED_CREDIT)
		rc = xc_sched_credit_domain_set(x->xch, domid, &c1);
	else if (sched == PV_SCHED_CREDIT2)
		rc = xc_sched_credit2_domain_set(x->xch, domid, &c2);
	else
		return -EINVAL;
	return rc ? neg_errno() : 0;
}

/* libxl's libxl__cpuid_legacy() with disable_migrate set, for a PV guest. */
static int x_domain_set_nomigrate(void *h, uint32_t domid)
{
	struct xen *x = h;
	/* It returns -errno itself (xg_cpuid_x86.c); 4.17.7 added @msr. */
	int rc = xc_cpuid_apply_policy(x->xch, domid, false, NULL, 0, false,
				       true, false, NULL, NULL);

	return rc > 0 ? -EIO : rc;
}

static void x_close(void *h)
{
	struct xen *x = h;

	if (x->xsh)
		xs_close(x->xsh);
	if (x->xch)
		xc_interface_close(x->xch);
	pv_buf_dispose(&x->log.last);
	free(x);
}

static const struct pv_hv_ops xen_ops = {
	.physinfo = x_physinfo,
	.domain_create = x_domain_create,
	.domain_destroy = x_domain_destroy,
	.domain_pause = x_domain_pause,
	.domain_unpause = x_domain_unpause,
	.domain_shutdown = x_domain_shutdown,
	.domain_getinfo = x_domain_getinfo,
	.domain_list = x_domain_list,
	.domain_setmaxmem = x_domain_setmaxmem,
	.domain_set_handle = x_domain_set_handle,
	.evtchn_alloc_unbound = x_evtchn_alloc_unbound,
	.build_pv = x_build_pv,
	.domain_save = x_domain_save,
	.domain_resume = x_domain_resume,
	.vcpu_set_affinity = x_vcpu_set_affinity,
	.vcpu_getinfo = x_vcpu_getinfo,
	.console_read = x_console_read,
	.send_debug_keys = x_send_debug_keys,
	.domain_dumpcore = x_domain_dumpcore,
	.sched_id = x_sched_id,
	.sched_credit_get = x_sched_credit_get,
	.sched_credit_set = x_sched_credit_set,
	.domain_set_nomigrate = x_domain_set_nomigrate,
	.xs_read = pv_xen_xs_read,
	.xs_write = pv_xen_xs_write,
	.xs_mkdir = pv_xen_xs_mkdir,
	.xs_rm = pv_xen_xs_rm,
	.xs_directory = pv_xen_xs_directory,
	.xs_set_perms = pv_xen_xs_set_perms,
	.xs_get_perms = pv_xen_xs_get_perms,
	.xs_transaction_start = pv_xen_xs_transaction_start,
	.xs_transaction_end = pv_xen_xs_transaction_end,
	.xs_watch = pv_xen_xs_watch,
	.xs_unwatch = pv_xen_xs_unwatch,
	.xs_read_watch = pv_xen_xs_read_watch,
	.xs_fileno = pv_xen_xs_fileno,
	.xs_introduce = pv_xen_xs_introduce,
	.xs_release = pv_xen_xs_release,
	.xs_resume = pv_xen_xs_resume,
	.close = x_close,
};

int pv_hv_open_xen(struct pv_hv *hv, struct pv_err *err)
{
	struct xen *x = pv_calloc(1, sizeof(*x));

	x->log.vtable.vmessage = capture_vmessage;
	x->log.vtable.progress = capture_progress;
	x->log.vtable.destroy = capture_destroy;
	pv_buf_init(&x->log.last);
	x->xch = xc_interface_open(&x->log.vtable, &x->log.vtable, 0);
	if (!x->xch) {
		int rc = neg_errno();

		x_close(x);
		return pv_err_sys(err, rc, "cannot open the hypervisor "
				  "(is this a Xen dom0 with xenfs/privcmd loaded?)");
	}
	x->xsh = xs_open(0);
	if (!x->xsh) {
		int rc = neg_errno();

		x_close(x);
		return pv_err_sys(err, rc, "cannot connect to XenStore "
				  "(is xenstored running?)");
	}
	hv->ops = &xen_ops;
	hv->h = x;
	return 0;
}

void pv_hv_close(struct pv_hv *hv)
{
	if (hv->ops)
		hv->ops->close(hv->h);
	hv->ops = NULL;
	hv->h = NULL;
}
