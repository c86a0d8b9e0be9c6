/*
 * json.c - strict RFC 8259 JSON reader (see json.h).
 *
 * Snapshots run to gigabytes, so this is written for throughput: one pass
 * over the bytes, no recursion (containers are frames on an explicit stack,
 * so absurd nesting is an error, never a stack overflow), no malloc per node
 * (each value is parsed straight into its slot on a scratch stack, and a
 * container's children are copied once, contiguously, into the arena when it
 * closes), strings without escapes point into the caller's buffer, plain
 * ASCII strings (keys up to 32 bytes, values up to 256) are found with SSE2
 * compares without a call, and integers and short decimals never reach strtod.  Duplicate keys are
 * checked on 64-bit key fingerprints kept on their own stack (every key of
 * the open objects, whether or not a selective parse builds its member): a
 * small per-object bit filter settles most keys without a scan, and big
 * objects get a hash table.  The byte that starts a value is dispatched
 * through a 256-entry class table, and whitespace is looked for only where
 * the expected token is not found (compact JSON has none).
 *
 * A padded buffer whose value is followed by a control character (a JSON
 * lines record and its newline: bl_json_opts.padded) is read by a second
 * instance of the same loops in which the byte tests that find the next
 * token do not test for the end first: the byte at the end equals no token
 * byte, so each test fails there just as the end test would have, and the
 * cold paths that then report the error still test the end.  The string
 * scan reads whole 16-byte blocks up to the control character, which stops
 * it, and literals are compared whole; both stay within the padding.
 *
 * Scratch stacks start in small arrays on the C stack and move to the heap
 * (growing geometrically) only for wide or deep documents, so the typical
 * 1 KB resource costs no malloc beyond the arena's.  bench/README.md keeps
 * the instruction counts behind these choices.
 *
 * What the loops call out of line lives in json_slow.c (strings the inline
 * scan does not settle, and error texts), sharing the parser's state through
 * json_parser.h; everything the loops inline stays here, in one file.
 */
#include "doc/json.h"
#include "doc/json_keep.h"
#include "doc/json_parser.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define ALWAYS_INLINE inline
#endif

#define DEFAULT_MAX_DEPTH 512u
/* Objects with more members than this get a hash table for duplicate keys. */
#define DUP_LINEAR_MAX 32u

struct frame {
	size_t start;          /* first child in vals or mems */
	size_t kstart;         /* first key in keys (objects) */
	bool is_obj;
	uint64_t bloom;        /* one bit per key fingerprint seen (objects) */
	uint32_t *ht;          /* duplicate-key table (key indices + 1), or NULL */
	size_t htcap, htn;     /* (set by ht_build: read only when ht is set) */
	const struct keep_node *kn;  /* what to keep below; NULL = everything */
};

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
static ALWAYS_INLINE bool stack_reserve(struct stack *s)
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

/*
 * The common string, plain ASCII, without a call: its closing quote within
 * the first 16 * blocks bytes, or NULL to take the general path.  Keys are
 * short (2 blocks); string values kept by a selective parse include ids of
 * 100-200 bytes, which stay on this path too (16 blocks).  sen: the buffer
 * is padded and end holds a control character (see the top), which ends
 * the scan, so blocks may reach past end and the end is not tested.
 */
