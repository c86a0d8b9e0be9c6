/*
 * eval.c - runs a compiled condition against one asset document with
 * three-valued (Kleene) logic, explains an outcome as evidence, describes
 * conditions for people and lists the document keys a condition reads.
 *
 * The pass path allocates nothing: paths are pre-split, operands prepared;
 * only runtime expressions, text forms of arrays/objects and evidence use the
 * evaluation arena.
 */
#include "rule/cond_internal.h"

#include <stdio.h>
#include <string.h>

#include "doc/json.h"
#include "util/str.h"

void bl_eval_init(struct bl_eval *e)
{
	memset(e, 0, sizeof(*e));
}

void bl_eval_reset(struct bl_eval *e, const struct bl_value *doc, struct bl_arena *arena)
{
	e->doc = doc;
	e->arena = arena;
	e->nscopes = 0;
	e->nev = 0;
	bl_eval_clear(e);
}

void bl_eval_clear(struct bl_eval *e)
{
	e->error[0] = '\0';
	e->na = false;
	e->na_reason[0] = '\0';
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

/* Resolve a subject that is a value, or a field without [*] after `from`. */
static enum bl_truth subject_value(const struct csubject *s, struct bl_eval *e,
				   const struct bl_value **out)
{
	*out = NULL;
	if (s->is_field) {
		const struct bl_value *base = subject_base(s, e);
		const struct bl_value *v = base;
		for (uint32_t i = s->from; i < s->path.n && v; i++)
			v = estep(e, &s->path.segs[i], v);
		*out = v;
		if (!*out && base == e->doc && s->from == 0 && s->path.n == 1 &&
		    s->path.segs[0].kind == BL_SEG_KEY &&
		    bl_str_ieq(s->path.segs[0].key, s->path.segs[0].klen, "fullName", 8))
			*out = bl_eval_full_name(e, e->doc);
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

static enum bl_truth eval_leaf(const struct cnode *n, struct bl_eval *e)
{
	struct bl_operand tmp;
	const struct bl_operand *o;
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN)
		return BL_UNKNOWN;
	const struct csubject *s = &n->subj;
	if (s->is_field && s->lastall >= (int32_t)s->from) {
		const struct bl_value *base = subject_base(s, e);
		return base ? walk(n, o, base, s->from, e) : BL_TRUE;
	}
	const struct bl_value *v;
	if (subject_value(s, e, &v) == BL_UNKNOWN)
		return BL_UNKNOWN;
	return bl_op_apply(n->op, v, o, e);
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
		if (base)
			count_walk(n, base, s->from, e, &t);
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

static enum bl_truth eval_count(const struct cnode *n, struct bl_eval *e, uint32_t *cnt)
{
	*cnt = 0;
	if (count_elems(n, e, cnt) == BL_UNKNOWN)
		return BL_UNKNOWN;
	struct bl_operand tmp;
	const struct bl_operand *o;
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN)
		return BL_UNKNOWN;
	/* the count's decimal text, as "%u" writes it (snprintf was a tenth of
	 * a count's cost) */
	char text[16];
	size_t k = sizeof(text) - 1;
	text[k] = '\0';
	uint32_t c = *cnt;
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
	cv.u.num.d = (double)*cnt;
	return bl_op_apply(n->op, &cv, o, e);
}

static enum bl_truth eval_node(const struct cnode *n, struct bl_eval *e)
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
	case CN_LEAF:
		return eval_leaf(n, e);
	default: {
		uint32_t cnt;
		return eval_count(n, e, &cnt);
	}
	}
}

enum bl_truth bl_cond_eval(const struct bl_cond *c, struct bl_eval *e)
{
	e->nscopes = 0;
	return eval_node(c->root, e);
}

/* ---- evidence ------------------------------------------------------------- */

static bool plain_key(const char *k, size_t len)
{
	for (size_t i = 0; i < len; i++)
		switch (k[i]) {
		case '.': case '[': case ']': case '\'': case '"': case ' ': case '/':
		case '\0':   /* strchr's terminator: a NUL in a key was never plain */
			return false;
		default:
			break;
		}
	return len > 0;
}

