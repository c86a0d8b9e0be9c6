/*
 * azure_cond.c - Azure Policy conditions into our condition language (the
 * grammar is the same, so this is a copy that rewrites names: aliases into
 * JSON paths, parameter names into the baseline's), and the applicability
 * condition Azure derives from a policy rule (azure_internal.h).
 */
#include <string.h>

#include "import/azure_internal.h"

static bool key_is(const struct bl_member *m, const char *k)
{
	return bl_str_ieq(m->key, m->klen, k, strlen(k));
}

static bool is_expr(const char *s, size_t len)
{
	return len >= 2 && s[0] == '[' && s[1] != '[' && s[len - 1] == ']';
}

/* Translate one alias and note a guess. */
static int put_field(struct bl_az_tctx *t, struct bl_buf *out, const char *f, size_t len,
		     const struct bl_value *at)
{
	enum bl_field_kind kind;
	size_t start = out->len;
	int rc = bl_alias_translate(out, &kind, t->imp->aliases_open ? &t->imp->aliases : NULL, f,
				    len);
	if (rc)
		return rc;
	if (kind == BL_FIELD_GUESS || kind == BL_FIELD_PATH) {
		/* Notes are per control and alias: one line per guess is enough. */
		for (size_t i = 0; i < t->imp->nnotes; i++) {
			const struct bl_az_note *n = &t->imp->notes[i];
			if (n->kind == BL_AZ_GUESS && n->control && t->control &&
			    strcmp(n->control, t->control) == 0 && strncmp(n->text, f, len) == 0 &&
			    n->text[len] == ' ')
				return 0;
		}
		if (bl_az_note(t->imp, BL_AZ_GUESS, t->control, t->file, at, "%.*s -> %.*s (%s)",
			       (int)len, f, (int)(out->len - start), out->data + start,
			       kind == BL_FIELD_GUESS ? "not a known alias: guessed"
						      : "not an alias or built-in field: kept as a path"))
			t->nomem = true;
	}
	return 0;
}

static const struct bl_az_pbind *find_bind(struct bl_az_tctx *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nbinds; i++)
		if (bl_str_ieq(t->binds[i].defname, strlen(t->binds[i].defname), name, len)) {
			t->binds[i].used = true;
			return &t->binds[i];
		}
	return NULL;
}

/* A single-quoted expression literal, '' escaping a quote. */
static void put_lit(struct bl_buf *out, const char *s, size_t len)
{
	bl_buf_addc(out, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			bl_buf_addc(out, '\'');
		bl_buf_addc(out, s[i]);
	}
	bl_buf_addc(out, '\'');
}

/*
 * Rewrite the names inside an expression: field('alias'), current('alias')
 * (when it names an alias, not a value count) and parameters('name').  The
 * rest is copied byte for byte, so functions we do not know stay visible to
 * the rule compiler, which names them.
 */
