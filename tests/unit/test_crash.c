/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_crash.c: crash consistency on the simulated hypervisor. pvctl is
 * killed (SIGKILL: nothing of it runs after) before each hypervisor or
 * XenStore operation, in turn, of a create with a disk, a block attach,
 * a block detach, a save, and the monitor's restart of a domain; then
 * `pvctl list` must mark what was left half done, and pv_domain_cleanup
 * must leave the host as if the operation had never run (or, for a
 * detach, a save whose file was complete and a restart, as if it had
 * finished).
 *
 * The kill: at the chosen operation (pv_sim_at_call), the process forks.
 * The child is the world the killed process leaves: the simulated
 * hypervisor as it is at that instant and a copy of pvctl's state and
 * runtime directories, in which the records' process is one that has
 * exited; it lists, cleans up, checks, and exits with the verdict. The
 * parent waits for it, then goes on with the operation (its outcome is
 * of no interest) so that the next kill point is reached by a new run.
 * Vifs are not here (their plug waits for a real netback interface):
 * tests/lab/scenarios/pvctl-crash.sh kills creates with a vif.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/domain/domain.h"
#include "lib/domain/ops.h"
#include "util/fileio.h"
#include "util/uuid.h"
#include "helpers.h"

#define BYSTANDER_DISK "disk = [ 'phy:/dev/loop1,xvda,w' ]\n"
#define VICTIM_DISK "disk = [ 'phy:/dev/loop0,xvda,w' ]\n"

struct crash {
	struct fx *f;
	/* In the child, after cleanup: NULL if all is well, else why not. */
	char *(*check)(struct crash *c);
	/* In the child, before cleanup (may be NULL): as check. */
	char *(*before)(struct crash *c);
	/* Whether a domain of the operation must be marked in `list` now. */
	bool (*must_mark)(struct crash *c, const struct pv_domain_status *st);
	char *xs_before;	/* XenStore before the operation */
	char *saved_before;	/* the victim's saved config before it */
	uint32_t bystander, victim;
	char *save_file;
	bool fired;
	int status;
	struct pv_buf said;	/* the cleanup's log, in the child */
};

/* --- the world: drivers and guests that play along --- */

static void set_state(struct fx *f, const char *dir, const char *v)
{
	char *p = pv_asprintf("%s/state", dir);

	xs_put(f, p, v);
	free(p);
}

/* blkback and blkfront of every disk, and guests that suspend when asked. */
static void play(struct pv_sim *s, void *arg)
{
	struct crash *c = arg;
	struct fx *f = c->f;
	char *doms = xs_ls(f, "/local/domain"), *save = NULL, *d;

	for (d = doms ? strtok_r(doms, " ", &save) : NULL; d;
	     d = strtok_r(NULL, " ", &save)) {
		uint32_t domid = (uint32_t)strtoul(d, NULL, 10);
		char *be = pv_asprintf("/local/domain/0/backend/vbd/%u/51712", domid);
		char *fe = pv_asprintf("/local/domain/%u/device/vbd/51712", domid);
		char *sp = pv_asprintf("%s/state", be);
		char *sd = pv_asprintf("/local/domain/%u/control/shutdown", domid);
		char *st = xs_get(f, sp), *req = xs_get(f, sd);

		if (st && !strcmp(st, "1")) {
			set_state(f, be, "2");
		} else if (st && !strcmp(st, "2")) {
			set_state(f, fe, "4");
			set_state(f, be, "4");
		} else if (st && !strcmp(st, "5")) {
			set_state(f, fe, "6");
			set_state(f, be, "6");
		}
		if (req && !strcmp(req, "suspend")) {
			xs_put(f, sd, "");
			pv_sim_domain_set_state(s, domid, PV_SIM_DOM_SHUTDOWN,
						PV_SHUTDOWN_SUSPEND);
		}
		free(req);
		free(st);
		free(sd);
		free(sp);
		free(fe);
		free(be);
	}
	free(doms);
}

static char *xs_text(struct fx *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	pv_sim_xs_dump(f->s, m);
	fclose(m);
	return text;
}

