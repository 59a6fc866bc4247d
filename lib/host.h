/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host.h: the host as the hypervisor describes it, and Xen's own
 * console and debug keys.
 */
#ifndef PV_HOST_H
#define PV_HOST_H

#include "ctx.h"

/* CPUs, memory and Xen's version: what `pvctl info` shows. */
int pv_host_physinfo(struct pv_ctx *ctx, struct pv_physinfo *pi,
		     struct pv_err *err);

/*
 * Appends Xen's console ring (its boot messages and what it printed
 * since, as `xl dmesg` shows them) to @out; with @clear, Xen then
 * forgets what was read, as `xl dmesg -c`.
 */
int pv_host_dmesg(struct pv_ctx *ctx, bool clear, struct pv_buf *out,
		  struct pv_err *err);

/*
 * Has Xen act on each of @keys as if typed on its serial console
 * (`xl debug-keys`): 'h' lists the keys; what they show goes to the
 * console ring. Empty @keys is -EINVAL.
 */
int pv_host_debug_keys(struct pv_ctx *ctx, const char *keys,
		       struct pv_err *err);

#endif
