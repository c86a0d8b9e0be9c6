/*
 * test_wazuh_sca.c - the SCA importer: the exact baseline text for a small
 * policy, version detection and --sca-version, variables, compliance
 * mapping, every malformed-policy diagnostic with its line:col, and the
 * translated conditions evaluated against synthetic host documents (found /
 * not found / invalid, all/any/none, 4.x vs 5.x negation and literals, n:).
 */
#include "testutil.h"

#include "import/wazuh_sca.h"
#include "model/baseline.h"
#include "rule/rule.h"

static char *translate(struct bl_arena *a, const char *yaml, const struct bl_sca_opts *o,
		       struct bl_sca_info *info, struct bl_diags *d, int want_rc)
{
	const struct bl_value *doc = tu_doc(a, yaml, "p.yml");
	struct bl_buf b;
	bl_buf_init(&b, 0);
	int rc = bl_sca_translate(&b, doc, o, "p.yml", info, d);
	if (rc != want_rc) {
		for (size_t i = 0; i < d->n; i++)
			fprintf(stderr, "%u:%u: %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
		fail_msg("rc %d, want %d", rc, want_rc);
	}
	char *out = bl_arena_strndup(a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	return out;
}

static void test_detect(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	assert_true(bl_sca_detect(tu_doc(&a, "policy: {id: x}\nchecks: []\n", "p.yml")));
	assert_false(bl_sca_detect(tu_doc(&a, "baseline: x\ncontrols: []\n", "p.yml")));
	assert_false(bl_sca_detect(tu_doc(&a, "policy: {id: x}\n", "p.yml")));
	assert_false(bl_sca_detect(tu_doc(&a, "[1]\n", "p.yml")));
	assert_false(bl_sca_detect(NULL));
	bl_arena_free(&a);
}

static void test_exact_output(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_sca_info info;
	char *out = translate(&a,
			      "policy: {id: My.Policy, name: Tiny}\n"
			      "checks:\n"
			      "  - id: 7\n"
			      "    title: Shadow exists\n"
			      "    compliance:\n"
			      "      - cis: [\"6.1\"]\n"
			      "      - nist_sp_800-53: [\"AC-3\"]\n"
			      "    condition: all\n"
			      "    rules: ['f:/etc/shadow']\n",
			      NULL, &info, &d, 0);
	assert_string_equal(out,
		"# Imported from the Wazuh SCA policy My.Policy (p.yml) with SCA 4.x semantics and\n"
		"# OS_Regex regexes by `baseline import wazuh-sca`; see docs/wazuh-sca.md.\n"
		"baseline: my.policy\n"
		"version: 1.0.0\n"
		"title: \"Tiny\"\n"
		"controls:\n"
		"  - id: \"My.Policy-7\"\n"
		"    title: \"Shadow exists\"\n"
		"    severity: medium\n"
		"    scope: {types: [linux.host]}\n"
		"    maps: {nist-800-53-r5: [\"AC-3\"]}\n"
		"    expect: {\"field\": \"file[\\\"/etc/shadow\\\"].exists\", \"equals\": true}\n"
		"    references: [\"cis: 6.1\"]\n");
	assert_string_equal(info.policy_id, "My.Policy");
	assert_int_equal(info.version, 4);
	assert_false(info.pcre2);
	assert_int_equal(info.nchecks, 1);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_versions(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_sca_info info;
	const char *v4 = "policy: {id: p}\nchecks:\n  - {id: 1, title: t, condition: all, rules: ['f:/a -> r:^x\\s']}\n";
	char *out = translate(&a, v4, NULL, &info, &d, 0);
	assert_int_equal(info.version, 4);
	assert_non_null(strstr(out, "\"notRegex\": \"(?i)^x[ ]\""));
	/* regex_type: pcre2 keeps 4.x semantics with PCRE2 regexes */
	out = translate(&a, "policy: {id: p, regex_type: pcre2}\nchecks:\n  - {id: 1, title: t, condition: all, rules: ['f:/a -> r:^x\\s']}\n",
			NULL, &info, &d, 0);
	assert_int_equal(info.version, 4);
	assert_true(info.pcre2);
	assert_non_null(strstr(out, "\"notRegex\": \"(?im)^x\\\\s\""));
	/* name, or a compliance map: 5.x */
	out = translate(&a, "policy: {id: p}\nchecks:\n  - {id: 1, name: t, condition: all, rules: ['f:/a -> X']}\n",
			NULL, &info, &d, 0);
	assert_int_equal(info.version, 5);
	assert_non_null(strstr(out, "\"notRegex\": \"^X$\""));
	out = translate(&a, "policy: {id: p}\nchecks:\n  - {id: 1, title: t, compliance: {cis: ['1']}, condition: all, rules: ['f:/a -> X']}\n",
			NULL, &info, &d, 0);
	assert_int_equal(info.version, 5);
	/* --sca-version overrides */
	struct bl_sca_opts o4 = {.version = 4};
	out = translate(&a, "policy: {id: p}\nchecks:\n  - {id: 1, name: t, condition: all, rules: ['f:/a -> X']}\n",
			&o4, &info, &d, 0);
	assert_int_equal(info.version, 4);
	assert_non_null(strstr(out, "\"notEquals\": \"X\""));
	struct bl_sca_opts o5 = {.version = 5};
	out = translate(&a, v4, &o5, &info, &d, 0);
	assert_int_equal(info.version, 5);
	assert_true(info.pcre2);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_rule_kinds(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_sca_info info;
	char *out = translate(&a,
		"policy: {id: p}\n"
		"variables: {$d: /etc/x, $dir: /etc/long}\n"
		"checks:\n"
		"  - {id: 1, title: t, condition: none, rules: ['p:sshd', 'r:HKLM\\X -> v', 'c:ls \"$dir\" -> r:a && !r:b', 'not d:$d -> r:\\.conf$ -> n:^n (\\d+) compare != 3']}\n",
		NULL, &info, &d, 0);
	assert_int_equal(info.ncommands, 1);
	assert_int_equal(info.nregistry, 1);
	assert_non_null(strstr(out, "{\"not\": {\"anyOf\": [{\"count\": {\"field\": \"processes[*]\""));
	assert_non_null(strstr(out, "{\"field\": \"processes[*].name\", \"equals\": \"sshd\"}"));
	assert_non_null(strstr(out, "{\"value\": \"registry\", \"notApplicableUnless\": \"Windows registry rule (r:): no registry on this host\"}"));
	/* variables: longest name first; && terms: a count over the lines */
	assert_non_null(strstr(out, "{\"count\": {\"field\": \"command[\\\"ls \\\"\\\"/etc/long\\\"\\\"\\\"].lines[*]\", \"where\": {\"allOf\": [{\"field\": \"command[\\\"ls \\\"\\\"/etc/long\\\"\\\"\\\"].lines[*]\", \"regex\": \"(?i)a\"}, {\"field\": \"command[\\\"ls \\\"\\\"/etc/long\\\"\\\"\\\"].lines[*]\", \"notRegex\": \"(?i)b\"}]}}, \"greater\": 0}"));
	assert_non_null(strstr(out, "{\"not\": {\"allOf\": [{\"field\": \"dir_walk[\\\"/etc/x\\\"].exists\", \"notApplicableUnless\""));
	assert_non_null(strstr(out, "\"regex\": \"(?i)[\\\\s\\\\S]conf$\""));
	assert_non_null(strstr(out, "\"notScaNumeric\": {\"regex\": \"(?i)^n\\\\x20([0-9]+)\", \"compare\": \"!=\", \"value\": 3}"));
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void expect_diag(const struct bl_diags *d, size_t i, uint32_t line, uint32_t col, const char *msg)
{
	if (i >= d->n)
		fail_msg("only %zu diagnostics, want #%zu %s", d->n, i, msg);
	if (d->items[i].line != line || d->items[i].col != col || strcmp(d->items[i].msg, msg) != 0)
		fail_msg("#%zu %u:%u %s\nwant %u:%u %s", i, d->items[i].line, d->items[i].col,
			 d->items[i].msg, line, col, msg);
}

static void test_errors(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	translate(&a,
		  "policy:\n"
		  "  id: p\n"
		  "  regex_type: perl\n"
		  "variables: {bad: 1}\n"
		  "checks:\n"
		  "  - id: 1\n"
		  "    title: t\n"
		  "    condition: all\n"
		  "    colour: red\n"
		  "    rules:\n"
		  "      - 'f:/a -> r:(x'\n"
		  "      - 'f:/a -> n:^x (\\d+) compare ~ 3'\n"
		  "      - 'f:/a -> n:^x (\\d+) compare > three'\n"
		  "      - 'q:/a'\n"
		  "      - 'p:sshd -> r:x'\n"
		  "      - 'f:/a -> r:x -> r:y'\n"
		  "      - 7\n"
		  "  - id: 1\n"
		  "    condition: sometimes\n"
		  "    rules: []\n"
		  "  - {title: no id, condition: all, rules: ['f:/a']}\n",
		  NULL, NULL, &d, BL_EINVAL);
	bl_diags_sort(&d);
	size_t i = 0;
	expect_diag(&d, i++, 3, 15, "policy: regex_type must be pcre2 or osregex");
	expect_diag(&d, i++, 4, 13, "variables: \"bad\" must start with $");
	expect_diag(&d, i++, 9, 5, "check: unknown key \"colour\"");
	expect_diag(&d, i++, 11, 9, "rule \"f:/a -> r:(x\": OS_Regex: '(' without ')'");
	expect_diag(&d, i++, 12, 9, "rule \"f:/a -> n:^x (\\d+) compare ~ 3\": n: comparison must be one of < <= == != >= >");
	expect_diag(&d, i++, 13, 9, "rule \"f:/a -> n:^x (\\d+) compare > three\": n: needs an integer after the comparison");
	expect_diag(&d, i++, 14, 9, "rule \"q:/a\": expected [not ]f:, d:, p:, c: or r: followed by a target");
	expect_diag(&d, i++, 15, 9, "rule \"p:sshd -> r:x\": p: takes a process name only");
	expect_diag(&d, i++, 16, 9, "rule \"f:/a -> r:x -> r:y\": only d: (and r:) rules take a third part");
	expect_diag(&d, i++, 17, 9, "check 1: a rule must be a string");
	expect_diag(&d, i++, 18, 5, "check 1: title (4.x) or name (5.x) is required");
	expect_diag(&d, i++, 18, 9, "check id 1 is a duplicate (first at line 6)");
	expect_diag(&d, i++, 19, 16, "check 1: condition \"sometimes\" must be all, any or none");
	expect_diag(&d, i++, 20, 12, "check 1: rules must be a non-empty list of strings");
	expect_diag(&d, i++, 21, 5, "check: id is required (a number or a string)");
	assert_int_equal(d.n, i);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

/* Import, build the baseline, evaluate control `id` on host document host. */
static const char *eval_status(const char *policy, const struct bl_sca_opts *o, const char *id,
			       const char *host)
{
	static char out[300];
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const struct bl_value *doc = tu_doc(&a, policy, "p.yml"), *gen = NULL;
	assert_int_equal(bl_sca_import_doc(&gen, &a, doc, o, "p.yml", NULL, &d), 0);
	struct bl_baseline *b = NULL;
	if (bl_baseline_from_doc(&b, gen, &d) != 0)
		fail_msg("%s", d.n ? d.items[0].msg : "?");
	const struct bl_control *c = bl_baseline_control(b, id);
	assert_non_null(c);
	struct bl_eval e;
	bl_eval_init(&e);
	struct bl_arena ea;
	bl_arena_init(&ea, 0);
	bl_eval_reset(&e, tu_json(&ea, host), &ea);
	enum bl_truth t = BL_TRUE;
	if (c->applies)
		t = bl_cond_eval(c->applies, &e);
	if (t == BL_TRUE)
		t = bl_cond_eval(c->cond, &e);
	if (t == BL_UNKNOWN)
		snprintf(out, sizeof out, "%s: %s", e.error[0] ? "error" : "na",
			 e.error[0] ? e.error : e.na_reason);
	else
		snprintf(out, sizeof out, "%s", t == BL_TRUE ? "pass" : "fail");
	bl_eval_fini(&e);
	bl_arena_free(&ea);
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_arena_free(&a);
	return out;
}

static const char POLICY[] =
	"policy: {id: p}\n"
	"requirements: {title: Debian, condition: any, rules: ['f:/etc/debian_version']}\n"
	"checks:\n"
	"  - {id: 1, title: t, condition: all, rules: ['f:/c -> !r:^#']}\n"
	"  - {id: 2, title: t, condition: all, rules: ['f:/c -> n:^Max\\s+(\\d+) compare <= 4']}\n"
	"  - {id: 3, title: t, condition: any, rules: ['f:/missing -> r:x', 'f:/c -> r:^Max']}\n"
	"  - {id: 4, title: t, condition: all, rules: ['f:/missing -> r:x', 'f:/c -> r:^Max']}\n"
	"  - {id: 5, title: t, condition: all, rules: ['f:/missing -> r:x', 'f:/c -> r:^Nope']}\n"
	"  - {id: 6, title: t, condition: none, rules: ['f:/missing -> r:x', 'f:/c -> r:^Max']}\n"
	"  - {id: 7, title: t, condition: none, rules: ['f:/missing -> r:x']}\n"
	"  - {id: 8, title: t, condition: all, rules: ['f:/c -> max 3']}\n"
	"  - {id: 9, title: t, condition: all, rules: ['not f:/missing -> r:x']}\n"
	"  - {id: 10, title: t, condition: all, rules: ['f:/big -> r:x']}\n";

static const char HOST[] =
	"{\"file\": {\"/etc/debian_version\": {\"exists\": true},"
	" \"/c\": {\"exists\": true, \"lines\": [\"# comment\", \"Max 3\"]},"
	" \"/missing\": {\"exists\": false}}}";

static void test_evaluation(void **state)
{
	(void)state;
	const char *missing = "na: /missing does not exist (Wazuh: a content rule on a missing file is invalid)";
	struct bl_sca_opts v5 = {.version = 5};
	assert_string_equal(eval_status(POLICY, NULL, "p-1", HOST), "pass");   /* 4.x: some line is not a comment */
	assert_string_equal(eval_status(POLICY, &v5, "p-1", HOST), "fail");    /* 5.x: no line may be one */
	assert_string_equal(eval_status(POLICY, NULL, "p-2", HOST), "pass");
	assert_string_equal(eval_status(POLICY, NULL, "p-3", HOST), "pass");   /* any: found beats invalid */
	assert_string_equal(eval_status(POLICY, NULL, "p-4", HOST), missing);  /* all: invalid, none failed */
	assert_string_equal(eval_status(POLICY, NULL, "p-5", HOST), "fail");   /* all: a not-found decides */
	assert_string_equal(eval_status(POLICY, NULL, "p-6", HOST), "fail");   /* none: a found decides */
	assert_string_equal(eval_status(POLICY, NULL, "p-7", HOST), missing);
	assert_string_equal(eval_status(POLICY, NULL, "p-8", HOST), "pass");   /* 4.x literal ignores case */
	assert_string_equal(eval_status(POLICY, &v5, "p-8", HOST), "fail");    /* 5.x literal is exact */
	assert_string_equal(eval_status(POLICY, NULL, "p-9", HOST), missing);  /* not keeps invalid */
	/* the requirement fails: every check is not applicable */
	assert_string_equal(eval_status(POLICY, NULL, "p-1", "{\"file\": {\"/etc/debian_version\": {\"exists\": false}}}"),
			    "na: policy requirement not met: Debian");
}

static void test_read_errors(void **state)
{
	(void)state;
	/* an error value from a probe is an error, never a pass or not applicable */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const struct bl_value *gen = NULL;
	assert_int_equal(bl_sca_import_doc(&gen, &a, tu_doc(&a, POLICY, "p.yml"), NULL, "p.yml", NULL, &d), 0);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, gen, &d), 0);
	struct bl_eval e;
	bl_eval_init(&e);
	struct bl_arena ea;
	bl_arena_init(&ea, 0);
	/* /big's lines are an error value */
	struct bl_value *host = (struct bl_value *)tu_json(&ea, "{\"file\": {\"/big\": {\"exists\": true, \"lines\": 0}}}");
	struct bl_value *big = (struct bl_value *)bl_value_getz(bl_value_getz(host, "file"), "/big");
	struct bl_value *lines = (struct bl_value *)bl_value_getz(big, "lines");
	*lines = *bl_value_new_special(&ea, BL_VERR, "/big: file too large");
	bl_eval_reset(&e, host, &ea);
	assert_int_equal(bl_cond_eval(bl_baseline_control(b, "p-10")->cond, &e), BL_UNKNOWN);
	assert_string_equal(e.error, "/big: file too large");
	bl_eval_fini(&e);
	bl_arena_free(&ea);
	bl_baseline_free(b);
	bl_diags_free(&d);
	bl_arena_free(&a);
}


/* A variable key that is empty or lacks the $ is an error, and never a hang
 * (fuzz_wazuh_sca: an empty key matched every '$' without consuming it). */
static void test_bad_variable_keys_terminate(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	translate(&a,
		  "policy: {id: p, name: n}\n"
		  "variables: {\"\": /x, \"$\": /y, \"cron:\": /z}\n"
		  "checks:\n"
		  "  - id: 1\n"
		  "    title: t\n"
		  "    condition: all\n"
		  "    rules: ['f:$dir/$ -> r:$x']\n",
		  NULL, NULL, &d, BL_EINVAL);
	assert_true(d.n >= 3);
	size_t bad = 0;
	for (size_t i = 0; i < d.n; i++)
		bad += strstr(d.items[i].msg, "must start with $") != NULL;
	assert_int_equal(bad, 3);
	bl_diags_free(&d);
	bl_arena_free(&a);
}


/* Ids are made valid: a policy id starting with punctuation loses it
 * (fuzz_wazuh_sca: "-sca_test5" gave a baseline that did not load), and
 * what the importer accepts always loads as a baseline. */
static void test_ids_made_valid(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const struct bl_value *src = tu_doc(&a,
		"policy: {id: \"-Pol.1\", name: n}\n"
		"checks:\n"
		"  - {id: \"-7\", title: t, condition: all, rules: ['f:/etc/hostname']}\n", "p.yml");
	const struct bl_value *gen = NULL;
	assert_int_equal(bl_sca_import_doc(&gen, &a, src, NULL, "p.yml", NULL, &d), 0);
	size_t len = 0;
	assert_string_equal(bl_value_strz(gen, "baseline", &len), "pol.1");
	const struct bl_value *controls = bl_value_getz(gen, "controls");
	assert_string_equal(bl_value_strz(&controls->u.arr.items[0], "id", &len), "Pol.1--7");   /* valid: only the start is constrained */
	bl_diags_free(&d);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_exact_output),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_rule_kinds),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_variable_keys_terminate),
		cmocka_unit_test(test_ids_made_valid),
		cmocka_unit_test(test_evaluation),
		cmocka_unit_test(test_read_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
