/* Unit tests for util/str.c: case folding, globbing, hashing, buffers. */
#include "testutil.h"

#include <time.h>

#include "util/str.h"

static void test_ieq_icmp(void **state)
{
	(void)state;
	assert_true(bl_str_ieq("Microsoft.Storage", 17, "microsoft.STORAGE", 17));
	assert_false(bl_str_ieq("abc", 3, "abd", 3));
	assert_false(bl_str_ieq("abc", 3, "ab", 2));
	assert_int_equal(bl_str_icmp("ABC", 3, "abd", 3), -1);
	assert_int_equal(bl_str_icmp("ab", 2, "AB", 2), 0);
	assert_int_equal(bl_str_icmp("ab", 2, "abc", 3), -1);
	assert_int_equal(bl_str_cmp("B", 1, "a", 1), -1);   /* case-sensitive: 'B' < 'a' */
	assert_true(bl_str_icontains("Hello World", 11, "WORLD", 5));
	assert_true(bl_str_icontains("x", 1, "", 0));
	assert_false(bl_str_icontains("abc", 3, "abcd", 4));
}

static bool glob(const char *p, const char *s, bool icase)
{
	return bl_glob_match(p, strlen(p), s, strlen(s), icase);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(glob("*", "", false));
	assert_true(glob("Microsoft.KeyVault/*", "microsoft.keyvault/vaults", true));
	assert_false(glob("Microsoft.KeyVault/*", "microsoft.keyvault/vaults", false));
	assert_true(glob("a*b*c", "aXXbYYc", false));
	assert_false(glob("a*b*c", "aXXbYY", false));
	assert_true(glob("?b", "ab", false));
	assert_false(glob("?b", "b", false));
	assert_true(glob("*.yaml", "x.y.yaml", false));
	assert_true(glob("/subscriptions/*/resourceGroups/legacy-rg/*",
			 "/subscriptions/1/resourceGroups/legacy-rg/providers/x/y", true));
}

static void test_glob_pathological_is_linear(void **state)
{
	(void)state;
	/* "**********a" against 100k 'b's must not explode */
	size_t n = 100000;
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, 'b', n);
	s[n] = '\0';
	clock_t t0 = clock();
	assert_false(glob("**********a", s, false));
	assert_false(glob("*a*a*a*a*a*a*c", s, false));
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 2.0);
	free(s);
}

static void test_hash(void **state)
{
	(void)state;
	assert_true(bl_hash("ABC", 3, true) == bl_hash("abc", 3, true));
	assert_true(bl_hash("ABC", 3, false) != bl_hash("abc", 3, false));
}

static void test_buf(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 16);
	assert_int_equal(bl_buf_adds(&b, "0123456789"), 0);
	assert_int_equal(bl_buf_printf(&b, "%d", 42), 0);
	assert_string_equal(b.data, "012345678942");
	assert_int_equal(bl_buf_adds(&b, "too much text"), BL_ELIMIT);
	assert_true(b.failed);
	assert_int_not_equal(bl_buf_addc(&b, 'x'), 0);   /* sticky */
	bl_buf_reset(&b);
	assert_false(b.failed);
	assert_int_equal(b.len, 0);
	bl_buf_free(&b);
}

static void test_buf_add_col(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_buf_add_col(&b, "host:a", 8), 0);
	assert_string_equal(b.data, "host:a  ");
	bl_buf_reset(&b);
	assert_int_equal(bl_buf_add_col(&b, "exactly8", 8), 0);
	assert_string_equal(b.data, "exactly8");
	bl_buf_reset(&b);
	/* longer: the end stays, so two files in one long folder stay apart */
	assert_int_equal(bl_buf_add_col(&b, "/tmp/some/long/dir/other.json", 16), 0);
	assert_string_equal(b.data, "...ir/other.json");
	assert_int_equal(b.len, 16);
	bl_buf_reset(&b);
	assert_int_equal(bl_buf_add_col(&b, "/srv/snapshots/x/other.json", 16), 0);
	assert_string_equal(b.data, ".../x/other.json");
	bl_buf_reset(&b);
	/* never starts inside a UTF-8 sequence: "é" is two bytes */
	assert_int_equal(bl_buf_add_col(&b, "/data/r\xc3\xa9sum\xc3\xa9.json", 12), 0);
	assert_string_equal(b.data, "...um\xc3\xa9.json");
	bl_buf_reset(&b);
	assert_int_equal(bl_buf_add_col(&b, "/data/r\xc3\xa9sum\xc3\xa9.json", 9), 0);
	assert_string_equal(b.data, "....json ");
	bl_buf_reset(&b);
	assert_int_equal(bl_buf_add_col(&b, "abcdef", 2), 0);
	assert_string_equal(b.data, "ab");
	bl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ieq_icmp),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_pathological_is_linear),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_add_col),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
