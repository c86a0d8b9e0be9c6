/*
 * diff.h - what a baseline change does: the effective controls added,
 * removed and changed between two baselines, and which changes weaken the
 * baseline (`baseline diff`, docs/change-control.md).
 */
#ifndef BL_MODEL_DIFF_H
#define BL_MODEL_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "model/baseline.h"
#include "util/arena.h"
#include "util/str.h"

enum bl_diff_kind {
	BL_DIFF_ADDED = 0,
	BL_DIFF_REMOVED,
	BL_DIFF_CHANGED,
};

/* What changed in a control (bits of bl_diff_change.fields). */
#define BL_DF_SEVERITY  0x01u
#define BL_DF_EFFECT    0x02u
#define BL_DF_SCOPE     0x04u
#define BL_DF_CONDITION 0x08u   /* expect/violation or applies */
#define BL_DF_TITLE     0x10u
#define BL_DF_MAPS      0x20u

/* Why a change weakens the baseline (bits of bl_diff_change.weakening). */
#define BL_DW_REMOVED   0x01u   /* control removed */
#define BL_DW_SEVERITY  0x02u   /* severity lowered */
#define BL_DW_EFFECT    0x04u   /* deny -> audit, or anything -> disabled */
#define BL_DW_TYPES     0x08u   /* scope.types selects fewer types */
#define BL_DW_TIERS     0x10u   /* scope.tiers selects fewer tiers */
#define BL_DW_ENVS      0x20u   /* scope.environments selects fewer environments */

struct bl_diff_change {
	enum bl_diff_kind kind;
	const char *id;
	const struct bl_control *old, *new_;   /* NULL for added / removed */
	unsigned fields;                        /* BL_DF_* (changed only) */
	unsigned weakening;                     /* BL_DW_* */
};

struct bl_diff {
	const struct bl_baseline *old, *new_;
	struct bl_diff_change *items;           /* removed and changed in OLD's order,
						   then added in NEW's order */
	size_t n;
	int version_cmp;                        /* bl_semver_cmp(new, old) */
	size_t nweakening;                      /* changes with weakening != 0 */
	struct bl_arena arena;
};

/* Compare the effective baselines old and new (matched by control id,
 * ignoring case).  Returns 0 or BL_ENOMEM; free with bl_diff_free. */
int bl_diff_compute(struct bl_diff *out, const struct bl_baseline *old,
		    const struct bl_baseline *new_);
void bl_diff_free(struct bl_diff *d);

/* Is the change a weakening that must be warned about: it weakens and NEW's
 * version is not greater than OLD's? */
bool bl_diff_warn(const struct bl_diff *d, const struct bl_diff_change *c);

/*
 * Write the diff as text (one block per control; condition changes as a
 * line diff of the normalized condition; then one "warning: weakening ..."
 * line per warned change) or as JSON.  Returns 0 or the buffer's error.
 */
int bl_diff_write_text(struct bl_buf *out, const struct bl_diff *d);
int bl_diff_write_json(struct bl_buf *out, const struct bl_diff *d);

/* Append the "warning: weakening ..." lines alone (for stderr). */
int bl_diff_write_warnings(struct bl_buf *out, const struct bl_diff *d);

#endif
