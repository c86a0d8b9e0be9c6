/*
 * baseline.c - baseline documents (FORMATS.md §1): check every key of the
 * document, report every problem with its file:line:col, compile the
 * conditions and hash the document (see baseline.h and
 * docs/baseline-format.md).
 *
 * Validation never stops at the first problem: each check reports and moves
 * on, and only the final tally decides whether a baseline is returned.
 */
#include "model/baseline.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "doc/load.h"
#include "model/content.h"
#include "model/schema.h"
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

struct ctx {
	struct bl_baseline *b;
	struct bl_arena *a;          /* the baseline's arena */
	struct bl_diags *d;
	const char *file;            /* arena copy of the document's name, or NULL */
	const struct bl_value *params;  /* the parameters object, if it is one */
	size_t bad;                  /* problems reported */
	bool oom;
};

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

/* A user string made safe and short for a message (C11 keeps the returned
 * struct alive until the end of the full expression that prints it). */
struct shown {
	char s[112];
};

static struct shown show(const char *s, size_t len)
{
	struct shown r;
	size_t o = 0, max = 64;
	size_t i;
	for (i = 0; i < len && o < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			r.s[o++] = '\\';
			r.s[o++] = (char)ch;
		} else {
			r.s[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
		}
	}
	if (i < len) {
		/* Do not cut a UTF-8 sequence in half. */
		while (o > 0 && ((unsigned char)r.s[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)r.s[o - 1] & 0xc0) == 0xc0)
			o--;
		memcpy(r.s + o, "...", 3);
		o += 3;
	}
	r.s[o] = '\0';
	return r;
}

#define SHOWV(v) show((v)->u.str.s, (v)->u.str.len).s
#define SHOWN(v) show((v)->u.num.text, (v)->u.num.len).s
#define SHOWK(m) show((m)->key, (m)->klen).s

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
static struct shown show_value(const struct bl_value *v)
{
	struct shown r;
	if (v->type == BL_VSTR) {
		struct shown in = show(v->u.str.s, v->u.str.len);
		size_t n = strlen(in.s);   /* at most 68: show() caps its output */
		r.s[0] = '"';
		memcpy(r.s + 1, in.s, n);
		r.s[n + 1] = '"';
		r.s[n + 2] = '\0';
		return r;
	}
	if (v->type == BL_VNUM)
		return show(v->u.num.text, v->u.num.len);
	if (v->type == BL_VBOOL)
		return show(v->b ? "true" : "false", v->b ? 4 : 5);
	const char *d = bl_schema_value_desc(v);
	return show(d, strlen(d));
}

static void check_default(struct ctx *c, const struct bl_member *pm, int type,
			  const struct bl_value *def, const struct bl_value *allowed)
{
	if (!bl_schema_type_ok(def, param_type_mask[type])) {
		diag(c, AT(def), "default of parameter \"%s\" must be %s to match its type, not %s",
		     SHOWK(pm), bl_schema_type_desc(param_type_mask[type]),
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
				diag(c, AT(e), "default of parameter \"%s\": %s is not one of its allowedValues",
				     SHOWK(pm), show_value(e).s);
		}
		return;
	}
	if (type != PT_ARRAY && !in_allowed(def, allowed))
		diag(c, AT(def), "default of parameter \"%s\": %s is not one of its allowedValues",
		     SHOWK(pm), show_value(def).s);
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
		check_default(c, pm, type, &dm->val, allowed);
}

static void check_parameters(struct ctx *c, const struct bl_value *params)
{
	for (uint32_t i = 0; i < params->u.obj.n; i++)
		check_parameter(c, &params->u.obj.items[i]);
}

/* ---- controls -------------------------------------------------------- */

enum {
	CK_ID, CK_TITLE, CK_SEVERITY, CK_CATEGORY, CK_MAPS, CK_SCOPE, CK_APPLIES,
	CK_EXPECT, CK_VIOLATION, CK_EFFECT, CK_RATIONALE, CK_REMEDIATION, CK_REFERENCES,
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
		out[(*n)++] = copy_str(c, e);
	}
	return out;
}

