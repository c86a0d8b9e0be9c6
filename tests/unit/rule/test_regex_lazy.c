/*
 * test_regex_lazy.c - struct bl_rule_env.lazy_regex: literal regex/notRegex
 * patterns are compiled on first use (once, shared by every thread that
 * evaluates the condition), patterns produced by expressions are still
 * compiled (and reported) at compile time, and a pattern that fails on
 * first use makes its leaf unknown, never a verdict.
 */
#include <pthread.h>

#include "testutil.h"

#include "cond_fixture.h"
#include "rule/cond_internal.h"

static void lazy_setup(struct fx *f)
{
	f->env.cache = bl_compile_cache_new(&f->a);
	assert_non_null(f->env.cache);
	f->env.lazy_regex = true;
}

static enum bl_truth eval_doc(struct fx *f, const struct bl_cond *c, const char *doc)
{
	bl_eval_clear(&f->e);
	bl_eval_reset(&f->e, tu_json(&f->ea, doc), &f->ea);
	return bl_cond_eval(c, &f->e);
}

static void compiled_on_first_use(void **state)
{
	struct fx *f = *state;
	lazy_setup(f);
	const struct bl_cond *c = compile_ok(f, "{\"field\": \"s\", \"regex\": \"^ab+c$\"}");
	const struct bl_cond *n = compile_ok(f, "{\"field\": \"s\", \"notRegex\": \"^ab+c$\"}");
	assert_int_equal(c->root->kind, CN_LEAF);
	assert_null(c->root->operand.re);
	assert_non_null(c->root->operand.lazy);
	/* one slot per pattern: both operators share it */
	assert_ptr_equal(c->root->operand.lazy, n->root->operand.lazy);
	assert_int_equal(eval_doc(f, c, "{\"s\": \"abbbc\"}"), BL_TRUE);
	assert_int_equal(eval_doc(f, n, "{\"s\": \"abbbc\"}"), BL_FALSE);
	assert_int_equal(eval_doc(f, c, "{\"s\": \"ac\"}"), BL_FALSE);
	assert_int_equal(eval_doc(f, n, "{\"s\": \"ac\"}"), BL_TRUE);
	/* a missing field never needs the pattern */
	assert_int_equal(eval_doc(f, c, "{}"), BL_FALSE);
	/* a condition compiled after first use shares the compiled code as an
	 * eagerly compiled one would */
	f->env.lazy_regex = false;
	const struct bl_cond *e = compile_ok(f, "{\"field\": \"s\", \"regex\": \"^ab+c$\"}");
	assert_non_null(e->root->operand.re);
	assert_int_equal(eval_doc(f, e, "{\"s\": \"abc\"}"), BL_TRUE);
}

static void bad_literal_is_unknown_at_run_time(void **state)
{
	struct fx *f = *state;
	lazy_setup(f);
	/* not reported now: lazy patterns are the ones the build checked */
	const struct bl_cond *c = compile_ok(f, "{\"field\": \"s\", \"regex\": \"a(\"}");
	assert_int_equal(f->d.n, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(eval_doc(f, c, "{\"s\": \"a(\"}"), BL_UNKNOWN);
		assert_non_null(strstr(f->e.error, "invalid regex"));
	}
	const struct bl_cond *n = compile_ok(f, "{\"field\": \"s\", \"notRegex\": \"a(\"}");
	assert_int_equal(eval_doc(f, n, "{\"s\": \"x\"}"), BL_UNKNOWN);
	/* the message shows the pattern as written (a lazy operand keeps no
	 * lower-cased copy: only its raw text) */
	const struct bl_cond *u = compile_ok(f, "{\"field\": \"s\", \"regex\": \"AB(C\"}");
	assert_int_equal(u->root->operand.rawlen, 4);
	assert_memory_equal(u->root->operand.raw, "AB(C", 4);
	assert_int_equal(eval_doc(f, u, "{\"s\": \"x\"}"), BL_UNKNOWN);
	assert_non_null(strstr(f->e.error, "regex AB(C: invalid regex"));
}

