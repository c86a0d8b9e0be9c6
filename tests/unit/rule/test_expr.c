/*
 * test_expr.c - template expressions (src/rule/expr.c, expr_fn.c): one table
 * of (expression, parameter values, document, expected JSON or error), plus
 * tests for positions, folding, keys, count scopes and the nesting limit.
 */
#include "testutil.h"

#include "rule/expr.h"
#include "rule/path.h"
#include "util/str.h"

static const char *DEFS =
	"{\"loc\": {\"type\": \"string\", \"defaultValue\": \"westeurope\"},"
	" \"list\": {\"type\": \"array\", \"default\": [\"a\", \"b\"]},"
	" \"n\": {\"type\": \"int\", \"default\": 3},"
	" \"obj\": {\"type\": \"object\", \"default\": {\"inner\": {\"x\": [1, 2]}}},"
	" \"nodef\": {\"type\": \"string\", \"allowedValues\": [\"a\"]}}";

static const char *DOC =
	"{\"name\": \"vm1\", \"type\": \"Microsoft.Compute/virtualMachines\","
	" \"location\": \"WestEurope\","
	" \"tags\": {\"env\": \"prod\", \"cost-center\": \"42\"},"
	" \"properties\": {\"count\": 5, \"ratio\": 0.5, \"enabled\": true, \"nothing\": null,"
	"   \"rules\": [{\"name\": \"r1\", \"port\": 22, \"access\": \"Allow\"},"
	"             {\"name\": \"r2\", \"port\": 443, \"access\": \"Deny\"}],"
	"   \"ips\": [\"10.0.0.1\", \"10.0.0.2\"], \"empty\": [], \"emptyObj\": {},"
	"   \"text\": \"Hello, World\"}}";

/* expect: JSON text of the result, "missing" for a missing result, or NULL
 * when err is set.  cerr: the error is a compile error (else an evaluation
 * error).  params: parameter values (name -> value) or NULL. */
struct row {
	const char *expr;
	const char *expect;
	const char *err;
	bool cerr;
	const char *params;
};

#define OK(x, want) { x, want, NULL, false, NULL }
#define OKP(x, params, want) { x, want, NULL, false, params }
#define CERR(x, msg) { x, NULL, msg, true, NULL }
#define EERR(x, msg) { x, NULL, msg, false, NULL }

