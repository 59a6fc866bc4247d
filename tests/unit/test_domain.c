/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_domain.c: lib/domain on the simulated hypervisor: what create
 * leaves in Xen, XenStore and the state directory; the permissions a
 * guest gets; rollback at every step; destroy; lookup and list; the
 * saved config.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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
#include "util/uuid.h"
#include "lib/xs.h"
#include "helpers.h"

#define UUID_A "0d5a2b8e-3c1f-4e6a-9b7d-1f2e3d4c5b6a"

/* Parses "name='NAME' kernel='<fixture kernel>'" plus @extra into @c. */
static void cfg_parse(struct fx *f, const char *name, const char *extra,
		      struct pv_domain_config *c)
{
	struct pv_err err;
	char *text = pv_asprintf("name = '%s'\nkernel = '%s'\n%s", name,
				 f->kernel, extra ? extra : "");

	pv_domain_config_init(c);
	pv_err_init(&err);
	if (pv_xlcfg_parse_string(text, "test.cfg", NULL, 0, c, NULL, NULL, &err))
		fail_msg("config does not parse: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	free(text);
}

/* Creates domain @name from a config, asserting success; returns its ID. */
static uint32_t create_ok(struct fx *f, const char *name, const char *extra)
{
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 0;

	cfg_parse(f, name, extra, &c);
	pv_err_init(&err);
	if (pv_domain_create(&f->ctx, &c, &domid, &err))
		fail_msg("create '%s' failed: %s", name, pv_err_msg(&err));
	assert_int_equal(f->ctx.lock_fd, -1);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
	assert_true(domid > 0);
	return domid;
}

static char *dom_path(uint32_t domid, const char *sub)
{
	return sub ? pv_asprintf("/local/domain/%u/%s", domid, sub)
		   : pv_asprintf("/local/domain/%u", domid);
}

static char *saved_file(struct fx *f, uint32_t domid)
{
	return pv_asprintf("%s/domains/%u.json", f->ctx.state_dir, domid);
}

/* Asserts /local/domain/@domid/@sub is @want (as dom0). */
static void assert_dom_val(struct fx *f, uint32_t domid, const char *sub,
			   const char *want)
{
	char *path = dom_path(domid, sub);
	char *v = xs_get(f, path);

	if (!v)
		fail_msg("%s is missing", path);
	if (strcmp(v, want))
		fail_msg("%s is '%s', want '%s'", path, v, want);
	free(v);
	free(path);
}

static void assert_dom_absent(struct fx *f, uint32_t domid, const char *sub)
{
	char *path = dom_path(domid, sub);

	if (pv_sim_xs_exists(f->s, path))
		fail_msg("%s exists", path);
	free(path);
}

/* The domain's UUID as the hypervisor has it, in text form. */
static void live_uuid(struct fx *f, uint32_t domid, char out[PV_UUID_STRLEN + 1])
{
	struct pv_dominfo info;

	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	pv_uuid_format(info.uuid, out);
}

static uint64_t free_kb(struct fx *f)
{
	struct pv_physinfo pi;

	assert_int_equal(f->hv.ops->physinfo(f->hv.h, &pi), 0);
	return pi.free_kb;
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* --- create --- */

struct steps {
	struct pv_buf names;
};

static void record_step(void *arg, const char *what, uint64_t ms)
{
	struct steps *st = arg;

	pv_buf_printf(&st->names, "%s;", what);
}

static void test_create_layout(void **state)
{
	struct fx *f = *state;
	struct pv_domain_config c, back;
	struct pv_dominfo info;
	struct steps st = { PV_BUF_INIT };
	struct pv_err err;
	char uuid[PV_UUID_STRLEN + 1], *p, *v, *file;
	uint32_t domid = 0;
	unsigned int i;

	cfg_parse(f, "web", "memory = 256\nmaxmem = 512\nvcpus = 2\nmaxvcpus = 4\n"
		  "extra = 'console=hvc0'\n", &c);
	pv_err_init(&err);
	f->ctx.step = record_step;
	f->ctx.step_arg = &st;
	if (pv_domain_create(&f->ctx, &c, &domid, &err))
		fail_msg("create failed: %s", pv_err_msg(&err));
	assert_int_equal(err.code, 0);
	assert_int_equal(domid, 1);
	assert_int_equal(f->ctx.lock_fd, -1);
	assert_true(has(st.names.s, "create domain;"));
	assert_true(has(st.names.s, "unpause;"));
	pv_buf_dispose(&st.names);

	/* The hypervisor: exists, unpaused, built with the right memory. */
	assert_int_equal(pv_sim_domain_count(f->s), 2);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_false(info.paused);
	assert_true(info.running);
	assert_int_equal(info.cur_kb, 256 * 1024);
	assert_int_equal(info.max_kb, 256 * 1024 + 1024);	/* target + slack */
	/* The memory map reaches maxmem, so the guest can balloon up to it. */
	assert_int_equal(pv_sim_domain_memmap_kb(f->s, domid), 512 * 1024);
	assert_int_equal(info.max_vcpu_id, 3);
	assert_true(pv_sim_domain_introduced(f->s, domid));
	pv_uuid_format(info.uuid, uuid);

	/* The XenStore nodes. */
	assert_dom_val(f, domid, "name", "web");
	assert_dom_val(f, domid, "domid", "1");
	p = pv_asprintf("/vm/%s", uuid);
	assert_dom_val(f, domid, "vm", p);
	free(p);
	p = pv_asprintf("/vm/%s/uuid", uuid);
	v = xs_get(f, p);
	assert_non_null(v);
	assert_string_equal(v, uuid);
	free(v);
	free(p);
	p = pv_asprintf("/vm/%s/name", uuid);
	v = xs_get(f, p);
	assert_non_null(v);
	assert_string_equal(v, "web");
	free(v);
	free(p);
	assert_dom_val(f, domid, "memory/target", "262144");
	assert_dom_val(f, domid, "memory/static-max", "524288");
	assert_dom_val(f, domid, "cpu/0/availability", "online");
	assert_dom_val(f, domid, "cpu/1/availability", "online");
	assert_dom_val(f, domid, "cpu/2/availability", "offline");
	assert_dom_val(f, domid, "cpu/3/availability", "offline");
	assert_dom_absent(f, domid, "cpu/4");
	for (i = 0; i < 2; i++) {
		static const char *const ports[] = { "store/port", "console/port" };
		uint64_t port;

		p = dom_path(domid, ports[i]);
		assert_int_equal(pv_xs_read_uint(&f->hv, PV_XBT_NULL, p, 4096,
						 &port), 0);
		assert_true(port > 0);
		free(p);
	}
	v = xs_get(f, "/local/domain/1/store/port");
	p = xs_get(f, "/local/domain/1/console/port");
	assert_string_not_equal(v, p);
	free(v);
	free(p);
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/store/ring-ref"));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/console/ring-ref"));
	assert_dom_val(f, domid, "console/type", "xenconsoled");
	assert_dom_val(f, domid, "console/output", "pty");
	assert_dom_val(f, domid, "console/limit", "1048576");
	v = xs_get(f, "/local/domain/1/store/ring-ref");
	p = xs_get(f, "/local/domain/1/console/ring-ref");
	assert_string_not_equal(v, p);
	free(v);
	free(p);
	/* Directories the guest's drivers report into. */
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/control/shutdown"));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/data"));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/device"));

	/* The saved config, round-tripped. */
	file = saved_file(f, domid);
	assert_true(file_exists(file));
	free(file);
	pv_domain_config_init(&back);
	if (pv_domain_config_load(&f->ctx, domid, &back, &err))
		fail_msg("load failed: %s", pv_err_msg(&err));
	assert_string_equal(back.name, "web");
	assert_string_equal(back.kernel, f->kernel);
	assert_string_equal(back.cmdline, "console=hvc0");
	assert_int_equal(back.memory_mb, 256);
	assert_int_equal(back.maxmem_mb, 512);
	assert_int_equal(back.vcpus, 2);
	assert_int_equal(back.maxvcpus, 4);
	assert_int_equal(back.on_reboot, c.on_reboot);
	pv_domain_config_dispose(&back);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
}

