/*
 * test_baseline_hash.c - the document hash is stored and compared across
 * runs, so its digests are pinned here (computed by the writer before it
 * escaped ASCII strings in place): the fixtures, and a document whose
 * strings hold escapes, non-ASCII text, U+2028/U+2029 and an astral
 * character, in keys and values, short and longer than one 32-byte block.
 */
#include "testutil.h"

#include "model/baseline.h"
#include "baseline_diags.h"

static void expect_sha(const char *path, const char *hex)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_load(&b, path, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(b->sha256, hex);
	bl_baseline_free(b);
	bl_diags_free(&d);
}

static void test_fixture_digests(void **state)
{
	(void)state;
	const char *full = "9d830505b4333f914fa26c8124dd5eb362be3bf5bf2f09d1f52e23f9774133d3";
	expect_sha("tests/fixtures/baselines/valid-full.yaml", full);
	expect_sha("tests/fixtures/baselines/valid-full.json", full);
	expect_sha("tests/fixtures/baselines/valid-minimal.yaml",
		   "2e90528e04512a94b1a08e1d45f4b13c0112f144400d21a4176fd0bfd0a5fbe1");
}

static void test_escaped_and_non_ascii_digest(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a,
		"baseline: hash-pin\n"
		"version: 0.1.0\n"
		"title: \"caf\\u00e9 \\u2028 line \\t tab \\\"q\\\" back\\\\slash \\U0001F600 "
		"and a title longer than thirty-two bytes\"\n"
		"controls:\n"
		"  - id: LNX-01\n"
		"    title: \"Root login over SSH is off \\u2029 ctl \\u0001\"\n"
		"    severity: critical\n"
		"    expect: {field: sshd.permitrootlogin, equals: \"no \\u00e9\"}\n",
		"pin.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(b->sha256,
			    "5244bb51440bc4eb40f5962a10f3e932af8fbca2435eba16a61e6be5a04b723f");
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_digests),
		cmocka_unit_test(test_escaped_and_non_ascii_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
