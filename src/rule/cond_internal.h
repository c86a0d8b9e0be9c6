/*
 * cond_internal.h - the compiled form of a condition, shared by compile.c
 * (which builds it) and eval.c (which runs, explains and describes it).
 * Everything lives in the program arena and is read-only after compile.
 */
#ifndef BL_RULE_COND_INTERNAL_H
#define BL_RULE_COND_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rule/expr.h"
#include "rule/ops.h"
#include "rule/path.h"
#include "rule/rule.h"

enum cnode_kind {
	CN_ALL = 0,
	CN_ANY,
	CN_NOT,
	CN_LEAF,
	CN_COUNT,
};

/* What a leaf or a count reads: a field path, a constant, or an expression. */
struct csubject {
	bool is_field;
	struct bl_path path;         /* field: the path as written */
	int scope;                   /* field: -1 = document root, else e->scopes index */
	uint32_t from;               /* field: first segment resolved from the base */
	int32_t lastall;             /* field: index of the last [*] segment, -1 if none */
	const struct bl_value *v;    /* value: a constant (folded) */
	const struct bl_expr *x;     /* value: a runtime expression */
	const char *text;            /* for evidence/describe: path, JSON or expression text */
	uint32_t textlen;            /* strlen(text) (0 when unknown: evidence measures it) */
};

/* How a leaf reads its value (compile.c decides, eval.c eval_leaf): the
 * plain forms are answered without the general path. */
enum leaf_read {
	LR_ANY = 0,   /* anything: [*] walks, values, expressions, runtime operands */
	LR_ROOT,      /* a field from the root whose segments are all interned
			 prefixes (memo_path), constant operand */
	LR_PLAIN,     /* a field without [*] from its base (root or a count's
			 element) stepped segment by segment, constant operand */
};

struct cnode {
	uint8_t kind;                /* enum cnode_kind */
	uint8_t op;                  /* CN_LEAF/CN_COUNT: enum bl_op */
	uint8_t read;                /* CN_LEAF: enum leaf_read */
	struct cnode **kids;         /* CN_ALL/CN_ANY: children; CN_NOT: kids[0] */
	uint32_t nkids;
	struct csubject subj;        /* CN_LEAF: what is compared; CN_COUNT: what is counted */
	struct bl_operand operand;   /* constant operand, prepared */
	const struct bl_expr *opx;   /* runtime operand expression (operand unprepared) */
	const char *expected;        /* "equals true", "count of ... greater 0" */
	const char *expected_not;    /* counts: the same with the operator negated */
	uint32_t explen, expnotlen;  /* their strlen (0 when unknown: evidence measures it) */
	const struct bl_leaf_key *lk; /* CN_LEAF: its results may be remembered per
					 base value under this key (eval.c), or NULL */
	/* CN_COUNT */
	const char *name;            /* value count: the name bound for current() */
	struct cnode *where;         /* NULL = count every element */
	uint32_t depth;              /* the e->scopes slot this count fills */
};

struct bl_cond {
	struct cnode *root;
	const char **keys;           /* distinct lower-cased first segments */
	uint32_t nkeys;
	bool no_exprs;               /* compile found no runtime expression in the tree
					(bl_cond_calls: nothing to look for); false
					means "maybe" */
	bool memo;                   /* compiled for many documents (interned paths,
					leaf keys): evaluating it sets up the
					evaluator's memo (struct bl_eval.memo) */
};

/* Append a one-line description of n to b (eval.c; compile.c uses it for
 * the expected text of counts).  Errors stick in b->failed. */
void bl_cnode_describe(struct bl_buf *b, const struct cnode *n);

#endif
