/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_util.c: the small helpers everything else stands on: pv_buf,
 * pv_err, number and size parsing, UUIDs and the XenStore conveniences
 * (strict reads of guest-writable nodes, transactions that retry).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "util/jsonw.h"
#include "util/util.h"
#include "util/uuid.h"
#include "lib/xs.h"
#include "helpers.h"

/* --- pv_buf --- */

static void test_buf_grows(void **state)
{
	struct pv_buf b = PV_BUF_INIT;
	char *s;
	size_t i;

	pv_buf_puts(&b, "");
	assert_non_null(b.s);
	assert_string_equal(b.s, "");
	assert_int_equal(b.len, 0);

	/* Far past any initial capacity, one byte at a time. */
	for (i = 0; i < 10000; i++)
		pv_buf_add(&b, &"0123456789"[i % 10], 1);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.s), 10000);
	assert_memory_equal(b.s + 9990, "0123456789", 10);

	/* add takes exactly n bytes, NULs included, and stays terminated. */
	pv_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	pv_buf_add(&b, "ab\0cd", 5);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.s, "ab\0cd", 6);

	s = pv_buf_detach(&b);
	assert_memory_equal(s, "ab\0cd", 6);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);

	/* Detaching an empty buffer still gives a string to free. */
	s = pv_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	pv_buf_dispose(&b);
}

static void test_buf_printf(void **state)
{
	struct pv_buf b;
	char big[5000];
	char *s;

	pv_buf_init(&b);
	pv_buf_printf(&b, "%s/%u", "/local/domain", 7u);
	pv_buf_printf(&b, "/%s", "name");
	assert_string_equal(b.s, "/local/domain/7/name");
	assert_int_equal(b.len, strlen("/local/domain/7/name"));

	/* A formatted piece larger than the capacity at the time. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pv_buf_reset(&b);
	pv_buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.s[0], '<');
	assert_int_equal(b.s[b.len - 1], '>');
	assert_int_equal(b.s[b.len], '\0');
	pv_buf_dispose(&b);
	assert_null(b.s);

	s = pv_asprintf("%d-%s", -3, "x");
	assert_string_equal(s, "-3-x");
	free(s);

	s = NULL;
	pv_str_set(&s, "one");
	pv_str_set(&s, "two");
	assert_string_equal(s, "two");
	pv_str_set(&s, NULL);
	assert_null(s);
}

/* --- pv_err --- */

static void test_err_first_wins(void **state)
{
	struct pv_err e;

	pv_err_init(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(pv_err_msg(&e), "unknown error");

	assert_int_equal(pv_err_set(&e, -ENOENT, "reading %s", "/a"), -ENOENT);
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(pv_err_msg(&e), "reading /a");

	/* A later, less specific error must not replace the root cause... */
	assert_int_equal(pv_err_sys(&e, -EIO, "outer step"), -EIO);
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(pv_err_msg(&e), "reading /a");

	/* ...until the context is cleared. */
	pv_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_int_equal(pv_err_sys(&e, -EACCES, "writing %s", "/b"), -EACCES);
	assert_string_equal(pv_err_msg(&e), "writing /b: Permission denied");

	/* A NULL context is allowed and still passes the code through. */
	assert_int_equal(pv_err_set(NULL, -EINVAL, "nobody listens"), -EINVAL);

	pv_err_dispose(&e);
	assert_int_equal(e.code, 0);

	/* Code 0 would read as success: it is recorded as -EINVAL. */
	pv_err_init(&e);
	pv_err_set(&e, 0, "no code given");
	assert_int_equal(e.code, -EINVAL);
	assert_string_equal(pv_err_msg(&e), "no code given");
	pv_err_dispose(&e);
}

/* --- sizes and numbers --- */

static uint64_t size_kb(const char *s, char unit)
{
	uint64_t kb = 0xdeadbeef;

	assert_int_equal(pv_parse_size_kb(s, unit, &kb), 0);
	return kb;
}

static void size_bad(const char *s, char unit, int want)
{
	uint64_t kb = 0xdeadbeef;

	assert_int_equal(pv_parse_size_kb(s, unit, &kb), want);
	assert_int_equal(kb, 0xdeadbeef);	/* untouched on failure */
}

static void test_parse_size_kb(void **state)
{
	assert_int_equal(size_kb("256m", 'k'), 256 * 1024);
	assert_int_equal(size_kb("256M", 'k'), 256 * 1024);
	assert_int_equal(size_kb("1g", 'k'), 1024 * 1024);
	assert_int_equal(size_kb("1G", 'm'), 1024 * 1024);
	assert_int_equal(size_kb("2t", 'k'), 2ULL * 1024 * 1024 * 1024);
	assert_int_equal(size_kb("131072k", 'm'), 131072);
	/* A bare number is in the default unit. */
	assert_int_equal(size_kb("1024", 'm'), 1024 * 1024);
	assert_int_equal(size_kb("1024", 'k'), 1024);
	assert_int_equal(size_kb("0", 'm'), 0);
	/* Optional B / iB suffixes. */
	assert_int_equal(size_kb("512MiB", 'k'), 512 * 1024);
	assert_int_equal(size_kb("512MB", 'k'), 512 * 1024);
	assert_int_equal(size_kb("512mib", 'k'), 512 * 1024);
	assert_int_equal(size_kb("4KiB", 'm'), 4);

	/* Junk. */
	size_bad(NULL, 'k', -EINVAL);
	size_bad("", 'k', -EINVAL);
	size_bad("m", 'k', -EINVAL);
	size_bad("-1m", 'k', -EINVAL);
	size_bad("+1m", 'k', -EINVAL);
	size_bad(" 1m", 'k', -EINVAL);
	size_bad("1 m", 'k', -EINVAL);
	size_bad("1m ", 'k', -EINVAL);
	size_bad("1.5g", 'k', -EINVAL);
	size_bad("12x", 'k', -EINVAL);
	size_bad("12mm", 'k', -EINVAL);
	size_bad("12mbb", 'k', -EINVAL);
	size_bad("12b", 'k', -EINVAL);
	size_bad("0x10", 'k', -EINVAL);
	/* A bare number with no usable default unit. */
	size_bad("12", 'x', -EINVAL);

	/* Overflow: the number itself, and the number times the unit. */
	size_bad("99999999999999999999999", 'k', -ERANGE);
	assert_true(size_kb("18446744073709551615k", 'k') == UINT64_MAX);
	size_bad("18446744073709551616k", 'k', -ERANGE);
	size_bad("18014398509481984m", 'k', -ERANGE);	/* 2^54 MiB = 2^64 KiB */
	assert_int_equal(size_kb("18014398509481983m", 'k'),
			 18014398509481983ULL * 1024);
	size_bad("17592186044416g", 'k', -ERANGE);	/* 2^44 GiB */
	size_bad("17179869184t", 'k', -ERANGE);		/* 2^34 TiB */
}

static void uint_ok(const char *s, uint64_t max, uint64_t want)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(pv_parse_uint(s, max, &v), 0);
	assert_int_equal(v, want);
}

static void uint_bad(const char *s, uint64_t max, int want)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(pv_parse_uint(s, max, &v), want);
	assert_int_equal(v, 0xdeadbeef);
}

