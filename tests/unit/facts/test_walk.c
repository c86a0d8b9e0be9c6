/* Unit tests for facts/walk.c: the shared filesystem walk over a tree built
 * at run time in a mkdtemp() folder (modes, owners and FIFOs git cannot
 * hold): world-writable files, a directory without the sticky bit, an
 * unowned file (uid 4242), suid/sgid files, symlinks that must not be
 * followed, a symlink loop, an unreadable directory, and the caps. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "facts/facts.h"

extern const struct bl_provider bl_provider_walk;

static char root[64];

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(p, mode), 0);
}

static void dir(const char *rel, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static void link_(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int build_tree(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/hostsys-walk-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	dir("etc", 0755);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nbin:x:2:2::/:/bin/sh\n", 0644);
	put("etc/group", "root:x:0:\nbin:x:2:\n", 0644);
	dir("tmp", 01777);
	dir("data", 0777);                      /* world-writable, no sticky bit */
	put("data/ww.txt", "x", 0666);
	put("data/ok.txt", "x", 0644);
	dir("usr", 0755);
	dir("usr/bin", 0755);
	put("usr/bin/su", "#!", 04755);
	put("usr/bin/wall", "#!", 02755);
	dir("home", 0755);
	put("home/orphan.txt", "x", 0644);
	char p[256];
	snprintf(p, sizeof p, "%s/home/orphan.txt", root);
	assert_int_equal(chown(p, 4242, 4242), 0);
	snprintf(p, sizeof p, "%s/home/fifo", root);
	assert_int_equal(mkfifo(p, 0666), 0);
	assert_int_equal(chmod(p, 0666), 0);   /* world-writable, but not a file */
	link_("data/ww.txt", "link-to-ww");    /* never followed */
	link_("/data", "dirlink");
	dir("loop", 0755);
	link_("b", "loop/a");
	link_("a", "loop/b");
	dir("proc", 0755);                     /* skipped under --root */
	put("proc/evil", "x", 0666);
	dir("locked", 0755);
	put("locked/hidden", "x", 04755);      /* behind the injected EACCES */
	dir("var", 0755);
	dir("var/deep", 0755);
	dir("var/deep/er", 0777);               /* level 3: walked inside a task */
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_tree(void **state)
{
	(void)state;
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int deny_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	const char *slash = strrchr(path, '/');
	if (strcmp(slash ? slash + 1 : path, "locked") == 0) {
		errno = EACCES;
		return -1;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static struct bl_facts *open_root(uint64_t max_entries, double max_seconds)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	int rc = bl_facts_open(&f, &(struct bl_facts_opts){.root = root,
				     .walk_max_entries = max_entries,
				     .walk_max_seconds = max_seconds}, &err);
	if (rc != 0)
		fail_msg("bl_facts_open: %s", err.msg);
	return f;
}

static const struct bl_value *walk(struct bl_facts *f)
{
	struct bl_fact_keys k = {.all = true};
	const struct bl_value *v = NULL;
	assert_int_equal(bl_provider_walk.resolve(f, &k, &v), 0);
	assert_non_null(v);
	return v;
}

/* The paths of list key, comma-separated. */
static void paths(const struct bl_value *v, const char *key, const char *want)
{
	const struct bl_value *a = bl_value_getz(v, key);
	assert_non_null(a);
	if (a->type != BL_VARR)
		fail_msg("%s: not an array (type %d)", key, a->type);
	char buf[1024] = "";
	size_t len = 0;
	for (uint32_t i = 0; i < a->u.arr.n; i++) {
		const struct bl_value *e = &a->u.arr.items[i];
		size_t n;
		const char *s = e->type == BL_VSTR ? e->u.str.s : bl_value_strz(e, "path", &n);
		if (e->type == BL_VSTR)
			n = e->u.str.len;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.*s", i ? "," : "", (int)n, s);
	}
	assert_string_equal(buf, want);
}

static void test_walk(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(0, 0);
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = deny_open;
	bl_facts_sys(f)->ops = &ops;
	const struct bl_value *v = walk(f);
	assert_int_equal(v->type, BL_VOBJ);
	paths(v, "world_writable", "/data,/data/ww.txt,/tmp,/var/deep/er");
	paths(v, "sticky_missing", "/data,/var/deep/er");
	paths(v, "unowned", "/home/orphan.txt");
	paths(v, "suid", "/usr/bin/su");
	paths(v, "sgid", "/usr/bin/wall");
	paths(v, "unreadable_paths", "/locked");
	assert_int_equal((int)bl_value_getz(v, "unreadable")->u.num.d, 1);
	bl_facts_close(f);
}

static void test_object(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(0, 0);
	const struct bl_value *v = walk(f);
	const struct bl_value *e = &bl_value_getz(v, "unowned")->u.arr.items[0];
	size_t n;
	const char *s = bl_value_strz(e, "mode", &n);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "0644", 4);
	s = bl_value_strz(e, "type", &n);
	assert_memory_equal(s, "file", 4);
	assert_int_equal((int)bl_value_getz(e, "uid")->u.num.d, 4242);
	assert_int_equal((int)bl_value_getz(e, "gid")->u.num.d, 4242);
	assert_int_equal(bl_value_getz(e, "owner")->type, BL_VNULL);
	assert_int_equal(bl_value_getz(e, "group")->type, BL_VNULL);
	assert_int_equal((int)bl_value_getz(e, "size")->u.num.d, 1);
	e = &bl_value_getz(v, "suid")->u.arr.items[0];
	s = bl_value_strz(e, "mode", &n);
	assert_memory_equal(s, "4755", 4);
	s = bl_value_strz(e, "owner", &n);
	assert_memory_equal(s, "root", 4);
	/* without the injected failure, locked/hidden is found */
	paths(v, "suid", "/locked/hidden,/usr/bin/su");
	assert_int_equal((int)bl_value_getz(v, "unreadable")->u.num.d, 0);
	bl_facts_close(f);
}

