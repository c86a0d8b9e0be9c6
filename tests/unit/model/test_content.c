/*
 * test_content.c - lookups in the embedded content table.  The table holds
 * whatever content/ held at build time (possibly nothing), so the tests
 * derive their expectations from the table itself and always exercise the
 * not-found paths.
 */
#include "testutil.h"

#include "model/content.h"

static void test_table_shape(void **state)
{
	(void)state;
	/* The generator ends the table with a NULL sentinel after nfiles entries. */
	assert_null(bl_content_files[bl_content_nfiles].name);
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		assert_non_null(f->name);
		assert_non_null(f->data);
		assert_int_equal(strlen(f->data) <= f->len, 1);
		assert_ptr_equal(bl_content_find(f->name, strlen(f->name)), f);
		assert_null(strstr(f->name, "content/"));   /* names are relative */
	}
}

static void test_find_not_found(void **state)
{
	(void)state;
	assert_null(bl_content_find("baselines/no-such-file.yaml", 27));
	assert_null(bl_content_find("", 0));
	/* Length is honoured: a prefix of an existing name is not that name. */
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const char *n = bl_content_files[i].name;
		assert_null(bl_content_find(n, strlen(n) - 1));
	}
}

static void test_is_builtin(void **state)
{
	(void)state;
	assert_true(bl_content_is_builtin("builtin:linux-host"));
	assert_true(bl_content_is_builtin("builtin:"));
	assert_false(bl_content_is_builtin("builtin"));
	assert_false(bl_content_is_builtin("./builtin:x"));
	assert_false(bl_content_is_builtin("Builtin:x"));
	assert_false(bl_content_is_builtin(NULL));
}

static void test_baseline_not_found(void **state)
{
	(void)state;
	assert_null(bl_content_baseline("builtin:no-such-baseline"));
	assert_null(bl_content_baseline("no-such-baseline"));
	assert_null(bl_content_baseline("builtin:"));
	assert_null(bl_content_baseline(""));
	assert_null(bl_content_baseline(NULL));
	/* Names never reach into other folders. */
	assert_null(bl_content_baseline("builtin:../baselines/x"));
	assert_null(bl_content_baseline("builtin:baselines/linux-host"));
}

struct listed {
	char names[64][128];
	size_t n;
};

static void collect(void *ctx, const char *name, size_t len)
{
	struct listed *l = ctx;
	assert_true(len > 0 && len < sizeof(l->names[0]));
	assert_true(l->n < 64);
	memcpy(l->names[l->n], name, len);
	l->names[l->n][len] = '\0';
	l->n++;
}

/* Every baselines/NAME.yaml|json is listed once and found as builtin:NAME
 * (the .yaml first); other files are never listed. */
static void test_list_matches_table(void **state)
{
	(void)state;
	struct listed l = {.n = 0};
	size_t n = bl_content_list_baselines(collect, &l);
	assert_int_equal(n, l.n);
	assert_int_equal(bl_content_list_baselines(NULL, NULL), n);

	size_t expected = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const char *name = bl_content_files[i].name;
		size_t len = strlen(name);
		if (strncmp(name, "baselines/", 10) != 0 || len <= 15)
			continue;
		const char *ext = name + len - 5;
		if (strcmp(ext, ".yaml") != 0 && strcmp(ext, ".json") != 0)
			continue;
		char ref[160];
		snprintf(ref, sizeof(ref), "builtin:%.*s", (int)(len - 15), name + 10);
		const struct bl_content_file *f = bl_content_baseline(ref);
		assert_non_null(f);
		if (strcmp(ext, ".yaml") == 0)
			assert_ptr_equal(f, &bl_content_files[i]);
		/* A bare NAME works too. */
		assert_ptr_equal(bl_content_baseline(ref + 8), f);
		bool seen = false;
		for (size_t k = 0; k < l.n; k++)
			seen |= strcmp(l.names[k], ref + 8) == 0;
		assert_true(seen);
		if (!(i > 0 && strncmp(bl_content_files[i - 1].name, name, len - 5) == 0 &&
		      strlen(bl_content_files[i - 1].name) == len))
			expected++;
	}
	assert_int_equal(n, expected);
	for (size_t k = 0; k < l.n; k++)
		assert_null(strchr(l.names[k], '/'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_find_not_found),
		cmocka_unit_test(test_is_builtin),
		cmocka_unit_test(test_baseline_not_found),
		cmocka_unit_test(test_list_matches_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
