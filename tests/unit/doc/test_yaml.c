/*
 * test_yaml.c - the YAML reader: core-schema scalars, positions, anchors and
 * the alias budget, limits, key rules, tags, streams and libyaml errors, and
 * what a run without libyaml gets.
 */
#include "testutil.h"

#include <time.h>

#include "doc/json.h"
#include "doc/yaml.h"
#include "nolib.h"

#define FIX "tests/fixtures/yaml/"

struct fx {
	struct bl_arena a;
	struct bl_error err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	bl_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bl_arena_free(&f->a);
	free(f);
	return 0;
}

static int parse(struct fx *f, const char *text, const struct bl_value **out)
{
	bl_error_clear(&f->err);
	return bl_yaml_parse(out, &f->a, text, strlen(text), "t.yaml", NULL, &f->err);
}

static const struct bl_value *ok(struct fx *f, const char *text)
{
	const struct bl_value *v = NULL;
	int rc = parse(f, text, &v);
	if (rc != 0)
		fail_msg("unexpected error %d %u:%u %s for: %s", rc, f->err.line,
			 f->err.col, f->err.msg, text);
	assert_non_null(v);
	return v;
}

/* Expect code rc at line:col with msg containing frag. */
static void bad(struct fx *f, const char *text, int rc, uint32_t line, uint32_t col,
		const char *frag)
{
	const struct bl_value *v = NULL;
	int got = parse(f, text, &v);
	if (got != rc || f->err.line != line || f->err.col != col ||
	    !strstr(f->err.msg, frag))
		fail_msg("for %s: got rc=%d at %u:%u \"%s\", want rc=%d at %u:%u containing \"%s\"",
			 text, got, f->err.line, f->err.col, f->err.msg, rc, line, col, frag);
	assert_string_equal(f->err.file, "t.yaml");
	assert_null(v);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open fixture %s (run from the repository root)", path);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- scalar resolution -------------------------------------------------- */

struct scase {
	const char *in;
	enum bl_vtype type;
	const char *text;   /* string contents or number text */
	double d;           /* number value; bool: 1/0 */
	uint8_t flags;
};

static void test_scalar_table(void **state)
{
	struct fx *f = *state;
	static const struct scase cases[] = {
		/* null */
		{"null", BL_VNULL, NULL, 0, 0}, {"Null", BL_VNULL, NULL, 0, 0},
		{"NULL", BL_VNULL, NULL, 0, 0}, {"~", BL_VNULL, NULL, 0, 0},
		{"nULL", BL_VSTR, "nULL", 0, 0},
		/* booleans: three spellings each, nothing else (1.2 core) */
		{"true", BL_VBOOL, NULL, 1, 0}, {"True", BL_VBOOL, NULL, 1, 0},
		{"TRUE", BL_VBOOL, NULL, 1, 0}, {"false", BL_VBOOL, NULL, 0, 0},
		{"False", BL_VBOOL, NULL, 0, 0}, {"FALSE", BL_VBOOL, NULL, 0, 0},
		{"tRUE", BL_VSTR, "tRUE", 0, 0},
		{"yes", BL_VSTR, "yes", 0, 0}, {"no", BL_VSTR, "no", 0, 0},
		{"on", BL_VSTR, "on", 0, 0}, {"off", BL_VSTR, "off", 0, 0},
		{"y", BL_VSTR, "y", 0, 0},
		/* decimal integers keep their text */
		{"0", BL_VNUM, "0", 0, BL_VF_INT}, {"42", BL_VNUM, "42", 42, BL_VF_INT},
		{"-12", BL_VNUM, "-12", -12, BL_VF_INT}, {"+5", BL_VNUM, "+5", 5, BL_VF_INT},
		{"0640", BL_VNUM, "0640", 640, BL_VF_INT},
		{"007", BL_VNUM, "007", 7, BL_VF_INT},
		/* octal and hex */
		{"0o17", BL_VNUM, "0o17", 15, 0}, {"0x1F", BL_VNUM, "0x1F", 31, 0},
		{"0xff", BL_VNUM, "0xff", 255, 0},
		{"0o8", BL_VSTR, "0o8", 0, 0}, {"0x", BL_VSTR, "0x", 0, 0},
		{"0xG1", BL_VSTR, "0xG1", 0, 0}, {"-0x1", BL_VSTR, "-0x1", 0, 0},
		/* floats */
		{"1.5", BL_VNUM, "1.5", 1.5, 0}, {"1.", BL_VNUM, "1.", 1, 0},
		{".5", BL_VNUM, ".5", 0.5, 0}, {"-.5E-2", BL_VNUM, "-.5E-2", -0.005, 0},
		{"1e3", BL_VNUM, "1e3", 1000, 0}, {"+2.5e+1", BL_VNUM, "+2.5e+1", 25, 0},
		{"1e-400", BL_VNUM, "1e-400", 0, 0},
		{".", BL_VSTR, ".", 0, 0}, {"1e", BL_VSTR, "1e", 0, 0},
		{"1.3.0", BL_VSTR, "1.3.0", 0, 0}, {"1_000", BL_VSTR, "1_000", 0, 0},
		{"12abc", BL_VSTR, "12abc", 0, 0}, {"2027-03-31", BL_VSTR, "2027-03-31", 0, 0},
		{"TLS1_2", BL_VSTR, "TLS1_2", 0, 0}, {"inf", BL_VSTR, "inf", 0, 0},
		/* quoted and block scalars are strings */
		{"'0640'", BL_VSTR, "0640", 0, 0}, {"\"true\"", BL_VSTR, "true", 0, 0},
		{"'null'", BL_VSTR, "null", 0, 0}, {"\"\"", BL_VSTR, "", 0, 0},
		{"'~'", BL_VSTR, "~", 0, 0}, {"\".inf\"", BL_VSTR, ".inf", 0, 0},
		{"|\n  12\n", BL_VSTR, "12\n", 0, 0}, {">-\n  true\n", BL_VSTR, "true", 0, 0},
		/* standard tags */
		{"!!str 12", BL_VSTR, "12", 0, 0}, {"!!str true", BL_VSTR, "true", 0, 0},
		{"!!str", BL_VSTR, "", 0, 0},
		{"!!int \"12\"", BL_VNUM, "12", 12, BL_VF_INT}, {"!!int 0x10", BL_VNUM, "0x10", 16, 0},
		{"!!float 1", BL_VNUM, "1", 1, BL_VF_INT}, {"!!float 2.5", BL_VNUM, "2.5", 2.5, 0},
		{"!!bool True", BL_VBOOL, NULL, 1, 0}, {"!!null ~", BL_VNULL, NULL, 0, 0},
		{"!<tag:yaml.org,2002:str> 7", BL_VSTR, "7", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *c = &cases[i];
		const struct bl_value *v = ok(f, c->in);
		if (v->type != c->type)
			fail_msg("%s: type %s, want %s", c->in,
				 bl_vtype_name((enum bl_vtype)v->type), bl_vtype_name(c->type));
		switch (c->type) {
		case BL_VSTR:
			if (v->u.str.len != strlen(c->text) ||
			    memcmp(v->u.str.s, c->text, v->u.str.len) != 0)
				fail_msg("%s: string \"%.*s\", want \"%s\"", c->in,
					 (int)v->u.str.len, v->u.str.s, c->text);
			break;
		case BL_VNUM:
			if (v->u.num.len != strlen(c->text) ||
			    memcmp(v->u.num.text, c->text, v->u.num.len) != 0)
				fail_msg("%s: number text \"%.*s\", want \"%s\"", c->in,
					 (int)v->u.num.len, v->u.num.text, c->text);
			if (v->u.num.d != c->d)
				fail_msg("%s: value %.17g, want %.17g", c->in, v->u.num.d, c->d);
			if (v->flags != c->flags)
				fail_msg("%s: flags %u, want %u", c->in, v->flags, c->flags);
			break;
		case BL_VBOOL:
			assert_int_equal(v->b, c->d != 0);
			break;
		default:
			break;
		}
		assert_int_equal(v->line, 1);
		assert_int_equal(v->col, 1);
		assert_string_equal(v->file, "t.yaml");
	}
}

static void test_scalar_empty_value_is_null(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = ok(f, "a:\nb: ''\n");
	assert_int_equal(bl_value_getz(v, "a")->type, BL_VNULL);
	assert_int_equal(bl_value_getz(v, "b")->type, BL_VSTR);
	assert_int_equal(bl_value_getz(v, "b")->u.str.len, 0);
}

static void test_scalar_errors(void **state)
{
	struct fx *f = *state;
	bad(f, "a: .inf\n", BL_EINVAL, 1, 4, "use a quoted string");
	bad(f, "a: -.Inf\n", BL_EINVAL, 1, 4, "use a quoted string");
	bad(f, "- .NaN\n", BL_EINVAL, 1, 3, "use a quoted string");
	bad(f, "x: !!float .nan\n", BL_EINVAL, 1, 4, "use a quoted string");
	bad(f, "a: 1e999\n", BL_EINVAL, 1, 4, "number out of range of a double");
	/* 0x1 followed by 260 hex digits is about 2^1041 */
	char hex[300] = "a: 0x1";
	memset(hex + 6, 'F', 260);
	hex[266] = '\0';
	bad(f, hex, BL_EINVAL, 1, 4, "number out of range of a double");
	/* quoted infinities are just strings */
	const struct bl_value *v = ok(f, "a: '.inf'\n");
	assert_int_equal(bl_value_getz(v, "a")->type, BL_VSTR);
}

/* ---- positions ------------------------------------------------------------ */

static void expect_pos(const struct bl_value *v, uint32_t line, uint32_t col)
{
	assert_non_null(v);
	if (v->line != line || v->col != col)
		fail_msg("node at %u:%u, want %u:%u", v->line, v->col, line, col);
}

static void expect_key(const struct bl_value *obj, const char *key, uint32_t line, uint32_t col)
{
	const struct bl_member *m = bl_value_member(obj, key, strlen(key));
	if (!m)
		fail_msg("no key %s", key);
	if (m->line != line || m->col != col)
		fail_msg("key %s at %u:%u, want %u:%u", key, m->line, m->col, line, col);
}

static void test_positions(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "positions.yaml", &len);
	const struct bl_value *v = NULL;
	int rc = bl_yaml_parse(&v, &f->a, text, len, FIX "positions.yaml", NULL, &f->err);
	assert_int_equal(rc, 0);
	expect_pos(v, 2, 1);
	assert_string_equal(v->file, FIX "positions.yaml");
	expect_key(v, "baseline", 2, 1);
	expect_pos(bl_value_getz(v, "baseline"), 2, 11);
	expect_key(v, "version", 3, 1);
	const struct bl_value *ver = bl_value_getz(v, "version");
	expect_pos(ver, 3, 10);
	assert_int_equal(ver->type, BL_VSTR);
	expect_key(v, "controls", 4, 1);
	const struct bl_value *ctl = bl_value_getz(v, "controls");
	expect_pos(ctl, 5, 3);
	assert_int_equal(ctl->type, BL_VARR);
	assert_int_equal(ctl->u.arr.n, 2);

	const struct bl_value *c0 = &ctl->u.arr.items[0];
	expect_pos(c0, 5, 5);
	expect_key(c0, "id", 5, 5);
	expect_pos(bl_value_getz(c0, "id"), 5, 9);
	expect_key(c0, "severity", 6, 5);
	expect_pos(bl_value_getz(c0, "severity"), 6, 15);
	/* flow mapping inside a block mapping */
	const struct bl_value *maps = bl_value_getz(c0, "maps");
	expect_pos(maps, 7, 11);
	expect_key(maps, "mcsb-v1", 7, 12);
	expect_pos(bl_value_getz(maps, "mcsb-v1"), 7, 21);
	expect_pos(&bl_value_getz(maps, "mcsb-v1")->u.arr.items[0], 7, 22);
	expect_key(maps, "cis-v8", 7, 29);
	const struct bl_value *cis = bl_value_getz(maps, "cis-v8");
	expect_pos(&cis->u.arr.items[0], 7, 38);
	assert_int_equal(cis->u.arr.items[0].type, BL_VSTR);
	const struct bl_value *scope = bl_value_getz(c0, "scope");
	expect_pos(scope, 9, 7);
	expect_key(scope, "tiers", 9, 7);
	const struct bl_value *tiers = bl_value_getz(scope, "tiers");
	expect_pos(&tiers->u.arr.items[1], 9, 18);
	assert_true(tiers->u.arr.items[1].u.num.d == 2.0);

	const struct bl_value *c1 = &ctl->u.arr.items[1];
	expect_pos(c1, 10, 5);
	const struct bl_value *exp = bl_value_getz(c1, "expect");
	expect_pos(exp, 11, 13);
	expect_key(exp, "field", 11, 14);
	expect_pos(bl_value_getz(exp, "field"), 11, 21);
	expect_key(exp, "modeAtMost", 11, 49);
	const struct bl_value *mode = bl_value_getz(exp, "modeAtMost");
	expect_pos(mode, 11, 61);
	assert_int_equal(mode->type, BL_VSTR);
	assert_string_equal(mode->u.str.s, "0640");
	/* every node carries the file */
	assert_string_equal(mode->file, FIX "positions.yaml");
	assert_string_equal(tiers->u.arr.items[0].file, FIX "positions.yaml");
}

static void test_positions_utf8_and_bom(void **state)
{
	struct fx *f = *state;
	/* libyaml counts columns in characters */
	const struct bl_value *v = ok(f, "\xEF\xBB\xBFk\xC3\xA9y: [\xC3\xA9t\xC3\xA9, x]\n");
	expect_key(v, "k\xC3\xA9y", 1, 1);
	const struct bl_value *arr = bl_value_getz(v, "k\xC3\xA9y");
	expect_pos(arr, 1, 6);
	expect_pos(&arr->u.arr.items[1], 1, 12);
	assert_int_equal(arr->u.arr.items[0].u.str.len, 5);
}

static void test_strings_are_copied(void **state)
{
	struct fx *f = *state;
	const char *src = "name: contoso\nlist: [a, 'b c']\n";
	size_t len = strlen(src);
	char *buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, src, len);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_yaml_parse(&v, &f->a, buf, len, "t.yaml", NULL, &f->err), 0);
	memset(buf, 'X', len);
	free(buf);
	size_t n;
	const char *s = bl_value_strz(v, "name", &n);
	assert_int_equal(n, 7);
	assert_memory_equal(s, "contoso", 7);
	const struct bl_value *l = bl_value_getz(v, "list");
	assert_memory_equal(l->u.arr.items[1].u.str.s, "b c", 3);
	assert_memory_equal(v->u.obj.items[1].key, "list", 4);
}

