/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter_series.c: each domain's history of cumulative counters
 * (STATE/meter/UUID.jsonl), its rotation, and what `pvctl usage` asks
 * of it: the counters' growth over a window.
 *
 * A line is {"t": WALL_MS, COUNTERS...}. Lines are appended a
 * minute apart while the domain runs, and where an instance starts (its
 * counters before it) and ends, so that between two lines the counters
 * grow evenly, or not at all. Appends are not synced: state.json holds
 * the latest counters, and a line lost or torn in a crash only makes
 * the history coarser there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meter_i.h"

char *pv_meter_history_path(const struct pv_meter *m, const char *uuid)
{
	return pv_asprintf("%s/%s.jsonl", m->dir, uuid);
}

static void put_line(struct pv_buf *b, uint64_t t_ms,
		     const struct pv_meter_counters *c)
{
	const char *text;
	struct pv_jw w;
	size_t len;

	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	pv_jw_num(&w, "t", t_ms);
	pv_meter_put_counters(&w, c);
	pv_jw_map_close(&w);
	text = pv_jw_text(&w, &len);
	pv_buf_add(b, text, len);
	pv_buf_puts(b, "\n");
	pv_jw_dispose(&w);
}

int pv_meter_put_point(struct pv_meter *m, struct pv_meter_dom *d,
		       uint64_t t_ms, struct pv_err *err)
{
	char *path = pv_meter_history_path(m, d->uuid);
	struct pv_buf line = PV_BUF_INIT;
	int fd, rc = 0;

	t_ms = pv_max_u64(t_ms, d->point_ms);
	put_line(&line, t_ms, &d->c);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line.s, line.len) != (ssize_t)line.len)
		rc = pv_err_sys(err, fd < 0 || errno ? -errno : -EIO,
				"cannot append to %s", path);
	else
		d->point_ms = t_ms;
	if (fd >= 0)
		close(fd);
	pv_buf_dispose(&line);
	free(path);
	return rc;
}

/* One line into @p; false when it does not parse or goes back in time. */
static bool parse_line(char *line, uint64_t last_t, struct pv_meter_point *p)
{
	yajl_val o = yajl_tree_parse(line, NULL, 0);
	bool ok = o && YAJL_IS_OBJECT(o) && pv_meter_get_u64(o, "t", &p->t_ms) &&
		  p->t_ms >= last_t && pv_meter_get_counters(o, &p->c);

	yajl_tree_free(o);
	return ok;
}

int pv_meter_read_points(const struct pv_meter *m, const char *uuid,
			 struct pv_meter_point **pts, size_t *n,
			 struct pv_err *err)
{
	char *path = pv_meter_history_path(m, uuid), *line, *next;
	struct pv_buf text = PV_BUF_INIT;
	size_t cap = 0;
	int rc = 0;

	*pts = NULL;
	*n = 0;
	if (access(path, F_OK) == 0)
		rc = pv_buf_read_file(&text, path, 0, err);
	for (line = text.s; !rc && line && *line; line = next) {
		struct pv_meter_point p;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!parse_line(line, *n ? (*pts)[*n - 1].t_ms : 0, &p))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*pts = pv_realloc(*pts, cap * sizeof(**pts));
		}
		(*pts)[(*n)++] = p;
	}
	pv_buf_dispose(&text);
	free(path);
	return rc;
}

void pv_meter_at(const struct pv_meter_point *pts, size_t n, uint64_t t_ms,
		 struct pv_meter_counters *c)
{
	struct pv_meter_counters a, b;
	size_t lo = 0, hi = n - 1, i;
	double f;

	if (t_ms <= pts[0].t_ms || t_ms >= pts[n - 1].t_ms) {
		*c = t_ms <= pts[0].t_ms ? pts[0].c : pts[n - 1].c;
		return;
	}
	/* pts[lo].t_ms <= t_ms < pts[hi].t_ms */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (pts[mid].t_ms <= t_ms)
			lo = mid;
		else
			hi = mid;
	}
	a = pts[lo].c;
	b = pts[hi].c;
	f = (double)(t_ms - pts[lo].t_ms) / (double)(pts[hi].t_ms - pts[lo].t_ms);
	for (i = 0; i < PV_METER_NCOUNTERS; i++) {
		uint64_t va = *pv_meter_counter(&a, i), vb = *pv_meter_counter(&b, i);

		*pv_meter_counter(c, i) = va + (uint64_t)((double)pv_sub_u64(vb, va) * f + 0.5);
	}
}

