/*
 * stream.c - split a snapshot into records without loading it (see stream.h).
 *
 * The file is read in blocks into one buffer that keeps only the bytes still
 * needed (the records of the chunk being filled and the value being
 * scanned); everything before is dropped when the next block comes in.  A
 * full chunk takes that buffer as it is, so records are never copied: the
 * stream goes on in the chunk's previous buffer, into which only the bytes
 * after the chunk's last record are copied (reads are sized so that these
 * are about 1% of the input).  Memory stays at about one chunk per chunk in
 * use plus the largest record.  Records are found by a structural scan that
 * follows strings, escapes and bracket nesting but builds no values; all
 * scan state lives in the stream, so a record may be split across any
 * number of blocks (the tests use 7-byte blocks).  With SSE2 the scan takes
 * 64 bytes at a time as bit masks (quotes, brackets, and backslashes only
 * in the rare blocks that have one; strings by prefix xor) and only visits
 * the brackets outside strings, about 2 instructions per byte instead of
 * 10; with AVX2 and PCLMULQDQ (chosen once per stream from the CPU, the
 * binary still runs on any x86-64) it takes two 32-byte loads per block and
 * a carry-less multiply for the prefix xor, about 1.1.  The byte-at-a-time
 * scan finishes what is left and is the portable fallback, with exactly the
 * same rules and state (fuzz_stream and the unit tests check every variant
 * against it).
 * Line numbers are counted lazily with memchr, in order, only up to the
 * positions that are asked for.
 *
 * A wrapper's members other than its record array are small (nextLink,
 * count, facets): they are validated with bl_json_parse into a scratch arena
 * and dropped, so a broken wrapper is reported even though it holds no
 * resource.  The first top-level object is validated the same way while the
 * scan decides whether it is a wrapper or a record.
 *
 * Errors are sticky: records completed before an error are handed out first
 * and the error comes with the following call, so what a caller sees does not
 * depend on block or chunk sizes.
 */
#include "doc/stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "doc/json.h"
#include "util/arena.h"
#include "util/str.h"

#define MIB ((size_t)1 << 20)

enum state {
	ST_START,
	ST_LINES,      /* between top-level records */
	ST_ARR_FIRST,  /* after '[': a record or ']' */
	ST_ARR_ELEM,   /* after ',': a record */
	ST_ARR_SEP,    /* after a record: ',' or ']' */
	ST_AFTER_ARR,  /* after the top-level array: only whitespace */
	ST_OBJ_FIRST,  /* after a wrapper's '{': a key or '}' */
	ST_OBJ_KEY,    /* after ',' in a wrapper: a key */
	ST_OBJ_COLON,
	ST_OBJ_VALUE,
	ST_OBJ_SEP,    /* after a member: ',' or '}' */
	ST_WRAP_NEXT,  /* after a wrapper: another wrapper or the end */
	ST_REC_SCAN,   /* scanning a record */
	ST_KEY_SCAN,   /* scanning a wrapper key */
	ST_VAL_SCAN,   /* scanning a wrapper member value */
	ST_END,
};

enum scan_kind { SK_CONTAINER, SK_STRING, SK_SCALAR };

struct bl_stream {
	int fd;
	char *file;
	size_t chunk_bytes, max_record, block_bytes;
	enum bl_stream_scan scan;  /* never AUTO */

	char *rbuf;              /* bytes [base, base + rlen) of the input */
	size_t rlen, rcap;
	uint64_t base;
	uint64_t pos;            /* next byte to look at */
	bool eof;

	uint64_t lc_pos;         /* newlines counted up to here */
	uint32_t lc_line;
	uint64_t lc_line_start;

	enum state state, after_rec;
	enum bl_stream_shape shape;
	bool detecting;          /* first object: wrapper or record? */
	bool in_wrapper;         /* the open array is a wrapper's records */
	bool wrap_seen;          /* this wrapper already had its record array */
	bool key_is_records;     /* the current key is "data" or "value" */
	bool bom_checked;

	/* the value being scanned */
	uint64_t sc_start;
	uint32_t sc_line, sc_col;
	enum scan_kind sc_kind;
	size_t sc_depth;
	bool sc_in_str, sc_esc;
	unsigned char *brk;      /* open brackets of the value */
	size_t brkcap;

	uint64_t obj_start;      /* current wrapper (or first object) */
	uint32_t obj_line, obj_col;
	uint32_t arr_line, arr_col;
	char key[8];             /* "data"/"value" in the records array's key */

	/* the chunk being filled: its first record starts at ck_start, and no
	 * byte from there on is dropped until the chunk takes the buffer */
	bool ck_open;
	uint64_t ck_start;
	size_t ck_bytes;         /* record bytes in it (chunk_bytes counts these) */

	uint64_t index;
	int failed;              /* sticky error code, 0 if none */
	struct bl_error saved;
	struct bl_arena scratch;
};

/* ---- positions ------------------------------------------------------ */