static void test_parse_uint(void **state)
{
	uint_ok("0", 0, 0);
	uint_ok("0", 10, 0);
	uint_ok("007", 10, 7);
	uint_ok("10", 10, 10);
	uint_ok("65535", 65535, 65535);
	uint_ok("4294967295", UINT32_MAX, UINT32_MAX);
	uint_ok("18446744073709551615", UINT64_MAX, UINT64_MAX);

	uint_bad(NULL, 10, -EINVAL);
	uint_bad("", 10, -EINVAL);
	uint_bad("-1", 10, -EINVAL);
	uint_bad("+1", 10, -EINVAL);
	uint_bad(" 1", 10, -EINVAL);
	uint_bad("1 ", 10, -EINVAL);
	uint_bad("1a", 10, -EINVAL);
	uint_bad("0x1", 100, -EINVAL);
	uint_bad("1e3", 10000, -EINVAL);

	uint_bad("11", 10, -ERANGE);
	uint_bad("65536", 65535, -ERANGE);
	uint_bad("4294967296", UINT32_MAX, -ERANGE);
	uint_bad("18446744073709551616", UINT64_MAX, -ERANGE);
	uint_bad("99999999999999999999999", UINT64_MAX, -ERANGE);
	uint_bad("100", 99, -ERANGE);
}

/*
 * BUG (util/util.c, pv_parse_uint): the overflow check computes
 * (max - digit) / 10 in unsigned arithmetic, which wraps when the first
 * digit is larger than @max, so a single digit above a small @max is
 * accepted: pv_parse_uint("9", 5) returns 0 with 9.
 */
