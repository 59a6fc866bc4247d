/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vifspec.c: `vif = [...]` entries in xl-network-configuration(5) syntax:
 * comma-separated key=value pairs, all optional ('' is a valid vif).
 */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

void pv_vif_spec_init(struct pv_vif_spec *v)
{
	memset(v, 0, sizeof(*v));
}

void pv_vif_spec_dispose(struct pv_vif_spec *v)
{
	free(v->mac);
	free(v->bridge);
	free(v->ip);
	free(v->rate);
	free(v->type);
	free(v->script);
	free(v->vifname);
	free(v->model);
	free(v->backend);
	pv_vif_spec_init(v);
}

/* Six octets of two hex digits separated by ':'. */
int xlcfg_mac_valid(const char *mac)
{
	int i;

	for (i = 0; i < 6; i++, mac += 3) {
		if (!isxdigit((unsigned char)mac[0]) ||
		    !isxdigit((unsigned char)mac[1]))
			return 0;
		if (mac[2] != (i == 5 ? '\0' : ':'))
			return 0;
	}
	return 1;
}

static int check_mac(const char *val, struct pv_err *err)
{
	if (!xlcfg_mac_valid(val))
		return pv_err_set(err, -EINVAL, "invalid mac '%s' (expected six "
				  "hex octets like 00:16:3e:12:34:56)", val);
	/* The I/G bit: a NIC cannot have a multicast address. */
	if (isdigit((unsigned char)val[1]) ? (val[1] - '0') & 1 :
	    (tolower((unsigned char)val[1]) - 'a' + 10) & 1)
		return pv_err_set(err, -EINVAL, "mac '%s' is a multicast "
				  "address (the first octet must be even)", val);
	return 0;
}

