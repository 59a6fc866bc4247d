/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_dump.c: dump-core, a guest's memory as an ELF core file, as xl
 * dump-core.
 */
#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_dump_core(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_dump_core(&cli->ctx, domid, argv[first + 1],
						 cli->opt_set[DUMP_LIVE], &err),
			     &err);
}