static void test_parse_uint_digit_above_small_max(void **state)
{
	uint_bad("1", 0, -ERANGE);
	uint_bad("9", 5, -ERANGE);
	uint_bad("6", 5, -ERANGE);
	uint_ok("5", 5, 5);
}

/* --- UUIDs --- */

static void test_uuid_round_trip(void **state)
{
	const char *text = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
	const uint8_t bin[16] = {
		0x6f, 0x96, 0x19, 0xff, 0x8b, 0x86, 0xd0, 0x11,
		0xb4, 0x2d, 0x00, 0xc0, 0x4f, 0xc9, 0x64, 0xff,
	};
	char out[PV_UUID_STRLEN + 1];
	uint8_t u[16], v[16];

	assert_int_equal(pv_uuid_parse(text, u), 0);
	assert_memory_equal(u, bin, 16);
	pv_uuid_format(u, out);
	assert_string_equal(out, text);

	/* Upper case is accepted; the text form is always lower case. */
	assert_int_equal(pv_uuid_parse("6F9619FF-8B86-D011-B42D-00C04FC964FF", v), 0);
	assert_memory_equal(v, bin, 16);

	/* Generated UUIDs are version 4, RFC 4122 variant, and differ. */
	assert_int_equal(pv_uuid_generate(u), 0);
	assert_int_equal(pv_uuid_generate(v), 0);
	assert_memory_not_equal(u, v, 16);
	assert_int_equal(u[6] >> 4, 4);
	assert_int_equal(u[8] & 0xc0, 0x80);
	pv_uuid_format(u, out);
	assert_int_equal(strlen(out), PV_UUID_STRLEN);
	assert_int_equal(out[14], '4');
	assert_int_equal(pv_uuid_parse(out, v), 0);
	assert_memory_equal(u, v, 16);
}

static void uuid_bad(const char *s)
{
	/* An exact-size heap copy, so ASan sees any read past the end. */
	char *copy = pv_strdup(s);
	uint8_t u[16];

	if (pv_uuid_parse(copy, u) != -EINVAL)
		fail_msg("pv_uuid_parse accepted '%s'", s);
	free(copy);
}

static void test_uuid_rejects(void **state)
{
	uuid_bad("6f9619ff");
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964f");	/* short */
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964ff0");	/* long */
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964fg");	/* not hex */
	uuid_bad("6f9619ff08b86-d011-b42d-00c04fc964ff");	/* no dash */
	uuid_bad("6f9619f-f8b86-d011-b42d-00c04fc964ff");	/* dash moved */
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964f ");
	uuid_bad("{6f9619ff-8b86-d011-b42d-00c04fc964ff}");
	uuid_bad("6f9619ff8b86d011b42d00c04fc964ff");		/* no dashes */
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964-f");
}

/*
 * BUG (util/uuid.c, pv_uuid_parse): each hex pair is read as s[i] and
 * s[i + 1] before either is checked, so a string that ends where a pair
 * starts ("1234", "6f9619ff-8b86-d011-b42d-00c04fc964") reads one byte
 * past its terminating NUL. ASan (make unit-san) reports a
 * heap-buffer-overflow here.
 */
static void test_uuid_rejects_short_without_overread(void **state)
{
	uuid_bad("");
	uuid_bad("1234");
	uuid_bad("6f9619ff-8b86-d011-b42d-00c04fc964");
	uuid_bad("6f9619ff-8b");
}

/* --- XenStore conveniences --- */

static int raw_write(struct fx *f, const char *path, const char *val, size_t len)
{
	return f->hv.ops->xs_write(f->hv.h, PV_XBT_NULL, path, val, len);
}

static int read_uint(struct fx *f, const char *val, uint64_t max, uint64_t *out)
{
	assert_int_equal(xs_put(f, "/tool/n", val), 0);
	return pv_xs_read_uint(&f->hv, PV_XBT_NULL, "/tool/n", max, out);
}

