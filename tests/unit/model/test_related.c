/*
 * test_related.c - the baseline keys added for Azure Policy content
 * (src/model/baseline.c): `related:` (existence checks), `not_applicable:`,
 * parameters without a value (allowed in a document, refused for a run) and
 * assigned parameter values (bl_baseline_load_ex, bl_baseline_from_doc_owned)
 * with their exact file:line:col diagnostics.
 */
#include "testutil.h"

#include "model/baseline.h"
#include "rule/expr.h"

#define HEAD "baseline: t\nversion: 1.0.0\n"

/* Build from YAML text (file "b.yaml") with assigned values (JSON text, file
 * "p.json") or none; the arena moves into the baseline. */
static int build(struct bl_baseline **b, const char *yaml, const char *values,
		 struct bl_diags *d, struct bl_arena *va)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a, yaml, "b.yaml");
	const struct bl_value *v = NULL;
	if (values) {
		struct bl_error err;
		assert_int_equal(bl_json_parse(&v, va, bl_arena_strndup(va, values, strlen(values)),
					       strlen(values), "p.json", NULL, &err), 0);
	}
	int rc = bl_baseline_from_doc_owned(b, doc, &a, v, d);
	bl_arena_free(&a);  /* empty: the baseline owns what it held */
	return rc;
}

static struct bl_baseline *ok(const char *yaml, const char *values)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_arena va;
	bl_arena_init(&va, 0);
	struct bl_baseline *b = NULL;
	int rc = build(&b, yaml, values, &d, &va);
	for (size_t i = 0; i < d.n; i++)
		print_message("%u:%u: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
	assert_int_equal(rc, 0);
	assert_int_equal(d.n, 0);
	bl_diags_free(&d);
	bl_arena_free(&va);   /* assigned values were copied into the baseline */
	return b;
}

/* Expect BL_EINVAL and exactly want[] ("file:line:col: message", sorted). */
static void bad(const char *yaml, const char *values, const char *const *want, size_t n)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_arena va;
	bl_arena_init(&va, 0);
	struct bl_baseline *b = NULL;
	assert_int_equal(build(&b, yaml, values, &d, &va), BL_EINVAL);
	assert_null(b);
	bl_diags_sort(&d);
	bool same = d.n == n;
	for (size_t i = 0; i < d.n; i++) {
		char got[1024];
		snprintf(got, sizeof(got), "%s:%u:%u: %s", d.items[i].file ? d.items[i].file : "?",
			 d.items[i].line, d.items[i].col, d.items[i].msg);
		if (i >= n || strcmp(got, want[i]) != 0) {
			print_message("diag %zu:\n  got  %s\n  want %s\n", i, got, i < n ? want[i] : "(none)");
			same = false;
		}
	}
	for (size_t i = d.n; i < n; i++)
		print_message("missing diag: %s\n", want[i]);
	bl_diags_free(&d);
	bl_arena_free(&va);
	assert_true(same);
}

#define BAD(yaml, values, ...)                                                   \
	do {                                                                     \
		static const char *const want_[] = {__VA_ARGS__};                \
		bad((yaml), (values), want_, sizeof(want_) / sizeof(want_[0]));  \
	} while (0)

static void test_related_parsed(void **state)
{
	(void)state;
	struct bl_baseline *b = ok(HEAD
		"controls:\n"
		"  - id: A\n"
		"    title: diag\n"
		"    severity: low\n"
		"    related:\n"
		"      type: Microsoft.Insights/diagnosticSettings\n"
		"      name: \"[concat('diag-', field('name'))]\"\n"
		"      resourceGroupName: \"[concat('rg-', 'x')]\"\n"
		"      existenceScope: Subscription\n"
		"      existenceCondition: {field: \"properties.logs[*].enabled\", equals: true}\n"
		"  - id: B\n"
		"    title: plain\n"
		"    severity: low\n"
		"    related: {type: Microsoft.Sql/servers/auditingSettings, name: default}\n", NULL);
	assert_int_equal(b->ncontrols, 2);
	assert_true(b->has_related);
	const struct bl_related *r = b->controls[0].related;
	assert_non_null(r);
	assert_null(b->controls[0].cond);
	assert_string_equal(r->type, "Microsoft.Insights/diagnosticSettings");
	assert_null(r->name);
	assert_non_null(r->name_expr);   /* reads field(): evaluated per resource */
	assert_string_equal(r->resource_group, "rg-x");   /* folded */
	assert_null(r->rg_expr);
	assert_int_equal(r->scope, BL_EXIST_SUBSCRIPTION);
	assert_non_null(r->existence);
	assert_string_equal(r->existence_text, "properties.logs[*].enabled equals true");
	assert_string_equal(bl_control_cond_text(&b->controls[0], &b->arena),
			    "a related Microsoft.Insights/diagnosticSettings named [concat('diag-', field('name'))] in resource group rg-x in the subscription exists where properties.logs[*].enabled equals true");
	r = b->controls[1].related;
	assert_string_equal(r->name, "default");
	assert_null(r->existence);
	assert_int_equal(r->scope, BL_EXIST_RESOURCE_GROUP);
	assert_string_equal(bl_control_cond_text(&b->controls[1], &b->arena), "a related Microsoft.Sql/servers/auditingSettings named default exists");
	bl_baseline_free(b);
}

