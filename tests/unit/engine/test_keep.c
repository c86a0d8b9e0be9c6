/*
 * test_keep.c - the keep set of a run (engine/keep.c): the controls' paths,
 * the inventory rules' paths and the keys the engine reads itself are kept;
 * a related control or a run-time expression turns the selective parse off;
 * adapter containers are recognised; and a whole assessment gives the same
 * results as before on documents full of members nobody reads, including a
 * Kubernetes List record (parsed again in full for its adapter).
 */
#include "enginetest.h"

#include <unistd.h>

#include "engine/engine.h"
#include "engine/keep.h"
#include "model/inventory.h"

static const char *BASE =
	"baseline: k\nversion: 1.0.0\ncontrols:\n"
	"  - {id: C1, title: c, severity: high, expect: {field: properties.ok, equals: true}}\n"
	"  - {id: C2, title: c, severity: low, applies: {field: properties.kind2, exists: true},"
	" expect: {field: \"properties.list[*].v\", less: 3}}\n";

/* Is path (keys separated by '.') a chain of the keep set, and is its end
 * kept whole? */
static bool kept(struct bl_json_keep *k, const char *path, bool *whole)
{
	uint32_t node = 0;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		/* bl_json_keep_child adds what is missing: count nodes to tell */
		uint32_t before = 0, probe;
		assert_int_equal(bl_json_keep_child(k, node, "\x01probe", 6, &before), 0);
		assert_int_equal(bl_json_keep_child(k, node, path, len, &probe), 0);
		if (probe > before)
			return false;  /* it was just added: not there before */
		node = probe;
		if (!dot)
			break;
		path = dot + 1;
	}
	*whole = bl_json_keep_is_all(k, node);
	return true;
}

static void test_build(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, BASE);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_inventory *inv = NULL;
	assert_int_equal(bl_inventory_from_doc(&inv, tu_doc(&a,
		"inventory: i\ndefaults: {tier: 3}\nclassify:\n"
		"  - when: {field: properties.crown, equals: true}\n    set: {tier: 1}\n", "inv.yaml"),
		&d), 0);
	struct bl_assess_opts o = {.inventory = inv};
	struct bl_json_keep *k = NULL;
	assert_int_equal(bl_keep_build(&k, t.b, &o), 0);
	assert_non_null(k);
	bool whole = false;
	static const char *const whole_keys[] = {
		"id", "type", "name", "apiVersion", "kind", "location", "tags", "resourceGroup",
		"subscriptionId", "metadata.uid", "metadata.name", "items", "$schema",
		"format_version", "tenant_id", "properties.ok", "properties.kind2",
		"properties.list.v", "properties.crown",
	};
	for (size_t i = 0; i < sizeof(whole_keys) / sizeof(whole_keys[0]); i++) {
		if (!kept(k, whole_keys[i], &whole) || !whole)
			fail_msg("%s is not kept whole", whole_keys[i]);
	}
	assert_true(kept(k, "properties", &whole));
	assert_false(whole);
	assert_false(kept(k, "properties.other", &whole));
	bl_json_keep_free(k);
	bl_inventory_free(inv);
	bl_diags_free(&d);
	bl_arena_free(&a);
	et_free(&t);
}

static void test_full_parse_cases(void **state)
{
	(void)state;
	static const char *const bases[] = {
		"baseline: k\nversion: 1.0.0\ncontrols:\n"
		"  - {id: C1, title: c, severity: high, expect: {value: \"[field('a')]\", equals: 1}}\n",
		"baseline: k\nversion: 1.0.0\ncontrols:\n"
		"  - id: R\n    title: t\n    severity: low\n"
		"    related: {type: Microsoft.Insights/diagnosticSettings}\n",
	};
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct et t;
		et_load(&t, bases[i]);
		struct bl_json_keep *k = (struct bl_json_keep *)1;
		assert_int_equal(bl_keep_build(&k, t.b, NULL), 0);
		assert_null(k);
		et_free(&t);
	}
}

