/*
 * test_json.c - the JSON reader and writer: a conformance table of valid and
 * invalid documents (exact error line:col and message), nesting limits,
 * numbers, escapes, UTF-8 classes, duplicate keys, positions, round trips
 * through the writer, and the writer's exact output and escaping.
 */
#include "testutil.h"
#include "value_eq.h"

#include <dirent.h>
#include <math.h>
#include <time.h>

#define FIX "tests/fixtures/json/"

/* Literal with its exact length, so cases may hold NUL bytes. */
#define L(s) s, sizeof(s) - 1

/* ---- helpers -------------------------------------------------------- */

static int parse_n(struct bl_arena *a, const char *text, size_t len,
		   const struct bl_json_opts *o, const struct bl_value **v, struct bl_error *err)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	/* The tree may point into the buffer: keep it in the arena's lifetime. */
	char *kept = bl_arena_alloc(a, len ? len : 1);
	assert_non_null(kept);
	memcpy(kept, copy, len);
	free(copy);
	bl_error_clear(err);
	return bl_json_parse(v, a, kept, len, "t.json", o, err);
}

/* parse -> write (compact and pretty) -> parse gives the same tree. */
static void assert_round_trip(struct bl_arena *a, const struct bl_value *v)
{
	for (int indent = 0; indent <= 4; indent += 4) {
		struct bl_buf b;
		struct bl_error err;
		const struct bl_value *w = NULL;
		bl_buf_init(&b, 0);
		assert_int_equal(bl_json_write(&b, v, indent), 0);
		int rc = parse_n(a, b.data, b.len, NULL, &w, &err);
		if (rc)
			fail_msg("reparse failed: %u:%u %s in %s", err.line, err.col, err.msg, b.data);
		assert_true(tu_value_eq(v, w, 0));
		bl_buf_free(&b);
	}
}

static char *write_compact(const struct bl_value *v)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write(&b, v, 0), 0);
	return b.data;
}

/* ---- the conformance table ------------------------------------------ */

struct jcase {
	const char *text;
	size_t len;
	int rc;              /* 0 = valid */
	uint32_t line, col;  /* error position */
	const char *msg;     /* exact message (invalid) or compact output (valid; NULL = text) */
};

