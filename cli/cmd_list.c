/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_list.c: list (--config adds each domain's saved config; -l, as
 * xl's, is that in JSON; -v adds UUIDs and shutdown reasons).
 */
#include <stdlib.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"
#include "../util/uuid.h"

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

static void print_saved_config(struct pv_printer *p,
			       const struct pv_domain_config *cfg)
{
	if (p->json) {
		pv_jw_key(&p->w, "config");
		pv_domain_config_to_json(cfg, &p->w);
	}
	pv_print_text(p, "    kernel %s, memory %llu MiB (max %llu), vcpus %u (max %u)\n",
		      cfg->kernel ? cfg->kernel : "-",
		      (unsigned long long)cfg->memory_mb,
		      (unsigned long long)cfg->maxmem_mb, cfg->vcpus,
		      cfg->maxvcpus);
}

/*
 * Each domain's saved config is read, so that a domain pvctl made but can
 * no longer act for (its file damaged: the monitor cannot carry out its
 * on_* settings) is marked in every listing, not only with -l. A domain
 * pvctl did not make has no file, and no mark.
 */
/* One row; false if -l was asked for a config that cannot be read. */
static bool print_domain(struct pv_cli *cli, struct pv_printer *p,
			 const struct pv_domain_status *st, bool lng,
			 bool verbose)
{
	const struct pv_dominfo *i = &st->info;
	char state[7], uuid[PV_UUID_STRLEN + 1];
	struct pv_domain_config cfg;
	struct pv_err err;
	bool damaged;
	int rc;

	pv_domain_config_init(&cfg);
	pv_err_init(&err);
	rc = pv_domain_config_load(&cli->ctx, i->domid, &cfg, &err);
	damaged = pv_domain_config_damaged(rc);
	state_string(i, state);
	pv_uuid_format(i->uuid, uuid);
	pv_print_obj_open(p, NULL);
	pv_print_str(p, "name", "%-40s ", st->name ? st->name : "(null)");
	pv_print_uint(p, "domid", "%5llu ", i->domid);
	pv_print_kb(p, "memory_kb", "%5llu ", i->cur_kb + i->outstanding_kb);
	pv_print_uint(p, "vcpus", "%5llu     ", i->online_vcpus);
	pv_print_str(p, "state", "%s  ", state);
	pv_print_ns(p, "cpu_time_ns", "%8.1f", i->cpu_time_ns);
	/* -v: xl's columns (its security label needs XSM, which pvctl does not read) */
	pv_print_str(p, "uuid", verbose ? " %s" : NULL, uuid);
	if (verbose && i->shutdown)
		pv_print_text(p, " %8x", i->shutdown_reason);
	else if (verbose)
		pv_print_text(p, " %8s", "-");
	pv_print_kb(p, "max_memory_kb", NULL, i->max_kb);
	pv_print_uint(p, "max_vcpu_id", NULL, i->max_vcpu_id);
	if (lng && rc)
		pv_print_str(p, "config", NULL, NULL);
	if (damaged)
		pv_print_str(p, "config_error", "  config error: %s", pv_err_msg(&err));
	/* A domain a pvctl command works on now, or left half done. */
	if (st->incomplete)
		pv_print_str(p, "incomplete", "  %s", st->incomplete);
	pv_print_text(p, "\n");
	if (lng && !rc)
		print_saved_config(p, &cfg);
	pv_print_obj_close(p);
	if (lng && damaged)
		pv_cli_error("domain %u (%s): its saved config cannot be read: %s",
			     i->domid, st->name ? st->name : "?", pv_err_msg(&err));
	pv_err_dispose(&err);
	pv_domain_config_dispose(&cfg);
	return !(lng && damaged);
}

int cmd_list(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_status *st;
	struct pv_printer p;
	struct pv_err err;
	uint32_t *ids;
	size_t n, i;
	int first, rc = 0;
	bool ok = true;

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
	pv_print_init(&p, cli->opt_set[LIST_JSON] || cli->opt_set[LIST_LONG]);
	pv_print_text(&p, "Name                                        ID   Mem VCPUs\tState\tTime(s)%s\n",
		      cli->opt_set[LIST_VERBOSE] ?
		      "   UUID                            Reason-Code" : "");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++)
		ok &= print_domain(cli, &p, &st[i], cli->opt_set[LIST_LONG] ||
				   cli->opt_set[LIST_CONFIG], cli->opt_set[LIST_VERBOSE]);
	pv_print_arr_close(&p);
	rc = pv_print_dispose(&p);
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return rc || !ok ? PV_EXIT_FAIL : PV_EXIT_OK;
}
