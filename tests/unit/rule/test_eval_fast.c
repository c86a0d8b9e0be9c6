/*
 * test_eval_fast.c - the evaluator's short ways (eval.c eval_leaf, ops.h
 * bl_op_apply_inline, ops.c apply_plain) give what the general ones give:
 * the inline equals/notEquals/in/notIn/exists against bl_op_apply on every
 * kind of value, unknown reasons included; like on strings and orderings
 * between numbers, and the values they leave to apply_pos; how compile
 * marks each leaf (enum leaf_read); and the same answers and reasons from
 * a program compiled for many documents (memo) and one compiled without,
 * over documents with missing fields, fullName, special values and counts.
 */
#include "testutil.h"

#include <string.h>

#include "cond_fixture.h"

#include "rule/cond_internal.h"
#include "rule/ops.h"
#include "rule/rule.h"

/* Prepare operand json for op in f->a. */
static void prep(struct fx *f, struct bl_operand *o, int op, const char *json)
{
	char msg[200];
	assert_int_equal(bl_op_prepare(o, op, tu_json(&f->a, json), &f->a, NULL, NULL, false, msg,
				       sizeof(msg)),
			 0);
}

/* bl_op_apply_inline answers as bl_op_apply does, and leaves e as it does,
 * for each operator it takes and every kind of actual value. */
static void test_inline_matches_apply(void **state)
{
	struct fx *f = *state;
	static const struct {
		int op;
		const char *operand;
	} OPS[] = {
		{BL_OP_EQUALS, "\"Hello\""}, {BL_OP_EQUALS, "10"}, {BL_OP_EQUALS, "true"},
		{BL_OP_EQUALS, "null"}, {BL_OP_EQUALS, "[\"a\",1]"}, {BL_OP_EQUALS, "{\"k\":1}"},
		{BL_OP_EQUALS, "\"a long string of more than eight bytes\""},
		{BL_OP_NOTEQUALS, "\"Hello\""}, {BL_OP_NOTEQUALS, "10"}, {BL_OP_NOTEQUALS, "[\"a\",1]"},
		{BL_OP_IN, "[\"hello\",\"x\",10,true,[\"a\",1]]"}, {BL_OP_IN, "[]"},
		{BL_OP_NOTIN, "[\"HELLO\",2]"}, {BL_OP_NOTIN, "[]"},
		{BL_OP_EXISTS, "true"}, {BL_OP_EXISTS, "false"}, {BL_OP_EXISTS, "\"false\""},
	};
	const struct bl_value *doc =
		tu_json(&f->ea, "[\"hello\",\"HELLO\",\"hell\",\"10\",10,10.0,11,true,false,\"true\","
				"null,[\"A\",1],[],{\"K\":1},{},\"a long string of more than eight BYTES\","
				"\"a long string of more than eight bytez\"]");
	struct bl_value *err = bl_value_new_special(&f->ea, BL_VERR, "cannot read");
	struct bl_value *na = bl_value_new_special(&f->ea, BL_VNA, "live-only fact");
	assert_non_null(err);
	assert_non_null(na);
	bl_eval_reset(&f->e, doc, &f->ea);
	uint32_t nval = doc->u.arr.n + 3;
	for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
		struct bl_operand o;
		prep(f, &o, OPS[i].op, OPS[i].operand);
		for (uint32_t k = 0; k < nval; k++) {
			const struct bl_value *a = k < doc->u.arr.n ? &doc->u.arr.items[k]
					       : k == doc->u.arr.n ? NULL
					       : k == doc->u.arr.n + 1 ? err : na;
			bl_eval_clear(&f->e);
			enum bl_truth want = bl_op_apply(OPS[i].op, a, &o, &f->e);
			char werr[sizeof(f->e.error)], wna[sizeof(f->e.na_reason)];
			bool wisna = f->e.na;
			memcpy(werr, f->e.error, sizeof(werr));
			memcpy(wna, f->e.na_reason, sizeof(wna));
			bl_eval_clear(&f->e);
			enum bl_truth got = bl_op_apply_inline(OPS[i].op, a, &o, &f->e);
			if (got != want)
				fail_msg("%s %s on value %u: %d, bl_op_apply says %d",
					 bl_op_name(OPS[i].op), OPS[i].operand, k, got, want);
			assert_string_equal(f->e.error, werr);
			assert_string_equal(f->e.na_reason, wna);
			assert_int_equal(f->e.na, wisna);
		}
	}
	/* and what they say, spelled out for a few */
	struct bl_operand o;
	prep(f, &o, BL_OP_NOTEQUALS, "\"Hello\"");
	assert_int_equal(bl_op_apply_inline(BL_OP_NOTEQUALS, &doc->u.arr.items[1], &o, &f->e), BL_FALSE);
	assert_int_equal(bl_op_apply_inline(BL_OP_NOTEQUALS, &doc->u.arr.items[2], &o, &f->e), BL_TRUE);
	assert_int_equal(bl_op_apply_inline(BL_OP_NOTEQUALS, NULL, &o, &f->e), BL_TRUE);
	prep(f, &o, BL_OP_IN, "[\"x\",\"HELLO\"]");
	assert_int_equal(bl_op_apply_inline(BL_OP_IN, &doc->u.arr.items[0], &o, &f->e), BL_TRUE);
	assert_int_equal(bl_op_apply_inline(BL_OP_IN, NULL, &o, &f->e), BL_FALSE);
	prep(f, &o, BL_OP_EXISTS, "false");
	assert_int_equal(bl_op_apply_inline(BL_OP_EXISTS, NULL, &o, &f->e), BL_TRUE);
	assert_int_equal(bl_op_apply_inline(BL_OP_EXISTS, &doc->u.arr.items[10], &o, &f->e), BL_FALSE);
	bl_eval_clear(&f->e);
	assert_int_equal(bl_op_apply_inline(BL_OP_EXISTS, err, &o, &f->e), BL_UNKNOWN);
	assert_string_equal(f->e.error, "cannot read");
}

