/*
 * compress_api.c - the zlib, liblz4 and liblzma tables (compress_api.h),
 * each filled once by dlopen when its format is first decoded.
 */
#define BL_COMPRESS_NO_MACROS
#include "util/compress_api.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "util/dynlib.h"

/* One library: its table and how loading it went.  Written once under
 * `once`, then only read (see util/dynlib.h). */
struct lib {
	struct bl_error err;
	int rc;
	pthread_once_t once;
};

/* Load soname into table; on failure, err says which package to install. */
static void load_lib(struct lib *l, const char *soname, const struct bl_dynsym *syms, size_t n,
		     void *table, const char *why_needed)
{
	l->rc = bl_dynlib_load(soname, syms, n, table, &l->err);
	if (l->rc) {
		char why[sizeof(l->err.msg)];
		memcpy(why, l->err.msg, sizeof(why));
		bl_error_set(&l->err, l->rc, NULL, 0, 0, "%.400s (%s)", why, why_needed);
	}
}

static int result(const struct lib *l, struct bl_error *err)
{
	if (l->rc && err)
		*err = l->err;
	return l->rc;
}

#define BL_ZLIB_SYM(f) {#f, offsetof(struct bl_zlib_api, f)},
static const struct bl_dynsym zlib_syms[] = {BL_ZLIB_FUNCS(BL_ZLIB_SYM)};
static struct bl_zlib_api zlib_api;
static struct lib zlib_lib = {.once = PTHREAD_ONCE_INIT};

static void zlib_load(void)
{
	load_lib(&zlib_lib, "libz.so.1", zlib_syms, sizeof(zlib_syms) / sizeof(zlib_syms[0]),
		 &zlib_api, "gzip-compressed package lists need zlib: install zlib1g");
}

int bl_zlib_load(struct bl_error *err)
{
	pthread_once(&zlib_lib.once, zlib_load);
	return result(&zlib_lib, err);
}

const struct bl_zlib_api *bl_zlib(void)
{
	return &zlib_api;
}

#define BL_LZ4_SYM(f) {#f, offsetof(struct bl_lz4_api, f)},
static const struct bl_dynsym lz4_syms[] = {BL_LZ4_FUNCS(BL_LZ4_SYM)};
static struct bl_lz4_api lz4_api;
static struct lib lz4_lib = {.once = PTHREAD_ONCE_INIT};

static void lz4_load(void)
{
	load_lib(&lz4_lib, "liblz4.so.1", lz4_syms, sizeof(lz4_syms) / sizeof(lz4_syms[0]),
		 &lz4_api, "lz4-compressed package lists need liblz4: install liblz4-1");
}

int bl_lz4_load(struct bl_error *err)
{
	pthread_once(&lz4_lib.once, lz4_load);
	return result(&lz4_lib, err);
}

const struct bl_lz4_api *bl_lz4(void)
{
	return &lz4_api;
}

#define BL_LZMA_SYM(f) {#f, offsetof(struct bl_lzma_api, f)},
static const struct bl_dynsym lzma_syms[] = {BL_LZMA_FUNCS(BL_LZMA_SYM)};
static struct bl_lzma_api lzma_api;
static struct lib lzma_lib = {.once = PTHREAD_ONCE_INIT};

static void lzma_load(void)
{
	load_lib(&lzma_lib, "liblzma.so.5", lzma_syms, sizeof(lzma_syms) / sizeof(lzma_syms[0]),
		 &lzma_api, "xz-compressed package lists need liblzma: install liblzma5");
}

int bl_lzma_load(struct bl_error *err)
{
	pthread_once(&lzma_lib.once, lzma_load);
	return result(&lzma_lib, err);
}

const struct bl_lzma_api *bl_lzma(void)
{
	return &lzma_api;
}
