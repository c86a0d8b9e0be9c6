/*
 * test_eval_memo.c - eval.c's remembered member positions (struct
 * bl_eval.hints): the same results as a plain lookup for exact-case and
 * case-folded keys, long keys, many controls over one document, documents
 * that list their members in other orders, a new document at the address
 * of the last one without a reset, and a document swapped in and out (as
 * the related-resource pass does), randomised documents against a plain
 * lookup; and count's decimal text.
 */
#include "testutil.h"

#include "cond_fixture.h"

#include "rule/rule.h"

/* Many conditions over one document (one reset): every answer is the same
 * the second and third time, when the memo answers. */
static void test_memo_same_answers(void **state)
{
	struct fx *f = *state;
	const char *doc = "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,"
			  "\"Prop\":{\"x\":\"upper\"},\"prop\":{\"x\":\"lower\"},"
			  "\"CaseOnly\":{\"y\":true},"
			  "\"a_key_longer_than_twenty_four_bytes\":{\"z\":1},"
			  "\"properties\":{\"n\":5,\"s\":\"on\"}}";
	const char *conds[] = {
		"{\"field\":\"properties.n\",\"equals\":5}",
		"{\"field\":\"properties.s\",\"equals\":\"on\"}",
		"{\"field\":\"Prop.x\",\"equals\":\"upper\"}",          /* exact case wins */
		"{\"field\":\"prop.x\",\"equals\":\"lower\"}",
		"{\"field\":\"PROP.x\",\"equals\":\"upper\"}",          /* folded: the first one */
		"{\"field\":\"caseonly.y\",\"equals\":true}",          /* folded only */
		"{\"field\":\"CaseOnly.y\",\"equals\":true}",
		"{\"field\":\"a_key_longer_than_twenty_four_bytes.z\",\"equals\":1}",
		"{\"field\":\"missing.q\",\"exists\":false}",
		"{\"field\":\"i\",\"equals\":9}",
		"{\"field\":\"a\",\"equals\":1}",
		"{\"count\":{\"field\":\"properties.list[*]\"},\"equals\":0}",
	};
	size_t n = sizeof(conds) / sizeof(conds[0]);
	const struct bl_cond *c[16];
	for (size_t i = 0; i < n; i++)
		c[i] = compile_ok(f, conds[i]);
	bl_eval_reset(&f->e, tu_json(&f->ea, doc), &f->ea);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < n; i++)
			if (bl_cond_eval(c[i], &f->e) != BL_TRUE)
				fail_msg("round %d: %s was not true", round, conds[i]);
	/* more distinct top-level keys than the memo holds */
	for (int round = 0; round < 2; round++)
		for (char k = 'a'; k <= 'i'; k++) {
			char buf[64];
			snprintf(buf, sizeof(buf), "{\"field\":\"%c\",\"equals\":%d}", k, k - 'a' + 1);
			assert_int_equal(bl_cond_eval(compile_ok(f, buf), &f->e), BL_TRUE);
		}
}

/* A different document at the same address, without bl_eval_reset: the
 * memo must notice (its member no longer holds the key) and look again. */
static void test_memo_new_doc_same_address(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f, "{\"field\":\"properties.v\",\"equals\":1}");
	const struct bl_cond *gone = compile_ok(f, "{\"field\":\"properties\",\"exists\":false}");
	struct bl_value doc = {.type = BL_VOBJ};
	struct bl_member one[2] = {
		{.key = "x", .klen = 1, .val = {.type = BL_VNULL}},
		{.key = "properties", .klen = 10, .val = {.type = BL_VOBJ}},
	};
	struct bl_member inner = {.key = "v", .klen = 1,
				  .val = {.type = BL_VNUM, .flags = BL_VF_INT,
					  .u.num = {.text = "1", .len = 1, .d = 1}}};
	one[1].val.u.obj.items = &inner;
	one[1].val.u.obj.n = 1;
	doc.u.obj.items = one;
	doc.u.obj.n = 2;
	bl_eval_reset(&f->e, &doc, &f->ea);
	assert_int_equal(bl_cond_eval(c, &f->e), BL_TRUE);
	/* same address, members rewritten in place: properties moved to index 0 */
	struct bl_member swapped = one[1];
	one[1] = one[0];
	one[0] = swapped;
	assert_int_equal(bl_cond_eval(c, &f->e), BL_TRUE);
	/* and now gone: the key at the remembered index is something else */
	one[0].key = "other";
	one[0].klen = 5;
	assert_int_equal(bl_cond_eval(gone, &f->e), BL_TRUE);
	assert_int_equal(bl_cond_eval(c, &f->e), BL_FALSE);
}

