/*
 * score.c - per-tier, per-environment, per-owner and severity-weighted
 * scores (see score.h and docs/results.md "scores").
 */
#include "engine/score.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"

const unsigned bl_severity_weights[5] = {
	[BL_SEV_INFO] = 0, [BL_SEV_LOW] = 1, [BL_SEV_MEDIUM] = 3, [BL_SEV_HIGH] = 5,
	[BL_SEV_CRITICAL] = 10,
};

void bl_scores_init(struct bl_scores *s)
{
	memset(s, 0, sizeof(*s));
	bl_arena_init(&s->arena, 0);
}

static void groups_free(struct bl_score_groups *g)
{
	free(g->items);
	free(g->slots);
	memset(g, 0, sizeof(*g));
}

void bl_scores_free(struct bl_scores *s)
{
	groups_free(&s->envs);
	groups_free(&s->owners);
	bl_arena_free(&s->arena);
}

static bool key_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static size_t slot_of(const char *key, size_t nslots)
{
	uint64_t h = key ? bl_hash(key, strlen(key), false) : 0x9e3779b97f4a7c15u;
	return (size_t)(h & (nslots - 1));
}

static int grow_slots(struct bl_score_groups *g)
{
	size_t ns = g->nslots ? g->nslots * 2 : 64;
	uint32_t *slots = calloc(ns, sizeof(*slots));
	if (!slots)
		return BL_ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		size_t k = slot_of(g->items[i].key, ns);
		while (slots[k])
			k = (k + 1) & (ns - 1);
		slots[k] = (uint32_t)(i + 1);
	}
	free(g->slots);
	g->slots = slots;
	g->nslots = ns;
	return 0;
}

/* The group of key (created on first sight); NULL when out of memory. */
static struct bl_score_group *group(struct bl_score_groups *g, struct bl_arena *a, const char *key)
{
	if (g->nslots == 0 || (g->n + 1) * 2 > g->nslots)
		if (grow_slots(g))
			return NULL;
	size_t k = slot_of(key, g->nslots);
	while (g->slots[k]) {
		struct bl_score_group *x = &g->items[g->slots[k] - 1];
		if (key_eq(x->key, key)) {
			g->last = g->slots[k];
			return x;
		}
		k = (k + 1) & (g->nslots - 1);
	}
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 16;
		struct bl_score_group *ni = realloc(g->items, nc * sizeof(*ni));
		if (!ni)
			return NULL;
		g->items = ni;
		g->cap = nc;
	}
	struct bl_score_group *x = &g->items[g->n];
	memset(x, 0, sizeof(*x));
	if (key) {
		x->key = bl_arena_strndup(a, key, strlen(key));
		if (!x->key)
			return NULL;
	}
	g->n++;
	g->slots[k] = (uint32_t)g->n;
	g->last = g->n;
	return x;
}

/*
 * group() through a one-entry cache.  Results arrive asset by asset (every
 * control of one asset, then the next), so the key is most often the
 * previous result's: one string comparison (none for an unknown key) in
 * place of a call, a hash and a probe, for every result of the run.
 */
static inline struct bl_score_group *group_of(struct bl_score_groups *g, struct bl_arena *a,
					      const char *key)
{
	if (g->last) {
		struct bl_score_group *x = &g->items[g->last - 1];
		if (x->key == key || (x->key && key && strcmp(x->key, key) == 0))
			return x;
	}
	return group(g, a, key);
}

/* Results of one asset, counted per status: what a run of them adds. */
struct run_tally {
	uint64_t n[BL_NSTATUS];
	uint64_t weighted[BL_NSTATUS];
};

