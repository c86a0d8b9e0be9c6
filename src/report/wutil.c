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
	size_t i = 0, run = 0;   /* s[run..i) is text to copy as it is */
	while (i < len) {
		unsigned char c = u[i];
		if (c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'') {
			i++;
			continue;
		}
		size_t n;
		long cp = utf8_next(u + i, len - i, &n);
		if (cp >= 0x80 && cp != 0xFFFE && cp != 0xFFFF) {
			i += n;
			continue;
		}
		bl_buf_add(b, s + run, i - run);
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
			bl_buf_adds(b, "\xEF\xBF\xBD");   /* U+FFFD: XML 1.0 cannot carry it */
		}
		i += n;
		run = i;
	}
	bl_buf_add(b, s + run, i - run);
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
	size_t i = 0, run = 0;   /* s[run..i) is copied as it is */
	while (i < len) {
		size_t n = 1;
		long cp = u[i] < 0x80 ? (long)u[i] : utf8_next(u + i, len - i, &n);
		if (cp >= 0 && cp != '"') {
			i += n;
			continue;
		}
		bl_buf_add(b, s + run, i - run);
		/* a quote is doubled; invalid UTF-8 becomes U+FFFD, as in JSON output */
		bl_buf_adds(b, cp < 0 ? "\xEF\xBF\xBD" : "\"\"");
		i += n;
		run = i;
	}
	bl_buf_add(b, s + run, i - run);
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
 * next field, in the write buffer when it is still there (the usual case:
 * keys interleave closely) or in the file.  The file is used with
 * pread/pwrite through a write buffer and a read window, so a record costs
 * no system call of its own in either direction most of the time. */

#define CHAIN_HDR 12
#define CHAIN_WBUF (1u << 20)
#define CHAIN_RWIN (1u << 16)

int bl_chain_open(struct bl_chain *c, size_t nkeys)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->head = calloc(nkeys ? nkeys : 1, sizeof(*c->head));
	c->tail = calloc(nkeys ? nkeys : 1, sizeof(*c->tail));
	c->wbuf = malloc(CHAIN_WBUF);
	if (!c->head || !c->tail || !c->wbuf)
		return BL_ENOMEM;
	c->nkeys = nkeys;
	c->f = tmpfile();
	if (!c->f)
		return BL_EIO;
	c->fd = fileno(c->f);
	return 0;
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

static int write_all(int fd, const void *p, size_t n, uint64_t at)
{
	const char *s = p;
	while (n) {
		ssize_t w = pwrite(fd, s, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return BL_EIO;
		s += w;
		n -= (size_t)w;
		at += (uint64_t)w;
	}
	return 0;
}

static int chain_flush(struct bl_chain *c)
{
	if (!c->wlen)
		return 0;
	int rc = write_all(c->fd, c->wbuf, c->wlen, c->wstart);
	c->wstart += c->wlen;
	c->wlen = 0;
	c->rlen = 0;   /* the read window may predate these bytes */
	return rc;
}

int bl_chain_add(struct bl_chain *c, size_t key, const void *p, size_t len)
{
	if (key >= c->nkeys || len > UINT32_MAX)
		return BL_EINVAL;
	if (c->fd < 0)
		return BL_EIO;
	unsigned char hdr[CHAIN_HDR];
	put_u64(hdr, 0);
	for (int i = 0; i < 4; i++)
		hdr[8 + i] = (unsigned char)(len >> (8 * i));
	int rc = 0;
	if (c->wlen + CHAIN_HDR + len > CHAIN_WBUF && (rc = chain_flush(c)))
		return rc;
	uint64_t at = c->size;
	if (CHAIN_HDR + len > CHAIN_WBUF) {
		/* larger than the buffer (which is empty now): straight to the file */
		if ((rc = write_all(c->fd, hdr, CHAIN_HDR, at)) ||
		    (rc = write_all(c->fd, p, len, at + CHAIN_HDR)))
			return rc;
		c->wstart = at + CHAIN_HDR + len;
	} else {
		memcpy(c->wbuf + c->wlen, hdr, CHAIN_HDR);
		if (len)
			memcpy(c->wbuf + c->wlen + CHAIN_HDR, p, len);
		c->wlen += CHAIN_HDR + len;
	}
	c->size = at + CHAIN_HDR + len;
	if (c->tail[key]) {
		uint64_t t = c->tail[key] - 1;
		unsigned char nx[8];
		put_u64(nx, at + 1);
		if (t >= c->wstart)
			memcpy(c->wbuf + (t - c->wstart), nx, 8);
		else if ((rc = write_all(c->fd, nx, 8, t)))
			return rc;
		c->rlen = 0;
	} else {
		c->head[key] = at + 1;
	}
	c->tail[key] = at + 1;
	return 0;
}

/* Make bytes [at, at + n) available in the read window; returns them or NULL
 * (*rc set to BL_EIO or BL_ENOMEM). */
static const char *chain_read(struct bl_chain *c, uint64_t at, size_t n, int *rc)
{
	if (at >= c->rstart && at + n <= c->rstart + c->rlen)
		return c->rbuf + (at - c->rstart);
	size_t want = n > CHAIN_RWIN ? n : CHAIN_RWIN;
	if (want > c->rcap) {
		char *nb = realloc(c->rbuf, want);
		if (!nb) {
			*rc = BL_ENOMEM;
			return NULL;
		}
		c->rbuf = nb;
		c->rcap = want;
	}
	size_t got = 0;
	while (got < want) {
		ssize_t r = pread(c->fd, c->rbuf + got, want - got, (off_t)(at + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*rc = BL_EIO;
			return NULL;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	c->rstart = at;
	c->rlen = got;
	if (got < n) {
		*rc = BL_EIO;   /* the file is shorter than the chain says */
		return NULL;
	}
	return c->rbuf;
}

int bl_chain_each(struct bl_chain *c, size_t key,
		  int (*cb)(void *ctx, const char *data, size_t len), void *ctx)
{
	if (key >= c->nkeys)
		return BL_EINVAL;
	int rc = chain_flush(c);
	for (uint64_t at = c->head[key]; at && !rc;) {
		const char *h = chain_read(c, at - 1, CHAIN_HDR, &rc);
		if (!h)
			break;
		size_t len = 0;
		for (int i = 0; i < 4; i++)
			len |= (size_t)(unsigned char)h[8 + i] << (8 * i);
		uint64_t next = get_u64((const unsigned char *)h);
		const char *data = chain_read(c, at - 1, CHAIN_HDR + len, &rc);
		if (!data)
			break;
		at = next;
		rc = cb(ctx, data + CHAIN_HDR, len);
	}
	return rc;
}

void bl_chain_close(struct bl_chain *c)
{
	if (c->f)
		fclose(c->f);
	free(c->head);
	free(c->tail);
	free(c->wbuf);
	free(c->rbuf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
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
