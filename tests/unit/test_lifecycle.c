/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lifecycle.c: lib/domain/control.c and resources.c on the
 * simulated hypervisor: shutdown requests and waiting for them, pause,
 * rename; memory target and limit, online vCPUs, CPU lists and pinning;
 * what create applies of cpus_soft, the create limits and nomigrate.
 * (The monitor and the kernel cache are in test_monitor.c.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/domain/domain.h"
#include "util/uuid.h"
#include "helpers.h"

static struct pv_dominfo getinfo(struct fx *f, uint32_t domid)
{
	struct pv_dominfo info;

	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	return info;
}

/* --- shutdown requests --- */

static void test_request_shutdown(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;

	pv_err_init(&err);
	assert_int_equal(pv_domain_request_shutdown(&f->ctx, domid, "reboot",
						    &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "control/shutdown"), "reboot",
		      "control/shutdown");
	/* The guest's xenbus driver reads it and acknowledges by clearing it. */
	pv_sim_set_caller(f->s, domid);
	fx_assert_str(xs_get(f, "control/shutdown"), "reboot",
		      "control/shutdown as the guest");
	assert_int_equal(xs_put(f, "control/shutdown", ""), 0);
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(pv_domain_request_shutdown(&f->ctx, domid, "poweroff",
						    &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "control/shutdown"), "poweroff",
		      "control/shutdown");
	/* Nothing else happened to the domain: that is the guest's job. */
	assert_false(getinfo(f, domid).shutdown);

	fx_assert_err(&err, pv_domain_request_shutdown(&f->ctx, 0, "poweroff", &err),
		      -EPERM, "Domain-0");
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/control/shutdown"));
	pv_err_dispose(&err);
}

static void test_request_shutdown_write_fails(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;

	pv_err_init(&err);
	pv_sim_fail_next(f->s, "xs_write", -EIO);
	fx_assert_err(&err, pv_domain_request_shutdown(&f->ctx, domid, "halt", &err),
		      -EIO, "/local/domain/1/control/shutdown");
	pv_err_dispose(&err);
}

static void test_request_shutdown_no_domain(void **state)
{
	struct fx *f = *state;
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = pv_domain_request_shutdown(&f->ctx, 42, "poweroff", &err);
	pv_err_dispose(&err);
	assert_int_equal(rc, -ESRCH);
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/42"));
}

/* --- waiting for shutdown --- */

struct later {
	uint32_t domid;
	enum pv_sim_dom_state st;
	unsigned int reason;
	unsigned int idle_calls;
	unsigned int after;	/* act on this idle call (1 = the first) */
};

static void act_later(struct pv_sim *s, void *arg)
{
	struct later *l = arg;

	if (++l->idle_calls == l->after)
		assert_int_equal(pv_sim_domain_set_state(s, l->domid, l->st,
							 l->reason), 0);
}

static void test_wait_shutdown_times_out(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_dominfo last = { .domid = 777 };
	uint64_t t0 = pv_now_ms(), ms;

	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, domid, 60, &last),
			 -ETIMEDOUT);
	ms = pv_now_ms() - t0;
	assert_true(ms >= 60 && ms < 2000);
	assert_int_equal(last.domid, 777);	/* untouched */
	/* The watch is gone again. */
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
}

static void test_wait_shutdown_sees_it(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct later l = { domid, PV_SIM_DOM_SHUTDOWN, PV_SHUTDOWN_REBOOT, 0, 3 };
	struct pv_dominfo last;

	memset(&last, 0, sizeof(last));
	pv_sim_on_idle(f->s, act_later, &l);
	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, domid, 5000, &last), 0);
	assert_true(l.idle_calls >= 3);
	assert_int_equal(last.domid, domid);
	assert_true(last.shutdown);
	assert_int_equal(last.shutdown_reason, PV_SHUTDOWN_REBOOT);
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
	/* Already shut down: returns at once, with no wait. */
	l.after = 0;
	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, domid, 0, &last), 0);
	assert_true(last.shutdown);
}

