/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h: small shared helpers for libpvctl: a growable string, the
 * error context every library call fills, and allocation wrappers.
 */
#ifndef PV_UTIL_H
#define PV_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PV_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* A growable, always NUL-terminated string. */
struct pv_buf {
	char *s;
	size_t len;
	size_t cap;
};

#define PV_BUF_INIT { NULL, 0, 0 }

void pv_buf_init(struct pv_buf *b);
void pv_buf_dispose(struct pv_buf *b);
void pv_buf_reset(struct pv_buf *b);
void pv_buf_add(struct pv_buf *b, const char *s, size_t n);
void pv_buf_puts(struct pv_buf *b, const char *s);
void pv_buf_printf(struct pv_buf *b, const char *fmt, ...) PV_PRINTF(2, 3);
void pv_buf_vprintf(struct pv_buf *b, const char *fmt, va_list ap);
/* Hands the string to the caller (who frees it) and resets @b. */
char *pv_buf_detach(struct pv_buf *b);

/*
 * The error context. Library calls return 0 or a negative errno-style
 * code and, on failure, describe what failed here; they never print.
 * The first error set wins: later, less specific ones are ignored so
 * the message names the root cause.
 */
struct pv_err {
	int code;		/* negative errno, 0 when no error */
	struct pv_buf msg;
};

void pv_err_init(struct pv_err *e);
void pv_err_dispose(struct pv_err *e);
void pv_err_clear(struct pv_err *e);
/* Sets the error (if none is set yet) and returns @code. */
int pv_err_set(struct pv_err *e, int code, const char *fmt, ...) PV_PRINTF(3, 4);
/* Like pv_err_set, appending ": strerror(-code)". */
int pv_err_sys(struct pv_err *e, int code, const char *fmt, ...) PV_PRINTF(3, 4);
const char *pv_err_msg(const struct pv_err *e);

/*
 * Appends the regular file at @path to @b; the error names the path. A
 * FIFO (never waited on), a device or a directory is refused (-EINVAL),
 * and so is a file of more than @max bytes (0: PV_READ_FILE_MAX), with
 * -EFBIG.
 */
#define PV_READ_FILE_MAX	((size_t)1 << 20)
int pv_buf_read_file(struct pv_buf *b, const char *path, size_t max,
		     struct pv_err *err);

/*
 * UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates).
 * pv_utf8_char_len: the length of the character @s starts with, 0 when
 * it does not start one. pv_utf8_valid: 1 when all of @s is UTF-8, else
 * 0 with the offset of the first bad byte in *@bad_at (may be NULL).
 */
size_t pv_utf8_char_len(const char *s);
int pv_utf8_valid(const char *s, size_t *bad_at);

/* Allocation that cannot fail: aborts on out-of-memory like git's xmalloc. */
void *pv_malloc(size_t n);
void *pv_calloc(size_t n, size_t size);
void *pv_realloc(void *p, size_t n);
char *pv_strdup(const char *s);
char *pv_strndup(const char *s, size_t n);
char *pv_asprintf(const char *fmt, ...) PV_PRINTF(1, 2);

/* Replaces *@dst with a copy of @src (or NULL), freeing the old value. */
void pv_str_set(char **dst, const char *src);

/*
 * Parses a size such as "512", "256m", "1g", "131072k" into KiB.
 * A bare number is taken in @default_unit ('k' or 'm').
 */
int pv_parse_size_kb(const char *s, char default_unit, uint64_t *kb);
/* Parses an unsigned decimal integer; rejects signs, junk and overflow. */
int pv_parse_uint(const char *s, uint64_t max, uint64_t *out);

static inline uint64_t pv_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t pv_max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* a - b, or 0 when b is larger */
static inline uint64_t pv_sub_u64(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* A fast 64-bit hash of a buffer (not cryptographic). */
uint64_t pv_hash64(const void *data, size_t size);

/* fsyncs the directory holding @path (after a rename into it): 0 or -errno. */
int pv_fsync_parent(const char *path);

/* Monotonic clock in milliseconds. */
uint64_t pv_now_ms(void);
/* Waits until @fd can be read (or is at its end): 0, -ETIMEDOUT or -errno. */
int pv_wait_readable(int fd, uint64_t deadline_ms);

#endif
