/*
 * test_json_keep.c - the selective parse (bl_json_opts.keep): the kept paths
 * come out exactly as a full parse builds them (case-folded keys, arrays at
 * any depth, keep-everything nodes, positions), skipped members are absent,
 * and a document is rejected, with the same code, message and line:col, in
 * exactly the cases the full parse rejects it -- whatever the kind of error
 * and wherever it lies in a skipped subtree.
 */
#include "testutil.h"
#include "value_eq.h"

#include <math.h>

/* Literal with its exact length, so cases may hold NUL bytes. */
#define L(s) s, sizeof(s) - 1

/* A keep set from paths "a.b.c" (each ends in a keep-everything node;
 * "*" alone keeps the root whole; "a.b." keeps b's listed children only). */
static struct bl_json_keep *keep_of(const char *const *paths, size_t n)
{
	struct bl_json_keep *k = NULL;
	assert_int_equal(bl_json_keep_new(&k), 0);
	for (size_t i = 0; i < n; i++) {
		const char *p = paths[i];
		uint32_t node = 0;
		if (strcmp(p, "*") == 0) {
			bl_json_keep_all(k, 0);
			continue;
		}
		bool all = true;
		while (*p) {
			const char *dot = strchr(p, '.');
			size_t len = dot ? (size_t)(dot - p) : strlen(p);
			assert_int_equal(bl_json_keep_child(k, node, p, len, &node), 0);
			if (!dot)
				break;
			p = dot + 1;
			if (!*p)
				all = false;
		}
		if (all)
			bl_json_keep_all(k, node);
	}
	return k;
}

struct two {
	int rc_full, rc_keep;
	struct bl_error e_full, e_keep;
	const struct bl_value *full, *kept;
};

/* Parse text[0..len) in full and with k; both results in a. */
static void parse_both(struct two *t, struct bl_arena *a, const char *text, size_t len,
		       const struct bl_json_keep *k, uint32_t max_depth)
{
	char *buf = bl_arena_alloc(a, len ? len : 1);
	assert_non_null(buf);
	memcpy(buf, text, len);
	struct bl_json_opts o = {.max_depth = max_depth, .line0 = 3, .col0 = 5};
	bl_error_clear(&t->e_full);
	bl_error_clear(&t->e_keep);
	t->rc_full = bl_json_parse(&t->full, a, buf, len, "t.json", &o, &t->e_full);
	o.keep = k;
	t->rc_keep = bl_json_parse(&t->kept, a, buf, len, "t.json", &o, &t->e_keep);
}

/* Both parses fail the same way, and do fail. */
static void assert_same_error(const struct two *t, const char *text)
{
	if (t->rc_full == 0)
		fail_msg("expected a parse error for: %s", text);
	if (t->rc_keep != t->rc_full || t->e_keep.line != t->e_full.line ||
	    t->e_keep.col != t->e_full.col || strcmp(t->e_keep.msg, t->e_full.msg) != 0 ||
	    strcmp(t->e_keep.file, t->e_full.file) != 0)
		fail_msg("for %s\n full: %d %u:%u %s\n keep: %d %u:%u %s", text, t->rc_full,
			 t->e_full.line, t->e_full.col, t->e_full.msg, t->rc_keep,
			 t->e_keep.line, t->e_keep.col, t->e_keep.msg);
}

/* ---- what is kept -------------------------------------------------------- */

