/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <dirent.h>
#include <nettle/sha2.h>

#include "lib/domain/domain.h"
#include "lib/domain/kcache.h"
#include "util/uuid.h"
#include "helpers.h"

#define UUID_A "0d5a2b8e-3c1f-4e6a-9b7d-1f2e3d4c5b6a"
#define UUID_B "0d5a2b8e-3c1f-4e6a-9b7d-1f2e3d4c5b6b"

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
/* What the monitor remembers between scans, as pv_monitor_run keeps it. */
static struct pv_monitor_seen mon_seen;

static int mon_setup(void **state)
{
	pv_buf_reset(&mon_lines);
	pv_monitor_seen_init(&mon_seen);
	return fx_setup(state);
}

static int mon_teardown(void **state)
{
	pv_buf_dispose(&mon_lines);
	pv_monitor_seen_dispose(&mon_seen);
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

	assert_int_equal(pv_monitor_scan(&f->ctx, &mon_log, &mon_seen, &managed), 0);
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
	assert_int_equal(f->hv.ops->domain_create(f->hv.h, uuid, 1, NULL, &foreign), 0);
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
	assert_int_equal(pv_monitor_scan(&f->ctx, &mon_log, &mon_seen, &managed), -EIO);
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

/* The cache entry for the kernel file's current content. */
static char *cache_file(struct fx *f)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct pv_buf p = PV_BUF_INIT;
	struct sha256_ctx sha;
	char *data;
	size_t size, i;

	data = read_all(f->kernel, &size);
	assert_non_null(data);
	sha256_init(&sha);
	sha256_update(&sha, size, (const uint8_t *)data);
	sha256_digest(&sha, sizeof(digest), digest);
	pv_buf_printf(&p, "%s/kernel-cache/", f->ctx.state_dir);
	for (i = 0; i < sizeof(digest); i++)
		pv_buf_printf(&p, "%02x", digest[i]);
	pv_buf_puts(&p, ".elf");
	free(data);
	return pv_buf_detach(&p);
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
	/* the builder unpacks the bytes read and hashed, not the file again */
	kernel = read_all(f->kernel, &ksize);
	assert_true(seen.want_unpacked);
	assert_true(seen.from_mem);
	assert_int_equal(seen.kernel_size, ksize);
	assert_true(seen.kernel_hash == pv_hash64(kernel, ksize));
	assert_true(has(steps.s, "kernel cache: miss;"));
	/* The builder's unpacked image is stored, private to root. */
	cached = read_all(entry, &csize);
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
	static const char newer[] = "\177ELF a newer kernel\n";
	struct fx *f = *state;
	struct pv_sim_build_seen seen;
	char *first = cache_file(f), *second;
	FILE *k;

	fx_create(f, "one", NULL);
	assert_true(file_exists(first));
	/* A new kernel at the same path is a different entry: a miss. */
	k = fopen(f->kernel, "w");
	assert_non_null(k);
	fputs(newer, k);
	fclose(k);
	second = cache_file(f);
	assert_string_not_equal(first, second);
	fx_create(f, "two", NULL);
	pv_sim_last_build(f->s, &seen);
	assert_true(seen.want_unpacked);
	assert_true(seen.kernel_hash == pv_hash64(newer, strlen(newer)));
	assert_true(file_exists(second));
	assert_true(file_exists(first));
	free(first);
	free(second);
}

/*
 * Two kernels of one size that collide under the old key (a 64-bit
 * non-cryptographic hash plus the size): each gets its own entry, and
 * the second is not booted from the first's.
 */
static void put_kernel(struct fx *f, const void *data, size_t size)
{
	FILE *k = fopen(f->kernel, "w");

	assert_non_null(k);
	assert_int_equal(fwrite(data, 1, size, k), size);
	assert_int_equal(fclose(k), 0);
}

/* pv_hash64's state after @n blocks of @p (its loop, to forge with). */
static uint64_t hash64_state(const unsigned char *p, size_t size, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ size, w;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&w, p + 8 * i, 8);
		h ^= w * 0xbf58476d1ce4e5b9ull;
		h = (h << 31 | h >> 33) * 0x94d049bb133111ebull;
	}
	return h;
}

