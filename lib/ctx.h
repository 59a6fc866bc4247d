/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctx.h: what every library operation runs with: the hypervisor
 * connection, pvctl's directories, the toolstack lock and a progress hook.
 */
#ifndef PV_CTX_H
#define PV_CTX_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv.h"
#include "../util/util.h"

/*
 * Directories (created on demand, since dom0 may be a bare initramfs):
 *   state  PVCTL_STATE_DIR, default /var/lib/pvctl: saved domain configs
 *   run    PVCTL_RUN_DIR,   default /run/pvctl:     the lock file
 *   log    PVCTL_LOG_DIR,   default /var/log/pvctl: logs
 */
struct pv_ctx {
	struct pv_hv hv;
	char *state_dir;
	char *run_dir;
	char *log_dir;
	int lock_fd;		/* -1 when the toolstack lock is not held */
	/*
	 * Called as a long operation passes each step, with the time the step
	 * took; the CLI shows progress or, with --verbose, the timings.
	 */
	void (*step)(void *arg, const char *what, uint64_t ms);
	void *step_arg;
	/*
	 * Set (by the caller's signal handler) to ask a long operation to
	 * stop: it stops at its next step and undoes what it did, as after
	 * any other failure. NULL: never.
	 */
	volatile sig_atomic_t *interrupted;
};

/* Sets the directories from the environment; @hv is used as given. */
void pv_ctx_init(struct pv_ctx *ctx, const struct pv_hv *hv);
void pv_ctx_dispose(struct pv_ctx *ctx);
void pv_ctx_step(struct pv_ctx *ctx, const char *what, uint64_t ms);
/* -EINTR, with "interrupted" in @err, once *ctx->interrupted is set. */
int pv_ctx_check_interrupted(struct pv_ctx *ctx, struct pv_err *err);

/*
 * mkdir -p. What it creates is 0700 (less if the umask says so): state,
 * runtime files and logs are root's alone. What exists is left as it is.
 */
int pv_mkdirs(const char *path, struct pv_err *err);

/*
 * The toolstack lock serialises operations that change domains (as xl's
 * /var/lock/xl does), so that two pvctl processes cannot, for example,
 * create two domains with the same name. Waits for it.
 */
int pv_lock(struct pv_ctx *ctx, struct pv_err *err);
void pv_unlock(struct pv_ctx *ctx);
/*
 * Takes the flock on RUN/@name (made if need be) and returns its
 * descriptor: the lock is held until it is closed. Without @wait,
 * -EALREADY at once when another process holds it; with it, -EINTR
 * when the wait is interrupted (ctx->interrupted).
 */
int pv_lock_file(struct pv_ctx *ctx, const char *name, bool wait,
		 struct pv_err *err);

#endif
