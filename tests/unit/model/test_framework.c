/* Unit tests for model/framework.c: the shipped catalogs, lookups in every
 * spelling, selections, the NIST family rule and canonical ids. */
#include "testutil.h"

#include <string.h>

#include "doc/value.h"
#include "engine/rollup.h"
#include "model/content.h"
#include "model/framework.h"

static struct bl_catalogs cats;

static int setup(void **state)
{
	(void)state;
	struct bl_error err;
	int rc = bl_catalogs_load(&cats, &err);
	if (rc)
		print_error("%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	bl_catalogs_free(&cats);
	return 0;
}

static const struct bl_catalog *cat(const char *id)
{
	const struct bl_catalog *c = bl_catalog_find(&cats, id);
	assert_non_null(c);
	return c;
}

static void test_load(void **state)
{
	(void)state;
	assert_int_equal(cats.n, 4);
	/* content table order: sorted by file name */
	assert_string_equal(cats.items[0].id, "cis-v8");
	assert_string_equal(cats.items[1].id, "cisa-scuba-pp");
	assert_string_equal(cats.items[2].id, "mcsb-v1");
	assert_string_equal(cats.items[3].id, "nist-800-53-r5");
	assert_int_equal(cat("cisa-scuba-pp")->n, 10);
	/* ids without an "XX-N" prefix keep their case; lookups ignore it */
	assert_non_null(bl_catalog_entry(cat("cisa-scuba-pp"), "MS.POWERPLATFORM.1.1V1"));
	assert_string_equal(bl_catalog_entry(cat("cisa-scuba-pp"), "ms.powerplatform.1.1v1")->id,
			    "MS.POWERPLATFORM.1.1v1");
	assert_string_equal(bl_catalog_entry(cat("nist-800-53-r5"), "ac-2(1)")->id, "AC-2(1)");
	assert_int_equal(cat("cis-v8")->n, 153);
	assert_int_equal(cat("mcsb-v1")->n, 86);
	assert_int_equal(cat("nist-800-53-r5")->n, 370);
	assert_string_equal(cat("mcsb-v1")->title, "Microsoft cloud security benchmark v1");
	assert_string_equal(cat("nist-800-53-r5")->version, "5.1.1");
	assert_string_equal(cat("cis-v8")->file, "frameworks/cis-v8.yaml");
	/* framework ids are case-insensitive; unknown ones are NULL */
	assert_ptr_equal(bl_catalog_find(&cats, "MCSB-V1"), cat("mcsb-v1"));
	assert_null(bl_catalog_find(&cats, "iso-27001-2022"));
	assert_null(bl_catalog_find(&cats, "mcsb"));
	assert_null(bl_catalog_find(NULL, "mcsb-v1"));
}

static void test_mcsb(void **state)
{
	(void)state;
	const struct bl_catalog *m = cat("mcsb-v1");
	assert_string_equal(m->entries[0].id, "NS-1");
	assert_string_equal(m->entries[0].group, "Network Security");
	assert_string_equal(m->entries[0].title, "Establish network segmentation boundaries");
	assert_string_equal(m->entries[85].id, "GS-11");
	const struct bl_fw_entry *e = bl_catalog_entry(m, "ns-1");
	assert_ptr_equal(e, &m->entries[0]);
	assert_int_equal(e->nmaps, 2);
	assert_string_equal(e->maps[0].framework, "cis-v8");
	assert_int_equal(e->maps[0].n, 3);
	assert_string_equal(e->maps[0].ids[0], "3.12");
	assert_string_equal(e->maps[0].ids[1], "13.4");
	assert_string_equal(e->maps[0].ids[2], "4.4");
	assert_string_equal(e->maps[1].framework, "nist-800-53");
	assert_int_equal(e->maps[1].n, 3);
	assert_string_equal(e->maps[1].ids[2], "SC-7");
	e = bl_catalog_entry(m, "Dp-3");
	assert_non_null(e);
	assert_string_equal(e->id, "DP-3");
	assert_string_equal(e->group, "Data Protection");
	assert_null(bl_catalog_entry(m, "DP-9"));
	assert_null(bl_catalog_entry(m, "DP-"));
	assert_null(bl_catalog_entry(m, ""));
	/* every CIS id MCSB maps to is a CIS v8 safeguard */
	const struct bl_catalog *cis = cat("cis-v8");
	size_t hints = 0;
	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < m->entries[i].nmaps; k++)
			if (strcmp(m->entries[i].maps[k].framework, "cis-v8") == 0)
				for (size_t j = 0; j < m->entries[i].maps[k].n; j++, hints++)
					assert_non_null(bl_catalog_entry(cis, m->entries[i].maps[k].ids[j]));
	assert_true(hints > 100);
}

