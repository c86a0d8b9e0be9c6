/*
 * framework.h - framework catalogs shipped in content/frameworks/ (compiled
 * into the binary): mcsb-v1, nist-800-53-r5, cis-v8, ...  Each catalog lists
 * control ids with short titles; a catalog may define named selections (the
 * NIST LOW/MODERATE/HIGH baselines) and mappings to other frameworks (MCSB's
 * CIS v8 and NIST ids).
 *
 * Catalogs are parsed once, on first use, into an immutable table held by a
 * struct bl_catalogs the caller owns (no global state).
 */
#ifndef BL_MODEL_FRAMEWORK_H
#define BL_MODEL_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/error.h"

struct bl_fw_entry {
	const char *id;            /* "DP-3", "SC-8(1)", "3.10" (canonical spelling) */
	const char *title;         /* NULL when the source has none */
	const char *group;         /* domain/family, e.g. "Data Protection", "SC" */
};

struct bl_fw_selection {
	const char *name;          /* "low", "moderate", "high" */
	const char **ids;
	size_t n;
};

struct bl_catalog {
	const char *id;            /* "mcsb-v1" */
	const char *title;         /* "Microsoft cloud security benchmark v1" */
	const char *version;
	struct bl_fw_entry *entries;   /* in catalog order */
	size_t n;
	struct bl_fw_selection *selections;
	size_t nselections;
};

struct bl_catalogs {
	struct bl_catalog *items;
	size_t n;
	struct bl_arena arena;
};

/* Load every shipped catalog.  Returns 0, BL_ENOMEM, or BL_EINTERNAL (a
 * shipped catalog does not parse: err says which). */
int bl_catalogs_load(struct bl_catalogs *out, struct bl_error *err);
void bl_catalogs_free(struct bl_catalogs *c);

/* Catalog by framework id (case-insensitive), or NULL. */
const struct bl_catalog *bl_catalog_find(const struct bl_catalogs *c, const char *id);

/* Entry by control id within a catalog (case-insensitive; NIST "sc-8.1"
 * and "SC-8(1)" are the same control), or NULL. */
const struct bl_fw_entry *bl_catalog_entry(const struct bl_catalog *cat, const char *id);

#endif
