/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domain.h: PV domain lifecycle: create, destroy, look up, list.
 */
#ifndef PV_DOMAIN_H
#define PV_DOMAIN_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "../ctx.h"
#include "../../config/xlcfg.h"

/* Resolves DOMAIN, a name or a numeric ID, to a domain ID. */
int pv_domain_lookup(struct pv_ctx *ctx, const char *spec, uint32_t *domid,
		     struct pv_err *err);
/* The domain's name from XenStore (caller frees), or NULL. */
char *pv_domain_get_name(struct pv_ctx *ctx, uint32_t domid);

/*
 * Creates, builds and starts a PV domain from a config as the config
 * parsers leave it: validated, its defaults filled. On any failure
 * everything done so far is undone (domain, XenStore nodes, saved
 * config) and @err says which step failed.
 */
int pv_domain_create(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
		     uint32_t *domid, struct pv_err *err);
/* How to create: from a kernel (restore_fd -1) or a save file's stream. */
struct pv_create_opts {
	int restore_fd;		/* >= 0: restore from the libxl stream here */
	bool paused;		/* leave the domain paused */
};
int pv_domain_create_opts(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
			  const struct pv_create_opts *opts, uint32_t *domid,
			  struct pv_err *err);

/*
 * Save and restore (save.c), in xl's save file format. pv_domain_save
 * suspends the guest, writes FILE (a temporary name, synced, renamed),
 * then destroys the domain, or with PV_SAVE_KEEP resumes it (paused
 * with PV_SAVE_PAUSED). A failed save resumes the guest.
 */
#define PV_SAVE_KEEP	(1u << 0)
#define PV_SAVE_PAUSED	(1u << 1)
#define PV_SUSPEND_TIMEOUT_MS 60000
typedef void pv_save_progress_fn(void *arg, uint64_t bytes);
int pv_domain_save(struct pv_ctx *ctx, uint32_t domid, const char *path,
		   unsigned int flags, pv_save_progress_fn *progress, void *arg,
		   struct pv_err *err);
/*
 * Builds the domain saved in @path (its config, or @override), asking
 * the autoscale loop for room as create does; @opts' restore_fd is set
 * here.
 */
int pv_domain_restore(struct pv_ctx *ctx, const char *path,
		      const struct pv_domain_config *override,
		      const struct pv_create_opts *opts, uint32_t *domid,
		      struct pv_err *err);
/*
 * Live migration over two descriptors (to and from the other end), in
 * xl's protocol. The sender's guest runs until the end of the copy; if
 * anything fails before the receiver confirms that it runs there, it is
 * resumed here; the receiver destroys a copy it could not finish.
 * Callers ignore SIGPIPE (the other end may go at any time).
 */
#define PV_MIGRATE_TIMEOUT_MS 120000
struct pv_migrate_opts {
	bool live;			/* copy while it runs (else suspend first) */
	pv_save_progress_fn *progress;
	void *arg;
};
struct pv_migrate_stats {
	uint64_t bytes;			/* of memory sent (libxenguest's count) */
	uint64_t downtime_ms;		/* suspended until the other end ran it */
	uint64_t phase_ms[3];		/* receiver ready, stream sent, done */
};
int pv_domain_migrate_send(struct pv_ctx *ctx, uint32_t domid, int to_fd,
			   int from_fd, const struct pv_migrate_opts *opts,
			   struct pv_migrate_stats *st, struct pv_err *err);
int pv_domain_migrate_receive(struct pv_ctx *ctx, int from_fd, int to_fd,
			      const struct pv_create_opts *opts, uint32_t *domid,
			      struct pv_err *err);
/* True while a save or migration streams @domid (the loop leaves it be). */
bool pv_domain_busy(struct pv_ctx *ctx, uint32_t domid);
/* Resumes a domain suspended for a save (a cancelled suspend). */
int pv_domain_resume(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err);
/* After the memory image: the save file's END record. */
int pv_savefile_read_end(int fd, struct pv_err *err);
/* Destroys a domain and removes its XenStore nodes and saved config. */
int pv_domain_destroy(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err);

