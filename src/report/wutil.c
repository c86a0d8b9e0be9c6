/*
 * wutil.c - escaping, OSCAL-shaped strings, UUIDs and the chain spool shared
 * by the SARIF, JUnit, CSV and OSCAL writers (see wutil.h).
 */
#include "report/wutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "doc/json.h"
#include "util/error.h"

/* Decode one UTF-8 sequence at s[0..len): the code point, or -1 when the
 * bytes are not valid UTF-8 (overlong, surrogate, out of range, truncated);
 * *n is the number of bytes consumed (1 for an invalid lead byte). */
static long utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	unsigned c = s[0];
	*n = 1;
	if (c < 0x80)
		return (long)c;
	size_t k;
	unsigned long cp, min;
	if ((c & 0xE0) == 0xC0) {
		k = 2;
		cp = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		k = 3;
		cp = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		k = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (len < k)
		return -1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*n = k;
	return (long)cp;
}

void bl_xml_put(struct bl_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n;
		long cp = utf8_next(u + i, len - i, &n);
		switch (cp) {
		case '&': bl_buf_adds(b, "&amp;"); break;
		case '<': bl_buf_adds(b, "&lt;"); break;
		case '>': bl_buf_adds(b, "&gt;"); break;
		case '"': bl_buf_adds(b, "&quot;"); break;
		case '\'': bl_buf_adds(b, "&apos;"); break;
		case '\t': bl_buf_adds(b, "&#9;"); break;
		case '\n': bl_buf_adds(b, "&#10;"); break;
		case '\r': bl_buf_adds(b, "&#13;"); break;
		default:
			if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
				bl_buf_adds(b, "\xEF\xBF\xBD");   /* U+FFFD: XML 1.0 cannot carry it */
			else
				bl_buf_add(b, s + i, n);
		}
		i += n;
	}
}

void bl_xml_puts(struct bl_buf *b, const char *s)
{
	if (s)
		bl_xml_put(b, s, strlen(s));
}

void bl_csv_cell(struct bl_buf *b, const char *s, size_t len, bool last)
{
	bool formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	bool quote = formula;
	for (size_t i = 0; i < len && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (quote)
		bl_buf_addc(b, '"');
	if (formula)
		bl_buf_addc(b, '\'');
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n;
		long cp = utf8_next(u + i, len - i, &n);
		if (cp < 0)
			bl_buf_adds(b, "\xEF\xBF\xBD");   /* invalid UTF-8: U+FFFD, as in JSON output */
		else if (cp == '"')
			bl_buf_adds(b, "\"\"");
		else
			bl_buf_add(b, s + i, n);
		i += n;
	}
	if (quote)
		bl_buf_addc(b, '"');
	bl_buf_adds(b, last ? "\r\n" : ",");
}

void bl_csv_str(struct bl_buf *b, const char *s, bool last)
{
	bl_csv_cell(b, s ? s : "", s ? strlen(s) : 0, last);
}

void bl_report_uuid4(char out[37])
{
	unsigned char r[16];
	size_t got = 0;
	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* no entropy source: time and pid, mixed so ids in one run still differ */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			uint64_t x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
				     ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)&ts;
			for (size_t i = got; i < sizeof(r); i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				r[i] = (unsigned char)x;
			}
			break;
		}
		got += (size_t)n;
	}
	r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[r[i] >> 4];
		out[o++] = hex[r[i] & 15];
	}
	out[o] = '\0';
}

void bl_oscal_str(struct bl_buf *b, const char *s, const char *fallback)
{
	struct bl_buf t;
	bl_buf_init(&t, 0);
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)u), i = 0;
	bool space = false;
	while (i < len) {
		size_t n;
		long cp = utf8_next(u + i, len - i, &n);
		bool ws = cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 ||
			  cp == 0x2028 || cp == 0x2029;
		if (ws) {
			space = t.len > 0;
		} else if (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0)) {
			if (space)
				bl_buf_addc(&t, ' ');
			space = false;
			bl_buf_add(&t, u + i, n);
		}
		i += n;
	}
	if (t.failed)
		b->failed = true;
	if (t.len)
		bl_json_write_str(b, t.data, t.len);
	else
		bl_json_write_str(b, fallback, strlen(fallback));
	bl_buf_free(&t);
}

void bl_oscal_token(struct bl_buf *b, const char *s, const char *prefix)
{
	unsigned char c = s ? (unsigned char)s[0] : 0;
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		bl_buf_adds(b, prefix);
	for (; s && *s; s++) {
		c = bl_lower((unsigned char)*s);
		if (c == '(')
			bl_buf_addc(b, '.');
		else if (c == ')')
			continue;
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			 c == '-')
			bl_buf_addc(b, (char)c);
		else
			bl_buf_addc(b, '-');
	}
}

