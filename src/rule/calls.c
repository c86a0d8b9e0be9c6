/*
 * calls.c - does a compiled condition call a given expression function?
 *
 * The engine asks before a run whether any control calls subscription() or
 * resourceGroup(): only then must it index the snapshot's subscription and
 * resource-group resources (their tags) in a first pass over the input.
 * The answer is read from each expression's text: a false "yes" (the name
 * inside a string literal) costs one extra pass, never a wrong verdict.
 */
#include <string.h>

#include "rule/cond_internal.h"
#include "rule/expr.h"
#include "util/str.h"

static bool ident_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

bool bl_expr_text_calls(const char *text, const char *fn)
{
	if (!text)
		return false;
	size_t n = strlen(text), k = strlen(fn);
	for (size_t i = 0; i + k < n; i++) {
		if ((i > 0 && ident_byte((unsigned char)text[i - 1])) ||
		    !bl_str_ieq(text + i, k, fn, k))
			continue;
		size_t j = i + k;
		while (j < n && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j < n && text[j] == '(')
			return true;
	}
	return false;
}

static bool expr_calls(const struct bl_expr *x, const char *fn)
{
	return x && bl_expr_text_calls(bl_expr_text(x), fn);
}

static bool node_calls(const struct cnode *n, const char *fn, int depth)
{
	if (!n || depth > 256)
		return false;
	if (expr_calls(n->subj.x, fn) || expr_calls(n->opx, fn))
		return true;
	if (n->kind == CN_COUNT && node_calls(n->where, fn, depth + 1))
		return true;
	for (uint32_t i = 0; i < n->nkids; i++)
		if (node_calls(n->kids[i], fn, depth + 1))
			return true;
	return false;
}

bool bl_cond_calls(const struct bl_cond *c, const char *fn)
{
	/* most conditions have no runtime expression: no walk (the engine asks
	 * twice per condition before every run) */
	return c && !c->no_exprs && node_calls(c->root, fn, 0);
}
