/*
 * cmd_monitor.c: the monitor that carries out on_poweroff/on_reboot/on_crash,
 * and its start in the background after a create.
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

int cmd_monitor(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_monitor_log log = { log_line, stderr };
	struct pv_err err;
	FILE *f = NULL;
	int rc;

	if (!cli->opt_set[MON_FOREGROUND]) {
		char *path = pv_asprintf("%s/monitor.log", cli->ctx.log_dir);

		pv_err_init(&err);
		if (pv_mkdirs(cli->ctx.log_dir, &err) == 0)
			f = fopen(path, "ae");
		pv_err_dispose(&err);
		free(path);
		if (f)
			log.arg = f;
	}
	rc = pv_monitor_run(&cli->ctx, &log, cli->opt_set[MON_IDLE_EXIT]);
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
