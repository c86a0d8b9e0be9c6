/* Unit tests for adapt/terraform.c: which documents are plans, the exact
 * resources a plan yields (ids, types, names, attributes, order), how
 * planned_values and resource_changes combine, values known only after apply,
 * state documents, and malformed plans with exact positions. */
#include "testutil.h"

#include "adapt/adapt.h"

int bl_adapt_terraform(const struct bl_value *doc, const char *file, struct bl_adapted *out,
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
	r->rc = bl_adapt_terraform(tu_json(&r->a, json), "plan.json", &r->out, &r->err);
}

static void done(struct run *r)
{
	bl_arena_free(&r->a);
}

/* The string at path (dots; no arrays) of v, NUL-terminated copy, or NULL. */
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

static void assert_str(const struct bl_value *v, const char *path, const char *want)
{
	const struct bl_value *x = at(v, path);
	if (!x || x->type != BL_VSTR)
		fail_msg("%s: not a string (type %d)", path, x ? x->type : -1);
	if (x->u.str.len != strlen(want) || memcmp(x->u.str.s, want, x->u.str.len) != 0)
		fail_msg("%s: got \"%.*s\", want \"%s\"", path, (int)x->u.str.len, x->u.str.s, want);
}

static void assert_special(const struct bl_value *v, const char *path, int type, const char *why)
{
	const struct bl_value *x = at(v, path);
	if (!x || x->type != type)
		fail_msg("%s: type %d, want %d", path, x ? x->type : -1, type);
	if (x->u.str.len != strlen(why) || memcmp(x->u.str.s, why, x->u.str.len) != 0)
		fail_msg("%s: reason \"%.*s\", want \"%s\"", path, (int)x->u.str.len, x->u.str.s, why);
}

static void test_not_a_plan(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, "{\"id\": \"/subscriptions/x\", \"type\": \"A/b\", \"format\": 1}");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.out.n, 0);
	done(&r);
	/* format_version alone (another tool's document) is not a plan */
	adapt(&r, "{\"format_version\": \"1.0\", \"name\": \"x\"}");
	assert_int_equal(r.rc, 0);
	done(&r);
	adapt(&r, "{\"format_version\": 1, \"planned_values\": {}}");
	assert_int_equal(r.rc, 0);
	done(&r);
}

static const char PLAN[] =
	"{\"format_version\": \"1.2\", \"terraform_version\": \"1.6.6\",\n"
	" \"planned_values\": {\"root_module\": {\n"
	"  \"resources\": [\n"
	"   {\"address\": \"azurerm_storage_account.logs\", \"mode\": \"managed\",\n"
	"    \"type\": \"azurerm_storage_account\", \"name\": \"logs\",\n"
	"    \"provider_name\": \"registry.terraform.io/hashicorp/azurerm\",\n"
	"    \"values\": {\"name\": \"stlogs\", \"min_tls_version\": \"TLS1_0\"}},\n"
	"   {\"address\": \"azurerm_resource_group.rg\", \"mode\": \"managed\",\n"
	"    \"type\": \"azurerm_resource_group\", \"name\": \"rg\",\n"
	"    \"values\": {\"name\": \"rg-app\", \"location\": \"westeurope\"}},\n"
	"   {\"address\": \"data.azurerm_client_config.c\", \"mode\": \"data\",\n"
	"    \"type\": \"azurerm_client_config\", \"name\": \"c\", \"values\": {}}],\n"
	"  \"child_modules\": [{\"address\": \"module.net\", \"resources\": [\n"
	"    {\"address\": \"module.net.azurerm_subnet.s[\\\"a\\\"]\", \"mode\": \"managed\",\n"
	"     \"type\": \"azurerm_subnet\", \"name\": \"s\", \"index\": \"a\",\n"
	"     \"values\": {\"name\": \"snet-a\"}}],\n"
	"   \"child_modules\": [{\"address\": \"module.net.module.deep\", \"resources\": [\n"
	"    {\"address\": \"module.net.module.deep.azurerm_public_ip.p[0]\", \"mode\": \"managed\",\n"
	"     \"type\": \"azurerm_public_ip\", \"name\": \"p\", \"index\": 0,\n"
	"     \"values\": {\"sku\": \"Basic\"}}]}]}]}},\n"
	" \"resource_changes\": [\n"
	"  {\"address\": \"azurerm_storage_account.logs\", \"mode\": \"managed\",\n"
	"   \"type\": \"azurerm_storage_account\", \"name\": \"logs\",\n"
	"   \"change\": {\"actions\": [\"create\"], \"before\": null,\n"
	"    \"after\": {\"name\": \"stlogs\", \"min_tls_version\": \"TLS1_0\",\n"
	"               \"network_rules\": [{\"default_action\": \"Allow\"}]},\n"
	"    \"after_unknown\": {\"id\": true, \"primary_blob_endpoint\": true,\n"
	"                      \"network_rules\": [{\"ip_rules\": true}]}}},\n"
	"  {\"address\": \"azurerm_storage_account.old\", \"mode\": \"managed\",\n"
	"   \"type\": \"azurerm_storage_account\", \"name\": \"old\",\n"
	"   \"change\": {\"actions\": [\"delete\"], \"before\": {\"name\": \"stold\"}, \"after\": null}},\n"
	"  {\"address\": \"azurerm_key_vault.kv\", \"mode\": \"managed\",\n"
	"   \"type\": \"azurerm_key_vault\", \"name\": \"kv\",\n"
	"   \"change\": {\"actions\": [\"delete\", \"create\"],\n"
	"    \"after\": {\"name\": \"kv-1\", \"type\": \"standard\"}, \"after_unknown\": {}}},\n"
	"  {\"address\": \"data.azurerm_client_config.c\", \"mode\": \"data\",\n"
	"   \"type\": \"azurerm_client_config\", \"name\": \"c\",\n"
	"   \"change\": {\"actions\": [\"read\"], \"after\": {}}}\n"
	" ]}\n";