/* Count newlines up to off; off never goes backwards. */
static void lc_advance(struct bl_stream *s, uint64_t off)
{
	if (off <= s->lc_pos)
		return;
	const char *p = s->rbuf + (s->lc_pos - s->base);
	const char *e = s->rbuf + (off - s->base);
	const char *q;
	while (p < e && (q = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		s->lc_line++;
		s->lc_line_start = s->base + (uint64_t)(q - s->rbuf) + 1;
		p = q + 1;
	}
	s->lc_pos = off;
}

static void pos_of(struct bl_stream *s, uint64_t off, uint32_t *line, uint32_t *col)
{
	lc_advance(s, off);
	uint64_t c = off - s->lc_line_start + 1;
	*line = s->lc_line;
	*col = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static int serr_at(struct bl_stream *s, struct bl_error *err, int code, uint32_t line,
		   uint32_t col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int serr_at(struct bl_stream *s, struct bl_error *err, int code, uint32_t line,
		   uint32_t col, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bl_error_set(err, code, s->file, line, col, "%s", msg);
}

#define SERR(s, err, code, off, ...) \
	(pos_of((s), (off), &e_line, &e_col), \
	 serr_at((s), (err), (code), e_line, e_col, __VA_ARGS__))

static const char *describe(char *out, size_t size, char c)
{
	unsigned char u = (unsigned char)c;
	if (u > 0x20 && u < 0x7f)
		snprintf(out, size, "'%c'", u);
	else
		snprintf(out, size, "byte 0x%02X", u);
	return out;
}

static void size_text(char *out, size_t size, size_t n)
{
	if (n % MIB == 0)
		snprintf(out, size, "%zu MiB", n / MIB);
	else
		snprintf(out, size, "%zu bytes", n);
}

/* ---- input ---------------------------------------------------------- */

/* Earliest byte the current state still needs (not counting the chunk). */
static uint64_t retained(const struct bl_stream *s)
{
	if (s->detecting)
		return s->obj_start;
	switch (s->state) {
	case ST_REC_SCAN:
	case ST_KEY_SCAN:
	case ST_VAL_SCAN:
		return s->sc_start;
	default:
		return s->pos;
	}
}

/*
 * Reads ask for no more than the chunk being filled still lacks, plus a
 * slack: what the chunk does not take is copied into the stream's next
 * buffer by hand_over, so that copy stays below about the slack (1/64 of
 * a chunk, 4 KiB to 16 KiB: ~1% of the input) instead of up to a block.
 */
static size_t read_slack(const struct bl_stream *s)
{
	size_t k = s->chunk_bytes / 64;
	if (k < 4096)
		k = 4096;
	return k < 16 * 1024 ? k : 16 * 1024;
}

/* Size of a fresh read buffer: a chunk and its slack fit without growing. */
static size_t fresh_cap(const struct bl_stream *s)
{
	size_t c = s->block_bytes > s->chunk_bytes ? s->block_bytes : s->chunk_bytes;
	return c + 4 * read_slack(s);
}

/* How much the next read asks for: a block, or less when the chunk lacks
 * less.  Only the cost depends on it, never what is handed out. */
static size_t read_size(const struct bl_stream *s)
{
	size_t slack = read_slack(s);
	uint64_t anchor = s->ck_open ? s->ck_start : retained(s);
	uint64_t have = s->base + s->rlen, target = anchor + s->chunk_bytes + slack;
	uint64_t lack = target > have ? target - have : 0;
	if (lack < slack)
		lack = slack;
	return lack < s->block_bytes ? (size_t)lack : s->block_bytes;
}

/* Drop consumed bytes and read one more block.  0, BL_EIO or BL_ENOMEM. */
static int refill(struct bl_stream *s, struct bl_error *err)
{
	uint64_t keep = s->ck_open ? s->ck_start : retained(s);
	lc_advance(s, keep);
	size_t drop = (size_t)(keep - s->base);
	if (drop) {
		memmove(s->rbuf, s->rbuf + drop, s->rlen - drop);
		s->rlen -= drop;
		s->base = keep;
	}
	size_t want = read_size(s);
	/* (reads leave BL_JSON_PAD bytes free at the end of the buffer, for
	 * the padding a chunk gets in hand_over) */
	if (s->rcap - s->rlen < want + BL_JSON_PAD) {
		/* the first buffer: what this read needs plus room for the slack
		 * reads that complete the chunk (not a whole chunk: small inputs
		 * stay small) */
		size_t ncap = s->rcap ? s->rcap * 2 : want + 4 * read_slack(s);
		while (ncap - s->rlen < want + BL_JSON_PAD)
			ncap *= 2;
		char *nb = realloc(s->rbuf, ncap);
		if (!nb)
			return bl_error_set(err, BL_ENOMEM, s->file, 0, 0, "out of memory");
		s->rbuf = nb;
		s->rcap = ncap;
	}
	ssize_t n;
	do
		n = read(s->fd, s->rbuf + s->rlen, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return bl_error_set(err, BL_EIO, s->file, 0, 0, "read error: %s", strerror(errno));
	if (n == 0)
		s->eof = true;
	s->rlen += (size_t)n;
	return 0;
}

/* Skip whitespace.  1 with *c set, 0 at the end of input, or BL_EAGAIN. */
static int peek(struct bl_stream *s, char *c)
{
	const char *p = s->rbuf + (s->pos - s->base), *e = s->rbuf + s->rlen;
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	s->pos = s->base + (uint64_t)(p - s->rbuf);
	if (p < e) {
		*c = *p;
		return 1;
	}
	return s->eof ? 0 : BL_EAGAIN;
}

/* ---- structural scan ------------------------------------------------ */

static bool push_brk(struct bl_stream *s, char c)
{
	if (s->sc_depth == s->brkcap) {
		size_t ncap = s->brkcap ? s->brkcap * 2 : 64;
		unsigned char *nb = realloc(s->brk, ncap);
		if (!nb)
			return false;
		s->brk = nb;
		s->brkcap = ncap;
	}
	s->brk[s->sc_depth++] = (unsigned char)c;
	return true;
}

static inline bool scalar_end(char c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\n': case ',': case ':':
	case '[': case ']': case '{': case '}': case '"':
		return true;
	default:
		return false;
	}
}

/*
 * Start scanning the value whose first byte c is at pos.  what names the
 * place for the message when c cannot start a value.  0 or an error.
 */
static int scan_begin(struct bl_stream *s, char c, const char *what, struct bl_error *err)
{
	uint32_t e_line, e_col;
	char d[16];
	s->sc_start = s->pos;
	pos_of(s, s->pos, &s->sc_line, &s->sc_col);
	s->sc_depth = 0;
	s->sc_in_str = false;
	s->sc_esc = false;
	if (c == '{' || c == '[') {
		s->sc_kind = SK_CONTAINER;
		if (!push_brk(s, c))
			return bl_error_set(err, BL_ENOMEM, s->file, 0, 0, "out of memory");
	} else if (c == '"') {
		s->sc_kind = SK_STRING;
		s->sc_in_str = true;
	} else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
		s->sc_kind = SK_SCALAR;
		return 0;
	} else {
		return SERR(s, err, BL_EINVAL, s->pos, "unexpected %s %s",
			    describe(d, sizeof(d), c), what);
	}
	s->pos++;
	return 0;
}

static int too_big(struct bl_stream *s, struct bl_error *err)
{
	char sz[32];
	size_text(sz, sizeof(sz), s->max_record);
	if (s->detecting || s->state == ST_REC_SCAN) {
		uint32_t line = s->detecting ? s->obj_line : s->sc_line;
		return serr_at(s, err, BL_ELIMIT, line, s->detecting ? s->obj_col : s->sc_col,
			       "resource at line %u is larger than %s", line, sz);
	}
	return serr_at(s, err, BL_ELIMIT, s->sc_line, s->sc_col,
		       "wrapper member at line %u is larger than %s", s->sc_line, sz);
}

/* A bracket outside strings: push an opener, or pop a closer after checking
 * that it matches.  1 when the value's outermost bracket closed, 0 to go
 * on, or an error (positioned at the closer, at *at).  Any other byte is
 * ignored: the vector scan's one-compare bracket test also lets through
 * 'Y', 'y', '_' and 0x5F/0x7F, which valid JSON never has outside strings. */
static inline int bracket(struct bl_stream *s, const char *at, struct bl_error *err)
{
	uint32_t e_line, e_col;
	char c = *at;
	if ((c | 0x20) != '{' && (c | 0x20) != '}')
		return 0;
	if (c == '{' || c == '[') {
		if (s->sc_depth < s->brkcap)
			s->brk[s->sc_depth++] = (unsigned char)c;
		else if (!push_brk(s, c))
			return bl_error_set(err, BL_ENOMEM, s->file, 0, 0, "out of memory");
		return 0;
	}
	char open = c == '}' ? '{' : '[';
	if (s->brk[s->sc_depth - 1] != (unsigned char)open) {
		s->pos = s->base + (uint64_t)(at - s->rbuf);
		return SERR(s, err, BL_EINVAL, s->pos,
			    "unexpected '%c': the innermost open bracket is '%c'",
			    c, s->brk[s->sc_depth - 1]);
	}
	return --s->sc_depth == 0;
}

/* A block scan's answer: the bracket at *pp needs bracket() (visit_brackets). */
#define SLOW_BRACKET 2

#if defined(__SSE2__) || defined(__x86_64__)
/* The block scans' shared parts (SSE2 and AVX2). */

/*
 * Bytes escaped by a backslash: those preceded by an odd run of backslashes.
 * *carry says whether the first byte is escaped (the previous block ended in
 * an odd run) and is updated for the next block.  This is the sequential rule
 * of the scalar scan ("a backslash not itself escaped escapes the next
 * byte") evaluated for 64 bytes at once, the way simdjson does it.
 */
static inline uint64_t escaped64(uint64_t bs, uint64_t *carry)
{
	const uint64_t even = 0x5555555555555555ull;
	bs &= ~*carry;
	uint64_t follows = bs << 1 | *carry;
	uint64_t odd_starts = bs & ~even & ~follows;
	uint64_t seq_even = odd_starts + bs;
	*carry = seq_even < odd_starts;
	return (even ^ seq_even << 1) & follows;
}

/* Visit the brackets outside strings of the 64-byte block at p (bit i of brk
 * = byte p[i]) in order.  0 to go on with the next block, 1 with *pp past
 * the value's closing bracket, or SLOW_BRACKET with *pp at an opener that
 * finds the stack full or a closer that does not match: the caller hands
 * that one to bracket(), which grows the stack or reports, and resumes the
 * scan after it (outside a string, nothing escaped).  bracket()'s rules
 * with the stack depth in a register (a store into the stack could alias
 * s->sc_depth, so through s it would be reloaded on every bracket), and no
 * call, so that the block loops keep their constants in registers. */
static inline int visit_brackets(struct bl_stream *s, const char *p, uint64_t brk,
				 const char **pp)
{
	unsigned char *stk = s->brk;
	size_t depth = s->sc_depth, cap = s->brkcap;
	while (brk) {
		const char *at = p + __builtin_ctzll(brk);
		brk &= brk - 1;
		unsigned char c = (unsigned char)*at;
		/* '{' and '[' | 0x20 = '{', '}' and ']' | 0x20 = '}'; the others
		 * that pass the vector test ('Y', 'y', '_', 0x7F) are neither */
		unsigned char k = (unsigned char)(c | 0x20);
		if (k == '{' && depth < cap) {
			stk[depth++] = c;
			continue;
		}
		/* an opener's closer is the opener + 2: '[' ']', '{' '}' */
		if (k == '}' && stk[depth - 1] == (unsigned char)(c - 2)) {
			if (--depth)
				continue;
			s->sc_depth = 0;
			*pp = at + 1;
			s->sc_in_str = false;
			s->sc_esc = false;
			return 1;
		}
		if (k != '{' && k != '}')
			continue;
		s->sc_depth = depth;
		*pp = at;
		s->sc_in_str = false;
		s->sc_esc = false;
		return SLOW_BRACKET;
	}
	s->sc_depth = depth;
	return 0;
}
#endif

#if defined(__SSE2__)
/* Bit i = xor of bits 0..i: 1 inside a string (from its opening quote up to,
 * not including, its closing quote). */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/* The four compare results of a 64-byte block as one bit mask (bit i = byte i). */
static inline uint64_t movemask64(__m128i m0, __m128i m1, __m128i m2, __m128i m3)
{
	uint64_t a = (uint32_t)_mm_movemask_epi8(m0), b = (uint32_t)_mm_movemask_epi8(m1);
	uint64_t c = (uint32_t)_mm_movemask_epi8(m2), d = (uint32_t)_mm_movemask_epi8(m3);
	return a | b << 16 | c << 32 | d << 48;
}

/*
 * The container scan 64 bytes at a time: quotes, backslashes and brackets
 * become bit masks, strings become a mask by prefix xor, and only the
 * brackets outside strings are visited one by one.  Exactly the scalar
 * scan's rules and state (sc_in_str, sc_esc, the bracket stack), so the two
 * may hand over at any byte.  Returns 1 with *pp past the closing bracket,
 * 0 with *pp at the first of fewer than 64 unscanned bytes, or SLOW_BRACKET
 * (see visit_brackets).
 */
static int scan_blocks(struct bl_stream *s, const char **pp, const char *e)
{
	const char *p = *pp;
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	/* b | 0x26 == 0x7F holds for the four brackets (they differ only in bits
	 * 0x20 and 0x06) and for 'Y', 'y', '_', 0x7F, which bracket() skips: one
	 * compare instead of two per 16 bytes. */
	const __m128i brk_bits = _mm_set1_epi8(0x26), brk_val = _mm_set1_epi8(0x7F);
	uint64_t esc = s->sc_esc, in_str = s->sc_in_str ? ~0ull : 0;
	while (e - p >= 64) {
		const __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
		const __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
		const __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
		const __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
		uint64_t q = movemask64(_mm_cmpeq_epi8(v0, quote), _mm_cmpeq_epi8(v1, quote),
					_mm_cmpeq_epi8(v2, quote), _mm_cmpeq_epi8(v3, quote));
		uint64_t brk = movemask64(
			_mm_cmpeq_epi8(_mm_or_si128(v0, brk_bits), brk_val),
			_mm_cmpeq_epi8(_mm_or_si128(v1, brk_bits), brk_val),
			_mm_cmpeq_epi8(_mm_or_si128(v2, brk_bits), brk_val),
			_mm_cmpeq_epi8(_mm_or_si128(v3, brk_bits), brk_val));
		/* Backslashes are rare: test the block with one movemask and build
		 * their mask only when there is one (or the last block ended in an
		 * odd run). */
		const __m128i b0 = _mm_cmpeq_epi8(v0, bslash), b1 = _mm_cmpeq_epi8(v1, bslash);
		const __m128i b2 = _mm_cmpeq_epi8(v2, bslash), b3 = _mm_cmpeq_epi8(v3, bslash);
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(b0, b1), _mm_or_si128(b2, b3))) ||
		    esc) {
			uint64_t x = escaped64(movemask64(b0, b1, b2, b3), &esc);
			q &= ~x;
			brk &= ~x;
		}
		uint64_t str = prefix_xor(q) ^ in_str;
		in_str = (uint64_t)((int64_t)str >> 63);
		brk &= ~str;
		if (brk) {
			int rc = visit_brackets(s, p, brk, pp);
			if (rc)
				return rc;
		}
		p += 64;
	}
	s->sc_in_str = in_str != 0;
	s->sc_esc = esc != 0;
	*pp = p;
	return 0;
}
#endif

