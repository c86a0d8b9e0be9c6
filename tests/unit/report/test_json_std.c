/*
 * test_json_std.c - report/json.c writes a failure's standard message
 * (struct bl_result.std_message) from the evidence item it has just
 * written, and keeps expected texts escaped by address: every result must
 * still be the bytes of bl_report_result_json, which escapes the message
 * itself.  Results come from the evaluator (engine/evaluate.c) on awkward
 * values, and are made by hand around what the flag promises: quotes,
 * backslashes and control characters in every piece, non-ASCII pieces,
 * values up to and past the 120-byte cut, several evidence items, tags,
 * exceptions, and paths and expected texts changed in place or repeated
 * elsewhere.
 */
#include "../engine/enginetest.h"

#include "engine/evaluate.h"
#include "engine/rollup.h"
#include "model/exceptions.h"
#include "report/report.h"

/* ---- a JSON report fed results, compared with the shared writer -------- */

struct feed {
	struct bl_report *r;
	struct bl_run_stats st;
	struct bl_tally pc[64];
};

static void feed_open(struct feed *fd, const struct bl_baseline *b)
{
	struct bl_error e;
	struct bl_report_opts o = {.all = true};
	memset(fd, 0, sizeof(*fd));
	assert_true(b->ncontrols <= 64);
	assert_int_equal(bl_report_open(&fd->r, "json", b, &o, &e), 0);
	fd->st.per_control = fd->pc;
	fd->st.controls = b->ncontrols;
}

static void feed_count(struct feed *fd, const struct bl_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fd->st.total.n[res[i].status]++;
		fd->pc[res[i].control->index].n[res[i].status]++;
	}
}

/* Finish into memory; the caller frees the text. */
static char *feed_finish(struct feed *fd, const struct bl_baseline *b)
{
	struct bl_error e;
	struct bl_rollup ru;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_rollup_build(&ru, b, &fd->st), 0);
	struct bl_run_info run = {.id = "x", .started = "s", .finished = "f", .baseline = b,
				  .stats = &fd->st, .rollup = &ru};
	assert_int_equal(bl_report_finish(fd->r, &run, f, &e), 0);
	bl_report_free(fd->r);
	bl_rollup_free(&ru);
	fclose(f);
	return buf;
}

/* The shared writer's bytes of res[0..n) as the report lists them. */
static void want_results(struct bl_buf *want, const struct bl_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bl_buf_adds(want, want->len ? ",\n    " : "\n    ");
		assert_int_equal(bl_report_result_json(want, &res[i]), 0);
	}
}

static void check(const char *out, const struct bl_buf *want)
{
	const char *p = strstr(out, "\"results\": [");
	assert_non_null(p);
	p += strlen("\"results\": [");
	if (strncmp(p, want->data, want->len) != 0) {
		size_t i = 0;
		while (p[i] == want->data[i])
			i++;
		size_t from = i > 200 ? i - 200 : 0;
		fail_msg("results differ at %zu:\n got: %.300s\nwant: %.300s", i, p + from,
			 want->data + from);
	}
	assert_string_equal(p + want->len, "\n  ]\n}\n");
}

/* res[0..n) one by one and as one batch: both the shared writer's bytes. */
static void check_both(const struct bl_baseline *b, const struct bl_result *res, size_t n)
{
	struct bl_buf want;
	bl_buf_init(&want, 0);
	want_results(&want, res, n);
	for (int batch = 0; batch < 2; batch++) {
		struct feed fd;
		feed_open(&fd, b);
		if (batch) {
			assert_int_equal(bl_report_results(fd.r, res, n), 0);
		} else {
			for (size_t i = 0; i < n; i++)
				assert_int_equal(bl_report_result(fd.r, &res[i]), 0);
		}
		feed_count(&fd, res, n);
		char *out = feed_finish(&fd, b);
		check(out, &want);
		free(out);
	}
	bl_buf_free(&want);
}

/* The standard message of r as struct bl_result.std_message describes it. */
static void std_text(struct bl_buf *b, const struct bl_result *r)
{
	const struct bl_evidence *e = &r->evidence[0];
	bl_buf_reset(b);
	bl_buf_adds(b, e->path);
	if (!e->actual) {
		bl_buf_adds(b, " is missing; expected ");
	} else if (e->actual->type == BL_VBOOL) {
		bl_buf_adds(b, e->actual->b ? " is true; expected " : " is false; expected ");
	} else {
		assert_int_equal(e->actual->type, BL_VSTR);
		bl_buf_adds(b, " is \"");
		bl_buf_add(b, e->actual->u.str.s, e->actual->u.str.len);
		bl_buf_adds(b, "\"; expected ");
	}
	bl_buf_adds(b, e->expected);
	if (r->nevidence > 1)
		bl_buf_printf(b, " (and %zu more)", r->nevidence - 1);
	bl_buf_addc(b, '\0');
}

