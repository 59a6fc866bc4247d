/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_save.c: lib/domain/save.c on the simulated hypervisor: a save
 * suspends the guest through control/shutdown, writes xl's save format
 * and destroys (or resumes) the domain; a restore builds it again from
 * the file; failures leave the guest running and nothing behind.
 */
#include <dirent.h>
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

#include "lib/domain/domain.h"
#include "util/uuid.h"
#include "helpers.h"

/* The guest's kernel: takes a "suspend" request and suspends. */
struct guest {
	uint32_t domid;
	bool cooperate;
	unsigned int suspends;
	struct pv_ctx *ctx;		/* set: note whether the domain is busy */
	bool busy_seen;
};

static void guest_on_idle(struct pv_sim *s, void *arg)
{
	struct guest *g = arg;
	char *path = pv_asprintf("/local/domain/%u/control/shutdown", g->domid);

	pv_sim_set_caller(s, g->domid);
	if (g->cooperate && pv_sim_xs_exists(s, path)) {
		struct pv_hv hv;
		char *v = NULL;
		size_t len;

		pv_sim_hv(s, &hv);
		if (!hv.ops->xs_read(hv.h, PV_XBT_NULL, path, &v, &len) &&
		    !strcmp(v, "suspend")) {
			hv.ops->xs_write(hv.h, PV_XBT_NULL, path, "", 0);
			pv_sim_domain_set_state(s, g->domid, PV_SIM_DOM_SHUTDOWN,
						PV_SHUTDOWN_SUSPEND);
			g->suspends++;
			if (g->ctx)
				g->busy_seen = pv_domain_busy(g->ctx, g->domid);
		}
		free(v);
	}
	free(path);
}

static char *uuid_of(struct fx *f, uint32_t domid)
{
	struct pv_dominfo info;
	char text[PV_UUID_STRLEN + 1];

	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	pv_uuid_format(info.uuid, text);
	return pv_strdup(text);
}

/* Files in the fixture's directory whose name starts with @prefix. */
static unsigned int files_like(struct fx *f, const char *prefix)
{
	DIR *d = opendir(f->tmp);
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_save_restore(void **state)
{
	struct fx *f = *state;
	struct guest g = { .cooperate = true };
	char *file = fx_path(f, "web.save"), *uuid, *v;
	struct pv_buf text = PV_BUF_INIT;
	struct pv_dominfo info;
	struct pv_err err;
	uint32_t domid;

	g.domid = fx_create(f, "web", "memory = 256\nmaxmem = 512\nvcpus = 2\n"
			    "maxvcpus = 4\n");
	uuid = uuid_of(f, g.domid);
	/* Ballooned down since create: the save keeps what it has now. */
	assert_int_equal(pv_domain_set_target(&f->ctx, g.domid, 200 * 1024, NULL), 0);
	assert_int_equal(pv_sim_domain_set_mem(f->s, g.domid, 200 * 1024), 0);
	pv_sim_on_idle(f->s, guest_on_idle, &g);
	pv_err_init(&err);
	g.ctx = &f->ctx;
	assert_false(pv_domain_busy(&f->ctx, g.domid));
	if (pv_domain_save(&f->ctx, g.domid, file, 0, NULL, NULL, &err))
		fail_msg("save: %s", pv_err_msg(&err));
	assert_int_equal(g.suspends, 1);
	/* Busy (the autoscale loop keeps off) while it streamed, not after. */
	assert_true(g.busy_seen);
	assert_false(pv_domain_busy(&f->ctx, g.domid));
	/* Destroyed, with its nodes and saved config; one file, no temporary. */
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), -ESRCH);
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/1"));
	assert_int_equal(files_like(f, "web.save"), 1);

	/* xl's header, the config as xl.cfg text, then libxl's stream. */
	assert_int_equal(pv_buf_read_file(&text, file, 0, &err), 0);
	assert_memory_equal(text.s, "Xen saved domain, xl format\n \0 \r", 32);
	assert_memory_equal(text.s + 32, "\x04\x03\x02\x01\x02\0\0\0", 8);
	assert_non_null(memmem(text.s, text.len, "name = 'web'", 12));
	assert_non_null(memmem(text.s, text.len, "memory = 200\n", 13));
	assert_non_null(memmem(text.s, text.len, uuid, strlen(uuid)));
	assert_non_null(memmem(text.s, text.len, "LibxlFmt", 8));
	assert_memory_equal(text.s + text.len - 8, "\0\0\0\0\0\0\0\0", 8);
	pv_buf_dispose(&text);

	if (pv_domain_restore(&f->ctx, file, NULL, NULL, &domid, &err))
		fail_msg("restore: %s", pv_err_msg(&err));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	assert_false(info.paused);
	assert_int_equal(info.cur_kb, 200 * 1024);
	assert_int_equal(info.max_vcpu_id, 3);
	v = uuid_of(f, domid);
	assert_string_equal(v, uuid);
	free(v);
	v = fx_dom_get(f, domid, "name");
	assert_string_equal(v, "web");
	free(v);
	v = fx_dom_get(f, domid, "memory/target");
	assert_string_equal(v, "204800");
	free(v);
	v = fx_dom_get(f, domid, "memory/static-max");
	assert_string_equal(v, "524288");
	free(v);
	assert_true(pv_sim_domain_introduced(f->s, domid));
	pv_err_dispose(&err);
	free(uuid);
	free(file);
}

