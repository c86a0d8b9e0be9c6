/*
 * terraform.c - record adapter for Terraform's JSON plan (`terraform show
 * -json PLAN`) and state (`terraform show -json`) documents (FORMATS.md §6,
 * docs/guardrails-in-ci.md "Terraform plans").
 *
 * A plan says what will exist after apply in two places: planned_values
 * (the module tree, values only, unknown attributes simply absent) and
 * resource_changes (flat, with `after` and an `after_unknown` mask).  The
 * mask is what keeps an attribute Terraform only learns at apply time from
 * looking absent (and so passing `notEquals`/`exists: false`), so a
 * resource_changes entry wins for its address; planned_values contributes
 * the resources it alone lists.  Order: planned_values' module walk (root
 * resources, then child modules depth first), then the resource_changes
 * entries it did not list.  Skipped: data sources (mode "data") and changes
 * that leave nothing behind (actions ["delete"] or ["forget"]).
 *
 * Each resource becomes {id: address, type, name, <attributes...>, values:
 * {attributes}, terraform: {address, mode, module, provider_name, index,
 * actions}}: attributes sit at the top level so conditions read
 * `min_tls_version`; an attribute whose name is one of id/type/name/values/
 * terraform is only under `values`.  Unknown (after apply) values are
 * BL_VNA facts saying "PATH is known only after apply": a rule reading one is
 * not_applicable with that reason, never a pass.
 */
#include <stdio.h>
#include <string.h>

#include "adapt/adapt.h"

int bl_adapt_terraform(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		       struct bl_error *err);

/* The phrase the gate looks for in not_applicable messages (cli/gate.c). */
#define UNKNOWN_PHRASE "is known only after apply"
#define PATH_MAX_TEXT 200

struct tf {
	const char *file;
	struct bl_arena *a;
	struct bl_error *err;
	/* resource_changes by address (open addressing, power-of-two size) */
	const struct bl_value **rc;
	bool *used;
	size_t rcap;
	char path[PATH_MAX_TEXT + 40];
	size_t plen;
};

static int bad(struct tf *t, const struct bl_value *at, const char *what)
{
	return bl_error_set(t->err, BL_EINVAL, t->file, at ? at->line : 0, at ? at->col : 0,
			    "terraform plan: %s", what);
}

static int nomem(struct tf *t)
{
	return bl_error_set(t->err, BL_ENOMEM, t->file, 0, 0, "out of memory");
}

/* ---- building objects --------------------------------------------------- */

struct ob {
	struct bl_member *m;
	uint32_t n, cap;
};

