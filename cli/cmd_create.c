/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_create.c: create, from an xl.cfg file (-n: parse and print only;
 * -p: leave it paused; -c: then attach to its console, as xl does).
 */
#include <stdio.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"

static int print_config_json(const struct pv_domain_config *cfg)
{
	struct pv_printer p;

	pv_print_init(&p, true);
	pv_domain_config_to_json(cfg, &p.w);
	return pv_print_dispose(&p);
}

int cmd_create(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_create_opts opts = { .restore_fd = -1 };
	struct pv_domain_config cfg;
	struct pv_err err;
	uint32_t domid;
	uint64_t t0 = pv_now_ms();
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (first >= argc) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	if (!cli->opt_set[CREATE_QUIET] && !cli->opt_set[CREATE_DRY_RUN])
		fprintf(stderr, "Parsing config from %s\n", argv[first]);
	rc = pv_xlcfg_parse_file(argv[first], argv + first + 1, argc - first - 1,
				 &cfg, pv_cli_warn, NULL, &err);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		rc = PV_EXIT_USAGE;
		goto out;
	}
	if (cli->opt_set[CREATE_DRY_RUN]) {
		rc = print_config_json(&cfg) ? PV_EXIT_FAIL : PV_EXIT_OK;
		goto out;
	}
	rc = pv_cli_open_xen(cli);
	if (rc)
		goto out;
	cli->ctx.step = pv_cli_step;
	cli->ctx.step_arg = cli;
	pv_cli_defer_signals(cli);
	opts.paused = cli->opt_set[CREATE_PAUSED];
	rc = pv_domain_create_opts(&cli->ctx, &cfg, &opts, &domid, &err);
	if (cli->interactive && !cli->verbose)
		fputs("\r\033[K", stderr);
	if (rc) {
		pv_cli_error("create failed: %s", pv_err_msg(&err));
		pv_cli_error("nothing was left behind: the partial domain was removed");
		rc = PV_EXIT_FAIL;
	} else {
		if (cli->verbose)
			fprintf(stderr, "  %6.3fs  total\n",
				(double)(pv_now_ms() - t0) / 1000);
		if (!cli->opt_set[CREATE_QUIET])
			fprintf(stderr, "%s domain %s (id=%u)\n", opts.paused ?
				"Created, paused," : "Started", cfg.name, domid);
		/* Someone must act on the guest's shutdown, reboot or crash. */
		if (!cli->opt_set[CREATE_NO_MONITOR])
			pv_cli_spawn_monitor();
	}
	pv_cli_end_deferred_signals(cli);
	if (!rc && cli->opt_set[CREATE_CONSOLE])
		rc = pv_cli_console(cli, domid, 0, pv_cli_console_raw(cli, CREATE_RAW,
								      CREATE_SAFE), true);
out:
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
	return rc;
}
