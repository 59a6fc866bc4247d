/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_info.c: info, the host: Xen version, CPUs, memory.
 */
#include <stdio.h>
#include <sys/utsname.h>

#include "pvctl.h"
#include "print.h"
#include "../lib/host.h"

/* Field names and layout as xl info prints them. */
int cmd_info(struct pv_cli *cli, int argc, char **argv)
{
	struct pv_physinfo pi;
	struct pv_err err;
	struct pv_printer p;
	struct utsname u;
	char version[64];
	int rc;

	pv_err_init(&err);
	rc = pv_host_physinfo(&cli->ctx, &pi, &err);
	pv_err_dispose(&err);
	if (rc) {
		pv_cli_error("cannot read host information: error %d", rc);
		return PV_EXIT_FAIL;
	}
	uname(&u);
	snprintf(version, sizeof(version), "%u.%u%s", pi.xen_major,
		 pi.xen_minor, pi.xen_extra);
	pv_print_init(&p, cli->opt_set[JSON_OPT]);
	pv_print_obj_open(&p, NULL);
	pv_print_str(&p, "host", "host                   : %s\n", u.nodename);
	pv_print_str(&p, "release", "release                : %s\n", u.release);
	pv_print_str(&p, "machine", "machine                : %s\n", u.machine);
	pv_print_uint(&p, "nr_cpus", "nr_cpus                : %llu\n", pi.nr_cpus);
	pv_print_uint(&p, "nr_nodes", "nr_nodes               : %llu\n", pi.nr_nodes);
	pv_print_uint(&p, "cpu_mhz", "cpu_mhz                : %llu\n", pi.cpu_mhz);
	pv_print_kb(&p, "total_memory_kb", "total_memory           : %llu\n",
		    pi.total_kb);
	pv_print_kb(&p, "free_memory_kb", "free_memory            : %llu\n",
		    pi.free_kb);
	pv_print_uint(&p, "xen_major", "xen_major              : %llu\n", pi.xen_major);
	pv_print_uint(&p, "xen_minor", "xen_minor              : %llu\n", pi.xen_minor);
	pv_print_str(&p, "xen_extra", "xen_extra              : %s\n", pi.xen_extra);
	pv_print_str(&p, "xen_version", "xen_version            : %s\n", version);
	pv_print_str(&p, "xen_caps", "xen_caps               : %s\n", pi.xen_caps);
	pv_print_obj_close(&p);
	rc = pv_print_dispose(&p);
	return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}
