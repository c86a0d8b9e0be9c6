/*
 * test_ops.c - every operator of the condition language, table-driven:
 * (document, condition, expected truth), including Azure Policy's
 * surprising cases (true equals "true", vacuous [*], notEquals on a
 * missing field, exists "false", like with several '*', match with #?.,
 * contains on arrays).
 */
#include "testutil.h"

#include "rule/ops.h"
#include "rule/rule.h"

enum { F = BL_FALSE, T = BL_TRUE, E = BL_UNKNOWN, C = 9 /* compile error */ };

struct row {
	const char *doc;
	const char *cond;
	int want;
};

#define D1 "{\"s\":\"Hello World\",\"n\":10,\"f\":1.5,\"ns\":\"42\",\"b\":true,\"z\":null," \
	   "\"arr\":[\"Alpha\",\"beta\",3],\"o\":{\"Key\":1,\"k2\":\"v\"},\"e\":[]," \
	   "\"rules\":[{\"access\":\"Allow\",\"port\":22},{\"access\":\"Deny\",\"port\":80}]," \
	   "\"mixed\":[{\"access\":\"Deny\"},{\"port\":1}],\"date\":\"2024-05-01T00:00:00Z\"," \
	   "\"mode\":\"0640\",\"nmode\":644,\"ver\":\"1:2.3-1ubuntu1\",\"bs\":\"true\"}"

#define D2 "{\"p\":\"+007\",\"q\":\"-0\",\"m\":\"-15\",\"r\":\"123456789012345\"," \
	   "\"t\":\"1234567890123456\",\"u\":\"12a\",\"v\":\"-\",\"w\":\"+\",\"sp\":\" 1\"," \
	   "\"x\":\"1.50\",\"y\":\"2e3\",\"s\":\"Hello World\",\"n\":10," \
	   "\"arr\":[\"Alpha\",[\"x\"]]}"

