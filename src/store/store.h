/*
 * store.h - the run store: every assessment kept, to re-render it later
 * (`baseline report`), follow compliance over time (`trend`) and compare two
 * runs (`drift`).  See docs/store.md.
 *
 * One interface, backends chosen by URL: a path or sqlite:PATH is an SQLite
 * file (sqlite.c); postgresql:// (or postgres://) a PostgreSQL database
 * (postgres.c, the URL given to libpq unchanged).  store.c dispatches.
 * A run is written inside ONE transaction, from bl_store_run_begin to
 * bl_store_run_finish: a process killed in between leaves no trace of it.
 * Every result is kept, not_applicable included.  Nothing here prints.
 */
#ifndef BL_STORE_STORE_H
#define BL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/inventory.h"
#include "util/arena.h"
#include "util/error.h"

/* Schema version this build writes; older stores are migrated forward in
 * place by bl_store_open, newer ones refused. */
#define BL_STORE_SCHEMA_VERSION 3

struct bl_store;
struct bl_store_run;

/*
 * The store location: url when non-NULL and non-empty, else $BASELINE_STORE,
 * else $XDG_DATA_HOME/baseline/baseline.db, ~/.local/share/baseline/baseline.db,
 * or /var/lib/baseline/baseline.db for root.  Writes the chosen URL into
 * out.  Returns 0 or BL_EINVAL (no home, or too long for out).
 */
int bl_store_url(char *out, size_t size, const char *url, struct bl_error *err);

/*
 * Split a store URL: *kind is "sqlite" (path written to out) or
 * "postgresql".  Returns 0 or BL_EINVAL (empty, unknown scheme, too long).
 */
int bl_store_url_parse(const char *url, const char **kind, char *out, size_t size,
		       struct bl_error *err);

/*
 * Open (creating when missing, folder 0700) the store at url (see
 * bl_store_url for NULL).  Migrates an older schema forward.  Returns 0,
 * BL_EINVAL (a newer schema, not a store), BL_EIO (cannot create, open or
 * connect), BL_EINTERNAL (libpq missing) or BL_ENOMEM.  Close with
 * bl_store_close.
 */
int bl_store_open(struct bl_store **out, const char *url, struct bl_error *err);
void bl_store_close(struct bl_store *s);

/* Schema version of the open store (after migration: BL_STORE_SCHEMA_VERSION). */
int bl_store_schema_version(const struct bl_store *s);

/* What a run is, known when it starts. */
struct bl_store_run_meta {
	const char *id;                      /* UUID */
	const char *started;                 /* RFC 3339 */
	const struct bl_baseline *baseline;  /* effective document stored once per sha256 */
	const char *const *targets;
	size_t ntargets;
	int64_t now;                         /* exception states are computed at this time */
	const struct bl_inventory *inventory;    /* NULL: none */
	const struct bl_exceptions *exceptions;  /* NULL: none */
};

/* Per-framework compliance counts recorded with a finished run (for trend). */
struct bl_store_fw {
	const char *id;
	struct bl_tally tally;
};

/* What is known when a run ends. */
struct bl_store_run_end {
	const char *finished;                /* RFC 3339 */
	uint64_t assets, controls;
	uint64_t untiered, unknown_tier, rule_errors;
	struct bl_tally total;
	const struct bl_store_fw *fws;
	size_t nfws;
};

/*
 * Start writing a run: takes the store's write lock (waiting up to the busy
 * timeout for another writer) and opens the run's transaction.  Returns 0,
 * BL_EIO (locked too long, disk) or BL_ENOMEM.  Exactly one of finish or
 * abort must follow.
 */
int bl_store_run_begin(struct bl_store_run **out, struct bl_store *s,
		       const struct bl_store_run_meta *meta, struct bl_error *err);

/* Add n results (prepared statements, inside the run's transaction).
 * Returns 0, BL_EIO or BL_ENOMEM; after an error only abort is useful. */
