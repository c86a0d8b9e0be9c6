/*
 * test_dir_walk.c - the `dir_walk` namespace on tests/fixtures/sca/root-ok:
 * regular files below a directory, recursively, sorted, symlinks skipped;
 * a missing directory or a file is {exists: false}; an unreadable
 * directory below or a relative key is an error value.
 */
#include "testutil.h"

#include "factstest.h"

extern const struct bl_provider bl_provider_dir_walk;

#define ROOT "tests/fixtures/sca/root-ok"

static const struct bl_value *one(struct bl_facts *f, const char *key)
{
	const char *k[1] = {key};
	const struct bl_value *v = run(f, &bl_provider_dir_walk, false, k, 1);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 1);
	return &v->u.obj.items[0].val;
}

static void test_walk(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT, false, NULL);
	const struct bl_value *v = one(f, "/etc/cron.d");
	assert_bool(bl_value_getz(v, "exists"), true);
	const struct bl_value *files = bl_value_getz(v, "files");
	assert_non_null(files);
	assert_int_equal(files->type, BL_VARR);
	assert_int_equal(files->u.arr.n, 2);   /* linked-sshd is a symlink: skipped */
	assert_str(bl_value_getz(&files->u.arr.items[0], "path"), "/etc/cron.d/backup");
	assert_str(bl_value_getz(&files->u.arr.items[0], "name"), "backup");
	assert_str(bl_value_getz(&files->u.arr.items[0], "type"), "file");
	const struct bl_value *lines = bl_value_getz(&files->u.arr.items[0], "lines");
	assert_non_null(lines);
	assert_int_equal(lines->u.arr.n, 1);
	assert_str(&lines->u.arr.items[0], "0 2 * * * root /usr/local/bin/backup");
	assert_str(bl_value_getz(&files->u.arr.items[1], "path"), "/etc/cron.d/sub/other-job");
	assert_str(bl_value_getz(&files->u.arr.items[1], "name"), "other-job");
	/* a trailing slash is the same directory */
	assert_int_equal(bl_value_getz(one(f, "/etc/cron.d/"), "files")->u.arr.n, 2);
	bl_facts_close(f);
}

static void test_absent(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT, false, NULL);
	const struct bl_value *v = one(f, "/etc/nope");
	assert_bool(bl_value_getz(v, "exists"), false);
	assert_int_equal(bl_value_getz(v, "files")->u.arr.n, 0);
	v = one(f, "/etc/hostname");   /* a file, not a directory */
	assert_bool(bl_value_getz(v, "exists"), false);
	v = one(f, "etc");
	assert_int_equal(v->type, BL_VERR);
	assert_string_equal(bl_arena_strndup(bl_facts_arena(f), v->u.str.s, v->u.str.len),
			    "etc: not an absolute path");
	bl_facts_close(f);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT, false, "cron.d/sub");
	const struct bl_value *v = one(f, "/etc/cron.d");
	assert_int_equal(v->type, BL_VERR);
	char *why = bl_arena_strndup(bl_facts_arena(f), v->u.str.s, v->u.str.len);
	assert_string_equal(why, "/etc/cron.d: /etc/cron.d/sub: permission denied");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
