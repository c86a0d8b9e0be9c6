/*
 * azure_read.c - read Azure Policy files and folders into an import
 * (azure_policy.h): definitions, set definitions, lists of them; and the
 * in-memory import used when a policy file is given as a baseline.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc/load.h"
#include "import/azure_internal.h"

#define MAX_DIR_DEPTH 16


static int add_def(struct bl_az_import *imp, const struct bl_value *v, const struct bl_value *props,
		   const char *file, bool set)
{
	struct bl_az_def *d = bl_arena_calloc(&imp->arena, 1, sizeof(*d));
	if (!d)
		return BL_ENOMEM;
	d->doc = v;
	d->props = props;
	d->name = bl_az_strz(&imp->arena, v, "name");
	d->id = bl_az_strz(&imp->arena, v, "id");
	d->file = file;
	d->set = set;
	struct bl_az_def ***arr = set ? &imp->sets : &imp->defs;
	size_t *n = set ? &imp->nsets : &imp->ndefs, *cap = set ? &imp->capsets : &imp->capdefs;
	struct bl_az_def **p = bl_az_grow(&imp->arena, *arr, *n, cap, sizeof(*p));
	if (!p)
		return BL_ENOMEM;
	*arr = p;
	p[(*n)++] = d;
	return 0;
}

static int add_value(struct bl_az_import *imp, const struct bl_value *v, const char *file,
		     bool strict, int depth, struct bl_error *err)
{
	if (depth > 4)
		return bl_error_set(err, BL_EINVAL, file, v->line, v->col,
				    "nested too deeply for an Azure Policy document");
	if (v->type == BL_VARR) {
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			int rc = add_value(imp, &v->u.arr.items[i], file, strict, depth + 1, err);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (v->type == BL_VOBJ) {
		const struct bl_value *props = bl_value_getz(v, "properties");
		if (!props || props->type != BL_VOBJ)
			props = v;
		const struct bl_value *rule = bl_value_getz(props, "policyRule");
		const struct bl_value *members = bl_value_getz(props, "policyDefinitions");
		if (rule && rule->type == BL_VOBJ)
			return add_def(imp, v, props, file, false);
		if (members && members->type == BL_VARR)
			return add_def(imp, v, props, file, true);
		const struct bl_value *list = bl_value_getz(v, "value");
		if (list && list->type == BL_VARR)
			return add_value(imp, list, file, strict, depth + 1, err);
		if (rule || members)
			return bl_error_set(err, BL_EINVAL, file, (rule ? rule : members)->line,
					    (rule ? rule : members)->col,
					    "%s must be %s", rule ? "policyRule" : "policyDefinitions",
					    rule ? "an object" : "an array");
	}
	if (strict)
		return bl_error_set(err, BL_EINVAL, file, v->line ? v->line : 1, v->col ? v->col : 1,
				    "not an Azure Policy definition or policy set definition (no properties.policyRule or properties.policyDefinitions)");
	if (bl_az_note(imp, BL_AZ_INFO, NULL, file, v, "skipped: not a policy definition or set definition"))
		return BL_ENOMEM;
	return 0;
}

int bl_az_import_add_doc(struct bl_az_import *imp, const struct bl_value *doc, const char *file,
			 bool strict, struct bl_error *err)
{
	return add_value(imp, doc, file, strict, 0, err);
}

static int add_file(struct bl_az_import *imp, const char *path, bool strict, struct bl_error *err)
{
	const struct bl_value *doc;
	int rc = bl_doc_load(&doc, &imp->arena, path, err);
	if (rc)
		return rc;
	const char *file = doc && doc->file ? doc->file : bl_arena_strndup(&imp->arena, path, strlen(path));
	if (!file)
		return BL_ENOMEM;
	return add_value(imp, doc, file, strict, 0, err);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_dir(struct bl_az_import *imp, const char *path, int depth, struct bl_error *err)
{
	if (depth > MAX_DIR_DEPTH)
		return bl_error_set(err, BL_ELIMIT, path, 0, 0, "folders nested more than %d deep",
				    MAX_DIR_DEPTH);
	DIR *d = opendir(path);
	if (!d)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot open folder");
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char **p = bl_az_grow(&imp->arena, names, n, &cap, sizeof(*p));
		char *full = bl_arena_printf(&imp->arena, "%s/%s", path, e->d_name);
		if (!p || !full) {
			rc = BL_ENOMEM;
			break;
		}
		names = p;
		names[n++] = full;
	}
	closedir(d);
	if (rc)
		return rc;
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(names[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = add_dir(imp, names[i], depth + 1, err);
		else if (S_ISREG(st.st_mode)) {
			size_t len = strlen(names[i]);
			if (len > 5 && bl_str_ieq(names[i] + len - 5, 5, ".json", 5))
				rc = add_file(imp, names[i], false, err);
		}
	}
	return rc;
}

int bl_az_import_add_path(struct bl_az_import *imp, const char *path, struct bl_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return bl_error_set(err, BL_EIO, path, 0, 0, "cannot read: no such file or folder");
	if (S_ISDIR(st.st_mode))
		return add_dir(imp, path, 0, err);
	return add_file(imp, path, true, err);
}

/* ---- in-memory import (foreign documents) ------------------------------ */

static bool detect_one(const struct bl_value *v, int depth)
{
	if (depth > 2)
		return false;
	if (v->type == BL_VARR)
		return v->u.arr.n > 0 && detect_one(&v->u.arr.items[0], depth + 1);
	if (v->type != BL_VOBJ || bl_value_getz(v, "baseline"))
		return false;
	const struct bl_value *props = bl_value_getz(v, "properties");
	if (!props || props->type != BL_VOBJ)
		props = v;
	const struct bl_value *rule = bl_value_getz(props, "policyRule");
	const struct bl_value *members = bl_value_getz(props, "policyDefinitions");
	if ((rule && rule->type == BL_VOBJ) || (members && members->type == BL_VARR))
		return true;
	const struct bl_value *list = bl_value_getz(v, "value");
	return list && detect_one(list, depth + 1);
}

bool bl_az_detect(const struct bl_value *doc)
{
	return doc && detect_one(doc, 0);
}

int bl_az_import_doc(const struct bl_value **doc, struct bl_arena *a, const struct bl_value *src,
		     const char *path, struct bl_diags *diags)
{
	*doc = NULL;
	struct bl_az_import imp;
	bl_az_import_init(&imp);
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_buf buf;
	bl_buf_init(&buf, 0);
	int rc = bl_az_import_add_doc(&imp, src, path, true, &err);
	if (!rc)
		rc = bl_az_import_write(&imp, &buf, NULL, &err);
	if (!rc) {
		char *name = bl_arena_printf(a, "%s (imported from Azure Policy)", path);
		rc = name ? bl_doc_parse(doc, a, buf.data, buf.len, name, &err) : BL_ENOMEM;
	}
	if (rc) {
		if (!err.msg[0])
			bl_error_set(&err, rc, path, 0, 0, "out of memory");
		if (bl_diag_add_error(diags, &err) == BL_ENOMEM)
			rc = BL_ENOMEM;
	}
	bl_buf_free(&buf);
	bl_az_import_free(&imp);
	return rc;
}
