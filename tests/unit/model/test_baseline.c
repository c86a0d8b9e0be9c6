/*
 * test_baseline.c - baseline documents: the fields read from valid fixtures
 * (YAML and JSON), the exact diagnostics of invalid ones, the document hash
 * and builtin lookups.
 */
#include "testutil.h"

#include <sodium.h>

#include "model/baseline.h"
#include "model/content.h"
#include "baseline_diags.h"

/* ---- helpers ------------------------------------------------------------ */

static struct bl_baseline *load_ok(const char *path)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_load(&b, path, &d);
	if (rc != 0 || d.n != 0) {
		for (size_t i = 0; i < d.n; i++)
			print_message("%s:%u:%u: %s\n", d.items[i].file ? d.items[i].file : "",
				      d.items[i].line, d.items[i].col, d.items[i].msg);
		bl_diags_free(&d);
		fail_msg("%s: rc %d", path, rc);
	}
	bl_diags_free(&d);
	assert_non_null(b);
	return b;
}

/* ---- valid documents ------------------------------------------------------ */

static void check_full(const struct bl_baseline *b, const char *path)
{
	assert_string_equal(b->id, "contoso-cloud");
	assert_string_equal(b->version, "1.3.0-rc.1+build.7");
	assert_string_equal(b->title, "Contoso cloud baseline");
	assert_string_equal(b->file, path);
	assert_non_null(b->doc);
	assert_non_null(b->parameters);
	assert_int_equal(b->parameters->type, BL_VOBJ);
	assert_int_equal(b->parameters->u.obj.n, 3);
	assert_int_equal(b->ncontrols, 3);

	const struct bl_control *c = &b->controls[0];
	assert_string_equal(c->id, "AZ-ST-01");
	assert_string_equal(c->title, "Storage accounts accept HTTPS only");
	assert_int_equal(c->severity, BL_SEV_HIGH);
	assert_string_equal(c->category, "data");
	assert_int_equal(c->effect, BL_EFFECT_DENY);
	assert_int_equal(c->nmaps, 3);
	assert_string_equal(c->maps[0].framework, "mcsb-v1");
	assert_int_equal(c->maps[0].nids, 1);
	assert_string_equal(c->maps[0].ids[0], "DP-3");
	assert_string_equal(c->maps[1].framework, "nist-800-53-r5");
	assert_int_equal(c->maps[1].nids, 2);
	assert_string_equal(c->maps[1].ids[0], "SC-8");
	assert_string_equal(c->maps[1].ids[1], "SC-8(1)");
	assert_string_equal(c->maps[2].framework, "cis-v8");
	assert_string_equal(c->maps[2].ids[0], "3.10");
	assert_int_equal(c->ntypes, 1);
	assert_string_equal(c->types[0], "Microsoft.Storage/storageAccounts");
	assert_int_equal(c->ntiers, 2);
	assert_int_equal(c->tiers[0], 1);
	assert_int_equal(c->tiers[1], 2);
	assert_int_equal(c->nenvironments, 1);
	assert_string_equal(c->environments[0], "production");
	assert_non_null(c->applies);
	assert_non_null(c->cond);
	assert_false(c->violation);
	struct bl_arena ta;
	bl_arena_init(&ta, 0);
	assert_string_equal(bl_control_cond_text(c, &ta), "properties.supportsHttpsTrafficOnly equals true");
	bl_arena_free(&ta);
	assert_string_equal(c->rationale, "Traffic in clear text can be read and changed on the way.");
	assert_string_equal(c->remediation, "Set supportsHttpsTrafficOnly to true.");
	assert_int_equal(c->nreferences, 1);
	assert_string_equal(c->references[0],
			    "https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer");
	assert_string_equal(c->file, path);
	assert_int_equal(c->index, 0);

	c = &b->controls[1];
	assert_string_equal(c->id, "AZ-ST-02");
	assert_int_equal(c->severity, BL_SEV_MEDIUM);   /* written "Medium" */
	assert_int_equal(c->effect, BL_EFFECT_AUDIT);   /* the default */
	assert_null(c->category);
	assert_null(c->applies);
	assert_non_null(c->cond);
	assert_true(c->violation);
	assert_int_equal(c->nmaps, 0);
	assert_int_equal(c->ntypes, 0);
	assert_int_equal(c->ntiers, 0);
	assert_null(c->rationale);
	assert_int_equal(c->index, 1);

	c = &b->controls[2];
	assert_string_equal(c->id, "AZ:KV.03_b");
	assert_int_equal(c->severity, BL_SEV_INFO);
	assert_int_equal(c->effect, BL_EFFECT_DISABLED);  /* kept, the engine skips it */
	assert_non_null(c->cond);
	assert_int_equal(c->ntypes, 1);
	assert_string_equal(c->types[0], "Microsoft.KeyVault/*");

	assert_ptr_equal(bl_baseline_control(b, "AZ-ST-02"), &b->controls[1]);
	assert_null(bl_baseline_control(b, "az-st-02"));   /* exact match only */
	assert_null(bl_baseline_control(b, "AZ-ST-99"));
}

