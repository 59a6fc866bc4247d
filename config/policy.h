/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h: autoscale policy files (see pvctl-policy(5)).
 *
 * A policy directory holds one policy per `*.policy` file, in xl.cfg
 * syntax (`key = value` lines; config/cfg_parse.c reads them). The file
 * host.policy holds host-wide settings; every other file is a domain
 * policy whose `match` globs pick the domains it governs. For a domain,
 * the first domain policy in lexical (byte) order of file name whose
 * patterns match its name applies.
 *
 * Unlike xl.cfg, nothing is ignored: an unknown key, a key set twice, a
 * host key in a domain policy or a domain key in host.policy is an
 * error, so that a typo cannot silently loosen a guardrail.
 */
#ifndef PV_POLICY_H
#define PV_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

#define PV_POLICY_DIR		"/etc/pvctl/policy.d"
#define PV_POLICY_HOST_FILE	"host.policy"
#define PV_POLICY_SUFFIX	".policy"

/* One domain policy. Sizes in KiB, times in seconds. */
struct pv_policy {
	char *file;		/* the file it came from */
	char **match;		/* fnmatch(3) globs on the domain name */
	size_t nmatch;
	unsigned int priority;	/* 0..100: served first when memory is short */
	unsigned int weight;	/* 1..1000: share of memory above floors */
	uint64_t mem_min_kb;	/* floor */
	uint64_t mem_max_kb;	/* ceiling; 0: the domain's maxmem */
	unsigned int headroom_pct;	/* keep MemAvailable >= this % of MemTotal */
	uint64_t margin_kb;	/* ... and this much more, whatever the size */
	uint64_t low_water_kb;	/* MemAvailable below it: grow at once */
	unsigned int settle_s;	/* no shrink this long after the first report */
	unsigned int shrink_pct;	/* a shrink takes at most this % of the target */
	unsigned int pressure_high;	/* PSI some avg10, hundredths of a %: grow above */
	unsigned int pressure_low;	/* ... may shrink below */
	uint64_t step_max_kb;	/* largest change per tick */
	uint64_t step_min_kb;	/* smaller shrinks are not made (hysteresis) */
	unsigned int cooldown_up_s, cooldown_down_s;
	unsigned int vcpu_min;
	unsigned int vcpu_max;	/* 0: the domain's maxvcpus */
	unsigned int vcpu_up_util, vcpu_down_util;	/* whole percent */
	unsigned int vcpu_hold_s;	/* a threshold must hold this long */
	unsigned int runaway_s;	/* at the ceiling this long: runaway */
};

/* The settings of host.policy. */
struct pv_host_policy {
	uint64_t reserve_kb;	/* never handed to guests */
	unsigned int interval_s;	/* the tick */
	unsigned int uncooperative_s;	/* target not reached in this: not counted on */
	char *audit_log;	/* absolute path */
	char *webhook;		/* http(s) URL or NULL */
	unsigned int webhook_timeout_s, webhook_retries;
};

/* A loaded policy directory: host settings and domain policies in order. */
struct pv_policy_set {
	struct pv_host_policy host;
	struct pv_policy *policies;
	size_t n;
};

/* _init fills in the defaults (pvctl-policy(5)); _dispose frees. */
void pv_policy_init(struct pv_policy *p);
void pv_policy_dispose(struct pv_policy *p);
void pv_host_policy_init(struct pv_host_policy *h);
void pv_host_policy_dispose(struct pv_host_policy *h);
/* An empty set: host defaults, no domain policies. */
void pv_policy_set_init(struct pv_policy_set *s);
void pv_policy_set_dispose(struct pv_policy_set *s);

/*
 * Loads every `*.policy` file in @dir (names starting with '.' are
 * skipped) in lexical byte order into @s, which must be initialised.
 * All or nothing: on success @s is replaced; on any failure @s is left
 * as it was and @err holds the failing file's error, "FILE:LINE:COL:
 * KEY: message" or "FILE: message". An empty directory, or one without
 * host.policy, gives the defaults; a missing directory is -ENOENT.
 */
int pv_policy_load_dir(const char *dir, struct pv_policy_set *s,
		       struct pv_err *err);

/*
 * Adds one file to @s: host settings if its name is host.policy (they
 * replace @s->host), otherwise a domain policy appended after the
 * others. On failure @s is unchanged.
 */
int pv_policy_load_file(const char *path, struct pv_policy_set *s,
			struct pv_err *err);

/*
 * The same for text already in memory; @source names it in messages and
 * decides, like a file name, whether it is host.policy.
 */
int pv_policy_load_string(const char *text, const char *source,
			  struct pv_policy_set *s, struct pv_err *err);

/* The policy for domain @domname (first match wins), or NULL. */
const struct pv_policy *pv_policy_match(const struct pv_policy_set *s,
					const char *domname);

/*
 * JSON objects for status and plan output. Keys are the file's, with the
 * unit in the name (memory_min_kb, cooldown_up_s, pressure_high_pct as a
 * decimal); an unset ceiling (the domain's maxmem) and "maxvcpus" are
 * null. Returns 0 or -EIO if @w failed.
 */
struct pv_jw;
int pv_policy_to_json(const struct pv_policy *p, struct pv_jw *w);
int pv_host_policy_to_json(const struct pv_host_policy *h, struct pv_jw *w);

#endif
