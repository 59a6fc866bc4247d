/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xlcfg.c: turns the settings of an xl.cfg file (parsed by cfg_parse.c)
 * into a struct pv_domain_config: one handler per key pvctl knows, a
 * warning for every key it does not use, then defaults and validation
 * (validate.c) before anything is created.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcfg_i.h"

static const char cmdline_source[] = "<command line>";

int xlcfg_value_error(struct cfg_ctx *x, const struct cfg_setting *s,
		       const struct cfg_value *v, const char *fmt, ...)
{
	struct pv_buf msg;
	va_list ap;

	pv_buf_init(&msg);
	va_start(ap, fmt);
	pv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	pv_err_set(x->err, -EINVAL, "%s:%d:%d: %s: %s", v->loc.source,
		   v->loc.line, v->loc.col, s->key, msg.s);
	pv_buf_dispose(&msg);
	return -EINVAL;
}

void xlcfg_warn(struct cfg_ctx *x, const struct cfg_loc *loc, const char *key,
		const char *msg)
{
	char *where;

	if (!x->warn)
		return;
	where = xlcfg_loc_str(loc);
	x->warn(x->warn_ctx, where, key, msg);
	free(where);
}

static int get_string(struct cfg_ctx *x, const struct cfg_setting *s,
		      const char **out)
{
	*out = NULL;
	if (s->value->type != CFG_STRING)
		return xlcfg_value_error(x, s, s->value,
				   "expected a single value, not a list");
	*out = s->value->str;
	return 0;
}

/* A number, bare or quoted ("1024"), decimal or 0x hex, in [min, max]. */
static int get_uint(struct cfg_ctx *x, const struct cfg_setting *s,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	const char *str, *digits;
	unsigned long long v;
	char *end;
	int hex, rc = get_string(x, s, &str);

	if (rc)
		return rc;
	hex = !strncmp(str, "0x", 2) || !strncmp(str, "0X", 2);
	digits = hex ? str + 2 : str;
	/* strtoull would accept leading blanks and signs: refuse them. */
	if (!(hex ? isxdigit((unsigned char)*digits) :
	      isdigit((unsigned char)*digits)))
		return xlcfg_value_error(x, s, s->value, "'%s' is not a number",
					 str);
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end)
		return xlcfg_value_error(x, s, s->value, "'%s' is not a number",
					 str);
	if (errno == ERANGE || v > max)
		return xlcfg_value_error(x, s, s->value, "%s is too large (at "
					 "most %llu)", str, (unsigned long long)max);
	if (v < min)
		return xlcfg_value_error(x, s, s->value, "%s is too small (at "
					 "least %llu)", str, (unsigned long long)min);
	*out = v;
	return 0;
}

static int key_string(struct cfg_ctx *x, const struct cfg_setting *s,
		      char **field)
{
	const char *str;
	int rc = get_string(x, s, &str);

	if (!rc)
		pv_str_set(field, str);
	return rc;
}

static int key_name(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_string(x, s, &x->c->name);
}

static int key_kernel(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_string(x, s, &x->c->kernel);
}

static int key_ramdisk(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_string(x, s, &x->c->ramdisk);
}

static int key_bootloader(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_string(x, s, &x->c->bootloader);
}

/* cmdline, root and extra are combined once all keys are read. */
static int key_kept(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const char *str;

	return get_string(x, s, &str);
}

/* Checked in validate.c, for configs read from JSON too. */
static int key_cpus(struct cfg_ctx *x, const struct cfg_setting *s)
{
	if (s->value->type == CFG_LIST)
		return xlcfg_value_error(x, s, s->value, "the per-vcpu list form is "
				   "not supported by pvctl; give one string "
				   "such as \"0-3,^1\"");
	return key_string(x, s, &x->c->cpus);
}

static int key_uuid(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const char *str;
	char *canon;
	int rc = get_string(x, s, &str);

	if (rc)
		return rc;
	if (xlcfg_uuid_canon(str, &canon))
		return xlcfg_value_error(x, s, s->value, "invalid uuid '%s' (expected "
				   "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", str);
	free(x->c->uuid);
	x->c->uuid = canon;
	return 0;
}

static int key_memory(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return get_uint(x, s, 1, PV_XLCFG_MAX_MEMORY_MB, &x->c->memory_mb);
}

static int key_maxmem(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return get_uint(x, s, 0, PV_XLCFG_MAX_MEMORY_MB, &x->c->maxmem_mb);
}

static int key_vcpus(struct cfg_ctx *x, const struct cfg_setting *s)
{
	uint64_t v;
	int rc = get_uint(x, s, 1, PV_XLCFG_MAX_VCPUS, &v);

	if (!rc)
		x->c->vcpus = (unsigned int)v;
	return rc;
}

