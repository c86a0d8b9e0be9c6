/*
 * test_stream.c - the snapshot splitter: the same resources come out of every
 * shape (array, JSON lines, data/value wrappers, several pages), whatever the
 * block and chunk sizes, from a file or a pipe; exact record positions;
 * structural errors with file:line:col; the record size cap; every scan
 * variant the machine has (scalar, SSE2, AVX2) splits every input alike.
 */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>

#include "doc/stream.h"

#define MAXREC 64

struct got {
	char *text[MAXREC];
	uint32_t line[MAXREC], col[MAXREC];
	size_t n;
	size_t calls;            /* bl_stream_next calls that returned 1 */
	int rc;                  /* the final return: 0 or an error */
	struct bl_error err;
	enum bl_stream_shape shape;
};

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->text[i]);
	g->n = 0;
}

/* An fd holding text: a temporary file, or the read end of a pipe. */
static int text_fd(const char *text, size_t len, bool use_pipe)
{
	if (use_pipe) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		assert_true(len < 60000);  /* fits the pipe buffer */
		assert_int_equal(write(p[1], text, len), (ssize_t)len);
		close(p[1]);
		return p[0];
	}
	return tu_text_fd(text, len);
}

static void run_opts(struct got *g, const char *text, size_t len,
		     const struct bl_stream_opts *op, bool use_pipe)
{
	struct bl_stream *s;
	struct bl_chunk c;
	struct bl_stream_opts o = *op;
	memset(g, 0, sizeof(*g));
	int fd = text_fd(text, len, use_pipe);
	assert_int_equal(bl_stream_open(&s, fd, "snap.json", &o, &g->err), 0);
	bl_chunk_init(&c);
	int rc;
	while ((rc = bl_stream_next(s, &c, &g->err)) == 1) {
		assert_true(c.n > 0);
		assert_string_equal(c.file, "snap.json");
		g->calls++;
		for (size_t i = 0; i < c.n; i++) {
			const struct bl_record *r = &c.recs[i];
			assert_true(g->n < MAXREC);
			assert_int_equal(r->index, g->n);
			g->text[g->n] = strndup(c.buf + r->off, r->len);
			g->line[g->n] = r->line;
			g->col[g->n] = r->col;
			g->n++;
		}
	}
	g->rc = rc;
	g->shape = bl_stream_shape(s);
	if (rc < 0) {
		/* Errors are sticky. */
		struct bl_error again;
		assert_int_equal(bl_stream_next(s, &c, &again), rc);
		assert_string_equal(again.msg, g->err.msg);
	} else {
		assert_int_equal(bl_stream_next(s, &c, &g->err), 0);
	}
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(fd);
}

static void run(struct got *g, const char *text, size_t len, size_t block, size_t chunk,
		size_t max_record, bool use_pipe)
{
	struct bl_stream_opts o = {.chunk_bytes = chunk, .max_record = max_record,
				   .block_bytes = block};
	run_opts(g, text, len, &o, use_pipe);
}

#define R1 "{\"id\":\"/s/1\",\"type\":\"t\",\"name\":\"a\"}"
#define R2 "{\"id\":\"/s/2\",\"tags\":{\"x\":\"]}\\\"[{\\\\\"}}"
#define R3 "{\"id\": \"/s/3\",\n \"arr\": [1, [2, {\"k\": []}]]}"

static const size_t blocks[] = {1, 7, 64, 0};
static const size_t chunks[] = {1, 50, 0};

/* Every block size, chunk size and fd kind gives these records exactly. */
static void expect_all_ways(const char *text, enum bl_stream_shape shape, const char *const *recs,
			    const uint32_t *lines, const uint32_t *cols, size_t n)
{
	for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++)
		for (size_t ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++)
			for (int p = 0; p <= 1; p++) {
				struct got g;
				run(&g, text, strlen(text), blocks[bi], chunks[ci], 0, p);
				if (g.rc != 0)
					fail_msg("block %zu chunk %zu pipe %d: %d %u:%u %s", blocks[bi],
						 chunks[ci], p, g.rc, g.err.line, g.err.col, g.err.msg);
				assert_int_equal(g.shape, shape);
				assert_int_equal(g.n, n);
				for (size_t i = 0; i < n; i++) {
					assert_string_equal(g.text[i], recs[i]);
					assert_int_equal(g.line[i], lines[i]);
					assert_int_equal(g.col[i], cols[i]);
				}
				if (chunks[ci] == 1)
					assert_int_equal(g.calls, n);  /* one record per chunk */
				if (chunks[ci] == 0)
					assert_int_equal(g.calls, n ? 1 : 0);
				got_free(&g);
			}
}

static const char *const three[] = {R1, R2, R3};

