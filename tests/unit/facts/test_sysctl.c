/*
 * test_sysctl.c - the sysctl provider against fake roots under
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

extern const struct bl_provider bl_provider_sysctl;

static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, true, NULL);
	const char *keys[] = {"net.ipv4.ip_forward", "net.ipv4.tcp_rmem", "net/ipv4/ip_forward",
			      "net.ipv4.nope", "net.ipv4..x", "../../etc/login.defs"};
	const struct bl_value *v = run(f, &bl_provider_sysctl, false, keys, 6);
	assert_str(bl_value_getz(v, "net.ipv4.ip_forward"), "1");
	assert_str(bl_value_getz(v, "net.ipv4.tcp_rmem"), "4096 131072 6291456");
	assert_str(bl_value_getz(v, "net/ipv4/ip_forward"), "1");
	assert_null(bl_value_getz(v, "net.ipv4.nope"));          /* absent, not an error */
	assert_special(bl_value_getz(v, "net.ipv4..x"), BL_VERR, "invalid parameter name");
	assert_special(bl_value_getz(v, "../../etc/login.defs"), BL_VERR, "invalid parameter name");
	assert_int_equal(v->u.obj.n, 5);
	bl_facts_close(f);
}

static void test_enumerate(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, true, NULL);
	const struct bl_value *v = run(f, &bl_provider_sysctl, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 2);
	assert_str(bl_value_getz(v, "net.ipv4.ip_forward"), "1");
	assert_str(bl_value_getz(v, "net.ipv4.tcp_rmem"), "4096 131072 6291456");
	bl_facts_close(f);
}

static void test_offline_and_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"net.ipv4.ip_forward"};
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_sysctl, false, keys, 1);
	assert_special(bl_value_getz(v, "net.ipv4.ip_forward"), BL_VNA, "live-only");
	v = run(f, &bl_provider_sysctl, true, NULL, 0);
	assert_int_equal(v->type, BL_VNA);
	bl_facts_close(f);
	f = open_root(BASIC, true, "ip_forward");
	v = run(f, &bl_provider_sysctl, false, keys, 1);
	assert_special(bl_value_getz(v, "net.ipv4.ip_forward"), BL_VERR,
		       "/proc/sys/net/ipv4/ip_forward: permission denied");
	bl_facts_close(f);
}

static void test_real_host(void **state)
{
	(void)state;
	/* The running kernel always has this parameter, as "0" or "1". */
	struct bl_facts *f = open_root("/", false, NULL);
	const char *keys[] = {"net.ipv4.ip_forward"};
	const struct bl_value *v = run(f, &bl_provider_sysctl, false, keys, 1);
	const struct bl_value *x = bl_value_getz(v, "net.ipv4.ip_forward");
	assert_non_null(x);
	assert_int_equal(x->type, BL_VSTR);
	assert_int_equal(x->u.str.len, 1);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_offline_and_unreadable),
		cmocka_unit_test(test_real_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
