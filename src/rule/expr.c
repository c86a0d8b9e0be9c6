/*
 * expr.c - template expressions "[...]" (FORMATS.md §2): the parser, the
 * constant-folding pass, evaluation of the tree, and field()/current()
 * resolution against the count scopes.  The function implementations live
 * in expr_fn.c behind one table.
 *
 * Nothing here recurses more than BL_EXPR_MAX_DEPTH levels: the parser
 * refuses deeper input, so folding, evaluation and key walking (which follow
 * the tree) are bounded too.
 */
#include "rule/expr.h"
#include "rule/expr_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bl_expr {
	const char *text;              /* as written, NUL-terminated (env arena) */
	const struct bl_xnode *root;
	const struct bl_value *cval;   /* folded constant, or NULL */
	const char **keys;             /* distinct first field() segments, lower-cased */
	uint32_t *klens;
	uint32_t nkeys;
};

const struct bl_value bl_xnull = { .type = BL_VNULL };

bool bl_expr_is(const char *s, size_t len)
{
	return s && len >= 2 && s[0] == '[' && s[len - 1] == ']' && s[1] != '[';
}

int bl_xfail(struct bl_xcx *cx, const struct bl_xnode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cx->err && cx->errsz)
		vsnprintf(cx->err, cx->errsz, fmt, ap);
	va_end(ap);
	if (n)
		cx->erroff = n->off;
	return BL_EINVAL;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */

struct parser {
	const char *t;       /* the whole text, '[' at 0 */
	size_t end;          /* index of the closing ']' */
	size_t pos;
	struct bl_arena *a;
	char err[256];
	uint32_t erroff;
};

/* Record a syntax error at offset off; returns BL_EINVAL. */
static int perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->erroff = (uint32_t)off;
	return BL_EINVAL;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->end && (p->t[p->pos] == ' ' || p->t[p->pos] == '\t' ||
				   p->t[p->pos] == '\n' || p->t[p->pos] == '\r'))
		p->pos++;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct bl_xnode *node_new(struct parser *p, enum bl_xkind kind, size_t off)
{
	struct bl_xnode *n = bl_arena_calloc(p->a, 1, sizeof(*n));
	if (n) {
		n->kind = (uint8_t)kind;
		n->off = (uint32_t)off;
		n->height = 1;
	}
	return n;
}

