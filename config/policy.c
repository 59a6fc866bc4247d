/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c: policy files and directories (pvctl-policy(5)): loading a
 * set all or nothing, picking a domain's policy, and the JSON form. The
 * keys themselves are in policy_keys.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/jsonw.h"
#include "policy_i.h"
#include "xlcfg_i.h"

void pv_policy_dispose(struct pv_policy *p)
{
	size_t i;

	for (i = 0; i < p->nmatch; i++)
		free(p->match[i]);
	free(p->match);
	free(p->file);
	pv_policy_init(p);
}

void pv_host_policy_dispose(struct pv_host_policy *h)
{
	free(h->audit_log);
	free(h->webhook);
	memset(h, 0, sizeof(*h));
}

void pv_policy_set_init(struct pv_policy_set *s)
{
	pv_host_policy_init(&s->host);
	s->policies = NULL;
	s->n = 0;
}

void pv_policy_set_dispose(struct pv_policy_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		pv_policy_dispose(&s->policies[i]);
	free(s->policies);
	pv_host_policy_dispose(&s->host);
	s->policies = NULL;
	s->n = 0;
}

int policy_is_host_file(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, PV_POLICY_HOST_FILE);
}

int pv_policy_load_string(const char *text, const char *source,
			  struct pv_policy_set *s, struct pv_err *err)
{
	struct pv_host_policy h;
	struct pv_policy p;
	int rc;

	if (policy_is_host_file(source)) {
		pv_host_policy_init(&h);
		rc = policy_parse_text(text, source, 1, NULL, &h, err);
		if (rc) {
			pv_host_policy_dispose(&h);
			return rc;
		}
		pv_host_policy_dispose(&s->host);
		s->host = h;
		return 0;
	}
	pv_policy_init(&p);
	rc = policy_parse_text(text, source, 0, &p, NULL, err);
	if (rc) {
		pv_policy_dispose(&p);
		return rc;
	}
	p.file = pv_strdup(source);
	s->policies = pv_realloc(s->policies,
				 (s->n + 1) * sizeof(*s->policies));
	s->policies[s->n++] = p;
	return 0;
}

int pv_policy_load_file(const char *path, struct pv_policy_set *s,
			struct pv_err *err)
{
	struct pv_buf text = PV_BUF_INIT;
	int rc = xlcfg_read_file(path, "a policy", &text, err);

	if (!rc)
		rc = pv_policy_load_string(text.s, path, s, err);
	pv_buf_dispose(&text);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_policy_name(const char *name)
{
	size_t n = strlen(name), sn = strlen(PV_POLICY_SUFFIX);

	/* Dot files are editors' and package managers' leftovers. */
	return name[0] != '.' && n > sn &&
	       !strcmp(name + n - sn, PV_POLICY_SUFFIX);
}

/* The `*.policy` names in @dir, sorted by byte value (allocated). */
static int list_dir(const char *dir, char ***names, size_t *n,
		    struct pv_err *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!d)
		return pv_err_sys(err, -errno, "%s", dir);
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!is_policy_name(de->d_name))
			continue;
		*names = pv_realloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = pv_strdup(de->d_name);
	}
	if (errno) {
		int rc = pv_err_sys(err, -errno, "%s", dir);

		closedir(d);
		return rc;
	}
	closedir(d);
	if (*n)		/* qsort's array may not be NULL, even empty */
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

int pv_policy_load_dir(const char *dir, struct pv_policy_set *s,
		       struct pv_err *err)
{
	struct pv_policy_set next;
	size_t len = strlen(dir), n = 0, i;
	char **names, *path;
	struct stat st;
	int rc;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	rc = list_dir(dir, &names, &n, err);
	pv_policy_set_init(&next);
	for (i = 0; i < n && !rc; i++) {
		path = pv_asprintf("%.*s/%s", (int)len, dir, names[i]);
		if (stat(path, &st))
			rc = pv_err_sys(err, -errno, "%s", path);
		else if (!S_ISREG(st.st_mode))
			rc = pv_err_set(err, -EINVAL, "%s: not a regular file",
					path);
		else
			rc = pv_policy_load_file(path, &next, err);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		pv_policy_set_dispose(&next);
		return rc;
	}
	pv_policy_set_dispose(s);
	*s = next;
	return 0;
}

