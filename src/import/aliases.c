/*
 * aliases.c - alias table lookup (aliases.h): an index of line offsets over
 * the embedded content/azure/aliases.tsv and the decoding of its compact
 * path form (scripts/gen-aliases.py).
 */
#include <string.h>

#include "import/aliases.h"
#include "model/content.h"
#include "util/error.h"

#define TABLE_NAME "azure/aliases.tsv"

struct bl_alias_group {
	const char *name;          /* lower-case type prefix (not NUL-terminated) */
	uint32_t len;
	const uint32_t *rows;      /* offsets of the group's lines in the table */
	uint32_t nrows;
};

/* Count lines of each kind so the index is allocated once. */
static void count_lines(const char *d, size_t len, size_t *ngroups, size_t *nrows)
{
	size_t i = 0;
	*ngroups = *nrows = 0;
	while (i < len) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - d) : len;
		if (end > i && d[i] != '#') {
			if (memchr(d + i, '\t', end - i))
				(*nrows)++;
			else
				(*ngroups)++;
		}
		i = end + 1;
	}
}

int bl_alias_table_open(struct bl_alias_table *t, struct bl_arena *a)
{
	memset(t, 0, sizeof(*t));
	const struct bl_content_file *f = bl_content_find(TABLE_NAME, strlen(TABLE_NAME));
	if (!f || f->len > UINT32_MAX)
		return BL_EINTERNAL;
	const char *d = f->data;
	size_t len = f->len, ngroups, nrows;
	count_lines(d, len, &ngroups, &nrows);
	struct bl_alias_group *g = bl_arena_calloc(a, ngroups ? ngroups : 1, sizeof(*g));
	uint32_t *rows = bl_arena_calloc(a, nrows ? nrows : 1, sizeof(*rows));
	if (!g || !rows)
		return BL_ENOMEM;
	size_t gi = 0, ri = 0, i = 0;
	while (i < len) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - d) : len;
		if (end > i && d[i] != '#') {
			if (memchr(d + i, '\t', end - i)) {
				if (gi == 0)
					return BL_EINTERNAL;   /* a row before any type prefix */
				rows[ri++] = (uint32_t)i;
				g[gi - 1].nrows++;
			} else {
				g[gi].name = d + i;
				g[gi].len = (uint32_t)(end - i);
				g[gi].rows = rows + ri;
				gi++;
			}
		}
		i = end + 1;
	}
	t->data = d;
	t->len = len;
	t->groups = g;
	t->ngroups = ngroups;
	t->nrows = nrows;
	return 0;
}

/* The line at off: key [off, tab), encoded path (tab, eol). */
static void row_split(const struct bl_alias_table *t, uint32_t off, struct bl_str *key,
		      struct bl_str *enc)
{
	const char *s = t->data + off;
	const char *nl = memchr(s, '\n', t->len - off);
	size_t n = nl ? (size_t)(nl - s) : t->len - off;
	const char *tab = memchr(s, '\t', n);
	key->s = s;
	key->len = (size_t)(tab - s);
	enc->s = tab + 1;
	enc->len = n - key->len - 1;
}

static const struct bl_alias_group *find_group(const struct bl_alias_table *t, const char *p,
					       size_t len)
{
	size_t lo = 0, hi = t->ngroups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = bl_str_icmp(p, len, t->groups[mid].name, t->groups[mid].len);
		if (r == 0)
			return &t->groups[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool find_row(const struct bl_alias_group *g, const struct bl_alias_table *t,
		     const char *s, size_t len, struct bl_str *enc)
{
	size_t lo = 0, hi = g->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct bl_str key;
		row_split(t, g->rows[mid], &key, enc);
		int r = bl_str_icmp(s, len, key.s, key.len);
		if (r == 0)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* Expand the compact path (gen-aliases.py) against the suffix as written. */
static int decode(struct bl_buf *out, const char *suf, size_t slen, struct bl_str enc)
{
	if (enc.len == 0) {
		bl_buf_adds(out, "properties.");
		return bl_buf_add(out, suf, slen);
	}
	if (enc.len == 1 && enc.s[0] == '=')
		return bl_buf_add(out, suf, slen);
	size_t tail = 0, n = enc.len;
	const char *tilde = NULL;
	for (size_t i = n; i-- > 0;)
		if (enc.s[i] == '~') {
			tilde = enc.s + i;
			break;
		}
	if (tilde) {
		for (const char *p = tilde + 1; p < enc.s + enc.len; p++)
			if (*p >= '0' && *p <= '9' && tail < 100000)
				tail = tail * 10 + (size_t)(*p - '0');
		n = (size_t)(tilde - enc.s);
		if (tail > slen)
			tail = slen;
	}
	for (size_t i = 0; i < n; i++) {
		if (enc.s[i] == '^')
			bl_buf_adds(out, i == 0 ? "properties." : ".properties.");
		else
			bl_buf_addc(out, enc.s[i]);
	}
	return bl_buf_add(out, suf + slen - tail, tail);
}

static bool prefix_ieq(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && bl_str_ieq(s, n, p, n);
}

int bl_alias_is_builtin(const char *f, size_t len)
{
	static const char *const exact[] = {"name", "fullName", "type", "kind", "location", "id",
					    "tags", "identity", "identity.type"};
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (bl_str_ieq(f, len, exact[i], strlen(exact[i])))
			return 1;
	if ((prefix_ieq(f, len, "tags.") || prefix_ieq(f, len, "tags[")) && len > 5)
		return 1;
	return prefix_ieq(f, len, "identity.") && !memchr(f, '/', len);
}

/* tags[x] is Azure's unquoted form; our paths quote such keys. */
static int builtin_path(struct bl_buf *out, const char *f, size_t len)
{
	if (prefix_ieq(f, len, "tags[") && f[len - 1] == ']' && f[5] != '\'' && f[5] != '"') {
		bl_buf_adds(out, "tags['");
		for (size_t i = 5; i + 1 < len; i++) {
			if (f[i] == '\'')
				bl_buf_addc(out, '\'');
			bl_buf_addc(out, f[i]);
		}
		return bl_buf_adds(out, "']");
	}
	return bl_buf_add(out, f, len);
}

int bl_alias_translate(struct bl_buf *out, enum bl_field_kind *kind,
		       const struct bl_alias_table *t, const char *f, size_t len)
{
	if (bl_alias_is_builtin(f, len)) {
		*kind = BL_FIELD_BUILTIN;
		return builtin_path(out, f, len);
	}
	/* The last '/' outside brackets separates the type from the property. */
	size_t cut = len;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		if (f[i] == '[')
			depth++;
		else if (f[i] == ']' && depth > 0)
			depth--;
		else if (f[i] == '/' && depth == 0)
			cut = i;
	}
	if (cut == len) {
		*kind = BL_FIELD_PATH;
		return bl_buf_add(out, f, len);
	}
	const char *suf = f + cut + 1;
	size_t slen = len - cut - 1;
	struct bl_str enc;
	const struct bl_alias_group *g = t ? find_group(t, f, cut) : NULL;
	if (g && find_row(g, t, suf, slen, &enc)) {
		*kind = BL_FIELD_ALIAS;
		return decode(out, suf, slen, enc);
	}
	*kind = BL_FIELD_GUESS;
	bl_buf_adds(out, "properties.");
	return bl_buf_add(out, suf, slen);
}
