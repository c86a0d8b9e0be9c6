/*
 * json_summary.c - the head of the result document (FORMATS.md §8): the
 * run, its summary, the framework roll-up, scores and governance (inventory,
 * exceptions), known only when the run has finished.  json.c writes it at
 * finish, before it copies the spooled results; nothing here is on the
 * per-result path.
 */
#include "report/json_summary.h"

#include <stdint.h>
#include <string.h>

#include "doc/json.h"

/* Append without a check: the caller reserved the room. */
static inline char *put(char *o, const void *p, size_t n)
{
	memcpy(o, p, n);
	return o + n;
}

/* A literal: a copy of constant size, which compiles to a few moves. */
#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

/* Append v in decimal, as printf's "%llu". */
static void put_u64(struct bl_buf *b, uint64_t v)
{
	char t[24];
	size_t k = sizeof(t);
	do {
		t[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	bl_buf_add(b, t + k, sizeof(t) - k);
}

/* v in decimal at o, as printf's "%llu". */
static char *put_dec(char *o, uint64_t v)
{
	char t[20];
	size_t k = sizeof(t);
	do {
		t[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put(o, t + k, sizeof(t) - k);
}

/* Longest control id and status name put_fw_line writes in one piece. */
#define FW_ID_MAX 64u
#define FW_STATUS_MAX 32u

/*
 * One framework control's entry in one add: a catalog lists hundreds of
 * controls, most not covered, and field-by-field appends were most of the
 * report of a run with few results (a guardrail or an empty snapshot).
 * False (nothing written) for an id or status that does not fit or is not
 * ASCII: the caller then writes the same bytes field by field.
 */
static bool put_fw_line(struct bl_buf *b, const struct bl_fw_control *fc, bool first)
{
	char line[sizeof(",\n      {\"id\": , \"status\": \"\", \"pass\": , \"fail\": , "
			 "\"error\": , \"exempt\": }") + 6 * FW_ID_MAX + 2 + BL_JSON_ASCII_SLACK + FW_STATUS_MAX +
		  4 * 20];
	const char *st = bl_fw_status_name(fc->status);
	size_t idlen = strnlen(fc->id, FW_ID_MAX + 1), stlen = strnlen(st, FW_STATUS_MAX + 1);
	if (idlen > FW_ID_MAX || stlen > FW_STATUS_MAX)
		return false;
	char *o = first ? PUT_LIT(line, "\n      {\"id\": ") : PUT_LIT(line, ",\n      {\"id\": ");
	if (!(o = bl_json_put_ascii(o, fc->id, idlen)))
		return false;
	o = PUT_LIT(o, ", \"status\": \"");
	o = put(o, st, stlen);
	const uint64_t *n = fc->tally.n;
	if (!(n[BL_PASS] | n[BL_FAIL] | n[BL_ERROR] | n[BL_EXEMPT])) {
		/* not covered by any result: most of a catalog */
		o = PUT_LIT(o, "\", \"pass\": 0, \"fail\": 0, \"error\": 0, \"exempt\": 0}");
		bl_buf_add(b, line, (size_t)(o - line));
		return true;
	}
	o = PUT_LIT(o, "\", \"pass\": ");
	o = put_dec(o, n[BL_PASS]);
	o = PUT_LIT(o, ", \"fail\": ");
	o = put_dec(o, n[BL_FAIL]);
	o = PUT_LIT(o, ", \"error\": ");
	o = put_dec(o, n[BL_ERROR]);
	o = PUT_LIT(o, ", \"exempt\": ");
	o = put_dec(o, n[BL_EXEMPT]);
	*o++ = '}';
	bl_buf_add(b, line, (size_t)(o - line));
	return true;
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

void bl_report_json_summary(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_baseline *bl = run->baseline;
	const struct bl_run_stats *st = run->stats;
	bl_buf_adds(b, "{\n  \"schema\": \"baseline.result/1\",\n  \"run\": {\"id\": ");
	put_str(b, run->id);
	bl_buf_adds(b, ", \"started\": ");
	put_str(b, run->started);
	bl_buf_adds(b, ", \"finished\": ");
	put_str(b, run->finished);
	bl_buf_adds(b, ",\n          \"baseline\": {\"id\": ");
	put_str(b, bl->id);
	bl_buf_adds(b, ", \"version\": ");
	put_str(b, bl->version);
	bl_buf_adds(b, ", \"sha256\": ");
	put_str(b, bl->sha256);
	bl_buf_adds(b, "},\n          \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(b, ", ");
		put_str(b, run->targets[i]);
	}
	bl_buf_adds(b, "], \"tool\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION "\"}},\n");
	bl_buf_printf(b, "  \"summary\": {\"assets\": %llu, \"controls\": %llu, \"pass\": %llu, "
			  "\"fail\": %llu, \"error\": %llu, \"not_applicable\": %llu, \"exempt\": %llu, "
			  "\"compliance\": ",
		      (unsigned long long)st->assets, (unsigned long long)st->controls,
		      (unsigned long long)st->total.n[BL_PASS], (unsigned long long)st->total.n[BL_FAIL],
		      (unsigned long long)st->total.n[BL_ERROR], (unsigned long long)st->total.n[BL_NA],
		      (unsigned long long)st->total.n[BL_EXEMPT]);
	put_compliance(b, &st->total);
	bl_buf_adds(b, "},\n  \"frameworks\": [");
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		bl_buf_adds(b, f ? ",\n    {\"id\": " : "\n    {\"id\": ");
		put_str(b, fw->id);
		bl_buf_adds(b, ", \"compliance\": ");
		put_compliance(b, &fw->tally);
		bl_buf_adds(b, ", \"controls\": [");
		for (size_t k = 0; k < fw->ncontrols; k++) {
			const struct bl_fw_control *fc = &fw->controls[k];
			if (put_fw_line(b, fc, k == 0))
				continue;
			bl_buf_adds(b, k ? ",\n      {\"id\": " : "\n      {\"id\": ");
			put_str(b, fc->id);
			bl_buf_adds(b, ", \"status\": \"");
			bl_buf_adds(b, bl_fw_status_name(fc->status));
			bl_buf_adds(b, "\", \"pass\": ");
			put_u64(b, fc->tally.n[BL_PASS]);
			bl_buf_adds(b, ", \"fail\": ");
			put_u64(b, fc->tally.n[BL_FAIL]);
			bl_buf_adds(b, ", \"error\": ");
			put_u64(b, fc->tally.n[BL_ERROR]);
			bl_buf_adds(b, ", \"exempt\": ");
			put_u64(b, fc->tally.n[BL_EXEMPT]);
			bl_buf_addc(b, '}');
		}
		bl_buf_adds(b, fw->ncontrols ? "\n    ]}" : "]}");
	}
	bl_buf_adds(b, run->rollup && run->rollup->n ? "\n  ],\n" : "],\n");
	put_scores(b, run);
	put_governance(b, run);
}
