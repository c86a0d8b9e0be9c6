/*
 * test_eval.c - Kleene logic of allOf/anyOf/not with errors, evidence
 * (concrete paths, actual values, expected text) for expect-style and
 * violation-style conditions, describe(), keys(), and compile errors with
 * exact line:col, all of them reported from one compile.
 */
#include "testutil.h"

#include "cond_fixture.h"

#include "rule/rule.h"

static enum bl_truth eval_on(struct fx *f, const struct bl_cond *c, const char *doc)
{
	bl_eval_reset(&f->e, tu_json(&f->ea, doc), &f->ea);
	return bl_cond_eval(c, &f->e);
}

#define ERR "{\"field\":\"s\",\"less\":5}"
#define TRU "{\"field\":\"n\",\"equals\":1}"
#define FAL "{\"field\":\"n\",\"equals\":2}"
#define KDOC "{\"s\":\"abc\",\"n\":1}"

static void test_kleene(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *cond;
		enum bl_truth want;
	} rows[] = {
		{ERR, BL_UNKNOWN},
		{"{\"allOf\":[" FAL "," ERR "]}", BL_FALSE},
		{"{\"allOf\":[" ERR "," FAL "]}", BL_FALSE},
		{"{\"allOf\":[" TRU "," ERR "]}", BL_UNKNOWN},
		{"{\"allOf\":[" TRU "," TRU "]}", BL_TRUE},
		{"{\"allOf\":[]}", BL_TRUE},
		{"{\"anyOf\":[" TRU "," ERR "]}", BL_TRUE},
		{"{\"anyOf\":[" ERR "," TRU "]}", BL_TRUE},
		{"{\"anyOf\":[" FAL "," ERR "]}", BL_UNKNOWN},
		{"{\"anyOf\":[" FAL "," FAL "]}", BL_FALSE},
		{"{\"anyOf\":[]}", BL_FALSE},
		{"{\"not\":" ERR "}", BL_UNKNOWN},
		{"{\"not\":" TRU "}", BL_FALSE},
		{"{\"NOT\":{\"anyof\":[" FAL "]}}", BL_TRUE},
		{"{\"not\":{\"allOf\":[" TRU "," ERR "]}}", BL_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct bl_cond *c = compile_ok(f, rows[i].cond);
		enum bl_truth t = eval_on(f, c, KDOC);
		if (t != rows[i].want)
			fail_msg("%s -> %d, want %d", rows[i].cond, t, rows[i].want);
		if (t == BL_UNKNOWN)
			assert_string_equal(f->e.error, "less: cannot compare string with a number");
	}
}

static const char *jtext(struct fx *f, const struct bl_value *v)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_json_write(&b, v, 0);
	char *s = bl_arena_strndup(&f->ea, b.data, b.len);
	bl_buf_free(&b);
	return s;
}

static void test_evidence_expect(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f,
		"{\"allOf\":[{\"field\":\"properties.supportsHttpsTrafficOnly\",\"equals\":true},"
		"{\"field\":\"properties.minimumTlsVersion\",\"in\":[\"TLS1_2\",\"TLS1_3\"]}]}");
	const char *doc = "{\"properties\":{\"supportsHttpsTrafficOnly\":false,\"minimumTlsVersion\":\"TLS1_0\"}}";
	assert_int_equal(eval_on(f, c, doc), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);   /* allOf false: the first false child */
	assert_string_equal(f->e.ev[0].path, "properties.supportsHttpsTrafficOnly");
	assert_int_equal(f->e.ev[0].actual->type, BL_VBOOL);
	assert_false(f->e.ev[0].actual->b);
	assert_string_equal(f->e.ev[0].expected, "equals true");

	/* allOf true: every child */
	const char *good = "{\"properties\":{\"supportsHttpsTrafficOnly\":true,\"minimumTlsVersion\":\"tls1_2\"}}";
	assert_int_equal(eval_on(f, c, good), BL_TRUE);
	bl_cond_explain(c, &f->e, BL_TRUE);
	assert_int_equal(f->e.nev, 2);
	assert_string_equal(f->e.ev[1].path, "properties.minimumTlsVersion");
	assert_string_equal(jtext(f, f->e.ev[1].actual), "\"tls1_2\"");
	/* a leaf that held is described by what would have flipped it */
	assert_string_equal(f->e.ev[1].expected, "notIn [\"TLS1_2\",\"TLS1_3\"]");

	/* missing field: actual is NULL */
	assert_int_equal(eval_on(f, c, "{\"properties\":{}}"), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	assert_null(f->e.ev[0].actual);

	/* [*]: the first element that decided, with its concrete path */
	c = compile_ok(f, "{\"field\":\"properties.securityRules[*].properties.access\",\"equals\":\"Deny\"}");
	const char *rules = "{\"properties\":{\"securityRules\":[{\"properties\":{\"access\":\"Deny\"}},"
			    "{\"properties\":{\"access\":\"deny\"}},{\"properties\":{\"access\":\"Allow\"}},"
			    "{\"properties\":{}}]}}";
	assert_int_equal(eval_on(f, c, rules), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.ev[0].path, "properties.securityRules[2].properties.access");
	assert_string_equal(jtext(f, f->e.ev[0].actual), "\"Allow\"");
	assert_string_equal(f->e.ev[0].expected, "equals \"Deny\"");

	/* nested [*] with a quoted key */
	c = compile_ok(f, "{\"field\":\"a[*]['x.y'][*]\",\"less\":3}");
	assert_int_equal(eval_on(f, c, "{\"a\":[{\"x.y\":[1,2]},{\"x.y\":[0,7]}]}"), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_string_equal(f->e.ev[0].path, "a[1][\"x.y\"][1]");
	assert_string_equal(jtext(f, f->e.ev[0].actual), "7");

	/* an error leaf explained as unknown */
	c = compile_ok(f, "{\"allOf\":[" TRU "," ERR "]}");
	assert_int_equal(eval_on(f, c, KDOC), BL_UNKNOWN);
	bl_cond_explain(c, &f->e, BL_UNKNOWN);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.ev[0].path, "s");
	assert_string_equal(f->e.ev[0].expected, "less 5");
	assert_string_equal(f->e.error, "less: cannot compare string with a number");
}

