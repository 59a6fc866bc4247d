/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_sysrq.c: sysrq, a magic SysRq key for a guest's kernel, as xl
 * sysrq.
 */
#include <string.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

int cmd_sysrq(struct pv_cli *cli, int argc, char **argv)
{
	const char *key;
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	key = argv[first + 1];
	if (strlen(key) != 1 || key[0] < 0x21 || key[0] > 0x7e) {
		pv_cli_error("sysrq: '%s' is not one letter (h asks the guest "
			     "for the list)", key);
		return PV_EXIT_USAGE;
	}
	/* The table does not open Xen for it: the key is checked first. */
	rc = pv_cli_open_xen(cli);
	if (rc)
		return rc;
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_sysrq(&cli->ctx, domid, key[0], &err),
			     &err);
}
