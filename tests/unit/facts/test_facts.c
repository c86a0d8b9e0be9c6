/*
 * test_facts.c - the facts context: opening roots, the value builders,
 * error and not-available values, bl_facts_document's grouping, caching
 * and merging of keyed namespaces, and the host id.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "facts/facts.h"

#define FIX "tests/fixtures/hosts/hostcore-files"


static struct bl_facts *open_root(const char *root)
{
	struct bl_facts *f = NULL;
	struct bl_error err;
	if (bl_facts_open(&f, &(struct bl_facts_opts){.root = root}, &err) != 0)
		fail_msg("%s", err.msg);
	return f;
}

static void test_open(void **state)
{
	(void)state;
	struct bl_facts *f = NULL;
	struct bl_error err;
	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = "/no/such/dir"}, &err),
			 BL_EIO);
	assert_null(f);
	assert_string_equal(err.msg, "/no/such/dir: no such file or directory");
	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = FIX "/etc/motd"}, &err),
			 BL_EIO);
	assert_string_equal(err.msg, FIX "/etc/motd: not a directory");

	assert_int_equal(bl_facts_open(&f, NULL, &err), 0);
	assert_true(bl_facts_live(f));
	assert_int_equal(bl_facts_options(f)->max_file, 16u * 1024 * 1024);
	assert_int_equal(bl_facts_options(f)->walk_max_entries, 5000000);
	assert_true(bl_facts_options(f)->walk_max_seconds == 300);
	assert_string_equal(bl_facts_options(f)->root, "/");
	bl_facts_close(f);

	f = open_root(FIX);
	assert_false(bl_facts_live(f));
	assert_string_equal(bl_facts_sys(f)->root, FIX);
	bl_facts_close(f);
	bl_facts_close(NULL);

	assert_int_equal(bl_facts_open(&f, &(struct bl_facts_opts){.root = FIX, .max_file = 10},
				       &err), 0);
	assert_int_equal(bl_facts_sys(f)->max_file, 10);
	bl_facts_close(f);
}

static void test_builders(void **state)
{
	(void)state;
	struct bl_facts *f = open_root(FIX);
	struct bl_arena *a = bl_facts_arena(f);
	struct bl_obj_builder b;
	bl_ob_init(&b, a);
	bl_ob_str(&b, "s", "abcdef", 3);
	bl_ob_strz(&b, "z", "zed");
	bl_ob_strz(&b, "n", NULL);
	bl_ob_int(&b, "i", -42);
	bl_ob_bool(&b, "b", true);
	struct bl_arr_builder ab;
	bl_ab_init(&ab, a);
	for (int i = 0; i < 20; i++)   /* past the first growth */
		bl_ab_add(&ab, bl_value_new_num(a, i));
	bl_ob_add(&b, "arr", bl_ab_finish(&ab));
	bl_ob_add(&b, "err", bl_facts_error(f, "%s: %d", "x", 7));
	bl_ob_add(&b, "na", bl_facts_na_live(f));
	struct bl_value *o = bl_ob_finish(&b);
	assert_non_null(o);
	assert_int_equal(o->u.obj.n, 8);
	struct bl_buf out;
	bl_buf_init(&out, 0);
	assert_int_equal(bl_value_to_text(bl_value_getz(o, "s"), &out), 0);
	assert_string_equal(out.data, "abc");
	bl_buf_free(&out);
	assert_int_equal(bl_value_getz(o, "n")->type, BL_VNULL);
	const struct bl_value *i = bl_value_getz(o, "i");
	assert_true(i->u.num.d == -42);
	assert_true(i->flags & BL_VF_INT);
	assert_true(bl_value_getz(o, "b")->b);
	const struct bl_value *arr = bl_value_getz(o, "arr");
	assert_int_equal(arr->u.arr.n, 20);
	assert_true(arr->u.arr.items[19].u.num.d == 19);
	const struct bl_value *e = bl_value_getz(o, "err");
	assert_int_equal(e->type, BL_VERR);
	assert_string_equal(e->u.str.s, "x: 7");
	const struct bl_value *na = bl_value_getz(o, "na");
	assert_int_equal(na->type, BL_VNA);
	assert_string_equal(na->u.str.s, "live-only fact: not available with --root " FIX);

	/* A NULL value (a failed allocation upstream) fails the whole object. */
	bl_ob_init(&b, a);
	bl_ob_int(&b, "ok", 1);
	bl_ob_add(&b, "bad", NULL);
	bl_ob_int(&b, "after", 2);
	assert_null(bl_ob_finish(&b));
	bl_ab_init(&ab, a);
	bl_ab_add(&ab, NULL);
	assert_null(bl_ab_finish(&ab));

	/* Empty builders make empty containers. */
	bl_ob_init(&b, a);
	o = bl_ob_finish(&b);
	assert_int_equal(o->type, BL_VOBJ);
	assert_int_equal(o->u.obj.n, 0);

	void **s1 = bl_facts_slot(f, "one");
	assert_non_null(s1);
	assert_null(*s1);
	*s1 = f;
	assert_ptr_equal(bl_facts_slot(f, "two") != s1, true);
	assert_ptr_equal(*bl_facts_slot(f, "one"), f);
	bl_facts_close(f);
}

