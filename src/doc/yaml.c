/*
 * yaml.c - YAML reader on libyaml's event API, building the value tree of
 * value.h (see yaml.h for the schema rules).
 *
 * Input depth never becomes C stack depth: open containers live on an
 * explicit frame stack and their children on one scratch stack, copied once
 * and contiguously into the arena when the container ends (as the JSON
 * reader does).  Aliases share the anchored subtree, which is immutable; to
 * keep "billion laughs" documents from handing consumers a tree of 10^9
 * nodes, each anchor remembers how many nodes it expands to and the sum over
 * every alias use is capped.
 *
 * libyaml is opened on first use (util/yaml_api.h): a run that reads no
 * YAML never maps it.  Where it is missing, every parse fails with
 * BL_EINTERNAL and a message naming the package to install.
 */
#include "doc/yaml.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/str.h"
#include "util/yaml_api.h"   /* libyaml is loaded on first use */

#define YAML_DEFAULT_DEPTH 512u
#define YAML_DEFAULT_ALIAS_NODES 1000000u
#define STD_TAG_PREFIX "tag:yaml.org,2002:"

enum frame_kind { FR_DOC, FR_SEQ, FR_MAP };

/* One open container (or the document holding the root value). */
struct frame {
	enum frame_kind kind;
	bool have_key;          /* FR_MAP: a key waits for its value */
	size_t base;            /* first child on the scratch stack */
	uint32_t line, col;
	const char *anchor;     /* arena copy, or NULL */
	size_t alen;
	uint64_t nodes;         /* expanded nodes of the children so far */
	uint64_t mapid;         /* FR_MAP: identity for duplicate-key lookups */
	const char *key;        /* FR_MAP pending key */
	uint32_t klen, kline, kcol;
};

/* Open-addressing hash entry shared by the anchor and duplicate-key tables. */
struct hent {
	uint64_t h;
	const char *k;          /* NULL = empty slot */
	uint32_t klen;
	uint32_t line;          /* key table: line of the first occurrence */
	uint64_t id;            /* key table: mapping id; anchor table: index */
};

struct htab {
	struct hent *e;
	size_t cap, n;          /* cap is 0 or a power of two */
};

struct anchor {
	struct bl_value v;
	uint64_t nodes;         /* nodes reachable from v, aliases expanded */
};

struct yctx {
	struct bl_arena *a;
	const char *file;       /* arena copy, stored on every node */
	const char *buf;
	size_t len;
	uint32_t max_depth;
	uint64_t max_alias;
	uint64_t alias_nodes;   /* this document's total through aliases */
	struct bl_error *err;

	struct frame *fr;
	size_t nfr, cfr;
	struct bl_member *items;
	size_t nitems, citems;
	struct anchor *anchors;
	size_t nanchors, canchors;
	struct htab atab, ktab;
	uint64_t next_mapid;

	bool have_root;
	struct bl_value root;

	char *pool;             /* packed string copies (see str_copy) */
	size_t pool_left;
};

/* ---- small helpers ------------------------------------------------------ */

static uint32_t clamp32(size_t x)
{
	return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static uint32_t mark_line(yaml_mark_t m)
{
	return clamp32(m.line + 1);
}

static uint32_t mark_col(yaml_mark_t m)
{
	return clamp32(m.column + 1);
}

static int oom(struct yctx *c)
{
	return bl_error_set(c->err, BL_ENOMEM, c->file, 0, 0, "out of memory");
}

/*
 * Copy s[0..n) plus a NUL into the arena.  Short strings are packed into
 * shared arena blocks without the arena's 16-byte alignment: most keys and
 * scalars are a few bytes, and per-string alignment would double the memory
 * of a typical document.  NULL when out of memory.
 */
static char *str_copy(struct yctx *c, const char *s, size_t n)
{
	enum { POOL_BLOCK = 8192, POOL_MAX = 512 };
	if (n >= POOL_MAX)
		return bl_arena_strndup(c->a, s, n);
	if (c->pool_left < n + 1) {
		c->pool = bl_arena_alloc(c->a, POOL_BLOCK);
		if (!c->pool) {
			c->pool_left = 0;
			return NULL;
		}
		c->pool_left = POOL_BLOCK;
	}
	char *p = c->pool;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	c->pool += n + 1;
	c->pool_left -= n + 1;
	return p;
}

/* p (holding *cap elements of size sz) grown so that need elements fit:
 * the possibly moved block, or NULL on failure with p still valid. */
static void *grow(void *p, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return p;
	size_t nc = *cap ? *cap : 16;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / sz)
			return NULL;
		nc *= 2;
	}
	void *q = realloc(p, nc * sz);
	if (q)
		*cap = nc;
	return q;
}

