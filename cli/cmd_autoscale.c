/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_autoscale.c: autoscale run|plan|status|check. status and check
 * need no hypervisor: the first reads the loop's status file, the second
 * policy files.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "print.h"
#include "pvctl.h"
#include "../lib/balloon/loop.h"
#include "../lib/balloon/webhook.h"

static volatile int stop_flag, reload_flag;

static void on_stop(int sig)
{
	stop_flag = 1;
}

static void on_hup(int sig)
{
	reload_flag = 1;
}

/* Events (runaway, uncooperative, reloads...): stderr, and the webhook. */
static void log_event(void *arg, const char *json)
{
	struct pv_webhook *wh = arg;

	fprintf(stderr, "pvctl autoscale: %s\n", json);
	if (wh)
		pv_webhook_post(wh, json);
}

static int run(struct pv_cli *cli, struct pv_autoscale *as)
{
	struct pv_webhook *wh = NULL;
	struct pv_webhook_stats ws;
	struct sigaction sa;
	struct pv_err err;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* The webhook of host.policy at start (a reload does not move it). */
	if (as->policies.host.webhook) {
		wh = pv_webhook_start(as->policies.host.webhook,
				      as->policies.host.webhook_timeout_s,
				      as->policies.host.webhook_retries);
		if (!wh)
			fprintf(stderr, "pvctl autoscale: warning: events will not "
				"go to %s: libcurl (libcurl.so.4) cannot be "
				"loaded or set up\n", as->policies.host.webhook);
	}
	as->verbose = cli->verbose;
	as->event = log_event;
	as->event_arg = wh;
	fprintf(stderr, "pvctl autoscale: running with policies from %s "
		"(SIGHUP reloads them)%s%s\n", as->policy_dir,
		wh ? "; events to " : "", wh ? as->policies.host.webhook : "");
	pv_err_init(&err);
	rc = pv_autoscale_run(as, &stop_flag, &reload_flag, &err);
	pv_webhook_stop(wh, &ws);
	if (ws.unsent)
		fprintf(stderr, "pvctl autoscale: webhook: %lu event(s) dropped "
			"at stop, not sent\n", ws.unsent);
	return pv_cli_report(rc, &err);
}

/*
 * One row of the table plan and status print. Target shows "a->b" when
 * the decision moves it; Mem is what the guest holds now.
 */
struct row {
	const char *name;
	uint64_t domid, cur_kb, need_kb, target_kb, new_target_kb;
	uint64_t vcpus, new_vcpus;
	const char *why;		/* NULL: no policy matches */
	bool uncooperative, runaway;
};

static void print_header(void)
{
	printf("%-20s %5s %9s %9s %9s %6s  %s\n", "Name", "ID", "Mem(MiB)",
	       "Need", "Target", "VCPUs", "Decision");
}

static void print_row(const struct row *r)
{
	char tgt[48], vc[48];

	if (r->new_target_kb && r->new_target_kb != r->target_kb)
		snprintf(tgt, sizeof(tgt), "%llu->%llu",
			 (unsigned long long)r->target_kb / 1024,
			 (unsigned long long)r->new_target_kb / 1024);
	else
		snprintf(tgt, sizeof(tgt), "%llu",
			 (unsigned long long)r->target_kb / 1024);
	if (r->new_vcpus && r->new_vcpus != r->vcpus)
		snprintf(vc, sizeof(vc), "%llu->%llu", (unsigned long long)r->vcpus,
			 (unsigned long long)r->new_vcpus);
	else
		snprintf(vc, sizeof(vc), "%llu", (unsigned long long)r->vcpus);
	printf("%-20s %5llu %9llu %9llu %9s %6s  %s%s%s\n", r->name,
	       (unsigned long long)r->domid, (unsigned long long)r->cur_kb / 1024,
	       (unsigned long long)r->need_kb / 1024, tgt, vc,
	       r->why ? r->why : "no policy matches: left alone",
	       r->uncooperative ? " [uncooperative]" : "",
	       r->runaway ? " [runaway]" : "");
}

/*
 * One tick's decisions, not applied: as->doms. Its JSON is the status
 * file's, which the loop writes too: lib/ writes it into the printer.
 */
