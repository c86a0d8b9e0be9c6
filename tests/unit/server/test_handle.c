/*
 * test_handle.c - bl_server_handle without sockets: routing, methods, tokens
 * and roles against a real SQLite store in a temporary folder, decision
 * answers, malformed bodies, the exception workflow's rules, reload keeping
 * the old baseline when the new one is broken, and listen-address parsing.
 */
#include "testutil.h"

#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/server.h"
#include "store/store.h"

#define FIX "tests/fixtures/serve/baseline.yaml"

struct fx {
	char dir[64];
	char db[128];
	char bl[128];
	struct bl_store *st;
	struct bl_server *srv;
	int64_t ids[5];          /* token id by role (1..4) */
	int64_t approver2;
};

static const char *const secrets[5] = {NULL, "tok-viewer", "tok-owner", "tok-approver",
				       "tok-admin"};

static int64_t add_token(struct bl_store *st, const char *secret, enum bl_role role,
			 const char *name)
{
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	int64_t id = 0;
	struct bl_error err;
	assert_int_equal(bl_store_token_add(st, h, role, name, "2026-11-28T00:00:00Z", &id, &err), 0);
	return id;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	assert_true(sodium_init() >= 0);
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/bl-serve-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/s.db", f->dir);
	snprintf(f->bl, sizeof(f->bl), "%s/b.yaml", f->dir);
	write_file(f->bl, slurp(FIX));
	struct bl_error err;
	assert_int_equal(bl_store_open(&f->st, f->db, &err), 0);
	static const char *const names[5] = {NULL, "vera", "olga", "pete", "ada"};
	for (int r = 1; r <= 4; r++)
		f->ids[r] = add_token(f->st, secrets[r], (enum bl_role)r, names[r]);
	f->approver2 = add_token(f->st, "tok-approver2", BL_ROLE_APPROVER, "paul");
	const char *paths[1] = {f->bl};
	struct bl_server_config cfg = {.baselines = paths, .nbaselines = 1, .store = f->st,
				       .auth_cache_ms = 1};
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_server_new(&f->srv, &cfg, &d), 0);
	bl_diags_free(&d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bl_server_free(f->srv);
	bl_store_close(f->st);
	char p[160];
	const char *files[] = {"s.db", "s.db-wal", "s.db-shm", "b.yaml"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* One request; returns the status, the body in *body (static). */
static int call(struct fx *f, const char *method, const char *path, const char *token,
		const char *body, const struct bl_http_param *params, size_t np, char **out)
{
	char authz[128];
	if (token)
		snprintf(authz, sizeof(authz), "Bearer %s", token);
	struct bl_http_request req = {
		.method = method, .path = path, .params = params, .nparams = np,
		.authorization = token ? authz : NULL,
		.body = body, .body_len = body ? strlen(body) : 0,
	};
	struct bl_http_response resp;
	bl_buf_init(&resp.body, 0);
	assert_int_equal(bl_server_handle(f->srv, &req, &resp), 0);
	static char keep[65536];
	size_t n = resp.body.len < sizeof(keep) - 1 ? resp.body.len : sizeof(keep) - 1;
	memcpy(keep, resp.body.data ? resp.body.data : "", n);
	keep[n] = 0;
	if (out)
		*out = keep;
	int status = resp.status;
	bl_buf_free(&resp.body);
	return status;
}

static void test_healthz_needs_no_token(void **state)
{
	char *b;
	assert_int_equal(call(*state, "GET", "/healthz", NULL, NULL, NULL, 0, &b), 200);
	assert_string_equal(b, "{\"status\":\"ok\"}\n");
}

static void test_routing(void **state)
{
	char *b;
	assert_int_equal(call(*state, "GET", "/nope", secrets[4], NULL, NULL, 0, &b), 404);
	assert_string_equal(b, "{\"error\":\"no such route\"}\n");
	assert_int_equal(call(*state, "GET", "/v1/decide", secrets[4], NULL, NULL, 0, &b), 405);
	assert_int_equal(call(*state, "DELETE", "/v1/runs", secrets[4], NULL, NULL, 0, &b), 405);
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/frobnicate", secrets[4], NULL,
			      NULL, 0, &b), 404);
	assert_int_equal(call(*state, "GET", "/v1/runs/x/y", secrets[4], NULL, NULL, 0, &b), 404);
	assert_int_equal(call(*state, "GET", "", NULL, NULL, NULL, 0, &b), 404);
}

