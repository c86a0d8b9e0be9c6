/*
 * read.c - the read API over the run store: runs, one run, its results
 * (filtered and paged), trend, drift between two runs, the gap backlog of a
 * run, and the served baselines and frameworks.  Answers are JSON
 * (docs/server.md); every store call is made under the server's store lock.
 */
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "engine/drift.h"

static const char *const status_names[BL_NSTATUS] = {"pass", "fail", "error",
						     "not_applicable", "exempt"};

static void write_tally(struct bl_buf *b, const struct bl_tally *t)
{
	bl_buf_printf(b, "\"pass\":%llu,\"fail\":%llu,\"error\":%llu,\"not_applicable\":%llu,"
			 "\"exempt\":%llu,\"compliance\":",
		      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_NA],
		      (unsigned long long)t->n[BL_EXEMPT]);
	double c = bl_tally_compliance(t);
	if (c < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", c);
}

static void write_raw(struct bl_buf *b, const char *json)
{
	bl_buf_adds(b, json && *json ? json : "null");
}

static void write_run(struct bl_buf *b, const struct bl_stored_run *r, bool detail)
{
	bl_buf_adds(b, "{\"id\":");
	bl_srv_jstr(b, r->id);
	bl_buf_adds(b, ",\"started\":");
	bl_srv_jstr(b, r->started);
	bl_buf_adds(b, ",\"finished\":");
	bl_srv_jstr(b, r->finished);
	bl_buf_adds(b, ",\"baseline\":{\"id\":");
	bl_srv_jstr(b, r->baseline_id);
	bl_buf_adds(b, ",\"version\":");
	bl_srv_jstr(b, r->baseline_version);
	bl_buf_adds(b, ",\"sha256\":");
	bl_srv_jstr(b, r->baseline_sha256);
	bl_buf_printf(b, "},\"assets\":%llu,\"controls\":%llu,\"summary\":{",
		      (unsigned long long)r->assets, (unsigned long long)r->controls);
	write_tally(b, &r->total);
	bl_buf_addc(b, '}');
	if (detail) {
		/* these columns hold JSON the store itself wrote */
		bl_buf_adds(b, ",\"targets\":");
		write_raw(b, r->targets);
		bl_buf_adds(b, ",\"inventory\":");
		write_raw(b, r->inventory);
		bl_buf_adds(b, ",\"exceptions\":");
		write_raw(b, r->exceptions);
	}
	bl_buf_addc(b, '}');
}

/* Store error → answer: 404 for "no such run", else 500. */
static int store_fail(int rc, const struct bl_error *err, struct bl_http_response *resp)
{
	if (rc == BL_ENOMEM)
		return rc;
	bl_server_error(resp, rc == BL_EINVAL ? 404 : 500, err->msg);
	return 0;
}

static int find_run(struct bl_server *srv, const char *ref, struct bl_arena *a,
		    struct bl_stored_run *run, struct bl_error *err)
{
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_run_find(srv->cfg.store, ref, a, run, err);
	pthread_mutex_unlock(&srv->smu);
	return rc;
}

static int runs(struct bl_server *srv, struct bl_arena *a, struct bl_http_response *resp,
		bool trend, const char *only)
{
	struct bl_stored_run *rs;
	size_t n;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_runs(srv->cfg.store, a, &rs, &n, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc)
		return store_fail(rc, &err, resp);
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, trend ? "{\"points\":[" : "{\"runs\":[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (only && (!rs[i].baseline_id || strcmp(rs[i].baseline_id, only) != 0))
			continue;
		if (!first)
			bl_buf_addc(b, ',');
		first = false;
		if (trend) {
			bl_buf_adds(b, "{\"run\":");
			bl_srv_jstr(b, rs[i].id);
			bl_buf_adds(b, ",\"started\":");
			bl_srv_jstr(b, rs[i].started);
			bl_buf_adds(b, ",\"baseline\":");
			bl_srv_jstr(b, rs[i].baseline_id);
			bl_buf_addc(b, ',');
			write_tally(b, &rs[i].total);
			bl_buf_addc(b, '}');
		} else {
			write_run(b, &rs[i], false);
		}
	}
	bl_buf_adds(b, "]}\n");
	resp->status = 200;
	return 0;
}

/* control id → severity name, from the run's stored effective baseline. */
struct sevmap {
	const struct bl_value *controls;   /* array or NULL */
};

