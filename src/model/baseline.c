/*
 * baseline.c - baseline documents (FORMATS.md §1): check the document's top
 * level, resolve `extends` and apply `tailor` into the effective baseline,
 * report every problem with its file:line:col, and hash the effective
 * baseline (see baseline.h and docs/baseline-format.md).  Each control is
 * checked and compiled by baseline_control.c, parameters by
 * baseline_params.c (what they share: baseline_internal.h).
 *
 * Validation never stops at the first problem: each check reports and moves
 * on, and only the final tally decides whether a baseline is returned.
 */
#include "model/baseline_internal.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc/json.h"
#include "doc/load.h"
#include "model/tailor.h"
#include "rule/expr.h"

/* ---- names ------------------------------------------------------------ */

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const effect_names[] = {"audit", "deny", "disabled"};

const char *bl_severity_name(enum bl_severity s)
{
	return (unsigned)s < COUNT(severity_names) ? severity_names[s] : "unknown";
}

const char *bl_effect_name(enum bl_effect e)
{
	return (unsigned)e < COUNT(effect_names) ? effect_names[e] : "unknown";
}

int bl_severity_parse(const char *s, size_t len)
{
	return s ? name_index(severity_names, COUNT(severity_names), s, len) : -1;
}

int bl_effect_parse(const char *s, size_t len)
{
	return s ? name_index(effect_names, COUNT(effect_names), s, len) : -1;
}

/* ---- validation context --------------------------------------------- */

/* Record one problem; an allocation failure is remembered, never lost. */
void bl_bctx_diag(struct bl_bctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->bad++;
	if (bl_diag_add(c->d, c->file, line, col, "%s", msg) == BL_ENOMEM)
		c->oom = true;
}

void bl_bctx_schema(struct bl_bctx *c, const struct bl_member **found, const struct bl_value *obj,
		    const struct bl_schema *s)
{
	int n = bl_schema_check(found, obj, s, c->d);
	if (n < 0)
		c->oom = true;
	else
		c->bad += (size_t)n;
}

/* ---- syntax checks -------------------------------------------------- */

static bool is_lower_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alnum(unsigned char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

/* [a-z0-9] followed by [a-z0-9] or any of extra. */
bool bl_bctx_id_ok(const char *s, size_t len, bool upper, const char *extra)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool alnum = upper ? is_alnum(ch) : is_lower_alnum(ch);
		if (alnum)
			continue;
		if (i == 0 || ch == '\0' || !strchr(extra, ch))
			return false;
	}
	return true;
}

/* 0 or [1-9][0-9]*, advancing *i; false when absent or with a leading zero. */
static bool semver_number(const char *s, size_t len, size_t *i)
{
	size_t start = *i;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	size_t n = *i - start;
	return n > 0 && (n == 1 || s[start] != '0');
}

/* One or more dot-separated identifiers of [0-9A-Za-z-]. */
static bool semver_idents(const char *s, size_t len, size_t *i)
{
	for (;;) {
		size_t start = *i;
		while (*i < len && (is_alnum((unsigned char)s[*i]) || s[*i] == '-'))
			(*i)++;
		if (*i == start)
			return false;
		if (*i < len && s[*i] == '.') {
			(*i)++;
			continue;
		}
		return true;
	}
}

/* MAJOR.MINOR.PATCH[-pre][+build], as semver.org. */
static bool semver_ok(const char *s, size_t len)
{
	size_t i = 0;
	for (int part = 0; part < 3; part++) {
		if (part && (i >= len || s[i++] != '.'))
			return false;
		if (!semver_number(s, len, &i))
			return false;
	}
	if (i < len && s[i] == '-') {
		i++;
		if (!semver_idents(s, len, &i))
			return false;
	}
	if (i < len && s[i] == '+') {
		i++;
		if (!semver_idents(s, len, &i))
			return false;
	}
	return i == len;
}

/* ---- top level ---------------------------------------------------------- */

enum { TK_BASELINE, TK_VERSION, TK_TITLE, TK_EXTENDS, TK_PARAMETERS, TK_TAILOR, TK_CONTROLS };

/* controls is required unless the document extends another one; checked by
 * hand below so that the message stays the schema's. */
static const struct bl_schema_key top_keys[] = {
	[TK_BASELINE] = {"baseline", BL_T_STR, BL_SK_REQUIRED},
	[TK_VERSION] = {"version", BL_T_STR | BL_T_NUM, BL_SK_REQUIRED},
	[TK_TITLE] = {"title", BL_T_STR, 0},
	[TK_EXTENDS] = {"extends", BL_T_ARR, 0},
	[TK_PARAMETERS] = {"parameters", BL_T_OBJ, 0},
	[TK_TAILOR] = {"tailor", BL_T_OBJ, 0},
	[TK_CONTROLS] = {"controls", BL_T_ARR, 0},
};
static const struct bl_schema top_schema = {"baseline", top_keys, COUNT(top_keys)};

enum { TL_EXCLUDE, TL_OVERRIDE, TL_PARAMETERS };

static const struct bl_schema_key tailor_keys[] = {
	[TL_EXCLUDE] = {"exclude", BL_T_ARR, 0},
	[TL_OVERRIDE] = {"override", BL_T_OBJ, 0},
	[TL_PARAMETERS] = {"parameters", BL_T_OBJ, 0},
};
static const struct bl_schema tailor_schema = {"tailor", tailor_keys, COUNT(tailor_keys)};

enum { OK_SEVERITY, OK_EFFECT, OK_SCOPE, OK_PARAMETERS };

static const struct bl_schema_key override_keys[] = {
	[OK_SEVERITY] = {"severity", BL_T_STR, 0},
	[OK_EFFECT] = {"effect", BL_T_STR, 0},
	[OK_SCOPE] = {"scope", BL_T_OBJ, 0},
	[OK_PARAMETERS] = {"parameters", BL_T_OBJ, 0},
};
static const struct bl_schema override_schema = {"override", override_keys, COUNT(override_keys)};

/* Deeper than this is almost certainly a mistake, and bounds the recursion. */
#define MAX_EXTENDS_DEPTH 16

