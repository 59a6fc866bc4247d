/*
 * cmd_domain.c: create, destroy, list, domid, domname.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"
#include "../util/uuid.h"

static void warn_cb(void *ctx, const char *where, const char *key,
		    const char *msg)
{
	fprintf(stderr, "pvctl: warning: %s: %s: %s\n", where, key, msg);
}

/* Progress of a create: a live status line on a terminal, timings with -v. */
static void step_cb(void *arg, const char *what, uint64_t ms)
{
	struct pv_cli *cli = arg;

	if (cli->verbose)
		fprintf(stderr, "  %6.3fs  %s\n", (double)ms / 1000, what);
	else if (cli->interactive)
		fprintf(stderr, "\r\033[K  %s done", what);
}

static int print_config_json(const struct pv_domain_config *cfg)
{
	struct pv_printer p;

	pv_print_init(&p, true);
	pv_domain_config_to_json(cfg, &p.w);
	return pv_print_dispose(&p);
}

enum { CREATE_DRY_RUN, CREATE_QUIET };

int cmd_create(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_config cfg;
	struct pv_err err;
	uint32_t domid;
	uint64_t t0 = pv_now_ms();
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (first >= argc) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	if (!cli->opt_set[CREATE_QUIET] && !cli->opt_set[CREATE_DRY_RUN])
		fprintf(stderr, "Parsing config from %s\n", argv[first]);
	rc = pv_xlcfg_parse_file(argv[first], argv + first + 1, argc - first - 1,
				 &cfg, warn_cb, NULL, &err);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		rc = PV_EXIT_USAGE;
		goto out;
	}
	if (cli->opt_set[CREATE_DRY_RUN]) {
		rc = print_config_json(&cfg) ? PV_EXIT_FAIL : PV_EXIT_OK;
		goto out;
	}
	rc = pv_cli_open_xen(cli);
	if (rc)
		goto out;
	cli->ctx.step = step_cb;
	cli->ctx.step_arg = cli;
	pv_cli_defer_signals(cli);
	rc = pv_domain_create(&cli->ctx, &cfg, &domid, &err);
	if (cli->interactive && !cli->verbose)
		fputs("\r\033[K", stderr);
	if (rc) {
		pv_cli_error("create failed: %s", pv_err_msg(&err));
		pv_cli_error("nothing was left behind: the partial domain was removed");
		rc = PV_EXIT_FAIL;
	} else {
		if (cli->verbose)
			fprintf(stderr, "  %6.3fs  total\n",
				(double)(pv_now_ms() - t0) / 1000);
		if (!cli->opt_set[CREATE_QUIET])
			fprintf(stderr, "Started domain %s (id=%u)\n", cfg.name, domid);
		/* Someone must act on the guest's shutdown, reboot or crash. */
		pv_cli_spawn_monitor();
	}
	pv_cli_end_deferred_signals(cli);
out:
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
	return rc;
}

int cmd_destroy(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_err err;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	return pv_cli_report(pv_domain_destroy(&cli->ctx, domid, &err), &err);
}

/* xl's state column: running, blocked, paused, shutdown, crashed, dying. */
static void state_string(const struct pv_dominfo *i, char out[7])
{
	out[0] = i->running ? 'r' : '-';
	out[1] = i->blocked ? 'b' : '-';
	out[2] = i->paused ? 'p' : '-';
	out[3] = i->shutdown ? 's' : '-';
	out[4] = i->crashed ? 'c' : '-';
	out[5] = i->dying ? 'd' : '-';
	out[6] = '\0';
}

static void print_saved_config(struct pv_cli *cli, struct pv_printer *p,
			       uint32_t domid)
{
	struct pv_domain_config cfg;
	struct pv_err err;

	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	if (pv_domain_config_load(&cli->ctx, domid, &cfg, &err) == 0) {
		if (p->json) {
			pv_jw_key(&p->w, "config");
			pv_domain_config_to_json(&cfg, &p->w);
		}
		pv_print_text(p, "    kernel %s, memory %llu MiB (max %llu), vcpus %u (max %u)\n",
			      cfg.kernel ? cfg.kernel : "-",
			      (unsigned long long)cfg.memory_mb,
			      (unsigned long long)cfg.maxmem_mb, cfg.vcpus,
			      cfg.maxvcpus);
	} else {
		pv_print_str(p, "config", NULL, NULL);
	}
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
}

static void print_domain(struct pv_cli *cli, struct pv_printer *p,
			 const struct pv_domain_status *st, bool lng)
{
	const struct pv_dominfo *i = &st->info;
	char state[7], uuid[PV_UUID_STRLEN + 1];

	state_string(i, state);
	pv_uuid_format(i->uuid, uuid);
	pv_print_obj_open(p, NULL);
	pv_print_str(p, "name", "%-40s ", st->name ? st->name : "(null)");
	pv_print_uint(p, "domid", "%5llu ", i->domid);
	pv_print_uint(p, "memory_mib", "%5llu ", (i->cur_kb + i->outstanding_kb) / 1024);
	pv_print_uint(p, "vcpus", "%5llu     ", i->online_vcpus);
	pv_print_str(p, "state", "%s  ", state);
	pv_print_float(p, "cpu_time_s", "%8.1f\n", (double)i->cpu_time_ns / 1e9);
	pv_print_str(p, "uuid", NULL, uuid);
	pv_print_uint(p, "max_memory_kib", NULL, i->max_kb);
	pv_print_uint(p, "max_vcpu_id", NULL, i->max_vcpu_id);
	if (lng)
		print_saved_config(cli, p, i->domid);
	pv_print_obj_close(p);
}

enum { LIST_JSON, LIST_LONG };

int cmd_list(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_status *st;
	struct pv_printer p;
	struct pv_err err;
	uint32_t *ids;
	size_t n, i;
	int first, rc = 0;

	PARSE_OPTS(cli, argc, argv, first);
	ids = pv_calloc((size_t)(argc - first), sizeof(*ids));
	for (i = 0; i < (size_t)(argc - first) && !rc; i++)
		rc = pv_cli_domain_arg(cli, argv[first + (int)i], &ids[i]);
	if (rc) {
		free(ids);
		return rc;
	}
	pv_err_init(&err);
	rc = pv_domain_list(&cli->ctx, ids, (size_t)(argc - first), &st, &n, &err);
	free(ids);
	if (rc) {
		pv_cli_error("%s", pv_err_msg(&err));
		pv_err_dispose(&err);
		return PV_EXIT_FAIL;
	}
	pv_print_init(&p, cli->opt_set[LIST_JSON]);
	pv_print_text(&p, "Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++)
		print_domain(cli, &p, &st[i], cli->opt_set[LIST_LONG]);
	pv_print_arr_close(&p);
	pv_print_dispose(&p);
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return PV_EXIT_OK;
}

int cmd_domid(struct pv_cli *cli, int argc, char **argv)
{
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (!rc)
		printf("%u\n", domid);
	return rc;
}

int cmd_domname(struct pv_cli *cli, int argc, char **argv)
{
	uint32_t domid;
	char *name;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	name = pv_domain_get_name(&cli->ctx, domid);
	if (!name) {
		pv_cli_error("domain %u has no name in XenStore", domid);
		return PV_EXIT_FAIL;
	}
	printf("%s\n", name);
	free(name);
	return PV_EXIT_OK;
}