static ALWAYS_INLINE const char *string_fast(const char *end, const char *p, int blocks,
					     const bool sen)
{
#if defined(__SSE2__)
	const char *q = p + 1;
	if (!sen && end - q < 16)
		return NULL;
	/* The first block outside the loop: most strings end in it. */
	unsigned mask = str_mask16(q);
	for (int k = 1; !mask; k++) {
		q += 16;
		if (k >= blocks || (!sen && end - q < 16))
			return NULL;
		mask = str_mask16(q);
	}
	q += __builtin_ctz(mask);
	return *q == '"' ? q : NULL;
#else
	(void)end;
	(void)p;
	(void)blocks;
	(void)sen;
	return NULL;
#endif
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

/*
 * May the byte at `at` be read and compared with a token byte?  The checked
 * loops test the end; with sen (a padded buffer whose byte at end is a
 * control character: see the top) the comparison itself fails at the end.
 * Uses the locals end and sen.
 */
#define AVAIL(at) (sen || (at) < end)

/* p points at '-' or a digit.  Fills v (type, flags, text, d).  sen: see
 * AVAIL; parse_number and parse_number_padded are the two instances. */
static ALWAYS_INLINE int number_body(struct parser *j, const char *p, struct bl_value *v,
				     const char **pend, const bool sen)
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
	if (!AVAIL(p) || !is_digit(*p))
		return FAIL(j, p, BL_EINVAL, "expected a digit after '-' in number");
	if (*p == '0') {
		p++;
		if (AVAIL(p) && is_digit(*p))
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
		} while (AVAIL(p) && is_digit(*p));
	}
	if (AVAIL(p) && *p == '.') {
		isint = false;
		p++;
		if (!AVAIL(p) || !is_digit(*p))
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
		} while (AVAIL(p) && is_digit(*p));
	}
	if (AVAIL(p) && (*p == 'e' || *p == 'E')) {
		isint = false;
		p++;
		bool eneg = false;
		if (AVAIL(p) && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		if (!AVAIL(p) || !is_digit(*p))
			return FAIL(j, p, BL_EINVAL, "expected a digit in the exponent of number");
		long ex = 0;
		do {
			if (ex < 100000000)
				ex = ex * 10 + (*p - '0');
			p++;
		} while (AVAIL(p) && is_digit(*p));
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

static int parse_number(struct parser *j, const char *p, struct bl_value *v, const char **pend)
{
	return number_body(j, p, v, pend, false);
}

static int parse_number_padded(struct parser *j, const char *p, struct bl_value *v,
			       const char **pend)
{
	return number_body(j, p, v, pend, true);
}

/* ---- structure ------------------------------------------------------ */

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

static inline bool key_eq(const struct kent *a, const struct kent *b)
{
	return a->fp == b->fp && a->klen == b->klen && memcmp(a->key, b->key, a->klen) == 0;
}

/*
 * A 64-bit fingerprint of a key, so that the duplicate check compares
 * integers and calls memcmp only when two fingerprints agree.  Equal keys
 * must get equal fingerprints whichever path reads them: wide says that 8
 * bytes may be read from k (the key lies in the input, not in the arena),
 * and the byte loop builds the same little-endian word the masked load does.
 */
static ALWAYS_INLINE uint64_t key_fp(const char *k, size_t len, bool wide)
{
	uint64_t x;
	if (len >= 8) {
		uint64_t t = bl_load64(k + len - 8);
		x = bl_load64(k) ^ (t << 29 | t >> 35);
	} else {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (wide) {
			x = bl_load64(k) & ((1ull << (8 * len)) - 1);  /* len < 8 */
		} else
#else
		(void)wide;
#endif
		{
			x = 0;
			for (size_t i = 0; i < len; i++)
				x |= (uint64_t)(unsigned char)k[i] << (8 * i);
		}
	}
	return (x ^ (uint64_t)len) * 0x9E3779B97F4A7C15ull;
}

/* Insert key index idx (absolute in keys) into f's table; returns the
 * clashing index + 1 or 0. */
static size_t ht_insert(struct frame *f, const struct kent *keys, size_t idx)
{
	size_t mask = f->htcap - 1;
	size_t h = (size_t)(keys[idx].fp >> 32) & mask;
	for (;;) {
		uint32_t slot = f->ht[h];
		if (!slot) {
			f->ht[h] = (uint32_t)(idx - f->kstart + 1);
			f->htn++;
			return 0;
		}
		size_t other = f->kstart + slot - 1;
		if (key_eq(&keys[other], &keys[idx]))
			return other + 1;
		h = (h + 1) & mask;
	}
}

static bool ht_build(struct frame *f, const struct kent *keys, size_t n, size_t cap)
{
	uint32_t *nt = calloc(cap, sizeof(*nt));
	if (!nt)
		return false;
	free(f->ht);
	f->ht = nt;
	f->htcap = cap;
	f->htn = 0;
	for (size_t i = 0; i < n; i++)
		(void)ht_insert(f, keys, f->kstart + i);
	return true;
}

/* dup_check for an object of DUP_LINEAR_MAX keys or more: its hash table
 * (built with every key so far on the first call) takes every key from
 * here on, as the all-ones filter sends them all here. */
static int dup_table(struct parser *j, struct frame *f, const struct kent *keys, size_t last,
		     const char *p, bool quiet)
{
	size_t n = last - f->kstart;
	f->bloom = ~0ull;
	if (n > UINT32_MAX - 2)
		return FAIL(j, p, BL_ELIMIT, "object has too many members");
	if (!f->ht || (f->htn + 1) * 2 > f->htcap) {
		size_t cap = f->ht ? f->htcap * 2 : 64;
		while (cap < (n + 1) * 2)
			cap *= 2;
		if (!ht_build(f, keys, n, cap))
			return nomem(j, p);
	}
	size_t clash = ht_insert(f, keys, last);
	if (clash)
		return quiet ? BL_EINVAL : bl_json_dup_error(j, &keys[clash - 1], &keys[last]);
	return 0;
}

/*
 * Check the newest key (keys[last], whose fingerprint fp is passed in so
 * that it is not read back from memory) of the object of frame f against its
 * siblings.  A 64-bit filter of the fingerprints seen answers "no duplicate"
 * for most keys without looking at the object's size: a key whose bit is
 * new cannot equal an earlier one.  Past the filter, small objects are
 * scanned (comparing fingerprints) and larger ones use a hash table, which
 * then fills the filter so that every later key reaches it (at most 64 keys
 * pass the filter, so the table is built by the 96th key at the latest and
 * holds every key from then on).  Returns 0, BL_EINVAL (duplicate) or
 * BL_ENOMEM.  quiet: a duplicate sets no message (skip_value, whose keys
 * have no position: the full re-parse reports it).
 */
static ALWAYS_INLINE int dup_check(struct parser *j, struct frame *f, const struct kent *keys,
				   size_t last, uint64_t fp, const char *p, const bool quiet)
{
	uint64_t bit = 1ull << (fp >> 58);
	if (!(f->bloom & bit)) {
		f->bloom |= bit;
		return 0;
	}
	if (last - f->kstart >= DUP_LINEAR_MAX)
		return dup_table(j, f, keys, last, p, quiet);
	for (size_t i = f->kstart; i < last; i++)
		if (key_eq(&keys[i], &keys[last]))
			return quiet ? BL_EINVAL : bl_json_dup_error(j, &keys[i], &keys[last]);
	return 0;
}

/*
 * The slot of the container whose frame was just popped: the newest entry
 * of the enclosing container's scratch stack (its children above it are
 * gone by now), or the root.
 */
static inline struct bl_value *parent_slot(struct parser *j, struct bl_value *root)
{
	if (!j->frames.n)
		return root;
	const struct frame *f = (const struct frame *)j->frames.p + j->frames.n - 1;
	if (f->is_obj)
		return &((struct bl_member *)j->mems.p)[j->mems.n - 1].val;
	return (struct bl_value *)j->vals.p + j->vals.n - 1;
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

/*
 * What the byte at the start of a value begins, for the dispatch in parse()
 * and skip_value(): one table load and a dense switch (a jump table) instead
 * of a chain of compares on the byte.  VC_BAD (0) is every other byte.
 */
enum {
	VC_BAD = 0, VC_WS, VC_OBJ, VC_ARR, VC_STR, VC_TRUE, VC_FALSE, VC_NULL, VC_NUM,
};

static const uint8_t value_class[256] = {
	[' '] = VC_WS, ['\t'] = VC_WS, ['\n'] = VC_WS, ['\r'] = VC_WS,
	['{'] = VC_OBJ, ['['] = VC_ARR, ['"'] = VC_STR,
	['t'] = VC_TRUE, ['f'] = VC_FALSE, ['n'] = VC_NULL,
	['-'] = VC_NUM, ['0'] = VC_NUM, ['1'] = VC_NUM, ['2'] = VC_NUM, ['3'] = VC_NUM,
	['4'] = VC_NUM, ['5'] = VC_NUM, ['6'] = VC_NUM, ['7'] = VC_NUM, ['8'] = VC_NUM,
	['9'] = VC_NUM,
};

/* "false" at p, 5 bytes readable: memcmp of 4 bytes is one load and
 * compare where a memcmp of 5 is a call. */
static ALWAYS_INLINE bool is_false(const char *p)
{
	return memcmp(p, "fals", 4) == 0 && p[4] == 'e';
}

/* Whitespace after the first byte was found not to settle it (see WS). */
static inline const char *ws_more(const char *p, const char *end, uint32_t *line,
				  uintptr_t *colb)
{
	while (p < end) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			++*line;
			*colb = (uintptr_t)p;
			p++;
		} else {
			break;
		}
	}
	return p;
}

/* ---- selective parse: keep sets and the skip validator --------------- */

/* bl_json_skip_string_slow, with the common string (plain ASCII, up to 256
 * bytes) found without a call and without the length check it cannot fail. */
static ALWAYS_INLINE const char *skip_string(struct parser *j, const char *p, const bool sen)
{
	const char *q = string_fast(j->end, p, 16, sen);
	return q ? q + 1 : bl_json_skip_string_slow(j, p);
}

/* Drop the frames skip_value pushed above base. */
static void skip_unwind(struct parser *j, size_t base)
{
	struct frame *fr = j->frames.p;
	while (j->frames.n > base) {
		struct frame *f = &fr[--j->frames.n];
		free(f->ht);
		f->ht = NULL;
		if (f->is_obj)
			j->keys.n = f->kstart;
	}
}

/* The whitespace bytes of RFC 8259 (what ws_more skips). */
static inline bool is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/*
 * Validate the value at *pp (a member nobody keeps) without building it:
 * the same grammar and the same checks as parse() -- strings, numbers
 * (parse_number itself, so ranges agree), literals, nesting depth counted
 * on the same frame stack, duplicate keys with the same fingerprints and
 * dup_check -- but no value is written and nothing is copied to the arena
 * (except the decoded text of an escaped key, which the duplicate check
 * compares).  Positions are tracked (j->line, j->col_base) so that the
 * parse goes on with the right line:col.  Returns 0 with *pp past the
 * value, or nonzero: the selective parse then gives up and bl_json_parse
 * re-parses in full, which reports the first error with its message.
 *
 * Whitespace is tested where a token is expected, after the byte failed to
 * be the expected token: compact JSON has none, so that costs nothing.
 */
static ALWAYS_INLINE int skip_value(struct parser *restrict j, const char **pp, const bool sen)
{
	const char *p = *pp, *end = j->end;
	uint32_t line = j->line;
	uintptr_t colb = j->col_base;
	const size_t base = j->frames.n;
	size_t depth = 0;  /* frames pushed here: j->frames.n - base, in a register */
	struct bl_value dummy;
	struct frame *f = NULL;
	const char *pe;  /* out parameter of calls: p itself never has its address taken */

#define SYNC() (j->line = line, j->col_base = colb)
#define WS(at) do { \
		if (!(AVAIL(at) && (unsigned char)*(at) > ' ')) \
			(at) = ws_more((at), end, &line, &colb); \
	} while (0)

value:
	/* Strings before the dispatch: most skipped values are strings. */
	if (AVAIL(p) && *p == '"') {
		if (!(p = skip_string(j, p, sen)))
			goto fail;
		goto done;
	}
	switch (AVAIL(p) ? value_class[(unsigned char)*p] : VC_BAD) {
	case VC_WS:
		if (sen && p >= end)  /* the sentinel itself */
			goto fail;
		p = ws_more(p, end, &line, &colb);
		goto value;
	case VC_OBJ:
	case VC_ARR:
		if (j->frames.n >= j->max_depth || !stack_reserve(&j->frames))
			goto fail;
		/* (only what dup_check and skip_unwind read: nothing is built) */
		f = (struct frame *)j->frames.p + j->frames.n++;
		depth++;
		f->is_obj = *p == '{';
		f->kstart = j->keys.n;
		f->bloom = 0;
		f->ht = NULL;
		p++;
		WS(p);
		if (f->is_obj) {
			if (AVAIL(p) && *p == '"')
				goto key;
			if (AVAIL(p) && *p == '}') {
				p++;
				j->frames.n--;
				depth--;
				f--;
				goto done;
			}
			goto fail;
		}
		if (AVAIL(p) && *p == ']') {
			p++;
			j->frames.n--;
			depth--;
			f--;
			goto done;
		}
		goto value;
	case VC_STR:  /* (taken above; the case keeps the dispatch a dense table) */
		if (!(p = skip_string(j, p, sen)))
			goto fail;
		goto done;
	case VC_TRUE:
		if ((!sen && end - p < 4) || memcmp(p, "true", 4) != 0)
			goto fail;
		p += 4;
		goto done;
	case VC_FALSE:
		if ((!sen && end - p < 5) || !is_false(p))
			goto fail;
		p += 5;
		goto done;
	case VC_NULL:
		if ((!sen && end - p < 4) || memcmp(p, "null", 4) != 0)
			goto fail;
		p += 4;
		goto done;
	case VC_NUM:
		SYNC();
		if ((sen ? parse_number_padded : parse_number)(j, p, &dummy, &pe))
			goto fail;
		p = pe;
		goto done;
	default:
		goto fail;
	}

key: {
	/* p is at the opening quote of a key; f is its object's frame. */
	if (!stack_reserve(&j->keys))
		goto fail;
	struct kent *k = (struct kent *)j->keys.p + j->keys.n;
	const char *q = string_fast(end, p, 2, sen);
	/* (no line:col: they are only for messages, which the full re-parse
	 * gives) */
	uint64_t fp;
	if (q) {
		k->key = p + 1;
		k->klen = (uint32_t)(q - p - 1);
		fp = key_fp(k->key, k->klen, sen || end - k->key >= 8);
		p = q + 1;
	} else {
		const char *s = p + 1;
		SYNC();
		if (bl_json_string_slow(j, p, s, &k->key, &k->klen, &pe))
			goto fail;
		p = pe;
		fp = key_fp(k->key, k->klen, k->key == s && (sen || end - s >= 8));
	}
	k->fp = fp;
	size_t last = j->keys.n++;
	if (dup_check(j, f, j->keys.p, last, fp, p, true))
		goto fail;
	if (!(AVAIL(p) && *p == ':')) {
		WS(p);
		if (p >= end || *p != ':')
			goto fail;
	}
	p++;
	goto value;
}

	/* f is the top frame from here on whenever depth > 0 (set where
	 * frames are pushed, stepped down where they are popped; base >= 1,
	 * the object whose member this is, so f never leaves the array). */
done:
	while (depth) {
		if (AVAIL(p) && *p == ',') {
			p++;
			if (!f->is_obj)
				goto value;
			if (AVAIL(p) && *p == '"')
				goto key;
			WS(p);
			if (AVAIL(p) && *p == '"')
				goto key;
			goto fail;
		}
		if (AVAIL(p) && *p == (f->is_obj ? '}' : ']')) {
			p++;
			if (f->is_obj) {
				j->keys.n = f->kstart;
				if (f->ht) {
					free(f->ht);
					f->ht = NULL;
				}
			}
			j->frames.n--;
			depth--;
			f--;
			continue;
		}
		if (p < end && is_ws(*p)) {
			p = ws_more(p, end, &line, &colb);
			continue;
		}
		goto fail;
	}
	SYNC();
	*pp = p;
	return 0;

fail:
	skip_unwind(j, base);
	return BL_EINVAL;
#undef SYNC
#undef WS
}

