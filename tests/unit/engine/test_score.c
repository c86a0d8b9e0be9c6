/* Unit tests for engine/score.c: per-tier/environment/owner tallies and the
 * severity-weighted score on hand-computed cases. */
#include "enginetest.h"

#include "engine/score.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: CRIT, title: c, severity: critical, expect: {field: x, exists: true}}\n"
	"  - {id: HIGH, title: h, severity: high, expect: {field: x, exists: true}}\n"
	"  - {id: LOW, title: l, severity: low, expect: {field: x, exists: true}}\n"
	"  - {id: INFO, title: i, severity: info, expect: {field: x, exists: true}}\n";

static void add(struct bl_scores *s, const struct bl_control *c, const struct bl_asset *a,
		enum bl_status st)
{
	struct bl_result r = {.control = c, .asset = a, .status = st, .message = ""};
	assert_int_equal(bl_scores_add(s, &r), 0);
}

static void test_weighted_and_groups(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *crit = &t.b->controls[0], *high = &t.b->controls[1],
				*low = &t.b->controls[2], *info = &t.b->controls[3];
	struct bl_asset a1 = {.id = "a1", .type = "T", .tier = 1, .environment = "prod", .owner = "pay"};
	struct bl_asset a2 = {.id = "a2", .type = "T", .tier = 3, .environment = "dev", .owner = "pay"};
	struct bl_asset a3 = {.id = "a3", .type = "T"};
	struct bl_scores s;
	bl_scores_init(&s);
	/* a1: crit pass, high fail, low pass, info fail
	 * a2: crit fail, high exempt, low error, info pass
	 * a3: crit pass, high pass, low fail, info n/a */
	add(&s, crit, &a1, BL_PASS);
	add(&s, high, &a1, BL_FAIL);
	add(&s, low, &a1, BL_PASS);
	add(&s, info, &a1, BL_FAIL);
	add(&s, crit, &a2, BL_FAIL);
	add(&s, high, &a2, BL_EXEMPT);
	add(&s, low, &a2, BL_ERROR);
	add(&s, info, &a2, BL_PASS);
	add(&s, crit, &a3, BL_PASS);
	add(&s, high, &a3, BL_PASS);
	add(&s, low, &a3, BL_FAIL);
	add(&s, info, &a3, BL_NA);
	bl_scores_finish(&s);
	/* weighted pass = 10 + 1 + 0 + 10 + 5 = 26; fail = 5 + 0 + 10 + 1 = 16;
	 * error = 1; exempt = 5 (not in the denominator): 26 / 43 */
	assert_int_equal(s.weighted[BL_PASS], 26);
	assert_int_equal(s.weighted[BL_FAIL], 16);
	assert_int_equal(s.weighted[BL_ERROR], 1);
	assert_int_equal(s.weighted[BL_EXEMPT], 5);
	assert_float_equal(bl_scores_weighted(&s), 100.0 * 26 / 43, 1e-9);
	/* unweighted: pass 5, fail 4, error 1: 5/10 */
	assert_float_equal(bl_tally_compliance(&s.total), 50.0, 1e-9);
	assert_int_equal(s.tiers[1].n[BL_PASS], 2);
	assert_int_equal(s.tiers[1].n[BL_FAIL], 2);
	assert_float_equal(bl_tally_compliance(&s.tiers[1]), 50.0, 1e-9);
	assert_int_equal(s.tiers[3].n[BL_EXEMPT], 1);
	assert_float_equal(bl_tally_compliance(&s.tiers[3]), 100.0 / 3, 1e-9);   /* 1 / (1+1+1) */
	assert_int_equal(s.tiers[0].n[BL_NA], 1);
	assert_float_equal(bl_tally_compliance(&s.tiers[0]), 200.0 / 3, 1e-9);
	/* groups sorted by key, unknown last */
	assert_int_equal(s.envs.n, 3);
	assert_string_equal(s.envs.items[0].key, "dev");
	assert_string_equal(s.envs.items[1].key, "prod");
	assert_null(s.envs.items[2].key);
	assert_int_equal(s.owners.n, 2);
	assert_string_equal(s.owners.items[0].key, "pay");
	assert_int_equal(s.owners.items[0].t.n[BL_PASS], 3);
	assert_int_equal(s.owners.items[0].t.n[BL_FAIL], 3);
	assert_int_equal(s.owners.items[0].t.n[BL_ERROR], 1);
	assert_float_equal(bl_tally_compliance(&s.owners.items[0].t), 300.0 / 7, 1e-9);
	bl_scores_free(&s);
	et_free(&t);
}