/* The first key tells the document kinds apart; refuse the others early so
 * that they do not produce a page of "unknown key" noise. */
static bool check_kind(struct bl_bctx *c, const struct bl_value *doc)
{
	if (!doc || doc->type != BL_VOBJ) {
		uint32_t line = doc && doc->line ? doc->line : 1, col = doc && doc->col ? doc->col : 1;
		bl_bctx_diag(c, line, col,
			     "not a baseline: the document must be a mapping that starts with \"baseline: ID\", not %s",
			     doc ? bl_schema_value_desc(doc) : "empty");
		return false;
	}
	if (doc->u.obj.n == 0)
		return true;
	const struct bl_member *m = &doc->u.obj.items[0];
	if (m->klen == 9 && memcmp(m->key, "inventory", 9) == 0) {
		bl_bctx_diag(c, m->line, m->col, "not a baseline (an inventory document)");
		return false;
	}
	if (m->klen == 10 && memcmp(m->key, "exceptions", 10) == 0) {
		bl_bctx_diag(c, m->line, m->col, "not a baseline (an exception document)");
		return false;
	}
	return true;
}

/* Arrays in the arena grow by copying (the arena never frees): fine for
 * the handful of documents and controls of a chain.  NULL on ENOMEM. */
static void *grow(struct bl_bctx *c, void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = bl_arena_calloc(c->a, ncap, size);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	if (n)
		memcpy(p, items, n * size);
	*cap = ncap;
	return p;
}

/* Parameter definitions or values, by name (exact). */
struct mlist {
	struct bl_member *items;
	size_t n, cap;
};

static struct bl_member *mlist_find(const struct mlist *l, const char *k, size_t klen)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].klen == klen && memcmp(l->items[i].key, k, klen) == 0)
			return &l->items[i];
	return NULL;
}

/* Add m, or replace the member of the same name: the last setting wins. */
static void mlist_set(struct bl_bctx *c, struct mlist *l, const struct bl_member *m)
{
	struct bl_member *old = mlist_find(l, m->key, m->klen);
	if (old) {
		*old = *m;
		return;
	}
	struct bl_member *p = grow(c, l->items, &l->cap, l->n, sizeof(*p));
	if (!p)
		return;
	l->items = p;
	l->items[l->n++] = *m;
}

/* A closest-name hint among l's names, or "". */
static struct bl_shown mlist_hint(const struct mlist *l, const char *k, size_t klen)
{
	struct bl_shown r = {.s = ""};
	for (size_t i = 0; i < l->n; i++) {
		const struct bl_member *m = &l->items[i];
		if (bl_edit_distance(k, klen, m->key, m->klen) <= 2) {
			struct bl_shown n = bl_schema_show(m->key, m->klen);
			snprintf(r.s, sizeof(r.s), " (did you mean \"%.64s\"?)", n.s);
			break;
		}
	}
	return r;
}

/* One control on its way into the effective baseline. */
struct entry {
	const struct bl_value *node;       /* the control object as written */
	const char *file;                  /* its document */
	const char *origin;                /* id of the baseline that defined it */
	const char *id;                    /* raw id (not NUL-terminated) or NULL */
	size_t idlen;
	bool inherited, excluded;
	const struct bl_value *sev, *eff, *scope;   /* last override wins */
	struct mlist params;               /* per-control parameter values */
	struct bl_override_note *notes;
	size_t nnotes, capnotes;
};

/* What a document contributes, with everything it inherited. */
struct layer {
	struct entry *items;
	size_t n, cap;
	struct mlist defs;      /* parameter definitions, ancestors first */
	struct mlist values;    /* tailored parameter values */
};

static struct entry *layer_push(struct bl_bctx *c, struct layer *l)
{
	struct entry *p = grow(c, l->items, &l->cap, l->n, sizeof(*p));
	if (!p)
		return NULL;
	l->items = p;
	struct entry *e = &l->items[l->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* A document on the way from the loaded one to the one being read: the
 * stack that cycles are looked for in. */
struct level {
	const char *key;          /* realpath, or "builtin:NAME" */
	const char *name;         /* as shown in messages */
	const struct level *up;   /* the document that extended this one */
};

static void add_source(struct bl_bctx *c, const char *name)
{
	const char **p = grow(c, c->sources, &c->capsources, c->nsources, sizeof(*p));
	if (!p)
		return;
	c->sources = p;
	c->sources[c->nsources++] = name;
}

static void add_builtin_name(void *ctx, const char *name, size_t len)
{
	struct bl_buf *b = ctx;
	if (b->len)
		bl_buf_adds(b, ", ");
	bl_buf_add(b, name, len);
}

static void resolve(struct bl_bctx *c, const struct bl_value *doc, const char *file,
		    const struct level *lv, int depth, struct layer *out);

/* "a.yaml -> b.yaml -> a.yaml": the documents from the one that is
 * extended again (p) down to the one extending it (lv), then name. */
static void cycle_text(struct bl_buf *buf, const struct level *lv, const struct level *p,
		       const char *name)
{
	const char *names[MAX_EXTENDS_DEPTH + 2];
	size_t n = 0;
	for (const struct level *q = lv; q && n < COUNT(names); q = q->up) {
		names[n++] = q->name;
		if (q == p)
			break;
	}
	while (n)
		bl_buf_printf(buf, "%s -> ", names[--n]);
	bl_buf_adds(buf, name);
}

/* Merge a parent's layer into the extending document's. */
static void inherit(struct bl_bctx *c, struct layer *out, const struct layer *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->items[i].excluded)
			continue;
		struct entry *e = layer_push(c, out);
		if (!e)
			return;
		*e = pl->items[i];
		e->inherited = true;
	}
	for (size_t i = 0; i < pl->defs.n; i++) {
		const struct bl_member *m = &pl->defs.items[i];
		const struct bl_member *old = mlist_find(&out->defs, m->key, m->klen);
		/* The same definition reached twice (two parents sharing an
		 * ancestor) is one parameter; two different ones are ambiguous. */
		if (old && (old->val.file != m->val.file || old->line != m->line || old->col != m->col)) {
			const char *saved = c->file;
			c->file = m->val.file;
			bl_bctx_diag(c, m->line, m->col,
				     "parameter \"%s\" is also defined by another extended baseline (%s:%u): rename one of them",
				     SHOWK(m), old->val.file ? old->val.file : "?", old->line);
			c->file = saved;
		} else if (!old) {
			mlist_set(c, &out->defs, m);
		}
	}
	for (size_t i = 0; i < pl->values.n; i++)
		mlist_set(c, &out->values, &pl->values.items[i]);
}