static const char *sev_of(const struct sevmap *m, const char *control)
{
	if (!m->controls || m->controls->type != BL_VARR)
		return NULL;
	for (uint32_t i = 0; i < m->controls->u.arr.n; i++) {
		const struct bl_value *c = &m->controls->u.arr.items[i];
		size_t idlen, slen;
		/* strings of a parsed document are not NUL-terminated */
		const char *id = bl_value_strz(c, "id", &idlen);
		if (!id || idlen != strlen(control) || memcmp(id, control, idlen) != 0)
			continue;
		const char *sev = bl_value_strz(c, "severity", &slen);
		int v = sev ? bl_severity_parse(sev, slen) : -1;
		return v < 0 ? NULL : bl_severity_name((enum bl_severity)v);
	}
	return NULL;
}

static int load_sevmap(struct bl_server *srv, const struct bl_stored_run *run,
		       struct bl_arena *a, struct sevmap *m)
{
	m->controls = NULL;
	const char *json;
	size_t len;
	struct bl_error err;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_baseline_json(srv->cfg.store, run->baseline_sha256, a, &json, &len, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc == BL_ENOMEM)
		return rc;
	const struct bl_value *doc = NULL;
	if (!rc && !bl_json_parse(&doc, a, json, len, "baseline", NULL, &err))
		m->controls = bl_value_getz(doc, "controls");
	return 0;
}

struct results_ctx {
	struct bl_buf *b;
	const struct sevmap *sev;
	int status, severity;        /* -1: any */
	const char *control, *asset; /* globs or NULL */
	uint64_t limit, offset, total, written;
};

static int result_cb(void *ctx, const struct bl_stored_result *r)
{
	struct results_ctx *c = ctx;
	if (c->status >= 0 && (int)r->status != c->status)
		return 0;
	if (c->control && !bl_glob_match(c->control, strlen(c->control), r->control,
					 strlen(r->control), false))
		return 0;
	if (c->asset && !bl_glob_match(c->asset, strlen(c->asset), r->asset, strlen(r->asset),
				       false))
		return 0;
	const char *sev = sev_of(c->sev, r->control);
	if (c->severity >= 0 &&
	    (!sev || bl_severity_parse(sev, strlen(sev)) != c->severity))
		return 0;
	uint64_t i = c->total++;
	if (i < c->offset || c->written >= c->limit)
		return 0;
	struct bl_buf *b = c->b;
	if (c->written++)
		bl_buf_addc(b, ',');
	bl_buf_adds(b, "{\"control\":");
	bl_srv_jstr(b, r->control);
	bl_buf_adds(b, ",\"asset\":");
	bl_srv_jstr(b, r->asset);
	bl_buf_adds(b, ",\"asset_type\":");
	bl_srv_jstr(b, r->asset_type);
	bl_buf_printf(b, ",\"status\":\"%s\",\"severity\":",
		      (unsigned)r->status < BL_NSTATUS ? status_names[r->status] : "?");
	bl_srv_jstr(b, sev);
	bl_buf_printf(b, ",\"tier\":%d,\"environment\":", r->tier);
	bl_srv_jstr(b, r->environment);
	bl_buf_adds(b, ",\"owner\":");
	bl_srv_jstr(b, r->owner);
	bl_buf_adds(b, ",\"evidence\":");
	write_raw(b, r->evidence);
	bl_buf_adds(b, ",\"message\":");
	bl_srv_jstr(b, r->message);
	bl_buf_addc(b, '}');
	return b->failed ? BL_ENOMEM : 0;
}

/* Unsigned decimal query parameter; false when present and malformed. */
static bool num_param(const struct bl_http_request *req, const char *key, uint64_t dflt,
		      uint64_t max, uint64_t *out)
{
	const char *v = bl_srv_param(req, key);
	*out = dflt;
	if (!v)
		return true;
	uint64_t n = 0;
	if (!*v || strlen(v) > 12)
		return false;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n > max ? max : n;
	return true;
}

