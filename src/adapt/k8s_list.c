/*
 * k8s_list.c - a Kubernetes List (`kubectl get ... -o json|yaml` of several
 * objects: kind "List", "PodList", "DeploymentList"..., with `items`) holds
 * resources; each item is assessed as itself (FORMATS.md §6).
 */
#include "adapt/adapt.h"

#include <string.h>

/* A record adapter (adapt.h); listed in adapt.c's table. */
int bl_adapt_k8s_list(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		      struct bl_error *err);

int bl_adapt_k8s_list(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		      struct bl_error *err)
{
	/* adapt.c asks only records with all three keys (keep in step) */
	const struct bl_value *kind = bl_value_getz(doc, "kind");
	const struct bl_value *items = bl_value_getz(doc, "items");
	const struct bl_value *api = bl_value_getz(doc, "apiVersion");
	if (!kind || kind->type != BL_VSTR || kind->u.str.len < 4 ||
	    memcmp(kind->u.str.s + kind->u.str.len - 4, "List", 4) != 0 || !items ||
	    items->type != BL_VARR || !api || api->type != BL_VSTR)
		return 0;
	for (uint32_t i = 0; i < items->u.arr.n; i++)
		if (bl_adapted_add(out, &items->u.arr.items[i]))
			return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	return 1;
}
