/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.c: growable strings, error contexts, allocation, number parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void *pv_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *pv_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *pv_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *pv_strdup(const char *s)
{
	return pv_strndup(s, strlen(s));
}

char *pv_strndup(const char *s, size_t n)
{
	char *p = pv_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pv_asprintf(const char *fmt, ...)
{
	struct pv_buf b;
	va_list ap;

	pv_buf_init(&b);
	va_start(ap, fmt);
	pv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return pv_buf_detach(&b);
}

void pv_str_set(char **dst, const char *src)
{
	char *copy = src ? pv_strdup(src) : NULL;

	free(*dst);
	*dst = copy;
}

void pv_buf_init(struct pv_buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void pv_buf_dispose(struct pv_buf *b)
{
	free(b->s);
	pv_buf_init(b);
}

void pv_buf_reset(struct pv_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void grow(struct pv_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = pv_realloc(b->s, b->cap);
}

void pv_buf_add(struct pv_buf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void pv_buf_puts(struct pv_buf *b, const char *s)
{
	pv_buf_add(b, s, strlen(s));
}

void pv_buf_vprintf(struct pv_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void pv_buf_printf(struct pv_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pv_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *pv_buf_detach(struct pv_buf *b)
{
	char *s = b->s ? b->s : pv_strdup("");

	pv_buf_init(b);
	return s;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

static int read_bounded(int fd, struct pv_buf *b, const char *path, size_t max,
			struct pv_err *err)
{
	char chunk[4096];
	size_t got = 0;
	ssize_t n;

	pv_buf_add(b, "", 0);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pv_err_sys(err, -errno, "%s", path);
		if (!n)
			return 0;
		got += (size_t)n;
		if (got > max)
			break;
		pv_buf_add(b, chunk, (size_t)n);
	}
	if (max % (1024 * 1024))
		return pv_err_set(err, -EFBIG, "%s: larger than %zu bytes", path,
				  max);
	return pv_err_set(err, -EFBIG, "%s: larger than %zu MiB", path,
			  max / (1024 * 1024));
}

/*
 * O_NONBLOCK: opening a FIFO with no writer would wait forever; fstat
 * then tells what was opened, and only a regular file is read.
 */
int pv_buf_read_file(struct pv_buf *b, const char *path, size_t max,
		     struct pv_err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int rc;

	if (fd < 0)
		return pv_err_sys(err, -errno, "%s", path);
	if (fstat(fd, &st))
		rc = pv_err_sys(err, -errno, "%s", path);
	else if (!S_ISREG(st.st_mode))
		rc = pv_err_set(err, -EINVAL, "%s: not a regular file (%s)", path,
				file_kind(st.st_mode));
	else
		rc = read_bounded(fd, b, path, max ? max : PV_READ_FILE_MAX, err);
	close(fd);
	return rc;
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t pv_utf8_char_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;		/* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f;		/* beyond U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

int pv_utf8_valid(const char *s, size_t *bad_at)
{
	const char *p = s;
	size_t n;

	while (*p) {
		n = pv_utf8_char_len(p);
		if (!n) {
			if (bad_at)
				*bad_at = (size_t)(p - s);
			return 0;
		}
		p += n;
	}
	return 1;
}

void pv_err_init(struct pv_err *e)
{
	e->code = 0;
	pv_buf_init(&e->msg);
}

void pv_err_dispose(struct pv_err *e)
{
	pv_buf_dispose(&e->msg);
	e->code = 0;
}

void pv_err_clear(struct pv_err *e)
{
	pv_buf_reset(&e->msg);
	e->code = 0;
}

static int err_vset(struct pv_err *e, int code, int with_errno,
		    const char *fmt, va_list ap)
{
	if (!e || e->code)
		return code;
	e->code = code ? code : -EINVAL;
	pv_buf_reset(&e->msg);
	pv_buf_vprintf(&e->msg, fmt, ap);
	if (with_errno)
		pv_buf_printf(&e->msg, ": %s", strerror(-e->code));
	return code;
}

int pv_err_set(struct pv_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int pv_err_sys(struct pv_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return code;
}

const char *pv_err_msg(const struct pv_err *e)
{
	return e->msg.s ? e->msg.s : "unknown error";
}

int pv_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		uint64_t d = (uint64_t)(*s - '0');

		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int pv_parse_size_kb(const char *s, char default_unit, uint64_t *kb)
{
	const char *end;
	uint64_t v, shift_kb;
	char *num;
	int rc;

	if (!s)
		return -EINVAL;
	for (end = s; isdigit((unsigned char)*end); end++)
		;
	if (end == s)
		return -EINVAL;
	switch (*end ? tolower((unsigned char)*end) : default_unit) {
	case 'k': shift_kb = 1; break;
	case 'm': shift_kb = 1024; break;
	case 'g': shift_kb = 1024 * 1024; break;
	case 't': shift_kb = 1024ULL * 1024 * 1024; break;
	default: return -EINVAL;
	}
	/* Allow an optional trailing "b"/"ib": 256M, 256MB, 256MiB. */
	if (*end) {
		const char *t = end + 1;

		if (tolower((unsigned char)*t) == 'i')
			t++;
		if (tolower((unsigned char)*t) == 'b')
			t++;
		if (*t)
			return -EINVAL;
	}
	num = pv_strndup(s, (size_t)(end - s));
	rc = pv_parse_uint(num, UINT64_MAX / shift_kb, &v);
	free(num);
	if (rc)
		return rc;
	*kb = v * shift_kb;
	return 0;
}

uint64_t pv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A 64-bit hash, eight bytes at a time (multiply and rotate, in the
 * manner of xxHash/wyhash): fast enough to hash an 8 MiB kernel in a few
 * milliseconds. Not cryptographic: for keys no adversary chooses (MAC
 * addresses); same-size collisions are easy to make.
 */
uint64_t pv_hash64(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
	size_t i;

	for (i = 0; i + 8 <= size; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h ^= w * 0xbf58476d1ce4e5b9ull;
		h = (h << 31 | h >> 33) * 0x94d049bb133111ebull;
	}
	for (; i < size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return h * 0xbf58476d1ce4e5b9ull;
}

int pv_wait_readable(int fd, uint64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = pv_now_ms();
		int n;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)pv_min_u64(deadline_ms - now, INT32_MAX));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			return 0;
	}
}

int pv_fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? pv_strndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : pv_strdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd))
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}
