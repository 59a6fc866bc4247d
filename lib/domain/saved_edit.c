/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saved_edit.c: keeping live changes in a domain's saved config, so that
 * the config says what runs: a restart (the monitor's, apply's) boots
 * it, and `pvctl apply` compares its files with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "../devices/devices.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int pv_domain_vif_devids(struct pv_ctx *ctx, uint32_t domid, uint32_t **ids,
			 size_t *n, struct pv_err *err)
{
	struct pv_device_status *st;
	size_t i;
	int rc = pv_device_list(ctx, pv_vif_kind.name, domid, &st, n, err);

	if (rc)
		return rc;
	*ids = pv_calloc(*n + 1, sizeof(**ids));
	for (i = 0; i < *n; i++)
		(*ids)[i] = st[i].devid;
	qsort(*ids, *n, sizeof(**ids), cmp_u32);
	pv_device_status_free(st, *n);
	return 0;
}

static void remove_disk(struct pv_domain_config *cfg, uint32_t devid)
{
	uint32_t id;
	size_t i;

	for (i = 0; i < cfg->ndisks; i++) {
		if (pv_vdev_to_devid(cfg->disks[i].vdev, &id) || id != devid)
			continue;
		pv_disk_spec_dispose(&cfg->disks[i]);
		memmove(&cfg->disks[i], &cfg->disks[i + 1],
			(cfg->ndisks - i - 1) * sizeof(*cfg->disks));
		cfg->ndisks--;
		return;
	}
}

static int add_disk(struct pv_domain_config *cfg, const char *spec,
		    uint32_t devid, struct pv_err *err)
{
	struct pv_disk_spec d;
	int rc;

	pv_disk_spec_init(&d);
	rc = pv_disk_spec_parse(spec, &d, err);
	if (rc) {
		pv_disk_spec_dispose(&d);
		return rc;
	}
	remove_disk(cfg, devid);	/* one disk per vdev */
	cfg->disks = pv_realloc(cfg->disks, (cfg->ndisks + 1) * sizeof(*cfg->disks));
	cfg->disks[cfg->ndisks++] = d;
	return 0;
}

static int add_vif(struct pv_domain_config *cfg, const char *spec,
		   struct pv_err *err)
{
	struct pv_vif_spec v;
	int rc;

	pv_vif_spec_init(&v);
	rc = pv_vif_spec_parse(spec, &v, err);
	if (rc) {
		pv_vif_spec_dispose(&v);
		return rc;
	}
	cfg->vifs = pv_realloc(cfg->vifs, (cfg->nvifs + 1) * sizeof(*cfg->vifs));
	cfg->vifs[cfg->nvifs++] = v;
	return 0;
}

/*
 * The vif that was @devid: as many of the remaining ones have a lower
 * index as came before it in the config.
 */
static int remove_vif(struct pv_ctx *ctx, uint32_t domid,
		      struct pv_domain_config *cfg, uint32_t devid,
		      struct pv_err *err)
{
	uint32_t *ids;
	size_t n, i, at = 0;
	int rc = pv_domain_vif_devids(ctx, domid, &ids, &n, err);

	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		at += ids[i] < devid;
	free(ids);
	/* Only when the config still matches what runs (one fewer now). */
	if (cfg->nvifs != n + 1)
		return 0;
	pv_vif_spec_dispose(&cfg->vifs[at]);
	memmove(&cfg->vifs[at], &cfg->vifs[at + 1],
		(cfg->nvifs - at - 1) * sizeof(*cfg->vifs));
	cfg->nvifs--;
	return 0;
}

static int edit(struct pv_ctx *ctx, uint32_t domid,
		struct pv_domain_config *cfg, const struct pv_live_change *ch,
		struct pv_err *err)
{
	bool vbd = ch->kind && !strcmp(ch->kind, pv_vbd_kind.name);

	switch (ch->what) {
	case PV_LIVE_MEMORY:
		cfg->memory_mb = ch->value / 1024;
		return 0;
	case PV_LIVE_MAXMEM:
		cfg->maxmem_mb = ch->value / 1024;
		return 0;
	case PV_LIVE_VCPUS:
		cfg->vcpus = (unsigned int)ch->value;
		return 0;
	case PV_LIVE_ATTACH:
		return vbd ? add_disk(cfg, ch->spec, ch->devid, err)
			   : add_vif(cfg, ch->spec, err);
	case PV_LIVE_DETACH:
		if (vbd) {
			remove_disk(cfg, ch->devid);
			return 0;
		}
		return remove_vif(ctx, domid, cfg, ch->devid, err);
	}
	return pv_err_set(err, -EINVAL, "unknown live change %d", (int)ch->what);
}

int pv_domain_config_note(struct pv_ctx *ctx, uint32_t domid,
			  const struct pv_live_change *ch, struct pv_err *err)
{
	struct pv_domain_config cfg;
	struct pv_err ignore;
	int rc;

	pv_domain_config_init(&cfg);
	pv_err_init(&ignore);
	rc = pv_domain_config_load(ctx, domid, &cfg, &ignore);
	pv_err_dispose(&ignore);
	if (rc == -ENOENT || rc == -ESTALE)
		return 0;		/* not pvctl's: nothing to keep */
	if (rc)
		return pv_err_sys(err, rc, "reading the saved config of domain %u",
				  domid);
	rc = edit(ctx, domid, &cfg, ch, err);
	/* Memory a live change moves stays within what the file allows. */
	if (!rc && cfg.maxmem_mb < cfg.memory_mb)
		cfg.maxmem_mb = cfg.memory_mb;
	if (!rc)
		rc = pv_domain_config_save(ctx, domid, NULL, &cfg, err);
	if (rc)
		pv_err_set(err, rc, "updating the saved config of domain %u", domid);
	pv_domain_config_dispose(&cfg);
	return rc;
}
