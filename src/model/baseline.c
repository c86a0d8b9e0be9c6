/*
 * baseline.c - baseline documents (FORMATS.md §1): check every key of the
 * document, resolve `extends` and apply `tailor` into the effective baseline,
 * report every problem with its file:line:col, check `maps` against the
 * shipped framework catalogs, compile the conditions and hash the effective
 * baseline (see baseline.h and docs/baseline-format.md).
 *
 * Validation never stops at the first problem: each check reports and moves
 * on, and only the final tally decides whether a baseline is returned.
 */
#include "model/baseline.h"

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
#include "model/content.h"
#include "model/framework.h"
#include "model/schema.h"
#include "model/tailor.h"
#include "rule/expr.h"
#include "util/str.h"

/* ---- names ------------------------------------------------------------ */

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const effect_names[] = {"audit", "deny", "disabled"};
static const char *const category_names[] = {
	"network", "identity", "privileged-access", "data", "compute",
	"logging", "posture", "backup", "devops", "governance",
};
static const char *const param_type_names[] = {
	"string", "array", "object", "boolean", "integer", "number",
};

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

const char *bl_severity_name(enum bl_severity s)
{
	return (unsigned)s < COUNT(severity_names) ? severity_names[s] : "unknown";
}

const char *bl_effect_name(enum bl_effect e)
{
	return (unsigned)e < COUNT(effect_names) ? effect_names[e] : "unknown";
}

/* Index of s in names (ASCII case-insensitive), or -1. */
static int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (bl_str_ieq(names[i], strlen(names[i]), s, len))
			return (int)i;
	return -1;
}

int bl_severity_parse(const char *s, size_t len)
{
	return s ? name_index(severity_names, COUNT(severity_names), s, len) : -1;
}

/* ---- validation context --------------------------------------------- */

/* Frameworks remembered by catalog(): controls map to the same few, in turn
 * (nist, mcsb, cis, nist, ...), so one remembered key missed every time. */
#define FWMEMO_N 8
#define FWMEMO_KEY 48

struct ctx {
	struct bl_baseline *b;
	struct bl_arena *a;          /* the baseline's arena */
	struct bl_diags *d;
	const char *file;            /* arena copy of the document's name, or NULL */
	const struct bl_value *params;  /* the parameters object, if it is one */
	const struct bl_value *param_values;  /* tailored values for compile, or NULL */
	struct bl_catalogs cats;     /* loaded on the first `maps` seen */
	int cats_state;              /* 0 not loaded, 1 loaded, -1 failed */
	const char **sources;        /* documents read (b->sources) */
	size_t nsources, capsources;
	size_t bad;                  /* problems reported */
	bool oom;
	bool internal;               /* a shipped catalog did not load */
	const struct bl_value *assigned;  /* --parameters values (object) or NULL */
	struct bl_regex_cache *rxc;  /* regexes shared by all the conditions (created on
					the first compile; NULL: none) */
	bool host_only;              /* the control being compiled is scoped to linux.host
					(one asset per run: regexes are not JIT-compiled) */
	const char *builtin_sha;     /* the document is a builtin tree as shipped: its hash
					(computed at build time), else NULL */
	struct fwmemo {              /* maps keys catalog() found, and their catalogs: */
		char key[FWMEMO_KEY];   /* a copy (a parent's document may not outlive */
		size_t len;             /* its layer) */
		const struct bl_catalog *cat;
	} fwmemo[FWMEMO_N];
	size_t nfwmemo;
	struct idmemo *idmemo;       /* catalog_id's answers (IDMEMO_CAP slots, in the arena
					on the first mapped id), NULL before */
	size_t nidmemo;
	const char *tree_file_seen;  /* from_tree's last document name, and its answer */
	bool tree_file;
};

/* One mapped id as written, in one catalog, and the spelling catalog_id
 * gave it.  builtin:linux-host maps 1,304 ids of which 104 differ: each
 * was canonicalised, looked up and copied again. */
struct idmemo {
	const struct bl_catalog *cat;   /* NULL = empty slot */
	const char *s;                  /* the id as written (arena copy) */
	size_t len;
	const char *id;                 /* catalog_id's answer (arena, shared) */
};

#define IDMEMO_CAP 1024u

