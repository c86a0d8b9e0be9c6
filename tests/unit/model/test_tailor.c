/*
 * test_tailor.c - extends and tailor: a three-level chain (exclude,
 * overrides of overrides, parameters), where each control came from, the
 * effective baseline's hash, cycles, every tailoring mistake at its place,
 * and `maps` checked against the shipped framework catalogs.
 */
#include "testutil.h"

#include <sodium.h>

#include "model/baseline.h"

#define TFIX "tests/fixtures/baselines/tailor/"

static struct bl_baseline *load_ok(const char *path)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_load(&b, path, &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("%s:%u:%u: %s\n", d.items[i].file ? d.items[i].file : "", d.items[i].line,
			      d.items[i].col, d.items[i].msg);
	assert_int_equal(rc, 0);
	assert_int_equal(d.n, 0);
	bl_diags_free(&d);
	return b;
}

/* Expect BL_EINVAL and exactly want[] as "file:line:col: msg", sorted. */
static void expect_diags(const char *path, const char *const *want, size_t n)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = (struct bl_baseline *)1;
	assert_int_equal(bl_baseline_load(&b, path, &d), BL_EINVAL);
	assert_null(b);
	bl_diags_sort(&d);
	bool same = d.n == n;
	char got[1024];
	for (size_t i = 0; i < d.n; i++) {
		snprintf(got, sizeof(got), "%s:%u:%u: %s", d.items[i].file ? d.items[i].file : "",
			 d.items[i].line, d.items[i].col, d.items[i].msg);
		if (i >= n || strcmp(got, want[i]) != 0) {
			print_message("diag %zu:\n  got  %s\n  want %s\n", i, got, i < n ? want[i] : "(none)");
			same = false;
		}
	}
	for (size_t i = d.n; i < n; i++)
		print_message("missing diag: %s\n", want[i]);
	bl_diags_free(&d);
	assert_true(same);
}

#define EXPECT_DIAGS(path, ...)                                                   \
	do {                                                                      \
		static const char *const want_[] = {__VA_ARGS__};                 \
		expect_diags((path), want_, sizeof(want_) / sizeof(want_[0]));    \
	} while (0)

/* ---- a three-level chain -------------------------------------------------- */

static void test_chain_leaf(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(TFIX "leaf/leaf.yaml");
	assert_string_equal(b->id, "tailor-leaf");
	assert_string_equal(b->version, "2.0.0");
	assert_int_equal(b->ncontrols, 5);
	static const char *const ids[] = {"T-01", "T-02", "T-04", "M-01", "L-01"};
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(b->controls[i].id, ids[i]);
		assert_int_equal(b->controls[i].index, i);
	}
	assert_null(bl_baseline_control(b, "T-03"));   /* excluded by mid */

	/* Override of an override: mid made T-01 critical/deny, leaf lowered
	 * the severity again; the effect mid set stays. */
	const struct bl_control *c = &b->controls[0];
	assert_int_equal(c->severity, BL_SEV_HIGH);
	assert_int_equal(c->effect, BL_EFFECT_DENY);
	assert_true(c->inherited);
	assert_string_equal(c->origin, "tailor-base");
	assert_string_equal(c->file, TFIX "leaf/../base.yaml");
	assert_int_equal(c->line, 8);
	assert_int_equal(c->noverrides, 2);
	assert_string_equal(c->overrides[0].baseline, "tailor-mid");
	assert_string_equal(c->overrides[0].file, TFIX "leaf/../mid.yaml");
	assert_int_equal(c->overrides[0].line, 7);
	assert_int_equal(c->overrides[0].col, 5);
	assert_string_equal(c->overrides[0].what, "severity=critical effect=deny");
	assert_string_equal(c->overrides[1].baseline, "tailor-leaf");
	assert_int_equal(c->overrides[1].line, 8);
	assert_string_equal(c->overrides[1].what, "severity=high");
	assert_int_equal(c->nmaps, 1);
	assert_string_equal(c->maps[0].ids[0], "DP-3");

	/* T-02 reads minTls: base says TLS1_0, mid TLS1_1, leaf TLS1_2. */
	c = &b->controls[1];
	assert_int_equal(c->severity, BL_SEV_LOW);
	assert_non_null(strstr(bl_control_cond_text(c, &b->arena), "TLS1_2"));
	assert_null(strstr(bl_control_cond_text(c, &b->arena), "TLS1_1"));
	assert_string_equal(bl_value_strz(b->param_values, "minTls", NULL), "TLS1_2");

	/* T-04: a scope and a per-control parameter value from the leaf
	 * (matched case-insensitively: the override says t-04). */
	c = &b->controls[2];
	assert_int_equal(c->ntypes, 0);
	assert_int_equal(c->nenvironments, 1);
	assert_string_equal(c->environments[0], "production");
	assert_non_null(c->param_values);
	assert_non_null(strstr(bl_control_cond_text(c, &b->arena), "northeurope"));
	assert_int_equal(c->noverrides, 1);
	assert_string_equal(c->overrides[0].what, "scope parameters=locations");

	c = &b->controls[3];
	assert_string_equal(c->origin, "tailor-mid");
	assert_true(c->inherited);
	assert_int_equal(c->noverrides, 0);
	c = &b->controls[4];
	assert_string_equal(c->origin, "tailor-leaf");
	assert_false(c->inherited);
	assert_string_equal(c->file, TFIX "leaf/leaf.yaml");
	assert_non_null(strstr(bl_control_cond_text(c, &b->arena), "Standard_D2s_v5"));

	/* Every definition of the chain, and every document read. */
	assert_int_equal(b->parameters->u.obj.n, 3);
	assert_int_equal(b->nsources, 3);
	assert_string_equal(b->sources[0], TFIX "leaf/leaf.yaml");
	assert_string_equal(b->sources[1], TFIX "leaf/../mid.yaml");
	assert_string_equal(b->sources[2], TFIX "leaf/../base.yaml");
	bl_baseline_free(b);
}

