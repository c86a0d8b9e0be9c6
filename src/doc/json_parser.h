/*
 * json_parser.h - the JSON reader's state, shared inside src/doc by its two
 * halves: json.c (the parse loops, which must stay in one translation unit
 * so that the compiler inlines them into each other) and json_slow.c (what
 * the loops call out of line: strings with escapes or non-ASCII bytes, and
 * the text of error messages).  Not part of the reader's interface (json.h).
 */
#ifndef BL_DOC_JSON_PARSER_H
#define BL_DOC_JSON_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/json.h"
#include "util/error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct keep_node;

/*
 * Every key of the open objects, built or not, for the duplicate check: a
 * member nobody keeps (selective parse) has an entry here but no slot in
 * mems, so a closing object's built members are already contiguous.
 */
struct kent {
	uint64_t fp;           /* key_fp of the key */
	const char *key;       /* in the input, or decoded into the arena */
	uint32_t klen;
	uint32_t line, col;    /* of the key's opening quote, for messages (unset
				  in values skip_value validates: it reports none) */
};

/* A growable array that starts in caller-provided storage. */
struct stack {
	void *p;
	size_t n, cap, elsize;
	bool heap;
};

struct parser {
	const char *buf, *end;
	/* Column of p is p - col_base: one subtraction per node.  Set to the
	 * address of the last newline (col0 bytes before buf on the first
	 * line); kept as an integer since it may lie outside the buffer. */
	uintptr_t col_base;
	uint32_t line;
	const char *file;
	struct bl_arena *a;
	struct bl_error *err;
	uint32_t max_depth;
	const struct keep_node *knodes;  /* the keep set's nodes, or NULL */
	const struct keep_node *kroot;   /* what to keep of the root; NULL = everything */
	struct stack vals, mems, keys, frames;
};

/* ---- positions and errors ------------------------------------------- */

static inline uint32_t col_clamp(uint64_t c)
{
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static inline uint32_t col_of(const struct parser *j, const char *p)
{
	return col_clamp((uint64_t)((uintptr_t)p - j->col_base));
}

/* Fill j->err with code and a message positioned at p; returns code. */
#define FAIL(j, p, code, ...) \
	bl_error_set((j)->err, (code), (j)->file, (j)->line, col_of((j), (p)), __VA_ARGS__)

/* ---- strings -------------------------------------------------------- */

/* Bytes that end the fast ASCII scan: '"', '\\', controls and non-ASCII. */
static inline bool str_special(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

#if defined(__SSE2__)
/*
 * The bytes of the 16 at q that end the fast ASCII scan (str_special), as a
 * bit mask.  Two compares, not three: x ^ 0x02 maps '"' (0x22) to 0x20 and
 * keeps 0x00-0x1F among themselves, so "x ^ 0x02 < 0x21" (signed, which also
 * holds for every byte >= 0x80) is exactly "control, quote or non-ASCII".
 */
static inline unsigned str_mask16(const char *q)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
	const __m128i t = _mm_xor_si128(v, _mm_set1_epi8(0x02));
	const __m128i m = _mm_or_si128(_mm_cmplt_epi8(t, _mm_set1_epi8(0x21)),
				       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* ---- the cold half (json_slow.c) ------------------------------------ */

/* Readable name of the byte at p for messages ("'x'", "byte 0x01", "NUL
 * byte", "end of input"): out (size bytes) when it is written there. */
const char *bl_json_describe(char *out, size_t size, const char *p, const char *end);

/* The error for a byte at p (or the end) that cannot start a value; returns
 * BL_EINVAL. */
int bl_json_bad_value(struct parser *j, const char *p);

/* The error for key second duplicating key first of the same object, at
 * second's position; returns BL_EINVAL. */
int bl_json_dup_error(struct parser *j, const struct kent *first, const struct kent *second);

/*
 * The string at p (its opening quote) that the inline scan did not settle:
 * q is the first byte not yet known to be plain ASCII.  Escapes are decoded
 * into the arena; otherwise *out points into the input.  On success *pend
 * is past the closing quote.  Returns 0, BL_EINVAL, BL_ELIMIT or BL_ENOMEM
 * with j->err filled.
 */
int bl_json_string_slow(struct parser *j, const char *p, const char *q,
			const char **out, uint32_t *outlen, const char **pend);

/*
 * Validate the string at p (its opening quote) without building it: the
 * checks of bl_json_string_slow with the decoded bytes thrown away.  Returns
 * the byte past the closing quote, or NULL (the message is not kept: the
 * caller re-parses in full to report the error).
 */
const char *bl_json_skip_string_slow(struct parser *j, const char *p);

#endif
