/* Unit tests for model/exceptions.c: expiry at UTC day boundaries, the
 * maximum expiry ahead, matching and precedence, validation positions. */
#include "testutil.h"

#include "model/exceptions.h"

/* 2026-11-28T12:00:00Z */
#define NOW ((int64_t)1795867200)

static int64_t ts(const char *date, int h, int m, int s)
{
	int64_t d;
	assert_true(bl_date_parse(date, strlen(date), &d));
	return d * 86400 + h * 3600 + m * 60 + s;
}

static struct bl_exceptions *load(struct bl_arena *a, const char *text, int64_t now, int max_days,
				  struct bl_diags *d, int want_rc)
{
	struct bl_exceptions *x = NULL;
	struct bl_exc_opts o = {.now = now, .max_days = max_days};
	int rc = bl_exceptions_from_doc(&x, tu_doc(a, text, "exc.yaml"), &o, d);
	bl_diags_sort(d);
	for (size_t i = 0; i < d->n; i++)
		print_message("%u:%u: %s\n", d->items[i].line, d->items[i].col, d->items[i].msg);
	assert_int_equal(rc, want_rc);
	return x;
}

static const char *one =
	"exceptions:\n"
	"  - id: EX-2026-014\n"
	"    control: AZ-ST-01\n"
	"    assets: [\"/subscriptions/*/resourceGroups/legacy-rg/*\"]\n"
	"    category: waiver\n"
	"    justification: Legacy client cannot speak TLS 1.2.\n"
	"    approved_by: ciso@contoso.example\n"
	"    ticket: SEC-1234\n"
	"    created: 2026-10-01\n"
	"    expires: 2027-03-31\n";

static void test_dates(void **state)
{
	(void)state;
	int64_t d;
	assert_true(bl_date_parse("1970-01-01", 10, &d));
	assert_int_equal(d, 0);
	assert_true(bl_date_parse("2024-02-29", 10, &d));
	assert_false(bl_date_parse("2023-02-29", 10, &d));
	assert_false(bl_date_parse("2027-13-01", 10, &d));
	assert_false(bl_date_parse("2027-3-31", 9, &d));
	assert_false(bl_date_parse("2027/03/31", 10, &d));
	assert_true(bl_date_parse("2027-03-31", 10, &d));
	char out[11];
	bl_date_format(d, out);
	assert_string_equal(out, "2027-03-31");
	assert_int_equal(bl_day_of(ts("2027-03-31", 23, 59, 59)), d);
	assert_int_equal(bl_day_of(ts("2027-04-01", 0, 0, 0)), d + 1);
	assert_int_equal(bl_day_of(-1), -1);
	assert_int_equal(ts("2026-11-28", 12, 0, 0), NOW);
}

