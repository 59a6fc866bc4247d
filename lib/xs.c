/*
 * xs.c: XenStore conveniences.
 */
#include <errno.h>
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

void pv_xs_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
