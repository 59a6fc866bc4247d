/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proto/agent.h: what pvctl-agent publishes for the host's autoscale
 * loop, stated once for both sides: the agent writes by it
 * (agent/report.c), the loop reads and checks by it
 * (lib/balloon/signals.c). Header only, free of Xen and of any library:
 * the agent builds on libxenstore alone.
 *
 * The guest writes its nodes under its own /local/domain/ID/data/pvctl/,
 * one per field and seq last (a report is whole once seq moves; the
 * loop watches seq), and the whole report again on one line in
 * data/pvctl/report ("NAME=VALUE" words, seq last), which the loop
 * reads in one request. Everything there is untrusted.
 */
#ifndef PV_PROTO_AGENT_H
#define PV_PROTO_AGENT_H

#include <stdint.h>

/* Where the nodes live, relative to the guest's /local/domain/ID. */
#define PV_AGENT_XS_DIR "data/pvctl/"
#define PV_AGENT_SEQ "seq"
#define PV_AGENT_XS_SEQ PV_AGENT_XS_DIR PV_AGENT_SEQ
#define PV_AGENT_XS_LINE PV_AGENT_XS_DIR "report"

/* The longest data/pvctl/report the host reads: a longer one is garbage. */
#define PV_AGENT_LINE_MAX 1024

/* The published values, in node order; the index names the node. */
enum pv_agent_field {
	PV_F_MEM_TOTAL_KB,
	PV_F_MEM_AVAILABLE_KB,
	PV_F_SWAP_IN_PPS,
	PV_F_SWAP_OUT_PPS,
	PV_F_PSI_MEM_SOME,
	PV_F_PSI_MEM_FULL,
	PV_F_PSI_CPU_SOME,
	PV_F_CPU_UTIL,
	PV_F_CPUS_ONLINE,
	PV_F_OOM_KILLS,
	PV_F_TIME_MS,
	PV_F_NR
};

/*
 * A node's name (without the directory) and the largest value the host
 * takes in it: a guest sending more is lying or broken, and its whole
 * report is refused.
 */
struct pv_agent_node {
	const char *name;
	uint64_t max;
};

#define PV_AGENT_KB_MAX		(1ull << 40)	/* 1 PiB */
#define PV_AGENT_PPS_MAX	10000000ull	/* 40 GB/s of swap: beyond belief */
#define PV_AGENT_CENTI_MAX	10000		/* 100.00 % */
#define PV_AGENT_COUNT_MAX	(UINT64_MAX / 2)

static const struct pv_agent_node pv_agent_nodes[PV_F_NR] = {
	[PV_F_MEM_TOTAL_KB]	= { "mem_total_kb", PV_AGENT_KB_MAX },
	[PV_F_MEM_AVAILABLE_KB]	= { "mem_available_kb", PV_AGENT_KB_MAX },
	[PV_F_SWAP_IN_PPS]	= { "swap_in_pps", PV_AGENT_PPS_MAX },
	[PV_F_SWAP_OUT_PPS]	= { "swap_out_pps", PV_AGENT_PPS_MAX },
	[PV_F_PSI_MEM_SOME]	= { "psi_mem_some", PV_AGENT_CENTI_MAX },
	[PV_F_PSI_MEM_FULL]	= { "psi_mem_full", PV_AGENT_CENTI_MAX },
	[PV_F_PSI_CPU_SOME]	= { "psi_cpu_some", PV_AGENT_CENTI_MAX },
	[PV_F_CPU_UTIL]		= { "cpu_util", PV_AGENT_CENTI_MAX },
	[PV_F_CPUS_ONLINE]	= { "cpus_online", 4096 },
	[PV_F_OOM_KILLS]	= { "oom_kills", PV_AGENT_COUNT_MAX },
	[PV_F_TIME_MS]		= { "time_ms", PV_AGENT_COUNT_MAX },
};

/* The report's sequence number, written last: data/pvctl/seq. */
static const struct pv_agent_node pv_agent_seq = {
	PV_AGENT_SEQ, PV_AGENT_COUNT_MAX
};

#endif
