/* Unit tests for util/compress_api.c: each decompressor is opened with
 * dlopen and works through its table.  This program does not link zlib,
 * liblz4 or liblzma, so every call below goes to the library the loader
 * opened.  The samples are in compressed_samples.h. */
#include "testutil.h"

#include "util/compress_api.h"

#include "compressed_samples.h"

static void test_zlib(void **state)
{
	(void)state;
	struct bl_error err;
	assert_int_equal(bl_zlib_load(&err), 0);
	assert_int_equal(bl_zlib_load(NULL), 0);   /* once: the same answer again */
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	char out[128];
	z.next_in = (unsigned char *)(uintptr_t)gz_data;
	z.avail_in = sizeof gz_data;
	z.next_out = (unsigned char *)out;
	z.avail_out = sizeof out;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(sizeof out - z.avail_out, strlen(TEXT));
	assert_memory_equal(out, TEXT, strlen(TEXT));
	assert_int_equal(inflateReset(&z), Z_OK);
	/* corrupt data is reported, not decoded */
	unsigned char bad[sizeof gz_data];
	memcpy(bad, gz_data, sizeof bad);
	bad[12] ^= 0xff;
	z.next_in = bad;
	z.avail_in = sizeof bad;
	z.next_out = (unsigned char *)out;
	z.avail_out = sizeof out;
	assert_int_not_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(inflateEnd(&z), Z_OK);
}

static void test_lz4(void **state)
{
	(void)state;
	struct bl_error err;
	assert_int_equal(bl_lz4_load(&err), 0);
	assert_int_equal(bl_lz4_load(NULL), 0);
	LZ4F_dctx *d = NULL;
	assert_false(LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)));
	LZ4F_frameInfo_t fi;
	size_t hn = sizeof lz4_data;
	assert_false(LZ4F_isError(LZ4F_getFrameInfo(d, &fi, lz4_data, &hn)));
	assert_int_equal(fi.blockSizeID, LZ4F_max64KB);
	char out[128];
	size_t dn = sizeof out, sn = sizeof lz4_data - hn;
	size_t r = LZ4F_decompress(d, out, &dn, lz4_data + hn, &sn, NULL);
	assert_false(LZ4F_isError(r));
	assert_int_equal(r, 0);   /* the frame is complete */
	assert_int_equal(dn, strlen(TEXT));
	assert_memory_equal(out, TEXT, strlen(TEXT));
	/* a bad content checksum is an error with a name */
	unsigned char bad[sizeof lz4_data];
	memcpy(bad, lz4_data, sizeof bad);
	bad[sizeof bad - 1] ^= 0xff;
	dn = sizeof out;
	sn = sizeof bad;
	r = LZ4F_decompress(d, out, &dn, bad, &sn, NULL);
	assert_true(LZ4F_isError(r));
	assert_non_null(strstr(LZ4F_getErrorName(r), "ERROR"));
	LZ4F_freeDecompressionContext(d);
}

static void test_lzma(void **state)
{
	(void)state;
	struct bl_error err;
	assert_int_equal(bl_lzma_load(&err), 0);
	assert_int_equal(bl_lzma_load(NULL), 0);
	lzma_stream z = LZMA_STREAM_INIT;
	assert_int_equal(lzma_auto_decoder(&z, 1u << 26, LZMA_CONCATENATED), LZMA_OK);
	char out[128];
	z.next_in = xz_data;
	z.avail_in = sizeof xz_data;
	z.next_out = (unsigned char *)out;
	z.avail_out = sizeof out;
	assert_int_equal(lzma_code(&z, LZMA_FINISH), LZMA_STREAM_END);
	assert_int_equal(sizeof out - z.avail_out, strlen(TEXT));
	assert_memory_equal(out, TEXT, strlen(TEXT));
	lzma_end(&z);
	/* not xz: a format error */
	lzma_stream z2 = LZMA_STREAM_INIT;
	assert_int_equal(lzma_auto_decoder(&z2, 1u << 26, 0), LZMA_OK);
	z2.next_in = gz_data;
	z2.avail_in = sizeof gz_data;
	z2.next_out = (unsigned char *)out;
	z2.avail_out = sizeof out;
	assert_int_equal(lzma_code(&z2, LZMA_FINISH), LZMA_FORMAT_ERROR);
	lzma_end(&z2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib),
		cmocka_unit_test(test_lz4),
		cmocka_unit_test(test_lzma),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
