/*
 * ops.h - the operators of the condition language (internal to src/rule):
 * name lookup, compile-time preparation of operands (case folding, numeric
 * forms, regexes) and the comparison of one actual value against one
 * prepared operand, with Azure Policy's semantics (docs/conditions.md).
 */
#ifndef BL_RULE_OPS_H
#define BL_RULE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "doc/value.h"
#include "rule/rule.h"
#include "util/arena.h"
#include "util/str.h"

enum bl_op {
	BL_OP_EQUALS = 0,
	BL_OP_NOTEQUALS,
	BL_OP_LIKE,
	BL_OP_NOTLIKE,
	BL_OP_MATCH,
	BL_OP_NOTMATCH,
	BL_OP_MATCHI,
	BL_OP_NOTMATCHI,
	BL_OP_CONTAINS,
	BL_OP_NOTCONTAINS,
	BL_OP_IN,
	BL_OP_NOTIN,
	BL_OP_CONTAINSKEY,
	BL_OP_NOTCONTAINSKEY,
	BL_OP_LESS,
	BL_OP_LESSOREQ,
	BL_OP_GREATER,
	BL_OP_GREATEROREQ,
	BL_OP_EXISTS,
	BL_OP_REGEX,
	BL_OP_NOTREGEX,
	BL_OP_VLESS,
	BL_OP_VLESSOREQ,
	BL_OP_VGREATER,
	BL_OP_VGREATEROREQ,
	BL_OP_MODEATMOST,
	/* Extensions for imported Wazuh SCA policies (docs/wazuh-sca.md). */
	BL_OP_NAUNLESS,      /* notApplicableUnless: true, else not_applicable */
	BL_OP_SCANUM,        /* scaNumeric: regex capture compared with a number */
	BL_OP_NOTSCANUM,     /* notScaNumeric */
	BL_OP_COUNT_
};

struct bl_regex_slot;   /* one pattern of a struct bl_compile_cache (ops.c) */

/* A prepared operand.  Built once at compile time for constants, or per
 * evaluation (in the eval arena) for operands that are runtime expressions. */
struct bl_operand {
	const struct bl_value *v;     /* the operand value */
	const char *raw;              /* text form as written (strings, numbers) */
	const char *lower;            /* text form, ASCII-lowercased */
	pcre2_code *re;               /* regex/notRegex, scaNumeric (NULL while lazy) */
	struct bl_regex_slot *lazy;   /* regex/notRegex compiled on first use, or NULL
					 (bl_op_prepare_lazy_regex) */
	struct bl_operand *items;     /* in/notIn: one per array element */
	const struct bl_value *na;    /* notApplicableUnless: the BL_VNA value with the reason */
	double num;                   /* isnum: the number */
	uint32_t rawlen;
	uint32_t llen;
	uint32_t mode;                /* modeAtMost: the mask */
	uint32_t nitems;
	uint32_t likelen;             /* like/notLike: its literal part's length */
	bool isnum;                   /* v is a number: num holds it */
	bool flag;                    /* exists: the boolean */
	uint8_t cmp;                  /* scaNumeric: comparison (ops.c) */
	uint8_t like;                 /* like/notLike: shape of the pattern (ops.c) */
};


/* Canonical (documented) spelling of an operator, e.g. "notEquals". */
const char *bl_op_name(int op);

/* Operator for a key, matched case-insensitively; -1 when it is none. */
int bl_op_lookup(const char *key, size_t len);

/* May the operator compare a count?  (equals notEquals less... in notIn) */
bool bl_op_count_ok(int op);

/* A general context whose allocations come from arena a (so compiled
 * regexes are released with the program's arena).  NULL on ENOMEM. */
pcre2_general_context *bl_ops_gctx(struct bl_arena *a);