static void test_array(void **state)
{
	(void)state;
	static const uint32_t l[] = {2, 3, 4}, c[] = {3, 3, 5};
	expect_all_ways("[\n  " R1 ",\n  " R2 ",\n    " R3 "\n]\n", BL_SHAPE_ARRAY, three, l, c, 3);
	static const uint32_t l2[] = {1, 1, 1}, c2[] = {2, 38, 76};
	expect_all_ways("[" R1 "," R2 "," R3 "]", BL_SHAPE_ARRAY, three, l2, c2, 3);
}

static void test_lines(void **state)
{
	(void)state;
	static const uint32_t l[] = {1, 2, 4}, c[] = {1, 1, 3};
	expect_all_ways(R1 "\n" R2 "\n\n  " R3 "\n", BL_SHAPE_LINES, three, l, c, 3);
	/* Concatenated values without newlines work too. */
	static const uint32_t l2[] = {1, 1, 1}, c2[] = {1, 36, 74};
	expect_all_ways(R1 R2 " " R3, BL_SHAPE_LINES, three, l2, c2, 3);
	/* Non-objects are still handed out (the engine rejects them). */
	static const char *const scalars[] = {"1", "\"x]\"", "[2]", "true", "-0.5e3"};
	static const uint32_t l3[] = {1, 1, 2, 2, 3}, c3[] = {1, 3, 1, 5, 1};
	expect_all_ways("1 \"x]\"\n[2] true\n-0.5e3", BL_SHAPE_LINES, scalars, l3, c3, 5);
	/* Shape is decided once: a later wrapper-like object is a record. */
	static const char *const two[] = {"{\"value\":\"x\"}", "{\"value\":[1]}"};
	static const uint32_t l4[] = {1, 2}, c4[] = {1, 1};
	expect_all_ways("{\"value\":\"x\"}\n{\"value\":[1]}", BL_SHAPE_LINES, two, l4, c4, 2);
}

static void test_wrappers(void **state)
{
	(void)state;
	static const uint32_t l[] = {2, 2, 3}, c[] = {11, 47, 3};
	expect_all_ways("{\"count\": 3, \"facets\": [{\"f\": [1]}],\n \"data\": [" R1 "," R2 ",\n  " R3
			"],\n \"resultTruncated\": \"false\", \"$skipToken\": null}\n",
			BL_SHAPE_WRAPPED, three, l, c, 3);
	/* ARM list pages back to back, keys in any case. */
	static const uint32_t l2[] = {1, 1, 2}, c2[] = {12, 48, 12};
	expect_all_ways("{\"value\": [" R1 "," R2 "], \"nextLink\": \"https://m/?$skiptoken=a%3D\"}\n"
			"{\"VALUE\": [" R3 "]}",
			BL_SHAPE_WRAPPED, three, l2, c2, 3);
	/* A page with an escaped key and an empty page in between. */
	static const uint32_t l3[] = {1, 3}, c3[] = {15, 11};
	static const char *const two[] = {R1, R2};
	expect_all_ways("{\"D\\u0061ta\":[" R1 "]}\n{\"value\":[], \"nextLink\":null}\n{\"data\": [" R2 "]}",
			BL_SHAPE_WRAPPED, two, l3, c3, 2);
}

