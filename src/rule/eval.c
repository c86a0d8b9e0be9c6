/*
 * eval.c - runs a compiled condition against one asset document with
 * three-valued (Kleene) logic, explains an outcome as evidence, describes
 * conditions for people and lists the document keys a condition reads.
 *
 * The pass path allocates nothing: paths are pre-split, operands prepared;
 * only runtime expressions, text forms of arrays/objects and evidence use the
 * evaluation arena.  What one document gave is remembered for the next
 * condition on it (struct bl_eval.memo, allocated once per evaluator):
 * values of the path prefixes a baseline's paths share, results of leaves
 * they repeat, top-level counts for their evidence.
 */
#include "rule/cond_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "util/str.h"

/*
 * The tables behind struct bl_eval.memo, each direct-mapped: a slot taken
 * by another entry is a miss, never a wrong answer.  An entry is current
 * while its gen is e->memo_gen.
 */
#define MEMO_PATHS 256    /* powers of two */
#define MEMO_COUNTS 8
#define MEMO_LEAVES 512

struct bl_eval_memo {
	/* what a path prefix resolved to, by node id */
	struct path_memo {
		const struct bl_pfx *key;
		const struct bl_value *v;   /* NULL: missing */
		uint32_t gen;
	} paths[MEMO_PATHS];
	/* the number a top-level field count found (not unknown), by node */
	struct count_memo {
		const void *node;
		uint32_t gen;
		uint32_t count;
	} counts[MEMO_COUNTS];
	/* a keyed leaf's result (true or false, never unknown) on one base
	 * value (the document, or the element a `where` looks at), by a hash
	 * of both */
	struct leaf_memo {
		const void *key;
		const struct bl_value *base;
		uint32_t gen;
		uint8_t truth;              /* enum bl_truth */
	} leaves[MEMO_LEAVES];
};

void bl_eval_init(struct bl_eval *e)
{
	memset(e, 0, sizeof(*e));
}

/* Make every memo entry stale (struct bl_eval.memo) and follow doc. */
static void memo_advance(struct bl_eval *e, const struct bl_value *doc)
{
	if (++e->memo_gen == 0) {   /* wrapped: an entry that old would look current */
		if (e->memo)
			memset(e->memo, 0, sizeof(*e->memo));
		e->memo_gen = 1;
	}
	e->memo_doc = doc;
}

/* Before evaluating c: the memo holds values of e->doc only, and is made
 * when c is the first condition that uses it.  False when it cannot be
 * (ENOMEM): c has interned paths or leaf keys (c->memo), which are only
 * ever read through it, so that nothing on the way checks for it. */
static inline bool memo_sync(struct bl_eval *e, const struct bl_cond *c)
{
	if (e->doc != e->memo_doc)
		memo_advance(e, e->doc);
	if (!e->memo && c->memo)
		e->memo = calloc(1, sizeof(*e->memo));
	return e->memo || !c->memo;
}

void bl_eval_reset(struct bl_eval *e, const struct bl_value *doc, struct bl_arena *arena)
{
	memo_advance(e, doc);
	e->doc = doc;
	e->arena = arena;
	e->nscopes = 0;
	e->nev = 0;
	bl_eval_clear(e);
}

void bl_eval_special(struct bl_eval *e, const struct bl_value *v)
{
	if (v->type == BL_VERR) {
		snprintf(e->error, sizeof(e->error), "%.*s", (int)v->u.str.len, v->u.str.s);
	} else if (!e->na) {
		e->na = true;
		snprintf(e->na_reason, sizeof(e->na_reason), "%.*s", (int)v->u.str.len, v->u.str.s);
	}
}

void bl_eval_fini(struct bl_eval *e)
{
	bl_ops_scratch_free(e);
	free(e->memo);
	e->memo = NULL;
}

static enum bl_truth eval_node(const struct cnode *n, struct bl_eval *e);

static enum bl_truth nomem(struct bl_eval *e)
{
	snprintf(e->error, sizeof(e->error), "out of memory during evaluation");
	return BL_UNKNOWN;
}

/* The operand of a leaf or count: prepared at compile time, or evaluated and
 * prepared now (eval arena).  *o points at the operand to use. */
static enum bl_truth get_operand_x(const struct cnode *n, struct bl_eval *e,
				   struct bl_operand *tmp, const struct bl_operand **o);

static inline enum bl_truth get_operand(const struct cnode *n, struct bl_eval *e,
					struct bl_operand *tmp, const struct bl_operand **o)
{
	if (!n->opx) {   /* nearly always: keep it out of a call */
		*o = &n->operand;
		return BL_TRUE;
	}
	return get_operand_x(n, e, tmp, o);
}

/* get_operand of a runtime expression. */
static enum bl_truth get_operand_x(const struct cnode *n, struct bl_eval *e,
				   struct bl_operand *tmp, const struct bl_operand **o)
{
	const struct bl_value *v = NULL;
	int rc = bl_expr_eval(&v, n->opx, e);
	if (rc == BL_ENOMEM)
		return nomem(e);
	if (rc)
		return BL_UNKNOWN;
	if (!v) {
		struct bl_value *nv = bl_value_new(e->arena, BL_VNULL);
		if (!nv)
			return nomem(e);
		v = nv;
	}
	pcre2_general_context *g = NULL;
	if (n->op == BL_OP_REGEX || n->op == BL_OP_NOTREGEX) {
		g = bl_ops_gctx(e->arena);
		if (!g)
			return nomem(e);
	}
	char msg[200];
	msg[0] = '\0';
	rc = bl_op_prepare(tmp, n->op, v, e->arena, NULL, g, false, msg, sizeof(msg));
	if (rc == BL_ENOMEM)
		return nomem(e);
	if (rc) {
		snprintf(e->error, sizeof(e->error), "%s: %s", bl_expr_text(n->opx), msg);
		return BL_UNKNOWN;
	}
	*o = tmp;
	return BL_TRUE;
}

