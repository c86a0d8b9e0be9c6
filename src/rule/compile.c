/*
 * compile.c - turns a condition document (FORMATS.md §2) into the compiled
 * tree of cond_internal.h: keys classified case-insensitively, paths split,
 * expressions compiled and folded, operands type-checked and prepared.
 *
 * Compilation does not stop at the first problem: every error is added to
 * env->diags with the position of the node that caused it, so `baseline lint`
 * shows them all at once.
 */
#include "rule/cond_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doc/json.h"
#include "util/str.h"

/* strlen of a text evidence quotes, for the evaluator to pass on (struct
 * bl_eval.evlen); 0, "unknown", for none or one too long to say. */
static uint32_t text_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n < UINT32_MAX ? (uint32_t)n : 0;
}

/* Keys of the language other than operators. */
enum {
	K_UNKNOWN = -1,
	K_ALLOF = 0,
	K_ANYOF,
	K_NOT,
	K_FIELD,
	K_VALUE,
	K_COUNT,
	K_WHERE,
	K_NAME,
	K_OP = 100,   /* K_OP + enum bl_op */
};

static const char *const KEYWORDS[] = {"allOf", "anyOf", "not", "field", "value", "count", "where", "name"};

struct countctx {
	const struct bl_path *path;   /* field count: the counted path; value count: NULL */
};

struct cctx {
	const struct bl_rule_env *env;
	pcre2_general_context *gctx;   /* for regexes; NULL until one needs it */
	struct countctx stack[BL_SCOPE_MAX];
	uint32_t depth;
	uint32_t errors;
	bool nomem;
	const char **keys;
	uint32_t nkeys, kcap;
	struct bl_buf json;   /* json_of's scratch, reused: one malloc per
				 condition instead of one per operand */
	struct bl_buf text;   /* the expected texts of counts, likewise */
	uint32_t nexprs;      /* runtime expressions compiled (bl_cond.no_exprs) */
	bool simple;          /* the last json_text was simple_put's: a value
				 whose JSON is its only spelling */
};

/* Keywords have three to five letters: their length and first letter pick
 * the one candidate (a scan of KEYWORDS per key of every condition was a
 * twentieth of loading builtin:linux-host). */
static int classify(const char *k, size_t len)
{
	if (len == 0)
		return K_UNKNOWN;
	int kw = K_UNKNOWN;
	int first = bl_lower((unsigned char)k[0]);
	if (len == 3 && first == 'n')
		kw = K_NOT;
	else if (len == 4 && first == 'n')
		kw = K_NAME;
	else if (len == 5)
		kw = first == 'a' ? (bl_lower((unsigned char)k[1]) == 'l' ? K_ALLOF : K_ANYOF)
		   : first == 'f' ? K_FIELD
		   : first == 'v' ? K_VALUE
		   : first == 'c' ? K_COUNT
		   : first == 'w' ? K_WHERE : K_UNKNOWN;
	if (kw != K_UNKNOWN) {
		/* keywords are letters only: c | 0x20 folds exactly those */
		size_t i = 1;
		while (i < len && ((unsigned char)k[i] | 0x20) == ((unsigned char)KEYWORDS[kw][i] | 0x20))
			i++;
		if (i == len)
			return kw;
	}
	int op = bl_op_lookup(k, len);
	return op >= 0 ? K_OP + op : K_UNKNOWN;
}

