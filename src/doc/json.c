/*
 * json.c - strict RFC 8259 JSON reader (see json.h).
 *
 * Snapshots run to gigabytes, so this is written for throughput: one pass
 * over the bytes, no recursion (containers are frames on an explicit stack,
 * so absurd nesting is an error, never a stack overflow), no malloc per node
 * (finished children wait on scratch stacks and are copied once, contiguously,
 * into the arena when their container closes), strings without escapes point
 * into the caller's buffer, ASCII runs in strings are skipped 16 bytes at a
 * time with SSE2, and integers and short decimals never reach strtod.
 *
 * Scratch stacks start in small arrays on the C stack and move to the heap
 * (growing geometrically) only for wide or deep documents, so the typical
 * 1 KB resource costs no malloc beyond the arena's.
 */
#include "doc/json.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define DEFAULT_MAX_DEPTH 512u
/* Objects with more members than this get a hash table for duplicate keys. */
#define DUP_LINEAR_MAX 16u

struct frame {
	size_t start;          /* first child in vals or mems */
	uint32_t line, col;    /* position of the bracket */
	bool is_obj;
	uint32_t *ht;          /* duplicate-key table (indices + 1), or NULL */
	size_t htcap, htn;
};

/* A growable array that starts in caller-provided storage. */
struct stack {
	void *p;
	size_t n, cap, elsize;
	bool heap;
};

struct parser {
	const char *buf, *end;
	const char *line_start;
	uint32_t line;
	uint32_t col_adj;      /* col0 - 1 while on the first line */
	const char *file;
	struct bl_arena *a;
	struct bl_error *err;
	uint32_t max_depth;
	struct stack vals, mems, frames;
};

/* ---- errors --------------------------------------------------------- */