static void test_empty_and_many_groups(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_scores s;
	bl_scores_init(&s);
	assert_true(bl_scores_weighted(&s) < 0);
	/* only info results: nothing weighted */
	struct bl_asset a = {.id = "a", .type = "T"};
	add(&s, &t.b->controls[3], &a, BL_FAIL);
	assert_true(bl_scores_weighted(&s) < 0);
	/* many owners: the hash grows and keeps every key apart */
	char names[500][8];
	for (int i = 0; i < 500; i++) {
		snprintf(names[i], sizeof(names[i]), "o%d", i);
		struct bl_asset x = {.id = "x", .type = "T", .owner = names[i]};
		add(&s, &t.b->controls[0], &x, i % 2 ? BL_PASS : BL_FAIL);
		add(&s, &t.b->controls[1], &x, BL_PASS);
	}
	assert_int_equal(s.owners.n, 501);
	bl_scores_finish(&s);
	assert_string_equal(s.owners.items[0].key, "o0");
	assert_int_equal(s.owners.items[0].t.n[BL_FAIL], 1);
	assert_int_equal(s.owners.items[0].t.n[BL_PASS], 1);
	assert_null(s.owners.items[500].key);
	bl_scores_free(&s);
	et_free(&t);
}

/* Consecutive results usually share their keys (one asset's controls):
 * the remembered group must be used only for an equal key, whatever the
 * pointer, and must not survive the sorting in finish. */
static void test_repeated_keys(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = &t.b->controls[0];
	char prod1[] = "prod", prod2[] = "prod", dev[] = "dev", prodx[] = "prodx";
	struct bl_asset p1 = {.id = "p1", .type = "T", .environment = prod1, .owner = "b"};
	struct bl_asset p2 = {.id = "p2", .type = "T", .environment = prod2, .owner = "b"};
	struct bl_asset d = {.id = "d", .type = "T", .environment = dev, .owner = "a"};
	struct bl_asset px = {.id = "px", .type = "T", .environment = prodx};
	struct bl_asset u = {.id = "u", .type = "T"};
	struct bl_scores s;
	bl_scores_init(&s);
	add(&s, c, &p1, BL_PASS);
	add(&s, c, &p1, BL_FAIL);
	add(&s, c, &p2, BL_PASS);   /* same text at another address */
	add(&s, c, &px, BL_FAIL);   /* longer key sharing a prefix */
	add(&s, c, &u, BL_FAIL);    /* unknown after known */
	add(&s, c, &u, BL_PASS);
	add(&s, c, &d, BL_ERROR);
	add(&s, c, &p1, BL_PASS);   /* back to an earlier group */
	prod1[0] = 'd';              /* the asset's text changes in place ("drod") */
	add(&s, c, &p1, BL_NA);
	bl_scores_finish(&s);
	assert_int_equal(s.envs.n, 5);
	assert_string_equal(s.envs.items[0].key, "dev");
	assert_int_equal(s.envs.items[0].t.n[BL_ERROR], 1);
	assert_string_equal(s.envs.items[1].key, "drod");
	assert_int_equal(s.envs.items[1].t.n[BL_NA], 1);
	assert_string_equal(s.envs.items[2].key, "prod");
	assert_int_equal(s.envs.items[2].t.n[BL_PASS], 3);
	assert_int_equal(s.envs.items[2].t.n[BL_FAIL], 1);
	assert_string_equal(s.envs.items[3].key, "prodx");
	assert_int_equal(s.envs.items[3].t.n[BL_FAIL], 1);
	assert_null(s.envs.items[4].key);
	assert_int_equal(s.envs.items[4].t.n[BL_FAIL], 1);
	assert_int_equal(s.envs.items[4].t.n[BL_PASS], 1);
	assert_int_equal(s.owners.n, 3);
	assert_string_equal(s.owners.items[0].key, "a");
	assert_int_equal(s.owners.items[1].t.n[BL_PASS], 3);
	/* counting after finish (which moved the groups) lands in the right ones */
	add(&s, c, &d, BL_PASS);
	add(&s, c, &u, BL_EXEMPT);
	bl_scores_finish(&s);
	assert_string_equal(s.envs.items[0].key, "dev");
	assert_int_equal(s.envs.items[0].t.n[BL_PASS], 1);
	assert_null(s.envs.items[4].key);
	assert_int_equal(s.envs.items[4].t.n[BL_EXEMPT], 1);
	assert_int_equal(s.envs.n, 5);
	bl_scores_free(&s);
	et_free(&t);
}