static int key_maxvcpus(struct cfg_ctx *x, const struct cfg_setting *s)
{
	uint64_t v;
	int rc = get_uint(x, s, 0, PV_XLCFG_MAX_VCPUS, &v);

	if (!rc)
		x->c->maxvcpus = (unsigned int)v;
	return rc;
}

static int key_action(struct cfg_ctx *x, const struct cfg_setting *s)
{
	enum pv_action *field = !strcmp(s->key, "on_poweroff") ?
		&x->c->on_poweroff : !strcmp(s->key, "on_reboot") ?
		&x->c->on_reboot : &x->c->on_crash;
	const char *str;
	int rc = get_string(x, s, &str);

	if (!rc && pv_action_parse(str, field))
		rc = xlcfg_value_error(x, s, s->value, "unknown action '%s' (expected "
				 "destroy, restart, rename-restart, preserve, "
				 "coredump-destroy or coredump-restart)", str);
	return rc;
}

static int key_bootloader_args(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const struct cfg_value *v = s->value;
	char **args;
	size_t i;

	if (v->type == CFG_STRING) {
		xlcfg_set_bootloader_args_string(x->c, v->str);
		return 0;
	}
	for (i = 0; i < v->nitems; i++)
		if (v->items[i]->type != CFG_STRING)
			return xlcfg_value_error(x, s, v->items[i], "entry %zu: "
					   "expected a string, not a list", i + 1);
	args = pv_calloc(v->nitems + 1, sizeof(*args));
	for (i = 0; i < v->nitems; i++)
		args[i] = v->items[i]->str;
	xlcfg_set_bootloader_args_list(x->c, args, v->nitems);
	free(args);
	return 0;
}

/* Checks a list of strings; errors name the entry (from 1). */
static int get_string_list(struct cfg_ctx *x, const struct cfg_setting *s)
{
	size_t i;

	if (s->value->type != CFG_LIST)
		return xlcfg_value_error(x, s, s->value, "expected a list such as "
				   "[ '...', '...' ], not a single value");
	for (i = 0; i < s->value->nitems; i++)
		if (s->value->items[i]->type != CFG_STRING)
			return xlcfg_value_error(x, s, s->value->items[i], "entry %zu: "
					   "expected a string, not a list", i + 1);
	return 0;
}

/* Parses entry @i of a disk/vif list with @fn into @dev. */
static int parse_entry(struct cfg_ctx *x, const struct cfg_setting *s,
		       size_t i, int is_disk, void *dev)
{
	const struct cfg_value *v = s->value->items[i];
	char *where = xlcfg_loc_str(&v->loc);
	struct pv_err inner;
	int rc;

	pv_err_init(&inner);
	if (is_disk)
		rc = pv_disk_spec_parse_ex(v->str, dev, x->warn, x->warn_ctx,
					   where, &inner);
	else
		rc = pv_vif_spec_parse_ex(v->str, dev, x->warn, x->warn_ctx,
					  where, &inner);
	if (rc)
		xlcfg_value_error(x, s, v, "entry %zu: %s", i + 1, pv_err_msg(&inner));
	pv_err_dispose(&inner);
	free(where);
	return rc;
}

/* Duplicates are found in validate.c. */
static int key_disk(struct cfg_ctx *x, const struct cfg_setting *s)
{
	struct pv_domain_config *c = x->c;
	size_t i, n;
	int rc = get_string_list(x, s);

	if (rc)
		return rc;
	n = s->value->nitems;
	c->disks = pv_calloc(n, sizeof(*c->disks));
	for (i = 0; i < n; i++)
		pv_disk_spec_init(&c->disks[i]);
	c->ndisks = n;
	for (i = 0; i < n && !rc; i++)
		rc = parse_entry(x, s, i, 1, &c->disks[i]);
	return rc;
}

static int key_vif(struct cfg_ctx *x, const struct cfg_setting *s)
{
	struct pv_domain_config *c = x->c;
	size_t i, n;
	int rc = get_string_list(x, s);

	if (rc)
		return rc;
	n = s->value->nitems;
	c->vifs = pv_calloc(n, sizeof(*c->vifs));
	for (i = 0; i < n; i++)
		pv_vif_spec_init(&c->vifs[i]);
	c->nvifs = n;
	for (i = 0; i < n && !rc; i++)
		rc = parse_entry(x, s, i, 0, &c->vifs[i]);
	return rc;
}

/* type = "pv" and builder = "generic" (xm: "linux") mean a PV guest. */
static int key_type(struct cfg_ctx *x, const struct cfg_setting *s)
{
	int is_type = !strcmp(s->key, "type");
	const char *str;
	int rc = get_string(x, s, &str);

	if (rc)
		return rc;
	if (is_type ? !strcmp(str, "pv") :
	    !strcmp(str, "generic") || !strcmp(str, "linux"))
		return 0;
	if (!strcmp(str, "hvm") || !strcmp(str, "pvh"))
		return xlcfg_value_error(x, s, s->value, "\"%s\" guests are not "
				   "supported: pvctl runs PV guests only", str);
	return xlcfg_value_error(x, s, s->value, "unknown %s '%s' (expected %s)",
			   s->key, str, is_type ? "\"pv\"" : "\"generic\"");
}

