/*
 * gaps.c - the gap backlog as text, JSON or CSV (see report.h
 * bl_gaps_write and docs/establish-your-baseline.md).
 *
 * CSV is RFC 4180: CRLF line ends, a field is quoted when it holds a comma,
 * quote, CR or LF, quotes doubled.  Cells are data, never formulas: one that
 * starts with = + - @ (or a tab or CR, which some spreadsheets skip before
 * evaluating) gets a leading apostrophe.
 */
#include "report/report.h"

#include <string.h>

#include "doc/json.h"

const char *const bl_gaps_formats[] = {"text", "json", "csv", NULL};

static const char *tier_text(int t, char buf[8])
{
	if (t < 1 || t > 3)
		return "unknown";
	buf[0] = (char)('0' + t);
	buf[1] = '\0';
	return buf;
}

/* "fw:ID fw:ID ..." of the framework controls a control blocks. */
static void blocks(struct bl_buf *b, const struct bl_control *c, const char *sep)
{
	size_t k = 0;
	for (size_t m = 0; m < c->nmaps; m++)
		for (size_t i = 0; i < c->maps[m].nids; i++)
			bl_buf_printf(b, "%s%s:%s", k++ ? sep : "", c->maps[m].framework, c->maps[m].ids[i]);
}

static void owners(struct bl_buf *b, const struct bl_gap *g, const char *sep)
{
	for (size_t i = 0; i < g->nowners; i++)
		bl_buf_printf(b, "%s%s", i ? sep : "", g->owners[i]);
	if (g->unowned)
		bl_buf_printf(b, "%s(no owner)", g->nowners ? sep : "");
	if (g->more_owners)
		bl_buf_printf(b, "%s...", sep);
}

/* ---- text ---------------------------------------------------------------- */

static void write_text(struct bl_buf *b, const struct bl_gaps *g, const struct bl_run_info *run)
{
	const struct bl_baseline *bl = run->baseline;
	bl_buf_printf(b, "Gap backlog for %s %s: %zu failing control%s", bl->id, bl->version, g->n,
		      g->n == 1 ? "" : "s");
	if (run->ntargets) {
		bl_buf_adds(b, " on ");
		for (size_t i = 0; i < run->ntargets; i++)
			bl_buf_printf(b, "%s%s", i ? ", " : "", run->targets[i]);
	}
	bl_buf_adds(b, "\n(ordered by severity, then the most critical tier affected, then the number "
		       "of failing assets)\n");
	for (size_t i = 0; i < g->n; i++) {
		const struct bl_gap *gp = g->order[i];
		const struct bl_control *c = gp->control;
		char tb[8], sev[16];
		const char *sn = bl_severity_name(c->severity);
		size_t k = 0;
		for (; sn[k] && k + 1 < sizeof(sev); k++)
			sev[k] = (char)(sn[k] >= 'a' && sn[k] <= 'z' ? sn[k] - 32 : sn[k]);
		sev[k] = '\0';
		bl_buf_printf(b, "\n%zu. %-8s %s  %s\n", i + 1, sev, c->id, c->title ? c->title : "");
		bl_buf_printf(b, "   %llu failing asset%s, most critical tier %s", (unsigned long long)gp->failing,
			      gp->failing == 1 ? "" : "s", tier_text(gp->top_tier, tb));
		if (gp->expired)
			bl_buf_printf(b, ", %llu with an expired exception", (unsigned long long)gp->expired);
		if (c->effect == BL_EFFECT_DENY)
			bl_buf_adds(b, ", deny control");
		bl_buf_adds(b, "\n   owners: ");
		if (!gp->nowners && !gp->unowned)
			bl_buf_adds(b, "(none)");
		owners(b, gp, ", ");
		bl_buf_adds(b, "\n");
		if (c->nmaps) {
			bl_buf_adds(b, "   blocks: ");
			blocks(b, c, ", ");
			bl_buf_adds(b, "\n");
		}
		for (size_t a = 0; a < gp->nassets; a++)
			bl_buf_printf(b, "   - %s\n", gp->assets[a]);
		if (gp->failing > gp->nassets)
			bl_buf_printf(b, "   ... and %llu more\n",
				      (unsigned long long)(gp->failing - gp->nassets));
		if (c->remediation)
			bl_buf_printf(b, "   fix: %s\n", c->remediation);
	}
	if (g->n == 0)
		bl_buf_adds(b, "\nNo failing controls.\n");
}

/* ---- json ------------------------------------------------------------------ */

