/*
 * adapt.c - the adapter tables and the dispatch (see adapt.h).  A new shape
 * is one function in its own file and one line here (with the top-level
 * keys it needs to see before it is asked).
 */
#include "adapt/adapt.h"
#include "adapt/pp.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/str.h"

int bl_adapted_add(struct bl_adapted *out, const struct bl_value *v)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		const struct bl_value **items = bl_arena_alloc(out->arena, cap * sizeof(*items));
		if (!items)
			return BL_ENOMEM;
		for (size_t i = 0; i < out->n; i++)
			items[i] = out->items[i];
		out->items = items;
		out->cap = cap;
	}
	out->items[out->n++] = v;
	return 0;
}

int bl_adapt_terraform(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);
int bl_adapt_arm_template(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);
int bl_adapt_k8s_list(const struct bl_value *, const char *, struct bl_adapted *, struct bl_error *);

/*
 * The top-level keys each record adapter needs before it can recognise a
 * record.  Every record of every snapshot is offered to the adapters, and
 * almost none is theirs: rather than each adapter probing the record with
 * its own lookups (16 of them, each a scan of the members), one pass over
 * the record's keys notes which of these are present, matched as
 * bl_value_getz matches (ignoring ASCII case), and only an adapter whose
 * keys are all there (and, where it has alternatives, one of them) is
 * called.  An adapter skipped this way would have returned 0 on the record.
 */
enum {
	K_FORMAT_VERSION = 1u << 0,
	K_PLANNED_VALUES = 1u << 1,
	K_RESOURCE_CHANGES = 1u << 2,
	K_TERRAFORM_VERSION = 1u << 3,
	K_VALUES = 1u << 4,
	K_SCHEMA = 1u << 5,
	K_TENANT_ID = 1u << 6,
	K_ENV_CREATION = 1u << 7,
	K_DLP_POLICIES = 1u << 8,
	K_TENANT_ISOLATION = 1u << 9,
	K_ENV_LIST = 1u << 10,
	K_PP_OK_COMMANDS = 1u << 11,
	K_PP_BAD_COMMANDS = 1u << 12,
	K_KIND = 1u << 13,
	K_ITEMS = 1u << 14,
	K_API_VERSION = 1u << 15,
};

/* Is m's key lit (lower case or '$' first), ignoring ASCII case? */
#define KEY_IS(m, lit)                                                          \
	(bl_lower((unsigned char)(m)->key[0]) == (unsigned char)(lit)[0] &&     \
	 bl_str_ieq((m)->key, (m)->klen, lit, sizeof(lit) - 1))

/* The markers among obj's keys (obj is an object).  By key length first:
 * most keys of a resource have a length no marker has, and are passed
 * over with one test. */
static uint32_t markers_of(const struct bl_value *obj)
{
	uint32_t found = 0;
	for (uint32_t i = 0; i < obj->u.obj.n; i++) {
		const struct bl_member *m = &obj->u.obj.items[i];
		switch (m->klen) {
		case 4:
			found |= KEY_IS(m, "kind") ? K_KIND : 0;
			break;
		case 5:
			found |= KEY_IS(m, "items") ? K_ITEMS : 0;
			break;
		case 6:
			found |= KEY_IS(m, "values") ? K_VALUES : 0;
			break;
		case 7:
			found |= KEY_IS(m, "$schema") ? K_SCHEMA : 0;
			break;
		case 9:
			found |= KEY_IS(m, "tenant_id") ? K_TENANT_ID : 0;
			break;
		case 10:
			found |= KEY_IS(m, "apiversion") ? K_API_VERSION : 0;
			break;
		case 12:
			found |= KEY_IS(m, "dlp_policies") ? K_DLP_POLICIES : 0;
			break;
		case 14:
			found |= KEY_IS(m, "format_version") ? K_FORMAT_VERSION : 0;
			found |= KEY_IS(m, "planned_values") ? K_PLANNED_VALUES : 0;
			break;
		case 16:
			found |= KEY_IS(m, "resource_changes") ? K_RESOURCE_CHANGES : 0;
			found |= KEY_IS(m, "tenant_isolation") ? K_TENANT_ISOLATION : 0;
			found |= KEY_IS(m, "environment_list") ? K_ENV_LIST : 0;
			break;
		case 17:
			found |= KEY_IS(m, "terraform_version") ? K_TERRAFORM_VERSION : 0;
			break;
		case 20:
			found |= KEY_IS(m, "environment_creation") ? K_ENV_CREATION : 0;
			break;
		case 33:
			found |= KEY_IS(m, "powerplatform_successful_commands") ? K_PP_OK_COMMANDS : 0;
			break;
		case 35:
			found |= KEY_IS(m, "powerplatform_unsuccessful_commands") ? K_PP_BAD_COMMANDS
										  : 0;
			break;
		default:
			break;
		}
	}
	return found;
}