static void test_plan_resources(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, PLAN);
	assert_int_equal(r.rc, 1);
	/* planned_values' walk (root, module.net, module.net.module.deep), then
	 * the change only resource_changes lists; no data source, no deletion */
	assert_int_equal(r.out.n, 5);
	const char *ids[] = {"azurerm_storage_account.logs", "azurerm_resource_group.rg",
			     "module.net.azurerm_subnet.s[\"a\"]",
			     "module.net.module.deep.azurerm_public_ip.p[0]", "azurerm_key_vault.kv"};
	const char *types[] = {"azurerm_storage_account", "azurerm_resource_group",
			       "azurerm_subnet", "azurerm_public_ip", "azurerm_key_vault"};
	const char *names[] = {"logs", "rg", "s", "p", "kv"};
	for (size_t i = 0; i < 5; i++) {
		assert_str(r.out.items[i], "id", ids[i]);
		assert_str(r.out.items[i], "type", types[i]);
		assert_str(r.out.items[i], "name", names[i]);
		assert_str(r.out.items[i], "terraform.address", ids[i]);
	}
	const struct bl_value *st = r.out.items[0];
	/* attributes at the top level; the Terraform `name` attribute under values */
	assert_str(st, "min_tls_version", "TLS1_0");
	assert_str(st, "values.name", "stlogs");
	assert_str(st, "values.min_tls_version", "TLS1_0");
	assert_str(st, "terraform.provider_name", "registry.terraform.io/hashicorp/azurerm");
	assert_str(st, "terraform.mode", "managed");
	const struct bl_value *acts = at(st, "terraform.actions");
	assert_non_null(acts);
	assert_int_equal(acts->u.arr.n, 1);
	/* the resource points at its planned_values entry */
	assert_int_equal(st->line, 4);
	assert_int_equal(st->col, 4);
	/* a resource only in planned_values: values as they are, no actions */
	assert_str(r.out.items[1], "location", "westeurope");
	assert_null(at(r.out.items[1], "terraform.actions"));
	assert_str(r.out.items[2], "terraform.index", "a");
	const struct bl_value *idx = at(r.out.items[3], "terraform.index");
	assert_non_null(idx);
	assert_int_equal(idx->type, BL_VNUM);
	/* replace (delete, create) is kept; its `type` attribute is only under values */
	assert_str(r.out.items[4], "type", "azurerm_key_vault");
	assert_str(r.out.items[4], "values.type", "standard");
	assert_str(r.out.items[4], "values.name", "kv-1");
	done(&r);
}