static const struct jcase cases[] = {
	/* valid: scalars */
	{L("null"), 0, 0, 0, NULL},
	{L("true"), 0, 0, 0, NULL},
	{L("false"), 0, 0, 0, NULL},
	{L("0"), 0, 0, 0, NULL},
	{L("-0"), 0, 0, 0, NULL},
	{L("1.50e3"), 0, 0, 0, NULL},
	{L("-12345678901234567890"), 0, 0, 0, NULL},
	{L("1e-400"), 0, 0, 0, NULL},
	{L("1.7976931348623157e308"), 0, 0, 0, NULL},
	{L("4.9e-324"), 0, 0, 0, NULL},
	{L("0e999999"), 0, 0, 0, NULL},
	{L("123.456E-7"), 0, 0, 0, NULL},
	{L("\"\""), 0, 0, 0, NULL},
	/* valid: containers and whitespace */
	{L(" \t\r\n[ 1 , 2 ]\n "), 0, 0, 0, "[1,2]"},
	{L("[]"), 0, 0, 0, NULL},
	{L("{}"), 0, 0, 0, NULL},
	{L("[[[]],{},[{}]]"), 0, 0, 0, NULL},
	{L("{\"a\": {\"b\": [true, false, null]}, \"c\": \"d\"}"), 0, 0, 0,
	 "{\"a\":{\"b\":[true,false,null]},\"c\":\"d\"}"},
	{L("{\"a\":1,\"A\":2,\"\":3}"), 0, 0, 0, NULL},
	/* valid: every escape */
	{L("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), 0, 0, 0, "\"\\\"\\\\/\\b\\f\\n\\r\\t\""},
	{L("\"\\u0041\\u00e9\\u20AC\""), 0, 0, 0, "\"A\xc3\xa9\xe2\x82\xac\""},
	{L("\"\\ud83d\\ude00\""), 0, 0, 0, "\"\xf0\x9f\x98\x80\""},
	{L("\"\\uDBFF\\uDFFF\""), 0, 0, 0, "\"\xf4\x8f\xbf\xbf\""},
	{L("\"a\\u0000b\""), 0, 0, 0, "\"a\\u0000b\""},
	{L("\"\\u2028\""), 0, 0, 0, "\"\\u2028\""},
	/* valid: UTF-8 at every class boundary */
	{L("\"\xc2\x80\xdf\xbf\""), 0, 0, 0, NULL},
	{L("\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\""), 0, 0, 0, NULL},
	{L("\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""), 0, 0, 0, NULL},

	/* invalid: structure */
	{L(""), BL_EINVAL, 1, 1, "empty document: expected a JSON value"},
	{L("  \n "), BL_EINVAL, 2, 2, "empty document: expected a JSON value"},
	{L("[1,]"), BL_EINVAL, 1, 4, "trailing comma before ']'"},
	{L("{\"a\":1,}"), BL_EINVAL, 1, 8, "trailing comma before '}'"},
	{L("[1 2]"), BL_EINVAL, 1, 4, "expected ',' or ']' after array element"},
	{L("[1,\n 2,\n x]"), BL_EINVAL, 3, 2, "unexpected 'x': expected a value"},
	{L("{\"a\" 1}"), BL_EINVAL, 1, 6, "expected ':' after object key"},
	{L("{\"a\":1 \"b\":2}"), BL_EINVAL, 1, 8, "expected ',' or '}' after object member"},
	{L("{1:2}"), BL_EINVAL, 1, 2, "expected a string key or '}' after '{'"},
	{L("{\"a\":1,2}"), BL_EINVAL, 1, 8, "expected a string key after ','"},
	{L("["), BL_EINVAL, 1, 2, "unexpected end of input: expected a value or ']'"},
	{L("[1"), BL_EINVAL, 1, 3, "expected ',' or ']' after array element"},
	{L("{\"a\":"), BL_EINVAL, 1, 6, "unexpected end of input: expected a value"},
	{L("[1] x"), BL_EINVAL, 1, 5, "unexpected 'x' after the JSON value"},
	{L("1 2"), BL_EINVAL, 1, 3, "unexpected '2' after the JSON value"},
	{L("tru"), BL_EINVAL, 1, 1, "invalid literal: expected 'true'"},
	{L("nul"), BL_EINVAL, 1, 1, "invalid literal: expected 'null'"},
	{L("'a'"), BL_EINVAL, 1, 1, "unexpected \"'\": JSON strings use double quotes"},
	{L("\xef\xbb\xbf{}"), BL_EINVAL, 1, 1, "unexpected byte 0xEF: expected a value"},
	/* invalid: numbers */
	{L("01"), BL_EINVAL, 1, 1, "leading zeros are not allowed in numbers"},
	{L("-01"), BL_EINVAL, 1, 1, "leading zeros are not allowed in numbers"},
	{L("+1"), BL_EINVAL, 1, 1, "unexpected '+': numbers cannot start with '+'"},
	{L(".5"), BL_EINVAL, 1, 1, "unexpected '.': numbers need a digit before '.'"},
	{L("1."), BL_EINVAL, 1, 3, "expected a digit after '.' in number"},
	{L("1.e5"), BL_EINVAL, 1, 3, "expected a digit after '.' in number"},
	{L("1e"), BL_EINVAL, 1, 3, "expected a digit in the exponent of number"},
	{L("1e+"), BL_EINVAL, 1, 4, "expected a digit in the exponent of number"},
	{L("-"), BL_EINVAL, 1, 2, "expected a digit after '-' in number"},
	{L("NaN"), BL_EINVAL, 1, 1, "unexpected 'N': NaN and Infinity are not JSON"},
	{L("Infinity"), BL_EINVAL, 1, 1, "unexpected 'I': NaN and Infinity are not JSON"},
	{L("-Infinity"), BL_EINVAL, 1, 2, "expected a digit after '-' in number"},
	{L("0x10"), BL_EINVAL, 1, 2, "unexpected 'x' after the JSON value"},
	{L("1e999999"), BL_EINVAL, 1, 1, "number out of range of a double"},
	{L("[-1e400]"), BL_EINVAL, 1, 2, "number out of range of a double"},
	{L("1.8e308"), BL_EINVAL, 1, 1, "number out of range of a double"},
	/* invalid: escapes and surrogates */
	{L("\"\\q\""), BL_EINVAL, 1, 2, "invalid escape '\\q' in string"},
	{L("\"ab\\x41\""), BL_EINVAL, 1, 4, "invalid escape '\\x' in string"},
	{L("\"\\'\""), BL_EINVAL, 1, 2, "invalid escape '\\'' in string"},
	{L("\"\\u12\""), BL_EINVAL, 1, 2, "invalid \\u escape in string: expected 4 hex digits"},
	{L("\"\\u12g4\""), BL_EINVAL, 1, 2, "invalid \\u escape in string: expected 4 hex digits"},
	{L("\"\\ud800\""), BL_EINVAL, 1, 2, "lone high surrogate \\uD800 in string (must be "
	 "followed by a low surrogate \\uDC00-\\uDFFF)"},
	{L("\"x\\ud800\\u0041\""), BL_EINVAL, 1, 3, "lone high surrogate \\uD800 in string "
	 "(must be followed by a low surrogate \\uDC00-\\uDFFF)"},
	{L("\"\\udc00\\ud800\""), BL_EINVAL, 1, 2, "unexpected low surrogate \\uDC00 in string "
	 "(no high surrogate \\uD800-\\uDBFF before it)"},
	{L("\"\\"), BL_EINVAL, 1, 1, "unterminated string (no closing '\"')"},
	{L("\"abc"), BL_EINVAL, 1, 1, "unterminated string (no closing '\"')"},
	{L("\"abcdefghijklmnopqrstuvwxyz"), BL_EINVAL, 1, 1, "unterminated string (no closing '\"')"},
	/* invalid: raw control characters and NUL bytes */
	{L("\"a\x01\""), BL_EINVAL, 1, 3, "raw control character 0x01 in string (write it as \\u0001)"},
	{L("[\"a\nb\"]"), BL_EINVAL, 1, 4, "raw control character 0x0A in string (write it as \\n)"},
	{L("\"\t\""), BL_EINVAL, 1, 2, "raw control character 0x09 in string (write it as \\t)"},
	{L("\"a\0b\""), BL_EINVAL, 1, 3, "NUL byte in string (write it as \\u0000)"},
	{L("\"0123456789abcdef0123\0\""), BL_EINVAL, 1, 22, "NUL byte in string (write it as \\u0000)"},
	{L("\"a\\n\0\""), BL_EINVAL, 1, 5, "NUL byte in string (write it as \\u0000)"},
	{L("\0"), BL_EINVAL, 1, 1, "unexpected NUL byte: expected a value"},
	{L("[\0]"), BL_EINVAL, 1, 2, "unexpected NUL byte: expected a value"},
	{L("{}\0"), BL_EINVAL, 1, 3, "unexpected NUL byte after the JSON value"},
	{L("{\"a\":1\0}"), BL_EINVAL, 1, 7, "expected ',' or '}' after object member"},
	/* invalid: every class of bad UTF-8 */
	{L("\"\xc0\xaf\""), BL_EINVAL, 1, 2, "invalid UTF-8 byte 0xC0 in string"},
	{L("\"\xc1\xbf\""), BL_EINVAL, 1, 2, "invalid UTF-8 byte 0xC1 in string"},
	{L("\"\x80\""), BL_EINVAL, 1, 2, "invalid UTF-8 byte 0x80 in string"},
	{L("\"a\xbf\""), BL_EINVAL, 1, 3, "invalid UTF-8 byte 0xBF in string"},
	{L("\"\xf5\x80\x80\x80\""), BL_EINVAL, 1, 2, "invalid UTF-8 byte 0xF5 in string"},
	{L("\"\xff\""), BL_EINVAL, 1, 2, "invalid UTF-8 byte 0xFF in string"},
	{L("\"\xe0\x80\xaf\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: overlong encoding 0xE0 0x80"},
	{L("\"\xe0\x9f\xbf\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: overlong encoding 0xE0 0x9F"},
	{L("\"\xf0\x8f\xbf\xbf\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: overlong encoding 0xF0 0x8F"},
	{L("\"\xed\xa0\x80\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: UTF-16 surrogate encoded as 0xED 0xA0"},
	{L("\"\xed\xbf\xbf\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: UTF-16 surrogate encoded as 0xED 0xBF"},
	{L("\"\xf4\x90\x80\x80\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: code point above U+10FFFF (0xF4 0x90)"},
	{L("\"\xc3\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: truncated sequence starting with byte 0xC3"},
	{L("\"\xe2\x82\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: truncated sequence starting with byte 0xE2"},
	{L("\"\xf0\x9f\x98\""), BL_EINVAL, 1, 2, "invalid UTF-8 in string: truncated sequence starting with byte 0xF0"},
	{L("\"\xf0\x9f\x98"), BL_EINVAL, 1, 2, "invalid UTF-8 in string: truncated sequence starting with byte 0xF0"},
	{L("\"\\n\xe2\x28\xa1\""), BL_EINVAL, 1, 4, "invalid UTF-8 in string: truncated sequence starting with byte 0xE2"},
	{L("{\"k\xff\":1}"), BL_EINVAL, 1, 4, "invalid UTF-8 byte 0xFF in string"},
	/* invalid: duplicate keys (exact bytes; escapes decoded first) */
	{L("{\"a\":1,\"a\":2}"), BL_EINVAL, 1, 8, "duplicate key \"a\" (first at line 1, column 2)"},
	{L("{\"a\":1,\"\\u0061\":2}"), BL_EINVAL, 1, 8, "duplicate key \"a\" (first at line 1, column 2)"},
	{L("{\n  \"x\": {\"name\": 1},\n  \"name\": 2,\n  \"name\": 3\n}"), BL_EINVAL, 4, 3,
	 "duplicate key \"name\" (first at line 3, column 3)"},
};

static void test_conformance_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct jcase *c = &cases[i];
		struct bl_arena a;
		struct bl_error err;
		const struct bl_value *v = NULL;
		bl_arena_init(&a, 0);
		int rc = parse_n(&a, c->text, c->len, NULL, &v, &err);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d (%u:%u %s)", i, rc, c->rc, err.line,
				 err.col, err.msg);
		if (c->rc) {
			assert_null(v);
			if (err.line != c->line || err.col != c->col || strcmp(err.msg, c->msg) != 0)
				fail_msg("case %zu: got %u:%u \"%s\", want %u:%u \"%s\"", i, err.line,
					 err.col, err.msg, c->line, c->col, c->msg);
			assert_string_equal(err.file, "t.json");
			assert_int_equal(err.code, c->rc);
		} else {
			char *out = write_compact(v);
			const char *want = c->msg ? c->msg : c->text;
			if (strcmp(out, want) != 0)
				fail_msg("case %zu: wrote %s, want %s", i, out, want);
			free(out);
			assert_round_trip(&a, v);
		}
		bl_arena_free(&a);
	}
}

/* Files under tests/fixtures/json: valid/ must parse and round-trip; each
 * invalid/X.json fails with exactly the "line:col: message" in X.err. */
static void test_fixture_files(void **state)
{
	(void)state;
	static const char *dirs[] = {FIX "valid", FIX "invalid"};
	int seen[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		DIR *d = opendir(dirs[k]);
		assert_non_null(d);
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			size_t nl = strlen(de->d_name);
			if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
				continue;
			char path[512], text[65536];
			snprintf(path, sizeof(path), "%s/%s", dirs[k], de->d_name);
			FILE *fp = fopen(path, "rb");
			assert_non_null(fp);
			size_t len = fread(text, 1, sizeof(text), fp);
			fclose(fp);
			struct bl_arena a;
			struct bl_error err;
			const struct bl_value *v;
			bl_arena_init(&a, 0);
			int rc = parse_n(&a, text, len, NULL, &v, &err);
			if (k == 0) {
				if (rc)
					fail_msg("%s: %u:%u %s", path, err.line, err.col, err.msg);
				assert_round_trip(&a, v);
			} else {
				char want[600], got[600];
				snprintf(path + strlen(path) - 5, 6, ".err");
				fp = fopen(path, "rb");
				assert_non_null(fp);
				size_t wl = fread(want, 1, sizeof(want) - 1, fp);
				fclose(fp);
				while (wl && want[wl - 1] == '\n')
					wl--;
				want[wl] = '\0';
				assert_int_not_equal(rc, 0);
				snprintf(got, sizeof(got), "%u:%u: %s", err.line, err.col, err.msg);
				if (strcmp(got, want) != 0)
					fail_msg("%s: got %s, want %s", path, got, want);
			}
			seen[k]++;
			bl_arena_free(&a);
		}
		closedir(d);
	}
	assert_true(seen[0] >= 5);
	assert_true(seen[1] >= 9);
}

/* ---- nesting -------------------------------------------------------- */

static char *nested(size_t depth, bool objects, size_t *len)
{
	size_t per = objects ? 6 : 1;   /* {"a": ... } */
	char *s = malloc(depth * (per + 1) + 2);
	assert_non_null(s);
	size_t n = 0;
	for (size_t i = 0; i < depth; i++) {
		if (objects) {
			memcpy(s + n, "{\"a\": ", 6);
			n += 6;
		} else {
			s[n++] = '[';
		}
	}
	s[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		s[n++] = objects ? '}' : ']';
	*len = n;
	return s;
}

static void test_nesting_limits(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	size_t len;
	bl_arena_init(&a, 0);

	char *s = nested(512, false, &len);
	assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), 0);
	free(s);

	s = nested(513, false, &len);
	assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), BL_ELIMIT);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 513);
	assert_string_equal(err.msg, "nesting deeper than 512 levels");
	free(s);

	s = nested(513, true, &len);
	assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), BL_ELIMIT);
	assert_int_equal(err.col, 512 * 6 + 1);
	free(s);

	/* 100,000 deep: an error, not a stack overflow. */
	for (int objects = 0; objects <= 1; objects++) {
		s = nested(100000, objects, &len);
		assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), BL_ELIMIT);
		assert_string_equal(err.msg, "nesting deeper than 512 levels");
		/* With the limit raised it parses, and writes back, without recursion. */
		struct bl_json_opts o = {.max_depth = 200000};
		assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", &o, &err), 0);
		struct bl_buf b;
		bl_buf_init(&b, 0);
		assert_int_equal(bl_json_write(&b, v, 0), 0);
		assert_int_equal(b.len, objects ? len - 100000 : len);  /* compact drops ": " space */
		bl_buf_free(&b);
		free(s);
	}
	struct bl_json_opts small = {.max_depth = 2};
	assert_int_equal(bl_json_parse(&v, &a, "[[1]]", 5, NULL, &small, &err), 0);
	assert_int_equal(bl_json_parse(&v, &a, "[[[1]]]", 7, NULL, &small, &err), BL_ELIMIT);
	assert_string_equal(err.msg, "nesting deeper than 2 levels");
	assert_int_equal(err.col, 3);
	bl_arena_free(&a);
}

