/*
 * fuzz_expr.c - compile arbitrary bytes as a template expression and, when
 * it compiles, evaluate it against a fixed document with a value count and a
 * field count in scope.  Must never crash, leak or read out of bounds
 * whatever the input (deep nesting, huge literals, bad UTF-8...).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "rule/expr.h"
#include "rule/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DEFS[] =
	"{\"loc\": {\"type\": \"string\", \"defaultValue\": \"westeurope\"},"
	" \"list\": {\"type\": \"array\", \"default\": [\"a\", \"b\"]},"
	" \"obj\": {\"type\": \"object\", \"default\": {\"k\": {\"x\": [1, 2]}}},"
	" \"nodef\": {\"type\": \"string\"}}";

static const char DOC[] =
	"{\"name\": \"vm1\", \"type\": \"Microsoft.Compute/virtualMachines\","
	" \"tags\": {\"env\": \"prod\"},"
	" \"properties\": {\"count\": 5, \"enabled\": true, \"nothing\": null,"
	"   \"rules\": [{\"name\": \"r1\", \"port\": 22}, {\"name\": \"r2\", \"port\": 443}],"
	"   \"ips\": [\"10.0.0.1\", \"2001:db8::1\"], \"text\": \"Hello, World\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct bl_arena a, scratch;
	bl_arena_init(&a, 0);
	bl_arena_init(&scratch, 0);
	a.limit = (size_t)64 << 20;
	scratch.limit = (size_t)64 << 20;
	struct bl_diags diags;
	bl_diags_init(&diags);
	struct bl_error err;
	const struct bl_value *defs = NULL, *doc = NULL;
	if (bl_json_parse(&defs, &a, DEFS, sizeof(DEFS) - 1, "defs", NULL, &err) ||
	    bl_json_parse(&doc, &a, DOC, sizeof(DOC) - 1, "doc", NULL, &err))
		abort();

	/* Wrap the input in brackets unless it already looks like an expression,
	 * so most inputs reach the parser. */
	bool wrap = !(size && data[0] == '[');
	size_t n = size + (wrap ? 2 : 0);
	char *text = bl_arena_alloc(&a, n + 1);
	struct bl_value *node = bl_value_new(&a, BL_VSTR);
	if (!text || !node)
		abort();
	memcpy(text + (wrap ? 1 : 0), data, size);
	if (wrap) {
		text[0] = '[';
		text[n - 1] = ']';
	}
	text[n] = '\0';
	node->u.str.s = text;
	node->u.str.len = (uint32_t)n;
	node->line = 1;
	node->col = 1;

	struct bl_rule_env env = { .arena = &a, .diags = &diags, .param_defs = defs };
	const struct bl_expr *x = NULL;
	int rc = bl_expr_compile(&x, node, &env);
	if (rc == 0) {
		if (!x)
			abort();
		(void)bl_expr_const(x);
		(void)bl_expr_text(x);
		struct bl_eval e;
		memset(&e, 0, sizeof(e));
		e.doc = doc;
		e.arena = &scratch;
		const struct bl_value *v = NULL;
		(void)bl_expr_eval(&v, x, &e);

		/* Again inside a value count and a field count. */
		struct bl_path arr;
		const char *ap = "properties.rules[*]";
		if (bl_path_compile(&arr, ap, strlen(ap), &a, &err) == 0) {
			const struct bl_value *rules =
				bl_value_getz(bl_value_getz(doc, "properties"), "rules");
			e.scopes[0] = (struct bl_scope){ .name = "x", .current = rules };
			e.scopes[1] = (struct bl_scope){ .array = &arr,
							 .current = &rules->u.arr.items[0] };
			e.nscopes = 2;
			(void)bl_expr_eval(&v, x, &e);
		}
	} else if (rc == BL_EINVAL && diags.n == 0) {
		abort(); /* a compile error must say why */
	}
	bl_diags_free(&diags);
	bl_arena_free(&scratch);
	bl_arena_free(&a);
	return 0;
}
