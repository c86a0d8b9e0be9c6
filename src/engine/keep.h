/*
 * keep.h - what a run reads of each resource: the keep set bl_assess hands to
 * the selective JSON parse (doc/json.h), so that members nobody reads are
 * validated but never built.
 */
#ifndef BL_ENGINE_KEEP_H
#define BL_ENGINE_KEEP_H

#include <stdbool.h>

#include "doc/json.h"
#include "engine/engine.h"
#include "model/baseline.h"

/*
 * The union of everything a run of b with opts reads of a resource document:
 * every control's `applies` and condition paths (rule/paths.c), the inventory
 * `classify` rules' paths, and what the engine reads on its own (identity:
 * id, type, name, apiVersion, kind, metadata.uid/.name; fullName's id and
 * name; location, tags, resourceGroup, subscriptionId; the keys record
 * adapters recognise documents by).  *out is NULL when the documents must be
 * parsed in full: a condition with a run-time expression, a `related:`
 * control (which compares documents with each other).  Returns 0 or
 * BL_ENOMEM.  Free with bl_json_keep_free.
 */
int bl_keep_build(struct bl_json_keep **out, const struct bl_baseline *b,
		  const struct bl_assess_opts *opts);

/*
 * Does a selectively parsed record carry a key a record adapter recognises
 * documents by (adapt.h: a Terraform plan, an ARM template, a ScubaGear
 * export, a Kubernetes List)?  Then it is parsed again in full, since the
 * adapter reads members no control names.  When it does not, no adapter
 * recognises the record (bl_adapt_record asks the same question first), and
 * the engine evaluates it as a resource without asking the adapters.
 */
bool bl_keep_needs_full(const struct bl_value *doc);

#endif
