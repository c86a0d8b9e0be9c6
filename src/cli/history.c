/*
 * history.c - the compliance history of a baseline in the run store, for
 * the trend chart of the HTML report (assess and report both draw it).
 */
#include <string.h>

#include "cli/cli.h"

int bl_cli_trend_points(struct bl_store *st, const char *baseline_id, const char *upto_id,
			struct bl_arena *a, const struct bl_trend_point **out, size_t *n,
			struct bl_error *err)
{
	*out = NULL;
	*n = 0;
	struct bl_stored_run *runs = NULL;
	size_t nruns = 0;
	int rc = bl_store_runs(st, a, &runs, &nruns, err);
	if (rc)
		return rc;
	struct bl_trend_point *pts = bl_arena_calloc(a, nruns + 1, sizeof(*pts));
	if (!pts)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < nruns; i++) {
		const struct bl_stored_run *r = &runs[i];
		if (!r->baseline_id || strcmp(r->baseline_id, baseline_id) != 0)
			continue;
		pts[k].run_id = r->id;
		pts[k].finished = r->finished;
		pts[k].compliance = bl_tally_compliance(&r->total);
		k++;
		if (upto_id && strcmp(r->id, upto_id) == 0)
			break;
	}
	*out = pts;
	*n = k;
	return 0;
}
