/*
 * pp.h - the Power Platform asset model shared by the two readers of Power
 * Platform configuration: the admin API export folder adapter
 * (powerplatform.c) and the ScubaGear provider export record adapter
 * (scubagear.c).  Each gathers what its input holds into a struct pp_tenant;
 * pp_emit() turns that into the same resource documents, so one baseline
 * (builtin:power-platform) serves both.  The documents are described in
 * docs/power-platform.md.
 *
 * A source that was not exported is a BL_VNA value with the reason (rules
 * reading it give not_applicable); a source whose export failed is a BL_VERR
 * value (rules reading it give error, never pass).
 */
#ifndef BL_ADAPT_PP_H
#define BL_ADAPT_PP_H

#include <stdbool.h>
#include <stddef.h>

#include "adapt/adapt.h"

#define PP_TYPE_TENANT "PowerPlatform/tenant"
#define PP_TYPE_ENV "PowerPlatform/environment"
#define PP_TYPE_DLP "PowerPlatform/dlpPolicy"

enum pp_state { PP_MISSING = 0, PP_OK, PP_FAILED };

/* Whether one export is there; why says what is missing or what failed. */
struct pp_source {
	enum pp_state state;
	const char *why;
};

struct pp_env {
	const char *name;                 /* environment name (a GUID, or Default-<tenant>) */
	size_t nlen;
	const char *id;                   /* the export's id, or NULL (built from name) */
	const struct bl_value *node;      /* where it was read (position, file) */
	const struct bl_value *props;     /* admin API `properties`, or NULL */
	const struct bl_value *display;   /* display name (string), or NULL */
	bool is_default;
	const struct bl_value *org;       /* Dataverse organization row, or NULL */
	const struct bl_value *settings;  /* RetrieveSettingList SettingDetailCollection, or NULL */
};

enum pp_scope { PP_ALL_ENVS, PP_ONLY_ENVS, PP_EXCEPT_ENVS };

struct pp_policy {
	const struct bl_value *def;       /* the object with name, environmentType, ... */
	const struct bl_value *extra;     /* customConnectorUrlPatternsDefinition, or NULL */
	const char *name;
	size_t nlen;
	const char *display;              /* displayName, else name */
	size_t dlen;
	enum pp_scope scope;
	const struct bl_value *envs;      /* array of {name}, or NULL */
	const struct bl_value *groups;    /* connectorGroups array, or NULL (list export) */
};

struct pp_tenant {
	struct bl_arena *a;               /* everything built lives here */
	const char *source;               /* "admin-api" or "scubagear" */
	const char *tenant_id;            /* NULL when unknown */
	size_t tlen;
	const struct bl_value *node;      /* position of the tenant asset */
	const struct bl_value *settings;  /* tenant settings object (when OK) */
	struct pp_source settings_src;
	const struct bl_value *isolation; /* tenant isolation `properties` (when OK) */
	bool isolation_unset;             /* ScubaGear "null": never configured */
	struct pp_source isolation_src;
	struct pp_policy *policies;
	size_t npolicies, pcap;
	struct pp_source dlp_src;
	struct pp_env *envs;
	size_t nenvs, ecap;
	struct pp_source envs_src;
};

/* A new zeroed environment / policy slot in t (arena-grown).  NULL on ENOMEM. */
struct pp_env *pp_env_add(struct pp_tenant *t);
struct pp_policy *pp_policy_add(struct pp_tenant *t);

/* The environment called name (case-insensitive), or NULL. */
struct pp_env *pp_env_find(const struct pp_tenant *t, const char *name, size_t len);

/*
 * Read one DLP policy definition (admin API `policyDefinition` or a
 * ScubaGear `dlp_policies[].value[]` element) into p.  Returns 0, or
 * BL_EINVAL (err at the offending node) when name/displayName are both
 * missing, environmentType is missing or unknown, or a member has the wrong
 * type.
 */
int pp_policy_read(struct pp_policy *p, const struct bl_value *def, const char *file,
		   struct bl_error *err);

/* Is s[0..len) (a JSON string value) equal to z, ignoring case? */
bool pp_str_ieq(const struct bl_value *s, const char *z);

/*
 * Build the tenant, environment and DLP policy resources of t and add them
 * to out (tenant first, then environments and policies in input order).
 * Returns 0, or BL_ENOMEM (err set).
 */
int pp_emit(const struct pp_tenant *t, struct bl_adapted *out, struct bl_error *err);

/* The adapters of adapt.c's tables (contracts in adapt.h). */
int bl_adapt_powerplatform(const char *const *files, size_t n, bool *claimed,
			   struct bl_adapted *out, struct bl_error *err);
int bl_adapt_scubagear(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		       struct bl_error *err);

#endif