static void diag(struct cctx *c, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Record one error; the diags list copies the text. */
static void diag(struct cctx *c, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->errors++;
	if (bl_diag_add(c->env->diags, file, line, col, "%s", msg) == BL_ENOMEM)
		c->nomem = true;
}

#define DIAG_AT(c, v, ...) diag((c), (v)->file, (v)->line, (v)->col, __VA_ARGS__)
#define DIAG_KEY(c, obj, m, ...) diag((c), (obj)->file, (m)->line, (m)->col, __VA_ARGS__)

static void *alloc(struct cctx *c, size_t n, size_t size)
{
	void *p = bl_arena_calloc(c->env->arena, n ? n : 1, size);
	if (!p)
		c->nomem = true;
	return p;
}

/* Longest operand text kept (longer: ENOMEM, as bl_buf reports it). */
#define JSON_MAX ((size_t)1 << 20)

/* An integer literal that is its own JSON: no leading zero (nor "-"). */
static bool int_is_json(const struct bl_value *v)
{
	if (v->type != BL_VNUM || !(v->flags & BL_VF_INT) || !v->u.num.text)
		return false;
	const char *t = v->u.num.text;
	size_t len = v->u.num.len, d = len && t[0] == '-';
	return len > d && (t[d] != '0' || len == d + 1);
}

/* A scalar's compact JSON at o, within o[0..end); NULL when v is not one
 * written here (non-ASCII text, other numbers, containers) or does not fit. */
static char *scalar_put(char *o, const char *end, const struct bl_value *v)
{
	const char *t;
	size_t n;
	switch (v->type) {
	case BL_VSTR:
		if (bl_json_ascii_room(v->u.str.len) > (size_t)(end - o))
			return NULL;
		return bl_json_put_ascii(o, v->u.str.s, v->u.str.len);
	case BL_VNUM:
		if (!int_is_json(v))
			return NULL;
		t = v->u.num.text;
		n = v->u.num.len;
		break;
	case BL_VBOOL:
		t = v->b ? "true" : "false";
		n = v->b ? 4 : 5;
		break;
	case BL_VNULL:
		t = "null";
		n = 4;
		break;
	default:
		return NULL;
	}
	if (n > (size_t)(end - o))
		return NULL;
	memcpy(o, t, n);
	return o + n;
}

/*
 * The compact JSON of the operands most conditions have (ASCII strings,
 * integer literals that are their own JSON, booleans, null, and arrays of
 * those) written at o within o[0..end) without bl_json_write's machinery,
 * which was an eighth of compiling builtin:linux-host; NULL for anything
 * else, which bl_json_write then writes.
 */
static char *simple_put(char *o, const char *end, const struct bl_value *v)
{
	if (v->type != BL_VARR)
		return scalar_put(o, end, v);
	if (o == end)
		return NULL;
	*o++ = '[';
	for (uint32_t i = 0; i < v->u.arr.n && o; i++) {
		if (i) {
			if (o == end)
				return NULL;
			*o++ = ',';
		}
		o = scalar_put(o, end, &v->u.arr.items[i]);
	}
	if (!o || o == end)
		return NULL;
	*o++ = ']';
	return o;
}

/* Compact JSON of v in the program arena, after "OP " when op is not NULL
 * (the `expected` text of a leaf, written at once); "" on ENOMEM, flagged.
 * The text is the `expected` of evidence and descriptions. */
static const char *json_text(struct cctx *c, const char *op, const struct bl_value *v)
{
	if (!op && v->type == BL_VBOOL)
		return v->b ? "true" : "false";
	if (!op && v->type == BL_VNULL)
		return "null";
	/* most texts are short: written on the stack, then copied at their
	 * size (bl_json_put_ascii needs room for the worst case) */
	char tmp[2048];
	size_t ol = op ? strlen(op) + 1 : 0;
	char *o = NULL;
	c->simple = false;
	if (ol < sizeof(tmp) / 2) {
		if (op) {
			memcpy(tmp, op, ol - 1);
			tmp[ol - 1] = ' ';
		}
		o = simple_put(tmp + ol, tmp + sizeof(tmp), v);
	}
	if (o) {
		c->simple = true;
		char *out = bl_arena_strndup(c->env->arena, tmp, (size_t)(o - tmp));
		if (!out) {
			c->nomem = true;
			return "";
		}
		return out;
	}
	struct bl_buf *b = &c->json;
	bl_buf_reset(b);
	if (op) {
		bl_buf_adds(b, op);
		bl_buf_addc(b, ' ');
	}
	bl_json_write(b, v, 0);
	const char *s = b->failed ? NULL : bl_arena_strndup(c->env->arena, b->data ? b->data : "", b->len);
	if (!s) {
		c->nomem = true;
		return "";
	}
	return s;
}

static const char *json_of(struct cctx *c, const struct bl_value *v)
{
	return json_text(c, NULL, v);
}

static void key_add(void *ctx, const char *key, size_t len)
{
	struct cctx *c = ctx;
	for (uint32_t i = 0; i < c->nkeys; i++)
		if (bl_str_ieq(c->keys[i], strlen(c->keys[i]), key, len))
			return;
	if (c->nkeys == c->kcap) {
		uint32_t cap = c->kcap ? c->kcap * 2 : 8;
		const char **nk = alloc(c, cap, sizeof(*nk));
		if (!nk)
			return;
		if (c->nkeys)
			memcpy(nk, c->keys, c->nkeys * sizeof(*nk));
		c->keys = nk;
		c->kcap = cap;
	}
	char *low = bl_arena_strndup(c->env->arena, key, len);
	if (!low) {
		c->nomem = true;
		return;
	}
	for (size_t i = 0; i < len; i++)
		low[i] = (char)bl_lower((unsigned char)low[i]);
	c->keys[c->nkeys++] = low;
}

/* "OP OPERAND" in the program arena, or NULL on ENOMEM.  Concatenated by
 * hand: a printf per leaf was a tenth of compiling builtin:linux-host. */
static const char *op_text(struct cctx *c, int op, const char *otext)
{
	const char *name = bl_op_name(op);
	size_t nl = strlen(name), ol = strlen(otext);
	char *s = bl_arena_alloc(c->env->arena, nl + 1 + ol + 1);
	if (!s)
		return NULL;
	memcpy(s, name, nl);
	s[nl] = ' ';
	memcpy(s + nl + 1, otext, ol + 1);
	return s;
}

/* Append " OP OPERAND" to b (failures are kept in b->failed). */
static void add_op_text(struct bl_buf *b, int op, const char *otext)
{
	bl_buf_addc(b, ' ');
	bl_buf_adds(b, bl_op_name(op));
	bl_buf_addc(b, ' ');
	bl_buf_adds(b, otext);
}

/* "[[x]" is the literal string "[x]": a synthetic copy without the first '['. */
static const struct bl_value *unescape(struct cctx *c, const struct bl_value *v)
{
	if (v->type != BL_VSTR || v->u.str.len < 3 || v->u.str.s[0] != '[' || v->u.str.s[1] != '[' ||
	    v->u.str.s[v->u.str.len - 1] != ']')
		return v;
	struct bl_value *n = bl_value_new_str(c->env->arena, v->u.str.s + 1, v->u.str.len - 1);
	if (!n) {
		c->nomem = true;
		return v;
	}
	n->line = v->line;
	n->col = v->col;
	n->file = v->file;
	return n;
}

/*
 * A value that may be an expression: sets *cv to the constant (folded or
 * literal) or *x to the runtime expression.  False when compiling failed
 * (already reported).
 */
static bool value_or_expr(struct cctx *c, const struct bl_value *node, const struct bl_value **cv,
			  const struct bl_expr **x)
{
	*cv = NULL;
	*x = NULL;
	if (node->type == BL_VSTR && bl_expr_is(node->u.str.s, node->u.str.len)) {
		const struct bl_expr *ex = NULL;
		int rc = bl_expr_compile(&ex, node, c->env);
		if (rc == BL_ENOMEM) {
			c->nomem = true;
			return false;
		}
		if (rc != 0 || !ex) {
			/* The expression compiler reported its errors itself. */
			c->errors++;
			return false;
		}
		bl_expr_keys(ex, key_add, c);
		const struct bl_value *k = bl_expr_const(ex);
		if (k) {
			*cv = k;
		} else {
			*x = ex;
			c->nexprs++;
		}
		return true;
	}
	*cv = unescape(c, node);
	return true;
}

static bool seg_eq(const struct bl_seg *a, const struct bl_seg *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == BL_SEG_KEY)
		return bl_str_ieq(a->key, a->klen, b->key, b->klen);
	if (a->kind == BL_SEG_INDEX)
		return a->index == b->index;
	return true;
}