static void test_caps(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(3, 0);
	const struct bl_value *v = walk(f);
	assert_int_equal(v->type, BL_VERR);
	const char *pre = "filesystem walk stopped after ";
	const char *suf = " entries (cap of 3 entries)";
	assert_true(v->u.str.len > strlen(pre) + strlen(suf));
	assert_memory_equal(v->u.str.s, pre, strlen(pre));
	assert_memory_equal(v->u.str.s + v->u.str.len - strlen(suf), suf, strlen(suf));
	bl_facts_close(f);
	f = open_root(0, 1e-9);
	v = walk(f);
	assert_int_equal(v->type, BL_VERR);
	suf = " entries (cap of 1e-09 seconds)";
	assert_memory_equal(v->u.str.s + v->u.str.len - strlen(suf), suf, strlen(suf));
	bl_facts_close(f);
}

/* More than 10,000 world-writable files: that list is an error, not a cut. */
static void test_list_cap(void **state)
{
	(void)state;
	dir("many", 0755);
	char rel[64];
	for (int i = 0; i < 10001; i++) {
		snprintf(rel, sizeof rel, "many/f%05d", i);
		put(rel, "", 0666);
	}
	struct bl_facts *f = open_root(0, 0);
	const struct bl_value *v = walk(f);
	const struct bl_value *ww = bl_value_getz(v, "world_writable");
	assert_int_equal(ww->type, BL_VERR);
	const char *want = "10005 entries, more than the 10000 a list holds";
	assert_int_equal(ww->u.str.len, strlen(want));
	assert_memory_equal(ww->u.str.s, want, strlen(want));
	paths(v, "suid", "/locked/hidden,/usr/bin/su");   /* other lists unaffected */
	bl_facts_close(f);
}

/* Without /etc/passwd, unowned cannot be told: an error, not everything. */
static void test_no_passwd(void **state)
{
	(void)state;
	char p[256];
	snprintf(p, sizeof p, "%s/etc/passwd", root);
	char q[256];
	snprintf(q, sizeof q, "%s/etc/passwd.away", root);
	assert_int_equal(rename(p, q), 0);
	struct bl_facts *f = open_root(0, 0);
	const struct bl_value *v = walk(f);
	const struct bl_value *u = bl_value_getz(v, "unowned");
	assert_int_equal(u->type, BL_VERR);
	const char *want = "/etc/passwd: no such file or directory";
	assert_int_equal(u->u.str.len, strlen(want));
	assert_memory_equal(u->u.str.s, want, strlen(want));
	bl_facts_close(f);
	assert_int_equal(rename(q, p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_no_passwd),
		cmocka_unit_test(test_list_cap),
	};
	return cmocka_run_group_tests(tests, build_tree, remove_tree);
}