/* Swapping e->doc (the related-resource pass evaluates candidates through
 * the same struct bl_eval) and back. */
static void test_memo_doc_swap(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f, "{\"field\":\"properties.k\",\"equals\":\"A\"}");
	const struct bl_value *a = tu_json(&f->ea, "{\"properties\":{\"k\":\"A\"}}");
	const struct bl_value *b = tu_json(&f->ea, "{\"x\":0,\"properties\":{\"k\":\"B\"}}");
	bl_eval_reset(&f->e, a, &f->ea);
	assert_int_equal(bl_cond_eval(c, &f->e), BL_TRUE);
	f->e.doc = b;
	assert_int_equal(bl_cond_eval(c, &f->e), BL_FALSE);
	f->e.doc = a;
	assert_int_equal(bl_cond_eval(c, &f->e), BL_TRUE);
}

/* One condition over documents in turn whose members come in other orders,
 * in other cases, or not at all: the remembered position is only a guess. */
static void test_hint_other_orders(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f, "{\"field\":\"properties.tls\",\"equals\":\"1.2\"}");
	static const struct {
		const char *doc;
		enum bl_truth want;
	} cases[] = {
		{"{\"id\":1,\"properties\":{\"a\":0,\"tls\":\"1.2\"}}", BL_TRUE},
		{"{\"properties\":{\"tls\":\"1.0\",\"a\":0},\"id\":1}", BL_FALSE},
		{"{\"id\":1,\"properties\":{\"a\":0,\"tls\":\"1.2\"}}", BL_TRUE},
		/* a folded match is used but not remembered; exact case still wins */
		{"{\"id\":1,\"Properties\":{\"a\":0,\"TLS\":\"1.2\"}}", BL_TRUE},
		{"{\"id\":1,\"properties\":{\"TLS\":\"1.0\",\"tls\":\"1.2\"}}", BL_TRUE},
		{"{\"id\":1,\"properties\":{\"tls\":\"1.2\",\"TLS\":\"1.0\"}}", BL_TRUE},
		/* the remembered index is past the end, then holds another key */
		{"{\"properties\":{}}", BL_FALSE},
		{"{\"properties\":{\"a\":0,\"b\":1}}", BL_FALSE},
		{"{\"x\":0,\"y\":0,\"properties\":{\"b\":0,\"a\":1,\"tls\":\"1.2\"}}", BL_TRUE},
		{"{\"properties\":\"not an object\"}", BL_FALSE},
	};
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			bl_eval_reset(&f->e, tu_json(&f->ea, cases[i].doc), &f->ea);
			enum bl_truth t = bl_cond_eval(c, &f->e);
			if (t != cases[i].want)
				fail_msg("round %d, %s: %d, want %d", round, cases[i].doc, (int)t,
					 (int)cases[i].want);
		}
}

/* A small deterministic generator for the randomised test below. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/*
 * Hints against a plain lookup, randomised: 16 keys (4 names in 4 cases)
 * appear in random subsets and orders inside "p", each holding its own
 * number; for every key and every number, "p.KEY equals N" must be true
 * exactly when bl_value_get finds that member.  Thousands of other
 * conditions are evaluated between documents so that segments share hint
 * slots (the two-way table and its replacement), optional members come and
 * go before the keys (the look either side of the remembered index), and
 * folded-only and absent keys are common (the one-pass scan).
 */
