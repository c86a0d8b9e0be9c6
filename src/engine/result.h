/*
 * result.h - what an evaluation produces: one result per (asset, control).
 */
#ifndef BL_ENGINE_RESULT_H
#define BL_ENGINE_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "model/asset.h"
#include "model/baseline.h"
#include "rule/rule.h"

enum bl_status {
	BL_PASS = 0,
	BL_FAIL,
	BL_ERROR,
	BL_NA,         /* not_applicable */
	BL_EXEMPT,
	BL_NSTATUS
};

const char *bl_status_name(enum bl_status s);

struct bl_result {
	const struct bl_control *control;
	const struct bl_asset *asset;
	enum bl_status status;
	const struct bl_evidence *evidence;  /* fail/error: what decided; else none */
	size_t nevidence;
	const char *message;                 /* never NULL */
};

/* Counts per status. */
struct bl_tally {
	uint64_t n[BL_NSTATUS];
};

/* Compliance % = pass / (pass + fail + error) * 100; negative when the
 * denominator is zero (nothing was assessed: callers print null/"n/a"). */
double bl_tally_compliance(const struct bl_tally *t);

#endif