static int ob_add(struct ob *o, struct bl_arena *a, const char *key, uint32_t klen,
		  const struct bl_value *v, uint32_t line, uint32_t col)
{
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

static int ob_addz(struct ob *o, struct bl_arena *a, const char *key, const struct bl_value *v)
{
	return v ? ob_add(o, a, key, (uint32_t)strlen(key), v, v->line, v->col) : BL_ENOMEM;
}

/* An object value holding o's members, positioned at pos. */
static struct bl_value *ob_done(struct ob *o, struct bl_arena *a, const struct bl_value *pos)
{
	struct bl_value *v = bl_value_new(a, BL_VOBJ);
	if (!v)
		return NULL;
	v->u.obj.items = o->m;
	v->u.obj.n = o->n;
	if (pos) {
		v->line = pos->line;
		v->col = pos->col;
		v->file = pos->file;
	}
	return v;
}

/* ---- the after_unknown mask ---------------------------------------------- */

static bool mask_has_unknown(const struct bl_value *u)
{
	if (!u)
		return false;
	if (u->type == BL_VBOOL)
		return u->b;
	if (u->type == BL_VARR) {
		for (uint32_t i = 0; i < u->u.arr.n; i++)
			if (mask_has_unknown(&u->u.arr.items[i]))
				return true;
	} else if (u->type == BL_VOBJ) {
		for (uint32_t i = 0; i < u->u.obj.n; i++)
			if (mask_has_unknown(&u->u.obj.items[i].val))
				return true;
	}
	return false;
}

static size_t path_push_key(struct tf *t, const char *k, size_t klen)
{
	size_t old = t->plen;
	int n = snprintf(t->path + t->plen, sizeof(t->path) - t->plen, "%s%.*s",
			 t->plen ? "." : "", (int)(klen > PATH_MAX_TEXT ? PATH_MAX_TEXT : klen), k);
	if (n > 0 && t->plen + (size_t)n < PATH_MAX_TEXT)
		t->plen += (size_t)n;
	return old;
}

static size_t path_push_index(struct tf *t, uint32_t i)
{
	size_t old = t->plen;
	int n = snprintf(t->path + t->plen, sizeof(t->path) - t->plen, "[%u]", i);
	if (n > 0 && t->plen + (size_t)n < PATH_MAX_TEXT)
		t->plen += (size_t)n;
	return old;
}

static const struct bl_value *unknown_value(struct tf *t, const struct bl_value *pos)
{
	char why[sizeof(((struct tf *)0)->path) + sizeof(UNKNOWN_PHRASE) + 16];
	snprintf(why, sizeof(why), "%s " UNKNOWN_PHRASE, t->plen ? t->path : "the value");
	struct bl_value *v = bl_value_new_special(t->a, BL_VNA, why);
	if (v && pos) {
		v->line = pos->line;
		v->col = pos->col;
		v->file = pos->file;
	}
	return v;
}

static const struct bl_value *null_value(struct tf *t)
{
	return bl_value_new(t->a, BL_VNULL);
}

/*
 * after with every place the mask marks unknown replaced by a not-available
 * fact.  The mask mirrors after (true leaves, objects, arrays); a mask entry
 * with no counterpart in after adds the key or element.  A mask without any
 * true returns after itself (no copy).  NULL only on ENOMEM.
 */
static const struct bl_value *overlay(struct tf *t, const struct bl_value *after,
				      const struct bl_value *mask)
{
	if (!mask_has_unknown(mask))
		return after ? after : null_value(t);
	if (mask->type == BL_VBOOL)
		return unknown_value(t, after);
	if (mask->type == BL_VOBJ) {
		const struct bl_value *base = after && after->type == BL_VOBJ ? after : NULL;
		struct ob o = {0};
		uint32_t nb = base ? base->u.obj.n : 0;
		for (uint32_t i = 0; i < nb; i++) {
			const struct bl_member *m = &base->u.obj.items[i];
			const struct bl_value *mk = bl_value_get(mask, m->key, m->klen);
			size_t old = path_push_key(t, m->key, m->klen);
			const struct bl_value *v = mk ? overlay(t, &m->val, mk) : &m->val;
			t->plen = old;
			t->path[old] = '\0';
			if (!v || ob_add(&o, t->a, m->key, m->klen, v, m->line, m->col))
				return NULL;
		}
		for (uint32_t i = 0; i < mask->u.obj.n; i++) {
			const struct bl_member *m = &mask->u.obj.items[i];
			if ((base && bl_value_get(base, m->key, m->klen)) || !mask_has_unknown(&m->val))
				continue;
			size_t old = path_push_key(t, m->key, m->klen);
			const struct bl_value *v = overlay(t, NULL, &m->val);
			t->plen = old;
			t->path[old] = '\0';
			if (!v || ob_add(&o, t->a, m->key, m->klen, v, m->line, m->col))
				return NULL;
		}
		return ob_done(&o, t->a, after);
	}
	/* an array mask */
	const struct bl_value *base = after && after->type == BL_VARR ? after : NULL;
	uint32_t nb = base ? base->u.arr.n : 0;
	uint32_t n = mask->u.arr.n > nb ? mask->u.arr.n : nb;
	struct bl_value *arr = bl_value_new(t->a, BL_VARR);
	struct bl_value *items = n ? bl_arena_alloc(t->a, (size_t)n * sizeof(*items)) : NULL;
	if (!arr || (n && !items))
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const struct bl_value *el = i < nb ? &base->u.arr.items[i] : NULL;
		const struct bl_value *mk = i < mask->u.arr.n ? &mask->u.arr.items[i] : NULL;
		size_t old = path_push_index(t, i);
		const struct bl_value *v = mk ? overlay(t, el, mk) : el;
		t->plen = old;
		t->path[old] = '\0';
		if (!v)
			return NULL;
		items[i] = *v;
	}
	arr->u.arr.items = items;
	arr->u.arr.n = n;
	if (after) {
		arr->line = after->line;
		arr->col = after->col;
		arr->file = after->file;
	}
	return arr;
}

