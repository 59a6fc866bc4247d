/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diskspec.c: `disk = [...]` entries in xl-disk-configuration(5) syntax.
 *
 * A spec is comma-separated: key=value parameters, flags (cdrom, ...)
 * and positional parameters, which fill target, format, vdev, access in
 * that order; `target=` takes the whole rest of the spec, commas
 * included. Deprecated xend prefixes on the target ("phy:", "file:",
 * "tap:aio:", "raw:", "qcow2:", "iscsi:"...) are understood as xl does:
 * after one, the positional format is skipped, so "phy:/dev/vg/d,xvda,w"
 * means target, vdev, access. Whitespace before a parameter is ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

#define VBD_EXT		(UINT64_C(1) << 28)	/* the extended form's flag */
#define VBD_EXT_DISKS	(1L << 20)

static const char *const formats[] = {
	"raw", "qcow", "qcow2", "vhd", "qed", "empty", NULL,
};
static const char *const backendtypes[] = {
	"phy", "tap", "qdisk", "standalone", NULL,
};

struct disk_parse {
	struct pv_disk_spec *d;
	int target_set;		/* given, possibly empty */
	int access_set;
	int had_prefix;		/* a deprecated prefix: no positional format */
	pv_warn_fn *warn;
	void *warn_ctx;
	const char *where;
	struct pv_err *err;
};

void pv_disk_spec_init(struct pv_disk_spec *d)
{
	memset(d, 0, sizeof(*d));
	d->readwrite = 1;
}

void pv_disk_spec_dispose(struct pv_disk_spec *d)
{
	free(d->target);
	free(d->vdev);
	free(d->format);
	free(d->backendtype);
	free(d->script);
	free(d->backend);
	pv_disk_spec_init(d);
}

static int bad(struct disk_parse *dp, const char *fmt, const char *arg)
{
	return pv_err_set(dp->err, -EINVAL, fmt, arg);
}

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static int set_format(struct disk_parse *dp, const char *s)
{
	const char *f = *s ? s : "raw";

	if (!one_of(f, formats))
		return bad(dp, "unknown format '%s' (expected raw, qcow, qcow2, "
			   "vhd or qed; positional parameters are "
			   "target,format,vdev,access)", s);
	if (dp->d->format && strcmp(dp->d->format, f))
		return bad(dp, "format given twice ('%s')", s);
	pv_str_set(&dp->d->format, f);
	return 0;
}

static int set_access(struct disk_parse *dp, const char *s)
{
	if (dp->access_set)
		return bad(dp, "access given twice ('%s')", s);
	dp->access_set = 1;
	if (!strcmp(s, "r") || !strcmp(s, "ro"))
		dp->d->readwrite = 0;
	else if (!strcmp(s, "w") || !strcmp(s, "rw") || !*s)
		dp->d->readwrite = 1;
	else
		return bad(dp, "unknown access '%s' (expected r, ro, w or rw)", s);
	return 0;
}

/* Sets a string parameter; an empty earlier value may be replaced. */
static int set_string(struct disk_parse *dp, char **field, const char *name,
		      const char *s)
{
	if (*field && **field)
		return pv_err_set(dp->err, -EINVAL, "%s given twice ('%s')",
				  name, s);
	pv_str_set(field, s);
	return 0;
}

/* "a" -> 0, "z" -> 25, "aa" -> 26: the disk letters of a vdev; -1: none. */
static long disk_index(const char **p)
{
	long d = -1;

	while (**p >= 'a' && **p <= 'z') {
		d = (d + 1) * 26 + (**p - 'a');
		(*p)++;
		if (d >= VBD_EXT_DISKS)
			return -1;
	}
	return d;
}

