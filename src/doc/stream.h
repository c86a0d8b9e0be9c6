/*
 * stream.h - split a snapshot file into resources without loading it whole.
 *
 * A snapshot is read in large blocks into *chunks*; a chunk holds a run of
 * complete top-level records (their raw bytes plus positions) so that worker
 * threads can parse them independently.  Record boundaries are found by a
 * structural scan (strings, escapes, nesting) that does not build values;
 * the bytes are fully validated later by bl_json_parse, so a malformed
 * record is always reported.
 *
 * Shapes, detected once per file from the first top-level value:
 *   - one JSON array: each element is a record (streamed element by element);
 *   - JSON lines / concatenated values: each top-level value is a record;
 *   - an object with a "data" or "value" array (Azure Resource Graph, ARM
 *     list responses, possibly several such pages one after another): the
 *     array elements are the records; the wrapper's other members are
 *     validated and ignored.
 * Memory is bounded by the chunk size plus the largest record (capped by
 * max_record; a larger record is an error naming its line).
 */
#ifndef BL_DOC_STREAM_H
#define BL_DOC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum bl_stream_shape {
	BL_SHAPE_UNKNOWN = 0,
	BL_SHAPE_ARRAY,      /* [ {...}, {...} ] */
	BL_SHAPE_LINES,      /* {...}\n{...} (or any whitespace between values) */
	BL_SHAPE_WRAPPED,    /* {"data": [...]} or {"value": [...]} */
};

struct bl_record {
	size_t off;          /* byte offset of the record in chunk->buf */
	size_t len;
	uint32_t line, col;  /* position of its first byte in the file */
	uint64_t index;      /* 0-based record number within the file */
};

/* Filled by bl_stream_next; owned and recycled by the caller.  The records
 * are not copied: buf is the read buffer they were found in (malloc'd),
 * and the chunk's previous buffer becomes the stream's next read buffer.
 * buf[len .. len + BL_JSON_PAD) (json.h) are zero bytes, so every record
 * may be parsed with bl_json_opts.padded; and the byte after a record is a
 * control character unless the next record starts right there: what the
 * input has there if it is one (a JSON lines newline), else a NUL that
 * replaced it (the ',' between array elements; the bytes between records
 * are not kept), which is what lets the reader use its padded loop. */
struct bl_chunk {
	char *buf;           /* holds the records (and bytes between them) */
	size_t len, cap;     /* len: end of the last record in buf */
	struct bl_record *recs;
	size_t n, rcap;
	const char *file;    /* the stream's file name (owned by the stream) */
};

/* The structural scan of container values.  Every variant hands out the
 * same records and the same errors; AUTO takes the fastest one the CPU has
 * (decided once, when the stream opens).  The others are forced by tests
 * and the fuzz target, to check the vector scans against the byte-at-a-time
 * reference. */
enum bl_stream_scan {
	BL_SCAN_AUTO = 0,
	BL_SCAN_SCALAR,      /* byte at a time: portable, the reference */
	BL_SCAN_SSE2,        /* 64-byte blocks as bit masks, SSE2 */
	BL_SCAN_AVX2,        /* the same with AVX2 and PCLMULQDQ (x86-64) */
};

struct bl_stream_opts {
	size_t chunk_bytes;  /* target bytes of records per chunk; 0 = 1 MiB */
	size_t max_record;   /* largest record accepted; 0 = 64 MiB */
	size_t block_bytes;  /* read size; 0 = 1 MiB */
	bool scalar_scan;    /* byte-at-a-time scan only: the reference the
				vector scan is checked against (tests, fuzz);
				same as scan = BL_SCAN_SCALAR, wins over scan */
	enum bl_stream_scan scan;  /* 0 (AUTO) unless a test forces one */
};

/* Whether this build on this CPU has the scan variant (AUTO and SCALAR:
 * always). */
bool bl_stream_scan_supported(enum bl_stream_scan v);

struct bl_stream;

/* Open a stream over fd (not closed by the stream).  file names it in
 * messages ("-" for stdin).  Returns 0, BL_ENOMEM, or BL_EINVAL when
 * opts->scan forces a variant this machine does not have. */
int bl_stream_open(struct bl_stream **out, int fd, const char *file,
		   const struct bl_stream_opts *opts, struct bl_error *err);

/* The scan variant the stream uses (never AUTO). */
enum bl_stream_scan bl_stream_scan_used(const struct bl_stream *s);

/*
 * Fill chunk with the next records (replacing its previous content and
 * taking its buffer: nothing may point into the old chunk->buf after).
 * Returns 1 when chunk holds at least one record, 0 at the clean end of the
 * input, or a negative code: BL_EINVAL for structurally broken input (err
 * names file:line:col), BL_ELIMIT for an oversize record, BL_EIO for a read
 * error, BL_ENOMEM.  An input that holds no resource at all (empty file,
 * "[]", {"value": []}) simply ends.
 */
int bl_stream_next(struct bl_stream *s, struct bl_chunk *chunk, struct bl_error *err);

/* The detected shape (BL_SHAPE_UNKNOWN before the first record). */
enum bl_stream_shape bl_stream_shape(const struct bl_stream *s);

void bl_stream_close(struct bl_stream *s);

void bl_chunk_init(struct bl_chunk *c);
void bl_chunk_free(struct bl_chunk *c);

#endif