static void test_save_continue(void **state)
{
	struct fx *f = *state;
	struct guest g = { .cooperate = true };
	char *file = fx_path(f, "keep.save");
	struct pv_dominfo info;
	struct pv_err err;

	g.domid = fx_create(f, "keep", NULL);
	pv_sim_on_idle(f->s, guest_on_idle, &g);
	pv_err_init(&err);
	if (pv_domain_save(&f->ctx, g.domid, file, PV_SAVE_KEEP, NULL, NULL, &err))
		fail_msg("save -c: %s", pv_err_msg(&err));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), 0);
	assert_false(info.shutdown);
	assert_false(info.paused);
	assert_int_equal(pv_sim_calls(f->s, "xs_resume"), 1);
	/* xenstored was told: the guest's next shutdown is seen. */
	g.cooperate = false;
	pv_sim_domain_set_state(f->s, g.domid, PV_SIM_DOM_SHUTDOWN,
				PV_SHUTDOWN_POWEROFF);
	assert_int_equal(pv_domain_wait_shutdown(&f->ctx, g.domid, 2000, &info), 0);
	assert_int_equal(info.shutdown_reason, PV_SHUTDOWN_POWEROFF);

	/* -p: kept, paused. */
	pv_sim_domain_set_state(f->s, g.domid, PV_SIM_DOM_RUNNING, 0);
	g.cooperate = true;
	if (pv_domain_save(&f->ctx, g.domid, file, PV_SAVE_KEEP | PV_SAVE_PAUSED,
			   NULL, NULL, &err))
		fail_msg("save -p: %s", pv_err_msg(&err));
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), 0);
	assert_false(info.shutdown);
	assert_true(info.paused);
	pv_err_dispose(&err);
	free(file);
}

/* Failures: the guest runs on as before, and no file is left. */
static void test_save_fails(void **state)
{
	struct fx *f = *state;
	struct guest g = { .cooperate = true };
	char *file = fx_path(f, "f.save"), *bad = fx_path(f, "nodir/f.save");
	struct pv_dominfo info;
	struct pv_err err;

	g.domid = fx_create(f, "fails", NULL);
	pv_sim_on_idle(f->s, guest_on_idle, &g);
	pv_err_init(&err);
	fx_assert_err(&err, pv_domain_save(&f->ctx, g.domid, bad, 0, NULL, NULL,
					   &err), -ENOENT, "nodir/f.save");
	assert_int_equal(g.suspends, 0);
	pv_err_clear(&err);

	/* The stream fails after the guest suspended: it is resumed. */
	pv_sim_fail_next(f->s, "domain_save", -EIO);
	fx_assert_err(&err, pv_domain_save(&f->ctx, g.domid, file, 0, NULL, NULL,
					   &err), -EIO, "saving domain");
	pv_err_clear(&err);
	assert_int_equal(g.suspends, 1);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), 0);
	assert_false(info.shutdown);
	assert_int_equal(pv_sim_calls(f->s, "domain_resume"), 1);
	assert_int_equal(pv_sim_calls(f->s, "xs_resume"), 1);
	assert_int_equal(files_like(f, "f.save"), 0);

	/* Domain-0 and no domain at all. */
	fx_assert_err(&err, pv_domain_save(&f->ctx, 0, file, 0, NULL, NULL, &err),
		      -EPERM, "Domain-0");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_domain_save(&f->ctx, 42, file, 0, NULL, NULL, &err),
		      -ESRCH, "domain 42");
	pv_err_dispose(&err);
	free(bad);
	free(file);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *o = fopen(path, "w");

	assert_non_null(o);
	assert_int_equal(fwrite(p, 1, n, o), n);
	fclose(o);
}

