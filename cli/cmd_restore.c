/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_restore.c: restore, a guest from a save file (pvctl's or xl's).
 */
#include <stdio.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_restore(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_create_opts opts = { -1, false };
	struct pv_domain_config cfg;
	bool have_cfg = false;
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (argc - first < 1 || argc - first > 2) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	/* A config given replaces the saved one, as with xl. */
	if (argc - first == 2) {
		rc = pv_xlcfg_parse_file(argv[first + 1], NULL, 0, &cfg,
					 pv_cli_warn, NULL, &err);
		if (rc) {
			pv_cli_error("%s", pv_err_msg(&err));
			rc = PV_EXIT_USAGE;
			goto out;
		}
		have_cfg = true;
	}
	opts.paused = cli->opt_set[RESTORE_PAUSED];
	cli->ctx.step = pv_cli_step;
	cli->ctx.step_arg = cli;
	pv_cli_defer_signals(cli);
	rc = pv_domain_restore(&cli->ctx, argv[first], have_cfg ? &cfg : NULL,
			       &opts, &domid, &err);
	if (cli->interactive && !cli->verbose)
		fputs("\r\033[K", stderr);
	if (rc) {
		pv_cli_error("restore failed: %s", pv_err_msg(&err));
		rc = PV_EXIT_FAIL;
	} else {
		fprintf(stderr, "Restored domain %u from %s%s\n", domid,
			argv[first], opts.paused ? " (paused)" : "");
		if (!cli->opt_set[RESTORE_NO_MONITOR])
			pv_cli_spawn_monitor();
	}
	pv_cli_end_deferred_signals(cli);
out:
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
	return rc;
}
