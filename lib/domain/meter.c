/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter.c: sampling the domains and integrating what they hold and use
 * over time (see meter.h for the files).
 *
 * Allocations (memory, vCPUs) are gauges: each interval counts the mean
 * of its two ends times its length (the monotonic clock's, so that the
 * wall clock stepping does not bill anyone). CPU time is Xen's counter,
 * per domain instance: its growth since the last sample is added, so a
 * reboot (a new domid) or a host restart (a new start_time, or CPU time
 * going back) starts a new instance instead of a negative delta. Between
 * two monitors (a crash, a restart) the same instance is counted as it
 * was at the last sample; a domain that went meanwhile is not counted
 * after its last sample.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "meter_i.h"
#include "../../util/fileio.h"
#include "../xs.h"

static uint64_t wall_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void pv_meter_init(struct pv_meter *m, const struct pv_ctx *ctx)
{
	memset(m, 0, sizeof(*m));
	m->dir = pv_asprintf("%s/meter", ctx->state_dir);
	m->status_file = pv_asprintf("%s/autoscale.json", ctx->run_dir);
	m->prom_file = pv_strdup(PV_METER_PROM_FILE);
	m->prom_if_dir = true;
	m->wall_ms = wall_clock_ms;
	m->mono_ms = pv_now_ms;
}

static void forget_all(struct pv_meter *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->doms[i].name);
	free(m->doms);
	m->doms = NULL;
	m->n = m->cap = 0;
}

void pv_meter_dispose(struct pv_meter *m)
{
	pv_meter_http_stop(m);
	forget_all(m);
	free(m->dir);
	free(m->status_file);
	free(m->prom_file);
	free(m->listen);
	free(m->last_error);
}

struct pv_meter_dom *pv_meter_find(struct pv_meter *m, const char *uuid)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->doms[i].uuid, uuid))
			return &m->doms[i];
	return NULL;
}

static struct pv_meter_dom *add(struct pv_meter *m, const char *uuid)
{
	struct pv_meter_dom *d;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->doms = pv_realloc(m->doms, m->cap * sizeof(*m->doms));
	}
	d = &m->doms[m->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	return d;
}

int pv_meter_write_state(const char *path, const char *text, size_t len,
			 struct pv_err *err)
{
	/*
	 * As every state file: a temporary file of its own (a monitor
	 * killed mid-write leaves the old file whole), full write, fsync,
	 * rename, directory fsync. Readable by node_exporter, as before.
	 */
	return pv_write_file_atomic(path, text, len, 0644, err);
}

/* --- state.json --- */

/* The counters' JSON keys, in pv_meter_counter()'s order. */
static const char *const counter_keys[PV_METER_NCOUNTERS] = {
	"alive_ms", "mem_mib_ms", "vcpu_ms", "cpu_ns", "used_mib_ms", "agent_ms",
};

uint64_t *pv_meter_counter(struct pv_meter_counters *c, size_t i)
{
	uint64_t *f[PV_METER_NCOUNTERS] = {
		&c->alive_ms, &c->mem_mib_ms, &c->vcpu_ms, &c->cpu_ns,
		&c->used_mib_ms, &c->agent_ms,
	};

	return f[i];
}

void pv_meter_put_counters(struct pv_jw *w, const struct pv_meter_counters *c)
{
	struct pv_meter_counters copy = *c;
	size_t i;

	for (i = 0; i < PV_METER_NCOUNTERS; i++)
		pv_jw_num(w, counter_keys[i], *pv_meter_counter(&copy, i));
}

bool pv_meter_get_u64(yajl_val obj, const char *key, uint64_t *v)
{
	const char *path[] = { key, NULL };
	yajl_val n = yajl_tree_get(obj, path, yajl_t_number);

	if (!n || !YAJL_IS_INTEGER(n) || YAJL_GET_INTEGER(n) < 0)
		return false;
	*v = (uint64_t)YAJL_GET_INTEGER(n);
	return true;
}

bool pv_meter_get_counters(yajl_val obj, struct pv_meter_counters *c)
{
	size_t i;

	for (i = 0; i < PV_METER_NCOUNTERS; i++)
		if (!pv_meter_get_u64(obj, counter_keys[i], pv_meter_counter(c, i)))
			return false;
	return true;
}