/* ---- anchors and aliases ------------------------------------------------ */

static void test_anchors_share(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "anchors.yaml", &len);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_yaml_parse(&v, &f->a, text, len, "t.yaml", NULL, &f->err), 0);
	const struct bl_value *defs = bl_value_getz(v, "defaults");
	const struct bl_value *one = bl_value_getz(v, "one");
	assert_int_equal(one->type, BL_VOBJ);
	/* shared, not copied */
	assert_ptr_equal(one->u.obj.items, defs->u.obj.items);
	assert_int_equal(one->u.obj.n, 2);
	/* the alias node is reported where it is used; its children where defined */
	expect_pos(one, 5, 6);
	expect_pos(defs, 1, 11);
	expect_key(one, "tier", 2, 3);
	const struct bl_value *two = bl_value_getz(v, "two");
	const struct bl_value *owner = bl_value_getz(two, "owner");
	assert_int_equal(owner->type, BL_VSTR);
	assert_ptr_equal(owner->u.str.s, bl_value_getz(v, "name")->u.str.s);
	expect_pos(owner, 7, 10);
	/* merge keys are ordinary keys */
	const struct bl_value *merge = bl_value_getz(two, "<<");
	assert_non_null(merge);
	assert_ptr_equal(merge->u.obj.items, defs->u.obj.items);
	assert_null(bl_value_getz(two, "tier"));
}