static const struct bl_value *subject_base(const struct csubject *s, const struct bl_eval *e)
{
	return s->scope < 0 ? e->doc : e->scopes[s->scope].current;
}

/* Whether member m is key s with its exact case. */
static inline bool key_exact(const struct bl_member *m, const struct bl_seg *s)
{
	return m->klen == s->klen && bl_mem_eq(m->key, s->key, s->klen);
}

/*
 * key_get's scan when the hint missed: out of line, so that the hit path
 * (most lookups) stays small enough to inline without saving registers.
 * The table is two-way: a segment lives at its slot i or at i ^ 1 (the
 * first free, else i ^ 1, so an established segment keeps its slot), so two
 * segments that map to one slot (about 5% of them in a 100-control
 * baseline) do not evict each other on every record.  Before scanning, the
 * members either side of the remembered index: when an optional member
 * before the key comes or goes, the key moves by one (nine in ten of the
 * misses that find their key, on the bench's exports).
 */
static __attribute__((noinline)) const struct bl_value *
key_scan(struct bl_key_hint *hints, size_t i, const struct bl_seg *s, const struct bl_value *v)
{
	struct bl_key_hint *h = &hints[i];
	const struct bl_member *items = v->u.obj.items;
	uint32_t n = v->u.obj.n, at;
	if (h->seg != s) {
		struct bl_key_hint *h2 = &hints[i ^ 1];
		if (h2->seg == s) {
			if (h2->idx < n && key_exact(&items[h2->idx], s))
				return &items[h2->idx].val;
			h = h2;
		} else if (h->seg) {
			h = h2;   /* a new one: the other way */
		}
	}
	if (h->seg == s) {
		uint32_t g = h->idx;
		if (g - 1 < n && key_exact(&items[g - 1], s)) {
			at = g - 1;
			goto hit;
		}
		if (g + 1 < n && key_exact(&items[g + 1], s)) {
			at = g + 1;
			goto hit;
		}
	}
	/* bl_obj_member's rule in one pass: the exact match wherever it is, else
	 * the first case-folded one (most keys that miss here are absent, and
	 * two passes over the members were most of their cost) */
	const struct bl_member *fold = NULL;
	if (s->klen == 0)
		return bl_value_get(v, "", 0);
	unsigned char f0 = bl_lower((unsigned char)s->key[0]);
	for (at = 0; at < n; at++) {
		const struct bl_member *m = &items[at];
		if (m->klen != s->klen)
			continue;
		if (bl_mem_eq(m->key, s->key, s->klen))
			goto hit;
		if (!fold && bl_lower((unsigned char)m->key[0]) == f0 &&
		    bl_str_ieq(m->key, m->klen, s->key, s->klen))
			fold = m;
	}
	return fold ? &fold->val : NULL;   /* a case-folded match is not remembered */
hit:
	h->seg = s;
	h->idx = at;
	return &items[at].val;
}

/*
 * Key s of object v, with bl_value_get's rule (see bl_obj_member), looking
 * first at the member index where s last found its key (struct
 * bl_eval.hints): records of one export mostly list their members in the
 * same order.  Only an exact-case match is remembered or accepted from a
 * hint: documents refuse exact duplicates, so it is the member the scan
 * would return, while a case-folded match depends on the whole object.
 */
static inline const struct bl_value *key_get(struct bl_eval *e, const struct bl_seg *s,
					     const struct bl_value *v)
{
	size_t i = ((uintptr_t)s >> 3) % BL_KEY_HINTS;
	const struct bl_key_hint *h = &e->hints[i];
	if (h->seg == s && h->idx < v->u.obj.n && key_exact(&v->u.obj.items[h->idx], s))
		return &v->u.obj.items[h->idx].val;
	return key_scan(e->hints, i, s, v);
}

static inline const struct bl_value *estep(struct bl_eval *e, const struct bl_seg *s,
					   const struct bl_value *v)
{
	if (bl_value_special(v))
		return v;   /* sticky: see path.c */
	if (s->kind == BL_SEG_KEY)
		return v->type == BL_VOBJ ? key_get(e, s, v) : NULL;
	if (s->kind == BL_SEG_INDEX)
		return (v->type == BL_VARR && s->index < v->u.arr.n) ? &v->u.arr.items[s->index] : NULL;
	return NULL;
}

/*
 * The value of p's first n segments in e->doc (1 <= n <= p->npfx), through
 * the memo (struct bl_eval.memo): from the longest prefix already resolved,
 * stepping on from there and remembering each step, NULL (missing) too.
 * Only prefixes that more than one compiled path starts with are
 * remembered (a probe and a store for a value read once cost more than
 * they save).  memo_sync must have run.  Out of line: the inlined probe in
 * memo_path answers most repeated reads.
 */
static __attribute__((noinline)) const struct bl_value *
memo_walk(struct bl_eval *e, const struct bl_path *p, uint32_t n)
{
	uint32_t k = n - 1;   /* p->pfx[n - 1] itself was probed by the caller */
	const struct bl_value *v = e->doc;
	for (; k > 0; k--) {
		const struct bl_pfx *x = p->pfx[k - 1];
		if (x->uses < 2)
			continue;
		const struct path_memo *m = &e->memo->paths[x->id & (MEMO_PATHS - 1)];
		if (m->key == x && m->gen == e->memo_gen) {
			v = m->v;
			break;
		}
	}
	for (; k < n; k++) {
		if (v)
			v = estep(e, &p->segs[k], v);
		const struct bl_pfx *x = p->pfx[k];
		if (x->uses < 2)
			continue;
		struct path_memo *m = &e->memo->paths[x->id & (MEMO_PATHS - 1)];
		m->key = x;
		m->v = v;
		m->gen = e->memo_gen;
	}
	return v;
}

