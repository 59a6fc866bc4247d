/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.c: reading the desired configs and planning what `pvctl apply`
 * changes (apply_run.c carries a plan out). See apply.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "../room.h"
#include "../devices/devices.h"

static const char *const op_names[] = {
	[PV_APPLY_CREATE] = "create",
	[PV_APPLY_RESTART] = "restart",
	[PV_APPLY_MAXMEM] = "maxmem",
	[PV_APPLY_MEMORY] = "memory",
	[PV_APPLY_VCPUS] = "vcpus",
	[PV_APPLY_CPUS] = "cpus",
	[PV_APPLY_ACTIONS] = "actions",
	[PV_APPLY_SOURCE] = "source",
	[PV_APPLY_DISK_DETACH] = "detach-disk",
	[PV_APPLY_VIF_DETACH] = "detach-vif",
	[PV_APPLY_DISK_ATTACH] = "attach-disk",
	[PV_APPLY_VIF_ATTACH] = "attach-vif",
	[PV_APPLY_DESTROY] = "destroy",
};

const char *pv_apply_op_name(enum pv_apply_op op)
{
	return op_names[op];
}

const char *pv_apply_mode_name(enum pv_apply_mode mode)
{
	static const char *const names[] = {
		[PV_APPLY_LIVE] = "live",
		[PV_APPLY_SAVED] = "saved",
		[PV_APPLY_BY_RESTART] = "by-restart",
		[PV_APPLY_WHOLE] = "whole",
	};

	return names[mode];
}

void pv_apply_plan_init(struct pv_apply_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
}

static void guest_dispose(struct pv_apply_guest *g)
{
	size_t i;

	free(g->name);
	pv_domain_config_dispose(&g->want);
	pv_domain_config_dispose(&g->have);
	free(g->vif_match);
	for (i = 0; i < g->nchanges; i++)
		free(g->changes[i].detail);
	free(g->changes);
	pv_err_dispose(&g->err);
}

void pv_apply_plan_dispose(struct pv_apply_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		guest_dispose(&plan->guests[i]);
	free(plan->guests);
	pv_apply_plan_init(plan);
}

bool pv_apply_change_todo(const struct pv_apply_change *c)
{
	return !c->needs && c->mode != PV_APPLY_BY_RESTART;
}

size_t pv_apply_count(const struct pv_apply_plan *plan, bool todo_only)
{
	size_t i, j, n = 0;

	for (i = 0; i < plan->n; i++)
		for (j = 0; j < plan->guests[i].nchanges; j++)
			n += !todo_only ||
			     pv_apply_change_todo(&plan->guests[i].changes[j]);
	return n;
}

static struct pv_apply_guest *add_guest(struct pv_apply_plan *plan,
					const char *name)
{
	struct pv_apply_guest *g;

	plan->guests = pv_realloc(plan->guests, (plan->n + 1) * sizeof(*g));
	g = &plan->guests[plan->n++];
	memset(g, 0, sizeof(*g));
	g->name = pv_strdup(name);
	pv_domain_config_init(&g->want);
	pv_domain_config_init(&g->have);
	pv_err_init(&g->err);
	return g;
}

/* Appends a change; @detail (may be NULL) becomes the change's. */
static struct pv_apply_change *add_change(struct pv_apply_guest *g,
					  enum pv_apply_op op,
					  enum pv_apply_mode mode, char *detail)
{
	struct pv_apply_change *c;

	g->changes = pv_realloc(g->changes, (g->nchanges + 1) * sizeof(*c));
	c = &g->changes[g->nchanges++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->mode = mode;
	c->detail = detail;
	return c;
}

/* ---- the desired configs ---- */

/* The paths given, resolved: what the set is, for --prune. */
struct roots {
	char **path;
	bool *is_dir;
	size_t n;
};

static void roots_dispose(struct roots *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->path[i]);
	free(r->path);
	free(r->is_dir);
}

static int is_cfg(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 4 &&
	       !strcmp(d->d_name + len - 4, ".cfg");
}

/* The *.cfg files of @dir that are regular files, in name order. */
static int list_dir(const char *dir, char ***files, size_t *nfiles,
		    struct pv_err *err)
{
	struct dirent **ents;
	struct stat st;
	int i, n = scandir(dir, &ents, is_cfg, alphasort);