/*
 * The parse loop.  Jumps between three points: `value` parses one value
 * straight into its slot v (the newest element of the enclosing array's
 * scratch stack, the newest member's val, or the root), pushing a frame for
 * containers; `key` reads an object key and its ':'; `done` handles the
 * separator or closing bracket after a finished value, and on a closing
 * bracket copies the children to the arena and fills in the container's own
 * slot, whose type and position were written when it opened.  Every key
 * goes to the keys stack (duplicate check); only the members that are
 * built get a slot in mems.
 *
 * The position (line, column base) lives in locals so that the byte stores
 * into nodes, which may alias anything, do not force it to be reloaded; it
 * is written back to j (SYNC) before any call that may report an error.
 * Whitespace is tested only after the byte at p failed to be the token
 * expected there (compact JSON has none between tokens), except where the
 * message for a bad byte depends on what follows the whitespace.
 */
static ALWAYS_INLINE int parse_body(struct parser *restrict j, struct bl_value *root,
				    const bool sen)
{
	const char *p = j->buf, *end = j->end;
	const char *file = j->file;
	uint32_t line = j->line;
	uintptr_t colb = j->col_base;
	struct bl_value *v = root;
	/* What to keep of the value about to be parsed; NULL = everything.
	 * Containers remember it in their frame; arrays pass it on to their
	 * elements unchanged (arrays are transparent to keep sets). */
	const struct keep_node *vk = j->kroot;
	int rc;
	char d[16];
	const char *pe;  /* out parameter of calls, so that p can live in a register */

#define SYNC() (j->line = line, j->col_base = colb)
#define PFAIL(at, code, ...) (SYNC(), FAIL(j, (at), (code), __VA_ARGS__))
#define COL(at) col_clamp((uint64_t)((uintptr_t)(at) - colb))
#define WS(at) do { \
		if (!(AVAIL(at) && (unsigned char)*(at) > ' ')) \
			(at) = ws_more((at), end, &line, &colb); \
	} while (0)

	WS(p);
	if (p >= end)
		return PFAIL(p, BL_EINVAL, "empty document: expected a JSON value");
