/*
 * scubagear.c - CISA ScubaGear's ProviderSettingsExport.json (its Power
 * Platform part) as Power Platform assets, the same documents the admin API
 * folder adapter builds (pp.h), so teams can assess the export they have.
 *
 * The shape: `tenant_id` is a string; each Power Platform key is an array
 * wrapping one command's output (environment_creation: tenant settings;
 * dlp_policies: [{value: [policy...]}]; tenant_isolation: [{properties}] or
 * ["null"] when never configured; environment_list: [{EnvironmentName,
 * DisplayName, IsDefault}]).  An empty array means the command failed: the
 * source becomes an error value, so controls reading it are `error`.  A key
 * that is absent (a partial export) becomes a not-available value: those
 * controls are `not_applicable` with the reason.  Keys of other products in
 * a full ScubaGear export are ignored.
 */
#include "adapt/pp.h"

#include <string.h>

#include "util/str.h"

struct key {
	const char *name;      /* ScubaGear's key */
	const char *what;      /* what its command exports */
	const char *command;   /* ScubaGear's name for the command */
};

static const struct key k_settings = {"environment_creation", "tenant settings", "Get-TenantSettings"};
static const struct key k_dlp = {"dlp_policies", "DLP policies", "Get-DlpPolicy"};
static const struct key k_iso = {"tenant_isolation", "tenant isolation policy",
				 "Get-PowerAppTenantIsolationPolicy"};
static const struct key k_envs = {"environment_list", "environment list",
				  "Get-AdminPowerAppEnvironment"};

/*
 * The array under k: *arr NULL and src MISSING when absent, src FAILED when
 * empty, OK otherwise.  BL_EINVAL when the member is not an array.
 */
static int source(const struct bl_value *doc, const struct key *k, const char *file,
		  struct bl_arena *a, const struct bl_value **arr, struct pp_source *src,
		  struct bl_error *err)
{
	*arr = bl_value_getz(doc, k->name);
	if (!*arr) {
		src->state = PP_MISSING;
		src->why = bl_arena_printf(a, "not in this ScubaGear export: it has no %s key (a partial export without the %s)",
					   k->name, k->what);
		return src->why ? 0 : BL_ENOMEM;
	}
	if ((*arr)->type != BL_VARR)
		return bl_error_set(err, BL_EINVAL, file, (*arr)->line, (*arr)->col,
				    "ScubaGear export: %s must be an array (one command's output), not %s",
				    k->name, bl_vtype_name((*arr)->type));
	if ((*arr)->u.arr.n == 0) {
		src->state = PP_FAILED;
		src->why = bl_arena_printf(a, "ScubaGear could not export the %s: %s is an empty array (%s failed)",
					   k->what, k->name, k->command);
		return src->why ? 0 : BL_ENOMEM;
	}
	src->state = PP_OK;
	return 0;
}

static int bad_elem(struct bl_error *err, const char *file, const struct bl_value *e,
		    const struct key *k, const char *want)
{
	return bl_error_set(err, BL_EINVAL, file, e->line, e->col, "ScubaGear export: %s[] must hold %s, not %s",
			    k->name, want, bl_vtype_name(e->type));
}

static int read_settings(struct pp_tenant *t, const struct bl_value *arr, const char *file,
			 struct bl_error *err)
{
	const struct bl_value *e = &arr->u.arr.items[0];
	if (e->type != BL_VOBJ)
		return bad_elem(err, file, e, &k_settings, "the tenant settings object");
	t->settings = e;
	return 0;
}

static int read_isolation(struct pp_tenant *t, const struct bl_value *arr, const char *file,
			  struct bl_error *err)
{
	const struct bl_value *e = &arr->u.arr.items[0];
	if (e->type == BL_VNULL || pp_str_ieq(e, "null")) {
		t->isolation_unset = true;
		return 0;
	}
	const struct bl_value *props = bl_value_getz(e, "properties");
	if (props && props->type == BL_VOBJ) {
		t->isolation = props;
		return 0;
	}
	if (e->type == BL_VOBJ && bl_value_getz(e, "isDisabled")) {
		t->isolation = e;
		return 0;
	}
	return bad_elem(err, file, e, &k_iso, "{\"properties\": {\"isDisabled\": ...}} or \"null\"");
}