static void test_anchor_redefined_and_keys(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = ok(f, "- &a 1\n- *a\n- &a two\n- *a\n- {? &k key : *k}\n");
	assert_int_equal(v->u.arr.n, 5);
	assert_int_equal(v->u.arr.items[1].type, BL_VNUM);
	assert_int_equal(v->u.arr.items[3].type, BL_VSTR);
	assert_memory_equal(v->u.arr.items[3].u.str.s, "two", 3);
	/* a scalar alias may be a key; an anchored key is a string value */
	const struct bl_value *m = &v->u.arr.items[4];
	assert_int_equal(m->u.obj.n, 1);
	expect_key(m, "key", 5, 6);
	assert_int_equal(m->u.obj.items[0].val.type, BL_VSTR);
	assert_memory_equal(m->u.obj.items[0].val.u.str.s, "key", 3);
	v = ok(f, "- &t true\n- &n 12\n- {*t : a, *n : b}\n");
	assert_non_null(bl_value_getz(&v->u.arr.items[2], "true"));
	assert_non_null(bl_value_getz(&v->u.arr.items[2], "12"));
	bad(f, "- &k key\n- {*k : 1, key: 2}\n", BL_EINVAL, 2, 12, "duplicate key \"key\" (first defined at line 2)");
	bad(f, "- &s [1]\n- {*s : 1}\n", BL_EINVAL, 2, 4, "mapping keys must be scalars");
}

