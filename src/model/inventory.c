/*
 * inventory.c - inventory documents (FORMATS.md §4): validate every key with
 * its file:line:col, compile the classify conditions, and classify assets
 * (see inventory.h and docs/inventory.md).
 */
#include "model/inventory.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "model/schema.h"
#include "util/str.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))
#define AT(v) (v)->line, (v)->col

struct ctx {
	struct bl_inventory *inv;
	struct bl_arena *a;
	struct bl_diags *d;
	const char *file;
	size_t bad;
	bool oom;
};

static void diag(struct ctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

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


#define SHOWV(v) bl_schema_show((v)->u.str.s, (v)->u.str.len).s

static void schema(struct ctx *c, const struct bl_member **found, const struct bl_value *obj,
		   const struct bl_schema *s)
{
	int n = bl_schema_check(found, obj, s, c->d);
	if (n < 0)
		c->oom = true;
	else
		c->bad += (size_t)n;
}

static char *copy_str(struct ctx *c, const struct bl_value *v)
{
	char *p = bl_arena_strndup(c->a, v->u.str.s, v->u.str.len);
	if (!p)
		c->oom = true;
	return p;
}

static bool id_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			continue;
		if (i == 0 || !strchr("._-", ch) || ch == '\0')
			return false;
	}
	return true;
}

/* ---- attributes: defaults, set, explicit entries ----------------------- */

enum { AK_TIER, AK_ENVIRONMENT, AK_OWNER, AK_CLASSIFICATION, AK_TAGS, AK_ID };

static const struct bl_schema_key attr_keys[] = {
	[AK_TIER] = {"tier", BL_T_INT, 0},
	[AK_ENVIRONMENT] = {"environment", BL_T_STR, 0},
	[AK_OWNER] = {"owner", BL_T_STR, 0},
	[AK_CLASSIFICATION] = {"classification", BL_T_STR, 0},
	[AK_TAGS] = {"tags", BL_T_OBJ, 0},
	[AK_ID] = {"id", BL_T_STR, BL_SK_REQUIRED},
};
/* defaults and set allow every key but id */
static const struct bl_schema defaults_schema = {"defaults", attr_keys, AK_ID};
static const struct bl_schema set_schema = {"set", attr_keys, AK_ID};
static const struct bl_schema entry_schema = {"asset entry", attr_keys, COUNT(attr_keys)};

static void nonempty_str(struct ctx *c, const struct bl_member *m, const char **out)
{
	const struct bl_value *v = &m->val;
	if (v->u.str.len == 0) {
		diag(c, AT(v), "%.*s must not be empty", (int)m->klen, m->key);
		return;
	}
	*out = copy_str(c, v);
}

/* Read the attribute keys found by the schema check into at. */
static void read_attrs(struct ctx *c, const struct bl_member **f, struct bl_inv_attrs *at)
{
	if (f[AK_TIER]) {
		const struct bl_value *v = &f[AK_TIER]->val;
		double d = v->u.num.d;
		if (d < 1 || d > 3)
			diag(c, AT(v), "tier must be 1, 2 or 3 (1 = most critical), not %.*s",
			     (int)v->u.num.len, v->u.num.text);
		else
			at->tier = (int)d;
	}
	if (f[AK_ENVIRONMENT])
		nonempty_str(c, f[AK_ENVIRONMENT], &at->environment);
	if (f[AK_OWNER])
		nonempty_str(c, f[AK_OWNER], &at->owner);
	if (f[AK_CLASSIFICATION])
		nonempty_str(c, f[AK_CLASSIFICATION], &at->classification);
	if (f[AK_TAGS]) {
		const struct bl_value *t = &f[AK_TAGS]->val;
		bool ok = true;
		for (uint32_t i = 0; i < t->u.obj.n; i++) {
			const struct bl_member *m = &t->u.obj.items[i];
			if (m->val.type != BL_VSTR) {
				diag(c, AT(&m->val), "tag \"%s\" must be a string, not %s",
				     bl_schema_show(m->key, m->klen).s, bl_schema_value_desc(&m->val));
				ok = false;
			}
		}
		if (ok)
			at->tags = t;
	}
}

static void check_attrs_obj(struct ctx *c, const struct bl_value *obj, const struct bl_schema *s,
			    struct bl_inv_attrs *at)
{
	const struct bl_member *f[COUNT(attr_keys)];
	memset(f, 0, sizeof(f));
	schema(c, f, obj, s);
	read_attrs(c, f, at);
}

/* ---- classify ------------------------------------------------------------ */

enum { RK_WHEN, RK_SET };
static const struct bl_schema_key rule_keys[] = {
	[RK_WHEN] = {"when", BL_T_OBJ, BL_SK_REQUIRED},
	[RK_SET] = {"set", BL_T_OBJ, BL_SK_REQUIRED},
};
static const struct bl_schema rule_schema = {"classify rule", rule_keys, COUNT(rule_keys)};

