/*
 * test_postgres.c - the PostgreSQL run store against a real server
 * (scripts/pg-test.sh; `make unit` starts one and sets BL_TEST_PG_URL):
 * the SQLite store's behaviours (round trip, result order, run prefixes,
 * migration of an older schema, refusal of a newer one), text that COPY
 * must escape, 8 concurrent writers, and a writer killed mid-run leaving no
 * partial run.  Without BL_TEST_PG_URL it says "skipped: no PostgreSQL".
 */
#include "testutil.h"

#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/baseline.h"
#include "store/pq_api.h"
#include "store/store.h"
#include "state_cases.h"

static const char *doc =
	"baseline: unit-store\nversion: 1.2.0\ntitle: t\ncontrols:\n"
	"  - {id: ST-01, title: a, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: ST-02, title: b, severity: low, expect: {field: y, exists: true}}\n";

struct fixture {
	const char *url;
	struct bl_arena a;
	struct bl_baseline *b;
};

/* Run sql on a connection of our own; fails the test on an error. */
static void pg_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* A number another connection sees (what another process would see). */
static long long pg_count(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	long long n = -1;
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->url = getenv("BL_TEST_PG_URL");
	/* every test starts from an empty database */
	pg_exec(f->url, "SET client_min_messages=warning;"
			"DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
	bl_arena_init(&f->a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const struct bl_value *v = tu_doc(&f->a, doc, "unit.yaml");
	if (bl_baseline_from_doc(&f->b, v, &d))
		return -1;
	bl_diags_free(&d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	bl_baseline_free(f->b);
	bl_arena_free(&f->a);
	free(f);
	return 0;
}

/* n results over n/2 assets x 2 controls, added in batches of 100. */
struct batch {
	struct bl_asset *assets;
	struct bl_result *res;
	char (*ids)[32];
	size_t n;
};

static void make_batch(struct fixture *f, struct batch *bt, size_t n, const char *prefix)
{
	bt->n = n;
	bt->assets = calloc(n / 2 + 1, sizeof(*bt->assets));
	bt->res = calloc(n, sizeof(*bt->res));
	bt->ids = calloc(n / 2 + 1, sizeof(*bt->ids));
	for (size_t i = 0; i < n; i++) {
		struct bl_asset *a = &bt->assets[i / 2];
		snprintf(bt->ids[i / 2], sizeof(bt->ids[0]), "%s%05zu", prefix, i / 2);
		a->id = bt->ids[i / 2];
		a->type = "t.x";
		a->tier = 2;
		bt->res[i].control = &f->b->controls[i % 2];
		bt->res[i].asset = a;
		bt->res[i].status = i % 5 == 0 ? BL_FAIL : i % 7 == 0 ? BL_NA : BL_PASS;
		bt->res[i].message = "m";
	}
}

static void free_batch(struct batch *bt)
{
	free(bt->assets);
	free(bt->res);
	free(bt->ids);
}

static void meta_for(struct fixture *f, struct bl_store_run_meta *m, const char *id)
{
	static const char *const targets[] = {"snap.json"};
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->started = "2026-11-28T10:00:00Z";
	m->baseline = f->b;
	m->targets = targets;
	m->ntargets = 1;
	m->now = 1764324000;
}

static int finish(struct bl_store_run *w, const struct batch *bt, struct bl_error *err)
{
	struct bl_store_run_end e = {.finished = "2026-11-28T10:00:05Z", .assets = bt->n / 2,
				     .controls = 2};
	for (size_t i = 0; i < bt->n; i++)
		e.total.n[bt->res[i].status]++;
	struct bl_store_fw fw = {.id = "mcsb-v1", .tally = e.total};
	e.fws = &fw;
	e.nfws = 1;
	return bl_store_run_finish(w, &e, err);
}

static void store_run(struct fixture *f, struct bl_store *s, const char *id, size_t n,
		      bool commit, bool check_invisible)
{
	struct bl_error err;
	struct bl_store_run_meta m;
	meta_for(f, &m, id);
	struct bl_store_run *w = NULL;
	assert_int_equal(bl_store_run_begin(&w, s, &m, &err), 0);
	struct batch bt;
	make_batch(f, &bt, n, "asset-");
	for (size_t i = 0; i < n; i += 100)
		assert_int_equal(bl_store_run_add(w, &bt.res[i], n - i < 100 ? n - i : 100, &err), 0);
	if (check_invisible) {
		assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 0);
		assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 0);
	}
	if (commit)
		assert_int_equal(finish(w, &bt, &err), 0);
	else
		bl_store_run_abort(w);
	free_batch(&bt);
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	assert_int_equal(bl_store_schema_version(s), BL_STORE_SCHEMA_VERSION);
	store_run(f, s, "11111111-aaaa-4000-8000-000000000001", 1000, true, true);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 1000);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM assets"), 500);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM controls"), 2);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM baselines"), 1);
	store_run(f, s, "22222222-bbbb-4000-8000-000000000002", 1000, true, false);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM assets"), 500);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM baselines"), 1);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 2000);

	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	assert_string_equal(r.id, "22222222-bbbb-4000-8000-000000000002");
	assert_string_equal(r.started, "2026-11-28T10:00:00Z");
	assert_string_equal(r.finished, "2026-11-28T10:00:05Z");
	assert_string_equal(r.baseline_id, "unit-store");
	assert_string_equal(r.baseline_version, "1.2.0");
	assert_string_equal(r.baseline_sha256, f->b->sha256);
	assert_string_equal(r.targets, "[\"snap.json\"]");
	assert_string_equal(r.baseline_file, "unit.yaml");
	assert_null(r.inventory);
	assert_null(r.exceptions);
	assert_int_equal(r.now, 1764324000);
	assert_int_equal(r.assets, 500);
	assert_int_equal(r.controls, 2);
	assert_int_equal(r.total.n[BL_FAIL], 200);
	assert_int_equal(r.total.n[BL_NA], 114);
	assert_int_equal(r.total.n[BL_PASS], 686);
	/* a unique prefix, an unknown one, an ambiguous one */
	assert_int_equal(bl_store_run_find(s, "1111", &a, &r, &err), 0);
	assert_string_equal(r.id, "11111111-aaaa-4000-8000-000000000001");
	assert_int_equal(bl_store_run_find(s, "3", &a, &r, &err), BL_EINVAL);
	assert_string_equal(err.msg, "no run '3' in the store");
	store_run(f, s, "11119999-cccc-4000-8000-000000000003", 10, true, false);
	assert_int_equal(bl_store_run_find(s, "1111", &a, &r, &err), BL_EINVAL);
	assert_string_equal(err.msg, "run '1111' is ambiguous: give more of its id");
	struct bl_stored_run *runs;
	size_t n;
	assert_int_equal(bl_store_runs(s, &a, &runs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(runs[0].id, "11111111-aaaa-4000-8000-000000000001");
	assert_string_equal(runs[2].id, "11119999-cccc-4000-8000-000000000003");
	assert_true(runs[0].key < runs[1].key && runs[1].key < runs[2].key);
	struct bl_tally t;
	bool found;
	assert_int_equal(bl_store_run_fw(s, runs[0].key, "mcsb-v1", &t, &found, &err), 0);
	assert_true(found);
	assert_int_equal(t.n[BL_FAIL], 200);
	assert_int_equal(t.n[BL_PASS], 686);
	assert_int_equal(bl_store_run_fw(s, runs[0].key, "nist", &t, &found, &err), 0);
	assert_false(found);
	const char *json;
	size_t len;
	assert_int_equal(bl_store_baseline_json(s, r.baseline_sha256, &a, &json, &len, &err), 0);
	const struct bl_value *v = tu_json(&a, json);
	struct bl_baseline *b2 = NULL;
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_from_doc(&b2, v, &d), 0);
	assert_string_equal(b2->sha256, f->b->sha256);
	bl_baseline_free(b2);
	bl_diags_free(&d);
	assert_int_equal(bl_store_baseline_json(s, "nope", &a, &json, &len, &err), BL_EINVAL);
	bl_arena_free(&a);
	bl_store_close(s);
}

