/*
 * test_azure_policy.c - the Azure Policy importer (import/azure_policy.c,
 * import/azure_cond.c): applicability as Azure documents it, scope.types
 * pins, effects and parameters, initiative members, the import report.
 * Each test imports small definitions and checks exact lines of the
 * baseline written.
 */
#include "testutil.h"

#include "import/azure_policy.h"

struct out {
	struct bl_az_import imp;
	struct bl_buf yaml;
	struct bl_arena docs;
};

static void import_docs(struct out *o, const char *const *jsons, size_t n)
{
	bl_az_import_init(&o->imp);
	bl_arena_init(&o->docs, 0);
	bl_buf_init(&o->yaml, 0);
	struct bl_error err;
	bl_error_clear(&err);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(bl_az_import_add_doc(&o->imp, tu_json(&o->docs, jsons[i]), "p.json", true, &err), 0);
	assert_int_equal(bl_az_import_write(&o->imp, &o->yaml, NULL, &err), 0);
}

static void done(struct out *o)
{
	bl_buf_free(&o->yaml);
	bl_az_import_free(&o->imp);
	bl_arena_free(&o->docs);
}

/* A definition named "d1" with the given if and effect. */
static const char *def(struct bl_arena *a, const char *cond, const char *effect)
{
	return bl_arena_printf(a,
			       "{\"name\": \"d1\", \"properties\": {\"displayName\": \"D\", \"mode\": \"All\", "
			       "\"policyRule\": {\"if\": %s, \"then\": {\"effect\": \"%s\"}}}}",
			       cond, effect);
}

static void has(const struct out *o, const char *line)
{
	if (!strstr(o->yaml.data, line))
		fail_msg("missing %s in:\n%s", line, o->yaml.data);
}

static void lacks(const struct out *o, const char *text)
{
	if (strstr(o->yaml.data, text))
		fail_msg("unexpected %s in:\n%s", text, o->yaml.data);
}

static void one(struct out *o, const char *cond, const char *effect)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *d = def(&a, cond, effect);
	import_docs(o, &d, 1);
	bl_arena_free(&a);
}

#define TYPE_ST "{\"field\": \"type\", \"equals\": \"Microsoft.Storage/storageAccounts\"}"
#define OTHER "{\"field\": \"Microsoft.Storage/storageAccounts/minimumTlsVersion\", \"notEquals\": \"TLS1_2\"}"

static void type_and_other_pins_scope(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"allOf\": [" TYPE_ST ", " OTHER "]}", "audit");
	has(&o, "    scope: {\"types\": [\"Microsoft.Storage/storageAccounts\"]}\n");
	lacks(&o, "applies:");
	has(&o, "    violation: {\"allOf\": [{\"field\": \"type\", \"equals\": \"Microsoft.Storage/storageAccounts\"}, "
		"{\"field\": \"properties.minimumTlsVersion\", \"notEquals\": \"TLS1_2\"}]}\n");
	has(&o, "    severity: medium\n    effect: audit\n");
	done(&o);
}

static void only_name_or_kind_applies_to_all(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"allOf\": [{\"field\": \"name\", \"like\": \"prod-*\"}, {\"field\": \"name\", \"notEquals\": \"x\"}]}", "deny");
	lacks(&o, "applies:");
	lacks(&o, "scope:");
	has(&o, "    severity: high\n    effect: deny\n");
	done(&o);
	one(&o, "{\"field\": \"kind\", \"equals\": \"StorageV2\"}", "audit");
	lacks(&o, "applies:");
	done(&o);
}

static void type_and_kind_only_type_counts(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"allOf\": [" TYPE_ST ", {\"field\": \"kind\", \"equals\": \"BlobStorage\"}]}", "audit");
	has(&o, "    scope: {\"types\": [\"Microsoft.Storage/storageAccounts\"]}\n");
	lacks(&o, "applies:");
	done(&o);
}

static void type_kind_and_other_all_count(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"allOf\": [" TYPE_ST ", {\"field\": \"kind\", \"equals\": \"BlobStorage\"}, " OTHER "]}", "audit");
	has(&o, "    scope: {\"types\": [\"Microsoft.Storage/storageAccounts\"]}\n");
	has(&o, "    applies: {\"allOf\": [{\"field\": \"type\", \"equals\": \"Microsoft.Storage/storageAccounts\"}, "
		"{\"field\": \"kind\", \"equals\": \"BlobStorage\"}]}\n");
	done(&o);
}

