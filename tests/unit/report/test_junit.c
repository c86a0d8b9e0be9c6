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

/* Valid UTF-8 holding no character XML 1.0 forbids. */
static bool xml_chars_ok(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!k || i + k > len)
			return false;
		unsigned long cp = k == 1 ? c : c & (0xFFu >> (k + 1));
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
		    cp == 0xFFFF || cp < 0x20)
			return false;
		i += k;
	}
	return true;
}

/* Random bytes (biased towards the interesting ones) always escape to text
 * that is well-formed inside an attribute: no markup character, every & an
 * entity or character reference, only characters XML 1.0 allows. */
static void test_xml_escape_random(void **state)
{
	(void)state;
	static const unsigned char pick[] = {'&', '<', '>', '"', '\'', '\t', '\n', '\r', 0, 1, 0x1f,
					     0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xa9, 0xe2, 0x82, 0xac,
					     0xed, 0xa0, 0xef, 0xbf, 0xbe, 0xf0, 0x9f, 0xf8, 'a', ';'};
	uint64_t x = 0x9E3779B97F4A7C15u;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	for (int round = 0; round < 20000; round++) {
		unsigned char in[24];
		size_t n = (size_t)(round % 24);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[i] = (x & 0x100) ? (unsigned char)x : pick[(x >> 9) % sizeof(pick)];
		}
		bl_buf_reset(&b);
		bl_xml_put(&b, (const char *)in, n);
		const char *o = b.data ? b.data : "";
		assert_true(xml_chars_ok((const unsigned char *)o, b.len));
		for (size_t i = 0; i < b.len; i++) {
			assert_true(o[i] == '\0' || strchr("<>\"'", o[i]) == NULL);
			if (o[i] == '&') {
				static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;",
								   "&#9;", "&#10;", "&#13;"};
				bool ok = false;
				for (size_t e = 0; e < 8; e++)
					ok |= strncmp(o + i, ents[e], strlen(ents[e])) == 0;
				assert_true(ok);
			}
		}
	}
	bl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_document),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_xml_escape_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
