/*
 * decide.c - POST /v1/decide: one resource or an array of resources against
 * one served baseline; deny controls that fail (or cannot be evaluated) are
 * violations and make the answer allow:false, audit ones are warnings.
 *
 * An error result of a deny control denies: a resource the baseline cannot
 * judge is never let through (docs/server.md).
 */
#include "server/internal.h"

#include <string.h>

#include "doc/json.h"
#include "facts/resource.h"

static void write_entry(struct bl_buf *b, const struct bl_result *r)
{
	const struct bl_control *c = r->control;
	bl_buf_adds(b, "{\"control\":");
	bl_srv_jstr(b, c->id);
	bl_buf_printf(b, ",\"severity\":\"%s\",\"status\":\"%s\",\"asset\":",
		      bl_severity_name(c->severity), bl_status_name(r->status));
	bl_srv_jstr(b, r->asset->id);
	bl_buf_adds(b, ",\"title\":");
	bl_srv_jstr(b, c->title);
	bl_buf_adds(b, ",\"evidence\":[");
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		bl_srv_jstr(b, e->path);
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual && !bl_value_special(e->actual))
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		bl_srv_jstr(b, e->expected);
		bl_buf_addc(b, '}');
	}
	bl_buf_adds(b, "],\"remediation\":");
	bl_srv_jstr(b, c->remediation);
	bl_buf_adds(b, ",\"message\":");
	bl_srv_jstr(b, r->message);
	bl_buf_addc(b, '}');
}

/* Evaluate every resource of body into w->results; 400 on a bad resource. */
static int evaluate(struct bl_srv_baseline *sb, struct bl_srv_worker *w,
		    struct bl_index_cache *cache, const struct bl_value *body,
		    struct bl_http_response *resp)
{
	const struct bl_value *one = body;
	size_t n = 1;
	if (body->type == BL_VARR) {
		one = body->u.arr.items;
		n = body->u.arr.n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bl_value *v = &one[i];
		struct bl_asset *a = bl_arena_alloc(&w->arena, sizeof(*a));
		if (!a)
			return BL_ENOMEM;
		struct bl_error err;
		bl_error_clear(&err);
		int rc = bl_resource_identify(a, v, "request", i, &w->arena, &err);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc) {
			char msg[700];
			bl_server_error(resp, 400, bl_error_format(&err, msg, sizeof(msg)));
			return BL_EINVAL;
		}
		const uint32_t *ctrl;
		size_t nc;
		if (bl_index_lookup(sb->ix, cache, a->type, strlen(a->type), &ctrl, &nc) ||
		    bl_evaluate_asset(sb->b, ctrl, nc, a, NULL, &w->ev, &w->arena, &w->results))
			return BL_ENOMEM;
	}
	return 0;
}

static int answer(struct bl_server *srv, const struct bl_srv_baseline *sb,
		  const struct bl_results *res, struct bl_http_response *resp)
{
	bool allow = true;
	for (size_t i = 0; i < res->n; i++) {
		const struct bl_result *r = &res->items[i];
		if (r->control->effect == BL_EFFECT_DENY &&
		    (r->status == BL_FAIL || r->status == BL_ERROR))
			allow = false;
	}
	struct bl_buf *b = &resp->body;
	bl_buf_printf(b, "{\"allow\":%s,\"baseline\":{\"id\":", allow ? "true" : "false");
	bl_srv_jstr(b, sb->b->id);
	bl_buf_adds(b, ",\"version\":");
	bl_srv_jstr(b, sb->b->version);
	bl_buf_adds(b, "},\"violations\":[");
	/* two passes keep each list in baseline order without a second array */
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;
		for (size_t i = 0; i < res->n; i++) {
			const struct bl_result *r = &res->items[i];
			if (r->status != BL_FAIL && r->status != BL_ERROR)
				continue;
			bool deny = r->control->effect == BL_EFFECT_DENY;
			if (deny != (pass == 0))
				continue;
			if (!first)
				bl_buf_addc(b, ',');
			first = false;
			write_entry(b, r);
		}
		bl_buf_adds(b, pass == 0 ? "],\"warnings\":[" : "]}\n");
	}
	atomic_fetch_add(allow ? &srv->decisions_allow : &srv->decisions_deny, 1);
	resp->status = 200;
	resp->content_type = "application/json";
	return b->failed ? BL_ENOMEM : 0;
}

int bl_srv_decide(struct bl_server *srv, const struct bl_http_request *req,
		  struct bl_http_response *resp)
{
	struct bl_srv_baseline *sb = bl_srv_baseline_get(srv, bl_srv_param(req, "baseline"));
	if (!sb) {
		bl_server_error(resp, 404, "no such baseline is served");
		return 0;
	}
	struct bl_srv_worker *w = bl_srv_worker_take(srv);
	struct bl_index_cache *cache = bl_srv_cache_take(sb);
	int rc = BL_ENOMEM;
	if (w && cache) {
		const struct bl_value *body = NULL;
		rc = bl_srv_parse_body(req, &w->arena, &body, resp);
		if (!rc && body->type != BL_VOBJ && body->type != BL_VARR) {
			bl_server_error(resp, 400, "the body must be a resource (object) or an array "
						   "of resources");
			rc = BL_EINVAL;
		}
		if (!rc)
			rc = evaluate(sb, w, cache, body, resp);
		if (!rc)
			rc = answer(srv, sb, &w->results, resp);
	}
	bl_srv_cache_give(sb, cache);
	bl_srv_worker_give(srv, w);
	bl_srv_baseline_put(sb);
	return rc == BL_ENOMEM ? rc : 0;
}