/* Bind a field path to the innermost enclosing field count whose counted
 * array it starts with; otherwise it reads the document root. */
static void bind_scope(struct cctx *c, struct csubject *s)
{
	s->scope = -1;
	s->from = 0;
	for (uint32_t d = c->depth; d-- > 0;) {
		const struct bl_path *cp = c->stack[d].path;
		if (!cp || cp->n > s->path.n)
			continue;
		uint32_t i = 0;
		while (i < cp->n && seg_eq(&cp->segs[i], &s->path.segs[i]))
			i++;
		if (i == cp->n) {
			s->scope = (int)d;
			s->from = cp->n;
			break;
		}
	}
	s->lastall = -1;
	for (uint32_t i = 0; i < s->path.n; i++)
		if (s->path.segs[i].kind == BL_SEG_ALL)
			s->lastall = (int32_t)i;
	if (s->scope < 0 && s->path.n && s->path.segs[0].kind == BL_SEG_KEY)
		key_add(c, s->path.segs[0].key, s->path.segs[0].klen);
}

/* `field: PATH` (a path, or a constant expression producing one). */
static bool compile_field(struct cctx *c, const struct bl_value *node, struct csubject *s)
{
	s->is_field = true;
	if (node->type != BL_VSTR) {
		DIAG_AT(c, node, "field needs a path string, not %s",
			bl_vtype_name((enum bl_vtype)node->type));
		return false;
	}
	const struct bl_value *cv;
	const struct bl_expr *x;
	if (!value_or_expr(c, node, &cv, &x))
		return false;
	if (x || !cv || cv->type != BL_VSTR) {
		DIAG_AT(c, node, "field expression must give a constant path string");
		return false;
	}
	struct bl_error err;
	bl_error_clear(&err);
	int rc = c->env->cache
		 ? bl_compile_cache_path(&s->path, c->env->cache, cv->u.str.s, cv->u.str.len,
				       !c->env->no_jit, &err)
		 : bl_path_compile(&s->path, cv->u.str.s, cv->u.str.len, c->env->arena, &err);
	if (rc == BL_ENOMEM) {
		c->nomem = true;
		return false;
	}
	if (rc) {
		/* err.col is 1-based within the text; the node's column is its
		 * opening quote in JSON, so the sum points at the bad byte. */
		diag(c, node->file, node->line, node->col ? node->col + err.col : 0, "%s", err.msg);
		return false;
	}
	s->text = s->path.text;
	s->textlen = text_len(s->text);
	bind_scope(c, s);
	return true;
}

