/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdtable.c: every pvctl command, once. Dispatch, `pvctl help`, the
 * interactive shell's completion and bash completion (through the hidden
 * `pvctl __complete`) all read this table; tests check the man page
 * against it.
 */
#include <string.h>

#include "pvctl.h"

static const struct pv_opt no_opts[1];

static const struct pv_opt create_opts[CREATE_NOPTS + 1] = {
	[CREATE_DRY_RUN] = { 'n', "dry-run", NULL, "parse and check the config, print it as JSON, create nothing" },
	[CREATE_QUIET] = { 'q', "quiet", NULL, "print nothing but errors" },
	[CREATE_CONSOLE] = { 'c', "console", NULL, "attach to its console once it has started (as xl)" },
	[CREATE_PAUSED] = { 'p', "paused", NULL, "leave it paused (unpause starts it)" },
	[CREATE_NO_MONITOR] = { 'e', "no-monitor", NULL, "do not start the monitor (on_* actions) for it, as xl's -e" },
	[CREATE_RAW] = { 0, "raw", NULL, "with -c: pass the guest's escape sequences to the terminal" },
	[CREATE_SAFE] = { 0, "safe", NULL, "with -c: show escape sequences even when not on a terminal" },
};

static const struct pv_opt list_opts[LIST_NOPTS + 1] = {
	[LIST_JSON] = { 'j', "json", NULL, "print JSON (see pvctl(1) for its fields)" },
	[LIST_LONG] = { 'l', "long", NULL, "as xl: JSON with each domain's saved config (--json --config)" },
	[LIST_CONFIG] = { 0, "config", NULL, "also print each domain's saved config" },
	[LIST_VERBOSE] = { 'v', "verbose", NULL, "also print UUIDs and shutdown reasons" },
};

static const struct pv_opt destroy_opts[DESTROY_NOPTS + 1] = {
	[DESTROY_FORCE] = { 'f', "force", NULL, "xl's force: accepted; Domain-0 is never destroyed" },
};

static const struct pv_opt cleanup_opts[CLEANUP_NOPTS + 1] = {
	[CLEANUP_QUIET] = { 'q', "quiet", NULL, "say nothing when nothing was left half done" },
};

static const struct pv_opt shutdown_opts[SD_NOPTS + 1] = {
	[SD_WAIT] = { 'w', "wait", NULL, "wait until the domain has shut down" },
	[SD_ACPI] = { 'F', "acpi-fallback", NULL, "xl's ACPI fallback: PV guests have no ACPI (accepted, does nothing)" },
	[SD_DESTROY] = { 0, "destroy-after", NULL, "destroy the domain if it does not shut down in time (implies -w)" },
	[SD_TIMEOUT] = { 't', "timeout", "SECONDS", "how long -w and --destroy-after wait (default 60)" },
};

static const struct pv_opt monitor_opts[MON_NOPTS + 1] = {
	[MON_FOREGROUND] = { 'f', "foreground", NULL, "log to stderr, and fail if a monitor already runs" },
	[MON_IDLE_EXIT] = { 0, "idle-exit", NULL, "exit when no pvctl domain is left" },
	[MON_METRICS_FILE] = { 0, "metrics-file", "FILE",
			       "write Prometheus metrics to FILE ('' for none; default "
			       "/var/lib/prometheus/node-exporter/pvctl.prom if that directory exists)" },
	[MON_METRICS_LISTEN] = { 0, "metrics-listen", "ADDR:PORT",
				 "also serve them on a loopback address (127.0.0.1:PORT, [::1]:PORT)" },
};

static const struct pv_opt console_opts[CONSOLE_NOPTS + 1] = {
	[CONSOLE_TYPE] = { 't', "type", "pv|serial", "xl's console type: a PV guest has only pv" },
	[CONSOLE_TIMEOUT] = { 0, "timeout", "SECONDS", "detach after SECONDS (for scripts)" },
	[CONSOLE_RAW] = { 0, "raw", NULL, "pass the guest's escape sequences to the terminal (default when stdout is not one)" },
	[CONSOLE_SAFE] = { 0, "safe", NULL, "show escape and control characters as ^[ or \\xNN, not obey them (default on a terminal)" },
};