static void test_alias_errors(void **state)
{
	struct fx *f = *state;
	bad(f, "a: 1\nb: *nope\n", BL_EINVAL, 2, 4, "unknown alias *nope");
	bad(f, "a: &x [1, *x]\n", BL_EINVAL, 1, 11, "recursive alias");
	/* an alias used before its anchor is unknown */
	bad(f, "a: *x\nb: &x 1\n", BL_EINVAL, 1, 4, "unknown alias *x");
}

static void test_billion_laughs(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "laughs.yaml", &len);
	const struct bl_value *v = NULL;
	clock_t t0 = clock();
	int rc = bl_yaml_parse(&v, &f->a, text, len, "t.yaml", NULL, &f->err);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_int_equal(rc, BL_ELIMIT);
	assert_non_null(strstr(f->err.msg, "alias expansion exceeds 1000000 nodes (billion laughs?)"));
	/* line 7 (&g) is the first whose expansion passes 10^6 nodes */
	assert_int_equal(f->err.line, 7);
	assert_true(secs < 0.5);
	assert_true(f->a.used < 256 * 1024);
}

static void test_alias_budget_option(void **state)
{
	struct fx *f = *state;
	struct bl_yaml_opts o = {.max_alias_nodes = 7};
	/* x expands to 4 nodes (seq + 3 items); two uses = 8 > 7 */
	const char *text = "x: &x [1, 2, 3]\ny: *x\nz: *x\n";
	const struct bl_value *v = NULL;
	int rc = bl_yaml_parse(&v, &f->a, text, strlen(text), "t.yaml", &o, &f->err);
	assert_int_equal(rc, BL_ELIMIT);
	assert_int_equal(f->err.line, 3);
	assert_int_equal(f->err.col, 4);
	assert_non_null(strstr(f->err.msg, "exceeds 7 nodes"));
	o.max_alias_nodes = 8;
	assert_int_equal(bl_yaml_parse(&v, &f->a, text, strlen(text), "t.yaml", &o, &f->err), 0);
}

