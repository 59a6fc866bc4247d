/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_xs.c: the simulated xenstored's node operations (read, write,
 * mkdir, rm, directory, permissions), following tools/xenstored/core.c:
 * permission checks, implicit parents, and which errors leak what.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "sim_int.h"

/* xs_wire.h: a request's payload (path, NUL, value) may not exceed this. */
#define PAYLOAD_MAX 4096
/* xenstored's default quotas for unprivileged domains. */
#define GUEST_NODE_MAX 2048	/* quota-max-entry-size */
#define GUEST_PERMS_MAX 5	/* quota-max-perms */

/* One XenStore request: where it reads and writes, and for whom. */
struct op {
	struct pv_sim *s;
	struct sim_db *db;
	struct sim_tx *tx;
	char *path;		/* canonical */
};

/*
 * Starts a request as xenstored sees it: libxenstore refuses an
 * oversized payload first, then the transaction is looked up, then the
 * path is canonicalised.
 */
static int op_begin(struct op *op, struct pv_sim *s, enum pv_sim_op which,
		    pv_xbt t, const char *path, size_t extra)
{
	int rc = pv_sim_enter(s, which);

	op->s = s;
	op->path = NULL;
	if (rc)
		return rc;
	if (path && strlen(path) + 1 + extra > PAYLOAD_MAX)
		return -E2BIG;
	rc = pv_sim_tx_db(s, t, &op->db, &op->tx);
	if (rc)
		return rc;
	return pv_sim_path_canon(s->caller, path, false, &op->path);
}

static void op_end(struct op *op)
{
	free(op->path);
}

static struct sim_node *lookup(struct op *op, const char *path)
{
	pv_sim_tx_access(op->tx, path, false);
	return pv_sim_db_get(op->db, path);
}

/*
 * xenstored's errno_from_parents(): a failure turns into -EACCES unless
 * the nearest existing ancestor grants the caller some of @want, so a
 * guest learns nothing about nodes it may not see.
 */
static int errno_from_parents(struct op *op, int err, unsigned int want)
{
	struct sim_node *a = NULL;
	char *p = pv_strdup(op->path);

	while (!a && strcmp(p, "/")) {
		char *up = pv_sim_path_parent(p);

		free(p);
		p = up;
		a = pv_sim_db_get(op->db, p);
	}
	free(p);
	if (a && (pv_sim_perm_for(a, op->s->caller) & want))
		return err;
	return -EACCES;
}

static int get_node(struct op *op, unsigned int want, struct sim_node **np)
{
	struct sim_node *n = lookup(op, op->path);
	int err = 0;

	if (!n)
		err = -ENOENT;
	else if ((pv_sim_perm_for(n, op->s->caller) & want) != want)
		err = -EACCES;
	*np = err ? NULL : n;
	return err ? errno_from_parents(op, err, want) : 0;
}

/*
 * xenstored's construct_node(): creates the node and any missing
 * parents, each inheriting its parent's permissions; a node a guest
 * creates is owned by that guest.
 */
static void create_node(struct op *op, const char *val, size_t len)
{
	struct sim_node *parent = NULL, *n;
	char **missing = NULL, *p = pv_strdup(op->path);
	size_t nmissing = 0;

	while (!parent) {
		missing = pv_realloc(missing,
				     (nmissing + 1) * sizeof(*missing));
		missing[nmissing++] = p;
		p = pv_sim_path_parent(p);
		parent = lookup(op, p);	/* "/" always exists */
	}
	free(p);
	while (nmissing) {
		p = missing[--nmissing];
		n = pv_sim_node_new(p);
		pv_sim_node_set_perms(n, parent->perms, parent->nperms);
		if (op->s->caller != 0)
			n->perms[0].domid = op->s->caller;
		pv_sim_node_add_child(parent, pv_sim_path_base(p));
		pv_sim_tx_touch(op->s, op->tx, parent);
		pv_sim_db_put(op->db, n);
		pv_sim_tx_touch(op->s, op->tx, n);
		parent = n;
		free(p);
	}
	free(missing);
	pv_sim_node_set_val(parent, val, len);
}

static int sim_xs_read(void *h, pv_xbt t, const char *path, char **val,
		       size_t *len)
{
	struct sim_node *n;
	struct op op;
	int rc = op_begin(&op, h, SIM_XS_READ, t, path, 0);

	if (!rc)
		rc = get_node(&op, PV_XS_PERM_READ, &n);
	if (!rc) {
		*val = pv_strndup(n->val, n->len);
		if (len)
			*len = n->len;
	}
	op_end(&op);
	return rc;
}

