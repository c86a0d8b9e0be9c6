/*
 * test_json_padded.c - the reader's padded instance (bl_json_opts.padded):
 * every prefix of a set of documents, so that input ends inside and right
 * after every kind of token (string, number, literal, key, nested close,
 * whitespace), is parsed from a padded buffer with each kind of byte after
 * it and must give exactly what the checked parse of an exact-size copy
 * gives: the same tree with the same positions, or the same error with the
 * same line:col and message.  Full and selective parses (keep sets send
 * members through the skip validator).  The padding after the byte at the
 * end is filled with bytes that would go on the token, so a loop that read
 * past the end would build something else; the buffers are malloc'd at
 * their exact size so that a read past the padding shows under ASan.
 */
#include "testutil.h"
#include "value_eq.h"

#include <math.h>

/* Literal with its exact length, so cases may hold NUL bytes. */
#define L(s) s, sizeof(s) - 1

struct outcome {
	int rc;
	const struct bl_value *v;
	struct bl_error err;
	char *buf;
};

/* text[0..len) from an exact-size copy (padded false), or from a copy
 * followed by after and BL_JSON_PAD - 1 bytes of fill (padded true). */
static void parse_one(struct outcome *o, struct bl_arena *a, const char *text, size_t len,
		      bool padded, char after, char fill, const struct bl_json_keep *keep)
{
	size_t size = padded ? len + BL_JSON_PAD : (len ? len : 1);
	o->buf = malloc(size);
	assert_non_null(o->buf);
	memcpy(o->buf, text, len);
	if (padded) {
		o->buf[len] = after;
		memset(o->buf + len + 1, fill, BL_JSON_PAD - 1);
	}
	struct bl_json_opts opts = {.line0 = 3, .col0 = 5, .keep = keep, .padded = padded};
	bl_error_clear(&o->err);
	o->v = NULL;
	o->rc = bl_json_parse(&o->v, a, o->buf, len, "p.json", &opts, &o->err);
}

static void check_same(const char *text, size_t len, char after, char fill,
		       const struct bl_json_keep *keep)
{
	struct bl_arena a;
	struct outcome want, got;
	bl_arena_init(&a, 0);
	parse_one(&want, &a, text, len, false, 0, 0, keep);
	parse_one(&got, &a, text, len, true, after, fill, keep);
	if (got.rc != want.rc)
		fail_msg("[%.*s] + 0x%02X: rc %d, want %d (%s / %s)", (int)len, text,
			 (unsigned char)after, got.rc, want.rc, got.err.msg, want.err.msg);
	if (want.rc) {
		if (got.err.line != want.err.line || got.err.col != want.err.col ||
		    strcmp(got.err.msg, want.err.msg) != 0 || got.err.code != want.err.code)
			fail_msg("[%.*s] + 0x%02X: %u:%u %s, want %u:%u %s", (int)len, text,
				 (unsigned char)after, got.err.line, got.err.col, got.err.msg,
				 want.err.line, want.err.col, want.err.msg);
	} else if (!tu_value_eq(got.v, want.v, TU_EQ_POS | TU_EQ_FILE)) {
		fail_msg("[%.*s] + 0x%02X: trees differ", (int)len, text, (unsigned char)after);
	}
	free(want.buf);
	free(got.buf);
	bl_arena_free(&a);
}

/* Documents whose every prefix is a test input. */
static const struct {
	const char *text;
	size_t len;
} docs[] = {
	{L("{\"id\":\"abc\",\"n\":-12.5e+3,\"t\":true,\"f\":false,\"z\":null,"
	   "\"a\":[1,[],{},[true]],\"o\":{\"k\":\"v\",\"e\":{}}}")},
	{L("[\"0123456789abcdef0123456789\",\"\\u00e9\\ud83d\\ude00 \\\\\\\" esc\","
	   "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",0,-0.0,1E-2,0.5e1,1e+5,"
	   "123456789012345678901234567890]")},
	{L("\"abcdefghijklm\"")},      /* strings of 13 to 18 bytes: the end  */
	{L("\"abcdefghijklmn\"")},     /* falls before, on and after the last */
	{L("\"abcdefghijklmno\"")},    /* byte of the first 16-byte block     */
	{L("\"abcdefghijklmnop\"")},
	{L("\"abcdefghijklmnopq\"")},
	{L("{\"abcdefghijklmnop\":1,\"abcdefghijklmno\":[2],\"abcdefghijklmnopqrstuvwxyz0123456789\":3}")},
	{L(" { \"a\" : [ 1 , 2 , { } ] ,\n\t\"b\" : \"c\" , \"d\" : -0 }\r\n ")},
	{L("[1,-1,0,12,-12.75,1e5,1E-5,1e+05]")},
	{L("[true,false,null,[true],[false],[null]]")},
	{L("{\"k\":{\"x\":[1,true]},\"s\":{\"a\":\"abc\",\"b\":[true,false,null,-1.5e+3,"
	   "\"str\",{\"c\":\"d\"}],\"e\":{}},\"t\":\"x\",\"u\":[[[]]],\"k2\":5}")},
	{L("{\"s\":{\"a\":1,\"b\":{\"a\":2},\"a\":3}}")},          /* duplicate, skipped */
	{L("{\"s\":{\"\\u0061\":1,\"a\":2},\"k\":1}")},            /* escaped duplicate */
	{L("{\"s\":\"a\\u0000b\",\"k\":\"a\\nb\",\"t\":\"bad \x01 control\"}")},
	{L("{\"s\":\"bad \xc3\x28 utf8\",\"k\":\"\xe2\x82\"}")},
	{L("[\"trailing\",]")},
	{L("{\"a\":1,}")},
	{L("{\"s\":[01],\"k\":1}")},
	{L("[+1,.5,NaN,'x']")},
	{L("{\"k\":1} {\"k\":2}")},
};

