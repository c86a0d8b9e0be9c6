/*
 * aliases.h - Azure Policy field names (aliases such as
 * "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly") to the JSON
 * paths of our condition language ("properties.supportsHttpsTrafficOnly").
 *
 * The table is content/azure/aliases.tsv (built by scripts/gen-aliases.py,
 * format described there), compiled into the binary.  Opening it builds an
 * index of line offsets (one scan, no copies of the text); lookups are two
 * binary searches, ignoring ASCII case as Azure does.
 */
#ifndef BL_IMPORT_ALIASES_H
#define BL_IMPORT_ALIASES_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/str.h"

struct bl_alias_group;

struct bl_alias_table {
	const char *data;                  /* the embedded table */
	size_t len;
	const struct bl_alias_group *groups;  /* sorted type prefixes */
	size_t ngroups;
	size_t nrows;                      /* aliases in the table */
};

/* How a field was translated. */
enum bl_field_kind {
	BL_FIELD_BUILTIN = 0,   /* name, type, kind, location, id, tags..., kept (tags[x] quoted) */
	BL_FIELD_ALIAS,         /* found in the table */
	BL_FIELD_GUESS,         /* unknown: properties.<part after the last '/'> */
	BL_FIELD_PATH,          /* no '/' and not built in: kept as written (a guess too) */
};

/*
 * Index the embedded table into arena a.  Returns 0, BL_ENOMEM, or
 * BL_EINTERNAL when the table is missing from the binary or malformed.
 */
int bl_alias_table_open(struct bl_alias_table *t, struct bl_arena *a);

/*
 * Append the path for field[0..len) to out and say how it was found in
 * *kind.  A '[*]' in an alias stays a '[*]' in the path.  Returns 0 or the
 * buffer's error (BL_ENOMEM / BL_ELIMIT).
 */
int bl_alias_translate(struct bl_buf *out, enum bl_field_kind *kind,
		       const struct bl_alias_table *t, const char *field, size_t len);

/* Is field[0..len) one of Azure's built-in fields (FORMATS.md §2 names)? */
int bl_alias_is_builtin(const char *field, size_t len);

#endif
