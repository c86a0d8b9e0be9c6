/*
 * test_scubagear.c - ScubaGear's ProviderSettingsExport.json through the
 * record adapters: the same assets as the admin API folder, error values for
 * failed commands (empty arrays), not-available values for absent keys, the
 * "null" tenant isolation policy, and what is not a ScubaGear export.
 */
#include "pptest.h"

#define FIX "tests/fixtures/powerplatform/scubagear/"

struct run {
	struct bl_arena a;
	struct bl_adapted ad;
	struct bl_error err;
	int rc;
};

static void adapt_doc(struct run *r, const struct bl_value *doc)
{
	r->ad.arena = &r->a;
	r->rc = bl_adapt_record(doc, "x.json", &r->ad, &r->err);
}

static void adapt_file(struct run *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	bl_arena_init(&r->a, 0);
	const struct bl_value *doc = NULL;
	struct bl_error err;
	if (bl_doc_load(&doc, &r->a, path, &err))
		fail_msg("%s: %s", path, err.msg);
	adapt_doc(r, doc);
}

static void adapt_text(struct run *r, const char *json)
{
	memset(r, 0, sizeof(*r));
	bl_arena_init(&r->a, 0);
	adapt_doc(r, tu_json(&r->a, json));
}

static void test_compliant(void **state)
{
	(void)state;
	struct run r;
	adapt_file(&r, FIX "compliant.json");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.ad.n, 5);   /* tenant, 3 environments, 1 policy */
	const struct bl_value *t = r.ad.items[0];
	pt_str(t, "id", PP_TENANT_ID);
	pt_str(t, "type", "PowerPlatform/tenant");
	pt_str(t, "source", "scubagear");
	pt_str(t, "defaultEnvironment", PP_DEF);
	pt_bool(t, "settings.disableTrialEnvironmentCreationByNonAdminUsers", true);
	pt_bool(t, "settings.powerPlatform.powerApps.disableShareWithEveryone", true);
	pt_bool(t, "tenantIsolation.isDisabled", false);
	pt_bool(t, "tenantIsolationConfigured", true);
	pt_bool(t, "dlp.coversDefaultEnvironment", true);
	const char *conn[] = {PP_API "shared_office365users", PP_API "shared_sharepointonline",
			      PP_API "shared_office365", PP_API "shared_teams"};
	pt_strs(t, "dlp.defaultEnvironmentConnectors", conn, 4);
	pt_strs(t, "dlp.uncoveredEnvironments", NULL, 0);
	assert_int_equal(t->line, 1);
	assert_int_equal(t->col, 1);

	/* the same ids as the admin API folder builds */
	const struct bl_value *def = pt_asset(&r.ad, PP_ENV_ID(PP_DEF), "PowerPlatform/environment");
	pt_bool(def, "isDefault", true);
	pt_str(def, "displayName", "Contoso (default)");
	const struct bl_value *prod = pt_asset(&r.ad, PP_ENV_ID(PP_PROD), "PowerPlatform/environment");
	pt_bool(prod, "isDefault", false);
	pt_bool(prod, "dlp.covered", true);
	pt_special(prod, "properties.environmentSku", BL_VNA,
		   "the export lists the environment without its properties (ScubaGear exports only names)");
	const struct bl_value *p = pt_asset(&r.ad, PP_DLP_ID("9a1f3c5e-2b4d-4e6f-8a0c-1e3f5a7c9b2d"),
					    "PowerPlatform/dlpPolicy");
	pt_special(p, "defaultConnectorsClassification", BL_VNA,
		   "the export does not include the policy's default connector group (ScubaGear's DLP export omits it)");
	bl_arena_free(&r.a);
}