static uint32_t col_of(const struct parser *j, const char *p)
{
	size_t c = (size_t)(p - j->line_start) + 1 + j->col_adj;
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* Readable name of the byte at p for messages. */
static const char *describe(char *out, size_t size, const char *p, const char *end)
{
	if (p >= end)
		return "end of input";
	unsigned char c = (unsigned char)*p;
	if (c == 0)
		return "NUL byte";
	if (c > 0x20 && c < 0x7f)
		snprintf(out, size, "'%c'", c);
	else
		snprintf(out, size, "byte 0x%02X", c);
	return out;
}

#define FAIL(j, p, code, ...) \
	bl_error_set((j)->err, (code), (j)->file, (j)->line, col_of((j), (p)), __VA_ARGS__)

/* ---- scratch stacks ------------------------------------------------- */

static void stack_init(struct stack *s, void *local, size_t cap, size_t elsize)
{
	s->p = local;
	s->n = 0;
	s->cap = cap;
	s->elsize = elsize;
	s->heap = false;
}

/* Slow path of stack_reserve: move to the heap or double. */
static bool stack_grow(struct stack *s)
{
	size_t ncap = s->cap * 2;
	if (ncap < s->cap || ncap > SIZE_MAX / s->elsize)
		return false;
	void *np;
	if (s->heap) {
		np = realloc(s->p, ncap * s->elsize);
		if (!np)
			return false;
	} else {
		np = malloc(ncap * s->elsize);
		if (!np)
			return false;
		memcpy(np, s->p, s->n * s->elsize);
	}
	s->p = np;
	s->cap = ncap;
	s->heap = true;
	return true;
}

/* Make room for one more element; false on allocation failure. */
static inline bool stack_reserve(struct stack *s)
{
	return s->n < s->cap || stack_grow(s);
}

static void stack_free(struct stack *s)
{
	if (s->heap)
		free(s->p);
	s->p = NULL;
	s->heap = false;
}

/* ---- strings -------------------------------------------------------- */

/* Bytes that end the fast ASCII scan: '"', '\\', controls and non-ASCII. */
static inline bool str_special(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/*
 * Length (2..4) of the valid UTF-8 sequence at q, or 0 after filling err
 * with the reason, positioned at the lead byte.
 */
static size_t utf8_seq(struct parser *j, const char *at)
{
	const unsigned char *q = (const unsigned char *)at;
	size_t avail = (size_t)(j->end - at);
	unsigned c = q[0], lo = 0x80, hi = 0xBF;
	size_t n;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c == 0xE0) {
		n = 3;
		lo = 0xA0;
	} else if (c == 0xED) {
		n = 3;
		hi = 0x9F;
	} else if (c >= 0xE1 && c <= 0xEF) {
		n = 3;
	} else if (c == 0xF0) {
		n = 4;
		lo = 0x90;
	} else if (c >= 0xF1 && c <= 0xF3) {
		n = 4;
	} else if (c == 0xF4) {
		n = 4;
		hi = 0x8F;
	} else {
		FAIL(j, at, BL_EINVAL, "invalid UTF-8 byte 0x%02X in string", c);
		return 0;
	}
	if (avail < 2 || (q[1] & 0xC0) != 0x80) {
		FAIL(j, at, BL_EINVAL,
		     "invalid UTF-8 in string: truncated sequence starting with byte 0x%02X", c);
		return 0;
	}
	if (q[1] < lo || q[1] > hi) {
		if (c == 0xED)
			FAIL(j, at, BL_EINVAL, "invalid UTF-8 in string: UTF-16 surrogate "
			     "encoded as 0xED 0x%02X", q[1]);
		else if (c == 0xF4)
			FAIL(j, at, BL_EINVAL, "invalid UTF-8 in string: code point above "
			     "U+10FFFF (0xF4 0x%02X)", q[1]);
		else
			FAIL(j, at, BL_EINVAL, "invalid UTF-8 in string: overlong encoding "
			     "0x%02X 0x%02X", c, q[1]);
		return 0;
	}
	for (size_t i = 2; i < n; i++) {
		if (i >= avail || (q[i] & 0xC0) != 0x80) {
			FAIL(j, at, BL_EINVAL, "invalid UTF-8 in string: truncated sequence "
			     "starting with byte 0x%02X", c);
			return 0;
		}
	}
	return n;
}

static int ctrl_error(struct parser *j, const char *at)
{
	unsigned char c = (unsigned char)*at;
	if (c == 0)
		return FAIL(j, at, BL_EINVAL, "NUL byte in string (write it as \\u0000)");
	static const char short_esc[0x20] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	if (short_esc[c])
		return FAIL(j, at, BL_EINVAL, "raw control character 0x%02X in string "
			    "(write it as \\%c)", c, short_esc[c]);
	return FAIL(j, at, BL_EINVAL, "raw control character 0x%02X in string "
		    "(write it as \\u%04X)", c, c);
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = (unsigned char)p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10u;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10u;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xC0 | cp >> 6);
		*d++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xE0 | cp >> 12);
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*d++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*d++ = (char)(0xF0 | cp >> 18);
		*d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*d++ = (char)(0x80 | (cp & 0x3F));
	}
	return d;
}

/*
 * Decode one "\..." escape at q (q[0] == '\\', and the closing quote is known
 * to lie ahead, so q[1] exists); writes UTF-8 at *d.  Returns the escape's
 * length or 0 with err filled.
 */
static size_t unescape(struct parser *j, const char *q, const char *send, char **d)
{
	char c = q[1];
	char r;
	switch (c) {
	case '"': r = '"'; break;
	case '\\': r = '\\'; break;
	case '/': r = '/'; break;
	case 'b': r = '\b'; break;
	case 'f': r = '\f'; break;
	case 'n': r = '\n'; break;
	case 'r': r = '\r'; break;
	case 't': r = '\t'; break;
	case 'u': {
		unsigned cp, lo;
		if (send - q < 6 || hex4(q + 2, &cp) < 0) {
			FAIL(j, q, BL_EINVAL, "invalid \\u escape in string: expected 4 hex digits");
			return 0;
		}
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			FAIL(j, q, BL_EINVAL, "unexpected low surrogate \\u%04X in string "
			     "(no high surrogate \\uD800-\\uDBFF before it)", cp);
			return 0;
		}
		if (cp < 0xD800 || cp > 0xDBFF) {
			*d = put_utf8(*d, cp);
			return 6;
		}
		if (send - q < 12 || q[6] != '\\' || q[7] != 'u' || hex4(q + 8, &lo) < 0 ||
		    lo < 0xDC00 || lo > 0xDFFF) {
			FAIL(j, q, BL_EINVAL, "lone high surrogate \\u%04X in string (must be "
			     "followed by a low surrogate \\uDC00-\\uDFFF)", cp);
			return 0;
		}
		*d = put_utf8(*d, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
		return 12;
	}
	default:
		if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
			FAIL(j, q, BL_EINVAL, "invalid escape '\\%c' in string", c);
		else
			FAIL(j, q, BL_EINVAL, "invalid escape: '\\' followed by byte 0x%02X in string",
			     (unsigned char)c);
		return 0;
	}
	*(*d)++ = r;
	return 2;
}

