/*
 * test_drift.c - engine/drift.c (kept with the store tests, whose runs it
 * compares): newly failing, fixed, still failing, new and removed assets.
 */
#include "testutil.h"

#include "engine/drift.h"

static void test_drift_kinds(void **state)
{
	(void)state;
	/* sorted by (control, asset) */
	const struct bl_drift_entry a[] = {
		{"C1", "a1", BL_PASS, false}, {"C1", "a2", BL_FAIL, false}, {"C1", "gone", BL_FAIL, false},
		{"C2", "a1", BL_ERROR, false}, {"C2", "a2", BL_FAIL, false}, {"C3", "a1", BL_FAIL, false},
	};
	const struct bl_drift_entry b[] = {
		{"C1", "a1", BL_FAIL, false}, {"C1", "a2", BL_PASS, false}, {"C1", "new", BL_FAIL, false},
		{"C2", "a1", BL_FAIL, false}, {"C2", "a2", BL_EXEMPT, false}, {"C4", "a2", BL_ERROR, false},
	};
	struct bl_drift d;
	assert_int_equal(bl_drift_compare(&d, a, 6, b, 6), 0);
	assert_int_equal(d.count[BL_DRIFT_NEWLY_FAILING], 3);
	assert_int_equal(d.count[BL_DRIFT_FIXED], 2);
	assert_int_equal(d.count[BL_DRIFT_EXEMPTED], 1);
	assert_int_equal(d.count[BL_DRIFT_STILL_FAILING], 1);
	assert_int_equal(d.count[BL_DRIFT_NEW_ASSET], 1);
	assert_int_equal(d.count[BL_DRIFT_REMOVED_ASSET], 1);
	assert_int_equal(d.n, 9);
	/* by kind, then control, then asset */
	const struct bl_drift_item *it = d.items;
	assert_int_equal(it[0].kind, BL_DRIFT_NEWLY_FAILING);
	assert_string_equal(it[0].control, "C1");
	assert_string_equal(it[0].asset, "a1");
	assert_int_equal(it[0].from, BL_PASS);
	assert_int_equal(it[0].to, BL_FAIL);
	assert_string_equal(it[1].asset, "new");
	assert_int_equal(it[1].from, BL_NSTATUS);
	assert_string_equal(it[2].control, "C4");
	assert_int_equal(it[3].kind, BL_DRIFT_FIXED);
	assert_string_equal(it[3].control, "C1");
	assert_string_equal(it[3].asset, "a2");
	/* C3 on a1 is no longer evaluated on a kept asset */
	assert_string_equal(it[4].control, "C3");
	assert_int_equal(it[4].to, BL_NSTATUS);
	assert_int_equal(it[5].kind, BL_DRIFT_EXEMPTED);
	assert_string_equal(it[5].control, "C2");
	assert_int_equal(it[5].to, BL_EXEMPT);
	assert_int_equal(it[6].kind, BL_DRIFT_STILL_FAILING);
	assert_string_equal(it[6].control, "C2");
	assert_int_equal(it[6].from, BL_ERROR);
	assert_int_equal(it[7].kind, BL_DRIFT_NEW_ASSET);
	assert_null(it[7].control);
	assert_string_equal(it[7].asset, "new");
	assert_int_equal(it[8].kind, BL_DRIFT_REMOVED_ASSET);
	assert_string_equal(it[8].asset, "gone");
	assert_string_equal(bl_drift_kind_name(it[8].kind), "removed_asset");
	bl_drift_free(&d);
}

static void test_drift_exceptions(void **state)
{
	(void)state;
	/* X1 on a1: its exception expired; X1 on a2: its exception was withdrawn
	 * (plain newly failing); X2 on a1: an exception started (exempted) */
	const struct bl_drift_entry a[] = {
		{"X1", "a1", BL_EXEMPT, false}, {"X1", "a2", BL_EXEMPT, false},
		{"X2", "a1", BL_FAIL, false},
	};
	const struct bl_drift_entry b[] = {
		{"X1", "a1", BL_FAIL, true}, {"X1", "a2", BL_FAIL, false},
		{"X2", "a1", BL_EXEMPT, false},
	};
	struct bl_drift d;
	assert_int_equal(bl_drift_compare(&d, a, 3, b, 3), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.count[BL_DRIFT_EXCEPTION_EXPIRED], 1);
	assert_int_equal(d.count[BL_DRIFT_NEWLY_FAILING], 1);
	assert_int_equal(d.count[BL_DRIFT_EXEMPTED], 1);
	assert_int_equal(d.items[0].kind, BL_DRIFT_NEWLY_FAILING);
	assert_string_equal(d.items[0].asset, "a2");
	assert_int_equal(d.items[1].kind, BL_DRIFT_EXEMPTED);
	assert_int_equal(d.items[2].kind, BL_DRIFT_EXCEPTION_EXPIRED);
	assert_string_equal(d.items[2].asset, "a1");
	assert_int_equal(d.items[2].from, BL_EXEMPT);
	assert_string_equal(bl_drift_kind_name(d.items[2].kind), "exception_expired");
	bl_drift_free(&d);
}

static void test_drift_empty(void **state)
{
	(void)state;
	struct bl_drift d;
	assert_int_equal(bl_drift_compare(&d, NULL, 0, NULL, 0), 0);
	assert_int_equal(d.n, 0);
	bl_drift_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drift_kinds),
		cmocka_unit_test(test_drift_exceptions),
		cmocka_unit_test(test_drift_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
