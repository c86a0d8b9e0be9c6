/*
 * webhook.h - one webhook receiver with its own delivery thread (alert.h).
 *
 * Documents are queued (bounded: the oldest is dropped when full) and POSTed
 * as application/json by a thread that owns the only curl handle, with a
 * timeout per attempt and retries with doubling backoff.  A 2xx answer is a
 * delivery; anything else, after the last attempt, is a problem recorded for
 * bl_webhook_take_errors.  Only http and https, no redirects followed.
 */
#ifndef BL_ALERT_WEBHOOK_H
#define BL_ALERT_WEBHOOK_H

#include <stddef.h>

#include "alert/alert.h"

struct bl_webhook;

/* Start the thread for url.  Returns 0, BL_ENOMEM or BL_EINTERNAL (no
 * thread, curl could not start: err says). */
int bl_webhook_start(struct bl_webhook **out, const char *url, const struct bl_alert_opts *o,
		     struct bl_error *err);

/* Queue a copy of doc.  Returns 0 or BL_ENOMEM.  Never blocks on the network. */
int bl_webhook_post(struct bl_webhook *w, const char *doc, size_t len);

/* Move recorded problems into out (one line each); returns how many. */
size_t bl_webhook_take_errors(struct bl_webhook *w, struct bl_buf *out);

/* Deliver what is queued for up to wait_ms more, then stop the thread (the
 * recorded problems stay readable). */
void bl_webhook_stop(struct bl_webhook *w, long wait_ms);
/* Free a stopped webhook. */
void bl_webhook_free(struct bl_webhook *w);

#endif
