/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_json.c: the JSON form of a domain config (yajl 2), written for
 * --dry-run and kept with each running domain; read back by from_json.
 * Keys are the xl.cfg ones; unset strings are null; memory is in MiB.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/jsonw.h"
#include "xlcfg_i.h"

static const char json_source[] = "JSON";

static void put_disk(struct pv_jw *w, const struct pv_disk_spec *d)
{
	pv_jw_map_open(w, NULL);
	pv_jw_str(w, "target", d->target);
	pv_jw_str(w, "vdev", d->vdev);
	pv_jw_str(w, "access", d->readwrite ? "rw" : "ro");
	pv_jw_str(w, "devtype", d->cdrom ? "cdrom" : "disk");
	pv_jw_str(w, "format", d->format);
	pv_jw_str(w, "backendtype", d->backendtype);
	pv_jw_str(w, "script", d->script);
	pv_jw_str(w, "backend", d->backend);
	pv_jw_bool(w, "phy_prefix", d->is_phy_prefix);
	pv_jw_map_close(w);
}

static void put_vif(struct pv_jw *w, const struct pv_vif_spec *v)
{
	pv_jw_map_open(w, NULL);
	pv_jw_str(w, "mac", v->mac);
	pv_jw_str(w, "bridge", v->bridge);
	pv_jw_str(w, "ip", v->ip);
	pv_jw_str(w, "rate", v->rate);
	pv_jw_str(w, "type", v->type);
	pv_jw_str(w, "script", v->script);
	pv_jw_str(w, "vifname", v->vifname);
	pv_jw_str(w, "model", v->model);
	pv_jw_str(w, "backend", v->backend);
	pv_jw_num_or_null(w, "mtu", v->mtu);
	pv_jw_map_close(w);
}

/* -1 (Xen's default) as null. */
static void put_frames(struct pv_jw *w, const char *key, int frames)
{
	if (frames < 0)
		pv_jw_null(w, key);
	else
		pv_jw_num(w, key, (uint64_t)frames);
}

/*
 * A string that is not UTF-8 would reach the file as U+FFFD: a config
 * that reads back different. The parsers refuse those; this refuses a
 * config made by other means.
 */
int pv_domain_config_to_json(const struct pv_domain_config *c, struct pv_jw *w)
{
	bool lossy = w->lossy;
	size_t i;

	pv_jw_map_open(w, NULL);
	pv_jw_str(w, "name", c->name);
	pv_jw_str(w, "type", "pv");
	pv_jw_str(w, "uuid", c->uuid);
	pv_jw_str(w, "kernel", c->kernel);
	pv_jw_str(w, "ramdisk", c->ramdisk);
	pv_jw_str(w, "cmdline", c->cmdline);
	pv_jw_str(w, "bootloader", c->bootloader);
	if (c->bootloader_argv) {
		pv_jw_array_open(w, "bootloader_args");
		for (i = 0; i < c->bootloader_argc; i++)
			pv_jw_str(w, NULL, c->bootloader_argv[i]);
		pv_jw_array_close(w);
	} else {
		pv_jw_null(w, "bootloader_args");
	}
	pv_jw_num(w, "memory", c->memory_mb);
	pv_jw_num(w, "maxmem", c->maxmem_mb);
	pv_jw_num(w, "vcpus", c->vcpus);
	pv_jw_num(w, "maxvcpus", c->maxvcpus);
	pv_jw_str(w, "cpus", c->cpus);
	pv_jw_str(w, "cpus_soft", c->cpus_soft);
	pv_jw_num_or_null(w, "cpu_weight", c->cpu_weight);
	pv_jw_num(w, "cap", c->cap);
	put_frames(w, "max_grant_frames", c->max_grant_frames);
	put_frames(w, "max_maptrack_frames", c->max_maptrack_frames);
	pv_jw_num(w, "max_event_channels", c->max_event_channels);
	pv_jw_bool(w, "nomigrate", c->nomigrate);
	pv_jw_str(w, "on_poweroff", pv_action_name(c->on_poweroff));
	pv_jw_str(w, "on_reboot", pv_action_name(c->on_reboot));
	pv_jw_str(w, "on_crash", pv_action_name(c->on_crash));
	pv_jw_array_open(w, "disk");
	for (i = 0; i < c->ndisks; i++)
		put_disk(w, &c->disks[i]);
	pv_jw_array_close(w);
	pv_jw_array_open(w, "vif");
	for (i = 0; i < c->nvifs; i++)
		put_vif(w, &c->vifs[i]);
	pv_jw_array_close(w);
	pv_jw_str(w, "source", c->source);
	pv_jw_map_close(w);
	return w->bad || (w->lossy && !lossy) ? -EINVAL : 0;
}

