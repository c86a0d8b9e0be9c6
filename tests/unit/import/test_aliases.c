/*
 * test_aliases.c - the embedded Azure Policy alias table (import/aliases.c):
 * every path encoding of scripts/gen-aliases.py, case-insensitive lookup,
 * built-in fields and the properties.<rest> guess.
 */
#include "testutil.h"

#include "import/aliases.h"

struct fx {
	struct bl_arena a;
	struct bl_alias_table t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	bl_arena_init(&f->a, 0);
	assert_int_equal(bl_alias_table_open(&f->t, &f->a), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bl_arena_free(&f->a);
	free(f);
	return 0;
}

static void check(struct fx *f, const char *field, const char *path, enum bl_field_kind kind)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	enum bl_field_kind k = (enum bl_field_kind)99;
	assert_int_equal(bl_alias_translate(&b, &k, &f->t, field, strlen(field)), 0);
	assert_string_equal(b.data, path);
	assert_int_equal(k, kind);
	bl_buf_free(&b);
}

static void table_is_whole(void **state)
{
	struct fx *f = *state;
	/* 65,399 rows, of which 16 repeat an alias (first kept). */
	assert_int_equal(f->t.nrows, 65383);
	assert_true(f->t.ngroups > 1000);
}

static void properties_suffix(void **state)
{
	struct fx *f = *state;
	check(f, "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly",
	      "properties.supportsHttpsTrafficOnly", BL_FIELD_ALIAS);
	/* Case-insensitive; the path keeps the case the author wrote. */
	check(f, "microsoft.storage/STORAGEACCOUNTS/supportshttpstrafficonly",
	      "properties.supportshttpstrafficonly", BL_FIELD_ALIAS);
}

static void nested_properties_and_arrays(void **state)
{
	struct fx *f = *state;
	check(f, "Microsoft.Network/networkSecurityGroups/securityRules[*].destinationPortRange",
	      "properties.securityRules[*].properties.destinationPortRange", BL_FIELD_ALIAS);
	check(f, "Microsoft.Network/networkSecurityGroups/securityRules[*]",
	      "properties.securityRules[*]", BL_FIELD_ALIAS);
	/* "~N" tails: the path ends with the last N characters of the alias. */
	check(f, "Microsoft.AlertsManagement/actionRules/actions[*].AddActionGroups.actionGroupIds",
	      "properties.actions[*].actionGroupIds", BL_FIELD_ALIAS);
	check(f, "Microsoft.Compute/imagePublisher", "properties.storageProfile.imageReference.publisher",
	      BL_FIELD_ALIAS);
}

static void verbatim_paths(void **state)
{
	struct fx *f = *state;
	check(f, "Microsoft.AnalysisServices/servers/sku.name", "sku.name", BL_FIELD_ALIAS);
	check(f, "Microsoft.ApiManagement/service/sku.name", "sku.name", BL_FIELD_ALIAS);
}

static void builtin_fields(void **state)
{
	struct fx *f = *state;
	check(f, "type", "type", BL_FIELD_BUILTIN);
	check(f, "Name", "Name", BL_FIELD_BUILTIN);
	check(f, "fullName", "fullName", BL_FIELD_BUILTIN);
	check(f, "location", "location", BL_FIELD_BUILTIN);
	check(f, "identity.type", "identity.type", BL_FIELD_BUILTIN);
	check(f, "tags", "tags", BL_FIELD_BUILTIN);
	check(f, "tags.env", "tags.env", BL_FIELD_BUILTIN);
	check(f, "tags['cost center']", "tags['cost center']", BL_FIELD_BUILTIN);
	/* Azure's unquoted form is quoted for our paths; quotes double. */
	check(f, "tags[env]", "tags['env']", BL_FIELD_BUILTIN);
	check(f, "tags[o'neil]", "tags['o''neil']", BL_FIELD_BUILTIN);
}

static void guesses(void **state)
{
	struct fx *f = *state;
	check(f, "Microsoft.Contoso/widgets/settings.level", "properties.settings.level", BL_FIELD_GUESS);
	check(f, "Microsoft.Storage/storageAccounts/noSuchThing[*].x", "properties.noSuchThing[*].x",
	      BL_FIELD_GUESS);
	check(f, "properties.direct", "properties.direct", BL_FIELD_PATH);
	/* A '/' inside brackets does not split type from property. */
	check(f, "Microsoft.Foo/bars/map['a/b']", "properties.map['a/b']", BL_FIELD_GUESS);
}

static void without_table(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	enum bl_field_kind k;
	assert_int_equal(bl_alias_translate(&b, &k, NULL, "Microsoft.Storage/storageAccounts/x", 35), 0);
	assert_string_equal(b.data, "properties.x");
	assert_int_equal(k, BL_FIELD_GUESS);
	bl_buf_free(&b);
	assert_true(bl_alias_is_builtin("kind", 4));
	assert_false(bl_alias_is_builtin("kinds", 5));
	assert_false(bl_alias_is_builtin("tags.", 5));
	assert_false(bl_alias_is_builtin("identity.x/y", 12));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(table_is_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(properties_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(nested_properties_and_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(verbatim_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(builtin_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(guesses, setup, teardown),
		cmocka_unit_test(without_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
