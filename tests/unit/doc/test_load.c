/*
 * test_load.c - bl_doc_load / bl_doc_parse: format detection by content,
 * BOM handling, file errors and limits, stdin, and that trees outlive the
 * caller's buffer.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIX "tests/fixtures/yaml/"

struct fx {
	struct bl_arena a;
	struct bl_error err;
	char tmpdir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	bl_arena_init(&f->a, 0);
	snprintf(f->tmpdir, sizeof(f->tmpdir), "/tmp/bl-test-load-XXXXXX");
	if (!mkdtemp(f->tmpdir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bl_arena_free(&f->a);
	rmdir(f->tmpdir);
	free(f);
	return 0;
}

static void test_load_yaml(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, FIX "document.yaml", &f->err);
	assert_int_equal(rc, 0);
	assert_int_equal(v->type, BL_VOBJ);
	assert_string_equal(bl_value_strz(v, "inventory", NULL), "contoso");
	const struct bl_value *asset = &bl_value_getz(v, "assets")->u.arr.items[0];
	const struct bl_value *mode = bl_value_getz(asset, "mode");
	assert_int_equal(mode->type, BL_VNUM);
	assert_int_equal(mode->u.num.len, 4);
	assert_memory_equal(mode->u.num.text, "0640", 4);
	assert_int_equal(mode->line, 6);
	assert_int_equal(mode->col, 11);
	/* the recorded name is the arena's copy of the path */
	assert_string_equal(mode->file, FIX "document.yaml");
	const struct bl_member *m = bl_value_member(asset, "tier", 4);
	assert_int_equal(m->line, 5);
	assert_int_equal(m->col, 5);
}

static void test_load_json(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, FIX "document.json", &f->err);
	if (rc)
		fail_msg("%d %u:%u %s", rc, f->err.line, f->err.col, f->err.msg);
	assert_int_equal(v->type, BL_VOBJ);
	/* leading blank line and spaces: the JSON reader counts from byte 0 */
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 3);
	assert_string_equal(v->file, FIX "document.json");
	const struct bl_value *tier = bl_value_getz(&bl_value_getz(v, "assets")->u.arr.items[0], "tier");
	assert_int_equal(tier->type, BL_VNUM);
	assert_int_equal(tier->line, 3);
	assert_int_equal(tier->col, 35);
}

static void test_load_json_is_strict(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	/* flow YAML that starts with '{' is read as JSON, which wants quoted keys */
	const char *text = "{a: 1}";
	int rc = bl_doc_parse(&v, &f->a, text, strlen(text), "flow.yaml", &f->err);
	assert_int_equal(rc, BL_EINVAL);
	assert_string_equal(f->err.file, "flow.yaml");
	assert_int_equal(f->err.line, 1);
	assert_int_equal(f->err.col, 2);
}

static void test_load_bom(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	assert_int_equal(bl_doc_load(&v, &f->a, FIX "bom.yaml", &f->err), 0);
	const struct bl_value *ex = bl_value_getz(v, "exceptions");
	assert_non_null(ex);
	const struct bl_member *m = bl_value_member(v, "exceptions", 10);
	assert_int_equal(m->line, 1);
	assert_int_equal(m->col, 1);
	const struct bl_value *exp = bl_value_getz(&ex->u.arr.items[0], "expires");
	assert_int_equal(exp->type, BL_VSTR);
	assert_int_equal(exp->line, 3);
	assert_int_equal(exp->col, 14);

	/* a BOM in front of JSON still selects JSON */
	int rc = bl_doc_load(&v, &f->a, FIX "bom.json", &f->err);
	if (rc)
		fail_msg("%d %u:%u %s", rc, f->err.line, f->err.col, f->err.msg);
	const struct bl_value *arr = bl_value_getz(v, "a");
	assert_int_equal(arr->u.arr.n, 2);
	assert_int_equal(arr->u.arr.items[0].type, BL_VBOOL);
	assert_int_equal(arr->u.arr.items[1].type, BL_VNULL);
}

static void test_load_missing(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = (const struct bl_value *)f;
	int rc = bl_doc_load(&v, &f->a, FIX "no-such-file.yaml", &f->err);
	assert_int_equal(rc, BL_EIO);
	assert_null(v);
	assert_string_equal(f->err.file, FIX "no-such-file.yaml");
	assert_string_equal(f->err.msg, "cannot open: No such file or directory");
	assert_int_equal(f->err.line, 0);
	char line[1024];
	assert_string_equal(bl_error_format(&f->err, line, sizeof(line)),
			    FIX "no-such-file.yaml: cannot open: No such file or directory");
}

static void test_load_directory(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, FIX, &f->err);
	assert_int_equal(rc, BL_EIO);
	assert_non_null(strstr(f->err.msg, "is a directory"));
}

