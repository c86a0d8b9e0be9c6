/* Unit tests for the SARIF 2.1.0 writer (report/sarif.c): the required
 * structure of SARIF 2.1.0 checked member by member (no schema file is
 * available offline), rules with severity mapping, results with physical
 * and logical locations, suppressions for exempt results, errors as review. */
#include "writertest.h"

static const struct bl_value *get(const struct bl_value *o, const char *k)
{
	const struct bl_value *v = bl_value_getz(o, k);
	if (!v)
		fail_msg("missing member \"%s\"", k);
	return v;
}

static bool str_is(const struct bl_value *v, const char *want)
{
	return v->type == BL_VSTR && wt_eq(v->u.str.s, v->u.str.len, want);
}

static bool one_of(const struct bl_value *v, const char *const *names)
{
	for (; *names; names++)
		if (str_is(v, *names))
			return true;
	return false;
}

/* The parts of the SARIF 2.1.0 schema a consumer relies on: required
 * members, enums, and ruleIndex pointing at the rule of the same id. */
static void check_sarif_structure(const struct bl_value *doc)
{
	assert_str_member(doc, "version", "2.1.0");
	const struct bl_value *runs = get(doc, "runs");
	assert_int_equal(runs->type, BL_VARR);
	assert_int_equal(runs->u.arr.n, 1);
	static const char *const levels[] = {"none", "note", "warning", "error", NULL};
	static const char *const kinds[] = {"notApplicable", "pass", "fail", "review", "open",
					    "informational", NULL};
	const struct bl_value *run = &runs->u.arr.items[0];
	const struct bl_value *driver = get(get(run, "tool"), "driver");
	assert_true(str_is(get(driver, "name"), "baseline"));
	const struct bl_value *rules = get(driver, "rules");
	for (size_t i = 0; i < rules->u.arr.n; i++) {
		const struct bl_value *rule = &rules->u.arr.items[i];
		assert_int_equal(get(rule, "id")->type, BL_VSTR);
		assert_int_equal(get(get(rule, "shortDescription"), "text")->type, BL_VSTR);
		assert_true(one_of(get(get(rule, "defaultConfiguration"), "level"), levels));
	}
	const struct bl_value *results = get(run, "results");
	for (size_t i = 0; i < results->u.arr.n; i++) {
		const struct bl_value *r = &results->u.arr.items[i];
		assert_int_equal(get(get(r, "message"), "text")->type, BL_VSTR);
		const struct bl_value *level = get(r, "level"), *kind = get(r, "kind");
		assert_true(one_of(level, levels));
		assert_true(one_of(kind, kinds));
		/* SARIF §3.27.9: a kind other than fail has level none */
		if (!str_is(kind, "fail"))
			assert_true(str_is(level, "none"));
		const struct bl_value *idx = get(r, "ruleIndex"), *rid = get(r, "ruleId");
		assert_true(idx->u.num.d >= 0 && idx->u.num.d < (double)rules->u.arr.n);
		const struct bl_value *rule = &rules->u.arr.items[(size_t)idx->u.num.d];
		const struct bl_value *id = get(rule, "id");
		assert_int_equal(id->u.str.len, rid->u.str.len);
		assert_memory_equal(id->u.str.s, rid->u.str.s, id->u.str.len);
		const struct bl_value *locs = get(r, "locations");
		for (size_t k = 0; k < locs->u.arr.n; k++) {
			const struct bl_value *pl = bl_value_getz(&locs->u.arr.items[k], "physicalLocation");
			if (pl) {
				assert_int_equal(get(get(pl, "artifactLocation"), "uri")->type, BL_VSTR);
				assert_true(get(get(pl, "region"), "startLine")->u.num.d >= 1);
			}
		}
	}
}