static void test_create_with_uuid(void **state)
{
	struct fx *f = *state;
	char uuid[PV_UUID_STRLEN + 1];
	uint32_t domid = create_ok(f, "fixed", "uuid = '" UUID_A "'\n");

	live_uuid(f, domid, uuid);
	assert_string_equal(uuid, UUID_A);
	assert_dom_val(f, domid, "vm", "/vm/" UUID_A);
	assert_true(pv_sim_xs_exists(f->s, "/vm/" UUID_A "/uuid"));
	/* Memory and vCPUs default to 128 MiB and 1. */
	assert_dom_val(f, domid, "memory/target", "131072");
	assert_dom_val(f, domid, "memory/static-max", "131072");
	assert_dom_val(f, domid, "cpu/0/availability", "online");
	assert_dom_absent(f, domid, "cpu/1");
}

/* A commit conflict while writing the skeleton is retried, not fatal. */
static void test_create_retries_conflict(void **state)
{
	struct fx *f = *state;
	uint32_t domid;

	pv_sim_fail_next(f->s, "xs_transaction_end", -EAGAIN);
	domid = create_ok(f, "retry", NULL);
	assert_dom_val(f, domid, "name", "retry");
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/1/memory/target"));
}

/* --- permissions --- */

static int guest_write(struct fx *f, uint32_t as, uint32_t domid, const char *sub)
{
	char *path = dom_path(domid, sub);
	int rc;

	pv_sim_set_caller(f->s, as);
	rc = xs_put(f, path, "1");
	pv_sim_set_caller(f->s, 0);
	free(path);
	return rc;
}

static int guest_read(struct fx *f, uint32_t as, const char *path)
{
	int rc;

	pv_sim_set_caller(f->s, as);
	rc = xs_read_rc(f, path);
	pv_sim_set_caller(f->s, 0);
	return rc;
}

