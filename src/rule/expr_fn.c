/*
 * expr_fn.c - the functions of template expressions, one static table of
 * {name, min args, max args, flags, implementation}.  Adding a function is
 * one row and one function; arity is checked by the parser from the row.
 *
 * Semantics follow Azure Resource Manager template functions; where they
 * leave a choice the choice is written in docs/expressions.md.  Every
 * implementation returns 0 with *out set, BL_EINVAL after bl_xfail() (the
 * message names the function and what it expected), or BL_ENOMEM.
 */
#include "rule/expr_internal.h"
#include "util/str.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* "toLower() expects a string, got number" for argument i. */
static int type_err(struct bl_xcx *cx, const struct bl_xnode *call, uint32_t i,
		    const char *want, const struct bl_value *got)
{
	return bl_xfail(cx, call->args[i], "%s() expects %s, got %s", call->fn->name, want,
			bl_vtype_name((enum bl_vtype)got->type));
}

static int ret_bool(const struct bl_value **out, bool b, struct bl_xcx *cx)
{
	*out = bl_value_new_bool(cx->arena, b);
	return *out ? 0 : BL_ENOMEM;
}

static int ret_num(const struct bl_value **out, double d, struct bl_xcx *cx)
{
	if (!isfinite(d))
		return bl_xfail(cx, NULL, "numeric result out of range");
	*out = bl_value_new_num(cx->arena, d);
	return *out ? 0 : BL_ENOMEM;
}

/* A string value pointing at s (not copied: s must live as long as the result). */
static int ret_strref(const struct bl_value **out, const char *s, size_t len, struct bl_xcx *cx)
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

/* Built strings are capped: replace() nested 64 deep would otherwise grow
 * exponentially with the input. */
#define XSTR_MAX ((size_t)4 << 20)

static int ret_buf(const struct bl_value **out, struct bl_buf *b, struct bl_xcx *cx)
{
	if (b->failed) {
		bl_buf_free(b);
		return bl_xfail(cx, NULL, "string result longer than %zu bytes", XSTR_MAX);
	}
	*out = bl_value_new_str(cx->arena, b->data ? b->data : "", b->len);
	bl_buf_free(b);
	return *out ? 0 : BL_ENOMEM;
}

static bool is_integral(const struct bl_value *v)
{
	return v->type == BL_VNUM && v->u.num.d == floor(v->u.num.d);
}

/* Integer argument i within [lo, hi]. */
static int int_arg(long long *out, const struct bl_xnode *call, uint32_t i, struct bl_xcx *cx)
{
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

static int str_arg(const struct bl_value **out, const struct bl_xnode *call, uint32_t i,
		   struct bl_xcx *cx)
{
	int rc = bl_xarg(out, call, i, cx);
	if (rc)
		return rc;
	if ((*out)->type != BL_VSTR)
		return type_err(cx, call, i, "a string", *out);
	return 0;
}

static int bool_arg(bool *out, const struct bl_xnode *call, uint32_t i, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, i, cx);
	if (rc)
		return rc;
	if (v->type != BL_VBOOL)
		return type_err(cx, call, i, "a boolean", v);
	*out = v->b;
	return 0;
}

