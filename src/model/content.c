/*
 * content.c - find shipped content in the embedded table (see content.h).
 */
#include "model/content.h"

#include <string.h>

#define BASELINES_DIR "baselines/"

const struct bl_content_file *bl_content_find(const char *name, size_t len)
{
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
	}
	return NULL;
}

bool bl_content_is_builtin(const char *ref)
{
	return ref && strncmp(ref, BL_BUILTIN_PREFIX, strlen(BL_BUILTIN_PREFIX)) == 0;
}

static const struct bl_content_file *find_with(const char *name, size_t len, const char *ext)
{
	char path[256];
	size_t dl = strlen(BASELINES_DIR), el = strlen(ext);
	if (dl + len + el >= sizeof(path))
		return NULL;
	memcpy(path, BASELINES_DIR, dl);
	memcpy(path + dl, name, len);
	memcpy(path + dl + len, ext, el);
	return bl_content_find(path, dl + len + el);
}

const struct bl_content_file *bl_content_baseline(const char *ref)
{
	if (!ref)
		return NULL;
	const char *name = bl_content_is_builtin(ref) ? ref + strlen(BL_BUILTIN_PREFIX) : ref;
	size_t len = strlen(name);
	if (len == 0 || memchr(name, '/', len))
		return NULL;
	const struct bl_content_file *f = find_with(name, len, ".yaml");
	return f ? f : find_with(name, len, ".json");
}

/* If f is baselines/NAME.yaml or .json (NAME without '/'), NAME's length. */
static size_t baseline_name(const struct bl_content_file *f)
{
	size_t dl = strlen(BASELINES_DIR), n = strlen(f->name);
	if (n <= dl || strncmp(f->name, BASELINES_DIR, dl) != 0)
		return 0;
	const char *name = f->name + dl;
	size_t len = n - dl;
	if (len > 5 && (strcmp(name + len - 5, ".yaml") == 0 || strcmp(name + len - 5, ".json") == 0))
		len -= 5;
	else
		return 0;
	if (memchr(name, '/', len))
		return 0;
	return len;
}

size_t bl_content_list_baselines(bl_content_name_cb cb, void *ctx)
{
	size_t count = 0;
	const char *last = NULL;
	size_t lastlen = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		size_t len = baseline_name(f);
		if (!len)
			continue;
		const char *name = f->name + strlen(BASELINES_DIR);
		/* The table is sorted, so NAME.json and NAME.yaml are neighbours. */
		if (last && lastlen == len && memcmp(last, name, len) == 0)
			continue;
		last = name;
		lastlen = len;
		count++;
		if (cb)
			cb(ctx, name, len);
	}
	return count;
}

const char *bl_content_tree_sha256(const struct bl_value *doc)
{
	for (size_t i = 0; doc && i < bl_content_nfiles; i++)
		if (bl_content_files[i].tree == doc)
			return bl_content_files[i].sha256;
	return NULL;
}