static void test_guest_permissions(void **state)
{
	struct fx *f = *state;
	uint32_t a = create_ok(f, "alpha", "vcpus = 2\n");
	uint32_t b = create_ok(f, "beta", NULL);
	char uuid[PV_UUID_STRLEN + 1], *p;
	static const char *const rw[] = {
		"control/shutdown", "control/feature-poweroff",
		"control/feature-reboot", "control/sysrq", "data/foo",
		"data/updated", "attr/x", "drivers/linux", "feature/y",
		"error/z", "device/suspend/event-channel",
	};
	static const char *const ro[] = {
		"name", "domid", "vm", "memory/target", "memory/static-max",
		"cpu/0/availability", "cpu/1/availability", "console/ring-ref",
		"console/port", "store/port", "store/ring-ref",
		"control/new-node", "device/vbd", "memory/new",
	};
	size_t i;

	for (i = 0; i < sizeof(rw) / sizeof(*rw); i++)
		if (guest_write(f, a, a, rw[i]))
			fail_msg("the guest cannot write its %s", rw[i]);
	for (i = 0; i < sizeof(ro) / sizeof(*ro); i++)
		if (guest_write(f, a, a, ro[i]) != -EACCES)
			fail_msg("the guest can write its %s", ro[i]);
	/* Its own toolstack nodes stay as written. */
	assert_dom_val(f, a, "name", "alpha");
	assert_dom_val(f, a, "memory/target", "131072");
	assert_dom_val(f, a, "cpu/1/availability", "online");

	/* It can read what the toolstack wrote for it. */
	p = dom_path(a, "name");
	assert_int_equal(guest_read(f, a, p), 0);
	free(p);
	p = dom_path(a, "memory/target");
	assert_int_equal(guest_read(f, a, p), 0);
	free(p);
	p = dom_path(a, "store/ring-ref");
	assert_int_equal(guest_read(f, a, p), 0);
	free(p);
	live_uuid(f, a, uuid);
	p = pv_asprintf("/vm/%s/name", uuid);
	assert_int_equal(guest_read(f, a, p), 0);
	/* The VM entry is the toolstack's too. */
	pv_sim_set_caller(f->s, a);
	assert_int_equal(xs_put(f, p, "renamed"), -EACCES);
	pv_sim_set_caller(f->s, 0);
	/* ...and another domain may not even read it. */
	assert_int_equal(guest_read(f, b, p), -EACCES);
	free(p);

	/* Another guest can neither read nor write the first one's nodes. */
	p = dom_path(a, "name");
	assert_int_equal(guest_read(f, b, p), -EACCES);
	free(p);
	p = dom_path(a, "data/foo");
	assert_int_equal(guest_read(f, b, p), -EACCES);
	free(p);
	p = dom_path(a, "control/shutdown");
	assert_int_equal(guest_read(f, b, p), -EACCES);
	free(p);
	assert_int_equal(guest_write(f, b, a, "control/shutdown"), -EACCES);
	assert_int_equal(guest_write(f, b, a, "data/foo"), -EACCES);
	assert_int_equal(guest_read(f, a, "/local/domain/0/name"), -EACCES);
	/* ...while its own are fine. */
	assert_int_equal(guest_write(f, b, b, "data/foo"), 0);
}

/* --- rollback --- */

struct snapshot {
	unsigned int ndoms;
	unsigned int nnodes;
	uint64_t free_kb;
	char *domains;		/* children of /local/domain */
	char *vms;		/* children of /vm */
	char *saved;		/* files in STATE/domains */
};

/* The names in directory @dir, sorted, one per line ("" if none). */
static char *ls_dir(const char *dir)
{
	char *cmd = pv_asprintf("ls -A '%s' 2>/dev/null", dir);
	FILE *p = popen(cmd, "r");
	struct pv_buf b = PV_BUF_INIT;
	char line[256];

	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		pv_buf_puts(&b, line);
	pclose(p);
	free(cmd);
	return pv_buf_detach(&b);
}

static void snap(struct fx *f, struct snapshot *s)
{
	char *dir = pv_asprintf("%s/domains", f->ctx.state_dir);

	s->ndoms = pv_sim_domain_count(f->s);
	s->nnodes = pv_sim_xs_node_count(f->s);
	s->free_kb = free_kb(f);
	s->domains = xs_ls(f, "/local/domain");
	s->vms = xs_ls(f, "/vm");
	s->saved = ls_dir(dir);
	free(dir);
}

static void snap_free(struct snapshot *s)
{
	free(s->domains);
	free(s->vms);
	free(s->saved);
}

/* Nothing is left behind in the hypervisor, XenStore or state dir. */
static void assert_unchanged(struct fx *f, const struct snapshot *before,
			     const char *what)
{
	struct snapshot now;

	snap(f, &now);
	if (now.ndoms != before->ndoms)
		fail_msg("%s: %u domains, want %u", what, now.ndoms, before->ndoms);
	if (strcmp(now.domains, before->domains))
		fail_msg("%s: /local/domain has '%s', want '%s'", what,
			 now.domains, before->domains);
	if (strcmp(now.vms, before->vms))
		fail_msg("%s: /vm has '%s', want '%s'", what, now.vms, before->vms);
	if (now.nnodes != before->nnodes) {
		pv_sim_xs_dump(f->s, stderr);
		fail_msg("%s: %u XenStore nodes, want %u", what, now.nnodes,
			 before->nnodes);
	}
	if (now.free_kb != before->free_kb)
		fail_msg("%s: %llu KiB free, want %llu", what,
			 (unsigned long long)now.free_kb,
			 (unsigned long long)before->free_kb);
	if (f->ctx.lock_fd != -1)
		fail_msg("%s: the lock is still held", what);
	/* No saved config (nor its temporary file) is left. */
	if (strcmp(now.saved, before->saved))
		fail_msg("%s: the state dir has '%s', want '%s'", what,
			 now.saved, before->saved);
	snap_free(&now);
}

struct fault {
	const char *op;		/* sim operation, or NULL: see below */
	unsigned int nth;	/* which call from the start of create */
	int err;
	const char *want;	/* in the message */
};

