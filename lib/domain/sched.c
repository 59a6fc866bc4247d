/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sched.c: a domain's weight and cap in the credit and credit2
 * schedulers. Both schedulers have the two with the same meaning (a
 * relative weight; a cap in percent of one CPU), so pvctl treats them
 * as one, picking by the scheduler of the CPU pool the domain runs in.
 */
#include <errno.h>

#include "sched.h"

const char *pv_sched_name(unsigned int sched)
{
	switch (sched) {
	case PV_SCHED_CREDIT:
		return "credit";
	case PV_SCHED_CREDIT2:
		return "credit2";
	case PV_SCHED_ARINC653:
		return "arinc653";
	case PV_SCHED_RTDS:
		return "rtds";
	case PV_SCHED_NULL:
		return "null";
	default:
		return "unknown";
	}
}

/* The scheduler @domid runs in, if it is @want (0: credit or credit2). */
static int which(struct pv_ctx *ctx, uint32_t domid, unsigned int want,
		 unsigned int *sched, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	int rc = hv->ops->sched_id(hv->h, domid, sched);

	if (rc == -ESRCH)
		return pv_err_set(err, rc, "no domain %u", domid);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u's scheduler", domid);
	if (want ? *sched == want :
	    *sched == PV_SCHED_CREDIT || *sched == PV_SCHED_CREDIT2)
		return 0;
	if (want)
		return pv_err_set(err, -ENOTSUP, "domain %u runs in the %s "
				  "scheduler, not %s", domid,
				  pv_sched_name(*sched), pv_sched_name(want));
	return pv_err_set(err, -ENOTSUP, "domain %u runs in the %s scheduler, "
			  "which has no weight or cap (credit and credit2 "
			  "have them)", domid, pv_sched_name(*sched));
}

int pv_domain_sched_get(struct pv_ctx *ctx, uint32_t domid, unsigned int sched,
			struct pv_sched_credit *p, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	int rc = which(ctx, domid, sched, &sched, err);

	if (rc)
		return rc;
	rc = hv->ops->sched_credit_get(hv->h, domid, sched, p);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u's %s weight and cap",
				  domid, pv_sched_name(sched));
	return 0;
}

int pv_domain_sched_set(struct pv_ctx *ctx, uint32_t domid, unsigned int sched,
			const struct pv_sched_credit *p, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	unsigned int vcpus;
	int rc = which(ctx, domid, sched, &sched, err);

	if (rc)
		return rc;
	rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", domid);
	vcpus = info.max_vcpu_id + 1;
	if (p->weight > 65535)
		return pv_err_set(err, -EINVAL, "weight %u is out of range (1 to "
				  "65535)", p->weight);
	if (p->cap > 100 * vcpus)
		return pv_err_set(err, -EINVAL, "cap %u%% is out of range: domain "
				  "%u has %u vCPUs, so at most %u", p->cap, domid,
				  vcpus, 100 * vcpus);
	rc = hv->ops->sched_credit_set(hv->h, domid, sched, p);
	if (rc)
		return pv_err_sys(err, rc, "setting domain %u's %s weight and cap",
				  domid, pv_sched_name(sched));
	return 0;
}
