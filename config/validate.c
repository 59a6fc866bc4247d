/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate.c: the domain config struct's lifetime, value checks (names,
 * uuids, actions), defaults, and the checks done before anything is
 * created, on configs read from xl.cfg and from JSON alike: UTF-8
 * strings, devices, duplicates, cpus, memory and vCPUs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xlcfg_i.h"

void pv_domain_config_init(struct pv_domain_config *c)
{
	memset(c, 0, sizeof(*c));
	c->on_poweroff = PV_ACTION_DESTROY;
	c->on_reboot = PV_ACTION_RESTART;
	c->on_crash = PV_ACTION_DESTROY;
	c->max_grant_frames = -1;
	c->max_maptrack_frames = -1;
}

static void free_argv(struct pv_domain_config *c)
{
	size_t i;

	for (i = 0; i < c->bootloader_argc; i++)
		free(c->bootloader_argv[i]);
	free(c->bootloader_argv);
	c->bootloader_argv = NULL;
	c->bootloader_argc = 0;
}

void pv_domain_config_dispose(struct pv_domain_config *c)
{
	size_t i;

	free(c->name);
	free(c->uuid);
	free(c->kernel);
	free(c->ramdisk);
	free(c->cmdline);
	free(c->bootloader);
	free(c->bootloader_args);
	free_argv(c);
	free(c->cpus);
	free(c->cpus_soft);
	for (i = 0; i < c->ndisks; i++)
		pv_disk_spec_dispose(&c->disks[i]);
	free(c->disks);
	for (i = 0; i < c->nvifs; i++)
		pv_vif_spec_dispose(&c->vifs[i]);
	free(c->vifs);
	free(c->source);
	pv_domain_config_init(c);
}

