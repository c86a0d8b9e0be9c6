/*
 * test_diff.c - `baseline diff`: added, removed and changed controls, each
 * kind of weakening with and without a version bump, the condition line
 * diff, and the JSON form.
 */
#include "testutil.h"

#include "model/baseline.h"
#include "model/diff.h"

struct pair {
	struct bl_arena a;
	struct bl_baseline *old, *new_;
	struct bl_diff d;
	struct bl_buf text;
};

static struct bl_baseline *from_text(struct bl_arena *a, const char *text)
{
	const struct bl_value *doc = tu_doc(a, text, "diff.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	int rc = bl_baseline_from_doc(&b, doc, &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("%u:%u: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
	assert_int_equal(rc, 0);
	bl_diags_free(&d);
	return b;
}

/* Build "baseline: x / version: V / controls: CONTROLS" for both sides. */
static void diff(struct pair *p, const char *v1, const char *c1, const char *v2, const char *c2)
{
	char t1[4096], t2[4096];
	snprintf(t1, sizeof(t1), "baseline: x\nversion: %s\ncontrols:\n%s", v1, c1);
	snprintf(t2, sizeof(t2), "baseline: x\nversion: %s\ncontrols:\n%s", v2, c2);
	bl_arena_init(&p->a, 0);
	p->old = from_text(&p->a, t1);
	p->new_ = from_text(&p->a, t2);
	assert_int_equal(bl_diff_compute(&p->d, p->old, p->new_), 0);
	bl_buf_init(&p->text, 0);
	assert_int_equal(bl_diff_write_text(&p->text, &p->d), 0);
}

static void done(struct pair *p)
{
	bl_buf_free(&p->text);
	bl_diff_free(&p->d);
	bl_baseline_free(p->old);
	bl_baseline_free(p->new_);
	bl_arena_free(&p->a);
}

/* String member equals want (value strings are not NUL-terminated). */
static bool member_is(const struct bl_value *obj, const char *key, const char *want)
{
	size_t n = 0;
	const char *s = bl_value_strz(obj, key, &n);
	return s && n == strlen(want) && memcmp(s, want, n) == 0;
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, prefix, plen) == 0)
			n++;
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

#define C1 "  - {id: A-1, title: one, severity: high, effect: deny, scope: {types: [t1, t2], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n"
#define C2 "  - {id: A-2, title: two, severity: medium, expect: {allOf: [{field: b, equals: 1}, {field: c, exists: true}]}}\n"

static void test_no_change(void **state)
{
	(void)state;
	struct pair p;
	diff(&p, "1.0.0", C1 C2, "1.0.0", C1 C2);
	assert_int_equal(p.d.n, 0);
	assert_string_equal(p.text.data, "baseline diff: x 1.0.0 -> x 1.0.0\n0 added, 0 removed, 0 changed\n");
	done(&p);
}

static void test_removed_added(void **state)
{
	(void)state;
	struct pair p;
	diff(&p, "1.0.0", C1 C2, "1.0.0",
	     C1 "  - {id: A-3, title: three, severity: low, expect: {field: z, exists: true}}\n");
	assert_int_equal(p.d.n, 2);
	assert_int_equal(p.d.items[0].kind, BL_DIFF_REMOVED);
	assert_string_equal(p.d.items[0].id, "A-2");
	assert_int_equal(p.d.items[0].weakening, BL_DW_REMOVED);
	assert_int_equal(p.d.items[1].kind, BL_DIFF_ADDED);
	assert_string_equal(p.d.items[1].id, "A-3");
	assert_non_null(strstr(p.text.data, "removed: A-2              medium   audit    two\n"));
	assert_non_null(strstr(p.text.data, "added:   A-3              low      audit    three\n"));
	assert_non_null(strstr(p.text.data, "1 added, 1 removed, 0 changed\n"));
	assert_non_null(strstr(p.text.data,
		"warning: weakening: A-2: control removed (version 1.0.0 is not greater than 1.0.0)\n"));
	assert_int_equal(count_lines(p.text.data, "warning: weakening"), 1);
	done(&p);

	/* With a version bump the same change is information only. */
	diff(&p, "1.0.0", C1 C2, "1.1.0", C1);
	assert_int_equal(p.d.nweakening, 1);
	assert_int_equal(count_lines(p.text.data, "warning: weakening"), 0);
	done(&p);
}

