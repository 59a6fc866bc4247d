/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domain_i.h: the parsers of lib/domain that read bytes from outside
 * (a bootloader's report, a save file's head), declared for the fuzz
 * targets in tests/fuzz. Not part of the public API (see domain.h).
 */
#ifndef PV_DOMAIN_I_H
#define PV_DOMAIN_I_H

#include <stdbool.h>

#include "domain.h"

/*
 * What the bootloader wrote (@len bytes of "kernel PATH", "ramdisk PATH"
 * and "args ARGS" items, each ended by a NUL; @who names the program in
 * messages) into @b, whose @b->dir is set: a reported path must be a
 * regular file directly in @b->dir.
 */
int pv_boot_parse_output(struct pv_boot *b, const char *out, size_t len,
			 const char *who, struct pv_err *err);

/*
 * Reads what precedes the memory image from @fd (@what names it): xl's
 * header, the config (parsed into @cfg unless @override), the libxl
 * stream's header and its LIBXC_CONTEXT record.
 */
int pv_savefile_read_head(int fd, const char *what, bool override,
			  struct pv_domain_config *cfg, struct pv_err *err);

#endif
