/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * save.c: saving a running PV domain to a file, and restoring it.
 *
 * The file is xl's save format, so that xl restores what pvctl saves:
 *   - xl's header (48 bytes, host byte order): 32 bytes of magic, the
 *     byte-order mark 0x01020304, mandatory flags (STREAMv2; JSON clear:
 *     the config is xl.cfg text), optional flags, and the length of the
 *     optional data, which is a u32 length and the config text with its
 *     NUL;
 *   - libxl's stream (v2): its header ("LibxlFmt", version 2, options 0,
 *     big-endian), a LIBXC_CONTEXT record, the libxc migration stream
 *     (xc_domain_save's), and an END record. Records are {u32 type; u32
 *     length} in host order.
 * See docs/specs/libxl-migration-stream.pandoc in Xen.
 *
 * Save: the guest is asked to suspend through control/shutdown (its
 * kernel freezes, disconnects and shuts down with reason suspend), the
 * stream is written to a temporary file, which is synced and renamed;
 * then the domain is destroyed, or resumed as a cancelled suspend (-c).
 * A save that fails resumes the guest: it runs on as before.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain_i.h"
#include "ops.h"
#include "../xs.h"
#include "../../util/fileio.h"
#include "../../util/uuid.h"

static const char xl_magic[32] = "Xen saved domain, xl format\n \0 \r";
#define XL_BYTEORDER	0x01020304u
#define XL_FLAG_JSON	(1u << 0)	/* the config is libxl JSON */
#define XL_FLAG_STREAMV2 (1u << 1)	/* libxl stream v2 follows */
#define LIBXL_IDENT	0x4c6962786c466d74ull	/* "LibxlFmt" */
#define LIBXL_VERSION	2
#define REC_END		0
#define REC_LIBXC_CONTEXT 1
/* A config larger than this is not a config. */
#define MAX_CONFIG	(1u << 20)

struct xl_header {
	char magic[32];
	uint32_t byteorder;
	uint32_t mandatory_flags;
	uint32_t optional_flags;
	uint32_t optional_data_len;
};

struct libxl_header {
	uint64_t ident;			/* big-endian */
	uint32_t version;		/* big-endian */
	uint32_t options;		/* big-endian */
};

struct libxl_record {
	uint32_t type;
	uint32_t length;
};