static void test_each_weakening(void **state)
{
	(void)state;
	static const struct {
		const char *newc;
		unsigned fields, weakening;
		const char *warning;
	} cases[] = {
		{"  - {id: A-1, title: one, severity: medium, effect: deny, scope: {types: [t1, t2], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_SEVERITY, BL_DW_SEVERITY, "warning: weakening: A-1: severity lowered from high to medium"},
		{"  - {id: A-1, title: one, severity: high, effect: audit, scope: {types: [t1, t2], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_EFFECT, BL_DW_EFFECT, "warning: weakening: A-1: effect deny -> audit"},
		{"  - {id: A-1, title: one, severity: high, effect: disabled, scope: {types: [t1, t2], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_EFFECT, BL_DW_EFFECT, "warning: weakening: A-1: effect deny -> disabled"},
		{"  - {id: A-1, title: one, severity: high, effect: deny, scope: {types: [T1], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_SCOPE, BL_DW_TYPES, "warning: weakening: A-1: scope narrowed: fewer asset types"},
		{"  - {id: A-1, title: one, severity: high, effect: deny, scope: {types: [t1, t2], tiers: [1], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_SCOPE, BL_DW_TIERS, "warning: weakening: A-1: scope narrowed: fewer tiers"},
		{"  - {id: A-1, title: one, severity: high, effect: deny, scope: {types: [t1, t2], tiers: [1, 2], environments: [production]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_SCOPE, BL_DW_ENVS, "warning: weakening: A-1: scope narrowed: fewer environments"},
		/* Not weakening: stricter or wider. */
		{"  - {id: A-1, title: one, severity: critical, effect: deny, scope: {tiers: [1, 2, 3], environments: [production, staging]}, expect: {field: a, equals: 1}}\n",
		 BL_DF_SEVERITY | BL_DF_SCOPE, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int bump = 0; bump < 2; bump++) {
			struct pair p;
			diff(&p, "1.2.0", C1, bump ? "1.2.1" : "1.2.0-rc.1", cases[i].newc);
			assert_int_equal(p.d.n, 1);
			assert_int_equal(p.d.items[0].kind, BL_DIFF_CHANGED);
			assert_int_equal(p.d.items[0].fields, cases[i].fields);
			assert_int_equal(p.d.items[0].weakening, cases[i].weakening);
			size_t want = cases[i].warning && !bump ? 1 : 0;
			if (count_lines(p.text.data, "warning: weakening") != want)
				print_message("case %zu bump %d:\n%s", i, bump, p.text.data);
			assert_int_equal(count_lines(p.text.data, "warning: weakening"), want);
			if (want) {
				char line[256];
				snprintf(line, sizeof(line), "%s (version 1.2.0-rc.1 is not greater than 1.2.0)\n",
					 cases[i].warning);
				assert_non_null(strstr(p.text.data, line));
			}
			done(&p);
		}
	}
}

static void test_condition_diff(void **state)
{
	(void)state;
	struct pair p;
	diff(&p, "1.0.0", C2, "2.0.0",
	     "  - {id: A-2, title: two, severity: medium, expect: {allOf: [{field: b, equals: 2}, {field: c, exists: true}]}}\n");
	assert_int_equal(p.d.items[0].fields, BL_DF_CONDITION);
	assert_int_equal(p.d.items[0].weakening, 0);
	assert_non_null(strstr(p.text.data,
		"changed: A-2\n"
		"  condition (expect -> expect):\n"
		"      allOf(\n"
		"    -   b equals 1;\n"
		"    +   b equals 2;\n"
		"        c exists true\n"
		"      )\n"));
	done(&p);
}

static void test_json(void **state)
{
	(void)state;
	struct pair p;
	diff(&p, "1.0.0", C1 C2, "1.0.0",
	     "  - {id: A-1, title: one, severity: low, effect: deny, scope: {types: [t1, t2], tiers: [1, 2], environments: [production, staging]}, expect: {field: a, equals: 1}}\n");
	struct bl_buf j;
	bl_buf_init(&j, 0);
	assert_int_equal(bl_diff_write_json(&j, &p.d), 0);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = tu_json(&a, j.data);
	assert_int_equal(bl_value_getz(v, "version_increased")->b, false);
	const struct bl_value *removed = bl_value_getz(v, "removed");
	assert_int_equal(removed->u.arr.n, 1);
	assert_true(member_is(&removed->u.arr.items[0], "id", "A-2"));
	const struct bl_value *changed = bl_value_getz(v, "changed");
	assert_int_equal(changed->u.arr.n, 1);
	const struct bl_value *sev = bl_value_getz(bl_value_getz(&changed->u.arr.items[0], "changes"), "severity");
	assert_true(member_is(sev, "old", "high"));
	assert_true(member_is(sev, "new", "low"));
	assert_int_equal(bl_value_getz(v, "warnings")->u.arr.n, 2);
	bl_arena_free(&a);
	bl_buf_free(&j);
	done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_removed_added),
		cmocka_unit_test(test_each_weakening),
		cmocka_unit_test(test_condition_diff),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