/* The folder part of file ("." when none), for relative extends paths. */
static void folder_of(char *dir, size_t size, const char *file)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (!slash) {
		snprintf(dir, size, ".");
		return;
	}
	size_t n = (size_t)(slash - file);
	if (n == 0)
		n = 1;    /* "/x.yaml" lives in "/" */
	snprintf(dir, size, "%.*s", (int)n, file);
}

/* Read one extends entry and resolve it into out.  Every problem is
 * reported at the entry (file c->file). */
static void extend_one(struct bl_bctx *c, const struct bl_value *e, const char *file,
		       const struct level *lv, int depth, struct layer *out)
{
	if (e->type != BL_VSTR || e->u.str.len == 0) {
		bl_bctx_diag(c, AT(e), "extends entries must be builtin:NAME or a path, not %s",
			     e->type == BL_VSTR ? "an empty string" : bl_schema_value_desc(e));
		return;
	}
	char ref[PATH_MAX];
	if (e->u.str.len >= sizeof(ref) || memchr(e->u.str.s, '\0', e->u.str.len)) {
		bl_bctx_diag(c, AT(e), "extends: \"%s\" is not a usable path", SHOWV(e));
		return;
	}
	memcpy(ref, e->u.str.s, e->u.str.len);
	ref[e->u.str.len] = '\0';
	const struct bl_content_file *cf = NULL;
	const char *name, *key;
	if (bl_content_is_builtin(ref)) {
		cf = bl_content_baseline(ref);
		if (!cf) {
			struct bl_buf known;
			bl_buf_init(&known, 4096);
			bl_content_list_baselines(add_builtin_name, &known);
			bl_bctx_diag(c, AT(e), "extends: unknown builtin baseline \"%s\" (builtin baselines: %s)",
				     SHOWV(e), known.len && !known.failed ? known.data : "none");
			bl_buf_free(&known);
			return;
		}
		name = key = copy(c, ref, strlen(ref));
	} else {
		if (file && bl_content_is_builtin(file)) {
			bl_bctx_diag(c, AT(e), "extends: a builtin baseline can only extend builtin baselines, not \"%s\"",
				     SHOWV(e));
			return;
		}
		char dir[PATH_MAX], joined[PATH_MAX], real[PATH_MAX];
		folder_of(dir, sizeof(dir), file);
		int n = ref[0] == '/' ? snprintf(joined, sizeof(joined), "%s", ref)
				      : snprintf(joined, sizeof(joined), "%s/%s", dir, ref);
		if (n < 0 || (size_t)n >= sizeof(joined)) {
			bl_bctx_diag(c, AT(e), "extends: the path \"%s\" is too long", SHOWV(e));
			return;
		}
		/* ./x.yaml reads better than ././x.yaml in messages. */
		const char *shown = strncmp(joined, "./", 2) == 0 && ref[0] != '.' ? joined + 2 : joined;
		if (!realpath(joined, real)) {
			bl_bctx_diag(c, AT(e), "extends: cannot read \"%s\": %s", bl_schema_show(shown, strlen(shown)).s,
				     strerror(errno));
			return;
		}
		/* A device or FIFO would block or never end: only files extend. */
		struct stat st;
		if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
			bl_bctx_diag(c, AT(e), "extends: \"%s\" is not a regular file", bl_schema_show(shown, strlen(shown)).s);
			return;
		}
		name = copy(c, shown, strlen(shown));
		key = copy(c, real, strlen(real));
	}
	if (!name || !key)
		return;
	for (const struct level *p = lv; p; p = p->up) {
		if (strcmp(p->key, key) != 0)
			continue;
		struct bl_buf chain;
		bl_buf_init(&chain, 4096);
		cycle_text(&chain, lv, p, name);
		bl_bctx_diag(c, AT(e), "extends cycle: %s", chain.failed ? "..." : chain.data);
		bl_buf_free(&chain);
		return;
	}
	if (depth + 1 >= MAX_EXTENDS_DEPTH) {
		bl_bctx_diag(c, AT(e), "extends: more than %d levels of inheritance", MAX_EXTENDS_DEPTH);
		return;
	}
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *pdoc = NULL;
	int rc;
	if (cf && cf->nodes && strcmp(name, cf->label) == 0) {
		rc = bl_content_tree(&pdoc, cf, c->a);   /* parsed at build time (scripts/embed.c) */
		if (rc && rc != BL_ENOMEM)
			bl_error_set(&err, rc, name, 0, 0, "the builtin tables are inconsistent");
	} else
		rc = cf ? bl_doc_parse(&pdoc, c->a, cf->data, cf->len, name, &err)
			: bl_doc_load(&pdoc, c->a, name, &err);
	if (rc == BL_ENOMEM) {
		c->oom = true;
		return;
	}
	if (rc != 0) {
		if (err.line == 0) {
			bl_bctx_diag(c, AT(e), "extends: cannot read \"%s\": %s", bl_schema_show(name, strlen(name)).s, err.msg);
		} else {
			c->bad++;
			if (bl_diag_add_error(c->d, &err) == BL_ENOMEM)
				c->oom = true;
		}
		return;
	}
	add_source(c, name);
	struct level next = {.key = key, .name = name, .up = lv};
	struct layer pl = {0};
	resolve(c, pdoc, name, &next, depth + 1, &pl);
	c->file = file;
	inherit(c, out, &pl);
}

/* The inherited control named by key (ids equal ignoring case are one
 * control, as everywhere else). */
static struct entry *find_inherited(struct layer *l, const char *k, size_t klen)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id && bl_str_ieq(l->items[i].id, l->items[i].idlen, k, klen))
			return &l->items[i];
	return NULL;
}