/* ---- results from the evaluator ---------------------------------------- */

static const char *eval_doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: STR, title: t, severity: high, expect: {field: s, equals: Enabled}}\n"
	"  - {id: MISS, title: t, severity: high, expect: {field: m, equals: x}}\n"
	"  - {id: BOOL, title: t, severity: low, expect: {field: b, equals: true}}\n"
	"  - {id: NUM, title: t, severity: low, expect: {field: n, less: 5}}\n"
	"  - {id: ANY, title: t, severity: low, expect: {anyOf: [{field: s, equals: a},\n"
	"       {field: b, equals: true}, {field: m, equals: \"q\\\"x\"}]}}\n"
	"  - {id: ARR, title: t, severity: low, expect: {field: \"arr[*]\", equals: ok}}\n"
	"  - {id: VIOL, title: t, severity: low, violation: {field: s, like: \"*\"}}\n"
	"  - {id: BS, title: t, severity: low, expect: {field: s, equals: \"a\\\\b\\\"c\\td\\x01\"}}\n"
	"  - {id: UNI, title: t, severity: low, expect: {field: \"caf\xc3\xa9\", equals: x}}\n"
	"  - {id: UNX, title: t, severity: low, expect: {field: s, equals: \"\xc3\xa9t\xc3\xa9\"}}\n"
	"  - {id: KEY, title: t, severity: low, expect: {field: \"k\\\"ey\\\\x\", equals: x}}\n";

/* The failing values: s of each asset (JSON text), the rest the same. */
static const char *const s_values[] = {
	"\"Disabled\"", "\"Enabled\"", "\"\"", "\"a\\\"b\"", "\"back\\\\slash\"", "\"tab\\there\"",
	"\"ctl\\u0001x\"", "\"caf\\u00e9\"", "\"line\\u2028sep\"", "null", "true", "12.5",
	"[1, \"x\"]", "{\"k\": \"v\"}", "\"<\\/script>\"",
};

static void test_evaluated_failures(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, eval_doc);
	const struct bl_baseline *b = t.b;
	size_t nc = b->ncontrols;
	uint32_t ctrl[64];
	for (uint32_t i = 0; i < nc; i++)
		ctrl[i] = i;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_eval ev;
	bl_eval_init(&ev);
	struct bl_results out = {0};
	/* strings of 100..130 bytes: quoted in full up to 118, then cut */
	enum { NLONG = 31 };
	size_t nassets = sizeof(s_values) / sizeof(s_values[0]) + NLONG;
	struct bl_asset *assets = calloc(nassets, sizeof(*assets));
	assert_non_null(assets);
	struct bl_buf doc;
	bl_buf_init(&doc, 0);
	for (size_t i = 0; i < nassets; i++) {
		bl_buf_reset(&doc);
		bl_buf_adds(&doc, "{\"s\": ");
		if (i < sizeof(s_values) / sizeof(s_values[0])) {
			bl_buf_adds(&doc, s_values[i]);
		} else {
			bl_buf_addc(&doc, '"');
			for (size_t k = 0; k < 100 + i - sizeof(s_values) / sizeof(s_values[0]); k++)
				bl_buf_addc(&doc, (char)('a' + k % 26));
			bl_buf_addc(&doc, '"');
		}
		bl_buf_printf(&doc, ", \"b\": %s, \"n\": %d, \"arr\": [\"ok\", \"no\", \"n\\\"o\"],"
				    " \"caf\\u00e9\": \"y\", \"k\\\"ey\\\\x\": \"y\"}",
			      i % 3 ? "false" : "true", (int)i);
		bl_buf_addc(&doc, '\0');
		assets[i] = (struct bl_asset){.id = "/subs/1/r", .type = "T", .doc = tu_json(&a, doc.data),
					      .serial = i + 1};
		assert_int_equal(bl_evaluate_asset(b, ctrl, nc, &assets[i], NULL, &ev, &a, &out), 0);
	}
	assert_int_equal(out.n, nassets * nc);
	/* the flag says what the message is; the common forms have it */
	size_t nstd = 0, nfail = 0;
	struct bl_buf txt;
	bl_buf_init(&txt, 0);
	for (size_t i = 0; i < out.n; i++) {
		const struct bl_result *r = &out.items[i];
		if (r->status != BL_FAIL) {
			assert_false(r->std_message);
			continue;
		}
		nfail++;
		if (!r->std_message)
			continue;
		nstd++;
		std_text(&txt, r);
		assert_string_equal(r->message, txt.data);
	}
	assert_true(nfail > 0 && nstd > nfail / 2);
	/* and the report writes the same bytes as the shared writer */
	check_both(b, out.items, out.n);
	bl_buf_free(&txt);
	bl_buf_free(&doc);
	free(assets);
	bl_results_free(&out);
	bl_eval_fini(&ev);
	bl_arena_free(&a);
	et_free(&t);
}