static inline const struct bl_value *memo_path(struct bl_eval *e, const struct bl_path *p,
					       uint32_t n)
{
	const struct bl_pfx *x = p->pfx[n - 1];
	const struct path_memo *m = &e->memo->paths[x->id & (MEMO_PATHS - 1)];
	if (m->key == x && m->gen == e->memo_gen)
		return m->v;   /* (a node used once is never stored: never found) */
	if (n >= 2 && x->uses < 2) {
		/* read once, below a shared parent already resolved (most
		 * first reads of "properties.x"): one step, nothing to store */
		const struct bl_pfx *up = x->parent;
		const struct path_memo *pm = &e->memo->paths[up->id & (MEMO_PATHS - 1)];
		if (pm->key == up && pm->gen == e->memo_gen)
			return pm->v ? estep(e, &p->segs[n - 1], pm->v) : NULL;
	}
	return memo_walk(e, p, n);
}

/* Does s read from the document root through interned prefixes (then its
 * first s->path.npfx segments come from memo_path)? */
static inline bool memo_root(const struct csubject *s)
{
	return s->scope < 0 && s->path.npfx > 0;
}

/*
 * A [*] leaf from segment i of value v: true when every element reached
 * satisfies it (vacuously when an array on the way is empty or missing);
 * an element lacking the tail is compared as missing.
 */
static enum bl_truth walk(const struct cnode *n, const struct bl_operand *o,
			  const struct bl_value *v, uint32_t i, struct bl_eval *e)
{
	const struct bl_path *p = &n->subj.path;
	for (; i < p->n; i++) {
		const struct bl_seg *s = &p->segs[i];
		if (s->kind == BL_SEG_ALL) {
			if (bl_value_special(v))
				return bl_op_apply(n->op, v, o, e);   /* unknown, with the reason */
			if (v->type != BL_VARR)
				return BL_TRUE;
			enum bl_truth res = BL_TRUE;
			for (uint32_t k = 0; k < v->u.arr.n; k++) {
				enum bl_truth t = walk(n, o, &v->u.arr.items[k], i + 1, e);
				if (t == BL_FALSE)
					return BL_FALSE;
				if (t == BL_UNKNOWN)
					res = BL_UNKNOWN;
			}
			return res;
		}
		v = estep(e, s, v);
		if (!v)
			return (int32_t)i < n->subj.lastall ? BL_TRUE : bl_op_apply(n->op, NULL, o, e);
	}
	return bl_op_apply(n->op, v, o, e);
}

/*
 * Azure Policy's `fullName` field: the resource name prefixed by its parent
 * resources' names ("server/database").  Exports do not carry it; derive it
 * from the id: the names after the last "/providers/<namespace>/" (type and
 * name segments alternate), else `name`.  In e->arena; NULL without an id.
 */
const struct bl_value *bl_eval_full_name(struct bl_eval *e, const struct bl_value *doc)
{
	const struct bl_value *id = bl_value_getz(doc, "id");
	if (!id || id->type != BL_VSTR)
		return NULL;
	const char *p = id->u.str.s, *end = p + id->u.str.len, *after = NULL;
	for (const char *q = p; q + 11 <= end; q++)
		if (*q == '/' && bl_str_ieq(q, 11, "/providers/", 11))
			after = q + 11;
	if (!after)
		return bl_value_getz(doc, "name");
	while (after < end && *after != '/')   /* the namespace */
		after++;
	char *buf = bl_arena_alloc(e->arena, (size_t)(end - after) + 1);
	struct bl_value *v = bl_arena_alloc(e->arena, sizeof(*v));
	if (!buf || !v)
		return NULL;
	size_t n = 0;
	unsigned seg = 0;
	for (const char *q = after; q < end; seg++) {
		q++;  /* the '/' */
		const char *start = q;
		while (q < end && *q != '/')
			q++;
		if (seg % 2 == 1) {  /* a name (types are at even positions) */
			if (n)
				buf[n++] = '/';
			memcpy(buf + n, start, (size_t)(q - start));
			n += (size_t)(q - start);
		}
	}
	memset(v, 0, sizeof(*v));
	v->type = BL_VSTR;
	v->u.str.s = buf;
	v->u.str.len = (uint32_t)n;
	return v;
}

/* A root field `fullName` that the document lacks: bl_eval_full_name's
 * (NULL for any other missing one-segment path). */
static const struct bl_value *full_name_of(const struct csubject *s, struct bl_eval *e)
{
	if (s->path.segs[0].kind == BL_SEG_KEY &&
	    bl_str_ieq(s->path.segs[0].key, s->path.segs[0].klen, "fullName", 8))
		return bl_eval_full_name(e, e->doc);
	return NULL;
}

/* Resolve a subject that is a value, or a field without [*] after `from`. */
static enum bl_truth subject_value(const struct csubject *s, struct bl_eval *e,
				   const struct bl_value **out)
{
	*out = NULL;
	if (s->is_field) {
		const struct bl_value *base = subject_base(s, e);
		const struct bl_value *v = base;
		if (memo_root(s) && s->path.npfx == s->path.n) {
			v = memo_path(e, &s->path, s->path.n);
		} else {
			for (uint32_t i = s->from; i < s->path.n && v; i++)
				v = estep(e, &s->path.segs[i], v);
		}
		*out = v;
		if (!*out && base == e->doc && s->from == 0 && s->path.n == 1)
			*out = full_name_of(s, e);
		return BL_TRUE;
	}
	if (!s->x) {
		*out = s->v;
		return BL_TRUE;
	}
	int rc = bl_expr_eval(out, s->x, e);
	if (rc == BL_ENOMEM)
		return nomem(e);
	return rc ? BL_UNKNOWN : BL_TRUE;
}

/* The slot of leaf key k on base value b in the memo. */
static inline struct leaf_memo *leaf_slot(struct bl_eval *e, const struct bl_leaf_key *k,
					     const struct bl_value *b)
{
	uint32_t h = k->id * 0x9e3779b1u ^ (uint32_t)((uintptr_t)b >> 4);
	return &e->memo->leaves[(h ^ (h >> 15)) & (MEMO_LEAVES - 1)];
}

