/* Unit tests for report/: the JSON document parses back with the right
 * fields; text output lists failures by severity; hostile strings stay data. */
#include "../engine/enginetest.h"

#include "engine/rollup.h"
#include "engine/score.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 2.0.0\ntitle: t\ncontrols:\n"
	"  - {id: HI, title: High one, severity: high, maps: {mcsb-v1: [DP-3]}, expect: {field: x, exists: true}}\n"
	"  - {id: LO, title: Low one, severity: low, expect: {field: x, exists: true}}\n";

static char *render(const char *format, struct et *t, bool all, size_t *len)
{
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {.all = all};
	assert_int_equal(bl_report_open(&r, format, t->b, &o, &e), 0);
	struct bl_asset as = {.id = "a\"<script>\x01", .type = "T", .tier = 1, .environment = "prod"};
	struct bl_value actual = {.type = BL_VBOOL, .b = false};
	struct bl_evidence ev = {.path = "x", .actual = &actual, .expected = "exists true"};
	struct bl_result res[3] = {
		{.control = &t->b->controls[0], .asset = &as, .status = BL_FAIL, .evidence = &ev,
		 .nevidence = 1, .message = "x is false"},
		{.control = &t->b->controls[1], .asset = &as, .status = BL_PASS, .message = "compliant"},
		{.control = &t->b->controls[1], .asset = &as, .status = BL_NA, .message = "n/a"},
	};
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[2];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	st.assets = 1;
	st.controls = 2;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bl_report_result(r, &res[i]), 0);
		st.total.n[res[i].status]++;
		pc[res[i].control->index].n[res[i].status]++;
	}
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, t->b, &st), 0);
	struct bl_run_info run = {.id = "00000000-0000-4000-8000-000000000000",
				  .started = "2026-01-01T00:00:00Z", .finished = "2026-01-01T00:00:01Z",
				  .baseline = t->b, .stats = &st, .rollup = &ru};
	const char *targets[] = {"snap.json"};
	run.targets = targets;
	run.ntargets = 1;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	return buf;
}

static void test_json(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	size_t len;
	char *out = render("json", &t, false, &len);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = tu_json(&a, out);
	const struct bl_value *results = bl_value_getz(v, "results");
	assert_int_equal(results->u.arr.n, 2);   /* not_applicable left out */
	const struct bl_value *r0 = &results->u.arr.items[0];
	size_t n;
	const char *s = bl_value_strz(r0, "asset", &n);
	assert_int_equal(n, strlen("a\"<script>\x01"));
	assert_memory_equal(s, "a\"<script>\x01", n);
	assert_int_equal(bl_value_getz(r0, "tier")->u.num.d, 1);
	assert_int_equal(bl_value_getz(r0, "exception")->type, BL_VNULL);
	assert_int_equal(bl_value_getz(bl_value_getz(r0, "evidence")->u.arr.items, "actual")->type, BL_VBOOL);
	const struct bl_value *sum = bl_value_getz(v, "summary");
	assert_int_equal(bl_value_getz(sum, "compliance")->u.num.d, 50);
	assert_int_equal(bl_value_getz(sum, "not_applicable")->u.num.d, 1);
	const struct bl_value *fw = bl_value_getz(v, "frameworks");
	assert_int_equal(fw->u.arr.n, 1);
	/* strings point into the source text: compare with their length */
	s = bl_value_strz(bl_value_getz(&fw->u.arr.items[0], "controls")->u.arr.items, "status", &n);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "fail", 4);
	assert_non_null(strstr(out, "\"schema\": \"baseline.result/1\""));
	assert_non_null(strstr(out, "\\u0001"));
	free(out);
	out = render("json", &t, true, &len);
	assert_non_null(strstr(out, "\"not_applicable\""));
	free(out);
	bl_arena_free(&a);
	et_free(&t);
}

static void test_text(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	size_t len;
	char *out = render("text", &t, false, &len);
	assert_non_null(strstr(out, "Compliance 50.0%"));
	assert_non_null(strstr(out, "HIGH      HI  High one"));
	assert_non_null(strstr(out, "x is false"));
	assert_null(strstr(out, "\033["));
	free(out);
	et_free(&t);
}

