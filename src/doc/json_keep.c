/*
 * json_keep.c - building keep sets (json.h): a tree of lower-cased keys,
 * each node's children in insertion order and in KEEP_BUCKETS hash chains
 * for the reader's lookups (json_keep.h).
 */
#include "doc/json_keep.h"

#include <stdlib.h>

int bl_json_keep_new(struct bl_json_keep **out)
{
	*out = NULL;
	struct bl_json_keep *k = calloc(1, sizeof(*k));
	if (!k)
		return BL_ENOMEM;
	k->cap = 16;
	k->nodes = calloc(k->cap, sizeof(*k->nodes));
	if (!k->nodes) {
		free(k);
		return BL_ENOMEM;
	}
	k->n = 1;  /* the root: no key, keeps nothing yet */
	*out = k;
	return 0;
}

void bl_json_keep_free(struct bl_json_keep *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->nodes[i].key);
	free(k->nodes);
	free(k);
}

int bl_json_keep_child(struct bl_json_keep *k, uint32_t node, const char *key, size_t len,
		       uint32_t *out)
{
	if (len > UINT32_MAX || node >= k->n)
		return BL_EINVAL;
	if (len > UINT32_MAX - 8)
		return BL_EINVAL;
	/* Zero padding lets keep_key_eq read 8 bytes at any offset < len. */
	char *low = calloc(2, len + 8);
	if (!low)
		return BL_ENOMEM;
	char *fold = low + len + 8;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = bl_lower((unsigned char)key[i]);
		low[i] = (char)c;
		fold[i] = (char)(c >= 'a' && c <= 'z' ? 0x20 : 0);
	}
	uint32_t last = 0;
	for (uint32_t c = k->nodes[node].first; c; c = k->nodes[c].next) {
		last = c;
		if (k->nodes[c].klen == len && memcmp(k->nodes[c].key, low, len) == 0) {
			free(low);
			*out = c;
			return 0;
		}
	}
	if (k->n == k->cap) {
		if (k->cap > UINT32_MAX / 4) {
			free(low);
			return BL_ENOMEM;
		}
		struct keep_node *nn = realloc(k->nodes, 2 * k->cap * sizeof(*nn));
		if (!nn) {
			free(low);
			return BL_ENOMEM;
		}
		k->nodes = nn;
		k->cap *= 2;
	}
	uint32_t id = (uint32_t)k->n++;
	struct keep_node *c = &k->nodes[id];
	memset(c, 0, sizeof(*c));
	c->key = low;
	c->fold = fold;
	c->klen = (uint32_t)len;
	/* Appended last so that the order of the list is the order of adding
	 * (the first keys added are the most common ones: tried first). */
	if (last)
		k->nodes[last].next = id;
	else
		k->nodes[node].first = id;
	k->nodes[node].lens |= 1ull << keep_len_bit(len);
	uint32_t *b = &k->nodes[node].bucket[keep_hash(low, len)];
	c->bnext = *b;
	*b = id;
	*out = id;
	return 0;
}

void bl_json_keep_all(struct bl_json_keep *k, uint32_t node)
{
	if (node < k->n)
		k->nodes[node].all = true;
}

bool bl_json_keep_is_all(const struct bl_json_keep *k, uint32_t node)
{
	return node < k->n && k->nodes[node].all;
}
