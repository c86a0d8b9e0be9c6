/*
 * test_baseline_builtin.c - what loading a builtin baseline skips, and what
 * it must not: its literal regexes are compiled on first use (the build
 * checked them), the same patterns in a document read at run time are
 * compiled and reported at load time with file:line:col, and the hash taken
 * at build time is the hash of the document the readers build.
 */
#include "testutil.h"

#include "model/baseline.h"
#include "model/content.h"
#include "rule/cond_internal.h"

/* Count the regex/notRegex leaves under n: compiled now, and lazy. */
static void count_regex(const struct cnode *n, size_t *now, size_t *lazy)
{
	if (!n)
		return;
	if ((n->kind == CN_LEAF || n->kind == CN_COUNT) && !n->opx &&
	    (n->op == BL_OP_REGEX || n->op == BL_OP_NOTREGEX)) {
		*now += n->operand.re != NULL;
		*lazy += n->operand.lazy != NULL && n->operand.re == NULL;
	}
	for (uint32_t i = 0; i < n->nkids; i++)
		count_regex(n->kids[i], now, lazy);
	if (n->kind == CN_COUNT)
		count_regex(n->where, now, lazy);
}

static void count_baseline(const struct bl_baseline *b, size_t *now, size_t *lazy)
{
	*now = *lazy = 0;
	for (size_t i = 0; i < b->ncontrols; i++) {
		if (b->controls[i].cond)
			count_regex(b->controls[i].cond->root, now, lazy);
		if (b->controls[i].applies)
			count_regex(b->controls[i].applies->root, now, lazy);
	}
}

static void builtin_regexes_are_lazy(void **state)
{
	(void)state;
	const struct bl_content_file *f = bl_content_baseline("builtin:linux-host");
	if (!f)
		skip();
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_load(&b, "builtin:linux-host", &d), 0);
	size_t now, lazy;
	count_baseline(b, &now, &lazy);
	assert_int_equal(now, 0);
	assert_true(lazy > 0);
	bl_baseline_free(b);

	/* the same document read at run time compiles every pattern now */
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a, f->data, "copy-of-linux-host.yaml");
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), 0);
	size_t now2, lazy2;
	count_baseline(b, &now2, &lazy2);
	assert_int_equal(lazy2, 0);
	assert_int_equal(now2, lazy);
	bl_baseline_free(b);
	bl_arena_free(&a);
	bl_diags_free(&d);
}

static void runtime_bad_regex_reported_at_load(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = tu_doc(&a,
		"baseline: inline\n"
		"version: 1.0.0\n"
		"controls:\n"
		"  - id: X-1\n"
		"    title: t\n"
		"    severity: low\n"
		"    expect: {field: a, regex: \"a(\"}\n",
		"inline.yaml");
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_baseline *b = NULL;
	assert_int_equal(bl_baseline_from_doc(&b, doc, &d), BL_EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].file, "inline.yaml");
	assert_int_equal(d.items[0].line, 7);
	assert_int_equal(d.items[0].col, 31);   /* the pattern's opening quote */
	assert_non_null(strstr(d.items[0].msg, "invalid regex"));
	bl_diags_free(&d);
	bl_arena_free(&a);
}

static void build_time_hash_is_the_document_hash(void **state)
{
	(void)state;
	size_t checked = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		if (!f->nodes || strncmp(f->label, "builtin:", 8) != 0)
			continue;
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_baseline *b = NULL, *r = NULL;
		assert_int_equal(bl_baseline_load(&b, f->label, &d), 0);
		struct bl_arena a;
		bl_arena_init(&a, 0);
		/* the readers' tree of the same bytes, under another name: hashed
		 * now, it must give the hash recorded at build time */
		const struct bl_value *doc = tu_doc(&a, f->data, "elsewhere.yaml");
		assert_int_equal(bl_baseline_from_doc(&r, doc, &d), 0);
		assert_string_equal(b->sha256, r->sha256);
		assert_string_equal(b->sha256, f->sha256);
		bl_baseline_free(b);
		bl_baseline_free(r);
		bl_arena_free(&a);
		bl_diags_free(&d);
		checked++;
	}
	(void)checked;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_regexes_are_lazy),
		cmocka_unit_test(runtime_bad_regex_reported_at_load),
		cmocka_unit_test(build_time_hash_is_the_document_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
