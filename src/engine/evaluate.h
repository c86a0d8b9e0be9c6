/*
 * evaluate.h - one asset against its applicable controls.
 */
#ifndef BL_ENGINE_EVALUATE_H
#define BL_ENGINE_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "model/asset.h"
#include "model/baseline.h"
#include "rule/rule.h"
#include "util/arena.h"

/* A growable list of results (malloc'd array, reused across chunks). */
struct bl_results {
	struct bl_result *items;
	size_t n, cap;
};

void bl_results_free(struct bl_results *r);

/*
 * Evaluate asset against the controls ctrl[0..n) of b, appending one result
 * per control to out, in control order.  Result strings, evidence and the
 * asset copy live in arena (which must also be ev's arena).  Scope tiers and
 * environments, then `applies`, then expect/violation decide the status.
 * Returns 0 or BL_ENOMEM.
 */
int bl_evaluate_asset(const struct bl_baseline *b, const uint32_t *ctrl, size_t n,
		      const struct bl_asset *asset, struct bl_eval *ev,
		      struct bl_arena *arena, struct bl_results *out);

#endif