/* One row of `pvctl list`. */
struct pv_domain_status {
	struct pv_dominfo info;
	char *name;		/* NULL if XenStore has none */
	/*
	 * NULL, or what a pvctl process does to the domain now ("being
	 * created by pid 42"), or left half done when it was killed
	 * ("incomplete: create by pid 42 was killed"): see pv_domain_cleanup.
	 */
	char *incomplete;
};

/* Lists all domains, or only @domids when @ndomids > 0. */
int pv_domain_list(struct pv_ctx *ctx, const uint32_t *domids, size_t ndomids,
		   struct pv_domain_status **out, size_t *n, struct pv_err *err);
void pv_domain_status_free(struct pv_domain_status *st, size_t n);

/*
 * The config a domain was created from, kept under the state directory
 * as STATE/domains/DOMID.json with the domain's UUID, so that a stale
 * file (an earlier domain with the same ID) is never taken for it.
 * A NULL @uuid means the live domain's.
 */
int pv_domain_config_save(struct pv_ctx *ctx, uint32_t domid, const char *uuid,
			  const struct pv_domain_config *cfg, struct pv_err *err);
int pv_domain_config_load(struct pv_ctx *ctx, uint32_t domid,
			  struct pv_domain_config *cfg, struct pv_err *err);
/*
 * Whether pv_domain_config_load's @rc means the domain has a saved config
 * that cannot be read (empty, truncated, not JSON, a bad value, not a
 * readable file), as opposed to none: -ENOENT (pvctl did not make it),
 * -ESTALE (the file is an earlier domain's), -ESRCH (the domain is gone).
 * Such a domain is pvctl's, but nothing can be done for it from the file.
 */
static inline bool pv_domain_config_damaged(int rc)
{
	return rc && rc != -ENOENT && rc != -ESTALE && rc != -ESRCH;
}
void pv_domain_config_forget(struct pv_ctx *ctx, uint32_t domid);

/*
 * A live change kept in the domain's saved config (saved_edit.c), so
 * that a restart boots what runs and `pvctl apply` compares its files
 * with what runs: the commands that change a running guest (mem-set,
 * mem-max, vcpu-set, block-/network-attach and -detach) call it after
 * the change. The autoscale loop does not: its targets are not the
 * config's. A domain pvctl did not make (no saved config) has nothing
 * to keep: 0.
 */
enum pv_live_what {
	PV_LIVE_MEMORY,		/* @value: the target, KiB */
	PV_LIVE_MAXMEM,		/* @value: the maximum, KiB */
	PV_LIVE_VCPUS,		/* @value: vCPUs online */
	PV_LIVE_ATTACH,		/* @kind device @devid, added from @spec */
	PV_LIVE_DETACH,		/* @kind device @devid, removed */
};

struct pv_live_change {
	enum pv_live_what what;
	uint64_t value;
	const char *kind;	/* "vbd" or "vif" */
	const char *spec;	/* xl-disk/network-configuration syntax */
	uint32_t devid;
};

int pv_domain_config_note(struct pv_ctx *ctx, uint32_t domid,
			  const struct pv_live_change *ch, struct pv_err *err);
/*
 * The device indexes of @domid's vifs, ascending (*ids malloc'd). The
 * saved config's vifs are these, in this order: create adds them in
 * order and an attach takes the index after the highest.
 */
int pv_domain_vif_devids(struct pv_ctx *ctx, uint32_t domid, uint32_t **ids,
			 size_t *n, struct pv_err *err);

/* Writes "poweroff", "reboot" or "halt" to the guest's control/shutdown. */
int pv_domain_request_shutdown(struct pv_ctx *ctx, uint32_t domid,
			       const char *what, struct pv_err *err);
/*
 * Waits until @domid has shut down or is gone (0; *last gets its final
 * state when it still exists) or @timeout_ms passes (-ETIMEDOUT).
 */
int pv_domain_wait_shutdown(struct pv_ctx *ctx, uint32_t domid,
			    int timeout_ms, struct pv_dominfo *last);
int pv_domain_pause(struct pv_ctx *ctx, uint32_t domid, bool pause,
		    struct pv_err *err);
int pv_domain_rename(struct pv_ctx *ctx, uint32_t domid, const char *name,
		     struct pv_err *err);
/* Gives a domain a new UUID and its own /vm entry (rename-restart). */
int pv_domain_new_uuid(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err);