/* ---- numbers -------------------------------------------------------- */

static void test_numbers(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = tu_json(&a, "[1.50e3, -12, 0, -0, 1.0, 1e2, 12345678901234567890, "
					   "9007199254740993, 0.1, 1e-400, 2.2250738585072014e-308, "
					   "123456789012345678901234567890.5e-10, 1.7976931348623157e308]");
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 13);
	const struct bl_value *n = v->u.arr.items;
	assert_int_equal(n[0].u.num.len, 6);
	assert_memory_equal(n[0].u.num.text, "1.50e3", 6);
	assert_true(n[0].u.num.d == 1500.0);
	assert_int_equal(n[0].flags, 0);
	assert_true(n[1].u.num.d == -12.0);
	assert_int_equal(n[1].flags, BL_VF_INT);
	assert_int_equal(n[2].flags, BL_VF_INT);
	assert_true(n[3].u.num.d == 0.0 && signbit(n[3].u.num.d));
	assert_int_equal(n[3].flags, BL_VF_INT);
	assert_int_equal(n[4].flags, 0);
	assert_true(n[4].u.num.d == 1.0);
	assert_int_equal(n[5].flags, 0);
	assert_true(n[5].u.num.d == 100.0);
	assert_int_equal(n[6].flags, BL_VF_INT);
	assert_true(n[6].u.num.d == 12345678901234567890.0);
	assert_true(n[7].u.num.d == 9007199254740992.0);  /* ties to even, like strtod */
	assert_true(n[8].u.num.d == 0.1);
	assert_true(n[9].u.num.d == 0.0);
	assert_true(n[10].u.num.d == 2.2250738585072014e-308);
	assert_true(n[11].u.num.d == strtod("123456789012345678901234567890.5e-10", NULL));
	assert_true(n[12].u.num.d == 1.7976931348623157e308);
	/* Every literal agrees with strtod. */
	static const char *lits[] = {"3.14159", "2.5e-3", "-7.25E+10", "0.000001", "1e22",
				     "1e23", "123456789e-20", "4.9e-324", "8.98846567431158e307",
				     "0.30000000000000004", "18446744073709551615", "1234567.125e5"};
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		const struct bl_value *x = tu_json(&a, lits[i]);
		if (x->u.num.d != strtod(lits[i], NULL))
			fail_msg("%s parsed as %.17g", lits[i], x->u.num.d);
	}
	bl_arena_free(&a);
}

