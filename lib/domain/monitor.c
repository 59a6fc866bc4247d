/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.c: carrying out on_poweroff, on_reboot and on_crash.
 *
 * xl forks one monitor process per domain, which dies with xl's state.
 * pvctl runs one monitor for all its domains instead, and keeps no state
 * of its own: what it needs is the saved config of each domain it made
 * (STATE/domains/DOMID.json) and the hypervisor's view of which domains
 * have shut down and why. A monitor started later, after a crash or a
 * dom0 restart of pvctl, finds the same facts and finishes the job, so
 * nothing is lost while none runs. (It remembers only what it has logged,
 * so as not to say the same thing at every scan.) A domain whose saved
 * file cannot be read is still one of its domains: it is counted, and
 * logged, since nothing can be done for it until the file is mended.
 * `pvctl create` starts the monitor when none is running; a flock on
 * RUN/monitor.lock keeps it to one.
 *
 * It sleeps on the @releaseDomain watch, which xenstored fires when any
 * domain shuts down or dies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "meter.h"
#include "ops.h"
#include "../../util/uuid.h"

static enum pv_action action_for(const struct pv_domain_config *cfg,
				 unsigned int reason)
{
	switch (reason) {
	case PV_SHUTDOWN_REBOOT:
		return cfg->on_reboot;
	case PV_SHUTDOWN_CRASH:
	case PV_SHUTDOWN_WATCHDOG:
		return cfg->on_crash;
	default:
		return cfg->on_poweroff;
	}
}

static const char *reason_name(unsigned int reason)
{
	static const char *const names[] = {
		"poweroff", "reboot", "suspend", "crash", "watchdog", "soft-reset",
	};

	return reason < sizeof(names) / sizeof(*names) ? names[reason] : "unknown";
}

/* Shut down and not being saved: its on_* setting is due. */
static bool is_shut_down(const struct pv_dominfo *info)
{
	return info->shutdown && !info->dying &&
	       info->shutdown_reason != PV_SHUTDOWN_SUSPEND;
}

/* Builds the domain again from its saved config, with the same UUID. */
static int restart(struct pv_ctx *ctx, struct pv_domain_config *cfg,
		   const struct pv_dominfo *info, struct pv_monitor_log *log)
{
	char uuid[PV_UUID_STRLEN + 1];
	struct pv_err err;
	uint32_t domid;
	int rc;

	pv_uuid_format(info->uuid, uuid);
	pv_str_set(&cfg->uuid, uuid);
	pv_err_init(&err);
	rc = pv_domain_create(ctx, cfg, &domid, &err);
	if (rc)
		log->fn(log->arg, "restarting %s failed: %s", cfg->name,
			pv_err_msg(&err));
	else
		log->fn(log->arg, "restarted %s as domain %u", cfg->name, domid);
	pv_err_dispose(&err);
	return rc;
}

/*
 * coredump-destroy and coredump-restart: the core goes to
 * STATE/dump/NAME first, as xl dumps to /var/lib/xen/dump/NAME; a
 * failed dump is logged and the action goes on, as xl's does (a guest
 * is not left down for want of its dump).
 */
static void dump_core(struct pv_ctx *ctx, const struct pv_dominfo *info,
		      const struct pv_domain_config *cfg,
		      struct pv_monitor_log *log)
{
	char *path = pv_domain_dump_path(ctx, cfg->name), *dir;
	struct pv_err err;

	pv_err_init(&err);
	dir = pv_asprintf("%s/dump", ctx->state_dir);
	if (pv_domain_name_valid(cfg->name, &err) == 0 &&
	    pv_mkdirs(dir, &err) == 0 &&
	    pv_domain_dump_core(ctx, info->domid, path, false, &err) == 0)
		log->fn(log->arg, "dumped the core of %s to %s", cfg->name, path);
	else
		log->fn(log->arg, "core dump of %s failed: %s", cfg->name,
			pv_err_msg(&err));
	pv_err_dispose(&err);
	free(dir);
	free(path);
}

/*
 * A restart takes the old domain and its saved config away before the
 * new one exists: a monitor killed in between would lose the guest. The
 * record carries the config, so that pv_domain_cleanup restarts it.
 */
static void restart_begin(struct pv_ctx *ctx, struct pv_op *op,
			  const struct pv_dominfo *info,
			  const struct pv_domain_config *cfg,
			  struct pv_monitor_log *log)
{
	char uuid[PV_UUID_STRLEN + 1], *name;
	struct pv_err err;

