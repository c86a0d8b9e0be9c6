/* Unit tests for the HTML dashboard (report/html.c) and its helpers: every
 * section present with the right counts, hostile strings rendered as text,
 * nothing that loads from the network, the cap on kept failing results. */
#include "../engine/enginetest.h"

#include "engine/rollup.h"
#include "engine/score.h"
#include "model/framework.h"
#include "report/html_util.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 2.0.0\ntitle: T <b>baseline</b>\ncontrols:\n"
	"  - {id: HI, title: High one, severity: high, remediation: \"fix <it> & go\", "
	"maps: {mcsb-v1: [DP-3]}, expect: {field: x, exists: true}}\n"
	"  - {id: LO, title: Low one, severity: low, maps: {mcsb-v1: [DP-3, NS-1]}, "
	"expect: {field: x, exists: true}}\n"
	"  - {id: CR, title: Critical one, severity: critical, expect: {field: x, exists: true}}\n";

static const char *exc_doc =
	"exceptions:\n"
	"  - {id: EX-1, control: LO, assets: [\"*\"], category: waiver, justification: j, "
	"approved_by: a, expires: 2026-01-10}\n"
	"  - {id: EX-2, control: CR, assets: [nothing], category: mitigated, justification: j, "
	"approved_by: a, expires: 2026-06-01}\n";

#define NOW ((int64_t)20460 * 86400)   /* 2026-01-07 */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

struct fixture {
	struct et t;
	struct bl_catalogs cats;
	struct bl_exceptions *x;
	struct bl_arena a;
};

/* Render nfail failing results of HI on distinct assets (the first one
 * hostile), one pass of LO, one expired-exception failure of LO, one error
 * of CR. */
static char *render(struct fixture *fx, size_t nfail)
{
	struct et *t = &fx->t;
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {0};
	assert_int_equal(bl_report_open(&r, "html", t->b, &o, &e), 0);
	struct bl_run_stats st;
	assert_int_equal(bl_run_stats_init(&st, t->b), 0);
	assert_int_equal(bl_run_stats_track_exceptions(&st, fx->x), 0);
	struct bl_scores sc;
	bl_scores_init(&sc);
	struct bl_value actual = {.type = BL_VSTR, .u.str = {.s = "<img src=x onerror=alert(2)>",
							     .len = 28}};
	struct bl_evidence ev = {.path = "x", .actual = &actual, .expected = "exists true"};
	char id[64];
	for (size_t i = 0; i < nfail + 3; i++) {
		struct bl_asset as = {.id = id, .type = "T", .tier = 1, .environment = "prod",
				      .owner = "team-<a>"};
		struct bl_result res = {.asset = &as, .message = "x is <bad>", .evidence = &ev,
					.nevidence = 1};
		if (i == 0)
			snprintf(id, sizeof(id), "<script>alert(1)</script>");
		else
			snprintf(id, sizeof(id), "asset-%zu", i);
		if (i < nfail) {
			res.control = &t->b->controls[0];
			res.status = BL_FAIL;
		} else if (i == nfail) {
			res.control = &t->b->controls[1];
			res.status = BL_PASS;
			res.nevidence = 0;
		} else if (i == nfail + 1) {
			res.control = &t->b->controls[1];
			res.status = BL_FAIL;
			res.exception = &fx->x->items[0];
			res.exc_state = BL_EXC_EXPIRED;
		} else {
			res.control = &t->b->controls[2];
			res.status = BL_ERROR;
			as.tier = 0;
			as.environment = NULL;
		}
		assert_int_equal(bl_report_result(r, &res), 0);
		assert_int_equal(bl_scores_add(&sc, &res), 0);
		bl_run_stats_add(&st, &res);
	}
	st.assets = nfail + 3;
	bl_scores_finish(&sc);
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build_with(&ru, t->b, &st, &fx->cats), 0);
	const char *targets[] = {"snap<1>.json"};
	struct bl_run_info run = {.id = "00000000-0000-4000-8000-000000000000",
				  .started = "2026-01-07T00:00:00Z", .finished = "2026-01-07T00:00:01Z",
				  .baseline = t->b, .stats = &st, .rollup = &ru, .scores = &sc,
				  .exceptions = fx->x, .now = NOW, .targets = targets, .ntargets = 1};
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	bl_scores_free(&sc);
	bl_run_stats_free(&st);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	et_load(&fx->t, doc);
	struct bl_error e;
	assert_int_equal(bl_catalogs_load(&fx->cats, &e), 0);
	bl_arena_init(&fx->a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exc_opts xo = {.now = NOW};
	assert_int_equal(bl_exceptions_from_doc(&fx->x, tu_doc(&fx->a, exc_doc, "x.yaml"), &xo, &d), 0);
	bl_diags_free(&d);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	bl_exceptions_free(fx->x);
	bl_arena_free(&fx->a);
	bl_catalogs_free(&fx->cats);
	et_free(&fx->t);
	free(fx);
	return 0;
}