static void test_empty_inputs(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum bl_stream_shape shape;
	} cases[] = {
		{"", BL_SHAPE_UNKNOWN},
		{" \n\t\r\n", BL_SHAPE_UNKNOWN},
		{"[]", BL_SHAPE_ARRAY},
		{" [ \n ] \n", BL_SHAPE_ARRAY},
		{"{\"value\": []}", BL_SHAPE_WRAPPED},
		{"{\"data\":[],\"count\":0}\n{\"data\":[]}", BL_SHAPE_WRAPPED},
		{"\xef\xbb\xbf[]", BL_SHAPE_ARRAY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_all_ways(cases[i].text, cases[i].shape, NULL, NULL, NULL, 0);
	/* A byte order mark is skipped; columns still count its bytes. */
	static const char *const one[] = {"{\"a\":1}"};
	static const uint32_t l[] = {1}, c[] = {5};
	expect_all_ways("\xef\xbb\xbf[{\"a\":1}]", BL_SHAPE_ARRAY, one, l, c, 1);
}

struct ecase {
	const char *text;
	size_t nrec;          /* records handed out before the error */
	int rc;
	uint32_t line, col;
	const char *msg;
};

static const struct ecase errors[] = {
	{"[\n{\"a\":1},\n{\"b\":", 1, BL_EINVAL, 3, 6,
	 "unexpected end of input: the value starting at line 3, column 1 is not closed"},
	{"[{\"a\":1}", 1, BL_EINVAL, 1, 9,
	 "unexpected end of input: the array starting at line 1, column 1 is not closed"},
	{"[{\"a\":1},", 1, BL_EINVAL, 1, 10,
	 "unexpected end of input: the array starting at line 1, column 1 is not closed"},
	{"{\"a\":\"abc", 0, BL_EINVAL, 1, 10,
	 "unexpected end of input: the string starting at line 1, column 6 is not closed"},
	{"{\"a\":1,", 0, BL_EINVAL, 1, 8,
	 "unexpected end of input: the object starting at line 1, column 1 is not closed"},
	{"{\"a\":1}\n\"abc", 1, BL_EINVAL, 2, 5,
	 "unexpected end of input: the string starting at line 2, column 1 is not closed"},
	{"{\"value\": [{\"a\":1}]", 1, BL_EINVAL, 1, 20,
	 "unexpected end of input: the object starting at line 1, column 1 is not closed"},
	{"{\"a\":1}\n,{\"b\":2}", 1, BL_EINVAL, 2, 1, "unexpected ',' between top-level values"},
	{"{\"a\":1}\n}", 1, BL_EINVAL, 2, 1, "unexpected '}' between top-level values"},
	{"[{\"a\":[1}]", 0, BL_EINVAL, 1, 9, "unexpected '}': the innermost open bracket is '['"},
	{"[{\"a\":1} {\"b\":2}]", 1, BL_EINVAL, 1, 10, "expected ',' or ']' after array element"},
	{"[{\"a\":1},]", 1, BL_EINVAL, 1, 10, "trailing comma before ']'"},
	{"[{\"a\":1}] x", 1, BL_EINVAL, 1, 11, "unexpected 'x' after the top-level array"},
	{"[{\"a\":1}][]", 1, BL_EINVAL, 1, 10, "unexpected '[' after the top-level array"},
	{"{\"value\":[{\"a\":1}]}\n{\"value\": 5}", 1, BL_EINVAL, 2, 11,
	 "the \"value\" member of a wrapper object must be an array of resources"},
	{"{\"value\":[], \"nextLink\": tru}", 0, BL_EINVAL, 1, 26, "invalid literal: expected 'true'"},
	{"{\"value\":[], \"next\\q\": 1}", 0, BL_EINVAL, 1, 19, "invalid escape '\\q' in string"},
	{"{\"value\":[]}{\"foo\":1}", 0, BL_EINVAL, 1, 13,
	 "object has no \"data\" or \"value\" array of resources (the first one in the file had)"},
	{"{\"value\":[]} [1]", 0, BL_EINVAL, 1, 14,
	 "unexpected '[' after a wrapper object: expected another one or the end of input"},
	{"{\"value\":[] \"x\":1}", 0, BL_EINVAL, 1, 13, "expected ',' or '}' after object member"},
	{"{\"value\" []}", 0, BL_EINVAL, 1, 10, "expected ':' after object key"},
	{"{\"value\":[],}", 0, BL_EINVAL, 1, 13, "trailing comma before '}'"},
	{"{1:2}", 0, BL_EINVAL, 1, 2, "expected a string key or '}' after '{'"},
	{"[{\"a\":1}, @]", 1, BL_EINVAL, 1, 11, "unexpected '@' in the array: expected a value"},
};

/*
 * Long records (the vector scan takes 64 bytes at a time): strings holding
 * brackets, escaped quotes and runs of backslashes, shifted one byte at a
 * time so that every tricky byte lands on every position of a 64-byte
 * block, in every shape; and pretty-printed records spanning lines.
 */
static void test_long_records(void **state)
{
	(void)state;
	enum { N = 40 };
	static char recbuf[N][512];
	const char *recs[N];
	uint32_t l[N], c[N];
	for (int shift = 0; shift < 64; shift += 3) {
		struct bl_buf lines, arr, wrap;
		bl_buf_init(&lines, 0);
		bl_buf_init(&arr, 0);
		bl_buf_init(&wrap, 0);
		bl_buf_adds(&arr, "[\n");
		bl_buf_adds(&wrap, "{\"count\": 40,\n\"data\": [");
		for (int i = 0; i < N; i++) {
			char pad[80];
			int np = (shift + i * 7) % 70;
			memset(pad, 'p', (size_t)np);
			pad[np] = '\0';
			/* \\\\\\\" is three escaped backslashes and an escaped quote; the
			 * string then ends on two escaped backslashes. */
			snprintf(recbuf[i], sizeof(recbuf[i]),
				 "{\"id\":\"/s/%d\",\"x\":\"%s\\\\\\\\\\\\\\\"]}[{\\\\\\\\\","
				 "\"k\":[{\"a\":\"}\"},[\"%s\\\"\"],{}],\n  \"z\":\"\\\\\"}",
				 i, pad, pad + np / 2);
			recs[i] = recbuf[i];
		}
		for (int i = 0; i < N; i++) {
			l[i] = (uint32_t)(2 * i + 1);
			c[i] = 1;
			bl_buf_adds(&lines, recs[i]);
			bl_buf_addc(&lines, '\n');
		}
		expect_all_ways(lines.data, BL_SHAPE_LINES, recs, l, c, N);
		for (int i = 0; i < N; i++) {
			l[i] = (uint32_t)(2 * i + 2);
			c[i] = i % 2 ? 3 : 1;
			bl_buf_adds(&arr, i % 2 ? "  " : "");
			bl_buf_adds(&arr, recs[i]);
			bl_buf_adds(&arr, i + 1 < N ? ",\n" : "\n]");
		}
		expect_all_ways(arr.data, BL_SHAPE_ARRAY, recs, l, c, N);
		for (int i = 0; i < N; i++) {
			l[i] = (uint32_t)(2 * i + 2);
			c[i] = i ? 1 : 10;
			bl_buf_adds(&wrap, recs[i]);
			bl_buf_adds(&wrap, i + 1 < N ? ",\n" : "\n], \"next\": \"]}\\\\\"}");
		}
		expect_all_ways(wrap.data, BL_SHAPE_WRAPPED, recs, l, c, N);
		bl_buf_free(&lines);
		bl_buf_free(&arr);
		bl_buf_free(&wrap);
	}
}

/* Errors found by the vector scan are placed exactly as the byte scan
 * places them, far into a long record. */
static void test_long_errors(void **state)
{
	(void)state;
	for (int np = 0; np < 140; np += 13) {
		char text[512], pad[160];
		memset(pad, 'q', (size_t)np);
		pad[np] = '\0';
		snprintf(text, sizeof(text), "{\"a\":1}\n{\"b\":\"%s\",\n \"c\":[{\"d\":\"\\\"]\"}}]}", pad);
		size_t col = strlen(" \"c\":[{\"d\":\"\\\"]\"}") + 1;
		for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
			struct got g;
			run(&g, text, strlen(text), blocks[bi], 0, 0, false);
			assert_int_equal(g.rc, BL_EINVAL);
			assert_int_equal(g.n, 1);
			assert_int_equal(g.err.line, 3);
			assert_int_equal(g.err.col, col);
			assert_string_equal(g.err.msg, "unexpected '}': the innermost open bracket is '['");
			got_free(&g);
		}
		/* An unclosed long record is reported where the input ends. */
		snprintf(text, sizeof(text), "[{\"b\":\"%s\",\"c\":[[{}]]", pad);
		for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
			struct got g;
			run(&g, text, strlen(text), blocks[bi], 0, 0, true);
			assert_int_equal(g.rc, BL_EINVAL);
			assert_int_equal(g.n, 0);
			assert_int_equal(g.err.col, strlen(text) + 1);
			assert_string_equal(g.err.msg, "unexpected end of input: the value starting at "
					    "line 1, column 2 is not closed");
			got_free(&g);
		}
	}
	/* Outside strings a backslash escapes the next byte, as inside, so
	 * the split does not depend on which scan saw the bytes; such a record
	 * is handed out and the parser rejects it. */
	static const char *const odd[] = {"{\"b\":1}", "{\"a\":\\\"}", "[\\\\]"};
	static const uint32_t l[] = {1, 2, 2}, c[] = {1, 1, 9};
	expect_all_ways("{\"b\":1}\n{\"a\":\\\"}[\\\\]", BL_SHAPE_LINES, odd, l, c, 3);
}

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const struct ecase *e = &errors[i];
		for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
			for (int p = 0; p <= 1; p++) {
				struct got g;
				run(&g, e->text, strlen(e->text), blocks[bi], 0, 0, p);
				if (g.rc != e->rc || g.n != e->nrec || g.err.line != e->line ||
				    g.err.col != e->col || strcmp(g.err.msg, e->msg) != 0)
					fail_msg("case %zu block %zu: rc %d n %zu %u:%u \"%s\"", i,
						 blocks[bi], g.rc, g.n, g.err.line, g.err.col, g.err.msg);
				assert_string_equal(g.err.file, "snap.json");
				/* Records before the error come first, in their own call. */
				assert_int_equal(g.calls, e->nrec ? 1 : 0);
				got_free(&g);
			}
		}
	}
}

