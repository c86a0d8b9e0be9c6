/*
 * json_write.c - JSON writer over the value tree (see json.h).
 *
 * The output must always be valid JSON, whatever the tree holds: values read
 * from hosts may carry invalid UTF-8, so each bad byte becomes U+FFFD rather
 * than passing through.  U+2028/U+2029 are escaped because they end lines in
 * JavaScript and the JSON may be embedded in the HTML dashboard.  The walk
 * uses an explicit stack, so a deep tree cannot overflow the C stack.
 */
#include "doc/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- ASCII strings in place (bl_json_put_ascii) --------------------------- */

/* Bytes JSON needs no escape for (the shared writer's rule: printable ASCII
 * except '"' and '\\'). */
static inline bool plain_byte(unsigned char c)
{
	return (unsigned char)(c - 0x20) < 0x60 && c != '"' && c != '\\';
}

#if defined(__SSE2__)
static inline __m128i load16(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline void store16(char *o, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)o, v);
}

/* Bit k set when byte k of v needs an escape. */
static inline unsigned bad_mask16(__m128i v)
{
	const __m128i lo = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	/* signed compare: bytes >= 0x80 are negative, so below 0x20 too */
	__m128i bad = _mm_or_si128(_mm_cmpgt_epi8(lo, v),
				   _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
	return (unsigned)_mm_movemask_epi8(bad);
}
#endif

size_t bl_json_plain_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		for (; i + 16 <= n; i += 16) {
			unsigned m = bad_mask16(load16(p + i));
			if (m)
				return i + (size_t)__builtin_ctz(m);
		}
		if (i == n)
			return n;
		/* the last block overlaps bytes already known plain, so its first
		 * bad byte (if any) is at or after i: no scalar tail */
		unsigned m = bad_mask16(load16(p + n - 16));
		return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
	}
#endif
	while (i < n && plain_byte(p[i]))
		i++;
	return i;
}

size_t bl_json_ascii_room(size_t len)
{
	return len > ((size_t)-1 - 2 - BL_JSON_ASCII_SLACK) / 6 ? (size_t)-1
							   : 6 * len + 2 + BL_JSON_ASCII_SLACK;
}

#if defined(__SSE2__)
/* load16(tail_sel + k) selects the last 16 - k bytes of a block. */
static const unsigned char tail_sel[32] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};
#endif

/*
 * Plain text is copied in 16-byte blocks as it is scanned, the last bytes
 * of a string of 16 or more from a block that ends with it, merged into the
 * output that precedes them; shorter strings go byte by byte.
 */