static const struct row ROWS[] = {
	/* literals */
	OK("[1]", "1"),
	OK("[-2]", "-2"),
	OK("[1.50]", "1.50"),
	OK("[-0.25]", "-0.25"),
	OK("['it''s']", "\"it's\""),
	OK("['''']", "\"'\""),
	OK("['']", "\"\""),
	OK("[true]", "true"),
	OK("[False]", "false"),
	OK("[null]", "null"),
	OK("[true()]", "true"),
	OK("[false()]", "false"),
	OK("[ concat( 'a' , 'b' ) ]", "\"ab\""),
	/* property and index access */
	OK("[field('properties.rules')[1].name]", "\"r2\""),
	OK("[field('properties')['rules'][0]['port']]", "22"),
	OK("[field('tags').env]", "\"prod\""),
	OK("[field('tags').ENV]", "\"prod\""),
	OK("[field('tags')['cost-center']]", "\"42\""),
	OK("[parameters('obj').inner.x[1]]", "2"),
	OK("[createArray('a', 'b')[length('x')]]", "\"b\""),
	OK("[createArray(createArray(1, 2))[0][1]]", "2"),
	EERR("[field('tags').missing]", "property 'missing' does not exist"),
	EERR("[field('properties.rules')[5]]", "index 5 out of range (the array has 2 elements)"),
	EERR("[field('name')[0]]", "cannot index a string"),
	EERR("[field('nope').x]", "cannot read property 'x' of a missing value"),
	EERR("[field('properties.count').x]", "cannot read property 'x' of a number"),
	CERR("[parameters('list')[2]]", "index 2 out of range"),
	CERR("[parameters('list')[true]]", "an index must be a string or a number, got boolean"),
	/* field() */
	OK("[field('name')]", "\"vm1\""),
	OK("[field('NAME')]", "\"vm1\""),
	OK("[field('nope')]", "missing"),
	OK("[field('properties.nothing')]", "null"),
	OK("[field('properties.rules[*].name')]", "[\"r1\",\"r2\"]"),
	OK("[field('properties.rules[*].nope')]", "[]"),
	OK("[field('tags[\"cost-center\"]')]", "\"42\""),
	OK("[field(concat('ta', 'gs.env'))]", "\"prod\""),
	OK("[field(field('properties.text'))]", "missing"),
	CERR("[field(1)]", "field() expects a string path, got number"),
	CERR("[field('a[')]", "field('a['): invalid path"),
	/* parameters() */
	OK("[parameters('loc')]", "\"westeurope\""),
	OK("[parameters('LIST')]", "[\"a\",\"b\"]"),
	OK("[parameters('n')]", "3"),
	OKP("[parameters('loc')]", "{\"loc\": \"northeurope\"}", "\"northeurope\""),
	OKP("[parameters('nodef')]", "{\"nodef\": \"a\"}", "\"a\""),
	OKP("[parameters('extra')]", "{\"extra\": [1]}", "[1]"),
	CERR("[parameters('x')]", "parameters('x'): no parameter named 'x' in this baseline"),
	CERR("[parameters('nodef')]", "parameters('nodef'): parameter 'nodef' has no value and no default"),
	CERR("[parameters(1)]", "parameters() expects a string, got number"),
	CERR("[if(field('properties.enabled'), 1, parameters('x'))]", "no parameter named 'x'"),
	/* concat() */
	OK("[concat('a', 'b', 'c')]", "\"abc\""),
	OK("[concat('a', 1, true, null)]", "\"a1true\""),
	OK("[concat(parameters('list'), createArray('c'), null)]", "[\"a\",\"b\",\"c\"]"),
	OK("[concat(field('properties.ips'), field('properties.empty'))]", "[\"10.0.0.1\",\"10.0.0.2\"]"),
	OK("[concat(field('name'), '-', field('properties.count'))]", "\"vm1-5\""),
	CERR("[concat(createArray(1), 'x')]", "concat() of arrays expects an array, got string"),
	CERR("[concat('a', parameters('list'))]", "concat() of strings expects a string, number or boolean, got array"),
	CERR("[concat()]", "concat() takes at least 1 argument, got 0"),
	/* if() */
	OK("[if(true, 'y', 'n')]", "\"y\""),
	OK("[if(false, 'y', 'n')]", "\"n\""),
	OK("[if(equals(field('name'), 'vm1'), 1, 2)]", "1"),
	OK("[if(empty(field('properties.empty')), 'none', field('properties.empty')[0])]", "\"none\""),
	OK("[if(field('properties.enabled'), 'ok', substring('ab', 5))]", "\"ok\""),
	EERR("[if(not(field('properties.enabled')), 'ok', substring('ab', 5))]", "substring(): start index 5 is outside the string (length 2)"),
	OK("[if(true, 1, substring('ab', 5))]", "1"),
	CERR("[if('x', 1, 2)]", "if() expects a boolean, got string"),
	CERR("[if(true, 1)]", "if() takes 3 arguments, got 2"),
	/* toLower(), toUpper() */
	OK("[toLower(field('location'))]", "\"westeurope\""),
	OK("[toUpper('abc-1é')]", "\"ABC-1é\""),
	OK("[TOLOWER('ABC')]", "\"abc\""),
	OK("[tolower('')]", "\"\""),
	CERR("[toLower(1)]", "toLower() expects a string, got number"),
	EERR("[toLower(field('properties.count'))]", "toLower() expects a string, got number"),
	EERR("[toUpper(field('nope'))]", "toUpper() expects a string, got null"),
	/* length() */
	OK("[length('héllo')]", "5"),
	OK("[length('')]", "0"),
	OK("[length(field('properties.rules'))]", "2"),
	OK("[length(field('tags'))]", "2"),
	OK("[length(field('properties.rules[*].port'))]", "2"),
	CERR("[length(1)]", "length() expects a string, array or object, got number"),
	EERR("[length(field('nope'))]", "length() expects a string, array or object, got null"),
	/* empty() */
	OK("[empty('')]", "true"),
	OK("[empty(createArray())]", "true"),
	OK("[empty(field('properties.emptyObj'))]", "true"),
	OK("[empty(field('nope'))]", "true"),
	OK("[empty(null)]", "true"),
	OK("[empty('a')]", "false"),
	OK("[empty(field('tags'))]", "false"),
	OK("[empty(0)]", "false"),
	/* contains() */
	OK("[contains('Hello', 'ell')]", "true"),
	OK("[contains('Hello', 'ELL')]", "false"),
	OK("[contains('a1b', 1)]", "true"),
	OK("[contains('abc', '')]", "true"),
	OK("[contains(field('properties.ips'), '10.0.0.2')]", "true"),
	OK("[contains(field('properties.ips'), '10.0.0.3')]", "false"),
	OK("[contains(createArray(1, 2), 2)]", "true"),
	OK("[contains(createArray(1, 2), '2')]", "false"),
	OK("[contains(field('tags'), 'ENV')]", "true"),
	OK("[contains(field('tags'), 'owner')]", "false"),
	CERR("[contains(1, 1)]", "contains() expects a string, array or object, got number"),
	CERR("[contains('abc', createArray())]", "contains() expects a string, number or boolean to look for, got array"),
	/* split() */
	OK("[split('a,b,,c', ',')]", "[\"a\",\"b\",\"\",\"c\"]"),
	OK("[split('a;b,c', createArray(',', ';'))]", "[\"a\",\"b\",\"c\"]"),
	OK("[split('a::b', '::')]", "[\"a\",\"b\"]"),
	OK("[split('abc', '')]", "[\"abc\"]"),
	OK("[split('', ',')]", "[\"\"]"),
	OK("[split(',', ',')]", "[\"\",\"\"]"),
	OK("[split(field('type'), '/')[1]]", "\"virtualMachines\""),
	CERR("[split('a', 1)]", "split() expects a string or an array of strings, got number"),
	CERR("[split('a', createArray(1))]", "split() expects delimiters that are strings, got number"),
	/* first(), last() */
	OK("[first('abc')]", "\"a\""),
	OK("[last('abc')]", "\"c\""),
	OK("[last('hé')]", "\"é\""),
	OK("[first('')]", "\"\""),
	OK("[first(createArray())]", "null"),
	OK("[first(parameters('list'))]", "\"a\""),
	OK("[last(field('properties.rules')).name]", "\"r2\""),
	CERR("[first(1)]", "first() expects a string or an array, got number"),
	/* substring() */
	OK("[substring('hello', 1, 3)]", "\"ell\""),
	OK("[substring('hello', 2)]", "\"llo\""),
	OK("[substring('hello', 5)]", "\"\""),
	OK("[substring('hello', 0, 5)]", "\"hello\""),
	OK("[substring('héllo', 1, 2)]", "\"él\""),
	CERR("[substring('hello', 6)]", "substring(): start index 6 is outside the string (length 5)"),
	CERR("[substring('hello', 2, 4)]", "substring(): length 4 from index 2 runs past the end of the string (length 5)"),
	CERR("[substring('hello', -1)]", "start index -1 is outside the string"),
	CERR("[substring('hello', 1, -1)]", "length -1 from index 1"),
	CERR("[substring('hello', 1.5)]", "substring() expects an integer, got 1.5"),
	CERR("[substring('hello', '1')]", "substring() expects an integer, got string"),
	CERR("[substring('hello')]", "substring() takes 2 to 3 arguments, got 1"),
	/* string() */
	OK("[string(field('properties.rules')[0])]", "\"{\\\"name\\\":\\\"r1\\\",\\\"port\\\":22,\\\"access\\\":\\\"Allow\\\"}\""),
	OK("[string(parameters('list'))]", "\"[\\\"a\\\",\\\"b\\\"]\""),
	OK("[string(1.5)]", "\"1.5\""),
	OK("[string(true)]", "\"true\""),
	OK("[string(null)]", "\"\""),
	OK("[string('x')]", "\"x\""),
	/* int() */
	OK("[int('42')]", "42"),
	OK("[int(' -7 ')]", "-7"),
	OK("[int(-3)]", "-3"),
	OK("[int(4.0)]", "4"),
	CERR("[int('4.5')]", "int(): '4.5' is not an integer"),
	CERR("[int(4.5)]", "int(): 4.5 is not an integer"),
	CERR("[int('x')]", "int(): 'x' is not an integer"),
	CERR("[int(true)]", "int() expects a number or a string, got boolean"),
	/* bool() */
	OK("[bool('TRUE')]", "true"),
	OK("[bool('false')]", "false"),
	OK("[bool(0)]", "false"),
	OK("[bool(1)]", "true"),
	OK("[bool(false)]", "false"),
	CERR("[bool('yes')]", "bool(): 'yes' is not true or false"),
	CERR("[bool(2)]", "bool(): 2 is not 0 or 1"),
	CERR("[bool(null)]", "bool() expects a boolean, string or number, got null"),
	/* equals() */
	OK("[equals('a', 'a')]", "true"),
	OK("[equals('a', 'A')]", "false"),
	OK("[equals(1, 1.0)]", "true"),
	OK("[equals(1, '1')]", "false"),
	OK("[equals(null, null)]", "true"),
	OK("[equals(parameters('list'), createArray('a', 'b'))]", "true"),
	OK("[equals(parameters('list'), createArray('b', 'a'))]", "false"),
	OK("[equals(field('properties.rules')[0], field('properties.rules')[0])]", "true"),
	OK("[equals(field('tags'), field('properties.emptyObj'))]", "false"),
	OK("[equals(field('properties.count'), 5)]", "true"),
	/* and(), or(), not() */
	OK("[and(true, false)]", "false"),
	OK("[and(true, true, true)]", "true"),
	OK("[or(false, true)]", "true"),
	OK("[or(false, false, false)]", "false"),
	OK("[or(true, 'x')]", "true"),
	OK("[and(false, 'x')]", "false"),
	OK("[not(true)]", "false"),
	OK("[not(field('properties.enabled'))]", "false"),
	OK("[and(field('properties.enabled'), greater(field('properties.count'), 4))]", "true"),
	CERR("[and(true, 'x')]", "and() expects a boolean, got string"),
	CERR("[and(true)]", "and() takes at least 2 arguments, got 1"),
	CERR("[not(1)]", "not() expects a boolean, got number"),
	CERR("[not()]", "not() takes 1 argument, got 0"),
	/* less(), greater() */
	OK("[less(1, 2)]", "true"),
	OK("[less(2, 2)]", "false"),
	OK("[greater(field('properties.count'), 3)]", "true"),
	OK("[greater(field('properties.ratio'), 0.75)]", "false"),
	OK("[less('a', 'b')]", "true"),
	OK("[less('a', 'A')]", "true"),
	OK("[greater('B', 'a')]", "true"),
	OK("[greater('abc', 'ab')]", "true"),
	OK("[lessOrEquals(2, 2)]", "true"),
	OK("[greaterOrEquals(1, 2)]", "false"),
	CERR("[less(1, 'a')]", "less() expects two numbers or two strings, got number and string"),
	EERR("[greater(field('nope'), 1)]", "greater() expects two numbers or two strings, got null and number"),
	/* ipRangeContains() */
	OK("[ipRangeContains('10.0.0.0/8', '10.1.2.3')]", "true"),
	OK("[ipRangeContains('10.0.0.0/8', '11.0.0.1')]", "false"),
	OK("[ipRangeContains('10.0.0.0/24', '10.0.0.128/25')]", "true"),
	OK("[ipRangeContains('10.0.0.0/25', '10.0.0.0/24')]", "false"),
	OK("[ipRangeContains('10.0.0.5/24', '10.0.0.255')]", "true"),
	OK("[ipRangeContains('0.0.0.0/0', '255.255.255.255')]", "true"),
	OK("[ipRangeContains('10.0.0.1', '10.0.0.1')]", "true"),
	OK("[ipRangeContains('10.0.0.1/32', '10.0.0.2')]", "false"),
	OK("[ipRangeContains('192.168.0.1-192.168.0.9', '192.168.0.5')]", "true"),
	OK("[ipRangeContains('192.168.0.1-192.168.0.9', '192.168.0.8-192.168.0.10')]", "false"),
	OK("[ipRangeContains('2001:db8::/32', '2001:db8:1::1')]", "true"),
	OK("[ipRangeContains('2001:DB8::/32', '2001:db9::1')]", "false"),
	OK("[ipRangeContains('::/0', '::1')]", "true"),
	OK("[ipRangeContains('fe80::/10', 'fe80::1/64')]", "true"),
	OK("[ipRangeContains('2001:db8::/127', '2001:db8::2')]", "false"),
	OK("[ipRangeContains('2001:db8::-2001:db8::ff', '2001:db8::80')]", "true"),
	OK("[ipRangeContains('10.0.0.0/8', field('properties.ips')[0])]", "true"),
	CERR("[ipRangeContains('10.0.0.0/8', '::1')]", "ipRangeContains(): cannot mix IPv4 and IPv6"),
	CERR("[ipRangeContains('10.0.0.0/33', '10.0.0.1')]", "'10.0.0.0/33' is not an IP address or range"),
	CERR("[ipRangeContains('2001:db8::/129', '2001:db8::1')]", "is not an IP address or range"),
	CERR("[ipRangeContains('banana', '10.0.0.1')]", "'banana' is not an IP address or range"),
	CERR("[ipRangeContains('10.0.0.0/8', '10.0.0')]", "'10.0.0' is not an IP address or range"),
	CERR("[ipRangeContains('10.0.0.9-10.0.0.1', '10.0.0.5')]", "is not an IP address or range"),
	CERR("[ipRangeContains('', '10.0.0.5')]", "'' is not an IP address or range"),
	CERR("[ipRangeContains(1, '10.0.0.5')]", "ipRangeContains() expects a string, got number"),
	/* a few of the extra functions */
	OK("[coalesce(null, field('nope'), 'x', 'y')]", "\"x\""),
	OK("[coalesce(null)]", "null"),
	OK("[startsWith(field('type'), 'microsoft.compute/')]", "true"),
	OK("[endsWith('abc', 'BC')]", "true"),
	OK("[endsWith('abc', 'abcd')]", "false"),
	OK("[replace('a-b-c', '-', '::')]", "\"a::b::c\""),
	OK("[trim('  x y ')]", "\"x y\""),
	OK("[createArray()]", "[]"),
	/* syntax and name errors */
	CERR("[toLowr('x')]", "unknown function 'toLowr' at offset 1"),
	CERR("[concat('a' 'b')]", "expected ',' or ')' at offset 12, found '''"),
	CERR("[concat('a']", "expected ',' or ')' at offset 11, found the end of the expression"),
	CERR("[concat('a'))]", "unexpected ')' at offset 12 (expected the closing ']')"),
	CERR("['abc]", "unterminated string starting at offset 1"),
	CERR("[]", "expected a value at offset 1, found the end of the expression"),
	CERR("[foo]", "expected '(' after 'foo' at offset 4"),
	CERR("[1.]", "expected a digit after '.' at offset 3"),
	CERR("[-]", "expected a digit after '-'"),
	CERR("[1x]", "unexpected 'x' after number"),
	CERR("[field('a').]", "expected a property name after '.' at offset 12"),
	CERR("[field('a')[0]", NULL), /* not an expression at all */
	CERR("[field('a')[0}]", "expected ']' at offset 13"),
	CERR("[,]", "expected a function call, string or number at offset 1, found ','"),
	CERR("[concat('a',)]", "expected a function call, string or number at offset 12, found ')'"),
};

