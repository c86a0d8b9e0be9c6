/*
 * framework.h - framework catalogs shipped in content/frameworks/ (compiled
 * into the binary): mcsb-v1, nist-800-53-r5, cis-v8, ...  Each catalog lists
 * control ids with short titles; a catalog may define named selections (the
 * NIST LOW/MODERATE/HIGH baselines) and mappings to other frameworks (MCSB's
 * CIS v8 and NIST ids).
 *
 * Catalogs are loaded once, on first use, into an immutable table held by a
 * struct bl_catalogs the caller owns (no global state).
 */
#ifndef BL_MODEL_FRAMEWORK_H
#define BL_MODEL_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/error.h"

/* Ids another framework's publisher maps an entry to (MCSB -> CIS v8 and
 * NIST).  framework is a hint name, not necessarily a catalog id: MCSB's NIST
 * ids are Rev. 4 ids, kept as "nist-800-53". */
struct bl_fw_hint {
	const char *framework;
	const char **ids;
	size_t n;
};

struct bl_fw_entry {
	const char *id;            /* "DP-3", "SC-8(1)", "3.10" (canonical spelling) */
	const char *title;         /* NULL when the source has none */
	const char *group;         /* domain/family, e.g. "Data Protection", "SC" */
	const struct bl_fw_hint *maps;  /* publisher's mappings, in source order */
	size_t nmaps;
};

/* A control family of an id scheme "FAMILY-N" / "FAMILY-N(M)" (NIST). */
struct bl_fw_family {
	const char *id;            /* "AC" */
	const char *title;         /* "Access Control" */
	unsigned last;             /* highest base-control number, e.g. 25 for AC-25 */
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
	struct bl_fw_family *families;  /* empty unless the catalog has families */
	size_t nfamilies;
	const char *file;               /* "frameworks/NAME.yaml" */
	const uint32_t *index;          /* open-addressing hash of entries by folded id:
					   entry index + 1, 0 = empty (bl_catalog_entry) */
	size_t indexcap;                /* a power of two, > 2 x n */
	const uint32_t *order;          /* entry indexes by id in natural order
					   (bl_natural_cmp; equal ids in catalog order) */
};

struct bl_catalogs {
	struct bl_catalog *items;
	size_t n;
	struct bl_arena arena;
};

/* Load every shipped catalog (checked when the binary was built, see
 * scripts/embed.c).  Returns 0 or BL_ENOMEM (err says so). */
int bl_catalogs_load(struct bl_catalogs *out, struct bl_error *err);
void bl_catalogs_free(struct bl_catalogs *c);

/* Catalog by framework id (case-insensitive), or NULL. */
const struct bl_catalog *bl_catalog_find(const struct bl_catalogs *c, const char *id);

/* Entry by control id within a catalog (case-insensitive; NIST "sc-8.1"
 * and "SC-8(1)" are the same control), or NULL.  Only ids the catalog lists:
 * see bl_catalog_accepts for ids of known families outside the data. */
const struct bl_fw_entry *bl_catalog_entry(const struct bl_catalog *cat, const char *id);

/*
 * Is id a control of this framework?  True for every id bl_catalog_entry
 * finds.  For a catalog with families (NIST SP 800-53), also true for an id
 * FAMILY-N or FAMILY-N(M) (any case, "fam-n.m" too) of a listed family with
 * 1 <= N <= the family's last number and 1 <= M <= BL_FW_MAX_ENHANCEMENT, no
 * leading zeros: the shipped data holds only the controls of the LOW,
 * MODERATE and HIGH baselines, and rejecting real controls such as PM-9 or
 * AC-2(7) would push authors to drop true mappings (docs/frameworks.md).
 * Infallible.
 */
#define BL_FW_MAX_ENHANCEMENT 99u
bool bl_catalog_accepts(const struct bl_catalog *cat, const char *id);

/* The selection called name (case-insensitive: "low", "MODERATE"), or NULL. */
const struct bl_fw_selection *bl_catalog_selection(const struct bl_catalog *cat, const char *name);

/* Family by id ("ac" or "AC"), or NULL (always NULL without families). */
const struct bl_fw_family *bl_catalog_family(const struct bl_catalog *cat, const char *id);

/*
 * Canonical spelling of a control id into out (NUL-terminated): ASCII
 * letters upper-cased, and the OSCAL enhancement form "xx-N.M" written
 * "XX-N(M)" ("ac-2.1" -> "AC-2(1)"); other ids ("3.10", "DP-3") only change
 * case.  Returns the length, or 0 when id is empty or does not fit in size.
 */
size_t bl_fw_canonical_id(char *out, size_t size, const char *id);

/* Is id[0..len) non-empty and its own canonical spelling (what
 * bl_fw_canonical_id gives back unchanged)?  Without writing it out: most
 * ids of the shipped catalogs are, and loading them checks every one. */
bool bl_fw_is_canonical(const char *id, size_t len);

#endif