char *bl_json_put_ascii(char *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned char c;
	unsigned k;
	*o++ = '"';
	for (;;) {
#if defined(__SSE2__)
		while (end - p >= 32) {
			__m128i v0 = load16(p), v1 = load16(p + 16);
			store16(o, v0);
			store16(o + 16, v1);
			unsigned m = bad_mask16(v0) | bad_mask16(v1) << 16;
			if (m) {
				k = (unsigned)__builtin_ctz(m);
				goto found;
			}
			p += 32;
			o += 32;
		}
		if (end - p >= 16) {
			__m128i v = load16(p);
			store16(o, v);
			unsigned m = bad_mask16(v);
			if (m) {
				k = (unsigned)__builtin_ctz(m);
				goto found;
			}
			p += 16;
			o += 16;
		}
		if (p < end && len >= 16) {
			/* rem < 16 bytes left: the string's last block holds them in
			 * its last rem lanes, stored over the rem bytes at o while the
			 * 16 - rem output bytes before o (there are that many: each
			 * input byte before p made at least one) stay */
			unsigned rem = (unsigned)(end - p);
			__m128i v = load16(end - 16);
			__m128i prev = load16((const unsigned char *)o + rem - 16);
			__m128i sel = load16(tail_sel + rem);
			store16(o + rem - 16, _mm_or_si128(_mm_and_si128(sel, v),
							   _mm_andnot_si128(sel, prev)));
			unsigned m = bad_mask16(v) >> (16 - rem);
			if (!m) {
				o += rem;
				*o++ = '"';
				return o;
			}
			k = (unsigned)__builtin_ctz(m);
			goto found;
		}
		if (len < 16 && p == (const unsigned char *)s && len >= 4) {
			/* a short string whole: two overlapping words of 8 (or 4)
			 * bytes, checked as one block and stored if plain */
			__m128i v;
			uint64_t w0, w1;
			uint32_t h0, h1;
			if (len >= 8) {
				memcpy(&w0, p, 8);
				memcpy(&w1, end - 8, 8);
				v = _mm_set_epi64x((long long)w1, (long long)w0);
			} else {
				memcpy(&h0, p, 4);
				memcpy(&h1, end - 4, 4);
				v = _mm_set_epi32(0x41414141, 0x41414141, (int)h1, (int)h0);
			}
			if (!bad_mask16(v)) {
				if (len >= 8) {
					memcpy(o, &w0, 8);
					memcpy(o + len - 8, &w1, 8);
				} else {
					memcpy(o, &h0, 4);
					memcpy(o + len - 4, &h1, 4);
				}
				o += len;
				*o++ = '"';
				return o;
			}
		}
#endif
		while (p < end && plain_byte(*p))
			*o++ = (char)*p++;
		if (p == end) {
			*o++ = '"';
			return o;
		}
		k = 0;
found:
		/* p[k] needs an escape; p[0..k) are at o already */
		p += k;
		o += k;
		c = *p++;
		if (c >= 0x80)
			return NULL;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
}

/* ---- the writer ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c == 0xE0)
		len = 3, lo = 0xA0;
	else if (c == 0xED)
		len = 3, hi = 0x9F;
	else if (c >= 0xE1 && c <= 0xEF)
		len = 3;
	else if (c == 0xF0)
		len = 4, lo = 0x90;
	else if (c >= 0xF1 && c <= 0xF3)
		len = 4;
	else if (c == 0xF4)
		len = 4, hi = 0x8F;
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* Append s as a quoted JSON string.  Returns 0 or the buffer's error code. */
int bl_json_write_str(struct bl_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0, i = 0;
	/* Most strings are ASCII and fit in the room the buffer has: escaped in
	 * place by the block writer (same bytes as the loop below, whose rule
	 * for ASCII it shares) instead of three appends and a byte loop.  The
	 * room test keeps the NUL's byte and the writer's slack inside cap. */
	if (!out->failed && out->cap - out->len > bl_json_ascii_room(len)) {
		char *e = bl_json_put_ascii(out->data + out->len, s, len);
		if (e) {
			out->len = (size_t)(e - out->data);
			out->data[out->len] = '\0';
			return 0;
		}
		/* a non-ASCII byte: the bytes written past len are ignored and
		 * the loop below writes the string over them */
	}
	bl_buf_addc(out, '"');
	while (i < len) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		char esc[6];
		size_t elen = 0;
		size_t adv = 1;
		if (c >= 0x80) {
			size_t n = utf8_len(u + i, len - i);
			if (n && !(n == 3 && c == 0xE2 && u[i + 1] == 0x80 &&
				   (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))) {
				i += n;  /* valid and harmless: part of the run */
				continue;
			}
			if (n) {
				memcpy(esc, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
				elen = 6;
				adv = 3;
			} else {
				memcpy(esc, "\xEF\xBF\xBD", 3);
				elen = 3;
			}
		} else {
			esc[0] = '\\';
			elen = 2;
			switch (c) {
			case '"': esc[1] = '"'; break;
			case '\\': esc[1] = '\\'; break;
			case '\b': esc[1] = 'b'; break;
			case '\f': esc[1] = 'f'; break;
			case '\n': esc[1] = 'n'; break;
			case '\r': esc[1] = 'r'; break;
			case '\t': esc[1] = 't'; break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				elen = 6;
			}
		}
		if (i > run)
			bl_buf_add(out, s + run, i - run);
		bl_buf_add(out, esc, elen);
		i += adv;
		run = i;
	}
	if (i > run)
		bl_buf_add(out, s + run, i - run);
	return bl_buf_addc(out, '"');
}

/* One byte of punctuation: stored in place while the buffer has room (most
 * of a compact document is these and strings), else a plain append. */
static inline void put1(struct bl_buf *out, char c)
{
	if (!out->failed && out->cap - out->len > 1) {
		out->data[out->len++] = c;
		out->data[out->len] = '\0';
	} else {
		bl_buf_addc(out, c);
	}
}

static void write_indent(struct bl_buf *out, int indent, size_t depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)indent * depth;
	bl_buf_addc(out, '\n');
	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		bl_buf_add(out, spaces, k);
		n -= k;
	}
}

/* Does t[0..n) match the JSON number grammar?  YAML numbers keep their
 * source text ("0640", "+5", "0x1F", ".5"), which JSON cannot carry. */
