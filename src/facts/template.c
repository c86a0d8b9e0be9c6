/*
 * template.c - a documented provider to copy when adding a namespace.  It is
 * NOT listed in facts/registry.c; nothing calls it.
 *
 * To add `example`:
 *   1. copy this file to facts/example.c, rename bl_provider_template to
 *      bl_provider_example and set .name, .keyed and .summary;
 *   2. list it in facts/registry.c (an extern line and a table entry);
 *   3. document it in docs/facts/example.md and test it in
 *      tests/unit/facts/test_example.c against a fake root under
 *      tests/fixtures/hosts/.
 *
 * The rules every provider follows (facts.h, sys.h):
 *   - read the host only through bl_facts_sys(f) and the bl_sys_* helpers:
 *     they resolve paths inside the root, refuse FIFOs and devices, and cap
 *     every read;
 *   - build values in bl_facts_arena(f) with the bl_ob_* / bl_ab_* builders;
 *     a builder that fails yields NULL from its finish call: return BL_ENOMEM;
 *   - what cannot be read is an error value (bl_facts_error) at the smallest
 *     scope it applies to; a missing optional source is a fact (an empty
 *     list, exists: false); a live-only fact under --root is
 *     bl_facts_na_live(f);
 *   - resolve returns 0 with *out set, or BL_ENOMEM; never prints.
 */
#include <string.h>

#include "facts/facts.h"

/* One key of a keyed namespace: here, the first line of the file it names.
 * The file is optional: absent, the key's value is null. */
static const struct bl_value *one_key(struct bl_facts *f, const char *key)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *data;
	size_t len;
	bool missing;
	struct bl_error err;
	if (bl_sys_read(bl_facts_sys(f), key, a, &data, &len, NULL, &missing, &err) != 0)
		return missing ? bl_value_new(a, BL_VNULL) : bl_facts_error(f, "%s", err.msg);
	size_t e = 0;
	while (e < len && data[e] != '\n' && data[e] != '\r')
		e++;
	return bl_value_new_str(a, data, e);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	/* keys->all: this namespace cannot enumerate its keys, so it answers only
	 * the keys named (keys->keys holds them either way). */
	for (size_t i = 0; i < keys->n; i++)
		bl_ob_add(&b, keys->keys[i], one_key(f, keys->keys[i]));
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_template = {
	.version = BL_PROVIDER_VERSION,
	.name = "template",
	.keyed = true,
	.summary = "example provider: the first line of the file each key names",
	.resolve = resolve,
};
