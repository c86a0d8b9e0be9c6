/*
 * test_file.c - the `file` namespace: metadata, owner names from the
 * root's passwd/group, hashes, CRLF and unterminated content, and hostile
 * paths (links out of the root, loops, FIFOs, a 2 GB sparse file, files
 * over the content limit, unreadable content).
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "facts/facts.h"

extern const struct bl_provider bl_provider_file;

#define FIX "tests/fixtures/hosts/hostcore-files"

static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	if (bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err) != 0)
		fail_msg("%s", err.msg);
	return f;
}

/* file[key] through the provider. */
static const struct bl_value *file_get(struct bl_facts *f, const char *key)
{
	const char *k[1] = {key};
	struct bl_fact_keys keys = {.keys = k, .n = 1};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_file.resolve(f, &keys, &v), 0);
	assert_int_equal(v->type, BL_VOBJ);
	assert_int_equal(v->u.obj.n, 1);
	assert_string_equal(v->u.obj.items[0].key, key);
	return &v->u.obj.items[0].val;
}

static void expect_str(const struct bl_value *o, const char *key, const char *want)
{
	const struct bl_value *v = bl_value_getz(o, key);
	if (!v)
		fail_msg("%s: absent", key);
	if (v->type != BL_VSTR)
		fail_msg("%s: type %d (%.*s), want \"%s\"", key, v->type,
			 (int)(v->type == BL_VERR ? v->u.str.len : 0), v->u.str.s, want);
	assert_int_equal(v->u.str.len, strlen(want));
	assert_memory_equal(v->u.str.s, want, strlen(want));
}

static void expect_err(const struct bl_value *o, const char *key, const char *why)
{
	const struct bl_value *v = bl_value_getz(o, key);
	if (!v)
		fail_msg("%s: absent", key);
	assert_int_equal(v->type, BL_VERR);
	if (v->u.str.len != strlen(why) || memcmp(v->u.str.s, why, v->u.str.len) != 0)
		fail_msg("%s: \"%.*s\", want \"%s\"", key, (int)v->u.str.len, v->u.str.s, why);
}

static void expect_num(const struct bl_value *o, const char *key, double want)
{
	const struct bl_value *v = bl_value_getz(o, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VNUM);
	assert_true(v->u.num.d == want);
}

static void expect_bool(const struct bl_value *o, const char *key, bool want)
{
	const struct bl_value *v = bl_value_getz(o, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VBOOL);
	assert_int_equal(v->b, want);
}

static void expect_null(const struct bl_value *o, const char *key)
{
	const struct bl_value *v = bl_value_getz(o, key);
	assert_non_null(v);
	assert_int_equal(v->type, BL_VNULL);
}

static void expect_lines(const struct bl_value *o, const char **want, size_t n)
{
	const struct bl_value *v = bl_value_getz(o, "lines");
	assert_non_null(v);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->u.arr.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v->u.arr.items[i].type, BL_VSTR);
		assert_int_equal(v->u.arr.items[i].u.str.len, strlen(want[i]));
		assert_memory_equal(v->u.arr.items[i].u.str.s, want[i], strlen(want[i]));
	}
}

/* ---- committed fixture --------------------------------------------------- */

