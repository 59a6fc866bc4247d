/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saved.c: the config each domain was created from, kept as JSON in
 * STATE/domains/DOMID.json: {"domid": N, "uuid": "...", "config": {...}}.
 * Later commands (and a restarted pvctl) read it back from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "domain.h"
#include "../../util/jsonw.h"
#include "../../util/uuid.h"

static char *saved_path(struct pv_ctx *ctx, uint32_t domid)
{
	return pv_asprintf("%s/domains/%u.json", ctx->state_dir, domid);
}

/* Writes @data to @path atomically: a reader sees the old file or the new. */
static int write_file_atomic(const char *path, const void *data, size_t len,
			     struct pv_err *err)
{
	char *tmp = pv_asprintf("%s.tmp", path);
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "cannot write %s", tmp);
		goto out;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd)) {
		rc = pv_err_sys(err, -errno, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path)) {
		rc = pv_err_sys(err, -errno, "cannot rename %s to %s", tmp, path);
		unlink(tmp);
	}
out:
	free(tmp);
	return rc;
}

int pv_domain_config_save(struct pv_ctx *ctx, uint32_t domid, const char *uuid,
			  const struct pv_domain_config *cfg, struct pv_err *err)
{
	char *dir = pv_asprintf("%s/domains", ctx->state_dir);
	char *path = saved_path(ctx, domid);
	char live[PV_UUID_STRLEN + 1];
	const char *text;
	struct pv_jw w;
	size_t len;
	int rc;

	pv_jw_init(&w, true);
	if (!uuid) {
		struct pv_dominfo info;

		rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info);
		if (rc) {
			pv_err_sys(err, rc, "reading domain %u", domid);
			goto out;
		}
		pv_uuid_format(info.uuid, live);
		uuid = live;
	}
	rc = pv_mkdirs(dir, err);
	if (rc)
		goto out;
	pv_jw_map_open(&w, NULL);
	pv_jw_num(&w, "domid", domid);
	pv_jw_str(&w, "uuid", uuid);
	pv_jw_key(&w, "config");
	rc = pv_domain_config_to_json(cfg, &w);
	pv_jw_map_close(&w);
	if (rc || w.bad) {
		rc = pv_err_set(err, rc ? rc : -EINVAL,
				"cannot encode the config of domain %u", domid);
		goto out;
	}
	text = pv_jw_text(&w, &len);
	rc = write_file_atomic(path, text, len, err);
out:
	pv_jw_dispose(&w);
	free(path);
	free(dir);
	return rc;
}

int pv_domain_config_load(struct pv_ctx *ctx, uint32_t domid,
			  struct pv_domain_config *cfg, struct pv_err *err)
{
	char *path = saved_path(ctx, domid);
	struct pv_buf text = PV_BUF_INIT;
	const char *uuid_key[] = { "uuid", NULL };
	const char *cfg_key[] = { "config", NULL };
	struct pv_dominfo info;
	char errbuf[256], live[PV_UUID_STRLEN + 1];
	yajl_val root = NULL, u, c;
	int rc;

	rc = pv_buf_read_file(&text, path, 0, err);
	if (rc)
		goto out;
	root = yajl_tree_parse(text.s, errbuf, sizeof(errbuf));
	u = root ? yajl_tree_get(root, uuid_key, yajl_t_string) : NULL;
	c = root ? yajl_tree_get(root, cfg_key, yajl_t_object) : NULL;
	if (!u || !c) {
		rc = pv_err_set(err, -EINVAL, "%s: not a pvctl domain file", path);
		goto out;
	}
	/* A file left from an earlier domain with the same ID is not this one's. */
	rc = ctx->hv.ops->domain_getinfo(ctx->hv.h, domid, &info);
	if (rc) {
		pv_err_sys(err, rc, "reading domain %u", domid);
		goto out;
	}
	pv_uuid_format(info.uuid, live);
	if (strcmp(live, u->u.string) != 0) {
		rc = pv_err_set(err, -ESTALE, "%s belongs to an earlier domain %u",
				path, domid);
		goto out;
	}
	rc = pv_domain_config_from_json(c, cfg, err);
out:
	yajl_tree_free(root);
	pv_buf_dispose(&text);
	free(path);
	return rc;
}

void pv_domain_config_forget(struct pv_ctx *ctx, uint32_t domid)
{
	char *path = saved_path(ctx, domid);

	unlink(path);
	free(path);
}
