/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_room.c: lib/room.c and lib/balloon/room_server.c. The create's
 * side of asking the autoscale loop for room, against a stand-in loop on a Unix socket in a
 * thread: no loop, granted after waiting, refused, a loop that goes away.
 * The loop's side: its verdicts (pv_room_decide) and the real server
 * talking to a real create.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/balloon/room_server.h"

static struct pv_ctx ctx;
static char dir[64];

struct loop {
	int listen_fd;
	const char *answer;	/* what it says to the request */
	char request[128];	/* what it was asked */
	bool hang_up;		/* close right after answering */
	bool saw_close;		/* the create let go of the room */
};

static void *serve(void *arg)
{
	struct loop *l = arg;
	int fd = accept(l->listen_fd, NULL, NULL);
	ssize_t n = 0, got;
	char c;

	if (fd < 0)
		return NULL;
	while (n < (ssize_t)sizeof(l->request) - 1 && read(fd, &c, 1) == 1 && c != '\n')
		l->request[n++] = c;
	if (l->answer)
		(void)!write(fd, l->answer, strlen(l->answer));
	if (l->hang_up) {
		/* gone for good: the next connection is refused */
		close(l->listen_fd);
		l->listen_fd = -1;
	}
	got = l->hang_up ? -1 : read(fd, &c, 1);	/* 0: the create closed */
	l->saw_close = got == 0;
	close(fd);
	return NULL;
}

static void start(struct loop *l, pthread_t *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = pv_room_socket_path(&ctx);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	free(path);
	l->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(l->listen_fd >= 0);
	assert_int_equal(bind(l->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l->listen_fd, 1), 0);
	assert_int_equal(pthread_create(t, NULL, serve, l), 0);
}

static void stop(struct loop *l, pthread_t t)
{
	char *path = pv_room_socket_path(&ctx);

	pthread_join(t, NULL);
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	unlink(path);
	free(path);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/pvctl-room-XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&ctx, 0, sizeof(ctx));
	ctx.run_dir = dir;
	return 0;
}

static int teardown(void **state)
{
	char *cmd = pv_asprintf("rm -rf %s", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void test_no_loop(void **state)
{
	struct pv_err err;
	int fd = 42;

	pv_err_init(&err);
	assert_int_equal(pv_room_reserve(&ctx, "g", 131072, &fd, &err), 0);
	assert_int_equal(fd, -1);
	pv_err_dispose(&err);
}

static void test_granted_after_waiting(void **state)
{
	struct loop l = { .answer = "wait 1024\nwait 65536\nok\n" };
	struct pv_err err;
	pthread_t t;
	int fd;

	start(&l, &t);
	pv_err_init(&err);
	assert_int_equal(pv_room_reserve(&ctx, "web1", 131072, &fd, &err), 0);
	assert_true(fd >= 0);
	assert_string_equal(l.request, "room 131072 web1");
	assert_false(l.saw_close);
	pv_room_release(&fd);		/* the domain has its memory */
	assert_int_equal(fd, -1);
	stop(&l, t);
	assert_true(l.saw_close);
	pv_err_dispose(&err);
}

static void test_refused(void **state)
{
	struct loop l = { .answer = "wait 0\nno 40960\n" };
	struct pv_err err;
	pthread_t t;
	int fd;

	start(&l, &t);
	pv_err_init(&err);
	assert_int_equal(pv_room_reserve(&ctx, "big", 1048576, &fd, &err), -ENOMEM);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(pv_err_msg(&err), "needs 1024 MiB"));
	assert_non_null(strstr(pv_err_msg(&err), "40 MiB missing"));
	stop(&l, t);
	assert_true(l.saw_close);
	pv_err_dispose(&err);
}

static void test_loop_goes_away(void **state)
{
	struct loop l = { .answer = "wait 0\n", .hang_up = true };
	struct pv_err err;
	pthread_t t;
	int fd;

	start(&l, &t);
	pv_err_init(&err);
	/*
	 * Asked again, it is not there any more: as if no loop ran, the
	 * create checks free memory itself.
	 */
	assert_int_equal(pv_room_reserve(&ctx, "g", 131072, &fd, &err), 0);
	assert_int_equal(fd, -1);
	stop(&l, t);
	pv_err_dispose(&err);
}

/* A loop that refuses this user, or talks nonsense: a clear error. */
static void test_denied_or_nonsense(void **state)
{
	struct loop l = { .answer = "denied\n" };
	struct pv_err err;
	pthread_t t;
	int fd;

	start(&l, &t);
	pv_err_init(&err);
	assert_int_equal(pv_room_reserve(&ctx, "g", 131072, &fd, &err), -EACCES);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(pv_err_msg(&err), "autoscale.sock) refuses user"));
	stop(&l, t);
	pv_err_dispose(&err);

	l = (struct loop){ .answer = "room? what room?\n" };
	start(&l, &t);
	pv_err_init(&err);
	assert_int_equal(pv_room_reserve(&ctx, "g", 131072, &fd, &err), -EPROTO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(pv_err_msg(&err), "answered 'room? what room?'"));
	stop(&l, t);
	pv_err_dispose(&err);
}


