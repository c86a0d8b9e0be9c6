/*
 * json.c - the result document of FORMATS.md §8 ("baseline.result/1").
 *
 * Results are spooled, one compact JSON object per line, to an unlinked
 * temporary file while the run streams; finish writes run, summary and
 * frameworks (known only at the end) and then copies the spool, so memory
 * stays bounded however many results a run has.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"

struct json_state {
	FILE *spool;
	uint64_t n;
	struct bl_buf buf;
};

static int json_open(struct bl_report *r, struct bl_error *err)
{
	struct json_state *s = r->state;
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	bl_buf_init(&s->buf, 0);
	return 0;
}

static int json_result(struct bl_report *r, const struct bl_result *res)
{
	struct json_state *s = r->state;
	if (res->status == BL_NA && !r->opts.all)
		return 0;
	bl_buf_reset(&s->buf);
	if (s->n)
		bl_buf_adds(&s->buf, ",\n    ");
	if (bl_report_result_json(&s->buf, res))
		return BL_ENOMEM;
	if (fwrite(s->buf.data, 1, s->buf.len, s->spool) != s->buf.len)
		return BL_EIO;
	s->n++;
	return 0;
}

static void put_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void put_compliance(struct bl_buf *b, const struct bl_tally *t)
{
	double c = bl_tally_compliance(t);
	if (c < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", c);
}

static void put_tally(struct bl_buf *b, const struct bl_tally *t)
{
	bl_buf_printf(b, "\"pass\": %llu, \"fail\": %llu, \"error\": %llu, \"exempt\": %llu, "
			 "\"compliance\": ",
		      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_EXEMPT]);
	put_compliance(b, t);
}

/* True when a tally has any result that scores count (not only n/a). */
static bool scored(const struct bl_tally *t)
{
	return t->n[BL_PASS] || t->n[BL_FAIL] || t->n[BL_ERROR] || t->n[BL_EXEMPT];
}

static void put_groups(struct bl_buf *b, const char *name, const char *key,
		       const struct bl_score_groups *g)
{
	bl_buf_printf(b, ",\n    \"%s\": [", name);
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (!scored(&g->items[i].t))
			continue;
		bl_buf_printf(b, "%s{\"%s\": ", k++ ? ", " : "", key);
		put_str(b, g->items[i].key);
		bl_buf_adds(b, ", ");
		put_tally(b, &g->items[i].t);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
}