static void test_chain_mid(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(TFIX "mid.yaml");
	assert_int_equal(b->ncontrols, 4);
	assert_int_equal(b->controls[0].severity, BL_SEV_CRITICAL);
	assert_int_equal(b->controls[0].effect, BL_EFFECT_DENY);
	assert_int_equal(b->controls[0].noverrides, 1);
	assert_non_null(strstr(bl_control_cond_text(&b->controls[1], &b->arena), "TLS1_1"));
	assert_string_equal(b->controls[3].id, "M-01");
	bl_baseline_free(b);
}

/* The hash is over the effective baseline: the canonical JSON of
 * b->effective, which has no extends/tailor and carries the overrides. */
static void test_effective_hash(void **state)
{
	(void)state;
	struct bl_baseline *b = load_ok(TFIX "leaf/leaf.yaml");
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	assert_int_equal(bl_json_write(&buf, b->effective, 0), 0);
	assert_null(strstr(buf.data, "\"extends\""));
	assert_null(strstr(buf.data, "\"tailor\""));
	assert_non_null(strstr(buf.data, "{\"baseline\":\"tailor-leaf\",\"version\":\"2.0.0\","));
	assert_non_null(strstr(buf.data, "\"id\":\"T-01\",\"title\":\"Storage accounts accept HTTPS only\",\"severity\":\"high\""));
	assert_non_null(strstr(buf.data, "\"effect\":\"deny\""));
	assert_non_null(strstr(buf.data, "\"minTls\":{\"type\":\"string\",\"default\":\"TLS1_2\""));
	assert_null(strstr(buf.data, "\"T-03\""));
	unsigned char md[crypto_hash_sha256_BYTES];
	char hex[65];
	crypto_hash_sha256(md, (const unsigned char *)buf.data, buf.len);
	sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
	assert_string_equal(hex, b->sha256);
	bl_buf_free(&buf);

	/* A different tailoring gives a different hash. */
	struct bl_baseline *m = load_ok(TFIX "mid.yaml");
	assert_string_not_equal(m->sha256, b->sha256);
	bl_baseline_free(m);
	bl_baseline_free(b);
}

/* ---- mistakes ------------------------------------------------------------- */

static void test_cycles(void **state)
{
	(void)state;
	EXPECT_DIAGS(TFIX "cycle-a.yaml",
		TFIX "cycle-b.yaml:5:5: extends cycle: " TFIX "cycle-a.yaml -> " TFIX "cycle-b.yaml -> " TFIX "cycle-a.yaml");
	EXPECT_DIAGS(TFIX "self.yaml",
		TFIX "self.yaml:3:11: extends cycle: " TFIX "self.yaml -> " TFIX "./self.yaml");
}

