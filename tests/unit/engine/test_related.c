/*
 * test_related.c - `related:` controls (src/engine/related.c): which
 * resources are candidates (extension resources by scope, child resources
 * by id prefix, the same resource group, resourceGroupName, the
 * subscription), the name filter, existenceCondition with field() naming
 * the outer resource, the exact statuses and messages, errors that never
 * become a pass, the first pass over files and folders, and stdin spooling.
 */
#include "enginetest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/evaluate.h"
#include "engine/related.h"
#include "facts/resource.h"

#define SUB "/subscriptions/s1"
#define RG1 SUB "/resourceGroups/rg1/providers"

static const char *SNAP =
	"["
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-good\", \"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv-good\", \"location\": \"westeurope\"},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-none\", \"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv-none\"},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-off\", \"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv-off\"},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-err\", \"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv-err\"},"
	/* extension resources: scope = the vault */
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-good/providers/Microsoft.Insights/diagnosticSettings/off\","
	" \"type\": \"Microsoft.Insights/diagnosticSettings\", \"name\": \"off\", \"properties\": {\"enabled\": false}},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-good/providers/Microsoft.Insights/diagnosticSettings/on\","
	" \"type\": \"microsoft.insights/diagnosticsettings\", \"name\": \"on\", \"properties\": {\"enabled\": true}},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-off/providers/Microsoft.Insights/diagnosticSettings/x\","
	" \"type\": \"Microsoft.Insights/diagnosticSettings\", \"name\": \"x\", \"properties\": {\"enabled\": false}},"
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-err/providers/Microsoft.Insights/diagnosticSettings/y\","
	" \"type\": \"Microsoft.Insights/diagnosticSettings\", \"name\": \"y\", \"properties\": {\"enabled\": \"yes\"}},"
	/* a setting of kv-good-2 must not count for kv-good (prefix + "/") */
	"{\"id\": \"" RG1 "/Microsoft.KeyVault/vaults/kv-good-2/providers/Microsoft.Insights/diagnosticSettings/on\","
	" \"type\": \"Microsoft.Insights/diagnosticSettings\", \"name\": \"on\", \"properties\": {\"enabled\": true}},"
	/* child resources */
	"{\"id\": \"" RG1 "/Microsoft.Sql/servers/sql1\", \"type\": \"Microsoft.Sql/servers\", \"name\": \"sql1\"},"
	"{\"id\": \"" RG1 "/Microsoft.Sql/servers/sql1/auditingSettings/default\", \"type\": \"Microsoft.Sql/servers/auditingSettings\","
	" \"name\": \"default\", \"properties\": {\"state\": \"Enabled\"}},"
	"{\"id\": \"" RG1 "/Microsoft.Sql/servers/sql1/auditingSettings/other\", \"type\": \"Microsoft.Sql/servers/auditingSettings\","
	" \"name\": \"other\", \"properties\": {\"state\": \"Disabled\"}},"
	"{\"id\": \"" RG1 "/Microsoft.Sql/servers/sql2\", \"type\": \"Microsoft.Sql/servers\", \"name\": \"sql2\"},"
	"{\"id\": \"" RG1 "/Microsoft.Sql/servers/sql2/auditingSettings/other\", \"type\": \"Microsoft.Sql/servers/auditingSettings\","
	" \"name\": \"other\", \"properties\": {\"state\": \"Enabled\"}},"
	/* resource-group and subscription scope */
	"{\"id\": \"" RG1 "/Microsoft.Network/virtualNetworks/vnet1\", \"type\": \"Microsoft.Network/virtualNetworks\", \"location\": \"westeurope\"},"
	"{\"id\": \"" SUB "/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet2\", \"type\": \"Microsoft.Network/virtualNetworks\", \"location\": \"eastus\"},"
	"{\"id\": \"" SUB "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw-we\","
	" \"type\": \"Microsoft.Network/networkWatchers\", \"location\": \"westeurope\"},"
	"{\"id\": \"" RG1 "/Microsoft.Network/networkSecurityGroups/nsg1\", \"type\": \"Microsoft.Network/networkSecurityGroups\"},"
	"{\"id\": \"" SUB "\", \"type\": \"Microsoft.Resources/subscriptions\"},"
	"{\"id\": \"" SUB "/providers/Microsoft.Security/pricings/VirtualMachines\", \"type\": \"Microsoft.Security/pricings\","
	" \"name\": \"VirtualMachines\", \"properties\": {\"pricingTier\": \"Standard\"}},"
	"{\"id\": \"k8s/pod/a\", \"type\": \"Microsoft.Network/virtualNetworks\"}"
	"]";

