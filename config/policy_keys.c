/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_keys.c: the keys of a policy file, as data, and their checks.
 *
 * The text is read by the xl.cfg parser (cfg_parse.c); this file turns
 * its settings into a struct pv_policy or pv_host_policy. It is stricter
 * than xl.cfg on purpose: a policy is a set of guardrails, so an unknown
 * key, a key set twice or a key in the wrong kind of file is an error,
 * never a warning.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy_i.h"
#include "xlcfg_i.h"

enum key_kind {
	K_MATCH,	/* a glob or a list of globs */
	K_UINT,		/* unsigned int: a count or seconds */
	K_PCT,		/* unsigned int: a whole percentage */
	K_PCT100,	/* unsigned int: a percentage in hundredths */
	K_SIZE,		/* uint64_t KiB */
	K_PATH,		/* char *: an absolute path */
	K_URL,		/* char *: an http:// or https:// URL */
};

enum key_scope { DOMAIN, HOST };

struct policy_key {
	const char *name;
	enum key_scope scope;
	enum key_kind kind;
	size_t off;		/* of the field in pv_policy or pv_host_policy */
	uint64_t min, max;	/* in the field's unit */
};

#define MiB		UINT64_C(1024)
#define MAX_KB		(PV_XLCFG_MAX_MEMORY_MB * MiB)
#define DAY		86400
#define D(name, kind, field, min, max) \
	{ name, DOMAIN, kind, offsetof(struct pv_policy, field), min, max }
#define H(name, kind, field, min, max) \
	{ name, HOST, kind, offsetof(struct pv_host_policy, field), min, max }

/*
 * The bounds catch nonsense (a floor no Linux guest boots in, a tick of
 * an hour, milliseconds written as seconds) without second-guessing
 * reasonable tuning. pvctl-policy(5) documents each of them.
 */
