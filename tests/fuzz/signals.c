/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signals.c: fuzzes the check of what a guest's agent publishes
 * (pv_signals_read), on the simulated hypervisor. The first byte picks
 * the form: bit 0 set, the rest is data/pvctl/report; clear, the rest is
 * the nodes one by one (seq, then proto/agent.h's order) separated by
 * newlines, an empty one absent. Bit 1 gives the domain a maximum. A
 * report taken must hold what the loop relies on: every value within
 * its node's bound, MemAvailable within MemTotal within the maximum.
 */
#include "fuzz.h"
#include "lib/balloon/autoscale.h"
#include "lib/xs.h"
#include "proto/agent.h"
#include "sim/sim.h"

#define DOMID 7
#define MAX_KB (1024 * 1024)

static struct pv_sim *sim;
static struct pv_hv hv;

static void teardown(void)
{
	pv_sim_free(sim);
}

static void put(const char *node, const char *val, size_t len)
{
	char *path = pv_xs_dom_path(DOMID, PV_AGENT_XS_DIR "%s", node);

	FUZZ_CHECK(!hv.ops->xs_write(hv.h, PV_XBT_NULL, path, val, len),
		   "xs_write %s", path);
	free(path);
}

static void publish(const char *in, size_t size, bool line)
{
	const char *end = in + size, *nl;
	size_t i;

	if (line) {
		put("report", in, size);
		return;
	}
	for (i = 0; i <= PV_F_NR && in < end; i++, in = nl + 1) {
		nl = memchr(in, '\n', (size_t)(end - in));
		if (!nl)
			nl = end;
		if (nl > in)
			put(i ? pv_agent_nodes[i - 1].name : pv_agent_seq.name,
			    in, (size_t)(nl - in));
	}
}

static void check(const struct pv_signals *s, uint64_t max_kb)
{
	FUZZ_CHECK(s->mem_avail_kb <= s->mem_total_kb, "avail above total");
	FUZZ_CHECK(!max_kb || s->mem_total_kb <= max_kb, "total above max");
	FUZZ_CHECK(s->mem_total_kb <= PV_AGENT_KB_MAX, "total");
	FUZZ_CHECK(s->swap_in_pps <= PV_AGENT_PPS_MAX &&
		   s->swap_out_pps <= PV_AGENT_PPS_MAX, "swap");
	FUZZ_CHECK(s->psi_mem_some <= PV_AGENT_CENTI_MAX &&
		   s->psi_mem_full <= PV_AGENT_CENTI_MAX &&
		   s->psi_cpu_some <= PV_AGENT_CENTI_MAX &&
		   s->cpu_util <= PV_AGENT_CENTI_MAX, "percentages");
	FUZZ_CHECK(s->cpus_online <= 4096, "cpus_online %u", s->cpus_online);
	FUZZ_CHECK(s->seq <= PV_AGENT_COUNT_MAX &&
		   s->oom_kills <= PV_AGENT_COUNT_MAX &&
		   s->time_ms <= PV_AGENT_COUNT_MAX, "counters");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t max_kb;
	struct pv_signals s;
	const char *why;
	char *dir;

	if (!size)
		return 0;
	if (!sim) {
		sim = pv_sim_new();
		pv_sim_hv(sim, &hv);
		atexit(teardown);
	}
	dir = pv_xs_dom_path(DOMID, "data");
	hv.ops->xs_rm(hv.h, PV_XBT_NULL, dir);
	free(dir);
	max_kb = data[0] & 2 ? MAX_KB : 0;
	publish((const char *)data + 1, size - 1, data[0] & 1);
	pv_signals_read(&hv, DOMID, max_kb, &s, &why);
	FUZZ_CHECK(s.valid != !!why, "valid %d, why '%s'", s.valid,
		   why ? why : "");
	if (s.valid)
		check(&s, max_kb);
	return 0;
}
