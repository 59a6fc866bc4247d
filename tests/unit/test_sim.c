/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sim.c: the simulated hypervisor and XenStore behave like Xen and
 * xenstored where libpvctl's unit tests rely on it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/hv.h"
#include "util/util.h"
#include "sim/sim.h"

struct fx {
	struct pv_sim *s;
	struct pv_hv hv;
	char kernel[64];	/* a readable file to "boot" */
};

static int setup(void **state)
{
	struct fx *f = pv_calloc(1, sizeof(*f));
	int fd;

	f->s = pv_sim_new();
	pv_sim_hv(f->s, &f->hv);
	strcpy(f->kernel, "/tmp/test_sim_kernel_XXXXXX");
	fd = mkstemp(f->kernel);
	assert_true(fd >= 0);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->kernel);
	pv_sim_free(f->s);
	free(f);
	return 0;
}

/* --- helpers --- */

static int xw(struct fx *f, pv_xbt t, const char *path, const char *val)
{
	return f->hv.ops->xs_write(f->hv.h, t, path, val, strlen(val));
}

static int xr_rc(struct fx *f, pv_xbt t, const char *path)
{
	char *v = NULL;
	size_t len;
	int rc = f->hv.ops->xs_read(f->hv.h, t, path, &v, &len);

	free(v);
	return rc;
}

static void assert_val(struct fx *f, pv_xbt t, const char *path,
		       const char *want)
{
	char *v = NULL;
	size_t len = 0;

	assert_int_equal(f->hv.ops->xs_read(f->hv.h, t, path, &v, &len), 0);
	assert_string_equal(v, want);
	assert_int_equal(len, strlen(want));
	free(v);
}

static int xmkdir(struct fx *f, pv_xbt t, const char *path)
{
	return f->hv.ops->xs_mkdir(f->hv.h, t, path);
}

static int xrm(struct fx *f, pv_xbt t, const char *path)
{
	return f->hv.ops->xs_rm(f->hv.h, t, path);
}

static int xperms(struct fx *f, const char *path,
		  const struct pv_xs_perm *p, size_t n)
{
	return f->hv.ops->xs_set_perms(f->hv.h, PV_XBT_NULL, path, p, n);
}

static pv_xbt tx_start(struct fx *f)
{
	pv_xbt t = PV_XBT_NULL;

	assert_int_equal(f->hv.ops->xs_transaction_start(f->hv.h, &t), 0);
	assert_int_not_equal(t, PV_XBT_NULL);
	return t;
}

static int tx_end(struct fx *f, pv_xbt t, bool abort)
{
	return f->hv.ops->xs_transaction_end(f->hv.h, t, abort);
}

static int xwatch(struct fx *f, const char *path, const char *token)
{
	return f->hv.ops->xs_watch(f->hv.h, path, token);
}

static void expect_event(struct fx *f, const char *path, const char *token)
{
	char *p = NULL, *t = NULL;

	assert_int_equal(f->hv.ops->xs_read_watch(f->hv.h, 0, &p, &t), 0);
	assert_string_equal(p, path);
	assert_string_equal(t, token);
	free(p);
	free(t);
}

static void expect_no_event(struct fx *f)
{
	char *p = NULL, *t = NULL;

	assert_int_equal(f->hv.ops->xs_read_watch(f->hv.h, -1, &p, &t),
			 -ETIMEDOUT);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static uint32_t new_domain(struct fx *f)
{
	uint8_t uuid[16] = { 1, 2, 3 };
	uint32_t domid = 0;

	assert_int_equal(f->hv.ops->domain_create(f->hv.h, uuid, 2, NULL, &domid),
			 0);
	return domid;
}

static uint32_t new_port(struct fx *f, uint32_t domid)
{
	uint32_t port = 0;

	assert_int_equal(f->hv.ops->evtchn_alloc_unbound(f->hv.h, domid, 0,
							 &port), 0);
	return port;
}

static void build_req(struct fx *f, uint32_t domid, struct pv_build_req *r,
		      uint64_t memory_kb)
{
	memset(r, 0, sizeof(*r));
	r->kernel_path = f->kernel;
	r->cmdline = "root=/dev/xvda1";
	r->memory_kb = memory_kb;
	r->maxmem_kb = memory_kb * 2;
	r->static_max_kb = memory_kb * 2;
	r->max_vcpus = 2;
	r->store_port = new_port(f, domid);
	r->console_port = new_port(f, domid);
}

static void getinfo(struct fx *f, uint32_t domid, struct pv_dominfo *info)
{
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, domid, info), 0);
}

static uint64_t free_kb(struct fx *f)
{
	struct pv_physinfo pi;

	assert_int_equal(f->hv.ops->physinfo(f->hv.h, &pi), 0);
	return pi.free_kb;
}

/*
 * The layout libxl gives a guest's home: dom0 owns it and the guest may
 * read it; the guest owns data/.
 */
static void make_guest_home(struct fx *f, uint32_t domid)
{
	struct pv_xs_perm home[] = { { 0, PV_XS_PERM_NONE },
				     { domid, PV_XS_PERM_READ } };
	struct pv_xs_perm own[] = { { domid, PV_XS_PERM_NONE } };
	char *p = pv_asprintf("/local/domain/%u", domid);
	char *d = pv_asprintf("/local/domain/%u/data", domid);

	assert_int_equal(xmkdir(f, PV_XBT_NULL, p), 0);
	assert_int_equal(xperms(f, p, home, 2), 0);
	assert_int_equal(xmkdir(f, PV_XBT_NULL, d), 0);
	assert_int_equal(xperms(f, d, own, 1), 0);
	free(p);
	free(d);
}

/* --- the starting state --- */

static void test_initial_state(void **state)
{
	struct fx *f = *state;
	struct pv_dominfo info;

	assert_int_equal(pv_sim_xs_node_count(f->s), 8);
	assert_val(f, PV_XBT_NULL, "/local/domain/0/name", "Domain-0");
	assert_true(pv_sim_xs_exists(f->s, "/vm"));
	assert_true(pv_sim_xs_exists(f->s, "/tool"));
	assert_int_equal(pv_sim_domain_count(f->s), 1);
	getinfo(f, 0, &info);
	assert_int_equal(info.cur_kb, 512 * 1024);
	assert_true(info.running);
	assert_false(info.paused);
	assert_int_equal(pv_sim_caller(f->s), 0);
}

