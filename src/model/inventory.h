/*
 * inventory.h - inventory documents (FORMATS.md §4): who owns an asset, how
 * critical it is (tier 1 = most critical .. 3), which environment it runs in,
 * its data classification and tags.
 *
 * Precedence, field by field: the first explicit `assets` entry whose id glob
 * matches the asset id (case-insensitive, as Azure ids are) > the first
 * `classify` rule whose `when` holds > `defaults`.  Only one entry and one
 * rule take part (the first match of each); a field the entry does not set
 * falls through to the rule, then to the defaults.  `when` conditions are the
 * condition language evaluated against the asset's own document (a
 * resource's name, tags, type, location, properties...; for the host, its
 * facts).
 *
 * Loading validates the whole document and reports every problem as
 * file:line:col diagnostics, like baselines.
 */
#ifndef BL_MODEL_INVENTORY_H
#define BL_MODEL_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "model/asset.h"
#include "rule/rule.h"
#include "util/arena.h"
#include "util/error.h"

/* Attributes an inventory can give an asset; NULL / 0 = not set here. */
struct bl_inv_attrs {
	int tier;                      /* 1..3, 0 = not set */
	const char *environment;
	const char *owner;
	const char *classification;
	const struct bl_value *tags;   /* an object of strings, or NULL */
};

struct bl_inv_rule {
	const struct bl_cond *when;
	struct bl_inv_attrs set;
	uint32_t line, col;
};

struct bl_inv_entry {
	const char *id;                /* glob over asset ids, case-insensitive */
	struct bl_inv_attrs attrs;
	uint32_t line, col;
};

struct bl_inventory {
	const char *id;
	const char *file;
	struct bl_inv_attrs defaults;
	struct bl_inv_rule *rules;
	size_t nrules;
	struct bl_inv_entry *entries;
	size_t nentries;
	const struct bl_value *doc;
	struct bl_arena arena;         /* owns everything above */
};

/* Where an asset's tier came from (for "N assets had no tier"). */
enum bl_inv_source {
	BL_INV_NONE = 0,               /* nothing set it: unknown */
	BL_INV_DEFAULT,
	BL_INV_RULE,
	BL_INV_ENTRY,
};

/* The outcome of classifying one asset. */
struct bl_inv_result {
	struct bl_inv_attrs attrs;     /* merged; strings owned by the inventory */
	enum bl_inv_source tier_source;
	const struct bl_inv_rule *rule;    /* the rule that matched, or NULL */
	const struct bl_inv_entry *entry;  /* the entry that matched, or NULL */
	bool rule_error;               /* a `when` could not be evaluated (treated as not matching) */
};

/*
 * Build an inventory from a parsed document.  Every problem goes to diags.
 * Returns 0 (*out set; free with bl_inventory_free), BL_EINVAL (diags has at
 * least one entry) or BL_ENOMEM.  doc must outlive the inventory unless it
 * lives in the inventory's own arena (bl_inventory_load arranges that).
 */
int bl_inventory_from_doc(struct bl_inventory **out, const struct bl_value *doc,
			  struct bl_diags *diags);

/* Load and validate a file.  Returns 0, BL_EINVAL, BL_EIO, BL_ELIMIT or BL_ENOMEM;
 * every problem is in diags. */
int bl_inventory_load(struct bl_inventory **out, const char *path, struct bl_diags *diags);

void bl_inventory_free(struct bl_inventory *inv);

/*
 * Classify an asset (its id and, for rules, ev->doc, which the caller has
 * bl_eval_reset to the asset's document).  Infallible: a `when` that cannot
 * be evaluated counts as not matching and sets out->rule_error.
 */
void bl_inventory_classify(const struct bl_inventory *inv, const struct bl_asset *asset,
			   struct bl_eval *ev, struct bl_inv_result *out);

/* Every document path the classify rules read (for lazily resolved host facts). */
void bl_inventory_paths(const struct bl_inventory *inv, bl_cond_path_cb cb, void *ctx);

#endif
