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

#include <nettle/sha2.h>

#include "kcache.h"
#include "../../util/fileio.h"

/* Maps the cache entry @path read-only; NULL if there is none. */
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

/*
 * The kernel file's bytes (malloc'd), read once: not mapped, since a
 * mapping would show later changes to the file. NULL when it is not a
 * regular file, is empty or larger than PV_KCACHE_MAX_KERNEL, or
 * cannot be read.
 */
static void *read_kernel(const char *path, size_t *size)
{
	/* O_NONBLOCK: a FIFO must not hang the create here */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct pv_buf b = PV_BUF_INIT;
	char chunk[65536];
	struct stat st;
	ssize_t n = -1;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* the file may grow while it is read: the bound is on what is read */
		while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || b.len + (size_t)n > PV_KCACHE_MAX_KERNEL) {
				n = -1;
				break;
			}
			pv_buf_add(&b, chunk, (size_t)n);
		}
	}
	close(fd);
	if (n != 0 || !b.len) {
		pv_buf_dispose(&b);
		return NULL;
	}
	*size = b.len;
	return pv_buf_detach(&b);
}

void pv_kcache_open(struct pv_ctx *ctx, const char *kernel_path,
		    struct pv_kcache *kc)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	struct sha256_ctx sha;
	size_t size, i;
	void *packed = read_kernel(kernel_path, &size);
	void *unpacked;

	memset(kc, 0, sizeof(*kc));
	if (!packed)
		return;		/* the builder reports the unreadable file */
	/*
	 * A cryptographic hash: anyone who can make pvctl boot a file
	 * could otherwise make one that collides with another guest's
	 * kernel and have that guest boot theirs.
	 */
	sha256_init(&sha);
	sha256_update(&sha, size, packed);
	sha256_digest(&sha, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	kc->path = pv_asprintf("%s/kernel-cache/%s.elf", ctx->state_dir, hex);
	unpacked = map_file(kc->path, &kc->size);
	if (unpacked) {
		free(packed);
		kc->mem = unpacked;
		kc->hit = true;
		utimensat(AT_FDCWD, kc->path, NULL, 0);	/* used: keep it longest */
	} else {
		kc->mem = packed;
		kc->size = size;
	}
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
	char *dir;
	struct pv_err err;

	if (!kc->path || kc->hit)
		return;
	dir = pv_asprintf("%s/kernel-cache", ctx->state_dir);
	pv_err_init(&err);
	/* The entry appears whole or not at all, and survives a crash whole. */
	if (pv_mkdirs(dir, &err) == 0 &&
	    pv_write_file_atomic(kc->path, data, size, 0600, &err) == 0)
		prune(dir);
	pv_err_dispose(&err);
	free(dir);
}

void pv_kcache_close(struct pv_kcache *kc)
{
	if (kc->hit)
		munmap(kc->mem, kc->size);
	else
		free(kc->mem);
	free(kc->path);
	memset(kc, 0, sizeof(*kc));
}
