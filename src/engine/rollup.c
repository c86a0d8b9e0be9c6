/*
 * rollup.c - framework pivot of a run (see rollup.h).
 */
#include "engine/rollup.h"

#include <stdlib.h>
#include <string.h>

#include "model/fw_id.h"
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

/* Called ~7,000 times per report by the sort of a framework's controls:
 * plain ASCII tests, no locale lookups (ids are ASCII).  The body is shared
 * with scripts/embed.c, which orders the catalogs' entries by it at build
 * time (struct bl_catalog.order). */
int bl_natural_cmp(const char *a, const char *b)
{
	return bl_fw_natural_cmp(a, b);
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

/*
 * Index of a framework's controls by id while the roll-up is built: a
 * catalog holds hundreds of controls (NIST 800-53 r5: 370 here) and every
 * mapped id and every not_covered entry looks one up.  Open addressing over
 * indexes into fw->controls, at most half full: sized for the catalog and a
 * few more, and doubled past that (fwix_added).  Sized for every mapped id
 * (builtin:linux-host's NIST: 1,304, 104 distinct), it was 16 KB zeroed
 * for under 2 KB of entries.
 */
struct fwix {
	uint32_t *slot;   /* index + 1; 0 = empty */
	size_t mask;
};

static size_t hash_id(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int fwix_init(struct fwix *x, struct bl_arena *a, size_t max)
{
	size_t n = 16;
	while (n < 2 * max)
		n *= 2;
	x->slot = bl_arena_calloc(a, n, sizeof(*x->slot));
	x->mask = n - 1;
	return x->slot ? 0 : BL_ENOMEM;
}

/* Whether two ids (framework names) are the same: mostly the same pointer,
 * the catalog's spelling or the framework name the baseline kept (a strcmp
 * per lookup was a sixth of the roll-up of builtin:linux-host); text
 * compared otherwise. */
static inline bool same_id(const char *a, const char *b)
{
	return a == b || strcmp(a, b) == 0;
}

/* The control of fw with this id, or the empty slot where it belongs. */
static uint32_t *fwix_find(const struct fwix *x, const struct bl_fw *fw, const char *id)
{
	size_t i = hash_id(id) & x->mask;
	while (x->slot[i] && !same_id(fw->controls[x->slot[i] - 1].id, id))
		i = (i + 1) & x->mask;
	return &x->slot[i];
}

/* x doubled (at least) and refilled from fw->controls, whose ids are
 * distinct.  0 or BL_ENOMEM. */
static int fwix_grow(struct fwix *x, const struct bl_fw *fw, struct bl_arena *a)
{
	struct fwix nx;
	if (fwix_init(&nx, a, fw->ncontrols + 1))
		return BL_ENOMEM;
	for (size_t i = 0; i < fw->ncontrols; i++) {
		size_t j = hash_id(fw->controls[i].id) & nx.mask;
		while (nx.slot[j])
			j = (j + 1) & nx.mask;
		nx.slot[j] = (uint32_t)(i + 1);
	}
	*x = nx;
	return 0;
}

/* After fw's newest control went into x: x grown when that made it more
 * than half full (the test inline: it is one per control added). */
static inline int fwix_added(struct fwix *x, const struct bl_fw *fw, struct bl_arena *a)
{
	return 2 * fw->ncontrols <= x->mask + 1 ? 0 : fwix_grow(x, fw, a);
}

/* A new framework control of fw, zeroed (the array is allocated, not
 * cleared: only the controls in use are touched); *cap is the capacity of
 * fw->controls, doubled when full (the index holds positions, which stay
 * valid).  NULL when out of memory. */
static struct bl_fw_control *fwc_new(struct bl_fw *fw, size_t *cap, struct bl_arena *a,
				     const char *id, enum bl_fw_status st)
{
	if (fw->ncontrols == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		struct bl_fw_control *nc = bl_arena_alloc(a, ncap * sizeof(*nc));
		if (!nc)
			return NULL;
		if (fw->ncontrols)
			memcpy(nc, fw->controls, fw->ncontrols * sizeof(*nc));
		fw->controls = nc;
		*cap = ncap;
	}
	struct bl_fw_control *fc = &fw->controls[fw->ncontrols++];
	memset(fc, 0, sizeof(*fc));
	fc->id = id;
	fc->status = st;
	return fc;
}

/* Append every catalog control fw does not list yet, as not_covered, in
 * the catalog's natural order when it has one (cat->order, worked out at
 * build time): that run then needs no sort, and comes out as the stable
 * sort of the catalog order would (sorting it was most of the roll-up).
 * 0 or BL_ENOMEM. */
static int add_not_covered(struct bl_fw *fw, size_t *cap, struct fwix *x,
			   const struct bl_catalog *cat, struct bl_arena *a)
{
	for (size_t k = 0; k < cat->n; k++) {
		size_t i = cat->order ? cat->order[k] : k;
		uint32_t *s = fwix_find(x, fw, cat->entries[i].id);
		if (*s)
			continue;
		if (!fwc_new(fw, cap, a, cat->entries[i].id, BL_FW_NOT_COVERED))
			return BL_ENOMEM;
		*s = (uint32_t)fw->ncontrols;
		if (fwix_added(x, fw, a))
			return BL_ENOMEM;
	}
	return 0;
}

/* Append c to fc->mapped (arena array grown by doubling from 4: most
 * framework controls have one or two baseline controls).  The capacity
 * follows from the count, full at 4, 8, 16...: no array of capacities. */
static int add_mapped(struct bl_fw_control *fc, const struct bl_control *c, struct bl_arena *a)
{
	size_t n = fc->nmapped;
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t ncap = n ? 2 * n : 4;
		const struct bl_control **m = bl_arena_alloc(a, ncap * sizeof(*m));
		if (!m)
			return BL_ENOMEM;
		if (n)
			memcpy(m, fc->mapped, n * sizeof(*m));
		fc->mapped = m;
	}
	fc->mapped[fc->nmapped++] = c;
	return 0;
}

/* Sort v[0..n) by id unless it already is (the not_covered run follows its
 * catalog, which mostly lists its controls in natural order). */
static void sort_run(struct bl_fw_control *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (cmp_fwc(&v[i - 1], &v[i]) > 0) {
			qsort(v, n, sizeof(*v), cmp_fwc);
			return;
		}
	}
}

