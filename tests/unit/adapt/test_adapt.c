/*
 * test_adapt.c - the record dispatch of adapt.c: a record is offered to an
 * adapter only when the top-level keys that adapter looks for are there,
 * matched ignoring ASCII case as the adapters' own lookups match them, and
 * a record with none of them is a resource itself.
 */
#include "testutil.h"

#include "adapt/adapt.h"

struct run {
	struct bl_arena a;
	struct bl_adapted ad;
	struct bl_error err;
	int rc;
};

static void adapt_text(struct run *r, const char *json)
{
	memset(r, 0, sizeof(*r));
	bl_arena_init(&r->a, 0);
	r->ad.arena = &r->a;
	r->rc = bl_adapt_record(tu_json(&r->a, json), "x.json", &r->ad, &r->err);
}

static void done(struct run *r)
{
	bl_arena_free(&r->a);
}

struct row {
	const char *json;
	int rc;       /* 1 = adapted, 0 = a resource itself, -1 = adapted but malformed */
	size_t n;     /* resources when rc == 1 */
};

static const struct row ROWS[] = {
	/* ordinary resources, including ones holding some of the markers */
	{"{\"id\":\"a\",\"type\":\"T\",\"name\":\"n\"}", 0, 0},
	{"{}", 0, 0},
	{"{\"id\":\"a\",\"kind\":\"StorageV2\",\"apiVersion\":\"2023-01-01\"}", 0, 0},
	{"{\"kind\":\"PodList\",\"items\":[{\"id\":1}]}", 0, 0},              /* no apiVersion */
	{"{\"kind\":\"PodList\",\"apiVersion\":\"v1\"}", 0, 0},                 /* no items */
	{"{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"items\":[{\"id\":1}]}", 0, 0}, /* not a List */
	{"{\"format_version\":\"1.2\",\"id\":\"x\"}", 0, 0},                 /* nothing of a plan */
	{"{\"values\":{\"root_module\":{}},\"id\":\"x\"}", 0, 0},            /* no format_version */
	{"{\"format_version\":1,\"values\":{\"root_module\":{}}}", 0, 0},    /* not a string */
	{"{\"tenant_id\":\"t\",\"id\":\"x\"}", 0, 0},                        /* no ScubaGear key */
	{"{\"$schema\":\"https://example.com/other.json\",\"resources\":[]}", 0, 0},
	{"{\"formatversion\":\"1.2\",\"values\":{\"root_module\":{}}}", 0, 0}, /* other spelling */
	/* the shapes, with their keys in any case */
	{"{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"id\":1},{\"id\":2}]}", 1, 2},
	{"{\"KIND\":\"PodList\",\"ApiVersion\":\"v1\",\"Items\":[{\"id\":1}]}", 1, 1},
	{"{\"format_version\":\"1.2\",\"values\":{\"root_module\":{}}}", 1, 0},
	{"{\"Format_Version\":\"1.2\",\"TERRAFORM_VERSION\":\"1.5.0\"}", 1, 0},
	{"{\"format_version\":\"1.2\",\"Planned_Values\":{\"root_module\":{}}}", 1, 0},
	{"{\"format_version\":\"1.2\",\"resource_changes\":[]}", 1, 0},
	{"{\"$Schema\":\"https://schema.management.azure.com/schemas/2019-04-01/"
	 "deploymentTemplate.json#\",\"resources\":[]}", 1, 0},
	/* a terraform plan whose resource_changes is malformed: still the adapter's */
	{"{\"format_version\":\"1.2\",\"resource_changes\":5}", -1, 0},
	/* a markerless key of every length up to the longest marker */
	{"{\"a\":1,\"ab\":1,\"abc\":1,\"abcd\":1,\"abcde\":1,\"abcdef\":1,\"abcdefg\":1,"
	 "\"abcdefghijklmnopqrstuvwxyz0123456789\":1,\"\":2}", 0, 0},
};

static void test_dispatch(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
		struct run r;
		adapt_text(&r, ROWS[i].json);
		int got = r.rc > 0 ? 1 : r.rc < 0 ? -1 : 0;
		if (got != ROWS[i].rc || (got == 1 && r.ad.n != ROWS[i].n)) {
			print_error("row %zu: %s -> rc %d, %zu resources; want %d, %zu\n", i,
				    ROWS[i].json, r.rc, r.ad.n, ROWS[i].rc, ROWS[i].n);
			failures++;
		}
		done(&r);
	}
	assert_int_equal(failures, 0);
}

/* ScubaGear is asked only when tenant_id comes with one of its own keys. */
static void test_scubagear_markers(void **state)
{
	(void)state;
	static const char *const keys[] = {
		"environment_creation", "dlp_policies", "tenant_isolation", "environment_list",
		"powerplatform_successful_commands", "POWERPLATFORM_UNSUCCESSFUL_COMMANDS",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char json[200];
		snprintf(json, sizeof(json), "{\"Tenant_Id\":\"t\",\"%s\":[]}", keys[i]);
		struct run r;
		adapt_text(&r, json);
		if (r.rc == 0)
			fail_msg("%s: not offered to the ScubaGear adapter", json);
		done(&r);
	}
}

/* bl_adapt_anchored: one of the four keys every adapter needs, in any case. */
static void test_anchored(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	static const char *const yes[] = {
		"{\"items\":1}", "{\"id\":1,\"ITEMS\":1}", "{\"$Schema\":1}",
		"{\"Tenant_ID\":1}", "{\"a\":1,\"FORMAT_VERSION\":1}",
	};
	static const char *const no[] = {
		"{}", "[1]", "{\"id\":\"a\",\"kind\":\"PodList\",\"apiVersion\":\"v1\"}",
		"{\"itemz\":1,\"$schemaa\":1,\"tenant-id\":1,\"subscriptionId\":1}",
		"{\"values\":1,\"planned_values\":1,\"dlp_policies\":1}",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!bl_adapt_anchored(tu_json(&a, yes[i])))
			fail_msg("%s: not anchored", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (bl_adapt_anchored(tu_json(&a, no[i])))
			fail_msg("%s: anchored", no[i]);
	assert_false(bl_adapt_anchored(NULL));
	bl_arena_free(&a);
}

/* Not an object: never adapted. */
static void test_not_object(void **state)
{
	(void)state;
	struct run r;
	adapt_text(&r, "[{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[]}]");
	assert_int_equal(r.rc, 0);
	done(&r);
	adapt_text(&r, "\"x\"");
	assert_int_equal(r.rc, 0);
	done(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(bl_adapt_record(NULL, "x", &r.ad, &r.err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_scubagear_markers),
		cmocka_unit_test(test_anchored),
		cmocka_unit_test(test_not_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
