/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kcache.h: the unpacked-kernel cache.
 *
 * Most of a PV build from a distribution kernel is unpacking it (Debian's
 * bzImage carries an xz-compressed ELF). xl redoes that on every create;
 * pvctl keeps the unpacked ELF, keyed by the packed file's content, in
 * STATE/kernel-cache/, and hands it to the builder from memory next time.
 * The PV_KCACHE_KEEP most recently used kernels are kept. Kernels a
 * bootloader took from a guest's disk are never cached (create.c).
 */
#ifndef PV_KCACHE_H
#define PV_KCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../ctx.h"

#define PV_KCACHE_KEEP 8

struct pv_kcache {
	char *path;		/* cache file for this kernel's content */
	void *mem;		/* mapped unpacked kernel, or NULL on a miss */
	size_t size;
};

/* Hashes @kernel_path and maps its cache entry if there is one. */
void pv_kcache_open(struct pv_ctx *ctx, const char *kernel_path,
		    struct pv_kcache *kc);
/* Stores an unpacked kernel for next time (best effort: errors ignored). */
void pv_kcache_store(struct pv_ctx *ctx, struct pv_kcache *kc,
		     const void *data, size_t size);
void pv_kcache_close(struct pv_kcache *kc);

#endif
