/*
 * test_json_summary.c - report/json_summary.c writes the head of the result
 * document (run, summary, frameworks, scores, inventory, exceptions).  The
 * expected bytes below are what the JSON writer wrote before the head moved
 * out of json.c; each case also checks that the whole writer still starts
 * with exactly bl_report_json_summary's bytes, followed by the results.
 */
#include "writertest.h"

#include "report/json_summary.h"

/* A run of the writertest fixture with scores, an inventory and its
 * exceptions; released by run_fix_free. */
struct run_fix {
	struct wt w;
	struct bl_run_stats st;
	struct bl_rollup ru;
	struct bl_scores sc;
	struct bl_inventory inv;
	struct bl_run_info run;
};

static const char *const fix_targets[] = {"snaps/a b.json", "host:b"};

static void run_fix_init(struct run_fix *f)
{
	memset(f, 0, sizeof(*f));
	wt_init(&f->w);
	assert_int_equal(bl_run_stats_init(&f->st, f->w.t.b), 0);
	assert_int_equal(bl_run_stats_track_exceptions(&f->st, f->w.x), 0);
	f->st.assets = 2;
	f->st.untiered = 1;
	f->st.unknown_tier = 2;
	f->st.rule_errors = 3;
	bl_scores_init(&f->sc);
	for (size_t i = 0; i < 5; i++) {
		bl_run_stats_add(&f->st, &f->w.res[i]);
		assert_int_equal(bl_scores_add(&f->sc, &f->w.res[i]), 0);
	}
	bl_scores_finish(&f->sc);
	assert_int_equal(bl_rollup_build(&f->ru, f->w.t.b, &f->st), 0);
	/* (the writer reads only the inventory's id and file) */
	f->inv.id = "inv \"1\"";
	f->inv.file = "inventory.yaml";
	f->run = (struct bl_run_info){
		.id = "6f1c2a9e-3b7d-4c55-9a0e-8d2f4b1c7e30",
		.started = "2026-11-28T10:00:00Z", .finished = "2026-11-28T10:00:02Z",
		.baseline = f->w.t.b, .targets = fix_targets, .ntargets = 2, .stats = &f->st,
		.rollup = &f->ru, .scores = &f->sc, .inventory = &f->inv,
		.exceptions = f->w.x, .now = 1795824000};
}

static void run_fix_free(struct run_fix *f)
{
	bl_scores_free(&f->sc);
	bl_rollup_free(&f->ru);
	bl_run_stats_free(&f->st);
	wt_free(&f->w);
}

/* bl_report_json_summary's bytes, NUL-terminated (free them). */
static char *summary(const struct bl_run_info *run)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_report_json_summary(&b, run);
	assert_false(b.failed);
	char *s = malloc(b.len + 1);
	assert_non_null(s);
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	bl_buf_free(&b);
	return s;
}

/* The whole document of a JSON writer fed results[0..n) and finished with
 * run (free it). */
