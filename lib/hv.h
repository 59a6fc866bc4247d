/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv.h: the one interface through which libpvctl reaches the hypervisor
 * and XenStore.
 *
 * lib/hv_xen.c implements it on libxenctrl and libxenguest, and its
 * XenStore half (lib/hv_xenstore.c) on libxenstore;
 * tests/sim/ implements it in memory for the unit tests. Nothing above
 * this header sees a libxenctrl or libxenstore type. Every operation
 * returns 0 or a negative errno.
 */
#ifndef PV_HV_H
#define PV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A XenStore transaction; PV_XBT_NULL is "outside any transaction". */
typedef uint32_t pv_xbt;
#define PV_XBT_NULL 0

/* XenStore node permissions, as in xenstore's XS_PERM_*. */
enum {
	PV_XS_PERM_NONE = 0,
	PV_XS_PERM_READ = 1,
	PV_XS_PERM_WRITE = 2,
	PV_XS_PERM_BOTH = 3,
};

/*
 * A node's permission list: the first entry names the owner (who may do
 * anything) and the access everyone else gets; later entries grant a
 * domain specific access.
 */
struct pv_xs_perm {
	uint32_t domid;
	unsigned int perm;
};

/* Domain state as the hypervisor reports it. */
struct pv_dominfo {
	uint32_t domid;
	uint8_t uuid[16];
	uint64_t cur_kb;	/* memory the domain holds now */
	uint64_t max_kb;	/* hypervisor limit (maxmem) */
	uint64_t outstanding_kb;
	uint64_t cpu_time_ns;
	unsigned int online_vcpus;
	unsigned int max_vcpu_id;
	bool dying, crashed, shutdown, paused, blocked, running, hvm;
	unsigned int shutdown_reason;	/* PV_SHUTDOWN_* when shutdown */
};

enum {
	PV_SHUTDOWN_POWEROFF = 0,
	PV_SHUTDOWN_REBOOT = 1,
	PV_SHUTDOWN_SUSPEND = 2,
	PV_SHUTDOWN_CRASH = 3,
	PV_SHUTDOWN_WATCHDOG = 4,
	PV_SHUTDOWN_SOFT_RESET = 5,
};

struct pv_physinfo {
	unsigned int nr_cpus;
	unsigned int nr_nodes;
	unsigned int cpu_mhz;
	uint64_t total_kb;
	uint64_t free_kb;
	unsigned int xen_major, xen_minor;
	char xen_extra[32];
	char xen_caps[128];
};

/* One vCPU as the hypervisor reports it. */
#define PV_MAX_CPUS 256
struct pv_vcpuinfo {
	bool online, blocked, running;
	int cpu;			/* physical CPU it runs on, -1: none */
	uint64_t cpu_time_ns;
	uint8_t affinity[PV_MAX_CPUS / 8];	/* hard affinity bitmap */
	uint8_t soft_affinity[PV_MAX_CPUS / 8];	/* where it prefers to run */
};

/* What the PV domain builder needs (see pv_hv_ops.build_pv). */
struct pv_build_req {
	const char *kernel_path;	/* read from a file... */
	const void *kernel_mem;		/* ...or from memory, when not NULL */
	size_t kernel_size;
	const char *ramdisk_path;	/* NULL: none */
	const char *cmdline;
	uint64_t memory_kb;		/* populated at boot */
	uint64_t maxmem_kb;		/* the hypervisor's limit, set as given */
	uint64_t static_max_kb;		/* sizes the guest's memory map (e820): */
					/* what it may balloon up to */
	unsigned int max_vcpus;
	/*
	 * Restore instead of boot: the domain's memory and vCPU state come
	 * from the libxc migration stream (v2) read from @stream_fd, which
	 * is left just past the stream's end; no kernel is loaded.
	 */
	bool restore;
	int stream_fd;
	uint32_t store_port;		/* event channels, allocated before */
	uint32_t console_port;
	bool want_unpacked;		/* return the unpacked kernel image */
};

/* What the builder gives back: the frames for the store and console rings. */
struct pv_build_out {
	uint64_t store_mfn;
	uint64_t console_mfn;
	uint64_t timings_ms[4];		/* load, parse+mem, build, boot */
	void *unpacked;			/* with want_unpacked: malloc'd copy of */
	size_t unpacked_size;		/* the kernel as the builder unpacked it */
};

/*
 * Limits fixed when a domain is made (xen_domctl_createdomain's), from
 * xl.cfg's max_grant_frames, max_maptrack_frames, max_event_channels.
 */