static void tailor_exclude(struct bl_bctx *c, const struct bl_value *arr, struct layer *out)
{
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *p = &arr->u.arr.items[i];
		if (p->type != BL_VSTR || p->u.str.len == 0) {
			bl_bctx_diag(c, AT(p), "tailor.exclude entries must be control ids or globs, not %s",
				     p->type == BL_VSTR ? "an empty string" : bl_schema_value_desc(p));
			continue;
		}
		size_t hits = 0;
		for (size_t k = 0; k < out->n; k++) {
			struct entry *e = &out->items[k];
			if (e->id && bl_glob_match(p->u.str.s, p->u.str.len, e->id, e->idlen, true)) {
				e->excluded = true;
				hits++;
			}
		}
		if (!hits)
			bl_bctx_diag(c, AT(p), "tailor.exclude: \"%s\" matches no inherited control (a typo?)",
				     SHOWV(p));
	}
}

/* An override's parameters: each must name an inherited definition. */
static void override_params(struct bl_bctx *c, const struct bl_member *om, const struct bl_value *obj,
			    struct entry *e, const struct layer *out, struct bl_buf *what)
{
	bl_buf_adds(what, what->len ? " parameters=" : "parameters=");
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		const struct bl_member *def = mlist_find(&out->defs, pm->key, pm->klen);
		if (!def) {
			bl_bctx_diag(c, pm->line, pm->col,
				     "tailor.override.%s.parameters: no parameter \"%s\" in the extended baselines%s",
				     SHOWK(om), SHOWK(pm), mlist_hint(&out->defs, pm->key, pm->klen).s);
			continue;
		}
		if (bl_bctx_check_param_value(c, pm, &def->val))
			mlist_set(c, &e->params, pm);
		bl_buf_printf(what, "%s%.*s", i ? "," : "", (int)pm->klen, pm->key);
	}
}

static void tailor_override(struct bl_bctx *c, const struct bl_value *obj, const char *origin,
			    struct layer *out)
{
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		struct entry *e = find_inherited(out, m->key, m->klen);
		if (!e) {
			const char *best = NULL;
			for (size_t k = 0; k < out->n && !best; k++)
				if (out->items[k].id &&
				    bl_edit_distance(m->key, m->klen, out->items[k].id, out->items[k].idlen) <= 2)
					best = out->items[k].id;
			if (best) {
				const struct entry *be = find_inherited(out, best, strlen(best));
				bl_bctx_diag(c, m->line, m->col,
					     "tailor.override: no inherited control \"%s\" (did you mean \"%s\"?)",
					     SHOWK(m), bl_schema_show(be->id, be->idlen).s);
			} else {
				bl_bctx_diag(c, m->line, m->col, "tailor.override: no inherited control \"%s\"",
					     SHOWK(m));
			}
			continue;
		}
		if (e->excluded) {
			bl_bctx_diag(c, m->line, m->col,
				     "tailor.override: control \"%s\" is excluded by tailor.exclude: override it or exclude it, not both",
				     SHOWK(m));
			continue;
		}
		const struct bl_value *v = &m->val;
		if (v->type != BL_VOBJ) {
			bl_bctx_diag(c, AT(v), "tailor.override.%s must be an object such as {severity: high}, not %s",
				     SHOWK(m), bl_schema_value_desc(v));
			continue;
		}
		if (v->u.obj.n == 0) {
			bl_bctx_diag(c, AT(v), "tailor.override.%s changes nothing: give severity, effect, scope or parameters",
				     SHOWK(m));
			continue;
		}
		const struct bl_member *f[COUNT(override_keys)];
		bl_bctx_schema(c, f, v, &override_schema);
		struct bl_buf what;
		bl_buf_init(&what, 4096);
		if (f[OK_SEVERITY]) {
			const struct bl_value *s = &f[OK_SEVERITY]->val;
			int sev = bl_severity_parse(s->u.str.s, s->u.str.len);
			if (sev < 0)
				bl_bctx_diag(c, AT(s), "severity must be one of critical, high, medium, low, info, not \"%s\"",
					     SHOWV(s));
			else {
				e->sev = s;
				bl_buf_printf(&what, "severity=%s", bl_severity_name((enum bl_severity)sev));
			}
		}
		if (f[OK_EFFECT]) {
			const struct bl_value *s = &f[OK_EFFECT]->val;
			int eff = bl_effect_parse(s->u.str.s, s->u.str.len);
			if (eff < 0)
				bl_bctx_diag(c, AT(s), "effect must be one of audit, deny, disabled, not \"%s\"", SHOWV(s));
			else {
				e->eff = s;
				bl_buf_printf(&what, "%seffect=%s", what.len ? " " : "", effect_names[eff]);
			}
		}
		if (f[OK_SCOPE]) {
			struct bl_control scratch;
			memset(&scratch, 0, sizeof(scratch));
			bl_bctx_check_scope(c, &f[OK_SCOPE]->val, &scratch);
			e->scope = &f[OK_SCOPE]->val;
			bl_buf_adds(&what, what.len ? " scope" : "scope");
		}
		if (f[OK_PARAMETERS])
			override_params(c, m, &f[OK_PARAMETERS]->val, e, out, &what);
		struct bl_override_note *notes = grow(c, e->notes, &e->capnotes, e->nnotes, sizeof(*notes));
		if (notes) {
			e->notes = notes;
			struct bl_override_note *nt = &e->notes[e->nnotes++];
			nt->baseline = origin;
			nt->file = c->file;
			nt->line = m->line;
			nt->col = m->col;
			nt->what = copy(c, what.failed ? "" : (what.data ? what.data : ""), what.len);
		}
		bl_buf_free(&what);
	}
}

static void tailor_parameters(struct bl_bctx *c, const struct bl_value *obj, struct layer *out)
{
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		const struct bl_member *def = mlist_find(&out->defs, pm->key, pm->klen);
		if (!def) {
			bl_bctx_diag(c, pm->line, pm->col,
				     "tailor.parameters: no parameter \"%s\" in the extended baselines%s",
				     SHOWK(pm), mlist_hint(&out->defs, pm->key, pm->klen).s);
			continue;
		}
		if (bl_bctx_check_param_value(c, pm, &def->val))
			mlist_set(c, &out->values, pm);
	}
}

