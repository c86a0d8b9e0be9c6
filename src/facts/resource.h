/*
 * resource.h - identity of a snapshot resource (FORMATS.md §6).
 *
 * id: `id`, else `metadata.uid`, else `type/name`, else "FILE#N" (the
 * resource's 1-based position in its file); type: `type`, else
 * `apiVersion/kind` (Kubernetes: "apps/v1/Deployment", "v1/Pod"), else "";
 * name: `name`, else `metadata.name`.
 */
#ifndef BL_FACTS_RESOURCE_H
#define BL_FACTS_RESOURCE_H

#include <stdint.h>

#include "doc/value.h"
#include "model/asset.h"
#include "util/arena.h"
#include "util/error.h"

/*
 * Fill *out from res (read at file:line:col, record number index 0-based).
 * Strings are NUL-terminated copies in arena a.  A resource that is not an
 * object, or whose identity fields have the wrong type (an `id`, `type`,
 * `name`, `kind`, `apiVersion`, `metadata.name` or `metadata.uid` that is
 * neither a string nor null) is BL_EINVAL with err naming the position.
 * Empty strings and nulls count as absent.
 */
int bl_resource_identify(struct bl_asset *out, const struct bl_value *res,
			 const char *file, uint64_t index, struct bl_arena *a,
			 struct bl_error *err);

#endif