/* Decimal digits at *p (at least one), at most @max. */
static int number(const char **p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	for (; isdigit((unsigned char)**p); (*p)++) {
		v = v * 10 + (uint64_t)(**p - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * Device numbers as in Xen's docs/misc/vbd-interface.txt, and as libxl
 * takes them: xvdX is Xen's major 202 (16 partitions a disk), sdX the
 * SCSI major 8, hda-hdd the IDE majors 3 and 22; disks beyond those, and
 * dNpM, use the extended form 1 << 28 | disk << 8 | partition, disk
 * below 2^20. A bare number is taken as it is, below the extended bit.
 */
int pv_vdev_to_devid(const char *vdev, uint32_t *devid)
{
	const char *p = vdev;
	uint64_t disk, part = 0;
	long d;
	char type;

	if (pv_parse_uint(vdev, VBD_EXT - 1, &part) == 0) {
		*devid = (uint32_t)part;
		return 0;
	}
	if (*p == 'd') {
		p++;
		if (number(&p, VBD_EXT_DISKS - 1, &disk))
			return -EINVAL;
		if (*p == 'p') {
			p++;
			if (number(&p, 255, &part))
				return -EINVAL;
		}
		if (*p)
			return -EINVAL;
		*devid = (uint32_t)(VBD_EXT | disk << 8 | part);
		return 0;
	}
	if (strncmp(p, "xvd", 3) && strncmp(p, "sd", 2) && strncmp(p, "hd", 2))
		return -EINVAL;
	type = p[0];
	p += type == 'x' ? 3 : 2;
	d = disk_index(&p);
	if (d < 0 || (*p && (number(&p, 255, &part) || *p)))
		return -EINVAL;
	if (type == 'h' && d < 4 && part < 64)
		*devid = (uint32_t)((d < 2 ? 3 : 22) << 8 | (d % 2) << 6 | (long)part);
	else if (type != 'h' && d < 16 && part < 16)
		*devid = (uint32_t)((type == 'x' ? 202 : 8) << 8 | d << 4 | (long)part);
	else if (type != 'h')
		*devid = (uint32_t)(VBD_EXT | (uint64_t)d << 8 | part);
	else
		return -EINVAL;
	return 0;
}

static int bad_vdev(struct pv_err *err, const char *vdev)
{
	return pv_err_set(err, -EINVAL, "invalid vdev '%s' (expected a name "
			  "such as xvda, xvdb1, hdc, sda or d0p1)", vdev);
}

static int set_vdev(struct disk_parse *dp, const char *s)
{
	uint32_t devid;

	if (*s && pv_vdev_to_devid(s, &devid))
		return bad_vdev(dp->err, s);
	return set_string(dp, &dp->d->vdev, "vdev", s);
}

/* "hdc:cdrom" (deprecated) for a vdev; returns 1 if it had a devtype. */
static int vdev_and_devtype(struct disk_parse *dp, char *s, int *rc)
{
	char *colon = strrchr(s, ':');

	if (!colon)
		return 0;
	*colon++ = '\0';
	if (!strcmp(colon, "cdrom"))
		dp->d->cdrom = 1;
	else if (!strcmp(colon, "disk"))
		dp->d->cdrom = 0;
	else
		*rc = bad(dp, "unknown device type ':%s' after the vdev "
			  "(expected :cdrom or :disk)", colon);
	if (!*rc)
		*rc = set_vdev(dp, s);
	return 1;
}

/*
 * Strips xend prefixes ("tap:aio:", "phy:", "qcow2:") from a target. As in
 * xl, a known prefix is stripped whatever follows it, and an unknown
 * "word:" is an error only when not followed by a letter or digit (so
 * "iqn.2001-05.com.example:disk1" or "host:3260" stay targets).
 */
static int strip_prefixes(struct disk_parse *dp, const char **target)
{
	static const char *const ignored[] = {
		"tapdisk", "tap", "tap2", "aio", "ioemu", "file", "phy", NULL,
	};
	static const char *const prefix_formats[] = {
		"raw", "qcow", "qcow2", "vhd", NULL,
	};
	static const char *const scripts[] = { "iscsi", "nbd", "enbd", "drbd", NULL };
	const char *s = *target, *c;
	char *word, *script;
	int rc = 0;

	for (;;) {
		for (c = s; islower((unsigned char)*c) ||
		     (c > s && isdigit((unsigned char)*c)); c++)
			;
		if (c == s || *c != ':')
			break;
		word = pv_strndup(s, (size_t)(c - s));
		if (one_of(word, prefix_formats)) {
			rc = set_format(dp, word);
		} else if (one_of(word, scripts)) {
			script = pv_asprintf("block-%s", word);
			rc = set_string(dp, &dp->d->script, "script", script);
			free(script);
		} else if (one_of(word, ignored)) {
			if (!strcmp(word, "phy"))
				dp->d->is_phy_prefix = 1;
		} else if (!isalnum((unsigned char)c[1])) {
			rc = bad(dp, "unknown disk prefix '%s:' before the target",
				 word);
		} else {
			free(word);
			break;
		}
		free(word);
		if (rc)
			return rc;
		dp->had_prefix = 1;
		s = c + 1;
	}
	*target = s;
	return 0;
}

static int positional(struct disk_parse *dp, char *s)
{
	const char *t = s;
	int rc = 0;

	if (!dp->target_set) {
		rc = strip_prefixes(dp, &t);
		dp->target_set = 1;
		return rc ? rc : set_string(dp, &dp->d->target, "target", t);
	}
	if (!dp->had_prefix && !dp->d->format) {
		/* xend's empty cdrom: ",hdc:cdrom,r" */
		if (!*dp->d->target && vdev_and_devtype(dp, s, &rc))
			return rc ? rc : set_format(dp, "empty");
		return set_format(dp, s);
	}
	if (!dp->d->vdev) {
		if (vdev_and_devtype(dp, s, &rc))
			return rc;
		return set_vdev(dp, s);
	}
	if (!dp->access_set)
		return set_access(dp, s);
	return bad(dp, "too many positional parameters at '%s' (expected "
		   "target,format,vdev,access)", s);
}

static int keyed(struct disk_parse *dp, const char *key, const char *val)
{
	if (!strcmp(key, "format"))
		return set_format(dp, val);
	if (!strcmp(key, "vdev"))
		return set_vdev(dp, val);
	if (!strcmp(key, "access"))
		return set_access(dp, val);
	if (!strcmp(key, "script"))
		return set_string(dp, &dp->d->script, "script", val);
	if (!strcmp(key, "backend"))
		return set_string(dp, &dp->d->backend, "backend", val);
	if (!strcmp(key, "devtype")) {
		if (strcmp(val, "cdrom") && strcmp(val, "disk"))
			return bad(dp, "unknown devtype '%s' (expected cdrom "
				   "or disk)", val);
		dp->d->cdrom = !strcmp(val, "cdrom");
		return 0;
	}
	if (!strcmp(key, "backendtype")) {
		if (!one_of(val, backendtypes))
			return bad(dp, "unknown backendtype '%s' (expected phy, "
				   "tap, qdisk or standalone)", val);
		return set_string(dp, &dp->d->backendtype, "backendtype", val);
	}
	if (!strcmp(key, "specification")) {
		if (strcmp(val, "xen"))
			return bad(dp, "specification '%s' is not supported by "
				   "pvctl (only xen)", val);
		return 0;
	}
	if (!*key || !islower((unsigned char)*key) ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(key))
		return bad(dp, "'=' in positional parameter '%s...' (a target "
			   "containing '=' or ',' must be given last as "
			   "target=...)", key);
	return bad(dp, "unknown parameter '%s'", key);
}

/*
 * Flags pvctl's blkback disks cannot honour are refused; those that
 * only restate its behaviour (or matter to QEMU's qdisk alone) warn.
 */
static int flag(struct disk_parse *dp, const char *s, int *rc)
{
	static const struct { const char *flag, *why; } ignored[] = {
		{ "direct-io-safe", "only QEMU's qdisk backend uses it" },
		{ "discard", "blkback offers discard by default" },
		{ "no-colo", "COLO is off by default" },
		{ "trusted", "the frontend trusts its backend by default" },
	}, refused[] = {
		{ "no-discard", "not supported by pvctl (blkback offers discard "
		  "when the device has it)" },
		{ "colo", "COLO replication is not supported by pvctl" },
		{ "untrusted", "not supported by pvctl: the frontend trusts "
		  "dom0's backend" },
	};
	char *msg;
	size_t i;

	if (!strcmp(s, "cdrom")) {
		dp->d->cdrom = 1;
		return 1;
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (!strcmp(s, refused[i].flag)) {
			*rc = pv_err_set(dp->err, -EINVAL, "flag '%s': %s", s,
					 refused[i].why);
			return 1;
		}
	}
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (!strcmp(s, ignored[i].flag))
			break;
	if (i == sizeof(ignored) / sizeof(ignored[0]))
		return 0;
	if (dp->warn) {
		msg = pv_asprintf("flag '%s' ignored: %s", s, ignored[i].why);
		dp->warn(dp->warn_ctx, dp->where, "disk", msg);
		free(msg);
	}
	return 1;
}

static int parse_param(struct disk_parse *dp, char *tok)
{
	char *eq = strchr(tok, '=');
	int rc = 0;

	if (!eq)
		return flag(dp, tok, &rc) ? rc : positional(dp, tok);
	*eq = '\0';
	return keyed(dp, tok, eq + 1);
}

static int finish(struct disk_parse *dp)
{
	struct pv_disk_spec *d = dp->d;

	if (!d->format)
		pv_str_set(&d->format, "raw");
	if (!d->vdev || !*d->vdev)
		return pv_err_set(dp->err, -EINVAL, "no vdev given");
	if (d->target && !*d->target) {
		free(d->target);
		d->target = NULL;
	}
	if (d->cdrom) {
		/* As xl: a cdrom is read-only, and one without a target empty. */
		d->readwrite = 0;
		if (!d->target)
			pv_str_set(&d->format, "empty");
	} else if (!d->target) {
		return pv_err_set(dp->err, -EINVAL, "no target given (only a "
				  "cdrom may be empty)");
	}
	return 0;
}

static int parse(struct disk_parse *dp, const char *spec)
{
	const char *p = spec, *comma, *end;
	char *tok;
	int rc = 0;

	while (!rc) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "target=", 7)) {
			/* Takes the rest, commas included (one final ',' dropped). */
			tok = pv_strdup(p + 7);
			if (*tok && tok[strlen(tok) - 1] == ',')
				tok[strlen(tok) - 1] = '\0';
			dp->target_set = 1;
			rc = set_string(dp, &dp->d->target, "target", tok);
			free(tok);
			break;
		}
		comma = strchrnul(p, ',');
		/* Unlike xl, drop whitespace before the comma too. */
		for (end = comma; end > p && isspace((unsigned char)end[-1]); end--)
			;
		tok = pv_strndup(p, (size_t)(end - p));
		rc = parse_param(dp, tok);
		free(tok);
		p = *comma ? comma + 1 : comma;
	}
	return rc ? rc : finish(dp);
}

