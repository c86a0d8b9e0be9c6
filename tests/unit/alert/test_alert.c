/*
 * test_alert.c - the alert sinks: event JSON, syslog priorities, --alert
 * spec parsing, JSON lines written whole, and the webhook's bounded queue
 * and failure reporting against a loopback port nobody listens on.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "alert/alert.h"

static const struct bl_alert_event ev1 = {
	.kind = "newly_failing", .severity = BL_SEV_HIGH, .control = "ST-01",
	.asset = "/subs/s1/sa \"quoted\"", .run = "r-1", .baseline = "b", .message = "ST-01 on x",
	.time = "2026-11-28T00:00:00Z",
};

static void test_event_json(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_alert_event_json(&b, &ev1), 0);
	assert_string_equal(b.data,
			    "{\"time\": \"2026-11-28T00:00:00Z\", \"kind\": \"newly_failing\", "
			    "\"severity\": \"high\", \"control\": \"ST-01\", "
			    "\"asset\": \"/subs/s1/sa \\\"quoted\\\"\", \"run\": \"r-1\", "
			    "\"baseline\": \"b\", \"message\": \"ST-01 on x\"}");
	bl_buf_reset(&b);
	struct bl_alert_event e = {.kind = "run_failed", .severity = BL_SEV_INFO, .time = "t"};
	bl_alert_event_json(&b, &e);
	assert_string_equal(b.data, "{\"time\": \"t\", \"kind\": \"run_failed\", \"severity\": "
				    "\"info\", \"control\": null, \"asset\": null, \"run\": null, "
				    "\"baseline\": null, \"message\": null}");
	bl_buf_free(&b);
}

static void test_syslog_priority(void **state)
{
	(void)state;
	assert_int_equal(bl_alert_syslog_priority(BL_SEV_CRITICAL), LOG_CRIT);
	assert_int_equal(bl_alert_syslog_priority(BL_SEV_HIGH), LOG_ERR);
	assert_int_equal(bl_alert_syslog_priority(BL_SEV_MEDIUM), LOG_WARNING);
	assert_int_equal(bl_alert_syslog_priority(BL_SEV_LOW), LOG_NOTICE);
	assert_int_equal(bl_alert_syslog_priority(BL_SEV_INFO), LOG_INFO);
}

static void test_bad_specs(void **state)
{
	(void)state;
	struct bl_alerts *a = NULL;
	assert_int_equal(bl_alerts_new(&a, NULL), 0);
	struct bl_error err;
	assert_int_equal(bl_alerts_add(a, "pager", &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "unknown --alert 'pager'"));
	assert_int_equal(bl_alerts_add(a, "webhook=ftp://x/", &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "http:// or https://"));
	assert_int_equal(bl_alerts_add(a, "jsonl=", &err), BL_EINVAL);
	assert_int_equal(bl_alerts_add(a, "jsonl=/nonexistent-dir/x.jsonl", &err), BL_EIO);
	assert_string_equal(err.file, "/nonexistent-dir/x.jsonl");
	assert_int_equal(bl_alerts_count(a), 0);
	bl_alerts_free(a, 0, NULL);
}

static void test_jsonl(void **state)
{
	(void)state;
	char path[] = "/tmp/bl-test-alert-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	char spec[64];
	snprintf(spec, sizeof(spec), "jsonl=%s", path);
	struct bl_alerts *a = NULL;
	struct bl_error err;
	assert_int_equal(bl_alerts_new(&a, NULL), 0);
	assert_int_equal(bl_alerts_add(a, spec, &err), 0);
	assert_int_equal(bl_alerts_count(a), 1);
	struct bl_alert_event two[2] = {ev1, ev1};
	two[1].kind = "fixed";
	assert_int_equal(bl_alerts_send(a, two, 2, &err), 0);
	assert_int_equal(bl_alerts_send(a, two, 0, &err), 0);  /* nothing */
	bl_alerts_free(a, 0, NULL);
	FILE *f = fopen(path, "r");
	char line[512];
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "old\n");  /* appended, never truncated */
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"kind\": \"newly_failing\""));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "\"kind\": \"fixed\""));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
}

/* A loopback port with nothing listening: connections are refused at once. */
static int dead_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t len = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &len);
	close(s);
	return ntohs(sa.sin_port);
}

static void test_webhook_failure_and_queue(void **state)
{
	(void)state;
	struct bl_alert_opts o = {.timeout_ms = 2000, .attempts = 2, .backoff_ms = 10, .queue_max = 1};
	struct bl_alerts *a = NULL;
	struct bl_error err;
	assert_int_equal(bl_alerts_new(&a, &o), 0);
	char spec[64];
	snprintf(spec, sizeof(spec), "webhook=http://127.0.0.1:%d/h", dead_port());
	assert_int_equal(bl_alerts_add(a, spec, &err), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(bl_alerts_send(a, &ev1, 1, &err), 0);
	struct bl_buf p;
	bl_buf_init(&p, 0);
	bl_alerts_free(a, 5000, &p);
	/* every document taken was refused twice; the queue of one dropped some */
	assert_non_null(strstr(p.data, "alerts not delivered after 2 attempts"));
	assert_non_null(strstr(p.data, "dropped (queue full)"));
	assert_null(strstr(p.data, "abandoned"));
	bl_buf_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_syslog_priority),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_webhook_failure_and_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