static void test_max_record(void **state)
{
	(void)state;
	struct got g;
	const char *text = "{\"a\":1}\n{\"a\":\"0123456789abcdef\"}\n";
	for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
		run(&g, text, strlen(text), blocks[bi], 0, 16, false);
		assert_int_equal(g.rc, BL_ELIMIT);
		assert_int_equal(g.n, 1);
		assert_string_equal(g.err.msg, "resource at line 2 is larger than 16 bytes");
		assert_int_equal(g.err.line, 2);
		assert_int_equal(g.err.col, 1);
		got_free(&g);
	}
	/* A record of exactly the cap passes. */
	run(&g, text, strlen(text), 7, 0, 25, true);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 2);
	got_free(&g);

	/* In MiB, inside an array, from a file. */
	size_t big = ((size_t)1 << 20) + 100;
	char *buf = malloc(big + 64);
	assert_non_null(buf);
	size_t n = 0;
	n += (size_t)snprintf(buf, 64, "[\n{\"a\":1},\n {\"s\":\"");
	memset(buf + n, 'x', big);
	n += big;
	memcpy(buf + n, "\"}]", 3);
	n += 3;
	run(&g, buf, n, 0, 0, (size_t)1 << 20, false);
	assert_int_equal(g.rc, BL_ELIMIT);
	assert_string_equal(g.err.msg, "resource at line 3 is larger than 1 MiB");
	assert_int_equal(g.err.line, 3);
	assert_int_equal(g.err.col, 2);
	assert_int_equal(g.n, 1);
	got_free(&g);
	/* Under the default 64 MiB cap the same file streams fine. */
	run(&g, buf, n, 4096, 0, 0, false);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(strlen(g.text[1]), big + 8);
	got_free(&g);
	free(buf);
}

