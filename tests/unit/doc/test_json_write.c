/*
 * test_json_write.c - bl_json_write_str and bl_json_write against a byte-wise
 * reference of the escaping rule: ASCII strings go through the in-place block
 * writer when the buffer has room, others (and full buffers) through the
 * byte loop, and both must give the same bytes; a buffer with a maximum
 * fails stickily wherever the document stops fitting.
 */
#include "testutil.h"

#include "doc/json.h"

/* The rule in json_write.c's header, one byte at a time. */
static void ref_str(struct bl_buf *b, const unsigned char *s, size_t n)
{
	bl_buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c == '"' || c == '\\') {
			bl_buf_addc(b, '\\');
			bl_buf_addc(b, (char)c);
			i++;
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
			bl_buf_addc(b, '\\');
			bl_buf_addc(b, c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n'
				    : c == '\r' ? 'r' : 't');
			i++;
		} else if (c < 0x20) {
			bl_buf_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			bl_buf_addc(b, (char)c);
			i++;
		} else if (c == 0xE2 && n - i >= 3 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			bl_buf_adds(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
			i += 3;
		} else if (c == 0xC3 && n - i >= 2 && s[i + 1] == 0xA9) {  /* é */
			bl_buf_add(b, s + i, 2);
			i += 2;
		} else if (c == 0xF0 && n - i >= 4 && s[i + 1] == 0x9F && s[i + 2] == 0x98 &&
			   s[i + 3] == 0x80) {
			bl_buf_add(b, s + i, 4);
			i += 4;
		} else {
			bl_buf_adds(b, "\xEF\xBF\xBD");  /* only the pieces below occur */
			i++;
		}
	}
	bl_buf_addc(b, '"');
}

static const char *const pieces[] = {
	"a", "b", "Z", "0", " ", "~", "\x7f", "\"", "\\", "\n", "\t", "\x01", "\x1f",
	"\xc3\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xf0\x9f\x98\x80", "\xff", "\xc3",
};

/* A string of at least len bytes (a piece is not split): kind 0 draws plain
 * ASCII (the first 7 pieces), kind 1 ASCII with escapes (the first 13),
 * kind 2 any piece, non-ASCII and invalid bytes too. */
static size_t make(char *out, size_t len, uint32_t *seed, int kind)
{
	size_t np = kind == 0 ? 7 : kind == 1 ? 13 : sizeof(pieces) / sizeof(pieces[0]);
	size_t n = 0;
	while (n < len) {
		*seed = *seed * 1103515245u + 12345u;
		const char *p = pieces[(*seed >> 16) % np];
		size_t k = strlen(p);
		memcpy(out + n, p, k);
		n += k;
	}
	return n;
}

static void test_write_str_matches_reference(void **state)
{
	(void)state;
	static const size_t prefill[] = {0, 1, 7, 31, 200};
	uint32_t seed = 1;
	char s[128];
	for (int kind = 0; kind < 3; kind++) {
		for (size_t len = 0; len <= 90; len++) {
			for (int rep = 0; rep < 8; rep++) {
				size_t n = make(s, len, &seed, kind);
				for (size_t p = 0; p < sizeof(prefill) / sizeof(prefill[0]); p++) {
					struct bl_buf got, want;
					bl_buf_init(&got, 0);
					bl_buf_init(&want, 0);
					for (size_t i = 0; i < prefill[p]; i++) {
						bl_buf_addc(&got, 'x');
						bl_buf_addc(&want, 'x');
					}
					assert_int_equal(bl_json_write_str(&got, s, n), 0);
					ref_str(&want, (const unsigned char *)s, n);
					assert_int_equal(got.len, want.len);
					assert_memory_equal(got.data, want.data, want.len);
					assert_int_equal(got.data[got.len], '\0');
					/* a second string after the first, in the room left */
					assert_int_equal(bl_json_write_str(&got, s, n), 0);
					ref_str(&want, (const unsigned char *)s, n);
					assert_int_equal(got.len, want.len);
					assert_memory_equal(got.data, want.data, want.len);
					bl_buf_free(&got);
					bl_buf_free(&want);
				}
			}
		}
	}
}

static void test_write_compact_and_limits(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const char *text = "{\"a\":[1,\"x\",{\"b\":null,\"c\":[]},true],\"d\":{},"
			   "\"long key with \\\"quotes\\\" and more than 32 bytes\":"
			   "[\"\xc3\xa9t\xc3\xa9\",\"\\u2028\",[[[\"deep\"]]]],\"e\":-1.5e3}";
	const struct bl_value *v = tu_json(&a, text);
	struct bl_buf full;
	bl_buf_init(&full, 0);
	assert_int_equal(bl_json_write(&full, v, 0), 0);
	assert_string_equal(full.data,
			    "{\"a\":[1,\"x\",{\"b\":null,\"c\":[]},true],\"d\":{},"
			    "\"long key with \\\"quotes\\\" and more than 32 bytes\":"
			    "[\"\xc3\xa9t\xc3\xa9\",\"\\u2028\",[[[\"deep\"]]]],\"e\":-1.5e3}");
	/* every maximum below the size fails, sticky; the size itself fits */
	for (size_t max = 1; max <= full.len; max++) {
		struct bl_buf b;
		bl_buf_init(&b, max);
		int rc = bl_json_write(&b, v, 0);
		if (max < full.len) {
			assert_int_not_equal(rc, 0);
			assert_true(b.failed);
			assert_true(b.len <= max);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(b.data, full.data);
		}
		bl_buf_free(&b);
	}
	bl_buf_free(&full);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_str_matches_reference),
		cmocka_unit_test(test_write_compact_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
