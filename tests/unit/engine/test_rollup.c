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

/* Ids and framework names are mostly matched by pointer (the catalog's
 * spelling); equal texts at other addresses, as a baseline read without
 * catalogs has them, must still be one framework and one control. */
static void test_equal_text_ids(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_control *a = &t.b->controls[0], *b = &t.b->controls[1];
	/* B's framework name and "AC-10" as copies of their own (the loader
	 * keeps one of each) */
	char fwname[] = "nist-800-53-r5", id[] = "AC-10";
	const char *ids[] = {id};
	struct bl_mapping bmaps[2];
	assert_int_equal(b->nmaps, 2);
	assert_int_equal(b->maps[0].nids, 1);
	memcpy(bmaps, b->maps, sizeof(bmaps));
	struct bl_mapping *saved = b->maps;
	bmaps[0].framework = fwname;
	bmaps[0].ids = ids;
	b->maps = bmaps;
	/* the case under test: A's and B's "AC-10" and framework names are
	 * separate copies */
	assert_string_equal(a->maps[0].ids[1], "AC-10");
	assert_string_equal(b->maps[0].ids[0], "AC-10");
	assert_ptr_not_equal(a->maps[0].ids[1], b->maps[0].ids[0]);
	assert_string_equal(a->maps[0].framework, b->maps[0].framework);
	assert_ptr_not_equal(a->maps[0].framework, b->maps[0].framework);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[5];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	pc[0].n[BL_PASS] = 1;
	pc[1].n[BL_FAIL] = 1;
	struct bl_rollup r;
	assert_int_equal(bl_rollup_build(&r, t.b, &st), 0);
	assert_int_equal(r.n, 2);
	const struct bl_fw *fw = &r.fws[0];
	assert_int_equal(fw->ncontrols, 4);
	assert_string_equal(fw->controls[3].id, "AC-10");
	assert_int_equal(fw->controls[3].nmapped, 2);
	assert_int_equal(fw->controls[3].status, BL_FW_FAIL);
	/* A and B counted once each in the framework's tally */
	assert_int_equal(fw->tally.n[BL_PASS], 1);
	assert_int_equal(fw->tally.n[BL_FAIL], 1);
	bl_rollup_free(&r);
	b->maps = saved;
	et_free(&t);
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

/* With the catalogs the baseline checked its ids against (b->catalogs), the
 * roll-up takes the ids as the baseline spelled them instead of looking each
 * up again: the result is the one the same catalogs loaded anew give. */
static void test_baseline_catalogs(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc_nc);
	assert_non_null(t.b->catalogs);
	struct bl_catalogs cats;
	struct bl_error err;
	assert_int_equal(bl_catalogs_load(&cats, &err), 0);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[4];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	pc[0].n[BL_PASS] = 2;
	pc[1].n[BL_FAIL] = 1;
	pc[3].n[BL_ERROR] = 1;
	struct bl_rollup fresh, own;
	assert_int_equal(bl_rollup_build_with(&fresh, t.b, &st, &cats), 0);
	assert_int_equal(bl_rollup_build_with(&own, t.b, &st, t.b->catalogs), 0);
	assert_int_equal(own.n, fresh.n);
	for (size_t f = 0; f < own.n; f++) {
		const struct bl_fw *a = &own.fws[f], *b = &fresh.fws[f];
		assert_string_equal(a->id, b->id);
		assert_memory_equal(&a->tally, &b->tally, sizeof(a->tally));
		assert_int_equal(a->ncontrols, b->ncontrols);
		for (size_t i = 0; i < a->ncontrols; i++) {
			assert_string_equal(a->controls[i].id, b->controls[i].id);
			assert_int_equal(a->controls[i].status, b->controls[i].status);
			assert_int_equal(a->controls[i].nmapped, b->controls[i].nmapped);
			assert_memory_equal(&a->controls[i].tally, &b->controls[i].tally,
					    sizeof(a->controls[i].tally));
		}
	}
	/* "sc-8.1" was kept as the catalog spells it, and rolls up with SC-8(1) */
	int sc81 = find_fc(&own.fws[1], "SC-8(1)");
	assert_true(sc81 >= 0);
	assert_int_equal(own.fws[1].controls[sc81].nmapped, 2);
	assert_int_equal(own.fws[1].controls[sc81].status, BL_FW_ERROR);
	assert_int_equal(find_fc(&own.fws[1], "sc-8.1"), -1);
	bl_rollup_free(&own);
	bl_rollup_free(&fresh);
	bl_catalogs_free(&cats);
	et_free(&t);
}

