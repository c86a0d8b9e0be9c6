/*
 * exc.c - the exception workflow: an owner requests an exception, an
 * approver (never the requester's token) approves or rejects it, anyone may
 * list them or export the approved ones as an exception document
 * (FORMATS.md §5); every state change goes to the audit log, which admins
 * read.  Requests are validated here: control, assets, category,
 * justification and expires are required.
 */
#include "server/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"

/* A non-empty string member as a NUL-terminated copy in a (parsed strings
 * are not terminated); NULL when absent, empty, not a string, or ENOMEM. */
static const char *str_field(const struct bl_value *o, const char *key, struct bl_arena *a)
{
	const struct bl_value *v = bl_value_getz(o, key);
	if (!v || v->type != BL_VSTR || !v->u.str.len || memchr(v->u.str.s, 0, v->u.str.len))
		return NULL;
	return bl_arena_strndup(a, v->u.str.s, v->u.str.len);
}

static bool valid_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

static int audit(struct bl_server *srv, const struct bl_srv_caller *who, const char *action,
		 int64_t id, const char *extra_key, const char *extra)
{
	struct bl_buf d;
	bl_buf_init(&d, 0);
	bl_buf_printf(&d, "{\"request\":%lld", (long long)id);
	if (extra_key) {
		bl_buf_printf(&d, ",\"%s\":", extra_key);
		bl_srv_jstr(&d, extra);
	}
	bl_buf_addc(&d, '}');
	char now[32];
	bl_srv_now_rfc3339(now);
	struct bl_error err;
	int rc = d.failed ? BL_ENOMEM
			  : bl_store_audit_add(srv->cfg.store, now, who->name, action, d.data, &err);
	bl_buf_free(&d);
	return rc;
}

static int create(struct bl_server *srv, const struct bl_srv_caller *who,
		  const struct bl_http_request *req, struct bl_arena *a,
		  struct bl_http_response *resp)
{
	const struct bl_value *body;
	int rc = bl_srv_parse_body(req, a, &body, resp);
	if (rc)
		return rc == BL_ENOMEM ? rc : 0;
	if (body->type != BL_VOBJ) {
		bl_server_error(resp, 400, "the body must be an object");
		return 0;
	}
	struct bl_exc_request r;
	memset(&r, 0, sizeof(r));
	r.control = str_field(body, "control", a);
	r.category = str_field(body, "category", a);
	r.justification = str_field(body, "justification", a);
	r.ticket = str_field(body, "ticket", a);
	r.expires = str_field(body, "expires", a);
	const struct bl_value *assets = bl_value_getz(body, "assets");
	const char *why = NULL;
	if (!r.control)
		why = "control (a control id or glob) is required";
	else if (!assets || assets->type != BL_VARR || assets->u.arr.n == 0)
		why = "assets must be a non-empty array of asset id globs";
	else if (!r.category || (strcmp(r.category, "waiver") != 0 &&
				 strcmp(r.category, "mitigated") != 0 &&
				 strcmp(r.category, "risk-accepted") != 0))
		why = "category must be waiver, mitigated or risk-accepted";
	else if (!r.justification)
		why = "justification is required";
	else if (!valid_date(r.expires))
		why = "expires must be a date YYYY-MM-DD";
	for (uint32_t i = 0; !why && assets && i < assets->u.arr.n; i++)
		if (assets->u.arr.items[i].type != BL_VSTR || !assets->u.arr.items[i].u.str.len)
			why = "assets must be a non-empty array of asset id globs";
	if (why) {
		bl_server_error(resp, 400, why);
		return 0;
	}
	struct bl_buf ab;
	bl_buf_init(&ab, 0);
	bl_json_write(&ab, assets, 0);
	char now[32];
	bl_srv_now_rfc3339(now);
	r.assets = ab.data;
	r.requested_by = who->name;
	r.requested_token = who->id;
	r.requested_at = now;
	int64_t id = 0;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	rc = ab.failed ? BL_ENOMEM : bl_store_exc_request_add(srv->cfg.store, &r, &id, &err);
	if (!rc)
		rc = audit(srv, who, "exception.request", id, "control", r.control);
	pthread_mutex_unlock(&srv->smu);
	bl_buf_free(&ab);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		bl_server_error(resp, 500, "the store could not be written");
		return 0;
	}
	resp->status = 201;
	bl_buf_printf(&resp->body, "{\"id\":%lld,\"state\":\"requested\"}\n", (long long)id);
	return 0;
}

static bool parse_id(const char *s, int64_t *out)
{
	int64_t n = 0;
	if (!s || !*s || strlen(s) > 15)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	return n > 0;
}

