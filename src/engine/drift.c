/*
 * drift.c - compare two runs' results (drift.h): one merge over the two
 * sorted lists for controls, one over the sorted asset sets.
 */
#include "engine/drift.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

const char *bl_drift_kind_name(enum bl_drift_kind k)
{
	static const char *const names[] = {"newly_failing", "fixed", "exempted",
					    "still_failing", "new_asset", "removed_asset",
					    "exception_expired"};
	return k < BL_DRIFT_NKINDS ? names[k] : "?";
}

static bool failing(enum bl_status s)
{
	return s == BL_FAIL || s == BL_ERROR;
}

static int entry_cmp(const struct bl_drift_entry *x, const struct bl_drift_entry *y)
{
	int c = strcmp(x->control, y->control);
	return c ? c : strcmp(x->asset, y->asset);
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

struct list {
	struct bl_drift_item *v;
	size_t n, cap;
};

static int push(struct list *l, enum bl_drift_kind k, const char *control, const char *asset,
		enum bl_status from, enum bl_status to)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct bl_drift_item *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return BL_ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = (struct bl_drift_item){k, control, asset, from, to};
	return 0;
}

/* Sorted unique asset ids of a list (malloc'd), *n set.  NULL on ENOMEM. */
static const char **assets_of(const struct bl_drift_entry *e, size_t n, size_t *out_n)
{
	const char **v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = e[i].asset;
	qsort(v, n, sizeof(*v), str_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out_n = k;
	return v;
}

/* Is asset in the sorted unique set? */
static bool has(const char *const *set, size_t n, const char *asset)
{
	return bsearch(&asset, set, n, sizeof(*set), str_cmp) != NULL;
}

static int item_cmp(const void *x, const void *y)
{
	const struct bl_drift_item *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = strcmp(a->control ? a->control : "", b->control ? b->control : "");
	return c ? c : strcmp(a->asset, b->asset);
}

int bl_drift_compare(struct bl_drift *out, const struct bl_drift_entry *a, size_t na,
		     const struct bl_drift_entry *b, size_t nb)
{
	memset(out, 0, sizeof(*out));
	bl_arena_init(&out->arena, 0);
	struct list l = {0};
	size_t nsa = 0, nsb = 0;
	const char **sa = assets_of(a, na, &nsa), **sb = assets_of(b, nb, &nsb);
	int rc = sa && sb ? 0 : BL_ENOMEM;
	size_t i = 0, j = 0;
	while (!rc && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : entry_cmp(&a[i], &b[j]);
		if (c == 0) {
			bool fa = failing(a[i].status), fb = failing(b[j].status);
			if (fa && fb)
				rc = push(&l, BL_DRIFT_STILL_FAILING, b[j].control, b[j].asset,
					  a[i].status, b[j].status);
			else if (fb)
				rc = push(&l, a[i].status == BL_EXEMPT && b[j].exc_expired
						      ? BL_DRIFT_EXCEPTION_EXPIRED : BL_DRIFT_NEWLY_FAILING,
					  b[j].control, b[j].asset, a[i].status, b[j].status);
			else if (fa)
				rc = push(&l, b[j].status == BL_EXEMPT ? BL_DRIFT_EXEMPTED : BL_DRIFT_FIXED,
					  b[j].control, b[j].asset, a[i].status, b[j].status);
			i++;
			j++;
		} else if (c < 0) {
			/* only in A: a control no longer evaluated on a kept asset is fixed
			 * in the sense that it no longer fails there */
			if (failing(a[i].status) && has(sb, nsb, a[i].asset))
				rc = push(&l, BL_DRIFT_FIXED, a[i].control, a[i].asset, a[i].status,
					  BL_NSTATUS);
			i++;
		} else {
			if (failing(b[j].status))
				rc = push(&l, BL_DRIFT_NEWLY_FAILING, b[j].control, b[j].asset,
					  BL_NSTATUS, b[j].status);
			j++;
		}
	}
	for (size_t k = 0; !rc && k < nsb; k++)
		if (!has(sa, nsa, sb[k]))
			rc = push(&l, BL_DRIFT_NEW_ASSET, NULL, sb[k], BL_NSTATUS, BL_NSTATUS);
	for (size_t k = 0; !rc && k < nsa; k++)
		if (!has(sb, nsb, sa[k]))
			rc = push(&l, BL_DRIFT_REMOVED_ASSET, NULL, sa[k], BL_NSTATUS, BL_NSTATUS);
	free(sa);
	free(sb);
	if (!rc && l.n) {
		out->items = bl_arena_alloc(&out->arena, l.n * sizeof(*out->items));
		if (!out->items) {
			rc = BL_ENOMEM;
		} else {
			memcpy(out->items, l.v, l.n * sizeof(*out->items));
			qsort(out->items, l.n, sizeof(*out->items), item_cmp);
			out->n = l.n;
			for (size_t k = 0; k < l.n; k++)
				out->count[l.v[k].kind]++;
		}
	}
	free(l.v);
	if (rc) {
		bl_arena_free(&out->arena);
		memset(out, 0, sizeof(*out));
		bl_arena_init(&out->arena, 0);
	}
	return rc;
}

void bl_drift_free(struct bl_drift *d)
{
	bl_arena_free(&d->arena);
	d->items = NULL;
	d->n = 0;
}