static void test_chunks_and_io(void **state)
{
	(void)state;
	/* Many records: chunks stay near their target size and indices run on. */
	struct bl_buf b;
	bl_buf_init(&b, 0);
	bl_buf_addc(&b, '[');
	for (int i = 0; i < 1000; i++)
		bl_buf_printf(&b, "%s{\"id\":\"/r/%04d\"}", i ? "," : "", i);
	bl_buf_addc(&b, ']');
	char path[] = "/tmp/test_stream_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	lseek(fd, 0, SEEK_SET);
	struct bl_stream *s;
	struct bl_chunk c;
	struct bl_error err;
	struct bl_stream_opts o = {.chunk_bytes = 1000, .block_bytes = 333};
	assert_int_equal(bl_stream_open(&s, fd, "many.json", &o, &err), 0);
	assert_int_equal(bl_stream_shape(s), BL_SHAPE_UNKNOWN);
	bl_chunk_init(&c);
	uint64_t next = 0;
	size_t chunks_seen = 0;
	int rc;
	while ((rc = bl_stream_next(s, &c, &err)) == 1) {
		chunks_seen++;
		size_t bytes = 0;
		for (size_t i = 0; i < c.n; i++) {
			bytes += c.recs[i].len;
			assert_true(c.recs[i].off + c.recs[i].len <= c.len);
		}
		assert_true(bytes >= 1000 || next + c.n == 1000);
		assert_true(bytes < 1000 + 16);  /* target plus one record */
		for (size_t i = 0; i < c.n; i++) {
			char want[32];
			snprintf(want, sizeof(want), "{\"id\":\"/r/%04d\"}", (int)next);
			assert_int_equal(c.recs[i].index, next);
			assert_int_equal(c.recs[i].len, strlen(want));
			assert_memory_equal(c.buf + c.recs[i].off, want, strlen(want));
			assert_int_equal(c.recs[i].col, 2 + 17 * next);
			next++;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(next, 1000);
	assert_int_equal(chunks_seen, 16);
	assert_int_equal(bl_stream_shape(s), BL_SHAPE_ARRAY);
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(fd);
	bl_buf_free(&b);

	/* A read error is BL_EIO. */
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(bl_stream_open(&s, dfd, "/tmp", NULL, &err), 0);
	bl_chunk_init(&c);
	assert_int_equal(bl_stream_next(s, &c, &err), BL_EIO);
	assert_true(strncmp(err.msg, "read error: ", 12) == 0);
	assert_string_equal(err.file, "/tmp");
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(dfd);
	bl_stream_close(NULL);
}

/* The variants the vector scans are checked against the scalar one with. */
static const enum bl_stream_scan variants[] = {BL_SCAN_AUTO, BL_SCAN_SSE2, BL_SCAN_AVX2};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* a and b hold the same records and the same end. */
static void assert_same(const struct got *a, const struct got *b)
{
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->text[i], b->text[i]);
		assert_int_equal(a->line[i], b->line[i]);
		assert_int_equal(a->col[i], b->col[i]);
	}
	if (a->rc) {
		assert_int_equal(a->err.line, b->err.line);
		assert_int_equal(a->err.col, b->err.col);
		assert_string_equal(a->err.msg, b->err.msg);
	}
}

/* The vector scans and the byte-at-a-time scan (scalar_scan) agree on
 * boundaries and errors, including the bytes the vector scan's one-compare
 * bracket test lets through ('Y', 'y', '_', 0x7F: skipped, not brackets),
 * backslashes outside strings, and mismatched brackets after them; each
 * interesting byte is moved over every position of a 64-byte block. */
