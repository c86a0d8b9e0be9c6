/*
 * html.c - the compliance dashboard (`-f html`): one self-contained page
 * with inline CSS and SVG, readable without JavaScript, printed or on a
 * phone.  Sections, in order (each an element with a stable id the tests
 * look for): run header, summary (overall and severity-weighted scores),
 * frameworks (a donut per framework, then framework control -> status with
 * drill-down to the baseline controls and their failing assets), breakdown
 * (tiers, environments, owners), trend (only with stored history), gaps
 * (backlog top 20), exceptions, failures (every failing result with its
 * evidence, grouped under its control's remediation).
 *
 * Memory is bounded: per-control counts come from the run's statistics, the
 * backlog keeps a few assets per control (engine/gaps.h), and at most
 * BL_HTML_MAX_FAILING failing results are kept; the page says how many more
 * there were.  Every string from input is escaped (html_util.h).
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "report/html_util.h"
#include "util/arena.h"

#define BL_HTML_MAX_FAILING 5000
#define BL_HTML_GAPS 20
#define BL_HTML_EVIDENCE 4        /* evidence entries kept per result */
#define BL_HTML_ACTUAL_MAX 512    /* bytes of an actual value shown */

struct kept_ev {
	const char *path, *actual, *expected;   /* actual NULL: the field is missing */
};

struct kept {
	const char *asset, *type, *env, *owner, *message, *exc_id;
	int tier;
	enum bl_status status;
	bool exc_expired;
	struct kept_ev ev[BL_HTML_EVIDENCE];
	size_t nev, more_ev;
	size_t next;                  /* next kept result of the same control, + 1 */
};

struct html_state {
	struct bl_gaps gaps;
	struct kept *kept;            /* [BL_HTML_MAX_FAILING], allocated on first use */
	size_t nkept;
	uint64_t dropped;             /* failing results beyond the cap */
	size_t *first, *last;         /* [ncontrols]: kept list per control, index + 1 */
	struct bl_arena arena;
	struct bl_buf tmp;
};

static int html_open(struct bl_report *r, struct bl_error *err)
{
	struct html_state *s = r->state;
	bl_arena_init(&s->arena, 0);
	bl_buf_init(&s->tmp, 0);
	size_t n = r->baseline->ncontrols + 1;
	s->first = calloc(n, sizeof(*s->first));
	s->last = calloc(n, sizeof(*s->last));
	if (bl_gaps_init(&s->gaps, r->baseline) || !s->first || !s->last)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}

static const char *dup(struct html_state *s, const char *str)
{
	return str ? bl_arena_strndup(&s->arena, str, strlen(str)) : NULL;
}

static int keep(struct html_state *s, const struct bl_result *res)
{
	if (!s->kept && !(s->kept = calloc(BL_HTML_MAX_FAILING, sizeof(*s->kept))))
		return BL_ENOMEM;
	struct kept *k = &s->kept[s->nkept];
	const struct bl_asset *a = res->asset;
	k->asset = dup(s, a->id);
	k->type = dup(s, a->type);
	k->env = dup(s, a->environment);
	k->owner = dup(s, a->owner);
	k->message = dup(s, res->message);
	k->tier = a->tier;
	k->status = res->status;
	if (res->exception && res->exc_state == BL_EXC_EXPIRED) {
		k->exc_id = dup(s, res->exception->id);
		k->exc_expired = true;
	}
	if (!k->asset || !k->message)
		return BL_ENOMEM;
	for (size_t i = 0; i < res->nevidence; i++) {
		if (k->nev == BL_HTML_EVIDENCE) {
			k->more_ev++;
			continue;
		}
		const struct bl_evidence *e = &res->evidence[i];
		struct kept_ev *ke = &k->ev[k->nev++];
		ke->path = dup(s, e->path);
		ke->expected = dup(s, e->expected);
		if (e->actual) {
			bl_buf_reset(&s->tmp);
			if (bl_json_write(&s->tmp, e->actual, 0))
				return BL_ENOMEM;
			size_t n = s->tmp.len;
			if (n > BL_HTML_ACTUAL_MAX)
				n = BL_HTML_ACTUAL_MAX;   /* may cut a UTF-8 sequence: shown as U+FFFD */
			ke->actual = bl_arena_printf(&s->arena, "%.*s%s", (int)n, s->tmp.data,
						     n < s->tmp.len ? " …" : "");
			if (!ke->actual)
				return BL_ENOMEM;
		}
	}
	size_t ci = res->control->index;
	if (s->last[ci])
		s->kept[s->last[ci] - 1].next = s->nkept + 1;
	else
		s->first[ci] = s->nkept + 1;
	s->last[ci] = s->nkept + 1;
	s->nkept++;
	return 0;
}

