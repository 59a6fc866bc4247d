/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_shell.c: completion (for the interactive shell and, through the
 * hidden `pvctl __complete`, for bash) and the shell itself. Both derive
 * every candidate from the command table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

typedef void emit_fn(void *arg, const char *word);

static void emit_domains(struct pv_cli *cli, emit_fn *emit, void *arg)
{
	struct pv_domain_status *st;
	struct pv_err err;
	size_t n, i;

	pv_err_init(&err);
	if (pv_cli_open_xen(cli) == 0 &&
	    pv_domain_list(&cli->ctx, NULL, 0, &st, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			if (st[i].name)
				emit(arg, st[i].name);
		pv_domain_status_free(st, n);
	}
	pv_err_dispose(&err);
}

static void emit_commands(emit_fn *emit, void *arg)
{
	unsigned int i;

	for (i = 0; i < pv_ncommands; i++)
		emit(arg, pv_commands[i].name);
}

/*
 * Candidates for a value named in usage (an argument's word, an option's
 * value): each lowercase alternative of "run|plan" as it is; DOMAIN and
 * NAME, domains; FILE, DIR and CONFIG, files (returns 1); COMMAND,
 * commands. Sets *known if any alternative was one of these.
 */
static int complete_name(struct pv_cli *cli, const char *name, size_t len,
			 emit_fn *emit, void *arg, bool *known)
{
	const char *end = name + len;
	int files = 0;

	while (name < end) {
		size_t n = strcspn(name, "|");
		char *alt = pv_strndup(name, pv_min_u64(n, (size_t)(end - name)));
		bool lower = alt[0] && strspn(alt, "abcdefghijklmnopqrstuvwxyz"
					      "0123456789-") == strlen(alt);

		*known = true;
		if (lower)
			emit(arg, alt);
		else if (!strcmp(alt, "DOMAIN") || !strcmp(alt, "NAME"))
			emit_domains(cli, emit, arg);
		else if (!strcmp(alt, "FILE") || !strcmp(alt, "DIR") ||
			 !strcmp(alt, "CONFIG"))
			files = 1;
		else if (!strcmp(alt, "COMMAND"))
			emit_commands(emit, arg);
		else
			*known = false;	/* SIZE, SECONDS...: nothing to offer */
		name += strlen(alt) + 1;
		free(alt);
	}
	return files;
}

/* @cmd's option @word if it takes its value in the next word, else NULL. */
static const struct pv_opt *takes_next(const struct pv_cmd *cmd,
				       const char *word)
{
	const struct pv_opt *o;
	size_t len = strlen(word);

	for (o = cmd->opts; o->long_name && word[1] == '-'; o++)
		if (!strcmp(word + 2, o->long_name))
			return o->arg ? o : NULL;
	/* a bundle of short options: only its last may take a value */
	for (o = cmd->opts; o->long_name && word[1] != '-'; o++)
		if (o->short_name == word[len - 1] && len >= 2)
			return o->arg ? o : NULL;
	return NULL;
}

/* The @pos'th argument's word in @cmd's usage, without [ ] and "...". */
static bool usage_word(const struct pv_cmd *cmd, int pos, const char **w,
		       size_t *len)
{
	const char *a = cmd->args;
	bool rep = false;

	for (;;) {
		a += strspn(a, " [");
		*len = strcspn(a, " []");
		if (!*len)
			return rep;	/* past the end: the last again if it repeats */
		*w = a;
		rep = *len > 3 && !strncmp(a + *len - 3, "...", 3);
		if (rep)
			*len -= 3;
		if (pos-- == 0)
			return true;
		a += strcspn(a, " ");
	}
}

/*
 * Calls @emit for every candidate for the last of @words (which may be
 * empty), given the words before it: global options, then the command,
 * its options (and their values) and arguments, each completed as its
 * name in the usage says. Returns 1 when the candidates are file names,
 * which the caller's own file completion does better.
 */
static int complete_words(struct pv_cli *cli, int nwords, char **words,
			  emit_fn *emit, void *arg)
{
	const char *cur = nwords ? words[nwords - 1] : "", *w;
	const struct pv_cmd *cmd;
	const struct pv_opt *o;
	bool opts_end = false, known = false;
	int k = 0, i, pos = 0, files;
	size_t len;

	/* pvctl's own options come before the command: pvctl -v create */
	while (k < nwords - 1 && words[k][0] == '-')
		k++;
	if (k >= nwords - 1) {
		if (cur[0] != '-') {
			emit_commands(emit, arg);
		} else {
			emit(arg, "--verbose");
			emit(arg, "--help");
		}
		return 0;
	}
	cmd = pv_cmd_find(words[k]);
	if (!cmd)
		return 0;
	for (i = k + 1; i < nwords - 1; i++) {
		if (opts_end || words[i][0] != '-' || !words[i][1]) {
			pos++;
			continue;
		}
		if (!strcmp(words[i], "--")) {
			opts_end = true;
			continue;
		}
		o = takes_next(cmd, words[i]);
		if (!o)
			continue;
		/* bash splits --opt=value into --opt, =, value */
		if (i + 1 < nwords - 1 && !strcmp(words[i + 1], "="))
			i++;
		if (i + 1 == nwords - 1)
			return complete_name(cli, o->arg, strlen(o->arg), emit,
					     arg, &known);
		i++;
	}
	if (cur[0] == '-' && !opts_end) {
		for (o = cmd->opts; o->long_name; o++) {
			char *opt = pv_asprintf("--%s", o->long_name);

			emit(arg, opt);
			free(opt);
		}
		emit(arg, "--help");
		return 0;
	}
	files = usage_word(cmd, pos, &w, &len) ?
		complete_name(cli, w, len, emit, arg, &known) : 0;
	if (known || files || pos > 0)
		return files;
	/* a first argument whose name says nothing: the table's kind */
	switch (cmd->complete) {
	case PV_COMPLETE_DOMAIN:
		emit_domains(cli, emit, arg);
		return 0;
	case PV_COMPLETE_FILE:
		return 1;
	case PV_COMPLETE_COMMAND:
		emit_commands(emit, arg);
		return 0;
	case PV_COMPLETE_NONE:
		break;
	}
	return 0;
}

static void emit_line(void *arg, const char *word)
{
	const char *cur = arg;

	if (strncmp(word, cur, strlen(cur)) == 0)
		puts(word);
}

/* pvctl __complete WORD... CUR: one candidate per line, or "__files__". */
int cmd_complete(struct pv_cli *cli, int argc, char **argv)
{
	const char *cur = argc > 1 ? argv[argc - 1] : "";

	if (complete_words(cli, argc - 1, argv + 1, emit_line, (void *)cur))
		puts("__files__");
	return PV_EXIT_OK;
}

/* --- the interactive shell --- */

static struct pv_cli *shell_cli;

struct matches {
	const char *prefix;
	char **v;
	size_t n;
};

static void emit_match(void *arg, const char *word)
{
	struct matches *m = arg;

	if (strncmp(word, m->prefix, strlen(m->prefix)))
		return;
	m->v = pv_realloc(m->v, (m->n + 2) * sizeof(*m->v));
	m->v[m->n++] = pv_strdup(word);
	m->v[m->n] = NULL;
}

static void free_words(char **v, int n)
{
	while (n-- > 0)
		free(v[n]);
	free(v);
}

/*
 * Splits @line into words as a POSIX shell does, without expansions:
 * blanks separate; '...' keeps everything; "..." keeps all but \" and
 * \\, which a backslash escapes; elsewhere a backslash escapes the next
 * character; a word starting with # begins a comment. Returns the words
 * (NULL-terminated, *n of them), or NULL with *why set when a quote is
 * not closed, unless @partial (completion's view of a line being typed).
 */
char **pv_cli_split_line(const char *line, bool partial, int *n,
			 const char **why)
{
	struct pv_buf w = PV_BUF_INIT;
	char **v = pv_calloc(1, sizeof(*v));
	const char *p = line;
	char quote;

	*n = 0;
	for (;;) {
		bool in_word = false;

		p += strspn(p, " \t\n");
		if (!*p || *p == '#')
			break;
		pv_buf_reset(&w);
		pv_buf_add(&w, "", 0);
		while (*p && !strchr(" \t\n", *p)) {
			in_word = true;
			if (*p == '\\' && p[1]) {
				pv_buf_add(&w, p + 1, 1);
				p += 2;
				continue;
			}
			if (*p != '\'' && *p != '"') {
				pv_buf_add(&w, p++, 1);
				continue;
			}
			for (quote = *p++; *p && *p != quote; p++) {
				if (quote == '"' && *p == '\\' &&
				    (p[1] == '"' || p[1] == '\\'))
					p++;
				pv_buf_add(&w, p, 1);
			}
			if (!*p && !partial) {
				*why = quote == '"' ? "no closing \"" : "no closing '";
				pv_buf_dispose(&w);
				free_words(v, *n);
				*n = 0;
				return NULL;
			}
			if (*p)
				p++;
		}
		if (in_word) {
			v = pv_realloc(v, (size_t)(*n + 2) * sizeof(*v));
			v[(*n)++] = pv_buf_detach(&w);
			v[*n] = NULL;
		}
	}
	pv_buf_dispose(&w);
	return v;
}


static char **shell_complete(const char *text, int start, int end)
{
	char *before = pv_strndup(rl_line_buffer, (size_t)start);
	struct matches m = { text, NULL, 0 };
	const char *why;
	int n, files;
	char **words = pv_cli_split_line(before, true, &n, &why);

	words = pv_realloc(words, (size_t)(n + 2) * sizeof(*words));
	words[n++] = pv_strdup(text);
	files = complete_words(shell_cli, n, words, emit_match, &m);
	free_words(words, n);
	free(before);
	rl_attempted_completion_over = !files;
	if (!m.n)
		return NULL;
	/* readline wants the common prefix first; let it compute it. */
	m.v = pv_realloc(m.v, (m.n + 2) * sizeof(*m.v));
	memmove(m.v + 1, m.v, (m.n + 1) * sizeof(*m.v));
	m.v[0] = pv_strdup(text);
	if (m.n == 1) {
		free(m.v[0]);
		m.v[0] = m.v[1];
		m.v[1] = NULL;
	}
	return m.v;
}

/* ~/.pvctl_history (malloc'd), or NULL without a home. */
static char *history_path(void)
{
	const char *home = getenv("HOME");

	return home && *home ? pv_asprintf("%s/.pvctl_history", home) : NULL;
}

/* The next line: readline's on a terminal, a plain one from a pipe. */
static char *next_line(bool tty)
{
	char *line = NULL;
	size_t cap = 0;

	if (tty)
		return readline("pvctl> ");
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return NULL;
	}
	return line;
}

