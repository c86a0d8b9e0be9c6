/*
 * arena.h - bump allocator that owns everything of one document or one
 * evaluation and is released in one call.
 *
 * Blocks are chained; an allocation never moves earlier ones, so pointers stay
 * valid until bl_arena_reset() or bl_arena_free().  Allocation failure returns
 * NULL (callers turn it into BL_ENOMEM); nothing here aborts.
 */
#ifndef BL_UTIL_ARENA_H
#define BL_UTIL_ARENA_H

#include <stddef.h>

struct bl_arena_block;
struct bl_arena_release;

struct bl_arena {
	struct bl_arena_block *head;   /* current block (newest) */
	struct bl_arena_block *spare;  /* blocks kept by reset for reuse */
	struct bl_arena_release *release;   /* bl_arena_on_release, newest first */
	size_t block_size;             /* size of normal blocks */
	size_t used;                   /* bytes handed out since init/reset */
	size_t limit;                  /* 0 = unlimited; else max bytes handed out */
};

/* Initialise an empty arena; block_size 0 picks 64 KiB.  Infallible. */
void bl_arena_init(struct bl_arena *a, size_t block_size);

/* Aligned (16 bytes) allocation; NULL on overflow, limit or malloc failure. */
void *bl_arena_alloc(struct bl_arena *a, size_t size);

/* Zeroed allocation of n * size bytes; NULL on overflow or failure. */
void *bl_arena_calloc(struct bl_arena *a, size_t n, size_t size);

/* Copy of s[0..len) plus a NUL terminator; NULL on failure. */
char *bl_arena_strndup(struct bl_arena *a, const char *s, size_t len);

/* printf into the arena; NULL on failure. */
char *bl_arena_printf(struct bl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Call fn(p) when the arena is reset or freed, before its memory goes (the
 * newest registration first): for an object in the arena that holds more
 * than arena memory, such as a PCRE2 pattern whose JIT-compiled code lives
 * in executable pages of its own.  Returns 0, or -1 when the record cannot
 * be allocated (fn is then never called).
 */
int bl_arena_on_release(struct bl_arena *a, void (*fn)(void *p), void *p);

/* Forget every allocation but keep one block of memory for reuse. */
void bl_arena_reset(struct bl_arena *a);

/* Release all memory; the arena may be initialised again. */
void bl_arena_free(struct bl_arena *a);

/* Move every block of src into dst (freed with dst from now on; dst keeps
 * allocating from its current block), and src's release calls with them,
 * and leave src empty.  For data built in a scratch arena that turns out to
 * be worth keeping. */
void bl_arena_adopt(struct bl_arena *dst, struct bl_arena *src);

#endif
