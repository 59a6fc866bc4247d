/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_domid.c: domid and domname, a domain's name to its ID and back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_domid(struct pv_cli *cli, int argc, char **argv)
{
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (!rc)
		printf("%u\n", domid);
	return rc;
}

int cmd_domname(struct pv_cli *cli, int argc, char **argv)
{
	uint32_t domid;
	char *name;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	name = pv_domain_get_name(&cli->ctx, domid);
	if (!name) {
		pv_cli_error("domain %u has no name in XenStore", domid);
		return PV_EXIT_FAIL;
	}
	printf("%s\n", name);
	free(name);
	return PV_EXIT_OK;
}