/*
 * Every record adapter needs one of four keys before it looks further (its
 * `all` markers below: format_version, $schema, tenant_id, items), and a
 * cloud resource carries none of them.  So the common case is one cheap
 * pass that tests a member's key length against a mask and compares only
 * keys of those four lengths; markers_of runs on the rare record that has
 * one.  (engine/keep.c asks the same question through bl_adapt_anchored.)
 */
#define ANCHOR_LENGTHS ((1ull << 5) | (1ull << 7) | (1ull << 9) | (1ull << 14))

bool bl_adapt_anchored(const struct bl_value *doc)
{
	if (!doc || doc->type != BL_VOBJ)
		return false;
	if (doc->u.obj.n == 0)
		return false;   /* (and items may be NULL: no end pointer then) */
	const struct bl_member *m = doc->u.obj.items, *end = m + doc->u.obj.n;
	for (; m < end; m++) {
		if (m->klen >= 64 || !((ANCHOR_LENGTHS >> m->klen) & 1))
			continue;
		bool hit = false;
		switch (m->klen) {
		case 5:
			hit = KEY_IS(m, "items");
			break;
		case 7:
			hit = KEY_IS(m, "$schema");
			break;
		case 9:
			hit = KEY_IS(m, "tenant_id");
			break;
		default:
			hit = KEY_IS(m, "format_version");
			break;
		}
		if (hit)
			return true;
	}
	return false;
}
#undef KEY_IS

struct record_adapter {
	bl_record_adapter fn;
	uint32_t all;   /* markers that must all be present */
	uint32_t any;   /* 0, or markers of which one must be present */
};

/* Tried in order; the first that recognises a record wins.  The markers
 * restate each adapter's own first test (keep them in step with it), and
 * every `all` holds one of bl_adapt_anchored's four keys (a new adapter
 * without one adds its key there). */
static const struct record_adapter record_adapters[] = {
	{bl_adapt_terraform, K_FORMAT_VERSION,
	 K_PLANNED_VALUES | K_RESOURCE_CHANGES | K_TERRAFORM_VERSION | K_VALUES},
	{bl_adapt_arm_template, K_SCHEMA, 0},
	{bl_adapt_scubagear, K_TENANT_ID,
	 K_ENV_CREATION | K_DLP_POLICIES | K_TENANT_ISOLATION | K_ENV_LIST | K_PP_OK_COMMANDS |
		 K_PP_BAD_COMMANDS},
	{bl_adapt_k8s_list, K_KIND | K_ITEMS | K_API_VERSION, 0},
};

static const bl_folder_adapter folder_adapters[] = {
	bl_adapt_powerplatform,
	NULL,
};

int bl_adapt_record(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		    struct bl_error *err)
{
	if (!bl_adapt_anchored(doc))
		return 0;
	uint32_t found = markers_of(doc);
	if (!found)
		return 0;
	for (size_t i = 0; i < sizeof(record_adapters) / sizeof(record_adapters[0]); i++) {
		const struct record_adapter *ra = &record_adapters[i];
		if ((found & ra->all) != ra->all || (ra->any && !(found & ra->any)))
			continue;
		int rc = ra->fn(doc, file, out, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int bl_adapt_folder(const char *const *files, size_t n, bool *claimed, struct bl_adapted *out,
		    struct bl_error *err)
{
	for (size_t i = 0; i < sizeof(folder_adapters) / sizeof(folder_adapters[0]); i++) {
		if (!folder_adapters[i])
			continue;
		int rc = folder_adapters[i](files, n, claimed, out, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