struct fixture {
	struct bl_arena arena;     /* compiled program */
	struct bl_arena scratch;   /* evaluation */
	struct bl_diags diags;
	struct bl_rule_env env;
	struct bl_eval e;
	const struct bl_value *doc;
};

static void fx_init(struct fixture *f, const char *params)
{
	memset(f, 0, sizeof(*f));
	bl_arena_init(&f->arena, 0);
	bl_arena_init(&f->scratch, 0);
	bl_diags_init(&f->diags);
	f->env.arena = &f->arena;
	f->env.diags = &f->diags;
	f->env.param_defs = tu_json(&f->arena, DEFS);
	f->env.param_values = params ? tu_json(&f->arena, params) : NULL;
	f->doc = tu_json(&f->arena, DOC);
	f->e.doc = f->doc;
	f->e.arena = &f->scratch;
}

static void fx_fini(struct fixture *f)
{
	bl_diags_free(&f->diags);
	bl_arena_free(&f->scratch);
	bl_arena_free(&f->arena);
}

/* A string node at line 7, column 12 of "t.yaml". */
static const struct bl_value *node_at(struct bl_arena *a, const char *text)
{
	struct bl_value *v = bl_value_new_str(a, text, strlen(text));
	assert_non_null(v);
	v->line = 7;
	v->col = 12;
	v->file = "t.yaml";
	return v;
}

