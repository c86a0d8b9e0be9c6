/*
 * test_baseline_control.c - one control of a baseline document
 * (src/model/baseline_control.c): every problem of its keys, scope, maps
 * and conditions reported at its place, and mapped ids canonicalised once.
 */
#include "baseline_diags.h"

static void test_invalid_controls(void **state)
{
	(void)state;
	EXPECT_DIAGS(FIX "invalid-controls.yaml",
		"4:5: control is missing required key \"title\"",
		"5:5: unknown key \"titel\" in control (did you mean \"title\"?)",
		"6:15: severity must be one of critical, high, medium, low, info, not \"urgent\"",
		"7:13: effect must be one of audit, deny, disabled, not \"block\"",
		"8:15: category must be one of network, identity, privileged-access, data, compute, logging, posture, backup, devops, governance, not \"storage\"",
		"10:5: control has both expect and violation: give exactly one",
		"11:5: control needs exactly one of expect or violation (neither is given)",
		"11:9: control id \"bad id!\" is invalid: use letters, digits, \".\", \"_\", \":\" and \"-\", starting with a letter or digit",
		"14:9: control id must not be empty",
		"18:9: duplicate control id \"c-1\" (first defined at line 4)",
		"21:13: expect must be an object, not a string",
		"25:21: maps.cis-v8: 3.10 is a number; write control ids as quoted strings (\"3.10\"): unquoted, YAML reads 3.10 as 3.1",
		"25:27: maps.cis-v8: 4 is a number; write control ids as quoted strings (\"4\")",
		"25:30: maps.cis-v8: a control id must not be empty",
		"25:35: framework id \"NIST\" is invalid: use lower-case letters, digits, \".\" and \"-\", starting with a letter or digit",
		"25:49: unknown framework \"cis-v9\" (did you mean \"cis-v8\"?)",
		"25:57: maps.cis-v9 must be an array of control ids, not a string",
		"30:21: scope.types entries must not be empty",
		"30:55: scope.tiers: tier 0 is out of range (1 = most critical ... 3)",
		"30:61: scope.tiers entries must be the integers 1, 2 or 3, not a string",
		"30:66: scope.tiers entries must be the integers 1, 2 or 3, not a number",
		"30:93: scope.environments entries must be strings, not an integer",
		"30:97: unknown key \"owner\" in scope",
		"31:39: references entries must be strings, not an integer",
		"33:5: a control must be an object, not a string",
		"35:12: control title must not be empty",
		"36:15: severity must be a string, not an array",
		"37:20: scope.tiers must not be empty: omit it to select every asset");
}

/* Condition errors come from the rule compiler and land in the same list,
 * beside the model's own, each at its node. */
static void test_invalid_conditions(void **state)
{
	(void)state;
	const char *path = FIX "invalid-conditions.yaml";
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_load(&b, path, &d), BL_EINVAL);
	assert_null(b);
	bl_diags_sort(&d);
	/* The compiler's wording is its own; positions and names are checked. */
	assert_int_equal(d.n, 5);
	/* an unknown operator: the leaf lacks one, and the key is unknown */
	assert_int_equal(d.items[0].line, 8);
	assert_int_equal(d.items[0].col, 13);
	assert_int_equal(d.items[1].line, 8);
	assert_int_equal(d.items[1].col, 24);
	assert_non_null(strstr(d.items[1].msg, "equalz"));
	/* the model's own problem in the same file */
	assert_int_equal(d.items[2].line, 11);
	assert_int_equal(d.items[2].col, 15);
	assert_string_equal(d.items[2].msg,
			    "severity must be one of critical, high, medium, low, info, not \"severe\"");
	/* an unknown parameter, in an applies condition; K-3's declared one is fine */
	assert_int_equal(d.items[3].line, 12);
	assert_int_equal(d.items[3].col, 30);
	assert_non_null(strstr(d.items[3].msg, "nope"));
	/* a violation condition is compiled too */
	assert_int_equal(d.items[4].line, 13);
	assert_int_equal(d.items[4].col, 34);
	assert_non_null(strstr(d.items[4].msg, "notIn"));
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(d.items[i].file, path);
	bl_diags_free(&d);
}

/* An id mapped again (in the same catalog) gets the answer of its first
 * time, as one shared string; an unknown id is reported at every place it
 * is written. */
static void test_maps_repeated_ids(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *text =
		"baseline: x\nversion: 1.0.0\ncontrols:\n"
		"  - {id: A, title: a, severity: low, expect: {field: a, exists: true}, maps: {nist-800-53-r5: [sc-8.1, ac-2]}}\n"
		"  - {id: B, title: b, severity: low, expect: {field: a, exists: true}, maps: {nist-800-53-r5: [sc-8.1, SC-8(1), ac-2], cis-v8: [\"3.10\"]}}\n"
		"  - {id: C, title: c, severity: low, expect: {field: a, exists: true}, maps: {cis-v8: [\"3.10\"]}}\n";
	const struct bl_value *doc = tu_doc(&a, text, "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(d.n, 0);
	const struct bl_mapping *ma = &b->controls[0].maps[0], *mb = &b->controls[1].maps[0];
	assert_string_equal(ma->ids[0], "SC-8(1)");
	assert_string_equal(ma->ids[1], "AC-2");
	assert_int_equal(mb->nids, 3);
	assert_ptr_equal(mb->ids[0], ma->ids[0]);   /* sc-8.1 again: the same answer */
	assert_string_equal(mb->ids[1], "SC-8(1)");  /* another spelling: its own lookup */
	assert_ptr_equal(mb->ids[2], ma->ids[1]);
	assert_ptr_equal(b->controls[2].maps[0].ids[0], b->controls[1].maps[1].ids[0]);
	assert_string_equal(b->controls[2].maps[0].ids[0], "3.10");
	bl_baseline_free(b);
	bl_diags_free(&d);

	text = "baseline: x\nversion: 1.0.0\ncontrols:\n"
	       "  - {id: A, title: a, severity: low, expect: {field: a, exists: true}, maps: {nist-800-53-r5: [XY-1234, XY-1234]}}\n"
	       "  - {id: B, title: b, severity: low, expect: {field: a, exists: true}, maps: {nist-800-53-r5: [XY-1234]}}\n";
	doc = tu_doc(&a, text, "inline.yaml");
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), BL_EINVAL);
	assert_int_equal(d.n, 3);
	for (size_t i = 0; i < d.n; i++)
		assert_non_null(strstr(d.items[i].msg, "unknown control \"XY-1234\""));
	assert_true(d.items[0].col != d.items[1].col);
	assert_true(d.items[1].line != d.items[2].line);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_controls),
		cmocka_unit_test(test_invalid_conditions),
		cmocka_unit_test(test_maps_repeated_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
