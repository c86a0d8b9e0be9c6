/*
 * oscal_ar.c - OSCAL 1.2.1 assessment results (JSON), docs/formats.md
 * "OSCAL assessment results".
 *
 * One result per run.  reviewed-controls selects, per framework the
 * baseline maps to, the framework controls that some enabled baseline
 * control covers.  Every fail, error and exempt result becomes an
 * observation (relevant-evidence: the evidence lines); every framework
 * control with assessed results becomes a finding whose target is the
 * control's objective, satisfied only when all its results pass, linked to
 * the observations of the baseline controls mapped to it.  Passing results
 * are counted in the finding's props, not listed one by one.
 *
 * Observations are kept in a chain spool keyed by baseline control
 * (wutil.h): each record is the observation JSON without its "collected"
 * time and closing brace, its UUID at a fixed place, so findings can list
 * them per control and memory does not grow with results.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "report/wutil.h"

struct ar_state {
	struct bl_chain chain;
	struct bl_buf buf, tmp;
	uint64_t nobs;
};

#define OBS_UUID_AT 10   /* strlen("{\"uuid\": \"") */

static int ar_open(struct bl_report *r, struct bl_error *err)
{
	struct ar_state *s = r->state;
	bl_buf_init(&s->buf, 0);
	bl_buf_init(&s->tmp, 0);
	int rc = bl_chain_open(&s->chain, r->baseline->ncontrols);
	if (rc == BL_EIO)
		return bl_error_set(err, rc, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0, "out of memory");
	return 0;
}

static int ar_result(struct bl_report *r, const struct bl_result *res)
{
	struct ar_state *s = r->state;
	if (res->status != BL_FAIL && res->status != BL_ERROR && res->status != BL_EXEMPT)
		return 0;
	const struct bl_control *c = res->control;
	const struct bl_asset *a = res->asset;
	if (c->index >= r->baseline->ncontrols)
		return BL_EINTERNAL;
	char uuid[37];
	bl_report_uuid4(uuid);
	struct bl_buf *b = &s->buf;
	bl_buf_reset(b);
	bl_buf_printf(b, "{\"uuid\": \"%s\", \"title\": ", uuid);
	bl_buf_reset(&s->tmp);
	bl_buf_printf(&s->tmp, "%s on %s", c->id, a->id);
	bl_oscal_str(b, s->tmp.data, c->id);
	bl_buf_adds(b, ", \"description\": ");
	bl_json_write_str(b, res->message, strlen(res->message));
	bl_buf_adds(b, ", \"props\": [");
	bl_oscal_prop(b, true, "control", c->id);
	bl_oscal_prop(b, false, "asset", a->id);
	if (a->type && a->type[0])
		bl_oscal_prop(b, false, "asset-type", a->type);
	bl_oscal_prop(b, false, "status", bl_status_name(res->status));
	bl_oscal_prop(b, false, "severity", bl_severity_name(c->severity));
	if (a->tier) {
		char t[2] = {(char)('0' + a->tier % 10), '\0'};
		bl_oscal_prop(b, false, "tier", t);
	}
	if (a->environment)
		bl_oscal_prop(b, false, "environment", a->environment);
	if (a->owner)
		bl_oscal_prop(b, false, "owner", a->owner);
	if (res->exception && (res->exc_state == BL_EXC_ACTIVE || res->exc_state == BL_EXC_EXPIRED))
		bl_oscal_prop(b, false, res->exc_state == BL_EXC_ACTIVE ? "exception" : "expired-exception",
			      res->exception->id);
	bl_buf_adds(b, "], \"methods\": [\"TEST\"], \"types\": [\"finding\"]");
	/* relevant-evidence needs at least one item: the message stands in */
	bl_buf_adds(b, ", \"relevant-evidence\": [");
	if (res->nevidence == 0) {
		bl_buf_adds(b, "{\"description\": ");
		bl_json_write_str(b, res->message, strlen(res->message));
		bl_buf_addc(b, '}');
	}
	for (size_t i = 0; i < res->nevidence; i++) {
		struct bl_result one = *res;
		one.evidence = &res->evidence[i];
		one.nevidence = 1;
		bl_buf_reset(&s->tmp);
		bl_report_evidence_text(&s->tmp, &one, "");
		bl_buf_adds(b, i ? ", {\"description\": " : "{\"description\": ");
		bl_json_write_str(b, s->tmp.data ? s->tmp.data : "", s->tmp.len);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
	if (b->failed || s->tmp.failed)
		return BL_ENOMEM;
	s->nobs++;
	return bl_chain_add(&s->chain, c->index, b->data, b->len);
}

/* A UUID the OSCAL schema accepts (version 4 or 5). */
static bool oscal_uuid(const char *u)
{
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = u[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? c != '-' : !hex)
			return false;
	}
	return (u[14] == '4' || u[14] == '5') && strchr("89abAB", u[19]) != NULL;
}

