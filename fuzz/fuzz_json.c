/*
 * fuzz_json.c - libFuzzer target for the JSON reader and writer: arbitrary
 * bytes must never crash the reader; whatever it accepts must write back
 * (compact and pretty) as JSON that reads to the same tree, and writing is
 * idempotent.  Any string, valid UTF-8 or not, must write as a JSON string
 * that the reader accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Deep equality (texts, flags, values); depth is bounded by max_depth. */
static int eq(const struct bl_value *x, const struct bl_value *y)
{
	if (x->type != y->type || x->flags != y->flags)
		return 0;
	switch (x->type) {
	case BL_VBOOL:
		return x->b == y->b;
	case BL_VNUM:
		return x->u.num.len == y->u.num.len &&
		       memcmp(x->u.num.text, y->u.num.text, x->u.num.len) == 0 &&
		       memcmp(&x->u.num.d, &y->u.num.d, sizeof(double)) == 0;
	case BL_VSTR:
		return x->u.str.len == y->u.str.len &&
		       memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
	case BL_VARR:
		if (x->u.arr.n != y->u.arr.n)
			return 0;
		for (uint32_t i = 0; i < x->u.arr.n; i++)
			if (!eq(&x->u.arr.items[i], &y->u.arr.items[i]))
				return 0;
		return 1;
	case BL_VOBJ:
		if (x->u.obj.n != y->u.obj.n)
			return 0;
		for (uint32_t i = 0; i < x->u.obj.n; i++) {
			const struct bl_member *a = &x->u.obj.items[i], *b = &y->u.obj.items[i];
			if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
			    a->line == 0 || !eq(&a->val, &b->val))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

static void check_reparse(struct bl_arena *a, const struct bl_value *v, int indent,
			  struct bl_buf *first)
{
	struct bl_buf b;
	struct bl_error err;
	const struct bl_value *w;
	bl_buf_init(&b, 0);
	if (bl_json_write(&b, v, indent) != 0)
		abort();
	char *copy = malloc(b.len ? b.len : 1);
	if (!copy)
		abort();
	memcpy(copy, b.data, b.len);
	struct bl_json_opts o = {.max_depth = 1024};
	if (bl_json_parse(&w, a, copy, b.len, "w", &o, &err) != 0 || !eq(v, w))
		abort();
	if (first) {
		struct bl_buf again;
		bl_buf_init(&again, 0);
		if (bl_json_write(&again, w, indent) != 0 || again.len != b.len ||
		    memcmp(again.data, b.data, b.len) != 0)
			abort();
		bl_buf_free(&again);
	}
	free(copy);
	bl_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so reads past the end are caught. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	int rc = bl_json_parse(&v, &a, buf, size, "f.json", NULL, &err);
	if (rc == 0) {
		if (v->line == 0 || v->col == 0)
			abort();
		check_reparse(&a, v, 0, (struct bl_buf *)1);
		check_reparse(&a, v, 2, NULL);
	} else if (rc != BL_EINVAL && rc != BL_ELIMIT) {
		abort();
	} else if (err.line == 0 || err.col == 0 || err.msg[0] == '\0') {
		abort();
	}
	/* Any bytes as a string: the writer's output is always valid JSON. */
	struct bl_buf b;
	bl_buf_init(&b, 0);
	if (bl_json_write_str(&b, buf, size) != 0)
		abort();
	char *copy = malloc(b.len);
	if (!copy)
		abort();
	memcpy(copy, b.data, b.len);
	if (bl_json_parse(&v, &a, copy, b.len, "s", NULL, &err) != 0 || v->type != BL_VSTR)
		abort();
	free(copy);
	bl_buf_free(&b);
	bl_arena_free(&a);
	free(buf);
	return 0;
}