/* ---- reading ---- */

struct jr {
	const char *where;	/* "JSON" or "JSON: disk[1]" */
	struct pv_err *err;
};

static int jbad(struct jr *r, const char *key, const char *what)
{
	return pv_err_set(r->err, -EINVAL, "%s: %s: %s", r->where, key, what);
}

/* @key of the object @obj (the callers check it is one); NULL: absent. */
static yajl_val field(yajl_val obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

/* A string or null (or absent) into *out. */
static int get_str(struct jr *r, yajl_val obj, const char *key, char **out)
{
	yajl_val v = field(obj, key);

	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return jbad(r, key, "expected a string or null");
	pv_str_set(out, YAJL_GET_STRING(v));
	return 0;
}

static int get_num(struct jr *r, yajl_val obj, const char *key, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	yajl_val v = field(obj, key);

	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
	    (uint64_t)YAJL_GET_INTEGER(v) < min ||
	    (uint64_t)YAJL_GET_INTEGER(v) > max)
		return jbad(r, key, "expected an integer in range");
	*out = (uint64_t)YAJL_GET_INTEGER(v);
	return 0;
}

static int get_choice(struct jr *r, yajl_val obj, const char *key,
		      const char *yes, const char *no, int *out)
{
	char *s = NULL;
	int rc = get_str(r, obj, key, &s);

	if (!rc && s && strcmp(s, yes) && strcmp(s, no))
		rc = jbad(r, key, "unexpected value");
	if (!rc && s)
		*out = !strcmp(s, yes);
	free(s);
	return rc;
}

static int get_disk(struct jr *r, yajl_val o, struct pv_disk_spec *d)
{
	yajl_val phy;
	int rc;

	if (!YAJL_IS_OBJECT(o))
		return jbad(r, "disk", "expected an object");
	phy = field(o, "phy_prefix");
	rc = get_str(r, o, "target", &d->target);
	rc = rc ? rc : get_str(r, o, "vdev", &d->vdev);
	rc = rc ? rc : get_choice(r, o, "access", "rw", "ro", &d->readwrite);
	rc = rc ? rc : get_choice(r, o, "devtype", "cdrom", "disk", &d->cdrom);
	rc = rc ? rc : get_str(r, o, "format", &d->format);
	rc = rc ? rc : get_str(r, o, "backendtype", &d->backendtype);
	rc = rc ? rc : get_str(r, o, "script", &d->script);
	rc = rc ? rc : get_str(r, o, "backend", &d->backend);
	if (!rc && phy && !YAJL_IS_TRUE(phy) && !YAJL_IS_FALSE(phy))
		rc = jbad(r, "phy_prefix", "expected true or false");
	d->is_phy_prefix = phy && YAJL_IS_TRUE(phy);
	if (!rc && !d->vdev)
		rc = jbad(r, "vdev", "missing");
	if (!rc && !d->format)
		pv_str_set(&d->format, d->cdrom && !d->target ? "empty" : "raw");
	return rc;
}

static int get_vif(struct jr *r, yajl_val o, struct pv_vif_spec *v)
{
	int rc;

	if (!YAJL_IS_OBJECT(o))
		return jbad(r, "vif", "expected an object");
	rc = get_str(r, o, "mac", &v->mac);
	rc = rc ? rc : get_str(r, o, "bridge", &v->bridge);
	rc = rc ? rc : get_str(r, o, "ip", &v->ip);
	rc = rc ? rc : get_str(r, o, "rate", &v->rate);
	rc = rc ? rc : get_str(r, o, "type", &v->type);
	rc = rc ? rc : get_str(r, o, "script", &v->script);
	rc = rc ? rc : get_str(r, o, "vifname", &v->vifname);
	rc = rc ? rc : get_str(r, o, "model", &v->model);
	rc = rc ? rc : get_str(r, o, "backend", &v->backend);
	rc = rc ? rc : get_num(r, o, "mtu", 0, 65535, &v->mtu);
	if (!rc && v->mac && !xlcfg_mac_valid(v->mac))
		rc = jbad(r, "mac", "invalid MAC address");
	return rc;
}

