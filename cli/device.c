/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * device.c: attach, detach and list for any device kind (lib/devices
 * describes each kind as data); cmd_block.c and cmd_network.c bind them
 * to the block-* and network-* commands.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/devices/devices.h"
#include "../lib/domain/domain.h"

#define ATTACH_TIMEOUT_MS 30000

/*
 * Xen's xl takes a disk or vif spec as one argument or as several (one
 * key=value each): join them with commas.
 */
static char *join_spec(int argc, char **argv, int first)
{
	struct pv_buf b = PV_BUF_INIT;
	int i;

	for (i = first; i < argc; i++)
		pv_buf_printf(&b, "%s%s", i > first ? "," : "", argv[i]);
	return pv_buf_detach(&b);
}

/* After an attach: wait for both drivers, unless the guest is not running. */
static int wait_attached(struct pv_cli *cli, const char *kind, uint32_t domid,
			 uint32_t devid, struct pv_err *err)
{
	if (cli->interactive)
		fprintf(stderr, "Waiting for %s %u of domain %u to connect...\n",
			kind, devid, domid);
	return pv_device_wait_connected(&cli->ctx, kind, domid, devid,
					ATTACH_TIMEOUT_MS, err);
}

/*
 * block-attach and network-attach: the kind parses the spec and sets the
 * device up, then both drivers are waited for.
 */
int pv_cli_device_attach(struct pv_cli *cli, int argc, char **argv,
			 const struct pv_device_kind *k, int min_spec_args)
{
	struct pv_err err;
	uint32_t domid, devid;
	bool bad_spec;
	char *spec;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	if (argc - first < 1 + min_spec_args) {
		pv_cli_usage(cli->cmd, stderr);
		return PV_EXIT_USAGE;
	}
	rc = pv_cli_domain_arg(cli, argv[first], &domid);
	if (rc)
		return rc;
	spec = join_spec(argc, argv, first + 1);
	pv_err_init(&err);
	/* Set up whole or not at all; waiting may be cut short. */
	pv_cli_defer_signals(cli);
	rc = pv_domain_device_attach(&cli->ctx, domid, k->name, spec, &devid,
				     &bad_spec, &err);
	pv_cli_end_deferred_signals(cli);
	if (!rc)
		rc = wait_attached(cli, k->name, domid, devid, &err);
	free(spec);
	if (bad_spec) {
		pv_cli_report(rc, &err);
		return PV_EXIT_USAGE;
	}
	return pv_cli_report(rc, &err);
}

int pv_cli_device_detach(struct pv_cli *cli, int argc, char **argv,
			 const struct pv_device_kind *k)
{
	struct pv_err err;
	uint32_t domid, devid;
	uint64_t secs;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (rc)
		return rc;
	rc = pv_cli_opt_seconds(cli, DETACH_TIMEOUT, 30, 86400, &secs);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = pv_device_find(&cli->ctx, k->name, domid, argv[first + 1], &devid,
			    &err);
	if (!rc)
		rc = pv_domain_device_detach(&cli->ctx, domid, k->name, devid,
					     cli->opt_set[DETACH_FORCE],
					     (int)(secs * 1000), &err);
	return pv_cli_report(rc, &err);
}

int pv_cli_device_list(struct pv_cli *cli, int argc, char **argv,
		       const struct pv_device_kind *k)
{
	struct pv_device_status *st;
	struct pv_printer p;
	struct pv_err err;
	uint32_t domid;
	size_t n, i;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = pv_device_list(&cli->ctx, k->name, domid, &st, &n, &err);
	if (rc)
		return pv_cli_report(rc, &err);
	pv_print_init(&p, cli->opt_set[JSON_OPT]);
	pv_print_text(&p, "%-8s %-19s %-12s %-12s %-10s %s\n", "Idx",
		      k->cols.name.heading, "BE-state", "FE-state",
		      k->cols.detail.heading, k->cols.target.heading);
	pv_print_arr_open(&p, NULL);
	for (i = 0; i < n; i++) {
		pv_print_obj_open(&p, NULL);
		pv_print_uint(&p, "devid", "%-8llu ", st[i].devid);
		pv_print_str(&p, k->cols.name.json, "%-19s ", st[i].name);
		pv_print_str(&p, "backend_state", "%-12s ",
			     pv_xb_state_name(st[i].be_state));
		pv_print_str(&p, "frontend_state", "%-12s ",
			     pv_xb_state_name(st[i].fe_state));
		pv_print_str(&p, k->cols.detail.json, "%-10s ", st[i].detail);
		pv_print_str(&p, k->cols.target.json, "%s\n", st[i].target);
		pv_print_str(&p, "backend", NULL, st[i].backend);
		pv_print_obj_close(&p);
	}
	pv_print_arr_close(&p);
	rc = pv_print_dispose(&p);
	pv_device_status_free(st, n);
	pv_err_dispose(&err);
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}