/* UTF-8: number of code points (continuation bytes are not counted). */
static size_t u8_len(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* UTF-8: byte offset of code point k (n when k is the length). */
static size_t u8_off(const char *s, size_t n, size_t k)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (c == k)
				return i;
			c++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Parameters, document access                                         */

/* Deep copy into arena a, so folded constants live as long as the program. */
static const struct bl_value *copy_value(struct bl_arena *a, const struct bl_value *v)
{
	struct bl_value *c = bl_arena_alloc(a, sizeof(*c));
	if (!c || !v)
		return NULL;
	*c = *v;
	switch ((enum bl_vtype)v->type) {
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		c->u.str.s = bl_arena_strndup(a, v->u.str.s, v->u.str.len);
		return c->u.str.s ? c : NULL;
	case BL_VNUM:
		c->u.num.text = bl_arena_strndup(a, v->u.num.text, v->u.num.len);
		return c->u.num.text ? c : NULL;
	case BL_VARR:
		if (v->u.arr.n) {
			struct bl_value *it = bl_arena_alloc(a, v->u.arr.n * sizeof(*it));
			if (!it)
				return NULL;
			for (uint32_t i = 0; i < v->u.arr.n; i++) {
				const struct bl_value *e = copy_value(a, &v->u.arr.items[i]);
				if (!e)
					return NULL;
				it[i] = *e;
			}
			c->u.arr.items = it;
		}
		return c;
	case BL_VOBJ:
		if (v->u.obj.n) {
			struct bl_member *m = bl_arena_alloc(a, v->u.obj.n * sizeof(*m));
			if (!m)
				return NULL;
			for (uint32_t i = 0; i < v->u.obj.n; i++) {
				m[i] = v->u.obj.items[i];
				m[i].key = bl_arena_strndup(a, m[i].key, m[i].klen);
				const struct bl_value *e = copy_value(a, &v->u.obj.items[i].val);
				if (!m[i].key || !e)
					return NULL;
				m[i].val = *e;
			}
			c->u.obj.items = m;
		}
		return c;
	case BL_VNULL:
	case BL_VBOOL:
		break;
	}
	return c;
}

static int fn_parameters(const struct bl_value **out, const struct bl_xnode *call,
			 struct bl_xcx *cx)
{
	const struct bl_value *name;
	int rc = str_arg(&name, call, 0, cx);
	if (rc)
		return rc;
	cx->hard = true; /* a bad parameter reference is always a compile error */
	const char *s = name->u.str.s;
	uint32_t n = name->u.str.len;
	int pn = n > 100 ? 100 : (int)n;
	if (!cx->env)
		return bl_xfail(cx, call, "parameters('%.*s') can only be resolved at compile time",
				pn, s);
	const struct bl_value *v = bl_value_get(cx->env->param_values, s, n);
	if (!v) {
		const struct bl_value *def = bl_value_get(cx->env->param_defs, s, n);
		if (!def)
			return bl_xfail(cx, call,
					"parameters('%.*s'): no parameter named '%.*s' in this baseline",
					pn, s, pn, s);
		v = bl_value_getz(def, "defaultValue");
		if (!v)
			v = bl_value_getz(def, "default");
		if (!v)
			return bl_xfail(cx, call,
					"parameters('%.*s'): parameter '%.*s' has no value and no default",
					pn, s, pn, s);
	}
	cx->hard = false;
	*out = copy_value(cx->arena, v);
	return *out ? 0 : BL_ENOMEM;
}

/* The path argument of field()/current(): precompiled, or split now. */
static int path_arg(const struct bl_path **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	if (call->path) {
		*out = call->path;
		return 0;
	}
	const struct bl_value *v;
	int rc = str_arg(&v, call, 0, cx);
	if (rc)
		return rc;
	struct bl_path *p = bl_arena_calloc(cx->arena, 1, sizeof(*p));
	if (!p)
		return BL_ENOMEM;
	struct bl_error err;
	bl_error_clear(&err);
	rc = bl_path_compile(p, v->u.str.s, v->u.str.len, cx->arena, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc)
		return bl_xfail(cx, call->args[0], "%s('%.*s'): %s", call->fn->name,
				(int)(v->u.str.len > 100 ? 100 : v->u.str.len), v->u.str.s, err.msg);
	*out = p;
	return 0;
}

static int fn_field(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	if (!cx->e)
		return bl_xfail(cx, call, "field() needs an asset");
	const struct bl_path *p;
	int rc = path_arg(&p, call, cx);
	if (rc)
		return rc;
	rc = bl_xresolve(out, p, true, cx);
	if (!rc && !*out && p->n == 1 && p->segs[0].kind == BL_SEG_KEY &&
	    bl_str_ieq(p->segs[0].key, p->segs[0].klen, "fullName", 8))
		*out = bl_eval_full_name(cx->e, cx->e->outer ? cx->e->outer : cx->e->doc);
	return rc;
}

static int fn_current(const struct bl_value **out, const struct bl_xnode *call,
		      struct bl_xcx *cx)
{
	struct bl_eval *e = cx->e;
	if (!e)
		return bl_xfail(cx, call, "current() needs an asset");
	if (call->nargs == 0) {
		if (!e->nscopes)
			return bl_xfail(cx, call, "current() used outside a count");
		*out = e->scopes[e->nscopes - 1].current;
		return 0;
	}
	/* A value count's name first. */
	const struct bl_value *v;
	int rc = str_arg(&v, call, 0, cx);
	if (rc)
		return rc;
	for (size_t i = e->nscopes; i-- > 0;) {
		const struct bl_scope *s = &e->scopes[i];
		if (s->name && bl_str_ieq(s->name, strlen(s->name), v->u.str.s, v->u.str.len)) {
			*out = s->current;
			return 0;
		}
	}
	const struct bl_path *p;
	if ((rc = path_arg(&p, call, cx)))
		return rc;
	rc = bl_xresolve(out, p, false, cx);
	if (rc == 1)
		return bl_xfail(cx, call, "current('%.*s'): no count named '%.*s' is in scope",
				(int)(v->u.str.len > 100 ? 100 : v->u.str.len), v->u.str.s,
				(int)(v->u.str.len > 100 ? 100 : v->u.str.len), v->u.str.s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Logic and comparison                                                */

static int fn_true(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	(void)call;
	return ret_bool(out, true, cx);
}

static int fn_false(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	(void)call;
	return ret_bool(out, false, cx);
}

static int fn_null(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	(void)call;
	(void)cx;
	*out = &bl_xnull;
	return 0;
}

static int fn_if(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	bool c = false;
	int rc = bool_arg(&c, call, 0, cx);
	if (rc)
		return rc;
	/* Only the chosen branch runs, so a guard can protect the other. */
	return bl_xnode_eval(out, call->args[c ? 1 : 2], cx);
}

/* and()/or(): stop at the first argument that decides. */
static int logic(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		 bool decider)
{
	for (uint32_t i = 0; i < call->nargs; i++) {
		bool b = false;
		int rc = bool_arg(&b, call, i, cx);
		if (rc)
			return rc;
		if (b == decider)
			return ret_bool(out, decider, cx);
	}
	return ret_bool(out, !decider, cx);
}

static int fn_and(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return logic(out, call, cx, false);
}

static int fn_or(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return logic(out, call, cx, true);
}

static int fn_not(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	bool b = false;
	int rc = bool_arg(&b, call, 0, cx);
	return rc ? rc : ret_bool(out, !b, cx);
}

static int fn_equals(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *a = NULL, *b = NULL;
	int rc = bl_xarg(&a, call, 0, cx);
	if (rc || (rc = bl_xarg(&b, call, 1, cx)))
		return rc;
	return ret_bool(out, bl_xequal(a, b), cx);
}

/*
 * Order of strings for less()/greater(): ARM compares with the invariant
 * culture, where letters order ignoring case first and a lower-case letter
 * sorts before its upper-case form ("a" < "A" < "b").  This is that order for
 * ASCII; other bytes compare by value.
 */
static int str_order(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = bl_str_icmp(a, alen, b, blen);
	if (c)
		return c;
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return (a[i] >= 'a' && a[i] <= 'z') ? -1 : 1;
	}
	return 0;
}

static int compare(int *cmp, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *a = NULL, *b = NULL;
	int rc = bl_xarg(&a, call, 0, cx);
	if (rc || (rc = bl_xarg(&b, call, 1, cx)))
		return rc;
	if (a->type == BL_VNUM && b->type == BL_VNUM) {
		*cmp = a->u.num.d < b->u.num.d ? -1 : a->u.num.d > b->u.num.d;
		return 0;
	}
	if (a->type == BL_VSTR && b->type == BL_VSTR) {
		*cmp = str_order(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len);
		return 0;
	}
	return bl_xfail(cx, call, "%s() expects two numbers or two strings, got %s and %s",
			call->fn->name, bl_vtype_name((enum bl_vtype)a->type),
			bl_vtype_name((enum bl_vtype)b->type));
}

static int fn_less(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	int c = 0, rc = compare(&c, call, cx);
	return rc ? rc : ret_bool(out, c < 0, cx);
}

static int fn_lessOrEquals(const struct bl_value **out, const struct bl_xnode *call,
			   struct bl_xcx *cx)
{
	int c = 0, rc = compare(&c, call, cx);
	return rc ? rc : ret_bool(out, c <= 0, cx);
}

static int fn_greater(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	int c = 0, rc = compare(&c, call, cx);
	return rc ? rc : ret_bool(out, c > 0, cx);
}

static int fn_greaterOrEquals(const struct bl_value **out, const struct bl_xnode *call,
			      struct bl_xcx *cx)
{
	int c = 0, rc = compare(&c, call, cx);
	return rc ? rc : ret_bool(out, c >= 0, cx);
}

static int fn_coalesce(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	for (uint32_t i = 0; i < call->nargs; i++) {
		const struct bl_value *v;
		int rc = bl_xarg(&v, call, i, cx);
		if (rc)
			return rc;
		if (v->type != BL_VNULL) {
			*out = v;
			return 0;
		}
	}
	*out = &bl_xnull;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Strings and collections                                             */

static int fn_concat(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *first;
	int rc = bl_xarg(&first, call, 0, cx);
	if (rc)
		return rc;
	if (first->type == BL_VARR) {
		size_t n = 0;
		const struct bl_value **vs = bl_arena_alloc(cx->arena, call->nargs * sizeof(*vs));
		if (!vs)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < call->nargs; i++) {
			if (i && (rc = bl_xarg(&vs[i], call, i, cx)))
				return rc;
			if (!i)
				vs[i] = first;
			if (vs[i]->type == BL_VNULL)
				continue;
			if (vs[i]->type != BL_VARR)
				return bl_xfail(cx, call->args[i],
						"concat() of arrays expects an array, got %s",
						bl_vtype_name((enum bl_vtype)vs[i]->type));
			n += vs[i]->u.arr.n;
		}
		if (n > UINT32_MAX)
			return bl_xfail(cx, call, "concat(): array result too long");
		struct bl_value *items = n ? bl_arena_alloc(cx->arena, n * sizeof(*items)) : NULL;
		if (n && !items)
			return BL_ENOMEM;
		size_t k = 0;
		for (uint32_t i = 0; i < call->nargs; i++) {
			if (vs[i]->type != BL_VARR || !vs[i]->u.arr.n)
				continue;
			memcpy(items + k, vs[i]->u.arr.items, vs[i]->u.arr.n * sizeof(*items));
			k += vs[i]->u.arr.n;
		}
		struct bl_value *v = bl_value_new(cx->arena, BL_VARR);
		if (!v)
			return BL_ENOMEM;
		v->u.arr.items = items;
		v->u.arr.n = (uint32_t)n;
		*out = v;
		return 0;
	}
	struct bl_buf b;
	bl_buf_init(&b, XSTR_MAX);
	for (uint32_t i = 0; i < call->nargs; i++) {
		const struct bl_value *v = first;
		if (i && (rc = bl_xarg(&v, call, i, cx)))
			break;
		if (v->type == BL_VARR || v->type == BL_VOBJ) {
			rc = bl_xfail(cx, call->args[i],
				      "concat() of strings expects a string, number or boolean, got %s",
				      bl_vtype_name((enum bl_vtype)v->type));
			break;
		}
		bl_value_to_text(v, &b);
	}
	if (rc) {
		bl_buf_free(&b);
		return rc;
	}
	return ret_buf(out, &b, cx);
}

static int fn_case(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		   bool upper)
{
	const struct bl_value *v;
	int rc = str_arg(&v, call, 0, cx);
	if (rc)
		return rc;
	char *s = bl_arena_strndup(cx->arena, v->u.str.s, v->u.str.len);
	if (!s)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < v->u.str.len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (upper && c >= 'a' && c <= 'z')
			s[i] = (char)(c - 32);
		else if (!upper)
			s[i] = (char)bl_lower(c);
	}
	return ret_strref(out, s, v->u.str.len, cx);
}

static int fn_toLower(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return fn_case(out, call, cx, false);
}

static int fn_toUpper(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return fn_case(out, call, cx, true);
}

static int fn_length(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	switch ((enum bl_vtype)v->type) {
	case BL_VSTR:
		return ret_num(out, (double)u8_len(v->u.str.s, v->u.str.len), cx);
	case BL_VARR:
		return ret_num(out, v->u.arr.n, cx);
	case BL_VOBJ:
		return ret_num(out, v->u.obj.n, cx);
	default:
		return type_err(cx, call, 0, "a string, array or object", v);
	}
}

static int fn_empty(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	bool e = v->type == BL_VNULL || (v->type == BL_VSTR && !v->u.str.len) ||
		 (v->type == BL_VARR && !v->u.arr.n) || (v->type == BL_VOBJ && !v->u.obj.n);
	return ret_bool(out, e, cx);
}

/* First occurrence of n (non-empty) in h, or NULL.  A plain loop: inputs
 * are short, and it stays cheap under sanitizers that intercept memmem. */
static const char *find_sub(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; nl && i + nl <= hl; i++) {
		size_t k = 0;
		while (k < nl && h[i + k] == n[k])
			k++;
		if (k == nl)
			return h + i;
	}
	return NULL;
}

