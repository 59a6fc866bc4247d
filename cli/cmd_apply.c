/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_apply.c: apply, converging running guests to a set of xl.cfg files
 * (lib/domain/apply.h). It prints the plan, one line per change, in the
 * manner of terraform and kubectl diff, then carries it out unless
 * --dry-run; --json gives the same as one document.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/apply.h"

/* After the change: how it is made, or which option it waits for. */
static void suffix(const struct pv_apply_plan *plan,
		   const struct pv_apply_change *c, struct pv_buf *b)
{
	bool loop_owned = c->op == PV_APPLY_MEMORY || c->op == PV_APPLY_VCPUS;

	if (c->needs) {
		pv_buf_printf(b, " (%s)", c->needs);
		return;
	}
	switch (c->mode) {
	case PV_APPLY_LIVE:
		pv_buf_puts(b, " (live)");
		break;
	case PV_APPLY_SAVED:
		pv_buf_puts(b, plan->autoscale && loop_owned ?
			    " (at boot; the autoscale loop sets the live value)" :
			    " (saved config)");
		break;
	case PV_APPLY_BY_RESTART:
		pv_buf_puts(b, " (with the restart)");
		break;
	case PV_APPLY_WHOLE:
		break;
	}
}

/* "~ web-2: memory 512 -> 768 MiB (live)" and its kin. */
static char *change_line(const struct pv_apply_plan *plan,
			 const struct pv_apply_guest *g,
			 const struct pv_apply_change *c)
{
	struct pv_buf b = PV_BUF_INIT;
	const char *d = c->detail;

	switch (c->op) {
	case PV_APPLY_CREATE:
		pv_buf_printf(&b, "+ create %s", g->name);
		break;
	case PV_APPLY_DESTROY:
		pv_buf_printf(&b, "- %s: destroy", g->name);
		break;
	case PV_APPLY_RESTART:
		pv_buf_printf(&b, "! %s: %s changed: %s", g->name, d,
			      c->needs ? "needs a restart" : "restart");
		break;
	case PV_APPLY_MAXMEM:
	case PV_APPLY_MEMORY:
		pv_buf_printf(&b, "~ %s: %s %llu -> %llu MiB", g->name,
			      pv_apply_op_name(c->op), (unsigned long long)c->from,
			      (unsigned long long)c->to);
		break;
	case PV_APPLY_VCPUS:
		pv_buf_printf(&b, "~ %s: vcpus %llu -> %llu", g->name,
			      (unsigned long long)c->from, (unsigned long long)c->to);
		break;
	case PV_APPLY_CPUS:
		pv_buf_printf(&b, "~ %s: pin vcpus to %s", g->name, d);
		break;
	case PV_APPLY_ACTIONS:
		pv_buf_printf(&b, "~ %s: %s", g->name, d);
		break;
	case PV_APPLY_SOURCE:
		pv_buf_printf(&b, "~ %s: applied from %s", g->name, d);
		break;
	case PV_APPLY_DISK_DETACH:
		pv_buf_printf(&b, "~ %s: detach disk %s", g->name, d);
		break;
	case PV_APPLY_VIF_DETACH:
		pv_buf_printf(&b, "~ %s: detach %s", g->name, d);
		break;
	case PV_APPLY_DISK_ATTACH:
		pv_buf_printf(&b, "~ %s: attach disk %s", g->name, d);
		break;
	case PV_APPLY_VIF_ATTACH:
		pv_buf_printf(&b, "~ %s: attach vif on %s", g->name, d);
		break;
	}
	suffix(plan, c, &b);
	return pv_buf_detach(&b);
}

static void print_change(struct pv_printer *p, const struct pv_apply_plan *plan,
			 const struct pv_apply_guest *g,
			 const struct pv_apply_change *c)
{
	char *line = change_line(plan, g, c);

	pv_print_obj_open(p, NULL);
	pv_print_str(p, "action", NULL, pv_apply_op_name(c->op));
	pv_print_str(p, "mode", NULL, pv_apply_mode_name(c->mode));
	if (c->op == PV_APPLY_MEMORY || c->op == PV_APPLY_MAXMEM ||
	    c->op == PV_APPLY_VCPUS) {
		pv_print_uint(p, "from", NULL, c->from);
		pv_print_uint(p, "to", NULL, c->to);
	}
	pv_print_str(p, "detail", NULL, c->detail);
	pv_print_str(p, "needs", NULL, c->needs);
	pv_print_str(p, "text", "%s\n", line);
	pv_print_obj_close(p);
	free(line);
}