static char *state_path(const struct pv_meter *m)
{
	return pv_asprintf("%s/state.json", m->dir);
}

static void put_dom(struct pv_jw *w, const struct pv_meter_dom *d)
{
	pv_jw_map_open(w, NULL);
	pv_jw_str(w, "uuid", d->uuid);
	pv_jw_str(w, "name", d->name);
	pv_jw_num(w, "domid", d->domid);
	pv_jw_num(w, "start_time", d->start_time);
	pv_jw_num(w, "last_ms", d->last_ms);
	pv_jw_num(w, "memory_kb", d->mem_kb);
	pv_jw_num(w, "target_kb", d->target_kb);
	pv_jw_num(w, "vcpus", d->vcpus);
	pv_jw_num(w, "xen_cpu_ns", d->xen_cpu_ns);
	if (d->have_used)
		pv_jw_num(w, "used_kb", d->used_kb);
	pv_jw_num(w, "point_ms", d->point_ms);
	pv_jw_bool(w, "exists", d->present);
	pv_meter_put_counters(w, &d->c);
	pv_jw_map_close(w);
}

static int write_state(struct pv_meter *m, struct pv_err *err)
{
	char *path = state_path(m);
	const char *text;
	struct pv_jw w;
	size_t len, i;
	int rc;

	pv_jw_init(&w, true);
	pv_jw_map_open(&w, NULL);
	pv_jw_num(&w, "version", 1);
	pv_jw_num(&w, "sample_ms", m->sample_ms);
	pv_jw_array_open(&w, "domains");
	for (i = 0; i < m->n; i++)
		put_dom(&w, &m->doms[i]);
	pv_jw_array_close(&w);
	pv_jw_map_close(&w);
	text = pv_jw_text(&w, &len);
	rc = w.bad ? pv_err_set(err, -EINVAL, "cannot encode %s", path)
		   : pv_meter_write_state(path, text, len, err);
	pv_jw_dispose(&w);
	free(path);
	return rc;
}

static bool get_dom(yajl_val o, struct pv_meter_dom *d)
{
	const char *uuid_key[] = { "uuid", NULL }, *name_key[] = { "name", NULL };
	const char *exists_key[] = { "exists", NULL };
	yajl_val u = yajl_tree_get(o, uuid_key, yajl_t_string);
	yajl_val name = yajl_tree_get(o, name_key, yajl_t_string);
	yajl_val exists = yajl_tree_get(o, exists_key, yajl_t_any);
	uint8_t bin[16];
	uint64_t domid, vcpus;

	if (!u || pv_uuid_parse(u->u.string, bin) ||
	    !pv_meter_get_u64(o, "domid", &domid) || domid > UINT32_MAX ||
	    !pv_meter_get_u64(o, "start_time", &d->start_time) ||
	    !pv_meter_get_u64(o, "last_ms", &d->last_ms) ||
	    !pv_meter_get_u64(o, "memory_kb", &d->mem_kb) ||
	    !pv_meter_get_u64(o, "target_kb", &d->target_kb) ||
	    !pv_meter_get_u64(o, "vcpus", &vcpus) || vcpus > 4096 ||
	    !pv_meter_get_u64(o, "xen_cpu_ns", &d->xen_cpu_ns) ||
	    !pv_meter_get_u64(o, "point_ms", &d->point_ms) ||
	    !pv_meter_get_counters(o, &d->c))
		return false;
	pv_uuid_format(bin, d->uuid);
	d->domid = (uint32_t)domid;
	d->vcpus = (unsigned int)vcpus;
	d->have_used = pv_meter_get_u64(o, "used_kb", &d->used_kb);
	d->present = exists && YAJL_IS_TRUE(exists);
	d->name = name ? pv_strdup(name->u.string) : NULL;
	return true;
}