#if defined(__x86_64__)
/* The two compare results of a 64-byte block as one bit mask. */
__attribute__((target("avx2"))) static inline uint64_t movemask64_avx2(__m256i m0, __m256i m1)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(m0) |
	       (uint64_t)(uint32_t)_mm256_movemask_epi8(m1) << 32;
}

/*
 * scan_blocks with AVX2 (two 32-byte loads per block, each mask from two
 * movemasks) and the prefix xor as one carry-less multiply by all ones
 * (bit i of the product is the xor of bits 0..i).  The backslash mask is
 * cheap here, so it is always built.  Same contract and state as
 * scan_blocks; called only when the CPU has both (checked at open).
 */
__attribute__((target("avx2,pclmul")))
static int scan_blocks_avx2(struct bl_stream *s, const char **pp, const char *e)
{
	const char *p = *pp;
	const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
	const __m256i brk_bits = _mm256_set1_epi8(0x26), brk_val = _mm256_set1_epi8(0x7F);
	const __m128i ones = _mm_set1_epi8(-1);
	uint64_t esc = s->sc_esc, in_str = s->sc_in_str ? ~0ull : 0;
	while (e - p >= 64) {
		const __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
		const __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		uint64_t q = movemask64_avx2(_mm256_cmpeq_epi8(v0, quote),
					     _mm256_cmpeq_epi8(v1, quote));
		uint64_t brk = movemask64_avx2(
			_mm256_cmpeq_epi8(_mm256_or_si256(v0, brk_bits), brk_val),
			_mm256_cmpeq_epi8(_mm256_or_si256(v1, brk_bits), brk_val));
		uint64_t bs = movemask64_avx2(_mm256_cmpeq_epi8(v0, bslash),
					      _mm256_cmpeq_epi8(v1, bslash));
		if (bs | esc) {
			uint64_t x = escaped64(bs, &esc);
			q &= ~x;
			brk &= ~x;
		}
		const __m128i prod = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)q), ones, 0);
		uint64_t str = (uint64_t)_mm_cvtsi128_si64(prod) ^ in_str;
		in_str = (uint64_t)((int64_t)str >> 63);
		brk &= ~str;
		if (brk) {
			int rc = visit_brackets(s, p, brk, pp);
			if (rc)
				return rc;
		}
		p += 64;
	}
	s->sc_in_str = in_str != 0;
	s->sc_esc = esc != 0;
	*pp = p;
	return 0;
}
#endif

