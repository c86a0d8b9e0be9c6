/*
 * test_powerplatform.c - the Power Platform admin API folder adapter:
 * recognition by content, the join into tenant / environment / DLP policy
 * assets, the Dataverse joins, missing exports and malformed input.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pptest.h"

#define FIX "tests/fixtures/powerplatform/"

struct folder {
	char *names[32];
	bool claimed[32];
	size_t n;
	struct bl_arena a;
	struct bl_adapted ad;
	struct bl_error err;
	int rc;
};

static int cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Run the folder adapters over the files of dir, as assess does. */
static void run(struct folder *f, const char *dir)
{
	memset(f, 0, sizeof(*f));
	bl_arena_init(&f->a, 0);
	f->ad.arena = &f->a;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)) && f->n < 32) {
		if (de->d_name[0] == '.')
			continue;
		f->names[f->n++] = bl_arena_printf(&f->a, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(f->names, f->n, sizeof(f->names[0]), cmp);
	f->rc = bl_adapt_folder((const char *const *)f->names, f->n, f->claimed, &f->ad, &f->err);
}

static size_t nclaimed(const struct folder *f)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++)
		k += f->claimed[i];
	return k;
}

static void test_compliant(void **state)
{
	(void)state;
	struct folder f;
	run(&f, FIX "compliant");
	assert_int_equal(f.rc, 0);
	assert_int_equal(f.n, 7);
	assert_int_equal(nclaimed(&f), 7);
	assert_int_equal(f.ad.n, 5);   /* tenant, 3 environments, 1 policy */

	const struct bl_value *t = f.ad.items[0];
	pt_str(t, "id", PP_TENANT_ID);
	pt_str(t, "type", "PowerPlatform/tenant");
	pt_str(t, "name", PP_TID);
	pt_str(t, "source", "admin-api");
	pt_str(t, "defaultEnvironment", PP_DEF);
	assert_int_equal((int)pt_get(t, "environmentCount")->u.num.d, 3);
	pt_bool(t, "settings.disableEnvironmentCreationByNonAdminUsers", true);
	pt_bool(t, "tenantIsolation.isDisabled", false);
	pt_bool(t, "tenantIsolationConfigured", true);
	pt_bool(t, "dlp.coversDefaultEnvironment", true);
	const char *wide[] = {"Tenant floor"};
	pt_strs(t, "dlp.tenantWidePolicies", wide, 1);
	pt_strs(t, "dlp.defaultEnvironmentPolicies", wide, 1);
	pt_strs(t, "dlp.uncoveredEnvironments", NULL, 0);
	const char *conn[] = {PP_API "shared_office365users", PP_API "shared_sharepointonline",
			      PP_API "shared_office365", PP_API "shared_teams"};
	pt_strs(t, "dlp.defaultEnvironmentConnectors", conn, 4);
	/* the tenant asset points at the first file that made it */
	assert_string_equal(t->file, FIX "compliant/dlp-policies.json");

	const struct bl_value *prod = pt_asset(&f.ad, PP_ENV_ID(PP_PROD), "PowerPlatform/environment");
	pt_str(prod, "name", PP_PROD);
	pt_str(prod, "displayName", "Contoso Production");
	pt_str(prod, "environmentSku", "Production");
	pt_bool(prod, "isDefault", false);
	pt_str(prod, "properties.governanceConfiguration.protectionLevel", "Standard");
	pt_str(prod, "properties.governanceConfiguration.settings.extendedSettings.solutionCheckerMode", "block");
	/* organizations-prod.json is tied by its host, the settings list by file name or host */
	pt_str(prod, "organization.organizationid", "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f");
	pt_bool(prod, "organization.isauditenabled", true);
	pt_str(prod, "settings.ChannelAvailability", "PowerAppsMobile");
	pt_str(prod, "settings.AppAdditionalEntityLimitCount", "15");
	pt_bool(prod, "dlp.covered", true);
	pt_strs(prod, "dlp.policies", wide, 1);
	assert_string_equal(prod->file, FIX "compliant/environments.json");
	assert_true(prod->line > 1);

	const struct bl_value *sbx = pt_asset(&f.ad, PP_ENV_ID(PP_SBX), "PowerPlatform/environment");
	pt_special(sbx, "organization", BL_VNA,
		   "no Dataverse organization settings were exported for environment " PP_SBX);
	pt_special(sbx, "organization.isauditenabled", BL_VNA,
		   "no Dataverse organization settings were exported for environment " PP_SBX);
	const struct bl_value *def = pt_asset(&f.ad, PP_ENV_ID(PP_DEF), "PowerPlatform/environment");
	pt_bool(def, "isDefault", true);

	/* the full policy (GET) replaces its list entry */
	const struct bl_value *p = pt_asset(&f.ad, PP_DLP_ID("9a1f3c5e-2b4d-4e6f-8a0c-1e3f5a7c9b2d"),
					    "PowerPlatform/dlpPolicy");
	pt_str(p, "displayName", "Tenant floor");
	pt_str(p, "environmentType", "AllEnvironments");
	pt_str(p, "defaultConnectorsClassification", "Blocked");
	assert_int_equal(pt_get(p, "connectorGroups")->type, BL_VARR);
	assert_int_equal(pt_get(p, "connectorGroups")->u.arr.n, 3);
	assert_int_equal(pt_get(p, "customConnectorUrlPatternsDefinition.rules")->u.arr.n, 1);
	bl_arena_free(&f.a);
}

