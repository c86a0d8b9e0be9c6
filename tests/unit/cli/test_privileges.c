/*
 * test_privileges.c - `--drop-privileges USER` (cli/privileges.c): refusals
 * (unknown user, root as the target, not running as root) and the drop
 * itself, which must leave no way back to root.  The drop runs in a forked
 * child so the test process keeps its privileges; without root the tests
 * that need it are skipped.
 */
#include "testutil.h"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

static void need_root(void)
{
	if (geteuid() != 0 || !getpwnam("nobody"))
		skip();
}

static void refuses_unknown_user(void **state)
{
	(void)state;
	need_root();
	struct bl_privdrop p;
	struct bl_error err;
	assert_int_equal(bl_privileges_lookup(&p, "no-such-user-bl", &err), BL_EINVAL);
	assert_string_equal(err.msg, "--drop-privileges no-such-user-bl: no such user");
	assert_int_equal(bl_error_exit_code(err.code), 2);
	assert_int_equal(bl_privileges_lookup(&p, "", &err), BL_EINVAL);
}

static void refuses_root_as_target(void **state)
{
	(void)state;
	need_root();
	struct bl_privdrop p;
	struct bl_error err;
	assert_int_equal(bl_privileges_lookup(&p, "root", &err), BL_EINVAL);
	assert_non_null(strstr(err.msg, "would drop nothing"));
}

static void refuses_drop_without_lookup(void **state)
{
	(void)state;
	struct bl_privdrop p;
	memset(&p, 0, sizeof(p));
	struct bl_error err;
	assert_int_equal(bl_privileges_drop(&p, &err), BL_EINTERNAL);
}

/* Child: 0 = dropped for good; other codes name the step that went wrong. */
static int child_drop(void)
{
	const struct passwd *nob = getpwnam("nobody");
	uid_t want = nob->pw_uid;
	struct bl_privdrop p;
	struct bl_error err;
	if (bl_privileges_lookup(&p, "nobody", &err))
		return 10;
	if (p.uid != want)
		return 11;
	if (bl_privileges_drop(&p, &err))
		return 12;
	if (getuid() != want || geteuid() != want)
		return 13;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 14;
	/* /etc/shadow is root-only: reading it must now fail */
	if (access("/etc/shadow", R_OK) == 0)
		return 15;
	/* A second drop is refused: no longer root. */
	if (bl_privileges_lookup(&p, "nobody", &err) != BL_EINVAL ||
	    !strstr(err.msg, "not running as root"))
		return 16;
	return 0;
}

static void drops_for_good(void **state)
{
	(void)state;
	need_root();
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_drop());
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int child_not_root(void)
{
	if (setresuid(65534, 65534, 65534) != 0)
		return 20;
	struct bl_privdrop p;
	struct bl_error err;
	if (bl_privileges_lookup(&p, "nobody", &err) != BL_EINVAL)
		return 21;
	if (strcmp(err.msg, "--drop-privileges nobody: not running as root, nothing to drop"))
		return 22;
	return 0;
}

static void refuses_when_not_root(void **state)
{
	(void)state;
	need_root();
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_not_root());
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_unknown_user),
		cmocka_unit_test(refuses_root_as_target),
		cmocka_unit_test(refuses_drop_without_lookup),
		cmocka_unit_test(drops_for_good),
		cmocka_unit_test(refuses_when_not_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