static void test_cis(void **state)
{
	(void)state;
	const struct bl_catalog *c = cat("cis-v8");
	assert_string_equal(c->entries[0].id, "1.1");
	assert_string_equal(c->entries[152].id, "18.5");
	assert_null(c->entries[0].title);
	assert_string_equal(c->entries[0].group, "Inventory and Control of Enterprise Assets");
	const struct bl_fw_entry *e = bl_catalog_entry(c, "3.10");
	assert_non_null(e);
	assert_string_equal(e->group, "Data Protection");
	assert_ptr_equal(bl_catalog_entry(c, "3.14"), e + 4);
	assert_null(bl_catalog_entry(c, "3.15"));
	assert_null(bl_catalog_entry(c, "3.1.0"));
	assert_null(bl_catalog_entry(c, "19.1"));
	assert_string_equal(bl_catalog_entry(c, "18.1")->group, "Penetration Testing");
	/* safeguards per control: 1:5 2:7 3:14 ... 18:5 */
	static const unsigned counts[18] = {5, 7, 14, 12, 6, 8, 7, 12, 7, 7, 5, 8, 11, 9, 7, 14, 9, 5};
	for (unsigned k = 0; k < 18; k++) {
		char id[16];
		snprintf(id, sizeof(id), "%u.%u", k + 1, counts[k]);
		assert_non_null(bl_catalog_entry(c, id));
		snprintf(id, sizeof(id), "%u.%u", k + 1, counts[k] + 1);
		assert_null(bl_catalog_entry(c, id));
	}
	/* no families: nothing outside the list is accepted */
	assert_false(bl_catalog_accepts(c, "3.15"));
	assert_true(bl_catalog_accepts(c, "3.1"));
	assert_int_equal(c->nselections, 0);
}

static void test_nist(void **state)
{
	(void)state;
	const struct bl_catalog *n = cat("nist-800-53-r5");
	assert_string_equal(n->entries[0].id, "AC-1");
	assert_string_equal(n->entries[0].title, "Policy and Procedures");
	assert_string_equal(n->entries[0].group, "AC");
	/* catalog order: enhancements follow their control */
	assert_string_equal(n->entries[1].id, "AC-2");
	assert_string_equal(n->entries[2].id, "AC-2(1)");
	assert_string_equal(n->entries[n->n - 1].id, "SR-12");
	/* every spelling of one control */
	const struct bl_fw_entry *e = bl_catalog_entry(n, "SC-8(1)");
	assert_non_null(e);
	assert_string_equal(e->id, "SC-8(1)");
	assert_ptr_equal(bl_catalog_entry(n, "sc-8.1"), e);
	assert_ptr_equal(bl_catalog_entry(n, "Sc-8(1)"), e);
	assert_ptr_equal(bl_catalog_entry(n, "SC-8.1"), e);
	/* titles only where the data has them (the LOW catalog) */
	assert_string_equal(bl_catalog_entry(n, "ac-2")->title, "Account Management");
	assert_null(bl_catalog_entry(n, "AC-2(1)")->title);
	assert_string_equal(bl_catalog_entry(n, "IA-2(1)")->title,
			    "Multi-factor Authentication to Privileged Accounts");
	/* not in any baseline, so not listed */
	assert_null(bl_catalog_entry(n, "PM-9"));
	assert_null(bl_catalog_entry(n, "AC-2(7)"));
	assert_null(bl_catalog_entry(n, "SC-8(1"));
	assert_null(bl_catalog_entry(n, "SC-8(01)"));
}

