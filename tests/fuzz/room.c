/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * room.c: fuzzes the autoscale loop's reader of room requests
 * (pv_room_read on a Unix socket, as from a create: "room KB NAME"),
 * first while the peer stays connected, then after it closed. A request
 * taken asks for 1..PV_ROOM_MAX_KB and names its domain.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/balloon/room_server.h"

/* Past the line's size, more bytes cannot matter. */
#define MAX_INPUT 4096

static void check(const struct pv_room_req *r)
{
	FUZZ_CHECK(r->len < sizeof(r->line), "len %zu", r->len);
	if (!r->kb)
		return;
	FUZZ_CHECK(r->kb <= PV_ROOM_MAX_KB, "kb %llu", (unsigned long long)r->kb);
	FUZZ_CHECK(memchr(r->name, '\0', sizeof(r->name)) && *r->name,
		   "name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_room_req r = { 0 };
	int sv[2];

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	FUZZ_CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		   "socketpair");
	FUZZ_CHECK(write(sv[1], data, size) == (ssize_t)size, "write");
	FUZZ_CHECK(!fcntl(sv[0], F_SETFL, O_NONBLOCK), "O_NONBLOCK");
	r.fd = sv[0];
	if (pv_room_read(&r)) {
		check(&r);
		close(sv[1]);
		sv[1] = -1;
		FUZZ_CHECK(!pv_room_read(&r), "a closed request is not over");
	}
	check(&r);
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}