	pv_uuid_format(info->uuid, uuid);
	pv_op_set(op, "op", "restart");
	pv_op_set(op, "domid", "%u", info->domid);
	pv_op_set(op, "uuid", "%s", uuid);
	pv_op_set(op, "name", "%s", cfg->name);
	op->config = cfg;
	name = pv_asprintf("restart.%s", uuid);
	pv_err_init(&err);
	if (pv_op_begin(ctx, op, name, &err))
		log->fn(log->arg, "restarting %s: %s (going ahead without)",
			cfg->name, pv_err_msg(&err));
	pv_err_dispose(&err);
	free(name);
}

/*
 * Acts on one domain that has shut down. The config was loaded from the
 * saved file; destroying the domain removes that file, which is what
 * marks the domain as handled.
 */
static void handle(struct pv_ctx *ctx, const struct pv_dominfo *info,
		   struct pv_domain_config *cfg, struct pv_monitor_log *log)
{
	enum pv_action a = action_for(cfg, info->shutdown_reason);
	struct pv_err err;
	struct pv_op op;
	char *newname;

	log->fn(log->arg, "domain %u (%s) shut down: %s; action %s", info->domid,
		cfg->name, reason_name(info->shutdown_reason), pv_action_name(a));
	pv_err_init(&err);
	if (a == PV_ACTION_COREDUMP_RESTART || a == PV_ACTION_COREDUMP_DESTROY)
		dump_core(ctx, info, cfg, log);
	pv_op_init(&op);
	if (a == PV_ACTION_RENAME_RESTART || a == PV_ACTION_RESTART ||
	    a == PV_ACTION_COREDUMP_RESTART)
		restart_begin(ctx, &op, info, cfg, log);
	switch (a) {
	case PV_ACTION_PRESERVE:
		/* Leave it for inspection; it is no longer ours to act on. */
		pv_domain_config_forget(ctx, info->domid);
		break;
	case PV_ACTION_RENAME_RESTART:
		/*
		 * The kept domain gets a new name and UUID (its own /vm entry),
		 * as xl does, so the restarted one keeps both of the config's.
		 */
		newname = pv_asprintf("%s-%u", cfg->name, info->domid);
		if (pv_domain_rename(ctx, info->domid, newname, &err) ||
		    pv_domain_new_uuid(ctx, info->domid, &err))
			log->fn(log->arg, "preserving %s: %s", cfg->name, pv_err_msg(&err));
		pv_domain_config_forget(ctx, info->domid);
		free(newname);
		restart(ctx, cfg, info, log);
		break;
	case PV_ACTION_RESTART:
	case PV_ACTION_COREDUMP_RESTART:
		if (pv_domain_destroy(ctx, info->domid, &err) == 0)
			restart(ctx, cfg, info, log);
		else
			log->fn(log->arg, "destroying %s: %s", cfg->name, pv_err_msg(&err));
		break;
	case PV_ACTION_DESTROY:
	case PV_ACTION_COREDUMP_DESTROY:
		if (pv_domain_destroy(ctx, info->domid, &err))
			log->fn(log->arg, "destroying %s: %s", cfg->name, pv_err_msg(&err));
		break;
	}
	pv_op_end(&op);
	pv_err_dispose(&err);
}

struct pv_monitor_damage {
	uint32_t domid;
	uint8_t uuid[16];
	bool shutdown;
	char *msg;
};

void pv_monitor_seen_init(struct pv_monitor_seen *seen)
{
	seen->v = NULL;
	seen->n = 0;
}

void pv_monitor_seen_dispose(struct pv_monitor_seen *seen)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		free(seen->v[i].msg);
	free(seen->v);
	pv_monitor_seen_init(seen);
}

static bool same_damage(const struct pv_monitor_damage *a,
			const struct pv_monitor_damage *b)
{
	return a->domid == b->domid && !memcmp(a->uuid, b->uuid, sizeof(a->uuid)) &&
	       a->shutdown == b->shutdown && !strcmp(a->msg, b->msg);
}

/*
 * A domain of ours whose saved config cannot be read: nothing can be
 * done for it (its on_* settings are in that file), which the operator
 * must hear of, in @now; said unless the last scan said it (@seen).
 */
static void note_damage(const struct pv_domain_status *st, const char *msg,
			const struct pv_monitor_seen *seen,
			struct pv_monitor_seen *now, struct pv_monitor_log *log)
{
	const struct pv_dominfo *info = &st->info;
	const char *name = st->name ? st->name : "?";
	struct pv_monitor_damage *d;
	size_t i;

