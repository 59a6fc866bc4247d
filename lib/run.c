/*
 * run.c: running helper programs (see run.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = pv_now_ms();
		ssize_t got;

		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return -errno;
		if (!pfd.revents)
			continue;
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		if (out->len < OUTPUT_MAX)
			pv_buf_add(out, chunk, (size_t)got);
	}
}

int pv_run(char *const argv[], char *const env[], int timeout_ms,
	   struct pv_buf *out, int *status)
{
	int pipefd[2], rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return rc;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		size_t i;

		if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		for (i = 0; env && env[i]; i++)
			putenv(env[i]);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	rc = collect(pipefd[0], out, pv_now_ms() + (uint64_t)timeout_ms);
	close(pipefd[0]);
	if (rc)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
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