static char *to_json(const struct bl_value *v)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write(&b, v, 0), 0);
	return b.data;
}

static void check_row(const struct row *r)
{
	struct fixture f;
	fx_init(&f, r->params);
	const struct bl_expr *x = NULL;
	int rc = bl_expr_compile(&x, node_at(&f.arena, r->expr), &f.env);
	if (r->cerr) {
		if (rc != BL_EINVAL || f.diags.n != 1)
			fail_msg("%s: expected a compile error, got rc %d, %zu diags", r->expr, rc,
				 f.diags.n);
		assert_null(x);
		assert_string_equal(f.diags.items[0].file, "t.yaml");
		assert_int_equal(f.diags.items[0].line, 7);
		assert_true(f.diags.items[0].col >= 12);
		if (r->err && !strstr(f.diags.items[0].msg, r->err))
			fail_msg("%s: error '%s' does not contain '%s'", r->expr,
				 f.diags.items[0].msg, r->err);
		fx_fini(&f);
		return;
	}
	if (rc != 0)
		fail_msg("%s: compile failed: %s", r->expr, f.diags.n ? f.diags.items[0].msg : "?");
	assert_string_equal(bl_expr_text(x), r->expr);
	const struct bl_value *v = NULL;
	rc = bl_expr_eval(&v, x, &f.e);
	if (r->err) {
		if (rc != BL_EINVAL)
			fail_msg("%s: expected an evaluation error, got rc %d", r->expr, rc);
		assert_null(v);
		if (!strstr(f.e.error, r->err))
			fail_msg("%s: error '%s' does not contain '%s'", r->expr, f.e.error, r->err);
		fx_fini(&f);
		return;
	}
	if (rc != 0)
		fail_msg("%s: evaluation failed: %s", r->expr, f.e.error);
	if (strcmp(r->expect, "missing") == 0) {
		if (v)
			fail_msg("%s: expected missing, got %s", r->expr, to_json(v));
	} else {
		if (!v)
			fail_msg("%s: got missing, expected %s", r->expr, r->expect);
		char *got = to_json(v);
		char *want = to_json(tu_json(&f.arena, r->expect));
		if (strcmp(got, want) != 0)
			fail_msg("%s: got %s, expected %s", r->expr, got, want);
		free(got);
		free(want);
	}
	fx_fini(&f);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++)
		check_row(&ROWS[i]);
}