	now->v = pv_realloc(now->v, (now->n + 1) * sizeof(*now->v));
	d = &now->v[now->n++];
	d->domid = info->domid;
	memcpy(d->uuid, info->uuid, sizeof(d->uuid));
	d->shutdown = is_shut_down(info);
	d->msg = pv_strdup(msg);
	for (i = 0; i < seen->n; i++)
		if (same_damage(&seen->v[i], d))
			return;
	if (d->shutdown)
		log->fn(log->arg, "domain %u (%s) shut down: %s; its saved config "
			"cannot be read, so nothing is done: %s", info->domid,
			name, reason_name(info->shutdown_reason), msg);
	else
		log->fn(log->arg, "domain %u (%s): its saved config cannot be "
			"read: %s; its on_poweroff, on_reboot and on_crash will "
			"not be carried out", info->domid, name, msg);
}

int pv_monitor_scan(struct pv_ctx *ctx, struct pv_monitor_log *log,
		    struct pv_monitor_seen *seen, size_t *managed)
{
	struct pv_monitor_seen now;
	struct pv_domain_status *st;
	struct pv_err err;
	size_t n, i;
	int rc;

	pv_err_init(&err);
	/* First what killed pvctl processes left (this monitor's own included). */
	if (pv_domain_cleanup(ctx, log, &n, &err))
		log->fn(log->arg, "cleaning up: %s", pv_err_msg(&err));
	pv_err_clear(&err);
	rc = pv_domain_list(ctx, NULL, 0, &st, &n, &err);
	if (rc) {
		log->fn(log->arg, "listing domains: %s", pv_err_msg(&err));
		pv_err_dispose(&err);
		return rc;
	}
	*managed = 0;
	pv_monitor_seen_init(&now);
	for (i = 0; i < n; i++) {
		struct pv_domain_config cfg;

		if (st[i].info.domid == 0)
			continue;
		pv_domain_config_init(&cfg);
		pv_err_clear(&err);
		rc = pv_domain_config_load(ctx, st[i].info.domid, &cfg, &err);
		if (rc == 0) {
			(*managed)++;
			if (is_shut_down(&st[i].info))
				handle(ctx, &st[i].info, &cfg, log);
		} else if (pv_domain_config_damaged(rc)) {
			(*managed)++;
			note_damage(&st[i], pv_err_msg(&err), seen, &now, log);
		}
		pv_domain_config_dispose(&cfg);
	}
	pv_monitor_seen_dispose(seen);
	*seen = now;
	pv_domain_status_free(st, n);
	pv_err_dispose(&err);
	return 0;
}

int pv_monitor_run(struct pv_ctx *ctx, struct pv_monitor_log *log,
		   bool exit_when_idle, struct pv_meter *meter)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_monitor_seen seen;
	struct pv_err err;
	int fd, rc;

	pv_err_init(&err);
	fd = pv_lock_file(ctx, "monitor.lock", false, &err);
	pv_err_dispose(&err);
	if (fd < 0)
		return fd;	/* -EALREADY: another monitor is on duty */
	rc = hv->ops->xs_watch(hv->h, "@releaseDomain", "pvctl-monitor");
	if (rc)
		goto out;
	log->fn(log->arg, "monitor started (pid %d)", (int)getpid());
	pv_monitor_seen_init(&seen);
	for (;;) {
		size_t managed = 0;
		char *p = NULL, *t = NULL;

		/* Before the scan, which may destroy a domain that shut down. */
		if (meter)
			pv_meter_tick(meter, ctx, log);
		pv_monitor_scan(ctx, log, &seen, &managed);
		if (exit_when_idle && managed == 0)
			break;
		/* Rescan at least every 10 s in case an event is lost. */
		rc = hv->ops->xs_read_watch(hv->h, meter ? PV_METER_INTERVAL_MS : 10000,
					    &p, &t);
		free(p);
		free(t);
		if (rc && rc != -ETIMEDOUT)
			break;
		rc = 0;
	}
	log->fn(log->arg, "monitor exiting: %s", rc ? strerror(-rc) :
		"no domains left to watch");
	hv->ops->xs_unwatch(hv->h, "@releaseDomain", "pvctl-monitor");
	pv_monitor_seen_dispose(&seen);
out:
	close(fd);
	return rc;
}
