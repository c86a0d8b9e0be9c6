/*
 * keep.c - the keep set of a run (see keep.h).
 *
 * Correctness first: anything this file cannot list exactly (a run-time
 * expression, a related-resource control) turns the selective parse off for
 * the whole run, and every key the engine itself reads is listed here next to
 * the code that reads it, whole.
 */
#include "engine/keep.h"

#include <string.h>

#include "adapt/adapt.h"
#include "model/inventory.h"
#include "rule/rule.h"
#include "util/str.h"

/* Members of the resource itself that the engine reads outside conditions:
 * identity (facts/resource.c), fullName from the id (rule/eval.c), and the
 * asset fields FORMATS.md §6 names. */
static const char *const engine_keys[] = {
	"id", "type", "name", "apiVersion", "kind", "location", "tags", "resourceGroup",
	"subscriptionId", "fullName",
};

/* The keys record adapters recognise a document by (src/adapt: terraform.c's
 * format_version, arm_template.c's $schema, k8s_list.c's items, scubagear.c's
 * tenant_id).  A record carrying one is parsed again in full. */
static const char *const adapter_keys[] = {
	"format_version", "$schema", "items", "tenant_id",
};
/* (bl_keep_needs_full asks adapt.c's bl_adapt_anchored, which tests the same
 * four keys.) */

static int add_whole(struct bl_json_keep *k, uint32_t node, const char *key)
{
	uint32_t c;
	if (bl_json_keep_child(k, node, key, strlen(key), &c))
		return BL_ENOMEM;
	bl_json_keep_all(k, c);
	return 0;
}

/* Add c's paths: 0, BL_ENOMEM, or 1 = c needs the whole document. */
static int add_cond(struct bl_json_keep *k, const struct bl_cond *c)
{
	return c ? bl_cond_keep(c, k) : 0;
}

int bl_keep_build(struct bl_json_keep **out, const struct bl_baseline *b,
		  const struct bl_assess_opts *opts)
{
	*out = NULL;
	struct bl_json_keep *k = NULL;
	if (bl_json_keep_new(&k))
		return BL_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < sizeof(engine_keys) / sizeof(engine_keys[0]) && !rc; i++)
		rc = add_whole(k, 0, engine_keys[i]);
	for (size_t i = 0; i < sizeof(adapter_keys) / sizeof(adapter_keys[0]) && !rc; i++)
		rc = add_whole(k, 0, adapter_keys[i]);
	uint32_t meta;
	if (!rc && (rc = bl_json_keep_child(k, 0, "metadata", 8, &meta)) == 0 &&
	    (rc = add_whole(k, meta, "uid")) == 0)
		rc = add_whole(k, meta, "name");
	for (size_t i = 0; i < b->ncontrols && !rc; i++) {
		const struct bl_control *c = &b->controls[i];
		if (c->related) {
			rc = 1;  /* compares this document with others (engine/related.c) */
			break;
		}
		if ((rc = add_cond(k, c->applies)) == 0)
			rc = add_cond(k, c->cond);
	}
	const struct bl_inventory *inv = opts ? opts->inventory : NULL;
	for (size_t i = 0; inv && i < inv->nrules && !rc; i++)
		rc = add_cond(k, inv->rules[i].when);
	if (rc) {
		bl_json_keep_free(k);
		return rc < 0 ? rc : 0;  /* 1: parse in full (*out NULL) */
	}
	*out = k;
	return 0;
}

bool bl_keep_needs_full(const struct bl_value *doc)
{
	/* The adapters' own test, one pass over the keys (adapt.c): this runs
	 * for every record. */
	return bl_adapt_anchored(doc);
}
