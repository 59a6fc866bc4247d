/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook.c: see webhook.h.
 *
 * libcurl is loaded when a webhook starts, not linked: with its TLS,
 * Kerberos, LDAP... it is some thirty libraries, and loading them made
 * every pvctl command start about a quarter second slower in a PV dom0
 * (measured in the lab), for a feature only the autoscale loop uses.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "webhook.h"
#include "../../util/util.h"

#define QUEUE_MAX 64
#define LIBCURL "libcurl.so.4"

/* The libcurl calls used here, from dlopen(). */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *c);
	void (*easy_reset)(CURL *c);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} curl;

/* Loads libcurl once (it stays loaded); false if it or a call is missing. */
static bool curl_load(void)
{
	static void *lib;
	bool ok;

	if (lib)
		return true;
	lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return false;
#define LOAD(call) (*(void **)&curl.call = dlsym(lib, "curl_" #call))
	ok = LOAD(global_init) && LOAD(global_cleanup) && LOAD(easy_init) &&
	     LOAD(easy_cleanup) && LOAD(easy_reset) && LOAD(easy_setopt) &&
	     LOAD(easy_perform) && LOAD(easy_getinfo) && LOAD(slist_append) &&
	     LOAD(slist_free_all);
#undef LOAD
	if (!ok) {
		dlclose(lib);
		lib = NULL;
	}
	return ok;
}

struct pv_webhook {
	char *url;
	unsigned int timeout_s, retries;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *queue[QUEUE_MAX];
	size_t head, count;
	bool stopping;
	uint64_t stop_by_ms;	/* when stopping: the end of the grace */
	struct pv_webhook_stats st;
};

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/*
 * How long the next request may take: its timeout, or less once a stop
 * has begun; 0 when the stop's grace is over.
 */
static uint64_t request_ms(struct pv_webhook *wh)
{
	uint64_t ms = wh->timeout_s * 1000ull, now;

	pthread_mutex_lock(&wh->lock);
	if (wh->stopping) {
		now = pv_now_ms();
		ms = pv_min_u64(ms, wh->stop_by_ms > now ? wh->stop_by_ms - now : 0);
	}
	pthread_mutex_unlock(&wh->lock);
	return ms;
}

/*
 * libcurl's progress call (about once a second while it waits): cuts a
 * request that was under way when the stop's grace ended.
 */
static int progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		    curl_off_t ultotal, curl_off_t ulnow)
{
	struct pv_webhook *wh = arg;
	bool over;

	pthread_mutex_lock(&wh->lock);
	over = wh->stopping && pv_now_ms() >= wh->stop_by_ms;
	pthread_mutex_unlock(&wh->lock);
	return over;
}

/* One POST, within @ms; true on a 2xx answer. */
static bool post_once(struct pv_webhook *wh, CURL *c, const char *json,
		      uint64_t ms)
{
	struct curl_slist *h = curl.slist_append(NULL, "Content-Type: application/json");
	long code = 0;
	CURLcode rc;

	curl.easy_reset(c);
	curl.easy_setopt(c, CURLOPT_URL, wh->url);
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl.easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ms);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl.easy_setopt(c, CURLOPT_XFERINFODATA, wh);
	rc = curl.easy_perform(c);
	if (rc == CURLE_OK)
		curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl.slist_free_all(h);
	return rc == CURLE_OK && code >= 200 && code < 300;
}

/*
 * Sleeps @ms before a retry; false if the webhook is stopping or starts
 * to meanwhile: then no retry is made.
 */
static bool backoff(struct pv_webhook *wh, unsigned int ms)
{
	struct timespec ts;
	bool go;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&wh->lock);
	if (!wh->stopping)
		pthread_cond_timedwait(&wh->cond, &wh->lock, &ts);
	go = !wh->stopping;
	pthread_mutex_unlock(&wh->lock);
	return go;
}

