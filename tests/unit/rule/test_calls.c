/*
 * test_calls.c - which functions a condition calls (src/rule/calls.c), and
 * subscription()/resourceGroup() completed from a resource the engine found
 * by id (struct bl_eval.find_resource, src/rule/expr_fn.c).
 */
#include "testutil.h"

#include "rule/cond_internal.h"
#include "rule/expr.h"

static void text_calls(void **state)
{
	(void)state;
	assert_true(bl_expr_text_calls("[subscription().tags['x']]", "subscription"));
	assert_true(bl_expr_text_calls("[SUBSCRIPTION ().id]", "subscription"));
	assert_true(bl_expr_text_calls("[concat('a', resourceGroup().name)]", "resourceGroup"));
	assert_false(bl_expr_text_calls("[mysubscription()]", "subscription"));
	assert_false(bl_expr_text_calls("[subscriptions]", "subscription"));
	assert_false(bl_expr_text_calls("[subscription", "subscription"));
	assert_false(bl_expr_text_calls(NULL, "subscription"));
}

static const struct bl_cond *compile(struct bl_arena *a, struct bl_diags *d, const char *json)
{
	struct bl_rule_env env = {.arena = a, .diags = d};
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(a, json), &env), 0);
	return c;
}

static void cond_calls(void **state)
{
	(void)state;
	struct bl_arena a;
	struct bl_diags d;
	bl_arena_init(&a, 0);
	bl_diags_init(&d);
	const struct bl_cond *leaf = compile(&a, &d,
		"{\"field\": \"tags.x\", \"equals\": \"[subscription().tags.x]\"}");
	const struct bl_cond *value = compile(&a, &d,
		"{\"not\": {\"value\": \"[resourceGroup().tags.x]\", \"equals\": \"\"}}");
	const struct bl_cond *where = compile(&a, &d,
		"{\"count\": {\"field\": \"a[*]\", \"where\": {\"field\": \"a[*].b\","
		" \"equals\": \"[subscription().id]\"}}, \"greater\": 0}");
	const struct bl_cond *none = compile(&a, &d,
		"{\"allOf\": [{\"field\": \"name\", \"equals\": \"subscription()\"},"
		" {\"field\": \"type\", \"equals\": \"[toLower('x')]\"}]}");
	assert_true(bl_cond_calls(leaf, "subscription"));
	assert_false(bl_cond_calls(leaf, "resourceGroup"));
	assert_true(bl_cond_calls(value, "resourceGroup"));
	assert_true(bl_cond_calls(where, "subscription"));
	assert_false(bl_cond_calls(none, "subscription"));
	assert_false(bl_cond_calls(NULL, "subscription"));
	/* compile marks trees without runtime expressions (toLower('x') is
	 * folded): those are not walked; a tree not so marked is */
	assert_true(none->no_exprs);
	assert_false(leaf->no_exprs);
	assert_false(where->no_exprs);
	struct bl_cond copy = *leaf;
	copy.no_exprs = true;
	assert_false(bl_cond_calls(&copy, "subscription"));
	copy = *none;
	copy.no_exprs = false;
	assert_false(bl_cond_calls(&copy, "subscription"));
	copy = *leaf;
	assert_true(bl_cond_calls(&copy, "subscription"));
	bl_diags_free(&d);
	bl_arena_free(&a);
}

struct finder {
	const struct bl_value *sub;
	const char *want;
	int calls;
};

static const struct bl_value *find(const void *ctx, const char *id, size_t len)
{
	struct finder *f = (struct finder *)(uintptr_t)ctx;
	f->calls++;
	return strlen(f->want) == len && memcmp(f->want, id, len) == 0 ? f->sub : NULL;
}

static const char *eval_json(struct bl_arena *a, struct bl_eval *e, const char *text)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_rule_env env = {.arena = a, .diags = &d};
	const struct bl_expr *x = NULL;
	assert_int_equal(bl_expr_compile(&x, bl_value_new_str(a, text, strlen(text)), &env), 0);
	bl_diags_free(&d);
	const struct bl_value *v = NULL;
	if (bl_expr_eval(&v, x, e))
		return NULL;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_json_write(&b, v, 0), 0);
	char *s = bl_arena_strndup(a, b.data, b.len);
	bl_buf_free(&b);
	return s;
}

static void subscription_from_snapshot(void **state)
{
	(void)state;
	struct bl_arena a, scratch;
	bl_arena_init(&a, 0);
	bl_arena_init(&scratch, 0);
	struct finder f = {
		.sub = tu_json(&a, "{\"id\": \"/subscriptions/S1\", \"name\": \"s1\","
				   " \"tenantId\": \"t1\", \"tags\": {\"cc\": \"1\"},"
				   " \"properties\": {\"displayName\": \"Prod\"}}"),
		.want = "/subscriptions/s1",
	};
	struct bl_eval e;
	bl_eval_init(&e);
	bl_eval_reset(&e, tu_json(&a, "{\"id\": \"/subscriptions/s1/resourceGroups/rg/providers/"
				       "P/t/n\"}"), &scratch);
	/* without a finder: the id alone */
	assert_string_equal(eval_json(&a, &e, "[subscription()]"),
			    "{\"id\":\"/subscriptions/s1\",\"subscriptionId\":\"s1\"}");
	assert_null(eval_json(&a, &e, "[subscription().tags]"));
	e.find_resource = find;
	e.find_ctx = &f;
	/* with one: ours first, the snapshot's other members, displayName lifted */
	assert_string_equal(eval_json(&a, &e, "[subscription()]"),
			    "{\"id\":\"/subscriptions/s1\",\"subscriptionId\":\"s1\",\"name\":\"s1\","
			    "\"tenantId\":\"t1\",\"tags\":{\"cc\":\"1\"},"
			    "\"properties\":{\"displayName\":\"Prod\"},\"displayName\":\"Prod\"}");
	assert_string_equal(eval_json(&a, &e, "[subscription().tags.cc]"), "\"1\"");
	/* a resource group nobody exported: what the id says */
	assert_string_equal(eval_json(&a, &e, "[resourceGroup().name]"), "\"rg\"");
	assert_true(f.calls >= 3);
	bl_eval_fini(&e);
	bl_arena_free(&scratch);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_calls),
		cmocka_unit_test(cond_calls),
		cmocka_unit_test(subscription_from_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