static void test_weak(void **state)
{
	(void)state;
	struct folder f;
	run(&f, FIX "weak");
	assert_int_equal(f.rc, 0);
	assert_int_equal(nclaimed(&f), 5);
	assert_int_equal(f.ad.n, 6);   /* tenant, 3 environments, 2 policies */
	const struct bl_value *t = f.ad.items[0];
	pt_str(t, "id", PP_TENANT_ID);
	pt_bool(t, "settings.powerPlatform.powerApps.disableShareWithEveryone", false);
	pt_bool(t, "tenantIsolation.isDisabled", true);
	pt_str(t, "tenantIsolation.allowedTenants.0.tenantId", "*");
	pt_bool(t, "dlp.coversDefaultEnvironment", true);
	pt_strs(t, "dlp.tenantWidePolicies", NULL, 0);
	const char *un[] = {PP_SBX};
	pt_strs(t, "dlp.uncoveredEnvironments", un, 1);
	/* twitter is blocked only by a policy that does not cover the default
	 * environment, so it stays usable there */
	const char *conn[] = {PP_API "shared_dropbox", PP_API "shared_sharepointonline",
			      PP_API "shared_twitter"};
	pt_strs(t, "dlp.defaultEnvironmentConnectors", conn, 3);
	const struct bl_value *prod = pt_asset(&f.ad, PP_ENV_ID(PP_PROD), "PowerPlatform/environment");
	pt_str(prod, "properties.governanceConfiguration.protectionLevel", "Basic");
	pt_bool(prod, "organization.enableipbasedfirewallruleinauditmode", true);
	const char *only[] = {"Production only"};
	pt_strs(prod, "dlp.policies", only, 1);
	pt_special(prod, "settings", BL_VNA,
		   "no Dataverse settings list (RetrieveSettingList) was exported for environment " PP_PROD);
	const struct bl_value *sbx = pt_asset(&f.ad, PP_ENV_ID(PP_SBX), "PowerPlatform/environment");
	pt_bool(sbx, "dlp.covered", false);
	pt_strs(sbx, "dlp.policies", NULL, 0);
	pt_asset(&f.ad, PP_DLP_ID("3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a"), "PowerPlatform/dlpPolicy");
	pt_asset(&f.ad, PP_DLP_ID("6e8a0c2e-4f6b-4d8a-9c1e-3f5b7d9f1a3c"), "PowerPlatform/dlpPolicy");
	bl_arena_free(&f.a);
}

/* ---- folders built by the tests ----------------------------------------- */

static char tmpdir[64];

static int mk_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bl-pp-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *de;
		char p[512];
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
				unlink(p);
			}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void drop(const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	unlink(p);
}

#define ENVS                                                                                     \
	"{\"value\": [\n"                                                                          \
	"  {\"name\": \"Default-t1\", \"properties\": {\"tenantId\": \"t1\", \"isDefault\": true,"      \
	" \"environmentSku\": \"Default\"}},\n"                                                       \
	"  {\"name\": \"e2\", \"properties\": {\"environmentSku\": \"Production\","                     \
	" \"linkedEnvironmentMetadata\": {\"instanceUrl\": \"https://e2.crm.dynamics.com/\"}}}\n"       \
	"]}\n"

static void test_missing_exports(void **state)
{
	(void)state;
	put("envs.json", ENVS);
	struct folder f;
	run(&f, tmpdir);
	assert_int_equal(f.rc, 0);
	assert_int_equal(f.ad.n, 3);
	const struct bl_value *t = f.ad.items[0];
	pt_str(t, "id", "/providers/Microsoft.BusinessAppPlatform/tenants/t1");
	pt_str(t, "defaultEnvironment", "Default-t1");
	pt_special(t, "settings", BL_VNA,
		   "not exported: the folder has no tenant settings (listTenantSettings response)");
	pt_special(t, "tenantIsolation.isDisabled", BL_VNA,
		   "not exported: the folder has no tenant isolation policy (tenantIsolationPolicy response)");
	pt_special(t, "dlp", BL_VNA,
		   "not exported: the folder has no DLP policies (PowerPlatform.Governance v2 policies response)");
	pt_special(f.ad.items[2], "dlp.covered", BL_VNA,
		   "not exported: the folder has no DLP policies (PowerPlatform.Governance v2 policies response)");
	bl_arena_free(&f.a);

	/* a DLP list without connectorGroups: connectors unknown, coverage known */
	put("dlp.json", "{\"value\": [{\"policyDefinition\": {\"name\": \"p1\", \"displayName\": \"P one\","
			" \"environmentType\": \"exceptenvironments\", \"environments\": [{\"name\": \"E2\"}]}}]}");
	run(&f, tmpdir);
	assert_int_equal(f.rc, 0);
	t = f.ad.items[0];
	pt_bool(t, "dlp.coversDefaultEnvironment", true);
	const char *un[] = {"e2"};
	pt_strs(t, "dlp.uncoveredEnvironments", un, 1);   /* names compare ignoring case */
	pt_special(t, "dlp.defaultEnvironmentConnectors", BL_VNA,
		   "DLP policy P one was exported without connectorGroups (a list response): export each policy");
	pt_special(f.ad.items[3], "connectorGroups", BL_VNA,
		   "DLP policy P one was exported without connectorGroups (a list response): export each policy");
	bl_arena_free(&f.a);
	drop("dlp.json");
	drop("envs.json");
}

