/*
 * print.c: the text/JSON printer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "print.h"

void pv_print_init(struct pv_printer *p, bool json)
{
	p->json = json;
	p->g = NULL;
	if (json) {
		p->g = yajl_gen_alloc(NULL);
		yajl_gen_config(p->g, yajl_gen_beautify, 1);
	}
}

void pv_print_dispose(struct pv_printer *p)
{
	const unsigned char *buf;
	size_t len;

	if (!p->g)
		return;
	if (yajl_gen_get_buf(p->g, &buf, &len) == yajl_gen_status_ok) {
		fwrite(buf, 1, len, stdout);
		if (len && buf[len - 1] != '\n')
			putchar('\n');
	}
	yajl_gen_free(p->g);
	p->g = NULL;
}

static void key(struct pv_printer *p, const char *k)
{
	if (k)
		yajl_gen_string(p->g, (const unsigned char *)k, strlen(k));
}

void pv_print_obj_open(struct pv_printer *p, const char *k)
{
	if (!p->json)
		return;
	key(p, k);
	yajl_gen_map_open(p->g);
}

void pv_print_obj_close(struct pv_printer *p)
{
	if (p->json)
		yajl_gen_map_close(p->g);
}

void pv_print_arr_open(struct pv_printer *p, const char *k)
{
	if (!p->json)
		return;
	key(p, k);
	yajl_gen_array_open(p->g);
}

void pv_print_arr_close(struct pv_printer *p)
{
	if (p->json)
		yajl_gen_array_close(p->g);
}

void pv_print_str(struct pv_printer *p, const char *k, const char *fmt,
		  const char *val)
{
	if (p->json) {
		key(p, k);
		if (val)
			yajl_gen_string(p->g, (const unsigned char *)val, strlen(val));
		else
			yajl_gen_null(p->g);
	} else if (fmt) {
		printf(fmt, val ? val : "-");
	}
}

void pv_print_uint(struct pv_printer *p, const char *k, const char *fmt,
		   uint64_t val)
{
	if (p->json) {
		key(p, k);
		yajl_gen_integer(p->g, (long long)val);
	} else if (fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void pv_print_float(struct pv_printer *p, const char *k, const char *fmt,
		    double val)
{
	if (p->json) {
		key(p, k);
		yajl_gen_double(p->g, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void pv_print_bool(struct pv_printer *p, const char *k, const char *fmt,
		   bool val)
{
	if (p->json) {
		key(p, k);
		yajl_gen_bool(p->g, val);
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
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
