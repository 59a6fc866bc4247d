/*
 * cmdtable.c: every pvctl command, once. Dispatch, `pvctl help`, the
 * interactive shell's completion and bash completion (through the hidden
 * `pvctl __complete`) all read this table; tests check the man page
 * against it.
 */
#include <string.h>

#include "pvctl.h"

static const struct pv_opt no_opts[] = { { 0 } };

static const struct pv_opt create_opts[] = {
	{ 'n', "dry-run", NULL, "parse and check the config, print it as JSON, create nothing" },
	{ 'q', "quiet", NULL, "print nothing but errors" },
	{ 0 }
};

static const struct pv_opt list_opts[] = {
	{ 'j', "json", NULL, "print JSON (see pvctl(1) for its fields)" },
	{ 'l', "long", NULL, "also print each domain's saved config" },
	{ 0 }
};

static const struct pv_opt shutdown_opts[] = {
	{ 'w', "wait", NULL, "wait until the domain has shut down" },
	{ 'F', "force", NULL, "destroy the domain if it does not shut down in time (implies -w)" },
	{ 't', "timeout", "SECONDS", "how long -w and -F wait (default 60)" },
	{ 0 }
};

static const struct pv_opt monitor_opts[] = {
	{ 'f', "foreground", NULL, "log to stderr, and fail if a monitor already runs" },
	{ 0, "idle-exit", NULL, "exit when no pvctl domain is left" },
	{ 0 }
};

static const struct pv_opt console_opts[] = {
	{ 't', "timeout", "SECONDS", "detach after SECONDS (for scripts)" },
	{ 0 }
};

static const struct pv_opt detach_opts[] = {
	{ 'f', "force", NULL, "detach without the guest's agreement" },
	{ 't', "timeout", "SECONDS", "how long to wait for the guest (default 30)" },
	{ 0 }
};

static const struct pv_opt autoscale_opts[] = {
	{ 'p', "policy", "DIR", "policy directory (default /etc/pvctl/policy.d)" },
	{ 'i', "interval", "SECONDS", "tick period, overriding host.policy's" },
	{ 'j', "json", NULL, "plan: print JSON" },
	{ 0 }
};

static const struct pv_opt json_opts[] = {
	{ 'j', "json", NULL, "print JSON" },
	{ 0 }
};

const struct pv_cmd pv_commands[] = {
	{ "create", cmd_create, "create a PV domain from an xl.cfg file",
	  "FILE [KEY=VALUE...]", create_opts, PV_COMPLETE_FILE, false },
	{ "list", cmd_list, "list domains, like xl list",
	  "[DOMAIN...]", list_opts, PV_COMPLETE_DOMAIN, true },
	{ "destroy", cmd_destroy, "destroy a domain at once",
	  "DOMAIN", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "shutdown", cmd_shutdown, "ask a domain to power off (PV control/shutdown)",
	  "DOMAIN", shutdown_opts, PV_COMPLETE_DOMAIN, true },
	{ "reboot", cmd_reboot, "ask a domain to reboot (PV control/shutdown)",
	  "DOMAIN", shutdown_opts, PV_COMPLETE_DOMAIN, true },
	{ "pause", cmd_pause, "pause a domain",
	  "DOMAIN", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "unpause", cmd_unpause, "unpause a domain",
	  "DOMAIN", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "rename", cmd_rename, "rename a domain",
	  "DOMAIN NEWNAME", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "mem-set", cmd_mem_set, "set a domain's memory target (balloon)",
	  "DOMAIN SIZE", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "mem-max", cmd_mem_max, "set the most memory a domain may be given",
	  "DOMAIN SIZE", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "vcpu-set", cmd_vcpu_set, "set how many vCPUs a domain has online",
	  "DOMAIN N", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "vcpu-list", cmd_vcpu_list, "list domains' vCPUs",
	  "[DOMAIN...]", json_opts, PV_COMPLETE_DOMAIN, true },
	{ "vcpu-pin", cmd_vcpu_pin, "pin a vCPU (or all) to physical CPUs",
	  "DOMAIN VCPU|all CPUS", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "console", cmd_console, "attach to a domain's console (Ctrl-] detaches)",
	  "DOMAIN", console_opts, PV_COMPLETE_DOMAIN, true },
	{ "block-attach", cmd_block_attach, "attach a disk to a running domain",
	  "DOMAIN DISKSPEC...", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "block-detach", cmd_block_detach, "detach a disk (Closing/Closed handshake)",
	  "DOMAIN VDEV", detach_opts, PV_COMPLETE_DOMAIN, true },
	{ "block-list", cmd_block_list, "list a domain's disks",
	  "DOMAIN", json_opts, PV_COMPLETE_DOMAIN, true },
	{ "network-attach", cmd_network_attach, "attach a network interface to a running domain",
	  "DOMAIN [VIFSPEC...]", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "network-detach", cmd_network_detach, "detach a network interface",
	  "DOMAIN MAC|DEVID", detach_opts, PV_COMPLETE_DOMAIN, true },
	{ "network-list", cmd_network_list, "list a domain's network interfaces",
	  "DOMAIN", json_opts, PV_COMPLETE_DOMAIN, true },
	{ "autoscale", cmd_autoscale, "rebalance memory and vCPUs by policy (run, plan, status)",
	  "run|plan|status", autoscale_opts, PV_COMPLETE_NONE, true },
	{ "uptime", cmd_uptime, "show how long domains have run",
	  "", json_opts, PV_COMPLETE_NONE, true },
	{ "monitor", cmd_monitor, "run the monitor that applies on_poweroff/on_reboot/on_crash",
	  "", monitor_opts, PV_COMPLETE_NONE, true },
	{ "domid", cmd_domid, "print the ID of a domain",
	  "NAME", no_opts, PV_COMPLETE_DOMAIN, true },
	{ "domname", cmd_domname, "print the name of a domain",
	  "ID", no_opts, PV_COMPLETE_NONE, true },
	{ "info", cmd_info, "show the host: Xen version, CPUs, memory",
	  "", json_opts, PV_COMPLETE_NONE, true },
	{ "shell", cmd_shell, "run pvctl commands interactively",
	  "", no_opts, PV_COMPLETE_NONE, false },
	{ "help", cmd_help, "list commands, or show one command's usage",
	  "[COMMAND]", no_opts, PV_COMPLETE_COMMAND, false },
};

const unsigned int pv_ncommands = sizeof(pv_commands) / sizeof(pv_commands[0]);

const struct pv_cmd *pv_cmd_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < pv_ncommands; i++)
		if (strcmp(pv_commands[i].name, name) == 0)
			return &pv_commands[i];
	return NULL;
}