/* Continue the scan.  1 when the value is complete (pos just past it),
 * BL_EAGAIN when more input is needed, or an error.  Outside strings as
 * inside, a backslash escapes the next byte (JSON has no backslash outside
 * strings; the parser reports one, and this rule keeps the vector and
 * scalar scans identical). */
static int scan_run(struct bl_stream *s, struct bl_error *err)
{
	uint32_t e_line, e_col;
	const char *b = s->rbuf, *p = b + (s->pos - s->base), *e = b + s->rlen;
	uint64_t lim_start = s->detecting ? s->obj_start : s->sc_start;
	int rc = BL_EAGAIN;

	/* Look at no more than max_record + 1 bytes of the value, so that an
	 * oversize record is reported the same way whatever the block size. */
	uint64_t cap = lim_start + s->max_record + 1;
	if (s->base + s->rlen > cap)
		e = b + (cap - s->base);

	if (s->sc_kind == SK_SCALAR) {
		while (p < e && !scalar_end(*p))
			p++;
		if (p < e || s->eof)
			rc = 1;
		goto out;
	}
	while (s->sc_kind == SK_CONTAINER && s->scan != BL_SCAN_SCALAR) {
		int r = 0;
#if defined(__x86_64__)
		if (s->scan == BL_SCAN_AVX2)
			r = scan_blocks_avx2(s, &p, e);
#endif
#if defined(__SSE2__)
		if (s->scan == BL_SCAN_SSE2)
			r = scan_blocks(s, &p, e);
#endif
		if (r == SLOW_BRACKET)  /* a push that grows the stack, or the error */
			r = bracket(s, p++, err);
		else if (r == 0)
			break;
		if (r < 0)
			return r;
		if (r == 1) {
			rc = 1;
			goto out;
		}
	}
	while (p < e) {
		if (s->sc_esc) {
			s->sc_esc = false;
			p++;
			continue;
		}
		if (s->sc_in_str) {
			while (p < e && *p != '"' && *p != '\\')
				p++;
			if (p == e)
				break;
			if (*p++ == '\\') {
				s->sc_esc = true;
				continue;
			}
			s->sc_in_str = false;
			if (s->sc_kind == SK_STRING) {
				rc = 1;
				goto out;
			}
			continue;
		}
		char c = *p++;
		switch (c) {
		case '"':
			s->sc_in_str = true;
			break;
		case '\\':
			s->sc_esc = true;
			break;
		case '{':
		case '[':
		case '}':
		case ']': {
			int r = bracket(s, p - 1, err);
			if (r < 0)
				return r;
			if (r == 1) {
				rc = 1;
				goto out;
			}
			break;
		}
		default:
			break;
		}
	}
out:
	s->pos = s->base + (uint64_t)(p - b);
	if (s->pos - lim_start > s->max_record || (rc != 1 && s->pos >= cap))
		return too_big(s, err);
	if (rc == BL_EAGAIN && s->eof) {
		if (s->sc_in_str && s->sc_kind == SK_STRING)
			return SERR(s, err, BL_EINVAL, s->pos, "unexpected end of input: "
				    "the string starting at line %u, column %u is not closed",
				    s->sc_line, s->sc_col);
		return SERR(s, err, BL_EINVAL, s->pos, "unexpected end of input: the value "
			    "starting at line %u, column %u is not closed", s->sc_line, s->sc_col);
	}
	return rc;
}