static void test_is(void **state)
{
	(void)state;
	assert_true(bl_expr_is("[x()]", 5));
	assert_true(bl_expr_is("[]", 2));
	assert_false(bl_expr_is("[[x]", 4));
	assert_false(bl_expr_is("[[", 2));
	assert_false(bl_expr_is("[", 1));
	assert_false(bl_expr_is("x", 1));
	assert_false(bl_expr_is("[x", 2));
	assert_false(bl_expr_is("", 0));
}

/* Compile text; return the single diagnostic's column (0 if compiled). */
static uint32_t error_col(const char *text, char *msg, size_t msz)
{
	struct fixture f;
	fx_init(&f, NULL);
	const struct bl_expr *x = NULL;
	int rc = bl_expr_compile(&x, node_at(&f.arena, text), &f.env);
	uint32_t col = 0;
	if (rc) {
		assert_int_equal(rc, BL_EINVAL);
		assert_int_equal(f.diags.n, 1);
		assert_int_equal(f.diags.items[0].line, 7);
		col = f.diags.items[0].col;
		snprintf(msg, msz, "%s", f.diags.items[0].msg);
	}
	fx_fini(&f);
	return col;
}

static void test_positions(void **state)
{
	(void)state;
	char msg[512];
	/* column = node column (12) + offset in the string */
	assert_int_equal(error_col("[toLowr('x')]", msg, sizeof(msg)), 13);
	assert_string_equal(msg, "unknown function 'toLowr' at offset 1");
	assert_int_equal(error_col("[concat('a', toLowr('x'))]", msg, sizeof(msg)), 25);
	assert_int_equal(error_col("[concat('a' 'b')]", msg, sizeof(msg)), 24);
	assert_int_equal(error_col("[parameters('x')]", msg, sizeof(msg)), 13);
	assert_string_equal(msg, "parameters('x'): no parameter named 'x' in this baseline");
	assert_int_equal(error_col("[concat('a', toLower(1))]", msg, sizeof(msg)), 33);
	assert_string_equal(msg, "toLower() expects a string, got number");
	/* a path error points into the path: "[field('a.[')]" -> '[' at offset 10 */
	assert_true(error_col("[field('a..b')]", msg, sizeof(msg)) > 19);
}