static void test_vector_matches_scalar(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"\"k\":[1,y_Y\x7f,{\"a\":[]}]}",              /* one record */
		"\"k\":[Y,{}_],\"m\":\"y]\"}\n{\"n\":0}",       /* two records */
		"\"k\":\\\"[]}\n{\"n\":_}",                   /* backslash outside */
		"\"k\":[y{}_}",                                  /* '}' closes '[' */
		"\"k\":{\"_\":[Y]]",                              /* ']' closes '{' */
		"\"k\":\"\\\\\",\"y\":[\"\\\"]\"]}",           /* escaped runs */
	};
	for (size_t bi = 0; bi < sizeof(bodies) / sizeof(bodies[0]); bi++)
		for (int np = 0; np < 70; np++) {
			char text[256], pad[80];
			memset(pad, 'p', (size_t)np);
			pad[np] = '\0';
			/* after a first record, so that the shape is lines and the
			 * record is scanned, not validated member by member */
			snprintf(text, sizeof(text), "{}\n{\"pad\":\"%s\",%s", pad, bodies[bi]);
			struct bl_stream_opts o = {0};
			struct got vec, ref;
			o.scalar_scan = true;
			run_opts(&ref, text, strlen(text), &o, false);
			o.scalar_scan = false;
			for (size_t vi = 0; vi < NVARIANTS; vi++) {
				if (!bl_stream_scan_supported(variants[vi]))
					continue;
				o.scan = variants[vi];
				run_opts(&vec, text, strlen(text), &o, false);
				assert_same(&vec, &ref);
				got_free(&vec);
			}
			/* The stray letters are not brackets: the first body is one
			 * record that ends at its last byte. */
			if (bi == 0) {
				assert_int_equal(ref.rc, 0);
				assert_int_equal(ref.n, 2);
				assert_string_equal(ref.text[1], text + 3);
			}
			if (bi == 3 || bi == 4) {
				assert_int_equal(ref.rc, BL_EINVAL);
				assert_int_equal(ref.err.line, 2);
				assert_int_equal(ref.err.col, strlen(text) - 3);
			}
			got_free(&ref);
		}
}

/* Forcing a variant: the stream uses exactly it when the machine has it
 * and refuses to open otherwise (never silently another one); AUTO takes
 * the fastest one there is, and scalar_scan wins over scan. */
static void test_scan_variants(void **state)
{
	(void)state;
	const enum bl_stream_scan all[] = {BL_SCAN_SCALAR, BL_SCAN_SSE2, BL_SCAN_AVX2};
	assert_true(bl_stream_scan_supported(BL_SCAN_AUTO));
	assert_true(bl_stream_scan_supported(BL_SCAN_SCALAR));
	assert_false(bl_stream_scan_supported((enum bl_stream_scan)99));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct bl_stream_opts o = {.scan = all[i]};
		struct bl_stream *s;
		struct bl_error err = {0};
		int rc = bl_stream_open(&s, 0, "snap.json", &o, &err);
		if (bl_stream_scan_supported(all[i])) {
			assert_int_equal(rc, 0);
			assert_int_equal(bl_stream_scan_used(s), all[i]);
			bl_stream_close(s);
			o.scalar_scan = true;
			assert_int_equal(bl_stream_open(&s, 0, "snap.json", &o, &err), 0);
			assert_int_equal(bl_stream_scan_used(s), BL_SCAN_SCALAR);
			bl_stream_close(s);
		} else {
			assert_int_equal(rc, BL_EINVAL);
			assert_null(s);
			assert_true(strstr(err.msg, "this machine has no") != NULL);
		}
	}
	struct bl_stream_opts o = {.scan = (enum bl_stream_scan)99};
	struct bl_stream *s;
	struct bl_error err = {0};
	assert_int_equal(bl_stream_open(&s, 0, "snap.json", &o, &err), BL_EINVAL);
	o.scan = BL_SCAN_AUTO;
	assert_int_equal(bl_stream_open(&s, 0, "snap.json", &o, &err), 0);
	enum bl_stream_scan best = bl_stream_scan_supported(BL_SCAN_AVX2) ? BL_SCAN_AVX2 :
				   bl_stream_scan_supported(BL_SCAN_SSE2) ? BL_SCAN_SSE2 :
				   BL_SCAN_SCALAR;
	assert_int_equal(bl_stream_scan_used(s), best);
	bl_stream_close(s);
}

/*
 * Every variant against the scalar scan with quotes, backslash runs (1 to
 * 6, so that the escape carries into the next block or not) and brackets
 * moved over every byte of the first two 64-byte blocks, 31/32 and 63/64
 * included (the vector scans' blocks start at the byte after the record's
 * '{'; the AVX2 one loads 32 bytes at a time), inside and outside strings
 * (a long key or whitespace before them), with reads of
 * every size from one byte to the whole input so that a block's scan state
 * crosses reads.  Valid records, unclosed strings and mismatched brackets
 * alike.
 */
