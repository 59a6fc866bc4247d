/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kcache.h: the unpacked-kernel cache.
 *
 * Most of a PV build from a distribution kernel is unpacking it (Debian's
 * bzImage carries an xz-compressed ELF). xl redoes that on every create;
 * pvctl keeps the unpacked ELF, keyed by the SHA-256 of the packed file's
 * content, in STATE/kernel-cache/, and hands it to the builder from memory
 * next time. The kernel file is read once: the bytes hashed are the bytes
 * the builder unpacks (from memory), so a file that changes meanwhile
 * cannot put one kernel's image under another's key.
 * The PV_KCACHE_KEEP most recently used kernels are kept. Kernels a
 * bootloader took from a guest's disk are never cached (create.c).
 */
#ifndef PV_KCACHE_H
#define PV_KCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ctx.h"

#define PV_KCACHE_KEEP 8

/* Larger kernel files are not cached (the builder reads them itself). */
#define PV_KCACHE_MAX_KERNEL (256u << 20)

struct pv_kcache {
	char *path;		/* cache file for this kernel's content */
	/*
	 * What to boot: on a hit (@hit) the mapped unpacked kernel, on a
	 * miss the kernel file's bytes as read and hashed. NULL (and no
	 * @path) when the file could not be read: the builder reports it.
	 */
	void *mem;
	size_t size;
	bool hit;
};

/* Reads @kernel_path, hashes it and maps its cache entry if there is one. */
void pv_kcache_open(struct pv_ctx *ctx, const char *kernel_path,
		    struct pv_kcache *kc);
/*
 * Stores the kernel unpacked from @kc->mem on a miss, for next time (best
 * effort: errors ignored).
 */
void pv_kcache_store(struct pv_ctx *ctx, struct pv_kcache *kc,
		     const void *data, size_t size);
void pv_kcache_close(struct pv_kcache *kc);

#endif