static int html_result(struct bl_report *r, const struct bl_result *res)
{
	struct html_state *s = r->state;
	int rc = bl_gaps_add(&s->gaps, res);
	if (rc || (res->status != BL_FAIL && res->status != BL_ERROR))
		return rc;
	if (s->nkept == BL_HTML_MAX_FAILING) {
		s->dropped++;
		return 0;
	}
	return keep(s, res);
}

/* ---- rendering ----------------------------------------------------------- */

static void status_badge(struct bl_buf *b, const char *name)
{
	bl_buf_printf(b, "<span class=\"st st-%s\">%s</span>", name, name);
}

static void tier_cell(struct bl_buf *b, int tier)
{
	if (tier)
		bl_buf_printf(b, "<td class=\"num\">%d</td>", tier);
	else
		bl_buf_adds(b, "<td class=\"num muted\">unknown</td>");
}

static void td_text(struct bl_buf *b, const char *s)
{
	bl_buf_adds(b, "<td>");
	if (s)
		bl_html_esc(b, s);
	else
		bl_buf_adds(b, "<span class=\"muted\">unknown</span>");
	bl_buf_adds(b, "</td>");
}

static void td_pct(struct bl_buf *b, double pct)
{
	bl_buf_printf(b, "<td class=\"num\" data-v=\"%.3f\">", pct);
	bl_html_pct(b, pct);
	bl_buf_adds(b, "</td>");
}

static bool scored(const struct bl_tally *t)
{
	return t->n[BL_PASS] || t->n[BL_FAIL] || t->n[BL_ERROR] || t->n[BL_EXEMPT];
}

static void tally_cells(struct bl_buf *b, const struct bl_tally *t)
{
	double c = bl_tally_compliance(t);
	bl_buf_printf(b, "<td class=\"num\" data-v=\"%.3f\">", c);
	bl_html_pct(b, c);
	bl_buf_adds(b, " ");
	bl_html_bar(b, c);
	bl_buf_printf(b, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
			 "<td class=\"num\">%llu</td><td class=\"num\">%llu</td>",
		      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
		      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_EXEMPT]);
}

static const char tally_head[] =
	"<th class=\"num\">Compliance</th><th class=\"num\">Pass</th>"
	"<th class=\"num\">Fail</th><th class=\"num\">Error</th><th class=\"num\">Exempt</th>";

static void write_header(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_baseline *bl = run->baseline;
	bl_buf_adds(b, "<header class=\"top\" id=\"run\">\n<h1>Compliance report: ");
	bl_html_esc(b, bl->title ? bl->title : bl->id);
	bl_buf_adds(b, "</h1>\n<dl class=\"meta\"><dt>Baseline</dt><dd><code>");
	bl_html_esc(b, bl->id);
	bl_buf_adds(b, "</code> version <code>");
	bl_html_esc(b, bl->version);
	bl_buf_adds(b, "</code></dd><dt>SHA-256</dt><dd><code>");
	bl_html_esc(b, bl->sha256);
	bl_buf_adds(b, "</code></dd><dt>Targets</dt><dd>");
	for (size_t i = 0; i < run->ntargets; i++) {
		bl_buf_adds(b, i ? ", <code>" : "<code>");
		bl_html_esc(b, run->targets[i]);
		bl_buf_adds(b, "</code>");
	}
	bl_buf_adds(b, "</dd><dt>Run</dt><dd><code>");
	bl_html_esc(b, run->id);
	bl_buf_adds(b, "</code></dd><dt>Time</dt><dd>");
	bl_html_esc(b, run->started);
	bl_buf_adds(b, " &ndash; ");
	bl_html_esc(b, run->finished);
	bl_buf_adds(b, "</dd><dt>Tool</dt><dd>baseline " BL_VERSION "</dd></dl>\n"
		       "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#frameworks\">"
		       "Frameworks</a><a href=\"#breakdown\">Breakdown</a><a href=\"#gaps\">Gap backlog"
		       "</a><a href=\"#exceptions\">Exceptions</a><a href=\"#failures\">Failing results"
		       "</a></nav>\n</header>\n");
}