static void check_rule(struct ctx *c, const struct bl_value *v, struct bl_inv_rule *r)
{
	r->line = v->line;
	r->col = v->col;
	if (v->type != BL_VOBJ) {
		diag(c, AT(v), "a classify rule must be an object with when and set, not %s",
		     bl_schema_value_desc(v));
		return;
	}
	const struct bl_member *f[COUNT(rule_keys)];
	schema(c, f, v, &rule_schema);
	if (f[RK_WHEN]) {
		struct bl_rule_env env = {.arena = c->a, .diags = c->d};
		size_t before = c->d->n + c->d->dropped;
		int rc = bl_cond_compile(&r->when, &f[RK_WHEN]->val, &env);
		if (rc == BL_ENOMEM) {
			c->oom = true;
		} else if (rc) {
			size_t added = c->d->n + c->d->dropped - before;
			c->bad += added;
			if (!added)
				diag(c, AT(&f[RK_WHEN]->val), "invalid condition");
		}
	}
	if (f[RK_SET]) {
		const struct bl_value *s = &f[RK_SET]->val;
		check_attrs_obj(c, s, &set_schema, &r->set);
		if (s->u.obj.n == 0)
			diag(c, AT(s), "set must give at least one of tier, environment, owner, "
				       "classification, tags");
	}
}

static void check_entry(struct ctx *c, const struct bl_value *v, struct bl_inv_entry *e)
{
	e->line = v->line;
	e->col = v->col;
	if (v->type != BL_VOBJ) {
		diag(c, AT(v), "an asset entry must be an object with id, not %s",
		     bl_schema_value_desc(v));
		return;
	}
	const struct bl_member *f[COUNT(attr_keys)];
	memset(f, 0, sizeof(f));
	schema(c, f, v, &entry_schema);
	read_attrs(c, f, &e->attrs);
	if (f[AK_ID]) {
		const struct bl_value *id = &f[AK_ID]->val;
		if (id->u.str.len == 0)
			diag(c, AT(id), "asset id must not be empty");
		else
			e->id = copy_str(c, id);
	}
}

/* ---- document -------------------------------------------------------------- */

enum { TK_INVENTORY, TK_TITLE, TK_DEFAULTS, TK_CLASSIFY, TK_ASSETS };
static const struct bl_schema_key top_keys[] = {
	[TK_INVENTORY] = {"inventory", BL_T_STR, BL_SK_REQUIRED},
	[TK_TITLE] = {"title", BL_T_STR, 0},
	[TK_DEFAULTS] = {"defaults", BL_T_OBJ, 0},
	[TK_CLASSIFY] = {"classify", BL_T_ARR, 0},
	[TK_ASSETS] = {"assets", BL_T_ARR, 0},
};
static const struct bl_schema top_schema = {"inventory", top_keys, COUNT(top_keys)};

static void check_top(struct ctx *c, const struct bl_value *doc)
{
	struct bl_inventory *inv = c->inv;
	if (!doc || doc->type != BL_VOBJ) {
		uint32_t line = doc && doc->line ? doc->line : 1, col = doc && doc->col ? doc->col : 1;
		diag(c, line, col, "not an inventory: the document must be a mapping that starts "
				   "with \"inventory: ID\", not %s",
		     doc ? bl_schema_value_desc(doc) : "empty");
		return;
	}
	if (doc->u.obj.n > 0) {
		const struct bl_member *m = &doc->u.obj.items[0];
		if ((m->klen == 8 && memcmp(m->key, "baseline", 8) == 0) ||
		    (m->klen == 10 && memcmp(m->key, "exceptions", 10) == 0)) {
			diag(c, m->line, m->col, "not an inventory (a %s document)",
			     m->klen == 8 ? "baseline" : "exception");
			return;
		}
	}
	const struct bl_member *f[COUNT(top_keys)];
	schema(c, f, doc, &top_schema);
	if (f[TK_INVENTORY]) {
		const struct bl_value *v = &f[TK_INVENTORY]->val;
		if (!id_ok(v->u.str.s, v->u.str.len))
			diag(c, AT(v), "inventory id \"%s\" is invalid: use lower-case letters, digits, "
				       "\".\", \"_\" and \"-\", starting with a letter or digit", SHOWV(v));
		inv->id = copy_str(c, v);
	}
	if (f[TK_DEFAULTS])
		check_attrs_obj(c, &f[TK_DEFAULTS]->val, &defaults_schema, &inv->defaults);
	if (f[TK_CLASSIFY]) {
		const struct bl_value *arr = &f[TK_CLASSIFY]->val;
		inv->rules = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(*inv->rules));
		if (!inv->rules) {
			c->oom = true;
			return;
		}
		inv->nrules = arr->u.arr.n;
		for (uint32_t i = 0; i < arr->u.arr.n; i++)
			check_rule(c, &arr->u.arr.items[i], &inv->rules[i]);
	}
	if (f[TK_ASSETS]) {
		const struct bl_value *arr = &f[TK_ASSETS]->val;
		inv->entries = bl_arena_calloc(c->a, arr->u.arr.n + 1, sizeof(*inv->entries));
		if (!inv->entries) {
			c->oom = true;
			return;
		}
		inv->nentries = arr->u.arr.n;
		for (uint32_t i = 0; i < arr->u.arr.n; i++)
			check_entry(c, &arr->u.arr.items[i], &inv->entries[i]);
		/* the same id twice: the second can never match, say so */
		for (size_t i = 0; i < inv->nentries; i++)
			for (size_t j = 0; j < i; j++) {
				const struct bl_inv_entry *x = &inv->entries[i], *y = &inv->entries[j];
				if (x->id && y->id && bl_str_ieq(x->id, strlen(x->id), y->id, strlen(y->id))) {
					diag(c, x->line, x->col, "asset entry \"%s\" repeats the entry at "
								 "line %u (only the first one is used)",
					     bl_schema_show(x->id, strlen(x->id)).s, y->line);
					break;
				}
			}
	}
}

