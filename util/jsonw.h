/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw.h: pvctl's one JSON writer, on yajl_gen. It remembers the first
 * failure, so a writer reads as a list of fields and checks once at the
 * end. Every value takes a @key: NULL inside arrays and at the top.
 */
#ifndef PV_JSONW_H
#define PV_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct yajl_gen_t;

struct pv_jw {
	struct yajl_gen_t *g;
	bool bad;		/* set once any call failed */
	bool lossy;		/* set once a string was not UTF-8 (see pv_jw_str) */
};

/*
 * A writer with its own buffer. @pretty: indented, one field a line,
 * the document ending in a newline (files and commands' output); else
 * all on one line (audit lines, events).
 */
void pv_jw_init(struct pv_jw *w, bool pretty);
void pv_jw_dispose(struct pv_jw *w);
/* The text written so far, NUL-terminated; its length in *@len. */
const char *pv_jw_text(const struct pv_jw *w, size_t *len);

/* A key alone, whose value the next call writes (a nested writer's). */
void pv_jw_key(struct pv_jw *w, const char *key);
/*
 * A string, or null for NULL. What is not UTF-8 goes out as U+FFFD (one
 * for each bad byte) and sets @lossy: the output is always valid JSON.
 * Keys likewise.
 */
void pv_jw_str(struct pv_jw *w, const char *key, const char *s);
void pv_jw_num(struct pv_jw *w, const char *key, uint64_t n);
void pv_jw_int(struct pv_jw *w, const char *key, int64_t n);
/* @n, or null when it is 0 ("unset"). */
void pv_jw_num_or_null(struct pv_jw *w, const char *key, uint64_t n);
void pv_jw_double(struct pv_jw *w, const char *key, double d);
/* A number already in JSON's syntax, written as it is ("12.5"). */
void pv_jw_number(struct pv_jw *w, const char *key, const char *text);
void pv_jw_bool(struct pv_jw *w, const char *key, bool b);
void pv_jw_null(struct pv_jw *w, const char *key);
void pv_jw_map_open(struct pv_jw *w, const char *key);
void pv_jw_map_close(struct pv_jw *w);
void pv_jw_array_open(struct pv_jw *w, const char *key);
void pv_jw_array_close(struct pv_jw *w);

#endif
