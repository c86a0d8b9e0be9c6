/* Unit tests for report/json.c's result serialisation: the cached per-control
 * and per-asset fragments and the inline string escaper must write exactly
 * the bytes of bl_report_result_json, result by result, for hostile strings,
 * null fields, evidence, tags, exceptions and assets that reuse an address. */
#include "../engine/enginetest.h"

#include "doc/json.h"
#include "engine/rollup.h"
#include "model/exceptions.h"
#include "report/report.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: C-1, title: one, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: C-2, title: two, severity: low, effect: deny, expect: {field: x, exists: true}}\n"
	"  - {id: C-3, title: three, severity: info, expect: {field: x, exists: true}}\n";

/* Render results through the JSON writer, one by one (batch 0) or in runs
 * of batch through bl_report_results; returns the malloc'ed document. */
static char *render(struct et *t, const struct bl_result *res, size_t n, bool all, size_t batch)
{
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {.all = all};
	assert_int_equal(bl_report_open(&r, "json", t->b, &o, &e), 0);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[8];
	memset(pc, 0, sizeof(pc));
	assert_true(t->b->ncontrols <= 8);
	st.per_control = pc;
	st.controls = t->b->ncontrols;
	for (size_t i = 0; batch && i < n; i += batch)
		assert_int_equal(bl_report_results(r, res + i, n - i < batch ? n - i : batch), 0);
	for (size_t i = 0; i < n; i++) {
		if (!batch)
			assert_int_equal(bl_report_result(r, &res[i]), 0);
		st.total.n[res[i].status]++;
		pc[res[i].control->index].n[res[i].status]++;
	}
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, t->b, &st), 0);
	struct bl_run_info run = {.id = "00000000-0000-4000-8000-000000000000",
				  .started = "2026-01-01T00:00:00Z", .finished = "2026-01-01T00:00:01Z",
				  .baseline = t->b, .stats = &st, .rollup = &ru};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	return buf;
}

/* Every written result equals bl_report_result_json of the same result. */
static void check_same_batch(struct et *t, const struct bl_result *res, size_t n, bool all,
			     size_t batch)
{
	char *out = render(t, res, n, all, batch);
	const char *p = strstr(out, "\"results\": [\n    ");
	assert_non_null(p);
	p += strlen("\"results\": [\n    ");
	struct bl_buf want;
	bl_buf_init(&want, 0);
	size_t written = 0;
	for (size_t i = 0; i < n; i++) {
		if (res[i].status == BL_NA && !all)
			continue;
		bl_buf_reset(&want);
		if (written)
			bl_buf_adds(&want, ",\n    ");
		assert_int_equal(bl_report_result_json(&want, &res[i]), 0);
		if (strncmp(p, want.data, want.len) != 0)
			fail_msg("result %zu differs:\n got: %.*s\nwant: %s", i, (int)want.len, p,
				 want.data);
		p += want.len;
		written++;
	}
	assert_string_equal(p, "\n  ]\n}\n");
	bl_buf_free(&want);
	free(out);
}

/* The same one by one and in batches of several sizes. */
static void check_same(struct et *t, const struct bl_result *res, size_t n, bool all)
{
	static const size_t batches[] = {0, 1, 2, 5, 4096};
	for (size_t k = 0; k < sizeof(batches) / sizeof(batches[0]); k++)
		check_same_batch(t, res, n, all, batches[k]);
}

