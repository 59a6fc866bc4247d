/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sample.h: what pvctl-agent reads from the guest's /proc and /sys.
 * Nothing here needs Xen, so the unit tests run it on fixture text and
 * fixture directories.
 */
#ifndef PV_AGENT_SAMPLE_H
#define PV_AGENT_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which sources a sample holds: a missing one (an old kernel without
 * /proc/pressure, say) leaves its bit clear and its nodes unwritten. */
enum {
	PV_HAVE_MEM_TOTAL	= 1u << 0,
	PV_HAVE_MEM_AVAIL	= 1u << 1,
	PV_HAVE_SWAP		= 1u << 2,
	PV_HAVE_PSI_MEM		= 1u << 3,
	PV_HAVE_PSI_CPU		= 1u << 4,
	PV_HAVE_CPU		= 1u << 5,
	PV_HAVE_CPUS		= 1u << 6,
	PV_HAVE_OOM		= 1u << 7,
};

/* One reading of the sources; counters are the kernel's, cumulative. */
struct pv_agent_sample {
	uint64_t t_ms;			/* CLOCK_MONOTONIC, milliseconds */
	/* CLOCK_REALTIME, milliseconds since the epoch: published only so
	 * that the host can tell how old a report is when it reads it. */
	uint64_t realtime_ms;
	unsigned int have;		/* PV_HAVE_* */
	uint64_t mem_total_kb;
	uint64_t mem_available_kb;
	uint64_t pswpin;		/* pages swapped in since boot */
	uint64_t pswpout;
	unsigned int psi_mem_some;	/* avg10, hundredths of a percent */
	unsigned int psi_mem_full;
	unsigned int psi_cpu_some;
	uint64_t cpu_busy;		/* USER_HZ ticks, all CPUs summed */
	uint64_t cpu_idle;		/* idle + iowait */
	unsigned int cpus_online;
	uint64_t oom_kill;		/* OOM kills since boot */
};

/*
 * Parsers of one file's text (NUL-terminated). They return 0, or -ENOENT
 * when the text lacks what they look for, or -EINVAL when it is
 * malformed; on failure the outputs are untouched.
 */
int pv_agent_parse_meminfo(const char *text, uint64_t *total_kb,
			   uint64_t *avail_kb, bool *have_avail);
/*
 * /proc/vmstat holds two groups, each taken on its own into @s with its
 * bit in @s->have: pswpin and pswpout (PV_HAVE_SWAP, both or neither)
 * and oom_kill (PV_HAVE_OOM, Linux 4.13 and later). A group whose lines
 * are missing or malformed is left out and untouched; the other is still
 * taken. Returns 0 when it took either, else -EINVAL if a line was
 * malformed, else -ENOENT.
 */
int pv_agent_parse_vmstat(const char *text, struct pv_agent_sample *s);
/* "some avg10=1.23 ..." -> 123; @kind is "some" or "full". */
int pv_agent_parse_pressure(const char *text, const char *kind,
			    unsigned int *avg10_centi);
int pv_agent_parse_stat(const char *text, uint64_t *busy, uint64_t *idle);
/* A CPU list as in /sys/devices/system/cpu/online: "0-3,5\n" -> 5. */
int pv_agent_parse_cpulist(const char *text, unsigned int *count);

/*
 * Reads every source under @root ("" for the live system, a fixture
 * directory in tests) into @s, stamping it with @t_ms and @realtime_ms
 * (the caller reads both clocks, so that tests stay deterministic).
 * Missing or malformed sources only clear their PV_HAVE_* bit.
 */
void pv_agent_sample_read(struct pv_agent_sample *s, const char *root,
			  uint64_t t_ms, uint64_t realtime_ms);

#endif
