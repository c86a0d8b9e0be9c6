/*
 * gaps.c - the gap backlog (see gaps.h): per-control failing assets, owners
 * and most critical tier, then one sort.
 */
#include "engine/gaps.h"

#include <stdlib.h>
#include <string.h>

int bl_gaps_init(struct bl_gaps *g, const struct bl_baseline *b)
{
	memset(g, 0, sizeof(*g));
	bl_arena_init(&g->arena, 0);
	g->baseline = b;
	g->per_control = calloc(b->ncontrols + 1, sizeof(*g->per_control));
	if (!g->per_control)
		return BL_ENOMEM;
	for (size_t i = 0; i < b->ncontrols; i++)
		g->per_control[i].control = &b->controls[i];
	return 0;
}

void bl_gaps_free(struct bl_gaps *g)
{
	free(g->per_control);
	free(g->order);
	bl_arena_free(&g->arena);
	memset(g, 0, sizeof(*g));
}

/* Tier rank: 1 < 2 < 3 < unknown. */
static int tier_rank(int t)
{
	return t >= 1 && t <= 3 ? t : 4;
}

int bl_gaps_add(struct bl_gaps *g, const struct bl_result *r)
{
	if (r->status != BL_FAIL)
		return 0;
	struct bl_gap *gp = &g->per_control[r->control->index];
	const struct bl_asset *a = r->asset;
	if (gp->failing == 0 || tier_rank(a->tier) < tier_rank(gp->top_tier))
		gp->top_tier = a->tier >= 1 && a->tier <= 3 ? a->tier : 0;
	gp->failing++;
	if (r->exc_state == BL_EXC_EXPIRED)
		gp->expired++;
	if (gp->nassets < BL_GAP_ASSETS) {
		const char *id = bl_arena_strndup(&g->arena, a->id, strlen(a->id));
		if (!id)
			return BL_ENOMEM;
		gp->assets[gp->nassets++] = id;
	}
	if (!a->owner) {
		gp->unowned = true;
		return 0;
	}
	for (size_t i = 0; i < gp->nowners; i++)
		if (strcmp(gp->owners[i], a->owner) == 0)
			return 0;
	if (gp->nowners == BL_GAP_OWNERS) {
		gp->more_owners = true;
		return 0;
	}
	const char *o = bl_arena_strndup(&g->arena, a->owner, strlen(a->owner));
	if (!o)
		return BL_ENOMEM;
	gp->owners[gp->nowners++] = o;
	return 0;
}

int bl_gaps_sink(void *ctx, const struct bl_result *r)
{
	return bl_gaps_add(ctx, r);
}

int bl_gap_cmp(const struct bl_gap *a, const struct bl_gap *b)
{
	if (a->control->severity != b->control->severity)
		return a->control->severity > b->control->severity ? -1 : 1;
	int ta = tier_rank(a->top_tier), tb = tier_rank(b->top_tier);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (a->failing != b->failing)
		return a->failing > b->failing ? -1 : 1;
	return a->control->index < b->control->index ? -1 : a->control->index > b->control->index;
}

static int gap_qcmp(const void *pa, const void *pb)
{
	return bl_gap_cmp(*(struct bl_gap *const *)pa, *(struct bl_gap *const *)pb);
}

int bl_gaps_finish(struct bl_gaps *g)
{
	size_t nc = g->baseline->ncontrols;
	free(g->order);
	g->n = 0;
	g->order = calloc(nc + 1, sizeof(*g->order));
	if (!g->order)
		return BL_ENOMEM;
	for (size_t i = 0; i < nc; i++)
		if (g->per_control[i].failing)
			g->order[g->n++] = &g->per_control[i];
	if (g->n)
		qsort(g->order, g->n, sizeof(*g->order), gap_qcmp);
	return 0;
}
