/*
 * test_json_slow.c - doc/json_slow.c, the JSON reader's cold half, through
 * the public bl_json_parse: strings with escapes (short ones, \u escapes,
 * surrogate pairs) decoded exactly, raw UTF-8 accepted and every class of
 * invalid UTF-8 refused, control characters, unterminated strings, the
 * messages for a byte that cannot start a value or follows the value, and
 * duplicate keys (the key as shown in the message).  Every case is read
 * four ways -- checked or padded buffer, full or selective parse (which
 * validates the skipped member with bl_json_skip_string_slow and reports
 * through a full re-parse) -- and must give the exact same code, message,
 * line and column each time.
 */
#include "testutil.h"

/* Literal with its exact length, so cases may hold NUL bytes. */
#define L(s) s, sizeof(s) - 1

struct scase {
	const char *text;
	size_t len;
	int rc;              /* 0 = valid */
	uint32_t line, col;  /* error position */
	const char *msg;     /* exact message; for a valid case the decoded text of
				member "v" of the root (NULL: not checked) */
	size_t vlen;
};

/* Read text one way: bit 0 = padded buffer (a newline after the value and
 * BL_JSON_PAD readable bytes), bit 1 = selective parse keeping only member
 * "k" of the root.  The buffer is an exact-size heap block otherwise, so
 * that a sanitizer sees any read past the end; *buf is freed by the caller. */
static int parse_way(struct bl_arena *a, const char *text, size_t len, int way,
		     const struct bl_json_keep *keep, const struct bl_value **v,
		     struct bl_error *err, char **buf)
{
	bool padded = way & 1;
	*buf = malloc(padded ? len + BL_JSON_PAD : (len ? len : 1));
	assert_non_null(*buf);
	memcpy(*buf, text, len);
	if (padded) {
		memset(*buf + len, 0, BL_JSON_PAD);
		(*buf)[len] = '\n';
	}
	struct bl_json_opts o = {.padded = padded, .keep = (way & 2) ? keep : NULL};
	bl_error_clear(err);
	*v = NULL;
	return bl_json_parse(v, a, *buf, len, "s.json", &o, err);
}

static void run_cases(const struct scase *cases, size_t n)
{
	struct bl_json_keep *keep = NULL;
	assert_int_equal(bl_json_keep_new(&keep), 0);
	uint32_t node;
	assert_int_equal(bl_json_keep_child(keep, 0, "k", 1, &node), 0);
	bl_json_keep_all(keep, node);
	for (size_t i = 0; i < n; i++) {
		const struct scase *c = &cases[i];
		for (int way = 0; way < 4; way++) {
			struct bl_arena a;
			bl_arena_init(&a, 0);
			const struct bl_value *v;
			struct bl_error err;
			char *buf;
			int rc = parse_way(&a, c->text, c->len, way, keep, &v, &err, &buf);
			if (rc != c->rc)
				fail_msg("case %zu way %d: rc %d, want %d (%u:%u %s)", i, way, rc,
					 c->rc, err.line, err.col, rc ? err.msg : "");
			if (rc) {
				if (err.line != c->line || err.col != c->col ||
				    strcmp(err.msg, c->msg) != 0 || strcmp(err.file, "s.json") != 0)
					fail_msg("case %zu way %d: got %u:%u \"%s\"\n want %u:%u \"%s\"",
						 i, way, err.line, err.col, err.msg, c->line, c->col,
						 c->msg);
			} else if (c->msg && !(way & 2)) {
				size_t len;
				const char *s = bl_value_strz(v, "v", &len);
				if (!s || len != c->vlen || memcmp(s, c->msg, len) != 0)
					fail_msg("case %zu way %d: decoded text differs", i, way);
			} else if (way & 2) {
				/* skipped, validated, not built */
				assert_null(bl_value_getz(v, "v"));
			}
			free(buf);
			bl_arena_free(&a);
		}
	}
	bl_json_keep_free(keep);
}

/* ---- escapes and surrogate pairs ------------------------------------ */

