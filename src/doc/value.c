/*
 * value.c - lookups, builders and text coercion for the value tree.
 */
#include "doc/value.h"
#include "doc/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct bl_member *bl_value_member(const struct bl_value *obj, const char *key, size_t klen)
{
	if (!obj || obj->type != BL_VOBJ)
		return NULL;
	return bl_obj_member(obj, key, klen);
}

const struct bl_value *bl_value_get(const struct bl_value *obj, const char *key, size_t klen)
{
	const struct bl_member *m = bl_value_member(obj, key, klen);
	return m ? &m->val : NULL;
}

const struct bl_value *bl_value_getz(const struct bl_value *obj, const char *key)
{
	return bl_value_get(obj, key, strlen(key));
}

const char *bl_value_strz(const struct bl_value *obj, const char *key, size_t *len)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type != BL_VSTR)
		return NULL;
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

struct bl_value *bl_value_new(struct bl_arena *a, enum bl_vtype t)
{
	struct bl_value *v = bl_arena_calloc(a, 1, sizeof(*v));
	if (v)
		v->type = (uint8_t)t;
	return v;
}

struct bl_value *bl_value_new_str(struct bl_arena *a, const char *s, size_t len)
{
	if (len > UINT32_MAX)
		return NULL;
	struct bl_value *v = bl_value_new(a, BL_VSTR);
	if (!v)
		return NULL;
	char *p = bl_arena_strndup(a, s, len);
	if (!p)
		return NULL;
	v->u.str.s = p;
	v->u.str.len = (uint32_t)len;
	return v;
}

struct bl_value *bl_value_new_num(struct bl_arena *a, double d)
{
	if (!isfinite(d))
		return NULL;
	struct bl_value *v = bl_value_new(a, BL_VNUM);
	if (!v)
		return NULL;
	char tmp[40];
	size_t n = bl_number_text(d, tmp);
	char *p = bl_arena_strndup(a, tmp, (size_t)n);
	if (!p)
		return NULL;
	v->u.num.text = p;
	v->u.num.len = (uint32_t)n;
	v->u.num.d = d;
	if (d == floor(d) && fabs(d) < 1e15 && !strpbrk(p, "e."))
		v->flags |= BL_VF_INT;
	return v;
}

size_t bl_number_text(double d, char out[40])
{
	int n = 0;
	if (d == floor(d) && fabs(d) < 1e15) {
		n = snprintf(out, 40, "%.0f", d);
	} else {
		for (int prec = 1; prec <= 17; prec++) {
			n = snprintf(out, 40, "%.*g", prec, d);
			if (strtod(out, NULL) == d)
				break;
		}
	}
	return n > 0 ? (size_t)n : 0;
}

struct bl_value *bl_value_new_special(struct bl_arena *a, enum bl_vtype t, const char *why)
{
	struct bl_value *v = bl_value_new_str(a, why ? why : "", why ? strlen(why) : 0);
	if (v)
		v->type = (uint8_t)t;
	return v;
}

struct bl_value *bl_value_new_bool(struct bl_arena *a, bool b)
{
	struct bl_value *v = bl_value_new(a, BL_VBOOL);
	if (v)
		v->b = b;
	return v;
}

const char *bl_vtype_name(enum bl_vtype t)
{
	switch (t) {
	case BL_VNULL: return "null";
	case BL_VBOOL: return "boolean";
	case BL_VNUM: return "number";
	case BL_VSTR: return "string";
	case BL_VARR: return "array";
	case BL_VOBJ: return "object";
	case BL_VERR: return "error";
	case BL_VNA: return "not available";
	}
	return "?";
}

int bl_value_to_text(const struct bl_value *v, struct bl_buf *out)
{
	switch (v->type) {
	case BL_VNULL:
		return 0;
	case BL_VBOOL:
		return bl_buf_adds(out, v->b ? "true" : "false");
	case BL_VNUM:
		return bl_buf_add(out, v->u.num.text, v->u.num.len);
	case BL_VSTR:
		return bl_buf_add(out, v->u.str.s, v->u.str.len);
	default:
		return bl_json_write(out, v, 0);
	}
}
