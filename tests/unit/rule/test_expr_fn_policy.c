/*
 * test_expr_fn_policy.c - the template functions added for Azure Policy
 * content (src/rule/expr_fn_policy.c): resourceGroup subscription
 * requestContext utcNow addDays intersection union createObject tryGet
 * base64 add sub mul div mod,
 * plus coalesce/createArray/replace as built-ins use them.  One table of
 * (expression, document, expected JSON or error with its kind), and the
 * existenceCondition rule that field() in an expression names the outer
 * resource.
 */
#include "testutil.h"

#include <stdlib.h>

#include "rule/expr.h"

#define DOC \
	"{\"id\": \"/subscriptions/sub-1/resourceGroups/RG-One/providers/Microsoft.Compute/virtualMachines/vm1\"," \
	" \"name\": \"vm1\", \"type\": \"Microsoft.Compute/virtualMachines\"," \
	" \"tags\": {\"env\": \"prod\"}, \"list\": [\"a\", \"b\", \"c\"]}"

/* a subscription-level resource: no resource group in its id */
#define SUBDOC \
	"{\"id\": \"/subscriptions/sub-2/providers/Microsoft.Security/pricings/VirtualMachines\"," \
	" \"name\": \"VirtualMachines\"}"

#define NOIDDOC "{\"name\": \"x\"}"

struct row {
	const char *expr;
	const char *doc;      /* NULL: DOC */
	const char *expect;   /* JSON; NULL when err is set */
	const char *err;
	bool cerr;            /* compile error (else evaluation error) */
};

#define OK(x, want) { x, NULL, want, NULL, false }
#define OKD(x, doc, want) { x, doc, want, NULL, false }
#define CERR(x, msg) { x, NULL, NULL, msg, true }
#define EERR(x, msg) { x, NULL, NULL, msg, false }
#define EERRD(x, doc, msg) { x, doc, NULL, msg, false }

