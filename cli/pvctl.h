/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvctl.h: the command-line front end. One table (cmdtable.c) lists
 * every command; dispatch, `pvctl help`, the shell's completion and the
 * bash completion all read it.
 */
#ifndef PVCTL_CLI_H
#define PVCTL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/ctx.h"

/* Exit codes (documented in pvctl(1)). */
enum {
	PV_EXIT_OK = 0,
	PV_EXIT_FAIL = 1,	/* the operation failed */
	PV_EXIT_USAGE = 2,	/* bad command line or config */
};

/* What a positional argument or option value completes to. */
enum pv_complete {
	PV_COMPLETE_NONE,
	PV_COMPLETE_DOMAIN,
	PV_COMPLETE_FILE,
	PV_COMPLETE_COMMAND,
};

#define PV_MAX_OPTS 12

/*
 * Each command's options, by name. cmdtable.c's option arrays are indexed
 * by these (designated initializers), and handlers read cli->opt_set[] and
 * cli->opt_val[] with them: an option moved in its array keeps its name.
 * Every enum ends with its count.
 */
enum create_opt { CREATE_DRY_RUN, CREATE_QUIET, CREATE_CONSOLE, CREATE_PAUSED,
		  CREATE_NO_MONITOR, CREATE_RAW, CREATE_SAFE, CREATE_NOPTS };
enum list_opt { LIST_JSON, LIST_LONG, LIST_CONFIG, LIST_VERBOSE, LIST_NOPTS };
enum destroy_opt { DESTROY_FORCE, DESTROY_NOPTS };
enum shutdown_opt { SD_WAIT, SD_ACPI, SD_DESTROY, SD_TIMEOUT, SD_NOPTS };
enum monitor_opt { MON_FOREGROUND, MON_IDLE_EXIT, MON_METRICS_FILE,
		   MON_METRICS_LISTEN, MON_NOPTS };
enum console_opt { CONSOLE_TYPE, CONSOLE_TIMEOUT, CONSOLE_RAW, CONSOLE_SAFE,
		   CONSOLE_NOPTS };
enum detach_opt { DETACH_FORCE, DETACH_TIMEOUT, DETACH_NOPTS };
enum autoscale_opt { AS_POLICY, AS_INTERVAL, AS_JSON, AS_NOPTS };
enum json_opt { JSON_OPT, JSON_NOPTS };
enum save_opt { SAVE_KEEP, SAVE_PAUSED, SAVE_NOPTS };
enum restore_opt { RESTORE_PAUSED, RESTORE_NO_MONITOR, RESTORE_NOPTS };
enum migrate_opt { MIG_SSH, MIG_LIVE, MIG_NON_LIVE, MIG_PAUSED, MIG_JSON,
		   MIG_NOPTS };
enum migrate_receive_opt { MIGR_PAUSED, MIGR_NOPTS };
enum apply_opt { APPLY_DRY_RUN, APPLY_PRUNE, APPLY_RESTART, APPLY_JSON,
		 APPLY_NOPTS };	/* the listing commands' --json */
enum usage_opt { USAGE_SINCE, USAGE_UNTIL, USAGE_JSON, USAGE_NOPTS };
enum dmesg_opt { DMESG_CLEAR, DMESG_NOPTS };
enum dump_opt { DUMP_LIVE, DUMP_NOPTS };
enum top_opt { TOP_BATCH, TOP_ITERATIONS, TOP_DELAY, TOP_NOPTS };
enum sched_opt { SCHED_DOMAIN, SCHED_WEIGHT, SCHED_CAP, SCHED_JSON,
		 SCHED_NOPTS };
enum cleanup_opt { CLEANUP_QUIET, CLEANUP_NOPTS };

/* An option, declared as data; usage and completion are derived from it. */
struct pv_opt {
	char short_name;	/* 0: long only */
	const char *long_name;
	const char *arg;	/* NULL: a flag; else the value's name in usage */
	const char *help;
};

struct pv_cli;

struct pv_cmd {
	const char *name;
	int (*fn)(struct pv_cli *cli, int argc, char **argv);
	const char *summary;
	/*
	 * Positional arguments, for usage; also how many are allowed: a
	 * word in [brackets] is optional, one with "..." repeats.
	 */
	const char *args;
	const struct pv_opt *opts;	/* terminated by a zeroed entry */
	unsigned int nopts;		/* the entries before it (its enum's count) */
	enum pv_complete complete;	/* what positional arguments are */
	bool needs_xen;			/* opens the hypervisor before running */
};

extern const struct pv_cmd pv_commands[];
extern const unsigned int pv_ncommands;

