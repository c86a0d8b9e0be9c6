/*
 * oscal.c - OSCAL catalog/profile -> baseline skeleton (see oscal.h).
 *
 * Only the parts that name controls are read (catalog groups and controls,
 * profile imports); everything else in the document is left alone, so newer
 * OSCAL versions with extra keys still import.  The shape of what is read is
 * checked strictly: a wrong type is an error at its file:line:col, never a
 * silently shorter baseline.
 */
#include "import/oscal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doc/json.h"
#include "doc/load.h"

/* Deepest nesting of groups/controls followed (NIST uses 3). */
#define MAX_NEST 32
#define ID_MAX 64

struct rd {
	struct bl_oscal *o;
	struct bl_error *err;
	size_t cap;
};

static int oerr(struct rd *r, const struct bl_value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int oerr(struct rd *r, const struct bl_value *at, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bl_error_set(r->err, BL_EINVAL, at->file ? at->file : "", at->line, at->col, "%s", msg);
}

/* Member key of obj that must be type t when present; NULL when absent.
 * *rc is set to an error for a wrong type. */
static const struct bl_value *member(struct rd *r, const struct bl_value *obj, const char *key,
				     enum bl_vtype t, const char *what, int *rc)
{
	const struct bl_member *m = NULL;
	for (uint32_t i = 0; i < obj->u.obj.n && !m; i++)
		if (obj->u.obj.items[i].klen == strlen(key) &&
		    memcmp(obj->u.obj.items[i].key, key, obj->u.obj.items[i].klen) == 0)
			m = &obj->u.obj.items[i];
	if (!m)
		return NULL;
	if (m->val.type != t) {
		*rc = oerr(r, &m->val, "OSCAL %s: \"%s\" must be %s, not %s", what, key,
			   t == BL_VARR ? "an array" : t == BL_VOBJ ? "an object" : "a string",
			   bl_vtype_name((enum bl_vtype)m->val.type));
		return NULL;
	}
	return &m->val;
}

/* A control id usable in a baseline control id ("NIST-" + id):
 * [A-Za-z0-9][A-Za-z0-9._-]*, short. */
static bool id_ok(const struct bl_value *v)
{
	if (v->u.str.len == 0 || v->u.str.len >= ID_MAX)
		return false;
	for (uint32_t i = 0; i < v->u.str.len; i++) {
		char c = v->u.str.s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '-' && c != '_')))
			return false;
	}
	return true;
}

static ptrdiff_t find(const struct bl_oscal *o, const char *canon)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->controls[i].id, canon) == 0)
			return (ptrdiff_t)i;
	return -1;
}

/* Add control id v (with title, may be NULL).  dup_ok: profiles may list an
 * id twice; catalogs may not. */
static int add(struct rd *r, const struct bl_value *v, const struct bl_value *title, bool dup_ok)
{
	if (!id_ok(v))
		return oerr(r, v, "OSCAL control id \"%.*s\" cannot be imported: use letters, digits, \".\", \"_\" and \"-\"",
			    (int)(v->u.str.len > 80 ? 80 : v->u.str.len), v->u.str.s);
	char raw[ID_MAX], canon[ID_MAX];
	memcpy(raw, v->u.str.s, v->u.str.len);
	raw[v->u.str.len] = '\0';
	if (!bl_fw_canonical_id(canon, sizeof(canon), raw))
		return oerr(r, v, "OSCAL control id is too long");
	if (find(r->o, canon) >= 0) {
		if (dup_ok)
			return 0;
		return oerr(r, v, "duplicate OSCAL control id \"%s\"", raw);
	}
	if (r->o->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct bl_oscal_control *c = bl_arena_calloc(&r->o->arena, cap, sizeof(*c));
		if (!c)
			return BL_ENOMEM;
		if (r->o->n)
			memcpy(c, r->o->controls, r->o->n * sizeof(*c));
		r->o->controls = c;
		r->cap = cap;
	}
	struct bl_oscal_control *c = &r->o->controls[r->o->n];
	c->id = bl_arena_strndup(&r->o->arena, canon, strlen(canon));
	c->oscal = bl_arena_strndup(&r->o->arena, raw, strlen(raw));
	if (title)
		c->title = bl_arena_strndup(&r->o->arena, title->u.str.s, title->u.str.len);
	if (!c->id || !c->oscal || (title && !c->title))
		return BL_ENOMEM;
	r->o->n++;
	return 0;
}