static void test_physinfo(void **state)
{
	struct fx *f = *state;
	struct pv_physinfo pi;

	pv_sim_set_host(f->s, 16, 64 * 1024 * 1024, 60 * 1024 * 1024);
	assert_int_equal(f->hv.ops->physinfo(f->hv.h, &pi), 0);
	assert_int_equal(pi.nr_cpus, 16);
	assert_int_equal(pi.total_kb, 64 * 1024 * 1024);
	assert_int_equal(pi.free_kb, 60 * 1024 * 1024);
	assert_int_equal(pi.xen_major, 4);
	assert_non_null(strstr(pi.xen_caps, "xen-3.0-x86_64"));
}

static void test_close_keeps_sim(void **state)
{
	struct fx *f = *state;

	f->hv.ops->close(f->hv.h);
	assert_val(f, PV_XBT_NULL, "/local/domain/0/domid", "0");
}

/* --- XenStore nodes --- */

static void test_read_missing(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/nope"), -ENOENT);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/vm/a/b"), -ENOENT);
}

static void test_binary_value(void **state)
{
	struct fx *f = *state;
	static const char bin[] = { 'a', 0, 'b', 0, 'c' };
	char *v = NULL;
	size_t len = 0;

	assert_int_equal(f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, "/tool/bin",
					     bin, sizeof(bin)), 0);
	assert_int_equal(f->hv.ops->xs_read(f->hv.h, PV_XBT_NULL, "/tool/bin",
					    &v, &len), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(v, bin, sizeof(bin));
	assert_int_equal(v[len], '\0');
	free(v);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/empty", ""), 0);
	assert_val(f, PV_XBT_NULL, "/tool/empty", "");
}

static void test_write_creates_parents(void **state)
{
	struct fx *f = *state;
	struct pv_xs_perm p[] = { { 0, PV_XS_PERM_NONE },
				  { 7, PV_XS_PERM_READ } };
	struct pv_xs_perm *got = NULL;
	size_t n = 0;

	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/a"), 0);
	assert_int_equal(xperms(f, "/a", p, 2), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/a/b/c/d", "v"), 0);
	assert_val(f, PV_XBT_NULL, "/a/b", "");
	assert_val(f, PV_XBT_NULL, "/a/b/c", "");
	assert_val(f, PV_XBT_NULL, "/a/b/c/d", "v");
	assert_int_equal(pv_sim_xs_node_count(f->s), 8 + 4);
	/* Implicit parents inherit the permissions of their parent. */
	assert_int_equal(f->hv.ops->xs_get_perms(f->hv.h, PV_XBT_NULL,
						 "/a/b/c", &got, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].domid, 0);
	assert_int_equal(got[1].domid, 7);
	assert_int_equal(got[1].perm, PV_XS_PERM_READ);
	free(got);
}

static void test_mkdir_idempotent(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/x", "keep"), 0);
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/tool/x"), 0);
	assert_val(f, PV_XBT_NULL, "/tool/x", "keep");
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/tool/y/z"), 0);
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/tool/y/z"), 0);
	assert_val(f, PV_XBT_NULL, "/tool/y/z", "");
}

static void test_directory(void **state)
{
	struct fx *f = *state;
	char **names = NULL;
	size_t n = 9;

	/* xenstored lists children in creation order, not sorted. */
	assert_int_equal(xw(f, PV_XBT_NULL, "/d/b", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/d/a", "2"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/d/c/x", "3"), 0);
	assert_int_equal(f->hv.ops->xs_directory(f->hv.h, PV_XBT_NULL, "/d",
						 &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "a");
	assert_string_equal(names[2], "c");
	free_names(names, n);
	assert_int_equal(f->hv.ops->xs_directory(f->hv.h, PV_XBT_NULL, "/d/a",
						 &names, &n), 0);
	assert_int_equal(n, 0);
	free_names(names, n);
	assert_int_equal(f->hv.ops->xs_directory(f->hv.h, PV_XBT_NULL, "/no",
						 &names, &n), -ENOENT);
}

static void test_rm(void **state)
{
	struct fx *f = *state;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(xw(f, PV_XBT_NULL, "/r/a/b/c", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/r/a/d", "2"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/r/e", "3"), 0);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/r/a"), 0);
	assert_false(pv_sim_xs_exists(f->s, "/r/a"));
	assert_false(pv_sim_xs_exists(f->s, "/r/a/b/c"));
	assert_false(pv_sim_xs_exists(f->s, "/r/a/d"));
	assert_val(f, PV_XBT_NULL, "/r/e", "3");
	assert_int_equal(f->hv.ops->xs_directory(f->hv.h, PV_XBT_NULL, "/r",
						 &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "e");
	free_names(names, n);
	/* Missing node: fine if the parent exists, else ENOENT. */
	assert_int_equal(xrm(f, PV_XBT_NULL, "/r/a"), 0);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/r/a/b"), -ENOENT);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/"), -EINVAL);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/r"), 0);
	assert_int_equal(pv_sim_xs_node_count(f->s), 8);
}

static void test_path_rules(void **state)
{
	struct fx *f = *state;
	char *long_path, *big;

	assert_int_equal(xw(f, PV_XBT_NULL, "", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "/a//b", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "/a/", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "/a b", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "/a.b", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "@releaseDomain", "x"), -EINVAL);
	assert_int_equal(xw(f, PV_XBT_NULL, "/ok-_@9", "x"), 0);
	/* Relative paths are below the caller's home, for dom0 too. */
	assert_int_equal(xw(f, PV_XBT_NULL, "rel", "x"), 0);
	assert_true(pv_sim_xs_exists(f->s, "/local/domain/0/rel"));

	long_path = pv_malloc(3100);
	memset(long_path, 'a', 3099);
	long_path[0] = '/';
	long_path[3073] = '\0';
	assert_int_equal(xw(f, PV_XBT_NULL, long_path, ""), -EINVAL);
	long_path[3072] = '\0';
	assert_int_equal(xw(f, PV_XBT_NULL, long_path, ""), 0);
	free(long_path);

	/* The request (path, NUL, value) must fit XENSTORE_PAYLOAD_MAX. */
	big = pv_malloc(4097);
	memset(big, 'v', 4096);
	big[4096 - sizeof("/tool/big")] = '\0';
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/big", big), 0);
	big[4096 - sizeof("/tool/big")] = 'v';
	big[4096 - sizeof("/tool/big") + 1] = '\0';
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/big", big), -E2BIG);
	free(big);
}

/* --- permissions --- */

static void test_guest_permissions(void **state)
{
	struct fx *f = *state;
	struct pv_xs_perm *got = NULL;
	size_t n = 0;

	make_guest_home(f, 5);
	pv_sim_set_caller(f->s, 5);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/local/domain/5"), 0);
	/* Read-only home: no new children there. */
	assert_int_equal(xw(f, PV_XBT_NULL, "/local/domain/5/x", "1"),
			 -EACCES);
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/local/domain/5/x"),
			 -EACCES);
	/* Its own data/ is writable, by absolute or relative path. */
	assert_int_equal(xw(f, PV_XBT_NULL, "/local/domain/5/data/a", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "data/b/c", "2"), 0);
	assert_val(f, PV_XBT_NULL, "data/b/c", "2");
	/* Elsewhere nothing, and a missing node there is EACCES too. */
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/local/domain/0/name"),
			 -EACCES);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/local/domain/0/nope"),
			 -EACCES);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/local/domain/5/nope"),
			 -ENOENT);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/x", "1"), -EACCES);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/local/domain/0/name"),
			 -EACCES);
	assert_int_equal(xrm(f, PV_XBT_NULL, "/local/domain/5/data/a"), 0);
	pv_sim_set_caller(f->s, 0);
	assert_val(f, PV_XBT_NULL, "/local/domain/5/data/b/c", "2");
	/* What a guest creates, it owns. */
	assert_int_equal(f->hv.ops->xs_get_perms(f->hv.h, PV_XBT_NULL,
						 "/local/domain/5/data/b/c",
						 &got, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].domid, 5);
	free(got);
}

