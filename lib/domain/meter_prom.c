/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter_prom.c: the meter's figures in Prometheus' text exposition
 * format (version 0.0.4), for node_exporter's textfile collector and
 * for a scrape on a loopback address.
 *
 * Counters are per UUID; the name label is the domain's last name (a
 * guest's name is not to be trusted: label values are escaped). The
 * autoscale loop's need and pressure come from its status file,
 * RUN/autoscale.json (lib/balloon/loop.c writes it: {"time": S,
 * "domains": [{"domid": N, "need_kb": N, "signals": {"psi_mem_some":
 * N}}]}), when it runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "meter_i.h"

void pv_meter_prom_escape(struct pv_buf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			pv_buf_puts(out, "\\\\");
		else if (*s == '"')
			pv_buf_puts(out, "\\\"");
		else if (*s == '\n')
			pv_buf_puts(out, "\\n");
		else
			pv_buf_add(out, s, 1);
	}
}

/* What the autoscale loop last said of one domain. */
struct loop_dom {
	uint32_t domid;
	uint64_t need_kb;
	bool have_psi;
	uint64_t psi_mem_some;	/* 1/100 % */
};

struct loop_status {
	uint64_t time;		/* s */
	struct loop_dom *doms;
	size_t n;
};

static void read_loop_status(const struct pv_meter *m, struct loop_status *ls)
{
	const char *dom_key[] = { "domains", NULL };
	const char *sig_key[] = { "signals", NULL };
	struct pv_buf text = PV_BUF_INIT;
	struct pv_err err;
	yajl_val root = NULL, doms;
	size_t i;

	memset(ls, 0, sizeof(*ls));
	pv_err_init(&err);
	if (pv_buf_read_file(&text, m->status_file, 1 << 24, &err) == 0)
		root = yajl_tree_parse(text.s, NULL, 0);
	doms = root ? yajl_tree_get(root, dom_key, yajl_t_array) : NULL;
	if (doms && pv_meter_get_u64(root, "time", &ls->time)) {
		ls->doms = pv_calloc(doms->u.array.len + 1, sizeof(*ls->doms));
		for (i = 0; i < doms->u.array.len; i++) {
			yajl_val o = doms->u.array.values[i];
			yajl_val sig = yajl_tree_get(o, sig_key, yajl_t_object);
			struct loop_dom *d = &ls->doms[ls->n];
			uint64_t domid;

			if (!pv_meter_get_u64(o, "domid", &domid) ||
			    domid > UINT32_MAX ||
			    !pv_meter_get_u64(o, "need_kb", &d->need_kb))
				continue;
			d->domid = (uint32_t)domid;
			d->have_psi = sig &&
				pv_meter_get_u64(sig, "psi_mem_some", &d->psi_mem_some);
			ls->n++;
		}
	}
	yajl_tree_free(root);
	pv_buf_dispose(&text);
	pv_err_dispose(&err);
}

static const struct loop_dom *loop_dom(const struct loop_status *ls,
				       const struct pv_meter_dom *d)
{
	size_t i;

	for (i = 0; d->present && i < ls->n; i++)
		if (ls->doms[i].domid == d->domid)
			return &ls->doms[i];
	return NULL;
}

/* The metric families, in output order. */
enum family {
	F_MEM_ALLOC, F_VCPU_ALLOC, F_CPU_USED, F_MEM_USED, F_METERED,
	F_MEM, F_TARGET, F_VCPUS, F_NEED, F_PRESSURE, F_NFAMILIES
};

static const struct {
	const char *name, *type, *help;
} families[F_NFAMILIES] = {
	[F_MEM_ALLOC] = { "pvctl_domain_memory_allocated_mib_seconds_total", "counter",
			  "Memory Xen says the domain holds, integrated over time (MiB x seconds)." },
	[F_VCPU_ALLOC] = { "pvctl_domain_vcpu_allocated_seconds_total", "counter",
			   "Online vCPUs of the domain, integrated over time (vCPU x seconds)." },
	[F_CPU_USED] = { "pvctl_domain_cpu_used_seconds_total", "counter",
			 "CPU time the domain used, as Xen counts it." },
	[F_MEM_USED] = { "pvctl_domain_memory_used_mib_seconds_total", "counter",
			 "Memory the guest's agent says it uses (MemTotal - MemAvailable), integrated over time (MiB x seconds)." },
	[F_METERED] = { "pvctl_domain_metered_seconds_total", "counter",
			"Time the domain existed while metered." },
	[F_MEM] = { "pvctl_domain_memory_mib", "gauge",
		    "Memory Xen says the domain holds now." },
	[F_TARGET] = { "pvctl_domain_memory_target_mib", "gauge",
		       "The domain's balloon target (memory/target)." },
	[F_VCPUS] = { "pvctl_domain_vcpus", "gauge",
		      "Online vCPUs of the domain now." },
	[F_NEED] = { "pvctl_domain_memory_need_mib", "gauge",
		     "Memory the autoscale loop last judged the domain to need." },
	[F_PRESSURE] = { "pvctl_domain_memory_pressure_ratio", "gauge",
			 "The guest's memory pressure (PSI some, avg10) the autoscale loop last read, 0 to 1." },
};

