/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_int.h: the simulator's insides, shared by the files in tests/sim/ only.
 *
 * Global names keep the pv_sim_ prefix because the Makefile links these
 * files into every unit test binary next to libpvctl.a.
 */
#ifndef PV_SIM_INT_H
#define PV_SIM_INT_H

#include "sim.h"

/* The operations, in pv_hv_ops order, for fault injection and counts. */
enum pv_sim_op {
	SIM_PHYSINFO,
	SIM_DOMAIN_CREATE,
	SIM_DOMAIN_DESTROY,
	SIM_DOMAIN_PAUSE,
	SIM_DOMAIN_UNPAUSE,
	SIM_DOMAIN_SHUTDOWN,
	SIM_DOMAIN_GETINFO,
	SIM_DOMAIN_LIST,
	SIM_DOMAIN_SETMAXMEM,
	SIM_DOMAIN_SET_HANDLE,
	SIM_EVTCHN_ALLOC_UNBOUND,
	SIM_BUILD_PV,
	SIM_DOMAIN_SAVE,
	SIM_DOMAIN_RESUME,
	SIM_VCPU_SET_AFFINITY,
	SIM_VCPU_GETINFO,
	/* scheduler share, nomigrate */
	SIM_SCHED_ID,
	SIM_SCHED_CREDIT_GET,
	SIM_SCHED_CREDIT_SET,
	SIM_DOMAIN_SET_NOMIGRATE,
	SIM_XS_READ,
	SIM_XS_WRITE,
	SIM_XS_MKDIR,
	SIM_XS_RM,
	SIM_XS_DIRECTORY,
	SIM_XS_SET_PERMS,
	SIM_XS_GET_PERMS,
	SIM_XS_TRANSACTION_START,
	SIM_XS_TRANSACTION_END,
	SIM_XS_WATCH,
	SIM_XS_UNWATCH,
	SIM_XS_READ_WATCH,
	SIM_XS_INTRODUCE,
	SIM_XS_RELEASE,
	SIM_XS_RESUME,
	/* Xen's console ring, debug keys, core dumps (sim_debug.c) */
	SIM_CONSOLE_READ,
	SIM_SEND_DEBUG_KEYS,
	SIM_DOMAIN_DUMPCORE,
	SIM_OP_COUNT
};

/* --- domains (sim_dom.c) --- */

struct sim_port {
	uint32_t remote;	/* the domain allowed to bind it */
	bool bound;		/* xenstored bound it (xs_introduce) */
};

struct sim_dom {
	uint32_t domid;
	uint8_t uuid[16];
	uint64_t cur_kb, max_kb;
	uint64_t memmap_kb;		/* the guest's memory map (static-max) */
	unsigned int max_vcpus;
	uint64_t cpu_time_ns;		/* what the test says it used */
	unsigned int pause_count;	/* Xen's controller pause count */
	bool built, dying, shutdown, release_fired;
	unsigned int shutdown_reason;
	struct sim_port *ports;		/* ports[p - 1]: port 0 is reserved */
	size_t nports;
	uint8_t **affinity;		/* per vCPU, a bitmap of host CPUs */
	uint8_t **soft_affinity;	/* per vCPU, where it prefers to run */
	/* What it was made with, its scheduler share and nomigrate. */
	struct pv_create_limits limits;
	struct pv_sched_credit sched;
	bool nomigrate;
	bool creation_finished;		/* unpaused once: CPUID is fixed */
};

struct sim_host {
	unsigned int nr_cpus;
	unsigned int sched_id;		/* PV_SCHED_*, of the one CPU pool */
	uint64_t total_kb, free_kb;
	struct sim_dom **doms;		/* sorted by domid */
	size_t ndoms;
	uint32_t last_domid;		/* where Xen's allocator resumes */
};

/* --- XenStore (sim_xsdb.c, sim_xs.c, sim_xs_tx.c, sim_xs_watch.c) --- */

/* The owner bit of a computed permission, as xenstored's XS_PERM_OWNER. */
#define SIM_PERM_OWNER 4u

struct sim_node {
	char *path;
	char *val;
	size_t len;
	struct pv_xs_perm *perms;	/* at least one entry */
	size_t nperms;
	char **children;		/* leaf names, in creation order */
	size_t nchildren;
	uint64_t gen;			/* 0: created inside a transaction */
};

/* A set of nodes sorted by path: the store, or a transaction's copy. */
struct sim_db {
	struct sim_node **nodes;
	size_t n, cap;
};

/* A node a transaction touched, and its generation when it began. */
struct sim_access {
	char *path;
	uint64_t base_gen;		/* 0: the node did not exist */
	bool dirty;
};

/* A watch event a transaction will fire if it commits. */
struct sim_tx_event {
	char *path;
	bool exact;
};

struct sim_tx {
	pv_xbt id;
	struct sim_db db;		/* the store as the transaction sees it */
	struct sim_access *acc;
	size_t nacc;
	struct sim_tx_event *ev;
	size_t nev;
	struct sim_tx *next;
};

struct sim_watch {
	char *path;			/* canonical */
	char *given;			/* as registered (maybe relative) */
	char *token;
	uint32_t domid;			/* who registered it */
	struct sim_watch *next;
};

struct sim_event {
	char *path;
	char *token;
	struct sim_event *next;
};