static void test_wait_shutdown_gone(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_dominfo last = { .domid = 777 };

	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, domid), 0);
	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, domid, 100, &last), 0);
	assert_int_equal(last.domid, 777);	/* nothing to report */
	/* A watch that cannot be set is an error, not a wait. */
	domid = fx_create(f, "other", NULL);
	pv_sim_fail_next(f->s, "xs_watch", -ENOSPC);
	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, domid, 100, NULL),
			 -ENOSPC);
}

/* --- pause, rename --- */

static void test_pause(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", NULL);
	struct pv_err err;

	pv_err_init(&err);
	assert_false(getinfo(f, domid).paused);
	assert_int_equal(pv_domain_pause(&f->ctx, domid, true, &err), 0);
	assert_true(getinfo(f, domid).paused);
	assert_int_equal(pv_domain_pause(&f->ctx, domid, false, &err), 0);
	assert_false(getinfo(f, domid).paused);
	assert_int_equal(err.code, 0);

	fx_assert_err(&err, pv_domain_pause(&f->ctx, 0, true, &err), -EPERM,
		      "refusing to pause Domain-0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_pause(&f->ctx, 0, false, &err), -EPERM,
		      "unpause Domain-0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_pause(&f->ctx, 42, true, &err), -ESRCH,
		      "pausing domain 42");
	pv_err_dispose(&err);
}

static void test_rename(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "old", NULL), other, found;
	struct pv_domain_config back;
	struct pv_dominfo info = getinfo(f, domid);
	char uuid[PV_UUID_STRLEN + 1], *p;
	struct pv_err err;

	other = fx_create(f, "taken", NULL);
	pv_uuid_format(info.uuid, uuid);
	pv_err_init(&err);
	assert_int_equal(pv_domain_rename(&f->ctx, domid, "new", &err), 0);
	assert_int_equal(f->ctx.lock_fd, -1);
	fx_assert_str(fx_dom_get(f, domid, "name"), "new", "name");
	p = pv_asprintf("/vm/%s/name", uuid);
	fx_assert_str(xs_get(f, p), "new", p);
	free(p);
	assert_int_equal(pv_domain_lookup(&f->ctx, "new", &found, &err), 0);
	assert_int_equal(found, domid);
	assert_int_equal(pv_domain_lookup(&f->ctx, "old", &found, &err), -ESRCH);
	pv_err_clear(&err);
	/* The saved config follows, so that a restart keeps the new name. */
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), 0);
	assert_string_equal(back.name, "new");
	pv_domain_config_dispose(&back);

	/* Refusals leave everything as it was. */
	fx_assert_err(&err, pv_domain_rename(&f->ctx, domid, "taken", &err), -EEXIST,
		      "'taken' is already in use by domain 2");
	assert_int_equal(other, 2);
	assert_int_equal(f->ctx.lock_fd, -1);
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_rename(&f->ctx, domid, "a/b", &err), -EINVAL,
		      "'a/b'");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_rename(&f->ctx, domid, "123", &err), -EINVAL,
		      "all digits");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_rename(&f->ctx, 0, "x", &err), -EPERM,
		      "Domain-0");
	pv_err_clear(&err);
	pv_sim_fail_next(f->s, "xs_transaction_start", -EIO);
	fx_assert_err(&err, pv_domain_rename(&f->ctx, domid, "newer", &err), -EIO,
		      "renaming domain 1");
	assert_int_equal(f->ctx.lock_fd, -1);
	fx_assert_str(fx_dom_get(f, domid, "name"), "new", "name after refusals");
	fx_assert_str(fx_dom_get(f, other, "name"), "taken", "other's name");
	pv_err_dispose(&err);
}

static void test_rename_to_own_name(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "same", NULL);
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = pv_domain_rename(&f->ctx, domid, "same", &err);
	pv_err_dispose(&err);
	assert_int_equal(rc, 0);
}

/* --- memory --- */

#define MEM_CFG "memory = 256\nmaxmem = 512\n"