static void card(struct bl_buf *b, const char *id, const char *label, double pct)
{
	bl_buf_printf(b, "<div class=\"card\" id=\"%s\"><div class=\"big\">", id);
	bl_html_pct(b, pct);
	bl_buf_printf(b, "</div><div class=\"lbl\">%s</div></div>", label);
}

static void card_n(struct bl_buf *b, const char *cls, const char *label, uint64_t n)
{
	bl_buf_printf(b, "<div class=\"card\"><div class=\"big %s\">%llu</div>"
			 "<div class=\"lbl\">%s</div></div>", cls, (unsigned long long)n, label);
}

static void write_summary(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_run_stats *st = run->stats;
	const struct bl_tally *t = &st->total;
	bl_buf_adds(b, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">");
	card(b, "compliance", "overall compliance<br>pass / (pass + fail + error)",
	     bl_tally_compliance(t));
	if (run->scores)
		card(b, "weighted", "severity-weighted<br>critical 10, high 5, medium 3, low 1",
		     bl_scores_weighted(run->scores));
	card_n(b, "", "assets", st->assets);
	card_n(b, "", "controls", st->controls);
	card_n(b, "st-pass", "pass", t->n[BL_PASS]);
	card_n(b, "st-fail", "fail", t->n[BL_FAIL]);
	card_n(b, "st-error", "error", t->n[BL_ERROR]);
	card_n(b, "st-exempt", "exempt", t->n[BL_EXEMPT]);
	card_n(b, "muted", "not applicable", t->n[BL_NA]);
	bl_buf_adds(b, "</div>\n");
	if (!run->scores)
		bl_buf_adds(b, "<p class=\"muted\">No severity-weighted score for this run.</p>\n");
	bl_buf_adds(b, "</section>\n");
}

/* The failing assets the backlog kept for control i (up to BL_GAP_ASSETS). */
static void failing_assets(struct bl_buf *b, const struct html_state *s, size_t i,
			   const struct bl_run_info *run)
{
	const struct bl_gap *g = &s->gaps.per_control[i];
	uint64_t fails = run->stats->per_control[i].n[BL_FAIL];
	if (!g->nassets)
		return;
	bl_buf_adds(b, "<ul class=\"assets\">");
	for (size_t k = 0; k < g->nassets; k++) {
		bl_buf_adds(b, "<li><code>");
		bl_html_esc(b, g->assets[k]);
		bl_buf_adds(b, "</code></li>");
	}
	if (fails > g->nassets)
		bl_buf_printf(b, "<li class=\"muted\">and %llu more</li>",
			      (unsigned long long)(fails - g->nassets));
	bl_buf_adds(b, "</ul>");
}

static void write_fw_control(struct bl_buf *b, const struct html_state *s,
			     const struct bl_fw_control *fc, const struct bl_run_info *run)
{
	const char *st = bl_fw_status_name(fc->status);
	bl_buf_printf(b, "<tr class=\"%s\"><td><code>", st);
	bl_html_esc(b, fc->id);
	bl_buf_adds(b, "</code></td><td>");
	status_badge(b, st);
	bl_buf_adds(b, "</td>");
	if (fc->status == BL_FW_NOT_COVERED) {
		bl_buf_adds(b, "<td colspan=\"2\">no baseline control maps to it</td></tr>\n");
		return;
	}
	td_pct(b, bl_tally_compliance(&fc->tally));
	bl_buf_printf(b, "<td><details><summary>%zu baseline control%s</summary><ul>", fc->nmapped,
		      fc->nmapped == 1 ? "" : "s");
	for (size_t m = 0; m < fc->nmapped; m++) {
		const struct bl_control *c = fc->mapped[m];
		const struct bl_tally *t = &run->stats->per_control[c->index];
		bl_buf_adds(b, "<li><a href=\"#c-");
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "\"><code>");
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "</code></a> ");
		bl_html_esc(b, c->title);
		bl_buf_printf(b, " <span class=\"muted\">(pass %llu, fail %llu, error %llu, exempt %llu)"
				 "</span>",
			      (unsigned long long)t->n[BL_PASS], (unsigned long long)t->n[BL_FAIL],
			      (unsigned long long)t->n[BL_ERROR], (unsigned long long)t->n[BL_EXEMPT]);
		failing_assets(b, s, c->index, run);
		bl_buf_adds(b, "</li>");
	}
	bl_buf_adds(b, "</ul></details></td></tr>\n");
}