static int load_state(struct pv_meter *m, const char *path, struct pv_err *err)
{
	const char *dom_key[] = { "domains", NULL };
	struct pv_buf text = PV_BUF_INIT;
	yajl_val root, doms;
	char errbuf[128];
	size_t i;
	int rc = 0;

	if (pv_buf_read_file(&text, path, 0, err))
		return -EIO;
	root = yajl_tree_parse(text.s, errbuf, sizeof(errbuf));
	doms = root ? yajl_tree_get(root, dom_key, yajl_t_array) : NULL;
	if (!doms || !pv_meter_get_u64(root, "sample_ms", &m->sample_ms))
		rc = pv_err_set(err, -EINVAL, "%s: not a pvctl meter state", path);
	for (i = 0; !rc && i < doms->u.array.len; i++) {
		struct pv_meter_dom d = { .name = NULL };

		if (!get_dom(doms->u.array.values[i], &d)) {
			rc = pv_err_set(err, -EINVAL, "%s: domain %zu: a field is "
					"missing or not a number in range", path, i + 1);
			break;
		}
		*add(m, d.uuid) = d;
	}
	yajl_tree_free(root);
	pv_buf_dispose(&text);
	return rc;
}

/* Without state.json: each history file's last line has the counters. */
static void load_history(struct pv_meter *m)
{
	DIR *dir = opendir(m->dir);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		struct pv_meter_point *pts = NULL;
		char uuid[PV_UUID_STRLEN + 1];
		struct pv_meter_dom *d;
		struct pv_err err;
		uint8_t bin[16];
		size_t n = 0;

		if (strlen(e->d_name) != PV_UUID_STRLEN + 6 ||
		    strcmp(e->d_name + PV_UUID_STRLEN, ".jsonl"))
			continue;
		memcpy(uuid, e->d_name, PV_UUID_STRLEN);
		uuid[PV_UUID_STRLEN] = '\0';
		if (pv_uuid_parse(uuid, bin))
			continue;
		pv_err_init(&err);
		if (pv_meter_read_points(m, uuid, &pts, &n, &err) == 0 && n) {
			d = add(m, uuid);
			d->c = pts[n - 1].c;
			d->last_ms = d->point_ms = pts[n - 1].t_ms;
			if (d->last_ms > m->sample_ms)
				m->sample_ms = d->last_ms;
		}
		pv_err_dispose(&err);
		free(pts);
	}
	closedir(dir);
}

int pv_meter_load(struct pv_meter *m, struct pv_err *err)
{
	char *path = state_path(m);
	struct stat st;
	int rc = 0;

	forget_all(m);
	m->sample_ms = 0;
	m->loaded = true;
	if (stat(path, &st) == 0)
		rc = load_state(m, path, err);
	if (rc) {
		forget_all(m);
		m->sample_ms = 0;
	}
	if (rc || stat(path, &st))
		load_history(m);
	free(path);
	return rc;
}

/* The first load of a sampling process: a bad state.json is kept aside. */
static int first_load(struct pv_meter *m, struct pv_err *err)
{
	char *path = state_path(m), *bad;
	int rc;

	/* The monitor's lock is held: a killed one's half write is no one's. */
	pv_remove_stale_temps(path);
	rc = pv_meter_load(m, err);
	if (!rc) {
		free(path);
		return 0;
	}
	bad = pv_asprintf("%s.bad", path);
	if (rename(path, bad) == 0)
		pv_buf_printf(&err->msg, " (kept as %s; the counters go on "
			      "from the history)", bad);
	free(bad);
	free(path);
	return rc;
}

/* --- sampling --- */

/*
 * /vm/UUID/start_time, which the creating toolstack (pvctl or xl) writes
 * in seconds since the epoch (xl adds ".CC"); 0 if absent.
 */
static uint64_t start_time(struct pv_ctx *ctx, const char *uuid)
{
	char *path = pv_asprintf("/vm/%s/start_time", uuid);
	char *v = pv_xs_read_str(&ctx->hv, PV_XBT_NULL, path);
	uint64_t t = 0;

	if (v) {
		v[strcspn(v, ".")] = '\0';
		if (pv_parse_uint(v, UINT64_MAX / 1000, &t))
			t = 0;
	}
	free(v);
	free(path);
	return t;
}

/* What one domain holds and uses now. */
struct now {
	uint64_t mem_kb, target_kb, used_kb, cpu_ns;
	unsigned int vcpus;
	bool have_used;
};