static void test_auth_missing_unknown(void **state)
{
	char *b;
	assert_int_equal(call(*state, "GET", "/v1/baselines", NULL, NULL, NULL, 0, &b), 401);
	assert_string_equal(b, "{\"error\":\"a valid bearer token is needed\"}\n");
	assert_int_equal(call(*state, "GET", "/v1/baselines", "wrong", NULL, NULL, 0, &b), 401);
	assert_string_equal(b, "{\"error\":\"a valid bearer token is needed\"}\n");
	assert_int_equal(call(*state, "GET", "/v1/baselines", secrets[1], NULL, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "\"id\":\"serve-test\""));
}

static void test_roles_per_route(void **state)
{
	char *b;
	/* audit log: admin only; a 403 carries no data */
	for (int r = 1; r <= 3; r++) {
		assert_int_equal(call(*state, "GET", "/v1/audit", secrets[r], NULL, NULL, 0, &b), 403);
		assert_string_equal(b, "{\"error\":\"this token's role may not do that\"}\n");
	}
	assert_int_equal(call(*state, "GET", "/v1/audit", secrets[4], NULL, NULL, 0, &b), 200);
	/* decide: viewer and up */
	const char *res = "{\"id\":\"a\",\"type\":\"Microsoft.Storage/storageAccounts\","
			  "\"properties\":{\"supportsHttpsTrafficOnly\":true,"
			  "\"minimumTlsVersion\":\"TLS1_2\"}}";
	for (int r = 1; r <= 4; r++)
		assert_int_equal(call(*state, "POST", "/v1/decide", secrets[r], res, NULL, 0, &b),
				 200);
	/* request an exception: owner and up */
	const char *req = "{\"control\":\"SV-01\",\"assets\":[\"st-*\"],\"category\":\"waiver\","
			  "\"justification\":\"legacy\",\"expires\":\"2027-03-31\"}";
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[1], req, NULL, 0, &b), 403);
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[2], req, NULL, 0, &b), 201);
	assert_string_equal(b, "{\"id\":1,\"state\":\"requested\"}\n");
	/* decide on it: approver and up */
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/approve", secrets[1], NULL, NULL, 0,
			      &b), 403);
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/approve", secrets[2], NULL, NULL, 0,
			      &b), 403);
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/approve", secrets[3], NULL, NULL, 0,
			      &b), 200);
	assert_string_equal(b, "{\"id\":1,\"state\":\"approved\"}\n");
	/* decided once only */
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/reject", secrets[4], NULL, NULL, 0,
			      &b), 409);
	assert_int_equal(call(*state, "POST", "/v1/exceptions/9/approve", secrets[4], NULL, NULL, 0,
			      &b), 404);
	/* listing and export: viewer */
	assert_int_equal(call(*state, "GET", "/v1/exceptions", secrets[1], NULL, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "\"state\":\"approved\""));
	assert_non_null(strstr(b, "\"requested_by\":\"olga\""));
	assert_non_null(strstr(b, "\"decided_by\":\"pete\""));
	/* the audit log names who did what */
	assert_int_equal(call(*state, "GET", "/v1/audit", secrets[4], NULL, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "\"who\":\"olga\",\"action\":\"exception.request\""));
	assert_non_null(strstr(b, "\"who\":\"pete\",\"action\":\"exception.approve\""));
}

