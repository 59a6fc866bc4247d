/*
 * test_monitor.c: lib/domain/monitor.c (on_poweroff/on_reboot/on_crash
 * for domains that shut down, and the monitor loop) and kcache.c (the
 * unpacked-kernel cache a create fills and the next create uses), on the
 * simulated hypervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/domain/domain.h"
#include "lib/domain/kcache.h"
#include "util/uuid.h"
#include "helpers.h"

#define UUID_A "0d5a2b8e-3c1f-4e6a-9b7d-1f2e3d4c5b6a"

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* The monitor's log lines, each ending in '\n'. */
static struct pv_buf mon_lines = PV_BUF_INIT;

static void PV_PRINTF(2, 3) log_line(void *arg, const char *fmt, ...)
{
	va_list ap;

	(void)arg;
	va_start(ap, fmt);
	pv_buf_vprintf(&mon_lines, fmt, ap);
	va_end(ap);
	pv_buf_puts(&mon_lines, "\n");
}

static struct pv_monitor_log mon_log = { log_line, NULL };

static int mon_setup(void **state)
{
	pv_buf_reset(&mon_lines);
	return fx_setup(state);
}

static int mon_teardown(void **state)
{
	pv_buf_dispose(&mon_lines);
	return fx_teardown(state);
}

static void assert_logged(const char *needle)
{
	if (!has(mon_lines.s, needle))
		fail_msg("the monitor did not log '%s'; it logged:\n%s", needle,
			 mon_lines.s ? mon_lines.s : "(nothing)");
}

static size_t scan(struct fx *f)
{
	size_t managed = 999;

	assert_int_equal(pv_monitor_scan(&f->ctx, &mon_log, &managed), 0);
	return managed;
}

static bool dom_exists(struct fx *f, uint32_t domid)
{
	struct pv_dominfo info;

	return f->hv.ops->domain_getinfo(f->hv.h, domid, &info) == 0;
}

static void dom_uuid(struct fx *f, uint32_t domid, char out[PV_UUID_STRLEN + 1])
{
	struct pv_dominfo info;

	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	pv_uuid_format(info.uuid, out);
}

static bool saved(struct fx *f, uint32_t domid)
{
	char *p = pv_asprintf("%s/domains/%u.json", f->ctx.state_dir, domid);
	bool there = file_exists(p);

	free(p);
	return there;
}

static uint32_t lookup(struct fx *f, const char *name)
{
	struct pv_err err;
	uint32_t domid = 0;

	pv_err_init(&err);
	if (pv_domain_lookup(&f->ctx, name, &domid, &err))
		fail_msg("no domain '%s': %s", name, pv_err_msg(&err));
	pv_err_dispose(&err);
	return domid;
}

static void shut(struct fx *f, uint32_t domid, unsigned int reason)
{
	assert_int_equal(pv_sim_domain_set_state(f->s, domid, PV_SIM_DOM_SHUTDOWN,
						 reason), 0);
}

/* --- one scan --- */

static void test_reboot_restarts(void **state)
{
	struct fx *f = *state;
	uint32_t old = fx_create(f, "web", "uuid = '" UUID_A "'\nmemory = 64\n"), now;
	char uuid[PV_UUID_STRLEN + 1];

	assert_int_equal(scan(f), 1);		/* running: nothing to do */
	assert_int_equal(mon_lines.len, 0);
	shut(f, old, PV_SHUTDOWN_REBOOT);
	assert_int_equal(scan(f), 1);
	assert_logged("domain 1 (web) shut down: reboot; action restart");
	now = lookup(f, "web");
	assert_int_not_equal(now, old);
	assert_logged("restarted web as domain 2");
	assert_int_equal(now, 2);
	assert_false(dom_exists(f, old));
	assert_int_equal(pv_sim_domain_count(f->s), 2);
	dom_uuid(f, now, uuid);
	assert_string_equal(uuid, UUID_A);
	fx_assert_str(fx_dom_get(f, now, "vm"), "/vm/" UUID_A, "vm");
	fx_assert_str(xs_get(f, "/vm/" UUID_A "/name"), "web", "/vm/UUID/name");
	fx_assert_str(fx_dom_get(f, now, "memory/target"), "65536", "target");
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1"));
	assert_false(saved(f, old));
	assert_true(saved(f, now));
	/* Handled once: the next scan leaves the new domain alone. */
	pv_buf_reset(&mon_lines);
	assert_int_equal(scan(f), 1);
	assert_int_equal(mon_lines.len, 0);
	assert_int_equal(lookup(f, "web"), now);
}