static const struct policy_key keys[] = {
	D("match", K_MATCH, match, 0, 0),
	D("priority", K_UINT, priority, 0, 100),
	D("weight", K_UINT, weight, 1, 1000),
	D("memory_min", K_SIZE, mem_min_kb, 16 * MiB, MAX_KB),
	D("memory_max", K_SIZE, mem_max_kb, 16 * MiB, MAX_KB),
	D("headroom", K_PCT, headroom_pct, 0, 90),
	D("margin", K_SIZE, margin_kb, 0, MAX_KB),
	D("low_water", K_SIZE, low_water_kb, 0, MAX_KB),
	D("settle", K_UINT, settle_s, 0, DAY),
	D("shrink_pct", K_PCT, shrink_pct, 1, 100),
	D("pressure_high", K_PCT100, pressure_high, 0, 10000),
	D("pressure_low", K_PCT100, pressure_low, 0, 10000),
	D("step_max", K_SIZE, step_max_kb, 4, MAX_KB),
	D("step_min", K_SIZE, step_min_kb, 0, MAX_KB),
	D("cooldown_up", K_UINT, cooldown_up_s, 0, DAY),
	D("cooldown_down", K_UINT, cooldown_down_s, 0, DAY),
	D("vcpu_min", K_UINT, vcpu_min, 1, PV_XLCFG_MAX_VCPUS),
	D("vcpu_max", K_UINT, vcpu_max, 1, PV_XLCFG_MAX_VCPUS),
	D("vcpu_up_util", K_PCT, vcpu_up_util, 0, 100),
	D("vcpu_down_util", K_PCT, vcpu_down_util, 0, 100),
	D("vcpu_hold", K_UINT, vcpu_hold_s, 0, DAY),
	D("runaway_after", K_UINT, runaway_s, 1, DAY),
	H("host_reserve", K_SIZE, reserve_kb, 0, MAX_KB),
	H("interval", K_UINT, interval_s, 1, 3600),
	H("uncooperative_after", K_UINT, uncooperative_s, 1, DAY),
	H("audit_log", K_PATH, audit_log, 0, 0),
	H("webhook", K_URL, webhook, 0, 0),
	H("webhook_timeout", K_UINT, webhook_timeout_s, 1, 300),
	H("webhook_retries", K_UINT, webhook_retries, 0, 10),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/*
 * Pairs that must be ordered: lo <= hi (lo < hi if strict). A 0 in an
 * optional hi means "unset" (the domain's maxmem or maxvcpus).
 */
static const struct {
	const char *lo, *hi;
	int strict, hi_optional;
} orders[] = {
	{ "memory_min", "memory_max", 0, 1 },
	{ "step_min", "step_max", 0, 0 },
	{ "low_water", "margin", 0, 0 },
	{ "pressure_low", "pressure_high", 1, 0 },
	{ "vcpu_min", "vcpu_max", 0, 1 },
	{ "vcpu_down_util", "vcpu_up_util", 1, 0 },
};

struct pctx {
	const char *source;
	int is_host;
	void *base;		/* the pv_policy or pv_host_policy filled */
	struct cfg_settings settings;
	struct pv_err *err;
	int dup_rc;
};

static const struct policy_key *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Sets "LOC: KEY: message"; returns -EINVAL. */
static int loc_error(struct pctx *x, const struct cfg_loc *loc,
		     const char *key, const char *fmt, ...) PV_PRINTF(4, 5);
static int loc_error(struct pctx *x, const struct cfg_loc *loc,
		     const char *key, const char *fmt, ...)
{
	struct pv_buf msg = PV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	pv_err_set(x->err, -EINVAL, "%s:%d:%d: %s: %s", loc->source,
		   loc->line, loc->col, key, msg.s);
	pv_buf_dispose(&msg);
	return -EINVAL;
}

char *policy_size_str(uint64_t kb)
{
	static const char units[] = "kmgt";
	int u = 0;

	while (u < 3 && kb && kb % 1024 == 0) {
		kb /= 1024;
		u++;
	}
	return pv_asprintf("%llu%c", (unsigned long long)kb, units[u]);
}

static char *pct100_str(uint64_t v)
{
	return pv_asprintf("%llu.%02llu", (unsigned long long)(v / 100),
			   (unsigned long long)(v % 100));
}

/*
 * "12", "12.5", "12.25", each optionally followed by '%', in hundredths.
 * A third decimal is refused rather than rounded away.
 */
static int parse_pct100(const char *s, uint64_t *out)
{
	uint64_t whole, frac = 0;
	size_t n = strspn(s, "0123456789"), m = 0;
	char *w;
	int rc;

	if (!n)
		return -EINVAL;
	w = pv_strndup(s, n);
	rc = pv_parse_uint(w, UINT32_MAX / 100, &whole);
	free(w);
	if (rc)
		return rc;
	s += n;
	if (*s == '.') {
		m = strspn(++s, "0123456789");
		if (m < 1 || m > 2)
			return -EINVAL;
		frac = (uint64_t)(s[0] - '0') * 10 + (m == 2 ? s[1] - '0' : 0);
		s += m;
	}
	if (*s == '%')
		s++;
	if (*s)
		return -EINVAL;
	*out = whole * 100 + frac;
	return 0;
}

static char *value_str(const struct policy_key *k, uint64_t v)
{
	switch (k->kind) {
	case K_SIZE:
		return policy_size_str(v);
	case K_PCT100:
		return pct100_str(v);
	default:
		return pv_asprintf("%llu", (unsigned long long)v);
	}
}

static uint64_t field_get(const struct policy_key *k, const void *base)
{
	const char *f = (const char *)base + k->off;

	if (k->kind == K_SIZE)
		return *(const uint64_t *)f;
	return *(const unsigned int *)f;
}

static void field_set(const struct policy_key *k, void *base, uint64_t v)
{
	char *f = (char *)base + k->off;

	if (k->kind == K_SIZE)
		*(uint64_t *)f = v;
	else
		*(unsigned int *)f = (unsigned int)v;
}

/* Parses a numeric value of @k's kind; a message for each way it fails. */
static int parse_number(struct pctx *x, const struct policy_key *k,
			const struct cfg_value *v, uint64_t *out)
{
	const char *what;
	char *lo, *hi;
	int rc;

	switch (k->kind) {
	case K_SIZE:
		rc = pv_parse_size_kb(v->str, 'm', out);
		what = "a size (MiB, or a number with a k, m, g or t suffix)";
		break;
	case K_PCT100:
	case K_PCT:
		rc = parse_pct100(v->str, out);
		what = k->kind == K_PCT ? "a whole percentage" :
			"a percentage (at most two decimals, as in 12.5)";
		if (!rc && k->kind == K_PCT && *out % 100)
			rc = -EINVAL;
		if (!rc && k->kind == K_PCT)
			*out /= 100;
		break;
	default:
		rc = pv_parse_uint(v->str, UINT32_MAX, out);
		what = "a whole number";
		break;
	}
	if (rc == -EINVAL)
		return loc_error(x, &v->loc, k->name, "'%s' is not %s", v->str,
				 what);
	if (rc || *out < k->min || *out > k->max) {
		lo = value_str(k, k->min);
		hi = value_str(k, k->max);
		rc = loc_error(x, &v->loc, k->name, "%s is out of range (%s to "
			       "%s)", v->str, lo, hi);
		free(lo);
		free(hi);
	}
	return rc;
}

static int parse_match(struct pctx *x, const struct policy_key *k,
		       const struct cfg_value *v)
{
	struct pv_policy *p = x->base;
	const struct cfg_value *const *items = &v;
	size_t n = 1, i;

	if (v->type == CFG_LIST) {
		items = (const struct cfg_value *const *)v->items;
		n = v->nitems;
		if (!n)
			return loc_error(x, &v->loc, k->name, "the list is empty; "
					 "give at least one pattern");
	}
	for (i = 0; i < n; i++) {
		if (items[i]->type == CFG_LIST)
			return loc_error(x, &items[i]->loc, k->name,
					 "a pattern cannot be a list");
		if (!*items[i]->str)
			return loc_error(x, &items[i]->loc, k->name,
					 "empty pattern");
		/* Domain names cannot hold '/': such a glob never matches. */
		if (strchr(items[i]->str, '/'))
			return loc_error(x, &items[i]->loc, k->name, "'%s' can "
					 "never match: domain names have no '/'",
					 items[i]->str);
	}
	p->match = pv_calloc(n, sizeof(*p->match));
	for (i = 0; i < n; i++)
		p->match[i] = pv_strdup(items[i]->str);
	p->nmatch = n;
	return 0;
}

static int parse_string(struct pctx *x, const struct policy_key *k,
			const struct cfg_value *v)
{
	char **field = (char **)((char *)x->base + k->off);

	if (k->kind == K_PATH && v->str[0] != '/')
		return loc_error(x, &v->loc, k->name, "'%s' is not an absolute "
				 "path", v->str);
	if (k->kind == K_URL && strncmp(v->str, "http://", 7) &&
	    strncmp(v->str, "https://", 8))
		return loc_error(x, &v->loc, k->name, "'%s' is not an http:// "
				 "or https:// URL", v->str);
	pv_str_set(field, v->str);
	return 0;
}

/* Edit distance, for "did you mean" (keys are short). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, best;
	size_t *row = pv_malloc((lb + 1) * sizeof(*row));

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

static int unknown_key(struct pctx *x, const struct cfg_setting *s)
{
	const char *near = NULL;
	size_t i, d, best = 3;

	for (i = 0; i < NKEYS; i++) {
		d = distance(s->key, keys[i].name);
		if (d < best) {
			best = d;
			near = keys[i].name;
		}
	}
	if (near)
		return loc_error(x, &s->key_loc, s->key, "unknown key (did you "
				 "mean '%s'?)", near);
	return loc_error(x, &s->key_loc, s->key, "unknown key");
}

static int apply(struct pctx *x, const struct cfg_setting *s)
{
	const struct policy_key *k = find_key(s->key);
	uint64_t v;
	int rc;

	if (!k)
		return unknown_key(x, s);
	if (k->scope == HOST && !x->is_host)
		return loc_error(x, &s->key_loc, s->key, "a host-wide setting: "
				 "it belongs in " PV_POLICY_HOST_FILE ", not in "
				 "a domain policy");
	if (k->scope == DOMAIN && x->is_host)
		return loc_error(x, &s->key_loc, s->key, "a domain setting: "
				 PV_POLICY_HOST_FILE " holds host-wide settings "
				 "only; put it in a domain policy with match");
	/* xl.cfg's `+=` joins strings: "512" += "0" would be 5 GiB. */
	if (s->appended && k->kind != K_MATCH)
		return loc_error(x, &s->key_loc, s->key, "'+=' would join two "
				 "values into one; set it once with '='");
	if (s->appended && s->value->type != CFG_LIST)
		return loc_error(x, &s->key_loc, s->key, "'+=' would join two "
				 "patterns into one; append lists: match = "
				 "[...] then match += [...]");
	if (k->kind == K_MATCH)
		return parse_match(x, k, s->value);
	if (s->value->type == CFG_LIST)
		return loc_error(x, &s->value->loc, s->key,
				 "expected a single value, not a list");
	if (k->kind == K_PATH || k->kind == K_URL)
		return parse_string(x, k, s->value);
	rc = parse_number(x, k, s->value, &v);
	if (!rc)
		field_set(k, x->base, v);
	return rc;
}