static void test_related_disabled_not_counted(void **state)
{
	(void)state;
	struct bl_baseline *b = ok(HEAD
		"controls:\n"
		"  - {id: A, title: t, severity: low, effect: disabled, related: {type: A.B/c}}\n", NULL);
	assert_false(b->has_related);
	bl_baseline_free(b);
}

static void test_related_errors(void **state)
{
	(void)state;
	BAD(HEAD
	    "controls:\n"
	    "  - id: A\n"
	    "    title: t\n"
	    "    severity: low\n"
	    "    related:\n"
	    "      name: x\n"
	    "      existenceScope: tenant\n"
	    "      existenceCondition: {field: x, equal: 1}\n"
	    "      where: 1\n"
	    "  - id: B\n"
	    "    title: t\n"
	    "    severity: low\n"
	    "    expect: {field: x, equals: 1}\n"
	    "    related: {type: \"Microsoft.Web\"}\n"
	    "  - id: C\n"
	    "    title: t\n"
	    "    severity: low\n"
	    "    related: {type: A.B/c, name: \"[concat('a',)]\"}\n"
	    "  - id: D\n"
	    "    title: t\n"
	    "    severity: low\n"
	    "    related: {type: A.B/c, name: \"[createArray(1)]\"}\n",
	    NULL,
	    "b.yaml:8:7: related is missing required key \"type\"",
	    "b.yaml:9:23: related.existenceScope must be resourceGroup or subscription, not \"tenant\"",
	    "b.yaml:10:27: condition has no operator",
	    "b.yaml:10:38: unknown key 'equal' (not an operator or condition keyword)",
	    "b.yaml:11:7: unknown key \"where\" in related",
	    "b.yaml:16:5: control has both expect and related: give exactly one of expect, violation or related",
	    "b.yaml:16:21: related.type must be a resource type such as Microsoft.Insights/diagnosticSettings, not \"Microsoft.Web\"",
	    "b.yaml:20:46: expected a function call, string or number at offset 12, found ')'",
	    "b.yaml:24:34: related: the expression must give a string, not an array");
}

static void test_not_applicable(void **state)
{
	(void)state;
	struct bl_baseline *b = ok(HEAD
		"controls:\n"
		"  - {id: M, title: manual, severity: info, not_applicable: \"manual: attest\"}\n"
		"  - {id: K, title: k8s, severity: low, not_applicable: \"provider mode\","
		" violation: {field: kind, equals: Pod}}\n", NULL);
	assert_string_equal(b->controls[0].na_reason, "manual: attest");
	assert_string_equal(bl_control_cond_text(&b->controls[0], &b->arena), "not evaluated: manual: attest");
	assert_null(b->controls[0].cond);
	assert_null(b->controls[0].related);
	assert_string_equal(b->controls[1].na_reason, "provider mode");
	assert_non_null(b->controls[1].cond);
	bl_baseline_free(b);
	BAD(HEAD
	    "controls:\n"
	    "  - {id: M, title: t, severity: info, not_applicable: \"\"}\n"
	    "  - {id: N, title: t, severity: info, not_applicable: 3}\n"
	    "  - {id: O, title: t, severity: info}\n",
	    NULL,
	    "b.yaml:4:55: not_applicable needs a reason (a non-empty string)",
	    "b.yaml:5:55: not_applicable must be a string, not an integer",
	    "b.yaml:6:5: control needs exactly one of expect or violation (neither is given)");
}

#define PARAMS HEAD \
	"parameters:\n" \
	"  days: {type: integer}\n" \
	"  effect: {type: string, default: Audit, allowedValues: [Audit, Disabled]}\n" \
	"  locs: {type: array, allowedValues: [westeurope, northeurope]}\n" \
	"controls:\n" \
	"  - id: A\n" \
	"    title: t\n" \
	"    severity: low\n" \
	"    expect: {field: properties.days, greaterOrEquals: \"[parameters('days')]\"}\n" \
	"  - id: B\n" \
	"    title: t\n" \
	"    severity: low\n" \
	"    expect: {field: location, in: \"[parameters('locs')]\"}\n"

