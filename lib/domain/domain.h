/*
 * domain.h: PV domain lifecycle: create, destroy, look up, list.
 */
#ifndef PV_DOMAIN_H
#define PV_DOMAIN_H

#include <stdint.h>

#include "../ctx.h"
#include "../../config/xlcfg.h"

/* Resolves DOMAIN, a name or a numeric ID, to a domain ID. */
int pv_domain_lookup(struct pv_ctx *ctx, const char *spec, uint32_t *domid,
		     struct pv_err *err);
/* The domain's name from XenStore (caller frees), or NULL. */
char *pv_domain_get_name(struct pv_ctx *ctx, uint32_t domid);

/*
 * Creates, builds and starts a PV domain from a validated config. On any
 * failure everything done so far is undone (domain, XenStore nodes,
 * saved config) and @err says which step failed.
 */
int pv_domain_create(struct pv_ctx *ctx, const struct pv_domain_config *cfg,
		     uint32_t *domid, struct pv_err *err);
/* Destroys a domain and removes its XenStore nodes and saved config. */
int pv_domain_destroy(struct pv_ctx *ctx, uint32_t domid, struct pv_err *err);

/* One row of `pvctl list`. */
struct pv_domain_status {
	struct pv_dominfo info;
	char *name;		/* NULL if XenStore has none */
};

/* Lists all domains, or only @domids when @ndomids > 0. */
int pv_domain_list(struct pv_ctx *ctx, const uint32_t *domids, size_t ndomids,
		   struct pv_domain_status **out, size_t *n, struct pv_err *err);
void pv_domain_status_free(struct pv_domain_status *st, size_t n);

/*
 * The config a domain was created from, kept under the state directory
 * as STATE/domains/DOMID.json with the domain's UUID, so that a stale
 * file (an earlier domain with the same ID) is never taken for it.
 */
int pv_domain_config_save(struct pv_ctx *ctx, uint32_t domid, const char *uuid,
			  const struct pv_domain_config *cfg, struct pv_err *err);
int pv_domain_config_load(struct pv_ctx *ctx, uint32_t domid,
			  struct pv_domain_config *cfg, struct pv_err *err);
void pv_domain_config_forget(struct pv_ctx *ctx, uint32_t domid);

/* XenStore layout of a domain (layout.c); used by create and destroy. */
struct pv_layout {
	uint32_t domid;
	const char *name;
	const char *uuid;		/* text form */
	uint64_t memory_kb, maxmem_kb;
	unsigned int vcpus, maxvcpus;
	uint32_t store_port, console_port;
	uint64_t store_mfn, console_mfn;
};

int pv_layout_write_skeleton(struct pv_ctx *ctx, const struct pv_layout *l,
			     struct pv_err *err);
int pv_layout_write_post_build(struct pv_ctx *ctx, const struct pv_layout *l,
			       struct pv_err *err);
/* Removes every node pvctl writes for @domid (tolerates missing ones). */
void pv_layout_remove(struct pv_ctx *ctx, uint32_t domid);

#endif