/* `value: V` (a constant or an expression). */
static bool compile_value(struct cctx *c, const struct bl_value *node, struct csubject *s)
{
	s->is_field = false;
	if (!value_or_expr(c, node, &s->v, &s->x))
		return false;
	s->text = s->x ? bl_expr_text(s->x) : json_of(c, s->v);
	s->textlen = text_len(s->text);
	return true;
}

/*
 * A leaf whose answer depends only on the value its path reaches from its
 * base gets a key shared with every leaf that reads and compares the same
 * (struct bl_leaf_key): a field path without [*] past its base, and an
 * operand whose `expected` JSON is its only spelling (simple), so equal
 * texts are equal operands.  Needs the cache that interned the path; the
 * subject is compiled before the operand (compile_node).  Not for
 * conditions evaluated a few times per run (no_jit: a host's), where
 * remembering per document cannot pay for the interning; their paths
 * are not interned either (compile_field).
 */
static void leaf_key(struct cctx *c, struct cnode *n, bool simple)
{
	const struct csubject *s = &n->subj;
	if (!simple || !c->env->cache || c->env->no_jit || n->kind != CN_LEAF || !s->is_field ||
	    !s->path.segs || s->lastall >= (int32_t)s->from || !n->expected)
		return;
	n->lk = bl_compile_cache_leaf(c->env->cache, s->path.segs, s->from, n->expected);
	if (!n->lk)
		c->nomem = true;
}

