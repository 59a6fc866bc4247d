/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ops.c: records of the operations in progress (see ops.h).
 *
 * A record names its process by pid and by the time it started (field
 * 22 of /proc/PID/stat, in clock ticks since boot): a pid that a later
 * process took over is not taken for the one that wrote the record.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "ops.h"
#include "../../util/fileio.h"
#include "../../util/jsonw.h"
#include "../../util/uuid.h"

#define OPS_SUFFIX ".json"

/* The start time of process @pid, or 0 when it cannot be read. */
static uint64_t proc_start(pid_t pid)
{
	char *path = pv_asprintf("/proc/%d/stat", (int)pid);
	struct pv_buf b = PV_BUF_INIT;
	unsigned long long start = 0;
	struct pv_err ignore;
	const char *p;
	int field;

	pv_err_init(&ignore);
	/* /proc files have no size: read as "regular" up to a bound. */
	if (pv_buf_read_file(&b, path, 4096, &ignore) == 0 && b.s) {
		/* The command name may hold spaces and ')': skip to its end. */
		p = strrchr(b.s, ')');
		for (field = 2; p && field < 22; field++)
			p = strchr(p + 1, ' ');
		if (p && sscanf(p + 1, "%llu", &start) != 1)
			start = 0;
	}
	pv_err_dispose(&ignore);
	pv_buf_dispose(&b);
	free(path);
	return start;
}

void pv_op_init(struct pv_op *op)
{
	memset(op, 0, sizeof(*op));
}

static void fields_free(struct pv_op *op)
{
	size_t i;

	for (i = 0; i < op->n; i++) {
		free(op->f[i].key);
		free(op->f[i].val);
	}
	free(op->f);
	op->f = NULL;
	op->n = 0;
}

void pv_op_dispose(struct pv_op *op)
{
	fields_free(op);
	free(op->path);
	free(op->name);
	yajl_tree_free(op->tree);
	pv_op_init(op);
}

static void set(struct pv_op *op, const char *key, char *val)
{
	size_t i;

	for (i = 0; i < op->n; i++) {
		if (!strcmp(op->f[i].key, key)) {
			free(op->f[i].val);
			op->f[i].val = val;
			return;
		}
	}
	op->f = pv_realloc(op->f, (op->n + 1) * sizeof(*op->f));
	op->f[op->n].key = pv_strdup(key);
	op->f[op->n++].val = val;
}

void pv_op_set(struct pv_op *op, const char *key, const char *fmt, ...)
{
	struct pv_buf b = PV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	set(op, key, pv_buf_detach(&b));
}

void pv_op_set_domain(struct pv_op *op, struct pv_ctx *ctx, uint32_t domid)
{
	struct pv_dominfo info;
	char uuid[PV_UUID_STRLEN + 1];

	pv_op_set(op, "domid", "%u", domid);
	if (ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info) == 0) {
		pv_uuid_format(info.uuid, uuid);
		pv_op_set(op, "uuid", "%s", uuid);
	}
}

const char *pv_op_get(const struct pv_op *op, const char *key)
{
	size_t i;

	for (i = 0; i < op->n; i++)
		if (!strcmp(op->f[i].key, key))
			return op->f[i].val;
	return NULL;
}

int pv_op_get_uint(const struct pv_op *op, const char *key, uint64_t max,
		   uint64_t *v)
{
	const char *s = pv_op_get(op, key);

	if (!s)
		return -ENOENT;
	return pv_parse_uint(s, max, v) ? -EINVAL : 0;
}

int pv_op_write(struct pv_op *op, struct pv_err *err)
{
	const char *text;
	struct pv_jw w;
	size_t len, i;
	int rc = 0;

	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	pv_jw_num(&w, "pid", (uint64_t)op->pid);
	pv_jw_num(&w, "start", op->start);
	for (i = 0; i < op->n; i++)
		pv_jw_str(&w, op->f[i].key, op->f[i].val);
	if (op->config) {
		pv_jw_key(&w, "config");
		rc = pv_domain_config_to_json(op->config, &w);
	}
	pv_jw_map_close(&w);
	if (rc || w.bad) {
		rc = pv_err_set(err, rc ? rc : -EINVAL, "cannot encode %s", op->path);
	} else {
		text = pv_jw_text(&w, &len);
		rc = pv_write_file_atomic(op->path, text, len, 0600, err);
	}
	pv_jw_dispose(&w);
	return rc;
}

int pv_op_begin(struct pv_ctx *ctx, struct pv_op *op, const char *name,
		struct pv_err *err)
{
	char *dir = pv_asprintf("%s/ops", ctx->run_dir);
	int rc = pv_mkdirs(dir, err);

	if (!rc) {
		pv_str_set(&op->name, name);
		free(op->path);
		op->path = pv_asprintf("%s/%s" OPS_SUFFIX, dir, name);
		op->pid = getpid();
		op->start = proc_start(op->pid);
		rc = pv_op_write(op, err);
		if (rc) {
			free(op->path);
			op->path = NULL;
		}
	}
	free(dir);
	return rc;
}