/* No byte of s[0..n) above 0x7F: words of 8, the tail as an overlapping
 * word (or two of 4), no byte loop for the short keys most documents hold. */
static bool all_ascii(const unsigned char *s, size_t n)
{
	const uint64_t hi = 0x8080808080808080u;
	uint64_t w, acc = 0;
	if (n >= 8) {
		for (size_t i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, s + i, 8);
			acc |= w;
		}
		memcpy(&w, s + n - 8, 8);
		return !((acc | w) & hi);
	}
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return !((a | b) & (uint32_t)hi);
	}
	for (size_t i = 0; i < n; i++)
		acc |= s[i];
	return !(acc & 0x80);
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	if (all_ascii(s, n))
		return true;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		uint32_t cp, min;
		if ((c & 0xE0) == 0xC0) {
			k = 1; cp = c & 0x1Fu; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2; cp = c & 0x0Fu; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3; cp = c & 0x07u; min = 0x10000;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/* ---- hash tables ---------------------------------------------------------- */

/*
 * Hash of a key or anchor name for the tables below, 8 bytes a step (keys
 * are short: a byte-wise hash cost more than the probe).  Only these tables
 * see it, so it need not match bl_hash.
 */
static uint64_t name_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15u;
	uint64_t h = (uint64_t)n * k, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	if (n >= 4) {  /* two overlapping words: no variable-length copy */
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		h = (h ^ ((uint64_t)a << 32 | b)) * k;
	} else if (n) {
		w = (uint64_t)(unsigned char)s[0] << 16 |
		    (uint64_t)(unsigned char)s[n / 2] << 8 | (unsigned char)s[n - 1];
		h = (h ^ w) * k;
	}
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9u;
	return h ^ (h >> 32);
}

static uint64_t mix(uint64_t h, uint64_t id)
{
	h ^= id * 0x9E3779B97F4A7C15u;
	h ^= h >> 29;
	return h;
}

/* Find the slot of (k, id) or the empty slot where it belongs. */
static struct hent *htab_slot(struct htab *t, uint64_t h, const char *k,
			      uint32_t klen, uint64_t id, bool match_id)
{
	size_t mask = t->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct hent *e = &t->e[i];
		if (!e->k)
			return e;
		if (e->h == h && e->klen == klen && (!match_id || e->id == id) &&
		    memcmp(e->k, k, klen) == 0)
			return e;
	}
}

/* Make room for one more entry (load stays at most 1/2); 0 or -1. */
static int htab_reserve(struct htab *t)
{
	if (t->cap && (t->n + 1) * 2 <= t->cap)
		return 0;
	size_t nc = t->cap ? t->cap * 2 : 64;
	if (nc > SIZE_MAX / sizeof(struct hent))
		return -1;
	struct hent *ne = calloc(nc, sizeof(*ne));
	if (!ne)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		struct hent *o = &t->e[i];
		if (!o->k)
			continue;
		size_t j = (size_t)o->h & (nc - 1);
		while (ne[j].k)
			j = (j + 1) & (nc - 1);
		ne[j] = *o;
	}
	free(t->e);
	t->e = ne;
	t->cap = nc;
	return 0;
}

/*
 * Remove the entry for (k, id) if present.  Backward-shift deletion keeps
 * linear probing correct without tombstones, so a table whose entries come
 * and go (keys of mappings that have closed) never fills up with dead slots.
 */
