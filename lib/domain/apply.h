/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.h: `pvctl apply`: a set of xl.cfg files (one guest each) is the
 * desired state; pvctl compares it with what runs and converges.
 *
 * What runs is each domain's saved config, kept current by every live
 * change (pv_domain_config_note). A plan is data: per guest, a list of
 * changes in the order they are carried out. Converging a guest is all
 * or nothing: when a change fails, what was done to that guest is undone
 * and the others go on.
 *
 * A domain belongs to the set when its saved config's source (the real
 * path of the file apply read it from) is one of the FILEs given or is
 * in one of the DIRs. Only those are destroyed by --prune; a domain
 * without a saved config (xl's) never is.
 */
#ifndef PV_APPLY_H
#define PV_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"

/* Listed in the order a guest's changes are carried out. */
enum pv_apply_op {
	PV_APPLY_CREATE,
	PV_APPLY_RESTART,	/* shut down (wait), create from the file */
	PV_APPLY_MAXMEM,	/* from, to: MiB */
	PV_APPLY_MEMORY,	/* from, to: MiB */
	PV_APPLY_VCPUS,		/* from, to: vCPUs online */
	PV_APPLY_CPUS,		/* pinning of all vCPUs */
	PV_APPLY_ACTIONS,	/* on_poweroff/on_reboot/on_crash */
	PV_APPLY_SOURCE,	/* the guest is now applied from this file */
	PV_APPLY_DISK_DETACH,
	PV_APPLY_VIF_DETACH,
	PV_APPLY_DISK_ATTACH,
	PV_APPLY_VIF_ATTACH,
	PV_APPLY_DESTROY,
};

/* How a change is made. */
enum pv_apply_mode {
	PV_APPLY_LIVE,		/* on the running guest */
	PV_APPLY_SAVED,		/* in the saved config only (the monitor,
				   a later boot or the autoscale loop use it) */
	PV_APPLY_BY_RESTART,	/* by the restart the guest also needs */
	PV_APPLY_WHOLE,		/* create, restart, destroy */
};

struct pv_apply_change {
	enum pv_apply_op op;
	enum pv_apply_mode mode;
	/* "--restart" or "--prune" when it needs that option, not given. */
	const char *needs;
	uint64_t from, to;
	/*
	 * What it is about, for people: "xvdb", "vif 1", "kernel, cmdline",
	 * "on_reboot restart -> destroy", a CPU list, a file.
	 */
	char *detail;
	size_t index;		/* *_ATTACH: in want; *_DETACH: in have */
	uint32_t devid;		/* *_DETACH: the running device */
};

struct pv_apply_guest {
	char *name;
	uint32_t domid;			/* the running domain, when there is one */
	struct pv_domain_config want;	/* its file's (empty for a destroy) */
	struct pv_domain_config have;	/* its saved config (empty for a create) */
	size_t *vif_match;		/* have's vif i is want's vif_match[i],
					   or SIZE_MAX: detached */
	struct pv_apply_change *changes;
	size_t nchanges;
	/* Filled in by the plan when the guest cannot be planned, or by converge. */
	int rc;
	struct pv_err err;
	bool done;			/* converge ran its changes to the end */
	bool undo_failed;		/* and could not undo all after a failure */
};

struct pv_apply_opts {
	bool restart;		/* restart guests whose change needs it */
	bool prune;		/* destroy the set's guests that have no file now */
	int shutdown_timeout_ms;	/* of a restart's shutdown (0: 60 s) */
	int device_timeout_ms;		/* of an attach or detach (0: 30 s) */
};

struct pv_apply_plan {
	struct pv_apply_opts opts;
	bool autoscale;		/* a loop runs: memory and vCPUs are its */
	struct pv_apply_guest *guests;	/* in the order of the files, then prunes */
	size_t n;
};

void pv_apply_plan_init(struct pv_apply_plan *plan);
void pv_apply_plan_dispose(struct pv_apply_plan *plan);

/*
 * Reads the configs (FILEs, and the *.cfg files in DIRs, in name
 * order) and compares them with what runs. A config that does not parse
 * (the error names file, line and key), a missing path or two configs
 * of one name fail the whole plan: nothing is done. A guest that cannot
 * be compared (its name is taken by a domain pvctl did not make) gets
 * its own rc and err; the others are planned.
 */
int pv_apply_plan(struct pv_ctx *ctx, const char *const *paths, size_t npaths,
		  const struct pv_apply_opts *opts, struct pv_apply_plan *plan,
		  pv_warn_fn *warn, void *warn_ctx, struct pv_err *err);

/* Whether a change is carried out by converge (it needs no option). */
bool pv_apply_change_todo(const struct pv_apply_change *c);
/* Changes in the plan (all of them, or only those converge would do). */
size_t pv_apply_count(const struct pv_apply_plan *plan, bool todo_only);

/*
 * Carries the plan out, guest by guest. Returns 0, or the rc of the
 * first guest that failed (each guest's own result is in its rc, err,
 * done and undo_failed). Stops between guests when ctx->interrupted is
 * set.
 */
int pv_apply_converge(struct pv_ctx *ctx, struct pv_apply_plan *plan);

/* The op's name in JSON ("create", "memory", "attach-disk"...). */
const char *pv_apply_op_name(enum pv_apply_op op);
const char *pv_apply_mode_name(enum pv_apply_mode mode);

#endif