static void test_variants_block_edges(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"\"a\":\"\",\"b\":\"\"",                    /* quotes */
		"\"a\":[[{}],{\"b\":[]}]",                     /* brackets */
		"\"a\":\"]}\",\"b\":[\"[{\"]",                /* brackets in strings */
		"\"a\":{\"b\":[}]",                            /* mismatch */
		"\"a\":\\[]",                                 /* backslash outside */
		"\"a\":\"x",                                   /* string on to the tail */
	};
	static const size_t reads[] = {0, 1, 33};
	/* AUTO is one of these */
	static const enum bl_stream_scan vector[] = {BL_SCAN_SSE2, BL_SCAN_AVX2};
	size_t compared = 0;
	for (size_t bi = 0; bi < sizeof(bodies) / sizeof(bodies[0]) + 6; bi++)
		for (int where = 0; where < 2; where++)
			for (int np = 26; np <= 132; np++) {
				char body[64], text[300];
				if (bi < sizeof(bodies) / sizeof(bodies[0])) {
					snprintf(body, sizeof(body), "%s", bodies[bi]);
				} else {
					/* a run of k backslashes then a quote: escaped
					 * when k is odd, so the string goes on */
					size_t k = bi - sizeof(bodies) / sizeof(bodies[0]) + 1;
					char run[8];
					memset(run, '\\', k);
					run[k] = '\0';
					snprintf(body, sizeof(body), "\"a\":\"%s\",\"b\":[\"]\"]", run);
				}
				/* a tail of more than a block after the body, so that
				 * the block after an edge is a vector one too (a
				 * carried escape or string meets a full block) */
				const char *tail = ",\"t\":\"tttttttttttttttttttttttttttttttttttt"
						   "tttttttttttttttttttttttttttttttttttt\"}\n{}";
				if (where == 0)  /* the pad is a string: edges inside one */
					snprintf(text, sizeof(text), "{}\n{\"%.*s\":0,%s%s", np - 4,
						 "pppppppppppppppppppppppppppppppppppppppppppppppppp"
						 "pppppppppppppppppppppppppppppppppppppppppppppppppp"
						 "pppppppppppppppppppppppppppppppp", body, tail);
				else  /* the pad is whitespace: edges outside strings */
					snprintf(text, sizeof(text), "{}\n{%*s%s%s", np, "", body, tail);
				size_t len = strlen(text);
				struct got ref, vec;
				struct bl_stream_opts o = {.scalar_scan = true};
				run_opts(&ref, text, len, &o, true);  /* a pipe: cheaper */
				for (size_t ri = 0; ri < sizeof(reads) / sizeof(reads[0]); ri++)
					for (size_t vi = 0; vi < 2; vi++) {
						if (!bl_stream_scan_supported(vector[vi]))
							continue;
						struct bl_stream_opts v = {.block_bytes = reads[ri],
									   .scan = vector[vi]};
						run_opts(&vec, text, len, &v, true);
						assert_same(&vec, &ref);
						got_free(&vec);
						compared++;
					}
				/* what the reference says, for the inputs whose outcome
				 * is plain */
				if (bi == 1) {
					assert_int_equal(ref.rc, 0);
					assert_int_equal(ref.n, 3);
				} else if (bi == 3) {
					assert_int_equal(ref.rc, BL_EINVAL);
					assert_true(strstr(ref.err.msg, "unexpected '}'") != NULL);
				} else if (bi >= sizeof(bodies) / sizeof(bodies[0])) {
					size_t k = bi - sizeof(bodies) / sizeof(bodies[0]) + 1;
					/* even run: the string closes and the record and
					 * "{}" follow; odd: it closes one quote later and
					 * the ']' after "b" meets '{' */
					assert_int_equal(ref.rc, k % 2 ? BL_EINVAL : 0);
					if (k % 2 == 0)
						assert_int_equal(ref.n, 3);
				}
				got_free(&ref);
			}
	assert_true(compared > 1000);
}

/* Deep nesting: the vector scans hand an opener that finds the bracket
 * stack full (64 at first) and a closer that does not match to the scalar
 * rules and go on after it; every variant agrees with the scalar scan on
 * depths around the stack's sizes, with the mismatch at each depth. */
static void test_variants_deep(void **state)
{
	(void)state;
	static const size_t depths[] = {63, 64, 65, 127, 128, 129, 300};
	static const size_t reads[] = {0, 1, 33};
	static const enum bl_stream_scan vector[] = {BL_SCAN_SSE2, BL_SCAN_AVX2};
	for (size_t di = 0; di < sizeof(depths) / sizeof(depths[0]); di++)
		for (size_t step = 0; step <= 10; step++) {
			/* bad == d: all match; else the closer of depth bad is
			 * the other kind */
			size_t d = depths[di], bad = step == 10 ? d : step * d / 10;
			char text[700];
			size_t n = (size_t)snprintf(text, sizeof(text), "{}\n{\"a\":");
			for (size_t i = 0; i < d; i++)
				text[n++] = i % 3 ? '[' : '{';
			for (size_t i = d; i-- > 0;) {
				char close = i % 3 ? ']' : '}';
				if (i == bad)
					close = close == ']' ? '}' : ']';
				text[n++] = close;
			}
			n += (size_t)snprintf(text + n, sizeof(text) - n, "}\n{}");
			struct got ref, vec;
			struct bl_stream_opts o = {.scalar_scan = true};
			run_opts(&ref, text, n, &o, true);
			if (bad == d) {
				assert_int_equal(ref.rc, 0);
				assert_int_equal(ref.n, 3);
			} else {
				assert_int_equal(ref.rc, BL_EINVAL);
			}
			for (size_t ri = 0; ri < sizeof(reads) / sizeof(reads[0]); ri++)
				for (size_t vi = 0; vi < 2; vi++) {
					if (!bl_stream_scan_supported(vector[vi]))
						continue;
					struct bl_stream_opts v = {.block_bytes = reads[ri],
								   .scan = vector[vi]};
					run_opts(&vec, text, n, &v, true);
					assert_same(&vec, &ref);
					got_free(&vec);
				}
			got_free(&ref);
		}
}

