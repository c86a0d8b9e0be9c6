/*
 * url.c - where the run store lives (FORMATS.md §7): --store URL, else
 * $BASELINE_STORE, else the per-user (or, for root, the system) data folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static int put(char *out, size_t size, struct bl_error *err, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s%s", a, b);
	if (n < 0 || (size_t)n >= size)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "store location too long");
	return 0;
}

/* Fails only with BL_EINVAL (no usable home folder, or too long). */
int bl_store_url(char *out, size_t size, const char *url, struct bl_error *err)
{
	if (url && *url)
		return put(out, size, err, url, "");
	const char *env = getenv("BASELINE_STORE");
	if (env && *env)
		return put(out, size, err, env, "");
	if (geteuid() == 0)
		return put(out, size, err, "/var/lib/baseline/baseline.db", "");
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/')
		return put(out, size, err, xdg, "/baseline/baseline.db");
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return put(out, size, err, home, "/.local/share/baseline/baseline.db");
	return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
			    "no store location: set HOME, XDG_DATA_HOME or BASELINE_STORE, "
			    "or give --store URL (or --no-store)");
}

int bl_store_url_parse(const char *url, const char **kind, char *out, size_t size,
		       struct bl_error *err)
{
	if (!url || !*url)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "empty store URL");
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		*kind = "postgresql";
		return put(out, size, err, url, "");
	}
	const char *path = url;
	if (strncmp(url, "sqlite:", 7) == 0) {
		path = url + 7;
		/* sqlite:///abs/path is accepted too */
		if (strncmp(path, "//", 2) == 0)
			path += 2;
	} else {
		const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
		if (colon && colon != url && (!slash || colon < slash) && strncmp(colon, "://", 3) == 0)
			return bl_error_set(err, BL_EINVAL, NULL, 0, 0,
					    "unknown store URL scheme in '%s' (a path, sqlite:PATH or "
					    "postgresql://...)", url);
	}
	if (!*path)
		return bl_error_set(err, BL_EINVAL, NULL, 0, 0, "store URL '%s' has no path", url);
	*kind = "sqlite";
	return put(out, size, err, path, "");
}