static void test_kcache_collision(void **state)
{
	struct fx *f = *state;
	const uint64_t m = 0xbf58476d1ce4e5b9ull;
	unsigned char a[24] = "\177ELF kernel A 0123456", b[24];
	struct pv_sim_build_seen seen;
	struct pv_buf steps = PV_BUF_INIT;
	char *entry_a, *entry_b, *data;
	uint64_t inv = m, w2, ha, hb;
	size_t size;
	int i;

	/* b differs in its second block; its third undoes that in the state */
	memcpy(b, a, sizeof(b));
	b[8] ^= 0x55;
	for (i = 0; i < 5; i++)
		inv *= 2 - m * inv;		/* m's inverse mod 2^64 */
	ha = hash64_state(a, sizeof(a), 2);
	hb = hash64_state(b, sizeof(b), 2);
	memcpy(&w2, a + 16, 8);
	w2 = ((ha ^ hb) ^ w2 * m) * inv;
	memcpy(b + 16, &w2, 8);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_true(pv_hash64(a, sizeof(a)) == pv_hash64(b, sizeof(b)));

	put_kernel(f, a, sizeof(a));
	entry_a = cache_file(f);
	fx_create(f, "a", NULL);
	put_kernel(f, b, sizeof(b));
	entry_b = cache_file(f);
	assert_string_not_equal(entry_a, entry_b);
	f->ctx.step = record_step;
	f->ctx.step_arg = &steps;
	fx_create(f, "b", NULL);
	f->ctx.step = NULL;
	pv_sim_last_build(f->s, &seen);
	assert_true(has(steps.s, "kernel cache: miss;"));
	assert_true(seen.want_unpacked);
	assert_int_equal(seen.kernel_size, sizeof(b));
	data = read_all(entry_b, &size);
	assert_non_null(data);
	assert_int_equal(size, sizeof(b));
	assert_memory_equal(data, b, sizeof(b));
	free(data);
	data = read_all(entry_a, &size);
	assert_non_null(data);
	assert_memory_equal(data, a, sizeof(a));
	free(data);
	pv_buf_dispose(&steps);
	free(entry_b);
	free(entry_a);
}

/*
 * The kernel file changes between the cache's look at it and the
 * build (here: when the miss is reported). The entry under the first
 * content's key holds that content, never the new bytes, and a later
 * create of the first content boots it.
 */
struct swap {
	struct fx *f;
	bool done;
};

static void swap_on_miss(void *arg, const char *what, uint64_t ms)
{
	struct swap *sw = arg;

	if (!sw->done && strcmp(what, "kernel cache: miss") == 0) {
		fx_put_file(sw->f, "vmlinuz", "\177ELF the attacker's kernel\n");
		sw->done = true;
	}
}

