/* Unit tests for engine/index.c: type index with exact, glob and untyped controls. */
#include "enginetest.h"

#include "engine/index.h"

static const char *doc =
	"baseline: t\nversion: 1.0.0\ntitle: t\ncontrols:\n"
	"  - {id: A, title: a, severity: low, scope: {types: [Microsoft.Storage/storageAccounts]}, expect: {field: x, exists: true}}\n"
	"  - {id: B, title: b, severity: low, expect: {field: x, exists: true}}\n"
	"  - {id: C, title: c, severity: low, scope: {types: [\"Microsoft.KeyVault/*\", microsoft.storage/STORAGEACCOUNTS]}, expect: {field: x, exists: true}}\n"
	"  - {id: D, title: d, severity: low, effect: disabled, expect: {field: x, exists: true}}\n"
	"  - {id: E, title: e, severity: low, scope: {types: [Microsoft.Storage/storageAccounts, \"Microsoft.Storage/*\"]}, expect: {field: x, exists: true}}\n";

static void expect_list(const struct bl_index *ix, struct bl_index_cache *c, const char *type,
			const char *want)
{
	const uint32_t *l;
	size_t n;
	assert_int_equal(bl_index_lookup(ix, c, type, strlen(type), &l, &n), 0);
	char got[64] = "";
	for (size_t i = 0; i < n; i++)
		got[i] = (char)('A' + l[i]);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void test_lookup(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_index *ix;
	struct bl_index_cache *c;
	assert_int_equal(bl_index_build(&ix, t.b), 0);
	assert_int_equal(bl_index_cache_new(&c), 0);
	/* exact (case-insensitive), untyped, glob; disabled D never; E once though it matches twice */
	expect_list(ix, c, "Microsoft.Storage/storageAccounts", "ABCE");
	expect_list(ix, c, "MICROSOFT.STORAGE/storageaccounts", "ABCE");
	expect_list(ix, c, "Microsoft.KeyVault/vaults", "BC");
	expect_list(ix, c, "Microsoft.Storage/blobServices", "BE");
	expect_list(ix, c, "", "B");
	/* many distinct types force the cache to grow; answers stay right */
	char ty[64];
	for (int i = 0; i < 500; i++) {
		snprintf(ty, sizeof(ty), "Other/type%d", i);
		expect_list(ix, c, ty, "B");
	}
	expect_list(ix, c, "Microsoft.Storage/storageAccounts", "ABCE");
	bl_index_cache_free(c);
	bl_index_free(ix);
	et_free(&t);
}

/* The cache keeps one entry per spelling: a new spelling of a known type
 * takes that type's list, also when its arrival grows the cache; short
 * types (under one word) and types differing in a non-letter byte stay
 * apart. */
static void test_spellings(void **state)
{
	(void)state;
	struct et t;
	et_load(&t, doc);
	struct bl_index *ix;
	struct bl_index_cache *c;
	assert_int_equal(bl_index_build(&ix, t.b), 0);
	assert_int_equal(bl_index_cache_new(&c), 0);
	expect_list(ix, c, "Microsoft.Storage/storageAccounts", "ABCE");
	char ty[64];
	for (int i = 0; i < 31; i++) {   /* the next new entry grows the cache (64 slots) */
		snprintf(ty, sizeof(ty), "Other/type%d", i);
		expect_list(ix, c, ty, "B");
	}
	expect_list(ix, c, "MICROSOFT.STORAGE/STORAGEACCOUNTS", "ABCE");
	expect_list(ix, c, "microsoft.storage/storageaccounts", "ABCE");
	expect_list(ix, c, "Microsoft.Storage/storageAccounts", "ABCE");
	expect_list(ix, c, "microsoft.keyvault/VAULTS", "BC");
	expect_list(ix, c, "Microsoft.Storage/storageAccount", "BE");   /* one byte shorter */
	expect_list(ix, c, "Microsoft.Storage/storageAccounts ", "BE"); /* one longer */
	expect_list(ix, c, "Microsoft.Storage\x0fstorageAccounts", "B"); /* '/' | 0x20 */
	expect_list(ix, c, "Microsoft.Storage/storageAccounts", "ABCE");
	expect_list(ix, c, "a", "B");
	expect_list(ix, c, "A", "B");
	expect_list(ix, c, "Micro", "B");
	bl_index_cache_free(c);
	bl_index_free(ix);
	et_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
