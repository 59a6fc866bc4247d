/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.c: what every command shares: option parsing and usage from the
 * command table, errors, DOMAIN arguments, deferred signals.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

void pv_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pvctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pv_cli_usage(const struct pv_cmd *cmd, FILE *f)
{
	const struct pv_opt *o;

	fprintf(f, "usage: pvctl %s%s%s%s\n", cmd->name,
		cmd->opts[0].long_name ? " [OPTIONS]" : "",
		*cmd->args ? " " : "", cmd->args);
	fprintf(f, "\n%s\n", cmd->summary);
	if (!cmd->opts[0].long_name)
		return;
	fputs("\noptions:\n", f);
	for (o = cmd->opts; o->long_name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "%c%c%s--%s%s%s",
			 o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->long_name,
			 o->arg ? "=" : "", o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

static int find_opt(const struct pv_cmd *cmd, const char *arg, bool is_long,
		    size_t len)
{
	int i;

	for (i = 0; cmd->opts[i].long_name; i++) {
		if (is_long ? strlen(cmd->opts[i].long_name) == len &&
			      !strncmp(cmd->opts[i].long_name, arg, len)
			    : cmd->opts[i].short_name == arg[0])
			return i;
	}
	return -1;
}

/* Parses one option word at argv[*i] (and its value); 0 or an exit code. */
static int parse_one(struct pv_cli *cli, int argc, char **argv, int *i)
{
	const struct pv_cmd *cmd = cli->cmd;
	const char *a = argv[*i];
	int idx;

	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		pv_cli_usage(cmd, stdout);
		return -1;
	}
	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

		idx = find_opt(cmd, a + 2, true, len);
		if (idx < 0 || (!cmd->opts[idx].arg && eq))
			goto bad;
		if (cmd->opts[idx].arg && !eq && *i + 1 >= argc)
			goto missing;
		cli->opt_set[idx] = true;
		if (cmd->opts[idx].arg)
			cli->opt_val[idx] = eq ? eq + 1 : argv[++*i];
		return 0;
	}
	for (a++; *a; a++) {
		idx = find_opt(cmd, a, false, 1);
		if (idx < 0)
			goto bad;
		cli->opt_set[idx] = true;
		if (!cmd->opts[idx].arg)
			continue;
		if (a[1])
			cli->opt_val[idx] = a + 1;
		else if (*i + 1 < argc)
			cli->opt_val[idx] = argv[++*i];
		else
			goto missing;
		break;
	}
	return 0;
bad:
	pv_cli_error("%s: unknown option '%s'", cmd->name, argv[*i]);
	pv_cli_usage(cmd, stderr);
	return PV_EXIT_USAGE;
missing:
	pv_cli_error("%s: option '%s' needs a value", cmd->name, argv[*i]);
	pv_cli_usage(cmd, stderr);
	return PV_EXIT_USAGE;
}

/*
 * Options may come anywhere among the arguments, GNU-style ("--" ends
 * them; -h/--help is every command's; short flags bundle: -nq). On
 * success the positional arguments are moved, in order, to the end of
 * argv and *first is the index of the first one.
 */
int pv_cli_parse_opts(struct pv_cli *cli, int argc, char **argv, int *first)
{
	char **pos = pv_calloc((size_t)argc, sizeof(*pos));
	int i, npos = 0, nopt = 1, rc = 0;

	for (i = 1; i < argc; i++) {
		int start = i;

		if (!strcmp(argv[i], "--")) {
			while (++i < argc)
				pos[npos++] = argv[i];
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			pos[npos++] = argv[i];
			continue;
		}
		rc = parse_one(cli, argc, argv, &i);
		if (rc)
			break;
		/* Keep the option words (and a separate value) at the front. */
		while (start <= i)
			argv[nopt++] = argv[start++];
	}
	if (!rc) {
		memcpy(argv + nopt, pos, (size_t)npos * sizeof(*pos));
		*first = nopt;
	}
	free(pos);
	return rc;
}

void pv_cli_args_range(const struct pv_cmd *cmd, int *min, int *max)
{
	const char *a = cmd->args;
	int depth = 0;

	*min = *max = 0;
	while (*a) {
		size_t len = strcspn(a, " ");
		bool optional = depth > 0 || *a == '[';
		const char *c;

		for (c = a; c < a + len; c++)
			depth += *c == '[' ? 1 : *c == ']' ? -1 : 0;
		if (!optional)
			++*min;
		if (*max >= 0)
			++*max;
		if (memmem(a, len, "...", 3))
			*max = -1;
		a += len + strspn(a + len, " ");
	}
}