static int results(struct bl_server *srv, const char *ref, const struct bl_http_request *req,
		   struct bl_arena *a, struct bl_http_response *resp)
{
	struct results_ctx c = {.b = &resp->body, .status = -1, .severity = -1};
	const char *st = bl_srv_param(req, "status"), *sv = bl_srv_param(req, "severity");
	if (st) {
		for (int i = 0; i < BL_NSTATUS; i++)
			if (strcmp(st, status_names[i]) == 0)
				c.status = i;
		if (c.status < 0) {
			bl_server_error(resp, 400, "status must be pass, fail, error, "
						   "not_applicable or exempt");
			return 0;
		}
	}
	if (sv && (c.severity = bl_severity_parse(sv, strlen(sv))) < 0) {
		bl_server_error(resp, 400, "severity must be critical, high, medium, low or info");
		return 0;
	}
	if (!num_param(req, "limit", 100, 1000, &c.limit) ||
	    !num_param(req, "offset", 0, UINT64_MAX, &c.offset)) {
		bl_server_error(resp, 400, "limit and offset must be non-negative integers");
		return 0;
	}
	c.control = bl_srv_param(req, "control");
	c.asset = bl_srv_param(req, "asset");
	struct bl_stored_run run;
	struct bl_error err;
	int rc = find_run(srv, ref, a, &run, &err);
	if (rc)
		return store_fail(rc, &err, resp);
	struct sevmap sm;
	if (load_sevmap(srv, &run, a, &sm))
		return BL_ENOMEM;
	c.sev = &sm;
	bl_buf_adds(c.b, "{\"run\":");
	bl_srv_jstr(c.b, run.id);
	bl_buf_adds(c.b, ",\"results\":[");
	pthread_mutex_lock(&srv->smu);
	rc = bl_store_results(srv->cfg.store, run.key, true, result_cb, &c, &err);
	pthread_mutex_unlock(&srv->smu);
	if (rc)
		return store_fail(rc, &err, resp);
	bl_buf_printf(c.b, "],\"total\":%llu,\"offset\":%llu,\"limit\":%llu}\n",
		      (unsigned long long)c.total, (unsigned long long)c.offset,
		      (unsigned long long)c.limit);
	resp->status = 200;
	return 0;
}

/* ---- drift and gaps: collected from stored results ---------------------- */

struct collect {
	struct bl_arena *a;
	struct bl_drift_entry *v;
	size_t n, cap;
};

static int collect_cb(void *ctx, const struct bl_stored_result *r)
{
	struct collect *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct bl_drift_entry *nv = bl_arena_alloc(c->a, cap * sizeof(*nv));
		if (!nv)
			return BL_ENOMEM;
		if (c->n)
			memcpy(nv, c->v, c->n * sizeof(*nv));
		c->v = nv;
		c->cap = cap;
	}
	struct bl_drift_entry *e = &c->v[c->n];
	e->control = bl_arena_strndup(c->a, r->control, strlen(r->control));
	e->asset = bl_arena_strndup(c->a, r->asset, strlen(r->asset));
	e->status = r->status;
	e->exc_expired = r->exc_state == BL_EXC_EXPIRED;
	if (!e->control || !e->asset)
		return BL_ENOMEM;
	c->n++;
	return 0;
}

static int collect_run(struct bl_server *srv, const struct bl_stored_run *run,
		       struct bl_arena *a, struct collect *c, struct bl_error *err)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	pthread_mutex_lock(&srv->smu);
	int rc = bl_store_results(srv->cfg.store, run->key, true, collect_cb, c, err);
	pthread_mutex_unlock(&srv->smu);
	return rc;
}

