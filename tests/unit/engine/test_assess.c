/* Unit tests for engine/assess.c: the threaded pipeline keeps input order,
 * reports the earliest malformed resource, and counts per control. */
#include "enginetest.h"

#include <pthread.h>
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

/* Serials (model/asset.h) as the pipeline hands results over: never 0, the
 * same for the results of one asset, different for every other asset, with
 * one thread and with three on tiny chunks (serials from many slots). */
struct serials {
	uint64_t *s;
	size_t n, cap;
};

static int serial_cb(void *ctx, const struct bl_result *r)
{
	struct serials *c = ctx;
	if (c->n == c->cap)
		return BL_ENOMEM;
	c->s[c->n++] = r->asset->serial;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void test_asset_serials(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *path = write_lines(3000, -1);
	const char *paths[] = {path};
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		struct serials c = {.cap = 6000};
		c.s = calloc(c.cap, sizeof(*c.s));
		struct bl_assess_opts o = {.threads = threads, .chunk_bytes = threads > 1 ? 300 : 0};
		struct bl_sink sink = {.result = serial_cb, .ctx = &c};
		struct bl_run_stats st;
		struct bl_error err;
		assert_int_equal(bl_run_stats_init(&st, t.b), 0);
		assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
		assert_int_equal(c.n, 6000);
		uint64_t per_asset[3000];
		for (size_t i = 0; i < 3000; i++) {
			/* two controls apply to every record: results 2i and 2i+1 */
			assert_true(c.s[2 * i] != 0);
			assert_true(c.s[2 * i] == c.s[2 * i + 1]);
			per_asset[i] = c.s[2 * i];
		}
		qsort(per_asset, 3000, sizeof(per_asset[0]), cmp_u64);
		for (size_t i = 1; i < 3000; i++)
			assert_true(per_asset[i] != per_asset[i - 1]);
		bl_run_stats_free(&st);
		free(c.s);
	}
	unlink(path);
	free(path);
	et_free(&t);
}

/* A sink with worker-side formatting (struct bl_sink_fmt): every result is
 * formatted once on a worker, its chunk's bytes are emitted in input order
 * before the chunk's results, and emit announces exactly how many follow.
 * With one thread nothing is formatted on the side. */
struct fmt_check {
	struct bl_buf emitted, seen;
	size_t pending;          /* results announced by emit, not yet received */
	size_t formats, emits, workers;
	pthread_mutex_t mu;
	bool bad;
};

static void *fc_worker_new(void *ctx)
{
	struct fmt_check *c = ctx;
	pthread_mutex_lock(&c->mu);
	c->workers++;
	pthread_mutex_unlock(&c->mu);
	return calloc(1, 1);
}

static void fc_worker_free(void *w)
{
	free(w);
}

static int fc_format(void *w, const struct bl_result *items, size_t n, struct bl_bytes *out)
{
	(void)w;
	out->len = 0;
	for (size_t i = 0; i < n; i++) {
		char line[64];
		int k = snprintf(line, sizeof(line), "%s:%s;", items[i].asset->id, items[i].control->id);
		if (out->len + (size_t)k + 1 > out->cap) {
			size_t nc = out->cap ? 2 * out->cap : 256;
			while (nc < out->len + (size_t)k + 1)
				nc *= 2;
			char *np = realloc(out->p, nc);
			if (!np)
				return BL_ENOMEM;
			out->p = np;
			out->cap = nc;
		}
		memcpy(out->p + out->len, line, (size_t)k);
		out->len += (size_t)k;
	}
	out->n = n;
	return 0;
}

static int fc_emit(void *ctx, const struct bl_bytes *b)
{
	struct fmt_check *c = ctx;
	if (c->pending)
		c->bad = true;   /* the last chunk's results did not all arrive */
	c->pending = b->n;
	c->emits++;
	bl_buf_add(&c->emitted, b->p, b->len);
	return 0;
}

static int fc_result(void *ctx, const struct bl_result *r)
{
	struct fmt_check *c = ctx;
	if (c->emits && c->pending == 0)
		c->bad = true;   /* a result no emit announced */
	if (c->pending)
		c->pending--;
	char line[64];
	snprintf(line, sizeof(line), "%s:%s;", r->asset->id, r->control->id);
	bl_buf_adds(&c->seen, line);
	return 0;
}