static const struct row ROWS[] = {
	/* equals / notEquals: strings ignore case, true equals "true", numbers numerically */
	{D1, "{\"field\":\"s\",\"equals\":\"hello world\"}", T},
	{D1, "{\"field\":\"S\",\"EQUALS\":\"HELLO WORLD\"}", T},
	{D1, "{\"field\":\"s\",\"equals\":\"hello\"}", F},
	{D1, "{\"field\":\"b\",\"equals\":\"true\"}", T},
	{D1, "{\"field\":\"b\",\"equals\":\"TRUE\"}", T},
	{D1, "{\"field\":\"bs\",\"equals\":true}", T},
	{D1, "{\"field\":\"b\",\"equals\":false}", F},
	{D1, "{\"field\":\"n\",\"equals\":10.0}", T},
	{D1, "{\"field\":\"n\",\"equals\":\"10\"}", T},
	{D1, "{\"field\":\"n\",\"equals\":1e1}", T},
	{D1, "{\"field\":\"ns\",\"equals\":42}", T},
	{D1, "{\"field\":\"z\",\"equals\":null}", T},
	{D1, "{\"field\":\"arr\",\"equals\":[\"alpha\",\"BETA\",3.0]}", T},
	{D1, "{\"field\":\"arr\",\"equals\":[\"alpha\",\"beta\"]}", F},
	{D1, "{\"field\":\"o\",\"equals\":{\"key\":1,\"K2\":\"V\"}}", T},
	{D1, "{\"field\":\"o\",\"equals\":\"x\"}", F},
	{D1, "{\"field\":\"missing\",\"equals\":\"x\"}", F},
	{D1, "{\"field\":\"missing\",\"equals\":\"\"}", F},
	{D1, "{\"field\":\"missing\",\"notEquals\":\"x\"}", T},
	{D1, "{\"field\":\"s\",\"notEquals\":\"HELLO WORLD\"}", F},
	{D1, "{\"field\":\"s\",\"noteQuals\":\"bye\"}", T},
	{D1, "{\"value\":\"abc\",\"equals\":\"ABC\"}", T},
	{D1, "{\"value\":true,\"equals\":\"True\"}", T},
	{D1, "{\"value\":\"[[x]\",\"equals\":\"[[X]\"}", T},
	{D1, "{\"value\":\"[[x]\",\"like\":\"[x*\"}", T},

	/* like: '*' anywhere, several times, case-insensitive, whole string */
	{D1, "{\"field\":\"s\",\"like\":\"hello*\"}", T},
	{D1, "{\"field\":\"s\",\"like\":\"*WORLD\"}", T},
	{D1, "{\"field\":\"s\",\"like\":\"h*o*w*d\"}", T},
	{D1, "{\"field\":\"s\",\"like\":\"h*x*d\"}", F},
	{D1, "{\"field\":\"s\",\"like\":\"hello\"}", F},
	{D1, "{\"field\":\"s\",\"like\":\"*\"}", T},
	{D1, "{\"field\":\"s\",\"like\":\"Hello?World\"}", F},   /* '?' is literal in like */
	{D1, "{\"field\":\"n\",\"like\":\"1*\"}", T},
	{D1, "{\"field\":\"missing\",\"like\":\"*\"}", F},
	{D1, "{\"field\":\"missing\",\"notLike\":\"*\"}", T},
	{D1, "{\"field\":\"s\",\"notLike\":\"*world\"}", F},

	/* match: # digit, ? letter, . any, other characters literal and case-sensitive */
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"match\":\"?" "?-##..\"}", T},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"match\":\"?" "?-##.\"}", F},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"match\":\"ab-12.x\"}", T},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"match\":\"AB-12.x\"}", F},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"matchInsensitively\":\"AB-##.X\"}", T},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"match\":\"#?-##.?\"}", F},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"notMatch\":\"AB-##.x\"}", T},
	{"{\"t\":\"ab-12.x\"}", "{\"field\":\"t\",\"notMatchInsensitively\":\"AB-##.x\"}", F},
	{"{\"t\":\"\xc3\xa9t\xc3\xa9\"}", "{\"field\":\"t\",\"match\":\"...\"}", T},
	{"{}", "{\"field\":\"t\",\"match\":\"#\"}", F},
	{"{}", "{\"field\":\"t\",\"notMatch\":\"#\"}", T},
	{"{}", "{\"field\":\"t\",\"notMatchInsensitively\":\"#\"}", T},

	/* contains: substring on strings, membership on arrays */
	{D1, "{\"field\":\"s\",\"contains\":\"LO WO\"}", T},
	{D1, "{\"field\":\"s\",\"contains\":\"xyz\"}", F},
	{D1, "{\"field\":\"arr\",\"contains\":\"ALPHA\"}", T},
	{D1, "{\"field\":\"arr\",\"contains\":\"alp\"}", F},
	{D1, "{\"field\":\"arr\",\"contains\":3}", T},
	{D1, "{\"field\":\"arr\",\"notContains\":\"gamma\"}", T},
	{D1, "{\"field\":\"arr\",\"notContains\":\"Beta\"}", F},
	{D1, "{\"field\":\"missing\",\"contains\":\"a\"}", F},
	{D1, "{\"field\":\"missing\",\"notContains\":\"a\"}", T},

	/* in / notIn */
	{D1, "{\"field\":\"s\",\"in\":[\"x\",\"HELLO world\"]}", T},
	{D1, "{\"field\":\"s\",\"in\":[]}", F},
	{D1, "{\"field\":\"b\",\"in\":[\"true\"]}", T},
	{D1, "{\"field\":\"n\",\"in\":[1,10.0]}", T},
	{D1, "{\"field\":\"s\",\"notIn\":[\"x\",\"y\"]}", T},
	{D1, "{\"field\":\"s\",\"notIn\":[\"hello world\"]}", F},
	{D1, "{\"field\":\"missing\",\"in\":[\"\"]}", F},
	{D1, "{\"field\":\"missing\",\"notIn\":[\"x\"]}", T},
	{D1, "{\"field\":\"s\",\"in\":\"hello world\"}", C},

	/* containsKey */
	{D1, "{\"field\":\"o\",\"containsKey\":\"key\"}", T},
	{D1, "{\"field\":\"o\",\"containsKey\":\"K2\"}", T},
	{D1, "{\"field\":\"o\",\"containsKey\":\"k3\"}", F},
	{D1, "{\"field\":\"s\",\"containsKey\":\"s\"}", F},
	{D1, "{\"field\":\"o\",\"notContainsKey\":\"k3\"}", T},
	{D1, "{\"field\":\"missing\",\"notContainsKey\":\"k\"}", T},
	{D1, "{\"field\":\"missing\",\"containsKey\":\"k\"}", F},

	/* ordering */
	{D1, "{\"field\":\"n\",\"less\":11}", T},
	{D1, "{\"field\":\"n\",\"less\":10}", F},
	{D1, "{\"field\":\"n\",\"lessOrEquals\":10}", T},
	{D1, "{\"field\":\"f\",\"greater\":1}", T},
	{D1, "{\"field\":\"f\",\"greaterOrEquals\":1.5}", T},
	{D1, "{\"field\":\"ns\",\"greater\":9}", T},           /* numeric text vs number */
	{D1, "{\"field\":\"ns\",\"less\":100}", T},
	{D1, "{\"field\":\"s\",\"less\":\"Hello x\"}", T},
	{D1, "{\"field\":\"s\",\"greater\":\"HELLO A\"}", T},
	{D1, "{\"field\":\"date\",\"less\":\"2024-06-01T00:00:00Z\"}", T},
	{D1, "{\"field\":\"date\",\"greaterOrEquals\":\"2025-01-01\"}", F},
	{D1, "{\"field\":\"n\",\"less\":\"20\"}", E},           /* number vs string */
	{D1, "{\"field\":\"s\",\"less\":5}", E},                /* non-numeric text vs number */
	{D1, "{\"field\":\"b\",\"less\":5}", E},
	{D1, "{\"field\":\"o\",\"greater\":\"a\"}", E},
	{D1, "{\"field\":\"arr\",\"greater\":1}", E},
	{D1, "{\"field\":\"z\",\"greater\":1}", E},
	{D1, "{\"field\":\"missing\",\"less\":5}", F},
	{D1, "{\"field\":\"missing\",\"greaterOrEquals\":5}", F},
	{D1, "{\"field\":\"n\",\"less\":true}", C},

	/* exists */
	{D1, "{\"field\":\"s\",\"exists\":true}", T},
	{D1, "{\"field\":\"s\",\"exists\":\"true\"}", T},
	{D1, "{\"field\":\"s\",\"exists\":\"false\"}", F},
	{D1, "{\"field\":\"missing\",\"exists\":\"false\"}", T},
	{D1, "{\"field\":\"missing\",\"exists\":false}", T},
	{D1, "{\"field\":\"missing\",\"exists\":true}", F},
	{D1, "{\"field\":\"z\",\"exists\":true}", T},
	{D1, "{\"field\":\"s\",\"exists\":\"yes\"}", C},
	{D1, "{\"field\":\"s\",\"exists\":1}", C},

	/* regex (case-sensitive, unanchored) */
	{D1, "{\"field\":\"s\",\"regex\":\"^Hello\\\\s+W\"}", T},
	{D1, "{\"field\":\"s\",\"regex\":\"^hello\"}", F},
	{D1, "{\"field\":\"s\",\"regex\":\"(?i)^hello\"}", T},
	{D1, "{\"field\":\"s\",\"notRegex\":\"^hello\"}", T},
	{D1, "{\"field\":\"n\",\"regex\":\"^1[0-9]$\"}", T},
	{D1, "{\"field\":\"missing\",\"regex\":\".\"}", F},
	{D1, "{\"field\":\"missing\",\"notRegex\":\".\"}", T},
	{D1, "{\"field\":\"s\",\"regex\":\"(\"}", C},

	/* versions */
	{D1, "{\"field\":\"ver\",\"versionLess\":\"1:2.3-2\"}", T},
	{D1, "{\"field\":\"ver\",\"versionGreater\":\"2.9\"}", T},
	{D1, "{\"field\":\"ver\",\"versionGreaterOrEquals\":\"1:2.3-1ubuntu1\"}", T},
	{D1, "{\"field\":\"ver\",\"versionLessOrEquals\":\"1:2.3~rc1\"}", F},
	{D1, "{\"field\":\"missing\",\"versionLess\":\"1\"}", F},
	{D1, "{\"field\":\"o\",\"versionLess\":\"1\"}", E},

	/* modeAtMost */
	{D1, "{\"field\":\"mode\",\"modeAtMost\":\"0640\"}", T},
	{D1, "{\"field\":\"mode\",\"modeAtMost\":\"0600\"}", F},
	{D1, "{\"field\":\"mode\",\"modeAtMost\":\"0644\"}", T},
	{D1, "{\"field\":\"nmode\",\"modeAtMost\":644}", T},
	{D1, "{\"field\":\"nmode\",\"modeAtMost\":\"0600\"}", F},
	{D1, "{\"field\":\"s\",\"modeAtMost\":\"0600\"}", E},
	{D1, "{\"field\":\"n\",\"modeAtMost\":\"0600\"}", F},   /* 10 is octal text: 010 */
	{D1, "{\"field\":\"f\",\"modeAtMost\":\"0600\"}", E},
	{D1, "{\"field\":\"missing\",\"modeAtMost\":\"0600\"}", F},
	{D1, "{\"field\":\"mode\",\"modeAtMost\":\"0698\"}", C},
	{D1, "{\"field\":\"mode\",\"modeAtMost\":true}", C},

	/* [*]: every element, vacuous truth on empty or missing arrays */
	{D1, "{\"field\":\"rules[*].access\",\"in\":[\"allow\",\"deny\"]}", T},
	{D1, "{\"field\":\"rules[*].access\",\"equals\":\"allow\"}", F},
	{D1, "{\"field\":\"rules[*].port\",\"greater\":20}", T},
	{D1, "{\"field\":\"e[*].access\",\"equals\":\"allow\"}", T},
	{D1, "{\"field\":\"missing[*].access\",\"equals\":\"allow\"}", T},
	{D1, "{\"field\":\"s[*].access\",\"equals\":\"allow\"}", T},
	{D1, "{\"field\":\"mixed[*].access\",\"equals\":\"deny\"}", F},   /* one lacks access */
	{D1, "{\"field\":\"mixed[*].access\",\"notEquals\":\"allow\"}", T},
	{D1, "{\"field\":\"mixed[*].port\",\"exists\":false}", F},
	{D1, "{\"field\":\"rules[*].port\",\"exists\":true}", T},
	{D1, "{\"field\":\"rules[*].access\",\"notEquals\":\"allow\"}", F},
	{"{\"a\":[{\"b\":[1,2]},{\"b\":[]},{\"x\":1},{\"b\":[3]}]}", "{\"field\":\"a[*].b[*]\",\"less\":4}", T},
	{"{\"a\":[{\"b\":[1,2]},{\"b\":[]},{\"x\":1},{\"b\":[5]}]}", "{\"field\":\"a[*].b[*]\",\"less\":4}", F},
	{"{\"a\":[{\"b\":[1,\"x\"]},{\"b\":[9]}]}", "{\"field\":\"a[*].b[*]\",\"less\":4}", F},
	{"{\"a\":[{\"b\":[1,\"x\"]},{\"b\":[2]}]}", "{\"field\":\"a[*].b[*]\",\"less\":4}", E},
	{D1, "{\"field\":\"arr[*]\",\"notEquals\":\"gamma\"}", T},
	{D1, "{\"field\":\"rules[1].access\",\"equals\":\"DENY\"}", T},

	/* paths: case-insensitive keys, quoted keys */
	{"{\"Tags\":{\"Cost-Center\":\"A\",\"a.b\":\"x\"}}", "{\"field\":\"tags['cost-center']\",\"equals\":\"a\"}", T},
	{"{\"Tags\":{\"Cost-Center\":\"A\",\"a.b\":\"x\"}}", "{\"field\":\"tags[\\\"a.b\\\"]\",\"equals\":\"X\"}", T},
	{"{\"Tags\":{\"Cost-Center\":\"A\",\"a.b\":\"x\"}}", "{\"field\":\"tags.a.b\",\"exists\":false}", T},

	/* numeric text against a number: plain integers (read without strtod)
	 * and everything else (read with it) give the same values */
	{D2, "{\"field\":\"p\",\"greater\":6}", T},
	{D2, "{\"field\":\"p\",\"less\":7}", F},
	{D2, "{\"field\":\"p\",\"lessOrEquals\":7}", T},
	{D2, "{\"field\":\"q\",\"less\":0}", F},
	{D2, "{\"field\":\"q\",\"greaterOrEquals\":0}", T},
	{D2, "{\"field\":\"m\",\"less\":-14}", T},
	{D2, "{\"field\":\"m\",\"greater\":-16}", T},
	{D2, "{\"field\":\"r\",\"greater\":123456789012344}", T},
	{D2, "{\"field\":\"r\",\"less\":123456789012346}", T},
	{D2, "{\"field\":\"t\",\"greater\":1234567890123455}", T},
	{D2, "{\"field\":\"t\",\"less\":1234567890123457}", T},
	{D2, "{\"field\":\"x\",\"greater\":1.4}", T},
	{D2, "{\"field\":\"y\",\"greaterOrEquals\":2000}", T},
	{D2, "{\"field\":\"y\",\"less\":2000}", F},
	{"{\"v\":\".5\"}", "{\"field\":\"v\",\"greaterOrEquals\":0.5}", T},
	{"{\"v\":\"5.\"}", "{\"field\":\"v\",\"lessOrEquals\":5}", T},
	{"{\"v\":\"0.1\"}", "{\"field\":\"v\",\"greaterOrEquals\":0.1}", T},
	{"{\"v\":\"-0.30\"}", "{\"field\":\"v\",\"lessOrEquals\":-0.3}", T},
	{"{\"v\":\"1.2.3\"}", "{\"field\":\"v\",\"less\":5}", E},
	{"{\"v\":\".\"}", "{\"field\":\"v\",\"less\":5}", E},
	{"{\"v\":\"-.\"}", "{\"field\":\"v\",\"less\":5}", E},
	/* like by the shape of the pattern: whole, prefix, suffix, other */
	{D2, "{\"field\":\"s\",\"like\":\"HELLO WORLD\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"hello worl\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"hello world!\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"hello world*\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"hello world!*\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"hELLo**\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"ello*\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"*hello world\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"**WORLD\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"*worl\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"*xhello world\"}", F},
	{D2, "{\"field\":\"s\",\"like\":\"*o w*\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"h*d\"}", T},
	{D2, "{\"field\":\"s\",\"like\":\"**\"}", T},
	{D2, "{\"field\":\"s\",\"notLike\":\"*world\"}", F},
	{D2, "{\"field\":\"s\",\"notLike\":\"goodbye*\"}", T},
	{D2, "{\"field\":\"n\",\"like\":\"1*\"}", T},
	{D2, "{\"field\":\"arr\",\"like\":\"*]]\"}", T},
	{"{\"v\":\"\"}", "{\"field\":\"v\",\"like\":\"\"}", T},
	{"{\"v\":\"\"}", "{\"field\":\"v\",\"like\":\"*\"}", T},
	{"{\"v\":\"\"}", "{\"field\":\"v\",\"like\":\"a*\"}", F},
	{"{\"v\":\"\"}", "{\"field\":\"v\",\"like\":\"*a\"}", F},
	{"{\"v\":\"a\"}", "{\"field\":\"v\",\"like\":\"\"}", F},
	{D2, "{\"field\":\"u\",\"less\":5}", E},
	{D2, "{\"field\":\"v\",\"less\":5}", E},
	{D2, "{\"field\":\"w\",\"less\":5}", E},
	{D2, "{\"field\":\"sp\",\"less\":5}", E},
	/* equals / in with a string against containers and scalars */
	{D2, "{\"field\":\"s\",\"in\":[[\"hello world\"],\"HELLO WORLD\"]}", T},
	{D2, "{\"field\":\"s\",\"in\":[[\"hello world\"],{\"a\":1}]}", F},
	{D2, "{\"field\":\"s\",\"notIn\":[[\"hello world\"],{\"a\":1}]}", T},
	{D2, "{\"field\":\"s\",\"notIn\":[\"x\",\"Hello World\"]}", F},
	{D2, "{\"field\":\"s\",\"equals\":[\"hello world\"]}", F},
	{D2, "{\"field\":\"s\",\"notEquals\":[\"hello world\"]}", T},
	{D2, "{\"field\":\"s\",\"equals\":\"hello worl\"}", F},
	{D2, "{\"field\":\"s\",\"notEquals\":\"hello worle\"}", T},
	{D2, "{\"field\":\"arr\",\"in\":[[\"alpha\",[\"X\"]]]}", T},
	{D2, "{\"field\":\"arr\",\"notIn\":[[\"alpha\"]]}", T},
	{D2, "{\"field\":\"n\",\"in\":[\"x\",\"10\"]}", T},
	{D2, "{\"field\":\"n\",\"notIn\":[10.0]}", F},
	{D2, "{\"field\":\"p\",\"in\":[7]}", F},
	{D2, "{\"field\":\"missing\",\"in\":[\"x\"]}", F},
};