value:
	{
		uint32_t col = COL(p);
		v->line = line;
		v->col = col;
		v->file = file;
		v->flags = 0;
		v->b = false;
	}
	switch (AVAIL(p) ? value_class[(unsigned char)*p] : VC_BAD) {
	case VC_WS:
		if (sen && p >= end) {  /* the sentinel itself: the end */
			SYNC();
			return bl_json_bad_value(j, p);
		}
		/* (the node's position is written again after it) */
		p = ws_more(p, end, &line, &colb);
		goto value;
	case VC_OBJ:
		v->type = BL_VOBJ;
		v->u.obj.items = NULL;
		v->u.obj.n = 0;
		if (j->frames.n >= j->max_depth || !stack_reserve(&j->frames))
			goto frame_fail;
		{
			struct frame *f = (struct frame *)j->frames.p + j->frames.n++;
			f->start = j->mems.n;
			f->kstart = j->keys.n;
			f->is_obj = true;
			f->bloom = 0;
			f->ht = NULL;
			f->htcap = f->htn = 0;
			f->kn = vk;
		}
		p++;
		WS(p);
		if (AVAIL(p) && *p == '"')
			goto key;
		if (AVAIL(p) && *p == '}') {
			p++;
			j->frames.n--;
			goto done;
		}
		return PFAIL(p, BL_EINVAL, "expected a string key or '}' after '{'");
	case VC_ARR:
		v->type = BL_VARR;
		v->u.arr.items = NULL;
		v->u.arr.n = 0;
		if (j->frames.n >= j->max_depth || !stack_reserve(&j->frames))
			goto frame_fail;
		{
			struct frame *f = (struct frame *)j->frames.p + j->frames.n++;
			f->start = j->vals.n;
			f->kstart = 0;
			f->is_obj = false;
			f->ht = NULL;
			f->htcap = f->htn = 0;
			f->kn = vk;
		}
		p++;
		WS(p);
		if (AVAIL(p) && *p == ']') {
			p++;
			j->frames.n--;
			goto done;
		}
		if (p >= end)
			return PFAIL(p, BL_EINVAL, "unexpected end of input: expected a value or ']'");
		if (!stack_reserve(&j->vals))
			return PFAIL(p, BL_ENOMEM, "out of memory");
		v = (struct bl_value *)j->vals.p + j->vals.n++;
		goto value;
	case VC_STR: {
		const char *q = string_fast(end, p, 16, sen);
		v->type = BL_VSTR;
		if (q) {
			v->u.str.s = p + 1;
			v->u.str.len = (uint32_t)(q - p - 1);
			p = q + 1;
		} else {
			SYNC();
			if ((rc = bl_json_string_slow(j, p, p + 1, &v->u.str.s, &v->u.str.len, &pe)))
				return rc;
			p = pe;
		}
		goto done;
	}
	case VC_TRUE:
		if ((!sen && end - p < 4) || memcmp(p, "true", 4) != 0)
			return PFAIL(p, BL_EINVAL, "invalid literal: expected '%s'", "true");
		p += 4;
		v->type = BL_VBOOL;
		v->b = true;
		goto done;
	case VC_FALSE:
		if ((!sen && end - p < 5) || !is_false(p))
			return PFAIL(p, BL_EINVAL, "invalid literal: expected '%s'", "false");
		p += 5;
		v->type = BL_VBOOL;
		goto done;
	case VC_NULL:
		if ((!sen && end - p < 4) || memcmp(p, "null", 4) != 0)
			return PFAIL(p, BL_EINVAL, "invalid literal: expected '%s'", "null");
		p += 4;
		v->type = BL_VNULL;
		goto done;
	case VC_NUM:
		SYNC();
		if ((rc = (sen ? parse_number_padded : parse_number)(j, p, v, &pe)))
			return rc;
		p = pe;
		goto done;
	default:
		SYNC();
		return bl_json_bad_value(j, p);
	}

