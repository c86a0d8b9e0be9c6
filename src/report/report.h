/*
 * report.h - one writer per output format behind one interface.
 *
 * A writer receives results one by one in input order (it is a struct
 * bl_sink for the engine) and writes the whole document at finish, when the
 * run's summary is known.  Writers keep memory bounded: the JSON writer
 * spools results to an unlinked temporary file (formatted on the engine's
 * worker threads when the run has them: bl_report_fmt); the text writer
 * keeps only per-control counts and a few examples.  Nothing is written to `out` before
 * finish, so a run that fails midway prints nothing that looks like a result.
 */
#ifndef BL_REPORT_REPORT_H
#define BL_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/engine.h"
#include "engine/gaps.h"
#include "engine/result.h"
#include "engine/rollup.h"
#include "engine/score.h"
#include "model/baseline.h"
#include "model/exceptions.h"
#include "model/inventory.h"
#include "util/error.h"

/* One earlier (or this) run of the same baseline, for trend charts. */
struct bl_trend_point {
	const char *run_id;
	const char *finished;            /* RFC 3339 */
	double compliance;               /* %, negative when nothing was assessed */
};

struct bl_run_info {
	char id[40];                     /* UUID */
	char started[32], finished[32];  /* RFC 3339, UTC */
	const struct bl_baseline *baseline;
	const char *const *targets;
	size_t ntargets;
	const struct bl_run_stats *stats;
	const struct bl_rollup *rollup;
	const struct bl_scores *scores;          /* NULL: no "scores" section */
	const struct bl_inventory *inventory;    /* NULL: none was given */
	const struct bl_exceptions *exceptions;  /* NULL: none were given */
	int64_t now;                             /* for exception states (seconds, UTC) */
	const struct bl_trend_point *trend;      /* stored runs of this baseline, oldest
						    first, ending with this one; NULL: none */
	size_t ntrend;
};

struct bl_report_opts {
	bool all;      /* list not_applicable results too */
	bool color;    /* ANSI colour (text format, terminals only) */
	bool gate;     /* a guardrail verdict (`baseline gate`): SARIF levels come from the
			  effect (deny -> error, audit -> warning), not the severity */
};

struct bl_report;

/* Format names this build can write, NULL-terminated. */
extern const char *const bl_report_formats[];

/* Start a writer for format ("text", "json").  Returns 0, BL_EINVAL for an
 * unknown format (err says which exist), BL_EIO, BL_ENOMEM. */
int bl_report_open(struct bl_report **out, const char *format,
		   const struct bl_baseline *b, const struct bl_report_opts *opts,
		   struct bl_error *err);

/* Sink callback: ctx is the struct bl_report. Returns 0 or an error code. */
int bl_report_result(void *ctx, const struct bl_result *r);
/* The same for items[0..n) in order (struct bl_sink.results). */
int bl_report_results(void *ctx, const struct bl_result *items, size_t n);

/* Write the whole document to out.  Returns 0, BL_EIO or BL_ENOMEM. */
int bl_report_finish(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		     struct bl_error *err);

void bl_report_free(struct bl_report *r);

/* ---- for writers ------------------------------------------------------ */

struct bl_report_ops {
	const char *name;
	size_t size;   /* bytes of writer state allocated after struct bl_report */
	int (*open)(struct bl_report *r, struct bl_error *err);
	int (*result)(struct bl_report *r, const struct bl_result *res);
	int (*finish)(struct bl_report *r, const struct bl_run_info *run, FILE *out,
		      struct bl_error *err);
	void (*free)(struct bl_report *r);
	/* Optional: results formatted on the engine's worker threads (its ctx
	 * is filled in by bl_report_fmt). */
	const struct bl_sink_fmt *fmt;
	/* Optional: what result does, for items[0..n) in order (NULL: result
	 * one by one). */
	int (*results)(struct bl_report *r, const struct bl_result *items, size_t n);
};

struct bl_report {
	const struct bl_report_ops *ops;
	const struct bl_baseline *baseline;
	struct bl_report_opts opts;
	void *state;   /* ops->size zeroed bytes */
};

extern const struct bl_report_ops bl_report_text;
extern const struct bl_report_ops bl_report_json;
extern const struct bl_report_ops bl_report_sarif;
extern const struct bl_report_ops bl_report_junit;
extern const struct bl_report_ops bl_report_csv;
extern const struct bl_report_ops bl_report_oscal_ar;
extern const struct bl_report_ops bl_report_oscal_poam;
extern const struct bl_report_ops bl_report_html;

/* r's worker-side formatting (struct bl_sink_fmt, ctx = r) in *buf when its
 * writer has one (the JSON report); NULL otherwise.  For struct bl_sink.fmt
 * of the sink that feeds r. */
const struct bl_sink_fmt *bl_report_fmt(struct bl_report *r, struct bl_sink_fmt *buf);

/* Shared by writers: the result as one compact JSON object (FORMATS.md §8). */
int bl_report_result_json(struct bl_buf *out, const struct bl_result *r);

/* State of an exception in a run: "active", "expired"; stale when it took
 * part in no result (stats->per_exception[i] == 0). */
const char *bl_report_exc_state(const struct bl_exception *e, int64_t now);

/* ---- the gap backlog (baseline gaps) ------------------------------------ */

/* Formats of bl_gaps_write, NULL-terminated: text, json, csv. */
extern const char *const bl_gaps_formats[];
/* Writers of the gap backlog ("gaps-text", "gaps-json", "gaps-csv"), for
 * `baseline gaps RUN`; not listed in bl_report_formats. */
extern const struct bl_report_ops bl_report_gaps_text;
extern const struct bl_report_ops bl_report_gaps_json;
extern const struct bl_report_ops bl_report_gaps_csv;

/*
 * Write the ordered backlog g (bl_gaps_finish done) for the run.  csv follows
 * RFC 4180 (CRLF, fields quoted when needed) and neutralises spreadsheet
 * formulas: a cell starting with = + - @ (or tab/CR) is prefixed with '.
 * Returns 0, BL_EINVAL (unknown format), BL_EIO or BL_ENOMEM.
 */
int bl_gaps_write(const struct bl_gaps *g, const struct bl_run_info *run, const char *format,
		  FILE *out, struct bl_error *err);

#endif