static const char *BASELINE =
	"baseline: rel\nversion: 1.0.0\ncontrols:\n"
	"  - id: DIAG\n    title: t\n    severity: low\n"
	"    related:\n      type: Microsoft.Insights/diagnosticSettings\n"
	"      existenceCondition: {field: properties.enabled, equals: true}\n"
	"  - id: DIAG-ANY\n    title: t\n    severity: low\n"
	"    related: {type: Microsoft.Insights/diagnosticSettings}\n"
	"  - id: AUDIT\n    title: t\n    severity: low\n"
	"    related:\n      type: Microsoft.Sql/servers/auditingSettings\n      name: default\n"
	"      existenceCondition: {field: properties.state, equals: Enabled}\n"
	"  - id: AUDIT-WILD\n    title: t\n    severity: low\n"
	"    related:\n      type: Microsoft.Sql/servers/auditingSettings\n"
	"      name: \"[concat(field('name'), '/?')]\"\n"
	"      existenceCondition: {field: properties.state, equals: Enabled}\n"
	"  - id: WATCHER\n    title: t\n    severity: low\n"
	"    related:\n      type: Microsoft.Network/networkWatchers\n      resourceGroupName: networkwatcherrg\n"
	"      existenceCondition: {field: location, equals: \"[field('location')]\"}\n"
	"  - id: SAME-RG\n    title: t\n    severity: low\n"
	"    related: {type: Microsoft.Network/networkSecurityGroups}\n"
	"  - id: IN-SUB\n    title: t\n    severity: low\n"
	"    related: {type: Microsoft.Network/networkSecurityGroups, existenceScope: subscription}\n"
	"  - id: PRICING\n    title: t\n    severity: low\n"
	"    related:\n      type: Microsoft.Security/pricings\n      name: VirtualMachines\n"
	"      existenceScope: subscription\n"
	"      existenceCondition: {field: properties.pricingTier, equals: Standard}\n";

struct fx {
	struct et t;
	struct bl_relidx *x;
	struct bl_arena a;       /* snapshot and results */
	struct bl_eval ev;
	const struct bl_value *snap;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	et_load(&f->t, BASELINE);
	bl_arena_init(&f->a, 0);
	bl_eval_init(&f->ev);
	f->snap = tu_json(&f->a, SNAP);
	assert_int_equal(bl_relidx_new(&f->x, f->t.b), 0);
	for (uint32_t i = 0; i < f->snap->u.arr.n; i++)
		assert_int_equal(bl_relidx_add(f->x, &f->snap->u.arr.items[i]), 0);
	assert_int_equal(bl_relidx_seal(f->x), 0);
}

static void fx_fini(struct fx *f)
{
	bl_relidx_free(f->x);
	bl_eval_fini(&f->ev);
	bl_arena_free(&f->a);
	et_free(&f->t);
}

/* Evaluate control id for the snapshot resource whose id ends with tail. */
static struct bl_result eval(struct fx *f, const char *control, const char *tail,
			     const struct bl_relidx *x)
{
	const struct bl_value *res = NULL;
	for (uint32_t i = 0; i < f->snap->u.arr.n && !res; i++) {
		const struct bl_value *id = bl_value_getz(&f->snap->u.arr.items[i], "id");
		size_t n = strlen(tail);
		if (id->u.str.len >= n && memcmp(id->u.str.s + id->u.str.len - n, tail, n) == 0)
			res = &f->snap->u.arr.items[i];
	}
	assert_non_null(res);
	struct bl_asset *asset = bl_arena_calloc(&f->a, 1, sizeof(*asset));
	struct bl_error err;
	assert_int_equal(bl_resource_identify(asset, res, "snap.json", 0, &f->a, &err), 0);
	const struct bl_control *c = bl_baseline_control(f->t.b, control);
	assert_non_null(c);
	struct bl_result r;
	memset(&r, 0, sizeof(r));
	bl_eval_reset(&f->ev, res, &f->a);
	assert_int_equal(bl_related_eval(&r, c, asset, x, &f->ev, &f->a), 0);
	assert_ptr_equal(f->ev.doc, res);
	assert_null(f->ev.outer);
	return r;
}