static int plan(struct pv_cli *cli, struct pv_autoscale *as)
{
	struct pv_printer p;
	struct pv_err err;
	size_t i;
	int rc;

	pv_err_init(&err);
	rc = pv_autoscale_tick(as, false, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_err_dispose(&err);
	pv_print_init(&p, cli->opt_set[AS_JSON]);
	if (p.json)
		pv_autoscale_status_json(as, &p.w);
	else
		print_header();
	for (i = 0; !p.json && i < as->n; i++) {
		const struct pv_as_dom *d = &as->doms[i];
		struct row r = {
			d->name, d->domid, d->cur_kb, d->need_kb, d->target_kb,
			d->new_target_kb, d->vcpus, d->new_vcpus,
			d->pol ? d->why : NULL, d->uncooperative, d->runaway,
		};

		print_row(&r);
	}
	return pv_print_dispose(&p) ? PV_EXIT_FAIL : PV_EXIT_OK;
}

/* A member of a status object: its number (0 if absent), string, flag. */
static uint64_t num(yajl_val o, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(o, path, yajl_t_number);

	return v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 ?
	       (uint64_t)YAJL_GET_INTEGER(v) : 0;
}

static const char *str(yajl_val o, const char *key)
{
	const char *path[] = { key, NULL };

	return YAJL_GET_STRING(yajl_tree_get(o, path, yajl_t_string));
}

static bool flag(yajl_val o, const char *key)
{
	const char *path[] = { key, NULL };

	return YAJL_IS_TRUE(yajl_tree_get(o, path, yajl_t_true));
}

/* The status file as a table: when it was written, the host, each guest. */
static void print_status(yajl_val root)
{
	const char *path[] = { "domains", NULL };
	yajl_val doms = yajl_tree_get(root, path, yajl_t_array);
	time_t t = (time_t)num(root, "time"), now = time(NULL);
	char when[32];
	size_t i;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	printf("Tick %llu at %s (%llds ago); host free %llu MiB, reserve %llu MiB, "
	       "promised to creates %llu MiB\n\n",
	       (unsigned long long)num(root, "ticks"), when,
	       (long long)(now - t), (unsigned long long)num(root, "host_free_kb") / 1024,
	       (unsigned long long)num(root, "host_reserve_kb") / 1024,
	       (unsigned long long)num(root, "host_pending_kb") / 1024);
	print_header();
	for (i = 0; doms && i < YAJL_GET_ARRAY(doms)->len; i++) {
		yajl_val d = YAJL_GET_ARRAY(doms)->values[i];
		struct row r = {
			str(d, "name") ? str(d, "name") : "-", num(d, "domid"),
			num(d, "memory_kb"), num(d, "need_kb"), num(d, "target_kb"),
			num(d, "new_target_kb"), num(d, "vcpus"), num(d, "new_vcpus"),
			str(d, "policy") ? str(d, "why") : NULL,
			flag(d, "uncooperative"), flag(d, "runaway"),
		};

		print_row(&r);
	}
}

/* What the running loop last wrote (RUN/autoscale.json); needs no Xen. */
static int status(struct pv_cli *cli)
{
	char *path = pv_asprintf("%s/autoscale.json", cli->ctx.run_dir);
	struct pv_buf b = PV_BUF_INIT;
	char errbuf[256];
	struct pv_err err;
	yajl_val root = NULL;
	int rc;

	pv_err_init(&err);
	rc = pv_buf_read_file(&b, path, 0, &err);
	if (rc == -ENOENT) {
		pv_cli_error("no autoscale status at %s: is `pvctl autoscale run` "
			     "running?", path);
		rc = PV_EXIT_FAIL;
	} else if (rc) {
		rc = pv_cli_report(rc, &err);
	} else if (cli->opt_set[AS_JSON]) {
		fputs(b.s, stdout);
		if (b.len && b.s[b.len - 1] != '\n')
			putchar('\n');
	} else if (!(root = yajl_tree_parse(b.s, errbuf, sizeof(errbuf)))) {
		pv_cli_error("%s: not the JSON autoscale writes: %s", path, errbuf);
		rc = PV_EXIT_FAIL;
	} else {
		print_status(root);
	}
	yajl_tree_free(root);
	pv_buf_dispose(&b);
	pv_err_dispose(&err);
	free(path);
	return rc;
}

/* The names pv_policy_load_dir reads: `*.policy`, not dot files. */
static int policy_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name), sn = strlen(PV_POLICY_SUFFIX);

	return de->d_name[0] != '.' && n > sn &&
	       !strcmp(de->d_name + n - sn, PV_POLICY_SUFFIX);
}