/* --- rotation --- */

/*
 * Which lines stay: all of the last day; before it the first and last
 * of each hour; none older than the retention.
 */
static bool keep(const struct pv_meter_point *pts, size_t n, size_t i,
		 uint64_t now)
{
	uint64_t t = pts[i].t_ms, hour = t / PV_METER_COARSE_MS;

	if (t + PV_METER_KEEP_MS < now)
		return false;
	if (t + PV_METER_FINE_MS >= now)
		return true;
	return i == 0 || i == n - 1 ||
	       pts[i - 1].t_ms / PV_METER_COARSE_MS != hour ||
	       pts[i + 1].t_ms / PV_METER_COARSE_MS != hour;
}

/* Rewrites @d's history without the lines it no longer keeps; *left: how many stay. */
static int thin(struct pv_meter *m, struct pv_meter_dom *d, uint64_t now,
		size_t *left, struct pv_err *err)
{
	struct pv_meter_point *pts;
	struct pv_buf text = PV_BUF_INIT;
	size_t n, i;
	char *path;
	int rc;

	rc = pv_meter_read_points(m, d->uuid, &pts, &n, err);
	*left = n;
	if (rc || n == 0)
		goto out;
	for (i = 0, *left = 0; i < n; i++) {
		if (!keep(pts, n, i, now))
			continue;
		put_line(&text, pts[i].t_ms, &pts[i].c);
		(*left)++;
	}
	if (*left == n)
		goto out;
	path = pv_meter_history_path(m, d->uuid);
	if (*left)
		rc = pv_meter_write_state(path, text.s, text.len, err);
	else if (unlink(path))
		rc = pv_err_sys(err, -errno, "cannot remove %s", path);
	free(path);
out:
	pv_buf_dispose(&text);
	free(pts);
	return rc;
}

int pv_meter_rotate(struct pv_meter *m, struct pv_err *err)
{
	uint64_t now = m->sample_ms;
	size_t i = 0, left;
	int rc = 0;

	while (i < m->n) {
		struct pv_meter_dom *d = &m->doms[i];
		int r = thin(m, d, now, &left, err);

		rc = rc ? rc : r;
		/* Gone for the whole retention, with no history left: forget it. */
		if (!r && !left && !d->present && d->last_ms + PV_METER_KEEP_MS < now) {
			free(d->name);
			m->doms[i] = m->doms[--m->n];
			continue;
		}
		i++;
	}
	return rc;
}

/* --- usage --- */

static int by_name(const void *a, const void *b)
{
	const struct pv_usage *x = a, *y = b;
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");

	return c ? c : strcmp(x->uuid, y->uuid);
}

/* @d = @a - @b, field by field. */
static void sub_counters(struct pv_meter_counters *a,
			 struct pv_meter_counters *b,
			 struct pv_meter_counters *d)
{
	size_t i;

	for (i = 0; i < PV_METER_NCOUNTERS; i++)
		*pv_meter_counter(d, i) = pv_sub_u64(*pv_meter_counter(a, i),
						     *pv_meter_counter(b, i));
}

/* @d's growth over [@since, @until]; false if it did not exist then. */
static bool window(struct pv_meter *m, const struct pv_meter_dom *d,
		   uint64_t since, uint64_t until, struct pv_usage *u,
		   struct pv_err *err)
{
	struct pv_meter_point *pts;
	struct pv_meter_counters a = { 0 }, b;
	size_t n;

