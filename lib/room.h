/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room.h: the room protocol, and the create's side of it.
 *
 * While `pvctl autoscale run` runs, it listens on RUN/autoscale.sock (a
 * Unix stream socket, root's only). A create sends one line,
 *     room KB NAME
 * and the loop answers, one line each:
 *     wait FREE_KB     making room (sent each tick until decided)
 *     ok               the memory is free and held for this create
 *     no MISSING_KB    it cannot be had: that much is missing
 * or, before hanging up at once:
 *     busy             PV_ROOM_MAX_REQS creates are asking already: the
 *                      create asks again until its timeout
 *     denied           the asker is not root (nor the loop's own user)
 * The memory stays held, out of the loop's reach, while the connection is
 * open: the create closes it once its domain holds its memory, or when it
 * fails; a create that dies lets go with its socket.
 *
 * This is the create's side (pv_room_reserve), which knows nothing of
 * the loop; balloon/room_server.h is the loop's.
 */
#ifndef PV_ROOM_H
#define PV_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"

/* How long a create waits for the loop before giving up. */
#define PV_ROOM_TIMEOUT_S 60

char *pv_room_socket_path(const struct pv_ctx *ctx);

/*
 * Asks a running loop to make and hold room for @kb for guest @name.
 * Returns 0 with *fd the held room, or with *fd = -1 when no loop runs
 * (the caller checks free memory itself); -ENOMEM when the loop cannot
 * make the room (the message says how much is missing), -ETIMEDOUT when
 * it did not decide (or stayed busy) within PV_ROOM_TIMEOUT_S, -EACCES
 * when it refuses this user, -EPROTO when it answers nonsense. A loop
 * that hangs up without answering is asked again: only one that is gone
 * counts as none.
 */
int pv_room_reserve(struct pv_ctx *ctx, const char *name, uint64_t kb,
		    int *fd, struct pv_err *err);
/* Lets the held room go (the domain has its memory, or the create failed). */
void pv_room_release(int *fd);
/*
 * Whether a loop listens, found as a create finds it (it answers a
 * connection that asks for nothing by dropping it).
 */
bool pv_room_loop_runs(const struct pv_ctx *ctx);

/* The creates one loop serves at once. */
#define PV_ROOM_MAX_REQS 64

/* The largest request taken: 1 TiB, in KiB. */
#define PV_ROOM_MAX_KB (1ull << 30)

#endif
