/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook.h: posting autoscale events to a URL, without ever blocking
 * the loop: events go into a bounded queue that a worker thread drains
 * with libcurl (JSON body, a timeout, retries with exponential backoff),
 * and without holding up its stop for long either.
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
struct pv_webhook_stats {
	unsigned long delivered, failed, attempts;
	unsigned long dropped;	/* posted while the queue was full */
	unsigned long unsent;	/* still queued when the stop's grace ended */
};
void pv_webhook_stats(struct pv_webhook *wh, struct pv_webhook_stats *st);

/*
 * How long a stop lets queued events go out. Then the request under way
 * is cut off (libcurl notices within about a second) and what is left
 * is dropped and counted as unsent; no retry starts once a stop has
 * begun. So a receiver that never answers holds a stop for about two
 * seconds, not for every queued event's timeouts and retries.
 */
#define PV_WEBHOOK_GRACE_MS 1000
/* Stops and frees @wh (NULL: nothing); @st (may be NULL) gets its final counts. */
void pv_webhook_stop(struct pv_webhook *wh, struct pv_webhook_stats *st);

#endif
