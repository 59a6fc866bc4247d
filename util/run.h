/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h: running helper programs (bootloaders, hotplug scripts).
 */
#ifndef PV_RUN_H
#define PV_RUN_H

#include "util.h"

/*
 * Runs @argv[0] (a path) with no input, @env (NAME=VALUE strings, NULL
 * ended; NULL for none) added to its environment, and what it prints
 * (stdout and stderr, at most 64 KiB) into @out. After @timeout_ms it
 * is killed with all it started (its process group). Returns 0 with
 * *status its wait status, -ETIMEDOUT, or -errno when it could not be
 * started.
 */
int pv_run(char *const argv[], char *const env[], int timeout_ms,
	   struct pv_buf *out, int *status);
/*
 * For an error message: "exit N: LAST LINE" or "signal N: LAST LINE",
 * the last line of @out (trailing newlines dropped from @out).
 */
void pv_run_describe(int status, struct pv_buf *out, struct pv_buf *msg);

#endif