static const struct scase escape_cases[] = {
	{L("{\"v\": \"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}"), 0, 0, 0,
	 L("a\"b\\c/d\be\ff\ng\rh\ti")},
	{L("{\"v\": \"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\uDBFF\\uDFFF\"}"), 0, 0, 0,
	 L("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf")},
	{L("{\"v\": \"\\u0000x\\u007f\\u0080\\u07ff\\u0800\\uffff\"}"), 0, 0, 0,
	 L("\0x\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf")},
	/* an escape after raw UTF-8, raw UTF-8 after an escape */
	{L("{\"v\": \"\xc3\xa9\\n\xe2\x82\xac\"}"), 0, 0, 0, L("\xc3\xa9\n\xe2\x82\xac")},
	/* an escaped key is decoded: it is "v" */
	{L("{\"\\u0076\": \"\\t\", \"k\": 1}"), 0, 0, 0, L("\t")},
	{L("{\"v\": \"a\\x\"}"), BL_EINVAL, 1, 9, "invalid escape '\\x' in string", 0},
	{L("{\"v\": \"a\\\x01\"}"), BL_EINVAL, 1, 9,
	 "invalid escape: '\\' followed by byte 0x01 in string", 0},
	{L("{\"v\": \"\\u12G4\"}"), BL_EINVAL, 1, 8,
	 "invalid \\u escape in string: expected 4 hex digits", 0},
	/* fewer than 4 characters before the closing quote */
	{L("{\"v\": \"\\u12\"}"), BL_EINVAL, 1, 8,
	 "invalid \\u escape in string: expected 4 hex digits", 0},
	{L("{\"v\": \"x\\uDC00\"}"), BL_EINVAL, 1, 9, "unexpected low surrogate \\uDC00 in "
	 "string (no high surrogate \\uD800-\\uDBFF before it)", 0},
	{L("{\"v\": \"\\uD800\"}"), BL_EINVAL, 1, 8, "lone high surrogate \\uD800 in string "
	 "(must be followed by a low surrogate \\uDC00-\\uDFFF)", 0},
	{L("{\"v\": \"\\uDBFF\\u0041\"}"), BL_EINVAL, 1, 8, "lone high surrogate \\uDBFF in "
	 "string (must be followed by a low surrogate \\uDC00-\\uDFFF)", 0},
	{L("{\"v\": \"\\uD800\\n\"}"), BL_EINVAL, 1, 8, "lone high surrogate \\uD800 in string "
	 "(must be followed by a low surrogate \\uDC00-\\uDFFF)", 0},
	/* in a key, on the third line */
	{L("{\n  \"k\": 1,\n  \"a\\q\": 2}"), BL_EINVAL, 3, 5, "invalid escape '\\q' in string", 0},
	{L("\"\\uD83D\\uDE00\""), 0, 0, 0, NULL, 0},
};

static void test_escapes(void **state)
{
	(void)state;
	run_cases(escape_cases, sizeof(escape_cases) / sizeof(escape_cases[0]));
}

/* ---- UTF-8, control characters, unterminated strings ----------------- */

