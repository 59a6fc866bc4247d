/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook.h: posting autoscale events to a URL, without ever blocking
 * the loop: events go into a bounded queue that a worker thread drains
 * with libcurl (JSON body, a timeout, retries with exponential backoff).
 */
#ifndef PV_WEBHOOK_H
#define PV_WEBHOOK_H

#include <stdint.h>

struct pv_webhook;

/* Starts the worker; NULL if libcurl or the thread cannot be set up. */
struct pv_webhook *pv_webhook_start(const char *url, unsigned int timeout_s,
				    unsigned int retries);
/*
 * Queues one JSON event (copied). Never blocks: when the queue is full
 * the event is dropped and counted.
 */
void pv_webhook_post(struct pv_webhook *wh, const char *json);
/* Delivers what is queued (bounded by the retries), then stops. */
void pv_webhook_stop(struct pv_webhook *wh);

struct pv_webhook_stats {
	unsigned long delivered, failed, dropped, attempts;
};
void pv_webhook_stats(struct pv_webhook *wh, struct pv_webhook_stats *st);

#endif