static void test_evidence_violation(void **state)
{
	struct fx *f = *state;
	/* Azure style: the condition describes the non-compliant state. */
	const struct bl_cond *c = compile_ok(f,
		"{\"anyOf\":[{\"field\":\"properties.publicNetworkAccess\",\"equals\":\"Enabled\"},"
		"{\"field\":\"properties.networkAcls.defaultAction\",\"exists\":false}]}");
	assert_int_equal(eval_on(f, c, "{\"properties\":{\"publicNetworkAccess\":\"Disabled\"}}"), BL_TRUE);
	bl_cond_explain(c, &f->e, BL_TRUE);
	assert_int_equal(f->e.nev, 1);   /* anyOf true: the first true child */
	assert_string_equal(f->e.ev[0].path, "properties.networkAcls.defaultAction");
	assert_null(f->e.ev[0].actual);
	/* the violation leaf held: compliance needs the field to exist */
	assert_string_equal(f->e.ev[0].expected, "exists true");

	/* anyOf false: every child */
	assert_int_equal(eval_on(f, c, "{\"properties\":{\"publicNetworkAccess\":\"Disabled\","
				 "\"networkAcls\":{\"defaultAction\":\"Deny\"}}}"), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 2);
	assert_string_equal(f->e.ev[0].path, "properties.publicNetworkAccess");
	assert_string_equal(jtext(f, f->e.ev[0].actual), "\"Disabled\"");
	assert_string_equal(f->e.ev[1].path, "properties.networkAcls.defaultAction");

	/* not flips the outcome it explains */
	c = compile_ok(f, "{\"not\":{\"field\":\"location\",\"notIn\":[\"a\",\"b\"]}}");
	assert_int_equal(eval_on(f, c, "{\"location\":\"c\"}"), BL_FALSE);
	bl_cond_explain(c, &f->e, BL_FALSE);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.ev[0].path, "location");
	/* the leaf held under a not: compliance needs the opposite */
	assert_string_equal(f->e.ev[0].expected, "in [\"a\",\"b\"]");

	/* [*] violation true: the path as written, all values reached */
	c = compile_ok(f, "{\"field\":\"rules[*].port\",\"notEquals\":22}");
	assert_int_equal(eval_on(f, c, "{\"rules\":[{\"port\":80},{\"port\":443}]}"), BL_TRUE);
	bl_cond_explain(c, &f->e, BL_TRUE);
	assert_string_equal(f->e.ev[0].path, "rules[*].port");
	assert_string_equal(jtext(f, f->e.ev[0].actual), "[80,443]");
}

/*
 * The lengths the evaluator hands on with its evidence (struct
 * bl_eval.evlen, which the failure message uses instead of strlen): each
 * is the text's length or 0 (unknown); the texts it knows (compile-time
 * paths and expected texts, concrete and count paths, negated operators)
 * are never left unknown.
 */