int pv_disk_spec_parse_ex(const char *spec, struct pv_disk_spec *d,
			  pv_warn_fn *warn, void *warn_ctx, const char *where,
			  struct pv_err *err)
{
	struct disk_parse dp = {
		.d = d, .warn = warn, .warn_ctx = warn_ctx,
		.where = where ? where : spec,
	};
	struct pv_err inner;
	int rc;

	pv_err_init(&inner);
	dp.err = &inner;
	pv_disk_spec_dispose(d);
	rc = parse(&dp, spec);
	if (rc) {
		pv_err_set(err, rc, "invalid disk spec '%s': %s", spec,
			   pv_err_msg(&inner));
		pv_disk_spec_dispose(d);
	}
	pv_err_dispose(&inner);
	return rc;
}

int xlcfg_disk_check(const struct pv_disk_spec *d, struct pv_err *err)
{
	uint32_t devid;

	if (!d->vdev || pv_vdev_to_devid(d->vdev, &devid))
		return bad_vdev(err, d->vdev ? d->vdev : "");
	if (!d->format || !one_of(d->format, formats))
		return pv_err_set(err, -EINVAL, "unknown format '%s'",
				  d->format ? d->format : "");
	if (d->backendtype && !one_of(d->backendtype, backendtypes))
		return pv_err_set(err, -EINVAL, "unknown backendtype '%s'",
				  d->backendtype);
	if (!d->target && !d->cdrom)
		return pv_err_set(err, -EINVAL, "no target given (only a "
				  "cdrom may be empty)");
	/* What finish() makes of a cdrom, for specs that did not pass it. */
	if (d->cdrom && d->readwrite)
		return pv_err_set(err, -EINVAL, "a cdrom is read-only (access ro)");
	if (d->cdrom && !d->target && strcmp(d->format, "empty"))
		return pv_err_set(err, -EINVAL, "a cdrom without a target has "
				  "format 'empty', not '%s'", d->format);
	return 0;
}

