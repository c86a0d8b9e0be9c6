/*
 * expr_fn.h - what the files of expression functions share (expr_fn.c:
 * the table, ARM template functions; expr_fn_policy.c: the functions Azure
 * Policy adds): argument and result helpers, and the implementations the
 * table names from the other file.  Internal to src/rule.
 */
#ifndef BL_RULE_EXPR_FN_H
#define BL_RULE_EXPR_FN_H

#include <math.h>

#include "rule/expr_internal.h"

/* Built strings are capped: replace() nested 64 deep would otherwise grow
 * exponentially with the input. */
#define XSTR_MAX ((size_t)4 << 20)

/* "toLower() expects a string, got number" for argument i. */
static inline int type_err(struct bl_xcx *cx, const struct bl_xnode *call, uint32_t i,
			   const char *want, const struct bl_value *got)
{
	return bl_xfail(cx, call->args[i], "%s() expects %s, got %s", call->fn->name, want,
			bl_vtype_name((enum bl_vtype)got->type));
}

static inline int ret_bool(const struct bl_value **out, bool b, struct bl_xcx *cx)
{
	*out = bl_value_new_bool(cx->arena, b);
	return *out ? 0 : BL_ENOMEM;
}

static inline int ret_num(const struct bl_value **out, double d, struct bl_xcx *cx)
{
	if (!isfinite(d))
		return bl_xfail(cx, NULL, "numeric result out of range");
	*out = bl_value_new_num(cx->arena, d);
	return *out ? 0 : BL_ENOMEM;
}

/* A string value pointing at s (not copied: s must live as long as the result). */
static inline int ret_strref(const struct bl_value **out, const char *s, size_t len,
			     struct bl_xcx *cx)
{
	if (len > UINT32_MAX)
		return bl_xfail(cx, NULL, "string result too long");
	struct bl_value *v = bl_value_new(cx->arena, BL_VSTR);
	if (!v)
		return BL_ENOMEM;
	v->u.str.s = s;
	v->u.str.len = (uint32_t)len;
	*out = v;
	return 0;
}

static inline bool is_integral(const struct bl_value *v)
{
	return v->type == BL_VNUM && v->u.num.d == floor(v->u.num.d);
}

/* Integer argument i: an integral number within +-2^53. */
static inline int int_arg(long long *out, const struct bl_xnode *call, uint32_t i,
			  struct bl_xcx *cx)
{
	*out = 0;
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, i, cx);
	if (rc)
		return rc;
	if (!is_integral(v))
		return v->type == BL_VNUM
		       ? bl_xfail(cx, call->args[i], "%s() expects an integer, got %s",
				  call->fn->name, v->u.num.text)
		       : type_err(cx, call, i, "an integer", v);
	if (fabs(v->u.num.d) > 9007199254740992.0)
		return bl_xfail(cx, call->args[i], "%s(): integer %s out of range", call->fn->name,
				v->u.num.text);
	*out = (long long)v->u.num.d;
	return 0;
}

static inline int str_arg(const struct bl_value **out, const struct bl_xnode *call, uint32_t i,
			  struct bl_xcx *cx)
{
	int rc = bl_xarg(out, call, i, cx);
	if (rc)
		return rc;
	if ((*out)->type != BL_VSTR)
		return type_err(cx, call, i, "a string", *out);
	return 0;
}

/* expr_fn_policy.c: ipRangeContains; resource context, time, collections,
 * numbers.  Each as every implementation (expr_fn.c's header comment). */
int bl_xf_ipRangeContains(const struct bl_value **out, const struct bl_xnode *call,
			  struct bl_xcx *cx);
int bl_xf_resourceGroup(const struct bl_value **out, const struct bl_xnode *call,
			struct bl_xcx *cx);
int bl_xf_subscription(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_requestContext(const struct bl_value **out, const struct bl_xnode *call,
			 struct bl_xcx *cx);
int bl_xf_utcNow(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_addDays(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_union(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_intersection(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_createObject(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_tryGet(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_base64(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_add(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_sub(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_mul(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_div(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);
int bl_xf_mod(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx);

#endif