/* ---- limits and keys ------------------------------------------------------ */

static void test_nesting_limit(void **state)
{
	struct fx *f = *state;
	char buf[2000];
	memset(buf, '[', 600);
	memset(buf + 600, ']', 600);
	buf[1200] = '\0';
	bad(f, buf, BL_ELIMIT, 1, 513, "nesting deeper than 512 levels");
	/* exactly 512 levels are fine */
	memset(buf, '[', 512);
	memset(buf + 512, ']', 512);
	buf[1024] = '\0';
	const struct bl_value *v = ok(f, buf);
	assert_int_equal(v->type, BL_VARR);

	struct bl_yaml_opts o = {.max_depth = 3};
	const char *deep = "a:\n  b:\n    c:\n      d: 1\n";
	assert_int_equal(bl_yaml_parse(&v, &f->a, deep, strlen(deep), "t.yaml", &o, &f->err),
			 BL_ELIMIT);
	assert_int_equal(f->err.line, 4);
	assert_int_equal(f->err.col, 7);
	const char *three = "a:\n  b:\n    c: 1\n";
	assert_int_equal(bl_yaml_parse(&v, &f->a, three, strlen(three), "t.yaml", &o, &f->err), 0);
}

static void test_duplicate_keys(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "duplicate-key.yaml", &len);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_yaml_parse(&v, &f->a, text, len, "t.yaml", NULL, &f->err), BL_EINVAL);
	assert_int_equal(f->err.line, 4);
	assert_int_equal(f->err.col, 3);
	assert_string_equal(f->err.msg, "duplicate key \"id\" (first defined at line 2)");
	bad(f, "{a: 1, b: 2, a: 3}", BL_EINVAL, 1, 14, "first defined at line 1");
	/* exact bytes: case variants and the same key in sibling mappings are fine */
	v = ok(f, "a: 1\nA: 2\nx: {a: 1}\ny: {a: 2}\n");
	assert_int_equal(v->u.obj.n, 4);
	/* quoting does not make a different key */
	bad(f, "a: 1\n'a': 2\n", BL_EINVAL, 2, 1, "duplicate key \"a\"");
}