static char *read_text(const char *path)
{
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err err;

	pv_err_init(&err);
	if (pv_buf_read_file(&b, path, 0, &err))
		pv_buf_dispose(&b);
	pv_err_dispose(&err);
	return b.s ? pv_buf_detach(&b) : NULL;
}

static char *saved_config(struct fx *f, uint32_t domid)
{
	char *path = pv_asprintf("%s/domains/%u.json", f->ctx.state_dir, domid);
	char *text = read_text(path);

	free(path);
	return text;
}

/* Files in @dir whose name ends in @suffix ("" for any). */
static unsigned int files_in(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] != '.' && len >= sl &&
		    !strcmp(e->d_name + len - sl, suffix))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Lines of @a not in @b, each after @mark, appended to @out. */
static void lines_missing(const char *a, const char *b, char mark,
			  struct pv_buf *out)
{
	const char *p, *nl;

	for (p = a; *p; p = nl + 1) {
		char *line;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		line = pv_asprintf("\n%.*s\n", (int)(nl - p), p);
		if (!strstr(b, line) && strncmp(b, line + 1, strlen(line) - 1))
			pv_buf_printf(out, "%c%s", mark, line + 1);
		free(line);
	}
}

/* What differs between two XenStore dumps, line by line (malloc'd). */
static char *xs_diff(const char *before, const char *now)
{
	struct pv_buf b = PV_BUF_INIT;

	lines_missing(before, now, '-', &b);
	lines_missing(now, before, '+', &b);
	pv_buf_puts(&b, "");
	return pv_buf_detach(&b);
}

/* --- the child: the world a killed pvctl leaves --- */

static void said(void *arg, const char *fmt, ...)
{
	struct crash *c = arg;
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(&c->said, fmt, ap);
	va_end(ap);
	pv_buf_puts(&c->said, "\n");
}

/* A pid no process has: one that has exited and was reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/*
 * pvctl's directories copied, so that the parent's go on unchanged, and
 * in the records, the killed process (our parent) replaced by one that
 * has exited, as it has in the world being played.
 */
static int isolate(struct crash *c)
{
	struct fx *f = c->f;
	char tmpl[] = "/tmp/pvctl-crash-XXXXXX", *cmd, *old = pv_strdup(f->tmp);
	pid_t dead = dead_pid();
	struct pv_op *v;
	struct pv_err err;
	size_t n, i, len = strlen(old);
	int rc;

	if (!mkdtemp(tmpl))
		return -1;
	cmd = pv_asprintf("cp -a '%s/.' '%s/'", f->tmp, tmpl);
	rc = system(cmd);
	free(cmd);
	if (rc)
		return -1;
	free(f->tmp);
	f->tmp = pv_strdup(tmpl);
	if (c->save_file) {
		free(c->save_file);
		c->save_file = fx_path(f, "victim.save");
	}
	free(f->ctx.state_dir);
	free(f->ctx.run_dir);
	f->ctx.state_dir = fx_path(f, "state");
	f->ctx.run_dir = fx_path(f, "run");
	/* Its XenStore connection and toolstack lock went with it. */
	pv_sim_xs_reconnect(f->s);
	if (f->ctx.lock_fd >= 0)
		close(f->ctx.lock_fd);
	f->ctx.lock_fd = -1;
	pv_err_init(&err);
	rc = pv_op_list(&f->ctx, &v, &n, &err);
	for (i = 0; i < n && !rc; i++) {
		char *text = read_text(v[i].path), *from, *to, *p;
		struct pv_buf b = PV_BUF_INIT;

		if (!text || v[i].pid != getppid()) {
			free(text);
			continue;
		}
		/* Its pid is a dead process's; paths point into the copy. */
		from = pv_asprintf("\"pid\":%d,", (int)getppid());
		to = pv_asprintf("\"pid\":%d,", (int)dead);
		for (p = text; *p;) {
			if (!strncmp(p, from, strlen(from))) {
				pv_buf_puts(&b, to);
				p += strlen(from);
			} else if (!strncmp(p, old, len)) {
				pv_buf_puts(&b, tmpl);
				p += len;
			} else {
				pv_buf_add(&b, p++, 1);
			}
		}
		rc = pv_write_file_atomic(v[i].path, b.s, b.len, 0600, &err);
		pv_buf_dispose(&b);
		free(from);
		free(to);
		free(text);
	}
	pv_op_list_free(v, n);
	pv_err_dispose(&err);
	free(old);
	return rc;
}