/*
 * Order fw's controls by id: the first ncovered (mapped, in baseline order)
 * and the rest (not_covered, in catalog order) each sorted (the rest only
 * unless rest_sorted says it is in order already), then merged,
 * equal ids taking the mapped one first.  That is exactly the stable sort of
 * the whole array the roll-up used to make (glibc's qsort is a merge sort),
 * in a fraction of the comparisons: sorting the hundreds of not_covered
 * controls of every catalog was half of building the roll-up of an empty
 * run.  0 or BL_ENOMEM.
 */
static int sort_controls(struct bl_fw *fw, size_t ncovered, bool rest_sorted, struct bl_arena *a)
{
	struct bl_fw_control *v = fw->controls;
	size_t n = fw->ncontrols;
	sort_run(v, ncovered);
	if (!rest_sorted)
		sort_run(v + ncovered, n - ncovered);
	if (ncovered == 0 || ncovered == n || cmp_fwc(&v[ncovered - 1], &v[ncovered]) <= 0)
		return 0;
	/* merge in place from a copy of the first run: the next write (at
	 * i + j - ncovered) never passes the next unread element of the second */
	struct bl_fw_control *left = bl_arena_alloc(a, ncovered * sizeof(*left));
	if (!left)
		return BL_ENOMEM;
	memcpy(left, v, ncovered * sizeof(*left));
	size_t i = 0, j = ncovered, k = 0;
	while (i < ncovered && j < n)
		v[k++] = cmp_fwc(&v[j], &left[i]) < 0 ? v[j++] : left[i++];
	while (i < ncovered)
		v[k++] = left[i++];
	return 0;
}