static void test_crlf_no_trailing_newline(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX);
	const struct bl_value *o = file_get(f, "/etc/crlf.txt");
	static const char *const names[] = {"exists", "type", "mode", "uid", "gid", "owner",
					    "group", "size", "mtime", "sha256", "lines", "content"};
	assert_int_equal(o->u.obj.n, 12);
	for (size_t i = 0; i < 12; i++)
		assert_string_equal(o->u.obj.items[i].key, names[i]);
	expect_bool(o, "exists", true);
	expect_str(o, "type", "file");
	expect_num(o, "size", 37);
	expect_str(o, "sha256", "a487b5b4676c995ea22f6f28e4950a3c317dfbb0742212840919d4ac2f152de8");
	const char *want[] = {"first", "second", "", "last without newline"};
	expect_lines(o, want, 4);
	expect_str(o, "content", "first\r\nsecond\r\n\r\nlast without newline");

	o = file_get(f, "/etc/motd");
	const char *motd[] = {"one", "two"};
	expect_lines(o, motd, 2);
	expect_str(o, "sha256", "c3f9c8c283a2b1f2f1896f27a01cbe3cddc0c9d93f752e4639035a0f5b36f6e8");

	o = file_get(f, "/etc/empty");
	expect_lines(o, NULL, 0);
	expect_str(o, "content", "");
	expect_str(o, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_num(o, "size", 0);

	o = file_get(f, "/etc/cron.d");
	expect_str(o, "type", "dir");
	assert_null(bl_value_getz(o, "content"));
	assert_null(bl_value_getz(o, "sha256"));
	assert_null(bl_value_getz(o, "target"));

	/* Missing: exists false and nothing else. */
	o = file_get(f, "/etc/nothing/here");
	assert_int_equal(o->u.obj.n, 1);
	expect_bool(o, "exists", false);

	o = file_get(f, "etc/motd");
	assert_int_equal(o->type, BL_VERR);
	assert_string_equal(o->u.str.s, "etc/motd: not an absolute path");
	bl_facts_close(f);
}

/* ---- a hostile root built at run time ---------------------------------- */

static char ROOT[64];

static void path_of(char *p, size_t n, const char *rel)
{
	snprintf(p, n, "%s/%s", ROOT, rel);
}

