/*
 * adapt.h - snapshot shapes that are not a plain list of resources.
 *
 * FORMATS.md §6 accepts documents that *contain* resources rather than being
 * one: a Terraform plan, an ARM template, a ScubaGear provider export, and
 * folders of Power Platform admin API exports that only make sense joined
 * (tenant, environments, DLP policies).  Adapters turn those into ordinary
 * resource documents, so the engine, the rules and the reports never learn
 * about them.
 *
 * Two hooks, both called by engine/assess.c:
 *   - record level: every parsed top-level record (JSON or YAML document) is
 *     offered to the record adapters first; one that recognises it returns
 *     the resources it holds (in document order).  Unrecognised records are
 *     resources themselves.
 *   - folder level: before a folder's files are assessed one by one, the
 *     folder adapters may claim some of them (by content) and return the
 *     resources joined from all the claimed files.
 * Resources an adapter builds must carry `id`, `type` and `name` members so
 * identity is what FORMATS.md §6 says, and keep the line/col of the node they
 * came from so SARIF and error messages point into the original file.
 */
#ifndef BL_ADAPT_ADAPT_H
#define BL_ADAPT_ADAPT_H

#include <stdbool.h>
#include <stddef.h>

#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

/* Resources produced by an adapter (array in the arena). */
struct bl_adapted {
	const struct bl_value **items;
	size_t n, cap;
	struct bl_arena *arena;   /* where items and built values live */
};

/* Append v to out.  Returns 0 or BL_ENOMEM. */
int bl_adapted_add(struct bl_adapted *out, const struct bl_value *v);

/* One record adapter: 0 = not mine, 1 = mine (out filled, possibly with
 * nothing), negative = the document is mine but malformed (err set, with
 * file:line:col). */
typedef int (*bl_record_adapter)(const struct bl_value *doc, const char *file,
				 struct bl_adapted *out, struct bl_error *err);

/*
 * Could a record adapter recognise doc?  True when doc is an object with a
 * key (ignoring ASCII case) that one of them needs before it looks further:
 * format_version, $schema, tenant_id or items.  False says no adapter
 * wants doc; true says one may (bl_adapt_record decides).  Runs for every
 * record, so it is one pass over the keys.
 */
bool bl_adapt_anchored(const struct bl_value *doc);

/*
 * Offer doc to every record adapter in turn (adapt.c's table).  Returns 0
 * when none recognises it (the caller treats doc as one resource), 1 when
 * one did (out holds the resources), or a negative error code.
 */
int bl_adapt_record(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		    struct bl_error *err);

/*
 * Folder adapters: files[0..n) are the regular files directly in one folder
 * (sorted).  An adapter that recognises some of them reads them, sets
 * claimed[i] for each, and adds the joined resources to out.  Returns 0
 * (possibly nothing claimed) or a negative error code (err names the file).
 */
typedef int (*bl_folder_adapter)(const char *const *files, size_t n, bool *claimed,
				 struct bl_adapted *out, struct bl_error *err);

int bl_adapt_folder(const char *const *files, size_t n, bool *claimed, struct bl_adapted *out,
		    struct bl_error *err);

#endif