/*
 * Slow path for a string holding escapes: s is the first content byte, q the
 * first backslash (everything before it is already validated).  The decoded
 * text goes to the arena; it is never longer than the source.
 */
static int string_decode(struct parser *j, const char *s, const char *q,
			 const char **out, size_t *outlen, const char **pend)
{
	const char *e = q;
	while (e < j->end && *e != '"')
		e += (*e == '\\') ? 2 : 1;
	if (e >= j->end)
		return FAIL(j, s - 1, BL_EINVAL, "unterminated string (no closing '\"')");
	char *dst = bl_arena_alloc(j->a, (size_t)(e - s));
	if (!dst)
		return bl_error_set(j->err, BL_ENOMEM, j->file, j->line, col_of(j, s),
				    "out of memory");
	memcpy(dst, s, (size_t)(q - s));
	char *d = dst + (q - s);
	while (q < e) {
		unsigned char c = (unsigned char)*q;
		if (c == '\\') {
			size_t n = unescape(j, q, e, &d);
			if (!n)
				return BL_EINVAL;
			q += n;
		} else if (c < 0x20) {
			return ctrl_error(j, q);
		} else if (c >= 0x80) {
			size_t n = utf8_seq(j, q);
			if (!n)
				return BL_EINVAL;
			memcpy(d, q, n);
			d += n;
			q += n;
		} else {
			*d++ = (char)c;
			q++;
		}
	}
	*out = dst;
	*outlen = (size_t)(d - dst);
	*pend = e + 1;
	return 0;
}

/* p points at the opening quote.  On success *pend is past the closing one. */
static int parse_string(struct parser *j, const char *p, const char **out,
			uint32_t *outlen, const char **pend)
{
	const char *s = p + 1, *q = s, *end = j->end;
	size_t len = 0;
	for (;;) {
#if defined(__SSE2__)
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i bslash = _mm_set1_epi8('\\');
		const __m128i space = _mm_set1_epi8(0x20);
		while (end - q >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
			/* Signed compare: bytes >= 0x80 are negative, so this also
			 * catches every non-ASCII byte. */
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							      _mm_cmpeq_epi8(v, bslash)),
						 _mm_cmplt_epi8(v, space));
			int mask = _mm_movemask_epi8(m);
			if (mask) {
				q += __builtin_ctz((unsigned)mask);
				goto special;
			}
			q += 16;
		}
#endif
		while (q < end && !str_special((unsigned char)*q))
			q++;
		if (q >= end)
			return FAIL(j, p, BL_EINVAL, "unterminated string (no closing '\"')");
#if defined(__SSE2__)
special:
#endif
		if (*q == '"') {
			len = (size_t)(q - s);
			*out = s;
			*pend = q + 1;
			break;
		}
		if (*q == '\\') {
			int rc = string_decode(j, s, q, out, &len, pend);
			if (rc)
				return rc;
			break;
		}
		if ((unsigned char)*q < 0x20)
			return ctrl_error(j, q);
		size_t n = utf8_seq(j, q);
		if (!n)
			return BL_EINVAL;
		q += n;
	}
	if (len > UINT32_MAX)
		return FAIL(j, p, BL_ELIMIT, "string longer than 4 GiB");
	*outlen = (uint32_t)len;
	return 0;
}