static int set_mac(struct pv_vif_spec *v, const char *val, struct pv_err *err)
{
	char *p;
	int rc = check_mac(val, err);

	if (rc)
		return rc;
	pv_str_set(&v->mac, val);
	for (p = v->mac; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/*
 * RATE/s[@INTERVAL] as xl reads it: RATE is a number with K, M or G
 * (powers of 1000) and B (bytes) or b (bits); INTERVAL a number of s
 * (the default unit), ms or us, 50ms when absent.
 */
int pv_vif_rate_parse(const char *r, uint64_t *bytes_per_interval,
		      uint32_t *interval_us)
{
	unsigned long long n, bps, us = 50000;
	char *end;

	if (!isdigit((unsigned char)*r))
		return -EINVAL;
	errno = 0;
	n = strtoull(r, &end, 10);
	if (errno || !n || n > UINT32_MAX)
		return -EINVAL;
	bps = n;
	if (*end == 'G' || *end == 'M' || *end == 'K')
		bps *= *end == 'G' ? 1000000000ull : *end == 'M' ? 1000000ull : 1000ull;
	end += *end == 'G' || *end == 'M' || *end == 'K';
	if (*end != 'B' && *end != 'b')
		return -EINVAL;
	if (*end++ == 'b')
		bps /= 8;
	if (strncmp(end, "/s", 2))
		return -EINVAL;
	end += 2;
	if (*end == '@') {
		r = end + 1;
		if (!isdigit((unsigned char)*r))
			return -EINVAL;
		n = strtoull(r, &end, 10);
		if (errno || !n || n > UINT32_MAX)
			return -EINVAL;
		if (!strcmp(end, "ms"))
			us = n * 1000;
		else if (!strcmp(end, "us"))
			us = n;
		else if (!*end || !strcmp(end, "s"))
			us = n * 1000000;
		else
			return -EINVAL;
		if (us > UINT32_MAX)
			return -EINVAL;
	} else if (*end) {
		return -EINVAL;
	}
	if (bps > UINT64_MAX / us)
		return -EINVAL;		/* as xl: the credit must fit */
	*bytes_per_interval = bps * us / 1000000;
	*interval_us = (uint32_t)us;
	return *bytes_per_interval ? 0 : -EINVAL;
}

static int check_rate(const char *val, struct pv_err *err)
{
	uint64_t bytes;
	uint32_t us;

	if (pv_vif_rate_parse(val, &bytes, &us))
		return pv_err_set(err, -EINVAL, "invalid rate '%s' (expected "
				  "RATE/s[@INTERVAL], e.g. 10Mb/s or "
				  "1MB/s@20ms)", val);
	return 0;
}

static int check_type(const char *val, struct pv_err *err)
{
	if (strcmp(val, "vif") && strcmp(val, "ioemu"))
		return pv_err_set(err, -EINVAL, "unknown type '%s' (expected "
				  "vif or ioemu)", val);
	return 0;
}

static int check_mtu(uint64_t mtu, const char *val, struct pv_err *err)
{
	if (mtu < 68 || mtu > 65535)
		return pv_err_set(err, -EINVAL, "invalid mtu '%s' (expected a "
				  "number from 68 to 65535)", val);
	return 0;
}

/* As Linux's dev_valid_name(): what an interface may be renamed to. */
static int check_vifname(const char *val, struct pv_err *err)
{
	if (!*val || strlen(val) >= IFNAMSIZ || !strcmp(val, ".") ||
	    !strcmp(val, "..") || strpbrk(val, "/: \t\n\r\v\f"))
		return pv_err_set(err, -EINVAL, "invalid vifname '%s' (an "
				  "interface name: 1 to %d characters, no '/', "
				  "':' or blanks)", val, IFNAMSIZ - 1);
	return 0;
}

int pv_vif_spec_supported(const struct pv_vif_spec *v, struct pv_err *err)
{
	if (v->type && strcmp(v->type, "vif"))
		return pv_err_set(err, -EINVAL, "type=%s is an emulated NIC, "
				  "which needs QEMU; PV guests use type=vif",
				  v->type);
	if (v->backend && strcmp(v->backend, "0") &&
	    strcmp(v->backend, "Domain-0"))
		return pv_err_set(err, -EINVAL, "backend=%s: driver domains are "
				  "not supported by pvctl; dom0 serves every vif",
				  v->backend);
	return 0;
}

int xlcfg_vif_check(const struct pv_vif_spec *v, struct pv_err *err)
{
	char mtu[24];
	int rc = 0;

	snprintf(mtu, sizeof(mtu), "%llu", (unsigned long long)v->mtu);
	if (v->mac)
		rc = check_mac(v->mac, err);
	if (!rc && v->rate)
		rc = check_rate(v->rate, err);
	if (!rc && v->type)
		rc = check_type(v->type, err);
	if (!rc && v->mtu)
		rc = check_mtu(v->mtu, mtu, err);
	if (!rc && v->vifname)
		rc = check_vifname(v->vifname, err);
	return rc;
}

static int set_checked(const char *key, const char *val, char **field,
		       struct pv_err *err)
{
	int rc = 0;

	if (!strcmp(key, "rate"))
		rc = check_rate(val, err);
	else if (!strcmp(key, "type"))
		rc = check_type(val, err);
	else if (!strcmp(key, "vifname"))
		rc = check_vifname(val, err);
	if (!rc)
		pv_str_set(field, val);
	return rc;
}

static void warn_key(pv_warn_fn *warn, void *ctx, const char *where,
		     const char *key, const char *why)
{
	char *msg;

	if (!warn)
		return;
	msg = pv_asprintf("'%s' %s, ignored", key, why);
	warn(ctx, where, "vif", msg);
	free(msg);
}

static int set_key(struct pv_vif_spec *v, const char *key, const char *val,
		   pv_warn_fn *warn, void *ctx, const char *where,
		   struct pv_err *err)
{
	static const struct { const char *key, *why; } refused[] = {
		{ "gatewaydev", "is for xend's vif-route and vif-nat scripts; "
		  "pvctl does not pass it on" },
		{ "netdev", "is for xend's vif-route and vif-nat scripts; "
		  "pvctl does not pass it on" },
		{ "forwarddev", "is not supported by pvctl" },
		{ "devid", "is not supported by pvctl: vifs are numbered in "
		  "order" },
		{ "trusted", "is not supported by pvctl" },
		{ "untrusted", "is not supported by pvctl" },
	};
	size_t i;
	struct { const char *key; char **field; } strs[] = {
		{ "bridge", &v->bridge }, { "ip", &v->ip },
		{ "rate", &v->rate }, { "type", &v->type },
		{ "script", &v->script }, { "vifname", &v->vifname },
		{ "model", &v->model }, { "backend", &v->backend },
	};

	if (!strcmp(key, "mac"))
		return set_mac(v, val, err);
	if (!strcmp(key, "mtu")) {
		if (pv_parse_uint(val, 65535, &v->mtu))
			v->mtu = 0;
		return check_mtu(v->mtu, val, err);
	}
	/* An emulated NIC's model: netback's vif has none. */
	if (!strcmp(key, "model"))
		warn_key(warn, ctx, where, key, "is for emulated NICs (type=ioemu) "
			 "only");
	if (!strcmp(key, "accel"))
		warn_key(warn, ctx, where, key, "is not supported by xl either");
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(key, strs[i].key))
			return set_checked(key, val, strs[i].field, err);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(key, refused[i].key))
			return pv_err_set(err, -EINVAL, "'%s' %s", key,
					  refused[i].why);
	if (strcmp(key, "accel"))
		warn_key(warn, ctx, where, key, "is not a known vif key");
	return 0;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return pv_strndup(s, n);
}

int pv_vif_spec_parse_ex(const char *spec, struct pv_vif_spec *v,
			 pv_warn_fn *warn, void *warn_ctx, const char *where,
			 struct pv_err *err)
{
	const char *p = spec, *comma;
	struct pv_err inner;
	char *tok, *eq, *key, *val;
	int rc = 0;

	pv_err_init(&inner);
	pv_vif_spec_dispose(v);
	where = where ? where : spec;
	while (!rc && *p) {
		comma = strchrnul(p, ',');
		tok = trimmed(p, (size_t)(comma - p));
		eq = strchr(tok, '=');
		if (eq) {
			key = trimmed(tok, (size_t)(eq - tok));
			val = trimmed(eq + 1, strlen(eq + 1));
			rc = set_key(v, key, val, warn, warn_ctx, where, &inner);
			free(key);
			free(val);
		} else if (*tok) {
			warn_key(warn, warn_ctx, where, tok,
				 "is not a key=value pair");
		}
		free(tok);
		p = *comma ? comma + 1 : comma;
	}
	if (rc) {
		pv_err_set(err, rc, "invalid vif spec '%s': %s", spec,
			   pv_err_msg(&inner));
		pv_vif_spec_dispose(v);
	}
	pv_err_dispose(&inner);
	return rc;
}

int pv_vif_spec_parse(const char *spec, struct pv_vif_spec *v,
		      struct pv_err *err)
{
	return pv_vif_spec_parse_ex(spec, v, NULL, NULL, NULL, err);
}