static void test_unknown_after_apply(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, PLAN);
	assert_int_equal(r.rc, 1);
	const struct bl_value *st = r.out.items[0];
	/* identity stays the address; the Terraform id is unknown */
	assert_str(st, "id", "azurerm_storage_account.logs");
	assert_special(st, "values.id", BL_VNA, "id is known only after apply");
	assert_special(st, "primary_blob_endpoint", BL_VNA,
		       "primary_blob_endpoint is known only after apply");
	/* nested: an unknown key inside a known array element */
	const struct bl_value *nr = at(st, "network_rules");
	assert_non_null(nr);
	assert_int_equal(nr->type, BL_VARR);
	assert_int_equal(nr->u.arr.n, 1);
	const struct bl_value *el = &nr->u.arr.items[0];
	assert_str(el, "default_action", "Allow");
	assert_special(el, "ip_rules", BL_VNA, "network_rules[0].ip_rules is known only after apply");
	/* no unknowns: the attributes are shared, not copied */
	assert_null(at(r.out.items[4], "values.id"));
	done(&r);
}

static void test_state_document(void **state)
{
	(void)state;
	struct run r;
	adapt(&r, "{\"format_version\": \"1.0\", \"terraform_version\": \"1.6.6\",\n"
		  " \"values\": {\"root_module\": {\"resources\": [\n"
		  "  {\"address\": \"azurerm_storage_account.a\", \"mode\": \"managed\",\n"
		  "   \"type\": \"azurerm_storage_account\", \"name\": \"a\",\n"
		  "   \"values\": {\"id\": \"/subscriptions/s/x\", \"min_tls_version\": \"TLS1_2\"}}]}}}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.out.n, 1);
	assert_str(r.out.items[0], "id", "azurerm_storage_account.a");
	assert_str(r.out.items[0], "values.id", "/subscriptions/s/x");
	assert_str(r.out.items[0], "min_tls_version", "TLS1_2");
	done(&r);
	/* an empty plan (nothing to change) is a plan with no resources */
	adapt(&r, "{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {}},"
		  " \"resource_changes\": []}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.out.n, 0);
	done(&r);
}

static void expect_error(const char *json, unsigned line, unsigned col, const char *msg)
{
	struct run r;
	adapt(&r, json);
	if (r.rc != BL_EINVAL)
		fail_msg("rc %d, want BL_EINVAL for %s", r.rc, json);
	assert_string_equal(r.err.file, "plan.json");
	if (r.err.line != line || r.err.col != col || !strstr(r.err.msg, msg))
		fail_msg("got %u:%u %s; want %u:%u ...%s...", r.err.line, r.err.col, r.err.msg, line,
			 col, msg);
	done(&r);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("{\"format_version\": \"1.2\",\n \"resource_changes\": {}}", 2, 22,
		     "resource_changes must be an array");
	expect_error("{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		     "  {\"type\": \"t\", \"name\": \"n\", \"change\": {}}]}", 2, 3,
		     "resource change has no \"address\"");
	expect_error("{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		     "  {\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\",\n"
		     "   \"change\": {\"actions\": [\"create\", 7], \"after\": {}}}]}", 3, 37,
		     "change.actions must be an array of strings");
	expect_error("{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		     "  {\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\",\n"
		     "   \"change\": {\"actions\": [\"create\"], \"after\": {},\n"
		     "    \"after_unknown\": {\"x\": \"yes\"}}}]}", 4, 28,
		     "after_unknown must hold only booleans");
	expect_error("{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		     "  {\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\",\n"
		     "   \"change\": {\"actions\": [\"create\"], \"after\": [1]}}]}", 3, 47,
		     "change.after must be an object or null");
	expect_error("{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {\n"
		     " \"resources\": [{\"address\": \"a.b\", \"type\": 3, \"name\": \"b\"}]}}}", 2, 43,
		     "resource \"type\" must be a non-empty string, not number");
	expect_error("{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {\n"
		     " \"child_modules\": [{\"resources\": [{\"address\": \"a.b\", \"type\": \"a\",\n"
		     "  \"name\": \"b\", \"values\": \"x\"}]}]}}}", 3, 26,
		     "resource \"values\" must be an object");
	expect_error("{\"format_version\": \"1.2\", \"resource_changes\": [\n"
		     "  {\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\", \"change\": {\"actions\": []}},\n"
		     "  {\"address\": \"a.b\", \"type\": \"a\", \"name\": \"b\", \"change\": {\"actions\": []}}]}",
		     3, 3, "two resource_changes entries have the same address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_plan),
		cmocka_unit_test(test_plan_resources),
		cmocka_unit_test(test_unknown_after_apply),
		cmocka_unit_test(test_state_document),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