static int sim_xs_write(void *h, pv_xbt t, const char *path, const char *val,
			size_t len)
{
	struct sim_node *n;
	struct op op;
	int rc = op_begin(&op, h, SIM_XS_WRITE, t, path, len);

	if (!rc && op.s->caller != 0 && len > GUEST_NODE_MAX)
		rc = -ENOSPC;
	if (!rc) {
		rc = get_node(&op, PV_XS_PERM_WRITE, &n);
		if (!rc) {
			pv_sim_node_set_val(n, val, len);
			pv_sim_tx_touch(op.s, op.tx, n);
		} else if (rc == -ENOENT) {
			create_node(&op, val, len);
			rc = 0;
		}
	}
	if (!rc)
		pv_sim_fire(op.s, op.tx, op.path, false);
	op_end(&op);
	return rc;
}

static int sim_xs_mkdir(void *h, pv_xbt t, const char *path)
{
	struct sim_node *n;
	struct op op;
	int rc = op_begin(&op, h, SIM_XS_MKDIR, t, path, 0);

	if (!rc) {
		/* Already there: fine, and nothing changes. */
		rc = get_node(&op, PV_XS_PERM_WRITE, &n);
		if (rc == -ENOENT) {
			create_node(&op, NULL, 0);
			pv_sim_fire(op.s, op.tx, op.path, false);
			rc = 0;
		}
	}
	op_end(&op);
	return rc;
}

/*
 * Deletes @path and below, children first, firing watches as it goes
 * like xenstored's delnode_sub(): a watch on a removed descendant sees
 * its own path; watches on @root and above see @root.
 */
static void delete_tree(struct op *op, const char *path, const char *root)
{
	struct sim_node *n = pv_sim_db_get(op->db, path);
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		char *child = pv_sim_path_join(path, n->children[i]);

		delete_tree(op, child, root);
		free(child);
	}
	pv_sim_fire(op->s, op->tx, path, strcmp(path, root) != 0);
	pv_sim_tx_access(op->tx, path, true);
	pv_sim_db_del(op->db, path);
}

static int sim_xs_rm(void *h, pv_xbt t, const char *path)
{
	struct sim_node *n, *parent;
	struct op op;
	char *up;
	int rc = op_begin(&op, h, SIM_XS_RM, t, path, 0);

	if (rc)
		goto out;
	rc = get_node(&op, PV_XS_PERM_WRITE, &n);
	if (rc && rc != -ENOENT)
		goto out;
	if (!strcmp(op.path, "/")) {
		rc = -EINVAL;
		goto out;
	}
	up = pv_sim_path_parent(op.path);
	parent = lookup(&op, up);
	free(up);
	if (rc) {
		/* Gone already: fine, if the parent exists. */
		rc = parent ? 0 : -ENOENT;
		goto out;
	}
	delete_tree(&op, op.path, op.path);
	pv_sim_node_del_child(parent, pv_sim_path_base(op.path));
	pv_sim_tx_touch(op.s, op.tx, parent);
out:
	op_end(&op);
	return rc;
}

static int sim_xs_directory(void *h, pv_xbt t, const char *path,
			    char ***names, size_t *n)
{
	struct sim_node *node;
	struct op op;
	size_t i;
	int rc = op_begin(&op, h, SIM_XS_DIRECTORY, t, path, 0);

	if (!rc)
		rc = get_node(&op, PV_XS_PERM_READ, &node);
	if (!rc) {
		*names = pv_calloc(node->nchildren, sizeof(**names));
		for (i = 0; i < node->nchildren; i++)
			(*names)[i] = pv_strdup(node->children[i]);
		*n = node->nchildren;
	}
	op_end(&op);
	return rc;
}

static int sim_xs_get_perms(void *h, pv_xbt t, const char *path,
			    struct pv_xs_perm **perms, size_t *n)
{
	struct sim_node *node;
	struct op op;
	int rc = op_begin(&op, h, SIM_XS_GET_PERMS, t, path, 0);

	if (!rc)
		rc = get_node(&op, PV_XS_PERM_READ, &node);
	if (!rc) {
		*perms = pv_calloc(node->nperms, sizeof(**perms));
		memcpy(*perms, node->perms, node->nperms * sizeof(**perms));
		*n = node->nperms;
	}
	op_end(&op);
	return rc;
}