/* like on a string and orderings between numbers (apply_plain), beside the
 * values that still take apply_pos's way: text forms, parsed numbers,
 * unknowns with their reasons. */
static void test_plain_like_order(void **state)
{
	struct fx *f = *state;
	static const struct {
		int op;
		const char *operand;
		const char *actual;   /* JSON; NULL: missing */
		int want;
		const char *error;    /* for BL_UNKNOWN */
	} ROWS[] = {
		{BL_OP_LIKE, "\"hello\"", "\"HeLLo\"", BL_TRUE, NULL},
		{BL_OP_LIKE, "\"hello\"", "\"hello!\"", BL_FALSE, NULL},
		{BL_OP_LIKE, "\"he*\"", "\"Help\"", BL_TRUE, NULL},
		{BL_OP_LIKE, "\"he*\"", "\"h\"", BL_FALSE, NULL},
		{BL_OP_LIKE, "\"*LP\"", "\"help\"", BL_TRUE, NULL},
		{BL_OP_LIKE, "\"h*l*p\"", "\"hxlyp\"", BL_TRUE, NULL},
		{BL_OP_LIKE, "\"h*l*p\"", "\"hxlyq\"", BL_FALSE, NULL},
		{BL_OP_LIKE, "\"1*\"", "10", BL_TRUE, NULL},         /* a number's text */
		{BL_OP_LIKE, "\"tr*\"", "true", BL_TRUE, NULL},
		{BL_OP_LIKE, "\"[*\"", "[1]", BL_TRUE, NULL},         /* an array's JSON */
		{BL_OP_LIKE, "\"*\"", NULL, BL_FALSE, NULL},
		{BL_OP_NOTLIKE, "\"he*\"", "\"Help\"", BL_FALSE, NULL},
		{BL_OP_NOTLIKE, "\"he*\"", "\"xhelp\"", BL_TRUE, NULL},
		{BL_OP_NOTLIKE, "\"*\"", NULL, BL_TRUE, NULL},
		{BL_OP_LESS, "5", "4", BL_TRUE, NULL},
		{BL_OP_LESS, "5", "5", BL_FALSE, NULL},
		{BL_OP_LESSOREQ, "5", "5", BL_TRUE, NULL},
		{BL_OP_LESSOREQ, "5", "5.5", BL_FALSE, NULL},
		{BL_OP_GREATER, "5", "6", BL_TRUE, NULL},
		{BL_OP_GREATER, "5", "5", BL_FALSE, NULL},
		{BL_OP_GREATEROREQ, "5", "5", BL_TRUE, NULL},
		{BL_OP_GREATEROREQ, "5", "-1", BL_FALSE, NULL},
		{BL_OP_LESS, "5", "\"4\"", BL_TRUE, NULL},            /* parsed */
		{BL_OP_LESS, "\"b\"", "\"A\"", BL_TRUE, NULL},        /* text order */
		{BL_OP_LESS, "\"5\"", "4", BL_UNKNOWN, "less: cannot compare number with a string"},
		{BL_OP_LESS, "5", "true", BL_UNKNOWN, "less: cannot compare boolean with a number"},
		{BL_OP_LESS, "5", NULL, BL_FALSE, NULL},
	};
	const struct bl_value *empty = tu_json(&f->ea, "{}");
	bl_eval_reset(&f->e, empty, &f->ea);
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
		struct bl_operand o;
		prep(f, &o, ROWS[i].op, ROWS[i].operand);
		const struct bl_value *a = ROWS[i].actual ? tu_json(&f->ea, ROWS[i].actual) : NULL;
		bl_eval_clear(&f->e);
		enum bl_truth t = bl_op_apply(ROWS[i].op, a, &o, &f->e);
		if ((int)t != ROWS[i].want)
			fail_msg("row %zu: %s %s on %s: %d, want %d", i, bl_op_name(ROWS[i].op),
				 ROWS[i].operand, ROWS[i].actual ? ROWS[i].actual : "(missing)", t,
				 ROWS[i].want);
		assert_string_equal(f->e.error, ROWS[i].error ? ROWS[i].error : "");
		/* through the inline form too (it passes these on) */
		bl_eval_clear(&f->e);
		assert_int_equal(bl_op_apply_inline(ROWS[i].op, a, &o, &f->e), t);
	}
}

