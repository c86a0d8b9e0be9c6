/*
 * fuzz_exceptions.c - arbitrary bytes through the document reader and the
 * exception validator, then matching: never crash, hang or leak; a rejected
 * document always comes with a diagnostic; every accepted exception has the
 * required fields and a parseable expiry within the maximum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "model/exceptions.h"

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
		struct bl_exceptions *x = NULL;
		struct bl_exc_opts o = {.now = 1795867200, .max_days = 365};   /* 2026-11-28 */
		int rc = bl_exceptions_from_doc(&x, doc, &o, &d);
		if (rc == BL_EINVAL && d.n == 0 && d.dropped == 0)
			abort();
		if ((rc == 0) != (x != NULL))
			abort();
		for (size_t i = 0; x && i < x->n; i++) {
			const struct bl_exception *e = &x->items[i];
			int64_t day;
			if (!e->id || !e->control || !e->justification || !e->approved_by || !e->nassets ||
			    !bl_date_parse(e->expires, strlen(e->expires), &day) || day != e->expires_day ||
			    day - bl_day_of(o.now) > 365)
				abort();
			(void)bl_exceptions_find(x, "AZ-ST-01", "/subscriptions/s/rg/x", o.now);
		}
		bl_exceptions_free(x);
		bl_diags_free(&d);
	}
	bl_arena_free(&a);
	return 0;
}