static void read_now(struct pv_meter *m, struct pv_ctx *ctx,
		     const struct pv_dominfo *info, struct now *s)
{
	uint64_t static_max;

	memset(s, 0, sizeof(*s));
	s->mem_kb = info->cur_kb;
	s->vcpus = info->online_vcpus;
	s->cpu_ns = info->cpu_time_ns;
	if (pv_domain_get_target(ctx, info->domid, &s->target_kb, NULL))
		s->target_kb = 0;
	/* The guest's word, checked, and never more than it holds. */
	if (m->agent &&
	    pv_domain_get_maxmem(ctx, info->domid, &static_max, NULL) == 0 &&
	    m->agent(ctx, info->domid, static_max, &s->used_kb)) {
		s->have_used = true;
		s->used_kb = pv_min_u64(s->used_kb, s->mem_kb);
	}
}

/* The mean of @a_kb and @b_kb, in MiB, times @ms: rounded, exact. */
static uint64_t mib_ms(uint64_t a_kb, uint64_t b_kb, uint64_t ms)
{
	return (uint64_t)(((unsigned __int128)(a_kb + b_kb) * ms + 1024) / 2048);
}

/* The interval of @ms since @d's last sample, ended by @s: trapezoids. */
static void integrate(struct pv_meter_dom *d, const struct now *s, uint64_t ms)
{
	d->c.alive_ms += ms;
	d->c.mem_mib_ms += mib_ms(d->mem_kb, s->mem_kb, ms);
	d->c.vcpu_ms += ((uint64_t)d->vcpus + s->vcpus) * ms / 2;
	if (d->have_used && s->have_used) {
		d->c.used_mib_ms += mib_ms(d->used_kb, s->used_kb, ms);
		d->c.agent_ms += ms;
	}
}

/*
 * A new instance of @d: its first sample. One started lately is counted
 * from its start, at what it holds now (with all its CPU time); an older
 * one from now on.
 */
static int begin(struct pv_meter *m, struct pv_meter_dom *d,
		 const struct pv_dominfo *info, uint64_t start,
		 const struct now *s, uint64_t wall, struct pv_err *err)
{
	uint64_t since = wall;
	int rc = 0;

	/* The end of the last instance, if its history does not have it. */
	if (d->last_ms > d->point_ms)
		rc = pv_meter_put_point(m, d, d->last_ms, err);
	/* Never a time already counted (CPU time that went back, say). */
	if (start && start * 1000 <= wall && start * 1000 >= d->last_ms &&
	    wall - start * 1000 <= PV_METER_BACKFILL_MS)
		since = start * 1000;
	if (!rc && (d->point_ms == 0 || since > d->point_ms))
		rc = pv_meter_put_point(m, d, since, err);
	d->domid = info->domid;
	d->start_time = start;
	if (since < wall) {
		d->mem_kb = s->mem_kb;
		d->vcpus = s->vcpus;
		d->used_kb = s->used_kb;
		d->have_used = s->have_used;
		integrate(d, s, wall - since);
		d->c.cpu_ns += s->cpu_ns;
	}
	return rc;
}

static int observe(struct pv_meter *m, struct pv_ctx *ctx,
		   const struct pv_domain_status *st, uint64_t wall,
		   uint64_t mono, struct pv_err *err)
{
	const struct pv_dominfo *info = &st->info;
	char uuid[PV_UUID_STRLEN + 1];
	struct pv_meter_dom *d;
	bool same, first;
	uint64_t start = 0;
	struct now s;
	int rc = 0;

	pv_uuid_format(info->uuid, uuid);
	d = pv_meter_find(m, uuid);
	if (!d)
		d = add(m, uuid);
	else if (d->seen)
		return 0;	/* two domains with one UUID: the first counts */
	d->seen = true;
	read_now(m, ctx, info, &s);
	if (st->name)
		pv_str_set(&d->name, st->name);
	first = !d->sampled;
	same = d->domid == info->domid && s.cpu_ns >= d->xen_cpu_ns;
	if (first || !same)
		start = start_time(ctx, uuid);
	/* Is it the instance of the last sample, before this process? */
	if (first)
		same = same && d->last_ms && d->start_time == start;
	if (same) {
		integrate(d, &s, first ? pv_sub_u64(wall, d->last_ms)
				       : mono - d->mono_ms);
		d->c.cpu_ns += s.cpu_ns - d->xen_cpu_ns;
	} else {
		rc = begin(m, d, info, start, &s, wall, err);
	}
	d->mem_kb = s.mem_kb;
	d->target_kb = s.target_kb;
	d->vcpus = s.vcpus;
	d->used_kb = s.used_kb;
	d->have_used = s.have_used;
	d->xen_cpu_ns = s.cpu_ns;
	d->last_ms = wall;
	d->mono_ms = mono;
	d->sampled = true;
	if (!rc && wall / PV_METER_POINT_MS != d->point_ms / PV_METER_POINT_MS)
		rc = pv_meter_put_point(m, d, wall, err);
	return rc;
}

