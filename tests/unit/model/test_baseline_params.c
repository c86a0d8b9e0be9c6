/*
 * test_baseline_params.c - parameter definitions of a baseline document
 * (src/model/baseline_params.c): every problem reported at its place.
 */
#include "baseline_diags.h"

static void test_invalid_params(void **state)
{
	(void)state;
	EXPECT_DIAGS(FIX "invalid-params.yaml",
		"4:11: parameter definition is missing required key \"type\"",
		"5:19: parameter type must be one of string, array, object, boolean, integer, number, not \"float\"",
		"6:42: default of parameter \"wrongDefault\" must be an integer to match its type, not a string",
		"7:39: default of parameter \"notAllowed\": \"TLS1_3\" is not one of its allowedValues",
		"7:71: allowedValues of parameter \"notAllowed\" must be string values, not an integer",
		"8:36: parameter \"both\" has both default and defaultValue: give only one",
		"9:53: default of parameter \"arrayDefault\": \"mars\" is not one of its allowedValues",
		"10:25: unknown key \"defualt\" in parameter definition (did you mean \"default\"?)",
		"11:11: parameter \"scalar\" must be an object such as {type: string, default: ...}, not an integer");
}

/* A parameter without a value compiles with a stand-in of its type (its first
 * allowed value when it lists some), so that lint can check the conditions
 * that use it; the run then refuses it (bl_baseline_require_values). */
static void test_stand_ins(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *text =
		"baseline: x\nversion: 1.0.0\nparameters:\n"
		"  s: {type: string}\n"
		"  e: {type: string, allowedValues: [Audit, Deny]}\n"
		"  l: {type: array}\n"
		"  o: {type: object}\n"
		"  b: {type: boolean}\n"
		"  i: {type: integer}\n"
		"  n: {type: number}\n"
		"controls:\n"
		"  - {id: S, title: s, severity: low, expect: {field: a, equals: \"[parameters('s')]\"}}\n"
		"  - {id: E, title: e, severity: low, expect: {field: a, equals: \"[parameters('e')]\"}}\n"
		"  - {id: L, title: l, severity: low, expect: {field: a, in: \"[parameters('l')]\"}}\n"
		"  - {id: O, title: o, severity: low, expect: {field: a, equals: \"[parameters('o')]\"}}\n"
		"  - {id: B, title: b, severity: low, expect: {field: a, equals: \"[parameters('b')]\"}}\n"
		"  - {id: I, title: i, severity: low, expect: {field: a, equals: \"[parameters('i')]\"}}\n"
		"  - {id: N, title: n, severity: low, expect: {field: a, equals: \"[parameters('n')]\"}}\n";
	const struct bl_value *doc = tu_doc(&a, text, "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(b->ncontrols, 7);
	assert_int_equal(b->nunset, 7);
	static const char *const want[] = {
		"a equals \"s\"", "a equals \"Audit\"", "a in []", "a equals {}",
		"a equals false", "a equals 0", "a equals 0",
	};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(bl_control_cond_text(&b->controls[i], &a), want[i]);
	assert_int_equal(bl_baseline_require_values(b, &d), BL_EINVAL);
	assert_int_equal(d.n, 7);
	assert_int_equal(d.items[0].line, 4);
	assert_string_equal(d.items[0].msg,
			    "parameter \"s\" has no value: give it a default, a value in tailor.parameters, or one with --parameters FILE");
	bl_diags_free(&d);
	bl_baseline_free(b);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_params),
		cmocka_unit_test(test_stand_ins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