static void htab_remove(struct htab *t, uint64_t h, const char *k, uint32_t klen, uint64_t id)
{
	if (!t->cap)
		return;
	size_t mask = t->cap - 1;
	struct hent *e = htab_slot(t, h, k, klen, id, true);
	if (!e->k)
		return;
	size_t i = (size_t)(e - t->e);
	for (size_t j = (i + 1) & mask; t->e[j].k; j = (j + 1) & mask) {
		size_t home = (size_t)t->e[j].h & mask;
		/* Entry j may fill the hole at i unless its home lies in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->n--;
}

/* Forget every entry; a table grown by a big document is released so that a
 * stream of small documents does not clear it again and again. */
static void htab_clear(struct htab *t)
{
	if (t->cap > 4096) {
		free(t->e);
		t->e = NULL;
		t->cap = 0;
	} else if (t->n) {
		memset(t->e, 0, t->cap * sizeof(*t->e));
	}
	t->n = 0;
}

/* ---- errors ------------------------------------------------------------- */

/* Line and column of a byte offset (reader errors carry only an offset). */
static void offset_pos(const struct yctx *c, size_t off, uint32_t *line, uint32_t *col)
{
	size_t l = 1, col0 = 0;
	if (off > c->len)
		off = c->len;
	for (size_t i = 0; i < off; i++) {
		if (c->buf[i] == '\n') {
			l++;
			col0 = i + 1;
		}
	}
	*line = clamp32(l);
	*col = clamp32(off - col0 + 1);
}

static int libyaml_error(struct yctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	uint32_t line, col;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return oom(c);
	case YAML_READER_ERROR:
		offset_pos(c, p->problem_offset, &line, &col);
		if (p->problem_value >= 0)
			return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
					    "%s (byte 0x%02X)", problem,
					    (unsigned)p->problem_value & 0xFFu);
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col, "%s", problem);
	default:
		line = mark_line(p->problem_mark);
		col = mark_col(p->problem_mark);
		if (p->context && (p->context_mark.line != p->problem_mark.line ||
				   p->context_mark.column != p->problem_mark.column))
			return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
					    "%s (%s started at line %u, column %u)",
					    problem, p->context,
					    mark_line(p->context_mark),
					    mark_col(p->context_mark));
		if (p->context)
			return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
					    "%s (%s)", problem, p->context);
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col, "%s", problem);
	}
}

/* Tags shown as written: !!str rather than tag:yaml.org,2002:str. */
static int tag_error(struct yctx *c, yaml_mark_t m, const char *tag, const char *what)
{
	size_t pl = strlen(STD_TAG_PREFIX);
	if (strncmp(tag, STD_TAG_PREFIX, pl) == 0)
		return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
				    "%s tag !!%.100s", what, tag + pl);
	return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
			    "%s tag %.100s (only !!str !!int !!float !!bool !!null !!map !!seq are accepted)",
			    what, tag);
}

/* ---- scalar resolution (YAML 1.2 core schema) -------------------------------- */

enum stag { T_NONE, T_STR, T_INT, T_FLOAT, T_BOOL, T_NULL, T_MAP, T_SEQ, T_OTHER };

static enum stag tag_kind(const char *tag)
{
	if (!tag)
		return T_NONE;
	size_t pl = strlen(STD_TAG_PREFIX);
	if (strncmp(tag, STD_TAG_PREFIX, pl) != 0)
		return T_OTHER;
	static const struct { const char *name; enum stag k; } std[] = {
		{"str", T_STR}, {"int", T_INT}, {"float", T_FLOAT}, {"bool", T_BOOL},
		{"null", T_NULL}, {"map", T_MAP}, {"seq", T_SEQ},
	};
	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (strcmp(tag + pl, std[i].name) == 0)
			return std[i].k;
	return T_OTHER;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool str_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static bool is_null_word(const char *s, size_t n)
{
	return n == 0 || str_is(s, n, "~") || str_is(s, n, "null") ||
	       str_is(s, n, "Null") || str_is(s, n, "NULL");
}

/* 1 for true, 0 for false, -1 when not a boolean spelling. */
static int bool_word(const char *s, size_t n)
{
	if (str_is(s, n, "true") || str_is(s, n, "True") || str_is(s, n, "TRUE"))
		return 1;
	if (str_is(s, n, "false") || str_is(s, n, "False") || str_is(s, n, "FALSE"))
		return 0;
	return -1;
}

static size_t digits(const char *s, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && is_digit(s[j]))
		j++;
	return j - i;
}

static bool is_dec_int(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	return i < n && digits(s, n, i) == n - i;
}

