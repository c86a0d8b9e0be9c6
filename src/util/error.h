/*
 * error.h - error codes and the caller-owned error/diagnostic structs.
 *
 * Functions return 0 or a negative BL_E* code and, when given a non-NULL
 * struct bl_error, fill it with a message and the document position that
 * caused it.  Deep code never prints.  Linting wants every problem, not the
 * first: struct bl_diags collects many positioned messages.
 */
#ifndef BL_UTIL_ERROR_H
#define BL_UTIL_ERROR_H

#include <stddef.h>
#include <stdint.h>

enum {
	BL_OK = 0,
	BL_EINVAL = -1,    /* invalid document or usage: exit 2 */
	BL_ENOMEM = -2,    /* allocation failed: exit 3 */
	BL_EIO = -3,       /* could not read/write a file: exit 2 */
	BL_ELIMIT = -4,    /* a configured limit was hit (nesting, size): exit 2 */
	BL_EINTERNAL = -5, /* a bug or impossible state: exit 3 */
	BL_EAGAIN = -6,    /* streaming: need more input (never escapes doc/) */
};

struct bl_error {
	int code;
	char file[256];    /* document path or "" */
	uint32_t line;     /* 1-based; 0 = unknown */
	uint32_t col;      /* 1-based; 0 = unknown */
	char msg[512];
};

/* Fill err (if non-NULL) and return code.  Never fails; truncates long text. */
int bl_error_set(struct bl_error *err, int code, const char *file,
		 uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Clear err to BL_OK with empty strings. */
void bl_error_clear(struct bl_error *err);

/* "file:line:col: msg" (parts omitted when unknown) into buf; returns buf. */
const char *bl_error_format(const struct bl_error *err, char *buf, size_t size);

/* Process exit status for an error code (2 for input problems, 3 internal). */
int bl_error_exit_code(int code);

struct bl_diag {
	char *file;        /* owned copy, or NULL */
	uint32_t line, col;
	char *msg;         /* owned */
	size_t seq;        /* insertion order, keeps sorting stable */
};

struct bl_diags {
	struct bl_diag *items;
	size_t n, cap;
	size_t max;        /* stop recording after max (0 = 1000); n still counts */
	size_t dropped;
};

void bl_diags_init(struct bl_diags *d);
/* Append a diagnostic; returns BL_EINVAL (so callers can `return bl_diag_add(...)`)
 * or BL_ENOMEM when even that failed. */
int bl_diag_add(struct bl_diags *d, const char *file, uint32_t line,
		uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Copy a bl_error into the list as one diagnostic. */
int bl_diag_add_error(struct bl_diags *d, const struct bl_error *err);
/* Sort by file, line, column (stable), for deterministic lint output. */
void bl_diags_sort(struct bl_diags *d);
void bl_diags_free(struct bl_diags *d);

#endif