static void test_xs_read_uint(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0;

	assert_int_equal(read_uint(f, "0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(read_uint(f, "262144", UINT64_MAX, &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(read_uint(f, "100", 100, &v), 0);
	assert_int_equal(v, 100);

	/* What a hostile or buggy guest may leave in a node it owns. */
	v = 42;
	assert_int_equal(read_uint(f, "12abc", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, "-1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, "", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, " 1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, "1\n", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, "0x10", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(read_uint(f, "101", 100, &v), -EINVAL);
	assert_int_equal(read_uint(f, "18446744073709551616", UINT64_MAX, &v),
			 -EINVAL);
	assert_int_equal(read_uint(f, "99999999999999999999999999999999", UINT64_MAX,
				   &v), -EINVAL);
	/* "12" followed by a NUL and more: strtoull would say 12. */
	assert_int_equal(raw_write(f, "/tool/n", "12\0" "99", 5), 0);
	assert_int_equal(pv_xs_read_uint(&f->hv, PV_XBT_NULL, "/tool/n",
					 UINT64_MAX, &v), -EINVAL);
	assert_int_equal(raw_write(f, "/tool/n", "7\0", 2), 0);
	assert_int_equal(pv_xs_read_uint(&f->hv, PV_XBT_NULL, "/tool/n",
					 UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, 42);	/* untouched by any failure */

	assert_int_equal(pv_xs_read_uint(&f->hv, PV_XBT_NULL, "/tool/absent",
					 UINT64_MAX, &v), -ENOENT);
	/* A node the caller may not read: its own error, not -EINVAL. */
	pv_sim_set_caller(f->s, 5);
	assert_int_equal(pv_xs_read_uint(&f->hv, PV_XBT_NULL, "/tool/n",
					 UINT64_MAX, &v), -EACCES);
	pv_sim_set_caller(f->s, 0);
	assert_int_equal(v, 42);
}

/* BUG: same root cause as test_parse_uint_digit_above_small_max. */
static void test_xs_read_uint_small_max(void **state)
{
	struct fx *f = *state;
	uint64_t v = 42;

	assert_int_equal(read_uint(f, "7", 5, &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void test_xs_helpers(void **state)
{
	struct fx *f = *state;
	const struct pv_xs_perm perms[] = {
		{ 0, PV_XS_PERM_NONE }, { 3, PV_XS_PERM_READ },
	};
	struct pv_xs_perm *got = NULL;
	size_t n = 0;
	char *v;

	assert_int_equal(pv_xs_printf(&f->hv, PV_XBT_NULL, "/tool/p", "%u-%s",
				      12u, "x"), 0);
	v = pv_xs_read_str(&f->hv, PV_XBT_NULL, "/tool/p");
	assert_string_equal(v, "12-x");
	free(v);
	assert_int_equal(pv_xs_write_str(&f->hv, PV_XBT_NULL, "/tool/p", "y"), 0);
	v = pv_xs_read_str(&f->hv, PV_XBT_NULL, "/tool/p");
	assert_string_equal(v, "y");
	free(v);
	assert_null(pv_xs_read_str(&f->hv, PV_XBT_NULL, "/tool/none"));

	assert_int_equal(pv_xs_mkdir_perms(&f->hv, PV_XBT_NULL, "/tool/d", perms, 2), 0);
	assert_int_equal(f->hv.ops->xs_get_perms(f->hv.h, PV_XBT_NULL, "/tool/d",
						 &got, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].domid, 0);
	assert_int_equal(got[0].perm, PV_XS_PERM_NONE);
	assert_int_equal(got[1].domid, 3);
	assert_int_equal(got[1].perm, PV_XS_PERM_READ);
	free(got);
	v = xs_get(f, "/tool/d");
	assert_string_equal(v, "");
	free(v);
}

struct tx_arg {
	struct fx *f;
	unsigned int calls;
	unsigned int conflicts;	/* attempts that should make a conflict */
	int fail_with;		/* what fn returns, 0: succeed */
};

/* Writes a counter inside the transaction: /tool/tx = number of calls. */
static int tx_fn(struct pv_hv *hv, pv_xbt t, void *p)
{
	struct tx_arg *a = p;
	char *old = NULL;
	size_t len;
	int rc;

	a->calls++;
	rc = hv->ops->xs_read(hv->h, t, "/tool/tx", &old, &len);
	free(old);
	if (rc && rc != -ENOENT)
		return rc;
	rc = pv_xs_printf(hv, t, "/tool/tx", "%u", a->calls);
	if (rc)
		return rc;
	/* Someone else changes the node the transaction read: a real conflict. */
	if (a->conflicts) {
		a->conflicts--;
		rc = pv_xs_write_str(hv, PV_XBT_NULL, "/tool/tx", "other");
		if (rc)
			return rc;
	}
	return a->fail_with;
}

static void test_xs_transaction_commits(void **state)
{
	struct fx *f = *state;
	struct tx_arg a = { f, 0, 0, 0 };
	char *v;

	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), 0);
	assert_int_equal(a.calls, 1);
	v = xs_get(f, "/tool/tx");
	assert_string_equal(v, "1");
	free(v);
}

static void test_xs_transaction_retries(void **state)
{
	struct fx *f = *state;
	struct tx_arg a = { f, 0, 0, 0 };
	char *v;

	/* An injected conflict on commit: run again, then commit. */
	pv_sim_fail_next(f->s, "xs_transaction_end", -EAGAIN);
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), 0);
	assert_int_equal(a.calls, 2);
	assert_int_equal(pv_sim_calls(f->s, "xs_transaction_start"), 2);
	v = xs_get(f, "/tool/tx");
	assert_string_equal(v, "2");
	free(v);

	/* A genuine conflict (the node read was changed meanwhile), twice. */
	a.calls = 0;
	a.conflicts = 2;
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), 0);
	assert_int_equal(a.calls, 3);
	v = xs_get(f, "/tool/tx");
	assert_string_equal(v, "3");
	free(v);
}

static void test_xs_transaction_gives_up(void **state)
{
	struct fx *f = *state;
	struct tx_arg a = { f, 0, 0, 0 };
	unsigned int i;

	/* Conflicts forever (far more than any sane retry limit). */
	for (i = 1; i <= 1000; i++)
		pv_sim_fail_nth(f->s, "xs_transaction_end", i, -EAGAIN);
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), -EAGAIN);
	assert_true(a.calls >= 2);
	assert_true(a.calls < 1000);
	assert_int_equal(pv_sim_calls(f->s, "xs_transaction_start"), a.calls);
	assert_int_equal(pv_sim_calls(f->s, "xs_transaction_end"), a.calls);
	assert_false(pv_sim_xs_exists(f->s, "/tool/tx"));
}

