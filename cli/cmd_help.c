/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_help.c: help (the command list, or one command's usage).
 */
#include <stdio.h>

#include "pvctl.h"

int cmd_help(struct pv_cli *cli, int argc, char **argv)
{
	unsigned int i;
	int first;

	PARSE_OPTS(cli, argc, argv, first);
	if (argc > first) {
		const struct pv_cmd *cmd = pv_cmd_find(argv[first]);

		if (!cmd) {
			pv_cli_error("unknown command '%s'", argv[first]);
			return PV_EXIT_USAGE;
		}
		pv_cli_usage(cmd, stdout);
		return 0;
	}
	puts("usage: pvctl [-v|--verbose] COMMAND [ARGS...]\n\ncommands:");
	for (i = 0; i < pv_ncommands; i++)
		printf("  %-12s %s\n", pv_commands[i].name, pv_commands[i].summary);
	puts("\n'pvctl help COMMAND' shows a command's options; see also pvctl(1).");
	return 0;
}