key: {
	/* p is at the opening quote of a key. */
	if (!stack_reserve(&j->keys))
		return PFAIL(p, BL_ENOMEM, "out of memory");
	struct kent *k = (struct kent *)j->keys.p + j->keys.n;
	const char *q = string_fast(end, p, 2, sen);
	bool wide;
	uint64_t fp;
	k->line = line;
	k->col = COL(p);
	if (q) {
		/* An unescaped key lies in the input: 8 bytes can be read from
		 * it when the input goes on that far. */
		k->key = p + 1;
		k->klen = (uint32_t)(q - p - 1);
		wide = sen || end - k->key >= 8;
		fp = key_fp(k->key, k->klen, wide);
		p = q + 1;
	} else {
		const char *s = p + 1;
		SYNC();
		if ((rc = bl_json_string_slow(j, p, s, &k->key, &k->klen, &pe)))
			return rc;
		p = pe;
		wide = k->key == s && (sen || end - s >= 8);
		fp = key_fp(k->key, k->klen, wide);
	}
	k->fp = fp;
	size_t last = j->keys.n++;
	struct frame *f = (struct frame *)j->frames.p + j->frames.n - 1;
	if ((rc = dup_check(j, f, j->keys.p, last, fp, p, false)))
		return rc;
	if (!(AVAIL(p) && *p == ':')) {
		WS(p);
		if (p >= end || *p != ':')
			return PFAIL(p, BL_EINVAL, "expected ':' after object key");
	}
	p++;
	if (f->kn) {
		const struct keep_node *c = keep_find(j->knodes, f->kn, k->key, k->klen, wide);
		if (!c) {
			/* Nobody reads it: validate it, build nothing (its key
			 * stays on the keys stack for the duplicate check). */
			SYNC();
			pe = p;
			if ((rc = skip_value(j, &pe, sen)))
				return rc;
			p = pe;
			line = j->line;
			colb = j->col_base;
			goto done;
		}
		vk = c->all ? NULL : c;
	} else {
		vk = NULL;
	}
	if (!stack_reserve(&j->mems))
		return PFAIL(p, BL_ENOMEM, "out of memory");
	struct bl_member *m = (struct bl_member *)j->mems.p + j->mems.n++;
	m->key = k->key;
	m->klen = k->klen;
	m->line = k->line;
	m->col = k->col;
	v = &m->val;
	goto value;
}

