/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kcache.c: the unpacked-kernel cache (see kcache.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcache.h"

static void *map_file(const char *path, size_t *size)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	*size = (size_t)st.st_size;
	return m;
}

void pv_kcache_open(struct pv_ctx *ctx, const char *kernel_path,
		    struct pv_kcache *kc)
{
	size_t size;
	void *packed = map_file(kernel_path, &size);

	memset(kc, 0, sizeof(*kc));
	if (!packed)
		return;		/* the builder reports the unreadable file */
	/* The size too: a hash collision must also match it to be mistaken. */
	kc->path = pv_asprintf("%s/kernel-cache/%016llx-%zu.elf", ctx->state_dir,
			       (unsigned long long)pv_hash64(packed, size), size);
	munmap(packed, size);
	kc->mem = map_file(kc->path, &kc->size);
	if (kc->mem)
		utimensat(AT_FDCWD, kc->path, NULL, 0);	/* used: keep it longest */
}

struct entry {
	char *name;
	struct timespec used;		/* mtime: when last created or hit */
};

static int by_use(const void *a, const void *b)
{
	const struct timespec *x = &((const struct entry *)a)->used;
	const struct timespec *y = &((const struct entry *)b)->used;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Removes the least recently used entries beyond PV_KCACHE_KEEP. */
static void prune(const char *dir)
{
	struct entry *v = NULL;
	size_t n = 0, i;
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 4, ".elf") ||
		    fstatat(dirfd(d), e->d_name, &st, 0))
			continue;
		v = pv_realloc(v, (n + 1) * sizeof(*v));
		v[n].name = pv_strdup(e->d_name);
		v[n++].used = st.st_mtim;
	}
	qsort(v, n, sizeof(*v), by_use);
	for (i = 0; i < n; i++) {
		if (i + PV_KCACHE_KEEP < n)
			unlinkat(dirfd(d), v[i].name, 0);
		free(v[i].name);
	}
	closedir(d);
	free(v);
}

void pv_kcache_store(struct pv_ctx *ctx, struct pv_kcache *kc,
		     const void *data, size_t size)
{
	char *dir, *tmp;
	struct pv_err err;
	int fd;

	if (!kc->path)
		return;
	dir = pv_asprintf("%s/kernel-cache", ctx->state_dir);
	tmp = pv_asprintf("%s.%d.tmp", kc->path, (int)getpid());
	pv_err_init(&err);
	if (pv_mkdirs(dir, &err) == 0 && chmod(dir, 0700) == 0 &&
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0) {
		bool ok = write(fd, data, size) == (ssize_t)size;

		close(fd);
		/* rename() makes the entry appear whole or not at all. */
		if (!ok || rename(tmp, kc->path))
			unlink(tmp);
		prune(dir);
	}
	pv_err_dispose(&err);
	free(tmp);
	free(dir);
}

void pv_kcache_close(struct pv_kcache *kc)
{
	if (kc->mem)
		munmap(kc->mem, kc->size);
	free(kc->path);
	memset(kc, 0, sizeof(*kc));
}
