/*
 * test_eval_share.c - what eval.c remembers per document for conditions
 * compiled through a cache (a baseline's): path prefixes (struct bl_pfx,
 * bl_eval.memo), results of leaves that other leaves share (struct
 * bl_leaf_key, bl_eval.leaves), and top-level counts for their evidence
 * (bl_eval.counts); and the evidence texts written without printf.
 *
 * The memos are checked against conditions compiled without a cache, which
 * remember nothing: the same answers, reasons and evidence on randomised
 * documents, across documents that reuse the last one's memory, documents
 * swapped in and out, two programs sharing one evaluator, and the scopes of
 * (nested) counts; unknown answers are never remembered.
 */
#include "testutil.h"

#include "rule/ops.h"
#include "rule/rule.h"

struct prog {
	struct bl_arena a;
	struct bl_rule_env env;
};

struct sx {
	struct bl_diags d;
	struct prog cached1, cached2, plain;
	struct bl_arena ea, da[2];   /* evaluation, documents (reset per round) */
	struct bl_eval e1, e2, e3;   /* cached1, plain, cached2 (or e1: shared) */
	bool share;                  /* this round, cached2 evaluates through e1 */
};

static void prog_init(struct prog *p, struct bl_diags *d, bool cached)
{
	bl_arena_init(&p->a, 0);
	p->env.arena = &p->a;
	p->env.diags = d;
	p->env.cache = cached ? bl_compile_cache_new(&p->a) : NULL;
	if (cached && !p->env.cache)
		fail_msg("no regex cache");
}

static int setup(void **state)
{
	struct sx *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	bl_diags_init(&s->d);
	prog_init(&s->cached1, &s->d, true);
	prog_init(&s->cached2, &s->d, true);
	prog_init(&s->plain, &s->d, false);
	bl_arena_init(&s->ea, 0);
	bl_arena_init(&s->da[0], 0);
	bl_arena_init(&s->da[1], 0);
	bl_eval_init(&s->e1);
	bl_eval_init(&s->e2);
	bl_eval_init(&s->e3);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct sx *s = *state;
	bl_eval_fini(&s->e1);
	bl_eval_fini(&s->e2);
	bl_eval_fini(&s->e3);
	bl_diags_free(&s->d);
	bl_arena_free(&s->cached1.a);
	bl_arena_free(&s->cached2.a);
	bl_arena_free(&s->plain.a);
	bl_arena_free(&s->ea);
	bl_arena_free(&s->da[0]);
	bl_arena_free(&s->da[1]);
	free(s);
	return 0;
}

static const struct bl_cond *compile_in(struct sx *s, struct prog *p, const char *json)
{
	const struct bl_cond *c = NULL;
	if (bl_cond_compile(&c, tu_json(&p->a, json), &p->env) != 0)
		fail_msg("compile %s: %s", json, s->d.n ? s->d.items[0].msg : "?");
	return c;
}

static const char *jtext(struct bl_arena *a, const struct bl_value *v)
{
	if (!v)
		return "(none)";
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_json_write(&b, v, 0);
	char *t = bl_arena_strndup(a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	return t;
}

/* The evaluation's visible state after evaluating or explaining, as text. */
static const char *state_text(struct bl_arena *a, const struct bl_eval *e, enum bl_truth t)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_printf(&b, "t=%d error=[%s] na=%d reason=[%s] nev=%zu", (int)t, e->error, (int)e->na,
		      e->na_reason, e->nev);
	for (size_t i = 0; i < e->nev; i++)
		bl_buf_printf(&b, " | %s = %s, %s", e->ev[i].path, jtext(a, e->ev[i].actual),
			      e->ev[i].expected);
	char *out = bl_arena_strndup(a, b.data, b.len);
	bl_buf_free(&b);
	return out;
}

/* Conditions the randomised test runs; leaves repeat across them on
 * purpose (shared leaf keys and prefixes), in cases that may fold. */
