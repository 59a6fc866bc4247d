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

/*
 * Calls @emit for every candidate for the last of @words (which may be
 * empty), given the words before it. Returns 1 when the candidates are
 * file names, which the caller's own file completion does better.
 */
static int complete_words(struct pv_cli *cli, int nwords, char **words,
			  emit_fn *emit, void *arg)
{
	const char *cur = nwords ? words[nwords - 1] : "";
	const struct pv_cmd *cmd;
	const struct pv_opt *o;
	unsigned int i;

	if (nwords <= 1) {
		for (i = 0; i < pv_ncommands; i++)
			emit(arg, pv_commands[i].name);
		return 0;
	}
	cmd = pv_cmd_find(words[0]);
	if (!cmd)
		return 0;
	if (cur[0] == '-') {
		for (o = cmd->opts; o->long_name; o++) {
			char *w = pv_asprintf("--%s", o->long_name);

			emit(arg, w);
			free(w);
		}
		emit(arg, "--help");
		return 0;
	}
	switch (cmd->complete) {
	case PV_COMPLETE_DOMAIN:
		emit_domains(cli, emit, arg);
		return 0;
	case PV_COMPLETE_FILE:
		return 1;
	case PV_COMPLETE_COMMAND:
		for (i = 0; i < pv_ncommands; i++)
			emit(arg, pv_commands[i].name);
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
