/*
 * baseline.h - baseline documents (FORMATS.md §1): validated, with every
 * condition compiled, ready for the engine.
 *
 * Loading validates the whole document and reports every problem (not just
 * the first) as file:line:col diagnostics: unknown keys, wrong types,
 * missing required keys, a control with both or neither of expect/violation,
 * bad severities/effects/categories, duplicate control ids, bad ids, bad
 * versions, unknown parameter references, and every condition error.
 * `extends`/`tailor` arrive with the governance issue and are rejected with a
 * clear message until then.
 */
#ifndef BL_MODEL_BASELINE_H
#define BL_MODEL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "rule/rule.h"
#include "util/arena.h"
#include "util/error.h"

enum bl_severity {
	BL_SEV_INFO = 0,
	BL_SEV_LOW,
	BL_SEV_MEDIUM,
	BL_SEV_HIGH,
	BL_SEV_CRITICAL,
};

enum bl_effect {
	BL_EFFECT_AUDIT = 0,
	BL_EFFECT_DENY,
	BL_EFFECT_DISABLED,
};

const char *bl_severity_name(enum bl_severity s);
/* Parse a severity name (case-insensitive); -1 when unknown. */
int bl_severity_parse(const char *s, size_t len);
const char *bl_effect_name(enum bl_effect e);

struct bl_mapping {
	const char *framework;        /* e.g. "mcsb-v1" */
	const char **ids;             /* e.g. {"DP-3"} */
	size_t nids;
};

struct bl_control {
	const char *id, *title, *category, *rationale, *remediation;  /* NULL when absent */
	enum bl_severity severity;
	enum bl_effect effect;
	struct bl_mapping *maps;
	size_t nmaps;
	const char **types;           /* scope.types as written (globs allowed) */
	size_t ntypes;
	int *tiers;                   /* scope.tiers */
	size_t ntiers;
	const char **environments;    /* scope.environments */
	size_t nenvironments;
	const struct bl_cond *applies;   /* NULL when absent */
	const struct bl_cond *cond;      /* the expect or violation condition */
	bool violation;                  /* cond describes the non-compliant state */
	const char *cond_text;           /* human description of cond */
	const char **references;
	size_t nreferences;
	const char *file;
	uint32_t line, col;
	size_t index;                    /* position in the baseline */
};

struct bl_baseline {
	const char *id, *version, *title;
	const char *file;                /* where it was loaded from ("builtin:NAME" for content) */
	char sha256[65];                 /* hex sha256 of the canonical JSON of the document */
	struct bl_control *controls;     /* every control, disabled ones included */
	size_t ncontrols;
	const struct bl_value *parameters;  /* the `parameters` object or NULL */
	const struct bl_value *doc;      /* the document as read */
	struct bl_arena arena;           /* owns everything above */
};

/*
 * Build a baseline from a parsed document.  Every problem goes to diags.
 * Returns 0 (*out set; free with bl_baseline_free), BL_EINVAL (diags has at
 * least one entry; *out NULL) or BL_ENOMEM.  Takes ownership of nothing: doc
 * must outlive the baseline unless it lives in the baseline's own arena
 * (bl_baseline_load arranges that).
 */
int bl_baseline_from_doc(struct bl_baseline **out, const struct bl_value *doc,
			 struct bl_diags *diags);

/*
 * Load a baseline from a file path or "builtin:NAME" (content compiled into
 * the binary).  Read/parse errors and validation problems all go to diags
 * (file:line:col).  Returns 0, BL_EINVAL, BL_EIO or BL_ENOMEM.
 */
int bl_baseline_load(struct bl_baseline **out, const char *path, struct bl_diags *diags);

void bl_baseline_free(struct bl_baseline *b);

/* Find a control by id (exact); NULL if none. */
const struct bl_control *bl_baseline_control(const struct bl_baseline *b, const char *id);

#endif
