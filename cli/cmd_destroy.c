/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_destroy.c: destroy. xl's -f lets it destroy domain 0 "when using a
 * disaggregated hardware domain and toolstack"; pvctl runs in Domain-0,
 * so -f is accepted for xl's scripts and Domain-0 is refused all the same.
 */
#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_destroy(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	if (domid == 0 && cli->opt_set[DESTROY_FORCE]) {
		pv_cli_error("destroy: not destroying Domain-0, even with -f: pvctl "
			     "runs in it (xl's -f is for a disaggregated toolstack)");
		return PV_EXIT_FAIL;
	}
	pv_err_init(&err);
	return pv_cli_report(pv_domain_destroy(&cli->ctx, domid, &err), &err);
}