/*
 * Errors go to stderr bare, "FILE:LINE:COL: KEY: message", the form
 * editors and CI logs link to the line.
 */
static int check_file(const char *path, struct pv_policy_set *set)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = pv_policy_load_file(path, set, &err);
	if (rc)
		fprintf(stderr, "%s\n", pv_err_msg(&err));
	pv_err_dispose(&err);
	return rc;
}

/*
 * autoscale check: a policy file or directory, without Xen. Every file
 * is checked, so that one run lists every mistake; then the directory
 * is loaded as the loop loads it.
 */
static int check(const char *target)
{
	struct pv_policy_set set;
	struct dirent **names;
	struct pv_err err;
	struct stat st;
	int n, i, bad = 0;

	if (stat(target, &st)) {
		pv_cli_error("%s: %s", target, strerror(errno));
		return PV_EXIT_FAIL;
	}
	pv_policy_set_init(&set);
	if (!S_ISDIR(st.st_mode)) {
		bad = check_file(target, &set) != 0;
		if (!bad)
			printf("%s: ok\n", target);
		pv_policy_set_dispose(&set);
		return bad ? PV_EXIT_FAIL : PV_EXIT_OK;
	}
	n = scandir(target, &names, policy_file, alphasort);
	if (n < 0) {
		pv_cli_error("%s: %s", target, strerror(errno));
		pv_policy_set_dispose(&set);
		return PV_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		char *path = pv_asprintf("%s/%s", target, names[i]->d_name);
		struct pv_policy_set one;

		pv_policy_set_init(&one);
		bad += check_file(path, &one) != 0;
		pv_policy_set_dispose(&one);
		free(path);
		free(names[i]);
	}
	free(names);
	pv_err_init(&err);
	if (!bad && pv_policy_load_dir(target, &set, &err)) {
		fprintf(stderr, "%s\n", pv_err_msg(&err));
		bad = 1;
	}
	pv_err_dispose(&err);
	if (!bad)
		printf("%s: ok: %zu domain polic%s\n", target, set.n,
		       set.n == 1 ? "y" : "ies");
	pv_policy_set_dispose(&set);
	return bad ? PV_EXIT_FAIL : PV_EXIT_OK;
}

int cmd_autoscale(struct pv_cli *cli, int argc, char **argv)
{
	static const char *const verbs[] = { "run", "plan", "status", "check" };
	const char *dir, *verb;
	struct pv_autoscale as;
	struct pv_err err;
	uint64_t secs;
	size_t i;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	verb = argv[first];
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i]))
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]) ||
	    (argc - first > 1 && strcmp(verb, "check"))) {
		pv_cli_error("autoscale: %s '%s'", i < sizeof(verbs) / sizeof(verbs[0]) ?
			     "unexpected argument" : "unknown action",
			     argv[first + (argc - first > 1)]);
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	dir = cli->opt_set[AS_POLICY] ? cli->opt_val[AS_POLICY] : PV_POLICY_DIR;
	if (!strcmp(verb, "status"))
		return status(cli);
	if (!strcmp(verb, "check"))
		return check(argc - first > 1 ? argv[first + 1] : dir);
	if (pv_cli_opt_seconds(cli, AS_INTERVAL, 0, 3600, &secs))
		return PV_EXIT_USAGE;
	pv_err_init(&err);
	rc = pv_autoscale_init(&as, &cli->ctx, dir, &err);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		pv_err_dispose(&err);
		pv_autoscale_dispose(&as);
		return PV_EXIT_USAGE;
	}
	pv_err_dispose(&err);
	as.interval_s = (unsigned int)secs;
	rc = pv_cli_open_xen(cli);
	if (!rc)
		rc = !strcmp(verb, "run") ? run(cli, &as) : plan(cli, &as);
	pv_autoscale_dispose(&as);
	return rc;
}