static bool is_oct_int(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || s[1] != 'o')
		return false;
	for (size_t i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '7')
			return false;
	return true;
}

static bool is_hex_digit(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool is_hex_int(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x')
		return false;
	for (size_t i = 2; i < n; i++)
		if (!is_hex_digit(s[i]))
			return false;
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	size_t d = digits(s, n, i);
	i += d;
	if (i < n && s[i] == '.') {
		size_t f = digits(s, n, i + 1);
		if (!d && !f)
			return false;
		i += 1 + f;
	} else if (!d) {
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = digits(s, n, i);
		if (!e)
			return false;
		i += e;
	}
	return i == n;
}

static bool is_inf_or_nan(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	const char *r = s + i;
	size_t m = n - i;
	if (str_is(r, m, ".inf") || str_is(r, m, ".Inf") || str_is(r, m, ".INF"))
		return true;
	return i == 0 && (str_is(r, m, ".nan") || str_is(r, m, ".NaN") || str_is(r, m, ".NAN"));
}

/* Octal digits after "0o"; exact while the value fits 64 bits. */
static double oct_value(const char *s, size_t n)
{
	uint64_t u = 0;
	size_t i = 2;
	for (; i < n && u <= (UINT64_MAX >> 3); i++)
		u = (u << 3) | (uint64_t)(s[i] - '0');
	double d = (double)u;
	for (; i < n; i++)
		d = d * 8.0 + (double)(s[i] - '0');
	return d;
}

/*
 * Make *v a number from text s[0..n) already known to match one of the
 * number forms.  The text is copied into the arena as written.
 */
static int make_number(struct yctx *c, struct bl_value *v, const char *s, size_t n,
		       yaml_mark_t m)
{
	char *t = str_copy(c, s, n);
	if (!t)
		return oom(c);
	double d;
	if (is_oct_int(s, n))
		d = oct_value(s, n);
	else
		d = strtod(t, NULL);   /* decimal forms and 0x (C99 hex) */
	if (!isfinite(d))
		return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
				    "number out of range of a double: %.64s", t);
	v->type = BL_VNUM;
	if (is_dec_int(s, n))
		v->flags |= BL_VF_INT;
	v->u.num.text = t;
	v->u.num.len = (uint32_t)n;
	v->u.num.d = d;
	return 0;
}

static int make_string(struct yctx *c, struct bl_value *v, const char *s, size_t n,
		       yaml_mark_t m)
{
	if (!utf8_valid((const unsigned char *)s, n))
		return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
				    "invalid UTF-8 in string");
	char *t = str_copy(c, s, n);
	if (!t)
		return oom(c);
	v->type = BL_VSTR;
	v->u.str.s = t;
	v->u.str.len = (uint32_t)n;
	return 0;
}

/* Apply the core schema to a plain, untagged scalar. */
static int resolve_plain(struct yctx *c, struct bl_value *v, const char *s, size_t n,
			 yaml_mark_t m)
{
	if (is_null_word(s, n)) {
		v->type = BL_VNULL;
		return 0;
	}
	int b = bool_word(s, n);
	if (b >= 0) {
		v->type = BL_VBOOL;
		v->b = b == 1;
		return 0;
	}
	if (is_dec_int(s, n) || is_oct_int(s, n) || is_hex_int(s, n) || is_float(s, n))
		return make_number(c, v, s, n, m);
	if (is_inf_or_nan(s, n))
		return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
				    "%.*s is not a number JSON can hold; use a quoted string",
				    (int)n, s);
	return make_string(c, v, s, n, m);
}

