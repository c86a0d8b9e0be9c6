/*
 * str.h - byte strings with lengths, ASCII case folding, globbing, hashing,
 * and a growable output buffer with a hard maximum.
 *
 * Strings in Baseline are (pointer, length) pairs: values point into the
 * source buffer whenever they need no unescaping, so nothing here assumes a
 * NUL terminator.  Case folding is ASCII-only, like Azure Policy's ordinal
 * ignore-case comparison for the keys and values that occur in practice.
 */
#ifndef BL_UTIL_STR_H
#define BL_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bl_str {
	const char *s;
	size_t len;
};

static inline unsigned char bl_lower(unsigned char c)
{
	return (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
}

/*
 * a[0..n) == b[0..n), inlined for the short keys of lookups: up to 16
 * bytes are two overlapping word compares instead of a call to memcmp
 * (object keys are compared millions of times per run).
 */
static inline bool bl_mem_eq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	if (n >= 8 && n <= 16) {
		uint64_t p, q, r, s;
		memcpy(&p, x, 8);
		memcpy(&q, y, 8);
		memcpy(&r, x + n - 8, 8);
		memcpy(&s, y + n - 8, 8);
		return ((p ^ q) | (r ^ s)) == 0;
	}
	if (n >= 4 && n < 8) {
		uint32_t p, q, r, s;
		memcpy(&p, x, 4);
		memcpy(&q, y, 4);
		memcpy(&r, x + n - 4, 4);
		memcpy(&s, y + n - 4, 4);
		return ((p ^ q) | (r ^ s)) == 0;
	}
	if (n > 16)
		return memcmp(x, y, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* Equal ignoring ASCII case. */
bool bl_str_ieq(const char *a, size_t alen, const char *b, size_t blen);
/* Three-way ordinal compare ignoring ASCII case (shorter prefix sorts first). */
int bl_str_icmp(const char *a, size_t alen, const char *b, size_t blen);
/* Three-way ordinal compare, case-sensitive. */
int bl_str_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Does hay contain needle, ignoring ASCII case?  Empty needle: true. */
bool bl_str_icontains(const char *hay, size_t hlen, const char *needle, size_t nlen);

/*
 * Glob match with '*' (any run, possibly empty) and '?' (one byte); every other
 * byte is literal.  Linear-time backtracking (one star remembered), so
 * patterns like "**********a" cannot explode.  icase folds ASCII case.
 */
bool bl_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool icase);

/* 64-bit FNV-1a over the bytes, optionally ASCII-lowercased first. */
uint64_t bl_hash(const char *s, size_t len, bool icase);

/* Growable byte buffer.  max == 0 means 1 GiB.  Always NUL-terminated. */
struct bl_buf {
	char *data;
	size_t len, cap, max;
	bool failed;        /* sticky: an append hit ENOMEM or max */
};

void bl_buf_init(struct bl_buf *b, size_t max);
/* Appends return 0 or BL_ENOMEM/BL_ELIMIT and set b->failed; later appends are no-ops. */
int bl_buf_add(struct bl_buf *b, const void *p, size_t n);
int bl_buf_addc(struct bl_buf *b, char c);
int bl_buf_adds(struct bl_buf *b, const char *s);
int bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s left-aligned in a column of width bytes; a longer s keeps its end, after "...". */
int bl_buf_add_col(struct bl_buf *b, const char *s, size_t width);
void bl_buf_reset(struct bl_buf *b);
void bl_buf_free(struct bl_buf *b);

#endif
