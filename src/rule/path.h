/*
 * path.h - field paths of the condition language, split once at compile time.
 *
 * Syntax (FORMATS.md §2): keys separated by dots; `[*]` every element; `[3]`
 * an index; `["key with . or /"]` or `['key']` a quoted key (a doubled quote
 * inside escapes itself).  Keys match object keys case-insensitively, an
 * exact-case key winning (bl_value_get).
 */
#ifndef BL_RULE_PATH_H
#define BL_RULE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

enum bl_seg_kind {
	BL_SEG_KEY = 0,
	BL_SEG_INDEX,
	BL_SEG_ALL,        /* [*] */
};

struct bl_seg {
	uint8_t kind;      /* enum bl_seg_kind */
	const char *key;   /* BL_SEG_KEY: the key as written (arena, NUL-terminated) */
	uint32_t klen;
	uint32_t index;    /* BL_SEG_INDEX */
};

/*
 * A leading part of a compiled path (its segments up to one key or index),
 * interned per program: every path of a baseline that starts with the same
 * segments, byte for byte, points at the same node (rule/ops.c,
 * bl_compile_cache_path), so the node names "this value of the document" and
 * an evaluation can remember it once per document (eval.c, struct
 * bl_eval.memo).  Read-only after compile.
 */
struct bl_pfx {
	const struct bl_pfx *parent;   /* one segment shorter; NULL: the document root */
	const struct bl_seg *seg;      /* the last segment (BL_SEG_KEY or BL_SEG_INDEX) */
	uint32_t id;                   /* 1, 2, ... in its program: picks a memo slot */
	uint32_t uses;                 /* how many compiled paths start with it: one
					  use is not worth remembering */
};

struct bl_path {
	const struct bl_seg *segs;
	uint32_t n;
	uint32_t nall;     /* how many BL_SEG_ALL segments */
	const char *text;  /* the path as written (arena, NUL-terminated) */
	/* pfx[i]: the interned prefix segs[0..i], for i < npfx (the segments
	 * before the first [*]); NULL and 0 when the path was not compiled
	 * through a cache (bl_path_compile alone). */
	const struct bl_pfx *const *pfx;
	uint32_t npfx;
};

/* Split text into segments in arena a.  An empty path, an empty key, an
 * unterminated bracket or quote is BL_EINVAL with err->col the 1-based
 * offset within text (the caller adds the node's position). */
int bl_path_compile(struct bl_path *out, const char *text, size_t len,
		    struct bl_arena *a, struct bl_error *err);

/* Resolve a path that has no [*] segment; NULL when any step is missing or
 * has the wrong type.  (With [*] segments: NULL.) */
const struct bl_value *bl_path_get(const struct bl_path *p, const struct bl_value *root);

/* Resolve segs[from..to) starting at root (no [*] allowed in the range). */
const struct bl_value *bl_path_get_range(const struct bl_path *p, uint32_t from, uint32_t to,
					 const struct bl_value *root);

/*
 * Collect every value reached by p (expanding each [*]) into a new synthetic
 * array in arena a: elements whose tail is missing are skipped; a missing or
 * non-array [*] target contributes nothing.  Returns NULL only on ENOMEM.
 */
const struct bl_value *bl_path_collect(const struct bl_path *p, const struct bl_value *root,
				       struct bl_arena *a);

#endif