static int rewrite_expr(struct bl_az_tctx *t, struct bl_buf *out, const char *s, size_t len,
			const struct bl_value *at)
{
	struct bl_buf lit;
	bl_buf_init(&lit, 0);
	size_t i = 0;
	while (i < len) {
		char ch = s[i];
		if (ch == '\'') {
			size_t j = i + 1;
			while (j < len && !(s[j] == '\'' && (j + 1 >= len || s[j + 1] != '\'')))
				j += s[j] == '\'' ? 2 : 1;
			size_t end = j < len ? j + 1 : len;
			bl_buf_add(out, s + i, end - i);
			i = end;
			continue;
		}
		bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
		if (!alpha) {
			bl_buf_addc(out, ch);
			i++;
			continue;
		}
		size_t j = i;
		while (j < len && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
				   (s[j] >= '0' && s[j] <= '9') || s[j] == '_'))
			j++;
		const char *id = s + i;
		size_t idlen = j - i;
		size_t k = j;
		while (k < len && s[k] == ' ')
			k++;
		if (k >= len || s[k] != '(') {
			bl_buf_add(out, id, idlen);
			i = j;
			continue;
		}
		k++;
		while (k < len && s[k] == ' ')
			k++;
		if (k >= len || s[k] != '\'') {
			bl_buf_add(out, s + i, k - i);
			i = k;
			continue;
		}
		/* The literal's text, unescaped. */
		bl_buf_reset(&lit);
		size_t q = k + 1;
		while (q < len) {
			if (s[q] == '\'') {
				if (q + 1 < len && s[q + 1] == '\'') {
					bl_buf_addc(&lit, '\'');
					q += 2;
					continue;
				}
				break;
			}
			bl_buf_addc(&lit, s[q++]);
		}
		if (q >= len || lit.failed) {   /* unterminated: leave it to the compiler */
			bl_buf_add(out, s + i, len - i);
			break;
		}
		bl_buf_add(out, s + i, k - i);   /* name, '(' and spaces */
		const char *v = lit.data ? lit.data : "";
		if (bl_str_ieq(id, idlen, "field", 5) ||
		    (bl_str_ieq(id, idlen, "current", 7) && memchr(v, '/', lit.len))) {
			struct bl_buf path;
			bl_buf_init(&path, 0);
			int rc = put_field(t, &path, v, lit.len, at);
			if (rc) {
				bl_buf_free(&path);
				bl_buf_free(&lit);
				return rc;
			}
			put_lit(out, path.data ? path.data : "", path.len);
			bl_buf_free(&path);
		} else if (bl_str_ieq(id, idlen, "parameters", 10)) {
			const struct bl_az_pbind *b = find_bind(t, v, lit.len);
			if (b)
				put_lit(out, b->bname, strlen(b->bname));
			else {
				if (bl_az_note(t->imp, BL_AZ_UNSUPPORTED, t->control, t->file, at,
					       "parameters('%s') is not declared by the definition", v))
					t->nomem = true;
				put_lit(out, v, lit.len);
			}
		} else {
			put_lit(out, v, lit.len);
		}
		i = q + 1;
	}
	bl_buf_free(&lit);
	return out->failed ? BL_ENOMEM : 0;
}

static int write_string(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *v)
{
	const char *s = v->u.str.s;
	size_t len = v->u.str.len;
	if (!is_expr(s, len))
		return bl_az_quote(out, s, len);
	struct bl_buf x;
	bl_buf_init(&x, 0);
	int rc = rewrite_expr(t, &x, s, len, v);
	if (!rc)
		rc = bl_az_quote(out, x.data ? x.data : "", x.len);
	bl_buf_free(&x);
	return rc;
}

/* Any value; in_cond: objects are conditions, whose `field` values are paths. */
static int write_any(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *v)
{
	switch (v->type) {
	case BL_VNULL:
		return bl_buf_adds(out, "null");
	case BL_VBOOL:
		return bl_buf_adds(out, v->b ? "true" : "false");
	case BL_VNUM:
		return bl_buf_add(out, v->u.num.text, v->u.num.len);
	case BL_VSTR:
		return write_string(t, out, v);
	case BL_VARR:
		bl_buf_addc(out, '[');
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				bl_buf_adds(out, ", ");
			int rc = write_any(t, out, &v->u.arr.items[i]);
			if (rc)
				return rc;
		}
		return bl_buf_addc(out, ']');
	case BL_VOBJ:
		bl_buf_addc(out, '{');
		for (uint32_t i = 0; i < v->u.obj.n; i++) {
			const struct bl_member *m = &v->u.obj.items[i];
			if (i)
				bl_buf_adds(out, ", ");
			bl_az_quote(out, m->key, m->klen);
			bl_buf_adds(out, ": ");
			int rc;
			if (key_is(m, "field") && m->val.type == BL_VSTR &&
			    !is_expr(m->val.u.str.s, m->val.u.str.len)) {
				struct bl_buf path;
				bl_buf_init(&path, 0);
				rc = put_field(t, &path, m->val.u.str.s, m->val.u.str.len, &m->val);
				if (!rc)
					rc = bl_az_quote(out, path.data ? path.data : "", path.len);
				bl_buf_free(&path);
			} else {
				rc = write_any(t, out, &m->val);
			}
			if (rc)
				return rc;
		}
		return bl_buf_addc(out, '}');
	default:
		return bl_buf_adds(out, "null");
	}
}