struct emit {
	FILE *out;
	const char *collected;
	bool any;
};

static int put_obs(void *ctx, const char *data, size_t len)
{
	struct emit *e = ctx;
	if (fputs(e->any ? ",\n        " : "\n        ", e->out) == EOF ||
	    fwrite(data, 1, len, e->out) != len ||
	    fprintf(e->out, ", \"collected\": \"%s\"}", e->collected) < 0)
		return BL_EIO;
	e->any = true;
	return 0;
}

static int put_related(void *ctx, const char *data, size_t len)
{
	struct emit *e = ctx;
	if (len < OBS_UUID_AT + 36)
		return BL_EINTERNAL;
	if (fputs(e->any ? ", " : ", \"related-observations\": [", e->out) == EOF ||
	    fprintf(e->out, "{\"observation-uuid\": \"%.36s\"}", data + OBS_UUID_AT) < 0)
		return BL_EIO;
	e->any = true;
	return 0;
}

static int flush_buf(struct bl_buf *b, FILE *out)
{
	int rc = b->failed ? BL_ENOMEM : (b->len && fwrite(b->data, 1, b->len, out) != b->len) ? BL_EIO : 0;
	bl_buf_reset(b);
	return rc;
}

/* "prefix" for framework control ids that do not start with a letter. */
static void fw_prefix(struct bl_buf *b, const char *fw)
{
	bl_buf_reset(b);
	bl_oscal_token(b, fw, "fw-");
	bl_buf_addc(b, '-');
}

static void put_selections(struct bl_buf *b, struct bl_buf *tmp, const struct bl_run_info *run)
{
	bl_buf_adds(b, "        \"reviewed-controls\": {\"control-selections\": [");
	size_t nsel = 0;
	for (size_t f = 0; run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		size_t k = 0;
		for (size_t i = 0; i < fw->ncontrols; i++) {
			if (fw->controls[i].status == BL_FW_NOT_COVERED)
				continue;
			if (k++ == 0) {
				bl_buf_adds(b, nsel++ ? ",\n          {\"description\": " : "\n          {\"description\": ");
				bl_buf_reset(tmp);
				bl_buf_printf(tmp, "Controls of %s that the baseline covers", fw->id);
				bl_json_write_str(b, tmp->data, tmp->len);
				bl_buf_adds(b, ", \"props\": [");
				bl_oscal_prop(b, true, "framework", fw->id);
				bl_buf_adds(b, "], \"include-controls\": [");
			}
			fw_prefix(tmp, fw->id);
			bl_buf_adds(b, k > 1 ? ", {\"control-id\": \"" : "{\"control-id\": \"");
			bl_oscal_token(b, fw->controls[i].id, tmp->data);
			bl_buf_adds(b, "\"}");
		}
		if (k)
			bl_buf_adds(b, "]}");
	}
	if (!nsel) {
		/* no framework mapping: the baseline's own controls are what was reviewed */
		bl_buf_adds(b, "\n          {\"description\": \"Controls of the baseline (it maps to no "
			       "framework)\", \"include-controls\": [");
		size_t k = 0;
		for (size_t i = 0; i < run->baseline->ncontrols; i++) {
			const struct bl_control *c = &run->baseline->controls[i];
			if (c->effect == BL_EFFECT_DISABLED)
				continue;
			bl_buf_adds(b, k++ ? ", {\"control-id\": \"" : "{\"control-id\": \"");
			bl_oscal_token(b, c->id, "c-");
			bl_buf_adds(b, "\"}");
		}
		if (!k)
			bl_buf_adds(b, "{\"control-id\": \"none\"}");
		bl_buf_adds(b, "]}");
	}
	bl_buf_adds(b, "\n        ]},\n");
}

