/*
 * framework.c - the shipped framework catalogs (content/frameworks/NAME.yaml,
 * format in docs/frameworks.md) parsed into the tables of framework.h.
 *
 * Catalogs are content we ship, so a catalog that does not parse or does
 * not follow the format is a build mistake: scripts/embed.c checks them and
 * fails the build with the position; at run time they are trusted tables.
 * Lookups are linear over a few hundred entries; callers that look up many
 * ids (lint, roll-up) stay far below a millisecond.
 */
#include "model/framework.h"

#include <string.h>

#include "model/content.h"
#include "model/fw_id.h"
#include "util/str.h"

#define ID_MAX 64

/* ---- ids ------------------------------------------------------------- */

/* (the spelling rules live in model/fw_id.h, shared with scripts/embed.c) */

size_t bl_fw_canonical_id(char *out, size_t size, const char *id)
{
	return bl_fw_canon(out, size, id);
}

bool bl_fw_is_canonical(const char *id, size_t len)
{
	return bl_fw_canonical_as_is(id, len);
}

/* A positive decimal number without leading zero, at s[*i]; advances *i. */
static bool number_at(const char *s, size_t *i, unsigned long *n)
{
	size_t start = *i;
	*n = 0;
	while (bl_fw_is_digit(s[*i])) {
		if (*n > 100000)
			return false;
		*n = *n * 10 + (unsigned long)(s[*i] - '0');
		(*i)++;
	}
	return *i > start && s[start] != '0';
}

/* ---- lookups --------------------------------------------------------- */

const struct bl_catalog *bl_catalog_find(const struct bl_catalogs *c, const char *id)
{
	if (!c || !id)
		return NULL;
	size_t len = strlen(id);
	for (size_t i = 0; i < c->n; i++)
		if (bl_str_ieq(c->items[i].id, strlen(c->items[i].id), id, len))
			return &c->items[i];
	return NULL;
}

static const struct bl_fw_entry *entry_of(const struct bl_catalog *cat, const char *canon,
					  size_t len);

const struct bl_fw_entry *bl_catalog_entry(const struct bl_catalog *cat, const char *id)
{
	char canon[ID_MAX];
	if (!cat || !id)
		return NULL;
	size_t len = bl_fw_canonical_id(canon, sizeof(canon), id);
	if (!len)
		return NULL;
	return entry_of(cat, canon, len);
}

/* Is the string z equal to s[0..len) ignoring ASCII case?  Without
 * measuring z first: its NUL ends the compare as a mismatch (s holds no NUL). */
static bool ieq_z(const char *z, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (bl_lower((unsigned char)z[i]) != bl_lower((unsigned char)s[i]))
			return false;
	return z[len] == '\0';
}

/* The entry whose id is canon (already canonical, len bytes), or NULL. */
static const struct bl_fw_entry *entry_of(const struct bl_catalog *cat, const char *canon,
					  size_t len)
{
	/* Entry ids are canonical, so only the query's case can differ: look the
	 * folded id up in the index built while loading (a linear scan here was
	 * the largest part of startup: every mapped id of a baseline is checked). */
	if (!cat->index || !cat->indexcap)
		return NULL;
	size_t mask = cat->indexcap - 1;
	for (size_t i = (size_t)bl_fw_fold_hash(canon) & mask;; i = (i + 1) & mask) {
		uint32_t k = cat->index[i];
		if (k == 0)
			return NULL;
		if (ieq_z(cat->entries[k - 1].id, canon, len))
			return &cat->entries[k - 1];
	}
}

const struct bl_fw_family *bl_catalog_family(const struct bl_catalog *cat, const char *id)
{
	if (!cat || !id)
		return NULL;
	size_t len = strlen(id);
	for (size_t i = 0; i < cat->nfamilies; i++)
		if (bl_str_ieq(cat->families[i].id, strlen(cat->families[i].id), id, len))
			return &cat->families[i];
	return NULL;
}

bool bl_catalog_accepts(const struct bl_catalog *cat, const char *id)
{
	if (bl_catalog_entry(cat, id))
		return true;
	if (!cat || !id || cat->nfamilies == 0)
		return false;
	char canon[ID_MAX];
	if (!bl_fw_canonical_id(canon, sizeof(canon), id))
		return false;
	size_t dash = 0;
	while (bl_fw_is_alpha(canon[dash]))
		dash++;
	if (dash == 0 || canon[dash] != '-')
		return false;
	canon[dash] = '\0';
	const struct bl_fw_family *fam = bl_catalog_family(cat, canon);
	if (!fam)
		return false;
	size_t i = dash + 1;
	unsigned long n;
	if (!number_at(canon, &i, &n) || n > fam->last)
		return false;
	if (canon[i] == '\0')
		return true;
	if (canon[i] != '(')
		return false;
	i++;
	if (!number_at(canon, &i, &n) || n > BL_FW_MAX_ENHANCEMENT)
		return false;
	return canon[i] == ')' && canon[i + 1] == '\0';
}

