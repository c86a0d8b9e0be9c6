/*
 * version.c - Debian version comparison (the algorithm of dpkg's
 * verrevcmp, re-derived from deb-version(7)), over (pointer, length)
 * strings so values from the document need no copy.
 */
#include "rule/version.h"

#include <stdbool.h>
#include <stdint.h>

struct vparts {
	uint64_t epoch;
	const char *up;
	size_t uplen;
	const char *rev;
	size_t revlen;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Split "[epoch:]upstream[-revision]": the epoch ends at the first ':' when
 * everything before it is digits; the revision starts after the last '-'. */
static void vsplit(struct vparts *p, const char *s, size_t len)
{
	p->epoch = 0;
	size_t colon = len;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ':') {
			colon = i;
			break;
		}
		if (!is_digit(s[i]))
			break;
	}
	if (colon < len && colon > 0) {
		uint64_t e = 0;
		for (size_t i = 0; i < colon; i++) {
			e = e * 10 + (uint64_t)(s[i] - '0');
			if (e > UINT32_MAX)
				e = UINT32_MAX;   /* saturate: absurd epochs still order */
		}
		p->epoch = e;
		s += colon + 1;
		len -= colon + 1;
	}
	size_t dash = len;
	for (size_t i = len; i > 0; i--) {
		if (s[i - 1] == '-') {
			dash = i - 1;
			break;
		}
	}
	p->up = s;
	p->uplen = dash;
	p->rev = dash < len ? s + dash + 1 : s + len;
	p->revlen = dash < len ? len - dash - 1 : 0;
}

/* Weight of one byte in a non-digit run; 0 stands for "end of run". */
static int order(const char *s, size_t len, size_t i)
{
	if (i >= len || is_digit(s[i]))
		return 0;
	char c = s[i];
	if (c == '~')
		return -1;
	if (is_alpha(c))
		return (unsigned char)c;
	return (unsigned char)c + 256;
}

static int part_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
	while (i < alen || j < blen) {
		while ((i < alen && !is_digit(a[i])) || (j < blen && !is_digit(b[j]))) {
			int x = order(a, alen, i), y = order(b, blen, j);
			if (x != y)
				return x < y ? -1 : 1;
			if (i < alen && !is_digit(a[i]))
				i++;
			if (j < blen && !is_digit(b[j]))
				j++;
		}
		while (i < alen && a[i] == '0')
			i++;
		while (j < blen && b[j] == '0')
			j++;
		int first = 0;
		while (i < alen && is_digit(a[i]) && j < blen && is_digit(b[j])) {
			if (!first)
				first = a[i] - b[j];
			i++;
			j++;
		}
		if (i < alen && is_digit(a[i]))
			return 1;
		if (j < blen && is_digit(b[j]))
			return -1;
		if (first)
			return first < 0 ? -1 : 1;
	}
	return 0;
}

int bl_version_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	struct vparts x, y;
	vsplit(&x, a, alen);
	vsplit(&y, b, blen);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	int c = part_cmp(x.up, x.uplen, y.up, y.uplen);
	if (c)
		return c;
	return part_cmp(x.rev, x.revlen, y.rev, y.revlen);
}