/* ---- positions, options, zero copy ---------------------------------- */

static void test_positions(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	const char *text = "{\n  \"name\": \"st1\",\n  \"tags\": [1,\n\t\"x\"]\n}";
	assert_int_equal(bl_json_parse(&v, &a, text, strlen(text), "f.json", NULL, &err), 0);
	assert_int_equal(v->line, 1);
	assert_int_equal(v->col, 1);
	assert_string_equal(v->file, "f.json");
	const struct bl_member *m = &v->u.obj.items[0];
	assert_int_equal(m->line, 2);
	assert_int_equal(m->col, 3);
	assert_int_equal(m->val.line, 2);
	assert_int_equal(m->val.col, 11);
	/* No escapes: the string points into the buffer. */
	assert_ptr_equal(m->val.u.str.s, text + 13);
	assert_ptr_equal(m->key, text + 5);
	const struct bl_value *tags = &v->u.obj.items[1].val;
	assert_int_equal(tags->line, 3);
	assert_int_equal(tags->col, 11);
	assert_int_equal(tags->u.arr.items[0].col, 12);
	assert_int_equal(tags->u.arr.items[1].line, 4);
	assert_int_equal(tags->u.arr.items[1].col, 2);
	assert_string_equal(tags->u.arr.items[1].file, "f.json");

	/* line0/col0: a record inside a bigger file; col0 only shifts line one. */
	struct bl_json_opts o = {.line0 = 10, .col0 = 5};
	const char *rec = "[1,\n  x]";
	assert_int_equal(bl_json_parse(&v, &a, rec, strlen(rec), "big.json", &o, &err), BL_EINVAL);
	assert_int_equal(err.line, 11);
	assert_int_equal(err.col, 3);
	assert_int_equal(bl_json_parse(&v, &a, "[x]", 3, "big.json", &o, &err), BL_EINVAL);
	assert_int_equal(err.line, 10);
	assert_int_equal(err.col, 6);
	assert_int_equal(bl_json_parse(&v, &a, "{\"a\": 1}", 8, "big.json", &o, &err), 0);
	assert_int_equal(v->col, 5);
	assert_int_equal(v->u.obj.items[0].val.col, 11);
	assert_int_equal(v->u.obj.items[0].val.line, 10);

	/* Not NUL-terminated: the reader never looks past len. */
	assert_int_equal(bl_json_parse(&v, &a, "12345", 3, NULL, NULL, &err), 0);
	assert_int_equal(v->u.num.len, 3);
	assert_true(v->u.num.d == 123.0);
	assert_int_equal(bl_json_parse(&v, &a, "\"abc\"", 4, NULL, NULL, &err), BL_EINVAL);
	assert_string_equal(err.msg, "unterminated string (no closing '\"')");
	/* A NULL err is allowed. */
	assert_int_equal(bl_json_parse(&v, &a, "[", 1, NULL, NULL, NULL), BL_EINVAL);
	bl_arena_free(&a);
}

