/*
 * azure_policy.h - import Azure Policy definitions and policy set
 * definitions (initiatives) into a native baseline document
 * (docs/azure-policy.md, "Bring your Azure Policy").
 *
 * Files are read whole (JSON, as exported by the portal, `az policy
 * definition show/list` or the Azure/azure-policy repository): a definition,
 * a set definition, an array of them or an ARM list response ({"value":
 * [...]}), with or without the "properties" wrapper.  When any set
 * definition is given, the baseline holds the members of the sets (looked
 * up among the definitions given); otherwise one control per definition.
 *
 * Every decision the import makes that a reader should check (a member whose
 * definition is missing, an alias guessed, a construct that cannot be
 * assessed from a snapshot) is a note in the import report; the import fails
 * only on unreadable or malformed input.
 */
#ifndef BL_IMPORT_AZURE_POLICY_H
#define BL_IMPORT_AZURE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "import/aliases.h"
#include "model/framework.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

enum bl_az_note_kind {
	BL_AZ_EVALUATED = 0,    /* a control that is assessed */
	BL_AZ_NOT_APPLICABLE,   /* a control always not_applicable (manual, provider mode...) */
	BL_AZ_MISSING,          /* an initiative member whose definition was not given */
	BL_AZ_GUESS,            /* an alias not in the table: properties.<rest> */
	BL_AZ_UNSUPPORTED,      /* a construct kept or dropped that needs a reader's eye */
	BL_AZ_INFO,             /* a choice the import made (mapping not in our catalog...) */
};

const char *bl_az_note_kind_name(enum bl_az_note_kind k);

struct bl_az_note {
	enum bl_az_note_kind kind;
	const char *control;    /* control id (or member reference id), or NULL */
	const char *text;       /* what / why */
	const char *file;       /* the definition file, or NULL */
	uint32_t line, col;
};

struct bl_az_def;   /* one definition or set definition (internal) */

struct bl_az_import {
	struct bl_az_def **defs;     /* definitions, in the order read */
	size_t ndefs, capdefs;
	struct bl_az_def **sets;     /* set definitions */
	size_t nsets, capsets;
	struct bl_az_note *notes;    /* in the order made */
	size_t nnotes, capnotes;
	size_t ncontrols;            /* written by bl_az_import_write */
	struct bl_alias_table aliases;
	bool aliases_open;
	struct bl_arena arena;       /* owns everything above and every document read */
};

/* Prepare an empty import.  Infallible. */
void bl_az_import_init(struct bl_az_import *imp);

/*
 * Read path: a file, or a folder whose *.json files (recursively, in name
 * order) are read; in a folder, files that are neither definitions nor set
 * definitions are skipped with an info note, a named file that is neither is
 * BL_EINVAL.  Returns 0, BL_EIO, BL_EINVAL (err has file:line:col),
 * BL_ELIMIT or BL_ENOMEM.
 */
int bl_az_import_add_path(struct bl_az_import *imp, const char *path, struct bl_error *err);

/* Add a document already parsed (tests, fuzzing); file names it in notes. */
int bl_az_import_add_doc(struct bl_az_import *imp, const struct bl_value *doc, const char *file,
			 bool strict, struct bl_error *err);

/*
 * Append the baseline document (YAML) for everything added.  cats (may be
 * NULL) checks mapped MCSB ids.  Returns 0, BL_EINVAL when nothing was
 * added (err says so), BL_ENOMEM/BL_ELIMIT, or BL_EINTERNAL when the alias
 * table is missing from the binary.
 */
int bl_az_import_write(struct bl_az_import *imp, struct bl_buf *out,
		       const struct bl_catalogs *cats, struct bl_error *err);

/*
 * The import report: text (one line per note, then counts) or JSON
 * ({"controls": N, "evaluated": N, "not_applicable": N, "missing": N,
 * "notes": [{"kind", "control", "message", "file", "line"}]}).  Returns 0 or
 * the buffer's error.
 */
int bl_az_import_report(const struct bl_az_import *imp, struct bl_buf *out, bool json);

void bl_az_import_free(struct bl_az_import *imp);

/* Does doc look like an Azure Policy definition, set definition, or a list
 * of them (what `baseline import azure-policy` reads)?  Infallible. */
bool bl_az_detect(const struct bl_value *doc);

/*
 * Import src (read from path) in memory, for a command given a policy file
 * where a baseline is expected (cli/foreign.c): *doc is the baseline
 * document, parsed into arena a and named "PATH (imported from Azure
 * Policy)".  The import report is dropped (`baseline import azure-policy`
 * shows it).  Returns 0, or BL_EINVAL/BL_ENOMEM/BL_EINTERNAL with one
 * diagnostic in diags.
 */
int bl_az_import_doc(const struct bl_value **doc, struct bl_arena *a, const struct bl_value *src,
		     const char *path, struct bl_diags *diags);

/* Append s[0..len) as a JSON (and YAML double-quoted) string. Returns 0 or
 * the buffer's error. */
int bl_az_quote(struct bl_buf *out, const char *s, size_t len);

/* Append s for a YAML comment: control and non-ASCII bytes become '?', so
 * the comment cannot end early.  The buffer's error is sticky. */
void bl_az_comment_text(struct bl_buf *out, const char *s);

#endif