void bl_oscal_prop(struct bl_buf *b, bool first, const char *name, const char *value)
{
	bl_buf_adds(b, first ? "{\"name\": \"" : ", {\"name\": \"");
	bl_buf_adds(b, name);
	bl_buf_adds(b, "\", \"ns\": \"" BL_OSCAL_NS "\", \"value\": ");
	bl_oscal_str(b, value, "-");
	bl_buf_addc(b, '}');
}

void bl_report_evidence_text(struct bl_buf *b, const struct bl_result *r, const char *sep)
{
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		if (i)
			bl_buf_adds(b, sep);
		bl_buf_printf(b, "%s: ", e->path ? e->path : "(value)");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "missing");
		if (e->expected)
			bl_buf_printf(b, " (expected %s)", e->expected);
	}
}

/* ---- chain spool ----------------------------------------------------------
 * Each record is a 12-byte header (next: offset + 1 of the key's following
 * record, 0 = last; len) and its bytes.  Adding patches the previous tail's
 * next field in place, so reading a key follows its records forwards. */

#define CHAIN_HDR 12

int bl_chain_open(struct bl_chain *c, size_t nkeys)
{
	memset(c, 0, sizeof(*c));
	c->head = calloc(nkeys ? nkeys : 1, sizeof(*c->head));
	c->tail = calloc(nkeys ? nkeys : 1, sizeof(*c->tail));
	if (!c->head || !c->tail)
		return BL_ENOMEM;
	c->nkeys = nkeys;
	c->f = tmpfile();
	return c->f ? 0 : BL_EIO;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int bl_chain_add(struct bl_chain *c, size_t key, const void *p, size_t len)
{
	if (key >= c->nkeys || len > UINT32_MAX)
		return BL_EINVAL;
	unsigned char hdr[CHAIN_HDR];
	put_u64(hdr, 0);
	for (int i = 0; i < 4; i++)
		hdr[8 + i] = (unsigned char)(len >> (8 * i));
	uint64_t at = c->size;
	if (fseeko(c->f, (off_t)at, SEEK_SET) != 0 || fwrite(hdr, 1, CHAIN_HDR, c->f) != CHAIN_HDR ||
	    (len && fwrite(p, 1, len, c->f) != len))
		return BL_EIO;
	c->size += CHAIN_HDR + len;
	if (c->tail[key]) {
		unsigned char nx[8];
		put_u64(nx, at + 1);
		if (fseeko(c->f, (off_t)(c->tail[key] - 1), SEEK_SET) != 0 ||
		    fwrite(nx, 1, 8, c->f) != 8)
			return BL_EIO;
	} else {
		c->head[key] = at + 1;
	}
	c->tail[key] = at + 1;
	return 0;
}

int bl_chain_each(struct bl_chain *c, size_t key,
		  int (*cb)(void *ctx, const char *data, size_t len), void *ctx)
{
	if (key >= c->nkeys)
		return BL_EINVAL;
	if (fflush(c->f) != 0)
		return BL_EIO;
	char *data = NULL;
	size_t cap = 0;
	int rc = 0;
	for (uint64_t at = c->head[key]; at && !rc;) {
		unsigned char hdr[CHAIN_HDR];
		if (fseeko(c->f, (off_t)(at - 1), SEEK_SET) != 0 ||
		    fread(hdr, 1, CHAIN_HDR, c->f) != CHAIN_HDR) {
			rc = BL_EIO;
			break;
		}
		size_t len = 0;
		for (int i = 0; i < 4; i++)
			len |= (size_t)hdr[8 + i] << (8 * i);
		if (len + 1 > cap) {
			char *nd = realloc(data, len + 1);
			if (!nd) {
				rc = BL_ENOMEM;
				break;
			}
			data = nd;
			cap = len + 1;
		}
		if (len && fread(data, 1, len, c->f) != len) {
			rc = BL_EIO;
			break;
		}
		data[len] = '\0';
		at = get_u64(hdr);
		rc = cb(ctx, data, len);
	}
	free(data);
	return rc;
}

void bl_chain_close(struct bl_chain *c)
{
	if (c->f)
		fclose(c->f);
	free(c->head);
	free(c->tail);
	memset(c, 0, sizeof(*c));
}

int bl_spool_copy(FILE *spool, FILE *out)
{
	if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
		return BL_EIO;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), spool)) > 0)
		if (fwrite(tmp, 1, n, out) != n)
			return BL_EIO;
	return ferror(spool) ? BL_EIO : 0;
}
