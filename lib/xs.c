/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xs.c: XenStore conveniences.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xs.h"

int pv_xs_write_str(struct pv_hv *hv, pv_xbt t, const char *path, const char *val)
{
	return hv->ops->xs_write(hv->h, t, path, val, strlen(val));
}

int pv_xs_printf(struct pv_hv *hv, pv_xbt t, const char *path,
		 const char *fmt, ...)
{
	struct pv_buf b;
	va_list ap;
	int rc;

	pv_buf_init(&b);
	va_start(ap, fmt);
	pv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = hv->ops->xs_write(hv->h, t, path, b.s, b.len);
	pv_buf_dispose(&b);
	return rc;
}

char *pv_xs_read_str(struct pv_hv *hv, pv_xbt t, const char *path)
{
	char *v = NULL;

	if (hv->ops->xs_read(hv->h, t, path, &v, NULL))
		return NULL;
	return v;
}

int pv_xs_read_uint(struct pv_hv *hv, pv_xbt t, const char *path,
		    uint64_t max, uint64_t *out)
{
	char *v = NULL;
	size_t len = 0;
	int rc = hv->ops->xs_read(hv->h, t, path, &v, &len);

	if (rc)
		return rc;
	/* A value with an embedded NUL is not a number either. */
	rc = strlen(v) == len ? pv_parse_uint(v, max, out) : -EINVAL;
	free(v);
	return rc ? -EINVAL : 0;
}

int pv_xs_mkdir_perms(struct pv_hv *hv, pv_xbt t, const char *path,
		      const struct pv_xs_perm *perms, size_t n)
{
	int rc = hv->ops->xs_mkdir(hv->h, t, path);

	return rc ? rc : hv->ops->xs_set_perms(hv->h, t, path, perms, n);
}

char *pv_xs_dom_path(uint32_t domid, const char *fmt, ...)
{
	struct pv_buf b = PV_BUF_INIT;
	va_list ap;

	pv_buf_printf(&b, "/local/domain/%u", domid);
	if (fmt) {
		pv_buf_puts(&b, "/");
		va_start(ap, fmt);
		pv_buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	return pv_buf_detach(&b);
}

void pv_xs_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int pv_xs_rm_if_empty(struct pv_hv *hv, pv_xbt t, void *path)
{
	char **names;
	size_t n;
	int rc = hv->ops->xs_directory(hv->h, t, path, &names, &n);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	pv_xs_free_names(names, n);
	return n ? 0 : hv->ops->xs_rm(hv->h, t, path);
}

int pv_xs_transaction(struct pv_hv *hv,
		      int (*fn)(struct pv_hv *hv, pv_xbt t, void *arg),
		      void *arg)
{
	int attempt, rc;

	for (attempt = 0; attempt < 16; attempt++) {
		pv_xbt t;

		rc = hv->ops->xs_transaction_start(hv->h, &t);
		if (rc)
			return rc;
		rc = fn(hv, t, arg);
		if (rc) {
			hv->ops->xs_transaction_end(hv->h, t, true);
			return rc;
		}
		rc = hv->ops->xs_transaction_end(hv->h, t, false);
		if (rc != -EAGAIN)
			return rc;
	}
	return rc;
}

void pv_xs_writer_init(struct pv_xs_writer *w, struct pv_hv *hv, pv_xbt t,
		       const char *base)
{
	w->hv = hv;
	w->t = t;
	w->base = base;
	pv_buf_init(&w->path);
	w->rc = 0;
}

static const char *wpath(struct pv_xs_writer *w, const char *sub)
{
	pv_buf_reset(&w->path);
	pv_buf_printf(&w->path, "%s/%s", w->base, sub);
	return w->path.s;
}

void pv_xs_put(struct pv_xs_writer *w, const char *sub, const char *fmt, ...)
{
	struct pv_buf v = PV_BUF_INIT;
	va_list ap;

	if (w->rc)
		return;
	va_start(ap, fmt);
	pv_buf_vprintf(&v, fmt, ap);
	va_end(ap);
	w->rc = w->hv->ops->xs_write(w->hv->h, w->t, wpath(w, sub),
				     v.s ? v.s : "", v.len);
	pv_buf_dispose(&v);
}

void pv_xs_writer_mkdir(struct pv_xs_writer *w, const char *sub,
			const struct pv_xs_perm *perms, size_t n)
{
	if (!w->rc)
		w->rc = pv_xs_mkdir_perms(w->hv, w->t, wpath(w, sub), perms, n);
}

void pv_xs_writer_perms(struct pv_xs_writer *w, const char *sub,
			const struct pv_xs_perm *perms, size_t n)
{
	if (!w->rc)
		w->rc = w->hv->ops->xs_set_perms(w->hv->h, w->t, wpath(w, sub),
						 perms, n);
}

int pv_xs_writer_done(struct pv_xs_writer *w, struct pv_err *err)
{
	int rc = w->rc;

	if (rc)
		pv_err_sys(err, rc, "writing XenStore node %s", w->path.s);
	pv_buf_dispose(&w->path);
	return rc;
}