/* ---- results made by hand ---------------------------------------------- */

static const char *hand_doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: C-1, title: one, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: C-2, title: two, severity: low, effect: deny, expect: {field: x, exists: true}}\n";

/* Awkward ASCII texts for paths and expected texts, and two non-ASCII. */
static const char *const pieces[] = {
	"p", "properties.supportsHttpsTrafficOnly", "a\"b", "back\\slash", "tab\there\n",
	"ctl\x01\x1f\x7f", "equals \"Enabled\"", "in [\"a\",\"b\\\\c\"]", "",
	"sixteen bytes ok", "seventeen bytes\"!", "caf\xc3\xa9", "bad \xff byte",
};
#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))

/* A string value of n bytes, plain (what the flag allows for a string). */
static const char *plain_value(struct bl_arena *a, size_t n)
{
	char *s = bl_arena_alloc(a, n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('A' + i % 26);
	s[n] = '\0';
	return s;
}

static void test_hand_made(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, hand_doc);
	const struct bl_baseline *b = t.b;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	static const size_t vlens[] = {0, 1, 15, 16, 17, 118};
	static const size_t nevs[] = {1, 2, 10, 11, 124};
	struct bl_value vt = {.type = BL_VBOOL, .b = true}, vf = {.type = BL_VBOOL, .b = false};
	struct bl_member tag = {.key = "k", .klen = 1,
				.val = {.type = BL_VSTR, .u.str = {.s = "v\"", .len = 2}}};
	struct bl_value tags = {.type = BL_VOBJ};
	tags.u.obj.items = &tag;
	tags.u.obj.n = 1;
	struct bl_exceptions *x;
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exc_opts xo = {.now = 1795824000};
	assert_int_equal(bl_exceptions_from_doc(&x, tu_doc(&a,
		"exceptions:\n"
		"  - {id: EX-1, control: C-1, assets: [\"*\"], category: waiver, justification: j,\n"
		"     approved_by: a@example.org, ticket: T-1, expires: 2027-03-31}\n",
		"exc.yaml"), &xo, &d), 0);
	bl_diags_free(&d);
	struct bl_asset as = {.id = "/subs/1/a", .type = "T", .serial = 1};
	size_t cap = NPIECES * NPIECES * 9 * 2 + 64;
	struct bl_result *res = calloc(cap, sizeof(*res));
	assert_non_null(res);
	struct bl_buf txt;
	bl_buf_init(&txt, 0);
	size_t n = 0;
	for (size_t p = 0; p < NPIECES; p++)
		for (size_t q = 0; q < NPIECES; q++)
			for (size_t k = 0; k < 9; k++) {
				/* values: missing, true, false, plain strings */
				const struct bl_value *v = NULL;
				if (k == 1)
					v = &vt;
				else if (k == 2)
					v = &vf;
				else if (k >= 3) {
					struct bl_value *sv = bl_arena_alloc(&a, sizeof(*sv));
					assert_non_null(sv);
					size_t len = vlens[k - 3];
					*sv = (struct bl_value){.type = BL_VSTR,
								.u.str = {.s = plain_value(&a, len),
									  .len = (uint32_t)len}};
					v = sv;
				}
				size_t nev = nevs[(p + q + k) % 5];
				struct bl_evidence *e = bl_arena_alloc(&a, nev * sizeof(*e));
				assert_non_null(e);
				for (size_t i = 0; i < nev; i++)
					e[i] = (struct bl_evidence){.path = pieces[(p + i) % NPIECES],
								    .actual = i ? &vt : v,
								    .expected = pieces[(q + i) % NPIECES]};
				for (int var = 0; var < 2; var++) {
					struct bl_result *r = &res[n++];
					*r = (struct bl_result){.control = &b->controls[var], .asset = &as,
								.status = BL_FAIL, .evidence = e,
								.nevidence = nev, .std_message = true};
					std_text(&txt, r);
					r->message = bl_arena_strndup(&a, txt.data, txt.len - 1);
					/* tags: through the other writer of evidence */
					if (var && k % 2)
						r->tags = &tags;
				}
			}
	/* a flag on a value it does not allow (null, a string JSON escapes):
	 * the message is escaped whole, as the shared writer does */
	static struct bl_value vnull = {.type = BL_VNULL};
	static struct bl_value vq = {.type = BL_VSTR, .u.str = {.s = "a\"b\\", .len = 4}};
	static struct bl_evidence odd[2] = {{.path = "p", .actual = &vnull, .expected = "x"},
					    {.path = "p", .actual = &vq, .expected = "x"}};
	res[n++] = (struct bl_result){.control = &b->controls[0], .asset = &as, .status = BL_FAIL,
				      .evidence = &odd[0], .nevidence = 1, .std_message = true,
				      .message = "p is null; expected x"};
	res[n++] = (struct bl_result){.control = &b->controls[0], .asset = &as, .status = BL_FAIL,
				      .evidence = &odd[1], .nevidence = 1, .std_message = true,
				      .message = "p is \"a\"b\\\"; expected x"};
	/* an exception changes the message and clears the flag */
	res[n] = res[0];
	res[n].status = BL_EXEMPT;
	res[n].exception = &x->items[0];
	res[n].exc_state = BL_EXC_ACTIVE;
	res[n].std_message = false;
	res[n].message = "exempt by EX-1 (waiver, expires 2027-03-31): p is missing; expected p";
	n++;
	assert_true(n <= cap);
	check_both(b, res, n);
	free(res);
	bl_buf_free(&txt);
	bl_exceptions_free(x);
	bl_arena_free(&a);
	et_free(&t);
}

