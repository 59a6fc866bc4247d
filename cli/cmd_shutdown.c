/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_shutdown.c: shutdown and reboot (the PV control/shutdown request).
 */
#include <errno.h>
#include <stdio.h>

#include "pvctl.h"
#include "../lib/domain/domain.h"

/*
 * shutdown and reboot: the request, then with -w a wait until the domain
 * has shut down (the monitor then applies on_poweroff/on_reboot). A guest
 * that does not react in time is reported; with --destroy-after it is
 * destroyed. xl's -F (send an ACPI event when the guest has no PV
 * control) cannot apply: a PV guest has no ACPI.
 */
static int shutdown_common(struct pv_cli *cli, int argc, char **argv,
			   const char *what)
{
	struct pv_err err;
	uint64_t secs;
	uint32_t domid;
	int first, rc;

	PARSE_OPTS(cli, argc, argv, first);
	rc = pv_cli_one_domain(cli, argc, argv, first, 0, &domid);
	if (rc)
		return rc;
	rc = pv_cli_opt_seconds(cli, SD_TIMEOUT, 60, 86400, &secs);
	if (rc)
		return rc;
	if (cli->opt_set[SD_ACPI])
		fprintf(stderr, "pvctl: %s: -F (ACPI fallback) does nothing for a "
			"PV guest, which has no ACPI; --destroy-after destroys one "
			"that does not react\n", cli->cmd->name);
	pv_err_init(&err);
	rc = pv_domain_request_shutdown(&cli->ctx, domid, what, &err);
	if (rc || !(cli->opt_set[SD_WAIT] || cli->opt_set[SD_DESTROY]))
		return pv_cli_report(rc, &err);
	if (cli->interactive)
		fprintf(stderr, "Waiting for domain %s (%u) to %s...\n",
			argv[first], domid, what);
	rc = pv_domain_wait_shutdown(&cli->ctx, domid, (int)(secs * 1000), NULL);
	if (rc == -ETIMEDOUT) {
		pv_err_set(&err, rc, "domain %s did not %s within %llu s (%s)%s",
			   argv[first], what, (unsigned long long)secs,
			   pv_domain_shutdown_pending(&cli->ctx, domid) ?
			   "it has not even acknowledged the request: "
			   "no PV shutdown support, or it ignores it" :
			   "it acknowledged the request but did not finish",
			   cli->opt_set[SD_DESTROY] ? "; destroying it (--destroy-after)" :
			   "; --destroy-after destroys it");
		if (cli->opt_set[SD_DESTROY]) {
			pv_cli_error("%s", pv_err_msg(&err));
			pv_err_clear(&err);
			rc = pv_domain_destroy(&cli->ctx, domid, &err);
		}
	} else if (rc) {
		pv_err_sys(&err, rc, "waiting for domain %u", domid);
	}
	return pv_cli_report(rc, &err);
}

int cmd_shutdown(struct pv_cli *cli, int argc, char **argv)
{
	return shutdown_common(cli, argc, argv, "poweroff");
}

int cmd_reboot(struct pv_cli *cli, int argc, char **argv)
{
	return shutdown_common(cli, argc, argv, "reboot");
}
