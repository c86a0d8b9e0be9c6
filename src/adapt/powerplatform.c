/*
 * powerplatform.c - Power Platform admin API exports, joined into assets.
 *
 * Two parts: the shared asset model of pp.h (pp_emit: tenant, environment
 * and DLP policy documents with the computed DLP coverage facts), used by
 * scubagear.c too, and the folder adapter that recognises admin API
 * responses by content and ties them together (which shapes, and how a
 * Dataverse file is tied to its environment: docs/power-platform.md).
 */
#include "adapt/pp.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/load.h"
#include "util/str.h"

#define ENV_ID_PREFIX "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/"
#define TENANT_ID_PREFIX "/providers/Microsoft.BusinessAppPlatform/tenants/"
#define DLP_ID_PREFIX "/providers/PowerPlatform.Governance/v2/policies/"

/* ---- value builders ---------------------------------------------------- */

struct vobj {
	struct bl_arena *a;
	struct bl_member *m;
	uint32_t n, cap;
	bool oom;
};

struct varr {
	struct bl_arena *a;
	struct bl_value *v;
	uint32_t n, cap;
	bool oom;
};

static void obj_put(struct vobj *o, const char *key, size_t klen, const struct bl_value *v)
{
	if (o->oom || !v) {
		o->oom = true;
		return;
	}
	if (o->n == o->cap) {
		uint32_t cap = o->cap ? o->cap * 2 : 16;
		struct bl_member *m = bl_arena_alloc(o->a, (size_t)cap * sizeof(*m));
		if (!m) {
			o->oom = true;
			return;
		}
		if (o->n)
			memcpy(m, o->m, (size_t)o->n * sizeof(*m));
		o->m = m;
		o->cap = cap;
	}
	struct bl_member *m = &o->m[o->n++];
	memset(m, 0, sizeof(*m));
	m->key = key;
	m->klen = (uint32_t)klen;
	m->line = v->line;
	m->col = v->col;
	m->val = *v;
}

static void obj_putz(struct vobj *o, const char *key, const struct bl_value *v)
{
	obj_put(o, key, strlen(key), v);
}

static void obj_str(struct vobj *o, const char *key, const char *s, size_t len)
{
	obj_putz(o, key, s ? bl_value_new_str(o->a, s, len) : bl_value_new(o->a, BL_VNULL));
}

static void obj_bool(struct vobj *o, const char *key, bool b)
{
	obj_putz(o, key, bl_value_new_bool(o->a, b));
}

static void obj_num(struct vobj *o, const char *key, double d)
{
	obj_putz(o, key, bl_value_new_num(o->a, d));
}

/* The object, positioned at at (NULL when out of memory). */
static struct bl_value *obj_end(struct vobj *o, const struct bl_value *at)
{
	if (o->oom)
		return NULL;
	struct bl_value *v = bl_value_new(o->a, BL_VOBJ);
	if (!v)
		return NULL;
	v->u.obj.items = o->m;
	v->u.obj.n = o->n;
	if (at) {
		v->line = at->line;
		v->col = at->col;
		v->file = at->file;
	}
	return v;
}

static void arr_push(struct varr *r, const struct bl_value *v)
{
	if (r->oom || !v) {
		r->oom = true;
		return;
	}
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 8;
		struct bl_value *nv = bl_arena_alloc(r->a, (size_t)cap * sizeof(*nv));
		if (!nv) {
			r->oom = true;
			return;
		}
		if (r->n)
			memcpy(nv, r->v, (size_t)r->n * sizeof(*nv));
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n++] = *v;
}

static struct bl_value *arr_end(struct varr *r)
{
	if (r->oom)
		return NULL;
	struct bl_value *v = bl_value_new(r->a, BL_VARR);
	if (!v)
		return NULL;
	v->u.arr.items = r->v;
	v->u.arr.n = r->n;
	return v;
}

/* The value a source stands for when it is not OK: error or not available. */
static const struct bl_value *src_special(struct bl_arena *a, const struct pp_source *s)
{
	return bl_value_new_special(a, s->state == PP_FAILED ? BL_VERR : BL_VNA,
				    s->why ? s->why : "not exported");
}

/* ---- model helpers ------------------------------------------------------ */

bool pp_str_ieq(const struct bl_value *s, const char *z)
{
	return s && s->type == BL_VSTR && bl_str_ieq(s->u.str.s, s->u.str.len, z, strlen(z));
}

struct pp_env *pp_env_add(struct pp_tenant *t)
{
	if (t->nenvs == t->ecap) {
		size_t cap = t->ecap ? t->ecap * 2 : 8;
		struct pp_env *e = bl_arena_calloc(t->a, cap, sizeof(*e));
		if (!e)
			return NULL;
		if (t->nenvs)
			memcpy(e, t->envs, t->nenvs * sizeof(*e));
		t->envs = e;
		t->ecap = cap;
	}
	struct pp_env *e = &t->envs[t->nenvs++];
	memset(e, 0, sizeof(*e));
	return e;
}