static void test_evidence_lengths(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *cond, *doc;
		enum bl_truth outcome;
		const char *path, *expected;   /* what evidence 0 says */
		bool known;                    /* both lengths must be known */
	} rows[] = {
		{"{\"field\":\"properties.x\",\"equals\":true}", "{\"properties\":{\"x\":false}}",
		 BL_FALSE, "properties.x", "equals true", true},
		{"{\"field\":\"location\",\"equals\":\"a\"}", "{\"location\":\"a\"}",
		 BL_TRUE, "location", "notEquals \"a\"", true},
		{"{\"field\":\"rules[*].port\",\"equals\":22}", "{\"rules\":[{\"port\":22},{\"port\":80}]}",
		 BL_FALSE, "rules[1].port", "equals 22", true},
		{"{\"field\":\"rules[*].port\",\"notEquals\":22}", "{\"rules\":[{\"port\":80}]}",
		 BL_TRUE, "rules[*].port", "equals 22", true},
		{"{\"count\":{\"field\":\"r[*]\"},\"less\":1}", "{\"r\":[1]}",
		 BL_FALSE, "count(r[*])", "count of r[*] less 1", true},
		{"{\"not\":{\"count\":{\"field\":\"r[*]\"},\"less\":1}}", "{\"r\":[]}",
		 BL_FALSE, "count(r[*])", "count of r[*] greaterOrEquals 1", true},
		{"{\"value\":\"x\",\"equals\":\"y\"}", "{}", BL_FALSE, "\"x\"", "equals \"y\"", true},
		{ERR, KDOC, BL_UNKNOWN, "s", "less 5", true},
		/* exists is negated by its text (expected_slow): may be unknown */
		{"{\"field\":\"a\",\"exists\":false}", "{}", BL_TRUE, "a", "exists true", false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct bl_cond *c = compile_ok(f, rows[i].cond);
		enum bl_truth t = eval_on(f, c, rows[i].doc);
		if (t != rows[i].outcome)
			fail_msg("%s -> %d", rows[i].cond, t);
		f->e.nev = 0;
		bl_cond_explain(c, &f->e, t);
		assert_int_equal(f->e.nev, 1);
		assert_string_equal(f->e.ev[0].path, rows[i].path);
		assert_string_equal(f->e.ev[0].expected, rows[i].expected);
		uint32_t pl = f->e.evlen[0][0], xl = f->e.evlen[0][1];
		if ((pl && pl != strlen(rows[i].path)) || (xl && xl != strlen(rows[i].expected)))
			fail_msg("%s: lengths %u %u", rows[i].cond, pl, xl);
		if (rows[i].known && (!pl || !xl))
			fail_msg("%s: a length left unknown (%u %u)", rows[i].cond, pl, xl);
	}
}

/* Explaining evaluates again; an error that finds leaves no trace, also
 * when there was none before (the empty reason is restored, not copied). */
static void test_explain_keeps_empty_error(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f, "{\"anyOf\":[" ERR "," TRU "]}");
	assert_int_equal(eval_on(f, c, KDOC), BL_TRUE);
	f->e.error[0] = '\0';
	bl_cond_explain(c, &f->e, BL_TRUE);
	assert_int_equal(f->e.nev, 1);
	assert_string_equal(f->e.error, "");
}

static void test_describe_keys(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f,
		"{\"allOf\":[{\"field\":\"Properties.x\",\"equals\":true},"
		"{\"not\":{\"field\":\"tags['cost-center']\",\"exists\":\"false\"}},"
		"{\"anyOf\":[{\"value\":\"[field('Sku.name')]\",\"like\":\"Prem*\"},"
		"{\"count\":{\"field\":\"properties.r[*]\",\"where\":{\"field\":\"properties.r[*].y\",\"less\":2}},"
		"\"greaterOrEquals\":1}]}]}");
	assert_string_equal(bl_cond_describe(c, &f->ea),
		"allOf(Properties.x equals true; not(tags['cost-center'] exists \"false\"); "
		"anyOf([field('Sku.name')] like \"Prem*\"; "
		"count of properties.r[*] where properties.r[*].y less 2 greaterOrEquals 1))");
}

/* Collects keys for test_keys. */
struct keyset {
	char k[8][32];
	int n;
};

static void key_cb(void *ctx, const char *key, size_t len)
{
	struct keyset *ks = ctx;
	if (ks->n < 8 && len < 32) {
		memcpy(ks->k[ks->n], key, len);
		ks->k[ks->n][len] = '\0';
		ks->n++;
	}
}

static void test_keys(void **state)
{
	struct fx *f = *state;
	const struct bl_cond *c = compile_ok(f,
		"{\"allOf\":[{\"field\":\"Properties.x\",\"equals\":true},"
		"{\"field\":\"tags['a']\",\"exists\":true},{\"field\":\"properties.y\",\"exists\":true},"
		"{\"count\":{\"field\":\"properties.r[*]\",\"where\":{\"field\":\"properties.r[*].y\",\"less\":2}},"
		"\"greater\":0},{\"value\":\"[field('Sku.name')]\",\"equals\":\"x\"}]}");
	struct keyset ks = {.n = 0};
	bl_cond_keys(c, key_cb, &ks);
	assert_int_equal(ks.n, 3);
	assert_string_equal(ks.k[0], "properties");
	assert_string_equal(ks.k[1], "tags");
	assert_string_equal(ks.k[2], "sku");
}

