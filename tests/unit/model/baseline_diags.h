/*
 * baseline_diags.h - what the baseline document tests share: load a
 * fixture that must fail and compare its diagnostics, each at its place.
 */
#ifndef BL_TEST_BASELINE_DIAGS_H
#define BL_TEST_BASELINE_DIAGS_H

#include "testutil.h"

#include "model/baseline.h"

#define FIX "tests/fixtures/baselines/"

/* Load path, expect BL_EINVAL and exactly the "line:col: message" list
 * want[] (sorted by position), every one naming path as its file. */
static inline void expect_diags(const char *path, const char *const *want, size_t n)
{
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = (struct bl_baseline *)1;
	int rc = bl_baseline_load(&b, path, &d);
	assert_int_equal(rc, BL_EINVAL);
	assert_null(b);
	bl_diags_sort(&d);
	bool same = d.n == n;
	char got[1024];
	for (size_t i = 0; i < d.n; i++) {
		snprintf(got, sizeof(got), "%u:%u: %s", d.items[i].line, d.items[i].col,
			 d.items[i].msg);
		if (i >= n || strcmp(got, want[i]) != 0) {
			print_message("diag %zu:\n  got  %s\n  want %s\n", i, got, i < n ? want[i] : "(none)");
			same = false;
		}
		assert_non_null(d.items[i].file);
		assert_string_equal(d.items[i].file, path);
	}
	for (size_t i = d.n; i < n; i++)
		print_message("missing diag: %s\n", want[i]);
	bl_diags_free(&d);
	assert_true(same);
}

#define EXPECT_DIAGS(path, ...)                                                   \
	do {                                                                      \
		static const char *const want_[] = {__VA_ARGS__};                 \
		expect_diags((path), want_, sizeof(want_) / sizeof(want_[0]));    \
	} while (0)

#endif
