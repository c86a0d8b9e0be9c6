/*
 * fuzz_stream.c - libFuzzer target for the snapshot splitter: arbitrary
 * bytes are split twice, once read in one block and once in tiny blocks
 * (through a pipe when small) with tiny chunks; both must hand out exactly
 * the same records (bytes, line, col, index) and end the same way.  A third
 * split reads one block with the byte-at-a-time scan only (scalar_scan): the
 * vector scans must agree with it on every boundary and error.  So each scan
 * variant this machine has (SSE2, AVX2: opts.scan) is forced in turn, read
 * in one block and in the tiny blocks, so that its 64-byte blocks also
 * start at every offset and carry their state across reads.  The first
 * input byte picks the block and chunk sizes.  Every chunk keeps the
 * promise the padded reader relies on (stream.h): zero padding after its
 * last record, and a control character after each record that the next one
 * does not start right at.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "doc/json.h"
#include "doc/stream.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rec {
	size_t off, len;
	uint32_t line, col;
	uint64_t index;
};

struct result {
	char *bytes;
	size_t len;
	struct rec *recs;
	size_t n;
	int rc;
	struct bl_error err;
};

static int fd_for(const uint8_t *data, size_t size, int use_pipe)
{
	if (use_pipe) {
		int p[2];
		if (pipe(p) != 0)
			abort();
		if (size && write(p[1], data, size) != (ssize_t)size)
			abort();
		close(p[1]);
		return p[0];
	}
	int fd = memfd_create("fuzz_stream", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void split(struct result *r, const uint8_t *data, size_t size, size_t block,
		  size_t chunk, int use_pipe, enum bl_stream_scan scan)
{
	struct bl_stream_opts o = {.chunk_bytes = chunk, .block_bytes = block, .max_record = 4096,
				   .scan = scan};
	struct bl_stream *s;
	struct bl_chunk c;
	memset(r, 0, sizeof(*r));
	int fd = fd_for(data, size, use_pipe);
	if (bl_stream_open(&s, fd, "f", &o, &r->err) != 0 ||
	    (scan != BL_SCAN_AUTO && bl_stream_scan_used(s) != scan))
		abort();
	bl_chunk_init(&c);
	int rc;
	while ((rc = bl_stream_next(s, &c, &r->err)) == 1) {
		if (c.n == 0 || c.len + BL_JSON_PAD > c.cap)
			abort();
		for (size_t i = 0; i < BL_JSON_PAD; i++)
			if (c.buf[c.len + i] != '\0')
				abort();
		for (size_t i = 0; i + 1 < c.n; i++) {
			size_t e = c.recs[i].off + c.recs[i].len;
			if (e != c.recs[i + 1].off && (unsigned char)c.buf[e] >= 0x20)
				abort();
		}
		r->recs = realloc(r->recs, (r->n + c.n) * sizeof(*r->recs));
		r->bytes = realloc(r->bytes, r->len + c.len + 1);
		if (!r->recs || !r->bytes)
			abort();
		for (size_t i = 0; i < c.n; i++) {
			const struct bl_record *x = &c.recs[i];
			if (x->off + x->len > c.len || x->len == 0 || x->line == 0 || x->col == 0)
				abort();
			r->recs[r->n++] = (struct rec){r->len, x->len, x->line, x->col, x->index};
			memcpy(r->bytes + r->len, c.buf + x->off, x->len);
			r->len += x->len;
		}
	}
	r->rc = rc;
	if (rc < 0 && bl_stream_next(s, &c, &r->err) != rc)
		abort();  /* errors are sticky */
	if (rc == 0 && bl_stream_next(s, &c, &r->err) != 0)
		abort();
	bl_chunk_free(&c);
	bl_stream_close(s);
	close(fd);
}

/* Abort unless a and b hold the same records and the same end. */
static void same(const struct result *a, const struct result *b)
{
	if (a->rc != b->rc || a->n != b->n || a->len != b->len ||
	    (a->len && memcmp(a->bytes, b->bytes, a->len) != 0))
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const struct rec *x = &a->recs[i], *y = &b->recs[i];
		if (x->off != y->off || x->len != y->len || x->line != y->line ||
		    x->col != y->col || x->index != i || y->index != i)
			abort();
	}
	if (a->rc < 0 && (a->err.line != b->err.line || a->err.col != b->err.col ||
			  strcmp(a->err.msg, b->err.msg) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t block = 1 + (data[0] & 15);
	size_t chunk = 1 + (size_t)(data[0] >> 4) * 8;
	data++;
	size--;
	struct result whole, bits, scalar;
	split(&whole, data, size, size + 1, 0, 0, BL_SCAN_AUTO);
	split(&bits, data, size, block, chunk, size < 60000, BL_SCAN_AUTO);
	split(&scalar, data, size, size + 1, 0, 0, BL_SCAN_SCALAR);
	same(&whole, &bits);
	same(&whole, &scalar);
	static const enum bl_stream_scan forced[] = {BL_SCAN_SSE2, BL_SCAN_AVX2};
	for (size_t i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
		if (!bl_stream_scan_supported(forced[i]))
			continue;
		struct result v;
		for (int tiny = 0; tiny <= 1; tiny++) {
			split(&v, data, size, tiny ? block : size + 1, tiny ? chunk : 0, 0, forced[i]);
			same(&scalar, &v);
			free(v.bytes);
			free(v.recs);
		}
	}
	free(whole.bytes);
	free(whole.recs);
	free(bits.bytes);
	free(bits.recs);
	free(scalar.bytes);
	free(scalar.recs);
	return 0;
}