/*
 * What a running domain shows (info.c). pv_domain_console_tty gives the
 * pty xenconsoled serves its console on ("/dev/pts/N", caller frees).
 */
int pv_domain_console_tty(struct pv_ctx *ctx, uint32_t domid, char **tty,
			  struct pv_err *err);
/* Seconds since it started; dom0's is the host's uptime. */
int pv_domain_uptime(struct pv_ctx *ctx, uint32_t domid, uint64_t *secs,
		     struct pv_err *err);
/*
 * Its vCPUs, 0 to its highest, as the hypervisor reports them (*vcpus
 * malloc'd, *n of them: fewer if the domain goes away meanwhile).
 */
int pv_domain_vcpu_list(struct pv_ctx *ctx, uint32_t domid,
			struct pv_vcpuinfo **vcpus, size_t *n,
			struct pv_err *err);
/* Whether a shutdown request waits in control/shutdown, not yet taken. */
bool pv_domain_shutdown_pending(struct pv_ctx *ctx, uint32_t domid);

/*
 * Looking into a guest (debug.c). pv_domain_sysrq sends the guest's
 * kernel a sysrq key (one printable character), as `xl sysrq`.
 * pv_domain_dump_core writes its memory and vCPU state to @path as an
 * ELF core file (0600), as `xl dump-core`: paused meanwhile, for a
 * consistent image, unless @live or it is paused or shut down already;
 * a failed dump leaves no file. Domain-0 is refused.
 */
int pv_domain_sysrq(struct pv_ctx *ctx, uint32_t domid, char key,
		    struct pv_err *err);
int pv_domain_dump_core(struct pv_ctx *ctx, uint32_t domid, const char *path,
			bool live, struct pv_err *err);
/*
 * Where the monitor dumps a guest named @name whose on_* action is
 * coredump-destroy or coredump-restart: STATE/dump/NAME (malloc'd),
 * as xl's /var/lib/xen/dump/NAME; a later dump replaces it.
 */
char *pv_domain_dump_path(struct pv_ctx *ctx, const char *name);

/* Memory (KiB) and vCPUs of a running domain (resources.c). */
int pv_domain_set_target(struct pv_ctx *ctx, uint32_t domid, uint64_t kb,
			 struct pv_err *err);
int pv_domain_set_maxmem(struct pv_ctx *ctx, uint32_t domid, uint64_t kb,
			 struct pv_err *err);
/*
 * The hypervisor's limit (maxmem) for a memory target of @target_kb: a
 * little above it, as libxl sets it, so the guest cannot take more than
 * it was given.
 */
uint64_t pv_domain_mem_limit_kb(uint64_t target_kb);
int pv_domain_set_vcpus(struct pv_ctx *ctx, uint32_t domid, unsigned int n,
			struct pv_err *err);
/*
 * memory/target and memory/static-max (KiB), as the balloon driver sees
 * them; above 1 PiB is -EINVAL. @err may be NULL.
 */
int pv_domain_get_target(struct pv_ctx *ctx, uint32_t domid, uint64_t *kb,
			 struct pv_err *err);
int pv_domain_get_maxmem(struct pv_ctx *ctx, uint32_t domid, uint64_t *kb,
			 struct pv_err *err);
/* How many of vCPUs 0 to @max - 1 the guest has online. */
unsigned int pv_domain_online_vcpus(struct pv_ctx *ctx, uint32_t domid,
				    unsigned int max);
/* Pins @vcpu (-1: all of them) to the CPUs of an xl-style list. */
int pv_domain_pin_vcpu(struct pv_ctx *ctx, uint32_t domid, int vcpu,
		       const char *cpus, struct pv_err *err);
/*
 * Sets @vcpu's (-1: every vCPU's) hard affinity, where it may run, and
 * soft affinity, where the scheduler prefers to run it, from xl-style
 * CPU lists; NULL leaves one as it is.
 */
int pv_domain_set_vcpu_affinity(struct pv_ctx *ctx, uint32_t domid, int vcpu,
				const char *hard, const char *soft,
				struct pv_err *err);

/* The monitor (monitor.c): on_poweroff/on_reboot/on_crash. */
struct pv_monitor_log {
	void (*fn)(void *arg, const char *fmt, ...) PV_PRINTF(2, 3);
	void *arg;
};