static void test_crash_restart(void **state)
{
	struct fx *f = *state;
	uint32_t old = fx_create(f, "db", "on_crash = 'restart'\n");
	char before[PV_UUID_STRLEN + 1], after[PV_UUID_STRLEN + 1];

	dom_uuid(f, old, before);
	shut(f, old, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_logged("shut down: crash; action restart");
	assert_false(dom_exists(f, old));
	dom_uuid(f, lookup(f, "db"), after);
	assert_string_equal(before, after);
}

static void test_poweroff_destroys(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "tmp", "uuid = '" UUID_A "'\n");
	uint32_t other = fx_create(f, "keep", NULL);

	shut(f, domid, PV_SHUTDOWN_POWEROFF);
	assert_int_equal(scan(f), 2);
	assert_logged("domain 1 (tmp) shut down: poweroff; action destroy");
	assert_false(dom_exists(f, domid));
	assert_false(saved(f, domid));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1"));
	assert_false(pv_sim_xs_exists(f->s, "/vm/" UUID_A));
	/* Default on_crash is destroy too. */
	shut(f, other, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_false(dom_exists(f, other));
	assert_int_equal(pv_sim_domain_count(f->s), 1);
	assert_int_equal(scan(f), 0);
}

static void test_crash_preserve(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "kept", "on_crash = 'preserve'\n");
	struct pv_dominfo info;

	shut(f, domid, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_logged("domain 1 (kept) shut down: crash; action preserve");
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_true(info.shutdown);
	assert_true(info.crashed);
	fx_assert_str(fx_dom_get(f, domid, "name"), "kept", "name");
	assert_false(saved(f, domid));
	/* No longer ours: later scans neither count nor touch it. */
	pv_buf_reset(&mon_lines);
	assert_int_equal(scan(f), 0);
	assert_int_equal(mon_lines.len, 0);
	assert_true(dom_exists(f, domid));
}

static void test_rename_restart(void **state)
{
	struct fx *f = *state;
	uint32_t old = fx_create(f, "app", "on_reboot = 'rename-restart'\n"), now;

	shut(f, old, PV_SHUTDOWN_REBOOT);
	assert_int_equal(scan(f), 1);
	assert_logged("action rename-restart");
	/* The old domain stays, renamed, for inspection... */
	assert_true(dom_exists(f, old));
	fx_assert_str(fx_dom_get(f, old, "name"), "app-1", "old domain's name");
	assert_int_equal(lookup(f, "app-1"), old);
	assert_false(saved(f, old));
	/* ...and a new one runs under the name. */
	now = lookup(f, "app");
	assert_int_not_equal(now, old);
	assert_logged("restarted app as domain 2");
	assert_true(saved(f, now));
	assert_int_equal(pv_sim_domain_count(f->s), 3);
	assert_int_equal(scan(f), 1);
}

static void test_rename_restart_own_uuid(void **state)
{
	struct fx *f = *state;
	uint32_t old = fx_create(f, "app", "uuid = '" UUID_A "'\n"
				 "on_reboot = 'rename-restart'\n"), now;
	char a[PV_UUID_STRLEN + 1], b[PV_UUID_STRLEN + 1];
	struct pv_err err;

	shut(f, old, PV_SHUTDOWN_REBOOT);
	scan(f);
	now = lookup(f, "app");
	dom_uuid(f, old, a);
	dom_uuid(f, now, b);
	assert_string_not_equal(a, b);
	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, old, &err), 0);
	pv_err_dispose(&err);
	fx_assert_str(xs_get(f, "/vm/" UUID_A "/name"), "app",
		      "the new domain's /vm/UUID/name");
}

