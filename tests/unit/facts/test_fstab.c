/*
 * test_fstab.c - the fstab provider against fake roots under
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

extern const struct bl_provider bl_provider_fstab;

static void test_basic(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const char *keys[] = {"/", "/tmp", "/mnt/my disk", "/var/tmp", "/home"};
	const struct bl_value *v = run(f, &bl_provider_fstab, false, keys, 5);
	const struct bl_value *r = bl_value_getz(v, "/");
	assert_bool(bl_value_getz(r, "exists"), true);
	assert_str(bl_value_getz(r, "device"), "UUID=abc");
	assert_str(bl_value_getz(r, "fstype"), "ext4");
	assert_list(bl_value_getz(r, "options"), "errors=remount-ro");
	const struct bl_value *t = bl_value_getz(v, "/tmp");   /* the last line wins */
	assert_str(bl_value_getz(t, "device"), "tmpfs");
	assert_list(bl_value_getz(t, "options"), "nosuid|nodev|noexec");
	const struct bl_value *d = bl_value_getz(v, "/mnt/my disk");
	assert_str(bl_value_getz(d, "fstype"), "vfat");
	assert_list(bl_value_getz(d, "options"), "ro");
	const struct bl_value *vt = bl_value_getz(v, "/var/tmp");   /* written "/var/tmp/" */
	assert_str(bl_value_getz(vt, "device"), "/dev/sdc1");
	assert_str(bl_value_getz(vt, "fstype"), "auto");
	assert_list(bl_value_getz(vt, "options"), "defaults");
	assert_bool(bl_value_getz(bl_value_getz(v, "/home"), "exists"), false);
	v = run(f, &bl_provider_fstab, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 4);
	assert_non_null(bl_value_getz(v, "/var/tmp"));
	bl_facts_close(f);
}

static void test_crlf_missing_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"/dev/shm"};
	struct bl_facts *f = open_root(CRLF, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_fstab, false, keys, 1);
	assert_list(bl_value_getz(bl_value_getz(v, "/dev/shm"), "options"), "defaults|noexec");
	bl_facts_close(f);
	f = open_root(EMPTY, false, NULL);
	v = run(f, &bl_provider_fstab, false, keys, 1);
	assert_bool(bl_value_getz(bl_value_getz(v, "/dev/shm"), "exists"), false);
	bl_facts_close(f);
	f = open_root(BASIC, false, "fstab");
	v = run(f, &bl_provider_fstab, false, keys, 1);
	assert_special(v, BL_VERR, "/etc/fstab: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_crlf_missing_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
