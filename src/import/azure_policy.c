/*
 * azure_policy.c - write the baseline document for the definitions and set
 * definitions read (azure_policy.h): controls, parameters, mappings.  Reading
 * is azure_read.c, conditions azure_cond.c, the report azure_report.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "doc/load.h"
#include "import/azure_internal.h"
#include "import/oscal.h"

#define MCSB_GROUP_PREFIX "Azure_Security_Benchmark_v3.0_"

void bl_az_import_init(struct bl_az_import *imp)
{
	memset(imp, 0, sizeof(*imp));
	bl_arena_init(&imp->arena, 0);
}

void bl_az_import_free(struct bl_az_import *imp)
{
	bl_arena_free(&imp->arena);
	memset(imp, 0, sizeof(*imp));
}

void *bl_az_grow(struct bl_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = bl_arena_calloc(a, ncap, size);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, items, n * size);
	*cap = ncap;
	return p;
}

int bl_az_note(struct bl_az_import *imp, enum bl_az_note_kind kind, const char *control,
	       const char *file, const struct bl_value *at, const char *fmt, ...)
{
	struct bl_az_note *n = bl_az_grow(&imp->arena, imp->notes, imp->nnotes, &imp->capnotes,
				    sizeof(*n));
	if (!n)
		return BL_ENOMEM;
	imp->notes = n;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct bl_az_note *x = &imp->notes[imp->nnotes];
	x->kind = kind;
	x->control = control ? bl_arena_strndup(&imp->arena, control, strlen(control)) : NULL;
	x->text = bl_arena_strndup(&imp->arena, text, strlen(text));
	x->file = file;
	x->line = at ? at->line : 0;
	x->col = at ? at->col : 0;
	if (!x->text || (control && !x->control))
		return BL_ENOMEM;
	imp->nnotes++;
	return 0;
}

int bl_az_quote(struct bl_buf *out, const char *s, size_t len)
{
	return bl_yaml_write_str(out, s, len);
}

void bl_az_comment_text(struct bl_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bl_buf_addc(out, c < 0x20 || c == 0x7f || c >= 0x80 ? '?' : (char)c);
	}
}

/* A value as plain JSON (defaults, allowed values: nothing rewritten). */
static int write_plain(struct bl_buf *out, const struct bl_value *v)
{
	switch (v->type) {
	case BL_VBOOL:
		return bl_buf_adds(out, v->b ? "true" : "false");
	case BL_VNUM:
		return bl_buf_add(out, v->u.num.text, v->u.num.len);
	case BL_VSTR:
		return bl_az_quote(out, v->u.str.s, v->u.str.len);
	case BL_VARR:
		bl_buf_addc(out, '[');
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				bl_buf_adds(out, ", ");
			write_plain(out, &v->u.arr.items[i]);
		}
		return bl_buf_addc(out, ']');
	case BL_VOBJ:
		bl_buf_addc(out, '{');
		for (uint32_t i = 0; i < v->u.obj.n; i++) {
			if (i)
				bl_buf_adds(out, ", ");
			bl_az_quote(out, v->u.obj.items[i].key, v->u.obj.items[i].klen);
			bl_buf_adds(out, ": ");
			write_plain(out, &v->u.obj.items[i].val);
		}
		return bl_buf_addc(out, '}');
	default:
		return bl_buf_adds(out, "null");
	}
}

const char *bl_az_strz(struct bl_arena *a, const struct bl_value *obj, const char *key)
{
	size_t len;
	const char *s = bl_value_strz(obj, key, &len);
	if (!s)
		return "";
	char *c = bl_arena_strndup(a, s, len);
	return c ? c : "";
}

/* ---- writing ---------------------------------------------------------- */

/* A baseline parameter: declared once, emitted when some condition uses it. */
struct bparam {
	const char *name;
	const struct bl_value *decl;
	const struct bl_value *value;
	bool used;
};

struct wctx {
	struct bl_az_import *imp;
	const struct bl_catalog *mcsb;
	struct bparam *params;
	size_t nparams, capparams;
	const char **ids;            /* control ids written so far */
	size_t nids, capids;
	bool multi;                  /* more than one control: prefix parameter names */
	size_t evaluated, na;
};