/* A scalar event as a value: tags first, then the core schema for plain ones. */
static int scalar_value(struct yctx *c, const yaml_event_t *ev, struct bl_value *v)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	yaml_mark_t m = ev->start_mark;
	if (n > UINT32_MAX)
		return bl_error_set(c->err, BL_ELIMIT, c->file, mark_line(m), mark_col(m),
				    "scalar longer than 4 GiB");
	int b;
	switch (tag_kind(tag)) {
	case T_NONE:
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return resolve_plain(c, v, s, n, m);
		return make_string(c, v, s, n, m);
	case T_STR:
		return make_string(c, v, s, n, m);
	case T_INT:
		if (!is_dec_int(s, n) && !is_oct_int(s, n) && !is_hex_int(s, n))
			break;
		return make_number(c, v, s, n, m);
	case T_FLOAT:
		if (is_inf_or_nan(s, n))
			return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
					    "%.*s is not a number JSON can hold; use a quoted string",
					    (int)(n > 64 ? 64 : n), s);
		if (!is_float(s, n))
			break;
		return make_number(c, v, s, n, m);
	case T_BOOL:
		b = bool_word(s, n);
		if (b < 0)
			break;
		v->type = BL_VBOOL;
		v->b = b == 1;
		return 0;
	case T_NULL:
		if (!is_null_word(s, n))
			break;
		v->type = BL_VNULL;
		return 0;
	case T_MAP:
	case T_SEQ:
		return tag_error(c, m, tag, "a scalar cannot have");
	case T_OTHER:
		return tag_error(c, m, tag, "unsupported");
	}
	return bl_error_set(c->err, BL_EINVAL, c->file, mark_line(m), mark_col(m),
			    "\"%.*s\" is not a valid !!%s", (int)(n > 64 ? 64 : n), s,
			    tag + strlen(STD_TAG_PREFIX));
}

/* ---- building ----------------------------------------------------------- */

static struct frame *top(struct yctx *c)
{
	return &c->fr[c->nfr - 1];
}

/* Hand a finished value (expanding to `nodes` nodes) to the open container. */
static int emit(struct yctx *c, const struct bl_value *v, uint64_t nodes)
{
	struct frame *f = top(c);
	f->nodes = f->nodes + nodes < f->nodes ? UINT64_MAX : f->nodes + nodes;
	if (f->kind == FR_DOC) {
		c->root = *v;
		c->have_root = true;
		return 0;
	}
	if (c->nitems - f->base >= UINT32_MAX)
		return bl_error_set(c->err, BL_ELIMIT, c->file, v->line, v->col,
				    "container with more than 4294967295 entries");
	struct bl_member *items = grow(c->items, &c->citems, c->nitems + 1, sizeof(*items));
	if (!items)
		return oom(c);
	c->items = items;
	struct bl_member *it = &c->items[c->nitems++];
	memset(it, 0, sizeof(*it));
	if (f->kind == FR_MAP) {
		it->key = f->key;
		it->klen = f->klen;
		it->line = f->kline;
		it->col = f->kcol;
		f->have_key = false;
	}
	it->val = *v;
	return 0;
}

/* Record key s[0..n) of the open mapping, refusing an exact duplicate. */
static int set_key(struct yctx *c, const char *s, size_t n, yaml_mark_t m)
{
	struct frame *f = top(c);
	uint32_t line = mark_line(m), col = mark_col(m);
	if (n > UINT32_MAX)
		return bl_error_set(c->err, BL_ELIMIT, c->file, line, col, "key longer than 4 GiB");
	if (!utf8_valid((const unsigned char *)s, n))
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col, "invalid UTF-8 in key");
	if (htab_reserve(&c->ktab))
		return oom(c);
	uint64_t h = mix(name_hash(s, n), f->mapid);
	struct hent *e = htab_slot(&c->ktab, h, s, (uint32_t)n, f->mapid, true);
	if (e->k)
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
				    "duplicate key \"%.*s\" (first defined at line %u)",
				    (int)(n > 100 ? 100 : n), s, e->line);
	char *k = str_copy(c, s, n);
	if (!k)
		return oom(c);
	e->h = h;
	e->k = k;
	e->klen = (uint32_t)n;
	e->id = f->mapid;
	e->line = line;
	c->ktab.n++;
	f->key = k;
	f->klen = (uint32_t)n;
	f->kline = line;
	f->kcol = col;
	f->have_key = true;
	return 0;
}

static int set_anchor(struct yctx *c, const char *name, size_t len,
		      const struct bl_value *v, uint64_t nodes)
{
	if (len > UINT32_MAX)
		return oom(c);
	if (htab_reserve(&c->atab))
		return oom(c);
	uint64_t h = name_hash(name, len);
	struct hent *e = htab_slot(&c->atab, h, name, (uint32_t)len, 0, false);
	if (!e->k) {
		/* The name may point into a libyaml event: keep our own copy. */
		char *k = str_copy(c, name, len);
		if (!k)
			return oom(c);
		struct anchor *an = grow(c->anchors, &c->canchors, c->nanchors + 1,
					 sizeof(*an));
		if (!an)
			return oom(c);
		c->anchors = an;
		e->h = h;
		e->k = k;
		e->klen = (uint32_t)len;
		e->id = c->nanchors++;
		c->atab.n++;
	}
	/* A redefined anchor applies to the aliases that follow it. */
	c->anchors[e->id].v = *v;
	c->anchors[e->id].nodes = nodes;
	return 0;
}