struct pv_create_limits {
	int max_grant_frames;		/* -1: Xen's default (gnttab_max_frames) */
	int max_maptrack_frames;	/* -1: Xen's default */
	unsigned int max_evtchn_port;	/* the highest event channel port */
};

/* The schedulers, by Xen's XEN_SCHEDULER_* numbers (sched_id). */
enum {
	PV_SCHED_CREDIT = 5,
	PV_SCHED_CREDIT2 = 6,
	PV_SCHED_ARINC653 = 7,
	PV_SCHED_RTDS = 8,
	PV_SCHED_NULL = 9,
};

/* A domain's share in the credit and credit2 schedulers. */
struct pv_sched_credit {
	unsigned int weight;	/* relative, 1..65535; 256 by default */
	unsigned int cap;	/* % of one CPU the domain may use; 0: none */
};

struct pv_hv_ops {
	/* --- hypervisor --- */
	int (*physinfo)(void *h, struct pv_physinfo *pi);
	/*
	 * Creates a paused, empty PV domain; @lim NULL: Xen's defaults,
	 * and 1023 event channels (libxl's default).
	 */
	int (*domain_create)(void *h, const uint8_t uuid[16],
			     unsigned int max_vcpus,
			     const struct pv_create_limits *lim, uint32_t *domid);
	int (*domain_destroy)(void *h, uint32_t domid);
	int (*domain_pause)(void *h, uint32_t domid);
	int (*domain_unpause)(void *h, uint32_t domid);
	/* Asks Xen to shut the domain down with PV_SHUTDOWN_@reason. */
	int (*domain_shutdown)(void *h, uint32_t domid, unsigned int reason);
	/* -ESRCH if there is no such domain. */
	int (*domain_getinfo)(void *h, uint32_t domid, struct pv_dominfo *info);
	/* Fills up to @max entries in domid order, sets *n to the count. */
	int (*domain_list)(void *h, struct pv_dominfo *infos, size_t max,
			   size_t *n);
	/*
	 * Sets the hypervisor's limit on the domain's memory, as given: the
	 * caller (lib/domain) decides any slack above the target.
	 */
	int (*domain_setmaxmem)(void *h, uint32_t domid, uint64_t kb);
	/* Changes the domain's UUID (Xen's domain handle). */
	int (*domain_set_handle)(void *h, uint32_t domid, const uint8_t uuid[16]);
	/* Allocates an unbound event channel in @domid for @remote_domid. */
	int (*evtchn_alloc_unbound)(void *h, uint32_t domid,
				    uint32_t remote_domid, uint32_t *port);
	/*
	 * Loads and starts the kernel in a domain made by domain_create,
	 * after setting its limits (req->maxmem_kb, as domain_setmaxmem,
	 * and the memory map) from @req.
	 */
	int (*build_pv)(void *h, uint32_t domid, const struct pv_build_req *req,
			struct pv_build_out *out, char **errmsg);
	/*
	 * Writes the domain's memory and vCPU state to @fd as a libxc
	 * migration stream (v2), calling @suspend(@arg) once to have the
	 * guest suspend (it returns 0 when the domain has shut down with
	 * PV_SHUTDOWN_SUSPEND): at once, or with @live after copying its
	 * memory while it runs, round after round, until little changes.
	 * @fd must block. @sent(@arg, bytes) reports progress when not NULL.
	 */
	int (*domain_save)(void *h, uint32_t domid, int fd, bool live,
			   int (*suspend)(void *arg),
			   void (*sent)(void *arg, uint64_t bytes), void *arg,
			   char **errmsg);
	/*
	 * Resumes a domain suspended for a save, as a cancelled suspend: the
	 * guest keeps its connections (it must support SUSPEND_CANCEL).
	 */
	int (*domain_resume)(void *h, uint32_t domid);
	/*
	 * Sets a vCPU's hard affinity (where it may run) and soft affinity
	 * (where the scheduler prefers to run it, within the hard one); a
	 * NULL map leaves that one as it is.
	 */
	int (*vcpu_set_affinity)(void *h, uint32_t domid, unsigned int vcpu,
				 const uint8_t *hard, const uint8_t *soft,
				 size_t nbits);
	/* -ENOENT past the domain's last vCPU. */
	int (*vcpu_getinfo)(void *h, uint32_t domid, unsigned int vcpu,
			    struct pv_vcpuinfo *vi);