static const char *effect_lower(struct bl_arena *a, const char *s)
{
	char *c = bl_arena_strndup(a, s, strlen(s));
	for (char *p = c; p && *p; p++)
		*p = (char)bl_lower((unsigned char)*p);
	return c;
}

static bool is_param_ref(const struct bl_value *v, const char **name, size_t *len)
{
	if (!v || v->type != BL_VSTR)
		return false;
	const char *s = v->u.str.s;
	size_t n = v->u.str.len;
	static const char pre[] = "[parameters('";
	if (n < sizeof(pre) + 2 || !bl_str_ieq(s, sizeof(pre) - 1, pre, sizeof(pre) - 1) ||
	    memcmp(s + n - 3, "')]", 3) != 0)
		return false;
	*name = s + sizeof(pre) - 1;
	*len = n - (sizeof(pre) - 1) - 3;
	return !memchr(*name, '\'', *len);
}

/* A control id from an Azure name: characters our ids do not allow become
 * '-', and an id must start with a letter or digit ("x" is put in front). */
static const char *control_id(struct wctx *w, const char *raw, bool *changed)
{
	size_t len = strlen(raw);
	char *id = bl_arena_alloc(&w->imp->arena, len + 2);
	if (!id)
		return NULL;
	size_t o = 0;
	*changed = false;
	for (size_t i = 0; i < len; i++) {
		char c = raw[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (o == 0 && !alnum) {
			id[o++] = 'x';
			*changed = true;
		}
		if (!alnum && !strchr("._:-", c)) {
			c = '-';
			*changed = true;
		}
		id[o++] = c;
	}
	if (o == 0) {
		id[o++] = 'x';
		*changed = true;
	}
	id[o] = '\0';
	return id;
}

static int bind_params(struct wctx *w, struct bl_az_tctx *t, const struct bl_az_def *d,
		       const struct bl_value *member, const struct bl_az_def *set)
{
	const struct bl_value *params = bl_value_getz(d->props, "parameters");
	if (!params || params->type != BL_VOBJ || params->u.obj.n == 0)
		return 0;
	const struct bl_value *mparams = member ? bl_value_getz(member, "parameters") : NULL;
	const struct bl_value *sparams = set ? bl_value_getz(set->props, "parameters") : NULL;
	t->binds = bl_arena_calloc(&w->imp->arena, params->u.obj.n, sizeof(*t->binds));
	if (!t->binds)
		return BL_ENOMEM;
	for (uint32_t i = 0; i < params->u.obj.n; i++) {
		const struct bl_member *pm = &params->u.obj.items[i];
		struct bl_az_pbind *b = &t->binds[t->nbinds++];
		b->defname = bl_arena_strndup(&w->imp->arena, pm->key, pm->klen);
		b->decl = &pm->val;
		b->value = bl_value_getz(&pm->val, "defaultValue");
		const struct bl_value *given = mparams ? bl_value_get(mparams, pm->key, pm->klen) : NULL;
		const struct bl_value *gv = given ? bl_value_getz(given, "value") : NULL;
		const char *ref;
		size_t reflen;
		if (gv && is_param_ref(gv, &ref, &reflen) && sparams &&
		    bl_value_get(sparams, ref, reflen)) {
			/* Passed through from the initiative: its parameter, by its name. */
			const struct bl_value *sd = bl_value_get(sparams, ref, reflen);
			b->bname = bl_arena_strndup(&w->imp->arena, ref, reflen);
			b->decl = sd;
			b->value = bl_value_getz(sd, "defaultValue");
		} else if (gv) {
			b->value = gv;
			if (gv->type == BL_VSTR && gv->u.str.len > 1 && gv->u.str.s[0] == '[' &&
			    gv->u.str.s[1] != '[' &&
			    bl_az_note(w->imp, BL_AZ_UNSUPPORTED, t->control, set ? set->file : d->file, gv,
				       "value of parameter %.*s is an expression the import does not evaluate: kept as a literal default",
				       (int)pm->klen, pm->key))
				return BL_ENOMEM;
			b->bname = bl_arena_printf(&w->imp->arena, "%s.%.*s", t->control, (int)pm->klen, pm->key);
		} else {
			b->bname = w->multi ? bl_arena_printf(&w->imp->arena, "%s.%.*s", t->control,
							      (int)pm->klen, pm->key)
					    : b->defname;
		}
		if (!b->defname || !b->bname)
			return BL_ENOMEM;
	}
	return 0;
}

/* The effect after parameters: lower-case, or NULL when it cannot be known. */
static const char *resolve_effect(struct wctx *w, struct bl_az_tctx *t, const struct bl_value *e)
{
	const char *name;
	size_t len;
	if (e && e->type == BL_VSTR && is_param_ref(e, &name, &len)) {
		for (size_t i = 0; i < t->nbinds; i++) {
			const struct bl_az_pbind *b = &t->binds[i];
			if (!bl_str_ieq(b->defname, strlen(b->defname), name, len))
				continue;
			const struct bl_value *v = b->value;
			if (v && v->type == BL_VSTR && is_param_ref(v, &name, &len))
				return NULL;
			if (v && v->type == BL_VSTR) {
				char *s = bl_arena_strndup(&w->imp->arena, v->u.str.s, v->u.str.len);
				return s ? effect_lower(&w->imp->arena, s) : NULL;
			}
			/* No default: Azure makes the assignment choose; take the first
			 * allowed value that is not Disabled, noted. */
			const struct bl_value *allowed = bl_value_getz(b->decl, "allowedValues");
			for (uint32_t k = 0; allowed && allowed->type == BL_VARR && k < allowed->u.arr.n; k++) {
				const struct bl_value *a = &allowed->u.arr.items[k];
				if (a->type == BL_VSTR && !bl_str_ieq(a->u.str.s, a->u.str.len, "disabled", 8)) {
					bl_az_note(w->imp, BL_AZ_INFO, t->control, t->file, e,
						   "effect parameter has no default: using its allowed value %.*s",
						   (int)a->u.str.len, a->u.str.s);
					char *s = bl_arena_strndup(&w->imp->arena, a->u.str.s, a->u.str.len);
					return s ? effect_lower(&w->imp->arena, s) : NULL;
				}
			}
			return NULL;
		}
		return NULL;
	}
	if (e && e->type == BL_VSTR) {
		char *s = bl_arena_strndup(&w->imp->arena, e->u.str.s, e->u.str.len);
		return s ? effect_lower(&w->imp->arena, s) : NULL;
	}
	return NULL;
}

static int register_params(struct wctx *w, const struct bl_az_tctx *t)
{
	for (size_t i = 0; i < t->nbinds; i++) {
		const struct bl_az_pbind *b = &t->binds[i];
		if (!b->used)
			continue;
		bool found = false;
		for (size_t k = 0; k < w->nparams; k++)
			if (strcmp(w->params[k].name, b->bname) == 0)
				found = true;
		if (found)
			continue;
		struct bparam *p = bl_az_grow(&w->imp->arena, w->params, w->nparams, &w->capparams, sizeof(*p));
		if (!p)
			return BL_ENOMEM;
		w->params = p;
		p[w->nparams].name = b->bname;
		p[w->nparams].decl = b->decl;
		p[w->nparams].value = b->value;
		p[w->nparams].used = true;
		w->nparams++;
	}
	return 0;
}

static const char *param_type(const struct bl_value *decl)
{
	size_t len;
	const char *s = bl_value_strz(decl, "type", &len);
	static const char *const names[][2] = {
		{"string", "string"},  {"array", "array"},   {"object", "object"},
		{"boolean", "boolean"}, {"integer", "integer"}, {"float", "number"},
		{"number", "number"},  {"datetime", "string"},
	};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (bl_str_ieq(s, len, names[i][0], strlen(names[i][0])))
			return names[i][1];
	return "string";
}

static int write_params(struct wctx *w, struct bl_buf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nparams; i++)
		n += w->params[i].used;
	if (!n)
		return 0;
	bl_buf_adds(out, "parameters:\n");
	for (size_t i = 0; i < w->nparams; i++) {
		const struct bparam *p = &w->params[i];
		bl_buf_adds(out, "  ");
		bl_az_quote(out, p->name, strlen(p->name));
		bl_buf_printf(out, ": {\"type\": \"%s\"", param_type(p->decl));
		if (p->value) {
			bl_buf_adds(out, ", \"default\": ");
			write_plain(out, p->value);
		}
		const struct bl_value *allowed = bl_value_getz(p->decl, "allowedValues");
		if (allowed && allowed->type == BL_VARR) {
			bl_buf_adds(out, ", \"allowedValues\": ");
			write_plain(out, allowed);
		}
		bl_buf_adds(out, "}\n");
	}
	return out->failed ? BL_ENOMEM : 0;
}

