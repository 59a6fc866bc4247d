/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_uptime.c: uptime.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/domain/domain.h"

static void print_duration(char *out, size_t n, uint64_t s)
{
	if (s >= 86400)
		snprintf(out, n, "%llu days, %2llu:%02llu:%02llu",
			 (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600),
			 (unsigned long long)(s % 3600 / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(out, n, "%2llu:%02llu:%02llu",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60),
			 (unsigned long long)(s % 60));
}

/* Like xl uptime: every domain, or the DOMAINs named (each must exist). */
int cmd_uptime(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_domain_status *st;
	struct pv_printer p;
	struct pv_err err;
	uint32_t *ids;
	size_t n, i, nids = 0;
	int first, rc = 0;

	PARSE_OPTS(cli, argc, argv, first);
	ids = pv_calloc((size_t)(argc - first) + 1, sizeof(*ids));
	for (; first + (int)nids < argc && !rc; nids++)
		rc = pv_cli_domain_arg(cli, argv[first + (int)nids], &ids[nids]);
	if (rc) {
		free(ids);
		return rc;
	}
	pv_err_init(&err);
	rc = pv_domain_list(&cli->ctx, ids, nids, &st, &n, &err);
	free(ids);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_print_init(&p, cli->opt_set[JSON_OPT]);
	pv_print_text(&p, "%-32s %5s %s\n", "Name", "ID", "Uptime");
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++) {
		uint64_t up;
		char text[64];

		if (pv_domain_uptime(&cli->ctx, st[i].info.domid, &up, &err))
			up = 0;		/* start unknown */
		pv_err_clear(&err);
		print_duration(text, sizeof(text), up);
		pv_print_obj_open(&p, NULL);
		pv_print_str(&p, "name", "%-32s ", st[i].name);
		pv_print_uint(&p, "domid", "%5llu ", st[i].info.domid);
		/* JSON has the number alone; the text, xl's [D days,] H:MM:SS. */
		pv_print_uint(&p, "uptime_s", NULL, up);
		pv_print_text(&p, "%s\n", text);
		pv_print_obj_close(&p);
	}
	pv_print_arr_close(&p);
	rc = pv_print_dispose(&p);
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}
