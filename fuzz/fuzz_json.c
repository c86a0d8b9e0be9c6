/*
 * fuzz_json.c - libFuzzer target for the JSON reader and writer: arbitrary
 * bytes must never crash the reader; whatever it accepts must write back
 * (compact and pretty) as JSON that reads to the same tree, and writing is
 * idempotent.  Any string, valid UTF-8 or not, must write as a JSON string
 * that the reader accepts.  The selective parse (a keep set built from the
 * input's first bytes and its first quoted strings) accepts exactly what the
 * full parse accepts, fails with the same error, and builds a subset of the
 * full tree (kept members in order, at the same positions, equal scalars).
 * The padded reader (bl_json_opts.padded: the input followed by a control
 * character or another byte, then padding that would go on any token) gives
 * exactly what the exact-size parse gives, full and selective.
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

/* y (selective) is x (full) with some object members left out. */
static int subset(const struct bl_value *x, const struct bl_value *y)
{
	if (x->type != y->type || x->line != y->line || x->col != y->col)
		return 0;
	if (x->type == BL_VARR) {
		if (x->u.arr.n != y->u.arr.n)
			return 0;
		for (uint32_t i = 0; i < x->u.arr.n; i++)
			if (!subset(&x->u.arr.items[i], &y->u.arr.items[i]))
				return 0;
		return 1;
	}
	if (x->type != BL_VOBJ)
		return eq(x, y);
	uint32_t i = 0;
	for (uint32_t k = 0; k < y->u.obj.n; k++) {
		const struct bl_member *b = &y->u.obj.items[k];
		while (i < x->u.obj.n && (x->u.obj.items[i].line != b->line ||
					  x->u.obj.items[i].col != b->col))
			i++;
		if (i == x->u.obj.n)
			return 0;
		const struct bl_member *a = &x->u.obj.items[i++];
		if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
		    !subset(&a->val, &b->val))
			return 0;
	}
	return 1;
}

/*
 * A keep set from the input: its first (up to) four quoted strings are keys;
 * byte 0 says, per key, whether it hangs below the root or below the key
 * before it (bits 0-3) and whether it keeps everything below (bits 4-7).
 */
static struct bl_json_keep *keep_from(const char *buf, size_t size)
{
	struct bl_json_keep *k = NULL;
	if (bl_json_keep_new(&k))
		return NULL;
	unsigned ctl = size ? (unsigned char)buf[0] : 0;
	uint32_t prev = 0;
	size_t p = 0;
	for (int n = 0; n < 4; n++) {
		while (p < size && buf[p] != '"')
			p++;
		if (p >= size)
			break;
		size_t s = ++p;
		while (p < size && buf[p] != '"' && p - s < 16)
			p++;
		uint32_t node;
		if (bl_json_keep_child(k, (ctl >> n) & 1 ? prev : 0, buf + s, p - s, &node)) {
			bl_json_keep_free(k);
			return NULL;
		}
		if ((ctl >> (4 + n)) & 1)
			bl_json_keep_all(k, node);
		prev = node;
		p++;
	}
	return k;
}

/* A second parse (rc2, v, err) gives the first's answer: the same code, a
 * tree the full one contains, the same error at the same place. */
static void agree(int rc, const struct bl_value *full, const struct bl_error *ferr, int rc2,
		  const struct bl_value *v, const struct bl_error *err)
{
	if (rc2 != rc)
		abort();
	if (rc == 0 && !subset(full, v))
		abort();
	if (rc != 0 && (err->line != ferr->line || err->col != ferr->col ||
			strcmp(err->msg, ferr->msg) != 0))
		abort();
}

static void check_keep(struct bl_arena *a, const char *buf, size_t size, int rc,
		       const struct bl_value *full, const struct bl_error *ferr)
{
	struct bl_json_keep *k = keep_from(buf, size);
	if (!k)
		abort();
	struct bl_json_opts o = {.keep = k};
	struct bl_error err;
	const struct bl_value *v = NULL;
	int krc = bl_json_parse(&v, a, buf, size, "f.json", &o, &err);
	agree(rc, full, ferr, krc, v, &err);
	bl_json_keep_free(k);
}

/* The input padded: after it a byte picked by its length (controls take
 * the padded loop, others the checked one), then bytes that would continue
 * a token; the buffer is exactly that long, so reads past it are caught. */
static void check_padded(struct bl_arena *a, const char *buf, size_t size, int rc,
			 const struct bl_value *full, const struct bl_error *ferr)
{
	static const char after[] = {'\n', '\0', '\t', '\r', 0x1f, ' ', ',', '"'};
	static const char fill[] = {'"', '1', 'e', '}', ']'};
	char *pb = malloc(size + BL_JSON_PAD);
	if (!pb)
		abort();
	if (size)
		memcpy(pb, buf, size);
	pb[size] = after[size % sizeof(after)];
	memset(pb + size + 1, fill[size % sizeof(fill)], BL_JSON_PAD - 1);
	struct bl_json_opts o = {.padded = true};
	struct bl_error err;
	const struct bl_value *v = NULL;
	int prc = bl_json_parse(&v, a, pb, size, "f.json", &o, &err);
	agree(rc, full, ferr, prc, v, &err);
	/* and a selective parse of the padded input agrees with the full one */
	struct bl_json_keep *k = keep_from(buf, size);
	if (!k)
		abort();
	o.keep = k;
	prc = bl_json_parse(&v, a, pb, size, "f.json", &o, &err);
	agree(rc, full, ferr, prc, v, &err);
	bl_json_keep_free(k);
	free(pb);
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
	check_keep(&a, buf, size, rc, v, &err);
	check_padded(&a, buf, size, rc, v, &err);
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