/* groupNames -> maps: MCSB groups become mcsb-v1 ids; the rest is noted. */
static int write_maps(struct wctx *w, struct bl_buf *out, const struct bl_value *member,
		      const char *control, const char *file)
{
	const struct bl_value *groups = member ? bl_value_getz(member, "groupNames") : NULL;
	if (!groups || groups->type != BL_VARR)
		return 0;
	size_t pre = strlen(MCSB_GROUP_PREFIX);
	bool any = false;
	for (uint32_t i = 0; i < groups->u.arr.n; i++) {
		const struct bl_value *g = &groups->u.arr.items[i];
		if (g->type != BL_VSTR)
			continue;
		bool mcsb = g->u.str.len > pre && bl_str_ieq(g->u.str.s, pre, MCSB_GROUP_PREFIX, pre);
		char id[64];
		if (mcsb && g->u.str.len - pre < sizeof(id)) {
			memcpy(id, g->u.str.s + pre, g->u.str.len - pre);
			id[g->u.str.len - pre] = '\0';
			if (!w->mcsb || bl_catalog_accepts(w->mcsb, id)) {
				bl_buf_adds(out, any ? ", " : "    maps: {\"mcsb-v1\": [");
				bl_az_quote(out, id, strlen(id));
				any = true;
				continue;
			}
		}
		if (bl_az_note(w->imp, BL_AZ_INFO, control, file, g,
			       "group %.*s is not mapped: %s", (int)g->u.str.len, g->u.str.s,
			       mcsb ? "no such control in mcsb-v1" : "not a framework we know"))
			return BL_ENOMEM;
	}
	if (any)
		bl_buf_adds(out, "]}\n");
	return out->failed ? BL_ENOMEM : 0;
}

