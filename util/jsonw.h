/*
 * jsonw.h: a small layer over yajl_gen that remembers the first failure,
 * so a JSON writer reads as a list of fields and checks once at the end.
 */
#ifndef PV_JSONW_H
#define PV_JSONW_H

#include <stdint.h>
#include <yajl/yajl_gen.h>

struct pv_jw {
	yajl_gen g;
	int bad;		/* nonzero once any yajl call failed */
};

/* A string, or null for NULL (also used for keys). */
void pv_jw_raw(struct pv_jw *w, const char *s);
void pv_jw_str(struct pv_jw *w, const char *key, const char *s);
void pv_jw_num(struct pv_jw *w, const char *key, uint64_t n);
/* @n, or null when it is 0 ("unset"). */
void pv_jw_num_or_null(struct pv_jw *w, const char *key, uint64_t n);
void pv_jw_bool(struct pv_jw *w, const char *key, int b);
/* @key may be NULL inside arrays and at the top. */
void pv_jw_map_open(struct pv_jw *w, const char *key);
void pv_jw_map_close(struct pv_jw *w);
void pv_jw_array_open(struct pv_jw *w, const char *key);
void pv_jw_array_close(struct pv_jw *w);

#endif