static void test_index(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* 5 settings, 3 auditing settings, 1 watcher, 1 NSG, 1 pricing */
	assert_int_equal(bl_relidx_count(f.x), 11);
	assert_true(bl_relidx_bytes(f.x) > 0);
	fx_fini(&f);
}

static void test_extension_present_absent_failing(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_result r = eval(&f, "DIAG", "/vaults/kv-good", f.x);
	assert_int_equal(r.status, BL_PASS);
	assert_string_equal(r.message, "compliant: related " RG1
			    "/Microsoft.KeyVault/vaults/kv-good/providers/Microsoft.Insights/diagnosticSettings/on satisfies the existence condition");
	r = eval(&f, "DIAG", "/vaults/kv-none", f.x);
	assert_int_equal(r.status, BL_FAIL);
	assert_string_equal(r.message, "no Microsoft.Insights/diagnosticSettings related to the resource exists (looked in the resource's scope)");
	assert_int_equal(r.nevidence, 1);
	assert_string_equal(r.evidence[0].path, "related(Microsoft.Insights/diagnosticSettings)");
	assert_null(r.evidence[0].actual);
	assert_string_equal(r.evidence[0].expected, "exists");
	r = eval(&f, "DIAG", "/vaults/kv-off", f.x);
	assert_int_equal(r.status, BL_FAIL);
	assert_string_equal(r.message, "no Microsoft.Insights/diagnosticSettings related to the resource satisfies properties.enabled equals true (1 found, looked in the resource's scope)");
	assert_int_equal(r.nevidence, 1);
	assert_string_equal(r.evidence[0].path, RG1 "/Microsoft.KeyVault/vaults/kv-off/providers/Microsoft.Insights/diagnosticSettings/x: properties.enabled");
	assert_int_equal(r.evidence[0].actual->type, BL_VBOOL);
	assert_false(r.evidence[0].actual->b);
	assert_string_equal(r.evidence[0].expected, "equals true");
	/* without existenceCondition any candidate will do */
	r = eval(&f, "DIAG-ANY", "/vaults/kv-off", f.x);
	assert_int_equal(r.status, BL_PASS);
	r = eval(&f, "DIAG-ANY", "/vaults/kv-none", f.x);
	assert_int_equal(r.status, BL_FAIL);
	fx_fini(&f);
}

static void test_child_by_name(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_result r = eval(&f, "AUDIT", "/servers/sql1", f.x);
	assert_int_equal(r.status, BL_PASS);
	assert_string_equal(r.message, "compliant: related " RG1 "/Microsoft.Sql/servers/sql1/auditingSettings/default satisfies the existence condition");
	/* sql2 has an enabled setting, but not one named "default" */
	r = eval(&f, "AUDIT", "/servers/sql2", f.x);
	assert_int_equal(r.status, BL_FAIL);
	assert_string_equal(r.message, "no Microsoft.Sql/servers/auditingSettings named \"default\" related to the resource exists (looked in the resource's scope)");
	/* "sql2/?": any child of sql2 */
	r = eval(&f, "AUDIT-WILD", "/servers/sql2", f.x);
	assert_int_equal(r.status, BL_PASS);
	fx_fini(&f);
}

