/*
 * result.h - what an evaluation produces: one result per (asset, control).
 */
#ifndef BL_ENGINE_RESULT_H
#define BL_ENGINE_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "model/asset.h"
#include "model/baseline.h"
#include "model/exceptions.h"
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

/* The message of a pass: a constant of the program, so that a writer can
 * know it by its address (a message anywhere else lives in an arena that
 * recycles addresses, and only its text tells it). */
extern const char bl_msg_compliant[];

/* How an exception took part in a result (FORMATS.md §8 "exception"). */
enum bl_exc_state {
	BL_EXC_NONE = 0,
	BL_EXC_ACTIVE,      /* status exempt: the failure is covered */
	BL_EXC_EXPIRED,     /* status stays fail: the exception has expired */
	BL_EXC_NOT_APPLIED, /* an error result it names: never exempted, but the
			       exception is not stale either */
};

struct bl_result {
	const struct bl_control *control;
	const struct bl_asset *asset;
	enum bl_status status;
	const struct bl_evidence *evidence;  /* fail/error: what decided; else none */
	size_t nevidence;
	const char *message;                 /* never NULL */
	/* From the inventory (struct bl_asset has no room for them yet). */
	const char *classification;          /* NULL = unknown */
	const struct bl_value *tags;         /* object of strings, or NULL */
	const struct bl_exception *exception;   /* NULL unless exc_state != NONE */
	enum bl_exc_state exc_state;
	/* The message is the standard one of a failure for evidence[0]
	 * (engine/evaluate.c, fail_message), with neither NULL:
	 *     PATH is missing; expected EXPECTED
	 *     PATH is "S"; expected EXPECTED      (S a string that JSON writes
	 *                                          as is, at most 118 bytes)
	 *     PATH is true; expected EXPECTED     (or false)
	 * then " (and N more)" for nevidence = N + 1 > 1.  A writer may make the
	 * text from the evidence it has just written (report/json.c).  False
	 * for any other message; whoever changes the message clears it. */
	bool std_message;
};

/* Counts per status. */
struct bl_tally {
	uint64_t n[BL_NSTATUS];
};

/* Compliance % = pass / (pass + fail + error) * 100; negative when the
 * denominator is zero (nothing was assessed: callers print null/"n/a"). */
double bl_tally_compliance(const struct bl_tally *t);

#endif
