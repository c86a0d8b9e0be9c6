/* Unit tests for engine/rollup.c: framework status and compliance arithmetic,
 * and not_covered controls from the framework catalogs. */
#include "enginetest.h"

#include "engine/rollup.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: A, title: a, severity: low, maps: {nist-800-53-r5: [AC-2, AC-10]}, expect: {field: x, exists: true}}\n"
	"  - {id: B, title: b, severity: low, maps: {nist-800-53-r5: [AC-10], cis-v8: [\"1.1\"]}, expect: {field: x, exists: true}}\n"
	"  - {id: C, title: c, severity: low, maps: {nist-800-53-r5: [AC-3]}, expect: {field: x, exists: true}}\n"
	"  - {id: D, title: d, severity: low, maps: {nist-800-53-r5: [AC-4]}, expect: {field: x, exists: true}}\n"
	"  - {id: E, title: e, severity: low, maps: {nist-800-53-r5: [AC-4]}, effect: disabled, expect: {field: x, exists: true}}\n";

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
	assert_string_equal(r.fws[0].id, "nist-800-53-r5");
	assert_string_equal(r.fws[1].id, "cis-v8");
	const struct bl_fw *fw = &r.fws[0];
	assert_int_equal(fw->ncontrols, 4);
	/* natural order: AC-2 < AC-3 < AC-4 < AC-10; no catalogs, no not_covered */
	assert_string_equal(fw->controls[0].id, "AC-2");
	assert_string_equal(fw->controls[1].id, "AC-3");
	assert_string_equal(fw->controls[2].id, "AC-4");
	assert_string_equal(fw->controls[3].id, "AC-10");
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

static const char *doc_nc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: A, title: a, severity: low, maps: {cis-v8: [\"3.10\", \"3.11\"], nist-800-53-r5: [sc-8.1]}, expect: {field: x, exists: true}}\n"
	"  - {id: B, title: b, severity: low, maps: {cis-v8: [\"3.10\", \"4.1\"]}, expect: {field: x, exists: true}}\n"
	"  - {id: C, title: c, severity: low, maps: {cis-v8: [\"5.1\"]}, effect: disabled, expect: {field: x, exists: true}}\n"
	"  - {id: D, title: d, severity: low, maps: {nist-800-53-r5: [SC-8(1), AC-2]}, expect: {field: x, exists: true}}\n";

/* Index of framework control id in fw, or -1. */
static int find_fc(const struct bl_fw *fw, const char *id)
{
	for (size_t i = 0; i < fw->ncontrols; i++)
		if (strcmp(fw->controls[i].id, id) == 0)
			return (int)i;
	return -1;
}

static void test_not_covered(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc_nc);
	struct bl_catalogs cats;
	struct bl_error err;
	assert_int_equal(bl_catalogs_load(&cats, &err), 0);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[4];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	pc[0].n[BL_PASS] = 2;            /* A */
	pc[1].n[BL_FAIL] = 1;            /* B */
	pc[2].n[BL_PASS] = 5;            /* C: disabled, must not count */
	pc[3].n[BL_NA] = 3;              /* D */
	struct bl_rollup r;
	assert_int_equal(bl_rollup_build_with(&r, t.b, &st, &cats), 0);
	assert_int_equal(r.n, 2);
	const struct bl_fw *cis = &r.fws[0], *nist = &r.fws[1];
	assert_string_equal(cis->id, "cis-v8");
	assert_string_equal(nist->id, "nist-800-53-r5");

	/* every safeguard listed once, in natural order: 1.1..1.5, 2.1..2.7, 3.1.. */
	assert_int_equal(cis->ncontrols, 153);
	assert_string_equal(cis->controls[0].id, "1.1");
	assert_string_equal(cis->controls[5].id, "2.1");
	assert_string_equal(cis->controls[21].id, "3.10");
	assert_string_equal(cis->controls[22].id, "3.11");
	assert_string_equal(cis->controls[26].id, "4.1");
	assert_string_equal(cis->controls[152].id, "18.5");
	assert_int_equal(cis->controls[21].status, BL_FW_FAIL);     /* A pass, B fail */
	assert_int_equal(cis->controls[21].nmapped, 2);
	assert_int_equal(cis->controls[22].status, BL_FW_PASS);
	assert_int_equal(cis->controls[26].status, BL_FW_FAIL);
	/* 5.1 is mapped only by a disabled control: not covered */
	int i51 = find_fc(cis, "5.1");
	assert_int_equal(i51, 5 + 7 + 14 + 12);
	assert_int_equal(cis->controls[i51].status, BL_FW_NOT_COVERED);
	assert_int_equal(cis->controls[i51].nmapped, 0);
	assert_null(cis->controls[i51].mapped);
	size_t nc = 0;
	for (size_t i = 0; i < cis->ncontrols; i++) {
		if (cis->controls[i].status != BL_FW_NOT_COVERED)
			continue;
		nc++;
		for (int s = 0; s < BL_NSTATUS; s++)
			assert_int_equal(cis->controls[i].tally.n[s], 0);
	}
	assert_int_equal(nc, 150);
	assert_string_equal(bl_fw_status_name(cis->controls[0].status), "not_covered");
	/* not_covered adds nothing: the framework tally is A + B only */
	assert_int_equal(cis->tally.n[BL_PASS], 2);
	assert_int_equal(cis->tally.n[BL_FAIL], 1);
	assert_int_equal(cis->tally.n[BL_NA], 0);
	double comp = bl_tally_compliance(&cis->tally);
	assert_true(comp > 66.66 && comp < 66.67);

	/* "sc-8.1" and "SC-8(1)" are one control under the catalog's spelling */
	assert_int_equal(nist->ncontrols, 370);
	assert_string_equal(nist->controls[0].id, "AC-1");
	assert_int_equal(nist->controls[0].status, BL_FW_NOT_COVERED);
	assert_string_equal(nist->controls[1].id, "AC-2");
	assert_int_equal(nist->controls[1].status, BL_FW_NA);
	int sc81 = find_fc(nist, "SC-8(1)");
	assert_true(sc81 > 0);
	assert_int_equal(nist->controls[sc81].status, BL_FW_PASS);
	assert_int_equal(nist->controls[sc81].nmapped, 2);
	assert_int_equal(nist->controls[sc81].tally.n[BL_PASS], 2);
	assert_int_equal(nist->controls[sc81].tally.n[BL_NA], 3);
	assert_string_equal(nist->controls[sc81 - 1].id, "SC-8");
	assert_int_equal(nist->controls[sc81 - 1].status, BL_FW_NOT_COVERED);
	bl_rollup_free(&r);

	/* without catalogs: only what is mapped */
	assert_int_equal(bl_rollup_build(&r, t.b, &st), 0);
	assert_int_equal(r.fws[0].ncontrols, 3);
	assert_int_equal(r.fws[1].ncontrols, 2);
	for (size_t i = 0; i < r.fws[0].ncontrols; i++)
		assert_int_not_equal(r.fws[0].controls[i].status, BL_FW_NOT_COVERED);
	bl_rollup_free(&r);

	/* catalogs for other frameworks only: nothing not_covered here either */
	struct bl_catalogs none;
	memset(&none, 0, sizeof(none));
	assert_int_equal(bl_rollup_build_with(&r, t.b, &st, &none), 0);
	assert_int_equal(r.fws[0].ncontrols, 3);
	bl_rollup_free(&r);
	bl_catalogs_free(&cats);
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
		cmocka_unit_test(test_not_covered),
		cmocka_unit_test(test_natural),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
