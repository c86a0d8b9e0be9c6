/* Unit tests for import/oscal.c: NIST's shared OSCAL files (exact counts and
 * ids), malformed input with exact positions, baseline ids and the skeleton
 * text, which must load as a baseline whose only problems are the missing
 * conditions. */
#include "testutil.h"

#include <unistd.h>

#include "import/oscal.h"
#include "model/baseline.h"

/* Shared data lives next to the repository (../shared/data from the root,
 * where the unit tests run); BASELINE_SHARED_DATA overrides. */
static const char *nist_path(char *buf, size_t size, const char *file)
{
	const char *root = getenv("BASELINE_SHARED_DATA");
	snprintf(buf, size, "%s/oscal/nist-800-53-rev5/%s", root ? root : "../shared/data", file);
	return buf;
}

/* A user's clone has no ../shared: skip, saying so, rather than fail. */
static void need_shared_data(void)
{
	char path[512];
	if (access(nist_path(path, sizeof(path), "NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
		   R_OK) != 0) {
		print_message("skipped: the shared NIST OSCAL data is not at %s "
			      "(set BASELINE_SHARED_DATA)\n", path);
		skip();
	}
}

static struct bl_oscal load_nist(const char *file)
{
	char path[512];
	struct bl_error err;
	struct bl_oscal o;
	int rc = bl_oscal_load(&o, nist_path(path, sizeof(path), file), &err);
	if (rc)
		fail_msg("%s: %s:%u:%u: %s", path, err.file, err.line, err.col, err.msg);
	return o;
}

static ptrdiff_t index_of(const struct bl_oscal *o, const char *id)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->controls[i].id, id) == 0)
			return (ptrdiff_t)i;
	return -1;
}

static void test_nist_profiles(void **state)
{
	(void)state;
	need_shared_data();
	struct bl_oscal low = load_nist("NIST_SP-800-53_rev5_LOW-baseline_profile.json");
	struct bl_oscal mod = load_nist("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
	struct bl_oscal high = load_nist("NIST_SP-800-53_rev5_HIGH-baseline_profile.json");
	assert_true(low.profile && mod.profile && high.profile);
	assert_int_equal(low.n, 149);
	assert_int_equal(mod.n, 287);
	assert_int_equal(high.n, 370);
	assert_string_equal(low.title, "NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE");
	assert_string_equal(low.controls[0].id, "AC-1");
	assert_string_equal(low.controls[0].oscal, "ac-1");
	assert_null(low.controls[0].title);
	assert_string_equal(low.controls[148].id, "SR-12");
	assert_int_equal(index_of(&low, "AT-2(2)"), 13);
	assert_string_equal(low.controls[13].oscal, "at-2.2");
	assert_int_equal(index_of(&low, "AC-2(1)"), -1);
	assert_int_equal(index_of(&mod, "AC-2(1)"), 2);
	assert_true(index_of(&mod, "SC-7(3)") > 0);
	assert_int_equal(index_of(&mod, "AC-2(11)"), -1);
	assert_true(index_of(&high, "AC-2(11)") > 0);
	assert_true(index_of(&high, "SC-8(1)") > 0);
	/* the three profiles nest, and agree with the shipped selections */
	for (size_t i = 0; i < low.n; i++)
		assert_true(index_of(&mod, low.controls[i].id) >= 0);
	for (size_t i = 0; i < mod.n; i++)
		assert_true(index_of(&high, mod.controls[i].id) >= 0);
	bl_oscal_free(&low);
	bl_oscal_free(&mod);
	bl_oscal_free(&high);
}

static void test_nist_catalog(void **state)
{
	(void)state;
	need_shared_data();
	struct bl_oscal cat = load_nist("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json");
	assert_false(cat.profile);
	assert_int_equal(cat.n, 149);
	assert_string_equal(cat.controls[0].id, "AC-1");
	assert_string_equal(cat.controls[0].title, "Policy and Procedures");
	assert_string_equal(cat.controls[1].id, "AC-2");
	assert_string_equal(cat.controls[1].title, "Account Management");
	/* enhancements nested in their control come right after it */
	ptrdiff_t at2 = index_of(&cat, "AT-2");
	assert_true(at2 > 0);
	assert_string_equal(cat.controls[at2 + 1].id, "AT-2(2)");
	assert_string_equal(cat.controls[at2 + 1].title, "Insider Threat");
	ptrdiff_t ia21 = index_of(&cat, "IA-2(1)");
	assert_string_equal(cat.controls[ia21].title, "Multi-factor Authentication to Privileged Accounts");
	assert_string_equal(cat.controls[148].id, "SR-12");
	bl_oscal_free(&cat);
}

/* Expect bl_oscal_read of text to fail at line:col with msg inside. */
static void expect_bad(const char *text, uint32_t line, uint32_t col, const char *msg)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a, text, "in.json");
	struct bl_oscal o;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_oscal_read(&o, doc, &err);
	if (rc != BL_EINVAL || err.line != line || err.col != col || !strstr(err.msg, msg))
		fail_msg("for %s: rc %d at %u:%u: %s (wanted %u:%u: ...%s...)", text, rc, err.line,
			 err.col, err.msg, line, col, msg);
	assert_string_equal(err.file, "in.json");
	bl_oscal_free(&o);
	bl_arena_free(&a);
}

