/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_run.c: util/run.c, running helper programs: output and exit
 * status, the environment, and timeouts that end the program and all it
 * started, even one that stopped printing but goes on running.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/run.h"

static int run_sh(const char *script, char *const env[], int timeout_ms,
		  struct pv_buf *out, int *status)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };

	return pv_run(argv, env, timeout_ms, out, status);
}

static void test_output_and_status(void **state)
{
	struct pv_buf out = PV_BUF_INIT, why = PV_BUF_INIT;
	int status = 0;

	assert_int_equal(run_sh("echo some noise; echo 'it broke' >&2; exit 3",
				NULL, 5000, &out, &status), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	pv_run_describe(status, &out, &why);
	assert_string_equal(why.s, "exit 3: it broke");
	pv_buf_dispose(&out);
	pv_buf_dispose(&why);
}

static void test_environment(void **state)
{
	char *env[] = { "PVCTL_TEST_A=one", "HOME=/nowhere", NULL };
	struct pv_buf out = PV_BUF_INIT;
	int status = 0;

	setenv("PVCTL_TEST_B", "inherited", 1);
	assert_int_equal(run_sh("printf '%s %s %s' \"$PVCTL_TEST_A\" \"$HOME\" "
				"\"$PVCTL_TEST_B\"", env, 5000, &out, &status), 0);
	assert_string_equal(out.s, "one /nowhere inherited");
	/* the caller's own environment is as it was */
	assert_null(getenv("PVCTL_TEST_A"));
	pv_buf_dispose(&out);
}

static void test_not_found(void **state)
{
	char *argv[] = { "/nonexistent/helper", NULL };
	struct pv_buf out = PV_BUF_INIT;
	int status = 0;

	assert_int_equal(pv_run(argv, NULL, 5000, &out, &status), -ENOENT);
	pv_buf_dispose(&out);
}

/*
 * A timeout kills the program and what it started in the background: a
 * background job that outlived it would leave its mark a second later.
 */
static void test_timeout_kills_the_group(void **state)
{
	char dir[] = "/tmp/pvctl-run-XXXXXX", *script, *mark;
	struct pv_buf out = PV_BUF_INIT;
	int status = 0;
	uint64_t t0 = pv_now_ms();

	assert_non_null(mkdtemp(dir));
	mark = pv_asprintf("%s/mark", dir);
	script = pv_asprintf("(sleep 1; echo alive > %s) & sleep 30", mark);
	assert_int_equal(run_sh(script, NULL, 300, &out, &status), -ETIMEDOUT);
	assert_true(pv_now_ms() - t0 < 5000);
	usleep(1500 * 1000);
	assert_int_not_equal(access(mark, F_OK), 0);
	rmdir(dir);
	free(script);
	free(mark);
	pv_buf_dispose(&out);
}

/* One that closes its output and goes on running times out all the same. */
static void test_timeout_after_output_closed(void **state)
{
	struct pv_buf out = PV_BUF_INIT;
	int status = 0;
	uint64_t t0 = pv_now_ms();

	assert_int_equal(run_sh("exec >/dev/null 2>&1; sleep 30", NULL, 300,
				&out, &status), -ETIMEDOUT);
	assert_true(pv_now_ms() - t0 < 5000);
	pv_buf_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_timeout_kills_the_group),
		cmocka_unit_test(test_timeout_after_output_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
