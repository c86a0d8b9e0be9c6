/* Unit tests for adapt/arm_template.c: which documents are templates, the
 * exact assets (ids, types, names) for the array and symbolic-name forms and
 * for nested child resources, expressions becoming error facts with their
 * path, "[[" escapes, and malformed templates with exact positions. */
#include "testutil.h"

#include "adapt/adapt.h"

int bl_adapt_arm_template(const struct bl_value *doc, const char *file, struct bl_adapted *out,
			  struct bl_error *err);

struct run {
	struct bl_arena a;
	struct bl_adapted out;
	struct bl_error err;
	int rc;
};

static void adapt(struct run *r, const char *json)
{
	bl_arena_init(&r->a, 0);
	memset(&r->out, 0, sizeof(r->out));
	r->out.arena = &r->a;
	bl_error_clear(&r->err);
	r->rc = bl_adapt_arm_template(tu_json(&r->a, json), "t.json", &r->out, &r->err);
}

static void done(struct run *r)
{
	bl_arena_free(&r->a);
}

static const struct bl_value *at(const struct bl_value *v, const char *path)
{
	char key[64];
	while (v && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		v = bl_value_getz(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

static void assert_text(const struct bl_value *v, const char *path, int type, const char *want)
{
	const struct bl_value *x = at(v, path);
	if (!x || x->type != type)
		fail_msg("%s: type %d, want %d", path, x ? x->type : -1, type);
	if (x->u.str.len != strlen(want) || memcmp(x->u.str.s, want, x->u.str.len) != 0)
		fail_msg("%s: got \"%.*s\", want \"%s\"", path, (int)x->u.str.len, x->u.str.s, want);
}

#define SCHEMA "\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\""

static void test_not_a_template(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, "{\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"x\", \"resources\": []}");
	assert_int_equal(r.rc, 0);
	done(&r);
	/* a parameter file is not a template */
	adapt(&r, "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/"
		  "deploymentParameters.json#\", \"parameters\": {}}");
	assert_int_equal(r.rc, 0);
	done(&r);
	/* other deployment scopes are templates; no resources is no assets */
	adapt(&r, "{\"$schema\": \"https://schema.management.azure.com/schemas/2018-05-01/"
		  "subscriptionDeploymentTemplate.json#\"}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.out.n, 0);
	done(&r);
}

static const char TEMPLATE[] =
	"{" SCHEMA ",\n"
	" \"resources\": [\n"
	"  {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2023-01-01\",\n"
	"   \"name\": \"stweb\", \"kind\": \"StorageV2\",\n"
	"   \"location\": \"[resourceGroup().location]\",\n"
	"   \"tags\": {\"note\": \"[[literal]\", \"plain\": \"[\", \"pair\": \"[a] [b]\"},\n"
	"   \"properties\": {\"minimumTlsVersion\": \"[parameters('tls')]\",\n"
	"                  \"supportsHttpsTrafficOnly\": true,\n"
	"                  \"ipRules\": [\"10.0.0.0/8\", \"[variables('office')]\"]},\n"
	"   \"resources\": [\n"
	"    {\"type\": \"blobServices\", \"apiVersion\": \"2023-01-01\", \"name\": \"default\",\n"
	"     \"properties\": {\"deleteRetentionPolicy\": {\"enabled\": false}},\n"
	"     \"resources\": [{\"type\": \"containers\", \"name\": \"logs\"}]},\n"
	"    {\"type\": \"Microsoft.Storage/storageAccounts/fileServices\", \"name\": \"stweb/default\"}]},\n"
	"  {\"type\": \"Microsoft.Network/publicIPAddresses\", \"name\": \"[parameters('pip')]\"}\n"
	" ]}";

static void test_array_form(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, TEMPLATE);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.out.n, 5);
	const char *ids[] = {"t.json#/resources/0", "t.json#/resources/0/resources/0",
			     "t.json#/resources/0/resources/0/resources/0",
			     "t.json#/resources/0/resources/1", "t.json#/resources/1"};
	const char *types[] = {"Microsoft.Storage/storageAccounts",
			       "Microsoft.Storage/storageAccounts/blobServices",
			       "Microsoft.Storage/storageAccounts/blobServices/containers",
			       "Microsoft.Storage/storageAccounts/fileServices",
			       "Microsoft.Network/publicIPAddresses"};
	const char *names[] = {"stweb", "stweb/default", "stweb/default/logs", "stweb/default",
			       "[parameters('pip')]"};
	for (size_t i = 0; i < 5; i++) {
		assert_text(r.out.items[i], "id", BL_VSTR, ids[i]);
		assert_text(r.out.items[i], "type", BL_VSTR, types[i]);
		assert_text(r.out.items[i], "name", BL_VSTR, names[i]);
	}
	const struct bl_value *st = r.out.items[0];
	assert_int_equal(st->line, 3);
	assert_int_equal(st->col, 3);
	/* children are their own assets, not members of the parent */
	assert_null(at(st, "resources"));
	assert_text(st, "apiVersion", BL_VSTR, "2023-01-01");
	assert_text(st, "kind", BL_VSTR, "StorageV2");
	const struct bl_value *https = at(st, "properties.supportsHttpsTrafficOnly");
	assert_non_null(https);
	assert_int_equal(https->type, BL_VBOOL);
	assert_true(https->b);
	const struct bl_value *soft = at(r.out.items[1], "properties.deleteRetentionPolicy.enabled");
	assert_non_null(soft);
	assert_int_equal(soft->type, BL_VBOOL);
	assert_false(soft->b);
	done(&r);
}

static void test_expressions(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, TEMPLATE);
	assert_int_equal(r.rc, 1);
	const struct bl_value *st = r.out.items[0];
	assert_text(st, "location", BL_VERR,
		    "location is an unevaluated template expression: [resourceGroup().location]");
	assert_text(st, "properties.minimumTlsVersion", BL_VERR,
		    "properties.minimumTlsVersion is an unevaluated template expression: "
		    "[parameters('tls')]");
	const struct bl_value *ip = at(st, "properties.ipRules");
	assert_non_null(ip);
	assert_int_equal(ip->u.arr.n, 2);
	assert_int_equal(ip->u.arr.items[0].type, BL_VSTR);
	assert_int_equal(ip->u.arr.items[1].type, BL_VERR);
	const struct bl_value *e = &ip->u.arr.items[1];
	const char *want = "properties.ipRules[1] is an unevaluated template expression: "
			   "[variables('office')]";
	assert_int_equal(e->u.str.len, strlen(want));
	assert_memory_equal(e->u.str.s, want, strlen(want));
	/* "[[" is an escaped literal; "[" alone and "[a] [b]" end/start oddly but
	 * "[a] [b]" is an expression by the template's own rule */
	assert_text(st, "tags.note", BL_VSTR, "[literal]");
	assert_text(st, "tags.plain", BL_VSTR, "[");
	assert_text(st, "tags.pair", BL_VERR, "tags.pair is an unevaluated template expression: [a] [b]");
	done(&r);
}