static void test_requester_cannot_approve(void **state)
{
	char *b;
	const char *req = "{\"control\":\"SV-02\",\"assets\":[\"st-bad\"],\"category\":\"mitigated\","
			  "\"justification\":\"WAF in front\",\"ticket\":\"SEC-9\","
			  "\"expires\":\"2027-01-31\"}";
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[3], req, NULL, 0, &b), 201);
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/approve", secrets[3], NULL, NULL, 0,
			      &b), 403);
	assert_string_equal(b, "{\"error\":\"the requester's token may not decide its own "
			       "request\"}\n");
	assert_int_equal(call(*state, "POST", "/v1/exceptions/1/reject", "tok-approver2",
			      "{\"note\":\"no\"}", NULL, 0, &b), 200);
	assert_string_equal(b, "{\"id\":1,\"state\":\"rejected\"}\n");
	/* nothing approved: the export is an empty exception document */
	assert_int_equal(call(*state, "GET", "/v1/exceptions/export", secrets[1], NULL, NULL, 0, &b),
			 200);
	assert_string_equal(b, "# approved exception requests of baseline serve\nexceptions: []\n");
}

static void test_exception_validation(void **state)
{
	char *b;
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[2],
			      "{\"control\":\"SV-01\",\"assets\":[],\"category\":\"waiver\","
			      "\"justification\":\"x\",\"expires\":\"2027-03-31\"}", NULL, 0, &b), 400);
	assert_string_equal(b, "{\"error\":\"assets must be a non-empty array of asset id globs\"}\n");
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[2],
			      "{\"control\":\"SV-01\",\"assets\":[\"a\"],\"category\":\"waiver\","
			      "\"justification\":\"x\",\"expires\":\"2027-13-01\"}", NULL, 0, &b), 400);
	assert_string_equal(b, "{\"error\":\"expires must be a date YYYY-MM-DD\"}\n");
	assert_int_equal(call(*state, "POST", "/v1/exceptions", secrets[2],
			      "{\"control\":\"SV-01\",\"assets\":[\"a\"],\"category\":\"because\","
			      "\"justification\":\"x\",\"expires\":\"2027-12-01\"}", NULL, 0, &b), 400);
	assert_string_equal(b, "{\"error\":\"category must be waiver, mitigated or risk-accepted\"}\n");
}

static void test_decide_answers(void **state)
{
	char *b;
	const char *good = "{\"id\":\"st-good\",\"type\":\"Microsoft.Storage/storageAccounts\","
			   "\"properties\":{\"supportsHttpsTrafficOnly\":true,"
			   "\"minimumTlsVersion\":\"TLS1_2\"}}";
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], good, NULL, 0, &b), 200);
	assert_string_equal(b, "{\"allow\":true,\"baseline\":{\"id\":\"serve-test\",\"version\":"
			       "\"1.0.0\"},\"violations\":[],\"warnings\":[]}\n");
	const char *bad = "[{\"id\":\"st-bad\",\"type\":\"Microsoft.Storage/storageAccounts\","
			  "\"properties\":{\"supportsHttpsTrafficOnly\":false,"
			  "\"minimumTlsVersion\":\"TLS1_0\"}}]";
	struct bl_http_param p = {"baseline", "serve-test"};
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], bad, &p, 1, &b), 200);
	assert_string_equal(
		b,
		"{\"allow\":false,\"baseline\":{\"id\":\"serve-test\",\"version\":\"1.0.0\"},"
		"\"violations\":[{\"control\":\"SV-01\",\"severity\":\"high\",\"status\":\"fail\","
		"\"asset\":\"st-bad\",\"title\":\"HTTPS only\",\"evidence\":[{\"path\":"
		"\"properties.supportsHttpsTrafficOnly\",\"actual\":false,\"expected\":\"equals "
		"true\"}],\"remediation\":\"Turn on secure transfer.\",\"message\":"
		"\"properties.supportsHttpsTrafficOnly is false; expected equals true\"}],"
		"\"warnings\":[{\"control\":\"SV-02\",\"severity\":\"medium\",\"status\":\"fail\","
		"\"asset\":\"st-bad\",\"title\":\"TLS 1.2 or later\",\"evidence\":[{\"path\":"
		"\"properties.minimumTlsVersion\",\"actual\":\"TLS1_0\",\"expected\":\"in "
		"[\\\"TLS1_2\\\",\\\"TLS1_3\\\"]\"}],\"remediation\":\"Set the minimum TLS version "
		"to 1.2.\",\"message\":\"properties.minimumTlsVersion is \\\"TLS1_0\\\"; expected in "
		"[\\\"TLS1_2\\\",\\\"TLS1_3\\\"]\"}]}\n");
	/* an audit-only failure allows */
	const char *warn = "{\"id\":\"st-w\",\"type\":\"Microsoft.Storage/storageAccounts\","
			   "\"properties\":{\"supportsHttpsTrafficOnly\":true}}";
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], warn, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "{\"allow\":true,"));
	assert_non_null(strstr(b, "\"violations\":[],\"warnings\":[{\"control\":\"SV-02\""));
}

