/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctx.c: directories and the toolstack lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"

static char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return pv_strdup(v && *v ? v : def);
}

void pv_ctx_init(struct pv_ctx *ctx, const struct pv_hv *hv)
{
	memset(ctx, 0, sizeof(*ctx));
	if (hv)
		ctx->hv = *hv;
	ctx->state_dir = env_or("PVCTL_STATE_DIR", "/var/lib/pvctl");
	ctx->run_dir = env_or("PVCTL_RUN_DIR", "/run/pvctl");
	ctx->log_dir = env_or("PVCTL_LOG_DIR", "/var/log/pvctl");
	ctx->lock_fd = -1;
}

void pv_ctx_dispose(struct pv_ctx *ctx)
{
	pv_unlock(ctx);
	pv_hv_close(&ctx->hv);
	free(ctx->state_dir);
	free(ctx->run_dir);
	free(ctx->log_dir);
}

void pv_ctx_step(struct pv_ctx *ctx, const char *what, uint64_t ms)
{
	if (ctx->step)
		ctx->step(ctx->step_arg, what, ms);
}

int pv_ctx_check_interrupted(struct pv_ctx *ctx, struct pv_err *err)
{
	if (ctx->interrupted && *ctx->interrupted)
		return pv_err_set(err, -EINTR, "interrupted");
	return 0;
}

int pv_mkdirs(const char *path, struct pv_err *err)
{
	char *p = pv_strdup(path), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			rc = pv_err_sys(err, -errno, "cannot create directory %s", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int pv_lock_file(struct pv_ctx *ctx, const char *name, bool wait,
		 struct pv_err *err)
{
	char *path;
	int fd, rc;

	rc = pv_mkdirs(ctx->run_dir, err);
	if (rc)
		return rc;
	path = pv_asprintf("%s/%s", ctx->run_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "cannot open lock file %s", path);
		goto out;
	}
	/* An interruptible wait polls, so that it can be interrupted. */
	while (flock(fd, LOCK_EX | (wait && !ctx->interrupted ? 0 : LOCK_NB))) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK && wait) {
			rc = pv_ctx_check_interrupted(ctx, err);
			if (!rc) {
				usleep(50000);
				continue;
			}
		} else if (errno == EWOULDBLOCK) {
			rc = pv_err_set(err, -EALREADY, "%s is held by another process",
					path);
		} else {
			rc = pv_err_sys(err, -errno, "cannot lock %s", path);
		}
		close(fd);
		goto out;
	}
	rc = fd;
out:
	free(path);
	return rc;
}

int pv_lock(struct pv_ctx *ctx, struct pv_err *err)
{
	int fd;

	if (ctx->lock_fd >= 0)
		return 0;
	fd = pv_lock_file(ctx, "lock", true, err);
	if (fd < 0)
		return fd;
	ctx->lock_fd = fd;
	return 0;
}

void pv_unlock(struct pv_ctx *ctx)
{
	if (ctx->lock_fd < 0)
		return;
	close(ctx->lock_fd);	/* closing drops the flock */
	ctx->lock_fd = -1;
}