static void test_guest_granted_write(void **state)
{
	struct fx *f = *state;
	struct pv_xs_perm shared[] = { { 0, PV_XS_PERM_NONE },
				       { 5, PV_XS_PERM_BOTH } };
	struct pv_xs_perm *got = NULL;
	size_t n = 0;

	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/shared"), 0);
	assert_int_equal(xperms(f, "/shared", shared, 2), 0);
	pv_sim_set_caller(f->s, 5);
	assert_int_equal(xw(f, PV_XBT_NULL, "/shared/x", "1"), 0);
	assert_int_equal(f->hv.ops->xs_get_perms(f->hv.h, PV_XBT_NULL,
						 "/shared/x", &got, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].domid, 5);	/* owner: the creator */
	assert_int_equal(got[1].domid, 5);
	free(got);
	/* Domain 6 gets the default entry: nothing. */
	pv_sim_set_caller(f->s, 6);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/shared"), -EACCES);
	assert_int_equal(xw(f, PV_XBT_NULL, "/shared/y", "1"), -EACCES);
}

static void test_set_perms_rules(void **state)
{
	struct fx *f = *state;
	struct pv_xs_perm mine[] = { { 5, PV_XS_PERM_READ } };
	struct pv_xs_perm theirs[] = { { 6, PV_XS_PERM_NONE } };
	struct pv_xs_perm bad[] = { { 0, 9 } };
	struct pv_xs_perm many[6] = { { 5, 0 } };

	make_guest_home(f, 5);
	assert_int_equal(xperms(f, "/tool", bad, 1), -EINVAL);
	assert_int_equal(xperms(f, "/tool", bad, 0), -EINVAL);
	pv_sim_set_caller(f->s, 5);
	assert_int_equal(xperms(f, "/local/domain/5/data", mine, 1), 0);
	/* A guest cannot give its node away, nor touch dom0's. */
	assert_int_equal(xperms(f, "/local/domain/5/data", theirs, 1),
			 -EPERM);
	assert_int_equal(xperms(f, "/local/domain/5", mine, 1), -EACCES);
	assert_int_equal(xperms(f, "/local/domain/5/data", many, 6), -ENOSPC);
	/* Nor write a value over the guest quota. */
	{
		char *big = pv_malloc(2050);

		memset(big, 'x', 2049);
		big[2049] = '\0';
		assert_int_equal(xw(f, PV_XBT_NULL, "data/big", big), -ENOSPC);
		free(big);
	}
	/* dom0 bypasses all of it. */
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(xperms(f, "/local/domain/5/data", theirs, 1), 0);
}

/* --- transactions --- */

static void test_tx_isolation(void **state)
{
	struct fx *f = *state;
	pv_xbt t = tx_start(f);

	assert_int_equal(xw(f, t, "/tool/t/a", "in"), 0);
	assert_int_equal(xr_rc(f, PV_XBT_NULL, "/tool/t/a"), -ENOENT);
	assert_val(f, t, "/tool/t/a", "in");
	assert_int_equal(tx_end(f, t, false), 0);
	assert_val(f, PV_XBT_NULL, "/tool/t/a", "in");
}