/* Assets with serials (model/asset.h): the next result of the same asset
 * reuses its groups; a new serial, serial 0, or a finish in between looks
 * them up again. */
static void test_serials(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = &t.b->controls[0];
	struct bl_asset a = {.id = "a", .type = "T", .environment = "prod", .owner = "x", .serial = 7};
	struct bl_asset b = {.id = "b", .type = "T", .environment = "dev", .owner = "y", .serial = 8};
	struct bl_asset z = {.id = "z", .type = "T", .environment = "dev", .owner = "x"};
	struct bl_scores s;
	bl_scores_init(&s);
	add(&s, c, &a, BL_PASS);
	add(&s, c, &a, BL_FAIL);
	add(&s, c, &b, BL_PASS);
	add(&s, c, &b, BL_PASS);
	add(&s, c, &z, BL_FAIL);
	add(&s, c, &z, BL_FAIL);
	add(&s, c, &a, BL_ERROR);
	bl_scores_finish(&s);   /* sorts: dev before prod */
	add(&s, c, &a, BL_EXEMPT);
	bl_scores_finish(&s);
	assert_int_equal(s.envs.n, 2);
	assert_string_equal(s.envs.items[0].key, "dev");
	assert_int_equal(s.envs.items[0].t.n[BL_PASS], 2);
	assert_int_equal(s.envs.items[0].t.n[BL_FAIL], 2);
	assert_string_equal(s.envs.items[1].key, "prod");
	assert_int_equal(s.envs.items[1].t.n[BL_PASS], 1);
	assert_int_equal(s.envs.items[1].t.n[BL_FAIL], 1);
	assert_int_equal(s.envs.items[1].t.n[BL_ERROR], 1);
	assert_int_equal(s.envs.items[1].t.n[BL_EXEMPT], 1);
	assert_int_equal(s.owners.n, 2);
	assert_string_equal(s.owners.items[0].key, "x");
	assert_int_equal(s.owners.items[0].t.n[BL_FAIL], 3);
	assert_int_equal(s.owners.items[0].t.n[BL_EXEMPT], 1);
	assert_string_equal(s.owners.items[1].key, "y");
	assert_int_equal(s.owners.items[1].t.n[BL_PASS], 2);
	bl_scores_free(&s);
	et_free(&t);
}

static void same_tally(const struct bl_tally *a, const struct bl_tally *b)
{
	for (int k = 0; k < BL_NSTATUS; k++)
		assert_int_equal(a->n[k], b->n[k]);
}

static void same_groups(const struct bl_score_groups *a, const struct bl_score_groups *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (!a->items[i].key)
			assert_null(b->items[i].key);
		else
			assert_string_equal(a->items[i].key, b->items[i].key);
		same_tally(&a->items[i].t, &b->items[i].t);
	}
}

/* bl_scores_sink_n counts a batch as bl_scores_add counts its results one
 * by one, whatever the cuts (serials, keys and assets repeating across a
 * cut). */
static void test_batch(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	struct bl_asset as[] = {
		{.id = "a", .type = "T", .tier = 1, .environment = "prod", .owner = "x", .serial = 7},
		{.id = "b", .type = "T", .tier = 3, .environment = "dev", .owner = "y", .serial = 8},
		{.id = "z", .type = "T", .environment = "dev", .owner = "x"},
		{.id = "n", .type = "T", .tier = 2},
	};
	enum { N = 40 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < N; i++) {
		res[i].control = &c[i % 4];
		res[i].asset = &as[i / 4 % 4];
		res[i].status = (enum bl_status)(i * 7 % BL_NSTATUS);
		res[i].message = "";
	}
	struct bl_scores one;
	bl_scores_init(&one);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(bl_scores_add(&one, &res[i]), 0);
	bl_scores_finish(&one);
	static const size_t steps[] = {1, 3, 5, N};
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		struct bl_scores s;
		bl_scores_init(&s);
		for (size_t i = 0; i < N; i += steps[k])
			assert_int_equal(bl_scores_sink_n(&s, res + i,
							  N - i < steps[k] ? N - i : steps[k]), 0);
		assert_int_equal(bl_scores_sink_n(&s, res, 0), 0);
		bl_scores_finish(&s);
		same_tally(&s.total, &one.total);
		for (int tr = 0; tr < 4; tr++)
			same_tally(&s.tiers[tr], &one.tiers[tr]);
		for (int st = 0; st < BL_NSTATUS; st++)
			assert_int_equal(s.weighted[st], one.weighted[st]);
		same_groups(&s.envs, &one.envs);
		same_groups(&s.owners, &one.owners);
		bl_scores_free(&s);
	}
	bl_scores_free(&one);
	et_free(&t);
}

