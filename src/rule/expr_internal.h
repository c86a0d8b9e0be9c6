/*
 * expr_internal.h - what expr.c (parser, folding, evaluation) and expr_fn.c
 * (the function table) share.  Not for use outside src/rule/expr*.c.
 *
 * An expression compiles to a tree of struct bl_xnode.  A call node names
 * its entry in the function table; each implementation evaluates its own
 * arguments through bl_xarg(), so if()/and()/or() can leave arguments
 * unevaluated and a new function is one table row plus one function.
 */
#ifndef BL_RULE_EXPR_INTERNAL_H
#define BL_RULE_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/value.h"
#include "rule/path.h"
#include "rule/rule.h"
#include "util/arena.h"

/* Maximum height of an expression tree (calls, brackets and property
 * accesses all count), so parsing, folding and evaluation recurse at most
 * this deep whatever the input. */
#define BL_EXPR_MAX_DEPTH 64

/* Arity "no upper bound". */
#define BL_XARGS_ANY 0xFFu

enum bl_xkind {
	BL_XN_CONST = 0,   /* literal or folded value */
	BL_XN_CALL,        /* name(args...) */
	BL_XN_PROP,        /* base.key or base['key'] */
	BL_XN_INDEX,       /* base[expr] */
};

struct bl_xfn;

struct bl_xnode {
	uint8_t kind;                 /* enum bl_xkind */
	bool dynamic;                 /* depends on the asset (field()/current() inside) */
	uint16_t height;              /* 1 for a leaf */
	uint32_t off;                 /* offset of the node's first byte in the text */
	const struct bl_value *val;   /* BL_XN_CONST (never NULL) */
	const struct bl_xfn *fn;      /* BL_XN_CALL */
	struct bl_xnode **args;       /* BL_XN_CALL */
	uint32_t nargs;
	struct bl_xnode *base;        /* BL_XN_PROP, BL_XN_INDEX */
	struct bl_xnode *sub;         /* BL_XN_INDEX: the index expression */
	const char *key;              /* BL_XN_PROP (arena, NUL-terminated) */
	uint32_t klen;
	const struct bl_path *path;   /* field()/current() with a constant path argument */
};

/* Evaluation context, shared by compile-time folding and run-time evaluation. */
struct bl_xcx {
	struct bl_arena *arena;         /* where results are allocated */
	struct bl_eval *e;              /* the asset being evaluated; NULL while folding */
	const struct bl_rule_env *env;  /* compile-time environment; NULL at run time */
	char *err;                      /* message buffer for BL_EINVAL */
	size_t errsz;
	uint32_t erroff;                /* offset of the node that failed */
	bool hard;                      /* the error must be reported even in an untaken branch */
};

/*
 * A function implementation.  Sets *out (NULL means "missing", only for
 * field()/current() of an absent path) and returns 0; or returns BL_EINVAL
 * after bl_xfail(), or BL_ENOMEM.  Arity is checked before it is called.
 */
typedef int (*bl_xfn_impl)(const struct bl_value **out, const struct bl_xnode *call,
			   struct bl_xcx *cx);

#define BL_XF_DYNAMIC 0x01u   /* reads the asset: never folded */

struct bl_xfn {
	const char *name;   /* canonical spelling (matched case-insensitively) */
	uint8_t min, max;   /* arity; max BL_XARGS_ANY = unbounded */
	uint8_t flags;      /* BL_XF_* */
	bl_xfn_impl impl;
};

/* The table entry for name (case-insensitive), or NULL.  Infallible. */
const struct bl_xfn *bl_xfn_find(const char *name, size_t len);

/* Evaluate node n; same contract as bl_xfn_impl. */
int bl_xnode_eval(const struct bl_value **out, const struct bl_xnode *n, struct bl_xcx *cx);

/* Evaluate argument i of call; a missing result becomes a null value, so
 * *out is never NULL on success. */
int bl_xarg(const struct bl_value **out, const struct bl_xnode *call, uint32_t i,
	    struct bl_xcx *cx);

/* Record an error message for node n (may be NULL) and return BL_EINVAL. */
int bl_xfail(struct bl_xcx *cx, const struct bl_xnode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The shared null value (never written). */
extern const struct bl_value bl_xnull;

/* ARM equality: same type and value; strings case-sensitive; numbers by
 * value; arrays element-wise; objects by key (case-insensitive) and value.
 * Recursion is bounded by the depth of the values. */
bool bl_xequal(const struct bl_value *a, const struct bl_value *b);

/* Resolve field(p) or current(p) for cx->e: honours the count scopes.
 * Returns 0 with *out (NULL when missing) or BL_ENOMEM. */
int bl_xresolve(const struct bl_value **out, const struct bl_path *p, bool field,
		struct bl_xcx *cx);

#endif
