/*
 * test_json_fast.c - report/json.c's fast path for results: the per-status
 * asset fragments, the constant tail of a result without tags, evidence or
 * exception, the cache of repeated messages (same address, changed in place,
 * escapes), evidence values written inline, and the first result written
 * without a separator after skipped ones; every result must be the bytes of
 * bl_report_result_json.
 */
#include "../engine/enginetest.h"

#include "engine/rollup.h"
#include "model/exceptions.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: C-1, title: one, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: C-2, title: two, severity: low, effect: deny, expect: {field: x, exists: true}}\n"
	"  - {id: C-3, title: three, severity: info, expect: {field: x, exists: true}}\n";

/* The results written by the JSON report, reported one by one (the caller
 * may change the results' strings in between through cb). */
static char *render(struct et *t, const struct bl_result *res, size_t n, bool all,
		    void (*cb)(size_t i, void *ctx), void *ctx)
{
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {.all = all};
	assert_int_equal(bl_report_open(&r, "json", t->b, &o, &e), 0);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[3];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	st.controls = 3;
	for (size_t i = 0; i < n; i++) {
		if (cb)
			cb(i, ctx);
		assert_int_equal(bl_report_result(r, &res[i]), 0);
		st.total.n[res[i].status]++;
		pc[res[i].control->index].n[res[i].status]++;
	}
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, t->b, &st), 0);
	struct bl_run_info run = {.id = "x", .started = "s", .finished = "f", .baseline = t->b,
				  .stats = &st, .rollup = &ru};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	return buf;
}

/* Compare the written results with the shared writer's, given the expected
 * text of each written result (made while the strings were as reported). */
static void check(const char *out, const struct bl_buf *want)
{
	const char *p = strstr(out, "\"results\": [");
	assert_non_null(p);
	p += strlen("\"results\": [");
	if (strncmp(p, want->data, want->len) != 0)
		fail_msg("results differ:\n got: %s\nwant: %s", p, want->data);
	assert_string_equal(p + want->len, "\n  ]\n}\n");
}

struct live {
	const struct bl_result *res;
	bool all;
	struct bl_buf *want;
	size_t written;
	char *msgbuf;      /* a message changed in place at result changes[] */
	const size_t *changes;
	const char *const *texts;
	size_t nchanges;
};

static void record(size_t i, void *ctx)
{
	struct live *l = ctx;
	for (size_t k = 0; k < l->nchanges; k++)
		if (l->changes[k] == i)
			snprintf(l->msgbuf, 64, "%s", l->texts[k]);
	if (l->res[i].status == BL_NA && !l->all)
		return;
	bl_buf_adds(l->want, l->written++ ? ",\n    " : "\n    ");
	assert_int_equal(bl_report_result_json(l->want, &l->res[i]), 0);
}

static void test_message_cache(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset a = {.id = "/subs/1/a", .type = "T"};
	char msgbuf[64] = "first";
	static const char esc[] = "needs \"escape\"\t\\";
	enum { N = 40 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 3];
		res[i].asset = &a;
		res[i].status = i % 5 == 4 ? BL_FAIL : BL_PASS;
		res[i].message = i % 5 == 4 ? msgbuf : (i % 7 == 3 ? esc : "compliant");
	}
	/* the buffer's content changes between uses: never its old escape */
	const size_t changes[] = {9, 19, 24, 34};
	const char *const texts[] = {"second \"quoted\"", "third", "third!", ""};
	for (int all = 0; all < 2; all++) {
		snprintf(msgbuf, sizeof(msgbuf), "first");
		struct bl_buf want;
		bl_buf_init(&want, 0);
		struct live l = {.res = res, .all = all, .want = &want, .msgbuf = msgbuf,
				 .changes = changes, .texts = texts, .nchanges = 4};
		char *out = render(&t, res, N, all, record, &l);
		check(out, &want);
		free(out);
		bl_buf_free(&want);
	}
	et_free(&t);
}

static void test_evidence_values_and_first(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset a = {.id = "/subs/1/b", .type = "T", .tier = 1, .environment = "prod"};
	struct bl_value vt = {.type = BL_VBOOL, .b = true}, vf = {.type = BL_VBOOL, .b = false};
	struct bl_value vn = {.type = BL_VNULL};
	struct bl_value vs = {.type = BL_VSTR, .u.str = {.s = "a\"b\\c\n\x01", .len = 8}};
	struct bl_value vu = {.type = BL_VSTR, .u.str = {.s = "caf\xc3\xa9 \xe2\x80\xa8", .len = 9}};
	struct bl_value vnum = {.type = BL_VNUM, .u.num = {.text = "0640", .len = 4, .d = 640}};
	struct bl_value vnum2 = {.type = BL_VNUM, .flags = BL_VF_INT,
				 .u.num = {.text = "12", .len = 2, .d = 12}};
	struct bl_member om = {.key = "k", .klen = 1, .val = {.type = BL_VBOOL, .b = true}};
	struct bl_value vo = {.type = BL_VOBJ};
	vo.u.obj.items = &om;
	vo.u.obj.n = 1;
	struct bl_evidence ev[8] = {
		{.path = "p.t", .actual = &vt, .expected = "equals false"},
		{.path = "p.f", .actual = &vf, .expected = "equals true"},
		{.path = "p.n", .actual = &vn, .expected = "exists false"},
		{.path = "p.s", .actual = &vs, .expected = "equals \"x\""},
		{.path = "p.u", .actual = &vu, .expected = "like \"*\""},
		{.path = "p.num", .actual = &vnum, .expected = "less 5"},
		{.path = "p.num2", .actual = &vnum2, .expected = "less 5"},
		{.path = NULL, .actual = &vo, .expected = NULL},
	};
	struct bl_result res[] = {
		{.control = &c[0], .asset = &a, .status = BL_NA, .message = "not applicable: x"},
		{.control = &c[1], .asset = &a, .status = BL_NA, .message = "not applicable: x"},
		{.control = &c[2], .asset = &a, .status = BL_FAIL, .evidence = ev, .nevidence = 8,
		 .message = "p.t is true; expected equals false (and 7 more)"},
		{.control = &c[0], .asset = &a, .status = BL_PASS, .message = NULL},
		{.control = &c[1], .asset = &a, .status = BL_PASS, .message = "compliant"},
		{.control = &c[2], .asset = &a, .status = BL_ERROR, .message = "bad"},
		{.control = &c[0], .asset = &a, .status = BL_EXEMPT, .message = "compliant"},
	};
	size_t n = sizeof(res) / sizeof(res[0]);
	for (int all = 0; all < 2; all++) {
		struct bl_buf want;
		bl_buf_init(&want, 0);
		struct live l = {.res = res, .all = all, .want = &want};
		char *out = render(&t, res, n, all, record, &l);
		check(out, &want);
		free(out);
		bl_buf_free(&want);
	}
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_cache),
		cmocka_unit_test(test_evidence_values_and_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
