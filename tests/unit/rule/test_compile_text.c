/*
 * test_compile_text.c - rule/compile.c: keys are matched case-insensitively
 * (keywords and operators, whatever their first letter), and the texts a
 * compiled condition carries for evidence: "OP OPERAND" of a leaf, and of a
 * count the requirement and, for a violation that held, its negation.
 */
#include "testutil.h"

#include "rule/rule.h"

#define DOC "{\"a\":\"x\",\"n\":3,\"rules\":[{\"p\":1},{\"p\":2}]}"

struct fx {
	struct bl_arena a, ea;
	struct bl_diags d;
	struct bl_eval e;
	const struct bl_cond *c;
};

static int compile(struct fx *f, const char *cond)
{
	bl_arena_init(&f->a, 0);
	bl_arena_init(&f->ea, 0);
	bl_diags_init(&f->d);
	bl_eval_init(&f->e);
	struct bl_rule_env env = {.arena = &f->a, .diags = &f->d};
	f->c = NULL;
	return bl_cond_compile(&f->c, tu_json(&f->a, cond), &env);
}

/* Evaluate against DOC, explain the outcome; returns the outcome. */
static enum bl_truth run(struct fx *f)
{
	bl_eval_reset(&f->e, tu_json(&f->ea, DOC), &f->ea);
	enum bl_truth t = bl_cond_eval(f->c, &f->e);
	bl_cond_explain(f->c, &f->e, t);
	return t;
}

static void done(struct fx *f)
{
	bl_eval_fini(&f->e);
	bl_diags_free(&f->d);
	bl_arena_free(&f->a);
	bl_arena_free(&f->ea);
}

