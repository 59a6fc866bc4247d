/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room.c: the create's side of the room protocol (see room.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "room.h"

char *pv_room_socket_path(const struct pv_ctx *ctx)
{
	return pv_asprintf("%s/autoscale.sock", ctx->run_dir);
}

/* Connects to the loop; -1 (and errno) when none listens. */
static int room_connect(const struct pv_ctx *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = pv_room_socket_path(ctx);
	int fd = -1;

	if (strlen(path) < sizeof(sa.sun_path)) {
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			fd = -1;
		}
	}
	free(path);
	return fd;
}

/*
 * Reads one line (without its newline) by @deadline: 0, -ETIMEDOUT,
 * -EPIPE (the loop hung up) or -EPROTO (a line too long: not the loop).
 */
static int read_line(int fd, char *line, size_t size, uint64_t deadline)
{
	size_t len = 0;
	int rc;

	while (!(rc = pv_wait_readable(fd, deadline))) {
		ssize_t got = read(fd, line + len, 1);	/* lines are short and rare */

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -EPIPE;
		if (line[len] == '\n') {
			line[len] = '\0';
			return 0;
		}
		if (++len == size - 1) {
			line[len] = '\0';
			return -EPROTO;
		}
	}
	return rc;
}

/* What came of asking the loop once. */
enum answer {
	NO_LOOP,		/* none listens */
	ANSWER_OK,
	ANSWER_NO,
	ANSWER_BUSY,
	ANSWER_DENIED,
	ANSWER_GONE,		/* hung up without a verdict */
};

/* Between two requests the loop turned away or hung up on. */
#define ROOM_RETRY_MS 200

/*
 * Sends @req on @s and reads up to the loop's verdict: an answer, or
 * -ETIMEDOUT, or -EPROTO with the line in @line. *@n is what "no" said.
 */
static int ask(int s, const char *req, uint64_t deadline, char *line,
	       size_t size, uint64_t *n)
{
	int rc;

	/*
	 * Not checked: a loop that turned us away has said why before it
	 * hung up, and the reply is read either way.
	 */
	(void)!send(s, req, strlen(req), MSG_NOSIGNAL);
	while (!(rc = read_line(s, line, size, deadline))) {
		if (strcmp(line, "ok") == 0)
			return ANSWER_OK;
		if (strcmp(line, "busy") == 0)
			return ANSWER_BUSY;
		if (strcmp(line, "denied") == 0)
			return ANSWER_DENIED;
		if (sscanf(line, "no %" SCNu64, n) == 1)
			return ANSWER_NO;
		if (sscanf(line, "wait %" SCNu64, n) != 1)
			return -EPROTO;
	}
	return rc == -EPIPE ? ANSWER_GONE : rc;
}

int pv_room_reserve(struct pv_ctx *ctx, const char *name, uint64_t kb,
		    int *fd, struct pv_err *err)
{
	uint64_t deadline = pv_now_ms() + PV_ROOM_TIMEOUT_S * 1000ull, n = 0;
	char *req = pv_asprintf("room %" PRIu64 " %s\n", kb, name);
	char *path = pv_room_socket_path(ctx);
	bool busy = false;
	char line[64] = "";
	int s, a, rc = 0;

	*fd = -1;
	for (;;) {
		s = room_connect(ctx);
		if (s < 0) {
			a = NO_LOOP;		/* nobody else to ask */
			break;
		}
		a = ask(s, req, deadline, line, sizeof(line), &n);
		if (a == ANSWER_OK) {
			*fd = s;
			break;
		}
		close(s);
		if (a != ANSWER_BUSY && a != ANSWER_GONE)
			break;
		/*
		 * Busy, or hung up: ask again. A loop that has gone away
		 * refuses the next connection, and then there is none.
		 */
		busy = busy || a == ANSWER_BUSY;
		if (pv_now_ms() + ROOM_RETRY_MS >= deadline) {
			a = -ETIMEDOUT;
			break;
		}
		usleep(ROOM_RETRY_MS * 1000);
	}
	if (a == ANSWER_NO)
		rc = pv_err_set(err, -ENOMEM, "not enough free memory for '%s': "
				"it needs %" PRIu64 " MiB and the autoscale "
				"loop could not make room: %" PRIu64 " MiB "
				"missing", name, kb / 1024, (n + 1023) / 1024);
	else if (a == ANSWER_DENIED)
		rc = pv_err_set(err, -EACCES, "the autoscale loop (%s) refuses "
				"user %u: only root may ask it for memory",
				path, (unsigned int)getuid());
	else if (a == -ETIMEDOUT && busy)
		rc = pv_err_set(err, a, "the autoscale loop (%s) stayed busy "
				"with %d other creates: gave up on '%s' after %d s",
				path, PV_ROOM_MAX_REQS, name, PV_ROOM_TIMEOUT_S);
	else if (a == -ETIMEDOUT)
		rc = pv_err_set(err, a, "the autoscale loop did not make room "
				"for '%s' (%" PRIu64 " MiB) within %d s", name,
				kb / 1024, PV_ROOM_TIMEOUT_S);
	else if (a < 0)
		rc = pv_err_set(err, a, "the autoscale loop (%s) answered "
				"'%s', not the room protocol", path, line);
	free(path);
	free(req);
	return rc;
}

void pv_room_release(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

bool pv_room_loop_runs(const struct pv_ctx *ctx)
{
	int fd = room_connect(ctx);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