/* ---- records -------------------------------------------------------- */

/*
 * Add the record [start, pos) to ch.  The bytes stay where they are in the
 * read buffer, which the chunk takes over when it is complete (hand_over);
 * until then off holds the absolute input offset.
 */
static int emit(struct bl_stream *s, struct bl_chunk *ch, uint64_t start, uint32_t line,
		uint32_t col, struct bl_error *err)
{
	size_t len = (size_t)(s->pos - start);
	if (!s->ck_open) {
		s->ck_open = true;
		s->ck_start = start;
		s->ck_bytes = 0;
	}
	if (ch->n == ch->rcap) {
		size_t ncap = ch->rcap ? ch->rcap * 2 : 64;
		struct bl_record *nr = realloc(ch->recs, ncap * sizeof(*nr));
		if (!nr)
			return bl_error_set(err, BL_ENOMEM, s->file, line, col, "out of memory");
		ch->recs = nr;
		ch->rcap = ncap;
	}
	ch->recs[ch->n++] = (struct bl_record){
		.off = (size_t)start, .len = len, .line = line, .col = col, .index = s->index++,
	};
	s->ck_bytes += len;
	return 1;
}

/*
 * Give the read buffer, which holds the chunk's records, to the chunk, and
 * take the chunk's old buffer (free since the caller handed the chunk back)
 * as the read buffer, with the bytes the scan still needs copied into it:
 * the records themselves are never copied.  The chunk's buffer gets its
 * padding (stream.h) in the room refill leaves free, once the bytes after
 * its last record are copied.  0 or BL_ENOMEM.
 */
