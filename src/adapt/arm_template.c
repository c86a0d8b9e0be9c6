/*
 * arm_template.c - record adapter for Azure Resource Manager templates
 * (FORMATS.md §6, docs/guardrails-in-ci.md "ARM templates"): the resources a
 * template declares, assessed before it is deployed.
 *
 * A template is recognised by a `$schema` naming a deploymentTemplate.json
 * (resource group, subscription, management group and tenant scopes) and
 * holds `resources` as an array or, in the symbolic-name form
 * (languageVersion 2.0), as an object keyed by symbolic name.  Every
 * resource literally declared becomes one asset; nested `resources` are
 * child resources (type "parent/child", name "parentName/childName", unless
 * the child already gives its full type).  Resources marked `existing` are
 * references, not deployed, and are skipped.  Nothing is evaluated: copy
 * loops stay one asset, `condition` is kept as a field, nested deployments
 * are not unpacked.
 *
 * Identity: id "FILE#/resources/I" (a JSON pointer to the declaration; the
 * symbolic name replaces I in the object form, children append
 * "/resources/J"), type and name as above (a name that is an expression is
 * kept as its text).  Every other string that is a template expression
 * ("[...]", not "[[...") becomes a BL_VERR fact "PATH is an unevaluated
 * template expression: [...]": a rule reading it is an `error`, never a
 * pass, whatever the operator.  "[[" is the template's escape for a literal
 * "[" and is unescaped.  `apiVersion`, `kind` and `metadata` are kept as
 * written because they are identity fields (facts/resource.h).
 */
#include <stdio.h>
#include <string.h>

#include "adapt/adapt.h"

int bl_adapt_arm_template(const struct bl_value *doc, const char *file, struct bl_adapted *out,
			  struct bl_error *err);

#define PATH_MAX_TEXT 160
#define EXPR_SHOWN 96
#define MAX_CHILD_DEPTH 16

struct arm {
	const char *file;
	struct bl_arena *a;
	struct bl_error *err;
	char path[PATH_MAX_TEXT + 40];
	size_t plen;
};

static int bad(struct arm *t, const struct bl_value *at, const char *what)
{
	return bl_error_set(t->err, BL_EINVAL, t->file, at ? at->line : 0, at ? at->col : 0,
			    "ARM template: %s", what);
}

static int nomem(struct arm *t)
{
	return bl_error_set(t->err, BL_ENOMEM, t->file, 0, 0, "out of memory");
}

/* ---- building values ------------------------------------------------------ */

struct ob {
	struct bl_member *m;
	uint32_t n, cap;
};

static int ob_add(struct ob *o, struct bl_arena *a, const char *key, uint32_t klen,
		  const struct bl_value *v, uint32_t line, uint32_t col)
{
	if (!v)
		return BL_ENOMEM;
	if (o->n == o->cap) {
		uint32_t cap = o->cap ? o->cap * 2 : 8;
		struct bl_member *m = bl_arena_alloc(a, (size_t)cap * sizeof(*m));
		if (!m)
			return BL_ENOMEM;
		if (o->n)
			memcpy(m, o->m, (size_t)o->n * sizeof(*m));
		o->m = m;
		o->cap = cap;
	}
	struct bl_member *m = &o->m[o->n++];
	memset(m, 0, sizeof(*m));
	m->key = key;
	m->klen = klen;
	m->line = line;
	m->col = col;
	m->val = *v;
	return 0;
}

static void place(struct bl_value *v, const struct bl_value *pos)
{
	if (v && pos) {
		v->line = pos->line;
		v->col = pos->col;
		v->file = pos->file;
	}
}

static struct bl_value *ob_done(struct ob *o, struct bl_arena *a, const struct bl_value *pos)
{
	struct bl_value *v = bl_value_new(a, BL_VOBJ);
	if (!v)
		return NULL;
	v->u.obj.items = o->m;
	v->u.obj.n = o->n;
	place(v, pos);
	return v;
}

static struct bl_value *text(struct arm *t, const char *s, size_t len, const struct bl_value *pos)
{
	struct bl_value *v = bl_value_new_str(t->a, s, len);
	place(v, pos);
	return v;
}

/* ---- expressions ------------------------------------------------------------ */

static bool is_expr(const struct bl_value *v)
{
	return v->type == BL_VSTR && v->u.str.len >= 2 && v->u.str.s[0] == '[' &&
	       v->u.str.s[v->u.str.len - 1] == ']' && v->u.str.s[1] != '[';
}

static bool is_escaped(const struct bl_value *v)
{
	return v->type == BL_VSTR && v->u.str.len >= 2 && v->u.str.s[0] == '[' &&
	       v->u.str.s[1] == '[';
}

