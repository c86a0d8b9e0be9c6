/*
 * test_pam.c - the pam provider against fake roots under
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

extern const struct bl_provider bl_provider_pam;

static void test_basic(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const char *keys[] = {"common-password", "/etc/pam.d/common-password", "sshd", "../shadow"};
	const struct bl_value *v = run(f, &bl_provider_pam, false, keys, 4);
	const struct bl_value *p = bl_value_getz(v, "common-password");
	assert_bool(bl_value_getz(p, "exists"), true);
	assert_list(bl_value_getz(p, "lines"),
		    "password requisite pam_pwquality.so retry=3 minlen=14|"
		    "password [success=1 default=ignore] pam_unix.so obscure use_authtok try_first_pass yescrypt|"
		    "password requisite pam_deny.so|"
		    "-password optional pam_gnome_keyring.so|"
		    "password required pam_permit.so [arg with space]|"
		    "@include common-other");
	const struct bl_value *rules = bl_value_getz(p, "rules");
	assert_int_equal(rules->u.arr.n, 6);
	const struct bl_value *r = &rules->u.arr.items[1];
	assert_str(bl_value_getz(r, "type"), "password");
	assert_str(bl_value_getz(r, "control"), "[success=1 default=ignore]");
	assert_str(bl_value_getz(r, "module"), "pam_unix.so");
	assert_list(bl_value_getz(r, "args"), "obscure|use_authtok|try_first_pass|yescrypt");
	assert_bool(bl_value_getz(r, "quiet"), false);
	r = &rules->u.arr.items[3];
	assert_str(bl_value_getz(r, "type"), "password");
	assert_bool(bl_value_getz(r, "quiet"), true);
	assert_list(bl_value_getz(&rules->u.arr.items[4], "args"), "arg with space");
	r = &rules->u.arr.items[5];
	assert_str(bl_value_getz(r, "type"), "@include");
	assert_str(bl_value_getz(r, "module"), "common-other");
	assert_list(bl_value_getz(bl_value_getz(v, "/etc/pam.d/common-password"), "lines"),
		    "password requisite pam_pwquality.so retry=3 minlen=14|"
		    "password [success=1 default=ignore] pam_unix.so obscure use_authtok try_first_pass yescrypt|"
		    "password requisite pam_deny.so|"
		    "-password optional pam_gnome_keyring.so|"
		    "password required pam_permit.so [arg with space]|"
		    "@include common-other");
	const struct bl_value *s = bl_value_getz(v, "sshd");
	assert_bool(bl_value_getz(s, "exists"), false);
	assert_int_equal(bl_value_getz(s, "lines")->u.arr.n, 0);
	assert_special(bl_value_getz(v, "../shadow"), BL_VERR, "neither a service name");
	v = run(f, &bl_provider_pam, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 1);
	bl_facts_close(f);
}

static void test_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"common-password"};
	struct bl_facts *f = open_root(BASIC, false, "common-password");
	const struct bl_value *v = run(f, &bl_provider_pam, false, keys, 1);
	assert_special(bl_value_getz(v, "common-password"), BL_VERR,
		       "/etc/pam.d/common-password: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
