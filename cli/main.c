/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: global options and dispatch through the command table.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pvctl.h"

/*
 * Parses the options and counts the arguments: a usage error is told
 * before anything is opened. 0, -1 after --help, or an exit code.
 */
static int check_args(struct pv_cli *cli, int argc, char **argv)
{
	const struct pv_cmd *cmd = cli->cmd;
	int rc, min, max, n;

	rc = pv_cli_parse_opts(cli, argc, argv, &cli->first);
	if (rc)
		return rc;
	n = argc - cli->first;
	pv_cli_args_range(cmd, &min, &max);
	if (n >= min && (max < 0 || n <= max))
		return 0;
	if (n < min)
		pv_cli_error("%s: missing arguments", cmd->name);
	else
		pv_cli_error("%s: unexpected argument '%s'", cmd->name,
			     argv[cli->first + max]);
	pv_cli_usage(cmd, stderr);
	return PV_EXIT_USAGE;
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
	rc = check_args(cli, argc, argv);
	if (rc)
		return rc < 0 ? PV_EXIT_OK : rc;
	if (cmd->needs_xen) {
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
		/* Alone: the shell for a person at a terminal, else help. */
		static char *help[] = { "help", NULL }, *shell[] = { "shell", NULL };
		bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);

		rc = pv_cli_run(&cli, 1, tty ? shell : help);
	} else {
		rc = pv_cli_run(&cli, argc - i, argv + i);
	}
	pv_ctx_dispose(&cli.ctx);
	return rc;
}