struct pp_policy *pp_policy_add(struct pp_tenant *t)
{
	if (t->npolicies == t->pcap) {
		size_t cap = t->pcap ? t->pcap * 2 : 8;
		struct pp_policy *p = bl_arena_calloc(t->a, cap, sizeof(*p));
		if (!p)
			return NULL;
		if (t->npolicies)
			memcpy(p, t->policies, t->npolicies * sizeof(*p));
		t->policies = p;
		t->pcap = cap;
	}
	struct pp_policy *p = &t->policies[t->npolicies++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct pp_env *pp_env_find(const struct pp_tenant *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nenvs; i++)
		if (bl_str_ieq(t->envs[i].name, t->envs[i].nlen, name, len))
			return &t->envs[i];
	return NULL;
}

int pp_policy_read(struct pp_policy *p, const struct bl_value *def, const char *file,
		   struct bl_error *err)
{
	memset(p, 0, sizeof(*p));
	if (def->type != BL_VOBJ)
		return bl_error_set(err, BL_EINVAL, file, def->line, def->col,
				    "a DLP policy must be an object, not %s", bl_vtype_name(def->type));
	p->def = def;
	const struct bl_value *name = bl_value_getz(def, "name");
	const struct bl_value *disp = bl_value_getz(def, "displayName");
	if (name && name->type == BL_VSTR && name->u.str.len) {
		p->name = name->u.str.s;
		p->nlen = name->u.str.len;
	}
	if (disp && disp->type == BL_VSTR && disp->u.str.len) {
		p->display = disp->u.str.s;
		p->dlen = disp->u.str.len;
	}
	if (!p->name) {
		p->name = p->display;
		p->nlen = p->dlen;
	}
	if (!p->display) {
		p->display = p->name;
		p->dlen = p->nlen;
	}
	if (!p->name)
		return bl_error_set(err, BL_EINVAL, file, def->line, def->col,
				    "DLP policy has neither a name nor a displayName");
	const struct bl_value *et = bl_value_getz(def, "environmentType");
	if (!et || et->type != BL_VSTR)
		return bl_error_set(err, BL_EINVAL, file, et ? et->line : def->line,
				    et ? et->col : def->col,
				    "DLP policy %.*s: environmentType must be a string (AllEnvironments, OnlyEnvironments or ExceptEnvironments)",
				    (int)p->nlen, p->name);
	if (pp_str_ieq(et, "AllEnvironments"))
		p->scope = PP_ALL_ENVS;
	else if (pp_str_ieq(et, "OnlyEnvironments") || pp_str_ieq(et, "SingleEnvironment"))
		p->scope = PP_ONLY_ENVS;
	else if (pp_str_ieq(et, "ExceptEnvironments"))
		p->scope = PP_EXCEPT_ENVS;
	else
		return bl_error_set(err, BL_EINVAL, file, et->line, et->col,
				    "DLP policy %.*s: unknown environmentType \"%.*s\"", (int)p->nlen,
				    p->name, (int)(et->u.str.len > 64 ? 64 : et->u.str.len), et->u.str.s);
	const struct bl_value *envs = bl_value_getz(def, "environments");
	if (envs && envs->type != BL_VARR && envs->type != BL_VNULL)
		return bl_error_set(err, BL_EINVAL, file, envs->line, envs->col,
				    "DLP policy %.*s: environments must be an array", (int)p->nlen, p->name);
	p->envs = envs && envs->type == BL_VARR ? envs : NULL;
	for (uint32_t i = 0; p->envs && i < p->envs->u.arr.n; i++) {
		const struct bl_value *e = &p->envs->u.arr.items[i];
		const struct bl_value *n = bl_value_getz(e, "name");
		if (!n || n->type != BL_VSTR)
			return bl_error_set(err, BL_EINVAL, file, e->line, e->col,
					    "DLP policy %.*s: each environment needs a name", (int)p->nlen,
					    p->name);
	}
	const struct bl_value *groups = bl_value_getz(def, "connectorGroups");
	if (groups && groups->type != BL_VARR && groups->type != BL_VNULL)
		return bl_error_set(err, BL_EINVAL, file, groups->line, groups->col,
				    "DLP policy %.*s: connectorGroups must be an array", (int)p->nlen,
				    p->name);
	p->groups = groups && groups->type == BL_VARR ? groups : NULL;
	for (uint32_t i = 0; p->groups && i < p->groups->u.arr.n; i++) {
		const struct bl_value *g = &p->groups->u.arr.items[i];
		const struct bl_value *c = bl_value_getz(g, "connectors");
		if (g->type != BL_VOBJ || (c && c->type != BL_VARR && c->type != BL_VNULL))
			return bl_error_set(err, BL_EINVAL, file, g->line, g->col,
					    "DLP policy %.*s: a connector group must be an object with a connectors array",
					    (int)p->nlen, p->name);
	}
	return 0;
}

/* Does p list the environment called name? */
static bool policy_lists(const struct pp_policy *p, const char *name, size_t len)
{
	for (uint32_t i = 0; p->envs && i < p->envs->u.arr.n; i++) {
		const struct bl_value *n = bl_value_getz(&p->envs->u.arr.items[i], "name");
		if (n && n->type == BL_VSTR && bl_str_ieq(n->u.str.s, n->u.str.len, name, len))
			return true;
	}
	return false;
}

/* Does p apply to the environment called name? */
static bool policy_covers(const struct pp_policy *p, const char *name, size_t len)
{
	switch (p->scope) {
	case PP_ALL_ENVS: return true;
	case PP_ONLY_ENVS: return policy_lists(p, name, len);
	case PP_EXCEPT_ENVS: return !policy_lists(p, name, len);
	}
	return false;
}

/* The default environment's name: the environment flagged default, else
 * Default-<tenant id>; NULL when neither is known. */
static const char *default_env(const struct pp_tenant *t, size_t *len)
{
	for (size_t i = 0; i < t->nenvs; i++)
		if (t->envs[i].is_default) {
			*len = t->envs[i].nlen;
			return t->envs[i].name;
		}
	if (!t->tenant_id)
		return NULL;
	const char *s = bl_arena_printf(t->a, "Default-%.*s", (int)t->tlen, t->tenant_id);
	*len = s ? strlen(s) : 0;
	return s;
}

/* Connector groups of p with this classification (case-insensitive): does
 * one hold connector id? */
static bool group_holds(const struct pp_policy *p, const char *cls, const struct bl_value *id)
{
	for (uint32_t i = 0; p->groups && i < p->groups->u.arr.n; i++) {
		const struct bl_value *g = &p->groups->u.arr.items[i];
		if (!pp_str_ieq(bl_value_getz(g, "classification"), cls))
			continue;
		const struct bl_value *cs = bl_value_getz(g, "connectors");
		for (uint32_t k = 0; cs && cs->type == BL_VARR && k < cs->u.arr.n; k++) {
			const struct bl_value *cid = bl_value_getz(&cs->u.arr.items[k], "id");
			if (cid && cid->type == BL_VSTR &&
			    bl_str_ieq(cid->u.str.s, cid->u.str.len, id->u.str.s, id->u.str.len))
				return true;
		}
	}
	return false;
}

/*
 * The connectors usable in the default environment: those in a Business
 * (General) or Non-business (Confidential) group of a policy covering it
 * that no covering policy blocks (the most restrictive policy wins).
 */
static const struct bl_value *default_connectors(const struct pp_tenant *t, const char *dn,
						 size_t dlen)
{
	struct varr r = {.a = t->a};
	bool any = false;
	for (size_t i = 0; i < t->npolicies; i++) {
		const struct pp_policy *p = &t->policies[i];
		if (!policy_covers(p, dn, dlen))
			continue;
		any = true;
		if (!p->groups) {
			const char *why = bl_arena_printf(
				t->a, "DLP policy %.*s was exported without connectorGroups (a list response): export each policy",
				(int)p->dlen, p->display);
			return why ? bl_value_new_special(t->a, BL_VNA, why) : NULL;
		}
	}
	if (!any)
		return bl_value_new_special(t->a, BL_VNA,
					    "no DLP policy covers the default environment, so it has no connector groups");
	for (size_t i = 0; i < t->npolicies; i++) {
		const struct pp_policy *p = &t->policies[i];
		if (!policy_covers(p, dn, dlen))
			continue;
		for (uint32_t g = 0; g < p->groups->u.arr.n; g++) {
			const struct bl_value *grp = &p->groups->u.arr.items[g];
			const struct bl_value *cls = bl_value_getz(grp, "classification");
			if (!pp_str_ieq(cls, "General") && !pp_str_ieq(cls, "Confidential"))
				continue;
			const struct bl_value *cs = bl_value_getz(grp, "connectors");
			for (uint32_t k = 0; cs && cs->type == BL_VARR && k < cs->u.arr.n; k++) {
				const struct bl_value *id = bl_value_getz(&cs->u.arr.items[k], "id");
				if (!id || id->type != BL_VSTR)
					continue;
				bool blocked = false, dup = false;
				for (size_t q = 0; q < t->npolicies && !blocked; q++)
					blocked = policy_covers(&t->policies[q], dn, dlen) &&
						  group_holds(&t->policies[q], "Blocked", id);
				for (uint32_t d = 0; d < r.n && !dup; d++)
					dup = bl_str_ieq(r.v[d].u.str.s, r.v[d].u.str.len, id->u.str.s,
							 id->u.str.len);
				if (!blocked && !dup)
					arr_push(&r, id);
			}
		}
	}
	return arr_end(&r);
}

/* Display names of the policies covering the environment called name. */
static const struct bl_value *covering(const struct pp_tenant *t, const char *name, size_t len)
{
	struct varr r = {.a = t->a};
	for (size_t i = 0; i < t->npolicies; i++)
		if (policy_covers(&t->policies[i], name, len))
			arr_push(&r, bl_value_new_str(t->a, t->policies[i].display, t->policies[i].dlen));
	return arr_end(&r);
}

/* ---- documents ---------------------------------------------------------- */

static const struct bl_value *tenant_dlp(const struct pp_tenant *t)
{
	if (t->dlp_src.state != PP_OK)
		return src_special(t->a, &t->dlp_src);
	struct vobj o = {.a = t->a};
	obj_num(&o, "policyCount", (double)t->npolicies);
	struct varr wide = {.a = t->a};
	for (size_t i = 0; i < t->npolicies; i++)
		if (t->policies[i].scope == PP_ALL_ENVS)
			arr_push(&wide, bl_value_new_str(t->a, t->policies[i].display, t->policies[i].dlen));
	obj_putz(&o, "tenantWidePolicies", arr_end(&wide));
	size_t dlen = 0;
	const char *dn = default_env(t, &dlen);
	if (dn) {
		const struct bl_value *pol = covering(t, dn, dlen);
		obj_putz(&o, "defaultEnvironmentPolicies", pol);
		obj_bool(&o, "coversDefaultEnvironment", pol && pol->u.arr.n > 0);
		obj_putz(&o, "defaultEnvironmentConnectors", default_connectors(t, dn, dlen));
	} else {
		const struct bl_value *na = bl_value_new_special(
			t->a, BL_VNA, "the default environment is unknown: the export has neither an environment list nor a tenant id");
		obj_putz(&o, "defaultEnvironmentPolicies", na);
		obj_putz(&o, "coversDefaultEnvironment", na);
		obj_putz(&o, "defaultEnvironmentConnectors", na);
	}
	if (t->envs_src.state != PP_OK) {
		obj_putz(&o, "uncoveredEnvironments", src_special(t->a, &t->envs_src));
	} else {
		struct varr un = {.a = t->a};
		for (size_t i = 0; i < t->nenvs; i++) {
			const struct pp_env *e = &t->envs[i];
			if (e->is_default)
				continue;
			bool cov = false;
			for (size_t k = 0; k < t->npolicies && !cov; k++)
				cov = policy_covers(&t->policies[k], e->name, e->nlen);
			if (!cov)
				arr_push(&un, bl_value_new_str(t->a, e->name, e->nlen));
		}
		obj_putz(&o, "uncoveredEnvironments", arr_end(&un));
	}
	return obj_end(&o, NULL);
}

static const struct bl_value *tenant_doc(const struct pp_tenant *t)
{
	struct vobj o = {.a = t->a};
	const char *id = bl_arena_printf(t->a, TENANT_ID_PREFIX "%.*s", (int)(t->tenant_id ? t->tlen : 7),
					 t->tenant_id ? t->tenant_id : "unknown");
	if (!id)
		return NULL;
	obj_str(&o, "id", id, strlen(id));
	obj_str(&o, "type", PP_TYPE_TENANT, strlen(PP_TYPE_TENANT));
	obj_str(&o, "name", t->tenant_id ? t->tenant_id : "unknown", t->tenant_id ? t->tlen : 7);
	obj_str(&o, "tenantId", t->tenant_id, t->tlen);
	obj_str(&o, "source", t->source, strlen(t->source));
	size_t dlen = 0;
	const char *dn = default_env(t, &dlen);
	obj_str(&o, "defaultEnvironment", dn, dlen);
	if (t->envs_src.state == PP_OK)
		obj_num(&o, "environmentCount", (double)t->nenvs);
	else
		obj_putz(&o, "environmentCount", src_special(t->a, &t->envs_src));
	obj_putz(&o, "settings", t->settings_src.state == PP_OK ? t->settings
							     : src_special(t->a, &t->settings_src));
	if (t->isolation_src.state == PP_OK) {
		if (t->isolation_unset) {
			/* never configured: the service default, isolation off */
			struct vobj iso = {.a = t->a};
			obj_bool(&iso, "isDisabled", true);
			obj_putz(&iso, "allowedTenants", bl_value_new(t->a, BL_VARR));
			obj_putz(&o, "tenantIsolation", obj_end(&iso, NULL));
		} else {
			obj_putz(&o, "tenantIsolation", t->isolation);
		}
		obj_bool(&o, "tenantIsolationConfigured", !t->isolation_unset);
	} else {
		const struct bl_value *s = src_special(t->a, &t->isolation_src);
		obj_putz(&o, "tenantIsolation", s);
		obj_putz(&o, "tenantIsolationConfigured", s);
	}
	obj_putz(&o, "dlp", tenant_dlp(t));
	return obj_end(&o, t->node);
}

/* RetrieveSettingList's [{Name, Value}] as one object {Name: Value}. */
static const struct bl_value *settings_obj(struct bl_arena *a, const struct bl_value *coll)
{
	struct vobj o = {.a = a};
	for (uint32_t i = 0; i < coll->u.arr.n; i++) {
		const struct bl_value *e = &coll->u.arr.items[i];
		const struct bl_value *n = bl_value_getz(e, "Name");
		const struct bl_value *v = bl_value_getz(e, "Value");
		if (n && n->type == BL_VSTR && v)
			obj_put(&o, n->u.str.s, n->u.str.len, v);
	}
	return obj_end(&o, coll);
}

static const struct bl_value *env_doc(const struct pp_tenant *t, const struct pp_env *e)
{
	struct vobj o = {.a = t->a};
	const char *id = e->id ? e->id
			       : bl_arena_printf(t->a, ENV_ID_PREFIX "%.*s", (int)e->nlen, e->name);
	if (!id)
		return NULL;
	obj_str(&o, "id", id, strlen(id));
	obj_str(&o, "type", PP_TYPE_ENV, strlen(PP_TYPE_ENV));
	obj_str(&o, "name", e->name, e->nlen);
	if (e->display)
		obj_putz(&o, "displayName", e->display);
	obj_bool(&o, "isDefault", e->is_default);
	obj_str(&o, "tenantId", t->tenant_id, t->tlen);
	if (e->props) {
		const struct bl_value *sku = bl_value_getz(e->props, "environmentSku");
		if (sku)
			obj_putz(&o, "environmentSku", sku);
		obj_putz(&o, "properties", e->props);
	} else {
		obj_putz(&o, "properties",
			 bl_value_new_special(t->a, BL_VNA, "the export lists the environment without its properties (ScubaGear exports only names)"));
	}
	if (e->org) {
		obj_putz(&o, "organization", e->org);
	} else {
		const char *why = bl_arena_printf(
			t->a, "no Dataverse organization settings were exported for environment %.*s",
			(int)e->nlen, e->name);
		obj_putz(&o, "organization", why ? bl_value_new_special(t->a, BL_VNA, why) : NULL);
	}
	if (e->settings) {
		obj_putz(&o, "settings", settings_obj(t->a, e->settings));
	} else {
		const char *why = bl_arena_printf(
			t->a, "no Dataverse settings list (RetrieveSettingList) was exported for environment %.*s",
			(int)e->nlen, e->name);
		obj_putz(&o, "settings", why ? bl_value_new_special(t->a, BL_VNA, why) : NULL);
	}
	if (t->dlp_src.state != PP_OK) {
		obj_putz(&o, "dlp", src_special(t->a, &t->dlp_src));
	} else {
		struct vobj d = {.a = t->a};
		const struct bl_value *pol = covering(t, e->name, e->nlen);
		obj_bool(&d, "covered", pol && pol->u.arr.n > 0);
		obj_putz(&d, "policies", pol);
		obj_putz(&o, "dlp", obj_end(&d, NULL));
	}
	return obj_end(&o, e->node);
}

static bool is_key(const struct bl_member *m, const char *k)
{
	return bl_str_ieq(m->key, m->klen, k, strlen(k));
}

static const struct bl_value *policy_doc(const struct pp_tenant *t, const struct pp_policy *p)
{
	struct vobj o = {.a = t->a};
	const char *id = bl_arena_printf(t->a, DLP_ID_PREFIX "%.*s", (int)p->nlen, p->name);
	if (!id)
		return NULL;
	obj_str(&o, "id", id, strlen(id));
	obj_str(&o, "type", PP_TYPE_DLP, strlen(PP_TYPE_DLP));
	obj_str(&o, "name", p->name, p->nlen);
	const struct bl_value *def = p->def;
	for (uint32_t i = 0; i < def->u.obj.n; i++) {
		const struct bl_member *m = &def->u.obj.items[i];
		if (is_key(m, "id") || is_key(m, "type") || is_key(m, "name"))
			continue;
		obj_put(&o, m->key, m->klen, &m->val);
	}
	if (!bl_value_getz(def, "displayName"))
		obj_str(&o, "displayName", p->display, p->dlen);
	if (!bl_value_getz(def, "defaultConnectorsClassification"))
		obj_putz(&o, "defaultConnectorsClassification",
			 bl_value_new_special(t->a, BL_VNA, "the export does not include the policy's default connector group (ScubaGear's DLP export omits it)"));
	if (!p->groups) {
		const char *why = bl_arena_printf(
			t->a, "DLP policy %.*s was exported without connectorGroups (a list response): export each policy",
			(int)p->dlen, p->display);
		obj_putz(&o, "connectorGroups", why ? bl_value_new_special(t->a, BL_VNA, why) : NULL);
	}
	if (p->extra)
		obj_putz(&o, "customConnectorUrlPatternsDefinition", p->extra);
	return obj_end(&o, def);
}

int pp_emit(const struct pp_tenant *t, struct bl_adapted *out, struct bl_error *err)
{
	const struct bl_value *v = tenant_doc(t);
	if (!v || bl_adapted_add(out, v))
		goto nomem;
	for (size_t i = 0; i < t->nenvs; i++) {
		v = env_doc(t, &t->envs[i]);
		if (!v || bl_adapted_add(out, v))
			goto nomem;
	}
	for (size_t i = 0; i < t->npolicies; i++) {
		v = policy_doc(t, &t->policies[i]);
		if (!v || bl_adapted_add(out, v))
			goto nomem;
	}
	return 0;
nomem:
	return bl_error_set(err, BL_ENOMEM, t->node ? t->node->file : NULL, 0, 0, "out of memory");
}

/* ---- the folder adapter --------------------------------------------------- */

enum kind {
	K_NONE = 0,
	K_ENV,          /* one environment (GET .../environments/{name}) */
	K_ENV_LIST,     /* {"value": [environment...]} */
	K_DLP,          /* one DLP v2 policy {"policyDefinition": ...} */
	K_DLP_LIST,     /* {"value": [{"policyDefinition": ...}...]} */
	K_SETTINGS,     /* listTenantSettings */
	K_ISOLATION,    /* tenantIsolationPolicy {"properties": {isDisabled...}} */
	K_ORG,          /* Dataverse GET organizations {"value": [org]} */
	K_SETTINGLIST,  /* Dataverse RetrieveSettingList */
	K_TENANT,       /* GET .../tenant */
};

/* Strings one of which the first bytes of every accepted shape hold. */
static const char *const markers[] = {
	"BusinessAppPlatform", "environmentSku", "policyDefinition", "disableEnvironmentCreation",
	"disableTrialEnvironmentCreation", "powerPlatform", "isDisabled",
	"organizationid", "#organizations", "SettingDetailCollection",
};

#define SNIFF_BYTES 8192
/* Admin API responses of even a large tenant stay far below this; bigger
 * files are resource snapshots, not worth parsing twice. */
#define MAX_EXPORT_BYTES ((off_t)64 << 20)

/* Could path hold one of our shapes?  Reads at most SNIFF_BYTES; a file that
 * is not a regular file, is larger than MAX_EXPORT_BYTES, cannot be read or
 * does not start with '{' is not ours (assess reports unreadable files
 * itself). */
static bool sniff(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	char b[SNIFF_BYTES];
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MAX_EXPORT_BYTES) {
		do
			n = pread(fd, b, sizeof(b), 0);
		while (n < 0 && errno == EINTR);
	}
	close(fd);
	if (n <= 0)
		return false;
	size_t i = 0, len = (size_t)n;
	if (len >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB &&
	    (unsigned char)b[2] == 0xBF)
		i = 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	if (i >= len || b[i] != '{')
		return false;
	for (size_t k = 0; k < sizeof(markers) / sizeof(markers[0]); k++)
		if (bl_str_icontains(b, len, markers[k], strlen(markers[k])))
			return true;
	return false;
}

