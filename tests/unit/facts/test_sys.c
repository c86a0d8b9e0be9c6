/*
 * test_sys.c - rooted host access: links that try to leave the root, loops,
 * FIFOs, huge sparse files, directory listing and globbing, and injected
 * faults (EACCES, EIO, ENOENT between stat and open, short reads, EINTR),
 * each run with openat2 and with the manual walk that replaces it.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "facts/sys.h"


/* ---- a hostile root built at run time ---------------------------------- */

struct troot {
	char dir[64];
};

static void put(const char *root, const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void mk(const char *root, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *root, const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int troot_setup(void **state)
{
	struct troot *t = calloc(1, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/bl_sys_XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	const char *r = t->dir;
	mk(r, "etc");
	put(r, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	put(r, "etc/shadow", "fake shadow\n");
	mk(r, "sub");
	mk(r, "sub/deep");
	ln(r, "/etc/passwd", "abs_passwd");
	ln(r, "../../../../etc/shadow", "sub/deep/escape");
	ln(r, "../../../../../../..", "sub/up");
	ln(r, "loop_b", "loop_a");
	ln(r, "loop_a", "loop_b");
	ln(r, "/etc", "etclink");
	char p[512];
	snprintf(p, sizeof p, "%s/fifo", r);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof p, "%s/sparse", r);
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)2147483648LL), 0);
	close(fd);
	mk(r, "g");
	put(r, "g/b.conf", "b");
	put(r, "g/a.conf", "a");
	put(r, "g/.hidden.conf", "h");
	put(r, "g/c.txt", "c");
	mk(r, "g/sub1");
	mk(r, "g/sub2");
	put(r, "g/sub2/x.conf", "x");
	put(r, "g/sub1/x.conf", "x");
	*state = t;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int troot_teardown(void **state)
{
	struct troot *t = *state;
	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static const struct bl_sys_ops walk_ops = {
	.open_in_root = bl_sys_open_in_root_walk,
	.read = read,
	.fstat = fstat,
	.close = close,
	.readlinkat = readlinkat,
	.fdopendir = fdopendir,
	.readdir = readdir,
	.closedir = closedir,
};

static void open_root(struct bl_sys *s, const char *dir, bool walk)
{
	struct bl_error err;
	assert_int_equal(bl_sys_open(s, dir, &err), 0);
	if (walk)
		s->ops = &walk_ops;
}

static void read_expect(struct bl_sys *s, const char *path, const char *want)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	char *data = NULL;
	size_t len = 0;
	bool missing = true;
	int rc = bl_sys_read(s, path, &a, &data, &len, NULL, &missing, &err);
	if (rc != 0)
		fail_msg("%s: %s", path, err.msg);
	assert_false(missing);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	bl_arena_free(&a);
}

static void read_fail(struct bl_sys *s, const char *path, int code, const char *msg)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	char *data = NULL;
	size_t len = 0;
	bool missing = false;
	assert_int_equal(bl_sys_read(s, path, &a, &data, &len, NULL, &missing, &err), code);
	assert_string_equal(err.msg, msg);
	assert_null(data);
	bl_arena_free(&a);
}