static void tailor_keys_only(struct bl_bctx *c, const struct bl_value *t)
{
	const struct bl_member *f[COUNT(tailor_keys)];
	bl_bctx_schema(c, f, t, &tailor_schema);
}

static void apply_tailor(struct bl_bctx *c, const struct bl_value *t, const char *origin,
			 struct layer *out)
{
	const struct bl_member *f[COUNT(tailor_keys)];
	bl_bctx_schema(c, f, t, &tailor_schema);
	if (f[TL_EXCLUDE])
		tailor_exclude(c, &f[TL_EXCLUDE]->val, out);
	if (f[TL_OVERRIDE])
		tailor_override(c, &f[TL_OVERRIDE]->val, origin, out);
	if (f[TL_PARAMETERS])
		tailor_parameters(c, &f[TL_PARAMETERS]->val, out);
}

/* Check id, version and title; the loaded document's go into the baseline. */
static const char *check_header(struct bl_bctx *c, const struct bl_member *const *f, int depth)
{
	struct bl_baseline *b = c->b;
	const char *origin = NULL;
	if (f[TK_BASELINE]) {
		const struct bl_value *v = &f[TK_BASELINE]->val;
		if (!bl_bctx_id_ok(v->u.str.s, v->u.str.len, false, "._-"))
			bl_bctx_diag(c, AT(v),
			     "baseline id \"%s\" is invalid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
			     SHOWV(v));
		origin = copy_str(c, v);
	}
	if (f[TK_VERSION]) {
		const struct bl_value *v = &f[TK_VERSION]->val;
		/* A YAML 1.3 is a number node; its text still shows the mistake. */
		const char *s = v->type == BL_VSTR ? v->u.str.s : v->u.num.text;
		size_t len = v->type == BL_VSTR ? v->u.str.len : v->u.num.len;
		if (v->type != BL_VSTR || !semver_ok(s, len))
			bl_bctx_diag(c, AT(v), "version must be MAJOR.MINOR.PATCH (optionally -pre or +build), not \"%s\"",
				     bl_schema_show(s, len).s);
		if (depth == 0)
			b->version = copy(c, s, len);
	}
	if (depth == 0) {
		b->id = origin;
		if (f[TK_TITLE])
			b->title = copy_str(c, &f[TK_TITLE]->val);
	}
	return origin ? origin : "?";
}

/* Validate doc (named file) and everything it extends into out: the
 * inherited controls with this document's tailoring applied, then its own
 * controls, unvalidated (build() compiles them once, with the final
 * parameter values). */
static void resolve(struct bl_bctx *c, const struct bl_value *doc, const char *file,
		    const struct level *lv, int depth, struct layer *out)
{
	c->file = file;
	if (!check_kind(c, doc))
		return;
	const struct bl_member *f[COUNT(top_keys)];
	bl_bctx_schema(c, f, doc, &top_schema);
	const char *origin = check_header(c, f, depth);
	if (f[TK_PARAMETERS])
		bl_bctx_check_parameters(c, &f[TK_PARAMETERS]->val);

	bool extends = false, controls = false;
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		extends |= is_key(&doc->u.obj.items[i], "extends");
		controls |= is_key(&doc->u.obj.items[i], "controls");
	}
	if (!extends && !controls)
		bl_bctx_diag(c, AT(doc), "baseline is missing required key \"controls\"");
	size_t before = c->bad;
	if (f[TK_EXTENDS]) {
		const struct bl_value *arr = &f[TK_EXTENDS]->val;
		if (arr->u.arr.n == 0)
			bl_bctx_diag(c, AT(arr), "extends must not be empty: omit it when nothing is inherited");
		for (uint32_t i = 0; i < arr->u.arr.n; i++) {
			extend_one(c, &arr->u.arr.items[i], file, lv, depth, out);
			c->file = file;
		}
	}
	if (f[TK_TAILOR]) {
		if (!extends)
			bl_bctx_diag(c, f[TK_TAILOR]->line, f[TK_TAILOR]->col,
				     "tailor needs extends: there is no inherited control to tailor");
		else if (c->bad == before)
			apply_tailor(c, &f[TK_TAILOR]->val, origin, out);
		else
			/* An unreadable parent would make every exclude and
			 * override look like a typo: check only the keys. */
			tailor_keys_only(c, &f[TK_TAILOR]->val);
	}
	if (f[TK_PARAMETERS]) {
		const struct bl_value *params = &f[TK_PARAMETERS]->val;
		for (uint32_t i = 0; i < params->u.obj.n; i++) {
			const struct bl_member *pm = &params->u.obj.items[i];
			const struct bl_member *old = mlist_find(&out->defs, pm->key, pm->klen);
			if (old)
				bl_bctx_diag(c, pm->line, pm->col,
					     "parameter \"%s\" is already defined by an extended baseline (%s:%u): set its value with tailor.parameters",
					     SHOWK(pm), old->val.file ? old->val.file : "?", old->line);
			else
				mlist_set(c, &out->defs, pm);
		}
	}
	if (!f[TK_CONTROLS])
		return;
	const struct bl_value *arr = &f[TK_CONTROLS]->val;
	/* sized once: doubling from 8 left 2 KB of copies per control */
	if (out->n + arr->u.arr.n > out->cap) {
		struct entry *p = bl_arena_calloc(c->a, out->n + arr->u.arr.n, sizeof(*p));
		if (!p) {
			c->oom = true;
			return;
		}
		if (out->n)
			memcpy(p, out->items, out->n * sizeof(*p));
		out->items = p;
		out->cap = out->n + arr->u.arr.n;
	}
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		struct entry *e = layer_push(c, out);
		if (!e)
			return;
		e->node = &arr->u.arr.items[i];
		e->file = file;
		e->origin = origin;
		const struct bl_value *id = bl_value_getz(e->node, "id");
		if (id && id->type == BL_VSTR) {
			e->id = id->u.str.s;
			e->idlen = id->u.str.len;
		}
	}
}