/* disk and vif: arrays of objects. */
static int get_devices(struct jr *r, yajl_val root, struct pv_domain_config *c)
{
	yajl_val d = field(root, "disk"), v = field(root, "vif");
	char where[64];
	size_t i;
	int rc = 0;

	if ((d && !YAJL_IS_ARRAY(d) && !YAJL_IS_NULL(d)) ||
	    (v && !YAJL_IS_ARRAY(v) && !YAJL_IS_NULL(v)))
		return jbad(r, d && !YAJL_IS_ARRAY(d) ? "disk" : "vif",
			    "expected an array");
	if (d && YAJL_IS_ARRAY(d) && d->u.array.len) {
		c->ndisks = d->u.array.len;
		c->disks = pv_calloc(c->ndisks, sizeof(*c->disks));
		for (i = 0; i < c->ndisks; i++)
			pv_disk_spec_init(&c->disks[i]);
	}
	if (v && YAJL_IS_ARRAY(v) && v->u.array.len) {
		c->nvifs = v->u.array.len;
		c->vifs = pv_calloc(c->nvifs, sizeof(*c->vifs));
		for (i = 0; i < c->nvifs; i++)
			pv_vif_spec_init(&c->vifs[i]);
	}
	for (i = 0; i < c->ndisks && !rc; i++) {
		snprintf(where, sizeof(where), "JSON: disk[%zu]", i);
		r->where = where;
		rc = get_disk(r, d->u.array.values[i], &c->disks[i]);
	}
	for (i = 0; i < c->nvifs && !rc; i++) {
		snprintf(where, sizeof(where), "JSON: vif[%zu]", i);
		r->where = where;
		rc = get_vif(r, v->u.array.values[i], &c->vifs[i]);
	}
	r->where = json_source;
	return rc;
}

static int get_action(struct jr *r, yajl_val root, const char *key,
		      enum pv_action *out)
{
	char *s = NULL;
	int rc = get_str(r, root, key, &s);

	if (!rc && s && pv_action_parse(s, out))
		rc = jbad(r, key, "unknown action");
	free(s);
	return rc;
}