static int decide(struct bl_server *srv, const struct bl_srv_caller *who, const char *arg,
		  const char *verb, const struct bl_http_request *req, struct bl_arena *a,
		  struct bl_http_response *resp)
{
	int64_t id;
	if (!parse_id(arg, &id)) {
		bl_server_error(resp, 404, "no such exception request");
		return 0;
	}
	const char *note = NULL;
	if (req->body_len) {
		const struct bl_value *body;
		int rc = bl_srv_parse_body(req, a, &body, resp);
		if (rc)
			return rc == BL_ENOMEM ? rc : 0;
		note = str_field(body, "note", a);
	}
	bool approve = strcmp(verb, "approve") == 0;
	struct bl_exc_request r;
	bool found = false;
	struct bl_error err;
	char now[32];
	bl_srv_now_rfc3339(now);
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_exc_request_get(srv->cfg.store, id, a, &r, &found, &err);
	int status = 0;
	const char *msg = NULL;
	if (!rc && !found) {
		status = 404;
		msg = "no such exception request";
	} else if (!rc && r.requested_token == who->id) {
		status = 403;
		msg = "the requester's token may not decide its own request";
	} else if (!rc) {
		rc = bl_store_exc_request_decide(srv->cfg.store, id,
						 approve ? "approved" : "rejected", who->name,
						 who->id, now, note, &err);
		if (rc == BL_EINVAL) {
			status = 409;
			msg = err.msg;
			rc = 0;
		} else if (!rc) {
			rc = audit(srv, who, approve ? "exception.approve" : "exception.reject", id,
				   note ? "note" : NULL, note);
		}
	}
	pthread_mutex_unlock(&srv->smu);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		bl_server_error(resp, 500, "the store could not be written");
		return 0;
	}
	if (status) {
		bl_server_error(resp, status, msg);
		return 0;
	}
	resp->status = 200;
	bl_buf_printf(&resp->body, "{\"id\":%lld,\"state\":\"%s\"}\n", (long long)id,
		      approve ? "approved" : "rejected");
	return 0;
}

static void write_request(struct bl_buf *b, const struct bl_exc_request *r)
{
	bl_buf_printf(b, "{\"id\":%lld,\"state\":", (long long)r->id);
	bl_srv_jstr(b, r->state);
	bl_buf_adds(b, ",\"control\":");
	bl_srv_jstr(b, r->control);
	bl_buf_adds(b, ",\"assets\":");
	bl_buf_adds(b, r->assets ? r->assets : "[]");   /* JSON the server wrote */
	bl_buf_adds(b, ",\"category\":");
	bl_srv_jstr(b, r->category);
	bl_buf_adds(b, ",\"justification\":");
	bl_srv_jstr(b, r->justification);
	bl_buf_adds(b, ",\"ticket\":");
	bl_srv_jstr(b, r->ticket);
	bl_buf_adds(b, ",\"expires\":");
	bl_srv_jstr(b, r->expires);
	bl_buf_adds(b, ",\"requested_by\":");
	bl_srv_jstr(b, r->requested_by);
	bl_buf_adds(b, ",\"requested_at\":");
	bl_srv_jstr(b, r->requested_at);
	bl_buf_adds(b, ",\"decided_by\":");
	bl_srv_jstr(b, r->decided_by);
	bl_buf_adds(b, ",\"decided_at\":");
	bl_srv_jstr(b, r->decided_at);
	bl_buf_adds(b, ",\"note\":");
	bl_srv_jstr(b, r->decision_note);
	bl_buf_addc(b, '}');
}

/* The approved requests as an exception document; YAML uses JSON-quoted
 * scalars (valid YAML) so no value can break the document. */
