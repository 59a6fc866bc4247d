/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_top.c: top, a live view of the domains as xentop draws it, with
 * what pvctl knows besides: each guest's balloon target, its agent's
 * MemAvailable and memory pressure, and the autoscale loop's last
 * decision. The data is lib's (pv_top_snapshot); this file draws it,
 * with ncurses on a terminal or, with -b, as plain text frames.
 */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pvctl.h"
#include "../lib/balloon/top.h"

/* xentop's columns, then pvctl's; DECISION takes the rest of the line. */
enum col { C_NAME, C_STATE, C_CPU_S, C_CPU_PCT, C_MEM, C_MEM_PCT, C_MAXMEM,
	   C_VCPUS, C_TARGET, C_AVAIL, C_PSI, C_DECISION, NCOLS };

static const struct { const char *head; int width; } cols[NCOLS] = {
	[C_NAME] = { "NAME", 10 },	/* widened to the longest name */
	[C_STATE] = { "STATE", 6 },
	[C_CPU_S] = { "CPU(sec)", 10 },
	[C_CPU_PCT] = { "CPU(%)", 6 },
	[C_MEM] = { "MEM(k)", 10 },
	[C_MEM_PCT] = { "MEM(%)", 6 },
	[C_MAXMEM] = { "MAXMEM(k)", 10 },
	[C_VCPUS] = { "VCPUS", 5 },
	[C_TARGET] = { "TARGET(k)", 10 },
	[C_AVAIL] = { "AVAIL(k)", 10 },
	[C_PSI] = { "PSI(%)", 6 },
	[C_DECISION] = { "DECISION", 0 },
};

/* One frame: two snapshots (CPU% is the growth between them). */
struct frame {
	struct pv_top *prev, *cur;
	const struct pv_top_dom **rows;	/* cur's domains, sorted */
	double *pct;			/* CPU% of cur->doms[i] */
	int sort;			/* a column, or -1: by domain ID */
	int name_width;
};

static double pct_of(const struct frame *f, const struct pv_top_dom *d)
{
	return f->pct[d - f->cur->doms];
}

/* xentop's state letters, in its order: dying, shutdown, blocked... */
static void state_letters(const struct pv_dominfo *i, char out[7])
{
	const bool on[6] = { i->dying, i->shutdown, i->blocked,
			     i->crashed, i->paused, i->running };
	const char *letters = "dsbcpr";
	int k;

	for (k = 0; k < 6; k++)
		out[k] = on[k] ? letters[k] : '-';
	out[6] = '\0';
}

/* Names and decisions are shown, never obeyed: no control bytes. */
static void add_printable(struct pv_buf *b, const char *s, int width)
{
	int n = 0;

	for (; *s && (width <= 0 || n < width); s++, n++)
		pv_buf_add(b, *s >= 0x20 && *s < 0x7f ? s : "?", 1);
	for (; n < width; n++)
		pv_buf_puts(b, " ");
}

static void kb_cell(struct pv_buf *b, bool have, uint64_t kb, int width)
{
	if (have)
		pv_buf_printf(b, "%*llu", width, (unsigned long long)kb);
	else
		pv_buf_printf(b, "%*s", width, "-");
}

static void cell(struct pv_buf *b, const struct frame *f,
		 const struct pv_top_dom *d, enum col c)
{
	const struct pv_dominfo *i = &d->info;
	double total = f->cur->host.total_kb ? (double)f->cur->host.total_kb : 1;
	int w = c == C_NAME ? f->name_width : cols[c].width;
	char st[7];

	switch (c) {
	case C_NAME:
		/* Right-aligned, as xentop's. */
		pv_buf_printf(b, "%*s", w - (int)strlen(d->name ? d->name : "-"), "");
		add_printable(b, d->name ? d->name : "-", 0);
		break;
	case C_STATE:
		state_letters(i, st);
		pv_buf_printf(b, "%*s", w, st);
		break;
	case C_CPU_S:
		pv_buf_printf(b, "%*llu", w,
			      (unsigned long long)(i->cpu_time_ns / 1000000000u));
		break;
	case C_CPU_PCT:
		pv_buf_printf(b, "%*.1f", w, pct_of(f, d));
		break;
	case C_MEM:
		kb_cell(b, true, i->cur_kb, w);
		break;
	case C_MEM_PCT:
		pv_buf_printf(b, "%*.1f", w, (double)i->cur_kb / total * 100);
		break;
	case C_MAXMEM:
		if (i->max_kb == UINT64_MAX)
			pv_buf_printf(b, "%*s", w, "no limit");
		else
			kb_cell(b, true, i->max_kb, w);
		break;
	case C_VCPUS:
		pv_buf_printf(b, "%*u", w, i->max_vcpu_id + 1);
		break;
	case C_TARGET:
		kb_cell(b, d->have_target, d->target_kb, w);
		break;
	case C_AVAIL:
		kb_cell(b, d->sig.valid, d->sig.mem_avail_kb, w);
		break;
	case C_PSI:
		if (d->sig.valid)
			pv_buf_printf(b, "%*.1f", w, d->sig.psi_mem_some / 100.0);
		else
			pv_buf_printf(b, "%*s", w, "-");
		break;
	case C_DECISION:
		add_printable(b, d->decision ? d->decision : "-", 0);
		break;
	case NCOLS:
		break;
	}
}

