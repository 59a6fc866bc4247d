/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_info.c: what pvctl reports about the host and a running domain
 * (lib/host.c, lib/domain/info.c) on the simulated hypervisor: the
 * console's pty, uptime, vCPUs, a pending shutdown request. Nodes under
 * /local/domain/ID are the guest's to scribble on: garbage is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lib/domain/domain.h"
#include "lib/host.h"
#include "helpers.h"

/* --- host --- */

static void test_host_physinfo(void **state)
{
	struct fx *f = *state;
	struct pv_physinfo pi;
	struct pv_err err;

	pv_sim_set_host(f->s, 8, 16 << 20, 12 << 20);
	pv_err_init(&err);
	assert_int_equal(pv_host_physinfo(&f->ctx, &pi, &err), 0);
	assert_int_equal(pi.nr_cpus, 8);
	assert_int_equal(pi.total_kb, 16 << 20);
	assert_int_equal(pi.free_kb, 12 << 20);
	assert_int_equal(pi.xen_major, 4);
	assert_string_equal(pi.xen_extra, ".0-sim");

	pv_sim_fail_next(f->s, "physinfo", -EIO);
	fx_assert_err(&err, pv_host_physinfo(&f->ctx, &pi, &err), -EIO,
		      "reading host information: ");
	pv_err_dispose(&err);
}

/* --- console --- */

static void test_console_tty(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;
	char *tty = NULL;

	pv_err_init(&err);
	/* Until xenconsoled has seen the domain, there is no pty. */
	fx_assert_err(&err, pv_domain_console_tty(&f->ctx, domid, &tty, &err),
		      -ENOENT, "domain 1 has no console pty (/local/domain/1/"
		      "console/tty: missing); is xenconsoled running?");
	assert_null(tty);
	pv_err_clear(&err);

	assert_int_equal(xs_put(f, "/local/domain/1/console/tty", "/dev/pts/17"), 0);
	assert_int_equal(pv_domain_console_tty(&f->ctx, domid, &tty, &err), 0);
	assert_string_equal(tty, "/dev/pts/17");
	assert_int_equal(err.code, 0);
	free(tty);

	fx_assert_err(&err, pv_domain_console_tty(&f->ctx, 42, &tty, &err),
		      -ENOENT, "/local/domain/42/console/tty: missing");
	assert_null(tty);
	pv_err_dispose(&err);
}

/* Only xenconsoled's form, /dev/pts/N, is a pty to open. */
static void test_console_tty_garbage(void **state)
{
	static const char *const bad[] = {
		"", "/dev/pts/", "/dev/pts/3x", "/dev/pts/-1", "/dev/pts/1/",
		"/dev/pts/../../etc/shadow", "/etc/shadow", "/dev/tty1",
		" /dev/pts/1", "/dev/ptmx",
	};
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;
	size_t i;

	pv_err_init(&err);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *tty = NULL;
		char *want = pv_asprintf("(/local/domain/1/console/tty: %s)", bad[i]);

		assert_int_equal(xs_put(f, "/local/domain/1/console/tty", bad[i]), 0);
		fx_assert_err(&err, pv_domain_console_tty(&f->ctx, domid, &tty, &err),
			      -EINVAL, want);
		assert_null(tty);
		pv_err_clear(&err);
		free(want);
	}
	pv_err_dispose(&err);
}

/* --- uptime --- */

static char *vm_path(struct fx *f, uint32_t domid)
{
	char *vm = fx_dom_get(f, domid, "vm");

	assert_non_null(vm);
	return vm;
}

static void put_start_time(struct fx *f, uint32_t domid, const char *val)
{
	char *vm = vm_path(f, domid);
	char *path = pv_asprintf("%s/start_time", vm);

	assert_int_equal(xs_put(f, path, val), 0);
	free(path);
	free(vm);
}

static void test_uptime(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct timespec ts;
	struct pv_err err;
	uint64_t up = 12345;
	char *start;

	pv_err_init(&err);
	/* create wrote start_time: the domain has just started. */
	assert_int_equal(pv_domain_uptime(&f->ctx, domid, &up, &err), 0);
	assert_true(up <= 2);

	start = pv_asprintf("%lld", (long long)time(NULL) - 3700);
	put_start_time(f, domid, start);
	free(start);
	assert_int_equal(pv_domain_uptime(&f->ctx, domid, &up, &err), 0);
	assert_true(up >= 3700 && up <= 3702);

	/* libxl's form: seconds and hundredths. */
	start = pv_asprintf("%lld.07", (long long)time(NULL) - 60);
	put_start_time(f, domid, start);
	free(start);
	assert_int_equal(pv_domain_uptime(&f->ctx, domid, &up, &err), 0);
	assert_true(up >= 60 && up <= 62);

	/* dom0's is the host's (dom0 is where pvctl runs). */
	assert_int_equal(pv_domain_uptime(&f->ctx, 0, &up, &err), 0);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	assert_true(up <= (uint64_t)ts.tv_sec && up + 2 >= (uint64_t)ts.tv_sec);
	assert_int_equal(err.code, 0);

	fx_assert_err(&err, pv_domain_uptime(&f->ctx, 42, &up, &err), -ENOENT,
		      "/local/domain/42/vm is missing");
	pv_err_clear(&err);

	start = vm_path(f, domid);
	assert_int_equal(f->hv.ops->xs_rm(f->hv.h, PV_XBT_NULL, start), 0);
	fx_assert_err(&err, pv_domain_uptime(&f->ctx, domid, &up, &err), -ENOENT,
		      "/start_time is missing");
	free(start);
	pv_err_dispose(&err);
}

