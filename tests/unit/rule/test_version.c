/*
 * test_version.c - Debian version ordering (deb-version(7)).
 */
#include "testutil.h"

#include "rule/version.h"

static int vcmp(const char *a, const char *b)
{
	int c = bl_version_cmp(a, strlen(a), b, strlen(b));
	return c < 0 ? -1 : c > 0;
}

static void test_order(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		int want;
	} rows[] = {
		{"1.0", "1.0", 0},
		{"1.0~rc1", "1.0", -1},
		{"1.0~rc1", "1.0~rc2", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1:0.9", "2.0", 1},
		{"0:2.0", "2.0", 0},
		{"1.0-1", "1.0-1ubuntu1", -1},
		{"1.0-1ubuntu1", "1.0-2", -1},
		{"1.2.10", "1.2.9", 1},
		{"1.02", "1.2", 0},
		{"1.0a", "1.0", 1},
		{"1.0a", "1.0+", -1},
		{"1.0+b1", "1.0", 1},
		{"2.7.4-0ubuntu1.6", "2.7.4-0ubuntu1.10", -1},
		{"1:8.9p1-3ubuntu0.10", "1:8.9p1-3ubuntu0.4", 1},
		{"9.0", "10.0", -1},
		{"1.0-1", "1.0", 1},
		{"a", "b", -1},
		{"", "0", 0},
		{"1.0-rc-1", "1.0-rc", 1},  /* revision is after the last '-' */
		{"x:1", "1", 1},            /* a non-numeric epoch is upstream text */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = vcmp(rows[i].a, rows[i].b);
		if (got != rows[i].want)
			fail_msg("%s vs %s: %d, want %d", rows[i].a, rows[i].b, got, rows[i].want);
		if (vcmp(rows[i].b, rows[i].a) != -rows[i].want)
			fail_msg("%s vs %s: not antisymmetric", rows[i].b, rows[i].a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