/* Remember leaf n's outcome t in its memo slot m (NULL: not shared);
 * unknown never (its reason must be written again each time). */
static inline __attribute__((always_inline)) void
memo_keep(struct leaf_memo *m, const struct cnode *n, const struct bl_value *mbase,
	  const struct bl_eval *e, enum bl_truth t)
{
	if (m && t != BL_UNKNOWN) {
		m->key = n->lk;
		m->base = mbase;
		m->gen = e->memo_gen;
		m->truth = (uint8_t)t;
	}
}

/*
 * eval_leaf past its memo probe, for the leaves that are not plain (enum
 * leaf_read): a runtime operand, a [*] walk, a value or an expression.
 * Out of line, so that its operand copy stays out of eval_node's frame.
 * Stores its result in m (when keyed) as eval_leaf does.
 */
static __attribute__((noinline)) enum bl_truth
eval_leaf_any(const struct cnode *n, struct bl_eval *e, struct leaf_memo *m,
	      const struct bl_value *mbase)
{
	const struct csubject *s = &n->subj;
	struct bl_operand tmp;
	const struct bl_operand *o;
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN)
		return BL_UNKNOWN;
	if (s->is_field && s->lastall >= (int32_t)s->from) {   /* never keyed */
		if (memo_root(s)) {
			/* a prefix missing before the first [*]: vacuously true, as
			 * walk says it */
			const struct bl_value *v = memo_path(e, &s->path, s->path.npfx);
			return v ? walk(n, o, v, s->path.npfx, e) : BL_TRUE;
		}
		const struct bl_value *base = subject_base(s, e);
		return base ? walk(n, o, base, s->from, e) : BL_TRUE;
	}
	const struct bl_value *v;
	if (subject_value(s, e, &v) == BL_UNKNOWN)
		return BL_UNKNOWN;
	enum bl_truth t = bl_op_apply(n->op, v, o, e);
	memo_keep(m, n, mbase, e, t);
	return t;
}

/* The value a plain leaf (n->read is LR_ROOT or LR_PLAIN) compares:
 * subject_value's answer without its call and tests. */
static inline __attribute__((always_inline)) const struct bl_value *
plain_value(const struct cnode *n, struct bl_eval *e)
{
	const struct csubject *s = &n->subj;
	const struct bl_value *v;
	if (n->read == LR_ROOT) {
		v = memo_path(e, &s->path, s->path.n);
		if (!v && s->path.n == 1)
			v = full_name_of(s, e);
		return v;
	}
	const struct bl_value *base = subject_base(s, e);
	v = base;
	for (uint32_t i = s->from; i < s->path.n && v; i++)
		v = estep(e, &s->path.segs[i], v);
	if (!v && base == e->doc && s->from == 0 && s->path.n == 1)
		v = full_name_of(s, e);
	return v;
}

/*
 * A leaf; through the memo's leaf results (struct bl_eval.memo) when it has a key
 * that other leaves share: such a leaf reads one value from its base and
 * compares it with a constant, so true and false are all it decides, and
 * reaching them changes nothing in e (only unknown writes e->error or
 * e->na, and unknown is never remembered: it is evaluated again, with its
 * reason, every time).  The plain leaves (n->read: a field read step by
 * step or from the memo, a constant operand; nearly all) are answered
 * here, their operator inline where it is one of bl_op_apply_inline's.
 */
static inline enum bl_truth eval_leaf(const struct cnode *n, struct bl_eval *e)
{
	const struct csubject *s = &n->subj;
	struct leaf_memo *m = NULL;
	const struct bl_value *mbase = NULL;
	if (n->lk && n->lk->uses > 1) {   /* a leaf of its own has nothing to share */
		mbase = subject_base(s, e);
		m = leaf_slot(e, n->lk, mbase);
		if (m->key == n->lk && m->base == mbase && m->gen == e->memo_gen)
			return (enum bl_truth)m->truth;
	}
	if (n->read == LR_ANY)
		return eval_leaf_any(n, e, m, mbase);
	enum bl_truth t = bl_op_apply_inline(n->op, plain_value(n, e), &n->operand, e);
	memo_keep(m, n, mbase, e, t);
	return t;
}

struct tally {
	uint32_t count;
	bool unknown;
};

static void count_one(const struct cnode *n, const struct bl_value *elem, struct bl_eval *e,
		      struct tally *t)
{
	if (!n->where) {
		t->count++;
		return;
	}
	struct bl_scope *sc = &e->scopes[n->depth];
	sc->name = n->name;
	sc->array = n->subj.is_field ? &n->subj.path : NULL;
	sc->current = elem;
	sc->concrete = NULL;   /* built only when evidence needs it */
	size_t saved = e->nscopes;
	e->nscopes = n->depth + 1;
	enum bl_truth r = eval_node(n->where, e);
	e->nscopes = saved;
	if (r == BL_TRUE)
		t->count++;
	else if (r == BL_UNKNOWN)
		t->unknown = true;
}

/* Every element reached by the counted path from segment i (all [*] expanded). */
static void count_walk(const struct cnode *n, const struct bl_value *v, uint32_t i,
		       struct bl_eval *e, struct tally *t)
{
	const struct bl_path *p = &n->subj.path;
	for (; i < p->n && v; i++) {
		const struct bl_seg *s = &p->segs[i];
		if (s->kind == BL_SEG_ALL) {
			if (bl_value_special(v)) {
				bl_eval_special(e, v);
				t->unknown = true;
				return;
			}
			if (v->type != BL_VARR)
				return;
			for (uint32_t k = 0; k < v->u.arr.n; k++) {
				if (i + 1 == p->n)
					count_one(n, &v->u.arr.items[k], e, t);
				else
					count_walk(n, &v->u.arr.items[k], i + 1, e, t);
			}
			return;
		}
		v = estep(e, s, v);
	}
}

