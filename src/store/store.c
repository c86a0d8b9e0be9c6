/*
 * store.c - the public run store API (store.h): picks the backend from the
 * URL and dispatches to it (backend.h).  Checks that do not depend on the
 * backend (a decision's state, the error for a request already decided) are
 * made here once.
 */
#include <limits.h>
#include <string.h>

#include "store/backend.h"

int bl_store_open(struct bl_store **out, const char *url, struct bl_error *err)
{
	char full[PATH_MAX + 32], target[PATH_MAX + 32];
	const char *kind;
	int rc;
	*out = NULL;
	if ((rc = bl_store_url(full, sizeof(full), url, err)) ||
	    (rc = bl_store_url_parse(full, &kind, target, sizeof(target), err)))
		return rc;
	const struct bl_store_backend *be =
		strcmp(kind, "postgresql") == 0 ? &bl_store_postgres : &bl_store_sqlite;
	rc = be->open(out, target, err);
	if (!rc)
		(*out)->be = be;
	return rc;
}

void bl_store_close(struct bl_store *s)
{
	if (s)
		s->be->close(s);
}

int bl_store_schema_version(const struct bl_store *s)
{
	return s->version;
}

int bl_store_run_begin(struct bl_store_run **out, struct bl_store *s,
		       const struct bl_store_run_meta *meta, struct bl_error *err)
{
	*out = NULL;
	int rc = s->be->run_begin(out, s, meta, err);
	if (!rc) {
		(*out)->s = s;
		bl_error_clear(&(*out)->sink_err);
	}
	return rc;
}

int bl_store_run_add(struct bl_store_run *w, const struct bl_result *r, size_t n,
		     struct bl_error *err)
{
	return w->s->be->run_add(w, r, n, err);
}

int bl_store_sink(void *ctx, const struct bl_result *r)
{
	struct bl_store_run *w = ctx;
	return w->s->be->run_add(w, r, 1, &w->sink_err);
}

const struct bl_error *bl_store_run_error(const struct bl_store_run *w)
{
	return w && w->sink_err.code ? &w->sink_err : NULL;
}

int bl_store_run_finish(struct bl_store_run *w, const struct bl_store_run_end *end,
			struct bl_error *err)
{
	return w->s->be->run_finish(w, end, err);
}

void bl_store_run_abort(struct bl_store_run *w)
{
	if (w)
		w->s->be->run_abort(w);
}

int bl_store_runs(struct bl_store *s, struct bl_arena *a, struct bl_stored_run **out,
		  size_t *n, struct bl_error *err)
{
	return s->be->runs(s, a, out, n, err);
}

int bl_store_run_find(struct bl_store *s, const char *ref, struct bl_arena *a,
		      struct bl_stored_run *out, struct bl_error *err)
{
	return s->be->run_find(s, ref, a, out, err);
}

int bl_store_baseline_json(struct bl_store *s, const char *sha256, struct bl_arena *a,
			   const char **json, size_t *len, struct bl_error *err)
{
	return s->be->baseline_json(s, sha256, a, json, len, err);
}

int bl_store_run_fw(struct bl_store *s, int64_t key, const char *fw, struct bl_tally *out,
		    bool *found, struct bl_error *err)
{
	return s->be->run_fw(s, key, fw, out, found, err);
}

int bl_store_results(struct bl_store *s, int64_t key, bool order_by_control,
		     int (*cb)(void *ctx, const struct bl_stored_result *r), void *ctx,
		     struct bl_error *err)
{
	return s->be->results(s, key, order_by_control, cb, ctx, err);
}

/* ---- server state ------------------------------------------------------- */

/* Tokens are looked up by the lowercase hex of their hash: a text column
 * every backend stores and compares the same way. */
static void hash_hex(const unsigned char hash[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[hash[i] >> 4];
		out[2 * i + 1] = hex[hash[i] & 15];
	}
	out[64] = '\0';
}