static void write_export(struct bl_buf *b, const struct bl_exc_request *rs, size_t n,
			 bool yaml, struct bl_arena *a)
{
	bl_buf_adds(b, yaml ? "# approved exception requests of baseline serve\nexceptions:"
			    : "{\"exceptions\":[");
	if (yaml && n == 0)
		bl_buf_adds(b, " []");
	bl_buf_addc(b, yaml ? '\n' : ' ');
	for (size_t i = 0; i < n; i++) {
		const struct bl_exc_request *r = &rs[i];
		char id[32];
		snprintf(id, sizeof(id), "EXR-%lld", (long long)r->id);
		const char *sep = yaml ? "\n    " : ",";
		bl_buf_adds(b, yaml ? "  - id: " : (i ? ",{\"id\":" : "{\"id\":"));
		bl_srv_jstr(b, id);
		bl_buf_printf(b, "%s%s", sep, yaml ? "control: " : "\"control\":");
		bl_srv_jstr(b, r->control);
		bl_buf_printf(b, "%s%s", sep, yaml ? "assets: " : "\"assets\":");
		/* re-serialise: what the store holds is JSON, a flow sequence in YAML */
		const struct bl_value *v = NULL;
		struct bl_error err;
		if (r->assets && !bl_json_parse(&v, a, r->assets, strlen(r->assets), "assets", NULL,
						&err))
			bl_json_write(b, v, 0);
		else
			bl_buf_adds(b, "[]");
		bl_buf_printf(b, "%s%s", sep, yaml ? "category: " : "\"category\":");
		bl_srv_jstr(b, r->category);
		bl_buf_printf(b, "%s%s", sep, yaml ? "justification: " : "\"justification\":");
		bl_srv_jstr(b, r->justification);
		bl_buf_printf(b, "%s%s", sep, yaml ? "approved_by: " : "\"approved_by\":");
		bl_srv_jstr(b, r->decided_by);
		if (r->ticket) {
			bl_buf_printf(b, "%s%s", sep, yaml ? "ticket: " : "\"ticket\":");
			bl_srv_jstr(b, r->ticket);
		}
		bl_buf_printf(b, "%s%s", sep, yaml ? "expires: " : "\"expires\":");
		bl_buf_adds(b, yaml ? r->expires : "");
		if (!yaml)
			bl_srv_jstr(b, r->expires);
		bl_buf_adds(b, yaml ? "\n" : "}");
	}
	if (!yaml)
		bl_buf_adds(b, "]}\n");
}

static int list(struct bl_server *srv, enum bl_srv_route r, const struct bl_http_request *req,
		struct bl_arena *a, struct bl_http_response *resp)
{
	const char *state = r == R_EXC_EXPORT ? "approved" : bl_srv_param(req, "state");
	const char *fmt = bl_srv_param(req, "format");
	bool yaml = r == R_EXC_EXPORT && (!fmt || strcmp(fmt, "yaml") == 0);
	if (r == R_EXC_EXPORT && fmt && !yaml && strcmp(fmt, "json") != 0) {
		bl_server_error(resp, 400, "format must be yaml or json");
		return 0;
	}
	if (state && strcmp(state, "requested") != 0 && strcmp(state, "approved") != 0 &&
	    strcmp(state, "rejected") != 0) {
		bl_server_error(resp, 400, "state must be requested, approved or rejected");
		return 0;
	}
	struct bl_exc_request *rs;
	size_t n;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_exc_request_list(srv->cfg.store, state, a, &rs, &n, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		bl_server_error(resp, 500, "the store could not be read");
		return 0;
	}
	resp->status = 200;
	if (r == R_EXC_EXPORT) {
		resp->content_type = yaml ? "application/yaml" : "application/json";
		write_export(&resp->body, rs, n, yaml, a);
		return 0;
	}
	bl_buf_adds(&resp->body, "{\"requests\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			bl_buf_addc(&resp->body, ',');
		write_request(&resp->body, &rs[i]);
	}
	bl_buf_adds(&resp->body, "]}\n");
	return 0;
}

static int audit_list(struct bl_server *srv, struct bl_arena *a, struct bl_http_response *resp)
{
	struct bl_audit_entry *es;
	size_t n;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_audit_list(srv->cfg.store, a, &es, &n, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		bl_server_error(resp, 500, "the store could not be read");
		return 0;
	}
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, "{\"entries\":[");
	for (size_t i = 0; i < n; i++) {
		bl_buf_printf(b, "%s{\"id\":%lld,\"at\":", i ? "," : "", (long long)es[i].id);
		bl_srv_jstr(b, es[i].at);
		bl_buf_adds(b, ",\"who\":");
		bl_srv_jstr(b, es[i].who);
		bl_buf_adds(b, ",\"action\":");
		bl_srv_jstr(b, es[i].action);
		bl_buf_adds(b, ",\"detail\":");
		bl_buf_adds(b, es[i].detail && *es[i].detail ? es[i].detail : "null");
		bl_buf_addc(b, '}');
	}
	bl_buf_adds(b, "]}\n");
	resp->status = 200;
	return 0;
}

int bl_srv_exc(struct bl_server *srv, enum bl_srv_route r, const char *arg, const char *verb,
	       const struct bl_srv_caller *who, const struct bl_http_request *req,
	       struct bl_arena *a, struct bl_http_response *resp)
{
	resp->content_type = "application/json";
	if (!srv->cfg.store) {
		bl_server_error(resp, 503, "the server has no store");
		return 0;
	}
	switch (r) {
	case R_EXC_CREATE:
		return create(srv, who, req, a, resp);
	case R_EXC_DECIDE:
		return decide(srv, who, arg, verb, req, a, resp);
	case R_AUDIT:
		return audit_list(srv, a, resp);
	default:
		return list(srv, r, req, a, resp);
	}
}
