/*
 * test_evaluate.c - engine/evaluate.c: scope by tier and environment only
 * when the asset's value is known, the standard failure message and its
 * flag (struct bl_result.std_message) on each form, the flag cleared where
 * an exception rewrites the message, results appended asset after
 * asset past the list's first capacity, and the count when memory runs
 * out.
 */
#include "enginetest.h"

#include "engine/evaluate.h"
#include "model/exceptions.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: T1, title: t, severity: high, scope: {tiers: [1]}, expect: {field: s, equals: a}}\n"
	"  - {id: ENV, title: t, severity: high, scope: {environments: [Production]},\n"
	"     expect: {field: s, equals: a}}\n"
	"  - {id: STR, title: t, severity: high, expect: {field: s, equals: a}}\n"
	"  - {id: MISS, title: t, severity: low, expect: {field: m, equals: a}}\n"
	"  - {id: BOOL, title: t, severity: low, expect: {field: b, equals: true}}\n"
	"  - {id: NUM, title: t, severity: low, expect: {field: n, equals: 1}}\n"
	"  - {id: ANY, title: t, severity: low, expect: {anyOf: [{field: s, equals: a},\n"
	"       {field: b, equals: true}, {field: m, exists: true}]}}\n"
	"  - {id: QUOTE, title: t, severity: low, expect: {field: q, equals: a}}\n";

struct fx {
	struct et t;
	struct bl_arena a;
	struct bl_eval ev;
	struct bl_results out;
	uint32_t ctrl[8];
	size_t n;
};

static void fx_init_doc(struct fx *f, const char *baseline)
{
	memset(f, 0, sizeof(*f));
	et_load(&f->t, baseline);
	bl_arena_init(&f->a, 0);
	bl_eval_init(&f->ev);
	f->n = f->t.b->ncontrols;
	for (uint32_t i = 0; i < f->n; i++)
		f->ctrl[i] = i;
}

static void fx_init(struct fx *f)
{
	fx_init_doc(f, doc);
}

static void fx_free(struct fx *f)
{
	bl_results_free(&f->out);
	bl_eval_fini(&f->ev);
	bl_arena_free(&f->a);
	et_free(&f->t);
}

/* The results of one asset with the given tier and environment. */
static const struct bl_result *eval(struct fx *f, int tier, const char *env,
				    const struct bl_assess_opts *o)
{
	struct bl_asset *as = bl_arena_alloc(&f->a, sizeof(*as));
	assert_non_null(as);
	*as = (struct bl_asset){.id = "/subs/1/x-1", .type = "T", .tier = tier, .environment = env,
				.doc = tu_json(&f->a, "{\"s\": \"b\", \"b\": false, \"n\": 2, \"q\": \"x\\\"y\"}")};
	size_t before = f->out.n;
	assert_int_equal(bl_evaluate_asset(f->t.b, f->ctrl, f->n, as, o, &f->ev, &f->a, &f->out), 0);
	assert_int_equal(f->out.n, before + f->n);
	return &f->out.items[before];
}

static void test_scope_only_when_known(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* unknown tier and environment: every control assessed */
	const struct bl_result *r = eval(&f, 0, NULL, NULL);
	assert_int_equal(r[0].status, BL_FAIL);
	assert_int_equal(r[1].status, BL_FAIL);
	/* tier 2 is not in [1]; the environment matches without case */
	r = eval(&f, 2, "production", NULL);
	assert_int_equal(r[0].status, BL_NA);
	assert_string_equal(r[0].message, "out of scope: tier 2 is not in the control's tiers");
	assert_int_equal(r[1].status, BL_FAIL);
	/* tier known and in scope, environment known and not */
	r = eval(&f, 1, "dev", NULL);
	assert_int_equal(r[0].status, BL_FAIL);
	assert_int_equal(r[1].status, BL_NA);
	assert_string_equal(r[1].message,
			    "out of scope: environment dev is not in the control's environments");
	/* only the environment known */
	r = eval(&f, 0, "dev", NULL);
	assert_int_equal(r[0].status, BL_FAIL);
	assert_int_equal(r[1].status, BL_NA);
	for (size_t i = 0; i < f.out.n; i++)
		if (f.out.items[i].status == BL_NA)
			assert_false(f.out.items[i].std_message);
	fx_free(&f);
}

