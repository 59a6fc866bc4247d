/*
 * test_room.c: lib/balloon/room.c, the create's side of asking the
 * autoscale loop for room, against a stand-in loop on a Unix socket in a
 * thread: no loop, granted after waiting, refused, a loop that goes away.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/balloon/room.h"

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
	rmdir(dir);
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
	/* As if no loop ran: the create checks free memory itself. */
	assert_int_equal(pv_room_reserve(&ctx, "g", 131072, &fd, &err), 0);
	assert_int_equal(fd, -1);
	stop(&l, t);
	pv_err_dispose(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_granted_after_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_goes_away, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
