/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.h: an in-memory test double of Xen and xenstored behind
 * struct pv_hv_ops, for the unit tests.
 *
 * It mirrors the semantics libpvctl depends on (domain lifecycle,
 * memory accounting, event channels, XenStore permissions, transactions
 * and watches) closely enough that a unit test means something; it is
 * never evidence that a feature works on real Xen (tests/lab/ is).
 *
 * Everything is single-threaded and deterministic: nothing sleeps, and
 * xs_read_watch returns -ETIMEDOUT at once when no event is queued
 * (even for timeout -1), after giving the idle hook a chance.
 *
 * Semantics worth knowing (each as in Xen / C xenstored unless noted):
 * - xs_directory lists children in creation order; the order is not
 *   specified by the protocol, so callers that print must sort.
 * - A guest (caller != 0) gets -EACCES, not -ENOENT, for a missing node
 *   below one it may not read (or write, for write/mkdir/rm).
 * - Transactions conflict (-EAGAIN) only on nodes they read or changed;
 *   creating a child changes its parent, so siblings conflict. The
 *   transaction id is gone after xs_transaction_end, whatever it says.
 * - Identical queued watch events (same path and token) are merged;
 *   xs_unwatch drops the watch's queued events, as libxenstore does.
 *   Special events (@introduceDomain, @releaseDomain) go to dom0's
 *   watches on exactly that path only (sim simplification).
 * - build_pv sets maxmem to req->maxmem_kb, as given, takes
 *   memory_kb from the host, needs the store and console ports to be
 *   allocated in the domain, and leaves the domain paused.
 * - xs_introduce wants an unbound store port offered to dom0.
 * - pause/unpause/shutdown of dom0 give -EINVAL (sim choice for
 *   shutdown; Xen refuses a domain pausing itself).
 */
#ifndef PV_SIM_H
#define PV_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/hv.h"

struct pv_sim;

/*
 * A fresh host: 4 CPUs, 8 GiB, dom0 ("Domain-0", 512 MiB, 4 vCPUs,
 * running) and the XenStore tree a real dom0 starts with: /, /local,
 * /local/domain, /local/domain/0 (name, domid), /vm and /tool, all
 * owned by dom0 with no access for others ("n0").
 */
struct pv_sim *pv_sim_new(void);
void pv_sim_free(struct pv_sim *s);

/*
 * Points @hv at the simulation. hv->ops->close does not free the sim;
 * the test calls pv_sim_free() after it is done with @hv.
 */
void pv_sim_hv(struct pv_sim *s, struct pv_hv *hv);

/*
 * Later XenStore operations act as domain @domid (default 0, which is
 * privileged and bypasses permission checks). Relative paths resolve
 * against /local/domain/@domid, as xenstored does for a guest.
 */
void pv_sim_set_caller(struct pv_sim *s, uint32_t domid);
uint32_t pv_sim_caller(const struct pv_sim *s);

/*
 * Failure injection. @op is the name of a pv_hv_ops member
 * ("build_pv", "xs_write", ...); an unknown name aborts the test.
 * pv_sim_fail_nth makes the @n-th call from now (1 = the next) fail
 * with @err (a negative errno) before it has any effect. Several
 * injections may be pending at once, also for the same op.
 */
void pv_sim_fail_next(struct pv_sim *s, const char *op, int err);
void pv_sim_fail_nth(struct pv_sim *s, const char *op, unsigned int n,
		     int err);
/*
 * Calls @fn before the @n-th operation from now (1 = the next), of any
 * kind, has any effect; once. Operations of the idle hook (the guests
 * and drivers a test plays) do not count. A test that kills the caller there (or
 * forks a copy of the world as it is then) sees what an operation
 * interrupted at that point leaves.
 */
typedef void pv_sim_call_fn(struct pv_sim *s, void *arg);
void pv_sim_at_call(struct pv_sim *s, unsigned int n, pv_sim_call_fn *fn,
		    void *arg);
/* Operations of every kind called so far. */
unsigned int pv_sim_calls_total(const struct pv_sim *s);
/* How many times @op was called (failed calls included). */
unsigned int pv_sim_calls(const struct pv_sim *s, const char *op);

/* --- hypervisor --- */

/*
 * Sets the host (1..256 CPUs, free <= total, else abort); dom0's 512
 * MiB are not taken from @free_kb.
 */
void pv_sim_set_host(struct pv_sim *s, unsigned int nr_cpus,
		     uint64_t total_kb, uint64_t free_kb);
/* Domains that exist, dom0 included. */
unsigned int pv_sim_domain_count(const struct pv_sim *s);

/*
 * A guest ballooning to @cur_kb: memory moves between the domain and
 * the host's free pool. -ESRCH (no domain), -EINVAL (above maxmem),
 * -ENOMEM (host has too little free).
 */
int pv_sim_domain_set_mem(struct pv_sim *s, uint32_t domid, uint64_t cur_kb);

/* The CPU time Xen reports the domain has used (0 at its creation). */
int pv_sim_domain_set_cpu_time(struct pv_sim *s, uint32_t domid, uint64_t ns);