static void neutral_leaves_never_decide(void **state)
{
	(void)state;
	struct out o;
	/* anyOf with a neutral (true) leaf: every resource is applicable. */
	one(&o, "{\"anyOf\": [" TYPE_ST ", " OTHER "]}", "audit");
	lacks(&o, "applies:");
	lacks(&o, "scope:");
	done(&o);
	/* A neutral leaf under not is false, so not(leaf) is true again. */
	one(&o, "{\"allOf\": [" TYPE_ST ", {\"not\": " OTHER "}]}", "audit");
	has(&o, "    scope: {\"types\": [\"Microsoft.Storage/storageAccounts\"]}\n");
	lacks(&o, "applies:");
	done(&o);
	/* A negated type condition stays in applies; no pin. */
	one(&o, "{\"not\": {\"field\": \"type\", \"in\": [\"Microsoft.Sql/servers\"]}}", "deny");
	has(&o, "    applies: {\"not\": {\"field\": \"type\", \"in\": [\"Microsoft.Sql/servers\"]}}\n");
	lacks(&o, "scope:");
	done(&o);
}

static void globs_and_parameters_are_not_pins(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"allOf\": [{\"field\": \"type\", \"like\": \"Microsoft.Sql/*\"}, " OTHER "]}", "audit");
	has(&o, "    applies: {\"field\": \"type\", \"like\": \"Microsoft.Sql/*\"}\n");
	lacks(&o, "scope:");
	done(&o);
}

static void no_applicable_resource(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"anyOf\": []}", "audit");
	has(&o, "    not_applicable: \"its type, name and kind conditions exclude every resource\"\n");
	lacks(&o, "violation:");
	done(&o);
}

static void if_not_exists_uses_whole_if_and_related(void **state)
{
	(void)state;
	struct out o;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *d =
		"{\"name\": \"d2\", \"properties\": {\"displayName\": \"Diag\", \"mode\": \"Indexed\", \"policyRule\": {"
		"\"if\": {\"allOf\": [{\"field\": \"type\", \"equals\": \"Microsoft.Sql/servers\"}, "
		"{\"field\": \"kind\", \"notContains\": \"analytics\"}, {\"field\": \"location\", \"equals\": \"westeurope\"}]}, "
		"\"then\": {\"effect\": \"AuditIfNotExists\", \"details\": {\"type\": \"Microsoft.Sql/servers/securityAlertPolicies\", "
		"\"name\": \"Default\", \"existenceScope\": \"Subscription\", "
		"\"existenceCondition\": {\"field\": \"Microsoft.Sql/servers/securityAlertPolicies/state\", \"equals\": \"Enabled\"}}}}}}";
	import_docs(&o, &d, 1);
	has(&o, "    scope: {\"types\": [\"Microsoft.Sql/servers\"]}\n");
	has(&o, "    applies: {\"allOf\": [{\"field\": \"type\", \"equals\": \"Microsoft.Sql/servers\"}, "
		"{\"field\": \"kind\", \"notContains\": \"analytics\"}, {\"field\": \"location\", \"equals\": \"westeurope\"}]}\n");
	has(&o, "    related: {\"type\": \"Microsoft.Sql/servers/securityAlertPolicies\", \"name\": \"Default\", "
		"\"existenceScope\": \"subscription\", \"existenceCondition\": {\"field\": \"properties.state\", \"equals\": \"Enabled\"}}\n");
	lacks(&o, "violation:");
	done(&o);
	bl_arena_free(&a);
}

static void effects_through_parameters(void **state)
{
	(void)state;
	struct out o;
	const char *d =
		"{\"name\": \"d3\", \"properties\": {\"displayName\": \"Loc\", \"parameters\": {"
		"\"effect\": {\"type\": \"String\", \"allowedValues\": [\"Audit\", \"Deny\", \"Disabled\"], \"defaultValue\": \"Disabled\"}, "
		"\"allowed\": {\"type\": \"Array\"}, \"unused\": {\"type\": \"Integer\"}}, "
		"\"policyRule\": {\"if\": {\"field\": \"location\", \"notIn\": \"[parameters('allowed')]\"}, "
		"\"then\": {\"effect\": \"[parameters('effect')]\"}}}}";
	import_docs(&o, &d, 1);
	has(&o, "    effect: disabled\n");
	/* Only parameters a condition reads, with no default when Azure has none. */
	has(&o, "parameters:\n  \"allowed\": {\"type\": \"array\"}\ncontrols:\n");
	lacks(&o, "unused");
	has(&o, "    violation: {\"field\": \"location\", \"notIn\": \"[parameters('allowed')]\"}\n");
	done(&o);
}

