/*
 * dynlib.c - dlopen a library and fill a table of its functions (dynlib.h).
 */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <string.h>

int bl_dynlib_load(const char *soname, const struct bl_dynsym *syms, size_t n, void *table,
		   struct bl_error *err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "cannot load %s: %s", soname,
				    why ? why : "not found");
	}
	for (size_t i = 0; i < n; i++) {
		void *f = dlsym(h, syms[i].name);
		if (!f)
			return bl_error_set(err, BL_EINTERNAL, NULL, 0, 0, "%s has no %s", soname,
					    syms[i].name);
		/* POSIX: a dlsym result converts to a function pointer; copy the bytes
		 * so ISO C's object/function pointer distinction is not crossed */
		memcpy((char *)table + syms[i].offset, &f, sizeof(f));
	}
	return 0;
}