/* ---- whitespace between tokens ------------------------------------- */

/* The reader tests for whitespace only after the byte where a token was
 * expected turned out not to be it; every separator with whitespace on
 * either side must still parse, at the same positions, and a bad byte after
 * whitespace must be reported at that byte with the message for that place. */
static void test_whitespace_between_tokens(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v, *w;
	bl_arena_init(&a, 0);
	static const char spaced[] = "{ \"a\" :\t1 ,\r\n\"b\"\n:\n[ 2 ,\n\t3 ] , \"c\" : { } }";
	static const char compact[] = "{\"a\":1,\"b\":[2,3],\"c\":{}}";
	assert_int_equal(parse_n(&a, L(spaced), NULL, &v, &err), 0);
	assert_int_equal(parse_n(&a, L(compact), NULL, &w, &err), 0);
	assert_true(tu_value_eq(v, w, 0));
	const struct bl_member *b = &v->u.obj.items[1];
	assert_int_equal(b->line, 2);
	assert_int_equal(b->col, 1);
	assert_int_equal(b->val.line, 4);
	assert_int_equal(b->val.col, 1);
	assert_int_equal(b->val.u.arr.items[1].line, 5);
	assert_int_equal(b->val.u.arr.items[1].col, 2);
	assert_int_equal(v->u.obj.items[0].val.col, 9);

	static const struct {
		const char *s;
		size_t len;
		uint32_t line, col;
		const char *msg;
	} bad[] = {
		{L("{\"a\"\n 1}"), 2, 2, "expected ':' after object key"},
		{L("{\"a\":1 \n \"b\":2}"), 2, 2, "expected ',' or '}' after object member"},
		{L("{\"a\":1 , }"), 1, 10, "trailing comma before '}'"},
		{L("{\"a\":1 ,\n 2}"), 2, 2, "expected a string key after ','"},
		{L("{\"a\":  }"), 1, 8, "unexpected '}': expected a value"},
		{L("{\"a\": \n"), 2, 1, "unexpected end of input: expected a value"},
		{L("[1 , ]"), 1, 6, "trailing comma before ']'"},
		{L("[1 \t 2]"), 1, 6, "expected ',' or ']' after array element"},
		{L("[1 ,\n\n x]"), 3, 2, "unexpected 'x': expected a value"},
		{L("{\"a\":1 \x01}"), 1, 8, "expected ',' or '}' after object member"},
		{L("[1 \x01]"), 1, 4, "expected ',' or ']' after array element"},
		{L("{\"a\" \x01:1}"), 1, 6, "expected ':' after object key"},
		{L("{\"a\":1 "), 1, 8, "expected ',' or '}' after object member"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_n(&a, bad[i].s, bad[i].len, NULL, &v, &err) != BL_EINVAL ||
		    err.line != bad[i].line || err.col != bad[i].col ||
		    strcmp(err.msg, bad[i].msg) != 0)
			fail_msg("case %zu: got %u:%u %s", i, err.line, err.col, err.msg);
	}
	bl_arena_free(&a);
}

/* ---- duplicate keys in big objects ----------------------------------- */

static char *big_object(size_t n, long dup_at, size_t *len)
{
	size_t cap = n * 24 + 16, o = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	s[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		size_t k = (dup_at >= 0 && i == n - 1) ? (size_t)dup_at : i;
		o += (size_t)snprintf(s + o, cap - o, "%s\"k%zu\":%zu", i ? "," : "", k, i);
	}
	s[o++] = '}';
	*len = o;
	return s;
}