int bl_rollup_build_with(struct bl_rollup *out, const struct bl_baseline *b,
			 const struct bl_run_stats *st, const struct bl_catalogs *catalogs)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	struct bl_arena *a = &out->arena;
	size_t nmaps = 0;
	for (size_t i = 0; i < b->ncontrols; i++)
		nmaps += b->controls[i].nmaps;
	/* First pass: the frameworks, in order of first appearance, and the
	 * index of each mapping's framework.  The arrays below are sized per
	 * framework: sized for every id of every framework, they were most of
	 * the roll-up's page faults. */
	uint32_t *fwof = bl_arena_alloc(a, (nmaps + 1) * sizeof(*fwof));
	const char **names = bl_arena_alloc(a, (nmaps + 1) * sizeof(*names));
	if (!fwof || !names)
		return BL_ENOMEM;
	size_t nfw = 0, at = 0;
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		for (size_t m = 0; m < c->nmaps; m++, at++) {
			if (c->effect == BL_EFFECT_DISABLED)
				continue;
			const struct bl_mapping *mp = &c->maps[m];
			size_t f = 0;
			while (f < nfw && !same_id(names[f], mp->framework))
				f++;
			if (f == nfw)
				names[nfw++] = mp->framework;
			fwof[at] = (uint32_t)f;
		}
	}
	out->fws = bl_arena_calloc(a, nfw + 1, sizeof(*out->fws));
	const struct bl_catalog **cats = bl_arena_calloc(a, nfw + 1, sizeof(*cats));
	struct fwix *ixs = bl_arena_calloc(a, nfw + 1, sizeof(*ixs));
	/* capacity of each framework's controls array */
	size_t *caps = bl_arena_calloc(a, nfw + 1, sizeof(*caps));
	if (!out->fws || !cats || !ixs || !caps)
		return BL_ENOMEM;
	for (size_t f = 0; f < nfw; f++) {
		const struct bl_catalog *cat = bl_catalog_find(catalogs, names[f]);
		/* the controls and their index, for the catalog plus a few
		 * (both grow past that): mapped ids are mostly catalog
		 * controls, and repeat (linux-host: 1,304 ids, 104 distinct),
		 * so the worst case was mostly memory never used */
		cats[f] = cat;
		struct bl_fw *nf = &out->fws[f];
		nf->id = names[f];
		caps[f] = (cat ? cat->n : 0) + 16;
		nf->controls = bl_arena_alloc(a, caps[f] * sizeof(*nf->controls));
		if (!nf->controls || fwix_init(&ixs[f], a, caps[f]))
			return BL_ENOMEM;
	}
	out->n = nfw;
	/* The baseline checked its mapped ids against these same catalogs and
	 * kept the catalog's spelling (model/baseline.c catalog_id): looking
	 * each id up again would give it back unchanged. */
	bool spelled = catalogs && catalogs == b->catalogs;
	at = 0;
	for (size_t i = 0; i < b->ncontrols; i++) {
		const struct bl_control *c = &b->controls[i];
		if (c->effect == BL_EFFECT_DISABLED) {
			at += c->nmaps;
			continue;
		}
		for (size_t m = 0; m < c->nmaps; m++, at++) {
			const struct bl_mapping *mp = &c->maps[m];
			size_t f = fwof[at];
			struct bl_fw *fw = &out->fws[f];
			/* each baseline control counts once per framework */
			bool seen = false;
			for (size_t m2 = 0; m2 < m; m2++)
				if (same_id(c->maps[m2].framework, mp->framework))
					seen = true;
			if (!seen)
				tally_add(&fw->tally, &st->per_control[c->index]);
			for (size_t k = 0; k < mp->nids; k++) {
				const char *key = spelled ? mp->ids[k] : fw_key(cats[f], mp->ids[k]);
				uint32_t *slot = fwix_find(&ixs[f], fw, key);
				uint32_t pos = *slot;   /* index + 1 (the slot may move) */
				if (!pos) {
					if (!fwc_new(fw, &caps[f], a, key, BL_FW_NA))
						return BL_ENOMEM;
					pos = *slot = (uint32_t)fw->ncontrols;
					if (fwix_added(&ixs[f], fw, a))
						return BL_ENOMEM;
				}
				struct bl_fw_control *fc = &fw->controls[pos - 1];
				/* c mapped here already (the id twice, or in two
				 * spellings)?  Controls are taken one at a time, so it
				 * would be the last one added: scanning the whole list
				 * (AC-6 has dozens) was a fifth of the roll-up. */
				if (fc->nmapped && fc->mapped[fc->nmapped - 1] == c)
					continue;
				if (add_mapped(fc, c, a))
					return BL_ENOMEM;
				tally_add(&fc->tally, &st->per_control[c->index]);
				enum bl_fw_status s = control_status(&st->per_control[c->index]);
				if (rank(s) > rank(fc->status))
					fc->status = s;
			}
		}
	}
	for (size_t f = 0; f < out->n; f++) {
		size_t ncovered = out->fws[f].ncontrols;
		if (cats[f] && add_not_covered(&out->fws[f], &caps[f], &ixs[f], cats[f], a))
			return BL_ENOMEM;
		/* the not_covered run is in order already when it followed the
		 * catalog's natural order (add_not_covered) */
		bool rest_sorted = cats[f] && cats[f]->order;
		if (sort_controls(&out->fws[f], ncovered, rest_sorted, a))
			return BL_ENOMEM;
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
