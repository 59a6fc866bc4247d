/*
 * kcache.c: the unpacked-kernel cache (see kcache.h).
 */
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
	kc->path = pv_asprintf("%s/kernel-cache/%016llx.elf", ctx->state_dir,
			       (unsigned long long)pv_hash64(packed, size));
	munmap(packed, size);
	kc->mem = map_file(kc->path, &kc->size);
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