/* A backend= naming dom0 is what pvctl does anyway. */
static int is_dom0(const char *backend)
{
	return !backend || !strcmp(backend, "0") || !strcmp(backend, "Domain-0");
}

int pv_disk_spec_supported(const struct pv_disk_spec *d, struct pv_err *err)
{
	if (!d->target)
		return pv_err_set(err, -EINVAL, "disk %s: an empty drive is not "
				  "supported by pvctl (give the cdrom a target)",
				  d->vdev);
	if (d->format && strcmp(d->format, "raw"))
		return pv_err_set(err, -EINVAL, "disk %s: format %s needs QEMU's "
				  "disk backend (qdisk), which pvctl does not run; "
				  "pvctl serves raw images and block devices",
				  d->vdev, d->format);
	if (d->backendtype && strcmp(d->backendtype, "phy"))
		return pv_err_set(err, -EINVAL, "disk %s: backendtype %s is not "
				  "supported by pvctl (only phy: dom0's blkback)",
				  d->vdev, d->backendtype);
	if (!is_dom0(d->backend))
		return pv_err_set(err, -EINVAL, "disk %s: backend=%s: driver "
				  "domains are not supported by pvctl; dom0 serves "
				  "every disk", d->vdev, d->backend);
	return 0;
}

int pv_disk_spec_parse(const char *spec, struct pv_disk_spec *d,
		       struct pv_err *err)
{
	return pv_disk_spec_parse_ex(spec, d, NULL, NULL, NULL, err);
}
