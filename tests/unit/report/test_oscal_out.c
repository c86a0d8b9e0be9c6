/* Unit tests for the OSCAL writers (report/oscal_ar.c, oscal_poam.c) and the
 * helpers they share (wutil.c): findings per framework control with their
 * objective status and observation links, evidence, tokens the schema
 * accepts, POA&M risks open and deviation-approved, UUIDs, the chain spool.
 * Schema validation itself runs in tests/e2e/t_writers.py (ajv). */
#include "writertest.h"

#include "report/wutil.h"

static const struct bl_value *get(const struct bl_value *o, const char *k)
{
	const struct bl_value *v = bl_value_getz(o, k);
	if (!v)
		fail_msg("missing member \"%s\"", k);
	return v;
}

static const struct bl_value *at(const struct bl_value *arr, size_t i)
{
	assert_int_equal(arr->type, BL_VARR);
	assert_true(i < arr->u.arr.n);
	return &arr->u.arr.items[i];
}

/* The value of the prop named name (first one), or NULL. */
static const struct bl_value *prop(const struct bl_value *o, const char *name)
{
	const struct bl_value *props = get(o, "props");
	for (size_t i = 0; i < props->u.arr.n; i++) {
		size_t n;
		const char *s = bl_value_strz(&props->u.arr.items[i], "name", &n);
		if (wt_eq(s, n, name)) {
			assert_str_member(&props->u.arr.items[i], "ns", BL_OSCAL_NS);
			return get(&props->u.arr.items[i], "value");
		}
	}
	return NULL;
}

static bool str_is(const struct bl_value *v, const char *want)
{
	return v && v->type == BL_VSTR && wt_eq(v->u.str.s, v->u.str.len, want);
}

static bool uuid_ok(const struct bl_value *v)
{
	if (!v || v->type != BL_VSTR || v->u.str.len != 36)
		return false;
	return v->u.str.s[14] == '4' && strchr("89ab", v->u.str.s[19]);
}

/* The finding whose title is want. */
static const struct bl_value *finding(const struct bl_value *findings, const char *title)
{
	for (size_t i = 0; i < findings->u.arr.n; i++)
		if (str_is(bl_value_getz(&findings->u.arr.items[i], "title"), title))
			return &findings->u.arr.items[i];
	fail_msg("no finding \"%s\"", title);
	return NULL;
}