static const struct fault faults[] = {
	{ "domain_create", 1, -ENOSPC, "creating domain 'victim'" },
	/* The skeleton's transaction: the commit, then a write inside it. */
	{ "xs_transaction_start", 1, -EIO, "skeleton" },
	{ "xs_transaction_end", 1, -EIO, "skeleton" },
	{ "xs_write", 1, -EIO, "writing XenStore node /vm/" },
	{ "xs_write", 9, -EIO, "writing XenStore node /local/domain/" },
	{ "xs_mkdir", 3, -EIO, "writing XenStore node /local/domain/" },
	{ "xs_set_perms", 4, -EIO, "writing XenStore node /local/domain/" },
	/* Store channel, then console channel. */
	{ "evtchn_alloc_unbound", 1, -ENOSPC, "event channel" },
	{ "evtchn_alloc_unbound", 2, -ENOSPC, "event channel" },
	{ "build_pv", 1, -EIO, "building domain" },
	/* After the build: the post-build nodes (memory is taken by then). */
	{ "xs_write", 13, -EIO, "memory/static-max" },
	{ "xs_transaction_end", 2, -EIO, "XenStore nodes of domain" },
	{ "xs_introduce", 1, -EIO, "introducing domain" },
	{ "domain_unpause", 1, -EIO, "unpausing domain" },
};

static void try_create_victim(struct fx *f, int want_rc, const char *want_msg,
			      const char *what)
{
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 12345;
	int rc;

	cfg_parse(f, "victim", "memory = 64\n", &c);
	pv_err_init(&err);
	rc = pv_domain_create(&f->ctx, &c, &domid, &err);
	if (rc != want_rc)
		fail_msg("%s: create returned %d (%s), want %d", what, rc,
			 pv_err_msg(&err), want_rc);
	if (err.code != want_rc)
		fail_msg("%s: err.code %d, want %d", what, err.code, want_rc);
	if (!has(pv_err_msg(&err), want_msg))
		fail_msg("%s: message '%s' does not mention '%s'", what,
			 pv_err_msg(&err), want_msg);
	assert_int_equal(domid, 12345);		/* not set on failure */
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
}

static void test_create_rollback(void **state)
{
	struct fx *f = *state;
	size_t i;

	/* An existing domain, which rollback must leave alone. */
	create_ok(f, "bystander", NULL);
	for (i = 0; i < sizeof(faults) / sizeof(*faults); i++) {
		const struct fault *ft = &faults[i];
		struct snapshot before;
		char what[96];
		uint32_t domid;
		struct pv_err err;

		snprintf(what, sizeof(what), "%s #%u fails", ft->op, ft->nth);
		snap(f, &before);
		pv_sim_fail_nth(f->s, ft->op, ft->nth, ft->err);
		try_create_victim(f, ft->err, ft->want, what);
		assert_unchanged(f, &before, what);
		snap_free(&before);
		/* The bystander is untouched. */
		assert_dom_val(f, 1, "name", "bystander");
		assert_true(pv_sim_domain_introduced(f->s, 1));

		/* Nothing stale (lock, name, nodes) stops the next create. */
		domid = create_ok(f, "victim", "memory = 64\n");
		assert_dom_val(f, domid, "name", "victim");
		pv_err_init(&err);
		assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
		pv_err_dispose(&err);
	}
}

/* Sets the interrupt flag when the @n-th step of a create ends. */
struct interrupter {
	volatile sig_atomic_t flag;
	unsigned int n, seen;
};

static void interrupt_at(void *arg, const char *what, uint64_t ms)
{
	struct interrupter *it = arg;

	if (++it->seen == it->n)
		it->flag = SIGINT;
}

/*
 * A create interrupted (Ctrl-C) after any of its steps but the last
 * fails with "interrupted" and leaves nothing behind; after the last
 * (unpause) it has succeeded.
 */
static void test_create_interrupted(void **state)
{
	struct fx *f = *state;
	struct interrupter it = { 0 };
	unsigned int steps;
	uint32_t domid;
	struct pv_err err;

	/* how many steps a create reports */
	f->ctx.step = interrupt_at;
	f->ctx.step_arg = &it;
	domid = create_ok(f, "counted", "memory = 64\n");
	steps = it.seen;
	assert_true(steps >= 5);
	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, domid, &err), 0);
	pv_err_dispose(&err);

	f->ctx.interrupted = &it.flag;
	for (it.n = 1; it.n < steps; it.n++) {
		struct snapshot before;
		char what[48];

		snprintf(what, sizeof(what), "interrupted after step %u", it.n);
		it.seen = 0;
		it.flag = 0;
		snap(f, &before);
		try_create_victim(f, -EINTR, "interrupted", what);
		assert_unchanged(f, &before, what);
		snap_free(&before);
	}
	/* interrupted as it unpauses: too late, the guest runs */
	it.seen = 0;
	it.flag = 0;
	domid = create_ok(f, "late", "memory = 64\n");
	assert_int_equal(it.flag, SIGINT);
	f->ctx.interrupted = NULL;
	f->ctx.step = NULL;
}

/* An interrupted create does not wait on for a lock another pvctl holds. */
static void test_create_interrupted_waiting_for_lock(void **state)
{
	struct fx *f = *state;
	volatile sig_atomic_t flag = SIGINT;
	char *path = pv_asprintf("%s/lock", f->ctx.run_dir);
	struct snapshot before;
	struct pv_err err;
	int other;

	pv_err_init(&err);
	assert_int_equal(pv_mkdirs(f->ctx.run_dir, &err), 0);
	pv_err_dispose(&err);
	other = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX), 0);	/* another pvctl */
	f->ctx.interrupted = &flag;
	snap(f, &before);
	alarm(10);		/* a create that waits on would hang the test */
	try_create_victim(f, -EINTR, "interrupted", "interrupted waiting for the lock");
	alarm(0);
	assert_unchanged(f, &before, "interrupted waiting for the lock");
	snap_free(&before);
	f->ctx.interrupted = NULL;
	close(other);
	free(path);
}

