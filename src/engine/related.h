/*
 * related.h - `related:` controls (auditIfNotExists-style existence checks,
 * docs/azure-policy-evaluation.md): an index of the snapshot resources whose
 * type some control looks for, and the evaluation of one such control for
 * one asset.
 *
 * The index is built by a first pass over the snapshot paths before the
 * streaming pass starts, holds only resources of the related types (each
 * parsed once into the index's arena), and is read-only afterwards, so every
 * worker thread may look things up in it without locking.
 */
#ifndef BL_ENGINE_RELATED_H
#define BL_ENGINE_RELATED_H

#include <stddef.h>

#include "engine/result.h"
#include "model/asset.h"
#include "model/baseline.h"
#include "rule/rule.h"
#include "util/arena.h"
#include "util/error.h"

struct bl_relidx;

/*
 * An empty index for the related types of b's enabled controls.  Returns 0
 * or BL_ENOMEM.
 */
int bl_relidx_new(struct bl_relidx **out, const struct bl_baseline *b);

/*
 * Does a run of b need the index?  Yes for `related:` controls, and when a
 * control calls subscription() or resourceGroup(): what they return beyond
 * the id (tags, displayName...) comes from the snapshot's subscription and
 * resource-group resources, which the index then also holds.
 */
bool bl_relidx_wanted(const struct bl_baseline *b);

/* Let ev's subscription()/resourceGroup() find resources of x by id (x may
 * be NULL: they then return what the resource id alone says). */
void bl_relidx_attach(const struct bl_relidx *x, struct bl_eval *ev);

/*
 * Add the resources of paths (files or folders as bl_assess reads them; "-"
 * reads stdin_fd, which must be seekable: see bl_relidx_spool) that have one
 * of the index's types.  Input that cannot be read or parsed is skipped
 * here: the evaluation pass reads the same bytes and reports it in order.
 * Returns 0 or BL_ENOMEM (err set).
 */
int bl_relidx_scan(struct bl_relidx *x, const char *const *paths, size_t npaths,
		   int stdin_fd, struct bl_error *err);

/*
 * Add one resource document (copied into the index) if its type is one the
 * index wants.  Returns 0 or BL_ENOMEM.  Call bl_relidx_seal after the last
 * addition and before the first lookup.
 */
int bl_relidx_add(struct bl_relidx *x, const struct bl_value *res);

/* Sort for lookups; afterwards the index is read-only.  Returns 0 or BL_ENOMEM. */
int bl_relidx_seal(struct bl_relidx *x);

/* Resources held and bytes of arena used (for docs and the memory test). */
size_t bl_relidx_count(const struct bl_relidx *x);
size_t bl_relidx_bytes(const struct bl_relidx *x);

void bl_relidx_free(struct bl_relidx *x);

/*
 * Copy stdin (fd 0) into an unlinked temporary file in $TMPDIR (else /tmp)
 * and return its descriptor positioned at 0, so it can be read twice.
 * Returns 0, or BL_EIO (err set).
 */
int bl_relidx_spool(int *fd_out, struct bl_error *err);

/*
 * Decide the status of related control c for asset (x may be NULL: no
 * snapshot was indexed, which is an error result).  ev must have been reset
 * for asset->doc; it is left pointing at asset->doc.  Sets res->status,
 * message and evidence (in arena).  Returns 0 or BL_ENOMEM.
 */
int bl_related_eval(struct bl_result *res, const struct bl_control *c,
		    const struct bl_asset *asset, const struct bl_relidx *x,
		    struct bl_eval *ev, struct bl_arena *arena);

#endif