static bool is_str(const struct bl_value *v)
{
	return v && v->type == BL_VSTR;
}

static bool is_obj(const struct bl_value *v)
{
	return v && v->type == BL_VOBJ;
}

static bool is_env(const struct bl_value *v)
{
	const struct bl_value *props = bl_value_getz(v, "properties");
	if (!is_obj(v) || !is_str(bl_value_getz(v, "name")) || !is_obj(props))
		return false;
	return pp_str_ieq(bl_value_getz(v, "type"), "Microsoft.BusinessAppPlatform/scopes/environments") ||
	       bl_value_getz(props, "environmentSku") || bl_value_getz(props, "governanceConfiguration");
}

/* First element of v.value when it is a non-empty array, else NULL. */
static const struct bl_value *first_of_value(const struct bl_value *v)
{
	const struct bl_value *arr = bl_value_getz(v, "value");
	return arr && arr->type == BL_VARR && arr->u.arr.n ? &arr->u.arr.items[0] : NULL;
}

static enum kind classify(const struct bl_value *v)
{
	if (!is_obj(v))
		return K_NONE;
	if (is_env(v))
		return K_ENV;
	if (is_obj(bl_value_getz(v, "policyDefinition")))
		return K_DLP;
	if (pp_str_ieq(bl_value_getz(v, "type"), "Microsoft.BusinessAppPlatform/tenant") &&
	    is_str(bl_value_getz(v, "tenantId")))
		return K_TENANT;
	const struct bl_value *sdc = bl_value_getz(v, "SettingDetailCollection");
	if (sdc && sdc->type == BL_VARR)
		return K_SETTINGLIST;
	const struct bl_value *first = first_of_value(v);
	if (first && is_env(first))
		return K_ENV_LIST;
	if (first && is_obj(bl_value_getz(first, "policyDefinition")))
		return K_DLP_LIST;
	if (first && is_obj(first) && bl_value_getz(first, "organizationid"))
		return K_ORG;
	const struct bl_value *props = bl_value_getz(v, "properties");
	const struct bl_value *dis = bl_value_getz(props, "isDisabled");
	if (is_obj(props) && dis && dis->type == BL_VBOOL &&
	    (bl_value_getz(props, "allowedTenants") || bl_value_getz(props, "tenantId")))
		return K_ISOLATION;
	const struct bl_value *a = bl_value_getz(v, "disableEnvironmentCreationByNonAdminUsers");
	const struct bl_value *b = bl_value_getz(v, "disableTrialEnvironmentCreationByNonAdminUsers");
	if ((a && a->type == BL_VBOOL) || (b && b->type == BL_VBOOL) ||
	    is_obj(bl_value_getz(v, "powerPlatform")))
		return K_SETTINGS;
	return K_NONE;
}

