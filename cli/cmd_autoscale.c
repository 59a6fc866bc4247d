/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_autoscale.c: autoscale run|plan|status.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"
#include "pvctl.h"
#include "../lib/balloon/loop.h"
#include "../lib/balloon/webhook.h"

static volatile int stop_flag, reload_flag;

static void on_stop(int sig)
{
	stop_flag = 1;
}

static void on_hup(int sig)
{
	reload_flag = 1;
}

/* Events (runaway, uncooperative, reloads...): stderr, and the webhook. */
static void log_event(void *arg, const char *json)
{
	struct pv_webhook *wh = arg;

	fprintf(stderr, "pvctl autoscale: %s\n", json);
	if (wh)
		pv_webhook_post(wh, json);
}

static int run(struct pv_cli *cli, struct pv_autoscale *as)
{
	struct pv_webhook *wh = NULL;
	struct pv_webhook_stats ws;
	struct sigaction sa;
	struct pv_err err;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* The webhook of host.policy at start (a reload does not move it). */
	if (as->policies.host.webhook) {
		wh = pv_webhook_start(as->policies.host.webhook,
				      as->policies.host.webhook_timeout_s,
				      as->policies.host.webhook_retries);
		if (!wh)
			fprintf(stderr, "pvctl autoscale: warning: events will not "
				"go to %s: libcurl (libcurl.so.4) cannot be "
				"loaded or set up\n", as->policies.host.webhook);
	}
	as->verbose = cli->verbose;
	as->event = log_event;
	as->event_arg = wh;
	fprintf(stderr, "pvctl autoscale: running with policies from %s "
		"(SIGHUP reloads them)%s%s\n", as->policy_dir,
		wh ? "; events to " : "", wh ? as->policies.host.webhook : "");
	pv_err_init(&err);
	rc = pv_autoscale_run(as, &stop_flag, &reload_flag, &err);
	pv_webhook_stop(wh, &ws);
	if (ws.unsent)
		fprintf(stderr, "pvctl autoscale: webhook: %lu event(s) dropped "
			"at stop, not sent\n", ws.unsent);
	return pv_cli_report(rc, &err);
}

/*
 * One tick's decisions, not applied: as->doms. Its JSON is the status
 * file's, which the loop writes too: lib/ writes it into the printer.
 */
static int plan(struct pv_cli *cli, struct pv_autoscale *as)
{
	struct pv_printer p;
	struct pv_err err;
	size_t i;
	int rc;

	pv_err_init(&err);
	rc = pv_autoscale_tick(as, false, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_err_dispose(&err);
	pv_print_init(&p, cli->opt_set[AS_JSON]);
	if (p.json)
		pv_autoscale_status_json(as, &p.w);
	pv_print_text(&p, "%-20s %5s %9s %9s %9s %6s  %s\n", "Name", "ID",
		      "Mem(MiB)", "Need", "Target", "VCPUs", "Decision");
	for (i = 0; !p.json && i < as->n; i++) {
		const struct pv_as_dom *d = &as->doms[i];
		char tgt[48], vc[24];

		if (d->new_target_kb)
			snprintf(tgt, sizeof(tgt), "%llu->%llu",
				 (unsigned long long)d->target_kb / 1024,
				 (unsigned long long)d->new_target_kb / 1024);
		else
			snprintf(tgt, sizeof(tgt), "%llu",
				 (unsigned long long)d->target_kb / 1024);
		if (d->new_vcpus)
			snprintf(vc, sizeof(vc), "%u->%u", d->vcpus, d->new_vcpus);
		else
			snprintf(vc, sizeof(vc), "%u", d->vcpus);
		pv_print_text(&p, "%-20s %5u %9llu %9llu %9s %6s  %s\n", d->name,
			      d->domid, (unsigned long long)d->cur_kb / 1024,
			      (unsigned long long)d->need_kb / 1024, tgt, vc,
			      d->pol ? d->why : "no policy matches: left alone");
	}
	return pv_print_dispose(&p) ? PV_EXIT_FAIL : PV_EXIT_OK;
}

/* What the running loop last wrote (RUN/autoscale.json). */
static int status(struct pv_cli *cli)
{
	char *path = pv_asprintf("%s/autoscale.json", cli->ctx.run_dir);
	FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n;

	if (!f) {
		pv_cli_error("no autoscale status at %s: is `pvctl autoscale run` "
			     "running?", path);
		free(path);
		return PV_EXIT_FAIL;
	}
	free(path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	putchar('\n');
	return PV_EXIT_OK;
}

int cmd_autoscale(struct pv_cli *cli, int argc, char **argv)
{
	const char *dir;
	struct pv_autoscale as;
	struct pv_err err;
	uint64_t secs;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (argc - first != 1 || (strcmp(argv[first], "run") &&
	    strcmp(argv[first], "plan") && strcmp(argv[first], "status"))) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	if (!strcmp(argv[first], "status"))
		return status(cli);
	dir = cli->opt_set[AS_POLICY] ? cli->opt_val[AS_POLICY] : PV_POLICY_DIR;
	pv_err_init(&err);
	rc = pv_autoscale_init(&as, &cli->ctx, dir, &err);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		pv_err_dispose(&err);
		pv_autoscale_dispose(&as);
		return PV_EXIT_USAGE;
	}
	pv_err_dispose(&err);
	if (pv_cli_opt_seconds(cli, AS_INTERVAL, 0, 3600, &secs)) {
		pv_autoscale_dispose(&as);
		return PV_EXIT_USAGE;
	}
	as.interval_s = (unsigned int)secs;
	rc = !strcmp(argv[first], "run") ? run(cli, &as) : plan(cli, &as);
	pv_autoscale_dispose(&as);
	return rc;
}