static void test_foreign_and_suspended(void **state)
{
	struct fx *f = *state;
	uint8_t uuid[16] = { 1 };
	uint32_t foreign = 0, mine = fx_create(f, "mine", NULL);

	/* A domain pvctl did not make has no saved config: never touched. */
	assert_int_equal(f->hv.ops->domain_create(f->hv.h, uuid, 1, &foreign), 0);
	assert_int_equal(xs_put(f, "/local/domain/2/name", "xl-made"), 0);
	shut(f, foreign, PV_SHUTDOWN_POWEROFF);
	/* A suspended domain is being saved, not shut down. */
	shut(f, mine, PV_SHUTDOWN_SUSPEND);
	assert_int_equal(scan(f), 1);
	assert_int_equal(mon_lines.len, 0);
	assert_true(dom_exists(f, foreign));
	assert_true(dom_exists(f, mine));
	assert_true(saved(f, mine));
	fx_assert_str(xs_get(f, "/local/domain/2/name"), "xl-made", "name");
}

static void test_restart_fails(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "web", NULL);

	shut(f, domid, PV_SHUTDOWN_REBOOT);
	pv_sim_fail_next(f->s, "build_pv", -ENOMEM);
	assert_int_equal(scan(f), 1);
	assert_logged("restarting web failed: building domain from kernel");
	assert_int_equal(pv_sim_domain_count(f->s), 1);
	assert_int_equal(scan(f), 0);
}

static void test_scan_list_fails(void **state)
{
	struct fx *f = *state;
	size_t managed = 0;

	pv_sim_fail_next(f->s, "domain_list", -EIO);
	assert_int_equal(pv_monitor_scan(&f->ctx, &mon_log, &managed), -EIO);
	assert_logged("listing domains");
}

/* --- the loop --- */

static void test_run_idle_exits(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, true, NULL), 0);
	assert_logged("monitor started (pid ");
	assert_logged("monitor exiting: no domains left to watch");
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
}

struct poweroff_later {
	uint32_t domid;
	unsigned int calls;
};

static void poweroff_on_idle(struct pv_sim *s, void *arg)
{
	struct poweroff_later *p = arg;

	if (++p->calls == 2)
		assert_int_equal(pv_sim_domain_set_state(s, p->domid,
				PV_SIM_DOM_SHUTDOWN, PV_SHUTDOWN_POWEROFF), 0);
}

static void test_run_handles_then_exits(void **state)
{
	struct fx *f = *state;
	struct poweroff_later p = { fx_create(f, "short", NULL), 0 };

	pv_sim_on_idle(f->s, poweroff_on_idle, &p);
	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, true, NULL), 0);
	assert_true(p.calls >= 2);
	assert_logged("domain 1 (short) shut down: poweroff; action destroy");
	assert_logged("no domains left to watch");
	assert_false(dom_exists(f, p.domid));
	assert_int_equal(pv_sim_xs_pending(f->s), 0);
}

static void test_run_only_one(void **state)
{
	struct fx *f = *state;
	struct pv_err err;
	char *lock;
	int fd;

	pv_err_init(&err);
	assert_int_equal(pv_mkdirs(f->ctx.run_dir, &err), 0);
	pv_err_dispose(&err);
	lock = pv_asprintf("%s/monitor.lock", f->ctx.run_dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, true, NULL), -EALREADY);
	assert_int_equal(mon_lines.len, 0);
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"), 0);
	close(fd);
	/* Once the other one is gone, this one runs. */
	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, true, NULL), 0);
	free(lock);
}

static void test_run_watch_error(void **state)
{
	struct fx *f = *state;

	fx_create(f, "long", NULL);
	pv_sim_fail_next(f->s, "xs_read_watch", -EIO);
	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, false, NULL), -EIO);
	assert_logged("monitor exiting: Input/output error");
	assert_int_equal(pv_sim_calls(f->s, "xs_watch"),
			 pv_sim_calls(f->s, "xs_unwatch"));
}

/* --- the kernel cache --- */

/* The whole of @path, malloc'd, or NULL. */
static char *read_all(const char *path, size_t *size)
{
	struct pv_buf b = PV_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		pv_buf_add(&b, chunk, n);
	fclose(fp);
	*size = b.len;
	return b.s ? pv_buf_detach(&b) : pv_strdup("");
}

static void record_step(void *arg, const char *what, uint64_t ms)
{
	(void)ms;
	pv_buf_printf(arg, "%s;", what);
}

static char *cache_file(struct fx *f)
{
	char *data;
	size_t size;
	char *p;

	data = read_all(f->kernel, &size);
	assert_non_null(data);
	p = pv_asprintf("%s/kernel-cache/%016llx-%zu.elf", f->ctx.state_dir,
			(unsigned long long)pv_hash64(data, size), size);
	free(data);
	return p;
}