static void test_fragments_match_shared_writer(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_value tags = {.type = BL_VOBJ};
	struct bl_member tm = {.key = "env", .klen = 3,
			       .val = {.type = BL_VSTR, .u.str = {.s = "pr\"od", .len = 5}}};
	tags.u.obj.items = &tm;
	tags.u.obj.n = 1;
	struct bl_asset a1 = {.id = "/subs/1/vm\"one\\\x01\x1f\t", .type = "microsoft.compute/vm",
			      .tier = 2, .environment = "prod", .owner = "team-\xc3\xa9"};
	struct bl_asset a2 = {.id = "plain", .type = "T"};
	struct bl_asset a3 = {.id = "emoji \xf0\x9f\x94\x91 \xe2\x80\xa8 bad \xff", .type = "T",
			      .tier = 3};
	struct bl_value actual = {.type = BL_VSTR, .u.str = {.s = "tls1_0", .len = 6}};
	struct bl_evidence ev[2] = {
		{.path = "properties.minimumTlsVersion", .actual = &actual,
		 .expected = "equals \"TLS1_2\""},
		{.path = "x", .actual = NULL, .expected = "exists true"},
	};
	struct bl_exception exc = {.id = "EX-1", .expires = "2030-01-01",
				   .category = BL_EXC_WAIVER};
	const struct bl_control *c = t.b->controls;
	struct bl_result res[] = {
		{.control = &c[0], .asset = &a1, .status = BL_FAIL, .evidence = ev, .nevidence = 2,
		 .message = "properties.minimumTlsVersion is \"tls1_0\"; expected equals \"TLS1_2\""},
		{.control = &c[1], .asset = &a1, .status = BL_PASS, .message = "compliant",
		 .classification = "confidential", .tags = &tags},
		{.control = &c[2], .asset = &a1, .status = BL_NA, .message = "n/a\n"},
		{.control = &c[0], .asset = &a2, .status = BL_EXEMPT, .message = "exempt by EX-1",
		 .exception = &exc, .exc_state = BL_EXC_ACTIVE},
		{.control = &c[1], .asset = &a2, .status = BL_ERROR, .message = "bad \xc3\xa9\x01",
		 .exception = &exc, .exc_state = BL_EXC_NOT_APPLIED},
		{.control = &c[2], .asset = &a3, .status = BL_FAIL, .message = "\xe2\x80\xa9"},
		{.control = &c[0], .asset = &a1, .status = BL_PASS, .message = "compliant"},
	};
	size_t n = sizeof(res) / sizeof(res[0]);
	check_same(&t, res, n, true);
	check_same(&t, res, n, false);
	et_free(&t);
}

/* An asset at the same address with other contents (arenas recycle
 * addresses between chunks) must not reuse the previous asset's fragment. */
static void test_reused_address(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char id[16] = "asset-a";
	char env[8] = "prod";
	struct bl_asset a = {.id = id, .type = "T", .tier = 1, .environment = env};
	struct bl_result res[4];
	memset(res, 0, sizeof(res));
	for (int i = 0; i < 4; i++) {
		res[i].control = &t.b->controls[i % 3];
		res[i].asset = &a;
		res[i].status = BL_PASS;
		res[i].message = i % 2 ? bl_msg_compliant : "compliant";
	}
	/* render result by result, changing the asset in place in between */
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {0};
	assert_int_equal(bl_report_open(&r, "json", t.b, &o, &e), 0);
	assert_int_equal(bl_report_result(r, &res[0]), 0);
	memcpy(id, "asset-b", 8);
	assert_int_equal(bl_report_result(r, &res[1]), 0);
	memcpy(env, "dev", 4);
	assert_int_equal(bl_report_result(r, &res[2]), 0);
	a.tier = 0;
	a.environment = NULL;
	assert_int_equal(bl_report_result(r, &res[3]), 0);
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[3];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, t.b, &st), 0);
	struct bl_run_info run = {.id = "x", .started = "s", .finished = "f", .baseline = t.b,
				  .stats = &st, .rollup = &ru};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	assert_non_null(strstr(buf, "{\"control\":\"C-1\",\"asset\":\"asset-a\",\"asset_type\":\"T\","
				    "\"status\":\"pass\",\"severity\":\"high\",\"effect\":\"audit\","
				    "\"tier\":1,\"environment\":\"prod\","));
	assert_non_null(strstr(buf, "{\"control\":\"C-2\",\"asset\":\"asset-b\",\"asset_type\":\"T\","
				    "\"status\":\"pass\",\"severity\":\"low\",\"effect\":\"deny\","
				    "\"tier\":1,\"environment\":\"prod\","));
	assert_non_null(strstr(buf, "{\"control\":\"C-3\",\"asset\":\"asset-b\",\"asset_type\":\"T\","
				    "\"status\":\"pass\",\"severity\":\"info\",\"effect\":\"audit\","
				    "\"tier\":1,\"environment\":\"dev\","));
	assert_non_null(strstr(buf, "{\"control\":\"C-1\",\"asset\":\"asset-b\",\"asset_type\":\"T\","
				    "\"status\":\"pass\",\"severity\":\"high\",\"effect\":\"audit\","
				    "\"tier\":null,\"environment\":null,"));
	free(buf);
	et_free(&t);
}

