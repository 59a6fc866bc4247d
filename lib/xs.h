/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xs.h: XenStore conveniences on top of the hypervisor interface.
 */
#ifndef PV_XS_H
#define PV_XS_H

#include "hv.h"
#include "../util/util.h"

/* Writes a formatted value at a formatted path: pv_xs_printf(hv, t, path, fmt, ...) */
int pv_xs_write_str(struct pv_hv *hv, pv_xbt t, const char *path, const char *val);
int pv_xs_printf(struct pv_hv *hv, pv_xbt t, const char *path,
		 const char *fmt, ...) PV_PRINTF(4, 5);
/* Reads a node as a string (caller frees); NULL when absent or unreadable. */
char *pv_xs_read_str(struct pv_hv *hv, pv_xbt t, const char *path);
/*
 * Reads an unsigned decimal node strictly: -ENOENT when absent, -EINVAL
 * for anything that is not a plain number no larger than @max. Use it for
 * nodes a guest can write: their content is untrusted.
 */
int pv_xs_read_uint(struct pv_hv *hv, pv_xbt t, const char *path,
		    uint64_t max, uint64_t *out);
/* Creates @path (empty) and sets its permissions. */
int pv_xs_mkdir_perms(struct pv_hv *hv, pv_xbt t, const char *path,
		      const struct pv_xs_perm *perms, size_t n);
/*
 * A domain's XenStore path, "/local/domain/DOMID" followed by "/" and the
 * formatted @fmt (NULL: the domain's own directory). The caller frees it.
 * Every /local/domain path is built here.
 */
char *pv_xs_dom_path(uint32_t domid, const char *fmt, ...) PV_PRINTF(2, 3);

/* Frees what xs_directory returned. */
void pv_xs_free_names(char **names, size_t n);

/*
 * Runs @fn inside a XenStore transaction and commits it, retrying the
 * whole transaction when the commit conflicts (-EAGAIN). @fn's own error
 * aborts the transaction and is returned.
 */
int pv_xs_transaction(struct pv_hv *hv,
		      int (*fn)(struct pv_hv *hv, pv_xbt t, void *arg),
		      void *arg);

/*
 * For pv_xs_transaction: removes the directory @path (a char *) if it has
 * no children left; a missing one is fine.
 */
int pv_xs_rm_if_empty(struct pv_hv *hv, pv_xbt t, void *path);

/*
 * A sequence of writes in one transaction that reads as a list: each
 * call is skipped once one has failed, and pv_xs_writer_done() reports
 * the first failure with the path it happened at. Paths are "BASE/SUB";
 * @base may change between calls. Every writer started with
 * pv_xs_writer_init() is finished with pv_xs_writer_done().
 */
struct pv_xs_writer {
	struct pv_hv *hv;
	pv_xbt t;
	const char *base;
	struct pv_buf path;	/* the last path written */
	int rc;
};

void pv_xs_writer_init(struct pv_xs_writer *w, struct pv_hv *hv, pv_xbt t,
		       const char *base);
void pv_xs_put(struct pv_xs_writer *w, const char *sub, const char *fmt, ...)
	PV_PRINTF(3, 4);
void pv_xs_writer_mkdir(struct pv_xs_writer *w, const char *sub,
			const struct pv_xs_perm *perms, size_t n);
void pv_xs_writer_perms(struct pv_xs_writer *w, const char *sub,
			const struct pv_xs_perm *perms, size_t n);
/* Returns the first error (described in @err) and frees the writer. */
int pv_xs_writer_done(struct pv_xs_writer *w, struct pv_err *err);

#endif
