/*
 * common.c - what every store backend serialises the same way: the JSON of
 * a run's targets, inventory, exceptions, a result's evidence, the effective
 * baseline document (backend.h).
 */
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "store/backend.h"

const enum bl_status bl_store_status_order[5] = {BL_PASS, BL_FAIL, BL_ERROR, BL_NA, BL_EXEMPT};

void bl_store_json_str(struct bl_buf *b, const char *s)
{
	if (s)
		bl_json_write_str(b, s, strlen(s));
	else
		bl_buf_adds(b, "null");
}

void bl_store_json_targets(struct bl_buf *b, const struct bl_store_run_meta *m)
{
	bl_buf_addc(b, '[');
	for (size_t i = 0; i < m->ntargets; i++) {
		if (i)
			bl_buf_addc(b, ',');
		bl_store_json_str(b, m->targets[i]);
	}
	bl_buf_addc(b, ']');
}

void bl_store_json_inventory(struct bl_buf *b, const struct bl_inventory *inv)
{
	bl_buf_adds(b, "{\"id\":");
	bl_store_json_str(b, inv->id);
	bl_buf_adds(b, ",\"file\":");
	bl_store_json_str(b, inv->file);
	bl_buf_printf(b, ",\"default_tier\":%d}", inv->defaults.tier);
}

void bl_store_json_exceptions(struct bl_buf *b, const struct bl_exceptions *x)
{
	bl_buf_adds(b, "{\"file\":");
	bl_store_json_str(b, x->file);
	bl_buf_adds(b, ",\"items\":[");
	for (size_t i = 0; i < x->n; i++) {
		const struct bl_exception *e = &x->items[i];
		bl_buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
		bl_store_json_str(b, e->id);
		bl_buf_adds(b, ",\"control\":");
		bl_store_json_str(b, e->control);
		bl_buf_adds(b, ",\"assets\":[");
		for (size_t k = 0; k < e->nassets; k++) {
			if (k)
				bl_buf_addc(b, ',');
			bl_store_json_str(b, e->assets[k]);
		}
		bl_buf_adds(b, "],\"justification\":");
		bl_store_json_str(b, e->justification);
		bl_buf_adds(b, ",\"approved_by\":");
		bl_store_json_str(b, e->approved_by);
		bl_buf_adds(b, ",\"ticket\":");
		bl_store_json_str(b, e->ticket);
		bl_buf_printf(b, ",\"category\":\"%s\",\"created\":\"%s\",\"expires\":\"%s\","
				 "\"line\":%u,\"col\":%u}",
			      bl_exc_category_name(e->category), e->created, e->expires, e->line, e->col);
	}
	bl_buf_adds(b, "]}");
}

void bl_store_json_evidence(struct bl_buf *b, const struct bl_result *r)
{
	bl_buf_addc(b, '[');
	for (size_t i = 0; i < r->nevidence; i++) {
		const struct bl_evidence *e = &r->evidence[i];
		bl_buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		bl_store_json_str(b, e->path);
		bl_buf_adds(b, ",\"actual\":");
		if (e->actual)
			bl_json_write(b, e->actual, 0);
		else
			bl_buf_adds(b, "null");
		bl_buf_adds(b, ",\"expected\":");
		bl_store_json_str(b, e->expected);
		bl_buf_addc(b, '}');
	}
	bl_buf_addc(b, ']');
}

int bl_store_json_baseline(struct bl_buf *b, const struct bl_baseline *bl)
{
	const struct bl_value *eff = bl->effective ? bl->effective : bl->doc;
	if (!eff || bl_json_write(b, eff, 0) || b->failed)
		return BL_ENOMEM;
	return 0;
}

void *bl_store_grow(struct bl_arena *a, void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = bl_arena_alloc(a, nc * size);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * size);
	*cap = nc;
	return nv;
}

/* ---- id map ------------------------------------------------------------- */

struct bl_store_idmap_slot {
	uint64_t hash;
	const char *k1, *k2;
	int64_t id;            /* 0: empty slot */
};

static uint64_t idmap_hash(const char *k1, const char *k2)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)k1; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xffu) * 1099511628211ULL;    /* separates ("ab","c") from ("a","bc") */
	if (k2)
		for (const unsigned char *p = (const unsigned char *)k2; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static bool idmap_eq(const struct bl_store_idmap_slot *s, uint64_t h, const char *k1,
		     const char *k2)
{
	return s->hash == h && strcmp(s->k1, k1) == 0 &&
	       (s->k2 == k2 || (s->k2 && k2 && strcmp(s->k2, k2) == 0));
}

void bl_store_idmap_init(struct bl_store_idmap *m)
{
	memset(m, 0, sizeof(*m));
	bl_arena_init(&m->a, 0);
}

void bl_store_idmap_free(struct bl_store_idmap *m)
{
	free(m->slots);
	bl_arena_free(&m->a);
	memset(m, 0, sizeof(*m));
}

int64_t bl_store_idmap_get(const struct bl_store_idmap *m, const char *k1, const char *k2)
{
	if (!m->cap)
		return 0;
	uint64_t h = idmap_hash(k1, k2);
	for (size_t i = (size_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct bl_store_idmap_slot *s = &m->slots[i];
		if (!s->id)
			return 0;
		if (idmap_eq(s, h, k1, k2))
			return s->id;
	}
}

static void idmap_place(struct bl_store_idmap_slot *slots, size_t cap,
			const struct bl_store_idmap_slot *e)
{
	size_t i = (size_t)e->hash & (cap - 1);
	while (slots[i].id)
		i = (i + 1) & (cap - 1);
	slots[i] = *e;
}

int bl_store_idmap_put(struct bl_store_idmap *m, const char *k1, const char *k2, int64_t id)
{
	if (m->cap) {
		uint64_t h = idmap_hash(k1, k2);
		for (size_t i = (size_t)h & (m->cap - 1); m->slots[i].id; i = (i + 1) & (m->cap - 1))
			if (idmap_eq(&m->slots[i], h, k1, k2)) {
				m->slots[i].id = id;
				return 0;
			}
	}
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		struct bl_store_idmap_slot *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return BL_ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].id)
				idmap_place(ns, nc, &m->slots[i]);
		free(m->slots);
		m->slots = ns;
		m->cap = nc;
	}
	struct bl_store_idmap_slot e = {.hash = idmap_hash(k1, k2), .id = id};
	e.k1 = bl_arena_strndup(&m->a, k1, strlen(k1));
	e.k2 = k2 ? bl_arena_strndup(&m->a, k2, strlen(k2)) : NULL;
	if (!e.k1 || (k2 && !e.k2))
		return BL_ENOMEM;
	idmap_place(m->slots, m->cap, &e);
	m->n++;
	return 0;
}
