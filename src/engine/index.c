/*
 * index.c - type index over a baseline's controls (see index.h).
 */
#include "engine/index.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/str.h"

struct exact {
	const char *type;      /* as written in scope.types */
	size_t len;
	uint64_t hash;         /* case-folded */
	uint32_t control;
};

struct bl_index {
	const struct bl_baseline *b;
	uint32_t *any;          /* controls with no scope.types */
	size_t nany;
	struct exact *exact;    /* sorted by hash */
	size_t nexact;
	uint32_t *glob;         /* controls with at least one glob type */
	size_t nglob;
};

/* One spelling of a type as assets write it: "Microsoft.Web/sites" and
 * "microsoft.web/sites" are two entries sharing one list, so that the
 * steady state compares bytes, not bytes folded. */
struct entry {
	char *type;             /* as first seen */
	size_t len;
	uint64_t hash;          /* type_hash: equal for spellings equal ignoring case */
	uint32_t *controls;
	size_t n;
};

struct bl_index_cache {
	struct entry *slots;    /* open addressing, power-of-two size */
	size_t cap, used;
	struct bl_arena arena;
};

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static int cmp_exact(const void *pa, const void *pb)
{
	const struct exact *a = pa, *b = pb;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->control < b->control ? -1 : (a->control > b->control);
}

int bl_index_build(struct bl_index **out, const struct bl_baseline *b)
{
	struct bl_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return BL_ENOMEM;
	ix->b = b;
	size_t nc = b->ncontrols, ntypes = 0;
	for (size_t i = 0; i < nc; i++)
		ntypes += b->controls[i].ntypes;
	ix->any = calloc(nc + 1, sizeof(*ix->any));
	ix->glob = calloc(nc + 1, sizeof(*ix->glob));
	ix->exact = calloc(ntypes + 1, sizeof(*ix->exact));
	if (!ix->any || !ix->glob || !ix->exact) {
		bl_index_free(ix);
		return BL_ENOMEM;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct bl_control *c = &b->controls[i];
		if (c->effect == BL_EFFECT_DISABLED)
			continue;
		if (c->ntypes == 0) {
			ix->any[ix->nany++] = (uint32_t)i;
			continue;
		}
		bool globbed = false;
		for (size_t t = 0; t < c->ntypes; t++) {
			const char *ty = c->types[t];
			if (is_glob(ty)) {
				globbed = true;
				continue;
			}
			struct exact *e = &ix->exact[ix->nexact++];
			e->type = ty;
			e->len = strlen(ty);
			e->hash = bl_hash(ty, e->len, true);
			e->control = (uint32_t)i;
		}
		if (globbed)
			ix->glob[ix->nglob++] = (uint32_t)i;
	}
	qsort(ix->exact, ix->nexact, sizeof(*ix->exact), cmp_exact);
	*out = ix;
	return 0;
}

void bl_index_free(struct bl_index *ix)
{
	if (!ix)
		return;
	free(ix->any);
	free(ix->exact);
	free(ix->glob);
	free(ix);
}

int bl_index_cache_new(struct bl_index_cache **out)
{
	struct bl_index_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return BL_ENOMEM;
	c->cap = 64;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return BL_ENOMEM;
	}
	bl_arena_init(&c->arena, 16 * 1024);
	*out = c;
	return 0;
}

void bl_index_cache_free(struct bl_index_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	bl_arena_free(&c->arena);
	free(c);
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : (a > b);
}