static void test_tx_conflict(void **state)
{
	struct fx *f = *state;
	pv_xbt t;

	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/c", "0"), 0);
	t = tx_start(f);
	assert_val(f, t, "/tool/c", "0");
	assert_int_equal(xw(f, t, "/tool/other", "tx"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/c", "1"), 0);
	assert_val(f, t, "/tool/c", "0");	/* still its own view */
	assert_int_equal(tx_end(f, t, false), -EAGAIN);
	assert_val(f, PV_XBT_NULL, "/tool/c", "1");
	assert_false(pv_sim_xs_exists(f->s, "/tool/other"));
	/* The id is gone after END whatever happened. */
	assert_int_equal(tx_end(f, t, false), -ENOENT);
}

static void test_tx_unrelated_commits(void **state)
{
	struct fx *f = *state;
	pv_xbt t;

	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/x"), 0);
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/y"), 0);
	t = tx_start(f);
	assert_int_equal(xw(f, t, "/x/a", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/y/b", "2"), 0);
	assert_int_equal(tx_end(f, t, false), 0);
	assert_val(f, PV_XBT_NULL, "/x/a", "1");
	assert_val(f, PV_XBT_NULL, "/y/b", "2");
}

static void test_tx_conflict_siblings(void **state)
{
	struct fx *f = *state;
	pv_xbt t;

	/* Adding a child changes the parent: siblings conflict. */
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/p"), 0);
	t = tx_start(f);
	assert_int_equal(xw(f, t, "/p/c1", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/p/c2", "2"), 0);
	assert_int_equal(tx_end(f, t, false), -EAGAIN);
	assert_false(pv_sim_xs_exists(f->s, "/p/c1"));
}

static void test_tx_conflict_on_missing_read(void **state)
{
	struct fx *f = *state;
	pv_xbt t = tx_start(f);

	assert_int_equal(xr_rc(f, t, "/tool/flag"), -ENOENT);
	assert_int_equal(xw(f, t, "/tool/seen", "no"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/flag", "1"), 0);
	assert_int_equal(tx_end(f, t, false), -EAGAIN);
}

static void test_tx_abort_and_rm(void **state)
{
	struct fx *f = *state;
	pv_xbt t;

	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/k/a", "1"), 0);
	t = tx_start(f);
	assert_int_equal(xrm(f, t, "/tool/k"), 0);
	assert_int_equal(xr_rc(f, t, "/tool/k/a"), -ENOENT);
	assert_val(f, PV_XBT_NULL, "/tool/k/a", "1");
	assert_int_equal(tx_end(f, t, true), 0);
	assert_val(f, PV_XBT_NULL, "/tool/k/a", "1");
	t = tx_start(f);
	assert_int_equal(xrm(f, t, "/tool/k"), 0);
	assert_int_equal(tx_end(f, t, false), 0);
	assert_false(pv_sim_xs_exists(f->s, "/tool/k"));
	assert_false(pv_sim_xs_exists(f->s, "/tool/k/a"));
}

static void test_tx_unknown_id(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xr_rc(f, 4242, "/tool"), -ENOENT);
	assert_int_equal(xw(f, 4242, "/tool/a", "1"), -ENOENT);
	assert_int_equal(xrm(f, 4242, "/tool"), -ENOENT);
	assert_int_equal(tx_end(f, 4242, false), -ENOENT);
}

/* --- watches --- */

static void test_watch_initial_and_subtree(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xwatch(f, "/w", "tok"), 0);
	expect_event(f, "/w", "tok");
	expect_no_event(f);
	assert_int_equal(xw(f, PV_XBT_NULL, "/w/a/b", "1"), 0);
	expect_event(f, "/w/a/b", "tok");
	assert_int_equal(xw(f, PV_XBT_NULL, "/ww", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/x", "1"), 0);
	expect_no_event(f);
	assert_int_equal(xwatch(f, "/w", "tok"), -EEXIST);
	assert_int_equal(xwatch(f, "/w", "tok2"), 0);
	expect_event(f, "/w", "tok2");
}

static void test_watch_dedup(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xwatch(f, "/w", "t"), 0);
	expect_event(f, "/w", "t");
	assert_int_equal(xw(f, PV_XBT_NULL, "/w/a", "1"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/w/a", "2"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/w/b", "3"), 0);
	assert_int_equal(pv_sim_xs_pending(f->s), 2);
	expect_event(f, "/w/a", "t");
	expect_event(f, "/w/b", "t");
	expect_no_event(f);
}

static void test_watch_rm(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xw(f, PV_XBT_NULL, "/a/b/c", "1"), 0);
	assert_int_equal(xwatch(f, "/a/b/c", "child"), 0);
	assert_int_equal(xwatch(f, "/a", "top"), 0);
	expect_event(f, "/a/b/c", "child");
	expect_event(f, "/a", "top");
	assert_int_equal(xrm(f, PV_XBT_NULL, "/a/b"), 0);
	expect_event(f, "/a/b/c", "child");
	expect_event(f, "/a/b", "top");
	expect_no_event(f);
}

static void test_watch_mkdir_and_perms(void **state)
{
	struct fx *f = *state;
	struct pv_xs_perm p[] = { { 0, PV_XS_PERM_READ } };

	assert_int_equal(xwatch(f, "/m", "t"), 0);
	expect_event(f, "/m", "t");
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/m"), 0);
	expect_event(f, "/m", "t");
	assert_int_equal(xmkdir(f, PV_XBT_NULL, "/m"), 0);
	expect_no_event(f);	/* nothing changed */
	assert_int_equal(xperms(f, "/m", p, 1), 0);
	expect_event(f, "/m", "t");
}

static void test_watch_in_transaction(void **state)
{
	struct fx *f = *state;
	pv_xbt t;

	assert_int_equal(xwatch(f, "/tw", "t"), 0);
	expect_event(f, "/tw", "t");
	t = tx_start(f);
	assert_int_equal(xw(f, t, "/tw/a", "1"), 0);
	expect_no_event(f);
	assert_int_equal(tx_end(f, t, false), 0);
	expect_event(f, "/tw/a", "t");

	t = tx_start(f);
	assert_int_equal(xw(f, t, "/tw/b", "1"), 0);
	assert_int_equal(tx_end(f, t, true), 0);
	expect_no_event(f);

	t = tx_start(f);
	assert_int_equal(xw(f, t, "/tw/a", "2"), 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tw/a", "3"), 0);
	expect_event(f, "/tw/a", "t");
	assert_int_equal(tx_end(f, t, false), -EAGAIN);
	expect_no_event(f);
}

static void test_unwatch(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xwatch(f, "/u", "t"), 0);
	assert_int_equal(xwatch(f, "/v", "t"), 0);
	/* Queued events of the removed watch go too. */
	assert_int_equal(f->hv.ops->xs_unwatch(f->hv.h, "/u", "t"), 0);
	expect_event(f, "/v", "t");
	expect_no_event(f);
	assert_int_equal(xw(f, PV_XBT_NULL, "/u/x", "1"), 0);
	expect_no_event(f);
	assert_int_equal(f->hv.ops->xs_unwatch(f->hv.h, "/u", "t"), -ENOENT);
	assert_int_equal(f->hv.ops->xs_unwatch(f->hv.h, "/v", "other"),
			 -ENOENT);
}

static void test_watch_guest(void **state)
{
	struct fx *f = *state;

	make_guest_home(f, 5);
	pv_sim_set_caller(f->s, 5);
	/* A relative watch reports relative paths. */
	assert_int_equal(xwatch(f, "data", "g"), 0);
	expect_event(f, "data", "g");
	assert_int_equal(xw(f, PV_XBT_NULL, "data/x", "1"), 0);
	expect_event(f, "data/x", "g");
	/* A guest is not told about nodes it cannot read. */
	assert_int_equal(xwatch(f, "/tool", "t"), 0);
	expect_event(f, "/tool", "t");
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/secret", "1"), 0);
	expect_no_event(f);
	assert_int_equal(xw(f, PV_XBT_NULL, "/local/domain/5/data/y", "1"), 0);
	expect_event(f, "data/y", "g");
}

static void test_special_watches(void **state)
{
	struct fx *f = *state;
	uint32_t domid, port;

	assert_int_equal(xwatch(f, "@introduceDomain", "in"), 0);
	assert_int_equal(xwatch(f, "@releaseDomain", "out"), 0);
	expect_event(f, "@introduceDomain", "in");
	expect_event(f, "@releaseDomain", "out");
	domid = new_domain(f);
	port = new_port(f, domid);
	/* Writes to ordinary nodes don't reach special watches. */
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/x", "1"), 0);
	expect_no_event(f);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, 99, 1, port), -ESRCH);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, 77),
			 -EINVAL);
	pv_sim_set_caller(f->s, domid);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, port),
			 -EACCES);
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, port), 0);
	assert_true(pv_sim_domain_introduced(f->s, domid));
	expect_event(f, "@introduceDomain", "in");
	assert_int_equal(f->hv.ops->xs_release(f->hv.h, domid), 0);
	expect_event(f, "@releaseDomain", "out");
	assert_false(pv_sim_domain_introduced(f->s, domid));
	assert_int_equal(f->hv.ops->xs_release(f->hv.h, domid), -ENOENT);
	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, domid), 0);
	expect_event(f, "@releaseDomain", "out");
	expect_no_event(f);
}