static void test_position_from_document(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	const struct bl_value *doc =
		tu_json(&f.arena, "{\n  \"value\":\n    \"[concat('a', nope())]\"\n}");
	const struct bl_value *s = bl_value_getz(doc, "value");
	assert_non_null(s);
	const struct bl_expr *x = NULL;
	assert_int_equal(bl_expr_compile(&x, s, &f.env), BL_EINVAL);
	assert_int_equal(f.diags.n, 1);
	assert_int_equal(f.diags.items[0].line, 3);
	assert_int_equal(f.diags.items[0].col, s->col + 13);
	assert_string_equal(f.diags.items[0].file, "test.json");
	assert_string_equal(f.diags.items[0].msg, "unknown function 'nope' at offset 13");
	fx_fini(&f);
}

static void test_not_expression(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	const struct bl_expr *x = NULL;
	assert_int_equal(bl_expr_compile(&x, node_at(&f.arena, "[[literal]"), &f.env), BL_EINVAL);
	assert_null(x);
	assert_int_equal(f.diags.n, 1);
	assert_int_equal(f.diags.items[0].col, 12);
	fx_fini(&f);
}

static const struct bl_expr *compile_ok(struct fixture *f, const char *text)
{
	const struct bl_expr *x = NULL;
	int rc = bl_expr_compile(&x, node_at(&f->arena, text), &f->env);
	if (rc)
		fail_msg("%s: %s", text, f->diags.n ? f->diags.items[0].msg : "?");
	return x;
}

