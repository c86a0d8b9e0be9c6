/*
 * test_json_dupkeys.c - the duplicate-key check across object sizes: the
 * fingerprint filter, the scan of small objects and the hash table of large
 * ones (built when the filter first lets a key through past DUP_LINEAR_MAX
 * keys), for a duplicate of each earlier position at many later positions,
 * in the root object (built) and in a member nobody keeps (skip_value), with
 * and without padding: always the same message, naming both positions.
 */
#include "testutil.h"

#define L(s) s, sizeof(s) - 1

struct doc {
	char *text;
	size_t len;
	uint32_t col_first, col_dup;  /* columns of the two keys in the document */
};

/* {"s":{"k0":0,...,"k<n-1>":0}} (or without the wrapper) with key first
 * written again at position dup (0 <= first < dup <= n): n + 1 keys. */
static void make_doc(struct doc *d, size_t n, size_t first, size_t dup, bool nested)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	d->col_first = d->col_dup = 0;
	bl_buf_adds(&b, nested ? "{\"s\":{" : "{");
	for (size_t i = 0, k = 0; i <= n; i++) {
		size_t name = i == dup ? first : k++;
		if (i)
			bl_buf_addc(&b, ',');
		if (i == dup)
			d->col_dup = (uint32_t)b.len + 1;
		else if (name == first)
			d->col_first = (uint32_t)b.len + 1;
		bl_buf_printf(&b, "\"k%zu\":%zu", name, i);
	}
	bl_buf_adds(&b, nested ? "}}" : "}");
	d->len = b.len;
	d->text = malloc(b.len + BL_JSON_PAD);
	assert_non_null(d->text);
	memcpy(d->text, b.data, b.len);
	memset(d->text + b.len, '\n', BL_JSON_PAD);
	bl_buf_free(&b);
}

static void check(size_t n, size_t first, size_t dup, bool nested, const struct bl_json_keep *k,
		  bool padded)
{
	struct doc d;
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	char want[128];
	make_doc(&d, n, first, dup, nested);
	bl_arena_init(&a, 0);
	struct bl_json_opts o = {.keep = k, .padded = padded};
	assert_int_equal(bl_json_parse(&v, &a, d.text, d.len, "d.json", &o, &err), BL_EINVAL);
	snprintf(want, sizeof(want), "duplicate key \"k%zu\" (first at line 1, column %u)", first,
		 d.col_first);
	if (strcmp(err.msg, want) != 0 || err.line != 1 || err.col != d.col_dup)
		fail_msg("n %zu, k%zu again at %zu: %u:%u %s; want 1:%u %s", n, first, dup,
			 err.line, err.col, err.msg, d.col_dup, want);
	bl_arena_free(&a);
	free(d.text);
}

static void test_every_size(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 2, 3, 8, 31, 32, 33, 64, 65, 96, 97, 130};
	struct bl_json_keep *k;
	uint32_t node;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("other"), &node), 0);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		for (size_t first = 0; first < n; first += first < 4 ? 1 : 9) {
			for (size_t dup = first + 1; dup <= n; dup += dup < first + 4 || dup > n - 4 ? 1 : 7) {
				for (int mode = 0; mode < 8; mode++)
					check(n, first, dup, mode & 1, (mode & 2) ? k : NULL, mode & 4);
			}
		}
	}
	bl_json_keep_free(k);
}

/* Without a duplicate, objects of every size parse, built or skipped. */
static void test_no_duplicate(void **state)
{
	(void)state;
	struct bl_json_keep *k;
	uint32_t node;
	assert_int_equal(bl_json_keep_new(&k), 0);
	assert_int_equal(bl_json_keep_child(k, 0, L("other"), &node), 0);
	for (size_t n = 1; n < 400; n += n < 100 ? 1 : 37) {
		struct bl_buf b;
		bl_buf_init(&b, 0);
		bl_buf_adds(&b, "{\"s\":{");
		for (size_t i = 0; i < n; i++)
			bl_buf_printf(&b, "%s\"k%zu\":0,\"K%zu\":1", i ? "," : "", i, i);
		bl_buf_adds(&b, "}}");
		for (int mode = 0; mode < 2; mode++) {
			struct bl_arena a;
			struct bl_error err;
			const struct bl_value *v;
			bl_arena_init(&a, 0);
			struct bl_json_opts o = {.keep = mode ? k : NULL};
			assert_int_equal(bl_json_parse(&v, &a, b.data, b.len, "d.json", &o, &err), 0);
			assert_int_equal(v->u.obj.n, mode ? 0 : 1);
			if (!mode)
				assert_int_equal(v->u.obj.items[0].val.u.obj.n, 2 * n);
			bl_arena_free(&a);
		}
		bl_buf_free(&b);
	}
	bl_json_keep_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_no_duplicate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