static void test_sarif(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	char *out = wt_render(&w, "sarif", false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_json(&a, out);
	check_sarif_structure(doc);
	const struct bl_value *run = get(doc, "runs")->u.arr.items;
	const struct bl_value *rules = get(get(get(run, "tool"), "driver"), "rules");
	/* the disabled control OFF has no rule: HI, MED, LO */
	assert_int_equal(rules->u.arr.n, 3);
	const struct bl_value *hi = &rules->u.arr.items[0], *med = &rules->u.arr.items[1],
			      *lo = &rules->u.arr.items[2];
	assert_str_member(hi, "id", "HI");
	assert_str_member(get(hi, "shortDescription"), "text", "High one");
	assert_str_member(get(hi, "fullDescription"), "text", "Because.");
	assert_str_member(get(hi, "help"), "text", "Fix it.");
	assert_str_member(hi, "helpUri", "https://example.org/hi");
	assert_str_member(get(hi, "defaultConfiguration"), "level", "error");
	assert_str_member(get(hi, "properties"), "security-severity", "7.0");
	const struct bl_value *tags = get(get(hi, "properties"), "tags");
	assert_int_equal(tags->u.arr.n, 4);
	assert_true(str_is(&tags->u.arr.items[1], "mcsb-v1:DP-3"));
	assert_true(str_is(&tags->u.arr.items[2], "nist-800-53-r5:SC-8(1)"));
	assert_true(str_is(&tags->u.arr.items[3], "cis-v8:3.10"));
	assert_null(bl_value_getz(med, "fullDescription"));
	assert_str_member(get(med, "defaultConfiguration"), "level", "warning");
	assert_str_member(get(med, "properties"), "security-severity", "5.0");
	assert_str_member(lo, "id", "LO");
	assert_str_member(get(lo, "defaultConfiguration"), "level", "note");
	assert_str_member(get(lo, "properties"), "security-severity", "3.0");

	/* fail, exempt, error; pass and not_applicable are not listed */
	const struct bl_value *results = get(run, "results");
	assert_int_equal(results->u.arr.n, 3);
	const struct bl_value *r0 = &results->u.arr.items[0];
	assert_str_member(r0, "ruleId", "HI");
	assert_int_equal(get(r0, "ruleIndex")->u.num.d, 0);
	assert_str_member(r0, "kind", "fail");
	assert_str_member(r0, "level", "error");
	assert_str_member(get(r0, "message"), "text", "x is false");
	const struct bl_value *loc = get(r0, "locations")->u.arr.items;
	const struct bl_value *pl = get(loc, "physicalLocation");
	assert_str_member(get(pl, "artifactLocation"), "uri", "snaps/a%20b.json");
	assert_int_equal(get(get(pl, "region"), "startLine")->u.num.d, 12);
	assert_int_equal(get(get(pl, "region"), "startColumn")->u.num.d, 5);
	const struct bl_value *ll = get(loc, "logicalLocations")->u.arr.items;
	size_t n;
	const char *fq = bl_value_strz(ll, "fullyQualifiedName", &n);
	/* the invalid byte became U+FFFD, everything else is kept as data */
	assert_true(wt_eq(fq, n, "=HYPERLINK(\"http://x\",\"y\")\n<b>&'\x01\xEF\xBF\xBD"));
	assert_str_member(ll, "name", "hostile");
	assert_str_member(get(r0, "properties"), "assetType", "T");
	assert_int_equal(get(get(r0, "properties"), "evidence")->u.arr.n, 2);
	assert_null(bl_value_getz(r0, "suppressions"));

	const struct bl_value *r1 = &results->u.arr.items[1];
	assert_str_member(r1, "kind", "fail");
	const struct bl_value *sup = get(r1, "suppressions")->u.arr.items;
	assert_str_member(sup, "kind", "external");
	assert_str_member(sup, "status", "accepted");
	assert_str_member(sup, "justification", "Legacy\nclient.");
	assert_str_member(get(sup, "properties"), "exception", "EX-1");
	assert_str_member(get(sup, "properties"), "expires", "2027-03-31");
	/* a host asset (no line in a file) has only a logical location */
	assert_null(bl_value_getz(get(r1, "locations")->u.arr.items, "physicalLocation"));

	const struct bl_value *r2 = &results->u.arr.items[2];
	assert_str_member(r2, "ruleId", "MED");
	assert_int_equal(get(r2, "ruleIndex")->u.num.d, 1);
	assert_str_member(r2, "kind", "review");
	assert_str_member(r2, "level", "none");
	assert_str_member(get(run, "automationDetails"), "guid", "6f1c2a9e-3b7d-4c55-9a0e-8d2f4b1c7e30");
	free(out);
	bl_arena_free(&a);
	wt_free(&w);
}

/* No failing result: an empty results array, still a valid log. */
static void test_sarif_empty(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	w.res[0] = w.res[3];
	char *out = wt_render_n(&w, "sarif", false, 1);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_json(&a, out);
	check_sarif_structure(doc);
	assert_int_equal(get(get(doc, "runs")->u.arr.items, "results")->u.arr.n, 0);
	free(out);
	bl_arena_free(&a);
	wt_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_sarif_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