static void test_standard_messages(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const struct bl_result *r = eval(&f, 0, NULL, NULL);
	static const struct {
		const char *msg;
		bool std;
	} want[] = {
		{"s is \"b\"; expected equals \"a\"", true},
		{"s is \"b\"; expected equals \"a\"", true},
		{"s is \"b\"; expected equals \"a\"", true},
		{"m is missing; expected equals \"a\"", true},
		{"b is false; expected equals true", true},
		{"n is 2; expected equals 1", false},
		{"s is \"b\"; expected equals \"a\" (and 2 more)", true},
		/* a value JSON escapes is quoted as JSON: not the standard form */
		{"q is \"x\\\"y\"; expected equals \"a\"", false},
	};
	for (size_t i = 0; i < f.n; i++) {
		assert_int_equal(r[i].status, BL_FAIL);
		assert_string_equal(r[i].message, want[i].msg);
		assert_int_equal(r[i].std_message, want[i].std);
	}
	fx_free(&f);
}

/* Messages whose texts the evaluator measured as it made them (struct
 * bl_eval.evlen): negated operators, concrete [*] paths, count paths and
 * texts, and a violation count's negated text. */
static void test_messages_measured_texts(void **state)
{
	(void)state;
	struct fx f;
	fx_init_doc(&f,
		"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
		"  - {id: VIOL, title: t, severity: high, violation: {field: s, equals: b}}\n"
		"  - {id: STAR, title: t, severity: high, expect: {field: 'r[*].p', equals: 1}}\n"
		"  - {id: CNT, title: t, severity: high, expect: {count: {field: 'r[*]'}, less: 1}}\n"
		"  - {id: VCNT, title: t, severity: high, violation: {count: {field: 'r[*]'}, greater: 1}}\n");
	struct bl_asset *as = bl_arena_alloc(&f.a, sizeof(*as));
	assert_non_null(as);
	*as = (struct bl_asset){.id = "/subs/1/x-1", .type = "T",
				.doc = tu_json(&f.a, "{\"s\": \"b\", \"r\": [{\"p\": 1}, {\"p\": \"z\"}]}")};
	assert_int_equal(bl_evaluate_asset(f.t.b, f.ctrl, f.n, as, NULL, &f.ev, &f.a, &f.out), 0);
	static const char *const want[] = {
		"s is \"b\"; expected notEquals \"b\"",
		"r[1].p is \"z\"; expected equals 1",
		"count(r[*]) is 2; expected count of r[*] less 1",
		"count(r[*]) is 2; expected count of r[*] lessOrEquals 1",
	};
	assert_int_equal(f.out.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(f.out.items[i].status, BL_FAIL);
		assert_string_equal(f.out.items[i].message, want[i]);
	}
	fx_free(&f);
}

/* A failure's evidence and message share one arena block; with room for
 * the evidence alone the failure keeps its evidence and says "failed" (not
 * a standard message), as when each had its own allocation. */
static void test_failure_block_fallback(void **state)
{
	(void)state;
	for (int room = 0; room < 2; room++) {
		struct fx f;
		fx_init(&f);
		struct bl_asset *as = bl_arena_alloc(&f.a, sizeof(*as));
		assert_non_null(as);
		*as = (struct bl_asset){.id = "x", .type = "T", .doc = tu_json(&f.a, "{\"s\": \"b\"}")};
		f.ctrl[0] = 3;   /* MISS: "m is missing; expected equals \"a\"" */
		f.n = 1;
		/* the evidence copy (one item, 24 bytes taken as 32 by the
		 * arena's 16-byte rounding) fits, not the block (64) nor the
		 * message alone (48); with room, the block too */
		f.a.limit = f.a.used + (room ? 4096 : 32);
		assert_int_equal(bl_evaluate_asset(f.t.b, f.ctrl, f.n, as, NULL, &f.ev, &f.a, &f.out), 0);
		assert_int_equal(f.out.n, 1);
		const struct bl_result *r = &f.out.items[0];
		assert_int_equal(r->status, BL_FAIL);
		assert_int_equal(r->nevidence, 1);
		assert_string_equal(r->evidence[0].path, "m");
		assert_string_equal(r->message, room ? "m is missing; expected equals \"a\"" : "failed");
		assert_int_equal(r->std_message, room);
		fx_free(&f);
	}
}

static void test_exception_clears_flag(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_exceptions *x;
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_exc_opts xo = {.now = 1795824000};   /* 2026-11-28 */
	assert_int_equal(bl_exceptions_from_doc(&x, tu_doc(&f.a,
		"exceptions:\n"
		"  - {id: EX-1, control: STR, assets: [\"*\"], category: waiver, justification: j,\n"
		"     approved_by: a@example.org, ticket: T-1, expires: 2027-03-31}\n"
		"  - {id: EX-2, control: MISS, assets: [\"*\"], category: waiver, justification: j,\n"
		"     approved_by: a@example.org, ticket: T-2, expires: 2026-01-31}\n",
		"exc.yaml"), &xo, &d), 0);
	bl_diags_free(&d);
	struct bl_assess_opts o = {.exceptions = x, .now = 1795824000};
	const struct bl_result *r = eval(&f, 0, NULL, &o);
	assert_int_equal(r[2].status, BL_EXEMPT);
	assert_false(r[2].std_message);
	assert_string_equal(r[2].message,
			    "exempt by EX-1 (waiver, expires 2027-03-31): s is \"b\"; expected equals \"a\"");
	assert_int_equal(r[3].status, BL_FAIL);
	assert_int_equal(r[3].exc_state, BL_EXC_EXPIRED);
	assert_false(r[3].std_message);
	assert_string_equal(r[3].message,
			    "m is missing; expected equals \"a\" (exception EX-2 expired on 2026-01-31)");
	/* the others keep theirs */
	assert_true(r[4].std_message);
	bl_exceptions_free(x);
	fx_free(&f);
}