static bool has_sub(const char *h, size_t hl, const char *n, size_t nl)
{
	return !nl || find_sub(h, hl, n, nl) != NULL;
}

static int fn_contains(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	const struct bl_value *c = NULL, *it = NULL;
	int rc = bl_xarg(&c, call, 0, cx);
	if (rc || (rc = bl_xarg(&it, call, 1, cx)))
		return rc;
	if (c->type == BL_VSTR) {
		if (it->type == BL_VARR || it->type == BL_VOBJ || it->type == BL_VNULL)
			return type_err(cx, call, 1, "a string, number or boolean to look for", it);
		struct bl_buf b;
		bl_buf_init(&b, 0);
		if (bl_value_to_text(it, &b)) {
			bl_buf_free(&b);
			return BL_ENOMEM;
		}
		bool found = has_sub(c->u.str.s, c->u.str.len, b.data ? b.data : "", b.len);
		bl_buf_free(&b);
		return ret_bool(out, found, cx);
	}
	if (c->type == BL_VARR) {
		for (uint32_t i = 0; i < c->u.arr.n; i++)
			if (bl_xequal(&c->u.arr.items[i], it))
				return ret_bool(out, true, cx);
		return ret_bool(out, false, cx);
	}
	if (c->type == BL_VOBJ) {
		if (it->type != BL_VSTR)
			return type_err(cx, call, 1, "a string key", it);
		return ret_bool(out, bl_value_get(c, it->u.str.s, it->u.str.len) != NULL, cx);
	}
	return type_err(cx, call, 0, "a string, array or object", c);
}

static int fn_split(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *s = NULL, *d = NULL;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = bl_xarg(&d, call, 1, cx)))
		return rc;
	const struct bl_value *delims = d;
	uint32_t nd = 1;
	if (d->type == BL_VARR) {
		delims = d->u.arr.items;
		nd = d->u.arr.n;
		for (uint32_t i = 0; i < nd; i++)
			if (delims[i].type != BL_VSTR)
				return bl_xfail(cx, call->args[1],
						"split() expects delimiters that are strings, got %s",
						bl_vtype_name((enum bl_vtype)delims[i].type));
	} else if (d->type != BL_VSTR) {
		return type_err(cx, call, 1, "a string or an array of strings", d);
	}
	/* Worst case every byte splits: len + 1 pieces. */
	size_t cap = (size_t)s->u.str.len + 1;
	struct bl_value *items = bl_arena_calloc(cx->arena, cap, sizeof(*items));
	if (!items)
		return BL_ENOMEM;
	size_t n = 0, start = 0, i = 0;
	const char *t = s->u.str.s;
	size_t len = s->u.str.len;
	while (i < len) {
		size_t m = 0;
		for (uint32_t k = 0; k < nd; k++) {
			size_t dl = delims[k].u.str.len;
			/* An empty delimiter never matches, as in .NET. */
			if (dl && dl <= len - i && memcmp(t + i, delims[k].u.str.s, dl) == 0) {
				m = dl;
				break;
			}
		}
		if (!m) {
			i++;
			continue;
		}
		items[n].type = BL_VSTR;
		items[n].u.str.s = t + start;
		items[n].u.str.len = (uint32_t)(i - start);
		n++;
		i += m;
		start = i;
	}
	items[n].type = BL_VSTR;
	items[n].u.str.s = t + start;
	items[n].u.str.len = (uint32_t)(len - start);
	n++;
	struct bl_value *v = bl_value_new(cx->arena, BL_VARR);
	if (!v)
		return BL_ENOMEM;
	v->u.arr.items = items;
	v->u.arr.n = (uint32_t)n;
	*out = v;
	return 0;
}