static int loc_before(const struct cfg_loc *a, const struct cfg_loc *b)
{
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

/*
 * Checks one ordered pair. The error goes to whichever of the two keys
 * the file set last: that is the line the writer has to look at.
 */
static int check_order(struct pctx *x, size_t i)
{
	const struct policy_key *lo = find_key(orders[i].lo);
	const struct policy_key *hi = find_key(orders[i].hi);
	struct cfg_setting *slo = xlcfg_settings_find(&x->settings, lo->name);
	struct cfg_setting *shi = xlcfg_settings_find(&x->settings, hi->name);
	uint64_t vlo = field_get(lo, x->base), vhi = field_get(hi, x->base);
	const struct policy_key *at, *other;
	struct cfg_setting *s, *os;
	char *a, *b;
	int rc;

	if (orders[i].hi_optional && !vhi)
		return 0;
	if (orders[i].strict ? vlo < vhi : vlo <= vhi)
		return 0;
	if (!slo && !shi)	/* the defaults are ordered; kept safe anyway */
		return pv_err_set(x->err, -EINVAL, "%s: %s and %s are out of "
				  "order", x->source, lo->name, hi->name);
	if (slo && (!shi || loc_before(&shi->key_loc, &slo->key_loc))) {
		at = lo, s = slo, other = hi, os = shi;
	} else {
		at = hi, s = shi, other = lo, os = slo;
	}
	a = value_str(at, field_get(at, x->base));
	b = value_str(other, field_get(other, x->base));
	rc = loc_error(x, &s->value->loc, at->name, "%s must be %s %s (%s%s)",
		       a, at == lo ? (orders[i].strict ? "below" : "at most") :
		       (orders[i].strict ? "above" : "at least"), other->name,
		       b, os ? "" : ", the default");
	free(a);
	free(b);
	return rc;
}

/* The xl.cfg reader warns about a key set twice; a policy refuses it. */
static void on_duplicate(void *ctx, const char *where, const char *key,
			 const char *msg)
{
	struct pctx *x = ctx;
	/* Called before the second value replaces the first one's location. */
	struct cfg_setting *first = xlcfg_settings_find(&x->settings, key);

	if (x->dup_rc)
		return;
	x->dup_rc = pv_err_set(x->err, -EINVAL, "%s: %s: set twice (first "
			       "at line %d); a policy sets each key once",
			       where, key, first ? first->key_loc.line : 0);
}

int policy_parse_text(const char *text, const char *source, int is_host,
		      struct pv_policy *p, struct pv_host_policy *h,
		      struct pv_err *err)
{
	struct pctx x = {
		.source = source, .is_host = is_host,
		.base = is_host ? (void *)h : (void *)p, .err = err,
	};
	size_t i;
	int rc;

	xlcfg_settings_init(&x.settings);
	rc = xlcfg_parse_text(text, source, 1, 0, &x.settings, on_duplicate,
			      &x, err);
	if (!rc)
		rc = x.dup_rc;
	for (i = 0; i < x.settings.n && !rc; i++)
		rc = apply(&x, &x.settings.v[i]);
	if (!rc && !is_host && !p->nmatch)
		rc = pv_err_set(err, -EINVAL, "%s: a domain policy needs "
				"match = \"GLOB\" or a list of globs (or name "
				"the file " PV_POLICY_HOST_FILE " for host "
				"settings)", source);
	for (i = 0; !is_host && !rc && i < sizeof(orders) / sizeof(orders[0]);
	     i++)
		rc = check_order(&x, i);
	xlcfg_settings_dispose(&x.settings);
	return rc;
}

void pv_policy_init(struct pv_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->priority = 50;
	p->weight = 100;
	p->mem_min_kb = 128 * MiB;
	p->headroom_pct = 20;
	p->margin_kb = 32 * MiB;
	p->low_water_kb = 16 * MiB;
	p->settle_s = 60;
	p->shrink_pct = 10;
	p->pressure_high = 1000;
	p->pressure_low = 100;
	p->step_max_kb = 64 * MiB;
	p->step_min_kb = 8 * MiB;
	p->cooldown_up_s = 10;
	p->cooldown_down_s = 30;
	p->vcpu_min = 1;
	p->vcpu_up_util = 80;
	p->vcpu_down_util = 25;
	p->vcpu_hold_s = 20;
	p->runaway_s = 60;
}

void pv_host_policy_init(struct pv_host_policy *h)
{
	memset(h, 0, sizeof(*h));
	h->reserve_kb = 256 * MiB;
	h->interval_s = 5;
	h->uncooperative_s = 30;
	h->audit_log = pv_strdup("/var/log/pvctl/autoscale.log");
	h->webhook_timeout_s = 5;
	h->webhook_retries = 3;
}
