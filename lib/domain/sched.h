/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sched.h: a domain's share of the CPUs in the credit and credit2
 * schedulers, its weight and cap (xl.cfg cpu_weight and cap, and the
 * sched-credit and sched-credit2 commands).
 */
#ifndef PV_DOMAIN_SCHED_H
#define PV_DOMAIN_SCHED_H

#include <stdint.h>

#include "../ctx.h"

/* "credit", "credit2", "rtds"...: Xen's name for scheduler @sched. */
const char *pv_sched_name(unsigned int sched);

/*
 * @domid's weight and cap in @sched (PV_SCHED_CREDIT or _CREDIT2; 0:
 * whichever of the two it runs in). A domain in another scheduler is
 * refused (-ENOTSUP), the message naming the scheduler it runs in.
 */
int pv_domain_sched_get(struct pv_ctx *ctx, uint32_t domid, unsigned int sched,
			struct pv_sched_credit *p, struct pv_err *err);
/*
 * Sets them, as libxl checks them: weight 1 to 65535 (0: leave it), cap
 * 0 (none) to 100 per vCPU.
 */
int pv_domain_sched_set(struct pv_ctx *ctx, uint32_t domid, unsigned int sched,
			const struct pv_sched_credit *p, struct pv_err *err);

#endif