static int fn_firstlast(const struct bl_value **out, const struct bl_xnode *call,
			struct bl_xcx *cx, bool last)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	if (v->type == BL_VARR) {
		if (!v->u.arr.n)
			*out = &bl_xnull;
		else
			*out = &v->u.arr.items[last ? v->u.arr.n - 1 : 0];
		return 0;
	}
	if (v->type == BL_VSTR) {
		const char *s = v->u.str.s;
		size_t len = v->u.str.len;
		if (!len)
			return ret_strref(out, s, 0, cx);
		size_t n = u8_len(s, len);
		size_t a = u8_off(s, len, last ? n - 1 : 0);
		size_t b = u8_off(s, len, last ? n : 1);
		return ret_strref(out, s + a, b - a, cx);
	}
	return type_err(cx, call, 0, "a string or an array", v);
}

static int fn_first(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return fn_firstlast(out, call, cx, false);
}

static int fn_last(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return fn_firstlast(out, call, cx, true);
}

static int fn_substring(const struct bl_value **out, const struct bl_xnode *call,
			struct bl_xcx *cx)
{
	const struct bl_value *s;
	long long start, len;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = int_arg(&start, call, 1, cx)))
		return rc;
	size_t n = u8_len(s->u.str.s, s->u.str.len);
	if (start < 0 || (unsigned long long)start > n)
		return bl_xfail(cx, call->args[1],
				"substring(): start index %lld is outside the string (length %zu)",
				start, n);
	if (call->nargs > 2) {
		if ((rc = int_arg(&len, call, 2, cx)))
			return rc;
		if (len < 0 || (unsigned long long)len > n - (unsigned long long)start)
			return bl_xfail(cx, call->args[2],
					"substring(): length %lld from index %lld runs past the end of the string (length %zu)",
					len, start, n);
	} else {
		len = (long long)n - start;
	}
	size_t a = u8_off(s->u.str.s, s->u.str.len, (size_t)start);
	size_t b = u8_off(s->u.str.s, s->u.str.len, (size_t)(start + len));
	return ret_strref(out, s->u.str.s + a, b - a, cx);
}

static int fn_string(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	if (v->type == BL_VSTR) {
		*out = v;
		return 0;
	}
	struct bl_buf b;
	bl_buf_init(&b, XSTR_MAX);
	bl_value_to_text(v, &b);
	return ret_buf(out, &b, cx);
}

static int fn_int(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	double d;
	if (v->type == BL_VNUM) {
		d = v->u.num.d;
	} else if (v->type == BL_VSTR) {
		char buf[64];
		const char *s = v->u.str.s;
		size_t n = v->u.str.len;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
		bool ok = n > i && n < sizeof(buf);
		for (size_t k = i; ok && k < n; k++)
			ok = s[k] >= '0' && s[k] <= '9';
		if (!ok)
			return bl_xfail(cx, call->args[0], "int(): '%.*s' is not an integer",
					(int)(v->u.str.len > 64 ? 64 : v->u.str.len), v->u.str.s);
		memcpy(buf, s, n);
		buf[n] = '\0';
		d = strtod(buf, NULL);
	} else {
		return type_err(cx, call, 0, "a number or a string", v);
	}
	if (v->type == BL_VNUM && d != floor(d))
		return bl_xfail(cx, call->args[0], "int(): %s is not an integer", v->u.num.text);
	if (!isfinite(d) || fabs(d) > 9007199254740992.0)
		return bl_xfail(cx, call->args[0], "int(): value out of range");
	return ret_num(out, d, cx);
}

static int fn_bool(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	if (v->type == BL_VBOOL) {
		*out = v;
		return 0;
	}
	if (v->type == BL_VSTR) {
		if (bl_str_ieq(v->u.str.s, v->u.str.len, "true", 4))
			return ret_bool(out, true, cx);
		if (bl_str_ieq(v->u.str.s, v->u.str.len, "false", 5))
			return ret_bool(out, false, cx);
		return bl_xfail(cx, call->args[0], "bool(): '%.*s' is not true or false",
				(int)(v->u.str.len > 64 ? 64 : v->u.str.len), v->u.str.s);
	}
	if (v->type == BL_VNUM) {
		if (v->u.num.d == 1 || v->u.num.d == 0)
			return ret_bool(out, v->u.num.d == 1, cx);
		return bl_xfail(cx, call->args[0], "bool(): %s is not 0 or 1", v->u.num.text);
	}
	return type_err(cx, call, 0, "a boolean, string or number", v);
}

static int fn_createArray(const struct bl_value **out, const struct bl_xnode *call,
			  struct bl_xcx *cx)
{
	struct bl_value *items = call->nargs
				 ? bl_arena_alloc(cx->arena, call->nargs * sizeof(*items)) : NULL;
	if (call->nargs && !items)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < call->nargs; i++) {
		const struct bl_value *v;
		int rc = bl_xarg(&v, call, i, cx);
		if (rc)
			return rc;
		items[i] = *v;
	}
	struct bl_value *a = bl_value_new(cx->arena, BL_VARR);
	if (!a)
		return BL_ENOMEM;
	a->u.arr.items = items;
	a->u.arr.n = call->nargs;
	*out = a;
	return 0;
}

static int fn_startsends(const struct bl_value **out, const struct bl_xnode *call,
			 struct bl_xcx *cx, bool ends)
{
	const struct bl_value *s = NULL, *t = NULL;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = str_arg(&t, call, 1, cx)))
		return rc;
	size_t sl = s->u.str.len, tl = t->u.str.len;
	/* ARM compares these case-insensitively. */
	bool r = tl <= sl && bl_str_ieq(s->u.str.s + (ends ? sl - tl : 0), tl, t->u.str.s, tl);
	return ret_bool(out, r, cx);
}

static int fn_startsWith(const struct bl_value **out, const struct bl_xnode *call,
			 struct bl_xcx *cx)
{
	return fn_startsends(out, call, cx, false);
}

static int fn_endsWith(const struct bl_value **out, const struct bl_xnode *call,
		       struct bl_xcx *cx)
{
	return fn_startsends(out, call, cx, true);
}