int bl_az_write_cond(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *cond)
{
	int rc = write_any(t, out, cond);
	if (!rc && out->failed)
		rc = BL_ENOMEM;
	return rc;
}

/* ---- applicability ---------------------------------------------------- */

enum { LK_TYPE = 1, LK_NAME = 2, LK_KIND = 4, LK_OTHER = 8, LK_ALL = 15 };
enum fold { F_FALSE = 0, F_TRUE = 1, F_COND = 2 };

static const struct bl_value *member_val(const struct bl_value *o, const char *k)
{
	for (uint32_t i = 0; o->type == BL_VOBJ && i < o->u.obj.n; i++)
		if (key_is(&o->u.obj.items[i], k))
			return &o->u.obj.items[i].val;
	return NULL;
}

/* What a leaf tests: type, name, kind or anything else. */
static int leaf_kind(const struct bl_value *v)
{
	const struct bl_value *f = member_val(v, "field");
	if (!f || f->type != BL_VSTR || member_val(v, "count"))
		return LK_OTHER;
	if (bl_str_ieq(f->u.str.s, f->u.str.len, "type", 4))
		return LK_TYPE;
	if (bl_str_ieq(f->u.str.s, f->u.str.len, "name", 4))
		return LK_NAME;
	if (bl_str_ieq(f->u.str.s, f->u.str.len, "kind", 4))
		return LK_KIND;
	return LK_OTHER;
}

/* The logical operator of a node: "allOf", "anyOf", "not" or NULL (a leaf). */
static const struct bl_value *logic(const struct bl_value *v, int *op)
{
	static const char *const ops[] = {"allOf", "anyOf", "not"};
	for (int i = 0; i < 3; i++) {
		const struct bl_value *c = member_val(v, ops[i]);
		if (c) {
			*op = i;
			return c;
		}
	}
	*op = -1;
	return NULL;
}

static int kinds_of(const struct bl_value *v, int depth)
{
	int op;
	const struct bl_value *c = logic(v, &op);
	if (!c || depth > 64)
		return v->type == BL_VOBJ ? leaf_kind(v) : LK_OTHER;
	if (op == 2)
		return kinds_of(c, depth + 1);
	int k = 0;
	for (uint32_t i = 0; c->type == BL_VARR && i < c->u.arr.n; i++)
		k |= kinds_of(&c->u.arr.items[i], depth + 1);
	return k;
}

/* Fold v with the leaves outside `counted` neutral (true, or false under an
 * odd number of nots, so that they never decide). */
static enum fold fold(const struct bl_value *v, int counted, int nots, int depth)
{
	int op;
	const struct bl_value *c = logic(v, &op);
	if (!c || depth > 64) {
		if (leaf_kind(v) & counted)
			return F_COND;
		return nots % 2 ? F_FALSE : F_TRUE;
	}
	if (op == 2) {
		enum fold r = fold(c, counted, nots + 1, depth + 1);
		return r == F_COND ? F_COND : (r == F_TRUE ? F_FALSE : F_TRUE);
	}
	bool all = op == 0, any_cond = false;
	for (uint32_t i = 0; c->type == BL_VARR && i < c->u.arr.n; i++) {
		enum fold r = fold(&c->u.arr.items[i], counted, nots, depth + 1);
		if (r == F_COND)
			any_cond = true;
		else if (all && r == F_FALSE)
			return F_FALSE;
		else if (!all && r == F_TRUE)
			return F_TRUE;
	}
	if (any_cond)
		return F_COND;
	return all ? F_TRUE : F_FALSE;
}

