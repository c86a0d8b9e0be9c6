/*
 * str.c - string helpers (see str.h).
 */
#include "util/str.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool bl_str_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (a[i] != b[i] && bl_lower((unsigned char)a[i]) != bl_lower((unsigned char)b[i]))
			return false;
	return true;
}

int bl_str_icmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = bl_lower((unsigned char)a[i]);
		unsigned char y = bl_lower((unsigned char)b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : (alen > blen);
}

int bl_str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : (alen > blen);
}

bool bl_str_icontains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	if (nlen > hlen)
		return false;
	unsigned char first = bl_lower((unsigned char)needle[0]);
	for (size_t i = 0; i + nlen <= hlen; i++) {
		if (bl_lower((unsigned char)hay[i]) != first)
			continue;
		if (bl_str_ieq(hay + i, nlen, needle, nlen))
			return true;
	}
	return false;
}

static inline bool glob_byte_eq(char p, char s, bool icase)
{
	return p == s || (icase && bl_lower((unsigned char)p) == bl_lower((unsigned char)s));
}

bool bl_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool icase)
{
	size_t p = 0, i = 0;
	size_t star_p = SIZE_MAX, star_i = 0;
	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			while (p < plen && pat[p] == '*')
				p++;
			if (p == plen)
				return true;
			star_p = p;
			star_i = i;
		} else if (p < plen && (pat[p] == '?' || glob_byte_eq(pat[p], s[i], icase))) {
			p++;
			i++;
		} else if (star_p != SIZE_MAX) {
			p = star_p;
			i = ++star_i;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

uint64_t bl_hash(const char *s, size_t len, bool icase)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (icase)
			c = bl_lower(c);
		h ^= c;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void bl_buf_init(struct bl_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : (size_t)1 << 30;
	b->failed = false;
}

static int buf_grow(struct bl_buf *b, size_t need)
{
	if (b->failed)
		return BL_ENOMEM;
	if (need > b->max || need + 1 < need) {
		b->failed = true;
		return BL_ELIMIT;
	}
	if (need + 1 <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	char *nd = realloc(b->data, ncap);
	if (!nd) {
		b->failed = true;
		return BL_ENOMEM;
	}
	b->data = nd;
	b->cap = ncap;
	return 0;
}

int bl_buf_add(struct bl_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return BL_ENOMEM;
	/* Room for n bytes and the NUL already (cap <= max + 1, so within
	 * max too): most appends, and no call to grow. */
	if (n < b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	int rc = buf_grow(b, b->len + n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bl_buf_addc(struct bl_buf *b, char c)
{
	return bl_buf_add(b, &c, 1);
}

int bl_buf_adds(struct bl_buf *b, const char *s)
{
	return bl_buf_add(b, s, strlen(s));
}

int bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return BL_ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BL_EINVAL;
	int rc = buf_grow(b, b->len + (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int bl_buf_add_col(struct bl_buf *b, const char *s, size_t width)
{
	size_t n = strlen(s), used = n;
	int rc = 0;
	if (n > width && width > 3) {
		/* the end of a path or name is what tells targets apart: keep it,
		 * starting on a whole UTF-8 sequence */
		const char *t = s + n - (width - 3);
		while ((*t & 0xC0) == 0x80)
			t++;
		n = (size_t)(s + n - t);
		s = t;
		used = 3 + n;
		rc = bl_buf_add(b, "...", 3);
	} else if (n > width) {
		n = used = width;
	}
	if (!rc)
		rc = bl_buf_add(b, s, n);
	for (; !rc && used < width; used++)
		rc = bl_buf_addc(b, ' ');
	return rc;
}

void bl_buf_reset(struct bl_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

void bl_buf_free(struct bl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
