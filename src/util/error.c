/*
 * error.c - struct bl_error and struct bl_diags (see error.h).
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bl_error_set(struct bl_error *err, int code, const char *file,
		 uint32_t line, uint32_t col, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void bl_error_clear(struct bl_error *err)
{
	if (!err)
		return;
	err->code = BL_OK;
	err->file[0] = '\0';
	err->line = err->col = 0;
	err->msg[0] = '\0';
}

const char *bl_error_format(const struct bl_error *err, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (err->file[0] && err->line)
		snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line,
			 err->col ? err->col : 1, err->msg);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, size, "%s", err->msg);
	return buf;
}

int bl_error_exit_code(int code)
{
	switch (code) {
	case BL_OK:
		return 0;
	case BL_EINVAL:
	case BL_EIO:
	case BL_ELIMIT:
		return 2;
	default:
		return 3;
	}
}

void bl_diags_init(struct bl_diags *d)
{
	memset(d, 0, sizeof(*d));
}

static char *dup_or_null(const char *s)
{
	if (!s || !*s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Takes ownership of msg. */
static int diag_push(struct bl_diags *d, const char *file, uint32_t line,
		     uint32_t col, char *msg)
{
	size_t max = d->max ? d->max : 1000;
	if (d->n >= max) {
		d->dropped++;
		free(msg);
		return BL_EINVAL;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct bl_diag *ni = realloc(d->items, ncap * sizeof(*ni));
		if (!ni) {
			free(msg);
			return BL_ENOMEM;
		}
		d->items = ni;
		d->cap = ncap;
	}
	struct bl_diag *g = &d->items[d->n];
	g->file = dup_or_null(file);
	g->line = line;
	g->col = col;
	g->msg = msg;
	g->seq = d->n;
	d->n++;
	return BL_EINVAL;
}

int bl_diag_add(struct bl_diags *d, const char *file, uint32_t line,
		uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BL_EINVAL;
	char *msg = malloc((size_t)n + 1);
	if (!msg)
		return BL_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return diag_push(d, file, line, col, msg);
}

int bl_diag_add_error(struct bl_diags *d, const struct bl_error *err)
{
	char *msg = dup_or_null(err->msg[0] ? err->msg : "error");
	if (!msg)
		return BL_ENOMEM;
	return diag_push(d, err->file, err->line, err->col, msg);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct bl_diag *a = pa, *b = pb;
	int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

void bl_diags_sort(struct bl_diags *d)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof(*d->items), diag_cmp);
}

void bl_diags_free(struct bl_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].msg);
		free(d->items[i].file);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}