/*
 * What killed pvctl processes left half done (cleanup.c): each operation
 * that takes several steps keeps a record in RUN/ops while it runs, and
 * one whose process is gone is finished or undone here:
 *   create, restore    the domain is destroyed, with its devices (loop
 *                      devices, bridge ports), XenStore nodes and config;
 *   destroy            what the domain left (nodes, devices, config);
 *   block-/network-attach  the device it was adding is removed;
 *   block-/network-detach  the device is removed, unless the guest still
 *                      uses it (then it stays, and is said so);
 *   save, migrate      the guest is resumed (a save whose file was
 *                      complete is finished instead: the domain goes);
 *   the monitor's restart  the domain is created again from its config.
 * Each is said through @log; *done counts them. The monitor calls this
 * at each scan; `pvctl cleanup` on demand.
 */
int pv_domain_cleanup(struct pv_ctx *ctx, struct pv_monitor_log *log,
		      size_t *done, struct pv_err *err);

/*
 * Attach and detach on a running domain, recorded for pv_domain_cleanup
 * and kept in its saved config (pv_domain_config_note): @kind is a
 * device kind's name ("vbd", "vif"); for attach, *bad_spec tells a spec
 * that does not parse.
 */
int pv_domain_device_attach(struct pv_ctx *ctx, uint32_t domid,
			    const char *kind, const char *spec, uint32_t *devid,
			    bool *bad_spec, struct pv_err *err);
int pv_domain_device_detach(struct pv_ctx *ctx, uint32_t domid,
			    const char *kind, uint32_t devid, bool force,
			    int timeout_ms, struct pv_err *err);

/*
 * What the monitor keeps from one scan to the next: the domains whose
 * saved config it found damaged and said so, so that it says it once
 * (and again when the error changes or the domain shuts down), not at
 * every scan.
 */
struct pv_monitor_damage;
struct pv_monitor_seen {
	struct pv_monitor_damage *v;
	size_t n;
};
void pv_monitor_seen_init(struct pv_monitor_seen *seen);
void pv_monitor_seen_dispose(struct pv_monitor_seen *seen);

/*
 * One pass: acts on every pvctl domain that has shut down; *managed is
 * the number of pvctl domains that still exist, those whose saved config
 * is damaged included (they are logged, once).
 */
int pv_monitor_scan(struct pv_ctx *ctx, struct pv_monitor_log *log,
		    struct pv_monitor_seen *seen, size_t *managed);
/*
 * Runs until an error, or (with @exit_when_idle) until no pvctl domain
 * is left. -EALREADY if another monitor already runs. With @meter
 * (meter.h), samples the domains at each pass, every
 * PV_METER_INTERVAL_MS at least.
 */
struct pv_meter;
int pv_monitor_run(struct pv_ctx *ctx, struct pv_monitor_log *log,
		   bool exit_when_idle, struct pv_meter *meter);

/*
 * Boot from the guest's own disk (bootloader.c): runs the config's
 * bootloader (pygrub...) on its first disk, which copies the kernel and
 * ramdisk out of it into @b->dir and says with which arguments to boot.
 * pv_boot_cleanup() removes @b->dir and all in it.
 */
struct pv_boot {
	char *dir;
	char *kernel, *ramdisk, *cmdline;
};

int pv_bootloader_run(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
		      struct pv_boot *b, struct pv_err *err);
void pv_boot_cleanup(struct pv_boot *b);

/* XenStore layout of a domain (layout.c); used by create and destroy. */
struct pv_layout {
	uint32_t domid;
	const char *name;
	const char *uuid;		/* text form */
	const char *kernel, *ramdisk, *cmdline;	/* for /vm/UUID/image */
	uint64_t memory_kb, maxmem_kb;
	unsigned int vcpus, maxvcpus;
	uint32_t store_port, console_port;
	uint64_t store_mfn, console_mfn;
};

int pv_layout_write_skeleton(struct pv_ctx *ctx, const struct pv_layout *l,
			     struct pv_err *err);
int pv_layout_write_post_build(struct pv_ctx *ctx, const struct pv_layout *l,
			       struct pv_err *err);
/* Removes every node pvctl writes for @domid (tolerates missing ones). */
void pv_layout_remove(struct pv_ctx *ctx, uint32_t domid);

#endif
