/*
 * postgres.c - the PostgreSQL backend of the run store (libpq), for a fleet
 * of hosts writing into one database (docs/store.md).
 *
 * The URL goes to PQconnectdb unchanged, so TLS (sslmode, sslrootcert...)
 * and every other libpq setting work as libpq documents them.  The schema is
 * SQLite's in PostgreSQL types, versioned in a schema_version table and
 * migrated forward under an advisory lock.  A run is one transaction on the
 * main connection: the runs row, then every result through COPY ... FROM
 * STDIN (text format), committed at finish; a killed client leaves nothing,
 * the server rolls back.  Shared rows (baselines, assets, controls, files)
 * are inserted through a second, autocommit connection: concurrent writers
 * never wait for each other's runs on a unique index (nor deadlock), and a
 * killed run leaves at most unused shared rows.  Every statement takes its
 * values as parameters; no SQL is built from user strings.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "store/backend.h"
#include "store/pq_api.h"

/* Same steps as sqlite.c's migrations[], in PostgreSQL types.  Never edit a
 * shipped step: add one.  results has no foreign-key constraints here: its
 * rows are written only by this backend with ids it has just read or
 * inserted, and per-row foreign-key checks made COPY ten times slower
 * (measured: ~5 000 against ~54 000 rows/s on the same machine). */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE baselines(id bigserial PRIMARY KEY, sha256 text NOT NULL UNIQUE,"
	" baseline_id text NOT NULL, version text, doc text NOT NULL);"
	"CREATE TABLE assets(id bigserial PRIMARY KEY, asset text NOT NULL, type text NOT NULL,"
	" name text, UNIQUE(asset, type));"
	"CREATE TABLE controls(id bigserial PRIMARY KEY, control text NOT NULL UNIQUE);"
	"CREATE TABLE runs(id bigserial PRIMARY KEY, uuid text NOT NULL UNIQUE,"
	" started text NOT NULL, finished text NOT NULL,"
	" baseline bigint NOT NULL REFERENCES baselines(id), targets text NOT NULL,"
	" inventory text, exceptions text, now bigint NOT NULL,"
	" assets bigint NOT NULL, controls bigint NOT NULL, untiered bigint NOT NULL,"
	" unknown_tier bigint NOT NULL, rule_errors bigint NOT NULL,"
	" pass bigint NOT NULL, fail bigint NOT NULL, error bigint NOT NULL,"
	" not_applicable bigint NOT NULL, exempt bigint NOT NULL);"
	"CREATE TABLE results(run bigint NOT NULL, seq bigint NOT NULL,"
	" control bigint NOT NULL, asset bigint NOT NULL, status smallint NOT NULL,"
	" tier smallint, environment text, owner text, classification text, tags text,"
	" evidence text, message text NOT NULL, exc_index integer, exc_state smallint,"
	" PRIMARY KEY(run, seq));",
	/* 1 -> 2 */
	"CREATE TABLE run_frameworks(run bigint NOT NULL REFERENCES runs(id),"
	" framework text NOT NULL, pass bigint NOT NULL, fail bigint NOT NULL,"
	" error bigint NOT NULL, not_applicable bigint NOT NULL, exempt bigint NOT NULL,"
	" PRIMARY KEY(run, framework));"
	"ALTER TABLE runs ADD COLUMN baseline_file text;"
	"CREATE TABLE files(id bigserial PRIMARY KEY, path text NOT NULL UNIQUE);"
	"ALTER TABLE results ADD COLUMN file bigint;"
	"ALTER TABLE results ADD COLUMN line bigint;"
	"ALTER TABLE results ADD COLUMN col bigint;",
	/* 2 -> 3: server state (tokens, exception requests, audit log) */
	"CREATE TABLE tokens(id bigserial PRIMARY KEY, hash text NOT NULL, role integer NOT NULL,"
	" name text NOT NULL, created text NOT NULL, revoked text);"
	"CREATE UNIQUE INDEX tokens_hash ON tokens(hash);"
	"CREATE TABLE exc_requests(id bigserial PRIMARY KEY, state text NOT NULL"
	" CHECK(state IN ('requested','approved','rejected')), control text NOT NULL,"
	" assets text NOT NULL, category text NOT NULL, justification text NOT NULL, ticket text,"
	" expires text NOT NULL, requested_by text NOT NULL, requested_token bigint NOT NULL,"
	" requested_at text NOT NULL, decided_by text, decided_token bigint, decided_at text,"
	" decision_note text);"
	"CREATE INDEX exc_requests_state ON exc_requests(state);"
	"CREATE TABLE audit(id bigserial PRIMARY KEY, at text NOT NULL, who text NOT NULL,"
	" action text NOT NULL, detail text NOT NULL);"
	"CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	" $$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$;"
	"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
	" FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
	"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
	" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Any constant: serialises migrations of one database across processes. */
#define MIGRATION_LOCK "7283645019"

/* COPY data is sent in chunks of about this size. */
#define COPY_CHUNK (256 * 1024)

/* Rows, and new assets, resolved together in one batch. */
#define BATCH_ROWS 8192
#define BATCH_ASSETS 2048

struct pg_store {
	struct bl_store base;
	PGconn *db;       /* runs, results, reads, server state */
	PGconn *dim;      /* shared rows, autocommit; opened with the first run */
	char *url;
};

struct pg_run {
	struct bl_store_run base;
	struct pg_store *s;
	int64_t run, seq;
	const struct bl_baseline *baseline;
	int64_t *control_ids;          /* by control index; 0 = not looked up yet */
	struct bl_store_idmap assets, files;
	struct bl_buf copy;            /* COPY rows not sent yet */
	/* Rows wait here until the ids of the new assets they name are known:
	 * those are looked up and inserted in bulk, one statement per batch,
	 * not one round trip per asset.  A row is its asset key (> 0 an id,
	 * < 0 -(index + 1) into the batch's new assets) and its text after
	 * the asset column. */
	struct bl_buf pend;
	struct pend_row { int64_t asset; size_t end; } *rows;
	size_t nrows, caprows;
	struct bl_arena keys;          /* the new assets' strings */
	const char **new_asset, **new_type, **new_name;
	int64_t *new_id;
	size_t nnew;
	struct bl_buf ev;              /* evidence and tags of one result */
	bool copying;
};

/* "store: what: server message" as BL_EIO. */
static int pg_error(struct bl_error *err, PGconn *c, const char *what)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s: %.*s", what, (int)n, m);
}

