/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_sched.c: sched-credit and sched-credit2, as xl has them: a
 * domain's weight and cap in the credit or credit2 scheduler; with no
 * -d, every domain that runs in it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"
#include "../lib/domain/sched.h"

static void print_row(struct pv_printer *p, const char *name, uint32_t domid,
		      const struct pv_sched_credit *sc)
{
	pv_print_obj_open(p, NULL);
	pv_print_str(p, "name", "%-33s ", name ? name : "");
	pv_print_uint(p, "domid", "%4llu ", domid);
	pv_print_uint(p, "weight", "%6llu ", sc->weight);
	pv_print_uint(p, "cap_pct", "%4llu\n", sc->cap);
	pv_print_obj_close(p);
}

/* -w and -c, when given, over the domain's weight and cap now. */
static int set(struct pv_cli *cli, unsigned int sched, uint32_t domid)
{
	struct pv_sched_credit sc;
	struct pv_err err;
	uint64_t v;
	int rc;

	pv_err_init(&err);
	rc = pv_domain_sched_get(&cli->ctx, domid, sched, &sc, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	if (cli->opt_set[SCHED_WEIGHT]) {
		if (pv_parse_uint(cli->opt_val[SCHED_WEIGHT], 65535, &v) || !v) {
			pv_cli_error("bad weight '%s' (1 to 65535)",
				     cli->opt_val[SCHED_WEIGHT]);
			pv_err_dispose(&err);
			return PV_EXIT_USAGE;
		}
		sc.weight = (unsigned int)v;
	}
	if (cli->opt_set[SCHED_CAP]) {
		if (pv_parse_uint(cli->opt_val[SCHED_CAP], 65534, &v)) {
			pv_cli_error("bad cap '%s' (a percentage of one CPU, 0: "
				     "none)", cli->opt_val[SCHED_CAP]);
			pv_err_dispose(&err);
			return PV_EXIT_USAGE;
		}
		sc.cap = (unsigned int)v;
	}
	rc = pv_domain_sched_set(&cli->ctx, domid, sched, &sc, &err);
	return pv_cli_report(rc, &err);
}

/*
 * The domains that run in @sched (one with -d); with none at all, why:
 * the first domain's scheduler.
 */
static int show(struct pv_cli *cli, unsigned int sched, const uint32_t *domid)
{
	struct pv_domain_status *st;
	struct pv_sched_credit sc;
	struct pv_printer p;
	struct pv_err err, why;
	size_t n, i, shown = 0;
	int rc;

	pv_err_init(&err);
	pv_err_init(&why);
	rc = pv_domain_list(&cli->ctx, domid, domid ? 1 : 0, &st, &n, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_print_init(&p, cli->opt_set[SCHED_JSON]);
	pv_print_text(&p, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n && !rc; i++) {
		rc = pv_domain_sched_get(&cli->ctx, st[i].info.domid, sched, &sc,
					 why.code ? &err : &why);
		/* A domain in another scheduler is not this command's. */
		if (rc == -ENOTSUP && !domid) {
			rc = 0;
			continue;
		}
		if (!rc) {
			print_row(&p, st[i].name, st[i].info.domid, &sc);
			shown++;
		}
	}
	pv_print_arr_close(&p);
	if (!rc && !shown && why.code)
		rc = why.code;
	if (rc) {
		pv_print_dispose(&p);
		pv_cli_report(rc, why.code ? &why : &err);
		rc = PV_EXIT_FAIL;
	} else {
		rc = pv_print_dispose(&p) ? PV_EXIT_FAIL : PV_EXIT_OK;
	}
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	pv_err_dispose(&why);
	return rc;
}

static int sched_cmd(struct pv_cli *cli, unsigned int sched)
{
	uint32_t domid;
	int rc;

	if (!cli->opt_set[SCHED_DOMAIN]) {
		if (cli->opt_set[SCHED_WEIGHT] || cli->opt_set[SCHED_CAP]) {
			pv_cli_error("%s: -w and -c need -d DOMAIN", cli->cmd->name);
			return PV_EXIT_USAGE;
		}
		return show(cli, sched, NULL);
	}
	rc = pv_cli_domain_arg(cli, cli->opt_val[SCHED_DOMAIN], &domid);
	if (rc)
		return rc;
	if (cli->opt_set[SCHED_WEIGHT] || cli->opt_set[SCHED_CAP])
		return set(cli, sched, domid);
	return show(cli, sched, &domid);
}

int cmd_sched_credit(struct pv_cli *cli, int argc, char **argv)
{
	return sched_cmd(cli, PV_SCHED_CREDIT);
}

int cmd_sched_credit2(struct pv_cli *cli, int argc, char **argv)
{
	return sched_cmd(cli, PV_SCHED_CREDIT2);
}
