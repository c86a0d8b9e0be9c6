/*
 * test_schema.c - model/schema.c's bl_schema_check: the members it accepts,
 * and the exact message and position of every problem it reports (unknown
 * keys with and without a suggestion, wrong types, missing required keys).
 */
#include "testutil.h"

#include "model/schema.h"

static const struct bl_schema_key KEYS[] = {
	{"id", BL_T_STR, BL_SK_REQUIRED},
	{"idle", BL_T_BOOL, 0},
	{"title", BL_T_STR, BL_SK_REQUIRED},
	{"maps", BL_T_OBJ, 0},
};
static const struct bl_schema SCHEMA = {"control", KEYS, 4};

struct fx {
	struct bl_arena a;
	struct bl_diags d;
	const struct bl_member *found[4];
};

static int check(struct fx *f, const char *json)
{
	bl_arena_init(&f->a, 0);
	bl_diags_init(&f->d);
	int n = bl_schema_check(f->found, tu_json(&f->a, json), &SCHEMA, &f->d);
	bl_diags_sort(&f->d);
	return n;
}

static void done(struct fx *f)
{
	bl_diags_free(&f->d);
	bl_arena_free(&f->a);
}

static void test_clean(void **state)
{
	(void)state;
	struct fx f;
	assert_int_equal(check(&f, "{\"title\":\"t\",\"idle\":true,\"id\":\"x\"}"), 0);
	assert_int_equal(f.d.n, 0);
	/* keys sharing a first letter are told apart by their length */
	assert_non_null(f.found[0]);
	assert_int_equal(f.found[0]->val.u.str.len, 1);
	assert_non_null(f.found[1]);
	assert_int_equal(f.found[1]->val.type, BL_VBOOL);
	assert_non_null(f.found[2]);
	assert_null(f.found[3]);
	done(&f);
}

static void test_unknown(void **state)
{
	(void)state;
	struct fx f;
	/* a case slip is suggested; a key far from every known one is not (nor
	 * the empty key); a prefix of a known key is unknown */
	assert_int_equal(check(&f, "{\"id\":\"x\",\"title\":\"t\",\n\"Maps\":{},\n\"zzzzzz\":1,\n\"\":2,\n\"i\":3}"),
			 4);
	assert_int_equal(f.d.n, 4);
	assert_int_equal(f.d.items[0].line, 2);
	assert_string_equal(f.d.items[0].msg, "unknown key \"Maps\" in control (did you mean \"maps\"?)");
	assert_int_equal(f.d.items[1].line, 3);
	assert_string_equal(f.d.items[1].msg, "unknown key \"zzzzzz\" in control");
	assert_int_equal(f.d.items[2].line, 4);
	assert_string_equal(f.d.items[2].msg, "unknown key \"\" in control");
	assert_int_equal(f.d.items[3].line, 5);
	assert_string_equal(f.d.items[3].msg, "unknown key \"i\" in control (did you mean \"id\"?)");
	assert_null(f.found[3]);
	done(&f);
}

static void test_types_and_required(void **state)
{
	(void)state;
	struct fx f;
	/* a required key of the wrong type is reported once, as a type
	 * problem at its value, not also as missing; an absent one at the
	 * object */
	assert_int_equal(check(&f, "{\n\"id\": 5,\n\"idle\": \"no\"}"), 3);
	assert_int_equal(f.d.n, 3);
	assert_int_equal(f.d.items[0].line, 1);
	assert_string_equal(f.d.items[0].msg, "control is missing required key \"title\"");
	assert_int_equal(f.d.items[1].line, 2);
	assert_string_equal(f.d.items[1].msg, "id must be a string, not an integer");
	assert_int_equal(f.d.items[2].line, 3);
	assert_string_equal(f.d.items[2].msg, "idle must be a boolean, not a string");
	assert_null(f.found[0]);
	assert_null(f.found[1]);
	done(&f);
	/* a long unknown key is shown cut at 64 bytes */
	assert_int_equal(check(&f, "{\"id\":\"x\",\"title\":\"t\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}"), 1);
	assert_string_equal(f.d.items[0].msg, "unknown key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					      "aaaaaaaaaaaaaaaaaaaa...\" in control");
	done(&f);
}

/* Keys are compared byte by byte against the NUL-terminated names: a key
 * longer than a name, or holding a NUL right after a name's text, is
 * unknown (a NUL in JSON is "\u0000"). */
static void test_key_bytes(void **state)
{
	(void)state;
	struct fx f;
	assert_int_equal(check(&f, "{\"id\":\"x\",\"title\":\"t\",\n\"id\\u0000\":1,\n\"idl\":1,\n"
				   "\"idlex\":1,\n\"titlE\":\"u\"}"), 4);
	assert_int_equal(f.d.items[0].line, 2);
	assert_string_equal(f.d.items[0].msg, "unknown key \"id?\" in control (did you mean \"id\"?)");
	assert_int_equal(f.d.items[1].line, 3);
	assert_int_equal(f.d.items[2].line, 4);
	assert_int_equal(f.d.items[3].line, 5);
	assert_string_equal(f.d.items[3].msg, "unknown key \"titlE\" in control (did you mean \"title\"?)");
	assert_non_null(f.found[0]);
	assert_null(f.found[1]);
	assert_non_null(f.found[2]);
	assert_int_equal(f.found[2]->val.u.str.s[0], 't');
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_bytes),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_types_and_required),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
