/* Unit tests: facts that could not be read (BL_VERR) or are not available
 * (BL_VNA) make a leaf unknown with their reason; never true or false. */
#include "testutil.h"

#include "rule/rule.h"

struct fx {
	struct bl_arena a, ea;
	struct bl_diags d;
	struct bl_eval e;
	struct bl_value *doc;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	bl_arena_init(&f->a, 0);
	bl_arena_init(&f->ea, 0);
	bl_diags_init(&f->d);
	bl_eval_init(&f->e);
	f->doc = (struct bl_value *)tu_json(&f->a,
		"{\"err\": \"/etc/shadow: permission denied\", \"na\": \"live-only fact\", "
		"\"ok\": {\"x\": 1}, \"list\": [1, \"boom\"]}");
	/* turn two strings into special values, as providers build them */
	((struct bl_value *)bl_value_getz(f->doc, "err"))->type = BL_VERR;
	((struct bl_value *)bl_value_getz(f->doc, "na"))->type = BL_VNA;
	((struct bl_value *)&bl_value_getz(f->doc, "list")->u.arr.items[1])->type = BL_VERR;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bl_eval_fini(&f->e);
	bl_diags_free(&f->d);
	bl_arena_free(&f->a);
	bl_arena_free(&f->ea);
	free(f);
	return 0;
}

static enum bl_truth ev(struct fx *f, const char *cond)
{
	const struct bl_cond *c;
	struct bl_rule_env env = {.arena = &f->a, .diags = &f->d};
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, cond), &env), 0);
	bl_eval_reset(&f->e, f->doc, &f->ea);
	return bl_cond_eval(c, &f->e);
}

static void test_error_values(void **state)
{
	struct fx *f = *state;
	/* a path through an error value reaches it: unknown with the reason */
	assert_int_equal(ev(f, "{\"field\": \"err.mode\", \"equals\": \"0640\"}"), BL_UNKNOWN);
	assert_string_equal(f->e.error, "/etc/shadow: permission denied");
	assert_false(f->e.na);
	/* every operator, exists included, says unknown */
	assert_int_equal(ev(f, "{\"field\": \"err\", \"exists\": false}"), BL_UNKNOWN);
	assert_int_equal(ev(f, "{\"field\": \"err.x\", \"notEquals\": 1}"), BL_UNKNOWN);
	assert_int_equal(ev(f, "{\"field\": \"err[*].x\", \"equals\": 1}"), BL_UNKNOWN);
	assert_int_equal(ev(f, "{\"count\": {\"field\": \"err[*]\"}, \"equals\": 0}"), BL_UNKNOWN);
	/* an error element inside an array */
	assert_int_equal(ev(f, "{\"field\": \"list[*]\", \"notEquals\": 7}"), BL_UNKNOWN);
	assert_int_equal(ev(f, "{\"count\": {\"field\": \"list[*]\", \"where\": {\"field\": \"list[*]\", \"equals\": 1}}, \"equals\": 1}"),
			 BL_UNKNOWN);
	/* Kleene: a definite answer elsewhere still decides */
	assert_int_equal(ev(f, "{\"allOf\": [{\"field\": \"err\", \"equals\": 1}, {\"field\": \"ok.x\", \"equals\": 2}]}"),
			 BL_FALSE);
	assert_int_equal(ev(f, "{\"anyOf\": [{\"field\": \"err\", \"equals\": 1}, {\"field\": \"ok.x\", \"equals\": 1}]}"),
			 BL_TRUE);
	assert_int_equal(ev(f, "{\"not\": {\"field\": \"err\", \"equals\": 1}}"), BL_UNKNOWN);
}

static void test_not_available(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ev(f, "{\"field\": \"na\", \"equals\": \"1\"}"), BL_UNKNOWN);
	assert_true(f->e.na);
	assert_string_equal(f->e.error, "");
	assert_string_equal(f->e.na_reason, "live-only fact");
	/* an error beside a not-available fact: the error wins */
	assert_int_equal(ev(f, "{\"allOf\": [{\"field\": \"na\", \"equals\": 1}, {\"field\": \"err\", \"equals\": 1}]}"),
			 BL_UNKNOWN);
	assert_string_equal(f->e.error, "/etc/shadow: permission denied");
	/* and a definite false still decides */
	assert_int_equal(ev(f, "{\"allOf\": [{\"field\": \"na\", \"equals\": 1}, {\"field\": \"ok.x\", \"equals\": 5}]}"),
			 BL_FALSE);
}

struct seen {
	char items[8][64];
	size_t n;
};

static void on_path(void *ctx, const struct bl_path *p, const char *key, size_t len)
{
	struct seen *s = ctx;
	if (s->n < 8)
		snprintf(s->items[s->n++], 64, "%s", p ? p->text : "");
	if (!p)
		snprintf(s->items[s->n - 1], 64, "key:%.*s", (int)len, key);
}

static void test_paths(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c;
	struct bl_rule_env env = {.arena = &f->a, .diags = &f->d};
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a,
		"{\"allOf\": [{\"field\": \"file['/etc/shadow'].mode\", \"modeAtMost\": \"0640\"},"
		"{\"count\": {\"field\": \"users[*]\", \"where\": {\"field\": \"users[*].uid\", \"equals\": 0}}, \"equals\": 1},"
		"{\"value\": \"[field('sshd.permitrootlogin')]\", \"equals\": \"no\"}]}"), &env), 0);
	struct seen s = {0};
	bl_cond_paths(c, on_path, &s);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.items[0], "file['/etc/shadow'].mode");
	assert_string_equal(s.items[1], "users[*]");
	assert_string_equal(s.items[2], "users[*].uid");
	assert_string_equal(s.items[3], "key:sshd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_available, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
