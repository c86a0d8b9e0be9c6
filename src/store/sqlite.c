/*
 * sqlite.c - the SQLite backend of the run store (store.h, docs/store.md).
 *
 * WAL mode and a busy timeout let several writers (two `assess` at once)
 * queue instead of failing.  A run is one transaction: BEGIN IMMEDIATE at
 * begin, COMMIT at finish, so a killed process leaves only a rolled-back
 * journal and readers never see a partial run.  Assets, controls and
 * baseline documents are rows referenced by id; evidence is JSON text.
 * The schema is versioned with PRAGMA user_version and migrated forward.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/json.h"
#include "store/backend.h"
#include "util/sqlite_api.h"

/* Results per INSERT statement (17 parameters each). */
#ifndef MULTI_ROWS
#define MULTI_ROWS 64
#endif
#define RESULT_COLS 17

/* Five minutes: a writer waits for another's run to commit. */
#define BUSY_TIMEOUT_MS (5 * 60 * 1000)

/*
 * migrations[v] takes a store from version v to v + 1.  Never edit a
 * shipped step: add one.  Version 1 is the first schema; version 2 added the
 * per-framework counts of a run (for trend), the file the baseline was
 * loaded from, and where each asset was read (file:line:col, for SARIF and
 * JUnit).
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE baselines(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE,"
	" baseline_id TEXT NOT NULL, version TEXT, doc TEXT NOT NULL);"
	"CREATE TABLE assets(id INTEGER PRIMARY KEY, asset TEXT NOT NULL, type TEXT NOT NULL,"
	" name TEXT, UNIQUE(asset, type));"
	"CREATE TABLE controls(id INTEGER PRIMARY KEY, control TEXT NOT NULL UNIQUE);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" started TEXT NOT NULL, finished TEXT NOT NULL,"
	" baseline INTEGER NOT NULL REFERENCES baselines(id), targets TEXT NOT NULL,"
	" inventory TEXT, exceptions TEXT, now INTEGER NOT NULL,"
	" assets INTEGER NOT NULL, controls INTEGER NOT NULL, untiered INTEGER NOT NULL,"
	" unknown_tier INTEGER NOT NULL, rule_errors INTEGER NOT NULL,"
	" pass INTEGER NOT NULL, fail INTEGER NOT NULL, error INTEGER NOT NULL,"
	" not_applicable INTEGER NOT NULL, exempt INTEGER NOT NULL);"
	"CREATE TABLE results(run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	" control INTEGER NOT NULL REFERENCES controls(id),"
	" asset INTEGER NOT NULL REFERENCES assets(id), status INTEGER NOT NULL,"
	" tier INTEGER, environment TEXT, owner TEXT, classification TEXT, tags TEXT,"
	" evidence TEXT, message TEXT NOT NULL, exc_index INTEGER, exc_state INTEGER,"
	" PRIMARY KEY(run, seq)) WITHOUT ROWID;",
	/* 1 -> 2 */
	"CREATE TABLE run_frameworks(run INTEGER NOT NULL REFERENCES runs(id),"
	" framework TEXT NOT NULL, pass INTEGER NOT NULL, fail INTEGER NOT NULL,"
	" error INTEGER NOT NULL, not_applicable INTEGER NOT NULL, exempt INTEGER NOT NULL,"
	" PRIMARY KEY(run, framework)) WITHOUT ROWID;"
	"ALTER TABLE runs ADD COLUMN baseline_file TEXT;"
	"CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);"
	"ALTER TABLE results ADD COLUMN file INTEGER REFERENCES files(id);"
	"ALTER TABLE results ADD COLUMN line INTEGER;"
	"ALTER TABLE results ADD COLUMN col INTEGER;",
	/* 2 -> 3: server state (tokens, exception requests, audit log) */
	"CREATE TABLE tokens(id INTEGER PRIMARY KEY, hash TEXT NOT NULL, role INTEGER NOT NULL,"
	" name TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT);"
	"CREATE UNIQUE INDEX tokens_hash ON tokens(hash);"
	"CREATE TABLE exc_requests(id INTEGER PRIMARY KEY, state TEXT NOT NULL"
	" CHECK(state IN ('requested','approved','rejected')), control TEXT NOT NULL,"
	" assets TEXT NOT NULL, category TEXT NOT NULL, justification TEXT NOT NULL, ticket TEXT,"
	" expires TEXT NOT NULL, requested_by TEXT NOT NULL, requested_token INTEGER NOT NULL,"
	" requested_at TEXT NOT NULL, decided_by TEXT, decided_token INTEGER, decided_at TEXT,"
	" decision_note TEXT);"
	"CREATE INDEX exc_requests_state ON exc_requests(state);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL,"
	" action TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
};

struct sq_store {
	struct bl_store base;
	sqlite3 *db;
};

struct sq_run {
	struct bl_store_run base;
	struct sq_store *s;
	sqlite3_stmt *ins_result, *ins_asset, *get_asset, *ins_control, *get_control;
	/* Results are inserted MULTI_ROWS at a time by one statement (fewer
	 * statement executions); the rows wait in pend, their text in pbuf. */
	sqlite3_stmt *ins_multi;
	struct pending {
		int64_t seq, cid, aid, fid;
		int64_t exc_index;
		int status, tier, exc_state;
		uint32_t line, col;
		bool file, exc;
		size_t off[6], len[6];   /* environment owner classification tags
					    evidence message; len SIZE_MAX: NULL */
	} pend[MULTI_ROWS];
	size_t npend;
	struct bl_buf pbuf;
	sqlite3_stmt *ins_file, *get_file;
	const char *last_file; /* assets of one file come together */
	int64_t last_file_id;
	int64_t run;           /* the run's row id */
	int64_t seq;
	const struct bl_baseline *baseline;
	const struct bl_exceptions *exceptions;
	int64_t *control_ids;  /* by control index; 0 = not looked up yet */
	int64_t last_asset_id; /* results come grouped by asset */
	const struct bl_asset *last_asset;
	struct bl_store_idmap assets;  /* every asset id of this run, when they do not */
	struct bl_buf buf;
};