static const char *const CONDS[] = {
	"{\"field\":\"p.a\",\"equals\":1}",
	"{\"field\":\"p.a\",\"equals\":1}",
	"{\"field\":\"p.a\",\"equals\":\"1\"}",
	"{\"field\":\"p.a\",\"equals\":1.0}",
	"{\"field\":\"P.a\",\"equals\":1}",
	"{\"field\":\"p.A\",\"equals\":1}",
	"{\"field\":\"p.a.b\",\"equals\":\"x\"}",
	"{\"field\":\"p.a.a\",\"exists\":true}",
	"{\"field\":\"p.a.a\",\"exists\":false}",
	"{\"field\":\"p.b\",\"in\":[\"x\",1,true]}",
	"{\"field\":\"p.b\",\"notIn\":[\"x\"]}",
	"{\"field\":\"p.a\",\"less\":2}",
	"{\"field\":\"p.a\",\"less\":2}",
	"{\"field\":\"p.q[*].v\",\"equals\":1}",
	"{\"field\":\"p.q[0].v\",\"equals\":1}",
	"{\"field\":\"p.q[1].w\",\"like\":\"x*\"}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"equals\":1}},\"greater\":0}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"equals\":1}},\"less\":2}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"allOf\":[{\"field\":\"p.q[*].v\",\"equals\":1},"
	"{\"field\":\"p.q[*].w\",\"equals\":\"x\"}]}},\"less\":2}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].V\",\"equals\":1}},\"equals\":0}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"less\":2}},\"equals\":0}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"count\":{\"field\":\"p.q[*].r[*]\",\"where\":"
	"{\"field\":\"p.q[*].r[*].v\",\"equals\":1}},\"greater\":0}},\"greater\":0}",
	"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"count\":{\"field\":\"p.q[*].r[*]\",\"where\":"
	"{\"field\":\"p.q[*].r[*].v\",\"equals\":1}},\"equals\":1}},\"equals\":1}",
	"{\"count\":{\"field\":\"p.q[*].r[*]\"},\"lessOrEquals\":2}",
	"{\"anyOf\":[{\"field\":\"p.a\",\"equals\":1},{\"field\":\"p.b\",\"equals\":\"x\"}]}",
	"{\"not\":{\"field\":\"p.a\",\"equals\":1}}",
	"{\"allOf\":[{\"field\":\"p.a\",\"exists\":true},{\"field\":\"p.a\",\"less\":2}]}",
	"{\"allOf\":[{\"count\":{\"field\":\"p.q[*]\"},\"greater\":1},"
	"{\"count\":{\"field\":\"P.q[*]\"},\"greater\":0}]}",
	"{\"not\":{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"equals\":1}},"
	"\"greater\":0}}",
	"{\"field\":\"fullName\",\"equals\":\"n\"}",
};
#define NCONDS (sizeof(CONDS) / sizeof(CONDS[0]))

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

static const char *pick(uint32_t *seed, const char *const *v, size_t n)
{
	return v[lcg(seed) % n];
}

/* A random document: members of p (and sometimes P) in random cases and
 * orders, scalars of several types, arrays of objects with nested arrays. */
static void gen_doc(struct bl_buf *b, uint32_t *seed)
{
	static const char *const scal[] = {"1", "\"1\"", "2", "\"x\"", "true", "\"1.0\"",
					   "{\"a\":1,\"b\":\"x\"}", "{\"A\":\"y\"}", "[1]", "null"};
	static const char *const names[] = {"a", "A", "b", "B", "q", "Q"};
	bl_buf_adds(b, "{");
	if (lcg(seed) % 3 == 0)
		bl_buf_adds(b, "\"name\":\"n\",");
	for (int top = 0; top < 2; top++) {
		if (top == 1 && lcg(seed) % 2)
			break;
		bl_buf_adds(b, top ? ",\"P\":{" : "\"p\":{");
		int first = 1;
		uint32_t start = lcg(seed) % 6, step = lcg(seed) % 2 ? 1 : 5;   /* 5 = -1 */
		for (uint32_t k = 0; k < 6; k++) {
			size_t i = (start + k * step) % 6;   /* each name once, in a rotated order */
			if (lcg(seed) % 3 == 0)
				continue;
			bl_buf_printf(b, "%s\"%s\":", first ? "" : ",", names[i]);
			first = 0;
			if (i < 4) {
				bl_buf_adds(b, pick(seed, scal, 10));
				continue;
			}
			bl_buf_adds(b, "[");
			uint32_t n = lcg(seed) % 5;
			for (uint32_t j = 0; j < n; j++) {
				bl_buf_printf(b, "%s{\"v\":%s,\"%s\":\"%s\",\"r\":[", j ? "," : "",
					      pick(seed, (const char *const[]){"1", "\"1\"", "2", "true"}, 4),
					      lcg(seed) % 4 ? "w" : "W",
					      pick(seed, (const char *const[]){"x", "X", "xy", "y"}, 4));
				uint32_t m = lcg(seed) % 4;
				for (uint32_t r = 0; r < m; r++)
					bl_buf_printf(b, "%s{\"v\":%u}", r ? "," : "", lcg(seed) % 2 + 1);
				bl_buf_adds(b, "]}");
			}
			bl_buf_adds(b, "]");
		}
		bl_buf_adds(b, "}");
	}
	bl_buf_adds(b, "}");
}

