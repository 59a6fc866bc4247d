/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_debug.c: debug-keys, keys for Xen's debug handlers, as xl
 * debug-keys; what they show goes to Xen's console (pvctl dmesg).
 */
#include "pvctl.h"
#include "../lib/host.h"

int cmd_debug_keys(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (!argv[first][0]) {
		pv_cli_error("debug-keys: no keys given ('h' lists them)");
		return PV_EXIT_USAGE;
	}
	/* The table does not open Xen for it: the keys are checked first. */
	rc = pv_cli_open_xen(cli);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_host_debug_keys(&cli->ctx, argv[first], &err),
			     &err);
}