	/* --- Xen's console ring, debug keys, core dumps --- */
	/*
	 * Reads Xen's console ring from *@index on (0: its oldest byte):
	 * up to *@len bytes into @buf, *@len set to how many came (0: none
	 * left), *@index to where the next read starts. With @clear, Xen
	 * forgets what has been read (later reads from 0 start after it).
	 */
	int (*console_read)(void *h, char *buf, size_t *len, bool clear,
			    uint32_t *index);
	/* Has Xen act on each of @keys as if typed on its serial console. */
	int (*send_debug_keys)(void *h, const char *keys);
	/*
	 * Writes @domid's memory and vCPU state to @path as an ELF core file
	 * (created 0600, or truncated). The domain runs on meanwhile: the
	 * caller pauses it for a consistent image. On failure *@errmsg
	 * (malloc'd, when not NULL) says why.
	 */
	int (*domain_dumpcore)(void *h, uint32_t domid, const char *path,
			       char **errmsg);
	/* --- scheduler share, nomigrate (xl.cfg cpu_weight, cap, nomigrate) --- */
	/* The scheduler (PV_SCHED_*) of the CPU pool the domain runs in. */
	int (*sched_id)(void *h, uint32_t domid, unsigned int *sched);
	/*
	 * A domain's weight and cap in scheduler @sched, PV_SCHED_CREDIT or
	 * PV_SCHED_CREDIT2 (-EINVAL when the domain runs in another). Set:
	 * a weight of 0 leaves the weight as it is.
	 */
	int (*sched_credit_get)(void *h, uint32_t domid, unsigned int sched,
				struct pv_sched_credit *p);
	int (*sched_credit_set)(void *h, uint32_t domid, unsigned int sched,
				const struct pv_sched_credit *p);
	/*
	 * A domain that will never migrate (nomigrate): as libxl does for
	 * it, gives it Xen's default CPUID policy with the host's invariant
	 * TSC shown (ITSC promises a TSC rate no other host need match).
	 * Since Xen 4.15 this is all the hypervisor knows of it; the
	 * refusal to save or migrate is the toolstack's. Before the build.
	 */
	int (*domain_set_nomigrate)(void *h, uint32_t domid);

	/* --- XenStore --- */
	/* *val is malloc'd and NUL-terminated; -ENOENT if absent. */
	int (*xs_read)(void *h, pv_xbt t, const char *path, char **val,
		       size_t *len);
	int (*xs_write)(void *h, pv_xbt t, const char *path, const char *val,
			size_t len);
	int (*xs_mkdir)(void *h, pv_xbt t, const char *path);
	int (*xs_rm)(void *h, pv_xbt t, const char *path);
	/* *names is a malloc'd array of malloc'd strings. */
	int (*xs_directory)(void *h, pv_xbt t, const char *path, char ***names,
			    size_t *n);
	int (*xs_set_perms)(void *h, pv_xbt t, const char *path,
			    const struct pv_xs_perm *perms, size_t n);
	int (*xs_get_perms)(void *h, pv_xbt t, const char *path,
			    struct pv_xs_perm **perms, size_t *n);
	int (*xs_transaction_start)(void *h, pv_xbt *t);
	/* -EAGAIN when a committing transaction conflicted: retry it. */
	int (*xs_transaction_end)(void *h, pv_xbt t, bool abort);
	int (*xs_watch)(void *h, const char *path, const char *token);
	int (*xs_unwatch)(void *h, const char *path, const char *token);
	/*
	 * Waits up to @timeout_ms (-1: forever) for a watch event; -ETIMEDOUT
	 * when none came. *path and *token are malloc'd.
	 */
	int (*xs_read_watch)(void *h, int timeout_ms, char **path, char **token);
	/*
	 * A descriptor that polls readable when a watch event may be
	 * waiting, for callers that wait on other descriptors too; -1 when
	 * there is none (then poll with a timeout and ask xs_read_watch).
	 */
	int (*xs_fileno)(void *h);
	int (*xs_introduce)(void *h, uint32_t domid, uint64_t store_mfn,
			    uint32_t store_port);
	int (*xs_release)(void *h, uint32_t domid);
	/* Tells xenstored a suspended domain runs again (its next shutdown fires @releaseDomain). */
	int (*xs_resume)(void *h, uint32_t domid);

	void (*close)(void *h);
};

/* An open connection to a hypervisor (real or simulated). */
struct pv_hv {
	const struct pv_hv_ops *ops;
	void *h;
};

struct pv_err;

/* Opens the real hypervisor through libxenctrl and libxenstore. */
int pv_hv_open_xen(struct pv_hv *hv, struct pv_err *err);
void pv_hv_close(struct pv_hv *hv);

#endif
