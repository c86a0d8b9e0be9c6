/*
 * files.c - the `files` namespace: files["GLOB"] (say, every file in
 * /etc/cron.d) is the sorted array of file objects (file.c) for every path the glob matches inside the
 * root ('*', '?', '[...]' per component; a leading dot is matched only
 * explicitly).  No match is an empty array.  More than FILES_MAX matches, a
 * directory on the way that cannot be read, or a pattern that is not an
 * absolute path makes the key an error value: a partial list could let a
 * rule over "every match" pass on the files it did not see.
 */
#include <string.h>

#include "facts/facts.h"
#include "facts/fileobj.h"

#define FILES_MAX 1000u

/* The array for one pattern (file objects without the members in omit), or
 * an error value; NULL on ENOMEM. */
static const struct bl_value *one_glob(struct bl_facts *f, const char *pattern, unsigned omit)
{
	struct bl_arena *a = bl_facts_arena(f);
	if (pattern[0] != '/')
		return bl_facts_error(f, "%s: not an absolute path", pattern);
	char **paths;
	size_t n, unreadable;
	struct bl_error err;
	int rc = bl_sys_glob(bl_facts_sys(f), pattern, a, &paths, &n, &unreadable, &err);
	if (rc == BL_ENOMEM)
		return NULL;
	if (rc != 0)
		return bl_facts_error(f, "%s", err.msg);
	if (unreadable)
		return bl_facts_error(f, "%s: %zu director%s on the way could not be read", pattern,
				      unreadable, unreadable == 1 ? "y" : "ies");
	if (n > FILES_MAX)
		return bl_facts_error(f, "%s: more than %u matches", pattern, FILES_MAX);
	struct bl_arr_builder b;
	bl_ab_init(&b, a);
	for (size_t i = 0; i < n; i++)
		bl_ab_add(&b, bl_facts_file_object_omit(f, paths[i], true, omit));
	return bl_ab_finish(&b);
}

static int resolve(struct bl_facts *f, const struct bl_fact_keys *keys, const struct bl_value **out)
{
	/* Patterns cannot be enumerated: keys->all answers only the keys named. */
	struct bl_obj_builder b;
	bl_ob_init(&b, bl_facts_arena(f));
	for (size_t i = 0; i < keys->n; i++)
		bl_ob_add(&b, keys->keys[i], one_glob(f, keys->keys[i], keys->omit ? keys->omit[i] : 0));
	*out = bl_ob_finish(&b);
	return *out ? 0 : BL_ENOMEM;
}

const struct bl_provider bl_provider_files = {
	.version = BL_PROVIDER_VERSION,
	.name = "files",
	.keyed = true,
	.summary = "the file objects of every path a glob matches, sorted",
	.resolve = resolve,
};
