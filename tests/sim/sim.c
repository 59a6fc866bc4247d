/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.c: the simulated hypervisor's handle, its ops table, the caller
 * identity, fault injection and the idle hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "sim_int.h"

/* Same order as enum pv_sim_op, which follows struct pv_hv_ops. */
static const char *const op_names[SIM_OP_COUNT] = {
	[SIM_PHYSINFO] = "physinfo",
	[SIM_DOMAIN_CREATE] = "domain_create",
	[SIM_DOMAIN_DESTROY] = "domain_destroy",
	[SIM_DOMAIN_PAUSE] = "domain_pause",
	[SIM_DOMAIN_UNPAUSE] = "domain_unpause",
	[SIM_DOMAIN_SHUTDOWN] = "domain_shutdown",
	[SIM_DOMAIN_GETINFO] = "domain_getinfo",
	[SIM_DOMAIN_LIST] = "domain_list",
	[SIM_DOMAIN_SETMAXMEM] = "domain_setmaxmem",
	[SIM_DOMAIN_SET_HANDLE] = "domain_set_handle",
	[SIM_EVTCHN_ALLOC_UNBOUND] = "evtchn_alloc_unbound",
	[SIM_BUILD_PV] = "build_pv",
	[SIM_DOMAIN_SAVE] = "domain_save",
	[SIM_DOMAIN_RESUME] = "domain_resume",
	[SIM_VCPU_SET_AFFINITY] = "vcpu_set_affinity",
	[SIM_VCPU_GETINFO] = "vcpu_getinfo",
	[SIM_SCHED_ID] = "sched_id",
	[SIM_SCHED_CREDIT_GET] = "sched_credit_get",
	[SIM_SCHED_CREDIT_SET] = "sched_credit_set",
	[SIM_DOMAIN_SET_NOMIGRATE] = "domain_set_nomigrate",
	[SIM_XS_READ] = "xs_read",
	[SIM_XS_WRITE] = "xs_write",
	[SIM_XS_MKDIR] = "xs_mkdir",
	[SIM_XS_RM] = "xs_rm",
	[SIM_XS_DIRECTORY] = "xs_directory",
	[SIM_XS_SET_PERMS] = "xs_set_perms",
	[SIM_XS_GET_PERMS] = "xs_get_perms",
	[SIM_XS_TRANSACTION_START] = "xs_transaction_start",
	[SIM_XS_TRANSACTION_END] = "xs_transaction_end",
	[SIM_XS_WATCH] = "xs_watch",
	[SIM_XS_UNWATCH] = "xs_unwatch",
	[SIM_XS_READ_WATCH] = "xs_read_watch",
	[SIM_XS_INTRODUCE] = "xs_introduce",
	[SIM_XS_RELEASE] = "xs_release",
	[SIM_XS_RESUME] = "xs_resume",
	[SIM_CONSOLE_READ] = "console_read",
	[SIM_SEND_DEBUG_KEYS] = "send_debug_keys",
	[SIM_DOMAIN_DUMPCORE] = "domain_dumpcore",
};

/* A pending injected failure: the @countdown-th call of @op fails. */
struct sim_fault {
	enum pv_sim_op op;
	unsigned int countdown;
	int err;
	struct sim_fault *next;
};

static enum pv_sim_op op_lookup(const char *name)
{
	int i;

	for (i = 0; i < SIM_OP_COUNT; i++)
		if (!strcmp(op_names[i], name))
			return (enum pv_sim_op)i;
	/* A typo in a test must not silently inject nothing. */
	fprintf(stderr, "pv_sim: unknown operation '%s'\n", name);
	abort();
}

static void sim_close(void *h)
{
	/* The test owns the sim and frees it with pv_sim_free(). */
}

struct pv_sim *pv_sim_new(void)
{
	struct pv_sim *s = pv_calloc(1, sizeof(*s));

	pv_sim_dom_ops(&s->ops);
	pv_sim_sched_ops(&s->ops);
	pv_sim_xs_ops(&s->ops);
	pv_sim_tx_ops(&s->ops);
	pv_sim_watch_ops(&s->ops);
	pv_sim_debug_ops(&s->ops);
	s->ops.close = sim_close;
	pv_sim_dom_init(s);
	pv_sim_xs_init(s);
	pv_sim_debug_init(s);
	return s;
}

void pv_sim_free(struct pv_sim *s)
{
	struct sim_fault *f, *next;

	if (!s)
		return;
	for (f = s->faults; f; f = next) {
		next = f->next;
		free(f);
	}
	pv_sim_xs_dispose(s);
	pv_sim_dom_dispose(s);
	free(s);
}

void pv_sim_hv(struct pv_sim *s, struct pv_hv *hv)
{
	hv->ops = &s->ops;
	hv->h = s;
}

void pv_sim_set_caller(struct pv_sim *s, uint32_t domid)
{
	s->caller = domid;
}

uint32_t pv_sim_caller(const struct pv_sim *s)
{
	return s->caller;
}

void pv_sim_fail_nth(struct pv_sim *s, const char *op, unsigned int n,
		     int err)
{
	struct sim_fault *f = pv_calloc(1, sizeof(*f)), **tail;

	f->op = op_lookup(op);
	f->countdown = n ? n : 1;
	f->err = err < 0 ? err : -err;
	/* Append, so faults on one op count down in the order given. */
	for (tail = &s->faults; *tail; tail = &(*tail)->next)
		;
	*tail = f;
}

void pv_sim_fail_next(struct pv_sim *s, const char *op, int err)
{
	pv_sim_fail_nth(s, op, 1, err);
}

unsigned int pv_sim_calls(const struct pv_sim *s, const char *op)
{
	return s->calls[op_lookup(op)];
}

void pv_sim_at_call(struct pv_sim *s, unsigned int n, pv_sim_call_fn *fn,
		    void *arg)
{
	s->call_fn = fn;
	s->call_arg = arg;
	s->call_countdown = n ? n : 1;
}

unsigned int pv_sim_calls_total(const struct pv_sim *s)
{
	unsigned int total = 0;
	int i;

	for (i = 0; i < SIM_OP_COUNT; i++)
		total += s->calls[i];
	return total;
}

int pv_sim_enter(struct pv_sim *s, enum pv_sim_op op)
{
	struct sim_fault **fp, *f;
	int err = 0;

	/* The idle hook's operations are the world's, not the caller's. */
	if (s->call_fn && !s->in_idle && !--s->call_countdown) {
		pv_sim_call_fn *fn = s->call_fn;

		s->call_fn = NULL;	/* once, and the hook may call ops */
		fn(s, s->call_arg);
	}
	s->calls[op]++;
	for (fp = &s->faults; (f = *fp);) {
		if (f->op != op || --f->countdown) {
			fp = &f->next;
			continue;
		}
		/* Two faults due on the same call: the first one wins. */
		if (!err)
			err = f->err;
		*fp = f->next;
		free(f);
	}
	return err;
}

void pv_sim_on_idle(struct pv_sim *s, pv_sim_idle_fn *fn, void *arg)
{
	s->idle_fn = fn;
	s->idle_arg = arg;
}

bool pv_sim_run_idle(struct pv_sim *s)
{
	uint32_t caller = s->caller;

	/* The hook may call hv ops itself; don't let it re-enter. */
	if (!s->idle_fn || s->in_idle)
		return false;
	s->in_idle = true;
	s->idle_fn(s, s->idle_arg);
	s->in_idle = false;
	s->caller = caller;
	return true;
}