/* The engine's pass message (bl_msg_compliant, known by its address) ends
 * a plain pass result in one piece with its asset's tail: the same bytes as
 * the shared writer, first result or not, for assets with and without
 * inventory fields, tags (not plain: the message cache), serials, between
 * failures and a copy of the text at another address. */
static void test_compliant_constant(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_value tags = {.type = BL_VOBJ};
	struct bl_member tm = {.key = "k", .klen = 1,
			       .val = {.type = BL_VSTR, .u.str = {.s = "v", .len = 1}}};
	tags.u.obj.items = &tm;
	tags.u.obj.n = 1;
	struct bl_asset a1 = {.id = "a1", .type = "T"};
	struct bl_asset a2 = {.id = "a\"2", .type = "T", .tier = 2, .environment = "prod",
			      .owner = "o", .serial = 7};
	struct bl_asset a3 = {.id = "a3", .type = "T\x01", .serial = 8};
	struct bl_evidence ev = {.path = "x", .actual = NULL, .expected = "exists true"};
	char copy[16];
	memcpy(copy, bl_msg_compliant, strlen(bl_msg_compliant) + 1);
	const char *K = bl_msg_compliant;
	struct bl_result res[] = {
		{.control = &c[0], .asset = &a1, .status = BL_PASS, .message = K},
		{.control = &c[1], .asset = &a1, .status = BL_FAIL, .message = "x is missing",
		 .evidence = &ev, .nevidence = 1},
		{.control = &c[2], .asset = &a1, .status = BL_PASS, .message = K},
		{.control = &c[0], .asset = &a2, .status = BL_PASS, .message = K,
		 .classification = "secret"},
		{.control = &c[1], .asset = &a2, .status = BL_PASS, .message = copy,
		 .classification = "secret"},
		{.control = &c[2], .asset = &a2, .status = BL_PASS, .message = K,
		 .classification = "secret", .tags = &tags},
		{.control = &c[0], .asset = &a3, .status = BL_NA, .message = "n/a"},
		{.control = &c[1], .asset = &a3, .status = BL_PASS, .message = K},
		{.control = &c[2], .asset = &a1, .status = BL_PASS, .message = K},
	};
	size_t n = sizeof(res) / sizeof(res[0]);
	check_same(&t, res, n, true);
	check_same(&t, res, n, false);
	/* not_applicable first: the first written result is a constant one */
	check_same(&t, res + 6, n - 6, false);
	et_free(&t);
}

/* A pass with the engine's message, of an asset with none of tier,
 * environment, owner and classification, is written in three pieces
 * (out_pass): the control's head, moved as 32 bytes when it fits (ids of
 * 12 to 14 and 19 to 20 bytes put the head at 31, 32 and 33 bytes past the
 * separator or not), the asset's first part and the control's pass tail.
 * The same bytes as the shared writer, first or not, one by one and in
 * batches, next to results it must leave to out_result: other statuses
 * with the same message, an exception (not applied, or one the writer
 * lists), tags, an
 * asset with inventory fields, an asset not seen before. */
