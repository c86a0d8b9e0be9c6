/*
 * engine.h - assess assets against a compiled baseline.
 *
 * Snapshots are streamed: the main thread reads and splits files into chunks,
 * a pool of worker threads parses and evaluates chunks, and results reach the
 * sink in input order (deterministic output whatever the thread count).
 * Memory is bounded by (threads * 2 + 1) chunks, not by input size.
 *
 * Every resource is fully parsed and validated whether or not a control reads
 * it; the first malformed resource (in input order) stops the run with
 * BL_EINVAL and a file:line:col error, and the sink will have seen only the
 * results before it (callers discard them: nothing that looks like a result
 * is printed for a failed run).
 */
#ifndef BL_ENGINE_ENGINE_H
#define BL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/result.h"
#include "model/baseline.h"
#include "util/error.h"

/* Receives results in input order, always from one thread at a time.  A
 * non-zero return stops the run and is returned by bl_assess. */
struct bl_sink {
	int (*result)(void *ctx, const struct bl_result *r);
	void *ctx;
};

/* Optional progress callback (called from the thread that calls bl_assess). */
struct bl_progress {
	void (*update)(void *ctx, uint64_t assets, uint64_t bytes, bool done);
	void *ctx;
};

struct bl_assess_opts {
	unsigned threads;          /* 0 = number of online CPUs */
	size_t chunk_bytes;        /* 0 = 1 MiB */
	const struct bl_progress *progress;
};

struct bl_run_stats {
	uint64_t assets;           /* resources read */
	uint64_t bytes;            /* input bytes read */
	uint64_t controls;         /* enabled controls */
	struct bl_tally total;
	struct bl_tally *per_control;  /* [baseline->ncontrols], by control index (malloc'd) */
};

/* Zero the counts and size per_control for b.  Returns 0 or BL_ENOMEM. */
int bl_run_stats_init(struct bl_run_stats *s, const struct bl_baseline *b);
void bl_run_stats_free(struct bl_run_stats *s);

/*
 * Assess every resource in paths (files or folders, "-" = stdin) against b.
 * Counts are added to stats, prepared by bl_run_stats_init (so a run can
 * combine the host and snapshots).  Returns 0, or BL_EINVAL/BL_ELIMIT/BL_EIO
 * (input problems, err names the file:line:col), BL_ENOMEM, or the sink's code.
 */
int bl_assess(const struct bl_baseline *b, const char *const *paths, size_t npaths,
	      const struct bl_assess_opts *opts, const struct bl_sink *sink,
	      struct bl_run_stats *stats, struct bl_error *err);

#endif