static void test_load_fifo(void **state)
{
	struct fx *f = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/pipe.yaml", f->tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* more than one read's worth, so the loop has to grow its buffer */
		int w = open(path, O_WRONLY);
		if (w < 0)
			_exit(1);
		const char *head = "items:\n";
		if (write(w, head, strlen(head)) < 0)
			_exit(1);
		for (int i = 0; i < 20000; i++) {
			char line[32];
			int n = snprintf(line, sizeof(line), "  - %d\n", i);
			if (write(w, line, (size_t)n) != n)
				_exit(1);
		}
		close(w);
		_exit(0);
	}
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, path, &f->err);
	int status = 0;
	waitpid(pid, &status, 0);
	unlink(path);
	if (rc)
		fail_msg("%d %u:%u %s", rc, f->err.line, f->err.col, f->err.msg);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	const struct bl_value *items = bl_value_getz(v, "items");
	assert_int_equal(items->u.arr.n, 20000);
	assert_true(items->u.arr.items[19999].u.num.d == 19999.0);
	assert_int_equal(items->u.arr.items[19999].line, 20001);
}

static void test_load_too_large(void **state)
{
	struct fx *f = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/big.yaml", f->tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	/* sparse: refused from its size, nothing is read */
	assert_int_equal(ftruncate(fd, (off_t)BL_DOC_MAX_BYTES + 1), 0);
	close(fd);
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, path, &f->err);
	unlink(path);
	assert_int_equal(rc, BL_ELIMIT);
	assert_string_equal(f->err.file, path);
	assert_non_null(strstr(f->err.msg, "larger than 256 MiB"));
	assert_true(f->a.used < 4096);
}

static void test_load_stdin(void **state)
{
	struct fx *f = *state;
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	int fd = open(FIX "document.yaml", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, "-", &f->err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	assert_string_equal(bl_value_strz(v, "inventory", NULL), "contoso");
	assert_string_equal(v->file, "-");
}

static void test_load_syntax_error_names_file(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	int rc = bl_doc_load(&v, &f->a, FIX "unclosed-flow.yaml", &f->err);
	assert_int_equal(rc, BL_EINVAL);
	assert_string_equal(f->err.file, FIX "unclosed-flow.yaml");
	assert_int_equal(f->err.line, 2);
	assert_int_equal(f->err.col, 5);
}

static void test_parse_memory(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = NULL;
	/* JSON strings point into the bytes: they must be the arena's copy */
	char *buf = strdup("  [\"abc\", {\"k\": \"v\"}]");
	assert_non_null(buf);
	char name[] = "mem.json";
	int rc = bl_doc_parse(&v, &f->a, buf, strlen(buf), name, &f->err);
	memset(buf, 'X', strlen(buf));
	free(buf);
	name[0] = 'X';
	if (rc)
		fail_msg("%d %u:%u %s", rc, f->err.line, f->err.col, f->err.msg);
	assert_int_equal(v->type, BL_VARR);
	assert_int_equal(v->col, 3);
	assert_memory_equal(v->u.arr.items[0].u.str.s, "abc", 3);
	size_t kl = 0;
	assert_memory_equal(bl_value_strz(&v->u.arr.items[1], "k", &kl), "v", 1);
	assert_int_equal(kl, 1);
	assert_string_equal(v->file, "mem.json");

	/* YAML by content whatever the name says; a BOM is skipped */
	const char *y = "\xEF\xBB\xBF# c\nk: [1, two]\n";
	assert_int_equal(bl_doc_parse(&v, &f->a, y, strlen(y), "x.json", &f->err), 0);
	const struct bl_member *m = bl_value_member(v, "k", 1);
	assert_int_equal(m->line, 2);
	assert_int_equal(m->col, 1);
	assert_int_equal(m->val.u.arr.items[1].col, 8);

	/* empty and blank input is a null document */
	assert_int_equal(bl_doc_parse(&v, &f->a, " \n\r\n", 4, "e.yaml", &f->err), 0);
	assert_int_equal(v->type, BL_VNULL);
	assert_int_equal(bl_doc_parse(&v, &f->a, "\xEF\xBB\xBF", 3, "e.yaml", &f->err), 0);
	assert_int_equal(v->type, BL_VNULL);
	assert_int_equal(bl_doc_parse(&v, &f->a, "", 0, NULL, &f->err), 0);
	assert_int_equal(v->type, BL_VNULL);
	assert_null(v->file);
}

static void test_tu_doc(void **state)
{
	struct fx *f = *state;
	const struct bl_value *v = tu_doc(&f->a, "a: {b: [1, '2']}\n", "t.yaml");
	const struct bl_value *b = bl_value_getz(bl_value_getz(v, "a"), "b");
	assert_int_equal(b->u.arr.items[0].type, BL_VNUM);
	assert_int_equal(b->u.arr.items[1].type, BL_VSTR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_json_is_strict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_syntax_error_names_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tu_doc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
