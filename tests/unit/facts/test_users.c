/* Unit tests for facts/users.c: accounts from passwd joined with shadow, against
 * fake roots (tests/fixtures/hosts/hostsys-accounts, -noshadow). */
#include <errno.h>

#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_users;

#define FIX "tests/fixtures/hosts/"

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	int rc = bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err);
	if (rc != 0)
		fail_msg("bl_facts_open(%s): %s", root, err.msg);
	return f;
}

static const struct bl_value *resolve(struct bl_facts *f, bool all, const char **keys, size_t n)
{
	struct bl_fact_keys k = {.all = all, .keys = keys, .n = n};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_users.resolve(f, &k, &v), 0);
	assert_non_null(v);
	return v;
}

static void assert_str(const struct bl_value *obj, const char *key, const char *want)
{
	size_t len;
	const char *s = bl_value_strz(obj, key, &len);
	if (!s)
		fail_msg("%s: not a string", key);
	if (strlen(want) != len || memcmp(s, want, len) != 0)
		fail_msg("%s: got '%.*s', want '%s'", key, (int)len, s, want);
}

static void assert_bool(const struct bl_value *obj, const char *key, bool want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VBOOL);
	assert_int_equal(v->b, want);
}

static void assert_special(const struct bl_value *v, int type, const char *want)
{
	assert_non_null(v);
	assert_int_equal(v->type, type);
	if (strlen(want) != v->u.str.len || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)v->u.str.len, v->u.str.s, want);
}


/* Fault injection: opening any path whose last component is `deny` fails
 * with EACCES (tests run as root, so chmod would not do). */
static const char *deny;
static int deny_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	const char *slash = strrchr(path, '/');
	if (strcmp(slash ? slash + 1 : path, deny) == 0) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static void assert_null_field(const struct bl_value *obj, const char *key)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VNULL);
}

static void assert_num(const struct bl_value *obj, const char *key, double want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type != BL_VNUM || v->u.num.d != want)
		fail_msg("%s: want %g", key, want);
}

/* password_set locked password_empty as a 3-char string of 0/1 */
static void pw(const struct bl_value *u, const char *flags)
{
	assert_bool(u, "password_set", flags[0] == '1');
	assert_bool(u, "locked", flags[1] == '1');
	assert_bool(u, "password_empty", flags[2] == '1');
}

static void test_users(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-accounts");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 8);
	const struct bl_value *u = &v->u.arr.items[0];
	assert_str(u, "name", "root");
	assert_num(u, "uid", 0);
	assert_num(u, "gid", 0);
	assert_str(u, "home", "/root");
	assert_str(u, "shell", "/bin/bash");
	pw(u, "010");
	assert_num(u, "last_change", 19000);
	assert_num(u, "min_days", 0);
	assert_num(u, "max_days", 99999);
	assert_num(u, "warn_days", 7);
	assert_null_field(u, "inactive");
	assert_null_field(u, "expire");
	u = &v->u.arr.items[1];   /* CRLF passwd line */
	assert_str(u, "name", "daemon");
	assert_str(u, "shell", "/usr/sbin/nologin");
	pw(u, "010");
	assert_null_field(u, "min_days");
	u = &v->u.arr.items[2];
	assert_str(u, "name", "alice");
	assert_str(u, "gecos", "Alice,,,");
	assert_num(u, "uid", 1000);
	pw(u, "100");
	assert_num(u, "min_days", 1);
	assert_num(u, "max_days", 90);
	assert_num(u, "warn_days", 14);
	assert_num(u, "inactive", 30);
	assert_num(u, "expire", 20000);
	u = &v->u.arr.items[3];   /* a locked hash, CRLF shadow line */
	assert_str(u, "name", "bob");
	pw(u, "010");
	assert_num(u, "max_days", 99999);
	assert_null_field(u, "expire");
	u = &v->u.arr.items[4];   /* an empty shadow field: no password at all */
	assert_str(u, "name", "nopw");
	pw(u, "001");
	u = &v->u.arr.items[5];   /* a hash in passwd itself, no shadow line */
	assert_str(u, "name", "legacy");
	pw(u, "100");
	assert_null_field(u, "last_change");
	u = &v->u.arr.items[6];   /* a short line */
	assert_str(u, "name", "short");
	assert_num(u, "uid", 1004);
	assert_null_field(u, "gid");
	assert_str(u, "shell", "");
	u = &v->u.arr.items[7];   /* "x" but no shadow line; no final newline */
	assert_str(u, "name", "ghost");
	assert_str(u, "shell", "/bin/sh");
	pw(u, "000");
	bl_facts_close(f);
}

static void test_no_shadow(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-noshadow");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->u.arr.n, 3);
	pw(&v->u.arr.items[0], "000");
	pw(&v->u.arr.items[1], "100");
	pw(&v->u.arr.items[2], "001");
	bl_facts_close(f);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-accounts");
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = deny_open;
	bl_facts_sys(f)->ops = &ops;
	deny = "shadow";
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->u.arr.n, 8);
	const struct bl_value *u = &v->u.arr.items[2];
	assert_str(u, "name", "alice");
	assert_num(u, "uid", 1000);
	assert_special(bl_value_getz(u, "password_set"), BL_VERR, "/etc/shadow: permission denied");
	assert_special(bl_value_getz(u, "max_days"), BL_VERR, "/etc/shadow: permission denied");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-accounts");
	bl_facts_sys(f)->ops = &ops;
	deny = "passwd";
	assert_special(resolve(f, true, NULL, 0), BL_VERR, "/etc/passwd: permission denied");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_special(resolve(f, true, NULL, 0), BL_VERR, "/etc/passwd: no such file or directory");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_no_shadow),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
