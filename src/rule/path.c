/*
 * path.c - field paths of the condition language: split once at compile
 * time into segments, then resolved against documents without re-parsing.
 *
 * Resolution never allocates except bl_path_collect, which builds one
 * synthetic array in the caller's (evaluation) arena.
 */
#include "rule/path.h"

#include <string.h>

#include "util/str.h"

/*
 * The segments of one path, gathered in a small local array (spilling into
 * the arena past it) and copied into an exactly sized one at the end: most
 * paths have one to three segments, and growing from 8 by doubling made
 * segment arrays a seventh of a loaded builtin:linux-host.
 */
#define SEGS_LOCAL 16

struct seglist {
	struct bl_seg *v;
	uint32_t n, cap;
	struct bl_arena *a;
	char *keys;   /* a copy of the text in which unquoted keys end in a NUL */
};

static inline int seg_push(struct seglist *l, const struct bl_seg *s)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap * 2;
		struct bl_seg *nv = bl_arena_alloc(l->a, (size_t)cap * sizeof(*nv));
		if (!nv)
			return BL_ENOMEM;
		memcpy(nv, l->v, (size_t)l->n * sizeof(*nv));
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *s;
	return 0;
}

/* Unquoted key text[start..end) as a NUL-terminated string: its place in
 * l->keys, where the byte after it ('.', '[', ']' or the end) becomes the
 * NUL (that byte is never part of another key). */
static const char *key_at(struct seglist *l, size_t start, size_t end)
{
	l->keys[end] = '\0';
	return l->keys + start;
}

static int path_err(struct bl_error *err, size_t off, const char *msg)
{
	return bl_error_set(err, BL_EINVAL, NULL, 0, (uint32_t)(off + 1), "invalid path: %s", msg);
}

/* Parse "[...]" starting at text[*pos] == '['.  Fails with BL_EINVAL (column
 * of the offending byte) or BL_ENOMEM. */
static int parse_bracket(struct seglist *l, const char *text, size_t len, size_t *pos,
			 struct bl_arena *a, struct bl_error *err)
{
	size_t open = *pos;
	size_t i = open + 1;
	struct bl_seg seg = {0};
	if (i >= len)
		return path_err(err, open, "unterminated '['");
	char c = text[i];
	if (c == '*') {
		if (i + 1 >= len || text[i + 1] != ']')
			return path_err(err, i + 1 < len ? i + 1 : open, "expected ']' after '[*'");
		seg.kind = BL_SEG_ALL;
		*pos = i + 2;
		return seg_push(l, &seg);
	}
	if (c != '"' && c != '\'') {
		/* Unquoted: all digits is an index, anything else a bare key
		 * (Azure accepts tags[tag.with.dots]). */
		size_t start = i;
		bool digits = true;
		while (i < len && text[i] != ']') {
			if (text[i] == '[')
				return path_err(err, i, "'[' inside brackets (quote the key)");
			digits = digits && text[i] >= '0' && text[i] <= '9';
			i++;
		}
		if (i >= len)
			return path_err(err, open, "unterminated '['");
		if (i == start)
			return path_err(err, i, "empty brackets");
		if (digits) {
			uint64_t n = 0;
			for (size_t k = start; k < i; k++) {
				n = n * 10 + (uint64_t)(text[k] - '0');
				if (n > UINT32_MAX)
					return path_err(err, start, "index too large");
			}
			seg.kind = BL_SEG_INDEX;
			seg.index = (uint32_t)n;
		} else {
			seg.kind = BL_SEG_KEY;
			seg.key = key_at(l, start, i);
			seg.klen = (uint32_t)(i - start);
		}
		*pos = i + 1;
		return seg_push(l, &seg);
	}
	/* Quoted key; a doubled quote stands for itself. */
	char q = c;
	size_t qpos = i;
	i++;
	/* The unescaped key is never longer than the quoted text. */
	char *key = bl_arena_alloc(a, len - i + 1);
	if (!key)
		return BL_ENOMEM;
	size_t k = 0;
	for (;;) {
		/* the run up to the next quote, copied at once */
		const char *end = memchr(text + i, q, len - i);
		if (!end)
			return path_err(err, qpos, "unterminated quoted key");
		size_t run = (size_t)(end - (text + i));
		memcpy(key + k, text + i, run);
		k += run;
		i += run;
		if (i + 1 < len && text[i + 1] == q) {
			key[k++] = q;
			i += 2;
			continue;
		}
		break;
	}
	key[k] = '\0';
	i++; /* closing quote */
	if (k == 0)
		return path_err(err, qpos, "empty key");
	if (i >= len)
		return path_err(err, open, "unterminated '['");
	if (text[i] != ']')
		return path_err(err, i, "expected ']' after quoted key");
	seg.kind = BL_SEG_KEY;
	seg.key = key;
	seg.klen = (uint32_t)k;
	*pos = i + 1;
	return seg_push(l, &seg);
}