struct seen {
	int n;
	char first[64], last[64];
	enum bl_status first_status;
};

static int collect(void *ctx, const struct bl_stored_result *r)
{
	struct seen *x = ctx;
	if (x->n++ == 0) {
		snprintf(x->first, sizeof(x->first), "%s %s", r->control, r->asset);
		x->first_status = r->status;
		assert_string_equal(r->asset_type, "t.x");
		assert_int_equal(r->tier, 2);
		assert_null(r->environment);
		assert_null(r->asset_name);
		assert_string_equal(r->evidence, "[]");
		assert_int_equal(r->exc_index, -1);
		assert_null(r->file);
	}
	snprintf(x->last, sizeof(x->last), "%s %s", r->control, r->asset);
	return 0;
}

static void test_results_order(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	store_run(f, s, "33333333-cccc-4000-8000-000000000003", 400, true, false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	/* insertion order: asset-00000 ST-01, asset-00000 ST-02, ... */
	struct seen x = {0};
	assert_int_equal(bl_store_results(s, r.key, false, collect, &x, &err), 0);
	assert_int_equal(x.n, 400);
	assert_string_equal(x.first, "ST-01 asset-00000");
	assert_int_equal(x.first_status, BL_FAIL);
	assert_string_equal(x.last, "ST-02 asset-00199");
	/* by control then asset */
	memset(&x, 0, sizeof(x));
	assert_int_equal(bl_store_results(s, r.key, true, collect, &x, &err), 0);
	assert_int_equal(x.n, 400);
	assert_string_equal(x.first, "ST-01 asset-00000");
	assert_string_equal(x.last, "ST-02 asset-00199");
	bl_arena_free(&a);
	bl_store_close(s);
}

static int check_escapes(void *ctx, const struct bl_stored_result *r)
{
	int *n = ctx;
	(*n)++;
	assert_string_equal(r->message, "tab\there\nnew line \\ back\\slash \\N \r end é");
	assert_string_equal(r->asset, "a\tb\\c");
	assert_string_equal(r->asset_name, "name\nline");
	assert_string_equal(r->environment, "\\N");
	assert_string_equal(r->evidence,
			    "[{\"path\":\"p\\tq\",\"actual\":\"x\\ny\",\"expected\":\"equals \\\\\"}]");
	assert_string_equal(r->tags, "{\"k\":\"v\\tw\"}");
	assert_string_equal(r->file, "dir/with\ttab.json");
	assert_int_equal(r->line, 7);
	assert_int_equal(r->col, 3);
	assert_int_equal(r->exc_index, 0);
	assert_int_equal(r->exc_state, BL_EXC_ACTIVE);
	return 0;
}

/* COPY's text format gives \, tab, newline and CR meaning: they must come
 * back exactly as they went in, and "\N" must stay text, not NULL. */
static void test_copy_escapes(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	struct bl_store_run_meta m;
	meta_for(f, &m, "44444444-dddd-4000-8000-000000000004");
	struct bl_store_run *w = NULL;
	assert_int_equal(bl_store_run_begin(&w, s, &m, &err), 0);
	struct bl_arena *a = &f->a;
	struct bl_asset as = {.id = "a\tb\\c", .type = "t.x", .name = "name\nline", .tier = 1,
			      .environment = "\\N", .file = "dir/with\ttab.json", .line = 7,
			      .col = 3};
	struct bl_evidence ev = {.path = "p\tq", .actual = tu_json(a, "\"x\\ny\""),
				 .expected = "equals \\"};
	struct bl_exception exc = {.index = 0};
	struct bl_result r = {.control = &f->b->controls[0], .asset = &as, .status = BL_EXEMPT,
			      .evidence = &ev, .nevidence = 1,
			      .message = "tab\there\nnew line \\ back\\slash \\N \r end é",
			      .tags = tu_json(a, "{\"k\":\"v\\tw\"}"), .exception = &exc,
			      .exc_state = BL_EXC_ACTIVE};
	assert_int_equal(bl_store_run_add(w, &r, 1, &err), 0);
	struct batch bt = {.res = &r, .n = 1};
	assert_int_equal(finish(w, &bt, &err), 0);
	struct bl_arena ra;
	bl_arena_init(&ra, 0);
	struct bl_stored_run sr;
	assert_int_equal(bl_store_run_find(s, "4444", &ra, &sr, &err), 0);
	int n = 0;
	assert_int_equal(bl_store_results(s, sr.key, false, check_escapes, &n, &err), 0);
	assert_int_equal(n, 1);
	bl_arena_free(&ra);
	bl_store_close(s);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	store_run(f, s, "55555555-eeee-4000-8000-000000000005", 400, false, true);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 0);
	/* the connection is usable for the next run */
	store_run(f, s, "66666666-ffff-4000-8000-000000000006", 400, true, false);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 400);
	bl_store_close(s);
}

