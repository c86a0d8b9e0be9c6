/*
 * arena.c - chained-block bump allocator (see arena.h).
 *
 * Oversized requests get a block of their own so a single large string does
 * not waste a normal block.  Reset keeps the largest recent block so that the
 * per-record arenas of the engine stop calling malloc after warm-up.  Blocks
 * after an arena's first are prefaulted (see bl_arena_alloc).
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct bl_arena_block {
	struct bl_arena_block *next;
	size_t size;   /* usable bytes in data[] */
	size_t off;    /* next free offset */
	_Alignas(16) unsigned char data[];
};

#define ARENA_ALIGN 16u

struct bl_arena_release {
	struct bl_arena_release *next;
	void (*fn)(void *p);
	void *p;
};

void bl_arena_init(struct bl_arena *a, size_t block_size)
{
	a->head = NULL;
	a->spare = NULL;
	a->release = NULL;
	a->block_size = block_size ? block_size : (size_t)64 * 1024;
	a->used = 0;
	a->limit = 0;
}

/* Fault in the whole pages of [p, p+len) in one call.  Touched one at a
 * time, each page of a fresh block costs a trap into the kernel (page
 * faults were about half of the 6.9 ms start of builtin:linux-host on a
 * VM); prefaulted, the kernel fills them in one pass.  Best effort: kernels
 * before 5.14 refuse the advice and the pages fault in as before. */
static void prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0)
		return;
	uintptr_t mask = (uintptr_t)pg - 1;
	uintptr_t lo = ((uintptr_t)p + mask) & ~mask;
	uintptr_t hi = ((uintptr_t)p + len) & ~mask;
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

/* The largest block prefaulted (bl_arena_alloc). */
#define ARENA_POPULATE_MAX ((size_t)1 << 20)

/* A new block; populate: prefault its pages (see bl_arena_alloc). */
static struct bl_arena_block *block_new(size_t size, int populate)
{
	if (size > SIZE_MAX - sizeof(struct bl_arena_block))
		return NULL;
	struct bl_arena_block *b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->off = 0;
	if (populate)
		prefault(b->data, size);
	return b;
}

void *bl_arena_alloc(struct bl_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->limit && (size > a->limit || a->used > a->limit - size))
		return NULL;
	struct bl_arena_block *b = a->head;
	if (!b || b->size - b->off < size) {
		struct bl_arena_block *nb = NULL;
		if (a->spare && a->spare->size >= size) {
			nb = a->spare;
			a->spare = nb->next;
			nb->off = 0;
		} else {
			/* An arena that has filled a block will most likely fill
			 * the next one too, and a large request of a busy arena
			 * (the value arrays of a built-in document) is written
			 * whole: prefault them.  Not the first block, so that the
			 * many small arenas stay cheap; not beyond
			 * ARENA_POPULATE_MAX, which bounds what a request sized
			 * for the worst case (and mostly unused) can cost. */
			size_t want = size > a->block_size ? size : a->block_size;
			nb = block_new(want, a->head != NULL && want <= ARENA_POPULATE_MAX);
			if (!nb)
				return NULL;
		}
		nb->next = a->head;
		a->head = nb;
		b = nb;
	}
	void *p = b->data + b->off;
	b->off += size;
	a->used += size;
	return p;
}

void *bl_arena_calloc(struct bl_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = bl_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *bl_arena_strndup(struct bl_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = bl_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *bl_arena_printf(struct bl_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = bl_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void chain_free(struct bl_arena_block *b)
{
	while (b) {
		struct bl_arena_block *n = b->next;
		free(b);
		b = n;
	}
}

int bl_arena_on_release(struct bl_arena *a, void (*fn)(void *p), void *p)
{
	struct bl_arena_release *r = bl_arena_alloc(a, sizeof(*r));
	if (!r)
		return -1;
	r->fn = fn;
	r->p = p;
	r->next = a->release;
	a->release = r;
	return 0;
}

/* Run and forget the release calls (their records are in the arena). */
static void run_release(struct bl_arena *a)
{
	for (struct bl_arena_release *r = a->release; r; r = r->next)
		r->fn(r->p);
	a->release = NULL;
}

/* What reset keeps for reuse.  A slot arena of the engine holds the parse of
 * a 1 MiB chunk (3-4 blocks of 1 MiB): keeping only one block made every
 * chunk malloc the others again, and in worker threads glibc gave the freed
 * memory back, so each chunk faulted its pages in anew (18,000 page faults
 * instead of 2,800 on a 19.8 MB run with two workers). */
#define ARENA_KEEP_MAX ((size_t)8 << 20)

/* Keep blocks up to ARENA_KEEP_MAX (the largest first, so that a large
 * request finds it at the head of the spare list), free the rest. */
void bl_arena_reset(struct bl_arena *a)
{
	run_release(a);
	struct bl_arena_block *keep = NULL, *largest = NULL;
	size_t kept = 0;
	struct bl_arena_block *lists[2] = {a->head, a->spare};
	for (int l = 0; l < 2; l++) {
		for (struct bl_arena_block *b = lists[l], *n; b; b = n) {
			n = b->next;
			if (kept && (kept >= ARENA_KEEP_MAX || b->size > ARENA_KEEP_MAX - kept)) {
				free(b);
				continue;
			}
			kept += b->size;
			b->off = 0;
			b->next = keep;
			keep = b;
			if (!largest || b->size > largest->size)
				largest = b;
		}
	}
	if (largest && largest != keep) {
		struct bl_arena_block *prev = keep;
		while (prev->next != largest)
			prev = prev->next;
		prev->next = largest->next;
		largest->next = keep;
		keep = largest;
	}
	a->head = NULL;
	a->spare = keep;
	a->used = 0;
}

void bl_arena_free(struct bl_arena *a)
{
	run_release(a);
	chain_free(a->head);
	chain_free(a->spare);
	a->head = NULL;
	a->spare = NULL;
	a->used = 0;
}

void bl_arena_adopt(struct bl_arena *dst, struct bl_arena *src)
{
	struct bl_arena_block *first = src->head;
	if (first) {
		struct bl_arena_block *last = first;
		while (last->next)
			last = last->next;
		if (dst->head) {
			/* behind dst's current block, whose free space stays in use */
			last->next = dst->head->next;
			dst->head->next = first;
		} else {
			dst->head = first;
		}
		dst->used += src->used;
	}
	if (src->release) {
		struct bl_arena_release *last = src->release;
		while (last->next)
			last = last->next;
		last->next = dst->release;
		dst->release = src->release;
		src->release = NULL;
	}
	for (struct bl_arena_block *b = src->spare, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	src->head = NULL;
	src->spare = NULL;
	src->used = 0;
}
