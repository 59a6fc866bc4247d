/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_usage.c: usage, what domains used over a window, from the files
 * the monitor's meter keeps (lib/domain/meter.h); no hypervisor needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/meter.h"

/* The value of --since or --until, or @def; 0 or an exit code. */
static int time_opt(struct pv_cli *cli, int idx, uint64_t now, uint64_t def,
		    uint64_t *ms)
{
	const char *s = cli->opt_val[idx];

	*ms = def;
	if (!cli->opt_set[idx] || pv_meter_parse_time(s, now, ms) == 0)
		return 0;
	pv_cli_error("usage: --%s '%s': not a time (epoch seconds, ISO-8601 "
		     "such as 2026-12-08T10:00:00Z, or relative such as -1h, -30m)",
		     cli->cmd->opts[idx].long_name, s);
	return PV_EXIT_USAGE;
}

/* Whether @u is what DOMAIN @spec names: a name, a UUID, or a running domain's ID. */
static bool matches(const struct pv_usage *u, const char *spec)
{
	uint64_t id;

	if ((u->name && !strcmp(u->name, spec)) || !strcasecmp(u->uuid, spec))
		return true;
	return u->present && pv_parse_uint(spec, UINT32_MAX, &id) == 0 &&
	       id == u->domid;
}

static double per_ms(uint64_t v, uint64_t ms)
{
	return ms ? (double)v / (double)ms : 0;
}

/*
 * A figure with @decimals digits, the same in the table and in JSON (a
 * double would come out as 494.39999999999997726 there). @fmt takes the
 * digits as a string (NULL: JSON only); @v -1 is none: null, or "-".
 */
static void print_fixed(struct pv_printer *p, const char *key, const char *fmt,
			double v, int decimals)
{
	char num[64];

	if (v < 0) {
		pv_print_str(p, key, fmt, NULL);
		return;
	}
	snprintf(num, sizeof(num), "%.*f", decimals, v);
	if (p->json)
		pv_jw_number(&p->w, key, num);
	else if (fmt)
		printf(fmt, num);
}

static void print_usage(struct pv_printer *p, const struct pv_usage *u)
{
	const struct pv_meter_counters *d = &u->d;
	bool agent = d->agent_ms > 0;

	pv_print_obj_open(p, NULL);
	pv_print_str(p, "name", "%-20s ", u->name);
	pv_print_str(p, "uuid", NULL, u->uuid);
	if (u->present)
		pv_print_uint(p, "domid", NULL, u->domid);
	else
		pv_print_str(p, "domid", NULL, NULL);
	pv_print_bool(p, "exists", NULL, u->present);
	print_fixed(p, "from_s", NULL, (double)u->from_ms / 1e3, 3);
	print_fixed(p, "to_s", NULL, (double)u->to_ms / 1e3, 3);
	print_fixed(p, "metered_seconds", "%9s ", (double)d->alive_ms / 1e3, 0);
	print_fixed(p, "memory_allocated_mib_seconds", "%12s ",
		    (double)d->mem_mib_ms / 1e3, 0);
	print_fixed(p, "vcpu_allocated_seconds", "%9s ", (double)d->vcpu_ms / 1e3, 0);
	print_fixed(p, "cpu_used_seconds", "%10s ", (double)d->cpu_ns / 1e9, 3);
	print_fixed(p, "memory_used_mib_seconds", "%12s ",
		    agent ? (double)d->used_mib_ms / 1e3 : -1, 0);
	print_fixed(p, "agent_seconds", NULL, (double)d->agent_ms / 1e3, 0);
	print_fixed(p, "avg_memory_mib", "%8s ", per_ms(d->mem_mib_ms, d->alive_ms), 1);
	print_fixed(p, "avg_vcpus", "%6s ", per_ms(d->vcpu_ms, d->alive_ms), 2);
	/* Of one physical CPU, as xentop shows it. */
	print_fixed(p, "avg_cpu_percent", "%7s ",
		    per_ms(d->cpu_ns, d->alive_ms) / 1e4, 1);
	print_fixed(p, "avg_memory_used_mib", "%8s\n",
		    agent ? per_ms(d->used_mib_ms, d->agent_ms) : -1, 1);
	pv_print_obj_close(p);
}

int cmd_usage(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_meter m;
	struct pv_usage *u = NULL;
	struct pv_printer p;
	struct pv_err err;
	uint64_t now, since, until;
	size_t n = 0, i;
	int first, rc, a;

	PARSE_OPTS(cli, argc, argv, first);
	pv_meter_init(&m, &cli->ctx);
	now = m.wall_ms();
	rc = time_opt(cli, USAGE_SINCE, now, 0, &since);
	if (!rc)
		rc = time_opt(cli, USAGE_UNTIL, now, now, &until);
	if (!rc && since > until) {
		pv_cli_error("usage: --since is after --until");
		rc = PV_EXIT_USAGE;
	}
	if (rc)
		goto out;
	pv_err_init(&err);
	/* A bad state.json: the monitor sets it aside; the history has the rest. */
	if (pv_meter_load(&m, &err))
		pv_cli_error("warning: %s; figures from the history alone",
			     pv_err_msg(&err));
	pv_err_clear(&err);
	if (m.n == 0) {
		pv_cli_error("no usage recorded in %s: the monitor (pvctl "
			     "monitor) meters domains", m.dir);
		pv_err_dispose(&err);
		rc = PV_EXIT_FAIL;
		goto out;
	}
	if (pv_meter_usage(&m, since, until, &u, &n, &err)) {
		rc = pv_cli_report(-EIO, &err);
		goto out;
	}
	pv_err_dispose(&err);
	for (a = first; a < argc; a++) {
		for (i = 0; i < n && !matches(&u[i], argv[a]); i++)
			;
		if (i == n) {
			pv_cli_error("no usage recorded for '%s' in that window", argv[a]);
			rc = PV_EXIT_FAIL;
			goto out;
		}
	}
	pv_print_init(&p, cli->opt_set[USAGE_JSON]);
	pv_print_text(&p, "%-20s %9s %12s %9s %10s %12s %8s %6s %7s %8s\n", "Name",
		      "Seconds", "MiB-s", "vCPU-s", "CPU-s", "Used MiB-s",
		      "Avg MiB", "vCPUs", "CPU %", "Used MiB");
	pv_print_obj_open(&p, NULL);
	if (since)
		pv_print_uint(&p, "since_s", NULL, since / 1000);
	else
		pv_print_str(&p, "since_s", NULL, NULL);
	pv_print_uint(&p, "until_s", NULL, until / 1000);
	pv_print_arr_open(&p, "domains");
	for (i = 0; i < n; i++) {
		bool named = first == argc;

		for (a = first; a < argc && !named; a++)
			named = matches(&u[i], argv[a]);
		if (named)
			print_usage(&p, &u[i]);
	}
	pv_print_arr_close(&p);
	pv_print_obj_close(&p);
	rc = pv_print_dispose(&p) ? PV_EXIT_FAIL : PV_EXIT_OK;
out:
	pv_usage_free(u, n);
	pv_meter_dispose(&m);
	return rc;
}