/* Version 1 as postgres.c migrations[0] shipped it. */
#define V1_SCHEMA \
	"CREATE TABLE baselines(id bigserial PRIMARY KEY, sha256 text NOT NULL UNIQUE," \
	" baseline_id text NOT NULL, version text, doc text NOT NULL);" \
	"CREATE TABLE assets(id bigserial PRIMARY KEY, asset text NOT NULL, type text NOT NULL," \
	" name text, UNIQUE(asset, type));" \
	"CREATE TABLE controls(id bigserial PRIMARY KEY, control text NOT NULL UNIQUE);" \
	"CREATE TABLE runs(id bigserial PRIMARY KEY, uuid text NOT NULL UNIQUE," \
	" started text NOT NULL, finished text NOT NULL," \
	" baseline bigint NOT NULL REFERENCES baselines(id), targets text NOT NULL," \
	" inventory text, exceptions text, now bigint NOT NULL," \
	" assets bigint NOT NULL, controls bigint NOT NULL, untiered bigint NOT NULL," \
	" unknown_tier bigint NOT NULL, rule_errors bigint NOT NULL," \
	" pass bigint NOT NULL, fail bigint NOT NULL, error bigint NOT NULL," \
	" not_applicable bigint NOT NULL, exempt bigint NOT NULL);" \
	"CREATE TABLE results(run bigint NOT NULL, seq bigint NOT NULL," \
	" control bigint NOT NULL, asset bigint NOT NULL, status smallint NOT NULL," \
	" tier smallint, environment text, owner text, classification text, tags text," \
	" evidence text, message text NOT NULL, exc_index integer, exc_state smallint," \
	" PRIMARY KEY(run, seq));"

