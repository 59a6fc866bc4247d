/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sample.c: parsers for the /proc and /sys files pvctl-agent reads, and
 * one reading of all of them.
 *
 * The parsers are strict about the numbers they take and lenient about
 * everything else in the file: kernels add fields and lines over time,
 * and an agent that stopped reporting on a new kernel would be worse
 * than one that ignores what it does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sample.h"

/* Enough for /proc/vmstat (about 6 KiB on 6.x kernels) with room to
 * grow; /proc/stat may be longer on big guests, but only its first
 * line is needed. */
#define TEXT_MAX (32 * 1024)

/* The highest CPU number a list may name: bounds the count we return. */
#define CPU_MAX 65535

/*
 * Parses a decimal number at @s into @out; returns the first byte after
 * it, or NULL when there is no digit or the value overflows.
 */
static const char *parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The rest of the first line of @text that starts with @key, or NULL. */
static const char *find_line(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *line = text;

	while (*line) {
		if (!strncmp(line, key, n))
			return line + n;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	return NULL;
}

/* A "KEY<blanks>NUMBER" field that must end at a blank or the line's end. */
static int field_u64(const char *text, const char *key, uint64_t *out)
{
	const char *p = find_line(text, key);
	uint64_t v;

	if (!p)
		return -ENOENT;
	p = parse_u64(skip_blanks(p), &v);
	if (!p || (*p && *p != ' ' && *p != '\n'))
		return -EINVAL;
	*out = v;
	return 0;
}

int pv_agent_parse_meminfo(const char *text, uint64_t *total_kb,
			   uint64_t *avail_kb, bool *have_avail)
{
	uint64_t total, avail = 0;
	int rc, rc_avail;

	rc = field_u64(text, "MemTotal:", &total);
	if (rc)
		return rc;
	/* MemAvailable appeared in Linux 3.14; without it the node is
	 * omitted rather than guessed from MemFree and the caches. */
	rc_avail = field_u64(text, "MemAvailable:", &avail);
	if (rc_avail == -EINVAL)
		return rc_avail;
	*total_kb = total;
	*avail_kb = avail;
	*have_avail = rc_avail == 0;
	return 0;
}

int pv_agent_parse_vmstat(const char *text, struct pv_agent_sample *s)
{
	uint64_t in, out, oom;
	int rc_swap, rc_oom;

	rc_swap = field_u64(text, "pswpin ", &in);
	if (!rc_swap)
		rc_swap = field_u64(text, "pswpout ", &out);
	if (!rc_swap) {
		s->pswpin = in;
		s->pswpout = out;
		s->have |= PV_HAVE_SWAP;
	}
	/* Apart from swap: a guest without swap still has OOM kills, and
	 * kernels before 4.13 have swap lines but no oom_kill. */
	rc_oom = field_u64(text, "oom_kill ", &oom);
	if (!rc_oom) {
		s->oom_kill = oom;
		s->have |= PV_HAVE_OOM;
	}
	if (!rc_swap || !rc_oom)
		return 0;
	return rc_swap == -EINVAL || rc_oom == -EINVAL ? -EINVAL : -ENOENT;
}

/*
 * The kernel prints averages as "%lu.%02lu" percent; parse that into
 * hundredths without floating point. Up to 100.00 (10000).
 */
static const char *parse_centi(const char *s, unsigned int *out)
{
	uint64_t whole, frac = 0;
	const char *p = parse_u64(s, &whole);
	int digits = 0;

	if (!p || whole > 100)
		return NULL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits < 2)
				frac = frac * 10 + (*p - '0');
		}
		if (!digits)
			return NULL;
		if (digits == 1)
			frac *= 10;
	}
	if (whole * 100 + frac > 10000)
		return NULL;
	*out = whole * 100 + frac;
	return p;
}

int pv_agent_parse_pressure(const char *text, const char *kind,
			    unsigned int *avg10_centi)
{
	char key[8];
	const char *p;
	unsigned int v;

	if (snprintf(key, sizeof(key), "%s ", kind) >= (int)sizeof(key))
		return -EINVAL;
	p = find_line(text, key);
	if (!p)
		return -ENOENT;
	p = skip_blanks(p);
	if (strncmp(p, "avg10=", 6))
		return -EINVAL;
	p = parse_centi(p + 6, &v);
	if (!p || (*p && *p != ' ' && *p != '\n'))
		return -EINVAL;
	*avg10_centi = v;
	return 0;
}

