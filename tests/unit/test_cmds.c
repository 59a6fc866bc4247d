/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cmds.c: the operator's commands from xl's toolbox, run through
 * the command table on the simulated hypervisor: dmesg, debug-keys,
 * sysrq, dump-core and top (its batch frames pinned, its terminal view
 * driven through a pseudo-terminal), and the library under them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/pvctl.h"
#include "lib/balloon/loop.h"
#include "lib/balloon/top.h"
#include "lib/host.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "helpers.h"
#include "cli_run.h"

#define UUID1	"1a2b3c4d-0000-4000-8000-000000000001"

static void assert_has(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("no '%s' in:\n%s", needle, hay ? hay : "(null)");
}

static void assert_stderr(const char *needle)
{
	assert_has(last_stderr, needle);
}

/* --- dmesg --- */

static void test_dmesg(void **state)
{
	struct fx *f = *state;
	char *out;

	out = run(f, 0, "dmesg");
	assert_has(out, "(XEN) Xen version 4.17.0-sim");
	free(out);
	/* Reading does not consume: the same again. */
	pv_sim_console_puts(f->s, "(XEN) one more line\n");
	out = run(f, 0, "dmesg -c");
	assert_has(out, "(XEN) Xen version 4.17.0-sim");
	assert_has(out, "(XEN) one more line\n");
	free(out);
	/* Cleared: only what Xen prints afterwards. */
	out = run(f, 0, "dmesg");
	assert_string_equal(out, "");
	free(out);
	pv_sim_console_puts(f->s, "(XEN) after the clear\n");
	out = run(f, 0, "dmesg --clear");
	assert_string_equal(out, "(XEN) after the clear\n");
	free(out);
	free(run(f, 2, "dmesg extra"));
	assert_stderr("unexpected argument 'extra'");
}

/* A ring bigger than one read comes whole, in order; its oldest bytes go when full. */
static void test_dmesg_big_ring(void **state)
{
	struct fx *f = *state;
	struct pv_buf want = PV_BUF_INIT, got = PV_BUF_INIT;
	struct pv_err err;
	char line[64];
	int i;

	/* Clear the boot lines, then 30000 bytes: two reads of 16 KiB. */
	pv_err_init(&err);
	assert_int_equal(pv_host_dmesg(&f->ctx, true, &got, &err), 0);
	pv_buf_reset(&got);
	for (i = 0; want.len < 30000; i++) {
		snprintf(line, sizeof(line), "(XEN) line %05d of the test\n", i);
		pv_buf_puts(&want, line);
		pv_sim_console_puts(f->s, line);
	}
	assert_int_equal(pv_host_dmesg(&f->ctx, false, &got, &err), 0);
	assert_int_equal(got.len, want.len);
	assert_string_equal(got.s, want.s);
	assert_true(pv_sim_calls(f->s, "console_read") >= 4);
	/* Past 32 KiB, the ring keeps its last 32 KiB, as Xen's. */
	for (; want.len < 50000; i++) {
		snprintf(line, sizeof(line), "(XEN) line %05d of the test\n", i);
		pv_buf_puts(&want, line);
		pv_sim_console_puts(f->s, line);
	}
	pv_buf_reset(&got);
	assert_int_equal(pv_host_dmesg(&f->ctx, false, &got, &err), 0);
	assert_int_equal(got.len, 32768);
	assert_string_equal(got.s, want.s + want.len - 32768);
	pv_err_dispose(&err);
	pv_buf_dispose(&want);
	pv_buf_dispose(&got);
}

static void test_dmesg_fails(void **state)
{
	struct fx *f = *state;

	pv_sim_fail_next(f->s, "console_read", -EPERM);
	free(run(f, 1, "dmesg"));
	assert_stderr("reading Xen's console ring: Operation not permitted");
}

/* --- debug-keys --- */

static void test_debug_keys(void **state)
{
	struct fx *f = *state;
	char *empty[] = { "debug-keys", "", NULL };
	char *out;

	free(run(f, 0, "debug-keys h"));
	out = run(f, 0, "dmesg");
	assert_has(out, "(XEN) 'h' pressed -> showing installed handlers\n");
	free(out);
	free(run(f, 0, "debug-keys qr"));
	out = run(f, 0, "dmesg");
	assert_has(out, "'q' pressed -> dump domain");
	assert_has(out, "'r' pressed -> dump run queues");
	free(out);
	free(run_argv(f, 2, empty));
	assert_stderr("debug-keys: no keys given");
	assert_int_equal(pv_sim_calls(f->s, "send_debug_keys"), 2);
	free(run(f, 2, "debug-keys"));
	assert_stderr("missing arguments");
	pv_sim_fail_next(f->s, "send_debug_keys", -EPERM);
	free(run(f, 1, "debug-keys h"));
	assert_stderr("sending debug keys 'h' to Xen: Operation not permitted");
}