static int db_error(struct bl_error *err, sqlite3 *db, const char *what)
{
	return bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s: %s", what,
			    db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(struct sq_store *s, const char *sql, struct bl_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/*
 * exec, retried while another process holds the lock.  SQLite's busy handler
 * is not called in every case (switching a new store to WAL, or taking the
 * write lock while another connection upgrades its own, returns SQLITE_BUSY
 * at once to avoid a deadlock), so two `assess` runs starting together on a
 * new store would otherwise fail; they wait here, up to the busy timeout.
 */
static int exec_busy(struct sq_store *s, const char *sql, struct bl_error *err)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long sleep_ms = 5;
	for (;;) {
		char *msg = NULL;
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
		if (rc == SQLITE_OK)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited = (long)(now.tv_sec - t0.tv_sec) * 1000 +
			      (long)(now.tv_nsec - t0.tv_nsec) / 1000000;
		if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
		    waited >= BUSY_TIMEOUT_MS) {
			int e = bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s", msg ? msg : "error");
			sqlite3_free(msg);
			return e;
		}
		sqlite3_free(msg);
		struct timespec d = {.tv_sec = sleep_ms / 1000, .tv_nsec = (sleep_ms % 1000) * 1000000};
		nanosleep(&d, NULL);
		if (sleep_ms < 200)
			sleep_ms *= 2;
	}
}

/* mkdir -p of path's folder, new folders 0700.  Returns 0 or BL_EIO. */
static int make_parent(const char *path, struct bl_error *err)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(dir))
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "store path too long");
	memcpy(dir, path, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				return bl_error_set(err, BL_EIO, NULL, 0, 0,
						    "cannot create the store folder %s: %s", dir,
						    strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int user_version(struct sq_store *s, int *out, struct bl_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_error(err, s->db, "reading the schema version");
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(err, s->db, "reading the schema version");
}

/* Bring the schema to BL_STORE_SCHEMA_VERSION in one exclusive transaction
 * (two processes opening an old store at once migrate it once). */
static int migrate(struct sq_store *s, struct bl_error *err)
{
	int v, rc;
	if ((rc = exec_busy(s, "BEGIN IMMEDIATE", err)))
		return rc;
	if ((rc = user_version(s, &v, err)))
		goto fail;
	if (v > BL_STORE_SCHEMA_VERSION) {
		rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				  "store schema version %d is newer than this baseline supports "
				  "(%d): upgrade baseline to use this store", v,
				  BL_STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v == 0) {
		/* a brand-new file, or a SQLite database that is not ours */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL)) {
			rc = db_error(err, s->db, "reading the schema");
			goto fail;
		}
		int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_finalize(st);
		if (n != 0) {
			rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "store: the database is not a baseline store");
			goto fail;
		}
	}
	for (; v < BL_STORE_SCHEMA_VERSION; v++) {
		if ((rc = exec(s, migrations[v], err)))
			goto fail;
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if ((rc = exec(s, sql, err)))
			goto fail;
	}
	s->base.version = v;
	return exec(s, "COMMIT", err);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int sq_open(struct bl_store **out, const char *path, struct bl_error *err)
{
	int rc;
	*out = NULL;
	if ((rc = bl_sqlite_load(err)))   /* opened on first use (util/sqlite_api.h) */
		return rc;
	if ((rc = make_parent(path, err)))
		return rc;
	/* results describe weaknesses: a new store is readable by its owner only
	 * (SQLite gives its -wal and -shm files the same mode) */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot open the store %s: %s", path,
				    strerror(errno));
	close(fd);
	struct sq_store *s = calloc(1, sizeof(*s));
	if (!s)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	int orc = sqlite3_open_v2(path, &s->db,
				  SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				  NULL);
	if (orc != SQLITE_OK) {
		rc = orc == SQLITE_NOMEM ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory")
					 : bl_error_set(err, BL_EIO, NULL, 0, 0,
							"cannot open the store %s: %s", path,
							s->db ? sqlite3_errmsg(s->db) : "error");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if ((rc = exec_busy(s, "PRAGMA journal_mode=WAL", err)) ||
	    (rc = exec(s, "PRAGMA synchronous=NORMAL", err)) ||
	    (rc = exec(s, "PRAGMA foreign_keys=ON", err)))
		goto fail;
	if (rc == 0 && (rc = migrate(s, err)))
		goto fail;
	*out = &s->base;
	return 0;
fail:
	if (rc == BL_EIO && strstr(err ? err->msg : "", "file is not a database"))
		bl_error_set(err, BL_EINVAL, NULL, 0, 0, "store %s is not a baseline store", path);
	sqlite3_close(s->db);
	free(s);
	return err && err->code ? err->code : rc;
}

static void sq_close(struct bl_store *bs)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_close(s->db);
	free(s);
}

/* ---- writing a run ------------------------------------------------------ */

static int prep(struct sq_store *s, sqlite3_stmt **st, const char *sql, struct bl_error *err)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_error(err, s->db, "preparing a statement");
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Run st (already bound) to completion and reset it.  0 or BL_EIO. */
static int step_done(struct sq_store *s, sqlite3_stmt *st, const char *what, struct bl_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(err, s->db, what);
	return 0;
}

/* Id of a row found by get (bound to the same values as ins), inserting it
 * with ins first when missing.  0 or BL_EIO. */