static int run(const char *doc, const char *cond, char *err, size_t errsize)
{
	struct bl_arena a, ea;
	bl_arena_init(&a, 0);
	bl_arena_init(&ea, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_rule_env env = {.arena = &a, .diags = &d};
	const struct bl_cond *c = NULL;
	int want;
	int rc = bl_cond_compile(&c, tu_json(&a, cond), &env);
	if (rc != 0) {
		snprintf(err, errsize, "%s", d.n ? d.items[0].msg : "?");
		want = C;
	} else {
		struct bl_eval e;
		bl_eval_init(&e);
		bl_eval_reset(&e, tu_json(&ea, doc), &ea);
		want = (int)bl_cond_eval(c, &e);
		snprintf(err, errsize, "%s", e.error);
		bl_eval_fini(&e);
	}
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_arena_free(&ea);
	return want;
}

static void test_table(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
		char err[300];
		int got = run(ROWS[i].doc, ROWS[i].cond, err, sizeof(err));
		if (got != ROWS[i].want) {
			print_error("row %zu: %s -> %d, want %d (%s)\n", i, ROWS[i].cond, got,
				    ROWS[i].want, err);
			failures++;
		} else if (got == E && err[0] == '\0') {
			print_error("row %zu: %s -> error without a message\n", i, ROWS[i].cond);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A catastrophic pattern must hit the match limit: error, never true/false. */
static void test_regex_limit(void **state)
{
	(void)state;
	struct bl_arena a, ea;
	bl_arena_init(&a, 0);
	bl_arena_init(&ea, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_rule_env env = {.arena = &a, .diags = &d};
	const struct bl_cond *c = NULL;
	assert_int_equal(bl_cond_compile(&c, tu_json(&a, "{\"field\":\"s\",\"regex\":\"^(a+)+$\"}"), &env), 0);
	const struct bl_cond *nc = NULL;
	assert_int_equal(bl_cond_compile(&nc, tu_json(&a, "{\"field\":\"s\",\"notRegex\":\"^(a+)+$\"}"), &env), 0);
	struct bl_eval e;
	bl_eval_init(&e);
	e.regex_match_limit = 1000;
	bl_eval_reset(&e, tu_json(&ea, "{\"s\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"}"), &ea);
	assert_int_equal(bl_cond_eval(c, &e), BL_UNKNOWN);
	assert_non_null(strstr(e.error, "match limit"));
	assert_int_equal(bl_cond_eval(nc, &e), BL_UNKNOWN);
	bl_eval_reset(&e, tu_json(&ea, "{\"s\":\"aaaa\"}"), &ea);
	assert_int_equal(bl_cond_eval(c, &e), BL_TRUE);
	bl_eval_fini(&e);
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_arena_free(&ea);
}

/*
 * Numeric text read for the order operators has exactly strtod's value:
 * random decimals of 1 to 17 digits (the short ones take ops.c's exact fast
 * path, the long ones strtod), signed or not, with the point anywhere or
 * nowhere, compared with strtod's value written back with 17 digits.
 */
static void test_numeric_text(void **state)
{
	(void)state;
	uint64_t seed = 0x2545F4914F6CDD1Dull;
	int failures = 0;
	for (int i = 0; i < 3000 && failures < 10; i++) {
		char text[40], doc[80], lo[120], hi[120];
		size_t n = 0;
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t r = seed >> 11;
		static const char *const signs[] = {"", "", "-", "+"};
		const char *sign = signs[r % 4];
		unsigned nd = 1 + (unsigned)((r >> 2) % 17), dot = (unsigned)((r >> 7) % (nd + 2));
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", sign);
		for (unsigned k = 0; k < nd; k++) {
			if (k == dot)
				text[n++] = '.';
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			text[n++] = (char)('0' + (seed >> 33) % 10);
		}
		if (dot == nd)
			text[n++] = '.';
		text[n] = '\0';
		double want = strtod(text, NULL);
		snprintf(doc, sizeof(doc), "{\"v\":\"%s\"}", text);
		snprintf(lo, sizeof(lo), "{\"field\":\"v\",\"lessOrEquals\":%.17g}", want);
		snprintf(hi, sizeof(hi), "{\"field\":\"v\",\"greaterOrEquals\":%.17g}", want);
		char err[300];
		if (run(doc, lo, err, sizeof(err)) != T || run(doc, hi, err, sizeof(err)) != T) {
			print_error("%s is not %.17g (%s)\n", text, want, err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/*
 * equals and like fold ASCII case only, at every position: strings of 0 to
 * 40 bytes over the edges of the upper-case range ('@', 'A', 'Z', '[', '`',
 * 'a', 'z', '{'), other ASCII and multi-byte UTF-8 (é, É, €: never folded),
 * against the same string with some ASCII letters' case flipped (equal) and
 * with one ASCII byte changed (not equal, unless that is a case flip).
 */
static void test_fold_ascii(void **state)
{
	(void)state;
	static const char *const units[] = {"@", "A", "Z", "[", "`", "a", "z", "{", "0", "_",
					    "-", "\xc3\xa9", "\xc3\x89", "\xe2\x82\xac"};
	const size_t nunits = sizeof(units) / sizeof(units[0]);
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	int failures = 0;
	for (int i = 0; i < 4000 && failures < 10; i++) {
		char a[48], b[48], doc[160], cond[200], err[300];
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size_t want_len = (size_t)(seed >> 33) % 41, n = 0;
		while (n < want_len) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			const char *u = units[(seed >> 33) % nunits];
			size_t ul = strlen(u);
			if (n + ul > 40)
				break;
			for (size_t k = 0; k < ul; k++) {
				a[n + k] = u[k];
				b[n + k] = u[k];
			}
			if (ul == 1 && ((seed >> 20) & 1) && ((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z'))
				b[n] = (char)(u[0] ^ 0x20);
			n += ul;
		}
		bool same = true;
		size_t at = n ? (size_t)(seed >> 44) % n : 0;
		if (n && (seed >> 40) % 3 == 0 && (unsigned char)b[at] < 0x80) {
			char was = b[at];
			b[at] = (char)(was == '0' ? '1' : was ^ 0x01);
			same = false;
		}
		a[n] = b[n] = '\0';
		snprintf(doc, sizeof(doc), "{\"v\":\"%s\"}", a);
		snprintf(cond, sizeof(cond), "{\"field\":\"v\",\"equals\":\"%s\"}", b);
		int got = run(doc, cond, err, sizeof(err));
		if (got != (same ? T : F)) {
			print_error("\"%s\" equals \"%s\": %d (%s)\n", a, b, got, err);
			failures++;
		}
		snprintf(cond, sizeof(cond), "{\"field\":\"v\",\"like\":\"%s*\"}", b);
		got = run(doc, cond, err, sizeof(err));
		if (got != (same ? T : F)) {
			print_error("\"%s\" like \"%s*\": %d (%s)\n", a, b, got, err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* bl_op_lookup finds every operator by its name in any case (its table of
 * candidates by length must list each one), and nothing else. */
static void test_op_lookup(void **state)
{
	(void)state;
	for (int i = 0; i < BL_OP_COUNT_; i++) {
		const char *name = bl_op_name(i);
		size_t len = strlen(name);
		char up[64], low[64];
		assert_true(len < sizeof(up));
		for (size_t k = 0; k <= len; k++) {
			up[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
			low[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
		}
		assert_int_equal(bl_op_lookup(name, len), i);
		assert_int_equal(bl_op_lookup(up, len), i);
		assert_int_equal(bl_op_lookup(low, len), i);
		assert_int_not_equal(bl_op_lookup(name, len - 1), i);
		/* the length given counts, not the NUL */
		char longer[80];
		snprintf(longer, sizeof(longer), "%sx", name);
		assert_int_equal(bl_op_lookup(longer, len + 1), -1);
		assert_int_equal(bl_op_lookup(longer, len), i);
	}
	assert_int_equal(bl_op_lookup("", 0), -1);
	assert_int_equal(bl_op_lookup("x", 1), -1);
	assert_int_equal(bl_op_lookup("field", 5), -1);
	assert_int_equal(bl_op_lookup("equalz", 6), -1);
	assert_int_equal(bl_op_lookup("versionGreaterOrEqualsX", 23), -1);
	assert_int_equal(bl_op_lookup("versionGreaterOrEqualsXYZW", 26), -1);
}

/* Keywords and operators in any case; near misses are unknown keys. */
static void test_keyword_case(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{D1, "{\"ALLOF\":[{\"FIELD\":\"n\",\"Equals\":10}]}", T},
		{D1, "{\"AnyOf\":[{\"Value\":1,\"equals\":2}]}", F},
		{D1, "{\"NOT\":{\"field\":\"n\",\"EXISTS\":false}}", T},
		{D1, "{\"Count\":{\"Field\":\"rules[*]\",\"WHERE\":{\"field\":\"rules[*].port\","
		     "\"GREATER\":21}},\"equals\":2}", T},
		{D1, "{\"count\":{\"value\":[1,2,3],\"NAME\":\"x\",\"where\":{\"value\":"
		     "\"[current('x')]\",\"greaterOrEquals\":2}},\"equals\":2}", T},
		{D1, "{\"fieldx\":\"n\",\"equals\":10}", C},
		{D1, "{\"fiel\":\"n\",\"equals\":10}", C},
		{D1, "{\"allof\":[{\"field\":\"n\",\"equals\":10}],\"anyOf\":[]}", C},
		{D1, "{\"alloff\":[]}", C},
		{D1, "{\"nots\":{\"field\":\"n\",\"exists\":false}}", C},
		{D1, "{\"field\":\"n\",\"nam\":\"x\",\"equals\":10}", C},
		{D1, "{\"field\":\"n\",\"wherE\":{},\"equals\":10}", C},
		{D1, "{\"field\":\"n\",\"vaLue\":1,\"equals\":10}", C},
		{D1, "{\"field\":\"n\",\"ax\":1,\"equals\":10}", C},
		{D1, "{\"field\":\"n\",\"acdef\":1,\"equals\":10}", C},
	};
	int failures = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char err[256];
		int got = run(rows[i].doc, rows[i].cond, err, sizeof(err));
		if (got != rows[i].want) {
			print_error("%s: got %d want %d (%s)\n", rows[i].cond, got, rows[i].want, err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_lookup),
		cmocka_unit_test(test_keyword_case),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_regex_limit),
		cmocka_unit_test(test_numeric_text),
		cmocka_unit_test(test_fold_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