static void test_keep_selects(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"ID\":\"/subs/1\",\n"
		" \"skipme\": {\"deep\": [1, 2, {\"x\": \"y\\n\"}], \"s\": \"\\u00e9t\\u00E9\"},\n"
		" \"Properties\": {\"a\": [{\"b\": 1, \"c\": 2}, [{\"b\": true, \"d\": null}], 7, \"s\"],\n"
		"    \"other\": 1.5e3, \"whole\": {\"k\": [1, {\"z\": 2}]}},\n"
		" \"tags\": {\"Env\": \"prod\", \"x\": {\"y\": 1}},\n"
		" \"name\": \"n\", \"NAME\": \"m\", \"zzz\": -0.5}";
	static const char want[] =
		"{\"ID\":\"/subs/1\",\n"
		" \"Properties\": {\"a\": [{\"b\": 1}, [{\"b\": true}], 7, \"s\"],\n"
		"    \"whole\": {\"k\": [1, {\"z\": 2}]}},\n"
		" \"tags\": {\"Env\": \"prod\", \"x\": {\"y\": 1}},\n"
		" \"name\": \"n\", \"NAME\": \"m\"}";
	static const char *const paths[] = {
		"id", "properties.a.b", "PROPERTIES.Whole", "tags", "Name",
	};
	struct bl_json_keep *k = keep_of(paths, sizeof(paths) / sizeof(paths[0]));
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct two t;
	parse_both(&t, &a, L(doc), k, 0);
	assert_int_equal(t.rc_full, 0);
	assert_int_equal(t.rc_keep, 0);
	const struct bl_value *w = tu_json(&a, want);
	assert_true(tu_value_eq(t.kept, w, 0));
	/* Kept nodes sit where the full parse puts them, even after skipped
	 * members that span lines. */
	const struct bl_value *fp = bl_value_getz(t.full, "properties");
	const struct bl_value *kp = bl_value_getz(t.kept, "properties");
	assert_non_null(kp);
	assert_int_equal(kp->line, fp->line);
	assert_int_equal(kp->col, fp->col);
	assert_true(tu_value_eq(bl_value_getz(kp, "whole"), bl_value_getz(fp, "whole"), TU_EQ_POS));
	assert_true(tu_value_eq(bl_value_getz(t.kept, "tags"), bl_value_getz(t.full, "tags"), TU_EQ_POS));
	const struct bl_member *fm = bl_value_member(t.full, "name", 4);
	const struct bl_member *km = bl_value_member(t.kept, "name", 4);
	assert_int_equal(km->line, fm->line);
	assert_int_equal(km->col, fm->col);
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

static void test_keep_all_root_and_empty(void **state)
{
	(void)state;
	static const char doc[] = "{\"a\": {\"b\": [1, 2]}, \"c\": \"d\", \"e\": [{}]}";
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* A root that keeps everything is a full parse. */
	static const char *const all[] = {"*"};
	struct bl_json_keep *k = keep_of(all, 1);
	assert_true(bl_json_keep_is_all(k, 0));
	struct two t;
	parse_both(&t, &a, L(doc), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_true(tu_value_eq(t.kept, t.full, TU_EQ_POS));
	bl_json_keep_free(k);
	/* A keep set with nothing in it keeps an empty root object; scalars
	 * and arrays at the root are still built (arrays are transparent). */
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_false(bl_json_keep_is_all(k, 0));
	parse_both(&t, &a, L(doc), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_int_equal(t.kept->type, BL_VOBJ);
	assert_int_equal(t.kept->u.obj.n, 0);
	parse_both(&t, &a, L("[1, {\"a\": 1}, \"s\"]"), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_int_equal(t.kept->u.arr.n, 3);
	assert_int_equal(t.kept->u.arr.items[1].u.obj.n, 0);
	parse_both(&t, &a, L(" 42 "), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_true(tu_value_eq(t.kept, t.full, TU_EQ_POS));
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

static void test_keep_keys(void **state)
{
	(void)state;
	struct bl_json_keep *k = NULL;
	assert_int_equal(bl_json_keep_new(&k), 0);
	uint32_t a, b, c;
	assert_int_equal(bl_json_keep_child(k, 0, "Props", 5, &a), 0);
	assert_int_equal(bl_json_keep_child(k, 0, "pROPS", 5, &b), 0);
	assert_int_equal(a, b);  /* one node per key, whatever its case */
	assert_int_equal(bl_json_keep_child(k, a, "x", 1, &c), 0);
	assert_true(c != a);
	assert_false(bl_json_keep_is_all(k, c));
	bl_json_keep_all(k, c);
	assert_true(bl_json_keep_is_all(k, c));
	assert_int_equal(bl_json_keep_child(k, 99, "x", 1, &c), BL_EINVAL);

	/* An escaped key is matched by its decoded text; a key whose escape
	 * decodes to something else is not. */
	struct bl_arena ar;
	bl_arena_init(&ar, 0);
	struct two t;
	parse_both(&t, &ar, L("{\"pr\\u006Fps\": {\"X\": 1, \"y\": 2}, \"p\\u0072\": 3}"), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_true(tu_value_eq(t.kept, tu_json(&ar, "{\"props\": {\"X\": 1}}"), 0));
	bl_json_keep_free(k);
	bl_arena_free(&ar);
}

/* ---- errors ------------------------------------------------------------ */

/* Each of these is rejected by the full parse; placed in a skipped member
 * (at the top, deep inside, after a kept member, inside an array below a
 * kept node) it must be rejected the same way. */
static const struct { const char *s; size_t len; } bad_values[] = {
	{L("tru")}, {L("nul")}, {L("fals")}, {L("trUe")}, {L("+1")}, {L(".5")},
	{L("01")}, {L("-")}, {L("1.")}, {L("1e")}, {L("1e+")}, {L("1e999")},
	{L("-1e400")}, {L("NaN")}, {L("'s'")},
	{L("\"\\x\"")}, {L("\"\\u12\"")}, {L("\"\\u12G4\"")}, {L("\"\\uD800\"")},
	{L("\"\\uDC00\"")}, {L("\"\\uD800\\u0041\"")}, {L("\"\\")},
	{L("\"a\xC3\"")}, {L("\"\xC0\x80\"")}, {L("\"\xED\xA0\x80\"")}, {L("\"\xF4\x90\x80\x80\"")},
	{L("\"\xFF\"")}, {L("\"\xE2\x82\"")}, {L("\"\x80\"")},
	{L("\"a\x01\"")}, {L("\"a\nb\"")}, {L("\"a\tb\"")}, {L("\"a\0b\"")},
	{L("\"unterminated")}, {L("{\"a\":1")}, {L("[1,2")}, {L("{\"a\" 1}")}, {L("{\"a\":}")},
	{L("{,}")}, {L("{\"a\":1,}")}, {L("[1,]")}, {L("[,1]")}, {L("{\"a\":1 \"b\":2}")},
	{L("[1 2]")}, {L("{1:2}")}, {L("{\"a\":1]")}, {L("[1}")},
	{L("{\"a\":1,\"a\":2}")}, {L("{\"k\":{\"b\":[{\"x\":1,\"y\":2,\"x\":3}]}}")},
	{L("{\"\\u0061\":1,\"a\":2}")},
	{L("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,"
	   "\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,\"p\":16,\"q\":17,\"r\":18,\"s\":19,"
	   "\"t\":20,\"u\":21,\"v\":22,\"w\":23,\"x\":24,\"y\":25,\"z\":26,\"A\":27,\"B\":28,"
	   "\"C\":29,\"D\":30,\"E\":31,\"F\":32,\"G\":33,\"H\":34,\"I\":35,\"c\":36}")},
};

static void test_keep_errors_in_skipped(void **state)
{
	(void)state;
	static const char *const paths[] = {"id", "props.list.x"};
	struct bl_json_keep *k = keep_of(paths, 2);
	static const char *const shapes[][2] = {
		{"{\"skip\": ", "}"},
		{"{\n  \"id\": \"x\",\n  \"skip\": ", "\n}"},
		{"{\"id\": 1, \"skip\": {\"a\": [1, {\"b\": ", "}]}, \"id2\": 2}"},
		{"{\"props\": {\"list\": [{\"x\": 1, \"y\": ", "}]}}"},
		{"{\"props\": {\"list\": [[{\"other\": [", "]}]]}}"},
		{"[{\"skip\": ", "}]"},
	};
	struct bl_arena a;
	bl_arena_init(&a, 0);
	char buf[1024];
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
			size_t l0 = strlen(shapes[s][0]), l1 = strlen(shapes[s][1]);
			size_t n = bad_values[i].len;
			assert_true(l0 + n + l1 < sizeof(buf));
			memcpy(buf, shapes[s][0], l0);
			memcpy(buf + l0, bad_values[i].s, n);
			memcpy(buf + l0 + n, shapes[s][1], l1);
			buf[l0 + n + l1] = '\0';  /* for the failure message */
			struct two t;
			parse_both(&t, &a, buf, l0 + n + l1, k, 0);
			assert_same_error(&t, buf);
		}
	}
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

static void test_keep_duplicates(void **state)
{
	(void)state;
	static const char *const paths[] = {"id", "props.x"};
	struct bl_json_keep *k = keep_of(paths, 2);
	static const char *const docs[] = {
		/* a skipped member twice in a kept object */
		"{\"id\": 1, \"z\": 2, \"z\": 3}",
		/* a kept key twice around skipped members */
		"{\"id\": 1, \"z\": 2, \"id\": 3}",
		/* in a kept object below the root */
		"{\"props\": {\"x\": 1, \"q\": {}, \"q\": []}}",
		/* in a skipped object, nested */
		"{\"skip\": {\"a\": {\"b\": 1, \"c\": 2, \"b\": 3}}}",
		/* escaped and plain spelling of the same skipped key */
		"{\"s\\u006bip\": 1, \"skip\": 2}",
	};
	struct bl_arena a;
	bl_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct two t;
		parse_both(&t, &a, docs[i], strlen(docs[i]), k, 0);
		assert_same_error(&t, docs[i]);
		assert_non_null(strstr(t.e_keep.msg, "duplicate key"));
	}
	/* Different case is not a duplicate, kept or not. */
	struct two t;
	parse_both(&t, &a, L("{\"id\": 1, \"ID\": 2, \"z\": 1, \"Z\": 2}"), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_int_equal(t.kept->u.obj.n, 2);
	/* Many skipped members: the duplicate table of big objects. */
	char big[8192];
	size_t o = 0;
	o += (size_t)snprintf(big + o, sizeof(big) - o, "{\"id\": 0");
	for (int m = 0; m < 200; m++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, ", \"k%d\": %d", m, m);
	o += (size_t)snprintf(big + o, sizeof(big) - o, ", \"k150\": 1}");
	parse_both(&t, &a, big, o, k, 0);
	assert_same_error(&t, "200 members");
	big[o - 12] = '}';  /* without the duplicate */
	parse_both(&t, &a, big, o - 11, k, 0);
	assert_int_equal(t.rc_full, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_int_equal(t.kept->u.obj.n, 1);
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

/*
 * Every byte value at every place in a string, across the 16-byte blocks of
 * the vector scans and past the 256 bytes the fast paths take: in a kept
 * value, a skipped value, a key of a skipped object, a kept key and an
 * element of a skipped array.  Printable ASCII other than '"' and '\\' is
 * plain text; a control byte, a lone byte >= 0x80, a backslash before 'z'
 * and a quote are errors, reported by both parses at the same place.
 */
static void test_keep_string_bytes(void **state)
{
	(void)state;
	static const char *const paths[] = {"id"};
	struct bl_json_keep *k = keep_of(paths, 1);
	static const char *const shapes[][2] = {
		{"{\"id\":\"", "\",\"skip\":1}"},
		{"{\"skip\":\"", "\",\"id\":1}"},
		{"{\"skip\":{\"", "\":1},\"id\":1}"},
		{"{\"", "\":1,\"id\":2}"},
		{"{\"skip\":[\"x\",\"", "\"],\"id\":1}"},
	};
	static const size_t offsets[] = {0, 1, 2, 7, 8, 14, 15, 16, 17, 31, 32, 33,
					 47, 63, 64, 250, 254, 255, 256, 257, 300};
	struct bl_arena a;
	bl_arena_init(&a, 0);
	char buf[512];
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		size_t l0 = strlen(shapes[s][0]), l1 = strlen(shapes[s][1]);
		for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
			size_t off = offsets[o];
			for (unsigned b = 0; b < 256; b++) {
				size_t n = 0;
				memcpy(buf, shapes[s][0], l0);
				n = l0;
				memset(buf + n, 'a', off);
				n += off;
				buf[n++] = (char)b;
				memcpy(buf + n, "zzz", 3);
				n += 3;
				memcpy(buf + n, shapes[s][1], l1);
				n += l1;
				assert_true(n < sizeof(buf));
				struct two t;
				parse_both(&t, &a, buf, n, k, 0);
				bool plain = b >= 0x20 && b < 0x80 && b != '"' && b != '\\';
				if (plain) {
					if (t.rc_full != 0 || t.rc_keep != 0)
						fail_msg("shape %zu offset %zu byte 0x%02X: %s", s, off,
							 b, t.e_keep.msg);
					continue;
				}
				buf[n] = '\0';
				assert_same_error(&t, buf);
				if (b < 0x20 || b >= 0x80) {
					/* at the byte itself (buf[0] is column 5 of line 3) */
					assert_int_equal(t.e_keep.line, 3);
					assert_int_equal(t.e_keep.col, 5 + l0 + off);
				}
			}
		}
	}
	/* A kept string comes out whole, wherever its last block ends. */
	char text[300], out[640];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	for (size_t len = 0; len < sizeof(text); len++) {
		int n = snprintf(out, sizeof(out), "{\"id\":\"%.*s\",\"skip\":\"%.*s\"}",
				 (int)len, text, (int)len, text);
		assert_true(n > 0 && (size_t)n < sizeof(out));
		struct two t;
		parse_both(&t, &a, out, (size_t)n, k, 0);
		assert_int_equal(t.rc_keep, 0);
		assert_int_equal(t.kept->u.obj.n, 1);
		assert_int_equal(t.kept->u.obj.items[0].val.u.str.len, len);
		assert_memory_equal(t.kept->u.obj.items[0].val.u.str.s, text, len);
	}
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

/* Keys of every short length, plain and escaped, as duplicates of each
 * other in skipped and kept objects (the fingerprint masks short keys). */
static void test_keep_short_key_duplicates(void **state)
{
	(void)state;
	static const char *const paths[] = {"id"};
	struct bl_json_keep *k = keep_of(paths, 1);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* {pre, between the keys, post} */
	static const char *const shapes[][3] = {
		{"{\"skip\":{\"", "\":1,\"", "\":2},\"id\":1}"},
		{"{\"", "\":1,\"id\":1,\"", "\":2}"},
		{"{\"skip\":[{\"", "\":1,\"x\":0,\"", "\":2}]}"},
	};
	char plain[16], esc[32], other[16], buf[128];
	for (size_t len = 0; len <= 10; len++) {
		for (size_t i = 0; i < len; i++)
			plain[i] = (char)('k' + i);
		plain[len] = '\0';
		memcpy(other, plain, len + 1);
		if (len)
			other[len - 1] = 'Z';
		/* the last letter (if any) as a \u escape */
		memcpy(esc, plain, len + 1);
		if (len)
			snprintf(esc + len - 1, sizeof(esc) - (len - 1), "\\u00%02x",
				 (unsigned char)plain[len - 1]);
		for (size_t sh = 0; sh < sizeof(shapes) / sizeof(shapes[0]); sh++) {
			for (int v = 0; v < 3; v++) {
				/* plain then escaped, escaped then plain, plain then other */
				const char *k1 = v == 1 ? esc : plain;
				const char *k2 = v == 0 ? esc : v == 1 ? plain : other;
				int n = snprintf(buf, sizeof(buf), "%s%s%s%s%s", shapes[sh][0], k1,
						 shapes[sh][1], k2, shapes[sh][2]);
				assert_true(n > 0 && (size_t)n < sizeof(buf));
				struct two t;
				parse_both(&t, &a, buf, (size_t)n, k, 0);
				if (v == 2 && len) {
					if (t.rc_full != 0 || t.rc_keep != 0)
						fail_msg("%s: %s", buf, t.e_keep.msg);
					continue;
				}
				assert_same_error(&t, buf);
				assert_non_null(strstr(t.e_keep.msg, "duplicate key"));
			}
		}
	}
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

static void test_keep_depth(void **state)
{
	(void)state;
	static const char *const paths[] = {"id"};
	struct bl_json_keep *k = keep_of(paths, 1);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	/* Depth 4 allowed: {"s":[[[ ]]]} is 4 levels, one more fails. */
	struct two t;
	parse_both(&t, &a, L("{\"id\":1,\"s\":[[[1]]]}"), k, 4);
	assert_int_equal(t.rc_full, 0);
	assert_int_equal(t.rc_keep, 0);
	parse_both(&t, &a, L("{\"id\":1,\"s\":[[[{}]]]}"), k, 4);
	assert_int_equal(t.rc_full, BL_ELIMIT);
	assert_same_error(&t, "depth 5 of 4");
	char deep[2200];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "{\"skip\":");
	for (int i = 0; i < 600; i++)
		deep[n++] = '[';
	for (int i = 0; i < 600; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	parse_both(&t, &a, deep, n, k, 0);
	assert_same_error(&t, "600 nested arrays");
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

/* A pretty-printed document with skipped members spanning lines: an error
 * after them is reported at the right line:col by the selective parse
 * itself (checked by comparing with the full parse). */
static void test_keep_positions_after_skip(void **state)
{
	(void)state;
	static const char *const paths[] = {"id", "props"};
	struct bl_json_keep *k = keep_of(paths, 2);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	static const char doc[] =
		"{\r\n  \"skip\": {\n    \"a\": [\n      1,\n      \"x\"\n    ]\n  },\n"
		"\t\"props\": {\"v\": [1,\n 2]},\n  \"id\": tru\n}";
	struct two t;
	parse_both(&t, &a, L(doc), k, 0);
	assert_same_error(&t, doc);
	assert_int_equal(t.e_keep.line, 12);  /* line 10 of a text starting on line 3 */
	/* Without the error, the kept nodes after the skipped lines carry the
	 * positions the full parse gives them. */
	static const char ok[] =
		"{\r\n  \"skip\": {\n    \"a\": [\n      1,\n      \"x\"\n    ]\n  },\n"
		"\t\"props\": {\"v\": [1,\n 2]},\n  \"id\": true\n}";
	parse_both(&t, &a, L(ok), k, 0);
	assert_int_equal(t.rc_keep, 0);
	assert_int_equal(t.kept->u.obj.n, 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct bl_member *km = &t.kept->u.obj.items[i];
		const struct bl_member *fm = bl_value_member(t.full, km->key, km->klen);
		assert_int_equal(km->line, fm->line);
		assert_int_equal(km->col, fm->col);
		assert_true(tu_value_eq(&km->val, &fm->val, TU_EQ_POS));
	}
	assert_int_equal(t.kept->u.obj.items[1].line, 12);
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

/* Objects wider than the reader's first scratch arrays (64 keys, 64
 * members), with most members skipped: the kept ones come out in order,
 * equal to the full parse, and a duplicate among skipped keys, or between a
 * skipped and a kept key, is still found (small and hashed objects). */
static void test_keep_wide_objects(void **state)
{
	(void)state;
	static const char *const paths[] = {"k0", "k3", "k150", "k299", "in.k5"};
	struct bl_json_keep *k = keep_of(paths, 5);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	static const size_t sizes[] = {20, 40, 70, 300};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		for (int dup = -1; dup <= 1; dup++) {
			size_t cap = n * 40 + 64, o = 0;
			char *buf = malloc(cap);
			assert_non_null(buf);
			o += (size_t)snprintf(buf + o, cap - o, "{\"in\": {");
			for (size_t i = 0; i < n; i++)
				o += (size_t)snprintf(buf + o, cap - o, "%s\"k%zu\": %zu", i ? ", " : "",
						      i, i);
			o += (size_t)snprintf(buf + o, cap - o, "}");
			for (size_t i = 0; i < n; i++) {
				/* dup 0: the last key repeats a skipped one (k1); dup 1:
				 * it repeats a kept one (k3).  Key i is on line i + 2, which
				 * parse_both's line0 of 3 makes line i + 4. */
				size_t key = (dup >= 0 && i == n - 1) ? (dup ? 3 : 1) : i;
				o += (size_t)snprintf(buf + o, cap - o, ",\n \"k%zu\": [%zu, {\"x\": \"y\"}]",
						      key, i);
			}
			o += (size_t)snprintf(buf + o, cap - o, "}");
			struct two t;
			parse_both(&t, &a, buf, o, k, 0);
			if (dup >= 0) {
				assert_same_error(&t, buf);
				assert_string_equal(t.e_keep.msg, dup ? "duplicate key \"k3\" (first at "
						    "line 7, column 2)" : "duplicate key \"k1\" (first at "
						    "line 5, column 2)");
			} else {
				assert_int_equal(t.rc_full, 0);
				assert_int_equal(t.rc_keep, 0);
				uint32_t kept = 0;
				for (uint32_t i = 0; i < t.full->u.obj.n; i++) {
					const struct bl_member *fm = &t.full->u.obj.items[i];
					static const char *const names[] = {"in", "k0", "k3", "k150", "k299"};
					bool want = false;
					for (size_t w = 0; w < 5; w++)
						want |= fm->klen == strlen(names[w]) &&
							memcmp(fm->key, names[w], fm->klen) == 0;
					if (!want)
						continue;
					assert_true(kept < t.kept->u.obj.n);
					const struct bl_member *km = &t.kept->u.obj.items[kept++];
					assert_int_equal(km->klen, fm->klen);
					assert_memory_equal(km->key, fm->key, fm->klen);
					assert_int_equal(km->line, fm->line);
					assert_int_equal(km->col, fm->col);
					if (fm->klen != 2 || memcmp(fm->key, "in", 2) != 0)
						assert_true(tu_value_eq(&km->val, &fm->val, TU_EQ_POS));
				}
				assert_int_equal(kept, t.kept->u.obj.n);
				const struct bl_value *in = &t.kept->u.obj.items[0].val;
				assert_int_equal(in->u.obj.n, n > 5 ? 1 : 0);
				if (n > 5)
					assert_int_equal(in->u.obj.items[0].val.u.num.d, 5.0);
			}
			free(buf);
		}
	}
	bl_json_keep_free(k);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_selects),
		cmocka_unit_test(test_keep_all_root_and_empty),
		cmocka_unit_test(test_keep_keys),
		cmocka_unit_test(test_keep_errors_in_skipped),
		cmocka_unit_test(test_keep_duplicates),
		cmocka_unit_test(test_keep_string_bytes),
		cmocka_unit_test(test_keep_short_key_duplicates),
		cmocka_unit_test(test_keep_depth),
		cmocka_unit_test(test_keep_positions_after_skip),
		cmocka_unit_test(test_keep_wide_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