/* Evaluate (unless explain_only) and explain condition i in all three
 * programs; the visible state must agree. */
static void check_one(struct sx *s, const struct bl_cond *const *c1, const struct bl_cond *const *c2,
		      const struct bl_cond *const *cp, size_t i, bool explain_only, const char *doc)
{
	const struct bl_cond *cs[3] = {c1[i], c2[i], cp[i]};
	struct bl_eval *es[3] = {&s->e1, s->share ? &s->e1 : &s->e3, &s->e2};
	const char *out[3];
	for (int k = 0; k < 3; k++) {
		struct bl_eval *e = es[k];
		bl_eval_clear(e);
		e->nev = 0;
		enum bl_truth t = BL_FALSE;
		if (!explain_only)
			t = bl_cond_eval(cs[k], e);
		bl_cond_explain(cs[k], e, t);
		out[k] = state_text(&s->ea, e, t);
	}
	if (strcmp(out[0], out[2]) != 0 || strcmp(out[1], out[2]) != 0)
		fail_msg("%s on %s:\n cached1 %s\n cached2 %s\n plain   %s", CONDS[i], doc, out[0],
			 out[1], out[2]);
}

static void test_memo_against_plain(void **state)
{
	struct sx *s = *state;
	const struct bl_cond *c1[NCONDS], *c2[NCONDS], *cp[NCONDS];
	for (size_t i = 0; i < NCONDS; i++) {
		c1[i] = compile_in(s, &s->cached1, CONDS[i]);
		c2[i] = compile_in(s, &s->cached2, CONDS[i]);
		cp[i] = compile_in(s, &s->plain, CONDS[i]);
	}
	uint32_t seed = 777;
	struct bl_buf text[2];
	bl_buf_init(&text[0], 0);
	bl_buf_init(&text[1], 0);
	const struct bl_value *docs[2] = {NULL, NULL};
	for (int round = 0; round < 600; round++) {
		/* a new document in memory the last-but-one used (often at its
		 * very address): only bl_eval_reset tells the two apart */
		int cur = round % 2;
		bl_arena_reset(&s->da[cur]);
		bl_buf_reset(&text[cur]);
		gen_doc(&text[cur], &seed);
		docs[cur] = tu_json(&s->da[cur], text[cur].data);
		bl_arena_reset(&s->ea);
		bl_eval_reset(&s->e1, docs[cur], &s->ea);
		bl_eval_reset(&s->e2, docs[cur], &s->ea);
		bl_eval_reset(&s->e3, docs[cur], &s->ea);
		/* mostly one program per evaluator (as a run has it), sometimes
		 * two: their nodes' ids are the same numbers */
		s->share = round % 5 == 4;
		for (int pass = 0; pass < 3; pass++)
			for (size_t j = 0; j < NCONDS; j++) {
				size_t i = (j * 7 + (size_t)round + (size_t)pass) % NCONDS;
				check_one(s, c1, c2, cp, i, lcg(&seed) % 5 == 0, text[cur].data);
			}
		/* the related-resource pass: another document evaluated through
		 * the same evaluators, then this one again */
		if (round > 0 && lcg(&seed) % 3 == 0) {
			s->e1.doc = s->e2.doc = s->e3.doc = docs[!cur];
			for (size_t i = 0; i < NCONDS; i += 3)
				check_one(s, c1, c2, cp, i, false, text[!cur].data);
			s->e1.doc = s->e2.doc = s->e3.doc = docs[cur];
			for (size_t i = 0; i < NCONDS; i++)
				check_one(s, c1, c2, cp, i, false, text[cur].data);
		}
	}
	bl_buf_free(&text[0]);
	bl_buf_free(&text[1]);
}