/* Counters in seconds from ms, exactly. */
static void put_ms(struct pv_buf *b, uint64_t ms)
{
	pv_buf_printf(b, "%llu.%03llu", (unsigned long long)(ms / 1000),
		      (unsigned long long)(ms % 1000));
}

/* One family's value for @d into @b; false when @d has none. */
static bool value(enum family f, const struct pv_meter_dom *d,
		  const struct loop_dom *ld, struct pv_buf *b)
{
	switch (f) {
	case F_MEM_ALLOC:
		put_ms(b, d->c.mem_mib_ms);
		return true;
	case F_VCPU_ALLOC:
		put_ms(b, d->c.vcpu_ms);
		return true;
	case F_CPU_USED:
		pv_buf_printf(b, "%llu.%09llu",
			      (unsigned long long)(d->c.cpu_ns / 1000000000),
			      (unsigned long long)(d->c.cpu_ns % 1000000000));
		return true;
	case F_MEM_USED:
		if (!d->c.agent_ms)
			return false;
		put_ms(b, d->c.used_mib_ms);
		return true;
	case F_METERED:
		put_ms(b, d->c.alive_ms);
		return true;
	case F_MEM:
		if (!d->present)
			return false;
		pv_buf_printf(b, "%.3f", (double)d->mem_kb / 1024);
		return true;
	case F_TARGET:
		if (!d->present || !d->target_kb)
			return false;
		pv_buf_printf(b, "%.3f", (double)d->target_kb / 1024);
		return true;
	case F_VCPUS:
		if (!d->present)
			return false;
		pv_buf_printf(b, "%u", d->vcpus);
		return true;
	case F_NEED:
		if (!ld)
			return false;
		pv_buf_printf(b, "%.3f", (double)ld->need_kb / 1024);
		return true;
	case F_PRESSURE:
		if (!ld || !ld->have_psi)
			return false;
		pv_buf_printf(b, "%.4f", (double)ld->psi_mem_some / 10000);
		return true;
	default:
		return false;
	}
}

void pv_meter_prom_text(const struct pv_meter *m, struct pv_buf *out)
{
	struct pv_buf v = PV_BUF_INIT, series = PV_BUF_INIT;
	struct loop_status ls;
	size_t f, i;

	read_loop_status(m, &ls);
	for (f = 0; f < F_NFAMILIES; f++) {
		pv_buf_reset(&series);
		for (i = 0; i < m->n; i++) {
			const struct pv_meter_dom *d = &m->doms[i];

			/* A destroyed domain stays a while: its last figures get scraped. */
			if (!d->present && d->last_ms + PV_METER_PROM_GONE_MS < m->sample_ms)
				continue;
			pv_buf_reset(&v);
			if (!value((enum family)f, d, loop_dom(&ls, d), &v))
				continue;
			pv_buf_printf(&series, "%s{name=\"", families[f].name);
			pv_meter_prom_escape(&series, d->name);
			pv_buf_printf(&series, "\",uuid=\"%s\"} %s\n", d->uuid, v.s);
		}
		if (!series.len)
			continue;
		pv_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s", families[f].name,
			      families[f].help, families[f].name, families[f].type,
			      series.s);
	}
	pv_buf_printf(out, "# HELP pvctl_meter_last_sample_timestamp_seconds "
		      "When the meter last sampled the domains.\n"
		      "# TYPE pvctl_meter_last_sample_timestamp_seconds gauge\n"
		      "pvctl_meter_last_sample_timestamp_seconds ");
	put_ms(out, m->sample_ms);
	pv_buf_puts(out, "\n");
	if (ls.time)
		pv_buf_printf(out, "# HELP pvctl_autoscale_status_timestamp_seconds "
			      "When the autoscale loop last wrote the need and pressure above.\n"
			      "# TYPE pvctl_autoscale_status_timestamp_seconds gauge\n"
			      "pvctl_autoscale_status_timestamp_seconds %llu\n",
			      (unsigned long long)ls.time);
	free(ls.doms);
	pv_buf_dispose(&v);
	pv_buf_dispose(&series);
}

/* --- serving it --- */

