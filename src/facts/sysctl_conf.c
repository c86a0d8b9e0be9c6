/*
 * sysctl_conf.c - the `sysctl_conf` namespace: kernel parameters as the
 * files persist them, read in systemd-sysctl's order.
 *
 * Sources (all optional): *.conf in /etc/sysctl.d, /run/sysctl.d,
 * /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d (a name in an
 * earlier directory masks the same name later; the survivors are applied in
 * file-name order), then /etc/sysctl.conf.  The last assignment wins.  Keys
 * are normalized: blanks trimmed, a leading '-' (ignore errors) dropped,
 * '/' turned into '.'.  A requested key is normalized the same way and must
 * then match exactly.  A key never set is absent.  A file that cannot be
 * read makes the whole namespace an error value (it could set any key).
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define SYSCTL_CONF_MAX_FILES 1024
#define SYSCTL_CONF_MAX_KEYS 20000

static const char *const dirs[] = {
	"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
	"/lib/sysctl.d",
};

/* Normalized copy of a key into arena a; NULL on ENOMEM. */
static char *norm_key(struct bl_arena *a, struct bl_str k, size_t *outlen)
{
	k = bl_cp_trim(k);
	if (k.len > 0 && k.s[0] == '-') {
		k.s++;
		k.len--;
		k = bl_cp_trim(k);
	}
	char *s = bl_arena_strndup(a, k.s, k.len);
	if (!s)
		return NULL;
	for (size_t i = 0; i < k.len; i++)
		if (s[i] == '/')
			s[i] = '.';
	*outlen = k.len;
	return s;
}

/* Apply one file's assignments.  Returns 0, BL_ENOMEM or BL_ELIMIT. */
static int parse(struct bl_cp_table *t, struct bl_arena *a, const char *data, size_t len)
{
	struct bl_cp_lines it;
	struct bl_str line;
	bl_cp_lines_init(&it, data, len);
	while (bl_cp_line_next(&it, &line)) {
		line = bl_cp_trim(line);
		if (line.len == 0 || line.s[0] == '#' || line.s[0] == ';')
			continue;
		const char *eq = memchr(line.s, '=', line.len);
		if (!eq)
			continue;   /* systemd-sysctl warns and ignores such lines */
		size_t klen = 0;
		char *key = norm_key(a, (struct bl_str){line.s, (size_t)(eq - line.s)}, &klen);
		if (!key)
			return BL_ENOMEM;
		if (klen == 0)
			continue;
		struct bl_str val = bl_cp_trim((struct bl_str){eq + 1, (size_t)(line.s + line.len - eq - 1)});
		int rc = bl_cp_table_set(t, key, klen, val.s, val.len);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Load every file into t.  Returns 0 or BL_ENOMEM; a read failure sets
 * *errv (the namespace's error value) and returns 0.
 */
static int load(struct bl_facts *f, struct bl_cp_table *t, const struct bl_value **errv)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_error e;
	char **paths = NULL;
	size_t n = 0;
	*errv = NULL;
	bl_error_clear(&e);
	int rc = bl_cp_dropins(bl_facts_sys(f), a, dirs, sizeof(dirs) / sizeof(dirs[0]), ".conf",
			       SYSCTL_CONF_MAX_FILES, &paths, &n, &e);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		*errv = bl_facts_error(f, "%s", e.msg);
		return *errv ? 0 : BL_ENOMEM;
	}
	for (size_t i = 0; i <= n; i++) {
		const char *path = i < n ? paths[i] : "/etc/sysctl.conf";
		char *data = NULL;
		size_t len = 0;
		rc = bl_cp_read(f, path, &data, &len, errv);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc == BL_EIO)
			return 0;
		if (rc == 1)
			continue;
		rc = parse(t, a, data, len);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc) {
			*errv = bl_facts_error(f, "sysctl.d: more than %d keys", SYSCTL_CONF_MAX_KEYS);
			return *errv ? 0 : BL_ENOMEM;
		}
	}
	return 0;
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_cp_table t;
	const struct bl_value *errv = NULL;
	bl_cp_table_init(&t, a, SYSCTL_CONF_MAX_KEYS);
	int rc = load(f, &t, &errv);
	if (rc)
		return rc;
	if (errv) {
		*out = errv;
		return 0;
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all) {
		for (size_t i = 0; i < t.n; i++) {
			char *k = bl_arena_strndup(a, t.items[i].key, t.items[i].klen);
			if (!k)
				return BL_ENOMEM;
			bl_ob_str(&b, k, t.items[i].val, t.items[i].vlen);
		}
	}
	for (size_t i = 0; i < keys->n; i++) {
		const char *key = keys->keys[i];
		if (bl_cp_ob_has(&b, key))
			continue;
		size_t klen = 0;
		char *nk = norm_key(a, (struct bl_str){key, strlen(key)}, &klen);
		if (!nk)
			return BL_ENOMEM;
		long at = bl_cp_table_find(&t, nk, klen);
		if (at >= 0)
			bl_ob_str(&b, key, t.items[at].val, t.items[at].vlen);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_sysctl_conf = {
	.version = BL_PROVIDER_VERSION,
	.name = "sysctl_conf",
	.keyed = true,
	.summary = "persisted kernel parameters (sysctl.d and sysctl.conf, last assignment wins)",
	.resolve = resolve,
};
