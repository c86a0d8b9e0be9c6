/* Unit tests for util/arena.c and util/error.c. */
#include "testutil.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static void test_alloc_alignment_and_reuse(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 256);
	for (int i = 1; i < 1000; i++) {
		void *p = bl_arena_alloc(&a, (size_t)i % 37 + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	char *big = bl_arena_alloc(&a, 100000);   /* larger than a block */
	assert_non_null(big);
	memset(big, 1, 100000);
	bl_arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(bl_arena_alloc(&a, 64));
	bl_arena_free(&a);
}

static void test_limit_and_overflow(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	a.limit = 1024;
	assert_non_null(bl_arena_alloc(&a, 1000));
	assert_null(bl_arena_alloc(&a, 100));
	assert_null(bl_arena_calloc(&a, SIZE_MAX / 2, 4));
	assert_null(bl_arena_alloc(&a, SIZE_MAX));
	bl_arena_free(&a);
}

static void test_strings(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	assert_string_equal(bl_arena_strndup(&a, "hello world", 5), "hello");
	assert_string_equal(bl_arena_printf(&a, "%s-%d", "x", 7), "x-7");
	bl_arena_free(&a);
}

static void test_error_and_diags(void **state)
{
	(void)state;
	struct bl_error e;
	assert_int_equal(bl_error_set(&e, BL_EINVAL, "f.yaml", 3, 7, "bad %s", "thing"), BL_EINVAL);
	char buf[128];
	assert_string_equal(bl_error_format(&e, buf, sizeof(buf)), "f.yaml:3:7: bad thing");
	assert_int_equal(bl_error_exit_code(BL_EINVAL), 2);
	assert_int_equal(bl_error_exit_code(BL_ENOMEM), 3);
	struct bl_diags d;
	bl_diags_init(&d);
	bl_diag_add(&d, "b.yaml", 1, 1, "second file");
	bl_diag_add(&d, "a.yaml", 9, 2, "later");
	bl_diag_add(&d, "a.yaml", 2, 5, "earlier");
	bl_diag_add_error(&d, &e);
	bl_diags_sort(&d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.items[0].msg, "earlier");
	assert_string_equal(d.items[1].msg, "later");
	assert_string_equal(d.items[2].msg, "second file");
	assert_string_equal(d.items[3].file, "f.yaml");
	bl_diags_free(&d);
}

/* Reset keeps every block up to 8 MiB for reuse (the engine's slot arenas
 * need several per chunk), the largest first; beyond the cap blocks are freed. */
static void test_reset_keeps_blocks(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a, 4096);
	void *p[3];
	for (int i = 0; i < 3; i++)
		p[i] = bl_arena_alloc(&a, 4000);   /* one block each */
	void *big = bl_arena_alloc(&a, 100000);  /* its own block */
	assert_non_null(big);
	bl_arena_reset(&a);
	/* the large request is served by the large block, the small ones by the rest */
	void *q = bl_arena_alloc(&a, 100000);
	assert_ptr_equal(q, big);
	int reused = 0;
	for (int i = 0; i < 3; i++) {
		void *r = bl_arena_alloc(&a, 4000);
		for (int k = 0; k < 3; k++)
			reused += r == p[k];
	}
	assert_int_equal(reused, 3);
	/* over the cap: the first block is kept whatever its size, nothing more */
	bl_arena_reset(&a);
	void *g1 = bl_arena_alloc(&a, (size_t)9 << 20);
	void *g2 = bl_arena_alloc(&a, (size_t)9 << 20);
	assert_non_null(g1);
	assert_non_null(g2);
	bl_arena_reset(&a);
	void *h1 = bl_arena_alloc(&a, (size_t)9 << 20);
	assert_true(h1 == g1 || h1 == g2);
	assert_true(bl_arena_alloc(&a, 100000) != big);   /* freed: over the cap */
	bl_arena_free(&a);
}