/* Count the elements of n that satisfy its where; BL_UNKNOWN when the source
 * is not an array or a where came out unknown. */
static enum bl_truth count_elems(const struct cnode *n, struct bl_eval *e, uint32_t *out)
{
	struct tally t = {0};
	const struct csubject *s = &n->subj;
	if (s->is_field) {
		const struct bl_value *base = subject_base(s, e);
		uint32_t from = s->from;
		if (memo_root(s)) {
			base = memo_path(e, &s->path, s->path.npfx);
			from = s->path.npfx;
		}
		if (base)
			count_walk(n, base, from, e, &t);
	} else {
		const struct bl_value *v;
		if (subject_value(s, e, &v) == BL_UNKNOWN)
			return BL_UNKNOWN;
		if (bl_value_special(v)) {
			bl_eval_special(e, v);
			return BL_UNKNOWN;
		}
		if (v && v->type != BL_VARR) {
			snprintf(e->error, sizeof(e->error), "count value %s is %s, not an array",
				 s->text ? s->text : "", bl_vtype_name((enum bl_vtype)v->type));
			return BL_UNKNOWN;
		}
		for (uint32_t k = 0; v && k < v->u.arr.n; k++)
			count_one(n, &v->u.arr.items[k], e, &t);
	}
	*out = t.count;
	return t.unknown ? BL_UNKNOWN : BL_TRUE;
}

/* The slot of count node n in the memo. */
static inline struct count_memo *count_slot(struct bl_eval *e, const struct cnode *n)
{
	return &e->memo->counts[((uintptr_t)n >> 4) & (MEMO_COUNTS - 1)];
}

/* A count and its operator.  Out of line: its number's text and operand
 * copy stay out of eval_node's frame, which every node pays for. */
static __attribute__((noinline)) enum bl_truth eval_count(const struct cnode *n,
							  struct bl_eval *e)
{
	uint32_t cnt = 0;
	if (count_elems(n, e, &cnt) == BL_UNKNOWN)
		return BL_UNKNOWN;
	if (e->nscopes == 0 && n->subj.is_field && e->memo) {
		/* outside any where, a field count depends on the document
		 * alone: explaining it can take the number from here */
		struct count_memo *m = count_slot(e, n);
		m->node = n;
		m->gen = e->memo_gen;
		m->count = cnt;
	}
	struct bl_operand tmp;
	const struct bl_operand *o;
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN)
		return BL_UNKNOWN;
	/* the count's decimal text, as "%u" writes it (snprintf was a tenth of
	 * a count's cost) */
	char text[16];
	size_t k = sizeof(text) - 1;
	text[k] = '\0';
	uint32_t c = cnt;
	do {
		text[--k] = (char)('0' + c % 10);
		c /= 10;
	} while (c);
	struct bl_value cv;
	memset(&cv, 0, sizeof(cv));
	cv.type = BL_VNUM;
	cv.flags = BL_VF_INT;
	cv.u.num.text = text + k;
	cv.u.num.len = (uint32_t)(sizeof(text) - 1 - k);
	cv.u.num.d = (double)cnt;
	return bl_op_apply(n->op, &cv, o, e);
}

/* eval_node of every kind but a leaf.  Apart, so that a leaf (most nodes,
 * most roots) does not pay for the registers these loops keep. */
static __attribute__((noinline)) enum bl_truth eval_inner(const struct cnode *n,
							  struct bl_eval *e)
{
	switch (n->kind) {
	case CN_ALL: {
		enum bl_truth res = BL_TRUE;
		for (uint32_t i = 0; i < n->nkids; i++) {
			enum bl_truth t = eval_node(n->kids[i], e);
			if (t == BL_FALSE)
				return BL_FALSE;
			if (t == BL_UNKNOWN)
				res = BL_UNKNOWN;
		}
		return res;
	}
	case CN_ANY: {
		enum bl_truth res = BL_FALSE;
		for (uint32_t i = 0; i < n->nkids; i++) {
			enum bl_truth t = eval_node(n->kids[i], e);
			if (t == BL_TRUE)
				return BL_TRUE;
			if (t == BL_UNKNOWN)
				res = BL_UNKNOWN;
		}
		return res;
	}
	case CN_NOT: {
		enum bl_truth t = eval_node(n->kids[0], e);
		return t == BL_UNKNOWN ? t : (t == BL_TRUE ? BL_FALSE : BL_TRUE);
	}
	default:
		return eval_count(n, e);
	}
}

static enum bl_truth eval_node(const struct cnode *n, struct bl_eval *e)
{
	if (n->kind == CN_LEAF)
		return eval_leaf(n, e);
	return eval_inner(n, e);
}

enum bl_truth bl_cond_eval(const struct bl_cond *c, struct bl_eval *e)
{
	e->nscopes = 0;
	if (!memo_sync(e, c))
		return nomem(e);
	return eval_node(c->root, e);
}

/* ---- evidence ------------------------------------------------------------- */

/* Bytes that keep a key from being written bare in a path (plain_key). */
static const bool NOT_PLAIN[256] = {
	['.'] = true, ['['] = true, [']'] = true, ['\''] = true, ['"'] = true, [' '] = true,
	['/'] = true,
	['\0'] = true,   /* strchr's terminator: a NUL in a key was never plain */
};

static bool plain_key(const char *k, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (NOT_PLAIN[(unsigned char)k[i]])
			return false;
	return len > 0;
}

