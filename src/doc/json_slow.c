/*
 * json_slow.c - the JSON reader's cold half (json.c holds the parse loops):
 * strings the inline scan does not settle (escapes, non-ASCII bytes, which
 * are validated as UTF-8, control characters, strings longer than the scan
 * looks), both decoded (bl_json_string_slow) and only validated for a
 * selective parse (bl_json_skip_string_slow), and the text of the errors
 * whose message needs more than a format string.
 *
 * These run for a small share of the strings of a typical snapshot and for
 * errors, so they cost a call across files; the loops that call them stay
 * together in json.c, where the compiler inlines them into each other.
 * Messages, positions and codes are part of FORMATS.md: every FAIL here
 * positions at the byte it names, as before the split.
 */
#include "doc/json_parser.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

/* ---- messages ------------------------------------------------------- */

/* (json_parser.h) */
const char *bl_json_describe(char *out, size_t size, const char *p, const char *end)
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

/* (json_parser.h) Says what the byte probably meant where it can. */
int bl_json_bad_value(struct parser *j, const char *p)
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
			    bl_json_describe(d, sizeof(d), p, j->end));
	}
}

/* The key as text for a message: control bytes become '?', and a key that
 * fills out up to the room for "..." (size - 4 bytes or more) is cut there
 * and gets "...". */
static void key_for_msg(char *out, size_t size, const char *k, size_t klen)
{
	size_t o = 0, i = 0;
	for (; i < klen && o + 4 < size; i++) {
		unsigned char c = (unsigned char)k[i];
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < klen) {  /* cut: say so */
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

/* (json_parser.h) */
int bl_json_dup_error(struct parser *j, const struct kent *first, const struct kent *second)
{
	char k[80];
	key_for_msg(k, sizeof(k), second->key, second->klen);
	return bl_error_set(j->err, BL_EINVAL, j->file, second->line, second->col,
			    "duplicate key \"%s\" (first at line %u, column %u)",
			    k, first->line, first->col);
}

/* ---- strings -------------------------------------------------------- */

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

/* The first byte from q that ends a plain run of string text (a quote, a
 * backslash, a control character or a non-ASCII byte), or end. */
static const char *next_special(const char *q, const char *end)
{
#if defined(__SSE2__)
	while (end - q >= 16) {
		unsigned mask = str_mask16(q);
		if (mask)
			return q + __builtin_ctz(mask);
		q += 16;
	}
#endif
	while (q < end && !str_special((unsigned char)*q))
		q++;
	return q;
}

/*
 * (json_parser.h) p points at the opening quote, q at the first byte not yet
 * known to be plain ASCII.  On success *pend is past the closing quote.
 */
int bl_json_string_slow(struct parser *j, const char *p, const char *q,
			const char **out, uint32_t *outlen, const char **pend)
{
	const char *s = p + 1, *end = j->end;
	size_t len = 0;
	for (;;) {
		q = next_special(q, end);
		if (q >= end)
			return FAIL(j, p, BL_EINVAL, "unterminated string (no closing '\"')");
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

/* Length of the valid escape at q (q[0] == '\\'), decoded and thrown away;
 * 0 if it is invalid.  Out of line: escapes are rare in skipped text. */
static size_t skip_escape(struct parser *j, const char *q, const char *end)
{
	char tmp[4];
	char *d = tmp;
	if (end - q < 2)
		return 0;
	return unescape(j, q, end, &d);
}

/*
 * (json_parser.h) Validate the string at p (its opening quote) without
 * building it: the checks of bl_json_string_slow (escapes by unescape, UTF-8
 * by utf8_seq, control characters, length) with the decoded bytes thrown
 * away.  Returns the byte past the closing quote, or NULL (the message is
 * not kept: the caller re-parses in full to report the error).  A pointer
 * is returned rather than stored so that the caller's position stays in a
 * register.
 */
const char *bl_json_skip_string_slow(struct parser *j, const char *p)
{
	const char *q = p + 1, *end = j->end;
	for (;;) {
		q = next_special(q, end);
		if (q >= end)
			return NULL;
		if (*q == '"')
			break;
		size_t n;
		if (*q == '\\')
			n = skip_escape(j, q, end);
		else if ((unsigned char)*q < 0x20)
			return NULL;
		else
			n = utf8_seq(j, q);
		if (!n)
			return NULL;
		q += n;
	}
	/* The decoded text is never longer than the source. */
	if ((size_t)(q - p - 1) > UINT32_MAX)
		return NULL;
	return q + 1;
}
