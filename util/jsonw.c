/*
 * jsonw.c: see jsonw.h.
 */
#include <string.h>

#include "jsonw.h"

static void ok(struct pv_jw *w, yajl_gen_status st)
{
	w->bad |= st != yajl_gen_status_ok;
}

void pv_jw_raw(struct pv_jw *w, const char *s)
{
	if (s)
		ok(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
	else
		ok(w, yajl_gen_null(w->g));
}

void pv_jw_str(struct pv_jw *w, const char *key, const char *s)
{
	pv_jw_raw(w, key);
	pv_jw_raw(w, s);
}

void pv_jw_num(struct pv_jw *w, const char *key, uint64_t n)
{
	pv_jw_raw(w, key);
	ok(w, yajl_gen_integer(w->g, (long long)n));
}

void pv_jw_num_or_null(struct pv_jw *w, const char *key, uint64_t n)
{
	if (n) {
		pv_jw_num(w, key, n);
		return;
	}
	pv_jw_raw(w, key);
	ok(w, yajl_gen_null(w->g));
}

void pv_jw_bool(struct pv_jw *w, const char *key, int b)
{
	pv_jw_raw(w, key);
	ok(w, yajl_gen_bool(w->g, b));
}

void pv_jw_map_open(struct pv_jw *w, const char *key)
{
	if (key)
		pv_jw_raw(w, key);
	ok(w, yajl_gen_map_open(w->g));
}

void pv_jw_map_close(struct pv_jw *w)
{
	ok(w, yajl_gen_map_close(w->g));
}

void pv_jw_array_open(struct pv_jw *w, const char *key)
{
	if (key)
		pv_jw_raw(w, key);
	ok(w, yajl_gen_array_open(w->g));
}

void pv_jw_array_close(struct pv_jw *w)
{
	ok(w, yajl_gen_array_close(w->g));
}
