/*
 * paths.c - what a compiled condition reads of a document, as a keep set for
 * the selective JSON parse (doc/json.h): the engine parses only those members
 * of each resource (see rule.h, bl_cond_keep).
 *
 * Walks the compiled form (cond_internal.h).  Field paths are written in full
 * even inside counts (compile.c binds them to their count by prefix), so every
 * path starts at the document root.  [*] and [n] segments need no node of
 * their own: keep sets see through arrays.  What a leaf compares is kept
 * whole; a counted "...[*]" array keeps its elements' shape only through what
 * its `where` reads (the count itself needs just the elements, which arrays
 * always keep).  Expressions evaluated at run time are not listed: their
 * paths may be computed, so a condition holding one reads "anything".
 */
#include "rule/cond_internal.h"
#include "doc/json.h"

/* Add p's keys as a chain below the root; keep everything below its end
 * when whole.  Returns 0 or BL_ENOMEM. */
static int keep_path(struct bl_json_keep *k, const struct bl_path *p, bool whole)
{
	uint32_t node = 0;
	for (uint32_t i = 0; i < p->n; i++) {
		const struct bl_seg *s = &p->segs[i];
		if (s->kind != BL_SEG_KEY)
			continue;
		if (bl_json_keep_child(k, node, s->key, s->klen, &node))
			return BL_ENOMEM;
	}
	if (whole)
		bl_json_keep_all(k, node);
	return 0;
}

/* A subject: 0, BL_ENOMEM, or 1 (a run-time expression). */
static int keep_subject(struct bl_json_keep *k, const struct csubject *s, bool counted)
{
	if (s->is_field) {
		/* A counted "a[*]" needs a's elements, not what is in them;
		 * anything else (a leaf's value, a count over "a[*].b", which
		 * skips elements without b) is kept whole. */
		bool whole = !counted || s->path.n == 0 ||
			     s->path.segs[s->path.n - 1].kind != BL_SEG_ALL;
		return keep_path(k, &s->path, whole);
	}
	return s->x ? 1 : 0;
}

static int keep_node(struct bl_json_keep *k, const struct cnode *n, int depth)
{
	if (!n)
		return 0;
	if (depth > 1000)
		return 1;  /* cannot happen (compile bounds nesting); be safe */
	int rc;
	switch (n->kind) {
	case CN_ALL:
	case CN_ANY:
	case CN_NOT:
		for (uint32_t i = 0; i < n->nkids; i++)
			if ((rc = keep_node(k, n->kids[i], depth + 1)))
				return rc;
		return 0;
	case CN_LEAF:
	case CN_COUNT:
		if (n->opx)
			return 1;
		if ((rc = keep_subject(k, &n->subj, n->kind == CN_COUNT)))
			return rc;
		return n->kind == CN_COUNT ? keep_node(k, n->where, depth + 1) : 0;
	default:
		return 1;  /* a node kind this walk does not know: keep everything */
	}
}

int bl_cond_keep(const struct bl_cond *c, struct bl_json_keep *k)
{
	return c ? keep_node(k, c->root, 0) : 0;
}
