/*
 * baseline.h - baseline documents (FORMATS.md §1): validated, with every
 * condition compiled, ready for the engine.
 *
 * Loading validates the whole document and reports every problem (not just
 * the first) as file:line:col diagnostics: unknown keys, wrong types,
 * missing required keys, a control with both or neither of expect/violation,
 * bad severities/effects/categories, duplicate control ids, bad ids, bad
 * versions, unknown parameter references, unknown framework or framework
 * control ids in `maps` (checked against the shipped catalogs), and every
 * condition error.
 *
 * `extends` and `tailor` are resolved here (the work is in tailor.c): the
 * result is the *effective* baseline, the inherited controls (minus
 * tailor.exclude, with tailor.override applied, compiled with the tailored
 * parameter values) followed by the document's own controls.  Each control
 * records where it came from and which overrides changed it.  sha256 is over
 * the canonical JSON of the effective baseline (docs/baseline-format.md).
 */
#ifndef BL_MODEL_BASELINE_H
#define BL_MODEL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "model/framework.h"
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
int bl_effect_parse(const char *s, size_t len);   /* index of an effect name, or -1 */
const char *bl_effect_name(enum bl_effect e);

struct bl_mapping {
	const char *framework;        /* e.g. "mcsb-v1" */
	const char **ids;             /* e.g. {"DP-3"} */
	size_t nids;
};

/* One tailor.override entry that changed a control (in application order:
 * the nearest ancestor first, the loaded document last; the last one wins). */
struct bl_override_note {
	const char *baseline;         /* id of the baseline whose tailor.override applied */
	const char *file;             /* its document */
	uint32_t line, col;           /* position of the override's key */
	const char *what;             /* e.g. "severity=critical effect=deny" */
};

/*
 * `related:` (docs/azure-policy-evaluation.md): an auditIfNotExists-style
 * existence check used instead of expect/violation.  name and
 * resource_group are constants or expressions (evaluated against the
 * resource being assessed); existence is evaluated against each candidate.
 */
struct bl_expr;
enum bl_existence_scope {
	BL_EXIST_RESOURCE_GROUP = 0,
	BL_EXIST_SUBSCRIPTION,
};
struct bl_related {
	const char *type;                    /* related resource type (required) */
	const char *name;                    /* constant name, or NULL */
	const struct bl_expr *name_expr;     /* name given as an expression, or NULL */
	const char *resource_group;          /* constant resourceGroupName, or NULL */
	const struct bl_expr *rg_expr;       /* resourceGroupName expression, or NULL */
	enum bl_existence_scope scope;
	const struct bl_cond *existence;     /* existenceCondition, or NULL (any candidate) */
	const char *existence_text;          /* its description, or NULL */
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
	const char *cond_text;           /* description of a related or not_applicable
					    control; others: bl_control_cond_text */
	const char **references;
	size_t nreferences;
	const char *file;                /* document that defined the control */
	uint32_t line, col;              /* position of the control there */
	size_t index;                    /* position in the (effective) baseline */
	const char *origin;              /* id of the baseline that defined it */
	bool inherited;                  /* defined by an ancestor (via extends) */
	const struct bl_override_note *overrides;  /* tailor.override entries applied */
	size_t noverrides;
	const struct bl_value *param_values;  /* per-control parameter values from
						 overrides (object) or NULL */
	const struct bl_related *related;     /* `related:` given (cond is then NULL) */
	const char *na_reason;                /* `not_applicable: REASON` (cond and
						 related NULL: never evaluated) */
};

struct bl_baseline {
	const char *id, *version, *title;
	const char *file;                /* where it was loaded from ("builtin:NAME" for content) */
	char sha256[65];                 /* hex sha256 of the canonical JSON of the effective
					    baseline (the document itself without extends) */
	struct bl_control *controls;     /* every control, disabled ones included */
	size_t ncontrols;
	const struct bl_value *parameters;  /* the `parameters` object or NULL; with
					       extends: every definition in the chain */
	const struct bl_value *param_values;  /* effective values set by tailor.parameters
						 (object) or NULL */
	const struct bl_value *doc;      /* the document as read */
	const struct bl_value *effective;   /* the effective baseline as a document (what is
					       hashed); == doc when there is no extends */
	const char **sources;            /* every document read: this one first, then the
					    chain ("builtin:NAME" or the path as resolved) */
	size_t nsources;
	const struct bl_member *const *unset;  /* parameter definitions that got no value
						  (no default, tailored or assigned value) */
	size_t nunset;
	bool has_related;                /* some enabled control uses `related:` */
	const struct bl_catalogs *catalogs;  /* the shipped framework catalogs, when a
						control maps to a framework (loaded to
						check the mapped ids; reuse them), else NULL */
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

/*
 * As bl_baseline_load, with assigned parameter values (--parameters): values
 * is an object name -> value (nodes keep their file:line:col) or NULL.  Each
 * value is checked against its definition (type, allowedValues); a name that
 * no definition has is an error at the value's position.  Assigned values
 * win over defaults and tailor.parameters, and are part of the effective
 * baseline (hence of sha256).  values must outlive the call only.
 */
int bl_baseline_load_ex(struct bl_baseline **out, const char *path,
			const struct bl_value *values, struct bl_diags *diags);

/*
 * As bl_baseline_from_doc with values, but the baseline takes ownership of
 * *arena (which holds doc): on return, success or not, *arena is empty and
 * must not be used except to be freed again (a no-op).
 */
int bl_baseline_from_doc_owned(struct bl_baseline **out, const struct bl_value *doc,
			       struct bl_arena *arena, const struct bl_value *values,
			       struct bl_diags *diags);

/*
 * A parameter with no default and no value is allowed in a document (lint)
 * but not in a run: add one diagnostic per such parameter (at its
 * definition) naming it.  Returns 0 when every parameter has a value,
 * BL_EINVAL otherwise, BL_ENOMEM.
 */
int bl_baseline_require_values(const struct bl_baseline *b, struct bl_diags *diags);

void bl_baseline_free(struct bl_baseline *b);

/* The condition as people read it (`diff`, `publish`): expect/violation
 * described into a, or the related / not_applicable text.  NULL when the
 * control has none, or on ENOMEM. */
const char *bl_control_cond_text(const struct bl_control *c, struct bl_arena *a);

/* Find a control by id (exact); NULL if none. */
const struct bl_control *bl_baseline_control(const struct bl_baseline *b, const char *id);

/*
 * Append the effective controls for `baseline list controls --effective`:
 * text (one line per control: id, severity, effect, origin file:line and
 * baseline id, then one indented line per applied override) or JSON (an
 * array of objects with "origin" and "overrides").  Returns 0 or the
 * buffer's error (BL_ENOMEM / BL_ELIMIT).
 */
int bl_baseline_write_effective(struct bl_buf *out, const struct bl_baseline *b, bool json);

/*
 * Semantic-version order (semver.org §11: numeric core, a pre-release sorts
 * before its release, build metadata ignored).  Text that is not a version
 * sorts before every version, so comparisons stay total.  <0, 0, >0.
 */
int bl_semver_cmp(const char *a, const char *b);

#endif
