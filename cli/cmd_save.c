/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_save.c: save, a running guest to a file (xl's save format).
 */
#include <stdio.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_save(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_cli_progress prog = { "saving", pv_now_ms(), 0 };
	unsigned int flags = 0;
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	if (cli->opt_set[SAVE_KEEP])
		flags |= PV_SAVE_KEEP;
	if (cli->opt_set[SAVE_PAUSED])
		flags |= PV_SAVE_KEEP | PV_SAVE_PAUSED;
	pv_err_init(&err);
	/* A signal must not leave the guest suspended: it ends the save cleanly. */
	pv_cli_defer_signals(cli);
	rc = pv_domain_save(&cli->ctx, domid, argv[first + 1], flags,
			    cli->interactive ? pv_cli_show_progress : NULL, &prog, &err);
	pv_cli_end_deferred_signals(cli);
	if (cli->interactive)
		fputs("\r\033[K", stderr);
	if (!rc && cli->verbose)
		fprintf(stderr, "  %6.3fs  saved\n",
			(double)(pv_now_ms() - prog.t0) / 1000);
	return pv_cli_report(rc, &err);
}
