/* Unit tests for the CSV writer (report/csv.c) and its cell encoder: the
 * exact document, RFC 4180 quoting, formula neutralisation, not_applicable
 * rows only with --all. */
#include "writertest.h"

#include "report/wutil.h"

#define HDR "control,title,severity,effect,status,asset,asset_type,tier,environment,owner," \
	    "message,evidence,exception\r\n"
#define HOSTILE_CELL "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\n<b>&'\x01\xEF\xBF\xBD\""
#define ROWS                                                                                 \
	"HI,High one,high,audit,fail," HOSTILE_CELL ",T,1,prod,team,x is false,"             \
	"\"[{\"\"path\"\":\"\"x\"\",\"\"actual\"\":false,\"\"expected\"\":\"\"exists true\"\"},"     \
	"{\"\"path\"\":\"\"y\"\",\"\"actual\"\":null,\"\"expected\"\":\"\"equals 1\"\"}]\",\r\n"   \
	"HI,High one,high,audit,exempt,b-1,T,,,,exempt by EX-1,"                              \
	"\"[{\"\"path\"\":\"\"x\"\",\"\"actual\"\":false,\"\"expected\"\":\"\"exists true\"\"}]\",EX-1\r\n" \
	"MED,Medium,medium,audit,error,b-1,T,,,,cannot read x,[],\r\n"                        \
	"LO,Low one,low,audit,pass," HOSTILE_CELL ",T,1,prod,team,compliant,[],\r\n"

static void test_csv_document(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	char *out = wt_render(&w, "csv", false);
	assert_string_equal(out, HDR ROWS);
	free(out);
	out = wt_render(&w, "csv", true);
	assert_string_equal(out, HDR ROWS "LO,Low one,low,audit,not_applicable,b-1,T,,,,out of scope,[],\r\n");
	free(out);
	/* no result at all: the header alone */
	out = wt_render_n(&w, "csv", false, 0);
	assert_string_equal(out, HDR);
	free(out);
	wt_free(&w);
}

static void cell(const char *in, const char *want)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_csv_cell(&b, in, strlen(in), true);
	assert_string_equal(b.data, want);
	bl_buf_free(&b);
}

static void test_csv_cells(void **state)
{
	(void)state;
	cell("plain", "plain\r\n");
	cell("", "\r\n");
	cell("a,b", "\"a,b\"\r\n");
	cell("say \"hi\"", "\"say \"\"hi\"\"\"\r\n");
	cell("two\nlines", "\"two\nlines\"\r\n");
	cell("=1+2", "\"'=1+2\"\r\n");
	cell("+1", "\"'+1\"\r\n");
	cell("-1", "\"'-1\"\r\n");
	cell("@SUM(A1)", "\"'@SUM(A1)\"\r\n");
	cell("\t=1", "\"'\t=1\"\r\n");
	cell("\r=1", "\"'\r=1\"\r\n");
	cell("a=1", "a=1\r\n");
	cell("caf\xC3\xA9 \xC0\xAF", "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\r\n");
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_csv_str(&b, NULL, false);
	bl_csv_str(&b, "x", true);
	assert_string_equal(b.data, ",x\r\n");
	bl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_document),
		cmocka_unit_test(test_csv_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