/*
 * The aggregate "cpu" line: user nice system idle iowait irq softirq
 * steal guest guest_nice, in USER_HZ ticks summed over all CPUs. Kernels
 * before 2.6 stop after idle; later fields are optional.
 *
 * Busy is user + nice + system + irq + softirq; idle is idle + iowait.
 * guest and guest_nice are already inside user and nice. Steal (time Xen
 * gave this vCPU's slot to someone else) is in neither: utilisation is
 * the share of the time the guest actually ran that it was busy, which
 * is its demand; the host sees steal from its own side.
 */
int pv_agent_parse_stat(const char *text, uint64_t *busy, uint64_t *idle)
{
	enum { USER, NICE, SYSTEM, IDLE, IOWAIT, IRQ, SOFTIRQ, NR };
	uint64_t f[NR] = { 0 };
	const char *p;
	int i;

	if (strncmp(text, "cpu ", 4))
		return -ENOENT;
	p = text + 4;
	for (i = 0; i < NR; i++) {
		const char *q = skip_blanks(p);

		if (*q == '\n' || !*q)
			break;
		p = parse_u64(q, &f[i]);
		if (!p || (*p && *p != ' ' && *p != '\n'))
			return -EINVAL;
	}
	if (i <= IDLE)
		return -EINVAL;
	*busy = f[USER] + f[NICE] + f[SYSTEM] + f[IRQ] + f[SOFTIRQ];
	*idle = f[IDLE] + f[IOWAIT];
	return 0;
}

int pv_agent_parse_cpulist(const char *text, unsigned int *count)
{
	const char *p = text;
	uint64_t n = 0;

	for (;;) {
		uint64_t a, b;

		p = parse_u64(p, &a);
		if (!p || a > CPU_MAX)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p = parse_u64(p + 1, &b);
			if (!p || b > CPU_MAX || b < a)
				return -EINVAL;
		}
		n += b - a + 1;
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\n')
		p++;
	if (*p || n > CPU_MAX + 1)
		return -EINVAL;
	*count = n;
	return 0;
}

/* Reads @root@path into @buf (NUL-terminated, truncated to @size - 1). */
static int read_text(const char *root, const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	size_t len = 0;
	int fd;

	if (snprintf(full, sizeof(full), "%s%s", root, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

static void read_meminfo(struct pv_agent_sample *s, const char *root, char *buf)
{
	bool have_avail;

	if (read_text(root, "/proc/meminfo", buf, TEXT_MAX) ||
	    pv_agent_parse_meminfo(buf, &s->mem_total_kb, &s->mem_available_kb,
				   &have_avail))
		return;
	s->have |= PV_HAVE_MEM_TOTAL;
	if (have_avail)
		s->have |= PV_HAVE_MEM_AVAIL;
}

static void read_pressure(struct pv_agent_sample *s, const char *root, char *buf)
{
	/* No /proc/pressure before Linux 4.20, or with psi=0 (reads then
	 * fail with EOPNOTSUPP): the nodes are left out. */
	if (!read_text(root, "/proc/pressure/memory", buf, TEXT_MAX) &&
	    !pv_agent_parse_pressure(buf, "some", &s->psi_mem_some) &&
	    !pv_agent_parse_pressure(buf, "full", &s->psi_mem_full))
		s->have |= PV_HAVE_PSI_MEM;
	if (!read_text(root, "/proc/pressure/cpu", buf, TEXT_MAX) &&
	    !pv_agent_parse_pressure(buf, "some", &s->psi_cpu_some))
		s->have |= PV_HAVE_PSI_CPU;
}

void pv_agent_sample_read(struct pv_agent_sample *s, const char *root,
			  uint64_t t_ms, uint64_t realtime_ms)
{
	static char buf[TEXT_MAX];

	memset(s, 0, sizeof(*s));
	s->t_ms = t_ms;
	s->realtime_ms = realtime_ms;
	read_meminfo(s, root, buf);
	if (!read_text(root, "/proc/vmstat", buf, TEXT_MAX))
		pv_agent_parse_vmstat(buf, s);
	read_pressure(s, root, buf);
	if (!read_text(root, "/proc/stat", buf, TEXT_MAX) &&
	    !pv_agent_parse_stat(buf, &s->cpu_busy, &s->cpu_idle))
		s->have |= PV_HAVE_CPU;
	if (!read_text(root, "/sys/devices/system/cpu/online", buf, TEXT_MAX) &&
	    !pv_agent_parse_cpulist(buf, &s->cpus_online))
		s->have |= PV_HAVE_CPUS;
}
