/*
 * fuzz_cond.c - fuzz target for the condition compiler and evaluator: the
 * input is a JSON condition; it is compiled (errors are fine), evaluated
 * against a fixed document, explained and described.  Must never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/json.h"
#include "rule/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
	"{\"name\":\"st1\",\"type\":\"Microsoft.Storage/storageAccounts\",\"location\":\"westeurope\","
	"\"tags\":{\"env\":\"prod\",\"cost-center\":\"42\"},\"kind\":\"StorageV2\","
	"\"properties\":{\"supportsHttpsTrafficOnly\":true,\"minimumTlsVersion\":\"TLS1_2\","
	"\"securityRules\":[{\"name\":\"a\",\"properties\":{\"access\":\"Allow\",\"port\":22}},"
	"{\"name\":\"b\",\"properties\":{\"access\":\"Deny\",\"ports\":[80,443]}},{}],"
	"\"empty\":[],\"n\":10,\"ns\":\"12\",\"z\":null,\"nested\":[[1,2],[3]]},"
	"\"file\":{\"/etc/shadow\":{\"mode\":\"0640\",\"uid\":0}},\"version\":\"1:2.3-1\"}";

static void no_key(void *ctx, const char *key, size_t len)
{
	(void)ctx;
	(void)key;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a, ea;
	bl_arena_init(&a, 0);
	bl_arena_init(&ea, 0);
	struct bl_diags d;
	bl_diags_init(&d);
	struct bl_error err;
	const struct bl_value *cond = NULL, *doc = NULL;
	char *buf = bl_arena_strndup(&a, (const char *)data, size);
	char *dbuf = bl_arena_strndup(&ea, DOC, sizeof(DOC) - 1);
	struct bl_json_opts opts = {.max_depth = 64};
	if (buf && dbuf && bl_json_parse(&cond, &a, buf, size, "fuzz", &opts, &err) == 0 &&
	    bl_json_parse(&doc, &ea, dbuf, sizeof(DOC) - 1, "doc", NULL, &err) == 0) {
		struct bl_rule_env env = {.arena = &a, .diags = &d};
		const struct bl_cond *c = NULL;
		if (bl_cond_compile(&c, cond, &env) == 0) {
			struct bl_eval e;
			bl_eval_init(&e);
			e.regex_match_limit = 10000;
			bl_eval_reset(&e, doc, &ea);
			enum bl_truth t = bl_cond_eval(c, &e);
			bl_cond_explain(c, &e, t);
			(void)bl_cond_describe(c, &ea);
			bl_cond_keys(c, no_key, NULL);
			bl_eval_fini(&e);
		}
	}
	bl_diags_free(&d);
	bl_arena_free(&a);
	bl_arena_free(&ea);
	return 0;
}
