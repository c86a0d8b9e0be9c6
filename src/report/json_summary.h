/*
 * json_summary.h - the head of the result document (FORMATS.md §8,
 * "baseline.result/1"): everything the JSON writer (json.c) writes at finish
 * before the spooled results.  Internal to src/report.
 */
#ifndef BL_REPORT_JSON_SUMMARY_H
#define BL_REPORT_JSON_SUMMARY_H

#include "report/report.h"
#include "util/str.h"

/*
 * Append to b the document up to the results: "{", schema, run, summary,
 * frameworks, scores, inventory and exceptions, ending with the newline
 * after the exceptions (the caller goes on with "  \"results\": [").
 * Infallible apart from b's sticky error (b->failed).
 */
void bl_report_json_summary(struct bl_buf *b, const struct bl_run_info *run);

#endif