static void test_folding(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, "{\"loc\": \"NorthEurope\"}");
	const struct bl_expr *x = compile_ok(&f, "[concat(toLower(parameters('loc')), '-', length(parameters('list')))]");
	const struct bl_value *c = bl_expr_const(x);
	assert_non_null(c);
	assert_int_equal(c->type, BL_VSTR);
	assert_int_equal(c->u.str.len, 13);
	assert_memory_equal(c->u.str.s, "northeurope-2", 13);
	/* eval of a folded expression returns the same value, no asset needed */
	const struct bl_value *v = NULL;
	assert_int_equal(bl_expr_eval(&v, x, &f.e), 0);
	assert_ptr_equal(v, c);

	assert_non_null(bl_expr_const(compile_ok(&f, "[parameters('list')]")));
	assert_non_null(bl_expr_const(compile_ok(&f, "['x']")));
	assert_non_null(bl_expr_const(compile_ok(&f, "[parameters('obj').inner.x[0]]")));
	assert_null(bl_expr_const(compile_ok(&f, "[field('name')]")));
	assert_null(bl_expr_const(compile_ok(&f, "[concat(field('name'), parameters('loc'))]")));
	assert_null(bl_expr_const(compile_ok(&f, "[current('x')]")));
	assert_null(bl_expr_const(compile_ok(&f, "[if(true, 1, field('name'))]")));
	fx_fini(&f);
}

/* The folded value must not point into the parameter documents. */
static void test_folded_value_owned(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	struct bl_arena params;
	bl_arena_init(&params, 0);
	f.env.param_values = tu_json(&params, "{\"p\": {\"k\": [\"v\"]}}");
	const struct bl_expr *x = compile_ok(&f, "[parameters('p')]");
	bl_arena_free(&params);
	char *got = to_json(bl_expr_const(x));
	assert_string_equal(got, "{\"k\":[\"v\"]}");
	free(got);
	fx_fini(&f);
}

struct keys {
	char seen[8][32];
	int n;
};

static void key_cb(void *ctx, const char *key, size_t len)
{
	struct keys *k = ctx;
	assert_true(k->n < 8 && len < 32);
	memcpy(k->seen[k->n], key, len);
	k->seen[k->n][len] = '\0';
	k->n++;
}

static void test_keys(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	const struct bl_expr *x = compile_ok(
		&f, "[concat(field('Properties.x'), field('tags[\"a.b\"]'), field('properties.y'), current('z'))]");
	struct keys k = { .n = 0 };
	bl_expr_keys(x, key_cb, &k);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.seen[0], "properties");
	assert_string_equal(k.seen[1], "tags");

	k.n = 0;
	bl_expr_keys(compile_ok(&f, "[parameters('loc')]"), key_cb, &k);
	assert_int_equal(k.n, 0);
	fx_fini(&f);
}

static void eval_json(struct fixture *f, const char *text, const char *want)
{
	const struct bl_expr *x = compile_ok(f, text);
	const struct bl_value *v = NULL;
	int rc = bl_expr_eval(&v, x, &f->e);
	if (rc)
		fail_msg("%s: %s", text, f->e.error);
	if (!v)
		fail_msg("%s: missing", text);
	char *got = to_json(v);
	if (strcmp(got, want))
		fail_msg("%s: got %s, expected %s", text, got, want);
	free(got);
}

static void eval_err(struct fixture *f, const char *text, const char *want)
{
	const struct bl_expr *x = compile_ok(f, text);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_expr_eval(&v, x, &f->e), BL_EINVAL);
	assert_null(v);
	if (!strstr(f->e.error, want))
		fail_msg("%s: got '%s', expected '%s'", text, f->e.error, want);
}