static void provider_mode_and_manual(void **state)
{
	(void)state;
	struct out o;
	const char *d =
		"{\"name\": \"k1\", \"properties\": {\"displayName\": \"K\", \"mode\": \"Microsoft.Kubernetes.Data\", "
		"\"parameters\": {\"ns\": {\"type\": \"Array\"}}, "
		"\"policyRule\": {\"if\": {\"field\": \"type\", \"in\": \"[parameters('ns')]\"}, \"then\": {\"effect\": \"deny\"}}}}";
	import_docs(&o, &d, 1);
	has(&o, "    not_applicable: \"resource provider mode Microsoft.Kubernetes.Data: ");
	has(&o, "    # Azure if: {\"field\": \"type\", \"in\": \"[parameters('ns')]\"}\n");
	lacks(&o, "parameters:\n");   /* never evaluated: needs no value */
	lacks(&o, "violation:");
	assert_int_equal(o.imp.notes[0].kind, BL_AZ_NOT_APPLICABLE);
	done(&o);
	one(&o, TYPE_ST, "Manual");
	has(&o, "    not_applicable: \"manual effect: ");
	done(&o);
	one(&o, TYPE_ST, "modify");
	has(&o, "    effect: audit\n");
	assert_int_equal(o.imp.notes[0].kind, BL_AZ_INFO);
	assert_string_equal(o.imp.notes[0].text, "modify effect assessed as an audit of its condition");
	done(&o);
}

static void initiative_members(void **state)
{
	(void)state;
	struct out o;
	const char *docs[] = {
		"{\"name\": \"set1\", \"properties\": {\"displayName\": \"My set\", \"version\": \"2.1.0\", "
		"\"parameters\": {\"tls\": {\"type\": \"String\", \"defaultValue\": \"TLS1_2\"}, "
		"\"eff\": {\"type\": \"String\", \"defaultValue\": \"Deny\"}}, "
		"\"policyDefinitions\": ["
		"{\"policyDefinitionId\": \"/providers/Microsoft.Authorization/policyDefinitions/d9\", "
		"\"policyDefinitionReferenceId\": \"tlsCheck\", \"groupNames\": [\"Azure_Security_Benchmark_v3.0_DP-3\", \"Other_X\"], "
		"\"parameters\": {\"min\": {\"value\": \"[parameters('tls')]\"}, \"effect\": {\"value\": \"[parameters('eff')]\"}}}, "
		"{\"policyDefinitionId\": \"/providers/Microsoft.Authorization/policyDefinitions/d9\", "
		"\"policyDefinitionReferenceId\": \"tls check 2\", \"parameters\": {\"min\": {\"value\": \"TLS1_3\"}}}, "
		"{\"policyDefinitionId\": \"/providers/Microsoft.Authorization/policyDefinitions/nope\", "
		"\"policyDefinitionReferenceId\": \"absent\"}]}}",
		"{\"name\": \"d9\", \"properties\": {\"displayName\": \"TLS\", \"parameters\": {"
		"\"min\": {\"type\": \"String\", \"defaultValue\": \"TLS1_0\"}, \"effect\": {\"type\": \"String\", \"defaultValue\": \"Audit\"}}, "
		"\"policyRule\": {\"if\": {\"allOf\": [" TYPE_ST ", {\"field\": \"Microsoft.Storage/storageAccounts/minimumTlsVersion\", "
		"\"notEquals\": \"[parameters('min')]\"}]}, \"then\": {\"effect\": \"[parameters('effect')]\"}}}}",
	};
	import_docs(&o, docs, 2);
	has(&o, "baseline: p\nversion: 2.1.0\ntitle: \"My set\"\n");
	/* Passed-through parameters keep the initiative's name and default;
	 * literal values become a per-member parameter. */
	has(&o, "  \"tls\": {\"type\": \"string\", \"default\": \"TLS1_2\"}\n");
	has(&o, "  \"tls-check-2.min\": {\"type\": \"string\", \"default\": \"TLS1_3\"}\n");
	has(&o, "  - id: \"tlsCheck\"\n    title: \"TLS\"\n    severity: high\n    effect: deny\n"
		"    maps: {\"mcsb-v1\": [\"DP-3\"]}\n");
	has(&o, "\"notEquals\": \"[parameters('tls')]\"");
	/* An id with characters ids do not allow is rewritten, and noted. */
	has(&o, "  - id: \"tls-check-2\"\n");
	has(&o, "\"notEquals\": \"[parameters('tls-check-2.min')]\"");
	lacks(&o, "absent");
	struct bl_buf r;
	bl_buf_init(&r, 0);
	assert_int_equal(bl_az_import_report(&o.imp, &r, false), 0);
	if (!strstr(r.data, "missing         absent: definition /providers/Microsoft.Authorization/policyDefinitions/nope is not among the files given  (p.json:1)\n"))
		fail_msg("report:\n%s", r.data);
	if (!strstr(r.data, "info            tlsCheck: group Other_X is not mapped: not a framework we know"))
		fail_msg("report:\n%s", r.data);
	if (!strstr(r.data, "2 controls: 2 evaluated, 0 not applicable; 1 members missing; 0 alias guesses; 0 unsupported\n"))
		fail_msg("report:\n%s", r.data);
	bl_buf_reset(&r);
	assert_int_equal(bl_az_import_report(&o.imp, &r, true), 0);
	assert_non_null(strstr(r.data, "{\"controls\": 2, \"evaluated\": 2, \"not_applicable\": 0, \"missing\": 1, "));
	bl_buf_free(&r);
	done(&o);
}