static int write_scope(struct bl_buf *out, const struct bl_value *pin)
{
	const struct bl_value *op = bl_az_pin_operand(pin);
	bl_buf_adds(out, "    scope: {\"types\": ");
	if (op->type == BL_VARR)
		write_plain(out, op);
	else {
		bl_buf_addc(out, '[');
		write_plain(out, op);
		bl_buf_addc(out, ']');
	}
	return bl_buf_adds(out, "}\n");
}

/* What mode Indexed leaves out (docs/azure-policy.md, "Modes"). */
#define INDEXED_ONLY "{\"field\": \"type\", \"notIn\": [\"Microsoft.Resources/subscriptions\", " \
		     "\"Microsoft.Resources/subscriptions/resourceGroups\"]}"

static bool provider_mode(const char *mode)
{
	size_t n = strlen(mode);
	return n > 10 && bl_str_ieq(mode, 10, "microsoft.", 10);
}

/* related: for auditIfNotExists / deployIfNotExists.  Returns 1 when
 * details give no type (the caller makes the control not applicable). */
static int write_related(struct bl_az_tctx *t, struct bl_buf *out, const struct bl_value *details)
{
	const struct bl_value *type = details ? bl_value_getz(details, "type") : NULL;
	if (!type || type->type != BL_VSTR)
		return 1;
	bl_buf_adds(out, "    related: {\"type\": ");
	bl_az_quote(out, type->u.str.s, type->u.str.len);
	static const char *const keys[] = {"name", "resourceGroupName", "existenceScope"};
	for (size_t i = 0; i < 3; i++) {
		const struct bl_value *v = bl_value_getz(details, keys[i]);
		if (!v || v->type != BL_VSTR)
			continue;
		bl_buf_printf(out, ", \"%s\": ", keys[i]);
		if (i == 2) {
			/* Our keys take lower-case words. */
			bool sub = bl_str_ieq(v->u.str.s, v->u.str.len, "subscription", 12);
			bl_buf_adds(out, sub ? "\"subscription\"" : "\"resourceGroup\"");
		} else {
			int rc = bl_az_write_cond(t, out, v);
			if (rc)
				return rc;
		}
	}
	const struct bl_value *ec = bl_value_getz(details, "existenceCondition");
	if (ec && ec->type == BL_VOBJ) {
		bl_buf_adds(out, ", \"existenceCondition\": ");
		int rc = bl_az_write_cond(t, out, ec);
		if (rc)
			return rc;
	}
	static const char *const ignored[] = {"evaluationDelay", "roleDefinitionIds", "deployment",
					      "deploymentScope"};
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		const struct bl_value *v = bl_value_getz(details, ignored[i]);
		if (v && bl_az_note(t->imp, BL_AZ_INFO, t->control, t->file, v,
				    "details.%s is not used: the existence check is assessed, nothing is deployed",
				    ignored[i]))
			return BL_ENOMEM;
	}
	bl_buf_adds(out, "}\n");
	return out->failed ? BL_ENOMEM : 0;
}