static int cmp3(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Numbers biggest first (as xentop), text in order; ties by domain ID. */
static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const struct pv_top_dom *a = *(const struct pv_top_dom *const *)pa;
	const struct pv_top_dom *b = *(const struct pv_top_dom *const *)pb;
	const struct frame *f = arg;
	char sa[7], sb[7];
	int r = 0;

	switch (f->sort) {
	case C_NAME:
		r = strcmp(a->name ? a->name : "", b->name ? b->name : "");
		break;
	case C_STATE:
		state_letters(&a->info, sa);
		state_letters(&b->info, sb);
		r = -strcmp(sa, sb);
		break;
	case C_CPU_S:
		r = -cmp3(a->info.cpu_time_ns, b->info.cpu_time_ns);
		break;
	case C_CPU_PCT:
		r = pct_of(f, a) > pct_of(f, b) ? -1 : pct_of(f, a) < pct_of(f, b);
		break;
	case C_MEM:
	case C_MEM_PCT:
		r = -cmp3(a->info.cur_kb, b->info.cur_kb);
		break;
	case C_MAXMEM:
		r = -cmp3(a->info.max_kb, b->info.max_kb);
		break;
	case C_VCPUS:
		r = -cmp3(a->info.max_vcpu_id, b->info.max_vcpu_id);
		break;
	case C_TARGET:
		r = -cmp3(a->have_target ? a->target_kb : 0,
			  b->have_target ? b->target_kb : 0);
		break;
	case C_AVAIL:
		r = -cmp3(a->sig.valid ? a->sig.mem_avail_kb : 0,
			  b->sig.valid ? b->sig.mem_avail_kb : 0);
		break;
	case C_PSI:
		r = -cmp3(a->sig.valid ? a->sig.psi_mem_some : 0,
			  b->sig.valid ? b->sig.psi_mem_some : 0);
		break;
	case C_DECISION:
		r = strcmp(a->decision ? a->decision : "",
			   b->decision ? b->decision : "");
		break;
	}
	return r ? r : cmp3(a->info.domid, b->info.domid);
}

/* Sorts cur's domains and works out what the columns need. */
static void frame_prepare(struct frame *f)
{
	size_t i;

	free(f->rows);
	free(f->pct);
	f->rows = pv_calloc(f->cur->n + 1, sizeof(*f->rows));
	f->pct = pv_calloc(f->cur->n + 1, sizeof(*f->pct));
	f->name_width = cols[C_NAME].width;
	for (i = 0; i < f->cur->n; i++) {
		const char *name = f->cur->doms[i].name;

		f->rows[i] = &f->cur->doms[i];
		f->pct[i] = pv_top_cpu_pct(f->prev, f->cur, i);
		if (name && (int)strlen(name) > f->name_width)
			f->name_width = (int)strlen(name);
	}
	qsort_r(f->rows, f->cur->n, sizeof(*f->rows), compare_rows, f);
}

static void header_cell(struct pv_buf *b, const struct frame *f, enum col c)
{
	int w = c == C_NAME ? f->name_width : cols[c].width;

	pv_buf_printf(b, "%s%*s", c ? " " : "", w, cols[c].head);
}

static void row_text(struct pv_buf *b, const struct frame *f,
		     const struct pv_top_dom *d)
{
	int c;

	for (c = 0; c < NCOLS; c++) {
		if (c)
			pv_buf_puts(b, " ");
		cell(b, f, d, (enum col)c);
	}
}

/* -b: the header and a line per domain, as xentop -b (no summary). */
static int print_batch(const struct frame *f)
{
	struct pv_buf b = PV_BUF_INIT;
	size_t i;
	int c, rc;

	for (c = 0; c < NCOLS; c++)
		header_cell(&b, f, (enum col)c);
	pv_buf_puts(&b, "\n");
	for (i = 0; i < f->cur->n; i++) {
		row_text(&b, f, f->rows[i]);
		pv_buf_puts(&b, "\n");
	}
	rc = fwrite(b.s, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
	pv_buf_dispose(&b);
	return rc ? 0 : PV_EXIT_FAIL;
}

/* --- the terminal --- */

struct screen {
	unsigned int delay;		/* seconds between snapshots */
	bool prompting;			/* reading a new delay after 'd' */
	char typed[8];
};

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	stop_flag = 1;
}