static void test_bad_tailoring(void **state)
{
	(void)state;
	EXPECT_DIAGS(TFIX "bad-tailor.yaml",
		TFIX "bad-tailor.yaml:5:3: parameter \"minTls\" is already defined by an extended baseline (" TFIX "base.yaml:5): set its value with tailor.parameters",
		TFIX "bad-tailor.yaml:7:19: tailor.exclude: \"X-*\" matches no inherited control (a typo?)",
		TFIX "bad-tailor.yaml:7:26: tailor.exclude entries must be control ids or globs, not an integer",
		TFIX "bad-tailor.yaml:9:5: tailor.override: no inherited control \"T-O1\" (did you mean \"T-01\"?)",
		TFIX "bad-tailor.yaml:10:5: tailor.override: control \"T-03\" is excluded by tailor.exclude: override it or exclude it, not both",
		TFIX "bad-tailor.yaml:11:22: severity must be one of critical, high, medium, low, info, not \"urgent\"",
		TFIX "bad-tailor.yaml:11:30: unknown key \"owner\" in override",
		TFIX "bad-tailor.yaml:12:11: tailor.override.T-04 changes nothing: give severity, effect, scope or parameters",
		TFIX "bad-tailor.yaml:13:25: tailor.override.T-01.parameters: no parameter \"minTsl\" in the extended baselines (did you mean \"minTls\"?)",
		TFIX "bad-tailor.yaml:14:24: value of parameter \"minTls\": \"TLS1_3\" is not one of its allowedValues",
		TFIX "bad-tailor.yaml:14:43: value of parameter \"locations\" must be an array to match its type, not a string",
		TFIX "bad-tailor.yaml:15:3: unknown key \"include\" in tailor (did you mean \"exclude\"?)",
		TFIX "bad-tailor.yaml:17:9: control id \"T-02\" is already defined by baseline tailor-base (" TFIX "base.yaml:14): change it with tailor.override, or drop it with tailor.exclude and define it again");
	EXPECT_DIAGS(TFIX "tailor-alone.yaml",
		TFIX "tailor-alone.yaml:3:1: tailor needs extends: there is no inherited control to tailor");
}

static void expect_inline(const char *text, const char *want)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a, text, TFIX "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), BL_EINVAL);
	char got[1024] = "";
	if (d.n >= 1)
		snprintf(got, sizeof(got), "%u:%u: %s", d.items[0].line, d.items[0].col, d.items[0].msg);
	if (d.n != 1)
		print_message("%zu diags, first: %s\n", d.n, got);
	assert_int_equal(d.n, 1);
	assert_string_equal(got, want);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_extends_mistakes(void **state)
{
	(void)state;
	/* Paths are relative to the extending document's folder. */
	expect_inline("baseline: x\nversion: 1.0.0\nextends: [nope.yaml]\n",
		      "3:11: extends: cannot read \"" TFIX "nope.yaml\": No such file or directory");
	expect_inline("baseline: x\nversion: 1.0.0\nextends: []\ncontrols: []\n",
		      "3:10: extends must not be empty: omit it when nothing is inherited");
	expect_inline("baseline: x\nversion: 1.0.0\nextends: [base.yaml, 3]\n",
		      "3:22: extends entries must be builtin:NAME or a path, not an integer");
}

/* With extends, controls may be omitted; excluding and defining again is
 * how a control is replaced. */
static void test_replace_control(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a,
		"baseline: x\nversion: 1.0.0\nextends: [base.yaml]\ntailor: {exclude: [T-01, \"T-0[3]\", \"T-03\"]}\n"
		"controls:\n  - {id: t-01, title: again, severity: low, expect: {field: a, exists: true}}\n",
		TFIX "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_from_doc(&b, doc, &d);
	/* "T-0[3]" is a glob of literal brackets here: it matches nothing. */
	assert_int_equal(rc, BL_EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].msg, "tailor.exclude: \"T-0[3]\" matches no inherited control (a typo?)");
	bl_diags_free(&d);

	bl_diags_init(&d);
	doc = tu_doc(&a,
		"baseline: x\nversion: 1.0.0\nextends: [base.yaml]\ntailor: {exclude: [T-01, \"T-0?\"]}\n"
		"controls:\n  - {id: t-01, title: again, severity: low, expect: {field: a, exists: true}}\n",
		TFIX "inline.yaml");
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(b->ncontrols, 1);
	assert_string_equal(b->controls[0].id, "t-01");
	assert_false(b->controls[0].inherited);
	bl_baseline_free(b);
	bl_diags_free(&d);

	/* Without extends a document still needs controls. */
	bl_diags_init(&d);
	doc = tu_doc(&a, "baseline: x\nversion: 1.0.0\nextends: [base.yaml]\n", TFIX "inline.yaml");
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	assert_int_equal(b->ncontrols, 4);
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

