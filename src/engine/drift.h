/*
 * drift.h - what changed between two runs (`baseline drift`): results newly
 * failing, fixed, still failing, and assets that appeared or disappeared.
 *
 * "Failing" is fail or error.  A result is matched by (control, asset).
 * Newly failing: failing in B and not failing (or absent) in A (from
 * exempt: its exception no longer applies), except that exempt in A and
 * failing in B with an expired exception is "exception expired".  Fixed: failing in A
 * and pass or not_applicable in B, or no longer evaluated on an asset still
 * there (a failing result whose asset is gone is reported through the
 * removed asset).  Exempted: failing in A, exempt in B.
 */
#ifndef BL_ENGINE_DRIFT_H
#define BL_ENGINE_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/result.h"
#include "util/arena.h"

struct bl_drift_entry {
	const char *control, *asset;
	enum bl_status status;
	bool exc_expired;             /* the result names an exception that has expired */
};

enum bl_drift_kind {
	BL_DRIFT_NEWLY_FAILING = 0,
	BL_DRIFT_FIXED,
	BL_DRIFT_EXEMPTED,        /* failing in A, exempt in B: an exception now covers it */
	BL_DRIFT_STILL_FAILING,
	BL_DRIFT_NEW_ASSET,
	BL_DRIFT_REMOVED_ASSET,
	BL_DRIFT_EXCEPTION_EXPIRED,  /* exempt in A, failing in B because its exception expired */
	BL_DRIFT_NKINDS
};

const char *bl_drift_kind_name(enum bl_drift_kind k);

struct bl_drift_item {
	enum bl_drift_kind kind;
	const char *control;          /* NULL for asset events */
	const char *asset;
	enum bl_status from, to;      /* BL_NSTATUS when absent on that side */
};

struct bl_drift {
	struct bl_drift_item *items;  /* by kind, then control, then asset */
	size_t n;
	size_t count[BL_DRIFT_NKINDS];
	struct bl_arena arena;        /* owns items (not the strings) */
};

/*
 * Compare run A with run B.  a and b are sorted by (control, asset) with
 * strcmp and hold no duplicates; their strings must outlive out.  Returns
 * 0 or BL_ENOMEM (out is then empty); free with bl_drift_free either way.
 */
int bl_drift_compare(struct bl_drift *out, const struct bl_drift_entry *a, size_t na,
		     const struct bl_drift_entry *b, size_t nb);

void bl_drift_free(struct bl_drift *d);

#endif