static void test_leaf_text(void **state)
{
	(void)state;
	static const struct {
		const char *cond, *expected;
	} rows[] = {
		{"{\"FIELD\":\"a\",\"NOTEQUALS\":\"x\"}", "notEquals \"x\""},
		{"{\"Field\":\"n\",\"greaterOrEquals\":4}", "greaterOrEquals 4"},
		{"{\"field\":\"a\",\"In\":[\"y\",\"z\"]}", "in [\"y\",\"z\"]"},
		{"{\"field\":\"a\",\"regex\":\"^y\"}", "regex \"^y\""},
		{"{\"VALUE\":\"[parameters('p')]\",\"equals\":\"q\"}", NULL},  /* reported: no parameters */
		{"{\"field\":\"a\",\"NotRegex\":\"x|a\\\"b\"}", "notRegex \"x|a\\\"b\""},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fx f;
		int rc = compile(&f, rows[i].cond);
		if (!rows[i].expected) {
			assert_int_equal(rc, BL_EINVAL);
			done(&f);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(run(&f), BL_FALSE);
		assert_int_equal(f.e.nev, 1);
		assert_string_equal(f.e.ev[0].expected, rows[i].expected);
		done(&f);
	}
}

static void test_count_text(void **state)
{
	(void)state;
	struct fx f;
	/* the count failed: its requirement */
	assert_int_equal(compile(&f, "{\"count\":{\"field\":\"rules[*]\"},\"Less\":2}"), 0);
	assert_int_equal(run(&f), BL_FALSE);
	assert_int_equal(f.e.nev, 1);
	assert_string_equal(f.e.ev[0].expected, "count of rules[*] less 2");
	done(&f);
	/* the count held (a violation found): the negated operator */
	assert_int_equal(compile(&f, "{\"count\":{\"field\":\"rules[*]\",\"where\":"
				      "{\"field\":\"rules[*].p\",\"equals\":1}},\"equals\":1}"), 0);
	assert_int_equal(run(&f), BL_TRUE);
	assert_int_equal(f.e.nev, 1);
	assert_string_equal(f.e.ev[0].expected, "count of rules[*] where rules[*].p equals 1 notEquals 1");
	done(&f);
	/* greater held: lessOrEquals */
	assert_int_equal(compile(&f, "{\"count\":{\"field\":\"rules[*]\"},\"greater\":1}"), 0);
	assert_int_equal(run(&f), BL_TRUE);
	assert_int_equal(f.e.nev, 1);
	assert_string_equal(f.e.ev[0].expected, "count of rules[*] lessOrEquals 1");
	done(&f);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	struct fx f;
	/* an empty key and near-misses sharing a first letter are unknown */
	assert_int_equal(compile(&f, "{\"field\":\"a\",\"equals\":\"x\",\"\":1,\"equal\":2,\"fields\":3}"),
			 BL_EINVAL);
	assert_int_equal(f.d.n, 3);
	bl_diags_sort(&f.d);
	assert_string_equal(f.d.items[0].msg, "unknown key '' (not an operator or condition keyword)");
	assert_string_equal(f.d.items[1].msg, "unknown key 'equal' (not an operator or condition keyword)");
	assert_string_equal(f.d.items[2].msg, "unknown key 'fields' (not an operator or condition keyword)");
	done(&f);
}

/* A string operand's text is exactly what the JSON writer makes of it,
 * whether plain ASCII (quoted directly) or needing escapes. */
static void test_operand_json(void **state)
{
	(void)state;
	static const char *const strs[] = {
		"", "plain text", "with/slash and ~ and \x7f", "tab\there", "q\"uote", "back\\slash",
		"caf\xc3\xa9", "bad \xff byte", "line\xe2\x80\xa8sep", "\x01",
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		struct fx f;
		bl_arena_init(&f.a, 0);
		bl_arena_init(&f.ea, 0);
		bl_diags_init(&f.d);
		bl_eval_init(&f.e);
		/* the condition built as a tree, so any byte can be in the operand */
		struct bl_value *op = bl_value_new_str(&f.a, strs[i], strlen(strs[i]));
		assert_non_null(op);
		struct bl_buf want;
		bl_buf_init(&want, 0);
		bl_buf_adds(&want, "equals ");
		bl_json_write(&want, op, 0);
		assert_false(want.failed);
		const struct bl_value *cond = tu_json(&f.a, "{\"field\":\"a\",\"equals\":null}");
		((struct bl_member *)&cond->u.obj.items[1])->val = *op;
		struct bl_rule_env env = {.arena = &f.a, .diags = &f.d};
		f.c = NULL;
		assert_int_equal(bl_cond_compile(&f.c, cond, &env), 0);
		assert_int_equal(run(&f), strcmp(strs[i], "x") == 0 ? BL_TRUE : BL_FALSE);
		assert_int_equal(f.e.nev, 1);
		assert_string_equal(f.e.ev[0].expected, want.data);
		bl_buf_free(&want);
		done(&f);
	}
}

/* Numbers, booleans, null and arrays as operands: the same text as
 * bl_json_write gives, whichever way compile.c writes it. */
static void test_operand_json_values(void **state)
{
	(void)state;
	static const char *const ops[] = {
		"0", "-0", "12", "-12", "1.50", "1e3", "-0.0", "true", "false", "null",
		"[]", "[\"x\"]", "[\"a\",1,true,false,null,\"b\\\"c\"]",
		"[\"tab\\t\\u0001\\u001f\\b\\f\\n\\r\",\"\\\\\",\"\\u007f\"]",
		"[\"caf\\u00e9\",\"x\"]", "[1.5,2]", "[[1]]", "[{\"a\":1}]", "[-0,10,-7]",
		"{\"k\":\"v\"}", "\"\\u2028\"",
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct fx f;
		bl_arena_init(&f.a, 0);
		bl_arena_init(&f.ea, 0);
		bl_diags_init(&f.d);
		bl_eval_init(&f.e);
		const struct bl_value *op = tu_json(&f.a, ops[i]);
		bool arr = op->type == BL_VARR;
		struct bl_buf want;
		bl_buf_init(&want, 0);
		bl_json_write(&want, op, 0);
		assert_false(want.failed);
		const struct bl_value *cond = tu_json(&f.a, arr ? "{\"field\":\"a\",\"in\":[]}"
							       : "{\"field\":\"a\",\"equals\":null}");
		((struct bl_member *)&cond->u.obj.items[1])->val = *op;
		struct bl_rule_env env = {.arena = &f.a, .diags = &f.d};
		f.c = NULL;
		assert_int_equal(bl_cond_compile(&f.c, cond, &env), 0);
		run(&f);
		assert_int_equal(f.e.nev, 1);
		/* "OP JSON", OP as the outcome words it (in, or notIn when it held) */
		const char *got = strchr(f.e.ev[0].expected, ' ');
		if (!got || strcmp(got + 1, want.data) != 0)
			fail_msg("%s: got %s, want OP %s", ops[i], f.e.ev[0].expected, want.data);
		bl_buf_free(&want);
		done(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_text),
		cmocka_unit_test(test_count_text),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_operand_json),
		cmocka_unit_test(test_operand_json_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