static int check_perms(const struct pv_xs_perm *perms, size_t n,
		       uint32_t caller)
{
	size_t i;

	if (!perms || n < 1)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (perms[i].perm > PV_XS_PERM_BOTH)
			return -EINVAL;
	if (caller != 0 && n > GUEST_PERMS_MAX)
		return -ENOSPC;
	return 0;
}

/* Only the owner (or dom0) may; a guest may not give a node away. */
static int sim_xs_set_perms(void *h, pv_xbt t, const char *path,
			    const struct pv_xs_perm *perms, size_t n)
{
	struct sim_node *node;
	struct op op;
	/* Each entry travels as a string like "b12" plus its NUL. */
	int rc = op_begin(&op, h, SIM_XS_SET_PERMS, t, path, n * 7);

	if (!rc)
		rc = check_perms(perms, n, op.s->caller);
	if (!rc)
		rc = get_node(&op, PV_XS_PERM_WRITE | SIM_PERM_OWNER, &node);
	if (!rc && op.s->caller != 0 && perms[0].domid != node->perms[0].domid)
		rc = -EPERM;
	if (!rc) {
		pv_sim_node_set_perms(node, perms, n);
		pv_sim_tx_touch(op.s, op.tx, node);
		pv_sim_fire(op.s, op.tx, op.path, false);
	}
	op_end(&op);
	return rc;
}

/* A node xenstored has from the start, owned by dom0, "n0". */
static void seed(struct pv_sim *s, const char *path, const char *val)
{
	static const struct pv_xs_perm n0 = { 0, PV_XS_PERM_NONE };
	struct sim_node *n = pv_sim_node_new(path);

	pv_sim_node_set_val(n, val, strlen(val));
	pv_sim_node_set_perms(n, &n0, 1);
	n->gen = ++s->xs.gen;
	if (strcmp(path, "/")) {
		char *up = pv_sim_path_parent(path);

		pv_sim_node_add_child(pv_sim_db_get(&s->xs.db, up),
				      pv_sim_path_base(path));
		free(up);
	}
	pv_sim_db_put(&s->xs.db, n);
}

void pv_sim_xs_init(struct pv_sim *s)
{
	pv_sim_db_init(&s->xs.db);
	s->xs.queue_tail = &s->xs.queue;
	seed(s, "/", "");
	seed(s, "/local", "");
	seed(s, "/local/domain", "");
	seed(s, "/local/domain/0", "");
	/* What xen-init-dom0 writes at boot. */
	seed(s, "/local/domain/0/name", "Domain-0");
	seed(s, "/local/domain/0/domid", "0");
	seed(s, "/vm", "");
	seed(s, "/tool", "");
}

void pv_sim_xs_dispose(struct pv_sim *s)
{
	pv_sim_tx_free_all(s);
	pv_sim_watch_free_all(s);
	free(s->xs.introduced);
	pv_sim_db_dispose(&s->xs.db);
}

unsigned int pv_sim_xs_node_count(const struct pv_sim *s)
{
	return (unsigned int)s->xs.db.n;
}

bool pv_sim_xs_exists(const struct pv_sim *s, const char *path)
{
	return pv_sim_db_get(&s->xs.db, path) != NULL;
}

static void dump_val(const struct sim_node *n, FILE *f)
{
	size_t i;

	for (i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->val[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (isprint(c))
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static void dump_node(const struct sim_db *db, const char *path, FILE *f)
{
	static const char letter[] = "nrwb";
	const struct sim_node *n = pv_sim_db_get(db, path);
	size_t i;

	fprintf(f, "%s = \"", path);
	dump_val(n, f);
	fputs("\" (", f);
	for (i = 0; i < n->nperms; i++)
		fprintf(f, "%s%c%u", i ? "," : "",
			letter[n->perms[i].perm & 3], n->perms[i].domid);
	fputs(")\n", f);
	for (i = 0; i < n->nchildren; i++) {
		char *child = pv_sim_path_join(path, n->children[i]);

		dump_node(db, child, f);
		free(child);
	}
}

void pv_sim_xs_dump(const struct pv_sim *s, FILE *f)
{
	dump_node(&s->xs.db, "/", f);
}

void pv_sim_xs_ops(struct pv_hv_ops *ops)
{
	ops->xs_read = sim_xs_read;
	ops->xs_write = sim_xs_write;
	ops->xs_mkdir = sim_xs_mkdir;
	ops->xs_rm = sim_xs_rm;
	ops->xs_directory = sim_xs_directory;
	ops->xs_set_perms = sim_xs_set_perms;
	ops->xs_get_perms = sim_xs_get_perms;
}
