/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate.c: the domain config struct's lifetime, value checks (names,
 * uuids, actions, cpu lists), defaults, and the checks across keys done
 * before anything is created.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

void pv_domain_config_init(struct pv_domain_config *c)
{
	memset(c, 0, sizeof(*c));
	c->on_poweroff = PV_ACTION_DESTROY;
	c->on_reboot = PV_ACTION_RESTART;
	c->on_crash = PV_ACTION_DESTROY;
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

/* "N" or "N-M" with N <= M; advances *p. */
static int cpu_range(const char **p)
{
	char *end;
	unsigned long a, b;

	if (!isdigit((unsigned char)**p))
		return 0;
	a = strtoul(*p, &end, 10);
	*p = end;
	if (**p != '-')
		return 1;
	(*p)++;
	if (!isdigit((unsigned char)**p))
		return 0;
	b = strtoul(*p, &end, 10);
	*p = end;
	return a <= b;
}

/* xl.cfg(5) cpus: "all", "N", "N-M", "node:N", "nodes:N-M", "^..." items. */
int xlcfg_cpus_check(struct cfg_ctx *x, const struct cfg_setting *s)
{
	const char *p = s->value->str;
	int ok;

	do {
		if (*p == '^')
			p++;
		if (!strncmp(p, "all", 3)) {
			p += 3;
			ok = 1;
		} else {
			if (!strncmp(p, "nodes:", 6) || !strncmp(p, "node:", 5))
				p = strchr(p, ':') + 1;
			ok = cpu_range(&p);
		}
	} while (ok && *p == ',' && *++p);
	if (!ok || *p)
		return xlcfg_value_error(x, s, s->value, "invalid cpus '%s' "
					 "(expected a list such as \"0-3,^1\" "
					 "or \"all\")", s->value->str);
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

int xlcfg_validate(struct cfg_ctx *x)
{
	const struct pv_domain_config *c = x->c;
	struct pv_err inner;
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