static void test_pass_three_pieces(void **state)
{
	(void)state;
	static const char *pdoc =
		"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
		"  - {id: C-23456789AB, title: a, severity: high, expect: {field: x, exists: true}}\n"
		"  - {id: C-23456789ABC, title: b, severity: low, effect: deny,"
		" expect: {field: x, exists: true}}\n"
		"  - {id: C-23456789ABCD, title: c, severity: info, expect: {field: x, exists: true}}\n"
		"  - {id: C-23456789ABCDEFGHI, title: d, severity: critical,"
		" expect: {field: x, exists: true}}\n"
		"  - {id: C-23456789ABCDEFGHIJ, title: e, severity: medium,"
		" expect: {field: x, exists: true}}\n"
		"  - {id: C-23456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123, title: f, severity: low,"
		" expect: {field: x, exists: true}}\n";
	struct et t;
	et_load(&t, pdoc);
	const struct bl_control *c = t.b->controls;
	size_t nc = t.b->ncontrols;
	assert_int_equal(nc, 6);
	struct bl_value tags = {.type = BL_VOBJ};
	struct bl_member tm = {.key = "k", .klen = 1,
			       .val = {.type = BL_VSTR, .u.str = {.s = "v", .len = 1}}};
	tags.u.obj.items = &tm;
	tags.u.obj.n = 1;
	struct bl_exception ex = {.id = "EX-1", .expires = "2030-01-01"};
	struct bl_asset as[] = {
		{.id = "a1", .type = "T"},
		{.id = "/subscriptions/x/resourceGroups/y/providers/A.B/c/a-long-enough-name",
		 .type = "A.B/c", .serial = 3},
		{.id = "a3", .type = "T", .tier = 1},
		{.id = "a\"4", .type = "T", .serial = 4},
		{.id = "a5", .type = "T", .environment = "prod", .serial = 5},
	};
	enum { NA = sizeof(as) / sizeof(as[0]) };
	struct bl_result res[NA * 6 * 2];
	size_t n = 0;
	for (size_t a = 0; a < NA; a++) {
		for (size_t k = 0; k < 2 * nc; k++) {
			struct bl_result *r = &res[n++];
			*r = (struct bl_result){.control = &c[k % nc], .asset = &as[a],
						.status = BL_PASS, .message = bl_msg_compliant};
			if (k == 3)
				r->status = BL_EXEMPT;
			if (k == 5)
				r->status = BL_NA;
			if (k == 7)
				r->tags = &tags;
			if (k == 8) {
				r->exception = &ex;
				r->exc_state = BL_EXC_NOT_APPLIED;
			}
			if (k == 9)
				r->classification = "secret";
			if (k == 11) {
				/* not a pair the engine makes; the bytes show it */
				r->exception = &ex;
				r->exc_state = BL_EXC_EXPIRED;
			}
		}
	}
	check_same(&t, res, n, true);
	check_same(&t, res, n, false);
	/* each result first in turn: the head without its separator */
	for (size_t i = 0; i < 2 * nc; i++)
		check_same(&t, res + i, n - i, false);
	et_free(&t);
}

/* More results than one spool block: order and separators survive the
 * block boundary. */
static void test_many_results(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	enum { N = 6000 };
	struct bl_asset *as = calloc(N, sizeof(*as));
	struct bl_result *res = calloc(N, sizeof(*res));
	char (*ids)[48] = calloc(N, 48);
	assert_non_null(as);
	assert_non_null(res);
	assert_non_null(ids);
	for (size_t i = 0; i < N; i++) {
		snprintf(ids[i / 3], 48, "asset-%zu-with-a-long-enough-id", i / 3);
		as[i / 3].id = ids[i / 3];
		as[i / 3].type = "microsoft.storage/storageaccounts";
		res[i].control = &t.b->controls[i % 3];
		res[i].asset = &as[i / 3];
		res[i].status = i % 7 ? BL_PASS : BL_FAIL;
		res[i].message = i % 7 ? (i % 2 ? bl_msg_compliant : "compliant")
				       : "x is missing; expected exists true";
	}
	check_same(&t, res, N, false);
	free(ids);
	free(res);
	free(as);
	et_free(&t);
}