static void test_kcache_file_changes(void **state)
{
	struct fx *f = *state;
	static const char first[] = "\177ELF the kernel asked for\n";
	struct swap sw = { f, false };
	struct pv_sim_build_seen seen;
	char *entry, *data;
	size_t size;

	fx_put_file(f, "vmlinuz", first);
	entry = cache_file(f);
	f->ctx.step = swap_on_miss;
	f->ctx.step_arg = &sw;
	fx_create(f, "one", NULL);
	f->ctx.step = NULL;
	assert_true(sw.done);
	pv_sim_last_build(f->s, &seen);
	assert_true(seen.from_mem);
	assert_true(seen.kernel_hash == pv_hash64(first, strlen(first)));
	data = read_all(entry, &size);
	assert_non_null(data);
	assert_int_equal(size, strlen(first));
	assert_memory_equal(data, first, size);
	free(data);

	fx_put_file(f, "vmlinuz", first);
	fx_create(f, "two", NULL);
	pv_sim_last_build(f->s, &seen);
	assert_false(seen.want_unpacked);	/* a hit */
	assert_true(seen.kernel_hash == pv_hash64(first, strlen(first)));
	free(entry);
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

/* --- damaged saved configs --- */

static char *saved_path(struct fx *f, uint32_t domid)
{
	return pv_asprintf("%s/domains/%u.json", f->ctx.state_dir, domid);
}

/* Replaces domain @domid's saved config with @len bytes of @text. */
static void damage(struct fx *f, uint32_t domid, const char *text, size_t len)
{
	char *p = saved_path(f, domid);
	FILE *o = fopen(p, "w");

	assert_non_null(o);
	assert_int_equal(fwrite(text, 1, len, o), len);
	assert_int_equal(fclose(o), 0);
	free(p);
}

static unsigned int count_logged(const char *needle)
{
	const char *p = mon_lines.s;
	unsigned int n = 0;

	while (p && (p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

#define UNREADABLE "domain 1 (web): its saved config cannot be read: "

/*
 * A damaged file is a domain pvctl made and can no longer act for: it is
 * counted (so --idle-exit waits for it) and said, once, not at every scan.
 */
static void test_damaged_config(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "web", "uuid = '" UUID_A "'\n");
	static const char bad_value[] = "{\"uuid\": \"" UUID_A "\", \"config\": "
		"{\"name\": \"web\", \"memory\": \"lots\"}}";
	static const char stale[] = "{\"uuid\": \"" UUID_B "\", \"config\": {}}";
	char *path = saved_path(f, domid), *good;
	size_t len;

	good = read_all(path, &len);
	assert_non_null(good);
	damage(f, domid, "", 0);
	assert_int_equal(scan(f), 1);
	assert_logged(UNREADABLE);
	assert_logged("/domains/1.json: ");
	assert_logged("on_poweroff, on_reboot and on_crash will not be carried out");
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged(UNREADABLE), 1);
	/* Truncated: the same error, not said again. */
	damage(f, domid, good, len / 2);
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged(UNREADABLE), 1);
	/* A value out of range is a new error: said, naming file and key. */
	damage(f, domid, bad_value, strlen(bad_value));
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged(UNREADABLE), 2);
	assert_logged("/domains/1.json: JSON: memory: ");
	/* Mended, nothing to say; damaged again, said again. */
	damage(f, domid, good, len);
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged(UNREADABLE), 2);
	damage(f, domid, "{", 1);
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged(UNREADABLE), 3);
	/* It shuts down: nothing can be done, and that is said. */
	shut(f, domid, PV_SHUTDOWN_REBOOT);
	assert_int_equal(scan(f), 1);
	assert_logged("domain 1 (web) shut down: reboot; its saved config "
		      "cannot be read, so nothing is done: ");
	assert_true(dom_exists(f, domid));
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged("so nothing is done"), 1);
	/* A file it cannot read at all (a directory in its place). */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(scan(f), 1);
	assert_int_equal(count_logged("so nothing is done"), 2);
	/* An earlier domain's file and no file at all are not this domain's. */
	assert_int_equal(rmdir(path), 0);
	damage(f, domid, stale, strlen(stale));
	assert_int_equal(scan(f), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(scan(f), 0);
	free(good);
	free(path);
}

struct destroy_later {
	struct fx *f;
	uint32_t domid;
	unsigned int calls;
};

static void destroy_on_idle(struct pv_sim *s, void *arg)
{
	struct destroy_later *d = arg;

	if (++d->calls == 3)
		assert_int_equal(d->f->hv.ops->domain_destroy(d->f->hv.h,
							      d->domid), 0);
}

/* --idle-exit: a domain with a damaged file is still a domain. */
static void test_run_idle_waits_for_damaged(void **state)
{
	struct fx *f = *state;
	struct destroy_later d = { f, fx_create(f, "web", NULL), 0 };

	damage(f, d.domid, "{\"domid\": 1, \"uu", 16);
	pv_sim_on_idle(f->s, destroy_on_idle, &d);
	assert_int_equal(pv_monitor_run(&f->ctx, &mon_log, true, NULL), 0);
	assert_true(d.calls >= 3);
	assert_false(dom_exists(f, d.domid));
	assert_int_equal(count_logged(UNREADABLE), 1);
	assert_logged("no domains left to watch");
}

