/*
 * test_yaml_keys.c - the YAML reader's key table and UTF-8 check across the
 * lengths where their word-at-a-time paths change (0-3, 4-7, 8, 9-16, more):
 * keys that differ in any one byte are different keys, the same key again is
 * a duplicate, non-ASCII text at any offset is kept, and a key's table entry
 * leaves with its mapping.
 */
#include "testutil.h"

#include "doc/yaml.h"

static const struct bl_value *parse_ok(struct bl_arena *a, const char *text)
{
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *v = NULL;
	int rc = bl_yaml_parse(&v, a, text, strlen(text), "k.yaml", NULL, &err);
	if (rc != 0)
		fail_msg("unexpected error %d %u:%u %s", rc, err.line, err.col, err.msg);
	return v;
}

static void test_keys_differing_in_one_byte(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	for (size_t len = 1; len <= 24; len++) {
		/* the base key, then one variant per position */
		struct bl_buf b;
		bl_buf_init(&b, 0);
		char key[32];
		memset(key, 'k', len);
		key[len] = '\0';
		bl_buf_printf(&b, "%s: 0\n", key);
		for (size_t i = 0; i < len; i++) {
			key[i] = 'q';
			bl_buf_printf(&b, "%s: %zu\n", key, i + 1);
			key[i] = 'k';
		}
		const struct bl_value *v = parse_ok(&a, b.data);
		assert_int_equal(v->type, BL_VOBJ);
		assert_int_equal(v->u.obj.n, len + 1);
		/* and the base key once more is refused, with its first line */
		bl_buf_printf(&b, "%s: again\n", key);
		struct bl_error err;
		bl_error_clear(&err);
		const struct bl_value *dup = NULL;
		assert_int_equal(bl_yaml_parse(&dup, &a, b.data, b.len, "k.yaml", NULL, &err),
				 BL_EINVAL);
		assert_int_equal(err.line, (uint32_t)len + 2);
		assert_int_equal(err.col, 1);
		assert_non_null(strstr(err.msg, "(first defined at line 1)"));
		bl_buf_free(&b);
	}
	bl_arena_free(&a);
}

static void test_same_keys_in_sibling_mappings(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = parse_ok(&a,
		"- {abc: 1, abcdefgh: 2, abcdefghi: 3}\n"
		"- {abc: 1, abcdefgh: 2, abcdefghi: 3}\n"
		"- {'': 1, abcdefghijklmnopq: {abcdefghijklmnopq: 2}}\n");
	assert_int_equal(v->u.arr.n, 3);
	assert_non_null(bl_value_getz(&v->u.arr.items[2], ""));
	bl_arena_free(&a);
}

static void test_non_ascii_at_every_offset(void **state)
{
	(void)state;
	static const char *const ch[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	struct bl_arena a;
	bl_arena_init(&a, 0);
	for (size_t c = 0; c < 3; c++) {
		for (size_t len = 0; len <= 20; len++) {
			for (size_t at = 0; at <= len; at++) {
				char s[64];
				size_t k = strlen(ch[c]), n = 0;
				memset(s, 'x', at);
				n = at;
				memcpy(s + n, ch[c], k);
				n += k;
				memset(s + n, 'y', len - at);
				n += len - at;
				s[n] = '\0';
				char text[160];
				snprintf(text, sizeof(text), "%s: \"%s\"\n", s, s);
				const struct bl_value *v = parse_ok(&a, text);
				const struct bl_value *val = bl_value_getz(v, s);
				assert_non_null(val);
				assert_int_equal(val->type, BL_VSTR);
				assert_int_equal(val->u.str.len, n);
				assert_memory_equal(val->u.str.s, s, n);
			}
		}
	}
	bl_arena_free(&a);
}

static void test_anchor_names_of_every_length(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char name[32];
	for (size_t len = 1; len <= 20; len++) {
		memset(name, 'n', len);
		name[len] = '\0';
		bl_buf_printf(&b, "d%zu: &%s %zu\n", len, name, len);
	}
	for (size_t len = 1; len <= 20; len++) {
		memset(name, 'n', len);
		name[len] = '\0';
		bl_buf_printf(&b, "u%zu: *%s\n", len, name);
	}
	const struct bl_value *v = parse_ok(&a, b.data);
	for (size_t len = 1; len <= 20; len++) {
		char k[8];
		snprintf(k, sizeof(k), "u%zu", len);
		const struct bl_value *u = bl_value_getz(v, k);
		assert_non_null(u);
		assert_int_equal(u->type, BL_VNUM);
		assert_int_equal((int)u->u.num.d, (int)len);
	}
	bl_buf_free(&b);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_differing_in_one_byte),
		cmocka_unit_test(test_same_keys_in_sibling_mappings),
		cmocka_unit_test(test_non_ascii_at_every_offset),
		cmocka_unit_test(test_anchor_names_of_every_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
