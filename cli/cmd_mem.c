/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_mem.c: mem-set and mem-max.
 */
#include "pvctl.h"
#include "../lib/domain/domain.h"

/* SIZE as xl takes it: 256m, 1g, 131072k; a bare number is MiB. */
static int size_arg(const char *s, uint64_t *kb)
{
	if (pv_parse_size_kb(s, 'm', kb) == 0)
		return 0;
	pv_cli_error("bad size '%s' (examples: 256m, 1g, 131072k)", s);
	return PV_EXIT_USAGE;
}

static int mem_common(struct pv_cli *cli, int argc, char **argv, bool max)
{
	struct pv_err err;
	uint32_t domid;
	uint64_t kb;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 1, &domid);
	if (!rc)
		rc = size_arg(argv[first + 1], &kb);
	if (rc)
		return rc;
	pv_err_init(&err);
	rc = max ? pv_domain_set_maxmem(&cli->ctx, domid, kb, &err)
		 : pv_domain_set_target(&cli->ctx, domid, kb, &err);
	if (!rc) {
		struct pv_live_change ch = {
			.what = max ? PV_LIVE_MAXMEM : PV_LIVE_MEMORY, .value = kb,
		};

		rc = pv_domain_config_note(&cli->ctx, domid, &ch, &err);
	}
	return pv_cli_report(rc, &err);
}

int cmd_mem_set(struct pv_cli *cli, int argc, char **argv)
{
	return mem_common(cli, argc, argv, false);
}

int cmd_mem_max(struct pv_cli *cli, int argc, char **argv)
{
	return mem_common(cli, argc, argv, true);
}