static int fn_replace(const struct bl_value **out, const struct bl_xnode *call,
		      struct bl_xcx *cx)
{
	const struct bl_value *s = NULL, *o = NULL, *n = NULL;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = str_arg(&o, call, 1, cx)) || (rc = str_arg(&n, call, 2, cx)))
		return rc;
	if (!o->u.str.len)
		return bl_xfail(cx, call->args[1], "replace(): the old string is empty");
	struct bl_buf b;
	bl_buf_init(&b, XSTR_MAX);
	const char *t = s->u.str.s;
	size_t len = s->u.str.len, ol = o->u.str.len, i = 0;
	while (i < len && !b.failed) {
		const char *hit = find_sub(t + i, len - i, o->u.str.s, ol);
		size_t run = hit ? (size_t)(hit - (t + i)) : len - i;
		bl_buf_add(&b, t + i, run);
		i += run;
		if (hit) {
			bl_buf_add(&b, n->u.str.s, n->u.str.len);
			i += ol;
		}
	}
	return ret_buf(out, &b, cx);
}

static int fn_trim(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	const struct bl_value *s;
	int rc = str_arg(&s, call, 0, cx);
	if (rc)
		return rc;
	const char *p = s->u.str.s;
	size_t n = s->u.str.len;
	while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return ret_strref(out, p, n, cx);
}

/* ------------------------------------------------------------------ */
/* ipRangeContains                                                     */

struct iprange {
	int family;                  /* AF_INET or AF_INET6 */
	unsigned char lo[16], hi[16];
	size_t n;                    /* 4 or 16 bytes used */
};

static bool parse_ip(const char *s, size_t len, int *family, unsigned char addr[16])
{
	char buf[64];
	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len)) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, buf, addr) == 1;
}

/* "a.b.c.d", "a.b.c.d/n", "start-end" and their IPv6 forms. */
static bool parse_range(const char *s, size_t len, struct iprange *r)
{
	const char *dash = memchr(s, '-', len);
	const char *slash = memchr(s, '/', len);
	memset(r, 0, sizeof(*r));
	if (dash) {
		int f2;
		if (!parse_ip(s, (size_t)(dash - s), &r->family, r->lo) ||
		    !parse_ip(dash + 1, len - (size_t)(dash - s) - 1, &f2, r->hi) ||
		    f2 != r->family)
			return false;
		r->n = r->family == AF_INET ? 4 : 16;
		return memcmp(r->lo, r->hi, r->n) <= 0;
	}
	size_t alen = slash ? (size_t)(slash - s) : len;
	if (!parse_ip(s, alen, &r->family, r->lo))
		return false;
	r->n = r->family == AF_INET ? 4 : 16;
	unsigned prefix = (unsigned)(r->n * 8);
	if (slash) {
		const char *p = slash + 1;
		size_t pl = len - alen - 1;
		if (!pl || pl > 3)
			return false;
		unsigned v = 0;
		for (size_t i = 0; i < pl; i++) {
			if (p[i] < '0' || p[i] > '9')
				return false;
			v = v * 10 + (unsigned)(p[i] - '0');
		}
		if (v > prefix)
			return false;
		prefix = v;
	}
	memcpy(r->hi, r->lo, r->n);
	for (size_t i = 0; i < r->n; i++) {
		unsigned bits = prefix > i * 8 ? (unsigned)(prefix - i * 8) : 0;
		unsigned char mask = bits >= 8 ? 0xFF : (unsigned char)(0xFF << (8 - bits));
		r->lo[i] &= mask;
		r->hi[i] |= (unsigned char)~mask;
	}
	return true;
}

static int fn_ipRangeContains(const struct bl_value **out, const struct bl_xnode *call,
			      struct bl_xcx *cx)
{
	const struct bl_value *a = NULL, *b = NULL;
	int rc = str_arg(&a, call, 0, cx);
	if (rc || (rc = str_arg(&b, call, 1, cx)))
		return rc;
	struct iprange ra, rb;
	if (!parse_range(a->u.str.s, a->u.str.len, &ra))
		return bl_xfail(cx, call->args[0], "ipRangeContains(): '%.*s' is not an IP address or range",
				(int)(a->u.str.len > 64 ? 64 : a->u.str.len), a->u.str.s);
	if (!parse_range(b->u.str.s, b->u.str.len, &rb))
		return bl_xfail(cx, call->args[1], "ipRangeContains(): '%.*s' is not an IP address or range",
				(int)(b->u.str.len > 64 ? 64 : b->u.str.len), b->u.str.s);
	if (ra.family != rb.family)
		return bl_xfail(cx, call, "ipRangeContains(): cannot mix IPv4 and IPv6");
	bool in = memcmp(rb.lo, ra.lo, ra.n) >= 0 && memcmp(rb.hi, ra.hi, ra.n) <= 0;
	return ret_bool(out, in, cx);
}

/* ------------------------------------------------------------------ */
/* Resource context, time, collections, numbers (Azure Policy's set)     */

/* The id of the resource being assessed: in an existenceCondition that is
 * the outer resource, not the related one (as field() there). */
static int asset_id(const char **id, size_t *len, const struct bl_xnode *call, struct bl_xcx *cx)
{
	if (!cx->e)
		return bl_xfail(cx, call, "%s() needs an asset", call->fn->name);
	const struct bl_value *doc = cx->e->outer ? cx->e->outer : cx->e->doc;
	const struct bl_value *v = bl_value_getz(doc, "id");
	if (!v || v->type != BL_VSTR)
		return bl_xfail(cx, call, "%s(): the resource has no id to take it from",
				call->fn->name);
	*id = v->u.str.s;
	*len = v->u.str.len;
	return 0;
}

/* The text after "/<seg>/" in id (case-insensitive), up to the next '/'. */
static bool id_part(const char *id, size_t len, const char *seg, size_t *off, size_t *n)
{
	size_t sl = strlen(seg);
	for (size_t i = 0; i + sl + 2 <= len; i++) {
		if (id[i] != '/' || id[i + sl + 1] != '/' || !bl_str_ieq(id + i + 1, sl, seg, sl))
			continue;
		size_t b = i + sl + 2, e = b;
		while (e < len && id[e] != '/')
			e++;
		if (e == b)
			return false;
		*off = b;
		*n = e - b;
		return true;
	}
	return false;
}

/* An object of n members (keys and values given), in cx's arena. */
static int ret_obj(const struct bl_value **out, const char *const *keys,
		   const struct bl_value *const *vals, uint32_t n, struct bl_xcx *cx)
{
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	struct bl_member *m = bl_arena_calloc(cx->arena, n ? n : 1, sizeof(*m));
	if (!o || !m)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (!vals[i])
			return BL_ENOMEM;
		m[i].key = keys[i];
		m[i].klen = (uint32_t)strlen(keys[i]);
		m[i].val = *vals[i];
	}
	o->u.obj.items = m;
	o->u.obj.n = n;
	*out = o;
	return 0;
}

