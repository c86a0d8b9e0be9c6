/*
 * mounts.c - the `mounts` namespace: what is mounted now, from
 * /proc/self/mountinfo (live-only: BL_VNA under --root).
 *
 * mounts["/tmp"] = {exists, device, fstype, options[]}.  When several mounts
 * stack on one mount point the last line (the top of the stack) wins.
 * options = the per-mount options followed by the superblock options,
 * duplicates dropped, in order.  Octal escapes (\040 for a space) are
 * decoded.  A requested key's trailing '/' is ignored ("/tmp/" = "/tmp").
 * Not mounted: {exists: false}.  mountinfo unreadable: the namespace is an
 * error value.
 */
#include <string.h>

#include "facts/confparse.h"
#include "facts/facts.h"

#define MOUNTS_MAX 100000
#define MOUNTS_MAX_FIELDS 64

/* Split one mountinfo line.  False when it is malformed. */
struct minfo {
	struct bl_str point, opts, fstype, source, super;
};

static bool split_line(struct bl_str line, struct minfo *mi)
{
	struct bl_str w, rest = line;
	struct bl_str fields[6];
	for (int i = 0; i < 6; i++)
		if (!bl_cp_word(&rest, &fields[i]))
			return false;
	mi->point = fields[4];
	mi->opts = fields[5];
	/* Optional fields (shared:N, master:N) end at a lone "-". */
	for (int i = 0;; i++) {
		if (i > MOUNTS_MAX_FIELDS || !bl_cp_word(&rest, &w))
			return false;
		if (bl_cp_eq(w, "-"))
			break;
	}
	if (!bl_cp_word(&rest, &mi->fstype) || !bl_cp_word(&rest, &mi->source))
		return false;
	if (!bl_cp_word(&rest, &mi->super))
		mi->super = (struct bl_str){"", 0};
	return true;
}

/* The entry for one mountinfo line (or {exists:false} when line is NULL);
 * NULL on ENOMEM. */
static struct bl_value *entry(struct bl_facts *f, const struct bl_cp_kv *kv)
{
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	if (!kv) {
		bl_ob_bool(&b, "exists", false);
		return bl_ob_finish(&b);
	}
	struct minfo mi;
	split_line((struct bl_str){kv->val, kv->vlen}, &mi);
	size_t dl = 0, tl = 0;
	char *dev = bl_cp_unoctal(a, mi.source, &dl);
	char *type = bl_cp_unoctal(a, mi.fstype, &tl);
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	if (!dev || !type || bl_cp_add_opts(a, &ab, mi.opts) || bl_cp_add_opts(a, &ab, mi.super))
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

/* Key without trailing slashes (but "/" stays "/"). */
static size_t key_len(const char *k)
{
	size_t n = strlen(k);
	while (n > 1 && k[n - 1] == '/')
		n--;
	return n;
}

/* Failure: BL_ENOMEM only; everything else is a value. */
static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_arena *a = bl_facts_arena(f);
	if (!bl_facts_live(f)) {
		*out = bl_facts_na_live(f);
		return *out ? 0 : BL_ENOMEM;
	}
	char *data = NULL;
	size_t len = 0;
	const struct bl_value *errv = NULL;
	int rc = bl_cp_read(f, "/proc/self/mountinfo", &data, &len, &errv);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc == 1) {
		*out = bl_facts_error(f, "/proc/self/mountinfo: missing (is /proc mounted?)");
		return *out ? 0 : BL_ENOMEM;
	}
	if (rc) {
		*out = errv;
		return 0;
	}
	struct bl_cp_table t;
	bl_cp_table_init(&t, a, MOUNTS_MAX);
	struct bl_cp_lines it;
	struct bl_str line;
	bl_cp_lines_init(&it, data, len);
	while (bl_cp_line_next(&it, &line)) {
		struct minfo mi;
		if (!split_line(line, &mi))
			continue;
		size_t pl = 0;
		char *point = bl_cp_unoctal(a, mi.point, &pl);
		if (!point)
			return BL_ENOMEM;
		rc = bl_cp_table_set(&t, point, pl, line.s, line.len);
		if (rc == BL_ENOMEM)
			return rc;
		if (rc) {
			*out = bl_facts_error(f, "/proc/self/mountinfo: more than %d mount points", MOUNTS_MAX);
			return *out ? 0 : BL_ENOMEM;
		}
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
		long at = bl_cp_table_find(&t, key, key_len(key));
		struct bl_value *v = entry(f, at >= 0 ? &t.items[at] : NULL);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, key, v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_mounts = {
	.version = BL_PROVIDER_VERSION,
	.name = "mounts",
	.keyed = true,
	.summary = "live mounts from /proc/self/mountinfo: device, fstype, options",
	.resolve = resolve,
};