	if (n < 0)
		return pv_err_sys(err, -errno, "%s", dir);
	for (i = 0; i < n; i++) {
		char *path = pv_asprintf("%s/%s", dir, ents[i]->d_name);

		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			*files = pv_realloc(*files, (*nfiles + 1) * sizeof(**files));
			(*files)[(*nfiles)++] = path;
		} else {
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

static int add_root(struct roots *r, const char *path, char ***files,
		    size_t *nfiles, struct pv_err *err)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int rc = 0;

	if (!real || stat(real, &st)) {
		rc = pv_err_sys(err, -errno, "%s", path);
		free(real);
		return rc;
	}
	r->path = pv_realloc(r->path, (r->n + 1) * sizeof(*r->path));
	r->is_dir = pv_realloc(r->is_dir, (r->n + 1) * sizeof(*r->is_dir));
	r->path[r->n] = real;
	r->is_dir[r->n++] = S_ISDIR(st.st_mode);
	if (S_ISDIR(st.st_mode))
		return list_dir(real, files, nfiles, err);
	*files = pv_realloc(*files, (*nfiles + 1) * sizeof(**files));
	(*files)[(*nfiles)++] = pv_strdup(real);
	return 0;
}

/* Whether @source (a saved config's) is a file of the set. */
static bool in_set(const struct roots *r, const char *source)
{
	const char *slash = source ? strrchr(source, '/') : NULL;
	size_t i;

	if (!slash)
		return false;
	for (i = 0; i < r->n; i++) {
		if (!r->is_dir[i] && !strcmp(r->path[i], source))
			return true;
		if (r->is_dir[i] && strlen(r->path[i]) == (size_t)(slash - source) &&
		    !strncmp(r->path[i], source, (size_t)(slash - source)))
			return true;
	}
	return false;
}

/*
 * Parses every file into a guest of @plan. The same file given twice
 * (as itself and in its directory) counts once.
 */
static int load_files(struct pv_apply_plan *plan, char **files, size_t n,
		      pv_warn_fn *warn, void *warn_ctx, struct pv_err *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		struct pv_domain_config cfg;

		for (j = 0; j < i && strcmp(files[j], files[i]); j++)
			;
		if (j < i)
			continue;
		pv_domain_config_init(&cfg);
		rc = pv_xlcfg_parse_file(files[i], NULL, 0, &cfg, warn, warn_ctx,
					 err);
		if (rc)
			return rc;
		for (j = 0; j < plan->n; j++) {
			if (strcmp(plan->guests[j].name, cfg.name))
				continue;
			rc = pv_err_set(err, -EINVAL, "%s: name: guest '%s' is "
					"also configured in %s; one file per guest",
					files[i], cfg.name,
					plan->guests[j].want.source);
			pv_domain_config_dispose(&cfg);
			return rc;
		}
		/* The real path, so that prune can tell the set's guests. */
		pv_str_set(&cfg.source, files[i]);
		add_guest(plan, cfg.name)->want = cfg;
	}
	return 0;
}

/* ---- comparing a file with what runs ---- */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool disk_eq(const struct pv_disk_spec *a, const struct pv_disk_spec *b)
{
	return str_eq(a->target, b->target) && str_eq(a->vdev, b->vdev) &&
	       a->readwrite == b->readwrite && a->cdrom == b->cdrom &&
	       str_eq(a->format, b->format) &&
	       str_eq(a->backendtype, b->backendtype) &&
	       str_eq(a->script, b->script) &&
	       a->is_phy_prefix == b->is_phy_prefix &&
	       str_eq(a->backend, b->backend);
}

static bool vif_eq(const struct pv_vif_spec *a, const struct pv_vif_spec *b)
{
	return str_eq(a->mac, b->mac) && str_eq(a->bridge, b->bridge) &&
	       str_eq(a->ip, b->ip) && str_eq(a->rate, b->rate) &&
	       str_eq(a->type, b->type) && str_eq(a->script, b->script) &&
	       str_eq(a->vifname, b->vifname) && str_eq(a->model, b->model) &&
	       str_eq(a->backend, b->backend) && a->mtu == b->mtu;
}

