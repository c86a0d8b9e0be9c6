/*
 * exceptions.h - exception documents (FORMATS.md §5): documented, approved,
 * expiring deviations from a baseline.
 *
 * An exception covers the results of the controls its `control` names (an id
 * or a glob, case-sensitive like control ids) on the assets its `assets`
 * globs name (over asset ids, case-insensitive like Azure ids).  Only a
 * `fail` is ever exempted: a pass needs no exception and an `error` (the
 * asset could not be read) is never hidden behind one.
 *
 * Time is whole UTC days: `expires: 2027-03-31` applies through that day and
 * no longer from 2027-04-01T00:00:00Z.  "now" is always passed in (seconds
 * since the epoch), so expiry is testable at the boundary.
 */
#ifndef BL_MODEL_EXCEPTIONS_H
#define BL_MODEL_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

enum bl_exc_category {
	BL_EXC_WAIVER = 0,
	BL_EXC_MITIGATED,
	BL_EXC_RISK_ACCEPTED,
};

const char *bl_exc_category_name(enum bl_exc_category c);

struct bl_exception {
	const char *id;
	const char *control;           /* control id or glob */
	const char **assets;           /* asset id globs (at least one) */
	size_t nassets;
	enum bl_exc_category category;
	const char *justification, *approved_by;
	const char *ticket;            /* NULL when absent */
	char created[11];              /* "YYYY-MM-DD" or "" when absent */
	char expires[11];              /* "YYYY-MM-DD" */
	int64_t expires_day;           /* days since 1970-01-01 of `expires` */
	uint32_t line, col;
	size_t index;                  /* position in the document */
};

struct bl_exceptions {
	struct bl_exception *items;
	size_t n;
	const char *file;
	struct bl_arena arena;
};

#define BL_EXC_MAX_DAYS_DEFAULT 365
#define BL_EXC_WARN_DAYS 30

struct bl_exc_opts {
	int64_t now;                   /* seconds since the epoch (UTC) */
	int max_days;                  /* `expires` at most this many days after today; 0 = 365 */
};

/*
 * Build from a parsed document; every problem goes to diags with its
 * file:line:col: unknown keys, missing justification/approved_by/expires,
 * bad dates, an expiry more than max_days ahead, created after expires,
 * duplicate ids, bad categories, empty globs.  Returns 0 (*out set; free with
 * bl_exceptions_free), BL_EINVAL or BL_ENOMEM.
 */
int bl_exceptions_from_doc(struct bl_exceptions **out, const struct bl_value *doc,
			   const struct bl_exc_opts *opts, struct bl_diags *diags);

/* Load and validate a file.  Returns 0, BL_EINVAL, BL_EIO, BL_ELIMIT or BL_ENOMEM. */
int bl_exceptions_load(struct bl_exceptions **out, const char *path,
		       const struct bl_exc_opts *opts, struct bl_diags *diags);

void bl_exceptions_free(struct bl_exceptions *x);

/* Does e cover (control, asset)? */
bool bl_exception_matches(const struct bl_exception *e, const char *control, const char *asset);

/* Is e in force at now (through the whole UTC day of `expires`)? */
bool bl_exception_active(const struct bl_exception *e, int64_t now);

/* Whole days from now's UTC day to the expiry day (0 = expires today,
 * negative = expired). */
int64_t bl_exception_days_left(const struct bl_exception *e, int64_t now);

/*
 * The exception that decides a result of (control, asset): the first active
 * one in document order, else the first expired one; NULL when none matches.
 */
const struct bl_exception *bl_exceptions_find(const struct bl_exceptions *x, const char *control,
					      const char *asset, int64_t now);

/* Parse "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01.
 * Returns false when s is not such a date. */
bool bl_date_parse(const char *s, size_t len, int64_t *days);

/* Days since 1970-01-01 of the UTC day that holds t (seconds since the epoch). */
int64_t bl_day_of(int64_t t);

/* "YYYY-MM-DD" for a day number, in out. */
void bl_date_format(int64_t days, char out[11]);

#endif
