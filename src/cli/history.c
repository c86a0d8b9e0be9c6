/*
 * history.c - the compliance history of a baseline in the run store, for
 * the trend chart of the HTML report (assess and report both draw it).
 */
#include <string.h>

#include "cli/cli.h"
#include "doc/json.h"

int bl_cli_trend_points(struct bl_store *st, const char *baseline_id, const char *upto_id,
			struct bl_arena *a, const struct bl_trend_point **out, size_t *n,
			struct bl_error *err)
{
	*out = NULL;
	*n = 0;
	struct bl_stored_run *runs = NULL;
	size_t nruns = 0;
	int rc = bl_store_runs(st, a, &runs, &nruns, err);
	if (rc)
		return rc;
	struct bl_trend_point *pts = bl_arena_calloc(a, nruns + 1, sizeof(*pts));
	if (!pts)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < nruns; i++) {
		const struct bl_stored_run *r = &runs[i];
		if (!r->baseline_id || strcmp(r->baseline_id, baseline_id) != 0)
			continue;
		pts[k].run_id = r->id;
		pts[k].finished = r->finished;
		pts[k].compliance = bl_tally_compliance(&r->total);
		k++;
		if (upto_id && strcmp(r->id, upto_id) == 0)
			break;
	}
	*out = pts;
	*n = k;
	return 0;
}

int bl_cli_run_targets(const struct bl_stored_run *r, struct bl_arena *a, const char ***out,
		       size_t *n)
{
	*out = NULL;
	*n = 0;
	const struct bl_value *v = NULL;
	if (!r->targets || bl_json_parse(&v, a, r->targets, strlen(r->targets), "targets", NULL,
					 NULL) != 0 || v->type != BL_VARR)
		return 0;  /* a run without readable targets belongs to no target */
	const char **t = bl_arena_calloc(a, (size_t)v->u.arr.n + 1, sizeof(*t));
	if (!t)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < v->u.arr.n; i++) {
		const struct bl_value *s = &v->u.arr.items[i];
		if (s->type != BL_VSTR)
			continue;
		if (!(t[*n] = bl_arena_strndup(a, s->u.str.s, s->u.str.len)))
			return BL_ENOMEM;
		(*n)++;
	}
	*out = t;
	return 0;
}

bool bl_cli_run_has_target(const struct bl_stored_run *r, const char *target, struct bl_arena *a)
{
	const char **t;
	size_t n;
	if (bl_cli_run_targets(r, a, &t, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i], target) == 0)
			return true;
	return false;
}

struct sev_ctx {
	const struct bl_value *controls;
	uint64_t *failing;
	/* the last control looked up: results come ordered by control */
	const char *last;
	size_t lastlen;
	int lastsev;
	struct bl_arena *a;
};

enum bl_severity bl_cli_control_severity(const struct bl_value *controls, const char *id)
{
	if (!controls || controls->type != BL_VARR)
		return BL_SEV_MEDIUM;
	size_t len = strlen(id);
	for (uint32_t i = 0; i < controls->u.arr.n; i++) {
		const struct bl_value *c = &controls->u.arr.items[i];
		const struct bl_value *cid = bl_value_getz(c, "id");
		if (!cid || cid->type != BL_VSTR || cid->u.str.len != len ||
		    memcmp(cid->u.str.s, id, len) != 0)
			continue;
		const struct bl_value *s = bl_value_getz(c, "severity");
		int sev = s && s->type == BL_VSTR ? bl_severity_parse(s->u.str.s, s->u.str.len) : -1;
		return sev < 0 ? BL_SEV_MEDIUM : (enum bl_severity)sev;
	}
	return BL_SEV_MEDIUM;
}

static int count_sev(void *ctx, const struct bl_stored_result *r)
{
	struct sev_ctx *c = ctx;
	if (r->status != BL_FAIL && r->status != BL_ERROR)
		return 0;
	size_t len = strlen(r->control);
	if (!c->last || c->lastlen != len || memcmp(c->last, r->control, len) != 0) {
		c->last = bl_arena_strndup(c->a, r->control, len);
		if (!c->last)
			return BL_ENOMEM;
		c->lastlen = len;
		c->lastsev = (int)bl_cli_control_severity(c->controls, r->control);
	}
	c->failing[c->lastsev]++;
	return 0;
}

int bl_cli_run_failing_by_severity(struct bl_store *st, const struct bl_stored_run *r,
				   struct bl_arena *a, uint64_t failing[5], struct bl_error *err)
{
	memset(failing, 0, 5 * sizeof(*failing));
	const char *json = NULL;
	size_t len = 0;
	const struct bl_value *doc = NULL;
	struct sev_ctx c = {.failing = failing, .a = a};
	if (bl_store_baseline_json(st, r->baseline_sha256, a, &json, &len, err) == 0 &&
	    bl_json_parse(&doc, a, json, len, "stored baseline", NULL, err) == 0)
		c.controls = bl_value_getz(doc, "controls");
	bl_error_clear(err);
	int rc = bl_store_results(st, r->key, true, count_sev, &c, err);
	if (rc == BL_ENOMEM)
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return rc;
}