static void test_selections(void **state)
{
	(void)state;
	const struct bl_catalog *n = cat("nist-800-53-r5");
	assert_int_equal(n->nselections, 3);
	assert_string_equal(n->selections[0].name, "low");
	assert_int_equal(bl_catalog_selection(n, "low")->n, 149);
	assert_int_equal(bl_catalog_selection(n, "Moderate")->n, 287);
	const struct bl_fw_selection *high = bl_catalog_selection(n, "HIGH");
	assert_int_equal(high->n, 370);
	assert_null(bl_catalog_selection(n, "privacy"));
	assert_null(bl_catalog_selection(cat("mcsb-v1"), "low"));
	const struct bl_fw_selection *low = bl_catalog_selection(n, "low");
	assert_string_equal(low->ids[0], "AC-1");
	assert_string_equal(low->ids[148], "SR-12");
	/* LOW has AT-2(2) but no AC-2 enhancement; MODERATE adds AC-2(1) */
	bool at22 = false, ac21 = false;
	for (size_t i = 0; i < low->n; i++) {
		at22 |= strcmp(low->ids[i], "AT-2(2)") == 0;
		ac21 |= strcmp(low->ids[i], "AC-2(1)") == 0;
	}
	assert_true(at22);
	assert_false(ac21);
	const struct bl_fw_selection *mod = bl_catalog_selection(n, "moderate");
	assert_string_equal(mod->ids[2], "AC-2(1)");
	/* every selected id is a catalog entry */
	for (size_t i = 0; i < high->n; i++)
		assert_non_null(bl_catalog_entry(n, high->ids[i]));
}

static void test_families(void **state)
{
	(void)state;
	const struct bl_catalog *n = cat("nist-800-53-r5");
	assert_int_equal(n->nfamilies, 20);
	static const char *fams[20] = {"AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP",
				       "PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC", "SI", "SR"};
	for (int i = 0; i < 20; i++)
		assert_string_equal(n->families[i].id, fams[i]);
	assert_string_equal(bl_catalog_family(n, "pm")->title, "Program Management");
	assert_int_equal(bl_catalog_family(n, "SC")->last, 51);
	assert_null(bl_catalog_family(n, "XY"));
	assert_null(bl_catalog_family(cat("cis-v8"), "AC"));
	/* listed ids */
	assert_true(bl_catalog_accepts(n, "AC-2"));
	assert_true(bl_catalog_accepts(n, "sc-8.1"));
	/* real Rev. 5 controls outside the baselines: families with no entry (PM,
	 * PT) and enhancements no baseline selects */
	assert_true(bl_catalog_accepts(n, "PM-9"));
	assert_true(bl_catalog_accepts(n, "pm-32"));
	assert_true(bl_catalog_accepts(n, "PT-8"));
	assert_true(bl_catalog_accepts(n, "AC-2(7)"));
	assert_true(bl_catalog_accepts(n, "ac-2.7"));
	assert_true(bl_catalog_accepts(n, "AC-25"));
	assert_true(bl_catalog_accepts(n, "SC-51"));
	assert_true(bl_catalog_accepts(n, "SI-4(99)"));
	/* typos stay errors */
	assert_false(bl_catalog_accepts(n, "AC-26"));
	assert_false(bl_catalog_accepts(n, "PM-33"));
	assert_false(bl_catalog_accepts(n, "XY-1"));
	assert_false(bl_catalog_accepts(n, "AC-0"));
	assert_false(bl_catalog_accepts(n, "AC-02"));
	assert_false(bl_catalog_accepts(n, "AC-2(0)"));
	assert_false(bl_catalog_accepts(n, "AC-2(07)"));
	assert_false(bl_catalog_accepts(n, "AC-2(100)"));
	assert_false(bl_catalog_accepts(n, "AC-2()"));
	assert_false(bl_catalog_accepts(n, "AC-2(1)x"));
	assert_false(bl_catalog_accepts(n, "AC-2(1"));
	assert_false(bl_catalog_accepts(n, "AC2"));
	assert_false(bl_catalog_accepts(n, "AC-"));
	assert_false(bl_catalog_accepts(n, "-1"));
	assert_false(bl_catalog_accepts(n, ""));
	assert_false(bl_catalog_accepts(n, "AC-99999999999999999999"));
	assert_false(bl_catalog_accepts(NULL, "AC-1"));
	/* MCSB has no families either */
	assert_false(bl_catalog_accepts(cat("mcsb-v1"), "DP-9"));
	assert_true(bl_catalog_accepts(cat("mcsb-v1"), "dp-8"));
}

