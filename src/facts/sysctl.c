/*
 * sysctl.c - the `sysctl` namespace: live kernel parameters from /proc/sys.
 *
 * sysctl["net.ipv4.ip_forward"] is the text of /proc/sys/net/ipv4/ip_forward
 * as `sysctl` prints it: trimmed, blanks between fields squeezed to one
 * space.  A key that has no file is absent (the member is left out); a file
 * that cannot be read is an error value for that key only.  Live-only: under
 * --root every key is BL_VNA.  A key containing '/' is taken as a path with
 * '/' separators (its dots are literal, like `sysctl net/ipv4/conf/eth0.1/rp_filter`).
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define SYSCTL_MAX_KEYS 20000   /* enumeration cap for sysctl[*] */
#define SYSCTL_MAX_DEPTH 12

/*
 * The /proc/sys path for key, or NULL with *bad set when the key is not a
 * valid name (empty, ".." components, a leading separator): such a key
 * could name a file outside /proc/sys.  NULL with *bad false: ENOMEM.
 */
static char *key_path(struct bl_arena *a, const char *key, size_t klen, bool *bad)
{
	*bad = false;
	bool slashes = memchr(key, '/', klen) != NULL;
	char sep = slashes ? '/' : '.';
	if (klen == 0 || klen > 1024 || memchr(key, '\0', klen)) {
		*bad = true;
		return NULL;
	}
	size_t start = 0;
	for (size_t i = 0; i <= klen; i++) {
		if (i < klen && key[i] != sep)
			continue;
		size_t cl = i - start;
		if (cl == 0 || (cl == 1 && key[start] == '.') ||
		    (cl == 2 && key[start] == '.' && key[start + 1] == '.')) {
			*bad = true;
			return NULL;
		}
		start = i + 1;
	}
	char *p = bl_arena_printf(a, "/proc/sys/%.*s", (int)klen, key);
	if (p && !slashes)
		for (char *q = p + strlen("/proc/sys/"); *q; q++)
			if (*q == '.')
				*q = '/';
	return p;
}

/*
 * Value of one key into *v, or *v = NULL when the key does not exist.
 * Returns 0 or BL_ENOMEM; unreadable files become an error value.
 */
static int read_key(struct bl_facts *f, const char *path, const struct bl_value **v)
{
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	*v = NULL;
	int rc = bl_cp_read(f, path, &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == 1)
		return 0;
	if (rc == BL_EIO) {
		*v = errv;
		return 0;
	}
	size_t vlen = 0;
	char *text = bl_cp_squeeze(bl_facts_arena(f), (struct bl_str){data, len}, &vlen);
	if (!text)
		return BL_ENOMEM;
	*v = bl_value_new_str(bl_facts_arena(f), text, vlen);
	return *v ? 0 : BL_ENOMEM;
}

/* Walk /proc/sys below dir (a path, with prefix its dotted key), adding
 * readable parameters.  Returns 0, BL_ENOMEM or BL_ELIMIT. */
static int walk(struct bl_facts *f, struct bl_obj_builder *b, const char *dir, const char *prefix,
		int depth, size_t *count)
{
	struct bl_arena *a = bl_facts_arena(f);
	char **names = NULL;
	size_t n = 0;
	bool missing = false;
	struct bl_error e;
	if (depth > SYSCTL_MAX_DEPTH)
		return 0;
	int rc = bl_sys_list(bl_facts_sys(f), dir, a, &names, &n, &missing, &e);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc != 0)
		return 0;   /* an unreadable directory: `sysctl -a` skips it too */
	for (size_t i = 0; i < n; i++) {
		char *path = bl_arena_printf(a, "%s/%s", dir, names[i]);
		char *key = prefix[0] ? bl_arena_printf(a, "%s.%s", prefix, names[i])
				      : bl_arena_strndup(a, names[i], strlen(names[i]));
		if (!path || !key)
			return BL_ENOMEM;
		struct bl_sys_stat st;
		rc = bl_sys_stat(bl_facts_sys(f), path, false, &st, &e);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc != 0 || !st.exists)
			continue;
		if (strcmp(st.type, "dir") == 0) {
			rc = walk(f, b, path, key, depth + 1, count);
			if (rc)
				return rc;
			continue;
		}
		/* Write-only parameters (vm.compact_memory) have no value to show. */
		if (strcmp(st.type, "file") != 0 || (st.mode & 0444u) == 0)
			continue;
		if (++*count > SYSCTL_MAX_KEYS)
			return BL_ELIMIT;
		const struct bl_value *v = NULL;
		rc = read_key(f, path, &v);
		if (rc)
			return rc;
		if (v)
			bl_ob_add(b, key, v);
	}
	return 0;
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all) {
		if (!bl_facts_live(f)) {
			*out = bl_facts_na_live(f);
			return *out ? 0 : BL_ENOMEM;
		}
		size_t count = 0;
		int rc = walk(f, &b, "/proc/sys", "", 0, &count);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc == BL_ELIMIT) {
			*out = bl_facts_error(f, "/proc/sys: more than %d parameters", SYSCTL_MAX_KEYS);
			return *out ? 0 : BL_ENOMEM;
		}
	}
	for (size_t i = 0; i < keys->n; i++) {
		const char *key = keys->keys[i];
		const struct bl_value *v = NULL;
		if (bl_cp_ob_has(&b, key))
			continue;
		if (!bl_facts_live(f)) {
			v = bl_facts_na_live(f);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(&b, key, v);
			continue;
		}
		bool bad = false;
		char *path = key_path(a, key, strlen(key), &bad);
		if (bad) {
			v = bl_facts_error(f, "sysctl: invalid parameter name \"%s\"", key);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(&b, key, v);
			continue;
		}
		if (!path)
			return BL_ENOMEM;
		int rc = read_key(f, path, &v);
		if (rc)
			return rc;
		if (v)
			bl_ob_add(&b, key, v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_sysctl = {
	.version = BL_PROVIDER_VERSION,
	.name = "sysctl",
	.keyed = true,
	.summary = "live kernel parameters from /proc/sys (text as sysctl prints it)",
	.resolve = resolve,
};
