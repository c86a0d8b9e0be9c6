/* Unit tests for util/arena.c and util/error.c. */
#include "testutil.h"

static void test_alloc_alignment_and_reuse(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 256);
	for (int i = 1; i < 1000; i++) {
		void *p = bl_arena_alloc(&a, (size_t)i % 37 + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	char *big = bl_arena_alloc(&a, 100000);   /* larger than a block */
	assert_non_null(big);
	memset(big, 1, 100000);
	bl_arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(bl_arena_alloc(&a, 64));
	bl_arena_free(&a);
}

static void test_limit_and_overflow(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	a.limit = 1024;
	assert_non_null(bl_arena_alloc(&a, 1000));
	assert_null(bl_arena_alloc(&a, 100));
	assert_null(bl_arena_calloc(&a, SIZE_MAX / 2, 4));
	assert_null(bl_arena_alloc(&a, SIZE_MAX));
	bl_arena_free(&a);
}

static void test_strings(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	assert_string_equal(bl_arena_strndup(&a, "hello world", 5), "hello");
	assert_string_equal(bl_arena_printf(&a, "%s-%d", "x", 7), "x-7");
	bl_arena_free(&a);
}

static void test_error_and_diags(void **state)
{
	(void)state;
	struct bl_error e;
	assert_int_equal(bl_error_set(&e, BL_EINVAL, "f.yaml", 3, 7, "bad %s", "thing"), BL_EINVAL);
	char buf[128];
	assert_string_equal(bl_error_format(&e, buf, sizeof(buf)), "f.yaml:3:7: bad thing");
	assert_int_equal(bl_error_exit_code(BL_EINVAL), 2);
	assert_int_equal(bl_error_exit_code(BL_ENOMEM), 3);
	struct bl_diags d;
	bl_diags_init(&d);
	bl_diag_add(&d, "b.yaml", 1, 1, "second file");
	bl_diag_add(&d, "a.yaml", 9, 2, "later");
	bl_diag_add(&d, "a.yaml", 2, 5, "earlier");
	bl_diag_add_error(&d, &e);
	bl_diags_sort(&d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.items[0].msg, "earlier");
	assert_string_equal(d.items[1].msg, "later");
	assert_string_equal(d.items[2].msg, "second file");
	assert_string_equal(d.items[3].file, "f.yaml");
	bl_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_alignment_and_reuse),
		cmocka_unit_test(test_limit_and_overflow),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_error_and_diags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
