/*
 * login_defs.c - the `login_defs` namespace: /etc/login.defs as shadow's
 * getdef() reads it (KEY VALUE lines, '#' comments, the last definition of a
 * key wins, surrounding double quotes dropped).
 *
 * /etc/login.defs is optional: when it is missing the namespace is
 * {"exists": false}.  Decimal integers become JSON numbers, except those
 * with a leading zero (UMASK 022, HOME_MODE 0700): login.defs reads them as
 * octal, so they stay text and keep their meaning.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define LOGIN_DEFS_MAX_KEYS 4096

/* Parse text into t.  Returns 0, BL_ENOMEM or BL_ELIMIT (too many keys). */
static int parse(struct bl_cp_table *t, const char *data, size_t len)
{
	struct bl_cp_lines it;
	struct bl_str line;
	bl_cp_lines_init(&it, data, len);
	while (bl_cp_line_next(&it, &line)) {
		struct bl_str rest = line, key;
		if (!bl_cp_word(&rest, &key) || key.s[0] == '#')
			continue;
		struct bl_str val = bl_cp_trim(rest);
		if (val.len >= 2 && val.s[0] == '"' && val.s[val.len - 1] == '"') {
			val.s++;
			val.len -= 2;
		}
		int rc = bl_cp_table_set(t, key.s, key.len, val.s, val.len);
		if (rc)
			return rc;
	}
	return 0;
}

/* A value as a number when it is a plain decimal integer without a leading
 * zero, else as text. */
static void add_value(struct bl_obj_builder *b, const char *key, const char *v, size_t vlen)
{
	int64_t n;
	struct bl_str s = {v, vlen};
	bool leading_zero = vlen > 1 && v[0] == '0';
	bool neg_leading_zero = vlen > 2 && v[0] == '-' && v[1] == '0';
	if (!leading_zero && !neg_leading_zero && bl_cp_int(s, &n))
		bl_ob_int(b, key, n);
	else
		bl_ob_str(b, key, v, vlen);
}

/* Errors other than ENOMEM become the namespace's error value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	(void)keys;
	struct bl_arena *a = bl_facts_arena(f);
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(f, "/etc/login.defs", &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == BL_EIO) {
		*out = errv;
		return 0;
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (rc == 1) {
		bl_ob_bool(&b, "exists", false);
		*out = bl_ob_finish(&b);
		return *out ? 0 : BL_ENOMEM;
	}
	struct bl_cp_table t;
	bl_cp_table_init(&t, a, LOGIN_DEFS_MAX_KEYS);
	rc = parse(&t, data, len);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		*out = bl_facts_error(f, "/etc/login.defs: more than %d keys", LOGIN_DEFS_MAX_KEYS);
		return *out ? 0 : BL_ENOMEM;
	}
	bl_ob_bool(&b, "exists", true);
	for (size_t i = 0; i < t.n; i++) {
		char *k = bl_arena_strndup(a, t.items[i].key, t.items[i].klen);
		if (!k)
			return BL_ENOMEM;
		if (strcmp(k, "exists") == 0)
			continue;
		add_value(&b, k, t.items[i].val, t.items[i].vlen);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_login_defs = {
	.version = BL_PROVIDER_VERSION,
	.name = "login_defs",
	.keyed = false,
	.summary = "/etc/login.defs settings (last definition wins; integers as numbers)",
	.resolve = resolve,
};
