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
#include "store/store.h"

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
};

struct bl_store {
	sqlite3 *db;
	int version;
};

struct bl_store_run {
	struct bl_store *s;
	sqlite3_stmt *ins_result, *ins_asset, *get_asset, *ins_control, *get_control;
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
	struct bl_buf buf;
	struct bl_error *err;  /* for the sink */
	struct bl_error sink_err;
};

static int db_error(struct bl_error *err, sqlite3 *db, const char *what)
{
	return bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s: %s", what,
			    db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(struct bl_store *s, const char *sql, struct bl_error *err)
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
static int exec_busy(struct bl_store *s, const char *sql, struct bl_error *err)
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

static int user_version(struct bl_store *s, int *out, struct bl_error *err)
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
static int migrate(struct bl_store *s, struct bl_error *err)
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
	s->version = v;
	return exec(s, "COMMIT", err);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int bl_store_open(struct bl_store **out, const char *url, struct bl_error *err)
{
	char full[PATH_MAX + 32], path[PATH_MAX];
	const char *kind;
	int rc;
	*out = NULL;
	if ((rc = bl_store_url(full, sizeof(full), url, err)) ||
	    (rc = bl_store_url_parse(full, &kind, path, sizeof(path), err)))
		return rc;
	if (strcmp(kind, "postgresql") == 0)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "PostgreSQL stores are not supported yet (%s)", full);
	if ((rc = make_parent(path, err)))
		return rc;
	/* results describe weaknesses: a new store is readable by its owner only
	 * (SQLite gives its -wal and -shm files the same mode) */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot open the store %s: %s", path,
				    strerror(errno));
	close(fd);
	struct bl_store *s = calloc(1, sizeof(*s));
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
	*out = s;
	return 0;
fail:
	if (rc == BL_EIO && strstr(err ? err->msg : "", "file is not a database"))
		bl_error_set(err, BL_EINVAL, NULL, 0, 0, "store %s is not a baseline store", path);
	sqlite3_close(s->db);
	free(s);
	return err && err->code ? err->code : rc;
}