static void test_resource_group_and_subscription(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* resourceGroupName + field() naming the outer resource */
	struct bl_result r = eval(&f, "WATCHER", "/virtualNetworks/vnet1", f.x);
	assert_int_equal(r.status, BL_PASS);
	r = eval(&f, "WATCHER", "/virtualNetworks/vnet2", f.x);
	assert_int_equal(r.status, BL_FAIL);
	assert_string_equal(r.message, "no Microsoft.Network/networkWatchers related to the resource satisfies location equals [field('location')] (1 found, looked in resource group networkwatcherrg)");
	assert_string_equal(r.evidence[0].path, SUB "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw-we: location");
	/* same resource group by default; the subscription when asked */
	r = eval(&f, "SAME-RG", "/virtualNetworks/vnet1", f.x);
	assert_int_equal(r.status, BL_PASS);
	r = eval(&f, "SAME-RG", "/virtualNetworks/vnet2", f.x);
	assert_int_equal(r.status, BL_FAIL);
	assert_string_equal(r.message, "no Microsoft.Network/networkSecurityGroups related to the resource exists (looked in the resource's resource group)");
	r = eval(&f, "IN-SUB", "/virtualNetworks/vnet2", f.x);
	assert_int_equal(r.status, BL_PASS);
	/* a subscription-level resource looks in its subscription */
	r = eval(&f, "PRICING", "s1", f.x);
	assert_int_equal(r.status, BL_PASS);
	/* an id without subscription cannot be placed: error, never a pass */
	r = eval(&f, "SAME-RG", "k8s/pod/a", f.x);
	assert_int_equal(r.status, BL_ERROR);
	assert_string_equal(r.message, "cannot look for a related Microsoft.Network/networkSecurityGroups: the resource id \"k8s/pod/a\" has no subscription or resource group");
	fx_fini(&f);
}

static void test_errors_never_pass(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* properties.enabled is "yes": equals true is false, not an error; use
	 * an ordering operator on a string to get an error on every candidate */
	struct et t;
	et_load(&t, "baseline: e\nversion: 1.0.0\ncontrols:\n"
		    "  - id: E\n    title: t\n    severity: low\n"
		    "    related:\n      type: Microsoft.Insights/diagnosticSettings\n"
		    "      existenceCondition: {field: properties.enabled, greater: 1}\n");
	struct bl_relidx *x = NULL;
	assert_int_equal(bl_relidx_new(&x, t.b), 0);
	for (uint32_t i = 0; i < f.snap->u.arr.n; i++)
		assert_int_equal(bl_relidx_add(x, &f.snap->u.arr.items[i]), 0);
	assert_int_equal(bl_relidx_seal(x), 0);
	const struct bl_value *res = &f.snap->u.arr.items[3];   /* kv-err */
	struct bl_asset asset;
	struct bl_error err;
	assert_int_equal(bl_resource_identify(&asset, res, "snap.json", 0, &f.a, &err), 0);
	struct bl_result r;
	memset(&r, 0, sizeof(r));
	bl_eval_reset(&f.ev, res, &f.a);
	assert_int_equal(bl_related_eval(&r, &t.b->controls[0], &asset, x, &f.ev, &f.a), 0);
	assert_int_equal(r.status, BL_ERROR);
	assert_non_null(strstr(r.message, "the existence condition could not be evaluated on 1 of 1 related Microsoft.Insights/diagnosticSettings: "));
	bl_relidx_free(x);
	et_free(&t);
	/* no index (not a snapshot run) */
	r = eval(&f, "DIAG", "/vaults/kv-good", NULL);
	assert_int_equal(r.status, BL_ERROR);
	assert_string_equal(r.message, "related resources are looked up in snapshots (-s) only");
	fx_fini(&f);
}

/* Through bl_evaluate_asset_rel: statuses in control order, and
 * not_applicable controls. */
static void test_evaluate_asset(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, "baseline: e\nversion: 1.0.0\ncontrols:\n"
		    "  - id: D\n    title: t\n    severity: low\n"
		    "    related: {type: Microsoft.Insights/diagnosticSettings}\n"
		    "  - id: M\n    title: t\n    severity: low\n    not_applicable: manual policy\n");
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *res = tu_json(&a, "{\"id\": \"/subscriptions/s/resourceGroups/r/providers/A.B/c/n\", \"type\": \"A.B/c\"}");
	const struct bl_value *ds = tu_json(&a, "{\"id\": \"/subscriptions/s/resourceGroups/r/providers/A.B/c/n/providers/Microsoft.Insights/diagnosticSettings/d\", \"type\": \"Microsoft.Insights/diagnosticSettings\"}");
	struct bl_relidx *x = NULL;
	assert_int_equal(bl_relidx_new(&x, t.b), 0);
	assert_int_equal(bl_relidx_add(x, ds), 0);
	assert_int_equal(bl_relidx_add(x, res), 0);   /* not a related type: ignored */
	assert_int_equal(bl_relidx_seal(x), 0);
	assert_int_equal(bl_relidx_count(x), 1);
	struct bl_asset asset;
	struct bl_error err;
	assert_int_equal(bl_resource_identify(&asset, res, "s.json", 0, &a, &err), 0);
	struct bl_eval ev;
	bl_eval_init(&ev);
	struct bl_results out = {0};
	uint32_t ctrl[] = {0, 1};
	assert_int_equal(bl_evaluate_asset_rel(t.b, ctrl, 2, &asset, NULL, x, &ev, &a, &out), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.items[0].status, BL_PASS);
	assert_int_equal(out.items[1].status, BL_NA);
	assert_string_equal(out.items[1].message, "not applicable: manual policy");
	bl_results_free(&out);
	bl_eval_fini(&ev);
	bl_relidx_free(x);
	bl_arena_free(&a);
	et_free(&t);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The first pass reads files and folders in every shape the engine reads. */