/* What the list says: a domain of the operation is marked; no other is. */
static char *check_marks(struct crash *c)
{
	struct pv_domain_status *st;
	struct pv_err err;
	char *why = NULL;
	size_t n, i;

	pv_err_init(&err);
	if (pv_domain_list(&c->f->ctx, NULL, 0, &st, &n, &err))
		return pv_asprintf("list: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	for (i = 0; i < n && !why; i++) {
		bool marked = st[i].incomplete &&
			      strstr(st[i].incomplete, "incomplete: ");

		if (c->must_mark(c, &st[i]) && !marked)
			why = pv_asprintf("domain %u is not marked incomplete "
					  "(%s)", st[i].info.domid,
					  st[i].incomplete ? st[i].incomplete : "no mark");
		else if (!c->must_mark(c, &st[i]) && st[i].incomplete)
			why = pv_asprintf("domain %u is marked: %s", st[i].info.domid,
					  st[i].incomplete);
	}
	pv_domain_status_free(st, n);
	return why;
}

static int post_mortem(struct crash *c)
{
	struct pv_monitor_log log = { said, c };
	struct pv_err err;
	char *why = NULL, *ops;
	size_t done;

	if (isolate(c)) {
		fprintf(stderr, "cannot copy the fixture\n");
		return 2;
	}
	why = check_marks(c);
	if (!why && c->before)
		why = c->before(c);
	pv_err_init(&err);
	if (!why && pv_domain_cleanup(&c->f->ctx, &log, &done, &err))
		why = pv_asprintf("cleanup: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	if (!why)
		why = c->check(c);
	ops = pv_asprintf("%s/ops", c->f->ctx.run_dir);
	if (!why && files_in(ops, ".json"))
		why = pv_strdup("a record is left in RUN/ops");
	if (!why && pv_domain_cleanup(&c->f->ctx, &log, &done, &err) == 0 && done)
		why = pv_strdup("a second cleanup found more to do");
	free(ops);
	/* The copy goes (the test's own directory is the parent's to remove). */
	nftw(c->f->tmp, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (why) {
		fprintf(stderr, "  killed before operation %u: %s\n  cleanup said: %s\n",
			pv_sim_calls_total(c->f->s) + 1, why,
			c->said.s ? c->said.s : "nothing");
		return 1;
	}
	return 0;
}

static void die_here(struct pv_sim *s, void *arg)
{
	struct crash *c = arg;
	pid_t pid;

	c->fired = true;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(post_mortem(c));
	waitpid(pid, &c->status, 0);
}

/*
 * Runs @op with a kill before its 1st, 2nd, ... operation until it
 * finishes with no kill due; each run on a fresh world made by @setup.
 */
static void sweep(const char *what, void (*setup)(struct crash *c),
		  void (*op)(struct crash *c))
{
	unsigned int at, runs = 0;

	for (at = 1;; at++) {
		struct crash c = { 0 };
		struct stat st;

		if (stat("/dev/loop0", &st) || !S_ISBLK(st.st_mode) ||
		    stat("/dev/loop1", &st) || !S_ISBLK(st.st_mode)) {
			fprintf(stderr, "  no /dev/loop0 and /dev/loop1: skipped\n");
			skip();
		}
		c.f = fx_new();
		pv_sim_on_idle(c.f->s, play, &c);
		setup(&c);
		/* The drivers and guests settle first: their moves are not pvctl's. */
		play(c.f->s, &c);
		play(c.f->s, &c);
		c.xs_before = xs_text(c.f);
		if (c.victim)
			c.saved_before = saved_config(c.f, c.victim);
		pv_sim_at_call(c.f->s, at, die_here, &c);
		op(&c);
		if (c.fired && (!WIFEXITED(c.status) || WEXITSTATUS(c.status)))
			fail_msg("%s killed before its operation %u: not consistent "
				 "after cleanup (above)", what, at);
		free(c.xs_before);
		free(c.saved_before);
		free(c.save_file);
		pv_buf_dispose(&c.said);
		fx_free(c.f);
		if (!c.fired)
			break;
		runs++;
	}
	/* The sweep must have covered an operation worth the name. */
	if (runs < 10)
		fail_msg("%s: only %u kill points", what, runs);
	fprintf(stderr, "  %s: killed at each of %u points\n", what, runs);
}

/* --- create --- */

static void with_bystander(struct crash *c)
{
	c->bystander = fx_create(c->f, "bystander", BYSTANDER_DISK);
}

static void create_victim(struct crash *c)
{
	struct pv_domain_config cfg;
	struct pv_err err;
	uint32_t domid;

	fx_cfg_parse(c->f, "victim", VICTIM_DISK, &cfg);
	pv_err_init(&err);
	pv_domain_create(&c->f->ctx, &cfg, &domid, &err);
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
}

/* Any domain but dom0 and the bystander is the half-made one. */
static bool mark_new(struct crash *c, const struct pv_domain_status *st)
{
	return st->info.domid && st->info.domid != c->bystander;
}

/* As before the create; and the name is free: the create goes through. */
static char *check_undone(struct crash *c)
{
	char *now = xs_text(c->f), *why = NULL, *mine;
	char *dir = pv_asprintf("%s/domains", c->f->ctx.state_dir);

	if (strcmp(now, c->xs_before))
		why = pv_asprintf("XenStore differs from before the create:\n%s",
				  xs_diff(c->xs_before, now));
	else if (pv_sim_domain_count(c->f->s) != 2)
		why = pv_asprintf("%u domains, want dom0 and the bystander",
				  pv_sim_domain_count(c->f->s));
	else if (files_in(dir, ".json") != 1)
		why = pv_asprintf("%u saved configs, want the bystander's",
				  files_in(dir, ".json"));
	else if (!(mine = saved_config(c->f, c->bystander)))
		why = pv_strdup("the bystander's saved config is gone");
	else
		free(mine);
	if (!why) {
		struct pv_domain_config cfg;
		struct pv_err err;
		uint32_t domid;

		fx_cfg_parse(c->f, "victim", VICTIM_DISK, &cfg);
		pv_err_init(&err);
		if (pv_domain_create(&c->f->ctx, &cfg, &domid, &err))
			why = pv_asprintf("the next create fails: %s", pv_err_msg(&err));
		pv_err_dispose(&err);
		pv_domain_config_dispose(&cfg);
	}
	free(dir);
	free(now);
	return why;
}

/* A create of the name a half-made domain holds says what to do. */
static char *name_taken_says_why(struct crash *c)
{
	struct pv_domain_config cfg;
	struct pv_err err;
	uint32_t domid;
	char *why = NULL, *name;
	int rc;

	if (pv_sim_domain_count(c->f->s) < 3)
		return NULL;
	name = pv_domain_get_name(&c->f->ctx, 2);
	if (!name)
		return NULL;		/* not named yet: the name is free */
	free(name);
	fx_cfg_parse(c->f, "victim", VICTIM_DISK, &cfg);
	pv_err_init(&err);
	rc = pv_domain_create(&c->f->ctx, &cfg, &domid, &err);
	if (rc != -EEXIST || !strstr(pv_err_msg(&err), "was killed ('pvctl cleanup'"))
		why = pv_asprintf("a create of the half-made name: %d, %s", rc,
				  pv_err_msg(&err));
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
	return why;
}

static void setup_create(struct crash *c)
{
	with_bystander(c);
	c->check = check_undone;
	c->before = name_taken_says_why;
	c->must_mark = mark_new;
}

static void test_create_killed_anywhere(void **state)
{
	sweep("create with a disk", setup_create, create_victim);
}

/* --- block-attach, block-detach --- */

static bool mark_victim(struct crash *c, const struct pv_domain_status *st)
{
	struct pv_op *v;
	struct pv_err err;
	size_t n, i;
	bool recorded = false;

	/* Marked while its record is there: from its first step to its last. */
	pv_err_init(&err);
	pv_op_list(&c->f->ctx, &v, &n, &err);
	for (i = 0; i < n; i++)
		recorded |= pv_op_for(&v[i], &st->info);
	pv_op_list_free(v, n);
	pv_err_dispose(&err);
	return st->info.domid && st->info.domid != c->bystander && recorded;
}

static void setup_victim(struct crash *c)
{
	with_bystander(c);
	c->victim = fx_create(c->f, "victim", NULL);
	c->must_mark = mark_victim;
}

static void attach_disk(struct crash *c)
{
	struct pv_err err;
	uint32_t devid;
	bool bad;

	pv_err_init(&err);
	pv_domain_device_attach(&c->f->ctx, c->victim, "vbd",
				"phy:/dev/loop0,xvda,w", &devid, &bad, &err);
	pv_err_dispose(&err);
}

/* XenStore and the saved config as before the attach. */
static char *check_as_before(struct crash *c)
{
	char *now = xs_text(c->f), *cfg = saved_config(c->f, c->victim);
	char *why = NULL;

	if (strcmp(now, c->xs_before))
		why = pv_asprintf("XenStore differs from before:\n%s",
				  xs_diff(c->xs_before, now));
	else if (!cfg || strcmp(cfg, c->saved_before))
		why = pv_asprintf("the saved config differs from before: %s",
				  cfg ? cfg : "(none)");
	free(cfg);
	free(now);
	return why;
}

static void setup_attach(struct crash *c)
{
	setup_victim(c);
	c->check = check_as_before;
}

static void test_attach_killed_anywhere(void **state)
{
	sweep("block-attach", setup_attach, attach_disk);
}

static char *check_detached(struct crash *c);

static void setup_detach(struct crash *c)
{
	setup_victim(c);
	attach_disk(c);
	c->check = check_detached;
}

static void detach_disk(struct crash *c)
{
	struct pv_err err;

	pv_err_init(&err);
	pv_domain_device_detach(&c->f->ctx, c->victim, "vbd", 51712, false,
				2000, &err);
	pv_err_dispose(&err);
}

/*
 * The guest let go of the disk at once (play): the detach is finished,
 * whatever the step: no node of the disk and none in the saved config,
 * or, killed before it began, all of it in both.
 */
static char *check_detached(struct crash *c)
{
	char *bep = pv_asprintf("/local/domain/0/backend/vbd/%u/51712", c->victim);
	char *fep = pv_asprintf("/local/domain/%u/device/vbd/51712", c->victim);
	char *lxp = pv_asprintf("/libxl/%u/device/vbd/51712", c->victim);
	bool be = pv_sim_xs_exists(c->f->s, bep);
	bool fe = pv_sim_xs_exists(c->f->s, fep);
	bool lx = pv_sim_xs_exists(c->f->s, lxp);
	char *cfg = saved_config(c->f, c->victim), *now = xs_text(c->f), *why = NULL;
	bool in_cfg = cfg && strstr(cfg, "xvda");

	if (be != fe || fe != lx || be != in_cfg)
		why = pv_asprintf("half a disk: backend %d, frontend %d, xl's %d, "
				  "saved config %d", be, fe, lx, in_cfg);
	else if (be && strcmp(now, c->xs_before))
		why = pv_asprintf("the disk is there but not as it was:\n%s",
				  xs_diff(c->xs_before, now));
	free(now);
	free(cfg);
	free(lxp);
	free(fep);
	free(bep);
	return why;
}

static void test_detach_killed_anywhere(void **state)
{
	/* c->check is set once the world is made: see setup_detach. */
	sweep("block-detach", setup_detach, detach_disk);
}

/* --- save --- */

static void setup_save(struct crash *c)
{
	setup_victim(c);
	c->save_file = fx_path(c->f, "victim.save");
}

static void save_victim(struct crash *c)
{
	struct pv_err err;

	pv_err_init(&err);
	pv_domain_save(&c->f->ctx, c->victim, c->save_file, 0, NULL, NULL, &err);
	pv_err_dispose(&err);
}

/* Files victim.save.XXXXXX: a save's temporary file. */
static unsigned int temp_saves(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "victim.save.", 12);
	if (d)
		closedir(d);
	return n;
}

/*
 * Either the save was undone (the guest runs, not suspended, and no
 * file, whole or partial, is left) or, its file complete, finished (the
 * domain gone, the file there).
 */
static char *check_saved_or_running(struct crash *c)
{
	struct pv_dominfo info;
	bool there = !c->f->hv.ops->domain_getinfo(c->f->hv.h, c->victim, &info);
	bool file = file_exists(c->save_file);
	char *why = NULL;

	if (temp_saves(c->f->tmp))
		why = pv_strdup("a temporary save file is left");
	else if (there && (info.shutdown || info.paused))
		why = pv_asprintf("domain %u is left %s", c->victim,
				  info.shutdown ? "suspended" : "paused");
	else if (there == file)
		why = pv_asprintf(there ? "the guest runs and a save file is there"
				  : "the guest is gone and no save file is there");
	else if (!there && strcmp(xs_text(c->f), c->xs_before) == 0)
		why = pv_strdup("the domain is gone but XenStore did not change");
	return why;
}

static void setup_save_check(struct crash *c)
{
	setup_save(c);
	c->check = check_saved_or_running;
}

static void test_save_killed_anywhere(void **state)
{
	sweep("save", setup_save_check, save_victim);
}

/* --- the monitor's restart --- */

static void setup_restart(struct crash *c)
{
	with_bystander(c);
	c->victim = fx_create(c->f, "victim", "on_reboot = 'restart'\n");
	pv_sim_domain_set_state(c->f->s, c->victim, PV_SIM_DOM_SHUTDOWN,
				PV_SHUTDOWN_REBOOT);
	c->must_mark = mark_victim;
}

static void quiet(void *arg, const char *fmt, ...)
{
}

static void scan(struct crash *c)
{
	struct pv_monitor_log log = { quiet, NULL };
	struct pv_monitor_seen seen;
	size_t managed;

	pv_monitor_seen_init(&seen);
	pv_monitor_scan(&c->f->ctx, &log, &seen, &managed);
	pv_monitor_seen_dispose(&seen);
}

/*
 * After cleanup and one more scan (the monitor's next), the guest runs
 * under its name: once, not shut down.
 */
static char *check_restarted(struct crash *c)
{
	struct pv_domain_status *st;
	struct pv_err err;
	char *why = NULL;
	size_t n, i, found = 0;

	scan(c);
	pv_err_init(&err);
	if (pv_domain_list(&c->f->ctx, NULL, 0, &st, &n, &err))
		return pv_asprintf("list: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	for (i = 0; i < n; i++) {
		if (!st[i].name || strcmp(st[i].name, "victim"))
			continue;
		found++;
		if (st[i].info.shutdown)
			why = pv_asprintf("domain %u is still shut down",
					  st[i].info.domid);
	}
	if (!why && found != 1)
		why = pv_asprintf("%zu domains named victim, want 1", found);
	if (!why && pv_sim_domain_count(c->f->s) != 3)
		why = pv_asprintf("%u domains, want 3", pv_sim_domain_count(c->f->s));
	pv_domain_status_free(st, n);
	return why;
}

static void setup_restart_check(struct crash *c)
{
	setup_restart(c);
	c->check = check_restarted;
}

static void test_monitor_restart_killed_anywhere(void **state)
{
	sweep("the monitor's restart", setup_restart_check, scan);
}

/* --- records --- */

/* A record whose process runs on is not cleaned up, and says so in list. */
static void list_live(struct pv_sim *s, void *arg)
{
	struct crash *c = arg;
	struct pv_monitor_log log = { quiet, NULL };
	struct pv_domain_status *st;
	struct pv_err err;
	size_t n, i, done;

	/* Once the domain is made. */
	if (pv_sim_domain_count(s) < 2) {
		pv_sim_at_call(s, 1, list_live, c);
		return;
	}
	c->fired = true;
	pv_err_init(&err);
	assert_int_equal(pv_domain_list(&c->f->ctx, NULL, 0, &st, &n, &err), 0);
	for (i = 0; i < n; i++)
		if (st[i].info.domid == 1)
			c->status = st[i].incomplete &&
				    strstr(st[i].incomplete, "create by pid ") &&
				    strstr(st[i].incomplete, " in progress");
	pv_domain_status_free(st, n);
	assert_int_equal(pv_domain_cleanup(&c->f->ctx, &log, &done, &err), 0);
	assert_int_equal(done, 0);
	pv_err_dispose(&err);
}

static void test_live_create_marked_not_cleaned(void **state)
{
	struct fx *f = *state;
	struct crash c = { .f = f };

	pv_sim_at_call(f->s, 1, list_live, &c);
	fx_create(f, "web", NULL);
	assert_true(c.fired);
	assert_int_equal(c.status, 1);
}

/* A pid another process has taken since is not the record's process. */
static void test_record_pid_reused(void **state)
{
	struct fx *f = *state;
	struct pv_op op, *v;
	struct pv_err err;
	size_t n;

	pv_op_init(&op);
	pv_err_init(&err);
	pv_op_set(&op, "op", "create");
	assert_int_equal(pv_op_begin(&f->ctx, &op, "create.x", &err), 0);
	assert_true(pv_op_alive(&op));
	op.start += 1;		/* the same pid, started at another time */
	assert_false(pv_op_alive(&op));
	op.pid = dead_pid();
	op.start -= 1;
	assert_false(pv_op_alive(&op));
	/* Written and read back: the same record. */
	assert_int_equal(pv_op_write(&op, &err), 0);
	assert_int_equal(pv_op_list(&f->ctx, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].pid, op.pid);
	assert_string_equal(v[0].name, "create.x");
	assert_string_equal(pv_op_get(&v[0], "op"), "create");
	pv_op_list_free(v, n);
	pv_op_end(&op);
	assert_int_equal(pv_op_list(&f->ctx, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_err_dispose(&err);
}

/* What is not a whole record (a writer's temporary file, junk) is skipped. */
static void test_torn_records_skipped(void **state)
{
	struct fx *f = *state;
	struct pv_monitor_log log = { quiet, NULL };
	struct pv_op *v;
	struct pv_err err;
	size_t n, done;
	char *dir = fx_path(f, "run/ops");

	pv_err_init(&err);
	assert_int_equal(pv_mkdirs(dir, &err), 0);
	free(dir);
	fx_put_file(f, "run/ops/create.a.json.tmp.Xy12ab", "{\"pid\":1");
	fx_put_file(f, "run/ops/create.b.json", "");
	fx_put_file(f, "run/ops/create.c.json", "[1,2]");
	fx_put_file(f, "run/ops/create.d.json", "{\"op\":\"create\"}");
	assert_int_equal(pv_op_list(&f->ctx, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	pv_op_list_free(v, n);
	assert_int_equal(pv_domain_cleanup(&f->ctx, &log, &done, &err), 0);
	assert_int_equal(done, 0);
	pv_err_dispose(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_killed_anywhere),
		cmocka_unit_test(test_attach_killed_anywhere),
		cmocka_unit_test(test_detach_killed_anywhere),
		cmocka_unit_test(test_save_killed_anywhere),
		cmocka_unit_test(test_monitor_restart_killed_anywhere),
		cmocka_unit_test_setup_teardown(test_live_create_marked_not_cleaned,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_record_pid_reused,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_torn_records_skipped,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
