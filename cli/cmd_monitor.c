/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_monitor.c: the monitor that carries out on_poweroff/on_reboot/on_crash
 * and meters the domains (lib/domain/meter.c), and its start in the
 * background after a create.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"
#include "../util/fileio.h"
#include "../lib/balloon/autoscale.h"
#include "../lib/domain/meter.h"

static void log_line(void *arg, const char *fmt, ...)
{
	FILE *f = arg;
	char stamp[32];
	time_t now = time(NULL);
	va_list ap;

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(f, "%s ", stamp);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

/* The used memory the meter counts: the agent's report, checked as the autoscale loop checks it. */
static bool agent_used(struct pv_ctx *ctx, uint32_t domid, uint64_t static_max_kb,
		       uint64_t *used_kb)
{
	struct pv_signals s;
	const char *why;

	pv_signals_read(&ctx->hv, domid, static_max_kb, &s, &why);
	if (s.valid)
		*used_kb = s.mem_total_kb - s.mem_avail_kb;
	return s.valid;
}

/* The meter the monitor runs, set up from the options; 0 or an exit code. */
static int meter_setup(struct pv_cli *cli, struct pv_meter *m)
{
	const char *file = cli->opt_val[MON_METRICS_FILE];
	const char *listen = cli->opt_val[MON_METRICS_LISTEN];
	struct pv_err err;

	pv_meter_init(m, &cli->ctx);
	m->agent = agent_used;
	if (cli->opt_set[MON_METRICS_FILE]) {
		pv_str_set(&m->prom_file, *file ? file : NULL);
		m->prom_if_dir = false;
	}
	if (!cli->opt_set[MON_METRICS_LISTEN])
		return 0;
	/* Checked now; bound once the monitor holds its lock. */
	pv_err_init(&err);
	if (pv_meter_check_listen(listen, &err)) {
		pv_cli_error("%s", pv_err_msg(&err));
		pv_err_dispose(&err);
		pv_meter_dispose(m);
		return PV_EXIT_USAGE;
	}
	pv_err_dispose(&err);
	m->listen = pv_strdup(listen);
	return 0;
}

int cmd_monitor(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_monitor_log log = { log_line, stderr };
	struct pv_meter meter;
	struct pv_err err;
	FILE *f = NULL;
	int rc;

	rc = meter_setup(cli, &meter);
	if (rc)
		return rc;
	if (!cli->opt_set[MON_FOREGROUND]) {
		char *path = pv_asprintf("%s/monitor.log", cli->ctx.log_dir);

		pv_err_init(&err);
		if (pv_mkdirs(cli->ctx.log_dir, &err) == 0)
			f = pv_open_log(path, 0640, &err);
		pv_err_dispose(&err);
		free(path);
		if (f)
			log.arg = f;
	}
	rc = pv_monitor_run(&cli->ctx, &log, cli->opt_set[MON_IDLE_EXIT], &meter);
	pv_meter_dispose(&meter);
	if (f)
		fclose(f);
	if (rc == -EALREADY) {
		if (cli->opt_set[MON_FOREGROUND])
			pv_cli_error("a monitor is already running");
		return cli->opt_set[MON_FOREGROUND] ? PV_EXIT_FAIL : PV_EXIT_OK;
	}
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}

/*
 * Starts `pvctl monitor --idle-exit` in the background, detached from the
 * caller's session (double fork: no zombie, no controlling terminal). If
 * a monitor already runs, the new one sees its lock and exits at once.
 */
void pv_cli_spawn_monitor(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return;
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	if (setsid() < 0 || fork() != 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execl("/proc/self/exe", "pvctl", "monitor", "--idle-exit", (char *)NULL);
	_exit(127);
}
