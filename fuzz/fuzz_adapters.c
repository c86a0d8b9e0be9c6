/*
 * fuzz_adapters.c - libFuzzer target for the Terraform plan and ARM template
 * record adapters (adapt/terraform.c, adapt/arm_template.c): arbitrary bytes
 * parsed as JSON must never crash either adapter; an adapter that accepts a
 * document must return objects whose identity (id, type, name) is a
 * non-empty string each, which facts/resource.c can identify, and an error
 * must carry a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/adapt.h"
#include "doc/json.h"
#include "facts/resource.h"
#include "util/arena.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int bl_adapt_terraform(const struct bl_value *doc, const char *file, struct bl_adapted *out,
		       struct bl_error *err);
int bl_adapt_arm_template(const struct bl_value *doc, const char *file, struct bl_adapted *out,
			  struct bl_error *err);

static void check_identity(const struct bl_value *v, struct bl_arena *a)
{
	static const char *const keys[] = {"id", "type", "name"};
	if (v->type != BL_VOBJ)
		abort();
	for (size_t i = 0; i < 3; i++) {
		const struct bl_value *k = bl_value_getz(v, keys[i]);
		if (!k || k->type != BL_VSTR || k->u.str.len == 0)
			abort();
	}
	struct bl_asset asset;
	struct bl_error err;
	int rc = bl_resource_identify(&asset, v, "fuzz.json", 0, a, &err);
	if (rc != 0 && rc != BL_EINVAL)
		abort();
}

static void run(bl_record_adapter fn, const struct bl_value *doc)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_adapted out = {.arena = &a};
	struct bl_error err;
	bl_error_clear(&err);
	int rc = fn(doc, "fuzz.json", &out, &err);
	if (rc == 1) {
		for (size_t i = 0; i < out.n; i++)
			check_identity(out.items[i], &a);
	} else if (rc == 0) {
		if (out.n)
			abort();
	} else if (!err.msg[0] || (rc != BL_EINVAL && rc != BL_ENOMEM)) {
		abort();
	}
	bl_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct bl_arena a;
	bl_arena_init(&a, 0);
	const struct bl_value *doc = NULL;
	struct bl_error err;
	if (bl_json_parse(&doc, &a, (const char *)data, size, "fuzz.json", NULL, &err) == 0 &&
	    doc->type == BL_VOBJ) {
		run(bl_adapt_terraform, doc);
		run(bl_adapt_arm_template, doc);
	}
	bl_arena_free(&a);
	return 0;
}