/*
 * Check v's type for op and prepare o (strings in arena a, regex through
 * gctx, which must allocate from a: bl_ops_gctx(a); jit says whether to
 * JIT-compile, and freeing a releases the JIT's code; a regex already in cache, which may
 * be NULL, is shared instead of compiled again).  Returns 0; BL_EINVAL with a
 * message in msg (the operand is unusable: wrong type, bad regex, bad mode
 * mask); BL_ENOMEM.
 */
int bl_op_prepare(struct bl_operand *o, int op, const struct bl_value *v, struct bl_arena *a,
		  struct bl_compile_cache *cache,
		  pcre2_general_context *gctx, bool jit, char *msg, size_t msgsize);

/*
 * Prepare a regex/notRegex operand (v must be a string: else BL_EINVAL with
 * msg) without compiling its pattern: the first bl_op_apply that needs it
 * compiles it (JIT when jit), once for every thread, into cache's arena.
 * Only for patterns already known to compile (a shipped baseline's literals,
 * checked when the content is built: scripts/embed.c): a pattern that
 * fails anyway makes each leaf that uses it unknown ("invalid regex ...").
 * Returns 0, BL_EINVAL or BL_ENOMEM.
 */
int bl_op_prepare_lazy_regex(struct bl_operand *o, int op, const struct bl_value *v,
			     struct bl_compile_cache *cache, bool jit, char *msg, size_t msgsize);

struct bl_path;
struct bl_error;

/*
 * What makes two leaves of a program give the same answer on the same base
 * value (rule/eval.c remembers leaf results per document by this key): the
 * same field path (its interned segments), read from the same segment, and
 * the same operator and operand, as the `expected` text "OP JSON" says when
 * the operand is one whose JSON is its only spelling (bl_compile_cache_leaf's
 * caller decides).  Read-only after compile.
 */
struct bl_leaf_key {
	const void *path;       /* the path's segments (struct bl_path.segs) */
	const char *expected;   /* "OP JSON" */
	uint32_t from;          /* the first segment read from the base */
	uint32_t id;            /* 1, 2, ... in its program: picks a memo slot */
	uint32_t uses;          /* how many leaves have it: one is not worth remembering */
};

/*
 * The key of a leaf reading path (interned by bl_compile_cache_path) from
 * segment `from`, compared as `expected` says; the same node for every
 * leaf that gives those three again.  Only while compiling, as for paths.
 * NULL on ENOMEM (the leaf then goes without).
 */
const struct bl_leaf_key *bl_compile_cache_leaf(struct bl_compile_cache *cache, const void *path,
					      uint32_t from, const char *expected);

/*
 * The field path text[0..len) compiled (rule/path.h) into cache's arena, or
 * the one compiled for an equal text before: a baseline spells the same
 * paths again and again (builtin:linux-host: 1,045 paths, 481 distinct), and
 * compiled paths are read-only.  Only while compiling conditions, whose
 * program arena must be cache's (as for regexes).  Returns what
 * bl_path_compile returns; a path that does not compile is not remembered.
 * With prefixes, the path's segments before its first [*] come with their
 * interned prefixes (out->pfx, path.h), each counting one more use per
 * call; without, out->pfx is NULL unless an earlier call asked for them
 * (interning is a tenth of compiling a condition, and pays only when the
 * conditions are evaluated for many documents).
 */
int bl_compile_cache_path(struct bl_path *out, struct bl_compile_cache *cache, const char *text,
			size_t len, bool prefixes, struct bl_error *err);

/*
 * Compare actual (NULL when the field is missing) with o.  BL_UNKNOWN sets
 * e->error.  Allocates only from e->arena (and only for text forms of
 * arrays/objects and the lazily created regex match data).
 */
enum bl_truth bl_op_apply(int op, const struct bl_value *actual, const struct bl_operand *o,
			  struct bl_eval *e);

/* bl_op_eq's answer for the values its inline part does not take
 * (ops.c). */
bool bl_op_eq_other(const struct bl_value *a, const struct bl_operand *o);

