/*
 * xs.h: XenStore conveniences on top of the hypervisor interface.
 */
#ifndef PV_XS_H
#define PV_XS_H

#include "hv.h"
#include "util.h"

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

#endif
