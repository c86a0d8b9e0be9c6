/*
 * test_sqlite.c - the SQLite run store: creation, forward migration of an
 * older schema, refusal of a newer one, batched inserts inside one
 * transaction per run (invisible to other connections until committed,
 * gone after abort), reading runs and results back, and store URLs.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/baseline.h"
#include "store/store.h"
#include "state_cases.h"

static const char *doc =
	"baseline: unit-store\nversion: 1.2.0\ntitle: t\ncontrols:\n"
	"  - {id: ST-01, title: a, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: ST-02, title: b, severity: low, expect: {field: y, exists: true}}\n";

struct fixture {
	char dir[64];
	char path[128];
	struct bl_arena a;
	struct bl_baseline *b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/bl-store-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	/* a folder that does not exist yet: open creates it */
	snprintf(f->path, sizeof(f->path), "%s/sub/s.db", f->dir);
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
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "%s/sub/s.db", f->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/sub/s.db-wal", f->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/sub/s.db-shm", f->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/sub", f->dir);
	rmdir(cmd);
	rmdir(f->dir);
	bl_baseline_free(f->b);
	bl_arena_free(&f->a);
	free(f);
	return 0;
}

/* A second, independent connection: what another process would see. */
static long long count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* Store one run of n results over n/2 assets x 2 controls; finish or abort. */
static void store_run(struct fixture *f, struct bl_store *s, const char *id, size_t n,
		      bool commit, bool check_invisible)
{
	struct bl_error err;
	const char *targets[] = {"snap.json"};
	struct bl_store_run_meta m = {.id = id, .started = "2026-11-28T10:00:00Z",
				      .baseline = f->b, .targets = targets, .ntargets = 1,
				      .now = 1764324000};
	struct bl_store_run *w = NULL;
	assert_int_equal(bl_store_run_begin(&w, s, &m, &err), 0);
	struct bl_asset *assets = calloc(n / 2 + 1, sizeof(*assets));
	struct bl_result *res = calloc(n, sizeof(*res));
	char (*ids)[32] = calloc(n / 2 + 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		struct bl_asset *a = &assets[i / 2];
		snprintf(ids[i / 2], sizeof(ids[0]), "asset-%05zu", i / 2);
		a->id = ids[i / 2];
		a->type = "t.x";
		a->tier = 2;
		res[i].control = &f->b->controls[i % 2];
		res[i].asset = a;
		res[i].status = i % 5 == 0 ? BL_FAIL : i % 7 == 0 ? BL_NA : BL_PASS;
		res[i].message = "m";
	}
	/* batches of 100 */
	for (size_t i = 0; i < n; i += 100)
		assert_int_equal(bl_store_run_add(w, &res[i], n - i < 100 ? n - i : 100, &err), 0);
	if (check_invisible) {
		/* written but not committed: nobody else sees any of it */
		assert_int_equal(count(f->path, "SELECT count(*) FROM runs"), 0);
		assert_int_equal(count(f->path, "SELECT count(*) FROM results"), 0);
	}
	if (commit) {
		struct bl_store_run_end e = {.finished = "2026-11-28T10:00:05Z", .assets = n / 2,
					     .controls = 2};
		for (size_t i = 0; i < n; i++)
			e.total.n[res[i].status]++;
		struct bl_store_fw fw = {.id = "mcsb-v1", .tally = e.total};
		e.fws = &fw;
		e.nfws = 1;
		assert_int_equal(bl_store_run_finish(w, &e, &err), 0);
	} else {
		bl_store_run_abort(w);
	}
	free(assets);
	free(res);
	free(ids);
}