/* Write "[n]" at o (as "%u" writes n); its length. */
static size_t put_index(char *o, uint32_t n)
{
	char t[16];
	size_t k = sizeof(t);
	t[--k] = ']';
	do {
		t[--k] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	t[--k] = '[';
	memcpy(o, t + k, sizeof(t) - k);
	return sizeof(t) - k;
}

/*
 * The path of s with its [*] replaced by idx[] (as many as given), in arena
 * a; NULL on ENOMEM.  Written in one pass into room for the longest it can
 * be (a key quoted with every byte doubled, indexes of ten digits): a
 * growing buffer per evidence cost more than the path.
 */
static const char *concrete_path(const struct csubject *s, const uint32_t *idx, uint32_t nidx,
				 struct bl_arena *a, uint32_t *outlen)
{
	*outlen = 0;
	size_t room = 1;
	for (uint32_t i = 0; i < s->path.n; i++)
		room += s->path.segs[i].kind == BL_SEG_KEY ? 2 * (size_t)s->path.segs[i].klen + 5 : 12;
	char *o = bl_arena_alloc(a, room);
	if (!o)
		return NULL;
	size_t len = 0;
	uint32_t j = 0;
	for (uint32_t i = 0; i < s->path.n; i++) {
		const struct bl_seg *g = &s->path.segs[i];
		if (g->kind == BL_SEG_KEY) {
			if (plain_key(g->key, g->klen)) {
				if (i)
					o[len++] = '.';
				memcpy(o + len, g->key, g->klen);
				len += g->klen;
			} else {
				o[len++] = '[';
				o[len++] = '"';
				for (uint32_t k = 0; k < g->klen; k++) {
					if (g->key[k] == '"')
						o[len++] = '"';
					o[len++] = g->key[k];
				}
				o[len++] = '"';
				o[len++] = ']';
			}
		} else if (g->kind == BL_SEG_INDEX) {
			len += put_index(o + len, g->index);
		} else if (j < nidx) {
			len += put_index(o + len, idx[j++]);
		} else {
			memcpy(o + len, "[*]", 3);
			len += 3;
		}
	}
	o[len] = '\0';
	*outlen = len < UINT32_MAX ? (uint32_t)len : 0;
	return o;
}

#define MAX_STAR 32

struct finder {
	enum bl_truth want;
	uint32_t idx[MAX_STAR];
	uint32_t nidx;
	const struct bl_value *actual;
};

/* Find the first element (depth-first, in document order) whose own result
 * is f->want; records its [*] indexes and tail value. */
static bool find_elem(const struct cnode *n, const struct bl_operand *o, const struct bl_value *v,
		      uint32_t i, struct bl_eval *e, struct finder *f, uint32_t depth)
{
	const struct bl_path *p = &n->subj.path;
	for (; i < p->n; i++) {
		const struct bl_seg *s = &p->segs[i];
		if (s->kind == BL_SEG_ALL) {
			if (v->type != BL_VARR || depth >= MAX_STAR)
				return false;
			for (uint32_t k = 0; k < v->u.arr.n; k++) {
				f->idx[depth] = k;
				if (find_elem(n, o, &v->u.arr.items[k], i + 1, e, f, depth + 1))
					return true;
			}
			return false;
		}
		v = estep(e, s, v);
		if (!v) {
			if ((int32_t)i < n->subj.lastall)
				return false;
			break;
		}
	}
	if (bl_op_apply(n->op, v, o, e) != f->want)
		return false;
	f->nidx = depth;
	f->actual = v;
	return true;
}

/* One evidence item; pathlen and explen are the texts' lengths where the
 * caller knows them (0 = unknown: e->evlen says so to the message). */
static void add_ev(struct bl_eval *e, const char *path, uint32_t pathlen,
		   const struct bl_value *actual, const char *expected, uint32_t explen)
{
	if (e->nev >= BL_EVIDENCE_MAX)
		return;
	size_t i = e->nev++;
	struct bl_evidence *ev = &e->ev[i];
	ev->path = path ? path : "?";
	ev->actual = actual;
	ev->expected = expected ? expected : "";
	e->evlen[i][0] = path ? pathlen : 1;
	e->evlen[i][1] = expected ? explen : 0;
}

/*
 * Evidence states what would have been compliant.  A leaf recorded because it
 * was false is that requirement as written; a leaf recorded because it was
 * true (a `violation` leaf, or one under a `not`) must not hold, so its
 * operator is negated ("equals \"Enabled\"" becomes "notEquals \"Enabled\"").
 */
static const char *const negations[][2] = {
	{"equals", "notEquals"}, {"like", "notLike"}, {"match", "notMatch"},
	{"matchInsensitively", "notMatchInsensitively"}, {"contains", "notContains"},
	{"in", "notIn"}, {"containsKey", "notContainsKey"}, {"less", "greaterOrEquals"},
	{"lessOrEquals", "greater"}, {"regex", "notRegex"},
	{"versionLess", "versionGreaterOrEquals"}, {"versionLessOrEquals", "versionGreater"},
};

/* x then y in arena a; NULL on ENOMEM. */
static const char *concat(struct bl_arena *a, const char *x, size_t xl, const char *y, size_t yl)
{
	char *r = bl_arena_alloc(a, xl + yl + 1);
	if (!r)
		return NULL;
	memcpy(r, x, xl);
	memcpy(r + xl, y, yl);
	r[xl + yl] = '\0';
	return r;
}

/* expected_slow's answer for a leaf's text exp, which starts with the name
 * of its operator op: the name swapped for its negation's without looking
 * it up by text (the table scan and printf were most of explaining a
 * violation leaf). */
static const char *expected_text(const char *exp, uint32_t explen, int op,
				 enum bl_truth outcome, struct bl_arena *a, uint32_t *outlen);

/* expected_text's general form: exp's first word looked up as an operator
 * name (negations[]), else "not (exp)". */
static const char *expected_slow(const char *exp, enum bl_truth outcome, struct bl_arena *a)
{
	if (!exp || outcome != BL_TRUE)
		return exp;
	size_t w = strcspn(exp, " ");
	if (w == 6 && strncmp(exp, "exists", 6) == 0) {
		if (strcmp(exp + w, " true") == 0)
			return "exists false";
		if (strcmp(exp + w, " false") == 0)
			return "exists true";
	}
	for (size_t i = 0; i < sizeof(negations) / sizeof(negations[0]); i++)
		for (int d = 0; d < 2; d++)
			if (strlen(negations[i][d]) == w && strncmp(exp, negations[i][d], w) == 0) {
				const char *r = bl_arena_printf(a, "%s%s", negations[i][!d], exp + w);
				return r ? r : exp;
			}
	const char *r = bl_arena_printf(a, "not (%s)", exp);
	return r ? r : exp;
}

/* The negated operator of each one in negations[] (the same pairs), by enum;
 * 0 for none (equals, whose negation is notEquals, is listed as such). */
static const uint8_t NEG_OP[BL_OP_COUNT_] = {
	[BL_OP_EQUALS] = BL_OP_NOTEQUALS + 1, [BL_OP_NOTEQUALS] = BL_OP_EQUALS + 1,
	[BL_OP_LIKE] = BL_OP_NOTLIKE + 1, [BL_OP_NOTLIKE] = BL_OP_LIKE + 1,
	[BL_OP_MATCH] = BL_OP_NOTMATCH + 1, [BL_OP_NOTMATCH] = BL_OP_MATCH + 1,
	[BL_OP_MATCHI] = BL_OP_NOTMATCHI + 1, [BL_OP_NOTMATCHI] = BL_OP_MATCHI + 1,
	[BL_OP_CONTAINS] = BL_OP_NOTCONTAINS + 1, [BL_OP_NOTCONTAINS] = BL_OP_CONTAINS + 1,
	[BL_OP_IN] = BL_OP_NOTIN + 1, [BL_OP_NOTIN] = BL_OP_IN + 1,
	[BL_OP_CONTAINSKEY] = BL_OP_NOTCONTAINSKEY + 1,
	[BL_OP_NOTCONTAINSKEY] = BL_OP_CONTAINSKEY + 1,
	[BL_OP_LESS] = BL_OP_GREATEROREQ + 1, [BL_OP_GREATEROREQ] = BL_OP_LESS + 1,
	[BL_OP_LESSOREQ] = BL_OP_GREATER + 1, [BL_OP_GREATER] = BL_OP_LESSOREQ + 1,
	[BL_OP_REGEX] = BL_OP_NOTREGEX + 1, [BL_OP_NOTREGEX] = BL_OP_REGEX + 1,
	[BL_OP_VLESS] = BL_OP_VGREATEROREQ + 1, [BL_OP_VGREATEROREQ] = BL_OP_VLESS + 1,
	[BL_OP_VLESSOREQ] = BL_OP_VGREATER + 1, [BL_OP_VGREATER] = BL_OP_VLESSOREQ + 1,
};

/* *outlen: the answer's length, 0 when unknown (expected_slow's). */
static const char *expected_text(const char *exp, uint32_t explen, int op,
				 enum bl_truth outcome, struct bl_arena *a, uint32_t *outlen)
{
	*outlen = explen;
	if (!exp || outcome != BL_TRUE)
		return exp;
	*outlen = 0;
	const char *name = bl_op_name(op);
	size_t w = strlen(name);
	if (op == BL_OP_EXISTS || NEG_OP[op] == 0 || strncmp(exp, name, w) != 0 ||
	    (exp[w] != ' ' && exp[w] != '\0'))
		return expected_slow(exp, outcome, a);
	const char *neg = bl_op_name(NEG_OP[op] - 1);
	size_t nl = strlen(neg), rest = explen ? explen - w : strlen(exp + w);
	const char *r = concat(a, neg, nl, exp + w, rest);
	if (!r) {
		*outlen = explen;
		return exp;
	}
	*outlen = nl + rest < UINT32_MAX ? (uint32_t)(nl + rest) : 0;
	return r;
}

static void explain_leaf(const struct cnode *n, struct bl_eval *e, enum bl_truth outcome)
{
	const struct csubject *s = &n->subj;
	struct bl_operand tmp;
	const struct bl_operand *o;
	uint32_t xl;
	const char *expected = expected_text(n->expected, n->explen, n->op, outcome, e->arena,
					     &xl);
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN) {
		add_ev(e, s->text, s->textlen, NULL, expected, xl);
		return;
	}
	if (s->is_field && s->lastall >= (int32_t)s->from) {
		const struct bl_value *base = subject_base(s, e);
		const struct bl_value *from = base;
		uint32_t i = s->from;
		if (memo_root(s)) {
			from = memo_path(e, &s->path, s->path.npfx);
			i = s->path.npfx;
		}
		if (outcome != BL_TRUE && from) {
			struct finder f = {.want = outcome};
			if (find_elem(n, o, from, i, e, &f, 0)) {
				uint32_t pl;
				const char *p = concrete_path(s, f.idx, f.nidx, e->arena, &pl);
				add_ev(e, p, pl, f.actual, expected, xl);
				return;
			}
		}
		const struct bl_value *all = base ? bl_path_collect(&s->path, base, e->arena) : NULL;
		add_ev(e, s->text, s->textlen, all, expected, xl);
		return;
	}
	const struct bl_value *v = NULL;
	if (n->read != LR_ANY)
		v = plain_value(n, e);
	else
		(void)subject_value(s, e, &v);
	add_ev(e, s->text, s->textlen, v, expected, xl);
}

