/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_migrate.c: migrate, a running guest to another host (or this one),
 * and migrate-receive, the other end, which migrate starts there as xl
 * does: `sh -c "exec SSHCOMMAND HOST pvctl migrate-receive"`, its stdin
 * and stdout the channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"

/* Starts the receiver; *to and *from are our ends of its stdin and stdout. */
static pid_t start_receiver(const char *ssh, const char *host, bool paused,
			    int *to, int *from)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, saved;
	char *cmd;
	pid_t pid = -1;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		goto fail;
	cmd = pv_asprintf("exec %s %s pvctl migrate-receive%s", ssh, host,
			  paused ? " -p" : "");
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);	/* a Ctrl-C here is ours to handle, not ssh's */
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	if (pid < 0)
		goto fail;
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	return pid;
fail:
	saved = errno;
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	errno = saved;
	return -1;
}

int cmd_migrate(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_cli_progress prog = { "migrating, sent", pv_now_ms(), 0 };
	struct pv_migrate_opts opts = { true, NULL, NULL };
	struct pv_migrate_stats st;
	const char *ssh = "ssh";
	struct pv_printer p;
	struct pv_err err;
	uint32_t domid;
	int first, rc, to, from, status;
	pid_t pid;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	if (cli->opt_set[MIG_SSH])
		ssh = cli->opt_val[MIG_SSH];
	if (cli->opt_set[MIG_LIVE] && cli->opt_set[MIG_NON_LIVE]) {
		pv_cli_error("migrate: --live and --non-live together");
		return PV_EXIT_USAGE;
	}
	opts.live = !cli->opt_set[MIG_NON_LIVE];
	if (cli->interactive && !cli->opt_set[MIG_JSON]) {
		opts.progress = pv_cli_show_progress;
		opts.arg = &prog;
	}
	/* The other end going away must be an error here, not our death. */
	signal(SIGPIPE, SIG_IGN);
	pid = start_receiver(ssh, argv[first + 1], cli->opt_set[MIG_PAUSED],
			     &to, &from);
	if (pid < 0) {
		pv_cli_error("migrate: cannot start the receiver: %s",
			     strerror(errno));
		return PV_EXIT_FAIL;
	}
	pv_err_init(&err);
	pv_cli_defer_signals(cli);
	rc = pv_domain_migrate_send(&cli->ctx, domid, to, from, &opts, &st, &err);
	pv_cli_end_deferred_signals(cli);
	close(to);
	close(from);
	waitpid(pid, &status, 0);
	if (opts.progress)
		fputs("\r\033[K", stderr);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_err_dispose(&err);
	if (cli->verbose)
		fprintf(stderr, "  %6.3fs  receiver ready\n  %6.3fs  memory sent\n"
			"  %6.3fs  running there\n",
			(double)st.phase_ms[0] / 1000, (double)st.phase_ms[1] / 1000,
			(double)st.phase_ms[2] / 1000);
	pv_print_init(&p, cli->opt_set[MIG_JSON]);
	pv_print_obj_open(&p, NULL);
	pv_print_str(&p, "host", "migrated to %s: ", argv[first + 1]);
	pv_print_uint(&p, "bytes", "%llu bytes, ", st.bytes);
	pv_print_uint(&p, "downtime_ms", "downtime %llu ms, ", st.downtime_ms);
	pv_print_uint(&p, "total_ms", "%llu ms in all\n", st.phase_ms[2]);
	pv_print_bool(&p, "live", NULL, opts.live);
	pv_print_obj_close(&p);
	return pv_print_dispose(&p) ? PV_EXIT_FAIL : PV_EXIT_OK;
}

int cmd_migrate_receive(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_create_opts opts = { -1, false };
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (argc != first) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	opts.paused = cli->opt_set[MIGR_PAUSED];
	signal(SIGPIPE, SIG_IGN);
	/* libxenguest reads and writes blocking descriptors. */
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) & ~O_NONBLOCK);
	fcntl(1, F_SETFL, fcntl(1, F_GETFL) & ~O_NONBLOCK);
	pv_err_init(&err);
	pv_cli_defer_signals(cli);
	rc = pv_domain_migrate_receive(&cli->ctx, 0, 1, &opts, &domid, &err);
	pv_cli_end_deferred_signals(cli);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_err_dispose(&err);
	fprintf(stderr, "migrate-receive: domain %u runs here\n", domid);
	pv_cli_spawn_monitor();
	return PV_EXIT_OK;
}
