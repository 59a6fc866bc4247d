/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_pause.c: pause and unpause.
 */
#include "pvctl.h"
#include "../lib/domain/domain.h"

static int pause_common(struct pv_cli *cli, int argc, char **argv, bool pause)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_pause(&cli->ctx, domid, pause, &err), &err);
}

int cmd_pause(struct pv_cli *cli, int argc, char **argv)
{
	return pause_common(cli, argc, argv, true);
}

int cmd_unpause(struct pv_cli *cli, int argc, char **argv)
{
	return pause_common(cli, argc, argv, false);
}
