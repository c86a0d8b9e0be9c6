/*
 * baseline_params.c - a baseline's parameters (FORMATS.md §1): each
 * definition's keys, type, default and allowedValues; the values tailoring
 * gives them; the stand-in a parameter without a value is compiled with.
 */
#include "model/baseline_internal.h"

static const char *const param_type_names[] = {
	"string", "array", "object", "boolean", "integer", "number",
};

/* ---- value equality (allowedValues) ------------------------------------ */

/* Structural equality; strings compare ignoring ASCII case, as Azure does. */
static bool value_eq(const struct bl_value *x, const struct bl_value *y, int depth)
{
	if (depth > 64 || x->type != y->type)
		return false;
	switch (x->type) {
	case BL_VNULL:
		return true;
	case BL_VBOOL:
		return x->b == y->b;
	case BL_VNUM:
		return x->u.num.d == y->u.num.d;
	case BL_VSTR:
		return bl_str_ieq(x->u.str.s, x->u.str.len, y->u.str.s, y->u.str.len);
	case BL_VARR:
		if (x->u.arr.n != y->u.arr.n)
			return false;
		for (uint32_t i = 0; i < x->u.arr.n; i++)
			if (!value_eq(&x->u.arr.items[i], &y->u.arr.items[i], depth + 1))
				return false;
		return true;
	case BL_VOBJ:
		if (x->u.obj.n != y->u.obj.n)
			return false;
		for (uint32_t i = 0; i < x->u.obj.n; i++) {
			const struct bl_member *m = &x->u.obj.items[i];
			const struct bl_value *o = bl_value_get(y, m->key, m->klen);
			if (!o || !value_eq(&m->val, o, depth + 1))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static bool in_allowed(const struct bl_value *v, const struct bl_value *allowed)
{
	for (uint32_t i = 0; i < allowed->u.arr.n; i++)
		if (value_eq(v, &allowed->u.arr.items[i], 0))
			return true;
	return false;
}

/* ---- parameters ------------------------------------------------------- */

enum { PT_STRING, PT_ARRAY, PT_OBJECT, PT_BOOLEAN, PT_INTEGER, PT_NUMBER };

static const unsigned param_type_mask[] = {
	BL_T_STR, BL_T_ARR, BL_T_OBJ, BL_T_BOOL, BL_T_INT, BL_T_NUM,
};

enum { PK_TYPE, PK_DEFAULT, PK_DEFAULTVALUE, PK_ALLOWED, PK_METADATA, PK_DESCRIPTION };

static const struct bl_schema_key param_keys[] = {
	[PK_TYPE] = {"type", BL_T_STR, BL_SK_REQUIRED},
	[PK_DEFAULT] = {"default", BL_T_ANY, 0},
	[PK_DEFAULTVALUE] = {"defaultValue", BL_T_ANY, 0},
	[PK_ALLOWED] = {"allowedValues", BL_T_ARR, 0},
	[PK_METADATA] = {"metadata", BL_T_OBJ, 0},
	[PK_DESCRIPTION] = {"description", BL_T_STR, 0},
};
static const struct bl_schema param_schema = {"parameter definition", param_keys, COUNT(param_keys)};

/* A value shown in a message: strings quoted, numbers as written, other
 * types by name. */
static struct bl_shown show_value(const struct bl_value *v)
{
	struct bl_shown r;
	if (v->type == BL_VSTR) {
		struct bl_shown in = bl_schema_show(v->u.str.s, v->u.str.len);
		size_t n = strlen(in.s);   /* at most 68: bl_schema_show() caps its output */
		r.s[0] = '"';
		memcpy(r.s + 1, in.s, n);
		r.s[n + 1] = '"';
		r.s[n + 2] = '\0';
		return r;
	}
	if (v->type == BL_VNUM)
		return bl_schema_show(v->u.num.text, v->u.num.len);
	if (v->type == BL_VBOOL)
		return bl_schema_show(v->b ? "true" : "false", v->b ? 4 : 5);
	const char *d = bl_schema_value_desc(v);
	return bl_schema_show(d, strlen(d));
}

/* what: "default" for a definition's default, "value" for a tailored value. */
static void check_default(struct bl_bctx *c, const struct bl_member *pm, int type,
			  const struct bl_value *def, const struct bl_value *allowed,
			  const char *what)
{
	if (!bl_schema_type_ok(def, param_type_mask[type])) {
		bl_bctx_diag(c, AT(def), "%s of parameter \"%s\" must be %s to match its type, not %s",
			     what, SHOWK(pm), bl_schema_type_desc(param_type_mask[type]),
			     bl_schema_value_desc(def));
		return;
	}
	if (!allowed)
		return;
	/* An array parameter's allowedValues list the allowed elements (as in
	 * Azure Policy), unless one allowed value is the whole default. */
	if (type == PT_ARRAY && !in_allowed(def, allowed)) {
		for (uint32_t i = 0; i < def->u.arr.n; i++) {
			const struct bl_value *e = &def->u.arr.items[i];
			if (!in_allowed(e, allowed))
				bl_bctx_diag(c, AT(e), "%s of parameter \"%s\": %s is not one of its allowedValues",
					     what, SHOWK(pm), show_value(e).s);
		}
		return;
	}
	if (type != PT_ARRAY && !in_allowed(def, allowed))
		bl_bctx_diag(c, AT(def), "%s of parameter \"%s\": %s is not one of its allowedValues",
			     what, SHOWK(pm), show_value(def).s);
}

static void check_parameter(struct bl_bctx *c, const struct bl_member *pm)
{
	const struct bl_value *def = &pm->val;
	if (pm->klen == 0)
		bl_bctx_diag(c, pm->line, pm->col, "parameter name must not be empty");
	if (def->type != BL_VOBJ) {
		bl_bctx_diag(c, AT(def), "parameter \"%s\" must be an object such as {type: string, default: ...}, not %s",
			     SHOWK(pm), bl_schema_value_desc(def));
		return;
	}
	const struct bl_member *f[COUNT(param_keys)];
	bl_bctx_schema(c, f, def, &param_schema);
	int type = -1;
	if (f[PK_TYPE]) {
		const struct bl_value *t = &f[PK_TYPE]->val;
		type = name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len);
		if (type < 0)
			bl_bctx_diag(c, AT(t), "parameter type must be one of string, array, object, boolean, integer, number, not \"%s\"",
				     SHOWV(t));
	}
	const struct bl_member *dm = f[PK_DEFAULT];
	if (f[PK_DEFAULT] && f[PK_DEFAULTVALUE]) {
		const struct bl_member *second = f[PK_DEFAULT];
		if (f[PK_DEFAULTVALUE]->line > second->line ||
		    (f[PK_DEFAULTVALUE]->line == second->line && f[PK_DEFAULTVALUE]->col > second->col))
			second = f[PK_DEFAULTVALUE];
		bl_bctx_diag(c, second->line, second->col,
			     "parameter \"%s\" has both default and defaultValue: give only one", SHOWK(pm));
	} else if (!dm) {
		dm = f[PK_DEFAULTVALUE];
	}
	const struct bl_value *allowed = f[PK_ALLOWED] ? &f[PK_ALLOWED]->val : NULL;
	if (type < 0)
		return;
	if (allowed && type != PT_ARRAY) {
		for (uint32_t i = 0; i < allowed->u.arr.n; i++) {
			const struct bl_value *e = &allowed->u.arr.items[i];
			if (!bl_schema_type_ok(e, param_type_mask[type]))
				bl_bctx_diag(c, AT(e), "allowedValues of parameter \"%s\" must be %s values, not %s",
					     SHOWK(pm), param_type_names[type], bl_schema_value_desc(e));
		}
	}
	if (dm)
		check_default(c, pm, type, &dm->val, allowed, "default");
}

void bl_bctx_check_parameters(struct bl_bctx *c, const struct bl_value *params)
{
	for (uint32_t i = 0; i < params->u.obj.n; i++)
		check_parameter(c, &params->u.obj.items[i]);
}

/* A tailored value (tailor.parameters, an override's parameters) against
 * the definition it sets; pm is the member naming the parameter, def its
 * definition (already validated: a broken definition is skipped here).
 * False when the value was reported: it must not reach the compiler. */
bool bl_bctx_check_param_value(struct bl_bctx *c, const struct bl_member *pm,
			       const struct bl_value *def)
{
	const struct bl_value *t = bl_value_getz(def, "type");
	if (!t || t->type != BL_VSTR)
		return true;
	int type = name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len);
	if (type < 0)
		return true;
	const struct bl_value *allowed = bl_value_getz(def, "allowedValues");
	if (allowed && allowed->type != BL_VARR)
		allowed = NULL;
	size_t before = c->bad;
	check_default(c, pm, type, &pm->val, allowed, "value");
	return c->bad == before;
}

/* A value of the parameter's type to compile with when it has none.  A
 * string stands in as the parameter's own name, not "": built-ins build
 * field paths such as "[concat('tags[', parameters('tagName'), ']')]", and
 * "tags[]" would be a (false) compile error. */
const struct bl_value *bl_bctx_stand_in(struct bl_bctx *c, const struct bl_member *pm,
					const struct bl_value *def)
{
	const struct bl_value *t = bl_value_getz(def, "type");
	const struct bl_value *allowed = bl_value_getz(def, "allowedValues");
	int type = t && t->type == BL_VSTR
		   ? name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len)
		   : -1;
	if (type != PT_ARRAY && allowed && allowed->type == BL_VARR && allowed->u.arr.n)
		return &allowed->u.arr.items[0];
	struct bl_value *v = NULL;
	switch (type) {
	case PT_ARRAY: v = bl_value_new(c->a, BL_VARR); break;
	case PT_OBJECT: v = bl_value_new(c->a, BL_VOBJ); break;
	case PT_BOOLEAN: v = bl_value_new_bool(c->a, false); break;
	case PT_INTEGER:
	case PT_NUMBER: v = bl_value_new_num(c->a, 0); break;
	default: v = bl_value_new_str(c->a, pm->klen ? pm->key : "x", pm->klen ? pm->klen : 1); break;
	}
	if (!v)
		c->oom = true;
	return v;
}
