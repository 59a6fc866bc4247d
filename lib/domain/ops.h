/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.h: records of the operations in progress (ops.c), inside
 * lib/domain. Before an operation that takes several steps changes
 * anything (create, save, a device attach or detach, the monitor's
 * restart of a domain), it writes RUN/ops/NAME.json, saying what it is,
 * for which domain, and which process does it; it adds what it learns
 * on the way (the domain ID) and removes the record when done, whether
 * it succeeded or undid itself. A record whose process is gone (it was
 * killed: SIGKILL, the OOM killer) is what that process left half done:
 * `pvctl list` marks its domain and pv_domain_cleanup() finishes or
 * undoes it (cleanup.c).
 *
 * Every write replaces the whole file atomically (pv_write_file_atomic):
 * a process killed mid-write leaves the previous record, never half one.
 */
#ifndef PV_OPS_H
#define PV_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "domain.h"

struct pv_op_field {
	char *key, *val;
};

struct pv_op {
	char *path;		/* RUN/ops/NAME.json; NULL: no record */
	char *name;		/* NAME: the operation and its subject */
	pid_t pid;		/* the process doing it */
	uint64_t start;		/* its start time (/proc/PID/stat), 0 unknown */
	struct pv_op_field *f;
	size_t n;
	/* A config the record carries (the monitor's restart): */
	const struct pv_domain_config *config;	/* to write (not owned) */
	void *tree;		/* as read: the parsed file (yajl_val) */
};

void pv_op_init(struct pv_op *op);
void pv_op_dispose(struct pv_op *op);

/*
 * Starts the record NAME ("create.UUID", ...) for this process, with
 * the fields set so far by pv_op_set (which may also come after, each
 * followed by pv_op_write). An error leaves no record.
 */
int pv_op_begin(struct pv_ctx *ctx, struct pv_op *op, const char *name,
		struct pv_err *err);
/* Sets a field (replacing one with the same key) in memory. */
void pv_op_set(struct pv_op *op, const char *key, const char *fmt, ...)
	PV_PRINTF(3, 4);
/* Sets "domid" and, if the domain exists, "uuid". */
void pv_op_set_domain(struct pv_op *op, struct pv_ctx *ctx, uint32_t domid);
/* Writes the record with its fields now. */
int pv_op_write(struct pv_op *op, struct pv_err *err);
/* Removes the record: the operation is over. Tolerates no record. */
void pv_op_end(struct pv_op *op);

/* A field's value, or NULL. */
const char *pv_op_get(const struct pv_op *op, const char *key);
/* A numeric field (decimal): -ENOENT if it is not there, -EINVAL if bad. */
int pv_op_get_uint(const struct pv_op *op, const char *key, uint64_t max,
		   uint64_t *v);
/* The config a record read carries, into @cfg (initialised by the caller). */
int pv_op_get_config(const struct pv_op *op, struct pv_domain_config *cfg,
		     struct pv_err *err);
/* Whether the record's process still runs (the same process: pid and start). */
bool pv_op_alive(const struct pv_op *op);

/*
 * Whether @op is about the domain @info: its domid and UUID, or its UUID
 * alone while the record has no domid yet (a create before the domain
 * was made).
 */
bool pv_op_for(const struct pv_op *op, const struct pv_dominfo *info);
/* What `pvctl list` says of a domain with @op (malloc'd). */
char *pv_op_describe(const struct pv_op *op);

/*
 * Every record in RUN/ops, read (*ops malloc'd, each to dispose); an
 * unreadable file is skipped: it was never a whole record.
 */
int pv_op_list(struct pv_ctx *ctx, struct pv_op **ops, size_t *n,
	       struct pv_err *err);
void pv_op_list_free(struct pv_op *ops, size_t n);

/*
 * A save or migration (@op) whose process died (save.c): the domain
 * (@domid, UINT32_MAX if it is gone) is resumed, or destroyed when the
 * save file was complete, and the temporary file removed. @what names
 * the operation in @log.
 */
void pv_domain_save_undo(struct pv_ctx *ctx, const struct pv_op *op,
			 uint32_t domid, struct pv_monitor_log *log,
			 const char *what);

#endif
