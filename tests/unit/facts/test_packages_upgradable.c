/* Unit tests for facts/packages_upgradable.c: newer versions in the apt
 * lists on disk, against fake roots (tests/fixtures/hosts/hostsys-*). */
#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_packages_upgradable;

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
	assert_int_equal(bl_provider_packages_upgradable.resolve(f, &k, &v), 0);
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

static void expect(const struct bl_value *e, const char *name, const char *arch,
		   const char *installed, const char *candidate, bool security)
{
	assert_str(e, "name", name);
	assert_str(e, "arch", arch);
	assert_str(e, "installed", installed);
	assert_str(e, "candidate", candidate);
	assert_bool(e, "security", security);
}

static void test_upgradable(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-dpkg");
	const struct bl_value *v = resolve(f, true, NULL, 0);
	assert_int_equal(v->type, BL_VOBJ);
	const struct bl_value *n = bl_value_getz(v, "count");
	assert_int_equal(n->type, BL_VNUM);
	assert_int_equal((int)n->u.num.d, 5);
	assert_int_equal((int)bl_value_getz(v, "security_count")->u.num.d, 2);
	const struct bl_value *p = bl_value_getz(v, "packages");
	assert_int_equal(p->type, BL_VARR);
	assert_int_equal(p->u.arr.n, 5);
	/* the same version in the main and the security list: security */
	expect(&p->u.arr.items[0], "openssh-server", "amd64", "1:9.2p1-2+deb12u2",
	       "1:9.2p1-2+deb12u3", true);
	/* each architecture against its own list entries */
	expect(&p->u.arr.items[1], "libc6", "i386", "2.36-9+deb12u3", "2.36-9+deb12u9", false);
	expect(&p->u.arr.items[2], "libc6", "amd64", "2.36-9+deb12u3", "2.36-9+deb12u7", false);
	expect(&p->u.arr.items[3], "tzdata", "all", "2024a-0+deb12u1", "2024b-0+deb12u1", false);
	/* "~bpo1" sorts below the installed version; the CRLF security list wins */
	expect(&p->u.arr.items[4], "sudo", "amd64", "1.9.13p3-1+deb12u1", "1.9.13p3-1+deb12u2",
	       true);
	const struct bl_value *sk = bl_value_getz(v, "skipped_lists");
	assert_int_equal(sk->type, BL_VARR);
	assert_int_equal(sk->u.arr.n, 1);
	assert_int_equal(sk->u.arr.items[0].u.str.len,
			 strlen("deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4"));
	bl_facts_close(f);
}

static void test_errors(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-nolists");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no package lists on disk (run apt-get update)");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-lz4only");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no plain-text package lists on disk (2 compressed lists skipped: lz4/gz/xz "
		       "lists are not read)");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_special(resolve(f, true, NULL, 0), BL_VERR,
		       "no dpkg database found (/var/lib/dpkg/status)");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgradable),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