/* Is the mask well formed: booleans, or objects/arrays of masks? */
static int check_mask(struct tf *t, const struct bl_value *u, unsigned depth)
{
	if (depth > 256)
		return bad(t, u, "after_unknown is nested too deeply");
	if (u->type == BL_VBOOL)
		return 0;
	if (u->type == BL_VARR) {
		for (uint32_t i = 0; i < u->u.arr.n; i++) {
			int rc = check_mask(t, &u->u.arr.items[i], depth + 1);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (u->type == BL_VOBJ) {
		for (uint32_t i = 0; i < u->u.obj.n; i++) {
			int rc = check_mask(t, &u->u.obj.items[i].val, depth + 1);
			if (rc)
				return rc;
		}
		return 0;
	}
	return bad(t, u, "after_unknown must hold only booleans, objects and arrays");
}

/* ---- resource_changes index ---------------------------------------------- */

static const char *str_of(const struct bl_value *obj, const char *key, uint32_t *len)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type != BL_VSTR)
		return NULL;
	*len = v->u.str.len;
	return v->u.str.s;
}

/* Required string member; BL_EINVAL naming it when missing or not a string. */
static int need_str(struct tf *t, const struct bl_value *obj, const char *key, const char *where)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	char msg[160];
	if (!v) {
		snprintf(msg, sizeof(msg), "%s has no \"%s\"", where, key);
		return bad(t, obj, msg);
	}
	if (v->type != BL_VSTR || v->u.str.len == 0) {
		snprintf(msg, sizeof(msg), "%s \"%s\" must be a non-empty string, not %s", where, key,
			 v->type == BL_VSTR ? "\"\"" : bl_vtype_name((enum bl_vtype)v->type));
		return bad(t, v, msg);
	}
	return 0;
}

static size_t rc_slot(const struct tf *t, const char *addr, uint32_t len)
{
	size_t i = (size_t)bl_hash(addr, len, false) & (t->rcap - 1);
	for (;;) {
		const struct bl_value *e = t->rc[i];
		uint32_t el = 0;
		const char *ea = e ? str_of(e, "address", &el) : NULL;
		if (!e || (el == len && memcmp(ea, addr, len) == 0))
			return i;
		i = (i + 1) & (t->rcap - 1);
	}
}

static bool is_data(const struct bl_value *r)
{
	uint32_t n = 0;
	const char *m = str_of(r, "mode", &n);
	return m && n == 4 && memcmp(m, "data", 4) == 0;
}

/* Validate one resource_changes entry; *gone when it leaves nothing behind. */
static int check_change(struct tf *t, const struct bl_value *e, bool *gone)
{
	int rc;
	if (e->type != BL_VOBJ)
		return bad(t, e, "a resource_changes entry must be an object");
	if ((rc = need_str(t, e, "address", "resource change")) ||
	    (rc = need_str(t, e, "type", "resource change")) ||
	    (rc = need_str(t, e, "name", "resource change")))
		return rc;
	const struct bl_value *ch = bl_value_getz(e, "change");
	if (!ch || ch->type != BL_VOBJ)
		return bad(t, ch ? ch : e, "a resource change needs a \"change\" object");
	const struct bl_value *acts = bl_value_getz(ch, "actions");
	if (!acts || acts->type != BL_VARR)
		return bad(t, acts ? acts : ch, "change.actions must be an array of strings");
	*gone = acts->u.arr.n == 1;
	for (uint32_t i = 0; i < acts->u.arr.n; i++) {
		const struct bl_value *x = &acts->u.arr.items[i];
		if (x->type != BL_VSTR)
			return bad(t, x, "change.actions must be an array of strings");
		if (!bl_str_ieq(x->u.str.s, x->u.str.len, "delete", 6) &&
		    !bl_str_ieq(x->u.str.s, x->u.str.len, "forget", 6))
			*gone = false;
	}
	const struct bl_value *after = bl_value_getz(ch, "after");
	if (after && after->type != BL_VOBJ && after->type != BL_VNULL)
		return bad(t, after, "change.after must be an object or null");
	const struct bl_value *mask = bl_value_getz(ch, "after_unknown");
	if (mask && (rc = check_mask(t, mask, 0)))
		return rc;
	/* the attributes of a resource are always an object; a mask that hides
	 * all of them would leave nothing to tell unknown from absent */
	if (mask && mask->type != BL_VOBJ)
		return bad(t, mask, "change.after_unknown must be an object");
	return 0;
}

static int index_changes(struct tf *t, const struct bl_value *rcs)
{
	size_t n = rcs ? rcs->u.arr.n : 0;
	t->rcap = 16;
	while (t->rcap < n * 2)
		t->rcap *= 2;
	t->rc = bl_arena_calloc(t->a, t->rcap, sizeof(*t->rc));
	t->used = bl_arena_calloc(t->a, t->rcap, sizeof(*t->used));
	if (!t->rc || !t->used)
		return nomem(t);
	for (size_t i = 0; i < n; i++) {
		const struct bl_value *e = &rcs->u.arr.items[i];
		bool gone = false;
		int rc = check_change(t, e, &gone);
		if (rc)
			return rc;
		uint32_t len = 0;
		const char *addr = str_of(e, "address", &len);
		size_t s = rc_slot(t, addr, len);
		if (t->rc[s])
			return bad(t, e, "two resource_changes entries have the same address");
		t->rc[s] = e;
	}
	return 0;
}