static const struct row ROWS[] = {
	/* resource context, from the id */
	OK("[resourceGroup().name]", "\"RG-One\""),
	OK("[resourceGroup().id]", "\"/subscriptions/sub-1/resourceGroups/RG-One\""),
	OK("[resourceGroup().type]", "\"Microsoft.Resources/resourceGroups\""),
	OK("[subscription().subscriptionId]", "\"sub-1\""),
	OK("[subscription().id]", "\"/subscriptions/sub-1\""),
	OK("[toLower(resourceGroup().name)]", "\"rg-one\""),
	OKD("[subscription().subscriptionId]", SUBDOC, "\"sub-2\""),
	EERRD("[resourceGroup().name]", SUBDOC,
	      "resourceGroup(): the resource id '/subscriptions/sub-2/providers/Microsoft.Security/pricings/VirtualMachines' names no resource group"),
	EERRD("[subscription()]", NOIDDOC, "subscription(): the resource has no id to take it from"),
	EERR("[resourceGroup().location]", "property 'location' does not exist"),
	CERR("[resourceGroup('x')]", "resourceGroup() takes 0 arguments, got 1"),
	/* request context and time (BASELINE_NOW is pinned by the test) */
	OK("[requestContext().apiVersion]", "\"2024-01-01\""),
	OK("[utcNow()]", "\"2026-03-01T12:34:56.0000000Z\""),
	OK("[addDays(utcNow(), 30)]", "\"2026-03-31T12:34:56.0000000Z\""),
	OK("[addDays('2026-03-01T00:00:00Z', -1)]", "\"2026-02-28T00:00:00.0000000Z\""),
	OK("[addDays('2024-02-28', 1)]", "\"2024-02-29T00:00:00.0000000Z\""),
	OK("[addDays('2026-01-01T10:00:00+02:00', 0)]", "\"2026-01-01T08:00:00.0000000Z\""),
	OK("[addDays('2026-01-01T00:00:00.1234567Z', 365)]", "\"2027-01-01T00:00:00.1234567Z\""),
	OK("[addDays('1999-12-31T23:59', 1)]", "\"2000-01-01T23:59:00.0000000Z\""),
	OK("[less(addDays(utcNow(), -90), '2026-01-01')]", "true"),
	OK("[less(addDays(utcNow(), -90), '2025-12-01')]", "false"),
	CERR("[addDays('yesterday', 1)]", "addDays() expects an ISO 8601 date-time, got 'yesterday'"),
	CERR("[addDays('2026-13-01', 1)]", "addDays() expects an ISO 8601 date-time, got '2026-13-01'"),
	CERR("[addDays('2026-01-01', 'x')]", "addDays() expects an integer, got string"),
	CERR("[addDays('2026-01-01')]", "addDays() takes 2 arguments, got 1"),
	CERR("[utcNow('u')]", "utcNow() takes 0 arguments, got 1"),
	EERR("[addDays(field('name'), 1)]", "addDays() expects an ISO 8601 date-time, got 'vm1'"),
	/* sets */
	OK("[union(createArray(1, 2), createArray(2, 3), createArray(3, 4))]", "[1,2,3,4]"),
	OK("[union(createArray('a', 'a'), createArray())]", "[\"a\"]"),
	OK("[union(createObject('a', 1, 'b', 2), createObject('b', 3, 'c', 4))]",
	   "{\"a\":1,\"b\":3,\"c\":4}"),
	OK("[intersection(createArray(1, 2, 3, 2), createArray(3, 2), createArray(2, 3, 9))]", "[2,3]"),
	OK("[intersection(field('list'), createArray('c', 'x', 'a'))]", "[\"a\",\"c\"]"),
	OK("[intersection(createArray('A'), createArray('a'))]", "[]"),
	OK("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]", "{\"a\":1}"),
	CERR("[union(createArray(1), createObject('a', 1))]", "union() expects an array, got object"),
	CERR("[intersection('a', 'b')]", "intersection() expects an array or object, got string"),
	CERR("[union(createArray(1))]", "union() takes at least 2 arguments, got 1"),
	/* objects and lookups */
	OK("[createObject()]", "{}"),
	OK("[createObject('a', 1, 'b', createArray(true))]", "{\"a\":1,\"b\":[true]}"),
	OK("[createObject('k', field('name')).k]", "\"vm1\""),
	CERR("[createObject('a')]", "createObject() expects key and value pairs, got 1 arguments"),
	CERR("[createObject(1, 2)]", "createObject() expects a string, got number"),
	CERR("[createObject('a', 1, 'A', 2)]", "createObject(): key 'A' is given twice"),
	OK("[tryGet(field('tags'), 'env')]", "\"prod\""),
	OK("[tryGet(field('tags'), 'ENV')]", "\"prod\""),
	OK("[tryGet(field('tags'), 'owner')]", "null"),
	OK("[tryGet(field('list'), 1)]", "\"b\""),
	OK("[tryGet(field('list'), 3)]", "null"),
	OK("[tryGet(createObject('a', createObject('b', 7)), 'a', 'b')]", "7"),
	OK("[tryGet(createObject('a', 1), 'a', 'b')]", "null"),
	OK("[coalesce(tryGet(field('tags'), 'owner'), 'nobody')]", "\"nobody\""),
	CERR("[tryGet('abc', 0)]", "tryGet() expects an array or object, got string"),
	CERR("[tryGet(createArray(1), true)]", "tryGet() expects a key (string) or an index (integer), got boolean"),
	/* strings */
	OK("[base64('')]", "\"\""),
	OK("[base64('f')]", "\"Zg==\""),
	OK("[base64('fo')]", "\"Zm8=\""),
	OK("[base64('foo')]", "\"Zm9v\""),
	OK("[base64('one, two, three')]", "\"b25lLCB0d28sIHRocmVl\""),
	CERR("[base64(1)]", "base64() expects a string, got number"),
	OK("[replace(field('name'), 'vm', 'host')]", "\"host1\""),
	OK("[coalesce(null, createArray(), 'x')]", "[]"),
	/* integers */
	OK("[mul(6, 7)]", "42"),
	OK("[mul(-3, 5)]", "-15"),
	OK("[add(2, 3)]", "5"),
	OK("[sub(2, 3)]", "-1"),
	OK("[div(7, 2)]", "3"),
	OK("[div(-7, 2)]", "-3"),
	OK("[mod(7, 3)]", "1"),
	OK("[mul(length(field('list')), 10)]", "30"),
	CERR("[mul(2, '3')]", "mul() expects an integer, got string"),
	CERR("[mul(2.5, 2)]", "mul() expects an integer, got 2.5"),
	CERR("[div(1, 0)]", "div(): division by zero"),
	CERR("[mod(1, 0)]", "mod(): division by zero"),
	CERR("[mul(9007199254740992, 2)]", "mul(): result out of range"),
	CERR("[mul(1)]", "mul() takes 2 arguments, got 1"),
};

struct fixture {
	struct bl_arena arena;
	struct bl_arena scratch;
	struct bl_diags diags;
	struct bl_rule_env env;
	struct bl_eval e;
};

static void fx_init(struct fixture *f, const char *doc)
{
	memset(f, 0, sizeof(*f));
	bl_arena_init(&f->arena, 0);
	bl_arena_init(&f->scratch, 0);
	bl_diags_init(&f->diags);
	f->env.arena = &f->arena;
	f->env.diags = &f->diags;
	f->e.doc = tu_json(&f->arena, doc);
	f->e.arena = &f->scratch;
}

static void fx_fini(struct fixture *f)
{
	bl_diags_free(&f->diags);
	bl_arena_free(&f->scratch);
	bl_arena_free(&f->arena);
}

