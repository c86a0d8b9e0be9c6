/*
 * test_value.c - object member lookup (bl_value_member, bl_obj_member):
 * exact case wins wherever it is, else the first case-insensitive match;
 * keys of every length around the word-compare boundaries of bl_mem_eq;
 * empty keys; non-objects.
 */
#include "testutil.h"

#include "doc/value.h"

static void test_exact_wins_fold_first(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *o =
		tu_json(&a, "{\"Name\":1,\"NAME\":2,\"name\":3,\"other\":4,\"nAmE\":5,\"\":6}");
	assert_int_equal(bl_value_get(o, "name", 4)->u.num.d, 3);
	assert_int_equal(bl_value_get(o, "NAME", 4)->u.num.d, 2);
	assert_int_equal(bl_value_get(o, "nAmE", 4)->u.num.d, 5);
	assert_int_equal(bl_value_get(o, "naME", 4)->u.num.d, 1);   /* first folded */
	assert_int_equal(bl_value_get(o, "OTHER", 5)->u.num.d, 4);
	assert_int_equal(bl_value_get(o, "", 0)->u.num.d, 6);
	assert_null(bl_value_get(o, "nam", 3));
	assert_null(bl_value_get(o, "names", 5));
	assert_null(bl_value_get(o, "mame", 4));
	assert_null(bl_value_getz(NULL, "x"));
	assert_null(bl_value_getz(tu_json(&a, "[1]"), "x"));
	const struct bl_member *m = bl_value_member(o, "NaMe", 4);
	assert_non_null(m);
	assert_int_equal(m->klen, 4);
	assert_memory_equal(m->key, "Name", 4);
	bl_arena_free(&a);
}

/* Keys that differ in one byte at every position, for lengths 1..40 (the
 * word compares cover 4..16 bytes with overlapping loads). */
static void test_lengths(void **state)
{
	(void)state;
	for (size_t len = 1; len <= 40; len++) {
		char key[41], probe[41];
		for (size_t i = 0; i < len; i++)
			key[i] = (char)('a' + i % 26);
		key[len] = '\0';
		struct bl_member m = {.key = key, .klen = (uint32_t)len, .val = {.type = BL_VNULL}};
		struct bl_value o = {.type = BL_VOBJ};
		o.u.obj.items = &m;
		o.u.obj.n = 1;
		assert_true(bl_mem_eq(key, key, len));
		assert_ptr_equal(bl_value_get(&o, key, len), &m.val);
		for (size_t i = 0; i < len; i++) {
			memcpy(probe, key, len + 1);
			probe[i] = '#';
			assert_false(bl_mem_eq(key, probe, len));
			assert_null(bl_value_get(&o, probe, len));
			/* the same key in upper case at position i: a folded match */
			memcpy(probe, key, len + 1);
			probe[i] = (char)(probe[i] - 32);
			assert_ptr_equal(bl_value_get(&o, probe, len), &m.val);
		}
	}
	assert_true(bl_mem_eq("", "x", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_wins_fold_first),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