static int write_frameworks(struct bl_buf *b, const struct html_state *s,
			    const struct bl_run_info *run, FILE *out)
{
	const struct bl_rollup *ru = run->rollup;
	bl_buf_adds(b, "<section id=\"frameworks\">\n<h2>Frameworks</h2>\n");
	if (!ru || !ru->n) {
		bl_buf_adds(b, "<p class=\"muted\">The baseline maps to no framework.</p>\n</section>\n");
		return bl_html_flush(b, out);
	}
	bl_buf_adds(b, "<div class=\"donuts\">");
	for (size_t f = 0; f < ru->n; f++)
		bl_html_donut(b, bl_tally_compliance(&ru->fws[f].tally), ru->fws[f].id);
	bl_buf_adds(b, "</div>\n");
	for (size_t f = 0; f < ru->n; f++) {
		const struct bl_fw *fw = &ru->fws[f];
		size_t count[BL_FW_NOT_COVERED + 1] = {0};
		for (size_t k = 0; k < fw->ncontrols; k++)
			count[fw->controls[k].status]++;
		bl_buf_adds(b, "<details class=\"fw\" id=\"fw-");
		bl_html_esc(b, fw->id);
		bl_buf_adds(b, "\"><summary><strong>");
		bl_html_esc(b, fw->id);
		bl_buf_adds(b, "</strong> ");
		bl_html_pct(b, bl_tally_compliance(&fw->tally));
		bl_buf_printf(b, " &mdash; %zu controls: %zu pass, %zu fail, %zu error, %zu exempt, "
				 "%zu not applicable, %zu not covered</summary>\n",
			      fw->ncontrols, count[BL_FW_PASS], count[BL_FW_FAIL], count[BL_FW_ERROR],
			      count[BL_FW_EXEMPT], count[BL_FW_NA], count[BL_FW_NOT_COVERED]);
		bl_buf_adds(b, "<div class=\"tw\"><table class=\"sortable\"><thead><tr><th>Framework "
			       "control</th><th>Status</th><th class=\"num\">Compliance</th><th>Baseline "
			       "controls</th></tr></thead><tbody>\n");
		for (size_t k = 0; k < fw->ncontrols; k++) {
			write_fw_control(b, s, &fw->controls[k], run);
			if (b->len > 65536) {
				int rc = bl_html_flush(b, out);
				if (rc)
					return rc;
			}
		}
		bl_buf_adds(b, "</tbody></table></div></details>\n");
	}
	bl_buf_adds(b, "</section>\n");
	return bl_html_flush(b, out);
}

static void group_table(struct bl_buf *b, const char *what, const char *label,
			const struct bl_score_groups *g)
{
	bl_buf_printf(b, "<h3>Per %s</h3>\n<div class=\"tw\"><table class=\"sortable\" id=\"by-%s\">"
			 "<thead><tr><th>%s</th>%s</tr></thead><tbody>\n", what, what, label, tally_head);
	for (size_t i = 0; i < g->n; i++) {
		if (!scored(&g->items[i].t))
			continue;
		bl_buf_adds(b, "<tr>");
		td_text(b, g->items[i].key);
		tally_cells(b, &g->items[i].t);
		bl_buf_adds(b, "</tr>\n");
	}
	bl_buf_adds(b, "</tbody></table></div>\n");
}

static void write_breakdown(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_scores *sc = run->scores;
	bl_buf_adds(b, "<section id=\"breakdown\">\n<h2>Breakdown</h2>\n");
	if (!sc) {
		bl_buf_adds(b, "<p class=\"muted\">No scores for this run.</p>\n</section>\n");
		return;
	}
	bl_buf_printf(b, "<h3>Per tier</h3>\n<div class=\"tw\"><table class=\"sortable\" id=\"by-tier\">"
			 "<thead><tr><th>Tier</th>%s</tr></thead><tbody>\n", tally_head);
	for (int k = 1; k <= 4; k++) {
		int t = k == 4 ? 0 : k;
		if (!scored(&sc->tiers[t]))
			continue;
		if (t)
			bl_buf_printf(b, "<tr><td>tier %d</td>", t);
		else
			bl_buf_adds(b, "<tr><td><span class=\"muted\">unknown</span></td>");
		tally_cells(b, &sc->tiers[t]);
		bl_buf_adds(b, "</tr>\n");
	}
	bl_buf_adds(b, "</tbody></table></div>\n");
	group_table(b, "environment", "Environment", &sc->envs);
	group_table(b, "owner", "Owner", &sc->owners);
	bl_buf_adds(b, "</section>\n");
}

