/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_i.h: internals shared by policy.c (files, directories, sets,
 * JSON) and policy_keys.c (the keys and their checks). Not public API.
 */
#ifndef PV_POLICY_I_H
#define PV_POLICY_I_H

#include "policy.h"

/* Whether @path names host.policy (by its last component). */
int policy_is_host_file(const char *path);

/*
 * Parses one policy file's @text (named @source in messages) into @h if
 * @is_host, else into @p; both initialised (defaults) by the caller, and
 * left partly filled on failure (the caller disposes of them).
 */
int policy_parse_text(const char *text, const char *source, int is_host,
		      struct pv_policy *p, struct pv_host_policy *h,
		      struct pv_err *err);

/* "512m", "1g", "100k": the shortest exact form of a size. */
char *policy_size_str(uint64_t kb);

#endif
