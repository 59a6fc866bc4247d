/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_perms.c: what pvctl leaves on disk is root's, whatever the umask
 * (these tests run under umask 0, the loosest): the directories it makes
 * 0700, state files 0600, logs 0640, the room socket 0600. The monitor's
 * log is checked with its command, in test_output.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/balloon/loop.h"
#include "lib/room.h"
#include "helpers.h"

static mode_t saved_umask;

static int perms_setup(void **state)
{
	saved_umask = umask(0);
	return fx_setup(state);
}

static int perms_teardown(void **state)
{
	umask(saved_umask);
	return fx_teardown(state);
}

/* Asserts that @sub (under the fixture's directory) has mode @mode. */
static void assert_mode(struct fx *f, const char *sub, mode_t mode)
{
	char *path = fx_path(f, sub);
	struct stat st;

	if (lstat(path, &st))
		fail_msg("%s: %s", path, strerror(errno));
	if ((st.st_mode & 07777) != mode)
		fail_msg("%s is %04o, want %04o", path, st.st_mode & 07777, mode);
	free(path);
}

/* A create makes STATE, RUN and what is in them private to root. */
static void test_create(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "one", NULL);
	char *saved = pv_asprintf("state/domains/%u.json", domid);

	assert_mode(f, "state", 0700);
	assert_mode(f, "state/domains", 0700);
	assert_mode(f, saved, 0600);
	assert_mode(f, "state/kernel-cache", 0700);
	assert_mode(f, "run", 0700);
	assert_mode(f, "run/lock", 0600);
	free(saved);
}

struct seen {
	char *sock;
	mode_t mode;
	int *stop;
};

/* While the loop runs: its socket's mode; then stop it. */
static void look_then_stop(struct pv_sim *s, void *arg)
{
	struct seen *seen = arg;
	struct stat st;

	if (stat(seen->sock, &st) == 0)
		seen->mode = st.st_mode & 07777;
	*seen->stop = 1;
}

/* The loop's socket, status file and audit log (in a directory it makes). */
static void test_autoscale(void **state)
{
	struct fx *f = *state;
	char *dir = fx_path(f, "policy.d");
	char *host = pv_asprintf("audit_log = \"%s/log/audit.log\"\n", f->tmp);
	int stop = 0, reload = 1;
	struct seen seen = { pv_room_socket_path(&f->ctx), 0, &stop };
	struct pv_autoscale as;
	struct pv_err err;

	fx_create(f, "one", NULL);
	assert_int_equal(mkdir(dir, 0700), 0);
	fx_put_file(f, "policy.d/host.policy", host);
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_init(&as, &f->ctx, dir, &err), 0);
	pv_sim_on_idle(f->s, look_then_stop, &seen);
	assert_int_equal(pv_autoscale_run(&as, (volatile int *)&stop,
					  (volatile int *)&reload, &err), 0);
	pv_sim_on_idle(f->s, NULL, NULL);
	pv_autoscale_dispose(&as);
	pv_err_dispose(&err);
	assert_int_equal(seen.mode, 0600);
	assert_mode(f, "run/autoscale.json", 0600);
	assert_mode(f, "log", 0700);
	assert_mode(f, "log/audit.log", 0640);
	free(seen.sock);
	free(host);
	free(dir);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, perms_setup, perms_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_autoscale),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