/* --- sysrq --- */

static void test_sysrq(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g1", NULL);
	char *sp[] = { "sysrq", "g1", " ", NULL };
	struct pv_err err;

	free(run(f, 0, "sysrq g1 s"));
	fx_assert_str(fx_dom_get(f, domid, "control/sysrq"), "s", "control/sysrq");
	free(run(f, 0, "sysrq %u h", domid));
	fx_assert_str(fx_dom_get(f, domid, "control/sysrq"), "h", "control/sysrq");
	/* The guest may clear it (its kernel does, having read it). */
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "control/sysrq", ""), 0);
	pv_sim_set_caller(f->s, 0);
	free(run(f, 2, "sysrq g1 ab"));
	assert_stderr("sysrq: 'ab' is not one letter");
	free(run_argv(f, 2, sp));
	free(run(f, 2, "sysrq g1"));
	free(run(f, 1, "sysrq nosuch s"));
	assert_stderr("no domain named 'nosuch'");
	fx_assert_str(fx_dom_get(f, domid, "control/sysrq"), "", "control/sysrq");
	/* No node is made for a domain that is not there. */
	pv_err_init(&err);
	assert_int_equal(pv_domain_sysrq(&f->ctx, 42, 's', &err), -ESRCH);
	assert_false(pv_sim_xs_exists(f->s, "/local/domain/42"));
	pv_err_clear(&err);
	assert_int_equal(pv_domain_sysrq(&f->ctx, domid, '\n', &err), -EINVAL);
	pv_err_dispose(&err);
}

/* --- dump-core --- */

/* @path's bytes (freed by the caller); *n their count. */
static char *slurp(const char *path, size_t *n)
{
	FILE *in = fopen(path, "rb");
	char *buf = pv_calloc(1, 4096);

	assert_non_null(in);
	*n = fread(buf, 1, 4095, in);
	fclose(in);
	return buf;
}

static bool paused(struct fx *f, uint32_t domid)
{
	struct pv_dominfo info;

	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, &info), 0);
	return info.paused;
}

/* Nothing in the fixture's directory named @prefix.XXXXXX (a temporary). */
static void assert_no_temp(struct fx *f, const char *prefix)
{
	char *pattern = pv_asprintf("ls %s/%s.* 2>/dev/null | grep -q .", f->tmp,
				    prefix);

	if (system(pattern) == 0)
		fail_msg("a temporary file %s.* was left behind", prefix);
	free(pattern);
}

static void test_dump_core(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g1", "memory = 64\n");
	char *core = fx_path(f, "g1.core"), *bytes;
	struct pv_sim_dump_seen seen;
	size_t n;

	free(run(f, 0, "dump-core g1 %s", core));
	bytes = slurp(core, &n);
	assert_true(n > 64);
	assert_memory_equal(bytes, "\177ELF", 4);
	assert_int_equal(bytes[16], 4);		/* ET_CORE */
	assert_has(bytes + 64, "xen-core domid=1 memory_kb=65536");
	free(bytes);
	/* Paused while dumped, running after. */
	pv_sim_last_dump(f->s, &seen);
	assert_int_equal(seen.domid, domid);
	assert_true(seen.paused);
	assert_false(paused(f, domid));
	assert_int_equal(pv_sim_calls(f->s, "domain_pause"), 1);
	assert_no_temp(f, "g1.core");
	/* --live: not paused. */
	free(run(f, 0, "dump-core --live g1 %s", core));
	pv_sim_last_dump(f->s, &seen);
	assert_false(seen.paused);
	assert_int_equal(pv_sim_calls(f->s, "domain_pause"), 1);
	/* A paused guest stays paused. */
	free(run(f, 0, "pause g1"));
	free(run(f, 0, "dump-core g1 %s", core));
	pv_sim_last_dump(f->s, &seen);
	assert_true(seen.paused);
	assert_true(paused(f, domid));
	free(run(f, 0, "unpause g1"));
	free(core);
}

