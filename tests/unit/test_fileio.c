/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fileio.c: util/fileio.c: state files replaced atomically and
 * durably (full content, the mode asked for whatever the umask, no
 * temporary file left, no symbolic link followed), writes that survive
 * short writes and signals, logs opened safely.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fileio.h"
#include "helpers.h"

/* Names in @dir, sorted and joined by ' ' (caller frees). */
static char *ls(const char *dir)
{
	struct dirent **v;
	struct pv_buf b = PV_BUF_INIT;
	int n, i;

	n = scandir(dir, &v, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
			if (b.len)
				pv_buf_puts(&b, " ");
			pv_buf_puts(&b, v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	return pv_buf_detach(&b);
}

static char *slurp(const char *path)
{
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err err;

	pv_err_init(&err);
	assert_int_equal(pv_buf_read_file(&b, path, 0, &err), 0);
	pv_err_dispose(&err);
	return pv_buf_detach(&b);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Made, then replaced: the content, the mode asked for, nothing else left. */
static void test_write_atomic(void **state)
{
	struct fx *f = *state;
	char *dir = fx_path(f, "d"), *path = fx_path(f, "d/state.json");
	struct pv_err err;
	char *s;
	mode_t old;

	assert_int_equal(mkdir(dir, 0700), 0);
	pv_err_init(&err);
	old = umask(0);
	assert_int_equal(pv_write_file_atomic(path, "first", 5, 0640, &err), 0);
	assert_int_equal(mode_of(path), 0640);
	/* a umask that would take more away does not change the mode either */
	umask(0277);
	assert_int_equal(pv_write_file_atomic(path, "second\n", 7, 0600, &err), 0);
	umask(old);
	assert_int_equal(mode_of(path), 0600);
	s = slurp(path);
	assert_string_equal(s, "second\n");
	free(s);
	s = ls(dir);
	assert_string_equal(s, "state.json");
	free(s);
	/* empty content is content */
	assert_int_equal(pv_write_file_atomic(path, "", 0, 0600, &err), 0);
	s = slurp(path);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(err.code, 0);
	pv_err_dispose(&err);
	free(path);
	free(dir);
}

/*
 * It fails cleanly: the error names the file, the old file is untouched
 * and no temporary file is left.
 */
static void test_write_atomic_fails(void **state)
{
	struct fx *f = *state;
	char *dir = fx_path(f, "d"), *path = fx_path(f, "d/busy");
	char *missing = fx_path(f, "nodir/x.json");
	struct pv_err err;
	char *s;

	assert_int_equal(mkdir(dir, 0700), 0);
	/* a directory where the file goes: the rename fails */
	assert_int_equal(mkdir(path, 0700), 0);
	pv_err_init(&err);
	assert_int_equal(pv_write_file_atomic(path, "x", 1, 0600, &err), -EISDIR);
	assert_non_null(strstr(pv_err_msg(&err), path));
	s = ls(dir);
	assert_string_equal(s, "busy");
	free(s);
	pv_err_dispose(&err);

	pv_err_init(&err);
	assert_int_equal(pv_write_file_atomic(missing, "x", 1, 0600, &err), -ENOENT);
	assert_non_null(strstr(pv_err_msg(&err), missing));
	pv_err_dispose(&err);
	free(missing);
	free(path);
	free(dir);
}

/*
 * Symbolic links: one at the file is replaced, not written through; one
 * at the name a fixed-name writer would use (FILE.tmp) is left alone.
 */
static void test_write_atomic_symlinks(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "state"), *tmp = fx_path(f, "state.tmp");
	char *victim = fx_path(f, "victim"), *s;
	struct pv_err err;
	struct stat st;

	fx_put_file(f, "victim", "precious");
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(symlink(victim, tmp), 0);
	pv_err_init(&err);
	assert_int_equal(pv_write_file_atomic(path, "new", 3, 0600, &err), 0);
	pv_err_dispose(&err);
	s = slurp(victim);
	assert_string_equal(s, "precious");
	free(s);
	s = slurp(path);
	assert_string_equal(s, "new");
	free(s);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(lstat(tmp, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	s = ls(f->tmp);
	assert_string_equal(s, "state state.tmp victim vmlinuz");
	free(s);
	free(victim);
	free(tmp);
	free(path);
}

/* --- pv_write_all through short writes and signals --- */

static void on_alarm(int sig)
{
	(void)sig;
}

struct writer {
	int fd, rc;
	const char *data;
	size_t len;
};

static void *write_thread(void *arg)
{
	struct writer *w = arg;

	w->rc = pv_write_all(w->fd, w->data, w->len);
	close(w->fd);
	return NULL;
}

/*
 * A pipe holds 64 KiB; 4 MiB through it while signals (no SA_RESTART)
 * interrupt the writer: write() returns short counts and EINTR, and
 * every byte still arrives, in order.
 */
static void test_write_all_interrupted(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	size_t len = 4u << 20, got = 0, i;
	char *data = pv_malloc(len), *back = pv_malloc(len);
	struct writer w;
	pthread_t t;
	int p[2];

	for (i = 0; i < len; i++)
		data[i] = (char)(i * 7 + i / 4096);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(pipe(p), 0);
	w = (struct writer){ p[1], -1, data, len };
	assert_int_equal(pthread_create(&t, NULL, write_thread, &w), 0);
	while (got < len) {
		ssize_t n = read(p[0], back + got, 1000);

		assert_true(n > 0);
		got += (size_t)n;
		pthread_kill(t, SIGUSR1);
	}
	pthread_join(t, NULL);
	close(p[0]);
	sigaction(SIGUSR1, &old, NULL);
	assert_int_equal(w.rc, 0);
	assert_memory_equal(data, back, len);
	free(back);
	free(data);
}

/* --- logs --- */

static void test_open_log(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "monitor.log"), *s;
	struct pv_err err;
	mode_t old;
	FILE *l;

	pv_err_init(&err);
	old = umask(0);
	l = pv_open_log(path, 0640, &err);
	umask(old);
	assert_non_null(l);
	fputs("one\n", l);
	assert_int_equal(fclose(l), 0);
	assert_int_equal(mode_of(path), 0640);
	/* an existing log loses what is beyond the mode, and is appended to */
	assert_int_equal(chmod(path, 0666), 0);
	l = pv_open_log(path, 0640, &err);
	assert_non_null(l);
	fputs("two\n", l);
	assert_int_equal(fclose(l), 0);
	assert_int_equal(mode_of(path), 0640);
	/* one made stricter by the operator stays so */
	assert_int_equal(chmod(path, 0600), 0);
	l = pv_open_log(path, 0640, &err);
	assert_non_null(l);
	assert_int_equal(fclose(l), 0);
	assert_int_equal(mode_of(path), 0600);
	s = slurp(path);
	assert_string_equal(s, "one\ntwo\n");
	free(s);
	assert_int_equal(err.code, 0);
	pv_err_dispose(&err);
	free(path);
}

/* A symbolic link, a FIFO (which would hang) or a directory are refused. */
static void test_open_log_refuses(void **state)
{
	struct fx *f = *state;
	char *link = fx_path(f, "link.log"), *fifo = fx_path(f, "fifo.log");
	char *victim = fx_path(f, "victim"), *s;
	struct pv_err err;

	fx_put_file(f, "victim", "precious");
	assert_int_equal(symlink(victim, link), 0);
	pv_err_init(&err);
	assert_null(pv_open_log(link, 0640, &err));
	assert_int_equal(err.code, -ELOOP);
	assert_non_null(strstr(pv_err_msg(&err), link));
	assert_non_null(strstr(pv_err_msg(&err), "symbolic link"));
	pv_err_dispose(&err);
	s = slurp(victim);
	assert_string_equal(s, "precious");
	free(s);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	pv_err_init(&err);
	assert_null(pv_open_log(fifo, 0640, &err));
	assert_non_null(strstr(pv_err_msg(&err), fifo));
	pv_err_dispose(&err);

	pv_err_init(&err);
	assert_null(pv_open_log(f->tmp, 0640, &err));
	assert_non_null(strstr(pv_err_msg(&err), f->tmp));
	pv_err_dispose(&err);
	free(victim);
	free(fifo);
	free(link);
}

/* What a writer killed mid-write left goes; nothing else does. */
static void test_remove_stale_temps(void **state)
{
	struct fx *f = *state;
	char *path = fx_path(f, "status.json");
	const char *keep[] = { "status.json", "status.json.tmp.x",
			       "status.json.bad", "other.json.tmp.AbC123" };
	const char *gone[] = { "status.json.tmp.AbC123", "status.json.tmp.zz9ZZ9" };
	struct stat st;
	char *p;
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		fx_put_file(f, keep[i], "{}");
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		fx_put_file(f, gone[i], "{\"half");
	pv_remove_stale_temps(path);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		p = fx_path(f, keep[i]);
		assert_int_equal(stat(p, &st), 0);
		free(p);
	}
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		p = fx_path(f, gone[i]);
		assert_int_equal(stat(p, &st), -1);
		free(p);
	}
	free(path);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_atomic),
		T(test_write_atomic_fails),
		T(test_write_atomic_symlinks),
		cmocka_unit_test(test_write_all_interrupted),
		T(test_open_log),
		T(test_open_log_refuses),
		T(test_remove_stale_temps),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
