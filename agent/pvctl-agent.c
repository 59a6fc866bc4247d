/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvctl-agent: runs inside a Linux PV guest and publishes what the guest
 * feels (memory, swapping, pressure stalls, CPU use) under its own
 * XenStore subtree, data/pvctl/, for the host's autoscale loop.
 *
 * It samples once a second and publishes every period, or at once when
 * a value moves by a significant step or the kernel's memory-pressure
 * trigger fires. While memory is short or falling fast ("urgent"), it
 * samples every 200 ms and publishes smaller moves, 200 ms apart at
 * most, so the host can act before the guest's OOM killer does; a calm
 * guest stays as quiet as ever. One XenStore transaction per report;
 * seq is written last, and it is the node the host watches.
 *
 * Single-threaded: one ppoll() waits for the next tick, the PSI trigger
 * and SIGTERM/SIGINT, which stay blocked everywhere else so that no
 * system call but that one ever sees EINTR.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "report.h"
#include "sample.h"

#define TICK_MS		1000
/* While urgent (pv_agent_urgent): the host has a fraction of a second to
 * give memory, so sample and report that often. */
#define FAST_TICK_MS	PV_AGENT_FAST_MS
/* Reports are at least this far apart (less a tenth for timer slack):
 * rates over a shorter interval would be noise. */
#define MIN_GAP_MS	1000
#define FAST_GAP_MS	PV_AGENT_FAST_MS
#define LOW_WATER_PCT	20	/* -l: urgent below this share of MemTotal */
/* The PSI trigger's tracking window: it fires at most once per window.
 * The stall threshold (-p) must be below it. */
#define PSI_WINDOW_US	1000000
#define XS_RETRIES	16
#define SEQ_RESTART	(UINT64_C(1) << 62)

struct agent {
	/* options */
	unsigned int period_s;
	unsigned int psi_stall_us;
	unsigned int low_pct;		/* -l, 0 for none */
	bool once;
	bool dry_run;
	bool verbose;
	const char *root;		/* prefix for /proc and /sys (tests) */

	struct xs_handle *xs;		/* NULL in a dry run */
	int psi_fd;			/* -1 without a PSI trigger */
	bool psi_pending;		/* fired; report once the gap allows */
	bool deferred;			/* a report came due inside the gap */
	bool xs_failing;		/* to log a failure once, not per report */
	bool urgent;			/* as of the latest sample */