static void test_full_yaml(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(FIX "valid-full.yaml");
	check_full(b, FIX "valid-full.yaml");
	/* Block-sequence items start at their first key. */
	assert_int_equal(b->controls[0].line, 9);
	assert_int_equal(b->controls[0].col, 5);
	assert_int_equal(b->controls[2].line, 28);
	/* the catalogs that checked the mapped ids stay with the baseline */
	assert_non_null(b->catalogs);
	const struct bl_catalog *nist = bl_catalog_find(b->catalogs, "nist-800-53-r5");
	assert_non_null(nist);
	assert_non_null(bl_catalog_entry(nist, "SC-8(1)"));
	bl_baseline_free(b);
}

static void test_full_json(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(FIX "valid-full.json");
	check_full(b, FIX "valid-full.json");
	assert_int_equal(b->controls[0].line, 11);
	assert_int_equal(b->controls[0].col, 5);
	bl_baseline_free(b);
}

static void test_minimal(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(FIX "valid-minimal.yaml");
	assert_string_equal(b->id, "minimal");
	assert_string_equal(b->version, "0.1.0");
	assert_null(b->title);
	assert_null(b->parameters);
	assert_int_equal(b->ncontrols, 1);
	const struct bl_control *c = &b->controls[0];
	assert_string_equal(c->id, "LNX-01");
	assert_int_equal(c->severity, BL_SEV_CRITICAL);
	assert_int_equal(c->effect, BL_EFFECT_AUDIT);
	assert_false(c->violation);
	assert_null(c->references);
	assert_int_equal(c->nreferences, 0);
	assert_int_equal(c->line, 6);
	assert_int_equal(c->col, 5);
	assert_null(b->catalogs);   /* nothing mapped: nothing loaded */
	bl_baseline_free(b);
}

/* ---- the document hash --------------------------------------------------- */

static void test_sha256_yaml_equals_json(void **state)
{
	(void)state;
	struct bl_baseline *y = load_ok(FIX "valid-full.yaml");
	struct bl_baseline *j = load_ok(FIX "valid-full.json");
	struct bl_baseline *m = load_ok(FIX "valid-minimal.yaml");
	assert_int_equal(strlen(y->sha256), 64);
	assert_int_equal(strspn(y->sha256, "0123456789abcdef"), 64);
	assert_string_equal(y->sha256, j->sha256);
	assert_string_not_equal(y->sha256, m->sha256);

	/* As documented: SHA-256 of the compact JSON of the document. */
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	assert_int_equal(bl_json_write(&buf, y->doc, 0), 0);
	assert_non_null(strstr(buf.data, "{\"baseline\":\"contoso-cloud\",\"version\":"));
	unsigned char md[crypto_hash_sha256_BYTES];
	char hex[65];
	crypto_hash_sha256(md, (const unsigned char *)buf.data, buf.len);
	sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
	assert_string_equal(hex, y->sha256);
	bl_buf_free(&buf);

	bl_baseline_free(y);
	bl_baseline_free(j);
	bl_baseline_free(m);
}

/* ---- from_doc --------------------------------------------------------------- */

static void test_from_doc(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a,
		"baseline: inline\n"
		"version: 10.20.30\n"
		"controls:\n"
		"  - {id: X-1, title: t, severity: LOW, effect: Audit, expect: {field: a, exists: true}}\n",
		"inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(b->id, "inline");
	assert_string_equal(b->version, "10.20.30");
	assert_string_equal(b->file, "inline.yaml");
	assert_ptr_equal(b->doc, doc);
	assert_int_equal(b->controls[0].severity, BL_SEV_LOW);
	assert_int_equal(b->controls[0].effect, BL_EFFECT_AUDIT);
	assert_int_equal(b->controls[0].line, 4);
	assert_int_equal(b->controls[0].col, 5);
	bl_baseline_free(b);

	/* A null document (an empty file) is not a baseline. */
	const struct bl_value *empty = tu_doc(&a, "", "empty.yaml");
	b = (struct bl_baseline *)1;
	assert_int_equal(bl_baseline_from_doc(&b, empty, &d), BL_EINVAL);
	assert_null(b);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 1);
	assert_string_equal(d.items[0].msg,
			    "not a baseline: the document must be a mapping that starts with \"baseline: ID\", not null");
	bl_diags_free(&d);
	bl_arena_free(&a);
}

