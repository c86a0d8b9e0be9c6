/*
 * fuzz_diffjson.c - differential fuzzing of the JSON reader against
 * python3's json module (scripts/json-diff-oracle.py).
 *
 * Two builds of this one file:
 *   - the libFuzzer target (default): parses every input and renders the
 *     canonical form below, so the fuzzer grows a corpus of inputs that
 *     reach every accept and reject path of the reader;
 *   - the dump tool (-DBL_DIFFJSON_MAIN): for each file named on the command
 *     line prints "PATH\tOK\tCANONICAL" or "PATH\tERR\tCODE\tLINE:COL MSG",
 *     one line per file; the oracle runs the (grown) corpus through it and
 *     through python's json and requires the same accept/reject decision and,
 *     on accept, the same canonical form.
 *
 * The canonical form depends only on the values, not on how they were
 * written, so both sides can produce it: n, t, f; a number is "d" and its
 * double printed with %.17g (-0 as 0: python reads "-0" as the integer 0);
 * a string is "s" and the hex of its UTF-8 bytes; "[" items "," "]";
 * "{" hexkey ":" value "," "}" in source order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The depth limit both sides apply (the oracle mirrors it). */
#define DIFF_MAX_DEPTH 512

static void hex(struct bl_buf *b, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char two[2] = {digits[c >> 4], digits[c & 15]};
		bl_buf_add(b, two, 2);
	}
}

/* Recursion depth is bounded by DIFF_MAX_DEPTH: the reader refused deeper. */
static void canon(struct bl_buf *b, const struct bl_value *v)
{
	char num[64];
	switch (v->type) {
	case BL_VNULL:
		bl_buf_add(b, "n", 1);
		break;
	case BL_VBOOL:
		bl_buf_add(b, v->b ? "t" : "f", 1);
		break;
	case BL_VNUM: {
		double d = v->u.num.d == 0 ? 0.0 : v->u.num.d;
		int n = snprintf(num, sizeof(num), "d%.17g", d);
		bl_buf_add(b, num, (size_t)n);
		break;
	}
	case BL_VSTR:
		bl_buf_add(b, "s", 1);
		hex(b, v->u.str.s, v->u.str.len);
		break;
	case BL_VARR:
		bl_buf_add(b, "[", 1);
		for (uint32_t i = 0; i < v->u.arr.n; i++) {
			canon(b, &v->u.arr.items[i]);
			bl_buf_add(b, ",", 1);
		}
		bl_buf_add(b, "]", 1);
		break;
	case BL_VOBJ:
		bl_buf_add(b, "{", 1);
		for (uint32_t i = 0; i < v->u.obj.n; i++) {
			const struct bl_member *m = &v->u.obj.items[i];
			hex(b, m->key, m->klen);
			bl_buf_add(b, ":", 1);
			canon(b, &m->val);
			bl_buf_add(b, ",", 1);
		}
		bl_buf_add(b, "}", 1);
		break;
	default:
		abort();   /* the reader never makes error/n-a values */
	}
}

/*
 * Parse data and put the canonical form (accepted) or the error into out.
 * Returns the reader's code.  Aborts on a broken contract: an error code the
 * reader must not return, or a rejection without a position and message.
 */
static int diff_one(const uint8_t *data, size_t size, struct bl_buf *out, struct bl_error *err)
{
	/* An exact-size copy so reads past the end are caught. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	struct bl_arena a;
	const struct bl_value *v = NULL;
	struct bl_json_opts o = {.max_depth = DIFF_MAX_DEPTH};
	bl_arena_init(&a, 0);
	int rc = bl_json_parse(&v, &a, buf, size, "in.json", &o, err);
	if (rc == 0)
		canon(out, v);
	else if (rc != BL_EINVAL && rc != BL_ELIMIT)
		abort();
	else if (err->line == 0 || err->col == 0 || err->msg[0] == '\0')
		abort();
	/* The padded reader (a JSON lines record and its newline) must say
	 * exactly the same, so what the oracle checks holds for it too. */
	char *pb = malloc(size + BL_JSON_PAD);
	if (!pb)
		abort();
	if (size)
		memcpy(pb, data, size);
	memset(pb + size, '\n', BL_JSON_PAD);
	o.padded = true;
	struct bl_error perr;
	struct bl_buf pout;
	bl_buf_init(&pout, 0);
	int prc = bl_json_parse(&v, &a, pb, size, "in.json", &o, &perr);
	if (prc == 0)
		canon(&pout, v);
	if (prc != rc || pout.len != out->len ||
	    (pout.len && memcmp(pout.data, out->data, pout.len) != 0) ||
	    (rc && (perr.line != err->line || perr.col != err->col ||
		    strcmp(perr.msg, err->msg) != 0)))
		abort();
	bl_buf_free(&pout);
	free(pb);
	bl_arena_free(&a);
	free(buf);
	return rc;
}

#ifndef BL_DIFFJSON_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_buf out;
	struct bl_error err;
	bl_buf_init(&out, 0);
	(void)diff_one(data, size, &out, &err);
	bl_buf_free(&out);
	return 0;
}
#else
int main(int argc, char **argv);

static int dump_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "diffjson: %s: cannot open\n", path);
		return -1;
	}
	struct bl_buf in;
	bl_buf_init(&in, 0);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bl_buf_add(&in, chunk, n);
	fclose(f);
	struct bl_buf out;
	struct bl_error err;
	bl_buf_init(&out, 0);
	int rc = diff_one((const uint8_t *)in.data, in.len, &out, &err);
	if (rc == 0)
		printf("%s\tOK\t%.*s\n", path, (int)out.len, out.data ? out.data : "");
	else
		printf("%s\tERR\t%s\t%u:%u %s\n", path, rc == BL_ELIMIT ? "limit" : "invalid",
		       err.line, err.col, err.msg);
	bl_buf_free(&out);
	bl_buf_free(&in);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++)
		if (dump_file(argv[i]))
			status = 2;
	return status;
}
#endif
