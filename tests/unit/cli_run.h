/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli_run.h: runs pvctl command lines through the command table
 * (pv_cli_run, the cli with main() renamed) on a helpers.h fixture, for
 * the unit tests that check what commands print: their stdout is
 * returned, their stderr kept in last_stderr.
 */
#ifndef PV_TEST_CLI_RUN_H
#define PV_TEST_CLI_RUN_H

#include <stdarg.h>

#include "helpers.h"
#include "cli/pvctl.h"

/* What the last run() wrote on stderr. */
static char *last_stderr;

/* The whole file at @path ("" when empty). */
static inline char *read_all(const char *path)
{
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err err;

	pv_err_init(&err);
	if (pv_buf_read_file(&b, path, 0, &err))
		fail_msg("%s", pv_err_msg(&err));
	pv_err_dispose(&err);
	return b.s ? pv_buf_detach(&b) : pv_strdup("");
}

/* Redirects @fd into the file @path; returns the saved descriptor. */
static inline int redirect(int fd, const char *path)
{
	int saved = dup(fd), f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(saved >= 0 && f >= 0);
	dup2(f, fd);
	close(f);
	return saved;
}

/* Runs @argv (NULL-terminated) on @f; fails unless it exits @want_rc. */
static inline char *run_argv(struct fx *f, int want_rc, char **argv)
{
	char *out_path = fx_path(f, "stdout"), *err_path = fx_path(f, "stderr");
	char *out;
	struct pv_cli cli;
	int argc, saved_out, saved_err, rc;

	for (argc = 0; argv[argc]; argc++)
		;
	memset(&cli, 0, sizeof(cli));
	cli.ctx = f->ctx;
	fflush(stdout);
	fflush(stderr);
	saved_out = redirect(STDOUT_FILENO, out_path);
	saved_err = redirect(STDERR_FILENO, err_path);
	rc = pv_cli_run(&cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	out = read_all(out_path);
	free(last_stderr);
	last_stderr = read_all(err_path);
	if (rc != want_rc)
		fail_msg("'%s': exit %d, not %d; stderr:\n%s", argv[0], rc,
			 want_rc, last_stderr);
	free(out_path);
	free(err_path);
	return out;
}

/* The command line @fmt..., split at spaces. */
static inline char *run(struct fx *f, int want_rc, const char *fmt, ...) PV_PRINTF(3, 4);
static inline char *run(struct fx *f, int want_rc, const char *fmt, ...)
{
	char *words, *argv[16], *tok, *save, *out;
	struct pv_buf b = PV_BUF_INIT;
	int argc = 0;
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	words = pv_buf_detach(&b);
	for (tok = strtok_r(words, " ", &save); tok && argc < 15;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	out = run_argv(f, want_rc, argv);
	free(words);
	return out;
}

#endif