/* The operand of OP: type-checked and prepared, or left as an expression. */
static bool compile_operand(struct cctx *c, struct cnode *n, int op, const struct bl_value *node,
			    bool count)
{
	const struct bl_value *cv;
	const struct bl_expr *x;
	if (!value_or_expr(c, node, &cv, &x))
		return false;
	const char *otext;
	if (x) {
		n->opx = x;
		otext = bl_expr_text(x);
	} else {
		if (count) {
			bool ok = cv->type == BL_VNUM;
			if ((op == BL_OP_IN || op == BL_OP_NOTIN) && cv->type == BL_VARR) {
				ok = true;
				for (uint32_t i = 0; i < cv->u.arr.n; i++)
					ok = ok && cv->u.arr.items[i].type == BL_VNUM;
			}
			if (!ok) {
				DIAG_AT(c, node, "%s on a count needs %s", bl_op_name(op),
					(op == BL_OP_IN || op == BL_OP_NOTIN) ? "an array of numbers"
									   : "a number");
				return false;
			}
		}
		char msg[300];
		msg[0] = '\0';
		bool rx = op == BL_OP_REGEX || op == BL_OP_NOTREGEX || op == BL_OP_SCANUM ||
			  op == BL_OP_NOTSCANUM;
		if (rx && !c->gctx) {
			/* made on first need: most conditions have no regex */
			c->gctx = bl_ops_gctx(c->env->arena);
			if (!c->gctx) {
				c->nomem = true;
				return false;
			}
		}
		/* a pattern written as such in a document whose patterns are known
		 * to compile (not one an expression or "[[" escape produced) */
		bool lazy = (op == BL_OP_REGEX || op == BL_OP_NOTREGEX) && c->env->lazy_regex &&
			    c->env->cache && cv == node;
		int rc = lazy ? bl_op_prepare_lazy_regex(&n->operand, op, cv, c->env->cache,
							 !c->env->no_jit, msg, sizeof(msg))
			      : bl_op_prepare(&n->operand, op, cv, c->env->arena,
					      c->env->cache, c->gctx, !c->env->no_jit, msg,
					      sizeof(msg));
		if (rc == BL_ENOMEM) {
			c->nomem = true;
			return false;
		}
		if (rc) {
			DIAG_AT(c, node, "%s", msg);
			return false;
		}
		otext = NULL;   /* written with the operator below */
	}
	n->op = (uint8_t)op;
	if (!count) {
		n->expected = otext ? op_text(c, op, otext) : json_text(c, bl_op_name(op), cv);
		if (!n->expected)
			c->nomem = true;
		n->explen = text_len(n->expected);
		leaf_key(c, n, !otext && c->simple);
	}
	return true;
}

static struct cnode *compile_node(struct cctx *c, const struct bl_value *v);

/*
 * How eval.c's eval_leaf reads leaf n (enum leaf_read): the plain forms
 * are a field without [*] past its base and a constant operand, where the
 * value read is all the operator sees.  LR_ROOT is eval.c's memo_root
 * with every segment an interned prefix (compiled for many documents:
 * the program sets up the evaluator's memo).
 */
static uint8_t leaf_read(const struct cnode *n)
{
	const struct csubject *s = &n->subj;
	if (n->opx || !s->is_field || s->lastall >= (int32_t)s->from)
		return LR_ANY;
	if (s->scope < 0 && s->path.npfx > 0)
		return s->path.npfx == s->path.n ? LR_ROOT : LR_ANY;
	return LR_PLAIN;
}

static struct cnode *compile_logic(struct cctx *c, int k, const struct bl_value *obj,
				   const struct bl_member *m)
{
	struct cnode *n = alloc(c, 1, sizeof(*n));
	if (!n)
		return NULL;
	const struct bl_value *arg = &m->val;
	if (k == K_NOT) {
		n->kind = CN_NOT;
		n->kids = alloc(c, 1, sizeof(*n->kids));
		if (!n->kids)
			return NULL;
		n->nkids = 1;
		n->kids[0] = compile_node(c, arg);
		return n->kids[0] ? n : NULL;
	}
	n->kind = k == K_ALLOF ? CN_ALL : CN_ANY;
	if (arg->type != BL_VARR) {
		DIAG_KEY(c, obj, m, "%s needs an array of conditions", KEYWORDS[k]);
		return NULL;
	}
	n->nkids = arg->u.arr.n;
	n->kids = alloc(c, arg->u.arr.n, sizeof(*n->kids));
	if (!n->kids)
		return NULL;
	bool ok = true;
	for (uint32_t i = 0; i < arg->u.arr.n; i++) {
		n->kids[i] = compile_node(c, &arg->u.arr.items[i]);
		ok = ok && n->kids[i];
	}
	return ok ? n : NULL;
}