static void test_create_and_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	assert_int_equal(bl_store_schema_version(s), BL_STORE_SCHEMA_VERSION);
	store_run(f, s, "11111111-aaaa-4000-8000-000000000001", 1000, true, true);
	assert_int_equal(count(f->path, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(count(f->path, "SELECT count(*) FROM results"), 1000);
	/* assets and controls are rows referenced by id, once each */
	assert_int_equal(count(f->path, "SELECT count(*) FROM assets"), 500);
	assert_int_equal(count(f->path, "SELECT count(*) FROM controls"), 2);
	assert_int_equal(count(f->path, "SELECT count(*) FROM baselines"), 1);
	/* a second run shares asset, control and baseline rows */
	store_run(f, s, "22222222-bbbb-4000-8000-000000000002", 1000, true, false);
	assert_int_equal(count(f->path, "SELECT count(*) FROM assets"), 500);
	assert_int_equal(count(f->path, "SELECT count(*) FROM baselines"), 1);
	assert_int_equal(count(f->path, "SELECT count(*) FROM results"), 2000);

	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	assert_string_equal(r.id, "22222222-bbbb-4000-8000-000000000002");
	assert_string_equal(r.baseline_id, "unit-store");
	assert_string_equal(r.baseline_version, "1.2.0");
	assert_string_equal(r.baseline_sha256, f->b->sha256);
	assert_string_equal(r.targets, "[\"snap.json\"]");
	assert_string_equal(r.baseline_file, "unit.yaml");
	assert_int_equal(r.assets, 500);
	assert_int_equal(r.total.n[BL_FAIL], 200);
	assert_int_equal(r.total.n[BL_NA], 114);
	assert_int_equal(r.total.n[BL_PASS], 686);
	assert_int_equal(bl_store_run_find(s, "1111", &a, &r, &err), 0);
	assert_string_equal(r.id, "11111111-aaaa-4000-8000-000000000001");
	assert_int_equal(bl_store_run_find(s, "3", &a, &r, &err), BL_EINVAL);
	assert_string_equal(err.msg, "no run '3' in the store");
	struct bl_stored_run *runs;
	size_t n;
	assert_int_equal(bl_store_runs(s, &a, &runs, &n, &err), 0);
	assert_int_equal(n, 2);
	struct bl_tally t;
	bool found;
	assert_int_equal(bl_store_run_fw(s, runs[0].key, "mcsb-v1", &t, &found, &err), 0);
	assert_true(found);
	assert_int_equal(t.n[BL_FAIL], 200);
	assert_int_equal(bl_store_run_fw(s, runs[0].key, "nist", &t, &found, &err), 0);
	assert_false(found);
	/* the stored document reloads to the same baseline */
	const char *json;
	size_t len;
	assert_int_equal(bl_store_baseline_json(s, r.baseline_sha256, &a, &json, &len, &err), 0);
	const struct bl_value *v = tu_json(&a, json);
	struct bl_baseline *b2 = NULL;
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_from_doc(&b2, v, &d), 0);
	assert_string_equal(b2->sha256, f->b->sha256);
	assert_int_equal(b2->ncontrols, 2);
	bl_baseline_free(b2);
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_store_close(s);
}