/* Describe what sits at the parser position, for "expected X, found Y". */
static const char *found(const struct parser *p, char *buf, size_t size)
{
	if (p->pos >= p->end)
		return "the end of the expression";
	unsigned char c = (unsigned char)p->t[p->pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

/* A string literal at p->pos (the opening quote); '' is a quote. */
static int parse_string(struct parser *p, struct bl_xnode **out)
{
	size_t start = p->pos++;
	size_t cap = 0, len = 0;
	/* First pass: find the end and the unescaped length. */
	size_t i = p->pos;
	for (;;) {
		if (i >= p->end)
			return perr(p, start, "unterminated string starting at offset %zu", start);
		if (p->t[i] == '\'') {
			if (i + 1 < p->end && p->t[i + 1] == '\'') {
				len++;
				i += 2;
				continue;
			}
			break;
		}
		len++;
		i++;
	}
	cap = len;
	char *s = bl_arena_alloc(p->a, cap + 1);
	struct bl_xnode *n = node_new(p, BL_XN_CONST, start);
	struct bl_value *v = bl_value_new(p->a, BL_VSTR);
	if (!s || !n || !v)
		return BL_ENOMEM;
	size_t k = 0;
	for (size_t j = p->pos; j < i; j++) {
		s[k++] = p->t[j];
		if (p->t[j] == '\'')
			j++;
	}
	s[k] = '\0';
	if (k > UINT32_MAX)
		return perr(p, start, "string too long");
	v->u.str.s = s;
	v->u.str.len = (uint32_t)k;
	n->val = v;
	p->pos = i + 1;
	*out = n;
	return 0;
}

/* A number literal: -?[0-9]+(.[0-9]+)? */
static int parse_number(struct parser *p, struct bl_xnode **out)
{
	size_t start = p->pos;
	size_t i = p->pos;
	bool integral = true;
	if (p->t[i] == '-')
		i++;
	if (i >= p->end || !is_digit(p->t[i]))
		return perr(p, start, "expected a digit after '-' at offset %zu", i);
	while (i < p->end && is_digit(p->t[i]))
		i++;
	if (i < p->end && p->t[i] == '.') {
		integral = false;
		i++;
		if (i >= p->end || !is_digit(p->t[i]))
			return perr(p, i, "expected a digit after '.' at offset %zu", i);
		while (i < p->end && is_digit(p->t[i]))
			i++;
	}
	if (i < p->end && is_ident_start(p->t[i]))
		return perr(p, i, "unexpected '%c' after number at offset %zu", p->t[i], i);
	char *text = bl_arena_strndup(p->a, p->t + start, i - start);
	struct bl_xnode *n = node_new(p, BL_XN_CONST, start);
	struct bl_value *v = bl_value_new(p->a, BL_VNUM);
	if (!text || !n || !v)
		return BL_ENOMEM;
	double d = strtod(text, NULL);
	if (!isfinite(d))
		return perr(p, start, "number out of range at offset %zu", start);
	v->u.num.text = text;
	v->u.num.len = (uint32_t)(i - start);
	v->u.num.d = d;
	if (integral)
		v->flags |= BL_VF_INT;
	n->val = v;
	p->pos = i;
	*out = n;
	return 0;
}

static int parse_expr(struct parser *p, struct bl_xnode **out, unsigned depth);

static int check_height(struct parser *p, struct bl_xnode *n)
{
	if (n->height > BL_EXPR_MAX_DEPTH)
		return perr(p, n->off, "expression nested too deeply (more than %d levels) at offset %u",
			    BL_EXPR_MAX_DEPTH, n->off);
	return 0;
}

/* name(args...) or a literal keyword; p->pos at the first letter. */
static int parse_call(struct parser *p, struct bl_xnode **out, unsigned depth)
{
	size_t start = p->pos;
	while (p->pos < p->end && is_ident(p->t[p->pos]))
		p->pos++;
	const char *name = p->t + start;
	size_t nlen = p->pos - start;
	skip_ws(p);
	if (p->pos >= p->end || p->t[p->pos] != '(') {
		struct bl_xnode *n = node_new(p, BL_XN_CONST, start);
		if (!n)
			return BL_ENOMEM;
		if (bl_str_ieq(name, nlen, "true", 4) || bl_str_ieq(name, nlen, "false", 5)) {
			struct bl_value *v = bl_value_new_bool(p->a, name[0] == 't' || name[0] == 'T');
			if (!v)
				return BL_ENOMEM;
			n->val = v;
		} else if (bl_str_ieq(name, nlen, "null", 4)) {
			n->val = &bl_xnull;
		} else {
			char buf[16];
			return perr(p, p->pos, "expected '(' after '%.*s' at offset %zu, found %s",
				    (int)(nlen > 64 ? 64 : nlen), name, p->pos,
				    found(p, buf, sizeof(buf)));
		}
		*out = n;
		return 0;
	}
	const struct bl_xfn *fn = bl_xfn_find(name, nlen);
	if (!fn)
		return perr(p, start, "unknown function '%.*s' at offset %zu",
			    (int)(nlen > 64 ? 64 : nlen), name, start);
	p->pos++; /* '(' */
	struct bl_xnode *n = node_new(p, BL_XN_CALL, start);
	if (!n)
		return BL_ENOMEM;
	n->fn = fn;
	uint32_t cap = 0;
	skip_ws(p);
	if (p->pos < p->end && p->t[p->pos] == ')') {
		p->pos++;
	} else {
		for (;;) {
			struct bl_xnode *arg = NULL;
			int rc = parse_expr(p, &arg, depth + 1);
			if (rc)
				return rc;
			if (n->nargs == cap) {
				uint32_t ncap = cap ? cap * 2 : 4;
				struct bl_xnode **na = bl_arena_alloc(p->a, ncap * sizeof(*na));
				if (!na)
					return BL_ENOMEM;
				if (n->nargs)
					memcpy(na, n->args, n->nargs * sizeof(*na));
				n->args = na;
				cap = ncap;
			}
			n->args[n->nargs++] = arg;
			if (arg->dynamic)
				n->dynamic = true;
			if (arg->height + 1 > n->height)
				n->height = (uint16_t)(arg->height + 1);
			skip_ws(p);
			if (p->pos < p->end && p->t[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->end && p->t[p->pos] == ')') {
				p->pos++;
				break;
			}
			char buf[16];
			return perr(p, p->pos, "expected ',' or ')' at offset %zu, found %s",
				    p->pos, found(p, buf, sizeof(buf)));
		}
	}
	if (fn->flags & BL_XF_DYNAMIC)
		n->dynamic = true;
	if (n->nargs < fn->min || (fn->max != BL_XARGS_ANY && n->nargs > fn->max)) {
		if (fn->min == fn->max)
			return perr(p, start, "%s() takes %u argument%s, got %u", fn->name,
				    fn->min, fn->min == 1 ? "" : "s", n->nargs);
		if (fn->max == BL_XARGS_ANY)
			return perr(p, start, "%s() takes at least %u argument%s, got %u",
				    fn->name, fn->min, fn->min == 1 ? "" : "s", n->nargs);
		return perr(p, start, "%s() takes %u to %u arguments, got %u", fn->name,
			    fn->min, fn->max, n->nargs);
	}
	*out = n;
	return check_height(p, n);
}

static int parse_primary(struct parser *p, struct bl_xnode **out, unsigned depth)
{
	skip_ws(p);
	if (p->pos >= p->end)
		return perr(p, p->pos, "expected a value at offset %zu, found the end of the expression",
			    p->pos);
	char c = p->t[p->pos];
	if (c == '\'')
		return parse_string(p, out);
	if (c == '-' || is_digit(c))
		return parse_number(p, out);
	if (is_ident_start(c))
		return parse_call(p, out, depth);
	char buf[16];
	return perr(p, p->pos, "expected a function call, string or number at offset %zu, found %s",
		    p->pos, found(p, buf, sizeof(buf)));
}

/* Wrap base in a property/index node and check the height. */
static int wrap(struct parser *p, struct bl_xnode *n, struct bl_xnode *base, struct bl_xnode *sub)
{
	n->base = base;
	n->sub = sub;
	n->dynamic = base->dynamic || (sub && sub->dynamic);
	uint16_t h = base->height;
	if (sub && sub->height > h)
		h = sub->height;
	n->height = (uint16_t)(h + 1);
	return check_height(p, n);
}

static int parse_expr(struct parser *p, struct bl_xnode **out, unsigned depth)
{
	if (depth > BL_EXPR_MAX_DEPTH)
		return perr(p, p->pos, "expression nested too deeply (more than %d levels) at offset %zu",
			    BL_EXPR_MAX_DEPTH, p->pos);
	struct bl_xnode *n = NULL;
	int rc = parse_primary(p, &n, depth);
	if (rc)
		return rc;
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->end)
			break;
		char c = p->t[p->pos];
		if (c == '.') {
			size_t dot = p->pos++;
			skip_ws(p);
			size_t s = p->pos;
			while (p->pos < p->end && is_ident(p->t[p->pos]))
				p->pos++;
			if (p->pos == s) {
				char buf[16];
				return perr(p, p->pos, "expected a property name after '.' at offset %zu, found %s",
					    p->pos, found(p, buf, sizeof(buf)));
			}
			struct bl_xnode *w = node_new(p, BL_XN_PROP, dot);
			if (!w)
				return BL_ENOMEM;
			w->key = bl_arena_strndup(p->a, p->t + s, p->pos - s);
			if (!w->key)
				return BL_ENOMEM;
			w->klen = (uint32_t)(p->pos - s);
			if ((rc = wrap(p, w, n, NULL)))
				return rc;
			n = w;
		} else if (c == '[') {
			size_t open = p->pos++;
			struct bl_xnode *sub = NULL;
			if ((rc = parse_expr(p, &sub, depth + 1)))
				return rc;
			skip_ws(p);
			if (p->pos >= p->end || p->t[p->pos] != ']') {
				char buf[16];
				return perr(p, p->pos, "expected ']' at offset %zu, found %s", p->pos,
					    found(p, buf, sizeof(buf)));
			}
			p->pos++;
			struct bl_xnode *w = node_new(p, BL_XN_INDEX, open);
			if (!w)
				return BL_ENOMEM;
			if ((rc = wrap(p, w, n, sub)))
				return rc;
			n = w;
		} else {
			break;
		}
	}
	*out = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */

static int eval_access(const struct bl_value **out, const struct bl_xnode *n,
		       const struct bl_value *base, const struct bl_value *key, struct bl_xcx *cx)
{
	if (key->type == BL_VSTR) {
		const char *k = key->u.str.s;
		int kl = key->u.str.len > 64 ? 64 : (int)key->u.str.len;
		if (!base)
			return bl_xfail(cx, n, "cannot read property '%.*s' of a missing value", kl, k);
		if (base->type != BL_VOBJ)
			return bl_xfail(cx, n, "cannot read property '%.*s' of %s %s", kl, k,
					base->type == BL_VARR || base->type == BL_VOBJ ? "an" : "a",
					bl_vtype_name((enum bl_vtype)base->type));
		const struct bl_value *v = bl_value_get(base, key->u.str.s, key->u.str.len);
		if (!v)
			return bl_xfail(cx, n, "property '%.*s' does not exist", kl, k);
		*out = v;
		return 0;
	}
	if (key->type == BL_VNUM) {
		double d = key->u.num.d;
		if (d != floor(d) || d < 0)
			return bl_xfail(cx, n, "index %s is not a non-negative integer", key->u.num.text);
		if (!base)
			return bl_xfail(cx, n, "cannot index a missing value");
		if (base->type != BL_VARR)
			return bl_xfail(cx, n, "cannot index %s %s", base->type == BL_VARR ||
					base->type == BL_VOBJ ? "an" : "a",
					bl_vtype_name((enum bl_vtype)base->type));
		if (d >= (double)base->u.arr.n)
			return bl_xfail(cx, n, "index %.0f out of range (the array has %u element%s)",
					d, base->u.arr.n, base->u.arr.n == 1 ? "" : "s");
		*out = &base->u.arr.items[(uint32_t)d];
		return 0;
	}
	return bl_xfail(cx, n, "an index must be a string or a number, got %s",
			bl_vtype_name((enum bl_vtype)key->type));
}

int bl_xnode_eval(const struct bl_value **out, const struct bl_xnode *n, struct bl_xcx *cx)
{
	const struct bl_value *base = NULL, *key = NULL;
	int rc;
	*out = NULL;
	switch ((enum bl_xkind)n->kind) {
	case BL_XN_CONST:
		*out = n->val;
		return 0;
	case BL_XN_CALL:
		return n->fn->impl(out, n, cx);
	case BL_XN_PROP: {
		if ((rc = bl_xnode_eval(&base, n->base, cx)))
			return rc;
		struct bl_value k = { .type = BL_VSTR };
		k.u.str.s = n->key;
		k.u.str.len = n->klen;
		return eval_access(out, n, base, &k, cx);
	}
	case BL_XN_INDEX:
		if ((rc = bl_xnode_eval(&base, n->base, cx)))
			return rc;
		if ((rc = bl_xnode_eval(&key, n->sub, cx)))
			return rc;
		if (!key)
			return bl_xfail(cx, n->sub, "an index must be a string or a number, got a missing value");
		return eval_access(out, n, base, key, cx);
	}
	return bl_xfail(cx, n, "internal error: bad expression node");
}

int bl_xarg(const struct bl_value **out, const struct bl_xnode *call, uint32_t i,
	    struct bl_xcx *cx)
{
	int rc = bl_xnode_eval(out, call->args[i], cx);
	if (rc == 0 && !*out)
		*out = &bl_xnull;
	return rc;
}

bool bl_xequal(const struct bl_value *a, const struct bl_value *b)
{
	if (a->type != b->type)
		return false;
	switch ((enum bl_vtype)a->type) {
	case BL_VNULL:
		return true;
	case BL_VBOOL:
		return a->b == b->b;
	case BL_VNUM:
		return a->u.num.d == b->u.num.d;
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case BL_VARR:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (uint32_t i = 0; i < a->u.arr.n; i++)
			if (!bl_xequal(&a->u.arr.items[i], &b->u.arr.items[i]))
				return false;
		return true;
	case BL_VOBJ:
		if (a->u.obj.n != b->u.obj.n)
			return false;
		for (uint32_t i = 0; i < a->u.obj.n; i++) {
			const struct bl_member *m = &a->u.obj.items[i];
			const struct bl_value *o = bl_value_get(b, m->key, m->klen);
			if (!o || !bl_xequal(&m->val, o))
				return false;
		}
		return true;
	}
	return false;
}

/* Do segments a[0..n) equal b[0..n)?  Keys compare case-insensitively. */
static bool segs_equal(const struct bl_seg *a, const struct bl_seg *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (a[i].kind != b[i].kind)
			return false;
		if (a[i].kind == BL_SEG_KEY &&
		    !bl_str_ieq(a[i].key, a[i].klen, b[i].key, b[i].klen))
			return false;
		if (a[i].kind == BL_SEG_INDEX && a[i].index != b[i].index)
			return false;
	}
	return true;
}

/* Resolve segs[from..n) of p starting at root, expanding [*] into an array. */
static int resolve_tail(const struct bl_value **out, const struct bl_path *p, uint32_t from,
			const struct bl_value *root, struct bl_xcx *cx)
{
	if (from >= p->n) {
		*out = root;
		return 0;
	}
	struct bl_path tail = { .segs = p->segs + from, .n = p->n - from, .text = p->text };
	for (uint32_t i = from; i < p->n; i++)
		if (p->segs[i].kind == BL_SEG_ALL)
			tail.nall++;
	if (!tail.nall) {
		*out = bl_path_get(&tail, root);
		return 0;
	}
	*out = bl_path_collect(&tail, root, cx->arena);
	return *out ? 0 : BL_ENOMEM;
}

int bl_xresolve(const struct bl_value **out, const struct bl_path *p, bool field,
		struct bl_xcx *cx)
{
	struct bl_eval *e = cx->e;
	*out = NULL;
	/* Innermost count first: a path under its counted array means its
	 * current element. */
	for (size_t i = e->nscopes; i-- > 0;) {
		const struct bl_scope *s = &e->scopes[i];
		if (!s->array || s->array->n > p->n)
			continue;
		if (segs_equal(s->array->segs, p->segs, s->array->n))
			return resolve_tail(out, p, s->array->n, s->current, cx);
	}
	if (!field)
		return 1; /* not found: the caller reports it */
	/* In an existenceCondition, field() names the resource being assessed
	 * while the condition's own fields name the related one (Azure). */
	return resolve_tail(out, p, 0, e->outer ? e->outer : e->doc, cx);
}

/* ------------------------------------------------------------------ */
/* Compilation: folding, path precompilation, keys                     */

struct compiler {
	const struct bl_rule_env *env;
	const struct bl_value *node;   /* the string node, for positions */
	const char *text;
	struct bl_expr *x;
	uint32_t kcap;
};

static int diag(const struct compiler *c, uint32_t off, const char *msg)
{
	const struct bl_value *nd = c->node;
	uint32_t col = nd->col ? nd->col + off : 0;
	return bl_diag_add(c->env->diags, nd->file, nd->line, col, "%s", msg);
}

static bool is_lazy(const struct bl_xfn *fn)
{
	/* Arguments after the first of these are evaluated only when needed. */
	return bl_str_ieq(fn->name, strlen(fn->name), "if", 2) ||
	       bl_str_ieq(fn->name, strlen(fn->name), "and", 3) ||
	       bl_str_ieq(fn->name, strlen(fn->name), "or", 2) ||
	       bl_str_ieq(fn->name, strlen(fn->name), "coalesce", 8);
}

static bool is_pathfn(const struct bl_xfn *fn, bool *field)
{
	*field = bl_str_ieq(fn->name, strlen(fn->name), "field", 5);
	return *field || bl_str_ieq(fn->name, strlen(fn->name), "current", 7);
}

static int add_key(struct compiler *c, const char *k, uint32_t klen)
{
	struct bl_expr *x = c->x;
	for (uint32_t i = 0; i < x->nkeys; i++)
		if (x->klens[i] == klen && memcmp(x->keys[i], k, klen) == 0)
			return 0;
	if (x->nkeys == c->kcap) {
		uint32_t ncap = c->kcap ? c->kcap * 2 : 4;
		const char **nk = bl_arena_alloc(c->env->arena, ncap * sizeof(*nk));
		uint32_t *nl = bl_arena_alloc(c->env->arena, ncap * sizeof(*nl));
		if (!nk || !nl)
			return BL_ENOMEM;
		if (x->nkeys) {
			memcpy(nk, x->keys, x->nkeys * sizeof(*nk));
			memcpy(nl, x->klens, x->nkeys * sizeof(*nl));
		}
		x->keys = nk;
		x->klens = nl;
		c->kcap = ncap;
	}
	char *low = bl_arena_strndup(c->env->arena, k, klen);
	if (!low)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < klen; i++)
		low[i] = (char)bl_lower((unsigned char)low[i]);
	x->keys[x->nkeys] = low;
	x->klens[x->nkeys] = klen;
	x->nkeys++;
	return 0;
}