/* A string node at line 3, column 9 of "f.yaml". */
static const struct bl_value *node_at(struct bl_arena *a, const char *text)
{
	struct bl_value *v = bl_value_new_str(a, text, strlen(text));
	assert_non_null(v);
	v->line = 3;
	v->col = 9;
	v->file = "f.yaml";
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
	fx_init(&f, r->doc ? r->doc : DOC);
	const struct bl_expr *x = NULL;
	int rc = bl_expr_compile(&x, node_at(&f.arena, r->expr), &f.env);
	if (r->cerr) {
		if (rc != BL_EINVAL || f.diags.n != 1)
			fail_msg("%s: expected a compile error, got rc %d, %zu diags", r->expr, rc,
				 f.diags.n);
		assert_string_equal(f.diags.items[0].file, "f.yaml");
		assert_int_equal(f.diags.items[0].line, 3);
		assert_true(f.diags.items[0].col >= 9);
		if (!strstr(f.diags.items[0].msg, r->err))
			fail_msg("%s: error '%s' does not contain '%s'", r->expr,
				 f.diags.items[0].msg, r->err);
		fx_fini(&f);
		return;
	}
	if (rc != 0)
		fail_msg("%s: compile failed: %s", r->expr, f.diags.n ? f.diags.items[0].msg : "?");
	const struct bl_value *v = NULL;
	rc = bl_expr_eval(&v, x, &f.e);
	if (r->err) {
		if (rc != BL_EINVAL)
			fail_msg("%s: expected an evaluation error, got rc %d", r->expr, rc);
		if (!strstr(f.e.error, r->err))
			fail_msg("%s: error '%s' does not contain '%s'", r->expr, f.e.error, r->err);
		fx_fini(&f);
		return;
	}
	if (rc != 0)
		fail_msg("%s: evaluation failed: %s", r->expr, f.e.error);
	if (!v)
		fail_msg("%s: got missing, expected %s", r->expr, r->expect);
	char *got = to_json(v);
	char *want = to_json(tu_json(&f.arena, r->expect));
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, expected %s", r->expr, got, want);
	free(got);
	free(want);
	fx_fini(&f);
}

static void test_table(void **state)
{
	(void)state;
	setenv("BASELINE_NOW", "2026-03-01T12:34:56Z", 1);
	unsetenv("BASELINE_REQUEST_API_VERSION");
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++)
		check_row(&ROWS[i]);
}

/* Evaluate text against DOC; the result as JSON (caller frees). */
static char *eval_doc(const char *text)
{
	struct fixture f;
	fx_init(&f, DOC);
	const struct bl_expr *x = NULL;
	if (bl_expr_compile(&x, node_at(&f.arena, text), &f.env) != 0)
		fail_msg("%s: %s", text, f.diags.n ? f.diags.items[0].msg : "?");
	const struct bl_value *v = NULL;
	if (bl_expr_eval(&v, x, &f.e) != 0 || !v)
		fail_msg("%s: %s", text, f.e.error);
	char *s = to_json(v);
	fx_fini(&f);
	return s;
}

static void test_request_context_configurable(void **state)
{
	(void)state;
	setenv("BASELINE_REQUEST_API_VERSION", "2019-04-01", 1);
	char *s = eval_doc("[requestContext().apiVersion]");
	assert_string_equal(s, "\"2019-04-01\"");
	free(s);
	unsetenv("BASELINE_REQUEST_API_VERSION");
}

static void test_utcnow_bad_pin(void **state)
{
	(void)state;
	setenv("BASELINE_NOW", "soon", 1);
	struct fixture f;
	fx_init(&f, DOC);
	const struct bl_expr *x = NULL;
	assert_int_equal(bl_expr_compile(&x, node_at(&f.arena, "[utcNow()]"), &f.env), BL_EINVAL);
	assert_int_equal(f.diags.n, 1);
	assert_string_equal(f.diags.items[0].msg,
			    "utcNow(): BASELINE_NOW 'soon' is not an ISO 8601 date-time");
	fx_fini(&f);
	setenv("BASELINE_NOW", "2026-03-01T12:34:56Z", 1);
}

/* Inside an existenceCondition (e->outer set), field() and the resource
 * context read the outer resource, not the related one being tested. */
static void test_outer_resource(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, "{\"id\": \"/subscriptions/s9/resourceGroups/other/providers/X/y/z\","
		    " \"name\": \"related\"}");
	const struct bl_value *outer = tu_json(&f.arena, DOC);
	f.e.outer = outer;
	const struct bl_expr *x = NULL;
	assert_int_equal(bl_expr_compile(&x, node_at(&f.arena, "[concat(field('name'), '@', resourceGroup().name)]"),
					 &f.env), 0);
	const struct bl_value *v = NULL;
	assert_int_equal(bl_expr_eval(&v, x, &f.e), 0);
	char *s = to_json(v);
	assert_string_equal(s, "\"vm1@RG-One\"");
	free(s);
	f.e.outer = NULL;
	assert_int_equal(bl_expr_eval(&v, x, &f.e), 0);
	s = to_json(v);
	assert_string_equal(s, "\"related@other\"");
	free(s);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_request_context_configurable),
		cmocka_unit_test(test_utcnow_bad_pin),
		cmocka_unit_test(test_outer_resource),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
