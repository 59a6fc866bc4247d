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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale.h"
#include "../xs.h"

#define MAX_PPS 10000000ull		/* 40 GB/s of swap: beyond belief */

static bool get(struct pv_hv *hv, uint32_t domid, const char *key,
		uint64_t max, uint64_t *out, bool *present)
{
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/data/pvctl/%s", domid, key);
	rc = pv_xs_read_uint(hv, PV_XBT_NULL, path, max, out);
	*present = rc == 0;
	return rc == 0 || rc == -ENOENT;	/* absent is fine, garbage is not */
}

#define NKEYS 12
static const struct { const char *key; uint64_t max; } keys[NKEYS] = {
	{ "seq", UINT64_MAX / 2 },
	{ "mem_total_kb", 1ull << 40 },
	{ "mem_available_kb", 1ull << 40 },
	{ "swap_in_pps", MAX_PPS },
	{ "swap_out_pps", MAX_PPS },
	{ "psi_mem_some", 10000 },
	{ "psi_mem_full", 10000 },
	{ "psi_cpu_some", 10000 },
	{ "cpu_util", 10000 },
	{ "cpus_online", 4096 },
	{ "oom_kills", UINT64_MAX / 2 },
	{ "time_ms", UINT64_MAX / 2 },
};

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
	char path[64], *line = NULL, *word, *save = NULL;
	size_t len = 0, i;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/data/pvctl/report", domid);
	rc = hv->ops->xs_read(hv->h, PV_XBT_NULL, path, &line, &len);
	if (rc)
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	if (strlen(line) != len || len > 1024) {
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
		for (i = 0; i < NKEYS && strcmp(keys[i].key, word); i++)
			;
		if (i == NKEYS)
			continue;
		if (have[i] || pv_parse_uint(eq + 1, keys[i].max, &v[i]))
			rc = -EINVAL;
		have[i] = true;
	}
	free(line);
	return rc;
}

void pv_signals_read(struct pv_hv *hv, uint32_t domid, uint64_t static_max_kb,
		     struct pv_signals *s, const char **why)
{
	uint64_t v[NKEYS] = { 0 };
	bool have[NKEYS] = { false };
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	rc = read_line(hv, domid, v, have);
	if (rc == -EINVAL) {
		*why = "data/pvctl/report: a word is not NAME=N with N a number in range";
		return;
	}
	for (i = 0; i < NKEYS && rc == -ENOENT; i++) {
		if (!get(hv, domid, keys[i].key, keys[i].max, &v[i], &have[i])) {
			*why = "a data/pvctl node is not a number in range";
			return;
		}
	}
	if (!have[0] || !have[1] || !have[2]) {
		*why = "no agent report (data/pvctl/seq, mem_total_kb, mem_available_kb)";
		return;
	}
	if (v[2] > v[1]) {
		*why = "MemAvailable above MemTotal";
		return;
	}
	/* The guest's MemTotal cannot exceed what it may ever hold. */
	if (static_max_kb && v[1] > static_max_kb) {
		*why = "MemTotal above the domain's maximum";
		return;
	}
	s->seq = v[0];
	s->mem_total_kb = v[1];
	s->mem_avail_kb = v[2];
	s->swap_in_pps = v[3];
	s->swap_out_pps = v[4];
	s->psi_mem_some = (unsigned int)v[5];
	s->psi_mem_full = (unsigned int)v[6];
	s->psi_cpu_some = (unsigned int)v[7];
	s->cpu_util = (unsigned int)v[8];
	s->cpus_online = (unsigned int)v[9];
	s->have_oom_kills = have[10];
	s->oom_kills = v[10];
	s->time_ms = v[11];
	s->valid = true;
}
