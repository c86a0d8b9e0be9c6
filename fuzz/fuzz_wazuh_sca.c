/*
 * fuzz_wazuh_sca.c - libFuzzer target for the Wazuh SCA importer: arbitrary
 * bytes (YAML or JSON) must never crash bl_sca_translate; whatever it
 * accepts must be a baseline document that parses and loads (every
 * generated condition compiles).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "import/wazuh_sca.h"
#include "model/baseline.h"
#include "model/framework.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* read-only after loading; once keeps the harness fast */
	static struct bl_catalogs cats;
	static int loaded;
	if (!loaded) {
		struct bl_error e;
		if (bl_catalogs_load(&cats, &e))
			abort();
		loaded = 1;
	}
	if (size > (1u << 18))
		return 0;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = NULL;
	struct bl_error err;
	if (bl_doc_parse(&doc, &a, (const char *)data, size, "fuzz.yml", &err) == 0 &&
	    bl_sca_detect(doc)) {
		for (int v = 0; v <= 5; v += 5) {
			struct bl_diags d;
			bl_diags_init(&d);
			struct bl_sca_opts o = {.version = v, .catalogs = &cats};
			const struct bl_value *gen = NULL;
			int rc = bl_sca_import_doc(&gen, &a, doc, &o, "fuzz.yml", NULL, &d);
			if (rc == BL_EINTERNAL)
				abort();   /* the generated text must parse */
			if (rc == 0) {
				struct bl_baseline *b = NULL;
				struct bl_diags d2;
				bl_diags_init(&d2);
				if (bl_baseline_from_doc(&b, gen, &d2) == BL_EINVAL)
					abort();   /* an accepted policy must load */
				bl_baseline_free(b);
				bl_diags_free(&d2);
			}
			bl_diags_free(&d);
		}
	}
	bl_arena_free(&a);
	return 0;
}