/* The error of a failed result (PQresultErrorMessage), then clear it. */
static int res_error(struct bl_error *err, PGresult *r, PGconn *c, const char *what)
{
	int rc;
	const char *m = r ? PQresultErrorMessage(r) : "";
	if (!m || !*m) {
		rc = pg_error(err, c, what);
	} else {
		size_t n = strlen(m);
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s: %.*s", what, (int)n, m);
	}
	PQclear(r);
	return rc;
}

/* Run a statement without parameters (schema, BEGIN, COMMIT). */
static int exec(PGconn *c, const char *sql, const char *what, struct bl_error *err)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return res_error(err, r, c, what);
	PQclear(r);
	return 0;
}

/* Run sql with n text parameters (NULL is SQL NULL); *out gets the result
 * when it has rows (the caller PQclears it), else it is cleared here. */
static int query(PGconn *c, const char *sql, int n, const char *const *v, PGresult **out,
		 const char *what, struct bl_error *err)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return res_error(err, r, c, what);
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static const char *col_str(struct bl_arena *a, const PGresult *r, int row, int col, bool *oom)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	char *s = bl_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
	if (!s)
		*oom = true;
	return s;
}

static int oom_error(struct bl_error *err)
{
	return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static int connect_to(PGconn **out, const char *url, struct bl_error *err)
{
	PGconn *c = PQconnectdb(url);
	if (!c)
		return oom_error(err);
	if (PQstatus(c) != CONNECTION_OK) {
		int rc = pg_error(err, c, "cannot connect to the PostgreSQL store");
		PQfinish(c);
		return rc;
	}
	/* text columns are UTF-8 whatever the server's default; notices (e.g.
	 * "relation already exists, skipping") are not ours to print */
	PQsetClientEncoding(c, "UTF8");
	PQsetNoticeProcessor(c, quiet, NULL);
	*out = c;
	return 0;
}

/* Bring the schema to BL_STORE_SCHEMA_VERSION in one transaction, under an
 * advisory lock so two processes opening a new database migrate it once. */
static int migrate(struct pg_store *s, struct bl_error *err)
{
	int rc, v = 0;
	PGresult *r = NULL;
	if ((rc = exec(s->db, "BEGIN", "migrating", err)) ||
	    (rc = exec(s->db, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", "migrating", err)) ||
	    (rc = query(s->db, "SELECT to_regclass('schema_version') IS NOT NULL,"
			       " (SELECT count(*) FROM information_schema.tables"
			       "  WHERE table_schema=current_schema())", 0, NULL, &r,
			"reading the schema version", err)))
		goto fail;
	bool has_version = PQgetvalue(r, 0, 0)[0] == 't';
	int64_t ntables = col_i64(r, 0, 1);
	PQclear(r);
	r = NULL;
	if (!has_version) {
		if (ntables != 0) {
			rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "store: the database is not a baseline store");
			goto fail;
		}
		if ((rc = exec(s->db, "CREATE TABLE schema_version(version integer NOT NULL);"
				      "INSERT INTO schema_version VALUES(0)", "creating the store", err)))
			goto fail;
	} else {
		if ((rc = query(s->db, "SELECT version FROM schema_version", 0, NULL, &r,
				"reading the schema version", err)))
			goto fail;
		if (PQntuples(r) != 1) {
			PQclear(r);
			rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "store: the database is not a baseline store");
			goto fail;
		}
		v = (int)col_i64(r, 0, 0);
		PQclear(r);
	}
	if (v > BL_STORE_SCHEMA_VERSION) {
		rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				  "store schema version %d is newer than this baseline supports "
				  "(%d): upgrade baseline to use this store", v, BL_STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (; v < BL_STORE_SCHEMA_VERSION && v < NMIGRATIONS; v++) {
		char nv[16];
		snprintf(nv, sizeof(nv), "%d", v + 1);
		const char *p[] = {nv};
		if ((rc = exec(s->db, migrations[v], "migrating the store", err)) ||
		    (rc = query(s->db, "UPDATE schema_version SET version=$1::integer", 1, p, NULL,
				"migrating the store", err)))
			goto fail;
	}
	s->base.version = v;
	return exec(s->db, "COMMIT", "migrating the store", err);
fail:
	PQclear(PQexec(s->db, "ROLLBACK"));
	return rc;
}

static void pg_close(struct bl_store *bs)
{
	struct pg_store *s = (struct pg_store *)bs;
	if (s->db)
		PQfinish(s->db);
	if (s->dim)
		PQfinish(s->dim);
	free(s->url);
	free(s);
}

static int pg_open(struct bl_store **out, const char *url, struct bl_error *err)
{
	*out = NULL;
	int rc = bl_pq_load(err);   /* libpq is opened on first use (util/dynlib.h) */
	if (rc)
		return rc;
	struct pg_store *s = calloc(1, sizeof(*s));
	if (!s)
		return oom_error(err);
	s->url = strdup(url);
	if (!s->url) {
		free(s);
		return oom_error(err);
	}
	rc = connect_to(&s->db, url, err);
	if (!rc)
		rc = migrate(s, err);
	if (rc) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

/* ---- writing a run ------------------------------------------------------ */

/* Statements of the shared-row connection, prepared once per connection:
 * pairs of (find, insert) for each kind of shared row. */
enum { DIM_BASELINE, DIM_FILE, DIM_CONTROL, NDIM };   /* assets: resolve_assets */
static const struct {
	const char *get, *ins;
	int nget, nins;
} dim_sql[NDIM] = {
	[DIM_BASELINE] = {"SELECT id FROM baselines WHERE sha256=$1",
			  "INSERT INTO baselines(sha256,baseline_id,version,doc) VALUES($1,$2,$3,$4)"
			  " ON CONFLICT (sha256) DO NOTHING RETURNING id", 1, 4},
	[DIM_FILE] = {"SELECT id FROM files WHERE path=$1",
		      "INSERT INTO files(path) VALUES($1) ON CONFLICT (path) DO NOTHING RETURNING id",
		      1, 1},
	[DIM_CONTROL] = {"SELECT id FROM controls WHERE control=$1",
			 "INSERT INTO controls(control) VALUES($1) ON CONFLICT (control)"
			 " DO NOTHING RETURNING id", 1, 1},
};

/*
 * The shared-row connection.  Its commits do not wait for the disk
 * (synchronous_commit off): a run that references a shared row commits
 * later on the main connection and waits for the WAL up to its own commit
 * record, which comes after the shared row's, so both are durable together;
 * without it, every new asset would cost a disk flush.
 */
static int dim_connect(struct pg_store *s, struct bl_error *err)
{
	int rc = connect_to(&s->dim, s->url, err);
	if (!rc)
		rc = exec(s->dim, "SET synchronous_commit TO off", "preparing statements", err);
	for (int i = 0; !rc && i < NDIM; i++) {
		char name[16];
		for (int k = 0; !rc && k < 2; k++) {
			snprintf(name, sizeof(name), "bl_dim_%d_%d", i, k);
			PGresult *r = PQprepare(s->dim, name, k ? dim_sql[i].ins : dim_sql[i].get,
						k ? dim_sql[i].nins : dim_sql[i].nget, NULL);
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				rc = res_error(err, r, s->dim, "preparing statements");
			else
				PQclear(r);
		}
	}
	if (rc && s->dim) {
		PQfinish(s->dim);
		s->dim = NULL;
	}
	return rc;
}

/* Id of a shared row through the autocommit connection: found by the find
 * statement, else inserted (ON CONFLICT DO NOTHING RETURNING id), else
 * found again (another writer inserted it in between). */
static int shared_row(PGconn *c, int kind, const char *const *v, int64_t *id, const char *what,
		      struct bl_error *err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char name[16];
		int k = attempt == 1;
		snprintf(name, sizeof(name), "bl_dim_%d_%d", kind, k);
		PGresult *r = PQexecPrepared(c, name, k ? dim_sql[kind].nins : dim_sql[kind].nget, v,
					     NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return res_error(err, r, c, what);
		if (PQntuples(r) == 1) {
			*id = col_i64(r, 0, 0);
			PQclear(r);
			return 0;
		}
		PQclear(r);
	}
	return bl_error_set(err, BL_EIO, NULL, 0, 0, "store: %s: the row vanished", what);
}

static void run_free(struct pg_run *w)
{
	free(w->control_ids);
	bl_store_idmap_free(&w->assets);
	bl_store_idmap_free(&w->files);
	bl_buf_free(&w->copy);
	bl_buf_free(&w->ev);
	bl_buf_free(&w->pend);
	free(w->rows);
	free(w->new_asset);
	free(w->new_type);
	free(w->new_name);
	free(w->new_id);
	bl_arena_free(&w->keys);
	free(w);
}

static void pg_run_abort(struct bl_store_run *bw)
{
	struct pg_run *w = (struct pg_run *)bw;
	PGconn *c = w->s->db;
	if (w->copying) {
		PQputCopyEnd(c, "run aborted");
		PGresult *r = NULL;
		while ((r = PQgetResult(c)))
			PQclear(r);
	}
	PQclear(PQexec(c, "ROLLBACK"));
	run_free(w);
}

static int pg_run_begin(struct bl_store_run **out, struct bl_store *bs,
			const struct bl_store_run_meta *m, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	*out = NULL;
	int rc;
	if (!s->dim && (rc = dim_connect(s, err)))
		return rc;
	struct pg_run *w = calloc(1, sizeof(*w));
	if (!w)
		return oom_error(err);
	w->s = s;
	w->baseline = m->baseline;
	bl_store_idmap_init(&w->assets);
	bl_store_idmap_init(&w->files);
	bl_buf_init(&w->copy, 0);
	bl_buf_init(&w->ev, 0);
	bl_buf_init(&w->pend, 0);
	bl_arena_init(&w->keys, 0);
	w->rows = calloc(BATCH_ROWS, sizeof(*w->rows));
	w->new_asset = calloc(BATCH_ASSETS, sizeof(*w->new_asset));
	w->new_type = calloc(BATCH_ASSETS, sizeof(*w->new_type));
	w->new_name = calloc(BATCH_ASSETS, sizeof(*w->new_name));
	w->new_id = calloc(BATCH_ASSETS, sizeof(*w->new_id));
	w->control_ids = calloc(m->baseline->ncontrols + 1, sizeof(*w->control_ids));
	if (!w->control_ids || !w->rows || !w->new_asset || !w->new_type || !w->new_name ||
	    !w->new_id) {
		run_free(w);
		return oom_error(err);
	}
	struct bl_buf doc, t, inv, exc;
	bl_buf_init(&doc, 0);
	bl_buf_init(&t, 0);
	bl_buf_init(&inv, 0);
	bl_buf_init(&exc, 0);
	int64_t bid = 0;
	rc = bl_store_json_baseline(&doc, m->baseline) ? oom_error(err) : 0;
	if (!rc) {
		const char *v[] = {m->baseline->sha256, m->baseline->id ? m->baseline->id : "",
				   m->baseline->version, doc.data};
		rc = shared_row(s->dim, DIM_BASELINE, v, &bid, "storing the baseline", err);
	}
	bl_store_json_targets(&t, m);
	if (m->inventory)
		bl_store_json_inventory(&inv, m->inventory);
	if (m->exceptions)
		bl_store_json_exceptions(&exc, m->exceptions);
	if (!rc && (t.failed || inv.failed || exc.failed))
		rc = oom_error(err);
	if (!rc)
		rc = exec(s->db, "BEGIN", "starting the run", err);
	if (!rc) {
		char b[24], now[24];
		snprintf(b, sizeof(b), "%lld", (long long)bid);
		snprintf(now, sizeof(now), "%lld", (long long)m->now);
		const char *v[] = {m->id, m->started, b, t.data, m->inventory ? inv.data : NULL,
				   m->exceptions ? exc.data : NULL, now, m->baseline->file};
		PGresult *r = NULL;
		rc = query(s->db, "INSERT INTO runs(uuid,started,finished,baseline,targets,inventory,"
				  "exceptions,now,assets,controls,untiered,unknown_tier,rule_errors,"
				  "pass,fail,error,not_applicable,exempt,baseline_file) "
				  "VALUES($1,$2,'',$3::bigint,$4,$5,$6,$7::bigint,0,0,0,0,0,0,0,0,0,0,$8)"
				  " RETURNING id", 8, v, &r, "storing the run", err);
		if (!rc) {
			w->run = col_i64(r, 0, 0);
			PQclear(r);
		}
	}
	bl_buf_free(&doc);
	bl_buf_free(&t);
	bl_buf_free(&inv);
	bl_buf_free(&exc);
	if (!rc) {
		PGresult *r = PQexec(s->db, "COPY results(asset,run,seq,control,status,tier,"
					    "environment,owner,classification,tags,evidence,message,"
					    "exc_index,exc_state,file,line,col) FROM STDIN");
		if (PQresultStatus(r) != PGRES_COPY_IN)
			rc = res_error(err, r, s->db, "storing results");
		else {
			PQclear(r);
			w->copying = true;
		}
	}
	if (rc) {
		pg_run_abort(&w->base);
		return rc;
	}
	*out = &w->base;
	return 0;
}

/* One text-format COPY field: \N for NULL, else the text with backslash,
 * tab, newline and carriage return escaped. */
static void copy_text(struct bl_buf *b, const char *s, size_t n, bool last)
{
	if (!s) {
		bl_buf_add(b, "\\N", 2);
	} else {
		size_t from = 0;
		for (size_t i = 0; i < n; i++) {
			const char *e = NULL;
			switch (s[i]) {
			case '\\': e = "\\\\"; break;
			case '\t': e = "\\t"; break;
			case '\n': e = "\\n"; break;
			case '\r': e = "\\r"; break;
			default: continue;
			}
			bl_buf_add(b, s + from, i - from);
			bl_buf_add(b, e, 2);
			from = i + 1;
		}
		bl_buf_add(b, s + from, n - from);
	}
	bl_buf_addc(b, last ? '\n' : '\t');
}

static void copy_str(struct bl_buf *b, const char *s)
{
	copy_text(b, s, s ? strlen(s) : 0, false);
}

static void copy_int(struct bl_buf *b, int64_t v, bool null)
{
	if (null)
		bl_buf_add(b, "\\N\t", 3);
	else
		bl_buf_printf(b, "%lld\t", (long long)v);
}

static int flush_copy(struct pg_run *w, struct bl_error *err)
{
	if (!w->copy.len)
		return 0;
	if (PQputCopyData(w->s->db, w->copy.data, (int)w->copy.len) != 1)
		return pg_error(err, w->s->db, "storing results");
	bl_buf_reset(&w->copy);
	return 0;
}

/* A text[] literal of n strings (NULL elements allowed). */
static void array_lit(struct bl_buf *b, const char *const *v, size_t n)
{
	bl_buf_addc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			bl_buf_addc(b, ',');
		if (!v[i]) {
			bl_buf_adds(b, "NULL");
			continue;
		}
		bl_buf_addc(b, '"');
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				bl_buf_addc(b, '\\');
			bl_buf_addc(b, *p);
		}
		bl_buf_addc(b, '"');
	}
	bl_buf_addc(b, '}');
}

/* Take the ids of (asset, type) pairs from a result of (id, asset, type). */
static void take_ids(struct pg_run *w, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t key = bl_store_idmap_get(&w->assets, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		if (key < 0)
			w->new_id[-key - 1] = col_i64(r, i, 0);
	}
}

/*
 * The ids of the batch's new assets: those another run already stored are
 * found, the others inserted (in key order, so that writers inserting the
 * same assets at once lock them in the same order and never deadlock), and
 * any inserted meanwhile by another writer found again.
 */
static int resolve_assets(struct pg_run *w, struct bl_error *err)
{
	if (!w->nnew)
		return 0;
	struct bl_buf av, tv, nv;
	bl_buf_init(&av, 0);
	bl_buf_init(&tv, 0);
	bl_buf_init(&nv, 0);
	array_lit(&av, w->new_asset, w->nnew);
	array_lit(&tv, w->new_type, w->nnew);
	array_lit(&nv, w->new_name, w->nnew);
	int rc = av.failed || tv.failed || nv.failed ? oom_error(err) : 0;
	static const char *const find =
		"SELECT a.id,a.asset,a.type FROM assets a JOIN unnest($1::text[],$2::text[])"
		" k(asset,type) ON a.asset=k.asset AND a.type=k.type";
	const char *p[] = {av.data, tv.data, nv.data};
	for (int pass = 0; !rc && pass < 3; pass++) {
		PGresult *r = NULL;
		rc = query(w->s->dim, pass == 1
			   ? "INSERT INTO assets(asset,type,name) SELECT asset,type,name FROM"
			     " unnest($1::text[],$2::text[],$3::text[]) k(asset,type,name)"
			     " ORDER BY asset,type ON CONFLICT (asset,type) DO NOTHING"
			     " RETURNING id,asset,type"
			   : find, pass == 1 ? 3 : 2, p, &r, "storing assets", err);
		if (rc)
			break;
		take_ids(w, r);
		PQclear(r);
		size_t missing = 0;
		for (size_t i = 0; i < w->nnew; i++)
			missing += w->new_id[i] == 0;
		if (!missing)
			break;
		if (pass == 2)
			rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "store: storing assets: %zu vanished",
					  missing);
	}
	bl_buf_free(&av);
	bl_buf_free(&tv);
	bl_buf_free(&nv);
	return rc;
}