static void test_dump_core_fails(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g1", NULL);
	char *core = fx_path(f, "old.core"), *bytes;
	size_t n;

	/* A failed dump keeps the older core, leaves no temporary, unpauses. */
	fx_put_file(f, "old.core", "an older core\n");
	pv_sim_fail_next(f->s, "domain_dumpcore", -ENOSPC);
	free(run(f, 1, "dump-core g1 %s", core));
	assert_stderr("dumping the core of domain 1 to ");
	assert_stderr("injected failure");
	bytes = slurp(core, &n);
	assert_string_equal(bytes, "an older core\n");
	free(bytes);
	assert_no_temp(f, "old.core");
	assert_false(paused(f, domid));
	/* A directory that is not there. */
	free(run(f, 1, "dump-core g1 %s/nodir/x.core", f->tmp));
	assert_stderr("cannot create ");
	assert_stderr("No such file or directory");
	/* Pausing fails: nothing is dumped. */
	pv_sim_fail_next(f->s, "domain_pause", -EBUSY);
	free(run(f, 1, "dump-core g1 %s", core));
	assert_stderr("pausing domain 1 for its core dump");
	assert_int_equal(pv_sim_calls(f->s, "domain_dumpcore"), 1);
	free(run(f, 1, "dump-core 0 %s", core));
	assert_stderr("refusing to dump Domain-0's core");
	free(run(f, 1, "dump-core nosuch %s", core));
	free(run(f, 2, "dump-core g1"));
	free(core);
}

/* --- top --- */

/* g1 with an agent's report and a policy; g2 with neither; the loop's status file. */
static void top_guests(struct fx *f)
{
	struct { const char *key; const char *v; } rep[] = {
		{ "mem_total_kb", "400000" }, { "mem_available_kb", "123456" },
		{ "psi_mem_some", "1250" }, { "seq", "1" },
	};
	char *dir = fx_path(f, "policy.d"), *path, *h;
	struct pv_autoscale as;
	struct pv_err err;
	struct pv_jw w;
	const char *text;
	size_t i, len;
	uint32_t d1;

	d1 = fx_create(f, "g1", "uuid = '" UUID1 "'\nmemory = 512\nmaxmem = 1024\n"
		       "vcpus = 2\nmaxvcpus = 4\n");
	fx_create(f, "a-rather-long-guest-name", "memory = 256\n");
	pv_sim_set_caller(f->s, d1);
	for (i = 0; i < sizeof(rep) / sizeof(rep[0]); i++) {
		char *p = pv_asprintf("data/pvctl/%s", rep[i].key);

		assert_int_equal(xs_put(f, p, rep[i].v), 0);
		free(p);
	}
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	h = pv_asprintf("host_reserve = 0\ninterval = 3600\n");
	fx_put_file(f, "policy.d/host.policy", h);
	free(h);
	fx_put_file(f, "policy.d/10-g.policy",
		    "match = 'g1'\nmemory_min = 64m\nheadroom = 20\nmargin = 16m\n"
		    "low_water = 8m\nsettle = 0\ncooldown_up = 600\n"
		    "cooldown_down = 600\nstep_max = 64m\n");
	/* What the loop writes at a tick: its status JSON, as RUN/autoscale.json. */
	pv_err_init(&err);
	assert_int_equal(pv_autoscale_init(&as, &f->ctx, dir, &err), 0);
	assert_int_equal(pv_autoscale_tick(&as, false, &err), 0);
	assert_int_equal(pv_mkdirs(f->ctx.run_dir, &err), 0);
	pv_jw_init(&w, true);
	pv_autoscale_status_json(&as, &w);
	text = pv_jw_text(&w, &len);
	path = fx_path(f, "run/autoscale.json");
	assert_int_equal(pv_write_file_atomic(path, text, len, 0600, &err), 0);
	pv_jw_dispose(&w);
	pv_autoscale_dispose(&as);
	pv_err_dispose(&err);
	free(path);
	free(dir);
}

static const char top_frame[] =
"                    NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) VCPUS  TARGET(k)   AVAIL(k) PSI(%) DECISION\n"
"                Domain-0 -----r          0    0.0     524288    6.2     524288     4          -          -      - -\n"
"                      g1 -----r         12    0.0     524288    6.2     525312     4     524288     123456   12.5 @DECISION@\n"
"a-rather-long-guest-name -----r          0    0.0     262144    3.1     263168     1     262144          -      - no policy\n";