static void run_prefixes(const struct bl_json_keep *keep)
{
	/* Control characters (the padded loop) and other bytes (the checked
	 * loop), after the end; fills that would go on each kind of token. */
	static const char afters[] = {'\n', '\0', '\t', '\r', 0x1f, ' ', ',', '"', '1', '}', 'e'};
	static const char fills[] = {'"', '1', 'e', ']', '}', ',', ':'};
	for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++)
		for (size_t len = 0; len <= docs[d].len; len++)
			for (size_t i = 0; i < sizeof(afters); i++)
				for (size_t k = 0; k < sizeof(fills); k++)
					check_same(docs[d].text, len, afters[i], fills[k], keep);
}

static void test_prefixes_full(void **state)
{
	(void)state;
	run_prefixes(NULL);
}

static void test_prefixes_selective(void **state)
{
	(void)state;
	struct bl_json_keep *k;
	uint32_t n;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("k"), &n), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("k2"), &n), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("id"), &n), 0);
	run_prefixes(k);
	bl_json_keep_free(k);
}

/* The errors of tokens cut by the end of a JSON lines record, spelled out
 * (the newline after them is what a stream chunk holds). */
static void test_truncated_tokens(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t len;
		uint32_t col;
		const char *msg;
	} cases[] = {
		{L("\"abc"), 1, "unterminated string (no closing '\"')"},
		{L("{\"a\":\"abc"), 6, "unterminated string (no closing '\"')"},
		{L("{\"ab"), 2, "unterminated string (no closing '\"')"},
		{L("\"abc\\"), 1, "unterminated string (no closing '\"')"},
		{L("\"\xe2\x82"), 2, "invalid UTF-8 in string: truncated sequence starting with byte 0xE2"},
		{L("-"), 2, "expected a digit after '-' in number"},
		{L("[1."), 4, "expected a digit after '.' in number"},
		{L("1e"), 3, "expected a digit in the exponent of number"},
		{L("1e+"), 4, "expected a digit in the exponent of number"},
		{L("tru"), 1, "invalid literal: expected 'true'"},
		{L("[fals"), 2, "invalid literal: expected 'false'"},
		{L("{\"a\":nul"), 6, "invalid literal: expected 'null'"},
		{L("t"), 1, "invalid literal: expected 'true'"},
		{L("{"), 2, "expected a string key or '}' after '{'"},
		{L("{\"a\""), 5, "expected ':' after object key"},
		{L("{\"a\":"), 6, "unexpected end of input: expected a value"},
		{L("{\"a\":1"), 7, "expected ',' or '}' after object member"},
		{L("{\"a\":1,"), 8, "expected a string key after ','"},
		{L("["), 2, "unexpected end of input: expected a value or ']'"},
		{L("[1"), 3, "expected ',' or ']' after array element"},
		{L("[1,"), 4, "unexpected end of input: expected a value"},
		{L("[[]"), 4, "expected ',' or ']' after array element"},
		{L("{\"a\":{}"), 8, "expected ',' or '}' after object member"},
		{L("[1 "), 4, "expected ',' or ']' after array element"},
		{L(""), 1, "empty document: expected a JSON value"},
	};
	struct bl_json_keep *k;
	uint32_t n;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("zz"), &n), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int sel = 0; sel < 2; sel++) {
			struct bl_arena a;
			struct outcome o;
			bl_arena_init(&a, 0);
			parse_one(&o, &a, cases[i].text, cases[i].len, true, '\n', '"',
				  sel ? k : NULL);
			assert_int_equal(o.rc, BL_EINVAL);
			if (o.err.line != 3 || o.err.col != cases[i].col + 4 ||
			    strcmp(o.err.msg, cases[i].msg) != 0)
				fail_msg("case %zu: %u:%u %s", i, o.err.line, o.err.col, o.err.msg);
			free(o.buf);
			bl_arena_free(&a);
		}
	}
	bl_json_keep_free(k);
}

/* Records that end exactly at the control byte, in each token kind, parse
 * to what they hold (not to what the padding would make of them). */
static void test_tokens_at_the_end(void **state)
{
	(void)state;
	struct bl_arena a;
	struct outcome o;
	bl_arena_init(&a, 0);
	parse_one(&o, &a, L("\"abc\""), true, '\n', '"', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->type, BL_VSTR);
	assert_int_equal(o.v->u.str.len, 3);
	free(o.buf);
	parse_one(&o, &a, L("-12"), true, '\0', '5', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->u.num.len, 3);
	assert_true(o.v->u.num.d == -12.0);
	free(o.buf);
	parse_one(&o, &a, L("1.5"), true, '\n', 'e', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->u.num.len, 3);
	assert_true(o.v->u.num.d == 1.5);
	free(o.buf);
	parse_one(&o, &a, L("false"), true, '\n', 'e', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->type, BL_VBOOL);
	free(o.buf);
	parse_one(&o, &a, L("{\"a\":[null]}"), true, '\n', ']', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->u.obj.n, 1);
	assert_int_equal(o.v->u.obj.items[0].val.u.arr.n, 1);
	free(o.buf);
	/* a key that fills the input up to the control byte */
	parse_one(&o, &a, L("{\"abcdefghijklmnopqrstu\":1}"), true, '\n', '"', NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.v->u.obj.items[0].klen, 21);
	free(o.buf);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes_full),
		cmocka_unit_test(test_prefixes_selective),
		cmocka_unit_test(test_truncated_tokens),
		cmocka_unit_test(test_tokens_at_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