/*
 * The shell: one command per line, words split with shell quoting. On a
 * terminal, with line editing, completion and history kept in
 * ~/.pvctl_history. Its exit status is that of the last command that
 * failed (0 if none did), so that `pvctl shell < script` fails when a
 * step did.
 */
int cmd_shell(struct pv_cli *cli, int argc, char **argv)
{
	bool tty = isatty(STDIN_FILENO);
	char *hist = tty ? history_path() : NULL;
	int status = PV_EXIT_OK, lineno = 0;
	char *line;

	shell_cli = cli;
	rl_attempted_completion_function = shell_complete;
	if (hist) {
		stifle_history(1000);
		read_history(hist);	/* none yet is fine */
	}
	while ((line = next_line(tty))) {
		const char *why;
		int n, rc = PV_EXIT_OK;
		char **words = pv_cli_split_line(line, false, &n, &why);

		lineno++;
		if (tty && *line)
			add_history(line);
		if (!words) {
			pv_cli_error("shell: line %d: %s", lineno, why);
			rc = PV_EXIT_USAGE;
		} else if (n > 0 && (!strcmp(words[0], "exit") ||
				     !strcmp(words[0], "quit"))) {
			free_words(words, n);
			free(line);
			break;
		} else if (n > 0 && !strcmp(words[0], "shell")) {
			pv_cli_error("shell: already in the shell");
			rc = PV_EXIT_USAGE;
		} else if (n > 0) {
			rc = pv_cli_run(cli, n, words);
			fflush(stdout);
		}
		if (rc)
			status = rc;
		free_words(words, n);
		free(line);
	}
	if (hist && write_history(hist))
		pv_cli_error("shell: cannot save history to %s", hist);
	free(hist);
	return status;
}