/* Counts opens for reading per path, to see what a second request re-reads. */
static int motd_opens, crlf_opens;

static int counting_open(int rootfd, const char *path, int flags, bool nofollow_last)
{
	if (!(flags & O_PATH)) {
		motd_opens += strcmp(path, "etc/motd") == 0;
		crlf_opens += strcmp(path, "etc/crlf.txt") == 0;
	}
	return bl_sys_default_ops.open_in_root(rootfd, path, flags, nofollow_last);
}

static void test_document(void **state)
{
	(void)state;
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = counting_open;
	struct bl_facts *f = open_root(FIX);
	bl_facts_sys(f)->ops = &ops;
	motd_opens = crlf_opens = 0;
	const struct bl_fact_request r1[] = {
		{"file", 4, "/etc/motd", 9, 0},
		{"OS", 2, NULL, 0, 0},
		{"nope", 4, NULL, 0, 0},
		{"FILE", 4, "/etc/empty", 10, 0},
		{"os", 2, NULL, 0, 0},
	};
	const struct bl_value *doc;
	struct bl_error err;
	assert_int_equal(bl_facts_document(f, r1, 5, &doc, &err), 0);
	assert_int_equal(doc->type, BL_VOBJ);
	assert_int_equal(doc->u.obj.n, 2);
	assert_string_equal(doc->u.obj.items[0].key, "file");
	assert_string_equal(doc->u.obj.items[1].key, "os");
	const struct bl_value *fv = &doc->u.obj.items[0].val;
	assert_int_equal(fv->u.obj.n, 2);
	assert_string_equal(fv->u.obj.items[0].key, "/etc/motd");
	assert_string_equal(fv->u.obj.items[1].key, "/etc/empty");
	assert_int_equal(motd_opens, 1);

	/* A second document: cached keys are not read again, new ones merged. */
	const struct bl_fact_request r2[] = {
		{"file", 4, "/etc/crlf.txt", 13, 0},
		{"file", 4, "/etc/motd", 9, 0},
	};
	assert_int_equal(bl_facts_document(f, r2, 2, &doc, &err), 0);
	assert_int_equal(doc->u.obj.n, 1);
	fv = bl_value_getz(doc, "file");
	assert_int_equal(fv->u.obj.n, 3);
	assert_string_equal(fv->u.obj.items[2].key, "/etc/crlf.txt");
	assert_int_equal(motd_opens, 1);
	assert_int_equal(crlf_opens, 1);
	/* The unkeyed namespace is the cached value itself. */
	const struct bl_value *os1 = bl_value_getz(doc, "os");
	assert_null(os1);
	const struct bl_fact_request r3[] = {{"os", 2, NULL, 0, 0}, {"file", 4, "/etc/motd", 9, 0}};
	assert_int_equal(bl_facts_document(f, r3, 2, &doc, &err), 0);
	assert_string_equal(doc->u.obj.items[0].key, "os");
	assert_int_equal(motd_opens, 1);

	/* "Every key" of a namespace that cannot enumerate, then a key. */
	bl_facts_close(f);
	f = open_root(FIX);
	const struct bl_fact_request r4[] = {{"files", 5, NULL, 0, 0}};
	assert_int_equal(bl_facts_document(f, r4, 1, &doc, &err), 0);
	assert_int_equal(bl_value_getz(doc, "files")->u.obj.n, 0);
	const struct bl_fact_request r5[] = {{"files", 5, "/etc/m*", 7, 0}, {"files", 5, NULL, 0, 0}};
	assert_int_equal(bl_facts_document(f, r5, 2, &doc, &err), 0);
	fv = bl_value_getz(doc, "files");
	assert_int_equal(fv->u.obj.n, 1);
	assert_string_equal(fv->u.obj.items[0].key, "/etc/m*");
	assert_int_equal(fv->u.obj.items[0].val.u.arr.n, 1);

	/* Nothing requested: an empty document. */
	assert_int_equal(bl_facts_document(f, NULL, 0, &doc, &err), 0);
	assert_int_equal(doc->u.obj.n, 0);
	bl_facts_close(f);
}