done:
	while (j->frames.n) {
		struct frame *f = (struct frame *)j->frames.p + j->frames.n - 1;
		void *items;
		size_t n;
		if (f->is_obj) {
			if (AVAIL(p) && *p == ',') {
				p++;
				if (AVAIL(p) && *p == '"')
					goto key;
				WS(p);
				if (AVAIL(p) && *p == '"')
					goto key;
				if (AVAIL(p) && *p == '}')
					return PFAIL(p, BL_EINVAL, "trailing comma before '}'");
				return PFAIL(p, BL_EINVAL, "expected a string key after ','");
			}
			if (!(AVAIL(p) && *p == '}')) {
				if (p < end && is_ws(*p)) {
					p = ws_more(p, end, &line, &colb);
					continue;
				}
				return PFAIL(p, BL_EINVAL, "expected ',' or '}' after object member");
			}
			p++;
			n = j->mems.n - f->start;
			SYNC();
			if ((rc = close_items(j, p, (struct bl_member *)j->mems.p + f->start, n,
					      sizeof(struct bl_member), &items)))
				return rc;
			j->mems.n = f->start;
			j->keys.n = f->kstart;
			if (f->ht) {
				free(f->ht);
				f->ht = NULL;
			}
			j->frames.n--;
			struct bl_value *slot = parent_slot(j, root);
			slot->u.obj.items = items;
			slot->u.obj.n = (uint32_t)n;
		} else {
			if (AVAIL(p) && *p == ',') {
				p++;
				/* (whitespace first: "[1, ]" is a trailing comma) */
				WS(p);
				if (AVAIL(p) && *p == ']')
					return PFAIL(p, BL_EINVAL, "trailing comma before ']'");
				if (!stack_reserve(&j->vals))
					return PFAIL(p, BL_ENOMEM, "out of memory");
				v = (struct bl_value *)j->vals.p + j->vals.n++;
				vk = f->kn;
				goto value;
			}
			if (!(AVAIL(p) && *p == ']')) {
				if (p < end && is_ws(*p)) {
					p = ws_more(p, end, &line, &colb);
					continue;
				}
				return PFAIL(p, BL_EINVAL, "expected ',' or ']' after array element");
			}
			p++;
			n = j->vals.n - f->start;
			SYNC();
			if ((rc = close_items(j, p, (struct bl_value *)j->vals.p + f->start, n,
					      sizeof(struct bl_value), &items)))
				return rc;
			j->vals.n = f->start;
			j->frames.n--;
			struct bl_value *slot = parent_slot(j, root);
			slot->u.arr.items = items;
			slot->u.arr.n = (uint32_t)n;
		}
	}
	WS(p);
	if (p < end)
		return PFAIL(p, BL_EINVAL, "unexpected %s after the JSON value",
			     bl_json_describe(d, sizeof(d), p, end));
	return 0;