/* Append "[n]" (bl_buf_printf's "%u", without its cost per evidence). */
static void add_index(struct bl_buf *b, uint32_t n)
{
	char t[16];
	size_t k = sizeof(t);
	t[--k] = ']';
	do {
		t[--k] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	t[--k] = '[';
	bl_buf_add(b, t + k, sizeof(t) - k);
}

/* The path of s with its [*] replaced by idx[] (as many as given). */
static const char *concrete_path(const struct csubject *s, const uint32_t *idx, uint32_t nidx,
				 struct bl_arena *a)
{
	struct bl_buf b;
	bl_buf_init(&b, 1u << 16);
	uint32_t j = 0;
	for (uint32_t i = 0; i < s->path.n; i++) {
		const struct bl_seg *g = &s->path.segs[i];
		if (g->kind == BL_SEG_KEY) {
			if (plain_key(g->key, g->klen)) {
				if (i)
					bl_buf_addc(&b, '.');
				bl_buf_add(&b, g->key, g->klen);
			} else {
				bl_buf_adds(&b, "[\"");
				for (uint32_t k = 0; k < g->klen; k++) {
					if (g->key[k] == '"')
						bl_buf_addc(&b, '"');
					bl_buf_addc(&b, g->key[k]);
				}
				bl_buf_adds(&b, "\"]");
			}
		} else if (g->kind == BL_SEG_INDEX) {
			add_index(&b, g->index);
		} else if (j < nidx) {
			add_index(&b, idx[j++]);
		} else {
			bl_buf_adds(&b, "[*]");
		}
	}
	const char *out = b.failed ? NULL : bl_arena_strndup(a, b.data ? b.data : "", b.len);
	bl_buf_free(&b);
	return out;
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

static void add_ev(struct bl_eval *e, const char *path, const struct bl_value *actual,
		   const char *expected)
{
	if (e->nev >= BL_EVIDENCE_MAX)
		return;
	struct bl_evidence *ev = &e->ev[e->nev++];
	ev->path = path ? path : "?";
	ev->actual = actual;
	ev->expected = expected ? expected : "";
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

static const char *expected_text(const char *exp, enum bl_truth outcome, struct bl_arena *a)
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

static void explain_leaf(const struct cnode *n, struct bl_eval *e, enum bl_truth outcome)
{
	const struct csubject *s = &n->subj;
	struct bl_operand tmp;
	const struct bl_operand *o;
	const char *expected = expected_text(n->expected, outcome, e->arena);
	if (get_operand(n, e, &tmp, &o) == BL_UNKNOWN) {
		add_ev(e, s->text, NULL, expected);
		return;
	}
	if (s->is_field && s->lastall >= (int32_t)s->from) {
		const struct bl_value *base = subject_base(s, e);
		if (outcome != BL_TRUE && base) {
			struct finder f = {.want = outcome};
			if (find_elem(n, o, base, s->from, e, &f, 0)) {
				add_ev(e, concrete_path(s, f.idx, f.nidx, e->arena), f.actual, expected);
				return;
			}
		}
		const struct bl_value *all = base ? bl_path_collect(&s->path, base, e->arena) : NULL;
		add_ev(e, s->text, all, expected);
		return;
	}
	const struct bl_value *v = NULL;
	(void)subject_value(s, e, &v);
	add_ev(e, s->text, v, expected);
}

static void explain_count(const struct cnode *n, struct bl_eval *e, enum bl_truth outcome)
{
	uint32_t cnt = 0;
	enum bl_truth t = count_elems(n, e, &cnt);
	const char *path = bl_arena_printf(e->arena, "count(%s)", n->subj.text ? n->subj.text : "");
	add_ev(e, path, t == BL_UNKNOWN ? NULL : bl_value_new_num(e->arena, (double)cnt),
	       outcome == BL_TRUE ? n->expected_not : n->expected);
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
	size_t elen = strnlen(e->error, sizeof(e->error) - 1);
	memcpy(saved, e->error, elen);
	saved[elen] = '\0';
	e->nev = 0;
	e->nscopes = 0;
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