/* The object under `count`; fills n's subject, name and where. */
static bool compile_count(struct cctx *c, struct cnode *n, const struct bl_value *obj,
			  const struct bl_member *cm)
{
	const struct bl_value *cv = &cm->val;
	if (cv->type != BL_VOBJ) {
		DIAG_KEY(c, obj, cm, "count needs an object with 'field' or 'value'");
		return false;
	}
	const struct bl_member *fm = NULL, *vm = NULL, *nm = NULL, *wm = NULL;
	bool ok = true;
	for (uint32_t i = 0; i < cv->u.obj.n; i++) {
		const struct bl_member *m = &cv->u.obj.items[i];
		int k = classify(m->key, m->klen);
		const struct bl_member **slot = k == K_FIELD ? &fm : k == K_VALUE ? &vm
					      : k == K_NAME  ? &nm : k == K_WHERE ? &wm : NULL;
		if (!slot) {
			DIAG_KEY(c, cv, m, "unknown key '%.*s' in count (expected field, value, name, where)",
				 (int)m->klen, m->key);
			ok = false;
			continue;
		}
		*slot = m;
	}
	if (fm && vm) {
		DIAG_KEY(c, cv, vm, "count takes either 'field' or 'value', not both");
		return false;
	}
	if (!fm && !vm) {
		DIAG_AT(c, cv, "count needs 'field' or 'value'");
		return false;
	}
	if (nm && fm) {
		DIAG_KEY(c, cv, nm, "'name' is only valid in a value count");
		ok = false;
	}
	if (c->depth >= BL_SCOPE_MAX) {
		DIAG_AT(c, cv, "count nested more than %d deep", BL_SCOPE_MAX);
		return false;
	}
	if (fm) {
		if (!compile_field(c, &fm->val, &n->subj))
			return false;
		const struct bl_path *p = &n->subj.path;
		if (p->n == 0 || p->segs[p->n - 1].kind != BL_SEG_ALL) {
			DIAG_AT(c, &fm->val, "count field must be an array path ending in [*]");
			return false;
		}
	} else {
		if (!compile_value(c, &vm->val, &n->subj))
			return false;
		if (n->subj.v && n->subj.v->type != BL_VARR) {
			DIAG_AT(c, &vm->val, "count value must be an array, not %s",
				bl_vtype_name((enum bl_vtype)n->subj.v->type));
			ok = false;
		}
		if (nm) {
			if (nm->val.type != BL_VSTR || nm->val.u.str.len == 0) {
				DIAG_AT(c, &nm->val, "count name must be a non-empty string");
				ok = false;
			} else {
				n->name = bl_arena_strndup(c->env->arena, nm->val.u.str.s, nm->val.u.str.len);
				if (!n->name)
					c->nomem = true;
			}
		}
	}
	n->depth = c->depth;
	if (wm) {
		c->stack[c->depth].path = fm ? &n->subj.path : NULL;
		c->depth++;
		n->where = compile_node(c, &wm->val);
		c->depth--;
		ok = ok && n->where;
	}
	return ok;
}

