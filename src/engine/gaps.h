/*
 * gaps.h - the gap backlog: what to fix first, and why.
 *
 * Failing controls (results with status `fail`, including those whose
 * exception expired; exempt and error results are not gaps) grouped per
 * control and ordered by severity (critical first), then the most critical
 * tier among the failing assets (tier 1 first, unknown tier last), then the
 * number of failing assets (more first), then baseline order.  Each gap
 * carries its failing asset count, the first BL_GAP_ASSETS asset ids, the
 * distinct owners of the failing assets (up to BL_GAP_OWNERS), the
 * remediation text and the framework controls it blocks (the control's
 * `maps`: a failing control makes each of them fail in the roll-up).
 *
 * Accumulated as a struct bl_sink on the one thread that receives results.
 */
#ifndef BL_ENGINE_GAPS_H
#define BL_ENGINE_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "model/baseline.h"
#include "util/arena.h"

#define BL_GAP_ASSETS 5
#define BL_GAP_OWNERS 16

struct bl_gap {
	const struct bl_control *control;
	uint64_t failing;                 /* failing results = failing assets */
	uint64_t expired;                 /* of which an exception had expired */
	int top_tier;                     /* most critical tier among them; 0 = unknown */
	const char *assets[BL_GAP_ASSETS];
	size_t nassets;
	const char *owners[BL_GAP_OWNERS];
	size_t nowners;
	bool more_owners;                 /* more distinct owners than listed */
	bool unowned;                     /* some failing asset has no owner */
};

struct bl_gaps {
	const struct bl_baseline *baseline;
	struct bl_gap *per_control;       /* [ncontrols], by control index */
	struct bl_gap **order;            /* after finish: the backlog, n entries */
	size_t n;
	struct bl_arena arena;
};

/* Returns 0 or BL_ENOMEM; free with bl_gaps_free either way. */
int bl_gaps_init(struct bl_gaps *g, const struct bl_baseline *b);
/* Count one result.  Returns 0 or BL_ENOMEM. */
int bl_gaps_add(struct bl_gaps *g, const struct bl_result *r);
/* bl_gaps_add as a sink callback (ctx: the struct bl_gaps). */
int bl_gaps_sink(void *ctx, const struct bl_result *r);
/* Build the ordered backlog in g->order.  Returns 0 or BL_ENOMEM. */
int bl_gaps_finish(struct bl_gaps *g);
void bl_gaps_free(struct bl_gaps *g);

/* The backlog order: negative when a comes first. */
int bl_gap_cmp(const struct bl_gap *a, const struct bl_gap *b);

#endif
