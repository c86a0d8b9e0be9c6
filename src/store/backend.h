/*
 * backend.h - private to src/store: what a store backend (sqlite.c,
 * postgres.c) provides, and the helpers they share (common.c).  store.c
 * holds the public functions of store.h and dispatches through the table.
 *
 * A backend's store and run structs start with struct bl_store and struct
 * bl_store_run, so the pointers the public API hands out are the backend's
 * own.  Every operation has the contract of its store.h namesake.
 */
#ifndef BL_STORE_BACKEND_H
#define BL_STORE_BACKEND_H

#include "store/store.h"
#include "util/str.h"

struct bl_store_backend;

struct bl_store {
	const struct bl_store_backend *be;
	int version;                  /* schema version after migration */
};

struct bl_store_run {
	struct bl_store *s;
	struct bl_error sink_err;     /* why bl_store_sink failed */
};

struct bl_store_backend {
	const char *name;
	/* target: a file path (sqlite) or the URL as given (postgresql) */
	int (*open)(struct bl_store **out, const char *target, struct bl_error *err);
	void (*close)(struct bl_store *s);

	int (*run_begin)(struct bl_store_run **out, struct bl_store *s,
			 const struct bl_store_run_meta *meta, struct bl_error *err);
	int (*run_add)(struct bl_store_run *w, const struct bl_result *r, size_t n,
		       struct bl_error *err);
	int (*run_finish)(struct bl_store_run *w, const struct bl_store_run_end *end,
			  struct bl_error *err);
	void (*run_abort)(struct bl_store_run *w);

	int (*runs)(struct bl_store *s, struct bl_arena *a, struct bl_stored_run **out,
		    size_t *n, struct bl_error *err);
	int (*run_find)(struct bl_store *s, const char *ref, struct bl_arena *a,
			struct bl_stored_run *out, struct bl_error *err);
	int (*baseline_json)(struct bl_store *s, const char *sha256, struct bl_arena *a,
			     const char **json, size_t *len, struct bl_error *err);
	int (*run_fw)(struct bl_store *s, int64_t key, const char *fw, struct bl_tally *out,
		      bool *found, struct bl_error *err);
	int (*results)(struct bl_store *s, int64_t key, bool order_by_control,
		       int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		       struct bl_error *err);

	/* hash is the lowercase hex of the token's SHA-256 */
	int (*token_add)(struct bl_store *s, const char *hash, enum bl_role role,
			 const char *name, const char *created, int64_t *id, struct bl_error *err);
	int (*token_find)(struct bl_store *s, const char *hash, struct bl_arena *a,
			  struct bl_token_info *out, bool *found, struct bl_error *err);
	int (*token_list)(struct bl_store *s, struct bl_arena *a, struct bl_token_info **out,
			  size_t *n, struct bl_error *err);
	int (*token_revoke)(struct bl_store *s, int64_t id, const char *at, bool *found,
			    struct bl_error *err);
	int (*exc_request_add)(struct bl_store *s, const struct bl_exc_request *r, int64_t *id,
			       struct bl_error *err);
	int (*exc_request_get)(struct bl_store *s, int64_t id, struct bl_arena *a,
			       struct bl_exc_request *out, bool *found, struct bl_error *err);
	int (*exc_request_list)(struct bl_store *s, const char *state, struct bl_arena *a,
				struct bl_exc_request **out, size_t *n, struct bl_error *err);
	/* state already checked; *changed false when no row was in state requested */
	int (*exc_request_decide)(struct bl_store *s, int64_t id, const char *state,
				  const char *by, int64_t by_token, const char *at,
				  const char *note, bool *changed, struct bl_error *err);
	int (*audit_add)(struct bl_store *s, const char *at, const char *who, const char *action,
			 const char *detail_json, struct bl_error *err);
	int (*audit_list)(struct bl_store *s, struct bl_arena *a, struct bl_audit_entry **out,
			  size_t *n, struct bl_error *err);
};

extern const struct bl_store_backend bl_store_sqlite;
extern const struct bl_store_backend bl_store_postgres;

/* ---- common.c: what both backends serialise the same way ---------------- */

/* JSON string or null. */
void bl_store_json_str(struct bl_buf *b, const char *s);
/* The run's targets as a JSON array of strings. */
void bl_store_json_targets(struct bl_buf *b, const struct bl_store_run_meta *m);
/* {"id","file","default_tier"} of an inventory. */
void bl_store_json_inventory(struct bl_buf *b, const struct bl_inventory *inv);
/* The exceptions a run used, enough to render them again. */
void bl_store_json_exceptions(struct bl_buf *b, const struct bl_exceptions *x);
/* A result's evidence as a JSON array. */
void bl_store_json_evidence(struct bl_buf *b, const struct bl_result *r);
/* The effective baseline document as compact JSON; BL_ENOMEM on failure. */
int bl_store_json_baseline(struct bl_buf *b, const struct bl_baseline *bl);

/* Make room for one more element in an arena array of n elements (capacity
 * *cap); NULL when out of memory (v is then still valid). */
void *bl_store_grow(struct bl_arena *a, void *v, size_t n, size_t *cap, size_t size);

/* Ids of rows (assets, files) already looked up in this run, by one or two
 * strings (k2 may be NULL).  Keys are copied.  Never fails but put, which
 * returns 0 or BL_ENOMEM. */
struct bl_store_idmap_slot;
struct bl_store_idmap {
	struct bl_arena a;
	struct bl_store_idmap_slot *slots;
	size_t cap, n;
};
void bl_store_idmap_init(struct bl_store_idmap *m);
void bl_store_idmap_free(struct bl_store_idmap *m);
/* The id stored for (k1, k2), or 0 when absent.  put replaces the id of a
 * key already there; ids are any non-zero value. */
int64_t bl_store_idmap_get(const struct bl_store_idmap *m, const char *k1, const char *k2);
int bl_store_idmap_put(struct bl_store_idmap *m, const char *k1, const char *k2, int64_t id);

/* Column order of the five status counts in runs and run_frameworks. */
extern const enum bl_status bl_store_status_order[5];

#endif
