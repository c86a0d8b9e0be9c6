/*
 * load.h - read a whole document file (baseline, inventory, exceptions...)
 * as JSON or YAML, chosen by content: a first non-blank byte of '{' or '['
 * means JSON (our strict reader, with exact positions), anything else YAML.
 * A UTF-8 byte-order mark is skipped.
 */
#ifndef BL_DOC_LOAD_H
#define BL_DOC_LOAD_H

#include <stddef.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

/* Largest document file read by bl_doc_load (bigger is BL_ELIMIT). */
#define BL_DOC_MAX_BYTES ((size_t)256 << 20)

/*
 * Read path fully and parse it into arena a (the file's bytes are kept in the
 * arena, so the tree stays valid as long as the arena).  The file name
 * recorded in nodes is a copy of path held by the arena.  Returns 0,
 * BL_EIO (cannot open/read: err says why), BL_EINVAL, BL_ELIMIT, BL_ENOMEM.
 */
int bl_doc_load(const struct bl_value **out, struct bl_arena *a, const char *path,
		struct bl_error *err);

/* Same for bytes already in memory (builtin content, tests); buf is copied. */
int bl_doc_parse(const struct bl_value **out, struct bl_arena *a, const char *buf,
		 size_t len, const char *file, struct bl_error *err);

#endif