static bool id_taken(struct wctx *w, const char *id)
{
	for (size_t i = 0; i < w->nids; i++)
		if (bl_str_ieq(w->ids[i], strlen(w->ids[i]), id, strlen(id)))
			return true;
	return false;
}

/* Write one control for definition d (member/set when it is an initiative
 * member; raw_id its reference id or the definition's name). */
static int write_control(struct wctx *w, struct bl_buf *out, const struct bl_az_def *d,
			 const char *raw_id, const struct bl_value *member,
			 const struct bl_az_def *set)
{
	struct bl_az_import *imp = w->imp;
	bool changed;
	const char *id = control_id(w, raw_id, &changed);
	if (!id)
		return BL_ENOMEM;
	if (id_taken(w, id)) {
		const char *again = bl_arena_printf(&imp->arena, "%s-%zu", id, w->nids + 1);
		if (!again || bl_az_note(imp, BL_AZ_INFO, again, d->file, d->doc,
					 "id %s is used already: this control is %s", id, again))
			return BL_ENOMEM;
		id = again;
	} else if (changed && bl_az_note(imp, BL_AZ_INFO, id, d->file, d->doc,
					 "id \"%s\" has characters control ids do not allow: written as %s",
					 raw_id, id))
		return BL_ENOMEM;
	const char **ids = bl_az_grow(&imp->arena, w->ids, w->nids, &w->capids, sizeof(*ids));
	if (!ids)
		return BL_ENOMEM;
	w->ids = ids;
	ids[w->nids++] = id;

	struct bl_az_tctx t = {.imp = imp, .control = id, .file = d->file};
	int rc = bind_params(w, &t, d, member, set);
	if (rc)
		return rc;
	const struct bl_value *rule = bl_value_getz(d->props, "policyRule");
	const struct bl_value *cond = bl_value_getz(rule, "if");
	const struct bl_value *then = bl_value_getz(rule, "then");
	const struct bl_value *details = then ? bl_value_getz(then, "details") : NULL;
	const char *mode = bl_az_strz(&imp->arena, d->props, "mode");
	if (!*mode)
		mode = "All";
	const char *effect = resolve_effect(w, &t, then ? bl_value_getz(then, "effect") : NULL);

	/* What the control becomes. */
	const char *na = NULL, *our_effect = "audit", *severity = "medium";
	bool ifnotexists = false;
	if (!cond || cond->type != BL_VOBJ)
		na = "the policy rule has no \"if\" condition";
	else if (!effect)
		na = "the effect cannot be resolved from the definition's parameters";
	else if (provider_mode(mode))
		na = bl_arena_printf(&imp->arena,
				     "resource provider mode %s: the policy is evaluated by the provider (in-cluster or data-plane components), not from resource configuration",
				     mode);
	else if (strcmp(effect, "manual") == 0)
		na = "manual effect: compliance is attested by people, not read from configuration";
	else if (strcmp(effect, "denyaction") == 0)
		na = "denyAction effect: it blocks delete requests; a configuration snapshot has nothing to assess";
	else if (strcmp(effect, "mutate") == 0)
		na = "mutate effect: it changes Kubernetes requests; nothing to assess from a snapshot";
	else if (strcmp(effect, "deny") == 0) {
		our_effect = "deny";
		severity = "high";
	} else if (strcmp(effect, "disabled") == 0)
		our_effect = "disabled";
	else if (strcmp(effect, "auditifnotexists") == 0 || strcmp(effect, "deployifnotexists") == 0)
		ifnotexists = true;
	else if (strcmp(effect, "modify") == 0 || strcmp(effect, "append") == 0) {
		if (bl_az_note(imp, BL_AZ_INFO, id, d->file, then,
			       "%s effect assessed as an audit of its condition", effect))
			return BL_ENOMEM;
	} else if (strcmp(effect, "audit") != 0)
		na = bl_arena_printf(&imp->arena, "effect %s is not supported", effect);
	if (!na && strcmp(mode, "All") != 0 && !bl_str_ieq(mode, strlen(mode), "all", 3) &&
	    !bl_str_ieq(mode, strlen(mode), "indexed", 7) &&
	    bl_az_note(imp, BL_AZ_INFO, id, d->file, d->props, "mode %s treated as All", mode))
		return BL_ENOMEM;

	struct bl_buf body;
	bl_buf_init(&body, 0);
	const char *display = bl_az_strz(&imp->arena, d->props, "displayName");
	bl_buf_adds(out, "  - id: ");
	bl_az_quote(out, id, strlen(id));
	bl_buf_adds(out, "\n    title: ");
	bl_az_quote(out, *display ? display : (*d->name ? d->name : id),
		    strlen(*display ? display : (*d->name ? d->name : id)));
	bl_buf_printf(out, "\n    severity: %s\n    effect: %s\n", severity, our_effect);
	if ((rc = write_maps(w, out, member, id, d->file)))
		goto done;
	if (na) {
		bl_buf_adds(out, "    not_applicable: ");
		bl_az_quote(out, na, strlen(na));
		bl_buf_addc(out, '\n');
		if (cond && cond->type == BL_VOBJ) {
			/* Kept for the reader only: a not_applicable control is never
			 * evaluated, and its condition may use what we cannot compile. */
			bl_buf_adds(out, "    # Azure if: ");
			if ((rc = bl_az_write_cond(&t, out, cond)))
				goto done;
			bl_buf_addc(out, '\n');
		}
		rc = bl_az_note(imp, BL_AZ_NOT_APPLICABLE, id, d->file, d->doc, "%s", na);
		w->na++;
		t.nbinds = 0;   /* never evaluated: its parameters need no value */
	} else {
		const struct bl_value *pin;
		bool pin_only;
		int a = bl_az_write_applicability(&t, &body, cond, ifnotexists, &pin, &pin_only);
		if (a < 0) {
			rc = a;
			goto done;
		}
		if (a == 2) {
			const char *why = "its type, name and kind conditions exclude every resource";
			bl_buf_adds(out, "    not_applicable: ");
			bl_az_quote(out, why, strlen(why));
			bl_buf_adds(out, "\n    # Azure if: ");
			bl_az_write_cond(&t, out, cond);
			bl_buf_addc(out, '\n');
			rc = bl_az_note(imp, BL_AZ_NOT_APPLICABLE, id, d->file, d->doc, "%s", why);
			w->na++;
			t.nbinds = 0;
			goto done;
		}
		if (pin)
			write_scope(out, pin);
		/* Indexed mode evaluates only types that carry tags and location:
		 * never the subscription or its resource groups (a type pin
		 * already says which types apply) */
		bool has_body = a == 1 && !pin_only;
		bool unindexed = !pin && bl_str_ieq(mode, strlen(mode), "indexed", 7);
		if (has_body || unindexed) {
			bl_buf_adds(out, "    applies: ");
			if (unindexed)
				bl_buf_adds(out, "{\"allOf\": [");
			if (has_body)
				bl_buf_add(out, body.data, body.len);
			if (unindexed)
				bl_buf_adds(out, has_body ? ", " INDEXED_ONLY "]}" : INDEXED_ONLY "]}");
			bl_buf_addc(out, '\n');
		}
		if (ifnotexists) {
			int r = write_related(&t, out, details);
			if (r < 0) {
				rc = r;
				goto done;
			}
			if (r == 1) {
				const char *why = "details.type is missing: no related resource to look for";
				bl_buf_adds(out, "    not_applicable: ");
				bl_az_quote(out, why, strlen(why));
				bl_buf_addc(out, '\n');
				rc = bl_az_note(imp, BL_AZ_UNSUPPORTED, id, d->file, then, "%s", why);
				w->na++;
				goto done;
			}
		} else {
			bl_buf_adds(out, "    violation: ");
			if ((rc = bl_az_write_cond(&t, out, cond)))
				goto done;
			bl_buf_addc(out, '\n');
		}
		rc = bl_az_note(imp, BL_AZ_EVALUATED, id, d->file, d->doc, "%s%s%s", effect,
				strcmp(our_effect, "disabled") == 0 ? " (written with effect: disabled)" : "",
				ifnotexists ? " (existence of a related resource)" : "");
		w->evaluated++;
	}
done:
	bl_buf_free(&body);
	if (!rc) {
		const char *desc = bl_az_strz(&imp->arena, d->props, "description");
		if (*desc) {
			bl_buf_adds(out, "    rationale: ");
			bl_az_quote(out, desc, strlen(desc));
			bl_buf_addc(out, '\n');
		}
		rc = register_params(w, &t);
	}
	if (!rc && (t.nomem || out->failed))
		rc = BL_ENOMEM;
	imp->ncontrols++;
	return rc;
}

