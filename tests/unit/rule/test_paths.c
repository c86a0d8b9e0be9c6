/*
 * test_paths.c - bl_cond_keep: the keep set a condition needs.  The property
 * that matters: evaluating a condition on a document parsed with its keep set
 * gives the same truth value and the same evidence (paths and actual values)
 * as on the full document, for leaves, [*] and [n] paths, case-folded keys,
 * counts with and without `where`, nested counts and value counts; and a
 * condition holding a run-time expression asks for the whole document.
 */
#include "testutil.h"

#include "cond_fixture.h"

#include "rule/rule.h"

static const struct bl_value *parse_keep(struct fx *f, const char *doc,
					 const struct bl_json_keep *k)
{
	size_t len = strlen(doc);
	char *buf = bl_arena_strndup(&f->ea, doc, len);
	struct bl_json_opts o = {.keep = k};
	const struct bl_value *v = NULL;
	struct bl_error err;
	if (bl_json_parse(&v, &f->ea, buf, len, "t.json", &o, &err))
		fail_msg("parse: %s", err.msg);
	return v;
}

/* Truth value and evidence (path = actual JSON; expected) as one string. */
static const char *outcome(struct fx *f, const struct bl_cond *c, const struct bl_value *doc)
{
	bl_eval_reset(&f->e, doc, &f->ea);
	bl_eval_clear(&f->e);
	enum bl_truth t = bl_cond_eval(c, &f->e);
	bl_cond_explain(c, &f->e, t);
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	bl_buf_adds(&b, t == BL_TRUE ? "true:" : t == BL_FALSE ? "false:" : "unknown:");
	for (size_t i = 0; i < f->e.nev; i++) {
		bl_buf_adds(&b, f->e.ev[i].path);
		bl_buf_adds(&b, " = ");
		if (f->e.ev[i].actual)
			assert_int_equal(bl_json_write(&b, f->e.ev[i].actual, 0), 0);
		else
			bl_buf_adds(&b, "(missing)");
		bl_buf_adds(&b, "; ");
		bl_buf_adds(&b, f->e.ev[i].expected);
		bl_buf_adds(&b, " | ");
	}
	assert_false(b.failed);
	const char *s = bl_arena_strndup(&f->ea, b.data, b.len);
	bl_buf_free(&b);
	return s;
}

static const char *const docs[] = {
	"{\"id\": \"/s/1\", \"name\": \"n\", \"properties\": {\"x\": true, \"X\": false, "
	"\"big\": {\"deep\": [1, 2, {\"q\": \"r\"}]}, \"rules\": [{\"properties\": {\"access\": "
	"\"Allow\", \"port\": \"22\", \"other\": [1, 2]}}, {\"properties\": {\"access\": \"Deny\", "
	"\"port\": \"*\"}}, 5, \"s\", {\"p\": 1}], \"disks\": [{\"sku\": \"LRS\", \"n\": 1}, {\"n\": 2}]}, "
	"\"tags\": {\"env\": \"prod\"}, \"extra\": {\"a\": [[{\"b\": 1}]]}}",
	"{\"Properties\": {\"Rules\": [], \"Disks\": [{\"SKU\": \"GRS\"}], \"x\": \"True\", "
	"\"big\": null}, \"extra\": [1, {\"a\": {\"b\": 2}}]}",
	"{\"properties\": {\"rules\": {\"not\": \"an array\"}, \"disks\": [[{\"sku\": \"LRS\"}], "
	"{\"sku\": [1]}], \"x\": {\"y\": 1}}, \"extra\": {\"a\": [{\"b\": [1, 2]}, {\"c\": 1}]}}",
	"{}",
	"{\"properties\": [1, 2], \"extra\": \"s\"}",
};

static const char *const conds[] = {
	"{\"field\": \"properties.x\", \"equals\": true}",
	"{\"field\": \"PROPERTIES.X\", \"equals\": \"true\"}",
	"{\"field\": \"properties.big\", \"exists\": true}",
	"{\"field\": \"properties.big.deep[2].q\", \"equals\": \"r\"}",
	"{\"field\": \"properties.disks[*].sku\", \"notEquals\": \"LRS\"}",
	"{\"field\": \"properties.disks[1]\", \"exists\": true}",
	"{\"field\": \"extra.a[*].b\", \"in\": [1, 2]}",
	"{\"field\": \"extra.a[*][*].b\", \"equals\": 1}",
	"{\"count\": {\"field\": \"properties.rules[*]\"}, \"greater\": 2}",
	"{\"count\": {\"field\": \"extra.a[*].b[*]\"}, \"equals\": 2}",
	"{\"count\": {\"field\": \"properties.rules[*]\", \"where\": {\"allOf\": ["
	"{\"field\": \"properties.rules[*].properties.access\", \"equals\": \"Allow\"},"
	"{\"field\": \"properties.rules[*].properties.port\", \"in\": [\"22\", \"*\"]}]}}, \"less\": 1}",
	"{\"count\": {\"field\": \"extra.a[*]\", \"where\": {\"count\": {\"field\": "
	"\"extra.a[*].b[*]\", \"where\": {\"field\": \"extra.a[*].b[*]\", \"equals\": 2}}, "
	"\"greater\": 0}}, \"equals\": 1}",
	"{\"count\": {\"value\": [\"a\", \"b\"], \"name\": \"v\", \"where\": {\"field\": "
	"\"tags.env\", \"equals\": \"prod\"}}, \"equals\": 2}",
	"{\"anyOf\": [{\"not\": {\"field\": \"name\", \"exists\": true}}, "
	"{\"field\": \"tags\", \"containsKey\": \"env\"}]}",
	"{\"field\": \"properties.rules[*].properties\", \"exists\": true}",
	"{\"field\": \"extra\", \"equals\": \"s\"}",
};

