/*
 * rollup.c - framework pivot of a run (see rollup.h).
 */
#include "engine/rollup.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

const char *bl_fw_status_name(enum bl_fw_status s)
{
	switch (s) {
	case BL_FW_PASS: return "pass";
	case BL_FW_EXEMPT: return "exempt";
	case BL_FW_FAIL: return "fail";
	case BL_FW_ERROR: return "error";
	case BL_FW_NA: return "not_applicable";
	case BL_FW_NOT_COVERED: return "not_covered";
	}
	return "?";
}

int bl_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = 0, lb = 0;
			while (isdigit((unsigned char)a[la]))
				la++;
			while (isdigit((unsigned char)b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
			continue;
		}
		unsigned char x = (unsigned char)tolower((unsigned char)*a);
		unsigned char y = (unsigned char)tolower((unsigned char)*b);
		if (x != y)
			return x < y ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : (*b ? -1 : 0);
}

/* Status of one baseline control from its tally. */
static enum bl_fw_status control_status(const struct bl_tally *t)
{
	if (t->n[BL_ERROR])
		return BL_FW_ERROR;
	if (t->n[BL_FAIL])
		return BL_FW_FAIL;
	if (t->n[BL_EXEMPT])
		return BL_FW_EXEMPT;
	if (t->n[BL_PASS])
		return BL_FW_PASS;
	return BL_FW_NA;
}

/* error > fail > exempt > pass > not_applicable */
static int rank(enum bl_fw_status s)
{
	switch (s) {
	case BL_FW_ERROR: return 4;
	case BL_FW_FAIL: return 3;
	case BL_FW_EXEMPT: return 2;
	case BL_FW_PASS: return 1;
	default: return 0;
	}
}

static void tally_add(struct bl_tally *dst, const struct bl_tally *src)
{
	for (int i = 0; i < BL_NSTATUS; i++)
		dst->n[i] += src->n[i];
}

static int cmp_fwc(const void *pa, const void *pb)
{
	const struct bl_fw_control *a = pa, *b = pb;
	return bl_natural_cmp(a->id, b->id);
}

/* The framework control a mapped id names: the catalog's spelling when the
 * catalog lists it, else the id as written. */
static const char *fw_key(const struct bl_catalog *cat, const char *id)
{
	const struct bl_fw_entry *e = bl_catalog_entry(cat, id);
	return e ? e->id : id;
}

/* Append every catalog control fw does not list yet, as not_covered. */
static void add_not_covered(struct bl_fw *fw, const struct bl_catalog *cat)
{
	size_t covered = fw->ncontrols;
	for (size_t i = 0; i < cat->n; i++) {
		bool found = false;
		for (size_t j = 0; j < covered && !found; j++)
			found = strcmp(fw->controls[j].id, cat->entries[i].id) == 0;
		if (found)
			continue;
		struct bl_fw_control *fc = &fw->controls[fw->ncontrols++];
		fc->id = cat->entries[i].id;
		fc->status = BL_FW_NOT_COVERED;
	}
}

int bl_rollup_build_with(struct bl_rollup *out, const struct bl_baseline *b,
			 const struct bl_run_stats *st, const struct bl_catalogs *catalogs)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	struct bl_arena *a = &out->arena;
	/* upper bounds: every mapping of every control */
	size_t nmaps = 0, nids = 0;
	for (size_t i = 0; i < b->ncontrols; i++) {
		nmaps += b->controls[i].nmaps;
		for (size_t m = 0; m < b->controls[i].nmaps; m++)
			nids += b->controls[i].maps[m].nids;
	}
	out->fws = bl_arena_calloc(a, nmaps + 1, sizeof(*out->fws));
	const struct bl_catalog **cats = bl_arena_calloc(a, nmaps + 1, sizeof(*cats));
	if (!out->fws || !cats)
		return BL_ENOMEM;
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		if (c->effect == BL_EFFECT_DISABLED)
			continue;
		for (size_t m = 0; m < c->nmaps; m++) {
			const struct bl_mapping *mp = &c->maps[m];
			struct bl_fw *fw = NULL;
			const struct bl_catalog *cat = NULL;
			for (size_t f = 0; f < out->n; f++)
				if (strcmp(out->fws[f].id, mp->framework) == 0) {
					fw = &out->fws[f];
					cat = cats[f];
				}
			if (!fw) {
				cat = bl_catalog_find(catalogs, mp->framework);
				cats[out->n] = cat;
				fw = &out->fws[out->n++];
				fw->id = mp->framework;
				fw->controls = bl_arena_calloc(a, nids + (cat ? cat->n : 0) + 1,
							       sizeof(*fw->controls));
				if (!fw->controls)
					return BL_ENOMEM;
			}
			/* each baseline control counts once per framework */
			bool seen = false;
			for (size_t m2 = 0; m2 < m; m2++)
				if (strcmp(c->maps[m2].framework, mp->framework) == 0)
					seen = true;
			if (!seen)
				tally_add(&fw->tally, &st->per_control[c->index]);
			for (size_t k = 0; k < mp->nids; k++) {
				const char *key = fw_key(cat, mp->ids[k]);
				struct bl_fw_control *fc = NULL;
				for (size_t j = 0; j < fw->ncontrols; j++)
					if (strcmp(fw->controls[j].id, key) == 0)
						fc = &fw->controls[j];
				if (!fc) {
					fc = &fw->controls[fw->ncontrols++];
					fc->id = key;
					fc->status = BL_FW_NA;
					fc->mapped = bl_arena_calloc(a, b->ncontrols + 1, sizeof(*fc->mapped));
					if (!fc->mapped)
						return BL_ENOMEM;
				}
				bool dup = false;
				for (size_t j = 0; j < fc->nmapped; j++)
					if (fc->mapped[j] == c)
						dup = true;
				if (dup)
					continue;
				fc->mapped[fc->nmapped++] = c;
				tally_add(&fc->tally, &st->per_control[c->index]);
				enum bl_fw_status s = control_status(&st->per_control[c->index]);
				if (rank(s) > rank(fc->status))
					fc->status = s;
			}
		}
	}
	for (size_t f = 0; f < out->n; f++) {
		if (cats[f])
			add_not_covered(&out->fws[f], cats[f]);
		qsort(out->fws[f].controls, out->fws[f].ncontrols, sizeof(struct bl_fw_control), cmp_fwc);
	}
	return 0;
}

int bl_rollup_build(struct bl_rollup *out, const struct bl_baseline *b,
		    const struct bl_run_stats *st)
{
	return bl_rollup_build_with(out, b, st, NULL);
}

void bl_rollup_free(struct bl_rollup *r)
{
	bl_arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}