int bl_store_run_add(struct bl_store_run *w, const struct bl_result *r, size_t n,
		     struct bl_error *err);

/* Engine sink: ctx is a struct bl_store_run.  The detail of a failure is
 * kept for bl_store_run_error (the engine reports only the code). */
int bl_store_sink(void *ctx, const struct bl_result *r);

/* The error that made bl_store_sink fail, or NULL when it has not failed. */
const struct bl_error *bl_store_run_error(const struct bl_store_run *w);

/* Record the end and commit; frees w whatever happens.  Returns 0, BL_EIO
 * (nothing of the run is kept) or BL_ENOMEM. */
int bl_store_run_finish(struct bl_store_run *w, const struct bl_store_run_end *end,
			struct bl_error *err);

/* Roll back and free w (NULL is fine).  Never fails. */
void bl_store_run_abort(struct bl_store_run *w);

/* ---- reading ------------------------------------------------------------ */

struct bl_stored_run {
	int64_t key;                         /* row id, ordering runs by insertion */
	const char *id, *started, *finished;
	const char *baseline_id, *baseline_version, *baseline_sha256;
	const char *baseline_file;           /* where it was loaded from; NULL if unknown */
	const char *targets;                 /* JSON array of strings */
	const char *inventory;               /* JSON {"id","file","default_tier"} or NULL */
	const char *exceptions;              /* JSON {"file","items":[...]} or NULL */
	int64_t now;
	uint64_t assets, controls, untiered, unknown_tier, rule_errors;
	struct bl_tally total;
};

/* Every finished run, oldest first, strings in a.  Returns 0, BL_EIO, BL_ENOMEM. */
int bl_store_runs(struct bl_store *s, struct bl_arena *a, struct bl_stored_run **out,
		  size_t *n, struct bl_error *err);

/* A run by id, unique id prefix, or "latest".  Returns 0, BL_EINVAL (no such
 * run, or the prefix is ambiguous: err says), BL_EIO or BL_ENOMEM. */
int bl_store_run_find(struct bl_store *s, const char *ref, struct bl_arena *a,
		      struct bl_stored_run *out, struct bl_error *err);

/* The effective baseline document (compact JSON) of a sha256, in a.
 * Returns 0, BL_EINVAL (not stored), BL_EIO or BL_ENOMEM. */
int bl_store_baseline_json(struct bl_store *s, const char *sha256, struct bl_arena *a,
			   const char **json, size_t *len, struct bl_error *err);

/* Per-framework counts of a run; *found false when the run has none for id. */
int bl_store_run_fw(struct bl_store *s, int64_t key, const char *fw, struct bl_tally *out,
		    bool *found, struct bl_error *err);

struct bl_stored_result {
	const char *control;
	const char *asset, *asset_type, *asset_name;   /* asset_name may be NULL */
	enum bl_status status;
	int tier;
	const char *environment, *owner, *classification;  /* NULL when unknown */
	const char *tags;                    /* JSON object or NULL */
	const char *evidence;                /* JSON array, "[]" when none */
	const char *message;
	int exc_index;                       /* index into the run's exception items; -1 none */
	enum bl_exc_state exc_state;
	const char *file;                    /* where the asset was read; NULL unknown */
	uint32_t line, col;
};

/*
 * Call cb for every result of a run, in the order they were added (order_by
 * false) or by control then asset (true).  The strings live until cb
 * returns.  A non-zero return of cb stops and is returned.  Returns 0,
 * BL_EIO, or cb's code.
 */
int bl_store_results(struct bl_store *s, int64_t key, bool order_by_control,
		     int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		     struct bl_error *err);


/* ---- server state: tokens, exception requests, audit log ------------------
 * (used by `baseline token` and `baseline serve`; same tables in every
 * backend).  Strings returned live in the arena a. */

enum bl_role {               /* cumulative: each includes the ones before */
	BL_ROLE_VIEWER = 1,
	BL_ROLE_OWNER = 2,
	BL_ROLE_APPROVER = 3,
	BL_ROLE_ADMIN = 4,
};