static int flush_copy(struct pg_run *w, struct bl_error *err);

/* Resolve the batch's new assets, then move its rows to the COPY buffer. */
static int flush_rows(struct pg_run *w, struct bl_error *err)
{
	int rc = resolve_assets(w, err);
	size_t from = 0;
	for (size_t i = 0; !rc && i < w->nrows; i++) {
		int64_t key = w->rows[i].asset;
		int64_t id = key > 0 ? key : w->new_id[-key - 1];
		bl_buf_printf(&w->copy, "%lld\t", (long long)id);
		bl_buf_add(&w->copy, w->pend.data + from, w->rows[i].end - from);
		from = w->rows[i].end;
		if (w->copy.failed)
			rc = oom_error(err);
		else if (w->copy.len >= COPY_CHUNK)
			rc = flush_copy(w, err);
	}
	/* the new assets are known now: later rows use their ids directly */
	for (size_t i = 0; !rc && i < w->nnew; i++)
		if (bl_store_idmap_put(&w->assets, w->new_asset[i], w->new_type[i], w->new_id[i]))
			rc = oom_error(err);
	w->nrows = 0;
	w->nnew = 0;
	bl_buf_reset(&w->pend);
	bl_arena_reset(&w->keys);
	return rc;
}

/* The asset key of a row: its id when known, else a place in the batch. */
static int asset_key(struct pg_run *w, const struct bl_asset *a, int64_t *key,
		     struct bl_error *err)
{
	const char *type = a->type ? a->type : "";
	if ((*key = bl_store_idmap_get(&w->assets, a->id, type)))
		return 0;
	size_t i = w->nnew;
	w->new_asset[i] = bl_arena_strndup(&w->keys, a->id, strlen(a->id));
	w->new_type[i] = bl_arena_strndup(&w->keys, type, strlen(type));
	w->new_name[i] = a->name ? bl_arena_strndup(&w->keys, a->name, strlen(a->name)) : NULL;
	w->new_id[i] = 0;
	if (!w->new_asset[i] || !w->new_type[i] || (a->name && !w->new_name[i]))
		return oom_error(err);
	*key = -(int64_t)i - 1;
	if (bl_store_idmap_put(&w->assets, a->id, type, *key))
		return oom_error(err);
	w->nnew++;
	return 0;
}