static bool is_open_anchor(const struct yctx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->nfr; i++)
		if (c->fr[i].anchor && c->fr[i].alen == len &&
		    memcmp(c->fr[i].anchor, name, len) == 0)
			return true;
	return false;
}

static int on_alias(struct yctx *c, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t len = strlen(name);
	yaml_mark_t m = ev->start_mark;
	uint32_t line = mark_line(m), col = mark_col(m);
	const struct anchor *an = NULL;
	if (c->atab.cap) {
		struct hent *e = htab_slot(&c->atab, name_hash(name, len), name,
					   clamp32(len), 0, false);
		if (e->k)
			an = &c->anchors[e->id];
	}
	if (!an) {
		if (is_open_anchor(c, name, len))
			return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
					    "alias *%.100s refers to a node that contains it (recursive alias)",
					    name);
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
				    "unknown alias *%.100s", name);
	}
	c->alias_nodes = c->alias_nodes + an->nodes < c->alias_nodes
				 ? UINT64_MAX : c->alias_nodes + an->nodes;
	if (c->alias_nodes > c->max_alias)
		return bl_error_set(c->err, BL_ELIMIT, c->file, line, col,
				    "alias expansion exceeds %llu nodes (billion laughs?)",
				    (unsigned long long)c->max_alias);
	struct frame *f = top(c);
	if (f->kind == FR_MAP && !f->have_key) {
		const struct bl_value *k = &an->v;
		switch (k->type) {
		case BL_VSTR:
			return set_key(c, k->u.str.s, k->u.str.len, m);
		case BL_VNUM:
			return set_key(c, k->u.num.text, k->u.num.len, m);
		case BL_VBOOL:
			return set_key(c, k->b ? "true" : "false", k->b ? 4 : 5, m);
		case BL_VNULL:
			return set_key(c, "", 0, m);
		default:
			return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
					    "mapping keys must be scalars (alias *%.100s is a %s)",
					    name, bl_vtype_name((enum bl_vtype)k->type));
		}
	}
	/* The shared node is reported where it is used; its children keep
	 * the positions of the anchored original. */
	struct bl_value v = an->v;
	v.line = line;
	v.col = col;
	return emit(c, &v, an->nodes);
}

static int on_scalar(struct yctx *c, const yaml_event_t *ev)
{
	struct frame *f = top(c);
	yaml_mark_t m = ev->start_mark;
	if (f->kind == FR_MAP && !f->have_key) {
		const char *tag = (const char *)ev->data.scalar.tag;
		enum stag k = tag_kind(tag);
		if (k == T_OTHER)
			return tag_error(c, m, tag, "unsupported");
		if (k == T_MAP || k == T_SEQ)
			return tag_error(c, m, tag, "a scalar cannot have");
		int rc = set_key(c, (const char *)ev->data.scalar.value,
				 ev->data.scalar.length, m);
		if (rc)
			return rc;
		if (ev->data.scalar.anchor) {
			/* An anchored key is usable later as a string value. */
			struct bl_value v;
			memset(&v, 0, sizeof(v));
			v.type = BL_VSTR;
			v.line = f->kline;
			v.col = f->kcol;
			v.file = c->file;
			v.u.str.s = f->key;
			v.u.str.len = f->klen;
			const char *an = (const char *)ev->data.scalar.anchor;
			return set_anchor(c, an, strlen(an), &v, 1);
		}
		return 0;
	}
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	v.line = mark_line(m);
	v.col = mark_col(m);
	v.file = c->file;
	int rc = scalar_value(c, ev, &v);
	if (rc)
		return rc;
	if (ev->data.scalar.anchor) {
		const char *an = (const char *)ev->data.scalar.anchor;
		rc = set_anchor(c, an, strlen(an), &v, 1);
		if (rc)
			return rc;
	}
	return emit(c, &v, 1);
}

