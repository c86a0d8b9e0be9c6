/*
 * alert.c - the set of alert sinks (alert.h): spec parsing, the event JSON,
 * and fan-out.  syslog and JSON lines are written here (local, quick); the
 * webhook's queue and thread live in webhook.c.
 */
#include "alert/alert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "alert/webhook.h"
#include "doc/json.h"

struct bl_alerts {
	struct bl_alert_opts opts;
	bool syslog;
	int *jsonl_fds;                /* one per jsonl sink */
	char **jsonl_paths;
	size_t njsonl;
	struct bl_webhook **hooks;
	size_t nhooks;
};

int bl_alert_syslog_priority(enum bl_severity s)
{
	switch (s) {
	case BL_SEV_CRITICAL: return LOG_CRIT;
	case BL_SEV_HIGH: return LOG_ERR;
	case BL_SEV_MEDIUM: return LOG_WARNING;
	case BL_SEV_LOW: return LOG_NOTICE;
	default: return LOG_INFO;
	}
}

static void put(struct bl_buf *b, const char *key, const char *v, bool first)
{
	if (!first)
		bl_buf_adds(b, ", ");
	bl_buf_printf(b, "\"%s\": ", key);
	if (v)
		bl_json_write_str(b, v, strlen(v));
	else
		bl_buf_adds(b, "null");
}

int bl_alert_event_json(struct bl_buf *b, const struct bl_alert_event *e)
{
	bl_buf_addc(b, '{');
	put(b, "time", e->time, true);
	put(b, "kind", e->kind, false);
	put(b, "severity", bl_severity_name(e->severity), false);
	put(b, "control", e->control, false);
	put(b, "asset", e->asset, false);
	put(b, "run", e->run, false);
	put(b, "baseline", e->baseline, false);
	put(b, "message", e->message, false);
	return bl_buf_addc(b, '}');
}

int bl_alerts_new(struct bl_alerts **out, const struct bl_alert_opts *opts)
{
	struct bl_alerts *a = calloc(1, sizeof(*a));
	if (!a)
		return BL_ENOMEM;
	if (opts)
		a->opts = *opts;
	*out = a;
	return 0;
}

size_t bl_alerts_count(const struct bl_alerts *a)
{
	return (a->syslog ? 1 : 0) + a->njsonl + a->nhooks;
}

static int grow(void **p, size_t n, size_t size)
{
	void *np = realloc(*p, (n + 1) * size);
	if (!np)
		return BL_ENOMEM;
	*p = np;
	return 0;
}

static int add_jsonl(struct bl_alerts *a, const char *path, struct bl_error *err)
{
	if (!*path)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "--alert jsonl= needs a file name");
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open for appending: %s",
				    strerror(errno));
	char *copy = strdup(path);
	if (!copy || grow((void **)&a->jsonl_fds, a->njsonl, sizeof(int)) ||
	    grow((void **)&a->jsonl_paths, a->njsonl, sizeof(char *))) {
		free(copy);
		close(fd);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	a->jsonl_fds[a->njsonl] = fd;
	a->jsonl_paths[a->njsonl] = copy;
	a->njsonl++;
	return 0;
}

int bl_alerts_add(struct bl_alerts *a, const char *spec, struct bl_error *err)
{
	if (strcmp(spec, "syslog") == 0) {
		if (!a->syslog)
			openlog("baseline", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		a->syslog = true;
		return 0;
	}
	if (strncmp(spec, "jsonl=", 6) == 0)
		return add_jsonl(a, spec + 6, err);
	if (strncmp(spec, "webhook=", 8) == 0) {
		const char *url = spec + 8;
		if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					    "--alert webhook= needs an http:// or https:// URL, not '%s'",
					    url);
		if (grow((void **)&a->hooks, a->nhooks, sizeof(*a->hooks)))
			return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		int rc = bl_webhook_start(&a->hooks[a->nhooks], url, &a->opts, err);
		if (rc)
			return rc;
		a->nhooks++;
		return 0;
	}
	return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
			    "unknown --alert '%s': use syslog, webhook=URL or jsonl=FILE", spec);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int bl_alerts_send(struct bl_alerts *a, const struct bl_alert_event *ev, size_t n,
		   struct bl_error *err)
{
	if (n == 0)
		return 0;
	int rc = 0;
	struct bl_buf line;
	bl_buf_init(&line, 0);
	/* JSON lines: the whole batch in one write, so a reader tailing the
	 * file never sees half a run (O_APPEND keeps writers from interleaving). */
	for (size_t i = 0; i < n; i++) {
		bl_alert_event_json(&line, &ev[i]);
		bl_buf_addc(&line, '\n');
	}
	if (line.failed) {
		bl_buf_free(&line);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t j = 0; j < a->njsonl; j++)
		if (write_all(a->jsonl_fds[j], line.data, line.len) != 0 && !rc)
			rc = bl_error_set(err, BL_EIO, a->jsonl_paths[j], 0, 0,
					  "cannot append alerts: %s", strerror(errno));
	if (a->syslog) {
		struct bl_buf one;
		bl_buf_init(&one, 0);
		for (size_t i = 0; i < n; i++) {
			bl_buf_reset(&one);
			bl_alert_event_json(&one, &ev[i]);
			if (!one.failed)
				syslog(bl_alert_syslog_priority(ev[i].severity), "%s", one.data);
		}
		bl_buf_free(&one);
	}
	if (a->nhooks) {
		struct bl_buf doc;
		bl_buf_init(&doc, 0);
		bl_buf_adds(&doc, "{\"schema\": \"baseline.alerts/1\", \"events\": [");
		for (size_t i = 0; i < n; i++) {
			if (i)
				bl_buf_adds(&doc, ", ");
			bl_alert_event_json(&doc, &ev[i]);
		}
		bl_buf_adds(&doc, "]}");
		for (size_t j = 0; j < a->nhooks && !doc.failed; j++)
			if (bl_webhook_post(a->hooks[j], doc.data, doc.len) == BL_ENOMEM && !rc)
				rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		if (doc.failed && !rc)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		bl_buf_free(&doc);
	}
	bl_buf_free(&line);
	return rc;
}

size_t bl_alerts_take_errors(struct bl_alerts *a, struct bl_buf *out)
{
	size_t n = 0;
	for (size_t j = 0; j < a->nhooks; j++)
		n += bl_webhook_take_errors(a->hooks[j], out);
	return n;
}

void bl_alerts_free(struct bl_alerts *a, long wait_ms, struct bl_buf *problems)
{
	if (!a)
		return;
	for (size_t j = 0; j < a->nhooks; j++)
		bl_webhook_stop(a->hooks[j], wait_ms);
	if (problems)
		bl_alerts_take_errors(a, problems);
	for (size_t j = 0; j < a->nhooks; j++)
		bl_webhook_free(a->hooks[j]);
	free(a->hooks);
	for (size_t j = 0; j < a->njsonl; j++) {
		close(a->jsonl_fds[j]);
		free(a->jsonl_paths[j]);
	}
	free(a->jsonl_fds);
	free(a->jsonl_paths);
	if (a->syslog)
		closelog();
	free(a);
}