/* An object of l's members, or NULL when l is empty. */
static const struct bl_value *mlist_object(struct bl_bctx *c, const struct mlist *l)
{
	if (!l->n)
		return NULL;
	const struct bl_value *v = bl_tailor_object(c->a, l->items, l->n);
	if (!v)
		c->oom = true;
	return v;
}

/* values overlaid with an override's per-control values. */
static const struct bl_value *merged_values(struct bl_bctx *c, const struct mlist *values,
					    const struct mlist *mine)
{
	struct mlist m = {0};
	for (size_t i = 0; i < values->n; i++)
		mlist_set(c, &m, &values->items[i]);
	for (size_t i = 0; i < mine->n; i++)
		mlist_set(c, &m, &mine->items[i]);
	return mlist_object(c, &m);
}

/* An overriding scope replaces the control's whole scope (already checked
 * where the override was read, so its problems are not reported twice). */
static void replace_scope(struct bl_bctx *c, const struct bl_value *scope, struct bl_control *ctl)
{
	struct bl_diags quiet;
	bl_diags_init(&quiet);
	struct bl_diags *saved = c->d;
	size_t bad = c->bad;
	c->d = &quiet;
	ctl->types = NULL;
	ctl->ntypes = 0;
	ctl->tiers = NULL;
	ctl->ntiers = 0;
	ctl->environments = NULL;
	ctl->nenvironments = 0;
	bl_bctx_check_scope(c, scope, ctl);
	c->d = saved;
	c->bad = bad;
	bl_diags_free(&quiet);
}

/* Compile the effective controls into b, in order, each in the context of
 * the document that defined it. */
static void compile_layer(struct bl_bctx *c, struct layer *top, bool extends,
			  const struct bl_value *own_params, const struct mlist *placeholders,
			  struct bl_tailored **tailored)
{
	struct bl_baseline *b = c->b;
	size_t n = 0;
	for (size_t i = 0; i < top->n; i++)
		n += !top->items[i].excluded;
	b->controls = alloc_n(c, n, sizeof(*b->controls));
	struct idpos *pos = alloc_n(c, n, sizeof(*pos));
	*tailored = alloc_n(c, n, sizeof(**tailored));
	if (!b->controls || !pos || !*tailored)
		return;
	const struct bl_value *defs = extends ? mlist_object(c, &top->defs) : own_params;
	const struct bl_value *values = mlist_object(c, &top->values);
	b->parameters = defs;
	b->param_values = values;
	/* Parameters without any value compile with a stand-in of their type,
	 * so the rest of the document is still checked; a run refuses them
	 * (bl_baseline_require_values). */
	struct mlist all = {0};
	if (placeholders->n) {
		for (size_t i = 0; i < placeholders->n; i++)
			mlist_set(c, &all, &placeholders->items[i]);
		for (size_t i = 0; i < top->values.n; i++)
			mlist_set(c, &all, &top->values.items[i]);
		values = mlist_object(c, &all);
	}
	size_t k = 0;
	for (size_t i = 0; i < top->n; i++) {
		struct entry *e = &top->items[i];
		if (e->excluded)
			continue;
		struct bl_control *ctl = &b->controls[k];
		ctl->index = k;
		pos[k].index = k;
		c->file = e->file;
		c->params = defs;
		c->param_values = e->params.n ? merged_values(c, placeholders->n ? &all : &top->values,
							      &e->params)
					      : values;
		bl_bctx_check_control(c, e->node, ctl, &pos[k]);
		pos[k].file = e->file;
		pos[k].origin = e->origin;
		ctl->origin = e->origin;
		ctl->inherited = e->inherited;
		ctl->overrides = e->notes;
		ctl->noverrides = e->nnotes;
		ctl->param_values = e->params.n ? mlist_object(c, &e->params) : NULL;
		if (e->sev)
			ctl->severity = (enum bl_severity)bl_severity_parse(e->sev->u.str.s, e->sev->u.str.len);
		if (e->eff)
			ctl->effect = (enum bl_effect)name_index(effect_names, COUNT(effect_names),
								  e->eff->u.str.s, e->eff->u.str.len);
		if (e->scope)
			replace_scope(c, e->scope, ctl);
		if (ctl->related && ctl->effect != BL_EFFECT_DISABLED && !ctl->na_reason)
			b->has_related = true;
		(*tailored)[k] = (struct bl_tailored){
			.node = e->node, .severity = e->sev, .effect = e->eff, .scope = e->scope,
			.params = ctl->param_values,
		};
		k++;
	}
	b->ncontrols = k;
	bl_bctx_check_duplicates(c, pos, k);
}

/* Hex SHA-256 of the compact JSON of doc: the same document read from YAML
 * or JSON gives the same bytes, hence the same hash. */