/* ---- numbers -------------------------------------------------------- */

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* p points at '-' or a digit.  Fills v (type, flags, text, d). */
static int parse_number(struct parser *j, const char *p, struct bl_value *v, const char **pend)
{
	const char *s = p, *end = j->end;
	bool neg = false, isint = true;
	uint64_t m = 0;
	int nd = 0;            /* significant digits accumulated into m */
	bool exact = true;     /* m holds every digit */
	long e10 = 0;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || !is_digit(*p))
		return FAIL(j, p, BL_EINVAL, "expected a digit after '-' in number");
	if (*p == '0') {
		p++;
		if (p < end && is_digit(*p))
			return FAIL(j, s, BL_EINVAL, "leading zeros are not allowed in numbers");
	} else {
		do {
			if (nd < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				nd++;
			} else {
				exact = false;
				e10++;
			}
			p++;
		} while (p < end && is_digit(*p));
	}
	if (p < end && *p == '.') {
		isint = false;
		p++;
		if (p >= end || !is_digit(*p))
			return FAIL(j, p, BL_EINVAL, "expected a digit after '.' in number");
		do {
			if (nd < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				if (m)
					nd++;
				e10--;
			} else {
				exact = false;
			}
			p++;
		} while (p < end && is_digit(*p));
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		isint = false;
		p++;
		bool eneg = false;
		if (p < end && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		if (p >= end || !is_digit(*p))
			return FAIL(j, p, BL_EINVAL, "expected a digit in the exponent of number");
		long ex = 0;
		do {
			if (ex < 100000000)
				ex = ex * 10 + (*p - '0');
			p++;
		} while (p < end && is_digit(*p));
		e10 += eneg ? -ex : ex;
	}
	size_t len = (size_t)(p - s);
	if (len > UINT32_MAX)
		return FAIL(j, s, BL_ELIMIT, "number literal longer than 4 GiB");
	double d;
	if (m == 0 && exact) {
		d = 0.0;
	} else if (exact && m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
		/* Both m and the power of ten are exact doubles, so one IEEE
		 * operation gives the correctly rounded result (Clinger). */
		d = (double)m;
		d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
	} else if (isint && exact) {
		d = (double)m;  /* correctly rounded conversion */
	} else {
		char tmp[128];
		char *t = tmp;
		if (len >= sizeof(tmp)) {
			t = bl_arena_strndup(j->a, s, len);
			if (!t)
				return FAIL(j, s, BL_ENOMEM, "out of memory");
		} else {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
		}
		errno = 0;
		d = strtod(t, NULL);
		if (!isfinite(d))
			return FAIL(j, s, BL_EINVAL, "number out of range of a double");
		neg = false;  /* strtod saw the sign */
	}
	v->type = BL_VNUM;
	v->flags = isint ? BL_VF_INT : 0;
	v->u.num.text = s;
	v->u.num.len = (uint32_t)len;
	v->u.num.d = neg ? -d : d;
	*pend = p;
	return 0;
}

/* ---- structure ------------------------------------------------------ */

static inline const char *skip_ws(struct parser *j, const char *p)
{
	const char *end = j->end;
	while (p < end) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			p++;
			j->line++;
			j->line_start = p;
			j->col_adj = 0;
		} else {
			break;
		}
	}
	return p;
}

static void frames_release(struct parser *j)
{
	struct frame *fr = j->frames.p;
	for (size_t i = 0; i < j->frames.n; i++)
		free(fr[i].ht);
}

static int nomem(struct parser *j, const char *p)
{
	return FAIL(j, p, BL_ENOMEM, "out of memory");
}