static const struct bl_az_def *find_def(const struct bl_az_import *imp, const char *ref, size_t len)
{
	const char *slash = NULL;
	for (size_t i = 0; i < len; i++)
		if (ref[i] == '/')
			slash = ref + i;
	const char *last = slash ? slash + 1 : ref;
	size_t llen = len - (size_t)(last - ref);
	for (size_t i = 0; i < imp->ndefs; i++) {
		const struct bl_az_def *d = imp->defs[i];
		if ((*d->id && bl_str_ieq(d->id, strlen(d->id), ref, len)) ||
		    (*d->name && bl_str_ieq(d->name, strlen(d->name), last, llen)))
			return d;
	}
	return NULL;
}

static int write_set(struct wctx *w, struct bl_buf *out, const struct bl_az_def *set)
{
	const struct bl_value *members = bl_value_getz(set->props, "policyDefinitions");
	for (uint32_t i = 0; i < members->u.arr.n; i++) {
		const struct bl_value *m = &members->u.arr.items[i];
		size_t rlen = 0, dlen = 0;
		const char *ref = bl_value_strz(m, "policyDefinitionReferenceId", &rlen);
		const char *defid = bl_value_strz(m, "policyDefinitionId", &dlen);
		if (!defid) {
			if (bl_az_note(w->imp, BL_AZ_UNSUPPORTED, NULL, set->file, m,
				       "member without policyDefinitionId skipped"))
				return BL_ENOMEM;
			continue;
		}
		char *refz = bl_arena_strndup(&w->imp->arena, ref ? ref : defid, ref ? rlen : dlen);
		if (!refz)
			return BL_ENOMEM;
		if (!ref) {
			char *s = strrchr(refz, '/');
			if (s)
				refz = s + 1;
		}
		const struct bl_az_def *d = find_def(w->imp, defid, dlen);
		if (!d) {
			if (bl_az_note(w->imp, BL_AZ_MISSING, refz, set->file, m,
				       "definition %.*s is not among the files given", (int)dlen, defid))
				return BL_ENOMEM;
			continue;
		}
		int rc = write_control(w, out, d, refz, m, set);
		if (rc)
			return rc;
	}
	return 0;
}

