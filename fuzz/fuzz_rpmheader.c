/*
 * fuzz_rpmheader.c - arbitrary bytes through the rpm header parser
 * (facts/rpmdb.c), which reads blobs found in a host's rpmdb.sqlite: it must
 * never read outside the blob, and what it accepts must be consistent
 * (NUL-terminated strings inside the blob, a NAME and a VERSION, an EVR).
 * The input is copied to an exact-size heap buffer so ASan sees any
 * overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "facts/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const char *s, const unsigned char *b, size_t n)
{
	return !s || ((const unsigned char *)s >= b && (const unsigned char *)s < b + n &&
		      memchr(s, '\0', n - (size_t)((const unsigned char *)s - b)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *b = malloc(size ? size : 1);
	if (!b)
		return 0;
	if (size)
		memcpy(b, data, size);
	struct bl_rpm_header h;
	const char *why = NULL;
	int rc = bl_rpm_header_parse(b, size, &h, &why);
	if (rc == 0) {
		if (!h.name || !h.version || !h.name[0] || !h.version[0])
			abort();
		if (!inside(h.name, b, size) || !inside(h.version, b, size) ||
		    !inside(h.release, b, size) || !inside(h.arch, b, size))
			abort();
		struct bl_arena a;
		bl_arena_init(&a, 0);
		char *evr = bl_rpm_evr(&h, &a);
		if (!evr || !strstr(evr, h.version))
			abort();
		bl_arena_free(&a);
	} else if (rc != BL_EINVAL || !why) {
		abort();   /* refused without a reason */
	}
	free(b);
	return 0;
}
