/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saved.c: the config each domain was created from, kept as JSON in
 * STATE/domains/DOMID.json: {"domid": N, "uuid": "...", "config": {...}}.
 * Later commands (and a restarted pvctl) read it back from there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "domain.h"
#include "../../util/fileio.h"
#include "../../util/jsonw.h"
#include "../../util/uuid.h"

static char *saved_path(struct pv_ctx *ctx, uint32_t domid)
{
	return pv_asprintf("%s/domains/%u.json", ctx->state_dir, domid);
}

/*
 * yajl builds its tree, and frees it, by recursion: a file nested deeply
 * enough would overflow the stack. A saved config is a few levels deep.
 */
#define SAVED_MAX_DEPTH 64

/* Whether @text nests arrays and objects deeper than SAVED_MAX_DEPTH. */
static bool too_deep(const char *text)
{
	bool in_string = false;
	unsigned int depth = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (in_string) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else if (*p == '[' || *p == '{') {
			if (++depth > SAVED_MAX_DEPTH)
				return true;
		} else if ((*p == ']' || *p == '}') && depth) {
			depth--;
		}
	}
	return false;
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
	rc = pv_write_file_atomic(path, text, len, 0600, err);
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
	if (too_deep(text.s)) {
		rc = pv_err_set(err, -EINVAL, "%s: nested deeper than %d levels: "
				"not a pvctl domain file", path, SAVED_MAX_DEPTH);
		goto out;
	}
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
	/* Its errors name the key; the file is named here. */
	rc = pv_domain_config_from_json(c, cfg, err);
	if (rc) {
		char *why = pv_strdup(pv_err_msg(err));

		pv_err_clear(err);
		pv_err_set(err, rc, "%s: %s", path, why);
		free(why);
	}
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