/* A batch is counted by runs of results of one asset: the counts equal
 * sums made here result by result, for runs of every length, an asset
 * coming back after another, one without serial, and statuses in any mix
 * (a run with none of some). */
static void test_runs_match_sums(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	const struct bl_control *c = t.b->controls;
	static const unsigned weight[4] = {10, 5, 1, 0};   /* crit, high, low, info */
	struct bl_asset as[] = {
		{.id = "a", .type = "T", .tier = 1, .environment = "prod", .owner = "x", .serial = 1},
		{.id = "b", .type = "T", .tier = 3, .environment = "dev", .serial = 2},
		{.id = "z", .type = "T", .environment = "dev", .owner = "x"},
		{.id = "n", .type = "T", .tier = 2, .owner = "y", .serial = 3},
	};
	enum { N = 200 };
	struct bl_result res[N];
	memset(res, 0, sizeof(res));
	/* runs of 1, 2, ... 9 results; the asset of run k is k * 3 % 4 */
	size_t i = 0;
	for (size_t k = 0; i < N; k++)
		for (size_t j = 0; j <= k % 9 && i < N; j++, i++) {
			res[i].control = &c[(i * 5 + k) % 4];
			res[i].asset = &as[k * 3 % 4];
			res[i].status = (enum bl_status)((i * i + k) % BL_NSTATUS);
			res[i].message = "";
		}
	uint64_t total[BL_NSTATUS] = {0}, tiers[4][BL_NSTATUS] = {{0}}, w[BL_NSTATUS] = {0};
	uint64_t prod[BL_NSTATUS] = {0}, dev[BL_NSTATUS] = {0}, noenv[BL_NSTATUS] = {0};
	uint64_t ox[BL_NSTATUS] = {0}, oy[BL_NSTATUS] = {0}, noown[BL_NSTATUS] = {0};
	for (i = 0; i < N; i++) {
		const struct bl_result *r = &res[i];
		total[r->status]++;
		tiers[r->asset->tier][r->status]++;
		w[r->status] += weight[r->control->index];
		const char *e = r->asset->environment, *o = r->asset->owner;
		(!e ? noenv : strcmp(e, "prod") == 0 ? prod : dev)[r->status]++;
		(!o ? noown : strcmp(o, "x") == 0 ? ox : oy)[r->status]++;
	}
	struct bl_scores s;
	bl_scores_init(&s);
	/* cut in uneven batches, some inside a run */
	for (i = 0; i < N; i += 37)
		assert_int_equal(bl_scores_sink_n(&s, res + i, N - i < 37 ? N - i : 37), 0);
	bl_scores_finish(&s);
	for (int st = 0; st < BL_NSTATUS; st++) {
		assert_int_equal(s.total.n[st], total[st]);
		for (int tr = 0; tr < 4; tr++)
			assert_int_equal(s.tiers[tr].n[st], tiers[tr][st]);
		assert_int_equal(s.weighted[st], w[st]);
		/* sorted: dev, prod, unknown; x, y, unknown */
		assert_int_equal(s.envs.items[0].t.n[st], dev[st]);
		assert_int_equal(s.envs.items[1].t.n[st], prod[st]);
		assert_int_equal(s.envs.items[2].t.n[st], noenv[st]);
		assert_int_equal(s.owners.items[0].t.n[st], ox[st]);
		assert_int_equal(s.owners.items[1].t.n[st], oy[st]);
		assert_int_equal(s.owners.items[2].t.n[st], noown[st]);
	}
	assert_int_equal(s.envs.n, 3);
	assert_int_equal(s.owners.n, 3);
	bl_scores_free(&s);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weighted_and_groups),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_empty_and_many_groups),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_runs_match_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
