/*
 * testutil.h - shared by the cmocka unit tests: includes cmocka in the order
 * it needs and offers a few helpers to build value trees from text.
 */
#ifndef BL_TESTUTIL_H
#define BL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "doc/json.h"
#include "doc/load.h"
#include "doc/value.h"
#include "util/arena.h"
#include "util/error.h"

/* Parse JSON text into arena a; fails the test on a parse error. */
static inline const struct bl_value *tu_json(struct bl_arena *a, const char *text)
{
	struct bl_error err;
	const struct bl_value *v = NULL;
	size_t len = strlen(text);
	char *copy = bl_arena_strndup(a, text, len);
	int rc = bl_json_parse(&v, a, copy, len, "test.json", NULL, &err);
	if (rc != 0)
		fail_msg("tu_json: %s at %u:%u in: %s", err.msg, err.line, err.col, text);
	return v;
}

/* A descriptor of an unlinked temporary file holding text[0..len),
 * positioned at its start (nothing is left behind in /tmp). */
static inline int tu_text_fd(const char *text, size_t len)
{
	char path[] = "/tmp/bl-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Parse a YAML or JSON document (by content) into arena a. */
static inline const struct bl_value *tu_doc(struct bl_arena *a, const char *text, const char *file)
{
	struct bl_error err;
	const struct bl_value *v = NULL;
	int rc = bl_doc_parse(&v, a, text, strlen(text), file, &err);
	if (rc != 0)
		fail_msg("tu_doc: %s at %u:%u", err.msg, err.line, err.col);
	return v;
}

#endif