/* Old xl's `pvh = 1` asked for a PVH guest. */
static int key_pvh(struct cfg_ctx *x, const struct cfg_setting *s)
{
	uint64_t v;
	int rc = get_uint(x, s, 0, 1, &v);

	if (!rc && v)
		rc = xlcfg_value_error(x, s, s->value, "PVH guests are not supported: "
				 "pvctl runs PV guests only");
	return rc;
}

static int key_cpus_soft(struct cfg_ctx *x, const struct cfg_setting *s)
{
	if (s->value->type == CFG_LIST)
		return xlcfg_value_error(x, s, s->value, "the per-vcpu list form is "
				   "not supported by pvctl; give one string "
				   "such as \"0-3,^1\"");
	return key_string(x, s, &x->c->cpus_soft);
}

/* Numbers kept as unsigned int, in [min, max]. */
static int key_uint(struct cfg_ctx *x, const struct cfg_setting *s,
		    uint64_t min, uint64_t max, unsigned int *field)
{
	uint64_t v;
	int rc = get_uint(x, s, min, max, &v);

	if (!rc)
		*field = (unsigned int)v;
	return rc;
}

static int key_cpu_weight(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_uint(x, s, 1, 65535, &x->c->cpu_weight);
}

/* Checked against maxvcpus in validate.c. */
static int key_cap(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_uint(x, s, 0, 100 * PV_XLCFG_MAX_VCPUS, &x->c->cap);
}

/* The bounds are xl's (0 to INT_MAX). */
static int key_grant_frames(struct cfg_ctx *x, const struct cfg_setting *s)
{
	int *field = !strcmp(s->key, "max_grant_frames") ?
		&x->c->max_grant_frames : &x->c->max_maptrack_frames;
	uint64_t v;
	int rc = get_uint(x, s, 0, INT_MAX, &v);

	if (!rc)
		*field = (int)v;
	return rc;
}

static int key_max_event_channels(struct cfg_ctx *x, const struct cfg_setting *s)
{
	return key_uint(x, s, 0, PV_XLCFG_MAX_EVTCHN, &x->c->max_event_channels);
}

/* A BOOLEAN of xl.cfg(5): 0 or 1. */
static int key_nomigrate(struct cfg_ctx *x, const struct cfg_setting *s)
{
	uint64_t v;
	int rc = get_uint(x, s, 0, 1, &v);

	if (!rc)
		x->c->nomigrate = v;
	return rc;
}

/*
 * firmware = "pvgrub32" | "pvgrub64": in xl.cfg(5) of Xen 4.17 a PV
 * guest boots PVGRUB, which xl takes from XENFIRMWAREDIR/NAME.bin as
 * its kernel. Debian ships GRUB's Xen images in grub-xen-host instead;
 * the first image that exists is the kernel.
 */
static const struct {
	const char *name;
	const char *images[2];
} pvgrubs[] = {
	{ "pvgrub32", { "/usr/lib/xen/boot/pvgrub32.bin",
			"/usr/lib/grub-xen/grub-i386-xen.bin" } },
	{ "pvgrub64", { "/usr/lib/xen/boot/pvgrub64.bin",
			"/usr/lib/grub-xen/grub-x86_64-xen.bin" } },
};

static int key_firmware(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const char *str;
	size_t i, j;
	int rc = get_string(x, s, &str);

	if (rc)
		return rc;
	for (i = 0; i < sizeof(pvgrubs) / sizeof(pvgrubs[0]); i++)
		if (!strcmp(str, pvgrubs[i].name))
			break;
	if (i == sizeof(pvgrubs) / sizeof(pvgrubs[0]))
		return xlcfg_value_error(x, s, s->value, "'%s' is not PV firmware "
				   "(bios, uefi, seabios, ovmf and paths are "
				   "HVM's): a PV guest boots a kernel, a "
				   "bootloader, or firmware = \"pvgrub32\" or "
				   "\"pvgrub64\"", str);
	if (xlcfg_settings_find(&x->settings, "kernel"))
		return xlcfg_value_error(x, s, s->value, "both kernel and firmware "
				   "given: firmware = \"%s\" boots PVGRUB as "
				   "the kernel; give one of them", str);
	for (j = 0; j < 2; j++) {
		if (!access(pvgrubs[i].images[j], R_OK)) {
			pv_str_set(&x->c->kernel, pvgrubs[i].images[j]);
			return 0;
		}
	}
	return xlcfg_value_error(x, s, s->value, "no PVGRUB image for %s (looked "
				 "for %s and %s): install Debian's grub-xen-host, "
				 "or give the image as kernel = \"PATH\"", str,
				 pvgrubs[i].images[0], pvgrubs[i].images[1]);
}