static void test_dataverse_join(void **state)
{
	(void)state;
	put("envs.json", ENVS);
	/* tied by the host of @odata.context = the environment's instanceUrl */
	put("org.json", "{\"@odata.context\": \"https://E2.crm.dynamics.com/api/data/v9.2/$metadata#organizations\","
			" \"value\": [{\"organizationid\": \"o2\", \"isauditenabled\": false}]}");
	/* tied by the environment name in the file name */
	put("settings-Default-t1.json", "{\"SettingDetailCollection\": [{\"Name\": \"A\", \"Value\": \"1\"}]}");
	struct folder f;
	run(&f, tmpdir);
	assert_int_equal(f.rc, 0);
	assert_int_equal(nclaimed(&f), 3);
	pt_str(f.ad.items[2], "organization.organizationid", "o2");
	pt_str(f.ad.items[1], "settings.A", "1");
	bl_arena_free(&f.a);

	/* a Dataverse file nothing ties to an environment is an input error */
	put("orphan.json", "{\"value\": [{\"organizationid\": \"o9\"}]}");
	run(&f, tmpdir);
	assert_int_equal(f.rc, BL_EINVAL);
	assert_string_equal(f.err.file, f.names[2]);
	assert_int_equal(f.err.line, 1);
	assert_int_equal(f.err.col, 1);
	assert_non_null(strstr(f.err.msg, "Dataverse organization settings for an unknown environment"));
	bl_arena_free(&f.a);
	drop("orphan.json");
	drop("org.json");
	drop("settings-Default-t1.json");
	drop("envs.json");
}

static void test_not_ours(void **state)
{
	(void)state;
	put("resources.json", "[{\"id\": \"/x\", \"type\": \"Microsoft.Storage/storageAccounts\","
			      " \"properties\": {\"isDisabled\": false}}]");
	put("one.json", "{\"id\": \"/y\", \"properties\": {\"isDisabled\": true}}");
	put("list.yaml", "kind: List\nitems: []\n");
	put("broken.json", "{\"policy\": ");
	struct folder f;
	run(&f, tmpdir);
	if (f.rc)
		print_error("%s:%u:%u: %s\n", f.err.file, f.err.line, f.err.col, f.err.msg);
	assert_int_equal(f.rc, 0);
	assert_int_equal(nclaimed(&f), 0);
	assert_int_equal(f.ad.n, 0);
	bl_arena_free(&f.a);
	drop("resources.json");
	drop("one.json");
	drop("list.yaml");
	drop("broken.json");
}

static void test_malformed(void **state)
{
	(void)state;
	put("dlp.json", "{\"policyDefinition\": {\"name\": \"p\",\n  \"environmentType\": \"Sometimes\"}}");
	struct folder f;
	run(&f, tmpdir);
	assert_int_equal(f.rc, BL_EINVAL);
	assert_int_equal(f.err.line, 2);
	assert_int_equal(f.err.col, 22);
	assert_string_equal(f.err.msg, "DLP policy p: unknown environmentType \"Sometimes\"");
	bl_arena_free(&f.a);

	put("dlp.json", "{\"policyDefinition\": {\"name\": \"p\", \"environmentType\": \"AllEnvironments\","
			" \"connectorGroups\": {}}}");
	run(&f, tmpdir);
	assert_int_equal(f.rc, BL_EINVAL);
	assert_int_equal(f.err.line, 1);
	assert_int_equal(f.err.col, 93);
	assert_string_equal(f.err.msg, "DLP policy p: connectorGroups must be an array");
	bl_arena_free(&f.a);

	/* a file our markers pick up that is not valid JSON is reported */
	put("dlp.json", "{\"policyDefinition\": {\"name\": \"p\",}}");
	run(&f, tmpdir);
	assert_int_equal(f.rc, BL_EINVAL);
	assert_int_equal(f.err.line, 1);
	bl_arena_free(&f.a);
	drop("dlp.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compliant),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_missing_exports),
		cmocka_unit_test(test_dataverse_join),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, mk_tmp, rm_tmp);
}