/* Saving the config fails (the state dir cannot be made): all undone. */
static void test_create_rollback_save(void **state)
{
	struct fx *f = *state;
	struct snapshot before;
	char *blocker = fx_path(f, "blocker");
	FILE *b = fopen(blocker, "w");

	assert_non_null(b);
	fclose(b);
	/* A regular file where a directory should be: fails even for root. */
	free(f->ctx.state_dir);
	f->ctx.state_dir = pv_asprintf("%s/state", blocker);
	snap(f, &before);
	try_create_victim(f, -ENOTDIR, "cannot create directory", "config save");
	assert_unchanged(f, &before, "config save fails");
	assert_false(pv_sim_domain_introduced(f->s, 1));
	snap_free(&before);

	/* With a usable state dir again, create works. */
	free(f->ctx.state_dir);
	f->ctx.state_dir = fx_path(f, "state");
	create_ok(f, "victim", "memory = 64\n");
	free(blocker);
}

/* After introduce succeeded: rollback must also leave xenstored clean. */
static void test_create_rollback_unpause_releases(void **state)
{
	struct fx *f = *state;
	unsigned int i;

	pv_sim_fail_next(f->s, "domain_unpause", -EIO);
	try_create_victim(f, -EIO, "unpausing domain", "unpause");
	for (i = 0; i < 8; i++)
		assert_false(pv_sim_domain_introduced(f->s, i + 1));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1"));
}

static void test_create_name_in_use(void **state)
{
	struct fx *f = *state;
	struct snapshot before;
	uint32_t domid = create_ok(f, "dup", NULL);
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t other = 999;

	assert_int_equal(domid, 1);
	snap(f, &before);
	cfg_parse(f, "dup", NULL, &c);
	pv_err_init(&err);
	assert_int_equal(pv_domain_create(&f->ctx, &c, &other, &err), -EEXIST);
	assert_int_equal(err.code, -EEXIST);
	assert_true(has(pv_err_msg(&err), "'dup'"));
	assert_true(has(pv_err_msg(&err), "domain 1"));
	assert_int_equal(other, 999);
	assert_int_equal(pv_sim_calls(f->s, "domain_create"), 1);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
	/* The first one is intact, its saved config too. */
	{
		struct snapshot now;
		char *file = saved_file(f, 1);

		snap(f, &now);
		assert_int_equal(now.ndoms, before.ndoms);
		assert_int_equal(now.nnodes, before.nnodes);
		assert_string_equal(now.vms, before.vms);
		assert_true(file_exists(file));
		free(file);
		snap_free(&now);
	}
	snap_free(&before);
	assert_dom_val(f, 1, "name", "dup");
	assert_int_equal(f->ctx.lock_fd, -1);
}

/*
 * BUG (lib/domain/create.c, check_name_free): any error from
 * pv_domain_lookup() is taken as "the name is free", so when listing
 * domains fails (a transient hypervisor error) create goes ahead without
 * the check the toolstack lock exists for and makes a second domain of
 * the same name.
 */
static void test_create_name_check_fails(void **state)
{
	struct fx *f = *state;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 999;
	int rc;

	create_ok(f, "dup", NULL);
	cfg_parse(f, "dup", NULL, &c);
	pv_err_init(&err);
	pv_sim_fail_next(f->s, "domain_list", -EIO);
	rc = pv_domain_create(&f->ctx, &c, &domid, &err);
	pv_domain_config_dispose(&c);
	if (rc == 0)
		fail_msg("a second domain 'dup' was created (id %u)", domid);
	assert_int_equal(rc, -EIO);
	assert_int_equal(pv_sim_domain_count(f->s), 2);
	pv_err_dispose(&err);
}

static void test_create_not_enough_memory(void **state)
{
	struct fx *f = *state;
	struct snapshot before;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 999;

	pv_sim_set_host(f->s, 4, 8ull << 20, 100 * 1024);
	snap(f, &before);
	cfg_parse(f, "big", "memory = 128\n", &c);
	pv_err_init(&err);
	assert_int_equal(pv_domain_create(&f->ctx, &c, &domid, &err), -ENOMEM);
	assert_true(has(pv_err_msg(&err), "'big'"));
	assert_true(has(pv_err_msg(&err), "128 MiB"));
	assert_true(has(pv_err_msg(&err), "100 MiB"));
	assert_int_equal(domid, 999);
	assert_int_equal(pv_sim_calls(f->s, "domain_create"), 0);
	assert_unchanged(f, &before, "not enough memory");
	snap_free(&before);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);

	/* Exactly enough is enough. */
	cfg_parse(f, "fits", "memory = 100\n", &c);
	pv_err_init(&err);
	if (pv_domain_create(&f->ctx, &c, &domid, &err))
		fail_msg("create of exactly the free memory: %s", pv_err_msg(&err));
	assert_int_equal(free_kb(f), 0);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
}