int bl_path_compile(struct bl_path *out, const char *text, size_t len,
		    struct bl_arena *a, struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return path_err(err, 0, "empty path");
	if (len > UINT32_MAX)
		return path_err(err, 0, "path too long");
	struct bl_seg local[SEGS_LOCAL];
	struct seglist l = {.v = local, .cap = SEGS_LOCAL, .a = a};
	/* the text as written, then the copy that holds the keys */
	char *copy = bl_arena_alloc(a, 2 * (len + 1));
	if (!copy)
		return BL_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	l.keys = copy + len + 1;
	memcpy(l.keys, text, len + 1);
	size_t i = 0;
	bool need_key = true;   /* at start or right after a '.' */
	bool after_dot = false;
	while (i < len) {
		char c = text[i];
		if (c == '[') {
			if (after_dot)
				return path_err(err, i, "expected a key after '.'");
			int rc = parse_bracket(&l, text, len, &i, a, err);
			if (rc)
				return rc;
			need_key = false;
			after_dot = false;
			if (i < len && text[i] != '.' && text[i] != '[')
				return path_err(err, i, "expected '.' or '[' after ']'");
			continue;
		}
		if (c == '.') {
			if (need_key)
				return path_err(err, i, "empty key");
			need_key = true;
			after_dot = true;
			i++;
			if (i == len)
				return path_err(err, i - 1, "empty key at end of path");
			continue;
		}
		if (c == ']')
			return path_err(err, i, "unexpected ']'");
		if (!need_key)
			return path_err(err, i, "expected '.' or '[' after ']'");
		size_t start = i;
		/* '.', '[' and ']' are at or below ']'; lower-case letters and
		 * '_', most of a key, are above it: one test for those bytes */
		while (i < len && ((unsigned char)text[i] > ']' ||
				   (text[i] != '.' && text[i] != '[' && text[i] != ']')))
			i++;
		struct bl_seg seg = {0};
		seg.kind = BL_SEG_KEY;
		seg.key = key_at(&l, start, i);
		seg.klen = (uint32_t)(i - start);
		int rc = seg_push(&l, &seg);
		if (rc)
			return rc;
		need_key = false;
		after_dot = false;
	}
	struct bl_seg *segs = bl_arena_alloc(a, (size_t)l.n * sizeof(*segs));
	if (!segs)
		return BL_ENOMEM;
	memcpy(segs, l.v, (size_t)l.n * sizeof(*segs));
	uint32_t nall = 0;
	for (uint32_t k = 0; k < l.n; k++)
		nall += l.v[k].kind == BL_SEG_ALL;
	out->segs = segs;
	out->n = l.n;
	out->nall = nall;
	out->text = copy;
	return 0;
}

/* Object lookup with bl_value_get's rule (see bl_obj_member). */
static inline const struct bl_value *obj_get(const struct bl_value *v, const char *key,
					     uint32_t klen)
{
	const struct bl_member *m = bl_obj_member(v, key, klen);
	return m ? &m->val : NULL;
}

/* One step; NULL when the step does not apply to v. */
/* An error or not-available fact is sticky: every path through it reaches
 * it, so the reason it could not be read travels to the comparison. */
static inline const struct bl_value *seg_step(const struct bl_seg *s, const struct bl_value *v)
{
	if (bl_value_special(v))
		return v;
	if (s->kind == BL_SEG_KEY)
		return v->type == BL_VOBJ ? obj_get(v, s->key, s->klen) : NULL;
	if (s->kind == BL_SEG_INDEX)
		return (v->type == BL_VARR && s->index < v->u.arr.n) ? &v->u.arr.items[s->index] : NULL;
	return NULL;
}

const struct bl_value *bl_path_get_range(const struct bl_path *p, uint32_t from, uint32_t to,
					 const struct bl_value *root)
{
	const struct bl_value *v = root;
	if (to > p->n)
		to = p->n;
	for (uint32_t i = from; i < to && v; i++)
		v = seg_step(&p->segs[i], v);
	return v;
}

const struct bl_value *bl_path_get(const struct bl_path *p, const struct bl_value *root)
{
	if (p->nall)
		return NULL;
	return bl_path_get_range(p, 0, p->n, root);
}

struct collector {
	struct bl_value *items;
	uint32_t n, cap;
	struct bl_arena *a;
	bool oom;
};

static void collect_push(struct collector *c, const struct bl_value *v)
{
	if (c->oom)
		return;
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 8;
		struct bl_value *nv = bl_arena_alloc(c->a, (size_t)cap * sizeof(*nv));
		if (!nv) {
			c->oom = true;
			return;
		}
		if (c->n)
			memcpy(nv, c->items, (size_t)c->n * sizeof(*nv));
		c->items = nv;
		c->cap = cap;
	}
	c->items[c->n++] = *v;
}

static void collect_from(struct collector *c, const struct bl_path *p, uint32_t i,
			 const struct bl_value *v)
{
	for (; i < p->n && v; i++) {
		const struct bl_seg *s = &p->segs[i];
		if (s->kind == BL_SEG_ALL) {
			if (bl_value_special(v))
				break;
			if (v->type != BL_VARR)
				return;
			for (uint32_t k = 0; k < v->u.arr.n; k++)
				collect_from(c, p, i + 1, &v->u.arr.items[k]);
			return;
		}
		v = seg_step(s, v);
	}
	if (v)
		collect_push(c, v);
}

const struct bl_value *bl_path_collect(const struct bl_path *p, const struct bl_value *root,
				       struct bl_arena *a)
{
	struct collector c = {.a = a};
	if (root)
		collect_from(&c, p, 0, root);
	if (c.oom)
		return NULL;
	struct bl_value *arr = bl_value_new(a, BL_VARR);
	if (!arr)
		return NULL;
	arr->u.arr.items = c.items;
	arr->u.arr.n = c.n;
	return arr;
}