int bl_store_token_add(struct bl_store *s, const unsigned char hash[32], enum bl_role role,
		       const char *name, const char *created, int64_t *id, struct bl_error *err)
{
	char hex[65];
	hash_hex(hash, hex);
	return s->be->token_add(s, hex, role, name ? name : "", created ? created : "", id, err);
}

int bl_store_token_find(struct bl_store *s, const unsigned char hash[32], struct bl_arena *a,
			struct bl_token_info *out, bool *found, struct bl_error *err)
{
	char hex[65];
	hash_hex(hash, hex);
	*found = false;
	memset(out, 0, sizeof(*out));
	return s->be->token_find(s, hex, a, out, found, err);
}

int bl_store_token_list(struct bl_store *s, struct bl_arena *a, struct bl_token_info **out,
			size_t *n, struct bl_error *err)
{
	*out = NULL;
	*n = 0;
	return s->be->token_list(s, a, out, n, err);
}

int bl_store_token_revoke(struct bl_store *s, int64_t id, const char *at, bool *found,
			  struct bl_error *err)
{
	*found = false;
	return s->be->token_revoke(s, id, at ? at : "", found, err);
}

int bl_store_exc_request_add(struct bl_store *s, const struct bl_exc_request *r, int64_t *id,
			     struct bl_error *err)
{
	struct bl_exc_request c = *r;
	/* NOT NULL columns get "" rather than a constraint error */
	c.control = c.control ? c.control : "";
	c.assets = c.assets ? c.assets : "[]";
	c.category = c.category ? c.category : "";
	c.justification = c.justification ? c.justification : "";
	c.expires = c.expires ? c.expires : "";
	c.requested_by = c.requested_by ? c.requested_by : "";
	c.requested_at = c.requested_at ? c.requested_at : "";
	return s->be->exc_request_add(s, &c, id, err);
}

int bl_store_exc_request_get(struct bl_store *s, int64_t id, struct bl_arena *a,
			     struct bl_exc_request *out, bool *found, struct bl_error *err)
{
	*found = false;
	memset(out, 0, sizeof(*out));
	return s->be->exc_request_get(s, id, a, out, found, err);
}

int bl_store_exc_request_list(struct bl_store *s, const char *state, struct bl_arena *a,
			      struct bl_exc_request **out, size_t *n, struct bl_error *err)
{
	*out = NULL;
	*n = 0;
	return s->be->exc_request_list(s, state, a, out, n, err);
}

int bl_store_exc_request_decide(struct bl_store *s, int64_t id, const char *state,
				const char *by, int64_t by_token, const char *at,
				const char *note, struct bl_error *err)
{
	if (!state || (strcmp(state, "approved") != 0 && strcmp(state, "rejected") != 0))
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "an exception request is decided as approved or rejected, not '%s'",
				    state ? state : "");
	bool changed = false;
	int rc = s->be->exc_request_decide(s, id, state, by ? by : "", by_token, at ? at : "",
					   note, &changed, err);
	if (rc || changed)
		return rc;
	/* nothing changed: say whether the request is missing or already decided */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_exc_request cur;
	bool found;
	rc = bl_store_exc_request_get(s, id, &a, &cur, &found, err);
	if (!rc)
		rc = found ? bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "exception request %lld is already %s", (long long)id,
					  cur.state)
			   : bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					  "no exception request %lld", (long long)id);
	bl_arena_free(&a);
	return rc;
}

int bl_store_audit_add(struct bl_store *s, const char *at, const char *who, const char *action,
		       const char *detail_json, struct bl_error *err)
{
	return s->be->audit_add(s, at ? at : "", who ? who : "", action ? action : "",
				detail_json ? detail_json : "{}", err);
}

int bl_store_audit_list(struct bl_store *s, struct bl_arena *a, struct bl_audit_entry **out,
			size_t *n, struct bl_error *err)
{
	*out = NULL;
	*n = 0;
	return s->be->audit_list(s, a, out, n, err);
}