/* The memory map a domain was built with (static-max), 0 if none. */
uint64_t pv_sim_domain_memmap_kb(const struct pv_sim *s, uint32_t domid);

enum pv_sim_dom_state {
	PV_SIM_DOM_RUNNING,	/* clears shutdown (a resumed guest) */
	PV_SIM_DOM_SHUTDOWN,	/* the guest shut down with @reason */
	PV_SIM_DOM_DYING,	/* destroyed but not yet reaped */
};

/*
 * What the guest did by itself. SHUTDOWN with PV_SHUTDOWN_CRASH is a
 * crash (dominfo.crashed). SHUTDOWN and DYING fire @releaseDomain the
 * first time, as xenstored does.
 */
int pv_sim_domain_set_state(struct pv_sim *s, uint32_t domid,
			    enum pv_sim_dom_state state, unsigned int reason);
/* Whether xs_introduce was done for @domid and not yet released. */
bool pv_sim_domain_introduced(const struct pv_sim *s, uint32_t domid);
/*
 * The scheduler of the host's one CPU pool (PV_SCHED_*; credit at
 * first). Domains get weight 256 and no cap in credit and credit2;
 * sched_credit_set refuses a cap above 100 per vCPU, as credit2 (and
 * libxl, for credit) does.
 */
void pv_sim_set_sched(struct pv_sim *s, unsigned int sched);
/* What domain_create was given for @domid (its defaults for NULL). */
int pv_sim_domain_limits(const struct pv_sim *s, uint32_t domid,
			 struct pv_create_limits *out);
/*
 * Whether domain_set_nomigrate was done for @domid; Xen takes it (a
 * CPUID policy) only before the domain first runs, else -EEXIST.
 */
bool pv_sim_domain_nomigrate(const struct pv_sim *s, uint32_t domid);
/* Whether @vcpu of @domid may run on physical @cpu (affinity). */
bool pv_sim_vcpu_has_cpu(const struct pv_sim *s, uint32_t domid,
			 unsigned int vcpu, unsigned int cpu);

/*
 * What the last build_pv call that got past fault injection was given.
 * With want_unpacked, build_pv returns the kernel's bytes (the file, or
 * kernel_mem) as out->unpacked, the way a builder that had nothing to
 * unpack would.
 */
struct pv_sim_build_seen {
	bool from_mem;		/* kernel_mem was set (not kernel_path) */
	bool want_unpacked;
	uint64_t kernel_hash;	/* pv_hash64 of kernel_mem, when from_mem */
	size_t kernel_size;
};
void pv_sim_last_build(const struct pv_sim *s, struct pv_sim_build_seen *out);

/* --- Xen's console ring, debug keys, core dumps --- */

/*
 * Xen's console ring: 32 KiB (Xen's conring_size=32k), holding Xen's
 * boot lines ("(XEN) Xen version 4.17.0-sim ...") at start. @text is
 * what Xen prints; the oldest bytes go when it is full, as in Xen.
 * send_debug_keys prints "(XEN) 'K' pressed -> WHAT" for the keys
 * h, q and r (with a line per handler for h) and ignores others, as
 * Xen ignores keys without a handler.
 */
void pv_sim_console_puts(struct pv_sim *s, const char *text);

/*
 * domain_dumpcore writes an ELF64 header (ET_CORE, EM_X86_64) followed
 * by "xen-core domid=N memory_kb=N\n", creating the file 0600 as
 * libxenguest does; what the last dump that got past fault injection
 * saw, and how many dumps were written.
 */
struct pv_sim_dump_seen {
	uint32_t domid;
	bool paused;		/* the domain could not run during it */
	unsigned int count;
};
void pv_sim_last_dump(const struct pv_sim *s, struct pv_sim_dump_seen *out);

/* --- XenStore --- */

/*
 * The caller's connection closes and a new one opens, as when the
 * process holding it dies: xenstored discards its open transactions and
 * removes its watches (the sim has one connection: all of them).
 */
void pv_sim_xs_reconnect(struct pv_sim *s);

unsigned int pv_sim_xs_node_count(const struct pv_sim *s);
/* Whether absolute @path exists (no permission check). */
bool pv_sim_xs_exists(const struct pv_sim *s, const char *path);
/* Watch events queued and not yet read. */
unsigned int pv_sim_xs_pending(const struct pv_sim *s);
/* Writes the tree like `xenstore-ls -fp`: path = "value" (perms). */
void pv_sim_xs_dump(const struct pv_sim *s, FILE *f);

/*
 * Called by xs_read_watch when no event is queued, before it gives up
 * with -ETIMEDOUT: the hook can play a guest or backend reacting (write
 * nodes as another caller, change domain state). The caller domid is
 * restored after the hook returns.
 */
typedef void pv_sim_idle_fn(struct pv_sim *s, void *arg);
void pv_sim_on_idle(struct pv_sim *s, pv_sim_idle_fn *fn, void *arg);

#endif
