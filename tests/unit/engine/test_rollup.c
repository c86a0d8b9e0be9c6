/* Unit tests for engine/rollup.c: framework status and compliance arithmetic. */
#include "enginetest.h"

#include "engine/rollup.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: A, title: a, severity: low, maps: {fw: [X-2, X-10]}, expect: {field: x, exists: true}}\n"
	"  - {id: B, title: b, severity: low, maps: {fw: [X-10], other: [\"1.1\"]}, expect: {field: x, exists: true}}\n"
	"  - {id: C, title: c, severity: low, maps: {fw: [X-3]}, expect: {field: x, exists: true}}\n"
	"  - {id: D, title: d, severity: low, maps: {fw: [X-4]}, expect: {field: x, exists: true}}\n"
	"  - {id: E, title: e, severity: low, maps: {fw: [X-4]}, effect: disabled, expect: {field: x, exists: true}}\n";

static void test_rollup(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[5];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	pc[0].n[BL_PASS] = 3;            /* A: pass only */
	pc[1].n[BL_PASS] = 1;            /* B: exempt and pass */
	pc[1].n[BL_EXEMPT] = 2;
	pc[2].n[BL_FAIL] = 1;            /* C: fail and error */
	pc[2].n[BL_ERROR] = 1;
	pc[3].n[BL_NA] = 4;              /* D: nothing applicable */
	struct bl_rollup r;
	assert_int_equal(bl_rollup_build(&r, t.b, &st), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.fws[0].id, "fw");
	assert_string_equal(r.fws[1].id, "other");
	const struct bl_fw *fw = &r.fws[0];
	assert_int_equal(fw->ncontrols, 4);
	/* natural order: X-2 < X-3 < X-4 < X-10 */
	assert_string_equal(fw->controls[0].id, "X-2");
	assert_string_equal(fw->controls[1].id, "X-3");
	assert_string_equal(fw->controls[2].id, "X-4");
	assert_string_equal(fw->controls[3].id, "X-10");
	assert_int_equal(fw->controls[0].status, BL_FW_PASS);
	assert_int_equal(fw->controls[1].status, BL_FW_ERROR);   /* error beats fail */
	assert_int_equal(fw->controls[2].status, BL_FW_NA);      /* only not_applicable */
	assert_int_equal(fw->controls[3].status, BL_FW_EXEMPT);  /* exempt beats pass */
	assert_int_equal(fw->controls[3].nmapped, 2);
	assert_int_equal(fw->controls[3].tally.n[BL_PASS], 4);
	/* framework tally: A, B, C, D once each: pass 4, fail 1, error 1, exempt 2 */
	assert_int_equal(fw->tally.n[BL_PASS], 4);
	assert_int_equal(fw->tally.n[BL_FAIL], 1);
	assert_int_equal(fw->tally.n[BL_ERROR], 1);
	assert_int_equal(fw->tally.n[BL_EXEMPT], 2);
	assert_true(bl_tally_compliance(&fw->tally) > 66.66 && bl_tally_compliance(&fw->tally) < 66.67);
	struct bl_tally empty = {0};
	assert_true(bl_tally_compliance(&empty) < 0);
	bl_rollup_free(&r);
	et_free(&t);
}

static void test_natural(void **state)
{
	(void)state;
	assert_true(bl_natural_cmp("AC-2", "AC-10") < 0);
	assert_true(bl_natural_cmp("SC-8", "SC-8(1)") < 0);
	assert_true(bl_natural_cmp("3.10", "3.9") > 0);
	assert_true(bl_natural_cmp("dp-3", "DP-3") == 0);
	assert_true(bl_natural_cmp("A01", "A1") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup),
		cmocka_unit_test(test_natural),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
