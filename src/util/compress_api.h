/*
 * compress_api.h - zlib, liblz4 and liblzma, each loaded on first use
 * (util/dynlib.h).  Only a compressed apt package list needs them (facts/
 * decompress.c), and only the one library of its format, so linking all
 * three cost every other run their mapping and relocations (~0.3 ms a
 * start).  Include after <zlib.h>, <lz4frame.h> and <lzma.h>; the macros
 * route the including file's calls through the tables.  The format's
 * loader (bl_zlib_load, bl_lz4_load, bl_lzma_load) must have succeeded
 * before the first call to that library.
 */
#ifndef BL_UTIL_COMPRESS_API_H
#define BL_UTIL_COMPRESS_API_H

#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>

#include "util/error.h"

/* inflateInit2() is zlib's macro for inflateInit2_(), which is the symbol */
#define BL_ZLIB_FUNCS(X) X(inflateInit2_) X(inflate) X(inflateReset) X(inflateEnd)

#define BL_LZ4_FUNCS(X) \
	X(LZ4F_isError) X(LZ4F_getErrorName) X(LZ4F_createDecompressionContext) \
	X(LZ4F_freeDecompressionContext) X(LZ4F_getFrameInfo) X(LZ4F_decompress)

#define BL_LZMA_FUNCS(X) X(lzma_auto_decoder) X(lzma_code) X(lzma_end)

#define BL_COMPRESS_MEMBER(f) __typeof__(f) *f;
struct bl_zlib_api {
	BL_ZLIB_FUNCS(BL_COMPRESS_MEMBER)
};
struct bl_lz4_api {
	BL_LZ4_FUNCS(BL_COMPRESS_MEMBER)
};
struct bl_lzma_api {
	BL_LZMA_FUNCS(BL_COMPRESS_MEMBER)
};
#undef BL_COMPRESS_MEMBER

/* Load libz.so.1, liblz4.so.1 or liblzma.so.5 once per process.  Returns
 * 0, or BL_EINTERNAL with err saying what is missing (every later call
 * returns the same). */
int bl_zlib_load(struct bl_error *err);
int bl_lz4_load(struct bl_error *err);
int bl_lzma_load(struct bl_error *err);

/* The tables; each only after its loader returned 0. */
const struct bl_zlib_api *bl_zlib(void);
const struct bl_lz4_api *bl_lz4(void);
const struct bl_lzma_api *bl_lzma(void);

#ifndef BL_COMPRESS_NO_MACROS
#define inflateInit2_ (bl_zlib()->inflateInit2_)
#define inflate (bl_zlib()->inflate)
#define inflateReset (bl_zlib()->inflateReset)
#define inflateEnd (bl_zlib()->inflateEnd)
#define LZ4F_isError (bl_lz4()->LZ4F_isError)
#define LZ4F_getErrorName (bl_lz4()->LZ4F_getErrorName)
#define LZ4F_createDecompressionContext (bl_lz4()->LZ4F_createDecompressionContext)
#define LZ4F_freeDecompressionContext (bl_lz4()->LZ4F_freeDecompressionContext)
#define LZ4F_getFrameInfo (bl_lz4()->LZ4F_getFrameInfo)
#define LZ4F_decompress (bl_lz4()->LZ4F_decompress)
#define lzma_auto_decoder (bl_lzma()->lzma_auto_decoder)
#define lzma_code (bl_lzma()->lzma_code)
#define lzma_end (bl_lzma()->lzma_end)
#endif

#endif