/*
 * *out (an object made by ret_obj from the resource id) completed with the
 * snapshot's resource of that id when the engine indexed it: every other
 * top-level member (tags, location, tenantId...), and displayName from
 * properties.displayName when only there (Resource Graph exports keep it
 * there for subscriptions).  Without the resource, *out stays as it is and
 * reading .tags reports the property as missing.
 */
static int with_snapshot(const struct bl_value **out, struct bl_xcx *cx)
{
	const struct bl_value *base = *out;
	const struct bl_value *id = bl_value_getz(base, "id");
	if (!cx->e->find_resource || !id)
		return 0;
	const struct bl_value *doc = cx->e->find_resource(cx->e->find_ctx, id->u.str.s,
							  id->u.str.len);
	if (!doc || doc->type != BL_VOBJ)
		return 0;
	const struct bl_value *props = bl_value_getz(doc, "properties");
	const struct bl_value *dn = props && props->type == BL_VOBJ
					    ? bl_value_getz(props, "displayName") : NULL;
	uint32_t n = base->u.obj.n, cap = n + doc->u.obj.n + 1;
	struct bl_member *m = bl_arena_calloc(cx->arena, cap, sizeof(*m));
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	if (!m || !o)
		return BL_ENOMEM;
	memcpy(m, base->u.obj.items, n * sizeof(*m));
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		const struct bl_member *dm = &doc->u.obj.items[i];
		bool have = false;
		for (uint32_t k = 0; k < n && !have; k++)
			have = bl_str_ieq(m[k].key, m[k].klen, dm->key, dm->klen);
		if (!have)
			m[n++] = *dm;
	}
	bool have_dn = false;
	for (uint32_t k = 0; k < n && !have_dn; k++)
		have_dn = bl_str_ieq(m[k].key, m[k].klen, "displayName", 11);
	if (!have_dn && dn) {
		m[n].key = "displayName";
		m[n].klen = 11;
		m[n++].val = *dn;
	}
	o->u.obj.items = m;
	o->u.obj.n = n;
	*out = o;
	return 0;
}

static int fn_resourceGroup(const struct bl_value **out, const struct bl_xnode *call,
			    struct bl_xcx *cx)
{
	const char *id;
	size_t len, so, sn, ro, rn;
	int rc = asset_id(&id, &len, call, cx);
	if (rc)
		return rc;
	if (!id_part(id, len, "subscriptions", &so, &sn) ||
	    !id_part(id, len, "resourceGroups", &ro, &rn))
		return bl_xfail(cx, call, "resourceGroup(): the resource id '%.*s' names no resource group",
				(int)(len > 200 ? 200 : len), id);
	static const char *const keys[] = {"id", "name", "type"};
	const struct bl_value *vals[] = {
		bl_value_new_str(cx->arena, id, ro + rn),
		bl_value_new_str(cx->arena, id + ro, rn),
		bl_value_new_str(cx->arena, "Microsoft.Resources/resourceGroups", 34),
	};
	rc = ret_obj(out, keys, vals, 3, cx);
	return rc ? rc : with_snapshot(out, cx);
}

static int fn_subscription(const struct bl_value **out, const struct bl_xnode *call,
			   struct bl_xcx *cx)
{
	const char *id;
	size_t len, so, sn;
	int rc = asset_id(&id, &len, call, cx);
	if (rc)
		return rc;
	if (!id_part(id, len, "subscriptions", &so, &sn))
		return bl_xfail(cx, call, "subscription(): the resource id '%.*s' names no subscription",
				(int)(len > 200 ? 200 : len), id);
	static const char *const keys[] = {"id", "subscriptionId"};
	const struct bl_value *vals[] = {
		bl_value_new_str(cx->arena, id, so + sn),
		bl_value_new_str(cx->arena, id + so, sn),
	};
	rc = ret_obj(out, keys, vals, 2, cx);
	return rc ? rc : with_snapshot(out, cx);
}

/* The API version a request would carry; offline there is no request, so
 * it is a constant (docs/expressions.md). */
#define BL_DEFAULT_API_VERSION "2024-01-01"

static int fn_requestContext(const struct bl_value **out, const struct bl_xnode *call,
			     struct bl_xcx *cx)
{
	(void)call;
	const char *v = getenv("BASELINE_REQUEST_API_VERSION");
	if (!v || !*v)
		v = BL_DEFAULT_API_VERSION;
	static const char *const keys[] = {"apiVersion"};
	const struct bl_value *vals[] = {bl_value_new_str(cx->arena, v, strlen(v))};
	return ret_obj(out, keys, vals, 1, cx);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* An ISO 8601 date or date-time (YYYY-MM-DD[THH:MM[:SS[.fff...]]][Z|+hh:mm|-hh:mm])
 * as seconds since the epoch (UTC) and a fraction of up to 7 digits
 * (100-nanosecond ticks, as .NET keeps them). */
static bool parse_time(const char *s, size_t n, long long *secs, unsigned *ticks)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	*ticks = 0;
	if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	size_t i = 10;
	long long off = 0;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		if (n < i + 6 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &mi))
			return false;
		i += 6;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || !digits(s + i + 1, 2, &se))
				return false;
			i += 3;
			if (i < n && s[i] == '.') {
				size_t k = 0;
				i++;
				while (i < n && s[i] >= '0' && s[i] <= '9') {
					if (k < 7)
						*ticks = *ticks * 10 + (unsigned)(s[i] - '0');
					k++;
					i++;
				}
				if (!k)
					return false;
				for (; k < 7; k++)
					*ticks *= 10;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return false;
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			unsigned oh, om;
			if (n < i + 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
			    !digits(s + i + 4, 2, &om))
				return false;
			off = (long long)(oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
			i += 6;
		}
	}
	if (i != n)
		return false;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	return true;
}

/* yyyy-MM-ddTHH:mm:ss.fffffffZ, the format Azure Policy's utcNow() returns. */
static int ret_time(const struct bl_value **out, long long secs, unsigned ticks,
		    struct bl_xcx *cx)
{
	long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	long long rem = secs - days * 86400, y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return bl_xfail(cx, NULL, "date out of range (years 1 to 9999)");
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%07uZ", y, m, d,
			 rem / 3600, rem / 60 % 60, rem % 60, ticks);
	*out = bl_value_new_str(cx->arena, buf, (size_t)n);
	return *out ? 0 : BL_ENOMEM;
}

