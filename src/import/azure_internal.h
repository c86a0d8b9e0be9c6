/*
 * azure_internal.h - what the Azure Policy importer's files share
 * (azure_read.c reads documents, azure_policy.c writes the baseline,
 * azure_cond.c translates conditions and derives applicability,
 * azure_report.c prints the report).  Not a public API.
 */
#ifndef BL_IMPORT_AZURE_INTERNAL_H
#define BL_IMPORT_AZURE_INTERNAL_H

#include "import/azure_policy.h"

struct bl_az_def {
	const struct bl_value *doc;    /* the definition object as read */
	const struct bl_value *props;  /* its "properties" (or the object itself) */
	const char *name;              /* "name" (a GUID for built-ins), or "" */
	const char *id;                /* "id" (full resource id), or "" */
	const char *file;
	bool set;                      /* a policy set definition */
};

/* One parameter of a definition as the baseline will see it. */
struct bl_az_pbind {
	const char *defname;           /* name in the definition */
	const char *bname;             /* name in the baseline */
	const struct bl_value *decl;   /* declaration giving type and allowedValues */
	const struct bl_value *value;  /* default to emit, or NULL (none) */
	bool used;                     /* referenced by an emitted condition */
};

struct bl_az_tctx {
	struct bl_az_import *imp;
	const char *control;           /* for notes */
	const char *file;
	struct bl_az_pbind *binds;
	size_t nbinds;
	bool nomem;                    /* a note could not be recorded */
};

/* Grow an arena array to hold one more element: returns items or a bigger
 * copy (old copies stay in the arena until it is freed: arrays here are
 * small), NULL when out of memory. */
void *bl_az_grow(struct bl_arena *a, void *items, size_t n, size_t *cap, size_t size);

/* String member key of obj copied into a, or "" (absent, not a string, or
 * out of memory). */
const char *bl_az_strz(struct bl_arena *a, const struct bl_value *obj, const char *key);

/* Record a note (copied into imp's arena).  Returns 0 or BL_ENOMEM. */
int bl_az_note(struct bl_az_import *imp, enum bl_az_note_kind kind, const char *control,
	       const char *file, const struct bl_value *at, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * Append cond (an Azure condition) as JSON in our condition language:
 * aliases in `field` keys and in field()/current() calls become paths,
 * parameters('x') names become the baseline's names; everything else is
 * copied as written.  Returns 0 or the buffer's error.
 */
int bl_az_write_cond(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *cond);

/*
 * Applicability (Azure's documented logic).  whole: the entire condition
 * counts (auditIfNotExists/deployIfNotExists, Kubernetes); else only type,
 * name and kind conditions count, with the special cases of
 * docs/azure-policy.md.  Returns 1 with the condition appended to out, 0
 * when every resource is applicable (nothing written), 2 when none is;
 * negative on the buffer's error.  *pin is set to the `field: type` leaf
 * (equals a literal or in a literal list) that every applicable resource
 * must satisfy, or NULL; *pin_only when that leaf is the whole condition.
 */
int bl_az_write_applicability(struct bl_az_tctx *t, struct bl_buf *out,
			      const struct bl_value *cond, bool whole,
			      const struct bl_value **pin, bool *pin_only);

/* The operand of a pin leaf as a list of type names (strings). */
const struct bl_value *bl_az_pin_operand(const struct bl_value *leaf);

#endif