/* "scores" (additive to baseline.result/1): see docs/results.md. */
static void put_scores(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_scores *sc = run->scores;
	if (!sc) {
		bl_buf_adds(b, "  \"scores\": null,\n");
		return;
	}
	bl_buf_adds(b, "  \"scores\": {\"compliance\": ");
	put_compliance(b, &run->stats->total);
	bl_buf_printf(b, ", \"exempt\": %llu,\n    \"weighted\": {\"compliance\": ",
		      (unsigned long long)run->stats->total.n[BL_EXEMPT]);
	double w = bl_scores_weighted(sc);
	if (w < 0)
		bl_buf_adds(b, "null");
	else
		bl_buf_printf(b, "%.2f", w);
	bl_buf_printf(b, ", \"weights\": {\"critical\": %u, \"high\": %u, \"medium\": %u, "
			 "\"low\": %u, \"info\": %u}, \"pass\": %llu, \"fail\": %llu, "
			 "\"error\": %llu, \"exempt\": %llu}",
		      bl_severity_weights[BL_SEV_CRITICAL], bl_severity_weights[BL_SEV_HIGH],
		      bl_severity_weights[BL_SEV_MEDIUM], bl_severity_weights[BL_SEV_LOW],
		      bl_severity_weights[BL_SEV_INFO], (unsigned long long)sc->weighted[BL_PASS],
		      (unsigned long long)sc->weighted[BL_FAIL], (unsigned long long)sc->weighted[BL_ERROR],
		      (unsigned long long)sc->weighted[BL_EXEMPT]);
	bl_buf_adds(b, ",\n    \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(b, f ? ", {\"id\": " : "{\"id\": ");
		put_str(b, fw->id);
		bl_buf_adds(b, ", \"compliance\": ");
		put_compliance(b, &fw->tally);
		bl_buf_adds(b, ", \"controls\": [");
		for (size_t k = 0, shown = 0; k < fw->ncontrols; k++) {
			/* not_covered controls have no score; the frameworks section lists them */
			if (fw->controls[k].status == BL_FW_NOT_COVERED)
				continue;
			bl_buf_adds(b, shown++ ? ", {\"id\": " : "{\"id\": ");
			put_str(b, fw->controls[k].id);
			bl_buf_adds(b, ", \"compliance\": ");
			put_compliance(b, &fw->controls[k].tally);
			bl_buf_addc(b, '}');
		}
		bl_buf_adds(b, "]}");
	}
	bl_buf_adds(b, "],\n    \"tiers\": [");
	size_t k = 0;
	for (int t = 1; t <= 4; t++) {
		const struct bl_tally *tt = &sc->tiers[t == 4 ? 0 : t];
		if (!scored(tt))
			continue;
		if (t == 4)
			bl_buf_printf(b, "%s{\"tier\": null, ", k++ ? ", " : "");
		else
			bl_buf_printf(b, "%s{\"tier\": %d, ", k++ ? ", " : "", t);
		put_tally(b, tt);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
	put_groups(b, "environments", "environment", &sc->envs);
	put_groups(b, "owners", "owner", &sc->owners);
	bl_buf_adds(b, "},\n");
}

/* "inventory" and "exceptions" (additive): see docs/results.md. */
static void put_governance(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_run_stats *st = run->stats;
	if (run->inventory) {
		bl_buf_adds(b, "  \"inventory\": {\"id\": ");
		put_str(b, run->inventory->id);
		bl_buf_adds(b, ", \"file\": ");
		put_str(b, run->inventory->file);
		bl_buf_printf(b, ", \"assets_without_tier\": %llu, \"assets_unknown_tier\": %llu, "
				 "\"classify_errors\": %llu},\n",
			      (unsigned long long)st->untiered, (unsigned long long)st->unknown_tier,
			      (unsigned long long)st->rule_errors);
	} else {
		bl_buf_adds(b, "  \"inventory\": null,\n");
	}
	const struct bl_exceptions *x = run->exceptions;
	if (!x) {
		bl_buf_adds(b, "  \"exceptions\": null,\n");
		return;
	}
	size_t active = 0, expired = 0, stale = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (bl_exception_active(&x->items[i], run->now))
			active++;
		else
			expired++;
		if (i < st->nexceptions && st->per_exception[i] == 0)
			stale++;
	}
	bl_buf_adds(b, "  \"exceptions\": {\"file\": ");
	put_str(b, x->file);
	bl_buf_printf(b, ", \"active\": %zu, \"expired\": %zu, \"stale\": %zu, \"items\": [",
		      active, expired, stale);
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		uint64_t m = i < st->nexceptions ? st->per_exception[i] : 0;
		bl_buf_adds(b, i ? ",\n      {\"id\": " : "\n      {\"id\": ");
		put_str(b, e->id);
		bl_buf_adds(b, ", \"control\": ");
		put_str(b, e->control);
		bl_buf_printf(b, ", \"category\": \"%s\", \"expires\": \"%s\", \"state\": \"%s\", "
				 "\"stale\": %s, \"matches\": %llu}",
			      bl_exc_category_name(e->category), e->expires,
			      bl_report_exc_state(e, run->now), m ? "false" : "true",
			      (unsigned long long)m);
	}
	bl_buf_adds(b, x->n ? "\n    ]},\n" : "]},\n");
}

