/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room.c: the create's side of the room protocol (see room.h).
 */
#include <errno.h>
#include <inttypes.h>
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

/* Reads one line (without its newline) by @deadline; 0, -ETIMEDOUT or -EPIPE. */
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
		if (++len == size - 1)
			return -EPIPE;		/* not the loop talking */
	}
	return rc;
}

int pv_room_reserve(struct pv_ctx *ctx, const char *name, uint64_t kb,
		    int *fd, struct pv_err *err)
{
	uint64_t deadline = pv_now_ms() + PV_ROOM_TIMEOUT_S * 1000ull;
	uint64_t n;
	char line[64];
	char *req;
	int s, rc;

	*fd = -1;
	s = room_connect(ctx);
	if (s < 0)
		return 0;		/* no loop: nobody else to ask */
	req = pv_asprintf("room %" PRIu64 " %s\n", kb, name);
	rc = send(s, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req) ? 0 : -EPIPE;
	free(req);
	while (!rc && !(rc = read_line(s, line, sizeof(line), deadline))) {
		if (strcmp(line, "ok") == 0) {
			*fd = s;
			return 0;
		}
		if (sscanf(line, "no %" SCNu64, &n) == 1) {
			close(s);
			return pv_err_set(err, -ENOMEM, "not enough free memory for '%s': "
					  "it needs %" PRIu64 " MiB and the autoscale "
					  "loop could not make room: %" PRIu64 " MiB "
					  "missing", name, kb / 1024, (n + 1023) / 1024);
		}
		if (sscanf(line, "wait %" SCNu64, &n) != 1)
			rc = -EPIPE;
	}
	close(s);
	if (rc == -ETIMEDOUT)
		return pv_err_set(err, rc, "the autoscale loop did not make room "
				  "for '%s' (%" PRIu64 " MiB) within %d s", name,
				  kb / 1024, PV_ROOM_TIMEOUT_S);
	return 0;	/* the loop went away mid-way: as if it never ran */
}

void pv_room_release(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