/* A line of text, cut at the screen's edge. */
static void put_line(const char *s)
{
	int y, x;

	getyx(stdscr, y, x);
	(void)x;
	if (y >= LINES)
		return;
	addnstr(s, COLS > 0 ? COLS - 1 : 0);
	clrtoeol();
	if (y + 1 < LINES)
		move(y + 1, 0);
}

static void draw_summary(const struct frame *f)
{
	const struct pv_top *t = f->cur;
	const struct pv_physinfo *h = &t->host;
	unsigned int run = 0, block = 0, pause = 0, crash = 0, dying = 0, down = 0;
	struct pv_buf b = PV_BUF_INIT;
	time_t now = time(NULL);
	char clock[16];
	size_t i;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	pv_buf_printf(&b, "pvctl top - %s   Xen %u.%u%s", clock, h->xen_major,
		      h->xen_minor, h->xen_extra);
	put_line(b.s);
	for (i = 0; i < t->n; i++) {
		const struct pv_dominfo *d = &t->doms[i].info;

		/* One state each, as xentop; crashed before shutdown, which it implies. */
		if (d->running)
			run++;
		else if (d->blocked)
			block++;
		else if (d->paused)
			pause++;
		else if (d->crashed)
			crash++;
		else if (d->dying)
			dying++;
		else if (d->shutdown)
			down++;
	}
	pv_buf_reset(&b);
	pv_buf_printf(&b, "%zu domains: %u running, %u blocked, %u paused, "
		      "%u crashed, %u dying, %u shutdown", t->n, run, block,
		      pause, crash, dying, down);
	put_line(b.s);
	pv_buf_reset(&b);
	pv_buf_printf(&b, "Mem: %lluk total, %lluk used, %lluk free    "
		      "CPUs: %u @ %uMHz", (unsigned long long)h->total_kb,
		      (unsigned long long)(h->total_kb - h->free_kb),
		      (unsigned long long)h->free_kb, h->nr_cpus, h->cpu_mhz);
	put_line(b.s);
	pv_buf_reset(&b);
	if (t->have_loop)
		pv_buf_printf(&b, "Autoscale: tick %llu, %llds ago",
			      (unsigned long long)t->loop_ticks,
			      (long long)(now - t->loop_time));
	else
		pv_buf_puts(&b, "Autoscale: no status file: the loop is not running");
	put_line(b.s);
	pv_buf_dispose(&b);
}

static void draw(const struct frame *f, const struct screen *sc)
{
	struct pv_buf b = PV_BUF_INIT;
	size_t i;
	int c, y, x;

	erase();
	move(0, 0);
	draw_summary(f);
	put_line("");
	attron(A_REVERSE);
	for (c = 0; c < NCOLS; c++) {
		pv_buf_reset(&b);
		header_cell(&b, f, (enum col)c);
		if (c == f->sort)
			attron(A_BOLD);
		addstr(b.s);
		if (c == f->sort)
			attroff(A_BOLD);
	}
	getyx(stdscr, y, x);
	for (; x < COLS; x++)
		addch(' ');
	attroff(A_REVERSE);
	move(y + 1, 0);
	for (i = 0; i < f->cur->n && y + 1 + (int)i < LINES - 1; i++) {
		pv_buf_reset(&b);
		row_text(&b, f, f->rows[i]);
		put_line(b.s);
	}
	pv_buf_reset(&b);
	move(LINES - 1, 0);
	if (sc->prompting)
		pv_buf_printf(&b, "Delay(sec): %s", sc->typed);
	else
		pv_buf_printf(&b, "Delay %u sec, sort %s   q quit  d delay  "
			      "s sort", sc->delay, f->sort < 0 ? "domain ID" :
			      cols[f->sort].head);
	attron(A_REVERSE);
	addnstr(b.s, COLS > 0 ? COLS - 1 : 0);
	attroff(A_REVERSE);
	clrtoeol();
	refresh();
	pv_buf_dispose(&b);
}

