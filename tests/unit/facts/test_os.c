/*
 * test_os.c - the `os` namespace against fake roots: quoting, comments and
 * CRLF in os-release, the /usr/lib fallback, optional files, live-only
 * fields under --root, unreadable and hostile sources.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "facts/facts.h"

extern const struct bl_provider bl_provider_os;

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	if (bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err) != 0)
		fail_msg("%s", err.msg);
	return f;
}

static const struct bl_value *resolve(struct bl_facts *f)
{
	const struct bl_value *v = NULL;
	struct bl_fact_keys keys = {.all = true};
	assert_int_equal(bl_provider_os.resolve(f, &keys, &v), 0);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VOBJ);
	return v;
}

static void expect_str(const struct bl_value *o, const char *key, const char *want)
{
	const struct bl_value *v = bl_value_getz(o, key);
	assert_non_null(v);
	if (v->type != BL_VSTR)
		fail_msg("%s: type %d, want string \"%s\"", key, v->type, want);
	assert_int_equal(v->u.str.len, strlen(want));
	assert_memory_equal(v->u.str.s, want, strlen(want));
}

static void expect_type(const struct bl_value *o, const char *key, int type, const char *why)
{
	const struct bl_value *v = bl_value_getz(o, key);
	assert_non_null(v);
	assert_int_equal(v->type, type);
	if (why) {
		assert_int_equal(v->u.str.len, strlen(why));
		assert_memory_equal(v->u.str.s, why, strlen(why));
	}
}

static void test_debian_offline(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("tests/fixtures/hosts/hostcore-os");
	const struct bl_value *o = resolve(f);
	assert_int_equal(o->u.obj.n, 7);
	assert_string_equal(o->u.obj.items[0].key, "id");
	assert_string_equal(o->u.obj.items[6].key, "machine_id");
	expect_str(o, "id", "debian");
	expect_str(o, "version_id", "12");
	/* The last NAME wins, escaped quotes unquoted. */
	expect_str(o, "name", "Debian \"Bookworm\" GNU/Linux");
	expect_type(o, "kernel", BL_VNA,
		    "live-only fact: not available with --root tests/fixtures/hosts/hostcore-os");
	expect_type(o, "arch", BL_VNA, NULL);
	expect_str(o, "hostname", "web01.example.com");
	expect_str(o, "machine_id", "0123456789abcdef0123456789abcdef");
	assert_string_equal(bl_facts_host_id(f), "host:web01.example.com");
	bl_facts_close(f);
}

static void test_usrlib_fallback(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("tests/fixtures/hosts/hostcore-os-usrlib");
	const struct bl_value *o = resolve(f);
	expect_str(o, "id", "alpine");
	expect_str(o, "version_id", "3.19.1");
	expect_str(o, "name", "Alpine Linux");
	/* Optional files: absent or empty are null, not errors. */
	expect_type(o, "hostname", BL_VNULL, NULL);
	expect_type(o, "machine_id", BL_VNULL, NULL);
	assert_string_equal(bl_facts_host_id(f), "root:tests/fixtures/hosts/hostcore-os-usrlib");
	bl_facts_close(f);
}

static void test_live(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("/");
	assert_true(bl_facts_live(f));
	const struct bl_value *o = resolve(f);
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	expect_str(o, "kernel", u.release);
	expect_str(o, "arch", u.machine);
	expect_str(o, "hostname", u.nodename);
	char want[300];
	snprintf(want, sizeof want, "host:%s", u.nodename);
	assert_string_equal(bl_facts_host_id(f), want);
	bl_facts_close(f);
}

/* ---- runtime roots ----------------------------------------------------- */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void mkroot(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/bl_os_XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[256];
	snprintf(p, sizeof p, "%s/etc", dir);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void test_empty_root(void **state)
{
	(void)state;
	char dir[64];
	mkroot(dir, sizeof dir);
	struct bl_facts *f = open_root(dir);
	const struct bl_value *o = resolve(f);
	expect_type(o, "id", BL_VNULL, NULL);
	expect_type(o, "version_id", BL_VNULL, NULL);
	expect_type(o, "name", BL_VNULL, NULL);
	expect_type(o, "hostname", BL_VNULL, NULL);
	bl_facts_close(f);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_hostile(void **state)
{
	(void)state;
	char dir[64], p[256];
	mkroot(dir, sizeof dir);
	/* os-release a FIFO (refused at once), hostname a link out of the
	 * root (resolved inside it: there is no ROOT/etc/shadow), machine-id a loop. */
	snprintf(p, sizeof p, "%s/etc/os-release", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof p, "%s/etc/hostname", dir);
	assert_int_equal(symlink("../../../../../etc/hostname-real", p), 0);
	snprintf(p, sizeof p, "%s/etc/hostname-real", dir);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("inside\n", fp);
	fclose(fp);
	snprintf(p, sizeof p, "%s/etc/machine-id", dir);
	assert_int_equal(symlink("machine-id", p), 0);
	struct bl_facts *f = open_root(dir);
	const struct bl_value *o = resolve(f);
	expect_type(o, "id", BL_VERR, "/etc/os-release: is a fifo, not a regular file");
	expect_type(o, "name", BL_VERR, "/etc/os-release: is a fifo, not a regular file");
	expect_str(o, "hostname", "inside");
	expect_type(o, "machine_id", BL_VERR, "/etc/machine-id: too many levels of symbolic links");
	bl_facts_close(f);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int eacces_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (strcmp(path, "etc/os-release") == 0) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = eacces_open;
	struct bl_facts *f = open_root("tests/fixtures/hosts/hostcore-os");
	bl_facts_sys(f)->ops = &ops;
	const struct bl_value *o = resolve(f);
	expect_type(o, "id", BL_VERR, "/etc/os-release: permission denied");
	expect_type(o, "version_id", BL_VERR, "/etc/os-release: permission denied");
	expect_type(o, "name", BL_VERR, "/etc/os-release: permission denied");
	expect_str(o, "hostname", "web01.example.com");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_offline),
		cmocka_unit_test(test_usrlib_fallback),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
