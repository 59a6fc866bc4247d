/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.h: the values pvctl-agent publishes, derived from two samples,
 * when they are worth publishing early, and their key=value form.
 * Like sample.h, free of Xen.
 */
#ifndef PV_AGENT_REPORT_H
#define PV_AGENT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"
#include "../proto/agent.h"

#define PV_AGENT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* A report: the fields present (proto/agent.h) and their values. */
struct pv_agent_report {
	unsigned int have;		/* bit (1u << PV_F_*) per present field */
	uint64_t v[PV_F_NR];
};

/* While urgent (pv_agent_urgent), the agent samples this often, and
 * its reports may be this close together. */
#define PV_AGENT_FAST_MS 200

/* Node name of a field, without the directory ("mem_total_kb"). */
const char *pv_agent_field_name(enum pv_agent_field f);

/* The report for the interval from @prev to @cur (rates and CPU use). */
void pv_agent_report_compute(struct pv_agent_report *r,
			     const struct pv_agent_sample *prev,
			     const struct pv_agent_sample *cur);

/*
 * Whether @now differs enough from @last (the last published report) to
 * publish before the period is up; @why, if not NULL, names the field.
 * An OOM kill always is; time_ms never is.
 */
bool pv_agent_report_significant(const struct pv_agent_report *last,
				 const struct pv_agent_report *now,
				 const char **why);

/*
 * The same test while urgent: MemAvailable moving by 1 MiB (or 5% of
 * MemTotal, when that is less) is enough.
 */
bool pv_agent_report_significant_urgent(const struct pv_agent_report *last,
					const struct pv_agent_report *now,
					const char **why);

/*
 * Whether memory is short or going fast in @cur, the latest sample, with
 * @prev the sample before it: MemAvailable below @low_pct percent of
 * MemTotal (0 turns that test off; above 100 counts as 100),
 * MemAvailable falling since @prev by at least 2% of MemTotal per second
 * (over at least PV_AGENT_FAST_MS), or an OOM kill since @prev. @why, if
 * not NULL, says which. The agent then samples every PV_AGENT_FAST_MS
 * and reports on smaller moves.
 */
bool pv_agent_urgent(const struct pv_agent_sample *prev,
		     const struct pv_agent_sample *cur, unsigned int low_pct,
		     const char **why);

/*
 * The report as "data/pvctl/NAME=VALUE\n" lines in node order, seq last,
 * into @buf (always terminated). Returns the length it needed, like
 * snprintf; a report always fits in PV_AGENT_REPORT_MAX.
 */
#define PV_AGENT_REPORT_MAX 1024
size_t pv_agent_report_format(const struct pv_agent_report *r, uint64_t seq,
			      char *buf, size_t size);

/*
 * The whole report on one line, "NAME=VALUE" words separated by single
 * spaces, seq last: the value of data/pvctl/report, which the host reads
 * in one request instead of one per node (if shorter than
 * PV_AGENT_LINE_MAX, as any report is). Returns what snprintf would.
 */
size_t pv_agent_report_line(const struct pv_agent_report *r, uint64_t seq,
			    char *buf, size_t size);

#endif
