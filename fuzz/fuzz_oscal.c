/*
 * fuzz_oscal.c - libFuzzer target for the OSCAL importer: arbitrary bytes
 * (JSON or YAML) must never crash bl_oscal_read; whatever it accepts must
 * write a skeleton that parses back as a document with one control per
 * imported OSCAL control, each with a non-empty id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/load.h"
#include "doc/value.h"
#include "import/oscal.h"
#include "model/framework.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The catalogs are read-only after loading; loading them once keeps the
	 * harness fast (the library itself holds no such state). */
	static struct bl_catalogs cats;
	static int loaded;
	if (!loaded) {
		struct bl_error e;
		if (bl_catalogs_load(&cats, &e))
			abort();
		loaded = 1;
	}
	if (size > (1u << 20))
		return 0;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = NULL;
	struct bl_error err;
	if (bl_doc_parse(&doc, &a, (const char *)data, size, "fuzz.json", &err) == 0) {
		struct bl_oscal o;
		int rc = bl_oscal_read(&o, doc, &err);
		if (rc == 0) {
			if (o.n == 0)
				abort();
			struct bl_buf buf;
			bl_buf_init(&buf, 0);
			if (bl_oscal_write_baseline(&buf, &o, "fuzz", "fuzz\n.json", &cats) == 0) {
				const struct bl_value *out = NULL;
				if (bl_doc_parse(&out, &a, buf.data, buf.len, "out.yaml", &err) != 0)
					abort();
				const struct bl_value *controls = bl_value_getz(out, "controls");
				if (!controls || controls->type != BL_VARR || controls->u.arr.n != o.n)
					abort();
				for (uint32_t i = 0; i < controls->u.arr.n; i++) {
					size_t len = 0;
					if (!bl_value_strz(&controls->u.arr.items[i], "id", &len) || len <= 5)
						abort();
				}
			}
			bl_buf_free(&buf);
		} else if (rc != BL_EINVAL && rc != BL_ENOMEM) {
			abort();
		}
		bl_oscal_free(&o);
	}
	bl_arena_free(&a);
	return 0;
}
