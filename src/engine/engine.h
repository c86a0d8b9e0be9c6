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
#include "model/exceptions.h"
#include "model/inventory.h"
#include "util/error.h"

/* Bytes a sink had made from a chunk of results (struct bl_sink_fmt). */
struct bl_bytes {
	char *p;            /* malloc'ed; kept and reused by its owner */
	size_t len, cap;
	size_t n;           /* they stand for the chunk's first n results */
};

/*
 * Work a sink can have done on the worker threads, so that serialising
 * results does not all fall on the one thread that emits them: `format`
 * turns the first out->n results of one chunk into bytes (on a worker, with
 * the state worker_new made for that worker; out->p may be grown with
 * realloc; a sink bounds what it keeps per chunk by stopping early), and
 * `emit` receives those bytes on the emitting thread, in input order, just
 * before the chunk's results go to the sink's `result` one by one (the
 * first b->n of them already serialised).  Used only when the run has
 * worker threads; results evaluated elsewhere (the host, YAML documents,
 * folder adapters) go to `result` alone.  The JSON report uses it.
 */
struct bl_sink_fmt {
	void *(*worker_new)(void *ctx);              /* NULL: out of memory */
	void (*worker_free)(void *w);
	int (*format)(void *w, const struct bl_result *items, size_t n, struct bl_bytes *out);
	int (*emit)(void *ctx, const struct bl_bytes *b);
	void *ctx;
};

/* Receives results in input order, always from one thread at a time.  A
 * non-zero return stops the run and is returned by bl_assess.  fmt is
 * optional (NULL: none).  results is optional too: when set, the engine
 * hands it a chunk's results at once (items[0..n), in input order) in place
 * of one result call each, which saves a call or two per result on a run
 * with many; it must do what result would do with each in turn.  result
 * is still needed: results evaluated elsewhere (the host, YAML documents,
 * folder adapters) come to it one by one. */
struct bl_sink {
	int (*result)(void *ctx, const struct bl_result *r);
	void *ctx;
	const struct bl_sink_fmt *fmt;
	int (*results)(void *ctx, const struct bl_result *items, size_t n);
};

/* One sink feeding several (the report, scores, gaps...), in order; the
 * first non-zero return stops.  ctx of bl_tee_result is a struct bl_tee. */
struct bl_tee {
	const struct bl_sink *sinks;
	size_t n;
};
int bl_tee_result(void *ctx, const struct bl_result *r);
/* The same for a batch: each sink gets all of items[0..n) (through its
 * results, else its result one by one) before the next sink gets any, so
 * when one fails the later ones have seen none of the batch (callers discard
 * a failed run's results).  The engine uses it for a sink whose result is
 * bl_tee_result. */
int bl_tee_results(void *ctx, const struct bl_result *items, size_t n);

/* Optional progress callback (called from the thread that calls bl_assess). */
struct bl_progress {
	void (*update)(void *ctx, uint64_t assets, uint64_t bytes, bool done);
	void *ctx;
};

struct bl_assess_opts {
	unsigned threads;          /* 0 = number of online CPUs */
	size_t chunk_bytes;        /* 0 = 1 MiB */
	const struct bl_progress *progress;
	const struct bl_inventory *inventory;    /* NULL: tier/environment/owner unknown */
	const struct bl_exceptions *exceptions;  /* NULL: nothing is exempt */
	int64_t now;                             /* for exception expiry (seconds, UTC) */
};

struct bl_run_stats {
	uint64_t assets;           /* resources read */
	uint64_t bytes;            /* input bytes read */
	uint64_t controls;         /* enabled controls */
	struct bl_tally total;
	struct bl_tally *per_control;  /* [baseline->ncontrols], by control index (malloc'd) */
	uint64_t untiered;             /* assets no inventory entry or rule gave a tier
					  (they got the default tier, or none) */
	uint64_t unknown_tier;         /* assets left with no tier at all */
	uint64_t rule_errors;          /* assets where a classify rule could not be evaluated */
	uint64_t *per_exception;       /* [nexceptions]: results each exception took part in */
	size_t nexceptions;
};

/* Zero the counts and size per_control for b.  Returns 0 or BL_ENOMEM. */
int bl_run_stats_init(struct bl_run_stats *s, const struct bl_baseline *b);
/* Also count per exception of x (call after init).  Returns 0 or BL_ENOMEM. */
int bl_run_stats_track_exceptions(struct bl_run_stats *s, const struct bl_exceptions *x);
/* Count one result (the engine calls it; exposed for tests and other runners). */
void bl_run_stats_add(struct bl_run_stats *s, const struct bl_result *r);
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
