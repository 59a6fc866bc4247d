/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_libxl.c: the config xl writes into its save files (libxl's JSON,
 * libxl_domain_config_to_json) as xl.cfg text, which the xl.cfg parser
 * then reads with all its checks. libxl leaves out fields at their
 * default; keyed unions are "type.pv"; enums are lower case with '_'.
 * A PV guest's name, UUID, kernel, memory, vCPUs, scheduler share,
 * grant and event channel limits, nomigrate, disks, vifs and on_*
 * actions are taken; any other device xl made is refused, never
 * dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

static yajl_val get(yajl_val obj, const char *key)
{
	size_t i;

	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

static const char *str(yajl_val obj, const char *key)
{
	yajl_val v = get(obj, key);

	return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static long long num(yajl_val obj, const char *key, long long def)
{
	yajl_val v = get(obj, key);

	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : def;
}

static void put_str(struct pv_buf *b, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	pv_buf_printf(b, "%s = ", key);
	xlcfg_put_quoted(b, val);
	pv_buf_puts(b, "\n");
}

/* A "key=value, " spec item; a value with a comma or quote is refused. */
static int item(struct pv_buf *b, const char *key, const char *val)
{
	if (!val || !*val)
		return 0;
	if (strpbrk(val, ",'\\\n"))
		return -EINVAL;
	pv_buf_printf(b, "%s=%s, ", key, val);
	return 0;
}

static void put_action(struct pv_buf *b, yajl_val root, const char *key)
{
	const char *a = str(root, key);
	char *v, *p;

	if (!a)
		return;
	v = pv_strdup(a);
	for (p = v; *p; p++)
		if (*p == '_')
			*p = '-';
	put_str(b, key, v);
	free(v);
}

/*
 * The scheduler's share, create's limits and nomigrate (libxl's
 * disable_migrate, a defbool: "True"), where not libxl's defaults
 * (which libxl leaves out, or writes as -1 or ~0).
 */
static void put_limits(struct pv_buf *b, yajl_val binfo)
{
	static const char *const frames[] = {
		"max_grant_frames", "max_maptrack_frames", NULL,
	};
	yajl_val sp = get(binfo, "sched_params");
	const char *dm = str(binfo, "disable_migrate");
	long long v;
	size_t i;

	if ((v = num(sp, "weight", -1)) > 0)
		pv_buf_printf(b, "cpu_weight = %lld\n", v);
	if ((v = num(sp, "cap", -1)) > 0)
		pv_buf_printf(b, "cap = %lld\n", v);
	for (i = 0; frames[i]; i++)
		if ((v = num(binfo, frames[i], -1)) >= 0 && v < UINT32_MAX)
			pv_buf_printf(b, "%s = %lld\n", frames[i], v);
	if ((v = num(binfo, "event_channels", 0)) > 0)
		pv_buf_printf(b, "max_event_channels = %lld\n", v);
	if (dm && !strcmp(dm, "True"))
		pv_buf_puts(b, "nomigrate = 1\n");
}

static int put_disks(struct pv_buf *b, yajl_val disks, struct pv_err *err)
{
	struct pv_buf spec = PV_BUF_INIT;
	size_t i;
	int rc = 0;

	pv_buf_puts(b, "disk = [ ");
	for (i = 0; disks && YAJL_IS_ARRAY(disks) && i < disks->u.array.len; i++) {
		yajl_val d = disks->u.array.values[i];
		const char *be = str(d, "backend");

		pv_buf_reset(&spec);
		rc |= item(&spec, "format", str(d, "format"));
		rc |= item(&spec, "vdev", str(d, "vdev"));
		pv_buf_printf(&spec, "access=%s, ", num(d, "readwrite", 0) ? "rw" : "ro");
		if (num(d, "is_cdrom", 0))
			pv_buf_puts(&spec, "devtype=cdrom, ");
		if (be && strcmp(be, "unknown"))
			rc |= item(&spec, "backendtype", be);
		rc |= item(&spec, "script", str(d, "script"));
		pv_buf_printf(&spec, "target=%s", str(d, "pdev_path") ?
			      str(d, "pdev_path") : "");
		if (rc)
			break;
		xlcfg_put_quoted(b, spec.s);
		pv_buf_puts(b, ", ");
	}
	pv_buf_puts(b, "]\n");
	pv_buf_dispose(&spec);
	return rc ? pv_err_set(err, -EINVAL, "xl's config: disk %zu has a value "
			       "pvctl cannot take", i) : 0;
}

static int put_nics(struct pv_buf *b, yajl_val nics, struct pv_err *err)
{
	struct pv_buf spec = PV_BUF_INIT;
	size_t i;
	int rc = 0;

	pv_buf_puts(b, "vif = [ ");
	for (i = 0; nics && YAJL_IS_ARRAY(nics) && i < nics->u.array.len; i++) {
		yajl_val n = nics->u.array.values[i];

		pv_buf_reset(&spec);
		rc |= item(&spec, "mac", str(n, "mac"));
		rc |= item(&spec, "bridge", str(n, "bridge"));
		rc |= item(&spec, "ip", str(n, "ip"));
		rc |= item(&spec, "script", str(n, "script"));
		rc |= item(&spec, "vifname", str(n, "ifname"));
		rc |= item(&spec, "model", str(n, "model"));
		if (num(n, "mtu", 0) > 0)
			pv_buf_printf(&spec, "mtu=%lld, ", num(n, "mtu", 0));
		if (rc)
			break;
		if (spec.len >= 2)
			spec.s[spec.len -= 2] = '\0';
		xlcfg_put_quoted(b, spec.s ? spec.s : "");
		pv_buf_puts(b, ", ");
	}
	pv_buf_puts(b, "]\n");
	pv_buf_dispose(&spec);
	return rc ? pv_err_set(err, -EINVAL, "xl's config: vif %zu has a value "
			       "pvctl cannot take", i) : 0;
}

int pv_libxl_json_to_xlcfg(const char *json, struct pv_buf *out,
			   struct pv_err *err)
{
	static const char *const taken[] = {
		"c_info", "b_info", "disks", "nics", "on_poweroff", "on_reboot",
		"on_crash", NULL,
	};
	char errbuf[256];
	yajl_val root, c, b, pv, avail;
	const char *type;
	long long maxmem, target, maxv;
	size_t i, j;
	int rc = 0;

	errbuf[0] = '\0';
	root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	if (!root || !YAJL_IS_OBJECT(root)) {
		rc = pv_err_set(err, -EINVAL, "xl's config: not JSON: %s", errbuf);
		goto out;
	}
	/*
	 * Devices and settings pvctl has no way to honour: refused (the
	 * actions pvctl lacks, only when not xl's default).
	 */
	for (i = 0; i < root->u.object.len; i++) {
		const char *key = root->u.object.keys[i], *sv;
		yajl_val v = root->u.object.values[i];

		for (j = 0; taken[j] && strcmp(taken[j], key); j++)
			;
		if (taken[j] || (YAJL_IS_ARRAY(v) && !v->u.array.len))
			continue;
		sv = YAJL_IS_STRING(v) ? v->u.string : NULL;
		if (sv && ((!strcmp(key, "on_soft_reset") && !strcmp(sv, "soft_reset")) ||
			   (!strcmp(key, "on_watchdog") && !strcmp(sv, "destroy"))))
			continue;
		rc = pv_err_set(err, -ENOTSUP, "xl's config has '%s', which pvctl "
				"does not support", key);
		goto out;
	}
	b = get(root, "b_info");
	pv = get(b, "type.pv");
	/* Settings inside b_info and nics that pvctl would otherwise drop. */
	if (get(b, "vcpu_hard_affinity") || get(b, "vcpu_soft_affinity")) {
		rc = pv_err_set(err, -ENOTSUP, "xl's config pins vCPUs, which "
				"pvctl does not take from a save file: give a "
				"CONFIG with cpus=");
		goto out;
	}
	for (i = 0; (c = get(root, "nics")) && YAJL_IS_ARRAY(c) &&
	     i < c->u.array.len; i++)
		if (get(c->u.array.values[i], "rate_bytes_per_interval")) {
			rc = pv_err_set(err, -ENOTSUP, "xl's config rate-limits "
					"vif %zu, which pvctl does not take from "
					"a save file: give a CONFIG", i);
			goto out;
		}
	c = get(root, "c_info");
	type = str(c, "type");
	if (type && strcmp(type, "pv")) {
		rc = pv_err_set(err, -ENOTSUP, "xl's config is for a %s guest: "
				"pvctl runs PV guests only", type);
		goto out;
	}
	put_str(out, "name", str(c, "name"));
	put_str(out, "uuid", str(c, "uuid"));
	put_str(out, "kernel", str(b, "kernel") ? str(b, "kernel") : str(pv, "kernel"));
	put_str(out, "ramdisk", str(b, "ramdisk") ? str(b, "ramdisk") : str(pv, "ramdisk"));
	put_str(out, "cmdline", str(b, "cmdline") ? str(b, "cmdline") : str(pv, "cmdline"));
	put_str(out, "bootloader", str(pv, "bootloader"));
	target = num(b, "target_memkb", 0);
	maxmem = num(b, "max_memkb", target);
	/* KiB to MiB, rounded up (huge values are the parser's to refuse). */
	if (target > 0)
		pv_buf_printf(out, "memory = %lld\n", target / 1024 + !!(target % 1024));
	if (maxmem > 0)
		pv_buf_printf(out, "maxmem = %lld\n", maxmem / 1024 + !!(maxmem % 1024));
	maxv = num(b, "max_vcpus", 0);
	avail = get(b, "avail_vcpus");
	if (maxv > 0)
		pv_buf_printf(out, "maxvcpus = %lld\n", maxv);
	if (avail && YAJL_IS_ARRAY(avail) && avail->u.array.len)
		pv_buf_printf(out, "vcpus = %zu\n", avail->u.array.len);
	else if (maxv > 0)
		pv_buf_printf(out, "vcpus = %lld\n", maxv);
	put_limits(out, b);
	put_action(out, root, "on_poweroff");
	put_action(out, root, "on_reboot");
	put_action(out, root, "on_crash");
	rc = put_disks(out, get(root, "disks"), err);
	if (!rc)
		rc = put_nics(out, get(root, "nics"), err);
out:
	yajl_tree_free(root);
	return rc;
}