static const char *const action_names[] = {
	[PV_ACTION_DESTROY] = "destroy",
	[PV_ACTION_RESTART] = "restart",
	[PV_ACTION_RENAME_RESTART] = "rename-restart",
	[PV_ACTION_PRESERVE] = "preserve",
	[PV_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[PV_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *pv_action_name(enum pv_action a)
{
	if ((unsigned int)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[a];
}

int pv_action_parse(const char *s, enum pv_action *out)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s, action_names[i])) {
			*out = (enum pv_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

int pv_domain_name_valid(const char *name, struct pv_err *err)
{
	const char *p;

	if (!name || !*name)
		return pv_err_set(err, -EINVAL, "domain name is empty");
	if (strlen(name) > 64)
		return pv_err_set(err, -EINVAL, "domain name '%s' is longer "
				  "than 64 characters", name);
	for (p = name; *p; p++) {
		if (*p == ' ' || *p == '/' || *p == '"' || *p == '\'')
			return pv_err_set(err, -EINVAL, "domain name '%s' "
					  "contains '%c'", name, *p);
		if (*p < 0x21 || *p > 0x7e)
			return pv_err_set(err, -EINVAL, "domain name contains "
					  "a non-printable or non-ASCII byte");
	}
	if (strspn(name, "0123456789") == strlen(name))
		return pv_err_set(err, -EINVAL, "domain name '%s' is all digits, "
				  "which would be ambiguous with a domain ID",
				  name);
	if (!strcmp(name, "Domain-0"))
		return pv_err_set(err, -EINVAL, "domain name 'Domain-0' is "
				  "reserved for dom0");
	return 0;
}

int xlcfg_uuid_canon(const char *in, char **out)
{
	char *u;
	int i;

	if (strlen(in) != 36)
		return -EINVAL;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (in[i] != '-')
				return -EINVAL;
		} else if (!isxdigit((unsigned char)in[i])) {
			return -EINVAL;
		}
	}
	u = pv_strdup(in);
	for (i = 0; i < 36; i++)
		u[i] = (char)tolower((unsigned char)u[i]);
	*out = u;
	return 0;
}

static const char *str_of(struct cfg_ctx *x, const char *key)
{
	struct cfg_setting *s = xlcfg_settings_find(&x->settings, key);

	return s ? s->value->str : NULL;
}

/* As xl: cmdline wins; otherwise "root=ROOT EXTRA". */
int xlcfg_combine_cmdline(struct cfg_ctx *x)
{
	const char *cmdline = str_of(x, "cmdline");
	const char *root = str_of(x, "root"), *extra = str_of(x, "extra");

	if (cmdline) {
		if (root || extra)
			xlcfg_warn(x, &xlcfg_settings_find(&x->settings,
				   root ? "root" : "extra")->key_loc,
				   root ? "root" : "extra",
				   "ignored: cmdline takes precedence over root "
				   "and extra");
		pv_str_set(&x->c->cmdline, cmdline);
	} else if (root && extra) {
		free(x->c->cmdline);
		x->c->cmdline = pv_asprintf("root=%s %s", root, extra);
	} else if (root) {
		free(x->c->cmdline);
		x->c->cmdline = pv_asprintf("root=%s", root);
	} else {
		pv_str_set(&x->c->cmdline, extra);
	}
	return 0;
}

void xlcfg_fill_defaults(struct pv_domain_config *c)
{
	if (!c->memory_mb)
		c->memory_mb = 128;
	if (!c->maxmem_mb)
		c->maxmem_mb = c->memory_mb;
	if (!c->vcpus)
		c->vcpus = 1;
	if (!c->maxvcpus)
		c->maxvcpus = c->vcpus;
	if (!c->max_event_channels)
		c->max_event_channels = 1023;	/* libxl's default */
}

static int key_error(struct cfg_ctx *x, const char *key, const char *fmt, ...)
	PV_PRINTF(3, 4);

/* "LOC: KEY: msg" at the key's value, or "SOURCE: KEY: msg" if not given. */
static int key_error(struct cfg_ctx *x, const char *key, const char *fmt, ...)
{
	struct cfg_setting *s = xlcfg_settings_find(&x->settings, key);
	struct pv_buf msg;
	va_list ap;

	pv_buf_init(&msg);
	va_start(ap, fmt);
	pv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (s)
		xlcfg_value_error(x, s, s->value, "%s", msg.s);
	else
		pv_err_set(x->err, -EINVAL, "%s: %s: %s", x->source, key, msg.s);
	pv_buf_dispose(&msg);
	return -EINVAL;
}

static int entry_error(struct cfg_ctx *x, const char *key, size_t i,
		       const char *fmt, ...) PV_PRINTF(4, 5);

/* As key_error, for entry @i (from 0) of the list @key, at the entry. */
static int entry_error(struct cfg_ctx *x, const char *key, size_t i,
		       const char *fmt, ...)
{
	struct cfg_setting *s = xlcfg_settings_find(&x->settings, key);
	struct pv_buf msg;
	va_list ap;

	pv_buf_init(&msg);
	va_start(ap, fmt);
	pv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (s && s->value->type == CFG_LIST && i < s->value->nitems)
		xlcfg_value_error(x, s, s->value->items[i], "entry %zu: %s",
				  i + 1, msg.s);
	else
		pv_err_set(x->err, -EINVAL, "%s: %s: entry %zu: %s", x->source,
			   key, i + 1, msg.s);
	pv_buf_dispose(&msg);
	return -EINVAL;
}

/*
 * Every string a config holds is kept as JSON, which is UTF-8: what is
 * not would make a guest whose saved config can never be read back.
 */
static int utf8_bad(const char *s, size_t *at)
{
	return s && !pv_utf8_valid(s, at);
}

static int check_utf8(struct cfg_ctx *x, const char *key, const char *s)
{
	size_t at;

	if (utf8_bad(s, &at))
		return key_error(x, key, "not valid UTF-8 (byte %zu)", at + 1);
	return 0;
}

/* Where it came from: root and extra make cmdline; the list form of args. */
static int check_utf8_top(struct cfg_ctx *x)
{
	static const char *const given[] = { "cmdline", "root", "extra", NULL };
	const struct pv_domain_config *c = x->c;
	struct cfg_setting *s = xlcfg_settings_find(&x->settings,
						    "bootloader_args");
	int rc = 0;
	size_t i, at;

	for (i = 0; given[i] && !rc; i++)
		rc = check_utf8(x, given[i], str_of(x, given[i]));
	rc = rc ? rc : check_utf8(x, "cmdline", c->cmdline);
	rc = rc ? rc : check_utf8(x, "kernel", c->kernel);
	rc = rc ? rc : check_utf8(x, "ramdisk", c->ramdisk);
	rc = rc ? rc : check_utf8(x, "bootloader", c->bootloader);
	rc = rc ? rc : check_utf8(x, "cpus", c->cpus);
	rc = rc ? rc : check_utf8(x, "cpus_soft", c->cpus_soft);
	for (i = 0; i < c->bootloader_argc && !rc; i++) {
		if (!utf8_bad(c->bootloader_argv[i], &at))
			continue;
		if (s && s->value->type == CFG_LIST)
			rc = entry_error(x, "bootloader_args", i, "not valid "
					 "UTF-8 (byte %zu)", at + 1);
		else
			rc = check_utf8(x, "bootloader_args", c->bootloader_args);
	}
	if (!rc && utf8_bad(c->source, &at))
		rc = pv_err_set(x->err, -EINVAL, "%s: the file name is not valid "
				"UTF-8 (byte %zu), which pvctl cannot keep",
				c->source, at + 1);
	return rc;
}

struct field {
	const char *name;
	const char *value;
};

static int check_fields(struct cfg_ctx *x, const char *key, size_t i,
			const struct field *f, size_t n)
{
	size_t j, at;

	for (j = 0; j < n; j++)
		if (utf8_bad(f[j].value, &at))
			return entry_error(x, key, i, "%s: not valid UTF-8 "
					   "(byte %zu)", f[j].name, at + 1);
	return 0;
}

/* The checks the spec parsers make, again, for configs read from JSON. */
static int check_disk(struct cfg_ctx *x, size_t i)
{
	const struct pv_disk_spec *d = &x->c->disks[i];
	const struct field f[] = {
		{ "target", d->target }, { "vdev", d->vdev },
		{ "format", d->format }, { "backendtype", d->backendtype },
		{ "script", d->script }, { "backend", d->backend },
	};
	struct pv_err inner;
	int rc = check_fields(x, "disk", i, f, sizeof(f) / sizeof(f[0]));

	pv_err_init(&inner);
	if (!rc && (xlcfg_disk_check(d, &inner) ||
		    pv_disk_spec_supported(d, &inner)))
		rc = entry_error(x, "disk", i, "%s", pv_err_msg(&inner));
	pv_err_dispose(&inner);
	return rc;
}

static int check_vif(struct cfg_ctx *x, size_t i)
{
	const struct pv_vif_spec *v = &x->c->vifs[i];
	const struct field f[] = {
		{ "mac", v->mac }, { "bridge", v->bridge }, { "ip", v->ip },
		{ "rate", v->rate }, { "type", v->type },
		{ "script", v->script }, { "vifname", v->vifname },
		{ "model", v->model }, { "backend", v->backend },
	};
	struct pv_err inner;
	int rc = check_fields(x, "vif", i, f, sizeof(f) / sizeof(f[0]));

	pv_err_init(&inner);
	if (!rc && (xlcfg_vif_check(v, &inner) ||
		    pv_vif_spec_supported(v, &inner)))
		rc = entry_error(x, "vif", i, "%s", pv_err_msg(&inner));
	pv_err_dispose(&inner);
	return rc;
}

/* A device's identity (a disk's number, a vif's MAC) and its entry. */
struct dev_id {
	uint32_t devid;
	const char *mac;
	size_t i;
};

static int by_devid(const void *a, const void *b)
{
	const struct dev_id *p = a, *q = b;

	if (p->devid != q->devid)
		return p->devid < q->devid ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int by_mac(const void *a, const void *b)
{
	const struct dev_id *p = a, *q = b;
	int d = strcasecmp(p->mac, q->mac);

	if (d)
		return d;
	return p->i < q->i ? -1 : p->i > q->i;
}

/*
 * Sorts @ids and finds the first entry (in the file's order) that repeats
 * an earlier one: *@dup and the earliest entry it repeats, *@first. The
 * sort keeps this O(n log n) for configs of many devices.
 */
static int find_dup(struct dev_id *ids, size_t n,
		    int (*cmp)(const void *, const void *), size_t *dup,
		    size_t *first)
{
	size_t i;
	int found = 0;

	qsort(ids, n, sizeof(*ids), cmp);
	for (i = 1; i < n; i++) {
		if (cmp == by_devid ? ids[i].devid != ids[i - 1].devid :
		    strcasecmp(ids[i].mac, ids[i - 1].mac) != 0)
			continue;
		if (!found || ids[i].i < *dup) {
			*dup = ids[i].i;
			*first = ids[i - 1].i;
			found = 1;
		}
	}
	return found;
}

static int check_duplicates(struct cfg_ctx *x)
{
	const struct pv_domain_config *c = x->c;
	size_t n = pv_max_u64(c->ndisks, c->nvifs), i, m = 0, dup, first;
	struct dev_id *ids = pv_calloc(n, sizeof(*ids));
	const char *a, *b;
	int rc = 0;

	for (i = 0; i < c->ndisks; i++) {
		pv_vdev_to_devid(c->disks[i].vdev, &ids[i].devid);
		ids[i].i = i;
	}
	if (find_dup(ids, c->ndisks, by_devid, &dup, &first)) {
		a = c->disks[dup].vdev;
		b = c->disks[first].vdev;
		if (!strcmp(a, b))
			rc = entry_error(x, "disk", dup, "vdev '%s' is already "
					 "used by entry %zu", a, first + 1);
		else
			rc = entry_error(x, "disk", dup, "vdev '%s' is the "
					 "device of entry %zu ('%s')", a,
					 first + 1, b);
	}
	for (i = 0; i < c->nvifs && !rc; i++) {
		if (!c->vifs[i].mac)
			continue;
		ids[m].mac = c->vifs[i].mac;
		ids[m++].i = i;
	}
	if (!rc && find_dup(ids, m, by_mac, &dup, &first))
		rc = entry_error(x, "vif", dup, "mac %s is already used by "
				 "entry %zu", c->vifs[dup].mac, first + 1);
	free(ids);
	return rc;
}

/* cpus= and cpus_soft=: a CPU list that leaves some CPU. */
static int check_cpus(struct cfg_ctx *x, const char *key, const char *cpus)
{
	uint8_t map[PV_CPUMAP_MAX_CPUS / 8];
	size_t i;
	int any = 0;

	if (!cpus)
		return 0;
	if (strstr(cpus, "node"))
		return key_error(x, key, "NUMA node lists are not supported "
				 "by pvctl; give CPUs, as in \"0-3,^1\"");
	if (pv_cpumap_parse(cpus, PV_CPUMAP_MAX_CPUS, map, NULL))
		return key_error(x, key, "invalid %s '%s' (expected a list "
				 "such as \"0-3,^1\" or \"all\")", key, cpus);
	for (i = 0; i < sizeof(map); i++)
		any |= map[i];
	if (!any)
		return key_error(x, key, "'%s' leaves no CPU to run on", cpus);
	return 0;
}

/* The scheduler's and the grant table's ranges (as Xen and libxl take them). */
static int check_limits(struct cfg_ctx *x)
{
	const struct pv_domain_config *c = x->c;

	if (c->cpu_weight > 65535)
		return key_error(x, "cpu_weight", "%u is out of range (1 to "
				 "65535)", c->cpu_weight);
	/* libxl: a cap above what the vCPUs can use is refused. */
	if (c->cap > 100 * c->maxvcpus)
		return key_error(x, "cap", "%u%% is more than %u vCPUs can use "
				 "(at most %u)", c->cap, c->maxvcpus,
				 100 * c->maxvcpus);
	if (c->max_grant_frames < -1 || c->max_maptrack_frames < -1)
		return key_error(x, c->max_grant_frames < -1 ? "max_grant_frames" :
				 "max_maptrack_frames", "out of range");
	if (c->max_event_channels > PV_XLCFG_MAX_EVTCHN)
		return key_error(x, "max_event_channels", "%u is out of range "
				 "(at most %u)", c->max_event_channels,
				 PV_XLCFG_MAX_EVTCHN);
	return 0;
}

int xlcfg_validate(struct cfg_ctx *x)
{
	const struct pv_domain_config *c = x->c;
	struct pv_err inner;
	size_t i;
	int rc;

	if (!c->name)
		return key_error(x, "name", "missing: every domain needs a name");
	pv_err_init(&inner);
	rc = pv_domain_name_valid(c->name, &inner);
	if (rc)
		key_error(x, "name", "%s", pv_err_msg(&inner));
	pv_err_dispose(&inner);
	if (rc)
		return rc;
	rc = check_utf8_top(x);
	for (i = 0; i < c->ndisks && !rc; i++)
		rc = check_disk(x, i);
	for (i = 0; i < c->nvifs && !rc; i++)
		rc = check_vif(x, i);
	rc = rc ? rc : check_duplicates(x);
	rc = rc ? rc : check_cpus(x, "cpus", c->cpus);
	rc = rc ? rc : check_cpus(x, "cpus_soft", c->cpus_soft);
	rc = rc ? rc : check_limits(x);
	if (rc)
		return rc;
	if (!c->kernel && !c->bootloader)
		return key_error(x, "kernel", "missing: a PV guest needs a "
				 "kernel (or a bootloader such as pygrub)");
	if (c->memory_mb < 1 || c->memory_mb > PV_XLCFG_MAX_MEMORY_MB)
		return key_error(x, "memory", "%llu MiB is out of range",
				 (unsigned long long)c->memory_mb);
	if (c->maxmem_mb > PV_XLCFG_MAX_MEMORY_MB)
		return key_error(x, "maxmem", "%llu MiB is out of range",
				 (unsigned long long)c->maxmem_mb);
	if (c->maxmem_mb < c->memory_mb)
		return key_error(x, "maxmem", "maxmem (%llu MiB) is less than "
				 "memory (%llu MiB)",
				 (unsigned long long)c->maxmem_mb,
				 (unsigned long long)c->memory_mb);
	if (c->vcpus < 1 || c->maxvcpus > PV_XLCFG_MAX_VCPUS)
		return key_error(x, c->vcpus < 1 ? "vcpus" : "maxvcpus",
				 "out of range (1 to %d)", PV_XLCFG_MAX_VCPUS);
	if (c->maxvcpus < c->vcpus)
		return key_error(x, "maxvcpus", "maxvcpus (%u) is less than "
				 "vcpus (%u)", c->maxvcpus, c->vcpus);
	return 0;
}

void xlcfg_set_bootloader_args_list(struct pv_domain_config *c,
				    char *const *args, size_t n)
{
	struct pv_buf joined;
	size_t i;

	free_argv(c);
	pv_buf_init(&joined);
	c->bootloader_argv = pv_calloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		c->bootloader_argv[i] = pv_strdup(args[i]);
		pv_buf_printf(&joined, "%s%s", i ? " " : "", args[i]);
	}
	c->bootloader_argc = n;
	free(c->bootloader_args);
	c->bootloader_args = pv_buf_detach(&joined);
}

/* The deprecated string form: xl splits it at whitespace. */
void xlcfg_set_bootloader_args_string(struct pv_domain_config *c,
				      const char *s)
{
	const char *p = s, *start;

	free_argv(c);
	c->bootloader_argv = pv_calloc(1, sizeof(char *));
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (start = p; *p && !isspace((unsigned char)*p); p++)
			;
		c->bootloader_argv = pv_realloc(c->bootloader_argv,
			(c->bootloader_argc + 2) * sizeof(char *));
		c->bootloader_argv[c->bootloader_argc++] =
			pv_strndup(start, (size_t)(p - start));
		c->bootloader_argv[c->bootloader_argc] = NULL;
	}
	pv_str_set(&c->bootloader_args, s);
}
