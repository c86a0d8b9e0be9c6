/*
 * sarif.c - SARIF 2.1.0 (docs/formats.md "SARIF") for code-scanning UIs.
 *
 * One run; tool.driver.rules has one rule per enabled control (severity as
 * SARIF level and as the "security-severity" number code scanning sorts
 * by); results has one entry per failing, exempt or error result:
 *   fail   -> kind "fail", level by severity;
 *   exempt -> the same, with an accepted external suppression carrying the
 *             exception (so UIs show it as dismissed, not hidden);
 *   error  -> kind "review", level "none" (SARIF requires "none" for any
 *             kind other than "fail"): the asset could not be evaluated.
 * For `gate` (opts.gate) the level says what the gate did instead: a deny
 * control that failed or could not be evaluated blocked the change ->
 * kind "fail", level "error"; an audit one is a warning -> level "warning"
 * (errors of audit controls stay "review"/"none").
 * Passing and not_applicable results are not listed.  When the asset was
 * read from a file at a known line, a physicalLocation points there.
 * Results are spooled to an unlinked temporary file and copied after the
 * tool section at finish, so memory stays bounded.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "report/wutil.h"

struct sarif_state {
	FILE *spool;
	uint64_t n;
	size_t *rule_index;    /* [ncontrols]: index in rules[], or SIZE_MAX when disabled */
	struct bl_buf buf;
};