static void test_unset_parameters(void **state)
{
	(void)state;
	/* a document may leave parameters without a value (lint accepts it) */
	struct bl_baseline *b = ok(PARAMS, NULL);
	assert_int_equal(b->nunset, 2);
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_require_values(b, &d), BL_EINVAL);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.items[0].file, "b.yaml");
	assert_int_equal(d.items[0].line, 4);
	assert_int_equal(d.items[0].col, 3);
	assert_string_equal(d.items[0].msg,
			    "parameter \"days\" has no value: give it a default, a value in tailor.parameters, or one with --parameters FILE");
	assert_int_equal(d.items[1].line, 6);
	assert_string_equal(d.items[1].msg,
			    "parameter \"locs\" has no value: give it a default, a value in tailor.parameters, or one with --parameters FILE");
	bl_diags_free(&d);
	bl_baseline_free(b);
}

/* A string parameter without a value compiles with its own name standing in,
 * so a field path built from it still compiles (lint of Azure built-ins). */
static void test_unset_string_in_field_path(void **state)
{
	(void)state;
	struct bl_baseline *b = ok(HEAD
		"parameters:\n  tagName: {type: string}\n"
		"controls:\n"
		"  - id: T\n    title: t\n    severity: low\n"
		"    expect: {field: \"[concat('tags[', parameters('tagName'), ']')]\", exists: true}\n",
		NULL);
	assert_int_equal(b->nunset, 1);
	assert_string_equal(bl_control_cond_text(&b->controls[0], &b->arena), "tags[tagName] exists true");
	bl_baseline_free(b);
	b = ok(HEAD
		"parameters:\n  tagName: {type: string}\n"
		"controls:\n"
		"  - id: T\n    title: t\n    severity: low\n"
		"    expect: {field: \"[concat('tags[', parameters('tagName'), ']')]\", exists: true}\n",
		"{\"tagName\": \"cost-center\"}");
	assert_int_equal(b->nunset, 0);
	assert_string_equal(bl_control_cond_text(&b->controls[0], &b->arena), "tags[cost-center] exists true");
	bl_baseline_free(b);
}

static void test_assigned_values(void **state)
{
	(void)state;
	struct bl_baseline *b = ok(PARAMS,
		"{\"days\": 30, \"locs\": [\"westeurope\"], \"effect\": \"Disabled\"}");
	assert_int_equal(b->nunset, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_require_values(b, &d), 0);
	assert_int_equal(d.n, 0);
	bl_diags_free(&d);
	/* the assigned values are part of the effective baseline, so of its hash */
	const struct bl_value *p = bl_value_getz(b->effective, "parameters");
	assert_non_null(p);
	const struct bl_value *days = bl_value_getz(bl_value_getz(p, "days"), "default");
	assert_non_null(days);
	assert_true(days->u.num.d == 30);
	const struct bl_value *eff = bl_value_getz(bl_value_getz(p, "effect"), "default");
	assert_string_equal(eff->u.str.s, "Disabled");
	struct bl_baseline *b2 = ok(PARAMS, "{\"days\": 31, \"locs\": [\"westeurope\"]}");
	assert_string_not_equal(b->sha256, b2->sha256);
	assert_string_equal(bl_control_cond_text(&b->controls[0], &b->arena), "properties.days greaterOrEquals 30");
	assert_string_equal(bl_control_cond_text(&b2->controls[0], &b2->arena), "properties.days greaterOrEquals 31");
	bl_baseline_free(b2);
	bl_baseline_free(b);
}

static void test_assigned_values_bad(void **state)
{
	(void)state;
	BAD(PARAMS,
	    "{\"days\": \"thirty\",\n \"locs\": [\"westeurope\", \"mars\"],\n \"effect\": \"Deny\",\n \"dayz\": 1}",
	    "p.json:1:10: value of parameter \"days\" must be an integer to match its type, not a string",
	    "p.json:2:25: value of parameter \"locs\": \"mars\" is not one of its allowedValues",
	    "p.json:3:12: value of parameter \"effect\": \"Deny\" is not one of its allowedValues",
	    "p.json:4:2: parameter \"dayz\" is not defined by the baseline (did you mean \"days\"?)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_related_parsed),
		cmocka_unit_test(test_related_disabled_not_counted),
		cmocka_unit_test(test_related_errors),
		cmocka_unit_test(test_not_applicable),
		cmocka_unit_test(test_unset_parameters),
		cmocka_unit_test(test_unset_string_in_field_path),
		cmocka_unit_test(test_assigned_values),
		cmocka_unit_test(test_assigned_values_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
