/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter_i.h: what meter.c, meter_series.c and meter_prom.c share (and
 * tests/unit/test_meter.c looks at); not for the rest of pvctl.
 */
#ifndef PV_METER_I_H
#define PV_METER_I_H

#include <yajl/yajl_tree.h>

#include "meter.h"
#include "../../util/jsonw.h"

/*
 * Writes @text to @path atomically and durably: a temporary file,
 * written and fsync'd, renamed over @path, then the directory fsync'd.
 */
int pv_meter_write_state(const char *path, const char *text, size_t len,
			 struct pv_err *err);

/* The counters one by one (0 to PV_METER_NCOUNTERS - 1), for loops over them. */
#define PV_METER_NCOUNTERS 6
uint64_t *pv_meter_counter(struct pv_meter_counters *c, size_t i);
/* The counters as JSON fields, and back (false: one missing or bad). */
void pv_meter_put_counters(struct pv_jw *w, const struct pv_meter_counters *c);
bool pv_meter_get_counters(yajl_val obj, struct pv_meter_counters *c);
/* A non-negative integer field of @obj (false: missing or not one). */
bool pv_meter_get_u64(yajl_val obj, const char *key, uint64_t *v);

/* One line of a history file. */
struct pv_meter_point {
	uint64_t t_ms;
	struct pv_meter_counters c;
};

/* DIR/UUID.jsonl (caller frees). */
char *pv_meter_history_path(const struct pv_meter *m, const char *uuid);
/*
 * Appends a line with @d's counters at @t_ms (no earlier than its last
 * line: the wall clock may step back).
 */
int pv_meter_put_point(struct pv_meter *m, struct pv_meter_dom *d,
		       uint64_t t_ms, struct pv_err *err);
/*
 * The lines of @uuid's history, oldest first (*pts malloc'd; none if the
 * file is missing). A line that does not parse (a torn last line after
 * a crash) is skipped.
 */
int pv_meter_read_points(const struct pv_meter *m, const char *uuid,
			 struct pv_meter_point **pts, size_t *n,
			 struct pv_err *err);
/*
 * The counters at @t_ms from @n >= 1 points: the first point's before
 * it, the last one's after it, linear in between.
 */
void pv_meter_at(const struct pv_meter_point *pts, size_t n, uint64_t t_ms,
		 struct pv_meter_counters *c);

/* Hands the HTTP server the text of this sample; stops it. */
void pv_meter_publish(struct pv_meter *m, const char *text, size_t len);
void pv_meter_http_stop(struct pv_meter *m);

#endif