static void test_migrates_v1(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	pg_exec(f->url, "CREATE TABLE schema_version(version integer NOT NULL);"
			"INSERT INTO schema_version VALUES(1);" V1_SCHEMA
			"INSERT INTO baselines(sha256,baseline_id,version,doc) VALUES('abc','old',"
			"'0.9','{\"baseline\":\"old\"}');"
			"INSERT INTO runs(uuid,started,finished,baseline,targets,now,assets,controls,"
			"untiered,unknown_tier,rule_errors,pass,fail,error,not_applicable,exempt)"
			" VALUES('0ld-run','2026-01-01T00:00:00Z','2026-01-01T00:00:01Z',1,'[]',0,3,1,"
			"0,0,0,2,1,0,0,0);");
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	assert_int_equal(bl_store_schema_version(s), 3);
	assert_int_equal(pg_count(f->url, "SELECT version FROM schema_version"), 3);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM run_frameworks"), 0);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM tokens"), 0);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	assert_string_equal(r.id, "0ld-run");
	assert_null(r.baseline_file);
	assert_int_equal(r.total.n[BL_PASS], 2);
	assert_int_equal(r.total.n[BL_FAIL], 1);
	store_run(f, s, "77777777-aaaa-4000-8000-000000000007", 10, true, false);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM run_frameworks"), 1);
	bl_arena_free(&a);
	bl_store_close(s);
	/* opening again migrates nothing */
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	assert_int_equal(bl_store_schema_version(s), 3);
	bl_store_close(s);
}

static void test_newer_refused(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	bl_store_close(s);
	pg_exec(f->url, "UPDATE schema_version SET version=4");
	assert_int_equal(bl_store_open(&s, f->url, &err), BL_EINVAL);
	assert_null(s);
	assert_string_equal(err.msg, "store schema version 4 is newer than this baseline supports "
				     "(3): upgrade baseline to use this store");
	assert_int_equal(pg_count(f->url, "SELECT version FROM schema_version"), 4);
}

static void test_not_a_store(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	pg_exec(f->url, "CREATE TABLE other(x integer)");
	assert_int_equal(bl_store_open(&s, f->url, &err), BL_EINVAL);
	assert_string_equal(err.msg, "store: the database is not a baseline store");
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM information_schema.tables"
					  " WHERE table_schema='public'"), 1);
}

static void test_bad_url(void **state)
{
	(void)state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, "postgresql:///nodb?host=/nonexistent-dir", &err), BL_EIO);
	assert_null(s);
	assert_true(strncmp(err.msg, "store: cannot connect to the PostgreSQL store: ", 47) == 0);
}

