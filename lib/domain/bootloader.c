/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootloader.c: booting from the guest's own disk through a bootloader
 * such as pygrub, the way xl does it.
 *
 * The bootloader runs in dom0 on the first disk's image and is called
 * with xl's arguments: --kernel/--ramdisk/--args from the config (hints
 * for it), --output=FILE --output-format=simple0 --output-directory=DIR,
 * the config's bootloader_args, and the disk. It copies the kernel and
 * ramdisk out of the image into DIR and writes "kernel PATH", "ramdisk
 * PATH" and "args ARGS", each ended by a NUL, into FILE. pvctl gives it
 * no terminal: pygrub gets -q (boot the default entry, or the one
 * --entry= names in bootloader_args).
 *
 * What the bootloader reports comes from the guest's disk: its paths must
 * be files in DIR, and DIR is removed, with all in it, on every path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domain_i.h"
#include "../../util/run.h"

#define BOOTLOADER_TIMEOUT_S 60
#define REPORT_MAX (64 * 1024)

/* NAME as is when it has a slash, else from PATH or Xen's own bin folders. */
static char *find_bootloader(const char *name)
{
	static const char *const xen_dirs[] = {
		"/usr/lib/xen-*/bin", "/usr/libexec/xen/bin", "/usr/lib/xen/bin",
	};
	const char *path = getenv("PATH");
	char *found = NULL;
	size_t i;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? pv_strdup(name) : NULL;
	while (path && *path && !found) {
		size_t len = strcspn(path, ":");
		char *f = pv_asprintf("%.*s/%s", (int)len, path, name);

		if (len && access(f, X_OK) == 0)
			found = f;
		else
			free(f);
		path += len + (path[len] == ':');
	}
	for (i = 0; i < sizeof(xen_dirs) / sizeof(xen_dirs[0]) && !found; i++) {
		char *pattern = pv_asprintf("%s/%s", xen_dirs[i], name);
		glob_t g;

		/* The newest Xen's, if several are installed. */
		if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc &&
		    access(g.gl_pathv[g.gl_pathc - 1], X_OK) == 0)
			found = pv_strdup(g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
		free(pattern);
	}
	return found;
}

void pv_boot_cleanup(struct pv_boot *b)
{
	DIR *d;
	struct dirent *e;

	if (b->dir && (d = opendir(b->dir))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
		rmdir(b->dir);
	}
	free(b->dir);
	free(b->kernel);
	free(b->ramdisk);
	free(b->cmdline);
	memset(b, 0, sizeof(*b));
}

/*
 * A path the bootloader reported: a regular file (not a link to one
 * elsewhere in dom0) directly in our folder, or NULL.
 */
