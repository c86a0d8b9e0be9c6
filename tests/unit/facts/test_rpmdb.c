/* Unit tests for facts/rpmdb.c and the rpm side of facts/packages.c: rpm
 * header blobs made by hand, and rpmdb.sqlite databases written at run time
 * (with SQLite itself) into roots under a mkdtemp() folder. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/facts.h"
#include "facts/rpmdb.h"

extern const struct bl_provider bl_provider_packages;

#define FIX "tests/fixtures/hosts/"

/* ---- a tiny rpm header writer ------------------------------------------ */

struct hdr {
	unsigned char index[16 * 16];
	unsigned char data[1024];
	uint32_t il, dl;
};

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void entry(struct hdr *h, uint32_t tag, uint32_t type, uint32_t off, uint32_t count)
{
	unsigned char *e = h->index + 16 * h->il++;
	put32(e, tag);
	put32(e + 4, type);
	put32(e + 8, off);
	put32(e + 12, count);
}

static void add_str(struct hdr *h, uint32_t tag, const char *s)
{
	entry(h, tag, 6, h->dl, 1);
	memcpy(h->data + h->dl, s, strlen(s) + 1);
	h->dl += (uint32_t)strlen(s) + 1;
}

static void add_int(struct hdr *h, uint32_t tag, uint32_t v)
{
	while (h->dl % 4)
		h->data[h->dl++] = 0;
	entry(h, tag, 4, h->dl, 1);
	put32(h->data + h->dl, v);
	h->dl += 4;
}

/* The blob into out (cap bytes); its length. */
static size_t blob(const struct hdr *h, unsigned char *out, size_t cap)
{
	size_t n = 8 + 16 * (size_t)h->il + h->dl;
	assert_true(n <= cap);
	put32(out, h->il);
	put32(out + 4, h->dl);
	memcpy(out + 8, h->index, 16 * (size_t)h->il);
	memcpy(out + 8 + 16 * (size_t)h->il, h->data, h->dl);
	return n;
}

/* A package header: the region tag first (as rpm writes it), a SUMMARY
 * we do not read, then the fields in an unusual order. */
static size_t pkg(unsigned char *out, size_t cap, const char *name, const char *ver,
		  const char *rel, const char *arch, int64_t epoch)
{
	struct hdr h;
	memset(&h, 0, sizeof h);
	entry(&h, 63, 7, 0, 16);          /* HEADER_IMMUTABLE region: ignored */
	memset(h.data, 0, 16);
	h.dl = 16;
	add_str(&h, 1004, "a summary");  /* SUMMARY */
	if (epoch >= 0)
		add_int(&h, BL_RPMTAG_EPOCH, (uint32_t)epoch);
	if (rel)
		add_str(&h, BL_RPMTAG_RELEASE, rel);
	add_str(&h, BL_RPMTAG_VERSION, ver);
	add_str(&h, BL_RPMTAG_NAME, name);
	if (arch)
		add_str(&h, BL_RPMTAG_ARCH, arch);
	return blob(&h, out, cap);
}