/* A Dataverse file kept until the environments are known. */
struct dv_file {
	const char *path;
	const struct bl_value *doc;
	enum kind kind;
};

struct folder {
	struct pp_tenant t;
	struct dv_file *dv;
	size_t ndv, dvcap;
	struct bl_error *err;
};

static void set_tenant_id(struct pp_tenant *t, const struct bl_value *v)
{
	if (!t->tenant_id && is_str(v) && v->u.str.len) {
		t->tenant_id = v->u.str.s;
		t->tlen = v->u.str.len;
	}
}

static int add_env(struct folder *f, const struct bl_value *v, const char *path)
{
	struct pp_tenant *t = &f->t;
	const struct bl_value *name = bl_value_getz(v, "name");
	const struct bl_value *props = bl_value_getz(v, "properties");
	struct pp_env *e = pp_env_find(t, name->u.str.s, name->u.str.len);
	if (e) {
		/* the same environment from a list and from a GET: keep the one with
		 * the managed-environment settings */
		if (bl_value_getz(e->props, "governanceConfiguration") ||
		    !bl_value_getz(props, "governanceConfiguration"))
			return 0;
	} else if (!(e = pp_env_add(t))) {
		return bl_error_set(f->err, BL_ENOMEM, path, 0, 0, "out of memory");
	}
	e->name = name->u.str.s;
	e->nlen = name->u.str.len;
	const struct bl_value *id = bl_value_getz(v, "id");
	e->id = is_str(id) && id->u.str.len ? bl_arena_strndup(t->a, id->u.str.s, id->u.str.len) : NULL;
	e->node = v;
	e->props = props;
	const struct bl_value *disp = bl_value_getz(props, "displayName");
	e->display = is_str(disp) ? disp : NULL;
	const struct bl_value *def = bl_value_getz(props, "isDefault");
	e->is_default = def && def->type == BL_VBOOL && def->b;
	set_tenant_id(t, bl_value_getz(props, "tenantId"));
	if (!t->node)
		t->node = v;
	t->envs_src.state = PP_OK;
	return 0;
}