static void test_introduce_port_rules(void **state)
{
	struct fx *f = *state;
	uint32_t domid = new_domain(f), other, port;

	/* The store port must be offered to the xenstore domain (0). */
	assert_int_equal(f->hv.ops->evtchn_alloc_unbound(f->hv.h, domid, 3,
							 &other), 0);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, other),
			 -EINVAL);
	port = new_port(f, domid);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, port), 0);
	/* Again: a reconnect, no new event, still fine. */
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, domid, 1, port), 0);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, 0, 1, port),
			 -EINVAL);
}

static void test_idle_hook(void **state)
{
	struct fx *f = *state;

	make_guest_home(f, 5);
	assert_int_equal(xwatch(f, "/local/domain/5/data/state", "st"), 0);
	expect_event(f, "/local/domain/5/data/state", "st");
	pv_sim_on_idle(f->s, NULL, NULL);
	expect_no_event(f);
}

static void guest_answers(struct pv_sim *s, void *arg)
{
	struct fx *f = arg;

	pv_sim_set_caller(s, 5);
	assert_int_equal(xw(f, PV_XBT_NULL, "data/state", "4"), 0);
	pv_sim_on_idle(s, NULL, NULL);
}

static void test_idle_hook_plays_guest(void **state)
{
	struct fx *f = *state;

	make_guest_home(f, 5);
	assert_int_equal(xwatch(f, "/local/domain/5/data/state", "st"), 0);
	expect_event(f, "/local/domain/5/data/state", "st");
	pv_sim_on_idle(f->s, guest_answers, f);
	expect_event(f, "/local/domain/5/data/state", "st");
	assert_int_equal(pv_sim_caller(f->s), 0);
	assert_val(f, PV_XBT_NULL, "/local/domain/5/data/state", "4");
	expect_no_event(f);
}

/* --- domains --- */

static void test_domain_lifecycle(void **state)
{
	struct fx *f = *state;
	struct pv_dominfo info, list[8];
	uint32_t a, b, c;
	size_t n = 0;

	a = new_domain(f);
	b = new_domain(f);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	getinfo(f, a, &info);
	assert_true(info.paused);
	assert_false(info.running);
	assert_int_equal(info.uuid[1], 2);
	assert_int_equal(info.online_vcpus, 2);
	assert_int_equal(info.max_vcpu_id, 1);
	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, a), 0);
	assert_int_equal(f->hv.ops->domain_getinfo(f->hv.h, a, &info), -ESRCH);
	/* Ids are not reused at once. */
	c = new_domain(f);
	assert_int_equal(c, 3);
	assert_int_equal(f->hv.ops->domain_list(f->hv.h, list, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].domid, 0);
	assert_int_equal(list[1].domid, 2);
	assert_int_equal(list[2].domid, 3);
	assert_int_equal(f->hv.ops->domain_list(f->hv.h, list, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pv_sim_domain_count(f->s), 3);
	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, a), -ESRCH);
	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, 0), -EINVAL);
	assert_int_equal(f->hv.ops->domain_create(f->hv.h, NULL, 0, NULL, &c),
			 -EINVAL);
}

static void test_pause_counts(void **state)
{
	struct fx *f = *state;
	struct pv_dominfo info;
	uint32_t d = new_domain(f);

	assert_int_equal(f->hv.ops->domain_pause(f->hv.h, d), 0);
	assert_int_equal(f->hv.ops->domain_unpause(f->hv.h, d), 0);
	getinfo(f, d, &info);
	assert_true(info.paused);	/* created paused, paused once more */
	assert_int_equal(f->hv.ops->domain_unpause(f->hv.h, d), 0);
	getinfo(f, d, &info);
	assert_false(info.paused);
	assert_false(info.running);	/* nothing built to run */
	assert_int_equal(f->hv.ops->domain_unpause(f->hv.h, d), -EINVAL);
	assert_int_equal(f->hv.ops->domain_pause(f->hv.h, 0), -EINVAL);
	assert_int_equal(f->hv.ops->domain_pause(f->hv.h, 77), -ESRCH);
}