static void test_scan(void **state)
{
	(void)state;
	char dir[] = "/tmp/bl-related-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p1[256], p2[256], p3[256], sub[256];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(p1, sizeof(p1), "%s/a.json", dir);
	snprintf(p2, sizeof(p2), "%s/sub/b.yaml", dir);
	snprintf(p3, sizeof(p3), "%s/sub/c.json", dir);
	write_file(p1, "{\"value\": [{\"id\": \"/x/providers/Microsoft.Insights/diagnosticSettings/a\","
		       " \"type\": \"Microsoft.Insights/diagnosticSettings\"}, {\"id\": \"/y\", \"type\": \"Other/t\"}]}");
	write_file(p2, "id: /x/providers/Microsoft.Insights/diagnosticSettings/b\n"
		       "type: Microsoft.Insights/diagnosticSettings\n---\nid: /z\ntype: Other/t\n");
	write_file(p3, "{\"broken\": ");   /* skipped here, reported by the evaluation pass */
	struct et t;
	et_load(&t, "baseline: e\nversion: 1.0.0\ncontrols:\n"
		    "  - {id: D, title: t, severity: low, related: {type: Microsoft.Insights/diagnosticSettings}}\n");
	struct bl_relidx *x = NULL;
	assert_int_equal(bl_relidx_new(&x, t.b), 0);
	struct bl_error err;
	const char *paths[] = {dir};
	assert_int_equal(bl_relidx_scan(x, paths, 1, 0, &err), 0);
	assert_int_equal(bl_relidx_count(x), 2);
	bl_relidx_free(x);
	et_free(&t);
	unlink(p1);
	unlink(p2);
	unlink(p3);
	rmdir(sub);
	rmdir(dir);
}

/* stdin is copied to a seekable file, read by the first pass, rewound. */
static void test_spool_stdin(void **state)
{
	(void)state;
	int saved = dup(0);
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	const char *text = "[{\"id\": \"/x/providers/Microsoft.Insights/diagnosticSettings/a\","
			   " \"type\": \"Microsoft.Insights/diagnosticSettings\"}]";
	assert_int_equal(write(pfd[1], text, strlen(text)), (ssize_t)strlen(text));
	close(pfd[1]);
	assert_int_equal(dup2(pfd[0], 0), 0);
	close(pfd[0]);
	int fd = -1;
	struct bl_error err;
	assert_int_equal(bl_relidx_spool(&fd, &err), 0);
	dup2(saved, 0);
	close(saved);
	assert_true(fd > 0);
	struct et t;
	et_load(&t, "baseline: e\nversion: 1.0.0\ncontrols:\n"
		    "  - {id: D, title: t, severity: low, related: {type: Microsoft.Insights/diagnosticSettings}}\n");
	struct bl_relidx *x = NULL;
	assert_int_equal(bl_relidx_new(&x, t.b), 0);
	const char *paths[] = {"-"};
	assert_int_equal(bl_relidx_scan(x, paths, 1, fd, &err), 0);
	assert_int_equal(bl_relidx_count(x), 1);
	/* rewound for the evaluation pass: the same bytes again */
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, (ssize_t)strlen(text));
	assert_memory_equal(buf, text, strlen(text));
	close(fd);
	bl_relidx_free(x);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_extension_present_absent_failing),
		cmocka_unit_test(test_child_by_name),
		cmocka_unit_test(test_resource_group_and_subscription),
		cmocka_unit_test(test_errors_never_pass),
		cmocka_unit_test(test_evaluate_asset),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_spool_stdin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