static void test_symbolic_form(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, "{" SCHEMA ", \"languageVersion\": \"2.0\",\n"
		  " \"resources\": {\n"
		  "  \"stg\": {\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"st1\"},\n"
		  "  \"old\": {\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"st0\",\n"
		  "          \"existing\": true},\n"
		  "  \"a/b~c\": {\"type\": \"Microsoft.Web/sites\", \"name\": \"app\"}}}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.out.n, 2);
	assert_text(r.out.items[0], "id", BL_VSTR, "t.json#/resources/stg");
	assert_text(r.out.items[1], "id", BL_VSTR, "t.json#/resources/a~1b~0c");
	assert_text(r.out.items[1], "type", BL_VSTR, "Microsoft.Web/sites");
	done(&r);
}

static void expect_error(const char *json, unsigned line, unsigned col, const char *msg)
{
	struct run r;
	adapt(&r, json);
	if (r.rc != BL_EINVAL)
		fail_msg("rc %d, want BL_EINVAL for %s", r.rc, json);
	assert_string_equal(r.err.file, "t.json");
	if (r.err.line != line || r.err.col != col || !strstr(r.err.msg, msg))
		fail_msg("got %u:%u %s; want %u:%u ...%s...", r.err.line, r.err.col, r.err.msg, line,
			 col, msg);
	done(&r);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("{" SCHEMA ",\n \"resources\": \"x\"}", 2, 15,
		     "\"resources\" must be an array or an object");
	expect_error("{" SCHEMA ",\n \"resources\": [1]}", 2, 16, "a resource must be an object");
	expect_error("{" SCHEMA ",\n \"resources\": [{\"name\": \"a\"}]}", 2, 16,
		     "a resource needs a non-empty string \"type\"");
	expect_error("{" SCHEMA ",\n \"resources\": [{\"type\": \"[variables('t')]\", \"name\": \"a\"}]}",
		     2, 25, "a resource type cannot be a template expression");
	expect_error("{" SCHEMA ",\n \"resources\": [{\"type\": \"A/b\", \"name\": 5}]}", 2, 40,
		     "a resource needs a non-empty string \"name\"");
	expect_error("{" SCHEMA ",\n \"resources\": [{\"type\": \"A/b\", \"name\": \"n\",\n"
		     "  \"resources\": [{\"type\": \"c\", \"name\": \"d\", \"kind\": 3}]}]}", 3, 52,
		     "apiVersion and kind must be strings");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_template),
		cmocka_unit_test(test_array_form),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_symbolic_form),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
