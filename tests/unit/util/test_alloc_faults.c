/*
 * test_alloc_faults.c - allocation failure at the Nth call, for every N of a
 * small run (SQLite's fault-injection habit): loading a baseline, assessing
 * a small snapshot, and assessing the hardened fixture root's host facts.
 *
 * Each run with the Nth malloc/calloc/realloc failing must end cleanly:
 * BL_ENOMEM (exit 3 at the command line), or success with exactly the
 * results of the run without faults (an allocation the code could do
 * without); never a crash, never a leak (`make check-faults` runs this under
 * ASan+LSan), and never a `pass` where the reference run had something else,
 * in particular for a fact that could not be built.
 *
 * The faults come from a link-time wrapper: `make check-faults` links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so every call from our
 * code goes through __wrap_* below (allocations inside libc, libyaml and
 * PCRE2 are not counted).  In the ordinary build there is no wrapping and
 * the tests skip themselves.  The counters are file statics: the wrapper
 * has no context to carry them (test code only).
 */
#include "testutil.h"

#include <stdatomic.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "engine/host.h"
#include "facts/facts.h"
#include "model/baseline.h"

/* Resolved by --wrap to the real allocator; NULL (never called) otherwise. */
void *__real_malloc(size_t n) __attribute__((weak));
void *__real_calloc(size_t n, size_t size) __attribute__((weak));
void *__real_realloc(void *p, size_t n) __attribute__((weak));
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static struct {
	atomic_bool armed;
	atomic_long calls;
	long fail_at;           /* 0 = count only */
	atomic_bool failed;     /* the fault was injected */
} A;