static bool json_number_text(const char *t, size_t n)
{
	size_t i = 0;
	if (i < n && t[i] == '-')
		i++;
	if (i >= n)
		return false;
	if (t[i] == '0') {
		i++;
	} else if (t[i] >= '1' && t[i] <= '9') {
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	} else {
		return false;
	}
	if (i < n && t[i] == '.') {
		size_t d = ++i;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	return i == n;
}

static void write_number(struct bl_buf *out, const struct bl_value *v)
{
	if (v->u.num.text && v->u.num.len && json_number_text(v->u.num.text, v->u.num.len)) {
		bl_buf_add(out, v->u.num.text, v->u.num.len);
	} else if (isfinite(v->u.num.d)) {
		char tmp[40];
		bl_buf_add(out, tmp, bl_number_text(v->u.num.d, tmp));
	} else {
		bl_buf_adds(out, "null");  /* JSON has no NaN or infinity */
	}
}

struct wframe {
	const struct bl_value *v;
	uint32_t i;
};

/* Write a scalar, an empty container, or open a container (returns true). */
static bool write_open(struct bl_buf *out, const struct bl_value *v)
{
	switch (v->type) {
	case BL_VNULL:
		bl_buf_add(out, "null", 4);
		return false;
	case BL_VBOOL:
		bl_buf_adds(out, v->b ? "true" : "false");
		return false;
	case BL_VNUM:
		write_number(out, v);
		return false;
	case BL_VSTR:
		bl_json_write_str(out, v->u.str.s, v->u.str.len);
		return false;
	case BL_VARR:
		if (!v->u.arr.n) {
			bl_buf_add(out, "[]", 2);
			return false;
		}
		put1(out, '[');
		return true;
	case BL_VOBJ:
		if (!v->u.obj.n) {
			bl_buf_add(out, "{}", 2);
			return false;
		}
		put1(out, '{');
		return true;
	case BL_VERR:
	case BL_VNA:
		/* facts that could not be read stay visible as such in JSON */
		bl_buf_adds(out, v->type == BL_VERR ? "{\"$error\":" : "{\"$not_applicable\":");
		bl_json_write_str(out, v->u.str.s, v->u.str.len);
		bl_buf_addc(out, '}');
		return false;
	default:
		bl_buf_add(out, "null", 4);
		return false;
	}
}

/*
 * Append v as JSON (compact when indent is 0).  Returns 0, or the buffer's
 * sticky error (BL_ENOMEM/BL_ELIMIT); BL_ENOMEM also if the walk stack
 * cannot grow.
 */
int bl_json_write(struct bl_buf *out, const struct bl_value *v, int indent)
{
	struct wframe local[64];
	struct wframe *st = local;
	size_t n = 0, cap = sizeof(local) / sizeof(local[0]);
	int rc = 0;

	if (indent < 0)
		indent = 0;
	if (write_open(out, v))
		st[n++] = (struct wframe){v, 0};
	while (n && !out->failed) {
		struct wframe *f = &st[n - 1];
		const struct bl_value *c = f->v;
		uint32_t count = c->type == BL_VARR ? c->u.arr.n : c->u.obj.n;
		if (f->i == count) {
			if (indent)
				write_indent(out, indent, n - 1);
			put1(out, c->type == BL_VARR ? ']' : '}');
			n--;
			continue;
		}
		if (f->i)
			put1(out, ',');
		if (indent)
			write_indent(out, indent, n);
		const struct bl_value *child;
		if (c->type == BL_VARR) {
			child = &c->u.arr.items[f->i];
		} else {
			const struct bl_member *m = &c->u.obj.items[f->i];
			bl_json_write_str(out, m->key, m->klen);
			if (indent)
				bl_buf_add(out, ": ", 2);
			else
				put1(out, ':');
			child = &m->val;
		}
		f->i++;
		if (!write_open(out, child))
			continue;
		if (n == cap) {
			size_t ncap = cap * 2;
			struct wframe *ns = st == local ? malloc(ncap * sizeof(*ns))
							: realloc(st, ncap * sizeof(*ns));
			if (!ns) {
				rc = BL_ENOMEM;
				break;
			}
			if (st == local)
				memcpy(ns, local, sizeof(local));
			st = ns;
			cap = ncap;
		}
		st[n++] = (struct wframe){child, 0};
	}
	if (st != local)
		free(st);
	if (out->failed)
		return bl_buf_add(out, "", 0);
	return rc;
}

int bl_yaml_write_str(struct bl_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	bl_buf_addc(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned c = p[i];
		if (c == '"' || c == '\\') {
			bl_buf_addc(out, '\\');
			bl_buf_addc(out, (char)c);
		} else if (c == '\n') {
			bl_buf_adds(out, "\\n");
		} else if (c == '\t') {
			bl_buf_adds(out, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			bl_buf_printf(out, "\\u%04x", c);
		} else if (c == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			bl_buf_printf(out, "\\u%04x", (unsigned)p[i + 1]);   /* C1 controls, NEL */
			i++;
		} else if (c == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
			   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			bl_buf_printf(out, "\\u%04x", 0x2000u + (p[i + 2] & 0x3fu));  /* LS, PS */
			i += 2;
		} else if (c == 0xef && i + 2 < len &&
			   ((p[i + 1] == 0xbb && p[i + 2] == 0xbf) ||
			    (p[i + 1] == 0xbf && (p[i + 2] == 0xbe || p[i + 2] == 0xbf)))) {
			unsigned cp = ((c & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) | (p[i + 2] & 0x3fu);
			bl_buf_printf(out, "\\u%04x", cp);  /* BOM, non-characters */
			i += 2;
		} else {
			bl_buf_addc(out, (char)c);
		}
	}
	return bl_buf_addc(out, '"');
}
