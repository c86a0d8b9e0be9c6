/*
 * packages_upgradable.c - the `packages_upgradable` namespace: packages with a newer version in the package lists on disk.
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the packages_upgradable provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_packages_upgradable = {
	.version = BL_PROVIDER_VERSION,
	.name = "packages_upgradable",
	.keyed = false,
	.summary = "packages with a newer version in the package lists on disk",
	.resolve = resolve,
};