/* ---- maps against the catalogs ------------------------------------------- */

static const char *const maps_head =
	"baseline: x\nversion: 1.0.0\ncontrols:\n  - id: A\n    title: a\n    severity: low\n"
	"    expect: {field: a, exists: true}\n    maps: ";

static void expect_maps(const char *maps, const char *want)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s%s\n", maps_head, maps);
	expect_inline(text, want);
}

static void test_maps_lint(void **state)
{
	(void)state;
	expect_maps("{mcsb-v2: [DP-3]}", "8:12: unknown framework \"mcsb-v2\" (did you mean \"mcsb-v1\"?)");
	expect_maps("{mcsb-v1: [DP-33]}", "8:22: maps.mcsb-v1: unknown control \"DP-33\" in mcsb-v1 (did you mean \"DP-3\"?)");
	expect_maps("{nist-800-53-r5: [SC-8, XY-1234]}",
		    "8:35: maps.nist-800-53-r5: unknown control \"XY-1234\" in nist-800-53-r5");
	expect_maps("{cis-v8: [\"3.10\", \"99.99\"]}", "8:29: maps.cis-v8: unknown control \"99.99\" in cis-v8");

	/* NIST spellings are one control, stored in the catalog's spelling. */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	char text[1024];
	snprintf(text, sizeof(text), "%s%s\n", maps_head,
		 "{nist-800-53-r5: [sc-8.1, SC-8(1), sc-8, ac-2], MCSB-V1: [dp-3]}");
	const struct bl_value *doc = tu_doc(&a, text, "inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_from_doc(&b, doc, &d);
	/* The framework key itself must be lower case (a format rule). */
	assert_int_equal(rc, BL_EINVAL);
	assert_int_equal(d.n, 1);
	bl_diags_free(&d);
	snprintf(text, sizeof(text), "%s%s\n", maps_head,
		 "{nist-800-53-r5: [sc-8.1, SC-8(1), sc-8, ac-2], mcsb-v1: [dp-3]}");
	doc = tu_doc(&a, text, "inline.yaml");
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	const struct bl_control *c = &b->controls[0];
	assert_int_equal(c->maps[0].nids, 4);
	assert_string_equal(c->maps[0].ids[0], "SC-8(1)");
	assert_string_equal(c->maps[0].ids[1], "SC-8(1)");
	assert_string_equal(c->maps[0].ids[2], "SC-8");
	assert_string_equal(c->maps[0].ids[3], "AC-2");
	assert_string_equal(c->maps[1].ids[0], "DP-3");
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

/* ---- versions ---------------------------------------------------------------- */

static void test_semver_cmp(void **state)
{
	(void)state;
	assert_true(bl_semver_cmp("1.0.0", "1.0.0") == 0);
	assert_true(bl_semver_cmp("1.0.0+build.1", "1.0.0+build.2") == 0);
	assert_true(bl_semver_cmp("1.0.1", "1.0.0") > 0);
	assert_true(bl_semver_cmp("1.10.0", "1.9.0") > 0);
	assert_true(bl_semver_cmp("2.0.0", "10.0.0") < 0);
	assert_true(bl_semver_cmp("1.0.0-rc.1", "1.0.0") < 0);
	assert_true(bl_semver_cmp("1.0.0-alpha", "1.0.0-alpha.1") < 0);
	assert_true(bl_semver_cmp("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);
	assert_true(bl_semver_cmp("1.0.0-beta.2", "1.0.0-beta.11") < 0);
	assert_true(bl_semver_cmp("1.0.0-rc.1", "1.0.0-beta.11") > 0);
	assert_true(bl_semver_cmp("junk", "0.0.1") < 0);
	assert_true(bl_semver_cmp(NULL, NULL) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_leaf),
		cmocka_unit_test(test_chain_mid),
		cmocka_unit_test(test_effective_hash),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_bad_tailoring),
		cmocka_unit_test(test_extends_mistakes),
		cmocka_unit_test(test_replace_control),
		cmocka_unit_test(test_maps_lint),
		cmocka_unit_test(test_semver_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
