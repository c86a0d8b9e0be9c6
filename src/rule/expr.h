/*
 * expr.h - template expressions: strings of the form "[...]" (FORMATS.md §2).
 *
 * Grammar (as Azure Resource Manager templates): a call `name(arg, ...)`,
 * string literals in single quotes ('' escapes a quote), numbers, `true`,
 * `false`, `null`, and property/index access on any result: `.prop`,
 * `['prop']`, `[0]`.  Function names are matched case-insensitively.
 * "[[..." is not an expression but the literal string "[...".
 *
 * Functions: parameters field current concat if toLower toUpper length
 * empty contains split first last substring string int bool equals and or
 * not less greater ipRangeContains (later issues add more in expr_fn.c's
 * table).  parameters() is resolved at compile time; any call tree without
 * field()/current() is folded to a constant at compile time.
 */
#ifndef BL_RULE_EXPR_H
#define BL_RULE_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "doc/value.h"
#include "rule/rule.h"

struct bl_expr;

/* Is this string node an expression ("[...]" but not "[[...")? */
bool bl_expr_is(const char *s, size_t len);

/*
 * Compile the expression held by string node `node` (its text including the
 * brackets).  Errors go to env->diags at the node's position (plus the
 * offset inside the string where known).  Returns 0, BL_EINVAL or BL_ENOMEM.
 */
int bl_expr_compile(const struct bl_expr **out, const struct bl_value *node,
		    const struct bl_rule_env *env);

/* If x folded to a constant, that value (arena of the compiled program); else NULL. */
const struct bl_value *bl_expr_const(const struct bl_expr *x);

/*
 * Evaluate x for the current asset.  *out is NULL when the result is
 * "missing" (field() of an absent path).  Returns 0, or BL_EINVAL with
 * e->error set (wrong argument types, index out of range...), or BL_ENOMEM.
 */
int bl_expr_eval(const struct bl_value **out, const struct bl_expr *x, struct bl_eval *e);

/* Visit the first path segment of every field() argument (see bl_cond_keys). */
void bl_expr_keys(const struct bl_expr *x, bl_cond_key_cb cb, void *ctx);

/* The expression as written (for evidence and messages). */
const char *bl_expr_text(const struct bl_expr *x);

#endif