static int on_start(struct yctx *c, const yaml_event_t *ev, enum frame_kind kind)
{
	yaml_mark_t m = ev->start_mark;
	uint32_t line = mark_line(m), col = mark_col(m);
	const char *tag = (const char *)(kind == FR_SEQ ? ev->data.sequence_start.tag
						       : ev->data.mapping_start.tag);
	const char *anchor = (const char *)(kind == FR_SEQ ? ev->data.sequence_start.anchor
							  : ev->data.mapping_start.anchor);
	struct frame *f = top(c);
	if (f->kind == FR_MAP && !f->have_key)
		return bl_error_set(c->err, BL_EINVAL, c->file, line, col,
				    "mapping keys must be scalars, not a %s",
				    kind == FR_SEQ ? "sequence" : "mapping");
	enum stag k = tag_kind(tag);
	if (k == T_OTHER)
		return tag_error(c, m, tag, "unsupported");
	if (k != T_NONE && k != (kind == FR_SEQ ? T_SEQ : T_MAP))
		return tag_error(c, m, tag, kind == FR_SEQ ? "a sequence cannot have"
							   : "a mapping cannot have");
	if (c->nfr - 1 >= c->max_depth)
		return bl_error_set(c->err, BL_ELIMIT, c->file, line, col,
				    "nesting deeper than %u levels", c->max_depth);
	struct frame *frs = grow(c->fr, &c->cfr, c->nfr + 1, sizeof(*frs));
	if (!frs)
		return oom(c);
	c->fr = frs;
	struct frame *nf = &c->fr[c->nfr++];
	memset(nf, 0, sizeof(*nf));
	nf->kind = kind;
	nf->base = c->nitems;
	nf->line = line;
	nf->col = col;
	if (kind == FR_MAP)
		nf->mapid = ++c->next_mapid;
	if (anchor) {
		nf->alen = strlen(anchor);
		nf->anchor = str_copy(c, anchor, nf->alen);
		if (!nf->anchor)
			return oom(c);
	}
	return 0;
}

/* Close the innermost container: copy its children into the arena. */
static int on_end(struct yctx *c)
{
	struct frame f = *top(c);
	size_t n = c->nitems - f.base;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	v.line = f.line;
	v.col = f.col;
	v.file = c->file;
	if (f.kind == FR_SEQ) {
		struct bl_value *arr = NULL;
		if (n) {
			arr = bl_arena_alloc(c->a, n * sizeof(*arr));
			if (!arr)
				return oom(c);
			for (size_t i = 0; i < n; i++)
				arr[i] = c->items[f.base + i].val;
		}
		v.type = BL_VARR;
		v.u.arr.items = arr;
		v.u.arr.n = (uint32_t)n;
	} else {
		struct bl_member *mem = NULL;
		if (n) {
			mem = bl_arena_alloc(c->a, n * sizeof(*mem));
			if (!mem)
				return oom(c);
			memcpy(mem, &c->items[f.base], n * sizeof(*mem));
		}
		v.type = BL_VOBJ;
		v.u.obj.items = mem;
		v.u.obj.n = (uint32_t)n;
		/* Only open mappings need their keys: memory stays bounded by
		 * the keys on the current path, not by the document. */
		for (size_t i = 0; i < n; i++) {
			const struct bl_member *it = &c->items[f.base + i];
			htab_remove(&c->ktab, mix(name_hash(it->key, it->klen), f.mapid),
				    it->key, it->klen, f.mapid);
		}
	}
	c->nitems = f.base;
	c->nfr--;
	uint64_t nodes = f.nodes == UINT64_MAX ? UINT64_MAX : f.nodes + 1;
	if (f.anchor) {
		int rc = set_anchor(c, f.anchor, f.alen, &v, nodes);
		if (rc)
			return rc;
	}
	return emit(c, &v, nodes);
}

/* ---- driver ----------------------------------------------------------- */

static void doc_begin(struct yctx *c)
{
	c->nfr = 1;
	memset(&c->fr[0], 0, sizeof(c->fr[0]));
	c->fr[0].kind = FR_DOC;
	c->nitems = 0;
	c->have_root = false;
	c->alias_nodes = 0;
	c->nanchors = 0;
	htab_clear(&c->atab);
	htab_clear(&c->ktab);
}

