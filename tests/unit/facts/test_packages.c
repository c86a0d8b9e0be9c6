/* Unit tests for facts/packages.c and facts/dpkg.c: the dpkg database as
 * packages["name"] against fake roots (tests/fixtures/hosts/hostsys-*). */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "facts/dpkg.h"
#include "facts/facts.h"

extern const struct bl_provider bl_provider_packages;

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
	assert_int_equal(bl_provider_packages.resolve(f, &k, &v), 0);
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

static void test_keys(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-dpkg");
	const char *keys[] = {"openssh-server", "libc6", "libc6:i386", "telnet", "tzdata",
			      "bash", "sudo", "nginx", "dpkg"};
	const struct bl_value *v = resolve(f, false, keys, 9);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 9);
	/* CRLF stanza with a continuation line */
	const struct bl_value *p = bl_value_getz(v, "openssh-server");
	assert_bool(p, "installed", true);
	assert_str(p, "version", "1:9.2p1-2+deb12u2");
	assert_str(p, "arch", "amd64");
	assert_str(p, "status", "install ok installed");
	/* multi-arch: the native one (dpkg's own architecture), unless asked */
	p = bl_value_getz(v, "libc6");
	assert_str(p, "arch", "amd64");
	p = bl_value_getz(v, "libc6:i386");
	assert_str(p, "arch", "i386");
	assert_bool(p, "installed", true);
	/* removed, configuration files left */
	p = bl_value_getz(v, "telnet");
	assert_bool(p, "installed", false);
	assert_str(p, "version", "0.17+2.4-2");
	/* held packages are installed */
	assert_bool(bl_value_getz(v, "tzdata"), "installed", true);
	/* last stanza without a final newline; whitespace-only separator line */
	assert_str(bl_value_getz(v, "bash"), "version", "5.2.15-2+b2");
	assert_str(bl_value_getz(v, "sudo"), "version", "1.9.13p3-1+deb12u1");
	/* unknown: installed false and nothing else */
	p = bl_value_getz(v, "nginx");
	assert_int_equal(p->u.obj.n, 1);
	assert_bool(p, "installed", false);
	/* the description's " Package: not-a-field" continuation is not a package */
	assert_null(bl_value_getz(resolve(f, true, NULL, 0), "not-a-field"));
	bl_facts_close(f);
}

static void test_all(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX "hostsys-dpkg");
	const char *keys[] = {"absent-pkg"};
	const struct bl_value *v = resolve(f, true, keys, 1);
	assert_int_equal(v->type, BL_VOBJ);
	/* dpkg openssh-server libc6 telnet tzdata sudo bash + the asked key */
	assert_int_equal(v->u.obj.n, 8);
	assert_string_equal(v->u.obj.items[0].key, "dpkg");
	assert_string_equal(v->u.obj.items[2].key, "libc6");
	assert_str(&v->u.obj.items[2].val, "arch", "amd64");
	assert_string_equal(v->u.obj.items[7].key, "absent-pkg");
	bl_facts_close(f);
}

static void test_no_database(void **state)
{
	(void)state;
	const char *keys[] = {"bash"};
	struct bl_facts *f = open_root(FIX "hostsys-rpm");
	/* an rpm root is read through facts/rpmdb.c (test_rpmdb.c); this one's
	 * rpmdb.sqlite is not SQLite at all */
	assert_special(resolve(f, false, keys, 1), BL_VERR,
		       "/var/lib/rpm/rpmdb.sqlite: file is not a database");
	bl_facts_close(f);
	f = open_root(FIX "hostsys-empty");
	assert_special(resolve(f, false, keys, 1), BL_VERR, "no package database found");
	bl_facts_close(f);
}

static int count_cb(void *ctx, const struct bl_dpkg_stanza *st)
{
	int *n = ctx;
	if (st->package.set)
		(*n)++;
	return 0;
}

static int stop_cb(void *ctx, const struct bl_dpkg_stanza *st)
{
	(void)ctx;
	(void)st;
	return 7;
}