struct bl_token_info {
	int64_t id;
	enum bl_role role;
	const char *name;            /* who it belongs to (free text) */
	const char *created;         /* RFC 3339 */
	const char *revoked;         /* RFC 3339, NULL while valid */
};

/* Store a new token by the SHA-256 of its secret (the secret itself is never
 * stored).  Returns 0 (*id set), BL_EIO or BL_ENOMEM. */
int bl_store_token_add(struct bl_store *s, const unsigned char hash[32], enum bl_role role,
		       const char *name, const char *created, int64_t *id, struct bl_error *err);
/* The valid (not revoked) token whose hash is hash; *found false when none.
 * Returns 0, BL_EIO or BL_ENOMEM. */
int bl_store_token_find(struct bl_store *s, const unsigned char hash[32], struct bl_arena *a,
			struct bl_token_info *out, bool *found, struct bl_error *err);
/* Every token, revoked ones included, by id.  Returns 0, BL_EIO, BL_ENOMEM. */
int bl_store_token_list(struct bl_store *s, struct bl_arena *a, struct bl_token_info **out,
			size_t *n, struct bl_error *err);
/* Revoke token id at time at; *found false when there is no such valid token. */
int bl_store_token_revoke(struct bl_store *s, int64_t id, const char *at, bool *found,
			  struct bl_error *err);

/* An exception as requested through the server; once approved it is an
 * exception like those of an exception document (FORMATS.md §5). */
struct bl_exc_request {
	int64_t id;
	const char *state;           /* "requested" | "approved" | "rejected" */
	const char *control;         /* id or glob */
	const char *assets;          /* JSON array of globs */
	const char *category;        /* waiver | mitigated | risk-accepted */
	const char *justification, *ticket;   /* ticket may be NULL */
	const char *expires;         /* YYYY-MM-DD */
	const char *requested_by;    /* token name of the requester */
	int64_t requested_token;     /* token id of the requester */
	const char *requested_at;
	const char *decided_by, *decided_at, *decision_note;   /* NULL until decided */
	int64_t decided_token;       /* 0 until decided */
};

/* Add a request in state "requested" (r->id and r->state are ignored).
 * Returns 0 (*id set), BL_EIO or BL_ENOMEM. */
int bl_store_exc_request_add(struct bl_store *s, const struct bl_exc_request *r, int64_t *id,
			     struct bl_error *err);
/* One request; *found false when there is none with that id. */
int bl_store_exc_request_get(struct bl_store *s, int64_t id, struct bl_arena *a,
			     struct bl_exc_request *out, bool *found, struct bl_error *err);
/* Every request, by id; state NULL for all or one state only. */
int bl_store_exc_request_list(struct bl_store *s, const char *state, struct bl_arena *a,
			      struct bl_exc_request **out, size_t *n, struct bl_error *err);
/* Move a "requested" request to state ("approved" or "rejected").  Returns 0,
 * BL_EINVAL (no such request, or it is not in state requested: err says),
 * BL_EIO or BL_ENOMEM.  Who may decide is the caller's policy. */
int bl_store_exc_request_decide(struct bl_store *s, int64_t id, const char *state,
				const char *by, int64_t by_token, const char *at,
				const char *note, struct bl_error *err);

struct bl_audit_entry {
	int64_t id;
	const char *at;              /* RFC 3339 */
	const char *who;             /* token name, or "cli" */
	const char *action;          /* e.g. "token.create", "exception.approve" */
	const char *detail;          /* JSON object */
};

/* Append to the audit log (never updated or deleted).  Returns 0, BL_EIO,
 * BL_ENOMEM. */
int bl_store_audit_add(struct bl_store *s, const char *at, const char *who, const char *action,
		       const char *detail_json, struct bl_error *err);
/* The audit log, oldest first. */
int bl_store_audit_list(struct bl_store *s, struct bl_arena *a, struct bl_audit_entry **out,
			size_t *n, struct bl_error *err);

#endif