/* Requests that say which costly members they skip: a file nobody reads the
 * content of is not opened; a later request that needs more resolves the
 * key again, in place; requests for one key need what either needs. */
static void test_document_omit(void **state)
{
	(void)state;
	struct bl_sys_ops ops = bl_sys_default_ops;
	ops.open_in_root = counting_open;
	struct bl_facts *f = open_root(FIX);
	bl_facts_sys(f)->ops = &ops;
	motd_opens = crlf_opens = 0;
	const struct bl_fact_request r1[] = {
		{"file", 4, "/etc/motd", 9, BL_FILE_OMIT_ALL},
		{"file", 4, "/etc/crlf.txt", 13, BL_FILE_OMIT_ALL},
		{"file", 4, "/etc/crlf.txt", 13, BL_FILE_OMIT_ALL & ~BL_FILE_OMIT_LINES},
	};
	const struct bl_value *doc;
	struct bl_error err;
	assert_int_equal(bl_facts_document(f, r1, 3, &doc, &err), 0);
	const struct bl_value *fv = bl_value_getz(doc, "file");
	const struct bl_value *motd = bl_value_getz(fv, "/etc/motd");
	assert_non_null(bl_value_getz(motd, "mode"));
	assert_null(bl_value_getz(motd, "sha256"));
	assert_null(bl_value_getz(motd, "lines"));
	assert_null(bl_value_getz(motd, "content"));
	assert_int_equal(motd_opens, 0);
	const struct bl_value *crlf = bl_value_getz(fv, "/etc/crlf.txt");
	assert_non_null(bl_value_getz(crlf, "lines"));
	assert_null(bl_value_getz(crlf, "sha256"));
	assert_null(bl_value_getz(crlf, "content"));
	assert_int_equal(crlf_opens, 1);

	/* the same request again: served from the cache */
	assert_int_equal(bl_facts_document(f, r1, 1, &doc, &err), 0);
	assert_int_equal(motd_opens, 0);
	/* now the hash is needed: read once more, same place in the object */
	const struct bl_fact_request r2[] = {
		{"file", 4, "/etc/motd", 9, BL_FILE_OMIT_ALL & ~BL_FILE_OMIT_SHA256},
	};
	assert_int_equal(bl_facts_document(f, r2, 1, &doc, &err), 0);
	assert_int_equal(motd_opens, 1);
	fv = bl_value_getz(doc, "file");
	assert_int_equal(fv->u.obj.n, 2);
	assert_string_equal(fv->u.obj.items[0].key, "/etc/motd");
	motd = &fv->u.obj.items[0].val;
	assert_non_null(bl_value_getz(motd, "sha256"));
	assert_null(bl_value_getz(motd, "content"));
	/* everything (a reader that does not say): read again, whole */
	const struct bl_fact_request r3[] = {{"file", 4, "/etc/motd", 9, 0}};
	assert_int_equal(bl_facts_document(f, r3, 1, &doc, &err), 0);
	assert_int_equal(motd_opens, 2);
	motd = bl_value_getz(bl_value_getz(doc, "file"), "/etc/motd");
	assert_non_null(bl_value_getz(motd, "sha256"));
	assert_non_null(bl_value_getz(motd, "lines"));
	assert_non_null(bl_value_getz(motd, "content"));
	/* and from then on nothing is read again, whatever is left out */
	assert_int_equal(bl_facts_document(f, r1, 3, &doc, &err), 0);
	assert_int_equal(motd_opens, 2);
	assert_int_equal(crlf_opens, 1);
	bl_facts_close(f);
}

static void test_host_id(void **state)
{
	(void)state;
	struct bl_facts *f = open_root("/");
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	char want[300];
	snprintf(want, sizeof want, "host:%s", u.nodename);
	assert_string_equal(bl_facts_host_id(f), want);
	assert_ptr_equal(bl_facts_host_id(f), bl_facts_host_id(f));
	bl_facts_close(f);
	f = open_root("tests/fixtures/hosts/hostcore-os");
	assert_string_equal(bl_facts_host_id(f), "host:web01.example.com");
	bl_facts_close(f);
	f = open_root(FIX);
	assert_string_equal(bl_facts_host_id(f), "root:" FIX);
	bl_facts_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_document_omit),
		cmocka_unit_test(test_host_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
