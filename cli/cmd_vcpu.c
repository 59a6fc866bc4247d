/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_vcpu.c: vcpu-set, vcpu-pin and vcpu-list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"
#include "../lib/host.h"

int cmd_vcpu_set(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	uint64_t n;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	if (pv_parse_uint(argv[first + 1], PV_MAX_CPUS, &n)) {
		pv_cli_error("bad vCPU count '%s'", argv[first + 1]);
		return PV_EXIT_USAGE;
	}
	pv_err_init(&err);
	rc = pv_domain_set_vcpus(&cli->ctx, domid, (unsigned int)n, &err);
	if (!rc) {
		struct pv_live_change ch = { .what = PV_LIVE_VCPUS, .value = n };

		rc = pv_domain_config_note(&cli->ctx, domid, &ch, &err);
	}
	return pv_cli_report(rc, &err);
}

/*
 * vcpu-pin DOMAIN VCPU|all HARD [SOFT], as xl: "-" for HARD or SOFT
 * leaves that affinity as it is; no SOFT leaves the soft one.
 */
int cmd_vcpu_pin(struct pv_cli *cli, int argc, char **argv)
{
	const char *hard, *soft;
	struct pv_err err;
	uint32_t domid;
	uint64_t v = 0;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	hard = strcmp(argv[first + 2], "-") ? argv[first + 2] : NULL;
	soft = argc - first > 3 && strcmp(argv[first + 3], "-") ?
	       argv[first + 3] : NULL;
	if (!hard && !soft) {
		pv_cli_error("vcpu-pin: '-' for both affinities sets nothing");
		return PV_EXIT_USAGE;
	}
	if (strcmp(argv[first + 1], "all") &&
	    pv_parse_uint(argv[first + 1], PV_MAX_CPUS - 1, &v)) {
		pv_cli_error("bad vCPU '%s' (a number or 'all')", argv[first + 1]);
		return PV_EXIT_USAGE;
	}
	rc = pv_cli_domain_arg(cli, argv[first], &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = pv_domain_set_vcpu_affinity(&cli->ctx, domid,
					 strcmp(argv[first + 1], "all") ? (int)v : -1,
					 hard, soft, &err);
	return pv_cli_report(rc, &err);
}

/* An affinity bitmap as xl prints it: "all", or "0-1,3". */
static void format_cpumap(const uint8_t *map, unsigned int nr_cpus,
			  struct pv_buf *out)
{
	unsigned int i = 0, n = 0;

	for (i = 0; i < nr_cpus; i++)
		n += (map[i / 8] >> (i % 8)) & 1;
	if (n == nr_cpus) {
		pv_buf_puts(out, "all");
		return;
	}
	for (i = 0; i < nr_cpus; i++) {
		unsigned int j = i;

		if (!((map[i / 8] >> (i % 8)) & 1))
			continue;
		while (j + 1 < nr_cpus && ((map[(j + 1) / 8] >> ((j + 1) % 8)) & 1))
			j++;
		pv_buf_printf(out, "%s%u", out->len ? "," : "", i);
		if (j > i)
			pv_buf_printf(out, "-%u", j);
		i = j;
	}
	if (!out->len)
		pv_buf_puts(out, "none");
}

/* A domain gone since the list shows no vCPUs. */
static void print_vcpus(struct pv_cli *cli, struct pv_printer *p,
			const struct pv_domain_status *st, unsigned int nr_cpus)
{
	struct pv_vcpuinfo *vcpus;
	struct pv_err err;
	size_t n, v;
	int rc;

	pv_err_init(&err);
	rc = pv_domain_vcpu_list(&cli->ctx, st->info.domid, &vcpus, &n, &err);
	pv_err_dispose(&err);
	if (rc)
		return;
	for (v = 0; v < n; v++) {
		const struct pv_vcpuinfo *vi = &vcpus[v];
		struct pv_buf aff = PV_BUF_INIT, soft = PV_BUF_INIT;
		char state[4];

		snprintf(state, sizeof(state), "%c%c%c", vi->running ? 'r' : '-',
			 vi->blocked ? 'b' : '-', vi->online ? '-' : 'p');
		format_cpumap(vi->affinity, nr_cpus, &aff);
		format_cpumap(vi->soft_affinity, nr_cpus, &soft);
		pv_print_obj_open(p, NULL);
		pv_print_str(p, "name", "%-32s ", st->name);
		pv_print_uint(p, "domid", "%5llu ", st->info.domid);
		pv_print_uint(p, "vcpu", "%5llu ", v);
		if (vi->cpu >= 0)
			pv_print_uint(p, "cpu", "%5llu ", (uint64_t)vi->cpu);
		else
			pv_print_str(p, "cpu", "%5s ", NULL);
		pv_print_bool(p, "online", NULL, vi->online);
		pv_print_bool(p, "running", NULL, vi->running);
		pv_print_bool(p, "blocked", NULL, vi->blocked);
		pv_print_str(p, "state", "%5s ", state);
		pv_print_ns(p, "cpu_time_ns", "%9.1f  ", vi->cpu_time_ns);
		pv_print_str(p, "affinity", "%s / ", aff.s);
		pv_print_str(p, "soft_affinity", "%s\n", soft.s);
		pv_print_obj_close(p);
		pv_buf_dispose(&aff);
		pv_buf_dispose(&soft);
	}
	free(vcpus);
}

int cmd_vcpu_list(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_status *st;
	struct pv_physinfo pi;
	struct pv_printer p;
	struct pv_err err;
	uint32_t *ids;
	size_t n, i, nids = 0;
	int first, rc = 0;

	PARSE_OPTS(cli, argc, argv, first);
	ids = pv_calloc((size_t)(argc - first), sizeof(*ids));
	for (; first + (int)nids < argc && !rc; nids++)
		rc = pv_cli_domain_arg(cli, argv[first + (int)nids], &ids[nids]);
	pv_err_init(&err);
	if (!rc)
		rc = pv_host_physinfo(&cli->ctx, &pi, &err);
	if (!rc)
		rc = pv_domain_list(&cli->ctx, ids, nids, &st, &n, &err);
	free(ids);
	if (rc)
		return err.code ? pv_cli_report(rc, &err) : rc;
	pv_print_init(&p, cli->opt_set[JSON_OPT]);
	pv_print_text(&p, "%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU",
		      "CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++)
		print_vcpus(cli, &p, &st[i], pi.nr_cpus);
	pv_print_arr_close(&p);
	rc = pv_print_dispose(&p);
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}
