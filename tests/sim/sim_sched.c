/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_sched.c: simulated Xen scheduler share (credit and credit2 weight
 * and cap, in the host's one CPU pool) and nomigrate (the CPUID policy
 * libxl gives a domain that will not migrate).
 */
#include <errno.h>

#include "sim_int.h"

void pv_sim_set_sched(struct pv_sim *s, unsigned int sched)
{
	s->host.sched_id = sched;
}

int pv_sim_domain_limits(const struct pv_sim *s, uint32_t domid,
			 struct pv_create_limits *out)
{
	const struct sim_dom *d = pv_sim_dom_find(s, domid);

	if (!d)
		return -ESRCH;
	*out = d->limits;
	return 0;
}

bool pv_sim_domain_nomigrate(const struct pv_sim *s, uint32_t domid)
{
	const struct sim_dom *d = pv_sim_dom_find(s, domid);

	return d && d->nomigrate;
}

static int sim_sched_id(void *h, uint32_t domid, unsigned int *sched)
{
	struct pv_sim *s = h;
	int rc = pv_sim_enter(s, SIM_SCHED_ID);

	if (rc)
		return rc;
	if (!pv_sim_dom_find(s, domid))
		return -ESRCH;
	*sched = s->host.sched_id;
	return 0;
}

/* Xen's sched_adjust: -EINVAL unless @sched is the domain's scheduler. */
static int sched_dom(struct pv_sim *s, enum pv_sim_op op, uint32_t domid,
		     unsigned int sched, struct sim_dom **d)
{
	int rc = pv_sim_enter(s, op);

	if (rc)
		return rc;
	*d = pv_sim_dom_find(s, domid);
	if (!*d)
		return -ESRCH;
	if (sched != s->host.sched_id ||
	    (sched != PV_SCHED_CREDIT && sched != PV_SCHED_CREDIT2))
		return -EINVAL;
	return 0;
}

static int sim_sched_credit_get(void *h, uint32_t domid, unsigned int sched,
				struct pv_sched_credit *p)
{
	struct sim_dom *d;
	int rc = sched_dom(h, SIM_SCHED_CREDIT_GET, domid, sched, &d);

	if (!rc)
		*p = d->sched;
	return rc;
}

static int sim_sched_credit_set(void *h, uint32_t domid, unsigned int sched,
				const struct pv_sched_credit *p)
{
	struct sim_dom *d;
	int rc = sched_dom(h, SIM_SCHED_CREDIT_SET, domid, sched, &d);

	if (rc)
		return rc;
	if (p->weight > 65535 || p->cap > 100 * d->max_vcpus)
		return -EINVAL;
	if (p->weight)
		d->sched.weight = p->weight;
	d->sched.cap = p->cap;
	return 0;
}

static int sim_domain_set_nomigrate(void *h, uint32_t domid)
{
	struct pv_sim *s = h;
	struct sim_dom *d;
	int rc = pv_sim_enter(s, SIM_DOMAIN_SET_NOMIGRATE);

	if (rc)
		return rc;
	d = pv_sim_dom_find(s, domid);
	if (!d)
		return -ESRCH;
	if (domid == 0)
		return -EINVAL;
	/* XEN_DOMCTL_set_cpu_policy: no change once the domain has run. */
	if (d->creation_finished)
		return -EEXIST;
	d->nomigrate = true;
	return 0;
}

void pv_sim_sched_ops(struct pv_hv_ops *ops)
{
	ops->sched_id = sim_sched_id;
	ops->sched_credit_get = sim_sched_credit_get;
	ops->sched_credit_set = sim_sched_credit_set;
	ops->domain_set_nomigrate = sim_domain_set_nomigrate;
}