static void jstr(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

static void write_json(struct bl_buf *b, const struct bl_gaps *g, const struct bl_run_info *run)
{
	const struct bl_baseline *bl = run->baseline;
	bl_buf_adds(b, "{\n  \"schema\": \"baseline.gaps/1\",\n  \"run\": {\"id\": ");
	jstr(b, run->id);
	bl_buf_adds(b, ", \"started\": ");
	jstr(b, run->started);
	bl_buf_adds(b, ", \"baseline\": {\"id\": ");
	jstr(b, bl->id);
	bl_buf_adds(b, ", \"version\": ");
	jstr(b, bl->version);
	bl_buf_adds(b, ", \"sha256\": ");
	jstr(b, bl->sha256);
	bl_buf_adds(b, "}, \"targets\": [");
	for (size_t i = 0; i < run->ntargets; i++) {
		if (i)
			bl_buf_adds(b, ", ");
		jstr(b, run->targets[i]);
	}
	bl_buf_adds(b, "]},\n  \"gaps\": [");
	for (size_t i = 0; i < g->n; i++) {
		const struct bl_gap *gp = g->order[i];
		const struct bl_control *c = gp->control;
		bl_buf_printf(b, "%s\n    {\"rank\": %zu, \"control\": ", i ? "," : "", i + 1);
		jstr(b, c->id);
		bl_buf_adds(b, ", \"title\": ");
		jstr(b, c->title);
		bl_buf_printf(b, ", \"severity\": \"%s\", \"effect\": \"%s\", \"failing_assets\": %llu, "
				 "\"expired_exceptions\": %llu, \"top_tier\": ",
			      bl_severity_name(c->severity), bl_effect_name(c->effect),
			      (unsigned long long)gp->failing, (unsigned long long)gp->expired);
		if (gp->top_tier)
			bl_buf_printf(b, "%d", gp->top_tier);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\n     \"assets\": [");
		for (size_t a = 0; a < gp->nassets; a++) {
			if (a)
				bl_buf_adds(b, ", ");
			jstr(b, gp->assets[a]);
		}
		bl_buf_adds(b, "], \"owners\": [");
		for (size_t o = 0; o < gp->nowners; o++) {
			if (o)
				bl_buf_adds(b, ", ");
			jstr(b, gp->owners[o]);
		}
		bl_buf_printf(b, "], \"unowned\": %s, \"more_owners\": %s,\n     \"remediation\": ",
			      gp->unowned ? "true" : "false", gp->more_owners ? "true" : "false");
		jstr(b, c->remediation);
		bl_buf_adds(b, ", \"blocks\": [");
		size_t k = 0;
		for (size_t m = 0; m < c->nmaps; m++)
			for (size_t x = 0; x < c->maps[m].nids; x++) {
				bl_buf_adds(b, k++ ? ", {\"framework\": " : "{\"framework\": ");
				jstr(b, c->maps[m].framework);
				bl_buf_adds(b, ", \"id\": ");
				jstr(b, c->maps[m].ids[x]);
				bl_buf_addc(b, '}');
			}
		bl_buf_adds(b, "]}");
	}
	bl_buf_adds(b, g->n ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- csv --------------------------------------------------------------------- */

static void csv_cell(struct bl_buf *b, const char *s, size_t len, bool last)
{
	bool formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	bool quote = formula;
	for (size_t i = 0; i < len && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (quote)
		bl_buf_addc(b, '"');
	if (formula)
		bl_buf_addc(b, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			bl_buf_addc(b, '"');
		bl_buf_addc(b, s[i]);
	}
	if (quote)
		bl_buf_addc(b, '"');
	bl_buf_adds(b, last ? "\r\n" : ",");
}

static void csv_str(struct bl_buf *b, const char *s, bool last)
{
	csv_cell(b, s ? s : "", s ? strlen(s) : 0, last);
}

static void csv_buf(struct bl_buf *b, struct bl_buf *tmp, bool last)
{
	csv_cell(b, tmp->data ? tmp->data : "", tmp->len, last);
	bl_buf_reset(tmp);
}

static void write_csv(struct bl_buf *b, const struct bl_gaps *g)
{
	bl_buf_adds(b, "rank,control,title,severity,effect,failing_assets,top_tier,owners,"
		       "assets,blocks,remediation\r\n");
	struct bl_buf tmp;
	bl_buf_init(&tmp, 0);
	for (size_t i = 0; i < g->n; i++) {
		const struct bl_gap *gp = g->order[i];
		const struct bl_control *c = gp->control;
		char tb[8];
		bl_buf_printf(b, "%zu,", i + 1);
		csv_str(b, c->id, false);
		csv_str(b, c->title, false);
		csv_str(b, bl_severity_name(c->severity), false);
		csv_str(b, bl_effect_name(c->effect), false);
		bl_buf_printf(b, "%llu,%s,", (unsigned long long)gp->failing,
			      gp->top_tier ? tier_text(gp->top_tier, tb) : "");
		owners(&tmp, gp, "; ");
		csv_buf(b, &tmp, false);
		for (size_t a = 0; a < gp->nassets; a++)
			bl_buf_printf(&tmp, "%s%s", a ? "; " : "", gp->assets[a]);
		if (gp->failing > gp->nassets)
			bl_buf_printf(&tmp, "; ... and %llu more",
				      (unsigned long long)(gp->failing - gp->nassets));
		csv_buf(b, &tmp, false);
		blocks(&tmp, c, "; ");
		csv_buf(b, &tmp, false);
		csv_str(b, c->remediation, true);
	}
	if (tmp.failed)
		b->failed = true;
	bl_buf_free(&tmp);
}

int bl_gaps_write(const struct bl_gaps *g, const struct bl_run_info *run, const char *format,
		  FILE *out, struct bl_error *err)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	if (strcmp(format, "text") == 0)
		write_text(&b, g, run);
	else if (strcmp(format, "json") == 0)
		write_json(&b, g, run);
	else if (strcmp(format, "csv") == 0)
		write_csv(&b, g);
	else
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "unknown format '%s' for gaps (available: text, json, csv)", format);
	if (b.failed) {
		bl_buf_free(&b);
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	}
	int rc = 0;
	if (b.len && fwrite(b.data, 1, b.len, out) != b.len)
		rc = bl_error_set(err, BL_EIO, NULL, 0, 0, "cannot write the gap backlog");
	bl_buf_free(&b);
	return rc;
}

/* ---- the backlog of a stored run -------------------------------------
 * `baseline gaps RUN` replays a stored run's results through the report
 * interface; these writers collect them into a backlog and write it in one
 * of bl_gaps_formats.  They are reachable as "gaps-text", "gaps-json" and
 * "gaps-csv" but not listed in bl_report_formats: assess writes reports,
 * not backlogs. */

struct gaps_state {
	struct bl_gaps g;
	bool init;
};

static int gaps_open(struct bl_report *r, struct bl_error *err)
{
	struct gaps_state *s = r->state;
	if (bl_gaps_init(&s->g, r->baseline))
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	s->init = true;
	return 0;
}

static int gaps_result(struct bl_report *r, const struct bl_result *res)
{
	struct gaps_state *s = r->state;
	return bl_gaps_add(&s->g, res);
}

static int gaps_finish_as(struct bl_report *r, const struct bl_run_info *run, FILE *out,
			  struct bl_error *err, const char *format)
{
	struct gaps_state *s = r->state;
	if (bl_gaps_finish(&s->g))
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return bl_gaps_write(&s->g, run, format, out, err);
}

static int gaps_finish_text(struct bl_report *r, const struct bl_run_info *run, FILE *out,
			    struct bl_error *err)
{
	return gaps_finish_as(r, run, out, err, "text");
}

static int gaps_finish_json(struct bl_report *r, const struct bl_run_info *run, FILE *out,
			    struct bl_error *err)
{
	return gaps_finish_as(r, run, out, err, "json");
}

static int gaps_finish_csv(struct bl_report *r, const struct bl_run_info *run, FILE *out,
			   struct bl_error *err)
{
	return gaps_finish_as(r, run, out, err, "csv");
}

static void gaps_free_state(struct bl_report *r)
{
	struct gaps_state *s = r->state;
	if (s->init)
		bl_gaps_free(&s->g);
}

const struct bl_report_ops bl_report_gaps_text = {
	.name = "gaps-text", .size = sizeof(struct gaps_state), .open = gaps_open,
	.result = gaps_result, .finish = gaps_finish_text, .free = gaps_free_state,
};
const struct bl_report_ops bl_report_gaps_json = {
	.name = "gaps-json", .size = sizeof(struct gaps_state), .open = gaps_open,
	.result = gaps_result, .finish = gaps_finish_json, .free = gaps_free_state,
};
const struct bl_report_ops bl_report_gaps_csv = {
	.name = "gaps-csv", .size = sizeof(struct gaps_state), .open = gaps_open,
	.result = gaps_result, .finish = gaps_finish_csv, .free = gaps_free_state,
};