static void test_mem_set(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", MEM_CFG);
	struct pv_err err;

	pv_err_init(&err);
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 300 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/target"), "307200",
		      "memory/target");
	/* libxl's 1 MiB of slack above the target. */
	assert_int_equal(getinfo(f, domid).max_kb, 300 * 1024 + 1024);
	/* The edges are allowed: static-max, and the 32 MiB floor. */
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 512 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/target"), "524288",
		      "memory/target");
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 32 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/target"), "32768",
		      "memory/target");
	assert_int_equal(getinfo(f, domid).max_kb, 33 * 1024);
	/* The guest's view: it may read its target but not set it. */
	pv_sim_set_caller(f->s, domid);
	fx_assert_str(xs_get(f, "memory/target"), "32768", "target as the guest");
	assert_int_equal(xs_put(f, "memory/target", "999999"), -EACCES);
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(err.code, 0);
	pv_err_dispose(&err);
}

static void test_mem_set_refusals(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", MEM_CFG);
	unsigned int setmax;
	struct pv_err err;

	pv_err_init(&err);
	setmax = pv_sim_calls(f->s, "domain_setmaxmem");
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, domid, 600 * 1024, &err),
		      -EINVAL, "600 MiB is above the domain's maximum of 512 MiB");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, domid, 31 * 1024, &err),
		      -EINVAL, "31 MiB is below pvctl's floor of 32 MiB");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, 0, 300 * 1024, &err),
		      -EPERM, "Domain-0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, 42, 300 * 1024, &err),
		      -ENOENT, "/local/domain/42/memory/static-max");
	pv_err_clear(&err);
	assert_int_equal(pv_sim_calls(f->s, "domain_setmaxmem"), setmax);
	/* The hypervisor refuses the limit: the target is not written. */
	pv_sim_fail_next(f->s, "domain_setmaxmem", -ENOMEM);
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, domid, 300 * 1024, &err),
		      -ENOMEM, "memory limit of domain 1");
	fx_assert_str(fx_dom_get(f, domid, "memory/target"), "262144",
		      "memory/target after refusals");
	assert_int_equal(getinfo(f, domid).max_kb, 256 * 1024 + 1024);
	pv_err_dispose(&err);
}

/*
 * The hypervisor's limit is what Xen holds under libxl: the target and
 * 1 MiB of slack, from create on; mem-set moves it with the target, and
 * mem-max (static-max, the guest's ceiling) leaves it alone.
 */
static void test_mem_limit(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", MEM_CFG);
	struct pv_err err;

	pv_err_init(&err);
	assert_int_equal(pv_domain_mem_limit_kb(256 * 1024), 256 * 1024 + 1024);
	assert_int_equal(getinfo(f, domid).max_kb, 256 * 1024 + 1024);
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 400 * 1024, &err), 0);
	assert_int_equal(getinfo(f, domid).max_kb, 400 * 1024 + 1024);
	assert_int_equal(pv_domain_set_maxmem(&f->ctx, domid, 1024 * 1024, &err), 0);
	assert_int_equal(getinfo(f, domid).max_kb, 400 * 1024 + 1024);
	assert_int_equal(pv_domain_set_maxmem(&f->ctx, domid, 400 * 1024, &err), 0);
	assert_int_equal(getinfo(f, domid).max_kb, 400 * 1024 + 1024);
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 100 * 1024, &err), 0);
	assert_int_equal(getinfo(f, domid).max_kb, 100 * 1024 + 1024);
	assert_int_equal(err.code, 0);
	pv_err_dispose(&err);
}