static void test_many_keys(void **state)
{
	struct fx *f = *state;
	/* enough keys to grow the duplicate table several times */
	size_t cap = 20000 * 16;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = 0;
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "k%d: %d\n", i, i);
	const struct bl_value *v = ok(f, buf);
	assert_int_equal(v->u.obj.n, 20000);
	expect_key(v, "k19999", 20000, 1);
	n += (size_t)snprintf(buf + n, cap - n, "k123: x\n");
	bad(f, buf, BL_EINVAL, 20001, 1, "duplicate key \"k123\" (first defined at line 124)");

	/* keys of closed mappings leave the table: many sibling mappings with
	 * the same keys, nested ones reusing the parent's key, then a late
	 * duplicate inside the outer mapping still found */
	n = (size_t)snprintf(buf, cap, "outer: 1\nlist:\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "  - {a: 1, b: 2, c: {a: 1, c: {c: %d}}, d: 4}\n", i);
	v = ok(f, buf);
	assert_int_equal(bl_value_getz(v, "list")->u.arr.n, 3000);
	n += (size_t)snprintf(buf + n, cap - n, "outer: 2\n");
	bad(f, buf, BL_EINVAL, 3003, 1, "duplicate key \"outer\" (first defined at line 1)");
	free(buf);
}

static void test_non_scalar_keys(void **state)
{
	struct fx *f = *state;
	bad(f, "? [a, b]\n: 1\n", BL_EINVAL, 1, 3, "mapping keys must be scalars, not a sequence");
	bad(f, "{{a: 1}: 2}", BL_EINVAL, 1, 2, "mapping keys must be scalars, not a mapping");
	bad(f, "x:\n  ? {a: 1}\n  : 2\n", BL_EINVAL, 2, 5, "not a mapping");
	/* scalar keys keep their text whatever they look like */
	const struct bl_value *v = ok(f, "1: a\ntrue: b\n~: c\n.inf: d\n'q': e\n");
	assert_int_equal(v->u.obj.n, 5);
	assert_non_null(bl_value_getz(v, "1"));
	assert_non_null(bl_value_getz(v, "true"));
	assert_non_null(bl_value_getz(v, "~"));
	assert_non_null(bl_value_getz(v, ".inf"));
	assert_non_null(bl_value_getz(v, "q"));
}

static void test_tags(void **state)
{
	struct fx *f = *state;
	bad(f, "a: !foo 1\n", BL_EINVAL, 1, 4, "unsupported tag !foo");
	bad(f, "a: !!binary aGVsbG8=\n", BL_EINVAL, 1, 4, "unsupported tag !!binary");
	bad(f, "a: !!set {x: ~}\n", BL_EINVAL, 1, 4, "unsupported tag !!set");
	bad(f, "- !!timestamp 2027-03-31\n", BL_EINVAL, 1, 3, "unsupported tag !!timestamp");
	bad(f, "a: !<tag:example.com,2000:x> 1\n", BL_EINVAL, 1, 4,
	    "unsupported tag tag:example.com,2000:x");
	bad(f, "!foo k: 1\n", BL_EINVAL, 1, 1, "unsupported tag !foo");
	bad(f, "a: !!int 1.5\n", BL_EINVAL, 1, 4, "\"1.5\" is not a valid !!int");
	bad(f, "a: !!int abc\n", BL_EINVAL, 1, 4, "is not a valid !!int");
	bad(f, "a: !!float abc\n", BL_EINVAL, 1, 4, "\"abc\" is not a valid !!float");
	bad(f, "a: !!bool yes\n", BL_EINVAL, 1, 4, "is not a valid !!bool");
	bad(f, "a: !!null x\n", BL_EINVAL, 1, 4, "is not a valid !!null");
	bad(f, "a: !!map x\n", BL_EINVAL, 1, 4, "a scalar cannot have tag !!map");
	bad(f, "a: !!seq {x: 1}\n", BL_EINVAL, 1, 4, "a mapping cannot have tag !!seq");
	bad(f, "a: !!map [1]\n", BL_EINVAL, 1, 4, "a sequence cannot have tag !!map");
	const struct bl_value *v = ok(f, "a: !!map {x: !!seq [1]}\n");
	assert_int_equal(bl_value_getz(bl_value_getz(v, "a"), "x")->type, BL_VARR);
}

/* ---- documents and streams ------------------------------------------------ */

static void test_single_document(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = ok(f, "");
	assert_int_equal(v->type, BL_VNULL);
	assert_string_equal(v->file, "t.yaml");
	assert_int_equal(bl_yaml_parse(&v, &f->a, NULL, 0, NULL, NULL, &f->err), 0);
	assert_int_equal(v->type, BL_VNULL);
	assert_null(v->file);
	v = ok(f, "# only a comment\n\n");
	assert_int_equal(v->type, BL_VNULL);
	v = ok(f, "--- \nfoo\n...\n");
	assert_int_equal(v->type, BL_VSTR);
	expect_pos(v, 2, 1);
	bad(f, "a: 1\n---\nb: 2\n", BL_EINVAL, 2, 1, "expected a single document");
	bad(f, "a: 1\n...\n---\n", BL_EINVAL, 3, 1, "expected a single document");
}