	struct pv_agent_sample latest;	/* the latest sample, for urgency */
	struct pv_agent_sample base;	/* taken at the last report */
	struct pv_agent_report last;	/* the last report published */
	bool published;
	uint64_t seq;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void PV_AGENT_PRINTF(1, 2) warn(const char *fmt, ...)
{
	va_list ap;

	fputs("pvctl-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The guest's wall clock, for time_ms: the host compares it with its
 * own to see how old a report is, and decides nothing else on it. */
static uint64_t realtime_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- XenStore ------------------------------------------------------------ */

/*
 * Writes every present field and then seq in one transaction, so the
 * host, woken by its watch on seq, reads a consistent report. Paths are
 * relative: xenstored resolves them under the caller's
 * /local/domain/ID, and the toolstack made data/ writable by the guest.
 */
static bool xs_put(struct xs_handle *xs, xs_transaction_t t, const char *name,
		   uint64_t v)
{
	char path[64], val[24];

	snprintf(path, sizeof(path), PV_AGENT_XS_DIR "%s", name);
	snprintf(val, sizeof(val), "%" PRIu64, v);
	return xs_write(xs, t, path, val, strlen(val));
}

/*
 * The whole report goes into data/pvctl/report, which the host reads in
 * one request, and into one node per field, for people and older hosts.
 * @prev, when not NULL, is what the nodes hold already (the last report
 * published): only the fields that changed are written, which halves
 * what a report costs xenstored when the agent reports 5 times a second.
 */
static int xs_try_publish(struct xs_handle *xs, const struct pv_agent_report *r,
			  const struct pv_agent_report *prev, uint64_t seq)
{
	xs_transaction_t t;
	unsigned int f;
	bool ok = true;
	int err;

	t = xs_transaction_start(xs);
	if (t == XBT_NULL)
		return -errno;
	for (f = 0; f < PV_F_NR && ok; f++) {
		unsigned int bit = 1u << f;

		if (!(r->have & bit) ||
		    (prev && (prev->have & bit) && prev->v[f] == r->v[f]))
			continue;
		ok = xs_put(xs, t, pv_agent_field_name(f), r->v[f]);
	}
	if (ok) {
		char line[PV_AGENT_REPORT_MAX];

		pv_agent_report_line(r, seq, line, sizeof(line));
		ok = xs_write(xs, t, PV_AGENT_XS_LINE, line, strlen(line));
	}
	if (!ok || !xs_put(xs, t, "seq", seq)) {
		err = errno;
		xs_transaction_end(xs, t, true);
		return -err;
	}
	if (!xs_transaction_end(xs, t, false))
		return -errno;
	return 0;
}

/* A transaction that raced with another writer ends in EAGAIN: redo it. */
static int xs_publish(struct xs_handle *xs, const struct pv_agent_report *r,
		      const struct pv_agent_report *prev, uint64_t seq)
{
	int i, rc = -EAGAIN;

	for (i = 0; i < XS_RETRIES && rc == -EAGAIN; i++)
		rc = xs_try_publish(xs, r, prev, seq);
	return rc;
}

/*
 * Continues the host's view of seq across agent restarts, so that "seq
 * went up" keeps meaning "new report". Anything but a plain number there
 * (the guest owns the node, anything in it may have written it), or a
 * huge one, starts again from 0.
 */
static uint64_t xs_read_seq(struct xs_handle *xs)
{
	unsigned int len;
	char *s = xs_read(xs, XBT_NULL, PV_AGENT_XS_SEQ, &len);
	uint64_t seq = 0;
	unsigned int i;

	if (!s)
		return 0;
	for (i = 0; i < len && i < 19 && s[i] >= '0' && s[i] <= '9'; i++)
		seq = seq * 10 + (s[i] - '0');
	/* The host refuses a seq above 2^63 - 1: never climb towards it. */
	if (i != len || seq > SEQ_RESTART)
		seq = 0;
	free(s);
	return seq;
}

/* ---- the PSI trigger ----------------------------------------------------- */

/*
 * Asks the kernel to wake us (POLLPRI) when tasks stall on memory for
 * @stall_us within any @window_us (Documentation/accounting/psi.rst).
 * Returns the trigger's fd, or -errno: ENOENT or EOPNOTSUPP without PSI
 * (before 4.20, psi=0), EINVAL for a window the kernel refuses.
 */
static int psi_trigger_open(const char *root, unsigned int stall_us,
			    unsigned int window_us)
{
	char path[4096], trig[48];
	int fd, err;

	snprintf(path, sizeof(path), "%s/proc/pressure/memory", root);
	snprintf(trig, sizeof(trig), "some %u %u", stall_us, window_us);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* psi_write() terminates the string by overwriting the last byte
	 * written: send the NUL too, as psi.rst's example does. */
	if (write(fd, trig, strlen(trig) + 1) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/*
 * Without CAP_SYS_RESOURCE (a confined service), Linux 6.5 and later
 * accept only windows that are multiples of 2 s: then watch the same
 * share of stall over 2 s, which fires at most every 2 s.
 */
static void psi_trigger_setup(struct agent *a)
{
	unsigned int window = PSI_WINDOW_US, stall = a->psi_stall_us;

	a->psi_fd = psi_trigger_open(a->root, stall, window);
	if (a->psi_fd == -EINVAL) {
		window *= 2;
		stall *= 2;
		a->psi_fd = psi_trigger_open(a->root, stall, window);
	}
	if (a->psi_fd < 0)
		warn("no memory pressure trigger (%s); relying on sampling",
		     strerror(-a->psi_fd));
	else if (a->verbose)
		warn("memory pressure trigger: %u us stalled in %u us", stall, window);
}

/*
 * Waits up to @timeout_ms for the trigger, with SIGTERM and SIGINT
 * unblocked for just this call. POLLERR means the kernel dropped the
 * trigger (PSI disabled at run time): fall back to sampling.
 */
static void wait_events(struct agent *a, uint64_t timeout_ms, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = a->psi_fd, .events = POLLPRI };
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000,
	};

	if (ppoll(&pfd, a->psi_fd >= 0, &ts, mask) <= 0 || a->psi_fd < 0)
		return;
	if (pfd.revents & (POLLERR | POLLNVAL)) {
		warn("memory pressure trigger failed; relying on sampling");
		close(a->psi_fd);
		a->psi_fd = -1;
	} else if (pfd.revents & POLLPRI) {
		a->psi_pending = true;
	}
}

/* ---- reports ------------------------------------------------------------- */

static int publish(struct agent *a, const struct pv_agent_report *r)
{
	char text[PV_AGENT_REPORT_MAX];
	int rc;

	if (a->dry_run) {
		pv_agent_report_format(r, a->seq + 1, text, sizeof(text));
		fputs(text, stdout);
		fflush(stdout);
		a->seq++;
		return 0;
	}
	/* After a failed write, the nodes may hold anything: all again. */
	rc = xs_publish(a->xs, r, a->published && !a->xs_failing ? &a->last : NULL,
			a->seq + 1);
	if (rc) {
		if (!a->xs_failing)
			warn("cannot write %s: %s", PV_AGENT_XS_DIR, strerror(-rc));
		a->xs_failing = true;
		return rc;
	}
	if (a->xs_failing)
		warn("writing %s again", PV_AGENT_XS_DIR);
	a->xs_failing = false;
	a->seq++;
	return 0;
}

static uint64_t tick_ms(const struct agent *a)
{
	return a->urgent ? FAST_TICK_MS : TICK_MS;
}

static uint64_t gap_end(const struct agent *a)
{
	return a->base.t_ms + (a->urgent ? FAST_GAP_MS : MIN_GAP_MS);
}

/* Whether the gap since the last report is over at @now, but for a
 * tenth of it: a tick that wakes a little early still reports. */
static bool gap_over(const struct agent *a, uint64_t now)
{
	uint64_t gap = a->urgent ? FAST_GAP_MS : MIN_GAP_MS;

	return now + gap / 10 >= a->base.t_ms + gap;
}

/* Takes @cur as the latest sample and whether it makes us urgent. */
static void update_urgency(struct agent *a, const struct pv_agent_sample *cur)
{
	const char *why;
	bool urgent = pv_agent_urgent(&a->latest, cur, a->low_pct, &why);

	if (a->verbose && urgent && !a->urgent)
		warn("urgent (%s): sampling every %u ms", why, FAST_TICK_MS);
	else if (a->verbose && !urgent && a->urgent)
		warn("calm: sampling every %u ms", TICK_MS);
	a->urgent = urgent;
	a->latest = *cur;
}

/* Why to publish @r at @now, or NULL to keep quiet; *@fast says the
 * urgent test (smaller moves) found it. */
static const char *due(const struct agent *a, const struct pv_agent_report *r,
		       uint64_t now, bool *fast)
{
	const char *why;

	*fast = false;
	if (!a->published)
		return "first";
	if (a->psi_pending)
		return "psi trigger";
	if (now + TICK_MS / 10 >= a->base.t_ms + (uint64_t)a->period_s * 1000)
		return "period";
	if (a->urgent) {
		*fast = true;
		return pv_agent_report_significant_urgent(&a->last, r, &why) ?
		       why : NULL;
	}
	if (pv_agent_report_significant(&a->last, r, &why))
		return why;
	return NULL;
}

/*
 * Samples now and publishes if due and the gap allows; a report due
 * inside the gap is deferred to its end. Returns -errno of a failed
 * write.
 */
static int step(struct agent *a, uint64_t now)
{
	struct pv_agent_sample cur;
	struct pv_agent_report r;
	const char *why;
	bool fast;
	int rc;

	pv_agent_sample_read(&cur, a->root, now, realtime_ms());
	update_urgency(a, &cur);
	pv_agent_report_compute(&r, &a->base, &cur);
	why = due(a, &r, now, &fast);
	a->deferred = why && !gap_over(a, now);
	if (!why || a->deferred)
		return 0;
	if (a->verbose)
		warn("report %" PRIu64 " (%s%s)", a->seq + 1, fast ? "urgent: " : "",
		     why);
	rc = publish(a, &r);
	/* Rates restart from here even when the write failed, so the next
	 * report covers one interval, not the whole outage. */
	a->base = cur;
	a->psi_pending = false;
	if (rc)
		return rc;
	a->last = r;
	a->published = true;
	return 0;
}

static int run(struct agent *a, const sigset_t *mask)
{
	uint64_t now = now_ms(), next_tick;
	int rc;

	/* The first report's rates need an interval: it comes a tick after
	 * this baseline, a fast one if memory is already short. */
	pv_agent_sample_read(&a->base, a->root, now, realtime_ms());
	a->latest = a->base;
	update_urgency(a, &a->base);
	next_tick = now + tick_ms(a);
	while (!stop) {
		bool waiting = a->psi_pending || a->deferred;
		uint64_t wake = next_tick;
		bool tick;

		if (waiting && gap_end(a) < wake)
			wake = gap_end(a);
		wait_events(a, wake > now ? wake - now : 0, mask);
		if (stop)
			break;
		now = now_ms();
		tick = now >= next_tick;
		/* Between ticks, only a waiting report whose gap is over
		 * (the trigger may fire again meanwhile: wait on). */
		if (!tick && !((a->psi_pending || a->deferred) && gap_over(a, now)))
			continue;
		rc = step(a, now);
		/* The step may have changed the cadence: the next tick is
		 * never more than one of the new ticks away, and never in
		 * the past (after a stall: no burst). */
		if (tick)
			next_tick += tick_ms(a);
		if (next_tick > now + tick_ms(a) || next_tick <= now)
			next_tick = now + tick_ms(a);
		if (a->once && (rc || a->published))
			return rc;
	}
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pvctl-agent [-1nv] [-i SECONDS] [-l PERCENT] [-p MICROSECONDS]\n"
		"                   [-r DIR]\n"
		"  -i SECONDS       report period (default 5)\n"
		"  -l PERCENT       sample and report fast while MemAvailable is\n"
		"                   below this share of MemTotal (default 20,\n"
		"                   0 to 90, 0 for never)\n"
		"  -p MICROSECONDS  memory stall in a 1 s window that triggers a\n"
		"                   report (default 150000, below 1000000)\n"
		"  -1               one report, then exit\n"
		"  -n               dry run: print key=value lines, no XenStore\n"
		"  -r DIR           read /proc and /sys under DIR (for tests)\n"
		"  -v               verbose\n");
}

static int parse_num(const char *s, unsigned long min, unsigned long max,
		     unsigned int *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_options(struct agent *a, int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "1hi:l:np:r:v")) != -1) {
		switch (c) {
		case '1': a->once = true; break;
		case 'n': a->dry_run = true; break;
		case 'v': a->verbose = true; break;
		case 'r': a->root = optarg; break;
		case 'i':
			if (parse_num(optarg, 1, 86400, &a->period_s)) {
				warn("-i wants seconds, 1 to 86400");
				return 2;
			}
			break;
		case 'l':
			if (parse_num(optarg, 0, 90, &a->low_pct)) {
				warn("-l wants a percentage, 0 to 90");
				return 2;
			}
			break;
		case 'p':
			/* The kernel wants the stall below the window. */
			if (parse_num(optarg, 1, PSI_WINDOW_US - 1, &a->psi_stall_us)) {
				warn("-p wants microseconds, 1 to %u", PSI_WINDOW_US - 1);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* SIGTERM and SIGINT end the loop; they are blocked except in ppoll(),
 * whose mask (@wait_mask) lets them in. */
static void setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
}

int main(int argc, char **argv)
{
	struct agent a = {
		.period_s = 5,
		.psi_stall_us = 150000,
		.low_pct = LOW_WATER_PCT,
		.root = "",
		.psi_fd = -1,
	};
	sigset_t wait_mask;
	int rc;

	rc = parse_options(&a, argc, argv);
	if (rc)
		return rc;
	setup_signals(&wait_mask);
	if (!a.dry_run) {
		/* In a guest, xs_open(0) reaches xenstored through the
		 * xenbus device, /dev/xen/xenbus. */
		a.xs = xs_open(0);
		if (!a.xs) {
			warn("cannot open XenStore: %s", strerror(errno));
			return 1;
		}
		a.seq = xs_read_seq(a.xs);
	}
	if (!a.once)
		psi_trigger_setup(&a);
	rc = run(&a, &wait_mask);
	if (a.psi_fd >= 0)
		close(a.psi_fd);
	if (a.xs)
		xs_close(a.xs);
	if (a.verbose && stop)
		warn("stopped by signal");
	return rc ? 1 : 0;
}
