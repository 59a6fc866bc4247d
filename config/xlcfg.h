/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xlcfg.h: the domain configuration pvctl reads from xl.cfg files.
 *
 * The syntax is xl's (see xl.cfg(5)): `key = value` lines where a value
 * is a number, a string in single or double quotes, or a list of those
 * in brackets; comments run from '#' to the end of a line. pvctl runs PV
 * guests only.
 */
#ifndef PV_XLCFG_H
#define PV_XLCFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "../util/util.h"

/* What to do when a guest powers off, reboots or crashes (xl.cfg names). */
enum pv_action {
	PV_ACTION_DESTROY,
	PV_ACTION_RESTART,
	PV_ACTION_RENAME_RESTART,
	PV_ACTION_PRESERVE,
	PV_ACTION_COREDUMP_DESTROY,
	PV_ACTION_COREDUMP_RESTART,
};

const char *pv_action_name(enum pv_action a);
int pv_action_parse(const char *s, enum pv_action *out);

/* One `disk = [...]` entry, in xl-disk-configuration(5) syntax. */
struct pv_disk_spec {
	char *target;		/* file or block device path; NULL: empty cdrom */
	char *vdev;		/* "xvda", "hda", "sdb"... */
	int readwrite;		/* access=rw/w (1) or ro/r (0) */
	int cdrom;		/* devtype=cdrom or the ":cdrom" suffix */
	char *format;		/* "raw" (default), "qcow2", ... */
	char *backendtype;	/* "phy", "tap", "qdisk" or NULL (pick) */
	char *script;		/* script= hook or NULL */
	int is_phy_prefix;	/* target was given as "phy:/dev/..." */
	char *backend;		/* backend= domain name or NULL (dom0) */
};

/* One `vif = [...]` entry, in xl-network-configuration(5) syntax. */
struct pv_vif_spec {
	char *mac;		/* "00:16:3e:xx:xx:xx" or NULL (generated) */
	char *bridge;		/* NULL: default bridge "xenbr0" */
	char *ip;
	char *rate;
	char *type;		/* "vif" (default) or "ioemu" */
	char *script;
	char *vifname;
	char *model;
	char *backend;		/* backend domain name or NULL (dom0) */
	uint64_t mtu;		/* 0: unset */
};

struct pv_domain_config {
	char *name;
	char *uuid;		/* canonical text form, or NULL: generate */
	char *kernel;
	char *ramdisk;
	char *cmdline;		/* cmdline/extra/root combined as xl does */
	char *bootloader;
	char *bootloader_args;	/* as one string (list items joined by ' ') */
	char **bootloader_argv;	/* the same as argv, NULL-terminated, or NULL */
	size_t bootloader_argc;
	uint64_t memory_mb;	/* initial (target) memory */
	uint64_t maxmem_mb;	/* 0 in the file means "= memory" */
	unsigned int vcpus;	/* online at start */
	unsigned int maxvcpus;	/* 0 in the file means "= vcpus" */
	char *cpus;		/* pinning spec as given, or NULL */
	char *cpus_soft;	/* soft affinity spec as given, or NULL */
	/* The credit/credit2 scheduler's share: 0 leaves the scheduler's. */
	unsigned int cpu_weight;	/* 1..65535 (the default is 256) */
	unsigned int cap;		/* % of one CPU; 0: no cap */
	/* Limits fixed at domain create; -1: Xen's default, as xl 4.17. */
	int max_grant_frames;
	int max_maptrack_frames;
	unsigned int max_event_channels;	/* 0 in the file: 1023 */
	bool nomigrate;		/* save and migrate refuse the domain */
	enum pv_action on_poweroff;
	enum pv_action on_reboot;
	enum pv_action on_crash;
	struct pv_disk_spec *disks;
	size_t ndisks;
	struct pv_vif_spec *vifs;
	size_t nvifs;
	char *source;		/* path of the file it was read from, or NULL */
};

void pv_domain_config_init(struct pv_domain_config *c);
void pv_domain_config_dispose(struct pv_domain_config *c);
void pv_disk_spec_init(struct pv_disk_spec *d);
void pv_disk_spec_dispose(struct pv_disk_spec *d);
void pv_vif_spec_init(struct pv_vif_spec *v);
/* A vif's rate= in netback's terms: bytes per interval, interval in us. */
int pv_vif_rate_parse(const char *rate, uint64_t *bytes_per_interval,
		      uint32_t *interval_us);
void pv_vif_spec_dispose(struct pv_vif_spec *v);

/*
 * Receives warnings (unknown keys, HVM-only keys): @where is "file:line:col",
 * @key the key concerned. May be NULL to drop warnings.
 */
typedef void pv_warn_fn(void *ctx, const char *where, const char *key,
			const char *msg);

/*
 * Parses an xl.cfg file (or a string; @source names it in messages) into
 * @c, which must be initialised. Errors are reported in @err as
 * "FILE:LINE:COL: KEY: what is wrong". Overrides ("key=value" strings, as
 * on xl's command line) are applied after the file, in order, as if they
 * were extra lines. Defaults are filled in and the result validated.
 * A key pvctl cannot honour is an error (see pv_xlcfg_keys()); keys with
 * no effect on a PV guest, unknown keys and duplicate keys in the file
 * are passed to @warn; the last value of a key wins, as in xl. On
 * failure @c is left empty (initialised).
 */