static const struct pv_opt detach_opts[DETACH_NOPTS + 1] = {
	[DETACH_FORCE] = { 'f', "force", NULL, "detach without the guest's agreement" },
	[DETACH_TIMEOUT] = { 't', "timeout", "SECONDS", "how long to wait for the guest (default 30)" },
};

static const struct pv_opt autoscale_opts[AS_NOPTS + 1] = {
	[AS_POLICY] = { 'p', "policy", "DIR", "policy directory (default /etc/pvctl/policy.d)" },
	[AS_INTERVAL] = { 'i', "interval", "SECONDS", "tick period, overriding host.policy's" },
	[AS_JSON] = { 'j', "json", NULL, "plan, status: print JSON" },
};

static const struct pv_opt json_opts[JSON_NOPTS + 1] = {
	[JSON_OPT] = { 'j', "json", NULL, "print JSON" },
};

static const struct pv_opt save_opts[SAVE_NOPTS + 1] = {
	[SAVE_KEEP] = { 'c', "continue", NULL, "keep the guest running after the save" },
	[SAVE_PAUSED] = { 'p', "paused", NULL, "keep the guest, paused, after the save" },
};

static const struct pv_opt restore_opts[RESTORE_NOPTS + 1] = {
	[RESTORE_PAUSED] = { 'p', "paused", NULL, "leave the restored guest paused" },
	[RESTORE_NO_MONITOR] = { 'e', "no-monitor", NULL,
				 "do not start the monitor (on_* actions) for it" },
};

static const struct pv_opt migrate_opts[MIG_NOPTS + 1] = {
	[MIG_SSH] = { 's', "ssh", "SSHCOMMAND",
		      "how to reach HOST (default ssh): runs 'SSHCOMMAND HOST pvctl migrate-receive'" },
	[MIG_LIVE] = { 0, "live", NULL, "copy the memory while the guest runs (the default)" },
	[MIG_NON_LIVE] = { 0, "non-live", NULL, "suspend the guest first, then copy" },
	[MIG_PAUSED] = { 'p', "paused", NULL, "leave the guest paused on HOST" },
	[MIG_JSON] = { 'j', "json", NULL, "print the summary as JSON" },
};

static const struct pv_opt migrate_receive_opts[MIGR_NOPTS + 1] = {
	[MIGR_PAUSED] = { 'p', "paused", NULL, "leave the guest paused" },
};

static const struct pv_opt apply_opts[APPLY_NOPTS + 1] = {
	[APPLY_DRY_RUN] = { 'n', "dry-run", NULL, "print the plan only; exit 0: nothing to do, 2: changes, 1: an error" },
	[APPLY_PRUNE] = { 0, "prune", NULL, "destroy guests applied from these files or directories whose file is gone" },
	[APPLY_RESTART] = { 0, "restart", NULL, "restart guests whose change cannot be made live (shut down, create)" },
	[APPLY_JSON] = { 'j', "json", NULL, "print the plan and the results as JSON" },
};

static const struct pv_opt usage_opts[USAGE_NOPTS + 1] = {
	[USAGE_SINCE] = { 's', "since", "TIME", "from TIME (default: from the first sample)" },
	[USAGE_UNTIL] = { 'u', "until", "TIME", "until TIME (default: now)" },
	[USAGE_JSON] = { 'j', "json", NULL, "print JSON" },
};

static const struct pv_opt dmesg_opts[DMESG_NOPTS + 1] = {
	[DMESG_CLEAR] = { 'c', "clear", NULL, "then clear the ring, as xl dmesg -c" },
};

static const struct pv_opt dump_opts[DUMP_NOPTS + 1] = {
	[DUMP_LIVE] = { 'L', "live", NULL, "do not pause the guest meanwhile (its image may not be consistent)" },
};

