/*
 * baseline_control.c - one control of a baseline document (FORMATS.md §1):
 * its keys, scope, `maps` against the shipped framework catalogs, `related`
 * existence checks, its conditions compiled; and duplicate ids across the
 * effective baseline.
 */
#include "model/baseline_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "rule/expr.h"

static const char *const category_names[] = {
	"network", "identity", "privileged-access", "data", "compute",
	"logging", "posture", "backup", "devops", "governance",
};

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
static const char **str_list(struct bl_bctx *c, const struct bl_value *arr, const char *what,
			     bool nonempty, size_t *n)
{
	*n = 0;
	const char **out = alloc_n(c, arr->u.arr.n, sizeof(*out));
	if (!out)
		return NULL;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		if (e->type != BL_VSTR) {
			bl_bctx_diag(c, AT(e), "%s entries must be strings, not %s", what, bl_schema_value_desc(e));
			continue;
		}
		if (nonempty && e->u.str.len == 0) {
			bl_bctx_diag(c, AT(e), "%s entries must not be empty", what);
			continue;
		}
		out[(*n)++] = keep_str(c, e);
	}
	return out;
}

/* The catalog catalog() found for maps key m before, or NULL. */
static const struct bl_catalog *fw_memo(const struct bl_bctx *c, const struct bl_member *m)
{
	for (size_t i = 0; i < c->nfwmemo; i++)
		if (c->fwmemo[i].len == m->klen && memcmp(c->fwmemo[i].key, m->key, m->klen) == 0)
			return c->fwmemo[i].cat;
	return NULL;
}

/* The catalog named by a maps key; unknown ids are reported at the key
 * (with the closest shipped id when there is one).  NULL when unknown or
 * when the catalogs could not be loaded (reported once). */
static const struct bl_catalog *catalog(struct bl_bctx *c, const struct bl_member *m)
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
			bl_bctx_diag(c, m->line, m->col, "framework catalogs could not be loaded: %s", err.msg);
		}
	}
	if (c->cats_state != 1)
		return NULL;
	const struct bl_catalog *memo = fw_memo(c, m);
	if (memo)
		return memo;
	char key[128];
	if (m->klen >= sizeof(key)) {
		bl_bctx_diag(c, m->line, m->col, "unknown framework \"%s\"", SHOWK(m));
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
		bl_bctx_diag(c, m->line, m->col, "unknown framework \"%s\" (did you mean \"%s\"?)",
			     SHOWK(m), best);
	else
		bl_bctx_diag(c, m->line, m->col, "unknown framework \"%s\" (known: %s)", SHOWK(m),
			     known.data && !known.failed ? known.data : "none");
	bl_buf_free(&known);
	return NULL;
}

/* The catalog's spelling of a mapped id (so "sc-8.1" and "SC-8(1)" roll up
 * together), or the id as written when the framework is unknown; an id the
 * catalog does not list is reported at the id. */
static const char *catalog_id_new(struct bl_bctx *c, const struct bl_catalog *cat,
				  const struct bl_member *m, const struct bl_value *e);

/* The slot of (cat, e's text) in c->idmemo: its entry, or the empty slot
 * where it belongs; NULL when there is no table (or no room left). */
