/*
 * json_keep.h - keep sets (json.h: which members a selective parse builds),
 * inside src/doc: the node layout and the lookups the reader makes for every
 * member of a record, inline.  json_keep.c builds the sets.
 */
#ifndef BL_DOC_JSON_KEEP_H
#define BL_DOC_JSON_KEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "doc/json.h"
#include "util/str.h"

/* Children of a keep node are found through a small hash of the key (a
 * resource's root has a dozen kept keys, and every member is looked up). */
#define KEEP_BUCKETS 16u

/* A keep-set node (json.h); node numbers index bl_json_keep.nodes. */
struct keep_node {
	char *key;             /* lower-cased, zero-padded by 8 bytes */
	char *fold;            /* 0x20 where key has a letter, else 0 (same padding) */
	uint32_t klen;
	uint32_t first, next;  /* first child, next sibling; 0 = none (0 is the root) */
	uint32_t bucket[KEEP_BUCKETS];  /* first child by key hash; 0 = none */
	uint64_t lens;         /* bit keep_len_bit(klen) set for each child's length */
	uint32_t bnext;        /* next child in the same bucket of the parent */
	bool all;              /* keep everything below */
};

struct bl_json_keep {
	struct keep_node *nodes;
	size_t n, cap;
};

/* The reader's lookups are inlined into both instances of its loop (json.c),
 * which outgrow the compiler's own inlining limits. */
#if defined(__GNUC__)
#define KEEP_INLINE __attribute__((always_inline)) inline
#else
#define KEEP_INLINE inline
#endif

/* Eight bytes at p, in memory order (any alignment). */
static KEEP_INLINE uint64_t bl_load64(const char *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof(x));
	return x;
}

/* Bucket of a key: its length and its first and last bytes, case-folded
 * by setting bit 0x20 (which lower-cases letters; keys equal ignoring ASCII
 * case differ only in letters, so they share the bucket). */
static KEEP_INLINE uint32_t keep_hash(const char *k, size_t klen)
{
	if (!klen)
		return 0;
	return ((uint32_t)klen + ((unsigned char)k[0] | 0x20u) +
		3u * ((unsigned char)k[klen - 1] | 0x20u)) & (KEEP_BUCKETS - 1);
}

/*
 * k[0..klen) equals ch's key ignoring ASCII case, eight bytes at a time: a
 * byte matches when it equals the lower-cased key byte, or differs from it by
 * 0x20 where the key byte is a letter (only its upper-case twin does).  wide:
 * 8 bytes may be read from k (as for key_fp).
 */
static KEEP_INLINE bool keep_key_eq(const struct keep_node *ch, const char *k, uint32_t klen,
				    bool wide)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (klen >= 8) {
		uint32_t i = 0;
		for (; i + 8 <= klen; i += 8)
			if ((bl_load64(k + i) ^ bl_load64(ch->key + i)) & ~bl_load64(ch->fold + i))
				return false;
		if (i < klen) {
			i = klen - 8;  /* the tail, overlapping what was compared */
			if ((bl_load64(k + i) ^ bl_load64(ch->key + i)) & ~bl_load64(ch->fold + i))
				return false;
		}
		return true;
	}
	if (wide) {
		uint64_t m = klen ? ~0ull >> (64 - 8 * klen) : 0;
		return (((bl_load64(k) ^ bl_load64(ch->key)) & ~bl_load64(ch->fold)) & m) == 0;
	}
#else
	(void)wide;
#endif
	for (uint32_t i = 0; i < klen; i++)
		if (bl_lower((unsigned char)k[i]) != (unsigned char)ch->key[i])
			return false;
	return true;
}

/* The bit of keep_node.lens for a key of klen bytes (63: any longer). */
static KEEP_INLINE unsigned keep_len_bit(size_t klen)
{
	return klen < 63 ? (unsigned)klen : 63u;
}

/* The child of kn whose key equals k[0..klen) ignoring ASCII case, or NULL.
 * Most keys of a record are kept by no child: the lengths of the children
 * turn away many of them before the hash. */
static KEEP_INLINE const struct keep_node *keep_find(const struct keep_node *nodes,
						 const struct keep_node *kn, const char *k,
						 uint32_t klen, bool wide)
{
	if (!((kn->lens >> keep_len_bit(klen)) & 1))
		return NULL;
	for (uint32_t c = kn->bucket[keep_hash(k, klen)]; c; c = nodes[c].bnext) {
		const struct keep_node *ch = &nodes[c];
		if (ch->klen == klen && keep_key_eq(ch, k, klen, wide))
			return ch;
	}
	return NULL;
}

#endif
