/*
 * sshd.c - the `sshd` namespace: effective OpenSSH server configuration (includes, defaults, first value wins).
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the sshd provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_sshd = {
	.version = BL_PROVIDER_VERSION,
	.name = "sshd",
	.keyed = false,
	.summary = "effective OpenSSH server configuration (includes, defaults, first value wins)",
	.resolve = resolve,
};