static void put(const char *rel, const char *text)
{
	char p[256];
	path_of(p, sizeof p, rel);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void ln(const char *target, const char *rel)
{
	char p[256];
	path_of(p, sizeof p, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(ROOT, sizeof ROOT, "/tmp/bl_file_XXXXXX");
	if (!mkdtemp(ROOT))
		return -1;
	char p[256];
	path_of(p, sizeof p, "etc");
	mkdir(p, 0755);
	path_of(p, sizeof p, "a");
	mkdir(p, 0755);
	path_of(p, sizeof p, "a/b");
	mkdir(p, 0755);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/:/bin/sh\n"
			  "alice:x:1000:1000::/home/alice:/bin/sh");
	put("etc/group", "root:x:0:\r\nshadow:x:42:\r\nalice:x:1000:\r\n");
	put("etc/shadow", "root:*:19000:0:99999:7:::\n");
	put("suid", "#!/bin/sh\n");
	path_of(p, sizeof p, "suid");
	assert_int_equal(chown(p, 1000, 42), 0);   /* before chmod: chown clears setuid */
	assert_int_equal(chmod(p, 04750), 0);
	struct timespec ts[2] = {{1700000000, 0}, {1700000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
	put("nobody", "x");
	path_of(p, sizeof p, "nobody");
	assert_int_equal(chown(p, 4242, 4343), 0);
	ln("/etc/passwd", "abs_link");
	ln("../../../../etc/shadow", "a/b/escape");
	ln("loop_b", "loop_a");
	ln("loop_a", "loop_b");
	ln("/does/not/exist", "dangling");
	path_of(p, sizeof p, "fifo");
	mkfifo(p, 0600);
	ln("/fifo", "fifo_link");
	path_of(p, sizeof p, "sparse");
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)2147483648LL), 0);
	close(fd);
	/* 1.5 MiB: hashed, but lines/content not kept. */
	path_of(p, sizeof p, "big");
	FILE *fp = fopen(p, "w");
	for (int i = 0; i < 1536 * 1024 / 16; i++)
		fputs("0123456789abcde\n", fp);
	fclose(fp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(ROOT, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_metadata_and_owners(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT);
	const struct bl_value *o = file_get(f, "/suid");
	expect_str(o, "mode", "4750");
	expect_num(o, "uid", 1000);
	expect_num(o, "gid", 42);
	expect_str(o, "owner", "alice");
	expect_str(o, "group", "shadow");
	expect_num(o, "mtime", 1700000000);
	expect_num(o, "size", 10);

	o = file_get(f, "/etc/passwd");
	expect_str(o, "owner", "root");   /* the first entry for uid 0, not toor */
	expect_str(o, "group", "root");
	expect_str(o, "mode", "0644");

	o = file_get(f, "/nobody");
	expect_null(o, "owner");
	expect_null(o, "group");
	expect_num(o, "uid", 4242);
	bl_facts_close(f);
}

static void test_links(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT);
	/* An absolute link resolves inside the root. */
	const struct bl_value *o = file_get(f, "/abs_link");
	expect_str(o, "type", "link");
	expect_num(o, "size", 11);
	expect_str(o, "target", "/etc/passwd");
	const char *pw[] = {"root:x:0:0:root:/root:/bin/bash", "toor:x:0:0::/:/bin/sh",
			    "alice:x:1000:1000::/home/alice:/bin/sh"};
	expect_lines(o, pw, 3);
	assert_string_equal(o->u.obj.items[o->u.obj.n - 1].key, "target");

	o = file_get(f, "/a/b/escape");
	expect_str(o, "target", "../../../../etc/shadow");
	expect_str(o, "content", "root:*:19000:0:99999:7:::\n");

	o = file_get(f, "/loop_a");
	expect_bool(o, "exists", true);
	expect_str(o, "type", "link");
	expect_str(o, "target", "loop_b");
	expect_err(o, "sha256", "/loop_a: too many levels of symbolic links");
	expect_err(o, "content", "/loop_a: too many levels of symbolic links");
	expect_err(o, "lines", "/loop_a: too many levels of symbolic links");

	o = file_get(f, "/dangling");
	expect_str(o, "target", "/does/not/exist");
	assert_null(bl_value_getz(o, "content"));

	/* Through a link in the middle of the path, inside the root. */
	o = file_get(f, "/abs_link/x");
	assert_int_equal(o->u.obj.n, 1);
	expect_bool(o, "exists", false);
	bl_facts_close(f);
}

static void test_fifo_sparse_big(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT);
	time_t t0 = time(NULL);
	const struct bl_value *o = file_get(f, "/fifo");
	expect_str(o, "type", "fifo");
	expect_str(o, "mode", "0600");
	assert_null(bl_value_getz(o, "content"));
	o = file_get(f, "/fifo_link");
	expect_str(o, "type", "link");
	assert_null(bl_value_getz(o, "content"));

	o = file_get(f, "/sparse");
	expect_num(o, "size", 2147483648.0);
	expect_err(o, "sha256", "/sparse: file too large (2147483648 bytes, limit 16777216)");
	expect_err(o, "content", "/sparse: file too large (2147483648 bytes, limit 16777216)");
	assert_true(time(NULL) - t0 < 2);

	o = file_get(f, "/big");
	expect_num(o, "size", 1572864);
	expect_err(o, "lines", "file larger than 1 MiB: content not read");
	expect_err(o, "content", "file larger than 1 MiB: content not read");
	/* The hash is still there, and right. */
	char *buf = malloc(1572864);
	for (size_t i = 0; i < 1572864; i += 16)
		memcpy(buf + i, "0123456789abcde\n", 16);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, (unsigned char *)buf, 1572864);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	free(buf);
	expect_str(o, "sha256", hex);
	bl_facts_close(f);
}

/* EACCES for every read but /etc/group's (not for the O_PATH look), and
 * for every access to /etc/passwd. */
static int eacces_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (((flags & O_PATH) == 0 && strcmp(path, "etc/group") != 0) ||
	    strcmp(path, "etc/passwd") == 0) {
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
	struct bl_facts *f = open_root(ROOT);
	bl_facts_sys(f)->ops = &ops;
	const struct bl_value *o = file_get(f, "/suid");
	expect_bool(o, "exists", true);
	expect_str(o, "mode", "4750");
	expect_err(o, "owner", "/etc/passwd: permission denied");
	expect_str(o, "group", "shadow");
	expect_err(o, "sha256", "/suid: permission denied");
	expect_err(o, "lines", "/suid: permission denied");
	expect_err(o, "content", "/suid: permission denied");
	/* The path itself cannot be looked at: the whole object is the error. */
	o = file_get(f, "/etc/passwd");
	assert_int_equal(o->type, BL_VERR);
	assert_string_equal(o->u.str.s, "/etc/passwd: permission denied");
	bl_facts_close(f);
}