static int first_result(void *ctx, const struct bl_stored_result *r)
{
	int *seen = ctx;
	if ((*seen)++ == 0) {
		assert_string_equal(r->control, "ST-01");
		assert_string_equal(r->asset, "asset-00000");
		assert_string_equal(r->asset_type, "t.x");
		assert_int_equal(r->status, BL_FAIL);
		assert_int_equal(r->tier, 2);
		assert_null(r->environment);
		assert_string_equal(r->evidence, "[]");
		assert_int_equal(r->exc_index, -1);
	}
	return 0;
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	store_run(f, s, "33333333-cccc-4000-8000-000000000003", 400, false, true);
	assert_int_equal(count(f->path, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(count(f->path, "SELECT count(*) FROM results"), 0);
	assert_int_equal(count(f->path, "SELECT count(*) FROM assets"), 0);
	store_run(f, s, "44444444-dddd-4000-8000-000000000004", 400, true, false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	int seen = 0;
	assert_int_equal(bl_store_results(s, r.key, false, first_result, &seen, &err), 0);
	assert_int_equal(seen, 400);
	bl_arena_free(&a);
	bl_store_close(s);
}

/* Version 1 of the schema as it shipped (sqlite.c migrations[0]). */
#define V1_SCHEMA \
	"CREATE TABLE baselines(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE," \
	" baseline_id TEXT NOT NULL, version TEXT, doc TEXT NOT NULL);" \
	"CREATE TABLE assets(id INTEGER PRIMARY KEY, asset TEXT NOT NULL, type TEXT NOT NULL," \
	" name TEXT, UNIQUE(asset, type));" \
	"CREATE TABLE controls(id INTEGER PRIMARY KEY, control TEXT NOT NULL UNIQUE);" \
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE," \
	" started TEXT NOT NULL, finished TEXT NOT NULL," \
	" baseline INTEGER NOT NULL REFERENCES baselines(id), targets TEXT NOT NULL," \
	" inventory TEXT, exceptions TEXT, now INTEGER NOT NULL," \
	" assets INTEGER NOT NULL, controls INTEGER NOT NULL, untiered INTEGER NOT NULL," \
	" unknown_tier INTEGER NOT NULL, rule_errors INTEGER NOT NULL," \
	" pass INTEGER NOT NULL, fail INTEGER NOT NULL, error INTEGER NOT NULL," \
	" not_applicable INTEGER NOT NULL, exempt INTEGER NOT NULL);" \
	"CREATE TABLE results(run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL," \
	" control INTEGER NOT NULL REFERENCES controls(id)," \
	" asset INTEGER NOT NULL REFERENCES assets(id), status INTEGER NOT NULL," \
	" tier INTEGER, environment TEXT, owner TEXT, classification TEXT, tags TEXT," \
	" evidence TEXT, message TEXT NOT NULL, exc_index INTEGER, exc_state INTEGER," \
	" PRIMARY KEY(run, seq)) WITHOUT ROWID;"

static void test_migrates_v1(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	/* a version-1 store made by hand: the first schema, one finished run */
	struct bl_store *s = NULL;
	char dir[160];
	snprintf(dir, sizeof(dir), "%s/sub", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	exec_sql(f->path, V1_SCHEMA "PRAGMA user_version=1;"
			  "INSERT INTO baselines VALUES(1,'abc','old','0.9',"
			  "'{\"baseline\":\"old\"}');"
			  "INSERT INTO runs VALUES(1,'0ld-run','2026-01-01T00:00:00Z',"
			  "'2026-01-01T00:00:01Z',1,'[]',NULL,NULL,0,3,1,0,0,0,2,1,0,0,0);");
	assert_int_equal(count(f->path, "PRAGMA user_version"), 1);
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	assert_int_equal(bl_store_schema_version(s), 3);
	assert_int_equal(count(f->path, "PRAGMA user_version"), 3);
	assert_int_equal(count(f->path, "SELECT count(*) FROM run_frameworks"), 0);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "latest", &a, &r, &err), 0);
	assert_string_equal(r.id, "0ld-run");
	assert_null(r.baseline_file);   /* the column version 2 added */
	assert_int_equal(r.total.n[BL_PASS], 2);
	assert_int_equal(r.total.n[BL_FAIL], 1);
	/* and it takes new runs */
	store_run(f, s, "55555555-eeee-4000-8000-000000000005", 10, true, false);
	assert_int_equal(count(f->path, "SELECT count(*) FROM run_frameworks"), 1);
	bl_arena_free(&a);
	bl_store_close(s);
}

/* Version 2 as it shipped (migrations[1]): per-framework counts and file:line:col. */
#define V2_STEP \
	"CREATE TABLE run_frameworks(run INTEGER NOT NULL REFERENCES runs(id)," \
	" framework TEXT NOT NULL, pass INTEGER NOT NULL, fail INTEGER NOT NULL," \
	" error INTEGER NOT NULL, not_applicable INTEGER NOT NULL, exempt INTEGER NOT NULL," \
	" PRIMARY KEY(run, framework)) WITHOUT ROWID;" \
	"ALTER TABLE runs ADD COLUMN baseline_file TEXT;" \
	"CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);" \
	"ALTER TABLE results ADD COLUMN file INTEGER REFERENCES files(id);" \
	"ALTER TABLE results ADD COLUMN line INTEGER;" \
	"ALTER TABLE results ADD COLUMN col INTEGER;"

static void test_migrates_v2(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	/* a version-2 store with one run: gains the server-state tables in place */
	char dir[160];
	snprintf(dir, sizeof(dir), "%s/sub", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	exec_sql(f->path, V1_SCHEMA V2_STEP "PRAGMA user_version=2;"
			  "INSERT INTO baselines VALUES(1,'abc','old','0.9','{\"baseline\":\"old\"}');"
			  "INSERT INTO runs VALUES(1,'v2-run','2026-01-01T00:00:00Z',"
			  "'2026-01-01T00:00:01Z',1,'[]',NULL,NULL,0,3,1,0,0,0,2,1,0,0,0,'b.yaml');"
			  "INSERT INTO run_frameworks VALUES(1,'nist',2,1,0,0,0);");
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	assert_int_equal(bl_store_schema_version(s), 3);
	assert_int_equal(count(f->path, "PRAGMA user_version"), 3);
	assert_int_equal(count(f->path, "SELECT count(*) FROM tokens"), 0);
	assert_int_equal(count(f->path, "SELECT count(*) FROM exc_requests"), 0);
	assert_int_equal(count(f->path, "SELECT count(*) FROM audit"), 0);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_stored_run r;
	assert_int_equal(bl_store_run_find(s, "v2", &a, &r, &err), 0);
	assert_string_equal(r.baseline_file, "b.yaml");
	struct bl_tally t;
	bool found;
	assert_int_equal(bl_store_run_fw(s, r.key, "nist", &t, &found, &err), 0);
	assert_true(found);
	assert_int_equal(t.n[BL_FAIL], 1);
	/* the new tables work on the migrated store */
	unsigned char h[32] = {1};
	int64_t id;
	assert_int_equal(bl_store_token_add(s, h, BL_ROLE_OWNER, "o", "2026-11-28T00:00:00Z", &id,
					    &err), 0);
	assert_int_equal(id, 1);
	bl_arena_free(&a);
	bl_store_close(s);
}

static void test_state(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL, *s2 = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	assert_int_equal(bl_store_open(&s2, f->path, &err), 0);
	state_tokens(s);
	state_requests(s, s2);
	state_audit(s, s2);
	bl_store_close(s);
	bl_store_close(s2);
	/* the audit log is append-only, whoever writes to the file */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	char *msg = NULL;
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET who='x'", NULL, NULL, &msg),
			     SQLITE_OK);
	assert_string_equal(msg, "the audit log is append-only");
	sqlite3_free(msg);
	msg = NULL;
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, &msg), SQLITE_OK);
	assert_string_equal(msg, "the audit log is append-only");
	sqlite3_free(msg);
	sqlite3_close(db);
	assert_int_equal(count(f->path, "SELECT count(*) FROM audit"), 3);
}

