/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonw.c: see jsonw.h.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "jsonw.h"
#include "util.h"

static void ok(struct pv_jw *w, yajl_gen_status st)
{
	w->bad |= st != yajl_gen_status_ok;
}

void pv_jw_init(struct pv_jw *w, bool pretty)
{
	w->g = yajl_gen_alloc(NULL);
	if (!w->g)
		abort();	/* out of memory, as pv_malloc */
	w->bad = false;
	w->lossy = false;
	if (pretty)
		yajl_gen_config(w->g, yajl_gen_beautify, 1);
}

void pv_jw_dispose(struct pv_jw *w)
{
	yajl_gen_free(w->g);
	w->g = NULL;
}

const char *pv_jw_text(const struct pv_jw *w, size_t *len)
{
	const unsigned char *buf;

	/* Never fails with yajl's own buffer, which it keeps NUL-terminated. */
	yajl_gen_get_buf(w->g, &buf, len);
	return (const char *)buf;
}

/*
 * yajl writes bytes as they are, and JSON is UTF-8: what is not goes
 * out as U+FFFD, so the document stays one every reader accepts.
 */
static void put_string(struct pv_jw *w, const char *s)
{
	struct pv_buf fixed = PV_BUF_INIT;
	const char *p;
	size_t n;

	if (pv_utf8_valid(s, NULL)) {
		ok(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
		return;
	}
	for (p = s; *p; p += n ? n : 1) {
		n = pv_utf8_char_len(p);
		if (n)
			pv_buf_add(&fixed, p, n);
		else
			pv_buf_puts(&fixed, "\xef\xbf\xbd");
	}
	w->lossy = true;
	ok(w, yajl_gen_string(w->g, (const unsigned char *)fixed.s, fixed.len));
	pv_buf_dispose(&fixed);
}

void pv_jw_key(struct pv_jw *w, const char *key)
{
	put_string(w, key);
}

static void key(struct pv_jw *w, const char *k)
{
	if (k)
		pv_jw_key(w, k);
}

void pv_jw_str(struct pv_jw *w, const char *k, const char *s)
{
	key(w, k);
	if (s)
		put_string(w, s);
	else
		ok(w, yajl_gen_null(w->g));
}

void pv_jw_num(struct pv_jw *w, const char *k, uint64_t n)
{
	key(w, k);
	ok(w, yajl_gen_integer(w->g, (long long)n));
}

void pv_jw_int(struct pv_jw *w, const char *k, int64_t n)
{
	key(w, k);
	ok(w, yajl_gen_integer(w->g, (long long)n));
}

void pv_jw_num_or_null(struct pv_jw *w, const char *k, uint64_t n)
{
	if (n)
		pv_jw_num(w, k, n);
	else
		pv_jw_null(w, k);
}

void pv_jw_double(struct pv_jw *w, const char *k, double d)
{
	key(w, k);
	ok(w, yajl_gen_double(w->g, d));
}

void pv_jw_number(struct pv_jw *w, const char *k, const char *text)
{
	key(w, k);
	ok(w, yajl_gen_number(w->g, text, strlen(text)));
}

void pv_jw_bool(struct pv_jw *w, const char *k, bool b)
{
	key(w, k);
	ok(w, yajl_gen_bool(w->g, b));
}

void pv_jw_null(struct pv_jw *w, const char *k)
{
	key(w, k);
	ok(w, yajl_gen_null(w->g));
}

void pv_jw_map_open(struct pv_jw *w, const char *k)
{
	key(w, k);
	ok(w, yajl_gen_map_open(w->g));
}

void pv_jw_map_close(struct pv_jw *w)
{
	ok(w, yajl_gen_map_close(w->g));
}

void pv_jw_array_open(struct pv_jw *w, const char *k)
{
	key(w, k);
	ok(w, yajl_gen_array_open(w->g));
}

void pv_jw_array_close(struct pv_jw *w)
{
	ok(w, yajl_gen_array_close(w->g));
}