const struct bl_fw_selection *bl_catalog_selection(const struct bl_catalog *cat, const char *name)
{
	if (!cat || !name)
		return NULL;
	size_t len = strlen(name);
	for (size_t i = 0; i < cat->nselections; i++)
		if (bl_str_ieq(cat->selections[i].name, strlen(cat->selections[i].name), name, len))
			return &cat->selections[i];
	return NULL;
}

/* ---- loading --------------------------------------------------------- */

/*
 * The catalogs come as tables scripts/embed.c wrote (struct
 * bl_content_catalog, build/gen/content.h): it checked each one against the
 * format when the binary was built (a catalog that breaks it fails the
 * build with file:line:col), wrote every id in canonical spelling and the
 * entry index, strings as offsets so that nothing is relocated at start.
 * Loading only turns offsets into pointers: validating the parsed trees at
 * every start was a tenth of `assess` startup.
 */

static const char *str_at(const struct bl_content_catalog *cc, uint32_t off)
{
	return off == BL_CONTENT_NONE ? NULL : cc->strings + off;
}

static int load_catalog(struct bl_arena *a, struct bl_catalog *cat,
			const struct bl_content_catalog *cc)
{
	const char **ids = bl_arena_alloc(a, (cc->nids + 1) * sizeof(*ids));
	struct bl_fw_hint *hints = bl_arena_alloc(a, (cc->nhints + 1) * sizeof(*hints));
	cat->entries = bl_arena_alloc(a, (cc->n + 1) * sizeof(*cat->entries));
	cat->selections = cc->has_selections
		? bl_arena_alloc(a, (cc->nselections + 1) * sizeof(*cat->selections)) : NULL;
	cat->families = cc->has_families
		? bl_arena_alloc(a, (cc->nfamilies + 1) * sizeof(*cat->families)) : NULL;
	if (!ids || !hints || !cat->entries || (cc->has_selections && !cat->selections) ||
	    (cc->has_families && !cat->families))
		return BL_ENOMEM;
	cat->file = cc->file;
	cat->id = str_at(cc, cc->id);
	cat->title = str_at(cc, cc->title);
	cat->version = str_at(cc, cc->version);
	for (size_t i = 0; i < cc->nids; i++)
		ids[i] = cc->strings + cc->ids[i];
	for (size_t i = 0; i < cc->nhints; i++) {
		const struct bl_content_fw_list *l = &cc->hints[i];
		hints[i] = (struct bl_fw_hint){str_at(cc, l->name), ids + l->ids, l->n};
	}
	for (size_t i = 0; i < cc->n; i++) {
		const struct bl_content_fw_entry *e = &cc->entries[i];
		cat->entries[i] = (struct bl_fw_entry){
			.id = str_at(cc, e->id),
			.title = str_at(cc, e->title),
			.group = str_at(cc, e->group),
			/* an entry without `maps` has none; one with `maps: {}` an empty list */
			.maps = e->maps == BL_CONTENT_NONE ? NULL : hints + e->maps,
			.nmaps = e->nmaps,
		};
	}
	memset(&cat->entries[cc->n], 0, sizeof(cat->entries[cc->n]));
	cat->n = cc->n;
	for (size_t i = 0; i < cc->nselections; i++) {
		const struct bl_content_fw_list *l = &cc->selections[i];
		cat->selections[i] = (struct bl_fw_selection){str_at(cc, l->name), ids + l->ids, l->n};
	}
	cat->nselections = cc->nselections;
	for (size_t i = 0; i < cc->nfamilies; i++) {
		const struct bl_content_fw_family *f = &cc->families[i];
		cat->families[i] = (struct bl_fw_family){str_at(cc, f->id), str_at(cc, f->title), f->last};
	}
	cat->nfamilies = cc->nfamilies;
	cat->index = cc->index;
	cat->indexcap = cc->indexcap;
	cat->order = cc->order;
	return 0;
}

int bl_catalogs_load(struct bl_catalogs *out, struct bl_error *err)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	if (err)
		bl_error_clear(err);
	int rc = 0;
	out->items = bl_arena_calloc(&out->arena, bl_content_ncatalogs + 1, sizeof(*out->items));
	if (!out->items)
		rc = BL_ENOMEM;
	for (size_t i = 0; !rc && i < bl_content_ncatalogs; i++) {
		rc = load_catalog(&out->arena, &out->items[i], &bl_content_catalogs[i]);
		if (!rc)
			out->n++;
	}
	if (rc && err)
		bl_error_set(err, BL_ENOMEM, NULL, 0, 0, "out of memory loading framework catalogs");
	if (rc)
		bl_catalogs_free(out);
	return rc;
}

void bl_catalogs_free(struct bl_catalogs *c)
{
	if (!c)
		return;
	bl_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}
