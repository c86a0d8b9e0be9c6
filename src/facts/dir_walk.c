/*
 * dir_walk.c - the `dir_walk` namespace: dir_walk["/DIR"] = {exists, files[]}
 * where files is every regular file below DIR, recursively (sorted, depth
 * first), each a file object (file.c) with `path` and one more member,
 * `name` (the last path component).  For Wazuh SCA `d:` rules
 * (docs/wazuh-sca.md).
 *
 * Symbolic links are skipped, never followed (Wazuh's walk skips them too),
 * except DIR itself, which is resolved inside the root like every path.  A
 * missing DIR (or one that is not a directory) is {exists: false, files: []}.
 * A directory below that cannot be listed, more than DIR_WALK_MAX files or
 * deeper than DIR_WALK_DEPTH levels make the key an error value: a partial
 * list could let a "no file matches" rule pass on files it did not see.
 */
#include <stdio.h>
#include <string.h>

#include "facts/facts.h"
#include "facts/fileobj.h"

#define DIR_WALK_MAX 10000u
#define DIR_WALK_DEPTH 32

struct walk {
	struct bl_facts *f;
	struct bl_arr_builder files;
	size_t n;
	const char *err;      /* first problem, in the facts arena */
};

/* A file object with a `name` member after `path`; NULL on ENOMEM. */
static const struct bl_value *with_name(struct bl_facts *f, const char *path)
{
	const struct bl_value *fo = bl_facts_file_object(f, path, true);
	if (!fo || fo->type != BL_VOBJ)
		return fo;
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	const char *slash = strrchr(path, '/');
	for (uint32_t i = 0; i < fo->u.obj.n; i++) {
		bl_ob_add(&b, fo->u.obj.items[i].key, &fo->u.obj.items[i].val);
		if (i == 0)
			bl_ob_strz(&b, "name", slash ? slash + 1 : path);
	}
	return bl_ob_finish(&b);
}

/* 0 or BL_ENOMEM; problems go to w->err. */
static int walk_dir(struct walk *w, const char *dir, int depth)
{
	struct bl_arena *a = bl_facts_arena(w->f);
	if (depth > DIR_WALK_DEPTH) {
		w->err = bl_arena_printf(a, "%s: more than %d directory levels", dir, DIR_WALK_DEPTH);
		return w->err ? 0 : BL_ENOMEM;
	}
	char **names;
	size_t n;
	bool missing;
	struct bl_error err;
	int rc = bl_sys_list(bl_facts_sys(w->f), dir, a, &names, &n, &missing, &err);
	if (rc == BL_ENOMEM)
		return rc;
	if (rc) {
		w->err = bl_arena_printf(a, "%s", err.msg);
		return w->err ? 0 : BL_ENOMEM;
	}
	for (size_t i = 0; i < n && !w->err; i++) {
		const char *path = bl_arena_printf(a, "%s%s%s", dir,
						   dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (!path)
			return BL_ENOMEM;
		struct bl_sys_stat st;
		if (bl_sys_stat(bl_facts_sys(w->f), path, false, &st, &err) != 0) {
			w->err = bl_arena_printf(a, "%s", err.msg);
			return w->err ? 0 : BL_ENOMEM;
		}
		if (!st.exists || strcmp(st.type, "link") == 0)
			continue;
		if (strcmp(st.type, "dir") == 0) {
			if ((rc = walk_dir(w, path, depth + 1)))
				return rc;
		} else if (strcmp(st.type, "file") == 0) {
			if (++w->n > DIR_WALK_MAX) {
				w->err = bl_arena_printf(a, "more than %u files", DIR_WALK_MAX);
				return w->err ? 0 : BL_ENOMEM;
			}
			const struct bl_value *fo = with_name(w->f, path);
			if (!fo)
				return BL_ENOMEM;
			bl_ab_add(&w->files, fo);
		}
	}
	return 0;
}

/* The value for one directory, or an error value; NULL on ENOMEM. */
static const struct bl_value *one_dir(struct bl_facts *f, const char *dir)
{
	struct bl_arena *a = bl_facts_arena(f);
	if (dir[0] != '/')
		return bl_facts_error(f, "%s: not an absolute path", dir);
	struct bl_sys_stat st;
	struct bl_error err;
	if (bl_sys_stat(bl_facts_sys(f), dir, true, &st, &err) != 0)
		return bl_facts_error(f, "%s", err.msg);
	struct walk w = {.f = f};
	bl_ab_init(&w.files, a);
	bool isdir = st.exists && strcmp(st.type, "dir") == 0;
	if (isdir && walk_dir(&w, dir, 0) != 0)
		return NULL;
	if (w.err)
		return bl_facts_error(f, "%s: %s", dir, w.err);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	bl_ob_bool(&b, "exists", isdir);
	bl_ob_add(&b, "files", bl_ab_finish(&w.files));
	return bl_ob_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	for (size_t i = 0; i < keys->n; i++) {
		const struct bl_value *v = one_dir(f, keys->keys[i]);
		if (!v)
			return BL_ENOMEM;
		bl_ob_add(&b, keys->keys[i], v);
	}
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_dir_walk = {
	.version = BL_PROVIDER_VERSION,
	.name = "dir_walk",
	.keyed = true,
	.summary = "every regular file below a directory, recursively, symlinks skipped",
	.resolve = resolve,
};