struct sim_xs {
	struct sim_db db;
	uint64_t gen;			/* last generation handed out */
	struct sim_tx *txs;
	pv_xbt last_tx;
	struct sim_watch *watches;
	struct sim_event *queue, **queue_tail;
	unsigned int nqueued;
	uint32_t *introduced;
	size_t nintroduced;
};

/* Xen's console ring (as xen/drivers/char/console.c keeps it). */
#define SIM_CONRING_SIZE 32768u
struct sim_conring {
	char buf[SIM_CONRING_SIZE];
	uint32_t prod, cons;		/* free-running, as conringp/conringc */
};

struct sim_fault;

struct pv_sim {
	struct pv_hv_ops ops;
	uint32_t caller;
	struct sim_fault *faults;
	unsigned int calls[SIM_OP_COUNT];
	pv_sim_idle_fn *idle_fn;
	void *idle_arg;
	bool in_idle;
	pv_sim_call_fn *call_fn;	/* pv_sim_at_call's hook, and when */
	void *call_arg;
	unsigned int call_countdown;
	struct pv_sim_build_seen last_build;
	struct sim_host host;
	struct sim_xs xs;
	struct sim_conring conring;
	struct pv_sim_dump_seen last_dump;
};

/* sim.c: counts the call and returns an injected error, or 0. */
int pv_sim_enter(struct pv_sim *s, enum pv_sim_op op);
/* Runs the idle hook, if any; returns whether there was one. */
bool pv_sim_run_idle(struct pv_sim *s);

/* sim_dom.c */
void pv_sim_dom_init(struct pv_sim *s);
void pv_sim_dom_dispose(struct pv_sim *s);
void pv_sim_dom_ops(struct pv_hv_ops *ops);
struct sim_dom *pv_sim_dom_find(const struct pv_sim *s, uint32_t domid);

/* sim_debug.c */
void pv_sim_debug_init(struct pv_sim *s);
void pv_sim_debug_ops(struct pv_hv_ops *ops);
/* sim_sched.c */
void pv_sim_sched_ops(struct pv_hv_ops *ops);

/* sim_xsdb.c: nodes, node sets, paths and permissions */
struct sim_node *pv_sim_node_new(const char *path);
struct sim_node *pv_sim_node_copy(const struct sim_node *n);
void pv_sim_node_free(struct sim_node *n);
void pv_sim_node_set_val(struct sim_node *n, const char *val, size_t len);
void pv_sim_node_set_perms(struct sim_node *n, const struct pv_xs_perm *p,
			   size_t np);
void pv_sim_node_add_child(struct sim_node *n, const char *name);
void pv_sim_node_del_child(struct sim_node *n, const char *name);

void pv_sim_db_init(struct sim_db *db);
void pv_sim_db_dispose(struct sim_db *db);
void pv_sim_db_copy(struct sim_db *dst, const struct sim_db *src);
struct sim_node *pv_sim_db_get(const struct sim_db *db, const char *path);
/* Inserts @n, replacing (and freeing) a node with the same path. */
void pv_sim_db_put(struct sim_db *db, struct sim_node *n);
void pv_sim_db_del(struct sim_db *db, const char *path);

/* Canonical absolute path for @caller into *out (malloc'd), or -EINVAL. */
int pv_sim_path_canon(uint32_t caller, const char *path, bool allow_special,
		      char **out);
/* The parent of absolute @path ("/" for "/x"), malloc'd. */
char *pv_sim_path_parent(const char *path);
const char *pv_sim_path_base(const char *path);
char *pv_sim_path_join(const char *dir, const char *name);
/* Whether @path is @dir or below it. */
bool pv_sim_path_within(const char *path, const char *dir);
/* What @caller may do on @n: PV_XS_PERM_* | SIM_PERM_OWNER. */
unsigned int pv_sim_perm_for(const struct sim_node *n, uint32_t caller);

/* sim_xs.c */
void pv_sim_xs_init(struct pv_sim *s);
void pv_sim_xs_dispose(struct pv_sim *s);
void pv_sim_xs_ops(struct pv_hv_ops *ops);

/* sim_xs_tx.c */
void pv_sim_tx_ops(struct pv_hv_ops *ops);
/*
 * The node set operation @t works on (the store or the transaction's
 * copy), and the transaction; -ENOENT for an unknown @t.
 */
int pv_sim_tx_db(struct pv_sim *s, pv_xbt t, struct sim_db **db,
		 struct sim_tx **tx);
/* Records that @tx read (or, @dirty, changed) @path; no-op if !tx. */
void pv_sim_tx_access(struct sim_tx *tx, const char *path, bool dirty);
/* Marks a node changed: a new generation outside a transaction. */
void pv_sim_tx_touch(struct pv_sim *s, struct sim_tx *tx,
		     struct sim_node *n);
void pv_sim_tx_free_all(struct pv_sim *s);

/* sim_xs_watch.c */
void pv_sim_watch_ops(struct pv_hv_ops *ops);
/*
 * A change to @path: fires watches on it and above it, or with @exact
 * only watches on @path itself. Inside @tx, queued until it commits.
 */
void pv_sim_fire(struct pv_sim *s, struct sim_tx *tx, const char *path,
		 bool exact);
/* Fires a special event ("@releaseDomain") at dom0's watches. */
void pv_sim_fire_special(struct pv_sim *s, const char *special);
/* xenstored noticing that @domid is gone (destroyed). */
void pv_sim_xs_domain_gone(struct pv_sim *s, uint32_t domid);
void pv_sim_watch_free_all(struct pv_sim *s);

#endif
