/*
 * test_common.c - the helpers the subcommands share (src/cli/common.c).
 */
#include "testutil.h"

#include "cli/cli.h"

/* A failed load exits 2 when the document or its file is the problem and 3
 * when memory or a library was missing, whichever of the documents it was. */
static void test_load_exit(void **state)
{
	(void)state;
	assert_int_equal(bl_cli_load_exit(BL_EINVAL, 0, 0), BL_EXIT_USAGE);
	assert_int_equal(bl_cli_load_exit(BL_EIO, 0, 0), BL_EXIT_USAGE);
	assert_int_equal(bl_cli_load_exit(BL_ELIMIT, BL_EINVAL, 0), BL_EXIT_USAGE);
	assert_int_equal(bl_cli_load_exit(BL_ENOMEM, 0, 0), BL_EXIT_INTERNAL);
	/* libyaml (or another library opened on first use) not installed */
	assert_int_equal(bl_cli_load_exit(BL_EINTERNAL, 0, 0), BL_EXIT_INTERNAL);
	assert_int_equal(bl_cli_load_exit(BL_EINVAL, 0, BL_EINTERNAL), BL_EXIT_INTERNAL);
	assert_int_equal(bl_cli_load_exit(0, BL_ENOMEM, BL_EINVAL), BL_EXIT_INTERNAL);
	assert_int_equal(BL_EXIT_USAGE, 2);
	assert_int_equal(BL_EXIT_INTERNAL, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