static int drift(struct bl_server *srv, const struct bl_http_request *req, struct bl_arena *a,
		 struct bl_http_response *resp)
{
	const char *to_ref = bl_srv_param(req, "to"), *from_ref = bl_srv_param(req, "from");
	struct bl_stored_run to, from;
	struct bl_error err;
	int rc = find_run(srv, to_ref ? to_ref : "latest", a, &to, &err);
	if (rc)
		return store_fail(rc, &err, resp);
	if (from_ref) {
		rc = find_run(srv, from_ref, a, &from, &err);
		if (rc)
			return store_fail(rc, &err, resp);
	} else {
		/* the run of the same baseline just before `to` */
		struct bl_stored_run *rs;
		size_t n;
		pthread_mutex_lock(&srv->smu);
		rc = bl_store_runs(srv->cfg.store, a, &rs, &n, &err);
		pthread_mutex_unlock(&srv->smu);
		if (rc)
			return store_fail(rc, &err, resp);
		const struct bl_stored_run *prev = NULL;
		for (size_t i = 0; i < n; i++)
			if (rs[i].key < to.key && rs[i].baseline_id && to.baseline_id &&
			    strcmp(rs[i].baseline_id, to.baseline_id) == 0)
				prev = &rs[i];
		if (!prev) {
			bl_server_error(resp, 404, "no earlier run of this baseline to compare with");
			return 0;
		}
		from = *prev;
	}
	struct collect ca, cb;
	rc = collect_run(srv, &from, a, &ca, &err);
	if (!rc)
		rc = collect_run(srv, &to, a, &cb, &err);
	if (rc)
		return store_fail(rc, &err, resp);
	struct bl_drift d;
	if (bl_drift_compare(&d, ca.v, ca.n, cb.v, cb.n))
		return BL_ENOMEM;
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, "{\"from\":");
	bl_srv_jstr(b, from.id);
	bl_buf_adds(b, ",\"to\":");
	bl_srv_jstr(b, to.id);
	bl_buf_adds(b, ",\"counts\":{");
	for (int k = 0; k < BL_DRIFT_NKINDS; k++)
		bl_buf_printf(b, "%s\"%s\":%zu", k ? "," : "",
			      bl_drift_kind_name((enum bl_drift_kind)k), d.count[k]);
	bl_buf_adds(b, "},\"items\":[");
	for (size_t i = 0; i < d.n; i++) {
		const struct bl_drift_item *it = &d.items[i];
		bl_buf_printf(b, "%s{\"kind\":\"%s\",\"control\":", i ? "," : "",
			      bl_drift_kind_name(it->kind));
		bl_srv_jstr(b, it->control);
		bl_buf_adds(b, ",\"asset\":");
		bl_srv_jstr(b, it->asset);
		bl_buf_adds(b, ",\"from\":");
		bl_srv_jstr(b, it->from < BL_NSTATUS ? status_names[it->from] : NULL);
		bl_buf_adds(b, ",\"to\":");
		bl_srv_jstr(b, it->to < BL_NSTATUS ? status_names[it->to] : NULL);
		bl_buf_addc(b, '}');
	}
	bl_buf_adds(b, "]}\n");
	bl_drift_free(&d);
	resp->status = 200;
	return 0;
}

struct gap {
	const char *control, *severity;
	int sev;
	uint64_t failing;
	const char *assets[5];
	size_t nassets;
};

static int gap_cmp(const void *pa, const void *pb)
{
	const struct gap *x = pa, *y = pb;
	if (x->sev != y->sev)
		return y->sev - x->sev;
	if (x->failing != y->failing)
		return x->failing < y->failing ? 1 : -1;
	return strcmp(x->control, y->control);
}

static int gaps(struct bl_server *srv, const struct bl_http_request *req, struct bl_arena *a,
		struct bl_http_response *resp)
{
	const char *ref = bl_srv_param(req, "run");
	struct bl_stored_run run;
	struct bl_error err;
	int rc = find_run(srv, ref ? ref : "latest", a, &run, &err);
	if (rc)
		return store_fail(rc, &err, resp);
	struct collect c;
	rc = collect_run(srv, &run, a, &c, &err);
	if (rc)
		return store_fail(rc, &err, resp);
	struct sevmap sm;
	if (load_sevmap(srv, &run, a, &sm))
		return BL_ENOMEM;
	/* results come ordered by control: one gap per run of failing results */
	struct gap *g = bl_arena_calloc(a, c.n + 1, sizeof(*g));
	if (!g)
		return BL_ENOMEM;
	size_t ng = 0;
	for (size_t i = 0; i < c.n; i++) {
		if (c.v[i].status != BL_FAIL)
			continue;
		if (!ng || strcmp(g[ng - 1].control, c.v[i].control) != 0) {
			g[ng].control = c.v[i].control;
			g[ng].severity = sev_of(&sm, c.v[i].control);
			g[ng].sev = g[ng].severity ? bl_severity_parse(g[ng].severity,
								       strlen(g[ng].severity))
						   : -1;
			ng++;
		}
		struct gap *x = &g[ng - 1];
		if (x->nassets < 5)
			x->assets[x->nassets++] = c.v[i].asset;
		x->failing++;
	}
	qsort(g, ng, sizeof(*g), gap_cmp);
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, "{\"run\":");
	bl_srv_jstr(b, run.id);
	bl_buf_adds(b, ",\"gaps\":[");
	for (size_t i = 0; i < ng; i++) {
		bl_buf_adds(b, i ? ",{\"control\":" : "{\"control\":");
		bl_srv_jstr(b, g[i].control);
		bl_buf_adds(b, ",\"severity\":");
		bl_srv_jstr(b, g[i].severity);
		bl_buf_printf(b, ",\"failing\":%llu,\"assets\":[", (unsigned long long)g[i].failing);
		for (size_t j = 0; j < g[i].nassets; j++) {
			if (j)
				bl_buf_addc(b, ',');
			bl_srv_jstr(b, g[i].assets[j]);
		}
		bl_buf_adds(b, "]}");
	}
	bl_buf_adds(b, "]}\n");
	resp->status = 200;
	return 0;
}