static void test_duplicate_keys_large(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	size_t len;
	bl_arena_init(&a, 0);

	char *s = big_object(1000000, -1, &len);
	clock_t t0 = clock();
	assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), 0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_int_equal(v->u.obj.n, 1000000);
	assert_true(secs < 5.0);  /* quadratic would take minutes */
	assert_memory_equal(v->u.obj.items[999999].key, "k999999", 7);
	free(s);

	s = big_object(1000, 17, &len);
	assert_int_equal(bl_json_parse(&v, &a, s, len, "t.json", NULL, &err), BL_EINVAL);
	assert_string_equal(err.msg, "duplicate key \"k17\" (first at line 1, column 135)");
	assert_int_equal(err.col, (uint32_t)(len - strlen("\"k17\":999}") + 1));
	free(s);

	/* Case-only differences are different keys, also in the hashed path. */
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_addc(&b, '{');
	for (int i = 0; i < 40; i++)
		bl_buf_printf(&b, "%s\"key%d\":1,\"KEY%d\":2", i ? "," : "", i, i);
	bl_buf_addc(&b, '}');
	assert_int_equal(bl_json_parse(&v, &a, b.data, b.len, "t.json", NULL, &err), 0);
	assert_int_equal(v->u.obj.n, 80);
	/* Nested objects each get their own table. */
	bl_buf_reset(&b);
	bl_buf_adds(&b, "{");
	for (int i = 0; i < 30; i++)
		bl_buf_printf(&b, "\"o%d\":{\"a\":1,\"b\":{\"a\":2}},", i);
	bl_buf_adds(&b, "\"o5\":0}");
	assert_int_equal(bl_json_parse(&v, &a, b.data, b.len, "t.json", NULL, &err), BL_EINVAL);
	assert_true(strncmp(err.msg, "duplicate key \"o5\" (first at line 1, column ", 44) == 0);
	bl_buf_free(&b);
	bl_arena_free(&a);
}

/* ---- fast paths: fingerprints, in-place slots, short strings --------- */

/* Parse text from an exact-size heap copy (reads past the end are caught
 * under ASan); the copy is kept in the arena's lifetime. */
static int parse_exact(struct bl_arena *a, const char *text, size_t len,
		       const struct bl_value **v, struct bl_error *err)
{
	return parse_n(a, text, len, NULL, v, err);
}

static void test_duplicate_fingerprints(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);

	/* An escaped key equals its plain spelling, short or long, whichever
	 * of the two comes first. */
	assert_int_equal(parse_exact(&a, L("{\"ab\":1,\"a\\u0062\":2}"), &v, &err), BL_EINVAL);
	assert_string_equal(err.msg, "duplicate key \"ab\" (first at line 1, column 2)");
	assert_int_equal(err.col, 9);
	assert_int_equal(parse_exact(&a, L("{\"a\\u0062\":1,\"ab\":2}"), &v, &err), BL_EINVAL);
	assert_int_equal(err.col, 14);
	assert_int_equal(parse_exact(&a, L("{\"properties\":1,\"propertie\\u0073\":2}"), &v,
				     &err), BL_EINVAL);
	assert_string_equal(err.msg, "duplicate key \"properties\" (first at line 1, column 2)");
	/* A short key at the very end of the input (no 8 bytes to read). */
	assert_int_equal(parse_exact(&a, L("{\"k\":1,\"k\""), &v, &err), BL_EINVAL);
	assert_string_equal(err.msg, "duplicate key \"k\" (first at line 1, column 2)");
	/* The empty key is a key like any other. */
	assert_int_equal(parse_exact(&a, L("{\"\":1,\"\":2}"), &v, &err), BL_EINVAL);
	assert_int_equal(err.col, 7);
	/* Same length, same first and last 8 bytes: different keys. */
	assert_int_equal(parse_exact(&a, L("{\"abcdefghXijklmnop\":1,\"abcdefghYijklmnop\":2,"
					   "\"abcdefgh\":3,\"abcdefg\":4,\"abcdefgh\\u0000\":5}"),
				     &v, &err), 0);
	assert_int_equal(v->u.obj.n, 5);
	assert_int_equal(v->u.obj.items[4].klen, 9);
	assert_int_equal(v->u.obj.items[4].val.u.num.d, 5.0);
	/* Keys that differ in one byte only, at every position and length. */
	for (size_t len = 1; len <= 20; len++) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		bl_buf_addc(&b, '{');
		for (size_t i = 0; i < len; i++) {
			char key[24];
			memset(key, 'q', len);
			key[i] = 'r';
			key[len] = '\0';
			bl_buf_printf(&b, "\"%s\":%zu,", key, i);
		}
		bl_buf_adds(&b, "\"");
		for (size_t i = 0; i < len; i++)
			bl_buf_addc(&b, 'q');
		bl_buf_adds(&b, "\":0}");
		assert_int_equal(parse_exact(&a, b.data, b.len, &v, &err), 0);
		assert_int_equal(v->u.obj.n, len + 1);
		/* ...and repeating the second one is caught. */
		b.len--;
		bl_buf_adds(&b, ",\"");
		for (size_t i = 0; i < len; i++)
			bl_buf_addc(&b, i == (len > 1) ? 'r' : 'q');
		bl_buf_adds(&b, "\":9}");
		assert_int_equal(parse_exact(&a, b.data, b.len, &v, &err), BL_EINVAL);
		assert_int_equal(err.line, 1);
		bl_buf_free(&b);
	}
	/* Every object size around the switch from the scan to the table. */
	for (size_t n = 2; n <= 70; n++) {
		size_t len;
		for (size_t d = 0; d < n - 1; d += (n > 10 ? 7 : 1)) {
			char *s = big_object(n, (long)d, &len);
			assert_int_equal(parse_exact(&a, s, len, &v, &err), BL_EINVAL);
			char want[64];
			snprintf(want, sizeof(want), "duplicate key \"k%zu\"", d);
			assert_true(strncmp(err.msg, want, strlen(want)) == 0);
			/* The repeat is the last member: "kD":N-1} */
			size_t tail = (size_t)snprintf(NULL, 0, "\"k%zu\":%zu}", d, n - 1);
			assert_int_equal(err.col, (uint32_t)(len - tail + 1));
			free(s);
		}
		char *s = big_object(n, -1, &len);
		assert_int_equal(parse_exact(&a, s, len, &v, &err), 0);
		assert_int_equal(v->u.obj.n, n);
		free(s);
	}
	bl_arena_free(&a);
}

/* Containers are written straight into their parent's scratch slot, and the
 * scratch stacks move to the heap as they grow: the tree must come out the
 * same whatever moved. */