static void ctx_free(struct yctx *c)
{
	free(c->fr);
	free(c->items);
	free(c->anchors);
	free(c->atab.e);
	free(c->ktab.e);
}

/*
 * Run the event loop.  In single mode (cb == NULL) exactly one document is
 * allowed and ends up in c->root; otherwise cb sees every non-null document.
 */
static int run(struct yctx *c, bl_yaml_doc_cb cb, void *cbctx, bool single)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = bl_yaml_load(c->err);   /* opened on first use (util/yaml_api.h) */
	if (rc)
		return rc;
	if (!yaml_parser_initialize(&p))
		return oom(c);
	yaml_parser_set_input_string(&p, (const unsigned char *)c->buf, c->len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	struct frame *frs = grow(c->fr, &c->cfr, 1, sizeof(*frs));
	if (!frs) {
		yaml_parser_delete(&p);
		return oom(c);
	}
	c->fr = frs;
	int ndocs = 0;
	bool done = false;
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = libyaml_error(c, &p);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (single && ndocs > 0) {
				rc = bl_error_set(c->err, BL_EINVAL, c->file,
						  mark_line(ev.start_mark), mark_col(ev.start_mark),
						  "expected a single document");
				break;
			}
			ndocs++;
			doc_begin(c);
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (!single && c->have_root && c->root.type != BL_VNULL) {
				/* The callback may keep the document: give it an
				 * arena copy, not our reused slot. */
				struct bl_value *doc = bl_arena_alloc(c->a, sizeof(*doc));
				if (!doc) {
					rc = oom(c);
					break;
				}
				*doc = c->root;
				rc = cb(cbctx, doc);
			}
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(c, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(c, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(c, &ev, FR_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(c, &ev, FR_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_end(c);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

static int ctx_init(struct yctx *c, struct bl_arena *a, const char *buf, size_t len,
		    const char *file, const struct bl_yaml_opts *opts, struct bl_error *err)
{
	memset(c, 0, sizeof(*c));
	if (!buf || !len) {
		buf = "";    /* libyaml asserts on a NULL input */
		len = 0;
	}
	/* libyaml would count a byte-order mark as a column. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	c->a = a;
	c->buf = buf;
	c->len = len;
	c->err = err;
	c->max_depth = opts && opts->max_depth ? opts->max_depth : YAML_DEFAULT_DEPTH;
	c->max_alias = opts && opts->max_alias_nodes ? opts->max_alias_nodes
						     : YAML_DEFAULT_ALIAS_NODES;
	if (file) {
		c->file = bl_arena_strndup(a, file, strlen(file));
		if (!c->file)
			return bl_error_set(err, BL_ENOMEM, file, 0, 0, "out of memory");
	}
	return 0;
}

int bl_yaml_parse(const struct bl_value **out, struct bl_arena *a,
		  const char *buf, size_t len, const char *file,
		  const struct bl_yaml_opts *opts, struct bl_error *err)
{
	struct yctx c;
	*out = NULL;
	int rc = ctx_init(&c, a, buf, len, file, opts, err);
	if (rc)
		return rc;
	rc = run(&c, NULL, NULL, true);
	if (rc == 0) {
		struct bl_value *v = bl_arena_alloc(a, sizeof(*v));
		if (!v) {
			rc = oom(&c);
		} else {
			if (c.have_root) {
				*v = c.root;
			} else {
				/* An empty stream is one null document. */
				memset(v, 0, sizeof(*v));
				v->type = BL_VNULL;
				v->line = 1;
				v->col = 1;
				v->file = c.file;
			}
			*out = v;
		}
	}
	ctx_free(&c);
	return rc;
}

int bl_yaml_parse_stream(struct bl_arena *a, const char *buf, size_t len,
			 const char *file, const struct bl_yaml_opts *opts,
			 bl_yaml_doc_cb cb, void *ctx, struct bl_error *err)
{
	struct yctx c;
	int rc = ctx_init(&c, a, buf, len, file, opts, err);
	if (rc)
		return rc;
	rc = run(&c, cb, ctx, false);
	ctx_free(&c);
	return rc;
}
