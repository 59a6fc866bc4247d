/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resources.c: memory targets and limits, online vCPUs, vCPU pinning.
 *
 * Memory is changed through the guest's balloon driver, which watches
 * memory/target (KiB) and gives pages back to Xen or takes them. The
 * hypervisor limit (maxmem) follows the target with libxl's 1 MiB of
 * slack, so the guest cannot take more than it was given. vCPUs are
 * hot-plugged by the guest kernel, which watches cpu/N/availability.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "../xs.h"

/*
 * libxl's LIBXL_MAXMEM_CONSTANT: the slack between the target and the
 * hypervisor's limit. Create and mem-set both set the limit from it.
 */
uint64_t pv_domain_mem_limit_kb(uint64_t target_kb)
{
	return target_kb + 1024;
}

/* Below this a Linux guest is all but certain to hit its OOM killer. */
#define MIN_TARGET_KB (32 * 1024)

/* Reads memory/@node (KiB), a number no larger than @max. */
static int read_mem_kb(struct pv_ctx *ctx, uint32_t domid, const char *node,
		       uint64_t max, uint64_t *kb, struct pv_err *err)
{
	char *path = pv_xs_dom_path(domid, "memory/%s", node);
	int rc = pv_xs_read_uint(&ctx->hv, PV_XBT_NULL, path, max, kb);

	if (rc)
		pv_err_sys(err, rc, "reading %s", path);
	free(path);
	return rc;
}

/* Writes memory/@node (KiB). */
static int write_mem_kb(struct pv_ctx *ctx, uint32_t domid, const char *node,
			uint64_t kb, struct pv_err *err)
{
	char *path = pv_xs_dom_path(domid, "memory/%s", node);
	int rc = pv_xs_printf(&ctx->hv, PV_XBT_NULL, path, "%llu",
			      (unsigned long long)kb);

	if (rc)
		pv_err_sys(err, rc, "writing %s", path);
	free(path);
	return rc;
}

/*
 * A target or maximum above 1 PiB is no domain's: -EINVAL (the
 * autoscale loop, which reads them at every tick, then leaves the
 * domain alone).
 */
#define GET_KB_MAX (1ull << 40)

int pv_domain_get_target(struct pv_ctx *ctx, uint32_t domid, uint64_t *kb,
			 struct pv_err *err)
{
	return read_mem_kb(ctx, domid, "target", GET_KB_MAX, kb, err);
}

int pv_domain_get_maxmem(struct pv_ctx *ctx, uint32_t domid, uint64_t *kb,
			 struct pv_err *err)
{
	return read_mem_kb(ctx, domid, "static-max", GET_KB_MAX, kb, err);
}

int pv_domain_set_target(struct pv_ctx *ctx, uint32_t domid, uint64_t kb,
			 struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	uint64_t max;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "pvctl does not balloon Domain-0");
	rc = read_mem_kb(ctx, domid, "static-max", UINT64_MAX / 2, &max, err);
	if (rc)
		return rc;
	if (kb > max)
		return pv_err_set(err, -EINVAL, "%llu MiB is above the domain's "
				  "maximum of %llu MiB (see mem-max)",
				  (unsigned long long)kb / 1024,
				  (unsigned long long)max / 1024);
	if (kb < MIN_TARGET_KB)
		return pv_err_set(err, -EINVAL, "%llu MiB is below pvctl's floor of "
				  "%u MiB for a guest", (unsigned long long)kb / 1024,
				  MIN_TARGET_KB / 1024);
	rc = hv->ops->domain_setmaxmem(hv->h, domid, pv_domain_mem_limit_kb(kb));
	if (rc)
		return pv_err_sys(err, rc, "setting the memory limit of domain %u",
				  domid);
	return write_mem_kb(ctx, domid, "target", kb, err);
}

