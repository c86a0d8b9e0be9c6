/* Unit tests for util/dynlib.c and its loaders: a table is filled from a
 * library, a missing library or symbol is an error naming it, and each
 * loader of util/yaml_api.h and util/compress_api.h, when its library is
 * missing, says which package to install (the same answer every call). */
#include "testutil.h"

#include "nolib.h"

#include "util/compress_api.h"
#include "util/dynlib.h"
#include "util/yaml_api.h"

struct libc_api {
	size_t (*strlen)(const char *s);
	int (*abs)(int n);
};

static const struct bl_dynsym libc_syms[] = {
	{"strlen", offsetof(struct libc_api, strlen)},
	{"abs", offsetof(struct libc_api, abs)},
};

static void test_fills_table(void **state)
{
	(void)state;
	struct libc_api t = {0};
	struct bl_error err;
	assert_int_equal(bl_dynlib_load("libc.so.6", libc_syms, 2, &t, &err), 0);
	assert_int_equal(t.strlen("four"), 4);
	assert_int_equal(t.abs(-7), 7);
}

static void test_missing_library(void **state)
{
	(void)state;
	struct libc_api t = {0};
	struct bl_error err;
	assert_int_equal(bl_dynlib_load("libbl-no-such-library.so.0", libc_syms, 2, &t, &err),
			 BL_EINTERNAL);
	assert_non_null(strstr(err.msg, "cannot load libbl-no-such-library.so.0: "));
	assert_null(t.strlen);
}

static void test_missing_symbol(void **state)
{
	(void)state;
	const struct bl_dynsym syms[] = {
		{"strlen", offsetof(struct libc_api, strlen)},
		{"bl_no_such_symbol", offsetof(struct libc_api, abs)},
	};
	struct libc_api t = {0};
	struct bl_error err;
	assert_int_equal(bl_dynlib_load("libc.so.6", syms, 2, &t, &err), BL_EINTERNAL);
	assert_string_equal(err.msg, "libc.so.6 has no bl_no_such_symbol");
}

/* ---- loaders with their library missing -------------------------------- */

struct loader {
	int (*load)(struct bl_error *err);
	const char *soname, *package;
};

/* In a child without the library: the loader's answer, twice.  0 when it
 * is BL_EINTERNAL both times, naming the library and the package. */
static int check_loader(void *ctx)
{
	const struct loader *l = ctx;
	struct bl_error e1, e2;
	if (l->load(&e1) != BL_EINTERNAL || l->load(&e2) != BL_EINTERNAL)
		return 1;
	char want[128];
	snprintf(want, sizeof want, "cannot load %s: ", l->soname);
	if (strncmp(e1.msg, want, strlen(want)) != 0)
		return 1;
	snprintf(want, sizeof want, ": install %s)", l->package);
	size_t n = strlen(e1.msg), w = strlen(want);
	if (n < w || strcmp(e1.msg + n - w, want) != 0 || strcmp(e1.msg, e2.msg) != 0)
		return 1;
	return 0;
}

static void test_loaders_missing(void **state)
{
	(void)state;
	static const struct loader loaders[] = {
		{bl_yaml_load, "libyaml-0.so.2", "libyaml-0-2"},
		{bl_zlib_load, "libz.so.1", "zlib1g"},
		{bl_lz4_load, "liblz4.so.1", "liblz4-1"},
		{bl_lzma_load, "liblzma.so.5", "liblzma5"},
	};
	int checked = 0;
	for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
		int rc = tu_without_lib(loaders[i].soname, check_loader, (void *)&loaders[i]);
		if (rc == TU_NOLIB_SKIP)
			continue;
		if (rc != 0)
			fail_msg("%s: wrong answer with the library missing", loaders[i].soname);
		checked++;
	}
	if (!checked)
		skip();   /* no user namespaces here, or every library is linked in */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fills_table),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_loaders_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