/* Does v hold an expression or an escaped "[[" string anywhere? */
static bool needs_rewrite(const struct bl_value *v)
{
	if (v->type == BL_VSTR)
		return is_expr(v) || is_escaped(v);
	if (v->type == BL_VARR) {
		for (uint32_t i = 0; i < v->u.arr.n; i++)
			if (needs_rewrite(&v->u.arr.items[i]))
				return true;
	} else if (v->type == BL_VOBJ) {
		for (uint32_t i = 0; i < v->u.obj.n; i++)
			if (needs_rewrite(&v->u.obj.items[i].val))
				return true;
	}
	return false;
}

static size_t path_push(struct arm *t, const char *k, size_t klen, bool index, uint32_t i)
{
	size_t old = t->plen;
	int n = index ? snprintf(t->path + t->plen, sizeof(t->path) - t->plen, "[%u]", i)
		      : snprintf(t->path + t->plen, sizeof(t->path) - t->plen, "%s%.*s",
				 t->plen ? "." : "", (int)(klen > 64 ? 64 : klen), k);
	if (n > 0 && t->plen + (size_t)n < PATH_MAX_TEXT)
		t->plen += (size_t)n;
	return old;
}

static void path_pop(struct arm *t, size_t old)
{
	t->plen = old;
	t->path[old] = '\0';
}

/* v with expressions replaced by error facts and "[[" unescaped; v itself
 * when there is nothing to replace.  NULL only on ENOMEM. */
static const struct bl_value *rewrite(struct arm *t, const struct bl_value *v)
{
	if (!needs_rewrite(v))
		return v;
	if (v->type == BL_VSTR) {
		if (is_escaped(v))
			return text(t, v->u.str.s + 1, v->u.str.len - 1, v);
		char why[PATH_MAX_TEXT + EXPR_SHOWN + 64];
		bool cut = v->u.str.len > EXPR_SHOWN;
		snprintf(why, sizeof(why), "%s is an unevaluated template expression: %.*s%s",
			 t->plen ? t->path : "the value", (int)(cut ? EXPR_SHOWN : v->u.str.len),
			 v->u.str.s, cut ? "..." : "");
		struct bl_value *e = bl_value_new_special(t->a, BL_VERR, why);
		place(e, v);
		return e;
	}
	if (v->type == BL_VARR) {
		struct bl_value *arr = bl_value_new(t->a, BL_VARR);
		struct bl_value *items = bl_arena_alloc(t->a, (size_t)v->u.arr.n * sizeof(*items));
		if (!arr || !items)
			return NULL;
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			size_t old = path_push(t, NULL, 0, true, i);
			const struct bl_value *x = rewrite(t, &v->u.arr.items[i]);
			path_pop(t, old);
			if (!x)
				return NULL;
			items[i] = *x;
		}
		arr->u.arr.items = items;
		arr->u.arr.n = v->u.arr.n;
		place(arr, v);
		return arr;
	}
	struct ob o = {0};
	for (uint32_t i = 0; i < v->u.obj.n; i++) {
		const struct bl_member *m = &v->u.obj.items[i];
		size_t old = path_push(t, m->key, m->klen, false, 0);
		const struct bl_value *x = rewrite(t, &m->val);
		path_pop(t, old);
		if (ob_add(&o, t->a, m->key, m->klen, x, m->line, m->col))
			return NULL;
	}
	return ob_done(&o, t->a, v);
}

/* ---- resources ---------------------------------------------------------------- */

static bool key_is(const struct bl_member *m, const char *k)
{
	return bl_str_ieq(m->key, m->klen, k, strlen(k));
}

/* A JSON pointer token: '~' -> "~0", '/' -> "~1". */
static int pointer_token(struct bl_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~')
			bl_buf_adds(b, "~0");
		else if (s[i] == '/')
			bl_buf_adds(b, "~1");
		else
			bl_buf_addc(b, s[i]);
	}
	return b->failed ? BL_ENOMEM : 0;
}

struct parent {
	const char *type, *name, *pointer;
};

static int resources(struct arm *t, const struct bl_value *list, const struct parent *p,
		     unsigned depth, struct bl_adapted *out);