/* ---- one resource ---------------------------------------------------------- */

static bool reserved_key(const char *k, uint32_t n)
{
	static const char *const keys[] = {"id", "type", "name", "values", "terraform"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (bl_str_ieq(k, n, keys[i], strlen(keys[i])))
			return true;
	return false;
}

/*
 * Emit the resource described by r (a planned_values resource or a
 * resource_changes entry) with attributes attrs (an object, already
 * overlaid) and change (the resource_changes entry or NULL).
 */
static int emit(struct tf *t, const struct bl_value *r, const struct bl_value *attrs,
		const struct bl_value *change, struct bl_adapted *out)
{
	struct ob meta = {0}, doc = {0};
	const struct bl_value *keys[] = {bl_value_getz(r, "address"), bl_value_getz(r, "mode"),
					 bl_value_getz(r, "module_address"),
					 bl_value_getz(r, "provider_name"), bl_value_getz(r, "index")};
	const char *names[] = {"address", "mode", "module", "provider_name", "index"};
	for (size_t i = 0; i < 5; i++)
		if (keys[i] && ob_addz(&meta, t->a, names[i], keys[i]))
			return nomem(t);
	if (change) {
		const struct bl_value *acts = bl_value_getz(bl_value_getz(change, "change"), "actions");
		if (acts && ob_addz(&meta, t->a, "actions", acts))
			return nomem(t);
	}
	const struct bl_value *tmeta = ob_done(&meta, t->a, r);
	if (!tmeta || ob_addz(&doc, t->a, "id", bl_value_getz(r, "address")) ||
	    ob_addz(&doc, t->a, "type", bl_value_getz(r, "type")) ||
	    ob_addz(&doc, t->a, "name", bl_value_getz(r, "name")))
		return nomem(t);
	for (uint32_t i = 0; i < attrs->u.obj.n; i++) {
		const struct bl_member *m = &attrs->u.obj.items[i];
		if (reserved_key(m->key, m->klen))
			continue;
		if (ob_add(&doc, t->a, m->key, m->klen, &m->val, m->line, m->col))
			return nomem(t);
	}
	if (ob_addz(&doc, t->a, "values", attrs) || ob_addz(&doc, t->a, "terraform", tmeta))
		return nomem(t);
	struct bl_value *v = ob_done(&doc, t->a, r);
	if (!v || bl_adapted_add(out, v))
		return nomem(t);
	return 0;
}

/* Attributes of a resource_changes entry: after overlaid with its mask. */
static const struct bl_value *change_attrs(struct tf *t, const struct bl_value *e)
{
	const struct bl_value *ch = bl_value_getz(e, "change");
	const struct bl_value *after = bl_value_getz(ch, "after");
	const struct bl_value *mask = bl_value_getz(ch, "after_unknown");
	t->plen = 0;
	t->path[0] = '\0';
	if (!mask)
		return after;
	return overlay(t, after, mask);
}

static int emit_change(struct tf *t, const struct bl_value *e, const struct bl_value *pos,
		       struct bl_adapted *out)
{
	const struct bl_value *attrs = change_attrs(t, e);
	if (!attrs)
		return nomem(t);
	return emit(t, pos ? pos : e, attrs, e, out);
}

static bool change_gone(const struct bl_value *e)
{
	const struct bl_value *acts = bl_value_getz(bl_value_getz(e, "change"), "actions");
	if (!acts || acts->u.arr.n != 1)
		return false;
	const struct bl_value *x = &acts->u.arr.items[0];
	return bl_str_ieq(x->u.str.s, x->u.str.len, "delete", 6) ||
	       bl_str_ieq(x->u.str.s, x->u.str.len, "forget", 6);
}

static bool change_has_after(const struct bl_value *e)
{
	const struct bl_value *after = bl_value_getz(bl_value_getz(e, "change"), "after");
	return after && after->type == BL_VOBJ;
}

/* One planned_values (or state values) resource. */
static int module_resource(struct tf *t, const struct bl_value *r, struct bl_adapted *out)
{
	int rc;
	if (r->type != BL_VOBJ)
		return bad(t, r, "a module resource must be an object");
	if ((rc = need_str(t, r, "address", "resource")) || (rc = need_str(t, r, "type", "resource")) ||
	    (rc = need_str(t, r, "name", "resource")))
		return rc;
	const struct bl_value *vals = bl_value_getz(r, "values");
	if (vals && vals->type != BL_VOBJ && vals->type != BL_VNULL)
		return bad(t, vals, "resource \"values\" must be an object");
	if (is_data(r))
		return 0;
	uint32_t len = 0;
	const char *addr = str_of(r, "address", &len);
	size_t s = rc_slot(t, addr, len);
	const struct bl_value *e = t->rc[s];
	if (e) {
		t->used[s] = true;
		if (change_gone(e))
			return 0;
		if (change_has_after(e))
			return emit_change(t, e, r, out);
	}
	if (!vals || vals->type != BL_VOBJ) {
		struct ob empty = {0};
		vals = ob_done(&empty, t->a, r);
		if (!vals)
			return nomem(t);
	}
	return emit(t, r, vals, e, out);
}

static int walk_module(struct tf *t, const struct bl_value *m, unsigned depth,
		       struct bl_adapted *out)
{
	if (m->type != BL_VOBJ)
		return bad(t, m, "a module must be an object");
	if (depth > 64)
		return bad(t, m, "child_modules are nested too deeply");
	const struct bl_value *res = bl_value_getz(m, "resources");
	const struct bl_value *kids = bl_value_getz(m, "child_modules");
	if (res && res->type != BL_VARR)
		return bad(t, res, "\"resources\" must be an array");
	if (kids && kids->type != BL_VARR)
		return bad(t, kids, "\"child_modules\" must be an array");
	for (uint32_t i = 0; res && i < res->u.arr.n; i++) {
		int rc = module_resource(t, &res->u.arr.items[i], out);
		if (rc)
			return rc;
	}
	for (uint32_t i = 0; kids && i < kids->u.arr.n; i++) {
		int rc = walk_module(t, &kids->u.arr.items[i], depth + 1, out);
		if (rc)
			return rc;
	}
	return 0;
}

/* The module tree under values (plan: planned_values; state: values). */
static int walk_values(struct tf *t, const struct bl_value *vals, struct bl_adapted *out)
{
	if (!vals)
		return 0;
	if (vals->type != BL_VOBJ)
		return bad(t, vals, "planned_values must be an object");
	const struct bl_value *root = bl_value_getz(vals, "root_module");
	return root ? walk_module(t, root, 0, out) : 0;
}

/* Is doc a Terraform JSON plan or state?  (adapt.c restates the keys this
 * looks for, to skip the call on records without them: keep in step.) */
static bool is_terraform(const struct bl_value *doc)
{
	const struct bl_value *fv = bl_value_getz(doc, "format_version");
	if (!fv || fv->type != BL_VSTR)
		return false;
	return bl_value_getz(doc, "planned_values") || bl_value_getz(doc, "resource_changes") ||
	       bl_value_getz(doc, "terraform_version") || bl_value_getz(doc, "values");
}

int bl_adapt_terraform(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		       struct bl_error *err)
{
	if (!is_terraform(doc))
		return 0;
	struct tf t = {.file = file, .a = out->arena, .err = err};
	const struct bl_value *rcs = bl_value_getz(doc, "resource_changes");
	if (rcs && rcs->type != BL_VARR && rcs->type != BL_VNULL)
		return bad(&t, rcs, "resource_changes must be an array");
	if (rcs && rcs->type == BL_VNULL)
		rcs = NULL;
	int rc = index_changes(&t, rcs);
	if (rc)
		return rc;
	const struct bl_value *pv = bl_value_getz(doc, "planned_values");
	if (!pv && !rcs)   /* a state document: its resources are under values */
		pv = bl_value_getz(doc, "values");
	if (pv && pv->type == BL_VNULL)
		pv = NULL;
	if ((rc = walk_values(&t, pv, out)))
		return rc;
	for (uint32_t i = 0; rcs && i < rcs->u.arr.n; i++) {
		const struct bl_value *e = &rcs->u.arr.items[i];
		uint32_t len = 0;
		const char *addr = str_of(e, "address", &len);
		size_t s = rc_slot(&t, addr, len);
		if (t.used[s] || is_data(e) || change_gone(e) || !change_has_after(e))
			continue;
		t.used[s] = true;
		if ((rc = emit_change(&t, e, NULL, out)))
			return rc;
	}
	return 1;
}