/* A count as a number value in arena a (bl_value_new_num's value for an
 * integer, without its printf); NULL on ENOMEM. */
static const struct bl_value *count_value(struct bl_arena *a, uint32_t c)
{
	char t[16];
	size_t k = sizeof(t);
	double d = (double)c;
	do {
		t[--k] = (char)('0' + c % 10);
		c /= 10;
	} while (c);
	struct bl_value *v = bl_value_new(a, BL_VNUM);
	char *p = v ? bl_arena_strndup(a, t + k, sizeof(t) - k) : NULL;
	if (!p)
		return NULL;
	v->u.num.text = p;
	v->u.num.len = (uint32_t)(sizeof(t) - k);
	v->u.num.d = d;
	v->flags |= BL_VF_INT;
	return v;
}

static void explain_count(const struct cnode *n, struct bl_eval *e, enum bl_truth outcome)
{
	uint32_t cnt = 0;
	enum bl_truth t = BL_TRUE;
	const struct count_memo *m = e->memo ? count_slot(e, n) : NULL;
	if (m && e->nscopes == 0 && m->node == n && m->gen == e->memo_gen)
		cnt = m->count;   /* what evaluating it found (its effects on e already happened) */
	else
		t = count_elems(n, e, &cnt);
	/* "count(PATH)", concatenated (a printf per failure cost more) */
	const char *text = n->subj.text ? n->subj.text : "";
	size_t len = strlen(text);
	char *path = bl_arena_alloc(e->arena, len + 8);
	if (path) {
		memcpy(path, "count(", 6);
		memcpy(path + 6, text, len);
		memcpy(path + 6 + len, ")", 2);
	}
	uint32_t pl = path && len + 7 < UINT32_MAX ? (uint32_t)(len + 7) : 0;
	bool neg = outcome == BL_TRUE;
	add_ev(e, path, pl, t == BL_UNKNOWN ? NULL : count_value(e->arena, cnt),
	       neg ? n->expected_not : n->expected, neg ? n->expnotlen : n->explen);
}