static void test_top_batch(void **state)
{
	struct fx *f = *state;
	char *out, *want, *g1, *why, *nl, *decision;

	top_guests(f);
	assert_int_equal(pv_sim_domain_set_cpu_time(f->s, 1, 12500000000ull), 0);
	out = run(f, 0, "top -b -i 1");
	/* g1's decision is the loop's, as its status file words it. */
	g1 = strstr(out, "\n                      g1 ");
	assert_non_null(g1);
	why = strstr(g1, "   12.5 ");
	assert_non_null(why);
	why += strlen("   12.5 ");
	nl = strchr(why, '\n');
	assert_non_null(nl);
	decision = pv_strndup(why, (size_t)(nl - why));
	assert_string_not_equal(decision, "-");
	assert_string_not_equal(decision, "no policy");
	want = pv_strdup(top_frame);
	nl = strstr(want, "@DECISION@");
	*nl = '\0';
	want = pv_asprintf("%s%s%s", g1 = want, decision, nl + strlen("@DECISION@"));
	free(g1);
	assert_string_equal(out, want);
	free(decision);
	free(want);
	free(out);
	/* Two frames, a second apart: two headers, no terminal codes. */
	out = run(f, 0, "top -b -i 2 -d 1");
	assert_non_null(strstr(strstr(out, "NAME") + 1, "NAME"));
	assert_null(strchr(out, '\033'));
	free(out);
}

static void test_top_usage(void **state)
{
	struct fx *f = *state;

	free(run(f, 2, "top -b -i 0"));
	assert_stderr("bad --iterations '0'");
	free(run(f, 2, "top -b -d 0"));
	assert_stderr("bad --delay '0'");
	free(run(f, 2, "top -b extra"));
	/* Without -b it needs a terminal (stdout is a file here). */
	free(run(f, 2, "top -i 1"));
	assert_stderr("not on a terminal: -b prints plain text frames");
	/* No status file: the decision column says nothing, not an error. */
	fx_create(f, "g1", NULL);
	free(run(f, 0, "top -b -i 1"));
	pv_sim_fail_next(f->s, "domain_list", -EIO);
	free(run(f, 1, "top -b -i 1"));
	assert_stderr("listing domains");
}

/* CPU% from cpu_time deltas over wall time; a new domain in an old ID starts at 0. */
static void test_top_cpu_pct(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g1", "vcpus = 2\n");
	struct pv_top a, b;
	struct pv_err err;
	size_t i;

	pv_top_init(&a);
	pv_top_init(&b);
	pv_err_init(&err);
	assert_int_equal(pv_sim_domain_set_cpu_time(f->s, domid, 1000000000ull), 0);
	assert_int_equal(pv_top_snapshot(&f->ctx, &a, &err), 0);
	assert_int_equal(pv_sim_domain_set_cpu_time(f->s, domid, 2500000000ull), 0);
	assert_int_equal(pv_top_snapshot(&f->ctx, &b, &err), 0);
	b.t_ns = a.t_ns + 1000000000ull;	/* a second later */
	assert_int_equal(b.n, 2);
	for (i = 0; i < b.n && b.doms[i].info.domid != domid; i++)
		;
	assert_true(i < b.n);
	assert_string_equal(b.doms[i].name, "g1");
	assert_true(b.doms[i].have_target);
	assert_false(b.doms[i].sig.valid);
	/* 1.5 s of CPU in 1 s: two vCPUs busy 75 % of the time. */
	assert_true(pv_top_cpu_pct(&a, &b, i) > 149.99 &&
		    pv_top_cpu_pct(&a, &b, i) < 150.01);
	assert_true(pv_top_cpu_pct(NULL, &b, i) == 0);
	/* The same ID, another domain (UUID): no earlier sample of it. */
	a.doms[i].info.uuid[0] ^= 1;
	assert_true(pv_top_cpu_pct(&a, &b, i) == 0);
	pv_top_dispose(&a);
	pv_top_dispose(&b);
	pv_err_dispose(&err);
}

