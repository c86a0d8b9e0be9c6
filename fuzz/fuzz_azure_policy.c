/*
 * fuzz_azure_policy.c - arbitrary bytes through the Azure Policy importer
 * (definitions, set definitions, exemptions): it must never crash, hang or
 * leak, and whatever it writes must read back as a YAML document, since
 * users lint and assess the output as it is.
 */
#include <stdint.h>
#include <stdlib.h>

#include "doc/load.h"
#include "import/azure_policy.h"
#include "import/exemptions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reads_back(const struct bl_buf *out)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	const struct bl_value *doc = NULL;
	if (bl_doc_parse(&doc, &a, out->data, out->len, "out.yaml", &err) != 0 || !doc ||
	    doc->type != BL_VOBJ)
		abort();   /* the importer wrote something that is not a document */
	bl_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL;
	if (bl_doc_parse(&doc, &a, (const char *)data, size, "fuzz.json", &err) == 0 && doc) {
		struct bl_az_import imp;
		bl_az_import_init(&imp);
		struct bl_buf out;
		bl_buf_init(&out, 0);
		if (bl_az_import_add_doc(&imp, doc, "fuzz.json", false, &err) == 0 &&
		    bl_az_import_write(&imp, &out, NULL, &err) == 0) {
			reads_back(&out);
			bl_buf_reset(&out);
			if (bl_az_import_report(&imp, &out, true))
				abort();
		}
		bl_buf_reset(&out);
		if (bl_az_exemptions_write(&imp, &out, doc, "fuzz.json", &err) == 0)
			reads_back(&out);
		bl_buf_free(&out);
		bl_az_import_free(&imp);
	}
	bl_arena_free(&a);
	return 0;
}