const struct pv_policy *pv_policy_match(const struct pv_policy_set *s,
					const char *domname)
{
	size_t i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->policies[i].nmatch; j++)
			if (!fnmatch(s->policies[i].match[j], domname, 0))
				return &s->policies[i];
	return NULL;
}

/* ---- JSON ---- */

/* Hundredths of a percent as a JSON decimal: 1250 -> 12.5. */
static void put_pct100(struct pv_jw *w, const char *key, unsigned int v)
{
	char num[32];

	if (v % 100 == 0)
		snprintf(num, sizeof(num), "%u", v / 100);
	else if (v % 10 == 0)
		snprintf(num, sizeof(num), "%u.%u", v / 100, v % 100 / 10);
	else
		snprintf(num, sizeof(num), "%u.%02u", v / 100, v % 100);
	pv_jw_number(w, key, num);
}

int pv_policy_to_json(const struct pv_policy *p, struct pv_jw *w)
{
	size_t i;

	pv_jw_map_open(w, NULL);
	pv_jw_str(w, "file", p->file);
	pv_jw_array_open(w, "match");
	for (i = 0; i < p->nmatch; i++)
		pv_jw_str(w, NULL, p->match[i]);
	pv_jw_array_close(w);
	pv_jw_num(w, "priority", p->priority);
	pv_jw_num(w, "weight", p->weight);
	pv_jw_num(w, "memory_min_kb", p->mem_min_kb);
	pv_jw_num_or_null(w, "memory_max_kb", p->mem_max_kb);
	pv_jw_num(w, "headroom_pct", p->headroom_pct);
	pv_jw_num(w, "margin_kb", p->margin_kb);
	pv_jw_num(w, "low_water_kb", p->low_water_kb);
	pv_jw_num(w, "settle_s", p->settle_s);
	pv_jw_num(w, "shrink_pct", p->shrink_pct);
	put_pct100(w, "pressure_high_pct", p->pressure_high);
	put_pct100(w, "pressure_low_pct", p->pressure_low);
	pv_jw_num(w, "step_max_kb", p->step_max_kb);
	pv_jw_num(w, "step_min_kb", p->step_min_kb);
	pv_jw_num(w, "cooldown_up_s", p->cooldown_up_s);
	pv_jw_num(w, "cooldown_down_s", p->cooldown_down_s);
	pv_jw_num(w, "vcpu_min", p->vcpu_min);
	pv_jw_num_or_null(w, "vcpu_max", p->vcpu_max);
	pv_jw_num(w, "vcpu_up_util_pct", p->vcpu_up_util);
	pv_jw_num(w, "vcpu_down_util_pct", p->vcpu_down_util);
	pv_jw_num(w, "vcpu_hold_s", p->vcpu_hold_s);
	pv_jw_num(w, "runaway_after_s", p->runaway_s);
	pv_jw_map_close(w);
	return w->bad ? -EIO : 0;
}

int pv_host_policy_to_json(const struct pv_host_policy *h, struct pv_jw *w)
{
	pv_jw_map_open(w, NULL);
	pv_jw_num(w, "host_reserve_kb", h->reserve_kb);
	pv_jw_num(w, "interval_s", h->interval_s);
	pv_jw_num(w, "uncooperative_after_s", h->uncooperative_s);
	pv_jw_str(w, "audit_log", h->audit_log);
	pv_jw_str(w, "webhook", h->webhook);
	pv_jw_num(w, "webhook_timeout_s", h->webhook_timeout_s);
	pv_jw_num(w, "webhook_retries", h->webhook_retries);
	pv_jw_map_close(w);
	return w->bad ? -EIO : 0;
}