/* A config made by hand with limits unset or below the sizes: refused. */
static void test_create_inconsistent_config(void **state)
{
	struct fx *f = *state;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 999;
	int i;

	for (i = 0; i < 3; i++) {
		cfg_parse(f, "odd", "memory = 128\nvcpus = 2\n", &c);
		if (i == 0)
			c.maxmem_mb = 0;
		else if (i == 1)
			c.maxvcpus = 1;
		else
			c.vcpus = 0;
		pv_err_init(&err);
		assert_int_equal(pv_domain_create(&f->ctx, &c, &domid, &err), -EINVAL);
		assert_true(has(pv_err_msg(&err), "'odd'"));
		assert_int_equal(domid, 999);
		assert_int_equal(pv_sim_calls(f->s, "domain_create"), 0);
		pv_err_dispose(&err);
		pv_domain_config_dispose(&c);
	}
}

/* --- destroy --- */

static void test_destroy(void **state)
{
	struct fx *f = *state;
	struct snapshot before;
	struct pv_err err;
	char uuid[PV_UUID_STRLEN + 1], *vm, *file;
	uint32_t keep, domid;

	keep = create_ok(f, "keep", NULL);
	snap(f, &before);
	domid = create_ok(f, "doomed", "memory = 200\n");
	live_uuid(f, domid, uuid);
	vm = pv_asprintf("/vm/%s", uuid);
	file = saved_file(f, domid);
	assert_true(pv_sim_xs_exists(f->s, vm));
	assert_true(file_exists(file));
	/* Backend directories, as a device attach would have written. */
	{
		char *p;

		p = pv_asprintf("/local/domain/0/backend/vbd/%u/51712/state", domid);
		assert_int_equal(xs_put(f, p, "4"), 0);
		free(p);
		p = pv_asprintf("/local/domain/0/backend/vif/%u/0/state", domid);
		assert_int_equal(xs_put(f, p, "4"), 0);
		free(p);
		p = pv_asprintf("/local/domain/0/backend/console/%u/0/state", domid);
		assert_int_equal(xs_put(f, p, "4"), 0);
		free(p);
		/* The kept domain's backend must survive. */
		p = pv_asprintf("/local/domain/0/backend/vbd/%u/51712/state", keep);
		assert_int_equal(xs_put(f, p, "4"), 0);
		free(p);
	}

	pv_err_init(&err);
	if (pv_domain_destroy(&f->ctx, domid, &err))
		fail_msg("destroy failed: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	assert_int_equal(f->ctx.lock_fd, -1);
	assert_int_equal(pv_sim_domain_count(f->s), before.ndoms);
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/2"));
	assert_false(pv_sim_xs_exists(f->s, vm));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vbd/2"));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vif/2"));
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/0/backend/console/2"));
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/0/backend/vbd/1/51712/state"));
	assert_false(pv_sim_domain_introduced(f->s, domid));
	assert_false(file_exists(file));
	assert_int_equal(free_kb(f), before.free_kb);
	/* The other domain is untouched. */
	assert_dom_val(f, keep, "name", "keep");
	free(file);
	file = saved_file(f, keep);
	assert_true(file_exists(file));
	free(file);
	free(vm);
	snap_free(&before);
}

static void test_destroy_refused(void **state)
{
	struct fx *f = *state;
	struct pv_err err;
	unsigned int n;

	create_ok(f, "one", NULL);
	n = pv_sim_domain_count(f->s);

	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, 0, &err), -EPERM);
	assert_true(has(pv_err_msg(&err), "Domain-0"));
	pv_err_dispose(&err);
	assert_int_equal(pv_sim_calls(f->s, "domain_destroy"), 0);
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/0/name"));

	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, 42, &err), -ESRCH);
	assert_true(has(pv_err_msg(&err), "42"));
	pv_err_dispose(&err);
	assert_int_equal(f->ctx.lock_fd, -1);
	assert_int_equal(pv_sim_domain_count(f->s), n);

	/* The hypervisor refusing: reported, nodes kept for a retry. */
	pv_sim_fail_next(f->s, "domain_destroy", -EBUSY);
	pv_err_init(&err);
	assert_int_equal(pv_domain_destroy(&f->ctx, 1, &err), -EBUSY);
	assert_true(has(pv_err_msg(&err), "destroying domain 1"));
	pv_err_dispose(&err);
	assert_int_equal(f->ctx.lock_fd, -1);
	assert_int_equal(pv_sim_domain_count(f->s), n);
	assert_dom_val(f, 1, "name", "one");
}

/* --- lookup and list --- */

static void lookup_bad(struct fx *f, const char *spec, int want, const char *msg)
{
	struct pv_err err;
	uint32_t domid = 777;

	pv_err_init(&err);
	if (pv_domain_lookup(&f->ctx, spec, &domid, &err) != want)
		fail_msg("lookup '%s' did not give %d", spec, want);
	assert_int_equal(err.code, want);
	if (!has(pv_err_msg(&err), msg))
		fail_msg("lookup '%s': '%s' lacks '%s'", spec, pv_err_msg(&err), msg);
	assert_int_equal(domid, 777);
	pv_err_dispose(&err);
}

static uint32_t lookup_ok(struct fx *f, const char *spec)
{
	struct pv_err err;
	uint32_t domid = 777;

	pv_err_init(&err);
	if (pv_domain_lookup(&f->ctx, spec, &domid, &err))
		fail_msg("lookup '%s': %s", spec, pv_err_msg(&err));
	assert_int_equal(err.code, 0);
	pv_err_dispose(&err);
	return domid;
}