/*
 * Trend over stored runs: a line chart of overall and weighted compliance.
 * The run store is not wired into struct bl_run_info yet, so there is no
 * history to draw and the section is left out.  When it is, give this
 * function the stored points and draw a polyline in an inline SVG here.
 */
/*
 * Compliance over the stored runs of this baseline, as an inline SVG line
 * chart (no script) with the numbers in a table beside it for screen readers
 * and print.  Shown only when there is history: two runs or more.
 */
static void write_trend_hook(struct bl_buf *b, const struct bl_run_info *run)
{
	if (!run->trend || run->ntrend < 2) {
		bl_buf_adds(b, "<!-- trend: no stored history for this run -->\n");
		return;
	}
	const size_t n = run->ntrend;
	const double w = 640, h = 180, left = 40, right = 12, top = 12, bottom = 28;
	bl_buf_adds(b, "<section id=\"trend\">\n<h2>Trend</h2>\n");
	bl_buf_printf(b, "<p>Compliance over the %zu stored runs of this baseline.</p>\n", n);
	bl_buf_printf(b, "<svg class=\"trend\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			 "aria-label=\"compliance trend\">\n", w, h);
	for (int y = 0; y <= 100; y += 25) {
		double yy = top + (h - top - bottom) * (1.0 - y / 100.0);
		bl_buf_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
				 "stroke=\"#ddd\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" "
				 "text-anchor=\"end\">%d%%</text>\n",
			      left, yy, w - right, yy, left - 4, yy + 3, y);
	}
	bl_buf_adds(b, "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"");
	for (size_t i = 0; i < n; i++) {
		double c = run->trend[i].compliance < 0 ? 0 : run->trend[i].compliance;
		double x = left + (w - left - right) * (double)i / (double)(n - 1);
		double y = top + (h - top - bottom) * (1.0 - c / 100.0);
		bl_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	bl_buf_adds(b, "\"/>\n");
	for (size_t i = 0; i < n; i++) {
		double c = run->trend[i].compliance < 0 ? 0 : run->trend[i].compliance;
		double x = left + (w - left - right) * (double)i / (double)(n - 1);
		double y = top + (h - top - bottom) * (1.0 - c / 100.0);
		bl_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#2563eb\">"
				 "<title>", x, y);
		bl_html_esc(b, run->trend[i].finished ? run->trend[i].finished : "");
		bl_buf_printf(b, ": %.1f%%</title></circle>\n", c);
	}
	bl_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\">", left, h - 8);
	bl_html_esc(b, run->trend[0].finished ? run->trend[0].finished : "");
	bl_buf_printf(b, "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" "
			 "text-anchor=\"end\">", w - right, h - 8);
	bl_html_esc(b, run->trend[n - 1].finished ? run->trend[n - 1].finished : "");
	bl_buf_adds(b, "</text>\n</svg>\n<details><summary>Runs</summary>\n<table>"
		       "<thead><tr><th>finished</th><th>run</th><th>compliance</th></tr></thead>"
		       "<tbody>\n");
	for (size_t i = n; i-- > 0;) {
		bl_buf_adds(b, "<tr><td>");
		bl_html_esc(b, run->trend[i].finished ? run->trend[i].finished : "");
		bl_buf_adds(b, "</td><td>");
		bl_html_esc(b, run->trend[i].run_id ? run->trend[i].run_id : "");
		bl_buf_adds(b, "</td><td>");
		if (run->trend[i].compliance < 0)
			bl_buf_adds(b, "n/a");
		else
			bl_buf_printf(b, "%.1f%%", run->trend[i].compliance);
		bl_buf_adds(b, "</td></tr>\n");
	}
	bl_buf_adds(b, "</tbody></table></details>\n</section>\n");
}