static void diag(struct ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record one problem; an allocation failure is remembered, never lost. */
static void diag(struct ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
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

#define AT(v) (v)->line, (v)->col


#define SHOWV(v) bl_schema_show((v)->u.str.s, (v)->u.str.len).s
#define SHOWN(v) bl_schema_show((v)->u.num.text, (v)->u.num.len).s
#define SHOWK(m) bl_schema_show((m)->key, (m)->klen).s

static char *copy(struct ctx *c, const char *s, size_t len)
{
	char *p = bl_arena_strndup(c->a, s, len);
	if (!p)
		c->oom = true;
	return p;
}

static char *copy_str(struct ctx *c, const struct bl_value *v)
{
	return copy(c, v->u.str.s, v->u.str.len);
}

/* Does v come from a builtin document tree (model/content.c), whose strings
 * are static and NUL-terminated?  Remembered per document name. */
static bool from_tree(struct ctx *c, const struct bl_value *v)
{
	if (!v->file)
		return false;
	if (v->file != c->tree_file_seen) {
		c->tree_file_seen = v->file;
		c->tree_file = bl_content_is_tree_file(v->file);
	}
	return c->tree_file;
}

/* A string of the document kept in the baseline: a builtin tree's string as
 * it is (static), any other an arena copy.  Copying every title, rationale
 * and id of builtin:linux-host was a thirtieth of loading it. */
static const char *keep_str(struct ctx *c, const struct bl_value *v)
{
	return from_tree(c, v) ? v->u.str.s : copy_str(c, v);
}

static void *alloc_n(struct ctx *c, size_t n, size_t size)
{
	void *p = bl_arena_calloc(c->a, n ? n : 1, size);
	if (!p)
		c->oom = true;
	return p;
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
static bool id_ok(const char *s, size_t len, bool upper, const char *extra)
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

/* ---- value equality (allowedValues) ------------------------------------ */

/* Structural equality; strings compare ignoring ASCII case, as Azure does. */
static bool value_eq(const struct bl_value *x, const struct bl_value *y, int depth)
{
	if (depth > 64 || x->type != y->type)
		return false;
	switch (x->type) {
	case BL_VNULL:
		return true;
	case BL_VBOOL:
		return x->b == y->b;
	case BL_VNUM:
		return x->u.num.d == y->u.num.d;
	case BL_VSTR:
		return bl_str_ieq(x->u.str.s, x->u.str.len, y->u.str.s, y->u.str.len);
	case BL_VARR:
		if (x->u.arr.n != y->u.arr.n)
			return false;
		for (uint32_t i = 0; i < x->u.arr.n; i++)
			if (!value_eq(&x->u.arr.items[i], &y->u.arr.items[i], depth + 1))
				return false;
		return true;
	case BL_VOBJ:
		if (x->u.obj.n != y->u.obj.n)
			return false;
		for (uint32_t i = 0; i < x->u.obj.n; i++) {
			const struct bl_member *m = &x->u.obj.items[i];
			const struct bl_value *o = bl_value_get(y, m->key, m->klen);
			if (!o || !value_eq(&m->val, o, depth + 1))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static bool in_allowed(const struct bl_value *v, const struct bl_value *allowed)
{
	for (uint32_t i = 0; i < allowed->u.arr.n; i++)
		if (value_eq(v, &allowed->u.arr.items[i], 0))
			return true;
	return false;
}

/* ---- parameters ------------------------------------------------------- */

enum { PT_STRING, PT_ARRAY, PT_OBJECT, PT_BOOLEAN, PT_INTEGER, PT_NUMBER };

static const unsigned param_type_mask[] = {
	BL_T_STR, BL_T_ARR, BL_T_OBJ, BL_T_BOOL, BL_T_INT, BL_T_NUM,
};

enum { PK_TYPE, PK_DEFAULT, PK_DEFAULTVALUE, PK_ALLOWED, PK_METADATA, PK_DESCRIPTION };

static const struct bl_schema_key param_keys[] = {
	[PK_TYPE] = {"type", BL_T_STR, BL_SK_REQUIRED},
	[PK_DEFAULT] = {"default", BL_T_ANY, 0},
	[PK_DEFAULTVALUE] = {"defaultValue", BL_T_ANY, 0},
	[PK_ALLOWED] = {"allowedValues", BL_T_ARR, 0},
	[PK_METADATA] = {"metadata", BL_T_OBJ, 0},
	[PK_DESCRIPTION] = {"description", BL_T_STR, 0},
};
static const struct bl_schema param_schema = {"parameter definition", param_keys, COUNT(param_keys)};

static void schema(struct ctx *c, const struct bl_member **found, const struct bl_value *obj,
		   const struct bl_schema *s)
{
	int n = bl_schema_check(found, obj, s, c->d);
	if (n < 0)
		c->oom = true;
	else
		c->bad += (size_t)n;
}

/* A value shown in a message: strings quoted, numbers as written, other
 * types by name. */
static struct bl_shown show_value(const struct bl_value *v)
{
	struct bl_shown r;
	if (v->type == BL_VSTR) {
		struct bl_shown in = bl_schema_show(v->u.str.s, v->u.str.len);
		size_t n = strlen(in.s);   /* at most 68: bl_schema_show() caps its output */
		r.s[0] = '"';
		memcpy(r.s + 1, in.s, n);
		r.s[n + 1] = '"';
		r.s[n + 2] = '\0';
		return r;
	}
	if (v->type == BL_VNUM)
		return bl_schema_show(v->u.num.text, v->u.num.len);
	if (v->type == BL_VBOOL)
		return bl_schema_show(v->b ? "true" : "false", v->b ? 4 : 5);
	const char *d = bl_schema_value_desc(v);
	return bl_schema_show(d, strlen(d));
}

/* what: "default" for a definition's default, "value" for a tailored value. */
static void check_default(struct ctx *c, const struct bl_member *pm, int type,
			  const struct bl_value *def, const struct bl_value *allowed,
			  const char *what)
{
	if (!bl_schema_type_ok(def, param_type_mask[type])) {
		diag(c, AT(def), "%s of parameter \"%s\" must be %s to match its type, not %s",
		     what, SHOWK(pm), bl_schema_type_desc(param_type_mask[type]),
		     bl_schema_value_desc(def));
		return;
	}
	if (!allowed)
		return;
	/* An array parameter's allowedValues list the allowed elements (as in
	 * Azure Policy), unless one allowed value is the whole default. */
	if (type == PT_ARRAY && !in_allowed(def, allowed)) {
		for (uint32_t i = 0; i < def->u.arr.n; i++) {
			const struct bl_value *e = &def->u.arr.items[i];
			if (!in_allowed(e, allowed))
				diag(c, AT(e), "%s of parameter \"%s\": %s is not one of its allowedValues",
				     what, SHOWK(pm), show_value(e).s);
		}
		return;
	}
	if (type != PT_ARRAY && !in_allowed(def, allowed))
		diag(c, AT(def), "%s of parameter \"%s\": %s is not one of its allowedValues",
		     what, SHOWK(pm), show_value(def).s);
}

static void check_parameter(struct ctx *c, const struct bl_member *pm)
{
	const struct bl_value *def = &pm->val;
	if (pm->klen == 0)
		diag(c, pm->line, pm->col, "parameter name must not be empty");
	if (def->type != BL_VOBJ) {
		diag(c, AT(def), "parameter \"%s\" must be an object such as {type: string, default: ...}, not %s",
		     SHOWK(pm), bl_schema_value_desc(def));
		return;
	}
	const struct bl_member *f[COUNT(param_keys)];
	schema(c, f, def, &param_schema);
	int type = -1;
	if (f[PK_TYPE]) {
		const struct bl_value *t = &f[PK_TYPE]->val;
		type = name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len);
		if (type < 0)
			diag(c, AT(t), "parameter type must be one of string, array, object, boolean, integer, number, not \"%s\"",
			     SHOWV(t));
	}
	const struct bl_member *dm = f[PK_DEFAULT];
	if (f[PK_DEFAULT] && f[PK_DEFAULTVALUE]) {
		const struct bl_member *second = f[PK_DEFAULT];
		if (f[PK_DEFAULTVALUE]->line > second->line ||
		    (f[PK_DEFAULTVALUE]->line == second->line && f[PK_DEFAULTVALUE]->col > second->col))
			second = f[PK_DEFAULTVALUE];
		diag(c, second->line, second->col,
		     "parameter \"%s\" has both default and defaultValue: give only one", SHOWK(pm));
	} else if (!dm) {
		dm = f[PK_DEFAULTVALUE];
	}
	const struct bl_value *allowed = f[PK_ALLOWED] ? &f[PK_ALLOWED]->val : NULL;
	if (type < 0)
		return;
	if (allowed && type != PT_ARRAY) {
		for (uint32_t i = 0; i < allowed->u.arr.n; i++) {
			const struct bl_value *e = &allowed->u.arr.items[i];
			if (!bl_schema_type_ok(e, param_type_mask[type]))
				diag(c, AT(e), "allowedValues of parameter \"%s\" must be %s values, not %s",
				     SHOWK(pm), param_type_names[type], bl_schema_value_desc(e));
		}
	}
	if (dm)
		check_default(c, pm, type, &dm->val, allowed, "default");
}

static void check_parameters(struct ctx *c, const struct bl_value *params)
{
	for (uint32_t i = 0; i < params->u.obj.n; i++)
		check_parameter(c, &params->u.obj.items[i]);
}

/* A tailored value (tailor.parameters, an override's parameters) against
 * the definition it sets; pm is the member naming the parameter, def its
 * definition (already validated: a broken definition is skipped here).
 * False when the value was reported: it must not reach the compiler. */
static bool check_param_value(struct ctx *c, const struct bl_member *pm,
			      const struct bl_value *def)
{
	const struct bl_value *t = bl_value_getz(def, "type");
	if (!t || t->type != BL_VSTR)
		return true;
	int type = name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len);
	if (type < 0)
		return true;
	const struct bl_value *allowed = bl_value_getz(def, "allowedValues");
	if (allowed && allowed->type != BL_VARR)
		allowed = NULL;
	size_t before = c->bad;
	check_default(c, pm, type, &pm->val, allowed, "value");
	return c->bad == before;
}

/* ---- controls -------------------------------------------------------- */

enum {
	CK_ID, CK_TITLE, CK_SEVERITY, CK_CATEGORY, CK_MAPS, CK_SCOPE, CK_APPLIES,
	CK_EXPECT, CK_VIOLATION, CK_EFFECT, CK_RATIONALE, CK_REMEDIATION, CK_REFERENCES,
	CK_RELATED, CK_NA,
};

static const struct bl_schema_key control_keys[] = {
	[CK_ID] = {"id", BL_T_STR | BL_T_NUM, BL_SK_REQUIRED},
	[CK_TITLE] = {"title", BL_T_STR, BL_SK_REQUIRED},
	[CK_SEVERITY] = {"severity", BL_T_STR, BL_SK_REQUIRED},
	[CK_CATEGORY] = {"category", BL_T_STR, 0},
	[CK_MAPS] = {"maps", BL_T_OBJ, 0},
	[CK_SCOPE] = {"scope", BL_T_OBJ, 0},
	[CK_APPLIES] = {"applies", BL_T_OBJ, 0},
	[CK_EXPECT] = {"expect", BL_T_OBJ, 0},
	[CK_VIOLATION] = {"violation", BL_T_OBJ, 0},
	[CK_EFFECT] = {"effect", BL_T_STR, 0},
	[CK_RATIONALE] = {"rationale", BL_T_STR, 0},
	[CK_REMEDIATION] = {"remediation", BL_T_STR, 0},
	[CK_REFERENCES] = {"references", BL_T_ARR, 0},
	[CK_RELATED] = {"related", BL_T_OBJ, 0},
	[CK_NA] = {"not_applicable", BL_T_STR, 0},
};
static const struct bl_schema control_schema = {"control", control_keys, COUNT(control_keys)};

enum { SK_TYPES, SK_TIERS, SK_ENVIRONMENTS };

static const struct bl_schema_key scope_keys[] = {
	[SK_TYPES] = {"types", BL_T_ARR, 0},
	[SK_TIERS] = {"tiers", BL_T_ARR, 0},
	[SK_ENVIRONMENTS] = {"environments", BL_T_ARR, 0},
};
static const struct bl_schema scope_schema = {"scope", scope_keys, COUNT(scope_keys)};

/* An array of strings as arena copies; what names it in messages. */
static const char **str_list(struct ctx *c, const struct bl_value *arr, const char *what,
			     bool nonempty, size_t *n)
{
	*n = 0;
	const char **out = alloc_n(c, arr->u.arr.n, sizeof(*out));
	if (!out)
		return NULL;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		if (e->type != BL_VSTR) {
			diag(c, AT(e), "%s entries must be strings, not %s", what, bl_schema_value_desc(e));
			continue;
		}
		if (nonempty && e->u.str.len == 0) {
			diag(c, AT(e), "%s entries must not be empty", what);
			continue;
		}
		out[(*n)++] = keep_str(c, e);
	}
	return out;
}

/* The catalog catalog() found for maps key m before, or NULL. */
static const struct bl_catalog *fw_memo(const struct ctx *c, const struct bl_member *m)
{
	for (size_t i = 0; i < c->nfwmemo; i++)
		if (c->fwmemo[i].len == m->klen && memcmp(c->fwmemo[i].key, m->key, m->klen) == 0)
			return c->fwmemo[i].cat;
	return NULL;
}

/* The catalog named by a maps key; unknown ids are reported at the key
 * (with the closest shipped id when there is one).  NULL when unknown or
 * when the catalogs could not be loaded (reported once). */
static const struct bl_catalog *catalog(struct ctx *c, const struct bl_member *m)
{
	if (c->cats_state == 0) {
		struct bl_error err;
		bl_error_clear(&err);
		int rc = bl_catalogs_load(&c->cats, &err);
		c->cats_state = rc == 0 ? 1 : -1;
		if (rc == BL_ENOMEM)
			c->oom = true;
		else if (rc != 0) {
			c->internal = true;
			diag(c, m->line, m->col, "framework catalogs could not be loaded: %s", err.msg);
		}
	}
	if (c->cats_state != 1)
		return NULL;
	const struct bl_catalog *memo = fw_memo(c, m);
	if (memo)
		return memo;
	char key[128];
	if (m->klen >= sizeof(key)) {
		diag(c, m->line, m->col, "unknown framework \"%s\"", SHOWK(m));
		return NULL;
	}
	memcpy(key, m->key, m->klen);
	key[m->klen] = '\0';
	const struct bl_catalog *cat = bl_catalog_find(&c->cats, key);
	if (cat) {
		if (c->nfwmemo < FWMEMO_N && m->klen < FWMEMO_KEY) {
			struct fwmemo *x = &c->fwmemo[c->nfwmemo++];
			memcpy(x->key, m->key, m->klen);
			x->len = m->klen;
			x->cat = cat;
		}
		return cat;
	}
	const char *best = NULL;
	unsigned bestd = 3;
	for (size_t i = 0; i < c->cats.n; i++) {
		const char *id = c->cats.items[i].id;
		unsigned d = bl_edit_distance(key, m->klen, id, strlen(id));
		if (d < bestd) {
			bestd = d;
			best = id;
		}
	}
	struct bl_buf known;
	bl_buf_init(&known, 1024);
	for (size_t i = 0; i < c->cats.n; i++)
		bl_buf_printf(&known, "%s%s", i ? ", " : "", c->cats.items[i].id);
	if (best && bestd <= 2)
		diag(c, m->line, m->col, "unknown framework \"%s\" (did you mean \"%s\"?)",
		     SHOWK(m), best);
	else
		diag(c, m->line, m->col, "unknown framework \"%s\" (known: %s)", SHOWK(m),
		     known.data && !known.failed ? known.data : "none");
	bl_buf_free(&known);
	return NULL;
}

/* The catalog's spelling of a mapped id (so "sc-8.1" and "SC-8(1)" roll up
 * together), or the id as written when the framework is unknown; an id the
 * catalog does not list is reported at the id. */
static const char *catalog_id_new(struct ctx *c, const struct bl_catalog *cat,
				  const struct bl_member *m, const struct bl_value *e);

/* The slot of (cat, e's text) in c->idmemo: its entry, or the empty slot
 * where it belongs; NULL when there is no table (or no room left). */
static struct idmemo *idmemo_slot(struct ctx *c, const struct bl_catalog *cat,
				  const struct bl_value *e)
{
	if (!c->idmemo) {
		c->idmemo = bl_arena_calloc(c->a, IDMEMO_CAP, sizeof(*c->idmemo));
		if (!c->idmemo)
			return NULL;   /* only slower: catalog_id works without */
	}
	uint64_t h = 1469598103934665603u ^ (uint64_t)(uintptr_t)cat;
	for (size_t i = 0; i < e->u.str.len; i++)
		h = (h ^ (unsigned char)e->u.str.s[i]) * 1099511628211u;
	for (size_t i = (size_t)h & (IDMEMO_CAP - 1), n = 0; n < IDMEMO_CAP;
	     i = (i + 1) & (IDMEMO_CAP - 1), n++) {
		struct idmemo *x = &c->idmemo[i];
		if (!x->cat)
			return c->nidmemo < IDMEMO_CAP / 2 ? x : NULL;
		if (x->cat == cat && x->len == e->u.str.len &&
		    memcmp(x->s, e->u.str.s, x->len) == 0)
			return x;
	}
	return NULL;
}

/* catalog_id_new, remembered: the same id in the same catalog gets the same
 * answer (one shared copy).  Unknown ids are not remembered, so that each is
 * reported where it is written. */
static const char *catalog_id(struct ctx *c, const struct bl_catalog *cat,
			      const struct bl_member *m, const struct bl_value *e)
{
	if (!cat)
		return copy_str(c, e);
	struct idmemo *x = idmemo_slot(c, cat, e);
	if (x && x->cat)
		return x->id;
	const char *id = catalog_id_new(c, cat, m, e);
	/* the key is copied: a parent's document may not outlive its layer */
	const char *key = x && id ? copy(c, e->u.str.s, e->u.str.len) : NULL;
	if (key) {
		x->cat = cat;
		x->s = key;
		x->len = e->u.str.len;
		x->id = id;
		c->nidmemo++;
	}
	return id;
}

static const char *catalog_id_new(struct ctx *c, const struct bl_catalog *cat,
				  const struct bl_member *m, const struct bl_value *e)
{
	char id[128];
	const struct bl_fw_entry *fe = NULL;
	if (e->u.str.len < sizeof(id)) {
		memcpy(id, e->u.str.s, e->u.str.len);
		id[e->u.str.len] = '\0';
		fe = bl_catalog_entry(cat, id);
	}
	if (fe)
		return copy(c, fe->id, strlen(fe->id));
	/* a real id of a known family that the shipped data does not list (NIST
	 * controls outside the LOW/MODERATE/HIGH baselines): accepted, spelled
	 * as the catalog spells ids */
	if (e->u.str.len < sizeof(id) && bl_catalog_accepts(cat, id)) {
		char canon[128];
		size_t n = bl_fw_canonical_id(canon, sizeof(canon), id);
		return n ? copy(c, canon, n) : copy_str(c, e);
	}
	const char *best = NULL;
	unsigned bestd = 3;
	for (size_t i = 0; i < cat->n; i++) {
		unsigned d = bl_edit_distance(e->u.str.s, e->u.str.len, cat->entries[i].id,
					      strlen(cat->entries[i].id));
		if (d < bestd) {
			bestd = d;
			best = cat->entries[i].id;
		}
	}
	if (best && bestd <= (e->u.str.len < 5 ? 1u : 2u))
		diag(c, AT(e), "maps.%s: unknown control \"%s\" in %s (did you mean \"%s\"?)",
		     SHOWK(m), SHOWV(e), cat->id, best);
	else
		diag(c, AT(e), "maps.%s: unknown control \"%s\" in %s", SHOWK(m), SHOWV(e), cat->id);
	return NULL;
}

static void check_maps(struct ctx *c, const struct bl_value *maps, struct bl_control *ctl)
{
	ctl->maps = alloc_n(c, maps->u.obj.n, sizeof(*ctl->maps));
	if (!ctl->maps)
		return;
	for (uint32_t i = 0; i < maps->u.obj.n; i++) {
		const struct bl_member *m = &maps->u.obj.items[i];
		/* a key catalog() found before is a valid id (checked then) */
		const struct bl_catalog *seen = fw_memo(c, m);
		bool fw_ok = seen || id_ok(m->key, m->klen, false, ".-");
		if (!fw_ok)
			diag(c, m->line, m->col,
			     "framework id \"%s\" is invalid: use lower-case letters, digits, \".\" and \"-\", starting with a letter or digit",
			     SHOWK(m));
		const struct bl_catalog *cat = seen ? seen : fw_ok ? catalog(c, m) : NULL;
		if (m->val.type != BL_VARR) {
			diag(c, AT(&m->val), "maps.%s must be an array of control ids, not %s",
			     SHOWK(m), bl_schema_value_desc(&m->val));
			continue;
		}
		struct bl_mapping *map = &ctl->maps[ctl->nmaps++];
		map->framework = from_tree(c, maps) ? m->key : copy(c, m->key, m->klen);
		map->ids = alloc_n(c, m->val.u.arr.n, sizeof(*map->ids));
		if (!map->ids)
			return;
		for (uint32_t j = 0; j < m->val.u.arr.n; j++) {
			const struct bl_value *e = &m->val.u.arr.items[j];
			if (e->type == BL_VNUM && !(e->flags & BL_VF_INT)) {
				diag(c, AT(e),
				     "maps.%s: %s is a number; write control ids as quoted strings (\"%s\"): unquoted, YAML reads %s as %.15g",
				     SHOWK(m), SHOWN(e), SHOWN(e), SHOWN(e), e->u.num.d);
			} else if (e->type == BL_VNUM) {
				diag(c, AT(e), "maps.%s: %s is a number; write control ids as quoted strings (\"%s\")",
				     SHOWK(m), SHOWN(e), SHOWN(e));
			} else if (e->type != BL_VSTR) {
				diag(c, AT(e), "maps.%s entries must be strings, not %s",
				     SHOWK(m), bl_schema_value_desc(e));
			} else if (e->u.str.len == 0) {
				diag(c, AT(e), "maps.%s: a control id must not be empty", SHOWK(m));
			} else {
				const char *cid = catalog_id(c, cat, m, e);
				if (cid)
					map->ids[map->nids++] = cid;
			}
		}
	}
}

static void check_tiers(struct ctx *c, const struct bl_value *arr, struct bl_control *ctl)
{
	ctl->tiers = alloc_n(c, arr->u.arr.n, sizeof(*ctl->tiers));
	if (!ctl->tiers)
		return;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		if (e->type != BL_VNUM || !(e->flags & BL_VF_INT)) {
			diag(c, AT(e), "scope.tiers entries must be the integers 1, 2 or 3, not %s",
			     bl_schema_value_desc(e));
		} else if (e->u.num.d < 1 || e->u.num.d > 3) {
			diag(c, AT(e), "scope.tiers: tier %s is out of range (1 = most critical ... 3)",
			     SHOWN(e));
		} else {
			ctl->tiers[ctl->ntiers++] = (int)e->u.num.d;
		}
	}
}

static void check_scope(struct ctx *c, const struct bl_value *scope, struct bl_control *ctl)
{
	const struct bl_member *f[COUNT(scope_keys)];
	schema(c, f, scope, &scope_schema);
	static const char *const what[] = {"scope.types", "scope.tiers", "scope.environments"};
	for (size_t k = 0; k < COUNT(scope_keys); k++) {
		if (f[k] && f[k]->val.u.arr.n == 0)
			diag(c, AT(&f[k]->val), "%s must not be empty: omit it to select every asset", what[k]);
	}
	if (f[SK_TYPES])
		ctl->types = str_list(c, &f[SK_TYPES]->val, "scope.types", true, &ctl->ntypes);
	if (f[SK_TIERS])
		check_tiers(c, &f[SK_TIERS]->val, ctl);
	if (f[SK_ENVIRONMENTS])
		ctl->environments = str_list(c, &f[SK_ENVIRONMENTS]->val, "scope.environments",
					     false, &ctl->nenvironments);
}

/* Compile one condition; every problem lands in c->d. */
static const struct bl_cond *compile(struct ctx *c, const struct bl_value *cond)
{
	if (!c->rxc)
		c->rxc = bl_regex_cache_new(c->a);
	struct bl_rule_env env = {
		.arena = c->a,
		.diags = c->d,
		.param_defs = c->params,
		.param_values = c->param_values,
		.no_jit = c->host_only,
		.regex_cache = c->rxc,
		.lazy_regex = bl_content_is_tree_file(cond->file),
	};
	const struct bl_cond *out = NULL;
	size_t before = c->d->n + c->d->dropped;
	int rc = bl_cond_compile(&out, cond, &env);
	if (rc == BL_ENOMEM) {
		c->oom = true;
		return NULL;
	}
	if (rc != 0) {
		size_t added = c->d->n + c->d->dropped - before;
		c->bad += added;
		/* The compiler promises a diagnostic; never fail silently anyway. */
		if (!added)
			diag(c, AT(cond), "invalid condition");
		return NULL;
	}
	return out;
}

/* ---- related (existence checks) ---------------------------------------- */

enum { RK_TYPE, RK_NAME, RK_RG, RK_SCOPE, RK_COND };

static const struct bl_schema_key related_keys[] = {
	[RK_TYPE] = {"type", BL_T_STR, BL_SK_REQUIRED},
	[RK_NAME] = {"name", BL_T_STR, 0},
	[RK_RG] = {"resourceGroupName", BL_T_STR, 0},
	[RK_SCOPE] = {"existenceScope", BL_T_STR, 0},
	[RK_COND] = {"existenceCondition", BL_T_OBJ, 0},
};
static const struct bl_schema related_schema = {"related", related_keys, COUNT(related_keys)};

/* A name or resourceGroupName: a constant, or an expression that is
 * evaluated per resource (folded to a constant when it can be). */
static void related_str(struct ctx *c, const struct bl_value *v, const char **str,
			const struct bl_expr **x)
{
	if (!bl_expr_is(v->u.str.s, v->u.str.len)) {
		if (v->u.str.len == 0)
			diag(c, AT(v), "related: a name must not be empty");
		*str = copy_str(c, v);
		return;
	}
	struct bl_rule_env env = {
		.arena = c->a, .diags = c->d, .param_defs = c->params,
		.param_values = c->param_values,
	};
	size_t before = c->d->n + c->d->dropped;
	int rc = bl_expr_compile(x, v, &env);
	if (rc == BL_ENOMEM) {
		c->oom = true;
		return;
	}
	if (rc) {
		size_t added = c->d->n + c->d->dropped - before;
		c->bad += added ? added : 1;
		if (!added)
			diag(c, AT(v), "invalid expression");
		*x = NULL;
		return;
	}
	const struct bl_value *k = bl_expr_const(*x);
	if (!k)
		return;
	if (k->type != BL_VSTR) {
		diag(c, AT(v), "related: the expression must give a string, not %s",
		     bl_schema_value_desc(k));
		*x = NULL;
		return;
	}
	*str = copy(c, k->u.str.s, k->u.str.len);
	*x = NULL;
}

static const struct bl_cond *compile(struct ctx *c, const struct bl_value *cond);
static bool is_key(const struct bl_member *m, const char *k);

static const struct bl_related *check_related(struct ctx *c, const struct bl_value *v)
{
	const struct bl_member *f[COUNT(related_keys)];
	size_t before = c->bad;
	schema(c, f, v, &related_schema);
	struct bl_related *r = alloc_n(c, 1, sizeof(*r));
	if (!r)
		return NULL;
	if (f[RK_TYPE]) {
		const struct bl_value *t = &f[RK_TYPE]->val;
		const char *slash = memchr(t->u.str.s, '/', t->u.str.len);
		if (!slash || slash == t->u.str.s || t->u.str.s[t->u.str.len - 1] == '/' ||
		    memchr(t->u.str.s, '*', t->u.str.len))
			diag(c, AT(t), "related.type must be a resource type such as Microsoft.Insights/diagnosticSettings, not \"%s\"",
			     SHOWV(t));
		r->type = copy_str(c, t);
	}
	if (f[RK_NAME])
		related_str(c, &f[RK_NAME]->val, &r->name, &r->name_expr);
	if (f[RK_RG])
		related_str(c, &f[RK_RG]->val, &r->resource_group, &r->rg_expr);
	if (f[RK_SCOPE]) {
		const struct bl_value *s = &f[RK_SCOPE]->val;
		if (bl_str_ieq(s->u.str.s, s->u.str.len, "resourceGroup", 13))
			r->scope = BL_EXIST_RESOURCE_GROUP;
		else if (bl_str_ieq(s->u.str.s, s->u.str.len, "subscription", 12))
			r->scope = BL_EXIST_SUBSCRIPTION;
		else
			diag(c, AT(s), "related.existenceScope must be resourceGroup or subscription, not \"%s\"",
			     SHOWV(s));
	}
	if (f[RK_COND]) {
		r->existence = compile(c, &f[RK_COND]->val);
		if (r->existence) {
			r->existence_text = bl_cond_describe(r->existence, c->a);
			if (!r->existence_text)
				c->oom = true;
		}
	}
	return c->bad == before ? r : NULL;
}

/* Position of an id value, kept for the duplicate check. */
struct idpos {
	const char *id;
	size_t len;
	uint32_t line, col;
	size_t index;
	const char *file;            /* document of the control */
	const char *origin;          /* id of the baseline that defined it */
};

static void check_id(struct ctx *c, const struct bl_member *m, struct bl_control *ctl,
		     struct idpos *pos)
{
	const struct bl_value *v = &m->val;
	if (v->type == BL_VNUM) {
		diag(c, AT(v), "control id %s is a number: write it as a quoted string (\"%s\")",
		     SHOWN(v), SHOWN(v));
		return;
	}
	if (v->u.str.len == 0) {
		diag(c, AT(v), "control id must not be empty");
		return;
	}
	if (!id_ok(v->u.str.s, v->u.str.len, true, "._:-")) {
		diag(c, AT(v),
		     "control id \"%s\" is invalid: use letters, digits, \".\", \"_\", \":\" and \"-\", starting with a letter or digit",
		     SHOWV(v));
		return;
	}
	ctl->id = keep_str(c, v);
	pos->id = v->u.str.s;
	pos->len = v->u.str.len;
	pos->line = v->line;
	pos->col = v->col;
}

static void check_control(struct ctx *c, const struct bl_value *v, struct bl_control *ctl,
			  struct idpos *pos)
{
	ctl->file = c->file;
	ctl->line = v->line;
	ctl->col = v->col;
	if (v->type != BL_VOBJ) {
		diag(c, AT(v), "a control must be an object, not %s", bl_schema_value_desc(v));
		return;
	}
	const struct bl_member *f[COUNT(control_keys)];
	size_t bad_before = c->bad;
	schema(c, f, v, &control_schema);
	/* no problem: every member is a known key of its type, in f */
	bool clean = c->bad == bad_before && !c->oom;

	if (f[CK_ID])
		check_id(c, f[CK_ID], ctl, pos);
	if (f[CK_TITLE]) {
		if (f[CK_TITLE]->val.u.str.len == 0)
			diag(c, AT(&f[CK_TITLE]->val), "control title must not be empty");
		ctl->title = keep_str(c, &f[CK_TITLE]->val);
	}
	if (f[CK_SEVERITY]) {
		const struct bl_value *s = &f[CK_SEVERITY]->val;
		int sev = bl_severity_parse(s->u.str.s, s->u.str.len);
		if (sev < 0)
			diag(c, AT(s), "severity must be one of critical, high, medium, low, info, not \"%s\"",
			     SHOWV(s));
		else
			ctl->severity = (enum bl_severity)sev;
	}
	if (f[CK_CATEGORY]) {
		const struct bl_value *s = &f[CK_CATEGORY]->val;
		int cat = name_index(category_names, COUNT(category_names), s->u.str.s, s->u.str.len);
		if (cat < 0)
			diag(c, AT(s),
			     "category must be one of network, identity, privileged-access, data, compute, logging, posture, backup, devops, governance, not \"%s\"",
			     SHOWV(s));
		else
			ctl->category = copy(c, category_names[cat], strlen(category_names[cat]));
	}
	ctl->effect = BL_EFFECT_AUDIT;
	if (f[CK_EFFECT]) {
		const struct bl_value *s = &f[CK_EFFECT]->val;
		int eff = name_index(effect_names, COUNT(effect_names), s->u.str.s, s->u.str.len);
		if (eff < 0)
			diag(c, AT(s), "effect must be one of audit, deny, disabled, not \"%s\"", SHOWV(s));
		else
			ctl->effect = (enum bl_effect)eff;
	}
	if (f[CK_RATIONALE])
		ctl->rationale = keep_str(c, &f[CK_RATIONALE]->val);
	if (f[CK_REMEDIATION])
		ctl->remediation = keep_str(c, &f[CK_REMEDIATION]->val);
	if (f[CK_REFERENCES])
		ctl->references = str_list(c, &f[CK_REFERENCES]->val, "references", false,
					   &ctl->nreferences);
	if (f[CK_MAPS])
		check_maps(c, &f[CK_MAPS]->val, ctl);
	if (f[CK_SCOPE])
		check_scope(c, &f[CK_SCOPE]->val, ctl);

	/* Exactly one of expect/violation/related (none needed with
	 * not_applicable); look at the raw keys so that a mistyped one (already
	 * reported) does not also count as missing. */
	static const char *const kinds[] = {"expect", "violation", "related"};
	const struct bl_member *km[3];
	const struct bl_member *first = NULL, *second = NULL;
	static const int kind_key[] = {CK_EXPECT, CK_VIOLATION, CK_RELATED};
	for (size_t i = 0; i < 3; i++) {
		/* with a clean schema check f holds them (the readers reject
		 * duplicate keys): four lookups per control were a twentieth
		 * of loading builtin:linux-host */
		km[i] = clean ? f[kind_key[i]] : bl_value_member(v, kinds[i], strlen(kinds[i]));
		if (km[i] && !is_key(km[i], kinds[i]))
			km[i] = NULL;
		if (!km[i])
			continue;
		if (!first || km[i]->line < first->line ||
		    (km[i]->line == first->line && km[i]->col < first->col)) {
			second = first;
			first = km[i];
		} else if (!second || km[i]->line < second->line ||
			   (km[i]->line == second->line && km[i]->col < second->col)) {
			second = km[i];
		}
	}
	const struct bl_member *na = clean ? f[CK_NA] : bl_value_member(v, "not_applicable", 14);
	if (na && !is_key(na, "not_applicable"))
		na = NULL;
	/* the messages without `related` predate it: tools and tests match them */
	if (second && !km[2])
		diag(c, second->line, second->col,
		     "control has both expect and violation: give exactly one");
	else if (second)
		diag(c, second->line, second->col,
		     "control has both %.*s and %.*s: give exactly one of expect, violation or related",
		     (int)first->klen, first->key, (int)second->klen, second->key);
	else if (!first && !na)
		diag(c, AT(v), "control needs exactly one of expect or violation (neither is given)");
	if (f[CK_NA]) {
		const struct bl_value *r = &f[CK_NA]->val;
		if (r->u.str.len == 0)
			diag(c, AT(r), "not_applicable needs a reason (a non-empty string)");
		ctl->na_reason = keep_str(c, r);
	}
	/* A regex of a host control runs a handful of times per run; JIT
	 * compiling it costs ~100x one interpreted match (it was 40% of
	 * loading builtin:linux-host).  Snapshot controls keep the JIT. */
	c->host_only = ctl->ntypes == 1 && bl_str_ieq(ctl->types[0], strlen(ctl->types[0]),
						      "linux.host", 10);
	if (f[CK_APPLIES])
		ctl->applies = compile(c, &f[CK_APPLIES]->val);
	const struct bl_cond *expect = f[CK_EXPECT] ? compile(c, &f[CK_EXPECT]->val) : NULL;
	const struct bl_cond *violation = f[CK_VIOLATION] ? compile(c, &f[CK_VIOLATION]->val) : NULL;
	if (f[CK_RELATED])
		ctl->related = check_related(c, &f[CK_RELATED]->val);
	c->host_only = false;
	ctl->cond = expect ? expect : violation;
	ctl->violation = !expect && violation;
	/* cond_text is what `baseline diff` and `publish` show of a control */
	if (ctl->related) {
		const struct bl_related *r = ctl->related;
		const char *name = r->name ? r->name : r->name_expr ? bl_expr_text(r->name_expr) : NULL;
		const char *rg = r->resource_group ? r->resource_group
			       : r->rg_expr ? bl_expr_text(r->rg_expr) : NULL;
		const char *t = bl_arena_printf(c->a, "a related %s%s%s%s%s%s exists%s%s", r->type,
						name ? " named " : "", name ? name : "",
						rg ? " in resource group " : "", rg ? rg : "",
						r->scope == BL_EXIST_SUBSCRIPTION ? " in the subscription" : "",
						r->existence_text ? " where " : "",
						r->existence_text ? r->existence_text : "");
		if (!t)
			c->oom = true;
		ctl->cond_text = t;
	} else if (!f[CK_EXPECT] && !f[CK_VIOLATION] && ctl->na_reason) {
		ctl->cond_text = bl_arena_printf(c->a, "not evaluated: %s", ctl->na_reason);
		if (!ctl->cond_text)
			c->oom = true;
	}
	/* the description of cond is built on demand (bl_control_cond_text):
	 * describing every condition was a quarter of loading a baseline */
}

static int idpos_cmp(const void *pa, const void *pb)
{
	const struct idpos *x = pa, *y = pb;
	int r = bl_str_icmp(x->id, x->len, y->id, y->len);
	if (r)
		return r;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Is any id of pos[0..k) equal to another ignoring case?  A hash set
 * answers in one pass what sorting answered in 270,000 instructions for
 * builtin:linux-host; true (let the sort look) when it cannot be built. */
static bool any_duplicate(const struct idpos *pos, size_t k)
{
	size_t cap = 64;
	while (cap < 2 * k)
		cap *= 2;
	size_t *set = calloc(cap, sizeof(*set));   /* index + 1; 0 = empty */
	if (!set)
		return true;
	bool dup = false;
	for (size_t i = 0; i < k && !dup; i++) {
		uint64_t h = 1469598103934665603u;
		for (size_t j = 0; j < pos[i].len; j++)
			h = (h ^ bl_lower((unsigned char)pos[i].id[j])) * 1099511628211u;
		for (size_t s = (size_t)h & (cap - 1);; s = (s + 1) & (cap - 1)) {
			if (!set[s]) {
				set[s] = i + 1;
				break;
			}
			const struct idpos *o = &pos[set[s] - 1];
			if (bl_str_ieq(o->id, o->len, pos[i].id, pos[i].len)) {
				dup = true;
				break;
			}
		}
	}
	free(set);
	return dup;
}

/* Ids equal ignoring case are duplicates: exceptions and reports match
 * control ids loosely, so two such controls could not be told apart. */
static void check_duplicates(struct ctx *c, struct idpos *pos, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (pos[i].id)
			pos[k++] = pos[i];
	if (!any_duplicate(pos, k))
		return;
	qsort(pos, k, sizeof(*pos), idpos_cmp);
	size_t first = 0;
	const char *saved = c->file;
	for (size_t i = 1; i < k; i++) {
		const struct idpos *p0 = &pos[first], *p = &pos[i];
		if (!bl_str_ieq(p->id, p->len, p0->id, p0->len)) {
			first = i;
			continue;
		}
		c->file = p->file;
		bool same = p->file == p0->file ||
			    (p->file && p0->file && strcmp(p->file, p0->file) == 0);
		if (same)
			diag(c, p->line, p->col, "duplicate control id \"%s\" (first defined at line %u)",
			     bl_schema_show(p->id, p->len).s, p0->line);
		else
			/* Azure Policy refuses a definition that collides with an
			 * inherited one too: changing an inherited control is what
			 * override is for, so the change stays visible. */
			diag(c, p->line, p->col,
			     "control id \"%s\" is already defined by baseline %s (%s:%u): change it with tailor.override, or drop it with tailor.exclude and define it again",
			     bl_schema_show(p->id, p->len).s, p0->origin ? p0->origin : "?",
			     p0->file ? p0->file : "?", p0->line);
	}
	c->file = saved;
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
static bool check_kind(struct ctx *c, const struct bl_value *doc)
{
	if (!doc || doc->type != BL_VOBJ) {
		uint32_t line = doc && doc->line ? doc->line : 1, col = doc && doc->col ? doc->col : 1;
		diag(c, line, col,
		     "not a baseline: the document must be a mapping that starts with \"baseline: ID\", not %s",
		     doc ? bl_schema_value_desc(doc) : "empty");
		return false;
	}
	if (doc->u.obj.n == 0)
		return true;
	const struct bl_member *m = &doc->u.obj.items[0];
	if (m->klen == 9 && memcmp(m->key, "inventory", 9) == 0) {
		diag(c, m->line, m->col, "not a baseline (an inventory document)");
		return false;
	}
	if (m->klen == 10 && memcmp(m->key, "exceptions", 10) == 0) {
		diag(c, m->line, m->col, "not a baseline (an exception document)");
		return false;
	}
	return true;
}

/* Arrays in the arena grow by copying (the arena never frees): fine for
 * the handful of documents and controls of a chain.  NULL on ENOMEM. */
static void *grow(struct ctx *c, void *items, size_t *cap, size_t n, size_t size)
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
static void mlist_set(struct ctx *c, struct mlist *l, const struct bl_member *m)
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

static struct entry *layer_push(struct ctx *c, struct layer *l)
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

static void add_source(struct ctx *c, const char *name)
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

static bool is_key(const struct bl_member *m, const char *k)
{
	return m->klen == strlen(k) && memcmp(m->key, k, m->klen) == 0;
}

static void resolve(struct ctx *c, const struct bl_value *doc, const char *file,
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
static void inherit(struct ctx *c, struct layer *out, const struct layer *pl)
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
			diag(c, m->line, m->col,
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
static void extend_one(struct ctx *c, const struct bl_value *e, const char *file,
		       const struct level *lv, int depth, struct layer *out)
{
	if (e->type != BL_VSTR || e->u.str.len == 0) {
		diag(c, AT(e), "extends entries must be builtin:NAME or a path, not %s",
		     e->type == BL_VSTR ? "an empty string" : bl_schema_value_desc(e));
		return;
	}
	char ref[PATH_MAX];
	if (e->u.str.len >= sizeof(ref) || memchr(e->u.str.s, '\0', e->u.str.len)) {
		diag(c, AT(e), "extends: \"%s\" is not a usable path", SHOWV(e));
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
			diag(c, AT(e), "extends: unknown builtin baseline \"%s\" (builtin baselines: %s)",
			     SHOWV(e), known.len && !known.failed ? known.data : "none");
			bl_buf_free(&known);
			return;
		}
		name = key = copy(c, ref, strlen(ref));
	} else {
		if (file && bl_content_is_builtin(file)) {
			diag(c, AT(e), "extends: a builtin baseline can only extend builtin baselines, not \"%s\"",
			     SHOWV(e));
			return;
		}
		char dir[PATH_MAX], joined[PATH_MAX], real[PATH_MAX];
		folder_of(dir, sizeof(dir), file);
		int n = ref[0] == '/' ? snprintf(joined, sizeof(joined), "%s", ref)
				      : snprintf(joined, sizeof(joined), "%s/%s", dir, ref);
		if (n < 0 || (size_t)n >= sizeof(joined)) {
			diag(c, AT(e), "extends: the path \"%s\" is too long", SHOWV(e));
			return;
		}
		/* ./x.yaml reads better than ././x.yaml in messages. */
		const char *shown = strncmp(joined, "./", 2) == 0 && ref[0] != '.' ? joined + 2 : joined;
		if (!realpath(joined, real)) {
			diag(c, AT(e), "extends: cannot read \"%s\": %s", bl_schema_show(shown, strlen(shown)).s,
			     strerror(errno));
			return;
		}
		/* A device or FIFO would block or never end: only files extend. */
		struct stat st;
		if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
			diag(c, AT(e), "extends: \"%s\" is not a regular file", bl_schema_show(shown, strlen(shown)).s);
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
		diag(c, AT(e), "extends cycle: %s", chain.failed ? "..." : chain.data);
		bl_buf_free(&chain);
		return;
	}
	if (depth + 1 >= MAX_EXTENDS_DEPTH) {
		diag(c, AT(e), "extends: more than %d levels of inheritance", MAX_EXTENDS_DEPTH);
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
			diag(c, AT(e), "extends: cannot read \"%s\": %s", bl_schema_show(name, strlen(name)).s, err.msg);
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

static void tailor_exclude(struct ctx *c, const struct bl_value *arr, struct layer *out)
{
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *p = &arr->u.arr.items[i];
		if (p->type != BL_VSTR || p->u.str.len == 0) {
			diag(c, AT(p), "tailor.exclude entries must be control ids or globs, not %s",
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
			diag(c, AT(p), "tailor.exclude: \"%s\" matches no inherited control (a typo?)",
			     SHOWV(p));
	}
}

/* An override's parameters: each must name an inherited definition. */
static void override_params(struct ctx *c, const struct bl_member *om, const struct bl_value *obj,
			    struct entry *e, const struct layer *out, struct bl_buf *what)
{
	bl_buf_adds(what, what->len ? " parameters=" : "parameters=");
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		const struct bl_member *def = mlist_find(&out->defs, pm->key, pm->klen);
		if (!def) {
			diag(c, pm->line, pm->col,
			     "tailor.override.%s.parameters: no parameter \"%s\" in the extended baselines%s",
			     SHOWK(om), SHOWK(pm), mlist_hint(&out->defs, pm->key, pm->klen).s);
			continue;
		}
		if (check_param_value(c, pm, &def->val))
			mlist_set(c, &e->params, pm);
		bl_buf_printf(what, "%s%.*s", i ? "," : "", (int)pm->klen, pm->key);
	}
}

static void tailor_override(struct ctx *c, const struct bl_value *obj, const char *origin,
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
				diag(c, m->line, m->col,
				     "tailor.override: no inherited control \"%s\" (did you mean \"%s\"?)",
				     SHOWK(m), bl_schema_show(be->id, be->idlen).s);
			} else {
				diag(c, m->line, m->col, "tailor.override: no inherited control \"%s\"",
				     SHOWK(m));
			}
			continue;
		}
		if (e->excluded) {
			diag(c, m->line, m->col,
			     "tailor.override: control \"%s\" is excluded by tailor.exclude: override it or exclude it, not both",
			     SHOWK(m));
			continue;
		}
		const struct bl_value *v = &m->val;
		if (v->type != BL_VOBJ) {
			diag(c, AT(v), "tailor.override.%s must be an object such as {severity: high}, not %s",
			     SHOWK(m), bl_schema_value_desc(v));
			continue;
		}
		if (v->u.obj.n == 0) {
			diag(c, AT(v), "tailor.override.%s changes nothing: give severity, effect, scope or parameters",
			     SHOWK(m));
			continue;
		}
		const struct bl_member *f[COUNT(override_keys)];
		schema(c, f, v, &override_schema);
		struct bl_buf what;
		bl_buf_init(&what, 4096);
		if (f[OK_SEVERITY]) {
			const struct bl_value *s = &f[OK_SEVERITY]->val;
			int sev = bl_severity_parse(s->u.str.s, s->u.str.len);
			if (sev < 0)
				diag(c, AT(s), "severity must be one of critical, high, medium, low, info, not \"%s\"",
				     SHOWV(s));
			else {
				e->sev = s;
				bl_buf_printf(&what, "severity=%s", severity_names[sev]);
			}
		}
		if (f[OK_EFFECT]) {
			const struct bl_value *s = &f[OK_EFFECT]->val;
			int eff = name_index(effect_names, COUNT(effect_names), s->u.str.s, s->u.str.len);
			if (eff < 0)
				diag(c, AT(s), "effect must be one of audit, deny, disabled, not \"%s\"", SHOWV(s));
			else {
				e->eff = s;
				bl_buf_printf(&what, "%seffect=%s", what.len ? " " : "", effect_names[eff]);
			}
		}
		if (f[OK_SCOPE]) {
			struct bl_control scratch;
			memset(&scratch, 0, sizeof(scratch));
			check_scope(c, &f[OK_SCOPE]->val, &scratch);
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

static void tailor_parameters(struct ctx *c, const struct bl_value *obj, struct layer *out)
{
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		const struct bl_member *def = mlist_find(&out->defs, pm->key, pm->klen);
		if (!def) {
			diag(c, pm->line, pm->col,
			     "tailor.parameters: no parameter \"%s\" in the extended baselines%s",
			     SHOWK(pm), mlist_hint(&out->defs, pm->key, pm->klen).s);
			continue;
		}
		if (check_param_value(c, pm, &def->val))
			mlist_set(c, &out->values, pm);
	}
}

static void tailor_keys_only(struct ctx *c, const struct bl_value *t)
{
	const struct bl_member *f[COUNT(tailor_keys)];
	schema(c, f, t, &tailor_schema);
}

static void apply_tailor(struct ctx *c, const struct bl_value *t, const char *origin,
			 struct layer *out)
{
	const struct bl_member *f[COUNT(tailor_keys)];
	schema(c, f, t, &tailor_schema);
	if (f[TL_EXCLUDE])
		tailor_exclude(c, &f[TL_EXCLUDE]->val, out);
	if (f[TL_OVERRIDE])
		tailor_override(c, &f[TL_OVERRIDE]->val, origin, out);
	if (f[TL_PARAMETERS])
		tailor_parameters(c, &f[TL_PARAMETERS]->val, out);
}

/* Check id, version and title; the loaded document's go into the baseline. */
static const char *check_header(struct ctx *c, const struct bl_member *const *f, int depth)
{
	struct bl_baseline *b = c->b;
	const char *origin = NULL;
	if (f[TK_BASELINE]) {
		const struct bl_value *v = &f[TK_BASELINE]->val;
		if (!id_ok(v->u.str.s, v->u.str.len, false, "._-"))
			diag(c, AT(v),
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
			diag(c, AT(v), "version must be MAJOR.MINOR.PATCH (optionally -pre or +build), not \"%s\"",
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
static void resolve(struct ctx *c, const struct bl_value *doc, const char *file,
		    const struct level *lv, int depth, struct layer *out)
{
	c->file = file;
	if (!check_kind(c, doc))
		return;
	const struct bl_member *f[COUNT(top_keys)];
	schema(c, f, doc, &top_schema);
	const char *origin = check_header(c, f, depth);
	if (f[TK_PARAMETERS])
		check_parameters(c, &f[TK_PARAMETERS]->val);

	bool extends = false, controls = false;
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		extends |= is_key(&doc->u.obj.items[i], "extends");
		controls |= is_key(&doc->u.obj.items[i], "controls");
	}
	if (!extends && !controls)
		diag(c, AT(doc), "baseline is missing required key \"controls\"");
	size_t before = c->bad;
	if (f[TK_EXTENDS]) {
		const struct bl_value *arr = &f[TK_EXTENDS]->val;
		if (arr->u.arr.n == 0)
			diag(c, AT(arr), "extends must not be empty: omit it when nothing is inherited");
		for (uint32_t i = 0; i < arr->u.arr.n; i++) {
			extend_one(c, &arr->u.arr.items[i], file, lv, depth, out);
			c->file = file;
		}
	}
	if (f[TK_TAILOR]) {
		if (!extends)
			diag(c, f[TK_TAILOR]->line, f[TK_TAILOR]->col,
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
				diag(c, pm->line, pm->col,
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
static const struct bl_value *mlist_object(struct ctx *c, const struct mlist *l)
{
	if (!l->n)
		return NULL;
	const struct bl_value *v = bl_tailor_object(c->a, l->items, l->n);
	if (!v)
		c->oom = true;
	return v;
}

/* values overlaid with an override's per-control values. */
static const struct bl_value *merged_values(struct ctx *c, const struct mlist *values,
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
static void replace_scope(struct ctx *c, const struct bl_value *scope, struct bl_control *ctl)
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
	check_scope(c, scope, ctl);
	c->d = saved;
	c->bad = bad;
	bl_diags_free(&quiet);
}

/* Compile the effective controls into b, in order, each in the context of
 * the document that defined it. */
static void compile_layer(struct ctx *c, struct layer *top, bool extends,
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
		check_control(c, e->node, ctl, &pos[k]);
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
	check_duplicates(c, pos, k);
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
static const struct bl_value *copy_value(struct ctx *c, const struct bl_value *v, int depth)
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
static void assign_values(struct ctx *c, struct layer *top)
{
	const struct bl_value *obj = c->assigned;
	const char *saved = c->file;
	for (uint32_t i = 0; obj->type == BL_VOBJ && i < obj->u.obj.n; i++) {
		const struct bl_member *pm = &obj->u.obj.items[i];
		c->file = pm->val.file;
		const struct bl_member *def = mlist_find(&top->defs, pm->key, pm->klen);
		if (!def) {
			diag(c, pm->line, pm->col, "parameter \"%s\" is not defined by the baseline%s",
			     SHOWK(pm), mlist_hint(&top->defs, pm->key, pm->klen).s);
			continue;
		}
		if (def->val.type != BL_VOBJ || !check_param_value(c, pm, &def->val))
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

/* A value of the parameter's type to compile with when it has none.  A
 * string stands in as the parameter's own name, not "": built-ins build
 * field paths such as "[concat('tags[', parameters('tagName'), ']')]", and
 * "tags[]" would be a (false) compile error. */
static const struct bl_value *stand_in(struct ctx *c, const struct bl_member *pm,
				       const struct bl_value *def)
{
	const struct bl_value *t = bl_value_getz(def, "type");
	const struct bl_value *allowed = bl_value_getz(def, "allowedValues");
	int type = t && t->type == BL_VSTR
		   ? name_index(param_type_names, COUNT(param_type_names), t->u.str.s, t->u.str.len)
		   : -1;
	if (type != PT_ARRAY && allowed && allowed->type == BL_VARR && allowed->u.arr.n)
		return &allowed->u.arr.items[0];
	struct bl_value *v = NULL;
	switch (type) {
	case PT_ARRAY: v = bl_value_new(c->a, BL_VARR); break;
	case PT_OBJECT: v = bl_value_new(c->a, BL_VOBJ); break;
	case PT_BOOLEAN: v = bl_value_new_bool(c->a, false); break;
	case PT_INTEGER:
	case PT_NUMBER: v = bl_value_new_num(c->a, 0); break;
	default: v = bl_value_new_str(c->a, pm->klen ? pm->key : "x", pm->klen ? pm->klen : 1); break;
	}
	if (!v)
		c->oom = true;
	return v;
}

/* Definitions with no default and no value: remembered in b->unset, and
 * given stand-ins for compilation. */
static void find_unset(struct ctx *c, struct layer *top, struct mlist *placeholders)
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
		const struct bl_value *v = stand_in(c, d, &d->val);
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
static void keep_catalogs(struct ctx *c)
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

static int check_all(struct ctx *c, const struct bl_value *doc)
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
	struct ctx c = {.b = b, .a = &b->arena, .d = diags, .assigned = assigned,
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