const struct key_handler xlcfg_handlers[] = {
	{ "name", key_name }, { "type", key_type }, { "builder", key_type },
	{ "pvh", key_pvh }, { "kernel", key_kernel },
	{ "ramdisk", key_ramdisk }, { "cmdline", key_kept },
	{ "root", key_kept }, { "extra", key_kept },
	{ "memory", key_memory }, { "maxmem", key_maxmem },
	{ "vcpus", key_vcpus }, { "maxvcpus", key_maxvcpus },
	{ "cpus", key_cpus }, { "uuid", key_uuid },
	{ "on_poweroff", key_action }, { "on_reboot", key_action },
	{ "on_crash", key_action }, { "bootloader", key_bootloader },
	{ "bootloader_args", key_bootloader_args },
	{ "disk", key_disk }, { "vif", key_vif },
	{ "cpus_soft", key_cpus_soft }, { "cpu_weight", key_cpu_weight },
	{ "cap", key_cap }, { "max_grant_frames", key_grant_frames },
	{ "max_maptrack_frames", key_grant_frames },
	{ "max_event_channels", key_max_event_channels },
	{ "nomigrate", key_nomigrate }, { "firmware", key_firmware },
	{ NULL, NULL },
};

/* The type keys go first so a HVM config fails on them, not elsewhere. */
static int apply_settings(struct cfg_ctx *x)
{
	static const char *const first[] = { "type", "builder", "pvh", NULL };
	struct cfg_setting *s;
	size_t i;
	int rc = 0;

	for (i = 0; first[i] && !rc; i++) {
		s = xlcfg_settings_find(&x->settings, first[i]);
		if (s)
			rc = xlcfg_key_handler(xlcfg_handlers, s->key)->fn(x, s);
	}
	for (i = 0; i < x->settings.n && !rc; i++) {
		s = &x->settings.v[i];
		if (!strcmp(s->key, "type") || !strcmp(s->key, "builder") ||
		    !strcmp(s->key, "pvh"))
			continue;
		rc = xlcfg_apply_key(x, s);
	}
	return rc;
}

static int parse_settings(struct cfg_ctx *x, const char *text,
			  const char *source, char *const *overrides,
			  int noverrides)
{
	int i, rc;

	rc = xlcfg_parse_text(text, source, 1, 0, &x->settings, x->warn,
			      x->warn_ctx, x->err);
	for (i = 0; i < noverrides && !rc; i++)
		rc = xlcfg_parse_text(overrides[i], cmdline_source, i + 1, 1,
				      &x->settings, x->warn, x->warn_ctx,
				      x->err);
	return rc;
}

int pv_xlcfg_parse_string(const char *text, const char *source,
			  char *const *overrides, int noverrides,
			  struct pv_domain_config *c, pv_warn_fn *warn,
			  void *warn_ctx, struct pv_err *err)
{
	struct cfg_ctx x = {
		.c = c, .warn = warn, .warn_ctx = warn_ctx, .err = err,
		.source = source ? source : "<string>",
	};
	int rc;

	pv_domain_config_dispose(c);
	xlcfg_settings_init(&x.settings);
	rc = parse_settings(&x, text, x.source, overrides, noverrides);
	if (!rc)
		rc = apply_settings(&x);
	if (!rc)
		rc = xlcfg_combine_cmdline(&x);
	if (!rc) {
		pv_str_set(&c->source, source);
		xlcfg_fill_defaults(c);
		rc = xlcfg_validate(&x);
	}
	if (rc)
		pv_domain_config_dispose(c);
	xlcfg_settings_dispose(&x.settings);
	return rc;
}

int xlcfg_read_file(const char *path, const char *what, struct pv_buf *text,
		    struct pv_err *err)
{
	int rc = pv_buf_read_file(text, path, 0, err);

	if (!rc && strlen(text->s) != text->len)
		rc = pv_err_set(err, -EINVAL, "%s: contains a NUL byte; not %s "
				"text file", path, what);
	return rc;
}

int pv_xlcfg_parse_file(const char *path, char *const *overrides,
			int noverrides, struct pv_domain_config *c, pv_warn_fn *warn,
			void *warn_ctx, struct pv_err *err)
{
	struct pv_buf text;
	int rc;

	pv_buf_init(&text);
	rc = xlcfg_read_file(path, "an xl.cfg", &text, err);
	if (!rc)
		rc = pv_xlcfg_parse_string(text.s, path, overrides, noverrides,
					   c, warn, warn_ctx, err);
	pv_buf_dispose(&text);
	return rc;
}