static int fn_utcNow(const struct bl_value **out, const struct bl_xnode *call,
		     struct bl_xcx *cx)
{
	/* BASELINE_NOW pins the clock (tests, reproducible reruns) */
	const char *pin = getenv("BASELINE_NOW");
	long long secs;
	unsigned ticks = 0;
	if (pin && *pin) {
		if (!parse_time(pin, strlen(pin), &secs, &ticks))
			return bl_xfail(cx, call, "utcNow(): BASELINE_NOW '%.40s' is not an ISO 8601 date-time",
					pin);
	} else {
		secs = (long long)time(NULL);
	}
	return ret_time(out, secs, ticks, cx);
}

static int fn_addDays(const struct bl_value **out, const struct bl_xnode *call,
		      struct bl_xcx *cx)
{
	const struct bl_value *s;
	long long days, secs;
	unsigned ticks;
	int rc = str_arg(&s, call, 0, cx);
	if (rc || (rc = int_arg(&days, call, 1, cx)))
		return rc;
	if (!parse_time(s->u.str.s, s->u.str.len, &secs, &ticks))
		return bl_xfail(cx, call->args[0], "addDays() expects an ISO 8601 date-time, got '%.*s'",
				(int)(s->u.str.len > 60 ? 60 : s->u.str.len), s->u.str.s);
	if (days > 3660000 || days < -3660000)
		return bl_xfail(cx, call->args[1], "addDays(): %lld days is out of range", days);
	return ret_time(out, secs + days * 86400, ticks, cx);
}

/* Arguments 0..n-1 must all be arrays or all objects. */
static int same_kind(bool *arrays, const struct bl_value **vs, const struct bl_xnode *call,
		     struct bl_xcx *cx)
{
	for (uint32_t i = 0; i < call->nargs; i++) {
		int rc = bl_xarg(&vs[i], call, i, cx);
		if (rc)
			return rc;
		if (vs[i]->type != BL_VARR && vs[i]->type != BL_VOBJ)
			return type_err(cx, call, i, "an array or object", vs[i]);
		if (vs[i]->type != vs[0]->type)
			return type_err(cx, call, i, vs[0]->type == BL_VARR ? "an array" : "an object",
					vs[i]);
	}
	*arrays = vs[0]->type == BL_VARR;
	return 0;
}

static bool arr_has(const struct bl_value *items, uint32_t n, const struct bl_value *v)
{
	for (uint32_t i = 0; i < n; i++)
		if (bl_xequal(&items[i], v))
			return true;
	return false;
}

static const struct bl_member *obj_find(const struct bl_member *m, uint32_t n,
					const char *k, uint32_t klen)
{
	for (uint32_t i = 0; i < n; i++)
		if (bl_str_ieq(m[i].key, m[i].klen, k, klen))
			return &m[i];
	return NULL;
}

/* union(): every element once, in order of appearance; for objects every
 * key, the last argument's value winning.  intersection(): the elements of
 * the first argument that every other has (once each); for objects the
 * members of the first that every other has with an equal value. */
static int setop(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		 bool is_union)
{
	const struct bl_value **vs = bl_arena_alloc(cx->arena, call->nargs * sizeof(*vs));
	if (!vs)
		return BL_ENOMEM;
	bool arrays = true;
	int rc = same_kind(&arrays, vs, call, cx);
	if (rc)
		return rc;
	size_t total = 0;
	for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++)
		total += arrays ? vs[i]->u.arr.n : vs[i]->u.obj.n;
	if (total > UINT32_MAX / 2)
		return bl_xfail(cx, call, "%s(): result too large", call->fn->name);
	struct bl_value *r = bl_value_new(cx->arena, arrays ? BL_VARR : BL_VOBJ);
	if (!r)
		return BL_ENOMEM;
	uint32_t n = 0;
	if (arrays) {
		struct bl_value *items = bl_arena_alloc(cx->arena, (total ? total : 1) * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++) {
			for (uint32_t j = 0; j < vs[i]->u.arr.n; j++) {
				const struct bl_value *e = &vs[i]->u.arr.items[j];
				bool keep = !arr_has(items, n, e);
				for (uint32_t k = 1; keep && !is_union && k < call->nargs; k++)
					keep = arr_has(vs[k]->u.arr.items, vs[k]->u.arr.n, e);
				if (keep)
					items[n++] = *e;
			}
		}
		r->u.arr.items = items;
		r->u.arr.n = n;
	} else {
		struct bl_member *items = bl_arena_alloc(cx->arena, (total ? total : 1) * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (uint32_t i = 0; i < (is_union ? call->nargs : 1); i++) {
			for (uint32_t j = 0; j < vs[i]->u.obj.n; j++) {
				const struct bl_member *m = &vs[i]->u.obj.items[j];
				struct bl_member *old = (struct bl_member *)obj_find(items, n, m->key, m->klen);
				if (is_union) {
					if (old)
						old->val = m->val;
					else
						items[n++] = *m;
					continue;
				}
				bool keep = !old;
				for (uint32_t k = 1; keep && k < call->nargs; k++) {
					const struct bl_member *o = obj_find(vs[k]->u.obj.items, vs[k]->u.obj.n,
									     m->key, m->klen);
					keep = o && bl_xequal(&o->val, &m->val);
				}
				if (keep)
					items[n++] = *m;
			}
		}
		r->u.obj.items = items;
		r->u.obj.n = n;
	}
	*out = r;
	return 0;
}

static int fn_union(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return setop(out, call, cx, true);
}

static int fn_intersection(const struct bl_value **out, const struct bl_xnode *call,
			   struct bl_xcx *cx)
{
	return setop(out, call, cx, false);
}

static int fn_createObject(const struct bl_value **out, const struct bl_xnode *call,
			   struct bl_xcx *cx)
{
	if (call->nargs % 2)
		return bl_xfail(cx, call, "createObject() expects key and value pairs, got %u arguments",
				call->nargs);
	uint32_t n = call->nargs / 2, k = 0;
	struct bl_member *m = bl_arena_calloc(cx->arena, n ? n : 1, sizeof(*m));
	struct bl_value *o = bl_value_new(cx->arena, BL_VOBJ);
	if (!m || !o)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *key, *val;
		int rc = str_arg(&key, call, 2 * i, cx);
		if (rc || (rc = bl_xarg(&val, call, 2 * i + 1, cx)))
			return rc;
		struct bl_member *old = (struct bl_member *)obj_find(m, k, key->u.str.s, key->u.str.len);
		if (old)
			return bl_xfail(cx, call->args[2 * i], "createObject(): key '%.*s' is given twice",
					(int)(key->u.str.len > 60 ? 60 : key->u.str.len), key->u.str.s);
		m[k].key = key->u.str.s;
		m[k].klen = key->u.str.len;
		m[k].val = *val;
		k++;
	}
	o->u.obj.items = m;
	o->u.obj.n = k;
	*out = o;
	return 0;
}