static int file_id(struct pg_run *w, const char *path, int64_t *id, struct bl_error *err)
{
	if ((*id = bl_store_idmap_get(&w->files, path, NULL)))
		return 0;
	const char *v[] = {path};
	int rc = shared_row(w->s->dim, DIM_FILE, v, id, "storing a file name", err);
	if (!rc && bl_store_idmap_put(&w->files, path, NULL, *id))
		rc = oom_error(err);
	return rc;
}

static int control_id(struct pg_run *w, const struct bl_control *c, int64_t *id,
		      struct bl_error *err)
{
	size_t n = w->baseline->ncontrols, i = c->index < n ? c->index : n;
	if (i < n && w->control_ids[i]) {
		*id = w->control_ids[i];
		return 0;
	}
	const char *v[] = {c->id};
	int rc = shared_row(w->s->dim, DIM_CONTROL, v, id, "storing a control", err);
	if (!rc && i < n)
		w->control_ids[i] = *id;
	return rc;
}

static int add_one(struct pg_run *w, const struct bl_result *r, struct bl_error *err)
{
	int64_t aid, cid, fid = 0;
	int rc = 0;
	if (w->nrows == BATCH_ROWS || w->nnew == BATCH_ASSETS)
		rc = flush_rows(w, err);
	if (!rc)
		rc = asset_key(w, r->asset, &aid, err);
	if (!rc)
		rc = control_id(w, r->control, &cid, err);
	if (!rc && r->asset->file)
		rc = file_id(w, r->asset->file, &fid, err);
	if (rc)
		return rc;
	struct bl_buf *ev = &w->ev, *b = &w->pend;
	bl_buf_reset(ev);
	bl_store_json_evidence(ev, r);
	size_t evlen = ev->len;
	if (r->tags)
		bl_json_write(ev, r->tags, 0);
	if (ev->failed)
		return oom_error(err);
	bool exc = r->exception && r->exc_state != BL_EXC_NONE;
	const struct bl_asset *a = r->asset;
	bl_buf_printf(b, "%lld\t%lld\t%lld\t%d\t", (long long)w->run, (long long)w->seq++,
		      (long long)cid, (int)r->status);
	copy_int(b, a->tier, !a->tier);
	copy_str(b, a->environment);
	copy_str(b, a->owner);
	copy_str(b, r->classification);
	copy_text(b, r->tags ? ev->data + evlen : NULL, ev->len - evlen, false);
	copy_text(b, ev->data, evlen, false);
	copy_str(b, r->message ? r->message : "");
	copy_int(b, exc ? (int64_t)r->exception->index : 0, !exc);
	copy_int(b, exc ? (int64_t)r->exc_state : 0, !exc);
	copy_int(b, fid, !a->file);
	copy_int(b, a->line, !a->file);
	if (a->file)
		bl_buf_printf(b, "%lld\n", (long long)a->col);
	else
		bl_buf_add(b, "\\N\n", 3);
	if (b->failed)
		return oom_error(err);
	w->rows[w->nrows].asset = aid;
	w->rows[w->nrows].end = b->len;
	w->nrows++;
	return 0;
}