/* A key: false to quit. */
static bool handle_key(int ch, struct frame *f, struct screen *sc)
{
	size_t n = strlen(sc->typed);
	uint64_t v;

	if (sc->prompting) {
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			if (!pv_parse_uint(sc->typed, 3600, &v) && v)
				sc->delay = (unsigned int)v;
			sc->prompting = false;
		} else if (ch == 27) {
			sc->prompting = false;
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
			sc->typed[n - 1] = '\0';
		} else if (ch >= '0' && ch <= '9' && n + 1 < sizeof(sc->typed)) {
			sc->typed[n] = (char)ch;
			sc->typed[n + 1] = '\0';
		}
		return true;
	}
	switch (ch) {
	case 'q': case 'Q': case 27:
		return false;
	case 'd': case 'D':
		sc->prompting = true;
		sc->typed[0] = '\0';
		break;
	case 's': case 'S':
		f->sort = f->sort + 1 < NCOLS ? f->sort + 1 : -1;
		frame_prepare(f);
		break;
	}
	return true;
}

/* Waits out the delay, answering keys meanwhile; false to quit. */
static bool wait_keys(struct frame *f, struct screen *sc)
{
	uint64_t end = pv_now_ms() + (uint64_t)sc->delay * 1000;

	for (;;) {
		uint64_t now = pv_now_ms();
		int ch;

		if (stop_flag)
			return false;
		/* Keys typed into the prompt do not run the clock out. */
		if (now >= end && !sc->prompting)
			return true;
		timeout(sc->prompting ? 1000 : (int)(end - now));
		ch = getch();
		if (ch == ERR)
			continue;
		if (!handle_key(ch, f, sc))
			return false;
		draw(f, sc);
	}
}

static bool terminal_known(void)
{
	int err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}

/* The loop around the frames; @iterations 0: until q. */
static int run(struct pv_cli *cli, bool batch, uint64_t iterations,
	       unsigned int delay)
{
	struct pv_top a, b;
	struct frame f = { NULL, &a, NULL, NULL, -1, 0 };
	struct screen sc = { delay, false, "" };
	struct sigaction sa, old_int, old_term;
	SCREEN *scr = NULL;
	struct pv_err err;
	uint64_t k;
	int rc = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: getch and sleep return */
	stop_flag = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pv_top_init(&a);
	pv_top_init(&b);
	pv_err_init(&err);
	if (!batch) {
		/*
		 * Not initscr(), which exits when terminfo does not know the
		 * terminal; and terminfo first, as newterm() leaks then.
		 */
		if (terminal_known())
			scr = newterm(NULL, stdout, stdin);
		if (!scr) {
			pv_cli_error("top: cannot drive this terminal (TERM=%s): "
				     "-b prints plain text frames",
				     getenv("TERM") ? getenv("TERM") : "");
			rc = PV_EXIT_FAIL;
			goto out;
		}
		cbreak();
		noecho();
		keypad(stdscr, TRUE);
		curs_set(0);
	}
	for (k = 0; !stop_flag && (!iterations || k < iterations); k++) {
		struct pv_top *next = f.cur == &a ? &b : &a;

		if (k && batch && sleep(delay))
			break;		/* interrupted */
		rc = pv_top_snapshot(&cli->ctx, next, &err);
		if (rc)
			break;
		f.prev = k ? f.cur : NULL;
		f.cur = next;
		frame_prepare(&f);
		if (batch) {
			rc = print_batch(&f);
			if (rc)
				break;
			continue;
		}
		draw(&f, &sc);
		if ((iterations && k + 1 == iterations) || !wait_keys(&f, &sc))
			break;
	}
	if (scr) {
		endwin();
		delscreen(scr);
	}
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc < 0)
		rc = pv_cli_report(rc, &err);
	else
		pv_err_dispose(&err);
	free(f.rows);
	free(f.pct);
	pv_top_dispose(&a);
	pv_top_dispose(&b);
	return rc;
}

int cmd_top(struct pv_cli *cli, int argc, char **argv)
{
	bool batch = cli->opt_set[TOP_BATCH];
	uint64_t iterations = 0, delay;
	int rc;

	if (cli->opt_set[TOP_ITERATIONS] &&
	    (pv_parse_uint(cli->opt_val[TOP_ITERATIONS], UINT32_MAX, &iterations) ||
	     !iterations)) {
		pv_cli_error("top: bad --iterations '%s' (a count from 1)",
			     cli->opt_val[TOP_ITERATIONS]);
		return PV_EXIT_USAGE;
	}
	rc = pv_cli_opt_seconds(cli, TOP_DELAY, 3, 3600, &delay);
	if (rc)
		return rc;
	if (!batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		pv_cli_error("top: not on a terminal: -b prints plain text frames");
		return PV_EXIT_USAGE;
	}
	/* The table does not open Xen for it: the options are checked first. */
	rc = pv_cli_open_xen(cli);
	if (rc)
		return rc;
	return run(cli, batch, iterations, (unsigned int)delay);
}