struct seen {
	int n;
	const struct bl_value *docs[8];
	int stop_at;
};

static int collect(void *ctx, const struct bl_value *doc)
{
	struct seen *s = ctx;
	if (s->n < 8)
		s->docs[s->n] = doc;
	s->n++;
	return s->n == s->stop_at ? 77 : 0;
}

static void test_stream_order(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "stream.yaml", &len);
	struct seen s = {0};
	int rc = bl_yaml_parse_stream(&f->a, text, len, "s.yaml", NULL, collect, &s, &f->err);
	assert_int_equal(rc, 0);
	/* empty documents, the explicit null and the comment-only one are skipped */
	assert_int_equal(s.n, 3);
	assert_string_equal(bl_value_strz(s.docs[0], "kind", NULL), "Namespace");
	expect_pos(s.docs[0], 2, 1);
	const struct bl_value *md = bl_value_getz(s.docs[1], "metadata");
	assert_string_equal(bl_value_strz(md, "name", NULL), "two");
	expect_pos(s.docs[1], 11, 1);
	assert_int_equal(s.docs[2]->type, BL_VARR);
	expect_pos(s.docs[2], 17, 1);
	/* documents stay valid after later ones were parsed */
	assert_string_equal(bl_value_strz(s.docs[0], "kind", NULL), "Namespace");
	assert_string_equal(s.docs[2]->file, "s.yaml");
}

static void test_stream_stop_and_errors(void **state)
{
	struct fx *f = *state;
	const char *text = "a: 1\n---\nb: 2\n---\nc: 3\n";
	struct seen s = {.stop_at = 2};
	int rc = bl_yaml_parse_stream(&f->a, text, strlen(text), "s.yaml", NULL, collect, &s,
				      &f->err);
	assert_int_equal(rc, 77);
	assert_int_equal(s.n, 2);

	/* an error in a later document comes after the earlier callbacks */
	text = "a: 1\n---\nb: [1\n";
	memset(&s, 0, sizeof(s));
	rc = bl_yaml_parse_stream(&f->a, text, strlen(text), "s.yaml", NULL, collect, &s, &f->err);
	assert_int_equal(rc, BL_EINVAL);
	assert_int_equal(s.n, 1);
	assert_int_equal(f->err.line, 4);
	assert_string_equal(f->err.file, "s.yaml");

	/* anchors are per document */
	text = "a: &x 1\n---\nb: *x\n";
	memset(&s, 0, sizeof(s));
	rc = bl_yaml_parse_stream(&f->a, text, strlen(text), "s.yaml", NULL, collect, &s, &f->err);
	assert_int_equal(rc, BL_EINVAL);
	assert_int_equal(f->err.line, 3);
	assert_int_equal(f->err.col, 4);
	assert_non_null(strstr(f->err.msg, "unknown alias *x"));

	/* an empty stream calls nothing */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bl_yaml_parse_stream(&f->a, "", 0, "s.yaml", NULL, collect, &s, &f->err), 0);
	assert_int_equal(s.n, 0);
}

/* ---- libyaml errors -------------------------------------------------------- */

static void test_syntax_errors(void **state)
{
	struct fx *f = *state;
	size_t len;
	const char *text = slurp(FIX "tab-indent.yaml", &len);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_yaml_parse(&v, &f->a, text, len, "t.yaml", NULL, &f->err), BL_EINVAL);
	assert_int_equal(f->err.line, 2);
	assert_int_equal(f->err.col, 1);
	assert_non_null(strstr(f->err.msg, "found character that cannot start any token"));

	text = slurp(FIX "unclosed-flow.yaml", &len);
	assert_int_equal(bl_yaml_parse(&v, &f->a, text, len, "t.yaml", NULL, &f->err), BL_EINVAL);
	assert_int_equal(f->err.line, 2);
	assert_int_equal(f->err.col, 5);
	assert_string_equal(f->err.msg,
			    "did not find expected ',' or ']' "
			    "(while parsing a flow sequence started at line 1, column 7)");

	bad(f, "a: \"open\n", BL_EINVAL, 2, 1, "found unexpected end of stream");
	bad(f, "a: 1\n b: 2\n", BL_EINVAL, 2, 3, "mapping values are not allowed");
	bad(f, "a:\n  - 1\n  b: 2\n", BL_EINVAL, 3, 3, "did not find expected '-' indicator");
	bad(f, "key: \"bad \\q escape\"\n", BL_EINVAL, 1, 11, "unknown escape character");
	/* surrogate escapes never reach a string */
	bad(f, "a: \"\\ud800\"\n", BL_EINVAL, 1, 7, "invalid Unicode character");
	/* invalid UTF-8 input: reader error with the byte's position */
	bad(f, "a: 1\nb: \xC3\x28\n", BL_EINVAL, 2, 5, "invalid trailing UTF-8 octet (byte 0x28)");
	bad(f, "a: \xFF\n", BL_EINVAL, 1, 4, "invalid leading UTF-8 octet");
}