static void check_maps(struct ctx *c, const struct bl_value *maps, struct bl_control *ctl)
{
	ctl->maps = alloc_n(c, maps->u.obj.n, sizeof(*ctl->maps));
	if (!ctl->maps)
		return;
	for (uint32_t i = 0; i < maps->u.obj.n; i++) {
		const struct bl_member *m = &maps->u.obj.items[i];
		if (!id_ok(m->key, m->klen, false, ".-"))
			diag(c, m->line, m->col,
			     "framework id \"%s\" is invalid: use lower-case letters, digits, \".\" and \"-\", starting with a letter or digit",
			     SHOWK(m));
		if (m->val.type != BL_VARR) {
			diag(c, AT(&m->val), "maps.%s must be an array of control ids, not %s",
			     SHOWK(m), bl_schema_value_desc(&m->val));
			continue;
		}
		struct bl_mapping *map = &ctl->maps[ctl->nmaps++];
		map->framework = copy(c, m->key, m->klen);
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
				map->ids[map->nids++] = copy_str(c, e);
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
	struct bl_rule_env env = {
		.arena = c->a,
		.diags = c->d,
		.param_defs = c->params,
		.param_values = NULL,
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

/* Position of an id value, kept for the duplicate check. */
struct idpos {
	const char *id;
	size_t len;
	uint32_t line, col;
	size_t index;
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
	ctl->id = copy_str(c, v);
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
	schema(c, f, v, &control_schema);

	if (f[CK_ID])
		check_id(c, f[CK_ID], ctl, pos);
	if (f[CK_TITLE]) {
		if (f[CK_TITLE]->val.u.str.len == 0)
			diag(c, AT(&f[CK_TITLE]->val), "control title must not be empty");
		ctl->title = copy_str(c, &f[CK_TITLE]->val);
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
		ctl->rationale = copy_str(c, &f[CK_RATIONALE]->val);
	if (f[CK_REMEDIATION])
		ctl->remediation = copy_str(c, &f[CK_REMEDIATION]->val);
	if (f[CK_REFERENCES])
		ctl->references = str_list(c, &f[CK_REFERENCES]->val, "references", false,
					   &ctl->nreferences);
	if (f[CK_MAPS])
		check_maps(c, &f[CK_MAPS]->val, ctl);
	if (f[CK_SCOPE])
		check_scope(c, &f[CK_SCOPE]->val, ctl);

	/* Exactly one of expect/violation; look at the raw keys so that a
	 * mistyped one (already reported) does not also count as missing. */
	const struct bl_member *ex = bl_value_member(v, "expect", 6);
	const struct bl_member *vi = bl_value_member(v, "violation", 9);
	if (ex && (ex->klen != 6 || memcmp(ex->key, "expect", 6) != 0))
		ex = NULL;
	if (vi && (vi->klen != 9 || memcmp(vi->key, "violation", 9) != 0))
		vi = NULL;
	if (ex && vi) {
		const struct bl_member *second = (vi->line > ex->line ||
						  (vi->line == ex->line && vi->col > ex->col)) ? vi : ex;
		diag(c, second->line, second->col,
		     "control has both expect and violation: give exactly one");
	} else if (!ex && !vi) {
		diag(c, AT(v), "control needs exactly one of expect or violation (neither is given)");
	}
	if (f[CK_APPLIES])
		ctl->applies = compile(c, &f[CK_APPLIES]->val);
	const struct bl_cond *expect = f[CK_EXPECT] ? compile(c, &f[CK_EXPECT]->val) : NULL;
	const struct bl_cond *violation = f[CK_VIOLATION] ? compile(c, &f[CK_VIOLATION]->val) : NULL;
	ctl->cond = expect ? expect : violation;
	ctl->violation = !expect && violation;
	if (ctl->cond) {
		ctl->cond_text = bl_cond_describe(ctl->cond, c->a);
		if (!ctl->cond_text)
			c->oom = true;
	}
}

static int idpos_cmp(const void *pa, const void *pb)
{
	const struct idpos *x = pa, *y = pb;
	int r = bl_str_icmp(x->id, x->len, y->id, y->len);
	if (r)
		return r;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Ids equal ignoring case are duplicates: exceptions and reports match
 * control ids loosely, so two such controls could not be told apart. */
static void check_duplicates(struct ctx *c, struct idpos *pos, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (pos[i].id)
			pos[k++] = pos[i];
	qsort(pos, k, sizeof(*pos), idpos_cmp);
	size_t first = 0;
	for (size_t i = 1; i < k; i++) {
		if (bl_str_ieq(pos[i].id, pos[i].len, pos[first].id, pos[first].len)) {
			diag(c, pos[i].line, pos[i].col,
			     "duplicate control id \"%s\" (first defined at line %u)",
			     show(pos[i].id, pos[i].len).s, pos[first].line);
		} else {
			first = i;
		}
	}
}

/* ---- top level ---------------------------------------------------------- */

enum { TK_BASELINE, TK_VERSION, TK_TITLE, TK_EXTENDS, TK_PARAMETERS, TK_TAILOR, TK_CONTROLS };

static const struct bl_schema_key top_keys[] = {
	[TK_BASELINE] = {"baseline", BL_T_STR, BL_SK_REQUIRED},
	[TK_VERSION] = {"version", BL_T_STR | BL_T_NUM, BL_SK_REQUIRED},
	[TK_TITLE] = {"title", BL_T_STR, 0},
	[TK_EXTENDS] = {"extends", BL_T_ANY, 0},
	[TK_PARAMETERS] = {"parameters", BL_T_OBJ, 0},
	[TK_TAILOR] = {"tailor", BL_T_ANY, 0},
	[TK_CONTROLS] = {"controls", BL_T_ARR, BL_SK_REQUIRED},
};
static const struct bl_schema top_schema = {"baseline", top_keys, COUNT(top_keys)};

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

static void check_top(struct ctx *c, const struct bl_value *doc)
{
	struct bl_baseline *b = c->b;
	const struct bl_member *f[COUNT(top_keys)];
	schema(c, f, doc, &top_schema);

	/* Report the raw keys, whatever their type: inheritance must never be
	 * silently dropped. */
	for (uint32_t i = 0; i < doc->u.obj.n; i++) {
		const struct bl_member *m = &doc->u.obj.items[i];
		if ((m->klen == 7 && memcmp(m->key, "extends", 7) == 0) ||
		    (m->klen == 6 && memcmp(m->key, "tailor", 6) == 0))
			diag(c, m->line, m->col,
			     "extends/tailor: inheritance is not supported yet (governance)");
	}
	if (f[TK_BASELINE]) {
		const struct bl_value *v = &f[TK_BASELINE]->val;
		if (!id_ok(v->u.str.s, v->u.str.len, false, "._-"))
			diag(c, AT(v),
			     "baseline id \"%s\" is invalid: use lower-case letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
			     SHOWV(v));
		b->id = copy_str(c, v);
	}
	if (f[TK_VERSION]) {
		const struct bl_value *v = &f[TK_VERSION]->val;
		/* A YAML 1.3 is a number node; its text still shows the mistake. */
		const char *s = v->type == BL_VSTR ? v->u.str.s : v->u.num.text;
		size_t len = v->type == BL_VSTR ? v->u.str.len : v->u.num.len;
		if (v->type != BL_VSTR || !semver_ok(s, len))
			diag(c, AT(v), "version must be MAJOR.MINOR.PATCH (optionally -pre or +build), not \"%s\"",
			     show(s, len).s);
		b->version = copy(c, s, len);
	}
	if (f[TK_TITLE])
		b->title = copy_str(c, &f[TK_TITLE]->val);
	if (f[TK_PARAMETERS]) {
		c->params = &f[TK_PARAMETERS]->val;
		b->parameters = c->params;
		check_parameters(c, c->params);
	}
	if (!f[TK_CONTROLS])
		return;
	const struct bl_value *arr = &f[TK_CONTROLS]->val;
	size_t n = arr->u.arr.n;
	b->controls = alloc_n(c, n, sizeof(*b->controls));
	struct idpos *pos = alloc_n(c, n, sizeof(*pos));
	if (!b->controls || !pos)
		return;
	b->ncontrols = n;
	for (size_t i = 0; i < n; i++) {
		b->controls[i].index = i;
		pos[i].index = i;
		check_control(c, &arr->u.arr.items[i], &b->controls[i], &pos[i]);
	}
	check_duplicates(c, pos, n);
}

/* Hex SHA-256 of the compact JSON of doc: the same document read from YAML
 * or JSON gives the same bytes, hence the same hash. */
static int hash_doc(char hex[65], const struct bl_value *doc)
{
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
static int build(struct bl_baseline *b, const struct bl_value *doc, struct bl_diags *diags)
{
	struct ctx c = {.b = b, .a = &b->arena, .d = diags};
	if (doc && doc->file) {
		c.file = copy(&c, doc->file, strlen(doc->file));
		b->file = c.file;
	}
	b->doc = doc;
	if (check_kind(&c, doc))
		check_top(&c, doc);
	if (c.oom)
		return BL_ENOMEM;
	if (c.bad)
		return BL_EINVAL;
	int rc = hash_doc(b->sha256, doc);
	return rc == 0 ? 0 : BL_ENOMEM;
}

int bl_baseline_from_doc(struct bl_baseline **out, const struct bl_value *doc,
			 struct bl_diags *diags)
{
	*out = NULL;
	struct bl_baseline *b = baseline_new();
	if (!b)
		return BL_ENOMEM;
	int rc = build(b, doc, diags);
	if (rc != 0) {
		bl_baseline_free(b);
		return rc;
	}
	*out = b;
	return 0;
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
				 show(ref, strlen(ref)).s, buf.failed ? "..." : buf.data);
	else
		rc = bl_diag_add(diags, ref, 0, 0,
				 "unknown builtin baseline \"%s\" (this build ships no builtin baselines)",
				 show(ref, strlen(ref)).s);
	bl_buf_free(&buf);
	return rc == BL_ENOMEM ? BL_ENOMEM : BL_EIO;
}

int bl_baseline_load(struct bl_baseline **out, const char *path, struct bl_diags *diags)
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
	int rc = f ? bl_doc_parse(&doc, &b->arena, f->data, f->len, path, &err)
		   : bl_doc_load(&doc, &b->arena, path, &err);
	if (rc != 0) {
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			rc = BL_ENOMEM;
		bl_baseline_free(b);
		return rc;
	}
	rc = build(b, doc, diags);
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
