/* Unit tests for facts/groups.c: groups from group joined with gshadow, against
 * fake roots (tests/fixtures/hosts/hostsys-accounts, -noshadow). */
#include <errno.h>

#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_groups;

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
	assert_int_equal(bl_provider_groups.resolve(f, &k, &v), 0);
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


static void assert_num(const struct bl_value *obj, const char *key, double want)
{
	const struct bl_value *v = bl_value_getz(obj, key);
	if (!v || v->type != BL_VNUM || v->u.num.d != want)
		fail_msg("%s: want %g", key, want);
}

static void names(const struct bl_value *g, const char *key, const char *want)
{
	const struct bl_value *a = bl_value_getz(g, key);
	assert_non_null(a);
	assert_int_equal(a->type, BL_VARR);
	char buf[256] = "";
	size_t len = 0;
	for (uint32_t i = 0; i < a->u.arr.n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.*s", i ? "," : "",
					(int)a->u.arr.items[i].u.str.len, a->u.arr.items[i].u.str.s);
	assert_string_equal(buf, want);
}

static void test_groups(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-accounts");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, 7);
	const struct bl_value *g = &v->u.arr.items[0];
	assert_str(g, "name", "root");
	assert_num(g, "gid", 0);
	names(g, "members", "");
	assert_bool(g, "locked", true);
	assert_bool(g, "password_set", false);
	g = &v->u.arr.items[1];
	assert_str(g, "name", "sudo");
	assert_num(g, "gid", 27);
	names(g, "members", "alice,bob");   /* "alice, bob" */
	assert_bool(g, "locked", true);
	names(g, "admins", "");
	g = &v->u.arr.items[2];
	assert_str(g, "name", "users");
	names(g, "members", "alice,bob");   /* "alice,,bob," */
	assert_bool(g, "password_set", false);
	assert_bool(g, "locked", false);
	names(g, "admins", "alice");
	g = &v->u.arr.items[3];
	assert_str(g, "name", "staff");
	assert_bool(g, "password_set", true);
	assert_bool(g, "locked", false);
	names(g, "admins", "root");
	g = &v->u.arr.items[4];   /* empty group password, no gshadow line */
	assert_str(g, "name", "open");
	assert_bool(g, "password_set", false);
	assert_bool(g, "locked", false);
	g = &v->u.arr.items[5];
	assert_str(g, "name", "wheel");
	assert_bool(g, "locked", true);
	g = &v->u.arr.items[6];   /* no final newline */
	assert_str(g, "name", "noshadow");
	assert_num(g, "gid", 61);
	bl_facts_close(f);
}

static void test_no_gshadow(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-noshadow");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->u.arr.n, 2);
	assert_bool(&v->u.arr.items[0], "password_set", false);
	assert_bool(&v->u.arr.items[1], "password_set", true);   /* a password in group itself */
	bl_facts_close(f);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-accounts");
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = deny_open;
	bl_facts_sys(f)->ops = &ops;
	deny = "gshadow";
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->u.arr.n, 7);
	assert_str(&v->u.arr.items[1], "name", "sudo");
	assert_special(bl_value_getz(&v->u.arr.items[1], "locked"), BL_VERR,
		       "/etc/gshadow: permission denied");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_special(resolve(f, true, NULL, 0), BL_VERR, "/etc/group: no such file or directory");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_no_gshadow),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
