/*
 * parameters.c - `--parameters FILE`: assignment parameter values for the
 * baseline (docs/azure-policy-evaluation.md, "Parameters").
 *
 * Accepted shapes, as Azure writes them: a bare object
 * {"name": {"value": ...}, ...}, or a deployment parameter file
 * {"$schema": ..., "contentVersion": ..., "parameters": {...}}.  This file
 * only checks the shape; the values are checked against the baseline's
 * definitions (type, allowedValues, unknown names) by bl_baseline_load_ex,
 * with the position of each value in this file.
 */
#include "cli/cli.h"

#include <string.h>

#include "doc/load.h"
#include "model/schema.h"
#include "util/str.h"

static bool key_is(const struct bl_member *m, const char *k)
{
	return m->klen == strlen(k) && memcmp(m->key, k, m->klen) == 0;
}

/* Is doc the deployment-parameters wrapper rather than a bare object? */
static bool is_wrapper(const struct bl_value *doc)
{
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		const struct bl_member *m = &doc->u.obj.items[i];
		if (key_is(m, "$schema") || key_is(m, "contentVersion"))
			return true;
	}
	/* {"parameters": {...}} alone is the wrapper unless it reads as a
	 * parameter named "parameters" ({"parameters": {"value": ...}}) */
	return doc->u.obj.n == 1 && key_is(&doc->u.obj.items[0], "parameters") &&
	       doc->u.obj.items[0].val.type == BL_VOBJ &&
	       !bl_value_member(&doc->u.obj.items[0].val, "value", 5);
}

int bl_cli_parameters_from_doc(const struct bl_value **out, const struct bl_value *doc,
			       struct bl_arena *a, struct bl_diags *diags)
{
	*out = NULL;
	size_t bad = 0;
	const char *file = doc ? doc->file : NULL;
	if (!doc || doc->type != BL_VOBJ) {
		uint32_t line = doc && doc->line ? doc->line : 1, col = doc && doc->col ? doc->col : 1;
		return bl_diag_add(diags, file, line, col,
				   "a parameter file must be an object such as {\"name\": {\"value\": ...}}, not %s",
				   doc ? bl_schema_value_desc(doc) : "empty") == BL_ENOMEM ? BL_ENOMEM
											 : BL_EINVAL;
	}
	const struct bl_value *params = doc;
	if (is_wrapper(doc)) {
		params = NULL;
		for (uint32_t i = 0; i < doc->u.obj.n; i++) {
			const struct bl_member *m = &doc->u.obj.items[i];
			if (key_is(m, "parameters")) {
				params = &m->val;
			} else if (!key_is(m, "$schema") && !key_is(m, "contentVersion") &&
				   !key_is(m, "metadata")) {
				bad++;
				if (bl_diag_add(diags, file, m->line, m->col,
						"unknown key \"%s\" in a parameter file (expected $schema, contentVersion, metadata, parameters)",
						bl_schema_show(m->key, m->klen).s) == BL_ENOMEM)
					return BL_ENOMEM;
			}
		}
		if (!params) {
			bad++;
			if (bl_diag_add(diags, file, doc->line ? doc->line : 1, doc->col ? doc->col : 1,
					"parameter file is missing required key \"parameters\"") == BL_ENOMEM)
				return BL_ENOMEM;
		} else if (params->type != BL_VOBJ) {
			bad++;
			if (bl_diag_add(diags, file, params->line, params->col,
					"\"parameters\" must be an object, not %s",
					bl_schema_value_desc(params)) == BL_ENOMEM)
				return BL_ENOMEM;
			params = NULL;
		}
	}
	uint32_t n = params ? params->u.obj.n : 0;
	struct bl_value *obj = bl_value_new(a, BL_VOBJ);
	struct bl_member *items = bl_arena_calloc(a, n ? n : 1, sizeof(*items));
	if (!obj || !items)
		return BL_ENOMEM;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_member *m = &params->u.obj.items[i];
		const struct bl_value *e = &m->val;
		const char *why = NULL;
		const struct bl_value *val = NULL;
		uint32_t line = e->line, col = e->col;
		if (e->type != BL_VOBJ) {
			why = "must be an object such as {\"value\": ...}";
		} else {
			for (uint32_t j = 0; j < e->u.obj.n && !why; j++) {
				const struct bl_member *f = &e->u.obj.items[j];
				if (key_is(f, "value")) {
					val = &f->val;
				} else if (key_is(f, "reference")) {
					why = "is a Key Vault reference, which an offline assessment cannot resolve: give the value itself";
					line = f->line;
					col = f->col;
				} else if (!key_is(f, "metadata")) {
					why = "has an unknown key (expected \"value\")";
					line = f->line;
					col = f->col;
				}
			}
			if (!why && !val)
				why = "is missing required key \"value\"";
		}
		for (uint32_t j = 0; j < k && !why; j++)
			if (items[j].klen == m->klen && memcmp(items[j].key, m->key, m->klen) == 0) {
				why = "is given twice";
				line = m->line;
				col = m->col;
			}
		if (why) {
			bad++;
			if (bl_diag_add(diags, file, line, col, "parameter \"%s\" %s",
					bl_schema_show(m->key, m->klen).s, why) == BL_ENOMEM)
				return BL_ENOMEM;
			continue;
		}
		items[k] = *m;
		items[k].val = *val;
		k++;
	}
	if (bad)
		return BL_EINVAL;
	obj->u.obj.items = items;
	obj->u.obj.n = k;
	obj->file = file;
	obj->line = params ? params->line : doc->line;
	obj->col = params ? params->col : doc->col;
	*out = obj;
	return 0;
}

int bl_cli_parameters_load(const struct bl_value **out, const char *path, struct bl_arena *a,
			   struct bl_diags *diags)
{
	*out = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	int rc = bl_doc_load(&doc, a, path, &err);
	if (rc) {
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			return BL_ENOMEM;
		return rc;
	}
	return bl_cli_parameters_from_doc(out, doc, a, diags);
}
