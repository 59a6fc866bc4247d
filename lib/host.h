/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host.h: the host as the hypervisor describes it.
 */
#ifndef PV_HOST_H
#define PV_HOST_H

#include "ctx.h"

/* CPUs, memory and Xen's version: what `pvctl info` shows. */
int pv_host_physinfo(struct pv_ctx *ctx, struct pv_physinfo *pi,
		     struct pv_err *err);

#endif