/* Whether the directory @file would be in exists. */
static bool dir_of_exists(const char *file)
{
	char *dir = pv_strdup(file), *slash = strrchr(dir, '/');
	struct stat st;
	bool yes;

	if (slash)
		slash[slash == dir] = '\0';	/* "/x" is in "/" */
	yes = stat(slash ? dir : ".", &st) == 0 && S_ISDIR(st.st_mode);
	free(dir);
	return yes;
}

static int write_prom(struct pv_meter *m, struct pv_err *err)
{
	struct pv_buf text = PV_BUF_INIT;
	int rc = 0;

	if (!m->http && !m->prom_file)
		return 0;
	pv_meter_prom_text(m, &text);
	if (m->http)
		pv_meter_publish(m, text.s, text.len);
	if (m->prom_file && (!m->prom_if_dir || dir_of_exists(m->prom_file)))
		rc = pv_meter_write_state(m->prom_file, text.s, text.len, err);
	pv_buf_dispose(&text);
	return rc;
}

/* The first error is the one @err describes. */
static int keep_first(int rc, int next)
{
	return rc ? rc : next;
}

int pv_meter_sample(struct pv_meter *m, struct pv_ctx *ctx, struct pv_err *err)
{
	uint64_t wall = m->wall_ms(), mono = m->mono_ms();
	struct pv_domain_status *st;
	size_t n, i;
	int rc = 0;

	if (!m->loaded)
		rc = first_load(m, err);
	if (pv_mkdirs(m->dir, err))
		return -EIO;
	if (pv_domain_list(ctx, NULL, 0, &st, &n, err))
		return -EIO;
	/* Records only move forward in time, whatever the wall clock does. */
	wall = pv_max_u64(wall, m->sample_ms);
	for (i = 0; i < m->n; i++)
		m->doms[i].seen = false;
	for (i = 0; i < n; i++)
		if (st[i].info.domid != 0 && !st[i].info.dying)
			rc = keep_first(rc, observe(m, ctx, &st[i], wall, mono, err));
	pv_domain_status_free(st, n);
	for (i = 0; i < m->n; i++) {
		struct pv_meter_dom *d = &m->doms[i];

		/* Gone since the last sample: its history ends there. */
		if (d->present && !d->seen && d->last_ms > d->point_ms)
			rc = keep_first(rc, pv_meter_put_point(m, d, d->last_ms, err));
		d->present = d->sampled = d->seen;
	}
	m->sample_ms = wall;
	rc = keep_first(rc, write_state(m, err));
	return keep_first(rc, write_prom(m, err));
}

void pv_meter_tick(struct pv_meter *m, struct pv_ctx *ctx,
		   struct pv_monitor_log *log)
{
	struct pv_err err;
	int rc;

	pv_err_init(&err);
	if (m->listen && !m->http && pv_meter_listen(m, &err)) {
		log->fn(log->arg, "metering: %s", pv_err_msg(&err));
		pv_str_set(&m->listen, NULL);	/* said once */
	}
	pv_err_clear(&err);
	rc = pv_meter_sample(m, ctx, &err);
	if (!rc && m->sample_ms - m->rotate_ms >= PV_METER_COARSE_MS) {
		rc = pv_meter_rotate(m, &err);
		m->rotate_ms = m->sample_ms;
	}
	if (rc && (!m->last_error || strcmp(m->last_error, pv_err_msg(&err)))) {
		log->fn(log->arg, "metering: %s", pv_err_msg(&err));
		pv_str_set(&m->last_error, pv_err_msg(&err));
	} else if (!rc) {
		pv_str_set(&m->last_error, NULL);
	}
	pv_err_dispose(&err);
}
