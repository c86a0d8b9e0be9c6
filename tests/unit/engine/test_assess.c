/* Unit tests for engine/assess.c: the threaded pipeline keeps input order,
 * reports the earliest malformed resource, and counts per control. */
#include "enginetest.h"

#include <unistd.h>

#include "engine/engine.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: EVEN, title: e, severity: high, scope: {types: [T]}, expect: {field: properties.n, in: [0, 2, 4, 6, 8]}}\n"
	"  - {id: ANY, title: a, severity: low, expect: {field: name, exists: true}}\n";

struct collect {
	char (*seen)[32];
	size_t n, cap;
};

static int collect_cb(void *ctx, const struct bl_result *r)
{
	struct collect *c = ctx;
	if (c->n == c->cap)
		return BL_ENOMEM;
	snprintf(c->seen[c->n++], 32, "%s:%s:%s", r->asset->id, r->control->id, bl_status_name(r->status));
	return 0;
}

static char *write_lines(size_t n, long bad_at)
{
	char *path = strdup("/tmp/bl-test-assess-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	for (size_t i = 0; i < n; i++) {
		if ((long)i == bad_at)
			fprintf(f, "{\"id\": \"r%zu\", \"type\": \"T\", \"properties\": {\"n\": 1,}}\n", i);
		else
			fprintf(f, "{\"id\": \"r%zu\", \"type\": \"T\", \"name\": \"x\", \"properties\": {\"n\": %zu}}\n",
				i, i % 10);
	}
	fclose(f);
	return path;
}

static void run(const struct bl_baseline *b, const char *path, unsigned threads, size_t chunk,
		struct collect *c, struct bl_run_stats *st, int want_rc, struct bl_error *err)
{
	const char *paths[] = {path};
	struct bl_assess_opts o = {.threads = threads, .chunk_bytes = chunk};
	struct bl_sink sink = {.result = collect_cb, .ctx = c};
	c->n = 0;
	assert_int_equal(bl_run_stats_init(st, b), 0);
	assert_int_equal(bl_assess(b, paths, 1, &o, &sink, st, err), want_rc);
}

static void test_order_independent_of_threads(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *path = write_lines(5000, -1);
	struct collect a = {.cap = 20000}, b = {.cap = 20000};
	a.seen = calloc(a.cap, 32);
	b.seen = calloc(b.cap, 32);
	struct bl_run_stats s1, s2;
	struct bl_error err;
	run(t.b, path, 1, 0, &a, &s1, 0, &err);
	run(t.b, path, 3, 200, &b, &s2, 0, &err);   /* tiny chunks: many slots in flight */
	assert_int_equal(a.n, 10000);
	assert_int_equal(b.n, a.n);
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.seen[i], b.seen[i]);
	assert_string_equal(a.seen[0], "r0:EVEN:pass");
	assert_string_equal(a.seen[3], "r1:ANY:pass");
	assert_string_equal(a.seen[2], "r1:EVEN:fail");
	assert_int_equal(s1.assets, 5000);
	assert_int_equal(s1.controls, 2);
	assert_int_equal(s1.total.n[BL_PASS], 7500);
	assert_int_equal(s1.total.n[BL_FAIL], 2500);
	assert_int_equal(s1.per_control[0].n[BL_FAIL], 2500);
	assert_int_equal(s2.total.n[BL_FAIL], 2500);
	bl_run_stats_free(&s1);
	bl_run_stats_free(&s2);
	unlink(path);
	free(path);
	free(a.seen);
	free(b.seen);
	et_free(&t);
}

static void test_first_malformed_reported(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *path = write_lines(3000, 1234);
	struct collect c = {.cap = 20000};
	c.seen = calloc(c.cap, 32);
	for (unsigned threads = 1; threads <= 4; threads++) {
		struct bl_run_stats st;
		struct bl_error err;
		run(t.b, path, threads, 300, &c, &st, BL_EINVAL, &err);
		assert_int_equal(err.line, 1235);
		assert_string_equal(err.file, path);
		/* never more than the results before the broken resource */
		assert_true(c.n <= 2 * 1234);
		bl_run_stats_free(&st);
	}
	unlink(path);
	free(path);
	free(c.seen);
	et_free(&t);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct collect c = {.cap = 1};
	c.seen = calloc(1, 32);
	struct bl_run_stats st;
	struct bl_error err;
	run(t.b, "/nonexistent/x.json", 2, 0, &c, &st, BL_EIO, &err);
	assert_non_null(strstr(err.msg, "No such file"));
	bl_run_stats_free(&st);
	free(c.seen);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_independent_of_threads),
		cmocka_unit_test(test_first_malformed_reported),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