static void test_header(void **state)
{
	(void)state;
	unsigned char b[2048];
	size_t n = pkg(b, sizeof b, "openssh-server", "8.7p1", "38.el9", "x86_64", 1);
	struct bl_rpm_header h;
	const char *why;
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), 0);
	assert_string_equal(h.name, "openssh-server");
	assert_string_equal(h.version, "8.7p1");
	assert_string_equal(h.release, "38.el9");
	assert_string_equal(h.arch, "x86_64");
	assert_true(h.has_epoch);
	assert_int_equal(h.epoch, 1);
	struct bl_arena a;
	bl_arena_init(&a, 1024);
	assert_string_equal(bl_rpm_evr(&h, &a), "1:8.7p1-38.el9");
	n = pkg(b, sizeof b, "gpg-pubkey", "fd431d51", NULL, NULL, -1);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), 0);
	assert_null(h.arch);
	assert_string_equal(bl_rpm_evr(&h, &a), "fd431d51");
	bl_arena_free(&a);

	/* hostile blobs: every one refused with a reason, none read out of bounds */
	n = pkg(b, sizeof b, "bash", "5.1.8", "6.el9", "x86_64", -1);
	for (size_t cut = 0; cut < n; cut++) {
		int rc = bl_rpm_header_parse(b, cut, &h, &why);
		assert_int_equal(rc, BL_EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(bl_rpm_header_parse(b, 4, &h, &why), BL_EINVAL);
	assert_string_equal(why, "shorter than a header");
	assert_int_equal(bl_rpm_header_parse(b, n - 1, &h, &why), BL_EINVAL);
	assert_string_equal(why, "index or data out of bounds");
	unsigned char c[2048];
	memcpy(c, b, n);
	put32(c, 0);
	assert_int_equal(bl_rpm_header_parse(c, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "bad index count");
	put32(c, 0x10000);
	assert_int_equal(bl_rpm_header_parse(c, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "bad index count");
	memcpy(c, b, n);
	put32(c + 4, 0xffffffffu);
	assert_int_equal(bl_rpm_header_parse(c, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "bad data size");

	struct hdr x;
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_VERSION, "1");
	entry(&x, BL_RPMTAG_NAME, 6, 1000, 1);      /* offset past the store */
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "string out of bounds");
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_VERSION, "1");
	entry(&x, BL_RPMTAG_NAME, 6, x.dl, 1);
	memcpy(x.data + x.dl, "abc", 3);            /* no NUL before the end */
	x.dl += 3;
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "string not terminated");
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_VERSION, "1");
	add_int(&x, BL_RPMTAG_NAME, 7);             /* NAME as a number */
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "string tag of the wrong type");
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_NAME, "a");
	add_str(&x, BL_RPMTAG_VERSION, "1");
	entry(&x, BL_RPMTAG_EPOCH, 4, x.dl - 2, 1); /* 4 bytes from 2 before the end */
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "bad EPOCH");
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_VERSION, "1");
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), BL_EINVAL);
	assert_string_equal(why, "no NAME");
	memset(&x, 0, sizeof x);
	add_str(&x, BL_RPMTAG_NAME, "a");
	add_str(&x, BL_RPMTAG_NAME, "b");           /* repeated: the first wins */
	add_str(&x, BL_RPMTAG_VERSION, "2");
	n = blob(&x, b, sizeof b);
	assert_int_equal(bl_rpm_header_parse(b, n, &h, &why), 0);
	assert_string_equal(h.name, "a");
	/* trailing bytes after the data store are tolerated */
	assert_int_equal(bl_rpm_header_parse(b, n + 7 <= sizeof b ? n + 7 : n, &h, &why), 0);
}

/* ---- roots with an rpmdb.sqlite --------------------------------------- */

static char root[64];

static void mk(const char *rel)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Write ROOT/rel as an rpm SQLite database with the given blobs. */
static void write_db(const char *rel, const unsigned char *const *blobs, const size_t *lens,
		     size_t n)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY "
				      "AUTOINCREMENT, blob BLOB NOT NULL)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st,
					    NULL), SQLITE_OK);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_blob(st, 1, blobs[i], (int)lens[i], SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void rm_rf(void)
{
	/* the layout is known: remove it file by file */
	const char *files[] = {"var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages",
			       "var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/rpmdb.sqlite",
			       "etc/secret.sqlite"};
	const char *dirs[] = {"var/lib/rpm", "var/lib", "var", "usr/lib/sysimage/rpm",
			      "usr/lib/sysimage", "usr/lib", "usr", "etc"};
	char p[256];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i]);
		unlink(p);
	}
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
		rmdir(p);
	}
	assert_int_equal(rmdir(root), 0);
}