static void test_newer_refused(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	bl_store_close(s);
	exec_sql(f->path, "PRAGMA user_version=4");
	assert_int_equal(bl_store_open(&s, f->path, &err), BL_EINVAL);
	assert_null(s);
	assert_string_equal(err.msg, "store schema version 4 is newer than this baseline supports "
				     "(3): upgrade baseline to use this store");
	/* refusing changed nothing */
	assert_int_equal(count(f->path, "PRAGMA user_version"), 4);
}

static void test_not_a_store(void **state)
{
	struct fixture *f = *state;
	struct bl_error err;
	struct bl_store *s = NULL;
	assert_int_equal(bl_store_open(&s, f->path, &err), 0);
	bl_store_close(s);
	exec_sql(f->path, "PRAGMA user_version=0; CREATE TABLE other(x);");
	assert_int_equal(bl_store_open(&s, f->path, &err), BL_EINVAL);
	assert_string_equal(err.msg, "store: the database is not a baseline store");
}

static void test_urls(void **state)
{
	(void)state;
	struct bl_error err;
	char out[256];
	const char *kind;
	assert_int_equal(bl_store_url_parse("sqlite:/a/b.db", &kind, out, sizeof(out), &err), 0);
	assert_string_equal(kind, "sqlite");
	assert_string_equal(out, "/a/b.db");
	assert_int_equal(bl_store_url_parse("sqlite:///a/b.db", &kind, out, sizeof(out), &err), 0);
	assert_string_equal(out, "/a/b.db");
	assert_int_equal(bl_store_url_parse("rel/c.db", &kind, out, sizeof(out), &err), 0);
	assert_string_equal(kind, "sqlite");
	assert_string_equal(out, "rel/c.db");
	assert_int_equal(bl_store_url_parse("postgresql://u@db/fleet", &kind, out, sizeof(out), &err), 0);
	assert_string_equal(kind, "postgresql");
	assert_int_equal(bl_store_url_parse("mysql://x/y", &kind, out, sizeof(out), &err), BL_EINVAL);
	assert_int_equal(bl_store_url_parse("sqlite:", &kind, out, sizeof(out), &err), BL_EINVAL);
	assert_string_equal(err.msg, "store URL 'sqlite:' has no path");
	struct bl_store *s = NULL;
	/* a PostgreSQL URL goes to the PostgreSQL backend (tests/unit/store/test_postgres.c) */
	assert_int_equal(bl_store_open(&s, "postgresql:///nodb?host=/nonexistent-dir", &err), BL_EIO);
	assert_null(s);

	assert_int_equal(bl_store_url(out, sizeof(out), "/x.db", &err), 0);
	assert_string_equal(out, "/x.db");
	setenv("BASELINE_STORE", "/env.db", 1);
	assert_int_equal(bl_store_url(out, sizeof(out), NULL, &err), 0);
	assert_string_equal(out, "/env.db");
	unsetenv("BASELINE_STORE");
	setenv("XDG_DATA_HOME", "/xdg", 1);
	assert_int_equal(bl_store_url(out, sizeof(out), "", &err), 0);
	assert_string_equal(out, geteuid() == 0 ? "/var/lib/baseline/baseline.db"
						 : "/xdg/baseline/baseline.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
		cmocka_unit_test(test_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