static bool argv_eq(const struct pv_domain_config *a,
		    const struct pv_domain_config *b)
{
	size_t i;

	if (a->bootloader_argc != b->bootloader_argc)
		return false;
	for (i = 0; i < a->bootloader_argc; i++)
		if (strcmp(a->bootloader_argv[i], b->bootloader_argv[i]))
			return false;
	return true;
}

static void note_reason(struct pv_buf *why, bool differs, const char *what)
{
	if (differs)
		pv_buf_printf(why, "%s%s", why->len ? ", " : "", what);
}

/* What only a new boot changes (a PV kernel cannot be swapped live). */
static void restart_reasons(const struct pv_domain_config *w,
			    const struct pv_domain_config *h, struct pv_buf *why)
{
	note_reason(why, !str_eq(w->kernel, h->kernel), "kernel");
	note_reason(why, !str_eq(w->ramdisk, h->ramdisk), "ramdisk");
	note_reason(why, !str_eq(w->cmdline, h->cmdline), "cmdline");
	note_reason(why, !str_eq(w->bootloader, h->bootloader), "bootloader");
	note_reason(why, !argv_eq(w, h), "bootloader_args");
	note_reason(why, w->maxvcpus != h->maxvcpus, "maxvcpus");
	/* A file without a uuid takes the one the guest has. */
	note_reason(why, w->uuid && !str_eq(w->uuid, h->uuid), "uuid");
}

static void plan_memory(struct pv_apply_plan *plan, struct pv_apply_guest *g,
			enum pv_apply_mode live)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	/* With a loop, the target is its to set: the file's is the boot size. */
	enum pv_apply_mode target = plan->autoscale && live == PV_APPLY_LIVE ?
				    PV_APPLY_SAVED : live;
	struct pv_apply_change *c;
	bool grow = w->maxmem_mb > h->maxmem_mb;

	/* The maximum first when it grows, after the target when it shrinks. */
	if (grow) {
		c = add_change(g, PV_APPLY_MAXMEM, live, NULL);
		c->from = h->maxmem_mb;
		c->to = w->maxmem_mb;
	}
	if (w->memory_mb != h->memory_mb) {
		c = add_change(g, PV_APPLY_MEMORY, target, NULL);
		c->from = h->memory_mb;
		c->to = w->memory_mb;
	}
	if (!grow && w->maxmem_mb != h->maxmem_mb) {
		c = add_change(g, PV_APPLY_MAXMEM, live, NULL);
		c->from = h->maxmem_mb;
		c->to = w->maxmem_mb;
	}
	if (w->vcpus != h->vcpus) {
		c = add_change(g, PV_APPLY_VCPUS, target, NULL);
		c->from = h->vcpus;
		c->to = w->vcpus;
	}
	if (!str_eq(w->cpus, h->cpus))
		add_change(g, PV_APPLY_CPUS, live,
			   pv_strdup(w->cpus ? w->cpus : "all"));
}

static void plan_actions(struct pv_apply_guest *g, enum pv_apply_mode saved)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	struct pv_buf b = PV_BUF_INIT;
	const struct {
		const char *key;
		enum pv_action from, to;
	} a[] = {
		{ "on_poweroff", h->on_poweroff, w->on_poweroff },
		{ "on_reboot", h->on_reboot, w->on_reboot },
		{ "on_crash", h->on_crash, w->on_crash },
	};
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(*a); i++)
		if (a[i].from != a[i].to)
			pv_buf_printf(&b, "%s%s %s -> %s", b.len ? ", " : "",
				      a[i].key, pv_action_name(a[i].from),
				      pv_action_name(a[i].to));
	if (b.len)
		add_change(g, PV_APPLY_ACTIONS, saved, pv_buf_detach(&b));
	if (!str_eq(w->source, h->source))
		add_change(g, PV_APPLY_SOURCE, saved, pv_strdup(w->source));
	pv_buf_dispose(&b);
}

/* Disks are known by their vdev: one that differs is detached and attached. */
static void plan_disks(struct pv_apply_guest *g, enum pv_apply_mode live)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	struct pv_apply_change *c;
	size_t i, j;

	for (i = 0; i < h->ndisks; i++) {
		for (j = 0; j < w->ndisks && !disk_eq(&h->disks[i], &w->disks[j]); j++)
			;
		if (j < w->ndisks)
			continue;
		c = add_change(g, PV_APPLY_DISK_DETACH, live,
			       pv_strdup(h->disks[i].vdev));
		c->index = i;
		pv_vdev_to_devid(h->disks[i].vdev, &c->devid);
	}
}