static void test_hints_random(void **state)
{
	struct fx *f = *state;
	static const char *const keys[16] = {
		"tls", "TLS", "Tls", "tLs", "name", "NAME", "Name", "nAmE",
		"x", "X", "xx", "XX", "kind_of_long_key", "KIND_OF_LONG_KEY", "Kind_Of_Long_Key",
		"kind_of_long_KEY",
	};
	static const struct bl_cond *eq[16][16];
	for (int k = 0; k < 16; k++)
		for (int v = 0; v < 16; v++) {
			char buf[96];
			snprintf(buf, sizeof(buf), "{\"field\":\"p.%s\",\"equals\":%d}", keys[k], v);
			eq[k][v] = compile_ok(f, buf);
		}
	enum { NOISE = 3000 };
	static const struct bl_cond *noise[NOISE];
	for (int i = 0; i < NOISE; i++) {
		char buf[96];
		snprintf(buf, sizeof(buf), "{\"field\":\"q%d.z\",\"exists\":true}", i % 40);
		noise[i] = compile_ok(f, buf);
	}
	uint32_t seed = 12345;
	struct bl_buf doc;
	bl_buf_init(&doc, 0);
	for (int round = 0; round < 400; round++) {
		/* p's members: a random subset of the 16 keys and of 4 fillers */
		int order[20], n = 0;
		for (int i = 0; i < 20; i++)
			if (lcg(&seed) % 3)
				order[n++] = i;
		for (int i = n - 1; i > 0; i--) {
			int j = (int)(lcg(&seed) % (uint32_t)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		bl_buf_reset(&doc);
		bl_buf_adds(&doc, "{");
		for (int i = 0; i < 40; i++)
			if (lcg(&seed) % 2)
				bl_buf_printf(&doc, "\"q%d\":{\"z\":%d},", i, i);
		bl_buf_adds(&doc, "\"p\":{");
		for (int i = 0; i < n; i++) {
			if (order[i] < 16)
				bl_buf_printf(&doc, "%s\"%s\":%d", i ? "," : "", keys[order[i]], order[i]);
			else
				bl_buf_printf(&doc, "%s\"filler%d\":0", i ? "," : "", order[i]);
		}
		bl_buf_adds(&doc, "}}");
		assert_false(doc.failed);
		const struct bl_value *d = tu_json(&f->ea, doc.data);
		bl_eval_reset(&f->e, d, &f->ea);
		const struct bl_value *p = bl_value_getz(d, "p");
		for (int i = 0; i < NOISE; i += 7)
			(void)bl_cond_eval(noise[(i + round) % NOISE], &f->e);
		for (int k = 0; k < 16; k++) {
			const struct bl_value *want = bl_value_getz(p, keys[k]);
			for (int v = 0; v < 16; v++) {
				enum bl_truth t = bl_cond_eval(eq[k][v], &f->e);
				bool hit = want && want->type == BL_VNUM && (int)want->u.num.d == v;
				if (t != (hit ? BL_TRUE : BL_FALSE))
					fail_msg("round %d: p.%s equals %d was %d in %s", round, keys[k], v,
						 (int)t, doc.data);
			}
		}
	}
	bl_buf_free(&doc);
}

/* count's value is its decimal number (two digits: not "1", not "0"). */
static void test_count_text(void **state)
{
	struct fx *f = *state;
	const char *doc = "{\"r\":[0,1,2,3,4,5,6,7,8,9]}";
	const struct bl_cond *ten = compile_ok(f, "{\"count\":{\"field\":\"r[*]\"},\"equals\":10}");
	const struct bl_cond *like =
		compile_ok(f, "{\"count\":{\"field\":\"r[*]\"},\"greaterOrEquals\":9}");
	const struct bl_cond *zero = compile_ok(f, "{\"count\":{\"field\":\"q[*]\"},\"equals\":0}");
	bl_eval_reset(&f->e, tu_json(&f->ea, doc), &f->ea);
	assert_int_equal(bl_cond_eval(ten, &f->e), BL_TRUE);
	assert_int_equal(bl_cond_eval(like, &f->e), BL_TRUE);
	assert_int_equal(bl_cond_eval(zero, &f->e), BL_TRUE);
	/* evidence for a failing count names the count */
	const struct bl_cond *nine = compile_ok(f, "{\"count\":{\"field\":\"r[*]\"},\"equals\":9}");
	assert_int_equal(bl_cond_eval(nine, &f->e), BL_FALSE);
	bl_cond_explain(nine, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.ev[0].path, "count(r[*])");
	assert_non_null(f->e.ev[0].actual);
	assert_int_equal(f->e.ev[0].actual->type, BL_VNUM);
	assert_true(f->e.ev[0].actual->u.num.d == 10);
}

/* Concrete evidence paths: [n] for indexes and expanded [*], keys that are
 * not plain (dots, spaces, quotes) in brackets. */
static void test_concrete_paths(void **state)
{
	struct fx *f = *state;
	const char *doc = "{\"a\":[{\"b\":[1,2]},{\"b\":[3,123456789]}],"
			  "\"k.e y\":{\"q\\\"\":[0,{\"z\":5}]}}";
	const struct bl_cond *c = compile_ok(f, "{\"field\":\"a[*].b[*]\",\"less\":100}");
	bl_eval_reset(&f->e, tu_json(&f->ea, doc), &f->ea);
	assert_int_equal(bl_cond_eval(c, &f->e), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.ev[0].path, "a[1].b[1]");
	const struct bl_cond *q =
		compile_ok(f, "{\"field\":\"['k.e y']['q\\\"'][*].z\",\"equals\":6}");
	assert_int_equal(bl_cond_eval(q, &f->e), BL_FALSE);
	bl_cond_explain(q, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	/* element 0 is a number: its z is missing, and missing is not 6 */
	assert_string_equal(f->e.ev[0].path, "[\"k.e y\"][\"q\"\"\"][0].z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memo_same_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_new_doc_same_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memo_doc_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint_other_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hints_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concrete_paths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
