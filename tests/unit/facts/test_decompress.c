/* Unit tests for facts/decompress.c and the libraries it opens on first use
 * (util/compress_api.h): this program links none of zlib, liblz4 and
 * liblzma, so each format below decodes through the library dlopen found;
 * without one, its format is an error naming the package and the others
 * still decode.  (test_packages_upgradable.c tests the decoders in depth.)
 * The samples are in compressed_samples.h. */
#include "testutil.h"

#include "facts/decompress.h"
#include "compressed_samples.h"
#include "nolib.h"

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
