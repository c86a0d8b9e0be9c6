/*
 * state_cases.h - the server-state checks (tokens, exception requests, audit
 * log) that every store backend must pass; included by test_sqlite.c and
 * test_postgres.c, which open the stores.  s and s2 are two connections to
 * the same empty store (two processes, as two `serve` workers would be).
 */
#ifndef BL_TEST_STATE_CASES_H
#define BL_TEST_STATE_CASES_H

#include "store/store.h"

static void state_tokens(struct bl_store *s)
{
	struct bl_error err;
	unsigned char h1[32], h2[32], h3[32];
	for (int i = 0; i < 32; i++) {
		h1[i] = (unsigned char)i;
		h2[i] = (unsigned char)(255 - i);
		h3[i] = 0xab;
	}
	int64_t id1 = 0, id2 = 0, id3 = 0;
	assert_int_equal(bl_store_token_add(s, h1, BL_ROLE_ADMIN, "alice", "2026-11-28T10:00:00Z",
					    &id1, &err), 0);
	assert_int_equal(bl_store_token_add(s, h2, BL_ROLE_VIEWER, "bob", "2026-11-28T11:00:00Z",
					    &id2, &err), 0);
	assert_true(id1 > 0);
	assert_true(id2 > id1);
	/* the hash is unique: a second token with the same secret is refused */
	assert_int_equal(bl_store_token_add(s, h1, BL_ROLE_VIEWER, "eve", "2026-11-28T12:00:00Z",
					    &id3, &err), BL_EIO);

	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_token_info t;
	bool found = false;
	assert_int_equal(bl_store_token_find(s, h2, &a, &t, &found, &err), 0);
	assert_true(found);
	assert_int_equal(t.id, id2);
	assert_int_equal(t.role, BL_ROLE_VIEWER);
	assert_string_equal(t.name, "bob");
	assert_string_equal(t.created, "2026-11-28T11:00:00Z");
	assert_null(t.revoked);
	assert_int_equal(bl_store_token_find(s, h3, &a, &t, &found, &err), 0);
	assert_false(found);

	assert_int_equal(bl_store_token_revoke(s, id1, "2026-11-29T00:00:00Z", &found, &err), 0);
	assert_true(found);
	/* a revoked token is no longer found, and cannot be revoked twice */
	assert_int_equal(bl_store_token_find(s, h1, &a, &t, &found, &err), 0);
	assert_false(found);
	assert_int_equal(bl_store_token_revoke(s, id1, "2026-11-30T00:00:00Z", &found, &err), 0);
	assert_false(found);
	assert_int_equal(bl_store_token_revoke(s, 999, "2026-11-30T00:00:00Z", &found, &err), 0);
	assert_false(found);

	struct bl_token_info *v;
	size_t n;
	assert_int_equal(bl_store_token_list(s, &a, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id1);
	assert_string_equal(v[0].name, "alice");
	assert_int_equal(v[0].role, BL_ROLE_ADMIN);
	assert_string_equal(v[0].revoked, "2026-11-29T00:00:00Z");
	assert_int_equal(v[1].id, id2);
	assert_null(v[1].revoked);
	bl_arena_free(&a);
}

static void state_requests(struct bl_store *s, struct bl_store *s2)
{
	struct bl_error err;
	struct bl_exc_request r = {
		.control = "LNX-SSH-*", .assets = "[\"host/web-*\"]", .category = "waiver",
		.justification = "legacy clients", .ticket = "SEC-12", .expires = "2027-01-31",
		.requested_by = "bob", .requested_token = 2,
		.requested_at = "2026-11-28T10:00:00Z"};
	int64_t id1 = 0, id2 = 0;
	assert_int_equal(bl_store_exc_request_add(s, &r, &id1, &err), 0);
	r.control = "LNX-FS-01";
	r.ticket = NULL;
	r.category = "risk-accepted";
	assert_int_equal(bl_store_exc_request_add(s, &r, &id2, &err), 0);
	assert_true(id2 > id1);

	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_exc_request g;
	bool found;
	assert_int_equal(bl_store_exc_request_get(s, id1, &a, &g, &found, &err), 0);
	assert_true(found);
	assert_int_equal(g.id, id1);
	assert_string_equal(g.state, "requested");
	assert_string_equal(g.control, "LNX-SSH-*");
	assert_string_equal(g.assets, "[\"host/web-*\"]");
	assert_string_equal(g.category, "waiver");
	assert_string_equal(g.justification, "legacy clients");
	assert_string_equal(g.ticket, "SEC-12");
	assert_string_equal(g.expires, "2027-01-31");
	assert_string_equal(g.requested_by, "bob");
	assert_int_equal(g.requested_token, 2);
	assert_string_equal(g.requested_at, "2026-11-28T10:00:00Z");
	assert_null(g.decided_by);
	assert_null(g.decided_at);
	assert_null(g.decision_note);
	assert_int_equal(g.decided_token, 0);
	assert_int_equal(bl_store_exc_request_get(s, 999, &a, &g, &found, &err), 0);
	assert_false(found);

	/* compare-and-set: the first approver wins, the second (another
	 * connection) is told the request is already decided */
	assert_int_equal(bl_store_exc_request_decide(s, id1, "approved", "alice", 1,
						     "2026-11-28T12:00:00Z", "ok for Q1", &err), 0);
	assert_int_equal(bl_store_exc_request_decide(s2, id1, "rejected", "carol", 3,
						     "2026-11-28T12:00:01Z", NULL, &err), BL_EINVAL);
	assert_string_equal(err.msg, "exception request 1 is already approved");
	assert_int_equal(bl_store_exc_request_decide(s, 999, "approved", "alice", 1,
						     "2026-11-28T12:00:00Z", NULL, &err), BL_EINVAL);
	assert_string_equal(err.msg, "no exception request 999");
	assert_int_equal(bl_store_exc_request_decide(s, id2, "maybe", "alice", 1,
						     "2026-11-28T12:00:00Z", NULL, &err), BL_EINVAL);
	assert_string_equal(err.msg,
			    "an exception request is decided as approved or rejected, not 'maybe'");
	assert_int_equal(bl_store_exc_request_get(s2, id1, &a, &g, &found, &err), 0);
	assert_string_equal(g.state, "approved");
	assert_string_equal(g.decided_by, "alice");
	assert_int_equal(g.decided_token, 1);
	assert_string_equal(g.decided_at, "2026-11-28T12:00:00Z");
	assert_string_equal(g.decision_note, "ok for Q1");

	struct bl_exc_request *v;
	size_t n;
	assert_int_equal(bl_store_exc_request_list(s, NULL, &a, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, id1);
	assert_int_equal(v[1].id, id2);
	assert_null(v[1].ticket);
	assert_string_equal(v[1].category, "risk-accepted");
	assert_int_equal(bl_store_exc_request_list(s, "requested", &a, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id2);
	assert_int_equal(bl_store_exc_request_list(s, "rejected", &a, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	bl_arena_free(&a);
}

static void state_audit(struct bl_store *s, struct bl_store *s2)
{
	struct bl_error err;
	assert_int_equal(bl_store_audit_add(s, "2026-11-28T10:00:00Z", "cli", "token.create",
					    "{\"id\":1}", &err), 0);
	assert_int_equal(bl_store_audit_add(s2, "2026-11-28T10:00:01Z", "alice",
					    "exception.approve", "{\"request\":1}", &err), 0);
	assert_int_equal(bl_store_audit_add(s, "2026-11-28T10:00:02Z", "bob", "exception.request",
					    NULL, &err), 0);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_audit_entry *v;
	size_t n;
	assert_int_equal(bl_store_audit_list(s2, &a, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].who, "cli");
	assert_string_equal(v[0].action, "token.create");
	assert_string_equal(v[0].detail, "{\"id\":1}");
	assert_string_equal(v[1].at, "2026-11-28T10:00:01Z");
	assert_string_equal(v[1].who, "alice");
	assert_string_equal(v[2].action, "exception.request");
	assert_string_equal(v[2].detail, "{}");
	assert_true(v[0].id < v[1].id && v[1].id < v[2].id);
	bl_arena_free(&a);
}

#endif