/* ---- what the server itself holds --------------------------------------- */

static int baselines(struct bl_server *srv, struct bl_http_response *resp, bool frameworks)
{
	struct bl_buf *b = &resp->body;
	bl_buf_adds(b, frameworks ? "{\"frameworks\":[" : "{\"baselines\":[");
	bool first = true;
	for (size_t i = 0; i < srv->nslots; i++) {
		struct bl_srv_baseline *sb = NULL;
		pthread_mutex_lock(&srv->bmu);
		sb = srv->slots[i].cur;
		atomic_fetch_add(&sb->refs, 1);
		pthread_mutex_unlock(&srv->bmu);
		const struct bl_baseline *bl = sb->b;
		if (!frameworks) {
			size_t deny = 0, enabled = 0;
			for (size_t k = 0; k < bl->ncontrols; k++) {
				enabled += bl->controls[k].effect != BL_EFFECT_DISABLED;
				deny += bl->controls[k].effect == BL_EFFECT_DENY;
			}
			bl_buf_adds(b, first ? "{\"id\":" : ",{\"id\":");
			first = false;
			bl_srv_jstr(b, bl->id);
			bl_buf_adds(b, ",\"version\":");
			bl_srv_jstr(b, bl->version);
			bl_buf_adds(b, ",\"title\":");
			bl_srv_jstr(b, bl->title);
			bl_buf_adds(b, ",\"file\":");
			bl_srv_jstr(b, srv->slots[i].path);
			bl_buf_printf(b, ",\"sha256\":\"%s\",\"controls\":%zu,\"deny\":%zu}",
				      bl->sha256, enabled, deny);
		} else {
			/* each framework once per baseline, with the count of its controls
			 * that map to it */
			for (size_t k = 0; k < bl->ncontrols; k++)
				for (size_t m = 0; m < bl->controls[k].nmaps; m++) {
					const char *fw = bl->controls[k].maps[m].framework;
					bool seen = false;
					for (size_t p = 0; p < k && !seen; p++)
						for (size_t q = 0; q < bl->controls[p].nmaps; q++)
							if (strcmp(bl->controls[p].maps[q].framework,
								   fw) == 0)
								seen = true;
					for (size_t q = 0; q < m && !seen; q++)
						if (strcmp(bl->controls[k].maps[q].framework, fw) == 0)
							seen = true;
					if (seen)
						continue;
					size_t nc = 0;
					for (size_t p = 0; p < bl->ncontrols; p++)
						for (size_t q = 0; q < bl->controls[p].nmaps; q++)
							if (strcmp(bl->controls[p].maps[q].framework,
								   fw) == 0) {
								nc++;
								break;
							}
					bl_buf_adds(b, first ? "{\"id\":" : ",{\"id\":");
					first = false;
					bl_srv_jstr(b, fw);
					bl_buf_adds(b, ",\"baseline\":");
					bl_srv_jstr(b, bl->id);
					bl_buf_printf(b, ",\"controls\":%zu}", nc);
				}
		}
		bl_srv_baseline_put(sb);
	}
	bl_buf_adds(b, "]}\n");
	resp->status = 200;
	return 0;
}

int bl_srv_read(struct bl_server *srv, enum bl_srv_route r, const char *arg,
		const struct bl_http_request *req, struct bl_arena *a,
		struct bl_http_response *resp)
{
	resp->content_type = "application/json";
	if (r == R_BASELINES || r == R_FRAMEWORKS)
		return baselines(srv, resp, r == R_FRAMEWORKS);
	if (!srv->cfg.store) {
		bl_server_error(resp, 503, "the server has no store");
		return 0;
	}
	struct bl_stored_run run;
	struct bl_error err;
	int rc;
	switch (r) {
	case R_RUNS:
		return runs(srv, a, resp, false, bl_srv_param(req, "baseline"));
	case R_TREND:
		return runs(srv, a, resp, true, bl_srv_param(req, "baseline"));
	case R_RUN:
		rc = find_run(srv, arg, a, &run, &err);
		if (rc)
			return store_fail(rc, &err, resp);
		write_run(&resp->body, &run, true);
		bl_buf_addc(&resp->body, '\n');
		resp->status = 200;
		return 0;
	case R_RESULTS:
		return results(srv, arg, req, a, resp);
	case R_DRIFT:
		return drift(srv, req, a, resp);
	case R_GAPS:
		return gaps(srv, req, a, resp);
	default:
		bl_server_error(resp, 404, "no such route");
		return 0;
	}
}
