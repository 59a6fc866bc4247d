/*
 * cmd_control.c: shutdown, reboot, pause, unpause, rename, uptime and
 * the monitor that carries out on_poweroff/on_reboot/on_crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"

enum { SD_WAIT, SD_FORCE, SD_TIMEOUT };

/*
 * shutdown and reboot: the request, then with -w a wait until the domain
 * has shut down (the monitor then applies on_poweroff/on_reboot). A guest
 * that does not react in time is reported; with -F it is destroyed.
 */
static int shutdown_common(struct pv_cli *cli, int argc, char **argv,
			   const char *what)
{
	struct pv_err err;
	uint64_t secs;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	rc = pv_cli_opt_seconds(cli, SD_TIMEOUT, 60, 86400, &secs);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = pv_domain_request_shutdown(&cli->ctx, domid, what, &err);
	if (rc || !(cli->opt_set[SD_WAIT] || cli->opt_set[SD_FORCE]))
		return pv_cli_report(rc, &err);
	if (cli->interactive)
		fprintf(stderr, "Waiting for domain %s (%u) to %s...\n",
			argv[first], domid, what);
	rc = pv_domain_wait_shutdown(&cli->ctx, domid, (int)(secs * 1000), NULL);
	if (rc == -ETIMEDOUT) {
		pv_err_set(&err, rc, "domain %s did not %s within %llu s (%s)%s",
			   argv[first], what, (unsigned long long)secs,
			   pv_domain_shutdown_pending(&cli->ctx, domid) ?
			   "it has not even acknowledged the request: "
			   "no PV shutdown support, or it ignores it" :
			   "it acknowledged the request but did not finish",
			   cli->opt_set[SD_FORCE] ? "; destroying it (-F)" :
			   "; -F destroys it");
		if (cli->opt_set[SD_FORCE]) {
			pv_cli_error("%s", pv_err_msg(&err));
			pv_err_clear(&err);
			rc = pv_domain_destroy(&cli->ctx, domid, &err);
		}
	} else if (rc) {
		pv_err_sys(&err, rc, "waiting for domain %u", domid);
	}
	return pv_cli_report(rc, &err);
}

int cmd_shutdown(struct pv_cli *cli, int argc, char **argv)
{
	return shutdown_common(cli, argc, argv, "poweroff");
}

int cmd_reboot(struct pv_cli *cli, int argc, char **argv)
{
	return shutdown_common(cli, argc, argv, "reboot");
}

static int pause_common(struct pv_cli *cli, int argc, char **argv, bool pause)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_pause(&cli->ctx, domid, pause, &err), &err);
}

int cmd_pause(struct pv_cli *cli, int argc, char **argv)
{
	return pause_common(cli, argc, argv, true);
}

int cmd_unpause(struct pv_cli *cli, int argc, char **argv)
{
	return pause_common(cli, argc, argv, false);
}

int cmd_rename(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_rename(&cli->ctx, domid, argv[first + 1], &err),
		      &err);
}

static void print_duration(char *out, size_t n, uint64_t s)
{
	if (s >= 86400)
		snprintf(out, n, "%llu days, %2llu:%02llu:%02llu",
			 (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600),
			 (unsigned long long)(s % 3600 / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(out, n, "%2llu:%02llu:%02llu",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60),
			 (unsigned long long)(s % 60));
}

enum { UPTIME_JSON };

int cmd_uptime(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_status *st;
	struct pv_printer p;
	struct pv_err err;
	size_t n, i;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	pv_err_init(&err);
	rc = pv_domain_list(&cli->ctx, NULL, 0, &st, &n, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_print_init(&p, cli->opt_set[UPTIME_JSON]);
	pv_print_text(&p, "%-32s %5s %s\n", "Name", "ID", "Uptime");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++) {
		uint64_t up;
		char text[64];

		if (pv_domain_uptime(&cli->ctx, st[i].info.domid, &up, &err))
			up = 0;		/* start unknown */
		pv_err_clear(&err);
		print_duration(text, sizeof(text), up);
		pv_print_obj_open(&p, NULL);
		pv_print_str(&p, "name", "%-32s ", st[i].name);
		pv_print_uint(&p, "domid", "%5llu ", st[i].info.domid);
		pv_print_uint(&p, "uptime_s", NULL, up);
		pv_print_str(&p, "uptime", "%s\n", text);
		pv_print_obj_close(&p);
	}
	pv_print_arr_close(&p);
	pv_print_dispose(&p);
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return PV_EXIT_OK;
}

/* --- the monitor --- */

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

enum { MON_FOREGROUND, MON_IDLE_EXIT };

int cmd_monitor(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_monitor_log log = { log_line, stderr };
	struct pv_err err;
	FILE *f = NULL;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
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
