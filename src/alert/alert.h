/*
 * alert.h - where `baseline watch` sends what changed: syslog, a webhook, a
 * JSON lines file.
 *
 * An event is one drift item worth telling someone about (a result newly
 * failing, a fix, an asset appearing, the baseline changing, an exception
 * about to expire, a run that failed).  Sinks are configured from the
 * command line's --alert specs.  syslog and jsonl deliver synchronously (a
 * local write); the webhook delivers from its own thread with a timeout and
 * retries, so a slow or dead receiver never delays the next assessment.
 * Nothing here prints: delivery problems are collected and handed to the
 * caller (bl_alerts_take_errors).
 */
#ifndef BL_ALERT_ALERT_H
#define BL_ALERT_ALERT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/baseline.h"
#include "util/error.h"
#include "util/str.h"

struct bl_alert_event {
	const char *kind;              /* newly_failing fixed exempted new_asset removed_asset
					  baseline_changed exception_expiring run_failed */
	enum bl_severity severity;
	const char *control, *asset;   /* NULL when the event is not about one */
	const char *run, *baseline;    /* the run that showed it, its baseline id */
	const char *message;           /* one line for people */
	const char *time;              /* RFC 3339 */
};

/* Append e as one compact JSON object (no newline).  Returns 0 or the
 * buffer's error. */
int bl_alert_event_json(struct bl_buf *b, const struct bl_alert_event *e);

/* syslog(3) priority for a severity (critical -> LOG_CRIT ... info -> LOG_INFO). */
int bl_alert_syslog_priority(enum bl_severity s);

struct bl_alert_opts {
	long timeout_ms;       /* per webhook attempt; 0 = 10,000 */
	int attempts;          /* webhook attempts per document; 0 = 4 */
	long backoff_ms;       /* first retry delay, doubling; 0 = 1,000 */
	size_t queue_max;      /* webhook documents waiting; 0 = 64 (the oldest is dropped) */
};

struct bl_alerts;

/* An empty set of sinks.  opts may be NULL.  Returns 0 or BL_ENOMEM. */
int bl_alerts_new(struct bl_alerts **out, const struct bl_alert_opts *opts);

/*
 * Add a sink from a --alert spec: "syslog", "webhook=URL" (http or https)
 * or "jsonl=FILE" (opened for appending now, created 0640 when missing).
 * Returns 0, BL_EINVAL (bad spec: err says), BL_EIO (cannot open the file)
 * or BL_ENOMEM.
 */
int bl_alerts_add(struct bl_alerts *a, const char *spec, struct bl_error *err);

/* How many sinks are configured. */
size_t bl_alerts_count(const struct bl_alerts *a);

/*
 * Deliver events to every sink: each event is one syslog message and one
 * JSON line; the webhook gets one document {"schema", "events": [...]}
 * queued for its thread.  n == 0 sends nothing.  Returns 0, or BL_EIO when
 * a synchronous sink failed (err says; the other sinks were still tried),
 * or BL_ENOMEM.
 */
int bl_alerts_send(struct bl_alerts *a, const struct bl_alert_event *ev, size_t n,
		   struct bl_error *err);

/* Move the delivery problems noticed so far (webhook failures after all
 * attempts, dropped documents) into out, one line each.  Returns how many. */
size_t bl_alerts_take_errors(struct bl_alerts *a, struct bl_buf *out);

/* Wait up to wait_ms for queued webhook documents to be delivered (or to
 * fail), stop the webhook threads, move the last delivery problems into
 * problems (when non-NULL, as bl_alerts_take_errors) and free everything.
 * NULL is fine. */
void bl_alerts_free(struct bl_alerts *a, long wait_ms, struct bl_buf *problems);

#endif
