/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.c: running helper programs (see run.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#define OUTPUT_MAX (64 * 1024)

/* Reads what the child prints until it closes its end or @deadline. */
static int collect(int fd, struct pv_buf *out, uint64_t deadline)
{
	char chunk[512];
	int rc;

	while (!(rc = pv_wait_readable(fd, deadline))) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		if (out->len < OUTPUT_MAX)
			pv_buf_add(out, chunk, (size_t)got);
	}
	return rc;
}

/*
 * The environment for the child, built before fork(): after it, in a
 * process with other threads (libxenstore's reader), only
 * async-signal-safe calls are allowed.
 */
static char **child_env(char *const env[])
{
	size_t n = 0, m = 0, i, j;
	char **all;

	while (environ[n])
		n++;
	while (env && env[m])
		m++;
	all = pv_calloc(n + m + 1, sizeof(*all));
	for (i = 0, j = 0; i < n; i++) {
		size_t k;

		/* ours win over what we inherit */
		for (k = 0; k < m; k++)
			if (!strncmp(environ[i], env[k], strcspn(env[k], "=") + 1))
				break;
		if (k == m)
			all[j++] = environ[i];
	}
	for (i = 0; i < m; i++)
		all[j++] = env[i];
	return all;
}

/* Waits for @pid by @deadline, then kills its whole process group. */
static int reap(pid_t pid, uint64_t deadline, int *status)
{
	pid_t got;

	while ((got = waitpid(pid, status, WNOHANG)) == 0 && pv_now_ms() < deadline)
		usleep(10000);
	if (got == pid)
		return 0;
	kill(-pid, SIGKILL);
	while ((got = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return got == pid ? -ETIMEDOUT : -ECHILD;
}

int pv_run(char *const argv[], char *const env[], int timeout_ms,
	   struct pv_buf *out, int *status)
{
	uint64_t deadline = pv_now_ms() + (uint64_t)timeout_ms;
	int pipefd[2], null, rc, reaped;
	char **envp;
	pid_t pid;

	if (access(argv[0], X_OK))
		return -errno;
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC)) {
		rc = -errno;
		close(null);
		return rc;
	}
	envp = child_env(env);
	pid = fork();
	if (pid == 0) {
		/* its own process group, so that a timeout kills all it started */
		if (setpgid(0, 0) || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	rc = pid < 0 ? -errno : 0;
	free(envp);
	close(null);
	close(pipefd[1]);
	if (!rc) {
		rc = collect(pipefd[0], out, deadline);
		reaped = reap(pid, rc ? 0 : deadline, status);
		if (!rc)
			rc = reaped;
	}
	close(pipefd[0]);
	return rc;
}

void pv_run_describe(int status, struct pv_buf *out, struct pv_buf *msg)
{
	char *s = out->s ? out->s : "", *nl;

	while (out->len && (s[out->len - 1] == '\n' || s[out->len - 1] == '\r'))
		s[--out->len] = '\0';
	nl = strrchr(s, '\n');
	if (WIFEXITED(status))
		pv_buf_printf(msg, "exit %d", WEXITSTATUS(status));
	else
		pv_buf_printf(msg, "signal %d", WTERMSIG(status));
	if (*s)
		pv_buf_printf(msg, ": %s", nl ? nl + 1 : s);
}
