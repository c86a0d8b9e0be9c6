/* Shared by engine unit tests: build a baseline from YAML text. */
#ifndef BL_ENGINETEST_H
#define BL_ENGINETEST_H

#include "testutil.h"
#include "model/baseline.h"

struct et {
	struct bl_baseline *b;
	struct bl_arena a;      /* holds the document the baseline points into */
};

static inline void et_load(struct et *t, const char *yaml)
{
	bl_arena_init(&t->a, 0);
	const struct bl_value *doc = tu_doc(&t->a, yaml, "test.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	int rc = bl_baseline_from_doc(&t->b, doc, &d);
	if (rc) {
		for (size_t i = 0; i < d.n; i++)
			print_error("%u:%u: %s\n", d.items[i].line, d.items[i].col, d.items[i].msg);
		fail_msg("baseline did not load");
	}
	bl_diags_free(&d);
}

static inline void et_free(struct et *t)
{
	bl_baseline_free(t->b);
	bl_arena_free(&t->a);
}

#endif
