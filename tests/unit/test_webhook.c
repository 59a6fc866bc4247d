/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_webhook.c: events posted to a receiver on 127.0.0.1, with retries,
 * and without ever blocking the caller.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/balloon/webhook.h"
#include "util/util.h"

/* A tiny HTTP receiver: answers the first @fail requests 500, then 200. */
struct receiver {
	int fd, port, fail, served;
	char body[4096];
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct receiver *r = arg;
	char buf[8192];

	for (;;) {
		int c = accept(r->fd, NULL, NULL);
		ssize_t n, got = 0;
		const char *reply;
		char *b;

		if (c < 0)
			return NULL;
		/* Read until the JSON body's closing brace arrives. */
		while ((n = read(c, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0) {
			got += n;
			buf[got] = '\0';
			b = strstr(buf, "\r\n\r\n");
			if (b && strchr(b, '}'))
				break;
		}
		b = strstr(buf, "\r\n\r\n");
		if (b)
			snprintf(r->body, sizeof(r->body), "%s", b + 4);
		reply = r->served++ < r->fail ?
			"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" :
			"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		if (write(c, reply, strlen(reply)) < 0)
			break;
		close(c);
	}
	return NULL;
}

static void receiver_start(struct receiver *r, int fail)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(r, 0, sizeof(*r));
	r->fail = fail;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(r->fd, 8), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &len), 0);
	r->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&r->thread, NULL, serve, r), 0);
}

static void receiver_stop(struct receiver *r)
{
	shutdown(r->fd, SHUT_RDWR);
	close(r->fd);
	pthread_join(r->thread, NULL);
}

static void test_delivers_json(void **state)
{
	struct pv_webhook_stats st;
	struct pv_webhook *wh;
	struct receiver r;
	char *url;

	receiver_start(&r, 0);
	url = pv_asprintf("http://127.0.0.1:%d/events", r.port);
	wh = pv_webhook_start(url, 5, 2);
	assert_non_null(wh);
	pv_webhook_post(wh, "{\"action\":\"runaway\",\"name\":\"web1\"}");
	pv_webhook_stats(wh, &st);	/* the post itself did not wait */
	pv_webhook_stop(wh, NULL);
	receiver_stop(&r);
	assert_string_equal(r.body, "{\"action\":\"runaway\",\"name\":\"web1\"}");
	assert_int_equal(r.served, 1);
	free(url);
}

static void test_retries_then_succeeds(void **state)
{
	struct pv_webhook *wh;
	struct receiver r;
	char *url;

	receiver_start(&r, 2);		/* two 500s, then 200 */
	url = pv_asprintf("http://127.0.0.1:%d/", r.port);
	wh = pv_webhook_start(url, 5, 3);
	pv_webhook_post(wh, "{\"n\":1}");
	/* Let the worker go through its backoff (0.5 s, then 1 s). */
	for (int i = 0; i < 50 && r.served < 3; i++)
		usleep(100000);
	pv_webhook_stop(wh, NULL);
	receiver_stop(&r);
	assert_int_equal(r.served, 3);
	free(url);
}

static void test_gives_up_and_counts(void **state)
{
	struct pv_webhook_stats st;
	struct pv_webhook *wh;

	/* Nothing listens on port 9 of 127.0.0.1: every attempt fails fast. */
	wh = pv_webhook_start("http://127.0.0.1:9/", 2, 1);
	pv_webhook_post(wh, "{\"n\":2}");
	for (int i = 0; i < 40; i++) {
		pv_webhook_stats(wh, &st);
		if (st.failed)
			break;
		usleep(100000);
	}
	pv_webhook_stats(wh, &st);
	pv_webhook_stop(wh, NULL);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.attempts, 2);	/* one try + one retry */
	assert_int_equal(st.delivered, 0);
}

static void test_full_queue_drops_without_blocking(void **state)
{
	struct pv_webhook_stats st;
	struct pv_webhook *wh;
	uint64_t t0 = pv_now_ms();
	int i;

	wh = pv_webhook_start("http://127.0.0.1:9/", 1, 0);
	for (i = 0; i < 200; i++)
		pv_webhook_post(wh, "{\"n\":3}");
	assert_true(pv_now_ms() - t0 < 1000);	/* never waited on the network */
	pv_webhook_stats(wh, &st);
	assert_true(st.dropped >= 200 - 64 - 1);
	pv_webhook_stop(wh, NULL);
}

/* A receiver that takes connections and never answers. */
static int silent_receiver(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/*
 * Stopping does not wait on the network: what is queued is dropped and
 * counted, the request under way gets a short grace. With the defaults
 * (5 s, 3 retries) delivering these 8 would take over 2 minutes.
 */
static void test_stop_is_bounded(void **state)
{
	struct pv_webhook_stats st;
	struct pv_webhook *wh;
	uint64_t t0;
	char *url;
	int fd, port, i;

	fd = silent_receiver(&port);
	url = pv_asprintf("http://127.0.0.1:%d/", port);
	wh = pv_webhook_start(url, 5, 3);
	assert_non_null(wh);
	for (i = 0; i < 8; i++)
		pv_webhook_post(wh, "{\"n\":4}");
	usleep(300000);			/* the first is under way */
	t0 = pv_now_ms();
	pv_webhook_stop(wh, &st);
	assert_true(pv_now_ms() - t0 <= PV_WEBHOOK_GRACE_MS + 1500);
	assert_int_equal(st.unsent, 7);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.attempts, 1);
	assert_int_equal(st.delivered, 0);
	close(fd);
	free(url);
}

/* A retry waiting out its backoff is not made once the stop has begun. */
static void test_stop_ends_retries(void **state)
{
	struct pv_webhook_stats st;
	struct pv_webhook *wh;
	struct receiver r;
	uint64_t t0;
	char *url;

	receiver_start(&r, 100);	/* 500s only */
	url = pv_asprintf("http://127.0.0.1:%d/", r.port);
	wh = pv_webhook_start(url, 5, 3);
	pv_webhook_post(wh, "{\"n\":5}");
	for (int i = 0; i < 50 && r.served < 1; i++)
		usleep(20000);
	t0 = pv_now_ms();
	pv_webhook_stop(wh, &st);
	assert_true(pv_now_ms() - t0 < 400);
	receiver_stop(&r);
	assert_int_equal(r.served, 1);
	assert_int_equal(st.attempts, 1);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.unsent, 0);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivers_json),
		cmocka_unit_test(test_retries_then_succeeds),
		cmocka_unit_test(test_gives_up_and_counts),
		cmocka_unit_test(test_full_queue_drops_without_blocking),
		cmocka_unit_test(test_stop_is_bounded),
		cmocka_unit_test(test_stop_ends_retries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
