/*
 * test_files.c - the `files` namespace: sorted matches, hidden files,
 * no match, the 1,000-match cap, unreadable directories and loops on the
 * way (error values, never a silently partial list).
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/facts.h"

extern const struct bl_provider bl_provider_files;

#define FIX "tests/fixtures/hosts/hostcore-files"

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	if (bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err) != 0)
		fail_msg("%s", err.msg);
	return f;
}

static const struct bl_value *files_get(struct bl_facts *f, const char *key)
{
	const char *k[1] = {key};
	struct bl_fact_keys keys = {.keys = k, .n = 1};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_files.resolve(f, &keys, &v), 0);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 1);
	return &v->u.obj.items[0].val;
}

static void expect_paths(const struct bl_value *arr, const char **want, size_t n)
{
	if (arr->type != BL_VARR)
		fail_msg("type %d: %.*s", arr->type, (int)arr->u.str.len, arr->u.str.s);
	assert_int_equal(arr->u.arr.n, n);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *p = bl_value_strz(&arr->u.arr.items[i], "path", &len);
		assert_non_null(p);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(p, want[i], len);
	}
}

static void expect_err(const struct bl_value *v, const char *why)
{
	assert_int_equal(v->type, BL_VERR);
	if (v->u.str.len != strlen(why) || memcmp(v->u.str.s, why, v->u.str.len) != 0)
		fail_msg("\"%.*s\", want \"%s\"", (int)v->u.str.len, v->u.str.s, why);
}

static void test_fixture_globs(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX);
	/* Byte order (upper case first); the dot file only when asked for. */
	const char *all[] = {"/etc/cron.d/README.txt", "/etc/cron.d/a-job", "/etc/cron.d/b-job"};
	const struct bl_value *v = files_get(f, "/etc/cron.d/*");
	expect_paths(v, all, 3);
	/* Each element is the file object, with its content. */
	const struct bl_value *a = &v->u.arr.items[1];
	size_t len;
	const char *sha = bl_value_strz(a, "sha256", &len);
	assert_non_null(sha);
	assert_memory_equal(sha, "23dea633dfecbf9f193b09ef92adb6b84e1af9163f3cd4e260f72b18191c04f5", 64);
	assert_string_equal(a->u.obj.items[0].key, "path");
	assert_string_equal(a->u.obj.items[1].key, "exists");

	const char *jobs[] = {"/etc/cron.d/a-job", "/etc/cron.d/b-job"};
	expect_paths(files_get(f, "/etc/cron.d/*-job"), jobs, 2);
	const char *hidden[] = {"/etc/cron.d/.placeholder"};
	expect_paths(files_get(f, "/etc/cron.d/.*"), hidden, 1);
	const char *mid[] = {"/etc/crlf.txt", "/etc/cron.d", "/srv/data"};
	expect_paths(files_get(f, "/*/[cd]*"), mid, 3);
	const char *lit[] = {"/etc/motd"};
	expect_paths(files_get(f, "/etc/motd"), lit, 1);
	expect_paths(files_get(f, "/etc/*.none"), NULL, 0);
	expect_paths(files_get(f, "/missing/*"), NULL, 0);
	expect_err(files_get(f, "etc/*"), "etc/*: not an absolute path");
	bl_facts_close(f);
}

/* Each key's omit bits apply to every object of its list. */
static void test_omit(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX);
	const char *k[2] = {"/etc/cron.d/*-job", "/etc/motd"};
	unsigned om[2] = {BL_FILE_OMIT_ALL, BL_FILE_OMIT_SHA256 | BL_FILE_OMIT_CONTENT};
	struct bl_fact_keys keys = {.keys = k, .n = 2, .omit = om};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_files.resolve(f, &keys, &v), 0);
	const struct bl_value *jobs = bl_value_getz(v, "/etc/cron.d/*-job");
	assert_int_equal(jobs->u.arr.n, 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct bl_value *o = &jobs->u.arr.items[i];
		assert_non_null(bl_value_getz(o, "mode"));
		assert_null(bl_value_getz(o, "sha256"));
		assert_null(bl_value_getz(o, "lines"));
		assert_null(bl_value_getz(o, "content"));
	}
	const struct bl_value *motd = &bl_value_getz(v, "/etc/motd")->u.arr.items[0];
	assert_int_equal(bl_value_getz(motd, "lines")->type, BL_VARR);
	assert_null(bl_value_getz(motd, "sha256"));
	assert_null(bl_value_getz(motd, "content"));
	bl_facts_close(f);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void test_cap_and_loops(void **state)
{
	(void)state;
	char dir[64], p[256];
	snprintf(dir, sizeof dir, "/tmp/bl_files_XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof p, "%s/many", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int i = 0; i < 1001; i++) {
		snprintf(p, sizeof p, "%s/many/f%04d", dir, i);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(p, sizeof p, "%s/loop", dir);
	assert_int_equal(symlink("loop", p), 0);
	struct bl_facts *f = open_root(dir);
	expect_err(files_get(f, "/many/*"), "/many/*: more than 1000 matches");
	const struct bl_value *v = files_get(f, "/many/f0*");
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 1000);
	size_t len;
	const char *last = bl_value_strz(&v->u.arr.items[999], "path", &len);
	assert_memory_equal(last, "/many/f0999", len);
	expect_err(files_get(f, "/loop/*"), "/loop/*: 1 directory on the way could not be read");
	bl_facts_close(f);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int eacces_dir(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if ((flags & O_DIRECTORY) && strcmp(path, "etc/cron.d") == 0) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static void test_unreadable_dir(void **state)
{
	(void)state;
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = eacces_dir;
	struct bl_facts *f = open_root(FIX);
	bl_facts_sys(f)->ops = &ops;
	expect_err(files_get(f, "/etc/cron.d/*"),
		   "/etc/cron.d/*: 1 directory on the way could not be read");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_globs),
		cmocka_unit_test(test_omit),
		cmocka_unit_test(test_cap_and_loops),
		cmocka_unit_test(test_unreadable_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