static void test_weak(void **state)
{
	(void)state;
	struct run r;
	adapt_file(&r, FIX "weak.json");
	assert_int_equal(r.rc, 1);
	const struct bl_value *t = r.ad.items[0];
	pt_bool(t, "settings.disableEnvironmentCreationByNonAdminUsers", false);
	pt_bool(t, "tenantIsolation.isDisabled", true);
	/* ExceptEnvironments [default, sandbox]: only production is covered */
	pt_bool(t, "dlp.coversDefaultEnvironment", false);
	pt_strs(t, "dlp.defaultEnvironmentPolicies", NULL, 0);
	const char *un[] = {PP_SBX};
	pt_strs(t, "dlp.uncoveredEnvironments", un, 1);
	pt_special(t, "dlp.defaultEnvironmentConnectors", BL_VNA,
		   "no DLP policy covers the default environment, so it has no connector groups");
	pt_bool(pt_asset(&r.ad, PP_ENV_ID(PP_SBX), "PowerPlatform/environment"), "dlp.covered", false);
	bl_arena_free(&r.a);
}

static void test_failed_command(void **state)
{
	(void)state;
	struct run r;
	adapt_file(&r, FIX "failed-dlp.json");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.ad.n, 4);   /* no policies */
	const char *why = "ScubaGear could not export the DLP policies: dlp_policies is an empty array (Get-DlpPolicy failed)";
	pt_special(r.ad.items[0], "dlp", BL_VERR, why);
	pt_special(r.ad.items[0], "dlp.coversDefaultEnvironment", BL_VERR, why);
	pt_special(pt_asset(&r.ad, PP_ENV_ID(PP_PROD), "PowerPlatform/environment"), "dlp.covered", BL_VERR, why);
	/* the other commands' data is intact */
	pt_bool(r.ad.items[0], "settings.disableEnvironmentCreationByNonAdminUsers", true);
	bl_arena_free(&r.a);

	adapt_text(&r, "{\"tenant_id\": \"t\", \"environment_creation\": [], \"tenant_isolation\": [],"
		       " \"environment_list\": []}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.ad.n, 1);
	pt_special(r.ad.items[0], "settings", BL_VERR,
		   "ScubaGear could not export the tenant settings: environment_creation is an empty array (Get-TenantSettings failed)");
	pt_special(r.ad.items[0], "tenantIsolation", BL_VERR,
		   "ScubaGear could not export the tenant isolation policy: tenant_isolation is an empty array (Get-PowerAppTenantIsolationPolicy failed)");
	pt_special(r.ad.items[0], "environmentCount", BL_VERR,
		   "ScubaGear could not export the environment list: environment_list is an empty array (Get-AdminPowerAppEnvironment failed)");
	bl_arena_free(&r.a);
}

static void test_partial(void **state)
{
	(void)state;
	struct run r;
	adapt_file(&r, FIX "partial.json");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.ad.n, 4);
	const struct bl_value *t = r.ad.items[0];
	pt_special(t, "tenantIsolation.isDisabled", BL_VNA,
		   "not in this ScubaGear export: it has no tenant_isolation key (a partial export without the tenant isolation policy)");
	pt_special(t, "dlp.uncoveredEnvironments", BL_VNA,
		   "not in this ScubaGear export: it has no dlp_policies key (a partial export without the DLP policies)");
	pt_bool(t, "settings.disablePortalsCreationByNonAdminUsers", true);
	assert_int_equal((int)pt_get(t, "environmentCount")->u.num.d, 3);
	bl_arena_free(&r.a);
}

static void test_isolation_null(void **state)
{
	(void)state;
	struct run r;
	adapt_file(&r, FIX "isolation-null.json");
	assert_int_equal(r.rc, 1);
	pt_bool(r.ad.items[0], "tenantIsolation.isDisabled", true);
	pt_bool(r.ad.items[0], "tenantIsolationConfigured", false);
	assert_int_equal(pt_get(r.ad.items[0], "tenantIsolation.allowedTenants")->u.arr.n, 0);
	bl_arena_free(&r.a);

	adapt_text(&r, "{\"tenant_id\": \"t\", \"tenant_isolation\": [null]}");
	assert_int_equal(r.rc, 1);
	pt_bool(r.ad.items[0], "tenantIsolationConfigured", false);
	bl_arena_free(&r.a);
}