static char *document(const struct bl_run_info *run, const struct bl_result *results, size_t n)
{
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {.all = true};
	assert_int_equal(bl_report_open(&r, "json", run->baseline, &o, &e), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(bl_report_result(r, &results[i]), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	return buf;
}

/* want with "@SHA@" replaced by sha (free it). */
static char *expand(const char *want, const char *sha)
{
	const char *at = strstr(want, "@SHA@");
	assert_non_null(at);
	size_t n = strlen(want) + strlen(sha);
	char *s = malloc(n + 1);
	assert_non_null(s);
	snprintf(s, n + 1, "%.*s%s%s", (int)(at - want), want, sha, at + 5);
	return s;
}

/* want (with the baseline's sha256 for "@SHA@") is the summary, and the
 * writer's document is the summary then the results. */
static void check_head(const struct bl_run_info *run, const struct bl_result *results, size_t n,
		       const char *want)
{
	char *s = summary(run);
	char *w = expand(want, run->baseline->sha256);
	assert_string_equal(s, w);
	free(w);
	char *doc = document(run, results, n);
	size_t sl = strlen(s);
	assert_memory_equal(doc, s, sl);
	const char *rest = n ? "  \"results\": [\n    {" : "  \"results\": []\n}\n";
	assert_memory_equal(doc + sl, rest, strlen(rest));
	free(doc);
	free(s);
}

/* The run and summary lines both full cases share (the same run_info). */
#define WANT_HEAD \
	"{\n" \
	"  \"schema\": \"baseline.result/1\",\n" \
	"  \"run\": {\"id\": \"6f1c2a9e-3b7d-4c55-9a0e-8d2f4b1c7e30\", " \
	"\"started\": \"2026-11-28T10:00:00Z\", \"finished\": \"2026-11-28T10:00:02Z\",\n" \
	"          \"baseline\": {\"id\": \"wt\", \"version\": \"2.0.0\", " \
	"\"sha256\": \"@SHA@\"},\n" \
	"          \"targets\": [\"snaps/a b.json\", \"host:b\"], " \
	"\"tool\": {\"name\": \"baseline\", \"version\": \"" BL_VERSION "\"}},\n" \
	"  \"summary\": {\"assets\": 2, \"controls\": 3, \"pass\": 1, \"fail\": 1, " \
	"\"error\": 1, \"not_applicable\": 1, \"exempt\": 1, \"compliance\": 33.33},\n"

static const char *const want_full =
	WANT_HEAD
	"  \"frameworks\": [\n"
	"    {\"id\": \"mcsb-v1\", \"compliance\": 0.00, \"controls\": [\n"
	"      {\"id\": \"DP-3\", \"status\": \"error\", \"pass\": 0, \"fail\": 1, "
	"\"error\": 1, \"exempt\": 1}\n"
	"    ]},\n"
	"    {\"id\": \"nist-800-53-r5\", \"compliance\": 0.00, \"controls\": [\n"
	"      {\"id\": \"SC-8(1)\", \"status\": \"fail\", \"pass\": 0, \"fail\": 1, "
	"\"error\": 0, \"exempt\": 1}\n"
	"    ]},\n"
	"    {\"id\": \"cis-v8\", \"compliance\": 0.00, \"controls\": [\n"
	"      {\"id\": \"3.10\", \"status\": \"fail\", \"pass\": 0, \"fail\": 1, "
	"\"error\": 0, \"exempt\": 1}\n"
	"    ]}\n"
	"  ],\n"
	"  \"scores\": {\"compliance\": 33.33, \"exempt\": 1,\n"
	"    \"weighted\": {\"compliance\": 11.11, \"weights\": {\"critical\": 10, "
	"\"high\": 5, \"medium\": 3, \"low\": 1, \"info\": 0}, \"pass\": 1, \"fail\": 5, "
	"\"error\": 3, \"exempt\": 5},\n"
	"    \"frameworks\": [{\"id\": \"mcsb-v1\", \"compliance\": 0.00, "
	"\"controls\": [{\"id\": \"DP-3\", \"compliance\": 0.00}]}, "
	"{\"id\": \"nist-800-53-r5\", \"compliance\": 0.00, "
	"\"controls\": [{\"id\": \"SC-8(1)\", \"compliance\": 0.00}]}, {\"id\": \"cis-v8\", "
	"\"compliance\": 0.00, \"controls\": [{\"id\": \"3.10\", \"compliance\": 0.00}]}],\n"
	"    \"tiers\": [{\"tier\": 1, \"pass\": 1, \"fail\": 1, \"error\": 0, \"exempt\": 0, "
	"\"compliance\": 50.00}, {\"tier\": null, \"pass\": 0, \"fail\": 0, \"error\": 1, "
	"\"exempt\": 1, \"compliance\": 0.00}],\n"
	"    \"environments\": [{\"environment\": \"prod\", \"pass\": 1, \"fail\": 1, "
	"\"error\": 0, \"exempt\": 0, \"compliance\": 50.00}, {\"environment\": null, "
	"\"pass\": 0, \"fail\": 0, \"error\": 1, \"exempt\": 1, \"compliance\": 0.00}],\n"
	"    \"owners\": [{\"owner\": \"team\", \"pass\": 1, \"fail\": 1, \"error\": 0, "
	"\"exempt\": 0, \"compliance\": 50.00}, {\"owner\": null, \"pass\": 0, \"fail\": 0, "
	"\"error\": 1, \"exempt\": 1, \"compliance\": 0.00}]},\n"
	"  \"inventory\": {\"id\": \"inv \\\"1\\\"\", \"file\": \"inventory.yaml\", "
	"\"assets_without_tier\": 1, \"assets_unknown_tier\": 2, \"classify_errors\": 3},\n"
	"  \"exceptions\": {\"file\": \"exc.yaml\", \"active\": 1, \"expired\": 0, "
	"\"stale\": 0, \"items\": [\n"
	"      {\"id\": \"EX-1\", \"control\": \"HI\", \"category\": \"waiver\", "
	"\"expires\": \"2027-03-31\", \"state\": \"active\", \"stale\": false, \"matches\": 1}\n"
	"    ]},\n";

/* Scores (tiers, environments and owners with an unknown group),
 * frameworks, an inventory, an exception, two targets. */
static void test_full(void **state)
{
	(void)state;
	struct run_fix f;
	run_fix_init(&f);
	check_head(&f.run, f.w.res, 5, want_full);
	run_fix_free(&f);
}

/* Nothing optional: no targets, frameworks, scores, inventory or
 * exceptions, and no results. */
static void test_bare(void **state)
{
	(void)state;
	struct wt w;
	wt_init(&w);
	struct bl_run_stats st;
	assert_int_equal(bl_run_stats_init(&st, w.t.b), 0);
	struct bl_run_info run = {.id = "r", .started = "s", .finished = "f", .baseline = w.t.b,
				  .stats = &st};
	check_head(&run, NULL, 0,
		   "{\n"
		   "  \"schema\": \"baseline.result/1\",\n"
		   "  \"run\": {\"id\": \"r\", \"started\": \"s\", \"finished\": \"f\",\n"
		   "          \"baseline\": {\"id\": \"wt\", \"version\": \"2.0.0\", "
		   "\"sha256\": \"@SHA@\"},\n"
		   "          \"targets\": [], \"tool\": {\"name\": \"baseline\", "
		   "\"version\": \"" BL_VERSION "\"}},\n"
		   "  \"summary\": {\"assets\": 0, \"controls\": 3, \"pass\": 0, \"fail\": 0, "
		   "\"error\": 0, \"not_applicable\": 0, \"exempt\": 0, \"compliance\": null},\n"
		   "  \"frameworks\": [],\n"
		   "  \"scores\": null,\n"
		   "  \"inventory\": null,\n"
		   "  \"exceptions\": null,\n");
	bl_run_stats_free(&st);
	wt_free(&w);
}

static const char *const want_fw =
	WANT_HEAD
	"  \"frameworks\": [\n"
	"    {\"id\": \"fw-a\", \"compliance\": 50.00, \"controls\": [\n"
	"      {\"id\": \"A-1\", \"status\": \"fail\", \"pass\": 12, \"fail\": 3, "
	"\"error\": 0, \"exempt\": 0},\n"
	"      {\"id\": \"B-2-an-identifier-longer-than-sixty-four-bytes-written-field-by-field\", "
	"\"status\": \"pass\", \"pass\": 18446744073709551615, \"fail\": 0, \"error\": 0, "
	"\"exempt\": 0},\n"
	"      {\"id\": \"C-\xc3\xa9" "\", \"status\": \"exempt\", \"pass\": 0, \"fail\": 0, "
	"\"error\": 0, \"exempt\": 1},\n"
	"      {\"id\": \"D \\\"4\\\"\", \"status\": \"error\", \"pass\": 0, \"fail\": 0, "
	"\"error\": 2, \"exempt\": 0},\n"
	"      {\"id\": \"E-5\", \"status\": \"not_covered\", \"pass\": 0, \"fail\": 0, "
	"\"error\": 0, \"exempt\": 0}\n"
	"    ]},\n"
	"    {\"id\": \"fw-empty\", \"compliance\": null, \"controls\": []}\n"
	"  ],\n"
	"  \"scores\": null,\n"
	"  \"inventory\": null,\n"
	"  \"exceptions\": null,\n";

/* Framework controls whose line is not written in one piece (an id longer
 * than 64 bytes, a non-ASCII id, quotes) give the same bytes field by
 * field; uncovered controls and a framework without controls. */
static void test_framework_lines(void **state)
{
	(void)state;
	struct run_fix f;
	run_fix_init(&f);
	struct bl_fw_control ctl[5] = {
		{.id = "A-1", .status = BL_FW_FAIL, .tally = {.n = {[BL_PASS] = 12, [BL_FAIL] = 3}}},
		{.id = "B-2-an-identifier-longer-than-sixty-four-bytes-written-field-by-field",
		 .status = BL_FW_PASS, .tally = {.n = {[BL_PASS] = 18446744073709551615ull}}},
		{.id = "C-\xc3\xa9", .status = BL_FW_EXEMPT, .tally = {.n = {[BL_EXEMPT] = 1}}},
		{.id = "D \"4\"", .status = BL_FW_ERROR, .tally = {.n = {[BL_ERROR] = 2, [BL_NA] = 7}}},
		{.id = "E-5", .status = BL_FW_NOT_COVERED},
	};
	struct bl_fw fws[2] = {
		{.id = "fw-a", .tally = {.n = {[BL_PASS] = 1, [BL_FAIL] = 1}}, .controls = ctl,
		 .ncontrols = 5},
		{.id = "fw-empty"},
	};
	struct bl_rollup ru = {.fws = fws, .n = 2};
	f.run.rollup = &ru;
	f.run.scores = NULL;
	f.run.inventory = NULL;
	f.run.exceptions = NULL;
	check_head(&f.run, f.w.res, 5, want_fw);
	run_fix_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_framework_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