static void test_sink_fmt(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *path = write_lines(2000, -1);
	const char *paths[] = {path};
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		struct fmt_check c = {.bad = false};
		pthread_mutex_init(&c.mu, NULL);
		bl_buf_init(&c.emitted, 0);
		bl_buf_init(&c.seen, 0);
		struct bl_sink_fmt fmt = {.worker_new = fc_worker_new, .worker_free = fc_worker_free,
					  .format = fc_format, .emit = fc_emit, .ctx = &c};
		struct bl_sink sink = {.result = fc_result, .ctx = &c, .fmt = &fmt};
		struct bl_assess_opts o = {.threads = threads, .chunk_bytes = 300};
		struct bl_run_stats st;
		struct bl_error err;
		assert_int_equal(bl_run_stats_init(&st, t.b), 0);
		assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
		assert_false(c.bad);
		assert_int_equal(c.pending, 0);
		assert_non_null(c.seen.data);
		if (threads == 1) {
			assert_int_equal(c.emits, 0);
			assert_int_equal(c.workers, 0);
		} else {
			assert_true(c.emits > 10);
			/* one per worker, and the calling thread's (for an input
			 * of one chunk, which it evaluates itself) */
			assert_int_equal(c.workers, threads + 1);
			assert_string_equal(c.emitted.data, c.seen.data);
		}
		assert_non_null(strstr(c.seen.data, "r1999:ANY;"));
		bl_run_stats_free(&st);
		bl_buf_free(&c.emitted);
		bl_buf_free(&c.seen);
		pthread_mutex_destroy(&c.mu);
	}
	unlink(path);
	free(path);
	et_free(&t);
}