int pv_cli_open_xen(struct pv_cli *cli)
{
	struct pv_err err;
	int rc;

	if (cli->ctx.hv.ops)
		return 0;
	pv_err_init(&err);
	rc = pv_hv_open_xen(&cli->ctx.hv, &err);
	if (rc)
		pv_cli_error("%s", pv_err_msg(&err));
	pv_err_dispose(&err);
	return rc ? PV_EXIT_FAIL : 0;
}

static volatile sig_atomic_t interrupted;
static const int deferred[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved[sizeof(deferred) / sizeof(deferred[0])];

static void on_deferred(int sig)
{
	interrupted = sig;
}

void pv_cli_defer_signals(struct pv_cli *cli)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deferred;
	sa.sa_flags = SA_RESTART;	/* hypercalls and waits go on to their end */
	for (i = 0; i < sizeof(deferred) / sizeof(deferred[0]); i++) {
		sigaction(deferred[i], NULL, &saved[i]);
		/* what the caller ignores (nohup, a shell's background job) stays so */
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(deferred[i], &sa, NULL);
	}
	interrupted = 0;
	cli->ctx.interrupted = &interrupted;
}

void pv_cli_end_deferred_signals(struct pv_cli *cli)
{
	size_t i;

	for (i = 0; i < sizeof(deferred) / sizeof(deferred[0]); i++)
		sigaction(deferred[i], &saved[i], NULL);
	cli->ctx.interrupted = NULL;
	if (interrupted)
		raise(interrupted);	/* now it may end us, as it asked */
}

int pv_cli_domain_arg(struct pv_cli *cli, const char *spec, uint32_t *domid)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = pv_domain_lookup(&cli->ctx, spec, domid, &err);
	if (rc)
		pv_cli_error("%s", pv_err_msg(&err));
	pv_err_dispose(&err);
	return rc ? PV_EXIT_FAIL : 0;
}

int pv_cli_report(int rc, struct pv_err *err)
{
	if (rc)
		pv_cli_error("%s", pv_err_msg(err));
	pv_err_dispose(err);
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}

int pv_cli_one_domain(struct pv_cli *cli, int argc, char **argv, int first,
		      int extra, uint32_t *domid)
{
	if (argc - first != 1 + extra) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	return pv_cli_domain_arg(cli, argv[first], domid);
}

int pv_cli_opt_seconds(struct pv_cli *cli, int idx, uint64_t def,
		       uint64_t max, uint64_t *secs)
{
	const char *v = cli->opt_val[idx];

	*secs = def;
	if (!cli->opt_set[idx])
		return 0;
	if (pv_parse_uint(v, max, secs) || !*secs) {
		pv_cli_error("%s: bad --%s '%s' (1 to %llu seconds)", cli->cmd->name,
			     cli->cmd->opts[idx].long_name, v, (unsigned long long)max);
		return PV_EXIT_USAGE;
	}
	return 0;
}

void pv_cli_warn(void *ctx, const char *where, const char *key,
		 const char *msg)
{
	fprintf(stderr, "pvctl: warning: %s: %s: %s\n", where, key, msg);
}

/* Progress of a create: a live status line on a terminal, timings with -v. */
void pv_cli_step(void *arg, const char *what, uint64_t ms)
{
	struct pv_cli *cli = arg;

	if (cli->verbose)
		fprintf(stderr, "  %6.3fs  %s\n", (double)ms / 1000, what);
	else if (cli->interactive)
		fprintf(stderr, "\r\033[K  %s done", what);
}

void pv_cli_show_progress(void *arg, uint64_t bytes)
{
	struct pv_cli_progress *p = arg;
	uint64_t now = pv_now_ms(), ms = now - p->t0;

	if (now - p->last_ms < 200)
		return;
	p->last_ms = now;
	fprintf(stderr, "\r\033[K  %s: %llu MiB, %.1f MiB/s", p->what,
		(unsigned long long)(bytes >> 20),
		ms ? (double)bytes / 1048576.0 * 1000.0 / (double)ms : 0.0);
}