static void test_decide_bad_bodies(void **state)
{
	char *b;
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "{\"id\":\n  [1,", NULL, 0,
			      &b), 400);
	assert_non_null(strstr(b, "\"line\":2,\"col\":6}"));
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "", NULL, 0, &b), 400);
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "42", NULL, 0, &b), 400);
	assert_string_equal(b, "{\"error\":\"the body must be a resource (object) or an array of "
			       "resources\"}\n");
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "[1]", NULL, 0, &b), 400);
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "{\"id\":5}", NULL, 0, &b),
			 400);
	struct bl_http_param p = {"baseline", "nope"};
	assert_int_equal(call(*state, "POST", "/v1/decide", secrets[1], "{}", &p, 1, &b), 404);
	assert_string_equal(b, "{\"error\":\"no such baseline is served\"}\n");
}

static void test_revoked_token(void **state)
{
	struct fx *f = *state;
	char *b;
	assert_int_equal(call(f, "GET", "/v1/baselines", secrets[1], NULL, NULL, 0, &b), 200);
	bool found = false;
	struct bl_error err;
	assert_int_equal(bl_store_token_revoke(f->st, f->ids[1], "2026-11-28T01:00:00Z", &found,
					       &err), 0);
	assert_true(found);
	struct timespec ts = {0, 5 * 1000 * 1000};   /* past the 1 ms auth cache */
	nanosleep(&ts, NULL);
	assert_int_equal(call(f, "GET", "/v1/baselines", secrets[1], NULL, NULL, 0, &b), 401);
}

static void test_reload_keeps_old_on_error(void **state)
{
	struct fx *f = *state;
	char *b;
	const char *bad = "{\"id\":\"st-bad\",\"type\":\"Microsoft.Storage/storageAccounts\","
			  "\"properties\":{\"supportsHttpsTrafficOnly\":false}}";
	write_file(f->bl, "baseline: serve-test\nversion: 2\ncontrols: [{id: X}]\n");
	struct bl_diags d;
	bl_diags_init(&d);
	size_t n = 9;
	assert_int_equal(bl_server_reload(f->srv, true, &n, &d), BL_EINVAL);
	assert_int_equal(n, 0);
	assert_true(d.n > 0);
	bl_diags_free(&d);
	assert_int_equal(call(f, "POST", "/v1/decide", secrets[1], bad, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "\"allow\":false"));   /* SV-01 is still deny */
	/* a good new version: SV-01 turned to audit */
	write_file(f->bl, "baseline: serve-test\nversion: 2.0.0\ncontrols:\n"
			  "  - id: SV-01\n    title: HTTPS only\n    severity: high\n"
			  "    scope: {types: [Microsoft.Storage/storageAccounts]}\n"
			  "    expect: {field: properties.supportsHttpsTrafficOnly, equals: true}\n"
			  "    effect: audit\n");
	bl_diags_init(&d);
	assert_int_equal(bl_server_reload(f->srv, true, &n, &d), 0);
	assert_int_equal(n, 1);
	bl_diags_free(&d);
	assert_int_equal(call(f, "POST", "/v1/decide", secrets[1], bad, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "{\"allow\":true,"));
	/* unchanged file, no force: nothing reloads */
	bl_diags_init(&d);
	assert_int_equal(bl_server_reload(f->srv, false, &n, &d), 0);
	assert_int_equal(n, 0);
	bl_diags_free(&d);
}