/* What became of a guest: for the JSON, and for text after a run. */
static const char *status(const struct pv_apply_guest *g, bool ran)
{
	if (g->rc)
		return "failed";
	if (g->done)
		return "applied";
	return ran ? "pending" : "planned";
}

static void print_guest(struct pv_printer *p, const struct pv_apply_plan *plan,
			const struct pv_apply_guest *g, bool ran)
{
	size_t i;

	pv_print_obj_open(p, NULL);
	pv_print_str(p, "name", NULL, g->name);
	pv_print_str(p, "status", NULL, status(g, ran));
	pv_print_str(p, "error", NULL, g->rc ? pv_err_msg(&g->err) : NULL);
	pv_print_bool(p, "undone", NULL, g->rc && !g->undo_failed);
	pv_print_arr_open(p, "changes");
	for (i = 0; i < g->nchanges; i++)
		print_change(p, plan, g, &g->changes[i]);
	pv_print_arr_close(p);
	pv_print_obj_close(p);
}

/* The results: errors on stderr; in text, what was applied on stdout. */
static void report(const struct pv_apply_plan *plan, bool json)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct pv_apply_guest *g = &plan->guests[i];

		if (g->done && !json)
			printf("%s: applied\n", g->name);
		else if (g->rc)
			pv_cli_error("%s: %s%s", g->name, pv_err_msg(&g->err),
				     g->undo_failed || !g->nchanges ? "" :
				     " (its changes were undone)");
	}
}

static bool any_failed(const struct pv_apply_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->guests[i].rc)
			return true;
	return false;
}

int cmd_apply(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_apply_opts opts = { 0 };
	bool json, dry, ran = false, created = false;
	struct pv_apply_plan plan;
	struct pv_printer p;
	struct pv_err err;
	size_t i;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (first >= argc) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	opts.restart = cli->opt_set[APPLY_RESTART];
	opts.prune = cli->opt_set[APPLY_PRUNE];
	json = cli->opt_set[APPLY_JSON];
	dry = cli->opt_set[APPLY_DRY_RUN];
	pv_apply_plan_init(&plan);
	pv_err_init(&err);
	rc = pv_apply_plan(&cli->ctx, (const char *const *)argv + first,
			   (size_t)(argc - first), &opts, &plan, pv_cli_warn, NULL,
			   &err);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		pv_err_dispose(&err);
		/* 2 means "changes" to a dry run: its errors are all 1. */
		return dry ? PV_EXIT_FAIL : PV_EXIT_USAGE;
	}
	pv_err_dispose(&err);
	if (!json) {
		for (i = 0; i < plan.n; i++) {
			size_t j;

			for (j = 0; j < plan.guests[i].nchanges; j++) {
				char *line = change_line(&plan, &plan.guests[i],
							 &plan.guests[i].changes[j]);

				puts(line);
				free(line);
			}
		}
	}
	if (!dry && pv_apply_count(&plan, true)) {
		fflush(stdout);
		pv_cli_defer_signals(cli);
		pv_apply_converge(&cli->ctx, &plan);
		pv_cli_end_deferred_signals(cli);
		ran = true;
		for (i = 0; i < plan.n; i++)
			created |= plan.guests[i].done &&
				   (plan.guests[i].changes[0].op == PV_APPLY_CREATE ||
				    plan.guests[i].changes[0].op == PV_APPLY_RESTART);
		/* Someone must act on the new guests' shutdown, reboot or crash. */
		if (created)
			pv_cli_spawn_monitor();
	}
	if (json) {
		pv_print_init(&p, true);
		pv_print_obj_open(&p, NULL);
		pv_print_bool(&p, "dry_run", NULL, dry);
		pv_print_bool(&p, "autoscale", NULL, plan.autoscale);
		pv_print_uint(&p, "changes", NULL, pv_apply_count(&plan, false));
		pv_print_arr_open(&p, "guests");
		for (i = 0; i < plan.n; i++)
			if (plan.guests[i].nchanges || plan.guests[i].rc)
				print_guest(&p, &plan, &plan.guests[i], ran);
		pv_print_arr_close(&p);
		pv_print_obj_close(&p);
		if (pv_print_dispose(&p))
			rc = PV_EXIT_FAIL;
	}
	if (!json && !pv_apply_count(&plan, false) && !any_failed(&plan))
		puts("nothing to do: the guests run as their files say");
	else if (!json && !dry && !ran && !any_failed(&plan))
		puts("nothing to do without the options named above");
	report(&plan, json);
	if (any_failed(&plan))
		rc = PV_EXIT_FAIL;
	else if (dry && pv_apply_count(&plan, false))
		rc = PV_EXIT_USAGE;	/* terraform's -detailed-exitcode */
	pv_apply_plan_dispose(&plan);
	return rc;
}
