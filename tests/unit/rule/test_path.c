/*
 * test_path.c - field path splitting (quoted keys, indexes, [*]), error
 * columns, and resolution against documents.
 */
#include "testutil.h"

#include "rule/path.h"

static void path_ok(struct bl_arena *a, struct bl_path *p, const char *text)
{
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_path_compile(p, text, strlen(text), a, &err);
	if (rc != 0)
		fail_msg("path %s: %s (col %u)", text, err.msg, err.col);
}

static void path_bad(const char *text, uint32_t col)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_path p;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_path_compile(&p, text, strlen(text), &a, &err);
	if (rc != BL_EINVAL)
		fail_msg("path %s: expected an error", text);
	if (err.col != col)
		fail_msg("path %s: error column %u, want %u (%s)", text, err.col, col, err.msg);
	bl_arena_free(&a);
}

static void test_split(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_path p;
	path_ok(&a, &p, "properties.securityRules[*].properties.access");
	assert_int_equal(p.n, 5);
	assert_int_equal(p.nall, 1);
	assert_int_equal(p.segs[0].kind, BL_SEG_KEY);
	assert_string_equal(p.segs[0].key, "properties");
	assert_string_equal(p.segs[1].key, "securityRules");
	assert_int_equal(p.segs[2].kind, BL_SEG_ALL);
	assert_string_equal(p.segs[4].key, "access");
	assert_string_equal(p.text, "properties.securityRules[*].properties.access");

	path_ok(&a, &p, "a[3].b");
	assert_int_equal(p.n, 3);
	assert_int_equal(p.segs[1].kind, BL_SEG_INDEX);
	assert_int_equal(p.segs[1].index, 3);
	assert_int_equal(p.nall, 0);

	path_ok(&a, &p, "tags[\"cost-center\"]");
	assert_int_equal(p.n, 2);
	assert_string_equal(p.segs[1].key, "cost-center");

	path_ok(&a, &p, "sysctl[\"net.ipv4.ip_forward\"]");
	assert_int_equal(p.n, 2);
	assert_string_equal(p.segs[1].key, "net.ipv4.ip_forward");
	assert_int_equal(p.segs[1].klen, 19);

	path_ok(&a, &p, "file['/etc/shadow'].mode");
	assert_int_equal(p.n, 3);
	assert_string_equal(p.segs[1].key, "/etc/shadow");
	assert_string_equal(p.segs[2].key, "mode");

	path_ok(&a, &p, "tags['it''s']");
	assert_string_equal(p.segs[1].key, "it's");

	path_ok(&a, &p, "a[*][*].b");
	assert_int_equal(p.n, 4);
	assert_int_equal(p.nall, 2);

	path_ok(&a, &p, "tags[tag.with.dots].x");
	assert_int_equal(p.n, 3);
	assert_int_equal(p.segs[1].kind, BL_SEG_KEY);
	assert_string_equal(p.segs[1].key, "tag.with.dots");

	path_ok(&a, &p, "a[1x]");
	assert_int_equal(p.segs[1].kind, BL_SEG_KEY);
	assert_string_equal(p.segs[1].key, "1x");

	path_ok(&a, &p, "[*].name");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.segs[0].kind, BL_SEG_ALL);
	bl_arena_free(&a);
}

static void test_errors(void **state)
{
	(void)state;
	path_bad("", 1);
	path_bad("a..b", 3);
	path_bad(".a", 1);
	path_bad("a.", 2);
	path_bad("a[", 2);
	path_bad("a[*", 2);
	path_bad("a[\"x", 3);
	path_bad("a[\"\"]", 3);
	path_bad("a[]", 3);
	path_bad("a[x[y]]", 4);
	path_bad("a[x", 2);
	path_bad("a[*]b", 5);
	path_bad("a]b", 2);
	path_bad("a[99999999999]", 3);
}

static void test_resolve(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_json(&a,
		"{\"Properties\":{\"rules\":[{\"n\":1},{\"x\":2},{\"n\":3}]},"
		"\"tags\":{\"cost-center\":\"cc1\",\"a.b\":true},"
		"\"m\":[[1,2],[],[3]]}");
	struct bl_path p;
	path_ok(&a, &p, "properties.RULES[2].n");
	const struct bl_value *v = bl_path_get(&p, doc);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VNUM);
	assert_true(v->u.num.d == 3.0);

	path_ok(&a, &p, "properties.rules[3].n");
	assert_null(bl_path_get(&p, doc));
	path_ok(&a, &p, "tags.cost-center.x");
	assert_null(bl_path_get(&p, doc));
	path_ok(&a, &p, "tags['a.b']");
	v = bl_path_get(&p, doc);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VBOOL);

	path_ok(&a, &p, "properties.rules[*].n");
	assert_null(bl_path_get(&p, doc));
	v = bl_path_collect(&p, doc, &a);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 2);   /* the element without n is skipped */
	assert_true(v->u.arr.items[1].u.num.d == 3.0);

	path_ok(&a, &p, "m[*][*]");
	v = bl_path_collect(&p, doc, &a);
	assert_int_equal(v->u.arr.n, 3);
	assert_true(v->u.arr.items[2].u.num.d == 3.0);

	path_ok(&a, &p, "missing[*].x");
	v = bl_path_collect(&p, doc, &a);
	assert_non_null(v);
	assert_int_equal(v->u.arr.n, 0);

	path_ok(&a, &p, "properties.rules[*].n");
	v = bl_path_get_range(&p, 3, 4, &doc->u.obj.items[0].val.u.obj.items[0].val.u.arr.items[0]);
	assert_non_null(v);
	assert_true(v->u.num.d == 1.0);
	bl_arena_free(&a);
}

/* Key matching: an exact-case key wins wherever it sits, else the first
 * case-insensitive match (bl_value_get's rule, kept by path.c's own lookup). */
static void test_key_case(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_json(&a, "{\"NAME\": 1, \"Name\": 2, \"name\": 3, "
					      "\"Other\": 4, \"\": 5, \"nAme2\": 6}");
	struct bl_path p;
	const struct bl_value *v;
	path_ok(&a, &p, "name");
	v = bl_path_get(&p, doc);
	assert_non_null(v);
	assert_true(v->u.num.d == 3);
	path_ok(&a, &p, "Name");
	assert_true(bl_path_get(&p, doc)->u.num.d == 2);
	path_ok(&a, &p, "nAME");
	assert_true(bl_path_get(&p, doc)->u.num.d == 1);
	path_ok(&a, &p, "OTHER");
	assert_true(bl_path_get(&p, doc)->u.num.d == 4);
	path_ok(&a, &p, "NAME2");
	assert_true(bl_path_get(&p, doc)->u.num.d == 6);
	path_ok(&a, &p, "nam");
	assert_null(bl_path_get(&p, doc));
	path_ok(&a, &p, "names");
	assert_null(bl_path_get(&p, doc));
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_key_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
