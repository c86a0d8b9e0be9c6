/* Unit tests for engine/gaps.c and the gap writers: ordering by severity,
 * then most critical tier, then failing assets; owners, first assets; CSV
 * quoting and formula neutralisation. */
#include "enginetest.h"

#include "engine/gaps.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: MED-MANY, title: m, severity: medium, expect: {field: x, exists: true}}\n"
	"  - {id: HIGH-T3, title: h3, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: HIGH-T1, title: h1, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: HIGH-T1-MORE, title: \"=HYPERLINK(\\\"x\\\")\", severity: high, maps: {mcsb-v1: [DP-3], cis-v8: [\"3.10\"]},\n"
	"     remediation: \"Do \\\"this\\\", then that\", expect: {field: x, exists: true}}\n"
	"  - {id: PASSING, title: p, severity: critical, expect: {field: x, exists: true}}\n"
	"  - {id: UNKNOWN-TIER, title: u, severity: high, expect: {field: x, exists: true}}\n";

static void add(struct bl_gaps *g, const struct bl_control *c, const struct bl_asset *a,
		enum bl_status st)
{
	struct bl_result r = {.control = c, .asset = a, .status = st, .message = ""};
	assert_int_equal(bl_gaps_add(g, &r), 0);
}

static void test_order(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset t1 = {.id = "t1", .type = "T", .tier = 1, .owner = "a"};
	struct bl_asset t2 = {.id = "t2", .type = "T", .tier = 2, .owner = "b"};
	struct bl_asset t3 = {.id = "t3", .type = "T", .tier = 3};
	struct bl_asset t0 = {.id = "t0", .type = "T"};
	struct bl_gaps g;
	assert_int_equal(bl_gaps_init(&g, t.b), 0);
	char ids[8][8];
	for (int i = 0; i < 8; i++) {
		snprintf(ids[i], sizeof(ids[i]), "m%d", i);
		struct bl_asset *m = &(struct bl_asset){.id = ids[i], .type = "T", .tier = 1, .owner = "a"};
		add(&g, &c[0], m, BL_FAIL);   /* 8 failing tier-1 assets, but only medium */
	}
	add(&g, &c[1], &t3, BL_FAIL);
	add(&g, &c[1], &t3, BL_FAIL);
	add(&g, &c[1], &t3, BL_FAIL);    /* HIGH-T3: 3 failing, best tier 3 */
	add(&g, &c[2], &t2, BL_FAIL);
	add(&g, &c[2], &t1, BL_FAIL);    /* HIGH-T1: 2 failing, best tier 1 */
	add(&g, &c[3], &t1, BL_FAIL);
	add(&g, &c[3], &t2, BL_FAIL);
	add(&g, &c[3], &t3, BL_FAIL);    /* HIGH-T1-MORE: 3 failing, best tier 1 */
	add(&g, &c[3], &t0, BL_EXEMPT);  /* not a gap */
	add(&g, &c[4], &t1, BL_PASS);
	add(&g, &c[4], &t1, BL_ERROR);   /* errors are not gaps */
	add(&g, &c[5], &t0, BL_FAIL);    /* unknown tier sorts after tier 3 */
	assert_int_equal(bl_gaps_finish(&g), 0);
	assert_int_equal(g.n, 5);
	const char *want[] = {"HIGH-T1-MORE", "HIGH-T1", "HIGH-T3", "UNKNOWN-TIER", "MED-MANY"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(g.order[i]->control->id, want[i]);
	const struct bl_gap *top = g.order[0];
	assert_int_equal(top->failing, 3);
	assert_int_equal(top->top_tier, 1);
	assert_int_equal(top->nowners, 2);
	assert_string_equal(top->owners[0], "a");
	assert_string_equal(top->owners[1], "b");
	assert_true(top->unowned);
	assert_int_equal(g.order[3]->top_tier, 0);
	const struct bl_gap *med = g.order[4];
	assert_int_equal(med->failing, 8);
	assert_int_equal(med->nassets, BL_GAP_ASSETS);
	assert_string_equal(med->assets[4], "m4");
	assert_int_equal(med->nowners, 1);
	assert_false(med->unowned);

	/* CSV: RFC 4180 quoting, formulas neutralised, parses back */
	struct bl_run_info run = {.baseline = t.b};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct bl_error err;
	assert_int_equal(bl_gaps_write(&g, &run, "csv", f, &err), 0);
	fclose(f);
	const char *row1 = strstr(buf, "\r\n1,");
	assert_non_null(row1);
	assert_non_null(strstr(row1, "1,HIGH-T1-MORE,\"'=HYPERLINK(\"\"x\"\")\",high,audit,3,1,"
				     "a; b; (no owner),t1; t2; t3,mcsb-v1:DP-3; cis-v8:3.10,"
				     "\"Do \"\"this\"\", then that\"\r\n"));
	free(buf);
	assert_int_equal(bl_gaps_write(&g, &run, "xml", stdout, &err), BL_EINVAL);
	bl_gaps_free(&g);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
