/*
 * sysctl_conf.c - the `sysctl_conf` namespace: persisted kernel parameters from sysctl.d, in systemd-sysctl order.
 * (Placeholder until its provider lands: every read yields an error value,
 * so no rule can pass on it.)
 */
#include "facts/facts.h"

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	*out = bl_facts_error(f, "the sysctl_conf provider is not implemented yet");
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_sysctl_conf = {
	.version = BL_PROVIDER_VERSION,
	.name = "sysctl_conf",
	.keyed = true,
	.summary = "persisted kernel parameters from sysctl.d, in systemd-sysctl order",
	.resolve = resolve,
};