/* Versions: semver.org's MAJOR.MINOR.PATCH[-pre][+build]. */
static void test_versions(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		bool ok;
	} cases[] = {
		{"0.0.0", true}, {"1.2.3-alpha.1", true}, {"1.2.3+20260101", true},
		{"1.2.3-rc.1+b.2", true}, {"\"1.3\"", false}, {"1.2.3.4", false},
		{"01.2.3", false}, {"1.2.3-", false}, {"1.2.3+", false}, {"v1.2.3", false},
		{"1.2.3-a..b", false}, {"1", false}, {"\"\"", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bl_arena a;
		bl_arena_init(&a, 0);
		char *text = bl_arena_printf(&a,
			"baseline: v\nversion: %s\ncontrols: []\n", cases[i].v);
		const struct bl_value *doc = tu_doc(&a, text, "v.yaml");
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_baseline *b = NULL;
		int rc = bl_baseline_from_doc(&b, doc, &d);
		if ((rc == 0) != cases[i].ok)
			fail_msg("version %s: rc %d", cases[i].v, rc);
		if (!cases[i].ok) {
			assert_int_equal(d.n, 1);
			assert_int_equal(d.items[0].line, 2);
			assert_int_equal(d.items[0].col, 10);
			assert_non_null(strstr(d.items[0].msg, "version must be MAJOR.MINOR.PATCH"));
		}
		bl_baseline_free(b);
		bl_diags_free(&d);
		bl_arena_free(&a);
	}
}

/* Inline documents for the cases that need no fixture file. */
static void expect_inline(const char *text, const char *want)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a, text, "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), BL_EINVAL);
	assert_null(b);
	char got[1024] = "";
	if (d.n == 1)
		snprintf(got, sizeof(got), "%u:%u: %s", d.items[0].line, d.items[0].col, d.items[0].msg);
	else
		print_message("%zu diags\n", d.n);
	assert_int_equal(d.n, 1);
	assert_string_equal(got, want);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_invalid_inline(void **state)
{
	(void)state;
	/* A YAML number as a control id: quote it, like framework ids. */
	expect_inline("baseline: x\nversion: 1.0.0\ncontrols:\n"
		      "  - {id: 1.10, title: t, severity: low, expect: {field: a, exists: true}}\n",
		      "4:10: control id 1.10 is a number: write it as a quoted string (\"1.10\")");
	/* extends of the wrong type is reported at the value. */
	expect_inline("baseline: x\nversion: 1.0.0\nextends: 42\ncontrols: []\n",
		      "3:10: extends must be an array, not an integer");
	/* controls of the wrong type */
	expect_inline("baseline: x\nversion: 1.0.0\ncontrols: {id: a}\n",
		      "3:11: controls must be an array, not an object");
	/* a parameter of type number accepts a non-integer default; object must be an object */
	expect_inline("baseline: x\nversion: 1.0.0\nparameters:\n"
		      "  ratio: {type: Number, default: 0.5}\n"
		      "  tags: {type: object, default: [a]}\ncontrols: []\n",
		      "5:33: default of parameter \"tags\" must be an object to match its type, not an array");
}

/* ---- invalid documents: every problem, each at its place ----------------- */

static void test_invalid_top(void **state)
{
	(void)state;
	EXPECT_DIAGS(FIX "invalid-top.yaml",
		"1:11: baseline id \"Contoso Cloud\" is invalid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
		"2:10: version must be MAJOR.MINOR.PATCH (optionally -pre or +build), not \"1.3\"",
		"3:8: title must be a string, not an array",
		"4:11: extends: cannot read \"tests/fixtures/baselines/missing-parent.yaml\": No such file or directory",
		"7:1: unknown key \"Controls\" in baseline (did you mean \"controls\"?)",
		"8:1: unknown key \"owner\" in baseline");
}

