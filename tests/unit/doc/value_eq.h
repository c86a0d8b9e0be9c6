/*
 * value_eq.h - deep equality of two document trees, for the reader's tests
 * (a selective, padded or streamed parse against a plain one; a round trip
 * through the writer).
 */
#ifndef BL_TEST_VALUE_EQ_H
#define BL_TEST_VALUE_EQ_H

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "doc/value.h"

enum {
	TU_EQ_POS = 1,    /* positions of values and keys too */
	TU_EQ_FILE = 2,   /* each node's file name too */
};

/* Type, flags, texts and values (a number's text and value, with its sign)
 * equal all the way down; with how, positions and file names too. */
static inline bool tu_value_eq(const struct bl_value *x, const struct bl_value *y, unsigned how)
{
	if (x->type != y->type || x->flags != y->flags)
		return false;
	if ((how & TU_EQ_POS) && (x->line != y->line || x->col != y->col))
		return false;
	if ((how & TU_EQ_FILE) && ((x->file == NULL) != (y->file == NULL) ||
				   (x->file && strcmp(x->file, y->file) != 0)))
		return false;
	switch (x->type) {
	case BL_VNULL:
		return true;
	case BL_VBOOL:
		return x->b == y->b;
	case BL_VNUM:
		return x->u.num.len == y->u.num.len &&
		       memcmp(x->u.num.text, y->u.num.text, x->u.num.len) == 0 &&
		       x->u.num.d == y->u.num.d && signbit(x->u.num.d) == signbit(y->u.num.d);
	case BL_VSTR:
		return x->u.str.len == y->u.str.len &&
		       memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
	case BL_VARR:
		if (x->u.arr.n != y->u.arr.n)
			return false;
		for (uint32_t i = 0; i < x->u.arr.n; i++)
			if (!tu_value_eq(&x->u.arr.items[i], &y->u.arr.items[i], how))
				return false;
		return true;
	case BL_VOBJ:
		if (x->u.obj.n != y->u.obj.n)
			return false;
		for (uint32_t i = 0; i < x->u.obj.n; i++) {
			const struct bl_member *a = &x->u.obj.items[i], *b = &y->u.obj.items[i];
			if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
			    ((how & TU_EQ_POS) && (a->line != b->line || a->col != b->col)) ||
			    !tu_value_eq(&a->val, &b->val, how))
				return false;
		}
		return true;
	default:
		return false;
	}
}

#endif
