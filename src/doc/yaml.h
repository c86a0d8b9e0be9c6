/*
 * yaml.h - YAML reader (libyaml) producing the same value tree as JSON.
 *
 * Plain scalars follow the YAML 1.2 core schema: null/~/empty -> null,
 * true/false (any case of the three spellings true|True|TRUE) -> bool,
 * decimal integers, 0o/0x integers and floats -> numbers (their source text is
 * kept, so "0640" stays "0640"), .inf/.nan -> strings is NOT done: they are
 * an error because no JSON number can hold them; everything else -> string.
 * Quoted scalars are always strings.  Only standard tags (!!str !!int !!float
 * !!bool !!null !!map !!seq, i.e. tag:yaml.org,2002:*) are accepted.
 * Anchors/aliases are resolved by sharing the anchored subtree; the total
 * number of nodes reachable through aliases is capped (billion laughs).
 * Mapping keys must be scalars and unique (exact match).
 * Line and column numbers are 1-based.
 */
#ifndef BL_DOC_YAML_H
#define BL_DOC_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

struct bl_yaml_opts {
	uint32_t max_depth;        /* 0 = 512 */
	uint64_t max_alias_nodes;  /* 0 = 1,000,000 nodes expanded through aliases */
};

/*
 * Parse a stream that must hold exactly one document (an empty stream is
 * a null document).  Strings are copied into the arena (buf may be freed
 * afterwards).  Returns 0, BL_EINVAL (err has file:line:col), BL_ELIMIT,
 * BL_ENOMEM, or BL_EINTERNAL when libyaml cannot be loaded (it is opened on
 * first use: util/yaml_api.h).
 */
int bl_yaml_parse(const struct bl_value **out, struct bl_arena *a,
		  const char *buf, size_t len, const char *file,
		  const struct bl_yaml_opts *opts, struct bl_error *err);

/*
 * Parse a multi-document stream, calling cb for each document in order
 * (empty documents are skipped).  A non-zero return from cb stops parsing
 * and is returned.  Each document is built in arena a; the callback may
 * reset nothing in a (the caller decides when to reset).
 */
typedef int (*bl_yaml_doc_cb)(void *ctx, const struct bl_value *doc);
int bl_yaml_parse_stream(struct bl_arena *a, const char *buf, size_t len,
			 const char *file, const struct bl_yaml_opts *opts,
			 bl_yaml_doc_cb cb, void *ctx, struct bl_error *err);

#endif