static void test_invalid_json(void **state)
{
	(void)state;
	/* A JSON 1.3 is a number node; "Deny" is accepted (Azure spells effects so). */
	EXPECT_DIAGS(FIX "invalid-version.json",
		"1:41: version must be MAJOR.MINOR.PATCH (optionally -pre or +build), not \"1.3\"",
		"4:10: duplicate control id \"J-1\" (first defined at line 2)");
	EXPECT_DIAGS(FIX "invalid-empty-map.json",
		"1:1: baseline is missing required key \"baseline\"",
		"1:1: baseline is missing required key \"version\"",
		"1:1: baseline is missing required key \"controls\"");
}

static void test_not_a_baseline(void **state)
{
	(void)state;
	EXPECT_DIAGS(FIX "not-a-baseline-inventory.yaml",
		"1:1: not a baseline (an inventory document)");
	EXPECT_DIAGS(FIX "not-a-baseline-exceptions.yaml",
		"1:1: not a baseline (an exception document)");
	EXPECT_DIAGS(FIX "not-a-mapping.yaml",
		"1:1: not a baseline: the document must be a mapping that starts with \"baseline: ID\", not an array");
}

/* ---- loading ----------------------------------------------------------------- */

static void test_builtin_unknown(void **state)
{
	(void)state;
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = (struct bl_baseline *)1;
	assert_int_equal(bl_baseline_load(&b, "builtin:no-such-baseline", &d), BL_EIO);
	assert_null(b);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].file, "builtin:no-such-baseline");
	assert_int_equal(d.items[0].line, 0);
	const char *want = "unknown builtin baseline \"builtin:no-such-baseline\" (";
	assert_memory_equal(d.items[0].msg, want, strlen(want));
	if (bl_content_list_baselines(NULL, NULL) == 0)
		assert_string_equal(d.items[0].msg,
				    "unknown builtin baseline \"builtin:no-such-baseline\" (this build ships no builtin baselines)");
	else
		assert_non_null(strstr(d.items[0].msg, "(builtin baselines: "));
	bl_diags_free(&d);
}

static void load_builtin(void *ctx, const char *name, size_t len)
{
	size_t *n = ctx;
	char ref[256];
	snprintf(ref, sizeof(ref), "builtin:%.*s", (int)len, name);
	struct bl_baseline *b = load_ok(ref);
	assert_string_equal(b->file, ref);
	assert_int_equal(strlen(b->sha256), 64);
	bl_baseline_free(b);
	(*n)++;
}

/* Every shipped baseline must load cleanly (none yet is fine). */
static void test_builtin_all_load(void **state)
{
	(void)state;
	size_t n = 0;
	size_t listed = bl_content_list_baselines(load_builtin, &n);
	assert_int_equal(n, listed);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = (struct bl_baseline *)1;
	assert_int_equal(bl_baseline_load(&b, FIX "does-not-exist.yaml", &d), BL_EIO);
	assert_null(b);
	assert_int_equal(d.n, 1);
	assert_non_null(d.items[0].file);
	assert_non_null(strstr(d.items[0].file, "does-not-exist.yaml"));
	bl_diags_free(&d);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const sev[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(bl_severity_name((enum bl_severity)i), sev[i]);
		assert_int_equal(bl_severity_parse(sev[i], strlen(sev[i])), i);
	}
	assert_int_equal(bl_severity_parse("CRITICAL", 8), BL_SEV_CRITICAL);
	assert_int_equal(bl_severity_parse("high-ish", 4), BL_SEV_HIGH);   /* length counts */
	assert_int_equal(bl_severity_parse("urgent", 6), -1);
	assert_int_equal(bl_severity_parse("", 0), -1);
	assert_int_equal(bl_severity_parse(NULL, 0), -1);
	assert_string_equal(bl_effect_name(BL_EFFECT_AUDIT), "audit");
	assert_string_equal(bl_effect_name(BL_EFFECT_DENY), "deny");
	assert_string_equal(bl_effect_name(BL_EFFECT_DISABLED), "disabled");
	assert_int_equal(bl_effect_parse("Deny", 4), BL_EFFECT_DENY);   /* as Azure spells it */
	assert_int_equal(bl_effect_parse("disabled", 8), BL_EFFECT_DISABLED);
	assert_int_equal(bl_effect_parse("block", 5), -1);
	assert_int_equal(bl_effect_parse(NULL, 0), -1);
	assert_null(bl_baseline_control(NULL, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_yaml),
		cmocka_unit_test(test_full_json),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_sha256_yaml_equals_json),
		cmocka_unit_test(test_from_doc),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_invalid_inline),
		cmocka_unit_test(test_invalid_top),
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_not_a_baseline),
		cmocka_unit_test(test_builtin_unknown),
		cmocka_unit_test(test_builtin_all_load),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