/* A shared leaf that comes out unknown is evaluated again every time, so
 * its reason is there every time; so is a not-available fact's. */
static void test_unknown_not_remembered(void **state)
{
	struct sx *s = *state;
	const struct bl_cond *a = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"less\":2}");
	const struct bl_cond *b = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"less\":2}");
	const struct bl_cond *w = compile_in(s, &s->cached1,
		"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"less\":2}},\"equals\":0}");
	const struct bl_cond *w2 = compile_in(s, &s->cached1,
		"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"less\":2}},\"equals\":0}");
	bl_eval_reset(&s->e1, tu_json(&s->ea, "{\"p\":{\"a\":\"text\",\"q\":[{\"v\":\"t\"}]}}"), &s->ea);
	for (int i = 0; i < 3; i++) {
		bl_eval_clear(&s->e1);
		assert_int_equal(bl_cond_eval(i % 2 ? a : b, &s->e1), BL_UNKNOWN);
		assert_string_equal(s->e1.error, "less: cannot compare string with a number");
		bl_eval_clear(&s->e1);
		assert_int_equal(bl_cond_eval(i % 2 ? w : w2, &s->e1), BL_UNKNOWN);
		assert_string_equal(s->e1.error, "less: cannot compare string with a number");
	}
	/* a fact that could not be read, behind a shared prefix */
	struct bl_value *doc = bl_value_new(&s->ea, BL_VOBJ);
	struct bl_member *m = bl_arena_calloc(&s->ea, 1, sizeof(*m));
	assert_non_null(doc);
	assert_non_null(m);
	m->key = "p";
	m->klen = 1;
	m->val = *bl_value_new_special(&s->ea, BL_VNA, "live-only fact: p");
	doc->u.obj.items = m;
	doc->u.obj.n = 1;
	bl_eval_reset(&s->e1, doc, &s->ea);
	for (int i = 0; i < 3; i++) {
		bl_eval_clear(&s->e1);
		assert_false(s->e1.na);
		assert_int_equal(bl_cond_eval(i % 2 ? a : b, &s->e1), BL_UNKNOWN);
		assert_true(s->e1.na);
		assert_string_equal(s->e1.na_reason, "live-only fact: p");
	}
}

/* Leaves share a key only when they read and compare the same: an operand
 * spelled differently (1, "1", 1.0), another case of a key, another
 * operator; and a count's explanation uses the number found in this
 * document only. */