static void plan_disk_attaches(struct pv_apply_guest *g, enum pv_apply_mode live)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	size_t i, j;

	for (j = 0; j < w->ndisks; j++) {
		for (i = 0; i < h->ndisks && !disk_eq(&h->disks[i], &w->disks[j]); i++)
			;
		if (i == h->ndisks)
			add_change(g, PV_APPLY_DISK_ATTACH, live,
				   pv_strdup(w->disks[j].vdev))->index = j;
	}
}

/*
 * Vifs have no name: each running one is matched with an equal one of
 * the file (g->vif_match), and the rest are detached or attached. The
 * saved config's vifs are the running ones in index order
 * (pv_domain_vif_devids): that tells the index of one to detach. When
 * that does not hold (vifs changed behind pvctl's back) and one is to
 * be detached, false: only a restart can make them right.
 */
static bool match_vifs(struct pv_ctx *ctx, struct pv_apply_guest *g,
		       uint32_t **ids)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	bool *taken = pv_calloc(w->nvifs + 1, sizeof(*taken));
	bool detach = false, ok;
	struct pv_err ignore;
	size_t i, j, n = 0;

	g->vif_match = pv_calloc(h->nvifs + 1, sizeof(*g->vif_match));
	for (i = 0; i < h->nvifs; i++) {
		for (j = 0; j < w->nvifs && (taken[j] ||
		     !vif_eq(&h->vifs[i], &w->vifs[j])); j++)
			;
		g->vif_match[i] = j < w->nvifs ? j : SIZE_MAX;
		if (j < w->nvifs)
			taken[j] = true;
		else
			detach = true;
	}
	free(taken);
	pv_err_init(&ignore);
	ok = !detach || (!pv_domain_vif_devids(ctx, g->domid, ids, &n, &ignore) &&
			 n == h->nvifs);
	pv_err_dispose(&ignore);
	if (!ok) {
		free(g->vif_match);
		g->vif_match = NULL;
	}
	return ok;
}

static void plan_vifs(struct pv_apply_guest *g, const uint32_t *ids,
		      enum pv_apply_mode live, bool attach)
{
	const struct pv_domain_config *w = &g->want, *h = &g->have;
	bool *taken = pv_calloc(w->nvifs + 1, sizeof(*taken));
	struct pv_apply_change *c;
	size_t i, j;

	for (i = 0; i < h->nvifs; i++) {
		if (g->vif_match[i] != SIZE_MAX) {
			taken[g->vif_match[i]] = true;
		} else if (!attach) {
			c = add_change(g, PV_APPLY_VIF_DETACH, live,
				       pv_asprintf("vif %u", ids[i]));
			c->index = i;
			c->devid = ids[i];
		}
	}
	for (j = 0; j < w->nvifs && attach; j++)
		if (!taken[j])
			add_change(g, PV_APPLY_VIF_ATTACH, live,
				   pv_strdup(w->vifs[j].bridge ? w->vifs[j].bridge :
					     "xenbr0"))->index = j;
	free(taken);
}

/* A guest that runs: its file against its saved config. */
static void plan_running(struct pv_ctx *ctx, struct pv_apply_plan *plan,
			 struct pv_apply_guest *g)
{
	struct pv_buf why = PV_BUF_INIT;
	enum pv_apply_mode live = PV_APPLY_LIVE, saved = PV_APPLY_SAVED;
	uint32_t *ids = NULL;
	int rc;