int pv_domain_set_maxmem(struct pv_ctx *ctx, uint32_t domid, uint64_t kb,
			 struct pv_err *err)
{
	uint64_t target;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to change Domain-0's maximum");
	rc = read_mem_kb(ctx, domid, "target", UINT64_MAX / 2, &target, err);
	if (rc)
		return rc;
	if (kb < target)
		return pv_err_set(err, -EINVAL, "%llu MiB is below the current "
				  "target of %llu MiB: mem-set it lower first",
				  (unsigned long long)kb / 1024,
				  (unsigned long long)target / 1024);
	return write_mem_kb(ctx, domid, "static-max", kb, err);
}

static char *availability_path(uint32_t domid, unsigned int vcpu)
{
	return pv_xs_dom_path(domid, "cpu/%u/availability", vcpu);
}

unsigned int pv_domain_online_vcpus(struct pv_ctx *ctx, uint32_t domid,
				    unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < max; i++) {
		char *path = availability_path(domid, i);
		char *v = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);

		n += v && !strcmp(v, "online");
		free(v);
		free(path);
	}
	return n;
}

struct vcpu_avail {
	uint32_t domid;
	unsigned int online, max;
};

static int vcpu_avail_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	struct vcpu_avail *v = arg;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < v->max && !rc; i++) {
		char *path = availability_path(v->domid, i);

		rc = pv_xs_write_str(hv, t, path, i < v->online ? "online" : "offline");
		free(path);
	}
	return rc;
}

int pv_domain_set_vcpus(struct pv_ctx *ctx, uint32_t domid, unsigned int n,
			struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	struct vcpu_avail v = { domid, n, 0 };
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to change Domain-0's vCPUs");
	rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", domid);
	v.max = info.max_vcpu_id + 1;
	if (n < 1 || n > v.max)
		return pv_err_set(err, -EINVAL, "domain %u can have 1 to %u vCPUs "
				  "online (maxvcpus), not %u", domid, v.max, n);
	rc = pv_xs_transaction(hv, vcpu_avail_tx, &v);
	return rc ? pv_err_sys(err, rc, "writing cpu/N/availability of domain %u",
			       domid) : 0;
}

/* The CPU list parser (config/) fills a map the size Xen's calls take. */
_Static_assert(PV_MAX_CPUS == PV_CPUMAP_MAX_CPUS, "CPU map sizes differ");

int pv_domain_pin_vcpu(struct pv_ctx *ctx, uint32_t domid, int vcpu,
		       const char *cpus, struct pv_err *err)
{
	return pv_domain_set_vcpu_affinity(ctx, domid, vcpu, cpus, NULL, err);
}

int pv_domain_set_vcpu_affinity(struct pv_ctx *ctx, uint32_t domid, int vcpu,
				const char *hard, const char *soft,
				struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_physinfo pi;
	struct pv_dominfo info;
	uint8_t hmap[PV_MAX_CPUS / 8], smap[PV_MAX_CPUS / 8];
	unsigned int v, first, last;
	int rc;

	rc = hv->ops->physinfo(hv->h, &pi);
	if (!rc)
		rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", domid);
	if (hard)
		rc = pv_cpumap_parse(hard, pi.nr_cpus, hmap, err);
	if (!rc && soft)
		rc = pv_cpumap_parse(soft, pi.nr_cpus, smap, err);
	if (rc)
		return rc;
	if (vcpu >= 0 && (unsigned int)vcpu > info.max_vcpu_id)
		return pv_err_set(err, -EINVAL, "domain %u has no vCPU %d",
				  domid, vcpu);
	first = vcpu < 0 ? 0 : (unsigned int)vcpu;
	last = vcpu < 0 ? info.max_vcpu_id : (unsigned int)vcpu;
	for (v = first; v <= last; v++) {
		rc = hv->ops->vcpu_set_affinity(hv->h, domid, v, hard ? hmap : NULL,
						soft ? smap : NULL, PV_MAX_CPUS);
		if (rc)
			return pv_err_sys(err, rc, "pinning vCPU %u of domain %u to "
					  "%s%s%s", v, domid, hard ? hard : "",
					  soft ? (hard ? ", soft " : "soft ") : "",
					  soft ? soft : "");
	}
	return 0;
}