/* Arrays that grow: a framework with more controls than its first
 * allocation, a framework control with more baseline controls mapped than
 * 4 and 8 (doubling), with and without catalogs. */
static void test_growth(void **state)
{
	(void)state;
	char doc_g[8192];
	size_t len = (size_t)snprintf(doc_g, sizeof(doc_g),
				      "baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
				      "  - {id: A, title: a, severity: low, expect: {field: x, exists: true}, maps: {nist-800-53-r5: [");
	for (int i = 1; i <= 20; i++)   /* AC-1 .. AC-20, then SC-1 .. SC-20 */
		len += (size_t)snprintf(doc_g + len, sizeof(doc_g) - len, "AC-%d, SC-%d%s", i, i,
					i < 20 ? ", " : "]}}\n");
	for (int k = 0; k < 11; k++)    /* B0 .. B10 all map AC-3 */
		len += (size_t)snprintf(doc_g + len, sizeof(doc_g) - len,
					"  - {id: B%d, title: b, severity: low, expect: {field: x, exists: true}, maps: {nist-800-53-r5: [AC-3]}}\n",
					k);
	assert_true(len < sizeof(doc_g));
	struct et t;
	et_load(&t, doc_g);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[12];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	for (int k = 0; k < 12; k++)
		pc[k].n[BL_PASS] = 1;
	pc[11].n[BL_FAIL] = 1;          /* B10 */
	struct bl_rollup r;
	assert_int_equal(bl_rollup_build(&r, t.b, &st), 0);
	assert_int_equal(r.n, 1);
	const struct bl_fw *fw = &r.fws[0];
	assert_int_equal(fw->ncontrols, 40);   /* grown from 16 */
	assert_string_equal(fw->controls[0].id, "AC-1");
	assert_string_equal(fw->controls[19].id, "AC-20");
	assert_string_equal(fw->controls[39].id, "SC-20");
	const struct bl_fw_control *ac3 = &fw->controls[2];
	assert_string_equal(ac3->id, "AC-3");
	assert_int_equal(ac3->nmapped, 12);
	assert_ptr_equal(ac3->mapped[0], &t.b->controls[0]);
	for (size_t k = 1; k < 12; k++)
		assert_ptr_equal(ac3->mapped[k], &t.b->controls[k]);
	assert_int_equal(ac3->tally.n[BL_PASS], 12);
	assert_int_equal(ac3->status, BL_FW_FAIL);
	assert_int_equal(fw->controls[3].nmapped, 1);
	bl_rollup_free(&r);

	/* with the catalog: its 370 controls, plus the mapped ids it does not
	 * list (real NIST ids outside the shipped baselines) */
	assert_int_equal(bl_rollup_build_with(&r, t.b, &st, t.b->catalogs), 0);
	fw = &r.fws[0];
	const struct bl_catalog *cat = bl_catalog_find(t.b->catalogs, "nist-800-53-r5");
	assert_non_null(cat);
	size_t extra = 0;
	for (size_t i = 0; i < t.b->controls[0].maps[0].nids; i++)
		extra += bl_catalog_entry(cat, t.b->controls[0].maps[0].ids[i]) == NULL;
	assert_true(extra > 0);
	assert_int_equal(fw->ncontrols, 370 + extra);
	int i3 = find_fc(fw, "AC-3");
	assert_true(i3 >= 0);
	assert_int_equal(fw->controls[i3].nmapped, 12);
	size_t mapped = 0;
	for (size_t i = 0; i < fw->ncontrols; i++)
		mapped += fw->controls[i].status != BL_FW_NOT_COVERED;
	assert_int_equal(mapped, 40);
	bl_rollup_free(&r);
	et_free(&t);
}