static const struct pv_opt top_opts[TOP_NOPTS + 1] = {
	[TOP_BATCH] = { 'b', "batch", NULL, "print plain text frames, as xentop -b (for scripts)" },
	[TOP_ITERATIONS] = { 'i', "iterations", "N", "stop after N frames (default: at q, or never with -b)" },
	[TOP_DELAY] = { 'd', "delay", "SECONDS", "between frames (default 3)" },
};

static const struct pv_opt sched_opts[SCHED_NOPTS + 1] = {
	[SCHED_DOMAIN] = { 'd', "domain", "DOMAIN", "the domain to show or set (default: list all)" },
	[SCHED_WEIGHT] = { 'w', "weight", "WEIGHT", "set its weight, 1 to 65535 (default 256)" },
	[SCHED_CAP] = { 'c', "cap", "CAP", "set its cap, % of one CPU (0: none)" },
	[SCHED_JSON] = { 'j', "json", NULL, "print JSON" },
};

/* An option array and its count (its last entry is the zeroed end). */
#define OPTS(a) (a), sizeof(a) / sizeof((a)[0]) - 1

const struct pv_cmd pv_commands[] = {
	{ "create", cmd_create, "create a PV domain from an xl.cfg file",
	  "FILE [KEY=VALUE...]", OPTS(create_opts), PV_COMPLETE_FILE, false },
	{ "apply", cmd_apply, "converge running guests to a directory of xl.cfg files",
	  "DIR|FILE...", OPTS(apply_opts), PV_COMPLETE_FILE, true },
	{ "list", cmd_list, "list domains, like xl list",
	  "[DOMAIN...]", OPTS(list_opts), PV_COMPLETE_DOMAIN, true },
	{ "destroy", cmd_destroy, "destroy a domain at once",
	  "DOMAIN", OPTS(destroy_opts), PV_COMPLETE_DOMAIN, true },
	{ "cleanup", cmd_cleanup, "finish or undo what killed pvctl commands left half done",
	  "", OPTS(cleanup_opts), PV_COMPLETE_NONE, true },
	{ "shutdown", cmd_shutdown, "ask a domain to power off (PV control/shutdown)",
	  "DOMAIN", OPTS(shutdown_opts), PV_COMPLETE_DOMAIN, true },
	{ "reboot", cmd_reboot, "ask a domain to reboot (PV control/shutdown)",
	  "DOMAIN", OPTS(shutdown_opts), PV_COMPLETE_DOMAIN, true },
	{ "pause", cmd_pause, "pause a domain",
	  "DOMAIN", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "unpause", cmd_unpause, "unpause a domain",
	  "DOMAIN", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "rename", cmd_rename, "rename a domain",
	  "DOMAIN NEWNAME", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "mem-set", cmd_mem_set, "set a domain's memory target (balloon)",
	  "DOMAIN SIZE", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "mem-max", cmd_mem_max, "set the most memory a domain may be given",
	  "DOMAIN SIZE", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "vcpu-set", cmd_vcpu_set, "set how many vCPUs a domain has online",
	  "DOMAIN N", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "vcpu-list", cmd_vcpu_list, "list domains' vCPUs",
	  "[DOMAIN...]", OPTS(json_opts), PV_COMPLETE_DOMAIN, true },
	{ "vcpu-pin", cmd_vcpu_pin, "pin a vCPU (or all) to physical CPUs",
	  "DOMAIN VCPU|all HARD [SOFT]", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "sched-credit", cmd_sched_credit, "show or set domains' credit scheduler weight and cap",
	  "", OPTS(sched_opts), PV_COMPLETE_NONE, true },
	{ "sched-credit2", cmd_sched_credit2, "show or set domains' credit2 scheduler weight and cap",
	  "", OPTS(sched_opts), PV_COMPLETE_NONE, true },
	{ "console", cmd_console, "attach to a domain's console (Ctrl-] detaches)",
	  "DOMAIN", OPTS(console_opts), PV_COMPLETE_DOMAIN, true },
	{ "block-attach", cmd_block_attach, "attach a disk to a running domain",
	  "DOMAIN DISKSPEC...", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "block-detach", cmd_block_detach, "detach a disk (Closing/Closed handshake)",
	  "DOMAIN VDEV", OPTS(detach_opts), PV_COMPLETE_DOMAIN, true },
	{ "block-list", cmd_block_list, "list a domain's disks",
	  "DOMAIN", OPTS(json_opts), PV_COMPLETE_DOMAIN, true },
	{ "network-attach", cmd_network_attach, "attach a network interface to a running domain",
	  "DOMAIN [VIFSPEC...]", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "network-detach", cmd_network_detach, "detach a network interface",
	  "DOMAIN MAC|DEVID", OPTS(detach_opts), PV_COMPLETE_DOMAIN, true },
	{ "network-list", cmd_network_list, "list a domain's network interfaces",
	  "DOMAIN", OPTS(json_opts), PV_COMPLETE_DOMAIN, true },
	{ "autoscale", cmd_autoscale, "rebalance memory and vCPUs by policy (run, plan, status, check)",
	  "run|plan|status|check [DIR|FILE]", OPTS(autoscale_opts), PV_COMPLETE_NONE, false },
	{ "uptime", cmd_uptime, "show how long domains have run",
	  "[DOMAIN...]", OPTS(json_opts), PV_COMPLETE_DOMAIN, true },
	{ "monitor", cmd_monitor, "run the monitor that applies on_poweroff/on_reboot/on_crash",
	  "", OPTS(monitor_opts), PV_COMPLETE_NONE, true },
	{ "usage", cmd_usage, "show what domains used: memory, vCPU and CPU seconds",
	  "[DOMAIN...]", OPTS(usage_opts), PV_COMPLETE_DOMAIN, false },
	{ "save", cmd_save, "save a running guest to a file (xl's save format)",
	  "DOMAIN FILE", OPTS(save_opts), PV_COMPLETE_DOMAIN, true },
	{ "restore", cmd_restore, "restore a guest from a save file",
	  "FILE [CONFIG]", OPTS(restore_opts), PV_COMPLETE_FILE, true },
	{ "migrate", cmd_migrate, "move a running guest to another host (live)",
	  "DOMAIN HOST", OPTS(migrate_opts), PV_COMPLETE_DOMAIN, true },
	{ "migrate-receive", cmd_migrate_receive,
	  "the receiving end of migrate (on stdin and stdout)",
	  "", OPTS(migrate_receive_opts), PV_COMPLETE_NONE, true },
	{ "domid", cmd_domid, "print the ID of a domain",
	  "NAME", OPTS(no_opts), PV_COMPLETE_DOMAIN, true },
	{ "domname", cmd_domname, "print the name of a domain",
	  "ID", OPTS(no_opts), PV_COMPLETE_NONE, true },
	{ "info", cmd_info, "show the host: Xen version, CPUs, memory",
	  "", OPTS(json_opts), PV_COMPLETE_NONE, true },
	{ "top", cmd_top, "show domains live, as xentop, with balloon, agent and autoscale figures",
	  "", OPTS(top_opts), PV_COMPLETE_NONE, false },
	{ "dmesg", cmd_dmesg, "print Xen's console ring (its boot and debug messages)",
	  "", OPTS(dmesg_opts), PV_COMPLETE_NONE, true },
	{ "debug-keys", cmd_debug_keys, "send keys to Xen's debug handlers (output in dmesg)",
	  "KEYS", OPTS(no_opts), PV_COMPLETE_NONE, false },
	{ "sysrq", cmd_sysrq, "send a magic SysRq key to a guest's kernel",
	  "DOMAIN LETTER", OPTS(no_opts), PV_COMPLETE_DOMAIN, false },
	{ "dump-core", cmd_dump_core, "write a guest's memory to an ELF core file",
	  "DOMAIN FILE", OPTS(dump_opts), PV_COMPLETE_DOMAIN, true },
	{ "shell", cmd_shell, "run pvctl commands interactively",
	  "", OPTS(no_opts), PV_COMPLETE_NONE, false },
	{ "help", cmd_help, "list commands, or show one command's usage",
	  "[COMMAND]", OPTS(no_opts), PV_COMPLETE_COMMAND, false },
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
