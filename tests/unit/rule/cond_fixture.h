/*
 * cond_fixture.h - the fixture the condition tests share (test_eval.c,
 * test_eval_memo.c, test_paths.c): a compile arena, an evaluation arena,
 * diagnostics, a rule environment and an evaluator, set up per test.
 */
#ifndef BL_TEST_COND_FIXTURE_H
#define BL_TEST_COND_FIXTURE_H

#include <stdlib.h>

#include "testutil.h"
#include "rule/rule.h"

struct fx {
	struct bl_arena a, ea;
	struct bl_diags d;
	struct bl_rule_env env;
	struct bl_eval e;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	bl_arena_init(&f->a, 0);
	bl_arena_init(&f->ea, 0);
	bl_diags_init(&f->d);
	f->env.arena = &f->a;
	f->env.diags = &f->d;
	bl_eval_init(&f->e);
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

static const struct bl_cond *compile_ok(struct fx *f, const char *json)
{
	const struct bl_cond *c = NULL;
	int rc = bl_cond_compile(&c, tu_json(&f->a, json), &f->env);
	if (rc != 0)
		fail_msg("compile %s: %s", json, f->d.n ? f->d.items[0].msg : "?");
	return c;
}

#endif
