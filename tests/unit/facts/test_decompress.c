/* Unit tests for facts/decompress.c and the libraries it opens on first use
 * (util/compress_api.h): this program links none of zlib, liblz4 and
 * liblzma, so each format below decodes through the library dlopen found;
 * without one, its format is an error naming the package and the others
 * still decode.  (test_packages_upgradable.c tests the decoders in depth.)
 * The data was compressed by the gzip, lz4 and xz tools. */
#include "testutil.h"

#include "facts/decompress.h"
#include "nolib.h"

#define TEXT "Package: bl-test\nVersion: 1.0\n\n"

static const unsigned char gz_data[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x0b, 0x48,
	0x4c, 0xce, 0x4e, 0x4c, 0x4f, 0xb5, 0x52, 0x48, 0xca, 0xd1, 0x2d, 0x49,
	0x2d, 0x2e, 0xe1, 0x0a, 0x4b, 0x2d, 0x2a, 0xce, 0xcc, 0xcf, 0xb3, 0x52,
	0x30, 0xd4, 0x33, 0xe0, 0xe2, 0x02, 0x00, 0x7a, 0x14, 0xef, 0x9e, 0x1f,
	0x00, 0x00, 0x00,
};

static const unsigned char lz4_data[] = {
	0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x1f, 0x00, 0x00, 0x80, 0x50,
	0x61, 0x63, 0x6b, 0x61, 0x67, 0x65, 0x3a, 0x20, 0x62, 0x6c, 0x2d, 0x74,
	0x65, 0x73, 0x74, 0x0a, 0x56, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x3a,
	0x20, 0x31, 0x2e, 0x30, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0xae, 0xd4,
	0x69, 0x8f,
};

static const unsigned char xz_data[] = {
	0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46,
	0x02, 0x00, 0x21, 0x01, 0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3,
	0x01, 0x00, 0x1e, 0x50, 0x61, 0x63, 0x6b, 0x61, 0x67, 0x65, 0x3a, 0x20,
	0x62, 0x6c, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x0a, 0x56, 0x65, 0x72, 0x73,
	0x69, 0x6f, 0x6e, 0x3a, 0x20, 0x31, 0x2e, 0x30, 0x0a, 0x0a, 0x00, 0x00,
	0xce, 0x63, 0x48, 0xdf, 0x0c, 0xf3, 0x19, 0x41, 0x00, 0x01, 0x37, 0x1f,
	0xea, 0x18, 0x89, 0x3d, 0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x04, 0x59, 0x5a
};

struct sample {
	enum bl_zfmt fmt;
	const unsigned char *data;
	size_t len;
	const char *soname, *package;
};

static const struct sample samples[] = {
	{BL_ZFMT_GZIP, gz_data, sizeof gz_data, "libz.so.1", "zlib1g"},
	{BL_ZFMT_LZ4, lz4_data, sizeof lz4_data, "liblz4.so.1", "liblz4-1"},
	{BL_ZFMT_XZ, xz_data, sizeof xz_data, "liblzma.so.5", "liblzma5"},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

struct collect {
	char buf[128];
	size_t n;
};

static int collect(void *ctx, const char *data, size_t n)
{
	struct collect *c = ctx;
	if (n > sizeof c->buf - c->n)
		return 1;
	memcpy(c->buf + c->n, data, n);
	c->n += n;
	return 0;
}

/* 0 when s decodes to TEXT. */
static int decodes(const struct sample *s, struct bl_error *err)
{
	struct collect c = {.n = 0};
	int rc = bl_zstream_mem("mem", s->fmt, s->data, s->len, 0, collect, &c, err);
	return rc ? rc : c.n != strlen(TEXT) || memcmp(c.buf, TEXT, c.n) != 0;
}

/* In a child without samples[i]'s library: that format fails, naming the
 * library and the package; plain text and the other formats decode. */
static int check_without(void *ctx)
{
	const struct sample *miss = ctx;
	struct bl_error err;
	if (decodes(miss, &err) != BL_EINTERNAL)
		return 1;
	char want[64];
	snprintf(want, sizeof want, "cannot load %s: ", miss->soname);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		return 1;
	snprintf(want, sizeof want, ": install %s)", miss->package);
	if (!strstr(err.msg, want))
		return 1;
	const struct sample plain = {BL_ZFMT_PLAIN, (const unsigned char *)TEXT, strlen(TEXT),
				     NULL, NULL};
	if (decodes(&plain, &err) != 0)
		return 1;
	for (size_t i = 0; i < NSAMPLES; i++)
		if (&samples[i] != miss && decodes(&samples[i], &err) != 0)
			return 1;
	return 0;
}

/* Runs first: a child can only lose a library this process has not opened. */
static void test_library_missing(void **state)
{
	(void)state;
	int checked = 0;
	for (size_t i = 0; i < NSAMPLES; i++) {
		int rc = tu_without_lib(samples[i].soname, check_without, (void *)&samples[i]);
		if (rc == TU_NOLIB_SKIP)
			continue;
		if (rc != 0)
			fail_msg("without %s: wrong answer", samples[i].soname);
		checked++;
	}
	if (!checked)
		skip();   /* no user namespaces here */
}

static void test_formats_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSAMPLES; i++) {
		struct bl_error err;
		int rc = decodes(&samples[i], &err);
		if (rc)
			fail_msg("%s: %d %s", bl_zfmt_name(samples[i].fmt), rc, rc > 0 ? "" : err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_missing),
		cmocka_unit_test(test_formats_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