static void test_keys_and_counts(void **state)
{
	struct sx *s = *state;
	const struct bl_cond *one = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":1}");
	const struct bl_cond *str = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":\"1\"}");
	const struct bl_cond *dec = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":1.0}");
	const struct bl_cond *up = compile_in(s, &s->cached1, "{\"field\":\"p.A\",\"equals\":1}");
	const struct bl_cond *ne = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"notEquals\":1}");
	const struct bl_cond *one2 = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":1}");
	bl_eval_reset(&s->e1, tu_json(&s->ea, "{\"p\":{\"a\":\"1.0\",\"A\":1}}"), &s->ea);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(bl_cond_eval(one, &s->e1), BL_FALSE);
		assert_int_equal(bl_cond_eval(dec, &s->e1), BL_TRUE);
		assert_int_equal(bl_cond_eval(str, &s->e1), BL_FALSE);
		assert_int_equal(bl_cond_eval(up, &s->e1), BL_TRUE);
		assert_int_equal(bl_cond_eval(ne, &s->e1), BL_TRUE);
		assert_int_equal(bl_cond_eval(one2, &s->e1), BL_FALSE);
	}
	/* YAML numbers whose text is not JSON (.5) are written as JSON (0.5) in
	 * `expected`, but compare by their own text: no shared key */
	const struct bl_cond *y[2];
	for (int k = 0; k < 2; k++) {
		const struct bl_value *v = tu_doc(&s->cached1.a, k ? "field: p.a\nequals: 0.5\n"
								   : "field: p.a\nequals: .5\n", "t.yaml");
		assert_int_equal(bl_cond_compile(&y[k], v, &s->cached1.env), 0);
	}
	bl_eval_reset(&s->e1, tu_json(&s->ea, "{\"p\":{\"a\":\".5\"}}"), &s->ea);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(bl_cond_eval(y[0], &s->e1), BL_TRUE);
		assert_int_equal(bl_cond_eval(y[1], &s->e1), BL_FALSE);
	}
	/* the next document at the same place: nothing carries over */
	struct bl_arena da;
	bl_arena_init(&da, 0);
	const struct bl_cond *cnt = compile_in(s, &s->cached1,
		"{\"count\":{\"field\":\"p.q[*]\"},\"equals\":1}");
	const struct bl_value *d1 = tu_json(&da, "{\"p\":{\"a\":1,\"q\":[1,2,3]}}");
	bl_eval_reset(&s->e1, d1, &s->ea);
	assert_int_equal(bl_cond_eval(one, &s->e1), BL_TRUE);
	assert_int_equal(bl_cond_eval(cnt, &s->e1), BL_FALSE);
	bl_arena_reset(&da);
	const struct bl_value *d2 = tu_json(&da, "{\"p\":{\"a\":2,\"q\":[1,2]}}");
	bl_eval_reset(&s->e1, d2, &s->ea);
	assert_int_equal(bl_cond_eval(one2, &s->e1), BL_FALSE);
	/* explained without being evaluated in this document: counted again */
	bl_cond_explain(cnt, &s->e1, BL_FALSE);
	assert_int_equal(s->e1.nev, 1);
	assert_string_equal(s->e1.ev[0].path, "count(p.q[*])");
	assert_string_equal(jtext(&s->ea, s->e1.ev[0].actual), "2");
	assert_true(s->e1.ev[0].actual->flags & BL_VF_INT);
	assert_string_equal(s->e1.ev[0].expected, "count of p.q[*] equals 1");
	/* evaluated, then explained: the number evaluating found */
	assert_int_equal(bl_cond_eval(cnt, &s->e1), BL_FALSE);
	bl_cond_explain(cnt, &s->e1, BL_FALSE);
	assert_string_equal(jtext(&s->ea, s->e1.ev[0].actual), "2");
	bl_arena_free(&da);
}

/* Evidence for a leaf that held: its operator negated, for every operator,
 * as the table in eval.c spells it (and "not (...)" where there is none). */