void pv_op_end(struct pv_op *op)
{
	if (op->path)
		unlink(op->path);
	pv_op_dispose(op);
}

bool pv_op_alive(const struct pv_op *op)
{
	uint64_t now;

	if (op->pid <= 0)
		return false;
	if (kill(op->pid, 0) && errno == ESRCH)
		return false;
	/* Without /proc either start is 0: the pid alone decides. */
	now = proc_start(op->pid);
	return !now || !op->start || now == op->start;
}

bool pv_op_for(const struct pv_op *op, const struct pv_dominfo *info)
{
	const char *uuid = pv_op_get(op, "uuid");
	char live[PV_UUID_STRLEN + 1];
	uint64_t domid;

	if (pv_op_get_uint(op, "domid", UINT32_MAX, &domid) == 0 &&
	    domid != info->domid)
		return false;
	if (!uuid)
		return pv_op_get(op, "domid") != NULL;
	pv_uuid_format(info->uuid, live);
	return !strcmp(uuid, live);
}

char *pv_op_describe(const struct pv_op *op)
{
	const char *what = pv_op_get(op, "op");

	if (!what)
		what = op->name;
	if (pv_op_alive(op))
		return pv_asprintf("%s by pid %d in progress", what, (int)op->pid);
	return pv_asprintf("incomplete: %s by pid %d was killed ('pvctl "
			   "cleanup' finishes it)", what, (int)op->pid);
}

static int read_one(const char *dir, const char *file, struct pv_op *op)
{
	struct pv_buf text = PV_BUF_INIT;
	struct pv_err ignore;
	yajl_val root, v;
	size_t i, len = strlen(file) - strlen(OPS_SUFFIX);
	int rc;

	pv_err_init(&ignore);
	op->path = pv_asprintf("%s/%s", dir, file);
	op->name = pv_strdup(file);
	op->name[len] = '\0';
	rc = pv_buf_read_file(&text, op->path, 0, &ignore);
	pv_err_dispose(&ignore);
	root = rc || !text.s ? NULL : yajl_tree_parse(text.s, NULL, 0);
	pv_buf_dispose(&text);
	if (!YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return -EINVAL;
	}
	op->tree = root;
	for (i = 0; i < root->u.object.len; i++) {
		const char *k = root->u.object.keys[i];

		v = root->u.object.values[i];
		if (!strcmp(k, "pid") && YAJL_IS_INTEGER(v))
			op->pid = (pid_t)YAJL_GET_INTEGER(v);
		else if (!strcmp(k, "start") && YAJL_IS_INTEGER(v))
			op->start = (uint64_t)YAJL_GET_INTEGER(v);
		else if (YAJL_IS_STRING(v))
			set(op, k, pv_strdup(YAJL_GET_STRING(v)));
	}
	return op->pid > 0 ? 0 : -EINVAL;
}

int pv_op_get_config(const struct pv_op *op, struct pv_domain_config *cfg,
		     struct pv_err *err)
{
	const char *key[] = { "config", NULL };
	yajl_val c = op->tree ? yajl_tree_get(op->tree, key, yajl_t_object) : NULL;

	if (!c)
		return pv_err_set(err, -ENOENT, "%s carries no config", op->path);
	return pv_domain_config_from_json(c, cfg, err);
}

/* Records sort by name: their order is the same on every run. */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pv_op *)a)->name,
		      ((const struct pv_op *)b)->name);
}

int pv_op_list(struct pv_ctx *ctx, struct pv_op **ops, size_t *n,
	       struct pv_err *err)
{
	char *dir = pv_asprintf("%s/ops", ctx->run_dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	struct pv_op *v = NULL;
	size_t m = 0;

	*ops = NULL;
	*n = 0;
	if (!d) {
		int rc = errno == ENOENT ? 0 : pv_err_sys(err, -errno,
							  "cannot read %s", dir);

		free(dir);
		return rc;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		/* NAME.json only: a writer's temporary file is not a record. */
		if (len <= strlen(OPS_SUFFIX) || e->d_name[0] == '.' ||
		    strcmp(e->d_name + len - strlen(OPS_SUFFIX), OPS_SUFFIX))
			continue;
		v = pv_realloc(v, (m + 1) * sizeof(*v));
		pv_op_init(&v[m]);
		if (read_one(dir, e->d_name, &v[m]))
			pv_op_dispose(&v[m]);
		else
			m++;
	}
	closedir(d);
	free(dir);
	if (m)
		qsort(v, m, sizeof(*v), by_name);
	*ops = v;
	*n = m;
	return 0;
}

void pv_op_list_free(struct pv_op *ops, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pv_op_dispose(&ops[i]);
	free(ops);
}