static void test_mem_max(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", MEM_CFG);
	struct pv_err err;

	pv_err_init(&err);
	fx_assert_err(&err, pv_domain_set_maxmem(&f->ctx, domid, 200 * 1024, &err),
		      -EINVAL, "200 MiB is below the current target of 256 MiB");
	fx_assert_str(fx_dom_get(f, domid, "memory/static-max"), "524288",
		      "static-max after a refusal");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_maxmem(&f->ctx, 0, 1024 * 1024, &err),
		      -EPERM, "Domain-0");
	pv_err_clear(&err);
	/* Equal to the target is fine; then mem-set cannot go above it. */
	assert_int_equal(pv_domain_set_maxmem(&f->ctx, domid, 256 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/static-max"), "262144",
		      "static-max");
	fx_assert_err(&err, pv_domain_set_target(&f->ctx, domid, 300 * 1024, &err),
		      -EINVAL, "above the domain's maximum of 256 MiB");
	pv_err_clear(&err);
	/* Raised, mem-set may follow it. */
	assert_int_equal(pv_domain_set_maxmem(&f->ctx, domid, 1024 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/static-max"), "1048576",
		      "static-max");
	assert_int_equal(pv_domain_set_target(&f->ctx, domid, 700 * 1024, &err), 0);
	fx_assert_str(fx_dom_get(f, domid, "memory/target"), "716800",
		      "memory/target");
	assert_int_equal(getinfo(f, domid).max_kb, 700 * 1024 + 1024);
	pv_err_dispose(&err);
}

/* --- vCPUs --- */

static void assert_avail(struct fx *f, uint32_t domid, const char *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		char *sub = pv_asprintf("cpu/%zu/availability", i);

		fx_assert_str(fx_dom_get(f, domid, sub),
			      want[i] == '1' ? "online" : "offline", sub);
		free(sub);
	}
	{
		char *sub = pv_asprintf("/local/domain/%u/cpu/%zu", domid, i);

		assert_false(pv_sim_xs_exists(f->s, sub));
		free(sub);
	}
}

static void test_vcpu_set(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "vcpus = 1\nmaxvcpus = 4\n");
	struct pv_err err;

	pv_err_init(&err);
	assert_avail(f, domid, "1000");
	assert_int_equal(pv_domain_set_vcpus(&f->ctx, domid, 3, &err), 0);
	assert_avail(f, domid, "1110");
	assert_int_equal(pv_domain_set_vcpus(&f->ctx, domid, 4, &err), 0);
	assert_avail(f, domid, "1111");
	assert_int_equal(pv_domain_set_vcpus(&f->ctx, domid, 2, &err), 0);
	assert_avail(f, domid, "1100");
	assert_int_equal(err.code, 0);

	fx_assert_err(&err, pv_domain_set_vcpus(&f->ctx, domid, 0, &err), -EINVAL,
		      "1 to 4 vCPUs online (maxvcpus), not 0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_vcpus(&f->ctx, domid, 5, &err), -EINVAL,
		      "1 to 4 vCPUs online (maxvcpus), not 5");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_vcpus(&f->ctx, 0, 1, &err), -EPERM,
		      "Domain-0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_set_vcpus(&f->ctx, 42, 1, &err), -ESRCH,
		      "domain 42");
	pv_err_clear(&err);
	/* All or nothing: a failed write leaves the old state. */
	pv_sim_fail_nth(f->s, "xs_write", 3, -EIO);
	fx_assert_err(&err, pv_domain_set_vcpus(&f->ctx, domid, 4, &err), -EIO,
		      "cpu/N/availability of domain 1");
	assert_avail(f, domid, "1100");
	pv_err_dispose(&err);
}

/* --- CPU lists and pinning --- */

static void assert_map(const char *s, unsigned int nr, uint8_t b0, uint8_t b1)
{
	uint8_t map[PV_MAX_CPUS / 8];
	struct pv_err err;
	size_t i;

	memset(map, 0xaa, sizeof(map));
	pv_err_init(&err);
	if (pv_cpumap_parse(s, nr, map, &err))
		fail_msg("'%s' does not parse: %s", s, pv_err_msg(&err));
	pv_err_dispose(&err);
	if (map[0] != b0 || map[1] != b1)
		fail_msg("'%s' gives %02x %02x, want %02x %02x", s, map[0], map[1],
			 b0, b1);
	for (i = 2; i < sizeof(map); i++)
		assert_int_equal(map[i], 0);
}

static void assert_map_bad(const char *s, unsigned int nr, const char *needle)
{
	uint8_t map[PV_MAX_CPUS / 8];
	struct pv_err err;

	pv_err_init(&err);
	fx_assert_err(&err, pv_cpumap_parse(s, nr, map, &err), -EINVAL, needle);
	pv_err_dispose(&err);
}