static int put_findings(struct ar_state *s, const struct bl_run_info *run, FILE *out)
{
	struct bl_buf *b = &s->buf, *tmp = &s->tmp;
	bl_buf_adds(b, "        \"findings\": [");
	size_t nf = 0;
	int rc = 0;
	for (size_t f = 0; !rc && run->rollup && f < run->rollup->n; f++) {
		const struct bl_fw *fw = &run->rollup->fws[f];
		for (size_t i = 0; !rc && i < fw->ncontrols; i++) {
			const struct bl_fw_control *fc = &fw->controls[i];
			if (fc->status == BL_FW_NOT_COVERED || fc->status == BL_FW_NA)
				continue;
			char uuid[37];
			bl_report_uuid4(uuid);
			bl_buf_printf(b, "%s{\"uuid\": \"%s\", \"title\": ", nf++ ? ",\n          " : "\n          ",
				      uuid);
			bl_buf_reset(tmp);
			bl_buf_printf(tmp, "%s %s", fw->id, fc->id);
			bl_oscal_str(b, tmp->data, "framework control");
			bl_buf_reset(tmp);
			bl_buf_printf(tmp, "%zu baseline control%s mapped: %llu pass, %llu fail, %llu error, "
					   "%llu exempt.",
				      fc->nmapped, fc->nmapped == 1 ? "" : "s",
				      (unsigned long long)fc->tally.n[BL_PASS],
				      (unsigned long long)fc->tally.n[BL_FAIL],
				      (unsigned long long)fc->tally.n[BL_ERROR],
				      (unsigned long long)fc->tally.n[BL_EXEMPT]);
			bl_buf_adds(b, ", \"description\": ");
			bl_json_write_str(b, tmp->data, tmp->len);
			bl_buf_adds(b, ", \"props\": [");
			bl_oscal_prop(b, true, "framework", fw->id);
			bl_oscal_prop(b, false, "framework-control", fc->id);
			bl_oscal_prop(b, false, "status", bl_fw_status_name(fc->status));
			for (size_t m = 0; m < fc->nmapped; m++)
				bl_oscal_prop(b, false, "baseline-control", fc->mapped[m]->id);
			bool ok = fc->status == BL_FW_PASS;
			bl_buf_adds(b, "],\n           \"target\": {\"type\": \"objective-id\", \"target-id\": \"");
			fw_prefix(tmp, fw->id);
			bl_oscal_token(b, fc->id, tmp->data);
			bl_buf_printf(b, "_obj\", \"status\": {\"state\": \"%s\", \"reason\": \"%s\"",
				      ok ? "satisfied" : "not-satisfied",
				      ok ? "pass" : fc->status == BL_FW_FAIL ? "fail" : "other");
			if (fc->status == BL_FW_EXEMPT)
				bl_buf_adds(b, ", \"remarks\": \"Every failure is covered by an approved "
					       "exception.\"");
			else if (fc->status == BL_FW_ERROR)
				bl_buf_adds(b, ", \"remarks\": \"Some assets could not be evaluated.\"");
			bl_buf_adds(b, "}}");
			rc = flush_buf(b, out);
			struct emit e = {.out = out};
			for (size_t m = 0; !rc && m < fc->nmapped; m++) {
				size_t ci = fc->mapped[m]->index;
				if (ci < s->chain.nkeys)
					rc = bl_chain_each(&s->chain, ci, put_related, &e);
			}
			if (!rc && e.any && fputc(']', out) == EOF)
				rc = BL_EIO;
			bl_buf_addc(b, '}');
		}
	}
	if (!rc) {
		bl_buf_adds(b, nf ? "\n        ]" : "]");
		rc = flush_buf(b, out);
	}
	return rc;
}

