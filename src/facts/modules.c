/*
 * modules.c - the `modules` namespace: kernel modules: loaded (live), disabled and blacklisted in modprobe.d.
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the modules provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_modules = {
	.version = BL_PROVIDER_VERSION,
	.name = "modules",
	.keyed = true,
	.summary = "kernel modules: loaded (live), disabled and blacklisted in modprobe.d",
	.resolve = resolve,
};
