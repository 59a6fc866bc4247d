/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_rename.c: rename.
 */
#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_rename(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_rename(&cli->ctx, domid, argv[first + 1], &err),
		      &err);
}