/* The merged list for one type: any + exact matches + matching globs. */
static int compute(const struct bl_index *ix, struct bl_arena *a, const char *type,
		   size_t len, uint64_t hash, uint32_t **out, size_t *n)
{
	const struct bl_baseline *b = ix->b;
	size_t cap = ix->nany + ix->nexact + ix->nglob + 1;
	uint32_t *list = bl_arena_alloc(a, cap * sizeof(*list));
	if (!list)
		return BL_ENOMEM;
	size_t k = 0;
	memcpy(list, ix->any, ix->nany * sizeof(*list));
	k = ix->nany;
	/* lower bound on hash in the sorted exact table */
	size_t lo = 0, hi = ix->nexact;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->exact[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ix->nexact && ix->exact[i].hash == hash; i++)
		if (bl_str_ieq(ix->exact[i].type, ix->exact[i].len, type, len))
			list[k++] = ix->exact[i].control;
	for (size_t g = 0; g < ix->nglob; g++) {
		const struct bl_control *c = &b->controls[ix->glob[g]];
		for (size_t t = 0; t < c->ntypes; t++) {
			const char *ty = c->types[t];
			if (is_glob(ty) && bl_glob_match(ty, strlen(ty), type, len, true)) {
				list[k++] = ix->glob[g];
				break;
			}
		}
	}
	qsort(list, k, sizeof(*list), cmp_u32);
	/* a control listing the same type twice, or a glob and an exact match */
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (w == 0 || list[w - 1] != list[i])
			list[w++] = list[i];
	*out = list;
	*n = w;
	return 0;
}

static int grow(struct bl_index_cache *c)
{
	size_t ncap = c->cap * 2;
	struct entry *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return BL_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slots[i].type)
			continue;
		size_t j = c->slots[i].hash & (ncap - 1);
		while (ns[j].type)
			j = (j + 1) & (ncap - 1);
		ns[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
	return 0;
}

/*
 * Hash of a type for the cache, 8 bytes at a time (bl_hash's FNV costs a
 * multiply per byte, and this runs for every asset).  Every byte is OR-ed
 * with 0x20, which maps the two cases of an ASCII letter to one value, so
 * spellings that differ only in case land in one probe chain (other bytes
 * may collide too: a collision only costs a compare).
 */
static uint64_t type_hash(const char *s, size_t len)
{
	const uint64_t fold = 0x2020202020202020ULL, k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = (uint64_t)len * k, w;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ (w | fold)) * k;
		h ^= h >> 29;
	}
	if (i < len) {
		if (len >= 8) {
			memcpy(&w, s + len - 8, 8);   /* the last 8, overlapping */
		} else {
			w = 0;
			for (size_t j = i; j < len; j++)
				w = (w << 8) | (unsigned char)s[j];
		}
		h = (h ^ (w | fold)) * k;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

/* a[0..n) == b[0..n), a word at a time: types are longer than
 * bl_mem_eq's inline range, and a call to memcmp costs as much again. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, d = 0;
	size_t i = 0;
	if (n < 8)
		return bl_mem_eq(a, b, n);
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return (d | (x ^ y)) == 0;
}

int bl_index_lookup(const struct bl_index *ix, struct bl_index_cache *c,
		    const char *type, size_t len, const uint32_t **out, size_t *n)
{
	uint64_t h = type_hash(type, len);
	size_t mask = c->cap - 1, j = h & mask;
	for (; c->slots[j].type; j = (j + 1) & mask) {
		const struct entry *x = &c->slots[j];
		if (x->hash == h && x->len == len && same_bytes(x->type, type, len)) {
			*out = x->controls;
			*n = x->n;
			return 0;
		}
	}
	/* A new spelling: another spelling of the same type has the list
	 * already (same hash, equal ignoring case), else compute it. */
	struct entry e = {0};
	bool shared = false;
	for (size_t k = h & mask; c->slots[k].type && !shared; k = (k + 1) & mask) {
		const struct entry *x = &c->slots[k];
		if (x->hash == h && bl_str_ieq(x->type, x->len, type, len)) {
			e.controls = x->controls;   /* copied now: grow() frees the slots */
			e.n = x->n;
			shared = true;
		}
	}
	if ((c->used + 1) * 2 > c->cap) {
		if (grow(c))
			return BL_ENOMEM;
		j = h & (c->cap - 1);
		while (c->slots[j].type)
			j = (j + 1) & (c->cap - 1);
	}
	e.type = bl_arena_strndup(&c->arena, type, len);
	if (!e.type)
		return BL_ENOMEM;
	e.len = len;
	e.hash = h;
	if (!shared) {
		int rc = compute(ix, &c->arena, type, len, bl_hash(type, len, true), &e.controls,
				 &e.n);
		if (rc)
			return rc;
	}
	c->slots[j] = e;
	c->used++;
	*out = e.controls;
	*n = e.n;
	return 0;
}
