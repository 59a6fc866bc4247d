/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_console.c: attach to a guest's PV console.
 *
 * xenconsoled serves each guest console on a pseudo-terminal and
 * publishes its name in XenStore (pv_domain_console_tty). We put that pty in
 * raw mode (no echo, no line editing: the guest does its own) and copy
 * bytes both ways. On a terminal, Ctrl-] detaches, as with xl. From a
 * script, stdin is sent to the guest and the guest's output goes to
 * stdout until -t SECONDS pass, the domain goes away, or we are killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

#define ESCAPE_CHAR 0x1d	/* Ctrl-] */

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Copies stdin to the pty and the pty to stdout. Returns when the escape
 * character is typed (on a terminal), the deadline passes, or the pty
 * closes (the domain is gone).
 */
static void relay(int pty, bool tty_in, uint64_t deadline)
{
	struct pollfd fds[2] = {
		{ .fd = pty, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	char buf[4096];

	for (;;) {
		int timeout = -1, n;

		if (deadline) {
			uint64_t now = pv_now_ms();

			if (now >= deadline)
				return;
			timeout = (int)pv_min_u64(deadline - now, 1000);
		}
		n = poll(fds, fds[1].fd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno != EINTR)
			return;
		if (n <= 0)
			continue;
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(pty, buf, sizeof(buf));

			if (r <= 0 || write_all(STDOUT_FILENO, buf, (size_t)r))
				return;
		}
		if (fds[1].fd >= 0 && fds[1].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));

			if (r <= 0) {
				fds[1].fd = -1;	/* end of input: keep reading output */
				continue;
			}
			if (tty_in && memchr(buf, ESCAPE_CHAR, (size_t)r))
				return;
			if (write_all(pty, buf, (size_t)r))
				return;
		}
	}
}

/* Opens the console's pty in raw mode; -1 (said why) if it cannot. */
static int open_pty(const char *tty)
{
	struct termios t;
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		pv_cli_error("cannot open %s: %s", tty, strerror(errno));
	else if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int cmd_console(struct pv_cli *cli, int argc, char **argv)
{
	struct termios saved, raw;
	struct pv_err err;
	char *tty;
	bool tty_in = isatty(STDIN_FILENO);
	uint64_t secs;
	uint32_t domid;
	int first, rc, pty;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	rc = pv_cli_opt_seconds(cli, CONSOLE_TIMEOUT, 0, 86400, &secs);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = pv_domain_console_tty(&cli->ctx, domid, &tty, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_err_dispose(&err);
	pty = open_pty(tty);
	free(tty);
	if (pty < 0)
		return PV_EXIT_FAIL;
	if (tty_in) {
		fprintf(stderr, "Connected to domain %u's console; Ctrl-] detaches.\r\n",
			domid);
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	relay(pty, tty_in, secs ? pv_now_ms() + secs * 1000 : 0);
	if (tty_in) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputs("\n", stderr);
	}
	close(pty);
	return PV_EXIT_OK;
}
