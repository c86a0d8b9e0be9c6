/* Unit tests for facts/resource.c: asset identity (FORMATS.md §6). */
#include "testutil.h"

#include "facts/resource.h"

static void ident(const char *json, const char *id, const char *type, const char *name)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_asset as;
	struct bl_error e;
	int rc = bl_resource_identify(&as, tu_json(&a, json), "f.json", 4, &a, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(as.id, id);
	assert_string_equal(as.type, type);
	if (name)
		assert_string_equal(as.name, name);
	else
		assert_null(as.name);
	assert_string_equal(as.file, "f.json");
	bl_arena_free(&a);
}

static void test_identity(void **state)
{
	(void)state;
	ident("{\"id\":\"/s/1\",\"type\":\"T\",\"name\":\"n\"}", "/s/1", "T", "n");
	ident("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"uid\":\"u-1\"}}",
	      "u-1", "apps/v1/Deployment", "web");
	ident("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}", "v1/Pod/p", "v1/Pod", "p");
	ident("{\"type\":\"T\",\"name\":\"n\"}", "T/n", "T", "n");
	ident("{\"x\":1}", "f.json#5", "", NULL);
	/* Resource Graph writes empty kinds and null skus: absent, not errors */
	ident("{\"id\":\"\",\"kind\":\"\",\"apiVersion\":null,\"type\":\"T\",\"name\":\"n\"}", "T/n", "T", "n");
	ident("{\"ID\":\"/s/2\",\"Type\":\"T\"}", "/s/2", "T", NULL);   /* keys case-insensitive */
}

static void bad(const char *json, const char *msg, uint32_t line, uint32_t col)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_asset as;
	struct bl_error e;
	assert_int_equal(bl_resource_identify(&as, tu_json(&a, json), "f.json", 0, &a, &e), BL_EINVAL);
	assert_non_null(strstr(e.msg, msg));
	assert_int_equal(e.line, line);
	assert_int_equal(e.col, col);
	bl_arena_free(&a);
}

static void test_malformed(void **state)
{
	(void)state;
	bad("[1]", "not an object", 1, 1);
	bad("{\"id\": 7}", "id must be a string, not number", 1, 8);
	bad("{\n \"type\": {}}", "type must be", 2, 10);
	bad("{\"metadata\": {\"name\": false}}", "metadata.name", 1, 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