static struct bl_inventory *inventory_new(void)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_inventory *inv = bl_arena_calloc(&a, 1, sizeof(*inv));
	if (!inv) {
		bl_arena_free(&a);
		return NULL;
	}
	inv->arena = a;
	return inv;
}

void bl_inventory_free(struct bl_inventory *inv)
{
	if (!inv)
		return;
	struct bl_arena a = inv->arena;
	bl_arena_free(&a);
}

static int build(struct bl_inventory *inv, const struct bl_value *doc, struct bl_diags *diags)
{
	struct ctx c = {.inv = inv, .a = &inv->arena, .d = diags};
	if (doc && doc->file) {
		c.file = bl_arena_strndup(c.a, doc->file, strlen(doc->file));
		if (!c.file)
			return BL_ENOMEM;
		inv->file = c.file;
	}
	inv->doc = doc;
	check_top(&c, doc);
	if (c.oom)
		return BL_ENOMEM;
	return c.bad ? BL_EINVAL : 0;
}

int bl_inventory_from_doc(struct bl_inventory **out, const struct bl_value *doc,
			  struct bl_diags *diags)
{
	*out = NULL;
	struct bl_inventory *inv = inventory_new();
	if (!inv)
		return BL_ENOMEM;
	int rc = build(inv, doc, diags);
	if (rc) {
		bl_inventory_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

int bl_inventory_load(struct bl_inventory **out, const char *path, struct bl_diags *diags)
{
	*out = NULL;
	struct bl_inventory *inv = inventory_new();
	if (!inv)
		return BL_ENOMEM;
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	int rc = bl_doc_load(&doc, &inv->arena, path, &err);
	if (rc) {
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			rc = BL_ENOMEM;
	} else {
		rc = build(inv, doc, diags);
	}
	if (rc) {
		bl_inventory_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

/* ---- classification ------------------------------------------------------- */

void bl_inventory_classify(const struct bl_inventory *inv, const struct bl_asset *asset,
			   struct bl_eval *ev, struct bl_inv_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!inv)
		return;
	size_t idlen = strlen(asset->id);
	for (size_t i = 0; i < inv->nentries; i++) {
		const struct bl_inv_entry *e = &inv->entries[i];
		if (e->id && bl_glob_match(e->id, strlen(e->id), asset->id, idlen, true)) {
			out->entry = e;
			break;
		}
	}
	for (size_t i = 0; i < inv->nrules; i++) {
		const struct bl_inv_rule *r = &inv->rules[i];
		if (!r->when)
			continue;
		bl_eval_clear(ev);
		ev->nev = 0;
		enum bl_truth t = bl_cond_eval(r->when, ev);
		if (t == BL_UNKNOWN)
			out->rule_error = true;
		if (t == BL_TRUE) {
			out->rule = r;
			break;
		}
	}
	ev->nev = 0;
	bl_eval_clear(ev);
	const struct bl_inv_attrs *src[3] = {
		out->entry ? &out->entry->attrs : NULL,
		out->rule ? &out->rule->set : NULL,
		&inv->defaults,
	};
	static const enum bl_inv_source tier_src[3] = {BL_INV_ENTRY, BL_INV_RULE, BL_INV_DEFAULT};
	struct bl_inv_attrs *m = &out->attrs;
	for (int k = 0; k < 3; k++) {
		const struct bl_inv_attrs *s = src[k];
		if (!s)
			continue;
		if (!m->tier && s->tier) {
			m->tier = s->tier;
			out->tier_source = tier_src[k];
		}
		if (!m->environment)
			m->environment = s->environment;
		if (!m->owner)
			m->owner = s->owner;
		if (!m->classification)
			m->classification = s->classification;
		if (!m->tags)
			m->tags = s->tags;
	}
}

void bl_inventory_paths(const struct bl_inventory *inv, bl_cond_path_cb cb, void *ctx)
{
	for (size_t i = 0; inv && i < inv->nrules; i++)
		if (inv->rules[i].when)
			bl_cond_paths(inv->rules[i].when, cb, ctx);
}