static void test_uptime_garbage(void **state)
{
	static const char *const bad_start[] = {
		"", "12abc", "-5", " 12", "0x10", "99999999999999999999999",
		"12.", ".5", "12.5x", "12.-5", "12.5.5", "1e9",
	};
	static const char *const bad_vm[] = {
		"", "/vm/", "/vm/a/b", "vm/x", "/local/domain/0", "/vm",
	};
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;
	uint64_t up;
	char *future;
	size_t i;

	pv_err_init(&err);
	for (i = 0; i < sizeof(bad_start) / sizeof(*bad_start); i++) {
		put_start_time(f, domid, bad_start[i]);
		fx_assert_err(&err, pv_domain_uptime(&f->ctx, domid, &up, &err),
			      -EINVAL, "/start_time is not a number");
		pv_err_clear(&err);
	}
	/* A clock that went back, or a lie: no negative uptime. */
	future = pv_asprintf("%lld", (long long)time(NULL) + 1000);
	put_start_time(f, domid, future);
	free(future);
	fx_assert_err(&err, pv_domain_uptime(&f->ctx, domid, &up, &err), -ERANGE,
		      "/start_time is in the future");
	pv_err_clear(&err);

	for (i = 0; i < sizeof(bad_vm) / sizeof(*bad_vm); i++) {
		assert_int_equal(xs_put(f, "/local/domain/1/vm", bad_vm[i]), 0);
		fx_assert_err(&err, pv_domain_uptime(&f->ctx, domid, &up, &err),
			      -EINVAL, "/local/domain/1/vm is not a /vm/UUID path");
		pv_err_clear(&err);
	}
	pv_err_dispose(&err);
}

/* --- vCPUs --- */

static void test_vcpu_list(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "vcpus = 2\nmaxvcpus = 3\n");
	struct pv_vcpuinfo *vcpus = NULL;
	struct pv_err err;
	size_t n = 0, v;

	pv_err_init(&err);
	assert_int_equal(pv_domain_pin_vcpu(&f->ctx, domid, 1, "2", &err), 0);
	assert_int_equal(pv_domain_vcpu_list(&f->ctx, domid, &vcpus, &n, &err), 0);
	assert_int_equal(n, 3);		/* up to maxvcpus, offline ones too */
	for (v = 0; v < n; v++) {
		assert_true(vcpus[v].online);
		assert_int_equal(vcpus[v].cpu, v % 4);
		assert_int_equal(vcpus[v].affinity[0] & 0xf, v == 1 ? 0x4 : 0xf);
	}
	free(vcpus);

	/* dom0 is a domain like any other. */
	assert_int_equal(pv_domain_vcpu_list(&f->ctx, 0, &vcpus, &n, &err), 0);
	assert_int_equal(n, 4);
	free(vcpus);
	assert_int_equal(err.code, 0);

	fx_assert_err(&err, pv_domain_vcpu_list(&f->ctx, 42, &vcpus, &n, &err),
		      -ESRCH, "no domain with ID 42");
	pv_err_dispose(&err);
}

static void test_vcpu_list_failures(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "vcpus = 3\n");
	struct pv_vcpuinfo *vcpus = NULL;
	struct pv_err err;
	size_t n = 0;

	pv_err_init(&err);
	pv_sim_fail_next(f->s, "domain_getinfo", -EIO);
	fx_assert_err(&err, pv_domain_vcpu_list(&f->ctx, domid, &vcpus, &n, &err),
		      -EIO, "reading domain 1: ");
	pv_err_clear(&err);

	pv_sim_fail_nth(f->s, "vcpu_getinfo", 2, -EIO);
	fx_assert_err(&err, pv_domain_vcpu_list(&f->ctx, domid, &vcpus, &n, &err),
		      -EIO, "reading vCPU 1 of domain 1: ");
	pv_err_clear(&err);

	/* Xen's -ENOENT mid-way: the domain went away; the list ends there. */
	pv_sim_fail_nth(f->s, "vcpu_getinfo", 3, -ENOENT);
	assert_int_equal(pv_domain_vcpu_list(&f->ctx, domid, &vcpus, &n, &err), 0);
	assert_int_equal(n, 2);
	free(vcpus);
	pv_err_dispose(&err);
}

/* --- shutdown requests --- */

static void test_shutdown_pending(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;

	pv_err_init(&err);
	assert_false(pv_domain_shutdown_pending(&f->ctx, domid));
	assert_int_equal(pv_domain_request_shutdown(&f->ctx, domid, "poweroff",
						    &err), 0);
	assert_true(pv_domain_shutdown_pending(&f->ctx, domid));

	/* The guest takes it by clearing the node (it owns control/shutdown). */
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "control/shutdown", ""), 0);
	pv_sim_set_caller(f->s, 0);
	assert_false(pv_domain_shutdown_pending(&f->ctx, domid));

	/* Anything else it writes there is no acknowledgement. */
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "control/shutdown", "\x01nonsense"), 0);
	pv_sim_set_caller(f->s, 0);
	assert_true(pv_domain_shutdown_pending(&f->ctx, domid));

	assert_false(pv_domain_shutdown_pending(&f->ctx, 42));
	pv_err_dispose(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_host_physinfo),
		T(test_console_tty),
		T(test_console_tty_garbage),
		T(test_uptime),
		T(test_uptime_garbage),
		T(test_vcpu_list),
		T(test_vcpu_list_failures),
		T(test_shutdown_pending),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
