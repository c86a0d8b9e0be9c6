/*
 * adapt.c - the adapter tables and the dispatch (see adapt.h).  A new shape
 * is one function in its own file and one line here.
 */
#include "adapt/adapt.h"
#include "adapt/pp.h"

#include <stdlib.h>

int bl_adapted_add(struct bl_adapted *out, const struct bl_value *v)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		const struct bl_value **items = bl_arena_alloc(out->arena, cap * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (size_t i = 0; i < out->n; i++)
			items[i] = out->items[i];
		out->items = items;
		out->cap = cap;
	}
	out->items[out->n++] = v;
	return 0;
}

int bl_adapt_terraform(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);
int bl_adapt_arm_template(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);
int bl_adapt_k8s_list(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);

/* Tried in order; the first that recognises a record wins. */
static const bl_record_adapter record_adapters[] = {
	bl_adapt_terraform,
	bl_adapt_arm_template,
	bl_adapt_scubagear,
	bl_adapt_k8s_list,
	NULL,
};

static const bl_folder_adapter folder_adapters[] = {
	bl_adapt_powerplatform,
	NULL,
};

int bl_adapt_record(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		    struct bl_error *err)
{
	if (!doc || doc->type != BL_VOBJ)
		return 0;
	for (size_t i = 0; i < sizeof(record_adapters) / sizeof(record_adapters[0]); i++) {
		if (!record_adapters[i])
			continue;
		int rc = record_adapters[i](doc, file, out, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int bl_adapt_folder(const char *const *files, size_t n, bool *claimed, struct bl_adapted *out,
		    struct bl_error *err)
{
	for (size_t i = 0; i < sizeof(folder_adapters) / sizeof(folder_adapters[0]); i++) {
		if (!folder_adapters[i])
			continue;
		int rc = folder_adapters[i](files, n, claimed, out, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
