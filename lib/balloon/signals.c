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

void pv_signals_read(struct pv_hv *hv, uint32_t domid, uint64_t static_max_kb,
		     struct pv_signals *s, const char **why)
{
	uint64_t v[12];
	bool have[12];
	static const struct { const char *key; uint64_t max; } keys[] = {
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
	size_t i;

	memset(s, 0, sizeof(*s));
	*why = NULL;
	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		v[i] = 0;
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