static int pg_run_add(struct bl_store_run *bw, const struct bl_result *r, size_t n,
		      struct bl_error *err)
{
	struct pg_run *w = (struct pg_run *)bw;
	for (size_t i = 0; i < n; i++) {
		int rc = add_one(w, &r[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* End the COPY and collect its outcome (the server reports bad rows here). */
static int end_copy(struct pg_run *w, struct bl_error *err)
{
	PGconn *c = w->s->db;
	int rc = flush_rows(w, err);
	if (!rc)
		rc = flush_copy(w, err);
	if (rc)
		return rc;
	w->copying = false;
	if (PQputCopyEnd(c, NULL) != 1)
		return pg_error(err, c, "storing results");
	PGresult *r = NULL;
	while ((r = PQgetResult(c))) {
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = res_error(err, r, c, "storing results");
			continue;
		}
		PQclear(r);
	}
	return rc;
}

static int pg_run_finish(struct bl_store_run *bw, const struct bl_store_run_end *e,
			 struct bl_error *err)
{
	struct pg_run *w = (struct pg_run *)bw;
	PGconn *c = w->s->db;
	int rc = end_copy(w, err);
	char v[12][24];
	const char *p[12];
	for (int i = 0; i < 12; i++)
		p[i] = v[i];
	if (!rc) {
		uint64_t n[11] = {e->assets, e->controls, e->untiered, e->unknown_tier,
				  e->rule_errors, e->total.n[BL_PASS], e->total.n[BL_FAIL],
				  e->total.n[BL_ERROR], e->total.n[BL_NA], e->total.n[BL_EXEMPT]};
		for (int i = 0; i < 10; i++)
			snprintf(v[i + 1], sizeof(v[0]), "%llu", (unsigned long long)n[i]);
		snprintf(v[11], sizeof(v[0]), "%lld", (long long)w->run);
		p[0] = e->finished;
		rc = query(c, "UPDATE runs SET finished=$1,assets=$2::bigint,controls=$3::bigint,"
			      "untiered=$4::bigint,unknown_tier=$5::bigint,rule_errors=$6::bigint,"
			      "pass=$7::bigint,fail=$8::bigint,error=$9::bigint,"
			      "not_applicable=$10::bigint,exempt=$11::bigint WHERE id=$12::bigint",
			   12, p, NULL, "finishing the run", err);
	}
	for (size_t i = 0; !rc && i < e->nfws; i++) {
		const struct bl_tally *t = &e->fws[i].tally;
		snprintf(v[0], sizeof(v[0]), "%lld", (long long)w->run);
		p[1] = e->fws[i].id;
		for (int k = 0; k < 5; k++)
			snprintf(v[2 + k], sizeof(v[0]), "%llu",
				 (unsigned long long)t->n[bl_store_status_order[k]]);
		p[0] = v[0];
		for (int k = 2; k < 7; k++)
			p[k] = v[k];
		rc = query(c, "INSERT INTO run_frameworks(run,framework,pass,fail,error,"
			      "not_applicable,exempt) VALUES($1::bigint,$2,$3::bigint,$4::bigint,"
			      "$5::bigint,$6::bigint,$7::bigint) ON CONFLICT (run,framework) DO UPDATE"
			      " SET pass=EXCLUDED.pass,fail=EXCLUDED.fail,error=EXCLUDED.error,"
			      "not_applicable=EXCLUDED.not_applicable,exempt=EXCLUDED.exempt",
			   7, p, NULL, "storing framework counts", err);
	}
	if (!rc)
		rc = exec(c, "COMMIT", "committing the run", err);
	if (rc) {
		pg_run_abort(&w->base);
		return rc;
	}
	run_free(w);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

#define RUN_COLS "r.id,r.uuid,r.started,r.finished,b.baseline_id,b.version,b.sha256," \
	"r.targets,r.inventory,r.exceptions,r.now,r.assets,r.controls,r.untiered," \
	"r.unknown_tier,r.rule_errors,r.pass,r.fail,r.error,r.not_applicable,r.exempt," \
	"r.baseline_file " \
	"FROM runs r JOIN baselines b ON b.id=r.baseline"

static int read_run(struct bl_arena *a, const PGresult *res, int row, struct bl_stored_run *r)
{
	bool oom = false;
	memset(r, 0, sizeof(*r));
	r->key = col_i64(res, row, 0);
	r->id = col_str(a, res, row, 1, &oom);
	r->started = col_str(a, res, row, 2, &oom);
	r->finished = col_str(a, res, row, 3, &oom);
	r->baseline_id = col_str(a, res, row, 4, &oom);
	r->baseline_version = col_str(a, res, row, 5, &oom);
	r->baseline_sha256 = col_str(a, res, row, 6, &oom);
	r->targets = col_str(a, res, row, 7, &oom);
	r->inventory = col_str(a, res, row, 8, &oom);
	r->exceptions = col_str(a, res, row, 9, &oom);
	r->now = col_i64(res, row, 10);
	r->assets = (uint64_t)col_i64(res, row, 11);
	r->controls = (uint64_t)col_i64(res, row, 12);
	r->untiered = (uint64_t)col_i64(res, row, 13);
	r->unknown_tier = (uint64_t)col_i64(res, row, 14);
	r->rule_errors = (uint64_t)col_i64(res, row, 15);
	for (int i = 0; i < 5; i++)
		r->total.n[bl_store_status_order[i]] = (uint64_t)col_i64(res, row, 16 + i);
	r->baseline_file = col_str(a, res, row, 21, &oom);
	return oom ? BL_ENOMEM : 0;
}

static int pg_runs(struct bl_store *bs, struct bl_arena *a, struct bl_stored_run **out,
		   size_t *n, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	PGresult *r = NULL;
	int rc = query(s->db, "SELECT " RUN_COLS " ORDER BY r.id", 0, NULL, &r, "listing runs",
		       err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	struct bl_stored_run *v = rows ? bl_arena_calloc(a, (size_t)rows, sizeof(*v)) : NULL;
	if (rows && !v)
		rc = oom_error(err);
	for (int i = 0; !rc && i < rows; i++)
		if (read_run(a, r, i, &v[i]))
			rc = oom_error(err);
	PQclear(r);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

static int pg_run_find(struct bl_store *bs, const char *ref, struct bl_arena *a,
		       struct bl_stored_run *out, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	bool latest = strcmp(ref, "latest") == 0;
	const char *p[] = {ref};
	PGresult *r = NULL;
	int rc = query(s->db, latest ? "SELECT " RUN_COLS " ORDER BY r.id DESC LIMIT 1"
				     : "SELECT " RUN_COLS " WHERE left(r.uuid, length($1))=$1"
				       " ORDER BY r.id LIMIT 2",
		       latest ? 0 : 1, latest ? NULL : p, &r, "finding a run", err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	if (rows == 0)
		rc = latest ? bl_error_set(err, BL_EINVAL, NULL, 0, 0, "the store has no runs yet")
			    : bl_error_set(err, BL_EINVAL, NULL, 0, 0, "no run '%s' in the store", ref);
	else if (rows > 1)
		rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				  "run '%s' is ambiguous: give more of its id", ref);
	else if (read_run(a, r, 0, out))
		rc = oom_error(err);
	PQclear(r);
	return rc;
}

static int pg_baseline_json(struct bl_store *bs, const char *sha256, struct bl_arena *a,
			    const char **json, size_t *len, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[] = {sha256};
	PGresult *r = NULL;
	int rc = query(s->db, "SELECT doc FROM baselines WHERE sha256=$1", 1, p, &r,
		       "reading a baseline", err);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		rc = bl_error_set(err, BL_EINVAL, NULL, 0, 0, "baseline %s is not in the store", sha256);
	} else {
		bool oom = false;
		*json = col_str(a, r, 0, 0, &oom);
		*len = (size_t)PQgetlength(r, 0, 0);
		if (oom || !*json)
			rc = oom_error(err);
	}
	PQclear(r);
	return rc;
}

static int pg_run_fw(struct bl_store *bs, int64_t key, const char *fw, struct bl_tally *out,
		     bool *found, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)key);
	const char *p[] = {k, fw};
	memset(out, 0, sizeof(*out));
	*found = false;
	PGresult *r = NULL;
	int rc = query(s->db, "SELECT pass,fail,error,not_applicable,exempt FROM run_frameworks"
			      " WHERE run=$1::bigint AND framework=$2", 2, p, &r,
		       "reading framework counts", err);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		for (int i = 0; i < 5; i++)
			out->n[bl_store_status_order[i]] = (uint64_t)col_i64(r, 0, i);
		*found = true;
	}
	PQclear(r);
	return 0;
}

static const char *opt(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

/* Results arrive one row at a time (single-row mode): a run of a million
 * results is never held in memory at once. */
static int pg_results(struct bl_store *bs, int64_t key, bool order_by_control,
		      int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		      struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)key);
	const char *p[] = {k};
	/* COLLATE "C": the same byte order as SQLite, whatever the database's locale */
	const char *sql = order_by_control
		? "SELECT c.control,a.asset,a.type,a.name,r.status,r.tier,r.environment,r.owner,"
		  "r.classification,r.tags,r.evidence,r.message,r.exc_index,r.exc_state,"
		  "f.path,r.line,r.col "
		  "FROM results r JOIN controls c ON c.id=r.control JOIN assets a ON a.id=r.asset "
		  "LEFT JOIN files f ON f.id=r.file WHERE r.run=$1::bigint "
		  "ORDER BY c.control COLLATE \"C\", a.asset COLLATE \"C\", a.type COLLATE \"C\""
		: "SELECT c.control,a.asset,a.type,a.name,r.status,r.tier,r.environment,r.owner,"
		  "r.classification,r.tags,r.evidence,r.message,r.exc_index,r.exc_state,"
		  "f.path,r.line,r.col "
		  "FROM results r JOIN controls c ON c.id=r.control JOIN assets a ON a.id=r.asset "
		  "LEFT JOIN files f ON f.id=r.file WHERE r.run=$1::bigint ORDER BY r.seq";
	if (!PQsendQueryParams(s->db, sql, 1, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(s->db))
		return pg_error(err, s->db, "reading results");
	int rc = 0;
	PGresult *r = NULL;
	while ((r = PQgetResult(s->db))) {
		ExecStatusType st = PQresultStatus(r);
		if (rc || st == PGRES_TUPLES_OK) {
			PQclear(r);   /* drained after a stop, or the final empty result */
			continue;
		}
		if (st != PGRES_SINGLE_TUPLE) {
			rc = res_error(err, r, s->db, "reading results");
			continue;
		}
		struct bl_stored_result x;
		x.control = PQgetvalue(r, 0, 0);
		x.asset = PQgetvalue(r, 0, 1);
		x.asset_type = PQgetvalue(r, 0, 2);
		x.asset_name = opt(r, 3);
		int status = (int)col_i64(r, 0, 4);
		x.status = status >= 0 && status < BL_NSTATUS ? (enum bl_status)status : BL_ERROR;
		x.tier = (int)col_i64(r, 0, 5);
		x.environment = opt(r, 6);
		x.owner = opt(r, 7);
		x.classification = opt(r, 8);
		x.tags = opt(r, 9);
		x.evidence = opt(r, 10) ? opt(r, 10) : "[]";
		x.message = PQgetvalue(r, 0, 11);
		x.exc_index = PQgetisnull(r, 0, 12) ? -1 : (int)col_i64(r, 0, 12);
		int xs = (int)col_i64(r, 0, 13);
		x.exc_state = xs >= 0 && xs <= BL_EXC_NOT_APPLIED ? (enum bl_exc_state)xs : BL_EXC_NONE;
		x.file = opt(r, 14);
		x.line = (uint32_t)col_i64(r, 0, 15);
		x.col = (uint32_t)col_i64(r, 0, 16);
		rc = cb(ctx, &x);
		PQclear(r);
	}
	return rc;
}

/* ---- server state: tokens, exception requests, audit log ---------------- */

static int pg_token_add(struct bl_store *bs, const char *hash, enum bl_role role,
			const char *name, const char *created, int64_t *id, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char ro[12];
	snprintf(ro, sizeof(ro), "%d", (int)role);
	const char *p[] = {hash, ro, name, created};
	PGresult *r = NULL;
	int rc = query(s->db, "INSERT INTO tokens(hash,role,name,created)"
			      " VALUES($1,$2::integer,$3,$4) RETURNING id", 4, p, &r,
		       "storing a token", err);
	if (!rc) {
		*id = col_i64(r, 0, 0);
		PQclear(r);
	}
	return rc;
}

#define TOKEN_COLS "SELECT id,role,name,created,revoked FROM tokens "

static int read_token(struct bl_arena *a, const PGresult *r, int row, struct bl_token_info *t)
{
	bool oom = false;
	t->id = col_i64(r, row, 0);
	t->role = (enum bl_role)col_i64(r, row, 1);
	t->name = col_str(a, r, row, 2, &oom);
	t->created = col_str(a, r, row, 3, &oom);
	t->revoked = col_str(a, r, row, 4, &oom);
	return oom ? BL_ENOMEM : 0;
}

static int pg_token_find(struct bl_store *bs, const char *hash, struct bl_arena *a,
			 struct bl_token_info *out, bool *found, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[] = {hash};
	PGresult *r = NULL;
	int rc = query(s->db, TOKEN_COLS "WHERE hash=$1 AND revoked IS NULL", 1, p, &r,
		       "finding a token", err);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		if (read_token(a, r, 0, out))
			rc = oom_error(err);
		else
			*found = true;
	}
	PQclear(r);
	return rc;
}

static int pg_token_list(struct bl_store *bs, struct bl_arena *a, struct bl_token_info **out,
			 size_t *n, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	PGresult *r = NULL;
	int rc = query(s->db, TOKEN_COLS "ORDER BY id", 0, NULL, &r, "listing tokens", err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	struct bl_token_info *v = rows ? bl_arena_calloc(a, (size_t)rows, sizeof(*v)) : NULL;
	if (rows && !v)
		rc = oom_error(err);
	for (int i = 0; !rc && i < rows; i++)
		if (read_token(a, r, i, &v[i]))
			rc = oom_error(err);
	PQclear(r);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

static int pg_token_revoke(struct bl_store *bs, int64_t id, const char *at, bool *found,
			   struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	const char *p[] = {at, k};
	PGresult *r = NULL;
	int rc = query(s->db, "UPDATE tokens SET revoked=$1 WHERE id=$2::bigint AND revoked IS NULL",
		       2, p, &r, "revoking a token", err);
	if (!rc) {
		*found = strcmp(PQcmdTuples(r), "1") == 0;
		PQclear(r);
	}
	return rc;
}

static int pg_exc_request_add(struct bl_store *bs, const struct bl_exc_request *x, int64_t *id,
			      struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char tok[24];
	snprintf(tok, sizeof(tok), "%lld", (long long)x->requested_token);
	const char *p[] = {x->control, x->assets, x->category, x->justification, x->ticket,
			   x->expires, x->requested_by, tok, x->requested_at};
	PGresult *r = NULL;
	int rc = query(s->db, "INSERT INTO exc_requests(state,control,assets,category,"
			      "justification,ticket,expires,requested_by,requested_token,"
			      "requested_at) VALUES('requested',$1,$2,$3,$4,$5,$6,$7,$8::bigint,$9)"
			      " RETURNING id", 9, p, &r, "storing an exception request", err);
	if (!rc) {
		*id = col_i64(r, 0, 0);
		PQclear(r);
	}
	return rc;
}

#define EXC_COLS "SELECT id,state,control,assets,category,justification,ticket,expires," \
	"requested_by,requested_token,requested_at,decided_by,decided_at,decision_note," \
	"decided_token FROM exc_requests "

static int read_request(struct bl_arena *a, const PGresult *r, int row, struct bl_exc_request *x)
{
	bool oom = false;
	x->id = col_i64(r, row, 0);
	x->state = col_str(a, r, row, 1, &oom);
	x->control = col_str(a, r, row, 2, &oom);
	x->assets = col_str(a, r, row, 3, &oom);
	x->category = col_str(a, r, row, 4, &oom);
	x->justification = col_str(a, r, row, 5, &oom);
	x->ticket = col_str(a, r, row, 6, &oom);
	x->expires = col_str(a, r, row, 7, &oom);
	x->requested_by = col_str(a, r, row, 8, &oom);
	x->requested_token = col_i64(r, row, 9);
	x->requested_at = col_str(a, r, row, 10, &oom);
	x->decided_by = col_str(a, r, row, 11, &oom);
	x->decided_at = col_str(a, r, row, 12, &oom);
	x->decision_note = col_str(a, r, row, 13, &oom);
	x->decided_token = col_i64(r, row, 14);
	return oom ? BL_ENOMEM : 0;
}

static int pg_exc_request_get(struct bl_store *bs, int64_t id, struct bl_arena *a,
			      struct bl_exc_request *out, bool *found, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char k[24];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	const char *p[] = {k};
	PGresult *r = NULL;
	int rc = query(s->db, EXC_COLS "WHERE id=$1::bigint", 1, p, &r,
		       "reading an exception request", err);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		if (read_request(a, r, 0, out))
			rc = oom_error(err);
		else
			*found = true;
	}
	PQclear(r);
	return rc;
}

static int pg_exc_request_list(struct bl_store *bs, const char *state, struct bl_arena *a,
			       struct bl_exc_request **out, size_t *n, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[] = {state};
	PGresult *r = NULL;
	int rc = query(s->db, state ? EXC_COLS "WHERE state=$1 ORDER BY id" : EXC_COLS "ORDER BY id",
		       state ? 1 : 0, state ? p : NULL, &r, "listing exception requests", err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	struct bl_exc_request *v = rows ? bl_arena_calloc(a, (size_t)rows, sizeof(*v)) : NULL;
	if (rows && !v)
		rc = oom_error(err);
	for (int i = 0; !rc && i < rows; i++)
		if (read_request(a, r, i, &v[i]))
			rc = oom_error(err);
	PQclear(r);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

static int pg_exc_request_decide(struct bl_store *bs, int64_t id, const char *state,
				 const char *by, int64_t by_token, const char *at,
				 const char *note, bool *changed, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	char k[24], t[24];
	snprintf(k, sizeof(k), "%lld", (long long)id);
	snprintf(t, sizeof(t), "%lld", (long long)by_token);
	const char *p[] = {state, by, t, at, note, k};
	PGresult *r = NULL;
	/* compare-and-set: of two approvers deciding at once, one changes the row
	 * (the second waits for the first's row lock, then finds it decided) */
	int rc = query(s->db, "UPDATE exc_requests SET state=$1,decided_by=$2,"
			      "decided_token=$3::bigint,decided_at=$4,decision_note=$5"
			      " WHERE id=$6::bigint AND state='requested'", 6, p, &r,
		       "deciding an exception request", err);
	if (!rc) {
		*changed = strcmp(PQcmdTuples(r), "1") == 0;
		PQclear(r);
	}
	return rc;
}

static int pg_audit_add(struct bl_store *bs, const char *at, const char *who, const char *action,
			const char *detail_json, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[] = {at, who, action, detail_json};
	return query(s->db, "INSERT INTO audit(at,who,action,detail) VALUES($1,$2,$3,$4)", 4, p,
		     NULL, "writing the audit log", err);
}

static int pg_audit_list(struct bl_store *bs, struct bl_arena *a, struct bl_audit_entry **out,
			 size_t *n, struct bl_error *err)
{
	struct pg_store *s = (struct pg_store *)bs;
	PGresult *r = NULL;
	int rc = query(s->db, "SELECT id,at,who,action,detail FROM audit ORDER BY id", 0, NULL, &r,
		       "reading the audit log", err);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	struct bl_audit_entry *v = rows ? bl_arena_calloc(a, (size_t)rows, sizeof(*v)) : NULL;
	if (rows && !v)
		rc = oom_error(err);
	for (int i = 0; !rc && i < rows; i++) {
		bool oom = false;
		v[i].id = col_i64(r, i, 0);
		v[i].at = col_str(a, r, i, 1, &oom);
		v[i].who = col_str(a, r, i, 2, &oom);
		v[i].action = col_str(a, r, i, 3, &oom);
		v[i].detail = col_str(a, r, i, 4, &oom);
		if (oom)
			rc = oom_error(err);
	}
	PQclear(r);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

const struct bl_store_backend bl_store_postgres = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.run_begin = pg_run_begin,
	.run_add = pg_run_add,
	.run_finish = pg_run_finish,
	.run_abort = pg_run_abort,
	.runs = pg_runs,
	.run_find = pg_run_find,
	.baseline_json = pg_baseline_json,
	.run_fw = pg_run_fw,
	.results = pg_results,
	.token_add = pg_token_add,
	.token_find = pg_token_find,
	.token_list = pg_token_list,
	.token_revoke = pg_token_revoke,
	.exc_request_add = pg_exc_request_add,
	.exc_request_get = pg_exc_request_get,
	.exc_request_list = pg_exc_request_list,
	.exc_request_decide = pg_exc_request_decide,
	.audit_add = pg_audit_add,
	.audit_list = pg_audit_list,
};