static void test_bad_input(void **state)
{
	(void)state;
	expect_bad("[1, 2]", 1, 1, "not an OSCAL document");
	expect_bad("{\"baseline\": \"x\"}", 1, 2, "unexpected key \"baseline\"");
	expect_bad("{}", 1, 1, "expected an object with a \"catalog\" or \"profile\"");
	expect_bad("{\"catalog\": {}, \"profile\": {}}", 1, 17, "unexpected key \"profile\"");
	expect_bad("{\"catalog\": []}", 1, 13, "OSCAL catalog must be an object, not array");
	expect_bad("{\"catalog\": {\"groups\": {}}}", 1, 24, "\"groups\" must be an array");
	expect_bad("{\"catalog\": {\"groups\": [7]}}", 1, 25, "an OSCAL group must be an object");
	expect_bad("{\"catalog\": {\"groups\": [{\"controls\": [{\"title\": \"t\"}]}]}}", 1, 39,
		   "OSCAL control has no \"id\"");
	expect_bad("{\"catalog\": {\"controls\": [{\"id\": 5}]}}", 1, 34, "\"id\" must be a string");
	expect_bad("{\"catalog\": {\"controls\": [{\"id\": \"ac 1\"}]}}", 1, 34, "cannot be imported");
	expect_bad("{\"catalog\": {\"controls\": [{\"id\": \"ac-1\"},\n {\"id\": \"AC-1\"}]}}", 2, 9,
		   "duplicate OSCAL control id \"AC-1\"");
	expect_bad("{\"catalog\": {\"metadata\": {\"title\": 1}, \"controls\": []}}", 1, 36,
		   "\"title\" must be a string");
	expect_bad("{\"catalog\": {\"metadata\": {}}}", 1, 13, "selects no controls");
	expect_bad("{\"profile\": {}}", 1, 13, "has no \"imports\"");
	expect_bad("{\"profile\": {\"imports\": [{\"include-all\": {}}]}}", 1, 42, "include-all");
	expect_bad("{\"profile\": {\"imports\": [{\"include-controls\": [{\"matching\": []}]}]}}", 1, 61,
		   "matching");
	expect_bad("{\"profile\": {\"imports\": [{\"include-controls\": [{\"with-ids\": [\"ac-1\", 2]}]}]}}",
		   1, 70, "with-ids entries must be strings");
	expect_bad("{\"profile\": {\"imports\": [{\"include-controls\": [{}]}]}}", 1, 48, "no \"with-ids\"");
	/* YAML positions too */
	expect_bad("profile:\n  imports:\n    - include-controls:\n        - with-ids: [ac-1, [x]]\n",
		   4, 28, "with-ids entries must be strings");
}

static void test_profile_rules(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* duplicates across imports collapse; excludes apply after all includes */
	const struct bl_value *doc = tu_doc(&a,
		"{\"$schema\": \"x\", \"profile\": {\"metadata\": {\"title\": \"P\"}, \"imports\": ["
		"{\"include-controls\": [{\"with-ids\": [\"ac-1\", \"ac-2\", \"ac-2.1\"]}],"
		" \"exclude-controls\": [{\"with-ids\": [\"ac-2.1\", \"zz-9\"]}]},"
		"{\"include-controls\": [{\"with-ids\": [\"AC-1\", \"sc-7\", \"ac-2.1\"]}]}]}}", "p.json");
	struct bl_oscal o;
	struct bl_error err;
	assert_int_equal(bl_oscal_read(&o, doc, &err), 0);
	assert_true(o.profile);
	assert_string_equal(o.title, "P");
	assert_int_equal(o.n, 3);
	assert_string_equal(o.controls[0].id, "AC-1");
	assert_string_equal(o.controls[1].id, "AC-2");
	assert_string_equal(o.controls[2].id, "SC-7");
	bl_oscal_free(&o);
	/* everything excluded */
	doc = tu_doc(&a, "{\"profile\": {\"imports\": [{\"include-controls\": [{\"with-ids\": [\"ac-1\"]}],"
			 " \"exclude-controls\": [{\"with-ids\": [\"ac-1\"]}]}]}}", "q.json");
	assert_int_equal(bl_oscal_read(&o, doc, &err), BL_EINVAL);
	assert_string_equal(err.msg, "OSCAL profile selects no controls");
	bl_oscal_free(&o);
	bl_arena_free(&a);
}

