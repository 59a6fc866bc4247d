/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_console.c: attach to a guest's PV console.
 *
 * xenconsoled serves each guest console on a pseudo-terminal and
 * publishes its name in XenStore (pv_domain_console_tty). We put that pty in
 * raw mode (no echo, no line editing: the guest does its own) and copy
 * bytes both ways. On a terminal, Ctrl-] detaches, as with xl. From a
 * script, stdin is sent to the guest and the guest's output goes to
 * stdout until --timeout passes, the domain goes away, or we are killed.
 *
 * What a guest writes is not trusted: on a terminal, its escape
 * sequences could retitle the window, remap keys or answer back into our
 * own input. Unless --raw, they are shown, not obeyed (pv_cli_safe_text).
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
/* After a create, xenconsoled publishes the pty soon; wait this long. */
#define TTY_WAIT_MS 5000

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

/* Pending bytes of a UTF-8 sequence cut short: each shown as \xNN. */
static void flush_seq(struct pv_safe_text *st, struct pv_buf *out)
{
	unsigned int i;

	for (i = 0; i < st->have; i++)
		pv_buf_printf(out, "\\x%02x", st->seq[i]);
	st->have = st->want = 0;
}

/* Whether @c may be byte @st->have of the sequence started (RFC 3629). */
static bool continues(const struct pv_safe_text *st, unsigned char c)
{
	if (c < 0x80 || c > 0xbf)
		return false;
	if (st->have != 1)
		return true;
	switch (st->seq[0]) {
	case 0xe0: return c >= 0xa0;	/* overlong */
	case 0xed: return c <= 0x9f;	/* surrogates */
	case 0xf0: return c >= 0x90;	/* overlong */
	case 0xf4: return c <= 0x8f;	/* past U+10FFFF */
	default: return true;
	}
}

/*
 * Text is passed; C0 controls but \n, \r and \t, and DEL, become caret
 * notation (ESC is "^["); C1 controls (U+0080-U+009F, which some
 * terminals obey as ESC [ and friends) and bytes that are not UTF-8
 * become \xNN. A sequence may span calls.
 */
void pv_cli_safe_text(struct pv_safe_text *st, const char *in, size_t n,
		      struct pv_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (st->have && continues(st, c)) {
			st->seq[st->have++] = c;
			if (st->have < st->want)
				continue;
			if (st->seq[0] == 0xc2 && st->seq[1] <= 0x9f)
				flush_seq(st, out);	/* a C1 control */
			pv_buf_add(out, (const char *)st->seq, st->have);
			st->have = st->want = 0;
			continue;
		}
		flush_seq(st, out);
		if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f))
			pv_buf_add(out, (const char *)&c, 1);
		else if (c < 0x80)
			pv_buf_printf(out, "^%c", c ^ 0x40);
		else if (c >= 0xc2 && c <= 0xf4) {
			st->seq[st->have++] = c;
			st->want = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		} else
			pv_buf_printf(out, "\\x%02x", c);
	}
}

void pv_cli_safe_text_end(struct pv_safe_text *st, struct pv_buf *out)
{
	flush_seq(st, out);
}

/* Writes guest output to stdout, made safe unless @safe is NULL. */
static int output(struct pv_safe_text *safe, const char *buf, size_t n)
{
	struct pv_buf b = PV_BUF_INIT;
	int rc;

	if (!safe)
		return write_all(STDOUT_FILENO, buf, n);
	pv_cli_safe_text(safe, buf, n, &b);
	rc = b.len ? write_all(STDOUT_FILENO, b.s, b.len) : 0;
	pv_buf_dispose(&b);
	return rc;
}

/*
 * Copies stdin to the pty and the pty to stdout. Returns when the escape
 * character is typed (on a terminal), the deadline passes, or the pty
 * closes (the domain is gone).
 */
static void relay(int pty, bool tty_in, uint64_t deadline,
		  struct pv_safe_text *safe)
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

			if (r <= 0 || output(safe, buf, (size_t)r))
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

/*
 * The pty's name; a domain just created may not have it yet (xenconsoled
 * sets it up on its watch), so it is asked again for @wait_ms.
 */
static int console_tty(struct pv_cli *cli, uint32_t domid, int wait_ms,
		       char **tty)
{
	uint64_t deadline = pv_now_ms() + (uint64_t)wait_ms;
	struct pv_err err;
	int rc;

	for (;;) {
		pv_err_init(&err);
		rc = pv_domain_console_tty(&cli->ctx, domid, tty, &err);
		if (rc != -ENOENT || pv_now_ms() >= deadline)
			break;
		pv_err_dispose(&err);
		usleep(100 * 1000);
	}
	return pv_cli_report(rc, &err);
}

int pv_cli_console(struct pv_cli *cli, uint32_t domid, uint64_t secs,
		   bool raw, bool just_created)
{
	struct pv_safe_text safe = { { 0 }, 0, 0 };
	struct termios saved, mode;
	bool tty_in = isatty(STDIN_FILENO);
	char *tty;
	int rc, pty;

	rc = console_tty(cli, domid, just_created ? TTY_WAIT_MS : 0, &tty);
	if (rc)
		return rc;
	pty = open_pty(tty);
	free(tty);
	if (pty < 0)
		return PV_EXIT_FAIL;
	if (tty_in) {
		fprintf(stderr, "Connected to domain %u's console; Ctrl-] detaches.%s\r\n",
			domid, raw ? "" : " Its escape sequences are shown, not obeyed "
			"(--raw passes them).");
		tcgetattr(STDIN_FILENO, &saved);
		mode = saved;
		cfmakeraw(&mode);
		tcsetattr(STDIN_FILENO, TCSANOW, &mode);
	}
	relay(pty, tty_in, secs ? pv_now_ms() + secs * 1000 : 0,
	      raw ? NULL : &safe);
	if (!raw) {
		struct pv_buf rest = PV_BUF_INIT;

		pv_cli_safe_text_end(&safe, &rest);
		if (rest.len)
			write_all(STDOUT_FILENO, rest.s, rest.len);
		pv_buf_dispose(&rest);
	}
	if (tty_in) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputs("\n", stderr);
	}
	close(pty);
	return PV_EXIT_OK;
}

bool pv_cli_console_raw(struct pv_cli *cli, int raw_opt, int safe_opt)
{
	return !cli->opt_set[safe_opt] &&
	       (cli->opt_set[raw_opt] || !isatty(STDOUT_FILENO));
}

int cmd_console(struct pv_cli *cli, int argc, char **argv)
{
	const char *type = cli->opt_val[CONSOLE_TYPE];
	uint64_t secs;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	/* xl's -t: a PV guest has a PV console; serial is HVM's emulated one. */
	if (type && strcmp(type, "pv")) {
		pv_cli_error("console: %s console type '%s': a PV guest has only "
			     "its PV console (-t pv)", strcmp(type, "serial") ?
			     "unknown" : "no", type);
		return PV_EXIT_USAGE;
	}
	rc = pv_cli_opt_seconds(cli, CONSOLE_TIMEOUT, 0, 86400, &secs);
	if (rc)
		return rc;
	rc = pv_cli_domain_arg(cli, argv[first], &domid);
	if (rc)
		return rc;
	return pv_cli_console(cli, domid, secs, pv_cli_console_raw(cli, CONSOLE_RAW,
							       CONSOLE_SAFE), false);
}
