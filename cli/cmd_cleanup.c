/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_cleanup.c: cleanup: finishes or undoes what killed pvctl processes
 * left half done (lib/domain/cleanup.c says what, operation by
 * operation). The monitor does the same at each scan; this is for a
 * host where none runs, or for not waiting for it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

static void say(void *arg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int cmd_cleanup(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_monitor_log log = { say, NULL };
	struct pv_err err;
	size_t done;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	(void)first;
	pv_err_init(&err);
	rc = pv_domain_cleanup(&cli->ctx, &log, &done, &err);
	if (!rc && !done && !cli->opt_set[CLEANUP_QUIET])
		printf("nothing left half done\n");
	return pv_cli_report(rc, &err);
}
