/*
 * resource.c - asset identity from a resource document (see resource.h).
 */
#include "facts/resource.h"

#include <string.h>

/* Optional string member: 0 with *s NULL when absent, null or empty (Azure
 * Resource Graph writes "kind": "" for most resources), BL_EINVAL when it is
 * present with another type. */
static int opt_str(const char **s, size_t *len, const struct bl_value *obj,
		   const char *key, const char *what, const char *file, struct bl_error *err)
{
	*s = NULL;
	*len = 0;
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type == BL_VNULL || (v->type == BL_VSTR && v->u.str.len == 0))
		return 0;
	if (v->type != BL_VSTR)
		return bl_error_set(err, BL_EINVAL, file, v->line, v->col,
				    "resource %s must be a string, not %s", what, bl_vtype_name(v->type));
	*s = v->u.str.s;
	*len = v->u.str.len;
	return 0;
}

int bl_resource_identify(struct bl_asset *out, const struct bl_value *res,
			 const char *file, uint64_t index, struct bl_arena *a,
			 struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (res->type != BL_VOBJ)
		return bl_error_set(err, BL_EINVAL, file, res->line, res->col,
				    "resource #%llu is %s %s, not an object",
				    (unsigned long long)index + 1,
				    res->type == BL_VARR || res->type == BL_VOBJ ? "an" : "a",
				    bl_vtype_name(res->type));
	const char *id, *type, *name, *api, *kind, *uid = NULL, *mname = NULL;
	size_t idl, typel, namel, apil, kindl, uidl = 0, mnamel = 0;
	int rc;
	if ((rc = opt_str(&id, &idl, res, "id", "id", file, err)) ||
	    (rc = opt_str(&type, &typel, res, "type", "type", file, err)) ||
	    (rc = opt_str(&name, &namel, res, "name", "name", file, err)) ||
	    (rc = opt_str(&api, &apil, res, "apiVersion", "apiVersion", file, err)) ||
	    (rc = opt_str(&kind, &kindl, res, "kind", "kind", file, err)))
		return rc;
	const struct bl_value *meta = bl_value_getz(res, "metadata");
	if (meta && meta->type == BL_VOBJ) {
		if ((rc = opt_str(&uid, &uidl, meta, "uid", "metadata.uid", file, err)) ||
		    (rc = opt_str(&mname, &mnamel, meta, "name", "metadata.name", file, err)))
			return rc;
	}
	if (!name && mname) {
		name = mname;
		namel = mnamel;
	}
	if (type)
		out->type = bl_arena_strndup(a, type, typel);
	else if (api && kind)
		out->type = bl_arena_printf(a, "%.*s/%.*s", (int)apil, api, (int)kindl, kind);
	else
		out->type = "";
	if (name)
		out->name = bl_arena_strndup(a, name, namel);
	if (id)
		out->id = bl_arena_strndup(a, id, idl);
	else if (uid)
		out->id = bl_arena_strndup(a, uid, uidl);
	else if (name && out->type && out->type[0])
		out->id = bl_arena_printf(a, "%s/%s", out->type, out->name ? out->name : "");
	else
		out->id = bl_arena_printf(a, "%s#%llu", file ? file : "-",
					  (unsigned long long)index + 1);
	if (!out->type || !out->id || (name && !out->name))
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	out->doc = res;
	out->file = file;
	out->line = res->line;
	out->col = res->col;
	return 0;
}