/* Reads exactly @n bytes: -EPIPE at an early end (a truncated file). */
static int read_all(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* Everything before the libxc stream, with @config (xl.cfg text). */
static int write_head(int fd, const struct pv_buf *config)
{
	uint32_t len = (uint32_t)config->len + 1;
	struct xl_header h = {
		.byteorder = XL_BYTEORDER,
		.mandatory_flags = XL_FLAG_STREAMV2,
		.optional_data_len = (uint32_t)sizeof(len) + len,
	};
	struct libxl_header lh = {
		.ident = htobe64(LIBXL_IDENT),
		.version = htobe32(LIBXL_VERSION),
	};
	struct libxl_record ctx = { REC_LIBXC_CONTEXT, 0 };
	int rc;

	memcpy(h.magic, xl_magic, sizeof(h.magic));
	rc = pv_write_all(fd, &h, sizeof(h));
	if (!rc)
		rc = pv_write_all(fd, &len, sizeof(len));
	if (!rc)
		rc = pv_write_all(fd, config->s, len);
	if (!rc)
		rc = pv_write_all(fd, &lh, sizeof(lh));
	if (!rc)
		rc = pv_write_all(fd, &ctx, sizeof(ctx));
	return rc;
}

int pv_savefile_read_end(int fd, struct pv_err *err)
{
	struct libxl_record r;
	int rc = read_all(fd, &r, sizeof(r));

	if (rc)
		return pv_err_sys(err, rc, "reading the save file's end record");
	if (r.type != REC_END || r.length)
		return pv_err_set(err, -EINVAL, "the save file has a record of "
				  "type %u after the memory image, not its end "
				  "(not a PV domain's save, or damaged)", r.type);
	return 0;
}

/* --- domains being moved --- */

static char *busy_path(struct pv_ctx *ctx, uint32_t domid)
{
	return pv_asprintf("%s/busy/%u", ctx->run_dir, domid);
}

/*
 * RUN/busy/DOMID, holding our pid, while a save or migration streams the
 * domain: the autoscale loop leaves it alone (a target changed mid-stream
 * would be fought over by the copy and the balloon).
 */
static void busy_begin(struct pv_ctx *ctx, uint32_t domid)
{
	char *dir = pv_asprintf("%s/busy", ctx->run_dir);
	char *path = busy_path(ctx, domid);
	char *pid = pv_asprintf("%d\n", (int)getpid());
	struct pv_err ignore;

	/* Atomic: the loop never reads a file with no pid in it yet. */
	pv_err_init(&ignore);
	if (!pv_mkdirs(dir, &ignore))
		pv_write_file_atomic(path, pid, strlen(pid), 0600, &ignore);
	pv_err_dispose(&ignore);
	free(pid);
	free(path);
	free(dir);
}

static void busy_end(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = busy_path(ctx, domid);

	unlink(path);
	free(path);
}

bool pv_domain_busy(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = busy_path(ctx, domid);
	FILE *f = fopen(path, "re");
	int pid = 0;

	free(path);
	if (!f)
		return false;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	/* A pvctl that died mid-way leaves its file: only a live one counts. */
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* --- save --- */

struct save {
	struct pv_ctx *ctx;
	uint32_t domid;
	struct pv_err *err;
	bool suspended;
	uint64_t suspended_ms;		/* when the guest stopped */
	uint64_t bytes;			/* of memory sent so far */
	uint64_t round;			/* of it, in this round (live) */
	pv_save_progress_fn *progress;
	void *progress_arg;
};

/* Withdraws a suspend request the guest has not taken: false if it had. */
static int withdraw_tx(struct pv_hv *hv, pv_xbt t, void *arg)
{
	const char *path = arg;
	char *v = pv_xs_read_str(hv, t, path);
	int rc = -EALREADY;

	if (v && !strcmp(v, "suspend"))
		rc = pv_xs_write_str(hv, t, path, "");
	free(v);
	return rc;
}

/*
 * The PV suspend handshake: control/shutdown = "suspend"; the guest
 * takes it (clears the node) and shuts down with reason suspend. A
 * request not taken within the timeout is withdrawn, in a transaction
 * so that a guest taking it meanwhile is waited for instead.
 */
static int suspend_guest(void *arg)
{
	struct save *s = arg;
	struct pv_dominfo info;
	char *path;
	int rc;

	rc = pv_ctx_check_interrupted(s->ctx, s->err);
	if (!rc)
		rc = pv_domain_request_shutdown(s->ctx, s->domid, "suspend", s->err);
	if (rc)
		return rc;
	rc = pv_domain_wait_shutdown(s->ctx, s->domid, PV_SUSPEND_TIMEOUT_MS, &info);
	if (rc == -ETIMEDOUT) {
		path = pv_xs_dom_path(s->domid, "control/shutdown");
		if (pv_xs_transaction(&s->ctx->hv, withdraw_tx, path) == -EALREADY)
			rc = pv_domain_wait_shutdown(s->ctx, s->domid,
						     PV_SUSPEND_TIMEOUT_MS, &info);
		free(path);
	}
	if (rc == -ETIMEDOUT)
		return pv_err_set(s->err, rc, "domain %u did not suspend within "
				  "%d s (does its kernel support suspend?); "
				  "request withdrawn", s->domid,
				  PV_SUSPEND_TIMEOUT_MS / 1000);
	if (rc)
		return pv_err_sys(s->err, rc, "waiting for domain %u to suspend",
				  s->domid);
	if (!info.shutdown || info.shutdown_reason != PV_SHUTDOWN_SUSPEND)
		return pv_err_set(s->err, -ESRCH, "domain %u %s instead of "
				  "suspending", s->domid, info.shutdown ?
				  "shut down" : "went away");
	s->suspended = true;
	s->suspended_ms = pv_now_ms();
	return 0;
}

/*
 * After a failed save or migration: a guest found suspended (by us, even
 * late) is resumed; one that cannot be is said so in @err.
 */
static void resume_if_suspended(struct pv_ctx *ctx, uint32_t domid,
				struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	struct pv_err why;

	if (hv->ops->domain_getinfo(hv->h, domid, &info) || !info.shutdown ||
	    info.shutdown_reason != PV_SHUTDOWN_SUSPEND)
		return;
	pv_err_init(&why);
	if (pv_domain_resume(ctx, domid, &why))
		pv_buf_printf(&err->msg, "; and domain %u stays suspended: %s",
			      domid, pv_err_msg(&why));
	pv_err_dispose(&why);
}

static void sent(void *arg, uint64_t bytes)
{
	struct save *s = arg;

	/* libxenguest counts each round of a live copy from 0. */
	s->bytes += bytes >= s->round ? bytes - s->round : bytes;
	s->round = bytes;
	if (s->progress)
		s->progress(s->progress_arg, s->bytes);
}

int pv_domain_resume(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	int rc = hv->ops->domain_resume(hv->h, domid);

	if (rc)
		return pv_err_sys(err, rc, "resuming domain %u", domid);
	/* Or xenstored would not tell anyone of its next shutdown. */
	rc = hv->ops->xs_resume(hv->h, domid);
	if (rc)
		return pv_err_sys(err, rc, "telling xenstored domain %u resumed",
				  domid);
	return 0;
}

/* The config to save: as created, with what changed since (memory, vCPUs). */
static int config_now(struct pv_ctx *ctx, uint32_t domid,
		      const struct pv_dominfo *info, struct pv_buf *text,
		      struct pv_err *err)
{
	struct pv_domain_config cfg;
	char uuid[PV_UUID_STRLEN + 1];
	uint64_t target;
	int rc;

	pv_domain_config_init(&cfg);
	rc = pv_domain_config_load(ctx, domid, &cfg, err);
	if (rc == -ENOENT)
		rc = pv_err_set(err, rc, "domain %u was not created by pvctl "
				"(no saved config): save it with xl", domid);
	/* Its guest was promised a host that never changes (invariant TSC). */
	if (!rc && cfg.nomigrate)
		rc = pv_err_set(err, -EPERM, "domain %u has nomigrate = 1 in its "
				"config: it may not be saved or migrated", domid);
	/*
	 * The memory it has now: its target, or what it holds if more (a
	 * balloon still on its way down): the restore must fit every page.
	 */
	if (!rc && !pv_domain_get_target(ctx, domid, &target, NULL))
		cfg.memory_mb = pv_min_u64((pv_max_u64(target, info->cur_kb) +
					    1023) / 1024, cfg.maxmem_mb);
	if (!rc) {
		cfg.vcpus = pv_domain_online_vcpus(ctx, domid, cfg.maxvcpus);
		if (!cfg.vcpus)
			cfg.vcpus = 1;
		pv_uuid_format(info->uuid, uuid);
		pv_str_set(&cfg.uuid, uuid);
		rc = pv_domain_config_to_xlcfg(&cfg, text, err);
	}
	pv_domain_config_dispose(&cfg);
	return rc;
}

/* A domain that can be saved: its config as it is now, as xl.cfg text. */
static int savable(struct pv_ctx *ctx, uint32_t domid, struct pv_buf *config,
		   struct pv_err *err)
{
	struct pv_hv *hv = &ctx->hv;
	struct pv_dominfo info;
	int rc;

	if (domid == 0)
		return pv_err_set(err, -EPERM, "refusing to save Domain-0");
	rc = hv->ops->domain_getinfo(hv->h, domid, &info);
	if (rc)
		return pv_err_sys(err, rc, "domain %u", domid);
	if (info.shutdown || info.dying)
		return pv_err_set(err, -EINVAL, "domain %u is shutting down", domid);
	return config_now(ctx, domid, &info, config, err);
}

/*
 * The whole save image to @fd (@what names it in errors): header and
 * config, the stream (the guest suspended on the way), the END record.
 */
static int stream_out(struct save *s, int fd, bool live,
		      const struct pv_buf *config, const char *what)
{
	struct pv_hv *hv = &s->ctx->hv;
	struct libxl_record end = { REC_END, 0 };
	char *msg = NULL;
	int rc = write_head(fd, config);

	if (rc)
		return pv_err_sys(s->err, rc, "writing %s", what);
	rc = hv->ops->domain_save(hv->h, s->domid, fd, live, suspend_guest, sent,
				  s, &msg);
	if (rc) {
		pv_err_set(s->err, rc, "saving domain %u: %s", s->domid,
			   msg ? msg : strerror(-rc));
		free(msg);
		return rc;
	}
	rc = pv_write_all(fd, &end, sizeof(end));
	if (rc)
		return pv_err_sys(s->err, rc, "writing %s", what);
	return 0;
}

int pv_domain_save(struct pv_ctx *ctx, uint32_t domid, const char *path,
		   unsigned int flags, pv_save_progress_fn *progress, void *arg,
		   struct pv_err *err)
{
	struct save s = { ctx, domid, err, false, 0, 0, 0, progress, arg };
	struct pv_buf config = PV_BUF_INIT;
	struct pv_err ignore;
	struct pv_op op;
	char *tmp = NULL, *opname = pv_asprintf("save.%u", domid);
	int fd = -1, rc;

	pv_op_init(&op);
	pv_err_init(&ignore);
	rc = savable(ctx, domid, &config, err);
	if (rc)
		goto out;
	/* From here, a save that is killed is undone (pv_domain_save_undo). */
	pv_op_set(&op, "op", "save");
	pv_op_set_domain(&op, ctx, domid);
	pv_op_set(&op, "file", "%s", path);
	pv_op_set(&op, "keep", "%u", flags & PV_SAVE_KEEP ? 1 : 0);
	rc = pv_op_begin(ctx, &op, opname, err);
	if (rc)
		goto out;
	/* A temporary name in the file's directory: never a file that looks whole. */
	tmp = pv_asprintf("%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "cannot create %s", tmp);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* Named at once: only these few instructions could leave it unnamed. */
	pv_op_set(&op, "tmp", "%s", tmp);
	rc = pv_op_write(&op, err);
	if (rc)
		goto out;
	busy_begin(ctx, domid);
	rc = stream_out(&s, fd, false, &config, tmp);
	busy_end(ctx, domid);
	if (!rc && fsync(fd))
		rc = pv_err_sys(err, -errno, "writing %s", tmp);
	if (close(fd) && !rc)
		rc = pv_err_sys(err, -errno, "writing %s", tmp);
	fd = -1;
	if (!rc && rename(tmp, path))
		rc = pv_err_sys(err, -errno, "renaming %s to %s", tmp, path);
	if (rc)
		goto out;
	free(tmp);
	tmp = NULL;
	/* Renamed but not durable: not a file to trust the guest to. */
	rc = pv_fsync_parent(path);
	if (rc) {
		unlink(path);
		pv_err_sys(err, rc, "syncing the directory of %s", path);
		resume_if_suspended(ctx, domid, err);
		goto out;
	}
	/* The file is whole: a save killed now is finished, not undone. */
	pv_op_set(&op, "phase", "saved");
	pv_op_write(&op, &ignore);
	if (flags & PV_SAVE_KEEP) {
		if (flags & PV_SAVE_PAUSED)
			rc = pv_domain_pause(ctx, domid, true, err);
		/* Even if the pause failed: never left suspended. */
		if (pv_domain_resume(ctx, domid, err) && !rc)
			rc = -EIO;
	} else {
		rc = pv_domain_destroy(ctx, domid, err);
	}
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
		/* It was suspended for nothing: it runs on, as it was. */
		resume_if_suspended(ctx, domid, err);
	}
	pv_op_end(&op);
	pv_err_dispose(&ignore);
	free(opname);
	pv_buf_dispose(&config);
	return rc;
}

/* Withdraws a suspend request the guest has not taken yet. */
static void withdraw_request(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = pv_xs_dom_path(domid, "control/shutdown");

	pv_xs_transaction(&ctx->hv, withdraw_tx, path);
	free(path);
}

void pv_domain_save_undo(struct pv_ctx *ctx, const struct pv_op *op,
			 uint32_t domid, struct pv_monitor_log *log,
			 const char *what)
{
	const char *phase = pv_op_get(op, "phase"), *tmp = pv_op_get(op, "tmp");
	const char *name = pv_op_get(op, "name");
	bool migrate = !strcmp(pv_op_get(op, "op"), "migrate");
	struct pv_err err;
	char *now;

	pv_err_init(&err);
	if (tmp && unlink(tmp) == 0)
		log->fn(log->arg, "%s: removed the unfinished %s", what, tmp);
	if (domid == UINT32_MAX)
		goto out;
	busy_end(ctx, domid);
	if (migrate && phase && !strcmp(phase, "cleared")) {
		/* It may run on the other host: resuming it here could run it twice. */
		log->fn(log->arg, "%s: domain %u was handed over: it may run on "
			"the other host; here it stays suspended. If it runs "
			"there, destroy this copy ('pvctl destroy %u'); if not, "
			"this suspended copy is the only one: keep it", what,
			domid, domid);
		goto out;
	}
	if (!migrate && phase && !strcmp(phase, "saved") &&
	    !strcmp(pv_op_get(op, "keep") ? pv_op_get(op, "keep") : "0", "0")) {
		if (pv_domain_destroy(ctx, domid, &err))
			log->fn(log->arg, "%s: destroying domain %u: %s", what,
				domid, pv_err_msg(&err));
		else
			log->fn(log->arg, "%s: %s was complete: destroyed domain "
				"%u, as the save would have", what,
				pv_op_get(op, "file"), domid);
		goto out;
	}
	withdraw_request(ctx, domid);
	now = pv_domain_get_name(ctx, domid);
	if (migrate && name && now && strcmp(now, name))
		pv_domain_rename(ctx, domid, name, &err);
	free(now);
	pv_err_clear(&err);
	resume_if_suspended(ctx, domid, &err);
	log->fn(log->arg, "%s: domain %u runs on%s", what, domid,
		pv_err_msg(&err)[0] ? pv_err_msg(&err) : "");
out:
	pv_err_dispose(&err);
}

/* --- restore --- */

/* The head of a save file or migration stream (domain_i.h). */
int pv_savefile_read_head(int fd, const char *what, bool override,
			  struct pv_domain_config *cfg, struct pv_err *err)
{
	struct libxl_header lh;
	struct libxl_record r;
	struct xl_header h;
	uint32_t len = 0;
	char *text = NULL, *where;
	int rc;

	rc = read_all(fd, &h, sizeof(h));
	if (rc || memcmp(h.magic, xl_magic, sizeof(h.magic)))
		return pv_err_set(err, -EINVAL, "%s is not a save file", what);
	if (h.byteorder != XL_BYTEORDER)
		return pv_err_set(err, -EINVAL, "%s: saved on a host of the "
				  "other byte order", what);
	if (h.mandatory_flags & ~(XL_FLAG_JSON | XL_FLAG_STREAMV2) ||
	    !(h.mandatory_flags & XL_FLAG_STREAMV2))
		return pv_err_set(err, -EINVAL, "%s: a save format pvctl does "
				  "not read (flags %#x; only libxl stream v2)",
				  what, h.mandatory_flags);
	if (h.optional_data_len > MAX_CONFIG + sizeof(len) ||
	    (h.optional_data_len && h.optional_data_len < sizeof(len)))
		return pv_err_set(err, -EINVAL, "%s: bad config length", what);
	if (h.optional_data_len) {
		rc = read_all(fd, &len, sizeof(len));
		if (!rc && len != h.optional_data_len - sizeof(len))
			rc = -EINVAL;
		if (!rc) {
			text = pv_malloc((size_t)len + 1);
			rc = read_all(fd, text, len);
			text[len] = '\0';
		}
		if (rc) {
			rc = pv_err_set(err, -EINVAL, "%s: truncated config", what);
			goto out;
		}
	}
	if (override) {
		rc = 0;
	} else if (!text || !len) {
		rc = pv_err_set(err, -EINVAL, "%s holds no config: give one", what);
	} else {
		struct pv_buf xlcfg = PV_BUF_INIT;

		/* xl's own files carry libxl's JSON: read as the xl.cfg it says. */
		if (h.mandatory_flags & XL_FLAG_JSON)
			rc = pv_libxl_json_to_xlcfg(text, &xlcfg, err);
		else
			pv_buf_puts(&xlcfg, text);
		where = pv_asprintf("%s (saved config)", what);
		if (!rc)
			rc = pv_xlcfg_parse_string(xlcfg.s ? xlcfg.s : "", where,
						   NULL, 0, cfg, NULL, NULL, err);
		free(where);
		pv_buf_dispose(&xlcfg);
	}
	if (rc)
		goto out;
	rc = read_all(fd, &lh, sizeof(lh));
	if (!rc && (be64toh(lh.ident) != LIBXL_IDENT ||
		    be32toh(lh.version) != LIBXL_VERSION || lh.options))
		rc = -EINVAL;
	if (!rc)
		rc = read_all(fd, &r, sizeof(r));
	if (!rc && (r.type != REC_LIBXC_CONTEXT || r.length))
		rc = -EINVAL;
	if (rc)
		rc = pv_err_set(err, -EINVAL, "%s: no libxl v2 stream with a "
				"memory image after the config", what);
out:
	free(text);
	return rc;
}

int pv_domain_restore(struct pv_ctx *ctx, const char *path,
		      const struct pv_domain_config *override,
		      const struct pv_create_opts *opts, uint32_t *domid,
		      struct pv_err *err)
{
	struct pv_create_opts o = opts ? *opts : (struct pv_create_opts){ 0 };
	struct pv_domain_config cfg;
	int fd, rc;

	pv_domain_config_init(&cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pv_err_sys(err, -errno, "cannot open %s", path);
	rc = pv_savefile_read_head(fd, path, override != NULL, &cfg, err);
	if (!rc) {
		o.restore_fd = fd;
		rc = pv_domain_create_opts(ctx, override ? override : &cfg, &o,
					   domid, err);
	}
	close(fd);
	pv_domain_config_dispose(&cfg);
	return rc;
}

/* --- live migration --- */

/*
 * xl's migration protocol, so that either end can be xl's: the receiver
 * announces itself, the sender streams the save image (live), the
 * receiver builds the domain under a temporary name, paused, and says
 * so; the sender renames its copy out of the way and clears the receiver
 * to unpause; the receiver takes the name, unpauses and reports. The
 * messages carry their NUL, but the banner.
 */
static const char mig_banner[] =
	"xl migration receiver ready, send binary domain data.\n";
static const char mig_received[] = "domain received, ready to unpause";
static const char mig_go[] = "domain is yours, you are cleared to unpause";
static const char mig_report[] = "my copy unpause results are as follows";
#define MIG_INCOMING	"--incoming"
#define MIG_AWAY	"--migratedaway"

/* Reads the message @msg (with its NUL unless @banner), within @ms. */
static int expect(int fd, const char *msg, bool banner, int ms)
{
	size_t n = strlen(msg) + (banner ? 0 : 1), got = 0;
	uint64_t deadline = pv_now_ms() + (uint64_t)ms;
	char buf[128];
	int rc;

	while (got < n) {
		ssize_t r;

		rc = pv_wait_readable(fd, deadline);
		if (rc)
			return rc;
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		got += (size_t)r;
	}
	return memcmp(buf, msg, n) ? -EPROTO : 0;
}

static int say(int fd, const char *msg)
{
	return pv_write_all(fd, msg, strlen(msg) + 1);
}

static char *with_suffix(const char *name, const char *suffix)
{
	return pv_asprintf("%s%s", name, suffix);
}

/* One byte by a deadline, as expect() reads messages. */
static int read_status(int fd, unsigned char *status, int ms)
{
	uint64_t deadline = pv_now_ms() + (uint64_t)ms;
	int rc;

	while (!(rc = pv_wait_readable(fd, deadline))) {
		ssize_t r = read(fd, status, 1);

		if (r == 1)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -errno : -EPIPE;
	}
	return rc;
}

int pv_domain_migrate_send(struct pv_ctx *ctx, uint32_t domid, int to_fd,
			   int from_fd, const struct pv_migrate_opts *opts,
			   struct pv_migrate_stats *st, struct pv_err *err)
{
	struct save s = { ctx, domid, err, false, 0, 0, 0, opts->progress,
			  opts->arg };
	struct pv_buf config = PV_BUF_INIT;
	char *name = NULL, *away = NULL, *opname = pv_asprintf("migrate.%u", domid);
	struct pv_err ignore;
	struct pv_op op;
	uint64_t t0 = pv_now_ms();
	unsigned char status;
	int rc;

	memset(st, 0, sizeof(*st));
	pv_err_init(&ignore);
	pv_op_init(&op);
	rc = savable(ctx, domid, &config, err);
	if (rc)
		goto out;
	name = pv_domain_get_name(ctx, domid);
	if (!name) {
		rc = pv_err_set(err, -ESRCH, "domain %u has no name", domid);
		goto out;
	}
	/* Its name must take the suffix that moves it aside at the end. */
	away = with_suffix(name, MIG_AWAY);
	rc = pv_domain_name_valid(away, err);
	if (rc) {
		pv_buf_printf(&err->msg, " (a migrated domain is renamed %s: "
			      "shorten its name)", away);
		goto out;
	}
	rc = expect(from_fd, mig_banner, true, PV_MIGRATE_TIMEOUT_MS);
	if (rc) {
		rc = pv_err_set(err, rc == -ETIMEDOUT ? rc : -EPROTO,
				"the receiver did not answer (is pvctl "
				"installed there? its errors are above)");
		goto out;
	}
	st->phase_ms[0] = pv_now_ms() - t0;
	/* A sender killed before the hand-over is undone: the guest runs on here. */
	pv_op_set(&op, "op", "migrate");
	pv_op_set_domain(&op, ctx, domid);
	pv_op_set(&op, "name", "%s", name);
	rc = pv_op_begin(ctx, &op, opname, err);
	if (rc)
		goto out;
	busy_begin(ctx, domid);
	rc = stream_out(&s, to_fd, opts->live, &config, "the migration stream");
	if (rc && opts->live && !s.suspended && strstr(pv_err_msg(err), "logdirty"))
		pv_buf_puts(&err->msg, " (this Xen cannot track a PV guest's "
			    "dirty pages: a non-live migration copies it "
			    "suspended)");
	if (rc)
		goto resume;
	st->phase_ms[1] = pv_now_ms() - t0;
	rc = expect(from_fd, mig_received, false, PV_MIGRATE_TIMEOUT_MS);
	if (rc) {
		rc = pv_err_set(err, rc, "the receiver failed to build the "
				"domain (its errors are above)");
		goto resume;
	}
	/* Its copy runs under the name from now on: ours steps aside. */
	rc = pv_domain_rename(ctx, domid, away, err);
	if (rc)
		goto resume;
	/* Once the receiver may unpause, this copy must never be resumed unasked. */
	pv_op_set(&op, "phase", "cleared");
	rc = pv_op_write(&op, err);
	if (rc) {
		pv_domain_rename(ctx, domid, name, &ignore);
		goto resume;
	}
	rc = say(to_fd, mig_go);
	if (!rc)
		rc = expect(from_fd, mig_report, false, PV_MIGRATE_TIMEOUT_MS);
	if (!rc)
		rc = read_status(from_fd, &status, PV_MIGRATE_TIMEOUT_MS);
	if (!rc && status) {
		/*
		 * The receiver could not start it: it destroys its copy and
		 * then gives the guest back (xl's protocol); only then is
		 * ours resumed.
		 */
		rc = expect(from_fd, mig_go, false, PV_MIGRATE_TIMEOUT_MS);
		if (!rc) {
			pv_domain_rename(ctx, domid, name, &ignore);
			rc = pv_err_set(err, -EIO, "the receiver could not start "
					"the domain (status %u): it runs on here",
					status);
			goto resume;
		}
	}
	if (rc) {
		/* xl's one case with no safe answer: say exactly what is known. */
		rc = pv_err_set(err, -EIO, "the receiver was cleared to unpause "
				"the domain but did not say how that went: it "
				"may run there, or not. Here it is domain %u, "
				"'%s', suspended. Check the other host: if '%s' "
				"runs there, destroy this copy ('pvctl destroy "
				"%u'); if not, this suspended copy is the only "
				"one: keep it", domid, away, name, domid);
		goto out;
	}
	st->downtime_ms = pv_now_ms() - s.suspended_ms;
	st->bytes = s.bytes;
	st->phase_ms[2] = pv_now_ms() - t0;
	rc = pv_domain_destroy(ctx, domid, err);
	goto out;
resume:
	resume_if_suspended(ctx, domid, err);
out:
	busy_end(ctx, domid);
	pv_op_end(&op);
	free(opname);
	pv_err_dispose(&ignore);
	free(away);
	free(name);
	pv_buf_dispose(&config);
	return rc;
}

int pv_domain_migrate_receive(struct pv_ctx *ctx, int from_fd, int to_fd,
			      const struct pv_create_opts *opts, uint32_t *domid,
			      struct pv_err *err)
{
	struct pv_create_opts o = opts ? *opts : (struct pv_create_opts){ 0 };
	struct pv_domain_config cfg;
	struct pv_hv *hv = &ctx->hv;
	unsigned char status = 0;
	char *name = NULL;
	bool paused = o.paused;
	int rc;

	pv_domain_config_init(&cfg);
	rc = pv_write_all(to_fd, mig_banner, strlen(mig_banner));
	if (rc)
		return pv_err_sys(err, rc, "writing to the sender");
	rc = pv_savefile_read_head(from_fd, "the migration stream", false, &cfg, err);
	if (rc)
		goto out;
	/* Built under a temporary name, paused, until the sender lets go. */
	name = cfg.name;
	cfg.name = with_suffix(name, MIG_INCOMING);
	o.restore_fd = from_fd;
	o.paused = true;
	rc = pv_domain_create_opts(ctx, &cfg, &o, domid, err);
	if (rc)
		goto out;
	rc = say(to_fd, mig_received);
	if (!rc)
		rc = expect(from_fd, mig_go, false, PV_MIGRATE_TIMEOUT_MS);
	if (rc) {
		/* The sender keeps (or takes back) the guest: ours goes. */
		pv_domain_destroy(ctx, *domid, err);
		rc = pv_err_set(err, -EPROTO, "the sender did not clear us to "
				"unpause: our copy is destroyed, the guest runs "
				"there");
		goto out;
	}
	rc = pv_domain_rename(ctx, *domid, name, err);
	if (!rc && !paused) {
		rc = hv->ops->domain_unpause(hv->h, *domid);
		if (rc)
			pv_err_sys(err, rc, "unpausing domain %u", *domid);
	}
	status = rc ? 1 : 0;
	if (say(to_fd, mig_report) || pv_write_all(to_fd, &status, 1)) {
		rc = rc ? rc : pv_err_set(err, -EPIPE, "the sender went away "
					  "before our report: the guest runs "
					  "here as domain %u", *domid);
		goto out;
	}
	/* Ours failed: destroyed, then the guest is the sender's again. */
	if (status) {
		pv_domain_destroy(ctx, *domid, err);
		say(to_fd, mig_go);
	}
out:
	if (name) {
		free(cfg.name);
		cfg.name = name;	/* disposed with the rest */
	}
	pv_domain_config_dispose(&cfg);
	return rc;
}
