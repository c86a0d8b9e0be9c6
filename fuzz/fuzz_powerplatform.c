/*
 * fuzz_powerplatform.c - arbitrary bytes through both Power Platform
 * readers: as one JSON record through the record adapters (ScubaGear's
 * provider export) and, split at lines "--", as the files of one folder
 * through the folder adapters (admin API exports).  They must never crash,
 * hang or leak, and every resource they build must carry string id, type and
 * name members (FORMATS.md section 6) and write out as JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapt/adapt.h"
#include "doc/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 4

static void check(const struct bl_adapted *ad)
{
	struct bl_buf b;
	bl_buf_init(&b, 0);
	for (size_t i = 0; i < ad->n; i++) {
		const char *keys[] = {"id", "type", "name"};
		for (size_t k = 0; k < 3; k++) {
			const struct bl_value *v = bl_value_getz(ad->items[i], keys[k]);
			if (!v || v->type != BL_VSTR)
				abort();   /* an adapted resource without its identity */
		}
		bl_buf_reset(&b);
		if (bl_json_write(&b, ad->items[i], 0))
			abort();
	}
	bl_buf_free(&b);
}

static void as_record(const uint8_t *data, size_t size)
{
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	const struct bl_value *doc = NULL;
	if (bl_json_parse(&doc, &a, (const char *)data, size, "fuzz.json", NULL, &err) == 0) {
		struct bl_adapted ad = {.arena = &a};
		if (bl_adapt_record(doc, "fuzz.json", &ad, &err) > 0)
			check(&ad);
	}
	bl_arena_free(&a);
}

static char dir[64];

/* Each input's files are removed after it; the folder goes when the process ends. */
static void remove_dir(void)
{
	rmdir(dir);
}

static void as_folder(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/bl-fuzz-pp-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	char names[MAX_FILES][96];
	const char *files[MAX_FILES];
	bool claimed[MAX_FILES] = {false};
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < MAX_FILES; i++) {
		bool cut = i == size || (i + 4 <= size && memcmp(data + i, "\n--\n", 4) == 0);
		if (!cut)
			continue;
		/* the environment name in file names ties Dataverse files */
		snprintf(names[n], sizeof(names[n]), "%s/%zu-e1.json", dir, n);
		FILE *f = fopen(names[n], "wb");
		if (!f)
			abort();
		fwrite(data + start, 1, i - start, f);
		fclose(f);
		files[n] = names[n];
		n++;
		start = i + 4;
		if (i == size)
			break;
	}
	struct bl_arena a;
	bl_arena_init(&a, 0);
	struct bl_error err;
	struct bl_adapted ad = {.arena = &a};
	if (bl_adapt_folder(files, n, claimed, &ad, &err) == 0)
		check(&ad);
	bl_arena_free(&a);
	for (size_t i = 0; i < n; i++)
		unlink(names[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	as_record(data, size);
	as_folder(data, size);
	return 0;
}