static const char *level_of(enum bl_severity s)
{
	return s >= BL_SEV_HIGH ? "error" : s == BL_SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(enum bl_severity s)
{
	static const char *const v[] = {"0.0", "3.0", "5.0", "7.0", "9.0"};
	return v[s <= BL_SEV_CRITICAL ? s : 0];
}

static void jstr(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static int sarif_open(struct bl_report *r, struct bl_error *err)
{
	struct sarif_state *s = r->state;
	bl_buf_init(&s->buf, 0);
	size_t n = r->baseline->ncontrols;
	s->rule_index = malloc((n ? n : 1) * sizeof(*s->rule_index));
	if (!s->rule_index)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0, k = 0; i < n; i++)
		s->rule_index[i] = r->baseline->controls[i].effect == BL_EFFECT_DISABLED ? SIZE_MAX : k++;
	s->spool = tmpfile();
	if (!s->spool)
		return bl_error_set(err, BL_EIO, NULL, 0, 0,
				    "cannot create a temporary file for results (TMPDIR)");
	return 0;
}

/* A file path as a URI reference: unreserved and path characters stay,
 * everything else is percent-encoded; absolute paths become file:// URIs. */
static void put_uri(struct bl_buf *b, const char *path)
{
	struct bl_buf t;
	bl_buf_init(&t, 0);
	if (path[0] == '/')
		bl_buf_adds(&t, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/!$&()*+,;=@", c))
			bl_buf_addc(&t, (char)c);
		else
			bl_buf_printf(&t, "%%%02X", c);
	}
	if (t.failed)
		b->failed = true;
	bl_json_write_str(b, t.data ? t.data : "", t.len);
	bl_buf_free(&t);
}

/* A stable fingerprint of (control, asset) so re-uploads match alerts. */
static void put_fingerprint(struct bl_buf *b, const struct bl_result *res)
{
	struct bl_buf t;
	bl_buf_init(&t, 0);
	bl_buf_adds(&t, res->control->id);
	bl_buf_addc(&t, '\0');
	bl_buf_adds(&t, res->asset->id);
	uint64_t h = bl_hash(t.data ? t.data : "", t.len, false);
	bl_buf_free(&t);
	bl_buf_printf(b, "\"partialFingerprints\":{\"baselineControlAsset/v1\":\"%016llx\"}",
		      (unsigned long long)h);
}

static int sarif_result(struct bl_report *r, const struct bl_result *res)
{
	struct sarif_state *s = r->state;
	if (res->status != BL_FAIL && res->status != BL_ERROR && res->status != BL_EXEMPT)
		return 0;
	const struct bl_control *c = res->control;
	const struct bl_asset *a = res->asset;
	size_t ri = c->index < r->baseline->ncontrols ? s->rule_index[c->index] : SIZE_MAX;
	struct bl_buf *b = &s->buf;
	bl_buf_reset(b);
	bl_buf_adds(b, s->n ? ",\n        {\"ruleId\":" : "\n        {\"ruleId\":");
	jstr(b, c->id);
	if (ri != SIZE_MAX)
		bl_buf_printf(b, ",\"ruleIndex\":%zu", ri);
	if (r->opts.gate && c->effect == BL_EFFECT_DENY)
		bl_buf_adds(b, ",\"kind\":\"fail\",\"level\":\"error\"");
	else if (res->status == BL_ERROR)
		bl_buf_adds(b, ",\"kind\":\"review\",\"level\":\"none\"");
	else if (r->opts.gate)
		bl_buf_adds(b, ",\"kind\":\"fail\",\"level\":\"warning\"");
	else
		bl_buf_printf(b, ",\"kind\":\"fail\",\"level\":\"%s\"", level_of(c->severity));
	bl_buf_adds(b, ",\"message\":{\"text\":");
	jstr(b, res->message);
	bl_buf_adds(b, "},\"locations\":[{");
	/* host assets carry their id as "file" and no line: no physical location */
	if (a->file && a->line > 0 && strcmp(a->file, "-") != 0) {
		bl_buf_adds(b, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
		put_uri(b, a->file);
		bl_buf_printf(b, "},\"region\":{\"startLine\":%u", a->line);
		if (a->col > 0)
			bl_buf_printf(b, ",\"startColumn\":%u", a->col);
		bl_buf_adds(b, "}},");
	}
	bl_buf_adds(b, "\"logicalLocations\":[{\"name\":");
	jstr(b, a->name ? a->name : a->id);
	bl_buf_adds(b, ",\"fullyQualifiedName\":");
	jstr(b, a->id);
	bl_buf_adds(b, ",\"kind\":\"resource\"}]}],");
	put_fingerprint(b, res);
	bool exc = res->exception &&
		   (res->exc_state == BL_EXC_ACTIVE || res->exc_state == BL_EXC_EXPIRED);
	if (res->status == BL_EXEMPT && exc) {
		const struct bl_exception *e = res->exception;
		bl_buf_adds(b, ",\"suppressions\":[{\"kind\":\"external\",\"status\":\"accepted\","
			       "\"justification\":");
		jstr(b, e->justification);
		bl_buf_adds(b, ",\"properties\":{\"exception\":");
		jstr(b, e->id);
		bl_buf_printf(b, ",\"category\":\"%s\",\"expires\":\"%s\",\"approvedBy\":",
			      bl_exc_category_name(e->category), e->expires);
		jstr(b, e->approved_by);
		bl_buf_adds(b, "}}]");
	}
	bl_buf_adds(b, ",\"properties\":{\"status\":");
	jstr(b, bl_status_name(res->status));
	bl_buf_adds(b, ",\"assetType\":");
	jstr(b, a->type);
	bl_buf_adds(b, ",\"tier\":");
	if (a->tier)
		bl_buf_printf(b, "%d", a->tier);
	else
		bl_buf_adds(b, "null");
	bl_buf_adds(b, ",\"environment\":");
	jstr(b, a->environment);
	bl_buf_adds(b, ",\"owner\":");
	jstr(b, a->owner);
	bl_buf_adds(b, ",\"evidence\":[");
	for (size_t i = 0; i < res->nevidence; i++) {
		const struct bl_evidence *e = &res->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		jstr(b, e->path);
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		jstr(b, e->expected);
		bl_buf_addc(b, '}');
	}
	bl_buf_adds(b, "],\"exception\":");
	if (exc) {
		bl_buf_adds(b, "{\"id\":");
		jstr(b, res->exception->id);
		bl_buf_printf(b, ",\"state\":\"%s\",\"expires\":\"%s\"}",
			      res->exc_state == BL_EXC_ACTIVE ? "active" : "expired",
			      res->exception->expires);
	} else {
		bl_buf_adds(b, "null");
	}
	bl_buf_adds(b, "}}");
	if (b->failed)
		return BL_ENOMEM;
	if (fwrite(b->data, 1, b->len, s->spool) != b->len)
		return BL_EIO;
	s->n++;
	return 0;
}

static void put_rule(struct bl_buf *b, const struct bl_control *c, bool first, bool gate)
{
	bl_buf_adds(b, first ? "\n          {\"id\":" : ",\n          {\"id\":");
	jstr(b, c->id);
	bl_buf_adds(b, ",\"name\":");
	jstr(b, c->id);
	bl_buf_adds(b, ",\"shortDescription\":{\"text\":");
	jstr(b, c->title ? c->title : c->id);
	bl_buf_addc(b, '}');
	if (c->rationale) {
		bl_buf_adds(b, ",\"fullDescription\":{\"text\":");
		jstr(b, c->rationale);
		bl_buf_addc(b, '}');
	}
	if (c->remediation) {
		bl_buf_adds(b, ",\"help\":{\"text\":");
		jstr(b, c->remediation);
		bl_buf_addc(b, '}');
	}
	if (c->nreferences) {
		bl_buf_adds(b, ",\"helpUri\":");
		jstr(b, c->references[0]);
	}
	const char *deflevel = !gate ? level_of(c->severity)
			       : c->effect == BL_EFFECT_DENY ? "error" : "warning";
	bl_buf_printf(b, ",\"defaultConfiguration\":{\"level\":\"%s\"},\"properties\":"
			 "{\"security-severity\":\"%s\",\"severity\":\"%s\",\"effect\":\"%s\","
			 "\"tags\":[\"security\"",
		      deflevel, security_severity(c->severity),
		      bl_severity_name(c->severity), bl_effect_name(c->effect));
	for (size_t m = 0; m < c->nmaps; m++)
		for (size_t i = 0; i < c->maps[m].nids; i++) {
			bl_buf_addc(b, ',');
			struct bl_buf t;
			bl_buf_init(&t, 0);
			bl_buf_printf(&t, "%s:%s", c->maps[m].framework, c->maps[m].ids[i]);
			if (t.failed)
				b->failed = true;
			bl_json_write_str(b, t.data ? t.data : "", t.len);
			bl_buf_free(&t);
		}
	bl_buf_adds(b, "]}}");
}

static int sarif_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct sarif_state *s = r->state;
	const struct bl_baseline *bl = run->baseline;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_adds(&b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
			"  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
			"      \"tool\": {\"driver\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION
			"\", \"semanticVersion\": \"" BL_VERSION "\",\n        \"rules\": [");
	bool first = true;
	for (size_t i = 0; i < bl->ncontrols; i++) {
		if (bl->controls[i].effect == BL_EFFECT_DISABLED)
			continue;
		put_rule(&b, &bl->controls[i], first, r->opts.gate);
		first = false;
	}
	bl_buf_adds(&b, first ? "]}},\n" : "\n        ]}},\n");
	bl_buf_adds(&b, "      \"automationDetails\": {\"id\": ");
	struct bl_buf t;
	bl_buf_init(&t, 0);
	bl_buf_printf(&t, "baseline/%s/%s", bl->id, run->id);
	if (t.failed)
		b.failed = true;
	bl_json_write_str(&b, t.data ? t.data : "", t.len);
	bl_buf_free(&t);
	bl_buf_adds(&b, ", \"guid\": ");
	jstr(&b, run->id);
	bl_buf_adds(&b, "},\n      \"invocations\": [{\"executionSuccessful\": true, \"startTimeUtc\": ");
	jstr(&b, run->started);
	bl_buf_adds(&b, ", \"endTimeUtc\": ");
	jstr(&b, run->finished);
	bl_buf_adds(&b, "}],\n      \"properties\": {\"baseline\": {\"id\": ");
	jstr(&b, bl->id);
	bl_buf_adds(&b, ", \"version\": ");
	jstr(&b, bl->version);
	bl_buf_adds(&b, ", \"sha256\": ");
	jstr(&b, bl->sha256);
	bl_buf_adds(&b, "}, \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(&b, ", ");
		jstr(&b, run->targets[i]);
	}
	bl_buf_adds(&b, "]},\n      \"results\": [");
	int rc = b.failed ? BL_ENOMEM : 0;
	if (!rc && fwrite(b.data, 1, b.len, out) != b.len)
		rc = BL_EIO;
	bl_buf_free(&b);
	if (!rc)
		rc = bl_spool_copy(s->spool, out);
	if (!rc && fputs(s->n ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n", out) == EOF)
		rc = BL_EIO;
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0,
				    rc == BL_ENOMEM ? "out of memory" : "cannot write the SARIF report");
	return 0;
}

static void sarif_free(struct bl_report *r)
{
	struct sarif_state *s = r->state;
	if (s->spool)
		fclose(s->spool);
	free(s->rule_index);
	bl_buf_free(&s->buf);
}

const struct bl_report_ops bl_report_sarif = {
	.name = "sarif",
	.size = sizeof(struct sarif_state),
	.open = sarif_open,
	.result = sarif_result,
	.finish = sarif_finish,
	.free = sarif_free,
};
