/*
 * test_regex_cache.c - conditions compiled with one struct bl_rule_env
 * cache share the compiled code of equal patterns (same JIT choice),
 * and sharing changes no verdict; a bad pattern is reported every time;
 * JIT-compiled code goes with the arena.
 */
#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

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
	f->env.cache = bl_compile_cache_new(&f->a);
	assert_non_null(f->env.cache);
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
	f->env.cache = bl_compile_cache_new(&f->a);
	const char *bad = "{\"field\": \"s\", \"regex\": \"a(\"}";
	for (int i = 0; i < 2; i++) {
		const struct bl_cond *c = NULL;
		size_t before = f->d.n;
		assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, bad), &f->env), BL_EINVAL);
		assert_int_equal(f->d.n, before + 1);
		assert_non_null(strstr(f->d.items[before].msg, "invalid regex"));
	}
}

/* Field paths spelled alike share one compiled path through the cache
 * (bl_compile_cache_path); a bad path is reported every time, at its place. */
static void shared_paths(void **state)
{
	struct fx *f = *state;
	f->env.cache = bl_compile_cache_new(&f->a);
	assert_non_null(f->env.cache);
	const struct bl_cond *a = compile_ok(f, "{\"field\": \"x[*].y\", \"equals\": 1}");
	const struct bl_cond *b = compile_ok(f, "{\"field\": \"x[*].y\", \"exists\": true}");
	const struct bl_cond *other = compile_ok(f, "{\"field\": \"x[*].Y\", \"equals\": 1}");
	assert_ptr_equal(a->root->subj.path.segs, b->root->subj.path.segs);
	assert_ptr_not_equal(a->root->subj.path.segs, other->root->subj.path.segs);
	assert_int_equal(b->root->subj.path.n, 3);
	assert_int_equal(b->root->subj.path.nall, 1);
	assert_string_equal(b->root->subj.path.text, "x[*].y");
	/* inside a count the same text binds to the count's scope as before */
	const struct bl_cond *cnt = compile_ok(f,
		"{\"count\": {\"field\": \"x[*]\", \"where\": {\"field\": \"x[*].y\", \"equals\": 1}},"
		" \"equals\": 1}");
	assert_ptr_equal(cnt->root->where->subj.path.segs, a->root->subj.path.segs);
	assert_int_equal(cnt->root->where->subj.scope, 0);
	assert_int_equal(a->root->subj.scope, -1);
	bl_eval_reset(&f->e, tu_json(&f->ea, "{\"x\": [{\"y\": 1}, {\"y\": 2}]}"), &f->ea);
	assert_int_equal(bl_cond_eval(a, &f->e), BL_FALSE);
	assert_int_equal(bl_cond_eval(b, &f->e), BL_TRUE);
	assert_int_equal(bl_cond_eval(cnt, &f->e), BL_TRUE);
	/* more distinct paths than the first table holds: it grows */
	char text[96];
	for (int i = 0; i < 700; i++) {
		snprintf(text, sizeof(text), "{\"field\": \"p%d.q\", \"exists\": true}", i);
		compile_ok(f, text);
	}
	assert_ptr_equal(a->root->subj.path.segs,
			 compile_ok(f, "{\"field\": \"x[*].y\", \"equals\": 2}")->root->subj.path.segs);
	/* a bad path: reported each time, with its column */
	for (int i = 0; i < 2; i++) {
		const struct bl_cond *c = NULL;
		size_t before = f->d.n;
		assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, "{\"field\": \"a..b\", \"exists\": true}"),
						 &f->env), BL_EINVAL);
		assert_int_equal(f->d.n, before + 1);
		assert_non_null(strstr(f->d.items[before].msg, "invalid path"));
		assert_int_equal(f->d.items[before].col, 11 + 3);
	}
}

/* The process's virtual size in KiB (/proc/self/statm), 0 when unknown. */
static long vm_kib(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	long pages = 0;
	if (!fp)
		return 0;
	if (fscanf(fp, "%ld", &pages) != 1)
		pages = 0;
	fclose(fp);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* JIT-compiled code is released with the arena that holds the pattern:
 * compiling regexes (shared through a cache and not) into an arena and
 * freeing it, again and again, does not grow the process (the JIT's code
 * lives in pages PCRE2 maps itself; without pcre2_code_free they stayed,
 * ~6 MB over these rounds). */
static void jit_code_released(void **state)
{
	(void)state;
	long before = 0;
	for (int round = 0; round < 3000; round++) {
		struct bl_arena a, ta;
		bl_arena_init(&a, 0);
		bl_arena_init(&ta, 0);
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_rule_env env = {.arena = &a, .diags = &d};
		if (round % 2)
			env.cache = bl_compile_cache_new(&a);
		const struct bl_cond *c = NULL;
		int rc = bl_cond_compile(&c, tu_json(&ta, "{\"anyOf\": ["
				"{\"field\": \"s\", \"regex\": \"^(ab|cd)+[0-9]{2,4}$\"},"
				"{\"field\": \"t\", \"notRegex\": \"x.*y\"}]}"), &env);
		if (rc)
			fail_msg("round %d: %s", round, d.n ? d.items[0].msg : "?");
		bl_diags_free(&d);
		bl_arena_free(&ta);
		bl_arena_free(&a);
		if (round == 300)
			before = vm_kib();
	}
	long grown = vm_kib() - before;
	/* Under AddressSanitizer freed memory is held in quarantine, so the
	 * size grows anyway; there the rounds check that the code is released
	 * while its arena's memory is still valid. */
#if defined(__SANITIZE_ADDRESS__)
	(void)grown;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	(void)grown;
#else
	if (before && grown > 1024)
		fail_msg("the process grew by %ld KiB over 2,700 compiles", grown);
#endif
#else
	if (before && grown > 1024)
		fail_msg("the process grew by %ld KiB over 2,700 compiles", grown);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shared_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_and_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_pattern_every_time, setup, teardown),
		cmocka_unit_test(jit_code_released),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