static void test_evtchn_ports(void **state)
{
	struct fx *f = *state;
	uint32_t a = new_domain(f), b = new_domain(f), port;

	assert_int_equal(new_port(f, a), 1);
	assert_int_equal(new_port(f, a), 2);
	assert_int_equal(new_port(f, b), 1);
	assert_int_equal(new_port(f, a), 3);
	assert_int_equal(f->hv.ops->evtchn_alloc_unbound(f->hv.h, 50, 0,
							 &port), -ESRCH);
}

static void test_build_pv(void **state)
{
	struct fx *f = *state;
	struct pv_build_req req;
	struct pv_build_out out, out2;
	struct pv_dominfo info;
	uint64_t before = free_kb(f);
	uint32_t d = new_domain(f);
	char *err = NULL;

	build_req(f, d, &req, 256 * 1024);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err), 0);
	assert_null(err);
	getinfo(f, d, &info);
	assert_int_equal(info.cur_kb, 256 * 1024);
	assert_int_equal(info.max_kb, 512 * 1024);
	assert_true(info.paused);	/* the toolstack unpauses */
	assert_int_equal(free_kb(f), before - 256 * 1024);
	assert_int_not_equal(out.store_mfn, 0);
	assert_int_not_equal(out.console_mfn, out.store_mfn);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out2, &err),
			 -EINVAL);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(f->hv.ops->domain_unpause(f->hv.h, d), 0);
	getinfo(f, d, &info);
	assert_true(info.running);
	assert_int_equal(f->hv.ops->domain_destroy(f->hv.h, d), 0);
	assert_int_equal(free_kb(f), before);
}

static void test_build_pv_errors(void **state)
{
	struct fx *f = *state;
	static const char image[] = "\177ELF";
	struct pv_build_req req;
	struct pv_build_out out;
	uint32_t d = new_domain(f);
	char *err = NULL;

	build_req(f, d, &req, 1024);
	req.kernel_path = "/nonexistent/vmlinuz";
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err),
			 -ENOENT);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/vmlinuz"));
	free(err);
	err = NULL;
	req.store_port = 40;
	req.kernel_mem = image;
	req.kernel_size = sizeof(image);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err),
			 -EINVAL);
	free(err);
	err = NULL;
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, 60, &req, &out, &err),
			 -ESRCH);
	free(err);
	err = NULL;
	/* From memory, no file needed. */
	build_req(f, d, &req, 1024);
	req.kernel_path = NULL;
	req.kernel_mem = image;
	req.kernel_size = sizeof(image);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err), 0);
	assert_null(err);
}

static void test_build_out_of_memory(void **state)
{
	struct fx *f = *state;
	struct pv_build_req req;
	struct pv_build_out out;
	struct pv_dominfo info;
	uint32_t d;
	char *err = NULL;

	pv_sim_set_host(f->s, 2, 2 * 1024 * 1024, 300 * 1024);
	d = new_domain(f);
	build_req(f, d, &req, 512 * 1024);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err),
			 -ENOMEM);
	assert_non_null(strstr(err, "Out of memory"));
	free(err);
	err = NULL;
	getinfo(f, d, &info);
	assert_int_equal(info.cur_kb, 0);
	assert_int_equal(free_kb(f), 300 * 1024);
	req.memory_kb = 300 * 1024;
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err), 0);
	assert_int_equal(free_kb(f), 0);
}

static void test_balloon_accounting(void **state)
{
	struct fx *f = *state;
	struct pv_build_req req;
	struct pv_build_out out;
	struct pv_dominfo info;
	uint64_t before = free_kb(f);
	uint32_t d = new_domain(f);
	char *err = NULL;

	build_req(f, d, &req, 256 * 1024);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err), 0);
	assert_int_equal(pv_sim_domain_set_mem(f->s, d, 128 * 1024), 0);
	assert_int_equal(free_kb(f), before - 128 * 1024);
	assert_int_equal(pv_sim_domain_set_mem(f->s, d, 600 * 1024), -EINVAL);
	assert_int_equal(f->hv.ops->domain_setmaxmem(f->hv.h, d, 64 * 1024),
			 0);
	getinfo(f, d, &info);
	assert_int_equal(info.max_kb, 64 * 1024);
	assert_int_equal(info.cur_kb, 128 * 1024);	/* Xen doesn't check */
	assert_int_equal(f->hv.ops->domain_setmaxmem(f->hv.h, d,
						     16ull << 20), 0);
	pv_sim_set_host(f->s, 4, 8 << 20, 1024);
	assert_int_equal(pv_sim_domain_set_mem(f->s, d, 130 * 1024), -ENOMEM);
	assert_int_equal(pv_sim_domain_set_mem(f->s, d, 129 * 1024), 0);
	assert_int_equal(free_kb(f), 0);
	assert_int_equal(pv_sim_domain_set_mem(f->s, 99, 1), -ESRCH);
}

