/*
 * test_sysctl_conf.c - the sysctl_conf provider against fake roots under
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

extern const struct bl_provider bl_provider_sysctl_conf;

static void test_order(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(BASIC, false, NULL);
	const char *keys[] = {"net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter",
			      "kernel.yama.ptrace_scope", "kernel.randomize_va_space",
			      "kernel/randomize_va_space", "net.ipv6.conf.all.disable_ipv6",
			      "fs.protected_fifos", "kernel.masked_out", "never.set"};
	const struct bl_value *v = run(f, &bl_provider_sysctl_conf, false, keys, 9);
	/* 99-local.conf sets 1, /etc/sysctl.conf (last) sets 0. */
	assert_str(bl_value_getz(v, "net.ipv4.ip_forward"), "0");
	/* 50-default.conf (2) then 99-local.conf (1), sorted by file name. */
	assert_str(bl_value_getz(v, "net.ipv4.conf.all.rp_filter"), "1");
	/* /usr/lib 50-default (1) then /run 60-run (2). */
	assert_str(bl_value_getz(v, "kernel.yama.ptrace_scope"), "2");
	assert_str(bl_value_getz(v, "kernel.randomize_va_space"), "2");
	assert_str(bl_value_getz(v, "kernel/randomize_va_space"), "2");
	assert_str(bl_value_getz(v, "net.ipv6.conf.all.disable_ipv6"), "1");
	assert_str(bl_value_getz(v, "fs.protected_fifos"), "1");
	/* /usr/lib/sysctl.d/99-local.conf is masked by /etc/sysctl.d/99-local.conf. */
	assert_null(bl_value_getz(v, "kernel.masked_out"));
	assert_null(bl_value_getz(v, "never.set"));
	assert_int_equal(v->u.obj.n, 7);
	v = run(f, &bl_provider_sysctl_conf, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 6);
	assert_str(bl_value_getz(v, "kernel.randomize_va_space"), "2");
	bl_facts_close(f);
}

static void test_crlf_missing_unreadable(void **state)
{
	(void)state;
	const char *keys[] = {"net.ipv4.ip_forward", "kernel.kptr_restrict"};
	struct bl_facts *f = open_root(CRLF, false, NULL);
	const struct bl_value *v = run(f, &bl_provider_sysctl_conf, false, keys, 2);
	assert_str(bl_value_getz(v, "net.ipv4.ip_forward"), "0");
	assert_str(bl_value_getz(v, "kernel.kptr_restrict"), "1");
	bl_facts_close(f);
	f = open_root(EMPTY, false, NULL);
	v = run(f, &bl_provider_sysctl_conf, false, keys, 2);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 0);
	bl_facts_close(f);
	f = open_root(BASIC, false, "60-run.conf");
	v = run(f, &bl_provider_sysctl_conf, false, keys, 2);
	assert_special(v, BL_VERR, "/run/sysctl.d/60-run.conf: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_crlf_missing_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
