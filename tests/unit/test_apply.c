/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_apply.c: `pvctl apply` on the simulated hypervisor: the plan for
 * each kind of change, converging, idempotence, --restart, --prune and
 * what it must never destroy, a guest whose change fails half-way
 * (undone, the others converged), duplicate names and bad files refused
 * before anything changes, the autoscale loop's share, live changes of
 * the other commands kept in the saved config, and --dry-run's exit
 * codes through the command table.
 *
 * An idle hook plays the guests and dom0's drivers: blkback and blkfront
 * walk a new disk to Connected and a closing one to Closed, and a guest
 * asked to power off does. Disks are the block devices /dev/loop0 and
 * /dev/loop1 (only stat()ed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "cli/pvctl.h"
#include "lib/devices/devices.h"
#include "lib/domain/apply.h"
#include "lib/room.h"
#include "helpers.h"

struct t {
	struct fx *f;
	bool refuse_shutdown;	/* guests ignore control/shutdown */
	char *dir;		/* the set: f->tmp/conf */
};

static void set_state(struct fx *f, const char *dir, const char *val)
{
	char *p = pv_asprintf("%s/state", dir);

	xs_put(f, p, val);
	free(p);
}

/* blkback and blkfront: Initialising -> InitWait -> Connected; Closing -> Closed. */
static void play_disks(struct t *t, uint32_t domid)
{
	char *dir = pv_asprintf("/local/domain/0/backend/vbd/%u", domid);
	char *ids = xs_ls(t->f, dir), *save = NULL, *id;

	for (id = ids ? strtok_r(ids, " ", &save) : NULL; id;
	     id = strtok_r(NULL, " ", &save)) {
		char *be = pv_asprintf("%s/%s", dir, id);
		char *fe = pv_asprintf("/local/domain/%u/device/vbd/%s", domid, id);
		char *sp = pv_asprintf("%s/state", be);
		char *st = xs_get(t->f, sp);

		if (st && !strcmp(st, "1")) {
			set_state(t->f, be, "2");
		} else if (st && !strcmp(st, "2")) {
			set_state(t->f, fe, "4");
			set_state(t->f, be, "4");
		} else if (st && !strcmp(st, "5")) {
			set_state(t->f, fe, "6");
			set_state(t->f, be, "6");
		}
		free(st);
		free(sp);
		free(fe);
		free(be);
	}
	free(ids);
	free(dir);
}

static void play(struct pv_sim *s, void *arg)
{
	struct t *t = arg;
	char *doms = xs_ls(t->f, "/local/domain"), *save = NULL, *d;

	for (d = doms ? strtok_r(doms, " ", &save) : NULL; d;
	     d = strtok_r(NULL, " ", &save)) {
		uint32_t domid = (uint32_t)strtoul(d, NULL, 10);
		char *sd;

		if (!domid)
			continue;
		play_disks(t, domid);
		sd = fx_dom_get(t->f, domid, "control/shutdown");
		if (sd && !strcmp(sd, "poweroff") && !t->refuse_shutdown) {
			char *p = pv_asprintf("/local/domain/%u/control/shutdown",
					      domid);

			xs_put(t->f, p, "");
			free(p);
			pv_sim_domain_set_state(s, domid, PV_SIM_DOM_SHUTDOWN,
						PV_SHUTDOWN_POWEROFF);
		}
		free(sd);
	}
	free(doms);
}

static int setup(void **state)
{
	struct t *t = pv_calloc(1, sizeof(*t));
	struct stat st;

	if (stat("/dev/loop0", &st) || !S_ISBLK(st.st_mode) ||
	    stat("/dev/loop1", &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "  no /dev/loop0 and /dev/loop1: skipped\n");
		free(t);
		return -1;
	}
	t->f = fx_new();
	t->dir = fx_path(t->f, "conf");
	if (mkdir(t->dir, 0700))
		abort();
	pv_sim_on_idle(t->f->s, play, t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	free(t->dir);
	fx_free(t->f);
	free(t);
	return 0;
}

/* Writes conf/NAME.cfg: the fixture's kernel and @lines. */
static void put_cfg(struct t *t, const char *name, const char *lines)
{
	char *file = pv_asprintf("conf/%s.cfg", name);
	char *text = pv_asprintf("name = '%s'\nkernel = '%s'\n%s", name,
				 t->f->kernel, lines);

	fx_put_file(t->f, file, text);
	free(text);
	free(file);
}

static void rm_cfg(struct t *t, const char *name)
{
	char *file = pv_asprintf("%s/%s.cfg", t->dir, name);

	assert_int_equal(unlink(file), 0);
	free(file);
}

static int plan_of(struct t *t, const char *path, const struct pv_apply_opts *o,
		   struct pv_apply_plan *plan, struct pv_err *err)
{
	const char *paths[] = { path ? path : t->dir };

	pv_apply_plan_init(plan);
	return pv_apply_plan(&t->f->ctx, paths, 1, o, plan, NULL, NULL, err);
}

/* The plan as "NAME OP[ MODE][ needs OPT]; ..." for comparing. */
static char *plan_str(const struct pv_apply_plan *plan)
{
	struct pv_buf b = PV_BUF_INIT;
	size_t i, j;

	pv_buf_puts(&b, "");
	for (i = 0; i < plan->n; i++) {
		const struct pv_apply_guest *g = &plan->guests[i];

		if (g->rc)
			pv_buf_printf(&b, "%s error; ", g->name);
		for (j = 0; j < g->nchanges; j++) {
			const struct pv_apply_change *c = &g->changes[j];

			pv_buf_printf(&b, "%s %s", g->name, pv_apply_op_name(c->op));
			if (c->mode != PV_APPLY_WHOLE)
				pv_buf_printf(&b, " %s", pv_apply_mode_name(c->mode));
			if (c->needs)
				pv_buf_printf(&b, " needs %s", c->needs);
			pv_buf_puts(&b, "; ");
		}
	}
	return pv_buf_detach(&b);
}

static void expect_plan(struct t *t, const struct pv_apply_opts *o,
			const char *want)
{
	struct pv_apply_plan plan;
	struct pv_err err;
	char *got;

	pv_err_init(&err);
	if (plan_of(t, NULL, o, &plan, &err))
		fail_msg("plan failed: %s", pv_err_msg(&err));
	got = plan_str(&plan);
	if (strcmp(got, want))
		fail_msg("plan is\n  %s\nwant\n  %s", got, want);
	free(got);
	pv_apply_plan_dispose(&plan);
	pv_err_dispose(&err);
}

/* Plans and converges; the rc of converge. */
static int apply(struct t *t, const struct pv_apply_opts *o,
		 struct pv_apply_plan *plan)
{
	struct pv_err err;

	pv_err_init(&err);
	if (plan_of(t, NULL, o, plan, &err))
		fail_msg("plan failed: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	return pv_apply_converge(&t->f->ctx, plan);
}

static void apply_ok(struct t *t, const struct pv_apply_opts *o)
{
	struct pv_apply_plan plan;
	size_t i;

	if (apply(t, o, &plan)) {
		for (i = 0; i < plan.n; i++)
			if (plan.guests[i].rc)
				fail_msg("%s: %s", plan.guests[i].name,
					 pv_err_msg(&plan.guests[i].err));
	}
	pv_apply_plan_dispose(&plan);
}

static uint32_t domid_of(struct t *t, const char *name)
{
	struct pv_err err;
	uint32_t domid = 0;

	pv_err_init(&err);
	if (pv_domain_lookup(&t->f->ctx, name, &domid, &err))
		domid = 0;
	pv_err_dispose(&err);
	return domid;
}

static void load_saved(struct t *t, const char *name, struct pv_domain_config *c)
{
	struct pv_err err;

	pv_domain_config_init(c);
	pv_err_init(&err);
	if (pv_domain_config_load(&t->f->ctx, domid_of(t, name), c, &err))
		fail_msg("saved config of %s: %s", name, pv_err_msg(&err));
	pv_err_dispose(&err);
}

static uint64_t target_kb(struct t *t, const char *name)
{
	uint64_t kb = 0;

	assert_int_equal(pv_domain_get_target(&t->f->ctx, domid_of(t, name), &kb,
					      NULL), 0);
	return kb;
}

static bool has_disk(struct t *t, const char *name, uint32_t devid)
{
	char *p = pv_asprintf("/local/domain/0/backend/vbd/%u/%u/state",
			      domid_of(t, name), devid);
	bool there = pv_sim_xs_exists(t->f->s, p);

	free(p);
	return there;
}

static const struct pv_apply_opts plain, with_restart = { .restart = true },
	with_prune = { .prune = true };

#define BASE "memory = 64\nmaxmem = 128\nvcpus = 1\nmaxvcpus = 4\n"
#define XVDA "disk = [ 'vdev=xvda,access=rw,target=/dev/loop0' ]\n"
#define XVDB "disk = [ 'vdev=xvdb,access=rw,target=/dev/loop1' ]\n"

/* ---- create, converge, idempotence ---- */

static void test_create_then_nothing(void **state)
{
	struct t *t = *state;
	struct pv_domain_config c;
	char *real;

	put_cfg(t, "web-1", BASE XVDA);
	put_cfg(t, "web-2", BASE);
	expect_plan(t, &plain, "web-1 create; web-2 create; ");
	apply_ok(t, &plain);
	assert_true(domid_of(t, "web-1") && domid_of(t, "web-2"));
	assert_true(has_disk(t, "web-1", 51712));
	/* The saved config records the file, by its real path. */
	load_saved(t, "web-1", &c);
	real = realpath(t->dir, NULL);
	assert_non_null(c.source);
	assert_true(!strncmp(c.source, real, strlen(real)));
	assert_string_equal(c.source + strlen(real), "/web-1.cfg");
	free(real);
	pv_domain_config_dispose(&c);
	/* A second apply changes nothing, and says so (an empty plan). */
	expect_plan(t, &plain, "");
	expect_plan(t, &with_restart, "");
	expect_plan(t, &with_prune, "");
}

/* ---- each kind of live change ---- */

static void test_live_changes(void **state)
{
	struct t *t = *state;
	struct pv_domain_config c;
	uint32_t domid;

	put_cfg(t, "web-2", BASE XVDA "on_reboot = 'restart'\n");
	apply_ok(t, &plain);
	domid = domid_of(t, "web-2");
	/* Memory grows past maxmem, vCPUs, pinning, actions, disks swap. */
	put_cfg(t, "web-2", "memory = 160\nmaxmem = 256\nvcpus = 3\nmaxvcpus = 4\n"
		"cpus = '0-1'\non_reboot = 'destroy'\n" XVDB);
	expect_plan(t, &plain, "web-2 maxmem live; web-2 memory live; "
		    "web-2 vcpus live; web-2 cpus live; web-2 actions saved; "
		    "web-2 detach-disk live; web-2 attach-disk live; ");
	apply_ok(t, &plain);
	assert_int_equal(domid_of(t, "web-2"), domid);		/* not restarted */
	assert_int_equal(target_kb(t, "web-2"), 160 * 1024);
	assert_int_equal(pv_domain_online_vcpus(&t->f->ctx, domid, 4), 3);
	assert_false(pv_sim_vcpu_has_cpu(t->f->s, domid, 0, 2));
	assert_true(pv_sim_vcpu_has_cpu(t->f->s, domid, 2, 1));
	assert_false(has_disk(t, "web-2", 51712));
	assert_true(has_disk(t, "web-2", 51728));
	load_saved(t, "web-2", &c);
	assert_int_equal(c.memory_mb, 160);
	assert_int_equal(c.maxmem_mb, 256);
	assert_int_equal(c.vcpus, 3);
	assert_int_equal(c.on_reboot, PV_ACTION_DESTROY);
	assert_int_equal(c.ndisks, 1);
	assert_string_equal(c.disks[0].vdev, "xvdb");
	pv_domain_config_dispose(&c);
	expect_plan(t, &plain, "");

	/* Shrinking: the target comes down before the maximum. */
	put_cfg(t, "web-2", "memory = 64\nmaxmem = 96\nvcpus = 3\nmaxvcpus = 4\n"
		"cpus = '0-1'\non_reboot = 'destroy'\n" XVDB);
	expect_plan(t, &plain, "web-2 memory live; web-2 maxmem live; ");
	apply_ok(t, &plain);
	assert_int_equal(target_kb(t, "web-2"), 64 * 1024);
	expect_plan(t, &plain, "");
}

/* ---- vifs: matched by value, detached by their index ---- */

static void test_vif_detach_plan(void **state)
{
	struct t *t = *state;
	struct pv_apply_plan plan;
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid;
	unsigned int i;

	put_cfg(t, "db-1", BASE);
	apply_ok(t, &plain);
	domid = domid_of(t, "db-1");
	/*
	 * As if created with two vifs (netback is not simulated): their
	 * backends, indexes 0 and 1, and the saved config.
	 */
	for (i = 0; i < 2; i++) {
		char *p = pv_asprintf("/local/domain/0/backend/vif/%u/%u/state",
				      domid, i);

		assert_int_equal(xs_put(t->f, p, "4"), 0);
		free(p);
	}
	load_saved(t, "db-1", &c);
	pv_err_init(&err);
	put_cfg(t, "db-1", BASE "vif = [ 'bridge=br0', 'bridge=br1' ]\n");
	/* The saved config has no vifs yet: two to attach. */
	expect_plan(t, &plain, "db-1 attach-vif live; db-1 attach-vif live; ");
	c.vifs = pv_calloc(2, sizeof(*c.vifs));
	c.nvifs = 2;
	for (i = 0; i < 2; i++) {
		pv_vif_spec_init(&c.vifs[i]);
		c.vifs[i].bridge = pv_asprintf("br%u", i);
	}
	assert_int_equal(pv_domain_config_save(&t->f->ctx, domid, NULL, &c, &err), 0);
	pv_domain_config_dispose(&c);
	/* The file drops the first: vif 0 goes, vif 1 stays. */
	put_cfg(t, "db-1", BASE "vif = [ 'bridge=br1' ]\n");
	assert_int_equal(plan_of(t, NULL, &plain, &plan, &err), 0);
	assert_int_equal(plan.guests[0].nchanges, 1);
	assert_int_equal(plan.guests[0].changes[0].op, PV_APPLY_VIF_DETACH);
	assert_int_equal(plan.guests[0].changes[0].devid, 0);
	assert_string_equal(plan.guests[0].changes[0].detail, "vif 0");
	pv_apply_plan_dispose(&plan);
	/* Vifs changed behind pvctl's back: only a restart can tell. */
	{
		char *p = pv_asprintf("/local/domain/0/backend/vif/%u/7/state", domid);

		assert_int_equal(xs_put(t->f, p, "4"), 0);
		free(p);
	}
	expect_plan(t, &plain, "db-1 restart needs --restart; ");
	pv_err_dispose(&err);
}

/* ---- what needs a restart ---- */

static void test_restart(void **state)
{
	struct t *t = *state;
	struct pv_domain_config c;
	struct pv_apply_plan plan;
	char *k2 = fx_path(t->f, "vmlinuz-2"), *lines;
	uint8_t uuid1[16];
	struct pv_dominfo info;
	uint32_t old;

	put_cfg(t, "db-2", BASE);
	apply_ok(t, &plain);
	old = domid_of(t, "db-2");
	assert_int_equal(t->f->hv.ops->domain_getinfo(t->f->hv.h, old, &info), 0);
	memcpy(uuid1, info.uuid, 16);
	fx_put_file(t->f, "vmlinuz-2", "\177ELF another kernel\n");
	lines = pv_asprintf("name = 'db-2'\nkernel = '%s'\n" BASE "memory = 96\n", k2);
	fx_put_file(t->f, "conf/db-2.cfg", lines);
	free(lines);
	/* Without --restart: the memory goes live, the kernel waits. */
	expect_plan(t, &plain, "db-2 restart needs --restart; db-2 memory live; ");
	assert_int_equal(apply(t, &plain, &plan), 0);
	assert_false(plan.guests[0].rc);
	pv_apply_plan_dispose(&plan);
	assert_int_equal(domid_of(t, "db-2"), old);
	assert_int_equal(target_kb(t, "db-2"), 96 * 1024);
	load_saved(t, "db-2", &c);
	assert_string_equal(c.kernel, t->f->kernel);	/* what runs */
	assert_int_equal(c.memory_mb, 96);
	pv_domain_config_dispose(&c);
	expect_plan(t, &plain, "db-2 restart needs --restart; ");

	/* A guest that does not shut down is left running as it was. */
	t->refuse_shutdown = true;
	{
		struct pv_apply_opts quick = { .restart = true,
					       .shutdown_timeout_ms = 300 };

		assert_int_equal(apply(t, &quick, &plan), -ETIMEDOUT);
		assert_non_null(strstr(pv_err_msg(&plan.guests[0].err),
				       "to shut down"));
		assert_false(plan.guests[0].undo_failed);
		pv_apply_plan_dispose(&plan);
	}
	assert_int_equal(domid_of(t, "db-2"), old);
	fx_assert_str(fx_dom_get(t->f, old, "control/shutdown"), "",
		      "the withdrawn request");
	expect_plan(t, &plain, "db-2 restart needs --restart; ");

	/* --restart: shut down, created from the file, with its UUID. */
	t->refuse_shutdown = false;
	apply_ok(t, &with_restart);
	assert_int_not_equal(domid_of(t, "db-2"), old);
	assert_int_equal(t->f->hv.ops->domain_getinfo(t->f->hv.h,
						      domid_of(t, "db-2"), &info), 0);
	assert_memory_equal(info.uuid, uuid1, 16);
	load_saved(t, "db-2", &c);
	assert_string_equal(c.kernel, k2);
	pv_domain_config_dispose(&c);
	expect_plan(t, &plain, "");
	free(k2);
}

/* ---- --prune and what it never touches ---- */

static void test_prune_safety(void **state)
{
	struct t *t = *state;
	char *other = fx_path(t->f, "other");
	struct pv_apply_plan plan;
	struct pv_err err;
	const char *paths[1];
	uint32_t xl;

	put_cfg(t, "keep", BASE);
	put_cfg(t, "old-3", BASE);
	apply_ok(t, &plain);
	/* A guest from another set, and one made by xl (no saved config). */
	assert_int_equal(mkdir(other, 0700), 0);
	{
		char *text = pv_asprintf("name = 'elsewhere'\nkernel = '%s'\n" BASE,
					 t->f->kernel);

		fx_put_file(t->f, "other/elsewhere.cfg", text);
		free(text);
	}
	paths[0] = other;
	pv_err_init(&err);
	pv_apply_plan_init(&plan);
	assert_int_equal(pv_apply_plan(&t->f->ctx, paths, 1, &plain, &plan, NULL,
				       NULL, &err), 0);
	assert_int_equal(pv_apply_converge(&t->f->ctx, &plan), 0);
	pv_apply_plan_dispose(&plan);
	xl = fx_create(t->f, "xl-made", BASE);
	pv_domain_config_forget(&t->f->ctx, xl);
	rm_cfg(t, "old-3");
	expect_plan(t, &plain, "old-3 destroy needs --prune; ");
	apply_ok(t, &plain);
	assert_true(domid_of(t, "old-3"));		/* not without --prune */
	expect_plan(t, &with_prune, "old-3 destroy; ");
	apply_ok(t, &with_prune);
	assert_false(domid_of(t, "old-3"));
	assert_true(domid_of(t, "keep"));
	assert_true(domid_of(t, "elsewhere"));
	assert_int_equal(domid_of(t, "xl-made"), xl);
	/* Even an empty set prunes only its own. */
	rm_cfg(t, "keep");
	expect_plan(t, &with_prune, "keep destroy; ");
	/* A file of the set naming the xl guest does not take it over. */
	put_cfg(t, "xl-made", BASE);
	expect_plan(t, &plain, "xl-made error; keep destroy needs --prune; ");
	pv_err_dispose(&err);
	free(other);
}

/* ---- a change failing half-way ---- */

static void test_rollback(void **state)
{
	struct t *t = *state;
	struct pv_apply_plan plan;
	struct pv_domain_config c;
	char *before, *after, *path;
	size_t i;

	put_cfg(t, "a", BASE XVDA);
	put_cfg(t, "b", BASE);
	apply_ok(t, &plain);
	path = pv_asprintf("%s/domains/%u.json", t->f->ctx.state_dir,
			   domid_of(t, "a"));
	before = NULL;
	{
		struct pv_buf b = PV_BUF_INIT;
		struct pv_err err;

		pv_err_init(&err);
		assert_int_equal(pv_buf_read_file(&b, path, 0, &err), 0);
		before = pv_buf_detach(&b);
		pv_err_dispose(&err);
	}
	/*
	 * a: more memory and vCPUs, xvda swapped for an image that does not
	 * exist (the attach fails after the rest was done); b: more memory.
	 */
	put_cfg(t, "a", "memory = 96\nmaxmem = 160\nvcpus = 2\nmaxvcpus = 4\n"
		"disk = [ 'vdev=xvdc,access=rw,target=/nonexistent/disk.img' ]\n");
	put_cfg(t, "b", "memory = 80\nmaxmem = 128\nvcpus = 1\nmaxvcpus = 4\n");
	assert_int_equal(apply(t, &plain, &plan), -ENOENT);
	for (i = 0; i < plan.n; i++) {
		const struct pv_apply_guest *g = &plan.guests[i];

		if (!strcmp(g->name, "a")) {
			assert_int_equal(g->rc, -ENOENT);
			assert_false(g->undo_failed);
			assert_non_null(strstr(pv_err_msg(&g->err),
					       "/nonexistent/disk.img"));
		} else {
			assert_int_equal(g->rc, 0);
			assert_true(g->done);
		}
	}
	pv_apply_plan_dispose(&plan);
	/* a is as it was: memory, maximum, vCPUs, its disk, its saved config. */
	assert_int_equal(target_kb(t, "a"), 64 * 1024);
	{
		uint64_t kb = 0;

		assert_int_equal(pv_domain_get_maxmem(&t->f->ctx, domid_of(t, "a"),
						      &kb, NULL), 0);
		assert_int_equal(kb, 128 * 1024);
	}
	assert_int_equal(pv_domain_online_vcpus(&t->f->ctx, domid_of(t, "a"), 4), 1);
	assert_true(has_disk(t, "a", 51712));
	assert_false(has_disk(t, "a", 51744));
	{
		struct pv_buf b = PV_BUF_INIT;
		struct pv_err err;

		pv_err_init(&err);
		assert_int_equal(pv_buf_read_file(&b, path, 0, &err), 0);
		after = pv_buf_detach(&b);
		pv_err_dispose(&err);
	}
	assert_string_equal(after, before);
	/* b converged. */
	assert_int_equal(target_kb(t, "b"), 80 * 1024);
	load_saved(t, "b", &c);
	assert_int_equal(c.memory_mb, 80);
	pv_domain_config_dispose(&c);
	/* The next apply tries a again, and only a. */
	expect_plan(t, &plain, "a maxmem live; a memory live; a vcpus live; "
		    "a detach-disk live; a attach-disk live; ");
	free(after);
	free(before);
	free(path);
}

/* ---- refused before anything changes ---- */

static void test_duplicate_names(void **state)
{
	struct t *t = *state;
	struct pv_apply_plan plan;
	struct pv_err err;
	unsigned int doms = pv_sim_domain_count(t->f->s);

	put_cfg(t, "web-1", BASE);
	fx_put_file(t->f, "conf/web-1-copy.cfg", "name = 'web-1'\nkernel = '/k'\n");
	pv_err_init(&err);
	assert_int_equal(plan_of(t, NULL, &with_prune, &plan, &err), -EINVAL);
	/* In name order, the second file is the one that is wrong. */
	assert_non_null(strstr(pv_err_msg(&err), "/web-1.cfg: name: guest 'web-1' "
			       "is also configured in "));
	assert_non_null(strstr(pv_err_msg(&err), "/web-1-copy.cfg"));
	assert_int_equal(plan.n, 0);
	assert_int_equal(pv_sim_domain_count(t->f->s), doms);
	pv_err_dispose(&err);
}

static void test_bad_file(void **state)
{
	struct t *t = *state;
	struct pv_apply_plan plan;
	struct pv_err err;
	char *missing = fx_path(t->f, "no-such-dir");

	put_cfg(t, "good", BASE);
	put_cfg(t, "bad", "memory = 64\nvcpus = 'many'\n");
	pv_err_init(&err);
	assert_int_equal(plan_of(t, NULL, &plain, &plan, &err), -EINVAL);
	/* file:line:col: key: what */
	assert_non_null(strstr(pv_err_msg(&err), "bad.cfg:4:"));
	assert_non_null(strstr(pv_err_msg(&err), "vcpus"));
	pv_err_clear(&err);
	assert_int_equal(plan_of(t, missing, &plain, &plan, &err), -ENOENT);
	assert_non_null(strstr(pv_err_msg(&err), "no-such-dir"));
	assert_int_equal(pv_sim_domain_count(t->f->s), 1);
	pv_err_dispose(&err);
	free(missing);
}

/* ---- the autoscale loop's share ---- */

static void test_autoscale_bounds(void **state)
{
	struct t *t = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pv_domain_config c;
	char *sock = pv_room_socket_path(&t->f->ctx);
	uint64_t kb = 0;
	int fd;

	put_cfg(t, "web", BASE);
	apply_ok(t, &plain);
	/* A loop listens where create would ask it for room. */
	assert_int_equal(pv_mkdirs(t->f->ctx.run_dir, NULL), 0);
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	put_cfg(t, "web", "memory = 96\nmaxmem = 192\nvcpus = 2\nmaxvcpus = 4\n");
	expect_plan(t, &plain, "web maxmem live; web memory saved; web vcpus saved; ");
	apply_ok(t, &plain);
	/* The bound moved; the target and vCPUs are the loop's. */
	assert_int_equal(pv_domain_get_maxmem(&t->f->ctx, domid_of(t, "web"), &kb,
					      NULL), 0);
	assert_int_equal(kb, 192 * 1024);
	assert_int_equal(target_kb(t, "web"), 64 * 1024);
	assert_int_equal(pv_domain_online_vcpus(&t->f->ctx, domid_of(t, "web"), 4), 1);
	load_saved(t, "web", &c);
	assert_int_equal(c.memory_mb, 96);	/* the boot size */
	assert_int_equal(c.vcpus, 2);
	pv_domain_config_dispose(&c);
	expect_plan(t, &plain, "");
	/* A lower bound takes the target with it. */
	put_cfg(t, "web", "memory = 48\nmaxmem = 48\nvcpus = 2\nmaxvcpus = 4\n");
	apply_ok(t, &plain);
	assert_int_equal(target_kb(t, "web"), 48 * 1024);
	close(fd);
	unlink(sock);
	free(sock);
}

/* ---- the other commands' live changes, kept ---- */

static void test_note_live_changes(void **state)
{
	struct t *t = *state;
	struct pv_live_change ch = { .what = PV_LIVE_MEMORY, .value = 100 * 1024 };
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid, xl;

	put_cfg(t, "web", BASE XVDA);
	apply_ok(t, &plain);
	domid = domid_of(t, "web");
	pv_err_init(&err);
	/* A manual mem-set shows as drift, to be put back. */
	assert_int_equal(pv_domain_set_target(&t->f->ctx, domid, 100 * 1024, &err), 0);
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	expect_plan(t, &plain, "web memory live; ");
	ch.what = PV_LIVE_VCPUS;
	ch.value = 3;
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	/* block-attach and block-detach. */
	ch.what = PV_LIVE_ATTACH;
	ch.kind = "vbd";
	ch.spec = "vdev=xvdb,access=ro,target=/dev/loop1";
	ch.devid = 51728;
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	ch.what = PV_LIVE_DETACH;
	ch.devid = 51712;
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	load_saved(t, "web", &c);
	assert_int_equal(c.memory_mb, 100);
	assert_int_equal(c.vcpus, 3);
	assert_int_equal(c.ndisks, 1);
	assert_string_equal(c.disks[0].vdev, "xvdb");
	assert_int_equal(c.disks[0].readwrite, 0);
	pv_domain_config_dispose(&c);
	expect_plan(t, &plain, "web memory live; web vcpus live; "
		    "web detach-disk live; web attach-disk live; ");
	/* network-detach of the first of two vifs. */
	ch.what = PV_LIVE_ATTACH;
	ch.kind = "vif";
	ch.spec = "bridge=br0";
	ch.devid = 0;
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	ch.spec = "bridge=br1";
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	{
		char *p = pv_asprintf("/local/domain/0/backend/vif/%u/1/state", domid);

		assert_int_equal(xs_put(t->f, p, "4"), 0);	/* vif 0 is gone */
		free(p);
	}
	ch.what = PV_LIVE_DETACH;
	ch.devid = 0;
	assert_int_equal(pv_domain_config_note(&t->f->ctx, domid, &ch, &err), 0);
	load_saved(t, "web", &c);
	assert_int_equal(c.nvifs, 1);
	assert_string_equal(c.vifs[0].bridge, "br1");
	pv_domain_config_dispose(&c);
	/* A guest pvctl did not make has nothing to keep. */
	xl = fx_create(t->f, "xl-made", BASE);
	pv_domain_config_forget(&t->f->ctx, xl);
	assert_int_equal(pv_domain_config_note(&t->f->ctx, xl, &ch, &err), 0);
	pv_err_dispose(&err);
}

/* ---- --dry-run's exit codes, through the command table ---- */

/* Runs the pvctl command line @words (split at spaces), stdout dropped. */
static int run_words(struct t *t, char *words)
{
	char *argv[8], *save, *tok;
	struct pv_cli cli;
	int argc = 0, rc, out, null;

	for (tok = strtok_r(words, " ", &save); tok && argc < 7;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	memset(&cli, 0, sizeof(cli));
	cli.ctx = t->f->ctx;
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	dup2(null, STDOUT_FILENO);
	rc = pv_cli_run(&cli, argc, argv);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	close(null);
	free(words);
	return rc;
}

static int run_cli(struct t *t, const char *opts)
{
	return run_words(t, pv_asprintf("apply %s %s", opts, t->dir));
}

/* The commands call it: mem-set, mem-max, vcpu-set, block-attach/-detach. */
static void test_commands_note(void **state)
{
	struct t *t = *state;
	struct pv_domain_config c;

	put_cfg(t, "web", BASE XVDA);
	apply_ok(t, &plain);
	assert_int_equal(run_words(t, pv_strdup("mem-max web 200")), 0);
	assert_int_equal(run_words(t, pv_strdup("mem-set web 100")), 0);
	assert_int_equal(run_words(t, pv_strdup("vcpu-set web 2")), 0);
	assert_int_equal(run_words(t, pv_strdup(
		"block-attach web vdev=xvdb,access=rw,target=/dev/loop1")), 0);
	assert_int_equal(run_words(t, pv_strdup("block-detach web xvda")), 0);
	load_saved(t, "web", &c);
	assert_int_equal(c.memory_mb, 100);
	assert_int_equal(c.maxmem_mb, 200);
	assert_int_equal(c.vcpus, 2);
	assert_int_equal(c.ndisks, 1);
	assert_string_equal(c.disks[0].vdev, "xvdb");
	pv_domain_config_dispose(&c);
	/* apply shows the drift, and puts it back. */
	expect_plan(t, &plain, "web memory live; web maxmem live; web vcpus live; "
		    "web detach-disk live; web attach-disk live; ");
	apply_ok(t, &plain);
	assert_int_equal(target_kb(t, "web"), 64 * 1024);
	assert_true(has_disk(t, "web", 51712));
	assert_false(has_disk(t, "web", 51728));
	expect_plan(t, &plain, "");
}

static void test_dry_run_exit_codes(void **state)
{
	struct t *t = *state;

	put_cfg(t, "web", BASE);
	assert_int_equal(run_cli(t, "--dry-run"), 2);
	assert_int_equal(run_cli(t, "-n --json"), 2);
	assert_false(domid_of(t, "web"));		/* a dry run does nothing */
	apply_ok(t, &plain);
	assert_int_equal(run_cli(t, "--dry-run"), 0);
	put_cfg(t, "web", BASE "vcpus = 2\n");
	assert_int_equal(run_cli(t, "--dry-run"), 2);
	/* Errors are 1, never 2: not even a file that does not parse. */
	put_cfg(t, "bad", "memory = 'lots'\n");
	assert_int_equal(run_cli(t, "--dry-run"), 1);
	assert_int_equal(run_cli(t, ""), 2);
	rm_cfg(t, "bad");
	put_cfg(t, "web", BASE);
	/* A guest of the set that cannot be compared fails the run. */
	pv_domain_config_forget(&t->f->ctx, domid_of(t, "web"));
	assert_int_equal(run_cli(t, "-n"), 1);
	assert_int_equal(run_cli(t, ""), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_create_then_nothing),
		T(test_live_changes),
		T(test_vif_detach_plan),
		T(test_restart),
		T(test_prune_safety),
		T(test_rollback),
		T(test_duplicate_names),
		T(test_bad_file),
		T(test_autoscale_bounds),
		T(test_note_live_changes),
		T(test_commands_note),
		T(test_dry_run_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