static void new_root(void)
{
	snprintf(root, sizeof root, "/tmp/pkgfacts-rpm-XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("var");
	mk("var/lib");
	mk("var/lib/rpm");
}

static struct bl_facts *open_root(const char *r)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	if (bl_facts_open(&f, &(struct bl_facts_opts){.root = r}, &err) != 0)
		fail_msg("bl_facts_open(%s): %s", r, err.msg);
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

static void assert_pkg(const struct bl_value *p, bool installed, const char *ver,
		       const char *arch)
{
	assert_non_null(p);
	const struct bl_value *b = bl_value_getz(p, "installed");
	assert_non_null(b);
	assert_int_equal(b->b, installed);
	if (!ver) {
		assert_int_equal(p->u.obj.n, 1);
		return;
	}
	assert_int_equal(p->u.obj.n, 3);    /* no dpkg `status` for rpm */
	assert_str(p, "version", ver);
	assert_str(p, "arch", arch);
}

static void assert_err(const struct bl_value *v, const char *want)
{
	assert_int_equal(v->type, BL_VERR);
	if (strlen(want) != v->u.str.len || memcmp(v->u.str.s, want, v->u.str.len) != 0)
		fail_msg("got '%.*s', want '%s'", (int)v->u.str.len, v->u.str.s, want);
}

enum { NPKG = 6 };
static unsigned char bufs[NPKG][1024];
static const unsigned char *blobs[NPKG];
static size_t lens[NPKG];

static void make_pkgs(void)
{
	lens[0] = pkg(bufs[0], 1024, "glibc", "2.34", "100.el9", "i686", -1);
	lens[1] = pkg(bufs[1], 1024, "rpm", "4.16.1.3", "29.el9", "x86_64", -1);
	lens[2] = pkg(bufs[2], 1024, "glibc", "2.34", "100.el9", "x86_64", -1);
	lens[3] = pkg(bufs[3], 1024, "openssh-server", "8.7p1", "38.el9", "x86_64", 0);
	lens[4] = pkg(bufs[4], 1024, "shadow-utils", "4.9", "8.el9", "x86_64", 2);
	lens[5] = pkg(bufs[5], 1024, "gpg-pubkey", "fd431d51", "4ae0493b", NULL, -1);
	for (int i = 0; i < NPKG; i++)
		blobs[i] = bufs[i];
}

static void test_sqlite(void **state)
{
	(void)state;
	make_pkgs();
	new_root();
	write_db("var/lib/rpm/rpmdb.sqlite", blobs, lens, NPKG);
	struct bl_facts *f = open_root(root);
	const char *keys[] = {"openssh-server", "glibc", "glibc:i686", "shadow-utils",
			      "gpg-pubkey", "telnet-server"};
	const struct bl_value *v = resolve(f, false, keys, 6);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 6);
	/* an explicit epoch 0 is shown, as rpm -q --qf '%{EPOCH}:' would */
	assert_pkg(bl_value_getz(v, "openssh-server"), true, "0:8.7p1-38.el9", "x86_64");
	/* multilib: the native architecture (rpm's own) unless asked */
	assert_pkg(bl_value_getz(v, "glibc"), true, "2.34-100.el9", "x86_64");
	assert_pkg(bl_value_getz(v, "glibc:i686"), true, "2.34-100.el9", "i686");
	assert_pkg(bl_value_getz(v, "shadow-utils"), true, "2:4.9-8.el9", "x86_64");
	assert_pkg(bl_value_getz(v, "gpg-pubkey"), true, "fd431d51-4ae0493b", "");
	assert_pkg(bl_value_getz(v, "telnet-server"), false, NULL, NULL);
	bl_facts_close(f);

	/* packages[*]: each name once, in database order */
	f = open_root(root);
	v = resolve(f, true, NULL, 0);
	assert_int_equal(v->u.obj.n, 5);
	assert_string_equal(v->u.obj.items[0].key, "glibc");
	assert_str(&v->u.obj.items[0].val, "arch", "x86_64");
	assert_string_equal(v->u.obj.items[1].key, "rpm");
	assert_string_equal(v->u.obj.items[4].key, "gpg-pubkey");
	bl_facts_close(f);

	/* no journal, WAL or lock file was created next to the database */
	char p[256];
	snprintf(p, sizeof p, "%s/var/lib/rpm/rpmdb.sqlite-journal", root);
	assert_int_not_equal(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/var/lib/rpm/rpmdb.sqlite-wal", root);
	assert_int_not_equal(access(p, F_OK), 0);

	/* one malformed header spoils the answer: an error, not "not installed" */
	lens[3] = 12;
	write_db("var/lib/rpm/Packages.db", blobs, lens, NPKG);   /* scratch name */
	snprintf(p, sizeof p, "%s/var/lib/rpm/rpmdb.sqlite", root);
	char q[256];
	snprintf(q, sizeof q, "%s/var/lib/rpm/Packages.db", root);
	assert_int_equal(rename(q, p), 0);
	f = open_root(root);
	assert_err(resolve(f, false, keys, 1),
		   "/var/lib/rpm/rpmdb.sqlite: package header 4 is malformed "
		   "(index or data out of bounds)");
	bl_facts_close(f);
	rm_rf();
}

static ssize_t eio_read(int fd, void *buf, size_t n)
{
	(void)fd, (void)buf, (void)n;
	errno = EIO;
	return -1;
}

static const struct bl_sys_ops eio_ops = {
	.open_in_root = bl_sys_open_in_root_walk,
	.read = eio_read,
	.fstat = fstat,
	.close = close,
	.readlinkat = readlinkat,
	.fdopendir = fdopendir,
	.readdir = readdir,
	.closedir = closedir,
};

/* rpm 4.17+ may keep it under /usr/lib/sysimage/rpm only. */
static void test_sysimage(void **state)
{
	(void)state;
	make_pkgs();
	new_root();
	mk("usr");
	mk("usr/lib");
	mk("usr/lib/sysimage");
	mk("usr/lib/sysimage/rpm");
	write_db("usr/lib/sysimage/rpm/rpmdb.sqlite", blobs + 3, lens + 3, 1);
	struct bl_facts *f = open_root(root);
	const char *keys[] = {"openssh-server"};
	assert_pkg(bl_value_getz(resolve(f, false, keys, 1), "openssh-server"), true,
		   "0:8.7p1-38.el9", "x86_64");
	bl_facts_close(f);
	/* SQLite reads through the bl_sys ops table: an I/O error is an error value */
	f = open_root(root);
	bl_facts_sys(f)->ops = &eio_ops;
	assert_err(resolve(f, false, keys, 1), "/usr/lib/sysimage/rpm/rpmdb.sqlite: disk I/O error");
	bl_facts_close(f);
	rm_rf();
}

static void test_not_read(void **state)
{
	(void)state;
	const char *keys[] = {"bash"};
	/* BerkeleyDB and ndb: named, never "nothing installed" */
	new_root();
	char p[256];
	snprintf(p, sizeof p, "%s/var/lib/rpm/Packages", root);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("\x00\x06\x15\x61 berkeley", fp);
	fclose(fp);
	struct bl_facts *f = open_root(root);
	assert_err(resolve(f, false, keys, 1), "rpm BerkeleyDB databases are not supported");
	bl_facts_close(f);
	unlink(p);
	snprintf(p, sizeof p, "%s/var/lib/rpm/Packages.db", root);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
	f = open_root(root);
	assert_err(resolve(f, false, keys, 1), "rpm ndb databases are not supported");
	bl_facts_close(f);
	unlink(p);

	/* a symlink to a database outside the root resolves inside it: missing */
	make_pkgs();
	mk("etc");
	write_db("etc/secret.sqlite", blobs, lens, NPKG);
	char target[256];
	snprintf(target, sizeof target, "%s/etc/secret.sqlite", root);
	snprintf(p, sizeof p, "%s/var/lib/rpm/rpmdb.sqlite", root);
	assert_int_equal(symlink(target, p), 0);
	f = open_root(root);
	assert_err(resolve(f, false, keys, 1), "no package database found");
	bl_facts_close(f);
	unlink(p);
	/* a FIFO is never opened for reading */
	assert_int_equal(mkfifo(p, 0644), 0);
	f = open_root(root);
	assert_err(resolve(f, false, keys, 1),
		   "/var/lib/rpm/rpmdb.sqlite: is a fifo, not a regular file");
	bl_facts_close(f);
	unlink(p);
	/* a table that is not rpm's */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE Other (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f = open_root(root);
	assert_err(resolve(f, false, keys, 1),
		   "/var/lib/rpm/rpmdb.sqlite: no such table: Packages");
	bl_facts_close(f);
	rm_rf();

	f = open_root(FIX "hostsys-rpm");
	assert_err(resolve(f, false, keys, 1),
		   "/var/lib/rpm/rpmdb.sqlite: file is not a database");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_sysimage),
		cmocka_unit_test(test_not_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