static void expressions_are_rewritten(void **state)
{
	(void)state;
	struct out o;
	one(&o, "{\"value\": \"[concat(field('Microsoft.Storage/storageAccounts/accessTier'), 'x''y', field('name'))]\", "
		"\"equals\": \"[field( 'Microsoft.Contoso/things/a.b')]\"}", "audit");
	has(&o, "\"value\": \"[concat(field('properties.accessTier'), 'x''y', field('name'))]\"");
	has(&o, "\"equals\": \"[field( 'properties.a.b')]\"");
	assert_int_equal(o.imp.notes[0].kind, BL_AZ_GUESS);
	assert_string_equal(o.imp.notes[0].text,
			    "Microsoft.Contoso/things/a.b -> properties.a.b (not a known alias: guessed)");
	done(&o);
}

static void not_a_policy(void **state)
{
	(void)state;
	struct bl_az_import imp;
	bl_az_import_init(&imp);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *v = tu_json(&a, "{\n  \"kind\": \"x\"\n}");
	assert_int_equal(bl_az_import_add_doc(&imp, v, "f.json", true, &err), BL_EINVAL);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 1);
	/* In a folder the same document is skipped with a note. */
	assert_int_equal(bl_az_import_add_doc(&imp, v, "f.json", false, &err), 0);
	assert_int_equal(imp.nnotes, 1);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_az_import_write(&imp, &b, NULL, &err), BL_EINVAL);
	bl_buf_free(&b);
	bl_arena_free(&a);
	bl_az_import_free(&imp);
}

static void in_memory_import(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *d = def(&a, TYPE_ST, "deny");
	const struct bl_value *src = tu_json(&a, d);
	assert_true(bl_az_detect(src));
	assert_true(bl_az_detect(tu_json(&a, "{\"value\": [{\"properties\": {\"policyDefinitions\": []}}]}")));
	assert_false(bl_az_detect(tu_json(&a, "{\"baseline\": \"x\", \"policyRule\": {}}")));
	assert_false(bl_az_detect(tu_json(&a, "[]")));
	struct bl_diags diags;
	bl_diags_init(&diags);
	const struct bl_value *doc = NULL;
	assert_int_equal(bl_az_import_doc(&doc, &a, src, "dir/p.json", &diags), 0);
	assert_non_null(doc);
	assert_string_equal(doc->file, "dir/p.json (imported from Azure Policy)");
	size_t len;
	const char *id = bl_value_strz(doc, "baseline", &len);
	assert_non_null(id);
	assert_int_equal(len, 1);
	assert_memory_equal(id, "p", 1);
	assert_int_equal(diags.n, 0);
	assert_int_equal(bl_az_import_doc(&doc, &a, tu_json(&a, "{\"x\": 1}"), "q.json", &diags), BL_EINVAL);
	assert_int_equal(diags.n, 1);
	bl_diags_free(&diags);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_and_other_pins_scope),
		cmocka_unit_test(only_name_or_kind_applies_to_all),
		cmocka_unit_test(type_and_kind_only_type_counts),
		cmocka_unit_test(type_kind_and_other_all_count),
		cmocka_unit_test(neutral_leaves_never_decide),
		cmocka_unit_test(globs_and_parameters_are_not_pins),
		cmocka_unit_test(no_applicable_resource),
		cmocka_unit_test(if_not_exists_uses_whole_if_and_related),
		cmocka_unit_test(effects_through_parameters),
		cmocka_unit_test(provider_mode_and_manual),
		cmocka_unit_test(initiative_members),
		cmocka_unit_test(expressions_are_rewritten),
		cmocka_unit_test(not_a_policy),
		cmocka_unit_test(in_memory_import),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
