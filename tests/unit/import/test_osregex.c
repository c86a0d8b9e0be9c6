/*
 * test_osregex.c - OS_Regex -> PCRE2: the exact translation of every
 * construct, and what the translation matches (compiled with PCRE2 the way
 * the condition language's regex operator compiles it).
 */
#include "testutil.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "import/osregex.h"

static void expect_tr(const char *os, const char *want)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char msg[160] = "";
	int rc = bl_osregex_to_pcre2(&b, os, strlen(os), msg, sizeof msg);
	if (rc)
		fail_msg("%s: rc %d %s", os, rc, msg);
	bl_buf_addc(&b, '\0');
	if (strcmp(b.data, want) != 0)
		fail_msg("%s -> %s, want %s", os, b.data, want);
	bl_buf_free(&b);
}

/* Does OS_Regex os match subject (after translation)? */
static bool os_match(const char *os, const char *subject)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char msg[160] = "";
	assert_int_equal(bl_osregex_to_pcre2(&b, os, strlen(os), msg, sizeof msg), 0);
	int ec;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)b.data, b.len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				       &ec, &off, NULL);
	if (!re)
		fail_msg("%s -> %.*s does not compile (offset %zu)", os, (int)b.len, b.data, (size_t)off);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	bl_buf_free(&b);
	return rc >= 0;
}

static void test_classes(void **state)
{
	(void)state;
	expect_tr("\\w", "(?i)[A-Za-z0-9\\-@_]");
	expect_tr("\\W", "(?i)[^A-Za-z0-9\\-@_]");
	expect_tr("\\d", "(?i)[0-9]");
	expect_tr("\\D", "(?i)[^0-9]");
	expect_tr("\\s", "(?i)[ ]");
	expect_tr("\\S", "(?i)[^ ]");
	expect_tr("\\t", "(?i)\\t");
	expect_tr("\\p", "(?i)[()*+,\\-.:;<=>?\\[\\]!\"'#$%&|{}]");
	expect_tr("\\.", "(?i)[\\s\\S]");
}

static void test_modifiers(void **state)
{
	(void)state;
	expect_tr("\\d+", "(?i)[0-9]+");
	expect_tr("\\s*", "(?i)[ ]*");
	/* after anything but a class, + and * are plain characters */
	expect_tr("a+b*", "(?i)a\\+b\\*");
	expect_tr("\\d++", "(?i)[0-9]+\\+");
	expect_tr("+x", "(?i)\\+x");
	expect_tr("\\$*", "(?i)\\$\\*");
}

static void test_anchors_alternation(void **state)
{
	(void)state;
	expect_tr("^a$", "(?i)^a$");
	expect_tr("a^b", "(?i)a\\^b");
	expect_tr("a$b", "(?i)a\\$b");
	expect_tr("^a|^b$", "(?i)^a|^b$");
	expect_tr("a$|b", "(?i)a$|b");
	expect_tr("(\\d+)$", "(?i)([0-9]+)$");
	expect_tr("(^x)", "(?i)(^x)");
}

static void test_literals_escapes(void **state)
{
	(void)state;
	expect_tr("a.b", "(?i)a\\.b");
	expect_tr("[x]?{1}", "(?i)\\[x\\]\\?\\{1\\}");
	expect_tr("\\$\\(\\)\\\\\\|", "(?i)\\$\\(\\)\\\\\\|");
	expect_tr("a b", "(?i)a\\x20b");
	expect_tr("/etc/x", "(?i)\\/etc\\/x");
	expect_tr("#-", "(?i)\\#\\-");
	expect_tr("\\<", "(?i)<");
	expect_tr("", "(?i)");
}

static void test_errors(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	char msg[160] = "";
	assert_int_equal(bl_osregex_to_pcre2(&b, "ab\\", 3, msg, sizeof msg), BL_EINVAL);
	assert_string_equal(msg, "OS_Regex: lone backslash at the end (offset 2)");
	bl_buf_reset(&b);
	assert_int_equal(bl_osregex_to_pcre2(&b, "a)", 2, msg, sizeof msg), BL_EINVAL);
	assert_string_equal(msg, "OS_Regex: ')' without '(' (offset 1)");
	bl_buf_reset(&b);
	assert_int_equal(bl_osregex_to_pcre2(&b, "(a", 2, msg, sizeof msg), BL_EINVAL);
	assert_string_equal(msg, "OS_Regex: '(' without ')'");
	bl_buf_free(&b);
}

static void test_matching(void **state)
{
	(void)state;
	assert_true(os_match("^\\s*PermitRootLogin\\s+no", "  permitrootlogin no"));
	assert_false(os_match("^\\s*PermitRootLogin\\s+no", "\tPermitRootLogin no"));   /* \s: space only */
	assert_true(os_match("^\\s*\\t*PermitRootLogin", "\tPermitRootLogin"));
	assert_true(os_match("\\w+@\\w+", "user-1@host_2"));
	assert_false(os_match("^\\w+$", "a.b"));
	assert_true(os_match("a\\.c", "abc"));     /* \. is any character */
	assert_false(os_match("a.c", "abc"));      /* . is a dot */
	assert_true(os_match("a.c", "a.c"));
	assert_true(os_match("^\\p+$", "()*+,-.:;<=>?[]!\"'#$%&|{}"));
	assert_false(os_match("\\p", "abc/_"));
	assert_true(os_match("^a|^b", "bcd"));
	assert_false(os_match("^a|^b", "cab"));
	assert_true(os_match("5$", "x5"));
	assert_true(os_match("1+1", "1+1"));
	assert_true(os_match("\\D\\S\\W", "a-!"));
	assert_false(os_match("\\D", "7"));
	assert_true(os_match("/etc/(\\w+)", "/ETC/passwd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_anchors_alternation),
		cmocka_unit_test(test_literals_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_matching),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