static void expressions_still_checked_now(void **state)
{
	struct fx *f = *state;
	lazy_setup(f);
	const char *bad = "{\"field\": \"s\", \"regex\": \"[concat('a', '(')]\"}";
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, bad), &f->env), BL_EINVAL);
	assert_int_equal(f->d.n, 1);
	assert_non_null(strstr(f->d.items[0].msg, "invalid regex"));
	/* a "[[" escape is not the pattern as written either: compiled now */
	const struct bl_cond *esc = compile_ok(f, "{\"field\": \"s\", \"regex\": \"[[a-c]]\"}");
	assert_non_null(esc->root->operand.re);
	assert_null(esc->root->operand.lazy);
	assert_int_equal(eval_doc(f, esc, "{\"s\": \"b]\"}"), BL_TRUE);
	/* without lazy_regex a bad literal is reported at compile time */
	f->env.lazy_regex = false;
	const char *lit = "{\"field\": \"s\", \"regex\": \"a(\"}";
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, lit), &f->env), BL_EINVAL);
	assert_int_equal(f->d.n, 2);
	/* and without a cache there is nothing to compile into later */
	f->env.lazy_regex = true;
	f->env.cache = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, lit), &f->env), BL_EINVAL);
	assert_int_equal(f->d.n, 3);
}

/* Worker threads share compiled conditions, as the engine's do: the first
 * uses race between them and every thread must get the same answers. */
enum { NCOND = 64, NTHREAD = 4 };

struct worker {
	const struct bl_cond **conds;      /* NCOND */
	const struct bl_value **match;     /* match[i] matches conds[i] only */
	const struct bl_value *miss;
	int start;                         /* where this thread begins its walks */
	int wrong;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct bl_eval e;
	struct bl_arena ea;
	bl_eval_init(&e);
	bl_arena_init(&ea, 0);
	for (int round = 0; round < 10; round++) {
		for (int j = 0; j < NCOND; j++) {
			int i = (j + w->start) % NCOND;
			bl_eval_clear(&e);
			bl_eval_reset(&e, w->match[i], &ea);
			w->wrong += bl_cond_eval(w->conds[i], &e) != BL_TRUE;
			bl_eval_clear(&e);
			bl_eval_reset(&e, w->miss, &ea);
			w->wrong += bl_cond_eval(w->conds[i], &e) != BL_FALSE;
			bl_arena_reset(&ea);
		}
	}
	bl_arena_free(&ea);
	bl_eval_fini(&e);
	return NULL;
}

static void threads_share_first_use(void **state)
{
	struct fx *f = *state;
	lazy_setup(f);
	const struct bl_cond *conds[NCOND];
	const struct bl_value *match[NCOND];
	char text[128];
	for (int i = 0; i < NCOND; i++) {
		snprintf(text, sizeof(text), "{\"field\": \"s\", \"regex\": \"^(k%d|z{%d})$\"}", i, i + 2);
		conds[i] = compile_ok(f, text);
		snprintf(text, sizeof(text), "{\"s\": \"k%d\"}", i);
		match[i] = tu_json(&f->a, text);
	}
	const struct bl_value *miss = tu_json(&f->a, "{\"s\": \"nothing\"}");
	struct worker w[NTHREAD];
	pthread_t t[NTHREAD];
	for (int k = 0; k < NTHREAD; k++) {
		/* pairs of threads start at the same condition: first uses collide */
		w[k] = (struct worker){conds, match, miss, (k / 2) * (NCOND / 2), 0};
		assert_int_equal(pthread_create(&t[k], NULL, work, &w[k]), 0);
	}
	for (int k = 0; k < NTHREAD; k++) {
		pthread_join(t[k], NULL);
		assert_int_equal(w[k].wrong, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(compiled_on_first_use, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_literal_is_unknown_at_run_time, setup, teardown),
		cmocka_unit_test_setup_teardown(expressions_still_checked_now, setup, teardown),
		cmocka_unit_test_setup_teardown(threads_share_first_use, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
