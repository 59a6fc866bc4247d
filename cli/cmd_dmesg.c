/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_dmesg.c: dmesg, Xen's console ring, as xl dmesg.
 */
#include <stdio.h>
#include <unistd.h>

#include "pvctl.h"
#include "../lib/host.h"

int cmd_dmesg(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_buf ring = PV_BUF_INIT, safe = PV_BUF_INIT;
	struct pv_safe_text st = { { 0 }, 0, 0 };
	const struct pv_buf *out = &ring;
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	rc = pv_host_dmesg(&cli->ctx, cli->opt_set[DMESG_CLEAR], &ring, &err);
	if (rc) {
		pv_buf_dispose(&ring);
		return pv_cli_report(rc, &err);
	}
	pv_err_dispose(&err);
	/*
	 * A debug build of Xen lets guests print there too: on a terminal,
	 * their escape sequences are shown, not obeyed, as on `console`.
	 */
	if (isatty(STDOUT_FILENO)) {
		pv_cli_safe_text(&st, ring.s ? ring.s : "", ring.len, &safe);
		pv_cli_safe_text_end(&st, &safe);
		out = &safe;
	}
	if (out->len && fwrite(out->s, 1, out->len, stdout) != out->len)
		rc = PV_EXIT_FAIL;
	pv_buf_dispose(&ring);
	pv_buf_dispose(&safe);
	return rc;
}
