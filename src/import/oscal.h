/*
 * oscal.h - read an OSCAL catalog or profile (JSON, or YAML) and write a
 * baseline skeleton from it: one baseline control per OSCAL control, mapped
 * to nist-800-53-r5, with no condition yet (docs/frameworks.md, "Import
 * from OSCAL").
 *
 * A catalog gives ids and titles (controls nested in groups and in other
 * controls).  A profile gives only ids (imports[].include-controls[].with-ids,
 * minus exclude-controls); titles are then looked up in our own
 * nist-800-53-r5 catalog.  Profiles that import with include-all cannot be
 * resolved without the catalog they point to and are rejected.
 */
#ifndef BL_IMPORT_OSCAL_H
#define BL_IMPORT_OSCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "doc/value.h"
#include "model/framework.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

struct bl_oscal_control {
	const char *id;      /* canonical NIST spelling: "AC-2", "AC-2(1)" */
	const char *oscal;   /* as the file writes it: "ac-2.1" */
	const char *title;   /* from the catalog, or NULL (profiles) */
};

struct bl_oscal {
	bool profile;                     /* else a catalog */
	const char *title;                /* metadata.title, or NULL */
	struct bl_oscal_control *controls;  /* in document order, no duplicates */
	size_t n;
	struct bl_arena arena;            /* owns everything above */
};

/*
 * Read an OSCAL document already parsed (its nodes carry file:line:col).
 * Returns 0, BL_EINVAL (not OSCAL, wrong shape, bad or duplicate catalog
 * ids, include-all; err has the position of the offending node) or
 * BL_ENOMEM.  Free out with bl_oscal_free either way.  doc must outlive out
 * only during the call: everything kept is copied.
 */
int bl_oscal_read(struct bl_oscal *out, const struct bl_value *doc, struct bl_error *err);

/* bl_doc_load + bl_oscal_read; also BL_EIO/BL_ELIMIT from reading path. */
int bl_oscal_load(struct bl_oscal *out, const char *path, struct bl_error *err);

void bl_oscal_free(struct bl_oscal *o);

/*
 * A baseline id from a file path: the file name without folders and
 * extension, lower-cased, every run of characters outside [a-z0-9.] turned
 * into one '-', trimmed of leading/trailing '-' and '.'; "oscal-import" when
 * nothing is left.  Writes at most size-1 bytes (size >= 16).  Infallible.
 */
void bl_oscal_baseline_id(char *out, size_t size, const char *path);

/*
 * Append the baseline skeleton as YAML to buf: a comment saying that every
 * control still needs an expect (or violation) condition, then baseline id,
 * version 0.1.0, the title, and one control per OSCAL control: id
 * "NIST-" + the OSCAL id upper-cased ("NIST-AC-2", "NIST-AC-2.1"), title (the
 * document's, else catalogs' nist-800-53-r5 entry's, else "NIST SP 800-53
 * AC-2(1)"), severity medium, maps {nist-800-53-r5: [AC-2(1)]}.  source
 * names the input in the comment.  catalogs may be NULL.  Returns 0 or the
 * buffer's error (BL_ENOMEM, BL_ELIMIT).
 */
int bl_oscal_write_baseline(struct bl_buf *buf, const struct bl_oscal *o, const char *baseline_id,
			    const char *source, const struct bl_catalogs *catalogs);

#endif