static void write_gaps(struct bl_buf *b, const struct html_state *s)
{
	const struct bl_gaps *g = &s->gaps;
	size_t n = g->n < BL_HTML_GAPS ? g->n : BL_HTML_GAPS;
	bl_buf_printf(b, "<section id=\"gaps\">\n<h2>Gap backlog</h2>\n<p>%zu failing control%s, "
			 "most urgent first (severity, then the most critical tier, then the number "
			 "of failing assets)%s.</p>\n",
		      g->n, g->n == 1 ? "" : "s", g->n > n ? "; the first 20 are shown" : "");
	if (!n) {
		bl_buf_adds(b, "<p class=\"muted\">Nothing to fix.</p>\n</section>\n");
		return;
	}
	bl_buf_adds(b, "<div class=\"tw\"><table id=\"gap-table\"><thead><tr><th class=\"num\">#</th>"
		       "<th>Control</th><th>Severity</th><th class=\"num\">Failing</th><th class=\"num\">"
		       "Top tier</th><th>Owners</th><th>Blocks</th><th>Remediation</th></tr></thead>"
		       "<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct bl_gap *gp = g->order[i];
		const struct bl_control *c = gp->control;
		bl_buf_printf(b, "<tr><td class=\"num\">%zu</td><td><a href=\"#c-", i + 1);
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "\"><code>");
		bl_html_esc(b, c->id);
		bl_buf_adds(b, "</code></a> ");
		bl_html_esc(b, c->title);
		bl_buf_adds(b, "</td><td>");
		status_badge(b, bl_severity_name(c->severity));
		bl_buf_printf(b, "</td><td class=\"num\">%llu", (unsigned long long)gp->failing);
		if (gp->expired)
			bl_buf_printf(b, " <span class=\"st st-expired\">%llu expired</span>",
				      (unsigned long long)gp->expired);
		bl_buf_adds(b, "</td>");
		tier_cell(b, gp->top_tier);
		bl_buf_adds(b, "<td>");
		for (size_t k = 0; k < gp->nowners; k++) {
			if (k)
				bl_buf_adds(b, ", ");
			bl_html_esc(b, gp->owners[k]);
		}
		if (gp->more_owners)
			bl_buf_adds(b, ", &hellip;");
		if (gp->unowned)
			bl_buf_adds(b, gp->nowners ? ", <span class=\"muted\">unowned</span>"
						   : "<span class=\"muted\">unowned</span>");
		bl_buf_adds(b, "</td><td>");
		for (size_t m = 0; m < c->nmaps; m++)
			for (size_t k = 0; k < c->maps[m].nids; k++) {
				bl_buf_adds(b, m || k ? ", <code>" : "<code>");
				bl_html_esc(b, c->maps[m].framework);
				bl_buf_adds(b, " ");
				bl_html_esc(b, c->maps[m].ids[k]);
				bl_buf_adds(b, "</code>");
			}
		bl_buf_adds(b, "</td><td>");
		bl_html_esc(b, c->remediation);
		bl_buf_adds(b, "</td></tr>\n");
	}
	bl_buf_adds(b, "</tbody></table></div>\n</section>\n");
}

static void write_exceptions(struct bl_buf *b, const struct bl_run_info *run)
{
	const struct bl_exceptions *x = run->exceptions;
	const struct bl_run_stats *st = run->stats;
	bl_buf_adds(b, "<section id=\"exceptions\">\n<h2>Exceptions</h2>\n");
	if (!x) {
		bl_buf_adds(b, "<p class=\"muted\">No exceptions file was given.</p>\n</section>\n");
		return;
	}
	size_t active = 0, expired = 0, stale = 0;
	for (size_t i = 0; i < x->n; i++) {
		bool on = bl_exception_active(&x->items[i], run->now);
		active += on;
		expired += !on;
		stale += i < st->nexceptions && st->per_exception[i] == 0;
	}
	bl_buf_adds(b, "<p><code>");
	bl_html_esc(b, x->file);
	bl_buf_printf(b, "</code>: <span id=\"exc-counts\">%zu active, %zu expired, %zu stale</span>."
			 " Expired exceptions no longer exempt anything; stale ones matched no "
			 "failing result in this run.</p>\n", active, expired, stale);
	bl_buf_adds(b, "<div class=\"tw\"><table class=\"sortable\" id=\"exc-table\"><thead><tr><th>Id"
		       "</th><th>Control</th><th>Assets</th><th>Category</th><th>Expires</th><th "
		       "class=\"num\">Days left</th><th>State</th><th class=\"num\">Results</th><th>"
		       "Justification</th><th>Approved by</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		uint64_t m = i < st->nexceptions ? st->per_exception[i] : 0;
		bool on = bl_exception_active(e, run->now);
		int64_t left = bl_exception_days_left(e, run->now);
		const char *cls = !on ? "expired" : m == 0 ? "stale"
					     : left <= BL_EXC_WARN_DAYS ? "expiring" : "active";
		bl_buf_printf(b, "<tr class=\"%s\"><td><code>", cls);
		bl_html_esc(b, e->id);
		bl_buf_adds(b, "</code></td><td><code>");
		bl_html_esc(b, e->control);
		bl_buf_adds(b, "</code></td><td>");
		for (size_t k = 0; k < e->nassets; k++) {
			bl_buf_adds(b, k ? ", <code>" : "<code>");
			bl_html_esc(b, e->assets[k]);
			bl_buf_adds(b, "</code>");
		}
		bl_buf_printf(b, "</td><td>%s</td><td>", bl_exc_category_name(e->category));
		bl_html_esc(b, e->expires);
		bl_buf_printf(b, "</td><td class=\"num\" data-v=\"%lld\">%lld</td><td>",
			      (long long)left, (long long)left);
		status_badge(b, on ? "active" : "expired");
		if (m == 0)
			bl_buf_adds(b, " <span class=\"st st-stale\">stale</span>");
		else if (on && left <= BL_EXC_WARN_DAYS)
			bl_buf_adds(b, " <span class=\"st st-expiring\">expiring</span>");
		bl_buf_printf(b, "</td><td class=\"num\">%llu</td><td>", (unsigned long long)m);
		bl_html_esc(b, e->justification);
		bl_buf_adds(b, "</td><td>");
		bl_html_esc(b, e->approved_by);
		bl_buf_adds(b, "</td></tr>\n");
	}
	bl_buf_adds(b, "</tbody></table></div>\n</section>\n");
}