/* Exceptions and scores reach the JSON document and the text report. */
static void test_governance_sections(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exceptions *x = NULL;
	struct bl_exc_opts xo = {.now = 1795824000};   /* 2026-11-28 */
	assert_int_equal(bl_exceptions_from_doc(&x, tu_doc(&a,
		"exceptions:\n"
		"  - {id: EX-A, control: HI, assets: [\"*\"], category: mitigated, justification: j, approved_by: a, expires: 2026-12-31}\n"
		"  - {id: EX-OLD, control: LO, assets: [\"*\"], category: waiver, justification: j, approved_by: a, expires: 2026-01-31}\n",
		"exc.yaml"), &xo, &d), 0);
	struct bl_asset as = {.id = "a1", .type = "T", .tier = 2, .owner = "team"};
	struct bl_result res[2] = {
		{.control = &t.b->controls[0], .asset = &as, .status = BL_EXEMPT, .message = "exempt by EX-A",
		 .exception = &x->items[0], .exc_state = BL_EXC_ACTIVE, .classification = "secret"},
		{.control = &t.b->controls[1], .asset = &as, .status = BL_PASS, .message = "compliant"},
	};
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[2];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	assert_int_equal(bl_run_stats_track_exceptions(&st, x), 0);
	st.assets = 1;
	st.controls = 2;
	struct bl_scores sc;
	bl_scores_init(&sc);
	for (const char *const *fmt = (const char *const[]){"json", "text", NULL}; *fmt; fmt++) {
		struct bl_report *r;
		struct bl_error e;
		assert_int_equal(bl_report_open(&r, *fmt, t.b, NULL, &e), 0);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(bl_report_result(r, &res[i]), 0);
			if (fmt[0][0] == 'j') {
				bl_run_stats_add(&st, &res[i]);
				assert_int_equal(bl_scores_add(&sc, &res[i]), 0);
			}
		}
		bl_scores_finish(&sc);
		struct bl_run_info run = {.baseline = t.b, .stats = &st, .scores = &sc,
					  .exceptions = x, .now = xo.now};
		char *buf = NULL;
		size_t len;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
		fclose(f);
		bl_report_free(r);
		if (fmt[0][0] == 'j') {
			const struct bl_value *v = tu_json(&a, buf);
			const struct bl_value *r0 = bl_value_getz(v, "results")->u.arr.items;
			const struct bl_value *ex = bl_value_getz(r0, "exception");
			size_t n;
			assert_memory_equal(bl_value_strz(ex, "state", &n), "active", 6);
			assert_memory_equal(bl_value_strz(ex, "category", &n), "mitigated", 9);
			assert_memory_equal(bl_value_strz(ex, "expires", &n), "2026-12-31", 10);
			assert_memory_equal(bl_value_strz(r0, "classification", &n), "secret", 6);
			const struct bl_value *xs = bl_value_getz(v, "exceptions");
			assert_int_equal(bl_value_getz(xs, "active")->u.num.d, 1);
			assert_int_equal(bl_value_getz(xs, "expired")->u.num.d, 1);
			assert_int_equal(bl_value_getz(xs, "stale")->u.num.d, 1);
			const struct bl_value *it = bl_value_getz(xs, "items");
			assert_int_equal(bl_value_getz(&it->u.arr.items[0], "matches")->u.num.d, 1);
			assert_memory_equal(bl_value_strz(&it->u.arr.items[1], "state", &n), "expired", 7);
			const struct bl_value *scores = bl_value_getz(v, "scores");
			/* pass: LO (low, 1); exempt: HI (high, 5): weighted 1/1 */
			assert_int_equal(bl_value_getz(bl_value_getz(scores, "weighted"), "compliance")->u.num.d, 100);
			assert_int_equal(bl_value_getz(bl_value_getz(scores, "weighted"), "exempt")->u.num.d, 5);
			assert_int_equal(bl_value_getz(scores, "exempt")->u.num.d, 1);
			const struct bl_value *tiers = bl_value_getz(scores, "tiers");
			assert_int_equal(tiers->u.arr.n, 1);
			assert_int_equal(bl_value_getz(tiers->u.arr.items, "tier")->u.num.d, 2);
			assert_int_equal(bl_value_getz(v, "inventory")->type, BL_VNULL);
		} else {
			assert_non_null(strstr(buf, "Exempt (covered by an active exception)"));
			assert_non_null(strstr(buf, "exempt by EX-A"));
			assert_non_null(strstr(buf, "Exceptions exc.yaml: 1 active, 1 expired, 1 stale"));
			assert_non_null(strstr(buf, "expired  EX-OLD (LO) expired on 2026-01-31 and matched no failing result (stale)"));
			assert_non_null(strstr(buf, "severity-weighted         100.0%   (weights: critical 10"));
			assert_non_null(strstr(buf, "owner team"));
		}
		free(buf);
	}
	bl_scores_free(&sc);
	free(st.per_exception);
	bl_exceptions_free(x);
	bl_diags_free(&d);
	bl_arena_free(&a);
	et_free(&t);
}

static void test_unknown_format(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_report *r;
	struct bl_error e;
	assert_int_equal(bl_report_open(&r, "yaml", t.b, NULL, &e), BL_EINVAL);
	assert_non_null(strstr(e.msg, "unknown format 'yaml'"));
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_governance_sections),
		cmocka_unit_test(test_unknown_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
