/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room_server.h: the autoscale loop's side of the room protocol
 * (lib/room.h), which loop.c drives.
 */
#ifndef PV_ROOM_SERVER_H
#define PV_ROOM_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "autoscale.h"
#include "../room.h"

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
