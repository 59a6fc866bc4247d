/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv_xenstore.c: the XenStore half of the hypervisor interface on real
 * Xen, on libxenstore. The ops table and the connection's opening are in
 * hv_xen.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "hv_xen_i.h"

int pv_xen_xs_read(void *h, pv_xbt t, const char *path, char **val,
		   size_t *len)
{
	struct xen *x = h;
	unsigned int l;
	char *v = xs_read(x->xsh, t, path, &l);

	if (!v)
		return neg_errno();
	*val = v;	/* libxenstore NUL-terminates what it returns */
	if (len)
		*len = l;
	return 0;
}

int pv_xen_xs_write(void *h, pv_xbt t, const char *path, const char *val,
		    size_t len)
{
	struct xen *x = h;

	return xs_write(x->xsh, t, path, val, (unsigned int)len) ? 0 : neg_errno();
}

int pv_xen_xs_mkdir(void *h, pv_xbt t, const char *path)
{
	struct xen *x = h;

	return xs_mkdir(x->xsh, t, path) ? 0 : neg_errno();
}

int pv_xen_xs_rm(void *h, pv_xbt t, const char *path)
{
	struct xen *x = h;

	return xs_rm(x->xsh, t, path) ? 0 : neg_errno();
}

int pv_xen_xs_directory(void *h, pv_xbt t, const char *path, char ***names,
			size_t *n)
{
	struct xen *x = h;
	unsigned int num, i;
	char **d = xs_directory(x->xsh, t, path, &num);
	char **copy;

	if (!d)
		return neg_errno();
	/* libxenstore returns one block; hand out separately owned strings. */
	copy = pv_calloc(num + 1, sizeof(*copy));
	for (i = 0; i < num; i++)
		copy[i] = pv_strdup(d[i]);
	free(d);
	*names = copy;
	*n = num;
	return 0;
}

int pv_xen_xs_set_perms(void *h, pv_xbt t, const char *path,
			const struct pv_xs_perm *perms, size_t n)
{
	struct xen *x = h;
	struct xs_permissions *p = pv_calloc(n, sizeof(*p));
	size_t i;
	bool ok;

	for (i = 0; i < n; i++) {
		p[i].id = perms[i].domid;
		p[i].perms = perms[i].perm;
	}
	ok = xs_set_permissions(x->xsh, t, path, p, (unsigned int)n);
	free(p);
	return ok ? 0 : neg_errno();
}

int pv_xen_xs_get_perms(void *h, pv_xbt t, const char *path,
			struct pv_xs_perm **perms, size_t *n)
{
	struct xen *x = h;
	unsigned int num, i;
	struct xs_permissions *p = xs_get_permissions(x->xsh, t, path, &num);

	if (!p)
		return neg_errno();
	*perms = pv_calloc(num, sizeof(**perms));
	for (i = 0; i < num; i++) {
		(*perms)[i].domid = p[i].id;
		(*perms)[i].perm = p[i].perms & PV_XS_PERM_BOTH;
	}
	*n = num;
	free(p);
	return 0;
}

int pv_xen_xs_transaction_start(void *h, pv_xbt *t)
{
	struct xen *x = h;
	xs_transaction_t xt = xs_transaction_start(x->xsh);

	if (xt == XBT_NULL)
		return neg_errno();
	*t = xt;
	return 0;
}

int pv_xen_xs_transaction_end(void *h, pv_xbt t, bool abort)
{
	struct xen *x = h;

	return xs_transaction_end(x->xsh, t, abort) ? 0 : neg_errno();
}

int pv_xen_xs_watch(void *h, const char *path, const char *token)
{
	struct xen *x = h;

	return xs_watch(x->xsh, path, token) ? 0 : neg_errno();
}

int pv_xen_xs_unwatch(void *h, const char *path, const char *token)
{
	struct xen *x = h;

	return xs_unwatch(x->xsh, path, token) ? 0 : neg_errno();
}

int pv_xen_xs_fileno(void *h)
{
	struct xen *x = h;

	return xs_fileno(x->xsh);
}

int pv_xen_xs_read_watch(void *h, int timeout_ms, char **path, char **token)
{
	struct xen *x = h;
	uint64_t deadline = pv_now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	struct pollfd pfd = { .fd = xs_fileno(x->xsh), .events = POLLIN };

	for (;;) {
		char **ev = xs_check_watch(x->xsh);
		int wait;

		if (ev) {
			*path = pv_strdup(ev[XS_WATCH_PATH]);
			*token = pv_strdup(ev[XS_WATCH_TOKEN]);
			free(ev);
			return 0;
		}
		if (errno != EAGAIN)
			return neg_errno();
		if (timeout_ms < 0) {
			wait = -1;
		} else {
			uint64_t now = pv_now_ms();

			if (now >= deadline)
				return -ETIMEDOUT;
			wait = (int)(deadline - now);
		}
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
			return neg_errno();
	}
}

int pv_xen_xs_introduce(void *h, uint32_t domid, uint64_t store_mfn,
			uint32_t store_port)
{
	struct xen *x = h;

	return xs_introduce_domain(x->xsh, domid, store_mfn, store_port) ?
	       0 : neg_errno();
}

int pv_xen_xs_release(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xs_release_domain(x->xsh, domid) ? 0 : neg_errno();
}

int pv_xen_xs_resume(void *h, uint32_t domid)
{
	struct xen *x = h;

	return xs_resume_domain(x->xsh, domid) ? 0 : neg_errno();
}