static int emit(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *v, int counted,
		int nots, int depth)
{
	int op;
	const struct bl_value *c = logic(v, &op);
	if (!c || depth > 64)
		return bl_az_write_cond(t, out, v);
	if (op == 2) {
		bl_buf_adds(out, "{\"not\": ");
		int rc = emit(t, out, c, counted, nots + 1, depth + 1);
		if (rc)
			return rc;
		return bl_buf_addc(out, '}');
	}
	/* Only the children that still decide; a lone one stands for the group. */
	uint32_t n = 0, last = 0;
	for (uint32_t i = 0; i < c->u.arr.n; i++)
		if (fold(&c->u.arr.items[i], counted, nots, depth + 1) == F_COND) {
			n++;
			last = i;
		}
	if (n == 1)
		return emit(t, out, &c->u.arr.items[last], counted, nots, depth + 1);
	bl_buf_adds(out, op == 0 ? "{\"allOf\": [" : "{\"anyOf\": [");
	bool first = true;
	for (uint32_t i = 0; i < c->u.arr.n; i++) {
		if (fold(&c->u.arr.items[i], counted, nots, depth + 1) != F_COND)
			continue;
		if (!first)
			bl_buf_adds(out, ", ");
		first = false;
		int rc = emit(t, out, &c->u.arr.items[i], counted, nots, depth + 1);
		if (rc)
			return rc;
	}
	return bl_buf_adds(out, "]}");
}

static bool literal_type(const struct bl_value *s)
{
	return s->type == BL_VSTR && s->u.str.len > 0 && !is_expr(s->u.str.s, s->u.str.len) &&
	       !memchr(s->u.str.s, '*', s->u.str.len) && !memchr(s->u.str.s, '?', s->u.str.len) &&
	       s->u.str.s[0] != '[';
}

const struct bl_value *bl_az_pin_operand(const struct bl_value *leaf)
{
	const struct bl_value *e = member_val(leaf, "equals");
	if (e)
		return e;
	return member_val(leaf, "in");
}

/* `field: type` with equals a literal, or in a list of literals, and no
 * other key: what scope.types can say exactly. */
static bool is_pin(const struct bl_value *v)
{
	if (v->type != BL_VOBJ || v->u.obj.n != 2 || leaf_kind(v) != LK_TYPE)
		return false;
	const struct bl_value *e = member_val(v, "equals");
	if (e)
		return literal_type(e);
	const struct bl_value *in = member_val(v, "in");
	if (!in || in->type != BL_VARR || in->u.arr.n == 0)
		return false;
	for (uint32_t i = 0; i < in->u.arr.n; i++)
		if (!literal_type(&in->u.arr.items[i]))
			return false;
	return true;
}

int bl_az_write_applicability(struct bl_az_tctx *t, struct bl_buf *out,
			      const struct bl_value *cond, bool whole,
			      const struct bl_value **pin, bool *pin_only)
{
	*pin = NULL;
	*pin_only = false;
	int counted = LK_ALL;
	if (!whole) {
		int k = kinds_of(cond, 0);
		if (k == LK_KIND || k == LK_NAME)
			return 0;   /* only kind, or only name, conditions: every resource */
		if (k == (LK_TYPE | LK_KIND) || k == (LK_TYPE | LK_NAME))
			counted = LK_TYPE;
		else
			counted = LK_TYPE | LK_NAME | LK_KIND;
	}
	enum fold r = fold(cond, counted, 0, 0);
	if (r == F_TRUE)
		return 0;
	if (r == F_FALSE)
		return 2;
	int op;
	const struct bl_value *c = logic(cond, &op);
	if (!c && is_pin(cond)) {
		*pin = cond;
		*pin_only = true;
	} else if (c && op == 0 && c->type == BL_VARR) {
		uint32_t n = 0;
		for (uint32_t i = 0; i < c->u.arr.n; i++)
			if (fold(&c->u.arr.items[i], counted, 0, 1) == F_COND) {
				n++;
				if (!*pin && is_pin(&c->u.arr.items[i]))
					*pin = &c->u.arr.items[i];
			}
		*pin_only = *pin && n == 1;
	}
	int rc = emit(t, out, cond, counted, 0, 0);
	return rc ? rc : 1;
}