static void resolution(void **state, bool walk)
{
	struct troot *t = *state;
	struct bl_sys s;
	open_root(&s, t->dir, walk);
	assert_false(s.live);
	/* An absolute link is relative to the root, as under chroot. */
	read_expect(&s, "/abs_passwd", "root:x:0:0:root:/root:/bin/sh\n");
	/* ".." stops at the root. */
	read_expect(&s, "/sub/deep/escape", "fake shadow\n");
	read_expect(&s, "/sub/up/etc/shadow", "fake shadow\n");
	read_expect(&s, "/../../etc/shadow", "fake shadow\n");
	read_expect(&s, "/etclink/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	read_expect(&s, "etc//./passwd", "root:x:0:0:root:/root:/bin/sh\n");
	read_fail(&s, "/loop_a", BL_EIO, "/loop_a: too many levels of symbolic links");
	read_fail(&s, "/etc/passwd/x", BL_EIO, "/etc/passwd/x: not a directory");
	read_fail(&s, "/etc", BL_EINVAL, "/etc: is a directory, not a regular file");

	/* A FIFO is refused at once, never opened for reading. */
	time_t t0 = time(NULL);
	read_fail(&s, "/fifo", BL_EINVAL, "/fifo: is a fifo, not a regular file");
	/* A 2 GB sparse file is refused by its size. */
	read_fail(&s, "/sparse", BL_ELIMIT,
		  "/sparse: file too large (2147483648 bytes, limit 16777216)");
	assert_true(time(NULL) - t0 < 2);

	/* Missing is flagged. */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	char *data;
	size_t len;
	bool missing = false;
	assert_int_equal(bl_sys_read(&s, "/nope", &a, &data, &len, NULL, &missing, &err), BL_EIO);
	assert_true(missing);
	assert_string_equal(err.msg, "/nope: no such file or directory");

	/* stat: lstat semantics unless followed. */
	struct bl_sys_stat st;
	assert_int_equal(bl_sys_stat(&s, "/abs_passwd", false, &st, &err), 0);
	assert_true(st.exists);
	assert_string_equal(st.type, "link");
	assert_int_equal(bl_sys_stat(&s, "/abs_passwd", true, &st, &err), 0);
	assert_string_equal(st.type, "file");
	assert_int_equal(st.size, 30);
	assert_int_equal(bl_sys_stat(&s, "/fifo", true, &st, &err), 0);
	assert_string_equal(st.type, "fifo");
	assert_int_equal(st.mode, 0600);
	assert_int_equal(bl_sys_stat(&s, "/sparse", false, &st, &err), 0);
	assert_int_equal(st.size, 2147483648ULL);
	assert_int_equal(bl_sys_stat(&s, "/nope/deeper", false, &st, &err), 0);
	assert_false(st.exists);
	assert_int_equal(bl_sys_stat(&s, "/loop_a", true, &st, &err), BL_EIO);
	assert_string_equal(err.msg, "/loop_a: too many levels of symbolic links");
	assert_int_equal(bl_sys_stat(&s, "/loop_a", false, &st, &err), 0);
	assert_string_equal(st.type, "link");
	assert_int_equal(bl_sys_stat(&s, "/", false, &st, &err), 0);
	assert_string_equal(st.type, "dir");

	/* readlink: the raw target, through links in the parent inside the root. */
	char *target;
	assert_int_equal(bl_sys_readlink(&s, "/sub/deep/escape", &a, &target, &err), 0);
	assert_string_equal(target, "../../../../etc/shadow");
	assert_int_equal(bl_sys_readlink(&s, "/abs_passwd", &a, &target, &err), 0);
	assert_string_equal(target, "/etc/passwd");
	assert_int_equal(bl_sys_readlink(&s, "/etc/passwd", &a, &target, &err), BL_EIO);
	assert_string_equal(err.msg, "/etc/passwd: invalid argument");

	/* list: sorted, without . and .. */
	char **names;
	size_t n;
	assert_int_equal(bl_sys_list(&s, "/g", &a, &names, &n, &missing, &err), 0);
	assert_false(missing);
	assert_int_equal(n, 6);
	assert_string_equal(names[0], ".hidden.conf");
	assert_string_equal(names[1], "a.conf");
	assert_string_equal(names[2], "b.conf");
	assert_string_equal(names[3], "c.txt");
	assert_string_equal(names[4], "sub1");
	assert_string_equal(names[5], "sub2");
	assert_int_equal(bl_sys_list(&s, "/nodir", &a, &names, &n, &missing, &err), 0);
	assert_true(missing);
	assert_int_equal(n, 0);
	assert_int_equal(bl_sys_list(&s, "/etc/passwd", &a, &names, &n, &missing, &err), BL_EIO);
	assert_string_equal(err.msg, "/etc/passwd: not a directory");
	assert_int_equal(bl_sys_list(&s, "/loop_a", &a, &names, &n, &missing, &err), BL_EIO);

	/* glob */
	size_t unread = 9;
	assert_int_equal(bl_sys_glob(&s, "/g/*.conf", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(unread, 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "/g/a.conf");
	assert_string_equal(names[1], "/g/b.conf");
	assert_int_equal(bl_sys_glob(&s, "/g/*/x.conf", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "/g/sub1/x.conf");
	assert_string_equal(names[1], "/g/sub2/x.conf");
	assert_int_equal(bl_sys_glob(&s, "/g/[ab].*", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bl_sys_glob(&s, "/g/.h*", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "/g/.hidden.conf");
	assert_int_equal(bl_sys_glob(&s, "/etc/passwd", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "/etc/passwd");
	assert_int_equal(bl_sys_glob(&s, "/etc/nothing", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bl_sys_glob(&s, "/nodir/*", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(unread, 0);
	assert_int_equal(bl_sys_glob(&s, "/etclink/pass*", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "/etclink/passwd");
	assert_int_equal(bl_sys_glob(&s, "g/*", &a, &names, &n, &unread, &err), BL_EINVAL);
	assert_string_equal(err.msg, "g/*: not an absolute path");

	bl_arena_free(&a);
	bl_sys_close(&s);
}

static void test_resolution_openat2(void **state) { resolution(state, false); }
static void test_resolution_walk(void **state) { resolution(state, true); }

static void test_live_root(void **state)
{
	(void)state;
	struct bl_sys s;
	struct bl_error err;
	assert_int_equal(bl_sys_open(&s, "/", &err), 0);
	assert_true(s.live);
	assert_string_equal(s.root, "/");
	struct bl_sys_stat st;
	assert_int_equal(bl_sys_stat(&s, "/proc/self", false, &st, &err), 0);
	assert_string_equal(st.type, "link");
	/* A magic link can be read (not followed). */
	struct bl_arena la;
	bl_arena_init(&la, 0);
	char *target;
	assert_int_equal(bl_sys_readlink(&s, "/proc/self/exe", &la, &target, &err), 0);
	assert_true(target[0] == '/');
	bl_arena_free(&la);
	/* /proc files report size 0 and are read to their end all the same. */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	char *data;
	size_t len;
	bool missing;
	assert_int_equal(bl_sys_read(&s, "/proc/sys/kernel/ostype", &a, &data, &len, NULL, &missing,
				     &err), 0);
	assert_string_equal(data, "Linux\n");
	/* A device is never opened for reading. */
	assert_int_equal(bl_sys_read(&s, "/dev/zero", &a, &data, &len, NULL, &missing, &err),
			 BL_EINVAL);
	assert_string_equal(err.msg, "/dev/zero: is a character device, not a regular file");
	bl_arena_free(&a);
	bl_sys_close(&s);
	assert_int_equal(bl_sys_open(&s, "//", &err), 0);
	assert_true(s.live);
	bl_sys_close(&s);
	assert_int_equal(bl_sys_open(&s, "/no/such/root", &err), BL_EIO);
	assert_string_equal(err.msg, "/no/such/root: no such file or directory");
}

static void test_read_cap(void **state)
{
	struct troot *t = *state;
	struct bl_sys s;
	open_root(&s, t->dir, false);
	s.max_file = 10;
	read_fail(&s, "/etc/passwd", BL_ELIMIT, "/etc/passwd: file too large (30 bytes, limit 10)");
	s.max_file = 30;
	read_expect(&s, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	bl_sys_close(&s);
}

static void test_glob_cap(void **state)
{
	struct troot *t = *state;
	char p[512];
	snprintf(p, sizeof p, "%s/many", t->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int i = 0; i <= 100000; i++) {
		snprintf(p, sizeof p, "%s/many/f%06d", t->dir, i);
		int fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	struct bl_sys s;
	open_root(&s, t->dir, false);
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	char **names;
	size_t n, unread;
	assert_int_equal(bl_sys_glob(&s, "/many/f*", &a, &names, &n, &unread, &err), BL_ELIMIT);
	assert_string_equal(err.msg, "/many/f*: more than 100000 matches");
	assert_int_equal(bl_sys_glob(&s, "/many/f09999?", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 10);
	assert_string_equal(names[0], "/many/f099990");
	assert_string_equal(names[9], "/many/f099999");
	bl_arena_free(&a);
	bl_sys_close(&s);
}

/* ---- fault injection --------------------------------------------------- */

struct faults {
	int open_errno;         /* every open fails with it */
	int open_errno_nth;     /* ...or only the nth (1-based) open */
	int read_errno;         /* every read fails with it */
	size_t read_max;        /* short reads: at most this many bytes */
	int eintr_every;        /* every other read is EINTR */
	int opens, reads;
};
static struct faults F;

static int f_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	F.opens++;
	if (F.open_errno || (F.open_errno_nth && F.opens == F.open_errno_nth)) {
		errno = F.open_errno ? F.open_errno : ENOENT;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static ssize_t f_read(int fd, void *buf, size_t n)
{
	F.reads++;
	if (F.read_errno) {
		errno = F.read_errno;
		return -1;
	}
	if (F.eintr_every && F.reads % 2 == 1) {
		errno = EINTR;
		return -1;
	}
	if (F.read_max && n > F.read_max)
		n = F.read_max;
	return read(fd, buf, n);
}

static const struct bl_sys_ops fault_ops = {
	.open_in_root = f_open,
	.read = f_read,
	.fstat = fstat,
	.close = close,
	.readlinkat = readlinkat,
	.fdopendir = fdopendir,
	.readdir = readdir,
	.closedir = closedir,
};

static void test_faults(void **state)
{
	struct troot *t = *state;
	struct bl_sys s;
	open_root(&s, t->dir, false);
	s.ops = &fault_ops;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	char *data;
	size_t len;
	bool missing;

	memset(&F, 0, sizeof F);
	F.open_errno = EACCES;
	read_fail(&s, "/etc/shadow", BL_EIO, "/etc/shadow: permission denied");
	struct bl_sys_stat st;
	assert_int_equal(bl_sys_stat(&s, "/etc/shadow", false, &st, &err), BL_EIO);
	assert_string_equal(err.msg, "/etc/shadow: permission denied");
	char **names;
	size_t n, unread;
	assert_int_equal(bl_sys_list(&s, "/g", &a, &names, &n, &missing, &err), BL_EIO);
	assert_string_equal(err.msg, "/g: permission denied");
	assert_int_equal(bl_sys_glob(&s, "/g/*", &a, &names, &n, &unread, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(unread, 1);

	memset(&F, 0, sizeof F);
	F.read_errno = EIO;
	read_fail(&s, "/etc/shadow", BL_EIO, "/etc/shadow: input/output error");

	/* The file vanishes between the look (O_PATH) and the open for reading. */
	memset(&F, 0, sizeof F);
	F.open_errno_nth = 2;
	missing = false;
	assert_int_equal(bl_sys_read(&s, "/etc/shadow", &a, &data, &len, NULL, &missing, &err),
			 BL_EIO);
	assert_true(missing);
	assert_string_equal(err.msg, "/etc/shadow: no such file or directory");

	memset(&F, 0, sizeof F);
	F.read_max = 1;
	read_expect(&s, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	assert_int_equal(F.reads, 31);

	memset(&F, 0, sizeof F);
	F.eintr_every = 1;
	F.read_max = 7;
	read_expect(&s, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");

	bl_arena_free(&a);
	bl_sys_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolution_openat2),
		cmocka_unit_test(test_resolution_walk),
		cmocka_unit_test(test_live_root),
		cmocka_unit_test(test_read_cap),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_glob_cap),
	};
	return cmocka_run_group_tests(tests, troot_setup, troot_teardown);
}