/* field()/current() with a constant argument: split the path once. */
static int prepare_path(struct compiler *c, struct bl_xnode *n)
{
	bool field;
	if (!is_pathfn(n->fn, &field) || n->nargs == 0)
		return 0;
	const struct bl_xnode *a = n->args[0];
	if (a->kind != BL_XN_CONST)
		return 0;
	char msg[320];
	if (a->val->type != BL_VSTR) {
		snprintf(msg, sizeof(msg), "%s() expects a string path, got %s", n->fn->name,
			 bl_vtype_name((enum bl_vtype)a->val->type));
		return diag(c, a->off, msg);
	}
	struct bl_path *p = bl_arena_calloc(c->env->arena, 1, sizeof(*p));
	if (!p)
		return BL_ENOMEM;
	struct bl_error err;
	bl_error_clear(&err);
	int rc = bl_path_compile(p, a->val->u.str.s, a->val->u.str.len, c->env->arena, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		snprintf(msg, sizeof(msg), "%s('%.*s'): %.150s", n->fn->name,
			 (int)(a->val->u.str.len > 100 ? 100 : a->val->u.str.len),
			 a->val->u.str.s, err.msg);
		/* err.col is 1-based within the path; the path starts after the quote. */
		return diag(c, a->off + (err.col ? err.col : 1), msg);
	}
	n->path = p;
	if (field && p->n && p->segs[0].kind == BL_SEG_KEY)
		return add_key(c, p->segs[0].key, p->segs[0].klen);
	return 0;
}