static void test_needs_full(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	assert_false(bl_keep_needs_full(tu_json(&a, "{\"id\": 1, \"kind\": \"List\"}")));
	assert_true(bl_keep_needs_full(tu_json(&a, "{\"ITEMS\": []}")));
	assert_true(bl_keep_needs_full(tu_json(&a, "{\"$schema\": 1}")));
	assert_true(bl_keep_needs_full(tu_json(&a, "{\"Format_Version\": \"1\"}")));
	assert_true(bl_keep_needs_full(tu_json(&a, "{\"tenant_id\": \"t\"}")));
	/* keys of a marker's length that are not one; a key past 64 bytes */
	assert_false(bl_keep_needs_full(tu_json(&a, "{\"subscriptionId\": 1, \"$schemb\": 1, "
							"\"itemz\": 1, \"tenant_ix\": 1}")));
	assert_false(bl_keep_needs_full(tu_json(&a, "{\"format_version_and_then_some_more_"
							"bytes_to_pass_sixty_four_of_them_x\": 1}")));
	assert_true(bl_keep_needs_full(tu_json(&a, "{\"id\": \"x\", \"type\": \"T\", \"TENANT_ID\": 1}")));
	assert_false(bl_keep_needs_full(tu_json(&a, "[1]")));
	assert_false(bl_keep_needs_full(NULL));
	bl_arena_free(&a);
}

/* Collect "control asset status message" lines. */
struct col {
	char buf[8192];
	size_t n;
};

static int collect(void *ctx, const struct bl_result *r)
{
	struct col *c = ctx;
	int w = snprintf(c->buf + c->n, sizeof(c->buf) - c->n, "%s %s %s %s\n", r->control->id,
			 r->asset->id, bl_status_name(r->status), r->message ? r->message : "");
	if (w > 0 && (size_t)w < sizeof(c->buf) - c->n)
		c->n += (size_t)w;
	return 0;
}

static void test_assess_selective(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, BASE);
	char path[] = "/tmp/bl-test-keep-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char snap[] =
		"{\"id\": \"r1\", \"type\": \"T\", \"noise\": {\"a\": [1, {\"b\": \"\\u00e9\"}]}, "
		"\"properties\": {\"ok\": true, \"junk\": [[[]]], \"kind2\": 1, \"list\": [{\"v\": 1, \"w\": 9}]}}\n"
		"{\"id\": \"r2\", \"Properties\": {\"OK\": \"false\", \"List\": [{\"V\": 5}], \"Kind2\": null}}\n"
		"{\"kind\": \"List\", \"apiVersion\": \"v1\", \"items\": [{\"metadata\": {\"uid\": \"u1\"}, "
		"\"properties\": {\"ok\": true}}]}\n";
	assert_true(write(fd, snap, sizeof(snap) - 1) == (ssize_t)(sizeof(snap) - 1));
	close(fd);
	struct col c = {.n = 0};
	struct bl_sink sink = {.result = collect, .ctx = &c};
	struct bl_run_stats st;
	assert_int_equal(bl_run_stats_init(&st, t.b), 0);
	struct bl_assess_opts o = {.threads = 1};
	struct bl_error err;
	const char *paths[] = {path};
	assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
	assert_string_equal(c.buf,
		"C1 r1 pass compliant\n"
		"C2 r1 pass compliant\n"
		"C1 r2 fail properties.ok is \"false\"; expected equals true\n"
		"C2 r2 fail properties.list[0].v is 5; expected less 3\n"
		"C1 u1 pass compliant\n"
		"C2 u1 not_applicable not applicable: the applies condition does not hold\n");
	bl_run_stats_free(&st);
	unlink(path);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_full_parse_cases),
		cmocka_unit_test(test_needs_full),
		cmocka_unit_test(test_assess_selective),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
