/*
 * test_stream_padded.c - what a chunk promises the reader (stream.h): zero
 * padding after its last record, and a control character after every record
 * that the next one does not start right at (the input's own newline, or a
 * NUL over the ',' of an array); and that each record then parses with
 * bl_json_opts.padded exactly as it does from an exact-size copy, for every
 * shape and whatever the block and chunk sizes.
 */
#include "testutil.h"
#include "value_eq.h"

#include <unistd.h>

#include "doc/stream.h"

#define L(s) s, sizeof(s) - 1

/* One record: padded in the chunk and from an exact-size copy, alike. */
static void check_record(const struct bl_chunk *c, const struct bl_record *r)
{
	struct bl_arena a;
	struct bl_error e1, e2;
	const struct bl_value *v1 = NULL, *v2 = NULL;
	bl_arena_init(&a, 0);
	char *copy = malloc(r->len ? r->len : 1);
	assert_non_null(copy);
	memcpy(copy, c->buf + r->off, r->len);
	struct bl_json_opts o1 = {.line0 = r->line, .col0 = r->col, .padded = true};
	struct bl_json_opts o2 = {.line0 = r->line, .col0 = r->col};
	int rc1 = bl_json_parse(&v1, &a, c->buf + r->off, r->len, "s.json", &o1, &e1);
	int rc2 = bl_json_parse(&v2, &a, copy, r->len, "s.json", &o2, &e2);
	assert_int_equal(rc1, rc2);
	if (rc1) {
		assert_int_equal(e1.line, e2.line);
		assert_int_equal(e1.col, e2.col);
		assert_string_equal(e1.msg, e2.msg);
	} else {
		assert_true(tu_value_eq(v1, v2, TU_EQ_POS));
	}
	free(copy);
	bl_arena_free(&a);
}

/* Stream text; returns how many records were followed by a NUL the stream
 * wrote (no NUL is in the inputs). */
static size_t run(const char *text, size_t len, size_t block, size_t chunk, size_t want_n)
{
	static const char zeros[BL_JSON_PAD];
	struct bl_stream *s;
	struct bl_chunk c;
	struct bl_error err;
	struct bl_stream_opts o = {.block_bytes = block, .chunk_bytes = chunk};
	int fd = tu_text_fd(text, len);
	size_t nul = 0, n = 0;
	assert_int_equal(bl_stream_open(&s, fd, "s.json", &o, &err), 0);
	bl_chunk_init(&c);
	int rc;
	while ((rc = bl_stream_next(s, &c, &err)) == 1) {
		assert_true(c.len + BL_JSON_PAD <= c.cap);
		assert_memory_equal(c.buf + c.len, zeros, BL_JSON_PAD);
		for (size_t i = 0; i < c.n; i++) {
			const struct bl_record *r = &c.recs[i];
			size_t e = r->off + r->len;
			if (i + 1 < c.n && e == c.recs[i + 1].off)
				assert_true(c.buf[e] != '\0');  /* the next record: untouched */
			else
				assert_true((unsigned char)c.buf[e] < 0x20);
			nul += i + 1 < c.n && c.buf[e] == '\0';
			check_record(&c, r);
			n++;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, want_n);
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(fd);
	return nul;
}

static void test_shapes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t len, n;
		bool separators;  /* records followed by a byte the stream replaces */
	} in[] = {
		{L("{\"a\":1}\n{\"b\":[2,\"x\"]}\n{\"c\":true}\n"), 3, false},
		{L("{\"a\":1}\r\n{\"b\":2}"), 2, false},
		{L("{\"a\":1} {\"b\":2}  {\"c\":3}"), 3, true},
		{L("{\"a\":1}{\"b\":2}{\"c\":3}"), 3, false},
		{L("1 2 \"x\" true null [] {}"), 7, true},
		{L("[{\"a\":1},{\"b\":2} , {\"c\":\"d\"}\n,{}]"), 4, true},
		{L("[\n{\"id\":\"x\",\"n\":-1.5e3},\n{\"id\":\"y\",\"t\":false}\n]\n"), 2, true},
		{L("[1,2,\"x\",null,true]"), 5, true},
		{L("{\"value\":[{\"a\":1},{\"b\":2}],\"nextLink\":null}"), 2, true},
		{L("{\"data\":[{\"a\":1}, {\"b\":2}]}\n{\"data\":[{\"c\":3}]}"), 3, true},
	};
	static const size_t blocks[] = {7, 64, 0};
	static const size_t chunks[] = {1, 20, 0};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (size_t b = 0; b < 3; b++) {
			for (size_t k = 0; k < 3; k++) {
				size_t nul = run(in[i].text, in[i].len, blocks[b], chunks[k], in[i].n);
				/* (with small chunks a chunk may hold one record, which has no
				 * separator after it inside the chunk) */
				if (in[i].separators && chunks[k] == 0 && nul == 0)
					fail_msg("input %zu, block %zu, chunk %zu: no separator replaced",
						 i, blocks[b], chunks[k]);
				if (!in[i].separators)
					assert_int_equal(nul, 0);
			}
		}
	}
}

/* A record cut by the end of the input and a bad one before it: the bad one
 * is handed out (and fails to parse alike both ways), then the error. */
static void test_bad_records(void **state)
{
	(void)state;
	static const char text[] = "{}\n{\"a\":tru}\n[1.]\n\"\\x\"\n{\"b\":1";
	struct bl_stream *s;
	struct bl_chunk c;
	struct bl_error err;
	struct bl_stream_opts o = {.block_bytes = 5};
	int fd = tu_text_fd(text, sizeof(text) - 1);
	assert_int_equal(bl_stream_open(&s, fd, "s.json", &o, &err), 0);
	bl_chunk_init(&c);
	size_t n = 0;
	int rc;
	while ((rc = bl_stream_next(s, &c, &err)) == 1) {
		for (size_t i = 0; i < c.n; i++) {
			check_record(&c, &c.recs[i]);
			n++;
		}
	}
	assert_int_equal(n, 4);
	assert_int_equal(rc, BL_EINVAL);
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_bad_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
