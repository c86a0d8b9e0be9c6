/*
 * tailor.h - pieces of the effective baseline shared by baseline.c (which
 * resolves extends and tailor) and tailor.c (which writes the effective
 * baseline out: as the canonical document that is hashed, and as the
 * `list controls --effective` view).  Internal to src/model/.
 */
#ifndef BL_MODEL_TAILOR_H
#define BL_MODEL_TAILOR_H

#include <stddef.h>

#include "doc/value.h"
#include "util/arena.h"

/* One effective control as the canonical document shows it. */
struct bl_tailored {
	const struct bl_value *node;       /* the control object as written */
	const struct bl_value *severity;   /* overriding values, or NULL */
	const struct bl_value *effect;
	const struct bl_value *scope;
	const struct bl_value *params;     /* per-control parameter values (object) or NULL */
};

/*
 * The effective baseline as one document (docs/baseline-format.md, "The
 * effective baseline and its hash"): doc's baseline, version and title; the
 * parameter definitions defs (an object, or NULL) with each `default`
 * replaced by its tailored value from values (an object, or NULL); the
 * controls ctl[0..n) with their overriding severity/effect/scope in place
 * and, when an override set per-control values, a "parameters" object.
 * Everything is allocated in a; nodes are shared, never copied deeply.
 * Returns 0 or BL_ENOMEM.
 */
int bl_tailor_effective_doc(const struct bl_value **out, struct bl_arena *a,
			    const struct bl_value *doc, const struct bl_value *defs,
			    const struct bl_value *values, const struct bl_tailored *ctl,
			    size_t n);

/* An object holding members[0..n) (shallow copies); NULL on ENOMEM. */
struct bl_value *bl_tailor_object(struct bl_arena *a, const struct bl_member *members, size_t n);

#endif
