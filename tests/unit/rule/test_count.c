/*
 * test_count.c - field count and value count: with and without where,
 * nested counts, current(), every count operator, errors inside where.
 */
#include "testutil.h"

#include "rule/rule.h"

enum { F = BL_FALSE, T = BL_TRUE, E = BL_UNKNOWN, C = 9 };

#define DOC "{\"properties\":{\"securityRules\":[" \
	"{\"name\":\"ssh\",\"properties\":{\"access\":\"Allow\",\"direction\":\"Inbound\",\"ports\":[22,2222]}}," \
	"{\"name\":\"web\",\"properties\":{\"access\":\"Allow\",\"direction\":\"Inbound\",\"ports\":[80,443]}}," \
	"{\"name\":\"deny\",\"properties\":{\"access\":\"Deny\",\"direction\":\"Outbound\",\"ports\":[]}}]," \
	"\"empty\":[],\"mixed\":[1,\"x\",3]," \
	"\"groups\":[{\"members\":[{\"admin\":true},{\"admin\":false}]},{\"members\":[{\"admin\":true}]}]}," \
	"\"tags\":{\"env\":\"prod\"},\"list\":[\"a\",\"b\"]}"

struct row {
	const char *cond;
	int want;
};

static const struct row ROWS[] = {
	/* no where: the number of elements */
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"equals\":3}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"notEquals\":3}", F},
	{"{\"count\":{\"field\":\"properties.empty[*]\"},\"equals\":0}", T},
	{"{\"count\":{\"field\":\"properties.missing[*]\"},\"equals\":0}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*].properties.ports[*]\"},\"equals\":4}", T},
	/* where, relative paths under the counted array (case-insensitively) */
	{"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
	 "{\"field\":\"Properties.SecurityRules[*].properties.access\",\"equals\":\"allow\"}},\"equals\":2}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":{\"allOf\":["
	 "{\"field\":\"properties.securityRules[*].properties.access\",\"equals\":\"allow\"},"
	 "{\"field\":\"properties.securityRules[*].name\",\"like\":\"s*\"}]}},\"equals\":1}", T},
	/* a path outside the counted array still reads the document */
	{"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
	 "{\"field\":\"tags.env\",\"equals\":\"prod\"}},\"equals\":3}", T},
	/* [*] inside where: every port of the current rule */
	{"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
	 "{\"field\":\"properties.securityRules[*].properties.ports[*]\",\"less\":1000}},\"equals\":2}", T},
	/* each count operator */
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"less\":4}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"less\":3}", F},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"lessOrEquals\":3}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"greater\":2}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"greater\":3}", F},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"greaterOrEquals\":3}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"in\":[1,3]}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"notIn\":[1,3]}", F},
	{"{\"COUNT\":{\"FIELD\":\"properties.securityRules[*]\"},\"GREATER\":0}", T},
	/* nested counts */
	{"{\"count\":{\"field\":\"properties.groups[*]\",\"where\":"
	 "{\"count\":{\"field\":\"properties.groups[*].members[*]\",\"where\":"
	 "{\"field\":\"properties.groups[*].members[*].admin\",\"equals\":true}},\"greater\":0}},\"equals\":2}", T},
	{"{\"count\":{\"field\":\"properties.groups[*]\",\"where\":"
	 "{\"count\":{\"field\":\"properties.groups[*].members[*]\"},\"equals\":2}},\"equals\":1}", T},
	/* value count with current() */
	{"{\"count\":{\"value\":[\"ssh\",\"rdp\",\"web\"],\"name\":\"n\",\"where\":"
	 "{\"value\":\"[current('n')]\",\"in\":[\"ssh\",\"web\"]}},\"equals\":2}", T},
	{"{\"count\":{\"value\":[1,2,3,4],\"name\":\"n\",\"where\":"
	 "{\"value\":\"[current('n')]\",\"greater\":2}},\"equals\":2}", T},
	{"{\"count\":{\"value\":[]},\"equals\":0}", T},
	{"{\"count\":{\"value\":[1,2]},\"equals\":2}", T},
	/* value count binding a name used with a field count inside */
	{"{\"count\":{\"value\":[\"Allow\",\"Deny\"],\"name\":\"acc\",\"where\":"
	 "{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
	 "{\"field\":\"properties.securityRules[*].properties.access\",\"equals\":\"[current('acc')]\"}},"
	 "\"greater\":0}},\"equals\":2}", T},
	/* current() and current('path[*]') in a field count */
	{"{\"count\":{\"field\":\"properties.mixed[*]\",\"where\":"
	 "{\"value\":\"[current()]\",\"equals\":\"x\"}},\"equals\":1}", T},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
	 "{\"value\":\"[current('properties.securityRules[*]').name]\",\"like\":\"*s*\"}},\"equals\":1}", T},
	/* a constant expression as field */
	{"{\"field\":\"[concat('tags[', 'env', ']')]\",\"equals\":\"PROD\"}", T},
	/* value count over an expression result */
	{"{\"count\":{\"value\":\"[field('list')]\",\"name\":\"x\"},\"equals\":2}", T},
	{"{\"count\":{\"value\":\"[field('tags')]\",\"name\":\"x\"},\"equals\":2}", E},
	/* an error inside where makes the count an error */
	{"{\"count\":{\"field\":\"properties.mixed[*]\",\"where\":"
	 "{\"field\":\"properties.mixed[*]\",\"greater\":0}},\"equals\":2}", E},
	/* compile errors */
	{"{\"count\":{\"field\":\"properties.securityRules\"},\"equals\":3}", C},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"like\":\"3\"}", C},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"equals\":\"3\"}", C},
	{"{\"count\":{\"field\":\"properties.securityRules[*]\"},\"in\":[\"3\"]}", C},
	{"{\"count\":{\"value\":\"abc\"},\"equals\":3}", C},
	{"{\"count\":{\"field\":\"a[*]\",\"value\":[1]},\"equals\":3}", C},
	{"{\"count\":{\"field\":\"a[*]\",\"filter\":{}},\"equals\":3}", C},
};