static void test_load_errors(void **state)
{
	(void)state;
	struct bl_oscal o;
	struct bl_error err;
	assert_int_equal(bl_oscal_load(&o, "/nonexistent/x.json", &err), BL_EIO);
	bl_oscal_free(&o);
	/* a JSON syntax error keeps the parser's position */
	char path[] = "/tmp/test_oscal_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("{\"catalog\": {\n  \"controls\": [,]}}\n", f);
	fclose(f);
	assert_int_equal(bl_oscal_load(&o, path, &err), BL_EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 16);
	bl_oscal_free(&o);
	remove(path);
}

static void test_baseline_id(void **state)
{
	(void)state;
	char id[64];
	bl_oscal_baseline_id(id, sizeof(id), "/x/y/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
	assert_string_equal(id, "nist-sp-800-53-rev5-moderate-baseline-profile");
	bl_oscal_baseline_id(id, sizeof(id), "cat.v1.2.json");
	assert_string_equal(id, "cat.v1.2");
	bl_oscal_baseline_id(id, sizeof(id), "__A  b__.yaml");
	assert_string_equal(id, "a-b");
	bl_oscal_baseline_id(id, sizeof(id), "dir/.json");
	assert_string_equal(id, "json");
	bl_oscal_baseline_id(id, sizeof(id), "___.json");
	assert_string_equal(id, "oscal-import");
	bl_oscal_baseline_id(id, sizeof(id), "");
	assert_string_equal(id, "oscal-import");
	bl_oscal_baseline_id(id, 16, "abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(id, "abcdefghijklmno");
}

static const char *expected_yaml =
	"# Baseline skeleton imported from the OSCAL catalog c.json\n"
	"# by `baseline import oscal`: 3 controls, each mapped to nist-800-53-r5.\n"
	"#\n"
	"# No control has a condition yet: give each one an `expect` (what compliant\n"
	"# looks like) or a `violation`, and review its severity.  Until then\n"
	"# `baseline lint` reports every control as incomplete (\"control needs\n"
	"# exactly one of expect or violation\").\n"
	"baseline: \"c\"\n"
	"version: 0.1.0\n"
	"title: \"My \\\"catalog\\\"\"\n"
	"controls:\n"
	"  - id: \"NIST-AC-2\"\n"
	"    title: \"Account: management\"\n"
	"    severity: medium\n"
	"    maps: {nist-800-53-r5: [\"AC-2\"]}\n"
	"  - id: \"NIST-AC-2.1\"\n"
	"    title: \"NIST SP 800-53 AC-2(1)\"\n"
	"    severity: medium\n"
	"    maps: {nist-800-53-r5: [\"AC-2(1)\"]}\n"
	"  - id: \"NIST-IA-2.1\"\n"
	"    title: \"Multi-factor Authentication to Privileged Accounts\"\n"
	"    severity: medium\n"
	"    maps: {nist-800-53-r5: [\"IA-2(1)\"]}\n";

static void test_write(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* AC-2 has a title here; AC-2(1) and IA-2(1) have none, and only IA-2(1)
	 * has one in the shipped catalog */
	const struct bl_value *doc = tu_doc(&a,
		"{\"catalog\": {\"metadata\": {\"title\": \"My \\\"catalog\\\"\"}, \"groups\": [{\"controls\": ["
		"{\"id\": \"ac-2\", \"title\": \"Account: management\", \"controls\": [{\"id\": \"ac-2.1\"}]},"
		"{\"id\": \"ia-2.1\"}]}]}}", "c.json");
	struct bl_oscal o;
	struct bl_error err;
	assert_int_equal(bl_oscal_read(&o, doc, &err), 0);
	struct bl_catalogs cats;
	assert_int_equal(bl_catalogs_load(&cats, &err), 0);
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	assert_int_equal(bl_oscal_write_baseline(&buf, &o, "c", "c.json", &cats), 0);
	assert_string_equal(buf.data, expected_yaml);

	/* the skeleton is a baseline whose only problems are the 3 missing conditions */
	const struct bl_value *b = tu_doc(&a, buf.data, "out.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *bl = NULL;
	assert_int_equal(bl_baseline_from_doc(&bl, b, &d), BL_EINVAL);
	assert_int_equal(d.n, 3);
	static const uint32_t lines[3] = {12, 16, 20};
	for (size_t i = 0; i < d.n; i++) {
		assert_string_equal(d.items[i].msg, "control needs exactly one of expect or violation (neither is given)");
		assert_int_equal(d.items[i].line, lines[i]);
		assert_int_equal(d.items[i].col, 5);
	}
	bl_diags_free(&d);

	/* without catalogs every title-less control gets the fallback title */
	bl_buf_reset(&buf);
	assert_int_equal(bl_oscal_write_baseline(&buf, &o, "c", "c.json", NULL), 0);
	assert_non_null(strstr(buf.data, "title: \"NIST SP 800-53 IA-2(1)\""));
	bl_buf_free(&buf);
	bl_catalogs_free(&cats);
	bl_oscal_free(&o);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_profiles),
		cmocka_unit_test(test_nist_catalog),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_profile_rules),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_baseline_id),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