static void test_metrics(void **state)
{
	char *b;
	call(*state, "GET", "/v1/runs", NULL, NULL, NULL, 0, NULL);
	call(*state, "POST", "/v1/decide", secrets[1], "{\"id\":\"x\"}", NULL, 0, NULL);
	assert_int_equal(call(*state, "GET", "/metrics", secrets[1], NULL, NULL, 0, &b), 200);
	assert_non_null(strstr(b, "baseline_http_requests_total{route=\"/v1/runs\",code=\"401\"} 1\n"));
	assert_non_null(strstr(b, "baseline_http_requests_total{route=\"/v1/decide\",code=\"200\"} 1\n"));
	assert_non_null(strstr(b, "baseline_decisions_total{decision=\"allow\"} 1\n"));
	assert_non_null(strstr(b, "baseline_http_request_duration_seconds_count 2\n"));
}

static void test_read_routes_without_runs(void **state)
{
	char *b;
	assert_int_equal(call(*state, "GET", "/v1/runs", secrets[1], NULL, NULL, 0, &b), 200);
	assert_string_equal(b, "{\"runs\":[]}\n");
	assert_int_equal(call(*state, "GET", "/v1/runs/latest", secrets[1], NULL, NULL, 0, &b), 404);
	assert_int_equal(call(*state, "GET", "/v1/frameworks", secrets[1], NULL, NULL, 0, &b), 200);
	assert_string_equal(b, "{\"frameworks\":[]}\n");
	struct bl_http_param p = {"limit", "x"};
	assert_int_equal(call(*state, "GET", "/v1/runs/latest/results", secrets[1], NULL, &p, 1, &b),
			 400);
}

static void test_parse_listen(void **state)
{
	(void)state;
	unsigned char sa[128];
	size_t len;
	bool loop;
	struct bl_error err;
	assert_int_equal(bl_http_parse_listen("127.0.0.1:0", sa, sizeof(sa), &len, &loop, &err), 0);
	assert_true(loop);
	assert_int_equal(bl_http_parse_listen("127.8.9.1:8443", sa, sizeof(sa), &len, &loop, &err),
			 0);
	assert_true(loop);
	assert_int_equal(bl_http_parse_listen("[::1]:80", sa, sizeof(sa), &len, &loop, &err), 0);
	assert_true(loop);
	assert_int_equal(bl_http_parse_listen("0.0.0.0:80", sa, sizeof(sa), &len, &loop, &err), 0);
	assert_false(loop);
	assert_int_equal(bl_http_parse_listen("[::]:80", sa, sizeof(sa), &len, &loop, &err), 0);
	assert_false(loop);
	assert_int_equal(bl_http_parse_listen("localhost:80", sa, sizeof(sa), &len, &loop, &err),
			 BL_EINVAL);
	assert_int_equal(bl_http_parse_listen("127.0.0.1:65536", sa, sizeof(sa), &len, &loop, &err),
			 BL_EINVAL);
	assert_int_equal(bl_http_parse_listen("127.0.0.1", sa, sizeof(sa), &len, &loop, &err),
			 BL_EINVAL);
	assert_int_equal(bl_http_parse_listen("[::1]80", sa, sizeof(sa), &len, &loop, &err),
			 BL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthz_needs_no_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_missing_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles_per_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requester_cannot_approve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exception_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decide_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decide_bad_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_old_on_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_routes_without_runs, setup, teardown),
		cmocka_unit_test(test_parse_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