static bool should_fail(void)
{
	if (!atomic_load(&A.armed))
		return false;
	long n = atomic_fetch_add(&A.calls, 1) + 1;
	if (A.fail_at && n == A.fail_at) {
		atomic_store(&A.failed, true);
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

static void arm(long fail_at)
{
	atomic_store(&A.calls, 0);
	A.fail_at = fail_at;
	atomic_store(&A.failed, false);
	atomic_store(&A.armed, true);
}

static long disarm(void)
{
	atomic_store(&A.armed, false);
	return atomic_load(&A.calls);
}

/* Is the link-time wrapper in place?  Skips the test when it is not. */
static void need_wrap(void)
{
	/* Through a volatile pointer, so the compiler cannot elide the pair. */
	void *(*volatile m)(size_t) = malloc;
	arm(0);
	void *p = m(16);
	long n = disarm();
	free(p);
	if (n != 1)
		skip();
}

/* ---- run 1: load a baseline --------------------------------------------- */

static int load_baseline(size_t *ncontrols)
{
	struct bl_baseline *b = NULL;
	struct bl_diags d;
	bl_diags_init(&d);
	int rc = bl_baseline_load(&b, "tests/fixtures/e2e/baseline.yaml", &d);
	if (rc == 0)
		*ncontrols = b->ncontrols;
	bl_baseline_free(b);
	bl_diags_free(&d);
	return rc;
}

static void baseline_load_under_faults(void **state)
{
	(void)state;
	need_wrap();
	size_t ref = 0, got = 0;
	arm(0);
	assert_int_equal(load_baseline(&ref), 0);
	long total = disarm();
	assert_true(ref > 5);
	assert_true(total > 10);
	for (long n = 1; n <= total; n++) {
		arm(n);
		int rc = load_baseline(&got);
		disarm();
		if (rc == 0)
			assert_int_equal(got, ref);
		else if (rc != BL_ENOMEM)
			fail_msg("allocation %ld of %ld failed: load returned %d, not BL_ENOMEM", n,
				 total, rc);
	}
	print_message("baseline load: %ld allocations, each failed once\n", total);
}

/* ---- runs 2 and 3: assess ------------------------------------------------- */

struct collect {
	const struct bl_baseline *b;
	int *status;
};

static int collect_result(void *ctx, const struct bl_result *r)
{
	struct collect *c = ctx;
	size_t i = (size_t)(r->control - c->b->controls);
	if (i < c->b->ncontrols && c->status[i] != BL_FAIL && c->status[i] != BL_ERROR)
		c->status[i] = (int)r->status;   /* worst of pass < fail/error per control */
	return 0;
}

static struct bl_baseline *load(const char *path)
{
	struct bl_baseline *b = NULL;
	struct bl_diags d;
	bl_diags_init(&d);
	assert_int_equal(bl_baseline_load(&b, path, &d), 0);
	bl_diags_free(&d);
	return b;
}

/* One assessment (host when root is set, else the snapshot); statuses out. */
static int assess(const struct bl_baseline *b, const char *root, const char *snapshot, int *out,
		  bool faults, long fail_at)
{
	for (size_t i = 0; i < b->ncontrols; i++)
		out[i] = -1;
	struct collect c = {b, out};
	struct bl_sink sink = {.result = collect_result, .ctx = &c};
	struct bl_run_stats stats;
	struct bl_error err;
	struct bl_facts *f = NULL;
	int rc;
	if (faults)
		arm(fail_at);
	rc = bl_run_stats_init(&stats, b);
	if (rc == 0 && root) {
		struct bl_facts_opts fo = {.root = root};
		rc = bl_facts_open(&f, &fo, &err);
		if (rc == 0)
			rc = bl_assess_host(b, f, NULL, &sink, &stats, &err);
		bl_facts_close(f);
	} else if (rc == 0) {
		struct bl_assess_opts ao = {.threads = 1};
		const char *paths[] = {snapshot};
		rc = bl_assess(b, paths, 1, &ao, &sink, &stats, &err);
	}
	bl_run_stats_free(&stats);
	return rc;
}

static void assess_under_faults(const char *what, const char *baseline, const char *root,
				const char *snapshot)
{
	need_wrap();
	struct bl_baseline *b = load(baseline);
	int *ref = calloc(b->ncontrols, sizeof(int));
	int *got = calloc(b->ncontrols, sizeof(int));
	assert_non_null(ref);
	assert_non_null(got);
	assert_int_equal(assess(b, root, snapshot, ref, true, 0), 0);
	long total = disarm();
	size_t with_result = 0;
	for (size_t i = 0; i < b->ncontrols; i++)
		with_result += ref[i] != -1;
	assert_true(with_result > 5);
	long enomem = 0, absorbed = 0;
	for (long n = 1; n <= total; n++) {
		int rc = assess(b, root, snapshot, got, true, n);
		disarm();
		if (rc == BL_ENOMEM) {
			enomem++;
			continue;
		}
		if (rc != 0)
			fail_msg("%s: allocation %ld of %ld failed: returned %d, not BL_ENOMEM", what,
				 n, total, rc);
		absorbed++;
		for (size_t i = 0; i < b->ncontrols; i++) {
			if (got[i] == ref[i])
				continue;
			/* A fact that could not be built may make a result an error;
			 * nothing else may change, and nothing may become a pass. */
			if (got[i] != BL_ERROR)
				fail_msg("%s: allocation %ld of %ld failed: control %s is %d, "
					 "reference %d", what, n, total, b->controls[i].id, got[i],
					 ref[i]);
		}
	}
	print_message("%s: %ld allocations; %ld runs ended in BL_ENOMEM, %ld absorbed\n", what,
		      total, enomem, absorbed);
	free(ref);
	free(got);
	bl_baseline_free(b);
}

static void snapshot_assess_under_faults(void **state)
{
	(void)state;
	assess_under_faults("snapshot", "tests/fixtures/e2e/baseline.yaml", NULL,
			    "tests/fixtures/e2e/snapshot.json");
}

static void host_assess_under_faults(void **state)
{
	(void)state;
	assess_under_faults("host", "builtin:linux-host", "tests/fixtures/hosts/hardened", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(baseline_load_under_faults),
		cmocka_unit_test(snapshot_assess_under_faults),
		cmocka_unit_test(host_assess_under_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