static void test_inplace_slots(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	struct bl_buf b;
	bl_buf_init(&b, 0);

	/* [[0..199], {"k0".."k99"}, [[[...]]] 100 deep, "end"] */
	bl_buf_adds(&b, "[[");
	for (int i = 0; i < 200; i++)
		bl_buf_printf(&b, "%s%d", i ? "," : "", i);
	bl_buf_adds(&b, "],{");
	for (int i = 0; i < 100; i++)
		bl_buf_printf(&b, "%s\"k%d\":[%d,{\"x\":\"v%d\"}]", i ? "," : "", i, i, i);
	bl_buf_adds(&b, "},");
	for (int i = 0; i < 100; i++)
		bl_buf_adds(&b, "[");
	bl_buf_adds(&b, "true");
	for (int i = 0; i < 100; i++)
		bl_buf_adds(&b, i == 50 ? ",null]" : "]");
	bl_buf_adds(&b, ",\"end\"]");
	assert_int_equal(parse_exact(&a, b.data, b.len, &v, &err), 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 4);
	const struct bl_value *nums = &v->u.arr.items[0];
	assert_int_equal(nums->type, BL_VARR);
	assert_int_equal(nums->u.arr.n, 200);
	assert_int_equal(nums->col, 2);
	for (uint32_t i = 0; i < 200; i++)
		assert_true(nums->u.arr.items[i].u.num.d == (double)i);
	const struct bl_value *obj = &v->u.arr.items[1];
	assert_int_equal(obj->type, BL_VOBJ);
	assert_int_equal(obj->u.obj.n, 100);
	for (uint32_t i = 0; i < 100; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		char k[16], x[16];
		snprintf(k, sizeof(k), "k%u", i);
		snprintf(x, sizeof(x), "v%u", i);
		assert_int_equal(m->klen, strlen(k));
		assert_memory_equal(m->key, k, m->klen);
		assert_int_equal(m->val.type, BL_VARR);
		assert_int_equal(m->val.u.arr.n, 2);
		assert_true(m->val.u.arr.items[0].u.num.d == (double)i);
		const struct bl_value *xv = bl_value_getz(&m->val.u.arr.items[1], "x");
		assert_non_null(xv);
		assert_int_equal(xv->u.str.len, strlen(x));
		assert_memory_equal(xv->u.str.s, x, xv->u.str.len);
	}
	const struct bl_value *deep = &v->u.arr.items[2];
	for (int i = 0; i < 100; i++) {
		assert_int_equal(deep->type, BL_VARR);
		assert_int_equal(deep->u.arr.n, i == 49 ? 2 : 1);
		if (i == 49)
			assert_int_equal(deep->u.arr.items[1].type, BL_VNULL);
		deep = &deep->u.arr.items[0];
	}
	assert_int_equal(deep->type, BL_VBOOL);
	assert_true(deep->b);
	assert_int_equal(v->u.arr.items[3].u.str.len, 3);
	/* Empty containers at every level keep their positions. */
	assert_int_equal(parse_exact(&a, L("{\"a\":[],\"b\":{},\"c\":[{}, []]}"), &v, &err), 0);
	assert_int_equal(v->u.obj.items[0].val.type, BL_VARR);
	assert_int_equal(v->u.obj.items[0].val.u.arr.n, 0);
	assert_null(v->u.obj.items[0].val.u.arr.items);
	assert_int_equal(v->u.obj.items[1].val.type, BL_VOBJ);
	assert_int_equal(v->u.obj.items[1].val.col, 13);
	assert_int_equal(v->u.obj.items[2].val.u.arr.items[1].col, 25);
	assert_int_equal(v->u.obj.items[2].val.u.arr.items[1].type, BL_VARR);
	bl_buf_free(&b);
	bl_arena_free(&a);
}

/* Strings of every length up to past two vector widths, ending at the very
 * end of an exact-size buffer, with the special byte at every position. */
static void test_string_lengths(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	char text[128];
	for (size_t n = 0; n <= 70; n++) {
		text[0] = '"';
		for (size_t i = 0; i < n; i++)
			text[1 + i] = (char)('a' + i % 26);
		text[1 + n] = '"';
		assert_int_equal(parse_exact(&a, text, n + 2, &v, &err), 0);
		assert_int_equal(v->type, BL_VSTR);
		assert_int_equal(v->u.str.len, n);
		assert_memory_equal(v->u.str.s, text + 1, n);
		/* Unterminated at every length. */
		assert_int_equal(parse_exact(&a, text, n + 1, &v, &err), BL_EINVAL);
		assert_string_equal(err.msg, "unterminated string (no closing '\"')");
		assert_int_equal(err.col, 1);
		for (size_t at = 0; at < n; at++) {
			char save = text[1 + at];
			/* A raw tab at each position is an error there. */
			text[1 + at] = '\t';
			assert_int_equal(parse_exact(&a, text, n + 2, &v, &err), BL_EINVAL);
			assert_int_equal(err.col, at + 2);
			assert_string_equal(err.msg, "raw control character 0x09 in string "
					    "(write it as \\t)");
			/* A bare 0xC3 (truncated UTF-8) too. */
			text[1 + at] = (char)0xC3;
			assert_int_equal(parse_exact(&a, text, n + 2, &v, &err), BL_EINVAL);
			assert_int_equal(err.col, at + 2);
			text[1 + at] = save;
		}
		if (n >= 2) {
			/* An escape at the end decodes into the arena. */
			text[n - 1] = '\\';
			text[n] = 'n';
			assert_int_equal(parse_exact(&a, text, n + 2, &v, &err), 0);
			assert_int_equal(v->u.str.len, n - 1);
			assert_int_equal(v->u.str.s[n - 2], '\n');
		}
	}
	/* As keys too: in a member at the end of the buffer. */
	for (size_t n = 0; n <= 40; n++) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		bl_buf_adds(&b, "{\"");
		for (size_t i = 0; i < n; i++)
			bl_buf_addc(&b, (char)('A' + i % 26));
		bl_buf_adds(&b, "\":\"");
		for (size_t i = 0; i < n; i++)
			bl_buf_addc(&b, (char)('z' - i % 26));
		bl_buf_adds(&b, "\"}");
		assert_int_equal(parse_exact(&a, b.data, b.len, &v, &err), 0);
		assert_int_equal(v->u.obj.items[0].klen, n);
		assert_int_equal(v->u.obj.items[0].val.u.str.len, n);
		assert_int_equal(v->u.obj.items[0].val.col, n + 5);
		bl_buf_free(&b);
	}
	bl_arena_free(&a);
}