static void test_xs_transaction_errors(void **state)
{
	struct fx *f = *state;
	struct tx_arg a = { f, 0, 0, -EPERM };

	/* fn's own error aborts (nothing committed) and is returned as is. */
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), -EPERM);
	assert_int_equal(a.calls, 1);
	assert_int_equal(pv_sim_calls(f->s, "xs_transaction_end"), 1);
	assert_false(pv_sim_xs_exists(f->s, "/tool/tx"));

	/* A commit failing other than by conflict is not retried. */
	a.calls = 0;
	a.fail_with = 0;
	pv_sim_fail_next(f->s, "xs_transaction_end", -EIO);
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), -EIO);
	assert_int_equal(a.calls, 1);

	/* Nor is a failure to start one; fn is not even called. */
	a.calls = 0;
	pv_sim_fail_next(f->s, "xs_transaction_start", -ENOSPC);
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), -ENOSPC);
	assert_int_equal(a.calls, 0);

	/* An error inside fn from the store itself (a failed write). */
	pv_sim_fail_next(f->s, "xs_write", -EIO);
	assert_int_equal(pv_xs_transaction(&f->hv, tx_fn, &a), -EIO);
	assert_int_equal(a.calls, 1);
	assert_false(pv_sim_xs_exists(f->s, "/tool/tx"));
}

/* --- files and text --- */