static void write_kept(struct bl_buf *b, const struct kept *k)
{
	bl_buf_adds(b, "<tr><td><code>");
	bl_html_esc(b, k->asset);
	bl_buf_adds(b, "</code>");
	if (k->type && *k->type) {
		bl_buf_adds(b, "<br><span class=\"muted\">");
		bl_html_esc(b, k->type);
		bl_buf_adds(b, "</span>");
	}
	bl_buf_adds(b, "</td><td>");
	status_badge(b, bl_status_name(k->status));
	if (k->exc_expired) {
		bl_buf_adds(b, "<br><span class=\"st st-expired\">exception ");
		bl_html_esc(b, k->exc_id);
		bl_buf_adds(b, " expired</span>");
	}
	bl_buf_adds(b, "</td>");
	tier_cell(b, k->tier);
	td_text(b, k->env);
	td_text(b, k->owner);
	bl_buf_adds(b, "<td>");
	bl_html_esc(b, k->message);
	if (k->nev)
		bl_buf_adds(b, "<ul class=\"ev\">");
	for (size_t i = 0; i < k->nev; i++) {
		const struct kept_ev *e = &k->ev[i];
		bl_buf_adds(b, "<li><code>");
		bl_html_esc(b, e->path);
		bl_buf_adds(b, "</code> is ");
		if (e->actual) {
			bl_buf_adds(b, "<code>");
			bl_html_esc(b, e->actual);
			bl_buf_adds(b, "</code>");
		} else {
			bl_buf_adds(b, "<em>missing</em>");
		}
		if (e->expected) {
			bl_buf_adds(b, "; expected <code>");
			bl_html_esc(b, e->expected);
			bl_buf_adds(b, "</code>");
		}
		bl_buf_adds(b, "</li>");
	}
	if (k->more_ev)
		bl_buf_printf(b, "<li class=\"muted\">%zu more</li>", k->more_ev);
	if (k->nev)
		bl_buf_adds(b, "</ul>");
	bl_buf_adds(b, "</td></tr>\n");
}

