/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter.h: per-domain resource-seconds (metering), for `pvctl usage`
 * and Prometheus.
 *
 * The monitor samples every domain but dom0 every PV_METER_INTERVAL_MS
 * (meter.c) and integrates, per UUID (kept across reboot and rename):
 * the memory Xen says the domain holds, its online vCPUs, the CPU time
 * Xen counts for it, and for guests with pvctl-agent the memory they use
 * (MemTotal - MemAvailable, clamped to what they hold). Files, under
 * STATE/meter/:
 *   state.json   every domain's counters and last sample, rewritten
 *                atomically (fsync'd) at every sample: a crash loses at
 *                most one interval
 *   UUID.jsonl   its history: one line of cumulative counters a minute
 *                (and where an instance starts and ends), thinned by
 *                pv_meter_rotate() (meter_series.c) to the first and last
 *                line of each hour after a day, dropped after 31 days
 * meter_prom.c writes the counters in Prometheus' text format.
 */
#ifndef PV_METER_H
#define PV_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "../../util/uuid.h"

#define PV_METER_INTERVAL_MS	5000
/*
 * A domain first seen at most this long after its start_time is counted
 * from its start (one a create made while the monitor ran, or that
 * started it); an older one from its first sample.
 */
#define PV_METER_BACKFILL_MS	60000ull
#define PV_METER_POINT_MS	60000ull		/* history: a line a minute */
#define PV_METER_FINE_MS	(24ull * 3600 * 1000)	/* ... for a day, */
#define PV_METER_COARSE_MS	(3600ull * 1000)	/* then two an hour */
#define PV_METER_KEEP_MS	(31ull * 24 * 3600 * 1000)	/* until then */
/* node_exporter's textfile collector reads *.prom in this directory (Debian). */
#define PV_METER_PROM_FILE	"/var/lib/prometheus/node-exporter/pvctl.prom"
/* Destroyed domains' counters stay in the Prometheus output this long. */
#define PV_METER_PROM_GONE_MS	(3600ull * 1000)

/* What a domain used, cumulative (or over a window: pv_meter_usage). */
struct pv_meter_counters {
	uint64_t alive_ms;	/* time metered while it existed */
	uint64_t mem_mib_ms;	/* memory it held x time */
	uint64_t vcpu_ms;	/* online vCPUs x time */
	uint64_t cpu_ns;	/* CPU time it used (Xen's) */
	uint64_t used_mib_ms;	/* memory its agent says it uses x time */
	uint64_t agent_ms;	/* the time with agent reports */
};

/* One UUID's record. */
struct pv_meter_dom {
	char uuid[PV_UUID_STRLEN + 1];
	char *name;		/* the last one seen (NULL: unknown) */
	uint32_t domid;		/* of its instance, with start_time */
	uint64_t start_time;	/* its /vm/UUID/start_time (s), 0: unknown */
	uint64_t last_ms;	/* wall clock of its last sample */
	/* that sample */
	uint64_t mem_kb, target_kb, used_kb;
	unsigned int vcpus;
	bool have_used;		/* used_kb came from a valid agent report */
	uint64_t xen_cpu_ns;	/* Xen's CPU time of the instance */
	struct pv_meter_counters c;
	uint64_t point_ms;	/* its last history line */
	bool present;		/* in the last sample */
	/* not kept across restarts */
	bool sampled;		/* by this process, in its last sample */
	bool seen;		/* in the sample being taken */
	uint64_t mono_ms;	/* monotonic clock of its last sample */
};

/*
 * Reads a guest agent's report, validated as the autoscale loop does
 * (lib/balloon, a layer above: the monitor's caller passes it in), and
 * says how much memory the guest uses (MemTotal - MemAvailable). False
 * when there is no valid report.
 */
typedef bool pv_meter_agent_fn(struct pv_ctx *ctx, uint32_t domid,
			       uint64_t static_max_kb, uint64_t *used_kb);

struct pv_meter_http;

struct pv_meter {
	char *dir;		/* STATE/meter */
	char *status_file;	/* RUN/autoscale.json: need and pressure */
	char *prom_file;	/* NULL: none */
	bool prom_if_dir;	/* write it only if its directory exists */
	char *listen;		/* serve it on this loopback ADDR:PORT */
	pv_meter_agent_fn *agent;	/* NULL: no used memory */
	/* The clocks, in ms: the wall clock for records, the other for spans. */
	uint64_t (*wall_ms)(void);
	uint64_t (*mono_ms)(void);
	struct pv_meter_dom *doms;
	size_t n, cap;
	bool loaded;
	uint64_t sample_ms;	/* wall clock of the last sample */
	uint64_t rotate_ms;	/* of the last pv_meter_rotate() */
	char *last_error;	/* logged once, until it changes */
	struct pv_meter_http *http;	/* serving, when listen is set */
};

/* Files in @ctx's state directory, PV_METER_PROM_FILE if its directory exists. */
void pv_meter_init(struct pv_meter *m, const struct pv_ctx *ctx);
void pv_meter_dispose(struct pv_meter *m);
/*
 * Reads state.json; without one, or when it does not parse (an error),
 * the counters from the history files' last lines. The first sample of
 * a monitor loads, and keeps a bad state.json as state.json.bad.
 */
int pv_meter_load(struct pv_meter *m, struct pv_err *err);
/*
 * One sample: integrates since the last one, writes state.json, the
 * history lines due and the Prometheus file. A domain is one instance
 * while its domid and start_time stay and its CPU time does not go
 * back; a new instance (a reboot, a restore) adds from its start.
 */
int pv_meter_sample(struct pv_meter *m, struct pv_ctx *ctx, struct pv_err *err);
/*
 * The monitor's hook: samples, rotates hourly and serves m->listen;
 * logs an error once, until a different one comes.
 */
void pv_meter_tick(struct pv_meter *m, struct pv_ctx *ctx,
		   struct pv_monitor_log *log);
/*
 * Thins every history file (lines older than a day: the first and last
 * of each hour), drops lines older than 31 days, and forgets a domain
 * that is gone with nothing left (meter_series.c).
 */
int pv_meter_rotate(struct pv_meter *m, struct pv_err *err);
/* Finds the record of @uuid (NULL: none). */
struct pv_meter_dom *pv_meter_find(struct pv_meter *m, const char *uuid);

/* What a domain used over a window: `pvctl usage`. */
struct pv_usage {
	char uuid[PV_UUID_STRLEN + 1];
	char *name;
	uint32_t domid;
	bool present;		/* it exists (as of the last sample) */
	uint64_t from_ms, to_ms;	/* the part of the window with records */
	struct pv_meter_counters d;	/* the growth over the window */
};

/*
 * Every domain that existed between @since_ms and @until_ms (wall clock;
 * @since_ms 0: from its first sample), from @m's files (pv_meter_load
 * first), sorted by name. Between history lines, counters are taken to
 * grow evenly.
 */
int pv_meter_usage(struct pv_meter *m, uint64_t since_ms, uint64_t until_ms,
		   struct pv_usage **u, size_t *n, struct pv_err *err);
void pv_usage_free(struct pv_usage *u, size_t n);
/*
 * A time for --since/--until, in wall clock ms: "now", epoch seconds
 * ("1765190400"), ISO-8601 ("2026-12-08", "2026-12-08T10:30[:00]", a
 * space for the T, then "Z" or "+01:00" or nothing for local time), or
 * relative to @now_ms ("-90s", "-30m", "-1h", "-7d"). -EINVAL if not.
 */
int pv_meter_parse_time(const char *s, uint64_t now_ms, uint64_t *ms);

/* Prometheus (meter_prom.c). */
/* The text exposition format of @m's counters and gauges. */
void pv_meter_prom_text(const struct pv_meter *m, struct pv_buf *out);
/* Appends @s as a label value: \ " and newline escaped. */
void pv_meter_prom_escape(struct pv_buf *out, const char *s);
/*
 * Checks a loopback ADDR:PORT ("127.0.0.1:9100", "[::1]:9100"); any other
 * address is refused (the figures are not for the network to read).
 */
int pv_meter_check_listen(const char *spec, struct pv_err *err);
/* Serves the latest text on m->listen, in a thread (GET /metrics). */
int pv_meter_listen(struct pv_meter *m, struct pv_err *err);
/* The port it listens on (useful with port 0), or -1. */
int pv_meter_listen_port(const struct pv_meter *m);

#endif
