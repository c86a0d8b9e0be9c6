/*
 * test_modules.c - the modules provider against fake roots under
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

extern const struct bl_provider bl_provider_modules;

static void check(const struct bl_value *v, const char *name, bool disabled, bool blacklisted)
{
	const struct bl_value *m = bl_value_getz(v, name);
	if (!m)
		fail_msg("modules[%s] missing", name);
	assert_bool(bl_value_getz(m, "disabled"), disabled);
	assert_bool(bl_value_getz(m, "blacklisted"), blacklisted);
}

static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, true, NULL);
	const char *keys[] = {"cramfs", "freevxfs", "usb-storage", "usb_storage", "squashfs",
			      "udf", "jffs2", "hfs", "ext4", "nosuch"};
	const struct bl_value *v = run(f, &bl_provider_modules, false, keys, 10);
	check(v, "cramfs", true, true);       /* the first install line wins */
	check(v, "freevxfs", true, false);
	check(v, "usb-storage", true, false);
	check(v, "usb_storage", true, false);
	/* blacklist.conf (/usr/lib) sorts before cis.conf: its install is first. */
	check(v, "squashfs", true, false);
	check(v, "udf", false, true);
	check(v, "jffs2", false, true);
	check(v, "hfs", true, false);         /* continuation line */
	check(v, "ext4", false, false);
	check(v, "nosuch", false, false);
	assert_bool(bl_value_getz(bl_value_getz(v, "usb-storage"), "loaded"), true);
	assert_bool(bl_value_getz(bl_value_getz(v, "ext4"), "loaded"), true);
	assert_bool(bl_value_getz(bl_value_getz(v, "cramfs"), "loaded"), false);
	v = run(f, &bl_provider_modules, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 8);
	check(v, "usb_storage", true, false);
	bl_facts_close(f);
}

static void test_offline_missing_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"cramfs"};
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_modules, false, keys, 1);
	const struct bl_value *m = bl_value_getz(v, "cramfs");
	assert_special(bl_value_getz(m, "loaded"), BL_VNA, "live-only");
	assert_bool(bl_value_getz(m, "disabled"), true);
	bl_facts_close(f);
	f = open_root(EMPTY, false, NULL);
	v = run(f, &bl_provider_modules, false, keys, 1);
	check(v, "cramfs", false, false);
	bl_facts_close(f);
	f = open_root(BASIC, true, "cis.conf");
	v = run(f, &bl_provider_modules, false, keys, 1);
	m = bl_value_getz(v, "cramfs");
	assert_special(bl_value_getz(m, "disabled"), BL_VERR, "/etc/modprobe.d/cis.conf: permission denied");
	assert_special(bl_value_getz(m, "blacklisted"), BL_VERR, "cis.conf");
	assert_bool(bl_value_getz(m, "loaded"), false);
	bl_facts_close(f);
	f = open_root(BASIC, true, "modules");
	v = run(f, &bl_provider_modules, false, keys, 1);
	/* Only /proc/modules is denied: loaded alone is an error. */
	m = bl_value_getz(v, "cramfs");
	assert_special(bl_value_getz(m, "loaded"), BL_VERR, "/proc/modules: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_offline_missing_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