	if (pv_meter_read_points(m, d->uuid, &pts, &n, err))
		return false;
	/* state.json has the last sample, newer than the last line. */
	if (!n || d->last_ms > pts[n - 1].t_ms) {
		pts = pv_realloc(pts, (n + 1) * sizeof(*pts));
		pts[n].t_ms = d->last_ms;
		pts[n++].c = d->c;
	}
	if (since > pts[n - 1].t_ms || until < pts[0].t_ms || since > until) {
		free(pts);
		return false;
	}
	if (since)
		pv_meter_at(pts, n, since, &a);
	pv_meter_at(pts, n, until, &b);
	sub_counters(&b, &a, &u->d);
	u->from_ms = pv_max_u64(since, pts[0].t_ms);
	u->to_ms = pv_min_u64(until, pts[n - 1].t_ms);
	free(pts);
	return true;
}

int pv_meter_usage(struct pv_meter *m, uint64_t since_ms, uint64_t until_ms,
		   struct pv_usage **out, size_t *nout, struct pv_err *err)
{
	struct pv_usage *u = pv_calloc(m->n ? m->n : 1, sizeof(*u));
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < m->n && !rc; i++) {
		const struct pv_meter_dom *d = &m->doms[i];

		if (!window(m, d, since_ms, until_ms, &u[n], err)) {
			rc = err->code;
			continue;
		}
		memcpy(u[n].uuid, d->uuid, sizeof(u[n].uuid));
		u[n].name = d->name ? pv_strdup(d->name) : NULL;
		u[n].domid = d->domid;
		u[n].present = d->present;
		n++;
	}
	qsort(u, n, sizeof(*u), by_name);
	*out = u;
	*nout = n;
	if (rc) {
		pv_usage_free(u, n);
		*out = NULL;
		*nout = 0;
	}
	return rc;
}

void pv_usage_free(struct pv_usage *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(u[i].name);
	free(u);
}

/* --- times --- */

/* Reads exactly @width digits at *@s into @v. */
static bool digits(const char **s, int width, int *v)
{
	*v = 0;
	for (; width; width--, (*s)++) {
		if (**s < '0' || **s > '9')
			return false;
		*v = *v * 10 + (**s - '0');
	}
	return true;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS]][Z|(+|-)HH[:MM]] */
static int parse_iso(const char *s, uint64_t *ms)
{
	struct tm tm = { .tm_isdst = -1 };
	int off = 0, oh, om = 0, sign;
	bool utc = false;
	time_t t;

	if (!digits(&s, 4, &tm.tm_year) || *s++ != '-' ||
	    !digits(&s, 2, &tm.tm_mon) || *s++ != '-' ||
	    !digits(&s, 2, &tm.tm_mday))
		return -EINVAL;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &tm.tm_hour) || *s++ != ':' ||
		    !digits(&s, 2, &tm.tm_min))
			return -EINVAL;
		if (*s == ':' && (s++, !digits(&s, 2, &tm.tm_sec)))
			return -EINVAL;
	}
	if (*s == 'Z') {
		utc = true;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!digits(&s, 2, &oh))
			return -EINVAL;
		if (*s == ':')
			s++;
		if (*s && !digits(&s, 2, &om))
			return -EINVAL;
		if (oh > 23 || om > 59)
			return -EINVAL;
		utc = true;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*s || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	t = utc ? timegm(&tm) - off : mktime(&tm);
	if (t < 0)
		return -EINVAL;
	*ms = (uint64_t)t * 1000;
	return 0;
}

int pv_meter_parse_time(const char *s, uint64_t now_ms, uint64_t *ms)
{
	static const struct { char unit; uint64_t ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 },
	};
	uint64_t v;
	size_t len = strlen(s), i;

	if (!strcmp(s, "now")) {
		*ms = now_ms;
		return 0;
	}
	if (s[0] == '-' && len > 2) {
		char *num = pv_strndup(s + 1, len - 2);
		int rc = pv_parse_uint(num, UINT64_MAX / 86400000, &v);

		free(num);
		for (i = 0; !rc && i < sizeof(units) / sizeof(*units); i++) {
			if (units[i].unit == s[len - 1]) {
				*ms = pv_sub_u64(now_ms, v * units[i].ms);
				return 0;
			}
		}
		return -EINVAL;
	}
	if (strspn(s, "0123456789") != len)
		return parse_iso(s, ms);
	if (pv_parse_uint(s, UINT64_MAX / 1000, &v))
		return -EINVAL;
	*ms = v * 1000;
	return 0;
}
