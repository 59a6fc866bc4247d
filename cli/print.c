/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * print.c: the text/JSON printer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "print.h"

void pv_print_init(struct pv_printer *p, bool json)
{
	p->json = json;
	if (json)
		pv_jw_init(&p->w, true);
}

int pv_print_dispose(struct pv_printer *p)
{
	const char *text;
	size_t len;
	bool bad;

	if (!p->json)
		return 0;
	bad = p->w.bad;
	if (!bad) {
		text = pv_jw_text(&p->w, &len);
		fwrite(text, 1, len, stdout);
		if (len && text[len - 1] != '\n')
			putchar('\n');
		bad = ferror(stdout);
	}
	pv_jw_dispose(&p->w);
	p->json = false;
	return bad ? -EIO : 0;
}

void pv_print_obj_open(struct pv_printer *p, const char *key)
{
	if (p->json)
		pv_jw_map_open(&p->w, key);
}

void pv_print_obj_close(struct pv_printer *p)
{
	if (p->json)
		pv_jw_map_close(&p->w);
}

void pv_print_arr_open(struct pv_printer *p, const char *key)
{
	if (p->json)
		pv_jw_array_open(&p->w, key);
}

void pv_print_arr_close(struct pv_printer *p)
{
	if (p->json)
		pv_jw_array_close(&p->w);
}

void pv_print_str(struct pv_printer *p, const char *key, const char *fmt,
		  const char *val)
{
	if (p->json)
		pv_jw_str(&p->w, key, val);
	else if (fmt)
		printf(fmt, val ? val : "-");
}

void pv_print_uint(struct pv_printer *p, const char *key, const char *fmt,
		   uint64_t val)
{
	if (p->json)
		pv_jw_num(&p->w, key, val);
	else if (fmt)
		printf(fmt, (unsigned long long)val);
}

void pv_print_float(struct pv_printer *p, const char *key, const char *fmt,
		    double val)
{
	if (p->json)
		pv_jw_double(&p->w, key, val);
	else if (fmt)
		printf(fmt, val);
}

void pv_print_kb(struct pv_printer *p, const char *key, const char *fmt,
		 uint64_t kb)
{
	if (p->json)
		pv_jw_num(&p->w, key, kb);
	else if (fmt)
		printf(fmt, (unsigned long long)(kb / 1024));
}

void pv_print_ns(struct pv_printer *p, const char *key, const char *fmt,
		 uint64_t ns)
{
	if (p->json)
		pv_jw_num(&p->w, key, ns);
	else if (fmt)
		printf(fmt, (double)ns / 1e9);
}

void pv_print_bool(struct pv_printer *p, const char *key, const char *fmt,
		   bool val)
{
	if (p->json)
		pv_jw_bool(&p->w, key, val);
	else if (fmt)
		printf(fmt, val ? "yes" : "no");
}

void pv_print_text(struct pv_printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