static struct cnode *compile_node(struct cctx *c, const struct bl_value *v)
{
	if (v->type != BL_VOBJ) {
		DIAG_AT(c, v, "a condition must be an object, not %s", bl_vtype_name((enum bl_vtype)v->type));
		return NULL;
	}
	const struct bl_member *logic = NULL, *subj = NULL, *opm = NULL;
	int logic_k = 0, subj_k = 0, op = -1;
	bool ok = true;
	for (uint32_t i = 0; i < v->u.obj.n; i++) {
		const struct bl_member *m = &v->u.obj.items[i];
		int k = classify(m->key, m->klen);
		if (k == K_UNKNOWN) {
			DIAG_KEY(c, v, m, "unknown key '%.*s' (not an operator or condition keyword)",
				 (int)m->klen, m->key);
			ok = false;
		} else if (k == K_ALLOF || k == K_ANYOF || k == K_NOT) {
			if (!logic) {
				logic = m;
				logic_k = k;
			}
		} else if (k == K_FIELD || k == K_VALUE || k == K_COUNT) {
			if (subj) {
				DIAG_KEY(c, v, m, "condition has both '%s' and '%s'", KEYWORDS[subj_k], KEYWORDS[k]);
				ok = false;
			} else {
				subj = m;
				subj_k = k;
			}
		} else if (k == K_WHERE || k == K_NAME) {
			DIAG_KEY(c, v, m, "'%s' is only valid inside count", KEYWORDS[k]);
			ok = false;
		} else {
			if (opm) {
				DIAG_KEY(c, v, m, "condition has more than one operator ('%s' and '%s')",
					 bl_op_name(op), bl_op_name(k - K_OP));
				ok = false;
			} else {
				opm = m;
				op = k - K_OP;
			}
		}
	}
	if (logic) {
		if (v->u.obj.n > 1) {
			for (uint32_t i = 0; i < v->u.obj.n; i++) {
				const struct bl_member *m = &v->u.obj.items[i];
				if (m != logic && classify(m->key, m->klen) != K_UNKNOWN)
					DIAG_KEY(c, v, m, "'%.*s' cannot be combined with '%s' in one object",
						 (int)m->klen, m->key, KEYWORDS[logic_k]);
			}
			ok = false;
		}
		struct cnode *n = compile_logic(c, logic_k, v, logic);
		return ok ? n : NULL;
	}
	if (!subj) {
		DIAG_AT(c, v, "condition needs 'field', 'value', 'count', 'allOf', 'anyOf' or 'not'");
		ok = false;
	}
	if (!opm) {
		DIAG_AT(c, v, "condition has no operator");
		ok = false;
	}
	struct cnode *n = alloc(c, 1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = subj_k == K_COUNT ? CN_COUNT : CN_LEAF;
	if (subj) {
		if (subj_k == K_FIELD)
			ok = compile_field(c, &subj->val, &n->subj) && ok;
		else if (subj_k == K_VALUE)
			ok = compile_value(c, &subj->val, &n->subj) && ok;
		else
			ok = compile_count(c, n, v, subj) && ok;
	}
	if (opm) {
		if (n->kind == CN_COUNT && !bl_op_count_ok(op)) {
			DIAG_KEY(c, v, opm, "operator '%s' cannot compare a count", bl_op_name(op));
			ok = false;
		} else {
			ok = compile_operand(c, n, op, &opm->val, n->kind == CN_COUNT) && ok;
		}
	}
	if (ok && n->kind == CN_LEAF)
		n->read = leaf_read(n);
	if (ok && n->kind == CN_COUNT) {
		/* a where clause's own counts were finished (and the buffer
		 * released to this one) before */
		struct bl_buf b = c->text;
		bl_buf_reset(&b);
		bl_buf_adds(&b, "count of ");
		bl_buf_adds(&b, n->subj.text ? n->subj.text : "?");
		if (n->where) {
			bl_buf_adds(&b, " where ");
			bl_cnode_describe(&b, n->where);
		}
		size_t stem = b.len;
		const char *otext = n->opx ? bl_expr_text(n->opx) : json_of(c, n->operand.v);
		add_op_text(&b, n->op, otext);
		n->expected = b.failed ? NULL : bl_arena_strndup(c->env->arena, b.data, b.len);
		/* the requirement a violation count fails: the operator negated */
		static const int neg[][2] = {
			{BL_OP_EQUALS, BL_OP_NOTEQUALS}, {BL_OP_LESS, BL_OP_GREATEROREQ},
			{BL_OP_LESSOREQ, BL_OP_GREATER}, {BL_OP_IN, BL_OP_NOTIN},
		};
		int nop = -1;
		for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++) {
			if (neg[i][0] == n->op)
				nop = neg[i][1];
			if (neg[i][1] == n->op)
				nop = neg[i][0];
		}
		b.len = stem;
		if (nop >= 0)
			add_op_text(&b, nop, otext);
		n->expected_not = b.failed || nop < 0 ? n->expected
			: bl_arena_strndup(c->env->arena, b.data, b.len);
		if (!n->expected || !n->expected_not)
			c->nomem = true;
		n->explen = text_len(n->expected);
		n->expnotlen = text_len(n->expected_not);
		c->text = b;   /* keep what it grew to */
	}
	return ok ? n : NULL;
}

int bl_cond_compile(const struct bl_cond **out, const struct bl_value *cond,
		    const struct bl_rule_env *env)
{
	*out = NULL;
	struct cctx c = {.env = env};
	bl_buf_init(&c.json, JSON_MAX);
	bl_buf_init(&c.text, 1u << 20);
	struct cnode *root = compile_node(&c, cond);
	bl_buf_free(&c.json);
	bl_buf_free(&c.text);
	if (c.nomem)
		return BL_ENOMEM;
	if (!root || c.errors)
		return BL_EINVAL;
	struct bl_cond *bc = bl_arena_calloc(env->arena, 1, sizeof(*bc));
	if (!bc)
		return BL_ENOMEM;
	bc->root = root;
	bc->keys = c.keys;
	bc->nkeys = c.nkeys;
	bc->no_exprs = c.nexprs == 0;
	bc->memo = env->cache && !env->no_jit;
	*out = bc;
	return 0;
}
