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

/* bl_value_get's rule for every identity key: an exact-case key wins
 * wherever it stands, else the first key equal ignoring case; keys of the
 * same length and first letter are not confused (one pass reads them all). */
static void test_key_matching(void **state)
{
	(void)state;
	ident("{\"ID\":\"a\",\"id\":\"b\",\"Type\":\"X\",\"type\":\"T\"}", "b", "T", NULL);
	ident("{\"Id\":\"a\",\"ID\":\"b\",\"TYPE\":\"T\",\"tYPE\":\"U\"}", "a", "T", NULL);
	ident("{\"Name\":\"n\",\"NAME\":\"m\",\"Type\":\"T\"}", "T/n", "T", "n");
	ident("{\"tags\":\"t\",\"kind\":\"k\",\"nAme\":\"n\",\"tYpe\":\"T\"}", "T/n", "T", "n");
	ident("{\"APIVERSION\":\"v1\",\"Kind\":\"Pod\",\"apiVersion\":\"apps/v1\",\"KIND\":\"x\"}",
	      "f.json#5", "apps/v1/Pod", NULL);
	ident("{\"Metadata\":{\"NAME\":\"w\",\"Uid\":\"u\",\"uid\":\"v\"},\"kind\":\"Pod\","
	      "\"apiVersion\":\"v1\"}", "v", "v1/Pod", "w");
	ident("{\"metadata\":{\"name\":\"w\"},\"METADATA\":{\"name\":\"x\"},\"type\":\"T\"}",
	      "T/w", "T", "w");
	/* a metadata that is not an object is passed over, as before */
	ident("{\"metadata\":\"m\",\"type\":\"T\",\"name\":\"n\"}", "T/n", "T", "n");
	/* an exact key that is valid hides a case variant that is not */
	ident("{\"ID\":7,\"id\":\"x\"}", "x", "", NULL);
	/* id from metadata.uid before type/name */
	ident("{\"type\":\"T\",\"name\":\"n\",\"metadata\":{\"uid\":\"u\"}}", "u", "T", "n");
	/* keys that share a length with an identity key but are not one */
	ident("{\"ix\":\"1\",\"nome\":\"2\",\"metadaty\":{\"uid\":\"3\"},\"apiversiox\":\"4\"}",
	      "f.json#5", "", NULL);
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
	/* the first bad member in the order id, type, name, apiVersion, kind,
	 * metadata.uid, metadata.name is the one reported, wherever it stands */
	bad("{\"metadata\": {\"uid\": 1}, \"kind\": 2, \"name\": 3}", "name must be", 1, 45);
	bad("{\"Kind\": [], \"APIVERSION\": 1}", "apiVersion must be a string, not number", 1, 28);
	bad("{\"metadata\": {\"name\": 1, \"UID\": {}}}", "metadata.uid must be a string, not object", 1, 33);
	bad("{\"Id\": true}", "id must be a string, not boolean", 1, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_key_matching),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
