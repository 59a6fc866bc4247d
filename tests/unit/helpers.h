/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helpers.h: a fixture shared by the unit tests that run libpvctl on the
 * simulated hypervisor: a pv_sim, a pv_ctx whose state, run and log
 * directories live in a fresh temporary directory, and a kernel file the
 * simulated builder can read.
 *
 * Everything here is static inline so that a test file using only part
 * of it does not trip -Wunused-function.
 */
#ifndef PV_TEST_HELPERS_H
#define PV_TEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/xlcfg.h"
#include "lib/ctx.h"
#include "lib/domain/domain.h"
#include "lib/hv.h"
#include "util/util.h"
#include "sim/sim.h"

struct fx {
	struct pv_sim *s;
	struct pv_hv hv;
	struct pv_ctx ctx;
	char *tmp;		/* the test's directory, removed at the end */
	char *kernel;		/* a readable file to "boot" */
};

static inline char *fx_path(const struct fx *f, const char *sub)
{
	return pv_asprintf("%s/%s", f->tmp, sub);
}

/* Writes @text to the file @name in the fixture's directory. */
static inline void fx_put_file(const struct fx *f, const char *name,
			       const char *text)
{
	char *path = fx_path(f, name);
	FILE *o = fopen(path, "w");

	if (!o)
		abort();
	fputs(text, o);
	fclose(o);
	free(path);
}

static inline struct fx *fx_new(void)
{
	struct fx *f = pv_calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/pvctl-unit-XXXXXX";
	FILE *k;

	if (!mkdtemp(tmpl))
		abort();
	f->tmp = pv_strdup(tmpl);
	f->s = pv_sim_new();
	pv_sim_hv(f->s, &f->hv);
	pv_ctx_init(&f->ctx, &f->hv);
	free(f->ctx.state_dir);
	free(f->ctx.run_dir);
	free(f->ctx.log_dir);
	f->ctx.state_dir = fx_path(f, "state");
	f->ctx.run_dir = fx_path(f, "run");
	f->ctx.log_dir = fx_path(f, "log");
	f->kernel = fx_path(f, "vmlinuz");
	k = fopen(f->kernel, "w");
	if (!k)
		abort();
	fputs("\177ELF not really a kernel\n", k);
	fclose(k);
	return f;
}

static inline int fx_rm_one(const char *path, const struct stat *st, int type,
			    struct FTW *ftw)
{
	(void)st; (void)type; (void)ftw;
	return remove(path);
}

static inline void fx_free(struct fx *f)
{
	if (!f)
		return;
	pv_ctx_dispose(&f->ctx);
	pv_sim_free(f->s);
	/* The tests may have made directories read-only: undo that first. */
	nftw(f->tmp, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f->kernel);
	free(f->tmp);
	free(f);
}

static inline int fx_setup(void **state)
{
	*state = fx_new();
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static inline int file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Reads @path as the current caller; NULL if the read fails. */
static inline char *xs_get(struct fx *f, const char *path)
{
	char *v = NULL;
	size_t len = 0;

	if (f->hv.ops->xs_read(f->hv.h, PV_XBT_NULL, path, &v, &len))
		return NULL;
	return v;
}

static inline int xs_read_rc(struct fx *f, const char *path)
{
	char *v = NULL;
	size_t len = 0;
	int rc = f->hv.ops->xs_read(f->hv.h, PV_XBT_NULL, path, &v, &len);

	free(v);
	return rc;
}

static inline int xs_put(struct fx *f, const char *path, const char *val)
{
	return f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path, val, strlen(val));
}

/* The children of @path joined by ' ' (caller frees), or NULL. */
static inline char *xs_ls(struct fx *f, const char *path)
{
	struct pv_buf b = PV_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;

	if (f->hv.ops->xs_directory(f->hv.h, PV_XBT_NULL, path, &names, &n))
		return NULL;
	for (i = 0; i < n; i++) {
		if (i)
			pv_buf_puts(&b, " ");
		pv_buf_puts(&b, names[i]);
		free(names[i]);
	}
	free(names);
	return pv_buf_detach(&b);
}

/* Parses "name='NAME' kernel='<fixture kernel>'" plus @extra into @c. */
static inline void fx_cfg_parse(struct fx *f, const char *name,
				const char *extra, struct pv_domain_config *c)
{
	struct pv_err err;
	char *text = pv_asprintf("name = '%s'\nkernel = '%s'\n%s", name,
				 f->kernel, extra ? extra : "");

	pv_domain_config_init(c);
	pv_err_init(&err);
	if (pv_xlcfg_parse_string(text, "test.cfg", NULL, 0, c, NULL, NULL, &err))
		fail_msg("config does not parse: %s", pv_err_msg(&err));
	pv_err_dispose(&err);
	free(text);
}

/* Creates domain @name (config lines @extra), asserting success. */
static inline uint32_t fx_create(struct fx *f, const char *name,
				 const char *extra)
{
	struct pv_domain_config c;
	struct pv_err err;
	uint32_t domid = 0;

	fx_cfg_parse(f, name, extra, &c);
	pv_err_init(&err);
	if (pv_domain_create(&f->ctx, &c, &domid, &err))
		fail_msg("create '%s' failed: %s", name, pv_err_msg(&err));
	pv_err_dispose(&err);
	pv_domain_config_dispose(&c);
	return domid;
}

/* /local/domain/@domid/@sub as dom0 reads it (caller frees), or NULL. */
static inline char *fx_dom_get(struct fx *f, uint32_t domid, const char *sub)
{
	char *path = pv_asprintf("/local/domain/%u/%s", domid, sub);
	char *v = xs_get(f, path);

	free(path);
	return v;
}

/* Asserts that @v (freed here) is @want; @what names it in the failure. */
static inline void fx_assert_str(char *v, const char *want, const char *what)
{
	if (!v)
		fail_msg("%s is missing, want '%s'", what, want);
	if (strcmp(v, want)) {
		fail_msg("%s is '%s', want '%s'", what, v, want);
	}
	free(v);
}

/* Fails unless @rc and @err are @code and the message contains @needle. */
static inline void fx_assert_err(const struct pv_err *err, int rc, int code,
				 const char *needle)
{
	if (rc != code)
		fail_msg("rc %d (%s), want %d", rc, pv_err_msg(err), code);
	if (err->code != code)
		fail_msg("err.code %d, want %d", err->code, code);
	if (!strstr(pv_err_msg(err), needle))
		fail_msg("message '%s' does not mention '%s'", pv_err_msg(err),
			 needle);
}

#endif