/* One declared resource; key/klen its symbolic name (object form) or NULL. */
static int resource(struct arm *t, const struct bl_value *r, const char *key, uint32_t klen,
		    uint32_t index, const struct parent *p, unsigned depth, struct bl_adapted *out)
{
	if (r->type != BL_VOBJ)
		return bad(t, r, "a resource must be an object");
	const struct bl_value *ty = bl_value_getz(r, "type");
	const struct bl_value *nm = bl_value_getz(r, "name");
	if (!ty || ty->type != BL_VSTR || ty->u.str.len == 0)
		return bad(t, ty ? ty : r, "a resource needs a non-empty string \"type\"");
	if (is_expr(ty))
		return bad(t, ty, "a resource type cannot be a template expression");
	if (!nm || nm->type != BL_VSTR || nm->u.str.len == 0)
		return bad(t, nm ? nm : r, "a resource needs a non-empty string \"name\"");
	const struct bl_value *ex = bl_value_getz(r, "existing");
	if (ex && ex->type == BL_VBOOL && ex->b)
		return 0;

	struct bl_buf ptr;
	bl_buf_init(&ptr, 0);
	bl_buf_adds(&ptr, p ? p->pointer : "");
	bl_buf_adds(&ptr, "/resources/");
	if (key)
		pointer_token(&ptr, key, klen);
	else
		bl_buf_printf(&ptr, "%u", index);
	const char *pointer = ptr.failed ? NULL : bl_arena_strndup(t->a, ptr.data, ptr.len);
	bl_buf_free(&ptr);
	bool full = memchr(ty->u.str.s, '/', ty->u.str.len) != NULL;
	const char *type, *name;
	if (p && !full) {
		type = bl_arena_printf(t->a, "%s/%.*s", p->type, (int)ty->u.str.len, ty->u.str.s);
		name = bl_arena_printf(t->a, "%s/%.*s", p->name, (int)nm->u.str.len, nm->u.str.s);
	} else {
		type = bl_arena_strndup(t->a, ty->u.str.s, ty->u.str.len);
		name = bl_arena_strndup(t->a, nm->u.str.s, nm->u.str.len);
	}
	const char *id = pointer ? bl_arena_printf(t->a, "%s#%s", t->file ? t->file : "-", pointer)
				 : NULL;
	if (!pointer || !type || !name || !id)
		return nomem(t);

	struct ob o = {0};
	if (ob_add(&o, t->a, "id", 2, text(t, id, strlen(id), r), r->line, r->col) ||
	    ob_add(&o, t->a, "type", 4, text(t, type, strlen(type), ty), ty->line, ty->col) ||
	    ob_add(&o, t->a, "name", 4, text(t, name, strlen(name), nm), nm->line, nm->col))
		return nomem(t);
	const struct bl_value *kids = NULL;
	for (uint32_t i = 0; i < r->u.obj.n; i++) {
		const struct bl_member *m = &r->u.obj.items[i];
		if (key_is(m, "id") || key_is(m, "type") || key_is(m, "name"))
			continue;
		if (key_is(m, "resources")) {
			kids = &m->val;
			continue;
		}
		const struct bl_value *v = &m->val;
		if (!key_is(m, "apiVersion") && !key_is(m, "kind") && !key_is(m, "metadata")) {
			t->plen = 0;
			t->path[0] = '\0';
			size_t old = path_push(t, m->key, m->klen, false, 0);
			v = rewrite(t, v);
			path_pop(t, old);
		} else if (v->type != BL_VSTR && v->type != BL_VNULL && !key_is(m, "metadata")) {
			return bad(t, v, "a resource's apiVersion and kind must be strings");
		}
		if (ob_add(&o, t->a, m->key, m->klen, v, m->line, m->col))
			return nomem(t);
	}
	const struct bl_value *doc = ob_done(&o, t->a, r);
	if (!doc || bl_adapted_add(out, doc))
		return nomem(t);
	if (!kids)
		return 0;
	if (depth >= MAX_CHILD_DEPTH)
		return bad(t, kids, "child resources are nested too deeply");
	struct parent me = {.type = type, .name = name, .pointer = pointer};
	return resources(t, kids, &me, depth + 1, out);
}

static int resources(struct arm *t, const struct bl_value *list, const struct parent *p,
		     unsigned depth, struct bl_adapted *out)
{
	if (list->type == BL_VARR) {
		for (uint32_t i = 0; i < list->u.arr.n; i++) {
			int rc = resource(t, &list->u.arr.items[i], NULL, 0, i, p, depth, out);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (list->type == BL_VOBJ) {
		for (uint32_t i = 0; i < list->u.obj.n; i++) {
			const struct bl_member *m = &list->u.obj.items[i];
			int rc = resource(t, &m->val, m->key, m->klen, i, p, depth, out);
			if (rc)
				return rc;
		}
		return 0;
	}
	return bad(t, list, "\"resources\" must be an array or an object");
}

/* adapt.c asks only records with a $schema key (keep in step). */
static bool is_template(const struct bl_value *doc)
{
	const struct bl_value *s = bl_value_getz(doc, "$schema");
	static const char mark[] = "deploymentTemplate.json";
	return s && s->type == BL_VSTR &&
	       bl_str_icontains(s->u.str.s, s->u.str.len, mark, sizeof(mark) - 1);
}

int bl_adapt_arm_template(const struct bl_value *doc, const char *file, struct bl_adapted *out,
			  struct bl_error *err)
{
	if (!is_template(doc))
		return 0;
	struct arm t = {.file = file, .a = out->arena, .err = err};
	const struct bl_value *list = bl_value_getz(doc, "resources");
	if (!list)
		return 1;
	int rc = resources(&t, list, NULL, 0, out);
	return rc ? rc : 1;
}
