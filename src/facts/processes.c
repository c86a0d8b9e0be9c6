/*
 * processes.c - the `processes` namespace: running processes (live only).
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the processes provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_processes = {
	.version = BL_PROVIDER_VERSION,
	.name = "processes",
	.keyed = false,
	.summary = "running processes (live only)",
	.resolve = resolve,
};
