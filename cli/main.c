/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: global options and dispatch through the command table.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pvctl.h"

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

int pv_cli_run(struct pv_cli *cli, int argc, char **argv)
{
	const struct pv_cmd *cmd = pv_cmd_find(argv[0]);
	int rc;

	/* The bash completion's back end: plumbing, not a user command. */
	if (!strcmp(argv[0], "__complete"))
		return cmd_complete(cli, argc, argv);
	if (!cmd) {
		pv_cli_error("unknown command '%s' (see 'pvctl help')", argv[0]);
		return PV_EXIT_USAGE;
	}
	cli->cmd = cmd;
	memset(cli->opt_set, 0, sizeof(cli->opt_set));
	memset(cli->opt_val, 0, sizeof(cli->opt_val));
	/* Help needs no hypervisor: let the handler's option parsing show it. */
	if (cmd->needs_xen && !wants_help(argc, argv)) {
		rc = pv_cli_open_xen(cli);
		if (rc)
			return rc;
	}
	return cmd->fn(cli, argc, argv);
}

int main(int argc, char **argv)
{
	struct pv_cli cli;
	int i = 1, rc;

	memset(&cli, 0, sizeof(cli));
	pv_ctx_init(&cli.ctx, NULL);
	cli.interactive = isatty(STDERR_FILENO);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			cli.verbose = true;
		} else if (!strcmp(argv[i], "--version")) {
			/* PVCTL_VERSION: from the Makefile, its one source. */
			printf("pvctl %s\n", PVCTL_VERSION);
			pv_ctx_dispose(&cli.ctx);
			return PV_EXIT_OK;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			argv[i] = "help";
			break;
		} else {
			pv_cli_error("unknown option '%s' (see 'pvctl help')", argv[i]);
			pv_ctx_dispose(&cli.ctx);
			return PV_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		static char *help[] = { "help", NULL };

		rc = pv_cli_run(&cli, 1, help);
	} else {
		rc = pv_cli_run(&cli, argc - i, argv + i);
	}
	pv_ctx_dispose(&cli.ctx);
	return rc;
}