static int get_or_insert(struct sq_store *s, sqlite3_stmt *get, sqlite3_stmt *ins,
			 int64_t *id, const char *what, struct bl_error *err)
{
	int rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(get, 0);
		sqlite3_reset(get);
		return 0;
	}
	sqlite3_reset(get);
	if (rc != SQLITE_DONE)
		return db_error(err, s->db, what);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		sqlite3_reset(ins);
		return db_error(err, s->db, what);
	}
	sqlite3_reset(ins);
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* The baseline row for b, storing its effective document once per sha256. */
static int baseline_row(struct sq_store *s, const struct bl_baseline *b, int64_t *id,
			struct bl_error *err)
{
	sqlite3_stmt *get = NULL, *ins = NULL;
	struct bl_buf doc;
	bl_buf_init(&doc, 0);
	int rc = prep(s, &get, "SELECT id FROM baselines WHERE sha256=?", err);
	if (!rc)
		rc = prep(s, &ins, "INSERT INTO baselines(sha256,baseline_id,version,doc) "
				   "VALUES(?,?,?,?)", err);
	if (!rc) {
		const struct bl_value *eff = b->effective ? b->effective : b->doc;
		if (!eff || bl_json_write(&doc, eff, 0))
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0,
					  "store: cannot serialise the baseline");
	}
	if (!rc) {
		bind_text(get, 1, b->sha256);
		bind_text(ins, 1, b->sha256);
		bind_text(ins, 2, b->id ? b->id : "");
		bind_text(ins, 3, b->version);
		sqlite3_bind_text(ins, 4, doc.data, (int)doc.len, SQLITE_STATIC);
		rc = get_or_insert(s, get, ins, id, "storing the baseline", err);
	}
	sqlite3_finalize(get);
	sqlite3_finalize(ins);
	bl_buf_free(&doc);
	return rc;
}

static void sq_run_abort(struct bl_store_run *bw);

static void run_free(struct sq_run *w)
{
	sqlite3_finalize(w->ins_result);
	sqlite3_finalize(w->ins_multi);
	bl_buf_free(&w->pbuf);
	sqlite3_finalize(w->ins_asset);
	sqlite3_finalize(w->get_asset);
	sqlite3_finalize(w->ins_control);
	sqlite3_finalize(w->get_control);
	sqlite3_finalize(w->ins_file);
	sqlite3_finalize(w->get_file);
	free(w->control_ids);
	bl_store_idmap_free(&w->assets);
	bl_buf_free(&w->buf);
	free(w);
}