/* tryGet(item, keyOrIndex, ...): the value, or null when any step is missing. */
static int fn_tryGet(const struct bl_value **out, const struct bl_xnode *call,
		     struct bl_xcx *cx)
{
	const struct bl_value *v;
	int rc = bl_xarg(&v, call, 0, cx);
	if (rc)
		return rc;
	if (v->type != BL_VARR && v->type != BL_VOBJ)
		return type_err(cx, call, 0, "an array or object", v);
	for (uint32_t i = 1; i < call->nargs; i++) {
		const struct bl_value *k;
		if ((rc = bl_xarg(&k, call, i, cx)))
			return rc;
		if (k->type != BL_VSTR && !is_integral(k))
			return type_err(cx, call, i, "a key (string) or an index (integer)", k);
		const struct bl_value *next = NULL;
		if (v->type == BL_VOBJ && k->type == BL_VSTR) {
			const struct bl_member *m = obj_find(v->u.obj.items, v->u.obj.n, k->u.str.s,
							     k->u.str.len);
			next = m ? &m->val : NULL;
		} else if (v->type == BL_VARR && k->type == BL_VNUM && k->u.num.d >= 0 &&
			   k->u.num.d < v->u.arr.n) {
			next = &v->u.arr.items[(uint32_t)k->u.num.d];
		}
		if (!next) {
			*out = &bl_xnull;
			return 0;
		}
		v = next;
	}
	*out = v;
	return 0;
}

static int fn_base64(const struct bl_value **out, const struct bl_xnode *call,
		     struct bl_xcx *cx)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const struct bl_value *s;
	int rc = str_arg(&s, call, 0, cx);
	if (rc)
		return rc;
	const unsigned char *p = (const unsigned char *)s->u.str.s;
	size_t n = s->u.str.len;
	if (n > XSTR_MAX / 2)
		return bl_xfail(cx, call, "base64(): string too long");
	char *o = bl_arena_alloc(cx->arena, (n + 2) / 3 * 4 + 1);
	if (!o)
		return BL_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		o[k++] = tab[v >> 18 & 63];
		o[k++] = tab[v >> 12 & 63];
		o[k++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		o[k++] = i + 2 < n ? tab[v & 63] : '=';
	}
	return ret_strref(out, o, k, cx);
}

/* add sub mul div mod: integers, as ARM's; a result beyond 2^53 is an error. */
static int arith(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx,
		 char op)
{
	long long a, b;
	int rc = int_arg(&a, call, 0, cx);
	if (rc || (rc = int_arg(&b, call, 1, cx)))
		return rc;
	if ((op == '/' || op == '%') && b == 0)
		return bl_xfail(cx, call->args[1], "%s(): division by zero", call->fn->name);
	double r;
	switch (op) {
	case '+': r = (double)a + (double)b; break;
	case '-': r = (double)a - (double)b; break;
	case '*': r = (double)a * (double)b; break;
	case '/': r = (double)(a / b); break;   /* truncates toward zero, as C# */
	default: r = (double)(a % b); break;
	}
	if (fabs(r) > 9007199254740992.0)
		return bl_xfail(cx, call, "%s(): result out of range", call->fn->name);
	return ret_num(out, r, cx);
}

static int fn_add(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '+');
}

static int fn_sub(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '-');
}

static int fn_mul(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '*');
}

static int fn_div(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '/');
}

static int fn_mod(const struct bl_value **out, const struct bl_xnode *call, struct bl_xcx *cx)
{
	return arith(out, call, cx, '%');
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static const struct bl_xfn table[] = {
	{ "add", 2, 2, 0, fn_add },
	{ "addDays", 2, 2, 0, fn_addDays },
	{ "and", 2, BL_XARGS_ANY, 0, fn_and },
	{ "base64", 1, 1, 0, fn_base64 },
	{ "bool", 1, 1, 0, fn_bool },
	{ "coalesce", 1, BL_XARGS_ANY, 0, fn_coalesce },
	{ "concat", 1, BL_XARGS_ANY, 0, fn_concat },
	{ "contains", 2, 2, 0, fn_contains },
	{ "createArray", 0, BL_XARGS_ANY, 0, fn_createArray },
	{ "createObject", 0, BL_XARGS_ANY, 0, fn_createObject },
	{ "current", 0, 1, BL_XF_DYNAMIC, fn_current },
	{ "div", 2, 2, 0, fn_div },
	{ "empty", 1, 1, 0, fn_empty },
	{ "endsWith", 2, 2, 0, fn_endsWith },
	{ "equals", 2, 2, 0, fn_equals },
	{ "false", 0, 0, 0, fn_false },
	{ "field", 1, 1, BL_XF_DYNAMIC, fn_field },
	{ "first", 1, 1, 0, fn_first },
	{ "greater", 2, 2, 0, fn_greater },
	{ "greaterOrEquals", 2, 2, 0, fn_greaterOrEquals },
	{ "if", 3, 3, 0, fn_if },
	{ "int", 1, 1, 0, fn_int },
	{ "intersection", 2, BL_XARGS_ANY, 0, fn_intersection },
	{ "ipRangeContains", 2, 2, 0, fn_ipRangeContains },
	{ "last", 1, 1, 0, fn_last },
	{ "length", 1, 1, 0, fn_length },
	{ "less", 2, 2, 0, fn_less },
	{ "lessOrEquals", 2, 2, 0, fn_lessOrEquals },
	{ "mod", 2, 2, 0, fn_mod },
	{ "mul", 2, 2, 0, fn_mul },
	{ "not", 1, 1, 0, fn_not },
	{ "null", 0, 0, 0, fn_null },
	{ "or", 2, BL_XARGS_ANY, 0, fn_or },
	{ "parameters", 1, 1, 0, fn_parameters },
	{ "replace", 3, 3, 0, fn_replace },
	{ "requestContext", 0, 0, 0, fn_requestContext },
	{ "resourceGroup", 0, 0, BL_XF_DYNAMIC, fn_resourceGroup },
	{ "split", 2, 2, 0, fn_split },
	{ "startsWith", 2, 2, 0, fn_startsWith },
	{ "string", 1, 1, 0, fn_string },
	{ "sub", 2, 2, 0, fn_sub },
	{ "subscription", 0, 0, BL_XF_DYNAMIC, fn_subscription },
	{ "substring", 2, 3, 0, fn_substring },
	{ "toLower", 1, 1, 0, fn_toLower },
	{ "toUpper", 1, 1, 0, fn_toUpper },
	{ "trim", 1, 1, 0, fn_trim },
	{ "true", 0, 0, 0, fn_true },
	{ "tryGet", 2, BL_XARGS_ANY, 0, fn_tryGet },
	{ "union", 2, BL_XARGS_ANY, 0, fn_union },
	{ "utcNow", 0, 0, 0, fn_utcNow },
};

const struct bl_xfn *bl_xfn_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (bl_str_ieq(table[i].name, strlen(table[i].name), name, len))
			return &table[i];
	return NULL;
}