/* Threads of this process (/proc/self/status), 0 when unknown. */
static int thread_count(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

struct thread_probe {
	struct fmt_check c;
	int most;                /* threads seen while results arrived */
};

static int probe_result(void *ctx, const struct bl_result *r)
{
	struct thread_probe *t = ctx;
	int n = thread_count();
	if (n > t->most)
		t->most = n;
	return fc_result(&t->c, r);
}

/* The workers start with an input's second chunk: an input of one chunk (a
 * small snapshot, a guardrail's resources) or none is evaluated on the
 * calling thread, with the same results and the same worker-side
 * formatting; a longer one runs on the workers. */
static void test_workers_start_with_second_chunk(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *small = write_lines(5, -1), *large = write_lines(400, -1), *empty = write_lines(0, -1);
	const char *inputs[] = {small, empty, large};
	int before = thread_count();
	for (int k = 0; k < 3; k++) {
		struct thread_probe tp = {.most = 0};
		pthread_mutex_init(&tp.c.mu, NULL);
		bl_buf_init(&tp.c.emitted, 0);
		bl_buf_init(&tp.c.seen, 0);
		struct bl_sink_fmt fmt = {.worker_new = fc_worker_new, .worker_free = fc_worker_free,
					  .format = fc_format, .emit = fc_emit, .ctx = &tp.c};
		struct bl_sink sink = {.result = probe_result, .ctx = &tp, .fmt = &fmt};
		struct bl_assess_opts o = {.threads = 3, .chunk_bytes = k == 2 ? 300 : 0};
		struct bl_run_stats st;
		struct bl_error err;
		const char *paths[] = {inputs[k]};
		assert_int_equal(bl_run_stats_init(&st, t.b), 0);
		assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
		assert_false(tp.c.bad);
		assert_int_equal(tp.c.pending, 0);
		if (k == 0) {
			assert_int_equal(tp.most, before);   /* no thread started */
			assert_int_equal(tp.c.emits, 1);    /* formatted all the same */
			assert_string_equal(tp.c.emitted.data, tp.c.seen.data);
			assert_non_null(strstr(tp.c.seen.data, "r4:ANY;"));
			assert_int_equal(st.assets, 5);
		} else if (k == 1) {
			assert_int_equal(tp.most, 0);   /* no result at all */
			assert_int_equal(tp.c.emits, 0);
			assert_int_equal(st.assets, 0);
		} else {
			assert_int_equal(tp.most, before + 3);
			assert_true(tp.c.emits > 10);
			assert_string_equal(tp.c.emitted.data, tp.c.seen.data);
			assert_non_null(strstr(tp.c.seen.data, "r399:ANY;"));
			assert_int_equal(st.assets, 400);
		}
		bl_run_stats_free(&st);
		bl_buf_free(&tp.c.emitted);
		bl_buf_free(&tp.c.seen);
		pthread_mutex_destroy(&tp.c.mu);
	}
	assert_int_equal(thread_count(), before);
	for (int k = 0; k < 3; k++) {
		unlink(inputs[k]);
		free((char *)inputs[k]);
	}
	et_free(&t);
}

/* A sink with a batch callback: the results, in order, through it. */
struct batched {
	struct collect c;
	size_t batches, singles;
	int fail_at;             /* batch number that fails (-1: none) */
};

static int batched_one(void *ctx, const struct bl_result *r)
{
	struct batched *b = ctx;
	b->singles++;
	return collect_cb(&b->c, r);
}

static int batched_many(void *ctx, const struct bl_result *items, size_t n)
{
	struct batched *b = ctx;
	if ((int)b->batches++ == b->fail_at)
		return BL_EIO;
	for (size_t i = 0; i < n; i++) {
		int rc = collect_cb(&b->c, &items[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* struct bl_sink.results gets a chunk's results at once, the same results in
 * the same order as result one by one, and through a tee (bl_tee_results)
 * each sink gets them whether it takes batches or not; a failing batch
 * stops the run with its code. */
static void test_batched_sink(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	char *path = write_lines(3000, -1);
	const char *paths[] = {path};
	struct collect want = {.cap = 8000};
	want.seen = calloc(want.cap, 32);
	struct bl_run_stats st;
	struct bl_error err;
	run(t.b, path, 1, 0, &want, &st, 0, &err);
	bl_run_stats_free(&st);
	assert_int_equal(want.n, 6000);
	for (unsigned threads = 1; threads <= 3; threads += 2) {
		/* straight, and as the first sink of a tee beside a one-by-one one */
		for (int tee = 0; tee <= 1; tee++) {
			struct batched b = {.c = {.cap = 8000}, .fail_at = -1};
			b.c.seen = calloc(b.c.cap, 32);
			struct collect plain = {.cap = 8000};
			plain.seen = calloc(plain.cap, 32);
			struct bl_sink sinks[2] = {
				{.result = batched_one, .results = batched_many, .ctx = &b},
				{.result = collect_cb, .ctx = &plain},
			};
			struct bl_tee tq = {sinks, 2};
			struct bl_sink ts = {.result = bl_tee_result, .ctx = &tq};
			struct bl_assess_opts o = {.threads = threads, .chunk_bytes = 4096};
			assert_int_equal(bl_run_stats_init(&st, t.b), 0);
			assert_int_equal(bl_assess(t.b, paths, 1, &o, tee ? &ts : &sinks[0], &st, &err), 0);
			assert_int_equal(st.total.n[BL_PASS] + st.total.n[BL_FAIL], 6000);
			bl_run_stats_free(&st);
			assert_int_equal(b.c.n, want.n);
			assert_int_equal(b.singles, 0);
			assert_true(b.batches > 10);
			for (size_t i = 0; i < want.n; i++)
				assert_string_equal(b.c.seen[i], want.seen[i]);
			assert_int_equal(plain.n, tee ? want.n : 0);
			for (size_t i = 0; i < plain.n; i++)
				assert_string_equal(plain.seen[i], want.seen[i]);
			/* the third batch fails: the run stops with its code */
			b.c.n = 0;
			b.batches = 0;
			b.fail_at = 2;
			plain.n = 0;
			assert_int_equal(bl_run_stats_init(&st, t.b), 0);
			assert_int_equal(bl_assess(t.b, paths, 1, &o, tee ? &ts : &sinks[0], &st, &err),
					 BL_EIO);
			bl_run_stats_free(&st);
			assert_int_equal(b.batches, 3);
			/* the sink after the failing one saw none of that batch */
			assert_int_equal(plain.n, tee ? b.c.n : 0);
			free(b.c.seen);
			free(plain.seen);
		}
	}
	/* bl_tee_results by hand: a nested tee, a sink without callbacks, and
	 * the first failure stopping the later sinks */
	struct bl_asset a = {.id = "x", .type = "T"};
	struct bl_result rs[3] = {
		{.control = &t.b->controls[0], .asset = &a, .status = BL_PASS, .message = "m"},
		{.control = &t.b->controls[1], .asset = &a, .status = BL_FAIL, .message = "m"},
		{.control = &t.b->controls[0], .asset = &a, .status = BL_NA, .message = "m"},
	};
	struct collect c1 = {.cap = 8}, c2 = {.cap = 8};
	c1.seen = calloc(c1.cap, 32);
	c2.seen = calloc(c2.cap, 32);
	struct bl_sink inner[1] = {{.result = collect_cb, .ctx = &c2}};
	struct bl_tee tin = {inner, 1};
	struct bl_sink outer[3] = {{.result = collect_cb, .ctx = &c1},
				   {.result = NULL},
				   {.result = bl_tee_result, .ctx = &tin}};
	struct bl_tee tout = {outer, 3};
	assert_int_equal(bl_tee_results(&tout, rs, 3), 0);
	assert_int_equal(c1.n, 3);
	assert_int_equal(c2.n, 3);
	assert_string_equal(c2.seen[1], "x:ANY:fail");
	c1.n = c2.n = 0;
	c1.cap = 2;   /* the first sink fails at the third result */
	assert_int_equal(bl_tee_results(&tout, rs, 3), BL_ENOMEM);
	assert_int_equal(c2.n, 0);
	free(c1.seen);
	free(c2.seen);
	free(want.seen);
	unlink(path);
	free(path);
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

/* Inventory and exceptions through the pipeline: tiers reach results and
 * scope, an active exception exempts a failure, an expired one leaves it
 * failing, an error is never exempted, and unused exceptions stay at zero
 * matches (stale). */
static void test_inventory_and_exceptions(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, "baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
		    "  - {id: C1, title: c, severity: high, expect: {field: ok, equals: true}}\n"
		    "  - {id: C2, title: c, severity: low, scope: {tiers: [1]}, expect: {field: ok, equals: true}}\n"
		    "  - {id: C3, title: c, severity: low, expect: {field: n, less: 3}}\n");
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_inventory *inv = NULL;
	assert_int_equal(bl_inventory_from_doc(&inv, tu_doc(&a,
		"inventory: i\ndefaults: {tier: 3}\nclassify:\n"
		"  - when: {field: name, equals: crown}\n    set: {tier: 1, owner: jewels}\n", "inv.yaml"), &d), 0);
	struct bl_exceptions *x = NULL;
	struct bl_exc_opts xo = {.now = 1795824000};   /* 2026-11-28T00:00:00Z */
	assert_int_equal(bl_exceptions_from_doc(&x, tu_doc(&a,
		"exceptions:\n"
		"  - {id: ACTIVE, control: C1, assets: [\"r1\"], category: waiver, justification: j, approved_by: a, expires: 2026-11-28}\n"
		"  - {id: EXPIRED, control: C1, assets: [\"r2\"], category: waiver, justification: j, approved_by: a, expires: 2026-11-27}\n"
		"  - {id: ERR, control: C3, assets: [\"r1\"], category: waiver, justification: j, approved_by: a, expires: 2026-12-01}\n"
		"  - {id: STALE, control: \"C*\", assets: [\"nothing\"], category: waiver, justification: j, approved_by: a, expires: 2026-12-01}\n",
		"exc.yaml"), &xo, &d), 0);
	char path[] = "/tmp/bl-test-gov-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("{\"id\": \"r1\", \"type\": \"T\", \"name\": \"crown\", \"ok\": false, \"n\": \"x\"}\n"
	      "{\"id\": \"r2\", \"type\": \"T\", \"name\": \"pawn\", \"ok\": false, \"n\": 1}\n", f);
	fclose(f);
	struct collect c = {.cap = 64};
	c.seen = calloc(c.cap, 32);
	struct bl_run_stats st;
	struct bl_error err;
	assert_int_equal(bl_run_stats_init(&st, t.b), 0);
	assert_int_equal(bl_run_stats_track_exceptions(&st, x), 0);
	const char *paths[] = {path};
	struct bl_assess_opts o = {.threads = 2, .inventory = inv, .exceptions = x, .now = xo.now + 86399};
	struct bl_sink sink = {.result = collect_cb, .ctx = &c};
	assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.seen[0], "r1:C1:exempt");
	assert_string_equal(c.seen[1], "r1:C2:fail");
	assert_string_equal(c.seen[2], "r1:C3:error");
	assert_string_equal(c.seen[3], "r2:C1:fail");
	assert_string_equal(c.seen[4], "r2:C2:not_applicable");   /* tier 3 out of scope */
	assert_string_equal(c.seen[5], "r2:C3:pass");
	assert_int_equal(st.per_exception[0], 1);
	assert_int_equal(st.per_exception[1], 1);
	assert_int_equal(st.per_exception[2], 1);   /* took part (error), not stale */
	assert_int_equal(st.per_exception[3], 0);   /* stale */
	assert_int_equal(st.untiered, 1);
	assert_int_equal(st.unknown_tier, 0);
	assert_int_equal(st.total.n[BL_EXEMPT], 1);
	bl_run_stats_free(&st);
	/* one second later the active one has expired too */
	assert_int_equal(bl_run_stats_init(&st, t.b), 0);
	o.now = xo.now + 86400;
	c.n = 0;
	assert_int_equal(bl_assess(t.b, paths, 1, &o, &sink, &st, &err), 0);
	assert_string_equal(c.seen[0], "r1:C1:fail");
	bl_run_stats_free(&st);
	unlink(path);
	free(c.seen);
	bl_exceptions_free(x);
	bl_inventory_free(inv);
	bl_diags_free(&d);
	bl_arena_free(&a);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_independent_of_threads),
		cmocka_unit_test(test_asset_serials),
		cmocka_unit_test(test_sink_fmt),
		cmocka_unit_test(test_workers_start_with_second_chunk),
		cmocka_unit_test(test_batched_sink),
		cmocka_unit_test(test_first_malformed_reported),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_inventory_and_exceptions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