static struct idmemo *idmemo_slot(struct bl_bctx *c, const struct bl_catalog *cat,
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
static const char *catalog_id(struct bl_bctx *c, const struct bl_catalog *cat,
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

static const char *catalog_id_new(struct bl_bctx *c, const struct bl_catalog *cat,
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
		bl_bctx_diag(c, AT(e), "maps.%s: unknown control \"%s\" in %s (did you mean \"%s\"?)",
			     SHOWK(m), SHOWV(e), cat->id, best);
	else
		bl_bctx_diag(c, AT(e), "maps.%s: unknown control \"%s\" in %s", SHOWK(m), SHOWV(e), cat->id);
	return NULL;
}

static void check_maps(struct bl_bctx *c, const struct bl_value *maps, struct bl_control *ctl)
{
	ctl->maps = alloc_n(c, maps->u.obj.n, sizeof(*ctl->maps));
	if (!ctl->maps)
		return;
	for (uint32_t i = 0; i < maps->u.obj.n; i++) {
		const struct bl_member *m = &maps->u.obj.items[i];
		/* a key catalog() found before is a valid id (checked then) */
		const struct bl_catalog *seen = fw_memo(c, m);
		bool fw_ok = seen || bl_bctx_id_ok(m->key, m->klen, false, ".-");
		if (!fw_ok)
			bl_bctx_diag(c, m->line, m->col,
				     "framework id \"%s\" is invalid: use lower-case letters, digits, \".\" and \"-\", starting with a letter or digit",
				     SHOWK(m));
		const struct bl_catalog *cat = seen ? seen : fw_ok ? catalog(c, m) : NULL;
		if (m->val.type != BL_VARR) {
			bl_bctx_diag(c, AT(&m->val), "maps.%s must be an array of control ids, not %s",
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
				bl_bctx_diag(c, AT(e),
					     "maps.%s: %s is a number; write control ids as quoted strings (\"%s\"): unquoted, YAML reads %s as %.15g",
					     SHOWK(m), SHOWN(e), SHOWN(e), SHOWN(e), e->u.num.d);
			} else if (e->type == BL_VNUM) {
				bl_bctx_diag(c, AT(e), "maps.%s: %s is a number; write control ids as quoted strings (\"%s\")",
					     SHOWK(m), SHOWN(e), SHOWN(e));
			} else if (e->type != BL_VSTR) {
				bl_bctx_diag(c, AT(e), "maps.%s entries must be strings, not %s",
					     SHOWK(m), bl_schema_value_desc(e));
			} else if (e->u.str.len == 0) {
				bl_bctx_diag(c, AT(e), "maps.%s: a control id must not be empty", SHOWK(m));
			} else {
				const char *cid = catalog_id(c, cat, m, e);
				if (cid)
					map->ids[map->nids++] = cid;
			}
		}
	}
}

static void check_tiers(struct bl_bctx *c, const struct bl_value *arr, struct bl_control *ctl)
{
	ctl->tiers = alloc_n(c, arr->u.arr.n, sizeof(*ctl->tiers));
	if (!ctl->tiers)
		return;
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		if (e->type != BL_VNUM || !(e->flags & BL_VF_INT)) {
			bl_bctx_diag(c, AT(e), "scope.tiers entries must be the integers 1, 2 or 3, not %s",
				     bl_schema_value_desc(e));
		} else if (e->u.num.d < 1 || e->u.num.d > 3) {
			bl_bctx_diag(c, AT(e), "scope.tiers: tier %s is out of range (1 = most critical ... 3)",
				     SHOWN(e));
		} else {
			ctl->tiers[ctl->ntiers++] = (int)e->u.num.d;
		}
	}
}

void bl_bctx_check_scope(struct bl_bctx *c, const struct bl_value *scope, struct bl_control *ctl)
{
	const struct bl_member *f[COUNT(scope_keys)];
	bl_bctx_schema(c, f, scope, &scope_schema);
	static const char *const what[] = {"scope.types", "scope.tiers", "scope.environments"};
	for (size_t k = 0; k < COUNT(scope_keys); k++) {
		if (f[k] && f[k]->val.u.arr.n == 0)
			bl_bctx_diag(c, AT(&f[k]->val), "%s must not be empty: omit it to select every asset", what[k]);
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
const struct bl_cond *bl_bctx_compile(struct bl_bctx *c, const struct bl_value *cond)
{
	if (!c->cache)
		c->cache = bl_compile_cache_new(c->a);
	struct bl_rule_env env = {
		.arena = c->a,
		.diags = c->d,
		.param_defs = c->params,
		.param_values = c->param_values,
		.no_jit = c->host_only,
		.cache = c->cache,
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
			bl_bctx_diag(c, AT(cond), "invalid condition");
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
static void related_str(struct bl_bctx *c, const struct bl_value *v, const char **str,
			const struct bl_expr **x)
{
	if (!bl_expr_is(v->u.str.s, v->u.str.len)) {
		if (v->u.str.len == 0)
			bl_bctx_diag(c, AT(v), "related: a name must not be empty");
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
			bl_bctx_diag(c, AT(v), "invalid expression");
		*x = NULL;
		return;
	}
	const struct bl_value *k = bl_expr_const(*x);
	if (!k)
		return;
	if (k->type != BL_VSTR) {
		bl_bctx_diag(c, AT(v), "related: the expression must give a string, not %s",
			     bl_schema_value_desc(k));
		*x = NULL;
		return;
	}
	*str = copy(c, k->u.str.s, k->u.str.len);
	*x = NULL;
}

static const struct bl_related *check_related(struct bl_bctx *c, const struct bl_value *v)
{
	const struct bl_member *f[COUNT(related_keys)];
	size_t before = c->bad;
	bl_bctx_schema(c, f, v, &related_schema);
	struct bl_related *r = alloc_n(c, 1, sizeof(*r));
	if (!r)
		return NULL;
	if (f[RK_TYPE]) {
		const struct bl_value *t = &f[RK_TYPE]->val;
		const char *slash = memchr(t->u.str.s, '/', t->u.str.len);
		if (!slash || slash == t->u.str.s || t->u.str.s[t->u.str.len - 1] == '/' ||
		    memchr(t->u.str.s, '*', t->u.str.len))
			bl_bctx_diag(c, AT(t), "related.type must be a resource type such as Microsoft.Insights/diagnosticSettings, not \"%s\"",
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
			bl_bctx_diag(c, AT(s), "related.existenceScope must be resourceGroup or subscription, not \"%s\"",
				     SHOWV(s));
	}
	if (f[RK_COND]) {
		r->existence = bl_bctx_compile(c, &f[RK_COND]->val);
		if (r->existence) {
			r->existence_text = bl_cond_describe(r->existence, c->a);
			if (!r->existence_text)
				c->oom = true;
		}
	}
	return c->bad == before ? r : NULL;
}

static void check_id(struct bl_bctx *c, const struct bl_member *m, struct bl_control *ctl,
		     struct idpos *pos)
{
	const struct bl_value *v = &m->val;
	if (v->type == BL_VNUM) {
		bl_bctx_diag(c, AT(v), "control id %s is a number: write it as a quoted string (\"%s\")",
			     SHOWN(v), SHOWN(v));
		return;
	}
	if (v->u.str.len == 0) {
		bl_bctx_diag(c, AT(v), "control id must not be empty");
		return;
	}
	if (!bl_bctx_id_ok(v->u.str.s, v->u.str.len, true, "._:-")) {
		bl_bctx_diag(c, AT(v),
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

void bl_bctx_check_control(struct bl_bctx *c, const struct bl_value *v, struct bl_control *ctl,
			   struct idpos *pos)
{
	ctl->file = c->file;
	ctl->line = v->line;
	ctl->col = v->col;
	if (v->type != BL_VOBJ) {
		bl_bctx_diag(c, AT(v), "a control must be an object, not %s", bl_schema_value_desc(v));
		return;
	}
	const struct bl_member *f[COUNT(control_keys)];
	size_t bad_before = c->bad;
	bl_bctx_schema(c, f, v, &control_schema);
	/* no problem: every member is a known key of its type, in f */
	bool clean = c->bad == bad_before && !c->oom;

	if (f[CK_ID])
		check_id(c, f[CK_ID], ctl, pos);
	if (f[CK_TITLE]) {
		if (f[CK_TITLE]->val.u.str.len == 0)
			bl_bctx_diag(c, AT(&f[CK_TITLE]->val), "control title must not be empty");
		ctl->title = keep_str(c, &f[CK_TITLE]->val);
	}
	if (f[CK_SEVERITY]) {
		const struct bl_value *s = &f[CK_SEVERITY]->val;
		int sev = bl_severity_parse(s->u.str.s, s->u.str.len);
		if (sev < 0)
			bl_bctx_diag(c, AT(s), "severity must be one of critical, high, medium, low, info, not \"%s\"",
				     SHOWV(s));
		else
			ctl->severity = (enum bl_severity)sev;
	}
	if (f[CK_CATEGORY]) {
		const struct bl_value *s = &f[CK_CATEGORY]->val;
		int cat = name_index(category_names, COUNT(category_names), s->u.str.s, s->u.str.len);
		if (cat < 0)
			bl_bctx_diag(c, AT(s),
				     "category must be one of network, identity, privileged-access, data, compute, logging, posture, backup, devops, governance, not \"%s\"",
				     SHOWV(s));
		else
			ctl->category = copy(c, category_names[cat], strlen(category_names[cat]));
	}
	ctl->effect = BL_EFFECT_AUDIT;
	if (f[CK_EFFECT]) {
		const struct bl_value *s = &f[CK_EFFECT]->val;
		int eff = bl_effect_parse(s->u.str.s, s->u.str.len);
		if (eff < 0)
			bl_bctx_diag(c, AT(s), "effect must be one of audit, deny, disabled, not \"%s\"", SHOWV(s));
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
		bl_bctx_check_scope(c, &f[CK_SCOPE]->val, ctl);

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
		bl_bctx_diag(c, second->line, second->col,
			     "control has both expect and violation: give exactly one");
	else if (second)
		bl_bctx_diag(c, second->line, second->col,
			     "control has both %.*s and %.*s: give exactly one of expect, violation or related",
			     (int)first->klen, first->key, (int)second->klen, second->key);
	else if (!first && !na)
		bl_bctx_diag(c, AT(v), "control needs exactly one of expect or violation (neither is given)");
	if (f[CK_NA]) {
		const struct bl_value *r = &f[CK_NA]->val;
		if (r->u.str.len == 0)
			bl_bctx_diag(c, AT(r), "not_applicable needs a reason (a non-empty string)");
		ctl->na_reason = keep_str(c, r);
	}
	/* A regex of a host control runs a handful of times per run; JIT
	 * compiling it costs ~100x one interpreted match (it was 40% of
	 * loading builtin:linux-host).  Snapshot controls keep the JIT. */
	c->host_only = ctl->ntypes == 1 && bl_str_ieq(ctl->types[0], strlen(ctl->types[0]),
						      "linux.host", 10);
	if (f[CK_APPLIES])
		ctl->applies = bl_bctx_compile(c, &f[CK_APPLIES]->val);
	const struct bl_cond *expect = f[CK_EXPECT] ? bl_bctx_compile(c, &f[CK_EXPECT]->val) : NULL;
	const struct bl_cond *violation = f[CK_VIOLATION] ? bl_bctx_compile(c, &f[CK_VIOLATION]->val) : NULL;
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
void bl_bctx_check_duplicates(struct bl_bctx *c, struct idpos *pos, size_t n)
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
			bl_bctx_diag(c, p->line, p->col, "duplicate control id \"%s\" (first defined at line %u)",
				     bl_schema_show(p->id, p->len).s, p0->line);
		else
			/* Azure Policy refuses a definition that collides with an
			 * inherited one too: changing an inherited control is what
			 * override is for, so the change stays visible. */
			bl_bctx_diag(c, p->line, p->col,
				     "control id \"%s\" is already defined by baseline %s (%s:%u): change it with tailor.override, or drop it with tailor.exclude and define it again",
				     bl_schema_show(p->id, p->len).s, p0->origin ? p0->origin : "?",
				     p0->file ? p0->file : "?", p0->line);
	}
	c->file = saved;
}