static void test_lookup(void **state)
{
	struct fx *f = *state;
	uint32_t a = create_ok(f, "apple", NULL);
	uint32_t b = create_ok(f, "banana", NULL);
	char *s;

	assert_int_equal(lookup_ok(f, "apple"), a);
	assert_int_equal(lookup_ok(f, "banana"), b);
	assert_int_equal(lookup_ok(f, "Domain-0"), 0);
	assert_int_equal(lookup_ok(f, "0"), 0);
	assert_int_equal(lookup_ok(f, "2"), b);
	assert_int_equal(lookup_ok(f, "002"), b);

	lookup_bad(f, "cherry", -ESRCH, "'cherry'");
	lookup_bad(f, "appl", -ESRCH, "'appl'");
	lookup_bad(f, "APPLE", -ESRCH, "'APPLE'");
	lookup_bad(f, "99", -ESRCH, "99");
	lookup_bad(f, "32752", -EINVAL, "32752");	/* DOMID_FIRST_RESERVED */
	lookup_bad(f, "99999999999", -ESRCH, "99999999999");

	s = pv_domain_get_name(&f->ctx, a);
	assert_string_equal(s, "apple");
	free(s);
	assert_null(pv_domain_get_name(&f->ctx, 50));

	/* A dying domain's name is free already. */
	assert_int_equal(pv_sim_domain_set_state(f->s, a, PV_SIM_DOM_DYING, 0), 0);
	lookup_bad(f, "apple", -ESRCH, "'apple'");
	/* Names XenStore still has for a domain Xen forgot do not count. */
	assert_int_equal(xs_put(f, "/local/domain/60/name", "ghost"), 0);
	lookup_bad(f, "ghost", -ESRCH, "'ghost'");
}

static void test_list(void **state)
{
	struct fx *f = *state;
	uint32_t a = create_ok(f, "one", NULL);
	uint32_t b = create_ok(f, "two", "memory = 300\n");
	struct pv_domain_status *st;
	struct pv_err err;
	size_t n = 99;
	uint32_t ids[3];

	pv_err_init(&err);
	assert_int_equal(pv_domain_list(&f->ctx, NULL, 0, &st, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(st[0].info.domid, 0);
	assert_string_equal(st[0].name, "Domain-0");
	assert_int_equal(st[1].info.domid, a);
	assert_string_equal(st[1].name, "one");
	assert_int_equal(st[2].info.domid, b);
	assert_string_equal(st[2].name, "two");
	assert_int_equal(st[2].info.cur_kb, 300 * 1024);
	pv_domain_status_free(st, n);

	/* Filtered: only the IDs asked for, unknown ones ignored. */
	ids[0] = b;
	ids[1] = 77;
	assert_int_equal(pv_domain_list(&f->ctx, ids, 2, &st, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].info.domid, b);
	assert_string_equal(st[0].name, "two");
	pv_domain_status_free(st, n);

	ids[0] = 0;
	ids[1] = a;
	assert_int_equal(pv_domain_list(&f->ctx, ids, 2, &st, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].name, "Domain-0");
	assert_string_equal(st[1].name, "one");
	pv_domain_status_free(st, n);

	ids[0] = 77;
	assert_int_equal(pv_domain_list(&f->ctx, ids, 1, &st, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_domain_status_free(st, n);

	/* A domain without a name in XenStore is listed with NULL. */
	assert_int_equal(f->hv.ops->xs_rm(f->hv.h, PV_XBT_NULL,
					  "/local/domain/1/name"), 0);
	assert_int_equal(pv_domain_list(&f->ctx, NULL, 0, &st, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_null(st[1].name);
	pv_domain_status_free(st, n);

	/* The hypervisor failing is reported. */
	pv_sim_fail_next(f->s, "domain_list", -EIO);
	assert_int_equal(pv_domain_list(&f->ctx, NULL, 0, &st, &n, &err), -EIO);
	assert_true(has(pv_err_msg(&err), "listing domains"));
	pv_err_dispose(&err);
}

/* More domains than list's first guess at the array size. */
static void test_list_many(void **state)
{
	struct fx *f = *state;
	struct pv_domain_status *st;
	struct pv_err err;
	struct pv_domain_config c;
	uint32_t domid;
	size_t n, i;

	cfg_parse(f, "x", "memory = 1\n", &c);
	pv_err_init(&err);
	for (i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%zu", i);
		pv_str_set(&c.name, name);
		if (pv_domain_create(&f->ctx, &c, &domid, &err))
			fail_msg("create %s: %s", name, pv_err_msg(&err));
	}
	assert_int_equal(pv_domain_list(&f->ctx, NULL, 0, &st, &n, &err), 0);
	assert_int_equal(n, 301);
	assert_string_equal(st[300].name, "g299");
	pv_domain_status_free(st, n);
	assert_int_equal(lookup_ok(f, "g299"), 300);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
}

/* --- saved config --- */

static void test_saved_config_stale(void **state)
{
	struct fx *f = *state;
	uint32_t domid = create_ok(f, "fresh", NULL);
	struct pv_domain_config c, back;
	struct pv_err err;
	char *file;

	/* A file left by an earlier domain that had the same ID. */
	cfg_parse(f, "earlier", NULL, &c);
	pv_err_init(&err);
	assert_int_equal(pv_domain_config_save(&f->ctx, domid, UUID_A, &c, &err), 0);
	pv_domain_config_dispose(&c);
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), -ESTALE);
	assert_int_equal(err.code, -ESTALE);
	assert_true(has(pv_err_msg(&err), "earlier domain"));
	assert_null(back.name);
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);

	/* No file at all. */
	pv_err_init(&err);
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, 33, &back, &err), -ENOENT);
	assert_true(has(pv_err_msg(&err), "33.json"));
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);

	/* Not JSON, or not ours. */
	file = saved_file(f, domid);
	{
		FILE *w = fopen(file, "w");

		assert_non_null(w);
		fputs("{\"domid\": 1, \"uuid\": 5}", w);
		fclose(w);
	}
	pv_err_init(&err);
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), "not a pvctl domain file"));
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);

	/* forget removes it; forgetting twice is harmless. */
	pv_domain_config_forget(&f->ctx, domid);
	assert_false(file_exists(file));
	pv_domain_config_forget(&f->ctx, domid);
	free(file);
}

