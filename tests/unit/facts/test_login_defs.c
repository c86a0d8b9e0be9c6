/*
 * test_login_defs.c - the login_defs provider against fake roots under
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

extern const struct bl_provider bl_provider_login_defs;

static void test_basic(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_login_defs, false, NULL, 0);
	assert_bool(bl_value_getz(v, "exists"), true);
	assert_str(bl_value_getz(v, "MAIL_DIR"), "/var/mail");
	assert_num(bl_value_getz(v, "PASS_MAX_DAYS"), "365");   /* the last definition wins */
	assert_num(bl_value_getz(v, "PASS_MIN_DAYS"), "0");
	assert_num(bl_value_getz(v, "PASS_WARN_AGE"), "7");
	assert_num(bl_value_getz(v, "LOGIN_RETRIES"), "-5");
	assert_str(bl_value_getz(v, "UMASK"), "022");           /* octal stays text */
	assert_str(bl_value_getz(v, "ENCRYPT_METHOD"), "SHA512");
	assert_int_equal(v->u.obj.n, 8);
	bl_facts_close(f);
}

static void test_crlf(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(CRLF, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_login_defs, false, NULL, 0);
	assert_num(bl_value_getz(v, "PASS_MAX_DAYS"), "90");
	assert_num(bl_value_getz(v, "PASS_MIN_DAYS"), "1");
	bl_facts_close(f);
}

static void test_missing_and_unreadable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(EMPTY, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_login_defs, false, NULL, 0);
	assert_int_equal(v->u.obj.n, 1);
	assert_bool(bl_value_getz(v, "exists"), false);
	bl_facts_close(f);
	f = open_root(BASIC, false, "login.defs");
	v = run(f, &bl_provider_login_defs, false, NULL, 0);
	assert_special(v, BL_VERR, "/etc/login.defs: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_missing_and_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