frame_fail:
	if (j->frames.n >= j->max_depth)
		return PFAIL(p, BL_ELIMIT, "nesting deeper than %u levels", j->max_depth);
	return PFAIL(p, BL_ENOMEM, "out of memory");
#undef SYNC
#undef PFAIL
#undef COL
#undef WS
}

/* The two instances of the parse loop (see the top and AVAIL). */
static int parse(struct parser *restrict j, struct bl_value *root)
{
	return parse_body(j, root, false);
}

static int parse_padded(struct parser *restrict j, struct bl_value *root)
{
	return parse_body(j, root, true);
}

int bl_json_parse(const struct bl_value **out, struct bl_arena *a,
		  const char *buf, size_t len, const char *file,
		  const struct bl_json_opts *opts, struct bl_error *err)
{
	struct bl_value lvals[64];
	struct bl_member lmems[64];
	struct kent lkeys[64];
	struct frame lframes[32];
	struct parser j;

	*out = NULL;
	j.buf = buf;
	j.end = buf + len;
	j.line = opts && opts->line0 ? opts->line0 : 1;
	j.col_base = (uintptr_t)buf - (opts && opts->col0 ? opts->col0 : 1);
	j.file = file;
	j.a = a;
	j.err = err;
	j.max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
	const struct bl_json_keep *keep = opts ? opts->keep : NULL;
	j.knodes = keep && keep->n ? keep->nodes : NULL;
	j.kroot = j.knodes && !j.knodes[0].all ? &j.knodes[0] : NULL;
	stack_init(&j.vals, lvals, sizeof(lvals) / sizeof(lvals[0]), sizeof(lvals[0]));
	stack_init(&j.mems, lmems, sizeof(lmems) / sizeof(lmems[0]), sizeof(lmems[0]));
	stack_init(&j.keys, lkeys, sizeof(lkeys) / sizeof(lkeys[0]), sizeof(lkeys[0]));
	stack_init(&j.frames, lframes, sizeof(lframes) / sizeof(lframes[0]), sizeof(lframes[0]));

	/* A control character after the value (any, so that the caller need
	 * not overwrite a JSON lines newline) makes every token test fail at
	 * the end, which lets the padded instance drop the end tests. */
	int (*const run)(struct parser *restrict, struct bl_value *) =
		opts && opts->padded && (unsigned char)buf[len] < 0x20 ? parse_padded : parse;

	/* The root is allocated first so that the parse writes it in place. */
	struct bl_value *root = bl_arena_alloc(a, sizeof(*root));
	int rc;
	if (!root)
		rc = bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	else if ((rc = run(&j, root)) != 0 && j.kroot) {
		/* A selective parse failed somewhere: parse again in full, so
		 * that the error (first in document order, message, line:col)
		 * is exactly the one a full parse reports.  Errors are rare; the
		 * first attempt's allocations stay in the arena until reset. */
		frames_release(&j);
		j.vals.n = j.mems.n = j.keys.n = j.frames.n = 0;
		j.line = opts && opts->line0 ? opts->line0 : 1;
		j.col_base = (uintptr_t)buf - (opts && opts->col0 ? opts->col0 : 1);
		j.kroot = NULL;
		rc = run(&j, root);
	}
	if (!rc)
		*out = root;
	frames_release(&j);
	stack_free(&j.vals);
	stack_free(&j.mems);
	stack_free(&j.keys);
	stack_free(&j.frames);
	return rc;
}