const struct pv_cmd *pv_cmd_find(const char *name);

/* Per-invocation state handed to every command. */
struct pv_cli {
	const struct pv_cmd *cmd;
	struct pv_ctx ctx;
	bool verbose;
	bool interactive;	/* stderr is a terminal: show progress */
	/* Options parsed for the command, indexed like cmd->opts. */
	bool opt_set[PV_MAX_OPTS];
	const char *opt_val[PV_MAX_OPTS];
	int first;		/* argv index of the first positional argument */
};

/*
 * Parses @argv (argv[0] is the command name) against cli->cmd->opts; on
 * success *first is the index of the first positional argument.
 */
int pv_cli_parse_opts(struct pv_cli *cli, int argc, char **argv, int *first);
void pv_cli_usage(const struct pv_cmd *cmd, FILE *f);
/* How many positional arguments @cmd->args allows (*max -1: no limit). */
void pv_cli_args_range(const struct pv_cmd *cmd, int *min, int *max);

/*
 * In a handler: where its positional arguments start. pv_cli_run parsed
 * the options and counted the arguments before it opened the hypervisor
 * (a usage error needs no Xen), and moved the options to the front.
 */
#define PARSE_OPTS(cli, argc, argv, first) ((first) = (cli)->first)
/* Prints "pvctl: MESSAGE" to stderr. */
void pv_cli_error(const char *fmt, ...) PV_PRINTF(1, 2);
/* Opens the hypervisor into cli->ctx if not yet open. */
int pv_cli_open_xen(struct pv_cli *cli);
/* Resolves a DOMAIN argument, printing the error; 0 or an exit code. */
int pv_cli_domain_arg(struct pv_cli *cli, const char *spec, uint32_t *domid);
/*
 * Around an operation that must finish or be undone (create, an attach's
 * setup): SIGINT, SIGTERM and SIGHUP only set cli->ctx.interrupted, and
 * the library stops at its next step and undoes what it did. The end
 * restores them, and delivers a signal that came meanwhile.
 */
void pv_cli_defer_signals(struct pv_cli *cli);
void pv_cli_end_deferred_signals(struct pv_cli *cli);
/* Starts the background monitor if none runs (cmd_monitor.c). */
void pv_cli_spawn_monitor(void);
/* Prints a library error (if @rc) and disposes @err; returns the exit code. */
int pv_cli_report(int rc, struct pv_err *err);
/* Checks that exactly 1 + @extra arguments follow and resolves the first. */
int pv_cli_one_domain(struct pv_cli *cli, int argc, char **argv, int first,
		      int extra, uint32_t *domid);
/*
 * The value of the SECONDS option at @idx (1..@max), or @def when it is
 * not given; 0, or an exit code after saying what is wrong.
 */
int pv_cli_opt_seconds(struct pv_cli *cli, int idx, uint64_t def,
		       uint64_t max, uint64_t *secs);
/* A config warning, on stderr (pv_warn_fn). */
void pv_cli_warn(void *ctx, const char *where, const char *key,
		 const char *msg);
/* A create's steps: a live status line on a terminal, timings with -v. */
void pv_cli_step(void *arg, const char *what, uint64_t ms);
/*
 * Progress of a long transfer on a terminal: "WHAT: N MiB, R MiB/s", at
 * most 5 times a second (a pv_save_progress_fn).
 */
struct pv_cli_progress {
	const char *what;
	uint64_t t0, last_ms;
};
void pv_cli_show_progress(void *arg, uint64_t bytes);
/*
 * Attaches to @domid's console (cmd_console.c) until Ctrl-] on a
 * terminal, @secs (0: no limit) or the domain's end. Unless @raw, the
 * guest's output is made safe for a terminal (pv_cli_safe_text).
 * @just_created: give xenconsoled a moment to publish the pty.
 */
int pv_cli_console(struct pv_cli *cli, uint32_t domid, uint64_t secs,
		   bool raw, bool just_created);
/* Whether the console is raw: no --safe, and --raw or stdout not a terminal. */
bool pv_cli_console_raw(struct pv_cli *cli, int raw_opt, int safe_opt);
/*
 * Guest output made harmless for a terminal: text passes, control
 * characters (but \n, \r, \t) are shown as ^X, C1 controls and bytes
 * that are not UTF-8 as \xNN. State carries a UTF-8 sequence split
 * between reads; _end shows what is left of one.
 */
struct pv_safe_text {
	unsigned char seq[4];
	unsigned int have, want;
};
void pv_cli_safe_text(struct pv_safe_text *st, const char *in, size_t n,
		      struct pv_buf *out);
