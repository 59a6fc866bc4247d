/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * info.c: what pvctl reports about a running domain: its console's pty,
 * its uptime, its vCPUs, whether it took a shutdown request.
 *
 * Everything under /local/domain/ID may have been written by the guest
 * (or by whatever a guest got to write there): values are checked for
 * the form their writer gives them before they are used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "../xs.h"

/* xenconsoled's name for the pty, "/dev/pts/N". */
static bool pts_name_valid(const char *tty)
{
	static const char dir[] = "/dev/pts/";
	const char *n;

	if (strncmp(tty, dir, sizeof(dir) - 1))
		return false;
	n = tty + sizeof(dir) - 1;
	return *n && strspn(n, "0123456789") == strlen(n);
}

int pv_domain_console_tty(struct pv_ctx *ctx, uint32_t domid, char **tty,
			  struct pv_err *err)
{
	char *path = pv_xs_dom_path(domid, "console/tty");
	char *v = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);
	int rc = 0;

	if (!v || !pts_name_valid(v)) {
		rc = pv_err_set(err, v ? -EINVAL : -ENOENT,
				"domain %u has no console pty (%s: %s); is "
				"xenconsoled running?", domid, path,
				v ? v : "missing");
		free(v);
		v = NULL;
	}
	free(path);
	*tty = v;
	return rc;
}

/* The /vm/UUID directory of a domain, from its vm link (caller frees). */
static int vm_dir(struct pv_ctx *ctx, uint32_t domid, char **dir,
		  struct pv_err *err)
{
	char *path = pv_xs_dom_path(domid, "vm");
	char *vm = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);
	int rc = 0;

	/* Follow only a link of the form toolstacks write: /vm/UUID. */
	if (!vm)
		rc = pv_err_set(err, -ENOENT, "%s is missing", path);
	else if (strncmp(vm, "/vm/", 4) || !vm[4] || strchr(vm + 4, '/'))
		rc = pv_err_set(err, -EINVAL, "%s is not a /vm/UUID path", path);
	free(path);
	if (rc) {
		free(vm);
		vm = NULL;
	}
	*dir = vm;
	return rc;
}

/*
 * "SECONDS" or "SECONDS.FRACTION" (libxl writes hundredths; pvctl whole
 * seconds): the whole seconds, strictly, and the fraction's digits.
 */
static int parse_start_time(const char *s, uint64_t *start)
{
	const char *dot = strchr(s, '.');
	char *whole;
	int rc;

	if (dot && (!dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1)))
		return -EINVAL;
	whole = dot ? pv_strndup(s, (size_t)(dot - s)) : pv_strdup(s);
	rc = pv_parse_uint(whole, UINT64_MAX, start);
	free(whole);
	return rc ? -EINVAL : 0;
}

/*
 * Uptime from /vm/UUID/start_time, which the creating toolstack writes
 * (xl and pvctl alike) in seconds since the epoch.
 */
int pv_domain_uptime(struct pv_ctx *ctx, uint32_t domid, uint64_t *secs,
		     struct pv_err *err)
{
	uint64_t start, now = (uint64_t)time(NULL);
	char *vm, *path, *val;
	int rc;

	if (domid == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		*secs = (uint64_t)ts.tv_sec;
		return 0;
	}
	rc = vm_dir(ctx, domid, &vm, err);
	if (rc)
		return rc;
	path = pv_asprintf("%s/start_time", vm);
	val = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);
	if (!val)
		rc = pv_err_set(err, -ENOENT, "%s is missing", path);
	else if (parse_start_time(val, &start))
		rc = pv_err_set(err, -EINVAL, "%s is not a number", path);
	else if (start > now)
		rc = pv_err_set(err, -ERANGE, "%s is in the future", path);
	else
		*secs = now - start;
	free(val);
	free(path);
	free(vm);
	return rc;
}

int pv_domain_vcpu_list(struct pv_ctx *ctx, uint32_t domid,
			struct pv_vcpuinfo **vcpus, size_t *n,
			struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	struct pv_vcpuinfo *v;
	unsigned int i;
	int rc = hv->ops->domain_getinfo(hv->h, domid, &info);

	if (rc == -ESRCH)
		return pv_err_set(err, rc, "no domain with ID %u", domid);
	if (rc)
		return pv_err_sys(err, rc, "reading domain %u", domid);
	v = pv_calloc((size_t)info.max_vcpu_id + 1, sizeof(*v));
	for (i = 0; i <= info.max_vcpu_id; i++) {
		rc = hv->ops->vcpu_getinfo(hv->h, domid, i, &v[i]);
		/* The domain went since getinfo (Xen says ENOENT or ESRCH): the list ends. */
		if (rc == -ENOENT || rc == -ESRCH)
			break;
		if (rc) {
			free(v);
			return pv_err_sys(err, rc, "reading vCPU %u of domain %u",
					  i, domid);
		}
	}
	*vcpus = v;
	*n = i;
	return 0;
}

/*
 * The guest takes a request by clearing control/shutdown (control.c), so
 * one still there was not even seen. Whatever else a guest wrote there
 * is not an acknowledgement either.
 */
bool pv_domain_shutdown_pending(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = pv_xs_dom_path(domid, "control/shutdown");
	char *req = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);
	bool pending = req && *req;

	free(req);
	free(path);
	return pending;
}