static void test_canonical(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "ac-2.1"), 7);
	assert_string_equal(out, "AC-2(1)");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "sc-12.13"), 9);
	assert_string_equal(out, "SC-12(13)");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "AC-2(1)"), 7);
	assert_string_equal(out, "AC-2(1)");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "3.10"), 4);
	assert_string_equal(out, "3.10");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "dp-3"), 4);
	assert_string_equal(out, "DP-3");
	/* not the OSCAL form: only the case changes */
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "ac-2.x"), 6);
	assert_string_equal(out, "AC-2.X");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), "ac-2."), 5);
	assert_string_equal(out, "AC-2.");
	assert_int_equal(bl_fw_canonical_id(out, sizeof(out), ""), 0);
	/* "AC-2(1)" needs 8 bytes with its NUL */
	assert_int_equal(bl_fw_canonical_id(out, 8, "ac-2.1"), 7);
	assert_int_equal(bl_fw_canonical_id(out, 7, "ac-2.1"), 0);
	assert_int_equal(bl_fw_canonical_id(out, 5, "dp-3"), 4);
	assert_int_equal(bl_fw_canonical_id(out, 4, "dp-3"), 0);
	/* in place */
	char buf[16] = "ia-2.12";
	assert_int_equal(bl_fw_canonical_id(buf, sizeof(buf), buf), 8);
	assert_string_equal(buf, "IA-2(12)");
}

/* bl_fw_is_canonical says exactly whether bl_fw_canonical_id leaves an id
 * as it is; and every id of the shipped catalogs is canonical. */
static void test_is_canonical(void **state)
{
	(void)state;
	static const char *const ids[] = {
		"AC-2", "ac-2", "AC-2(1)", "ac-2.1", "AC-2.1", "AC-2.1x", "AC-2.", "AC-", "AC",
		"-2", "A-2b", "A-2B", "3.10", "3.10a", "DP-3", "dp-3", "MS.AAD.1.1v1", "ms.aad.1.1v1",
		"Ab-12.34", "AB-12.34", "AB-12(3)", "x", "X", "1", "a-1", "A-1", "A-1.", "A-1.2.3",
		"SC-8(1)", "sc-8(1)", "PM-9", "ZZ-0.0", "AB--1", "AB-1-c", "AB-1-C", "é-1",
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char canon[64];
		size_t n = bl_fw_canonical_id(canon, sizeof(canon), ids[i]);
		bool same = n == strlen(ids[i]) && memcmp(canon, ids[i], n) == 0;
		if (bl_fw_is_canonical(ids[i], strlen(ids[i])) != same)
			fail_msg("%s: is_canonical %d, canonical \"%s\"", ids[i], !same, canon);
	}
	assert_false(bl_fw_is_canonical("", 0));
	assert_false(bl_fw_is_canonical("AC-2\0x", 6));
	/* the length counts: "AC-2" within "AC-2.1" */
	assert_true(bl_fw_is_canonical("AC-2.1", 4));
	struct bl_catalogs all;
	struct bl_error err;
	assert_int_equal(bl_catalogs_load(&all, &err), 0);
	for (size_t k = 0; k < all.n; k++) {
		const struct bl_catalog *cat = &all.items[k];
		for (size_t i = 0; i < cat->n; i++)
			assert_true(bl_fw_is_canonical(cat->entries[i].id, strlen(cat->entries[i].id)));
		for (size_t j = 0; j < cat->nselections; j++)
			for (size_t i = 0; i < cat->selections[j].n; i++) {
				const char *id = cat->selections[j].ids[i];
				assert_true(bl_fw_is_canonical(id, strlen(id)));
				assert_non_null(bl_catalog_entry(cat, id));
			}
	}
	bl_catalogs_free(&all);
}

/* Is string z exactly s[0..len)? */
static bool str_is(const char *z, const char *s, size_t len)
{
	return z && strlen(z) == len && memcmp(z, s, len) == 0;
}

/* The canonical spelling of string value v equals z. */
static void same_id(const char *z, const struct bl_value *v)
{
	char id[64], canon[64];
	assert_int_equal(v->type, BL_VSTR);
	assert_true(v->u.str.len < sizeof(id));
	memcpy(id, v->u.str.s, v->u.str.len);
	id[v->u.str.len] = '\0';
	assert_true(bl_fw_canonical_id(canon, sizeof(canon), id) > 0);
	assert_string_equal(z, canon);
}

static void same_ids(const char **ids, size_t n, const struct bl_value *arr)
{
	assert_int_equal(arr->type, BL_VARR);
	assert_int_equal(n, arr->u.arr.n);
	for (size_t i = 0; i < n; i++)
		same_id(ids[i], &arr->u.arr.items[i]);
}

/* The catalogs are tables written at build time (scripts/embed.c), not the
 * documents read at start: each must say exactly what its document says,
 * read here from the document tree of the same content entry. */
