/*
 * files.c - the `files` namespace: every path matching a glob, as file objects.
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the files provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_files = {
	.version = BL_PROVIDER_VERSION,
	.name = "files",
	.keyed = true,
	.summary = "every path matching a glob, as file objects",
	.resolve = resolve,
};