static void test_current_value_count(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	eval_err(&f, "[current()]", "current() used outside a count");
	eval_err(&f, "[current('ip')]", "current('ip'): no count named 'ip' is in scope");

	struct bl_value *ip = bl_value_new_str(&f.arena, "10.0.0.7", 8);
	f.e.scopes[0] = (struct bl_scope){ .name = "ip", .current = ip };
	struct bl_value *n = bl_value_new_num(&f.arena, 3);
	f.e.scopes[1] = (struct bl_scope){ .name = "inner", .current = n };
	f.e.nscopes = 2;
	eval_json(&f, "[current('ip')]", "\"10.0.0.7\"");
	eval_json(&f, "[current('IP')]", "\"10.0.0.7\"");
	eval_json(&f, "[current()]", "3");
	eval_json(&f, "[ipRangeContains('10.0.0.0/24', current('ip'))]", "true");
	eval_err(&f, "[current('nope')]", "no count named 'nope'");
	fx_fini(&f);
}

static void test_field_count_scope(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL);
	struct bl_path arr;
	struct bl_error err;
	const char *ap = "properties.rules[*]";
	assert_int_equal(bl_path_compile(&arr, ap, strlen(ap), &f.arena, &err), 0);
	const struct bl_value *rules = bl_value_getz(bl_value_getz(f.doc, "properties"), "rules");
	f.e.scopes[0] = (struct bl_scope){ .array = &arr, .current = &rules->u.arr.items[1] };
	f.e.nscopes = 1;
	eval_json(&f, "[field('properties.rules[*].name')]", "\"r2\"");
	eval_json(&f, "[field('Properties.Rules[*].port')]", "443");
	eval_json(&f, "[current('properties.rules[*]').access]", "\"Deny\"");
	eval_json(&f, "[current('properties.rules[*].port')]", "443");
	eval_json(&f, "[current().name]", "\"r2\"");
	eval_json(&f, "[field('name')]", "\"vm1\"");
	eval_json(&f, "[field('properties.ips[*]')]", "[\"10.0.0.1\",\"10.0.0.2\"]");
	eval_err(&f, "[current('properties.ips[*]')]", "no count named 'properties.ips[*]'");
	fx_fini(&f);
}

static char *nested(const char *open, const char *leaf, const char *close, int depth)
{
	size_t lo = strlen(open), ll = strlen(leaf), lc = strlen(close);
	size_t n = 2 + (size_t)depth * (lo + lc) + ll;
	char *s = malloc(n + 1);
	assert_non_null(s);
	size_t k = 0;
	s[k++] = '[';
	for (int i = 0; i < depth; i++, k += lo)
		memcpy(s + k, open, lo);
	memcpy(s + k, leaf, ll);
	k += ll;
	for (int i = 0; i < depth; i++, k += lc)
		memcpy(s + k, close, lc);
	s[k++] = ']';
	s[k] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	(void)state;
	char msg[512];
	char *ok = nested("not(", "true", ")", 60);
	assert_int_equal(error_col(ok, msg, sizeof(msg)), 0);
	free(ok);
	char *deep = nested("not(", "true", ")", 10000);
	assert_true(error_col(deep, msg, sizeof(msg)) > 0);
	assert_non_null(strstr(msg, "nested too deeply (more than 64 levels)"));
	free(deep);
	char *brackets = nested("parameters('list')[", "0", "]", 10000);
	assert_true(error_col(brackets, msg, sizeof(msg)) > 0);
	assert_non_null(strstr(msg, "nested too deeply"));
	free(brackets);
	/* a long property chain is a deep tree too */
	char *chain = nested("", "field('tags')", ".a", 200);
	assert_true(error_col(chain, msg, sizeof(msg)) > 0);
	assert_non_null(strstr(msg, "nested too deeply"));
	free(chain);
	/* many arguments are fine: width is not depth */
	size_t n = 20000;
	char *wide = malloc(n * 4 + 16);
	assert_non_null(wide);
	size_t k = (size_t)snprintf(wide, 16, "[concat('x'");
	for (size_t i = 0; i < n; i++, k += 4)
		memcpy(wide + k, ",'y'", 4);
	memcpy(wide + k, ")]", 3);
	assert_int_equal(error_col(wide, msg, sizeof(msg)), 0);
	free(wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_position_from_document),
		cmocka_unit_test(test_not_expression),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_folded_value_owned),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_current_value_count),
		cmocka_unit_test(test_field_count_scope),
		cmocka_unit_test(test_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