struct pv_meter_http {
	int fd;			/* listening */
	int stop[2];		/* a pipe: written to stop the thread */
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	char *text;		/* the latest exposition */
	size_t len;
};

/* "127.x.y.z:PORT" or "[::1]:PORT" into @ss. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss,
			socklen_t *sslen, struct pv_err *err)
{
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char *host;
	uint64_t port;
	int rc = 0;

	memset(ss, 0, sizeof(*ss));
	if (!colon || pv_parse_uint(colon + 1, 65535, &port))
		return pv_err_set(err, -EINVAL, "metrics address '%s': not "
				  "ADDRESS:PORT", spec);
	host = pv_strndup(spec, (size_t)(colon - spec));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*s6);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1 ||
		    !IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			rc = -EINVAL;
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*s4);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1 ||
		    (ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			rc = -EINVAL;
	}
	free(host);
	if (rc)
		pv_err_set(err, rc, "metrics address '%s': only a loopback "
			   "address (127.0.0.1:PORT, [::1]:PORT) is served", spec);
	return rc;
}

int pv_meter_check_listen(const char *spec, struct pv_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_listen(spec, &ss, &len, err);
}

/* Reads the request head (bounded, with a timeout) and answers it. */
static void serve(struct pv_meter_http *h, int c)
{
	struct timeval tv = { .tv_sec = 2 };
	char req[4096];
	size_t got = 0;
	ssize_t r;
	const char *status = "404 Not Found", *type = "text/plain";
	char *body = NULL, head[256];
	size_t len = 0;
	int hl;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1 &&
	       (r = recv(c, req + got, sizeof(req) - 1 - got, 0)) > 0) {
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (!strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET /metrics?", 13)) {
		status = "200 OK";
		type = "text/plain; version=0.0.4; charset=utf-8";
		pthread_mutex_lock(&h->lock);
		body = pv_strndup(h->text ? h->text : "", h->len);
		len = h->len;
		pthread_mutex_unlock(&h->lock);
	} else if (strncmp(req, "GET ", 4)) {
		status = "405 Method Not Allowed";
	}
	if (!body) {
		body = pv_asprintf("%s\n", status);
		len = strlen(body);
	}
	hl = snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
		      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		      status, type, len);
	if (send(c, head, (size_t)hl, MSG_NOSIGNAL) == hl)
		send(c, body, len, MSG_NOSIGNAL);
	free(body);
}

static void *http_main(void *arg)
{
	struct pv_meter_http *h = arg;
	struct pollfd p[2] = { { h->fd, POLLIN, 0 }, { h->stop[0], POLLIN, 0 } };

	for (;;) {
		int c;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		c = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		/* One at a time: a scrape is small, and this is loopback. */
		serve(h, c);
		close(c);
	}
	return NULL;
}

int pv_meter_listen(struct pv_meter *m, struct pv_err *err)
{
	struct pv_meter_http *h;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, rc;

	rc = parse_listen(m->listen, &ss, &len, err);
	if (rc)
		return rc;
	h = pv_calloc(1, sizeof(*h));
	h->stop[0] = h->stop[1] = -1;
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0 ||
	    setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->fd, (struct sockaddr *)&ss, len) || listen(h->fd, 8) ||
	    getsockname(h->fd, (struct sockaddr *)&ss, &len) ||
	    pipe2(h->stop, O_CLOEXEC)) {
		rc = pv_err_sys(err, -errno, "listening on %s", m->listen);
		goto fail;
	}
	h->port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	pthread_mutex_init(&h->lock, NULL);
	rc = -pthread_create(&h->thread, NULL, http_main, h);
	if (rc) {
		pv_err_sys(err, rc, "starting the metrics server");
		pthread_mutex_destroy(&h->lock);
		goto fail;
	}
	m->http = h;
	return 0;
fail:
	if (h->fd >= 0)
		close(h->fd);
	if (h->stop[0] >= 0) {
		close(h->stop[0]);
		close(h->stop[1]);
	}
	free(h);
	return rc;
}

int pv_meter_listen_port(const struct pv_meter *m)
{
	return m->http ? m->http->port : -1;
}

void pv_meter_publish(struct pv_meter *m, const char *text, size_t len)
{
	struct pv_meter_http *h = m->http;
	char *copy = pv_strndup(text, len), *old;

	pthread_mutex_lock(&h->lock);
	old = h->text;
	h->text = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
}

void pv_meter_http_stop(struct pv_meter *m)
{
	struct pv_meter_http *h = m->http;

	if (!h)
		return;
	if (write(h->stop[1], "x", 1) != 1)
		pthread_cancel(h->thread);
	pthread_join(h->thread, NULL);
	close(h->stop[0]);
	close(h->stop[1]);
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
	m->http = NULL;
}