	rc = pv_domain_config_load(ctx, g->domid, &g->have, &g->err);
	if (rc == -ENOENT || rc == -ESTALE) {
		pv_err_clear(&g->err);
		g->rc = pv_err_set(&g->err, -EEXIST, "%s: domain %u is called '%s' "
				   "but pvctl did not create it (it has no saved "
				   "config): left alone", g->want.source, g->domid,
				   g->name);
		return;
	}
	if (rc) {
		g->rc = rc;
		return;
	}
	restart_reasons(&g->want, &g->have, &why);
	note_reason(&why, !match_vifs(ctx, g, &ids), "vif");
	if (why.len) {
		add_change(g, PV_APPLY_RESTART, PV_APPLY_WHOLE,
			   pv_buf_detach(&why))->needs =
			plan->opts.restart ? NULL : "--restart";
		/* The rest comes with the restart, or is done live meanwhile. */
		if (plan->opts.restart)
			live = saved = PV_APPLY_BY_RESTART;
	}
	plan_memory(plan, g, live);
	plan_actions(g, saved);
	plan_disks(g, live);
	if (g->vif_match)
		plan_vifs(g, ids, live, false);
	plan_disk_attaches(g, live);
	if (g->vif_match)
		plan_vifs(g, ids, live, true);
	free(ids);
	pv_buf_dispose(&why);
}

/* A domain of the set whose file is gone: destroyed with --prune. */
static void plan_prune(struct pv_ctx *ctx, struct pv_apply_plan *plan,
		       const struct roots *roots,
		       const struct pv_domain_status *st)
{
	struct pv_domain_config have;
	struct pv_apply_guest *g;
	struct pv_err ignore;
	size_t i;

	if (!st->info.domid || !st->name)
		return;
	for (i = 0; i < plan->n; i++)
		if (!strcmp(plan->guests[i].name, st->name))
			return;
	pv_domain_config_init(&have);
	pv_err_init(&ignore);
	if (!pv_domain_config_load(ctx, st->info.domid, &have, &ignore) &&
	    in_set(roots, have.source)) {
		g = add_guest(plan, st->name);
		g->domid = st->info.domid;
		g->have = have;
		add_change(g, PV_APPLY_DESTROY, PV_APPLY_WHOLE,
			   pv_strdup(have.source))->needs =
			plan->opts.prune ? NULL : "--prune";
	} else {
		pv_domain_config_dispose(&have);
	}
	pv_err_dispose(&ignore);
}

static void plan_domains(struct pv_ctx *ctx, struct pv_apply_plan *plan,
			 const struct roots *roots,
			 const struct pv_domain_status *st, size_t nst)
{
	size_t nfiles = plan->n, i, j;

	for (i = 0; i < nfiles; i++) {
		struct pv_apply_guest *g = &plan->guests[i];

		for (j = 0; j < nst && !(st[j].name && !strcmp(st[j].name, g->name)); j++)
			;
		if (j == nst) {
			add_change(g, PV_APPLY_CREATE, PV_APPLY_WHOLE, NULL);
			continue;
		}
		g->domid = st[j].info.domid;
		if (g->domid == 0) {
			g->rc = pv_err_set(&g->err, -EINVAL, "%s: name: '%s' is "
					   "Domain-0's", g->want.source, g->name);
			continue;
		}
		plan_running(ctx, plan, g);
	}
	/* add_guest may move plan->guests: prunes go by index. */
	for (i = 0; i < nst; i++)
		plan_prune(ctx, plan, roots, &st[i]);
}

int pv_apply_plan(struct pv_ctx *ctx, const char *const *paths, size_t npaths,
		  const struct pv_apply_opts *opts, struct pv_apply_plan *plan,
		  pv_warn_fn *warn, void *warn_ctx, struct pv_err *err)
{
	struct roots roots = { NULL, NULL, 0 };
	struct pv_domain_status *st = NULL;
	char **files = NULL;
	size_t nfiles = 0, nst = 0, i;
	int rc = 0;

	pv_apply_plan_dispose(plan);
	plan->opts = *opts;
	for (i = 0; i < npaths && !rc; i++)
		rc = add_root(&roots, paths[i], &files, &nfiles, err);
	if (!rc)
		rc = load_files(plan, files, nfiles, warn, warn_ctx, err);
	if (!rc)
		rc = pv_domain_list(ctx, NULL, 0, &st, &nst, err);
	if (!rc) {
		plan->autoscale = pv_room_loop_runs(ctx);
		plan_domains(ctx, plan, &roots, st, nst);
	}
	if (rc)
		pv_apply_plan_dispose(plan);
	pv_domain_status_free(st, nst);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	roots_dispose(&roots);
	return rc;
}
