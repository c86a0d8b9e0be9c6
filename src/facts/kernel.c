/*
 * kernel.c - the `kernel` namespace: the running kernel's command line and
 * lockdown mode (live-only: the whole namespace is BL_VNA under --root).
 *
 * kernel = {cmdline, args[], lockdown}: cmdline is /proc/cmdline trimmed;
 * args splits it on blanks outside double quotes (the kernel's own rule, so
 * foo="a b" stays one argument); lockdown is the [selected] word of
 * /sys/kernel/security/lockdown, or null when that file does not exist
 * (securityfs not mounted or no lockdown LSM).  A file that cannot be read
 * makes its fields error values.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define KERNEL_MAX_ARGS 4096

/* args[] for a command line; NULL on ENOMEM. */
static struct bl_value *split_args(struct bl_arena *a, struct bl_str s)
{
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	size_t i = 0;
	for (uint32_t count = 0; count < KERNEL_MAX_ARGS; count++) {
		while (i < s.len && bl_cp_isspace(s.s[i]))
			i++;
		if (i == s.len)
			break;
		size_t start = i;
		bool quoted = false;
		while (i < s.len && (quoted || !bl_cp_isspace(s.s[i]))) {
			if (s.s[i] == '"')
				quoted = !quoted;
			i++;
		}
		struct bl_value *v = bl_value_new_str(a, s.s + start, i - start);
		if (!v)
			return NULL;
		bl_ab_add(&ab, v);
	}
	return bl_ab_finish(&ab);
}

/* The bracketed word of "none [integrity] confidentiality"; a file without
 * brackets (never seen) yields its trimmed text. */
static struct bl_str selected(struct bl_str s)
{
	const char *open = memchr(s.s, '[', s.len);
	if (!open)
		return bl_cp_trim(s);
	const char *close = memchr(open, ']', (size_t)(s.s + s.len - open));
	if (!close)
		return bl_cp_trim(s);
	return (struct bl_str){open + 1, (size_t)(close - open - 1)};
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	if (!bl_facts_live(f)) {
		*out = bl_facts_na_live(f);
		return *out ? 0 : BL_ENOMEM;
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(f, "/proc/cmdline", &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == 0) {
		struct bl_str cl = bl_cp_trim((struct bl_str){data, len});
		struct bl_value *args = split_args(a, cl);
		if (!args)
			return BL_ENOMEM;
		bl_ob_str(&b, "cmdline", cl.s, cl.len);
		bl_ob_add(&b, "args", args);
	} else {
		if (rc == 1)
			errv = bl_facts_error(f, "/proc/cmdline: missing (is /proc mounted?)");
		if (!errv)
			return BL_ENOMEM;
		bl_ob_add(&b, "cmdline", errv);
		bl_ob_add(&b, "args", errv);
	}
	rc = bl_cp_read(f, "/sys/kernel/security/lockdown", &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == 0) {
		struct bl_str m = selected((struct bl_str){data, len});
		bl_ob_str(&b, "lockdown", m.s, m.len);
	} else if (rc == 1) {
		bl_ob_strz(&b, "lockdown", NULL);
	} else {
		bl_ob_add(&b, "lockdown", errv);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_kernel = {
	.version = BL_PROVIDER_VERSION,
	.name = "kernel",
	.keyed = false,
	.summary = "running kernel: command line, arguments, lockdown mode",
	.resolve = resolve,
};
