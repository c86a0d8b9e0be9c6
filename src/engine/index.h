/*
 * index.h - which controls apply to an asset type, without scanning every
 * control per asset.
 *
 * Built once per baseline: controls are split into those without
 * scope.types (every type), those with exact types (hashed, lower-case) and
 * those with glob types.  The merged, baseline-ordered list for a given type
 * is computed on first sight and cached per thread (struct bl_index_cache),
 * so the steady state is one hash lookup per asset and no locking.  The
 * cache is keyed by the type's exact bytes (spellings that differ in case
 * share one list), so a hit compares bytes without folding them.
 */
#ifndef BL_ENGINE_INDEX_H
#define BL_ENGINE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "model/baseline.h"
#include "util/arena.h"

struct bl_index;
struct bl_index_cache;

/* Returns 0 or BL_ENOMEM.  Disabled controls are left out. */
int bl_index_build(struct bl_index **out, const struct bl_baseline *b);
void bl_index_free(struct bl_index *ix);

int bl_index_cache_new(struct bl_index_cache **out);
void bl_index_cache_free(struct bl_index_cache *c);

/*
 * Indices (into b->controls, ascending) of the enabled controls whose
 * scope.types match type (case-insensitive; globs allowed).  *out is valid
 * until the cache is freed.  Returns 0 or BL_ENOMEM.
 */
int bl_index_lookup(const struct bl_index *ix, struct bl_index_cache *c,
		    const char *type, size_t len, const uint32_t **out, size_t *n);

#endif
