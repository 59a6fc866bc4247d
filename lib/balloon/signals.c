/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signals.c: reading what a guest's pvctl-agent publishes.
 *
 * Everything under /local/domain/ID/data is written by the guest and is
 * untrusted: each node must be a plain decimal number within bounds, and
 * the values must agree with each other and with what the hypervisor
 * says the domain holds. A report that fails any check is ignored as a
 * whole (the loop then treats the guest as having no agent), so a guest
 * cannot earn memory by lying in one field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale.h"
#include "../xs.h"
#include "../../proto/agent.h"

/* v[] and have[] below: the fields by enum pv_agent_field, then seq. */
#define SEQ	PV_F_NR
#define NNODES	(PV_F_NR + 1)

static const struct pv_agent_node *node(size_t i)
{
	return i == SEQ ? &pv_agent_seq : &pv_agent_nodes[i];
}

static bool get(struct pv_hv *hv, uint32_t domid, size_t i, uint64_t *v,
		bool *have)
{
	char *path = pv_xs_dom_path(domid, PV_AGENT_XS_DIR "%s", node(i)->name);
	int rc = pv_xs_read_uint(hv, PV_XBT_NULL, path, node(i)->max, &v[i]);

	free(path);
	have[i] = rc == 0;
	return rc == 0 || rc == -ENOENT;	/* absent is fine, garbage is not */
}

/*
 * The whole report in one node, data/pvctl/report: "NAME=VALUE" words
 * separated by spaces, each known NAME at most once (unknown
 * ones are skipped, for agents newer than this host). One read instead
 * of a dozen: what a report costs dom0's xenstored is most of the time
 * from a guest's report to the decision. -ENOENT when the agent does
 * not write it (read the nodes one by one then), -EINVAL for garbage.
 */
static int read_line(struct pv_hv *hv, uint32_t domid, uint64_t *v, bool *have)
{
	char *path = pv_xs_dom_path(domid, "%s", PV_AGENT_XS_LINE);
	char *line = NULL, *word, *save = NULL;
	size_t len = 0, i;
	int rc;

	rc = hv->ops->xs_read(hv->h, PV_XBT_NULL, path, &line, &len);
	free(path);
	if (rc)
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	if (strlen(line) != len || len > PV_AGENT_LINE_MAX) {
		free(line);
		return -EINVAL;
	}
	for (word = strtok_r(line, " ", &save); word && !rc;
	     word = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(word, '=');

		if (!eq) {
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		for (i = 0; i < NNODES && strcmp(node(i)->name, word); i++)
			;
		if (i == NNODES)
			continue;
		if (have[i] || pv_parse_uint(eq + 1, node(i)->max, &v[i]))
			rc = -EINVAL;
		have[i] = true;
	}
	free(line);
	return rc;
}

void pv_signals_read(struct pv_hv *hv, uint32_t domid, uint64_t static_max_kb,
		     struct pv_signals *s, const char **why)
{
	uint64_t v[NNODES] = { 0 };
	bool have[NNODES] = { false };
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	rc = read_line(hv, domid, v, have);
	if (rc == -EINVAL) {
		*why = "data/pvctl/report: a word is not NAME=N with N a number in range";
		return;
	}
	/* Node by node (agents older than data/pvctl/report), seq first. */
	for (i = 0; i < NNODES && rc == -ENOENT; i++) {
		if (!get(hv, domid, (i + SEQ) % NNODES, v, have)) {
			*why = "a data/pvctl node is not a number in range";
			return;
		}
	}
	if (!have[SEQ] || !have[PV_F_MEM_TOTAL_KB] || !have[PV_F_MEM_AVAILABLE_KB]) {
		*why = "no agent report (data/pvctl/seq, mem_total_kb, mem_available_kb)";
		return;
	}
	if (v[PV_F_MEM_AVAILABLE_KB] > v[PV_F_MEM_TOTAL_KB]) {
		*why = "MemAvailable above MemTotal";
		return;
	}
	/* The guest's MemTotal cannot exceed what it may ever hold. */
	if (static_max_kb && v[PV_F_MEM_TOTAL_KB] > static_max_kb) {
		*why = "MemTotal above the domain's maximum";
		return;
	}
	s->seq = v[SEQ];
	s->mem_total_kb = v[PV_F_MEM_TOTAL_KB];
	s->mem_avail_kb = v[PV_F_MEM_AVAILABLE_KB];
	s->swap_in_pps = v[PV_F_SWAP_IN_PPS];
	s->swap_out_pps = v[PV_F_SWAP_OUT_PPS];
	s->psi_mem_some = (unsigned int)v[PV_F_PSI_MEM_SOME];
	s->psi_mem_full = (unsigned int)v[PV_F_PSI_MEM_FULL];
	s->psi_cpu_some = (unsigned int)v[PV_F_PSI_CPU_SOME];
	s->cpu_util = (unsigned int)v[PV_F_CPU_UTIL];
	s->cpus_online = (unsigned int)v[PV_F_CPUS_ONLINE];
	s->have_oom_kills = have[PV_F_OOM_KILLS];
	s->oom_kills = v[PV_F_OOM_KILLS];
	s->time_ms = v[PV_F_TIME_MS];
	s->valid = true;
}
