/*
 * schema.h - "this object allows these keys, of these types": the small
 * declarative check every model document (baseline, inventory, exceptions)
 * starts with, so unknown keys, wrong types and missing required keys are
 * reported the same way everywhere, each at its own file:line:col.
 *
 * Keys are matched exactly (case-sensitively): a document key that differs
 * from an allowed one only in case is an unknown key, and the message
 * suggests the right spelling.  Typos never silently weaken a document.
 */
#ifndef BL_MODEL_SCHEMA_H
#define BL_MODEL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "util/error.h"

/* Type masks: one bit per enum bl_vtype, plus "integer" (a number whose
 * text is an integer literal). */
#define BL_T_NULL (1u << BL_VNULL)
#define BL_T_BOOL (1u << BL_VBOOL)
#define BL_T_NUM  (1u << BL_VNUM)
#define BL_T_STR  (1u << BL_VSTR)
#define BL_T_ARR  (1u << BL_VARR)
#define BL_T_OBJ  (1u << BL_VOBJ)
#define BL_T_INT  (1u << 6)
#define BL_T_ANY  (BL_T_NULL | BL_T_BOOL | BL_T_NUM | BL_T_STR | BL_T_ARR | BL_T_OBJ)

#define BL_SK_REQUIRED 0x1u

struct bl_schema_key {
	const char *name;
	unsigned types;        /* BL_T_* mask of accepted types */
	unsigned flags;        /* BL_SK_* */
};

struct bl_schema {
	const char *what;      /* names the object in messages: "control", "scope"... */
	const struct bl_schema_key *keys;
	size_t nkeys;
};

/* Does v have one of the types in mask? */
bool bl_schema_type_ok(const struct bl_value *v, unsigned mask);

/* Describe a mask for messages: "a string", "an integer", "a string or a
 * number"...  Static text; unknown combinations give "a value". */
const char *bl_schema_type_desc(unsigned mask);

/* "a string", "an object", "null"... for a node's actual type. */
const char *bl_schema_value_desc(const struct bl_value *v);

/*
 * Check object obj against s and report to d:
 *   - every key not in s->keys: "unknown key \"K\" in WHAT" (plus a
 *     "did you mean" when a known key is close), at the key;
 *   - a known key whose value has a type outside its mask:
 *     "KEY must be TYPE, not TYPE", at the value;
 *   - a required key that is absent: "WHAT is missing required key \"K\"",
 *     at obj.
 * found (s->nkeys entries) receives the member of each key present with an
 * accepted type, NULL otherwise.  obj must be an object (callers check the
 * type first, to word that message themselves).
 * Returns the number of problems reported (0 = clean) or BL_ENOMEM when a
 * diagnostic could not be recorded.
 */
int bl_schema_check(const struct bl_member **found, const struct bl_value *obj,
		    const struct bl_schema *s, struct bl_diags *d);

/* Edit distance ignoring ASCII case, capped at 3 (callers suggest within
 * 1 or 2); strings over 40 bytes count as 3.  For "did you mean" hints. */
/* A user string made safe and short for a message: quotes and backslashes
 * escaped, control characters as '?', cut at 64 bytes (never inside a UTF-8
 * sequence) with "...".  C11 keeps the returned struct alive until the end of
 * the full expression that prints it. */
struct bl_shown {
	char s[112];
};
struct bl_shown bl_schema_show(const char *s, size_t len);

unsigned bl_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

/* Index of key name in s->keys, or -1; for callers reading found[]. */
int bl_schema_index(const struct bl_schema *s, const char *name);

#endif
