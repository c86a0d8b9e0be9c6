/*
 * webhook.c - the webhook delivery thread (webhook.h).  The main thread only
 * queues; every network wait happens here, so `watch` keeps its schedule
 * whatever the receiver does.
 */
#include "alert/webhook.h"

#include "alert/curl_api.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct doc {
	char *data;
	size_t len;
};

struct bl_webhook {
	char *url;
	struct bl_alert_opts o;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct doc *q;                 /* ring of queue_max documents */
	size_t head, n;
	bool stopping;
	struct timespec deadline;      /* when stopping: give up after this */
	struct bl_buf problems;        /* under mu */
	size_t dropped;                /* under mu, not yet reported */
};

static void problem(struct bl_webhook *w, const char *what)
{
	pthread_mutex_lock(&w->mu);
	bl_buf_printf(&w->problems, "webhook %s: %s\n", w->url, what);
	pthread_mutex_unlock(&w->mu);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static void add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Abort a transfer in flight once a stop deadline has passed (curl's own
 * timeout may be much longer). */
static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	struct bl_webhook *w = ctx;
	pthread_mutex_lock(&w->mu);
	bool late = false;
	if (w->stopping) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		late = !before(&now, &w->deadline);
	}
	pthread_mutex_unlock(&w->mu);
	return late ? 1 : 0;
}

/* One POST; 0 on a 2xx answer, else -1 with why in msg. */
static int post_once(struct bl_webhook *w, CURL *c, const struct doc *d, char *msg, size_t msgsize)
{
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, w->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, w->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "baseline-watch/" BL_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, w);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		snprintf(msg, msgsize, "%s", curl_easy_strerror(rc));
		return -1;
	}
	if (code < 200 || code > 299) {
		snprintf(msg, msgsize, "HTTP status %ld", code);
		return -1;
	}
	return 0;
}

/* Sleep ms, cut short by a stop deadline.  false when the deadline passed.
 * Called with mu held. */
static bool backoff(struct bl_webhook *w, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	add_ms(&until, ms);
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (w->stopping && !before(&now, &w->deadline))
			return false;
		if (!before(&now, &until))
			return true;
		const struct timespec *wake = w->stopping && before(&w->deadline, &until) ? &w->deadline
											 : &until;
		pthread_cond_timedwait(&w->cv, &w->mu, wake);
	}
}

static void *run(void *arg)
{
	struct bl_webhook *w = arg;
	CURL *c = curl_easy_init();
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->n && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->n)
			break;
		struct doc d = w->q[w->head];
		w->head = (w->head + 1) % w->o.queue_max;
		w->n--;
		bool delivered = false;
		char msg[256] = "cannot start curl";
		long delay = w->o.backoff_ms;
		for (int attempt = 0; c && attempt < w->o.attempts; attempt++) {
			if (attempt && !backoff(w, delay))
				break;
			if (attempt)
				delay *= 2;
			pthread_mutex_unlock(&w->mu);
			curl_easy_reset(c);
			delivered = post_once(w, c, &d, msg, sizeof(msg)) == 0;
			pthread_mutex_lock(&w->mu);
			if (delivered)
				break;
		}
		pthread_mutex_unlock(&w->mu);
		if (!delivered) {
			char line[320];
			snprintf(line, sizeof(line), "alerts not delivered after %d attempts (%s)",
				 w->o.attempts, msg);
			problem(w, line);
		}
		free(d.data);
		pthread_mutex_lock(&w->mu);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (w->stopping && !before(&now, &w->deadline))
			break;
	}
	/* abandoned at the deadline: say how many */
	size_t left = w->n;
	while (w->n) {
		free(w->q[w->head].data);
		w->head = (w->head + 1) % w->o.queue_max;
		w->n--;
	}
	pthread_mutex_unlock(&w->mu);
	if (left) {
		char line[80];
		snprintf(line, sizeof(line), "%zu alert documents abandoned at shutdown", left);
		problem(w, line);
	}
	if (c)
		curl_easy_cleanup(c);
	return NULL;
}

int bl_webhook_start(struct bl_webhook **out, const char *url, const struct bl_alert_opts *o,
		     struct bl_error *err)
{
	struct bl_webhook *w = calloc(1, sizeof(*w));
	if (!w)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	w->o = *o;
	if (w->o.timeout_ms <= 0)
		w->o.timeout_ms = 10000;
	if (w->o.attempts <= 0)
		w->o.attempts = 4;
	if (w->o.backoff_ms <= 0)
		w->o.backoff_ms = 1000;
	if (!w->o.queue_max)
		w->o.queue_max = 64;
	w->url = strdup(url);
	w->q = calloc(w->o.queue_max, sizeof(*w->q));
	bl_buf_init(&w->problems, 1 << 20);
	if (!w->url || !w->q) {
		free(w->url);
		free(w->q);
		free(w);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	/* loaded on first use (util/dynlib.h); libcurl counts its global
	 * init/cleanup calls and they are thread-safe since 7.84 */
	if (bl_curl_load(err)) {
		free(w->url);
		free(w->q);
		free(w);
		return BL_EINTERNAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(w->url);
		free(w->q);
		free(w);
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "cannot initialise libcurl");
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->tid, NULL, run, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		curl_global_cleanup();
		free(w->url);
		free(w->q);
		free(w);
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "cannot start the webhook thread");
	}
	*out = w;
	return 0;
}

int bl_webhook_post(struct bl_webhook *w, const char *doc, size_t len)
{
	struct doc d = {.data = malloc(len + 1), .len = len};
	if (!d.data)
		return BL_ENOMEM;
	memcpy(d.data, doc, len);
	d.data[len] = '\0';
	pthread_mutex_lock(&w->mu);
	if (w->n == w->o.queue_max) {  /* full: the oldest goes */
		free(w->q[w->head].data);
		w->head = (w->head + 1) % w->o.queue_max;
		w->n--;
		w->dropped++;
	}
	w->q[(w->head + w->n) % w->o.queue_max] = d;
	w->n++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

size_t bl_webhook_take_errors(struct bl_webhook *w, struct bl_buf *out)
{
	pthread_mutex_lock(&w->mu);
	size_t n = 0;
	for (size_t i = 0; i < w->problems.len; i++)
		n += w->problems.data[i] == '\n';
	if (w->dropped) {
		bl_buf_printf(out, "webhook %s: %zu alert documents dropped (queue full)\n", w->url,
			      w->dropped);
		w->dropped = 0;
		n++;
	}
	if (w->problems.len)
		bl_buf_add(out, w->problems.data, w->problems.len);
	bl_buf_reset(&w->problems);
	pthread_mutex_unlock(&w->mu);
	return n;
}

void bl_webhook_stop(struct bl_webhook *w, long wait_ms)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	clock_gettime(CLOCK_REALTIME, &w->deadline);
	add_ms(&w->deadline, wait_ms > 0 ? wait_ms : 0);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
}

void bl_webhook_free(struct bl_webhook *w)
{
	if (!w)
		return;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	curl_global_cleanup();
	bl_buf_free(&w->problems);
	free(w->q);
	free(w->url);
	free(w);
}