/* bl_yaml_write_str: what importers write reads back as the same text, in
 * YAML and in JSON (regression: fuzz_oscal found a DEL in a title that the
 * JSON escaping left raw, which YAML refuses). */
static void test_write_str_round_trip(void **state)
{
	struct fx *f = *state;
	static const char *const cases[] = {
		"plain", "quote \" and \\ backslash", "tab\tnew\nline\rcr",
		"del \x7f", "c1 \xc2\x80 \xc2\x85 \xc2\x9f", "ls \xe2\x80\xa8 ps \xe2\x80\xa9",
		"bom \xef\xbb\xbf nonchar \xef\xbf\xbe \xef\xbf\xbf", "\x01\x1f",
		"ok \xc2\xa0 \xe2\x82\xac \xf0\x9f\x98\x80",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		bl_buf_adds(&b, "k: ");
		assert_int_equal(bl_yaml_write_str(&b, cases[i], strlen(cases[i])), 0);
		const struct bl_value *v = ok(f, b.data);
		const struct bl_value *k = bl_value_getz(v, "k");
		assert_non_null(k);
		assert_int_equal(k->type, BL_VSTR);
		assert_int_equal(k->u.str.len, strlen(cases[i]));
		assert_memory_equal(k->u.str.s, cases[i], k->u.str.len);
		/* and the same text as JSON */
		const struct bl_value *j = tu_json(&f->a, b.data + 3);
		assert_int_equal(j->u.str.len, strlen(cases[i]));
		assert_memory_equal(j->u.str.s, cases[i], j->u.str.len);
		bl_buf_free(&b);
	}
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_yaml_write_str(&b, "a\x7f\xc2\x85", 4);
	assert_string_equal(b.data, "\"a\\u007f\\u0085\"");
	bl_buf_free(&b);
}

/* ---- without libyaml ------------------------------------------------- */

static int no_doc_cb(void *ctx, const struct bl_value *doc)
{
	(void)ctx;
	(void)doc;
	return 1;
}

/* In a child without libyaml: YAML is an error naming the package (the
 * same for a stream), and JSON, which never needs libyaml, still parses. */
static int check_without_libyaml(void *ctx)
{
	(void)ctx;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	const struct bl_value *v = NULL;
	int bad = bl_yaml_parse(&v, &a, "a: 1\n", 5, "t.yaml", NULL, &err) != BL_EINTERNAL ||
		  strstr(err.msg, "cannot load libyaml-0.so.2: ") != err.msg ||
		  !strstr(err.msg, "install libyaml-0-2)") || v != NULL;
	bad |= bl_yaml_parse_stream(&a, "a: 1\n", 5, "t.yaml", NULL, no_doc_cb, NULL, &err) !=
		       BL_EINTERNAL ||
	       !strstr(err.msg, "install libyaml-0-2)");
	bad |= bl_doc_parse(&v, &a, "{\"a\": 1}", 8, "t.json", &err) != 0 || v->type != BL_VOBJ;
	bl_arena_free(&a);
	return bad;
}

/* Runs first: a child can only lose libyaml while this process has not
 * opened it yet. */
static void test_without_libyaml(void **state)
{
	(void)state;
	int rc = tu_without_lib("libyaml-0.so.2", check_without_libyaml, NULL);
	if (rc == TU_NOLIB_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_libyaml),
		cmocka_unit_test_setup_teardown(test_scalar_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalar_empty_value_is_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalar_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions_utf8_and_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_are_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchors_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_redefined_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_budget_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_scalar_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_stop_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_str_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