/* --- the loop's side --- */

#define MiB 1024ull

static struct pv_room_req req(uint64_t mib)
{
	struct pv_room_req r = { .fd = -1, .kb = mib * MiB };

	return r;
}

static void test_decide_roomy(void **state)
{
	struct pv_as_host h = { .free_kb = 990 * MiB, .reserve_kb = 100 * MiB };
	struct pv_room_req r[3] = { req(300), req(300), req(300) };

	r[0].granted = true;		/* held already: nothing more to say */
	h.pending_kb = 900 * MiB;
	pv_room_decide(&h, r, 3);
	assert_int_equal(r[0].verdict, PV_ROOM_NONE);
	assert_int_equal(r[1].verdict, PV_ROOM_GRANT);
	assert_true(r[1].granted);
	/* 990 - 600 held leaves 390: not 300 with the 100 reserve kept */
	assert_int_equal(r[2].verdict, PV_ROOM_WAIT);
	assert_int_equal(r[2].answer_kb, 390 * MiB);
}

/* Memory still going to growing guests is not free for a create. */
static void test_decide_rising_not_free(void **state)
{
	struct pv_as_host h = { .free_kb = 1000 * MiB, .rising_kb = 800 * MiB,
				.pending_kb = 300 * MiB };
	struct pv_room_req r = req(300);

	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_WAIT);
	assert_int_equal(r.answer_kb, 200 * MiB);
	h.rising_kb = 0;
	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_GRANT);
}

/*
 * While guests shrink for the creates, they wait (short_kb counts what
 * is coming back: here only the reserve is left short).
 */
static void test_decide_waits_while_shrinking(void **state)
{
	struct pv_as_host h = { .free_kb = 50 * MiB, .reserve_kb = 20 * MiB,
				.pending_kb = 300 * MiB, .coming_kb = 250 * MiB,
				.short_kb = 20 * MiB };
	struct pv_room_req r = req(300);

	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_WAIT);
}

/*
 * Short beyond the reserve even with what is coming back counted: no
 * waiting helps, so it is refused now, though guests are still moving
 * memory (careful shrinks keep it moving all the time).
 */
static void test_decide_hopeless_while_moving(void **state)
{
	struct pv_as_host h = { .free_kb = 67 * MiB, .reserve_kb = 64 * MiB,
				.pending_kb = 256 * MiB, .coming_kb = 8 * MiB,
				.short_kb = 245 * MiB };
	struct pv_room_req r = req(256);

	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_REFUSE);
	assert_int_equal(r.answer_kb, (245 - 64) * MiB);
}

/*
 * Once shrinking is over, a create that fits only by giving up the
 * reserve gets its room; one that cannot fit is refused with what is
 * missing.
 */
static void test_decide_settled(void **state)
{
	struct pv_as_host h = { .free_kb = 320 * MiB, .reserve_kb = 100 * MiB,
				.pending_kb = 300 * MiB, .short_kb = 80 * MiB };
	struct pv_room_req r = req(300);

	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_GRANT);

	h.free_kb = 250 * MiB;
	h.short_kb = 150 * MiB;		/* 50 beyond the reserve */
	r = req(300);
	pv_room_decide(&h, &r, 1);
	assert_int_equal(r.verdict, PV_ROOM_REFUSE);
	assert_int_equal(r.answer_kb, 50 * MiB);
}

/*
 * A request that cannot fit does not take down the ones after it that
 * can: it is refused with its own shortfall, they wait for the next
 * tick, which shrinks guests for them alone.
 */
static void test_decide_hopeless_first(void **state)
{
	/* guests could give 200 more: capacity for creates is 250 */
	struct pv_as_host h = { .free_kb = 50 * MiB, .reserve_kb = 100 * MiB,
				.pending_kb = 4196 * MiB };
	struct pv_room_req r[2] = { req(4096), req(100) };

	h.short_kb = h.reserve_kb + h.pending_kb - h.free_kb - 200 * MiB;
	pv_room_decide(&h, r, 2);
	assert_int_equal(r[0].verdict, PV_ROOM_REFUSE);
	assert_int_equal(r[0].answer_kb, (4096 - 250) * MiB);
	assert_int_equal(r[1].verdict, PV_ROOM_WAIT);

	/* in the other order, the first is served and the second refused */
	r[0] = req(100);
	r[1] = req(4096);
	pv_room_decide(&h, r, 2);
	assert_int_equal(r[0].verdict, PV_ROOM_WAIT);
	assert_int_equal(r[1].verdict, PV_ROOM_REFUSE);
	assert_int_equal(r[1].answer_kb, (4096 - 150) * MiB);
}