static int read_controls(struct rd *r, const struct bl_value *arr, int depth);

static int read_control(struct rd *r, const struct bl_value *c, int depth)
{
	if (c->type != BL_VOBJ)
		return oerr(r, c, "an OSCAL control must be an object, not %s",
			    bl_vtype_name((enum bl_vtype)c->type));
	int rc = 0;
	const struct bl_value *id = member(r, c, "id", BL_VSTR, "control", &rc);
	const struct bl_value *title = member(r, c, "title", BL_VSTR, "control", &rc);
	const struct bl_value *sub = member(r, c, "controls", BL_VARR, "control", &rc);
	if (rc)
		return rc;
	if (!id)
		return oerr(r, c, "OSCAL control has no \"id\"");
	if ((rc = add(r, id, title, false)) != 0)
		return rc;
	return sub ? read_controls(r, sub, depth + 1) : 0;
}

static int read_controls(struct rd *r, const struct bl_value *arr, int depth)
{
	if (depth > MAX_NEST)
		return oerr(r, arr, "OSCAL controls nest deeper than %d levels", MAX_NEST);
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		int rc = read_control(r, &arr->u.arr.items[i], depth);
		if (rc)
			return rc;
	}
	return 0;
}

/* A catalog or a group: both hold groups and controls. */
static int read_groups(struct rd *r, const struct bl_value *holder, int depth)
{
	if (depth > MAX_NEST)
		return oerr(r, holder, "OSCAL groups nest deeper than %d levels", MAX_NEST);
	int rc = 0;
	const struct bl_value *groups = member(r, holder, "groups", BL_VARR, "catalog", &rc);
	const struct bl_value *controls = member(r, holder, "controls", BL_VARR, "catalog", &rc);
	if (rc)
		return rc;
	if (controls && (rc = read_controls(r, controls, depth + 1)) != 0)
		return rc;
	for (uint32_t i = 0; groups && i < groups->u.arr.n; i++) {
		const struct bl_value *g = &groups->u.arr.items[i];
		if (g->type != BL_VOBJ)
			return oerr(r, g, "an OSCAL group must be an object, not %s",
				    bl_vtype_name((enum bl_vtype)g->type));
		if ((rc = read_groups(r, g, depth + 1)) != 0)
			return rc;
	}
	return 0;
}

/* include-controls / exclude-controls: [{with-ids: [...]}].  add_ids false
 * removes the ids instead. */
static int read_selects(struct rd *r, const struct bl_value *arr, bool include)
{
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *s = &arr->u.arr.items[i];
		if (s->type != BL_VOBJ)
			return oerr(r, s, "an OSCAL control selection must be an object, not %s",
				    bl_vtype_name((enum bl_vtype)s->type));
		int rc = 0;
		const struct bl_value *ids = member(r, s, "with-ids", BL_VARR, "profile", &rc);
		const struct bl_value *matching = member(r, s, "matching", BL_VARR, "profile", &rc);
		if (rc)
			return rc;
		if (matching)
			return oerr(r, matching, "OSCAL profile selects controls by \"matching\" patterns: only with-ids can be imported");
		if (!ids)
			return oerr(r, s, "OSCAL control selection has no \"with-ids\"");
		for (uint32_t k = 0; k < ids->u.arr.n; k++) {
			const struct bl_value *v = &ids->u.arr.items[k];
			if (v->type != BL_VSTR)
				return oerr(r, v, "OSCAL with-ids entries must be strings, not %s",
					    bl_vtype_name((enum bl_vtype)v->type));
			if (include) {
				if ((rc = add(r, v, NULL, true)) != 0)
					return rc;
				continue;
			}
			char raw[ID_MAX], canon[ID_MAX];
			if (v->u.str.len >= ID_MAX)
				continue;
			memcpy(raw, v->u.str.s, v->u.str.len);
			raw[v->u.str.len] = '\0';
			ptrdiff_t at = bl_fw_canonical_id(canon, sizeof(canon), raw) ? find(r->o, canon) : -1;
			if (at >= 0) {
				memmove(&r->o->controls[at], &r->o->controls[at + 1],
					(r->o->n - (size_t)at - 1) * sizeof(*r->o->controls));
				r->o->n--;
			}
		}
	}
	return 0;
}