int pv_xlcfg_parse_file(const char *path, char *const *overrides, int noverrides,
			struct pv_domain_config *c, pv_warn_fn *warn,
			void *warn_ctx, struct pv_err *err);
int pv_xlcfg_parse_string(const char *text, const char *source,
			  char *const *overrides, int noverrides,
			  struct pv_domain_config *c, pv_warn_fn *warn,
			  void *warn_ctx, struct pv_err *err);

/*
 * The virtual device number of a vdev ("xvda", "xvdb1", "hdc", "sda",
 * "d0p1" or a number) as Xen's vbd interface defines it; -EINVAL for
 * anything else. The one place that decides which vdevs are valid.
 */
int pv_vdev_to_devid(const char *vdev, uint32_t *devid);

/*
 * A CPU list as xl takes it (cpus=, vcpu-pin): comma-separated items,
 * each "all", "N" or "N-M", "^" before one removes its CPUs ("0-3,^2").
 * Fills @map (PV_CPUMAP_MAX_CPUS bits); CPUs from @nr_cpus up are an
 * error (-EINVAL, as is bad syntax).
 */
#define PV_CPUMAP_MAX_CPUS	256
int pv_cpumap_parse(const char *s, unsigned int nr_cpus, uint8_t *map,
		    struct pv_err *err);

/*
 * Whether pvctl can serve a disk or vif as specified (format, backend
 * type, driver domain, emulated NIC...): -EINVAL with the reason when
 * not. The config reader refuses such entries; attach does too.
 */
int pv_disk_spec_supported(const struct pv_disk_spec *d, struct pv_err *err);
int pv_vif_spec_supported(const struct pv_vif_spec *v, struct pv_err *err);

/*
 * What pvctl does with each key of xl.cfg(5) (Xen 4.17's xl, and a few
 * of later ones): honours it, refuses a config that has it (an error
 * naming file, line and key), or ignores it with a warning because it
 * has no effect on a PV guest. pvctl-xl.cfg(5) lists the same, and a
 * unit test holds the two together. Keys not listed warn as unknown.
 */
enum pv_xlcfg_key_use {
	PV_KEY_HONOURED,
	PV_KEY_REFUSED,
	PV_KEY_IGNORED,
};

struct pv_xlcfg_key {
	const char *name;
	enum pv_xlcfg_key_use use;
	const char *why;	/* refused or ignored: the reason; else NULL */
};

/* Every key, sorted by name, into *@keys (caller frees); returns the count. */
size_t pv_xlcfg_keys(struct pv_xlcfg_key **keys);

/* Parses one disk or vif spec string (also used by block-/network-attach). */
int pv_disk_spec_parse(const char *spec, struct pv_disk_spec *d, struct pv_err *err);
int pv_vif_spec_parse(const char *spec, struct pv_vif_spec *v, struct pv_err *err);
/*
 * The same, passing warnings (ignored flags, unknown vif keys) to @warn
 * with @where (for example "file:3:8") as their location.
 */
int pv_disk_spec_parse_ex(const char *spec, struct pv_disk_spec *d,
			  pv_warn_fn *warn, void *warn_ctx, const char *where,
			  struct pv_err *err);
int pv_vif_spec_parse_ex(const char *spec, struct pv_vif_spec *v,
			 pv_warn_fn *warn, void *warn_ctx, const char *where,
			 struct pv_err *err);

/* Checks a domain name the way xl does (non-empty, no '/', not numeric...). */
int pv_domain_name_valid(const char *name, struct pv_err *err);

/*
 * JSON form of a config, used for --dry-run output and for the copy kept
 * with each running domain. from_json accepts what to_json writes; like
 * the parse functions it takes an initialised @c, replaces its contents,
 * fills defaults and validates, and leaves @c empty on failure.
 */
struct pv_jw;
/*
 * An object into @w (after a key, or at the top); 0, or -EINVAL if @w
 * failed or a string of @c was not UTF-8 (written as U+FFFD).
 */
int pv_domain_config_to_json(const struct pv_domain_config *c, struct pv_jw *w);
/*
 * Appends @c as xl.cfg text that parses back to the same config (save
 * files carry it); -EINVAL when a disk or vif value holds a comma, which
 * a spec cannot express.
 */
int pv_domain_config_to_xlcfg(const struct pv_domain_config *c,
			      struct pv_buf *out, struct pv_err *err);
/*
 * Appends the config in libxl's JSON (what xl writes into its save
 * files) as xl.cfg text; -ENOTSUP for a guest or device pvctl cannot run.
 */
int pv_libxl_json_to_xlcfg(const char *json, struct pv_buf *out,
			   struct pv_err *err);
int pv_domain_config_from_json(yajl_val root, struct pv_domain_config *c,
			       struct pv_err *err);

#endif