/* Fold the constant subtrees of *np in place.  lazy: *np is an argument that
 * may never be evaluated, so an evaluation error is left for run time. */
static int fold(struct compiler *c, struct bl_xnode *n, bool lazy)
{
	int rc;
	if (n->kind == BL_XN_CONST)
		return 0;
	if (!n->dynamic) {
		char err[256] = "";
		struct bl_xcx cx = {
			.arena = c->env->arena, .e = NULL, .env = c->env,
			.err = err, .errsz = sizeof(err), .erroff = n->off,
		};
		const struct bl_value *v = NULL;
		rc = bl_xnode_eval(&v, n, &cx);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc == 0) {
			n->kind = BL_XN_CONST;
			n->val = v ? v : &bl_xnull;
			return 0;
		}
		if (!lazy || cx.hard)
			return diag(c, cx.erroff, err);
		/* Not necessarily reached at run time: fold its parts instead. */
	}
	switch ((enum bl_xkind)n->kind) {
	case BL_XN_CALL: {
		int first = 0;
		bool lz = is_lazy(n->fn);
		for (uint32_t i = 0; i < n->nargs; i++) {
			rc = fold(c, n->args[i], lazy || (lz && i > 0));
			if (rc == BL_ENOMEM)
				return rc;
			if (rc && !first)
				first = rc;
		}
		if (first)
			return first;
		return prepare_path(c, n);
	}
	case BL_XN_PROP:
		return fold(c, n->base, lazy);
	case BL_XN_INDEX:
		if ((rc = fold(c, n->base, lazy)))
			return rc;
		return fold(c, n->sub, lazy);
	case BL_XN_CONST:
		break;
	}
	return 0;
}