static void test_shutdown_and_crash(void **state)
{
	struct fx *f = *state;
	struct pv_dominfo info;
	uint32_t a = new_domain(f), b = new_domain(f);

	assert_int_equal(xwatch(f, "@releaseDomain", "rel"), 0);
	expect_event(f, "@releaseDomain", "rel");
	assert_int_equal(f->hv.ops->domain_shutdown(f->hv.h, a,
						    PV_SHUTDOWN_REBOOT), 0);
	getinfo(f, a, &info);
	assert_true(info.shutdown);
	assert_false(info.crashed);
	assert_int_equal(info.shutdown_reason, PV_SHUTDOWN_REBOOT);
	expect_event(f, "@releaseDomain", "rel");
	/* Already shutting down: ignored, no second event. */
	assert_int_equal(f->hv.ops->domain_shutdown(f->hv.h, a,
						    PV_SHUTDOWN_POWEROFF), 0);
	getinfo(f, a, &info);
	assert_int_equal(info.shutdown_reason, PV_SHUTDOWN_REBOOT);
	expect_no_event(f);
	assert_int_equal(f->hv.ops->domain_shutdown(f->hv.h, b, 9), -EINVAL);

	assert_int_equal(pv_sim_domain_set_state(f->s, b, PV_SIM_DOM_SHUTDOWN,
						 PV_SHUTDOWN_CRASH), 0);
	getinfo(f, b, &info);
	assert_true(info.crashed);
	expect_event(f, "@releaseDomain", "rel");
	assert_int_equal(pv_sim_domain_set_state(f->s, b, PV_SIM_DOM_RUNNING,
						 0), 0);
	getinfo(f, b, &info);
	assert_false(info.shutdown);
	assert_int_equal(pv_sim_domain_set_state(f->s, b, PV_SIM_DOM_DYING, 0),
			 0);
	getinfo(f, b, &info);
	assert_true(info.dying);
	expect_event(f, "@releaseDomain", "rel");
	assert_int_equal(pv_sim_domain_set_state(f->s, 99, PV_SIM_DOM_DYING,
						 0), -ESRCH);
}

static void test_vcpu_affinity(void **state)
{
	struct fx *f = *state;
	uint32_t d = new_domain(f);
	uint8_t map[1] = { 0x04 };	/* CPU 2 */
	uint8_t off_host[2] = { 0x00, 0x01 };	/* CPU 8: not on a 4-way */

	assert_true(pv_sim_vcpu_has_cpu(f->s, d, 1, 0));
	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, d, 1, map, NULL, 8),
			 0);
	assert_false(pv_sim_vcpu_has_cpu(f->s, d, 1, 0));
	assert_true(pv_sim_vcpu_has_cpu(f->s, d, 1, 2));
	assert_true(pv_sim_vcpu_has_cpu(f->s, d, 0, 0));
	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, d, 2, map, NULL, 8),
			 -EINVAL);
	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, d, 0,
						      off_host, NULL, 16), -EINVAL);
	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, 9, 0, map, NULL, 8),
			 -ESRCH);
}

/* Soft affinity: set alone (hard stays), reported by vcpu_getinfo. */
static void test_vcpu_soft_affinity(void **state)
{
	struct fx *f = *state;
	uint32_t d = new_domain(f);
	uint8_t cpu3[1] = { 0x08 }, cpu2[1] = { 0x04 };
	struct pv_vcpuinfo vi;

	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, d, 0, NULL, cpu3, 8), 0);
	assert_int_equal(f->hv.ops->vcpu_getinfo(f->hv.h, d, 0, &vi), 0);
	assert_int_equal(vi.soft_affinity[0], 0x08);
	assert_int_equal(vi.affinity[0], 0xff);
	assert_int_equal(f->hv.ops->vcpu_set_affinity(f->hv.h, d, 0, cpu2, NULL, 8), 0);
	assert_int_equal(f->hv.ops->vcpu_getinfo(f->hv.h, d, 0, &vi), 0);
	assert_int_equal(vi.soft_affinity[0], 0x08);
	assert_int_equal(vi.affinity[0], 0x04);
	assert_int_equal(f->hv.ops->vcpu_getinfo(f->hv.h, d, 1, &vi), 0);
	assert_int_equal(vi.soft_affinity[0], 0xff);
}

/* --- failure injection --- */

static void test_fail_next(void **state)
{
	struct fx *f = *state;
	unsigned int n = pv_sim_calls(f->s, "xs_write");

	pv_sim_fail_next(f->s, "xs_write", -EIO);
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/f", "1"), -EIO);
	assert_false(pv_sim_xs_exists(f->s, "/tool/f"));
	assert_int_equal(xw(f, PV_XBT_NULL, "/tool/f", "1"), 0);
	assert_int_equal(pv_sim_calls(f->s, "xs_write"), n + 2);
}

static void test_fail_nth(void **state)
{
	struct fx *f = *state;
	uint32_t domid;

	pv_sim_fail_nth(f->s, "domain_create", 2, -ENOMEM);
	new_domain(f);
	assert_int_equal(f->hv.ops->domain_create(f->hv.h, NULL, 1, NULL, &domid),
			 -ENOMEM);
	assert_int_equal(pv_sim_domain_count(f->s), 2);
	new_domain(f);
	assert_int_equal(pv_sim_domain_count(f->s), 3);
	assert_int_equal(pv_sim_calls(f->s, "domain_create"), 3);
}

static void test_fail_build_and_evtchn(void **state)
{
	struct fx *f = *state;
	struct pv_build_req req;
	struct pv_build_out out;
	uint32_t d = new_domain(f), port;
	char *err = NULL;

	build_req(f, d, &req, 1024);
	pv_sim_fail_next(f->s, "build_pv", -EFAULT);
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err),
			 -EFAULT);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(f->hv.ops->build_pv(f->hv.h, d, &req, &out, &err), 0);
	pv_sim_fail_next(f->s, "evtchn_alloc_unbound", -ENOSPC);
	assert_int_equal(f->hv.ops->evtchn_alloc_unbound(f->hv.h, d, 0, &port),
			 -ENOSPC);
	pv_sim_fail_next(f->s, "xs_introduce", -EIO);
	assert_int_equal(f->hv.ops->xs_introduce(f->hv.h, d, out.store_mfn,
						 req.store_port), -EIO);
	assert_false(pv_sim_domain_introduced(f->s, d));
}

static void test_fail_transaction_end(void **state)
{
	struct fx *f = *state;
	pv_xbt t = tx_start(f);

	assert_int_equal(xw(f, t, "/tool/q", "1"), 0);
	pv_sim_fail_next(f->s, "xs_transaction_end", -EAGAIN);
	assert_int_equal(tx_end(f, t, false), -EAGAIN);
	assert_false(pv_sim_xs_exists(f->s, "/tool/q"));
	assert_int_equal(tx_end(f, t, false), -ENOENT);
}

/* --- dump --- */

