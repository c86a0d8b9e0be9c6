/* Unit tests for the JUnit XML writer (report/junit.c) and the XML escaper:
 * the exact document (suites per control, cases per asset, failure, error,
 * skipped), not_applicable only with --all, and escaping of every string. */
#include "writertest.h"

#include "report/wutil.h"

#define HOSTILE_XML "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)&#10;&lt;b&gt;&amp;&apos;" \
		    "\xEF\xBF\xBD\xEF\xBF\xBD"

#define HEAD(tests, skipped)                                                                  \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                        \
	"<testsuites name=\"baseline wt 2.0.0\" tests=\"" tests "\" failures=\"1\" errors=\"1\" " \
	"skipped=\"" skipped "\" timestamp=\"2026-11-28T10:00:00Z\">\n"
#define HI_SUITE                                                                              \
	"  <testsuite name=\"HI\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\">\n"      \
	"    <properties>\n"                                                                   \
	"      <property name=\"title\" value=\"High one\"/>\n"                                \
	"      <property name=\"severity\" value=\"high\"/>\n"                                 \
	"      <property name=\"effect\" value=\"audit\"/>\n"                                  \
	"      <property name=\"remediation\" value=\"Fix it.\"/>\n"                           \
	"    </properties>\n"                                                                  \
	"    <testcase classname=\"HI\" name=\"" HOSTILE_XML "\" file=\"snaps/a b.json\" line=\"12\">\n" \
	"      <failure type=\"high\" message=\"x is false\">x: false (expected exists true)&#10;" \
	"y: missing (expected equals 1)</failure>\n"                                          \
	"    </testcase>\n"                                                                    \
	"    <testcase classname=\"HI\" name=\"b-1\">\n"                                       \
	"      <skipped message=\"exempt: EX-1\"/>\n"                                          \
	"    </testcase>\n"                                                                    \
	"  </testsuite>\n"
#define MED_SUITE                                                                             \
	"  <testsuite name=\"MED\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"     \
	"    <properties>\n"                                                                   \
	"      <property name=\"title\" value=\"Medium\"/>\n"                                  \
	"      <property name=\"severity\" value=\"medium\"/>\n"                               \
	"      <property name=\"effect\" value=\"audit\"/>\n"                                  \
	"    </properties>\n"                                                                  \
	"    <testcase classname=\"MED\" name=\"b-1\">\n"                                      \
	"      <error type=\"medium\" message=\"cannot read x\"></error>\n"                    \
	"    </testcase>\n"                                                                    \
	"  </testsuite>\n"
#define LO_SUITE(tests, skipped, na)                                                          \
	"  <testsuite name=\"LO\" tests=\"" tests "\" failures=\"0\" errors=\"0\" skipped=\""    \
	skipped "\">\n"                                                                        \
	"    <properties>\n"                                                                   \
	"      <property name=\"title\" value=\"Low one\"/>\n"                                 \
	"      <property name=\"severity\" value=\"low\"/>\n"                                  \
	"      <property name=\"effect\" value=\"audit\"/>\n"                                  \
	"    </properties>\n"                                                                  \
	"    <testcase classname=\"LO\" name=\"" HOSTILE_XML "\" file=\"snaps/a b.json\" line=\"12\"/>\n" \
	na "  </testsuite>\n"

static void test_junit_document(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	char *out = wt_render(&w, "junit", false);
	assert_string_equal(out, HEAD("4", "1") HI_SUITE MED_SUITE LO_SUITE("1", "0", "")
				 "</testsuites>\n");
	free(out);
	out = wt_render(&w, "junit", true);
	assert_string_equal(out, HEAD("5", "2") HI_SUITE MED_SUITE
				 LO_SUITE("2", "1",
					  "    <testcase classname=\"LO\" name=\"b-1\">\n"
					  "      <skipped message=\"not applicable: out of scope\"/>\n"
					  "    </testcase>\n")
				 "</testsuites>\n");
	free(out);
	wt_free(&w);
}

static void xml(const char *in, size_t len, const char *want)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_xml_put(&b, in, len);
	assert_string_equal(b.data ? b.data : "", want);
	bl_buf_free(&b);
}

static void test_xml_escape(void **state)
{
	(void)state;
	xml("<a href='x'>&\"</a>", 18, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
	xml("a\tb\nc\rd", 7, "a&#9;b&#10;c&#13;d");
	/* C0 controls and NUL cannot appear in XML 1.0 at all */
	xml("x\0y\x1b", 4, "x\xEF\xBF\xBDy\xEF\xBF\xBD");
	/* DEL and non-ASCII text are kept; U+FFFE is not a character */
	xml("\x7f caf\xC3\xA9 \xE2\x82\xAC \xEF\xBF\xBE", 15, "\x7f caf\xC3\xA9 \xE2\x82\xAC \xEF\xBF\xBD");
	/* overlong, surrogate, truncated: every bad byte becomes U+FFFD */
	xml("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
	xml("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	xml("ok\xE2\x82", 4, "ok\xEF\xBF\xBD\xEF\xBF\xBD");
	xml("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80");
	xml("", 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_document),
		cmocka_unit_test(test_xml_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