static void key_for_msg(char *out, size_t size, const char *k, size_t klen)
{
	size_t o = 0;
	for (size_t i = 0; i < klen && o + 4 < size; i++) {
		unsigned char c = (unsigned char)k[i];
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (o + 4 >= size && klen > 0) {
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

static int dup_error(struct parser *j, const struct bl_member *first, const struct bl_member *second)
{
	char k[80];
	key_for_msg(k, sizeof(k), second->key, second->klen);
	return bl_error_set(j->err, BL_EINVAL, j->file, second->line, second->col,
			    "duplicate key \"%s\" (first at line %u, column %u)",
			    k, first->line, first->col);
}

static inline bool key_eq(const struct bl_member *a, const struct bl_member *b)
{
	/* Length and first byte settle nearly every comparison without a call. */
	return a->klen == b->klen && (a->klen == 0 || (a->key[0] == b->key[0] &&
						       memcmp(a->key, b->key, a->klen) == 0));
}

/* Insert member index idx (absolute in mems) into f's table; returns the
 * clashing index + 1 or 0. */
static size_t ht_insert(struct frame *f, const struct bl_member *mems, size_t idx)
{
	const struct bl_member *m = &mems[idx];
	size_t mask = f->htcap - 1;
	size_t h = (size_t)bl_hash(m->key, m->klen, false) & mask;
	for (;;) {
		uint32_t slot = f->ht[h];
		if (!slot) {
			f->ht[h] = (uint32_t)(idx - f->start + 1);
			f->htn++;
			return 0;
		}
		if (key_eq(&mems[f->start + slot - 1], m))
			return f->start + slot;
		h = (h + 1) & mask;
	}
}

static bool ht_build(struct frame *f, const struct bl_member *mems, size_t n, size_t cap)
{
	uint32_t *nt = calloc(cap, sizeof(*nt));
	if (!nt)
		return false;
	free(f->ht);
	f->ht = nt;
	f->htcap = cap;
	f->htn = 0;
	for (size_t i = 0; i < n; i++)
		(void)ht_insert(f, mems, f->start + i);
	return true;
}

/*
 * Check the newest member of the object on top of the stack against its
 * siblings: a linear scan while the object is small, a hash table after.
 * Returns 0, BL_EINVAL (duplicate) or BL_ENOMEM.
 */
static inline int dup_check(struct parser *j, struct frame *f, const char *p)
{
	struct bl_member *mems = j->mems.p;
	size_t last = j->mems.n - 1, n = last - f->start;
	if (n < DUP_LINEAR_MAX) {
		for (size_t i = f->start; i < last; i++)
			if (key_eq(&mems[i], &mems[last]))
				return dup_error(j, &mems[i], &mems[last]);
		return 0;
	}
	if (n > UINT32_MAX - 2)
		return FAIL(j, p, BL_ELIMIT, "object has too many members");
	if (!f->ht || (f->htn + 1) * 2 > f->htcap) {
		size_t cap = f->htcap ? f->htcap * 2 : 64;
		while (cap < (n + 1) * 2)
			cap *= 2;
		if (!ht_build(f, mems, n, cap))
			return nomem(j, p);
	}
	size_t clash = ht_insert(f, mems, last);
	if (clash)
		return dup_error(j, &mems[clash - 1], &mems[last]);
	return 0;
}

static inline int push_frame(struct parser *j, const char *p, bool is_obj)
{
	if (j->frames.n >= j->max_depth)
		return FAIL(j, p, BL_ELIMIT, "nesting deeper than %u levels", j->max_depth);
	if (!stack_reserve(&j->frames))
		return nomem(j, p);
	struct frame *f = (struct frame *)j->frames.p + j->frames.n++;
	f->start = is_obj ? j->mems.n : j->vals.n;
	f->line = j->line;
	f->col = col_of(j, p);
	f->is_obj = is_obj;
	f->ht = NULL;
	f->htcap = f->htn = 0;
	return 0;
}

/* Copy n scratch elements into the arena; NULL items for n == 0. */
static int close_items(struct parser *j, const char *p, const void *src, size_t n,
		       size_t elsize, void **out)
{
	if (n > UINT32_MAX)
		return FAIL(j, p, BL_ELIMIT, "container has more than 4294967295 elements");
	if (n == 0) {
		*out = NULL;
		return 0;
	}
	void *dst = bl_arena_alloc(j->a, n * elsize);
	if (!dst)
		return nomem(j, p);
	memcpy(dst, src, n * elsize);
	*out = dst;
	return 0;
}

static int literal(struct parser *j, const char *p, const char *word, size_t n)
{
	if ((size_t)(j->end - p) >= n && memcmp(p, word, n) == 0)
		return 0;
	return FAIL(j, p, BL_EINVAL, "invalid literal: expected '%s'", word);
}

static int bad_value(struct parser *j, const char *p)
{
	char d[16];
	if (p >= j->end)
		return FAIL(j, p, BL_EINVAL, "unexpected end of input: expected a value");
	switch (*p) {
	case '+':
		return FAIL(j, p, BL_EINVAL, "unexpected '+': numbers cannot start with '+'");
	case '.':
		return FAIL(j, p, BL_EINVAL, "unexpected '.': numbers need a digit before '.'");
	case 'N':
	case 'I':
		return FAIL(j, p, BL_EINVAL, "unexpected '%c': NaN and Infinity are not JSON", *p);
	case '\'':
		return FAIL(j, p, BL_EINVAL, "unexpected \"'\": JSON strings use double quotes");
	default:
		return FAIL(j, p, BL_EINVAL, "unexpected %s: expected a value",
			    describe(d, sizeof(d), p, j->end));
	}
}

/*
 * The parse loop.  Jumps between three points: `value` parses one value
 * (pushing a frame for containers), `key` reads an object key and its ':',
 * and `done` attaches the finished value `cur` to its parent and handles
 * the separator or the closing bracket that follows.
 */
static int parse(struct parser *j, struct bl_value *root)
{
	const char *p = j->buf, *end = j->end;
	struct bl_value cur;
	int rc;
	char d[16];

	memset(&cur, 0, sizeof(cur));
	p = skip_ws(j, p);
	if (p >= end)
		return FAIL(j, p, BL_EINVAL, "empty document: expected a JSON value");
value:
	cur.flags = 0;
	cur.b = false;
	cur.line = j->line;
	cur.col = col_of(j, p);
	cur.file = j->file;
	switch (p < end ? *p : '\0') {
	case '{':
		if ((rc = push_frame(j, p, true)))
			return rc;
		p = skip_ws(j, p + 1);
		if (p < end && *p == '}') {
			p++;
			j->frames.n--;
			cur.type = BL_VOBJ;
			cur.u.obj.items = NULL;
			cur.u.obj.n = 0;
			goto done;
		}
		if (p >= end || *p != '"')
			return FAIL(j, p, BL_EINVAL, "expected a string key or '}' after '{'");
		goto key;
	case '[':
		if ((rc = push_frame(j, p, false)))
			return rc;
		p = skip_ws(j, p + 1);
		if (p < end && *p == ']') {
			p++;
			j->frames.n--;
			cur.type = BL_VARR;
			cur.u.arr.items = NULL;
			cur.u.arr.n = 0;
			goto done;
		}
		if (p >= end)
			return FAIL(j, p, BL_EINVAL, "unexpected end of input: expected a value or ']'");
		goto value;
	case '"':
		if ((rc = parse_string(j, p, &cur.u.str.s, &cur.u.str.len, &p)))
			return rc;
		cur.type = BL_VSTR;
		goto done;
	case 't':
		if ((rc = literal(j, p, "true", 4)))
			return rc;
		p += 4;
		cur.type = BL_VBOOL;
		cur.b = true;
		goto done;
	case 'f':
		if ((rc = literal(j, p, "false", 5)))
			return rc;
		p += 5;
		cur.type = BL_VBOOL;
		goto done;
	case 'n':
		if ((rc = literal(j, p, "null", 4)))
			return rc;
		p += 4;
		cur.type = BL_VNULL;
		goto done;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((rc = parse_number(j, p, &cur, &p)))
			return rc;
		goto done;
	default:
		return bad_value(j, p);
	}

key: {
	/* p is at the opening quote of a key. */
	if (!stack_reserve(&j->mems))
		return nomem(j, p);
	struct bl_member *m = (struct bl_member *)j->mems.p + j->mems.n;
	m->line = j->line;
	m->col = col_of(j, p);
	if ((rc = parse_string(j, p, &m->key, &m->klen, &p)))
		return rc;
	j->mems.n++;
	struct frame *f = (struct frame *)j->frames.p + j->frames.n - 1;
	if ((rc = dup_check(j, f, p)))
		return rc;
	p = skip_ws(j, p);
	if (p >= end || *p != ':')
		return FAIL(j, p, BL_EINVAL, "expected ':' after object key");
	p = skip_ws(j, p + 1);
	goto value;
}

done:
	while (j->frames.n) {
		struct frame *f = (struct frame *)j->frames.p + j->frames.n - 1;
		if (!f->is_obj) {
			if (!stack_reserve(&j->vals))
				return nomem(j, p);
			((struct bl_value *)j->vals.p)[j->vals.n++] = cur;
			p = skip_ws(j, p);
			if (p < end && *p == ',') {
				p = skip_ws(j, p + 1);
				if (p < end && *p == ']')
					return FAIL(j, p, BL_EINVAL, "trailing comma before ']'");
				goto value;
			}
			if (p >= end || *p != ']')
				return FAIL(j, p, BL_EINVAL, "expected ',' or ']' after array element");
			p++;
			size_t n = j->vals.n - f->start;
			void *items;
			if ((rc = close_items(j, p, (struct bl_value *)j->vals.p + f->start, n,
					      sizeof(struct bl_value), &items)))
				return rc;
			j->vals.n = f->start;
			cur.type = BL_VARR;
			cur.flags = 0;
			cur.b = false;
			cur.u.arr.items = items;
			cur.u.arr.n = (uint32_t)n;
		} else {
			((struct bl_member *)j->mems.p)[j->mems.n - 1].val = cur;
			p = skip_ws(j, p);
			if (p < end && *p == ',') {
				p = skip_ws(j, p + 1);
				if (p < end && *p == '}')
					return FAIL(j, p, BL_EINVAL, "trailing comma before '}'");
				if (p >= end || *p != '"')
					return FAIL(j, p, BL_EINVAL, "expected a string key after ','");
				goto key;
			}
			if (p >= end || *p != '}')
				return FAIL(j, p, BL_EINVAL, "expected ',' or '}' after object member");
			p++;
			size_t n = j->mems.n - f->start;
			void *items;
			if ((rc = close_items(j, p, (struct bl_member *)j->mems.p + f->start, n,
					      sizeof(struct bl_member), &items)))
				return rc;
			j->mems.n = f->start;
			free(f->ht);
			f->ht = NULL;
			cur.type = BL_VOBJ;
			cur.flags = 0;
			cur.b = false;
			cur.u.obj.items = items;
			cur.u.obj.n = (uint32_t)n;
		}
		cur.line = f->line;
		cur.col = f->col;
		cur.file = j->file;
		j->frames.n--;
	}
	p = skip_ws(j, p);
	if (p < end)
		return FAIL(j, p, BL_EINVAL, "unexpected %s after the JSON value",
			    describe(d, sizeof(d), p, end));
	*root = cur;
	return 0;
}

int bl_json_parse(const struct bl_value **out, struct bl_arena *a,
		  const char *buf, size_t len, const char *file,
		  const struct bl_json_opts *opts, struct bl_error *err)
{
	struct bl_value lvals[64];
	struct bl_member lmems[32];
	struct frame lframes[32];
	struct parser j;

	*out = NULL;
	j.buf = buf;
	j.end = buf + len;
	j.line_start = buf;
	j.line = opts && opts->line0 ? opts->line0 : 1;
	j.col_adj = opts && opts->col0 ? opts->col0 - 1 : 0;
	j.file = file;
	j.a = a;
	j.err = err;
	j.max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
	stack_init(&j.vals, lvals, sizeof(lvals) / sizeof(lvals[0]), sizeof(lvals[0]));
	stack_init(&j.mems, lmems, sizeof(lmems) / sizeof(lmems[0]), sizeof(lmems[0]));
	stack_init(&j.frames, lframes, sizeof(lframes) / sizeof(lframes[0]), sizeof(lframes[0]));

	struct bl_value root;
	int rc = parse(&j, &root);
	if (rc == 0) {
		struct bl_value *v = bl_arena_alloc(a, sizeof(*v));
		if (!v)
			rc = bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
		else {
			*v = root;
			*out = v;
		}
	}
	frames_release(&j);
	stack_free(&j.vals);
	stack_free(&j.mems);
	stack_free(&j.frames);
	return rc;
}
