/*
 * writertest.h - shared by the unit tests of the SARIF, JUnit, CSV and
 * OSCAL writers: one baseline, one exception and five results (fail with a
 * hostile asset id read from a file, exempt, error, pass, not_applicable)
 * rendered through the public report interface.
 */
#ifndef BL_WRITERTEST_H
#define BL_WRITERTEST_H

#include "../engine/enginetest.h"

#include "engine/rollup.h"
#include "report/report.h"

static const char *wt_doc =
	"baseline: wt\nversion: 2.0.0\ntitle: t\ncontrols:\n"
	"  - {id: HI, title: High one, severity: high, rationale: Because., remediation: Fix it.,\n"
	"     references: [\"https://example.org/hi\"],\n"
	"     maps: {mcsb-v1: [DP-3], nist-800-53-r5: [\"SC-8(1)\"], cis-v8: [\"3.10\"]},\n"
	"     expect: {field: x, exists: true}}\n"
	"  - {id: MED, title: \"Medium\", severity: medium, maps: {mcsb-v1: [DP-3]}, expect: {field: x, exists: true}}\n"
	"  - {id: OFF, title: Off, severity: low, effect: disabled, expect: {field: x, exists: true}}\n"
	"  - {id: LO, title: Low one, severity: low, expect: {field: x, exists: true}}\n";

/* The hostile asset id: a formula, quotes, comma, newline, markup, a C0
 * control and an invalid UTF-8 byte. */
#define WT_HOSTILE "=HYPERLINK(\"http://x\",\"y\")\n<b>&'\x01\xff"

struct wt {
	struct et t;
	struct bl_arena a;
	struct bl_exceptions *x;
	struct bl_asset hostile, plain;
	struct bl_value actual;
	struct bl_evidence ev[2];
	struct bl_result res[5];
};

static inline void wt_init(struct wt *w)
{
	memset(w, 0, sizeof(*w));
	et_load(&w->t, wt_doc);
	bl_arena_init(&w->a, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exc_opts xo = {.now = 1795824000};   /* 2026-11-28 */
	assert_int_equal(bl_exceptions_from_doc(&w->x, tu_doc(&w->a,
		"exceptions:\n"
		"  - {id: EX-1, control: HI, assets: [\"b-*\"], category: waiver, justification: \"Legacy\\nclient.\",\n"
		"     approved_by: ciso@example.org, ticket: SEC-1, expires: 2027-03-31}\n",
		"exc.yaml"), &xo, &d), 0);
	bl_diags_free(&d);
	const struct bl_baseline *b = w->t.b;
	w->hostile = (struct bl_asset){.id = WT_HOSTILE, .type = "T", .name = "hostile", .tier = 1,
				       .environment = "prod", .owner = "team",
				       .file = "snaps/a b.json", .line = 12, .col = 5};
	w->plain = (struct bl_asset){.id = "b-1", .type = "T", .file = "host:b"};
	w->actual = (struct bl_value){.type = BL_VBOOL, .b = false};
	w->ev[0] = (struct bl_evidence){.path = "x", .actual = &w->actual, .expected = "exists true"};
	w->ev[1] = (struct bl_evidence){.path = "y", .actual = NULL, .expected = "equals 1"};
	w->res[0] = (struct bl_result){.control = &b->controls[0], .asset = &w->hostile, .status = BL_FAIL,
				       .evidence = w->ev, .nevidence = 2, .message = "x is false"};
	w->res[1] = (struct bl_result){.control = &b->controls[0], .asset = &w->plain, .status = BL_EXEMPT,
				       .evidence = w->ev, .nevidence = 1, .message = "exempt by EX-1",
				       .exception = &w->x->items[0], .exc_state = BL_EXC_ACTIVE};
	w->res[2] = (struct bl_result){.control = &b->controls[1], .asset = &w->plain, .status = BL_ERROR,
				       .message = "cannot read x"};
	w->res[3] = (struct bl_result){.control = &b->controls[3], .asset = &w->hostile, .status = BL_PASS,
				       .message = "compliant"};
	w->res[4] = (struct bl_result){.control = &b->controls[3], .asset = &w->plain, .status = BL_NA,
				       .message = "out of scope"};
}

static inline void wt_free(struct wt *w)
{
	bl_exceptions_free(w->x);
	bl_arena_free(&w->a);
	et_free(&w->t);
}

/* Render results [0, n) of w in format; returns a malloc'd NUL-terminated
 * string (free it). */
static inline char *wt_render_n(struct wt *w, const char *format, bool all, size_t n)
{
	struct bl_report *r;
	struct bl_error e;
	struct bl_report_opts o = {.all = all};
	assert_int_equal(bl_report_open(&r, format, w->t.b, &o, &e), 0);
	struct bl_run_stats st;
	assert_int_equal(bl_run_stats_init(&st, w->t.b), 0);
	assert_int_equal(bl_run_stats_track_exceptions(&st, w->x), 0);
	st.assets = 2;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bl_report_result(r, &w->res[i]), 0);
		bl_run_stats_add(&st, &w->res[i]);
	}
	struct bl_rollup ru;
	assert_int_equal(bl_rollup_build(&ru, w->t.b, &st), 0);
	const char *targets[] = {"snaps/a b.json"};
	struct bl_run_info run = {.id = "6f1c2a9e-3b7d-4c55-9a0e-8d2f4b1c7e30",
				  .started = "2026-11-28T10:00:00Z", .finished = "2026-11-28T10:00:02Z",
				  .baseline = w->t.b, .targets = targets, .ntargets = 1, .stats = &st,
				  .rollup = &ru, .exceptions = w->x, .now = 1795824000};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(bl_report_finish(r, &run, f, &e), 0);
	fclose(f);
	bl_report_free(r);
	bl_rollup_free(&ru);
	bl_run_stats_free(&st);
	return buf;
}

static inline char *wt_render(struct wt *w, const char *format, bool all)
{
	return wt_render_n(w, format, all, 5);
}

/* s[0..n) equals the NUL-terminated want. */
static inline bool wt_eq(const char *s, size_t n, const char *want)
{
	return s && n == strlen(want) && memcmp(s, want, n) == 0;
}

/* The string member key of obj, checked against want. */
#define assert_str_member(obj, key, want)                                          \
	do {                                                                       \
		size_t n_;                                                         \
		const char *s_ = bl_value_strz((obj), (key), &n_);                 \
		if (!wt_eq(s_, n_, (want)))                                        \
			fail_msg("%s: expected \"%s\", got \"%.*s\"", (key), (want), \
				 s_ ? (int)n_ : 6, s_ ? s_ : "(null)");            \
	} while (0)

#endif