static void test_assessment_results(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	char *out = wt_render(&w, "oscal-ar", false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *ar = get(tu_json(&a, out), "assessment-results");
	assert_true(uuid_ok(get(ar, "uuid")));
	const struct bl_value *md = get(ar, "metadata");
	assert_str_member(md, "oscal-version", "1.2.1");
	assert_str_member(md, "version", "2.0.0");
	assert_str_member(md, "last-modified", "2026-11-28T10:00:02Z");
	assert_str_member(md, "title", "Assessment of baseline wt 2.0.0");
	/* import-ap points at the back-matter resource describing the baseline */
	size_t n;
	const char *href = bl_value_strz(get(ar, "import-ap"), "href", &n);
	const struct bl_value *res0 = at(get(get(ar, "back-matter"), "resources"), 0);
	const struct bl_value *ru = get(res0, "uuid");
	assert_int_equal(n, 37);
	assert_int_equal(href[0], '#');
	assert_memory_equal(href + 1, ru->u.str.s, 36);

	const struct bl_value *r = at(get(ar, "results"), 0);
	assert_str_member(r, "uuid", "6f1c2a9e-3b7d-4c55-9a0e-8d2f4b1c7e30");
	assert_str_member(r, "start", "2026-11-28T10:00:00Z");
	assert_str_member(r, "end", "2026-11-28T10:00:02Z");
	assert_true(str_is(prop(r, "target"), "snaps/a b.json"));
	const struct bl_value *sel = get(get(r, "reviewed-controls"), "control-selections");
	assert_int_equal(sel->u.arr.n, 3);
	assert_true(str_is(prop(at(sel, 0), "framework"), "mcsb-v1"));
	assert_str_member(at(get(at(sel, 0), "include-controls"), 0), "control-id", "dp-3");
	assert_true(str_is(prop(at(sel, 1), "framework"), "nist-800-53-r5"));
	assert_str_member(at(get(at(sel, 1), "include-controls"), 0), "control-id", "sc-8.1");
	assert_str_member(at(get(at(sel, 2), "include-controls"), 0), "control-id", "cis-v8-3.10");

	/* observations: fail, exempt, error (pass and n/a are only counted) */
	const struct bl_value *obs = get(r, "observations");
	assert_int_equal(obs->u.arr.n, 3);
	const struct bl_value *o0 = at(obs, 0);
	assert_true(uuid_ok(get(o0, "uuid")));
	/* one line: newline to space, C0 control and invalid byte dropped */
	assert_str_member(o0, "title", "HI on =HYPERLINK(\"http://x\",\"y\") <b>&'");
	assert_str_member(o0, "description", "x is false");
	assert_true(str_is(prop(o0, "status"), "fail"));
	assert_true(str_is(prop(o0, "control"), "HI"));
	assert_true(str_is(at(get(o0, "methods"), 0), "TEST"));
	assert_str_member(o0, "collected", "2026-11-28T10:00:02Z");
	const struct bl_value *ev = get(o0, "relevant-evidence");
	assert_int_equal(ev->u.arr.n, 2);
	assert_str_member(at(ev, 0), "description", "x: false (expected exists true)");
	assert_str_member(at(ev, 1), "description", "y: missing (expected equals 1)");
	assert_true(str_is(prop(at(obs, 1), "exception"), "EX-1"));
	/* no evidence: the message stands in */
	assert_str_member(at(get(at(obs, 2), "relevant-evidence"), 0), "description", "cannot read x");

	const struct bl_value *fs = get(r, "findings");
	assert_int_equal(fs->u.arr.n, 3);
	const struct bl_value *dp3 = finding(fs, "mcsb-v1 DP-3");
	const struct bl_value *tg = get(dp3, "target");
	assert_str_member(tg, "type", "objective-id");
	assert_str_member(tg, "target-id", "dp-3_obj");
	assert_str_member(get(tg, "status"), "state", "not-satisfied");
	assert_str_member(get(tg, "status"), "reason", "other");   /* worst is error */
	assert_true(str_is(prop(dp3, "status"), "error"));
	/* HI and MED map to DP-3: all three observations, in control order */
	const struct bl_value *rel = get(dp3, "related-observations");
	assert_int_equal(rel->u.arr.n, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct bl_value *u = get(at(rel, i), "observation-uuid");
		const struct bl_value *want = get(at(obs, i), "uuid");
		assert_memory_equal(u->u.str.s, want->u.str.s, 36);
	}
	const struct bl_value *sc8 = finding(fs, "nist-800-53-r5 SC-8(1)");
	assert_str_member(get(sc8, "target"), "target-id", "sc-8.1_obj");
	assert_str_member(get(get(sc8, "target"), "status"), "reason", "fail");
	assert_int_equal(get(sc8, "related-observations")->u.arr.n, 2);
	assert_str_member(get(finding(fs, "cis-v8 3.10"), "target"), "target-id", "cis-v8-3.10_obj");
	free(out);
	bl_arena_free(&a);
	wt_free(&w);
}

/* Only passing results: every finding satisfied, no observations key. */
static void test_assessment_results_pass(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	w.res[0].status = BL_PASS;
	w.res[0].nevidence = 0;
	char *out = wt_render_n(&w, "oscal-ar", false, 1);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *r = at(get(get(tu_json(&a, out), "assessment-results"), "results"), 0);
	assert_null(bl_value_getz(r, "observations"));
	const struct bl_value *fs = get(r, "findings");
	assert_int_equal(fs->u.arr.n, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct bl_value *st = get(get(at(fs, i), "target"), "status");
		assert_str_member(st, "state", "satisfied");
		assert_str_member(st, "reason", "pass");
		assert_null(bl_value_getz(at(fs, i), "related-observations"));
	}
	free(out);
	bl_arena_free(&a);
	wt_free(&w);
}

static void test_poam(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	char *out = wt_render(&w, "oscal-poam", false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *p = get(tu_json(&a, out), "plan-of-action-and-milestones");
	assert_true(uuid_ok(get(p, "uuid")));
	assert_str_member(get(p, "metadata"), "oscal-version", "1.2.1");
	assert_str_member(get(p, "system-id"), "id", "baseline:wt");
	const struct bl_value *risks = get(p, "risks");
	/* HI: the open gap and the EX-1 deviation; MED's error is not a gap */
	assert_int_equal(risks->u.arr.n, 2);
	const struct bl_value *open = at(risks, 0), *dev = at(risks, 1);
	assert_str_member(open, "status", "open");
	assert_str_member(open, "title", "HI: High one");
	assert_str_member(open, "statement", "Because.");
	assert_true(str_is(prop(open, "failing-assets"), "1"));
	assert_str_member(at(get(open, "remediations"), 0), "lifecycle", "recommendation");
	assert_str_member(at(get(open, "remediations"), 0), "description", "Fix it.");
	assert_str_member(dev, "status", "deviation-approved");
	assert_str_member(dev, "deadline", "2027-03-31T23:59:59Z");
	assert_str_member(dev, "statement", "Legacy\nclient.");
	assert_true(str_is(prop(dev, "exception"), "EX-1"));
	assert_true(str_is(prop(dev, "approved-by"), "ciso@example.org"));
	assert_true(str_is(prop(dev, "ticket"), "SEC-1"));
	assert_true(str_is(prop(dev, "expires"), "2027-03-31"));
	const struct bl_value *items = get(p, "poam-items");
	assert_int_equal(items->u.arr.n, 1);
	const struct bl_value *it = at(items, 0);
	assert_str_member(it, "title", "Remediate HI: High one");
	const struct bl_value *rr = get(it, "related-risks");
	assert_int_equal(rr->u.arr.n, 2);
	assert_memory_equal(get(at(rr, 0), "risk-uuid")->u.str.s, get(open, "uuid")->u.str.s, 36);
	assert_memory_equal(get(at(rr, 1), "risk-uuid")->u.str.s, get(dev, "uuid")->u.str.s, 36);
	free(out);
	bl_arena_free(&a);

	/* nothing failing or exempt: no risks, one item saying so (the schema needs one) */
	out = wt_render_n(&w, "oscal-poam", false, 0);
	bl_arena_init(&a, 0);
	p = get(tu_json(&a, out), "plan-of-action-and-milestones");
	assert_null(bl_value_getz(p, "risks"));
	assert_int_equal(get(p, "poam-items")->u.arr.n, 1);
	assert_str_member(at(get(p, "poam-items"), 0), "title", "No open items");
	free(out);
	bl_arena_free(&a);
	wt_free(&w);
}

static void ostr(const char *in, const char *want)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_oscal_str(&b, in, "FALLBACK");
	assert_string_equal(b.data, want);
	bl_buf_free(&b);
}

static void tok(const char *in, const char *prefix, const char *want)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_oscal_token(&b, in, prefix);
	assert_string_equal(b.data, want);
	bl_buf_free(&b);
}

