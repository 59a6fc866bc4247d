/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room_server.c: the autoscale loop's side of the room protocol (see
 * lib/room.h for the protocol and the create's side).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "room_server.h"

void pv_room_server_init(struct pv_room_server *s)
{
	memset(s, 0, sizeof(*s));
	s->lock_fd = s->listen_fd = -1;
}

int pv_room_listen(struct pv_room_server *s, struct pv_ctx *ctx,
		   struct pv_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = pv_room_socket_path(ctx);
	bool bound = false;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		rc = pv_err_set(err, -ENAMETOOLONG, "%s: path too long", path);
		goto out;
	}
	strcpy(sa.sun_path, path);
	/* The lock, held while the loop runs, says whose socket it is. */
	fd = pv_lock_file(ctx, "autoscale.lock", false, err);
	if (fd == -EALREADY) {
		pv_err_clear(err);
		fd = pv_err_set(err, -EBUSY, "another autoscale loop is running "
				"(it listens on %s)", path);
	}
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	s->lock_fd = fd;
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		/*
		 * bind makes the socket file under the umask: 0600 from its
		 * first instant. A chmod after bind would leave a moment open
		 * to others, and act on whatever the path then names.
		 */
		mode_t old = umask(0177);

		bound = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		umask(old);
	}
	if (fd < 0 || !bound || listen(fd, 16)) {
		rc = pv_err_sys(err, -errno, "listening on %s", path);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	s->listen_fd = fd;
out:
	free(path);
	return rc;
}

void pv_room_drop(struct pv_room_server *s, size_t i)
{
	close(s->reqs[i].fd);
	memmove(&s->reqs[i], &s->reqs[i + 1], (s->n - i - 1) * sizeof(*s->reqs));
	s->n--;
}

void pv_room_server_dispose(struct pv_room_server *s, const struct pv_ctx *ctx)
{
	char *path;

	while (s->n)
		pv_room_drop(s, s->n - 1);
	free(s->reqs);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		path = pv_room_socket_path(ctx);
		unlink(path);
		free(path);
	}
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pv_room_server_init(s);
}

/*
 * Who may ask for room: root, and the user the loop runs as (its
 * socket's owner; the unit tests run the loop as themselves). The
 * socket's mode says as much; this holds should the mode or the
 * directory ever be loosened.
 */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Says why (a line of the protocol) and hangs up. */
static void turn_away(int fd, const char *line)
{
	(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

void pv_room_accept(struct pv_room_server *s)
{
	int fd;

	while ((fd = accept4(s->listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		if (!peer_allowed(fd)) {
			turn_away(fd, "denied\n");
			continue;
		}
		/* the create asks again: it must not go on as if no loop ran */
		if (s->n == PV_ROOM_MAX_REQS) {
			turn_away(fd, "busy\n");
			continue;
		}
		if (!s->reqs)
			s->reqs = pv_calloc(PV_ROOM_MAX_REQS, sizeof(*s->reqs));
		memset(&s->reqs[s->n], 0, sizeof(*s->reqs));
		s->reqs[s->n++].fd = fd;
	}
}

/* "room KB NAME", KB within PV_ROOM_MAX_KB. */
static bool parse_request(struct pv_room_req *r)
{
	char num[24];
	uint64_t kb;

	if (sscanf(r->line, "room %23s %64s", num, r->name) != 2 ||
	    pv_parse_uint(num, PV_ROOM_MAX_KB, &kb) || !kb)
		return false;
	r->kb = kb;
	return true;
}

bool pv_room_read(struct pv_room_req *r)
{
	for (;;) {
		char c;
		ssize_t got = read(r->fd, &c, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return true;
		if (got <= 0 || r->kb)
			return false;
		if (c != '\n') {
			if (r->len == sizeof(r->line) - 1)
				return false;
			r->line[r->len++] = c;
			continue;
		}
		r->line[r->len] = '\0';
		return parse_request(r);
	}
}

uint64_t pv_room_pending_kb(const struct pv_room_server *s)
{
	uint64_t kb = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		kb += s->reqs[i].kb;
	return kb;
}

bool pv_room_waiting(const struct pv_room_server *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->reqs[i].kb && !s->reqs[i].granted && !s->reqs[i].over)
			return true;
	return false;
}

void pv_room_decide(const struct pv_as_host *h, struct pv_room_req *reqs,
		    size_t n)
{
	/*
	 * Short beyond the reserve: what the requests ask for cannot be had
	 * even with every guest at its need and what is on its way back
	 * counted (make_room), so waiting does not help: refuse now. Guests
	 * shrinking carefully keep memory on the move all the time; that
	 * must not keep a hopeless create waiting for its timeout.
	 */
	bool refusing = h->short_kb > h->reserve_kb;
	/* shrinking is over for this tick, and the host is still short */
	bool settled = refusing || (h->short_kb && !h->coming_kb);
	/*
	 * Then what the creates can ever have, the reserve given up: short_kb
	 * beyond the reserve is what the requests ask for that cannot be had.
	 * Otherwise every request fits in time.
	 */
	uint64_t cap = settled ? pv_sub_u64(h->pending_kb,
					    pv_sub_u64(h->short_kb, h->reserve_kb))
			       : UINT64_MAX;
	uint64_t held = 0, avail;
	size_t i;

	for (i = 0; i < n; i++)
		if (reqs[i].granted)
			held += reqs[i].kb;
	cap = pv_sub_u64(cap, held);
	for (i = 0; i < n; i++) {
		struct pv_room_req *r = &reqs[i];
		bool fits = r->kb <= cap;

		r->verdict = PV_ROOM_NONE;
		if (!r->kb || r->granted || r->over)
			continue;
		r->verdict = PV_ROOM_WAIT;
		avail = pv_sub_u64(h->free_kb, held + h->rising_kb);
		if (fits)
			cap -= r->kb;
		if (avail >= r->kb + h->reserve_kb ||
		    (settled && fits && avail >= r->kb)) {
			r->verdict = PV_ROOM_GRANT;
			r->granted = true;
			held += r->kb;
		} else if (!fits) {
			r->verdict = PV_ROOM_REFUSE;
			r->answer_kb = r->kb - cap;
		} else if (settled && !refusing) {
			/* nothing more to come back, and nobody else in the way */
			r->verdict = PV_ROOM_REFUSE;
			r->answer_kb = r->kb - avail;
		} else {
			r->answer_kb = avail;
		}
	}
}

void pv_room_tell(struct pv_room_req *r)
{
	char line[48];
	int len;

	if (r->verdict == PV_ROOM_NONE)
		return;
	if (r->verdict == PV_ROOM_GRANT)
		len = snprintf(line, sizeof(line), "ok\n");
	else
		len = snprintf(line, sizeof(line), "%s %" PRIu64 "\n",
			       r->verdict == PV_ROOM_REFUSE ? "no" : "wait",
			       r->answer_kb);
	/* A create that went away is noticed when its socket reads EOF. */
	if (send(r->fd, line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) != len ||
	    r->verdict == PV_ROOM_REFUSE)
		r->over = true;
}