static int ar_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		     struct bl_error *err)
{
	struct ar_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	struct bl_buf *b = &s->buf, *tmp = &s->tmp;
	char doc_uuid[37], plan_uuid[37], res_uuid[37];
	bl_report_uuid4(doc_uuid);
	bl_report_uuid4(plan_uuid);
	if (oscal_uuid(run->id))
		memcpy(res_uuid, run->id, 37);
	else
		bl_report_uuid4(res_uuid);
	bl_buf_reset(b);
	bl_buf_printf(b, "{\n  \"assessment-results\": {\n    \"uuid\": \"%s\",\n    \"metadata\": {"
			 "\"title\": ", doc_uuid);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "Assessment of baseline %s %s", bl->id, bl->version);
	bl_oscal_str(b, tmp->data, "Baseline assessment");
	bl_buf_printf(b, ", \"last-modified\": \"%s\", \"version\": ", run->finished);
	bl_oscal_str(b, bl->version, "0");
	bl_buf_adds(b, ", \"oscal-version\": \"" BL_OSCAL_VERSION "\", \"props\": [");
	bl_oscal_prop(b, true, "tool", "baseline " BL_VERSION);
	bl_oscal_prop(b, false, "baseline", bl->id);
	bl_oscal_prop(b, false, "baseline-sha256", bl->sha256);
	bl_buf_printf(b, "]},\n    \"import-ap\": {\"href\": \"#%s\", \"remarks\": \"The assessment "
			 "plan is the baseline itself, described in back-matter.\"},\n"
			 "    \"results\": [\n      {\"uuid\": \"%s\", \"title\": ", plan_uuid, res_uuid);
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "Run %s", run->id);
	bl_oscal_str(b, tmp->data, "Run");
	const struct bl_run_stats *st = run->stats;
	bl_buf_reset(tmp);
	bl_buf_printf(tmp, "%llu assets against %llu controls: %llu pass, %llu fail, %llu error, "
			   "%llu exempt, %llu not applicable.",
		      (unsigned long long)st->assets, (unsigned long long)st->controls,
		      (unsigned long long)st->total.n[BL_PASS], (unsigned long long)st->total.n[BL_FAIL],
		      (unsigned long long)st->total.n[BL_ERROR], (unsigned long long)st->total.n[BL_EXEMPT],
		      (unsigned long long)st->total.n[BL_NA]);
	bl_buf_adds(b, ", \"description\": ");
	bl_json_write_str(b, tmp->data, tmp->len);
	bl_buf_printf(b, ",\n        \"start\": \"%s\", \"end\": \"%s\"", run->started, run->finished);
	if (run->ntargets) {
		bl_buf_adds(b, ", \"props\": [");
		for (size_t i = 0; i < run->ntargets; i++)
			bl_oscal_prop(b, i == 0, "target", run->targets[i]);
		bl_buf_addc(b, ']');
	}
	bl_buf_adds(b, ",\n");
	put_selections(b, tmp, run);
	int rc = flush_buf(b, out);
	if (!rc)
		rc = put_findings(s, run, out);
	if (!rc && s->nobs) {
		if (fputs(",\n        \"observations\": [", out) == EOF)
			rc = BL_EIO;
		struct emit e = {.out = out, .collected = run->finished};
		for (size_t i = 0; !rc && i < s->chain.nkeys; i++)
			rc = bl_chain_each(&s->chain, i, put_obs, &e);
		if (!rc && fputs("\n        ]", out) == EOF)
			rc = BL_EIO;
	}
	if (!rc) {
		bl_buf_printf(b, "}\n    ],\n    \"back-matter\": {\"resources\": [{\"uuid\": \"%s\", "
				 "\"title\": ", plan_uuid);
		bl_buf_reset(tmp);
		bl_buf_printf(tmp, "Assessment plan: baseline %s %s", bl->id, bl->version);
		bl_oscal_str(b, tmp->data, "Assessment plan");
		bl_buf_reset(tmp);
		bl_buf_printf(tmp, "Baseline %s version %s (sha256 %s), loaded from %s.", bl->id,
			      bl->version, bl->sha256, bl->file ? bl->file : "(unknown)");
		bl_buf_adds(b, ", \"description\": ");
		bl_json_write_str(b, tmp->data, tmp->len);
		bl_buf_adds(b, "}]}\n  }\n}\n");
		rc = flush_buf(b, out);
	}
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0,
				    rc == BL_ENOMEM ? "out of memory" : "cannot write the OSCAL report");
	return 0;
}

static void ar_free(struct bl_report *r)
{
	struct ar_state *s = r->state;
	bl_chain_close(&s->chain);
	bl_buf_free(&s->buf);
	bl_buf_free(&s->tmp);
}

const struct bl_report_ops bl_report_oscal_ar = {
	.name = "oscal-ar",
	.size = sizeof(struct ar_state),
	.open = ar_open,
	.result = ar_result,
	.finish = ar_finish,
	.free = ar_free,
};