/*
 * A saved config nested 400000 deep (under the 1 MiB a file may have): yajl would build the tree and
 * free it by recursion, overflowing the stack. It is refused, by name,
 * before the tree is built; a config as deep as the limit still parses
 * as far as its content.
 */
static void test_saved_config_too_deep(void **state)
{
	struct fx *f = *state;
	uint32_t domid = create_ok(f, "deep", NULL);
	struct pv_domain_config back;
	struct pv_buf text = PV_BUF_INIT;
	char live[PV_UUID_STRLEN + 1];
	struct pv_err err;
	char *file = saved_file(f, domid);
	FILE *w;
	int i;

	live_uuid(f, domid, live);
	pv_buf_printf(&text, "{\"domid\": %u, \"uuid\": \"%s\", \"config\": "
		      "{\"name\": \"[{\", \"disk\": ", domid, live);
	for (i = 0; i < 400000; i++)
		pv_buf_puts(&text, "[");
	for (i = 0; i < 400000; i++)
		pv_buf_puts(&text, "]");
	pv_buf_puts(&text, "}}");
	w = fopen(file, "w");
	assert_non_null(w);
	assert_int_equal(fwrite(text.s, 1, text.len, w), text.len);
	assert_int_equal(fclose(w), 0);
	pv_err_init(&err);
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), -EINVAL);
	assert_true(has(pv_err_msg(&err), file));
	assert_true(has(pv_err_msg(&err), "nested deeper than 64 levels"));
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);

	/*
	 * 64 levels, brackets inside strings not counted: past the depth
	 * check, refused by the config reader for what it holds.
	 */
	pv_buf_reset(&text);
	pv_buf_printf(&text, "{\"domid\": %u, \"uuid\": \"%s\", \"config\": "
		      "{\"name\": \"[[{{\\\"[[\", \"disk\": ", domid, live);
	for (i = 0; i < 62; i++)
		pv_buf_puts(&text, "[");
	for (i = 0; i < 62; i++)
		pv_buf_puts(&text, "]");
	pv_buf_puts(&text, "}}");
	w = fopen(file, "w");
	assert_non_null(w);
	fputs(text.s, w);
	assert_int_equal(fclose(w), 0);
	pv_err_init(&err);
	pv_domain_config_init(&back);
	assert_int_not_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), 0);
	assert_false(has(pv_err_msg(&err), "nested deeper"));
	pv_domain_config_dispose(&back);
	pv_err_dispose(&err);
	pv_buf_dispose(&text);
	free(file);
}

/*
 * The saved config is replaced through a temporary file of its own: a
 * symbolic link planted where the old code wrote (ID.json.tmp, opened
 * with O_TRUNC) is not followed, nothing is left behind, and the file
 * is 0600 whatever the umask.
 */
static void test_saved_config_written_safely(void **state)
{
	struct fx *f = *state;
	uint32_t domid = create_ok(f, "safe", NULL);
	char *file = saved_file(f, domid);
	char *planted = pv_asprintf("%s.tmp", file);
	char *victim = fx_path(f, "victim");
	char *dir = pv_asprintf("%s/domains", f->ctx.state_dir);
	char live[PV_UUID_STRLEN + 1];
	struct pv_domain_config c, back;
	struct pv_err err;
	struct dirent *e;
	struct stat st;
	mode_t old;
	DIR *d;
	int n = 0;

	fx_put_file(f, "victim", "precious\n");
	assert_int_equal(symlink(victim, planted), 0);
	live_uuid(f, domid, live);
	cfg_parse(f, "safe", "memory = 200\n", &c);
	pv_err_init(&err);
	old = umask(0);
	assert_int_equal(pv_domain_config_save(&f->ctx, domid, live, &c, &err), 0);
	umask(old);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lstat(planted, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, strlen("precious\n"));
	/* the domain's file and the planted link: no temporary file left */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 2);
	pv_domain_config_init(&back);
	assert_int_equal(pv_domain_config_load(&f->ctx, domid, &back, &err), 0);
	assert_int_equal(back.memory_mb, 200);
	pv_domain_config_dispose(&back);
	pv_domain_config_dispose(&c);
	pv_err_dispose(&err);
	free(dir);
	free(victim);
	free(planted);
	free(file);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_layout),
		T(test_create_with_uuid),
		T(test_create_retries_conflict),
		T(test_guest_permissions),
		T(test_create_rollback),
		T(test_create_interrupted),
		T(test_create_interrupted_waiting_for_lock),
		T(test_create_rollback_save),
		T(test_create_rollback_unpause_releases),
		T(test_create_name_in_use),
		T(test_create_name_check_fails),
		T(test_create_not_enough_memory),
		T(test_create_inconsistent_config),
		T(test_destroy),
		T(test_destroy_refused),
		T(test_lookup),
		T(test_list),
		T(test_list_many),
		T(test_saved_config_stale),
		T(test_saved_config_too_deep),
		T(test_saved_config_written_safely),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