static int hand_over(struct bl_stream *s, struct bl_chunk *ch, struct bl_error *err)
{
	uint64_t keep = retained(s);
	lc_advance(s, keep);
	size_t drop = (size_t)(keep - s->base), rest = s->rlen - drop;
	char *nb = ch->buf;
	size_t ncap = ch->cap, need = rest + BL_JSON_PAD + (s->eof ? 64 : fresh_cap(s));
	if (ncap < need) {
		/* its old contents are not needed: no realloc copy.  An eighth
		 * more, so that the next hand-overs (whose rest varies by a few
		 * KiB) reuse this buffer instead of each allocating fresh pages. */
		free(nb);
		ncap = need + need / 8;
		nb = malloc(ncap);
		if (!nb) {
			ch->buf = NULL;
			ch->cap = 0;
			return bl_error_set(err, BL_ENOMEM, s->file, 0, 0, "out of memory");
		}
	}
	if (rest)
		memcpy(nb, s->rbuf + drop, rest);
	for (size_t i = 0; i < ch->n; i++)
		ch->recs[i].off -= (size_t)s->base;
	ch->len = ch->recs[ch->n - 1].off + ch->recs[ch->n - 1].len;
	ch->buf = s->rbuf;
	ch->cap = s->rcap;
	memset(ch->buf + ch->len, 0, BL_JSON_PAD);  /* ch->len <= rlen <= rcap - pad */
	/* A separator right after a record (the ',' in an array) becomes a NUL,
	 * so that such records read padded too (stream.h): the bytes between
	 * records are dead once the scan is past them and the rest is copied. */
	for (size_t i = 0; i + 1 < ch->n; i++) {
		size_t e = ch->recs[i].off + ch->recs[i].len;
		if (e < ch->recs[i + 1].off && (unsigned char)ch->buf[e] >= 0x20)
			ch->buf[e] = '\0';
	}
	s->rbuf = nb;
	s->rcap = ncap;
	s->rlen = rest;
	s->base = keep;
	s->ck_open = false;
	return 0;
}

/* Validate the scanned wrapper key or value with the real parser; for a key,
 * also note whether it names the records array. */
static int validate(struct bl_stream *s, bool is_key, struct bl_error *err)
{
	const struct bl_value *v;
	struct bl_json_opts o = { .max_depth = 0, .line0 = s->sc_line, .col0 = s->sc_col };
	bl_arena_reset(&s->scratch);
	int rc = bl_json_parse(&v, &s->scratch, s->rbuf + (s->sc_start - s->base),
			       (size_t)(s->pos - s->sc_start), s->file, &o, err);
	if (rc)
		return rc;
	if (is_key) {
		s->key_is_records = false;
		if (!s->wrap_seen && (bl_str_ieq(v->u.str.s, v->u.str.len, "data", 4) ||
				      bl_str_ieq(v->u.str.s, v->u.str.len, "value", 5))) {
			s->key_is_records = true;
			memcpy(s->key, v->u.str.s, v->u.str.len);
			s->key[v->u.str.len] = '\0';
		}
	}
	return 0;
}

static int truncated(struct bl_stream *s, const char *what, uint32_t line, uint32_t col,
		     struct bl_error *err)
{
	uint32_t e_line, e_col;
	return SERR(s, err, BL_EINVAL, s->pos, "unexpected end of input: the %s starting at "
		    "line %u, column %u is not closed", what, line, col);
}

/* Close an array of records: the top-level one or a wrapper's. */
static void arr_close(struct bl_stream *s)
{
	if (s->in_wrapper) {
		s->in_wrapper = false;
		s->wrap_seen = true;
		s->state = ST_OBJ_SEP;
	} else {
		s->state = ST_AFTER_ARR;
	}
}

static void obj_open(struct bl_stream *s)
{
	s->obj_start = s->pos;
	pos_of(s, s->pos, &s->obj_line, &s->obj_col);
	s->pos++;
	s->wrap_seen = false;
	s->state = ST_OBJ_FIRST;
}

/*
 * Advance the state machine.  1 after a record was added to ch, 0 at the
 * clean end of input, BL_EAGAIN when a block must be read, or an error.
 */
