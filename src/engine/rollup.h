/*
 * rollup.h - results pivoted onto the frameworks a baseline maps to
 * (FORMATS.md §8 "frameworks").
 *
 * A framework control's status is the worst of the results of the baseline
 * controls mapped to it (error > fail > exempt > pass, not_applicable
 * ignored); not_applicable when there is no other result (including when no
 * asset was assessed against it).  A framework's counts and compliance add
 * up the results of every baseline control mapped to it, each baseline
 * control counted once per framework.
 *
 * With framework catalogs (bl_rollup_build_with), every control of the
 * catalog of a framework the baseline maps to that no enabled baseline
 * control maps to is listed too, with status not_covered and a zero tally:
 * it adds nothing to the framework's counts or compliance, so it is never
 * counted as compliant.  Mapped ids the catalog knows take the catalog's
 * spelling ("sc-8.1" is listed as "SC-8(1)").  Covered and not_covered
 * controls are listed together in natural order of ids (docs/frameworks.md).
 */
#ifndef BL_ENGINE_ROLLUP_H
#define BL_ENGINE_ROLLUP_H

#include <stddef.h>

#include "engine/engine.h"
#include "engine/result.h"
#include "model/baseline.h"
#include "model/framework.h"
#include "util/arena.h"

enum bl_fw_status {
	BL_FW_PASS = 0,
	BL_FW_EXEMPT,
	BL_FW_FAIL,
	BL_FW_ERROR,
	BL_FW_NA,
	BL_FW_NOT_COVERED,
};

const char *bl_fw_status_name(enum bl_fw_status s);

struct bl_fw_control {
	const char *id;
	enum bl_fw_status status;
	struct bl_tally tally;
	const struct bl_control **mapped;   /* baseline controls mapped to it */
	size_t nmapped;
};

struct bl_fw {
	const char *id;
	struct bl_tally tally;
	struct bl_fw_control *controls;     /* natural order of ids */
	size_t ncontrols;
};

struct bl_rollup {
	struct bl_fw *fws;                  /* in order of first appearance in the baseline */
	size_t n;
	struct bl_arena arena;
};

/* Returns 0 or BL_ENOMEM; free with bl_rollup_free either way.
 * catalogs may be NULL (then nothing is not_covered). */
int bl_rollup_build_with(struct bl_rollup *out, const struct bl_baseline *b,
			 const struct bl_run_stats *st, const struct bl_catalogs *catalogs);
/* bl_rollup_build_with without catalogs. */
int bl_rollup_build(struct bl_rollup *out, const struct bl_baseline *b,
		    const struct bl_run_stats *st);
void bl_rollup_free(struct bl_rollup *r);

/* Natural comparison: digit runs compare as numbers ("AC-2" < "AC-10"). */
int bl_natural_cmp(const char *a, const char *b);

#endif
