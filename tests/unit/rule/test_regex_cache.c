/*
 * test_regex_cache.c - conditions compiled with one struct bl_rule_env
 * regex_cache share the compiled code of equal patterns (same JIT choice),
 * and sharing changes no verdict; a bad pattern is reported every time.
 */
#include "testutil.h"

#include "cond_fixture.h"
#include "rule/cond_internal.h"

static const pcre2_code *leaf_re(const struct bl_cond *c)
{
	assert_int_equal(c->root->kind, CN_LEAF);
	return c->root->operand.re;
}

static void shared_and_separate(void **state)
{
	struct fx *f = *state;
	f->env.regex_cache = bl_regex_cache_new(&f->a);
	assert_non_null(f->env.regex_cache);
	const char *p = "{\"field\": \"s\", \"regex\": \"^ab+c$\"}";
	const struct bl_cond *a = compile_ok(f, p);
	const struct bl_cond *b = compile_ok(f, p);
	const struct bl_cond *other = compile_ok(f, "{\"field\": \"s\", \"regex\": \"^ab+d$\"}");
	assert_ptr_equal(leaf_re(a), leaf_re(b));
	assert_ptr_not_equal(leaf_re(a), leaf_re(other));
	/* a host-scoped control does not JIT: not the same compiled code */
	f->env.no_jit = true;
	const struct bl_cond *nojit = compile_ok(f, p);
	assert_ptr_not_equal(leaf_re(a), leaf_re(nojit));
	assert_ptr_equal(leaf_re(nojit), leaf_re(compile_ok(f, p)));
	/* the verdicts are those of separately compiled patterns */
	const char *docs[] = {"{\"s\": \"abbbc\"}", "{\"s\": \"abd\"}", "{\"s\": \"ac\"}"};
	const enum bl_truth want[] = {BL_TRUE, BL_FALSE, BL_FALSE};
	for (size_t i = 0; i < 3; i++) {
		bl_eval_reset(&f->e, tu_json(&f->ea, docs[i]), &f->ea);
		assert_int_equal(bl_cond_eval(b, &f->e), want[i]);
		assert_int_equal(bl_cond_eval(nojit, &f->e), want[i]);
	}
	/* more patterns than the first table holds: it grows, old entries stay */
	char text[96];
	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "{\"field\": \"s\", \"regex\": \"^x%d$\"}", i);
		compile_ok(f, text);
	}
	f->env.no_jit = false;
	assert_ptr_equal(leaf_re(a), leaf_re(compile_ok(f, p)));
}

static void bad_pattern_every_time(void **state)
{
	struct fx *f = *state;
	f->env.regex_cache = bl_regex_cache_new(&f->a);
	const char *bad = "{\"field\": \"s\", \"regex\": \"a(\"}";
	for (int i = 0; i < 2; i++) {
		const struct bl_cond *c = NULL;
		size_t before = f->d.n;
		assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, bad), &f->env), BL_EINVAL);
		assert_int_equal(f->d.n, before + 1);
		assert_non_null(strstr(f->d.items[before].msg, "invalid regex"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shared_and_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_pattern_every_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