/* A framework control's entry as the report wrote it field by field. */
static void want_fw_line(struct bl_buf *b, const struct bl_fw_control *fc, bool first)
{
	bl_buf_adds(b, first ? "\n      {\"id\": " : ",\n      {\"id\": ");
	bl_json_write_str(b, fc->id, strlen(fc->id));
	bl_buf_printf(b, ", \"status\": \"%s\", \"pass\": %llu, \"fail\": %llu, \"error\": %llu, "
			 "\"exempt\": %llu}",
		      bl_fw_status_name(fc->status), (unsigned long long)fc->tally.n[BL_PASS],
		      (unsigned long long)fc->tally.n[BL_FAIL],
		      (unsigned long long)fc->tally.n[BL_ERROR],
		      (unsigned long long)fc->tally.n[BL_EXEMPT]);
}

/* Framework control entries are written in one piece when they can be:
 * the bytes are those of the field-by-field form, for uncovered and covered
 * controls, ids needing escapes, non-ASCII ids and ids too long for one
 * piece (64 bytes fit, 65 do not). */
static void test_framework_lines(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char id64[65], id65[66];
	memset(id64, 'a', 64);
	id64[64] = '\0';
	memset(id65, 'b', 65);
	id65[65] = '\0';
	struct bl_fw_control fc[] = {
		{.id = "AC-1", .status = BL_FW_NOT_COVERED},
		{.id = "AC-2", .status = BL_FW_FAIL, .tally = {.n = {[BL_PASS] = 3, [BL_FAIL] = 12345678901ull,
								      [BL_EXEMPT] = 7}}},
		{.id = "q\"b\\s\x01", .status = BL_FW_PASS, .tally = {.n = {[BL_PASS] = 1}}},
		{.id = "\xc3\x84-1", .status = BL_FW_NOT_COVERED},
		{.id = "x\xe2\x80\xa8y", .status = BL_FW_ERROR, .tally = {.n = {[BL_ERROR] = 18446744073709551615ull}}},
		{.id = id64, .status = BL_FW_EXEMPT, .tally = {.n = {[BL_EXEMPT] = 10}}},
		{.id = id65, .status = BL_FW_NOT_COVERED},
		{.id = "", .status = BL_FW_NA},
	};
	size_t nfc = sizeof(fc) / sizeof(fc[0]);
	struct bl_fw fw = {.id = "fw", .controls = fc, .ncontrols = nfc};
	struct bl_rollup ru;
	memset(&ru, 0, sizeof(ru));
	ru.fws = &fw;
	ru.n = 1;
	struct bl_run_stats st;
	memset(&st, 0, sizeof(st));
	struct bl_tally pc[3];
	memset(pc, 0, sizeof(pc));
	st.per_control = pc;
	st.controls = 3;
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {0};
	assert_int_equal(bl_report_open(&r, "json", t.b, &o, &e), 0);
	struct bl_run_info run = {.id = "r", .started = "s", .finished = "f", .baseline = t.b,
				  .stats = &st, .rollup = &ru};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);

	struct bl_buf want;
	bl_buf_init(&want, 0);
	bl_buf_adds(&want, "\"controls\": [");
	for (size_t i = 0; i < nfc; i++)
		want_fw_line(&want, &fc[i], i == 0);
	bl_buf_adds(&want, "\n    ]}");
	assert_false(want.failed);
	if (!strstr(buf, want.data))
		fail_msg("framework entries differ:\n got: %s\nwant: %s", buf, want.data);
	bl_buf_free(&want);
	free(buf);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragments_match_shared_writer),
		cmocka_unit_test(test_reused_address),
		cmocka_unit_test(test_compliant_constant),
		cmocka_unit_test(test_pass_three_pieces),
		cmocka_unit_test(test_many_results),
		cmocka_unit_test(test_framework_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