static void deliver(struct pv_webhook *wh, CURL *c, const char *json)
{
	unsigned int attempt, delay = 500;
	bool ok = false;
	uint64_t ms;

	for (attempt = 0; attempt <= wh->retries && !ok; attempt++) {
		if (attempt) {
			if (!backoff(wh, delay))
				break;
			delay *= 2;
		}
		ms = request_ms(wh);
		if (!ms)
			break;	/* the stop's grace ended since it was taken */
		ok = post_once(wh, c, json, ms);
		pthread_mutex_lock(&wh->lock);
		wh->st.attempts++;
		pthread_mutex_unlock(&wh->lock);
	}
	pthread_mutex_lock(&wh->lock);
	if (ok)
		wh->st.delivered++;
	else if (attempt)
		wh->st.failed++;
	else
		wh->st.unsent++;
	pthread_mutex_unlock(&wh->lock);
}

static void *worker(void *arg)
{
	struct pv_webhook *wh = arg;
	CURL *c = curl.easy_init();

	for (;;) {
		char *json;

		pthread_mutex_lock(&wh->lock);
		while (!wh->count && !wh->stopping)
			pthread_cond_wait(&wh->cond, &wh->lock);
		if (wh->count && wh->stopping && pv_now_ms() >= wh->stop_by_ms) {
			/* The stop's grace is over: what is left is dropped. */
			wh->st.unsent += wh->count;
			for (; wh->count; wh->count--) {
				free(wh->queue[wh->head]);
				wh->head = (wh->head + 1) % QUEUE_MAX;
			}
		}
		if (!wh->count) {
			pthread_mutex_unlock(&wh->lock);
			break;
		}
		json = wh->queue[wh->head];
		wh->head = (wh->head + 1) % QUEUE_MAX;
		wh->count--;
		pthread_mutex_unlock(&wh->lock);
		if (c)
			deliver(wh, c, json);
		free(json);
	}
	if (c)
		curl.easy_cleanup(c);
	return NULL;
}

struct pv_webhook *pv_webhook_start(const char *url, unsigned int timeout_s,
				    unsigned int retries)
{
	struct pv_webhook *wh;

	if (!curl_load() || curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	wh = pv_calloc(1, sizeof(*wh));
	wh->url = pv_strdup(url);
	wh->timeout_s = timeout_s ? timeout_s : 5;
	wh->retries = retries;
	pthread_mutex_init(&wh->lock, NULL);
	pthread_cond_init(&wh->cond, NULL);
	if (pthread_create(&wh->thread, NULL, worker, wh)) {
		free(wh->url);
		free(wh);
		return NULL;
	}
	return wh;
}

void pv_webhook_post(struct pv_webhook *wh, const char *json)
{
	pthread_mutex_lock(&wh->lock);
	if (wh->count == QUEUE_MAX) {
		wh->st.dropped++;
	} else {
		wh->queue[(wh->head + wh->count) % QUEUE_MAX] = pv_strdup(json);
		wh->count++;
		pthread_cond_signal(&wh->cond);
	}
	pthread_mutex_unlock(&wh->lock);
}

void pv_webhook_stats(struct pv_webhook *wh, struct pv_webhook_stats *st)
{
	pthread_mutex_lock(&wh->lock);
	*st = wh->st;
	pthread_mutex_unlock(&wh->lock);
}

void pv_webhook_stop(struct pv_webhook *wh, struct pv_webhook_stats *st)
{
	if (st)
		memset(st, 0, sizeof(*st));
	if (!wh)
		return;
	pthread_mutex_lock(&wh->lock);
	wh->stopping = true;
	wh->stop_by_ms = pv_now_ms() + PV_WEBHOOK_GRACE_MS;
	pthread_cond_broadcast(&wh->cond);
	pthread_mutex_unlock(&wh->lock);
	pthread_join(wh->thread, NULL);
	if (st)
		*st = wh->st;
	pthread_mutex_destroy(&wh->lock);
	pthread_cond_destroy(&wh->cond);
	free(wh->url);
	free(wh);
	curl.global_cleanup();
}