static int add_policy(struct folder *f, const struct bl_value *wrap, const char *path)
{
	struct pp_tenant *t = &f->t;
	struct pp_policy np;
	int rc = pp_policy_read(&np, bl_value_getz(wrap, "policyDefinition"), path, f->err);
	if (rc)
		return rc;
	np.extra = bl_value_getz(wrap, "customConnectorUrlPatternsDefinition");
	struct pp_policy *p = NULL;
	for (size_t i = 0; i < t->npolicies && !p; i++)
		if (bl_str_ieq(t->policies[i].name, t->policies[i].nlen, np.name, np.nlen))
			p = &t->policies[i];
	if (p && (p->groups || !np.groups))
		return 0;   /* a list entry after the full policy adds nothing */
	if (!p && !(p = pp_policy_add(t)))
		return bl_error_set(f->err, BL_ENOMEM, path, 0, 0, "out of memory");
	*p = np;
	t->dlp_src.state = PP_OK;
	return 0;
}

/* Host part of an https URL string (no port check needed: both sides come
 * from the same service). */
static bool url_host(const struct bl_value *v, const char **h, size_t *len)
{
	if (!is_str(v))
		return false;
	const char *s = v->u.str.s;
	size_t n = v->u.str.len, i = 0;
	const char *p = NULL;
	for (; i + 2 < n; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			p = s + i + 3;
			break;
		}
	if (!p)
		return false;
	size_t k = 0, rest = n - (size_t)(p - s);
	while (k < rest && p[k] != '/' && p[k] != '?' && p[k] != '#')
		k++;
	*h = p;
	*len = k;
	return k > 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The environment a Dataverse response belongs to: the one whose instance
 * URL has the response's host, else the one whose name is in the file name. */
static struct pp_env *dv_env(struct pp_tenant *t, const struct dv_file *d)
{
	const char *h;
	size_t hl;
	if (url_host(bl_value_getz(d->doc, "@odata.context"), &h, &hl)) {
		for (size_t i = 0; i < t->nenvs; i++) {
			const struct bl_value *lem = bl_value_getz(t->envs[i].props, "linkedEnvironmentMetadata");
			const char *eh;
			size_t el;
			if (url_host(bl_value_getz(lem, "instanceUrl"), &eh, &el) &&
			    bl_str_ieq(h, hl, eh, el))
				return &t->envs[i];
		}
	}
	const char *b = base_name(d->path);
	for (size_t i = 0; i < t->nenvs; i++)
		if (t->envs[i].nlen &&
		    bl_str_icontains(b, strlen(b), t->envs[i].name, t->envs[i].nlen))
			return &t->envs[i];
	return NULL;
}

static int join_dataverse(struct folder *f)
{
	for (size_t i = 0; i < f->ndv; i++) {
		const struct dv_file *d = &f->dv[i];
		struct pp_env *e = dv_env(&f->t, d);
		if (!e)
			return bl_error_set(f->err, BL_EINVAL, d->path, d->doc->line, d->doc->col,
					    "Dataverse %s for an unknown environment: export the environment with it (its instanceUrl is matched) or put the environment name in the file name, e.g. organizations-<environment name>.json",
					    d->kind == K_ORG ? "organization settings" : "settings list");
		if (d->kind == K_ORG)
			e->org = first_of_value(d->doc);
		else
			e->settings = bl_value_getz(d->doc, "SettingDetailCollection");
	}
	return 0;
}

static int take(struct folder *f, const struct bl_value *v, enum kind k, const char *path)
{
	struct pp_tenant *t = &f->t;
	switch (k) {
	case K_ENV:
		return add_env(f, v, path);
	case K_ENV_LIST: {
		const struct bl_value *arr = bl_value_getz(v, "value");
		for (uint32_t i = 0; i < arr->u.arr.n; i++) {
			const struct bl_value *e = &arr->u.arr.items[i];
			if (!is_env(e))
				return bl_error_set(f->err, BL_EINVAL, path, e->line, e->col,
						    "environment list entry #%u is not an environment (name and properties)",
						    i + 1);
			int rc = add_env(f, e, path);
			if (rc)
				return rc;
		}
		return 0;
	}
	case K_DLP:
		return add_policy(f, v, path);
	case K_DLP_LIST: {
		const struct bl_value *arr = bl_value_getz(v, "value");
		for (uint32_t i = 0; i < arr->u.arr.n; i++) {
			const struct bl_value *e = &arr->u.arr.items[i];
			if (!is_obj(bl_value_getz(e, "policyDefinition")))
				return bl_error_set(f->err, BL_EINVAL, path, e->line, e->col,
						    "DLP policy list entry #%u has no policyDefinition object", i + 1);
			int rc = add_policy(f, e, path);
			if (rc)
				return rc;
		}
		t->dlp_src.state = PP_OK;   /* an empty list is still an answer */
		return 0;
	}
	case K_SETTINGS:
		t->settings = v;
		t->settings_src.state = PP_OK;
		if (!t->node)
			t->node = v;
		return 0;
	case K_ISOLATION: {
		const struct bl_value *props = bl_value_getz(v, "properties");
		t->isolation = props;
		t->isolation_src.state = PP_OK;
		set_tenant_id(t, bl_value_getz(props, "tenantId"));
		return 0;
	}
	case K_TENANT:
		set_tenant_id(t, bl_value_getz(v, "tenantId"));
		return 0;
	case K_ORG:
	case K_SETTINGLIST:
		if (f->ndv == f->dvcap) {
			size_t cap = f->dvcap ? f->dvcap * 2 : 8;
			struct dv_file *n = bl_arena_calloc(t->a, cap, sizeof(*n));
			if (!n)
				return bl_error_set(f->err, BL_ENOMEM, path, 0, 0, "out of memory");
			if (f->ndv)
				memcpy(n, f->dv, f->ndv * sizeof(*n));
			f->dv = n;
			f->dvcap = cap;
		}
		f->dv[f->ndv].path = bl_arena_strndup(t->a, path, strlen(path));
		f->dv[f->ndv].doc = v;
		f->dv[f->ndv].kind = k;
		if (!f->dv[f->ndv].path)
			return bl_error_set(f->err, BL_ENOMEM, path, 0, 0, "out of memory");
		f->ndv++;
		return 0;
	case K_NONE:
		break;
	}
	return 0;
}

static int pp_folder(const char *const *files, size_t n, bool *claimed, struct bl_adapted *out,
		     struct bl_error *err)
{
	struct folder f;
	memset(&f, 0, sizeof(f));
	f.t.a = out->arena;
	f.t.source = "admin-api";
	f.err = err;
	const char *dir = NULL;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (claimed[i] || !sniff(files[i]))
			continue;
		const struct bl_value *v = NULL;
		int rc = bl_doc_load(&v, out->arena, files[i], err);
		if (rc)
			return rc;
		enum kind k = classify(v);
		if (k == K_NONE)
			continue;
		rc = take(&f, v, k, files[i]);
		if (rc)
			return rc;
		claimed[i] = true;
		any = true;
		if (!dir)
			dir = files[i];
		if (!f.t.node && k != K_ORG && k != K_SETTINGLIST)
			f.t.node = v;
	}
	if (!any)
		return 0;
	int rc = join_dataverse(&f);
	if (rc)
		return rc;
	if (!f.t.node)
		return bl_error_set(err, BL_EINVAL, dir, 0, 0,
				    "Dataverse settings without the environment list they belong to");
	/* the exports the folder lacks, named for the not_applicable messages */
	struct pp_tenant *t = &f.t;
	if (t->settings_src.state != PP_OK)
		t->settings_src.why = "not exported: the folder has no tenant settings (listTenantSettings response)";
	if (t->isolation_src.state != PP_OK)
		t->isolation_src.why = "not exported: the folder has no tenant isolation policy (tenantIsolationPolicy response)";
	if (t->dlp_src.state != PP_OK)
		t->dlp_src.why = "not exported: the folder has no DLP policies (PowerPlatform.Governance v2 policies response)";
	if (t->envs_src.state != PP_OK)
		t->envs_src.why = "not exported: the folder has no environment list (admin environments response)";
	return pp_emit(t, out, err);
}

int bl_adapt_powerplatform(const char *const *files, size_t n, bool *claimed,
			   struct bl_adapted *out, struct bl_error *err)
{
	return pp_folder(files, n, claimed, out, err);
}