static void explain_node(const struct cnode *n, struct bl_eval *e, enum bl_truth outcome)
{
	if (e->nev >= BL_EVIDENCE_MAX)
		return;
	switch (n->kind) {
	case CN_ALL:
	case CN_ANY: {
		/* The value that decides on its own: false for allOf, true for anyOf. */
		enum bl_truth decisive = n->kind == CN_ALL ? BL_FALSE : BL_TRUE;
		for (uint32_t i = 0; i < n->nkids && e->nev < BL_EVIDENCE_MAX; i++) {
			enum bl_truth t = eval_node(n->kids[i], e);
			if (t != outcome)
				continue;
			explain_node(n->kids[i], e, outcome);
			if (outcome == decisive)
				return;
		}
		return;
	}
	case CN_NOT:
		explain_node(n->kids[0], e,
			     outcome == BL_UNKNOWN ? outcome : (outcome == BL_TRUE ? BL_FALSE : BL_TRUE));
		return;
	case CN_LEAF:
		explain_leaf(n, e, outcome);
		return;
	default:
		explain_count(n, e, outcome);
	}
}

void bl_cond_explain(const struct bl_cond *c, struct bl_eval *e, enum bl_truth outcome)
{
	/* Re-evaluating for evidence must not change why the result was unknown
	 * (the reason is usually empty: copy only what it holds). */
	char saved[sizeof(e->error)];
	size_t elen = e->error[0] ? strnlen(e->error, sizeof(e->error) - 1) : 0;
	memcpy(saved, e->error, elen);
	saved[elen] = '\0';
	e->nev = 0;
	e->nscopes = 0;
	if (memo_sync(e, c))   /* else no evidence (out of memory) */
		explain_node(c->root, e, outcome);
	memcpy(e->error, saved, elen + 1);
}

/* ---- description and keys -------------------------------------------------- */

void bl_cnode_describe(struct bl_buf *b, const struct cnode *n)
{
	switch (n->kind) {
	case CN_ALL:
	case CN_ANY:
		bl_buf_adds(b, n->kind == CN_ALL ? "allOf(" : "anyOf(");
		for (uint32_t i = 0; i < n->nkids; i++) {
			if (i)
				bl_buf_adds(b, "; ");
			bl_cnode_describe(b, n->kids[i]);
		}
		bl_buf_addc(b, ')');
		return;
	case CN_NOT:
		bl_buf_adds(b, "not(");
		bl_cnode_describe(b, n->kids[0]);
		bl_buf_addc(b, ')');
		return;
	case CN_LEAF:
		bl_buf_adds(b, n->subj.text ? n->subj.text : "?");
		bl_buf_addc(b, ' ');
		bl_buf_adds(b, n->expected ? n->expected : "?");
		return;
	default:
		bl_buf_adds(b, n->expected ? n->expected : "count");
	}
}

const char *bl_cond_describe(const struct bl_cond *c, struct bl_arena *a)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 20);
	bl_cnode_describe(&b, c->root);
	const char *out = b.failed ? NULL : bl_arena_strndup(a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	return out;
}

void bl_cond_keys(const struct bl_cond *c, bl_cond_key_cb cb, void *ctx)
{
	for (uint32_t i = 0; i < c->nkeys; i++)
		cb(ctx, c->keys[i], strlen(c->keys[i]));
}

/* ---- paths ------------------------------------------------------------- */

struct paths_ctx {
	bl_cond_path_cb cb;
	void *ctx;
};

static void expr_key(void *ctx, const char *key, size_t len)
{
	const struct paths_ctx *pc = ctx;
	pc->cb(pc->ctx, NULL, key, len);
}

static void subject_paths(const struct csubject *s, const struct paths_ctx *pc)
{
	if (s->is_field)
		pc->cb(pc->ctx, &s->path, NULL, 0);
	else if (s->x)
		bl_expr_keys(s->x, expr_key, (void *)pc);
}

static void node_paths(const struct cnode *n, const struct paths_ctx *pc, int depth)
{
	if (!n || depth > 1000)
		return;
	switch (n->kind) {
	case CN_ALL:
	case CN_ANY:
	case CN_NOT:
		for (uint32_t i = 0; i < n->nkids; i++)
			node_paths(n->kids[i], pc, depth + 1);
		return;
	default:
		subject_paths(&n->subj, pc);
		if (n->opx)
			bl_expr_keys(n->opx, expr_key, (void *)pc);
		if (n->kind == CN_COUNT)
			node_paths(n->where, pc, depth + 1);
	}
}

void bl_cond_paths(const struct bl_cond *c, bl_cond_path_cb cb, void *ctx)
{
	struct paths_ctx pc = {.cb = cb, .ctx = ctx};
	if (c)
		node_paths(c->root, &pc, 0);
}