/* ---- writer --------------------------------------------------------- */

static void test_writer_exact(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = tu_json(&a, "{ \"a\" : [1, {\"b\": null}], \"c\": {}, \"d\": [],"
					   " \"e\": \"x\", \"f\": 1.50e3, \"g\": true }");
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write(&b, v, 0), 0);
	assert_string_equal(b.data, "{\"a\":[1,{\"b\":null}],\"c\":{},\"d\":[],\"e\":\"x\","
			    "\"f\":1.50e3,\"g\":true}");
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write(&b, v, 2), 0);
	assert_string_equal(b.data,
			    "{\n"
			    "  \"a\": [\n"
			    "    1,\n"
			    "    {\n"
			    "      \"b\": null\n"
			    "    }\n"
			    "  ],\n"
			    "  \"c\": {},\n"
			    "  \"d\": [],\n"
			    "  \"e\": \"x\",\n"
			    "  \"f\": 1.50e3,\n"
			    "  \"g\": true\n"
			    "}");
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write(&b, tu_json(&a, "[[]]"), 4), 0);
	assert_string_equal(b.data, "[\n    []\n]");
	bl_buf_reset(&b);
	/* Synthetic values: numbers without source text, keys in given order. */
	assert_int_equal(bl_json_write(&b, bl_value_new_num(&a, 1.5), 0), 0);
	assert_string_equal(b.data, "1.5");
	bl_buf_reset(&b);
	struct bl_value num = {.type = BL_VNUM};
	num.u.num.d = 0.25;
	assert_int_equal(bl_json_write(&b, &num, 0), 0);
	assert_string_equal(b.data, "0.25");
	bl_buf_reset(&b);
	/* A full buffer is reported. */
	struct bl_buf tiny;
	bl_buf_init(&tiny, 4);
	assert_int_not_equal(bl_json_write(&tiny, v, 0), 0);
	bl_buf_free(&tiny);
	bl_buf_free(&b);
	bl_arena_free(&a);
}

/* YAML keeps number texts JSON cannot carry; the writer prints their value. */
static void test_writer_yaml_numbers(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = tu_doc(&a, "n: [0640, +5, 0x1F, 0o17, .5, 1., -0, 1e3]\n", "n.yaml");
	v = bl_value_getz(v, "n");
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write(&b, v, 0), 0);
	assert_string_equal(b.data, "[640,5,31,15,0.5,1,-0,1e3]");
	/* and it parses back */
	const struct bl_value *w = tu_json(&a, b.data);
	assert_int_equal(w->u.arr.n, 8);
	bl_buf_free(&b);
	bl_arena_free(&a);
}

static void test_writer_escaping(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write_str(&b, L("a\"b\\c/\x01\x1f\n\t\b\f\r\x7f")), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c/\\u0001\\u001f\\n\\t\\b\\f\\r\x7f\"");
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write_str(&b, L("nul\0end")), 0);
	assert_string_equal(b.data, "\"nul\\u0000end\"");
	bl_buf_reset(&b);
	/* Valid UTF-8 kept; U+2028/U+2029 escaped. */
	assert_int_equal(bl_json_write_str(&b, L("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xe2\x80\xa8|\xe2\x80\xa9")), 0);
	assert_string_equal(b.data, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\u2028|\\u2029\"");
	bl_buf_reset(&b);
	/* Each invalid byte becomes U+FFFD. */
	assert_int_equal(bl_json_write_str(&b, L("a\xff" "b\xc3")), 0);
	assert_string_equal(b.data, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write_str(&b, L("\xc0\x80|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82")), 0);
	assert_string_equal(b.data, "\"\xef\xbf\xbd\xef\xbf\xbd|"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			    "\xef\xbf\xbd\xef\xbf\xbd\"");
	/* And the result is valid JSON that reads back to what was meant. */
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	assert_int_equal(bl_json_parse(&v, &a, b.data, b.len, NULL, NULL, &err), 0);
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write_str(&b, L("")), 0);
	assert_string_equal(b.data, "\"\"");
	/* Keys are escaped too. */
	struct bl_member m = {.key = "k\"\n", .klen = 3, .val = {.type = BL_VNULL}};
	struct bl_value obj = {.type = BL_VOBJ};
	obj.u.obj.items = &m;
	obj.u.obj.n = 1;
	bl_buf_reset(&b);
	assert_int_equal(bl_json_write(&b, &obj, 0), 0);
	assert_string_equal(b.data, "{\"k\\\"\\n\":null}");
	bl_buf_free(&b);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_table),
		cmocka_unit_test(test_fixture_files),
		cmocka_unit_test(test_nesting_limits),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_whitespace_between_tokens),
		cmocka_unit_test(test_duplicate_keys_large),
		cmocka_unit_test(test_duplicate_fingerprints),
		cmocka_unit_test(test_inplace_slots),
		cmocka_unit_test(test_string_lengths),
		cmocka_unit_test(test_writer_exact),
		cmocka_unit_test(test_writer_escaping),
		cmocka_unit_test(test_writer_yaml_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
