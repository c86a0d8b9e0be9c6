/*
 * evaluate.h - one asset against its applicable controls.
 */
#ifndef BL_ENGINE_EVALUATE_H
#define BL_ENGINE_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/result.h"
#include "model/asset.h"
#include "model/baseline.h"
#include "rule/rule.h"
#include "util/arena.h"

/* A growable list of results (malloc'd array, reused across chunks), with
 * the per-asset inventory counts of the assets evaluated into it. */
struct bl_results {
	struct bl_result *items;
	size_t n, cap;
	uint64_t untiered, unknown_tier, rule_errors;
};

void bl_results_free(struct bl_results *r);

/*
 * Evaluate asset against the controls ctrl[0..n) of b, appending one result
 * per control to out, in control order.  Result strings, evidence and the
 * asset copy live in arena (which must also be ev's arena).
 *
 * With opts->inventory, the asset is classified first (its tier,
 * environment and owner are set; out's counters updated).  Scope tiers and
 * environments, then `applies`, then expect/violation decide the status; a
 * `fail` that an active exception of opts->exceptions covers becomes
 * `exempt`.  opts may be NULL.  Returns 0 or BL_ENOMEM.
 */
int bl_evaluate_asset(const struct bl_baseline *b, const uint32_t *ctrl, size_t n,
		      struct bl_asset *asset, const struct bl_assess_opts *opts,
		      struct bl_eval *ev, struct bl_arena *arena, struct bl_results *out);

/* As bl_evaluate_asset, with the related-resource index that `related:`
 * controls look candidates up in (NULL: such controls give `error`). */
struct bl_relidx;
int bl_evaluate_asset_rel(const struct bl_baseline *b, const uint32_t *ctrl, size_t n,
			  struct bl_asset *asset, const struct bl_assess_opts *opts,
			  const struct bl_relidx *rx, struct bl_eval *ev, struct bl_arena *arena,
			  struct bl_results *out);

#endif