/* The order of a framework's controls is the stable sort by natural order
 * of the mapped ids (in order of first appearance) followed by the
 * not_covered ones (in catalog order), whether or not the catalog lists its
 * controls in natural order (MCSB does not: NS, DP, IM, ...). */
static void test_order(void **state)
{
	(void)state;
	static const char *doc_o =
		"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
		"  - {id: A, title: a, severity: low, maps: {mcsb-v1: [PV-3, NS-1, dp-3], nist-800-53-r5: [SC-8, AC-2]}, expect: {field: x, exists: true}}\n"
		"  - {id: B, title: b, severity: low, maps: {mcsb-v1: [IM-1, AM-1, NS-1], cis-v8: [\"3.10\", \"1.1\"]}, expect: {field: x, exists: true}}\n"
		"  - {id: C, title: c, severity: low, maps: {nist-800-53-r5: [SC-8(1), AC-2, PM-9, sc-8.1, AC-2]}, expect: {field: x, exists: true}}\n";
	struct et t;
	et_load(&t, doc_o);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[3];
	memset(pc, 0, sizeof(pc));
	pc[0].n[BL_PASS] = 1;
	pc[2].n[BL_PASS] = 4;
	st.per_control = pc;
	struct bl_rollup r;
	assert_int_equal(bl_rollup_build_with(&r, t.b, &st, t.b->catalogs), 0);
	assert_int_equal(r.n, 3);
	for (size_t f = 0; f < r.n; f++) {
		const struct bl_fw *fw = &r.fws[f];
		const struct bl_catalog *cat = bl_catalog_find(t.b->catalogs, fw->id);
		assert_non_null(cat);
		/* the expected order, built the slow way */
		const char **want = calloc(fw->ncontrols + cat->n + 8, sizeof(*want));
		assert_non_null(want);
		size_t n = 0;
		for (size_t i = 0; i < t.b->ncontrols; i++)
			for (size_t m = 0; m < t.b->controls[i].nmaps; m++) {
				const struct bl_mapping *mp = &t.b->controls[i].maps[m];
				if (strcmp(mp->framework, fw->id) != 0)
					continue;
				for (size_t k = 0; k < mp->nids; k++) {
					const struct bl_fw_entry *e = bl_catalog_entry(cat, mp->ids[k]);
					const char *id = e ? e->id : mp->ids[k];
					bool have = false;
					for (size_t j = 0; j < n; j++)
						have = have || strcmp(want[j], id) == 0;
					if (!have)
						want[n++] = id;
				}
			}
		size_t ncov = n;
		for (size_t i = 0; i < cat->n; i++) {
			bool have = false;
			for (size_t j = 0; j < ncov; j++)
				have = have || strcmp(want[j], cat->entries[i].id) == 0;
			if (!have)
				want[n++] = cat->entries[i].id;
		}
		for (size_t i = 1; i < n; i++)   /* insertion sort: stable */
			for (size_t j = i; j > 0 && bl_natural_cmp(want[j - 1], want[j]) > 0; j--) {
				const char *x = want[j];
				want[j] = want[j - 1];
				want[j - 1] = x;
			}
		assert_int_equal(fw->ncontrols, n);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(fw->controls[i].id, want[i]);
		free(want);
	}
	assert_int_equal(find_fc(&r.fws[0], "DP-3") >= 0, 1);
	assert_int_equal(r.fws[1].controls[find_fc(&r.fws[1], "PM-9")].status, BL_FW_PASS);
	/* a control naming an id twice (or in two spellings) counts once */
	const struct bl_fw_control *ac2 = &r.fws[1].controls[find_fc(&r.fws[1], "AC-2")];
	assert_int_equal(ac2->nmapped, 2);
	assert_int_equal(ac2->tally.n[BL_PASS], 1 + 4);
	const struct bl_fw_control *sc81 = &r.fws[1].controls[find_fc(&r.fws[1], "SC-8(1)")];
	assert_int_equal(sc81->nmapped, 1);
	assert_ptr_equal(sc81->mapped[0], &t.b->controls[2]);
	assert_int_equal(sc81->tally.n[BL_PASS], 4);
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
		cmocka_unit_test(test_equal_text_ids),
		cmocka_unit_test(test_not_covered),
		cmocka_unit_test(test_baseline_catalogs),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_natural),
		cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