static const struct scase utf8_cases[] = {
	{L("{\"v\": \"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80"
	   "\xf4\x8f\xbf\xbf\"}"), 0, 0, 0,
	 L("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf")},
	{L("{\"v\": \"a\x80\"}"), BL_EINVAL, 1, 9, "invalid UTF-8 byte 0x80 in string", 0},
	{L("{\"v\": \"\xc0\xaf\"}"), BL_EINVAL, 1, 8, "invalid UTF-8 byte 0xC0 in string", 0},
	{L("{\"v\": \"\xf5\x80\x80\x80\"}"), BL_EINVAL, 1, 8, "invalid UTF-8 byte 0xF5 in string", 0},
	{L("{\"v\": \"\xe0\x80\xaf\"}"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: overlong encoding 0xE0 0x80", 0},
	{L("{\"v\": \"\xf0\x8f\xbf\xbf\"}"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: overlong encoding 0xF0 0x8F", 0},
	{L("{\"v\": \"\xed\xa0\x80\"}"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: UTF-16 surrogate encoded as 0xED 0xA0", 0},
	{L("{\"v\": \"\xf4\x90\x80\x80\"}"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: code point above U+10FFFF (0xF4 0x90)", 0},
	{L("{\"v\": \"\xe2\x82\"}"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: truncated sequence starting with byte 0xE2", 0},
	{L("{\"v\": \"\xc3"), BL_EINVAL, 1, 8,
	 "invalid UTF-8 in string: truncated sequence starting with byte 0xC3", 0},
	/* after an escape: the decoding loop checks it */
	{L("{\"v\": \"\\n\xff\"}"), BL_EINVAL, 1, 10, "invalid UTF-8 byte 0xFF in string", 0},
	{L("{\"v\": \"\\n\xf4\x90\x80\x80\"}"), BL_EINVAL, 1, 10,
	 "invalid UTF-8 in string: code point above U+10FFFF (0xF4 0x90)", 0},
	{L("{\"v\": \"a\tb\"}"), BL_EINVAL, 1, 9,
	 "raw control character 0x09 in string (write it as \\t)", 0},
	{L("{\"v\": \"a\nb\"}"), BL_EINVAL, 1, 9,
	 "raw control character 0x0A in string (write it as \\n)", 0},
	{L("{\"v\": \"\x1f\"}"), BL_EINVAL, 1, 8,
	 "raw control character 0x1F in string (write it as \\u001F)", 0},
	{L("{\"v\": \"a\0\"}"), BL_EINVAL, 1, 9, "NUL byte in string (write it as \\u0000)", 0},
	{L("{\"v\": \"\\\"\x01\"}"), BL_EINVAL, 1, 10,
	 "raw control character 0x01 in string (write it as \\u0001)", 0},
	{L("{\"v\": \"abc"), BL_EINVAL, 1, 7, "unterminated string (no closing '\"')", 0},
	{L("{\"v\": \"a\\n"), BL_EINVAL, 1, 7, "unterminated string (no closing '\"')", 0},
	{L("{\"v\": \"\xc3\xa9"), BL_EINVAL, 1, 7, "unterminated string (no closing '\"')", 0},
};

static void test_utf8_and_controls(void **state)
{
	(void)state;
	run_cases(utf8_cases, sizeof(utf8_cases) / sizeof(utf8_cases[0]));
}

/* Strings longer than the inline scan looks at (keys past 32 bytes, values
 * past 256), with the special byte at every offset around the 16-byte
 * blocks of the slow scan: decoded text and error columns. */
static void test_long_strings(void **state)
{
	(void)state;
	static const size_t lens[] = {0, 1, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300, 1000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i];
		char *doc = malloc(n + 64);
		char *want = malloc(n + 8);
		assert_non_null(doc);
		assert_non_null(want);
		/* {"v": "xxx...\u00e9"} */
		size_t h = (size_t)snprintf(doc, 16, "{\"v\": \"");
		memset(doc + h, 'x', n);
		memcpy(doc + h + n, "\\u00e9\"}", 8);
		memset(want, 'x', n);
		memcpy(want + n, "\xc3\xa9", 2);
		struct scase ok[1] = {{doc, h + n + 8, 0, 0, 0, want, n + 2}};
		run_cases(ok, 1);
		/* the same with a raw control character where the escape was */
		memcpy(doc + h + n, "\x02\"}", 3);
		struct scase bad[1] = {{doc, h + n + 3, BL_EINVAL, 1, (uint32_t)(h + n + 1),
					"raw control character 0x02 in string (write it as \\u0002)", 0}};
		run_cases(bad, 1);
		/* a key of n bytes ending in an invalid escape */
		size_t hk = (size_t)snprintf(doc, 4, "{\"");
		memset(doc + hk, 'k', n);
		memcpy(doc + hk + n, "\\z\": 1}", 7);
		struct scase badkey[1] = {{doc, hk + n + 7, BL_EINVAL, 1, (uint32_t)(hk + n + 1),
					   "invalid escape '\\z' in string", 0}};
		run_cases(badkey, 1);
		free(want);
		free(doc);
	}
}

/* ---- what cannot start a value, what follows the value --------------- */

static const struct scase value_cases[] = {
	{L("[+1]"), BL_EINVAL, 1, 2, "unexpected '+': numbers cannot start with '+'", 0},
	{L("[.5]"), BL_EINVAL, 1, 2, "unexpected '.': numbers need a digit before '.'", 0},
	{L("[NaN]"), BL_EINVAL, 1, 2, "unexpected 'N': NaN and Infinity are not JSON", 0},
	{L("{\"v\": Infinity}"), BL_EINVAL, 1, 7, "unexpected 'I': NaN and Infinity are not JSON", 0},
	{L("{\"v\": 'a'}"), BL_EINVAL, 1, 7, "unexpected \"'\": JSON strings use double quotes", 0},
	{L("{\"v\": x}"), BL_EINVAL, 1, 7, "unexpected 'x': expected a value", 0},
	{L("{\"v\":\n\x01}"), BL_EINVAL, 2, 1, "unexpected byte 0x01: expected a value", 0},
	{L("[\x7f]"), BL_EINVAL, 1, 2, "unexpected byte 0x7F: expected a value", 0},
	{L("[\xff]"), BL_EINVAL, 1, 2, "unexpected byte 0xFF: expected a value", 0},
	{L("[\0]"), BL_EINVAL, 1, 2, "unexpected NUL byte: expected a value", 0},
	{L("{\"v\": "), BL_EINVAL, 1, 7, "unexpected end of input: expected a value", 0},
	{L("[1,"), BL_EINVAL, 1, 4, "unexpected end of input: expected a value", 0},
	{L("1 x"), BL_EINVAL, 1, 3, "unexpected 'x' after the JSON value", 0},
	{L("{}\n \x80"), BL_EINVAL, 2, 2, "unexpected byte 0x80 after the JSON value", 0},
	{L("\"a\"\0"), BL_EINVAL, 1, 4, "unexpected NUL byte after the JSON value", 0},
	{L("{\"k\": 1} {"), BL_EINVAL, 1, 10, "unexpected '{' after the JSON value", 0},
};

static void test_value_messages(void **state)
{
	(void)state;
	run_cases(value_cases, sizeof(value_cases) / sizeof(value_cases[0]));
}

/* ---- duplicate keys -------------------------------------------------- */

static const struct scase dup_cases[] = {
	{L("{\"a\": 1, \"a\": 2}"), BL_EINVAL, 1, 10,
	 "duplicate key \"a\" (first at line 1, column 2)", 0},
	/* equal once decoded; the message shows the decoded key */
	{L("{\"a\": 1,\n \"\\u0061\": 2}"), BL_EINVAL, 2, 2,
	 "duplicate key \"a\" (first at line 1, column 2)", 0},
	/* control characters of a key show as '?' */
	{L("{\"a\\u0001b\\u007f\": 1, \"a\\u0001b\\u007f\": 2}"), BL_EINVAL, 1, 23,
	 "duplicate key \"a?b?\" (first at line 1, column 2)", 0},
	/* in a skipped member's object: reported by the full re-parse */
	{L("{\"v\": {\"x\": 1, \"y\": [{\"x\": 1}], \"x\": 2}}"), BL_EINVAL, 1, 33,
	 "duplicate key \"x\" (first at line 1, column 8)", 0},
};

static void test_duplicate_keys(void **state)
{
	(void)state;
	run_cases(dup_cases, sizeof(dup_cases) / sizeof(dup_cases[0]));
}

/* A long key is cut to 76 bytes and "..." in the message, in a small object
 * (scanned) and in a large one (hash table: 40 members before it). */
static void test_duplicate_key_long(void **state)
{
	(void)state;
	char key[101];
	memset(key, 'k', 100);
	key[100] = '\0';
	char want[160];
	snprintf(want, sizeof(want), "duplicate key \"%.76s...\" (first at line 1, column 2)", key);
	char doc[2048];
	int n = snprintf(doc, sizeof(doc), "{\"%s\": 1, \"%s\": 2}", key, key);
	struct scase small[1] = {{doc, (size_t)n, BL_EINVAL, 1, 109, want, 0}};
	run_cases(small, 1);

	size_t o = (size_t)snprintf(doc, sizeof(doc), "{\"%s\": 1", key);
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, ", \"m%02d\": %d", i, i);
	uint32_t col = (uint32_t)o + 3;
	o += (size_t)snprintf(doc + o, sizeof(doc) - o, ", \"%s\": 2}", key);
	struct scase large[1] = {{doc, o, BL_EINVAL, 1, col, want, 0}};
	run_cases(large, 1);

	/* a key of exactly 76 bytes is shown whole: nothing was cut */
	memset(key, 'q', 76);
	key[76] = '\0';
	snprintf(want, sizeof(want), "duplicate key \"%s\" (first at line 1, column 2)", key);
	n = snprintf(doc, sizeof(doc), "{\"%s\": 1, \"%s\": 2}", key, key);
	struct scase edge[1] = {{doc, (size_t)n, BL_EINVAL, 1, 85, want, 0}};
	run_cases(edge, 1);

	/* one byte more is cut */
	memset(key, 'q', 77);
	key[77] = '\0';
	snprintf(want, sizeof(want), "duplicate key \"%.76s...\" (first at line 1, column 2)", key);
	n = snprintf(doc, sizeof(doc), "{\"%s\": 1, \"%s\": 2}", key, key);
	struct scase cut[1] = {{doc, (size_t)n, BL_EINVAL, 1, 86, want, 0}};
	run_cases(cut, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_and_controls),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_value_messages),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_duplicate_key_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