static void test_sections(void **state)
{
	struct fixture *fx = *state;
	char *out = render(fx, 2);
	static const char *const ids[] = {"id=\"run\"", "id=\"summary\"", "id=\"frameworks\"",
					  "id=\"breakdown\"", "id=\"gaps\"", "id=\"exceptions\"",
					  "id=\"failures\"", "id=\"compliance\"", "id=\"weighted\"",
					  "id=\"by-tier\"", "id=\"by-environment\"", "id=\"by-owner\""};
	const char *prev = out;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *p = strstr(out, ids[i]);
		assert_non_null(p);
		assert_int_equal(count(out, ids[i]), 1);
		if (i < 7) {   /* sections in order */
			assert_true(p > prev || i == 0);
			prev = p;
		}
	}
	/* header: baseline id, version, hash, target (escaped) */
	assert_non_null(strstr(out, "<code>t</code> version <code>2.0.0</code>"));
	assert_non_null(strstr(out, fx->t.b->sha256));
	assert_non_null(strstr(out, "<code>snap&lt;1&gt;.json</code>"));
	assert_non_null(strstr(out, "<h1>Compliance report: T &lt;b&gt;baseline&lt;/b&gt;</h1>"));
	/* overall: pass 1 / (1 + 3 fail + 1 error) = 20%; weighted: pass 1 (low) /
	 * (1 + 5 + 5 + 1 + 10) = 4.5% */
	assert_non_null(strstr(out, "<div class=\"card\" id=\"compliance\"><div class=\"big\">20.0%"));
	assert_non_null(strstr(out, "<div class=\"card\" id=\"weighted\"><div class=\"big\">4.5%"));
	/* one donut for mcsb-v1; 86 catalog controls, DP-3 and NS-1 covered */
	assert_int_equal(count(out, "<figure class=\"donut\">"), 1);
	assert_int_equal(count(out, "<tr class=\"not_covered\">"), 84);
	assert_int_equal(count(out, "<tr class=\"fail\">"), 2);
	assert_non_null(strstr(out, "86 controls: 0 pass, 2 fail, 0 error, 0 exempt, 0 not applicable, "
				    "84 not covered"));
	/* drill-down: DP-3 lists HI and LO with HI's failing assets */
	assert_non_null(strstr(out, "<summary>2 baseline controls</summary>"));
	/* gaps: CR errored (not a gap); HI (high, 2) before LO (low, 1, expired) */
	assert_non_null(strstr(out, "<p>2 failing controls, most urgent first"));
	const char *hi = strstr(out, "<tr><td class=\"num\">1</td><td><a href=\"#c-HI\">");
	const char *lo = strstr(out, "<tr><td class=\"num\">2</td><td><a href=\"#c-LO\">");
	assert_non_null(hi);
	assert_non_null(lo);
	assert_non_null(strstr(lo, "<span class=\"st st-expired\">1 expired</span>"));
	/* exceptions: EX-1 expired (2026-01-10 is in 3 days: active... ) */
	assert_non_null(strstr(out, "<span id=\"exc-counts\">2 active, 0 expired, 1 stale</span>"));
	assert_non_null(strstr(out, "<tr class=\"expiring\"><td><code>EX-1</code>"));
	assert_non_null(strstr(out, "<tr class=\"stale\"><td><code>EX-2</code>"));
	/* failures: 3 fail + 1 error, all shown, critical control first */
	assert_non_null(strstr(out, "<span id=\"fail-counts\">4 failing results (3 fail, 1 error); "
				    "4 shown</span>"));
	assert_null(strstr(out, "id=\"more-results\""));
	assert_true(strstr(out, "id=\"c-CR\"") < strstr(out, "id=\"c-HI\""));
	assert_true(strstr(out, "id=\"c-HI\"") < strstr(out, "id=\"c-LO\""));
	assert_non_null(strstr(out, "<strong>Remediation:</strong> fix &lt;it&gt; &amp; go</p>"));
	assert_non_null(strstr(out, "exception EX-1 expired"));
	/* no trend without history; the hook leaves a marker */
	assert_non_null(strstr(out, "<!-- trend: no stored history for this run -->"));
	free(out);
}