void pv_cli_safe_text_end(struct pv_safe_text *st, struct pv_buf *out);
/*
 * The shell's words of @line (cmd_shell.c): POSIX shell quoting, no
 * expansions. NULL with *why when a quote is left open, unless @partial.
 */
char **pv_cli_split_line(const char *line, bool partial, int *n,
			 const char **why);
/* Runs one command line (argv[0] is the command); returns an exit code. */
int pv_cli_run(struct pv_cli *cli, int argc, char **argv);

/*
 * Command handlers: command NAME is in cmd_NAME.c; a family in the file of
 * its first word (mem-*, vcpu-*, block-*, network-*, migrate-*, sched-*); a command and its
 * twin together (reboot in cmd_shutdown.c, unpause in cmd_pause.c,
 * domname in cmd_domid.c).
 */
int cmd_create(struct pv_cli *cli, int argc, char **argv);
int cmd_destroy(struct pv_cli *cli, int argc, char **argv);
int cmd_cleanup(struct pv_cli *cli, int argc, char **argv);
int cmd_list(struct pv_cli *cli, int argc, char **argv);
int cmd_domid(struct pv_cli *cli, int argc, char **argv);
int cmd_domname(struct pv_cli *cli, int argc, char **argv);
int cmd_info(struct pv_cli *cli, int argc, char **argv);
int cmd_shutdown(struct pv_cli *cli, int argc, char **argv);
int cmd_reboot(struct pv_cli *cli, int argc, char **argv);
int cmd_pause(struct pv_cli *cli, int argc, char **argv);
int cmd_unpause(struct pv_cli *cli, int argc, char **argv);
int cmd_rename(struct pv_cli *cli, int argc, char **argv);
int cmd_uptime(struct pv_cli *cli, int argc, char **argv);
int cmd_monitor(struct pv_cli *cli, int argc, char **argv);
int cmd_mem_set(struct pv_cli *cli, int argc, char **argv);
int cmd_mem_max(struct pv_cli *cli, int argc, char **argv);
int cmd_vcpu_set(struct pv_cli *cli, int argc, char **argv);
int cmd_vcpu_list(struct pv_cli *cli, int argc, char **argv);
int cmd_vcpu_pin(struct pv_cli *cli, int argc, char **argv);
int cmd_console(struct pv_cli *cli, int argc, char **argv);
int cmd_block_attach(struct pv_cli *cli, int argc, char **argv);
int cmd_block_detach(struct pv_cli *cli, int argc, char **argv);
int cmd_block_list(struct pv_cli *cli, int argc, char **argv);
int cmd_network_attach(struct pv_cli *cli, int argc, char **argv);
int cmd_network_detach(struct pv_cli *cli, int argc, char **argv);
int cmd_network_list(struct pv_cli *cli, int argc, char **argv);
int cmd_autoscale(struct pv_cli *cli, int argc, char **argv);
int cmd_help(struct pv_cli *cli, int argc, char **argv);
int cmd_complete(struct pv_cli *cli, int argc, char **argv);
int cmd_shell(struct pv_cli *cli, int argc, char **argv);
int cmd_save(struct pv_cli *cli, int argc, char **argv);
int cmd_restore(struct pv_cli *cli, int argc, char **argv);
int cmd_migrate(struct pv_cli *cli, int argc, char **argv);
int cmd_migrate_receive(struct pv_cli *cli, int argc, char **argv);
int cmd_apply(struct pv_cli *cli, int argc, char **argv);
int cmd_usage(struct pv_cli *cli, int argc, char **argv);
int cmd_dmesg(struct pv_cli *cli, int argc, char **argv);
int cmd_sysrq(struct pv_cli *cli, int argc, char **argv);
int cmd_debug_keys(struct pv_cli *cli, int argc, char **argv);
int cmd_dump_core(struct pv_cli *cli, int argc, char **argv);
int cmd_top(struct pv_cli *cli, int argc, char **argv);
int cmd_sched_credit(struct pv_cli *cli, int argc, char **argv);
int cmd_sched_credit2(struct pv_cli *cli, int argc, char **argv);

/* block-* and network-* for the device kind @k (device.c). */
struct pv_device_kind;
int pv_cli_device_attach(struct pv_cli *cli, int argc, char **argv,
			 const struct pv_device_kind *k, int min_spec_args);
int pv_cli_device_detach(struct pv_cli *cli, int argc, char **argv,
			 const struct pv_device_kind *k);
int pv_cli_device_list(struct pv_cli *cli, int argc, char **argv,
		       const struct pv_device_kind *k);

#endif