static int hash_doc(char hex[65], const struct bl_value *doc, const char *known)
{
	if (known) {  /* builtin content, hashed at build time (scripts/embed.c) */
		memcpy(hex, known, 65);
		return 0;
	}
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	int rc = bl_json_write(&buf, doc, 0);
	if (rc == 0 && buf.failed)
		rc = BL_ENOMEM;
	if (rc == 0) {
		unsigned char md[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(md, (const unsigned char *)buf.data, buf.len);
		sodium_bin2hex(hex, 65, md, sizeof(md));
	}
	bl_buf_free(&buf);
	return rc;
}

/* Deep copy into c->a (positions kept): assigned values come from a file
 * the caller frees after loading.  NULL on ENOMEM (c->oom set). */
static const struct bl_value *copy_value(struct bl_bctx *c, const struct bl_value *v, int depth)
{
	struct bl_value *n = bl_arena_alloc(c->a, sizeof(*n));
	if (!n || depth > 256) {
		c->oom = true;
		return NULL;
	}
	*n = *v;
	if (v->type == BL_VSTR || v->type == BL_VERR || v->type == BL_VNA) {
		n->u.str.s = copy(c, v->u.str.s, v->u.str.len);
	} else if (v->type == BL_VNUM) {
		n->u.num.text = copy(c, v->u.num.text, v->u.num.len);
	} else if (v->type == BL_VARR && v->u.arr.n) {
		n->u.arr.items = alloc_n(c, v->u.arr.n, sizeof(*n->u.arr.items));
		for (uint32_t i = 0; n->u.arr.items && i < v->u.arr.n; i++) {
			const struct bl_value *e = copy_value(c, &v->u.arr.items[i], depth + 1);
			if (!e)
				return NULL;
			n->u.arr.items[i] = *e;
		}
	} else if (v->type == BL_VOBJ && v->u.obj.n) {
		n->u.obj.items = alloc_n(c, v->u.obj.n, sizeof(*n->u.obj.items));
		for (uint32_t i = 0; n->u.obj.items && i < v->u.obj.n; i++) {
			struct bl_member *m = &n->u.obj.items[i];
			*m = v->u.obj.items[i];
			m->key = copy(c, m->key, m->klen);
			const struct bl_value *e = copy_value(c, &v->u.obj.items[i].val, depth + 1);
			if (!e)
				return NULL;
			m->val = *e;
		}
	}
	if (v->file)
		n->file = copy(c, v->file, strlen(v->file));
	return c->oom ? NULL : n;
}

/* Assigned values (--parameters) into top->values, each checked against its
 * definition; they win over tailor.parameters. */
static void assign_values(struct bl_bctx *c, struct layer *top)
{
	const struct bl_value *obj = c->assigned;
	const char *saved = c->file;
	for (uint32_t i = 0; obj->type == BL_VOBJ && i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		c->file = pm->val.file;
		const struct bl_member *def = mlist_find(&top->defs, pm->key, pm->klen);
		if (!def) {
			bl_bctx_diag(c, pm->line, pm->col, "parameter \"%s\" is not defined by the baseline%s",
				     SHOWK(pm), mlist_hint(&top->defs, pm->key, pm->klen).s);
			continue;
		}
		if (def->val.type != BL_VOBJ || !bl_bctx_check_param_value(c, pm, &def->val))
			continue;
		struct bl_member m = *pm;
		const struct bl_value *v = copy_value(c, &pm->val, 0);
		m.key = copy(c, pm->key, pm->klen);
		if (!v || !m.key)
			return;
		m.val = *v;
		mlist_set(c, &top->values, &m);
	}
	c->file = saved;
}


/* Definitions with no default and no value: remembered in b->unset, and
 * given stand-ins for compilation. */
static void find_unset(struct bl_bctx *c, struct layer *top, struct mlist *placeholders)
{
	struct bl_baseline *b = c->b;
	size_t cap = 0;
	const struct bl_member **list = NULL;
	for (size_t i = 0; i < top->defs.n; i++) {
		const struct bl_member *d = &top->defs.items[i];
		if (d->val.type != BL_VOBJ || bl_value_getz(&d->val, "default") ||
		    bl_value_getz(&d->val, "defaultValue") ||
		    mlist_find(&top->values, d->key, d->klen))
			continue;
		const struct bl_member **p = grow(c, list, &cap, b->nunset, sizeof(*p));
		const struct bl_value *v = bl_bctx_stand_in(c, d, &d->val);
		if (!p || !v)
			return;
		list = p;
		list[b->nunset++] = d;
		struct bl_member m = *d;
		m.val = *v;
		mlist_set(c, placeholders, &m);
	}
	b->unset = list;
}

/* Resolve, validate and compile doc into b, then hash the effective
 * baseline.  Returns 0, BL_EINVAL, BL_ENOMEM or BL_EINTERNAL. */
/* The catalogs loaded to check mapped ids stay with the baseline (their
 * blocks move into its arena), so that a run's roll-up does not load them a
 * second time (a fifth of a mapped builtin's startup). */
static void keep_catalogs(struct bl_bctx *c)
{
	struct bl_catalogs *kept = bl_arena_alloc(c->a, sizeof(*kept));
	if (!kept) {
		bl_catalogs_free(&c->cats);
		return;
	}
	*kept = c->cats;
	bl_arena_init(&kept->arena, 0);
	bl_arena_adopt(c->a, &c->cats.arena);
	c->b->catalogs = kept;
}

static int check_all(struct bl_bctx *c, const struct bl_value *doc)
{
	struct bl_baseline *b = c->b;
	const char *file = c->file;
	char real[PATH_MAX];
	struct level root = {.key = file ? file : "", .name = file ? file : "(document)"};
	if (file && !bl_content_is_builtin(file) && realpath(file, real))
		root.key = copy(c, real, strlen(real));
	if (!root.key)
		return BL_ENOMEM;
	add_source(c, file ? file : "(document)");
	struct layer top = {0};
	resolve(c, doc, file, &root, 0, &top);
	c->file = file;
	bool extends = doc && doc->type == BL_VOBJ && bl_value_member(doc, "extends", 7) &&
		       is_key(bl_value_member(doc, "extends", 7), "extends");
	const struct bl_value *own = doc && doc->type == BL_VOBJ ? bl_value_getz(doc, "parameters") : NULL;
	if (own && own->type != BL_VOBJ)
		own = NULL;
	struct mlist placeholders = {0};
	if (c->assigned)
		assign_values(c, &top);
	find_unset(c, &top, &placeholders);
	struct bl_tailored *tailored = NULL;
	if (!c->oom)
		compile_layer(c, &top, extends, own, &placeholders, &tailored);
	b->sources = c->sources;
	b->nsources = c->nsources;
	if (c->cats_state == 1)
		keep_catalogs(c);
	if (c->oom)
		return BL_ENOMEM;
	if (c->internal)
		return BL_EINTERNAL;
	if (c->bad)
		return BL_EINVAL;
	b->effective = doc;
	if ((extends || c->assigned) &&
	    bl_tailor_effective_doc(&b->effective, c->a, doc, b->parameters, b->param_values,
				    tailored, b->ncontrols) != 0)
		return BL_ENOMEM;
	/* a builtin document as shipped was hashed when the content was built */
	return hash_doc(b->sha256, b->effective, b->effective == doc ? c->builtin_sha : NULL) == 0
		       ? 0 : BL_ENOMEM;
}

/* ---- construction ------------------------------------------------------- */

/* A baseline whose struct lives in its own arena; NULL when out of memory. */
static struct bl_baseline *baseline_new(void)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_baseline *b = bl_arena_calloc(&a, 1, sizeof(*b));
	if (!b) {
		bl_arena_free(&a);
		return NULL;
	}
	/* Blocks never point back at the arena header, so it can move in. */
	b->arena = a;
	return b;
}

