/*
 * fuzz_inventory.c - arbitrary bytes through the document reader, the
 * inventory validator and classification: never crash, hang or leak; a
 * rejected document always comes with a diagnostic; a classification only
 * yields tiers 0..3.
 */
#include <stdint.h>
#include <stdlib.h>

#include "doc/load.h"
#include "model/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char asset_json[] =
	"{\"id\": \"/subscriptions/s/resourceGroups/payments-eu/providers/x/db1\", \"name\": \"db-dev-1\","
	" \"type\": \"Microsoft.Sql/servers\", \"tags\": {\"criticality\": \"high\", \"env\": \"dev\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	bl_error_clear(&err);
	const struct bl_value *doc = NULL, *asset_doc = NULL;
	if (bl_doc_parse(&doc, &a, (const char *)data, size, "fuzz.yaml", &err) == 0 &&
	    bl_doc_parse(&asset_doc, &a, asset_json, sizeof(asset_json) - 1, "asset.json", &err) == 0) {
		struct bl_diags d;
		bl_diags_init(&d);
		struct bl_inventory *inv = NULL;
		int rc = bl_inventory_from_doc(&inv, doc, &d);
		if (rc == BL_EINVAL && d.n == 0 && d.dropped == 0)
			abort();
		if ((rc == 0) != (inv != NULL))
			abort();
		if (inv) {
			struct bl_asset as = {.id = "/subscriptions/s/resourceGroups/payments-eu/providers/x/db1",
					      .type = "Microsoft.Sql/servers", .doc = asset_doc};
			struct bl_eval ev;
			bl_eval_init(&ev);
			bl_eval_reset(&ev, asset_doc, &a);
			struct bl_inv_result r;
			bl_inventory_classify(inv, &as, &ev, &r);
			if (r.attrs.tier < 0 || r.attrs.tier > 3)
				abort();
			bl_eval_fini(&ev);
		}
		bl_inventory_free(inv);
		bl_diags_free(&d);
	}
	bl_arena_free(&a);
	return 0;
}