static void test_default_by_name(void **state)
{
	(void)state;
	struct run r;
	/* no IsDefault: Default-<tenant_id> is the default environment (case aside) */
	adapt_text(&r, "{\"tenant_id\": \"T1\", \"environment_list\": [{\"EnvironmentName\": \"default-t1\"},"
		       " {\"name\": \"e2\", \"properties\": {\"displayName\": \"Two\", \"environmentSku\": \"Production\"}}],"
		       " \"dlp_policies\": [{\"value\": [{\"displayName\": \"Only two\", \"environmentType\": \"OnlyEnvironments\","
		       " \"environments\": [{\"name\": \"E2\"}]}]}]}");
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.ad.n, 4);
	pt_bool(r.ad.items[1], "isDefault", true);
	pt_bool(r.ad.items[0], "dlp.coversDefaultEnvironment", false);
	pt_str(r.ad.items[2], "displayName", "Two");
	pt_str(r.ad.items[2], "properties.environmentSku", "Production");
	pt_bool(r.ad.items[2], "dlp.covered", true);
	/* a policy without a name is known by its display name */
	pt_str(r.ad.items[3], "id", PP_DLP_ID("Only two"));
	bl_arena_free(&r.a);
}

static void test_not_ours(void **state)
{
	(void)state;
	struct run r;
	adapt_text(&r, "{\"tenant_id\": \"t\", \"conditional_access_policies\": []}");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ad.n, 0);
	bl_arena_free(&r.a);
	adapt_text(&r, "{\"tenant_id\": 5, \"dlp_policies\": []}");
	assert_int_equal(r.rc, 0);
	bl_arena_free(&r.a);
	adapt_text(&r, "{\"id\": \"/x\", \"type\": \"Microsoft.Storage/storageAccounts\"}");
	assert_int_equal(r.rc, 0);
	bl_arena_free(&r.a);
}

static void test_malformed(void **state)
{
	(void)state;
	struct run r;
	adapt_text(&r, "{\"tenant_id\": \"t\",\n \"dlp_policies\": {}}");
	assert_int_equal(r.rc, BL_EINVAL);
	assert_int_equal(r.err.line, 2);
	assert_int_equal(r.err.col, 18);
	assert_string_equal(r.err.msg, "ScubaGear export: dlp_policies must be an array (one command's output), not object");
	bl_arena_free(&r.a);

	adapt_text(&r, "{\"tenant_id\": \"t\", \"environment_list\": [{\"DisplayName\": \"x\"}]}");
	assert_int_equal(r.rc, BL_EINVAL);
	assert_int_equal(r.err.line, 1);
	assert_int_equal(r.err.col, 41);
	assert_string_equal(r.err.msg, "ScubaGear export: environment_list entry #1 has no EnvironmentName");
	bl_arena_free(&r.a);

	adapt_text(&r, "{\"tenant_id\": \"t\", \"dlp_policies\": [{\"value\": [{\"name\": \"p\"}]}]}");
	assert_int_equal(r.rc, BL_EINVAL);
	assert_int_equal(r.err.col, 48);
	assert_string_equal(r.err.msg,
			    "DLP policy p: environmentType must be a string (AllEnvironments, OnlyEnvironments or ExceptEnvironments)");
	bl_arena_free(&r.a);

	adapt_text(&r, "{\"tenant_id\": \"t\", \"tenant_isolation\": [42]}");
	assert_int_equal(r.rc, BL_EINVAL);
	assert_int_equal(r.err.col, 41);
	bl_arena_free(&r.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compliant),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_failed_command),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_isolation_null),
		cmocka_unit_test(test_default_by_name),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