int bl_expr_compile(const struct bl_expr **out, const struct bl_value *node,
		    const struct bl_rule_env *env)
{
	*out = NULL;
	struct compiler c = { .env = env, .node = node };
	if (!node || node->type != BL_VSTR || !bl_expr_is(node->u.str.s, node->u.str.len)) {
		if (node)
			return bl_diag_add(env->diags, node->file, node->line, node->col,
					   "not an expression: expected a string \"[...]\"");
		return BL_EINVAL;
	}
	struct bl_expr *x = bl_arena_calloc(env->arena, 1, sizeof(*x));
	char *text = bl_arena_strndup(env->arena, node->u.str.s, node->u.str.len);
	if (!x || !text)
		return BL_ENOMEM;
	x->text = text;
	c.x = x;
	c.text = text;

	struct parser p = { .t = text, .end = node->u.str.len - 1, .pos = 1, .a = env->arena };
	struct bl_xnode *root = NULL;
	int rc = parse_expr(&p, &root, 1);
	if (rc == 0) {
		skip_ws(&p);
		if (p.pos != p.end) {
			char buf[16];
			rc = perr(&p, p.pos, "unexpected %s at offset %zu (expected the closing ']')",
				  found(&p, buf, sizeof(buf)), p.pos);
		}
	}
	if (rc == BL_ENOMEM)
		return rc;
	if (rc)
		return diag(&c, p.erroff, p.err);
	if ((rc = fold(&c, root, false)))
		return rc;
	x->root = root;
	if (root->kind == BL_XN_CONST)
		x->cval = root->val;
	*out = x;
	return 0;
}

const struct bl_value *bl_expr_const(const struct bl_expr *x)
{
	return x ? x->cval : NULL;
}

int bl_expr_eval(const struct bl_value **out, const struct bl_expr *x, struct bl_eval *e)
{
	*out = NULL;
	if (x->cval) {
		*out = x->cval;
		return 0;
	}
	char err[256] = "";
	struct bl_xcx cx = {
		.arena = e->arena, .e = e, .env = NULL, .err = err, .errsz = sizeof(err),
	};
	int rc = bl_xnode_eval(out, x->root, &cx);
	if (rc == BL_EINVAL)
		snprintf(e->error, sizeof(e->error), "%s", err);
	else if (rc == BL_ENOMEM)
		snprintf(e->error, sizeof(e->error), "out of memory evaluating %s", x->text);
	if (rc)
		*out = NULL;
	return rc;
}

void bl_expr_keys(const struct bl_expr *x, bl_cond_key_cb cb, void *ctx)
{
	if (!x)
		return;
	for (uint32_t i = 0; i < x->nkeys; i++)
		cb(ctx, x->keys[i], x->klens[i]);
}

const char *bl_expr_text(const struct bl_expr *x)
{
	return x ? x->text : "";
}