void bl_baseline_free(struct bl_baseline *b)
{
	if (!b)
		return;
	struct bl_arena a = b->arena;
	bl_arena_free(&a);
}

/* Validate doc into b (whose arena is ready).  Returns 0, BL_EINVAL or BL_ENOMEM. */
static int build(struct bl_baseline *b, const struct bl_value *doc,
		 const struct bl_value *assigned, const char *sha, struct bl_diags *diags)
{
	struct bl_bctx c = {.b = b, .a = &b->arena, .d = diags, .assigned = assigned,
			.builtin_sha = sha};
	if (doc && doc->file) {
		c.file = copy(&c, doc->file, strlen(doc->file));
		b->file = c.file;
	}
	b->doc = doc;
	if (c.oom)
		return BL_ENOMEM;
	return check_all(&c, doc);
}

int bl_baseline_from_doc(struct bl_baseline **out, const struct bl_value *doc,
			 struct bl_diags *diags)
{
	*out = NULL;
	struct bl_baseline *b = baseline_new();
	if (!b)
		return BL_ENOMEM;
	int rc = build(b, doc, NULL, NULL, diags);
	if (rc != 0) {
		bl_baseline_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int bl_baseline_from_doc_owned(struct bl_baseline **out, const struct bl_value *doc,
			       struct bl_arena *arena, const struct bl_value *values,
			       struct bl_diags *diags)
{
	*out = NULL;
	struct bl_baseline *b = bl_arena_calloc(arena, 1, sizeof(*b));
	if (!b) {
		bl_arena_free(arena);
		bl_arena_init(arena, 0);
		return BL_ENOMEM;
	}
	/* Blocks never point back at the arena header, so it can move in. */
	b->arena = *arena;
	bl_arena_init(arena, 0);
	int rc = build(b, doc, values, NULL, diags);
	if (rc != 0) {
		bl_baseline_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int bl_baseline_require_values(const struct bl_baseline *b, struct bl_diags *diags)
{
	for (size_t i = 0; i < b->nunset; i++) {
		const struct bl_member *m = b->unset[i];
		if (bl_diag_add(diags, m->val.file, m->line, m->col,
				"parameter \"%s\" has no value: give it a default, a value in tailor.parameters, or one with --parameters FILE",
				SHOWK(m)) == BL_ENOMEM)
			return BL_ENOMEM;
	}
	return b->nunset ? BL_EINVAL : 0;
}

struct names {
	struct bl_buf *buf;
	size_t n;
};

static void add_name(void *ctx, const char *name, size_t len)
{
	struct names *ns = ctx;
	if (ns->n++)
		bl_buf_adds(ns->buf, ", ");
	bl_buf_add(ns->buf, name, len);
}

/* The "unknown builtin" message lists what exists, so a typo is easy to fix. */
static int unknown_builtin(const char *ref, struct bl_diags *diags)
{
	struct bl_buf buf;
	bl_buf_init(&buf, 4096);
	struct names ns = {&buf, 0};
	bl_content_list_baselines(add_name, &ns);
	int rc;
	if (ns.n)
		rc = bl_diag_add(diags, ref, 0, 0, "unknown builtin baseline \"%s\" (builtin baselines: %s)",
				 bl_schema_show(ref, strlen(ref)).s, buf.failed ? "..." : buf.data);
	else
		rc = bl_diag_add(diags, ref, 0, 0,
				 "unknown builtin baseline \"%s\" (this build ships no builtin baselines)",
				 bl_schema_show(ref, strlen(ref)).s);
	bl_buf_free(&buf);
	return rc == BL_ENOMEM ? BL_ENOMEM : BL_EIO;
}

int bl_baseline_load(struct bl_baseline **out, const char *path, struct bl_diags *diags)
{
	return bl_baseline_load_ex(out, path, NULL, diags);
}

int bl_baseline_load_ex(struct bl_baseline **out, const char *path,
			const struct bl_value *values, struct bl_diags *diags)
{
	*out = NULL;
	const struct bl_content_file *f = NULL;
	if (bl_content_is_builtin(path)) {
		f = bl_content_baseline(path);
		if (!f)
			return unknown_builtin(path, diags);
	}
	struct bl_baseline *b = baseline_new();
	if (!b)
		return BL_ENOMEM;
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	int rc = 0;
	const char *sha = NULL;
	if (f && f->nodes && strcmp(path, f->label) == 0) {
		/* parsed at build time (scripts/embed.c), and hashed */
		rc = bl_content_tree(&doc, f, &b->arena);
		if (rc)
			bl_error_set(&err, rc, path, 0, 0, "%s", rc == BL_ENOMEM ? "out of memory"
						  : "the builtin tables are inconsistent");
		sha = f->sha256;
	} else {
		rc = f ? bl_doc_parse(&doc, &b->arena, f->data, f->len, path, &err)
		       : bl_doc_load(&doc, &b->arena, path, &err);
	}
	if (rc != 0) {
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			rc = BL_ENOMEM;
		bl_baseline_free(b);
		return rc;
	}
	rc = build(b, doc, values, sha, diags);
	if (rc == 0) {
		b->file = bl_arena_strndup(&b->arena, path, strlen(path));
		if (!b->file)
			rc = BL_ENOMEM;
	}
	if (rc != 0) {
		bl_baseline_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

const struct bl_control *bl_baseline_control(const struct bl_baseline *b, const char *id)
{
	if (!b || !id)
		return NULL;
	for (size_t i = 0; i < b->ncontrols; i++)
		if (b->controls[i].id && strcmp(b->controls[i].id, id) == 0)
			return &b->controls[i];
	return NULL;
}

const char *bl_control_cond_text(const struct bl_control *c, struct bl_arena *a)
{
	if (c->cond)
		return bl_cond_describe(c->cond, a);
	return c->cond_text;
}