/* bl_lower on each of the eight bytes of x at once: bit 7 of a byte's
 * low seven bits plus 0x3f says ">= 'A'", plus 0x25 says "> 'Z'" (neither
 * sum carries into the next byte); a byte with bit 7 set is no letter. */
static inline uint64_t bl_op_lower8(uint64_t x)
{
	uint64_t h = x & 0x7f7f7f7f7f7f7f7fu;
	uint64_t upper = (h + 0x3f3f3f3f3f3f3f3fu) & ~(h + 0x2525252525252525u) & ~x &
			 0x8080808080808080u;
	return x | (upper >> 2);   /* 0x80 >> 2 is the 0x20 that lowers a letter */
}

/* Equal ignoring case where lower is already lower-case (folds one side
 * only), eight bytes at a time: equals and in compare every string they
 * see. */
static inline bool bl_op_ieq_lower(const char *a, size_t alen, const char *lower, size_t llen)
{
	if (alen != llen)
		return false;
	if (alen < 8) {
		for (size_t i = 0; i < alen; i++)
			if (bl_lower((unsigned char)a[i]) != (unsigned char)lower[i])
				return false;
		return true;
	}
	uint64_t p, q;
	for (size_t i = 0; i + 8 < alen; i += 8) {
		memcpy(&p, a + i, 8);
		memcpy(&q, lower + i, 8);
		if (bl_op_lower8(p) != q)
			return false;
	}
	/* the last eight bytes (overlapping what was compared: same answer) */
	memcpy(&p, a + alen - 8, 8);
	memcpy(&q, lower + alen - 8, 8);
	return bl_op_lower8(p) == q;
}

/* The equality of equals/in/contains between a present value a (not
 * special) and one prepared operand.  Inline where it runs for most
 * results: a string against a scalar operand (the usual case) is one
 * length test and, only when the lengths agree, a folding compare. */
static inline bool bl_op_eq(const struct bl_value *a, const struct bl_operand *o)
{
	const struct bl_value *v = o->v;
	if (a->type == BL_VSTR && v->type != BL_VARR && v->type != BL_VOBJ)
		return bl_op_ieq_lower(a->u.str.s, a->u.str.len, o->lower, o->llen);
	return bl_op_eq_other(a, o);
}

/* in: is a equal to one of o's items? */
static inline bool bl_op_in(const struct bl_value *a, const struct bl_operand *o)
{
	for (uint32_t i = 0; i < o->nitems; i++)
		if (bl_op_eq(a, &o->items[i]))
			return true;
	return false;
}

/* bl_op_apply(op, actual, o, e), answering without the call the operators
 * most leaves of most baselines use: equals, in and exists, which never
 * give unknown on a value that is not special. */
static inline enum bl_truth bl_op_apply_inline(int op, const struct bl_value *actual,
					       const struct bl_operand *o, struct bl_eval *e)
{
	if (bl_value_special(actual))
		return bl_op_apply(op, actual, o, e);
	switch (op) {
	case BL_OP_EQUALS:
		return actual && bl_op_eq(actual, o) ? BL_TRUE : BL_FALSE;
	case BL_OP_NOTEQUALS:
		return actual && bl_op_eq(actual, o) ? BL_FALSE : BL_TRUE;
	case BL_OP_IN:
		return actual && bl_op_in(actual, o) ? BL_TRUE : BL_FALSE;
	case BL_OP_NOTIN:
		return actual && bl_op_in(actual, o) ? BL_FALSE : BL_TRUE;
	case BL_OP_EXISTS:
		return (actual != NULL) == o->flag ? BL_TRUE : BL_FALSE;
	default:
		return bl_op_apply(op, actual, o, e);
	}
}

/* Release the per-thread regex scratch kept in e->regex_scratch. */
void bl_ops_scratch_free(struct bl_eval *e);

/* Equality used by equals/in/contains: numbers numerically, containers
 * structurally, everything else as text ignoring ASCII case. */
bool bl_value_text_eq(const struct bl_value *a, const struct bl_value *b);

#endif