static int step(struct bl_stream *s, struct bl_chunk *ch, struct bl_error *err)
{
	uint32_t e_line, e_col;
	char c, d[16];
	int rc;

	for (;;) {
		switch (s->state) {
		case ST_START:
			if (!s->bom_checked) {
				/* Windows tools write a UTF-8 byte order mark; skip it. */
				if (s->rlen < 3 && !s->eof)
					return BL_EAGAIN;
				if (s->rlen >= 3 && memcmp(s->rbuf, "\xEF\xBB\xBF", 3) == 0)
					s->pos = 3;
				s->bom_checked = true;
			}
			if ((rc = peek(s, &c)) != 1)
				return rc;
			if (c == '[') {
				s->shape = BL_SHAPE_ARRAY;
				pos_of(s, s->pos, &s->arr_line, &s->arr_col);
				s->pos++;
				s->state = ST_ARR_FIRST;
			} else if (c == '{') {
				s->detecting = true;
				obj_open(s);
			} else {
				s->shape = BL_SHAPE_LINES;
				s->state = ST_LINES;
			}
			break;
		case ST_LINES:
			if ((rc = peek(s, &c)) != 1)
				return rc;
			if ((rc = scan_begin(s, c, "between top-level values", err)))
				return rc;
			s->state = ST_REC_SCAN;
			s->after_rec = ST_LINES;
			break;
		case ST_ARR_FIRST:
		case ST_ARR_ELEM:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "array", s->arr_line, s->arr_col, err);
			if (rc != 1)
				return rc;
			if (c == ']') {
				if (s->state == ST_ARR_ELEM)
					return SERR(s, err, BL_EINVAL, s->pos, "trailing comma before ']'");
				s->pos++;
				arr_close(s);
				break;
			}
			if ((rc = scan_begin(s, c, "in the array: expected a value", err)))
				return rc;
			s->state = ST_REC_SCAN;
			s->after_rec = ST_ARR_SEP;
			break;
		case ST_REC_SCAN:
			if ((rc = scan_run(s, err)) != 1)
				return rc;
			s->state = s->after_rec;
			return emit(s, ch, s->sc_start, s->sc_line, s->sc_col, err);
		case ST_ARR_SEP:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "array", s->arr_line, s->arr_col, err);
			if (rc != 1)
				return rc;
			if (c == ',') {
				s->pos++;
				s->state = ST_ARR_ELEM;
			} else if (c == ']') {
				s->pos++;
				arr_close(s);
			} else {
				return SERR(s, err, BL_EINVAL, s->pos,
					    "expected ',' or ']' after array element");
			}
			break;
		case ST_AFTER_ARR:
			if ((rc = peek(s, &c)) != 1)
				return rc;
			return SERR(s, err, BL_EINVAL, s->pos, "unexpected %s after the top-level array",
				    describe(d, sizeof(d), c));
		case ST_OBJ_FIRST:
		case ST_OBJ_KEY:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "object", s->obj_line, s->obj_col, err);
			if (rc != 1)
				return rc;
			if (c == '}' && s->state == ST_OBJ_FIRST) {
				s->pos++;
				goto obj_close;
			}
			if (c != '"')
				return SERR(s, err, BL_EINVAL, s->pos, c == '}' ?
					    "trailing comma before '}'" : s->state == ST_OBJ_FIRST ?
					    "expected a string key or '}' after '{'" :
					    "expected a string key after ','");
			if ((rc = scan_begin(s, c, "", err)))
				return rc;
			s->state = ST_KEY_SCAN;
			break;
		case ST_KEY_SCAN:
			if ((rc = scan_run(s, err)) != 1)
				return rc;
			if ((rc = validate(s, true, err)))
				return rc;
			s->state = ST_OBJ_COLON;
			break;
		case ST_OBJ_COLON:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "object", s->obj_line, s->obj_col, err);
			if (rc != 1)
				return rc;
			if (c != ':')
				return SERR(s, err, BL_EINVAL, s->pos, "expected ':' after object key");
			s->pos++;
			s->state = ST_OBJ_VALUE;
			break;
		case ST_OBJ_VALUE:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "object", s->obj_line, s->obj_col, err);
			if (rc != 1)
				return rc;
			if (s->key_is_records && c == '[') {
				s->detecting = false;
				s->shape = BL_SHAPE_WRAPPED;
				s->in_wrapper = true;
				pos_of(s, s->pos, &s->arr_line, &s->arr_col);
				s->pos++;
				s->state = ST_ARR_FIRST;
				break;
			}
			if (s->key_is_records && !s->detecting)
				return SERR(s, err, BL_EINVAL, s->pos, "the \"%s\" member of a wrapper "
					    "object must be an array of resources", s->key);
			if ((rc = scan_begin(s, c, "after ':': expected a value", err)))
				return rc;
			s->state = ST_VAL_SCAN;
			break;
		case ST_VAL_SCAN:
			if ((rc = scan_run(s, err)) != 1)
				return rc;
			if ((rc = validate(s, false, err)))
				return rc;
			s->state = ST_OBJ_SEP;
			break;
		case ST_OBJ_SEP:
			if ((rc = peek(s, &c)) == 0)
				return truncated(s, "object", s->obj_line, s->obj_col, err);
			if (rc != 1)
				return rc;
			if (c == ',') {
				s->pos++;
				s->state = ST_OBJ_KEY;
				break;
			}
			if (c != '}')
				return SERR(s, err, BL_EINVAL, s->pos,
					    "expected ',' or '}' after object member");
			s->pos++;
