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
 * The memory stays held, out of the loop's reach, while the connection is
 * open: the create closes it once its domain holds its memory, or when it
 * fails; a create that dies lets go with its socket.
 *
 * This is the create's side (pv_room_reserve), which knows nothing of
 * the loop; balloon/room_server.h is the loop's.
 */
#ifndef PV_ROOM_H
#define PV_ROOM_H

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
 * it did not decide within PV_ROOM_TIMEOUT_S.
 */
int pv_room_reserve(struct pv_ctx *ctx, const char *name, uint64_t kb,
		    int *fd, struct pv_err *err);
/* Lets the held room go (the domain has its memory, or the create failed). */
void pv_room_release(int *fd);

/* The largest request taken: 1 TiB, in KiB. */
#define PV_ROOM_MAX_KB (1ull << 30)

#endif