static void expect_diag(const struct bl_diags *d, size_t i, uint32_t line, uint32_t col, const char *substr)
{
	if (i >= d->n)
		fail_msg("diag %zu missing (have %zu)", i, d->n);
	const struct bl_diag *g = &d->items[i];
	if (g->line != line || g->col != col || !strstr(g->msg, substr))
		fail_msg("diag %zu: %u:%u %s; want %u:%u ~%s", i, g->line, g->col, g->msg, line, col, substr);
	assert_string_equal(g->file, "test.json");
}

static void test_compile_errors(void **state)
{
	struct fx *f = *state;
	const char *src =
		"{\n"
		"  \"allOf\": [\n"
		"    {\"field\": \"a\", \"equal\": 1},\n"
		"    {\"field\": \"b\", \"equals\": 1, \"notEquals\": 2},\n"
		"    {\"field\": \"c\", \"regex\": \"(unclosed\"},\n"
		"    {\"field\": \"d\", \"in\": \"x\"},\n"
		"    {\"feild\": \"e\", \"equals\": 1},\n"
		"    {\"field\": \"f..g\", \"exists\": \"maybe\"},\n"
		"    {\"not\": {\"field\": \"h\", \"equals\": 1}, \"where\": {}}\n"
		"  ]\n"
		"}\n";
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, src), &f->env), BL_EINVAL);
	assert_null(c);
	expect_diag(&f->d, 0, 3, 20, "unknown key 'equal'");
	expect_diag(&f->d, 1, 3, 5, "no operator");
	expect_diag(&f->d, 2, 4, 33, "more than one operator ('equals' and 'notEquals')");
	expect_diag(&f->d, 3, 5, 29, "invalid regex at offset 9");
	expect_diag(&f->d, 4, 6, 26, "in needs an array, not string");
	expect_diag(&f->d, 5, 7, 6, "unknown key 'feild'");
	expect_diag(&f->d, 6, 7, 5, "needs 'field'");
	expect_diag(&f->d, 7, 8, 18, "invalid path: empty key");
	expect_diag(&f->d, 8, 8, 33, "exists needs true or false");
	expect_diag(&f->d, 9, 9, 42, "'where' is only valid inside count");
	expect_diag(&f->d, 10, 9, 42, "cannot be combined with 'not'");
	assert_int_equal(f->d.n, 11);
}

static void test_compile_errors_count(void **state)
{
	struct fx *f = *state;
	const char *src =
		"{\"count\": {\"field\": \"r[*]\",\n"
		"           \"where\": {\"field\": \"r[*].x\", \"Like\": 3}},\n"
		" \"like\": 1}\n";
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&f->a, src), &f->env), BL_EINVAL);
	expect_diag(&f->d, 0, 2, 49, "like needs a string, not number");
	expect_diag(&f->d, 1, 3, 2, "operator 'like' cannot compare a count");
	assert_int_equal(f->d.n, 2);
}

/* Azure's fullName: derived from the id when the document has none. */
static void test_full_name(void **state)
{
	struct fx *f = *state;
	const char *db = "{\"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/"
			 "s1/databases/db1\", \"name\": \"db1\"}";
	const struct bl_cond *leaf = compile_ok(f, "{\"field\":\"fullName\",\"equals\":\"S1/DB1\"}");
	assert_int_equal(eval_on(f, leaf, db), BL_TRUE);
	const struct bl_cond *fn = compile_ok(
		f, "{\"value\":\"[first(split(field('fullName'), '/'))]\",\"equals\":\"s1\"}");
	assert_int_equal(eval_on(f, fn, db), BL_TRUE);
	/* an extension resource: the names after the last provider */
	assert_int_equal(eval_on(f, compile_ok(f, "{\"field\":\"fullName\",\"equals\":\"ds\"}"),
				 "{\"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/s1"
				 "/providers/Microsoft.Insights/diagnosticSettings/ds\"}"),
			 BL_TRUE);
	/* the document's own fullName wins; no providers segment: the name */
	assert_int_equal(eval_on(f, leaf, "{\"id\": \"/x/providers/A.B/c/d\", \"fullName\": \"s1/db1\"}"),
			 BL_TRUE);
	assert_int_equal(eval_on(f, compile_ok(f, "{\"field\":\"fullName\",\"equals\":\"rg\"}"),
				 "{\"id\": \"/subscriptions/s/resourceGroups/rg\", \"name\": \"rg\"}"),
			 BL_TRUE);
	/* no id: absent */
	assert_int_equal(eval_on(f, compile_ok(f, "{\"field\":\"fullName\",\"exists\":false}"),
				 "{\"name\": \"x\"}"),
			 BL_TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kleene, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_keeps_empty_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compile_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compile_errors_count, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