static void test_oscal_strings(void **state)
{
	(void)state;
	ostr("plain", "\"plain\"");
	ostr("  two \n\t words \r\n", "\"two words\"");
	ostr("a\xE2\x80\xA8" "b", "\"a b\"");        /* U+2028 */
	ostr("x\x01y\xff", "\"xy\"");
	ostr("", "\"FALLBACK\"");
	ostr(" \n ", "\"FALLBACK\"");
	ostr(NULL, "\"FALLBACK\"");
	ostr("say \"hi\"", "\"say \\\"hi\\\"\"");
	tok("SC-8(1)", "x-", "sc-8.1");
	tok("AC-2(12)(a)", "x-", "ac-2.12.a");
	tok("3.10", "cis-v8-", "cis-v8-3.10");
	tok("DP 3/b", "x-", "dp-3-b");
	tok("_x", "p-", "p-_x");
}

static void test_uuid(void **state)
{
	(void)state;
	char a[37], b[37];
	bl_report_uuid4(a);
	bl_report_uuid4(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

static int collect(void *ctx, const char *data, size_t len)
{
	bl_buf_add(ctx, data, len);
	bl_buf_addc(ctx, '|');
	return 0;
}

static int stop_at_two(void *ctx, const char *data, size_t len)
{
	(void)len;
	(*(int *)ctx)++;
	return data[0] == '2' ? 7 : 0;
}

static void test_chain(void **state)
{
	(void)state;
	struct bl_chain c;
	assert_int_equal(bl_chain_open(&c, 3), 0);
	assert_int_equal(bl_chain_add(&c, 1, "1a", 2), 0);
	assert_int_equal(bl_chain_add(&c, 0, "0a", 2), 0);
	assert_int_equal(bl_chain_add(&c, 1, "1b-longer", 9), 0);
	assert_int_equal(bl_chain_add(&c, 1, "", 0), 0);
	assert_int_equal(bl_chain_add(&c, 0, "0b", 2), 0);
	assert_int_equal(bl_chain_add(&c, 3, "x", 1), BL_EINVAL);
	struct bl_buf b;
	bl_buf_init(&b, 0);
	assert_int_equal(bl_chain_each(&c, 1, collect, &b), 0);
	assert_string_equal(b.data, "1a|1b-longer||");
	bl_buf_reset(&b);
	assert_int_equal(bl_chain_each(&c, 0, collect, &b), 0);
	assert_string_equal(b.data, "0a|0b|");
	bl_buf_reset(&b);
	assert_int_equal(bl_chain_each(&c, 2, collect, &b), 0);
	assert_int_equal(b.len, 0);
	/* adding after reading keeps every chain intact */
	assert_int_equal(bl_chain_add(&c, 0, "0c", 2), 0);
	assert_int_equal(bl_chain_each(&c, 0, collect, &b), 0);
	assert_string_equal(b.data, "0a|0b|0c|");
	bl_buf_free(&b);
	assert_int_equal(bl_chain_add(&c, 2, "2a", 2), 0);
	assert_int_equal(bl_chain_add(&c, 2, "2b", 2), 0);
	int calls = 0;
	assert_int_equal(bl_chain_each(&c, 2, stop_at_two, &calls), 7);
	assert_int_equal(calls, 1);
	bl_chain_close(&c);
}

struct seq {
	size_t key, next, bytes;
};

/* Records of key k carry "k:i" then filler; check they come back in order. */
static int check_seq(void *ctx, const char *data, size_t len)
{
	struct seq *q = ctx;
	char want[32];
	int w = snprintf(want, sizeof(want), "%zu:%zu;", q->key, q->next);
	assert_true(len >= (size_t)w);
	assert_memory_equal(data, want, (size_t)w);
	q->next++;
	q->bytes += len;
	return 0;
}

/* Past the 1 MiB write buffer, with a record larger than it in the middle. */
static void test_chain_large(void **state)
{
	(void)state;
	struct bl_chain c;
	assert_int_equal(bl_chain_open(&c, 3), 0);
	char *rec = malloc(3u << 20);
	assert_non_null(rec);
	size_t count[3] = {0}, total[3] = {0};
	for (size_t i = 0; i < 6000; i++) {
		size_t k = (i * 7) % 3, len = i == 3000 ? (3u << 20) : 100 + i % 900;
		memset(rec, 'x', len);
		int w = snprintf(rec, 32, "%zu:%zu;", k, count[k]);
		rec[w] = 'x';
		assert_int_equal(bl_chain_add(&c, k, rec, len), 0);
		count[k]++;
		total[k] += len;
	}
	for (size_t k = 0; k < 3; k++) {
		struct seq q = {.key = k};
		assert_int_equal(bl_chain_each(&c, k, check_seq, &q), 0);
		assert_int_equal(q.next, count[k]);
		assert_int_equal(q.bytes, total[k]);
	}
	free(rec);
	bl_chain_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assessment_results),
		cmocka_unit_test(test_assessment_results_pass),
		cmocka_unit_test(test_poam),
		cmocka_unit_test(test_oscal_strings),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_chain_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
