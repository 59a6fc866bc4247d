/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv_xen_i.h: what the two halves of the hypervisor interface on real
 * Xen share: hv_xen.c (libxenctrl and libxenguest, and the ops table)
 * and hv_xenstore.c (libxenstore). Not part of the API (see hv.h).
 *
 * Global names keep the pv_xen_ prefix: libpvctl.a is linked next to
 * Xen's libraries, whose names are xc_, xs_ and xen*.
 */
#ifndef PV_HV_XEN_I_H
#define PV_HV_XEN_I_H

#include <errno.h>

#include <xenctrl.h>
#include <xentoollog.h>

#include "hv.h"
#include "../util/util.h"

/*
 * A xentoollog logger that keeps the last error libxenctrl/libxenguest
 * reported, so that a failed build can say why ("Out of memory" from the
 * builder is far more useful than errno alone). Nothing is printed.
 */
struct capture_logger {
	xentoollog_logger vtable;
	struct pv_buf last;
	/* During a save: libxenguest's progress (pages sent), as bytes. */
	void (*sent)(void *arg, uint64_t bytes);
	void *sent_arg;
};

/* The handle behind struct pv_hv's h. */
struct xen {
	xc_interface *xch;
	struct xs_handle *xsh;
	struct capture_logger log;
};

/* The libraries report failure in errno; an unset one is still an error. */
static inline int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* The XenStore operations of struct pv_hv_ops, in hv_xenstore.c. */
int pv_xen_xs_read(void *h, pv_xbt t, const char *path, char **val,
		   size_t *len);
int pv_xen_xs_write(void *h, pv_xbt t, const char *path, const char *val,
		    size_t len);
int pv_xen_xs_mkdir(void *h, pv_xbt t, const char *path);
int pv_xen_xs_rm(void *h, pv_xbt t, const char *path);
int pv_xen_xs_directory(void *h, pv_xbt t, const char *path, char ***names,
			size_t *n);
int pv_xen_xs_set_perms(void *h, pv_xbt t, const char *path,
			const struct pv_xs_perm *perms, size_t n);
int pv_xen_xs_get_perms(void *h, pv_xbt t, const char *path,
			struct pv_xs_perm **perms, size_t *n);
int pv_xen_xs_transaction_start(void *h, pv_xbt *t);
int pv_xen_xs_transaction_end(void *h, pv_xbt t, bool abort);
int pv_xen_xs_watch(void *h, const char *path, const char *token);
int pv_xen_xs_unwatch(void *h, const char *path, const char *token);
int pv_xen_xs_read_watch(void *h, int timeout_ms, char **path, char **token);
int pv_xen_xs_fileno(void *h);
int pv_xen_xs_introduce(void *h, uint32_t domid, uint64_t store_mfn,
			uint32_t store_port);
int pv_xen_xs_release(void *h, uint32_t domid);
int pv_xen_xs_resume(void *h, uint32_t domid);

#endif