static int read_dlp(struct pp_tenant *t, const struct bl_value *arr, const char *file,
		    struct bl_error *err)
{
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *w = &arr->u.arr.items[i];
		const struct bl_value *val = bl_value_getz(w, "value");
		if (w->type != BL_VOBJ || !val || val->type != BL_VARR)
			return bad_elem(err, file, w, &k_dlp, "an object with a \"value\" array of policies");
		for (uint32_t k = 0; k < val->u.arr.n; k++) {
			struct pp_policy *p = pp_policy_add(t);
			if (!p)
				return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
			int rc = pp_policy_read(p, &val->u.arr.items[k], file, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* A string member by either of two names (ScubaGear's module output, or
 * the admin API's environment object). */
static const struct bl_value *str2(const struct bl_value *o, const char *a, const char *b)
{
	const struct bl_value *v = bl_value_getz(o, a);
	if (!v && b)
		v = bl_value_getz(o, b);
	return v && v->type == BL_VSTR ? v : NULL;
}

static int read_envs(struct pp_tenant *t, const struct bl_value *arr, const char *file,
		     struct bl_error *err)
{
	for (uint32_t i = 0; i < arr->u.arr.n; i++) {
		const struct bl_value *e = &arr->u.arr.items[i];
		if (e->type != BL_VOBJ)
			return bad_elem(err, file, e, &k_envs, "environment objects");
		const struct bl_value *props = bl_value_getz(e, "properties");
		if (props && props->type != BL_VOBJ)
			props = NULL;
		const struct bl_value *name = str2(e, "EnvironmentName", "name");
		if (!name || name->u.str.len == 0)
			return bl_error_set(err, BL_EINVAL, file, e->line, e->col,
					    "ScubaGear export: environment_list entry #%u has no EnvironmentName",
					    i + 1);
		struct pp_env *env = pp_env_add(t);
		if (!env)
			return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
		env->name = name->u.str.s;
		env->nlen = name->u.str.len;
		env->node = e;
		env->props = props;
		env->display = str2(e, "DisplayName", NULL);
		if (!env->display)
			env->display = str2(props, "displayName", NULL);
		const struct bl_value *def = bl_value_getz(e, "IsDefault");
		if (!def)
			def = bl_value_getz(props, "isDefault");
		env->is_default = def && def->type == BL_VBOOL && def->b;
		if (!env->is_default && t->tenant_id && env->nlen == t->tlen + 8 &&
		    bl_str_ieq(env->name, 8, "Default-", 8) &&
		    bl_str_ieq(env->name + 8, t->tlen, t->tenant_id, t->tlen))
			env->is_default = true;
	}
	return 0;
}

int bl_adapt_scubagear(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		       struct bl_error *err)
{
	/* adapt.c restates these keys, to skip the call on records without
	 * them: keep in step */
	const struct bl_value *tid = bl_value_getz(doc, "tenant_id");
	if (!tid || tid->type != BL_VSTR)
		return 0;
	static const char *const ours[] = {
		"environment_creation", "dlp_policies", "tenant_isolation", "environment_list",
		"powerplatform_successful_commands", "powerplatform_unsuccessful_commands",
	};
	bool mine = false;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]) && !mine; i++)
		mine = bl_value_getz(doc, ours[i]) != NULL;
	if (!mine)
		return 0;
	struct pp_tenant t;
	memset(&t, 0, sizeof(t));
	t.a = out->arena;
	t.source = "scubagear";
	t.node = doc;
	if (tid->u.str.len) {
		t.tenant_id = tid->u.str.s;
		t.tlen = tid->u.str.len;
	}
	const struct bl_value *settings, *dlp, *iso, *envs;
	int rc;
	if ((rc = source(doc, &k_settings, file, t.a, &settings, &t.settings_src, err)) ||
	    (rc = source(doc, &k_dlp, file, t.a, &dlp, &t.dlp_src, err)) ||
	    (rc = source(doc, &k_iso, file, t.a, &iso, &t.isolation_src, err)) ||
	    (rc = source(doc, &k_envs, file, t.a, &envs, &t.envs_src, err)))
		return rc == BL_ENOMEM ? bl_error_set(err, rc, file, 0, 0, "out of memory") : rc;
	if ((t.settings_src.state == PP_OK && (rc = read_settings(&t, settings, file, err))) ||
	    (t.isolation_src.state == PP_OK && (rc = read_isolation(&t, iso, file, err))) ||
	    (t.dlp_src.state == PP_OK && (rc = read_dlp(&t, dlp, file, err))) ||
	    (t.envs_src.state == PP_OK && (rc = read_envs(&t, envs, file, err))))
		return rc;
	rc = pp_emit(&t, out, err);
	return rc ? rc : 1;
}