static void test_escaping_and_self_contained(void **state)
{
	struct fixture *fx = *state;
	char *out = render(fx, 2);
	/* the hostile asset, evidence, message and owner are text */
	assert_non_null(strstr(out, "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
	assert_null(strstr(out, "<script>alert"));
	assert_int_equal(count(out, "<script"), 1);   /* ours, allowed by hash */
	assert_non_null(strstr(out, "&quot;&lt;img src=x onerror=alert(2)&gt;&quot;"));
	assert_null(strstr(out, "<img"));
	assert_non_null(strstr(out, "x is &lt;bad&gt;"));
	assert_non_null(strstr(out, "team-&lt;a&gt;"));
	/* nothing that could load from anywhere */
	assert_int_equal(count(out, " src="), 4);   /* the escaped evidence text of 4 results */
	assert_null(strstr(out, "src=\""));
	assert_int_equal(count(out, "<link"), 1);
	assert_non_null(strstr(out, "<link rel=\"icon\" href=\"data:,\">"));   /* no favicon fetch */
	assert_null(strstr(out, "url("));
	assert_null(strstr(out, "@import"));
	assert_null(strstr(out, "http://"));
	assert_null(strstr(out, "https://"));
	assert_non_null(strstr(out, "content=\"default-src 'none'; style-src 'unsafe-inline'; "
				    "img-src data:; script-src 'sha256-"));
	assert_non_null(strstr(out, "@media print"));
	assert_non_null(strstr(out, "name=\"viewport\""));
	free(out);
}

static void test_cap(void **state)
{
	struct fixture *fx = *state;
	char *out = render(fx, 5003);
	assert_non_null(strstr(out, "<span id=\"fail-counts\">5005 failing results (5004 fail, 1 "
				    "error); 5000 shown</span>"));
	assert_non_null(strstr(out, "<strong id=\"more-results\">5 more are not shown</strong>"));
	/* the rows kept: 5000 in the result tables */
	assert_int_equal(count(out, "<span class=\"st st-fail\">fail</span>") +
				 count(out, "<span class=\"st st-error\">error</span>"),
			 5000 + 2 /* fail statuses in the framework table */);
	free(out);
}

static void test_helpers(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_html_escn(&b, "a&<>\"'\x01\x7f\tz", 10);
	assert_string_equal(b.data, "a&amp;&lt;&gt;&quot;&#39;\xef\xbf\xbd\xef\xbf\xbd\tz");
	bl_buf_reset(&b);
	bl_html_ref(&b, "javascript:alert(1)");
	assert_string_equal(b.data, "javascript:alert(1)");
	bl_buf_reset(&b);
	bl_html_ref(&b, "https://e.example/a?b=\"c\"");
	assert_string_equal(b.data, "<a href=\"https://e.example/a?b=&quot;c&quot;\" rel=\"noopener "
				    "noreferrer\">https://e.example/a?b=&quot;c&quot;</a>");
	bl_buf_reset(&b);
	bl_html_pct(&b, -1);
	bl_html_pct(&b, 12.345);
	assert_string_equal(b.data, "n/a12.3%");
	bl_buf_reset(&b);
	bl_html_donut(&b, 75, "fw<x>");
	assert_non_null(strstr(b.data, "stroke-dasharray=\"75.00 25.00\""));
	assert_non_null(strstr(b.data, "<figcaption>fw&lt;x&gt;</figcaption>"));
	bl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_and_self_contained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
