/*
 * fuzz_parameters.c - arbitrary bytes as a `--parameters` file (the shape
 * check in src/cli/parameters.c), then assigned to a fixed baseline whose
 * parameters have every type and allowedValues (bl_baseline_from_doc_owned):
 * never a crash, hang or leak, a rejection always says why, and a baseline
 * that loads has a value for every parameter the file set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc/load.h"
#include "model/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char BASELINE[] =
	"baseline: fz\nversion: 1.0.0\n"
	"parameters:\n"
	"  s: {type: string, allowedValues: [a, b]}\n"
	"  n: {type: integer, default: 1}\n"
	"  f: {type: number}\n"
	"  l: {type: array, allowedValues: [x, y]}\n"
	"  o: {type: object}\n"
	"  t: {type: boolean, default: true}\n"
	"controls:\n"
	"  - id: A\n    title: t\n    severity: low\n"
	"    expect: {field: a, in: \"[parameters('l')]\"}\n"
	"  - id: B\n    title: t\n    severity: low\n"
	"    related: {type: A.B/c, name: \"[parameters('s')]\","
	" existenceCondition: {field: n, less: \"[parameters('n')]\"}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena pa;
	bl_arena_init(&pa, 0);
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	if (bl_doc_parse(&doc, &pa, (const char *)data, size, "fuzz.json", &err) == 0) {
		struct bl_diags d;
		bl_diags_init(&d);
		const struct bl_value *values = NULL;
		int rc = bl_cli_parameters_from_doc(&values, doc, &pa, &d);
		if (rc == BL_EINVAL && d.n == 0 && d.dropped == 0)
			abort();
		if (rc == 0) {
			struct bl_arena a;
			bl_arena_init(&a, 0);
			const struct bl_value *bdoc = NULL;
			if (bl_doc_parse(&bdoc, &a, BASELINE, strlen(BASELINE), "b.yaml", &err) != 0)
				abort();
			struct bl_baseline *b = NULL;
			rc = bl_baseline_from_doc_owned(&b, bdoc, &a, values, &d);
			if (rc == BL_EINVAL && d.n == 0 && d.dropped == 0)
				abort();
			if ((rc == 0) != (b != NULL))
				abort();
			if (b) {
				for (size_t i = 0; i < b->nunset; i++)
					if (bl_value_get(values, b->unset[i]->key, b->unset[i]->klen))
						abort();   /* a set value counted as unset */
				struct bl_diags d2;
				bl_diags_init(&d2);
				if (bl_baseline_require_values(b, &d2) == BL_EINVAL && d2.n == 0)
					abort();
				bl_diags_free(&d2);
			}
			bl_baseline_free(b);
			bl_arena_free(&a);
		}
		bl_diags_free(&d);
	}
	bl_arena_free(&pa);
	return 0;
}
