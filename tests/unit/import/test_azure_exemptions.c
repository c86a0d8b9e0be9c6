/*
 * test_azure_exemptions.c - Azure Policy exemptions into exception documents
 * (import/exemptions.c): categories, expiry, scope from the id, control ids,
 * refusals.
 */
#include "testutil.h"

#include "import/exemptions.h"

static const char *convert(struct bl_az_import *imp, struct bl_buf *b, struct bl_arena *a,
			   const char *json, int want)
{
	struct bl_error err;
	bl_error_clear(&err);
	assert_int_equal(bl_az_exemptions_write(imp, b, tu_json(a, json), "x.json", &err), want);
	return b->data;
}

static void waiver_with_references(void **state)
{
	(void)state;
	struct bl_az_import imp;
	bl_az_import_init(&imp);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	const char *out = convert(&imp, &b, &a,
		"{\"id\": \"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Authorization/policyExemptions/ex 1\", "
		"\"name\": \"ex 1\", \"properties\": {\"exemptionCategory\": \"waiver\", \"expiresOn\": \"2027-01-15T10:00:00Z\", "
		"\"policyDefinitionReferenceIds\": [\"refA\"], \"description\": \"why\", "
		"\"metadata\": {\"approvedBy\": \"boss\"}}}", 0);
	assert_string_equal(out,
		"# Imported from Azure Policy exemptions in x.json by `baseline import azure-policy`.\n"
		"exceptions:\n"
		"  - id: \"AZX-ex-1\"\n"
		"    control: \"refA\"\n"
		"    assets: [\"/subscriptions/s1/resourceGroups/rg1\", \"/subscriptions/s1/resourceGroups/rg1/*\"]\n"
		"    category: waiver\n"
		"    justification: \"why\"\n"
		"    approved_by: \"boss\"\n"
		"    expires: \"2027-01-15\"\n");
	bl_buf_free(&b);
	bl_arena_free(&a);
	bl_az_import_free(&imp);
}

static void refusals(void **state)
{
	(void)state;
	struct bl_az_import imp;
	bl_az_import_init(&imp);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	const char *out = convert(&imp, &b, &a,
		"[{\"name\": \"noexp\", \"properties\": {\"exemptionCategory\": \"Mitigated\", \"scope\": \"/subscriptions/s1\"}},"
		" {\"name\": \"badcat\", \"properties\": {\"exemptionCategory\": \"Other\", \"expiresOn\": \"2027-01-01\"}},"
		" {\"name\": \"noscope\", \"properties\": {\"exemptionCategory\": \"Waiver\", \"expiresOn\": \"2027-01-01\"}}]", 0);
	assert_non_null(strstr(out, "exceptions:\n  []\n"));
	assert_int_equal(imp.nnotes, 3);
	assert_string_equal(imp.notes[0].text,
			    "refused: no expiresOn: exceptions must expire (set one in Azure, or write the exception by hand)");
	assert_string_equal(imp.notes[1].text, "refused: exemptionCategory must be Waiver or Mitigated");
	assert_string_equal(imp.notes[2].text,
			    "refused: no scope: neither properties.scope nor an exemption resource id");
	bl_buf_reset(&b);
	convert(&imp, &b, &a, "{\"value\": [{\"name\": \"x\"}]}", BL_EINVAL);
	bl_buf_reset(&b);
	convert(&imp, &b, &a, "{\"name\": \"x\"}", BL_EINVAL);
	bl_buf_free(&b);
	bl_arena_free(&a);
	bl_az_import_free(&imp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waiver_with_references),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
