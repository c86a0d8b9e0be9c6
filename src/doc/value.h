/*
 * value.h - the one value tree every document and resource becomes.
 *
 * JSON and YAML readers produce it; rules read it; the JSON writer prints it.
 * Every node is allocated from an arena (struct bl_arena) and is immutable
 * once built.  Strings and number texts point into the source buffer when
 * they need no unescaping, so the source buffer must outlive the tree (the
 * readers' headers say so).  Strings are NOT NUL-terminated: use len.
 *
 * Objects keep insertion order and allow keys that differ only in case
 * (Azure documents have them); lookups are case-insensitive with an
 * exact-case match preferred, as Azure Policy does.
 */
#ifndef BL_DOC_VALUE_H
#define BL_DOC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/str.h"

enum bl_vtype {
	BL_VNULL = 0,
	BL_VBOOL,
	BL_VNUM,
	BL_VSTR,
	BL_VARR,
	BL_VOBJ,
	/* Host facts only: a value a probe could not produce.  u.str holds the
	 * reason.  Rules never compare them: a path that reaches one makes the
	 * leaf unknown, so the result is `error` or `not_applicable`, never a pass. */
	BL_VERR,   /* the source could not be read (EACCES, EIO, oversize...) */
	BL_VNA,    /* not available here (a live-only fact under --root) */
};

/* Number flags. */
#define BL_VF_INT 0x01u   /* text is an integer literal: -?[0-9]+ */

struct bl_member;

struct bl_value {
	uint8_t type;         /* enum bl_vtype */
	uint8_t flags;        /* BL_VF_* */
	bool b;               /* BL_VBOOL */
	uint32_t line, col;   /* 1-based position of the node's first byte; 0 = synthetic */
	const char *file;     /* document name for messages, or NULL */
	union {
		struct {
			const char *text;  /* original literal, e.g. "1.50e3" */
			uint32_t len;
			double d;          /* its value (finite) */
		} num;
		struct {
			const char *s;     /* UTF-8 bytes (YAML/JSON input is validated) */
			uint32_t len;
		} str;
		struct {
			struct bl_value *items;
			uint32_t n;
		} arr;
		struct {
			struct bl_member *items;
			uint32_t n;
		} obj;
	} u;
};

struct bl_member {
	const char *key;
	uint32_t klen;
	uint32_t line, col;   /* position of the key */
	struct bl_value val;
};

/* Object lookup: exact-case match wins, else the first case-insensitive
 * match; NULL when absent or when obj is not an object. */
const struct bl_value *bl_value_get(const struct bl_value *obj, const char *key, size_t klen);
/* Same, with a NUL-terminated key. */
const struct bl_value *bl_value_getz(const struct bl_value *obj, const char *key);
/* Member (for key positions), same matching rules. */
const struct bl_member *bl_value_member(const struct bl_value *obj, const char *key, size_t klen);

/*
 * bl_value_member's rule (exact case wins, else the first case-insensitive
 * match) for the hot lookups of rule evaluation, inlined, in two passes: the
 * exact pass compares lengths and first bytes as integers and is all that
 * most lookups need; case folding runs only when no member matches exactly,
 * and only on members whose first byte folds alike.  obj must be a
 * BL_VOBJ.
 */
static inline const struct bl_member *bl_obj_member(const struct bl_value *obj, const char *key,
						    size_t klen)
{
	const struct bl_member *m = obj->u.obj.items;
	uint32_t n = obj->u.obj.n;
	if (klen == 0) {
		for (uint32_t i = 0; i < n; i++)
			if (m[i].klen == 0)
				return &m[i];
		return NULL;
	}
	char k0 = key[0];
	for (uint32_t i = 0; i < n; i++)
		if (m[i].klen == klen && m[i].key[0] == k0 && bl_mem_eq(m[i].key, key, klen))
			return &m[i];
	unsigned char f0 = bl_lower((unsigned char)k0);
	for (uint32_t i = 0; i < n; i++)
		if (m[i].klen == klen && bl_lower((unsigned char)m[i].key[0]) == f0 &&
		    bl_str_ieq(m[i].key, klen, key, klen))
			return &m[i];
	return NULL;
}

/* Convenience: string member as (s, len), or NULL if absent/not a string. */
const char *bl_value_strz(const struct bl_value *obj, const char *key, size_t *len);

/* Builders for synthetic values (expression results etc.); line/col/file 0.
 * They return NULL only when the arena is out of memory. */
struct bl_value *bl_value_new(struct bl_arena *a, enum bl_vtype t);
struct bl_value *bl_value_new_str(struct bl_arena *a, const char *s, size_t len); /* copies */
struct bl_value *bl_value_new_num(struct bl_arena *a, double d);                  /* text made with %.17g, shortest */
struct bl_value *bl_value_new_bool(struct bl_arena *a, bool b);

/* Shortest text that reads back as d (integers without exponent up to 1e15),
 * NUL-terminated in out; returns its length.  d must be finite. */
size_t bl_number_text(double d, char out[40]);

/* An error or not-available value with reason why (copied); NULL on ENOMEM. */
struct bl_value *bl_value_new_special(struct bl_arena *a, enum bl_vtype t, const char *why);

/* Is v an error or not-available fact (BL_VERR / BL_VNA)? */
static inline bool bl_value_special(const struct bl_value *v)
{
	return v && (v->type == BL_VERR || v->type == BL_VNA);
}

/* Name of a type for messages: "null", "boolean", "number", "string", "array", "object". */
const char *bl_vtype_name(enum bl_vtype t);

/*
 * Text form used by Azure's string comparisons: a string is itself, a number
 * its original literal, booleans "true"/"false", null "" and arrays/objects
 * their compact JSON.  Appends to out; returns 0 or the buffer's error.
 */
int bl_value_to_text(const struct bl_value *v, struct bl_buf *out);

#endif