static void test_many_assets_grow_list(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* 8 results per asset: the list grows past 256 several times, and each
	 * asset's results stay in control order */
	for (int i = 0; i < 200; i++) {
		const struct bl_result *r = eval(&f, i % 4, i % 2 ? "Production" : NULL, NULL);
		for (size_t k = 0; k < f.n; k++)
			assert_ptr_equal(r[k].control, &f.t.b->controls[k]);
	}
	assert_int_equal(f.out.n, 200 * f.n);
	assert_true(f.out.cap >= f.out.n);
	fx_free(&f);
}

/* Out of memory in the middle of an asset: the error, and the list counts
 * the results up to the one that ran out (each written whole but the
 * last's message), whether the arena runs out at the first failure or
 * after passes before it. */
static void test_out_of_memory_counts(void **state)
{
	(void)state;
	for (int pass_first = 0; pass_first < 2; pass_first++) {
		struct fx f;
		fx_init(&f);
		struct bl_asset *as = bl_arena_alloc(&f.a, sizeof(*as));
		assert_non_null(as);
		/* with s = a, STR passes: a pass then a failure (MISS) */
		*as = (struct bl_asset){.id = "x", .type = "T",
					.doc = tu_json(&f.a, pass_first ? "{\"s\": \"a\"}"
									 : "{\"s\": \"b\"}")};
		f.ctrl[0] = 2;   /* STR */
		f.ctrl[1] = 3;   /* MISS */
		f.n = 2;
		f.a.limit = f.a.used;
		size_t before = f.out.n;
		assert_int_equal(bl_evaluate_asset(f.t.b, f.ctrl, f.n, as, NULL, &f.ev, &f.a, &f.out),
				 BL_ENOMEM);
		assert_int_equal(f.out.n, before + (pass_first ? 2 : 1));
		if (pass_first)
			assert_int_equal(f.out.items[before].status, BL_PASS);
		assert_int_equal(f.out.items[f.out.n - 1].status, BL_FAIL);
		fx_free(&f);
	}
}

/* A message from the arena that could not be made (here: out of scope, out
 * of memory) is BL_ENOMEM even when every other result of the asset passes
 * and no exception needs the second pass over the results. */
static void test_out_of_memory_message(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct fx f;
		fx_init(&f);
		struct bl_asset *as = bl_arena_alloc(&f.a, sizeof(*as));
		assert_non_null(as);
		*as = (struct bl_asset){.id = "x", .type = "T", .tier = 2,
					.doc = tu_json(&f.a, "{\"s\": \"a\"}")};
		f.ctrl[0] = order ? 2 : 0;   /* STR passes; T1 is out of scope for tier 2 */
		f.ctrl[1] = order ? 0 : 2;
		f.n = 2;
		f.a.limit = f.a.used;
		size_t before = f.out.n;
		assert_int_equal(bl_evaluate_asset(f.t.b, f.ctrl, f.n, as, NULL, &f.ev, &f.a, &f.out),
				 BL_ENOMEM);
		assert_int_equal(f.out.n, before + 2);
		const struct bl_result *na = &f.out.items[before + (order ? 1 : 0)];
		assert_int_equal(na->status, BL_NA);
		assert_null(na->message);
		/* with room, the same asset is fine */
		f.a.limit = 0;
		f.out.n = before;
		assert_int_equal(bl_evaluate_asset(f.t.b, f.ctrl, f.n, as, NULL, &f.ev, &f.a, &f.out), 0);
		assert_string_equal(f.out.items[before + (order ? 1 : 0)].message,
				    "out of scope: tier 2 is not in the control's tiers");
		fx_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_only_when_known),
		cmocka_unit_test(test_standard_messages),
		cmocka_unit_test(test_messages_measured_texts),
		cmocka_unit_test(test_failure_block_fallback),
		cmocka_unit_test(test_exception_clears_flag),
		cmocka_unit_test(test_many_assets_grow_list),
		cmocka_unit_test(test_out_of_memory_counts),
		cmocka_unit_test(test_out_of_memory_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