/* How compile marks leaves for eval_leaf. */
static void test_leaf_read_marks(void **state)
{
	struct fx *f = *state;
	f->env.cache = bl_compile_cache_new(&f->a);
	assert_non_null(f->env.cache);
	static const struct {
		const char *cond;
		int read;
	} ROWS[] = {
		{"{\"field\":\"properties.x\",\"equals\":1}", LR_ROOT},
		{"{\"field\":\"x\",\"in\":[1,2]}", LR_ROOT},
		{"{\"field\":\"a[*].b\",\"equals\":1}", LR_ANY},
		{"{\"field\":\"a[0].b\",\"equals\":1}", LR_ROOT},
		{"{\"value\":\"x\",\"equals\":\"x\"}", LR_ANY},
		{"{\"value\":\"[field('y')]\",\"equals\":\"ab\"}", LR_ANY},
		{"{\"field\":\"x\",\"equals\":\"[field('y')]\"}", LR_ANY},
	};
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
		const struct bl_cond *c = compile_ok(f, ROWS[i].cond);
		assert_int_equal(c->root->kind, CN_LEAF);
		if (c->root->read != ROWS[i].read)
			fail_msg("%s: read %d, want %d", ROWS[i].cond, c->root->read, ROWS[i].read);
	}
	/* a where's leaves read from the element */
	const struct bl_cond *c = compile_ok(
		f, "{\"count\":{\"field\":\"r[*]\",\"where\":{\"allOf\":["
		   "{\"field\":\"r[*].p.q\",\"equals\":1},{\"field\":\"r[*].s[*]\",\"equals\":1},"
		   "{\"field\":\"top\",\"equals\":1}]}},\"equals\":1}");
	const struct cnode *w = c->root->where;
	assert_int_equal(w->kind, CN_ALL);
	assert_int_equal(w->kids[0]->read, LR_PLAIN);
	assert_int_equal(w->kids[1]->read, LR_ANY);
	assert_int_equal(w->kids[2]->read, LR_ROOT);
	/* without the cache (a host's conditions): nothing interned, plain */
	f->env.cache = NULL;
	c = compile_ok(f, "{\"field\":\"properties.x\",\"equals\":1}");
	assert_int_equal(c->root->read, LR_PLAIN);
	c = compile_ok(f, "{\"field\":\"a[*].b\",\"equals\":1}");
	assert_int_equal(c->root->read, LR_ANY);
}

/* Make member key of object o (parsed) a special value. */
static void make_special(struct bl_value *o, const char *key, enum bl_vtype t, const char *why)
{
	for (uint32_t i = 0; i < o->u.obj.n; i++) {
		struct bl_member *m = (struct bl_member *)&o->u.obj.items[i];
		if (m->klen == strlen(key) && memcmp(m->key, key, m->klen) == 0) {
			m->val.type = (uint8_t)t;
			m->val.u.str.s = why;
			m->val.u.str.len = (uint32_t)strlen(why);
			return;
		}
	}
	fail_msg("no member %s", key);
}