static void test_cpumap_parse(void **state)
{
	(void)state;
	assert_map("all", 4, 0x0f, 0);
	assert_map("all", 12, 0xff, 0x0f);
	assert_map("0", 4, 0x01, 0);
	assert_map("1,3", 4, 0x0a, 0);
	assert_map("0-3,^2", 4, 0x0b, 0);
	assert_map("0-11,^4-7", 12, 0x0f, 0x0f);
	assert_map("9", 16, 0, 0x02);
	assert_map("2-2", 4, 0x04, 0);

	assert_map_bad("4", 4, "CPU list '4' names CPUs beyond the host's 4");
	assert_map_bad("0-4", 4, "'0-4'");
	assert_map_bad("3-1", 4, "'3-1'");
	assert_map_bad("x", 4, "bad CPU list 'x'");
	assert_map_bad("0-", 4, "bad CPU list '0-'");
	assert_map_bad("-1", 4, "bad CPU list '-1'");
	assert_map_bad("1,,z", 4, "bad CPU list '1,,z'");
	assert_map_bad("256", 256, "bad CPU list '256'");
}

static void test_pin_vcpu(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "vcpus = 2\nmaxvcpus = 3\n");
	struct pv_err err;
	unsigned int cpu;

	pv_err_init(&err);
	assert_int_equal(pv_domain_pin_vcpu(&f->ctx, domid, 1, "2", &err), 0);
	for (cpu = 0; cpu < 4; cpu++) {
		assert_int_equal(pv_sim_vcpu_has_cpu(f->s, domid, 1, cpu), cpu == 2);
		assert_true(pv_sim_vcpu_has_cpu(f->s, domid, 0, cpu));
	}
	/* -1: every vCPU, offline ones included. */
	assert_int_equal(pv_domain_pin_vcpu(&f->ctx, domid, -1, "0-3,^1", &err), 0);
	for (cpu = 0; cpu < 4; cpu++) {
		unsigned int v;

		for (v = 0; v < 3; v++)
			assert_int_equal(pv_sim_vcpu_has_cpu(f->s, domid, v, cpu),
					 cpu != 1);
	}
	assert_int_equal(err.code, 0);

	fx_assert_err(&err, pv_domain_pin_vcpu(&f->ctx, domid, 3, "0", &err), -EINVAL,
		      "domain 1 has no vCPU 3");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_pin_vcpu(&f->ctx, domid, 0, "7", &err), -EINVAL,
		      "beyond the host's 4");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_pin_vcpu(&f->ctx, 42, 0, "0", &err), -ESRCH,
		      "reading domain 42");
	pv_err_clear(&err);
	/* Xen refuses an empty affinity; the message says which vCPU. */
	fx_assert_err(&err, pv_domain_pin_vcpu(&f->ctx, domid, 2, "0,^0", &err),
		      -EINVAL, "pinning vCPU 2 of domain 1 to 0,^0");
	assert_false(pv_sim_vcpu_has_cpu(f->s, domid, 2, 1));
	assert_true(pv_sim_vcpu_has_cpu(f->s, domid, 2, 0));
	pv_err_dispose(&err);
}

/* cpus= pins every vCPU at create; a CPU the host lacks fails the create. */
static void test_create_cpus(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "guest", "vcpus = 2\nmaxvcpus = 3\n"
				   "cpus = '1-3,^2'\n");
	struct pv_domain_config c;
	struct pv_dominfo info;
	struct pv_err err;
	unsigned int cpu, v;

	for (v = 0; v < 3; v++)
		for (cpu = 0; cpu < 4; cpu++)
			assert_int_equal(pv_sim_vcpu_has_cpu(f->s, domid, v, cpu),
					 cpu == 1 || cpu == 3);
	fx_cfg_parse(f, "other", "cpus = '4'\n", &c);
	pv_err_init(&err);
	fx_assert_err(&err, pv_domain_create(&f->ctx, &c, &domid, &err), -EINVAL,
		      "CPU list '4' names CPUs beyond the host's 4");
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid + 1, &info),
			 -ESRCH);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
}