/* Regular files only, of at most @max bytes; never waits on a FIFO. */
static void test_read_file_kinds(void **state)
{
	struct fx *f = *state;
	char *small = fx_path(f, "small"), *fifo = fx_path(f, "fifo");
	char *big = fx_path(f, "big");
	struct pv_buf b = PV_BUF_INIT;
	struct pv_err err;
	FILE *o;
	int i;

	pv_err_init(&err);
	fx_put_file(f, "small", "0123456789");
	assert_int_equal(pv_buf_read_file(&b, small, 0, &err), 0);
	assert_string_equal(b.s, "0123456789");
	pv_buf_reset(&b);
	assert_int_equal(pv_buf_read_file(&b, small, 10, &err), 0);
	assert_string_equal(b.s, "0123456789");
	fx_assert_err(&err, pv_buf_read_file(&b, small, 9, &err), -EFBIG,
		      "small: larger than 9 bytes");
	pv_err_clear(&err);

	/* 0: the default bound, 1 MiB. */
	o = fopen(big, "w");
	assert_non_null(o);
	for (i = 0; i < 1024; i++)
		fprintf(o, "%01023d\n", i);
	fclose(o);
	assert_int_equal(pv_buf_read_file(&b, big, 0, &err), 0);
	pv_buf_reset(&b);
	o = fopen(big, "a");
	assert_non_null(o);
	fputc('x', o);
	fclose(o);
	fx_assert_err(&err, pv_buf_read_file(&b, big, 0, &err), -EFBIG,
		      "big: larger than 1 MiB");
	pv_err_clear(&err);

	alarm(20);	/* blocking on the FIFO fails the test, not hangs it */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fx_assert_err(&err, pv_buf_read_file(&b, fifo, 0, &err), -EINVAL,
		      "fifo: not a regular file (a FIFO)");
	pv_err_clear(&err);
	alarm(0);
	fx_assert_err(&err, pv_buf_read_file(&b, f->tmp, 0, &err), -EINVAL,
		      "not a regular file (a directory)");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_buf_read_file(&b, "/dev/zero", 0, &err), -EINVAL,
		      "/dev/zero: not a regular file (a character device)");
	pv_err_clear(&err);
	fx_assert_err(&err, pv_buf_read_file(&b, "/nonexistent/x", 0, &err),
		      -ENOENT, "/nonexistent/x: No such file");
	pv_err_dispose(&err);
	pv_buf_dispose(&b);
	free(small);
	free(fifo);
	free(big);
}

static void test_utf8(void **state)
{
	static const struct { const char *s; size_t bad_at; } cases[] = {
		{ "", 0 }, { "plain ascii", 0 }, { "caf\xc3\xa9", 0 },
		{ "\xe2\x82\xac \xf0\x9f\x90\xa7 \xf4\x8f\xbf\xbf", 0 },
		{ "caf\xe9", 4 },		/* Latin-1 */
		{ "a\xc3", 2 },			/* truncated */
		{ "\xc0\xaf", 1 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 1 },		/* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", 1 },	/* overlong, 4 bytes */
		{ "ok\xed\xa0\x80", 3 },	/* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", 1 },	/* beyond U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 1 },	/* 5 bytes */
		{ "\x80", 1 }, { "ab\xbf", 3 },	/* lone continuations */
		{ "\xe2\x82x", 1 },
	};
	size_t i, at;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at = 99;
		if (pv_utf8_valid(cases[i].s, &at) != !cases[i].bad_at ||
		    (cases[i].bad_at && at != cases[i].bad_at - 1))
			fail_msg("case %zu: valid %d at %zu", i,
				 pv_utf8_valid(cases[i].s, &at), at);
	}
}

/* What is not UTF-8 goes out as U+FFFD: the JSON stays JSON. */
static void test_jsonw_not_utf8(void **state)
{
	struct pv_jw w;
	const char *text;
	char errbuf[128];
	yajl_val root;
	size_t len;

	(void)state;
	pv_jw_init(&w, false);
	pv_jw_map_open(&w, NULL);
	pv_jw_str(&w, "ok", "caf\xc3\xa9");
	assert_false(w.lossy);
	pv_jw_str(&w, "k\xff", "caf\xe9 \xc3");
	pv_jw_map_close(&w);
	assert_false(w.bad);
	assert_true(w.lossy);
	text = pv_jw_text(&w, &len);
	assert_string_equal(text, "{\"ok\":\"caf\xc3\xa9\",\"k\xef\xbf\xbd\":"
			    "\"caf\xef\xbf\xbd \xef\xbf\xbd\"}");
	root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	assert_non_null(root);
	yajl_tree_free(root);
	pv_jw_dispose(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_err_first_wins),
		cmocka_unit_test(test_parse_size_kb),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_parse_uint_digit_above_small_max),
		cmocka_unit_test(test_uuid_round_trip),
		cmocka_unit_test(test_uuid_rejects),
		cmocka_unit_test(test_uuid_rejects_short_without_overread),
		cmocka_unit_test_setup_teardown(test_read_file_kinds, fx_setup,
						fx_teardown),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_jsonw_not_utf8),
		cmocka_unit_test_setup_teardown(test_xs_read_uint, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_read_uint_small_max, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_helpers, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_transaction_commits, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_transaction_retries, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_transaction_gives_up, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_xs_transaction_errors, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