/* A number of a semantic version: 0 or [1-9][0-9]*; the end, or NULL. */
static const char *semver_num(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == p || (q - p > 1 && *p == '0'))
		return NULL;
	return q;
}

/* Azure versions are MAJOR.MINOR.PATCH, sometimes with "-preview" and the
 * like: kept when they are semantic versions, else 1.0.0. */
static const char *semver_or(struct bl_arena *a, const struct bl_value *props)
{
	const struct bl_value *meta = bl_value_getz(props, "metadata");
	size_t len;
	const char *v = bl_value_strz(props, "version", &len);
	if (!v && meta)
		v = bl_value_strz(meta, "version", &len);
	if (!v)
		return "1.0.0";
	const char *p = v, *end = v + len;
	for (int part = 0; part < 3; part++) {
		p = semver_num(p, end);
		if (!p || (part < 2 && (p >= end || *p++ != '.')))
			return "1.0.0";
	}
	if (p < end) {
		if (*p++ != '-' || p == end)
			return "1.0.0";
		for (; p < end; p++) {
			char c = *p;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				return "1.0.0";
		}
	}
	char *s = bl_arena_strndup(a, v, len);
	return s ? s : "1.0.0";
}

int bl_az_import_write(struct bl_az_import *imp, struct bl_buf *out,
		       const struct bl_catalogs *cats, struct bl_error *err)
{
	if (!imp->ndefs && !imp->nsets)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
				    "no Azure Policy definition or set definition was found");
	if (!imp->aliases_open) {
		int rc = bl_alias_table_open(&imp->aliases, &imp->arena);
		if (rc)
			return bl_error_set(err, rc, NULL, 0, 0, "the alias table is %s",
					    rc == BL_ENOMEM ? "too big for memory" : "missing from this build");
		imp->aliases_open = true;
	}
	struct wctx w = {.imp = imp, .mcsb = cats ? bl_catalog_find(cats, "mcsb-v1") : NULL};
	w.multi = imp->nsets > 0 || imp->ndefs > 1;
	const struct bl_az_def *first = imp->nsets ? imp->sets[0] : imp->defs[0];
	struct bl_buf controls;
	bl_buf_init(&controls, 0);
	int rc = 0;
	if (imp->nsets) {
		for (size_t i = 0; i < imp->nsets && !rc; i++)
			rc = write_set(&w, &controls, imp->sets[i]);
	} else {
		for (size_t i = 0; i < imp->ndefs && !rc; i++) {
			const struct bl_az_def *d = imp->defs[i];
			rc = write_control(&w, &controls, d, *d->name ? d->name : "policy", NULL, NULL);
		}
	}
	if (rc) {
		bl_buf_free(&controls);
		return bl_error_set(err, rc, NULL, 0, 0, "out of memory");
	}
	char id[128];
	bl_oscal_baseline_id(id, sizeof(id), first->file);
	if (strcmp(id, "oscal-import") == 0)
		snprintf(id, sizeof(id), "azure-policy-import");
	const char *title = bl_az_strz(&imp->arena, first->props, "displayName");
	bl_buf_printf(out, "# Imported from Azure Policy by `baseline import azure-policy`: %zu control(s) from %s",
		      imp->ncontrols, imp->nsets ? "the set definition(s) in " : "");
	bl_az_comment_text(out, first->file);
	bl_buf_adds(out, ".\n# Conditions keep Azure's semantics (docs/azure-policy.md); review the import report.\n");
	bl_buf_printf(out, "baseline: %s\nversion: %s\ntitle: ", id, semver_or(&imp->arena, first->props));
	if (imp->nsets || imp->ndefs == 1)
		bl_az_quote(out, *title ? title : id, strlen(*title ? title : id));
	else
		bl_buf_printf(out, "\"Azure Policy definitions (%zu)\"", imp->ndefs);
	bl_buf_addc(out, '\n');
	write_params(&w, out);
	if (w.nids == 0)
		bl_buf_adds(out, "controls: []\n");
	else {
		bl_buf_adds(out, "controls:\n");
		bl_buf_add(out, controls.data, controls.len);
	}
	bl_buf_free(&controls);
	if (out->failed)
		return bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}