obj_close:
			if (s->detecting) {
				/* No records array: the object is itself a resource. */
				s->detecting = false;
				s->shape = BL_SHAPE_LINES;
				s->state = ST_LINES;
				return emit(s, ch, s->obj_start, s->obj_line, s->obj_col, err);
			}
			if (!s->wrap_seen)
				return serr_at(s, err, BL_EINVAL, s->obj_line, s->obj_col,
					       "object has no \"data\" or \"value\" array of resources "
					       "(the first one in the file had)");
			s->state = ST_WRAP_NEXT;
			break;
		case ST_WRAP_NEXT:
			if ((rc = peek(s, &c)) != 1)
				return rc;
			if (c != '{')
				return SERR(s, err, BL_EINVAL, s->pos, "unexpected %s after a wrapper "
					    "object: expected another one or the end of input",
					    describe(d, sizeof(d), c));
			obj_open(s);
			break;
		case ST_END:
			return 0;
		}
	}
}

/* ---- public API ----------------------------------------------------- */

bool bl_stream_scan_supported(enum bl_stream_scan v)
{
	switch (v) {
	case BL_SCAN_AUTO:
	case BL_SCAN_SCALAR:
		return true;
	case BL_SCAN_SSE2:
#if defined(__SSE2__)
		return true;
#else
		return false;
#endif
	case BL_SCAN_AVX2:
#if defined(__x86_64__)
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul");
#else
		return false;
#endif
	}
	return false;
}

/* The variant opts ask for, AUTO resolved to the fastest this CPU has. */
static enum bl_stream_scan scan_choice(const struct bl_stream_opts *opts)
{
	if (opts && opts->scalar_scan)
		return BL_SCAN_SCALAR;
	if (opts && opts->scan != BL_SCAN_AUTO)
		return opts->scan;
	if (bl_stream_scan_supported(BL_SCAN_AVX2))
		return BL_SCAN_AVX2;
	return bl_stream_scan_supported(BL_SCAN_SSE2) ? BL_SCAN_SSE2 : BL_SCAN_SCALAR;
}

int bl_stream_open(struct bl_stream **out, int fd, const char *file,
		   const struct bl_stream_opts *opts, struct bl_error *err)
{
	*out = NULL;
	enum bl_stream_scan scan = scan_choice(opts);
	if (!bl_stream_scan_supported(scan))
		return bl_error_set(err, BL_EINVAL, file, 0, 0,
				    "this machine has no %s scan for snapshot files",
				    scan == BL_SCAN_AVX2 ? "AVX2" : scan == BL_SCAN_SSE2 ?
				    "SSE2" : "such");
	struct bl_stream *s = calloc(1, sizeof(*s));
	const char *name = file ? file : "";
	char *copy = malloc(strlen(name) + 1);
	if (!s || !copy) {
		free(s);
		free(copy);
		return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	}
	memcpy(copy, name, strlen(name) + 1);
	s->fd = fd;
	s->file = copy;
	s->chunk_bytes = opts && opts->chunk_bytes ? opts->chunk_bytes : MIB;
	s->max_record = opts && opts->max_record ? opts->max_record : 64 * MIB;
	s->block_bytes = opts && opts->block_bytes ? opts->block_bytes : MIB;
	s->scan = scan;
	s->lc_line = 1;
	s->state = ST_START;
	s->shape = BL_SHAPE_UNKNOWN;
	bl_arena_init(&s->scratch, 16 * 1024);
	*out = s;
	return 0;
}

int bl_stream_next(struct bl_stream *s, struct bl_chunk *chunk, struct bl_error *err)
{
	chunk->len = 0;
	chunk->n = 0;
	chunk->file = s->file;
	if (s->failed) {
		if (err)
			*err = s->saved;
		return s->failed;
	}
	for (;;) {
		int rc = step(s, chunk, &s->saved);
		if (rc == 1) {
			if (s->ck_bytes < s->chunk_bytes)
				continue;
		} else if (rc == BL_EAGAIN) {
			rc = refill(s, &s->saved);
			if (rc == 0)
				continue;
		} else if (rc == 0) {
			s->state = ST_END;
		}
		if (rc < 0) {
			s->failed = rc;
			s->saved.code = rc;
		}
		if (chunk->n) {
			int hrc = hand_over(s, chunk, &s->saved);
			if (hrc) {
				chunk->n = 0;
				chunk->len = 0;
				s->failed = hrc;
				rc = hrc;
			} else {
				/* the records first; an error follows with the next call */
				return 1;
			}
		}
		if (rc < 0 && err)
			*err = s->saved;
		return rc;
	}
}

enum bl_stream_scan bl_stream_scan_used(const struct bl_stream *s)
{
	return s->scan;
}

enum bl_stream_shape bl_stream_shape(const struct bl_stream *s)
{
	return s->shape;
}

void bl_stream_close(struct bl_stream *s)
{
	if (!s)
		return;
	bl_arena_free(&s->scratch);
	free(s->rbuf);
	free(s->brk);
	free(s->file);
	free(s);
}

void bl_chunk_init(struct bl_chunk *c)
{
	c->buf = NULL;
	c->len = c->cap = 0;
	c->recs = NULL;
	c->n = c->rcap = 0;
	c->file = NULL;
}

void bl_chunk_free(struct bl_chunk *c)
{
	free(c->buf);
	free(c->recs);
	bl_chunk_init(c);
}