static void test_state(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL, *s2 = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	assert_int_equal(bl_store_open(&s2, f->url, &err), 0);
	state_tokens(s);
	state_requests(s, s2);
	state_audit(s, s2);
	bl_store_close(s);
	bl_store_close(s2);
	/* append-only, whoever connects */
	PGconn *c = PQconnectdb(f->url);
	PGresult *r = PQexec(c, "UPDATE audit SET who='x'");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	assert_non_null(strstr(PQresultErrorMessage(r), "the audit log is append-only"));
	PQclear(r);
	r = PQexec(c, "DELETE FROM audit");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	r = PQexec(c, "TRUNCATE audit");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(c);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM audit"), 3);
}

/* One writer process: a run of n results over assets shared with the other
 * writers (same prefix) and its own; exit 0 when stored. */
static int writer(struct fixture *f, int k, size_t n)
{
	struct bl_error err;
	struct bl_store *s = NULL;
	if (bl_store_open(&s, f->url, &err))
		return 10;
	char id[64];
	snprintf(id, sizeof(id), "88888888-0000-4000-8000-%012d", k);
	struct bl_store_run_meta m;
	meta_for(f, &m, id);
	struct bl_store_run *w = NULL;
	if (bl_store_run_begin(&w, s, &m, &err))
		return 11;
	struct batch shared, own;
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "own%d-", k);
	make_batch(f, &shared, n / 2, "shared-");
	make_batch(f, &own, n / 2, prefix);
	int rc = bl_store_run_add(w, shared.res, shared.n, &err) ||
		 bl_store_run_add(w, own.res, own.n, &err);
	if (rc) {
		bl_store_run_abort(w);
		return 12;
	}
	struct bl_store_run_end e = {.finished = "2026-11-28T10:00:05Z", .assets = n / 2};
	if (bl_store_run_finish(w, &e, &err))
		return 13;
	free_batch(&shared);
	free_batch(&own);
	bl_store_close(s);
	return 0;
}

static void test_eight_writers(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	/* the schema exists before they start (as in a fleet); the migration
	 * lock is tested by the writers opening at once below anyway */
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	bl_store_close(s);
	pid_t pids[8];
	for (int k = 0; k < 8; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0)
			_exit(writer(f, k, 4000));
	}
	for (int k = 0; k < 8; k++) {
		int st = 0;
		assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 8);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 8 * 4000);
	/* 1000 shared assets once, 1000 own assets per writer */
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM assets"), 1000 + 8 * 1000);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM controls"), 2);
	assert_int_equal(pg_count(f->url, "SELECT count(DISTINCT run) FROM results"), 8);
}

static void test_killed_writer(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->url, &err), 0);
	store_run(f, s, "99999999-0000-4000-8000-000000000001", 100, true, false);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* its own connection: a child must not use the parent's */
		struct bl_store *cs = NULL;
		struct bl_store_run_meta m;
		meta_for(f, &m, "99999999-0000-4000-8000-000000000002");
		struct bl_store_run *w = NULL;
		struct batch bt;
		make_batch(f, &bt, 20000, "k-");
		if (bl_store_open(&cs, f->url, &err) || bl_store_run_begin(&w, cs, &m, &err) ||
		    bl_store_run_add(w, bt.res, bt.n, &err))
			_exit(1);
		/* most results sent to the server, the run not finished: killed here */
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char c;
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	kill(pid, SIGKILL);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	/* no partial run, the earlier one intact, and the store takes new runs */
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 100);
	store_run(f, s, "99999999-0000-4000-8000-000000000003", 100, true, false);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM results"), 200);
	/* the server has rolled the killed run back: no session is left holding it */
	for (int i = 0; i < 100 && pg_count(f->url, "SELECT count(*) FROM pg_stat_activity"
						    " WHERE state LIKE 'idle in transaction%'") != 0; i++)
		usleep(50000);
	assert_int_equal(pg_count(f->url, "SELECT count(*) FROM pg_stat_activity"
					  " WHERE state LIKE 'idle in transaction%'"), 0);
	bl_store_close(s);
}

int main(void)
{
	if (!getenv("BL_TEST_PG_URL") || !*getenv("BL_TEST_PG_URL")) {
		printf("test_postgres: skipped: no PostgreSQL (set BL_TEST_PG_URL, or run make unit)\n");
		return 0;
	}
	struct bl_error err;
	if (bl_pq_load(&err)) {
		printf("test_postgres: %s\n", err.msg);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eight_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_writer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