static void test_tables_match_documents(void **state)
{
	(void)state;
	size_t ndocs = 0;
	for (size_t f = 0; f < bl_content_nfiles; f++) {
		const struct bl_content_file *cf = &bl_content_files[f];
		if (strncmp(cf->name, "frameworks/", 11) != 0)
			continue;
		ndocs++;
		struct bl_arena a;
		bl_arena_init(&a, 0);
		const struct bl_value *doc = NULL;
		assert_int_equal(bl_content_tree(&doc, cf, &a), 0);
		assert_non_null(doc);
		const struct bl_catalog *c = cat(bl_value_getz(doc, "framework")->u.str.s);
		assert_string_equal(c->file, cf->name);
		const struct bl_value *v = bl_value_getz(doc, "title");
		assert_true(str_is(c->title, v->u.str.s, v->u.str.len));
		v = bl_value_getz(doc, "version");
		assert_true(str_is(c->version, v->u.str.s, v->u.str.len));
		const struct bl_value *ctl = bl_value_getz(doc, "controls");
		assert_int_equal(c->n, ctl->u.arr.n);
		for (size_t i = 0; i < c->n; i++) {
			const struct bl_fw_entry *e = &c->entries[i];
			const struct bl_value *d = &ctl->u.arr.items[i];
			v = bl_value_getz(d, "id");
			assert_true(str_is(e->id, v->u.str.s, v->u.str.len));
			assert_ptr_equal(bl_catalog_entry(c, e->id), e);
			v = bl_value_getz(d, "group");
			assert_true(str_is(e->group, v->u.str.s, v->u.str.len));
			v = bl_value_getz(d, "title");
			if (v)
				assert_true(str_is(e->title, v->u.str.s, v->u.str.len));
			else
				assert_null(e->title);
			v = bl_value_getz(d, "maps");
			assert_true((e->maps != NULL) == (v != NULL));
			assert_int_equal(e->nmaps, v ? v->u.obj.n : 0);
			for (size_t k = 0; k < e->nmaps; k++) {
				const struct bl_member *m = &v->u.obj.items[k];
				assert_true(str_is(e->maps[k].framework, m->key, m->klen));
				same_ids(e->maps[k].ids, e->maps[k].n, &m->val);
			}
		}
		v = bl_value_getz(doc, "selections");
		assert_true((c->selections != NULL) == (v != NULL));
		assert_int_equal(c->nselections, v ? v->u.obj.n : 0);
		for (size_t k = 0; k < c->nselections; k++) {
			const struct bl_member *m = &v->u.obj.items[k];
			assert_true(str_is(c->selections[k].name, m->key, m->klen));
			same_ids(c->selections[k].ids, c->selections[k].n, &m->val);
		}
		v = bl_value_getz(doc, "families");
		assert_true((c->families != NULL) == (v != NULL));
		assert_int_equal(c->nfamilies, v ? v->u.arr.n : 0);
		for (size_t k = 0; k < c->nfamilies; k++) {
			const struct bl_value *fam = &v->u.arr.items[k];
			const struct bl_value *x = bl_value_getz(fam, "id");
			assert_true(str_is(c->families[k].id, x->u.str.s, x->u.str.len));
			x = bl_value_getz(fam, "title");
			assert_true(str_is(c->families[k].title, x->u.str.s, x->u.str.len));
			assert_true(c->families[k].last == bl_value_getz(fam, "controls")->u.num.d);
		}
		/* the index: a power of two above twice the entries, each entry once */
		assert_true(c->indexcap >= 2 * c->n + 2);
		assert_int_equal(c->indexcap & (c->indexcap - 1), 0);
		size_t used = 0;
		for (size_t i = 0; i < c->indexcap; i++)
			used += c->index[i] != 0;
		assert_int_equal(used, c->n);
		/* order: every entry once, by bl_natural_cmp, equal ids in catalog order */
		assert_non_null(c->order);
		bool *seen = test_calloc(c->n, sizeof(*seen));
		for (size_t k = 0; k < c->n; k++) {
			assert_true(c->order[k] < c->n);
			assert_false(seen[c->order[k]]);
			seen[c->order[k]] = true;
			if (k) {
				int d = bl_natural_cmp(c->entries[c->order[k - 1]].id, c->entries[c->order[k]].id);
				assert_true(d < 0 || (d == 0 && c->order[k - 1] < c->order[k]));
			}
		}
		test_free(seen);
		bl_arena_free(&a);
	}
	assert_int_equal(ndocs, cats.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_canonical),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_mcsb),
		cmocka_unit_test(test_cis),
		cmocka_unit_test(test_nist),
		cmocka_unit_test(test_selections),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_tables_match_documents),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