static void test_negated_expected(void **state)
{
	struct sx *s = *state;
	static const struct {
		const char *cond, *want;
	} cases[] = {
		{"{\"field\":\"x\",\"equals\":\"a\"}", "notEquals \"a\""},
		{"{\"field\":\"x\",\"notEquals\":\"a\"}", "equals \"a\""},
		{"{\"field\":\"x\",\"like\":\"a*\"}", "notLike \"a*\""},
		{"{\"field\":\"x\",\"notLike\":\"a*\"}", "like \"a*\""},
		{"{\"field\":\"x\",\"match\":\"##\"}", "notMatch \"##\""},
		{"{\"field\":\"x\",\"notMatch\":\"##\"}", "match \"##\""},
		{"{\"field\":\"x\",\"matchInsensitively\":\"a\"}", "notMatchInsensitively \"a\""},
		{"{\"field\":\"x\",\"notMatchInsensitively\":\"a\"}", "matchInsensitively \"a\""},
		{"{\"field\":\"x\",\"contains\":\"a\"}", "notContains \"a\""},
		{"{\"field\":\"x\",\"notContains\":\"a\"}", "contains \"a\""},
		{"{\"field\":\"x\",\"in\":[\"a\",1]}", "notIn [\"a\",1]"},
		{"{\"field\":\"x\",\"notIn\":[\"a\"]}", "in [\"a\"]"},
		{"{\"field\":\"x\",\"containsKey\":\"a\"}", "notContainsKey \"a\""},
		{"{\"field\":\"x\",\"notContainsKey\":\"a\"}", "containsKey \"a\""},
		{"{\"field\":\"x\",\"less\":1}", "greaterOrEquals 1"},
		{"{\"field\":\"x\",\"greaterOrEquals\":1}", "less 1"},
		{"{\"field\":\"x\",\"lessOrEquals\":1}", "greater 1"},
		{"{\"field\":\"x\",\"greater\":1}", "lessOrEquals 1"},
		{"{\"field\":\"x\",\"regex\":\"^a\"}", "notRegex \"^a\""},
		{"{\"field\":\"x\",\"notRegex\":\"^a\"}", "regex \"^a\""},
		{"{\"field\":\"x\",\"versionLess\":\"1.2\"}", "versionGreaterOrEquals \"1.2\""},
		{"{\"field\":\"x\",\"versionGreaterOrEquals\":\"1.2\"}", "versionLess \"1.2\""},
		{"{\"field\":\"x\",\"versionLessOrEquals\":\"1.2\"}", "versionGreater \"1.2\""},
		{"{\"field\":\"x\",\"versionGreater\":\"1.2\"}", "versionLessOrEquals \"1.2\""},
		{"{\"field\":\"x\",\"exists\":true}", "exists false"},
		{"{\"field\":\"x\",\"exists\":false}", "exists true"},
		{"{\"field\":\"x\",\"exists\":\"true\"}", "not (exists \"true\")"},
		{"{\"field\":\"x\",\"modeAtMost\":\"0644\"}", "not (modeAtMost \"0644\")"},
		{"{\"field\":\"x\",\"equals\":\"[concat('a','b')]\"}", "notEquals \"ab\""},
		{"{\"field\":\"x\",\"equals\":\"[field('y')]\"}", "notEquals [field('y')]"},
	};
	bl_eval_reset(&s->e1, tu_json(&s->ea, "{\"x\":\"a\",\"y\":\"b\"}"), &s->ea);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int k = 0; k < 2; k++) {
			const struct bl_cond *c =
				compile_in(s, k ? &s->cached1 : &s->plain, cases[i].cond);
			bl_cond_explain(c, &s->e1, BL_TRUE);
			assert_int_equal(s->e1.nev, 1);
			if (strcmp(s->e1.ev[0].expected, cases[i].want) != 0)
				fail_msg("%s: \"%s\", want \"%s\"", cases[i].cond, s->e1.ev[0].expected,
					 cases[i].want);
		}
	}
}

/* Conditions compiled for few documents (no_jit: a host's) intern nothing
 * and never need the memo, even when a path they read was interned for
 * another condition of the same program first. */
static void test_host_conditions(void **state)
{
	struct sx *s = *state;
	const struct bl_cond *many = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":1}");
	s->cached1.env.no_jit = true;
	const struct bl_cond *few = compile_in(s, &s->cached1, "{\"field\":\"p.a\",\"equals\":1}");
	const struct bl_cond *cnt = compile_in(s, &s->cached1,
		"{\"count\":{\"field\":\"p.q[*]\",\"where\":{\"field\":\"p.q[*].v\",\"equals\":1}},"
		"\"equals\":1}");
	s->cached1.env.no_jit = false;
	/* a fresh evaluator: the first condition it sees needs no memo */
	struct bl_eval e;
	bl_eval_init(&e);
	bl_eval_reset(&e, tu_json(&s->ea, "{\"p\":{\"a\":1,\"q\":[{\"v\":1},{\"v\":2}]}}"), &s->ea);
	assert_int_equal(bl_cond_eval(few, &e), BL_TRUE);
	assert_int_equal(bl_cond_eval(cnt, &e), BL_TRUE);
	assert_null(e.memo);
	bl_cond_explain(cnt, &e, BL_FALSE);
	assert_string_equal(e.ev[0].path, "count(p.q[*])");
	assert_string_equal(jtext(&s->ea, e.ev[0].actual), "1");
	/* then one that does */
	assert_int_equal(bl_cond_eval(many, &e), BL_TRUE);
	assert_non_null(e.memo);
	assert_int_equal(bl_cond_eval(few, &e), BL_TRUE);
	bl_eval_fini(&e);
	assert_null(e.memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memo_against_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_not_remembered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negated_expected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_conditions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