/* cpus_soft= sets every vCPU's soft affinity at create, hard left as is. */
static void test_create_cpus_soft(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "soft", "vcpus = 2\ncpus = '0-2'\n"
				   "cpus_soft = '2'\n");
	struct pv_vcpuinfo vi;
	unsigned int v;

	for (v = 0; v < 2; v++) {
		assert_int_equal(f->hv.ops->vcpu_getinfo(f->hv.h, domid, v, &vi), 0);
		assert_int_equal(vi.soft_affinity[0] & 0x0f, 0x04);
		assert_int_equal(vi.affinity[0] & 0x0f, 0x07);
	}
	domid = fx_create(f, "softonly", "cpus_soft = '3'\n");
	assert_int_equal(f->hv.ops->vcpu_getinfo(f->hv.h, domid, 0, &vi), 0);
	assert_int_equal(vi.soft_affinity[0] & 0x0f, 0x08);
	assert_int_equal(vi.affinity[0] & 0x0f, 0x0f);
}

/* max_grant_frames= and the like reach Xen's create; unset, its defaults. */
static void test_create_limits(void **state)
{
	struct fx *f = *state;
	uint32_t a = fx_create(f, "a", "max_grant_frames = 64\n"
			       "max_maptrack_frames = 0\nmax_event_channels = 4095\n");
	uint32_t b = fx_create(f, "b", NULL);
	struct pv_create_limits lim;

	assert_int_equal(pv_sim_domain_limits(f->s, a, &lim), 0);
	assert_int_equal(lim.max_grant_frames, 64);
	assert_int_equal(lim.max_maptrack_frames, 0);
	assert_int_equal(lim.max_evtchn_port, 4095);
	assert_int_equal(pv_sim_domain_limits(f->s, b, &lim), 0);
	assert_int_equal(lim.max_grant_frames, -1);
	assert_int_equal(lim.max_maptrack_frames, -1);
	assert_int_equal(lim.max_evtchn_port, 1023);
}

/*
 * nomigrate = 1: Xen is told before the guest first runs, and save and
 * migrate refuse the domain, leaving it running.
 */
static void test_nomigrate(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "pinned", "nomigrate = 1\n");
	uint32_t other = fx_create(f, "free", NULL);
	struct pv_migrate_opts mo = { .live = true };
	struct pv_migrate_stats st;
	char *file = fx_path(f, "pinned.save");
	struct pv_err err;

	assert_true(pv_sim_domain_nomigrate(f->s, domid));
	assert_false(pv_sim_domain_nomigrate(f->s, other));
	assert_int_equal(pv_sim_calls(f->s, "domain_set_nomigrate"), 1);
	pv_err_init(&err);
	fx_assert_err(&err, pv_domain_save(&f->ctx, domid, file, 0, NULL, NULL,
					   &err), -EPERM, "has nomigrate = 1 in "
		      "its config: it may not be saved or migrated");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_migrate_send(&f->ctx, domid, -1, -1, &mo,
						   &st, &err), -EPERM,
		      "has nomigrate = 1");
	assert_false(getinfo(f, domid).shutdown);
	assert_false(file_exists(file));
	/* Too late once the guest has run: Xen fixes its CPUID then. */
	assert_int_equal(f->hv.ops->domain_set_nomigrate(f->hv.h, other), -EEXIST);
	pv_err_dispose(&err);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_request_shutdown),
		T(test_request_shutdown_write_fails),
		T(test_request_shutdown_no_domain),
		T(test_wait_shutdown_times_out),
		T(test_wait_shutdown_sees_it),
		T(test_wait_shutdown_gone),
		T(test_pause),
		T(test_rename),
		T(test_rename_to_own_name),
		T(test_mem_set),
		T(test_mem_set_refusals),
		T(test_mem_limit),
		T(test_mem_max),
		T(test_vcpu_set),
		T(test_cpumap_parse),
		T(test_pin_vcpu),
		T(test_create_cpus),
		T(test_create_cpus_soft),
		T(test_create_limits),
		T(test_nomigrate),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