static void test_parser(void **state)
{
	(void)state;
	int n = 0;
	const char *text = "Package: a\n\n\n \nPackage: b\r\n\r\nVersion: 1\n#x\nPackage:c\n";
	assert_int_equal(bl_dpkg_parse(text, strlen(text), count_cb, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(bl_dpkg_parse(text, strlen(text), stop_cb, NULL), 7);
	n = 0;
	assert_int_equal(bl_dpkg_parse("", 0, count_cb, &n), 0);
	assert_int_equal(n, 0);
	/* an over-long value marks the stanza bad rather than truncating it */
	char big[600];
	memcpy(big, "Package: ", 9);
	memset(big + 9, 'x', 500);
	big[509] = '\n';
	int bad = 0;
	struct bl_dpkg_stanza st;
	(void)st;
	assert_int_equal(bl_dpkg_parse(big, 510, count_cb, &bad), 0);
	assert_int_equal(bad, 0);
	assert_true(bl_dpkg_status_installed("install ok installed", 20));
	assert_true(bl_dpkg_status_installed("hold ok triggers-pending", 24));
	assert_false(bl_dpkg_status_installed("deinstall ok config-files", 25));
	assert_false(bl_dpkg_status_installed("installed", 9));
	assert_false(bl_dpkg_status_installed("install ok half-installed", 25));
}

/* Records what a want filter and the stanza callback saw. */
struct wantlog {
	char asked[256];
	char got[256];
};

static void append(char *buf, size_t cap, const char *a, const char *b)
{
	size_t n = strlen(buf);
	snprintf(buf + n, cap - n, "%s%s", a, b);
}

static bool want_not_b(void *ctx, const char *name, size_t len)
{
	struct wantlog *w = ctx;
	assert_int_equal(strlen(name), len);
	append(w->asked, sizeof w->asked, name, ",");
	return !(len == 1 && name[0] == 'b');
}

static int log_cb(void *ctx, const struct bl_dpkg_stanza *st)
{
	struct wantlog *w = ctx;
	append(w->got, sizeof w->got, st->package.set ? st->package.s : "-",
	       st->version.set ? st->version.s : "");
	append(w->got, sizeof w->got, ";", "");
	return 0;
}

/* A declined stanza is passed over to its end (a blank or whitespace-only
 * line, CRLF too) whatever it holds, and never reaches the callback; a
 * Package field after other fields is asked about all the same. */
static void test_parser_want(void **state)
{
	(void)state;
	const char *text = "Package: a\nVersion: 1\n\n"
			   "Package: b\nVersion: 2\nPackage: a\n \tmore\n#c\n \t\n"
			   "Version: 3\nPackage: b\n\r\n"
			   "Version: 4\nPackage: c\r\n\n"
			   "Package: b\n\n\nPackage: d\nVersion: 5";
	struct wantlog w = {{0}, {0}};
	assert_int_equal(bl_dpkg_parse_want(text, strlen(text), want_not_b, log_cb, &w), 0);
	assert_string_equal(w.asked, "a,b,b,c,b,d,");
	assert_string_equal(w.got, "a1;c4;d5;");
	/* without a filter every stanza is there */
	memset(&w, 0, sizeof w);
	assert_int_equal(bl_dpkg_parse(text, strlen(text), log_cb, &w), 0);
	assert_string_equal(w.got, "a1;b2;b3;c4;b;d5;");
}

/* A status file that is a FIFO must not block and is an error value. */
static void test_fifo(void **state)
{
	(void)state;
	char dir[] = "/tmp/hostsys-pkg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p[256];
	snprintf(p, sizeof p, "%s/var", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/var/lib", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/var/lib/dpkg", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/var/lib/dpkg/status", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	struct bl_facts *f = open_root(dir);
	const char *keys[] = {"bash"};
	assert_special(resolve(f, false, keys, 1), BL_VERR,
		       "/var/lib/dpkg/status: is a fifo, not a regular file");
	bl_facts_close(f);
	unlink(p);
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(p, '/');
		*slash = '\0';
		rmdir(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_no_database),
		cmocka_unit_test(test_parser),
		cmocka_unit_test(test_parser_want),
		cmocka_unit_test(test_fifo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