/* Evidence values alike: the same value, or equal ones (a text built
 * twice, fullName's), specials by kind and reason. */
static bool same_value(const struct bl_value *a, const struct bl_value *b)
{
	if (a == b)
		return true;
	if (bl_value_special(a) || bl_value_special(b))
		return a->type == b->type && a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	return a->type == b->type && bl_value_text_eq(a, b);
}

/* One set of conditions compiled twice (for many documents, with the memo
 * and its interned paths; and without), evaluated and explained over the
 * same documents: the same truth, reasons and evidence. */
static void test_same_with_and_without_memo(void **state)
{
	struct fx *f = *state;
	static const char *const CONDS[] = {
		"{\"field\":\"properties.s\",\"equals\":\"On\"}",
		"{\"field\":\"properties.s\",\"notEquals\":\"on\"}",
		"{\"field\":\"properties.s\",\"in\":[\"off\",\"ON\"]}",
		"{\"field\":\"properties.s\",\"notIn\":[\"off\"]}",
		"{\"field\":\"properties.gone\",\"exists\":false}",
		"{\"field\":\"properties.gone.deeper\",\"notEquals\":1}",
		"{\"field\":\"properties.n\",\"less\":6}",
		"{\"field\":\"properties.n\",\"greaterOrEquals\":\"5\"}",
		"{\"field\":\"properties.s\",\"like\":\"o*\"}",
		"{\"field\":\"properties.bad\",\"equals\":1}",
		"{\"field\":\"properties.bad.x\",\"notEquals\":1}",
		"{\"field\":\"properties.na\",\"exists\":true}",
		"{\"field\":\"fullName\",\"equals\":\"srv/db\"}",
		"{\"field\":\"fullName\",\"like\":\"srv*\"}",
		"{\"field\":\"name\",\"equals\":\"db\"}",
		"{\"field\":\"properties.s\",\"less\":5}",
		"{\"anyOf\":[{\"field\":\"properties.bad\",\"equals\":1},"
		"{\"field\":\"properties.s\",\"equals\":\"on\"}]}",
		"{\"allOf\":[{\"field\":\"properties.bad\",\"equals\":1},"
		"{\"field\":\"properties.s\",\"equals\":\"off\"}]}",
		"{\"not\":{\"field\":\"properties.s\",\"equals\":\"on\"}}",
		"{\"count\":{\"field\":\"properties.rules[*]\",\"where\":{\"allOf\":["
		"{\"field\":\"properties.rules[*].access\",\"equals\":\"Allow\"},"
		"{\"field\":\"properties.rules[*].port\",\"in\":[22,3389]}]}},\"less\":1}",
		"{\"count\":{\"field\":\"properties.rules[*]\",\"where\":"
		"{\"field\":\"properties.rules[*].access\",\"equals\":\"allow\"}},\"equals\":1}",
		"{\"count\":{\"field\":\"properties.rules[*]\",\"where\":"
		"{\"field\":\"properties.rules[*].fullName\",\"exists\":false}},\"greater\":0}",
		"{\"field\":\"properties.rules[*].access\",\"notEquals\":\"Deny\"}",
	};
	static const char *const DOCS[] = {
		"{\"id\":\"/subscriptions/s/providers/Microsoft.Sql/servers/srv/databases/db\","
		"\"name\":\"db\",\"properties\":{\"s\":\"on\",\"n\":5,\"bad\":0,\"na\":0,"
		"\"rules\":[{\"access\":\"Allow\",\"port\":22},{\"access\":\"Deny\",\"port\":80}]}}",
		"{\"name\":\"x\",\"fullName\":\"srv/db\",\"properties\":{\"s\":\"OFF\",\"n\":\"7\","
		"\"bad\":0,\"na\":0,\"rules\":[]}}",
		"{\"properties\":{\"bad\":0,\"na\":0,\"rules\":{}}}",
		"{\"properties\":{\"s\":true,\"bad\":0,\"na\":0,\"rules\":[{\"port\":3389},"
		"{\"access\":\"ALLOW\",\"port\":3389}]}}",
	};
	size_t nc = sizeof(CONDS) / sizeof(CONDS[0]);
	const struct bl_cond *plain[sizeof(CONDS) / sizeof(CONDS[0])];
	const struct bl_cond *memo[sizeof(CONDS) / sizeof(CONDS[0])];
	for (size_t i = 0; i < nc; i++)
		plain[i] = compile_ok(f, CONDS[i]);
	f->env.cache = bl_compile_cache_new(&f->a);
	assert_non_null(f->env.cache);
	for (size_t i = 0; i < nc; i++)
		memo[i] = compile_ok(f, CONDS[i]);
	for (size_t d = 0; d < sizeof(DOCS) / sizeof(DOCS[0]); d++) {
		struct bl_value *doc = (struct bl_value *)tu_json(&f->ea, DOCS[d]);
		struct bl_value *props = (struct bl_value *)bl_value_getz(doc, "properties");
		make_special(props, "bad", BL_VERR, "permission denied");
		make_special(props, "na", BL_VNA, "live-only fact: x");
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < nc; i++) {
				bl_eval_reset(&f->e, doc, &f->ea);
				enum bl_truth want = bl_cond_eval(plain[i], &f->e);
				char werr[sizeof(f->e.error)], wna[sizeof(f->e.na_reason)];
				memcpy(werr, f->e.error, sizeof(werr));
				memcpy(wna, f->e.na_reason, sizeof(wna));
				bl_cond_explain(plain[i], &f->e, want);
				size_t wnev = f->e.nev;
				struct bl_evidence wev[BL_EVIDENCE_MAX];
				memcpy(wev, f->e.ev, sizeof(wev));
				/* the memo program: twice on one reset (the second
				 * time from what the first remembered) */
				bl_eval_reset(&f->e, doc, &f->ea);
				for (int again = 0; again < 2; again++) {
					bl_eval_clear(&f->e);
					enum bl_truth got = bl_cond_eval(memo[i], &f->e);
					if (got != want)
						fail_msg("doc %zu, %s: %d with the memo, %d without", d,
							 CONDS[i], got, want);
					assert_string_equal(f->e.error, werr);
					assert_string_equal(f->e.na_reason, wna);
					bl_cond_explain(memo[i], &f->e, got);
					assert_int_equal(f->e.nev, wnev);
					for (size_t k = 0; k < wnev; k++) {
						assert_string_equal(f->e.ev[k].path, wev[k].path);
						assert_string_equal(f->e.ev[k].expected, wev[k].expected);
						assert_true((f->e.ev[k].actual == NULL) == (wev[k].actual == NULL));
						if (wev[k].actual && !same_value(f->e.ev[k].actual, wev[k].actual))
							fail_msg("doc %zu, %s: evidence %zu differs", d,
								 CONDS[i], k);
					}
				}
			}
		}
	}
	/* spelled out: a failing plain leaf's evidence (the value it read),
	 * fullName from the id, a special value's reason */
	bl_eval_reset(&f->e, tu_json(&f->ea, DOCS[1]), &f->ea);
	for (int k = 0; k < 2; k++) {
		const struct bl_cond *c = k ? memo[0] : plain[0];
		assert_int_equal(c->root->read, k ? LR_ROOT : LR_PLAIN);
		assert_int_equal(bl_cond_eval(c, &f->e), BL_FALSE);
		bl_cond_explain(c, &f->e, BL_FALSE);
		assert_int_equal(f->e.nev, 1);
		assert_string_equal(f->e.ev[0].path, "properties.s");
		assert_string_equal(f->e.ev[0].expected, "equals \"On\"");
		assert_non_null(f->e.ev[0].actual);
		assert_int_equal(f->e.ev[0].actual->type, BL_VSTR);
		assert_memory_equal(f->e.ev[0].actual->u.str.s, "OFF", 3);
	}
	/* fullName from the id, a special value's reason */
	bl_eval_reset(&f->e, tu_json(&f->ea, DOCS[0]), &f->ea);
	assert_int_equal(bl_cond_eval(memo[12], &f->e), BL_TRUE);
	struct bl_value *doc = (struct bl_value *)tu_json(&f->ea, DOCS[0]);
	make_special((struct bl_value *)bl_value_getz(doc, "properties"), "bad", BL_VERR, "denied");
	bl_eval_reset(&f->e, doc, &f->ea);
	assert_int_equal(bl_cond_eval(memo[9], &f->e), BL_UNKNOWN);
	assert_string_equal(f->e.error, "denied");
	bl_eval_clear(&f->e);
	assert_int_equal(bl_cond_eval(memo[16], &f->e), BL_TRUE);   /* anyOf: true decides */
	assert_int_equal(bl_cond_eval(memo[17], &f->e), BL_FALSE);  /* allOf: false decides */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inline_matches_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_like_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_read_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_with_and_without_memo, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