static int read_profile(struct rd *r, const struct bl_value *p)
{
	int rc = 0;
	const struct bl_value *imports = member(r, p, "imports", BL_VARR, "profile", &rc);
	if (rc)
		return rc;
	if (!imports || imports->u.arr.n == 0)
		return oerr(r, p, "OSCAL profile has no \"imports\"");
	/* Excludes apply after every include, whichever import they sit in. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < imports->u.arr.n; i++) {
			const struct bl_value *im = &imports->u.arr.items[i];
			if (im->type != BL_VOBJ)
				return oerr(r, im, "an OSCAL import must be an object, not %s",
					    bl_vtype_name((enum bl_vtype)im->type));
			const struct bl_value *all = bl_value_get(im, "include-all", 11);
			if (all)
				return oerr(r, all, "OSCAL profile imports with \"include-all\": list the controls with include-controls/with-ids to import it");
			const char *key = pass == 0 ? "include-controls" : "exclude-controls";
			const struct bl_value *sel = member(r, im, key, BL_VARR, "profile", &rc);
			if (rc)
				return rc;
			if (sel && (rc = read_selects(r, sel, pass == 0)) != 0)
				return rc;
		}
	}
	return 0;
}

int bl_oscal_read(struct bl_oscal *out, const struct bl_value *doc, struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	struct rd r = {.o = out, .err = err};
	if (doc->type != BL_VOBJ)
		return oerr(&r, doc, "not an OSCAL document: expected an object with a \"catalog\" or \"profile\", found %s",
			    bl_vtype_name((enum bl_vtype)doc->type));
	const struct bl_value *root = NULL;
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		const struct bl_member *m = &doc->u.obj.items[i];
		bool cat = m->klen == 7 && memcmp(m->key, "catalog", 7) == 0;
		bool prof = m->klen == 7 && memcmp(m->key, "profile", 7) == 0;
		if (m->klen == 7 && memcmp(m->key, "$schema", 7) == 0)
			continue;
		if ((!cat && !prof) || root) {
			struct bl_value at = {.file = doc->file, .line = m->line, .col = m->col};
			return oerr(&r, &at,
				    "not an OSCAL catalog or profile: unexpected key \"%.*s\" (expected one \"catalog\" or \"profile\")",
				    (int)(m->klen > 60 ? 60 : m->klen), m->key);
		}
		root = &m->val;
		out->profile = prof;
	}
	if (!root)
		return oerr(&r, doc, "not an OSCAL catalog or profile: expected an object with a \"catalog\" or \"profile\"");
	const char *what = out->profile ? "profile" : "catalog";
	if (root->type != BL_VOBJ)
		return oerr(&r, root, "OSCAL %s must be an object, not %s", what,
			    bl_vtype_name((enum bl_vtype)root->type));
	int rc = 0;
	const struct bl_value *meta = member(&r, root, "metadata", BL_VOBJ, what, &rc);
	const struct bl_value *title = meta ? member(&r, meta, "title", BL_VSTR, "metadata", &rc) : NULL;
	if (rc)
		return rc;
	if (title && !(out->title = bl_arena_strndup(&out->arena, title->u.str.s, title->u.str.len)))
		return BL_ENOMEM;
	rc = out->profile ? read_profile(&r, root) : read_groups(&r, root, 0);
	if (rc)
		return rc;
	if (out->n == 0)
		return oerr(&r, root, "OSCAL %s selects no controls", what);
	return 0;
}

int bl_oscal_load(struct bl_oscal *out, const char *path, struct bl_error *err)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = NULL;
	int rc = bl_doc_load(&doc, &a, path, err);
	if (rc) {
		memset(out, 0, sizeof(*out));
		bl_arena_init(&out->arena, 0);
	} else {
		rc = bl_oscal_read(out, doc, err);
	}
	bl_arena_free(&a);
	return rc;
}

void bl_oscal_free(struct bl_oscal *o)
{
	bl_arena_free(&o->arena);
	memset(o, 0, sizeof(*o));
}

void bl_oscal_baseline_id(char *out, size_t size, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		len = (size_t)(dot - base);
	size_t o = 0;
	bool dash = false;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		char c = base[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
		if (!ok) {
			dash = o > 0;
			continue;
		}
		if (dash && o + 2 < size)
			out[o++] = '-';
		dash = false;
		if (o == 0 && c == '.')
			continue;
		out[o++] = c;
	}
	while (o > 0 && (out[o - 1] == '.' || out[o - 1] == '-'))
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, size, "oscal-import");
}

/* A YAML comment line holding s with control characters blanked. */
static void comment_text(struct bl_buf *b, const char *s)
{
	for (; *s; s++)
		bl_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void qstr(struct bl_buf *b, const char *s)
{
	bl_yaml_write_str(b, s, strlen(s));  /* JSON's escaping is not enough for YAML */
}

int bl_oscal_write_baseline(struct bl_buf *buf, const struct bl_oscal *o, const char *baseline_id,
			    const char *source, const struct bl_catalogs *catalogs)
{
	const struct bl_catalog *nist = bl_catalog_find(catalogs, "nist-800-53-r5");
	bl_buf_adds(buf, "# Baseline skeleton imported from the OSCAL ");
	bl_buf_adds(buf, o->profile ? "profile " : "catalog ");
	comment_text(buf, source);
	bl_buf_printf(buf, "\n# by `baseline import oscal`: %zu controls, each mapped to nist-800-53-r5.\n"
			   "#\n"
			   "# No control has a condition yet: give each one an `expect` (what compliant\n"
			   "# looks like) or a `violation`, and review its severity.  Until then\n"
			   "# `baseline lint` reports every control as incomplete (\"control needs\n"
			   "# exactly one of expect or violation\").\n", o->n);
	bl_buf_adds(buf, "baseline: ");
	qstr(buf, baseline_id);
	bl_buf_adds(buf, "\nversion: 0.1.0\ntitle: ");
	qstr(buf, o->title ? o->title : baseline_id);
	bl_buf_adds(buf, "\ncontrols:\n");
	for (size_t i = 0; i < o->n; i++) {
		const struct bl_oscal_control *c = &o->controls[i];
		char id[ID_MAX + 8];
		size_t n = 0;
		memcpy(id, "NIST-", 5);
		n = 5;
		for (const char *p = c->oscal; *p && n + 1 < sizeof(id); p++)
			id[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
		id[n] = '\0';
		const char *title = c->title;
		if (!title) {
			const struct bl_fw_entry *e = bl_catalog_entry(nist, c->id);
			title = e ? e->title : NULL;
		}
		bl_buf_adds(buf, "  - id: ");
		qstr(buf, id);
		bl_buf_adds(buf, "\n    title: ");
		if (title)
			qstr(buf, title);
		else
			bl_buf_printf(buf, "\"NIST SP 800-53 %s\"", c->id);
		bl_buf_adds(buf, "\n    severity: medium\n    maps: {nist-800-53-r5: [");
		qstr(buf, c->id);
		bl_buf_adds(buf, "]}\n");
	}
	return buf->failed ? BL_ENOMEM : 0;
}