static void test_kcache(void **state)
{
	struct fx *f = *state;
	struct pv_sim_build_seen seen;
	struct pv_buf steps = PV_BUF_INIT;
	char *entry = cache_file(f), *dir, *cached, *kernel;
	size_t csize, ksize;
	struct stat st;
	struct pv_err err;
	uint32_t domid;

	f->ctx.step = record_step;
	f->ctx.step_arg = &steps;
	domid = fx_create(f, "one", NULL);
	pv_sim_last_build(f->s, &seen);
	assert_true(seen.want_unpacked);
	assert_false(seen.from_mem);
	assert_true(has(steps.s, "kernel cache: miss;"));
	/* The builder's unpacked image is stored, private to root. */
	cached = read_all(entry, &csize);
	kernel = read_all(f->kernel, &ksize);
	assert_non_null(cached);
	assert_int_equal(csize, ksize);
	assert_memory_equal(cached, kernel, ksize);
	assert_int_equal(stat(entry, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
	dir = pv_asprintf("%s/kernel-cache", f->ctx.state_dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* The next create hands the builder the cached image. */
	pv_buf_reset(&steps);
	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
	fx_create(f, "two", NULL);
	pv_sim_last_build(f->s, &seen);
	assert_true(seen.from_mem);
	assert_false(seen.want_unpacked);
	assert_int_equal(seen.kernel_size, ksize);
	assert_true(seen.kernel_hash == pv_hash64(kernel, ksize));
	assert_true(has(steps.s, "kernel cache: hit;"));
	assert_false(has(steps.s, "miss"));
	pv_buf_dispose(&steps);
	pv_err_dispose(&err);
	free(dir);
	free(kernel);
	free(cached);
	free(entry);
}

static void test_kcache_keyed_by_content(void **state)
{
	struct fx *f = *state;
	struct pv_sim_build_seen seen;
	char *first = cache_file(f), *second;
	FILE *k;

	fx_create(f, "one", NULL);
	assert_true(file_exists(first));
	/* A new kernel at the same path is a different entry: a miss. */
	k = fopen(f->kernel, "w");
	assert_non_null(k);
	fputs("\177ELF a newer kernel\n", k);
	fclose(k);
	second = cache_file(f);
	assert_string_not_equal(first, second);
	fx_create(f, "two", NULL);
	pv_sim_last_build(f->s, &seen);
	assert_false(seen.from_mem);
	assert_true(seen.want_unpacked);
	assert_true(file_exists(second));
	assert_true(file_exists(first));
	free(first);
	free(second);
}

/* The cache keeps the PV_KCACHE_KEEP kernels used last. */
static void test_kcache_bounded(void **state)
{
	struct fx *f = *state;
	char *first = cache_file(f), *entry = NULL, *name;
	struct pv_err err;
	uint32_t domid;
	int i;
	FILE *k;

	pv_err_init(&err);
	for (i = 0; i <= PV_KCACHE_KEEP; i++) {
		if (i) {
			k = fopen(f->kernel, "w");
			assert_non_null(k);
			fprintf(k, "\177ELF kernel number %d\n", i);
			fclose(k);
		}
		free(entry);
		entry = cache_file(f);
		name = pv_asprintf("k%d", i);
		domid = fx_create(f, name, NULL);
		assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
		free(name);
		assert_true(file_exists(entry));
		/* mtimes must differ for "last used" to mean something */
		usleep(10000);
	}
	/* the first went, the newest stays */
	assert_false(file_exists(first));
	assert_true(file_exists(entry));
	pv_err_dispose(&err);
	free(entry);
	free(first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mon_setup, mon_teardown)
		T(test_reboot_restarts),
		T(test_crash_restart),
		T(test_poweroff_destroys),
		T(test_crash_preserve),
		T(test_rename_restart),
		T(test_rename_restart_own_uuid),
		T(test_foreign_and_suspended),
		T(test_restart_fails),
		T(test_scan_list_fails),
		T(test_run_idle_exits),
		T(test_run_handles_then_exits),
		T(test_run_only_one),
		T(test_run_watch_error),
		T(test_kcache),
		T(test_kcache_keyed_by_content),
		T(test_kcache_bounded),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
