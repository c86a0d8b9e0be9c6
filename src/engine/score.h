/*
 * score.h - compliance scores of a run beyond the summary: per tier, per
 * environment, per owner, and a severity-weighted score (the per-framework
 * and per-framework-control scores are the roll-up's, engine/rollup.h).
 *
 * Every score is pass / (pass + fail + error); exempt results are counted
 * and shown beside it, never in it.  The weighted score gives each result
 * the weight of its control's severity (bl_severity_weights): critical 10,
 * high 5, medium 3, low 1, info 0, so one critical failure outweighs a
 * handful of low ones and informational controls never move the score.
 *
 * Scores are accumulated as a struct bl_sink, one result at a time, on the
 * one thread that receives results (no locking).
 */
#ifndef BL_ENGINE_SCORE_H
#define BL_ENGINE_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "util/arena.h"

/* Weight per enum bl_severity (info, low, medium, high, critical). */
extern const unsigned bl_severity_weights[5];

struct bl_score_group {
	const char *key;          /* NULL = unknown (no inventory value) */
	struct bl_tally t;
};

struct bl_score_groups {
	struct bl_score_group *items;   /* sorted by key (unknown last) after finish */
	size_t n, cap;
	uint32_t *slots;                /* open addressing: index + 1, 0 = empty */
	size_t nslots;
	size_t last;                    /* index + 1 of the group last counted, 0 = none */
};

struct bl_scores {
	struct bl_tally total;
	struct bl_tally tiers[4];       /* [0] = unknown tier, [1..3] */
	struct bl_score_groups envs, owners;
	uint64_t weighted[BL_NSTATUS];  /* sum of severity weights per status */
	struct bl_arena arena;          /* group keys */
	/* The groups of the last result's asset (results arrive asset by
	 * asset): the next result of that asset, known by its serial
	 * (model/asset.h), needs no key comparison.  0: none. */
	uint64_t last_serial;
	uint32_t last_env, last_owner;  /* 1-based indexes into envs, owners */
};

void bl_scores_init(struct bl_scores *s);
/* Count one result.  Returns 0 or BL_ENOMEM. */
int bl_scores_add(struct bl_scores *s, const struct bl_result *r);
/* bl_scores_add as a sink callback (ctx: the struct bl_scores). */
int bl_scores_sink(void *ctx, const struct bl_result *r);
/* The same for items[0..n) (struct bl_sink.results). */
int bl_scores_sink_n(void *ctx, const struct bl_result *items, size_t n);
/* Sort the groups for output.  Infallible. */
void bl_scores_finish(struct bl_scores *s);
/* Weighted compliance in percent; negative when nothing weighted was assessed. */
double bl_scores_weighted(const struct bl_scores *s);
void bl_scores_free(struct bl_scores *s);

#endif