/* Records are not copied: a chunk keeps the buffer they were read into.
 * So the records of a chunk held by one worker must stay intact while the
 * stream fills other chunks (the engine's slots), whatever the sizes. */
static bool chunk_holds(const struct bl_chunk *c, uint64_t *next)
{
	for (size_t i = 0; i < c->n; i++) {
		char want[32];
		snprintf(want, sizeof(want), "{\"id\":\"/r/%04d\"}", (int)c->recs[i].index);
		if (c->recs[i].index != *next || c->recs[i].len != strlen(want) ||
		    c->recs[i].off + c->recs[i].len > c->len ||
		    memcmp(c->buf + c->recs[i].off, want, strlen(want)) != 0)
			return false;
		(*next)++;
	}
	return true;
}

static void test_chunks_held_apart(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b, 0);
	for (int i = 0; i < 3000; i++) {
		char rec[32];
		snprintf(rec, sizeof(rec), "{\"id\":\"/r/%04d\"}%s", i, i % 3 ? "\n" : " ");
		bl_buf_adds(&b, rec);
	}
	static const size_t sizes[][2] = {{1000, 333}, {100, 7}, {5000, 0}, {0, 4096}};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int fd = text_fd(b.data, b.len, false);
		struct bl_stream *s;
		struct bl_error err;
		struct bl_stream_opts o = {.chunk_bytes = sizes[k][0], .block_bytes = sizes[k][1]};
		assert_int_equal(bl_stream_open(&s, fd, "held.json", &o, &err), 0);
		struct bl_chunk c[3];
		for (int i = 0; i < 3; i++)
			bl_chunk_init(&c[i]);
		uint64_t filled = 0, checked = 0;
		int rc = 1;
		/* fill chunk i while chunks i-1 and i-2 are still held, then check
		 * the oldest one before it is handed back */
		for (size_t i = 0; rc == 1; i++) {
			struct bl_chunk *now = &c[i % 3], *old = &c[(i + 1) % 3];
			rc = bl_stream_next(s, now, &err);
			assert_true(rc >= 0);
			filled += rc == 1 ? now->n : 0;
			if (i >= 2 || rc == 0)
				assert_true(chunk_holds(old, &checked));
			if (rc == 0)
				assert_true(chunk_holds(&c[(i + 2) % 3], &checked));
		}
		assert_int_equal(filled, 3000);
		assert_int_equal(checked, 3000);
		for (int i = 0; i < 3; i++)
			bl_chunk_free(&c[i]);
		bl_stream_close(s);
		close(fd);
	}
	bl_buf_free(&b);
}

/* Each record handed out parses with its positions (the engine's use). */
static void test_records_parse_in_place(void **state)
{
	(void)state;
	const char *text = "{\"value\": [\n  {\"id\": \"a\",\n   \"bad\": tru},\n  {\"id\": \"b\"}]}";
	struct got g;
	run(&g, text, strlen(text), 5, 0, 0, true);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 2);
	struct bl_arena a;
	struct bl_error err;
	const struct bl_value *v;
	bl_arena_init(&a, 0);
	struct bl_json_opts o = {.line0 = g.line[0], .col0 = g.col[0]};
	assert_int_equal(bl_json_parse(&v, &a, g.text[0], strlen(g.text[0]), "snap.json", &o, &err),
			 BL_EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 11);
	o.line0 = g.line[1];
	o.col0 = g.col[1];
	assert_int_equal(bl_json_parse(&v, &a, g.text[1], strlen(g.text[1]), "snap.json", &o, &err), 0);
	assert_int_equal(v->u.obj.items[0].val.line, 4);
	assert_int_equal(v->u.obj.items[0].val.col, 10);
	bl_arena_free(&a);
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_records),
		cmocka_unit_test(test_long_errors),
		cmocka_unit_test(test_max_record),
		cmocka_unit_test(test_chunks_and_io),
		cmocka_unit_test(test_vector_matches_scalar),
		cmocka_unit_test(test_scan_variants),
		cmocka_unit_test(test_variants_block_edges),
		cmocka_unit_test(test_variants_deep),
		cmocka_unit_test(test_chunks_held_apart),
		cmocka_unit_test(test_records_parse_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