static char *own_file(const struct pv_boot *b, const char *path)
{
	size_t n = strlen(b->dir);
	const char *base = path + n + 1;
	struct stat st;

	if (strncmp(path, b->dir, n) || path[n] != '/' || !*base ||
	    strchr(base, '/') || lstat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	return pv_strdup(path);
}

/* Whether the @n bytes at @item start with @name (the last item may lack its NUL). */
static bool item_is(const char *item, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n >= k && !memcmp(item, name, k);
}

int pv_boot_parse_output(struct pv_boot *b, const char *out, size_t len,
			 const char *who, struct pv_err *err)
{
	size_t off = 0;

	while (off < len) {
		const char *item = out + off;
		size_t n = strnlen(item, len - off);
		char **slot = NULL;
		const char *val = NULL;

		if (item_is(item, n, "kernel ")) {
			slot = &b->kernel;
			val = item + 7;
		} else if (item_is(item, n, "ramdisk ")) {
			slot = &b->ramdisk;
			val = item + 8;
		} else if (item_is(item, n, "args ")) {
			free(b->cmdline);
			b->cmdline = pv_strndup(item + 5, n - 5);
		}
		if (slot && n == len - off)
			return pv_err_set(err, -EINVAL, "%s: output not NUL-terminated", who);
		if (slot) {
			free(*slot);
			*slot = own_file(b, val);
			if (!*slot)
				return pv_err_set(err, -EINVAL, "%s: reported '%s', "
						  "not a regular file in %s", who, val, b->dir);
		}
		off += n + 1;
	}
	if (!b->kernel)
		return pv_err_set(err, -EINVAL, "%s reported no kernel", who);
	return 0;
}

static char **bootloader_argv(const struct pv_domain_config *cfg,
			      const char *prog, const struct pv_boot *b,
			      const char *outfile)
{
	size_t n = 0, i;
	char **argv = pv_calloc(cfg->bootloader_argc + 10, sizeof(*argv));
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;

	argv[n++] = pv_strdup(prog);
	if (!strcmp(base, "pygrub"))
		argv[n++] = pv_strdup("-q");	/* no terminal for a menu */
	if (cfg->kernel)
		argv[n++] = pv_asprintf("--kernel=%s", cfg->kernel);
	if (cfg->ramdisk)
		argv[n++] = pv_asprintf("--ramdisk=%s", cfg->ramdisk);
	if (cfg->cmdline && *cfg->cmdline)
		argv[n++] = pv_asprintf("--args=%s", cfg->cmdline);
	argv[n++] = pv_asprintf("--output=%s", outfile);
	argv[n++] = pv_strdup("--output-format=simple0");
	argv[n++] = pv_asprintf("--output-directory=%s", b->dir);
	for (i = 0; i < cfg->bootloader_argc; i++)
		argv[n++] = pv_strdup(cfg->bootloader_argv[i]);
	argv[n++] = pv_strdup(cfg->disks[0].target);
	return argv;
}

static void free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int pv_bootloader_run(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
		      struct pv_boot *b, struct pv_err *err)
{
	char *prog, *outfile = NULL, **argv;
	struct pv_buf said, report = PV_BUF_INIT;
	int rc, status = 0, fd;

	memset(b, 0, sizeof(*b));
	if (!cfg->ndisks || !cfg->disks[0].target)
		return pv_err_set(err, -EINVAL, "bootloader '%s' needs a disk to "
				  "boot from, and the config has none", cfg->bootloader);
	prog = find_bootloader(cfg->bootloader);
	if (!prog)
		return pv_err_set(err, -ENOENT, "bootloader '%s' not found (in "
				  "PATH or Xen's bin folders)", cfg->bootloader);
	rc = pv_mkdirs(ctx->run_dir, err);
	if (rc)
		goto out;
	b->dir = pv_asprintf("%s/bootloader.XXXXXX", ctx->run_dir);
	if (!mkdtemp(b->dir)) {
		rc = pv_err_sys(err, -errno, "making %s", b->dir);
		free(b->dir);
		b->dir = NULL;
		goto out;
	}
	outfile = pv_asprintf("%s/output", b->dir);
	fd = open(outfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "creating %s", outfile);
		goto out;
	}
	close(fd);
	pv_buf_init(&said);
	argv = bootloader_argv(cfg, prog, b, outfile);
	rc = pv_run(argv, NULL, BOOTLOADER_TIMEOUT_S * 1000, &said, &status);
	free_argv(argv);
	if (rc == -ETIMEDOUT) {
		pv_err_set(err, rc, "bootloader %s did not finish within %d s",
			   prog, BOOTLOADER_TIMEOUT_S);
	} else if (rc) {
		pv_err_sys(err, rc, "running bootloader %s", prog);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		struct pv_buf why = PV_BUF_INIT;

		pv_run_describe(status, &said, &why);
		rc = pv_err_set(err, -EIO, "bootloader %s failed on %s (%s)",
				prog, cfg->disks[0].target, why.s);
		pv_buf_dispose(&why);
	}
	pv_buf_dispose(&said);
	if (!rc)
		rc = pv_buf_read_file(&report, outfile, REPORT_MAX, err);
	if (!rc)
		rc = pv_boot_parse_output(b, report.s, report.len, prog, err);
out:
	pv_buf_dispose(&report);
	free(outfile);
	free(prog);
	if (rc)
		pv_boot_cleanup(b);
	return rc;
}