/* Whether @path is an ELF core file (the sim's, as libxenguest's starts). */
static bool is_elf_core(const char *path)
{
	unsigned char h[18];
	FILE *in = fopen(path, "rb");
	bool ok;

	if (!in)
		return false;
	ok = fread(h, 1, sizeof(h), in) == sizeof(h) &&
	     !memcmp(h, "\177ELF", 4) && h[16] == 4;	/* e_type ET_CORE */
	fclose(in);
	return ok;
}

/* coredump-destroy: the core in STATE/dump/NAME, then destroy. */
static void test_crash_coredump_destroy(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "dumped", "on_crash = 'coredump-destroy'\n");
	char *core = pv_asprintf("%s/dump/dumped", f->ctx.state_dir);
	struct pv_sim_dump_seen seen;

	shut(f, domid, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_logged("domain 1 (dumped) shut down: crash; action coredump-destroy");
	assert_logged("dumped the core of dumped to ");
	assert_true(is_elf_core(core));
	pv_sim_last_dump(f->s, &seen);
	assert_int_equal(seen.count, 1);
	assert_int_equal(seen.domid, domid);
	assert_false(dom_exists(f, domid));
	assert_false(saved(f, domid));
	free(core);
}

/* coredump-restart: the core, then the same guest again; a later crash replaces it. */
static void test_crash_coredump_restart(void **state)
{
	struct fx *f = *state;
	uint32_t old = fx_create(f, "again", "on_crash = 'coredump-restart'\n"), now;
	char *core = pv_asprintf("%s/dump/again", f->ctx.state_dir);
	struct pv_sim_dump_seen seen;
	struct stat st;

	shut(f, old, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_true(is_elf_core(core));
	now = lookup(f, "again");
	assert_int_not_equal(now, old);
	assert_false(dom_exists(f, old));
	assert_logged("restarted again as domain");
	/* Root's alone: a guest's memory may hold anything. */
	assert_int_equal(stat(core, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	shut(f, now, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	pv_sim_last_dump(f->s, &seen);
	assert_int_equal(seen.count, 2);
	assert_int_equal(seen.domid, now);
	assert_true(is_elf_core(core));
	free(core);
}

/* A dump that fails is logged; the guest is destroyed all the same, as xl does. */
static void test_crash_coredump_fails(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "nodump", "on_crash = 'coredump-destroy'\n");
	char *dir = pv_asprintf("%s/dump", f->ctx.state_dir);
	struct dirent *de;
	DIR *d;

	pv_sim_fail_next(f->s, "domain_dumpcore", -ENOSPC);
	shut(f, domid, PV_SHUTDOWN_CRASH);
	assert_int_equal(scan(f), 1);
	assert_logged("core dump of nodump failed: dumping the core of domain 1");
	assert_false(dom_exists(f, domid));
	/* Neither a core nor a half-written temporary file is left. */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			fail_msg("%s/%s left behind", dir, de->d_name);
	closedir(d);
	free(dir);
}

/* Not only on_crash: any on_* may dump (as in xl.cfg). */
static void test_poweroff_coredump(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "offdump", "on_poweroff = 'coredump-destroy'\n");
	char *core = pv_asprintf("%s/dump/offdump", f->ctx.state_dir);

	shut(f, domid, PV_SHUTDOWN_POWEROFF);
	assert_int_equal(scan(f), 1);
	assert_true(is_elf_core(core));
	assert_false(dom_exists(f, domid));
	free(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mon_setup, mon_teardown)
		T(test_reboot_restarts),
		T(test_crash_restart),
		T(test_poweroff_destroys),
		T(test_crash_preserve),
		T(test_crash_coredump_destroy),
		T(test_crash_coredump_restart),
		T(test_crash_coredump_fails),
		T(test_poweroff_coredump),
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
		T(test_kcache_collision),
		T(test_kcache_file_changes),
		T(test_kcache_bounded),
		T(test_damaged_config),
		T(test_run_idle_waits_for_damaged),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