/* ---- paths and expected texts kept by address --------------------------- */

struct live {
	struct bl_buf *want;
	const struct bl_result *res;
	char *buf;                /* an expected text rewritten in place */
	char *pbuf;               /* a path rewritten in place */
};

/* Result i: the buffer's text changes every third result, and the
 * expected bytes are recorded as they are when the result is reported. */
static void step(struct live *l, size_t i)
{
	static const char *const texts[] = {"equals \"A\"", "equals \"B\"", "equals \"A\\\"",
					    "notEquals \"A\"", "equals \"A\""};
	static const char *const paths[] = {"a.b", "a.c", "a[\"x\"]", "a.b"};
	if (i % 3 == 0)
		snprintf(l->buf, 32, "%s", texts[(i / 3) % 5]);
	if (i % 4 == 0)
		snprintf(l->pbuf, 32, "%s", paths[(i / 4) % 4]);
	bl_buf_adds(l->want, l->want->len ? ",\n    " : "\n    ");
	assert_int_equal(bl_report_result_json(l->want, &l->res[i]), 0);
}

static void test_strings_kept_by_address(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, hand_doc);
	const struct bl_baseline *b = t.b;
	struct bl_asset as = {.id = "/subs/1/a", .type = "T"};
	char buf[32] = "", pbuf[32] = "";
	/* the same text at another address, and other texts in the same slots */
	char other[32] = "equals \"A\"";
	struct bl_value v = {.type = BL_VSTR, .u.str = {.s = "x", .len = 1}};
	enum { N = 60 };
	struct bl_evidence ev[N];
	struct bl_result res[N];
	for (size_t i = 0; i < N; i++) {
		ev[i] = (struct bl_evidence){.path = i % 5 == 2 ? "a.b" : pbuf, .actual = &v,
					     .expected = i % 4 == 3 ? other : buf};
		res[i] = (struct bl_result){.control = &b->controls[i % 2], .asset = &as,
					    .status = BL_FAIL, .evidence = &ev[i], .nevidence = 1,
					    .message = "some failure"};
	}
	struct bl_buf want;
	bl_buf_init(&want, 0);
	struct live l = {.want = &want, .res = res, .buf = buf, .pbuf = pbuf};
	struct feed fd;
	feed_open(&fd, b);
	for (size_t i = 0; i < N; i++) {
		step(&l, i);
		assert_int_equal(bl_report_result(fd.r, &res[i]), 0);
	}
	feed_count(&fd, res, N);
	char *out = feed_finish(&fd, b);
	check(out, &want);
	free(out);
	bl_buf_free(&want);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluated_failures),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_strings_kept_by_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