/* A guest's report that lies is not shown (pv_signals_read's checks). */
static void test_top_bad_report(void **state)
{
	struct fx *f = *state;
	uint32_t domid = fx_create(f, "g1", "memory = 128\n");
	struct pv_top t;
	struct pv_err err;

	pv_sim_set_caller(f->s, domid);
	assert_int_equal(xs_put(f, "data/pvctl/mem_total_kb", "100"), 0);
	assert_int_equal(xs_put(f, "data/pvctl/mem_available_kb", "900"), 0);
	assert_int_equal(xs_put(f, "data/pvctl/seq", "1"), 0);
	pv_sim_set_caller(f->s, 0);
	pv_top_init(&t);
	pv_err_init(&err);
	assert_int_equal(pv_top_snapshot(&f->ctx, &t, &err), 0);
	assert_int_equal(t.doms[1].info.domid, domid);
	assert_false(t.doms[1].sig.valid);
	assert_false(t.have_loop);
	assert_null(t.doms[1].decision);
	pv_top_dispose(&t);
	pv_err_dispose(&err);
}

/*
 * Runs `top` @argv with a pseudo-terminal as its stdin and stdout, the
 * @keys waiting in its input, TERM=@term; what it drew into *screen.
 */
static int run_on_pty(struct fx *f, char **argv, const char *keys,
		      const char *term, struct pv_buf *screen)
{
	struct winsize ws = { 24, 120, 0, 0 };
	int master, slave, saved_in, saved_out, saved_err, rc, argc;
	char *err_path = fx_path(f, "stderr");
	struct pv_cli cli;
	char buf[4096];
	ssize_t n;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
	assert_int_equal(write(master, keys, strlen(keys)), (ssize_t)strlen(keys));
	setenv("TERM", term, 1);
	for (argc = 0; argv[argc]; argc++)
		;
	fflush(stdout);
	fflush(stderr);
	saved_in = dup(STDIN_FILENO);
	saved_out = dup(STDOUT_FILENO);
	saved_err = redirect(STDERR_FILENO, err_path);
	dup2(slave, STDIN_FILENO);
	dup2(slave, STDOUT_FILENO);
	memset(&cli, 0, sizeof(cli));
	cli.ctx = f->ctx;
	rc = pv_cli_run(&cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_in, STDIN_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_in);
	close(saved_out);
	close(saved_err);
	close(slave);
	free(last_stderr);
	last_stderr = read_all(err_path);
	free(err_path);
	while (poll(&(struct pollfd){ master, POLLIN, 0 }, 1, 100) > 0 &&
	       (n = read(master, buf, sizeof(buf))) > 0)
		pv_buf_add(screen, buf, (size_t)n);
	close(master);
	return rc;
}

/*
 * The terminal view: it draws the summary and the table, takes 's'
 * (sort), 'd' and a delay, and quits on 'q'.
 */
static void test_top_terminal(void **state)
{
	struct fx *f = *state;
	char *argv[] = { "top", "-d", "1", NULL };
	struct pv_buf screen = PV_BUF_INIT;

	fx_create(f, "g1", NULL);
	assert_int_equal(run_on_pty(f, argv, "sd2\rq", "vt100", &screen), 0);
	assert_has(screen.s, "pvctl top - ");
	assert_has(screen.s, "Xen 4.17.0-sim");
	assert_has(screen.s, "2 domains: 2 running");
	assert_has(screen.s, "Autoscale: no status file");
	assert_has(screen.s, "TARGET(k)");
	/* curses draws only what changed: the prompt, then its answer. */
	assert_has(screen.s, "Delay 1 sec, sort domain ID");
	assert_has(screen.s, "(sec): ");
	assert_has(screen.s, " 2 sec, sort NAME");
	/* A terminal curses does not know: an error, not an exit. */
	pv_buf_reset(&screen);
	assert_int_equal(run_on_pty(f, argv, "q", "no-such-terminal", &screen), 1);
	assert_stderr("top: cannot drive this terminal (TERM=no-such-terminal)");
	pv_buf_dispose(&screen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_dmesg),
		T(test_dmesg_big_ring),
		T(test_dmesg_fails),
		T(test_debug_keys),
		T(test_sysrq),
		T(test_dump_core),
		T(test_dump_core_fails),
		T(test_top_batch),
		T(test_top_usage),
		T(test_top_cpu_pct),
		T(test_top_bad_report),
		T(test_top_terminal),
#undef T
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(last_stderr);
	return rc;
}