/* The environment and owner tallies of an asset that is not the last one:
 * out of line, so that the per-asset path below stays small. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int scores_groups(struct bl_scores *s, const struct bl_asset *a, struct bl_tally **et,
			 struct bl_tally **ot)
{
	struct bl_score_group *e = group_of(&s->envs, &s->arena, a->environment);
	struct bl_score_group *o = group_of(&s->owners, &s->arena, a->owner);
	if (!e || !o)
		return BL_ENOMEM;
	s->last_serial = a->serial;
	s->last_env = (uint32_t)(e - s->envs.items) + 1;
	s->last_owner = (uint32_t)(o - s->owners.items) + 1;
	*et = &e->t;
	*ot = &o->t;
	return 0;
}

/* The counts of results of asset a into every score they count in. */
static inline int scores_add_run(struct bl_scores *s, const struct bl_asset *a,
				 const struct run_tally *t)
{
	struct bl_tally *e, *o;
	uint64_t serial = a->serial;
	if (serial && serial == s->last_serial) {
		e = &s->envs.items[s->last_env - 1].t;
		o = &s->owners.items[s->last_owner - 1].t;
	} else if (scores_groups(s, a, &e, &o)) {
		return BL_ENOMEM;
	}
	int tier = a->tier;
	struct bl_tally *tt = &s->tiers[tier >= 1 && tier <= 3 ? tier : 0];
	/* only the statuses the run has (most: pass, fail or both) */
	for (int k = 0; k < BL_NSTATUS; k++) {
		uint64_t n = t->n[k];
		if (!n)
			continue;
		s->total.n[k] += n;
		tt->n[k] += n;
		e->n[k] += n;
		o->n[k] += n;
		s->weighted[k] += t->weighted[k];
	}
	return 0;
}

static inline void tally_one(struct run_tally *t, const struct bl_result *r)
{
	enum bl_status st = r->status;
	unsigned sev = (unsigned)r->control->severity;
	t->n[st]++;
	t->weighted[st] += sev < 5 ? bl_severity_weights[sev] : 0;
}

int bl_scores_add(struct bl_scores *s, const struct bl_result *r)
{
	struct run_tally t = {{0}, {0}};
	tally_one(&t, r);
	return scores_add_run(s, r->asset, &t);
}

int bl_scores_sink(void *ctx, const struct bl_result *r)
{
	return bl_scores_add(ctx, r);
}

/*
 * Results arrive asset by asset (every control of one asset, then the
 * next): a run of results with the same asset is counted per status here
 * and added to the scores once, instead of five counters per result.  The
 * same address within one batch is the same asset: every result of a
 * batch points at a live one.
 */
int bl_scores_sink_n(void *ctx, const struct bl_result *items, size_t n)
{
	struct bl_scores *s = ctx;
	size_t i = 0;
	while (i < n) {
		const struct bl_asset *a = items[i].asset;
		struct run_tally t = {{0}, {0}};
		do
			tally_one(&t, &items[i++]);
		while (i < n && items[i].asset == a);
		int rc = scores_add_run(s, a, &t);
		if (rc)
			return rc;
	}
	return 0;
}

static int group_cmp(const void *pa, const void *pb)
{
	const struct bl_score_group *a = pa, *b = pb;
	if (!a->key || !b->key)
		return (a->key == NULL) - (b->key == NULL);
	return strcmp(a->key, b->key);
}

void bl_scores_finish(struct bl_scores *s)
{
	/* the hash slots point at positions, which sorting moves: drop them */
	struct bl_score_groups *gs[2] = {&s->envs, &s->owners};
	for (int i = 0; i < 2; i++) {
		if (gs[i]->n)
			qsort(gs[i]->items, gs[i]->n, sizeof(*gs[i]->items), group_cmp);
		free(gs[i]->slots);
		gs[i]->slots = NULL;
		gs[i]->nslots = 0;
		gs[i]->last = 0;
	}
	s->last_serial = 0;
}

double bl_scores_weighted(const struct bl_scores *s)
{
	uint64_t d = s->weighted[BL_PASS] + s->weighted[BL_FAIL] + s->weighted[BL_ERROR];
	if (d == 0)
		return -1.0;
	return 100.0 * (double)s->weighted[BL_PASS] / (double)d;
}
