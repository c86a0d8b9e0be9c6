/* Unit tests for model/inventory.c: precedence (explicit entry > first
 * matching classify rule > defaults, field by field), first rule wins,
 * case-insensitive id globs, validation positions. */
#include "testutil.h"

#include "model/inventory.h"
#include "rule/rule.h"

static const char *inv_doc =
	"inventory: contoso\n"                                              /* 1 */
	"defaults: {tier: 3, environment: production, owner: platform}\n"  /* 2 */
	"classify:\n"                                                       /* 3 */
	"  - when: {field: tags.criticality, equals: high}\n"               /* 4 */
	"    set: {tier: 1}\n"                                              /* 5 */
	"  - when: {field: name, like: \"*-dev-*\"}\n"                      /* 6 */
	"    set: {environment: development, tier: 2}\n"                    /* 7 */
	"assets:\n"                                                         /* 8 */
	"  - id: \"/subscriptions/*/resourceGroups/payments-*/*\"\n"        /* 9 */
	"    owner: team-payments\n"
	"    classification: confidential\n"
	"    tags: {cost-center: \"42\"}\n";

struct fx {
	struct bl_arena a;
	struct bl_inventory *inv;
	struct bl_eval ev;
};

static void fx_load(struct fx *f, const char *text)
{
	bl_arena_init(&f->a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const struct bl_value *doc = tu_doc(&f->a, text, "inv.yaml");
	int rc = bl_inventory_from_doc(&f->inv, doc, &d);
	for (size_t i = 0; i < d.n; i++)
		print_error("%u:%u: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
	assert_int_equal(rc, 0);
	bl_diags_free(&d);
	bl_eval_init(&f->ev);
}

static void fx_free(struct fx *f)
{
	bl_eval_fini(&f->ev);
	bl_inventory_free(f->inv);
	bl_arena_free(&f->a);
}

static void classify(struct fx *f, const char *id, const char *json, struct bl_inv_result *out)
{
	struct bl_asset as = {.id = id, .type = "T", .doc = tu_json(&f->a, json)};
	bl_eval_reset(&f->ev, as.doc, &f->a);
	bl_inventory_classify(f->inv, &as, &f->ev, out);
}

static void test_precedence(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, inv_doc);
	struct bl_inv_result r;

	/* nothing matches: defaults */
	classify(&f, "/subscriptions/s/resourceGroups/web/x", "{\"name\": \"x\"}", &r);
	assert_int_equal(r.attrs.tier, 3);
	assert_int_equal(r.tier_source, BL_INV_DEFAULT);
	assert_string_equal(r.attrs.environment, "production");
	assert_string_equal(r.attrs.owner, "platform");
	assert_null(r.attrs.classification);
	assert_null(r.rule);

	/* both rules match: the first wins (tier 1, environment not from rule 2) */
	classify(&f, "/subscriptions/s/resourceGroups/web/app-dev-1",
		 "{\"name\": \"app-dev-1\", \"tags\": {\"criticality\": \"HIGH\"}}", &r);
	assert_int_equal(r.attrs.tier, 1);
	assert_int_equal(r.tier_source, BL_INV_RULE);
	assert_ptr_equal(r.rule, &f.inv->rules[0]);
	assert_string_equal(r.attrs.environment, "production");

	/* second rule only */
	classify(&f, "/x/app-dev-2", "{\"name\": \"app-dev-2\"}", &r);
	assert_int_equal(r.attrs.tier, 2);
	assert_string_equal(r.attrs.environment, "development");

	/* explicit entry (case-insensitive glob) sets owner; tier falls through to
	 * the matching rule, environment to the defaults */
	classify(&f, "/SUBSCRIPTIONS/s/resourcegroups/Payments-EU/db",
		 "{\"name\": \"db\", \"tags\": {\"criticality\": \"high\"}}", &r);
	assert_non_null(r.entry);
	assert_string_equal(r.attrs.owner, "team-payments");
	assert_string_equal(r.attrs.classification, "confidential");
	assert_int_equal(r.attrs.tier, 1);
	assert_int_equal(r.tier_source, BL_INV_RULE);
	assert_string_equal(r.attrs.environment, "production");
	size_t n;
	const char *cc = bl_value_strz(r.attrs.tags, "cost-center", &n);
	assert_int_equal(n, 2);
	assert_memory_equal(cc, "42", 2);
	fx_free(&f);
}

static void test_entry_tier_wins(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "inventory: t\n"
		    "classify:\n  - when: {field: name, equals: a}\n    set: {tier: 1, owner: r}\n"
		    "assets:\n  - {id: \"*/a\", tier: 3}\n  - {id: \"*\", owner: everyone}\n");
	struct bl_inv_result r;
	classify(&f, "/x/a", "{\"name\": \"a\"}", &r);
	assert_int_equal(r.attrs.tier, 3);
	assert_int_equal(r.tier_source, BL_INV_ENTRY);
	assert_string_equal(r.attrs.owner, "r");   /* first entry only: rule fills owner */
	/* no defaults, no match: unknown tier */
	classify(&f, "/x/b", "{\"name\": \"b\"}", &r);
	assert_int_equal(r.attrs.tier, 0);
	assert_int_equal(r.tier_source, BL_INV_NONE);
	assert_string_equal(r.attrs.owner, "everyone");
	fx_free(&f);
}

static void test_rule_error_not_matching(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "inventory: t\nclassify:\n  - when: {field: n, less: 3}\n    set: {tier: 1}\n");
	struct bl_inv_result r;
	classify(&f, "a", "{\"n\": \"many\"}", &r);
	assert_true(r.rule_error);
	assert_int_equal(r.attrs.tier, 0);
	fx_free(&f);
}

static void expect_diags(const char *text, const char *const *want, size_t nwant)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_inventory *inv = NULL;
	assert_int_equal(bl_inventory_from_doc(&inv, tu_doc(&a, text, "inv.yaml"), &d), BL_EINVAL);
	assert_null(inv);
	bl_diags_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		print_message("%u:%u: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
	assert_int_equal(d.n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		char got[700];
		snprintf(got, sizeof(got), "%u:%u: %s", d.items[i].line, d.items[i].col, d.items[i].msg);
		if (!strstr(got, want[i]))
			fail_msg("diag %zu: want '%s' in '%s'", i, want[i], got);
	}
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_validation(void **state)
{
	(void)state;
	static const char *const want[] = {
		"2:18: tier must be 1, 2 or 3 (1 = most critical), not 4",
		"2:21: unknown key \"env\" in defaults",
		"4:11: condition has no operator",
		"4:22: unknown key 'bogus'",
		"5:10: set must give at least one",
		"7:5: asset entry is missing required key \"id\"",
		"8:23: tag \"a\" must be a string",
	};
	const char *doc =
		"inventory: t\n"
		"defaults: {tier: 4, env: prod}\n"
		"classify:\n"
		"  - when: {field: x, bogus: 1}\n"
		"    set: {}\n"
		"assets:\n"
		"  - {owner: x}\n"
		"  - {id: y, tags: {a: 1}}\n";
	expect_diags(doc, want, sizeof(want) / sizeof(want[0]));
	static const char *const want2[] = {"1:1: not an inventory (a baseline document)"};
	expect_diags("baseline: x\n", want2, 1);
	static const char *const want3[] = {"1:12: inventory id \"Bad Id\" is invalid"};
	expect_diags("inventory: Bad Id\n", want3, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_entry_tier_wins),
		cmocka_unit_test(test_rule_error_not_matching),
		cmocka_unit_test(test_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