/* file[key] without the members in omit. */
static const struct bl_value *file_get_omit(struct bl_facts *f, const char *key, unsigned omit)
{
	const char *k[1] = {key};
	unsigned om[1] = {omit};
	struct bl_fact_keys keys = {.keys = k, .n = 1, .omit = om};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_file.resolve(f, &keys, &v), 0);
	assert_int_equal(v->u.obj.n, 1);
	return &v->u.obj.items[0].val;
}

/* Members a run does not read are left out, errors included, and a file
 * none of whose content is wanted is never opened. */
static void test_omit(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT);
	const struct bl_value *o = file_get_omit(f, "/big", BL_FILE_OMIT_ALL);
	static const char *const meta[] = {"exists", "type", "mode", "uid", "gid",
					   "owner", "group", "size", "mtime"};
	assert_int_equal(o->u.obj.n, 9);
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(o->u.obj.items[i].key, meta[i]);
	/* the hash alone, of a file over the content limit */
	o = file_get_omit(f, "/big", BL_FILE_OMIT_LINES | BL_FILE_OMIT_CONTENT);
	assert_int_equal(o->u.obj.n, 10);
	assert_int_equal(bl_value_getz(o, "sha256")->type, BL_VSTR);
	/* lines alone: its error, no hash */
	o = file_get_omit(f, "/big", BL_FILE_OMIT_SHA256 | BL_FILE_OMIT_CONTENT);
	assert_int_equal(o->u.obj.n, 10);
	expect_err(o, "lines", "file larger than 1 MiB: content not read");
	/* content alone, of a readable file */
	o = file_get_omit(f, "/a/b/escape", BL_FILE_OMIT_SHA256 | BL_FILE_OMIT_LINES);
	expect_str(o, "content", "root:*:19000:0:99999:7:::\n");
	assert_null(bl_value_getz(o, "lines"));
	assert_null(bl_value_getz(o, "sha256"));
	assert_string_equal(o->u.obj.items[o->u.obj.n - 1].key, "target");
	/* a link that cannot be followed: the error only where wanted */
	o = file_get_omit(f, "/loop_a", BL_FILE_OMIT_SHA256 | BL_FILE_OMIT_CONTENT);
	expect_err(o, "lines", "/loop_a: too many levels of symbolic links");
	assert_null(bl_value_getz(o, "sha256"));
	assert_null(bl_value_getz(o, "content"));
	expect_str(o, "target", "loop_b");
	bl_facts_close(f);

	/* every read refused: nothing wanted, nothing read, no error */
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = eacces_open;
	f = open_root(ROOT);
	bl_facts_sys(f)->ops = &ops;
	o = file_get_omit(f, "/suid", BL_FILE_OMIT_ALL);
	expect_str(o, "mode", "4750");
	assert_null(bl_value_getz(o, "sha256"));
	assert_null(bl_value_getz(o, "lines"));
	assert_null(bl_value_getz(o, "content"));
	o = file_get_omit(f, "/suid", BL_FILE_OMIT_LINES | BL_FILE_OMIT_CONTENT);
	expect_err(o, "sha256", "/suid: permission denied");
	assert_null(bl_value_getz(o, "lines"));
	bl_facts_close(f);
}

static void test_document_keys(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(ROOT);
	const struct bl_fact_request reqs[] = {
		{"file", 4, "/suid", 5, 0},
		{"File", 4, "/nobody", 7, 0},
		{"file", 4, "/suid", 5, 0},
	};
	const struct bl_value *doc;
	struct bl_error err;
	assert_int_equal(bl_facts_document(f, reqs, 3, &doc, &err), 0);
	const struct bl_value *fv = bl_value_getz(doc, "file");
	assert_non_null(fv);
	assert_int_equal(fv->u.obj.n, 2);
	assert_string_equal(fv->u.obj.items[0].key, "/suid");
	assert_string_equal(fv->u.obj.items[1].key, "/nobody");
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_no_trailing_newline),
		cmocka_unit_test(test_metadata_and_owners),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_fifo_sparse_big),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_document_keys),
		cmocka_unit_test(test_omit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
