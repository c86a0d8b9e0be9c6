/*
 * fuzz_baseline.c - arbitrary bytes through the document reader and the
 * baseline validator: it must never crash, hang or leak, whatever the
 * input, and a rejected document must always come with a diagnostic.
 * Relative `extends` paths resolve against the working directory (the
 * document is "fuzz.yaml"), so seeds that extend the tailoring fixtures
 * (run from the repository root) reach the inheritance code.
 */
#include <stdint.h>
#include <stdlib.h>

#include "doc/load.h"
#include "model/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	if (bl_doc_parse(&doc, &a, (const char *)data, size, "fuzz.yaml", &err) == 0) {
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_baseline *b = NULL;
		int rc = bl_baseline_from_doc(&b, doc, &d);
		if (rc == BL_EINVAL && d.n == 0 && d.dropped == 0)
			abort();   /* rejected without saying why */
		if ((rc == 0) != (b != NULL))
			abort();
		if (b && (!b->id || !b->version || b->sha256[63] == '\0' || !b->effective))
			abort();
		bl_baseline_free(b);
		bl_diags_free(&d);
	}
	bl_arena_free(&a);
	return 0;
}
