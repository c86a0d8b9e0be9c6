/*
 * test_foreign.c - what bl_cli_foreign_doc hands the loader (src/cli/foreign.c):
 * a baseline document as it was read (so the file is parsed once), a
 * foreign policy imported, and nothing for what the loader must report.
 */
#include "testutil.h"

#include "cli/cli.h"
#include "model/baseline.h"

#define FIX "tests/fixtures/"

static int foreign(const char *path, const struct bl_value **doc, struct bl_arena *a)
{
	struct bl_diags d;
	bl_diags_init(&d);
	int rc = bl_cli_foreign_doc(doc, path, NULL, a, &d);
	bl_diags_free(&d);
	return rc;
}

static void test_kinds(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = (const struct bl_value *)1;
	/* ours: the document as read, with its file */
	assert_int_equal(foreign(FIX "baselines/valid-full.yaml", &doc, &a), 1);
	assert_non_null(doc);
	assert_non_null(bl_value_getz(doc, "baseline"));
	assert_string_equal(doc->file, FIX "baselines/valid-full.yaml");
	/* a Wazuh SCA policy: imported into a baseline document */
	assert_int_equal(foreign(FIX "sca/policy4.yml", &doc, &a), 1);
	assert_non_null(doc);
	assert_non_null(bl_value_getz(doc, "baseline"));
	/* the loader's to read or report: builtins, missing files, other documents */
	assert_int_equal(foreign("builtin:linux-host", &doc, &a), 0);
	assert_null(doc);
	assert_int_equal(foreign(FIX "baselines/no-such-file.yaml", &doc, &a), 0);
	assert_null(doc);
	assert_int_equal(foreign(FIX "baselines/not-a-baseline-inventory.yaml", &doc, &a), 0);
	assert_null(doc);
	bl_arena_free(&a);
}

/* A baseline built from foreign_doc's reading is the one the model's loader
 * builds from the file: same hash, same file, same controls; and a document
 * that is not a baseline still gets the loader's diagnostic. */
static void test_same_baseline(void **state)
{
	(void)state;
	static const char *const paths[] = {
		FIX "baselines/valid-full.yaml", FIX "baselines/valid-full.json",
		FIX "baselines/valid-minimal.yaml",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_baseline *x = NULL, *y = NULL;
		assert_int_equal(bl_cli_baseline_load(&x, paths[i], NULL, &d), 0);
		assert_int_equal(bl_baseline_load(&y, paths[i], &d), 0);
		assert_int_equal(d.n, 0);
		assert_string_equal(x->sha256, y->sha256);
		assert_string_equal(x->file, paths[i]);
		assert_string_equal(x->file, y->file);
		assert_int_equal(x->ncontrols, y->ncontrols);
		for (size_t k = 0; k < x->ncontrols; k++)
			assert_string_equal(x->controls[k].id, y->controls[k].id);
		bl_baseline_free(x);
		bl_baseline_free(y);
		bl_diags_free(&d);
	}
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_cli_baseline_load(&b, FIX "baselines/not-a-baseline-inventory.yaml",
					      NULL, &d), BL_EINVAL);
	assert_null(b);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].msg, "not a baseline (an inventory document)");
	bl_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_same_baseline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
