/*
 * fuzz_yaml.c - libFuzzer target for the YAML reader and the document loader:
 * arbitrary bytes through bl_yaml_parse, bl_yaml_parse_stream and
 * bl_doc_parse must never crash, leak, or yield a tree that breaks the
 * value invariants (positions set, lengths within the arena).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "doc/value.h"
#include "doc/yaml.h"
#include "util/arena.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every byte reachable from v without recursion (aliases share
 * subtrees, so the walk is bounded by the alias budget, kept small here). */
static void walk(const struct bl_value *root, int check_pos)
{
	const struct bl_value *stack[64];
	size_t n = 0;
	volatile size_t sink = 0;
	stack[n++] = root;
	while (n) {
		const struct bl_value *v = stack[--n];
		if (check_pos && (v->line == 0 || v->col == 0))
			abort();
		switch (v->type) {
		case BL_VSTR:
			for (uint32_t i = 0; i < v->u.str.len; i++)
				sink += (unsigned char)v->u.str.s[i];
			break;
		case BL_VNUM:
			if (v->u.num.len == 0 || v->u.num.d != v->u.num.d)
				abort();
			sink += (unsigned char)v->u.num.text[v->u.num.len - 1];
			break;
		case BL_VARR:
			for (uint32_t i = 0; i < v->u.arr.n; i++)
				if (n < 64)
					stack[n++] = &v->u.arr.items[i];
			break;
		case BL_VOBJ:
			for (uint32_t i = 0; i < v->u.obj.n; i++) {
				const struct bl_member *m = &v->u.obj.items[i];
				if (check_pos && m->line == 0)
					abort();
				for (uint32_t k = 0; k < m->klen; k++)
					sink += (unsigned char)m->key[k];
				if (n < 64)
					stack[n++] = &m->val;
			}
			break;
		default:
			break;
		}
	}
	(void)sink;
}

static int on_doc(void *ctx, const struct bl_value *doc)
{
	(void)ctx;
	if (doc->type == BL_VNULL)
		abort();   /* null documents are skipped */
	walk(doc, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v = NULL;
	/* Small limits keep each run fast while still exercising them. */
	struct bl_yaml_opts opts = {.max_depth = 64, .max_alias_nodes = 10000};
	/* A private copy so reads past size are caught by ASan. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	bl_arena_init(&a, 0);
	if (bl_yaml_parse(&v, &a, buf, size, "fuzz.yaml", &opts, &err) == 0)
		walk(v, 1);
	bl_arena_reset(&a);
	bl_yaml_parse_stream(&a, buf, size, "fuzz.yaml", &opts, on_doc, NULL, &err);
	bl_arena_reset(&a);
	if (bl_doc_parse(&v, &a, buf, size, "fuzz.doc", &err) == 0)
		walk(v, 0);
	bl_arena_free(&a);
	free(buf);
	return 0;
}
