/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xlcfg_write.c: a domain config back to xl.cfg text, which this parser
 * and xl's read back to the same config. A save file carries the guest's
 * config this way (xl reads a save file's config as xl.cfg text when its
 * JSON flag is clear), so a pvctl save file restores with xl too.
 */
#include <errno.h>
#include <string.h>

#include "xlcfg_i.h"

/* A single-quoted string with xl's escapes; NUL cannot occur in C strings. */
void xlcfg_put_quoted(struct pv_buf *b, const char *s)
{
	pv_buf_puts(b, "'");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\'' || c == '\\')
			pv_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			pv_buf_printf(b, "\\x%02x", c);
		else
			pv_buf_add(b, s, 1);
	}
	pv_buf_puts(b, "'");
}

static void str_key(struct pv_buf *b, const char *key, const char *val)
{
	if (!val)
		return;
	pv_buf_printf(b, "%s = ", key);
	xlcfg_put_quoted(b, val);
	pv_buf_puts(b, "\n");
}

/* A spec's "key=value, " item; values with a comma cannot be written. */
static int item(struct pv_buf *spec, const char *key, const char *val)
{
	if (!val)
		return 0;
	if (strchr(val, ','))
		return -EINVAL;
	pv_buf_printf(spec, "%s=%s, ", key, val);
	return 0;
}

static int disk_spec(const struct pv_disk_spec *d, struct pv_buf *spec)
{
	int rc = 0;

	/* "phy:" is kept as xl's users wrote it: the positional target. */
	if (d->is_phy_prefix && d->target && !strchr(d->target, ','))
		pv_buf_printf(spec, "phy:%s, ", d->target);
	rc |= item(spec, "format", d->format);
	rc |= item(spec, "vdev", d->vdev);
	rc |= item(spec, "access", d->readwrite ? "rw" : "ro");
	if (d->cdrom)
		pv_buf_puts(spec, "devtype=cdrom, ");
	rc |= item(spec, "backendtype", d->backendtype);
	rc |= item(spec, "script", d->script);
	rc |= item(spec, "backend", d->backend);
	/* target= takes the rest of the spec, commas included. */
	if (!(d->is_phy_prefix && d->target && !strchr(d->target, ',')))
		pv_buf_printf(spec, "target=%s", d->target ? d->target : "");
	else
		spec->s[spec->len -= 2] = '\0';		/* the last ", " */
	return rc;
}

static int vif_spec(const struct pv_vif_spec *v, struct pv_buf *spec)
{
	int rc = 0;

	rc |= item(spec, "mac", v->mac);
	rc |= item(spec, "bridge", v->bridge);
	rc |= item(spec, "ip", v->ip);
	rc |= item(spec, "rate", v->rate);
	rc |= item(spec, "type", v->type);
	rc |= item(spec, "script", v->script);
	rc |= item(spec, "vifname", v->vifname);
	rc |= item(spec, "model", v->model);
	rc |= item(spec, "backend", v->backend);
	if (v->mtu)
		pv_buf_printf(spec, "mtu=%llu, ", (unsigned long long)v->mtu);
	if (spec->len >= 2)
		spec->s[spec->len -= 2] = '\0';
	return rc;
}

int pv_domain_config_to_xlcfg(const struct pv_domain_config *c,
			      struct pv_buf *out, struct pv_err *err)
{
	struct pv_buf spec = PV_BUF_INIT;
	size_t i;
	int rc = 0;

	str_key(out, "name", c->name);
	str_key(out, "uuid", c->uuid);
	str_key(out, "kernel", c->kernel);
	str_key(out, "ramdisk", c->ramdisk);
	str_key(out, "cmdline", c->cmdline);
	str_key(out, "bootloader", c->bootloader);
	if (c->bootloader_argv) {
		pv_buf_puts(out, "bootloader_args = [ ");
		for (i = 0; i < c->bootloader_argc; i++) {
			xlcfg_put_quoted(out, c->bootloader_argv[i]);
			pv_buf_puts(out, i + 1 < c->bootloader_argc ? ", " : " ");
		}
		pv_buf_puts(out, "]\n");
	}
	pv_buf_printf(out, "memory = %llu\nmaxmem = %llu\nvcpus = %u\nmaxvcpus = %u\n",
		      (unsigned long long)c->memory_mb,
		      (unsigned long long)c->maxmem_mb, c->vcpus, c->maxvcpus);
	str_key(out, "cpus", c->cpus);
	str_key(out, "cpus_soft", c->cpus_soft);
	if (c->cpu_weight)
		pv_buf_printf(out, "cpu_weight = %u\n", c->cpu_weight);
	if (c->cap)
		pv_buf_printf(out, "cap = %u\n", c->cap);
	if (c->max_grant_frames >= 0)
		pv_buf_printf(out, "max_grant_frames = %d\n", c->max_grant_frames);
	if (c->max_maptrack_frames >= 0)
		pv_buf_printf(out, "max_maptrack_frames = %d\n",
			      c->max_maptrack_frames);
	pv_buf_printf(out, "max_event_channels = %u\n", c->max_event_channels);
	if (c->nomigrate)
		pv_buf_puts(out, "nomigrate = 1\n");
	pv_buf_printf(out, "on_poweroff = '%s'\non_reboot = '%s'\non_crash = '%s'\n",
		      pv_action_name(c->on_poweroff), pv_action_name(c->on_reboot),
		      pv_action_name(c->on_crash));
	pv_buf_puts(out, "disk = [ ");
	for (i = 0; i < c->ndisks && !rc; i++) {
		pv_buf_reset(&spec);
		if (disk_spec(&c->disks[i], &spec))
			rc = pv_err_set(err, -EINVAL, "disk %zu of '%s': a value "
					"with a comma cannot be written back", i,
					c->name);
		xlcfg_put_quoted(out, spec.s ? spec.s : "");
		pv_buf_puts(out, i + 1 < c->ndisks ? ", " : " ");
	}
	pv_buf_puts(out, "]\nvif = [ ");
	for (i = 0; i < c->nvifs && !rc; i++) {
		pv_buf_reset(&spec);
		if (vif_spec(&c->vifs[i], &spec))
			rc = pv_err_set(err, -EINVAL, "vif %zu of '%s': a value "
					"with a comma cannot be written back", i,
					c->name);
		xlcfg_put_quoted(out, spec.s ? spec.s : "");
		pv_buf_puts(out, i + 1 < c->nvifs ? ", " : " ");
	}
	pv_buf_puts(out, "]\n");
	pv_buf_dispose(&spec);
	return rc;
}
