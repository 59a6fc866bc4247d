/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_xs_tx.c: XenStore transactions.
 *
 * A transaction works on its own copy of the store taken when it
 * starts, and records every node it reads or changes together with
 * that node's generation at the start. Committing fails with -EAGAIN
 * when any recorded node has since changed in the store (the
 * "conflicting writes only" rule of current xenstored); otherwise its
 * changed nodes are copied into the store and its watch events fire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "sim_int.h"

static struct sim_tx *tx_find(struct pv_sim *s, pv_xbt t)
{
	struct sim_tx *tx;

	for (tx = s->xs.txs; tx; tx = tx->next)
		if (tx->id == t)
			return tx;
	return NULL;
}

static void tx_unlink(struct pv_sim *s, struct sim_tx *tx)
{
	struct sim_tx **pp;

	for (pp = &s->xs.txs; *pp != tx; pp = &(*pp)->next)
		;
	*pp = tx->next;
}

static void tx_free(struct sim_tx *tx)
{
	size_t i;

	for (i = 0; i < tx->nacc; i++)
		free(tx->acc[i].path);
	free(tx->acc);
	for (i = 0; i < tx->nev; i++)
		free(tx->ev[i].path);
	free(tx->ev);
	pv_sim_db_dispose(&tx->db);
	free(tx);
}

void pv_sim_tx_free_all(struct pv_sim *s)
{
	struct sim_tx *tx, *next;

	for (tx = s->xs.txs; tx; tx = next) {
		next = tx->next;
		tx_free(tx);
	}
	s->xs.txs = NULL;
}

int pv_sim_tx_db(struct pv_sim *s, pv_xbt t, struct sim_db **db,
		 struct sim_tx **tx)
{
	if (t == PV_XBT_NULL) {
		*db = &s->xs.db;
		*tx = NULL;
		return 0;
	}
	*tx = tx_find(s, t);
	if (!*tx)
		return -ENOENT;
	*db = &(*tx)->db;
	return 0;
}

void pv_sim_tx_access(struct sim_tx *tx, const char *path, bool dirty)
{
	const struct sim_node *n;
	size_t i;

	if (!tx)
		return;
	for (i = 0; i < tx->nacc; i++) {
		if (!strcmp(tx->acc[i].path, path)) {
			tx->acc[i].dirty = tx->acc[i].dirty || dirty;
			return;
		}
	}
	/*
	 * First touch: the copy still holds the node as it was at the
	 * start (nodes the transaction creates have generation 0).
	 */
	n = pv_sim_db_get(&tx->db, path);
	tx->acc = pv_realloc(tx->acc, (tx->nacc + 1) * sizeof(*tx->acc));
	tx->acc[tx->nacc].path = pv_strdup(path);
	tx->acc[tx->nacc].base_gen = n ? n->gen : 0;
	tx->acc[tx->nacc].dirty = dirty;
	tx->nacc++;
}

void pv_sim_tx_touch(struct pv_sim *s, struct sim_tx *tx, struct sim_node *n)
{
	if (tx)
		pv_sim_tx_access(tx, n->path, true);
	else
		n->gen = ++s->xs.gen;
}

static int sim_xs_transaction_start(void *h, pv_xbt *t)
{
	struct pv_sim *s = h;
	struct sim_tx *tx;
	int rc = pv_sim_enter(s, SIM_XS_TRANSACTION_START);

	if (rc)
		return rc;
	tx = pv_calloc(1, sizeof(*tx));
	do {
		tx->id = ++s->xs.last_tx;
	} while (tx->id == PV_XBT_NULL || tx_find(s, tx->id));
	pv_sim_db_copy(&tx->db, &s->xs.db);
	tx->next = s->xs.txs;
	s->xs.txs = tx;
	*t = tx->id;
	return 0;
}

static bool tx_conflicts(const struct pv_sim *s, const struct sim_tx *tx)
{
	const struct sim_node *n;
	size_t i;

	for (i = 0; i < tx->nacc; i++) {
		n = pv_sim_db_get(&s->xs.db, tx->acc[i].path);
		if ((n ? n->gen : 0) != tx->acc[i].base_gen)
			return true;
	}
	return false;
}

static void tx_apply(struct pv_sim *s, const struct sim_tx *tx)
{
	const struct sim_node *n;
	struct sim_node *copy;
	size_t i;

	for (i = 0; i < tx->nacc; i++) {
		if (!tx->acc[i].dirty)
			continue;
		n = pv_sim_db_get(&tx->db, tx->acc[i].path);
		if (!n) {
			pv_sim_db_del(&s->xs.db, tx->acc[i].path);
			continue;
		}
		copy = pv_sim_node_copy(n);
		copy->gen = ++s->xs.gen;
		pv_sim_db_put(&s->xs.db, copy);
	}
	for (i = 0; i < tx->nev; i++)
		pv_sim_fire(s, NULL, tx->ev[i].path, tx->ev[i].exact);
}

/*
 * After TRANSACTION_END the id is gone whatever the outcome, so an
 * injected failure discards the transaction too.
 */
static int sim_xs_transaction_end(void *h, pv_xbt t, bool abort)
{
	struct pv_sim *s = h;
	struct sim_tx *tx;
	int rc = pv_sim_enter(s, SIM_XS_TRANSACTION_END);

	tx = tx_find(s, t);
	if (!tx)
		return rc ? rc : -ENOENT;
	tx_unlink(s, tx);
	if (!rc && !abort) {
		if (tx_conflicts(s, tx))
			rc = -EAGAIN;
		else
			tx_apply(s, tx);
	}
	tx_free(tx);
	return rc;
}

void pv_sim_tx_ops(struct pv_hv_ops *ops)
{
	ops->xs_transaction_start = sim_xs_transaction_start;
	ops->xs_transaction_end = sim_xs_transaction_end;
}