static int run(const char *cond, char *err, size_t errsize)
{
	struct bl_arena a, ea;
	bl_arena_init(&a, 0);
	bl_arena_init(&ea, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_rule_env env = {.arena = &a, .diags = &d};
	const struct bl_cond *c = NULL;
	int got;
	if (bl_cond_compile(&c, tu_json(&a, cond), &env) != 0) {
		snprintf(err, errsize, "%s", d.n ? d.items[0].msg : "?");
		got = C;
	} else {
		struct bl_eval e;
		bl_eval_init(&e);
		bl_eval_reset(&e, tu_json(&ea, DOC), &ea);
		got = (int)bl_cond_eval(c, &e);
		snprintf(err, errsize, "%s", e.error);
		bl_eval_fini(&e);
	}
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_arena_free(&ea);
	return got;
}

static void test_counts(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
		char err[300];
		int got = run(ROWS[i].cond, err, sizeof(err));
		if (got != ROWS[i].want) {
			print_error("row %zu: %s -> %d, want %d (%s)\n", i, ROWS[i].cond, got, ROWS[i].want, err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Count evidence: the count as actual, the readable expectation. */
static void test_count_evidence(void **state)
{
	(void)state;
	struct bl_arena a, ea;
	bl_arena_init(&a, 0);
	bl_arena_init(&ea, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_rule_env env = {.arena = &a, .diags = &d};
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&a,
		"{\"count\":{\"field\":\"properties.securityRules[*]\",\"where\":"
		"{\"field\":\"properties.securityRules[*].properties.access\",\"equals\":\"Deny\"}},\"greater\":1}"),
		&env), 0);
	struct bl_eval e;
	bl_eval_init(&e);
	bl_eval_reset(&e, tu_json(&ea, DOC), &ea);
	assert_int_equal(bl_cond_eval(c, &e), BL_FALSE);
	bl_cond_explain(c, &e, BL_FALSE);
	assert_int_equal(e.nev, 1);
	assert_string_equal(e.ev[0].path, "count(properties.securityRules[*])");
	assert_non_null(e.ev[0].actual);
	assert_int_equal(e.ev[0].actual->type, BL_VNUM);
	assert_true(e.ev[0].actual->u.num.d == 1.0);
	assert_string_equal(e.ev[0].expected,
		"count of properties.securityRules[*] where "
		"properties.securityRules[*].properties.access equals \"Deny\" greater 1");
	assert_string_equal(bl_cond_describe(c, &ea), e.ev[0].expected);
	bl_eval_fini(&e);
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_arena_free(&ea);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_count_evidence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