/* Damaged files: refused, and nothing is left of the domain. */
static void test_restore_bad_files(void **state)
{
	struct fx *f = *state;
	struct guest g = { .cooperate = true };
	char *file = fx_path(f, "r.save"), *cut = fx_path(f, "cut.save");
	struct pv_buf text = PV_BUF_INIT;
	struct pv_err err;
	uint32_t domid;
	size_t end;

	g.domid = fx_create(f, "r", NULL);
	pv_sim_on_idle(f->s, guest_on_idle, &g);
	pv_err_init(&err);
	assert_int_equal(pv_domain_save(&f->ctx, g.domid, file, 0, NULL, NULL,
					&err), 0);
	assert_int_equal(pv_buf_read_file(&text, file, 0, &err), 0);

	write_bytes(cut, "hello", 5);
	fx_assert_err(&err, pv_domain_restore(&f->ctx, cut, NULL, NULL, &domid,
					      &err), -EINVAL, "not a save file");
	pv_err_clear(&err);

	/* Cut in the memory image, and just before the END record. */
	end = text.len - 8;
	write_bytes(cut, text.s, end - 10);
	assert_true(pv_domain_restore(&f->ctx, cut, NULL, NULL, &domid, &err) < 0);
	pv_err_clear(&err);
	write_bytes(cut, text.s, end);
	assert_true(pv_domain_restore(&f->ctx, cut, NULL, NULL, &domid, &err) < 0);
	assert_true(strstr(pv_err_msg(&err), "end record") != NULL);
	pv_err_clear(&err);
	assert_int_equal(pv_sim_domain_count(f->s), 1);	/* dom0 alone */
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/2"));

	/* Flagged as libxl JSON (xl's), but xl.cfg text: refused, saying so. */
	text.s[36] = 3;
	write_bytes(cut, text.s, text.len);
	fx_assert_err(&err, pv_domain_restore(&f->ctx, cut, NULL, NULL, &domid,
					      &err), -EINVAL, "xl's config: not JSON");
	pv_err_clear(&err);

	/* The whole file still restores. */
	if (pv_domain_restore(&f->ctx, file, NULL, NULL, &domid, &err))
		fail_msg("restore: %s", pv_err_msg(&err));
	pv_buf_dispose(&text);
	pv_err_dispose(&err);
	free(cut);
	free(file);
}

/*
 * Migration between two "hosts": the receiver runs in a child process,
 * on its own copy of the simulator (with the sender's domain removed,
 * as on another host), the two ends joined by pipes. @fail_build makes
 * the receiver's build fail. The child exits 0 when its end is as
 * expected.
 */
static pid_t receiver(struct fx *f, uint32_t sender_domid, bool fail_build,
		      int *to, int *from)
{
	int p2c[2], c2p[2];
	pid_t pid;

	assert_int_equal(pipe(p2c), 0);
	assert_int_equal(pipe(c2p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pv_dominfo info;
		struct pv_err err;
		uint32_t domid = 0, found;
		bool ok;
		int rc;

		close(p2c[1]);
		close(c2p[0]);
		f->hv.ops->domain_destroy(f->hv.h, sender_domid);
		pv_layout_remove(&f->ctx, sender_domid);
		if (fail_build)
			pv_sim_fail_next(f->s, "build_pv", -ENOMEM);
		pv_err_init(&err);
		rc = pv_domain_migrate_receive(&f->ctx, p2c[0], c2p[1], NULL,
					       &domid, &err);
		if (fail_build)
			ok = rc < 0 && pv_sim_domain_count(f->s) == 1;
		else
			ok = rc == 0 &&
			     !pv_domain_lookup(&f->ctx, "mig", &found, &err) &&
			     found == domid &&
			     !f->hv.ops->domain_getinfo(f->hv.h, domid, &info) &&
			     !info.paused && !info.shutdown;
		if (!ok)
			fprintf(stderr, "receiver: rc %d: %s\n", rc, pv_err_msg(&err));
		_exit(ok ? 0 : 1);
	}
	close(p2c[0]);
	close(c2p[1]);
	*to = p2c[1];
	*from = c2p[0];
	return pid;
}

static void test_migrate(void **state)
{
	struct fx *f = *state;
	struct guest g = { .cooperate = true };
	struct pv_migrate_opts opts = { true, NULL, NULL };
	struct pv_migrate_stats st;
	struct pv_dominfo info;
	struct pv_err err;
	int to, from, status;
	pid_t pid;

	g.domid = fx_create(f, "mig", NULL);
	pv_sim_on_idle(f->s, guest_on_idle, &g);
	pv_err_init(&err);
	signal(SIGPIPE, SIG_IGN);	/* as pvctl migrate does */
	pid = receiver(f, g.domid, false, &to, &from);
	if (pv_domain_migrate_send(&f->ctx, g.domid, to, from, &opts, &st, &err))
		fail_msg("migrate: %s", pv_err_msg(&err));
	close(to);
	close(from);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Ours is gone: it runs there. */
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), -ESRCH);
	assert_int_equal(g.suspends, 1);
	assert_true(st.phase_ms[2] >= st.phase_ms[1]);

	/* The receiver fails to build it: ours is resumed and keeps its name. */
	g.domid = fx_create(f, "mig", NULL);
	g.suspends = 0;
	pid = receiver(f, g.domid, true, &to, &from);
	/* It may go while the end is still being sent, or after. */
	assert_true(pv_domain_migrate_send(&f->ctx, g.domid, to, from, &opts,
					   &st, &err) < 0);
	if (!strstr(pv_err_msg(&err), "the receiver failed to build") &&
	    !strstr(pv_err_msg(&err), "stream"))
		fail_msg("unexpected: %s", pv_err_msg(&err));
	close(to);
	close(from);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(g.suspends, 1);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, g.domid, &info), 0);
	assert_false(info.shutdown);
	assert_int_equal(pv_sim_calls(f->s, "xs_resume"), 1);
	{
		char *name = pv_domain_get_name(&f->ctx, g.domid);

		assert_string_equal(name, "mig");
		free(name);
	}
	pv_err_dispose(&err);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_save_restore),
		T(test_save_continue),
		T(test_save_fails),
		T(test_restore_bad_files),
		T(test_migrate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
