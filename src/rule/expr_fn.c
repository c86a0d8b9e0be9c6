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
#include "rule/expr_fn.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

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
/* The table                                                           */

static const struct bl_xfn table[] = {
	{ "add", 2, 2, 0, bl_xf_add },
	{ "addDays", 2, 2, 0, bl_xf_addDays },
	{ "and", 2, BL_XARGS_ANY, 0, fn_and },
	{ "base64", 1, 1, 0, bl_xf_base64 },
	{ "bool", 1, 1, 0, fn_bool },
	{ "coalesce", 1, BL_XARGS_ANY, 0, fn_coalesce },
	{ "concat", 1, BL_XARGS_ANY, 0, fn_concat },
	{ "contains", 2, 2, 0, fn_contains },
	{ "createArray", 0, BL_XARGS_ANY, 0, fn_createArray },
	{ "createObject", 0, BL_XARGS_ANY, 0, bl_xf_createObject },
	{ "current", 0, 1, BL_XF_DYNAMIC, fn_current },
	{ "div", 2, 2, 0, bl_xf_div },
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
	{ "intersection", 2, BL_XARGS_ANY, 0, bl_xf_intersection },
	{ "ipRangeContains", 2, 2, 0, bl_xf_ipRangeContains },
	{ "last", 1, 1, 0, fn_last },
	{ "length", 1, 1, 0, fn_length },
	{ "less", 2, 2, 0, fn_less },
	{ "lessOrEquals", 2, 2, 0, fn_lessOrEquals },
	{ "mod", 2, 2, 0, bl_xf_mod },
	{ "mul", 2, 2, 0, bl_xf_mul },
	{ "not", 1, 1, 0, fn_not },
	{ "null", 0, 0, 0, fn_null },
	{ "or", 2, BL_XARGS_ANY, 0, fn_or },
	{ "parameters", 1, 1, 0, fn_parameters },
	{ "replace", 3, 3, 0, fn_replace },
	{ "requestContext", 0, 0, 0, bl_xf_requestContext },
	{ "resourceGroup", 0, 0, BL_XF_DYNAMIC, bl_xf_resourceGroup },
	{ "split", 2, 2, 0, fn_split },
	{ "startsWith", 2, 2, 0, fn_startsWith },
	{ "string", 1, 1, 0, fn_string },
	{ "sub", 2, 2, 0, bl_xf_sub },
	{ "subscription", 0, 0, BL_XF_DYNAMIC, bl_xf_subscription },
	{ "substring", 2, 3, 0, fn_substring },
	{ "toLower", 1, 1, 0, fn_toLower },
	{ "toUpper", 1, 1, 0, fn_toUpper },
	{ "trim", 1, 1, 0, fn_trim },
	{ "true", 0, 0, 0, fn_true },
	{ "tryGet", 2, BL_XARGS_ANY, 0, bl_xf_tryGet },
	{ "union", 2, BL_XARGS_ANY, 0, bl_xf_union },
	{ "utcNow", 0, 0, 0, bl_xf_utcNow },
};

const struct bl_xfn *bl_xfn_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (bl_str_ieq(table[i].name, strlen(table[i].name), name, len))
			return &table[i];
	return NULL;
}