static void test_dump(void **state)
{
	struct fx *f = *state;
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	static const char odd[] = { 'q', '"', 1 };

	assert_int_equal(f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, "/tool/o",
					     odd, sizeof(odd)), 0);
	pv_sim_xs_dump(f->s, m);
	fclose(m);
	assert_non_null(strstr(text,
			       "/local/domain/0/name = \"Domain-0\" (n0)\n"));
	assert_non_null(strstr(text, "/tool/o = \"q\\\"\\x01\" (n0)\n"));
	free(text);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* --- scheduler share, create limits, nomigrate --- */

static void test_sched_credit(void **state)
{
	struct fx *f = *state;
	uint32_t domid = new_domain(f);
	struct pv_sched_credit sc = { 0, 0 };
	unsigned int sched = 0;
	const struct pv_hv_ops *o = f->hv.ops;

	assert_int_equal(o->sched_id(f->hv.h, domid, &sched), 0);
	assert_int_equal(sched, PV_SCHED_CREDIT);
	assert_int_equal(o->sched_credit_get(f->hv.h, domid, PV_SCHED_CREDIT, &sc), 0);
	assert_int_equal(sc.weight, 256);
	assert_int_equal(sc.cap, 0);
	/* Weight 0 keeps the weight, as Xen's credit schedulers do. */
	sc.weight = 0;
	sc.cap = 200;
	assert_int_equal(o->sched_credit_set(f->hv.h, domid, PV_SCHED_CREDIT, &sc), 0);
	sc.weight = 700;
	assert_int_equal(o->sched_credit_set(f->hv.h, domid, PV_SCHED_CREDIT, &sc), 0);
	assert_int_equal(o->sched_credit_get(f->hv.h, domid, PV_SCHED_CREDIT, &sc), 0);
	assert_int_equal(sc.weight, 700);
	assert_int_equal(sc.cap, 200);
	/* 2 vCPUs: 200% at most; the domain's scheduler only. */
	sc.cap = 201;
	assert_int_equal(o->sched_credit_set(f->hv.h, domid, PV_SCHED_CREDIT, &sc),
			 -EINVAL);
	sc.cap = 0;
	assert_int_equal(o->sched_credit_set(f->hv.h, domid, PV_SCHED_CREDIT2, &sc),
			 -EINVAL);
	pv_sim_set_sched(f->s, PV_SCHED_CREDIT2);
	assert_int_equal(o->sched_id(f->hv.h, domid, &sched), 0);
	assert_int_equal(sched, PV_SCHED_CREDIT2);
	assert_int_equal(o->sched_credit_get(f->hv.h, domid, PV_SCHED_CREDIT, &sc),
			 -EINVAL);
	assert_int_equal(o->sched_credit_get(f->hv.h, 99, PV_SCHED_CREDIT2, &sc),
			 -ESRCH);
	assert_int_equal(o->sched_id(f->hv.h, 99, &sched), -ESRCH);
}

static void test_create_limits(void **state)
{
	struct fx *f = *state;
	struct pv_create_limits lim = { 48, 0, 2047 }, bad = { -2, -1, 1023 };
	uint32_t a = 0, b = 0;

	assert_int_equal(f->hv.ops->domain_create(f->hv.h, NULL, 1, &lim, &a), 0);
	memset(&lim, 0, sizeof(lim));
	assert_int_equal(pv_sim_domain_limits(f->s, a, &lim), 0);
	assert_int_equal(lim.max_grant_frames, 48);
	assert_int_equal(lim.max_maptrack_frames, 0);
	assert_int_equal(lim.max_evtchn_port, 2047);
	assert_int_equal(f->hv.ops->domain_create(f->hv.h, NULL, 1, &bad, &b),
			 -EINVAL);
	assert_int_equal(pv_sim_domain_limits(f->s, 99, &lim), -ESRCH);
}

static void test_nomigrate(void **state)
{
	struct fx *f = *state;
	uint32_t domid = new_domain(f), other = new_domain(f);

	assert_false(pv_sim_domain_nomigrate(f->s, domid));
	assert_int_equal(f->hv.ops->domain_set_nomigrate(f->hv.h, domid), 0);
	assert_true(pv_sim_domain_nomigrate(f->s, domid));
	assert_int_equal(f->hv.ops->domain_set_nomigrate(f->hv.h, 0), -EINVAL);
	/* Once it has run, Xen no longer takes a CPUID policy. */
	assert_int_equal(f->hv.ops->domain_unpause(f->hv.h, other), 0);
	assert_int_equal(f->hv.ops->domain_pause(f->hv.h, other), 0);
	assert_int_equal(f->hv.ops->domain_set_nomigrate(f->hv.h, other), -EEXIST);
	assert_false(pv_sim_domain_nomigrate(f->s, other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_initial_state),
		T(test_sched_credit),
		T(test_create_limits),
		T(test_nomigrate),
		T(test_physinfo),
		T(test_close_keeps_sim),
		T(test_read_missing),
		T(test_binary_value),
		T(test_write_creates_parents),
		T(test_mkdir_idempotent),
		T(test_directory),
		T(test_rm),
		T(test_path_rules),
		T(test_guest_permissions),
		T(test_guest_granted_write),
		T(test_set_perms_rules),
		T(test_tx_isolation),
		T(test_tx_conflict),
		T(test_tx_unrelated_commits),
		T(test_tx_conflict_siblings),
		T(test_tx_conflict_on_missing_read),
		T(test_tx_abort_and_rm),
		T(test_tx_unknown_id),
		T(test_watch_initial_and_subtree),
		T(test_watch_dedup),
		T(test_watch_rm),
		T(test_watch_mkdir_and_perms),
		T(test_watch_in_transaction),
		T(test_unwatch),
		T(test_watch_guest),
		T(test_special_watches),
		T(test_introduce_port_rules),
		T(test_idle_hook),
		T(test_idle_hook_plays_guest),
		T(test_domain_lifecycle),
		T(test_pause_counts),
		T(test_evtchn_ports),
		T(test_build_pv),
		T(test_build_pv_errors),
		T(test_build_out_of_memory),
		T(test_balloon_accounting),
		T(test_shutdown_and_crash),
		T(test_vcpu_affinity),
		T(test_vcpu_soft_affinity),
		T(test_fail_next),
		T(test_fail_nth),
		T(test_fail_build_and_evtchn),
		T(test_fail_transaction_end),
		T(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