void bl_store_close(struct bl_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

int bl_store_schema_version(const struct bl_store *s)
{
	return s->version;
}

/* ---- writing a run ------------------------------------------------------ */

static int prep(struct bl_store *s, sqlite3_stmt **st, const char *sql, struct bl_error *err)
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
static int step_done(struct bl_store *s, sqlite3_stmt *st, const char *what, struct bl_error *err)
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
static int get_or_insert(struct bl_store *s, sqlite3_stmt *get, sqlite3_stmt *ins,
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
static int baseline_row(struct bl_store *s, const struct bl_baseline *b, int64_t *id,
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

static void json_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

/* The exceptions a run used, enough to render them again. */
static void exceptions_json(struct bl_buf *b, const struct bl_exceptions *x)
{
	bl_buf_adds(b, "{\"file\":");
	json_str(b, x->file);
	bl_buf_adds(b, ",\"items\":[");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		bl_buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
		json_str(b, e->id);
		bl_buf_adds(b, ",\"control\":");
		json_str(b, e->control);
		bl_buf_adds(b, ",\"assets\":[");
		for (size_t k = 0; k < e->nassets; k++) {
			if (k)
				bl_buf_addc(b, ',');
			json_str(b, e->assets[k]);
		}
		bl_buf_adds(b, "],\"justification\":");
		json_str(b, e->justification);
		bl_buf_adds(b, ",\"approved_by\":");
		json_str(b, e->approved_by);
		bl_buf_adds(b, ",\"ticket\":");
		json_str(b, e->ticket);
		bl_buf_printf(b, ",\"category\":\"%s\",\"created\":\"%s\",\"expires\":\"%s\","
				 "\"line\":%u,\"col\":%u}",
			      bl_exc_category_name(e->category), e->created, e->expires, e->line, e->col);
	}
	bl_buf_adds(b, "]}");
}

static void run_free(struct bl_store_run *w)
{
	sqlite3_finalize(w->ins_result);
	sqlite3_finalize(w->ins_asset);
	sqlite3_finalize(w->get_asset);
	sqlite3_finalize(w->ins_control);
	sqlite3_finalize(w->get_control);
	sqlite3_finalize(w->ins_file);
	sqlite3_finalize(w->get_file);
	free(w->control_ids);
	bl_buf_free(&w->buf);
	free(w);
}

int bl_store_run_begin(struct bl_store_run **out, struct bl_store *s,
		       const struct bl_store_run_meta *m, struct bl_error *err)
{
	*out = NULL;
	struct bl_store_run *w = calloc(1, sizeof(*w));
	if (!w)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	w->s = s;
	w->baseline = m->baseline;
	w->exceptions = m->exceptions;
	bl_buf_init(&w->buf, 0);
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
		bl_buf_addc(&t, '[');
		for (size_t i = 0; i < m->ntargets; i++) {
			if (i)
				bl_buf_addc(&t, ',');
			json_str(&t, m->targets[i]);
		}
		bl_buf_addc(&t, ']');
		if (m->inventory) {
			bl_buf_adds(&inv, "{\"id\":");
			json_str(&inv, m->inventory->id);
			bl_buf_adds(&inv, ",\"file\":");
			json_str(&inv, m->inventory->file);
			bl_buf_printf(&inv, ",\"default_tier\":%d}", m->inventory->defaults.tier);
		}
		if (m->exceptions)
			exceptions_json(&exc, m->exceptions);
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
		bl_store_run_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

static int asset_id(struct bl_store_run *w, const struct bl_asset *a, int64_t *id,
		    struct bl_error *err)
{
	if (a == w->last_asset && w->last_asset_id) {
		*id = w->last_asset_id;
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
	}
	return rc;
}

static int file_id(struct bl_store_run *w, const char *path, int64_t *id, struct bl_error *err)
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

static int control_id(struct bl_store_run *w, const struct bl_control *c, int64_t *id,
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

static int add_one(struct bl_store_run *w, const struct bl_result *r, struct bl_error *err)
{
	int64_t aid, cid, fid = 0;
	int rc = asset_id(w, r->asset, &aid, err);
	if (!rc)
		rc = control_id(w, r->control, &cid, err);
	if (!rc && r->asset->file)
		rc = file_id(w, r->asset->file, &fid, err);
	if (rc)
		return rc;
	struct bl_buf *b = &w->buf;
	bl_buf_reset(b);
	bl_buf_addc(b, '[');
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		json_str(b, e->path);
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		json_str(b, e->expected);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
	size_t evlen = b->len;
	if (r->tags)
		bl_json_write(b, r->tags, 0);
	if (b->failed)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	sqlite3_stmt *st = w->ins_result;
	sqlite3_bind_int64(st, 1, w->run);
	sqlite3_bind_int64(st, 2, w->seq++);
	sqlite3_bind_int64(st, 3, cid);
	sqlite3_bind_int64(st, 4, aid);
	sqlite3_bind_int(st, 5, (int)r->status);
	if (r->asset->tier)
		sqlite3_bind_int(st, 6, r->asset->tier);
	bind_text(st, 7, r->asset->environment);
	bind_text(st, 8, r->asset->owner);
	bind_text(st, 9, r->classification);
	if (r->tags)
		sqlite3_bind_text(st, 10, b->data + evlen, (int)(b->len - evlen), SQLITE_STATIC);
	sqlite3_bind_text(st, 11, b->data, (int)evlen, SQLITE_STATIC);
	bind_text(st, 12, r->message ? r->message : "");
	if (r->exception && r->exc_state != BL_EXC_NONE) {
		sqlite3_bind_int64(st, 13, (int64_t)r->exception->index);
		sqlite3_bind_int(st, 14, (int)r->exc_state);
	}
	if (r->asset->file) {
		sqlite3_bind_int64(st, 15, fid);
		sqlite3_bind_int64(st, 16, r->asset->line);
		sqlite3_bind_int64(st, 17, r->asset->col);
	}
	return step_done(w->s, st, "storing a result", err);
}

int bl_store_run_add(struct bl_store_run *w, const struct bl_result *r, size_t n,
		     struct bl_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = add_one(w, &r[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

int bl_store_sink(void *ctx, const struct bl_result *r)
{
	struct bl_store_run *w = ctx;
	return add_one(w, r, &w->sink_err);
}

const struct bl_error *bl_store_run_error(const struct bl_store_run *w)
{
	return w && w->sink_err.code ? &w->sink_err : NULL;
}

int bl_store_run_finish(struct bl_store_run *w, const struct bl_store_run_end *e,
			struct bl_error *err)
{
	struct bl_store *s = w->s;
	sqlite3_stmt *up = NULL, *fw = NULL;
	int rc = prep(s, &up, "UPDATE runs SET finished=?,assets=?,controls=?,untiered=?,"
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
		bl_store_run_abort(w);
		return rc;
	}
	run_free(w);
	return 0;
}

void bl_store_run_abort(struct bl_store_run *w)
{
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

int bl_store_runs(struct bl_store *s, struct bl_arena *a, struct bl_stored_run **out,
		  size_t *n, struct bl_error *err)
{
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

int bl_store_run_find(struct bl_store *s, const char *ref, struct bl_arena *a,
		      struct bl_stored_run *out, struct bl_error *err)
{
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

int bl_store_baseline_json(struct bl_store *s, const char *sha256, struct bl_arena *a,
			   const char **json, size_t *len, struct bl_error *err)
{
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

int bl_store_run_fw(struct bl_store *s, int64_t key, const char *fw, struct bl_tally *out,
		    bool *found, struct bl_error *err)
{
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

int bl_store_results(struct bl_store *s, int64_t key, bool order_by_control,
		     int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		     struct bl_error *err)
{
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
