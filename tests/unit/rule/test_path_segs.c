/*
 * test_path_segs.c - bl_path_compile's segment storage: keys are
 * NUL-terminated strings of their own length (cut out of one copy of the
 * text), the text stays as written, and paths with more segments than the
 * local array holds keep every segment.
 */
#include "testutil.h"

#include "rule/path.h"

static void keys_are_terminated(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_path p;
	const char *text = "a.bc[*].tags[x.y][3]['q''d'].z";
	assert_int_equal(bl_path_compile(&p, text, strlen(text), &a, &err), 0);
	assert_string_equal(p.text, text);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.nall, 1);
	const char *keys[] = {"a", "bc", NULL, "tags", "x.y", NULL, "q'd", "z"};
	for (uint32_t i = 0; i < p.n; i++) {
		if (!keys[i])
			continue;
		assert_int_equal(p.segs[i].kind, BL_SEG_KEY);
		assert_string_equal(p.segs[i].key, keys[i]);
		assert_int_equal(p.segs[i].klen, strlen(keys[i]));
	}
	assert_int_equal(p.segs[2].kind, BL_SEG_ALL);
	assert_int_equal(p.segs[5].kind, BL_SEG_INDEX);
	assert_int_equal(p.segs[5].index, 3);
	bl_arena_free(&a);
}

static void many_segments(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	char text[512];
	size_t len = 0;
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%sk%d[*]", i ? "." : "", i);
	struct bl_path p;
	assert_int_equal(bl_path_compile(&p, text, len, &a, &err), 0);
	assert_int_equal(p.n, 80);
	assert_int_equal(p.nall, 40);
	char want[16];
	for (int i = 0; i < 40; i++) {
		snprintf(want, sizeof(want), "k%d", i);
		assert_string_equal(p.segs[2 * i].key, want);
		assert_int_equal(p.segs[2 * i + 1].kind, BL_SEG_ALL);
	}
	/* the same document path resolves through every segment */
	assert_string_equal(p.text, text);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_are_terminated),
		cmocka_unit_test(many_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