static int json_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct json_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	const struct bl_run_stats *st = run->stats;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_adds(&b, "{\n  \"schema\": \"baseline.result/1\",\n  \"run\": {\"id\": ");
	put_str(&b, run->id);
	bl_buf_adds(&b, ", \"started\": ");
	put_str(&b, run->started);
	bl_buf_adds(&b, ", \"finished\": ");
	put_str(&b, run->finished);
	bl_buf_adds(&b, ",\n          \"baseline\": {\"id\": ");
	put_str(&b, bl->id);
	bl_buf_adds(&b, ", \"version\": ");
	put_str(&b, bl->version);
	bl_buf_adds(&b, ", \"sha256\": ");
	put_str(&b, bl->sha256);
	bl_buf_adds(&b, "},\n          \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(&b, ", ");
		put_str(&b, run->targets[i]);
	}
	bl_buf_adds(&b, "], \"tool\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION "\"}},\n");
	bl_buf_printf(&b, "  \"summary\": {\"assets\": %llu, \"controls\": %llu, \"pass\": %llu, "
			  "\"fail\": %llu, \"error\": %llu, \"not_applicable\": %llu, \"exempt\": %llu, "
			  "\"compliance\": ",
		      (unsigned long long)st->assets, (unsigned long long)st->controls,
		      (unsigned long long)st->total.n[BL_PASS], (unsigned long long)st->total.n[BL_FAIL],
		      (unsigned long long)st->total.n[BL_ERROR], (unsigned long long)st->total.n[BL_NA],
		      (unsigned long long)st->total.n[BL_EXEMPT]);
	put_compliance(&b, &st->total);
	bl_buf_adds(&b, "},\n  \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(&b, f ? ",\n    {\"id\": " : "\n    {\"id\": ");
		put_str(&b, fw->id);
		bl_buf_adds(&b, ", \"compliance\": ");
		put_compliance(&b, &fw->tally);
		bl_buf_adds(&b, ", \"controls\": [");
		for (size_t k = 0; k < fw->ncontrols; k++) {
			const struct bl_fw_control *fc = &fw->controls[k];
			bl_buf_adds(&b, k ? ",\n      {\"id\": " : "\n      {\"id\": ");
			put_str(&b, fc->id);
			bl_buf_printf(&b, ", \"status\": \"%s\", \"pass\": %llu, \"fail\": %llu, "
					  "\"error\": %llu, \"exempt\": %llu}",
				      bl_fw_status_name(fc->status),
				      (unsigned long long)fc->tally.n[BL_PASS],
				      (unsigned long long)fc->tally.n[BL_FAIL],
				      (unsigned long long)fc->tally.n[BL_ERROR],
				      (unsigned long long)fc->tally.n[BL_EXEMPT]);
		}
		bl_buf_adds(&b, fw->ncontrols ? "\n    ]}" : "]}");
	}
	bl_buf_adds(&b, run->rollup && run->rollup->n ? "\n  ],\n" : "],\n");
	put_scores(&b, run);
	put_governance(&b, run);
	bl_buf_adds(&b, "  \"results\": [");
	if (s->n)
		bl_buf_adds(&b, "\n    ");
	if (b.failed) {
		bl_buf_free(&b);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = 0;
	if (fwrite(b.data, 1, b.len, out) != b.len)
		rc = BL_EIO;
	bl_buf_free(&b);
	if (!rc && fflush(s->spool) == 0 && fseek(s->spool, 0, SEEK_SET) == 0) {
		char tmp[65536];
		size_t n;
		while ((n = fread(tmp, 1, sizeof(tmp), s->spool)) > 0)
			if (fwrite(tmp, 1, n, out) != n) {
				rc = BL_EIO;
				break;
			}
		if (ferror(s->spool))
			rc = BL_EIO;
	} else if (!rc) {
		rc = BL_EIO;
	}
	if (!rc && fputs(s->n ? "\n  ]\n}\n" : "]\n}\n", out) == EOF)
		rc = BL_EIO;
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0, "cannot write the JSON report");
	return 0;
}

static void json_free(struct bl_report *r)
{
	struct json_state *s = r->state;
	if (s->spool)
		fclose(s->spool);
	bl_buf_free(&s->buf);
}

const struct bl_report_ops bl_report_json = {
	.name = "json",
	.size = sizeof(struct json_state),
	.open = json_open,
	.result = json_result,
	.finish = json_finish,
	.free = json_free,
};
