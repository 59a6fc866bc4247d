/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_xsdb.c: XenStore nodes, sets of nodes sorted by path, path rules
 * and permission evaluation, as in xenstored's core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "sim_int.h"

/* xs_wire.h: XENSTORE_ABS_PATH_MAX and XENSTORE_REL_PATH_MAX. */
#define ABS_PATH_MAX 3072
#define REL_PATH_MAX 2048

struct sim_node *pv_sim_node_new(const char *path)
{
	struct sim_node *n = pv_calloc(1, sizeof(*n));

	n->path = pv_strdup(path);
	n->val = pv_strdup("");
	return n;
}

struct sim_node *pv_sim_node_copy(const struct sim_node *src)
{
	struct sim_node *n = pv_sim_node_new(src->path);
	size_t i;

	pv_sim_node_set_val(n, src->val, src->len);
	pv_sim_node_set_perms(n, src->perms, src->nperms);
	for (i = 0; i < src->nchildren; i++)
		pv_sim_node_add_child(n, src->children[i]);
	n->gen = src->gen;
	return n;
}

void pv_sim_node_free(struct sim_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nchildren; i++)
		free(n->children[i]);
	free(n->children);
	free(n->perms);
	free(n->val);
	free(n->path);
	free(n);
}

void pv_sim_node_set_val(struct sim_node *n, const char *val, size_t len)
{
	char *copy = pv_malloc(len + 1);

	if (len)
		memcpy(copy, val, len);
	copy[len] = '\0';
	free(n->val);
	n->val = copy;
	n->len = len;
}

void pv_sim_node_set_perms(struct sim_node *n, const struct pv_xs_perm *p,
			   size_t np)
{
	struct pv_xs_perm *copy = pv_calloc(np, sizeof(*copy));

	memcpy(copy, p, np * sizeof(*copy));
	free(n->perms);
	n->perms = copy;
	n->nperms = np;
}

void pv_sim_node_add_child(struct sim_node *n, const char *name)
{
	n->children = pv_realloc(n->children,
				 (n->nchildren + 1) * sizeof(*n->children));
	n->children[n->nchildren++] = pv_strdup(name);
}

void pv_sim_node_del_child(struct sim_node *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		if (strcmp(n->children[i], name))
			continue;
		free(n->children[i]);
		memmove(&n->children[i], &n->children[i + 1],
			(n->nchildren - i - 1) * sizeof(*n->children));
		n->nchildren--;
		return;
	}
}

void pv_sim_db_init(struct sim_db *db)
{
	db->nodes = NULL;
	db->n = db->cap = 0;
}

void pv_sim_db_dispose(struct sim_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		pv_sim_node_free(db->nodes[i]);
	free(db->nodes);
	pv_sim_db_init(db);
}

void pv_sim_db_copy(struct sim_db *dst, const struct sim_db *src)
{
	size_t i;

	pv_sim_db_init(dst);
	dst->cap = src->n;
	dst->nodes = pv_calloc(src->n, sizeof(*dst->nodes));
	for (i = 0; i < src->n; i++)
		dst->nodes[i] = pv_sim_node_copy(src->nodes[i]);
	dst->n = src->n;
}

/* Binary search: the index of @path, or where it would go. */
static size_t db_find(const struct sim_db *db, const char *path, bool *found)
{
	size_t lo = 0, hi = db->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(db->nodes[mid]->path, path);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct sim_node *pv_sim_db_get(const struct sim_db *db, const char *path)
{
	bool found;
	size_t i = db_find(db, path, &found);

	return found ? db->nodes[i] : NULL;
}

void pv_sim_db_put(struct sim_db *db, struct sim_node *n)
{
	bool found;
	size_t i = db_find(db, n->path, &found);

	if (found) {
		pv_sim_node_free(db->nodes[i]);
		db->nodes[i] = n;
		return;
	}
	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 16;
		db->nodes = pv_realloc(db->nodes,
				       db->cap * sizeof(*db->nodes));
	}
	memmove(&db->nodes[i + 1], &db->nodes[i],
		(db->n - i) * sizeof(*db->nodes));
	db->nodes[i] = n;
	db->n++;
}

void pv_sim_db_del(struct sim_db *db, const char *path)
{
	bool found;
	size_t i = db_find(db, path, &found);

	if (!found)
		return;
	pv_sim_node_free(db->nodes[i]);
	memmove(&db->nodes[i], &db->nodes[i + 1],
		(db->n - i - 1) * sizeof(*db->nodes));
	db->n--;
}

static bool valid_chars(const char *p)
{
	return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "abcdefghijklmnopqrstuvwxyz"
			 "0123456789-/_@") == strlen(p);
}

/* Length of a "/local/domain/<id>/" prefix, which quotas do not count. */
static size_t local_prefix(const char *p)
{
	unsigned int domid;
	int off = 0;

	if (sscanf(p, "/local/domain/%5u/%n", &domid, &off) != 1)
		return 0;
	return (size_t)off;
}

/*
 * xenstored's canonicalize(): only [A-Za-z0-9-/_@], "@..." only where a
 * special path is allowed (watches), relative paths are below the
 * caller's /local/domain/<id>, no trailing or doubled slash, and a
 * length limit (a guest's counted without its home prefix).
 */
int pv_sim_path_canon(uint32_t caller, const char *path, bool allow_special,
		      char **out)
{
	size_t len;
	char *p;

	*out = NULL;
	if (!path || !*path || !valid_chars(path))
		return -EINVAL;
	if (path[0] == '@') {
		if (!allow_special)
			return -EINVAL;
		*out = pv_strdup(path);
		return 0;
	}
	if (path[0] == '/')
		p = pv_strdup(path);
	else
		p = pv_asprintf("/local/domain/%u/%s", caller, path);
	len = strlen(p);
	if ((len > 1 && p[len - 1] == '/') || strstr(p, "//") ||
	    len > ABS_PATH_MAX ||
	    (caller != 0 && len - local_prefix(p) > REL_PATH_MAX)) {
		free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

char *pv_sim_path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return pv_strdup("/");
	return pv_strndup(path, (size_t)(slash - path));
}

const char *pv_sim_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *pv_sim_path_join(const char *dir, const char *name)
{
	if (!strcmp(dir, "/"))
		return pv_asprintf("/%s", name);
	return pv_asprintf("%s/%s", dir, name);
}

bool pv_sim_path_within(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (dir[0] == '@' || path[0] == '@')
		return !strcmp(path, dir);
	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, len) &&
	       (path[len] == '\0' || path[len] == '/');
}

/*
 * xenstored's perm_for_conn(): dom0 and the owner (first entry) get
 * everything; otherwise the first later entry naming the caller; else
 * what the first entry grants to everyone.
 */
unsigned int pv_sim_perm_for(const struct sim_node *n, uint32_t caller)
{
	size_t i;

	if (caller == 0 || n->perms[0].domid == caller)
		return PV_XS_PERM_BOTH | SIM_PERM_OWNER;
	for (i = 1; i < n->nperms; i++)
		if (n->perms[i].domid == caller)
			return n->perms[i].perm & PV_XS_PERM_BOTH;
	return n->perms[0].perm & PV_XS_PERM_BOTH;
}
