/*
 * resource.c - asset identity from a resource document (see resource.h).
 *
 * This runs once per resource of every snapshot, so the members it reads
 * are found in one pass over the resource's keys (a switch on the key's
 * length, then its first byte) rather than one lookup per key, and the
 * identity strings share one arena allocation.  The matching rule stays
 * bl_value_get's: an exact-case key wins, else the first key equal ignoring
 * ASCII case.
 */
#include "facts/resource.h"

#include <string.h>

/* The top-level members identity reads, and metadata's. */
enum { F_ID, F_TYPE, F_NAME, F_API, F_KIND, F_META, NFIELDS };
enum { M_UID, M_NAME, NMETA };

/* Best match so far for one key: the first exact-case member, else the
 * first one equal ignoring case. */
struct pick {
	const struct bl_value *exact, *fold;
};

/* Offer member m (whose key has lit's length len) to p. */
static inline void offer(struct pick *p, const struct bl_member *m, const char *lit, size_t len)
{
	if (p->exact)
		return;
	if (bl_mem_eq(m->key, lit, len))
		p->exact = &m->val;
	else if (!p->fold && bl_str_ieq(m->key, len, lit, len))
		p->fold = &m->val;
}

static inline const struct bl_value *picked(const struct pick *p)
{
	return p->exact ? p->exact : p->fold;
}

/* One pass over res's members for id, type, name, apiVersion, kind and
 * metadata (res is an object).  Keys of other lengths, the most of a cloud
 * resource's, cost one switch. */
static void pick_top(struct pick f[NFIELDS], const struct bl_value *res)
{
	const struct bl_member *m = res->u.obj.items;
	for (uint32_t i = 0; i < res->u.obj.n; i++, m++) {
		switch (m->klen) {
		case 2:
			offer(&f[F_ID], m, "id", 2);
			break;
		case 4:
			switch (bl_lower((unsigned char)m->key[0])) {
			case 't':
				offer(&f[F_TYPE], m, "type", 4);
				break;
			case 'n':
				offer(&f[F_NAME], m, "name", 4);
				break;
			case 'k':
				offer(&f[F_KIND], m, "kind", 4);
				break;
			default:
				break;
			}
			break;
		case 8:
			offer(&f[F_META], m, "metadata", 8);
			break;
		case 10:
			offer(&f[F_API], m, "apiVersion", 10);
			break;
		default:
			break;
		}
	}
}

/* The same for metadata's uid and name (meta is an object). */
static void pick_meta(struct pick f[NMETA], const struct bl_value *meta)
{
	const struct bl_member *m = meta->u.obj.items;
	for (uint32_t i = 0; i < meta->u.obj.n; i++, m++) {
		if (m->klen == 3)
			offer(&f[M_UID], m, "uid", 3);
		else if (m->klen == 4)
			offer(&f[M_NAME], m, "name", 4);
	}
}

/* The error for an identity member v of the wrong type (kept out of line:
 * opt_str runs seven times per resource). */
static int wrong_type(const struct bl_value *v, const char *what, const char *file,
		      struct bl_error *err)
{
	return bl_error_set(err, BL_EINVAL, file, v->line, v->col,
			    "resource %s must be a string, not %s", what, bl_vtype_name(v->type));
}

/* Optional string member v: 0 with *s NULL when absent, null or empty
 * (Azure Resource Graph writes "kind": "" for most resources), BL_EINVAL
 * when it is present with another type. */
static inline int opt_str(const char **s, size_t *len, const struct bl_value *v,
			  const char *what, const char *file, struct bl_error *err)
{
	*s = NULL;
	*len = 0;
	if (!v || v->type == BL_VNULL)
		return 0;
	if (v->type != BL_VSTR)
		return wrong_type(v, what, file, err);
	if (v->u.str.len) {
		*s = v->u.str.s;
		*len = v->u.str.len;
	}
	return 0;
}

/* Copy s[0..len) and a NUL to *p, advancing it; returns the copy. */
static char *put_str(char **p, const char *s, size_t len)
{
	char *d = *p;
	memcpy(d, s, len);
	d[len] = '\0';
	*p = d + len + 1;
	return d;
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
	struct pick f[NFIELDS] = {{0}}, mf[NMETA] = {{0}};
	pick_top(f, res);
	const char *id, *type, *name, *api, *kind, *uid = NULL, *mname = NULL;
	size_t idl, typel, namel, apil, kindl, uidl = 0, mnamel = 0;
	int rc;
	/* checked in this order, so the first error reported is as before */
	if ((rc = opt_str(&id, &idl, picked(&f[F_ID]), "id", file, err)) ||
	    (rc = opt_str(&type, &typel, picked(&f[F_TYPE]), "type", file, err)) ||
	    (rc = opt_str(&name, &namel, picked(&f[F_NAME]), "name", file, err)) ||
	    (rc = opt_str(&api, &apil, picked(&f[F_API]), "apiVersion", file, err)) ||
	    (rc = opt_str(&kind, &kindl, picked(&f[F_KIND]), "kind", file, err)))
		return rc;
	const struct bl_value *meta = picked(&f[F_META]);
	if (meta && meta->type == BL_VOBJ) {
		pick_meta(mf, meta);
		if ((rc = opt_str(&uid, &uidl, picked(&mf[M_UID]), "metadata.uid", file, err)) ||
		    (rc = opt_str(&mname, &mnamel, picked(&mf[M_NAME]), "metadata.name", file,
				  err)))
			return rc;
	}
	if (!name && mname) {
		name = mname;
		namel = mnamel;
	}
	/* The strings copied as they are share one allocation; the composed
	 * ones (rare: Kubernetes types, ids made of type and name) are printed
	 * as before. */
	if (!id && uid) {
		id = uid;
		idl = uidl;
	}
	size_t need = (type ? typel + 1 : 0) + (name ? namel + 1 : 0) + (id ? idl + 1 : 0);
	char *p = need ? bl_arena_alloc(a, need) : NULL;
	if (need && !p)
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	if (type)
		out->type = put_str(&p, type, typel);
	else if (api && kind)
		out->type = bl_arena_printf(a, "%.*s/%.*s", (int)apil, api, (int)kindl, kind);
	else
		out->type = "";
	if (name)
		out->name = put_str(&p, name, namel);
	if (id)
		out->id = put_str(&p, id, idl);
	else if (name && out->type && out->type[0])
		out->id = bl_arena_printf(a, "%s/%s", out->type, out->name);
	else
		out->id = bl_arena_printf(a, "%s#%llu", file ? file : "-",
					  (unsigned long long)index + 1);
	if (!out->type || !out->id)
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	out->doc = res;
	out->file = file;
	out->line = res->line;
	out->col = res->col;
	return 0;
}