static void test_expiry_boundary(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exceptions *x = load(&a, one, NOW, 0, &d, 0);
	const struct bl_exception *e = &x->items[0];
	assert_string_equal(e->id, "EX-2026-014");
	assert_string_equal(e->expires, "2027-03-31");
	assert_string_equal(e->created, "2026-10-01");
	assert_string_equal(e->ticket, "SEC-1234");
	assert_int_equal(e->category, BL_EXC_WAIVER);
	/* applies through the whole UTC day of expires, and no longer after it */
	assert_true(bl_exception_active(e, ts("2027-03-31", 0, 0, 0)));
	assert_true(bl_exception_active(e, ts("2027-03-31", 23, 59, 59)));
	assert_false(bl_exception_active(e, ts("2027-04-01", 0, 0, 0)));
	assert_int_equal(bl_exception_days_left(e, ts("2027-03-31", 23, 59, 59)), 0);
	assert_int_equal(bl_exception_days_left(e, ts("2027-04-01", 0, 0, 0)), -1);
	assert_int_equal(bl_exception_days_left(e, ts("2027-03-01", 6, 0, 0)), 30);
	const char *asset = "/subscriptions/s1/resourceGroups/LEGACY-RG/providers/x/sa1";
	assert_ptr_equal(bl_exceptions_find(x, "AZ-ST-01", asset, ts("2027-03-31", 23, 59, 59)), e);
	/* expired: still found (the result says so), but not active */
	assert_ptr_equal(bl_exceptions_find(x, "AZ-ST-01", asset, ts("2027-04-01", 0, 0, 0)), e);
	assert_null(bl_exceptions_find(x, "az-st-01", asset, NOW));       /* control ids are exact */
	assert_null(bl_exceptions_find(x, "AZ-ST-01", "/subscriptions/s1/resourceGroups/other/x", NOW));
	bl_exceptions_free(x);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_active_preferred(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const char *doc =
		"exceptions:\n"
		"  - {id: OLD, control: \"AZ-*\", assets: [\"*\"], category: mitigated, justification: j, approved_by: a, expires: 2026-01-31}\n"
		"  - {id: NEW, control: AZ-ST-01, assets: [\"*/sa1\", \"*/sa2\"], category: risk-accepted, justification: j, approved_by: a, expires: 2027-01-31}\n";
	struct bl_exceptions *x = load(&a, doc, NOW, 0, &d, 0);
	assert_string_equal(bl_exceptions_find(x, "AZ-ST-01", "/r/sa2", NOW)->id, "NEW");
	assert_string_equal(bl_exceptions_find(x, "AZ-ST-02", "/r/sa2", NOW)->id, "OLD");
	assert_null(bl_exceptions_find(x, "VM-01", "/r/sa2", NOW));
	assert_int_equal(x->items[1].category, BL_EXC_RISK_ACCEPTED);
	bl_exceptions_free(x);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_max_days(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	/* 2026-11-28 + 365 days = 2027-11-28: allowed; 2027-11-29 is not */
	const char *ok = "exceptions:\n  - {id: A, control: C, assets: [x], category: waiver, "
			 "justification: j, approved_by: a, expires: 2027-11-28}\n";
	const char *late = "exceptions:\n  - {id: A, control: C, assets: [x], category: waiver, "
			   "justification: j, approved_by: a, expires: 2027-11-29}\n";
	bl_exceptions_free(load(&a, ok, NOW, 0, &d, 0));
	load(&a, late, NOW, 0, &d, BL_EINVAL);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 2);
	assert_int_equal(d.items[0].col, 99);
	assert_string_equal(d.items[0].msg, "expires 2027-11-29 is 366 days ahead: an exception may "
					    "last at most 365 days (until 2027-11-28; see --max-exception-days)");
	bl_diags_free(&d);
	bl_diags_init(&d);
	bl_exceptions_free(load(&a, late, NOW, 366, &d, 0));
	load(&a, ok, NOW, 30, &d, BL_EINVAL);
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void test_validation(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	const char *doc =
		"exceptions:\n"                                     /* 1 */
		"  - id: EX-1\n"                                    /* 2 */
		"    control: C\n"                                  /* 3 */
		"    assets: []\n"                                  /* 4 */
		"    category: waved\n"                             /* 5 */
		"    justification: \"  \"\n"                       /* 6 */
		"    expires: 2027-02-30\n"                         /* 7 */
		"    approvedby: x\n"                               /* 8 */
		"  - id: EX-1\n"                                    /* 9 */
		"    control: C\n"
		"    assets: [x]\n"
		"    category: waiver\n"
		"    justification: j\n"
		"    approved_by: a\n"
		"    created: 2027-02-01\n"                         /* 15 */
		"    expires: 2027-01-01\n";
	load(&a, doc, NOW, 0, &d, BL_EINVAL);
	static const char *const want[] = {
		"2:5: exception is missing required key \"approved_by\"",
		"4:13: assets must list at least one",
		"5:15: category must be waiver, mitigated or risk-accepted, not \"waved\"",
		"6:20: justification must not be empty",
		"7:14: expires must be a date YYYY-MM-DD (UTC), not \"2027-02-30\"",
		"8:5: unknown key \"approvedby\" in exception",
		"9:5: duplicate exception id \"EX-1\" (first at line 2)",
		"15:14: created 2027-02-01 is after expires 2027-01-01",
	};
	assert_int_equal(d.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < d.n; i++) {
		char got[700];
		snprintf(got, sizeof(got), "%u:%u: %s", d.items[i].line, d.items[i].col, d.items[i].msg);
		if (!strstr(got, want[i]))
			fail_msg("diag %zu: want '%s' in '%s'", i, want[i], got);
	}
	bl_diags_free(&d);
	bl_diags_init(&d);
	load(&a, "inventory: x\n", NOW, 0, &d, BL_EINVAL);
	assert_string_equal(d.items[0].msg, "not an exception document (a inventory document)");
	bl_diags_free(&d);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_expiry_boundary),
		cmocka_unit_test(test_active_preferred),
		cmocka_unit_test(test_max_days),
		cmocka_unit_test(test_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