struct reserve_call {
	const char *name;
	uint64_t kb;
	int rc, fd;
};

static void *reserve_thread(void *arg)
{
	struct reserve_call *c = arg;
	struct pv_err err;

	pv_err_init(&err);
	c->rc = pv_room_reserve(&ctx, c->name, c->kb, &c->fd, &err);
	pv_err_dispose(&err);
	return NULL;
}

/* Serves requests until one has arrived, like the loop's poll. */
static void serve_until_asked(struct pv_room_server *s)
{
	int i;

	for (i = 0; i < 500 && !pv_room_waiting(s); i++) {
		size_t j;

		pv_room_accept(s);
		for (j = s->n; j-- > 0;)
			if (!pv_room_read(&s->reqs[j]))
				pv_room_drop(s, j);
		usleep(10000);
	}
	assert_true(pv_room_waiting(s));
}

/* The loop's server and a create, both real, over the socket. */
static void test_server(void **state)
{
	struct pv_room_server s, other;
	struct pv_as_host h = { .free_kb = 1000 * MiB };
	struct reserve_call c = { "web1", 128 * MiB, -1, -1 };
	struct pv_err err;
	pthread_t t;

	pv_room_server_init(&s);
	pv_err_init(&err);
	assert_int_equal(pv_room_listen(&s, &ctx, &err), 0);
	/* one loop at a time */
	pv_room_server_init(&other);
	assert_int_equal(pv_room_listen(&other, &ctx, &err), -EBUSY);
	assert_non_null(strstr(pv_err_msg(&err), "another autoscale loop"));
	pv_room_server_dispose(&other, &ctx);

	assert_int_equal(pthread_create(&t, NULL, reserve_thread, &c), 0);
	serve_until_asked(&s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.reqs[0].kb, 128 * MiB);
	assert_string_equal(s.reqs[0].name, "web1");
	h.pending_kb = pv_room_pending_kb(&s);
	pv_room_decide(&h, s.reqs, s.n);
	pv_room_tell(&s.reqs[0]);
	pthread_join(t, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(c.fd >= 0);
	assert_false(pv_room_waiting(&s));
	/* the create lets go: the loop reads the end of its request */
	pv_room_release(&c.fd);
	assert_false(pv_room_read(&s.reqs[0]));
	pv_room_drop(&s, 0);
	pv_room_server_dispose(&s, &ctx);
	pv_err_dispose(&err);
}

/*
 * The socket is 0600 from the moment bind makes it, whatever the umask:
 * its mode is never changed after (no attribute change is seen).
 */
static void test_server_socket_private(void **state)
{
	struct pv_room_server s;
	char *path = pv_room_socket_path(&ctx);
	char ev[4096] __attribute__((aligned(8)));
	struct pv_err err;
	struct stat st;
	ssize_t n, off;
	mode_t old;
	int in;

	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, dir, IN_ATTRIB | IN_CREATE) >= 0);
	pv_room_server_init(&s);
	pv_err_init(&err);
	old = umask(0);
	assert_int_equal(pv_room_listen(&s, &ctx, &err), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	n = read(in, ev, sizeof(ev));
	assert_true(n > 0);		/* the lock and the socket were made */
	for (off = 0; off < n;) {
		const struct inotify_event *e = (const void *)(ev + off);

		if (e->mask & IN_ATTRIB)
			fail_msg("the mode of %s was changed after it was made",
				 e->len ? e->name : dir);
		off += (ssize_t)(sizeof(*e) + e->len);
	}
	close(in);
	pv_room_server_dispose(&s, &ctx);
	pv_err_dispose(&err);
	free(path);
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = pv_room_socket_path(&ctx);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	free(path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Accepts and reads for @ms milliseconds, like the loop's poll. */
static void serve_for(struct pv_room_server *s, int ms)
{
	for (; ms > 0; ms -= 10) {
		size_t j;

		pv_room_accept(s);
		for (j = s->n; j-- > 0;)
			if (!pv_room_read(&s->reqs[j]))
				pv_room_drop(s, j);
		usleep(10000);
	}
}

static bool has_request(const struct pv_room_server *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->reqs[i].kb && strcmp(s->reqs[i].name, name) == 0)
			return true;
	return false;
}

/*
 * PV_ROOM_MAX_REQS creates are asking: the next is told "busy", and a
 * create in its place asks again until there is room in the queue, then
 * gets its memory. It never goes on as if no loop ran.
 */
static void test_server_full(void **state)
{
	struct pv_room_server s;
	struct pv_as_host h = { .free_kb = 1000000 * MiB };
	struct reserve_call c = { "late", 128 * MiB, -1, -1 };
	int held[PV_ROOM_MAX_REQS], extra, i;
	struct pv_err err;
	char line[16] = "";
	pthread_t t;

	pv_room_server_init(&s);
	pv_err_init(&err);
	assert_int_equal(pv_room_listen(&s, &ctx, &err), 0);
	for (i = 0; i < PV_ROOM_MAX_REQS; i++) {
		char *req = pv_asprintf("room 1024 g%d\n", i);

		held[i] = raw_connect();
		assert_int_equal(write(held[i], req, strlen(req)), (ssize_t)strlen(req));
		free(req);
		if (i % 8 == 7)
			serve_for(&s, 10);
	}
	serve_for(&s, 50);
	assert_int_equal(s.n, PV_ROOM_MAX_REQS);

	extra = raw_connect();
	serve_for(&s, 20);
	assert_int_equal(read(extra, line, sizeof(line) - 1), 5);
	assert_string_equal(line, "busy\n");
	assert_int_equal(read(extra, line, sizeof(line)), 0);
	close(extra);

	assert_int_equal(pthread_create(&t, NULL, reserve_thread, &c), 0);
	serve_for(&s, 500);		/* turned away, more than once */
	assert_false(has_request(&s, "late"));
	close(held[0]);			/* one create is done */
	for (i = 0; i < 300 && !has_request(&s, "late"); i++)
		serve_for(&s, 10);
	assert_true(has_request(&s, "late"));
	h.pending_kb = pv_room_pending_kb(&s);
	pv_room_decide(&h, s.reqs, s.n);
	for (i = 0; i < (int)s.n; i++)
		pv_room_tell(&s.reqs[i]);
	pthread_join(t, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(c.fd >= 0);
	pv_room_release(&c.fd);
	for (i = 1; i < PV_ROOM_MAX_REQS; i++)
		close(held[i]);
	pv_room_server_dispose(&s, &ctx);
	pv_err_dispose(&err);
}

/*
 * A peer that is neither root nor the loop's user is refused, by its
 * credentials, even with the socket opened up to everyone.
 */
static void test_server_peer_check(void **state)
{
	struct pv_room_server s;
	char *path = pv_room_socket_path(&ctx);
	struct pv_err err;
	int status = -1, i;
	pid_t pid;

	if (geteuid() != 0)
		skip();			/* needs to become another user */
	pv_room_server_init(&s);
	pv_err_init(&err);
	assert_int_equal(pv_room_listen(&s, &ctx, &err), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(path, 0666), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char line[16] = "";
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = raw_connect();
		(void)!write(fd, "room 1024 x\n", 12);
		if (read(fd, line, sizeof(line) - 1) < 0)
			_exit(3);
		_exit(strcmp(line, "denied\n") ? 1 : 0);
	}
	for (i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; i++)
		serve_for(&s, 10);
	if (i == 500) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the other user's create was not turned away");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(s.n, 0);
	pv_room_server_dispose(&s, &ctx);
	pv_err_dispose(&err);
	free(path);
}

/* Requests the loop does not take: negative, zero, huge, not a request. */
static void test_bad_requests(void **state)
{
	static const char *const bad[] = {
		"room -1 g\n", "room 0 g\n", "room 99999999999999999999 g\n",
		"room 2199023255552 g\n", "give me memory\n", "room 1024\n",
	};
	struct pv_room_req r;
	size_t i;
	int sv[2];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
		memset(&r, 0, sizeof(r));
		r.fd = sv[0];
		assert_int_equal(write(sv[1], bad[i], strlen(bad[i])),
				 (ssize_t)strlen(bad[i]));
		assert_false(pv_room_read(&r));
		assert_int_equal(r.kb, 0);
		close(sv[0]);
		close(sv[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_granted_after_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_goes_away, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied_or_nonsense, setup, teardown),
		cmocka_unit_test(test_decide_roomy),
		cmocka_unit_test(test_decide_rising_not_free),
		cmocka_unit_test(test_decide_waits_while_shrinking),
		cmocka_unit_test(test_decide_hopeless_while_moving),
		cmocka_unit_test(test_decide_settled),
		cmocka_unit_test(test_decide_hopeless_first),
		cmocka_unit_test_setup_teardown(test_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_socket_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_peer_check, setup, teardown),
		cmocka_unit_test(test_bad_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