static void test_same_outcome(void **state)
{
	struct fx *f = *state;
	for (size_t ci = 0; ci < sizeof(conds) / sizeof(conds[0]); ci++) {
		const struct bl_cond *c = compile_ok(f, conds[ci]);
		struct bl_json_keep *k = NULL;
		assert_int_equal(bl_json_keep_new(&k), 0);
		assert_int_equal(bl_cond_keep(c, k), 0);
		for (size_t di = 0; di < sizeof(docs) / sizeof(docs[0]); di++) {
			const char *full = outcome(f, c, parse_keep(f, docs[di], NULL));
			const char *kept = outcome(f, c, parse_keep(f, docs[di], k));
			if (strcmp(full, kept) != 0)
				fail_msg("cond %s\ndoc %s\nfull: %s\nkept: %s", conds[ci], docs[di], full,
					 kept);
		}
		bl_json_keep_free(k);
	}
}

static void test_what_is_kept(void **state)
{
	struct fx *f = *state;
	/* The keep set really drops what no path names. */
	const struct bl_cond *c = compile_ok(f,
		"{\"count\": {\"field\": \"properties.rules[*]\", \"where\": "
		"{\"field\": \"properties.rules[*].properties.access\", \"equals\": \"Allow\"}}, "
		"\"less\": 1}");
	struct bl_json_keep *k = NULL;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_cond_keep(c, k), 0);
	const struct bl_value *v = parse_keep(f, docs[0], k);
	assert_int_equal(v->u.obj.n, 1);
	const struct bl_value *p = bl_value_getz(v, "properties");
	assert_int_equal(p->u.obj.n, 1);
	const struct bl_value *rules = bl_value_getz(p, "rules");
	assert_int_equal(rules->u.arr.n, 5);  /* every element, for the count */
	const struct bl_value *r0 = bl_value_getz(&rules->u.arr.items[0], "properties");
	assert_int_equal(r0->u.obj.n, 1);     /* access only */
	assert_non_null(bl_value_getz(r0, "access"));
	assert_int_equal(rules->u.arr.items[4].u.obj.n, 0);
	bl_json_keep_free(k);
	/* A compared value is kept whole. */
	c = compile_ok(f, "{\"field\": \"Extra\", \"exists\": true}");
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_cond_keep(c, k), 0);
	uint32_t node;
	assert_int_equal(bl_json_keep_child(k, 0, "extra", 5, &node), 0);
	assert_true(bl_json_keep_is_all(k, node));
	bl_json_keep_free(k);
}

static void test_expressions(void **state)
{
	struct fx *f = *state;
	static const char *const dynamic[] = {
		"{\"value\": \"[field('properties.x')]\", \"equals\": true}",
		"{\"field\": \"name\", \"equals\": \"[field('id')]\"}",
		"{\"allOf\": [{\"field\": \"a\", \"exists\": true}, "
		"{\"value\": \"[length(field('b'))]\", \"equals\": 1}]}",
		"{\"count\": {\"field\": \"a[*]\", \"where\": {\"value\": \"[current('a[*].b')]\", "
		"\"equals\": 1}}, \"equals\": 0}",
	};
	for (size_t i = 0; i < sizeof(dynamic) / sizeof(dynamic[0]); i++) {
		const struct bl_cond *c = compile_ok(f, dynamic[i]);
		struct bl_json_keep *k = NULL;
		assert_int_equal(bl_json_keep_new(&k), 0);
		if (bl_cond_keep(c, k) != 1)
			fail_msg("expected 'keep everything' for %s", dynamic[i]);
		bl_json_keep_free(k);
	}
	/* A folded constant expression reads nothing at run time. */
	const struct bl_cond *c = compile_ok(f, "{\"field\": \"a\", \"equals\": \"[concat('x', 'y')]\"}");
	struct bl_json_keep *k = NULL;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_cond_keep(c, k), 0);
	assert_int_equal(bl_cond_keep(NULL, k), 0);
	bl_json_keep_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expressions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
