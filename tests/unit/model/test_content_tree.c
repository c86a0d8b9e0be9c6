/*
 * test_content_tree.c - the document trees rebuilt from the embedded tables
 * (bl_content_tree) are exactly what the document readers build from the
 * entry's bytes: same values, keys, positions and file names; the file name
 * is the entry's label itself, which bl_content_is_tree_file recognises by
 * identity only.
 */
#include <stdlib.h>

#include "testutil.h"

#include "doc/load.h"
#include "model/content.h"

static void same_tree(const struct bl_value *a, const struct bl_value *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->b, b->b);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->col, b->col);
	assert_true((a->file == NULL) == (b->file == NULL));
	if (a->file)
		assert_string_equal(a->file, b->file);
	switch (a->type) {
	case BL_VNUM:
		assert_int_equal(a->u.num.len, b->u.num.len);
		assert_memory_equal(a->u.num.text, b->u.num.text, a->u.num.len);
		assert_true(a->u.num.d == b->u.num.d);
		break;
	case BL_VSTR:
	case BL_VERR:
	case BL_VNA:
		assert_int_equal(a->u.str.len, b->u.str.len);
		if (a->u.str.len)
			assert_memory_equal(a->u.str.s, b->u.str.s, a->u.str.len);
		break;
	case BL_VARR:
		assert_int_equal(a->u.arr.n, b->u.arr.n);
		for (uint32_t i = 0; i < a->u.arr.n; i++)
			same_tree(&a->u.arr.items[i], &b->u.arr.items[i]);
		break;
	case BL_VOBJ:
		assert_int_equal(a->u.obj.n, b->u.obj.n);
		for (uint32_t i = 0; i < a->u.obj.n; i++) {
			const struct bl_member *x = &a->u.obj.items[i], *y = &b->u.obj.items[i];
			assert_int_equal(x->klen, y->klen);
			if (x->klen)
				assert_memory_equal(x->key, y->key, x->klen);
			assert_int_equal(x->line, y->line);
			assert_int_equal(x->col, y->col);
			same_tree(&x->val, &y->val);
		}
		break;
	default:
		break;
	}
}

/* Every node of a rebuilt tree names the entry's label, by pointer. */
static void labelled(const struct bl_value *v, const char *label)
{
	if (v->file)
		assert_ptr_equal(v->file, label);
	if (v->type == BL_VARR)
		for (uint32_t i = 0; i < v->u.arr.n; i++)
			labelled(&v->u.arr.items[i], label);
	if (v->type == BL_VOBJ)
		for (uint32_t i = 0; i < v->u.obj.n; i++)
			labelled(&v->u.obj.items[i].val, label);
}

static void trees_match_the_readers(void **state)
{
	(void)state;
	size_t trees = 0;
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const struct bl_content_file *f = &bl_content_files[i];
		struct bl_arena a;
		bl_arena_init(&a, 0);
		const struct bl_value *built = NULL;
		assert_int_equal(bl_content_tree(&built, f, &a), 0);
		if (!f->nodes) {
			assert_null(built);
			bl_arena_free(&a);
			continue;
		}
		trees++;
		assert_non_null(built);
		assert_non_null(f->label);
		assert_non_null(f->sha256);
		const struct bl_value *parsed = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		assert_int_equal(bl_doc_parse(&parsed, &a, f->data, f->len, f->label, &err), 0);
		same_tree(built, parsed);
		labelled(built, f->label);
		assert_true(bl_content_is_tree_file(built->file));
		bl_arena_free(&a);
	}
	/* every YAML/JSON entry carries a tree */
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const char *n = bl_content_files[i].name;
		size_t len = strlen(n);
		bool doc = len > 5 && (strcmp(n + len - 5, ".yaml") == 0 ||
				       strcmp(n + len - 5, ".json") == 0);
		assert_true(doc == (bl_content_files[i].nodes != NULL));
		trees -= doc;
	}
	assert_int_equal(trees, 0);
}

static void tree_file_by_identity(void **state)
{
	(void)state;
	assert_false(bl_content_is_tree_file(NULL));
	assert_false(bl_content_is_tree_file("builtin:linux-host"));
	for (size_t i = 0; i < bl_content_nfiles; i++) {
		const char *label = bl_content_files[i].label;
		if (!label)
			continue;
		assert_true(bl_content_is_tree_file(label));
		char *copy = strdup(label);
		assert_non_null(copy);
		assert_false(bl_content_is_tree_file(copy));
		free(copy);
	}
}

static void no_tree_no_allocation(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *v = (const struct bl_value *)&a;
	assert_int_equal(bl_content_tree(&v, NULL, &a), 0);
	assert_null(v);
	assert_int_equal(a.used, 0);
	bl_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trees_match_the_readers),
		cmocka_unit_test(tree_file_by_identity),
		cmocka_unit_test(no_tree_no_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