static int get_bootloader_args(struct jr *r, yajl_val root,
			       struct pv_domain_config *c)
{
	yajl_val v = field(root, "bootloader_args");
	char **args;
	size_t i, n;

	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (YAJL_IS_STRING(v)) {
		xlcfg_set_bootloader_args_string(c, YAJL_GET_STRING(v));
		return 0;
	}
	if (!YAJL_IS_ARRAY(v))
		return jbad(r, "bootloader_args", "expected an array of strings");
	n = v->u.array.len;
	for (i = 0; i < n; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return jbad(r, "bootloader_args",
				    "expected an array of strings");
	args = pv_calloc(n + 1, sizeof(*args));
	for (i = 0; i < n; i++)
		args[i] = YAJL_GET_STRING(v->u.array.values[i]);
	xlcfg_set_bootloader_args_list(c, args, n);
	free(args);
	return 0;
}

static int get_bool(struct jr *r, yajl_val obj, const char *key, bool *out)
{
	yajl_val v = field(obj, key);

	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return jbad(r, key, "expected true or false");
	*out = YAJL_IS_TRUE(v);
	return 0;
}

/* What the scheduler and create take, beside memory and vCPUs. */
static int get_limits(struct jr *r, yajl_val root, struct pv_domain_config *c)
{
	uint64_t weight = 0, cap = 0, evtchn = 0, grant = UINT64_MAX,
		 maptrack = UINT64_MAX;
	int rc;

	rc = get_str(r, root, "cpus_soft", &c->cpus_soft);
	rc = rc ? rc : get_num(r, root, "cpu_weight", 1, 65535, &weight);
	rc = rc ? rc : get_num(r, root, "cap", 0, 100 * PV_XLCFG_MAX_VCPUS, &cap);
	rc = rc ? rc : get_num(r, root, "max_grant_frames", 0, INT_MAX, &grant);
	rc = rc ? rc : get_num(r, root, "max_maptrack_frames", 0, INT_MAX,
			       &maptrack);
	rc = rc ? rc : get_num(r, root, "max_event_channels", 0,
			       PV_XLCFG_MAX_EVTCHN, &evtchn);
	rc = rc ? rc : get_bool(r, root, "nomigrate", &c->nomigrate);
	c->cpu_weight = (unsigned int)weight;
	c->cap = (unsigned int)cap;
	c->max_grant_frames = grant == UINT64_MAX ? -1 : (int)grant;
	c->max_maptrack_frames = maptrack == UINT64_MAX ? -1 : (int)maptrack;
	c->max_event_channels = (unsigned int)evtchn;
	return rc;
}

static int get_top(struct jr *r, yajl_val root, struct pv_domain_config *c)
{
	uint64_t vcpus = 0, maxvcpus = 0;
	char *type = NULL, *uuid = NULL;
	int rc;

	rc = get_str(r, root, "type", &type);
	if (!rc && type && strcmp(type, "pv"))
		rc = jbad(r, "type", "pvctl runs PV guests only");
	free(type);
	rc = rc ? rc : get_str(r, root, "name", &c->name);
	rc = rc ? rc : get_str(r, root, "uuid", &uuid);
	if (!rc && uuid && xlcfg_uuid_canon(uuid, &c->uuid))
		rc = jbad(r, "uuid", "invalid uuid");
	free(uuid);
	rc = rc ? rc : get_str(r, root, "kernel", &c->kernel);
	rc = rc ? rc : get_str(r, root, "ramdisk", &c->ramdisk);
	rc = rc ? rc : get_str(r, root, "cmdline", &c->cmdline);
	rc = rc ? rc : get_str(r, root, "bootloader", &c->bootloader);
	rc = rc ? rc : get_bootloader_args(r, root, c);
	rc = rc ? rc : get_num(r, root, "memory", 1, PV_XLCFG_MAX_MEMORY_MB,
			       &c->memory_mb);
	rc = rc ? rc : get_num(r, root, "maxmem", 0, PV_XLCFG_MAX_MEMORY_MB,
			       &c->maxmem_mb);
	rc = rc ? rc : get_num(r, root, "vcpus", 1, PV_XLCFG_MAX_VCPUS, &vcpus);
	rc = rc ? rc : get_num(r, root, "maxvcpus", 0, PV_XLCFG_MAX_VCPUS,
			       &maxvcpus);
	c->vcpus = (unsigned int)vcpus;
	c->maxvcpus = (unsigned int)maxvcpus;
	rc = rc ? rc : get_str(r, root, "cpus", &c->cpus);
	rc = rc ? rc : get_limits(r, root, c);
	rc = rc ? rc : get_action(r, root, "on_poweroff", &c->on_poweroff);
	rc = rc ? rc : get_action(r, root, "on_reboot", &c->on_reboot);
	rc = rc ? rc : get_action(r, root, "on_crash", &c->on_crash);
	rc = rc ? rc : get_str(r, root, "source", &c->source);
	return rc;
}

int pv_domain_config_from_json(yajl_val root, struct pv_domain_config *c,
			       struct pv_err *err)
{
	struct jr r = { .where = json_source, .err = err };
	struct cfg_ctx x = { .c = c, .err = err, .source = json_source };
	int rc;

	pv_domain_config_dispose(c);
	if (!root || !YAJL_IS_OBJECT(root))
		return pv_err_set(err, -EINVAL, "JSON: expected an object");
	xlcfg_settings_init(&x.settings);
	rc = get_top(&r, root, c);
	if (!rc)
		rc = get_devices(&r, root, c);
	if (!rc) {
		xlcfg_fill_defaults(c);
		rc = xlcfg_validate(&x);
	}
	if (rc)
		pv_domain_config_dispose(c);
	return rc;
}
