/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * print.h: one printer for text and JSON output (iproute2's idea, on
 * util/jsonw). A command emits each field once, with its JSON key and its text
 * format; the printer writes whichever the user asked for, so the JSON
 * cannot fall behind the text.
 */
#ifndef PVCTL_PRINT_H
#define PVCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/jsonw.h"
#include "../util/util.h"

struct pv_printer {
	bool json;
	struct pv_jw w;		/* the JSON document, when json */
};

void pv_print_init(struct pv_printer *p, bool json);
/*
 * Writes the JSON document (if any) to stdout and frees the printer:
 * 0, or -EIO if the document could not be made or written (then
 * nothing, or not all of it, went out).
 */
int pv_print_dispose(struct pv_printer *p);

/* Containers exist only in JSON; @key is NULL inside arrays and at the top. */
void pv_print_obj_open(struct pv_printer *p, const char *key);
void pv_print_obj_close(struct pv_printer *p);
void pv_print_arr_open(struct pv_printer *p, const char *key);
void pv_print_arr_close(struct pv_printer *p);

/* A field: JSON gets key/value, text gets printf(@fmt, value) (NULL fmt: nothing). */
void pv_print_str(struct pv_printer *p, const char *key, const char *fmt,
		  const char *val);
void pv_print_uint(struct pv_printer *p, const char *key, const char *fmt,
		   uint64_t val);
void pv_print_float(struct pv_printer *p, const char *key, const char *fmt,
		    double val);
void pv_print_bool(struct pv_printer *p, const char *key, const char *fmt,
		   bool val);
/*
 * Quantities, by pvctl(1)'s JSON convention: JSON has an integer in the
 * base unit, named in the key (memory in KiB, "_kb"; time "_ns", "_ms"
 * or "_s"); text shows what people read (MiB, seconds with a decimal).
 * pv_print_kb gives @fmt MiB (an unsigned long long), pv_print_ns
 * seconds (a double).
 */
void pv_print_kb(struct pv_printer *p, const char *key, const char *fmt,
		 uint64_t kb);
void pv_print_ns(struct pv_printer *p, const char *key, const char *fmt,
		 uint64_t ns);
/* Text only (headers, separators, newlines). */
void pv_print_text(struct pv_printer *p, const char *fmt, ...) PV_PRINTF(2, 3);

#endif