static int write_failures(struct bl_buf *b, const struct html_state *s,
			  const struct bl_run_info *run, FILE *out)
{
	const struct bl_baseline *bl = run->baseline;
	const struct bl_tally *t = &run->stats->total;
	uint64_t total = t->n[BL_FAIL] + t->n[BL_ERROR];
	bl_buf_printf(b, "<section id=\"failures\">\n<h2>Failing results</h2>\n<p><span id=\"fail-"
			 "counts\">%llu failing result%s (%llu fail, %llu error); %zu shown</span>",
		      (unsigned long long)total, total == 1 ? "" : "s",
		      (unsigned long long)t->n[BL_FAIL], (unsigned long long)t->n[BL_ERROR],
		      s->nkept);
	if (s->dropped)
		bl_buf_printf(b, "; <strong id=\"more-results\">%llu more are not shown</strong>: "
				 "the page keeps the first %d (use -f json or -f csv for all)",
			      (unsigned long long)s->dropped, BL_HTML_MAX_FAILING);
	bl_buf_adds(b, ".</p>\n");
	if (!s->nkept) {
		bl_buf_adds(b, "<p class=\"muted\">No failures.</p>\n</section>\n");
		return bl_html_flush(b, out);
	}
	for (int sev = BL_SEV_CRITICAL; sev >= BL_SEV_INFO; sev--) {
		for (size_t i = 0; i < bl->ncontrols; i++) {
			const struct bl_control *c = &bl->controls[i];
			if ((int)c->severity != sev || !s->first[i])
				continue;
			const struct bl_tally *ct = &run->stats->per_control[i];
			bl_buf_printf(b, "<article class=\"ctl sev-%s\" id=\"c-", bl_severity_name(c->severity));
			bl_html_esc(b, c->id);
			bl_buf_adds(b, "\"><h3><code>");
			bl_html_esc(b, c->id);
			bl_buf_adds(b, "</code> ");
			bl_html_esc(b, c->title);
			bl_buf_adds(b, " ");
			status_badge(b, bl_severity_name(c->severity));
			bl_buf_printf(b, "</h3>\n<p class=\"muted\">%llu fail, %llu error of %llu assessed; "
					 "effect %s</p>\n",
				      (unsigned long long)ct->n[BL_FAIL], (unsigned long long)ct->n[BL_ERROR],
				      (unsigned long long)(ct->n[BL_PASS] + ct->n[BL_FAIL] +
							   ct->n[BL_ERROR] + ct->n[BL_EXEMPT]),
				      bl_effect_name(c->effect));
			if (c->remediation) {
				bl_buf_adds(b, "<p class=\"note\"><strong>Remediation:</strong> ");
				bl_html_esc(b, c->remediation);
				bl_buf_adds(b, "</p>\n");
			}
			bl_buf_adds(b, "<div class=\"tw\"><table class=\"results\"><thead><tr><th>Asset</th>"
				       "<th>Status</th><th class=\"num\">Tier</th><th>Environment</th><th>"
				       "Owner</th><th>Evidence</th></tr></thead><tbody>\n");
			for (size_t k = s->first[i]; k; k = s->kept[k - 1].next) {
				write_kept(b, &s->kept[k - 1]);
				if (b->len > 65536) {
					int rc = bl_html_flush(b, out);
					if (rc)
						return rc;
				}
			}
			bl_buf_adds(b, "</tbody></table></div>\n</article>\n");
		}
	}
	bl_buf_adds(b, "</section>\n");
	return bl_html_flush(b, out);
}

static int html_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		       struct bl_error *err)
{
	struct html_state *s = r->state;
	if (bl_gaps_finish(&s->gaps))
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char title[256];
	snprintf(title, sizeof(title), "Compliance: %s %s", run->baseline->id, run->baseline->version);
	bl_html_begin(&b, title, NULL);
	write_header(&b, run);
	bl_buf_adds(&b, "<main>\n");
	write_summary(&b, run);
	int rc = write_frameworks(&b, s, run, out);
	if (!rc) {
		write_breakdown(&b, run);
		write_trend_hook(&b, run);
		write_gaps(&b, s);
		write_exceptions(&b, run);
		rc = bl_html_flush(&b, out);
	}
	if (!rc)
		rc = write_failures(&b, s, run, out);
	if (!rc) {
		bl_buf_adds(&b, "</main>\n");
		bl_html_end(&b);
		rc = bl_html_flush(&b, out);
	}
	bl_buf_free(&b);
	if (rc)
		return bl_error_set(err, rc, NULL, 0, 0,
				    rc == BL_ENOMEM ? "out of memory" : "cannot write the HTML report");
	return 0;
}

static void html_free(struct bl_report *r)
{
	struct html_state *s = r->state;
	bl_gaps_free(&s->gaps);
	free(s->kept);
	free(s->first);
	free(s->last);
	bl_buf_free(&s->tmp);
	bl_arena_free(&s->arena);
}

const struct bl_report_ops bl_report_html = {
	.name = "html",
	.size = sizeof(struct html_state),
	.open = html_open,
	.result = html_result,
	.finish = html_finish,
	.free = html_free,
};