static void test_adopt(void **state)
{
	(void)state;
	struct bl_arena dst, src;
	bl_arena_init(&dst, 256);
	bl_arena_init(&src, 128);
	char *d1 = bl_arena_strndup(&dst, "kept", 4);
	char *s1 = bl_arena_strndup(&src, "moved", 5);
	char *s2 = bl_arena_alloc(&src, 1000);   /* a block of its own */
	assert_non_null(d1);
	assert_non_null(s1);
	assert_non_null(s2);
	memset(s2, 'x', 1000);
	bl_arena_reset(&src);                    /* blocks become spare ... */
	s1 = bl_arena_strndup(&src, "moved", 5); /* ... and are reused */
	size_t used = dst.used + src.used;
	bl_arena_adopt(&dst, &src);
	assert_null(src.head);
	assert_null(src.spare);
	assert_int_equal(src.used, 0);
	assert_int_equal(dst.used, used);
	char *d2 = bl_arena_strndup(&dst, "more", 4);
	assert_non_null(d2);
	assert_true(d2 == d1 + 16);              /* same block as before */
	assert_string_equal(s1, "moved");
	assert_string_equal(d1, "kept");
	assert_non_null(bl_arena_strndup(&src, "again", 5));
	bl_arena_free(&src);
	/* into an empty arena */
	struct bl_arena empty;
	bl_arena_init(&empty, 0);
	bl_arena_init(&src, 0);
	s1 = bl_arena_strndup(&src, "x", 1);
	bl_arena_adopt(&empty, &src);
	assert_string_equal(s1, "x");
	bl_arena_free(&empty);
	bl_arena_free(&dst);   /* LSan: everything freed once */
}

/* Minor page faults of this process so far. */
static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A block after an arena's first is prefaulted: writing it takes (almost)
 * no page faults, where n pages of fresh memory took n (the bounds leave
 * room for the shadow pages a sanitizer build touches).  The first block
 * is not (a small arena must stay cheap).  Skipped on a kernel without
 * MADV_POPULATE_WRITE, where the blocks fault in page by page as before. */
static void test_prefault(void **state)
{
	(void)state;
#ifdef MADV_POPULATE_WRITE
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	void *probe = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(probe != MAP_FAILED);
	int supported = madvise(probe, pg, MADV_POPULATE_WRITE) == 0;
	munmap(probe, pg);
	if (!supported)
		skip();
	struct bl_arena a;
	bl_arena_init(&a, 256 * 1024);
	char *first = bl_arena_alloc(&a, 200 * 1024);
	assert_non_null(first);
	char *second = bl_arena_alloc(&a, 200 * 1024);   /* does not fit: a new block */
	assert_non_null(second);
	assert_true(second < first || second >= first + 256 * 1024);
	long before = minflt();
	memset(second, 1, 200 * 1024);
	long faults = minflt() - before;
	assert_true(faults < 50 / 4);   /* 50 pages */
	/* a large request of its own, in an arena already in use: prefaulted too */
	char *big = bl_arena_alloc(&a, 512 * 1024);
	assert_non_null(big);
	before = minflt();
	memset(big, 2, 512 * 1024);
	assert_true(minflt() - before < 128 / 4);   /* 128 pages */
	assert_int_equal(second[0], 1);
	assert_int_equal(big[512 * 1024 - 1], 2);
	bl_arena_free(&a);
#else
	skip();
#endif
}

/* Release calls: newest first, once, on reset and on free; adopted with
 * the blocks; a record that cannot be allocated is refused. */
struct rel_log {
	char order[16];
	size_t n;
};

static struct rel_log rel_log;

static void rel_note(void *p)
{
	if (rel_log.n < sizeof(rel_log.order) - 1)
		rel_log.order[rel_log.n++] = *(const char *)p;
}

static void test_on_release(void **state)
{
	(void)state;
	static const char a_ = 'a', b_ = 'b', c_ = 'c', d_ = 'd';
	struct bl_arena a, s;
	bl_arena_init(&a, 0);
	memset(&rel_log, 0, sizeof(rel_log));
	assert_int_equal(bl_arena_on_release(&a, rel_note, (void *)&a_), 0);
	assert_int_equal(bl_arena_on_release(&a, rel_note, (void *)&b_), 0);
	bl_arena_reset(&a);
	assert_string_equal(rel_log.order, "ba");
	bl_arena_reset(&a);   /* run once: nothing left */
	assert_string_equal(rel_log.order, "ba");

	/* adopted: src's calls run with dst's, src's none */
	bl_arena_init(&s, 0);
	assert_int_equal(bl_arena_on_release(&a, rel_note, (void *)&c_), 0);
	assert_int_equal(bl_arena_on_release(&s, rel_note, (void *)&d_), 0);
	bl_arena_adopt(&a, &s);
	bl_arena_free(&s);
	assert_string_equal(rel_log.order, "ba");
	bl_arena_free(&a);
	assert_string_equal(rel_log.order, "badc");

	/* over the limit: refused, never called */
	bl_arena_init(&a, 0);
	a.limit = 8;
	assert_int_equal(bl_arena_on_release(&a, rel_note, (void *)&a_), -1);
	bl_arena_free(&a);
	assert_string_equal(rel_log.order, "badc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_alignment_and_reuse),
		cmocka_unit_test(test_limit_and_overflow),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_error_and_diags),
		cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_reset_keeps_blocks),
		cmocka_unit_test(test_prefault),
		cmocka_unit_test(test_on_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
