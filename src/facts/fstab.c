/*
 * fstab.c - the `fstab` namespace: the persisted mount table /etc/fstab.
 *
 * fstab["/tmp"] = {exists, device, fstype, options[]}.  Lines: '#'
 * comments and blank lines skipped; fields separated by blanks; octal
 * escapes (\040) decoded; a line with fewer than two fields is ignored
 * (mount(8) rejects it); a missing fstype is "auto" and missing options
 * are "defaults", as mount(8) assumes.  When a mount point appears twice
 * the last line wins (it would be mounted on top).  A requested key's
 * trailing '/' is ignored.  /etc/fstab is optional: missing means every
 * key is {exists: false}; unreadable makes the namespace an error value.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define FSTAB_MAX 100000

struct fsline {
	struct bl_str spec, file, type, opts;
};

/* Split one line; false for comments, blank and malformed lines. */
static bool split_line(struct bl_str line, struct fsline *fl)
{
	struct bl_str rest = line;
	if (!bl_cp_word(&rest, &fl->spec) || fl->spec.s[0] == '#')
		return false;
	if (!bl_cp_word(&rest, &fl->file))
		return false;
	if (!bl_cp_word(&rest, &fl->type))
		fl->type = (struct bl_str){"auto", 4};
	if (!bl_cp_word(&rest, &fl->opts))
		fl->opts = (struct bl_str){"defaults", 8};
	return true;
}

/* The entry for one line (or {exists:false}); NULL on ENOMEM. */
static struct bl_value *entry(struct bl_facts *f, const struct bl_cp_kv *kv)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (!kv) {
		bl_ob_bool(&b, "exists", false);
		return bl_ob_finish(&b);
	}
	struct fsline fl;
	split_line((struct bl_str){kv->val, kv->vlen}, &fl);
	size_t dl = 0, tl = 0;
	char *dev = bl_cp_unoctal(a, fl.spec, &dl);
	char *type = bl_cp_unoctal(a, fl.type, &tl);
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	if (!dev || !type || bl_cp_add_opts(a, &ab, fl.opts))
		return NULL;
	struct bl_value *opts = bl_ab_finish(&ab);
	if (!opts)
		return NULL;
	bl_ob_bool(&b, "exists", true);
	bl_ob_str(&b, "device", dev, dl);
	bl_ob_str(&b, "fstype", type, tl);
	bl_ob_add(&b, "options", opts);
	return bl_ob_finish(&b);
}

/* Mount point without trailing slashes ("/" stays "/"). */
static size_t point_len(const char *k, size_t n)
{
	while (n > 1 && k[n - 1] == '/')
		n--;
	return n;
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(f, "/etc/fstab", &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == BL_EIO) {
		*out = errv;
		return 0;
	}
	struct bl_cp_table t;
	bl_cp_table_init(&t, a, FSTAB_MAX);
	struct bl_cp_lines it;
	struct bl_str line;
	bl_cp_lines_init(&it, rc == 1 ? NULL : data, rc == 1 ? 0 : len);
	while (bl_cp_line_next(&it, &line)) {
		struct fsline fl;
		if (!split_line(line, &fl))
			continue;
		size_t pl = 0;
		char *point = bl_cp_unoctal(a, fl.file, &pl);
		if (!point)
			return BL_ENOMEM;
		rc = bl_cp_table_set(&t, point, point_len(point, pl), line.s, line.len);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc) {
			*out = bl_facts_error(f, "/etc/fstab: more than %d entries", FSTAB_MAX);
			return *out ? 0 : BL_ENOMEM;
		}
		point[point_len(point, pl)] = '\0';
	}
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (keys->all) {
		for (size_t i = 0; i < t.n; i++) {
			struct bl_value *v = entry(f, &t.items[i]);
			if (!v)
				return BL_ENOMEM;
			bl_ob_add(&b, t.items[i].key, v);
		}
	}
	for (size_t i = 0; i < keys->n; i++) {
		const char *key = keys->keys[i];
		if (bl_cp_ob_has(&b, key))
			continue;
		long at = bl_cp_table_find(&t, key, point_len(key, strlen(key)));
		struct bl_value *v = entry(f, at >= 0 ? &t.items[at] : NULL);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, key, v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_fstab = {
	.version = BL_PROVIDER_VERSION,
	.name = "fstab",
	.keyed = true,
	.summary = "persisted mounts from /etc/fstab: device, fstype, options",
	.resolve = resolve,
};
