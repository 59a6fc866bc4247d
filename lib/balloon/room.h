/*
 * room.h: creates asking the autoscale loop for room.
 *
 * While `pvctl autoscale run` runs, it listens on RUN/autoscale.sock (a
 * Unix stream socket, root's only). A create sends one line,
 *     room KB NAME
 * and the loop answers, one line each:
 *     wait FREE_KB     making room (sent each tick until decided)
 *     ok               the memory is free and held for this create
 *     no MISSING_KB    it cannot be had: that much is missing
 * The memory stays held, out of the loop's reach, while the connection is
 * open: the create closes it once its domain holds its memory, or when it
 * fails; a create that dies lets go with its socket.
 *
 * room.c has both sides: the create's (pv_room_reserve) and the loop's
 * (struct pv_room_server, which loop.c drives).
 */
#ifndef PV_ROOM_H
#define PV_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include "autoscale.h"
#include "../ctx.h"

/* How long a create waits for the loop before giving up. */
#define PV_ROOM_TIMEOUT_S 60

char *pv_room_socket_path(const struct pv_ctx *ctx);

/*
 * Asks a running loop to make and hold room for @kb for guest @name.
 * Returns 0 with *fd the held room, or with *fd = -1 when no loop runs
 * (the caller checks free memory itself); -ENOMEM when the loop cannot
 * make the room (the message says how much is missing), -ETIMEDOUT when
 * it did not decide within PV_ROOM_TIMEOUT_S.
 */
int pv_room_reserve(struct pv_ctx *ctx, const char *name, uint64_t kb,
		    int *fd, struct pv_err *err);
/* Lets the held room go (the domain has its memory, or the create failed). */
void pv_room_release(int *fd);

/* The loop's side. */

/* The largest request taken: 1 TiB, in KiB. */
#define PV_ROOM_MAX_KB (1ull << 30)

/* PV_ROOM_NONE: nothing to say (no request yet, granted before, over) */
enum pv_room_verdict { PV_ROOM_NONE, PV_ROOM_WAIT, PV_ROOM_GRANT, PV_ROOM_REFUSE };

/* A create waiting for room, or holding it. */
struct pv_room_req {
	int fd;
	uint64_t kb;			/* 0 until its request line came */
	bool granted;
	bool over;			/* refused, or the create is gone */
	char name[65];
	char line[96];			/* the request, as it arrives */
	size_t len;
	/* pv_room_decide()'s answer */
	enum pv_room_verdict verdict;
	uint64_t answer_kb;		/* free memory (wait), missing (refuse) */
};

struct pv_room_server {
	int lock_fd;			/* one loop listens; -1 when not */
	int listen_fd;
	struct pv_room_req *reqs;	/* in order of arrival */
	size_t n;
};

void pv_room_server_init(struct pv_room_server *s);
/* Closes every connection and the socket, and removes it. */
void pv_room_server_dispose(struct pv_room_server *s, const struct pv_ctx *ctx);
/* Listens on the socket; -EALREADY when another loop does. */
int pv_room_listen(struct pv_room_server *s, struct pv_ctx *ctx,
		   struct pv_err *err);
/* Takes the connections waiting on the socket. */
void pv_room_accept(struct pv_room_server *s);
/*
 * Reads what request @i's create sent: its request line, then nothing
 * until it closes. False when the request is over (closed, or not a
 * request): drop it.
 */
bool pv_room_read(struct pv_room_req *r);
void pv_room_drop(struct pv_room_server *s, size_t i);
/* What all requests ask for, held or not. */
uint64_t pv_room_pending_kb(const struct pv_room_server *s);
/* True while a request waits for an answer. */
bool pv_room_waiting(const struct pv_room_server *s);
/*
 * After a tick (@h: its inputs, with pending_kb from these requests,
 * and its outputs): sets each open request's verdict, first come first
 * served (granting marks it granted). A request is granted when the host can hold it with the
 * reserve kept, or, once the loop has shrunk what it could, without
 * (the reserve is the loop's rule for its own grows, not a limit on
 * what an operator starts). It is refused when, with every guest at its
 * need and the requests before it served, it cannot fit: the others
 * wait on, and the next tick makes room for them.
 */
void pv_room_decide(const struct pv_as_host *h, struct pv_room_req *reqs,
		    size_t n);
/*
 * Sends @r its verdict: "wait FREE_KB", "ok" or "no MISSING_KB"; a
 * refused request, or one that cannot be told, is over.
 */
void pv_room_tell(struct pv_room_req *r);

#endif