static int sq_run_begin(struct bl_store_run **out, struct bl_store *bs,
		       const struct bl_store_run_meta *m, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	*out = NULL;
	struct sq_run *w = calloc(1, sizeof(*w));
	if (!w)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	w->s = s;
	w->baseline = m->baseline;
	w->exceptions = m->exceptions;
	bl_buf_init(&w->buf, 0);
	bl_buf_init(&w->pbuf, 0);
	bl_store_idmap_init(&w->assets);
	w->control_ids = calloc(m->baseline->ncontrols + 1, sizeof(*w->control_ids));
	if (!w->control_ids) {
		run_free(w);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = exec_busy(s, "BEGIN IMMEDIATE", err);
	if (rc) {
		run_free(w);
		return rc;
	}
	int64_t bid = 0;
	sqlite3_stmt *ins = NULL;
	rc = baseline_row(s, m->baseline, &bid, err);
	if (!rc)
		rc = prep(s, &ins, "INSERT INTO runs(uuid,started,finished,baseline,targets,inventory,"
				   "exceptions,now,assets,controls,untiered,unknown_tier,rule_errors,"
				   "pass,fail,error,not_applicable,exempt,baseline_file) "
				   "VALUES(?,?,'',?,?,?,?,?,0,0,0,0,0,0,0,0,0,0,?)", err);
	if (!rc) {
		struct bl_buf t, inv, exc;
		bl_buf_init(&t, 0);
		bl_buf_init(&inv, 0);
		bl_buf_init(&exc, 0);
		bl_store_json_targets(&t, m);
		if (m->inventory)
			bl_store_json_inventory(&inv, m->inventory);
		if (m->exceptions)
			bl_store_json_exceptions(&exc, m->exceptions);
		if (t.failed || inv.failed || exc.failed) {
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		} else {
			bind_text(ins, 1, m->id);
			bind_text(ins, 2, m->started);
			sqlite3_bind_int64(ins, 3, bid);
			bind_text(ins, 4, t.data);
			bind_text(ins, 5, m->inventory ? inv.data : NULL);
			bind_text(ins, 6, m->exceptions ? exc.data : NULL);
			sqlite3_bind_int64(ins, 7, m->now);
			bind_text(ins, 8, m->baseline->file);
			rc = step_done(s, ins, "storing the run", err);
			w->run = sqlite3_last_insert_rowid(s->db);
		}
		bl_buf_free(&t);
		bl_buf_free(&inv);
		bl_buf_free(&exc);
	}
	sqlite3_finalize(ins);
	if (!rc)
		rc = prep(s, &w->ins_result,
			  "INSERT INTO results(run,seq,control,asset,status,tier,environment,owner,"
			  "classification,tags,evidence,message,exc_index,exc_state,file,line,col) "
			  "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (!rc) {
		struct bl_buf q;
		bl_buf_init(&q, 0);
		bl_buf_adds(&q, "INSERT INTO results(run,seq,control,asset,status,tier,environment,"
				"owner,classification,tags,evidence,message,exc_index,exc_state,file,"
				"line,col) VALUES");
		for (int k = 0; k < MULTI_ROWS; k++)
			bl_buf_adds(&q, k ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
					  : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
		rc = q.failed ? bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory")
			      : prep(s, &w->ins_multi, q.data, err);
		bl_buf_free(&q);
	}
	if (!rc)
		rc = prep(s, &w->get_asset, "SELECT id FROM assets WHERE asset=?1 AND type=?2", err);
	if (!rc)
		rc = prep(s, &w->ins_asset, "INSERT INTO assets(asset,type,name) VALUES(?1,?2,?3)", err);
	if (!rc)
		rc = prep(s, &w->get_control, "SELECT id FROM controls WHERE control=?1", err);
	if (!rc)
		rc = prep(s, &w->ins_control, "INSERT INTO controls(control) VALUES(?1)", err);
	if (!rc)
		rc = prep(s, &w->get_file, "SELECT id FROM files WHERE path=?1", err);
	if (!rc)
		rc = prep(s, &w->ins_file, "INSERT INTO files(path) VALUES(?1)", err);
	if (rc) {
		sq_run_abort(&w->base);
		return rc;
	}
	*out = &w->base;
	return 0;
}

static int asset_id(struct sq_run *w, const struct bl_asset *a, int64_t *id,
		    struct bl_error *err)
{
	if (a == w->last_asset && w->last_asset_id) {
		*id = w->last_asset_id;
		return 0;
	}
	const char *type = a->type ? a->type : "";
	if ((*id = bl_store_idmap_get(&w->assets, a->id, type))) {
		w->last_asset = a;
		w->last_asset_id = *id;
		return 0;
	}
	bind_text(w->get_asset, 1, a->id);
	bind_text(w->get_asset, 2, a->type ? a->type : "");
	bind_text(w->ins_asset, 1, a->id);
	bind_text(w->ins_asset, 2, a->type ? a->type : "");
	bind_text(w->ins_asset, 3, a->name);
	int rc = get_or_insert(w->s, w->get_asset, w->ins_asset, id, "storing an asset", err);
	if (!rc) {
		w->last_asset = a;
		w->last_asset_id = *id;
		if (bl_store_idmap_put(&w->assets, a->id, type, *id))
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	return rc;
}

static int file_id(struct sq_run *w, const char *path, int64_t *id, struct bl_error *err)
{
	if (w->last_file && (w->last_file == path || strcmp(w->last_file, path) == 0)) {
		*id = w->last_file_id;
		return 0;
	}
	bind_text(w->get_file, 1, path);
	bind_text(w->ins_file, 1, path);
	int rc = get_or_insert(w->s, w->get_file, w->ins_file, id, "storing a file name", err);
	if (!rc) {
		w->last_file = path;
		w->last_file_id = *id;
	}
	return rc;
}

static int control_id(struct sq_run *w, const struct bl_control *c, int64_t *id,
		      struct bl_error *err)
{
	size_t i = c->index < w->baseline->ncontrols ? c->index : w->baseline->ncontrols;
	if (i < w->baseline->ncontrols && w->control_ids[i]) {
		*id = w->control_ids[i];
		return 0;
	}
	bind_text(w->get_control, 1, c->id);
	bind_text(w->ins_control, 1, c->id);
	int rc = get_or_insert(w->s, w->get_control, w->ins_control, id, "storing a control", err);
	if (!rc && i < w->baseline->ncontrols)
		w->control_ids[i] = *id;
	return rc;
}

/* Append s to the pending text; its place in *off, *len (SIZE_MAX: NULL). */
static void pend_str(struct sq_run *w, const char *str, size_t *off, size_t *len)
{
	*off = w->pbuf.len;
	if (!str) {
		*len = SIZE_MAX;
		return;
	}
	bl_buf_add(&w->pbuf, str, strlen(str));
	*len = w->pbuf.len - *off;
}

/* Bind pending row p at parameter base + 1 .. base + RESULT_COLS. */
static void bind_row(struct sq_run *w, sqlite3_stmt *st, int base, const struct pending *p)
{
	sqlite3_bind_int64(st, base + 1, w->run);
	sqlite3_bind_int64(st, base + 2, p->seq);
	sqlite3_bind_int64(st, base + 3, p->cid);
	sqlite3_bind_int64(st, base + 4, p->aid);
	sqlite3_bind_int(st, base + 5, p->status);
	if (p->tier)
		sqlite3_bind_int(st, base + 6, p->tier);
	for (int i = 0; i < 6; i++)
		if (p->len[i] != SIZE_MAX)
			sqlite3_bind_text(st, base + 7 + i, w->pbuf.data + p->off[i], (int)p->len[i],
					  SQLITE_STATIC);
	if (p->exc) {
		sqlite3_bind_int64(st, base + 13, p->exc_index);
		sqlite3_bind_int(st, base + 14, p->exc_state);
	}
	if (p->file) {
		sqlite3_bind_int64(st, base + 15, p->fid);
		sqlite3_bind_int64(st, base + 16, p->line);
		sqlite3_bind_int64(st, base + 17, p->col);
	}
}

/* Insert the pending rows: MULTI_ROWS in one statement, fewer one by one. */
static int flush_pending(struct sq_run *w, struct bl_error *err)
{
	int rc = 0;
	if (w->pbuf.failed)
		rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	else if (w->npend == MULTI_ROWS) {
		for (int k = 0; k < MULTI_ROWS; k++)
			bind_row(w, w->ins_multi, k * RESULT_COLS, &w->pend[k]);
		rc = step_done(w->s, w->ins_multi, "storing results", err);
	} else {
		for (size_t k = 0; !rc && k < w->npend; k++) {
			bind_row(w, w->ins_result, 0, &w->pend[k]);
			rc = step_done(w->s, w->ins_result, "storing a result", err);
		}
	}
	w->npend = 0;
	bl_buf_reset(&w->pbuf);
	return rc;
}

static int add_one(struct sq_run *w, const struct bl_result *r, struct bl_error *err)
{
	int64_t aid, cid, fid = 0;
	int rc = asset_id(w, r->asset, &aid, err);
	if (!rc)
		rc = control_id(w, r->control, &cid, err);
	if (!rc && r->asset->file)
		rc = file_id(w, r->asset->file, &fid, err);
	if (rc)
		return rc;
	struct pending *p = &w->pend[w->npend];
	const struct bl_asset *a = r->asset;
	p->seq = w->seq++;
	p->cid = cid;
	p->aid = aid;
	p->fid = fid;
	p->status = (int)r->status;
	p->tier = a->tier;
	p->exc = r->exception && r->exc_state != BL_EXC_NONE;
	p->exc_index = p->exc ? (int64_t)r->exception->index : 0;
	p->exc_state = (int)r->exc_state;
	p->file = a->file != NULL;
	p->line = a->line;
	p->col = a->col;
	pend_str(w, a->environment, &p->off[0], &p->len[0]);
	pend_str(w, a->owner, &p->off[1], &p->len[1]);
	pend_str(w, r->classification, &p->off[2], &p->len[2]);
	p->off[3] = w->pbuf.len;
	p->len[3] = SIZE_MAX;
	if (r->tags) {
		bl_json_write(&w->pbuf, r->tags, 0);
		p->len[3] = w->pbuf.len - p->off[3];
	}
	p->off[4] = w->pbuf.len;
	bl_store_json_evidence(&w->pbuf, r);
	p->len[4] = w->pbuf.len - p->off[4];
	pend_str(w, r->message ? r->message : "", &p->off[5], &p->len[5]);
	if (w->pbuf.failed)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return ++w->npend == MULTI_ROWS ? flush_pending(w, err) : 0;
}

static int sq_run_add(struct bl_store_run *bw, const struct bl_result *r, size_t n,
		     struct bl_error *err)
{
	struct sq_run *w = (struct sq_run *)bw;
	for (size_t i = 0; i < n; i++) {
		int rc = add_one(w, &r[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int sq_run_finish(struct bl_store_run *bw, const struct bl_store_run_end *e,
			struct bl_error *err)
{
	struct sq_run *w = (struct sq_run *)bw;
	struct sq_store *s = w->s;
	sqlite3_stmt *up = NULL, *fw = NULL;
	int rc = flush_pending(w, err);
	if (!rc)
		rc = prep(s, &up, "UPDATE runs SET finished=?,assets=?,controls=?,untiered=?,"
			      "unknown_tier=?,rule_errors=?,pass=?,fail=?,error=?,not_applicable=?,"
			      "exempt=? WHERE id=?", err);
	if (!rc) {
		bind_text(up, 1, e->finished);
		sqlite3_bind_int64(up, 2, (int64_t)e->assets);
		sqlite3_bind_int64(up, 3, (int64_t)e->controls);
		sqlite3_bind_int64(up, 4, (int64_t)e->untiered);
		sqlite3_bind_int64(up, 5, (int64_t)e->unknown_tier);
		sqlite3_bind_int64(up, 6, (int64_t)e->rule_errors);
		sqlite3_bind_int64(up, 7, (int64_t)e->total.n[BL_PASS]);
		sqlite3_bind_int64(up, 8, (int64_t)e->total.n[BL_FAIL]);
		sqlite3_bind_int64(up, 9, (int64_t)e->total.n[BL_ERROR]);
		sqlite3_bind_int64(up, 10, (int64_t)e->total.n[BL_NA]);
		sqlite3_bind_int64(up, 11, (int64_t)e->total.n[BL_EXEMPT]);
		sqlite3_bind_int64(up, 12, w->run);
		rc = step_done(s, up, "finishing the run", err);
	}
	if (!rc && e->nfws)
		rc = prep(s, &fw, "INSERT OR REPLACE INTO run_frameworks(run,framework,pass,fail,"
				  "error,not_applicable,exempt) VALUES(?,?,?,?,?,?,?)", err);
	for (size_t i = 0; !rc && i < e->nfws; i++) {
		sqlite3_bind_int64(fw, 1, w->run);
		bind_text(fw, 2, e->fws[i].id);
		sqlite3_bind_int64(fw, 3, (int64_t)e->fws[i].tally.n[BL_PASS]);
		sqlite3_bind_int64(fw, 4, (int64_t)e->fws[i].tally.n[BL_FAIL]);
		sqlite3_bind_int64(fw, 5, (int64_t)e->fws[i].tally.n[BL_ERROR]);
		sqlite3_bind_int64(fw, 6, (int64_t)e->fws[i].tally.n[BL_NA]);
		sqlite3_bind_int64(fw, 7, (int64_t)e->fws[i].tally.n[BL_EXEMPT]);
		rc = step_done(s, fw, "storing framework counts", err);
	}
	sqlite3_finalize(up);
	sqlite3_finalize(fw);
	if (!rc)
		rc = exec(s, "COMMIT", err);
	if (rc) {
		sq_run_abort(&w->base);
		return rc;
	}
	run_free(w);
	return 0;
}

static void sq_run_abort(struct bl_store_run *bw)
{
	struct sq_run *w = (struct sq_run *)bw;
	if (!w)
		return;
	sqlite3_exec(w->s->db, "ROLLBACK", NULL, NULL, NULL);
	run_free(w);
}

/* ---- reading ------------------------------------------------------------ */

static const char *col_str(struct bl_arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return bl_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

#define RUN_COLS "r.id,r.uuid,r.started,r.finished,b.baseline_id,b.version,b.sha256," \
	"r.targets,r.inventory,r.exceptions,r.now,r.assets,r.controls,r.untiered," \
	"r.unknown_tier,r.rule_errors,r.pass,r.fail,r.error,r.not_applicable,r.exempt," \
	"r.baseline_file " \
	"FROM runs r JOIN baselines b ON b.id=r.baseline"

static int read_run(struct bl_arena *a, sqlite3_stmt *st, struct bl_stored_run *r)
{
	memset(r, 0, sizeof(*r));
	r->key = sqlite3_column_int64(st, 0);
	r->id = col_str(a, st, 1);
	r->started = col_str(a, st, 2);
	r->finished = col_str(a, st, 3);
	r->baseline_id = col_str(a, st, 4);
	r->baseline_version = col_str(a, st, 5);
	r->baseline_sha256 = col_str(a, st, 6);
	r->targets = col_str(a, st, 7);
	r->inventory = col_str(a, st, 8);
	r->exceptions = col_str(a, st, 9);
	r->now = sqlite3_column_int64(st, 10);
	r->assets = (uint64_t)sqlite3_column_int64(st, 11);
	r->controls = (uint64_t)sqlite3_column_int64(st, 12);
	r->untiered = (uint64_t)sqlite3_column_int64(st, 13);
	r->unknown_tier = (uint64_t)sqlite3_column_int64(st, 14);
	r->rule_errors = (uint64_t)sqlite3_column_int64(st, 15);
	static const enum bl_status order[] = {BL_PASS, BL_FAIL, BL_ERROR, BL_NA, BL_EXEMPT};
	for (int i = 0; i < 5; i++)
		r->total.n[order[i]] = (uint64_t)sqlite3_column_int64(st, 16 + i);
	r->baseline_file = col_str(a, st, 21);
	if (!r->id || !r->started || !r->finished || !r->baseline_id || !r->baseline_sha256 ||
	    !r->targets)
		return BL_ENOMEM;
	return 0;
}

static int sq_runs(struct bl_store *bs, struct bl_arena *a, struct bl_stored_run **out,
		  size_t *n, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT " RUN_COLS " ORDER BY r.id", -1, &st, NULL))
		return db_error(err, s->db, "listing runs");
	size_t cap = 0;
	struct bl_stored_run *v = NULL;
	int rc, src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct bl_stored_run *nv = bl_arena_alloc(a, nc * sizeof(*nv));
			if (!nv) {
				sqlite3_finalize(st);
				return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
			cap = nc;
		}
		if (read_run(a, st, &v[*n])) {
			sqlite3_finalize(st);
			return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		}
		(*n)++;
	}
	rc = src == SQLITE_DONE ? 0 : db_error(err, s->db, "listing runs");
	sqlite3_finalize(st);
	*out = v;
	return rc;
}

static int sq_run_find(struct bl_store *bs, const char *ref, struct bl_arena *a,
		      struct bl_stored_run *out, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	bool latest = strcmp(ref, "latest") == 0;
	const char *sql = latest ? "SELECT " RUN_COLS " ORDER BY r.id DESC LIMIT 1"
				 : "SELECT " RUN_COLS " WHERE substr(r.uuid,1,length(?1))=?1 "
				   "ORDER BY r.id LIMIT 2";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return db_error(err, s->db, "finding a run");
	if (!latest)
		bind_text(st, 1, ref);
	int src = sqlite3_step(st);
	int rc = 0;
	if (src == SQLITE_ROW) {
		if (read_run(a, st, out))
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
		else if (!latest && sqlite3_step(st) == SQLITE_ROW)
			rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "run '%s' is ambiguous: give more of its id", ref);
	} else if (src == SQLITE_DONE) {
		rc = latest ? bl_error_set(err, BL_EINVAL, NULL, 0, 0, "the store has no runs yet")
			    : bl_error_set(err, BL_EINVAL, NULL, 0, 0, "no run '%s' in the store", ref);
	} else {
		rc = db_error(err, s->db, "finding a run");
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_baseline_json(struct bl_store *bs, const char *sha256, struct bl_arena *a,
			   const char **json, size_t *len, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT doc FROM baselines WHERE sha256=?", -1, &st, NULL))
		return db_error(err, s->db, "reading a baseline");
	bind_text(st, 1, sha256);
	int src = sqlite3_step(st), rc = 0;
	if (src == SQLITE_ROW) {
		*json = col_str(a, st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if (!*json)
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	} else if (src == SQLITE_DONE) {
		rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0, "baseline %s is not in the store", sha256);
	} else {
		rc = db_error(err, s->db, "reading a baseline");
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_run_fw(struct bl_store *bs, int64_t key, const char *fw, struct bl_tally *out,
		    bool *found, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	memset(out, 0, sizeof(*out));
	*found = false;
	if (sqlite3_prepare_v2(s->db, "SELECT pass,fail,error,not_applicable,exempt FROM "
				      "run_frameworks WHERE run=? AND framework=?", -1, &st, NULL))
		return db_error(err, s->db, "reading framework counts");
	sqlite3_bind_int64(st, 1, key);
	bind_text(st, 2, fw);
	int src = sqlite3_step(st), rc = 0;
	if (src == SQLITE_ROW) {
		static const enum bl_status order[] = {BL_PASS, BL_FAIL, BL_ERROR, BL_NA, BL_EXEMPT};
		for (int i = 0; i < 5; i++)
			out->n[order[i]] = (uint64_t)sqlite3_column_int64(st, i);
		*found = true;
	} else if (src != SQLITE_DONE) {
		rc = db_error(err, s->db, "reading framework counts");
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_results(struct bl_store *bs, int64_t key, bool order_by_control,
		     int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		     struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	const char *sql = order_by_control
		? "SELECT c.control,a.asset,a.type,a.name,r.status,r.tier,r.environment,r.owner,"
		  "r.classification,r.tags,r.evidence,r.message,r.exc_index,r.exc_state,"
		  "f.path,r.line,r.col "
		  "FROM results r JOIN controls c ON c.id=r.control JOIN assets a ON a.id=r.asset "
		  "LEFT JOIN files f ON f.id=r.file "
		  "WHERE r.run=? ORDER BY c.control, a.asset, a.type"
		: "SELECT c.control,a.asset,a.type,a.name,r.status,r.tier,r.environment,r.owner,"
		  "r.classification,r.tags,r.evidence,r.message,r.exc_index,r.exc_state,"
		  "f.path,r.line,r.col "
		  "FROM results r JOIN controls c ON c.id=r.control JOIN assets a ON a.id=r.asset "
		  "LEFT JOIN files f ON f.id=r.file "
		  "WHERE r.run=? ORDER BY r.seq";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return db_error(err, s->db, "reading results");
	sqlite3_bind_int64(st, 1, key);
	int src, rc = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct bl_stored_result r;
		r.control = (const char *)sqlite3_column_text(st, 0);
		r.asset = (const char *)sqlite3_column_text(st, 1);
		r.asset_type = (const char *)sqlite3_column_text(st, 2);
		r.asset_name = (const char *)sqlite3_column_text(st, 3);
		int status = sqlite3_column_int(st, 4);
		r.status = status >= 0 && status < BL_NSTATUS ? (enum bl_status)status : BL_ERROR;
		r.tier = sqlite3_column_int(st, 5);
		r.environment = (const char *)sqlite3_column_text(st, 6);
		r.owner = (const char *)sqlite3_column_text(st, 7);
		r.classification = (const char *)sqlite3_column_text(st, 8);
		r.tags = (const char *)sqlite3_column_text(st, 9);
		r.evidence = (const char *)sqlite3_column_text(st, 10);
		r.message = (const char *)sqlite3_column_text(st, 11);
		r.exc_index = sqlite3_column_type(st, 12) == SQLITE_NULL ? -1
									   : sqlite3_column_int(st, 12);
		int xs = sqlite3_column_int(st, 13);
		r.exc_state = xs >= 0 && xs <= BL_EXC_NOT_APPLIED ? (enum bl_exc_state)xs : BL_EXC_NONE;
		r.file = (const char *)sqlite3_column_text(st, 14);
		r.line = (uint32_t)sqlite3_column_int64(st, 15);
		r.col = (uint32_t)sqlite3_column_int64(st, 16);
		if (!r.control || !r.asset || !r.asset_type) {
			rc = bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
			break;
		}
		if (!r.evidence)
			r.evidence = "[]";
		if (!r.message)
			r.message = "";
		if ((rc = cb(ctx, &r)))
			break;
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_error(err, s->db, "reading results");
	sqlite3_finalize(st);
	return rc;
}

/* ---- server state: tokens, exception requests, audit log ---------------- */

static int oom(struct bl_error *err)
{
	return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
}

static int sq_token_add(struct bl_store *bs, const char *hash, enum bl_role role,
			const char *name, const char *created, int64_t *id, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO tokens(hash,role,name,created) VALUES(?,?,?,?)",
			       -1, &st, NULL))
		return db_error(err, s->db, "storing a token");
	bind_text(st, 1, hash);
	sqlite3_bind_int(st, 2, (int)role);
	bind_text(st, 3, name);
	bind_text(st, 4, created);
	int rc = step_done(s, st, "storing a token", err);
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

#define TOKEN_COLS "SELECT id,role,name,created,revoked FROM tokens "

static int read_token(struct bl_arena *a, sqlite3_stmt *st, struct bl_token_info *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->role = (enum bl_role)sqlite3_column_int(st, 1);
	t->name = col_str(a, st, 2);
	t->created = col_str(a, st, 3);
	t->revoked = col_str(a, st, 4);
	return t->name && t->created ? 0 : BL_ENOMEM;
}

static int sq_token_find(struct bl_store *bs, const char *hash, struct bl_arena *a,
			 struct bl_token_info *out, bool *found, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, TOKEN_COLS "WHERE hash=? AND revoked IS NULL", -1, &st, NULL))
		return db_error(err, s->db, "finding a token");
	bind_text(st, 1, hash);
	int src = sqlite3_step(st), rc = 0;
	if (src == SQLITE_ROW) {
		if (read_token(a, st, out))
			rc = oom(err);
		else
			*found = true;
	} else if (src != SQLITE_DONE) {
		rc = db_error(err, s->db, "finding a token");
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_token_list(struct bl_store *bs, struct bl_arena *a, struct bl_token_info **out,
			 size_t *n, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, TOKEN_COLS "ORDER BY id", -1, &st, NULL))
		return db_error(err, s->db, "listing tokens");
	size_t cap = 0;
	int src, rc = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct bl_token_info *v = bl_store_grow(a, *out, *n, &cap, sizeof(*v));
		if (!v || read_token(a, st, &v[*n])) {
			rc = oom(err);
			break;
		}
		*out = v;
		(*n)++;
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_error(err, s->db, "listing tokens");
	sqlite3_finalize(st);
	return rc;
}

static int sq_token_revoke(struct bl_store *bs, int64_t id, const char *at, bool *found,
			   struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "UPDATE tokens SET revoked=? WHERE id=? AND revoked IS NULL",
			       -1, &st, NULL))
		return db_error(err, s->db, "revoking a token");
	bind_text(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	int rc = step_done(s, st, "revoking a token", err);
	sqlite3_finalize(st);
	if (!rc)
		*found = sqlite3_changes(s->db) == 1;
	return rc;
}

static int sq_exc_request_add(struct bl_store *bs, const struct bl_exc_request *r, int64_t *id,
			      struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO exc_requests(state,control,assets,category,"
				      "justification,ticket,expires,requested_by,requested_token,"
				      "requested_at) VALUES('requested',?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL))
		return db_error(err, s->db, "storing an exception request");
	bind_text(st, 1, r->control);
	bind_text(st, 2, r->assets);
	bind_text(st, 3, r->category);
	bind_text(st, 4, r->justification);
	bind_text(st, 5, r->ticket);
	bind_text(st, 6, r->expires);
	bind_text(st, 7, r->requested_by);
	sqlite3_bind_int64(st, 8, r->requested_token);
	bind_text(st, 9, r->requested_at);
	int rc = step_done(s, st, "storing an exception request", err);
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

#define EXC_COLS "SELECT id,state,control,assets,category,justification,ticket,expires," \
	"requested_by,requested_token,requested_at,decided_by,decided_at,decision_note," \
	"decided_token FROM exc_requests "

static int read_request(struct bl_arena *a, sqlite3_stmt *st, struct bl_exc_request *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->state = col_str(a, st, 1);
	r->control = col_str(a, st, 2);
	r->assets = col_str(a, st, 3);
	r->category = col_str(a, st, 4);
	r->justification = col_str(a, st, 5);
	r->ticket = col_str(a, st, 6);
	r->expires = col_str(a, st, 7);
	r->requested_by = col_str(a, st, 8);
	r->requested_token = sqlite3_column_int64(st, 9);
	r->requested_at = col_str(a, st, 10);
	r->decided_by = col_str(a, st, 11);
	r->decided_at = col_str(a, st, 12);
	r->decision_note = col_str(a, st, 13);
	r->decided_token = sqlite3_column_int64(st, 14);
	return r->state && r->control && r->assets && r->category && r->justification &&
		       r->expires && r->requested_by && r->requested_at ? 0 : BL_ENOMEM;
}

static int sq_exc_request_get(struct bl_store *bs, int64_t id, struct bl_arena *a,
			      struct bl_exc_request *out, bool *found, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, EXC_COLS "WHERE id=?", -1, &st, NULL))
		return db_error(err, s->db, "reading an exception request");
	sqlite3_bind_int64(st, 1, id);
	int src = sqlite3_step(st), rc = 0;
	if (src == SQLITE_ROW) {
		if (read_request(a, st, out))
			rc = oom(err);
		else
			*found = true;
	} else if (src != SQLITE_DONE) {
		rc = db_error(err, s->db, "reading an exception request");
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_exc_request_list(struct bl_store *bs, const char *state, struct bl_arena *a,
			       struct bl_exc_request **out, size_t *n, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, state ? EXC_COLS "WHERE state=? ORDER BY id"
					    : EXC_COLS "ORDER BY id", -1, &st, NULL))
		return db_error(err, s->db, "listing exception requests");
	if (state)
		bind_text(st, 1, state);
	size_t cap = 0;
	int src, rc = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct bl_exc_request *v = bl_store_grow(a, *out, *n, &cap, sizeof(*v));
		if (!v || read_request(a, st, &v[*n])) {
			rc = oom(err);
			break;
		}
		*out = v;
		(*n)++;
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_error(err, s->db, "listing exception requests");
	sqlite3_finalize(st);
	return rc;
}

static int sq_exc_request_decide(struct bl_store *bs, int64_t id, const char *state,
				 const char *by, int64_t by_token, const char *at,
				 const char *note, bool *changed, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	/* compare-and-set: of two approvers deciding at once, one changes the row */
	if (sqlite3_prepare_v2(s->db, "UPDATE exc_requests SET state=?,decided_by=?,decided_token=?,"
				      "decided_at=?,decision_note=? WHERE id=? AND state='requested'",
			       -1, &st, NULL))
		return db_error(err, s->db, "deciding an exception request");
	bind_text(st, 1, state);
	bind_text(st, 2, by);
	sqlite3_bind_int64(st, 3, by_token);
	bind_text(st, 4, at);
	bind_text(st, 5, note);
	sqlite3_bind_int64(st, 6, id);
	int rc = step_done(s, st, "deciding an exception request", err);
	sqlite3_finalize(st);
	if (!rc)
		*changed = sqlite3_changes(s->db) == 1;
	return rc;
}

static int sq_audit_add(struct bl_store *bs, const char *at, const char *who, const char *action,
			const char *detail_json, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO audit(at,who,action,detail) VALUES(?,?,?,?)",
			       -1, &st, NULL))
		return db_error(err, s->db, "writing the audit log");
	bind_text(st, 1, at);
	bind_text(st, 2, who);
	bind_text(st, 3, action);
	bind_text(st, 4, detail_json);
	int rc = step_done(s, st, "writing the audit log", err);
	sqlite3_finalize(st);
	return rc;
}

static int sq_audit_list(struct bl_store *bs, struct bl_arena *a, struct bl_audit_entry **out,
			 size_t *n, struct bl_error *err)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT id,at,who,action,detail FROM audit ORDER BY id", -1,
			       &st, NULL))
		return db_error(err, s->db, "reading the audit log");
	size_t cap = 0;
	int src, rc = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct bl_audit_entry *v = bl_store_grow(a, *out, *n, &cap, sizeof(*v));
		if (!v) {
			rc = oom(err);
			break;
		}
		struct bl_audit_entry *e = &v[*n];
		e->id = sqlite3_column_int64(st, 0);
		e->at = col_str(a, st, 1);
		e->who = col_str(a, st, 2);
		e->action = col_str(a, st, 3);
		e->detail = col_str(a, st, 4);
		if (!e->at || !e->who || !e->action || !e->detail) {
			rc = oom(err);
			break;
		}
		*out = v;
		(*n)++;
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_error(err, s->db, "reading the audit log");
	sqlite3_finalize(st);
	return rc;
}

const struct bl_store_backend bl_store_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.run_begin = sq_run_begin,
	.run_add = sq_run_add,
	.run_finish = sq_run_finish,
	.run_abort = sq_run_abort,
	.runs = sq_runs,
	.run_find = sq_run_find,
	.baseline_json = sq_baseline_json,
	.run_fw = sq_run_fw,
	.results = sq_results,
	.token_add = sq_token_add,
	.token_find = sq_token_find,
	.token_list = sq_token_list,
	.token_revoke = sq_token_revoke,
	.exc_request_add = sq_exc_request_add,
	.exc_request_get = sq_exc_request_get,
	.exc_request_list = sq_exc_request_list,
	.exc_request_decide = sq_exc_request_decide,
	.audit_add = sq_audit_add,
	.audit_list = sq_audit_list,
};
